/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Preprocessing shaders against the CPU reference (gpu/preprocess.c): every
 * fourcc, odd widths/strides/offsets, letterbox with an ROI and the affine
 * warp, NHWC/NCHW, RGB/BGR, batches; the frame read through each import path.
 * Tolerance: max abs difference 1e-3 on the normalised output.
 */
#include <math.h>
#include <time.h>
#include <vulkan/vulkan.h>

#include "tests/gpu/vk-test-util.h"

#define TOL 1e-3
#define TIMEOUT_NS gpu_vk_ctx_timeout_ns(vk)

static struct gpu_pre_output blazeface(uint32_t size) {
        return (struct gpu_pre_output) {
                .width = size, .height = size, .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
                .mean = { 127.5f, 127.5f, 127.5f }, .scale = { 1 / 127.5f, 1 / 127.5f, 1 / 127.5f },
        };
}

static struct gpu_pre_output embedder(uint32_t size) {
        return (struct gpu_pre_output) {
                .width = size, .height = size, .layout = GPU_PRE_NCHW, .order = GPU_PRE_BGR,
                .mean = { 127, 127, 127 }, .scale = { 1 / 128.0f, 1 / 128.0f, 1 / 128.0f },
        };
}

static double max_diff(const float *a, const float *b, size_t n) {
        double m = 0;
        for (size_t i = 0; i < n; i++) {
                double d = fabs((double) a[i] - b[i]);
                if (!(d <= m))
                        m = isnan(d) ? INFINITY : d;
        }
        return m;
}

/* Runs xforms x[0..n) on the GPU and on the CPU; returns the max abs difference. */
static double compare(struct gpu_vk_ctx *vk, struct gpu_vk_importer *imp, const struct cam_frame *f,
                      const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n) {
        _cleanup_(gpu_vk_pre_freep) struct gpu_vk_pre *pre = NULL;
        size_t size = gpu_pre_output_size(o);
        _cleanup_free_ float *gpu = calloc(size * n, sizeof(float));
        _cleanup_free_ float *cpu = calloc(size, sizeof(float));
        double worst = 0;

        ASSERT_TRUE(gpu && cpu);
        ASSERT_OK(gpu_vk_pre_new(vk, o, n, &pre));
        ASSERT_OK(gpu_vk_importer_import(imp, f, NULL));
        ASSERT_OK(gpu_vk_pre_run(pre, imp, f, x, n, TIMEOUT_NS, gpu));
        for (uint32_t i = 0; i < n; i++) {
                float lo = INFINITY, hi = -INFINITY;
                ASSERT_OK(gpu_pre_run_cpu(f, o, &x[i], cpu));
                worst = MAX(worst, max_diff(gpu + i * size, cpu, size));
                /* Random pixels: a constant output would mean nothing was read. */
                for (size_t j = 0; j < size; j++)
                        lo = MIN(lo, gpu[i * size + j]), hi = MAX(hi, gpu[i * size + j]);
                ASSERT_TRUE(hi - lo > 0.5f);
        }
        return worst;
}

static const uint32_t fourccs[] = {
        V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_UYVY,
        V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_BGR24,
};

static void run_all_formats(unsigned allowed_paths) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        double worst = 0;

        ASSERT_OK(gpu_vk_importer_new(vk, &(struct gpu_vk_importer_params) { .allowed_paths = allowed_paths }, &imp));
        for (size_t k = 0; k < ELEMENTSOF(fourccs); k++) {
                struct cam_frame f;
                struct gpu_pre_xform x[3];
                struct gpu_pre_output bf = blazeface(16), em = embedder(12);
                /* Odd width and height, odd padding, odd offset; NV12M for one case. */
                vk_test_frame_new(&f, fourccs[k], 37, 23, 3 + (uint32_t) k, 5 + 2 * (uint32_t) k,
                                  fourccs[k] == V4L2_PIX_FMT_NV12, 100 + (uint32_t) k);
                f.index = (uint32_t) k;

                /* Whole frame letterboxed; an ROI; and a rotated + scaled warp partly off the frame. */
                ASSERT_OK(gpu_pre_letterbox(f.width, f.height, NULL, bf.width, bf.height, &x[0]));
                ASSERT_OK(gpu_pre_letterbox(f.width, f.height, &(struct gpu_pre_roi) { 3, 2, 11, 17 },
                                            bf.width, bf.height, &x[1]));
                double d1 = compare(vk, imp, &f, &bf, x, 2);

                const float a = 0.8f * cosf(0.5f), b = 0.8f * sinf(0.5f);
                const float m[6] = { a, -b, -4.0f, b, a, -9.0f };
                ASSERT_OK(gpu_pre_warp(f.width, f.height, m, em.width, em.height, &x[2]));
                double d2 = compare(vk, imp, &f, &em, &x[2], 1);

                printf("  %.4s: letterbox max diff %.2g, warp max diff %.2g\n", (const char *) &fourccs[k], d1, d2);
                ASSERT_TRUE(d1 <= TOL);
                ASSERT_TRUE(d2 <= TOL);
                worst = MAX(worst, MAX(d1, d2));
                vk_test_frame_free(&f);
        }
        printf("  worst max abs diff %.3g (tolerance %g)\n", worst, TOL);
}

