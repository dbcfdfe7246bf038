/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes the engine's small ONNX fixtures into a directory:
 *   onnx-fixtures DIR
 * They exercise every supported op in BlazeFace-like and MobileFaceNet-like
 * blocks, plus bad models. tests/fixtures/ holds a copy (the fuzz seeds);
 * tests/unit/test-infer.sh regenerates them for lanesight-infer's tests.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx-builder.h"

static float *weights(size_t n, unsigned seed, float scale) {
        float *v = malloc(n * sizeof(float));
        unsigned s = seed * 2654435761u + 1;

        if (!v)
                abort();
        for (size_t i = 0; i < n; i++) {
                s = s * 1103515245u + 12345u;
                v[i] = ((float) ((s >> 8) & 0xffff) / 65536.0f - 0.5f) * scale;
        }
        return v;
}

#define W(name, seed, scale, ...)                                                                     \
        do {                                                                                          \
                const int64_t _d_[] = { __VA_ARGS__ };                                                \
                size_t _n_ = 1;                                                                       \
                for (size_t _i_ = 0; _i_ < sizeof(_d_) / sizeof(_d_[0]); _i_++)                       \
                        _n_ *= (size_t) _d_[_i_];                                                     \
                float *_w_ = weights(_n_, seed, scale);                                               \
                ob_init_f(b, name, (int) (sizeof(_d_) / sizeof(_d_[0])), _d_, _w_, true);             \
                free(_w_);                                                                            \
        } while (0)

static int save(struct ob *b, const char *dir, const char *name) {
        char path[4096];
        int r;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        r = ob_write(b, path);
        if (r < 0)
                fprintf(stderr, "onnx-fixtures: cannot write '%s'\n", path);
        ob_free(b);
        return r;
}

static int tiny_conv_relu(const char *dir) {
        struct ob *b = ob_new(11);
        Lsonnx__NodeProto *n;

        ob_input(b, "x", 4, DIMS(1, 3, 8, 8));
        W("w", 1, 0.5f, 4, 3, 3, 3);
        W("b", 2, 0.1f, 4);
        n = ob_node(b, "Conv", "conv", "x,w,b", "c");
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        ob_node(b, "Relu", "relu", "c", "y:0");
        ob_output(b, "y:0");
        return save(b, dir, "tiny-conv-relu.onnx");
}

static int two_inputs(const char *dir) {
        struct ob *b = ob_new(13);

        ob_input(b, "a", 2, DIMS(1, 4));
        ob_input(b, "b", 2, DIMS(1, 4));
        ob_node(b, "Sub", "sub", "a,b", "d");
        ob_node(b, "Identity", "id", "d", "out/diff");
        ob_output(b, "out/diff");
        return save(b, dir, "two-inputs.onnx");
}

static int unsupported(const char *dir) {
        struct ob *b = ob_new(13);

        ob_input(b, "x", 2, DIMS(2, 2));
        ob_node(b, "Relu", "relu", "x", "r");
        ob_node(b, "Einsum", "the_einsum_node", "r", "y");
        ob_output(b, "y");
        return save(b, dir, "unsupported-op.onnx");
}

/* BlazeFace's shape of things: NHWC in, channel padding by Concat with zeros, NHWC out. */
static int blaze_block(const char *dir) {
        struct ob *b = ob_new(12);
        Lsonnx__NodeProto *n;

        ob_input(b, "input:0", 4, DIMS(1, 16, 16, 3));
        n = ob_node(b, "Transpose", "to_nchw", "input:0", "t");
        ob_attr_ints(b, n, "perm", 4, DIMS(0, 3, 1, 2));
        W("w0", 3, 0.4f, 8, 3, 5, 5);
        W("b0", 4, 0.1f, 8);
        n = ob_node(b, "Conv", "conv0", "t,w0,b0", "c0");
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 2, 2));
        ob_node(b, "Relu", "relu0", "c0", "r0");
        W("dw", 5, 0.5f, 8, 1, 3, 3);
        n = ob_node(b, "Conv", "dw1", "r0,dw", "d1");
        ob_attr_i(b, n, "group", 8);
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        W("pw", 6, 0.4f, 8, 8, 1, 1);
        W("pb", 7, 0.1f, 8);
        ob_node(b, "Conv", "pw1", "d1,pw,pb", "p1");
        ob_node(b, "Add", "add1", "r0,p1", "a1");
        ob_node(b, "Relu", "relu1", "a1", "r1");
        n = ob_node(b, "MaxPool", "pool", "r1", "m");
        ob_attr_ints(b, n, "kernel_shape", 2, DIMS(2, 2));
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        ob_init_i64(b, "zshape", 1, DIMS(4), DIMS(1, 4, 4, 4), false);
        ob_node(b, "ConstantOfShape", "zeros", "zshape", "z");
        n = ob_node(b, "Concat", "chpad", "m,z", "cat");
        ob_attr_i(b, n, "axis", 1);
        n = ob_node(b, "Transpose", "to_nhwc", "cat", "nhwc");
        ob_attr_ints(b, n, "perm", 4, DIMS(0, 2, 3, 1));
        ob_init_i64(b, "rshape", 1, DIMS(3), DIMS(1, -1, 4), true);
        ob_node(b, "Reshape", "regressors", "nhwc,rshape", "Identity:0");
        ob_output(b, "Identity:0");
        return save(b, dir, "blaze-block.onnx");
}

