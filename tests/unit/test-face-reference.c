/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reference photos judged as the lane judges a capture (issue 12): the rules
 * on constructed analyses, then on real faces (the Grace Hopper portrait,
 * alone and twice side by side) and through lanesightctl's offline verbs,
 * whose bad-image status (3) a poor reference must give unless overridden.
 * Paths come from LANESIGHT_TEST_MODELS, LANESIGHT_TEST_PORTRAIT and, for the
 * command-line case, LANESIGHTCTL (set by make check).
 */
#include <png.h>
#include <sys/wait.h>

#include "common/macro.h"
#include "face/pipeline.h"
#include "face/reference.h"
#include "tests/test.h"

static struct face_analysis analysis(unsigned n_faces, float det, float quality, enum face_guidance g) {
        struct face_analysis a = { .n_faces = n_faces };
        a.face.score = det;
        a.quality.n_faces = n_faces;
        a.quality.score = quality;
        a.quality.guidance = g;
        return a;
}

static void expect_poor(int r, struct face_analysis a, enum face_guidance want) {
        struct face_reference_limits l;
        enum face_guidance why = FACE_GUIDANCE_OK;

        face_reference_limits_default(&l);
        ASSERT_ERR(face_reference_judge(&l, r, &a, &why), EDOM);
        ASSERT_STREQ(face_guidance_to_string(why), face_guidance_to_string(want));
}

static void test_rules(void) {
        struct face_reference_limits l;
        enum face_guidance why = FACE_GUIDANCE_HOLD_STILL;
        struct face_analysis good = analysis(1, 0.91f, 99, FACE_GUIDANCE_OK);

        face_reference_limits_default(&l);
        ASSERT_NEAR(l.min_detection_score, FACE_REFERENCE_MIN_DETECTION_SCORE_DEFAULT, 0);
        ASSERT_NEAR(l.min_quality, FACE_REFERENCE_MIN_QUALITY_DEFAULT, 0);
        ASSERT_OK(face_reference_judge(&l, 0, &good, &why));
        ASSERT_EQ(why, FACE_GUIDANCE_HOLD_STILL);       /* untouched on success */

        /* The two damaged photos of issue 12: several faces at quality 0, and a false face. */
        expect_poor(0, analysis(2, 0.90f, 0, FACE_GUIDANCE_MULTIPLE_FACES), FACE_GUIDANCE_MULTIPLE_FACES);
        expect_poor(0, analysis(1, 0.52f, 59.7f, FACE_GUIDANCE_MOVE_CLOSER), FACE_GUIDANCE_WEAK_DETECTION);
        expect_poor(-ENOENT, analysis(0, 0, 0, FACE_GUIDANCE_NO_FACE), FACE_GUIDANCE_NO_FACE);
        /* Low quality gives the capture's guidance, or poor-quality when no single check failed. */
        expect_poor(0, analysis(1, 0.95f, 30, FACE_GUIDANCE_TOO_DARK), FACE_GUIDANCE_TOO_DARK);
        expect_poor(0, analysis(1, 0.95f, 30, FACE_GUIDANCE_OK), FACE_GUIDANCE_POOR_QUALITY);
        expect_poor(0, analysis(1, NAN, 99, FACE_GUIDANCE_OK), FACE_GUIDANCE_WEAK_DETECTION);
        /* A guidance alone (a small face in a scan) is not poor while the score holds. */
        struct face_analysis small = analysis(1, 0.93f, 64, FACE_GUIDANCE_MOVE_CLOSER);
        ASSERT_OK(face_reference_judge(&l, 0, &small, &why));
        /* The limits are the caller's; engine errors pass through. */
        l.min_detection_score = 0.95f;
        ASSERT_ERR(face_reference_judge(&l, 0, &good, &why), EDOM);
        ASSERT_ERR(face_reference_judge(&l, -EIO, &good, &why), EIO);
        ASSERT_ERR(face_reference_judge(NULL, 0, &good, &why), EINVAL);
        ASSERT_STREQ(face_guidance_to_string(FACE_GUIDANCE_WEAK_DETECTION), "weak-detection");
        ASSERT_EQ(face_guidance_from_string("poor-quality"), FACE_GUIDANCE_POOR_QUALITY);
}

static const char *env(const char *name) {
        const char *v = getenv(name);
        if (!v || !*v)
                test_fail("%s is not set (run through make check)", name);
        return v;
}

/* The portrait, and the portrait twice side by side (two faces as large as each other). */
static void portraits(struct face_image *one, struct face_image *two) {
        _cleanup_fclose_ FILE *f = fopen(env("LANESIGHT_TEST_PORTRAIT"), "re");
        static uint8_t buf[1 << 20];
        ASSERT_TRUE(f);
        size_t n = fread(buf, 1, sizeof(buf), f);
        ASSERT_OK(face_image_decode(buf, n, one));
        two->width = one->width * 2;
        two->height = one->height;
        two->rgb = malloc((size_t) two->width * two->height * 3);
        ASSERT_TRUE(two->rgb);
        for (unsigned y = 0; y < one->height; y++)
                for (unsigned k = 0; k < 2; k++)
                        memcpy(two->rgb + ((size_t) y * two->width + k * one->width) * 3,
                               one->rgb + (size_t) y * one->width * 3, (size_t) one->width * 3);
}

