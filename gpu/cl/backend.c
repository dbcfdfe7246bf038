/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OpenCL backend behind gpu/backend.h. At model_new every node becomes
 * one or more kernel launches with all arguments bound (shapes, offsets,
 * attributes), the constants are uploaded into one pool and the arena is
 * allocated; a run only enqueues the recorded launches and waits.
 */
#include <math.h>
#include <stdarg.h>

#include "gpu/backend.h"
#include "gpu/cl/cl-internal.h"

#define LAUNCH_GROUP 64u

struct launch {
        cl_kernel kernel;
        size_t global;
        int node;
};

struct gpu_cl_model {
        struct gpu_cl_ctx *ctx;
        const struct gpu_graph *g;
        cl_mem arena, consts;
        size_t *const_off;      /* per tensor: offset in floats in the pool, for constants */
        size_t *extra_off;      /* per node: precomputed constants (BatchNorm), in floats */
        struct launch *launches;
        size_t n_launches;
        struct gpu_cl_pre *pre;         /* set_input_frame(): for the latest output description */
};

_printf_(3, 4) static int seterr(char *err, size_t errlen, const char *fmt, ...) {
        if (err && errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return 0;
}

/* Kernel arguments in order; remembers the first failure. */
struct args {
        cl_kernel k;
        cl_uint i;
        int r;
};

static void arg(struct args *a, size_t size, const void *v) {
        if (a->r < 0)
                return;
        cl_int st = clSetKernelArg(a->k, a->i, size, v);
        if (st != CL_SUCCESS)
                a->r = ls_debug_errno(gpu_cl_status_to_errno(st), "clSetKernelArg(%u): %s", a->i,
                                      strna(gpu_cl_status_to_string(st)));
        a->i++;
}
#define ARG(a, v) arg(a, sizeof(v), &(v))

/* Binds tensor t (index, or -1 for an absent optional input) as (buffer, offset) . */
static void arg_tensor(struct args *a, const struct gpu_cl_model *m, int t) {
        cl_mem mem = m->arena;
        cl_uint off = 0;
        if (t >= 0) {
                const struct gpu_tensor *ts = &m->g->tensors[t];
                if (ts->kind == GPU_TENSOR_CONSTANT) {
                        mem = m->consts;
                        off = (cl_uint) m->const_off[t];
                } else
                        off = (cl_uint) (ts->offset / sizeof(float));
        }
        ARG(a, mem);
        ARG(a, off);
}

static bool same_location(const struct gpu_cl_model *m, int a, int b) {
        const struct gpu_tensor *ta = &m->g->tensors[a], *tb = &m->g->tensors[b];
        if (ta->kind == GPU_TENSOR_CONSTANT || tb->kind == GPU_TENSOR_CONSTANT)
                return false;
        return ta->offset == tb->offset;
}

/* Row-major strides of t right-aligned to rank dims; 0 where t is broadcast. */
static void broadcast_strides(const struct gpu_tensor *t, int rank, const int64_t *out_dims, cl_int8 *ret) {
        int64_t s = 1;
        *ret = (cl_int8) {};
        for (int d = rank - 1; d >= 0; d--) {
                int td = d - (rank - t->ndim);
                if (td < 0)
                        continue;
                if (t->dims[td] != 1 && t->dims[td] == out_dims[d])
                        ret->s[d] = (cl_int) s;
                s *= t->dims[td];
        }
}

static void dims8(const int64_t *dims, int n, cl_int8 *ret) {
        *ret = (cl_int8) {};
        for (int d = 0; d < n; d++)
                ret->s[d] = (cl_int) dims[d];
}

/* Adds a launch of kernel `name` over `count` items; returns its args to fill. */
static int launch_new(struct gpu_cl_model *m, int node, const char *name, size_t count, struct args *ret) {
        struct launch *l = reallocarray(m->launches, m->n_launches + 1, sizeof *l);
        if (!l)
                return -ENOMEM;
        m->launches = l;
        l = &m->launches[m->n_launches];
        *l = (struct launch) { .node = node, .global = ALIGN_UP(count, LAUNCH_GROUP) };
        int r = gpu_cl_kernel_new(m->ctx, GPU_CL_SOURCE_OPS, name, &l->kernel);
        if (r < 0)
                return r;
        m->n_launches++;
        *ret = (struct args) { .k = l->kernel };
        return 0;
}

#define T(i) (&g->tensors[n->inputs[i]])
#define OUT (&g->tensors[n->output])

/* Pointwise convolutions get their own kernel (most of a MobileNet-style model's work). */
static bool conv_is_1x1(const struct gpu_conv_attrs *c) {
        return c->kernel[0] == 1 && c->kernel[1] == 1 && c->stride[0] == 1 && c->stride[1] == 1 && c->group == 1 &&
               c->pad[0] == 0 && c->pad[1] == 0 && c->pad[2] == 0 && c->pad[3] == 0;
}

static int prep_conv(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = T(GPU_CONV_IN_X), *o = OUT;
        const struct gpu_conv_attrs *c = &n->conv;
        if (x->ndim != 4 || o->ndim != 4 || c->group <= 0)
                return -EOPNOTSUPP;
        bool pointwise = conv_is_1x1(c);
        struct args a;
        int r = launch_new(m, ni, pointwise ? "conv2d_1x1" : "conv2d", o->count, &a);
        if (r < 0)
                return r;
        cl_int has_b = n->inputs[GPU_CONV_IN_B] >= 0, has_res = n->n_inputs > GPU_CONV_IN_RESIDUAL &&
                                                                n->inputs[GPU_CONV_IN_RESIDUAL] >= 0;
        int slope = n->n_inputs > GPU_CONV_IN_SLOPE ? n->inputs[GPU_CONV_IN_SLOPE] : -1;
        if (n->act.type == GPU_ACT_PRELU && slope < 0)
                return -EINVAL;
        cl_int4 shape = { .s = { (cl_int) x->dims[0], (cl_int) x->dims[1], (cl_int) x->dims[2], (cl_int) x->dims[3] } };
        cl_int4 oshape = { .s = { (cl_int) o->dims[0], (cl_int) o->dims[1], (cl_int) o->dims[2], (cl_int) o->dims[3] } };
        cl_int4 k = { .s = { c->kernel[0], c->kernel[1], c->stride[0], c->stride[1] } };
        cl_int4 dp = { .s = { c->dilation[0], c->dilation[1], c->pad[0], c->pad[1] } };
        cl_int group = c->group, act = n->act.type;
        cl_float alpha = n->act.alpha, beta = n->act.beta;

        arg_tensor(&a, m, n->inputs[GPU_CONV_IN_X]);
        arg_tensor(&a, m, n->inputs[GPU_CONV_IN_W]);
        arg_tensor(&a, m, n->inputs[GPU_CONV_IN_B]);
        ARG(&a, has_b);
        arg_tensor(&a, m, has_res ? n->inputs[GPU_CONV_IN_RESIDUAL] : -1);
        ARG(&a, has_res);
        arg_tensor(&a, m, slope);
        arg_tensor(&a, m, n->output);
        if (pointwise) {
                cl_int4 s1 = { .s = { shape.s[0], shape.s[1], shape.s[2] * shape.s[3], oshape.s[1] } };
                ARG(&a, s1);
        } else {
                ARG(&a, shape);
                ARG(&a, oshape);
                ARG(&a, k);
                ARG(&a, dp);
                ARG(&a, group);
        }
        ARG(&a, act);
        ARG(&a, alpha);
        ARG(&a, beta);
        return a.r;
}

static int prep_unary(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        struct args a;
        int r = launch_new(m, ni, "unary", OUT->count, &a);
        if (r < 0)
                return r;
        cl_uint count = (cl_uint) OUT->count;
        cl_int act = n->act.type;
        cl_float alpha = n->act.alpha, beta = n->act.beta;
        switch (n->op) {
        case GPU_OP_RELU:
                act = GPU_ACT_RELU;
                break;
        case GPU_OP_SIGMOID:
                act = GPU_ACT_SIGMOID;
                break;
        case GPU_OP_LEAKY_RELU:
                act = GPU_ACT_LEAKY_RELU;
                break;
        case GPU_OP_CLIP:
                act = GPU_ACT_CLIP;
                break;
        default:
                break;
        }
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, act);
        ARG(&a, alpha);
        ARG(&a, beta);
        return a.r;
}