/* MobileFaceNet's shape of things: Conv+BN+PRelu, depthwise, linear bottleneck with a residual, GAP, Gemm. */
static int mobile_block(const char *dir) {
        struct ob *b = ob_new(9);
        Lsonnx__NodeProto *n;

        ob_input(b, "input", 4, DIMS(1, 3, 12, 12));
        W("w0", 11, 0.5f, 8, 3, 3, 3);
        n = ob_node(b, "Conv", "conv0", "input,w0", "c0");
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        W("g0", 12, 0.5f, 8);
        W("be0", 13, 0.2f, 8);
        W("mu0", 14, 0.2f, 8);
        {
                float v[8];
                for (int i = 0; i < 8; i++)
                        v[i] = 0.5f + 0.1f * (float) i;
                ob_init_f(b, "va0", 1, DIMS(8), v, false);
        }
        ob_node(b, "BatchNormalization", "bn0", "c0,g0,be0,mu0,va0", "n0");
        W("s0", 15, 0.5f, 8, 1, 1);
        ob_node(b, "PRelu", "prelu0", "n0,s0", "p0");
        W("dw", 16, 0.6f, 8, 1, 3, 3);
        n = ob_node(b, "Conv", "dw1", "p0,dw", "d1");
        ob_attr_i(b, n, "group", 8);
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        W("pw", 17, 0.4f, 8, 8, 1, 1);
        W("pwb", 18, 0.1f, 8);
        ob_node(b, "Conv", "pw1", "d1,pw,pwb", "l1");
        ob_node(b, "Add", "res1", "p0,l1", "a1");
        ob_node(b, "GlobalAveragePool", "gap", "a1", "g");
        ob_node(b, "Flatten", "flat", "g", "f");
        W("fc", 19, 0.5f, 5, 8);
        W("fcb", 20, 0.1f, 5);
        n = ob_node(b, "Gemm", "fc", "f,fc,fcb", "logits");
        ob_attr_i(b, n, "transB", 1);
        ob_node(b, "Softmax", "softmax", "logits", "output");
        ob_output(b, "output");
        return save(b, dir, "mobile-block.onnx");
}

/* The remaining ops: Pad (reflect), Resize (linear), Clip as inputs, LeakyRelu, Sigmoid, Mul, AveragePool, MatMul. */
static int misc_ops(const char *dir) {
        struct ob *b = ob_new(13);
        Lsonnx__NodeProto *n;

        ob_input(b, "x", 4, DIMS(1, 2, 5, 6));
        ob_init_i64(b, "pads", 1, DIMS(8), DIMS(0, 0, 1, 2, 0, 0, 1, 2), true);
        n = ob_node(b, "Pad", "pad", "x,pads", "pd");
        ob_attr_s(b, n, "mode", "reflect");
        ob_init_f(b, "scales", 1, DIMS(4), (const float[]) { 1, 1, 2, 1.5f }, true);
        n = ob_node(b, "Resize", "up", "pd,,scales", "rs");
        ob_attr_s(b, n, "mode", "linear");
        ob_init_f(b, "lo", 0, NULL, (const float[]) { -0.5f }, true);
        ob_init_f(b, "hi", 0, NULL, (const float[]) { 0.75f }, true);
        ob_node(b, "Clip", "clip", "rs,lo,hi", "cl");
        n = ob_node(b, "LeakyRelu", "leaky", "cl", "lk");
        ob_attr_f(b, n, "alpha", 0.3f);
        ob_node(b, "Sigmoid", "sig", "x", "sg");
        n = ob_node(b, "AveragePool", "avg", "lk", "ap");
        ob_attr_ints(b, n, "kernel_shape", 2, DIMS(3, 3));
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        ob_attr_i(b, n, "count_include_pad", 1);
        W("k", 21, 1.0f, 1, 2, 1, 1);
        ob_node(b, "Mul", "mul", "ap,k", "mu");
        W("mm", 22, 0.5f, 8, 3);
        ob_node(b, "MatMul", "matmul", "mu,mm", "y");
        ob_output(b, "y");
        ob_output(b, "sg");
        return save(b, dir, "misc-ops.onnx");
}

static int external_data(const char *dir) {
        struct ob *b = ob_new(11);
        Lsonnx__TensorProto *t;

        ob_input(b, "x", 4, DIMS(1, 1, 4, 4));
        t = ob_init_f(b, "w", 4, DIMS(1, 1, 1, 1), (const float[]) { 1 }, true);
        t->has_raw_data = false;
        t->raw_data.len = 0;
        t->has_data_location = true;
        t->data_location = LSONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
        ob_node(b, "Conv", "conv", "x,w", "y");
        ob_output(b, "y");
        return save(b, dir, "external-data.onnx");
}

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: onnx-fixtures DIR\n");
                return 2;
        }
        if (tiny_conv_relu(argv[1]) < 0 || two_inputs(argv[1]) < 0 || unsupported(argv[1]) < 0 ||
            blaze_block(argv[1]) < 0 || mobile_block(argv[1]) < 0 || misc_ops(argv[1]) < 0 ||
            external_data(argv[1]) < 0)
                return 1;
        return 0;
}
