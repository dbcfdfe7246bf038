/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Gemm, MatMul, pooling, broadcasting binary ops, activations and the thread
 * pool, against naive double-precision references written here. Tolerance:
 * |got - ref| <= 1e-4 * max(1, |ref|) per element; max pooling and the
 * thread-pool bookkeeping must be exact.
 */

#include <float.h>
#include <math.h>
#include <stdatomic.h>

#include "gpu/cpu/kernels.h"
#include "tests/test.h"
#include "tests/unit/test-rng.h"

#define TOL 1e-4

static void assert_close(const float *got, const double *ref, size_t n, const char *what) {
        for (size_t i = 0; i < n; i++) {
                double e = fabs((double) got[i] - ref[i]) / fmax(1.0, fabs(ref[i]));
                if (!(e <= TOL))
                        test_fail("%s: element %zu: got %g, expected %g", what, i, got[i], ref[i]);
        }
}

static struct gpu_cpu_threadpool *pools[4];

static void make_pools(void) {
        for (unsigned t = 1; t <= 3; t++)
                ASSERT_OK(gpu_cpu_threadpool_new(t, &pools[t]));
}

static void free_pools(void) {
        for (unsigned t = 1; t <= 3; t++)
                pools[t] = gpu_cpu_threadpool_free(pools[t]);
}

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

static void test_gemm(void) {
        struct rng r = { 77 };
        static const unsigned ms[] = { 1, 2, 3, 4, 17, 70 };
        float slopes[200];
        for (size_t i = 0; i < ELEMENTSOF(slopes); i++)
                slopes[i] = rng_float(&r);
        make_pools();

        for (int i = 0; i < 72; i++) {
                struct gpu_cpu_gemm_params p = {
                        .m = ms[i % ELEMENTSOF(ms)], .k = rng_range(&r, 1, 130), .n = rng_range(&r, 1, 150),
                        .trans_a = i & 1, .trans_b = (i >> 1) & 1,
                        .alpha = i % 3 == 0 ? 0.5f : 1.f, .beta = i % 4 == 0 ? 2.f : 1.f,
                        .c_kind = i % _GPU_CPU_GEMM_C_MAX,
                };
                p.act = (struct gpu_cpu_activation) {
                        .type = (i / 5) % _GPU_CPU_ACT_MAX, .min = -0.3f, .max = 0.4f, .alpha = 0.2f,
                        .slopes = slopes, .n_slopes = i % 2 ? 1 : p.n,
                };
                _cleanup_free_ float *a = rand_array(&r, (size_t) p.m * p.k), *b = rand_array(&r, (size_t) p.k * p.n);
                _cleanup_free_ float *c = rand_array(&r, (size_t) p.m * p.n), *y = malloc((size_t) p.m * p.n * sizeof(float));
                _cleanup_free_ double *ref = malloc((size_t) p.m * p.n * sizeof(double));
                ASSERT_TRUE(y && ref);

                for (size_t m = 0; m < p.m; m++)
                        for (size_t n = 0; n < p.n; n++) {
                                double s = 0;
                                for (size_t k = 0; k < p.k; k++)
                                        s += (double) (p.trans_a ? a[k * p.m + m] : a[m * p.k + k]) *
                                             (p.trans_b ? b[n * p.k + k] : b[k * p.n + n]);
                                s *= p.alpha;
                                double cv = 0;
                                switch (p.c_kind) {
                                case GPU_CPU_GEMM_C_SCALAR: cv = c[0]; break;
                                case GPU_CPU_GEMM_C_ROW: cv = c[n]; break;
                                case GPU_CPU_GEMM_C_COL: cv = c[m]; break;
                                case GPU_CPU_GEMM_C_FULL: cv = c[m * p.n + n]; break;
                                default: break;
                                }
                                ref[m * p.n + n] = ref_act(&p.act, n, s + p.beta * cv);
                        }

                for (enum gpu_cpu_isa isa = GPU_CPU_ISA_GENERIC; isa < _GPU_CPU_ISA_MAX; isa++) {
                        if (gpu_cpu_isa_resolve(isa) != isa)
                                continue;
                        p.isa = isa;
                        _cleanup_(gpu_cpu_gemm_freep) struct gpu_cpu_gemm *g = NULL;
                        ASSERT_OK(gpu_cpu_gemm_prepare(&p, b, p.c_kind ? c : NULL, &g));
                        size_t ss = gpu_cpu_gemm_scratch_size(g, 3);
                        _cleanup_free_ void *scratch = ss ? aligned_alloc(64, ALIGN_UP(ss, 64)) : NULL;
                        for (unsigned t = 1; t <= 3; t++) {
                                for (size_t e = 0; e < (size_t) p.m * p.n; e++)
                                        y[e] = NAN;
                                ASSERT_OK(gpu_cpu_gemm_run(g, a, y, scratch, pools[t]));
                                assert_close(y, ref, (size_t) p.m * p.n, "gemm");
                        }
                }
        }
        struct gpu_cpu_gemm *g = NULL;
        float one = 1;
        ASSERT_ERR(gpu_cpu_gemm_prepare(&(struct gpu_cpu_gemm_params) { .m = 1, .k = 1, .n = 1,
                                                                        .c_kind = GPU_CPU_GEMM_C_ROW },
                                        &one, NULL, &g), EINVAL);
        ASSERT_ERR(gpu_cpu_gemm_prepare(&(struct gpu_cpu_gemm_params) { .m = 0, .k = 1, .n = 1 }, &one, NULL, &g),
                   EINVAL);
        free_pools();
}

