/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Vulkan frame path benchmark (make bench): the CPU cost per frame of each
 * import path (zero-copy host import vs staging copy) and the bytes copied,
 * then preprocessing latency on the GPU against the CPU reference, for a
 * 640x480 YUYV frame into BlazeFace's 128x128 input and an embedder warp.
 *   bench-vk [FRAMES]      (default 100)
 */
#include <time.h>

#include "tests/gpu/vk-test-util.h"

static double now_ms(clockid_t clk) {
        struct timespec ts;
        clock_gettime(clk, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n) {
        qsort(v, n, sizeof(double), cmp_double);
        return v[n / 2];
}

static void bench_import(struct gpu_vk_ctx *vk, struct cam_frame *f, enum gpu_vk_import_path path, unsigned frames) {
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        struct gpu_vk_import_stats st;
        enum gpu_vk_import_path got;
        double cpu = 0;

        if (gpu_vk_importer_new(vk, &(struct gpu_vk_importer_params) { .allowed_paths = 1u << path }, &imp) < 0)
                return;
        /* The first frame sets the import up; count the steady state. */
        if (gpu_vk_importer_import(imp, f, &got) < 0) {
                printf("import %-6s  unavailable on this device\n", gpu_vk_import_path_to_string(path));
                return;
        }
        for (unsigned i = 0; i < frames; i++) {
                double t0 = now_ms(CLOCK_THREAD_CPUTIME_ID);
                if (gpu_vk_importer_import(imp, f, &got) < 0)
                        return;
                cpu += now_ms(CLOCK_THREAD_CPUTIME_ID) - t0;
        }
        gpu_vk_importer_stats(imp, &st);
        printf("import %-6s  CPU %8.1f us/frame  copied %8.0f bytes/frame\n", gpu_vk_import_path_to_string(got),
               cpu * 1e3 / frames, (double) st.bytes_copied / (frames + 1));
}

static void bench_pre(struct gpu_vk_ctx *vk, struct cam_frame *f, const struct gpu_pre_output *o,
                      const struct gpu_pre_xform *x, const char *what, unsigned reps) {
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        _cleanup_(gpu_vk_pre_freep) struct gpu_vk_pre *pre = NULL;
        _cleanup_free_ float *out = calloc(gpu_pre_output_size(o), sizeof(float));
        _cleanup_free_ double *gpu = calloc(reps, sizeof(double)), *cpu = calloc(reps, sizeof(double));
        double t0, build;

        if (!out || !gpu || !cpu || gpu_vk_importer_new(vk, NULL, &imp) < 0 ||
            gpu_vk_importer_import(imp, f, NULL) < 0)
                return;
        t0 = now_ms(CLOCK_MONOTONIC);
        if (gpu_vk_pre_new(vk, o, 1, &pre) < 0 || gpu_vk_pre_run(pre, imp, f, x, 1, gpu_vk_ctx_timeout_ns(vk), out) < 0)
                return;
        build = now_ms(CLOCK_MONOTONIC) - t0;
        for (unsigned i = 0; i < reps; i++) {
                t0 = now_ms(CLOCK_MONOTONIC);
                if (gpu_vk_pre_run(pre, imp, f, x, 1, gpu_vk_ctx_timeout_ns(vk), out) < 0)
                        return;
                gpu[i] = now_ms(CLOCK_MONOTONIC) - t0;
                t0 = now_ms(CLOCK_MONOTONIC);
                (void) gpu_pre_run_cpu(f, o, x, out);
                cpu[i] = now_ms(CLOCK_MONOTONIC) - t0;
        }
        printf("preprocess %-28s vulkan %7.3f ms  cpu-reference %7.3f ms  (first run incl. pipeline %.1f ms)\n", what,
               median(gpu, reps), median(cpu, reps), build);
}

int main(int argc, char **argv) {
        unsigned frames = argc > 1 ? (unsigned) atoi(argv[1]) : 100;
        char err[GPU_VK_ERROR_MAX] = "";
        struct gpu_vk_ctx *vk = NULL;
        struct gpu_pre_xform x;
        struct cam_frame f;

        if (gpu_vk_ctx_new(&(struct gpu_vk_ctx_params) { .error = err }, &vk) < 0) {
                printf("bench-vk: skipped: %s\n", err);
                return 0;
        }
        frames = frames ? frames : 1;
        printf("bench-vk: device '%s' (%s), 640x480 YUYV frame (%u bytes), %u frames\n",
               gpu_vk_ctx_caps(vk)->device_name, gpu_vk_ctx_caps(vk)->driver_name, 640 * 480 * 2, frames);
        vk_test_frame_new(&f, V4L2_PIX_FMT_YUYV, 640, 480, 0, 0, false, 1);
        for (int p = 0; p < _GPU_VK_IMPORT_PATH_MAX; p++)
                bench_import(vk, &f, p, frames);

        struct gpu_pre_output bf = {
                .width = 128, .height = 128, .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
                .mean = { 127.5f, 127.5f, 127.5f }, .scale = { 1 / 127.5f, 1 / 127.5f, 1 / 127.5f },
        };
        if (gpu_pre_letterbox(640, 480, NULL, 128, 128, &x) == 0)
                bench_pre(vk, &f, &bf, &x, "letterbox 640x480->128x128", frames / 5 + 1);
        struct gpu_pre_output em = {
                .width = 112, .height = 112, .layout = GPU_PRE_NCHW, .order = GPU_PRE_BGR,
                .mean = { 127, 127, 127 }, .scale = { 1 / 128.0f, 1 / 128.0f, 1 / 128.0f },
        };
        const float m[6] = { 0.9f, -0.1f, -250, 0.1f, 0.9f, -150 };
        if (gpu_pre_warp(640, 480, m, 112, 112, &x) == 0)
                bench_pre(vk, &f, &em, &x, "warp -> 112x112 NCHW BGR", frames / 5 + 1);

        vk_test_frame_free(&f);
        gpu_vk_ctx_free(vk);
        return 0;
}
