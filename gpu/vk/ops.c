/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Graph ops as compute shaders: each node becomes one pipeline specialized
 * on its shapes, offsets and attributes (gpu/shaders/<op>.comp), recorded
 * once into the model's command buffer. Data movement without arithmetic
 * (Reshape/Identity copies, Concat) is recorded as buffer copies.
 * Semantics are those of the CPU reference ops (gpu/cpu/ops-*.c).
 */
#include <math.h>

#include "gpu/graph.h"
#include "gpu/vk/vk-internal.h"

#define T(i) (&g->tensors[n->inputs[i]])
#define OUT (&g->tensors[n->output])
#define RANK_MAX 6

/* Keep in sync with OP_* in shaders/eltwise.comp. */
enum { ELT_ACT, ELT_ADD, ELT_SUB, ELT_MUL, ELT_PRELU };

static uint32_t fbits(float f) {
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        return u;
}

static uint32_t mask_bit(const struct gpu_vk_model *m, int t, unsigned bit) {
        return t >= 0 && gpu_vk_model_loc(m, t).is_const ? 1u << bit : 0;
}

static uint32_t off_of(const struct gpu_vk_model *m, int t) {
        return t >= 0 ? gpu_vk_model_loc(m, t).off : UINT32_MAX;
}

/* Row-major strides of t broadcast to the rank-`rank` shape out (0 on broadcast dims), right-aligned. */
static void bcast_strides(const struct gpu_tensor *t, int rank, const int64_t *out, uint32_t *ret) {
        uint64_t s = 1;

        for (int d = rank - 1; d >= 0; d--) {
                int td = d - (rank - t->ndim);
                if (td < 0) {
                        ret[d] = 0;
                        continue;
                }
                ret[d] = t->dims[td] == 1 || t->dims[td] != out[d] ? 0 : (uint32_t) s;
                s *= (uint64_t) t->dims[td];
        }
}

/* Right-aligns a rank-r list into RANK_MAX slots, padding in front with `fill`. */
static void align6(const uint32_t *v, int r, uint32_t fill, uint32_t *ret) {
        for (int d = 0; d < RANK_MAX; d++)
                ret[d] = d < RANK_MAX - r ? fill : v[d - (RANK_MAX - r)];
}

static int record_conv(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *x = T(GPU_CONV_IN_X), *o = OUT;
        const struct gpu_conv_attrs *a = &n->conv;
        int in_b = n->n_inputs > GPU_CONV_IN_B ? n->inputs[GPU_CONV_IN_B] : -1;
        int in_r = n->n_inputs > GPU_CONV_IN_RESIDUAL ? n->inputs[GPU_CONV_IN_RESIDUAL] : -1;
        int in_s = n->n_inputs > GPU_CONV_IN_SLOPE ? n->inputs[GPU_CONV_IN_SLOPE] : -1;

        if (x->ndim != 4 || o->ndim != 4 || a->group < 1)
                return -EOPNOTSUPP;
        const uint32_t spec[] = {
                (uint32_t) x->dims[0], (uint32_t) x->dims[1], (uint32_t) x->dims[2], (uint32_t) x->dims[3],
                (uint32_t) o->dims[1], (uint32_t) o->dims[2], (uint32_t) o->dims[3],
                (uint32_t) a->kernel[0], (uint32_t) a->kernel[1],
                (uint32_t) a->stride[0], (uint32_t) a->stride[1], (uint32_t) a->dilation[0], (uint32_t) a->dilation[1],
                (uint32_t) a->pad[0], (uint32_t) a->pad[1], (uint32_t) a->group,
                off_of(m, n->inputs[GPU_CONV_IN_X]), off_of(m, n->inputs[GPU_CONV_IN_W]), off_of(m, in_b),
                off_of(m, in_r), n->act.type == GPU_ACT_PRELU ? off_of(m, in_s) : UINT32_MAX, off_of(m, n->output),
                mask_bit(m, n->inputs[GPU_CONV_IN_X], 0) | mask_bit(m, n->inputs[GPU_CONV_IN_W], 1) |
                        mask_bit(m, in_b, 2) | mask_bit(m, in_r, 3) | mask_bit(m, in_s, 4),
                (uint32_t) n->act.type, fbits(n->act.alpha), fbits(n->act.beta),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_CONV2D, spec, ELEMENTSOF(spec), o->count);
}

