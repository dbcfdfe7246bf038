/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Vulkan backend against the CPU backend in reference mode (plain loops,
 * double accumulation) on small graphs covering every op with awkward shapes
 * (odd sizes, broadcasting, asymmetric pads, strides, dilation, groups).
 * Tolerance: |vk - cpu| <= 1e-4 + 1e-4 * |cpu| (float vs double accumulation).
 * Each model runs twice: the recorded command buffer is replayed.
 * Also: faults injected while preparing and running a model (pipeline build
 * failure, out of memory, device lost, missing ICD) with the caller falling
 * back to the CPU backend.
 */
#include <math.h>
#include <time.h>
#include <vulkan/vulkan.h>

#include "gpu/backend.h"
#include "gpu/graph.h"
#include "gpu/vk/vk-internal.h"
#include "tests/gpu/vk-test-util.h"

#define ATOL 1e-4
#define RTOL 1e-4

static uint32_t rng = 2463534242u;

static float rnd(void) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        return (float) (rng >> 8) / (float) (1u << 24) * 2.0f - 1.0f;
}

static void push_int(int **arr, size_t *n, int v) {
        int *a = reallocarray(*arr, *n + 1, sizeof(int));
        ASSERT_TRUE(a);
        a[(*n)++] = v;
        *arr = a;
}

static int add_input(struct gpu_graph *g, int ndim, const int64_t *dims) {
        int t = gpu_graph_add_tensor(g, "in", GPU_TENSOR_INPUT);
        ASSERT_OK(t);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[t], ndim, dims));
        push_int(&g->inputs, &g->n_inputs, t);
        return t;
}

static int add_const(struct gpu_graph *g, int ndim, const int64_t *dims, float lo, float hi) {
        int t = gpu_graph_add_tensor(g, "const", GPU_TENSOR_CONSTANT);
        ASSERT_OK(t);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[t], ndim, dims));
        g->tensors[t].data = malloc(g->tensors[t].count * sizeof(float));
        ASSERT_TRUE(g->tensors[t].data);
        for (size_t i = 0; i < g->tensors[t].count; i++)
                g->tensors[t].data[i] = lo + (hi - lo) * (rnd() + 1) / 2;
        return t;
}

static struct gpu_node *add_node(struct gpu_graph *g, enum gpu_op op, const int *ins, int n_ins) {
        char name[32];
        snprintf(name, sizeof(name), "%s%zu", gpu_op_to_string(op), g->n_nodes);
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
#define ADD(g, op, ...) add_node(g, op, (const int[]) { __VA_ARGS__ }, \
                                 (int) (sizeof((const int[]) { __VA_ARGS__ }) / sizeof(int)))

static void add_output(struct gpu_graph *g, int t) {
        g->tensors[t].is_output = true;
        push_int(&g->outputs, &g->n_outputs, t);
}

static void plan(struct gpu_graph *g) {
        char err[256] = "";
        int r;

        g->opset = 13;
        r = gpu_graph_infer_shapes(g, err, sizeof(err));
        if (r < 0)
                test_fail("shape inference: %s", err);
        ASSERT_OK(gpu_graph_plan(g));
}

/* Vulkan model through the ops table, with optional context params (fault hooks). */
struct vk_run {
        void *ctx;
        void *model;
};

static int vk_open(const struct gpu_graph *g, const struct gpu_vk_ctx_params *p, struct vk_run *ret, char *err,
                   size_t errlen) {
        int r = gpu_vk_backend_ctx_new(p ?: &(struct gpu_vk_ctx_params) {}, &ret->ctx, err, errlen);
        if (r == -ENODEV)
                test_skip("%s", err);
        if (r < 0)
                return r;
        r = gpu_vk_backend_ops.model_new(ret->ctx, g, &ret->model, err, errlen);
        if (r < 0) {
                gpu_vk_backend_ops.ctx_free(ret->ctx);
                ret->ctx = NULL;
        }
        return r;
}

static void vk_close(struct vk_run *v) {
        if (v->model)
                gpu_vk_backend_ops.model_free(v->model);
        if (v->ctx)
                gpu_vk_backend_ops.ctx_free(v->ctx);
        *v = (struct vk_run) {};
}

