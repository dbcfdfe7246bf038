/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Microbenchmark of the CPU conv kernels on the real layers of the three
 * shipped models (shapes dumped from the ONNX files; random weights). For each
 * model it runs every conv back to back, as an inference would, and prints the
 * whole-model conv time (median over rounds) and the GFLOP/s reached, for 1
 * and 2 threads; -v adds one line per layer; --peak measures the machine's
 * single-core FMA peak for comparison.
 *
 *   bench-kernels [-v] [--peak] [--cputime] [--rounds N] [--threads N] [--model NAME] [--isa NAME]
 *   bench-kernels --print-isa      the ISA the kernels pick here (LANESIGHT_CPU_ISA applies)
 */

#include <getopt.h>
#include <math.h>
#include <time.h>

#include "gpu/cpu/kernels.h"

struct layer {
        unsigned model;
        struct gpu_cpu_conv2d_params p;
};

static const char *const model_names[] = { "blazeface-128", "blazeface-256", "fr_feature" };

static const struct layer layers[] = {
        { 0, { .c_in = 3, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 5, .k_w = 5, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 28, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 28, .h_in = 64, .w_in = 64, .c_out = 28, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = 0, .groups = 28, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 28, .h_in = 32, .w_in = 32, .c_out = 32, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 32, .h_in = 32, .w_in = 32, .c_out = 32, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 32, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 32, .h_in = 32, .w_in = 32, .c_out = 36, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 36, .h_in = 32, .w_in = 32, .c_out = 36, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 36, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 36, .h_in = 32, .w_in = 32, .c_out = 42, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 42, .h_in = 32, .w_in = 32, .c_out = 42, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = 0, .groups = 42, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 42, .h_in = 16, .w_in = 16, .c_out = 48, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 48, .h_in = 16, .w_in = 16, .c_out = 48, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 48, .h_in = 16, .w_in = 16, .c_out = 56, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 56, .h_in = 16, .w_in = 16, .c_out = 56, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 56, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 56, .h_in = 16, .w_in = 16, .c_out = 64, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 64, .h_in = 16, .w_in = 16, .c_out = 64, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 64, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 64, .h_in = 16, .w_in = 16, .c_out = 72, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 72, .h_in = 16, .w_in = 16, .c_out = 72, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 72, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 72, .h_in = 16, .w_in = 16, .c_out = 80, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 80, .h_in = 16, .w_in = 16, .c_out = 80, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 80, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 80, .h_in = 16, .w_in = 16, .c_out = 88, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 88, .h_in = 16, .w_in = 16, .c_out = 88, .h_out = 8, .w_out = 8, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = 0, .groups = 88, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 88, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 6, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 88, .h_in = 16, .w_in = 16, .c_out = 32, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 0, { .c_in = 88, .h_in = 16, .w_in = 16, .c_out = 2, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 3, .h_in = 256, .w_in = 256, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 5, .k_w = 5, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 128, .w_out = 128, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 128, .w_in = 128, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = 0, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 64, .w_out = 64, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 64, .w_in = 64, .c_out = 24, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = 0, .groups = 24, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 24, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 32, .w_out = 32, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 32, .w_in = 32, .c_out = 48, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = 0, .groups = 48, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 48, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 0, .pad_left = 0, .groups = 96, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 96, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 8, .w_in = 8, .c_out = 6, .h_out = 8, .w_out = 8, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 32, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 1, { .c_in = 96, .h_in = 16, .w_in = 16, .c_out = 2, .h_out = 16, .w_out = 16, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_RELU } },
        { 2, { .c_in = 3, .h_in = 112, .w_in = 112, .c_out = 64, .h_out = 56, .w_out = 56, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 64, .h_in = 56, .w_in = 56, .c_out = 64, .h_out = 56, .w_out = 56, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 64, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 64, .h_in = 56, .w_in = 56, .c_out = 128, .h_out = 56, .w_out = 56, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 56, .w_in = 56, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .groups = 128, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 64, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 64, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 128, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 64, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 64, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 128, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 64, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 64, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 128, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 64, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 64, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 128, .h_out = 28, .w_out = 28, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 128, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 28, .w_in = 28, .c_out = 64, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 64, .h_in = 28, .w_in = 28, .c_out = 256, .h_out = 28, .w_out = 28, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 28, .w_in = 28, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 256, .h_out = 14, .w_out = 14, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 14, .w_in = 14, .c_out = 128, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 14, .w_in = 14, .c_out = 512, .h_out = 14, .w_out = 14, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 512, .h_in = 14, .w_in = 14, .c_out = 512, .h_out = 7, .w_out = 7, .k_h = 3, .k_w = 3, .stride_h = 2, .stride_w = 2, .pad_top = 1, .pad_left = 1, .groups = 512, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 512, .h_in = 7, .w_in = 7, .c_out = 128, .h_out = 7, .w_out = 7, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 7, .w_in = 7, .c_out = 256, .h_out = 7, .w_out = 7, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 7, .w_in = 7, .c_out = 256, .h_out = 7, .w_out = 7, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 7, .w_in = 7, .c_out = 128, .h_out = 7, .w_out = 7, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 7, .w_in = 7, .c_out = 256, .h_out = 7, .w_out = 7, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 7, .w_in = 7, .c_out = 256, .h_out = 7, .w_out = 7, .k_h = 3, .k_w = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_left = 1, .groups = 256, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 256, .h_in = 7, .w_in = 7, .c_out = 128, .h_out = 7, .w_out = 7, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 128, .h_in = 7, .w_in = 7, .c_out = 512, .h_out = 7, .w_out = 7, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 512, .h_in = 7, .w_in = 7, .c_out = 512, .h_out = 1, .w_out = 1, .k_h = 7, .k_w = 7, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 512, .act.type = GPU_CPU_ACT_PRELU } },
        { 2, { .c_in = 512, .h_in = 1, .w_in = 1, .c_out = 512, .h_out = 1, .w_out = 1, .k_h = 1, .k_w = 1, .stride_h = 1, .stride_w = 1, .pad_top = 0, .pad_left = 0, .groups = 1, .act.type = GPU_CPU_ACT_PRELU } },
};

/* --cputime: the calling thread's CPU time, which a loaded machine disturbs
 * less than wall time (meaningful with one thread only). */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now_us(void) {
        struct timespec ts;
        clock_gettime(bench_clock, &ts);
        return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

static double median(double *v, size_t n) {
        qsort(v, n, sizeof(double), cmp_double);
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double layer_macs(const struct gpu_cpu_conv2d_params *p) {
        unsigned g = p->groups ? p->groups : 1;
        return (double) p->c_out * p->h_out * p->w_out * (p->c_in / g) * p->k_h * p->k_w;
}

static void fill(float *a, size_t n, unsigned seed) {
        for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                a[i] = (float) ((seed >> 8) % 2001) / 1000.f - 1.f;
        }
}

struct model_run {
        size_t n;
        struct gpu_cpu_conv2d *convs[80];
        const struct layer *l[80];
        float *in[80], *out[80];
        void *scratch;
        double *layer_us[80];
};

static int bench_model(unsigned model, unsigned threads, unsigned rounds, bool verbose, enum gpu_cpu_isa isa) {
        _cleanup_(gpu_cpu_threadpool_freep) struct gpu_cpu_threadpool *tp = NULL;
        struct model_run m = {};
        size_t scratch = 0, max_tensor = 0;
        double macs = 0;
        int r;

        r = gpu_cpu_threadpool_new(threads, &tp);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(layers); i++) {
                if (layers[i].model != model || m.n >= ELEMENTSOF(m.convs))
                        continue;
                struct gpu_cpu_conv2d_params p = layers[i].p;
                unsigned g = p.groups ? p.groups : 1;
                size_t nw = (size_t) p.c_out * (p.c_in / g) * p.k_h * p.k_w;
                size_t nin = (size_t) p.c_in * p.h_in * p.w_in, nout = (size_t) p.c_out * p.h_out * p.w_out;
                _cleanup_free_ float *w = malloc(nw * sizeof(float)), *b = malloc(p.c_out * sizeof(float));
                float slopes[1024];
                if (!w || !b)
                        return -ENOMEM;
                fill(w, nw, (unsigned) i);
                /* keep activations O(1) through the chain (no inf, no denormals) */
                for (size_t e = 0; e < nw; e++)
                        w[e] *= 1.7f / sqrtf((float) (nw / p.c_out));
                fill(b, p.c_out, (unsigned) i + 7);
                fill(slopes, p.c_out, 3);
                p.act.slopes = slopes;
                p.act.n_slopes = p.c_out;
                p.isa = isa;
                r = gpu_cpu_conv2d_prepare(&p, w, b, &m.convs[m.n]);
                if (r < 0)
                        return r;
                m.l[m.n] = &layers[i];
                m.layer_us[m.n] = calloc(rounds, sizeof(double));
                if (!m.layer_us[m.n])
                        return -ENOMEM;
                max_tensor = MAX(max_tensor, MAX(nin, nout));
                scratch = MAX(scratch, gpu_cpu_conv2d_scratch_size(m.convs[m.n], threads));
                macs += layer_macs(&p);
                m.n++;
        }
        /* Two ping-pong buffers, as a memory plan would reuse them: each
         * layer reads what the previous one wrote (still warm in cache). */
        _cleanup_free_ float *buf0 = aligned_alloc(64, ALIGN_UP(max_tensor * sizeof(float), 64));
        _cleanup_free_ float *buf1 = aligned_alloc(64, ALIGN_UP(max_tensor * sizeof(float), 64));
        if (!buf0 || !buf1)
                return -ENOMEM;
        fill(buf0, max_tensor, 11);
        fill(buf1, max_tensor, 12);
        for (size_t i = 0; i < m.n; i++) {
                m.in[i] = i % 2 ? buf1 : buf0;
                m.out[i] = i % 2 ? buf0 : buf1;
        }
        m.scratch = aligned_alloc(64, ALIGN_UP(MAX(scratch, (size_t) 64), 64));
        _cleanup_free_ double *total = calloc(rounds, sizeof(double));
        if (!m.scratch || !total)
                return -ENOMEM;

        for (unsigned round = 0; round < rounds + 2; round++) {
                double t_start = now_us();
                for (size_t i = 0; i < m.n; i++) {
                        double t0 = now_us();
                        (void) gpu_cpu_conv2d_run(m.convs[i], m.in[i], NULL, m.out[i], m.scratch, tp);
                        if (round >= 2)
                                m.layer_us[i][round - 2] = now_us() - t0;
                }
                if (round >= 2)
                        total[round - 2] = now_us() - t_start;
        }

        if (verbose)
                for (size_t i = 0; i < m.n; i++) {
                        const struct gpu_cpu_conv2d_params *p = &m.l[i]->p;
                        double us = median(m.layer_us[i], rounds);
                        double best = m.layer_us[i][0]; /* sorted by median() */
                        printf("  %-14s %3zu %4ux%3ux%3u -> %4ux%3ux%3u k%ux%u s%u g%-4u %-12s %8.1f us (min %8.1f) %6.1f GFLOP/s\n",
                               model_names[model], i, p->c_in, p->h_in, p->w_in, p->c_out, p->h_out, p->w_out,
                               p->k_h, p->k_w, p->stride_h, p->groups, gpu_cpu_conv2d_algorithm(m.convs[i]), us, best,
                               2 * layer_macs(p) / best / 1e3);
                }
        double med = median(total, rounds), best = total[0];
        printf("%-14s threads %u isa %-7s convs %3zu  %6.1f M MAC  median %7.3f ms  min %7.3f ms  %6.1f GFLOP/s (at min)\n",
               model_names[model], threads, gpu_cpu_isa_to_string(gpu_cpu_conv2d_isa(m.convs[0])), m.n, macs / 1e6,
               med / 1e3, best / 1e3, 2 * macs / best / 1e3);

        for (size_t i = 0; i < m.n; i++) {
                gpu_cpu_conv2d_free(m.convs[i]);
                free(m.layer_us[i]);
        }
        free(m.scratch);
        return 0;
}

#if defined(__x86_64__)
#include <immintrin.h>
/* 12 independent FMA chains in named registers (an array would go through
 * the stack): the single-core FMA peak for each vector width. */
#define PEAK_FN(name, tgt, vec, set1, fmadd, lanes)                                          \
        __attribute__((target(tgt))) static double name(void) {                            \
                vec m = set1(0.999999f), c = set1(1e-7f);                                       \
                vec a0 = set1(0), a1 = set1(1), a2 = set1(2), a3 = set1(3), a4 = set1(4), a5 = set1(5); \
                vec a6 = set1(6), a7 = set1(7), a8 = set1(8), a9 = set1(9), a10 = set1(10), a11 = set1(11); \
                size_t iters = 20u * 1000 * 1000;                                               \
                double t0 = now_us();                                                           \
                for (size_t it = 0; it < iters; it++) {                                         \
                        a0 = fmadd(a0, m, c); a1 = fmadd(a1, m, c); a2 = fmadd(a2, m, c);       \
                        a3 = fmadd(a3, m, c); a4 = fmadd(a4, m, c); a5 = fmadd(a5, m, c);       \
                        a6 = fmadd(a6, m, c); a7 = fmadd(a7, m, c); a8 = fmadd(a8, m, c);       \
                        a9 = fmadd(a9, m, c); a10 = fmadd(a10, m, c); a11 = fmadd(a11, m, c);   \
                        __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5)); \
                        __asm__ volatile("" : "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11)); \
                }                                                                               \
                double us = now_us() - t0;                                                      \
                return iters * 12.0 * 2 * lanes / us / 1e3;                                     \
        }
PEAK_FN(peak_avx2, "avx2,fma", __m256, _mm256_set1_ps, _mm256_fmadd_ps, 8)
PEAK_FN(peak_avx512, "avx512f", __m512, _mm512_set1_ps, _mm512_fmadd_ps, 16)
#endif

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "rounds", required_argument, NULL, 'r' },
                { "threads", required_argument, NULL, 't' },
                { "model", required_argument, NULL, 'm' },
                { "isa", required_argument, NULL, 'i' },
                { "peak", no_argument, NULL, 'p' },
                { "cputime", no_argument, NULL, 'c' },
                { "verbose", no_argument, NULL, 'v' },
                { "print-isa", no_argument, NULL, 'I' },
                {}
        };
        unsigned rounds = 15, threads = 0;
        const char *only = NULL;
        bool verbose = false, peak = false;
        enum gpu_cpu_isa isa = GPU_CPU_ISA_AUTO;
        int c;

        while ((c = getopt_long(argc, argv, "r:t:m:i:pvc", opts, NULL)) >= 0)
                switch (c) {
                case 'r':
                        rounds = MAX(1, atoi(optarg));
                        break;
                case 't':
                        threads = atoi(optarg);
                        break;
                case 'm':
                        only = optarg;
                        break;
                case 'i':
                        isa = gpu_cpu_isa_from_string(optarg);
                        if (isa < 0) {
                                fprintf(stderr, "Unknown ISA '%s'\n", optarg);
                                return 1;
                        }
                        break;
                case 'p':
                        peak = true;
                        break;
                case 'c':
                        bench_clock = CLOCK_THREAD_CPUTIME_ID;
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'I':
                        printf("%s\n", gpu_cpu_isa_to_string(gpu_cpu_isa_resolve(isa)));
                        return 0;
                default:
                        return 1;
                }

#if defined(__x86_64__)
        if (peak && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
                printf("single-core AVX2 FMA peak: %.1f GFLOP/s\n", peak_avx2());
        if (peak && __builtin_cpu_supports("avx512f"))
                printf("single-core AVX-512 FMA peak: %.1f GFLOP/s\n", peak_avx512());
#endif
        for (unsigned model = 0; model < ELEMENTSOF(model_names); model++) {
                if (only && !strstr(model_names[model], only))
                        continue;
                for (unsigned t = threads ? threads : 1; t <= (threads ? threads : 2); t++) {
                        int r = bench_model(model, t, rounds, verbose, isa);
                        if (r < 0) {
                                fprintf(stderr, "%s: %s\n", model_names[model], strerror(-r));
                                return 1;
                        }
                }
        }
        return 0;
}