static int record_eltwise(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *o = OUT;
        uint32_t op, d[RANK_MAX], sa[RANK_MAX], sb[RANK_MAX], dims[RANK_MAX] = {}, s[RANK_MAX];
        int in_b = n->n_inputs > 1 ? n->inputs[1] : -1;

        switch (n->op) {
        case GPU_OP_ADD: op = ELT_ADD; break;
        case GPU_OP_SUB: op = ELT_SUB; break;
        case GPU_OP_MUL: op = ELT_MUL; break;
        case GPU_OP_PRELU: op = ELT_PRELU; break;
        default: op = ELT_ACT; in_b = -1; break;
        }
        if (o->ndim > RANK_MAX || (op != ELT_ACT && in_b < 0))
                return -EOPNOTSUPP;
        for (int k = 0; k < o->ndim; k++)
                dims[k] = (uint32_t) o->dims[k];
        align6(dims, o->ndim, 1, d);
        bcast_strides(T(0), o->ndim, o->dims, s);
        align6(s, o->ndim, 0, sa);
        if (in_b >= 0)
                bcast_strides(T(1), o->ndim, o->dims, s);
        align6(s, o->ndim, 0, sb);

        const uint32_t spec[] = {
                op, (uint32_t) o->count, d[0], d[1], d[2], d[3], d[4], d[5],
                sa[0], sa[1], sa[2], sa[3], sa[4], sa[5], sb[0], sb[1], sb[2], sb[3], sb[4], sb[5],
                off_of(m, n->inputs[0]), in_b >= 0 ? off_of(m, in_b) : 0, off_of(m, n->output),
                mask_bit(m, n->inputs[0], 0) | mask_bit(m, in_b, 1),
                (uint32_t) n->act.type, fbits(n->act.alpha), fbits(n->act.beta),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_ELTWISE, spec, ELEMENTSOF(spec), o->count);
}

static int record_pool(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        struct gpu_pool_attrs a = n->pool;

        if (x->ndim != 4 || o->ndim != 4)
                return -EOPNOTSUPP;
        if (n->op == GPU_OP_GLOBAL_AVERAGE_POOL)
                a = (struct gpu_pool_attrs) {
                        .kernel = { (int) x->dims[2], (int) x->dims[3] },
                        .stride = { 1, 1 }, .dilation = { 1, 1 },
                };
        const uint32_t spec[] = {
                (uint32_t) (x->dims[0] * x->dims[1]), (uint32_t) x->dims[2], (uint32_t) x->dims[3],
                (uint32_t) o->dims[2], (uint32_t) o->dims[3], (uint32_t) a.kernel[0], (uint32_t) a.kernel[1],
                (uint32_t) a.stride[0], (uint32_t) a.stride[1], (uint32_t) MAX(a.dilation[0], 1),
                (uint32_t) MAX(a.dilation[1], 1), (uint32_t) a.pad[0], (uint32_t) a.pad[1], (uint32_t) a.pad[2],
                (uint32_t) a.pad[3], n->op == GPU_OP_MAX_POOL, a.count_include_pad,
                off_of(m, n->inputs[0]), off_of(m, n->output), mask_bit(m, n->inputs[0], 0),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_POOL, spec, ELEMENTSOF(spec), o->count);
}

static int record_gemm(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *ta = T(0), *o = OUT;
        const struct gpu_gemm_attrs *a = &n->gemm;
        int in_c = n->n_inputs > 2 ? n->inputs[2] : -1;
        uint32_t cs[2] = { 0, 0 };

        if (ta->ndim != 2 || o->ndim != 2)
                return -EOPNOTSUPP;
        if (in_c >= 0) {
                if (T(2)->ndim > 2)
                        return -EOPNOTSUPP;
                bcast_strides(T(2), 2, o->dims, cs);
        }
        const uint32_t spec[] = {
                (uint32_t) o->dims[0], (uint32_t) o->dims[1], (uint32_t) ta->dims[a->trans_a ? 0 : 1],
                a->trans_a, a->trans_b, fbits(a->alpha), fbits(a->beta),
                off_of(m, n->inputs[0]), off_of(m, n->inputs[1]), off_of(m, in_c), cs[0], cs[1],
                off_of(m, n->output),
                mask_bit(m, n->inputs[0], 0) | mask_bit(m, n->inputs[1], 1) | mask_bit(m, in_c, 2),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_GEMM, spec, ELEMENTSOF(spec), o->count);
}