/* Runs g on the CPU reference and on Vulkan with the same random inputs; returns the worst |diff|. */
static double run_both(struct gpu_graph *g) {
        _cleanup_(gpu_backend_freep) struct gpu_backend *cpu = NULL;
        _cleanup_(gpu_model_freep) struct gpu_model *mc = NULL;
        struct vk_run v = {};
        char err[256] = "";
        double worst = 0;

        ASSERT_OK(gpu_backend_new("cpu", &(struct gpu_backend_params) { .n_threads = 1, .device = "reference" }, &cpu,
                                  err, sizeof(err)));
        ASSERT_OK(gpu_model_new(cpu, g, &mc, err, sizeof(err)));
        int r = vk_open(g, NULL, &v, err, sizeof(err));
        if (r < 0)
                test_fail("vulkan model: %s (%s)", err, strerrorname_np(-r));

        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < g->n_inputs; i++) {
                        size_t n = g->tensors[g->inputs[i]].count;
                        _cleanup_free_ float *x = malloc(n * sizeof(float));
                        ASSERT_TRUE(x);
                        for (size_t k = 0; k < n; k++)
                                x[k] = rnd();
                        ASSERT_OK(gpu_model_set_input(mc, i, x, n));
                        ASSERT_OK(gpu_vk_backend_ops.set_input(v.model, i, x, n));
                }
                ASSERT_OK(gpu_model_run(mc));
                ASSERT_OK(gpu_vk_backend_ops.run(v.model));
                for (size_t i = 0; i < g->n_outputs; i++) {
                        size_t n = g->tensors[g->outputs[i]].count;
                        _cleanup_free_ float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
                        ASSERT_TRUE(a && b);
                        ASSERT_OK(gpu_model_get_output(mc, i, a, n));
                        ASSERT_OK(gpu_vk_backend_ops.get_output(v.model, i, b, n));
                        for (size_t k = 0; k < n; k++) {
                                double d = fabs((double) a[k] - b[k]);
                                if (!(d <= ATOL + RTOL * fabs(a[k])))
                                        test_fail("output %zu[%zu]: cpu %.7g, vulkan %.7g", i, k, a[k], b[k]);
                                worst = MAX(worst, d);
                        }
                }
        }
        vk_close(&v);
        printf("  max |vk - cpu| = %.3g\n", worst);
        return worst;
}

static struct gpu_node *conv(struct gpu_graph *g, int x, int64_t m, int64_t cg, int kh, int kw, int group) {
        int w = add_const(g, 4, (const int64_t[]) { m, cg, kh, kw }, -0.5f, 0.5f);
        int b = add_const(g, 1, (const int64_t[]) { m }, -0.5f, 0.5f);
        struct gpu_node *n = ADD(g, GPU_OP_CONV, x, w, b);
        n->conv = (struct gpu_conv_attrs) { .stride = { 1, 1 }, .dilation = { 1, 1 }, .group = group };
        return n;
}

static void test_conv2d(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int x = add_input(g, 4, (const int64_t[]) { 2, 3, 9, 7 });
        /* 3x3 pad 1, relu */
        struct gpu_node *n = conv(g, x, 4, 3, 3, 3, 1);
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act.type = GPU_ACT_RELU;
        int a = n->output;
        /* grouped, dilated, strided, asymmetric pads, leaky relu */
        n = conv(g, a, 6, 2, 3, 2, 2);
        n->conv.stride[0] = 2;
        n->conv.dilation[0] = 2;
        n->conv.pad[0] = 2, n->conv.pad[2] = 1, n->conv.pad[3] = 1;
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_LEAKY_RELU, .alpha = 0.1f };
        int b = n->output;
        /* depthwise 3x3 stride 2, clip */
        n = conv(g, b, 6, 1, 3, 3, 6);
        n->conv.stride[0] = n->conv.stride[1] = 2;
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_CLIP, .alpha = -0.5f, .beta = 0.5f };
        add_output(g, n->output);
        add_output(g, a);
        plan(g);
        run_both(g);
}