static int prep_binary(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *o = OUT;
        struct args a;
        int r = launch_new(m, ni, "binary", o->count, &a);
        if (r < 0)
                return r;
        cl_int op = n->op == GPU_OP_ADD ? 0 : n->op == GPU_OP_SUB ? 1 : n->op == GPU_OP_MUL ? 2 : 3;
        cl_uint count = (cl_uint) o->count;
        cl_int rank = o->ndim;
        cl_int8 dims, sa, sb;
        dims8(o->dims, o->ndim, &dims);
        broadcast_strides(T(0), rank, o->dims, &sa);
        broadcast_strides(T(1), rank, o->dims, &sb);
        ARG(&a, op);
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->inputs[1]);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, rank);
        ARG(&a, dims);
        ARG(&a, sa);
        ARG(&a, sb);
        return a.r;
}

static int prep_pool(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = T(0), *o = OUT;
        const struct gpu_pool_attrs *p = &n->pool;
        if (x->ndim != 4)
                return -EOPNOTSUPP;
        struct args a;
        int r = launch_new(m, ni, "pool2d", o->count, &a);
        if (r < 0)
                return r;
        cl_uint count = (cl_uint) o->count;
        cl_int4 hw = { .s = { (cl_int) x->dims[2], (cl_int) x->dims[3], (cl_int) o->dims[2], (cl_int) o->dims[3] } };
        cl_int4 k = { .s = { p->kernel[0], p->kernel[1], p->stride[0], p->stride[1] } };
        cl_int4 dp = { .s = { MAX(p->dilation[0], 1), MAX(p->dilation[1], 1), p->pad[0], p->pad[1] } };
        cl_int2 br = { .s = { p->pad[2], p->pad[3] } };
        cl_int is_max = n->op == GPU_OP_MAX_POOL, cip = p->count_include_pad;
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, hw);
        ARG(&a, k);
        ARG(&a, dp);
        ARG(&a, br);
        ARG(&a, is_max);
        ARG(&a, cip);
        return a.r;
}

