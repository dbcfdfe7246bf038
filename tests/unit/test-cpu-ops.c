/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-op tests of the CPU backend. Part 1 pins the reference ops to values
 * worked out by hand from the ONNX operator definitions (the independent
 * oracle). Part 2 runs random shapes (odd sizes, strides, pads, groups,
 * broadcasting) through the fast path (kernels, fused graph, 2 threads) and
 * compares with the reference ops on the unoptimised graph.
 */

#include <math.h>

#include "engine-test.h"

/* Runs a one-input model on both devices and checks the reference output against want. */
static void check_values(struct ob *b, const float *in, const float *want, size_t n) {
        float *out = calloc(n, sizeof(float)), *out2 = calloc(n, sizeof(float));
        struct gpu_graph *g = et_load(b), *g2 = et_load(b);

        ASSERT_TRUE(out && out2);
        ASSERT_EQ(g->tensors[g->outputs[0]].count, n);
        et_run(g, 0, "reference", 1, (const float *const[]) { in }, (float *const[]) { out });
        et_compare("reference vs hand-computed", out, want, n, 1e-6, 1e-6);
        et_run(g2, GPU_OPT_ALL, "default", 2, (const float *const[]) { in }, (float *const[]) { out2 });
        et_compare("fast vs hand-computed", out2, want, n, 1e-5, 1e-6);
        gpu_graph_free(g);
        gpu_graph_free(g2);
        free(out);
        free(out2);
        ob_free(b);
}

static void test_conv_values(void) {
        static const float x[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, w[4] = { 1, 1, 1, 1 };
        struct ob *b = ob_new(11);

        ob_input(b, "x", 4, DIMS(1, 1, 3, 3));
        ob_init_f(b, "w", 4, DIMS(1, 1, 2, 2), w, true);
        ob_init_f(b, "b", 1, DIMS(1), (const float[]) { 0.5f }, true);
        ob_node(b, "Conv", "c", "x,w,b", "y");
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 12.5f, 16.5f, 24.5f, 28.5f }, 4);

        /* Pad 1, stride 2: windows at -1,1 (rows and cols). */
        b = ob_new(11);
        ob_input(b, "x", 4, DIMS(1, 1, 3, 3));
        ob_init_f(b, "w", 4, DIMS(1, 1, 2, 2), w, true);
        Lsonnx__NodeProto *n = ob_node(b, "Conv", "c", "x,w", "y");
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 1, 5, 11, 28 }, 4);

        /* Depthwise, 2 channels, kernel [[1,0],[0,-1]] and [[0,2],[0,0]]. */
        static const float x2[8] = { 1, 2, 3, 4, 10, 20, 30, 40 }, w2[8] = { 1, 0, 0, -1, 0, 2, 0, 0 };
        b = ob_new(11);
        ob_input(b, "x", 4, DIMS(1, 2, 2, 2));
        ob_init_f(b, "w", 4, DIMS(2, 1, 2, 2), w2, true);
        n = ob_node(b, "Conv", "dw", "x,w", "y");
        ob_attr_i(b, n, "group", 2);
        ob_output(b, "y");
        check_values(b, x2, (const float[]) { 1 - 4, 2 * 20 }, 2);

        /* Dilation 2 on 3x3: the kernel's corners only. */
        b = ob_new(11);
        ob_input(b, "x", 4, DIMS(1, 1, 3, 3));
        ob_init_f(b, "w", 4, DIMS(1, 1, 2, 2), w, true);
        n = ob_node(b, "Conv", "dil", "x,w", "y");
        ob_attr_ints(b, n, "dilations", 2, DIMS(2, 2));
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 1 + 3 + 7 + 9 }, 1);
}

