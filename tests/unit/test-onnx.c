/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ONNX loader and shape inference, on tiny models built in C. */

#include <math.h>

#include "engine-test.h"

static struct ob *conv_model(int64_t opset, bool raw) {
        static const float w[2 * 3 * 3 * 3] = { 1 }, bias[2] = { 0.5f, -0.5f };
        struct ob *b = ob_new(opset);
        Lsonnx__NodeProto *n;

        ob_input(b, "x", 4, DIMS(1, 3, 8, 8));
        ob_init_f(b, "w", 4, DIMS(2, 3, 3, 3), w, raw);
        ob_init_f(b, "b", 1, DIMS(2), bias, raw);
        n = ob_node(b, "Conv", "conv0", "x,w,b", "y");
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        ob_output(b, "y");
        return b;
}

static void test_load_conv(void) {
        struct ob *b = conv_model(11, true);
        struct gpu_graph *g = et_load(b);
        const struct gpu_tensor *y;
        const struct gpu_node *n;

        ASSERT_EQ(g->opset, 11);
        ASSERT_EQ(g->n_inputs, 1);
        ASSERT_EQ(g->n_outputs, 1);
        ASSERT_EQ(g->n_nodes, 1);
        n = &g->nodes[0];
        ASSERT_STREQ(n->name, "conv0");
        ASSERT_EQ(n->op, GPU_OP_CONV);
        ASSERT_EQ(n->conv.kernel[0], 3);
        ASSERT_EQ(n->conv.stride[1], 2);
        ASSERT_EQ(n->conv.pad[2], 1);
        ASSERT_EQ(n->conv.group, 1);
        ASSERT_EQ(g->tensors[n->inputs[GPU_CONV_IN_W]].kind, GPU_TENSOR_CONSTANT);
        ASSERT_EQ(g->tensors[n->inputs[GPU_CONV_IN_B]].data[1], -0.5f);
        ASSERT_EQ(n->inputs[GPU_CONV_IN_RESIDUAL], -1);
        y = &g->tensors[g->outputs[0]];
        ASSERT_STREQ(y->name, "y");
        ASSERT_EQ(y->ndim, 4);
        ASSERT_EQ(y->dims[1], 2);
        ASSERT_EQ(y->dims[2], 4);       /* (8 + 2 - 3) / 2 + 1 */
        ASSERT_EQ(y->dims[3], 4);
        ASSERT_EQ(y->count, 32);
        gpu_graph_free(g);
        ob_free(b);
}

/* float_data, int64_data and int32_data give the same graph as raw_data. */
static void test_typed_arrays(void) {
        for (int raw = 0; raw < 2; raw++) {
                struct ob *b = ob_new(13);
                static const float w[4] = { 1, 2, 3, 4 };
                struct gpu_graph *g;

                ob_input(b, "x", 2, DIMS(2, 2));
                ob_init_f(b, "w", 2, DIMS(2, 2), w, raw);
                ob_init_i64(b, "shape", 1, DIMS(2), DIMS(1, -1), raw);
                ob_init_i32(b, "pads", 1, DIMS(4), (const int32_t[]) { 0, 1, 0, 2 }, raw);
                ob_node(b, "Add", NULL, "x,w", "s");
                ob_node(b, "Pad", NULL, "s,pads", "p");
                ob_node(b, "Reshape", "rs", "p,shape", "y");
                ob_output(b, "y");
                g = et_load(b);
                int wi = gpu_graph_find_tensor(g, "w");
                ASSERT_TRUE(wi >= 0);
                ASSERT_EQ(g->tensors[wi].data[3], 4.0f);
                ASSERT_EQ(g->tensors[g->outputs[0]].ndim, 2);
                ASSERT_EQ(g->tensors[g->outputs[0]].dims[0], 1);
                ASSERT_EQ(g->tensors[g->outputs[0]].dims[1], 2 * 5);
                ASSERT_EQ(g->nodes[1].pad.pads[3], 2);
                /* Unnamed nodes get "<op>#<index>" for messages. */
                ASSERT_STREQ(g->nodes[0].name, "Add#0");
                gpu_graph_free(g);
                ob_free(b);
        }
}

