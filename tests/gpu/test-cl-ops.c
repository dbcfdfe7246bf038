/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The OpenCL backend against the CPU backend's reference mode (device
 * "reference": plain double-accumulating loops) on small graphs covering
 * every op, with awkward shapes (odd sizes, broadcasting, asymmetric pads).
 * Tolerance: |cl - cpu| <= 1e-4 + 1e-4 * |cpu| (float vs double accumulation).
 * Also: fault injection (kernel build failure, out of resources at run,
 * missing ICD) with the caller falling back to the CPU backend.
 */
#include <math.h>

#include "gpu/backend.h"
#include "tests/gpu/test-cl-util.h"

#define ATOL 1e-4
#define RTOL 1e-4

static uint32_t seed = 12345;

/*
 * One program cache for the whole binary (the backend reads $CACHE_DIRECTORY):
 * the cases run in forked children, so only the first compiles the op kernels.
 * Made before main(), removed at exit by the process that made it.
 */
static char cache_dir[] = "/tmp/lanesight-cl-ops-XXXXXX";
static pid_t cache_owner;

static void __attribute__((constructor)) cache_setup(void) {
        if (mkdtemp(cache_dir) && setenv("CACHE_DIRECTORY", cache_dir, 1) == 0)
                cache_owner = getpid();
}

static void __attribute__((destructor)) cache_teardown(void) {
        if (cache_owner != getpid())
                return;
        char *d = strdup(cache_dir), *sub = NULL;
        if (d && asprintf(&sub, "%s/opencl", d) > 0) {
                test_cl_rmdir(sub); /* frees sub */
                test_cl_rmdir(d);
        } else
                free(d);
}

static float frand(void) {
        seed = seed * 1664525u + 1013904223u;
        return (float) (seed >> 8) / (float) (1u << 24) * 2.0f - 1.0f;
}

static int append(int **arr, size_t *n, int v) {
        int *a = reallocarray(*arr, *n + 1, sizeof(int));
        ASSERT_TRUE(a);
        a[(*n)++] = v;
        *arr = a;
        return v;
}

static int input(struct gpu_graph *g, const char *name, int ndim, const int64_t *dims) {
        int t = gpu_graph_add_tensor(g, name, GPU_TENSOR_INPUT);
        ASSERT_OK(t);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[t], ndim, dims));
        return append(&g->inputs, &g->n_inputs, t);
}

static int constant(struct gpu_graph *g, const char *name, int ndim, const int64_t *dims) {
        int t = gpu_graph_add_tensor(g, name, GPU_TENSOR_CONSTANT);
        ASSERT_OK(t);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[t], ndim, dims));
        g->tensors[t].data = malloc(g->tensors[t].count * sizeof(float));
        ASSERT_TRUE(g->tensors[t].data);
        for (size_t i = 0; i < g->tensors[t].count; i++)
                g->tensors[t].data[i] = frand();
        return t;
}

/* Adds a node reading `ins` (-1 terminated) and returns it; its output tensor is new. */
static struct gpu_node *node(struct gpu_graph *g, enum gpu_op op, const int *ins, int n_ins) {
        char name[32];
        snprintf(name, sizeof name, "n%zu", g->n_nodes);
        int ni = gpu_graph_add_node(g, name, op);
        ASSERT_OK(ni);
        int t = gpu_graph_add_tensor(g, name, GPU_TENSOR_ACTIVATION);
        ASSERT_OK(t);
        struct gpu_node *n = &g->nodes[ni];
        for (int i = 0; i < n_ins; i++)
                n->inputs[i] = ins[i];
        n->n_inputs = n_ins;
        n->output = t;
        g->tensors[t].producer = ni;
        return n;
}
#define NODE(g, op, ...) node(g, op, (const int[]) { __VA_ARGS__ }, (int) ELEMENTSOF(((const int[]) { __VA_ARGS__ })))

static int out_of(struct gpu_graph *g, const struct gpu_node *n) {
        return n->output;
}

static void set_output(struct gpu_graph *g, int t) {
        g->tensors[t].is_output = true;
        append(&g->outputs, &g->n_outputs, t);
}

static void finish(struct gpu_graph *g) {
        char err[256] = "";
        g->opset = 13;
        int r = gpu_graph_infer_shapes(g, err, sizeof err);
        if (r < 0)
                fprintf(stderr, "  %s\n", err);
        ASSERT_OK(r);
        ASSERT_OK(gpu_graph_plan(g));
}

