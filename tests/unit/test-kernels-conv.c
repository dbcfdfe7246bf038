/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conv2d kernels against a naive double-precision reference written here,
 * over random awkward shapes, every algorithm (1x1 GEMM, GEMV, im2col,
 * depthwise), every activation and residual placement, each ISA the CPU has,
 * and pools of 1, 2 and 3 threads.
 *
 * Tolerance: |got - ref| <= 1e-4 * max(1, |ref|) for every element (inputs
 * and weights are uniform in [-1, 1], so |ref| is O(sqrt(K))).
 */

#include <math.h>

#include "gpu/cpu/kernels.h"
#include "tests/test.h"
#include "tests/unit/test-rng.h"

#define TOL 1e-4

static double ref_act(const struct gpu_cpu_activation *act, size_t c, double v) {
        switch (act->type) {
        case GPU_CPU_ACT_RELU:
                return v > 0 ? v : 0;
        case GPU_CPU_ACT_CLIP:
                return v < act->min ? act->min : v > act->max ? act->max : v;
        case GPU_CPU_ACT_LEAKY:
                return v >= 0 ? v : act->alpha * v;
        case GPU_CPU_ACT_PRELU:
                return v >= 0 ? v : act->slopes[act->n_slopes == 1 ? 0 : c] * v;
        case GPU_CPU_ACT_SIGMOID:
                return 1.0 / (1.0 + exp(-v));
        default:
                return v;
        }
}