static int record_matmul(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *ta = T(0), *tb = T(1), *o = OUT;
        int rank = o->ndim, br = rank - 2;
        uint32_t d[4] = { 1, 1, 1, 1 }, sa[4] = {}, sb[4] = {}, s[GPU_MAX_DIMS];
        uint64_t batch = 1;

        if (ta->ndim < 2 || tb->ndim < 2 || br < 0 || br > 4)
                return -EOPNOTSUPP;
        struct gpu_tensor ba = *ta, bb = *tb;
        ba.ndim -= 2;
        bb.ndim -= 2;
        bcast_strides(&ba, br, o->dims, s);
        for (int k = 0; k < br; k++)
                sa[4 - br + k] = s[k];
        bcast_strides(&bb, br, o->dims, s);
        for (int k = 0; k < br; k++) {
                sb[4 - br + k] = s[k];
                d[4 - br + k] = (uint32_t) o->dims[k];
                batch *= (uint64_t) o->dims[k];
        }
        const uint32_t spec[] = {
                (uint32_t) o->dims[rank - 2], (uint32_t) o->dims[rank - 1], (uint32_t) ta->dims[ta->ndim - 1],
                (uint32_t) batch, d[0], d[1], d[2], d[3], sa[0], sa[1], sa[2], sa[3], sb[0], sb[1], sb[2], sb[3],
                off_of(m, n->inputs[0]), off_of(m, n->inputs[1]), off_of(m, n->output),
                mask_bit(m, n->inputs[0], 0) | mask_bit(m, n->inputs[1], 1),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_MATMUL, spec, ELEMENTSOF(spec), o->count);
}

static int record_softmax(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_softmax_attrs *a = &n->softmax;
        const uint32_t spec[] = {
                (uint32_t) a->outer, (uint32_t) a->n, (uint32_t) a->inner,
                off_of(m, n->inputs[0]), off_of(m, n->output), mask_bit(m, n->inputs[0], 0),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_SOFTMAX, spec, ELEMENTSOF(spec), (uint64_t) a->outer * a->inner);
}

/* Row-major strides of t's own shape. */
static void own_strides(const struct gpu_tensor *t, uint32_t *ret) {
        uint64_t s = 1;
        for (int d = t->ndim - 1; d >= 0; d--) {
                ret[d] = (uint32_t) s;
                s *= (uint64_t) t->dims[d];
        }
}

static int record_transpose(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        uint32_t xs[RANK_MAX], ps[RANK_MAX], dims[RANK_MAX], d[RANK_MAX], s[RANK_MAX];

        if (x->ndim > RANK_MAX || o->ndim != x->ndim)
                return -EOPNOTSUPP;
        own_strides(x, xs);
        for (int k = 0; k < o->ndim; k++) {
                if (n->perm[k] < 0 || n->perm[k] >= x->ndim)
                        return -EINVAL;
                ps[k] = xs[n->perm[k]];
                dims[k] = (uint32_t) o->dims[k];
        }
        align6(dims, o->ndim, 1, d);
        align6(ps, o->ndim, 0, s);
        const uint32_t spec[] = {
                (uint32_t) o->count, d[0], d[1], d[2], d[3], d[4], d[5], s[0], s[1], s[2], s[3], s[4], s[5],
                off_of(m, n->inputs[0]), off_of(m, n->output), mask_bit(m, n->inputs[0], 0),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_TRANSPOSE, spec, ELEMENTSOF(spec), o->count);
}

static int record_pad(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        uint32_t xs[RANK_MAX], od[RANK_MAX], xd[RANK_MAX], pb[RANK_MAX];
        uint32_t D[RANK_MAX], XD[RANK_MAX], XS[RANK_MAX], PB[RANK_MAX];

        if (x->ndim > RANK_MAX || o->ndim != x->ndim)
                return -EOPNOTSUPP;
        own_strides(x, xs);
        for (int k = 0; k < x->ndim; k++) {
                od[k] = (uint32_t) o->dims[k];
                xd[k] = (uint32_t) x->dims[k];
                pb[k] = (uint32_t) (int32_t) n->pad.pads[k];
        }
        align6(od, x->ndim, 1, D);
        align6(xd, x->ndim, 1, XD);
        align6(xs, x->ndim, 0, XS);
        align6(pb, x->ndim, 0, PB);
        const uint32_t spec[] = {
                (uint32_t) o->count, D[0], D[1], D[2], D[3], D[4], D[5], XD[0], XD[1], XD[2], XD[3], XD[4], XD[5],
                XS[0], XS[1], XS[2], XS[3], XS[4], XS[5], PB[0], PB[1], PB[2], PB[3], PB[4], PB[5],
                (uint32_t) n->pad.mode, fbits(n->pad.value),
                off_of(m, n->inputs[0]), off_of(m, n->output), mask_bit(m, n->inputs[0], 0),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_PAD, spec, ELEMENTSOF(spec), o->count);
}

static int record_resize(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        const struct gpu_resize_attrs *a = &n->resize;

        if (x->ndim != 4 || o->ndim != 4)
                return -EOPNOTSUPP;
        const uint32_t spec[] = {
                (uint32_t) (x->dims[0] * x->dims[1]), (uint32_t) x->dims[2], (uint32_t) x->dims[3],
                (uint32_t) o->dims[2], (uint32_t) o->dims[3], a->mode == GPU_RESIZE_LINEAR, (uint32_t) a->coord,
                (uint32_t) a->nearest, fbits(a->scale[2]), fbits(a->scale[3]),
                off_of(m, n->inputs[0]), off_of(m, n->output), mask_bit(m, n->inputs[0], 0),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_RESIZE, spec, ELEMENTSOF(spec), o->count);
}

