/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Compute kernels of the CPU backend (library "gpukern").
 *
 * Data layout: NCHW float32, densely packed, batch handled by looping.
 * Every op is built once with *_prepare() when shapes and constant weights
 * are known (weights are packed there, the ISA is chosen there) and run
 * many times with *_run(), which allocates nothing: temporary space comes
 * from the caller's scratch buffer, sized by *_scratch_size() for a given
 * thread count (scratch must be 64-byte aligned; it need not be zeroed).
 *
 * Thread safety: a prepared op is immutable, so several threads may run it
 * at the same time with different scratch buffers. A thread pool runs one
 * parallel job at a time (it is driven by one thread).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"

/* ------------------------------------------------------------------------
 * Instruction sets. GPU_CPU_ISA_AUTO picks the best the CPU supports, unless
 * the environment variable LANESIGHT_CPU_ISA=generic|avx2|avx512 forces one
 * (lower than the CPU's best only; used by tests to cover every path).
 * ---------------------------------------------------------------------- */
enum gpu_cpu_isa {
        GPU_CPU_ISA_AUTO = 0,
        GPU_CPU_ISA_GENERIC,    /* portable C, auto-vectorised by the compiler */
        GPU_CPU_ISA_AVX2,       /* AVX2 + FMA */
        GPU_CPU_ISA_AVX512,     /* AVX-512F (with AVX2 + FMA for the narrow cases) */
        _GPU_CPU_ISA_MAX,
        _GPU_CPU_ISA_INVALID = -EINVAL,
};

/* Resolves AUTO (and anything the CPU lacks) to a supported ISA. */
enum gpu_cpu_isa gpu_cpu_isa_resolve(enum gpu_cpu_isa want);
const char *gpu_cpu_isa_to_string(enum gpu_cpu_isa isa);
enum gpu_cpu_isa gpu_cpu_isa_from_string(const char *s);

/* ------------------------------------------------------------------------
 * Floating-point mode of the calling thread: the control word that holds
 * denormal handling (MXCSR on x86, FPCR on aarch64; nothing elsewhere).
 * Denormal operands and results cost x86 cores tens to hundreds of cycles
 * per instruction and a network's activations decay into them, so kernels
 * run with denormals flushed to zero (FTZ+DAZ; FZ on aarch64): the caller
 * of a model run switches with gpu_cpu_fpmode_flush_denormals() and puts
 * its own mode back with gpu_cpu_fpmode_set() afterwards. Any thread.
 * ---------------------------------------------------------------------- */
struct gpu_cpu_fpmode {
        uint64_t word;  /* the control register's value, opaque */
};

struct gpu_cpu_fpmode gpu_cpu_fpmode_get(void);
void gpu_cpu_fpmode_set(struct gpu_cpu_fpmode mode);
/* Flushes denormal inputs and results to zero on this thread; returns the mode before. */
struct gpu_cpu_fpmode gpu_cpu_fpmode_flush_denormals(void);
/* Whether this thread's mode flushes denormals (false where there is no such mode). */
bool gpu_cpu_fpmode_flushes_denormals(void);

/* ------------------------------------------------------------------------
 * Thread pool: n_threads workers including the calling thread (n - 1
 * pthreads are created once). run() splits [0, n_items) into chunks and
 * returns when all are done. A NULL pool runs everything on the caller.
 * Workers run each job in the floating-point mode (above) of the thread
 * that called run(), so a chunk gives the same result on any thread.
 * ---------------------------------------------------------------------- */
struct gpu_cpu_threadpool;

/* begin..end is a chunk of items; thread is 0..size-1 (index of the scratch slot). */
typedef void (*gpu_cpu_task_fn)(void *userdata, size_t begin, size_t end, unsigned thread);

int gpu_cpu_threadpool_new(unsigned n_threads, struct gpu_cpu_threadpool **ret);
struct gpu_cpu_threadpool *gpu_cpu_threadpool_free(struct gpu_cpu_threadpool *tp);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cpu_threadpool *, gpu_cpu_threadpool_free);
/* 1 for a NULL pool. */
unsigned gpu_cpu_threadpool_size(const struct gpu_cpu_threadpool *tp);
/* Calls fn on chunks of about `grain` items or more (grain 0 = split evenly). */
void gpu_cpu_threadpool_run(struct gpu_cpu_threadpool *tp, size_t n_items, size_t grain,
                            gpu_cpu_task_fn fn, void *userdata);

