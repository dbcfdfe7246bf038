/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Tracking faces across frames by box overlap, and best-shot selection.
 *
 * Each update matches the frame's detections to live tracks greedily by
 * descending IoU (pairs below min_iou never match); unmatched detections
 * start new tracks with fresh ids (never reused while the tracker lives);
 * tracks unseen for more than max_missed frames end. Per track, the best
 * shot is the observation with the highest quality score within the last
 * window_ns; when it ages out of the window, the best newer one replaces it
 * on its next update. The tracker holds only boxes, scores and timestamps:
 * no pixels, no templates.
 */

#include <stddef.h>
#include <stdint.h>

#include "face/detect.h"

#define FACE_TRACKS_MAX 16

struct face_tracker_params {
        float min_iou;          /* 0.3 */
        unsigned max_missed;    /* frames */
        uint64_t window_ns;     /* best-shot window */
};

struct face_track {
        uint32_t id;                    /* > 0 */
        struct face_detection last;
        unsigned hits, missed;
        uint64_t first_ns, last_ns;
        float best_score;               /* best quality score in the window */
        uint64_t best_ns;               /* when it was seen */
        uint32_t best_sequence;         /* frame sequence of the best shot */
};

struct face_tracker;

int face_tracker_new(const struct face_tracker_params *p, struct face_tracker **ret);
struct face_tracker *face_tracker_free(struct face_tracker *t);

/*
 * Feeds one frame: n detections with their quality scores (may be NULL: 0).
 * ret_ids (n entries, may be NULL) receives each detection's track id;
 * ret_best (n entries, may be NULL) is set to 1 where this observation became
 * its track's best shot. -EINVAL for bad arguments.
 */
int face_tracker_update(struct face_tracker *t, const struct face_detection *d, size_t n,
                        const float *scores, uint64_t timestamp_ns, uint32_t sequence,
                        uint32_t *ret_ids, uint8_t *ret_best);

/* Live tracks; the array stays valid until the next update. */
size_t face_tracker_tracks(const struct face_tracker *t, const struct face_track **ret);
const struct face_track *face_tracker_find(const struct face_tracker *t, uint32_t id);

/* Forgets everything (a session ended). */
void face_tracker_reset(struct face_tracker *t);
