/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Portable micro-kernels: plain C with fixed-size inner loops that the
 * compiler vectorises for whatever the baseline target offers. They are the
 * fallback for CPUs without AVX2 and the second path the tests compare.
 */

#include "gpu/cpu/kernels-internal.h"

#define GMR 4

static void act_row_generic(const struct kern_epilogue *e, size_t row, float *y, size_t n,
                            const float *res) {
        float b = e->bias ? e->bias[row] : 0.f;

        for (size_t i = 0; i < n; i++) {
                float v = y[i] + b;
                if (e->residual == GPU_CPU_RESIDUAL_BEFORE_ACT)
                        v += res[i];
                v = kern_act1(e, row, v);
                if (e->residual == GPU_CPU_RESIDUAL_AFTER_ACT)
                        v += res[i];
                y[i] = v;
        }
}

/* Writes the finished values acc[0..n) of one row through the epilogue. */
static void store_row(const struct kern_epilogue *e, size_t row, const float *acc, float *y,
                      size_t n, const float *res) {
        float tmp[KERN_NR];

        memcpy(tmp, acc, n * sizeof(float));
        act_row_generic(e, row, tmp, n, res);
        memcpy(y, tmp, n * sizeof(float));
}

static void gemm_generic(const struct kern_gemm_args *a) {
        size_t k_len = a->k_len;

        for (size_t p = a->panel_begin; p < a->panel_end; p++) {
                const float *w = a->wp + p * k_len * GMR;
                for (size_t c0 = a->col_begin; c0 < a->col_end; c0 += KERN_NR) {
                        size_t nn = MIN((size_t) KERN_NR, a->col_end - c0);
                        float acc[GMR][KERN_NR] = {};
                        const float *x = a->x + c0;

                        if (nn == KERN_NR)
                                for (size_t k = 0; k < k_len; k++) {
                                        const float *xr = x + k * a->ldx;
                                        for (size_t r = 0; r < GMR; r++)
                                                for (size_t j = 0; j < KERN_NR; j++)
                                                        acc[r][j] += w[k * GMR + r] * xr[j];
                                }
                        else
                                for (size_t k = 0; k < k_len; k++) {
                                        const float *xr = x + k * a->ldx;
                                        for (size_t r = 0; r < GMR; r++)
                                                for (size_t j = 0; j < nn; j++)
                                                        acc[r][j] += w[k * GMR + r] * xr[j];
                                }

                        for (size_t r = 0; r < GMR; r++) {
                                size_t row = p * GMR + r;
                                if (row >= a->rows)
                                        break;
                                store_row(&a->epi, row, acc[r], a->y + row * a->ldy + c0, nn,
                                          a->epi.res ? a->epi.res + row * a->epi.ld_res + c0 : NULL);
                        }
                }
        }
}

static void gemv_generic(const struct kern_gemv_args *a) {
        for (size_t p = a->panel_begin; p < a->panel_end; p++) {
                const float *w = a->wv + p * a->k_len * KERN_VR;
                float acc[KERN_VR] = {};

                for (size_t k = 0; k < a->k_len; k++) {
                        float xk = a->x[k * a->incx];
                        for (size_t r = 0; r < KERN_VR; r++)
                                acc[r] += w[k * KERN_VR + r] * xk;
                }
                for (size_t r = 0; r < KERN_VR; r++) {
                        size_t row = p * KERN_VR + r;
                        if (row >= a->rows)
                                break;
                        float v = acc[r];
                        act_row_generic(&a->epi, row, &v, 1,
                                        a->epi.res ? a->epi.res + row * a->epi.ld_res : NULL);
                        a->y[row * a->incy] = v;
                }
        }
}

#define DW_CHUNK 64

static void dw_generic(const struct kern_dw_args *a) {
        for (size_t oy = 0; oy < a->h_out; oy++)
                for (size_t x0 = 0; x0 < a->w_out; x0 += DW_CHUNK) {
                        size_t nn = MIN((size_t) DW_CHUNK, a->w_out - x0);
                        float acc[DW_CHUNK] = {};

                        for (unsigned ky = 0; ky < a->k_h; ky++) {
                                size_t r = oy * a->stride_h + ky * a->dil_h;
                                for (unsigned kx = 0; kx < a->k_w; kx++) {
                                        unsigned off = kx * a->dil_w;
                                        const float *s = a->src +
                                                ((off % a->stride_w) * a->rows + r) * a->pitch +
                                                off / a->stride_w + x0;
                                        float wv = a->w[ky * a->k_w + kx];
                                        for (size_t j = 0; j < nn; j++)
                                                acc[j] += wv * s[j];
                                }
                        }
                        float *y = a->dst + oy * a->w_out + x0;
                        const float *res = a->epi.res ? a->epi.res + oy * a->w_out + x0 : NULL;
                        act_row_generic(&a->epi, 0, acc, nn, res);
                        memcpy(y, acc, nn * sizeof(float));
                }
}

static void split2_generic(const float *in, size_t n, float *even, float *odd) {
        for (size_t j = 0; j < n; j++) {
                even[j] = in[2 * j];
                odd[j] = in[2 * j + 1];
        }
}

const struct kern_ops kern_ops_generic = {
        .split2 = split2_generic,
        .isa = GPU_CPU_ISA_GENERIC,
        .mr = GMR,
        .gemm = gemm_generic,
        .gemv = gemv_generic,
        .dw = dw_generic,
        .act = act_row_generic,
};