/* ------------------------------------------------------------------------
 * Activations, fused into the producing op's epilogue.
 * ---------------------------------------------------------------------- */
enum gpu_cpu_act {
        GPU_CPU_ACT_NONE = 0,
        GPU_CPU_ACT_RELU,       /* max(x, 0) */
        GPU_CPU_ACT_CLIP,       /* min(max(x, min), max); Relu6 is clip(0, 6) */
        GPU_CPU_ACT_LEAKY,      /* x >= 0 ? x : alpha * x */
        GPU_CPU_ACT_PRELU,      /* x >= 0 ? x : slope[c] * x; n_slopes is 1 or channels */
        GPU_CPU_ACT_SIGMOID,    /* 1 / (1 + exp(-x)) */
        _GPU_CPU_ACT_MAX,
        _GPU_CPU_ACT_INVALID = -EINVAL,
};

struct gpu_cpu_activation {
        enum gpu_cpu_act type;
        float min, max;          /* CLIP */
        float alpha;             /* LEAKY */
        const float *slopes;     /* PRELU: copied at prepare time */
        size_t n_slopes;         /* PRELU: 1 (shared) or the channel count */
};

/* Where a fused residual Add goes relative to the activation. */
enum gpu_cpu_residual {
        GPU_CPU_RESIDUAL_NONE = 0,
        GPU_CPU_RESIDUAL_BEFORE_ACT,    /* out = act(op + residual)   (Conv -> Add -> Relu) */
        GPU_CPU_RESIDUAL_AFTER_ACT,     /* out = act(op) + residual   (Conv -> PRelu -> Add) */
        _GPU_CPU_RESIDUAL_MAX,
        _GPU_CPU_RESIDUAL_INVALID = -EINVAL,
};

/* ------------------------------------------------------------------------
 * Conv2d (ONNX Conv): any groups, strides, dilations, pads. The algorithm is
 * chosen at prepare time: 1x1 stride 1 → blocked GEMM on the input itself;
 * depthwise (groups == c_in == c_out) → direct per-plane kernels; otherwise
 * im2col (in scratch) + blocked GEMM per group.
 * pad_bottom/pad_right are implied by h_out/w_out (ONNX's asymmetric and
 * SAME pads fit): h_out = (h_in + pad_top + pad_bottom - dil_h*(k_h-1) - 1) / stride_h + 1.
 * ---------------------------------------------------------------------- */
struct gpu_cpu_conv2d_params {
        unsigned batch;                 /* 0 means 1 */
        unsigned c_in, h_in, w_in;
        unsigned c_out, h_out, w_out;
        unsigned k_h, k_w;
        unsigned stride_h, stride_w;    /* 0 means 1 */
        unsigned dil_h, dil_w;          /* 0 means 1 */
        unsigned pad_top, pad_left;
        unsigned groups;                /* 0 means 1 */
        struct gpu_cpu_activation act;
        enum gpu_cpu_residual residual; /* residual tensor has the output's shape */
        enum gpu_cpu_isa isa;           /* normally AUTO */
};

struct gpu_cpu_conv2d;

/* weights: ONNX layout [c_out][c_in/groups][k_h][k_w]; bias: [c_out] or NULL.
 * Both are copied/packed: the caller may free them afterwards.
 * -EINVAL for inconsistent shapes, -ENOMEM. */
int gpu_cpu_conv2d_prepare(const struct gpu_cpu_conv2d_params *p, const float *weights,
                           const float *bias, struct gpu_cpu_conv2d **ret);
struct gpu_cpu_conv2d *gpu_cpu_conv2d_free(struct gpu_cpu_conv2d *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cpu_conv2d *, gpu_cpu_conv2d_free);

/* Bytes of scratch run() needs when driven by a pool of n_threads (may be 0).
 * Pass the size of the pool run() will get: each thread uses its own slice. */
