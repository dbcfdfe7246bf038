/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A camera as the daemon runs it: a V4L2 camera (v4l2/camera.h, reopened
 * after unplug) or a Y4M file source, polled on the main loop; every frame
 * goes through detection, tracking and quality, and to the sessions that
 * capture on this camera. Bus glue is in bus-camera.c.
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
        const char *id, *path, *node, *card;
        enum lsd_camera_state state;
        uint32_t fourcc, width, height, fps;
        uint64_t captured, dropped;
        uint64_t bytes_converted;       /* by the source itself (e.g. the file source's 4:2:0 → NV12) */
        uint32_t faces_in_view;
        /* How the backend reads frames: "host" (CPU, through the mapping), "dmabuf" or "copy" (GPU import). */
        const char *import_path;
        uint64_t import_bytes_copied;   /* by the backend's "copy" import path */
};

int lsd_camera_new(struct lsd_daemon *d, const char *id, struct lsd_camera **ret);
struct lsd_camera *lsd_camera_free(struct lsd_camera *c);
int lsd_camera_start(struct lsd_camera *c);
void lsd_camera_get_info(const struct lsd_camera *c, struct lsd_camera_info *ret);
const char *lsd_camera_path(const struct lsd_camera *c);
sd_bus *lsd_camera_bus(struct lsd_camera *c);

/* Bus glue (bus-camera.c). */
int lsd_bus_camera_register(struct lsd_daemon *d);
void lsd_bus_camera_emit_frame(struct lsd_camera *c, uint64_t timestamp_usec, uint32_t sequence,
                               enum face_guidance guidance, const struct face_detection *faces,
                               const uint32_t *track_ids, const float *quality, size_t n);
void lsd_bus_camera_emit_changed(struct lsd_camera *c, const char *property);
