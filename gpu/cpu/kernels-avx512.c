/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * AVX-512F micro-kernels (same structure as kernels-avx2.c, twice the lanes,
 * native tail masks). Chosen only after CPUID reports AVX-512F.
 *
 * GEMM: a 12x32 register tile (24 zmm accumulators, 2 loads of the input row
 * and 12 broadcasts of packed weights per k); columns left over run as a
 * 12x16 tile with a lane mask. 12 rows (not 8) measured faster on the
 * detector's 24-channel layers: the input tile is read by fewer panels.
 */

#if defined(__x86_64__)

#include <immintrin.h>

#include "gpu/cpu/kernels-internal.h"

#define T __attribute__((target("avx512f,avx2,fma")))
#define TI __attribute__((target("avx512f,avx2,fma"), always_inline)) inline
#define MR 12

static TI __mmask16 lanes(size_t n) {
        return n >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << n) - 1);
}

/* exp(x), the same reduction and polynomial as the AVX2 version. */
static TI __m512 exp512(__m512 x) {
        x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.7f));
        __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
        __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
        r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
        __m512 p = _mm512_set1_ps(1.9875691500e-4f);
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
        p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
        p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.f)));
        __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
        return _mm512_mul_ps(p, _mm512_castsi512_ps(e));
}

static TI __m512 act16(const struct kern_epilogue *e, size_t row, __m512 v) {
        switch (e->act) {
        case GPU_CPU_ACT_RELU:
                return _mm512_max_ps(v, _mm512_setzero_ps());
        case GPU_CPU_ACT_CLIP:
                return _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(e->lo)), _mm512_set1_ps(e->hi));
        case GPU_CPU_ACT_LEAKY:
        case GPU_CPU_ACT_PRELU: {
                __m512 s = _mm512_set1_ps(e->act == GPU_CPU_ACT_LEAKY ? e->alpha : e->slopes[row]);
                __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
                return _mm512_mask_mul_ps(v, neg, v, s);
        }
        case GPU_CPU_ACT_SIGMOID: {
                __m512 one = _mm512_set1_ps(1.f);
                return _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), v))));
        }
        default:
                return v;
        }
}

/* Bias, residual and activation on one vector of row `row`; stores the lanes in m. */
static TI void epi_store16(const struct kern_epilogue *e, size_t row, __m512 v, __m512 bias, float *y,
                           const float *res, __mmask16 m) {
        v = _mm512_add_ps(v, bias);
        if (e->residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res));
        v = act16(e, row, v);
        if (e->residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res));
        _mm512_mask_storeu_ps(y, m, v);
}

static T void act_row_avx512(const struct kern_epilogue *e, size_t row, float *y, size_t n,
                             const float *res) {
        __m512 b = _mm512_set1_ps(e->bias ? e->bias[row] : 0.f);
        for (size_t i = 0; i < n; i += 16) {
                __mmask16 m = lanes(n - i);
                epi_store16(e, row, _mm512_maskz_loadu_ps(m, y + i), b, y + i, res ? res + i : NULL, m);
        }
}

/* One MR x (16*V) tile at panel p, column c0; m1 masks the last vector. */
static TI void gemm_tile(const struct kern_gemm_args *a, size_t p, size_t c0, unsigned V, __mmask16 mlast) {
        const float *w = a->wp + p * a->k_len * MR;
        const float *x = a->x + c0;
        __m512 c[MR][2];

#pragma GCC unroll 12
        for (unsigned r = 0; r < MR; r++)
                c[r][0] = c[r][1] = _mm512_setzero_ps();
        for (size_t k = 0; k < a->k_len; k++, x += a->ldx, w += MR) {
                __m512 b0, b1 = _mm512_setzero_ps();
                if (V == 2) {
                        b0 = _mm512_loadu_ps(x);
                        b1 = _mm512_maskz_loadu_ps(mlast, x + 16);
                } else
                        b0 = _mm512_maskz_loadu_ps(mlast, x);
#pragma GCC unroll 12
                for (unsigned r = 0; r < MR; r++) {
                        __m512 av = _mm512_set1_ps(w[r]);
                        c[r][0] = _mm512_fmadd_ps(av, b0, c[r][0]);
                        if (V == 2)
                                c[r][1] = _mm512_fmadd_ps(av, b1, c[r][1]);
                }
        }

        const struct kern_epilogue *e = &a->epi;
#pragma GCC unroll 12
        for (unsigned r = 0; r < MR; r++) {
                size_t row = p * MR + r;
                if (row >= a->rows)
                        break;
                __m512 bias = _mm512_set1_ps(e->bias ? e->bias[row] : 0.f);
                float *y = a->y + row * a->ldy + c0;
                const float *res = e->res ? e->res + row * e->ld_res + c0 : NULL;
                if (V == 2) {
                        epi_store16(e, row, c[r][0], bias, y, res, 0xffff);
                        epi_store16(e, row, c[r][1], bias, y + 16, res ? res + 16 : NULL, mlast);
                } else
                        epi_store16(e, row, c[r][0], bias, y, res, mlast);
        }
}

