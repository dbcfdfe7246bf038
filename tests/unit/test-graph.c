/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Graph rewrites (BN folding, fusion, aliasing) and the memory plan. */

#include <math.h>

#include "engine-test.h"

static float *rnd(size_t n, uint32_t seed, float lo, float hi) {
        float *v = malloc(n * sizeof(float));
        ASSERT_TRUE(v != NULL);
        et_fill(v, n, seed, lo, hi);
        return v;
}

/* Runs b optimised (flags, fast kernels) and unoptimised (reference); outputs must agree within rtol. */
static struct gpu_graph *compare_opt(struct ob *b, unsigned flags, double rtol) {
        struct gpu_graph *g = et_load(b), *gr = et_load(b);
        const struct gpu_tensor *xi = &g->tensors[g->inputs[0]];
        float *x = rnd(xi->count, 3, -1, 1), *y[4] = {}, *yr[4] = {};

        ASSERT_TRUE(g->n_outputs <= 4);
        for (size_t o = 0; o < g->n_outputs; o++) {
                y[o] = calloc(g->tensors[g->outputs[o]].count, 4);
                yr[o] = calloc(g->tensors[g->outputs[o]].count, 4);
        }
        et_run(g, flags, "default", 1, (const float *const[]) { x }, y);
        et_run(gr, 0, "reference", 1, (const float *const[]) { x }, yr);
        for (size_t o = 0; o < g->n_outputs; o++) {
                et_compare("optimised vs reference", y[o], yr[o], g->tensors[g->outputs[o]].count, rtol, 1e-7);
                free(y[o]);
                free(yr[o]);
        }
        gpu_graph_free(gr);
        free(x);
        return g;
}

/* Conv(x) -> BatchNormalization [-> Add(x) -> Relu]; 6 channels, 3x3, pad 1. */
static struct ob *conv_bn_model(bool residual_relu, bool bias) {
        struct ob *b = ob_new(11);
        float *w = rnd(6 * 6 * 9, 1, -0.3f, 0.3f), *bi = rnd(6, 2, -1, 1), *sc = rnd(6, 3, 0.5f, 2),
              *be = rnd(6, 4, -1, 1), *mu = rnd(6, 5, -1, 1), *va = rnd(6, 6, 0.1f, 3);
        Lsonnx__NodeProto *n;

        ob_input(b, "x", 4, DIMS(1, 6, 9, 7));
        ob_init_f(b, "w", 4, DIMS(6, 6, 3, 3), w, true);
        ob_init_f(b, "b", 1, DIMS(6), bi, true);
        ob_init_f(b, "sc", 1, DIMS(6), sc, true);
        ob_init_f(b, "be", 1, DIMS(6), be, true);
        ob_init_f(b, "mu", 1, DIMS(6), mu, true);
        ob_init_f(b, "va", 1, DIMS(6), va, true);
        n = ob_node(b, "Conv", "conv", bias ? "x,w,b" : "x,w", "c");
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        n = ob_node(b, "BatchNormalization", "bn", "c,sc,be,mu,va", residual_relu ? "bn" : "y");
        ob_attr_f(b, n, "epsilon", 1e-3f);
        if (residual_relu) {
                ob_node(b, "Add", "add", "x,bn", "sum");
                ob_node(b, "Relu", "relu", "sum", "y");
        }
        ob_output(b, "y");
        free(w);
        free(bi);
        free(sc);
        free(be);
        free(mu);
        free(va);
        return b;
}

static void test_bn_fold(void) {
        for (int bias = 0; bias < 2; bias++) {
                struct ob *b = conv_bn_model(false, bias);
                struct gpu_graph *g = compare_opt(b, GPU_OPT_ALL, 1e-5);

                ASSERT_EQ(g->n_nodes, 1);
                ASSERT_EQ(g->nodes[0].op, GPU_OP_CONV);
                ASSERT_TRUE(g->nodes[0].inputs[GPU_CONV_IN_B] >= 0);
                gpu_graph_free(g);
                ob_free(b);
        }
        /* With folding off, the BatchNormalization node stays and still computes the same. */
        struct ob *b = conv_bn_model(false, true);
        struct gpu_graph *g = compare_opt(b, GPU_OPT_FUSE_ACT, 1e-5);
        ASSERT_EQ(g->n_nodes, 2);
        ASSERT_EQ(g->nodes[1].op, GPU_OP_BATCH_NORM);
        gpu_graph_free(g);
        ob_free(b);
}

