/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * AVX2 + FMA micro-kernels. Every function carries the target attribute
 * instead of the file getting -mavx2, so the library still runs on older
 * CPUs: kern_ops_for() only hands these out after checking CPUID.
 *
 * GEMM: a 6x16 register tile (12 accumulators, 2 loads of the input row and
 * 6 broadcasts of packed weights per k), column tile outer and weight panel
 * inner so the K x 16 input tile stays in L1 while the panels stream from L2.
 */

#if defined(__x86_64__)

#include <immintrin.h>

#include "gpu/cpu/kernels-internal.h"

#define T __attribute__((target("avx2,fma")))
#define TI __attribute__((target("avx2,fma"), always_inline)) inline
#define MR 6

static TI __m256i tail_mask(size_t n) {
        /* lanes 0..n-1 set, for n in 0..8 */
        static const int32_t m[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };
        return _mm256_loadu_si256((const __m256i *) (m + 8 - MIN(n, (size_t) 8)));
}

/* exp(x) to about 2 ulp over the float range (Cody-Waite reduction, degree-6 polynomial). */
static TI __m256 exp256(__m256 x) {
        x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.7f));
        __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
        r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
        __m256 p = _mm256_set1_ps(1.9875691500e-4f);
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
        p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
        p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
        __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
        return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

static TI __m256 act8(const struct kern_epilogue *e, size_t row, __m256 v) {
        switch (e->act) {
        case GPU_CPU_ACT_RELU:
                return _mm256_max_ps(v, _mm256_setzero_ps());
        case GPU_CPU_ACT_CLIP:
                return _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(e->lo)), _mm256_set1_ps(e->hi));
        case GPU_CPU_ACT_LEAKY:
        case GPU_CPU_ACT_PRELU: {
                __m256 s = _mm256_set1_ps(e->act == GPU_CPU_ACT_LEAKY ? e->alpha : e->slopes[row]);
                __m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
                return _mm256_blendv_ps(v, _mm256_mul_ps(v, s), neg);
        }
        case GPU_CPU_ACT_SIGMOID: {
                __m256 one = _mm256_set1_ps(1.f);
                return _mm256_div_ps(one, _mm256_add_ps(one, exp256(_mm256_sub_ps(_mm256_setzero_ps(), v))));
        }
        default:
                return v;
        }
}

