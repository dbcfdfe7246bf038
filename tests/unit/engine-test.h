/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared helpers of the engine's unit tests (header-only, static). */

#include "gpu/backend.h"
#include "gpu/onnx.h"
#include "onnx-builder.h"
#include "tests/test.h"

static inline uint32_t et_rand(uint32_t *s) {
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        return *s;
}

/* Uniform in [lo, hi). */
static inline float et_uniform(uint32_t *s, float lo, float hi) {
        return lo + (hi - lo) * (float) ((et_rand(s) >> 8) / 16777216.0);
}

static inline int et_range(uint32_t *s, int lo, int hi) {
        return lo + (int) (et_rand(s) % (uint32_t) (hi - lo + 1));
}

static inline void et_fill(float *v, size_t n, uint32_t seed, float lo, float hi) {
        uint32_t s = seed ? seed : 1;
        for (size_t i = 0; i < n; i++)
                v[i] = et_uniform(&s, lo, hi);
}

/* Loads b's model; fails the test with the loader's message on error. */
static inline struct gpu_graph *et_load(struct ob *b) {
        struct gpu_graph *g = NULL;
        char err[512];
        size_t n;
        const uint8_t *p = ob_bytes(b, &n);
        int r = onnx_load_buffer(p, n, &g, err, sizeof(err));

        if (r < 0)
                test_fail("load failed: %s (%s)", err, strerrorname_np(-r));
        return g;
}

/* Loads expecting failure; returns the error and copies the message. */
static inline int et_load_err(struct ob *b, char *err, size_t errlen) {
        struct gpu_graph *g = NULL;
        size_t n;
        const uint8_t *p = ob_bytes(b, &n);
        int r = onnx_load_buffer(p, n, &g, err, errlen);

        if (r >= 0) {
                gpu_graph_free(g);
                test_fail("load unexpectedly succeeded");
        }
        if (g)
                test_fail("graph returned on failure");
        return r;
}

/* Optimises (flags), plans, runs on the CPU backend (device "default" or "reference").
 * in: one buffer per graph input; out: one caller-allocated buffer per output. */
static inline void et_run(struct gpu_graph *g, unsigned flags, const char *device, unsigned threads,
                          const float *const *in, float *const *out) {
        struct gpu_backend *be = NULL;
        struct gpu_model *m = NULL;
        char err[512];

        if (!g->planned) {
                ASSERT_OK(gpu_graph_optimize(g, flags));
                ASSERT_OK(gpu_graph_plan(g));
                ASSERT_OK(gpu_graph_plan_verify(g));
        }
        if (gpu_backend_new("cpu", &(struct gpu_backend_params) { .n_threads = threads, .device = device }, &be,
                            err, sizeof(err)) < 0)
                test_fail("backend: %s", err);
        if (gpu_model_new(be, g, &m, err, sizeof(err)) < 0)
                test_fail("model: %s", err);
        for (size_t i = 0; i < g->n_inputs; i++)
                ASSERT_OK(gpu_model_set_input(m, i, in[i], g->tensors[g->inputs[i]].count));
        ASSERT_OK(gpu_model_run(m));
        for (size_t i = 0; i < g->n_outputs; i++)
                ASSERT_OK(gpu_model_get_output(m, i, out[i], g->tensors[g->outputs[i]].count));
        gpu_model_free(m);
        gpu_backend_free(be);
}

/* |a - b| <= rtol * max|b| + atol for every element; fails naming the worst element. */
static inline void et_compare(const char *what, const float *a, const float *b, size_t n, double rtol, double atol) {
        double mx = 0, worst = 0;
        size_t wi = 0;

        for (size_t i = 0; i < n; i++)
                mx = fmax(mx, fabs(b[i]));
        for (size_t i = 0; i < n; i++) {
                double d = fabs((double) a[i] - b[i]);
                if (!(d <= worst) || isnan(a[i])) {
                        worst = isnan(a[i]) ? INFINITY : d;
                        wi = i;
                }
        }
        if (!(worst <= rtol * mx + atol))
                test_fail("%s: element %zu: %.9g vs %.9g (|diff| %.3g > %.3g)", what, wi, a[wi], b[wi], worst,
                          rtol * mx + atol);
}
