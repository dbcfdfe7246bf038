/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Broadcasting binary ops and standalone activations. The shape is walked
 * with an odometer over all but the innermost dimension; the innermost runs
 * as a tight loop specialised for the stride patterns that vectorise
 * (both 1, one of them 0).
 */

#include "gpu/cpu/kernels-internal.h"

#define OP_LOOP(OPEXPR)                                                                 \
        do {                                                                            \
                if (sa == 1 && sb == 1)                                                 \
                        for (size_t i = 0; i < n; i++) {                                \
                                float x = a[i], y = b[i];                               \
                                out[i] = (OPEXPR);                                      \
                        }                                                               \
                else if (sa == 1 && sb == 0) {                                          \
                        float y = b[0];                                                 \
                        for (size_t i = 0; i < n; i++) {                                \
                                float x = a[i];                                         \
                                out[i] = (OPEXPR);                                      \
                        }                                                               \
                } else if (sa == 0 && sb == 1) {                                        \
                        float x = a[0];                                                 \
                        for (size_t i = 0; i < n; i++) {                                \
                                float y = b[i];                                         \
                                out[i] = (OPEXPR);                                      \
                        }                                                               \
                } else                                                                  \
                        for (size_t i = 0; i < n; i++) {                                \
                                float x = a[i * sa], y = b[i * sb];                     \
                                out[i] = (OPEXPR);                                      \
                        }                                                               \
        } while (0)

static void binary_row(enum gpu_cpu_binary op, size_t n, const float *a, ptrdiff_t sa, const float *b,
                       ptrdiff_t sb, float *out) {
        switch (op) {
        case GPU_CPU_BINARY_ADD:
                OP_LOOP(x + y);
                break;
        case GPU_CPU_BINARY_SUB:
                OP_LOOP(x - y);
                break;
        case GPU_CPU_BINARY_MUL:
                OP_LOOP(x * y);
                break;
        case GPU_CPU_BINARY_DIV:
                OP_LOOP(x / y);
                break;
        case GPU_CPU_BINARY_MAX:
                OP_LOOP(x > y ? x : y);
                break;
        case GPU_CPU_BINARY_MIN:
                OP_LOOP(x < y ? x : y);
                break;
        default:
                break;
        }
}

struct binary_job {
        enum gpu_cpu_binary op;
        size_t ndim;
        size_t shape[GPU_CPU_MAX_DIMS];
        ptrdiff_t sa[GPU_CPU_MAX_DIMS], sb[GPU_CPU_MAX_DIMS];
        const float *a, *b;
        float *out;
};

static void task_binary(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct binary_job *j = userdata;
        size_t d = j->ndim, inner = j->shape[d - 1];

        for (size_t row = begin; row < end; row++) {
                /* decompose the row index over the outer dims */
                size_t rem = row;
                ptrdiff_t oa = 0, ob = 0;
                for (size_t i = d - 1; i-- > 0;) {
                        size_t idx = rem % j->shape[i];
                        rem /= j->shape[i];
                        oa += (ptrdiff_t) idx * j->sa[i];
                        ob += (ptrdiff_t) idx * j->sb[i];
                }
                binary_row(j->op, inner, j->a + oa, j->sa[d - 1], j->b + ob, j->sb[d - 1],
                           j->out + row * inner);
        }
}

int gpu_cpu_binary_run(enum gpu_cpu_binary op, size_t ndim, const size_t *shape,
                       const float *a, const ptrdiff_t *a_strides,
                       const float *b, const ptrdiff_t *b_strides,
                       float *out, struct gpu_cpu_threadpool *tp) {
        struct binary_job j = { .op = op, .a = a, .b = b, .out = out };
        size_t rows = 1;

        if (op < 0 || op >= _GPU_CPU_BINARY_MAX || ndim > GPU_CPU_MAX_DIMS)
                return -EINVAL;
        /* merge everything into at least one dim; a 0-d op is one element */
        j.ndim = MAX(ndim, (size_t) 1);
        for (size_t i = 0; i < j.ndim; i++) {
                j.shape[i] = ndim ? shape[i] : 1;
                j.sa[i] = ndim ? a_strides[i] : 0;
                j.sb[i] = ndim ? b_strides[i] : 0;
                if (i + 1 < j.ndim)
                        rows *= j.shape[i];
        }
        size_t inner = j.shape[j.ndim - 1];
        if (!rows || !inner)
                return 0;
        gpu_cpu_threadpool_run(tp, rows, MAX((size_t) 1, 16384 / inner), task_binary, &j);
        return 0;
}

struct act_job {
        struct kern_epilogue e;
        const struct kern_ops *ops;
        size_t hw, n_slopes;
        const float *in;
        float *out;
};

static void task_act(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct act_job *j = userdata;

        for (size_t plane = begin; plane < end; plane++) {
                float *y = j->out + plane * j->hw;
                if (y != j->in + plane * j->hw)
                        memcpy(y, j->in + plane * j->hw, j->hw * sizeof(float));
                j->ops->act(&j->e, j->n_slopes > 1 ? plane % j->n_slopes : 0, y, j->hw, NULL);
        }
}

int gpu_cpu_activation_run(const struct gpu_cpu_activation *act, size_t planes, size_t hw,
                           const float *in, float *out, struct gpu_cpu_threadpool *tp) {
        struct act_job j = { .hw = hw, .in = in, .out = out };
        _cleanup_free_ float *slopes = NULL;

        if (!act)
                return -EINVAL;
        /* slopes are indexed per plane; a shared slope is expanded to one */
        j.n_slopes = act->type == GPU_CPU_ACT_PRELU ? act->n_slopes : 0;
        int r = kern_epilogue_init(act, MAX(j.n_slopes, (size_t) 1), &j.e, &slopes);
        if (r < 0)
                return r;
        j.ops = kern_ops_for(gpu_cpu_isa_resolve(GPU_CPU_ISA_AUTO));
        if (!planes || !hw)
                return 0;
        gpu_cpu_threadpool_run(tp, planes, MAX((size_t) 1, 16384 / hw), task_act, &j);
        return 0;
}