static int prep_global_avg_pool(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = T(0);
        if (x->ndim < 2)
                return -EOPNOTSUPP;
        cl_uint planes = (cl_uint) (x->dims[0] * x->dims[1]), hw = (cl_uint) (x->count / planes);
        struct args a;
        int r = launch_new(m, ni, "global_avg_pool", planes, &a);
        if (r < 0)
                return r;
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->output);
        ARG(&a, planes);
        ARG(&a, hw);
        return a.r;
}

/* x into y at out_start of blocks: the copy of Concat, Reshape and Identity. */
static int prep_copy_slice(struct gpu_cl_model *m, int ni, int in, int out, size_t count, size_t in_block,
                           size_t out_block, size_t out_start) {
        struct args a;
        int r = launch_new(m, ni, "copy_slice", count, &a);
        if (r < 0)
                return r;
        cl_uint c = (cl_uint) count, ib = (cl_uint) in_block, ob = (cl_uint) out_block, os = (cl_uint) out_start;
        arg_tensor(&a, m, in);
        arg_tensor(&a, m, out);
        ARG(&a, c);
        ARG(&a, ib);
        ARG(&a, ob);
        ARG(&a, os);
        return a.r;
}

static int prep_copy(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        /* An alias left as a node: the bytes are already where they belong. */
        if (same_location(m, n->inputs[0], n->output))
                return 0;
        size_t count = OUT->count;
        return prep_copy_slice(m, ni, n->inputs[0], n->output, count, count, count, 0);
}

static int prep_concat(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *o = OUT;
        int axis = n->axis;
        if (axis < 0 || axis >= o->ndim)
                return -EINVAL;
        size_t inner = 1, start = 0;
        for (int d = axis + 1; d < o->ndim; d++)
                inner *= (size_t) o->dims[d];
        for (int i = 0; i < n->n_inputs; i++) {
                if (n->inputs[i] < 0)
                        continue;
                const struct gpu_tensor *x = T(i);
                int r = prep_copy_slice(m, ni, n->inputs[i], n->output, x->count, (size_t) x->dims[axis] * inner,
                                        (size_t) o->dims[axis] * inner, start * inner);
                if (r < 0)
                        return r;
                start += (size_t) x->dims[axis];
        }
        return 0;
}

static int prep_transpose(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = T(0), *o = OUT;
        int64_t in_strides[GPU_MAX_DIMS], s = 1;
        for (int d = x->ndim - 1; d >= 0; d--) {
                in_strides[d] = s;
                s *= x->dims[d];
        }
        cl_int8 dims, st = {};
        dims8(o->dims, o->ndim, &dims);
        for (int d = 0; d < o->ndim; d++) {
                if (n->perm[d] < 0 || n->perm[d] >= x->ndim)
                        return -EINVAL;
                st.s[d] = (cl_int) in_strides[n->perm[d]];
        }
        struct args a;
        int r = launch_new(m, ni, "strided_copy", o->count, &a);
        if (r < 0)
                return r;
        cl_uint count = (cl_uint) o->count;
        cl_int rank = o->ndim;
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, rank);
        ARG(&a, dims);
        ARG(&a, st);
        return a.r;
}