static void test_pool_values(void) {
        static const float x[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
        struct ob *b = ob_new(11);
        Lsonnx__NodeProto *n;

        ob_input(b, "x", 4, DIMS(1, 1, 4, 4));
        n = ob_node(b, "MaxPool", "mp", "x", "y");
        ob_attr_ints(b, n, "kernel_shape", 2, DIMS(2, 2));
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 6, 8, 14, 16 }, 4);

        /* Average with pad 1 over a 2x2 input, excluding and including the padding. */
        static const float x2[4] = { 1, 2, 3, 4 };
        for (int inc = 0; inc < 2; inc++) {
                b = ob_new(11);
                ob_input(b, "x", 4, DIMS(1, 1, 2, 2));
                n = ob_node(b, "AveragePool", "ap", "x", "y");
                ob_attr_ints(b, n, "kernel_shape", 2, DIMS(2, 2));
                ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
                ob_attr_i(b, n, "count_include_pad", inc);
                ob_output(b, "y");
                if (inc)
                        check_values(b, x2, (const float[]) { 0.25f, 0.75f, 0.5f, 1.0f, 2.5f, 1.5f, 0.75f, 1.75f, 1.0f }, 9);
                else
                        check_values(b, x2, (const float[]) { 1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4 }, 9);
        }

        /* MaxPool ceil_mode on 5 with k 2 s 2: 3 outputs, the last a lone column. */
        static const float x3[5] = { 1, 5, 2, 0, 7 };
        b = ob_new(11);
        ob_input(b, "x", 4, DIMS(1, 1, 1, 5));
        n = ob_node(b, "MaxPool", "mp", "x", "y");
        ob_attr_ints(b, n, "kernel_shape", 2, DIMS(1, 2));
        ob_attr_ints(b, n, "strides", 2, DIMS(1, 2));
        ob_attr_i(b, n, "ceil_mode", 1);
        ob_output(b, "y");
        check_values(b, x3, (const float[]) { 5, 2, 7 }, 3);

        b = ob_new(11);
        ob_input(b, "x", 4, DIMS(1, 2, 2, 2));
        ob_node(b, "GlobalAveragePool", "gap", "x", "y");
        ob_output(b, "y");
        check_values(b, (const float[]) { 1, 2, 3, 4, 10, 10, 10, 14 }, (const float[]) { 2.5f, 11 }, 2);
}

static void test_elementwise_values(void) {
        static const float x[6] = { -2, -0.5f, 0, 0.5f, 3, 8 };
        struct ob *b;
        Lsonnx__NodeProto *n;

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        ob_node(b, "Relu", "r", "x", "y");
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 0, 0, 0, 0.5f, 3, 8 }, 6);

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        n = ob_node(b, "LeakyRelu", "r", "x", "y");
        ob_attr_f(b, n, "alpha", 0.1f);
        ob_output(b, "y");
        check_values(b, x, (const float[]) { -0.2f, -0.05f, 0, 0.5f, 3, 8 }, 6);

        b = ob_new(9);
        ob_input(b, "x", 2, DIMS(2, 3));
        n = ob_node(b, "Clip", "r", "x", "y");
        ob_attr_f(b, n, "min", 0);
        ob_attr_f(b, n, "max", 6);
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 0, 0, 0, 0.5f, 3, 6 }, 6);

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        ob_node(b, "Sigmoid", "r", "x", "y");
        ob_output(b, "y");
        float want[6];
        for (int i = 0; i < 6; i++)
                want[i] = (float) (1.0 / (1.0 + exp(-(double) x[i])));
        check_values(b, x, want, 6);

        /* PRelu with a per-row slope [2,1] broadcast over [2,3]. */
        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        ob_init_f(b, "s", 2, DIMS(2, 1), (const float[]) { 0.5f, 2 }, true);
        ob_node(b, "PRelu", "p", "x,s", "y");
        ob_output(b, "y");
        check_values(b, x, (const float[]) { -1, -0.25f, 0, 0.5f, 3, 8 }, 6);

        /* Add [2,3] + [3]; Sub [2,3] - [2,1]; Mul by a scalar. */
        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        ob_init_f(b, "k", 1, DIMS(3), (const float[]) { 1, 10, 100 }, true);
        ob_node(b, "Add", "a", "x,k", "y");
        ob_output(b, "y");
        check_values(b, x, (const float[]) { -1, 9.5f, 100, 1.5f, 13, 108 }, 6);

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        ob_init_f(b, "k", 2, DIMS(2, 1), (const float[]) { 1, -1 }, true);
        ob_node(b, "Sub", "s", "x,k", "y");
        ob_output(b, "y");
        check_values(b, x, (const float[]) { -3, -1.5f, -1, 1.5f, 4, 9 }, 6);

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        ob_init_f(b, "k", 0, NULL, (const float[]) { -2 }, true);
        ob_node(b, "Mul", "m", "k,x", "y");
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 4, 1, 0, -1, -6, -16 }, 6);

        /* Both sides broadcast: [2,1] * [1,3] -> [2,3], with the data input as the [2,1] side. */
        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 1));
        ob_init_f(b, "k", 2, DIMS(1, 3), (const float[]) { 1, 2, 3 }, true);
        ob_node(b, "Mul", "m", "x,k", "y");
        ob_output(b, "y");
        check_values(b, (const float[]) { 2, -1 }, (const float[]) { 2, 4, 6, -1, -2, -3 }, 6);

        /* BatchNormalization: (x - mean) / sqrt(var + eps) * scale + bias per channel. */
        b = ob_new(9);
        ob_input(b, "x", 4, DIMS(1, 2, 1, 2));
        ob_init_f(b, "sc", 1, DIMS(2), (const float[]) { 2, 1 }, true);
        ob_init_f(b, "bi", 1, DIMS(2), (const float[]) { 1, 0 }, true);
        ob_init_f(b, "mu", 1, DIMS(2), (const float[]) { 1, -1 }, true);
        ob_init_f(b, "va", 1, DIMS(2), (const float[]) { 3, 0 }, true);
        n = ob_node(b, "BatchNormalization", "bn", "x,sc,bi,mu,va", "y");
        ob_attr_f(b, n, "epsilon", 1);
        ob_output(b, "y");
        check_values(b, (const float[]) { 1, 3, -1, 1 }, (const float[]) { 1, 3, 0, 2 }, 4);
}