static void test_matmul(void) {
        struct rng r = { 5 };
        make_pools();
        for (int i = 0; i < 20; i++) {
                size_t batch = rng_range(&r, 1, 3), m = rng_range(&r, 1, 20), k = rng_range(&r, 1, 40),
                       n = rng_range(&r, 1, 33);
                bool bcast_b = i % 3 == 0;
                _cleanup_free_ float *a = rand_array(&r, batch * m * k), *b = rand_array(&r, batch * k * n);
                _cleanup_free_ float *y = malloc(batch * m * n * sizeof(float));
                _cleanup_free_ double *ref = malloc(batch * m * n * sizeof(double));
                ASSERT_TRUE(y && ref);
                for (size_t bi = 0; bi < batch; bi++)
                        for (size_t mi = 0; mi < m; mi++)
                                for (size_t ni = 0; ni < n; ni++) {
                                        double s = 0;
                                        for (size_t ki = 0; ki < k; ki++)
                                                s += (double) a[(bi * m + mi) * k + ki] *
                                                     b[(bcast_b ? 0 : bi * k * n) + ki * n + ni];
                                        ref[(bi * m + mi) * n + ni] = s;
                                }
                for (unsigned t = 1; t <= 3; t++) {
                        gpu_cpu_matmul(batch, m, k, n, a, m * k, b, bcast_b ? 0 : k * n, y, pools[t]);
                        assert_close(y, ref, batch * m * n, "matmul");
                }
        }
        free_pools();
}

static void test_pool(void) {
        struct rng r = { 31337 };
        make_pools();
        for (int i = 0; i < 80; i++) {
                struct gpu_cpu_pool2d_params p = {
                        .type = i % 2, .batch = rng_range(&r, 1, 2), .channels = rng_range(&r, 1, 5),
                        .h_in = rng_range(&r, 1, 20), .w_in = rng_range(&r, 1, 20),
                        .k_h = rng_range(&r, 1, 4), .k_w = rng_range(&r, 1, 4),
                        .stride_h = rng_range(&r, 1, 3), .stride_w = rng_range(&r, 1, 3),
                        .dil_h = i % 2 == 0 && i % 5 == 0 ? 2 : 1, .dil_w = 1,
                        .count_include_pad = i % 4 == 1,
                };
                if (i % 8 < 2)
                        p.k_h = p.k_w = p.stride_h = p.stride_w = 2;
                p.pad_top = rng_range(&r, 0, p.k_h - 1);
                p.pad_left = rng_range(&r, 0, p.k_w - 1);
                unsigned pb = rng_range(&r, 0, p.k_h - 1), pr = rng_range(&r, 0, p.k_w - 1);
                long span_h = (long) p.dil_h * (p.k_h - 1) + 1, span_w = (long) p.dil_w * (p.k_w - 1) + 1;
                long ho = ((long) p.h_in + p.pad_top + pb - span_h) / p.stride_h + 1;
                long wo = ((long) p.w_in + p.pad_left + pr - span_w) / p.stride_w + 1;
                if ((long) p.h_in + p.pad_top + pb < span_h || (long) p.w_in + p.pad_left + pr < span_w)
                        continue;
                p.h_out = ho;
                p.w_out = wo;
                size_t planes = (size_t) p.batch * p.channels;
                _cleanup_free_ float *in = rand_array(&r, planes * p.h_in * p.w_in);
                _cleanup_free_ float *out = malloc(planes * p.h_out * p.w_out * sizeof(float));
                _cleanup_free_ double *ref = malloc(planes * p.h_out * p.w_out * sizeof(double));
                ASSERT_TRUE(out && ref);
                for (size_t pl = 0; pl < planes; pl++)
                        for (long oy = 0; oy < ho; oy++)
                                for (long ox = 0; ox < wo; ox++) {
                                        double acc = p.type == GPU_CPU_POOL_MAX ? -INFINITY : 0;
                                        int cnt = 0;
                                        for (unsigned ky = 0; ky < p.k_h; ky++)
                                                for (unsigned kx = 0; kx < p.k_w; kx++) {
                                                        long iy = oy * p.stride_h + (long) ky * p.dil_h - p.pad_top;
                                                        long ix = ox * p.stride_w + (long) kx * p.dil_w - p.pad_left;
                                                        if (iy < 0 || ix < 0 || iy >= p.h_in || ix >= p.w_in)
                                                                continue;
                                                        double v = in[(pl * p.h_in + iy) * p.w_in + ix];
                                                        acc = p.type == GPU_CPU_POOL_MAX ? fmax(acc, v) : acc + v;
                                                        cnt++;
                                                }
                                        if (p.type == GPU_CPU_POOL_AVG)
                                                acc /= p.count_include_pad ? (double) p.k_h * p.k_w : cnt;
                                        else if (!cnt)
                                                acc = 0;
                                        ref[(pl * ho + oy) * wo + ox] = acc;
                                }
                for (unsigned t = 1; t <= 3; t++) {
                        ASSERT_OK(gpu_cpu_pool2d_run(&p, in, out, pools[t]));
                        assert_close(out, ref, planes * ho * wo, p.type ? "avgpool" : "maxpool");
                        if (p.type == GPU_CPU_POOL_MAX)
                                for (size_t e = 0; e < planes * ho * wo; e++)
                                        ASSERT_TRUE(out[e] == (float) ref[e]);
                }
        }
        struct gpu_cpu_pool2d_params bad = { .channels = 1, .h_in = 1, .w_in = 1, .h_out = 1, .w_out = 1 };
        ASSERT_ERR(gpu_cpu_pool2d_run(&bad, NULL, NULL, NULL), EINVAL);

        /* global average */
        for (int i = 0; i < 10; i++) {
                size_t planes = rng_range(&r, 1, 40), hw = rng_range(&r, 1, 300);
                _cleanup_free_ float *in = rand_array(&r, planes * hw), *out = malloc(planes * sizeof(float));
                _cleanup_free_ double *ref = malloc(planes * sizeof(double));
                for (size_t pl = 0; pl < planes; pl++) {
                        double s = 0;
                        for (size_t k = 0; k < hw; k++)
                                s += in[pl * hw + k];
                        ref[pl] = s / hw;
                }
                for (unsigned t = 1; t <= 3; t++) {
                        gpu_cpu_global_avgpool(planes, hw, in, out, pools[t]);
                        assert_close(out, ref, planes, "global avgpool");
                }
        }
        free_pools();
}