static int prep_gemm(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *ta = T(0), *o = OUT;
        const struct gpu_gemm_attrs *ga = &n->gemm;
        if (ta->ndim != 2 || o->ndim != 2)
                return -EOPNOTSUPP;
        struct args a;
        int r = launch_new(m, ni, "gemm", o->count, &a);
        if (r < 0)
                return r;
        int c = n->n_inputs > 2 ? n->inputs[2] : -1;
        cl_int has_c = c >= 0, M = (cl_int) o->dims[0], N = (cl_int) o->dims[1],
               K = (cl_int) ta->dims[ga->trans_a ? 0 : 1], tra = ga->trans_a, trb = ga->trans_b;
        cl_float alpha = ga->alpha, beta = ga->beta;
        cl_int8 cs = {};
        if (has_c)
                broadcast_strides(&g->tensors[c], 2, o->dims, &cs);
        cl_int cs0 = cs.s[0], cs1 = cs.s[1];
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->inputs[1]);
        arg_tensor(&a, m, c);
        ARG(&a, has_c);
        arg_tensor(&a, m, n->output);
        ARG(&a, M);
        ARG(&a, N);
        ARG(&a, K);
        ARG(&a, tra);
        ARG(&a, trb);
        ARG(&a, alpha);
        ARG(&a, beta);
        ARG(&a, cs0);
        ARG(&a, cs1);
        return a.r;
}

static int prep_matmul(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *ta = T(0), *tb = T(1), *o = OUT;
        if (ta->ndim < 2 || tb->ndim < 2 || o->ndim < 2)
                return -EOPNOTSUPP;
        int br = o->ndim - 2;
        struct gpu_tensor ba = *ta, bb = *tb;
        ba.ndim -= 2;
        bb.ndim -= 2;
        cl_int8 bdims, sa, sb;
        dims8(o->dims, br, &bdims);
        broadcast_strides(&ba, br, o->dims, &sa);
        broadcast_strides(&bb, br, o->dims, &sb);
        struct args a;
        int r = launch_new(m, ni, "matmul", o->count, &a);
        if (r < 0)
                return r;
        cl_uint count = (cl_uint) o->count;
        cl_int M = (cl_int) o->dims[br], N = (cl_int) o->dims[br + 1], K = (cl_int) ta->dims[ta->ndim - 1],
               rank = br;
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->inputs[1]);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, M);
        ARG(&a, N);
        ARG(&a, K);
        ARG(&a, rank);
        ARG(&a, bdims);
        ARG(&a, sa);
        ARG(&a, sb);
        return a.r;
}

static int prep_batch_norm(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = T(0);
        if (x->ndim < 2)
                return -EOPNOTSUPP;
        struct args a;
        int r = launch_new(m, ni, "batch_norm", x->count, &a);
        if (r < 0)
                return r;
        cl_uint count = (cl_uint) x->count, C = (cl_uint) x->dims[1],
                inner = (cl_uint) (x->count / (size_t) x->dims[0] / C);
        /* extra_off holds s = scale / sqrt(var + eps) (C floats), filled by upload_constants(). */
        cl_uint s_off = (cl_uint) m->extra_off[ni], mean_off = (cl_uint) m->const_off[n->inputs[3]],
                bias_off = (cl_uint) m->const_off[n->inputs[2]];
        arg_tensor(&a, m, n->inputs[0]);
        ARG(&a, m->consts);
        ARG(&a, s_off);
        ARG(&a, mean_off);
        ARG(&a, bias_off);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, C);
        ARG(&a, inner);
        return a.r;
}

static int prep_softmax(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_softmax_attrs *s = &n->softmax;
        struct args a;
        int r = launch_new(m, ni, "softmax", s->outer * s->inner, &a);
        if (r < 0)
                return r;
        cl_uint outer = (cl_uint) s->outer, len = (cl_uint) s->n, inner = (cl_uint) s->inner;
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->output);
        ARG(&a, outer);
        ARG(&a, len);
        ARG(&a, inner);
        return a.r;
}