/* Runs g on the reference CPU backend and on OpenCL with the same random inputs; compares every output. */
static double run_both(struct gpu_graph *g) {
        char err[256] = "";
        _cleanup_(gpu_backend_freep) struct gpu_backend *cpu = NULL, *cl = NULL;
        ASSERT_OK(gpu_backend_new("cpu", &(struct gpu_backend_params) { .n_threads = 1, .device = "reference" }, &cpu,
                                  err, sizeof err));
        int r = gpu_backend_new("opencl", NULL, &cl, err, sizeof err);
        if (r == -ENODEV)
                test_skip("%s", err);
        if (r < 0)
                fprintf(stderr, "  %s\n", err);
        ASSERT_OK(r);
        _cleanup_(gpu_model_freep) struct gpu_model *mc = NULL, *ml = NULL;
        ASSERT_OK(gpu_model_new(cpu, g, &mc, err, sizeof err));
        r = gpu_model_new(cl, g, &ml, err, sizeof err);
        if (r < 0)
                fprintf(stderr, "  %s\n", err);
        ASSERT_OK(r);

        for (size_t i = 0; i < g->n_inputs; i++) {
                size_t n = g->tensors[g->inputs[i]].count;
                _cleanup_free_ float *x = malloc(n * sizeof(float));
                ASSERT_TRUE(x);
                for (size_t k = 0; k < n; k++)
                        x[k] = frand();
                ASSERT_OK(gpu_model_set_input(mc, i, x, n));
                ASSERT_OK(gpu_model_set_input(ml, i, x, n));
        }
        double worst = 0;
        /* Twice: a second run over the same recorded launches must give the same answer. */
        for (int pass = 0; pass < 2; pass++) {
                ASSERT_OK(gpu_model_run(mc));
                ASSERT_OK(gpu_model_run(ml));
                for (size_t i = 0; i < g->n_outputs; i++) {
                        size_t n = g->tensors[g->outputs[i]].count;
                        _cleanup_free_ float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
                        ASSERT_TRUE(a && b);
                        ASSERT_OK(gpu_model_get_output(mc, i, a, n));
                        ASSERT_OK(gpu_model_get_output(ml, i, b, n));
                        for (size_t k = 0; k < n; k++) {
                                double d = fabs((double) a[k] - b[k]);
                                if (!(d <= ATOL + RTOL * fabs(a[k])))
                                        test_fail("output %zu[%zu]: cpu %.7g, opencl %.7g", i, k, a[k], b[k]);
                                worst = MAX(worst, d);
                        }
                }
        }
        fprintf(stderr, "  max |cl - cpu| = %.3g\n", worst);
        return worst;
}

static struct gpu_graph *graph_new(void) {
        struct gpu_graph *g = gpu_graph_new();
        ASSERT_TRUE(g);
        return g;
}

static struct gpu_node *conv(struct gpu_graph *g, int x, int64_t m, int64_t cin_per_group, int kh, int kw, int group) {
        int w = constant(g, "w", 4, (const int64_t[]) { m, cin_per_group, kh, kw });
        int b = constant(g, "b", 1, (const int64_t[]) { m });
        struct gpu_node *n = NODE(g, GPU_OP_CONV, x, w, b);
        n->conv = (struct gpu_conv_attrs) { .stride = { 1, 1 }, .dilation = { 1, 1 }, .group = group };
        return n;
}

static void test_conv(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 2, 3, 9, 7 });
        /* 3x3 pad 1 + relu */
        struct gpu_node *n = conv(g, x, 4, 3, 3, 3, 1);
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act.type = GPU_ACT_RELU;
        int a = out_of(g, n);
        /* grouped, dilated, strided, asymmetric pads + leaky relu */
        n = conv(g, a, 6, 2, 3, 2, 2);
        n->conv.stride[0] = 2;
        n->conv.dilation[0] = 2;
        n->conv.pad[0] = 2, n->conv.pad[1] = 0, n->conv.pad[2] = 1, n->conv.pad[3] = 1;
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_LEAKY_RELU, .alpha = 0.1f };
        int b = out_of(g, n);
        /* depthwise 3x3 stride 2 + clip (relu6-like) */
        n = conv(g, b, 6, 1, 3, 3, 6);
        n->conv.stride[0] = n->conv.stride[1] = 2;
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_CLIP, .alpha = -0.5f, .beta = 0.5f };
        set_output(g, out_of(g, n));
        set_output(g, a);
        finish(g);
        run_both(g);
}

