/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The frame descriptor: the one thing that crosses from v4l2/ to gpu/.
 *
 * A plain struct, no V4L2 calls: gpu/ may include this header (frames flow
 * v4l2 -> gpu), nothing else from v4l2/. It follows the DRM framebuffer
 * model: up to CAM_FRAME_MAX_MEMORY memory buffers (one per V4L2 memory
 * plane; one for packed formats and for single-buffer NV12), and up to
 * CAM_FRAME_MAX_PLANES colour planes, each naming the memory buffer it lives
 * in with an offset and a stride.
 *
 * Ownership: every fd and mapping belongs to the source that produced the
 * frame. They stay valid from the moment the source hands the frame out
 * until the consumer releases it (cam_source_release()); the dma-buf fd and
 * mapping of a buffer index stay the same for the whole stream, so a consumer
 * may cache an import keyed by (source, index) until the stream stops.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAM_FRAME_MAX_MEMORY 3
#define CAM_FRAME_MAX_PLANES 3

enum cam_frame_flags {
        CAM_FRAME_ERROR   = 1u << 0, /* the driver flagged the data as corrupt (V4L2_BUF_FLAG_ERROR) */
        CAM_FRAME_COPIED  = 1u << 1, /* pixels were converted into a host buffer (the only copy path) */
        CAM_FRAME_STILL   = 1u << 2, /* a single image, not a stream buffer: never cache its import */
};

struct cam_frame_memory {
        int dmabuf_fd;          /* dma-buf exported with VIDIOC_EXPBUF, or -EBADF when unavailable */
        void *data;             /* CPU mapping of the whole buffer (page aligned), never NULL */
        size_t length;          /* size of the buffer/mapping in bytes */
        size_t bytesused;       /* bytes of payload the producer wrote */
};

struct cam_frame_plane {
        uint32_t memory;        /* index into cam_frame.memory[] */
        uint32_t offset;        /* byte offset of the plane's first line in that buffer */
        uint32_t stride;        /* bytes per line */
};

struct cam_frame {
        uint32_t index;         /* buffer index within its source, stable for the stream */
        uint32_t fourcc;        /* V4L2 pixel format (V4L2_PIX_FMT_*) of the data as handed out */
        uint32_t width, height;
        uint32_t n_memory;
        struct cam_frame_memory memory[CAM_FRAME_MAX_MEMORY];
        uint32_t n_planes;
        struct cam_frame_plane planes[CAM_FRAME_MAX_PLANES];
        uint64_t timestamp_ns;  /* CLOCK_MONOTONIC capture time */
        uint32_t sequence;      /* producer's frame counter; gaps mean drops upstream */
        uint32_t flags;         /* enum cam_frame_flags */
};

/* Plane p's first byte in the CPU mapping. */
static inline const uint8_t *cam_frame_plane_data(const struct cam_frame *f, unsigned p) {
        const struct cam_frame_plane *pl = &f->planes[p];
        return (const uint8_t *) f->memory[pl->memory].data + pl->offset;
}