static int prep_pad(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = T(0), *o = OUT;
        if (x->ndim != o->ndim || n->pad.mode < 0 || n->pad.mode >= _GPU_PAD_MODE_MAX)
                return -EINVAL;
        cl_int8 in_dims, out_dims, begin = {};
        dims8(x->dims, x->ndim, &in_dims);
        dims8(o->dims, o->ndim, &out_dims);
        for (int d = 0; d < x->ndim; d++)
                begin.s[d] = (cl_int) n->pad.pads[d];
        struct args a;
        int r = launch_new(m, ni, "pad", o->count, &a);
        if (r < 0)
                return r;
        cl_uint count = (cl_uint) o->count;
        cl_int rank = o->ndim, mode = n->pad.mode;
        cl_float value = n->pad.value;
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, rank);
        ARG(&a, in_dims);
        ARG(&a, out_dims);
        ARG(&a, begin);
        ARG(&a, mode);
        ARG(&a, value);
        return a.r;
}

static int prep_resize(struct gpu_cl_model *m, int ni, const struct gpu_node *n) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = T(0), *o = OUT;
        const struct gpu_resize_attrs *rs = &n->resize;
        /* Only H and W are resized (N, C scales of 1), as the CPU reference. */
        if (x->ndim != 4 || o->dims[0] != x->dims[0] || o->dims[1] != x->dims[1])
                return -EOPNOTSUPP;
        struct args a;
        int r = launch_new(m, ni, "resize", o->count, &a);
        if (r < 0)
                return r;
        cl_uint count = (cl_uint) o->count;
        cl_int4 hw = { .s = { (cl_int) x->dims[2], (cl_int) x->dims[3], (cl_int) o->dims[2], (cl_int) o->dims[3] } };
        cl_float sh = rs->scale[2], sw = rs->scale[3];
        cl_int mode = rs->mode, coord = rs->coord, nearest = rs->nearest;
        arg_tensor(&a, m, n->inputs[0]);
        arg_tensor(&a, m, n->output);
        ARG(&a, count);
        ARG(&a, hw);
        ARG(&a, sh);
        ARG(&a, sw);
        ARG(&a, mode);
        ARG(&a, coord);
        ARG(&a, nearest);
        return a.r;
}

static int prep_node(struct gpu_cl_model *m, int ni) {
        const struct gpu_node *n = &m->g->nodes[ni];
        switch (n->op) {
        case GPU_OP_CONV:
                return prep_conv(m, ni, n);
        case GPU_OP_RELU:
        case GPU_OP_LEAKY_RELU:
        case GPU_OP_CLIP:
        case GPU_OP_SIGMOID:
                return prep_unary(m, ni, n);
        case GPU_OP_PRELU:
        case GPU_OP_ADD:
        case GPU_OP_MUL:
        case GPU_OP_SUB:
                return prep_binary(m, ni, n);
        case GPU_OP_MAX_POOL:
        case GPU_OP_AVERAGE_POOL:
                return prep_pool(m, ni, n);
        case GPU_OP_GLOBAL_AVERAGE_POOL:
                return prep_global_avg_pool(m, ni, n);
        case GPU_OP_CONCAT:
                return prep_concat(m, ni, n);
        case GPU_OP_RESHAPE:
        case GPU_OP_IDENTITY:
                return prep_copy(m, ni, n);
        case GPU_OP_TRANSPOSE:
                return prep_transpose(m, ni, n);
        case GPU_OP_GEMM:
                return prep_gemm(m, ni, n);
        case GPU_OP_MATMUL:
                return prep_matmul(m, ni, n);
        case GPU_OP_PAD:
                return prep_pad(m, ni, n);
        case GPU_OP_SOFTMAX:
                return prep_softmax(m, ni, n);
        case GPU_OP_RESIZE:
                return prep_resize(m, ni, n);
        case GPU_OP_BATCH_NORM:
                return prep_batch_norm(m, ni, n);
        default:
                return -EOPNOTSUPP;
        }
}

