/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The same face pipeline on every backend gives the same decisions: the CPU
 * backend is the oracle; Vulkan (lavapipe here) and OpenCL (PoCL here) must
 * find the same faces (box corners within 1 px), the same guidance, and
 * genuine/impostor scores within 2e-3 of the CPU's, hence the same match
 * decisions at the default threshold. A backend that is not available is a
 * SKIP (never a pass); make check installs both drivers.
 *
 * The frame path: each backend is held to the import path it must take and
 * to its transfer counters. A streaming frame (page-aligned mapping, no
 * dma-buf fd: what the file camera and V4L2 mmap give) reaches Vulkan
 * (lavapipe) and OpenCL (PoCL) by "hostptr" (the mapping imported as device
 * memory), the CPU by "host"; on every backend such a frame moves 0 bytes to
 * the device, and only the detector's outputs (plus, for an analysed face,
 * the photometric measures and the embedding) come back. The dma-buf path
 * needs an exporter (vivid, a GPU driver) and is checked by make system-check.
 */
#include <math.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "common/macro.h"
#include "face/match.h"
#include "face/pipeline.h"
#include "tests/gpu/face-test-util.h"
#include "tests/test.h"

#define SCORE_TOL 2e-3
#define BOX_TOL 1.0
#define THRESHOLD 0.284f

struct result {
        struct face_analysis a[2];
        float genuine, impostor;
};

static struct face_image load(const char *path) {
        struct face_image img = { 0 };
        int r = face_test_load_image(path, &img);
        if (r < 0)
                test_fail("cannot read %s: %s", path, strerror(-r));
        return img;
}

/* The shipped models on backend; NULL when the backend is not available here. */
static struct face_pipeline *pipeline_new(const char *backend) {
        char err[512] = "";
        struct face_pipeline *fp = NULL;
        int r = face_test_pipeline_new(backend, 1, &fp, err, sizeof(err));
        if (r == -ENODEV || r == -EOPNOTSUPP) {
                fprintf(stderr, "  %s: %s\n", backend, err);
                return NULL;
        }
        if (r < 0)
                test_fail("%s pipeline: %s", backend, err);
        return fp;
}

/* Returns 0, or -ENODEV when the backend is not available here. */
static int run(const char *backend, struct result *res) {
        struct face_pipeline *fp = pipeline_new(backend);
        float e[3][512];

        if (!fp)
                return -ENODEV;

        const char *paths[3] = { getenv("LANESIGHT_TEST_PORTRAIT"), getenv("LANESIGHT_TEST_PORTRAIT"),
                                 getenv("LANESIGHT_TEST_IMPOSTOR") };
        for (int i = 0; i < 3; i++) {
                ASSERT_TRUE(paths[i]);
                struct face_image img = load(paths[i]);
                struct cam_frame f;
                struct face_analysis a;
                if (i == 1) {
                        /* The same portrait darkened and shifted by 7 px: a different sampling of the face. */
                        struct face_image moved = { .width = img.width, .height = img.height,
                                                    .rgb = calloc((size_t) img.width * img.height, 3) };
                        for (unsigned y = 0; y < img.height; y++)
                                for (unsigned x = 7; x < img.width; x++)
                                        for (int c = 0; c < 3; c++)
                                                moved.rgb[((size_t) y * img.width + x) * 3 + c] =
                                                        (uint8_t) (img.rgb[((size_t) y * img.width + x - 7) * 3 + c] * 0.8f);
                        face_image_done(&img);
                        img = moved;
                }
                face_pipeline_wrap_image(&img, &f);
                ASSERT_OK(face_pipeline_analyze(fp, &f, NULL, e[i], &a));
                if (i != 1)
                        res->a[i / 2] = a;
                face_image_done(&img);
        }
        /*
         * Stills (decoded images in malloc'd memory, never cached): the CPU reads them where they are; a GPU
         * backend imports the mapping when its alignment allows, else copies every byte, and counts them.
         */
        uint64_t copied = 0;
        const char *path = face_pipeline_import_path(fp, &copied);
        fprintf(stderr, "  %s: stills reach the backend by '%s' (%llu bytes copied)\n", backend, path,
                (unsigned long long) copied);
        if (streq(backend, "cpu"))
                ASSERT_TRUE(streq(path, "host") && copied == 0);
        else
                ASSERT_TRUE(streq(path, "hostptr") || (streq(path, "copy") && copied > 0));
        res->genuine = face_cosine(e[0], e[1], 512);
        res->impostor = face_cosine(e[0], e[2], 512);
        face_pipeline_free(fp);
        return 0;
}

