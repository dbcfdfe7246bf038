/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Pixel formats: one static table of the fourccs lanesight knows (planes,
 * bits per pixel, whether the GPU path reads it directly or it must go
 * through libv4lconvert), the enumeration of what a device offers (formats,
 * frame sizes, frame intervals) and negotiation from a preference list.
 *
 * Negotiation picks, over the formats the device offers, the one whose best
 * size is closest to the request, then the one that reaches the requested
 * rate, then the first in the fourcc preference order (default: YUYV, UYVY,
 * NV12, GREY, RGB24, BGR24, other directly readable formats, then MJPEG and
 * other compressed or Bayer formats). The driver may round what S_FMT and
 * S_PARM ask for; struct cam_format_granted reports what was granted.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/videodev2.h>

#include "common/macro.h"

struct cam_device;

enum cam_format_flags {
        CAM_FMT_GPU        = 1u << 0,   /* the GPU path reads it directly (zero-copy) */
        CAM_FMT_CONVERT    = 1u << 1,   /* libv4lconvert turns it into a CAM_FMT_GPU format */
        CAM_FMT_COMPRESSED = 1u << 2,
        CAM_FMT_BAYER      = 1u << 3,
};

struct cam_format_info {
        uint32_t fourcc;
        const char *name;       /* the fourcc as text, "YUYV" */
        uint8_t n_planes;       /* colour planes */
        uint8_t n_memory;       /* V4L2 memory planes (2 for NV12M, 1 for NV12) */
        uint8_t bpp;            /* average bits per pixel over all planes; 0 for compressed */
        uint8_t chroma_div;     /* chroma stride = luma stride / chroma_div (planar formats) */
        uint8_t chroma_vsub;    /* chroma lines = height / chroma_vsub */
        uint32_t flags;         /* enum cam_format_flags */
        int rank;               /* default preference, lower first */
};

/* NULL for a fourcc not in the table. */
const struct cam_format_info *cam_format_info_lookup(uint32_t fourcc);
const struct cam_format_info *cam_format_info_all(size_t *ret_n);

/* "YUYV"; trailing padding spaces dropped, unprintable bytes become '?', big-endian
 * variants (bit 31) written as v4l2-ctl does ("Y16 -BE"). buf needs 8 bytes. */
const char *cam_fourcc_to_string(uint32_t fourcc, char buf[static 8]);
#define CAM_FOURCC_STR(f) cam_fourcc_to_string((f), (char[8]) {})
/* Accepts the table's names and any 4-character code ("YUYV", "MJPG", "NV12"). */
int cam_fourcc_from_string(const char *s, uint32_t *ret);

/* Fills colour-plane offsets and strides of a frame from the memory planes'
 * bytesperline: packed formats have one plane, NV12 two in one buffer, NV12M
 * two in two buffers. Returns the number of colour planes or -EINVAL. */
struct cam_frame_plane;
int cam_format_plane_layout(uint32_t fourcc, uint32_t height, uint32_t n_memory, const uint32_t *bytesperline,
                            struct cam_frame_plane *planes);

/* ---- enumeration ---- */

struct cam_frame_size {
        uint32_t type;                          /* V4L2_FRMSIZE_TYPE_* */
        uint32_t width, height;                 /* discrete, or the minimum */
        uint32_t max_width, max_height;         /* stepwise/continuous */
        uint32_t step_width, step_height;
        uint32_t interval_type;                 /* V4L2_FRMIVAL_TYPE_*, 0 when unknown */
        size_t n_intervals;                     /* discrete: all; stepwise: min, max, step */
        struct v4l2_fract *intervals;           /* seconds per frame */
};

struct cam_format_desc {
        uint32_t fourcc;
        uint32_t v4l2_flags;                    /* V4L2_FMT_FLAG_* */
        char description[32];
        size_t n_sizes;
        struct cam_frame_size *sizes;
};

struct cam_format_list {
        size_t n;
        struct cam_format_desc *formats;
};

int cam_format_enumerate(struct cam_device *d, struct cam_format_list **ret);
struct cam_format_list *cam_format_list_free(struct cam_format_list *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cam_format_list *, cam_format_list_free);

/* Frame intervals offered for one size (discrete list, or min/max/step for stepwise). */
int cam_format_enumerate_intervals(struct cam_device *d, uint32_t fourcc, uint32_t width, uint32_t height,
                                   struct cam_frame_size *size);

/* ---- negotiation ---- */

struct cam_format_request {
        uint32_t width, height;         /* 0: keep the current size */
        uint32_t fps_num, fps_den;      /* frames per second; 0: leave the rate alone */
        const uint32_t *fourccs;        /* preference order; NULL: the default order */
        size_t n_fourccs;
};

struct cam_format_granted {
        uint32_t fourcc, width, height;
        uint32_t field, colorspace;
        uint32_t n_memory;
        uint32_t bytesperline[VIDEO_MAX_PLANES];
        uint32_t sizeimage[VIDEO_MAX_PLANES];
        uint32_t fps_num, fps_den;      /* 0/0 when the driver does not say */
        bool mplane;
};

/* Returns -ENOTSUP when the device offers none of the requested formats or
 * grants a fourcc lanesight does not know. */
int cam_format_negotiate(struct cam_device *d, const struct cam_format_request *req, struct cam_format_granted *ret);
/* The current format and rate (G_FMT, G_PARM). */
int cam_format_get(struct cam_device *d, struct cam_format_granted *ret);
/* Sets only the frame rate (S_PARM); updates g->fps_*. */
int cam_format_set_rate(struct cam_device *d, uint32_t fps_num, uint32_t fps_den, struct cam_format_granted *g);
