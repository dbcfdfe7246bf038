/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPU reference of the preprocessing against hand-computed oracles:
 * identity mappings reproduce pixels, 2x2 box averages from half-pixel
 * downscaling, known BT.601 colours, letterbox geometry, warp borders.
 */
#include <linux/videodev2.h>

#include "common/macro.h"
#include "gpu/preprocess.h"
#include "tests/test.h"

static struct gpu_pre_output raw_nhwc(uint32_t w, uint32_t h) {
        return (struct gpu_pre_output) {
                .width = w, .height = h, .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
                .mean = { 0, 0, 0 }, .scale = { 1, 1, 1 },
        };
}

static struct cam_frame frame_packed(uint32_t fourcc, uint32_t w, uint32_t h, uint32_t stride,
                                     uint32_t offset, uint8_t *data, size_t len) {
        return (struct cam_frame) {
                .fourcc = fourcc, .width = w, .height = h, .n_memory = 1,
                .memory = { { .dmabuf_fd = -EBADF, .data = data, .length = len, .bytesused = len } },
                .n_planes = 1, .planes = { { .memory = 0, .offset = offset, .stride = stride } },
        };
}

static void test_yuv_colours(void) {
        float rgb[3];

        gpu_pre_yuv_to_rgb(16, 128, 128, rgb);
        ASSERT_NEAR(rgb[0], 0, 1e-4); ASSERT_NEAR(rgb[1], 0, 1e-4); ASSERT_NEAR(rgb[2], 0, 1e-4);
        gpu_pre_yuv_to_rgb(235, 128, 128, rgb);
        ASSERT_NEAR(rgb[0], 255, 1e-3); ASSERT_NEAR(rgb[1], 255, 1e-3); ASSERT_NEAR(rgb[2], 255, 1e-3);
        /* BT.601 75% red bar: Y=81 U=90 V=240 -> about (191, 0, 0) (clamped G/B). */
        gpu_pre_yuv_to_rgb(81, 90, 240, rgb);
        ASSERT_NEAR(rgb[0], 1.164383 * 65 + 1.596027 * 112, 1e-3);
        ASSERT_NEAR(rgb[0], 254.4, 0.5);
        ASSERT_NEAR(rgb[1], 0, 1e-4);   /* negative before the clamp */
        /* Out of range inputs clamp. */
        gpu_pre_yuv_to_rgb(255, 255, 255, rgb);
        ASSERT_NEAR(rgb[0], 255, 1e-4); ASSERT_NEAR(rgb[2], 255, 1e-4);
}

static void test_identity_rgb(void) {
        /* 5x3 RGB24, stride 17 (odd, with padding), offset 3. */
        uint8_t buf[3 + 17 * 3] = { 0 };
        for (unsigned y = 0; y < 3; y++)
                for (unsigned x = 0; x < 15; x++)
                        buf[3 + y * 17 + x] = (uint8_t) (y * 50 + x * 7 + 1);
        struct cam_frame f = frame_packed(V4L2_PIX_FMT_RGB24, 5, 3, 17, 3, buf, sizeof(buf));
        struct gpu_pre_output o = raw_nhwc(5, 3);
        struct gpu_pre_xform x;
        float out[5 * 3 * 3];

        ASSERT_OK(gpu_pre_frame_check(&f));
        ASSERT_OK(gpu_pre_letterbox(5, 3, NULL, 5, 3, &x));
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x, out));
        for (unsigned y = 0; y < 3; y++)
                for (unsigned i = 0; i < 15; i++)
                        ASSERT_NEAR(out[y * 15 + i], buf[3 + y * 17 + i], 1e-4);

        /* BGR24 with BGR output order is the same bytes again. */
        f.fourcc = V4L2_PIX_FMT_BGR24;
        o.order = GPU_PRE_BGR;
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x, out));
        for (unsigned i = 0; i < 15; i++)
                ASSERT_NEAR(out[i], buf[3 + i], 1e-4);
}

