/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A camera as the daemon runs it: a V4L2 camera (v4l2/camera.h, reopened
 * after unplug) or a Y4M file source. Bus glue is in bus-camera.c.
 *
 * Threads. Each streaming camera has a frame worker thread that owns the
 * stream while it runs: dequeue (newest frame wins, older ones are released
 * and counted as dropped) → detection, quality, tracking on the engine (and
 * the embedding when a session waits for a capture) → release. It posts a
 * small result (boxes, quality, track ids, the embedding if any) to the main
 * loop through an eventfd; if the loop has not taken the previous result,
 * the newer one replaces it (counted), except that a result carrying an
 * embedding is never replaced by one without. The loop emits the signals and
 * runs the sessions. The worker ends on its own when the stream ends or the
 * device goes away, and the loop takes the camera back (reopen, hotplug)
 * only once it has ended: the loop never waits on a frame or the engine.
 *
 * Every function here is main-loop only.
 */

#include <stdint.h>

#include "face/quality.h"
#include "svc/daemon.h"

enum lsd_camera_state {
        LSD_CAMERA_STREAMING,
        LSD_CAMERA_DISCONNECTED,
        LSD_CAMERA_ERROR,
        LSD_CAMERA_STOPPED,             /* a file source that reached its end */
        _LSD_CAMERA_STATE_MAX,
        _LSD_CAMERA_STATE_INVALID = -22,
};

const char *lsd_camera_state_to_string(enum lsd_camera_state s);

struct lsd_camera_info {
        const char *id, *path, *node, *card;    /* valid until the next call on the camera */
        enum lsd_camera_state state;
        uint32_t fourcc, width, height, fps;
        uint64_t captured, dropped;
        uint64_t processed;             /* frames that went through the engine */
        uint64_t bytes_converted;       /* by the source itself (e.g. the file source's 4:2:0 → NV12) */
        uint32_t faces_in_view;
        /* How the backend reads frames: "host" (CPU, through the mapping), "dmabuf" or "copy" (GPU import). */
        const char *import_path;
        uint64_t import_bytes_copied;   /* by the backend's "copy" import path */
        /* Bytes the engine moved host→device and device→host for this camera's frames, and for its latest. */
        uint64_t bytes_to_device, bytes_from_device;
        uint64_t last_to_device, last_from_device;
};

/* What the frame worker hands the loop for one frame. */
struct lsd_frame_result {
        uint64_t timestamp_ns;
        uint32_t sequence;
        int error;                      /* < 0: the frame was not processed */
        int n_faces;
        struct face_detection faces[FACE_PIPELINE_MAX_FACES];
        uint32_t track_ids[FACE_PIPELINE_MAX_FACES];
        float scores[FACE_PIPELINE_MAX_FACES];  /* quality of the chosen face, 0 for the others */
        int chosen;                     /* index of the judged face, -1 without faces */
        struct face_quality quality;    /* of the chosen face */
        uint64_t engine_generation;     /* which engine made it */
        float *embedding;               /* of the chosen face, when a capture was asked for; NULL otherwise */
        size_t dim;
};

int lsd_camera_new(struct lsd_daemon *d, const char *id, struct lsd_camera **ret);
/* Stops the frame worker (waiting for its frame: only at shutdown) and frees. */
struct lsd_camera *lsd_camera_free(struct lsd_camera *c);
int lsd_camera_start(struct lsd_camera *c);
void lsd_camera_get_info(struct lsd_camera *c, struct lsd_camera_info *ret);
const char *lsd_camera_path(const struct lsd_camera *c);
sd_bus *lsd_camera_bus(struct lsd_camera *c);

/* The configuration changed (region of interest, quality limits): the worker uses it from its next frame. */
void lsd_camera_apply_config(struct lsd_camera *c);
/*
 * Whether the worker should compute embeddings, and from which quality
 * score on (the lowest of the sessions capturing on this camera).
 */
void lsd_camera_want_captures(struct lsd_camera *c, bool want, float min_quality);
/*
 * For the watchdog: false when the worker has been inside one step for
 * longer than max_usec, or a streaming camera delivered no frame since the
 * last call.
 */
bool lsd_camera_progressing(struct lsd_camera *c, uint64_t max_usec);

/* Bus glue (bus-camera.c). */
int lsd_bus_camera_register(struct lsd_daemon *d);
void lsd_bus_camera_emit_frame(struct lsd_camera *c, uint64_t timestamp_usec, uint32_t sequence,
                               enum face_guidance guidance, const struct face_detection *faces,
                               const uint32_t *track_ids, const float *quality, size_t n);
void lsd_bus_camera_emit_changed(struct lsd_camera *c, const char *property);

#include "common/macro.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(struct lsd_camera *, lsd_camera_free);
