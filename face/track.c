/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "face/track.h"

struct face_tracker {
        struct face_tracker_params params;
        struct face_track tracks[FACE_TRACKS_MAX];
        size_t n_tracks;
        uint32_t next_id;
};

int face_tracker_new(const struct face_tracker_params *p, struct face_tracker **ret) {
        if (!p || !ret || !(p->min_iou > 0.0f && p->min_iou <= 1.0f))
                return -EINVAL;
        struct face_tracker *t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->params = *p;
        t->next_id = 1;
        *ret = t;
        return 0;
}

struct face_tracker *face_tracker_free(struct face_tracker *t) {
        free(t);
        return NULL;
}

void face_tracker_reset(struct face_tracker *t) {
        if (!t)
                return;
        memset(t->tracks, 0, sizeof(t->tracks));
        t->n_tracks = 0;
}

static void observe(struct face_tracker *t, struct face_track *tr, const struct face_detection *d,
                    float score, uint64_t ts, uint32_t seq, uint8_t *ret_best) {
        bool expired = ts > tr->best_ns && ts - tr->best_ns > t->params.window_ns;

        tr->last = *d;
        tr->last_ns = ts;
        tr->hits++;
        tr->missed = 0;
        if (tr->hits == 1 || expired || score > tr->best_score) {
                tr->best_score = score;
                tr->best_ns = ts;
                tr->best_sequence = seq;
                if (ret_best)
                        *ret_best = 1;
        }
}

int face_tracker_update(struct face_tracker *t, const struct face_detection *d, size_t n,
                        const float *scores, uint64_t timestamp_ns, uint32_t sequence,
                        uint32_t *ret_ids, uint8_t *ret_best) {
        bool det_used[FACE_ANCHORS] = { false }, track_used[FACE_TRACKS_MAX] = { false };

        if (!t || (!d && n > 0) || n > FACE_ANCHORS)
                return -EINVAL;
        if (ret_ids)
                memset(ret_ids, 0, n * sizeof(*ret_ids));
        if (ret_best)
                memset(ret_best, 0, n);

        /* Greedy matching by best overlap: few faces per frame, so O(n·m) per round is fine. */
        for (;;) {
                float best = t->params.min_iou;
                size_t bi = SIZE_MAX, bt = SIZE_MAX;
                for (size_t i = 0; i < n; i++) {
                        if (det_used[i])
                                continue;
                        for (size_t k = 0; k < t->n_tracks; k++) {
                                if (track_used[k])
                                        continue;
                                float iou = face_iou(&d[i], &t->tracks[k].last);
                                if (iou >= best) {
                                        best = iou;
                                        bi = i;
                                        bt = k;
                                }
                        }
                }
                if (bi == SIZE_MAX)
                        break;
                det_used[bi] = track_used[bt] = true;
                observe(t, &t->tracks[bt], &d[bi], scores ? scores[bi] : 0.0f, timestamp_ns, sequence,
                        ret_best ? &ret_best[bi] : NULL);
                if (ret_ids)
                        ret_ids[bi] = t->tracks[bt].id;
        }

        /* Age unmatched tracks; drop the ones gone too long (compacting keeps order). */
        size_t keep = 0;
        for (size_t k = 0; k < t->n_tracks; k++) {
                if (!track_used[k] && ++t->tracks[k].missed > t->params.max_missed)
                        continue;
                t->tracks[keep++] = t->tracks[k];
        }
        t->n_tracks = keep;

        /* New tracks for unmatched detections, as long as there is room. */
        for (size_t i = 0; i < n; i++) {
                if (det_used[i] || t->n_tracks >= FACE_TRACKS_MAX)
                        continue;
                struct face_track *tr = &t->tracks[t->n_tracks++];
                *tr = (struct face_track) { .id = t->next_id++, .first_ns = timestamp_ns };
                if (t->next_id == 0)
                        t->next_id = 1;
                observe(t, tr, &d[i], scores ? scores[i] : 0.0f, timestamp_ns, sequence,
                        ret_best ? &ret_best[i] : NULL);
                if (ret_ids)
                        ret_ids[i] = tr->id;
        }
        return 0;
}

size_t face_tracker_tracks(const struct face_tracker *t, const struct face_track **ret) {
        *ret = t->tracks;
        return t->n_tracks;
}

const struct face_track *face_tracker_find(const struct face_tracker *t, uint32_t id) {
        for (size_t k = 0; k < t->n_tracks; k++)
                if (t->tracks[k].id == id)
                        return &t->tracks[k];
        return NULL;
}
