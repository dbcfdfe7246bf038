/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shape inference. Walks the nodes in order, checks that the input shapes
 * fit the op, computes the output shape, and folds constant operand inputs
 * (Reshape's shape, Pad's pads, Clip's bounds, Resize's scales or sizes)
 * into attributes so backends see only data inputs.
 */

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>

#include "common/debug.h"
#include "gpu/graph.h"

struct ctx {
        struct gpu_graph *g;
        const struct gpu_node *n;
        char *err;
        size_t errlen;
};

_printf_(3, 4) static int fail(struct ctx *c, int r, const char *fmt, ...) {
        char msg[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (c->err && c->errlen)
                snprintf(c->err, c->errlen, "node '%s' (%s): %s", c->n->name, gpu_op_to_string(c->n->op), msg);
        return ls_debug_errno(r, "shape: node '%s': %s", c->n->name, msg);
}

static struct gpu_tensor *in(struct ctx *c, int slot) {
        int i = c->n->inputs[slot];
        return i >= 0 ? &c->g->tensors[i] : NULL;
}

static int need_rank(struct ctx *c, const struct gpu_tensor *t, int rank, const char *what) {
        char s[96];

        if (!t)
                return fail(c, -EINVAL, "input %s is missing", what);
        if (t->ndim != rank)
                return fail(c, -EINVAL, "input %s has shape %s, expected %d dimensions", what,
                            gpu_tensor_shape_str(t, s, sizeof(s)), rank);
        return 0;
}

static int need_const(struct ctx *c, const struct gpu_tensor *t, const char *what) {
        if (!t)
                return fail(c, -EINVAL, "input %s is missing", what);
        if (t->kind != GPU_TENSOR_CONSTANT)
                return fail(c, -EOPNOTSUPP, "input %s ('%s') must be a constant", what, t->name);
        return 0;
}

static int set_out(struct ctx *c, int ndim, const int64_t *dims) {
        struct gpu_tensor *o = &c->g->tensors[c->n->output];
        int r = gpu_tensor_set_shape(o, ndim, dims);

        if (r < 0)
                return fail(c, r == -EOVERFLOW ? -EFBIG : -EINVAL, "output shape is empty or too large");
        return 0;
}

/* numpy broadcasting of a and b into out; returns rank or -EINVAL. */
static int broadcast(const struct gpu_tensor *a, const struct gpu_tensor *b, int64_t out[GPU_MAX_DIMS]) {
        int rank = MAX(a->ndim, b->ndim);

        for (int i = 0; i < rank; i++) {
                int ia = i - (rank - a->ndim), ib = i - (rank - b->ndim);
                int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
                if (da != db && da != 1 && db != 1)
                        return -EINVAL;
                out[i] = da == 1 ? db : da;
        }
        return rank;
}

static int64_t window_out(int64_t in, int k, int stride, int dilation, int pad_sum, bool ceil_mode, int pad_begin) {
        int64_t dk = (int64_t) (k - 1) * dilation + 1, span = in + pad_sum - dk, o;

        if (span < 0)
                return -1;
        if (!ceil_mode)
                return span / stride + 1;
        o = (span + stride - 1) / stride + 1;
        /* The last window must start inside the input or its begin padding. */
        if ((o - 1) * stride >= in + pad_begin)
                o--;
        return o;
}

static int resolve_window(struct ctx *c, const struct gpu_tensor *x, const int kernel[2], const int stride[2],
                          const int dilation[2], int pad[4], enum gpu_auto_pad ap, bool ceil_mode, bool pool,
                          int64_t out[2]) {
        for (int i = 0; i < 2; i++) {
                int64_t in_len = x->dims[2 + i];
                int dk = (kernel[i] - 1) * dilation[i] + 1;

                if (ap == GPU_AUTO_PAD_VALID) {
                        pad[i] = pad[i + 2] = 0;
                } else if (ap == GPU_AUTO_PAD_SAME_UPPER || ap == GPU_AUTO_PAD_SAME_LOWER) {
                        int64_t o = (in_len + stride[i] - 1) / stride[i];
                        int64_t total = MAX((int64_t) 0, (o - 1) * stride[i] + dk - in_len);
                        int small = (int) (total / 2), big = (int) (total - total / 2);
                        pad[i] = ap == GPU_AUTO_PAD_SAME_UPPER ? small : big;
                        pad[i + 2] = ap == GPU_AUTO_PAD_SAME_UPPER ? big : small;
                }
                /* A pooling window must always overlap the input. */
                if (pool && (pad[i] >= dk || pad[i + 2] >= dk))
                        return fail(c, -EINVAL, "padding %d/%d not smaller than the kernel extent %d", pad[i],
                                    pad[i + 2], dk);
                out[i] = window_out(in_len, kernel[i], stride[i], dilation[i], pad[i] + pad[i + 2], ceil_mode, pad[i]);
                if (out[i] <= 0)
                        return fail(c, -EINVAL, "window %d larger than the padded input %" PRId64, dk, in_len);
        }
        return 0;
}

static int infer_conv(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0), *w = in(c, 1), *b = in(c, 2);
        int64_t out[4], o2[2];
        int r;

        if ((r = need_rank(c, x, 4, "X")) < 0 || (r = need_rank(c, w, 4, "W")) < 0 || (r = need_const(c, w, "W")) < 0)
                return r;
        int64_t cin = x->dims[1], m = w->dims[0];
        int g = n->conv.group;
        if (g <= 0 || cin % g != 0 || m % g != 0 || w->dims[1] * g != cin)
                return fail(c, -EINVAL, "weights [%" PRId64 ",%" PRId64 ",..] do not fit %" PRId64
                            " input channels in %d groups", m, w->dims[1], cin, g);
        if (w->dims[2] > 1 << 16 || w->dims[3] > 1 << 16)
                return fail(c, -EINVAL, "kernel too large");
        if (n->conv.kernel[0] == 0) {
                n->conv.kernel[0] = (int) w->dims[2];
                n->conv.kernel[1] = (int) w->dims[3];
        } else if (n->conv.kernel[0] != w->dims[2] || n->conv.kernel[1] != w->dims[3])
                return fail(c, -EINVAL, "kernel_shape %dx%d differs from the weights' %" PRId64 "x%" PRId64,
                            n->conv.kernel[0], n->conv.kernel[1], w->dims[2], w->dims[3]);
        if (b) {
                if ((r = need_const(c, b, "B")) < 0)
                        return r;
                if (b->count != (size_t) m)
                        return fail(c, -EINVAL, "bias has %zu elements, expected %" PRId64, b->count, m);
        }
        r = resolve_window(c, x, n->conv.kernel, n->conv.stride, n->conv.dilation, n->conv.pad, n->conv.auto_pad,
                           false, false, o2);
        if (r < 0)
                return r;
        n->conv.auto_pad = GPU_AUTO_PAD_NOTSET;
        n->n_inputs = GPU_CONV_N_INPUTS;
        out[0] = x->dims[0];
        out[1] = m;
        out[2] = o2[0];
        out[3] = o2[1];
        return set_out(c, 4, out);
}

