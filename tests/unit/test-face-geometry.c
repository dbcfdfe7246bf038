/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BlazeFace decoding, weighted NMS, letterbox mapping and alignment. */
#include <math.h>

#include "face/align.h"
#include "face/detect.h"
#include "tests/test.h"

struct raw_outputs {
        float scores_a[512], scores_b[384];
        float regs_a[512 * 16], regs_b[384 * 16];
};

static void raw_init(struct raw_outputs *o) {
        for (size_t i = 0; i < 512; i++)
                o->scores_a[i] = -20.0f;
        for (size_t i = 0; i < 384; i++)
                o->scores_b[i] = -20.0f;
        memset(o->regs_a, 0, sizeof(o->regs_a));
        memset(o->regs_b, 0, sizeof(o->regs_b));
}

/* Puts a face of size w x h (input pixels) with offset (dx, dy) on anchor i. */
static void raw_face(struct raw_outputs *o, size_t i, float logit, float dx, float dy, float w, float h) {
        float *reg = i < 512 ? o->regs_a + i * 16 : o->regs_b + (i - 512) * 16;
        if (i < 512)
                o->scores_a[i] = logit;
        else
                o->scores_b[i - 512] = logit;
        reg[0] = dx;
        reg[1] = dy;
        reg[2] = w;
        reg[3] = h;
        for (unsigned k = 0; k < FACE_KEYPOINTS; k++) {
                reg[4 + 2 * k] = dx + (float) k;
                reg[5 + 2 * k] = dy - (float) k;
        }
}

static void test_anchors(void) {
        struct face_anchor a[FACE_ANCHORS];
        face_anchors_generate(a);
        /* First grid: 16x16, two per cell, row-major. */
        ASSERT_NEAR(a[0].cx, 0.5 / 16, 1e-7);
        ASSERT_NEAR(a[1].cx, 0.5 / 16, 1e-7);
        ASSERT_NEAR(a[2].cx, 1.5 / 16, 1e-7);
        ASSERT_NEAR(a[32].cy, 1.5 / 16, 1e-7);
        ASSERT_NEAR(a[511].cx, 15.5 / 16, 1e-7);
        /* Second grid: 8x8, six per cell. */
        ASSERT_NEAR(a[512].cx, 0.5 / 8, 1e-7);
        ASSERT_NEAR(a[517].cx, 0.5 / 8, 1e-7);
        ASSERT_NEAR(a[518].cx, 1.5 / 8, 1e-7);
        ASSERT_NEAR(a[895].cx, 7.5 / 8, 1e-7);
        ASSERT_NEAR(a[895].cy, 7.5 / 8, 1e-7);
}

static void test_decode_single(void) {
        static struct raw_outputs o;
        struct face_anchor a[FACE_ANCHORS];
        struct face_detection scratch[FACE_ANCHORS], out[4];
        struct face_decode_params p = { .input_size = 128, .score_threshold = 0.5f, .nms_iou = 0.3f };

        face_anchors_generate(a);
        raw_init(&o);
        raw_face(&o, 600, 3.0f, 6.4f, -12.8f, 32.0f, 64.0f);
        ASSERT_EQ(face_decode(&p, o.scores_a, o.scores_b, o.regs_a, o.regs_b, a, scratch, out, 4), 1);
        float cx = a[600].cx + 6.4f / 128, cy = a[600].cy - 12.8f / 128;
        ASSERT_NEAR(out[0].x0, cx - 0.125, 1e-6);
        ASSERT_NEAR(out[0].x1, cx + 0.125, 1e-6);
        ASSERT_NEAR(out[0].y0, cy - 0.25, 1e-6);
        ASSERT_NEAR(out[0].y1, cy + 0.25, 1e-6);
        ASSERT_NEAR(out[0].kp[3].x, a[600].cx + (6.4f + 3) / 128, 1e-6);
        ASSERT_NEAR(out[0].kp[3].y, a[600].cy + (-12.8f - 3) / 128, 1e-6);
        ASSERT_NEAR(out[0].score, 1.0 / (1.0 + exp(-3.0)), 1e-6);

        /* Below threshold and NaN logits are ignored; huge logits are clipped, not overflowed. */
        raw_init(&o);
        raw_face(&o, 10, -0.1f, 0, 0, 20, 20);
        raw_face(&o, 20, NAN, 0, 0, 20, 20);
        ASSERT_EQ(face_decode(&p, o.scores_a, o.scores_b, o.regs_a, o.regs_b, a, scratch, out, 4), 0);
        raw_face(&o, 30, 1e30f, 0, 0, 20, 20);
        ASSERT_EQ(face_decode(&p, o.scores_a, o.scores_b, o.regs_a, o.regs_b, a, scratch, out, 4), 1);
        ASSERT_TRUE(out[0].score <= 1.0f && out[0].score > 0.99f);
}