/* Packs every constant (and BatchNorm's precomputed factors) into one device buffer. */
static int upload_constants(struct gpu_cl_model *m) {
        const struct gpu_graph *g = m->g;
        size_t total = 0;

        m->const_off = calloc(MAX(g->n_tensors, 1u), sizeof *m->const_off);
        m->extra_off = calloc(MAX(g->n_nodes, 1u), sizeof *m->extra_off);
        if (!m->const_off || !m->extra_off)
                return -ENOMEM;
        for (size_t t = 0; t < g->n_tensors; t++)
                if (g->tensors[t].kind == GPU_TENSOR_CONSTANT && g->tensors[t].data) {
                        m->const_off[t] = total;
                        total += ALIGN_UP(g->tensors[t].count, 16u);
                }
        for (size_t i = 0; i < g->n_nodes; i++) {
                const struct gpu_node *n = &g->nodes[i];
                if (n->op != GPU_OP_BATCH_NORM)
                        continue;
                for (int k = 1; k <= 4; k++)
                        if (n->inputs[k] < 0 || g->tensors[n->inputs[k]].kind != GPU_TENSOR_CONSTANT)
                                return -EOPNOTSUPP;
                m->extra_off[i] = total;
                total += ALIGN_UP((size_t) g->tensors[n->inputs[0]].dims[1], 16u);
        }
        if (total > UINT32_MAX)
                return -E2BIG;

        _cleanup_free_ float *pool = calloc(MAX(total, 1u), sizeof(float));
        if (!pool)
                return -ENOMEM;
        for (size_t t = 0; t < g->n_tensors; t++)
                if (g->tensors[t].kind == GPU_TENSOR_CONSTANT && g->tensors[t].data)
                        memcpy(pool + m->const_off[t], g->tensors[t].data, g->tensors[t].count * sizeof(float));
        for (size_t i = 0; i < g->n_nodes; i++) {
                const struct gpu_node *n = &g->nodes[i];
                if (n->op != GPU_OP_BATCH_NORM)
                        continue;
                const float *scale = g->tensors[n->inputs[1]].data, *var = g->tensors[n->inputs[4]].data;
                for (int64_t c = 0; c < g->tensors[n->inputs[0]].dims[1]; c++)
                        pool[m->extra_off[i] + c] = (float) (scale[c] / sqrt((double) var[c] + n->bn.epsilon));
        }
        return gpu_cl_buffer_new(m->ctx, "model.constants", CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                 MAX(total, 1u) * sizeof(float), pool, &m->consts);
}

static void cl_model_free(void *p) {
        struct gpu_cl_model *m = p;
        if (!m)
                return;
        if (m->ctx->queue)
                (void) clFinish(m->ctx->queue);
        for (size_t i = 0; i < m->n_launches; i++)
                gpu_cl_kernel_releasep(&m->launches[i].kernel);
        free(m->launches);
        gpu_cl_pre_free(m->pre);
        gpu_cl_mem_releasep(&m->arena);
        gpu_cl_mem_releasep(&m->consts);
        free(m->const_off);
        free(m->extra_off);
        free(m);
}

static void cl_model_freep(struct gpu_cl_model **m) {
        cl_model_free(*m);
        *m = NULL;
}

static int cl_model_new(void *ctx, const struct gpu_graph *g, void **ret, char *err, size_t errlen) {
        _cleanup_(cl_model_freep) struct gpu_cl_model *m = calloc(1, sizeof *m);
        int r;

        if (!m)
                return -ENOMEM;
        m->ctx = ctx;
        m->g = g;
        if (!g->planned || g->arena_size / sizeof(float) > UINT32_MAX) {
                seterr(err, errlen, "OpenCL: graph not planned or arena too large");
                return -EINVAL;
        }
        /* Build first: a failing compiler is the most likely error and says most. */
        cl_program prog;
        r = gpu_cl_ctx_program(m->ctx, GPU_CL_SOURCE_OPS, &prog);
        if (r < 0) {
                seterr(err, errlen, "OpenCL: building the op kernels failed on '%s': %.200s", m->ctx->device_name,
                       gpu_cl_ctx_build_log(m->ctx));
                return r;
        }
        r = upload_constants(m);
        if (r < 0) {
                seterr(err, errlen, "OpenCL: cannot upload the model's constants: %s", strerror(-r));
                return r;
        }
        r = gpu_cl_buffer_new(m->ctx, "model.arena", CL_MEM_READ_WRITE, MAX(g->arena_size, sizeof(float)), NULL,
                              &m->arena);
        if (r < 0) {
                seterr(err, errlen, "OpenCL: cannot allocate the %zu byte arena: %s", g->arena_size, strerror(-r));
                return r;
        }
        for (size_t i = 0; i < g->n_nodes; i++) {
                r = prep_node(m, (int) i);
                if (r < 0) {
                        seterr(err, errlen, "OpenCL: node '%s' (%s): %s", g->nodes[i].name,
                               strna(gpu_op_to_string(g->nodes[i].op)),
                               r == -EOPNOTSUPP ? "unsupported shape or attributes" : strerror(-r));
                        return r;
                }
        }
        *ret = TAKE_PTR(m);
        return 0;
}