static int infer_pool(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0);
        int64_t out[4], o2[2];
        int r;

        if ((r = need_rank(c, x, 4, "X")) < 0)
                return r;
        r = resolve_window(c, x, n->pool.kernel, n->pool.stride, n->pool.dilation, n->pool.pad, n->pool.auto_pad,
                           n->pool.ceil_mode, true, o2);
        if (r < 0)
                return r;
        n->pool.auto_pad = GPU_AUTO_PAD_NOTSET;
        out[0] = x->dims[0];
        out[1] = x->dims[1];
        out[2] = o2[0];
        out[3] = o2[1];
        return set_out(c, 4, out);
}

static int scalar_const(struct ctx *c, int slot, const char *what, float *ret) {
        struct gpu_tensor *t = in(c, slot);
        int r;

        if (!t)
                return 0;
        if ((r = need_const(c, t, what)) < 0)
                return r;
        if (t->count != 1)
                return fail(c, -EINVAL, "input %s must be a scalar", what);
        *ret = t->data[0];
        return 1;
}

static int infer_clip(struct ctx *c, struct gpu_node *n) {
        int r;

        if (n->n_inputs > 1) {
                if ((r = scalar_const(c, 1, "min", &n->act.alpha)) < 0)
                        return r;
                if (n->n_inputs > 2 && (r = scalar_const(c, 2, "max", &n->act.beta)) < 0)
                        return r;
                n->inputs[1] = n->inputs[2] = -1;
                n->n_inputs = 1;
        }
        return set_out(c, in(c, 0)->ndim, in(c, 0)->dims);
}