static void test_conv2d_1x1_residual_prelu(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int x = add_input(g, 4, (const int64_t[]) { 1, 5, 6, 5 });
        int res = add_input(g, 4, (const int64_t[]) { 1, 7, 6, 5 });
        int slope = add_const(g, 1, (const int64_t[]) { 7 }, 0.0f, 0.5f);
        struct gpu_node *n = conv(g, x, 7, 5, 1, 1, 1);
        n->inputs[GPU_CONV_IN_RESIDUAL] = res;
        n->inputs[GPU_CONV_IN_SLOPE] = slope;
        n->n_inputs = GPU_CONV_N_INPUTS;
        n->act.type = GPU_ACT_PRELU;
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

static void test_gemm_matmul(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int a = add_input(g, 2, (const int64_t[]) { 5, 7 });
        int b = add_const(g, 2, (const int64_t[]) { 9, 7 }, -1, 1);
        int c = add_const(g, 1, (const int64_t[]) { 9 }, -1, 1);
        struct gpu_node *n = ADD(g, GPU_OP_GEMM, a, b, c);
        n->gemm = (struct gpu_gemm_attrs) { .alpha = 0.5f, .beta = 2.0f, .trans_b = true };
        add_output(g, n->output);
        /* transposed A, no C */
        int at = add_input(g, 2, (const int64_t[]) { 4, 3 });
        int bt = add_input(g, 2, (const int64_t[]) { 4, 6 });
        n = ADD(g, GPU_OP_GEMM, at, bt);
        n->gemm = (struct gpu_gemm_attrs) { .alpha = 1.0f, .beta = 1.0f, .trans_a = true };
        add_output(g, n->output);
        /* batched matmul with a broadcast batch dim */
        int ma = add_input(g, 4, (const int64_t[]) { 2, 3, 4, 5 });
        int mb = add_const(g, 3, (const int64_t[]) { 1, 5, 6 }, -1, 1);
        n = ADD(g, GPU_OP_MATMUL, ma, mb);
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

static void test_eltwise_broadcast(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int a = add_input(g, 4, (const int64_t[]) { 2, 3, 4, 5 });
        int b = add_input(g, 3, (const int64_t[]) { 3, 1, 5 });
        int c = add_const(g, 1, (const int64_t[]) { 5 }, -1, 1);
        int s = add_const(g, 3, (const int64_t[]) { 3, 1, 1 }, 0, 0.5f);
        int t = ADD(g, GPU_OP_ADD, a, b)->output;
        t = ADD(g, GPU_OP_MUL, t, c)->output;
        t = ADD(g, GPU_OP_SUB, c, t)->output;           /* broadcast on the left operand */
        t = ADD(g, GPU_OP_PRELU, t, s)->output;
        add_output(g, t);
        plan(g);
        run_both(g);
}

static void test_activations(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int x = add_input(g, 3, (const int64_t[]) { 3, 7, 11 });
        struct gpu_node *n = ADD(g, GPU_OP_RELU, x);
        n->act.type = GPU_ACT_RELU;
        add_output(g, n->output);
        n = ADD(g, GPU_OP_LEAKY_RELU, x);
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_LEAKY_RELU, .alpha = 0.2f };
        add_output(g, n->output);
        n = ADD(g, GPU_OP_CLIP, x);
        n->act = (struct gpu_act_attrs) { .type = GPU_ACT_CLIP, .alpha = -0.3f, .beta = 0.6f };
        add_output(g, n->output);
        n = ADD(g, GPU_OP_SIGMOID, x);
        n->act.type = GPU_ACT_SIGMOID;
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

static void test_pooling(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int x = add_input(g, 4, (const int64_t[]) { 2, 3, 9, 8 });
        struct gpu_node *n = ADD(g, GPU_OP_MAX_POOL, x);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 3, 3 }, .stride = { 2, 2 }, .dilation = { 1, 1 },
                                            .pad = { 1, 1, 1, 1 } };
        add_output(g, n->output);
        n = ADD(g, GPU_OP_AVERAGE_POOL, x);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 3, 2 }, .stride = { 2, 3 }, .dilation = { 1, 1 },
                                            .pad = { 1, 0, 1, 1 }, .count_include_pad = true };
        add_output(g, n->output);
        n = ADD(g, GPU_OP_AVERAGE_POOL, x);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 2, 3 }, .stride = { 2, 2 }, .dilation = { 1, 1 },
                                            .pad = { 0, 1, 1, 0 } };
        add_output(g, n->output);
        n = ADD(g, GPU_OP_GLOBAL_AVERAGE_POOL, x);
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