static void test_tensor_op_values(void) {
        static const float x[6] = { 1, 2, 3, 4, 5, 6 };
        struct ob *b;
        Lsonnx__NodeProto *n;

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        n = ob_node(b, "Transpose", "t", "x", "y");
        ob_attr_ints(b, n, "perm", 2, DIMS(1, 0));
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 1, 4, 2, 5, 3, 6 }, 6);

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 3));
        ob_init_f(b, "k", 2, DIMS(2, 1), (const float[]) { 9, 8 }, true);
        n = ob_node(b, "Concat", "c", "x,k", "y");
        ob_attr_i(b, n, "axis", -1);
        ob_output(b, "y");
        check_values(b, x, (const float[]) { 1, 2, 3, 9, 4, 5, 6, 8 }, 8);

        static const char *const modes[] = { "constant", "reflect", "edge" };
        static const float want[3][8] = {
                { 7, 7, 1, 2, 3, 4, 7, 7 },
                { 3, 2, 1, 2, 3, 4, 3, 2 },
                { 1, 1, 1, 2, 3, 4, 4, 4 },
        };
        for (int m = 0; m < 3; m++) {
                b = ob_new(11);
                ob_input(b, "x", 2, DIMS(1, 4));
                ob_init_i64(b, "p", 1, DIMS(4), DIMS(0, 2, 0, 2), true);
                ob_init_f(b, "v", 0, NULL, (const float[]) { 7 }, true);
                n = ob_node(b, "Pad", "pad", "x,p,v", "y");
                ob_attr_s(b, n, "mode", modes[m]);
                ob_output(b, "y");
                check_values(b, x, want[m], 8);
        }

        /* Softmax over the last axis of [2,2]. */
        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 2));
        ob_node(b, "Softmax", "sm", "x", "y");
        ob_output(b, "y");
        float e = (float) (1.0 / (1.0 + exp(-1.0)));
        check_values(b, (const float[]) { 0, 1, 5, 5 }, (const float[]) { 1 - e, e, 0.5f, 0.5f }, 4);

        /* Flatten [1,2,1,3] at axis 2 -> [2,3]; Reshape with 0 and -1; Identity. */
        b = ob_new(13);
        ob_input(b, "x", 4, DIMS(1, 2, 1, 3));
        n = ob_node(b, "Flatten", "f", "x", "f1");
        ob_attr_i(b, n, "axis", 2);
        ob_init_i64(b, "s", 1, DIMS(2), DIMS(0, -1), true);
        ob_node(b, "Reshape", "r", "f1,s", "r1");
        ob_node(b, "Identity", "i", "r1", "y");
        ob_output(b, "y");
        check_values(b, x, x, 6);
}