static void test_downscale_box(void) {
        /* GREY 8x4 -> 4x2: half-pixel centres land between 2x2 blocks. */
        uint8_t buf[8 * 4];
        for (unsigned i = 0; i < sizeof(buf); i++)
                buf[i] = (uint8_t) ((i * 37) % 251);
        struct cam_frame f = frame_packed(V4L2_PIX_FMT_GREY, 8, 4, 8, 0, buf, sizeof(buf));
        struct gpu_pre_output o = raw_nhwc(4, 2);
        o.layout = GPU_PRE_NCHW;
        o.mean[1] = 10, o.scale[1] = 0.5f;
        struct gpu_pre_xform x;
        float out[4 * 2 * 3];

        ASSERT_OK(gpu_pre_letterbox(8, 4, NULL, 4, 2, &x));
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x, out));
        for (unsigned y = 0; y < 2; y++)
                for (unsigned xx = 0; xx < 4; xx++) {
                        const uint8_t *p = buf + 2 * y * 8 + 2 * xx;
                        double avg = (p[0] + p[1] + p[8] + p[9]) / 4.0;
                        ASSERT_NEAR(out[(0 * 2 + y) * 4 + xx], avg, 1e-3);
                        ASSERT_NEAR(out[(1 * 2 + y) * 4 + xx], (avg - 10) * 0.5, 1e-3);
                        ASSERT_NEAR(out[(2 * 2 + y) * 4 + xx], avg, 1e-3);
                }
}

static void test_letterbox_geometry(void) {
        struct gpu_pre_xform x;
        float sx, sy;

        /* 640x480 into 128x128: scaled to 128x96, 16 black lines above and below. */
        ASSERT_OK(gpu_pre_letterbox(640, 480, NULL, 128, 128, &x));
        ASSERT_EQ(x.content[0], 0); ASSERT_EQ(x.content[1], 16);
        ASSERT_EQ(x.content[2], 128); ASSERT_EQ(x.content[3], 112);
        ASSERT_EQ(x.border, GPU_PRE_BORDER_CLAMP);
        /* Output pixel (0,16)'s centre maps to frame point (2, 2) minus half a pixel: 5x scale. */
        gpu_pre_xform_map(&x, 0, 16, &sx, &sy);
        ASSERT_NEAR(sx, 2.0, 1e-4); ASSERT_NEAR(sy, 2.0, 1e-4);

        /* A tall ROI in a wide output: horizontal padding, ROI offset. */
        struct gpu_pre_roi roi = { .x = 100, .y = 50, .width = 50, .height = 100 };
        ASSERT_OK(gpu_pre_letterbox(640, 480, &roi, 256, 256, &x));
        ASSERT_EQ(x.content[0], 64); ASSERT_EQ(x.content[2], 192);
        ASSERT_EQ(x.content[1], 0); ASSERT_EQ(x.content[3], 256);
        ASSERT_EQ(x.src_rect[0], 100); ASSERT_EQ(x.src_rect[3], 150);
        gpu_pre_xform_map(&x, 64, 0, &sx, &sy);
        ASSERT_NEAR(sx, 100 + 0.5 * 100.0 / 256 - 0.5, 1e-4);

        roi.x = 600;
        ASSERT_ERR(gpu_pre_letterbox(640, 480, &roi, 256, 256, &x), EINVAL);
        roi = (struct gpu_pre_roi) { 0, 0, 0, 10 };
        ASSERT_ERR(gpu_pre_letterbox(640, 480, &roi, 256, 256, &x), EINVAL);
}

