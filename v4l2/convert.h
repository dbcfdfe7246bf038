/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The only copy path: formats the GPU path does not read (MJPEG, Bayer, ...)
 * are converted with libv4lconvert into a readable one (RGB24 by default)
 * in a host buffer. libv4lconvert's own device calls go through the
 * device's I/O table, so it works against the simulated driver too.
 */

#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"
#include "v4l2/format.h"

struct cam_device;
struct cam_convert;

/* dst_fourcc 0 means RGB24. Returns -ENOTSUP if libv4lconvert cannot produce dst_fourcc
 * or the source is multi-planar. */
int cam_convert_new(struct cam_device *d, const struct cam_format_granted *src, uint32_t dst_fourcc,
                    struct cam_convert **ret);
struct cam_convert *cam_convert_free(struct cam_convert *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cam_convert *, cam_convert_free);

/* Format of the converted frames (single memory plane). */
const struct cam_format_granted *cam_convert_dst(const struct cam_convert *c);

/* Converts src_size bytes into dst (at least cam_convert_dst()->sizeimage[0] bytes).
 * Returns the bytes written, or -EBADMSG for a frame that does not decode. */
int cam_convert_run(struct cam_convert *c, const void *src, size_t src_size, void *dst, size_t dst_size);

/* Whether libv4lconvert can produce fourcc. */
bool cam_convert_dst_supported(uint32_t fourcc);
