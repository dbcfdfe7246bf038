/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A frame source: what the daemon and tools consume, whether frames come
 * from a V4L2 camera (stream.c) or a Y4M file (file-source.c). Both hand out
 * the same struct cam_frame and obey the same rules:
 *
 *  - cam_source_get_fd() returns an fd to poll for POLLIN (a frame is ready);
 *  - cam_source_acquire() waits up to timeout_ms (-1: forever, 0: poll) and
 *    hands out the newest ready frame; older ready frames are recycled and
 *    counted as drops. Returns -ETIMEDOUT, -ENODEV (source gone: the stream
 *    is over), -EPIPE (end of file, not looping) or another -errno;
 *  - the consumer owns the frame until cam_source_release(); at most
 *    cam_source_info().max_held frames may be held at once (-EBUSY beyond);
 *  - main-loop only: a source is not thread-safe.
 */

#include "v4l2/frame.h"

struct cam_source;

struct cam_source_stats {
        uint64_t frames;        /* frames handed to the consumer */
        uint64_t dropped;       /* frames recycled unseen because a newer one was ready */
        uint64_t errors;        /* frames flagged CAM_FRAME_ERROR or rejected as malformed */
        uint64_t bytes_copied;  /* bytes written by a conversion/copy path; 0 means zero-copy */
};

struct cam_source_info {
        uint32_t fourcc, width, height;
        uint32_t fps_num, fps_den;      /* frame rate as a fraction (frames per second) */
        uint32_t n_buffers;
        uint32_t max_held;
        bool dmabuf;                    /* frames carry dma-buf fds */
};

struct cam_source_ops {
        int (*get_fd)(struct cam_source *s);
        int (*acquire)(struct cam_source *s, int timeout_ms, const struct cam_frame **ret);
        int (*release)(struct cam_source *s, const struct cam_frame *frame);
        void (*get_info)(struct cam_source *s, struct cam_source_info *ret);
        void (*get_stats)(struct cam_source *s, struct cam_source_stats *ret);
        struct cam_source *(*free)(struct cam_source *s);
};

/* Embed as the first member of a concrete source. */
struct cam_source {
        const struct cam_source_ops *ops;
        const char *name;               /* device path or file name, for messages */
};

static inline int cam_source_get_fd(struct cam_source *s) { return s->ops->get_fd(s); }
static inline int cam_source_acquire(struct cam_source *s, int timeout_ms, const struct cam_frame **ret) {
        return s->ops->acquire(s, timeout_ms, ret);
}
static inline int cam_source_release(struct cam_source *s, const struct cam_frame *f) {
        return s->ops->release(s, f);
}
static inline void cam_source_get_info(struct cam_source *s, struct cam_source_info *ret) { s->ops->get_info(s, ret); }
static inline void cam_source_get_stats(struct cam_source *s, struct cam_source_stats *ret) { s->ops->get_stats(s, ret); }
static inline struct cam_source *cam_source_free(struct cam_source *s) {
        return s ? s->ops->free(s) : NULL;
}
static inline void cam_source_freep(struct cam_source **s) {
        *s = cam_source_free(*s);
}