static void test_conv_1x1_residual_prelu(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 1, 5, 6, 5 });
        int res = input(g, "res", 4, (const int64_t[]) { 1, 7, 6, 5 });
        int slope = constant(g, "slope", 1, (const int64_t[]) { 7 });
        struct gpu_node *n = conv(g, x, 7, 5, 1, 1, 1);
        n->inputs[GPU_CONV_IN_RESIDUAL] = res;
        n->inputs[GPU_CONV_IN_SLOPE] = slope;
        n->n_inputs = GPU_CONV_N_INPUTS;
        n->act.type = GPU_ACT_PRELU;
        /* The residual and slope slots survive shape inference (it sets n_inputs to 5). */
        set_output(g, out_of(g, n));
        finish(g);
        ASSERT_EQ(g->nodes[0].inputs[GPU_CONV_IN_RESIDUAL], res);
        run_both(g);
}

static void test_gemm_matmul(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int a = input(g, "a", 2, (const int64_t[]) { 5, 7 });
        int b = constant(g, "b", 2, (const int64_t[]) { 9, 7 });
        int c = constant(g, "c", 1, (const int64_t[]) { 9 });
        struct gpu_node *n = NODE(g, GPU_OP_GEMM, a, b, c);
        n->gemm = (struct gpu_gemm_attrs) { .alpha = 0.5f, .beta = 2.0f, .trans_b = true };
        set_output(g, out_of(g, n));
        /* trans_a, C [M,1] */
        int a2 = input(g, "a2", 2, (const int64_t[]) { 4, 3 });
        int b2 = constant(g, "b2", 2, (const int64_t[]) { 4, 6 });
        int c2 = constant(g, "c2", 2, (const int64_t[]) { 3, 1 });
        n = NODE(g, GPU_OP_GEMM, a2, b2, c2);
        n->gemm = (struct gpu_gemm_attrs) { .alpha = 1.0f, .beta = 1.0f, .trans_a = true };
        set_output(g, out_of(g, n));
        /* MatMul with broadcast batch dims */
        int ma = input(g, "ma", 4, (const int64_t[]) { 2, 1, 3, 4 });
        int mb = input(g, "mb", 3, (const int64_t[]) { 3, 4, 5 });
        n = NODE(g, GPU_OP_MATMUL, ma, mb);
        set_output(g, out_of(g, n));
        finish(g);
        run_both(g);
}

static void test_binary_broadcast(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int a = input(g, "a", 4, (const int64_t[]) { 2, 3, 4, 5 });
        int b = input(g, "b", 3, (const int64_t[]) { 3, 1, 5 });
        int s = constant(g, "s", 1, (const int64_t[]) { 1 });
        int add = out_of(g, NODE(g, GPU_OP_ADD, a, b));
        int mul = out_of(g, NODE(g, GPU_OP_MUL, add, s));
        int sub = out_of(g, NODE(g, GPU_OP_SUB, b, mul)); /* broadcast on the left operand */
        int slope = constant(g, "slope", 3, (const int64_t[]) { 3, 1, 1 });
        int pr = out_of(g, NODE(g, GPU_OP_PRELU, sub, slope));
        set_output(g, pr);
        set_output(g, add);
        finish(g);
        run_both(g);
}

static void test_unary(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 3, (const int64_t[]) { 3, 5, 7 });
        struct gpu_node *n = NODE(g, GPU_OP_SIGMOID, x);
        n->act.type = GPU_ACT_SIGMOID;
        int s = out_of(g, n);
        n = NODE(g, GPU_OP_LEAKY_RELU, x);
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_LEAKY_RELU, .alpha = 0.2f };
        set_output(g, out_of(g, n));
        n = NODE(g, GPU_OP_CLIP, x);
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_CLIP, .alpha = -0.3f, .beta = 0.6f };
        set_output(g, out_of(g, n));
        n = NODE(g, GPU_OP_RELU, x);
        n->act.type = GPU_ACT_RELU;
        set_output(g, out_of(g, n));
        set_output(g, s);
        finish(g);
        run_both(g);
}