size_t gpu_cpu_conv2d_scratch_size(const struct gpu_cpu_conv2d *c, unsigned n_threads);
/* The ISA the op runs with, and a short name of the algorithm (for benches/logs). */
enum gpu_cpu_isa gpu_cpu_conv2d_isa(const struct gpu_cpu_conv2d *c);
const char *gpu_cpu_conv2d_algorithm(const struct gpu_cpu_conv2d *c);

/* in: [batch][c_in][h_in][w_in]; out: [batch][c_out][h_out][w_out], must not
 * alias in; residual: output-shaped, required iff params.residual != NONE (it
 * may alias out). scratch: scratch_size(c, size of tp) bytes, 64-byte aligned.
 * Returns 0, or -EINVAL for a missing residual. */
int gpu_cpu_conv2d_run(const struct gpu_cpu_conv2d *c, const float *in, const float *residual,
                       float *out, void *scratch, struct gpu_cpu_threadpool *tp);

/* ------------------------------------------------------------------------
 * Depthwise conv followed by a 1x1 conv that is the only reader of its output
 * (MobileNet-style blocks): run band by band of output rows, each band's
 * depthwise result staying in per-thread scratch (cache-sized) instead of
 * going through memory. The floats are those of running the two in turn.
 * The fused op borrows both prepared convs: they must outlive it.
 * ---------------------------------------------------------------------- */
struct gpu_cpu_dwpw;

/* -EOPNOTSUPP when the pair does not fuse (not depthwise then 1x1 GEMM, a
 * residual on the depthwise, shapes that do not chain, different ISAs).
 * n_threads: the size of the pool run() will get (sets the band height). */
int gpu_cpu_dwpw_prepare(const struct gpu_cpu_conv2d *dw, const struct gpu_cpu_conv2d *pw, unsigned n_threads,
                         struct gpu_cpu_dwpw **ret);
struct gpu_cpu_dwpw *gpu_cpu_dwpw_free(struct gpu_cpu_dwpw *f);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cpu_dwpw *, gpu_cpu_dwpw_free);
size_t gpu_cpu_dwpw_scratch_size(const struct gpu_cpu_dwpw *f, unsigned n_threads);
/* in: the depthwise input; residual: the 1x1 conv's (iff its params say so;
 * it may alias out); out must not overlap in. */
int gpu_cpu_dwpw_run(const struct gpu_cpu_dwpw *f, const float *in, const float *residual, float *out,
                     void *scratch, struct gpu_cpu_threadpool *tp);

/* ------------------------------------------------------------------------
 * Gemm (ONNX Gemm / MatMul with a constant right operand):
 *   Y[m][n] = act(alpha * sum_k A'[m][k] B'[k][n] + beta * C[m][n])
 * A' = trans_a ? A^T : A (A given at run time), B' likewise (B constant, packed
 * at prepare). C is constant and broadcast as c_kind says.
 * ---------------------------------------------------------------------- */
enum gpu_cpu_gemm_c {
        GPU_CPU_GEMM_C_NONE = 0,
        GPU_CPU_GEMM_C_SCALAR,  /* c[0] */
        GPU_CPU_GEMM_C_ROW,     /* c[n]: one value per column (ONNX C of shape [N] or [1,N]) */
        GPU_CPU_GEMM_C_COL,     /* c[m]: one value per row (shape [M,1]) */
        GPU_CPU_GEMM_C_FULL,    /* c[m][n] */
        _GPU_CPU_GEMM_C_MAX,
        _GPU_CPU_GEMM_C_INVALID = -EINVAL,
};

struct gpu_cpu_gemm_params {
        unsigned m, k, n;
        bool trans_a, trans_b;
        float alpha, beta;      /* both 0 are read as 1 (ONNX defaults); to drop C use C_NONE */
        enum gpu_cpu_gemm_c c_kind;
        struct gpu_cpu_activation act;
        enum gpu_cpu_isa isa;
};

struct gpu_cpu_gemm;

/* b: [k][n] (or [n][k] with trans_b); c as c_kind says (NULL for NONE). */
int gpu_cpu_gemm_prepare(const struct gpu_cpu_gemm_params *p, const float *b, const float *c,
                         struct gpu_cpu_gemm **ret);