static void test_weighted_nms(void) {
        static struct raw_outputs o;
        struct face_anchor a[FACE_ANCHORS];
        struct face_detection scratch[FACE_ANCHORS], out[4];
        struct face_decode_params p = { .input_size = 128, .score_threshold = 0.5f, .nms_iou = 0.3f };

        face_anchors_generate(a);
        raw_init(&o);
        /* Two anchors of the same cell, same face, shifted by 2 px: merged, score-weighted. */
        raw_face(&o, 512, logf(3.0f), 0.0f, 0.0f, 40, 40);      /* score 0.75 */
        raw_face(&o, 513, logf(1.0f / 0.25f - 1.0f) * -1.0f, 2.0f, 0.0f, 40, 40); /* score 0.25: below */
        raw_face(&o, 514, 0.0f + logf(1.5f), 2.0f, 0.0f, 40, 40); /* score 0.6 */
        /* And a distinct face far away. */
        raw_face(&o, 895, 2.0f, 0, 0, 30, 30);
        int n = face_decode(&p, o.scores_a, o.scores_b, o.regs_a, o.regs_b, a, scratch, out, 4);
        ASSERT_EQ(n, 2);
        ASSERT_NEAR(out[0].score, 0.880797, 1e-5);     /* sigmoid(2), the far face, best first */
        ASSERT_NEAR(out[1].score, 0.75, 1e-6);
        float w0 = 0.75f, w1 = 0.6f;
        float cx = a[512].cx + (w0 * 0.0f + w1 * 2.0f) / (w0 + w1) / 128;
        ASSERT_NEAR((out[1].x0 + out[1].x1) / 2, cx, 1e-6);
        /* max_out smaller than what was found: count still reported, only max_out written. */
        ASSERT_EQ(face_decode(&p, o.scores_a, o.scores_b, o.regs_a, o.regs_b, a, scratch, out, 1), 2);
        ASSERT_EQ(face_decode(NULL, o.scores_a, o.scores_b, o.regs_a, o.regs_b, a, scratch, out, 1), -EINVAL);
}

static void test_letterbox(void) {
        struct face_letterbox lb;
        struct face_detection d = { .x0 = 0.25f, .y0 = 0.5f, .x1 = 0.75f, .y1 = 0.75f };

        /* 640x480 region at (100, 50) in a 128 square: scale 0.2, 16 px of padding top and bottom. */
        face_letterbox_init(&lb, 128, 100, 50, 640, 480);
        ASSERT_NEAR(lb.scale, 0.2, 1e-7);
        ASSERT_NEAR(lb.pad_x, 0, 1e-6);
        ASSERT_NEAR(lb.pad_y, 16, 1e-5);
        face_letterbox_unmap(&lb, &d);
        ASSERT_NEAR(d.x0, 100 + 0.25 * 128 / 0.2, 1e-3);
        ASSERT_NEAR(d.y0, 50 + (0.5 * 128 - 16) / 0.2, 1e-3);
        ASSERT_NEAR(d.x1, 100 + 0.75 * 128 / 0.2, 1e-3);
}

