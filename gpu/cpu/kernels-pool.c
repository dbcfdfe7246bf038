/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * MaxPool / AveragePool (any window, stride, dilation, pads) and
 * GlobalAveragePool. Each output row splits into a border part (window
 * clipped, checked per tap) and an interior part (no checks), so the common
 * 2x2 stride-2 case runs branch-free.
 */

#include <float.h>

#include "gpu/cpu/kernels-internal.h"

struct pool_job {
        struct gpu_cpu_pool2d_params p;
        const float *in;
        float *out;
};

static float pool_one(const struct gpu_cpu_pool2d_params *p, const float *plane, long y0, long x0) {
        bool max = p->type == GPU_CPU_POOL_MAX;
        float acc = max ? -FLT_MAX : 0.f;
        unsigned count = 0;
        bool any = false;

        for (unsigned ky = 0; ky < p->k_h; ky++) {
                long iy = y0 + (long) ky * p->dil_h;
                if (iy < 0 || iy >= (long) p->h_in)
                        continue;
                for (unsigned kx = 0; kx < p->k_w; kx++) {
                        long ix = x0 + (long) kx * p->dil_w;
                        if (ix < 0 || ix >= (long) p->w_in)
                                continue;
                        float v = plane[iy * p->w_in + ix];
                        if (max)
                                acc = !any || v > acc ? v : acc;
                        else
                                acc += v;
                        any = true;
                        count++;
                }
        }
        if (max)
                return any ? acc : 0.f;
        if (p->count_include_pad)
                /* windows lie inside the padded input (pads on the far side
                 * are implied by the output size), so every tap counts */
                return acc / (float) (p->k_h * p->k_w);
        return count ? acc / (float) count : 0.f;
}

static void task_pool(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct pool_job *j = userdata;
        const struct gpu_cpu_pool2d_params *p = &j->p;
        size_t plane_in = (size_t) p->h_in * p->w_in, plane_out = (size_t) p->h_out * p->w_out;
        bool fast22 = p->type == GPU_CPU_POOL_MAX && p->k_h == 2 && p->k_w == 2 && p->stride_h == 2 &&
                      p->stride_w == 2 && p->dil_h == 1 && p->dil_w == 1;

        for (size_t item = begin; item < end; item++) {
                const float *plane = j->in + item * plane_in;
                float *out = j->out + item * plane_out;
                for (size_t oy = 0; oy < p->h_out; oy++) {
                        long y0 = (long) (oy * p->stride_h) - p->pad_top;
                        bool row_inside = y0 >= 0 && y0 + (long) (p->k_h - 1) * p->dil_h < (long) p->h_in;
                        for (size_t ox = 0; ox < p->w_out; ox++) {
                                long x0 = (long) (ox * p->stride_w) - p->pad_left;
                                bool inside = row_inside && x0 >= 0 &&
                                              x0 + (long) (p->k_w - 1) * p->dil_w < (long) p->w_in;
                                if (inside && fast22) {
                                        const float *s = plane + y0 * p->w_in + x0;
                                        float a = MAX(s[0], s[1]), b = MAX(s[p->w_in], s[p->w_in + 1]);
                                        out[oy * p->w_out + ox] = MAX(a, b);
                                } else
                                        out[oy * p->w_out + ox] = pool_one(p, plane, y0, x0);
                        }
                }
        }
}

int gpu_cpu_pool2d_run(const struct gpu_cpu_pool2d_params *params, const float *in, float *out,
                       struct gpu_cpu_threadpool *tp) {
        struct pool_job j = { .p = *params, .in = in, .out = out };
        struct gpu_cpu_pool2d_params *p = &j.p;

        p->batch = p->batch ? p->batch : 1;
        p->stride_h = p->stride_h ? p->stride_h : 1;
        p->stride_w = p->stride_w ? p->stride_w : 1;
        p->dil_h = p->dil_h ? p->dil_h : 1;
        p->dil_w = p->dil_w ? p->dil_w : 1;
        if (p->type < 0 || p->type >= _GPU_CPU_POOL_MAX || !p->channels || !p->h_in || !p->w_in ||
            !p->h_out || !p->w_out || !p->k_h || !p->k_w)
                return -EINVAL;
        if ((uint64_t) p->batch * p->channels * p->h_in * p->w_in > (1ull << 31) ||
            (uint64_t) p->batch * p->channels * p->h_out * p->w_out > (1ull << 31) ||
            p->k_h > 4096 || p->k_w > 4096 || p->dil_h > 4096 || p->dil_w > 4096 ||
            p->stride_h > 4096 || p->stride_w > 4096 || p->pad_top > 4096 || p->pad_left > 4096)
                return -E2BIG;
        gpu_cpu_threadpool_run(tp, (size_t) p->batch * p->channels, 1, task_pool, &j);
        return 0;
}

struct gap_job {
        size_t hw;
        const float *in;
        float *out;
};

static void task_gap(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct gap_job *j = userdata;

        for (size_t i = begin; i < end; i++) {
                const float *s = j->in + i * j->hw;
                /* four partial sums: vectorisable and a little more accurate */
                float acc[4] = {};
                size_t k = 0;
                for (; k + 4 <= j->hw; k += 4)
                        for (size_t l = 0; l < 4; l++)
                                acc[l] += s[k + l];
                for (; k < j->hw; k++)
                        acc[0] += s[k];
                j->out[i] = ((acc[0] + acc[1]) + (acc[2] + acc[3])) / (float) j->hw;
        }
}

void gpu_cpu_global_avgpool(size_t planes, size_t hw, const float *in, float *out,
                            struct gpu_cpu_threadpool *tp) {
        struct gap_job j = { .hw = hw, .in = in, .out = out };
        if (!hw)
                return;
        gpu_cpu_threadpool_run(tp, planes, MAX((size_t) 1, 16384 / hw), task_gap, &j);
}