struct gpu_cpu_gemm *gpu_cpu_gemm_free(struct gpu_cpu_gemm *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cpu_gemm *, gpu_cpu_gemm_free);
size_t gpu_cpu_gemm_scratch_size(const struct gpu_cpu_gemm *g, unsigned n_threads);
/* a: [m][k] (or [k][m] with trans_a); y: [m][n], must not alias a. */
int gpu_cpu_gemm_run(const struct gpu_cpu_gemm *g, const float *a, float *y, void *scratch,
                     struct gpu_cpu_threadpool *tp);

/* Batched MatMul of two run-time tensors (no packing): for each of `batch`
 * pairs, Y[m][n] = sum_k A[m][k] B[k][n]. Strides are in floats between batches
 * (0 broadcasts an operand). */
void gpu_cpu_matmul(size_t batch, size_t m, size_t k, size_t n,
                    const float *a, ptrdiff_t a_batch_stride,
                    const float *b, ptrdiff_t b_batch_stride,
                    float *y, struct gpu_cpu_threadpool *tp);

/* ------------------------------------------------------------------------
 * Pooling (ONNX MaxPool, AveragePool) and GlobalAveragePool.
 * ---------------------------------------------------------------------- */
enum gpu_cpu_pool {
        GPU_CPU_POOL_MAX = 0,
        GPU_CPU_POOL_AVG,
        _GPU_CPU_POOL_MAX,
        _GPU_CPU_POOL_INVALID = -EINVAL,
};

struct gpu_cpu_pool2d_params {
        enum gpu_cpu_pool type;
        unsigned batch;                 /* 0 means 1 */
        unsigned channels, h_in, w_in, h_out, w_out;
        unsigned k_h, k_w;
        unsigned stride_h, stride_w;    /* 0 means 1 */
        unsigned dil_h, dil_w;          /* 0 means 1 (MaxPool only) */
        unsigned pad_top, pad_left;     /* bottom/right implied by h_out/w_out */
        bool count_include_pad;         /* AVG: divide by k_h*k_w even at borders */
};

/* Padding never wins a max (ONNX semantics). -EINVAL for bad params. */
int gpu_cpu_pool2d_run(const struct gpu_cpu_pool2d_params *p, const float *in, float *out,
                       struct gpu_cpu_threadpool *tp);
/* out[i] = mean of in[i*hw .. (i+1)*hw), for i < planes (= batch*channels). */
void gpu_cpu_global_avgpool(size_t planes, size_t hw, const float *in, float *out,
                            struct gpu_cpu_threadpool *tp);

/* ------------------------------------------------------------------------
 * Elementwise ops with numpy broadcasting, up to GPU_CPU_MAX_DIMS dims:
 * the caller gives the output shape and each input's strides in floats over
 * that shape (0 where an input is broadcast). The innermost dim runs vectorised
 * when its strides are 1 or 0. out may alias a or b when their strides equal out's.
 * ---------------------------------------------------------------------- */
#define GPU_CPU_MAX_DIMS 6

enum gpu_cpu_binary {
        GPU_CPU_BINARY_ADD = 0,
        GPU_CPU_BINARY_SUB,
        GPU_CPU_BINARY_MUL,
        GPU_CPU_BINARY_DIV,
        GPU_CPU_BINARY_MAX,     /* elementwise max */
        GPU_CPU_BINARY_MIN,
        _GPU_CPU_BINARY_MAX,
        _GPU_CPU_BINARY_INVALID = -EINVAL,
};

int gpu_cpu_binary_run(enum gpu_cpu_binary op, size_t ndim, const size_t *shape,
                       const float *a, const ptrdiff_t *a_strides,
                       const float *b, const ptrdiff_t *b_strides,
                       float *out, struct gpu_cpu_threadpool *tp);

/* Standalone activation over `planes` (= batch*channels) planes of `hw`
 * values; PRELU slopes index the channel (plane % n_slopes when n_slopes > 1).
 * in == out is allowed. */
int gpu_cpu_activation_run(const struct gpu_cpu_activation *act, size_t planes, size_t hw,
                           const float *in, float *out, struct gpu_cpu_threadpool *tp);
