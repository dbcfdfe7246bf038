/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OpenCL preprocessing and frame import against the CPU reference
 * (gpu_pre_run_cpu), on small frames of every fourcc, with padded strides.
 * Tolerance: max abs difference 1e-3 on the normalised output (preprocess.h).
 */
#include <linux/videodev2.h>
#include <math.h>
#include <sys/mman.h>

#include "gpu/preprocess.h"
#include "tests/gpu/test-cl-util.h"

#define TOL 1e-3

struct test_frame {
        struct cam_frame f;
        void *maps[CAM_FRAME_MAX_MEMORY];
        size_t sizes[CAM_FRAME_MAX_MEMORY];
};

static uint32_t rng_next(uint32_t *s) {
        *s = *s * 1664525u + 1013904223u;
        return *s >> 8;
}

/* A frame in page-aligned anonymous mappings filled with pseudo-random bytes. */
static void frame_make(struct test_frame *t, uint32_t fourcc, uint32_t w, uint32_t h, bool two_buffers,
                       uint32_t seed) {
        uint32_t row, lines = h, uv_row = 0, uv_lines = 0;
        switch (fourcc) {
        case V4L2_PIX_FMT_YUYV:
        case V4L2_PIX_FMT_UYVY:
                row = DIV_ROUND_UP(w, 2) * 4;
                break;
        case V4L2_PIX_FMT_RGB24:
        case V4L2_PIX_FMT_BGR24:
                row = w * 3;
                break;
        case V4L2_PIX_FMT_NV12:
                row = w;
                uv_row = DIV_ROUND_UP(w, 2) * 2;
                uv_lines = DIV_ROUND_UP(h, 2);
                break;
        default:
                row = w;
        }
        uint32_t stride = row + 12, uv_stride = uv_row + 20; /* padded lines, as drivers do */
        memset(t, 0, sizeof *t);
        t->f = (struct cam_frame) { .fourcc = fourcc, .width = w, .height = h, .n_planes = 1 };
        size_t y_size = (size_t) stride * lines + 64, uv_size = (size_t) uv_stride * uv_lines;
        bool nv12 = fourcc == V4L2_PIX_FMT_NV12;
        t->f.n_memory = nv12 && two_buffers ? 2 : 1;
        t->sizes[0] = y_size + (nv12 && !two_buffers ? uv_size + 32 : 0);
        if (t->f.n_memory == 2)
                t->sizes[1] = uv_size + 100;
        for (unsigned i = 0; i < t->f.n_memory; i++) {
                t->maps[i] = mmap(NULL, t->sizes[i], PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                ASSERT_TRUE(t->maps[i] != MAP_FAILED);
                uint8_t *p = t->maps[i];
                for (size_t j = 0; j < t->sizes[i]; j++)
                        p[j] = (uint8_t) rng_next(&seed);
                t->f.memory[i] = (struct cam_frame_memory) {
                        .dmabuf_fd = -EBADF, .data = t->maps[i], .length = t->sizes[i], .bytesused = t->sizes[i],
                };
        }
        t->f.planes[0] = (struct cam_frame_plane) { .memory = 0, .offset = 64, .stride = stride };
        if (nv12) {
                t->f.n_planes = 2;
                t->f.planes[1] = two_buffers
                        ? (struct cam_frame_plane) { .memory = 1, .offset = 0, .stride = uv_stride }
                        : (struct cam_frame_plane) { .memory = 0, .offset = (uint32_t) y_size + 32, .stride = uv_stride };
        }
        ASSERT_OK(gpu_pre_frame_check(&t->f));
}

static void frame_done(struct test_frame *t) {
        for (unsigned i = 0; i < CAM_FRAME_MAX_MEMORY; i++)
                if (t->maps[i])
                        munmap(t->maps[i], t->sizes[i]);
}

/* Runs both implementations; returns the max abs difference. */
static double compare(struct gpu_cl_ctx *ctx, struct gpu_cl_importer *im, const struct cam_frame *f,
                      const struct gpu_pre_output *o, const struct gpu_pre_xform *x) {
        size_t n = gpu_pre_output_size(o);
        _cleanup_free_ float *ref = malloc(n * sizeof(float)), *got = malloc(n * sizeof(float));
        ASSERT_TRUE(ref && got);
        for (size_t i = 0; i < n; i++)
                got[i] = NAN;
        ASSERT_OK(gpu_pre_run_cpu(f, o, x, ref));
        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *pre = NULL;
        ASSERT_OK(gpu_cl_pre_new(ctx, o, &pre));
        ASSERT_OK(gpu_cl_pre_run_host(pre, im, f, x, got));
        double max = 0;
        for (size_t i = 0; i < n; i++) {
                double d = fabs((double) ref[i] - got[i]);
                if (!(d <= max)) /* NaN-safe: an unwritten output fails */
                        max = isnan(d) ? INFINITY : d;
        }
        return max;
}

static const struct gpu_pre_output out_blazeface = {
        .width = 24, .height = 20, .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
        .mean = { 127.5f, 127.5f, 127.5f }, .scale = { 1 / 127.5f, 1 / 127.5f, 1 / 127.5f },
};
static const struct gpu_pre_output out_embedder = {
        .width = 16, .height = 18, .layout = GPU_PRE_NCHW, .order = GPU_PRE_BGR,
        .mean = { 127.0f, 127.0f, 127.0f }, .scale = { 1 / 128.0f, 1 / 128.0f, 1 / 128.0f },
};

static void check_fourcc(uint32_t fourcc, bool two_buffers) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, NULL, &im));
        /* Odd sizes: a half chroma pair at the right edge, a half NV12 chroma row at the bottom. */
        static const uint32_t sizes[][2] = { { 37, 23 }, { 16, 9 } };
        double worst = 0;
        for (unsigned s = 0; s < ELEMENTSOF(sizes); s++) {
                struct test_frame t;
                uint32_t w = sizes[s][0], h = sizes[s][1];
                frame_make(&t, fourcc, w, h, two_buffers, 1234 + s);
                t.f.index = s;
                struct gpu_pre_xform x;
                double d;

                /* Letterbox of the whole frame, then of an ROI (taps clamped to it). */
                ASSERT_OK(gpu_pre_letterbox(w, h, NULL, out_blazeface.width, out_blazeface.height, &x));
                d = compare(ctx, im, &t.f, &out_blazeface, &x);
                worst = MAX(worst, d);
                ASSERT_TRUE(d <= TOL);
                ASSERT_OK(gpu_pre_letterbox(w, h, &(struct gpu_pre_roi) { 3, 2, w / 2, h - 4 },
                                            out_blazeface.width, out_blazeface.height, &x));
                d = compare(ctx, im, &t.f, &out_blazeface, &x);
                worst = MAX(worst, d);
                ASSERT_TRUE(d <= TOL);

                /* Affine warp: rotation + scale + shift, partly outside the frame (black taps). */
                float a = 0.4f, sc = 1.3f;
                const float m[6] = { sc * cosf(a), -sc * sinf(a), 2.5f, sc * sinf(a), sc * cosf(a), -4.0f };
                ASSERT_OK(gpu_pre_warp(w, h, m, out_embedder.width, out_embedder.height, &x));
                d = compare(ctx, im, &t.f, &out_embedder, &x);
                worst = MAX(worst, d);
                ASSERT_TRUE(d <= TOL);
                frame_done(&t);
        }
        fprintf(stderr, "  max |cl - cpu| = %.3g\n", worst);
}

