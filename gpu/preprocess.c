/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CPU reference of the frame preprocessing (see preprocess.h for the exact
 * definition). Written for clarity, not speed: the CPU pipeline uses it as
 * is, the GPU backends are tested against it.
 */
#include <linux/videodev2.h>
#include <math.h>

#include "common/macro.h"
#include "gpu/preprocess.h"

#define GPU_PRE_MAX_DIM 16384u

static const char *const layout_table[_GPU_PRE_LAYOUT_MAX] = {
        [GPU_PRE_NHWC] = "nhwc",
        [GPU_PRE_NCHW] = "nchw",
};

static const char *const order_table[_GPU_PRE_ORDER_MAX] = {
        [GPU_PRE_RGB] = "rgb",
        [GPU_PRE_BGR] = "bgr",
};

const char *gpu_pre_layout_to_string(enum gpu_pre_layout l) {
        return l >= 0 && l < _GPU_PRE_LAYOUT_MAX ? layout_table[l] : NULL;
}

const char *gpu_pre_order_to_string(enum gpu_pre_order o) {
        return o >= 0 && o < _GPU_PRE_ORDER_MAX ? order_table[o] : NULL;
}

bool gpu_pre_fourcc_supported(uint32_t fourcc) {
        switch (fourcc) {
        case V4L2_PIX_FMT_GREY:
        case V4L2_PIX_FMT_YUYV:
        case V4L2_PIX_FMT_UYVY:
        case V4L2_PIX_FMT_NV12:
        case V4L2_PIX_FMT_RGB24:
        case V4L2_PIX_FMT_BGR24:
                return true;
        default:
                return false;
        }
}

unsigned gpu_pre_chroma_plane(uint32_t fourcc) {
        return fourcc == V4L2_PIX_FMT_NV12 ? 1 : 0;
}

/* Bytes of one line and number of lines of plane p. */
static void plane_extent(uint32_t fourcc, unsigned p, uint32_t w, uint32_t h,
                         uint64_t *ret_row, uint32_t *ret_lines) {
        uint64_t row;
        uint32_t lines = h;

        switch (fourcc) {
        case V4L2_PIX_FMT_YUYV:
        case V4L2_PIX_FMT_UYVY:
                row = (uint64_t) DIV_ROUND_UP(w, 2) * 4;
                break;
        case V4L2_PIX_FMT_RGB24:
        case V4L2_PIX_FMT_BGR24:
                row = (uint64_t) w * 3;
                break;
        case V4L2_PIX_FMT_NV12:
                row = p == 0 ? w : (uint64_t) DIV_ROUND_UP(w, 2) * 2;
                lines = p == 0 ? h : DIV_ROUND_UP(h, 2);
                break;
        default:
                row = w;
                break;
        }
        *ret_row = row;
        *ret_lines = lines;
}

int gpu_pre_frame_check(const struct cam_frame *f) {
        unsigned want_planes;

        if (!f)
                return -EINVAL;
        if (!gpu_pre_fourcc_supported(f->fourcc))
                return -EOPNOTSUPP;
        want_planes = f->fourcc == V4L2_PIX_FMT_NV12 ? 2 : 1;
        if (f->width == 0 || f->height == 0 || f->width > GPU_PRE_MAX_DIM || f->height > GPU_PRE_MAX_DIM)
                return -EINVAL;
        if (f->n_planes < want_planes || f->n_planes > CAM_FRAME_MAX_PLANES ||
            f->n_memory == 0 || f->n_memory > CAM_FRAME_MAX_MEMORY)
                return -EINVAL;

        for (unsigned p = 0; p < want_planes; p++) {
                const struct cam_frame_plane *pl = &f->planes[p];
                uint64_t row, end;
                uint32_t lines;

                if (pl->memory >= f->n_memory || !f->memory[pl->memory].data)
                        return -EINVAL;
                plane_extent(f->fourcc, p, f->width, f->height, &row, &lines);
                if (pl->stride < row)
                        return -EINVAL;
                end = (uint64_t) pl->offset + (uint64_t) pl->stride * (lines - 1) + row;
                if (end > f->memory[pl->memory].length)
                        return -EINVAL;
        }
        return 0;
}

int gpu_pre_output_check(const struct gpu_pre_output *o) {
        if (!o || o->width == 0 || o->height == 0 || o->width > GPU_PRE_MAX_DIM || o->height > GPU_PRE_MAX_DIM)
                return -EINVAL;
        if (!gpu_pre_layout_to_string(o->layout) || !gpu_pre_order_to_string(o->order))
                return -EINVAL;
        for (unsigned c = 0; c < 3; c++)
                if (!isfinite(o->mean[c]) || !isfinite(o->scale[c]))
                        return -EINVAL;
        return 0;
}

