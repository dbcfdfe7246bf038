/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Quality measures, guidance and the tracker on synthetic inputs with known answers. */
#include <math.h>

#include "face/align.h"
#include "face/quality.h"
#include "face/track.h"
#include "tests/test.h"

/* A frontal face: template keypoints scaled by s around (cx, cy), rotated by deg. */
static struct face_detection frontal(float cx, float cy, float s, float deg) {
        struct face_detection d = { .score = 0.9f };
        float th = deg * (float) M_PI / 180, c = cosf(th), sn = sinf(th);
        struct face_point kp[6] = {
                face_align_template[0], face_align_template[1], face_align_template[2],
                face_align_template[3], { 20, 60 }, { 92, 60 },     /* ears, symmetric about x = 56 */
        };
        for (int k = 0; k < 6; k++) {
                float x = (kp[k].x - 56) * s, y = (kp[k].y - 56) * s;
                d.kp[k] = (struct face_point) { cx + c * x - sn * y, cy + sn * x + c * y };
        }
        d.x0 = cx - 56 * s;
        d.x1 = cx + 56 * s;
        d.y0 = cy - 56 * s;
        d.y1 = cy + 56 * s;
        return d;
}

static void test_geometry(void) {
        const float roi[4] = { 0, 0, 1280, 720 };
        struct face_quality q = { 0 };
        struct face_detection d = frontal(640, 360, 3, 0);

        face_quality_geometry(&d, roi, 720, &q);
        ASSERT_NEAR(q.ied, 3 * 35.24, 0.1);
        ASSERT_NEAR(q.roll, -0.32, 0.05);       /* the template's eyes are 0.2 px apart vertically */
        ASSERT_NEAR(q.yaw, 0, 1.5);             /* nose at x 56.03, ears symmetric about 56 */
        ASSERT_NEAR(q.pitch, 0, 0.5);
        ASSERT_NEAR(q.size, 336.0 / 720, 1e-4);
        ASSERT_NEAR(q.centring, 0, 1e-4);

        d = frontal(640, 360, 3, 20);
        face_quality_geometry(&d, roi, 720, &q);
        ASSERT_NEAR(q.roll, 20 - 0.32, 0.1);

        /* Turned head: the nose moves towards one ear. */
        d = frontal(640, 360, 3, 0);
        d.kp[FACE_KP_NOSE].x += 30;
        face_quality_geometry(&d, roi, 720, &q);
        ASSERT_TRUE(q.yaw < -10);
        d.kp[FACE_KP_NOSE].x -= 60;
        face_quality_geometry(&d, roi, 720, &q);
        ASSERT_TRUE(q.yaw > 10);

        /* Off-centre face. */
        d = frontal(1280, 720, 3, 0);
        face_quality_geometry(&d, roi, 720, &q);
        ASSERT_NEAR(q.centring, 1.0, 1e-4);
}

static void fill(float *img, unsigned w, unsigned h, float (*f)(unsigned, unsigned)) {
        for (unsigned y = 0; y < h; y++)
                for (unsigned x = 0; x < w; x++)
                        img[y * w + x] = f(x, y);
}

static float flat128(unsigned x, unsigned y) { return 128; }
static float checker(unsigned x, unsigned y) { return ((x + y) & 1) ? 200 : 60; }
static float dark(unsigned x, unsigned y) { return (float) ((x * 7 + y * 3) % 30); }
static float ramp_x(unsigned x, unsigned y) { return (float) x * 255 / 111; }

static void test_photometric(void) {
        static float img[112 * 112];
        struct face_quality q;

        fill(img, 112, 112, flat128);
        ASSERT_OK(face_quality_photometric(img, 112, 112, 112, &q));
        ASSERT_NEAR(q.sharpness, 0, 1e-6);
        ASSERT_NEAR(q.mean, 128, 1e-4);
        ASSERT_NEAR(q.range, 0, 0);
        ASSERT_NEAR(q.under, 0, 0);

        /* Checkerboard: Laplacian is ±560 everywhere, variance 560². */
        fill(img, 112, 112, checker);
        ASSERT_OK(face_quality_photometric(img, 112, 112, 112, &q));
        ASSERT_NEAR(q.sharpness, 560.0 * 560.0, 1.0);
        ASSERT_NEAR(q.mean, 130, 1e-3);
        ASSERT_NEAR(q.range, 140, 0);

        fill(img, 112, 112, dark);
        ASSERT_OK(face_quality_photometric(img, 112, 112, 112, &q));
        ASSERT_TRUE(q.mean < 20 && q.under > 0.8f);

        /* A horizontal ramp over the inner 80 columns spans 16..95 of 0..111: range ≈ 0.99·182. */
        fill(img, 112, 112, ramp_x);
        ASSERT_OK(face_quality_photometric(img, 112, 112, 112, &q));
        ASSERT_NEAR(q.range, (95 - 16) * 255.0 / 111, 6);

        ASSERT_ERR(face_quality_photometric(img, 4, 4, 4, &q), EINVAL);
}