static int judge_image(struct face_pipeline *fp, const struct face_image *img, enum face_guidance *why) {
        struct face_reference_limits l;
        struct face_analysis a = { 0 };
        struct cam_frame frame;
        _cleanup_free_ float *e = calloc(face_pipeline_embedding_dim(fp), sizeof(float));

        face_reference_limits_default(&l);
        face_pipeline_wrap_image(img, &frame);
        return face_reference_judge(&l, face_pipeline_analyze(fp, &frame, NULL, e, &a), &a, why);
}

static void test_real_faces(void) {
        struct face_pipeline_params p;
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = NULL;
        struct face_image one = { 0 }, two = { 0 };
        char det[1024], emb[1024], err[512] = "";
        enum face_guidance why = FACE_GUIDANCE_OK;

        face_pipeline_params_default(&p);
        snprintf(det, sizeof(det), "%s/blazeface-front-128.onnx", env("LANESIGHT_TEST_MODELS"));
        snprintf(emb, sizeof(emb), "%s/fr-feature-112.onnx", env("LANESIGHT_TEST_MODELS"));
        p.detector_path = det;
        p.embedder_path = emb;
        p.n_threads = 1;
        if (face_pipeline_new(&p, &fp, err, sizeof(err)) < 0)
                test_fail("pipeline: %s", err);
        portraits(&one, &two);
        ASSERT_OK(judge_image(fp, &one, &why));
        ASSERT_ERR(judge_image(fp, &two, &why), EDOM);
        ASSERT_EQ(why, FACE_GUIDANCE_MULTIPLE_FACES);
        /* A grey canvas: no face. */
        memset(one.rgb, 128, (size_t) one.width * one.height * 3);
        ASSERT_ERR(judge_image(fp, &one, &why), EDOM);
        ASSERT_EQ(why, FACE_GUIDANCE_NO_FACE);
        face_image_done(&one);
        face_image_done(&two);
}

static int run(const char *cmd) {
        int st = system(cmd);
        ASSERT_TRUE(st != -1 && WIFEXITED(st));
        return WEXITSTATUS(st);
}

/* lanesightctl template/compare: exit 3 naming the reason, unless --accept-poor-reference. */
static void test_ctl(void) {
        const char *ctl = getenv("LANESIGHTCTL");
        struct face_image one = { 0 }, two = { 0 };
        char path[] = "/tmp/test-face-reference-XXXXXX", cmd[4096];
        int fd = mkstemp(path);

        if (!ctl)
                test_skip("LANESIGHTCTL is not set");
        ASSERT_TRUE(fd >= 0);
        close(fd);
        portraits(&one, &two);
        png_image png = { .version = PNG_IMAGE_VERSION, .width = two.width, .height = two.height,
                          .format = PNG_FORMAT_RGB };
        ASSERT_TRUE(png_image_write_to_file(&png, path, 0, two.rgb, 0, NULL));
        face_image_done(&one);
        face_image_done(&two);

        snprintf(cmd, sizeof(cmd), "%s --models %s --threads 1 template %s >/dev/null 2>%s.err", ctl,
                 env("LANESIGHT_TEST_MODELS"), path, path);
        ASSERT_EQ(run(cmd), 3);
        snprintf(cmd, sizeof(cmd), "grep -q \"'%s' is a poor reference photo: multiple-faces (2 faces\" %s.err", path,
                 path);
        ASSERT_EQ(run(cmd), 0);
        snprintf(cmd, sizeof(cmd), "%s --models %s --threads 1 --json compare %s %s > %s.out 2>/dev/null", ctl,
                 env("LANESIGHT_TEST_MODELS"), env("LANESIGHT_TEST_PORTRAIT"), path, path);
        ASSERT_EQ(run(cmd), 3);
        snprintf(cmd, sizeof(cmd), "grep -q '\"error\":\"poor-reference\",\"reason\":\"multiple-faces\"' %s.out", path);
        ASSERT_EQ(run(cmd), 0);
        /* The officer's override: the same photo is used, and still said to be poor. */
        snprintf(cmd, sizeof(cmd), "%s --models %s --threads 1 compare --accept-poor-reference %s %s >/dev/null 2>%s.err",
                 ctl, env("LANESIGHT_TEST_MODELS"), env("LANESIGHT_TEST_PORTRAIT"), path, path);
        ASSERT_EQ(run(cmd), 0);
        snprintf(cmd, sizeof(cmd), "grep -q 'used anyway (--accept-poor-reference)' %s.err", path);
        ASSERT_EQ(run(cmd), 0);
        snprintf(cmd, sizeof(cmd), "rm -f %s %s.err %s.out", path, path, path);
        (void) run(cmd);
}

TEST_MAIN(TEST_CASE(test_rules), TEST_CASE(test_real_faces), TEST_CASE(test_ctl))