static void test_concat_transpose_copy(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int a = add_input(g, 4, (const int64_t[]) { 2, 3, 4, 5 });
        int b = add_input(g, 4, (const int64_t[]) { 2, 2, 4, 5 });
        int c = add_const(g, 4, (const int64_t[]) { 2, 1, 4, 5 }, -1, 1);
        struct gpu_node *n = ADD(g, GPU_OP_CONCAT, a, b, c);
        n->axis = 1;
        add_output(g, n->output);
        n = ADD(g, GPU_OP_CONCAT, a, a);
        n->axis = 3;
        add_output(g, n->output);
        n = ADD(g, GPU_OP_TRANSPOSE, a);
        memcpy(n->perm, (const int[GPU_MAX_DIMS]) { 0, 2, 3, 1, -1, -1 }, sizeof(n->perm));
        add_output(g, n->output);
        n = ADD(g, GPU_OP_TRANSPOSE, b);
        memcpy(n->perm, (const int[GPU_MAX_DIMS]) { 3, 1, 0, 2, -1, -1 }, sizeof(n->perm));
        add_output(g, n->output);
        n = ADD(g, GPU_OP_IDENTITY, a);
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

static void test_pad(void) {
        vk_test_skip_under_valgrind();
        static const struct {
                enum gpu_pad_mode mode;
                int64_t pads[8];
        } cases[] = {
                { GPU_PAD_CONSTANT, { 0, 0, 1, 2, 0, 1, 2, 0 } },
                { GPU_PAD_REFLECT, { 0, 0, 2, 1, 0, 0, 1, 3 } },
                { GPU_PAD_EDGE, { 0, 1, 0, 3, 1, 0, 2, 1 } },
                { GPU_PAD_CONSTANT, { 0, 0, -1, 1, 0, 0, 1, -2 } },      /* crop + pad */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
                int x = add_input(g, 4, (const int64_t[]) { 1, 2, 5, 6 });
                struct gpu_node *n = ADD(g, GPU_OP_PAD, x);
                n->pad = (struct gpu_pad_attrs) { .mode = cases[i].mode, .value = 0.75f, .n_pads = 8 };
                memcpy(n->pad.pads, cases[i].pads, sizeof(cases[i].pads));
                add_output(g, n->output);
                plan(g);
                run_both(g);
        }
}

static void test_softmax(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int x = add_input(g, 4, (const int64_t[]) { 2, 5, 3, 4 });
        struct gpu_node *n = ADD(g, GPU_OP_SOFTMAX, x);
        n->softmax.axis = 1;
        add_output(g, n->output);
        n = ADD(g, GPU_OP_SOFTMAX, x);
        n->softmax.axis = 3;
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

static void test_resize(void) {
        vk_test_skip_under_valgrind();
        static const struct {
                enum gpu_resize_mode mode;
                enum gpu_resize_coord coord;
                enum gpu_resize_nearest nearest;
                float sh, sw;
        } cases[] = {
                { GPU_RESIZE_NEAREST, GPU_RESIZE_ASYMMETRIC, GPU_RESIZE_FLOOR, 2, 2 },
                { GPU_RESIZE_NEAREST, GPU_RESIZE_HALF_PIXEL, GPU_RESIZE_ROUND_PREFER_FLOOR, 2, 3 },
                { GPU_RESIZE_NEAREST, GPU_RESIZE_TF_HALF_PIXEL_FOR_NEAREST, GPU_RESIZE_ROUND_PREFER_CEIL, 2, 2 },
                { GPU_RESIZE_LINEAR, GPU_RESIZE_HALF_PIXEL, 0, 2, 2 },
                { GPU_RESIZE_LINEAR, GPU_RESIZE_ALIGN_CORNERS, 0, 2, 1.5f },
                { GPU_RESIZE_LINEAR, GPU_RESIZE_PYTORCH_HALF_PIXEL, 0, 0.5f, 2 },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
                int x = add_input(g, 4, (const int64_t[]) { 1, 2, 4, 6 });
                struct gpu_node *n = ADD(g, GPU_OP_RESIZE, x);
                n->resize = (struct gpu_resize_attrs) { .mode = cases[i].mode, .coord = cases[i].coord,
                                                        .nearest = cases[i].nearest,
                                                        .scale = { 1, 1, cases[i].sh, cases[i].sw },
                                                        .scale_given = true };
                add_output(g, n->output);
                plan(g);
                run_both(g);
        }
}

static void test_batch_norm(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int x = add_input(g, 4, (const int64_t[]) { 2, 4, 3, 5 });
        int sc = add_const(g, 1, (const int64_t[]) { 4 }, 0.5f, 1.5f);
        int bi = add_const(g, 1, (const int64_t[]) { 4 }, -1, 1);
        int mn = add_const(g, 1, (const int64_t[]) { 4 }, -1, 1);
        int vr = add_const(g, 1, (const int64_t[]) { 4 }, 0.1f, 2);
        struct gpu_node *n = ADD(g, GPU_OP_BATCH_NORM, x, sc, bi, mn, vr);
        n->bn.epsilon = 1e-5f;
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

/* A chain where the planner reuses arena bytes: each node must see its inputs intact. */
static void test_chain_arena_reuse(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        int x = add_input(g, 4, (const int64_t[]) { 1, 4, 12, 12 });
        struct gpu_node *n = conv(g, x, 8, 4, 3, 3, 1);
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act.type = GPU_ACT_RELU;
        int a = n->output;
        n = conv(g, a, 8, 1, 3, 3, 8);
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        int b = ADD(g, GPU_OP_ADD, n->output, a)->output;
        n = ADD(g, GPU_OP_MAX_POOL, b);
        n->pool = (struct gpu_pool_attrs) { .kernel = { 2, 2 }, .stride = { 2, 2 }, .dilation = { 1, 1 } };
        n = conv(g, n->output, 6, 8, 1, 1, 1);
        n = ADD(g, GPU_OP_GLOBAL_AVERAGE_POOL, n->output);
        add_output(g, n->output);
        plan(g);
        run_both(g);
}

static void test_registry_and_timing(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        _cleanup_(gpu_backend_freep) struct gpu_backend *be = NULL;
        _cleanup_(gpu_model_freep) struct gpu_model *m = NULL;
        char err[256] = "";
        struct timespec t0, t1, t2;
        int x = add_input(g, 4, (const int64_t[]) { 1, 8, 32, 32 });
        struct gpu_node *n = conv(g, x, 16, 8, 3, 3, 1);
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        n->act.type = GPU_ACT_RELU;
        add_output(g, n->output);
        plan(g);

        /* Through the public registry: "vulkan" resolves to this backend; CacheDirectory= is honoured. */
        char dir[] = "/tmp/lanesight-vkbe-XXXXXX", path[64];
        ASSERT_TRUE(mkdtemp(dir) != NULL);
        snprintf(path, sizeof(path), "%s/vulkan-pipeline-cache.bin", dir);
        setenv("CACHE_DIRECTORY", dir, 1);
        int r = gpu_backend_new("vulkan", NULL, &be, err, sizeof(err));
        if (r == -ENODEV)
                test_skip("%s", err);
        ASSERT_OK(r);
        ASSERT_STREQ(gpu_backend_name(be), "vulkan");
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ASSERT_OK(gpu_model_new(be, g, &m, err, sizeof(err)));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        _cleanup_free_ float *in = calloc(8 * 32 * 32, sizeof(float)), *out = calloc(16 * 32 * 32, sizeof(float));
        ASSERT_TRUE(in && out);
        ASSERT_OK(gpu_model_set_input(m, 0, in, 8 * 32 * 32));
        for (int i = 0; i < 5; i++)
                ASSERT_OK(gpu_model_run(m));
        clock_gettime(CLOCK_MONOTONIC, &t2);
        ASSERT_OK(gpu_model_get_output(m, 0, out, 16 * 32 * 32));
        /* Zero input: relu(bias) everywhere. */
        const float *bias = g->tensors[g->nodes[0].inputs[GPU_CONV_IN_B]].data;
        for (int c = 0; c < 16; c++)
                ASSERT_NEAR(out[c * 32 * 32 + 5], MAX(bias[c], 0.0f), 1e-6);
        m = gpu_model_free(m);
        be = gpu_backend_free(be);
        ASSERT_EQ(access(path, R_OK), 0);       /* saved when the backend closed */
        ASSERT_EQ(unlink(path), 0);
        ASSERT_EQ(rmdir(dir), 0);
        printf("  conv 8->16 3x3 on 32x32: prepare %.1f ms, run %.2f ms (replayed command buffer)\n",
               (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6,
               ((t2.tv_sec - t1.tv_sec) * 1e3 + (t2.tv_nsec - t1.tv_nsec) / 1e6) / 5);
}

/* A frame preprocessed on the GPU straight into a model's input, against the CPU route. */
static void test_input_frame(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = gpu_graph_new();
        _cleanup_(gpu_backend_freep) struct gpu_backend *cpu = NULL;
        _cleanup_(gpu_model_freep) struct gpu_model *mc = NULL;
        struct gpu_pre_output o = { .width = 12, .height = 12, .layout = GPU_PRE_NCHW, .order = GPU_PRE_BGR,
                                    .mean = { 127, 127, 127 }, .scale = { 1 / 128.0f, 1 / 128.0f, 1 / 128.0f } };
        const float m[6] = { 0.4f, 0.1f, -2.0f, -0.1f, 0.4f, 1.0f };
        float in[2 * 3 * 12 * 12], a[2 * 4 * 12 * 12], b[2 * 4 * 12 * 12];
        struct gpu_vk_import_stats st;
        struct gpu_pre_xform x[2];
        struct vk_run v = {};
        struct cam_frame f;
        char err[256] = "";

        int t = add_input(g, 4, (const int64_t[]) { 2, 3, 12, 12 });
        struct gpu_node *n = conv(g, t, 4, 3, 3, 3, 1);
        n->conv.pad[0] = n->conv.pad[1] = n->conv.pad[2] = n->conv.pad[3] = 1;
        add_output(g, n->output);
        plan(g);

        vk_test_frame_new(&f, V4L2_PIX_FMT_YUYV, 40, 30, 2, 0, false, 21);
        ASSERT_OK(gpu_pre_warp(40, 30, m, 12, 12, &x[0]));
        ASSERT_OK(gpu_pre_letterbox(40, 30, &(struct gpu_pre_roi) { 5, 5, 20, 10 }, 12, 12, &x[1]));

        ASSERT_OK(vk_open(g, NULL, &v, err, sizeof(err)));
        ASSERT_OK(gpu_vk_model_set_input_frame(v.model, 0, &f, &o, x, 2));
        ASSERT_OK(gpu_vk_backend_ops.run(v.model));
        ASSERT_OK(gpu_vk_backend_ops.get_output(v.model, 0, a, ELEMENTSOF(a)));
        gpu_vk_model_import_stats(v.model, &st);
        ASSERT_EQ(st.frames[st.last_path], 1);
        if (gpu_vk_ctx_caps(gpu_vk_backend_vk(v.ctx))->host_import) {
                ASSERT_EQ(st.last_path, GPU_VK_IMPORT_HOST);
                ASSERT_EQ(st.bytes_copied, 0);
        }
        /* Shapes that do not fit the tensor. */
        ASSERT_ERR(gpu_vk_model_set_input_frame(v.model, 0, &f, &o, x, 3), EINVAL);
        o.width = 16;
        ASSERT_ERR(gpu_vk_model_set_input_frame(v.model, 0, &f, &o, x, 1), EINVAL);
        o.width = 12;
        ASSERT_ERR(gpu_vk_model_set_input_frame(v.model, 1, &f, &o, x, 1), EINVAL);
        vk_close(&v);

        /* The CPU route: reference preprocessing, reference backend. */
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x[0], in));
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x[1], in + 3 * 12 * 12));
        ASSERT_OK(gpu_backend_new("cpu", &(struct gpu_backend_params) { .n_threads = 1, .device = "reference" }, &cpu,
                                  err, sizeof(err)));
        ASSERT_OK(gpu_model_new(cpu, g, &mc, err, sizeof(err)));
        ASSERT_OK(gpu_model_set_input(mc, 0, in, ELEMENTSOF(in)));
        ASSERT_OK(gpu_model_run(mc));
        ASSERT_OK(gpu_model_get_output(mc, 0, b, ELEMENTSOF(b)));
        double worst = 0;
        for (size_t i = 0; i < ELEMENTSOF(a); i++) {
                double d = fabs((double) a[i] - b[i]);
                if (!(d <= ATOL + RTOL * fabs(b[i])))
                        test_fail("output[%zu]: cpu %.7g, vulkan %.7g", i, b[i], a[i]);
                worst = MAX(worst, d);
        }
        printf("  frame -> GPU preprocessing -> conv: max |vk - cpu| = %.3g\n", worst);
        vk_test_frame_free(&f);
}