static void test_gemm_values(void) {
        /* A [2,3] (given transposed as [3,2]), B [2,3] transposed to [3,2]: Y = 2 A B + 0.5 C[2]. */
        static const float at[6] = { 1, 4, 2, 5, 3, 6 };
        struct ob *b = ob_new(13);
        Lsonnx__NodeProto *n;

        ob_input(b, "a", 2, DIMS(3, 2));
        ob_init_f(b, "b", 2, DIMS(2, 3), (const float[]) { 1, 0, 1, 0, 1, 0 }, true);
        ob_init_f(b, "c", 1, DIMS(2), (const float[]) { 10, 20 }, true);
        n = ob_node(b, "Gemm", "g", "a,b,c", "y");
        ob_attr_i(b, n, "transA", 1);
        ob_attr_i(b, n, "transB", 1);
        ob_attr_f(b, n, "alpha", 2);
        ob_attr_f(b, n, "beta", 0.5f);
        ob_output(b, "y");
        /* A = [[1,2,3],[4,5,6]]; B' = [[1,0],[0,1],[1,0]]; AB' = [[4,2],[10,5]] */
        check_values(b, at, (const float[]) { 8 + 5, 4 + 10, 20 + 5, 10 + 10 }, 4);

        /* MatMul with a broadcast batch: [2,1,3] x [3,2]. */
        b = ob_new(13);
        ob_input(b, "a", 3, DIMS(2, 1, 3));
        ob_init_f(b, "m", 2, DIMS(3, 2), (const float[]) { 1, 0, 0, 1, 1, 1 }, true);
        ob_node(b, "MatMul", "mm", "a,m", "y");
        ob_output(b, "y");
        check_values(b, (const float[]) { 1, 2, 3, 4, 5, 6 }, (const float[]) { 4, 5, 10, 11 }, 4);
}

static void test_resize_values(void) {
        static const float x[2] = { 1, 2 };
        static const struct {
                const char *mode, *coord;
                float want[4];
        } cases[] = {
                { "linear", "half_pixel", { 1, 1.25f, 1.75f, 2 } },
                { "linear", "align_corners", { 1, 4.0f / 3, 5.0f / 3, 2 } },
                { "linear", "asymmetric", { 1, 1.5f, 2, 2 } },
                { "nearest", "asymmetric", { 1, 1, 2, 2 } },
                { "nearest", "half_pixel", { 1, 1, 2, 2 } },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct ob *b = ob_new(13);
                ob_input(b, "x", 4, DIMS(1, 1, 1, 2));
                ob_init_f(b, "sc", 1, DIMS(4), (const float[]) { 1, 1, 1, 2 }, true);
                Lsonnx__NodeProto *n = ob_node(b, "Resize", "rs", "x,,sc", "y");
                ob_attr_s(b, n, "mode", cases[i].mode);
                ob_attr_s(b, n, "coordinate_transformation_mode", cases[i].coord);
                ob_output(b, "y");
                check_values(b, x, cases[i].want, 4);
        }
        /* Downscale 4 -> 2 nearest, half_pixel, round_prefer_ceil: x_in = 2x + 0.5 -> 1, 3 (ceil at .5). */
        struct ob *b = ob_new(13);
        ob_input(b, "x", 4, DIMS(1, 1, 1, 4));
        ob_init_i64(b, "sz", 1, DIMS(4), DIMS(1, 1, 1, 2), true);
        Lsonnx__NodeProto *n = ob_node(b, "Resize", "rs", "x,,,sz", "y");
        ob_attr_s(b, n, "nearest_mode", "round_prefer_ceil");
        ob_output(b, "y");
        check_values(b, (const float[]) { 10, 20, 30, 40 }, (const float[]) { 20, 40 }, 2);
}