static void test_constant_nodes(void) {
        struct ob *b = ob_new(12);
        Lsonnx__NodeProto *n;
        struct gpu_graph *g;
        float out[8], in[6] = { 1, 2, 3, 4, 5, 6 };

        ob_input(b, "x", 2, DIMS(2, 3));
        n = ob_node(b, "Constant", "c1", "", "k");
        ob_attr_t(b, n, "value", ob_tensor_f(b, "kv", 1, DIMS(3), (const float[]) { 10, 20, 30 }));
        n = ob_node(b, "Constant", "c2", "", "shape");
        ob_attr_ints(b, n, "value_ints", 2, DIMS(2, 1));
        ob_init_i64(b, "zshape", 1, DIMS(2), DIMS(2, 1), false);
        n = ob_node(b, "ConstantOfShape", "c3", "zshape", "z");
        ob_attr_t(b, n, "value", ob_tensor_f(b, "zv", 1, DIMS(1), (const float[]) { 7 }));
        ob_node(b, "Add", "add", "x,k", "s");
        n = ob_node(b, "Concat", "cat", "s,z", "y");
        ob_attr_i(b, n, "axis", 1);
        ob_output(b, "y");
        g = et_load(b);
        ASSERT_EQ(g->tensors[g->outputs[0]].dims[1], 4);
        et_run(g, GPU_OPT_ALL, "reference", 1, (const float *const[]) { in }, (float *const[]) { out });
        /* [1+10, 2+20, 3+30, 7] per row */
        ASSERT_NEAR(out[0], 11, 1e-6);
        ASSERT_NEAR(out[2], 33, 1e-6);
        ASSERT_NEAR(out[3], 7, 1e-6);
        ASSERT_NEAR(out[4], 14, 1e-6);
        ASSERT_NEAR(out[7], 7, 1e-6);
        gpu_graph_free(g);
        ob_free(b);
}

static void test_symbolic_batch(void) {
        struct ob *b = ob_new(11);
        struct gpu_graph *g;
        char err[256];

        ob_input(b, "x", 4, DIMS(-1, 3, 4, 4));
        ob_node(b, "Relu", "r", "x", "y");
        ob_output(b, "y");
        g = et_load(b);
        ASSERT_EQ(g->tensors[g->inputs[0]].dims[0], 1);
        gpu_graph_free(g);
        ob_free(b);

        b = ob_new(11);
        ob_input(b, "img", 4, DIMS(1, 3, -1, 4));
        ob_node(b, "Relu", "r", "img", "y");
        ob_output(b, "y");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EOPNOTSUPP);
        ASSERT_TRUE(strstr(err, "'img'") && strstr(err, "dynamic"));
        ob_free(b);
}

static void test_unsupported_op(void) {
        struct ob *b = ob_new(13);
        char err[256];

        ob_input(b, "x", 2, DIMS(2, 2));
        ob_node(b, "Relu", "r", "x", "t");
        ob_node(b, "Einsum", "my_einsum_node", "t", "y");
        ob_output(b, "y");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EOPNOTSUPP);
        ASSERT_TRUE(strstr(err, "my_einsum_node") != NULL);
        ASSERT_TRUE(strstr(err, "Einsum") != NULL);
        ob_free(b);

        /* A node of another domain. */
        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 2));
        ob_node(b, "Relu", "custom", "x", "y")->domain = "com.example";
        ob_output(b, "y");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EOPNOTSUPP);
        ASSERT_TRUE(strstr(err, "custom") && strstr(err, "com.example"));
        ob_free(b);
}

static void test_external_data(void) {
        struct ob *b = conv_model(11, true);
        Lsonnx__TensorProto *t = ob_model(b)->graph->initializer[0];
        char err[256];

        t->has_data_location = true;
        t->data_location = LSONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
        t->has_raw_data = false;
        t->raw_data.len = 0;
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EOPNOTSUPP);
        ASSERT_TRUE(strstr(err, "external data") && strstr(err, "'w'"));
        ob_free(b);
}