static void test_formats_host_or_best(void) {
        vk_test_skip_under_valgrind();
        run_all_formats(0);
}

static void test_formats_copy_path(void) {
        vk_test_skip_under_valgrind();
        run_all_formats(1u << GPU_VK_IMPORT_COPY);
}

static void test_zero_copy_sees_new_pixels(void) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        _cleanup_(gpu_vk_pre_freep) struct gpu_vk_pre *pre = NULL;
        struct gpu_pre_output o = { .width = 8, .height = 4, .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
                                    .mean = { 0, 0, 0 }, .scale = { 1, 1, 1 } };
        struct gpu_vk_import_stats st;
        enum gpu_vk_import_path path;
        struct gpu_pre_xform x;
        struct cam_frame f;
        float out[8 * 4 * 3];

        if (!gpu_vk_ctx_caps(vk)->host_import)
                test_skip("device has no VK_EXT_external_memory_host");
        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        ASSERT_OK(gpu_vk_pre_new(vk, &o, 1, &pre));
        vk_test_frame_new(&f, V4L2_PIX_FMT_GREY, 8, 4, 0, 0, false, 9);
        ASSERT_OK(gpu_pre_letterbox(8, 4, NULL, 8, 4, &x));

        /* The producer writes new pixels into the same buffer: the GPU reads them with no copy. */
        for (unsigned v = 0; v < 3; v++) {
                memset(f.memory[0].data, 40 + 70 * v, f.memory[0].length);
                ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
                ASSERT_EQ(path, GPU_VK_IMPORT_HOST);
                ASSERT_OK(gpu_vk_pre_run(pre, imp, &f, &x, 1, TIMEOUT_NS, out));
                for (unsigned i = 0; i < ELEMENTSOF(out); i++)
                        ASSERT_NEAR(out[i], 40 + 70 * v, 1e-4);
        }
        gpu_vk_importer_stats(imp, &st);
        ASSERT_EQ(st.bytes_copied, 0);
        ASSERT_EQ(st.imports[GPU_VK_IMPORT_HOST], 1);
        vk_test_frame_free(&f);
}