static void test_fuse_residual_act(void) {
        struct ob *b = conv_bn_model(true, true);
        struct gpu_graph *g = compare_opt(b, GPU_OPT_ALL, 1e-5);
        const struct gpu_node *n = &g->nodes[0];

        ASSERT_EQ(g->n_nodes, 1);
        ASSERT_EQ(n->op, GPU_OP_CONV);
        ASSERT_EQ(n->act.type, GPU_ACT_RELU);
        ASSERT_EQ(n->inputs[GPU_CONV_IN_RESIDUAL], g->inputs[0]);
        ASSERT_STREQ(g->tensors[n->output].name, "y");
        gpu_graph_free(g);
        ob_free(b);

        /* Only activations: BN folded, Add left alone, Relu not fused (its input is the Add). */
        b = conv_bn_model(true, true);
        g = compare_opt(b, GPU_OPT_FOLD_BN | GPU_OPT_FUSE_ACT, 1e-5);
        ASSERT_EQ(g->n_nodes, 3);
        gpu_graph_free(g);
        ob_free(b);
}

/* A conv output that is also a graph output, or read twice, is not fused away. */
static void test_no_fusion_when_observable(void) {
        static const float w[4 * 4];
        struct ob *b = ob_new(13);
        struct gpu_graph *g;

        ob_input(b, "x", 4, DIMS(1, 4, 3, 3));
        ob_init_f(b, "w", 4, DIMS(4, 4, 1, 1), w, true);
        ob_node(b, "Conv", "conv", "x,w", "c");
        ob_node(b, "Relu", "relu", "c", "y");
        ob_output(b, "y");
        ob_output(b, "c");
        g = et_load(b);
        ASSERT_OK(gpu_graph_optimize(g, GPU_OPT_ALL));
        ASSERT_EQ(g->n_nodes, 2);
        gpu_graph_free(g);
        ob_free(b);

        b = ob_new(13);
        ob_input(b, "x", 4, DIMS(1, 4, 3, 3));
        ob_init_f(b, "w", 4, DIMS(4, 4, 1, 1), w, true);
        ob_node(b, "Conv", "conv", "x,w", "c");
        ob_node(b, "Relu", "relu", "c", "r");
        ob_node(b, "Add", "add", "c,r", "y");
        ob_output(b, "y");
        g = et_load(b);
        ASSERT_OK(gpu_graph_optimize(g, GPU_OPT_ALL));
        ASSERT_EQ(g->n_nodes, 3);
        gpu_graph_free(g);
        ob_free(b);
}

static void test_fuse_prelu(void) {
        for (int per_channel = 0; per_channel < 2; per_channel++) {
                float *w = rnd(5 * 3 * 9, 9, -1, 1), *sl = rnd(5, 10, 0, 0.5f);
                struct ob *b = ob_new(9);
                Lsonnx__NodeProto *n;

                ob_input(b, "x", 4, DIMS(1, 3, 6, 5));
                ob_init_f(b, "w", 4, DIMS(5, 3, 3, 3), w, true);
                /* [5,1,1] is per channel; [5] right-aligns with W (= 5 here) and is not. */
                if (per_channel)
                        ob_init_f(b, "s", 3, DIMS(5, 1, 1), sl, true);
                else
                        ob_init_f(b, "s", 1, DIMS(5), sl, true);
                n = ob_node(b, "Conv", "conv", "x,w", "c");
                ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
                ob_node(b, "PRelu", "prelu", "c,s", "y");
                ob_output(b, "y");
                struct gpu_graph *g = compare_opt(b, GPU_OPT_ALL, 1e-5);
                ASSERT_EQ(g->n_nodes, per_channel ? 1 : 2);
                if (per_channel)
                        ASSERT_EQ(g->nodes[0].act.type, GPU_ACT_PRELU);
                gpu_graph_free(g);
                ob_free(b);
                free(w);
                free(sl);
        }
}

/* Reshape/Flatten/Identity become aliases: no node, same bytes; also as graph outputs (BlazeFace's tail). */
static void test_alias(void) {
        static const float w[2 * 2];
        struct ob *b = ob_new(13);
        struct gpu_graph *g;

        ob_input(b, "x", 4, DIMS(1, 2, 4, 4));
        ob_init_f(b, "w", 4, DIMS(2, 2, 1, 1), (const float[]) { 1, 0, 0, -1 }, true);
        ob_init_i64(b, "s", 1, DIMS(3), DIMS(1, -1, 4), true);
        ob_node(b, "Conv", "conv", "x,w", "c");
        ob_node(b, "Reshape", "rs", "c,s", "r");
        ob_node(b, "Relu", "relu", "r", "rr");
        ob_node(b, "Flatten", "fl", "rr", "f");
        ob_node(b, "Identity", "id", "f", "y");
        ob_output(b, "y");
        ob_output(b, "r");
        (void) w;
        g = compare_opt(b, GPU_OPT_ALL, 1e-6);
        ASSERT_EQ(g->n_nodes, 2);       /* conv, relu */
        int r = gpu_graph_find_tensor(g, "r"), c = gpu_graph_find_tensor(g, "c"), y = gpu_graph_find_tensor(g, "y");
        int rr = gpu_graph_find_tensor(g, "rr");
        ASSERT_EQ(g->tensors[r].alias, c);
        ASSERT_EQ(g->tensors[r].offset, g->tensors[c].offset);
        ASSERT_EQ(g->tensors[y].alias, rr);
        ASSERT_EQ(g->tensors[y].offset, g->tensors[rr].offset);
        ASSERT_EQ(g->tensors[y].ndim, 2);
        /* The graph output "r" lives to the end: nothing may overwrite the conv's output. */
        ASSERT_OK(gpu_graph_plan_verify(g));
        gpu_graph_free(g);
        ob_free(b);
}