static void test_pool(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 2, 3, 11, 10 });
        struct gpu_node *n = NODE(g, GPU_OP_MAX_POOL, x);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 3, 3 }, .stride = { 2, 2 }, .dilation = { 1, 1 },
                                            .pad = { 1, 1, 1, 1 } };
        set_output(g, out_of(g, n));
        n = NODE(g, GPU_OP_AVERAGE_POOL, x);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 3, 2 }, .stride = { 2, 3 }, .dilation = { 1, 1 },
                                            .pad = { 1, 0, 1, 1 }, .count_include_pad = true, .ceil_mode = true };
        set_output(g, out_of(g, n));
        n = NODE(g, GPU_OP_AVERAGE_POOL, x);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 2, 3 }, .stride = { 2, 2 }, .dilation = { 1, 1 },
                                            .pad = { 1, 1, 0, 1 }, .ceil_mode = true };
        set_output(g, out_of(g, n));
        set_output(g, out_of(g, NODE(g, GPU_OP_GLOBAL_AVERAGE_POOL, x)));
        finish(g);
        run_both(g);
}

static void test_concat_transpose_copy(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int a = input(g, "a", 4, (const int64_t[]) { 2, 3, 4, 5 });
        int b = input(g, "b", 4, (const int64_t[]) { 2, 1, 4, 5 });
        int c = constant(g, "c", 4, (const int64_t[]) { 2, 2, 4, 5 });
        struct gpu_node *n = NODE(g, GPU_OP_CONCAT, a, b, c);
        n->axis = 1;
        int cat = out_of(g, n);
        n = NODE(g, GPU_OP_CONCAT, a, a);
        n->axis = 3;
        set_output(g, out_of(g, n));
        n = NODE(g, GPU_OP_TRANSPOSE, cat);
        memcpy(n->perm, (const int[GPU_MAX_DIMS]) { 0, 2, 3, 1, -1, -1 }, sizeof n->perm);
        set_output(g, out_of(g, n));
        n = NODE(g, GPU_OP_TRANSPOSE, b);
        memcpy(n->perm, (const int[GPU_MAX_DIMS]) { 3, 1, 0, 2, -1, -1 }, sizeof n->perm);
        set_output(g, out_of(g, n));
        int shape = gpu_graph_add_tensor(g, "shape", GPU_TENSOR_CONSTANT);
        ASSERT_OK(shape);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[shape], 1, (const int64_t[]) { 2 }));
        g->tensors[shape].ints = calloc(2, sizeof(int64_t));
        g->tensors[shape].data = calloc(2, sizeof(float));
        ASSERT_TRUE(g->tensors[shape].ints && g->tensors[shape].data);
        g->tensors[shape].ints[0] = 6, g->tensors[shape].ints[1] = -1;
        set_output(g, out_of(g, NODE(g, GPU_OP_RESHAPE, cat, shape)));
        set_output(g, out_of(g, NODE(g, GPU_OP_IDENTITY, b)));
        set_output(g, cat);
        finish(g);
        run_both(g);
}

static void test_pad(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 1, 2, 5, 6 });
        static const struct {
                enum gpu_pad_mode mode;
                int64_t pads[8];
        } cases[] = {
                { GPU_PAD_CONSTANT, { 0, 1, 2, 0, 0, 0, 1, 3 } },
                { GPU_PAD_CONSTANT, { 0, 0, -1, 2, 0, 0, 1, -2 } }, /* negative: crop */
                { GPU_PAD_REFLECT, { 0, 0, 2, 3, 0, 0, 4, 1 } },
                { GPU_PAD_EDGE, { 0, 1, 3, 0, 0, 1, 0, 5 } },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct gpu_node *n = NODE(g, GPU_OP_PAD, x);
                n->pad = (struct gpu_pad_attrs) { .mode = cases[i].mode, .value = 0.75f, .n_pads = 8 };
                memcpy(n->pad.pads, cases[i].pads, sizeof cases[i].pads);
                set_output(g, out_of(g, n));
        }
        finish(g);
        run_both(g);
}

static void test_softmax(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 2, 5, 3, 4 });
        int big = constant(g, "big", 1, (const int64_t[]) { 1 });
        g->tensors[big].data[0] = 40.0f; /* large logits: the max subtraction matters */
        int scaled = out_of(g, NODE(g, GPU_OP_MUL, x, big));
        struct gpu_node *n = NODE(g, GPU_OP_SOFTMAX, scaled);
        n->softmax.axis = 1;
        set_output(g, out_of(g, n));
        n = NODE(g, GPU_OP_SOFTMAX, x);
        n->softmax.axis = 3;
        set_output(g, out_of(g, n));
        finish(g);
        run_both(g);
}

