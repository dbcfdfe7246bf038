/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Streaming from a capture node: MMAP buffers, each mapped and (where the
 * driver allows) exported as dma-buf with VIDIOC_EXPBUF, dequeued with
 * poll(). The stream is a struct cam_source (v4l2/source.h): newest frame
 * wins, older ready frames are requeued and counted as drops.
 *
 * Errors from cam_source_acquire(): -ETIMEDOUT, -ENODEV (device gone:
 * ENODEV or POLLERR), -EIO (the driver failed the queue), -EBUSY (max_held
 * frames held), -EAGAIN (the driver signalled readiness a thousand times
 * without a frame). After -ENODEV or -EIO the stream is dead: every later
 * acquire returns the same error; release and free still work.
 *
 * Frames whose bytesused exceeds the buffer, or that are shorter than the
 * format needs, are requeued unseen and counted in stats.errors. Frames
 * the driver flags V4L2_BUF_FLAG_ERROR are handed out with CAM_FRAME_ERROR
 * and counted there too.
 *
 * The device must outlive the stream. Main-loop only.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/macro.h"
#include "v4l2/format.h"
#include "v4l2/source.h"

struct cam_device;
struct cam_stream;

#define CAM_STREAM_MAX_BUFFERS 32

enum cam_convert_mode {
        CAM_CONVERT_AUTO,       /* convert formats the GPU path does not read (CAM_FMT_CONVERT) */
        CAM_CONVERT_NEVER,      /* hand out whatever the device produces */
        _CAM_CONVERT_MODE_MAX,
        _CAM_CONVERT_MODE_INVALID = -EINVAL,
};

struct cam_stream_params {
        uint32_t n_buffers;             /* 0: 4; the driver may grant another count */
        bool no_dmabuf;                 /* do not try VIDIOC_EXPBUF */
        enum cam_convert_mode convert;
        uint32_t convert_fourcc;        /* 0: RGB24 */
};

/* Requests and maps buffers, queues them and starts streaming with format fmt
 * (as granted by cam_format_negotiate()). */
int cam_stream_new(struct cam_device *d, const struct cam_format_granted *fmt, const struct cam_stream_params *p,
                   struct cam_stream **ret);
struct cam_stream *cam_stream_free(struct cam_stream *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cam_stream *, cam_stream_free);

/* The stream as a source; cam_source_free() on it frees the stream. */
struct cam_source *cam_stream_source(struct cam_stream *s);
/* Whether buffers were exported as dma-buf (false after EXPBUF failed or was not asked for). */
bool cam_stream_has_dmabuf(const struct cam_stream *s);
/* 0 while streaming, else the error that ended the stream (-ENODEV, -EIO). */
int cam_stream_error(const struct cam_stream *s);
/* Frames handed out and not yet released. */
uint32_t cam_stream_n_held(const struct cam_stream *s);
/* Whether f was handed out by s. */
bool cam_stream_owns_frame(const struct cam_stream *s, const struct cam_frame *f);