/* --- faults --- */

struct fault {
        const char *call;
        int result;
        unsigned hits;
};

static int fault_hook(const char *call, void *userdata) {
        struct fault *f = userdata;
        if (!streq(call, f->call))
                return 0;
        f->hits++;
        return f->result;
}

static struct gpu_graph *small_graph(void) {
        struct gpu_graph *g = gpu_graph_new();
        ASSERT_TRUE(g);
        int x = add_input(g, 4, (const int64_t[]) { 1, 2, 5, 5 });
        struct gpu_node *n = conv(g, x, 3, 2, 3, 3, 1);
        n->act.type = GPU_ACT_RELU;
        add_output(g, n->output);
        plan(g);
        return g;
}

/* small_graph()'s input in the fault tests: a ramp, so every output depends on the weights. */
static void small_input(float in[50]) {
        for (int i = 0; i < 50; i++)
                in[i] = (float) i / 50 - 0.3f;
}

/*
 * The oracle of small_graph(): its 3x3 valid convolution (2 -> 3 channels,
 * 5x5 -> 3x3) and ReLU as plain loops in double precision, from the graph's
 * own weights. Every output is compared within 1e-5 (float accumulation of 18
 * products of magnitude < 1).
 */
static void assert_small_graph(const struct gpu_graph *g, const float in[50], const float out[27], const char *who) {
        const struct gpu_node *n = &g->nodes[0];
        const float *w = g->tensors[n->inputs[GPU_CONV_IN_W]].data, *b = g->tensors[n->inputs[GPU_CONV_IN_B]].data;

        for (int m = 0; m < 3; m++)
                for (int y = 0; y < 3; y++)
                        for (int x = 0; x < 3; x++) {
                                double acc = b[m];
                                for (int c = 0; c < 2; c++)
                                        for (int ky = 0; ky < 3; ky++)
                                                for (int kx = 0; kx < 3; kx++)
                                                        acc += (double) w[((m * 2 + c) * 3 + ky) * 3 + kx] *
                                                               in[(c * 5 + y + ky) * 5 + x + kx];
                                double want = acc > 0 ? acc : 0, got = out[(m * 3 + y) * 3 + x];
                                if (fabs(got - want) > 1e-5)
                                        test_fail("%s: output[%d,%d,%d] = %.7g, oracle %.7g", who, m, y, x, got, want);
                        }
}