static void compare_with_cpu(const char *backend) {
        struct result cpu, gpu;

        ASSERT_OK(run("cpu", &cpu));
        if (run(backend, &gpu) == -ENODEV)
                test_skip("backend %s not available", backend);
        fprintf(stderr, "  %s: genuine %.5f (cpu %.5f), impostor %.5f (cpu %.5f)\n", backend, gpu.genuine,
                cpu.genuine, gpu.impostor, cpu.impostor);
        ASSERT_NEAR(gpu.genuine, cpu.genuine, SCORE_TOL);
        ASSERT_NEAR(gpu.impostor, cpu.impostor, SCORE_TOL);
        ASSERT_EQ(face_verify(gpu.genuine, THRESHOLD), face_verify(cpu.genuine, THRESHOLD));
        ASSERT_EQ(face_verify(gpu.impostor, THRESHOLD), face_verify(cpu.impostor, THRESHOLD));
        ASSERT_TRUE(face_verify(gpu.genuine, THRESHOLD) && !face_verify(gpu.impostor, THRESHOLD));
        for (int i = 0; i < 2; i++) {
                const struct face_detection *a = &cpu.a[i].face, *b = &gpu.a[i].face;
                ASSERT_EQ(gpu.a[i].n_faces, cpu.a[i].n_faces);
                ASSERT_NEAR(b->x0, a->x0, BOX_TOL);
                ASSERT_NEAR(b->y0, a->y0, BOX_TOL);
                ASSERT_NEAR(b->x1, a->x1, BOX_TOL);
                ASSERT_NEAR(b->y1, a->y1, BOX_TOL);
                for (int k = 0; k < FACE_KEYPOINTS; k++) {
                        ASSERT_NEAR(b->kp[k].x, a->kp[k].x, BOX_TOL);
                        ASSERT_NEAR(b->kp[k].y, a->kp[k].y, BOX_TOL);
                }
                ASSERT_EQ(gpu.a[i].quality.guidance, cpu.a[i].quality.guidance);
                /* Sharpness computed by the backend's conv/mul/pool vs the CPU backend's. */
                ASSERT_NEAR(gpu.a[i].quality.sharpness, cpu.a[i].quality.sharpness,
                            2e-3 * cpu.a[i].quality.sharpness + 0.05);
                /* The rest of the photometric graph: mean, fractions (one pixel of 6400), percentile range. */
                ASSERT_NEAR(gpu.a[i].quality.mean, cpu.a[i].quality.mean, 0.05);
                ASSERT_NEAR(gpu.a[i].quality.under, cpu.a[i].quality.under, 1.0 / 6400 + 1e-6);
                ASSERT_NEAR(gpu.a[i].quality.over, cpu.a[i].quality.over, 1.0 / 6400 + 1e-6);
                ASSERT_NEAR(gpu.a[i].quality.range, cpu.a[i].quality.range, 1.0);
        }
}

static void test_opencl_same_decisions(void) {
        compare_with_cpu("opencl");
}

static void test_vulkan_same_decisions(void) {
        compare_with_cpu("vulkan");
}

/* BlazeFace's four outputs: 512 + 384 anchors, a score and 16 regressors each. */
#define DETECTOR_OUTPUT_BYTES ((512 + 384) * (1 + 16) * sizeof(float))
/* The photometric graph's outputs: Laplacian mean and mean square, mean, 258 steps. */
#define PHOTOMETRIC_OUTPUT_BYTES ((3 + 258) * sizeof(float))

/* The portrait as a streaming camera buffer: an RGB24 frame in page-aligned memory, no dma-buf. */
static void stream_frame(const struct face_image *img, struct cam_frame *ret) {
        size_t stride = (size_t) img->width * 3, size = stride * img->height;
        size_t length = (size + (size_t) sysconf(_SC_PAGESIZE) - 1) & ~((size_t) sysconf(_SC_PAGESIZE) - 1);
        void *data = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

        ASSERT_TRUE(data != MAP_FAILED);
        memcpy(data, img->rgb, size);
        *ret = (struct cam_frame) {
                .fourcc = V4L2_PIX_FMT_RGB24, .width = img->width, .height = img->height,
                .n_memory = 1,
                .memory[0] = { .dmabuf_fd = -EBADF, .data = data, .length = length, .bytesused = size },
                .n_planes = 1,
                .planes[0] = { .memory = 0, .offset = 0, .stride = (uint32_t) stride },
        };
}

