/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Plain reference implementations of every graph op: straightforward loops,
 * double accumulation, no threads. They are the oracle the fast kernels and
 * the GPU backends are tested against, and the CPU backend's fallback for
 * ops without a fast kernel.
 *
 * ptr[t] is the data of tensor t (constants: tensor->data; others: the arena
 * at tensor->offset). The output must not overlap any input.
 */

#include <math.h>

#include "gpu/graph.h"

int gpu_cpu_ref_run_node(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);

/* Per-op entry points (gpu/cpu/ops-nn.c, gpu/cpu/ops-tensor.c). */
void gpu_cpu_ref_conv(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_pool(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_global_avg_pool(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_gemm(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_matmul(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_batch_norm(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_softmax(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_unary(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_binary(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_concat(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_transpose(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_pad(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_resize(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);
void gpu_cpu_ref_copy(const struct gpu_graph *g, const struct gpu_node *n, float *const *ptr);

/* act(x) for one value; slope is PRelu's (ignored otherwise). */
static inline float gpu_act_apply(const struct gpu_act_attrs *a, float x, float slope) {
        switch (a->type) {
        case GPU_ACT_RELU:
                return x > 0.0f ? x : 0.0f;
        case GPU_ACT_CLIP:
                return x < a->alpha ? a->alpha : x > a->beta ? a->beta : x;
        case GPU_ACT_LEAKY_RELU:
                return x >= 0.0f ? x : a->alpha * x;
        case GPU_ACT_PRELU:
                return x >= 0.0f ? x : slope * x;
        case GPU_ACT_SIGMOID:
                return 1.0f / (1.0f + expf(-x));
        default:
                return x;
        }
}

/* Row-major strides (in elements) of t's shape, right-aligned into rank dims (broadcast dims get 0). */
void gpu_broadcast_strides(const struct gpu_tensor *t, int rank, const int64_t *out_dims, size_t *strides);
