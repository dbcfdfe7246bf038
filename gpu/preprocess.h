/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Frame preprocessing: the definition every backend implements.
 *
 * One operation turns a raw camera frame (struct cam_frame, any supported
 * fourcc) into a float tensor of 3 channels:
 *
 *   for each output pixel (dx, dy) with 0 <= dx < width, 0 <= dy < height:
 *     if (dx, dy) is outside xform.content:  pixel = black (0, 0, 0)
 *     else:
 *       sx = m[0]*dx + m[1]*dy + m[2]        source point; integer coordinates
 *       sy = m[3]*dx + m[4]*dy + m[5]        are pixel centres
 *       x0 = floor(sx), fx = sx - x0 (same for y)
 *       pixel = bilinear of the four taps (x0|x0+1, y0|y0+1), each tap's RGB
 *               read with read_rgb() below; a tap outside xform.src_rect is
 *               either clamped onto the rect's edge (GPU_PRE_BORDER_CLAMP) or
 *               black (GPU_PRE_BORDER_ZERO)
 *     out[c] = (pixel[c'] - mean[c]) * scale[c]   with c' = c (RGB) or 2-c (BGR)
 *   stored at NHWC  out[offset + (dy*width + dx)*3 + c]
 *          or NCHW  out[offset + (c*height + dy)*width + dx]
 *
 * read_rgb(x, y): the frame pixel converted to RGB in [0, 255] as floats
 * (not rounded):
 *   GREY          R = G = B = Y (full range)
 *   RGB24/BGR24   the bytes
 *   YUYV/UYVY     Y of pixel x, U/V of the pair x/2 (nearest, no chroma
 *   NV12            interpolation); NV12: U/V at (x/2, y/2)
 *   YUV -> RGB is BT.601 limited range (Y in 16..235, U/V in 16..240):
 *     R = 1.164383 (Y-16)                   + 1.596027 (V-128)
 *     G = 1.164383 (Y-16) - 0.391762 (U-128) - 0.812968 (V-128)
 *     B = 1.164383 (Y-16) + 2.017232 (U-128)
 *   i.e. 255/219, 255/224 * 1.402, 255/224 * 1.772 * 0.114/0.587,
 *   255/224 * 1.402 * 0.299/0.587, 255/224 * 1.772 (Kr = 0.299, Kb = 0.114),
 *   each result clamped to [0, 255].
 *
 * The two ways a caller builds the xform:
 *   gpu_pre_letterbox(): crop to a region of interest, scale it preserving
 *     aspect ratio to fit the output, centre it, black padding around it;
 *     bilinear with half-pixel centres, taps clamped to the ROI.
 *     (BlazeFace: 128x128 or 256x256, NHWC, RGB, mean 127.5, scale 1/127.5.)
 *   gpu_pre_warp(): an affine warp (face alignment) given the 2x3 matrix that
 *     maps source pixels to output pixels (OpenCV warpAffine convention),
 *     taps outside the frame are black. (Embedder: 112x112, NCHW, BGR,
 *     mean 127, scale 1/128.)
 *
 * gpu_pre_run_cpu() is the reference implementation (single precision, the
 * same arithmetic the shaders use); GPU backends are tested against it with
 * a max abs difference of 1e-3 on the normalised output.
 *
 * No state, no allocation: every function is thread-safe.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "v4l2/frame.h"

enum gpu_pre_layout {
        GPU_PRE_NHWC,
        GPU_PRE_NCHW,
        _GPU_PRE_LAYOUT_MAX,
        _GPU_PRE_LAYOUT_INVALID = -EINVAL,
};

enum gpu_pre_order {
        GPU_PRE_RGB,
        GPU_PRE_BGR,
        _GPU_PRE_ORDER_MAX,
        _GPU_PRE_ORDER_INVALID = -EINVAL,
};

enum gpu_pre_border {
        GPU_PRE_BORDER_CLAMP,   /* taps outside src_rect are moved onto its edge */
        GPU_PRE_BORDER_ZERO,    /* taps outside src_rect are black */
        _GPU_PRE_BORDER_MAX,
        _GPU_PRE_BORDER_INVALID = -EINVAL,
};

/* The output tensor: fixed per model (a GPU backend bakes it into the pipeline). */
struct gpu_pre_output {
        uint32_t width, height;
        enum gpu_pre_layout layout;
        enum gpu_pre_order order;
        float mean[3];          /* per output channel, in pixel units (0..255) */
        float scale[3];
};

/* Per-dispatch geometry. Rects are half-open: x0 <= x < x1, y0 <= y < y1. */
struct gpu_pre_xform {
        float m[6];             /* output pixel -> source point, see above */
        int32_t content[4];     /* output rect that samples the frame; outside is black */
        int32_t src_rect[4];    /* source rect the taps are restricted to */
        enum gpu_pre_border border;
};

/* A region of interest in frame pixels. */
struct gpu_pre_roi {
        uint32_t x, y, width, height;
};

/* The fourccs the preprocessing reads (V4L2_PIX_FMT_*). */
bool gpu_pre_fourcc_supported(uint32_t fourcc);

/*
 * Validates a frame's layout for preprocessing: supported fourcc, plane count,
 * strides wide enough for the width, every plane inside its memory buffer.
 * Returns 0, -EOPNOTSUPP for an unsupported fourcc, -EINVAL otherwise.
 */
int gpu_pre_frame_check(const struct cam_frame *f);

/* Index of the plane holding U/V (NV12: 1), or 0 for single-plane formats. */
unsigned gpu_pre_chroma_plane(uint32_t fourcc);

/*
 * Builds a letterbox xform: roi (NULL: whole frame) scaled by
 * min(out_w/roi_w, out_h/roi_h) to round(roi * s), centred with
 * floor((out - scaled) / 2) black pixels before it. -EINVAL if the roi is
 * empty or outside the frame.
 */
int gpu_pre_letterbox(uint32_t frame_w, uint32_t frame_h, const struct gpu_pre_roi *roi,
                      uint32_t out_w, uint32_t out_h, struct gpu_pre_xform *ret);

/*
 * Builds an affine-warp xform from the 2x3 matrix mapping source pixels to
 * output pixels (dst = A * src + t, pixel centres at integers). -EINVAL if the
 * matrix is singular or not finite.
 */
int gpu_pre_warp(uint32_t frame_w, uint32_t frame_h, const float src_to_dst[6],
                 uint32_t out_w, uint32_t out_h, struct gpu_pre_xform *ret);

/* Maps an output-tensor point (pixel units) back to frame coordinates. */
void gpu_pre_xform_map(const struct gpu_pre_xform *x, float dx, float dy, float *ret_sx, float *ret_sy);

/* The BT.601 limited-range conversion above, for one pixel, clamped to [0, 255]. */
void gpu_pre_yuv_to_rgb(float y, float u, float v, float rgb[3]);

/* Number of floats written by one run: width * height * 3. */
static inline uint64_t gpu_pre_output_size(const struct gpu_pre_output *o) {
        return (uint64_t) o->width * o->height * 3;
}

/* Checks an output description (sizes, enums, finite mean/scale). */
int gpu_pre_output_check(const struct gpu_pre_output *o);

/*
 * The CPU reference: writes gpu_pre_output_size(o) floats at out (the caller
 * applies any batch offset). Returns 0 or the errors of gpu_pre_frame_check()
 * and gpu_pre_output_check().
 */
int gpu_pre_run_cpu(const struct cam_frame *f, const struct gpu_pre_output *o,
                    const struct gpu_pre_xform *x, float *out);

const char *gpu_pre_layout_to_string(enum gpu_pre_layout l);
const char *gpu_pre_order_to_string(enum gpu_pre_order o);