static void test_grey(void) {
        check_fourcc(V4L2_PIX_FMT_GREY, false);
}
static void test_rgb24(void) {
        check_fourcc(V4L2_PIX_FMT_RGB24, false);
}
static void test_bgr24(void) {
        check_fourcc(V4L2_PIX_FMT_BGR24, false);
}
static void test_yuyv(void) {
        check_fourcc(V4L2_PIX_FMT_YUYV, false);
}
static void test_uyvy(void) {
        check_fourcc(V4L2_PIX_FMT_UYVY, false);
}
static void test_nv12(void) {
        check_fourcc(V4L2_PIX_FMT_NV12, false);
}
static void test_nv12_two_buffers(void) {
        check_fourcc(V4L2_PIX_FMT_NV12, true);
}

static void test_import_host_zero_copy(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        const char *why;
        bool dmabuf = gpu_cl_ctx_can_import_dmabuf(ctx, &why);
        fprintf(stderr, "  dma-buf import: %s\n", why);
        if (!dmabuf)
                ASSERT_TRUE(strstr(why, "cl_khr_external_memory_dma_buf") != NULL);

        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, NULL, &im));
        struct test_frame t;
        frame_make(&t, V4L2_PIX_FMT_GREY, 20, 10, false, 7);
        struct gpu_pre_xform x;
        ASSERT_OK(gpu_pre_letterbox(20, 10, NULL, 20, 10, &x));
        static const struct gpu_pre_output o = { .width = 20, .height = 10, .mean = { 0, 0, 0 }, .scale = { 1, 1, 1 } };
        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *pre = NULL;
        ASSERT_OK(gpu_cl_pre_new(ctx, &o, &pre));
        float out[20 * 10 * 3];

        /* Same buffer, new contents each frame: the kernel must see the new bytes every time. */
        for (unsigned frame = 0; frame < 3; frame++) {
                uint8_t *y = (uint8_t *) t.f.memory[0].data + t.f.planes[0].offset;
                for (unsigned r = 0; r < 10; r++)
                        for (unsigned c = 0; c < 20; c++)
                                y[r * t.f.planes[0].stride + c] = (uint8_t) (frame * 50 + r + c);
                ASSERT_OK(gpu_cl_pre_run_host(pre, im, &t.f, &x, out));
                /* 1:1 letterbox: every output pixel is exactly its source pixel. */
                for (unsigned r = 0; r < 10; r++)
                        for (unsigned c = 0; c < 20; c++)
                                ASSERT_NEAR(out[(r * 20 + c) * 3 + 1], frame * 50 + r + c, 1e-4);
        }
        struct gpu_cl_import_stats st;
        gpu_cl_importer_stats(im, &st);
        fprintf(stderr, "  import path '%s', %llu bytes copied over %llu frames\n",
                gpu_cl_import_path_to_string(st.path), (unsigned long long) st.bytes_copied,
                (unsigned long long) st.frames);
        ASSERT_EQ(st.frames, 3);
        ASSERT_EQ(st.imports, 1); /* imported once, reused */
        if (!dmabuf) {
                /* PoCL's CPU device reads host memory in place: zero-copy, measured. */
                if (!ctx->is_gpu)
                        ASSERT_EQ(st.path, GPU_CL_IMPORT_HOST);
                if (st.path == GPU_CL_IMPORT_HOST)
                        ASSERT_EQ(st.bytes_copied, 0);
                else
                        ASSERT_EQ(st.bytes_copied, 3 * t.f.memory[0].bytesused);
        }
        frame_done(&t);
}

