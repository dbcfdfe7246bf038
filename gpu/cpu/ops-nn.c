/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reference ops: convolution, pooling, Gemm/MatMul, BatchNorm, Softmax, activations, binary ops. */

#include <math.h>

#include "gpu/cpu/ops.h"

#define T(i) (&g->tensors[n->inputs[i]])
#define OUT (&g->tensors[n->output])
#define P(i) (n->inputs[i] >= 0 ? ptr[n->inputs[i]] : NULL)

void gpu_cpu_ref_conv(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(GPU_CONV_IN_X), *o = OUT;
        const struct gpu_conv_attrs *a = &n->conv;
        const float *in = P(GPU_CONV_IN_X), *w = P(GPU_CONV_IN_W), *b = P(GPU_CONV_IN_B);
        const float *res = P(GPU_CONV_IN_RESIDUAL), *slope = P(GPU_CONV_IN_SLOPE);
        float *out = ptr[n->output];
        int64_t N = x->dims[0], C = x->dims[1], H = x->dims[2], W = x->dims[3];
        int64_t M = o->dims[1], OH = o->dims[2], OW = o->dims[3];
        int64_t cg = C / a->group, mg = M / a->group, KH = a->kernel[0], KW = a->kernel[1];

        for (int64_t nn = 0; nn < N; nn++)
                for (int64_t m = 0; m < M; m++) {
                        int64_t grp = m / mg;
                        for (int64_t oy = 0; oy < OH; oy++)
                                for (int64_t ox = 0; ox < OW; ox++) {
                                        double acc = b ? b[m] : 0.0;
                                        for (int64_t c = 0; c < cg; c++)
                                                for (int64_t ky = 0; ky < KH; ky++) {
                                                        int64_t iy = oy * a->stride[0] - a->pad[0] + ky * a->dilation[0];
                                                        if (iy < 0 || iy >= H)
                                                                continue;
                                                        for (int64_t kx = 0; kx < KW; kx++) {
                                                                int64_t ix = ox * a->stride[1] - a->pad[1] +
                                                                             kx * a->dilation[1];
                                                                if (ix < 0 || ix >= W)
                                                                        continue;
                                                                acc += (double) in[((nn * C + grp * cg + c) * H + iy) * W + ix] *
                                                                       w[((m * cg + c) * KH + ky) * KW + kx];
                                                        }
                                                }
                                        size_t oi = (size_t) (((nn * M + m) * OH + oy) * OW + ox);
                                        if (res)
                                                acc += res[oi];
                                        out[oi] = gpu_act_apply(&n->act, (float) acc, slope ? slope[m] : 0.0f);
                                }
                }
}

void gpu_cpu_ref_pool(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(0), *o = OUT;
        const struct gpu_pool_attrs *a = &n->pool;
        const float *in = P(0);
        float *out = ptr[n->output];
        int64_t H = x->dims[2], W = x->dims[3], OH = o->dims[2], OW = o->dims[3];
        bool is_max = n->op == GPU_OP_MAX_POOL;

        for (int64_t p = 0; p < x->dims[0] * x->dims[1]; p++)
                for (int64_t oy = 0; oy < OH; oy++)
                        for (int64_t ox = 0; ox < OW; ox++) {
                                double acc = is_max ? -INFINITY : 0.0;
                                int64_t n_in = 0, n_pad = 0;
                                for (int64_t ky = 0; ky < a->kernel[0]; ky++) {
                                        int64_t iy = oy * a->stride[0] - a->pad[0] + ky * a->dilation[0];
                                        for (int64_t kx = 0; kx < a->kernel[1]; kx++) {
                                                int64_t ix = ox * a->stride[1] - a->pad[1] + kx * a->dilation[1];
                                                /* Positions in the padded extent count for count_include_pad. */
                                                if (iy < H + a->pad[2] && ix < W + a->pad[3])
                                                        n_pad++;
                                                if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                                        continue;
                                                float v = in[(p * H + iy) * W + ix];
                                                n_in++;
                                                if (is_max)
                                                        acc = v > acc ? v : acc;
                                                else
                                                        acc += v;
                                        }
                                }
                                if (!is_max)
                                        acc = acc / (double) MAX(a->count_include_pad ? n_pad : n_in, (int64_t) 1);
                                out[(p * OH + oy) * OW + ox] = (float) acc;
                        }
}