static int infer_binary(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *a = in(c, 0), *b = in(c, 1);
        int64_t out[GPU_MAX_DIMS];
        char s1[96], s2[96];
        int rank;

        if (!a || !b)
                return fail(c, -EINVAL, "an input is missing");
        rank = broadcast(a, b, out);
        if (rank < 0)
                return fail(c, -EINVAL, "shapes %s and %s do not broadcast", gpu_tensor_shape_str(a, s1, sizeof(s1)),
                            gpu_tensor_shape_str(b, s2, sizeof(s2)));
        if (n->op == GPU_OP_PRELU) {
                /* The slope broadcasts to X, never the other way. */
                if (rank != a->ndim || memcmp(out, a->dims, sizeof(int64_t) * rank) != 0)
                        return fail(c, -EINVAL, "slope %s does not broadcast to %s",
                                    gpu_tensor_shape_str(b, s2, sizeof(s2)), gpu_tensor_shape_str(a, s1, sizeof(s1)));
        }
        return set_out(c, rank, out);
}

static int infer_concat(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x0 = in(c, 0);
        int64_t out[GPU_MAX_DIMS];
        int axis = n->axis;

        if (!x0)
                return fail(c, -EINVAL, "input 0 is missing");
        if (axis < 0)
                axis += x0->ndim;
        if (axis < 0 || axis >= x0->ndim)
                return fail(c, -EINVAL, "axis %d out of range for rank %d", n->axis, x0->ndim);
        n->axis = axis;
        memcpy(out, x0->dims, sizeof(out));
        out[axis] = 0;
        for (int i = 0; i < n->n_inputs; i++) {
                struct gpu_tensor *t = in(c, i);
                if (!t || t->ndim != x0->ndim)
                        return fail(c, -EINVAL, "input %d is missing or has a different rank", i);
                for (int d = 0; d < t->ndim; d++)
                        if (d != axis && t->dims[d] != x0->dims[d])
                                return fail(c, -EINVAL, "input %d differs in dimension %d (%" PRId64 " vs %" PRId64 ")",
                                            i, d, t->dims[d], x0->dims[d]);
                out[axis] += t->dims[axis];
        }
        return set_out(c, x0->ndim, out);
}

static int infer_reshape(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0), *s = in(c, 1);
        int64_t out[GPU_MAX_DIMS];
        size_t known = 1;
        int rank, neg = -1, r;

        if (!x)
                return fail(c, -EINVAL, "input is missing");
        if (!s && n->n_inputs == 1) {
                /* Flatten */
                int axis = n->axis < 0 ? n->axis + x->ndim : n->axis;
                if (axis < 0 || axis > x->ndim)
                        return fail(c, -EINVAL, "axis %d out of range for rank %d", n->axis, x->ndim);
                out[0] = out[1] = 1;
                for (int d = 0; d < x->ndim; d++)
                        out[d < axis ? 0 : 1] *= x->dims[d];
                return set_out(c, 2, out);
        }
        if ((r = need_const(c, s, "shape")) < 0)
                return r;
        if (!s->ints || s->ndim != 1)
                return fail(c, -EINVAL, "shape must be an int64 vector");
        if (s->count > GPU_MAX_DIMS)
                return fail(c, -EOPNOTSUPP, "%zu dimensions, at most %d supported", s->count, GPU_MAX_DIMS);
        rank = (int) s->count;
        for (int d = 0; d < rank; d++) {
                int64_t v = s->ints[d];
                if (v == 0) {
                        if (d >= x->ndim)
                                return fail(c, -EINVAL, "shape[%d] = 0 but the input has rank %d", d, x->ndim);
                        v = x->dims[d];
                } else if (v == -1) {
                        if (neg >= 0)
                                return fail(c, -EINVAL, "more than one -1 in the shape");
                        neg = d;
                        out[d] = 1;
                        continue;
                } else if (v < 0 || (uint64_t) v > GPU_TENSOR_MAX_ELEMS)
                        return fail(c, -EINVAL, "bad shape value %" PRId64, v);
                out[d] = v;
                if (!size_mul_ok(known, (size_t) v, &known) || known > GPU_TENSOR_MAX_ELEMS)
                        return fail(c, -EINVAL, "shape too large");
        }
        if (neg >= 0) {
                if (x->count % known != 0)
                        return fail(c, -EINVAL, "cannot infer -1: %zu elements not divisible by %zu", x->count, known);
                out[neg] = (int64_t) (x->count / known);
        } else if (known != x->count)
                return fail(c, -EINVAL, "shape has %zu elements, input has %zu", known, x->count);
        n->inputs[1] = -1;
        n->n_inputs = 1;
        return set_out(c, rank, out);
}