/* Independent of plan.c: at every step, the tensors that hold a value needed now or later are disjoint. */
static void check_no_live_overlap(const struct gpu_graph *g) {
        for (size_t step = 0; step < g->n_nodes; step++)
                for (size_t i = 0; i < g->n_tensors; i++)
                        for (size_t j = i + 1; j < g->n_tensors; j++) {
                                const struct gpu_tensor *a = &g->tensors[i], *b = &g->tensors[j];
                                bool live[2] = { false, false };
                                for (int k = 0; k < 2; k++) {
                                        size_t t = k ? j : i;
                                        const struct gpu_tensor *x = &g->tensors[t];
                                        int root = x->alias >= 0 ? x->alias : (int) t;
                                        const struct gpu_tensor *rt = &g->tensors[root];
                                        if (rt->kind == GPU_TENSOR_CONSTANT || (rt->kind == GPU_TENSOR_ACTIVATION && rt->producer < 0))
                                                continue;
                                        bool made = rt->kind == GPU_TENSOR_INPUT || (size_t) rt->producer <= step;
                                        bool needed = x->is_output || rt->kind == GPU_TENSOR_INPUT;
                                        for (size_t n = step; n < g->n_nodes && !needed; n++)
                                                for (int q = 0; q < GPU_NODE_MAX_INPUTS; q++)
                                                        if (g->nodes[n].inputs[q] == (int) t)
                                                                needed = true;
                                        if ((size_t) rt->producer == step)
                                                needed = true;  /* being written now */
                                        live[k] = made && needed;
                                }
                                if (!live[0] || !live[1])
                                        continue;
                                if ((a->alias >= 0 ? a->alias : (int) i) == (b->alias >= 0 ? b->alias : (int) j))
                                        continue;       /* views of one buffer */
                                if (a->offset < b->offset + gpu_tensor_bytes(b) && b->offset < a->offset + gpu_tensor_bytes(a))
                                        test_fail("step %zu: '%s' and '%s' overlap", step, a->name, b->name);
                        }
}

static void test_plan_reuse(void) {
        struct ob *b = ob_new(13);
        struct gpu_graph *g;
        size_t one = ALIGN_UP((size_t) 8 * 16 * 16 * 4, (size_t) GPU_ARENA_ALIGN);
        char in[8], out[8];

        ob_input(b, "x", 4, DIMS(1, 8, 16, 16));
        for (int i = 0; i < 8; i++) {
                snprintf(in, sizeof(in), i ? "t%d" : "x", i);
                snprintf(out, sizeof(out), i == 7 ? "y" : "t%d", i + 1);
                ob_node(b, i % 2 ? "Sigmoid" : "Relu", NULL, in, out);
        }
        ob_output(b, "y");
        g = et_load(b);
        ASSERT_OK(gpu_graph_optimize(g, GPU_OPT_ALL));
        ASSERT_OK(gpu_graph_plan(g));
        ASSERT_OK(gpu_graph_plan_verify(g));
        check_no_live_overlap(g);
        /* The input lives throughout; t1..t7 and y ping-pong in two buffers (y only overlaps t7). */
        ASSERT_EQ(g->arena_size, 3 * one);

        /* Breaking the plan is caught. */
        int t1 = gpu_graph_find_tensor(g, "t1"), t2 = gpu_graph_find_tensor(g, "t2");
        g->tensors[t2].offset = g->tensors[t1].offset;
        ASSERT_ERR(gpu_graph_plan_verify(g), EINVAL);
        gpu_graph_free(g);
        ob_free(b);
}