void gpu_cpu_ref_global_avg_pool(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(0);
        const float *in = P(0);
        float *out = ptr[n->output];
        size_t planes = (size_t) (x->dims[0] * x->dims[1]), hw = x->count / planes;

        for (size_t p = 0; p < planes; p++) {
                double s = 0;
                for (size_t i = 0; i < hw; i++)
                        s += in[p * hw + i];
                out[p] = (float) (s / (double) hw);
        }
}

void gpu_cpu_ref_gemm(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *ta = T(0), *o = OUT;
        const struct gpu_gemm_attrs *a = &n->gemm;
        const float *A = P(0), *B = P(1), *C = P(2);
        float *Y = ptr[n->output];
        int64_t M = o->dims[0], N = o->dims[1], K = ta->dims[a->trans_a ? 0 : 1];
        size_t cs[2] = { 0, 0 };

        if (C)
                gpu_broadcast_strides(T(2), 2, o->dims, cs);
        for (int64_t i = 0; i < M; i++)
                for (int64_t j = 0; j < N; j++) {
                        double acc = 0;
                        for (int64_t k = 0; k < K; k++) {
                                double av = a->trans_a ? A[k * M + i] : A[i * K + k];
                                double bv = a->trans_b ? B[j * K + k] : B[k * N + j];
                                acc += av * bv;
                        }
                        acc *= a->alpha;
                        if (C)
                                acc += (double) a->beta * C[i * cs[0] + j * cs[1]];
                        Y[i * N + j] = (float) acc;
                }
}

void gpu_cpu_ref_matmul(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *ta = T(0), *tb = T(1), *o = OUT;
        const float *A = P(0), *B = P(1);
        float *Y = ptr[n->output];
        int rank = o->ndim, br = rank - 2;
        int64_t M = o->dims[rank - 2], N = o->dims[rank - 1], K = ta->dims[ta->ndim - 1];
        size_t sa[GPU_MAX_DIMS] = {}, sb[GPU_MAX_DIMS] = {}, batch = 1;
        struct gpu_tensor ba = *ta, bb = *tb;

        /* Batch strides in units of whole matrices. */
        ba.ndim -= 2;
        bb.ndim -= 2;
        gpu_broadcast_strides(&ba, br, o->dims, sa);
        gpu_broadcast_strides(&bb, br, o->dims, sb);
        for (int d = 0; d < br; d++)
                batch *= (size_t) o->dims[d];
        for (size_t bi = 0; bi < batch; bi++) {
                size_t rem = bi, oa = 0, ob = 0;
                for (int d = br - 1; d >= 0; d--) {
                        size_t idx = rem % (size_t) o->dims[d];
                        rem /= (size_t) o->dims[d];
                        oa += idx * sa[d];
                        ob += idx * sb[d];
                }
                const float *a = A + oa * (size_t) (M * K), *b = B + ob * (size_t) (K * N);
                float *y = Y + bi * (size_t) (M * N);
                for (int64_t i = 0; i < M; i++)
                        for (int64_t j = 0; j < N; j++) {
                                double acc = 0;
                                for (int64_t k = 0; k < K; k++)
                                        acc += (double) a[i * K + k] * b[k * N + j];
                                y[i * N + j] = (float) acc;
                        }
        }
}

void gpu_cpu_ref_batch_norm(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(0);
        const float *in = P(0), *scale = P(1), *bias = P(2), *mean = P(3), *var = P(4);
        float *out = ptr[n->output];
        size_t C = (size_t) x->dims[1], inner = x->count / (size_t) x->dims[0] / C;

        for (size_t i = 0; i < x->count; i++) {
                size_t c = (i / inner) % C;
                double s = scale[c] / sqrt((double) var[c] + n->bn.epsilon);
                out[i] = (float) ((in[i] - mean[c]) * s + bias[c]);
        }
}

void gpu_cpu_ref_softmax(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_softmax_attrs *a = &n->softmax;
        const float *in = P(0);
        float *out = ptr[n->output];

        for (size_t o = 0; o < a->outer; o++)
                for (size_t i = 0; i < a->inner; i++) {
                        const float *x = in + o * a->n * a->inner + i;
                        float *y = out + o * a->n * a->inner + i;
                        double mx = -INFINITY, sum = 0;
                        for (size_t k = 0; k < a->n; k++)
                                mx = MAX(mx, (double) x[k * a->inner]);
                        for (size_t k = 0; k < a->n; k++)
                                sum += exp(x[k * a->inner] - mx);
                        for (size_t k = 0; k < a->n; k++)
                                y[k * a->inner] = (float) (exp(x[k * a->inner] - mx) / sum);
                }
}

