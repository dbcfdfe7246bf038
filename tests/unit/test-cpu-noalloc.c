/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An inference allocates nothing: malloc/calloc/realloc are interposed in
 * this binary and counted while gpu_model_run() runs (1 and 2 threads, on
 * a model with every fast-path op). Skipped under ASan/valgrind, which
 * replace the allocator themselves.
 */

#include <stdatomic.h>

#include "engine-test.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

static atomic_int counting, allocations;

/* ASan owns malloc: interposing it there breaks its start-up, so the counters stay unused. */
#if !UNDER_ASAN
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

void *malloc(size_t size) {
        if (atomic_load(&counting))
                atomic_fetch_add(&allocations, 1);
        return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
        if (atomic_load(&counting))
                atomic_fetch_add(&allocations, 1);
        return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size) {
        if (atomic_load(&counting))
                atomic_fetch_add(&allocations, 1);
        return __libc_realloc(p, size);
}
#endif

static void test_run_allocates_nothing(void) {
        struct gpu_backend *be = NULL;
        struct gpu_model *m = NULL;
        struct gpu_graph *g;
        char err[256];
        float *x, *y;

        if (UNDER_ASAN || (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload")))
                test_skip("the allocator is replaced (sanitizer or valgrind)");

        /* Every fast path: conv (+PRelu), depthwise (+residual), pool, transposes, activation, GAP, MatMul. */
        struct ob *b = ob_new(13);
        float w1[8 * 3 * 9], w2[8 * 9], fc[5 * 8];
        et_fill(w1, ELEMENTSOF(w1), 1, -0.5f, 0.5f);
        et_fill(w2, ELEMENTSOF(w2), 2, -0.5f, 0.5f);
        et_fill(fc, ELEMENTSOF(fc), 3, -0.5f, 0.5f);
        ob_input(b, "x", 4, DIMS(1, 3, 16, 16));
        ob_init_f(b, "w1", 4, DIMS(8, 3, 3, 3), w1, true);
        ob_init_f(b, "w2", 4, DIMS(8, 1, 3, 3), w2, true);
        ob_init_f(b, "fc", 2, DIMS(8, 5), fc, true);
        ob_init_f(b, "s", 3, DIMS(8, 1, 1), w2, true);
        Lsonnx__NodeProto *n = ob_node(b, "Conv", "c1", "x,w1", "a");
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        ob_node(b, "PRelu", "p", "a,s", "ap");
        n = ob_node(b, "Conv", "dw", "ap,w2", "d");
        ob_attr_i(b, n, "group", 8);
        ob_attr_ints(b, n, "pads", 4, DIMS(1, 1, 1, 1));
        ob_node(b, "Add", "res", "ap,d", "r");
        n = ob_node(b, "MaxPool", "mp", "r", "mpo");
        ob_attr_ints(b, n, "kernel_shape", 2, DIMS(2, 2));
        ob_attr_ints(b, n, "strides", 2, DIMS(2, 2));
        n = ob_node(b, "Transpose", "t", "mpo", "tr");
        ob_attr_ints(b, n, "perm", 4, DIMS(0, 2, 3, 1));
        n = ob_node(b, "Transpose", "t2", "tr", "back");
        ob_attr_ints(b, n, "perm", 4, DIMS(0, 3, 1, 2));
        ob_node(b, "Sigmoid", "sg", "back", "sgo");
        ob_node(b, "GlobalAveragePool", "gap", "sgo", "g");
        ob_node(b, "Flatten", "f", "g", "fl");
        ob_node(b, "MatMul", "mm", "fl,fc", "logits");
        ob_node(b, "Softmax", "sm", "logits", "y");
        ob_output(b, "y");
        g = et_load(b);
        ASSERT_OK(gpu_graph_optimize(g, GPU_OPT_ALL));
        ASSERT_OK(gpu_graph_plan(g));
        x = calloc(3 * 16 * 16, sizeof(float));
        y = calloc(5, sizeof(float));
        ASSERT_TRUE(x && y);
        et_fill(x, 3 * 16 * 16, 9, -1, 1);
        for (unsigned threads = 1; threads <= 2; threads++) {
                ASSERT_OK(gpu_backend_new("cpu", &(struct gpu_backend_params) { .n_threads = threads }, &be, err,
                                          sizeof(err)));
                ASSERT_OK(gpu_model_new(be, g, &m, err, sizeof(err)));
                ASSERT_OK(gpu_model_set_input(m, 0, x, 3 * 16 * 16));
                ASSERT_OK(gpu_model_run(m));    /* warm-up: lazy thread start-up may allocate */
                atomic_store(&allocations, 0);
                atomic_store(&counting, 1);
                for (int k = 0; k < 5; k++)
                        ASSERT_OK(gpu_model_run(m));
                atomic_store(&counting, 0);
                ASSERT_EQ(atomic_load(&allocations), 0);
                ASSERT_OK(gpu_model_get_output(m, 0, y, 5));
                ASSERT_NEAR(y[0] + y[1] + y[2] + y[3] + y[4], 1.0, 1e-5);
                m = gpu_model_free(m);
                be = gpu_backend_free(be);
        }
        free(x);
        free(y);
        gpu_graph_free(g);
        ob_free(b);
}

/* The counter itself works (a test that cannot fail proves nothing). */
static void test_counter_counts(void) {
        if (UNDER_ASAN || (getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload")))
                test_skip("the allocator is replaced (sanitizer or valgrind)");
        atomic_store(&allocations, 0);
        atomic_store(&counting, 1);
        void *volatile p = malloc(16);
        atomic_store(&counting, 0);
        free(p);
        ASSERT_EQ(atomic_load(&allocations), 1);
}

TEST_MAIN(TEST_CASE(test_counter_counts), TEST_CASE(test_run_allocates_nothing))