static void test_binary(void) {
        struct rng r = { 4242 };
        make_pools();
        for (int i = 0; i < 60; i++) {
                size_t ndim = rng_range(&r, 0, 4), shape[GPU_CPU_MAX_DIMS], total = 1;
                ptrdiff_t sa[GPU_CPU_MAX_DIMS], sb[GPU_CPU_MAX_DIMS];
                size_t na = 1, nb = 1;
                for (size_t d = 0; d < ndim; d++) {
                        shape[d] = rng_range(&r, 1, 9);
                        total *= shape[d];
                }
                /* each input keeps or broadcasts each dim, dense in its own shape */
                for (size_t d = ndim; d-- > 0;) {
                        bool ka = rng_next(&r) % 3 != 0, kb = rng_next(&r) % 3 != 0;
                        sa[d] = ka ? (ptrdiff_t) na : 0;
                        sb[d] = kb ? (ptrdiff_t) nb : 0;
                        na *= ka ? shape[d] : 1;
                        nb *= kb ? shape[d] : 1;
                }
                _cleanup_free_ float *a = rand_array(&r, na), *b = rand_array(&r, nb), *out = malloc(total * sizeof(float));
                _cleanup_free_ double *ref = malloc(total * sizeof(double));
                enum gpu_cpu_binary op = i % _GPU_CPU_BINARY_MAX;
                for (size_t e = 0; e < total; e++) {
                        size_t rem = e;
                        ptrdiff_t oa = 0, ob = 0;
                        for (size_t d = ndim; d-- > 0;) {
                                oa += (rem % shape[d]) * sa[d];
                                ob += (rem % shape[d]) * sb[d];
                                rem /= shape[d];
                        }
                        double x = a[oa], y = b[ob];
                        if (op == GPU_CPU_BINARY_DIV && fabs(y) < 1e-3)
                                b[ob] = (float) (y = 0.5);
                        ref[e] = op == GPU_CPU_BINARY_ADD ? x + y : op == GPU_CPU_BINARY_SUB ? x - y :
                                 op == GPU_CPU_BINARY_MUL ? x * y : op == GPU_CPU_BINARY_DIV ? x / y :
                                 op == GPU_CPU_BINARY_MAX ? fmax(x, y) : fmin(x, y);
                }
                /* recompute after any divisor fix-up */
                for (size_t e = 0; e < total && op == GPU_CPU_BINARY_DIV; e++) {
                        size_t rem = e;
                        ptrdiff_t oa = 0, ob = 0;
                        for (size_t d = ndim; d-- > 0;) {
                                oa += (rem % shape[d]) * sa[d];
                                ob += (rem % shape[d]) * sb[d];
                                rem /= shape[d];
                        }
                        ref[e] = (double) a[oa] / b[ob];
                }
                for (unsigned t = 1; t <= 3; t++) {
                        ASSERT_OK(gpu_cpu_binary_run(op, ndim, shape, a, sa, b, sb, out, pools[t]));
                        assert_close(out, ref, total, "binary");
                }
        }
        ASSERT_ERR(gpu_cpu_binary_run(99, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL), EINVAL);
        free_pools();
}