static int infer_transpose(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0);
        int64_t out[GPU_MAX_DIMS];
        bool seen[GPU_MAX_DIMS] = {};

        if (!x)
                return fail(c, -EINVAL, "input is missing");
        if (n->perm[0] < 0)
                for (int d = 0; d < x->ndim; d++)
                        n->perm[d] = x->ndim - 1 - d;
        for (int d = 0; d < GPU_MAX_DIMS; d++) {
                if (d >= x->ndim) {
                        if (n->perm[d] >= 0)
                                return fail(c, -EINVAL, "perm longer than the rank %d", x->ndim);
                        continue;
                }
                int p = n->perm[d];
                if (p < 0 || p >= x->ndim || seen[p])
                        return fail(c, -EINVAL, "perm is not a permutation of %d axes", x->ndim);
                seen[p] = true;
                out[d] = x->dims[p];
        }
        return set_out(c, x->ndim, out);
}

static int infer_gemm(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *a = in(c, 0), *b = in(c, 1), *cc = in(c, 2);
        int64_t out[2], bc[GPU_MAX_DIMS];
        int r;

        if ((r = need_rank(c, a, 2, "A")) < 0 || (r = need_rank(c, b, 2, "B")) < 0)
                return r;
        int64_t m = a->dims[n->gemm.trans_a ? 1 : 0], k = a->dims[n->gemm.trans_a ? 0 : 1];
        int64_t kb = b->dims[n->gemm.trans_b ? 1 : 0], nn = b->dims[n->gemm.trans_b ? 0 : 1];
        if (k != kb)
                return fail(c, -EINVAL, "inner dimensions differ (%" PRId64 " vs %" PRId64 ")", k, kb);
        out[0] = m;
        out[1] = nn;
        if (cc) {
                struct gpu_tensor o = { .ndim = 2, .dims = { m, nn } };
                if (broadcast(cc, &o, bc) != 2 || bc[0] != m || bc[1] != nn)
                        return fail(c, -EINVAL, "C does not broadcast to [%" PRId64 ",%" PRId64 "]", m, nn);
        }
        return set_out(c, 2, out);
}

static int infer_matmul(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *a = in(c, 0), *b = in(c, 1);
        int64_t out[GPU_MAX_DIMS];

        if (!a || !b || a->ndim < 2 || b->ndim < 2)
                return fail(c, -EOPNOTSUPP, "only inputs of rank 2 or more are supported");
        if (a->dims[a->ndim - 1] != b->dims[b->ndim - 2])
                return fail(c, -EINVAL, "inner dimensions differ (%" PRId64 " vs %" PRId64 ")", a->dims[a->ndim - 1],
                            b->dims[b->ndim - 2]);
        /* Batch dimensions broadcast. */
        struct gpu_tensor ba = *a, bb = *b;
        ba.ndim -= 2;
        bb.ndim -= 2;
        int rank = broadcast(&ba, &bb, out);
        if (rank < 0)
                return fail(c, -EINVAL, "batch dimensions do not broadcast");
        out[rank] = a->dims[a->ndim - 2];
        out[rank + 1] = b->dims[b->ndim - 1];
        return set_out(c, rank + 2, out);
}