/* ---- random shapes: fast path vs reference ---- */

/* Runs b's model (one input) fast (optimised, 2 threads) and reference (unoptimised). */
static void fast_vs_ref(struct ob *b, uint32_t seed, double rtol) {
        struct gpu_graph *g = et_load(b), *gr = et_load(b);
        const struct gpu_tensor *xi = &g->tensors[g->inputs[0]], *yo = &g->tensors[g->outputs[0]];
        float *x = malloc(gpu_tensor_bytes(xi)), *y = malloc(gpu_tensor_bytes(yo)), *yr = malloc(gpu_tensor_bytes(yo));
        size_t n = yo->count;

        ASSERT_TRUE(x && y && yr);
        et_fill(x, xi->count, seed, -1, 1);
        et_run(g, GPU_OPT_ALL, "default", 2, (const float *const[]) { x }, (float *const[]) { y });
        et_run(gr, 0, "reference", 1, (const float *const[]) { x }, (float *const[]) { yr });
        et_compare("fast vs reference", y, yr, n, rtol, 1e-6);
        gpu_graph_free(g);
        gpu_graph_free(gr);
        free(x);
        free(y);
        free(yr);
}

static float *random_array(size_t n, uint32_t seed) {
        float *v = malloc(n * sizeof(float));
        ASSERT_TRUE(v != NULL);
        et_fill(v, n, seed, -0.5f, 0.5f);
        return v;
}

static void test_conv_random(void) {
        static const char *const acts[] = { NULL, "Relu", "Clip", "LeakyRelu", "PRelu", "Sigmoid" };
        uint32_t s = 12345;

        for (int it = 0; it < 60; it++) {
                int groups_kind = et_range(&s, 0, 2);   /* 0: dense, 1: grouped, 2: depthwise */
                int g = groups_kind == 0 ? 1 : groups_kind == 1 ? et_range(&s, 2, 3) : et_range(&s, 2, 9);
                int cpg = groups_kind == 2 ? 1 : et_range(&s, 1, 5), c = g * cpg;
                int mpg = groups_kind == 2 ? 1 : et_range(&s, 1, 6), m = g * mpg;
                int kh = et_range(&s, 1, 5), kw = et_range(&s, 1, 5), sh = et_range(&s, 1, 3), sw = et_range(&s, 1, 3);
                int dh = et_range(&s, 1, 2), dw = et_range(&s, 1, 2);
                int h = et_range(&s, (kh - 1) * dh + 1, 17), w = et_range(&s, (kw - 1) * dw + 1, 19);
                int pads[4] = { et_range(&s, 0, kh - 1), et_range(&s, 0, kw - 1), et_range(&s, 0, kh - 1),
                                et_range(&s, 0, kw - 1) };
                int act = et_range(&s, 0, 5), residual = et_range(&s, 0, 1), bias = et_range(&s, 0, 1);
                int batch = et_range(&s, 1, 2);
                size_t wn = (size_t) m * cpg * kh * kw;
                float *wt = random_array(wn, s + 1), *bi = random_array((size_t) m, s + 2),
                      *sl = random_array((size_t) m, s + 3);
                struct ob *b = ob_new(13);
                Lsonnx__NodeProto *n;

                ob_input(b, "x", 4, DIMS(batch, c, h, w));
                ob_init_f(b, "w", 4, DIMS(m, cpg, kh, kw), wt, true);
                if (bias)
                        ob_init_f(b, "b", 1, DIMS(m), bi, true);
                n = ob_node(b, "Conv", "conv", bias ? "x,w,b" : "x,w", "c");
                ob_attr_i(b, n, "group", g);
                ob_attr_ints(b, n, "strides", 2, DIMS(sh, sw));
                ob_attr_ints(b, n, "dilations", 2, DIMS(dh, dw));
                ob_attr_ints(b, n, "pads", 4, DIMS(pads[0], pads[1], pads[2], pads[3]));
                const char *last = "c";
                if (residual) {
                        /* A second conv output of the same shape as the residual operand. */
                        n = ob_node(b, "Conv", "conv2", bias ? "x,w,b" : "x,w", "c2");
                        ob_attr_i(b, n, "group", g);
                        ob_attr_ints(b, n, "strides", 2, DIMS(sh, sw));
                        ob_attr_ints(b, n, "dilations", 2, DIMS(dh, dw));
                        ob_attr_ints(b, n, "pads", 4, DIMS(pads[0], pads[1], pads[2], pads[3]));
                        ob_node(b, "Add", "add", "c2,c", "sum");
                        last = "sum";
                }
                if (acts[act]) {
                        char in[64];
                        snprintf(in, sizeof(in), "%s%s", last, act == 4 ? ",slope" : "");
                        if (act == 4)
                                ob_init_f(b, "slope", 3, DIMS(m, 1, 1), sl, true);
                        n = ob_node(b, acts[act], "act", in, "y");
                        if (act == 2) {
                                ob_attr_f(b, n, "min", -0.1f);
                                ob_attr_f(b, n, "max", 0.2f);
                        }
                        if (act == 3)
                                ob_attr_f(b, n, "alpha", 0.2f);
                } else
                        ob_node(b, "Identity", "id", last, "y");
                ob_output(b, "y");
                ob_model(b)->opset_import[0]->version = act == 2 ? 9 : 13;   /* Clip with attributes */
                fast_vs_ref(b, s, 1e-4);
                ob_free(b);
                free(wt);
                free(bi);
                free(sl);
        }
}