static T void gemm_avx512(const struct kern_gemm_args *a) {
        for (size_t c0 = a->col_begin; c0 < a->col_end; c0 += 32) {
                size_t nn = MIN((size_t) 32, a->col_end - c0);
                for (size_t p = a->panel_begin; p < a->panel_end; p++)
                        if (nn == 32)
                                gemm_tile(a, p, c0, 2, 0xffff);
                        else if (nn > 16)
                                gemm_tile(a, p, c0, 2, lanes(nn - 16));
                        else
                                gemm_tile(a, p, c0, 1, lanes(nn));
        }
}

static T void gemv_avx512(const struct kern_gemv_args *a) {
        size_t k_len = a->k_len;
        float tile[KERN_VR] __attribute__((aligned(64)));

        for (size_t p = a->panel_begin; p < a->panel_end; p++) {
                const float *w = a->wv + p * k_len * KERN_VR;
                const float *x = a->x;
                __m512 c0 = _mm512_setzero_ps(), c1 = _mm512_setzero_ps();
                __m512 c2 = _mm512_setzero_ps(), c3 = _mm512_setzero_ps();
                size_t k = 0;

                for (; k + 4 <= k_len; k += 4, w += 4 * KERN_VR, x += 4 * a->incx) {
                        c0 = _mm512_fmadd_ps(_mm512_loadu_ps(w), _mm512_set1_ps(x[0]), c0);
                        c1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 16), _mm512_set1_ps(x[a->incx]), c1);
                        c2 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 32), _mm512_set1_ps(x[2 * a->incx]), c2);
                        c3 = _mm512_fmadd_ps(_mm512_loadu_ps(w + 48), _mm512_set1_ps(x[3 * a->incx]), c3);
                }
                for (; k < k_len; k++, w += KERN_VR, x += a->incx)
                        c0 = _mm512_fmadd_ps(_mm512_loadu_ps(w), _mm512_set1_ps(x[0]), c0);
                _mm512_store_ps(tile, _mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)));
                for (size_t r = 0; r < KERN_VR; r++) {
                        size_t row = p * KERN_VR + r;
                        if (row >= a->rows)
                                break;
                        float v = tile[r] + (a->epi.bias ? a->epi.bias[row] : 0.f);
                        if (a->epi.residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                                v += a->epi.res[row * a->epi.ld_res];
                        v = kern_act1(&a->epi, row, v);
                        if (a->epi.residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                                v += a->epi.res[row * a->epi.ld_res];
                        a->y[row * a->incy] = v;
                }
        }
}

/* The epilogue of an R x (16*V) depthwise tile at (oy, x0). */
static TI void dw_store(const struct kern_dw_args *a, size_t oy, size_t x0, unsigned R, unsigned V,
                        __m512 acc[8][2], __mmask16 mlast, __m512 bias) {
#pragma GCC unroll 8
        for (unsigned r = 0; r < R; r++) {
                size_t o = (oy + r) * a->w_out + x0;
#pragma GCC unroll 2
                for (unsigned v = 0; v < V; v++)
                        epi_store16(&a->epi, 0, acc[r][v], bias, a->dst + o + 16 * v,
                                    a->epi.res ? a->epi.res + o + 16 * v : NULL, v + 1 == V ? mlast : 0xffff);
        }
}

/* R output rows x V vectors of 16 columns at (oy, x0); see kernels-avx2.c. */
static TI void dw_tile(const struct kern_dw_args *a, size_t oy, size_t x0, unsigned R, unsigned V,
                       unsigned KH, unsigned KW, __mmask16 mlast, __m512 bias) {
        __m512 acc[8][2];
        size_t step = a->stride_h * a->pitch;

#pragma GCC unroll 8
        for (unsigned r = 0; r < R; r++)
#pragma GCC unroll 2
                for (unsigned v = 0; v < V; v++)
                        acc[r][v] = _mm512_setzero_ps();
        for (unsigned ky = 0; ky < KH; ky++)
                for (unsigned kx = 0; kx < KW; kx++) {
                        unsigned off = kx * a->dil_w;
                        const float *s = a->src + ((off % a->stride_w) * a->rows + oy * a->stride_h + ky * a->dil_h) * a->pitch +
                                         off / a->stride_w + x0;
                        __m512 w = _mm512_set1_ps(a->w[ky * KW + kx]);
#pragma GCC unroll 8
                        for (unsigned r = 0; r < R; r++)
#pragma GCC unroll 2
                                for (unsigned v = 0; v < V; v++)
                                        acc[r][v] = _mm512_fmadd_ps(w, _mm512_loadu_ps(s + r * step + 16 * v), acc[r][v]);
                }
        dw_store(a, oy, x0, R, V, acc, mlast, bias);
}