static void test_resize(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 1, 2, 5, 7 });
        static const struct {
                enum gpu_resize_mode mode;
                enum gpu_resize_coord coord;
                enum gpu_resize_nearest nearest;
                float sh, sw;
        } cases[] = {
                { GPU_RESIZE_NEAREST, GPU_RESIZE_ASYMMETRIC, GPU_RESIZE_FLOOR, 2.0f, 2.0f },
                { GPU_RESIZE_NEAREST, GPU_RESIZE_HALF_PIXEL, GPU_RESIZE_ROUND_PREFER_FLOOR, 1.5f, 0.5f },
                { GPU_RESIZE_NEAREST, GPU_RESIZE_TF_HALF_PIXEL_FOR_NEAREST, GPU_RESIZE_ROUND_PREFER_CEIL, 2.0f, 1.25f },
                { GPU_RESIZE_NEAREST, GPU_RESIZE_ASYMMETRIC, GPU_RESIZE_CEIL, 0.5f, 1.5f },
                { GPU_RESIZE_LINEAR, GPU_RESIZE_HALF_PIXEL, 0, 2.0f, 1.5f },
                { GPU_RESIZE_LINEAR, GPU_RESIZE_PYTORCH_HALF_PIXEL, 0, 0.25f, 0.5f },
                { GPU_RESIZE_LINEAR, GPU_RESIZE_ALIGN_CORNERS, 0, 1.5f, 2.0f },
                { GPU_RESIZE_LINEAR, GPU_RESIZE_ASYMMETRIC, 0, 3.0f, 0.75f },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct gpu_node *n = NODE(g, GPU_OP_RESIZE, x);
                n->resize = (struct gpu_resize_attrs) { .mode = cases[i].mode, .coord = cases[i].coord,
                                                        .nearest = cases[i].nearest, .scale_given = true,
                                                        .scale = { 1, 1, cases[i].sh, cases[i].sw } };
                set_output(g, out_of(g, n));
        }
        finish(g);
        run_both(g);
}

static void test_batch_norm(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 2, 4, 3, 5 });
        int sc = constant(g, "scale", 1, (const int64_t[]) { 4 });
        int bi = constant(g, "bias", 1, (const int64_t[]) { 4 });
        int mean = constant(g, "mean", 1, (const int64_t[]) { 4 });
        int var = constant(g, "var", 1, (const int64_t[]) { 4 });
        for (int i = 0; i < 4; i++)
                g->tensors[var].data[i] = fabsf(g->tensors[var].data[i]) + 0.1f;
        struct gpu_node *n = NODE(g, GPU_OP_BATCH_NORM, x, sc, bi, mean, var);
        n->bn.epsilon = 1e-5f;
        set_output(g, out_of(g, n));
        finish(g);
        run_both(g);
}

/* A small detector-like chain: intermediate tensors share arena bytes (the plan reuses them). */
static void test_chain_arena_reuse(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 1, 3, 16, 16 });
        struct gpu_node *n = conv(g, x, 8, 3, 3, 3, 1);
        n->conv.stride[0] = n->conv.stride[1] = 2;
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act.type = GPU_ACT_RELU;
        int t = out_of(g, n);
        for (int i = 0; i < 3; i++) {
                n = conv(g, t, 8, 1, 3, 3, 8);
                n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
                int dw = out_of(g, n);
                n = conv(g, dw, 8, 8, 1, 1, 1);
                n->inputs[GPU_CONV_IN_RESIDUAL] = t;
                n->n_inputs = GPU_CONV_N_INPUTS;
                n->act.type = GPU_ACT_RELU;
                t = out_of(g, n);
        }
        n = NODE(g, GPU_OP_MAX_POOL, t);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 2, 2 }, .stride = { 2, 2 }, .dilation = { 1, 1 } };
        t = out_of(g, n);
        t = out_of(g, NODE(g, GPU_OP_GLOBAL_AVERAGE_POOL, t));
        int shape = gpu_graph_add_tensor(g, "shape", GPU_TENSOR_CONSTANT);
        ASSERT_OK(shape);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[shape], 1, (const int64_t[]) { 2 }));
        g->tensors[shape].ints = calloc(2, sizeof(int64_t));
        g->tensors[shape].data = calloc(2, sizeof(float));
        ASSERT_TRUE(g->tensors[shape].ints && g->tensors[shape].data);
        g->tensors[shape].ints[0] = 1, g->tensors[shape].ints[1] = 8;
        t = out_of(g, NODE(g, GPU_OP_RESHAPE, t, shape));
        int w = constant(g, "fc", 2, (const int64_t[]) { 8, 4 });
        /* Keep the logits moderate so the softmax does not saturate to 0/1 and hide errors. */
        for (int i = 0; i < 32; i++)
                g->tensors[w].data[i] *= 0.02f;
        n = NODE(g, GPU_OP_MATMUL, t, w);
        n = NODE(g, GPU_OP_SOFTMAX, out_of(g, n));
        n->softmax.axis = 1;
        set_output(g, out_of(g, n));
        finish(g);
        ASSERT_OK(gpu_graph_plan_verify(g));
        run_both(g);
}