int gpu_pre_letterbox(uint32_t frame_w, uint32_t frame_h, const struct gpu_pre_roi *roi,
                      uint32_t out_w, uint32_t out_h, struct gpu_pre_xform *ret) {
        struct gpu_pre_roi r = roi ? *roi : (struct gpu_pre_roi) { 0, 0, frame_w, frame_h };
        uint32_t new_w, new_h, pad_x, pad_y;
        double s;

        if (!ret || out_w == 0 || out_h == 0 || out_w > GPU_PRE_MAX_DIM || out_h > GPU_PRE_MAX_DIM)
                return -EINVAL;
        if (r.width == 0 || r.height == 0 || (uint64_t) r.x + r.width > frame_w ||
            (uint64_t) r.y + r.height > frame_h)
                return -EINVAL;

        s = MIN((double) out_w / r.width, (double) out_h / r.height);
        new_w = CLAMP((uint32_t) lround(r.width * s), 1u, out_w);
        new_h = CLAMP((uint32_t) lround(r.height * s), 1u, out_h);
        pad_x = (out_w - new_w) / 2;
        pad_y = (out_h - new_h) / 2;

        /* Half-pixel centres: sx = rx + (dx - pad + 0.5) * rw/nw - 0.5. */
        double ax = (double) r.width / new_w, ay = (double) r.height / new_h;
        *ret = (struct gpu_pre_xform) {
                .m = { (float) ax, 0.0f, (float) (r.x + (0.5 - pad_x) * ax - 0.5),
                       0.0f, (float) ay, (float) (r.y + (0.5 - pad_y) * ay - 0.5) },
                .content = { (int32_t) pad_x, (int32_t) pad_y, (int32_t) (pad_x + new_w), (int32_t) (pad_y + new_h) },
                .src_rect = { (int32_t) r.x, (int32_t) r.y, (int32_t) (r.x + r.width), (int32_t) (r.y + r.height) },
                .border = GPU_PRE_BORDER_CLAMP,
        };
        return 0;
}

int gpu_pre_warp(uint32_t frame_w, uint32_t frame_h, const float src_to_dst[6],
                 uint32_t out_w, uint32_t out_h, struct gpu_pre_xform *ret) {
        double a, b, c, d, tx, ty, det;

        if (!ret || !src_to_dst || out_w == 0 || out_h == 0 || out_w > GPU_PRE_MAX_DIM ||
            out_h > GPU_PRE_MAX_DIM || frame_w == 0 || frame_h == 0)
                return -EINVAL;
        for (unsigned i = 0; i < 6; i++)
                if (!isfinite(src_to_dst[i]))
                        return -EINVAL;

        a = src_to_dst[0], b = src_to_dst[1], tx = src_to_dst[2];
        c = src_to_dst[3], d = src_to_dst[4], ty = src_to_dst[5];
        det = a * d - b * c;
        if (fabs(det) < 1e-12)
                return -EINVAL;

        /* Inverse of [a b; c d], and -inv * t. */
        double ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
        *ret = (struct gpu_pre_xform) {
                .m = { (float) ia, (float) ib, (float) (-(ia * tx + ib * ty)),
                       (float) ic, (float) id, (float) (-(ic * tx + id * ty)) },
                .content = { 0, 0, (int32_t) out_w, (int32_t) out_h },
                .src_rect = { 0, 0, (int32_t) frame_w, (int32_t) frame_h },
                .border = GPU_PRE_BORDER_ZERO,
        };
        return 0;
}

void gpu_pre_xform_map(const struct gpu_pre_xform *x, float dx, float dy, float *ret_sx, float *ret_sy) {
        *ret_sx = x->m[0] * dx + x->m[1] * dy + x->m[2];
        *ret_sy = x->m[3] * dx + x->m[4] * dy + x->m[5];
}

void gpu_pre_yuv_to_rgb(float y, float u, float v, float rgb[3]) {
        float yy = 1.164383f * (y - 16.0f), uu = u - 128.0f, vv = v - 128.0f;

        rgb[0] = CLAMP(yy + 1.596027f * vv, 0.0f, 255.0f);
        rgb[1] = CLAMP(yy - 0.391762f * uu - 0.812968f * vv, 0.0f, 255.0f);
        rgb[2] = CLAMP(yy + 2.017232f * uu, 0.0f, 255.0f);
}

