/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The same face pipeline on every backend gives the same decisions: the CPU
 * backend is the oracle; Vulkan (lavapipe here) and OpenCL (PoCL here) must
 * find the same faces (box corners within 1 px), the same guidance, and
 * genuine/impostor scores within 2e-3 of the CPU's, hence the same match
 * decisions at the default threshold. A backend that is not available is a
 * SKIP (never a pass); make check installs both drivers.
 */
#include <math.h>

#include "common/macro.h"
#include "face/match.h"
#include "face/pipeline.h"
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
        FILE *f = fopen(path, "re");
        if (!f)
                test_fail("cannot open %s", path);
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        _cleanup_free_ uint8_t *buf = malloc(n);
        ASSERT_EQ(fread(buf, 1, n, f), (size_t) n);
        fclose(f);
        ASSERT_OK(face_image_decode(buf, n, &img));
        return img;
}

/* Returns 0, or -ENODEV when the backend is not available here. */
static int run(const char *backend, struct result *res) {
        const char *models = getenv("LANESIGHT_TEST_MODELS");
        char det[1024], emb[1024], err[512] = "";
        struct face_pipeline_params p;
        struct face_pipeline *fp = NULL;
        float e[3][512];
        int r;

        if (!models)
                test_fail("LANESIGHT_TEST_MODELS is not set (run through make check)");
        snprintf(det, sizeof(det), "%s/blazeface-front-128.onnx", models);
        snprintf(emb, sizeof(emb), "%s/fr-feature-112.onnx", models);
        face_pipeline_params_default(&p);
        p.backend = backend;
        p.detector_path = det;
        p.embedder_path = emb;
        p.n_threads = 1;
        r = face_pipeline_new(&p, &fp, err, sizeof(err));
        if (r == -ENODEV || r == -EOPNOTSUPP) {
                fprintf(stderr, "  %s: %s\n", backend, err);
                return -ENODEV;
        }
        if (r < 0)
                test_fail("%s pipeline: %s", backend, err);

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
        /* The Vulkan pipeline preprocesses on the GPU from an imported frame; the CPU reads the mapping. */
        uint64_t copied = 0;
        const char *path = face_pipeline_import_path(fp, &copied);
        fprintf(stderr, "  %s: frames reach preprocessing by '%s' (%llu bytes copied)\n", backend, path,
                (unsigned long long) copied);
        if (streq(backend, "vulkan"))
                ASSERT_TRUE(streq(path, "dmabuf") || streq(path, "host") || streq(path, "copy"));
        else
                ASSERT_TRUE(streq(path, "host") && copied == 0);
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
        }
}

static void test_opencl_same_decisions(void) {
        compare_with_cpu("opencl");
}

static void test_vulkan_same_decisions(void) {
        compare_with_cpu("vulkan");
}

TEST_MAIN(TEST_CASE(test_opencl_same_decisions), TEST_CASE(test_vulkan_same_decisions))