/* --- faults and fallback --- */

static struct gpu_graph *small_graph(void) {
        struct gpu_graph *g = graph_new();
        int x = input(g, "x", 4, (const int64_t[]) { 1, 2, 5, 5 });
        struct gpu_node *n = conv(g, x, 3, 2, 3, 3, 1);
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act.type = GPU_ACT_RELU;
        set_output(g, out_of(g, n));
        finish(g);
        ASSERT_EQ(g->tensors[g->inputs[0]].count, 50);
        ASSERT_EQ(g->tensors[g->outputs[0]].count, 75);
        return g;
}

struct fault {
        enum gpu_cl_fault_point point;
        int status;
        unsigned hits;
};

static int fault_hook(enum gpu_cl_fault_point point, const char *what, void *userdata) {
        struct fault *f = userdata;
        if (point != f->point)
                return 0;
        f->hits++;
        return f->status;
}

/* What a caller does: try OpenCL, fall back to the CPU backend on failure; returns the CPU result. */
static void cpu_fallback(struct gpu_graph *g, const float *x, float *y) {
        char err[256];
        _cleanup_(gpu_backend_freep) struct gpu_backend *cpu = NULL;
        _cleanup_(gpu_model_freep) struct gpu_model *m = NULL;
        ASSERT_OK(gpu_backend_new("cpu", NULL, &cpu, err, sizeof err));
        ASSERT_OK(gpu_model_new(cpu, g, &m, err, sizeof err));
        ASSERT_OK(gpu_model_set_input(m, 0, x, g->tensors[g->inputs[0]].count));
        ASSERT_OK(gpu_model_run(m));
        ASSERT_OK(gpu_model_get_output(m, 0, y, g->tensors[g->outputs[0]].count));
}

static void test_fault_build_fallback(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        struct fault f = { GPU_CL_FAULT_BUILD, CL_BUILD_PROGRAM_FAILURE };
        char err[256] = "";
        void *ctx = NULL, *model = NULL;
        int r = gpu_cl_backend_ctx_new(&(struct gpu_cl_ctx_params) { .fault = fault_hook, .fault_userdata = &f },
                                       &ctx, err, sizeof err);
        if (r == -ENODEV)
                test_skip("%s", err);
        ASSERT_OK(r);
        ASSERT_ERR(gpu_cl_backend_ops.model_new(ctx, g, &model, err, sizeof err), ENOEXEC);
        ASSERT_TRUE(model == NULL);
        ASSERT_TRUE(strstr(err, "building the op kernels failed") != NULL);
        ASSERT_EQ(f.hits, 1);
        gpu_cl_backend_ops.ctx_free(ctx);

        float x[50], y[75];
        for (int i = 0; i < 50; i++)
                x[i] = frand();
        cpu_fallback(g, x, y);
        /* The fallback computed something real: relu output, not all zero. */
        int nonzero = 0;
        for (int i = 0; i < 75; i++) {
                ASSERT_TRUE(y[i] >= 0.0f);
                nonzero += y[i] > 0.0f;
        }
        ASSERT_TRUE(nonzero > 0);
}