static void test_inconsistent_shapes(void) {
        struct ob *b = ob_new(13);
        char err[256];

        ob_input(b, "a", 4, DIMS(1, 3, 4, 4));
        ob_input(b, "c", 4, DIMS(1, 2, 4, 4));
        ob_node(b, "Add", "bad_add", "a,c", "y");
        ob_output(b, "y");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "bad_add") && strstr(err, "broadcast"));
        ob_free(b);

        /* Conv weights for 4 input channels on a 3-channel input. */
        static const float w[2 * 4 * 1 * 1];
        b = ob_new(13);
        ob_input(b, "x", 4, DIMS(1, 3, 4, 4));
        ob_init_f(b, "w", 4, DIMS(2, 4, 1, 1), w, true);
        ob_node(b, "Conv", "bad_conv", "x,w", "y");
        ob_output(b, "y");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "bad_conv") != NULL);
        ob_free(b);

        /* Reshape to the wrong element count. */
        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(3, 4));
        ob_init_i64(b, "s", 1, DIMS(2), DIMS(5, 2), true);
        ob_node(b, "Reshape", "bad_reshape", "x,s", "y");
        ob_output(b, "y");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "bad_reshape") && strstr(err, "12"));
        ob_free(b);

        /* Initializer data not matching its dims. */
        b = conv_model(11, true);
        ob_model(b)->graph->initializer[0]->raw_data.len -= 4;
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "'w'") != NULL);
        ob_free(b);
}

static void test_dangling(void) {
        struct ob *b = ob_new(13);
        char err[256];

        ob_input(b, "x", 2, DIMS(2, 2));
        ob_node(b, "Add", "uses_ghost", "x,ghost", "y");
        ob_output(b, "y");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "uses_ghost") && strstr(err, "ghost"));
        ob_free(b);

        b = ob_new(13);
        ob_input(b, "x", 2, DIMS(2, 2));
        ob_node(b, "Relu", "r", "x", "y");
        ob_output(b, "nothing");
        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "nothing") != NULL);
        ob_free(b);
}

static void test_opset(void) {
        struct ob *b = conv_model(8, true);
        char err[256];

        ASSERT_ERR(et_load_err(b, err, sizeof(err)), EOPNOTSUPP);
        ASSERT_TRUE(strstr(err, "opset 8") != NULL);
        ob_free(b);
}

/* Every truncation and many corruptions of a valid model fail cleanly (or load), never crash. */
static void test_truncated_and_corrupt(void) {
        struct ob *b = conv_model(11, false);
        size_t n;
        const uint8_t *p = ob_bytes(b, &n);
        uint8_t *copy = malloc(n);
        uint32_t s = 7;
        char err[256];
        int failures = 0;

        ASSERT_TRUE(copy != NULL);
        for (size_t len = 0; len < n; len++) {
                struct gpu_graph *g = NULL;
                memcpy(copy, p, len);
                int r = onnx_load_buffer(copy, len, &g, err, sizeof(err));
                if (r < 0) {
                        failures++;
                        ASSERT_TRUE(g == NULL);
                        ASSERT_TRUE(err[0] != 0);
                }
                gpu_graph_free(g);
        }
        /* Every strict prefix loses the graph's end: at least most must fail. */
        ASSERT_TRUE(failures > (int) n / 2);
        {
                struct gpu_graph *g = NULL;
                ASSERT_ERR(onnx_load_buffer(p, n / 2, &g, err, sizeof(err)), EBADMSG);
                ASSERT_TRUE(strstr(err, "corrupt or truncated") != NULL);
        }
        for (int k = 0; k < 3000; k++) {
                struct gpu_graph *g = NULL;
                memcpy(copy, p, n);
                for (int f = 0; f < 1 + k % 4; f++)
                        copy[et_rand(&s) % n] = (uint8_t) et_rand(&s);
                (void) onnx_load_buffer(copy, n, &g, err, sizeof(err));
                gpu_graph_free(g);
        }
        free(copy);
        ob_free(b);
}