static void test_nearest(void) {
        struct face_detection d[3] = {
                { .x0 = 0, .y0 = 0, .x1 = 10, .y1 = 10 },
                { .x0 = 45, .y0 = 45, .x1 = 55, .y1 = 55 },
                { .x0 = 80, .y0 = 80, .x1 = 100, .y1 = 100 },
        };
        ASSERT_EQ(face_nearest(d, 3, 50, 50), 1);
        ASSERT_EQ(face_nearest(d, 3, 0, 0), 0);
        ASSERT_EQ(face_nearest(d, 0, 0, 0), -ENOENT);
}

static void test_similarity_exact(void) {
        /* A known similarity (rotation 25°, scale 2.5, shift) is recovered exactly. */
        double th = 25 * M_PI / 180, s = 2.5;
        float m[6], inv[6];
        struct face_point src[4], dst[4];

        for (int i = 0; i < 4; i++) {
                src[i] = face_align_template[i];
                dst[i].x = (float) (s * (cos(th) * src[i].x - sin(th) * src[i].y) + 300);
                dst[i].y = (float) (s * (sin(th) * src[i].x + cos(th) * src[i].y) - 40);
        }
        ASSERT_OK(face_similarity_fit(src, dst, 4, m));
        ASSERT_NEAR(m[0], s * cos(th), 1e-5);
        ASSERT_NEAR(m[3], s * sin(th), 1e-5);
        ASSERT_NEAR(m[2], 300, 1e-3);
        ASSERT_NEAR(m[5], -40, 1e-3);
        ASSERT_OK(face_affine_invert(m, inv));
        for (int i = 0; i < 4; i++) {
                struct face_point q = face_affine_apply(inv, face_affine_apply(m, src[i]));
                ASSERT_NEAR(q.x, src[i].x, 1e-3);
                ASSERT_NEAR(q.y, src[i].y, 1e-3);
        }
}

static void test_similarity_no_reflection(void) {
        /* Mirrored points: the best similarity keeps a positive determinant. */
        struct face_point src[4], dst[4];
        float m[6];
        for (int i = 0; i < 4; i++) {
                src[i] = face_align_template[i];
                dst[i] = (struct face_point) { 200 - src[i].x, src[i].y };
        }
        ASSERT_OK(face_similarity_fit(src, dst, 4, m));
        ASSERT_TRUE(m[0] * m[4] - m[1] * m[3] >= 0);

        struct face_point same[2] = { { 1, 1 }, { 1, 1 } };
        ASSERT_ERR(face_similarity_fit(same, dst, 2, m), EINVAL);
        ASSERT_ERR(face_similarity_fit(src, dst, 1, m), EINVAL);
        float sing[6] = { 1, 2, 0, 2, 4, 0 };
        ASSERT_ERR(face_affine_invert(sing, m), EDOM);
}

static void test_align_detection(void) {
        /* A detection whose keypoints are the template scaled by 3 and shifted maps back onto it. */
        struct face_detection d = { 0 };
        float m[6];
        for (int i = 0; i < 4; i++) {
                d.kp[i].x = face_align_template[i].x * 3 + 500;
                d.kp[i].y = face_align_template[i].y * 3 + 200;
        }
        ASSERT_OK(face_align_transform(&d, m));
        for (int i = 0; i < 4; i++) {
                struct face_point q = face_affine_apply(m, d.kp[i]);
                ASSERT_NEAR(q.x, face_align_template[i].x, 1e-3);
                ASSERT_NEAR(q.y, face_align_template[i].y, 1e-3);
        }
}

TEST_MAIN(TEST_CASE(test_anchors), TEST_CASE(test_decode_single), TEST_CASE(test_weighted_nms),
          TEST_CASE(test_letterbox), TEST_CASE(test_nearest), TEST_CASE(test_similarity_exact),
          TEST_CASE(test_similarity_no_reflection), TEST_CASE(test_align_detection))
