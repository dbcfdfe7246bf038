/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Faster data-movement ops of the CPU backend (gpu/cpu/ops-fast.c). */

#include "gpu/cpu/kernels.h"
#include "gpu/graph.h"

/* A Transpose reduced to its fewest axes: out = permute(in viewed as in_dims[0..rank)). */
struct gpu_cpu_transpose {
        int rank;
        size_t in_dims[GPU_MAX_DIMS];
        int perm[GPU_MAX_DIMS];
        size_t count;
};

void gpu_cpu_transpose_plan(const struct gpu_tensor *x, const int *perm, struct gpu_cpu_transpose *ret);
void gpu_cpu_transpose_run(const struct gpu_cpu_transpose *t, const float *in, float *out,
                           struct gpu_cpu_threadpool *tp);
