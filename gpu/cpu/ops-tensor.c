/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reference ops that move data: Concat, Transpose, Pad, Resize, copies. */

#include <math.h>

#include "gpu/cpu/ops.h"

#define T(i) (&g->tensors[n->inputs[i]])
#define OUT (&g->tensors[n->output])
#define P(i) (n->inputs[i] >= 0 ? ptr[n->inputs[i]] : NULL)

void gpu_cpu_ref_copy(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        memcpy(ptr[n->output], ptr[n->inputs[0]], gpu_tensor_bytes(OUT));
}

void gpu_cpu_ref_concat(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *o = OUT;
        float *out = ptr[n->output];
        size_t outer = 1, inner = 1, off = 0;

        for (int d = 0; d < n->axis; d++)
                outer *= (size_t) o->dims[d];
        for (int d = n->axis + 1; d < o->ndim; d++)
                inner *= (size_t) o->dims[d];
        for (int i = 0; i < n->n_inputs; i++) {
                const struct gpu_tensor *t = T(i);
                const float *in = P(i);
                size_t chunk = (size_t) t->dims[n->axis] * inner, row = (size_t) o->dims[n->axis] * inner;
                for (size_t k = 0; k < outer; k++)
                        memcpy(out + k * row + off, in + k * chunk, chunk * sizeof(float));
                off += chunk;
        }
}

void gpu_cpu_ref_transpose(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        const float *in = P(0);
        float *out = ptr[n->output];
        size_t xs[GPU_MAX_DIMS], s = 1;
        int rank = x->ndim;

        for (int d = rank - 1; d >= 0; d--) {
                xs[d] = s;
                s *= (size_t) x->dims[d];
        }
        for (size_t i = 0; i < o->count; i++) {
                size_t rem = i, src = 0;
                for (int d = rank - 1; d >= 0; d--) {
                        size_t idx = rem % (size_t) o->dims[d];
                        rem /= (size_t) o->dims[d];
                        src += idx * xs[n->perm[d]];
                }
                out[i] = in[src];
        }
}

void gpu_cpu_ref_pad(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        const struct gpu_pad_attrs *a = &n->pad;
        const float *in = P(0);
        float *out = ptr[n->output];
        size_t xs[GPU_MAX_DIMS], s = 1;
        int rank = x->ndim;

        for (int d = rank - 1; d >= 0; d--) {
                xs[d] = s;
                s *= (size_t) x->dims[d];
        }
        for (size_t i = 0; i < o->count; i++) {
                size_t rem = i, src = 0;
                bool outside = false;
                for (int d = rank - 1; d >= 0; d--) {
                        int64_t idx = (int64_t) (rem % (size_t) o->dims[d]) - a->pads[d], len = x->dims[d];
                        rem /= (size_t) o->dims[d];
                        if (idx < 0 || idx >= len) {
                                if (a->mode == GPU_PAD_CONSTANT)
                                        outside = true;
                                else if (a->mode == GPU_PAD_EDGE)
                                        idx = idx < 0 ? 0 : len - 1;
                                else    /* reflect, pads < len */
                                        idx = idx < 0 ? -idx : 2 * (len - 1) - idx;
                        }
                        src += (size_t) idx * xs[d];
                }
                out[i] = outside ? a->value : in[src];
        }
}

/* Input coordinate of output coordinate x along one axis (ONNX Resize). */
static double resize_coord(const struct gpu_resize_attrs *a, int64_t x, double scale, int64_t in_len,
                           int64_t out_len) {
        switch (a->coord) {
        case GPU_RESIZE_HALF_PIXEL:
                return (x + 0.5) / scale - 0.5;
        case GPU_RESIZE_PYTORCH_HALF_PIXEL:
                return out_len > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
        case GPU_RESIZE_ALIGN_CORNERS:
                return out_len > 1 ? (double) x * (double) (in_len - 1) / (double) (out_len - 1) : 0.0;
        case GPU_RESIZE_TF_HALF_PIXEL_FOR_NEAREST:
                return (x + 0.5) / scale;
        default:
                return x / scale;
        }
}

static int64_t nearest_index(const struct gpu_resize_attrs *a, double v, int64_t len) {
        int64_t i;

        switch (a->nearest) {
        case GPU_RESIZE_FLOOR:
                i = (int64_t) floor(v);
                break;
        case GPU_RESIZE_CEIL:
                i = (int64_t) ceil(v);
                break;
        case GPU_RESIZE_ROUND_PREFER_CEIL:
                i = v - floor(v) == 0.5 ? (int64_t) ceil(v) : (int64_t) llround(v);
                break;
        default:
                i = v - floor(v) == 0.5 ? (int64_t) floor(v) : (int64_t) llround(v);
                break;
        }
        return CLAMP(i, (int64_t) 0, len - 1);
}

void gpu_cpu_ref_resize(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        const struct gpu_resize_attrs *a = &n->resize;
        const float *in = P(0);
        float *out = ptr[n->output];
        int64_t H = x->dims[2], W = x->dims[3], OH = o->dims[2], OW = o->dims[3];

        for (int64_t p = 0; p < x->dims[0] * x->dims[1]; p++)
                for (int64_t oy = 0; oy < OH; oy++) {
                        double fy = resize_coord(a, oy, a->scale[2], H, OH);
                        for (int64_t ox = 0; ox < OW; ox++) {
                                double fx = resize_coord(a, ox, a->scale[3], W, OW);
                                const float *plane = in + p * H * W;
                                float v;
                                if (a->mode == GPU_RESIZE_NEAREST)
                                        v = plane[nearest_index(a, fy, H) * W + nearest_index(a, fx, W)];
                                else {
                                        double cy = CLAMP(fy, 0.0, (double) (H - 1)), cx = CLAMP(fx, 0.0, (double) (W - 1));
                                        int64_t y0 = (int64_t) floor(cy), x0 = (int64_t) floor(cx);
                                        int64_t y1 = MIN(y0 + 1, H - 1), x1 = MIN(x0 + 1, W - 1);
                                        double wy = cy - y0, wx = cx - x0;
                                        v = (float) ((1 - wy) * ((1 - wx) * plane[y0 * W + x0] + wx * plane[y0 * W + x1]) +
                                                     wy * ((1 - wx) * plane[y1 * W + x0] + wx * plane[y1 * W + x1]));
                                }
                                out[(p * OH + oy) * OW + ox] = v;
                        }
                }
}