static int infer_pad(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0), *p = in(c, 1);
        int64_t out[GPU_MAX_DIMS];
        int rank, r;

        if (!x)
                return fail(c, -EINVAL, "input is missing");
        rank = x->ndim;
        if (p) {
                if ((r = need_const(c, p, "pads")) < 0)
                        return r;
                if (!p->ints || p->count != (size_t) 2 * rank)
                        return fail(c, -EINVAL, "pads must be %d int64 values", 2 * rank);
                for (int i = 0; i < 2 * rank; i++)
                        n->pad.pads[i] = p->ints[i];
                if ((r = scalar_const(c, 2, "constant_value", &n->pad.value)) < 0)
                        return r;
        } else if (n->pad.n_pads != 2 * rank)
                return fail(c, -EINVAL, "pads must have %d values, has %d", 2 * rank, n->pad.n_pads);
        for (int d = 0; d < rank; d++) {
                int64_t b = n->pad.pads[d], e = n->pad.pads[rank + d];
                if (b < -x->dims[d] || e < -x->dims[d] || b > (1 << 20) || e > (1 << 20))
                        return fail(c, -EINVAL, "pads out of range");
                out[d] = x->dims[d] + b + e;
                if (out[d] <= 0)
                        return fail(c, -EINVAL, "padding leaves dimension %d empty", d);
                if (n->pad.mode == GPU_PAD_REFLECT && (b >= x->dims[d] || e >= x->dims[d]))
                        return fail(c, -EINVAL, "reflect padding must be smaller than dimension %d", d);
                if (n->pad.mode != GPU_PAD_CONSTANT && (b < 0 || e < 0))
                        return fail(c, -EOPNOTSUPP, "negative pads need mode 'constant'");
        }
        n->inputs[1] = n->inputs[2] = -1;
        n->n_inputs = 1;
        return set_out(c, rank, out);
}

static int infer_softmax(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0);
        int axis;

        if (!x || x->ndim < 1)
                return fail(c, -EINVAL, "input must have rank 1 or more");
        axis = n->softmax.axis < 0 ? n->softmax.axis + x->ndim : n->softmax.axis;
        if (axis < 0 || axis >= x->ndim)
                return fail(c, -EINVAL, "axis %d out of range for rank %d", n->softmax.axis, x->ndim);
        n->softmax.axis = axis;
        n->softmax.outer = n->softmax.n = n->softmax.inner = 1;
        for (int d = 0; d < x->ndim; d++) {
                if (d < axis)
                        n->softmax.outer *= (size_t) x->dims[d];
                else if (d == axis || c->g->opset < 13)
                        n->softmax.n *= (size_t) x->dims[d];    /* opset < 13: coerced to 2-D at axis */
                else
                        n->softmax.inner *= (size_t) x->dims[d];
        }
        return set_out(c, x->ndim, x->dims);
}

static int infer_resize(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0), *scales = in(c, 2), *sizes = in(c, 3);
        int64_t out[GPU_MAX_DIMS];
        int r;

        if ((r = need_rank(c, x, 4, "X")) < 0)
                return r;
        if (scales && scales->count == 0)
                scales = NULL;  /* Resize-11+ passes an empty scales with sizes */
        if (sizes && sizes->count == 0)
                sizes = NULL;
        if (sizes) {
                if ((r = need_const(c, sizes, "sizes")) < 0)
                        return r;
                if (!sizes->ints || sizes->count != 4)
                        return fail(c, -EINVAL, "sizes must be 4 int64 values");
                for (int d = 0; d < 4; d++) {
                        if (sizes->ints[d] <= 0 || sizes->ints[d] > (1 << 20))
                                return fail(c, -EINVAL, "bad size %" PRId64, sizes->ints[d]);
                        out[d] = sizes->ints[d];
                        n->resize.scale[d] = (float) out[d] / (float) x->dims[d];
                }
        } else {
                if (scales) {
                        if ((r = need_const(c, scales, "scales")) < 0)
                                return r;
                        if (scales->count != 4)
                                return fail(c, -EINVAL, "scales must be 4 values");
                        for (int d = 0; d < 4; d++)
                                n->resize.scale[d] = scales->data[d];
                } else if (!n->resize.scale_given)
                        return fail(c, -EINVAL, "neither scales nor sizes given");
                for (int d = 0; d < 4; d++) {
                        float s = n->resize.scale[d];
                        if (!(s > 0.0f) || s > 1024.0f)
                                return fail(c, -EINVAL, "bad scale %g", (double) s);
                        out[d] = (int64_t) floor((double) x->dims[d] * s);
                        if (out[d] <= 0)
                                return fail(c, -EINVAL, "scale %g leaves dimension %d empty", (double) s, d);
                }
        }
        if (out[0] != x->dims[0] || out[1] != x->dims[1])
                return fail(c, -EOPNOTSUPP, "only resizing H and W is supported");
        n->inputs[1] = n->inputs[2] = n->inputs[3] = -1;
        n->n_inputs = 1;
        return set_out(c, 4, out);
}