size_t gpu_vk_op_extra_consts(const struct gpu_graph *g, const struct gpu_node *n) {
        if (n->op != GPU_OP_BATCH_NORM || T(0)->ndim < 2)
                return 0;
        return 2 * (size_t) T(0)->dims[1];
}

void gpu_vk_op_fill_extra(const struct gpu_graph *g, const struct gpu_node *n, float *dst) {
        size_t C = gpu_vk_op_extra_consts(g, n) / 2;
        const float *scale = T(1)->data, *bias = T(2)->data, *mean = T(3)->data, *var = T(4)->data;

        for (size_t c = 0; c < C; c++) {
                double a = scale[c] / sqrt((double) var[c] + n->bn.epsilon);
                dst[c] = (float) a;
                dst[C + c] = (float) (bias[c] - mean[c] * a);
        }
}

static int record_batch_norm(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *x = T(0);

        if (x->ndim < 2)
                return -EOPNOTSUPP;
        for (int i = 1; i <= 4; i++)
                if (n->inputs[i] < 0 || T(i)->kind != GPU_TENSOR_CONSTANT || !T(i)->data)
                        return -EOPNOTSUPP;     /* folded on the host: parameters must be constants */
        const uint32_t spec[] = {
                (uint32_t) x->count, (uint32_t) x->dims[1], (uint32_t) (x->count / (size_t) x->dims[0] / (size_t) x->dims[1]),
                off_of(m, n->inputs[0]), gpu_vk_model_extra_off(m, n), off_of(m, n->output),
                mask_bit(m, n->inputs[0], 0),
        };
        return gpu_vk_model_dispatch(m, n, GPU_SHADER_BATCH_NORM, spec, ELEMENTSOF(spec), x->count);
}

static int record_concat(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *o = OUT;
        uint64_t outer = 1, inner = 1, off = 0;
        uint32_t out = off_of(m, n->output);

        if (n->axis < 0 || n->axis >= o->ndim)
                return -EINVAL;
        for (int d = 0; d < n->axis; d++)
                outer *= (uint64_t) o->dims[d];
        for (int d = n->axis + 1; d < o->ndim; d++)
                inner *= (uint64_t) o->dims[d];
        for (int i = 0; i < n->n_inputs; i++) {
                struct gpu_vk_tensor_loc src = gpu_vk_model_loc(m, n->inputs[i]);
                uint64_t chunk = (uint64_t) T(i)->dims[n->axis] * inner, row = (uint64_t) o->dims[n->axis] * inner;
                for (uint64_t k = 0; k < outer; k++) {
                        struct gpu_vk_tensor_loc s = { src.is_const, (uint32_t) (src.off + k * chunk) };
                        gpu_vk_model_copy(m, s, (uint32_t) (out + k * row + off), chunk);
                }
                off += chunk;
        }
        return 0;
}

int gpu_vk_op_record(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n) {
        switch (n->op) {
        case GPU_OP_CONV:
                return record_conv(m, g, n);
        case GPU_OP_RELU:
        case GPU_OP_LEAKY_RELU:
        case GPU_OP_CLIP:
        case GPU_OP_SIGMOID:
        case GPU_OP_PRELU:
        case GPU_OP_ADD:
        case GPU_OP_MUL:
        case GPU_OP_SUB:
                return record_eltwise(m, g, n);
        case GPU_OP_MAX_POOL:
        case GPU_OP_AVERAGE_POOL:
        case GPU_OP_GLOBAL_AVERAGE_POOL:
                return record_pool(m, g, n);
        case GPU_OP_CONCAT:
                return record_concat(m, g, n);
        case GPU_OP_RESHAPE:
        case GPU_OP_IDENTITY: {
                struct gpu_vk_tensor_loc src = gpu_vk_model_loc(m, n->inputs[0]), dst = gpu_vk_model_loc(m, n->output);
                if (!src.is_const && src.off == dst.off)
                        return 0;       /* an alias: same bytes already */
                gpu_vk_model_copy(m, src, dst.off, OUT->count);
                return 0;
        }
        case GPU_OP_TRANSPOSE:
                return record_transpose(m, g, n);
        case GPU_OP_GEMM:
                return record_gemm(m, g, n);
        case GPU_OP_MATMUL:
                return record_matmul(m, g, n);
        case GPU_OP_PAD:
                return record_pad(m, g, n);
        case GPU_OP_SOFTMAX:
                return record_softmax(m, g, n);
        case GPU_OP_RESIZE:
                return record_resize(m, g, n);
        case GPU_OP_BATCH_NORM:
                return record_batch_norm(m, g, n);
        default:
                return -EOPNOTSUPP;
        }
}