static void transfer(const char *backend, const char *want_path) {
        const char *portrait = getenv("LANESIGHT_TEST_PORTRAIT");
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = pipeline_new(backend);
        struct face_pipeline_transfer t0, t1, t2;
        struct face_detection d[4];
        struct face_analysis a;
        struct cam_frame f;
        float e[512];

        if (!fp)
                test_skip("backend %s not available", backend);
        if (!portrait)
                test_fail("LANESIGHT_TEST_PORTRAIT is not set (run through make check)");

        struct face_image img = load(portrait);
        stream_frame(&img, &f);
        face_pipeline_get_transfer(fp, &t0);
        ASSERT_STREQ(t0.import_path, "");
        ASSERT_EQ(t0.frames, 0u);

        /* Three frames of the stream in one buffer (index 0), detection only: what a frame without a capture costs. */
        for (uint32_t seq = 1; seq <= 3; seq++) {
                f.sequence = seq;
                f.timestamp_ns = seq * 33333333ull;
                ASSERT_EQ(face_pipeline_detect(fp, &f, NULL, d, ELEMENTSOF(d)), 1);
        }
        face_pipeline_get_transfer(fp, &t1);
        fprintf(stderr, "  %s: 3 detect frames by '%s': %llu bytes to the device, %llu from it, %llu copied\n",
                backend, t1.import_path, (unsigned long long) t1.bytes_to_device,
                (unsigned long long) t1.bytes_from_device, (unsigned long long) t1.import_bytes_copied);
        ASSERT_STREQ(t1.import_path, want_path);
        ASSERT_EQ(t1.frames, 3u);
        ASSERT_EQ(t1.bytes_to_device, 0u);              /* no pixels, no input tensor */
        ASSERT_EQ(t1.import_bytes_copied, 0u);
        ASSERT_EQ(t1.bytes_from_device, 3 * DETECTOR_OUTPUT_BYTES);

        /* A capture: detection, quality and embedding of one frame. */
        f.sequence = 4;
        f.timestamp_ns = 4 * 33333333ull;
        ASSERT_OK(face_pipeline_analyze(fp, &f, NULL, e, &a));
        ASSERT_EQ(a.n_faces, 1u);
        face_pipeline_get_transfer(fp, &t2);
        fprintf(stderr, "  %s: 1 capture frame: %llu bytes to the device, %llu from it\n", backend,
                (unsigned long long) (t2.bytes_to_device - t1.bytes_to_device),
                (unsigned long long) (t2.bytes_from_device - t1.bytes_from_device));
        ASSERT_STREQ(t2.import_path, want_path);
        ASSERT_EQ(t2.frames, 4u);
        ASSERT_EQ(t2.bytes_to_device, 0u);
        ASSERT_EQ(t2.bytes_from_device - t1.bytes_from_device,
                  DETECTOR_OUTPUT_BYTES + PHOTOMETRIC_OUTPUT_BYTES + 512 * sizeof(float));
        ASSERT_TRUE(a.quality.sharpness > 100 && a.quality.mean > 50);

        /* After a reset (the stream restarted) the same buffer is imported again, by the same path. */
        face_pipeline_reset_imports(fp);
        f.sequence = 5;
        ASSERT_EQ(face_pipeline_detect(fp, &f, NULL, d, ELEMENTSOF(d)), 1);
        face_pipeline_get_transfer(fp, &t2);
        ASSERT_STREQ(t2.import_path, want_path);
        ASSERT_EQ(t2.bytes_to_device, 0u);
        ASSERT_EQ(t2.frames, 5u);

        munmap(f.memory[0].data, f.memory[0].length);
        face_image_done(&img);
}

static void test_cpu_transfer(void) {
        transfer("cpu", "host");
}

static void test_vulkan_transfer(void) {
        /* lavapipe offers VK_EXT_external_memory_host; there is no dma-buf to import here. */
        transfer("vulkan", "hostptr");
}

static void test_opencl_transfer(void) {
        /* PoCL's CPU device maps a CL_MEM_USE_HOST_PTR buffer to the same pointer: zero-copy. */
        transfer("opencl", "hostptr");
}

TEST_MAIN(TEST_CASE(test_opencl_same_decisions), TEST_CASE(test_vulkan_same_decisions),
          TEST_CASE(test_cpu_transfer), TEST_CASE(test_vulkan_transfer), TEST_CASE(test_opencl_transfer))