/* Where a graph input/output lives: (buffer, byte offset). */
static void io_location(const struct gpu_cl_model *m, int t, cl_mem *ret_mem, size_t *ret_off) {
        const struct gpu_tensor *ts = &m->g->tensors[t];
        if (ts->kind == GPU_TENSOR_CONSTANT) {
                *ret_mem = m->consts;
                *ret_off = m->const_off[t] * sizeof(float);
        } else {
                *ret_mem = m->arena;
                *ret_off = ts->offset;
        }
}

static int cl_set_input(void *p, size_t index, const float *data, size_t count) {
        struct gpu_cl_model *m = p;
        int t = m->g->inputs[index];
        cl_mem mem;
        size_t off;
        io_location(m, t, &mem, &off);
        if (mem != m->arena)
                return -EINVAL;
        cl_int st = clEnqueueWriteBuffer(m->ctx->queue, mem, CL_TRUE, off, count * sizeof(float), data, 0, NULL, NULL);
        return st == CL_SUCCESS ? 0 : gpu_cl_debug_status(st, "clEnqueueWriteBuffer(input)");
}

static int cl_run(void *p) {
        struct gpu_cl_model *m = p;
        /* A fixed work-group size: one JIT variant per kernel on PoCL, a sane default elsewhere. */
        const size_t local = LAUNCH_GROUP;
        for (size_t i = 0; i < m->n_launches; i++) {
                const struct launch *l = &m->launches[i];
                int r = gpu_cl_enqueue(m->ctx, l->kernel, m->g->nodes[l->node].name, 1, &l->global,
                                       m->ctx->max_work_group >= LAUNCH_GROUP ? &local : NULL);
                if (r < 0) {
                        /* Leave the queue idle so the caller may retry or free. */
                        (void) clFinish(m->ctx->queue);
                        return r;
                }
        }
        return gpu_cl_finish(m->ctx);
}

static int cl_get_output(void *p, size_t index, float *data, size_t count) {
        struct gpu_cl_model *m = p;
        cl_mem mem;
        size_t off;
        io_location(m, m->g->outputs[index], &mem, &off);
        cl_int st = clEnqueueReadBuffer(m->ctx->queue, mem, CL_TRUE, off, count * sizeof(float), data, 0, NULL, NULL);
        return st == CL_SUCCESS ? 0 : gpu_cl_debug_status(st, "clEnqueueReadBuffer(output)");
}

int gpu_cl_model_preprocess(void *model, size_t index, struct gpu_cl_pre *pre, struct gpu_cl_importer *im,
                            const struct cam_frame *f, const struct gpu_pre_xform *x) {
        struct gpu_cl_model *m = model;
        if (index >= m->g->n_inputs)
                return -ERANGE;
        if (gpu_cl_pre_ctx(pre) != m->ctx)
                return -EXDEV;
        const struct gpu_tensor *t = &m->g->tensors[m->g->inputs[index]];
        if (t->kind == GPU_TENSOR_CONSTANT || t->count != gpu_cl_pre_output_floats(pre))
                return -EINVAL;
        /* In-order queue: the kernels of a later run see the written input. */
        return gpu_cl_pre_run(pre, im, f, x, m->arena, t->offset / sizeof(float));
}

static enum gpu_import_path import_path(enum gpu_cl_import_path p) {
        switch (p) {
        case GPU_CL_IMPORT_DMABUF:
                return GPU_IMPORT_DMABUF;
        case GPU_CL_IMPORT_HOST:
                return GPU_IMPORT_HOSTPTR;
        default:
                return GPU_IMPORT_COPY;
        }
}

/*
 * Frames into the model: imported once per buffer by the context's importer
 * (dma-buf where cl_khr_external_memory_dma_buf is offered, the mapping with
 * CL_MEM_USE_HOST_PTR otherwise, a counted copy last), and preprocessed by
 * the kernel straight into the input's place in the arena.
 */