/* Random DAGs: the plan never lets two live tensors share bytes, and results stay exact. */
static void test_plan_random_dags(void) {
        uint32_t s = 31337;

        for (int it = 0; it < 30; it++) {
                struct ob *b = ob_new(13);
                int n_nodes = et_range(&s, 2, 14);
                char names[16][8], ins[32];

                ob_input(b, "x", 2, DIMS(3, 5));
                for (int i = 0; i < n_nodes; i++) {
                        int a = et_range(&s, -1, i - 1), c = et_range(&s, -1, i - 1);
                        char sa[8], sc[8];
                        snprintf(sa, sizeof(sa), a < 0 ? "x" : "n%d", a);
                        snprintf(sc, sizeof(sc), c < 0 ? "x" : "n%d", c);
                        snprintf(names[i], sizeof(names[i]), "n%d", i);
                        switch (et_range(&s, 0, 3)) {
                        case 0:
                                snprintf(ins, sizeof(ins), "%s,%s", sa, sc);
                                ob_node(b, "Add", NULL, ins, names[i]);
                                break;
                        case 1:
                                snprintf(ins, sizeof(ins), "%s,%s", sa, sc);
                                ob_node(b, "Mul", NULL, ins, names[i]);
                                break;
                        case 2:
                                ob_node(b, "Sigmoid", NULL, sa, names[i]);
                                break;
                        default:
                                ob_node(b, "Identity", NULL, sa, names[i]);
                                break;
                        }
                }
                ob_output(b, names[n_nodes - 1]);
                if (n_nodes > 3)
                        ob_output(b, names[et_range(&s, 0, n_nodes - 2)]);
                struct gpu_graph *g = et_load(b), *gr = et_load(b);
                float x[15], y[2][15], yr[2][15];
                et_fill(x, 15, s, -1, 1);
                et_run(g, GPU_OPT_ALL, "default", 1, (const float *const[]) { x }, (float *const[]) { y[0], y[1] });
                et_run(gr, GPU_OPT_ALL & ~GPU_OPT_ALIAS, "reference", 1, (const float *const[]) { x },
                       (float *const[]) { yr[0], yr[1] });
                check_no_live_overlap(g);
                for (size_t o = 0; o < g->n_outputs; o++)
                        et_compare("dag output", y[o], yr[o], 15, 1e-6, 0);
                gpu_graph_free(g);
                gpu_graph_free(gr);
                ob_free(b);
        }
}

/* The backend registry: cpu always works; unknown names and stubbed GPU backends fail cleanly. */
static void test_backend_registry(void) {
        struct gpu_backend *be = NULL;
        char err[256];
        size_t n;

        ASSERT_TRUE(gpu_backend_find("cpu") == &gpu_cpu_backend_ops);
        ASSERT_TRUE(gpu_backend_list(&n) != NULL && n == 3);
        ASSERT_ERR(gpu_backend_new("tpu", NULL, &be, err, sizeof(err)), ENOENT);
        ASSERT_TRUE(strstr(err, "tpu") != NULL);
        ASSERT_ERR(gpu_backend_new("cpu", &(struct gpu_backend_params) { .device = "gpu0" }, &be, err, sizeof(err)),
                   EINVAL);
        /* The GPU backends are registered (real or stub); starting them is tests/unit/test-infer.sh's job
         * (drivers are not valgrind-clean). */
        ASSERT_TRUE(gpu_backend_find("vulkan") != NULL && gpu_backend_find("opencl") != NULL);
        ASSERT_OK(gpu_backend_new("cpu", NULL, &be, err, sizeof(err)));
        ASSERT_STREQ(gpu_backend_name(be), "cpu");
        gpu_backend_free(be);
}

/* Wrong sizes and indices are refused by the model API. */
static void test_model_api_checks(void) {
        struct ob *b = ob_new(13);
        struct gpu_graph *g;
        struct gpu_backend *be = NULL;
        struct gpu_model *m = NULL;
        float x[6] = { 0 };
        char err[256];

        ob_input(b, "x", 2, DIMS(2, 3));
        ob_node(b, "Relu", "r", "x", "y");
        ob_output(b, "y");
        g = et_load(b);
        ASSERT_OK(gpu_backend_new("cpu", NULL, &be, err, sizeof(err)));
        ASSERT_ERR(gpu_model_new(be, g, &m, err, sizeof(err)), EINVAL);        /* not planned */
        ASSERT_OK(gpu_graph_plan(g));
        ASSERT_OK(gpu_model_new(be, g, &m, err, sizeof(err)));
        ASSERT_ERR(gpu_model_set_input(m, 0, x, 5), EINVAL);
        ASSERT_ERR(gpu_model_set_input(m, 1, x, 6), ERANGE);
        ASSERT_ERR(gpu_model_get_output(m, 0, x, 7), EINVAL);
        ASSERT_OK(gpu_model_set_input(m, 0, x, 6));
        ASSERT_OK(gpu_model_run(m));
        gpu_model_free(m);
        gpu_backend_free(be);
        gpu_graph_free(g);
        ob_free(b);
}

TEST_MAIN(TEST_CASE(test_bn_fold), TEST_CASE(test_fuse_residual_act), TEST_CASE(test_no_fusion_when_observable),
          TEST_CASE(test_fuse_prelu), TEST_CASE(test_alias), TEST_CASE(test_plan_reuse),
          TEST_CASE(test_plan_random_dags), TEST_CASE(test_backend_registry), TEST_CASE(test_model_api_checks))