/* read_rgb() of preprocess.h: x, y inside the frame. */
static void read_rgb(const struct cam_frame *f, int32_t x, int32_t y, float rgb[3]) {
        const struct cam_frame_plane *p0 = &f->planes[0];
        const uint8_t *row = cam_frame_plane_data(f, 0) + (size_t) y * p0->stride;
        const uint8_t *pair, *uv;

        switch (f->fourcc) {
        case V4L2_PIX_FMT_GREY:
                rgb[0] = rgb[1] = rgb[2] = row[x];
                return;
        case V4L2_PIX_FMT_RGB24:
                rgb[0] = row[3 * x], rgb[1] = row[3 * x + 1], rgb[2] = row[3 * x + 2];
                return;
        case V4L2_PIX_FMT_BGR24:
                rgb[2] = row[3 * x], rgb[1] = row[3 * x + 1], rgb[0] = row[3 * x + 2];
                return;
        case V4L2_PIX_FMT_YUYV:
                pair = row + (x / 2) * 4;
                gpu_pre_yuv_to_rgb(pair[(x & 1) * 2], pair[1], pair[3], rgb);
                return;
        case V4L2_PIX_FMT_UYVY:
                pair = row + (x / 2) * 4;
                gpu_pre_yuv_to_rgb(pair[1 + (x & 1) * 2], pair[0], pair[2], rgb);
                return;
        case V4L2_PIX_FMT_NV12:
                uv = cam_frame_plane_data(f, 1) + (size_t) (y / 2) * f->planes[1].stride + (x / 2) * 2;
                gpu_pre_yuv_to_rgb(row[x], uv[0], uv[1], rgb);
                return;
        }
}

/* One tap with the xform's border rule; frame-clipped src_rect assumed. */
static void tap(const struct cam_frame *f, const struct gpu_pre_xform *x, const int32_t r[4],
                int32_t tx, int32_t ty, float rgb[3]) {
        if (x->border == GPU_PRE_BORDER_ZERO && (tx < r[0] || tx >= r[2] || ty < r[1] || ty >= r[3])) {
                rgb[0] = rgb[1] = rgb[2] = 0.0f;
                return;
        }
        read_rgb(f, CLAMP(tx, r[0], r[2] - 1), CLAMP(ty, r[1], r[3] - 1), rgb);
}

int gpu_pre_run_cpu(const struct cam_frame *f, const struct gpu_pre_output *o,
                    const struct gpu_pre_xform *x, float *out) {
        int32_t r[4];
        int ret;

        ret = gpu_pre_frame_check(f);
        if (ret < 0)
                return ret;
        ret = gpu_pre_output_check(o);
        if (ret < 0)
                return ret;
        if (!x || !out || (unsigned) x->border >= _GPU_PRE_BORDER_MAX)
                return -EINVAL;

        /* Never read outside the frame, whatever src_rect says. */
        r[0] = CLAMP(x->src_rect[0], 0, (int32_t) f->width);
        r[1] = CLAMP(x->src_rect[1], 0, (int32_t) f->height);
        r[2] = CLAMP(x->src_rect[2], r[0], (int32_t) f->width);
        r[3] = CLAMP(x->src_rect[3], r[1], (int32_t) f->height);

        for (uint32_t dy = 0; dy < o->height; dy++)
                for (uint32_t dx = 0; dx < o->width; dx++) {
                        float px[3] = { 0.0f, 0.0f, 0.0f };
                        int32_t idx = (int32_t) dx, idy = (int32_t) dy;

                        if (idx >= x->content[0] && idx < x->content[2] && idy >= x->content[1] &&
                            idy < x->content[3] && r[2] > r[0] && r[3] > r[1]) {
                                float sx = x->m[0] * dx + x->m[1] * dy + x->m[2];
                                float sy = x->m[3] * dx + x->m[4] * dy + x->m[5];
                                float fx0 = floorf(sx), fy0 = floorf(sy);
                                float fx = sx - fx0, fy = sy - fy0;
                                /* Keep the taps in int range for absurd matrices. */
                                int32_t x0 = (int32_t) CLAMP(fx0, -2.0f, (float) f->width + 1);
                                int32_t y0 = (int32_t) CLAMP(fy0, -2.0f, (float) f->height + 1);
                                float a[3], b[3], c[3], d[3];

                                tap(f, x, r, x0, y0, a);
                                tap(f, x, r, x0 + 1, y0, b);
                                tap(f, x, r, x0, y0 + 1, c);
                                tap(f, x, r, x0 + 1, y0 + 1, d);
                                for (unsigned k = 0; k < 3; k++) {
                                        float top = a[k] + (b[k] - a[k]) * fx;
                                        float bot = c[k] + (d[k] - c[k]) * fx;
                                        px[k] = top + (bot - top) * fy;
                                }
                        }

                        for (unsigned c = 0; c < 3; c++) {
                                unsigned src_c = o->order == GPU_PRE_BGR ? 2 - c : c;
                                float v = (px[src_c] - o->mean[c]) * o->scale[c];
                                size_t i = o->layout == GPU_PRE_NHWC
                                        ? ((size_t) dy * o->width + dx) * 3 + c
                                        : ((size_t) c * o->height + dy) * o->width + dx;
                                out[i] = v;
                        }
                }
        return 0;
}