static void test_activation(void) {
        struct rng r = { 8 };
        float slopes[7];
        for (size_t i = 0; i < ELEMENTSOF(slopes); i++)
                slopes[i] = rng_float(&r);
        make_pools();
        for (int type = GPU_CPU_ACT_NONE; type < _GPU_CPU_ACT_MAX; type++)
                for (int shared = 0; shared < 2; shared++) {
                        struct gpu_cpu_activation act = {
                                .type = type, .min = -0.25f, .max = 0.5f, .alpha = 0.01f,
                                .slopes = slopes, .n_slopes = shared ? 1 : 7,
                        };
                        size_t planes = 14, hw = 37;
                        _cleanup_free_ float *in = rand_array(&r, planes * hw), *out = malloc(planes * hw * sizeof(float));
                        _cleanup_free_ double *ref = malloc(planes * hw * sizeof(double));
                        for (size_t pl = 0; pl < planes; pl++)
                                for (size_t k = 0; k < hw; k++)
                                        ref[pl * hw + k] = ref_act(&act, pl % 7, 4 * in[pl * hw + k]);
                        for (size_t e = 0; e < planes * hw; e++)
                                in[e] *= 4;
                        for (unsigned t = 1; t <= 3; t++) {
                                ASSERT_OK(gpu_cpu_activation_run(&act, planes, hw, in, out, pools[t]));
                                assert_close(out, ref, planes * hw, "activation");
                        }
                        /* in place */
                        ASSERT_OK(gpu_cpu_activation_run(&act, planes, hw, in, in, pools[2]));
                        assert_close(in, ref, planes * hw, "activation in place");
                }
        free_pools();
}

struct count_ctx {
        atomic_uint hits[1000];
        atomic_uint bad_thread;
        unsigned n_threads;
};

static void count_task(void *userdata, size_t begin, size_t end, unsigned thread) {
        struct count_ctx *c = userdata;
        if (thread >= c->n_threads || begin >= end)
                atomic_fetch_add(&c->bad_thread, 1);
        for (size_t i = begin; i < end; i++)
                atomic_fetch_add(&c->hits[i], 1);
}

static void test_threadpool(void) {
        ASSERT_ERR(gpu_cpu_threadpool_new(0, &pools[0]), EINVAL);
        ASSERT_EQ(gpu_cpu_threadpool_size(NULL), 1);
        for (unsigned t = 1; t <= 4; t++) {
                _cleanup_(gpu_cpu_threadpool_freep) struct gpu_cpu_threadpool *tp = NULL;
                ASSERT_OK(gpu_cpu_threadpool_new(t, &tp));
                ASSERT_EQ(gpu_cpu_threadpool_size(tp), t);
                /* many short jobs back to back: every item exactly once per job */
                for (unsigned job = 0; job < 2000; job++) {
                        static struct count_ctx c;
                        size_t n = 1 + job % 997, grain = job % 5;
                        memset(&c, 0, sizeof(c));
                        c.n_threads = t;
                        gpu_cpu_threadpool_run(tp, n, grain, count_task, &c);
                        for (size_t i = 0; i < 1000; i++)
                                if (atomic_load(&c.hits[i]) != (i < n))
                                        test_fail("threads %u job %u item %zu ran %u times", t, job, i,
                                                  atomic_load(&c.hits[i]));
                        ASSERT_EQ(atomic_load(&c.bad_thread), 0);
                }
                /* idle long enough for the workers to fall asleep, then run again */
                usleep(20000);
                static struct count_ctx c2;
                memset(&c2, 0, sizeof(c2));
                c2.n_threads = t;
                gpu_cpu_threadpool_run(tp, 100, 1, count_task, &c2);
                for (size_t i = 0; i < 100; i++)
                        ASSERT_EQ(atomic_load(&c2.hits[i]), 1);
        }
}

TEST_MAIN(TEST_CASE(test_gemm),
          TEST_CASE(test_matmul),
          TEST_CASE(test_pool),
          TEST_CASE(test_binary),
          TEST_CASE(test_activation),
          TEST_CASE(test_threadpool));