/* Varies along both axes, with fine texture, so reading the wrong row changes every measure. */
static float texture(unsigned x, unsigned y) {
        return (float) ((x * 13 + y * y * 7) % 97) + (float) y * 1.3f;
}

/*
 * The row pitch is honoured: the same face in a buffer whose rows are padded
 * (stride 131 floats, the padding bright and dark garbage) measures exactly as
 * the packed one. An implementation indexing rows by the width reads shifted
 * rows and padding, and changes the measures far beyond these tolerances.
 */
static void test_photometric_stride(void) {
        enum { W = 112, H = 112, STRIDE = 131 };
        static float packed[W * H], padded[STRIDE * H];
        struct face_quality a, b;

        fill(packed, W, H, texture);
        for (unsigned y = 0; y < H; y++)
                for (unsigned x = 0; x < STRIDE; x++)
                        padded[y * STRIDE + x] = x < W ? texture(x, y) : ((x + y) & 1) ? 255.0f : 0.0f;
        ASSERT_OK(face_quality_photometric(packed, W, H, W, &a));
        ASSERT_OK(face_quality_photometric(padded, W, H, STRIDE, &b));
        fprintf(stderr, "  packed: sharpness %.3f mean %.3f range %.0f; stride %d: sharpness %.3f mean %.3f range %.0f\n",
                a.sharpness, a.mean, a.range, STRIDE, b.sharpness, b.mean, b.range);
        ASSERT_TRUE(a.sharpness > 100 && a.range > 50);         /* a textured image: the measures see it */
        ASSERT_NEAR(b.sharpness, a.sharpness, 1e-3 * a.sharpness);
        ASSERT_NEAR(b.mean, a.mean, 1e-4);
        ASSERT_NEAR(b.range, a.range, 0);
        ASSERT_NEAR(b.under, a.under, 0);
        ASSERT_NEAR(b.over, a.over, 0);
        /* A stride below the width is refused. */
        ASSERT_ERR(face_quality_photometric(padded, W, H, W - 1, &b), EINVAL);
}

static struct face_quality good(void) {
        return (struct face_quality) {
                .ied = 100, .yaw = 2, .pitch = 1, .roll = 1, .size = 0.4f, .centring = 0.1f,
                .sharpness = 150, .mean = 130, .under = 0.01f, .over = 0.01f, .range = 150, .n_faces = 1,
        };
}

static void test_guidance(void) {
        struct face_quality_params p;
        struct face_quality q;

        face_quality_params_default(&p);
        q = good();
        face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_OK);
        ASSERT_TRUE(q.score > 90);
        float best = q.score;

        q = good(); q.n_faces = 0; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_NO_FACE); ASSERT_NEAR(q.score, 0, 0);
        q = good(); q.n_faces = 2; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_MULTIPLE_FACES); ASSERT_NEAR(q.score, 0, 0);
        q = good(); q.ied = 40; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_MOVE_CLOSER); ASSERT_TRUE(q.score < best);
        q = good(); q.ied = 400; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_MOVE_BACK);
        q = good(); q.yaw = -30; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_LOOK_AT_CAMERA); ASSERT_TRUE(q.score < best - 10);
        q = good(); q.roll = 25; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_LOOK_AT_CAMERA);
        q = good(); q.mean = 30; q.under = 0.6f; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_TOO_DARK);
        q = good(); q.mean = 240; q.over = 0.7f; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_TOO_BRIGHT);
        q = good(); q.sharpness = 5; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_HOLD_STILL); ASSERT_TRUE(q.score < best - 10);
        /* Not in position yet: far from the region's centre (a traveler still walking in). */
        q = good(); q.centring = 0.6f; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_MOVE_CLOSER);
        /* Dim but usable (lane benchmark): a mean of 50 with 30 % of the face under 25 passes. */
        q = good(); q.mean = 50; q.under = 0.3f; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_OK);
        /* Priority: a far-away face that is also dark is told to come closer first. */
        q = good(); q.ied = 30; q.mean = 20; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_MOVE_CLOSER);
        /* Without photometric measures only geometry is judged. */
        q = good(); q.sharpness = q.mean = q.range = NAN; face_quality_judge(&p, &q);
        ASSERT_EQ(q.guidance, FACE_GUIDANCE_OK);

        for (int g = 0; g < _FACE_GUIDANCE_MAX; g++)
                ASSERT_EQ(face_guidance_from_string(face_guidance_to_string(g)), g);
        ASSERT_STREQ(face_guidance_to_string(FACE_GUIDANCE_MOVE_CLOSER), "move-closer");
        ASSERT_EQ(face_guidance_from_string("nope"), _FACE_GUIDANCE_INVALID);
}