/* The caller's fallback: run on the CPU backend instead. */
static void run_on_cpu(const struct gpu_graph *g, float *out) {
        _cleanup_(gpu_backend_freep) struct gpu_backend *cpu = NULL;
        _cleanup_(gpu_model_freep) struct gpu_model *m = NULL;
        float in[50];
        char err[256];

        small_input(in);
        ASSERT_OK(gpu_backend_new("cpu", NULL, &cpu, err, sizeof(err)));
        ASSERT_OK(gpu_model_new(cpu, g, &m, err, sizeof(err)));
        ASSERT_OK(gpu_model_set_input(m, 0, in, 50));
        ASSERT_OK(gpu_model_run(m));
        ASSERT_OK(gpu_model_get_output(m, 0, out, 27));
}

static void test_fault_pipeline_build(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        struct fault f = { .call = "vkCreateComputePipelines", .result = VK_ERROR_INITIALIZATION_FAILED };
        struct vk_run v = {};
        char err[256] = "";
        float out[27];

        ASSERT_ERR(vk_open(g, &(struct gpu_vk_ctx_params) { .fault = fault_hook, .fault_userdata = &f }, &v, err,
                           sizeof(err)), ENOEXEC);
        ASSERT_EQ(f.hits, 1);
        ASSERT_TRUE(strstr(err, "pipeline build failed") != NULL);
        ASSERT_TRUE(strstr(err, "Conv") != NULL);
        run_on_cpu(g, out);
        float in[50];
        small_input(in);
        assert_small_graph(g, in, out, "CPU fallback");
}