static void test_letterbox_padding_value(void) {
        /* White 4x2 GREY into 4x4: rows 0 and 3 are padding (black -> -1), rows 1-2 white (+1). */
        uint8_t buf[8];
        memset(buf, 255, sizeof(buf));
        struct cam_frame f = frame_packed(V4L2_PIX_FMT_GREY, 4, 2, 4, 0, buf, sizeof(buf));
        struct gpu_pre_output o = {
                .width = 4, .height = 4, .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
                .mean = { 127.5f, 127.5f, 127.5f }, .scale = { 1 / 127.5f, 1 / 127.5f, 1 / 127.5f },
        };
        struct gpu_pre_xform x;
        float out[4 * 4 * 3];

        ASSERT_OK(gpu_pre_letterbox(4, 2, NULL, 4, 4, &x));
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x, out));
        for (unsigned y = 0; y < 4; y++)
                for (unsigned i = 0; i < 12; i++)
                        ASSERT_NEAR(out[y * 12 + i], y == 0 || y == 3 ? -1.0 : 1.0, 1e-5);
}

static void test_warp_translate(void) {
        /* Shift by (+1, -1): dst(x,y) = src(x-1, y+1); black where that is outside. */
        uint8_t buf[4 * 4];
        for (unsigned i = 0; i < 16; i++)
                buf[i] = (uint8_t) (10 + i * 13);
        struct cam_frame f = frame_packed(V4L2_PIX_FMT_GREY, 4, 4, 4, 0, buf, sizeof(buf));
        struct gpu_pre_output o = raw_nhwc(4, 4);
        const float m[6] = { 1, 0, 1, 0, 1, -1 };
        struct gpu_pre_xform x;
        float out[4 * 4 * 3];

        ASSERT_OK(gpu_pre_warp(4, 4, m, 4, 4, &x));
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x, out));
        for (int y = 0; y < 4; y++)
                for (int xx = 0; xx < 4; xx++) {
                        int sx = xx - 1, sy = y + 1;
                        double want = sx < 0 || sy > 3 ? 0 : buf[sy * 4 + sx];
                        ASSERT_NEAR(out[(y * 4 + xx) * 3], want, 1e-3);
                }

        /* Half a pixel off the left edge: black mixes in 50/50. */
        const float half[6] = { 1, 0, 0.5f, 0, 1, 0 };
        ASSERT_OK(gpu_pre_warp(4, 4, half, 4, 4, &x));
        ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x, out));
        ASSERT_NEAR(out[0], buf[0] / 2.0, 1e-3);
        ASSERT_NEAR(out[3], (buf[0] + buf[1]) / 2.0, 1e-3);

        const float singular[6] = { 1, 2, 0, 2, 4, 0 };
        ASSERT_ERR(gpu_pre_warp(4, 4, singular, 4, 4, &x), EINVAL);
}