static void test_tracker(void) {
        struct face_tracker_params p = { .min_iou = 0.3f, .max_missed = 2, .window_ns = 1000 };
        struct face_tracker *t = NULL;
        struct face_detection d[2];
        uint32_t ids[2];
        uint8_t best[2];
        float scores[2];

        ASSERT_OK(face_tracker_new(&p, &t));
        /* A face walking right 5 px per frame keeps its id; quality rises then falls. */
        uint32_t id = 0;
        const float q[] = { 10, 50, 40, 80, 30 };
        for (int f = 0; f < 5; f++) {
                d[0] = frontal(200 + 5 * f, 200, 1, 0);
                scores[0] = q[f];
                ASSERT_OK(face_tracker_update(t, d, 1, scores, f * 100, f, ids, best));
                if (f == 0)
                        id = ids[0];
                ASSERT_EQ(ids[0], id);
                ASSERT_EQ(best[0], f == 0 || f == 1 || f == 3);
        }
        const struct face_track *tr = face_tracker_find(t, id);
        ASSERT_TRUE(tr);
        ASSERT_EQ(tr->best_sequence, 3);
        ASSERT_NEAR(tr->best_score, 80, 0);
        ASSERT_EQ(tr->hits, 5);

        /* A second face far away gets a new id; the first is still matched. */
        d[0] = frontal(225, 200, 1, 0);
        d[1] = frontal(900, 300, 1, 0);
        scores[0] = 20;
        scores[1] = 60;
        ASSERT_OK(face_tracker_update(t, d, 2, scores, 500, 5, ids, best));
        ASSERT_EQ(ids[0], id);
        ASSERT_TRUE(ids[1] != id && ids[1] > 0);
        uint32_t id2 = ids[1];

        /* The best shot (t=300) ages out of the 1000 ns window: the next observation takes over. */
        ASSERT_OK(face_tracker_update(t, d, 2, scores, 1400, 6, ids, best));
        ASSERT_EQ(best[0], 1);
        ASSERT_EQ(face_tracker_find(t, id)->best_sequence, 6);

        /* The first face leaves: after max_missed empty frames its track ends, the id is never reused. */
        for (int f = 0; f < 3; f++)
                ASSERT_OK(face_tracker_update(t, &d[1], 1, &scores[1], 1500 + f, 7 + f, ids, best));
        ASSERT_TRUE(face_tracker_find(t, id) == NULL);
        ASSERT_TRUE(face_tracker_find(t, id2) != NULL);
        d[0] = frontal(225, 200, 1, 0);
        ASSERT_OK(face_tracker_update(t, d, 1, NULL, 2000, 10, ids, NULL));
        ASSERT_TRUE(ids[0] != id && ids[0] != id2);

        face_tracker_reset(t);
        const struct face_track *all;
        ASSERT_EQ(face_tracker_tracks(t, &all), 0);
        ASSERT_ERR(face_tracker_update(t, NULL, 1, NULL, 0, 0, NULL, NULL), EINVAL);
        face_tracker_free(t);

        struct face_tracker_params bad = { .min_iou = 0 };
        ASSERT_ERR(face_tracker_new(&bad, &t), EINVAL);
}

TEST_MAIN(TEST_CASE(test_geometry), TEST_CASE(test_photometric), TEST_CASE(test_photometric_stride), TEST_CASE(test_guidance),
          TEST_CASE(test_tracker))