static void test_blazeface_size_and_timing(void) {
        vk_test_skip_under_valgrind();
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        struct gpu_pre_output o = blazeface(128);
        struct gpu_pre_xform x;
        struct cam_frame f;
        struct timespec t0, t1;

        /* A 320x240 YUYV frame into BlazeFace's 128x128 input. */
        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        vk_test_frame_new(&f, V4L2_PIX_FMT_YUYV, 320, 240, 0, 0, false, 11);
        ASSERT_OK(gpu_pre_letterbox(320, 240, NULL, 128, 128, &x));
        clock_gettime(CLOCK_MONOTONIC, &t0);
        double d = compare(vk, imp, &f, &o, &x, 1);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("  320x240 YUYV -> 128x128: max diff %.2g, %.1f ms (pipeline build + run + CPU reference)\n", d,
               (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
        ASSERT_TRUE(d <= TOL);
        vk_test_frame_free(&f);
}

static void test_run_errors(void) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        _cleanup_(gpu_vk_pre_freep) struct gpu_vk_pre *pre = NULL;
        struct gpu_pre_output o = blazeface(8);
        struct gpu_pre_xform x[2];
        struct cam_frame f;

        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        ASSERT_OK(gpu_vk_pre_new(vk, &o, 1, &pre));
        vk_test_frame_new(&f, V4L2_PIX_FMT_GREY, 8, 8, 0, 0, false, 12);
        ASSERT_OK(gpu_pre_letterbox(8, 8, NULL, 8, 8, &x[0]));
        x[1] = x[0];
        /* Not imported yet. */
        ASSERT_ERR(gpu_vk_pre_run(pre, imp, &f, x, 1, TIMEOUT_NS, NULL), ESTALE);
        ASSERT_OK(gpu_vk_importer_import(imp, &f, NULL));
        ASSERT_ERR(gpu_vk_pre_run(pre, imp, &f, x, 2, TIMEOUT_NS, NULL), EINVAL);       /* batch > max */
        f.fourcc = V4L2_PIX_FMT_MJPEG;
        ASSERT_ERR(gpu_vk_pre_run(pre, imp, &f, x, 1, TIMEOUT_NS, NULL), EOPNOTSUPP);
        f.fourcc = V4L2_PIX_FMT_GREY;
        ASSERT_OK(gpu_vk_pre_run(pre, imp, &f, x, 1, TIMEOUT_NS, NULL));
        o.layout = 5;
        struct gpu_vk_pre *bad = NULL;
        ASSERT_ERR(gpu_vk_pre_new(vk, &o, 1, &bad), EINVAL);
        vk_test_frame_free(&f);
}

struct wait_fault {
        unsigned timeouts;              /* vkWaitForFences calls to fail with VK_TIMEOUT */
};

static int wait_fault_hook(const char *call, void *userdata) {
        struct wait_fault *f = userdata;
        if (!streq(call, "vkWaitForFences") || f->timeouts == 0)
                return 0;
        f->timeouts--;
        return VK_TIMEOUT;
}

/* A wait that times out (a slow device) fails that run only: the next one waits for the late submit, then runs. */
static void test_timeout_then_recovers(void) {
        struct wait_fault wf = {};
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk =
                vk_test_ctx(&(struct gpu_vk_ctx_params) { .fault = wait_fault_hook, .fault_userdata = &wf });
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        _cleanup_(gpu_vk_pre_freep) struct gpu_vk_pre *pre = NULL;
        struct gpu_pre_output o = { .width = 8, .height = 4, .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
                                    .mean = { 0, 0, 0 }, .scale = { 1, 1, 1 } };
        struct gpu_pre_xform x;
        struct cam_frame f;
        float out[8 * 4 * 3];

        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        ASSERT_OK(gpu_vk_pre_new(vk, &o, 1, &pre));
        vk_test_frame_new(&f, V4L2_PIX_FMT_GREY, 8, 4, 0, 0, false, 13);
        ASSERT_OK(gpu_pre_letterbox(8, 4, NULL, 8, 4, &x));
        memset(f.memory[0].data, 50, f.memory[0].length);
        ASSERT_OK(gpu_vk_importer_import(imp, &f, NULL));
        wf.timeouts = 1;
        ASSERT_ERR(gpu_vk_pre_run(pre, imp, &f, &x, 1, TIMEOUT_NS, out), ETIMEDOUT);
        ASSERT_TRUE(!gpu_vk_ctx_is_lost(vk));
        /* Still running as far as the next run knows: it waits for it (and times out) first. */
        wf.timeouts = 1;
        ASSERT_ERR(gpu_vk_pre_run(pre, imp, &f, &x, 1, TIMEOUT_NS, out), EBUSY);
        /* The late submit is done: the next run goes through, with the new pixels. */
        memset(f.memory[0].data, 120, f.memory[0].length);
        ASSERT_OK(gpu_vk_importer_import(imp, &f, NULL));
        ASSERT_OK(gpu_vk_pre_run(pre, imp, &f, &x, 1, TIMEOUT_NS, out));
        for (unsigned i = 0; i < ELEMENTSOF(out); i++)
                ASSERT_NEAR(out[i], 120, 1e-4);
        vk_test_frame_free(&f);
}

TEST_MAIN(TEST_CASE(test_formats_host_or_best),
          TEST_CASE(test_formats_copy_path),
          TEST_CASE(test_zero_copy_sees_new_pixels),
          TEST_CASE(test_blazeface_size_and_timing),
          TEST_CASE(test_run_errors),
          TEST_CASE(test_timeout_then_recovers));