static void test_import_copy_counted(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, &(struct gpu_cl_importer_params) { .first = GPU_CL_IMPORT_COPY }, &im));
        struct test_frame t;
        frame_make(&t, V4L2_PIX_FMT_NV12, 18, 12, true, 99);
        t.f.memory[0].bytesused = t.f.memory[0].length - 10; /* only the payload is copied */
        struct gpu_pre_xform x;
        ASSERT_OK(gpu_pre_letterbox(18, 12, NULL, 9, 6, &x));
        for (unsigned i = 0; i < 2; i++)
                ASSERT_TRUE(compare(ctx, im, &t.f, &out_blazeface, &x) <= TOL);
        struct gpu_cl_import_stats st;
        gpu_cl_importer_stats(im, &st);
        ASSERT_EQ(st.path, GPU_CL_IMPORT_COPY);
        ASSERT_EQ(st.imports, 2);
        ASSERT_EQ(st.frames, 2);
        ASSERT_EQ(st.bytes_copied, 2 * (t.f.memory[0].bytesused + t.f.memory[1].bytesused));
        ASSERT_STREQ(gpu_cl_import_path_to_string(st.path), "copy");
        frame_done(&t);
}

static void test_import_unaligned_falls_back(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, NULL, &im));
        struct test_frame t;
        frame_make(&t, V4L2_PIX_FMT_RGB24, 10, 8, false, 5);
        /* A mapping that is not page aligned cannot be wrapped: the copy path takes over. */
        t.f.memory[0].data = (uint8_t *) t.maps[0] + 1;
        t.f.memory[0].length -= 1;
        t.f.memory[0].bytesused -= 1;
        struct gpu_pre_xform x;
        ASSERT_OK(gpu_pre_letterbox(10, 8, NULL, 10, 8, &x));
        ASSERT_TRUE(compare(ctx, im, &t.f, &out_blazeface, &x) <= TOL);
        struct gpu_cl_import_stats st;
        gpu_cl_importer_stats(im, &st);
        ASSERT_EQ(st.path, GPU_CL_IMPORT_COPY);
        ASSERT_EQ(st.bytes_copied, t.f.memory[0].bytesused);
        frame_done(&t);
}