/* y[0..n) = epilogue(acc[0..n)) for one row; acc may be y itself. */
static T void epilogue_row(const struct kern_epilogue *e, size_t row, const float *acc, float *y,
                           size_t n, const float *res) {
        __m256 b = _mm256_set1_ps(e->bias ? e->bias[row] : 0.f);
        size_t i = 0;

        for (; i + 8 <= n; i += 8) {
                __m256 v = _mm256_add_ps(_mm256_loadu_ps(acc + i), b);
                if (e->residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                        v = _mm256_add_ps(v, _mm256_loadu_ps(res + i));
                v = act8(e, row, v);
                if (e->residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                        v = _mm256_add_ps(v, _mm256_loadu_ps(res + i));
                _mm256_storeu_ps(y + i, v);
        }
        if (i < n) {
                __m256i m = tail_mask(n - i);
                __m256 v = _mm256_add_ps(_mm256_maskload_ps(acc + i, m), b);
                if (e->residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                        v = _mm256_add_ps(v, _mm256_maskload_ps(res + i, m));
                v = act8(e, row, v);
                if (e->residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                        v = _mm256_add_ps(v, _mm256_maskload_ps(res + i, m));
                _mm256_maskstore_ps(y + i, m, v);
        }
}

static T void act_row_avx2(const struct kern_epilogue *e, size_t row, float *y, size_t n,
                           const float *res) {
        epilogue_row(e, row, y, y, n, res);
}

/* Bias, residual and activation on one vector of row `row`, then a store of
 * its first n lanes (n == 8: plain store). */
static TI void epi_store8(const struct kern_epilogue *e, size_t row, __m256 v, __m256 bias, float *y,
                          const float *res, size_t n) {
        __m256i m = tail_mask(n);
        v = _mm256_add_ps(v, bias);
        if (e->residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                v = _mm256_add_ps(v, n == 8 ? _mm256_loadu_ps(res) : _mm256_maskload_ps(res, m));
        v = act8(e, row, v);
        if (e->residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                v = _mm256_add_ps(v, n == 8 ? _mm256_loadu_ps(res) : _mm256_maskload_ps(res, m));
        if (n == 8)
                _mm256_storeu_ps(y, v);
        else
                _mm256_maskstore_ps(y, m, v);
}

/* One 6x16 tile: panel p, columns c0..c0+nn; masked selects the column-tail
 * variant at compile time. The epilogue runs on the registers. */
static TI void gemm_tile(const struct kern_gemm_args *a, size_t p, size_t c0, size_t nn, bool masked) {
        const float *w = a->wp + p * a->k_len * MR;
        const float *x = a->x + c0;
        __m256i m0 = tail_mask(nn), m1 = tail_mask(nn > 8 ? nn - 8 : 0);
        __m256 c[MR][2];

#pragma GCC unroll 6
        for (unsigned r = 0; r < MR; r++)
                c[r][0] = c[r][1] = _mm256_setzero_ps();
        for (size_t k = 0; k < a->k_len; k++, x += a->ldx, w += MR) {
                __m256 b0, b1;
                if (masked) {
                        b0 = _mm256_maskload_ps(x, m0);
                        b1 = _mm256_maskload_ps(x + 8, m1);
                } else {
                        b0 = _mm256_loadu_ps(x);
                        b1 = _mm256_loadu_ps(x + 8);
                }
#pragma GCC unroll 6
                for (unsigned r = 0; r < MR; r++) {
                        __m256 av = _mm256_broadcast_ss(w + r);
                        c[r][0] = _mm256_fmadd_ps(av, b0, c[r][0]);
                        c[r][1] = _mm256_fmadd_ps(av, b1, c[r][1]);
                }
        }

        const struct kern_epilogue *e = &a->epi;
#pragma GCC unroll 6
        for (unsigned r = 0; r < MR; r++) {
                size_t row = p * MR + r;
                if (row >= a->rows)
                        break;
                __m256 bias = _mm256_set1_ps(e->bias ? e->bias[row] : 0.f);
                float *y = a->y + row * a->ldy + c0;
                const float *res = e->res ? e->res + row * e->ld_res + c0 : NULL;
                if (!masked) {
                        epi_store8(e, row, c[r][0], bias, y, res, 8);
                        epi_store8(e, row, c[r][1], bias, y + 8, res ? res + 8 : NULL, 8);
                } else {
                        epi_store8(e, row, c[r][0], bias, y, res, MIN(nn, (size_t) 8));
                        if (nn > 8)
                                epi_store8(e, row, c[r][1], bias, y + 8, res ? res + 8 : NULL, nn - 8);
                }
        }
}

static T void gemm_avx2(const struct kern_gemm_args *a) {
        for (size_t c0 = a->col_begin; c0 < a->col_end; c0 += KERN_NR) {
                size_t nn = MIN((size_t) KERN_NR, a->col_end - c0);
                for (size_t p = a->panel_begin; p < a->panel_end; p++)
                        if (nn == KERN_NR)
                                gemm_tile(a, p, c0, nn, false);
                        else
                                gemm_tile(a, p, c0, nn, true);
        }
}

static T void gemv_avx2(const struct kern_gemv_args *a) {
        size_t k_len = a->k_len;
        float tile[KERN_VR] __attribute__((aligned(32)));

        for (size_t p = a->panel_begin; p < a->panel_end; p++) {
                const float *w = a->wv + p * k_len * KERN_VR;
                const float *x = a->x;
                __m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps();
                __m256 d0 = _mm256_setzero_ps(), d1 = _mm256_setzero_ps();
                size_t k = 0;

                /* two independent chains per half hide the FMA latency */
                for (; k + 2 <= k_len; k += 2, w += 2 * KERN_VR, x += 2 * a->incx) {
                        __m256 x0 = _mm256_set1_ps(x[0]), x1 = _mm256_set1_ps(x[a->incx]);
                        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(w), x0, c0);
                        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + 8), x0, c1);
                        d0 = _mm256_fmadd_ps(_mm256_loadu_ps(w + 16), x1, d0);
                        d1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + 24), x1, d1);
                }
                if (k < k_len) {
                        __m256 x0 = _mm256_set1_ps(x[0]);
                        c0 = _mm256_fmadd_ps(_mm256_loadu_ps(w), x0, c0);
                        c1 = _mm256_fmadd_ps(_mm256_loadu_ps(w + 8), x0, c1);
                }
                _mm256_store_ps(tile, _mm256_add_ps(c0, d0));
                _mm256_store_ps(tile + 8, _mm256_add_ps(c1, d1));
                for (size_t r = 0; r < KERN_VR; r++) {
                        size_t row = p * KERN_VR + r;
                        if (row >= a->rows)
                                break;
                        float v = tile[r];
                        v += a->epi.bias ? a->epi.bias[row] : 0.f;
                        if (a->epi.residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                                v += a->epi.res[row * a->epi.ld_res];
                        v = kern_act1(&a->epi, row, v);
                        if (a->epi.residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                                v += a->epi.res[row * a->epi.ld_res];
                        a->y[row * a->incy] = v;
                }
        }
}

/* R output rows x V vectors of a depthwise conv at (oy, x0): R*V independent
 * accumulators hide the FMA latency; taps are loaded straight from the
 * padded copy. The last vector of each row stores `last` lanes. */
static TI void dw_tile(const struct kern_dw_args *a, size_t oy, size_t x0, unsigned R, unsigned V,
                       unsigned KH, unsigned KW, size_t last, __m256 bias) {
        __m256 acc[8][2];

#pragma GCC unroll 8
        for (unsigned r = 0; r < R; r++)
#pragma GCC unroll 2
                for (unsigned v = 0; v < V; v++)
                        acc[r][v] = _mm256_setzero_ps();
        for (unsigned ky = 0; ky < KH; ky++)
                for (unsigned kx = 0; kx < KW; kx++) {
                        unsigned off = kx * a->dil_w;
                        const float *s = a->src + ((off % a->stride_w) * a->rows + oy * a->stride_h + ky * a->dil_h) * a->pitch +
                                         off / a->stride_w + x0;
                        size_t step = a->stride_h * a->pitch;
                        __m256 w = _mm256_broadcast_ss(a->w + ky * KW + kx);
#pragma GCC unroll 8
                        for (unsigned r = 0; r < R; r++)
#pragma GCC unroll 2
                                for (unsigned v = 0; v < V; v++)
                                        acc[r][v] = _mm256_fmadd_ps(w, _mm256_loadu_ps(s + r * step + 8 * v), acc[r][v]);
                }
#pragma GCC unroll 8
        for (unsigned r = 0; r < R; r++) {
                size_t o = (oy + r) * a->w_out + x0;
#pragma GCC unroll 2
                for (unsigned v = 0; v < V; v++)
                        epi_store8(&a->epi, 0, acc[r][v], bias, a->dst + o + 8 * v,
                                   a->epi.res ? a->epi.res + o + 8 * v : NULL, v + 1 == V ? last : 8);
        }
}

/* Rows in blocks of R, columns in blocks of 2 vectors, then single vectors. */
static TI void dw_rows(const struct kern_dw_args *a, size_t oy, unsigned R, unsigned KH, unsigned KW,
                       __m256 bias) {
        size_t x0 = 0;

        for (; x0 + 16 <= a->w_out; x0 += 16)
                dw_tile(a, oy, x0, R, 2, KH, KW, 8, bias);
        for (; x0 < a->w_out; x0 += 8)
                dw_tile(a, oy, x0, R, 1, KH, KW, MIN((size_t) 8, a->w_out - x0), bias);
}

static TI void dw_plane(const struct kern_dw_args *a, unsigned KH, unsigned KW) {
        __m256 bias = _mm256_set1_ps(a->epi.bias ? a->epi.bias[0] : 0.f);
        size_t oy = 0;

        if (a->w_out >= 16)
                for (; oy + 4 <= a->h_out; oy += 4)
                        dw_rows(a, oy, 4, KH, KW, bias);
        else
                for (; oy + 8 <= a->h_out; oy += 8)
                        dw_rows(a, oy, 8, KH, KW, bias);
        /* short planes and leftovers: fewer rows, still several chains */
        for (; oy + 2 <= a->h_out; oy += 2)
                dw_rows(a, oy, 2, KH, KW, bias);
        for (; oy < a->h_out; oy++)
                dw_rows(a, oy, 1, KH, KW, bias);
}

static T void dw_avx2(const struct kern_dw_args *a) {
        if (a->k_h == 3 && a->k_w == 3)
                dw_plane(a, 3, 3);
        else if (a->k_h == 5 && a->k_w == 5)
                dw_plane(a, 5, 5);
        else
                dw_plane(a, a->k_h, a->k_w);
}

static T void split2_avx2(const float *in, size_t n, float *even, float *odd) {
        size_t j = 0;

        for (; j + 8 <= n; j += 8) {
                __m256 a = _mm256_loadu_ps(in + 2 * j), b = _mm256_loadu_ps(in + 2 * j + 8);
                /* per 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6, then fix the lane order */
                __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
                __m256 o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
                _mm256_storeu_ps(even + j, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xd8)));
                _mm256_storeu_ps(odd + j, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), 0xd8)));
        }
        for (; j < n; j++) {
                even[j] = in[2 * j];
                odd[j] = in[2 * j + 1];
        }
}

const struct kern_ops kern_ops_avx2 = {
        .split2 = split2_avx2,
        .isa = GPU_CPU_ISA_AVX2,
        .mr = MR,
        .gemm = gemm_avx2,
        .gemv = gemv_avx2,
        .dw = dw_avx2,
        .act = act_row_avx2,
};

#endif