static int cl_set_input_frame(void *p, size_t index, const struct cam_frame *f, const struct gpu_pre_output *o,
                              const struct gpu_pre_xform *x, uint32_t n, struct gpu_frame_import *ret) {
        struct gpu_cl_model *m = p;
        const struct gpu_tensor *t = &m->g->tensors[m->g->inputs[index]];
        struct gpu_cl_import_stats before, after;
        uint64_t size = gpu_pre_output_size(o);
        bool still = f->flags & CAM_FRAME_STILL;
        int r = 0;

        if (t->kind == GPU_TENSOR_CONSTANT)
                return -EINVAL;
        if (!m->ctx->frames) {
                r = gpu_cl_importer_new(m->ctx, NULL, &m->ctx->frames);
                if (r < 0)
                        return r;
        }
        if (m->pre && memcmp(gpu_cl_pre_output(m->pre), o, sizeof(*o)) != 0)
                m->pre = gpu_cl_pre_free(m->pre);
        if (!m->pre) {
                r = gpu_cl_pre_new(m->ctx, o, &m->pre);
                if (r < 0)
                        return r;
        }
        /* A still's memory changes from call to call: never keep its import. */
        if (still)
                gpu_cl_importer_flush(m->ctx->frames);
        gpu_cl_importer_stats(m->ctx->frames, &before);
        /* In-order queue: the kernels of the next run see the written input. */
        for (uint32_t i = 0; i < n && r >= 0; i++)
                r = gpu_cl_pre_run(m->pre, m->ctx->frames, f, &x[i], m->arena, t->offset / sizeof(float) + i * size);
        /* The frame may be released on return: the kernels must have read it. */
        if (r >= 0)
                r = gpu_cl_finish(m->ctx);
        gpu_cl_importer_stats(m->ctx->frames, &after);
        if (still)
                gpu_cl_importer_flush(m->ctx->frames);
        if (r < 0)
                return r;
        *ret = (struct gpu_frame_import) { .path = import_path(after.path),
                                           .bytes_copied = after.bytes_copied - before.bytes_copied };
        return 0;
}

static void cl_reset_frames(void *ctx) {
        struct gpu_cl_ctx *c = ctx;

        if (c->frames)
                gpu_cl_importer_flush(c->frames);
}

/* The program cache lives in systemd's CacheDirectory= when the service has one. */
static char *cache_dir_from_env(void) {
        const char *env = secure_getenv("CACHE_DIRECTORY");
        if (!env || !*env)
                return NULL;
        char *dir = strndup(env, strcspn(env, ":"));
        if (!dir)
                return NULL;
        char *s = NULL;
        if (asprintf(&s, "%s/opencl", dir) < 0)
                s = NULL;
        free(dir);
        return s;
}

int gpu_cl_backend_ctx_new(const struct gpu_cl_ctx_params *params, void **ret, char *err, size_t errlen) {
        struct gpu_cl_ctx *ctx = NULL;
        int r = gpu_cl_ctx_new(params, &ctx);
        if (r < 0) {
                seterr(err, errlen, "OpenCL: %s", r == -ENODEV ? "no usable OpenCL platform or device" : strerror(-r));
                return r;
        }
        *ret = ctx;
        return 0;
}

static int cl_ctx_new(const struct gpu_backend_params *p, void **ret, char *err, size_t errlen) {
        _cleanup_free_ char *cache = cache_dir_from_env();
        /* "gpu": a real GPU or accelerator only (what automatic backend selection asks for). */
        bool gpu_only = p->device && strcmp(p->device, "gpu") == 0;
        const struct gpu_cl_ctx_params params = { .device = gpu_only ? NULL : p->device, .gpu_only = gpu_only,
                                                  .cache_dir = cache };
        return gpu_cl_backend_ctx_new(&params, ret, err, errlen);
}

static void cl_ctx_free(void *ctx) {
        gpu_cl_ctx_free(ctx);
}

static int cl_probe(char *err, size_t errlen) {
        cl_uint n = 0;
        cl_int st = clGetPlatformIDs(0, NULL, &n);
        if (st != CL_SUCCESS || n == 0) {
                seterr(err, errlen, "OpenCL: no platform (is an ICD installed?)");
                return -ENODEV;
        }
        return 0;
}

const struct gpu_backend_ops gpu_cl_backend_ops = {
        .name = "opencl",
        .probe = cl_probe,
        .ctx_new = cl_ctx_new,
        .ctx_free = cl_ctx_free,
        .model_new = cl_model_new,
        .model_free = cl_model_free,
        .set_input = cl_set_input,
        .run = cl_run,
        .get_output = cl_get_output,
        .set_input_frame = cl_set_input_frame,
        .reset_frames = cl_reset_frames,
};