static void test_import_index_reuse(void) {
        /* The same index with other memory (a restarted stream) is re-imported, not misread. */
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, NULL, &im));
        struct test_frame a, b;
        frame_make(&a, V4L2_PIX_FMT_YUYV, 12, 6, false, 1);
        frame_make(&b, V4L2_PIX_FMT_YUYV, 12, 6, false, 2);
        struct gpu_pre_xform x;
        ASSERT_OK(gpu_pre_letterbox(12, 6, NULL, 12, 6, &x));
        ASSERT_TRUE(compare(ctx, im, &a.f, &out_blazeface, &x) <= TOL);
        ASSERT_TRUE(compare(ctx, im, &b.f, &out_blazeface, &x) <= TOL);
        struct gpu_cl_import_stats st;
        gpu_cl_importer_stats(im, &st);
        ASSERT_EQ(st.imports, 2);
        gpu_cl_importer_flush(im);
        ASSERT_TRUE(compare(ctx, im, &a.f, &out_blazeface, &x) <= TOL);
        gpu_cl_importer_stats(im, &st);
        ASSERT_EQ(st.imports, 3);
        frame_done(&a);
        frame_done(&b);
}

static void test_bad_input(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, NULL, &im));
        ASSERT_ERR(gpu_cl_importer_new(ctx, &(struct gpu_cl_importer_params) { .first = 7 }, &im), EINVAL);
        struct gpu_cl_pre *bad = NULL;
        struct gpu_pre_output o = out_blazeface;
        o.width = 0;
        ASSERT_ERR(gpu_cl_pre_new(ctx, &o, &bad), EINVAL);

        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *pre = NULL;
        ASSERT_OK(gpu_cl_pre_new(ctx, &out_blazeface, &pre));
        struct test_frame t;
        frame_make(&t, V4L2_PIX_FMT_GREY, 8, 8, false, 3);
        struct gpu_pre_xform x;
        ASSERT_OK(gpu_pre_letterbox(8, 8, NULL, 8, 8, &x));
        float out[24 * 20 * 3];
        t.f.fourcc = V4L2_PIX_FMT_MJPEG;
        ASSERT_ERR(gpu_cl_pre_run_host(pre, im, &t.f, &x, out), EOPNOTSUPP);
        t.f.fourcc = V4L2_PIX_FMT_GREY;
        t.f.planes[0].stride = 4; /* narrower than a line */
        ASSERT_ERR(gpu_cl_pre_run_host(pre, im, &t.f, &x, out), EINVAL);
        t.f.planes[0].stride = 8 + 12;
        t.f.index = 1000; /* beyond the import cache */
        ASSERT_ERR(gpu_cl_pre_run_host(pre, im, &t.f, &x, out), EINVAL);
        frame_done(&t);
}

static int fail_alloc(enum gpu_cl_fault_point point, const char *what, void *userdata) {
        unsigned *hits = userdata;
        if (point != GPU_CL_FAULT_ALLOC || strncmp(what, "frame.", 6) != 0)
                return 0;
        ++*hits;
        return CL_MEM_OBJECT_ALLOCATION_FAILURE;
}

static void test_fault_import_oom(void) {
        /* Device memory exhausted while importing: every path is tried, -ENOMEM reported, nothing leaks. */
        unsigned hits = 0;
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                test_cl_ctx(&(struct gpu_cl_ctx_params) { .fault = fail_alloc, .fault_userdata = &hits });
        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, NULL, &im));
        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *pre = NULL;
        ASSERT_OK(gpu_cl_pre_new(ctx, &out_blazeface, &pre));
        struct test_frame t;
        frame_make(&t, V4L2_PIX_FMT_NV12, 8, 8, true, 3);
        struct gpu_pre_xform x;
        ASSERT_OK(gpu_pre_letterbox(8, 8, NULL, 8, 8, &x));
        float out[24 * 20 * 3];
        ASSERT_ERR(gpu_cl_pre_run_host(pre, im, &t.f, &x, out), ENOMEM);
        ASSERT_EQ(hits, 2); /* host, then copy */
        struct gpu_cl_import_stats st;
        gpu_cl_importer_stats(im, &st);
        ASSERT_EQ(st.frames, 0);
        ASSERT_EQ(st.imports, 0);
        frame_done(&t);
}

TEST_MAIN(TEST_CASE(test_grey), TEST_CASE(test_rgb24), TEST_CASE(test_bgr24), TEST_CASE(test_yuyv),
          TEST_CASE(test_uyvy), TEST_CASE(test_nv12), TEST_CASE(test_nv12_two_buffers),
          TEST_CASE(test_import_host_zero_copy), TEST_CASE(test_import_copy_counted),
          TEST_CASE(test_import_unaligned_falls_back), TEST_CASE(test_import_index_reuse),
          TEST_CASE(test_bad_input), TEST_CASE(test_fault_import_oom));