static void test_pool_random(void) {
        uint32_t s = 777;

        for (int it = 0; it < 40; it++) {
                int kh = et_range(&s, 1, 4), kw = et_range(&s, 1, 4);
                int h = et_range(&s, kh, 15), w = et_range(&s, kw, 15), c = et_range(&s, 1, 5);
                int pads[4] = { et_range(&s, 0, kh - 1), et_range(&s, 0, kw - 1), et_range(&s, 0, kh - 1),
                                et_range(&s, 0, kw - 1) };
                bool avg = et_range(&s, 0, 1);
                struct ob *b = ob_new(11);
                Lsonnx__NodeProto *n;

                ob_input(b, "x", 4, DIMS(1, c, h, w));
                n = ob_node(b, avg ? "AveragePool" : "MaxPool", "pool", "x", "y");
                ob_attr_ints(b, n, "kernel_shape", 2, DIMS(kh, kw));
                ob_attr_ints(b, n, "strides", 2, DIMS(et_range(&s, 1, 3), et_range(&s, 1, 3)));
                ob_attr_ints(b, n, "pads", 4, DIMS(pads[0], pads[1], pads[2], pads[3]));
                ob_attr_i(b, n, "ceil_mode", et_range(&s, 0, 1));
                if (avg)
                        ob_attr_i(b, n, "count_include_pad", et_range(&s, 0, 1));
                ob_output(b, "y");
                fast_vs_ref(b, s, 1e-5);
                ob_free(b);
        }
}

static void test_binary_random(void) {
        static const char *const ops[] = { "Add", "Sub", "Mul", "PRelu" };
        uint32_t s = 4242;

        for (int it = 0; it < 40; it++) {
                int rank = et_range(&s, 1, 4);
                int64_t xd[4], kd[4];
                int krank = et_range(&s, 0, rank);
                size_t kn = 1;
                for (int d = 0; d < rank; d++)
                        xd[d] = et_range(&s, 1, 7);
                /* The constant takes the trailing dims, some set to 1 (broadcast). */
                for (int d = 0; d < krank; d++) {
                        kd[d] = et_range(&s, 0, 1) ? 1 : xd[rank - krank + d];
                        kn *= (size_t) kd[d];
                }
                float *k = random_array(kn, s);
                struct ob *b = ob_new(13);
                const char *op = ops[et_range(&s, 0, 3)];
                ob_input(b, "x", rank, xd);
                ob_init_f(b, "k", krank, kd, k, true);
                ob_node(b, op, "bin", et_range(&s, 0, 1) && !streq(op, "PRelu") ? "k,x" : "x,k", "y");
                ob_output(b, "y");
                fast_vs_ref(b, s, 1e-6);
                ob_free(b);
                free(k);
        }
}