static int infer_bn(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0);
        static const char *const what[] = { "", "scale", "B", "mean", "var" };
        int r;

        if (!x || x->ndim < 2)
                return fail(c, -EINVAL, "input must have rank 2 or more");
        for (int i = 1; i < 5; i++) {
                struct gpu_tensor *t = in(c, i);
                if ((r = need_const(c, t, what[i])) < 0)
                        return r;
                if (t->count != (size_t) x->dims[1])
                        return fail(c, -EINVAL, "%s has %zu elements, expected %" PRId64, what[i], t->count, x->dims[1]);
        }
        return set_out(c, x->ndim, x->dims);
}

static int infer_node(struct ctx *c, struct gpu_node *n) {
        struct gpu_tensor *x = in(c, 0);
        int64_t out[GPU_MAX_DIMS];

        if (!x)
                return fail(c, -EINVAL, "input 0 is missing");
        for (int i = 0; i < n->n_inputs; i++) {
                struct gpu_tensor *t = in(c, i);
                if (t && t->kind == GPU_TENSOR_CONSTANT && t->count == 0 && !(n->op == GPU_OP_RESIZE && i > 0))
                        return fail(c, -EINVAL, "input %d ('%s') is empty", i, t->name);
        }

        switch (n->op) {
        case GPU_OP_CONV:
                return infer_conv(c, n);
        case GPU_OP_MAX_POOL:
        case GPU_OP_AVERAGE_POOL:
                return infer_pool(c, n);
        case GPU_OP_GLOBAL_AVERAGE_POOL:
                if (x->ndim < 3)
                        return fail(c, -EINVAL, "input must have rank 3 or more");
                for (int d = 0; d < x->ndim; d++)
                        out[d] = d < 2 ? x->dims[d] : 1;
                return set_out(c, x->ndim, out);
        case GPU_OP_RELU:
        case GPU_OP_SIGMOID:
        case GPU_OP_LEAKY_RELU:
        case GPU_OP_IDENTITY:
                return set_out(c, x->ndim, x->dims);
        case GPU_OP_CLIP:
                return infer_clip(c, n);
        case GPU_OP_PRELU:
        case GPU_OP_ADD:
        case GPU_OP_MUL:
        case GPU_OP_SUB:
                return infer_binary(c, n);
        case GPU_OP_CONCAT:
                return infer_concat(c, n);
        case GPU_OP_RESHAPE:
                return infer_reshape(c, n);
        case GPU_OP_TRANSPOSE:
                return infer_transpose(c, n);
        case GPU_OP_GEMM:
                return infer_gemm(c, n);
        case GPU_OP_MATMUL:
                return infer_matmul(c, n);
        case GPU_OP_PAD:
                return infer_pad(c, n);
        case GPU_OP_SOFTMAX:
                return infer_softmax(c, n);
        case GPU_OP_RESIZE:
                return infer_resize(c, n);
        case GPU_OP_BATCH_NORM:
                return infer_bn(c, n);
        default:
                return fail(c, -EOPNOTSUPP, "unknown op %d", (int) n->op);
        }
}

int gpu_graph_infer_shapes(struct gpu_graph *g, char *err, size_t errlen) {
        for (size_t i = 0; i < g->n_nodes; i++) {
                struct ctx c = { .g = g, .n = &g->nodes[i], .err = err, .errlen = errlen };
                struct gpu_node *n = &g->nodes[i];
                int r;

                if (n->output < 0 || (size_t) n->output >= g->n_tensors)
                        return fail(&c, -EINVAL, "no output");
                for (int k = 0; k < GPU_NODE_MAX_INPUTS; k++) {
                        int t = n->inputs[k];
                        if (t < -1 || t >= (int) g->n_tensors || (k >= n->n_inputs && t >= 0))
                                return fail(&c, -EINVAL, "bad input index");
                        /* Inputs must be computed before this node (the graph is in topological order). */
                        if (t >= 0 && g->tensors[t].kind == GPU_TENSOR_ACTIVATION &&
                            (g->tensors[t].producer < 0 || (size_t) g->tensors[t].producer >= i))
                                return fail(&c, -EINVAL, "input '%s' is used before it is computed",
                                            g->tensors[t].name);
                }
                r = infer_node(&c, n);
                if (r < 0)
                        return r;
        }
        return 0;
}