/* dw_tile for stride_h = dil_h = 1 with the KH x KW weights in registers:
 * each input row's vectors are loaded once and feed every output row whose
 * window covers it (the loads, not the FMAs, bound dw_tile). Per output the
 * taps are still summed ky-major, kx-minor: the same floats as dw_tile. */
static TI void dw_tile_s1(const struct kern_dw_args *a, size_t oy, size_t x0, unsigned R, unsigned V,
                          unsigned KH, unsigned KW, __mmask16 mlast, __m512 bias, const __m512 *w) {
        __m512 acc[8][2];

#pragma GCC unroll 8
        for (unsigned r = 0; r < R; r++)
#pragma GCC unroll 2
                for (unsigned v = 0; v < V; v++)
                        acc[r][v] = _mm512_setzero_ps();
#pragma GCC unroll 12
        for (unsigned i = 0; i < R + KH - 1; i++)
#pragma GCC unroll 5
                for (unsigned kx = 0; kx < KW; kx++) {
                        unsigned off = kx * a->dil_w;
                        const float *s = a->src + ((off % a->stride_w) * a->rows + oy + i) * a->pitch +
                                         off / a->stride_w + x0;
#pragma GCC unroll 2
                        for (unsigned v = 0; v < V; v++) {
                                __m512 x = _mm512_loadu_ps(s + 16 * v);
#pragma GCC unroll 8
                                for (unsigned r = 0; r < R; r++)
                                        if (i >= r && i - r < KH)
                                                acc[r][v] = _mm512_fmadd_ps(w[(i - r) * KW + kx], x, acc[r][v]);
                        }
                }
        dw_store(a, oy, x0, R, V, acc, mlast, bias);
}

static TI void dw_rows(const struct kern_dw_args *a, size_t oy, unsigned R, unsigned KH, unsigned KW,
                       __m512 bias) {
        size_t x0 = 0;

        for (; x0 + 32 <= a->w_out; x0 += 32)
                dw_tile(a, oy, x0, R, 2, KH, KW, 0xffff, bias);
        for (; x0 < a->w_out; x0 += 16)
                dw_tile(a, oy, x0, R, 1, KH, KW, lanes(a->w_out - x0), bias);
}

/* 3x3, stride_h = dil_h = 1: 8 rows x 32 columns per tile (16 accumulators,
 * 9 weights and one input vector in the 32 zmm registers). */
static TI void dw_plane_3x3_s1(const struct kern_dw_args *a, __m512 bias) {
        __m512 w[9];
        size_t oy = 0;

        for (unsigned i = 0; i < 9; i++)
                w[i] = _mm512_set1_ps(a->w[i]);
        for (; oy + 8 <= a->h_out; oy += 8) {
                size_t x0 = 0;
                for (; x0 + 32 <= a->w_out; x0 += 32)
                        dw_tile_s1(a, oy, x0, 8, 2, 3, 3, 0xffff, bias, w);
                for (; x0 < a->w_out; x0 += 16)
                        dw_tile_s1(a, oy, x0, 8, 1, 3, 3, lanes(a->w_out - x0), bias, w);
        }
        for (; oy < a->h_out; oy++) {
                size_t x0 = 0;
                for (; x0 + 32 <= a->w_out; x0 += 32)
                        dw_tile_s1(a, oy, x0, 1, 2, 3, 3, 0xffff, bias, w);
                for (; x0 < a->w_out; x0 += 16)
                        dw_tile_s1(a, oy, x0, 1, 1, 3, 3, lanes(a->w_out - x0), bias, w);
        }
}

static TI void dw_plane(const struct kern_dw_args *a, unsigned KH, unsigned KW) {
        __m512 bias = _mm512_set1_ps(a->epi.bias ? a->epi.bias[0] : 0.f);
        size_t oy = 0;

        if (a->w_out > 16)
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

static T void dw_avx512(const struct kern_dw_args *a) {
        /* planes of 8 columns or fewer waste half a zmm: AVX2 does them better */
        if (a->w_out <= 8)
                kern_ops_avx2.dw(a);
        else if (a->k_h == 3 && a->k_w == 3 && a->stride_h == 1 && a->dil_h == 1)
                dw_plane_3x3_s1(a, _mm512_set1_ps(a->epi.bias ? a->epi.bias[0] : 0.f));
        else if (a->k_h == 3 && a->k_w == 3)
                dw_plane(a, 3, 3);
        else if (a->k_h == 5 && a->k_w == 5)
                dw_plane(a, 5, 5);
        else
                dw_plane(a, a->k_h, a->k_w);
}

static void split2_avx512(const float *in, size_t n, float *even, float *odd) {
        kern_ops_avx2.split2(in, n, even, odd);
}

const struct kern_ops kern_ops_avx512 = {
        .isa = GPU_CPU_ISA_AVX512,
        .mr = MR,
        .gemm = gemm_avx512,
        .gemv = gemv_avx512,
        .dw = dw_avx512,
        .split2 = split2_avx512,
        .act = act_row_avx512,
};

#endif