static void test_missing_file(void) {
        struct gpu_graph *g = NULL;
        char err[256];

        ASSERT_ERR(onnx_load_file("/nonexistent/model.onnx", &g, err, sizeof(err)), ENOENT);
        ASSERT_TRUE(strstr(err, "/nonexistent/model.onnx") != NULL);
        ASSERT_ERR(onnx_load_file("/", &g, err, sizeof(err)), EINVAL);
}

/* Clip's bounds: attributes before opset 11, inputs since. */
static void test_clip_forms(void) {
        for (int form = 0; form < 2; form++) {
                struct ob *b = ob_new(form ? 11 : 9);
                Lsonnx__NodeProto *n;
                struct gpu_graph *g;

                ob_input(b, "x", 1, DIMS(4));
                if (form) {
                        ob_init_f(b, "lo", 0, NULL, (const float[]) { -1 }, true);
                        ob_init_f(b, "hi", 0, NULL, (const float[]) { 2 }, false);
                        ob_node(b, "Clip", "c", "x,lo,hi", "y");
                } else {
                        n = ob_node(b, "Clip", "c", "x", "y");
                        ob_attr_f(b, n, "min", -1);
                        ob_attr_f(b, n, "max", 2);
                }
                ob_output(b, "y");
                g = et_load(b);
                ASSERT_EQ(g->nodes[0].act.alpha, -1.0f);
                ASSERT_EQ(g->nodes[0].act.beta, 2.0f);
                ASSERT_EQ(g->nodes[0].n_inputs, 1);
                gpu_graph_free(g);
                ob_free(b);
        }
        /* Only a max: min stays -inf. */
        struct ob *b = ob_new(13);
        ob_input(b, "x", 1, DIMS(4));
        ob_init_f(b, "hi", 0, NULL, (const float[]) { 6 }, true);
        ob_node(b, "Clip", "c", "x,,hi", "y");
        ob_output(b, "y");
        struct gpu_graph *g = et_load(b);
        ASSERT_TRUE(isinf(g->nodes[0].act.alpha) && g->nodes[0].act.alpha < 0);
        ASSERT_EQ(g->nodes[0].act.beta, 6.0f);
        gpu_graph_free(g);
        ob_free(b);
}

/* Softmax: opset < 13 coerces to 2-D at axis (default 1), 13+ reduces one axis (default -1). */
static void test_softmax_axis(void) {
        for (int opset = 11; opset <= 13; opset += 2) {
                struct ob *b = ob_new(opset);
                ob_input(b, "x", 3, DIMS(2, 3, 4));
                ob_node(b, "Softmax", "sm", "x", "y");
                ob_output(b, "y");
                struct gpu_graph *g = et_load(b);
                const struct gpu_softmax_attrs *a = &g->nodes[0].softmax;
                if (opset == 11) {
                        ASSERT_EQ(a->outer, 2);
                        ASSERT_EQ(a->n, 12);
                        ASSERT_EQ(a->inner, 1);
                } else {
                        ASSERT_EQ(a->outer, 6);
                        ASSERT_EQ(a->n, 4);
                        ASSERT_EQ(a->inner, 1);
                }
                gpu_graph_free(g);
                ob_free(b);
        }
}

static void test_auto_pad(void) {
        static const float w[1 * 1 * 4 * 4];
        static const struct {
                const char *mode;
                int pad[4], out;
        } cases[] = {
                { "SAME_UPPER", { 1, 1, 2, 2 }, 4 },    /* total 3 (stride 2, in 7, k 4): small first */
                { "SAME_LOWER", { 2, 2, 1, 1 }, 4 },
                { "VALID", { 0, 0, 0, 0 }, 2 },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct ob *b = ob_new(11);
                ob_input(b, "x", 4, DIMS(1, 1, 7, 7));
                ob_init_f(b, "w", 4, DIMS(1, 1, 4, 4), w, true);
                Lsonnx__NodeProto *n = ob_node(b, "Conv", "c", "x,w", "y");
                ob_attr_s(b, n, "auto_pad", cases[i].mode);
                ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
                ob_output(b, "y");
                struct gpu_graph *g = et_load(b);
                for (int k = 0; k < 4; k++)
                        ASSERT_EQ(g->nodes[0].conv.pad[k], cases[i].pad[k]);
                ASSERT_EQ(g->tensors[g->outputs[0]].dims[2], cases[i].out);
                gpu_graph_free(g);
                ob_free(b);
        }
}

