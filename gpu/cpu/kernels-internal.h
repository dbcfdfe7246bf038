/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Shared between the op drivers (kernels-conv.c, kernels-gemm.c, ...) and the
 * per-ISA micro-kernels (kernels-generic.c, kernels-avx2.c). The drivers pick
 * shapes, pack weights and split work; the micro-kernels do the arithmetic.
 */

#include "gpu/cpu/kernels.h"

/* Columns of one GEMM tile (every ISA) and rows of one GEMV panel. */
#define KERN_NR 16
#define KERN_VR 16
/* A product with at most this many columns runs as GEMV (vectorised over rows). */
#define KERN_GEMV_MAX_COLS 3

/* Applied to each output row (channel) after the dot products. */
struct kern_epilogue {
        const float *bias;              /* [rows] or NULL */
        const float *slopes;            /* PRELU: [rows] (expanded at prepare) */
        enum gpu_cpu_act act;
        float lo, hi, alpha;
        enum gpu_cpu_residual residual;
        const float *res;               /* same layout as the output (row stride ld_res) */
        size_t ld_res;
};

/* Y[rows][cols] = W * X with W packed in panels of mr rows: panel p holds
 * W[p*mr + r][k] at wp[p*k_len*mr + k*mr + r] (zero rows pad the last one). */
struct kern_gemm_args {
        size_t k_len;
        size_t mr;
        const float *wp;
        size_t rows;                    /* valid rows (<= panels * mr) */
        const float *x;                 /* [k_len][ldx] */
        size_t ldx;
        float *y;                       /* [rows][ldy] */
        size_t ldy;
        size_t col_begin, col_end;      /* columns to compute */
        size_t panel_begin, panel_end;  /* panels to compute */
        struct kern_epilogue epi;       /* indexed by row, res by row*ld_res + col */
};

/* y[r*incy] = W[r] . x for rows in panels of KERN_VR: panel p holds
 * W[p*VR + r][k] at wv[p*k_len*VR + k*VR + r]. */
struct kern_gemv_args {
        size_t k_len;
        const float *wv;
        size_t rows;
        const float *x;
        size_t incx;
        float *y;
        size_t incy;
        size_t panel_begin, panel_end;
        struct kern_epilogue epi;       /* res indexed by r*ld_res */
};

/* One depthwise output plane from a zero-padded copy of its input plane,
 * split into stride_w column phases: phase f, row r, column j holds the
 * padded input at (r, j*stride_w + f), at src[(f*rows + r)*pitch + j]. */
struct kern_dw_args {
        const float *src;
        size_t pitch, rows;
        unsigned k_h, k_w, stride_h, stride_w, dil_h, dil_w;
        const float *w;                 /* [k_h][k_w] */
        float *dst;
        size_t h_out, w_out;
        struct kern_epilogue epi;       /* one channel: bias[0], slopes[0]; res row stride w_out */
};

struct kern_ops {
        enum gpu_cpu_isa isa;
        size_t mr;
        void (*gemm)(const struct kern_gemm_args *a);
        void (*gemv)(const struct kern_gemv_args *a);
        void (*dw)(const struct kern_dw_args *a);
        /* even[j] = in[2j], odd[j] = in[2j+1] for j < n */
        void (*split2)(const float *in, size_t n, float *even, float *odd);
        void (*act)(const struct kern_epilogue *e, size_t row, float *y, size_t n,
                    const float *res);
};

extern const struct kern_ops kern_ops_generic;
extern const struct kern_ops kern_ops_avx2;
extern const struct kern_ops kern_ops_avx512;

const struct kern_ops *kern_ops_for(enum gpu_cpu_isa isa);

/* Scalar epilogue, the definition every ISA must match. */
static inline float kern_act1(const struct kern_epilogue *e, size_t row, float v) {
        switch (e->act) {
        case GPU_CPU_ACT_RELU:
                return v > 0.f ? v : 0.f;
        case GPU_CPU_ACT_CLIP:
                return v < e->lo ? e->lo : v > e->hi ? e->hi : v;
        case GPU_CPU_ACT_LEAKY:
                return v >= 0.f ? v : e->alpha * v;
        case GPU_CPU_ACT_PRELU:
                return v >= 0.f ? v : e->slopes[row] * v;
        case GPU_CPU_ACT_SIGMOID:
                return 1.f / (1.f + __builtin_expf(-v));
        default:
                return v;
        }
}

/* Validates an activation and returns a per-row epilogue template (slopes
 * expanded into *ret_slopes, owned by the caller, for PRELU). */
int kern_epilogue_init(const struct gpu_cpu_activation *act, size_t rows,
                       struct kern_epilogue *ret, float **ret_slopes);

/* Packs W[rows][k_len] (row stride ldw) into panels of mr rows. */
float *kern_pack_panels(const float *w, size_t rows, size_t k_len, size_t ldw, size_t mr);