static void test_yuv_formats_agree(void) {
        /* The same 4x2 image as YUYV, UYVY and NV12 (chroma shared per 2x2). */
        static const uint8_t Y[2][4] = { { 16, 60, 120, 235 }, { 90, 100, 110, 200 } };
        static const uint8_t U[2] = { 90, 200 }, V[2] = { 240, 50 };
        uint8_t yuyv[2 * 8], uyvy[2 * 8], nv12[8 + 4 + 2];
        float a[4 * 2 * 3], b[4 * 2 * 3], c[4 * 2 * 3], rgb[3];

        for (unsigned y = 0; y < 2; y++)
                for (unsigned p = 0; p < 2; p++) {
                        uint8_t *o1 = yuyv + y * 8 + p * 4, *o2 = uyvy + y * 8 + p * 4;
                        o1[0] = Y[y][2 * p], o1[1] = U[p], o1[2] = Y[y][2 * p + 1], o1[3] = V[p];
                        o2[0] = U[p], o2[1] = Y[y][2 * p], o2[2] = V[p], o2[3] = Y[y][2 * p + 1];
                }
        /* NV12 in one buffer: luma stride 4, chroma at offset 10 (not stride*height). */
        memcpy(nv12, Y, 8);
        nv12[8] = nv12[9] = 0;
        nv12[10] = U[0], nv12[11] = V[0], nv12[12] = U[1], nv12[13] = V[1];

        struct cam_frame f1 = frame_packed(V4L2_PIX_FMT_YUYV, 4, 2, 8, 0, yuyv, sizeof(yuyv));
        struct cam_frame f2 = frame_packed(V4L2_PIX_FMT_UYVY, 4, 2, 8, 0, uyvy, sizeof(uyvy));
        struct cam_frame f3 = frame_packed(V4L2_PIX_FMT_NV12, 4, 2, 4, 0, nv12, sizeof(nv12));
        f3.n_planes = 2;
        f3.planes[1] = (struct cam_frame_plane) { .memory = 0, .offset = 10, .stride = 4 };
        struct gpu_pre_output o = raw_nhwc(4, 2);
        struct gpu_pre_xform x;

        ASSERT_OK(gpu_pre_letterbox(4, 2, NULL, 4, 2, &x));
        ASSERT_OK(gpu_pre_run_cpu(&f1, &o, &x, a));
        ASSERT_OK(gpu_pre_run_cpu(&f2, &o, &x, b));
        ASSERT_OK(gpu_pre_run_cpu(&f3, &o, &x, c));
        for (unsigned y = 0; y < 2; y++)
                for (unsigned xx = 0; xx < 4; xx++) {
                        gpu_pre_yuv_to_rgb(Y[y][xx], U[xx / 2], V[xx / 2], rgb);
                        for (unsigned k = 0; k < 3; k++) {
                                unsigned i = (y * 4 + xx) * 3 + k;
                                ASSERT_NEAR(a[i], rgb[k], 1e-3);
                                ASSERT_NEAR(b[i], rgb[k], 1e-3);
                                ASSERT_NEAR(c[i], rgb[k], 1e-3);
                        }
                }
}

static void test_frame_check(void) {
        uint8_t buf[64];
        struct cam_frame f = frame_packed(V4L2_PIX_FMT_YUYV, 4, 4, 8, 0, buf, 32);

        ASSERT_OK(gpu_pre_frame_check(&f));
        f.planes[0].offset = 1;                 /* last line runs past the buffer */
        ASSERT_ERR(gpu_pre_frame_check(&f), EINVAL);
        f.planes[0].offset = 0;
        f.planes[0].stride = 6;                 /* narrower than 4 YUYV pixels */
        ASSERT_ERR(gpu_pre_frame_check(&f), EINVAL);
        f.planes[0].stride = 8;
        f.fourcc = V4L2_PIX_FMT_MJPEG;
        ASSERT_ERR(gpu_pre_frame_check(&f), EOPNOTSUPP);
        f.fourcc = V4L2_PIX_FMT_NV12;           /* needs a second plane */
        ASSERT_ERR(gpu_pre_frame_check(&f), EINVAL);
        f.n_planes = 2;
        f.planes[1] = (struct cam_frame_plane) { .memory = 1, .offset = 0, .stride = 4 };
        ASSERT_ERR(gpu_pre_frame_check(&f), EINVAL);   /* memory 1 does not exist */
        f.planes[1].memory = 0, f.planes[1].offset = 16, f.planes[0].stride = 4;
        ASSERT_OK(gpu_pre_frame_check(&f));

        struct gpu_pre_output o = raw_nhwc(4, 4);
        o.layout = 7;
        ASSERT_ERR(gpu_pre_output_check(&o), EINVAL);
        o = raw_nhwc(4, 4);
        o.scale[2] = NAN;
        ASSERT_ERR(gpu_pre_output_check(&o), EINVAL);
        ASSERT_STREQ(gpu_pre_layout_to_string(GPU_PRE_NCHW), "nchw");
        ASSERT_TRUE(gpu_pre_order_to_string(5) == NULL);
}

TEST_MAIN(TEST_CASE(test_yuv_colours),
          TEST_CASE(test_identity_rgb),
          TEST_CASE(test_downscale_box),
          TEST_CASE(test_letterbox_geometry),
          TEST_CASE(test_letterbox_padding_value),
          TEST_CASE(test_warp_translate),
          TEST_CASE(test_yuv_formats_agree),
          TEST_CASE(test_frame_check));