static void test_resize_forms(void) {
        /* Resize-11 with scales, Resize-13 with sizes, Upsample-9 with a scales input: same shape. */
        for (int form = 0; form < 3; form++) {
                struct ob *b = ob_new(form == 0 ? 11 : form == 1 ? 13 : 9);
                ob_input(b, "x", 4, DIMS(1, 2, 3, 5));
                if (form == 0) {
                        ob_init_f(b, "roi", 1, DIMS(0), NULL, true);
                        ob_init_f(b, "scales", 1, DIMS(4), (const float[]) { 1, 1, 2, 2 }, true);
                        ob_node(b, "Resize", "rs", "x,roi,scales", "y");
                } else if (form == 1) {
                        ob_init_i64(b, "sizes", 1, DIMS(4), DIMS(1, 2, 6, 10), true);
                        ob_node(b, "Resize", "rs", "x,,,sizes", "y");
                } else {
                        ob_init_f(b, "scales", 1, DIMS(4), (const float[]) { 1, 1, 2, 2 }, false);
                        ob_node(b, "Upsample", "up", "x,scales", "y");
                }
                ob_output(b, "y");
                struct gpu_graph *g = et_load(b);
                const struct gpu_tensor *y = &g->tensors[g->outputs[0]];
                ASSERT_EQ(y->dims[2], 6);
                ASSERT_EQ(y->dims[3], 10);
                ASSERT_EQ(g->nodes[0].op, GPU_OP_RESIZE);
                ASSERT_EQ(g->nodes[0].n_inputs, 1);
                ASSERT_EQ(g->nodes[0].resize.scale[3], 2.0f);
                ASSERT_EQ(g->nodes[0].resize.coord, form == 2 ? GPU_RESIZE_ASYMMETRIC : GPU_RESIZE_HALF_PIXEL);
                gpu_graph_free(g);
                ob_free(b);
        }
}

static void test_pad_forms(void) {
        for (int form = 0; form < 2; form++) {
                struct ob *b = ob_new(form ? 11 : 9);
                ob_input(b, "x", 2, DIMS(2, 3));
                if (form) {
                        ob_init_i64(b, "pads", 1, DIMS(4), DIMS(1, 0, 0, 2), false);
                        ob_init_f(b, "v", 0, NULL, (const float[]) { 5 }, true);
                        ob_node(b, "Pad", "p", "x,pads,v", "y");
                } else {
                        Lsonnx__NodeProto *n = ob_node(b, "Pad", "p", "x", "y");
                        ob_attr_ints(b, n, "pads", 4, DIMS(1, 0, 0, 2));
                        ob_attr_f(b, n, "value", 5);
                }
                ob_output(b, "y");
                struct gpu_graph *g = et_load(b);
                ASSERT_EQ(g->tensors[g->outputs[0]].dims[0], 3);
                ASSERT_EQ(g->tensors[g->outputs[0]].dims[1], 5);
                ASSERT_EQ(g->nodes[0].pad.value, 5.0f);
                gpu_graph_free(g);
                ob_free(b);
        }
}

TEST_MAIN(TEST_CASE(test_load_conv), TEST_CASE(test_typed_arrays), TEST_CASE(test_constant_nodes),
          TEST_CASE(test_symbolic_batch), TEST_CASE(test_unsupported_op), TEST_CASE(test_external_data),
          TEST_CASE(test_inconsistent_shapes), TEST_CASE(test_dangling), TEST_CASE(test_opset),
          TEST_CASE(test_truncated_and_corrupt), TEST_CASE(test_missing_file), TEST_CASE(test_clip_forms),
          TEST_CASE(test_softmax_axis), TEST_CASE(test_auto_pad), TEST_CASE(test_resize_forms),
          TEST_CASE(test_pad_forms))