static void test_fault_out_of_memory(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        struct fault f = { .call = "vkAllocateMemory", .result = VK_ERROR_OUT_OF_DEVICE_MEMORY };
        struct vk_run v = {};
        char err[256] = "";

        ASSERT_ERR(vk_open(g, &(struct gpu_vk_ctx_params) { .fault = fault_hook, .fault_userdata = &f }, &v, err,
                           sizeof(err)), ENOMEM);
        ASSERT_TRUE(strstr(err, "allocate") != NULL);
}

static void test_fault_device_lost(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        struct fault f = { .call = "none", .result = VK_ERROR_DEVICE_LOST };
        struct vk_run v = {};
        char err[256] = "";
        float in[50], out[27], ref[27];

        small_input(in);
        ASSERT_OK(vk_open(g, &(struct gpu_vk_ctx_params) { .fault = fault_hook, .fault_userdata = &f }, &v, err,
                          sizeof(err)));
        ASSERT_OK(gpu_vk_backend_ops.set_input(v.model, 0, in, 50));
        ASSERT_OK(gpu_vk_backend_ops.run(v.model));
        /* Before the loss the device computes the right thing. */
        ASSERT_OK(gpu_vk_backend_ops.get_output(v.model, 0, out, 27));
        assert_small_graph(g, in, out, "vulkan before the loss");
        /* The device is lost while waiting for the fence. */
        f.call = "vkWaitForFences";
        ASSERT_ERR(gpu_vk_backend_ops.run(v.model), ENODEV);
        ASSERT_EQ(f.hits, 1);
        /* Further runs fail fast; freeing still works (waits for the real work, bounded). */
        ASSERT_ERR(gpu_vk_backend_ops.run(v.model), ENODEV);
        ASSERT_EQ(f.hits, 1);
        vk_close(&v);
        /* The caller's fallback gives the same results as the device did. */
        run_on_cpu(g, ref);
        assert_small_graph(g, in, ref, "CPU fallback after the loss");

        /* Lost at submit (after the constants' upload went through). */
        f = (struct fault) { .call = "none", .result = VK_ERROR_DEVICE_LOST };
        ASSERT_OK(vk_open(g, &(struct gpu_vk_ctx_params) { .fault = fault_hook, .fault_userdata = &f }, &v, err,
                          sizeof(err)));
        f.call = "vkQueueSubmit";
        ASSERT_ERR(gpu_vk_backend_ops.run(v.model), ENODEV);
        ASSERT_ERR(gpu_vk_backend_ops.run(v.model), ENODEV);
        ASSERT_EQ(f.hits, 1);   /* the second run did not reach the driver */
        vk_close(&v);
}