static void test_fault_run_out_of_resources(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        struct fault f = { GPU_CL_FAULT_ENQUEUE, 0 };
        char err[256] = "";
        void *ctx = NULL, *model = NULL;
        int r = gpu_cl_backend_ctx_new(&(struct gpu_cl_ctx_params) { .fault = fault_hook, .fault_userdata = &f },
                                       &ctx, err, sizeof err);
        if (r == -ENODEV)
                test_skip("%s", err);
        ASSERT_OK(r);
        r = gpu_cl_backend_ops.model_new(ctx, g, &model, err, sizeof err);
        if (r < 0)
                fprintf(stderr, "  %s\n", err);
        ASSERT_OK(r);
        float x[50], y_cl[75], y_cpu[75];
        for (int i = 0; i < 50; i++)
                x[i] = frand();
        ASSERT_OK(gpu_cl_backend_ops.set_input(model, 0, x, 50));
        ASSERT_OK(gpu_cl_backend_ops.run(model));
        ASSERT_OK(gpu_cl_backend_ops.get_output(model, 0, y_cl, 75));

        /* The device runs out of resources mid-stream: -ENOMEM, then the CPU takes over. */
        f.status = CL_OUT_OF_RESOURCES;
        ASSERT_ERR(gpu_cl_backend_ops.run(model), ENOMEM);
        ASSERT_EQ(f.hits, 2);
        gpu_cl_backend_ops.model_free(model);
        gpu_cl_backend_ops.ctx_free(ctx);
        cpu_fallback(g, x, y_cpu);
        for (int i = 0; i < 75; i++)
                ASSERT_NEAR(y_cl[i], y_cpu[i], ATOL + RTOL * fabsf(y_cpu[i]));

        /* A failing clFinish (a device lost mid-run) surfaces too. */
        struct fault f2 = { GPU_CL_FAULT_FINISH, CL_OUT_OF_RESOURCES };
        ASSERT_OK(gpu_cl_backend_ctx_new(&(struct gpu_cl_ctx_params) { .fault = fault_hook, .fault_userdata = &f2 },
                                         &ctx, err, sizeof err));
        ASSERT_OK(gpu_cl_backend_ops.model_new(ctx, g, &model, err, sizeof err));
        ASSERT_ERR(gpu_cl_backend_ops.run(model), ENOMEM);
        gpu_cl_backend_ops.model_free(model);
        gpu_cl_backend_ops.ctx_free(ctx);
}

static void test_fault_alloc(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        struct fault f = { GPU_CL_FAULT_ALLOC, CL_MEM_OBJECT_ALLOCATION_FAILURE };
        char err[256] = "";
        void *ctx = NULL, *model = NULL;
        int r = gpu_cl_backend_ctx_new(&(struct gpu_cl_ctx_params) { .fault = fault_hook, .fault_userdata = &f },
                                       &ctx, err, sizeof err);
        if (r == -ENODEV)
                test_skip("%s", err);
        ASSERT_OK(r);
        ASSERT_ERR(gpu_cl_backend_ops.model_new(ctx, g, &model, err, sizeof err), ENOMEM);
        ASSERT_TRUE(strstr(err, "constants") != NULL);
        gpu_cl_backend_ops.ctx_free(ctx);
}

static void test_missing_icd_fallback(void) {
        char dir[] = "/tmp/lanesight-cl-noicd-XXXXXX";
        ASSERT_TRUE(mkdtemp(dir));
        ASSERT_OK(setenv("OCL_ICD_VENDORS", dir, 1));
        char err[256] = "";
        struct gpu_backend *cl = NULL;
        int r = gpu_backend_new("opencl", NULL, &cl, err, sizeof err);
        (void) rmdir(dir);
        ASSERT_ERR(r, ENODEV);
        ASSERT_TRUE(cl == NULL);
        ASSERT_TRUE(strstr(err, "OpenCL") != NULL);
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        float x[50] = { 1 }, y[75];
        cpu_fallback(g, x, y);
}

TEST_MAIN(TEST_CASE(test_conv), TEST_CASE(test_conv_1x1_residual_prelu), TEST_CASE(test_gemm_matmul),
          TEST_CASE(test_binary_broadcast), TEST_CASE(test_unary), TEST_CASE(test_pool),
          TEST_CASE(test_concat_transpose_copy), TEST_CASE(test_pad), TEST_CASE(test_softmax),
          TEST_CASE(test_resize), TEST_CASE(test_batch_norm), TEST_CASE(test_chain_arena_reuse),
          TEST_CASE(test_fault_build_fallback), TEST_CASE(test_fault_run_out_of_resources),
          TEST_CASE(test_fault_alloc), TEST_CASE(test_missing_icd_fallback));