static void ref_conv(const struct gpu_cpu_conv2d_params *p, const float *in, const float *w,
                     const float *bias, const float *res, float *out) {
        unsigned g_n = p->groups ? p->groups : 1, cin_g = p->c_in / g_n, cout_g = p->c_out / g_n;
        unsigned batch = p->batch ? p->batch : 1;

        for (unsigned b = 0; b < batch; b++)
                for (unsigned co = 0; co < p->c_out; co++)
                        for (unsigned oy = 0; oy < p->h_out; oy++)
                                for (unsigned ox = 0; ox < p->w_out; ox++) {
                                        unsigned g = co / cout_g;
                                        double s = bias ? bias[co] : 0;
                                        for (unsigned ci = 0; ci < cin_g; ci++)
                                                for (unsigned ky = 0; ky < p->k_h; ky++)
                                                        for (unsigned kx = 0; kx < p->k_w; kx++) {
                                                                long iy = (long) oy * p->stride_h + (long) ky * p->dil_h - p->pad_top;
                                                                long ix = (long) ox * p->stride_w + (long) kx * p->dil_w - p->pad_left;
                                                                if (iy < 0 || ix < 0 || iy >= p->h_in || ix >= p->w_in)
                                                                        continue;
                                                                s += (double) in[(((size_t) b * p->c_in + g * cin_g + ci) * p->h_in + iy) * p->w_in + ix] *
                                                                     w[(((size_t) co * cin_g + ci) * p->k_h + ky) * p->k_w + kx];
                                                        }
                                        size_t o = (((size_t) b * p->c_out + co) * p->h_out + oy) * p->w_out + ox;
                                        if (p->residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                                                s += res[o];
                                        s = ref_act(&p->act, co, s);
                                        if (p->residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                                                s += res[o];
                                        out[o] = (float) s;
                                }
}

static double max_err(const float *got, const float *ref, size_t n) {
        double worst = 0;
        for (size_t i = 0; i < n; i++) {
                double e = fabs((double) got[i] - ref[i]) / fmax(1.0, fabs(ref[i]));
                if (!(e <= worst))
                        worst = isnan(e) ? INFINITY : e;
        }
        return worst;
}

/* Runs one conv on every ISA and thread count; fails on the first mismatch. */
static void check_conv(struct gpu_cpu_conv2d_params p, struct rng *r) {
        /* the reference reads these literally: spell out the "0 means 1" defaults */
        p.stride_h = MAX(p.stride_h, 1u);
        p.stride_w = MAX(p.stride_w, 1u);
        p.dil_h = MAX(p.dil_h, 1u);
        p.dil_w = MAX(p.dil_w, 1u);
        p.groups = MAX(p.groups, 1u);
        unsigned batch = p.batch ? p.batch : 1;
        size_t n_in = (size_t) batch * p.c_in * p.h_in * p.w_in;
        size_t n_out = (size_t) batch * p.c_out * p.h_out * p.w_out;
        size_t n_w = (size_t) p.c_out * (p.c_in / (p.groups ? p.groups : 1)) * p.k_h * p.k_w;
        _cleanup_free_ float *in = rand_array(r, n_in), *w = rand_array(r, n_w);
        _cleanup_free_ float *bias = rand_array(r, p.c_out), *res = rand_array(r, n_out);
        _cleanup_free_ float *ref = malloc(n_out * sizeof(float)), *out = malloc(n_out * sizeof(float));
        bool use_bias = rng_next(r) % 4 != 0;

        ASSERT_TRUE(ref && out);
        ref_conv(&p, in, w, use_bias ? bias : NULL, res, ref);

        for (enum gpu_cpu_isa isa = GPU_CPU_ISA_GENERIC; isa < _GPU_CPU_ISA_MAX; isa++) {
                if (gpu_cpu_isa_resolve(isa) != isa)
                        continue;
                p.isa = isa;
                _cleanup_(gpu_cpu_conv2d_freep) struct gpu_cpu_conv2d *c = NULL;
                ASSERT_OK(gpu_cpu_conv2d_prepare(&p, w, use_bias ? bias : NULL, &c));
                for (unsigned t = 1; t <= 3; t++) {
                        _cleanup_(gpu_cpu_threadpool_freep) struct gpu_cpu_threadpool *tp = NULL;
                        ASSERT_OK(gpu_cpu_threadpool_new(t, &tp));
                        size_t ss = gpu_cpu_conv2d_scratch_size(c, t);
                        _cleanup_free_ void *scratch = ss ? aligned_alloc(64, ALIGN_UP(ss, 64)) : NULL;
                        ASSERT_TRUE(!ss || scratch);
                        for (size_t i = 0; i < n_out; i++)
                                out[i] = NAN;
                        ASSERT_OK(gpu_cpu_conv2d_run(c, in, p.residual ? res : NULL, out, scratch, tp));
                        double e = max_err(out, ref, n_out);
                        if (!(e <= TOL))
                                test_fail("conv %ux%ux%u -> %ux%ux%u k%ux%u s%ux%u d%ux%u pad %u,%u g%u act %d res %d "
                                          "batch %u (%s, %s, %u threads): max rel err %g",
                                          p.c_in, p.h_in, p.w_in, p.c_out, p.h_out, p.w_out, p.k_h, p.k_w,
                                          p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.pad_top, p.pad_left,
                                          p.groups, p.act.type, p.residual, batch,
                                          gpu_cpu_conv2d_algorithm(c), gpu_cpu_isa_to_string(gpu_cpu_conv2d_isa(c)),
                                          t, e);
                }
        }
}

static unsigned out_size(unsigned in, unsigned k, unsigned s, unsigned d, unsigned pa, unsigned pb) {
        long span = (long) d * (k - 1) + 1;
        long n = (long) in + pa + pb - span;
        return n < 0 ? 0 : (unsigned) (n / s + 1);
}

/* A random conv of the given kind; returns false if the draw has no output. */
static bool random_conv(struct rng *r, struct gpu_cpu_conv2d_params *p, unsigned k, unsigned stride,
                        unsigned dil, unsigned groups_kind) {
        unsigned cin_g = rng_range(r, 1, 9), cout_g = rng_range(r, 1, 15), g;
        switch (groups_kind) {
        case 0:
                g = 1;
                break;
        case 1:
                g = rng_range(r, 2, 4);
                break;
        default: /* depthwise */
                g = rng_range(r, 1, 40);
                cin_g = cout_g = 1;
                break;
        }
        *p = (struct gpu_cpu_conv2d_params) {
                .batch = rng_range(r, 1, 2),
                .c_in = cin_g * g, .c_out = cout_g * g, .groups = g,
                .h_in = rng_range(r, 1, 23), .w_in = rng_range(r, 1, 45),
                .k_h = k, .k_w = rng_next(r) % 3 == 0 ? rng_range(r, 1, 5) : k,
                .stride_h = stride, .stride_w = stride, .dil_h = dil, .dil_w = dil,
        };
        if (k > 1) {
                p->pad_top = rng_range(r, 0, k - 1);
                p->pad_left = rng_range(r, 0, p->k_w - 1);
        }
        unsigned pb = k > 1 ? rng_range(r, 0, k - 1) : 0, pr = p->k_w > 1 ? rng_range(r, 0, p->k_w - 1) : 0;
        p->h_out = out_size(p->h_in, p->k_h, stride, dil, p->pad_top, pb);
        p->w_out = out_size(p->w_in, p->k_w, stride, dil, p->pad_left, pr);
        return p->h_out > 0 && p->w_out > 0;
}

static void test_conv_1x1(void) {
        struct rng r = { 0x1234567 };
        for (int i = 0; i < 40; i++) {
                struct gpu_cpu_conv2d_params p;
                if (!random_conv(&r, &p, 1, 1, 1, i % 3 == 2 ? 1 : 0))
                        continue;
                if (i % 5 == 0)
                        p.h_in = p.h_out = p.w_in = p.w_out = 1; /* GEMV */
                check_conv(p, &r);
        }
}

static void test_conv_model_shapes(void) {
        /* A few of the detector's and embedder's real layers. */
        struct rng r = { 99 };
        static const struct gpu_cpu_conv2d_params shapes[] = {
                { .c_in = 3, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 64, .w_out = 64,
                  .k_h = 5, .k_w = 5, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1,
                  .act.type = GPU_CPU_ACT_RELU },
                { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 28, .h_out = 64, .w_out = 64,
                  .k_h = 1, .k_w = 1, .residual = GPU_CPU_RESIDUAL_BEFORE_ACT, .act.type = GPU_CPU_ACT_RELU },
                { .c_in = 28, .h_in = 64, .w_in = 64, .c_out = 28, .h_out = 32, .w_out = 32, .groups = 28,
                  .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2 },
                { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .groups = 96,
                  .k_h = 3, .k_w = 3, .pad_top = 1, .pad_left = 1 },
                { .c_in = 3, .h_in = 112, .w_in = 112, .c_out = 64, .h_out = 56, .w_out = 56,
                  .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1 },
                { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14,
                  .k_h = 1, .k_w = 1, .residual = GPU_CPU_RESIDUAL_AFTER_ACT },
                { .c_in = 512, .h_in = 7, .w_in = 7, .c_out = 512, .h_out = 1, .w_out = 1, .groups = 512,
                  .k_h = 7, .k_w = 7 },
                { .c_in = 512, .h_in = 1, .w_in = 1, .c_out = 512, .h_out = 1, .w_out = 1,
                  .k_h = 1, .k_w = 1 },
                /* GEMV paths: im2col with one output column, 1x1 with three */
                { .batch = 2, .c_in = 6, .h_in = 3, .w_in = 3, .c_out = 34, .h_out = 1, .w_out = 1, .groups = 2,
                  .k_h = 3, .k_w = 3, .residual = GPU_CPU_RESIDUAL_BEFORE_ACT, .act.type = GPU_CPU_ACT_SIGMOID },
                { .c_in = 19, .h_in = 1, .w_in = 3, .c_out = 37, .h_out = 1, .w_out = 3,
                  .k_h = 1, .k_w = 1, .residual = GPU_CPU_RESIDUAL_AFTER_ACT, .act.type = GPU_CPU_ACT_LEAKY,
                  .act.alpha = 0.1f },
                /* global depthwise with a fused residual and activation */
                { .batch = 2, .c_in = 5, .h_in = 3, .w_in = 11, .c_out = 5, .h_out = 1, .w_out = 1, .groups = 5,
                  .k_h = 3, .k_w = 11, .residual = GPU_CPU_RESIDUAL_AFTER_ACT, .act.type = GPU_CPU_ACT_RELU },
        };
        for (size_t i = 0; i < ELEMENTSOF(shapes); i++)
                check_conv(shapes[i], &r);
}

static void test_conv_im2col(void) {
        struct rng r = { 0xabcdef };
        for (int i = 0; i < 60; i++) {
                struct gpu_cpu_conv2d_params p;
                unsigned k = rng_range(&r, 1, 5), s = rng_range(&r, 1, 3), d = i % 4 == 0 ? 2 : 1;
                if (!random_conv(&r, &p, k, s, d, i % 2))
                        continue;
                check_conv(p, &r);
        }
}

static void test_conv_depthwise(void) {
        struct rng r = { 0x5eed };
        static const unsigned ks[] = { 3, 3, 5, 7, 2, 1 };
        for (int i = 0; i < 60; i++) {
                struct gpu_cpu_conv2d_params p;
                unsigned k = ks[i % ELEMENTSOF(ks)], s = rng_range(&r, 1, 3), d = i % 7 == 0 ? 2 : 1;
                if (!random_conv(&r, &p, k, s, d, 2))
                        continue;
                if (i % 3 == 0) /* wide rows: the 32-column path */
                        p.w_in = 70, p.w_out = out_size(70, p.k_w, s, d, p.pad_left, 1);
                check_conv(p, &r);
        }
}

static void test_conv_activations(void) {
        struct rng r = { 0xfeed };
        float slopes[64];
        for (size_t i = 0; i < ELEMENTSOF(slopes); i++)
                slopes[i] = rng_float(&r);

        for (int act = GPU_CPU_ACT_NONE; act < _GPU_CPU_ACT_MAX; act++)
                for (int res = 0; res < _GPU_CPU_RESIDUAL_MAX; res++)
                        for (int kind = 0; kind < 3; kind++) {
                                struct gpu_cpu_conv2d_params p;
                                unsigned k = kind == 0 ? 1 : 3;
                                while (!random_conv(&r, &p, k, 1, 1, kind))
                                        ;
                                if (p.c_out > 64)
                                        continue;
                                p.act = (struct gpu_cpu_activation) {
                                        .type = act, .min = -0.5f, .max = 0.75f, .alpha = 0.1f,
                                        .slopes = slopes, .n_slopes = kind == 1 ? 1 : p.c_out,
                                };
                                p.residual = res;
                                check_conv(p, &r);
                        }
}

/* Depthwise then 1x1, fused (gpu_cpu_dwpw) against the two run in turn: the
 * same kernels in the same order, so the floats must be identical. */
static void check_dwpw(struct gpu_cpu_conv2d_params d, struct gpu_cpu_conv2d_params q, struct rng *r) {
        unsigned batch = MAX(d.batch, 1u);
        size_t n_in = (size_t) batch * d.c_in * d.h_in * d.w_in, n_mid = (size_t) batch * d.c_out * d.h_out * d.w_out;
        size_t n_out = (size_t) batch * q.c_out * q.h_out * q.w_out;
        _cleanup_free_ float *in = rand_array(r, n_in), *wd = rand_array(r, (size_t) d.c_out * d.k_h * d.k_w);
        _cleanup_free_ float *wq = rand_array(r, (size_t) q.c_out * q.c_in), *bd = rand_array(r, d.c_out);
        _cleanup_free_ float *bq = rand_array(r, q.c_out), *res = rand_array(r, n_out);
        _cleanup_free_ float *mid = malloc(n_mid * sizeof(float)), *ref = malloc(n_out * sizeof(float));
        _cleanup_free_ float *out = malloc(n_out * sizeof(float));

        ASSERT_TRUE(mid && ref && out);
        for (enum gpu_cpu_isa isa = GPU_CPU_ISA_GENERIC; isa < _GPU_CPU_ISA_MAX; isa++) {
                if (gpu_cpu_isa_resolve(isa) != isa)
                        continue;
                d.isa = q.isa = isa;
                _cleanup_(gpu_cpu_conv2d_freep) struct gpu_cpu_conv2d *cd = NULL, *cq = NULL;
                ASSERT_OK(gpu_cpu_conv2d_prepare(&d, wd, bd, &cd));
                ASSERT_OK(gpu_cpu_conv2d_prepare(&q, wq, bq, &cq));
                for (unsigned t = 1; t <= 3; t++) {
                        _cleanup_(gpu_cpu_threadpool_freep) struct gpu_cpu_threadpool *tp = NULL;
                        _cleanup_(gpu_cpu_dwpw_freep) struct gpu_cpu_dwpw *f = NULL;
                        ASSERT_OK(gpu_cpu_threadpool_new(t, &tp));
                        ASSERT_OK(gpu_cpu_dwpw_prepare(cd, cq, t, &f));
                        size_t ss = MAX(MAX(gpu_cpu_conv2d_scratch_size(cd, t), gpu_cpu_conv2d_scratch_size(cq, t)),
                                        gpu_cpu_dwpw_scratch_size(f, t));
                        _cleanup_free_ void *scratch = aligned_alloc(64, ALIGN_UP(MAX(ss, (size_t) 1), 64));
                        ASSERT_TRUE(scratch);
                        const float *rp = q.residual ? res : NULL;
                        ASSERT_OK(gpu_cpu_conv2d_run(cd, in, NULL, mid, scratch, tp));
                        ASSERT_OK(gpu_cpu_conv2d_run(cq, mid, rp, ref, scratch, tp));
                        for (size_t i = 0; i < n_out; i++)
                                out[i] = NAN;
                        ASSERT_OK(gpu_cpu_dwpw_run(f, in, rp, out, scratch, tp));
                        for (size_t i = 0; i < n_out; i++)
                                if (memcmp(&out[i], &ref[i], sizeof(float)))
                                        test_fail("dwpw %ux%ux%u k%ux%u s%u pad %u,%u -> %u, res %d, batch %u (%s, %u threads): "
                                                  "[%zu] %.9g, unfused %.9g", d.c_in, d.h_in, d.w_in, d.k_h, d.k_w,
                                                  d.stride_h, d.pad_top, d.pad_left, q.c_out, q.residual, batch,
                                                  gpu_cpu_isa_to_string(isa), t, i, out[i], ref[i]);
                }
        }
}

static void test_dwpw_fused(void) {
        struct rng r = { 0xd1d1 };
        static const unsigned ks[] = { 3, 3, 5, 2 };
        float slopes[64];

        for (size_t i = 0; i < ELEMENTSOF(slopes); i++)
                slopes[i] = rng_float(&r);
        /* the detector's big layer: several bands at any thread count */
        check_dwpw((struct gpu_cpu_conv2d_params) { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128,
                                                    .w_out = 128, .k_h = 3, .k_w = 3, .pad_top = 1, .pad_left = 1,
                                                    .groups = 24 },
                   (struct gpu_cpu_conv2d_params) { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128,
                                                    .w_out = 128, .k_h = 1, .k_w = 1,
                                                    .residual = GPU_CPU_RESIDUAL_BEFORE_ACT,
                                                    .act.type = GPU_CPU_ACT_RELU },
                   &r);
        for (int i = 0; i < 30; i++) {
                struct gpu_cpu_conv2d_params d, q;
                unsigned k = ks[i % ELEMENTSOF(ks)], s = rng_range(&r, 1, 2);
                if (!random_conv(&r, &d, k, s, 1, 2))
                        continue;
                if (i % 3 == 0) /* wide rows */
                        d.w_in = 70, d.w_out = out_size(70, d.k_w, s, 1, d.pad_left, 1);
                d.h_out = MAX(d.h_out, 1u);
                if (i % 4 == 1)
                        d.act = (struct gpu_cpu_activation) { .type = GPU_CPU_ACT_PRELU, .slopes = slopes, .n_slopes = 1 };
                q = (struct gpu_cpu_conv2d_params) {
                        .batch = d.batch, .c_in = d.c_out, .h_in = d.h_out, .w_in = d.w_out,
                        .c_out = rng_range(&r, 1, 40), .h_out = d.h_out, .w_out = d.w_out, .k_h = 1, .k_w = 1,
                        .residual = (enum gpu_cpu_residual) (i % 3),
                        .act = i % 2 ? (struct gpu_cpu_activation) { .type = GPU_CPU_ACT_RELU }
                                     : (struct gpu_cpu_activation) { .type = GPU_CPU_ACT_PRELU, .slopes = slopes,
                                                                     .n_slopes = 1 },
                };
                if ((size_t) d.h_out * d.w_out <= 3)
                        continue;       /* the 1x1 would run as GEMV: not fused */
                check_dwpw(d, q, &r);
        }
}

static void test_dwpw_refuses(void) {
        struct gpu_cpu_conv2d_params d = { .c_in = 8, .h_in = 9, .w_in = 9, .c_out = 8, .h_out = 9, .w_out = 9,
                                           .k_h = 3, .k_w = 3, .pad_top = 1, .pad_left = 1, .groups = 8 };
        struct gpu_cpu_conv2d_params q = { .c_in = 8, .h_in = 9, .w_in = 9, .c_out = 4, .h_out = 9, .w_out = 9,
                                           .k_h = 1, .k_w = 1 };
        float w[8 * 9] = {};
        _cleanup_(gpu_cpu_conv2d_freep) struct gpu_cpu_conv2d *cd = NULL, *cq = NULL, *cq2 = NULL;
        struct gpu_cpu_dwpw *f = NULL;

        ASSERT_OK(gpu_cpu_conv2d_prepare(&d, w, NULL, &cd));
        ASSERT_OK(gpu_cpu_conv2d_prepare(&q, w, NULL, &cq));
        /* not depthwise then 1x1 */
        ASSERT_ERR(gpu_cpu_dwpw_prepare(cq, cd, 1, &f), EOPNOTSUPP);
        ASSERT_ERR(gpu_cpu_dwpw_prepare(cd, cd, 1, &f), EOPNOTSUPP);
        /* shapes that do not chain */
        q.c_in = 4;
        ASSERT_OK(gpu_cpu_conv2d_prepare(&q, w, NULL, &cq2));
        ASSERT_ERR(gpu_cpu_dwpw_prepare(cd, cq2, 1, &f), EOPNOTSUPP);
        ASSERT_TRUE(!f);
        ASSERT_OK(gpu_cpu_dwpw_prepare(cd, cq, 1, &f));
        gpu_cpu_dwpw_free(f);
}

static void test_conv_invalid(void) {
        float w[16] = {};
        struct gpu_cpu_conv2d *c = NULL;
        struct gpu_cpu_conv2d_params p = {
                .c_in = 4, .h_in = 4, .w_in = 4, .c_out = 4, .h_out = 4, .w_out = 4, .k_h = 1, .k_w = 1,
        };

        ASSERT_OK(gpu_cpu_conv2d_prepare(&p, w, NULL, &c));
        ASSERT_ERR(gpu_cpu_conv2d_run(c, w, w, w, NULL, NULL), EINVAL); /* residual not declared */
        c = gpu_cpu_conv2d_free(c);
        ASSERT_TRUE(!c);

        struct gpu_cpu_conv2d_params bad = p;
        bad.groups = 3;
        ASSERT_ERR(gpu_cpu_conv2d_prepare(&bad, w, NULL, &c), EINVAL);
        bad = p;
        bad.k_h = 0;
        ASSERT_ERR(gpu_cpu_conv2d_prepare(&bad, w, NULL, &c), EINVAL);
        bad = p;
        bad.act = (struct gpu_cpu_activation) { .type = GPU_CPU_ACT_PRELU, .n_slopes = 2, .slopes = w };
        ASSERT_ERR(gpu_cpu_conv2d_prepare(&bad, w, NULL, &c), EINVAL);
        bad.act = (struct gpu_cpu_activation) { .type = GPU_CPU_ACT_CLIP, .min = 1, .max = 0 };
        ASSERT_ERR(gpu_cpu_conv2d_prepare(&bad, w, NULL, &c), EINVAL);
        bad.act = (struct gpu_cpu_activation) { .type = 42 };
        ASSERT_ERR(gpu_cpu_conv2d_prepare(&bad, w, NULL, &c), EINVAL);
        bad = p;
        bad.residual = GPU_CPU_RESIDUAL_BEFORE_ACT;
        ASSERT_OK(gpu_cpu_conv2d_prepare(&bad, w, NULL, &c));
        ASSERT_ERR(gpu_cpu_conv2d_run(c, w, NULL, w, NULL, NULL), EINVAL); /* residual missing */
        c = gpu_cpu_conv2d_free(c);
}

static void test_isa_env(void) {
        ASSERT_EQ(gpu_cpu_isa_from_string("generic"), GPU_CPU_ISA_GENERIC);
        ASSERT_EQ(gpu_cpu_isa_from_string("nonsense"), -EINVAL);
        ASSERT_STREQ(gpu_cpu_isa_to_string(GPU_CPU_ISA_AVX2), "avx2");
        ASSERT_EQ(setenv("LANESIGHT_CPU_ISA", "generic", 1), 0);
        ASSERT_EQ(gpu_cpu_isa_resolve(GPU_CPU_ISA_AUTO), GPU_CPU_ISA_GENERIC);
        ASSERT_EQ(unsetenv("LANESIGHT_CPU_ISA"), 0);
        ASSERT_TRUE(gpu_cpu_isa_resolve(GPU_CPU_ISA_AUTO) >= GPU_CPU_ISA_GENERIC);
}

TEST_MAIN(TEST_CASE(test_conv_1x1),
          TEST_CASE(test_conv_model_shapes),
          TEST_CASE(test_conv_im2col),
          TEST_CASE(test_conv_depthwise),
          TEST_CASE(test_conv_activations),
          TEST_CASE(test_dwpw_fused),
          TEST_CASE(test_dwpw_refuses),
          TEST_CASE(test_conv_invalid),
          TEST_CASE(test_isa_env));