static void test_fault_timeout(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        struct fault f = { .call = "none", .result = VK_TIMEOUT };
        struct vk_run v = {};
        char err[256] = "";
        float in[50] = {}, out[27];

        ASSERT_OK(vk_open(g, &(struct gpu_vk_ctx_params) { .fault = fault_hook, .fault_userdata = &f }, &v, err,
                          sizeof(err)));
        ASSERT_OK(gpu_vk_backend_ops.set_input(v.model, 0, in, 50));
        f.call = "vkWaitForFences";
        ASSERT_ERR(gpu_vk_backend_ops.run(v.model), ETIMEDOUT);
        /* Still in flight as far as the caller knows: buffers are not touched. */
        ASSERT_ERR(gpu_vk_backend_ops.get_output(v.model, 0, out, 27), EBUSY);
        ASSERT_ERR(gpu_vk_backend_ops.set_input(v.model, 0, in, 50), EBUSY);
        /* The next run first waits for the late one, then runs. */
        f.call = "none";
        ASSERT_OK(gpu_vk_backend_ops.run(v.model));
        ASSERT_OK(gpu_vk_backend_ops.get_output(v.model, 0, out, 27));
        const float *bias = g->tensors[g->nodes[0].inputs[GPU_CONV_IN_B]].data;
        for (int c = 0; c < 3; c++)
                ASSERT_NEAR(out[c * 9 + 4], MAX(bias[c], 0.0f), 1e-6);
        vk_close(&v);
}

static void test_fault_missing_icd_fallback(void) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = small_graph();
        _cleanup_(gpu_backend_freep) struct gpu_backend *be = NULL;
        char err[256] = "";
        float out[27];

        setenv("VK_ICD_FILENAMES", "/nonexistent/lanesight-icd.json", 1);
        setenv("VK_DRIVER_FILES", "/nonexistent/lanesight-icd.json", 1);
        ASSERT_ERR(gpu_backend_new("vulkan", NULL, &be, err, sizeof(err)), ENODEV);
        ASSERT_TRUE(be == NULL);
        ASSERT_TRUE(strstr(err, "vulkan") != NULL);
        ASSERT_OK(gpu_backend_new("cpu", NULL, &be, err, sizeof(err)));
        be = gpu_backend_free(be);
        run_on_cpu(g, out);
        float in[50];
        small_input(in);
        assert_small_graph(g, in, out, "CPU fallback");
}

TEST_MAIN(TEST_CASE(test_conv2d),
          TEST_CASE(test_conv2d_1x1_residual_prelu),
          TEST_CASE(test_gemm_matmul),
          TEST_CASE(test_eltwise_broadcast),
          TEST_CASE(test_activations),
          TEST_CASE(test_pooling),
          TEST_CASE(test_concat_transpose_copy),
          TEST_CASE(test_pad),
          TEST_CASE(test_softmax),
          TEST_CASE(test_resize),
          TEST_CASE(test_batch_norm),
          TEST_CASE(test_chain_arena_reuse),
          TEST_CASE(test_registry_and_timing),
          TEST_CASE(test_input_frame),
          TEST_CASE(test_fault_pipeline_build),
          TEST_CASE(test_fault_out_of_memory),
          TEST_CASE(test_fault_device_lost),
          TEST_CASE(test_fault_timeout),
          TEST_CASE(test_fault_missing_icd_fallback));