static void test_gemm_random(void) {
        uint32_t s = 99;

        for (int it = 0; it < 20; it++) {
                int m = et_range(&s, 1, 9), k = et_range(&s, 1, 40), nn = et_range(&s, 1, 33);
                int ta = et_range(&s, 0, 1), tb = et_range(&s, 0, 1), ck = et_range(&s, 0, 2);
                float *bw = random_array((size_t) k * nn, s), *c = random_array((size_t) m * nn, s + 1);
                struct ob *b = ob_new(13);
                Lsonnx__NodeProto *n;

                ob_input(b, "a", 2, ta ? DIMS(k, m) : DIMS(m, k));
                ob_init_f(b, "b", 2, tb ? DIMS(nn, k) : DIMS(k, nn), bw, true);
                if (ck == 1)
                        ob_init_f(b, "c", 1, DIMS(nn), c, true);
                else if (ck == 2)
                        ob_init_f(b, "c", 2, DIMS(m, nn), c, true);
                n = ob_node(b, "Gemm", "gemm", ck ? "a,b,c" : "a,b", "y");
                ob_attr_i(b, n, "transA", ta);
                ob_attr_i(b, n, "transB", tb);
                ob_attr_f(b, n, "alpha", 0.75f);
                ob_output(b, "y");
                fast_vs_ref(b, s, 1e-5);
                ob_free(b);
                free(bw);
                free(c);
        }
}

/* Transposes of rank 1-5 with unit axes: the fast path merges axes and blocks 2-D cases. */
static void test_transpose_random(void) {
        uint32_t s = 2024;

        for (int it = 0; it < 60; it++) {
                int rank = et_range(&s, 1, 5), perm[5];
                int64_t dims[5];
                for (int d = 0; d < rank; d++) {
                        dims[d] = et_range(&s, 0, 3) == 0 ? 1 : et_range(&s, 2, it < 10 ? 70 : 9);
                        perm[d] = d;
                }
                for (int d = rank - 1; d > 0; d--) {
                        int j = et_range(&s, 0, d), t = perm[d];
                        perm[d] = perm[j];
                        perm[j] = t;
                }
                int64_t p64[5];
                for (int d = 0; d < rank; d++)
                        p64[d] = perm[d];
                struct ob *b = ob_new(13);
                ob_input(b, "x", rank, dims);
                Lsonnx__NodeProto *n = ob_node(b, "Transpose", "t", "x", "y");
                ob_attr_ints(b, n, "perm", (size_t) rank, p64);
                ob_output(b, "y");
                fast_vs_ref(b, s, 0);
                ob_free(b);
        }
        /* NHWC -> NCHW and back, as BlazeFace does. */
        for (int back = 0; back < 2; back++) {
                struct ob *b = ob_new(13);
                ob_input(b, "x", 4, DIMS(1, 37, 45, 3));
                Lsonnx__NodeProto *n = ob_node(b, "Transpose", "t", "x", "y");
                ob_attr_ints(b, n, "perm", 4, back ? DIMS(0, 2, 3, 1) : DIMS(0, 3, 1, 2));
                ob_output(b, "y");
                fast_vs_ref(b, 5, 0);
                ob_free(b);
        }
}

TEST_MAIN(TEST_CASE(test_transpose_random), TEST_CASE(test_conv_values), TEST_CASE(test_pool_values), TEST_CASE(test_elementwise_values),
          TEST_CASE(test_tensor_op_values), TEST_CASE(test_gemm_values), TEST_CASE(test_resize_values),
          TEST_CASE(test_conv_random), TEST_CASE(test_pool_random), TEST_CASE(test_binary_random),
          TEST_CASE(test_gemm_random))