void gpu_cpu_ref_unary(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *x = T(0);
        const float *in = P(0);
        float *out = ptr[n->output];

        for (size_t i = 0; i < x->count; i++)
                out[i] = gpu_act_apply(&n->act, in[i], 0.0f);
}

void gpu_broadcast_strides(const struct gpu_tensor *t, int rank, const int64_t *out_dims, size_t *strides) {
        size_t s = 1;

        for (int d = rank - 1; d >= 0; d--) {
                int td = d - (rank - t->ndim);
                if (td < 0 || t->dims[td] == 1 || t->dims[td] != out_dims[d]) {
                        strides[d] = 0;
                        if (td >= 0)
                                s *= (size_t) t->dims[td];
                        continue;
                }
                strides[d] = s;
                s *= (size_t) t->dims[td];
        }
}

/* Add, Sub, Mul, PRelu with numpy broadcasting. */
void gpu_cpu_ref_binary(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        const struct gpu_tensor *o = OUT;
        const float *A = P(0), *B = P(1);
        float *Y = ptr[n->output];
        size_t sa[GPU_MAX_DIMS] = {}, sb[GPU_MAX_DIMS] = {};
        int rank = o->ndim;

        gpu_broadcast_strides(T(0), rank, o->dims, sa);
        gpu_broadcast_strides(T(1), rank, o->dims, sb);
        for (size_t i = 0; i < o->count; i++) {
                size_t rem = i, ia = 0, ib = 0;
                for (int d = rank - 1; d >= 0; d--) {
                        size_t idx = rem % (size_t) o->dims[d];
                        rem /= (size_t) o->dims[d];
                        ia += idx * sa[d];
                        ib += idx * sb[d];
                }
                float a = A[ia], b = B[ib];
                switch (n->op) {
                case GPU_OP_ADD:
                        Y[i] = a + b;
                        break;
                case GPU_OP_SUB:
                        Y[i] = a - b;
                        break;
                case GPU_OP_MUL:
                        Y[i] = a * b;
                        break;
                default: /* PRELU */
                        Y[i] = a >= 0.0f ? a : a * b;
                        break;
                }
        }
}

int gpu_cpu_ref_run_node(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr) {
        switch (n->op) {
        case GPU_OP_CONV:
                gpu_cpu_ref_conv(g, n, ptr);
                return 0;
        case GPU_OP_RELU:
        case GPU_OP_LEAKY_RELU:
        case GPU_OP_CLIP:
        case GPU_OP_SIGMOID:
                gpu_cpu_ref_unary(g, n, ptr);
                return 0;
        case GPU_OP_PRELU:
        case GPU_OP_ADD:
        case GPU_OP_MUL:
        case GPU_OP_SUB:
                gpu_cpu_ref_binary(g, n, ptr);
                return 0;
        case GPU_OP_MAX_POOL:
        case GPU_OP_AVERAGE_POOL:
                gpu_cpu_ref_pool(g, n, ptr);
                return 0;
        case GPU_OP_GLOBAL_AVERAGE_POOL:
                gpu_cpu_ref_global_avg_pool(g, n, ptr);
                return 0;
        case GPU_OP_CONCAT:
                gpu_cpu_ref_concat(g, n, ptr);
                return 0;
        case GPU_OP_RESHAPE:
        case GPU_OP_IDENTITY:
                gpu_cpu_ref_copy(g, n, ptr);
                return 0;
        case GPU_OP_TRANSPOSE:
                gpu_cpu_ref_transpose(g, n, ptr);
                return 0;
        case GPU_OP_GEMM:
                gpu_cpu_ref_gemm(g, n, ptr);
                return 0;
        case GPU_OP_MATMUL:
                gpu_cpu_ref_matmul(g, n, ptr);
                return 0;
        case GPU_OP_PAD:
                gpu_cpu_ref_pad(g, n, ptr);
                return 0;
        case GPU_OP_SOFTMAX:
                gpu_cpu_ref_softmax(g, n, ptr);
                return 0;
        case GPU_OP_RESIZE:
                gpu_cpu_ref_resize(g, n, ptr);
                return 0;
        case GPU_OP_BATCH_NORM:
                gpu_cpu_ref_batch_norm(g, n, ptr);
                return 0;
        default:
                return -EOPNOTSUPP;
        }
}
