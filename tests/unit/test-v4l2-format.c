/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fourcc table, plane layout, enumeration and negotiation against the fake camera. */

#include "tests/test.h"
#include "tests/unit/fake-camera.h"
#include "v4l2/device.h"
#include "v4l2/format.h"
#include "v4l2/frame.h"

static struct cam_device *open_fake(struct fake_camera *fc) {
        struct cam_device *d = NULL;
        ASSERT_OK(cam_device_open(&(struct cam_device_params) { .path = fc->node, .io = fake_camera_io(fc) }, &d));
        return d;
}

static void test_table(void) {
        size_t n;
        const struct cam_format_info *all = cam_format_info_all(&n);
        ASSERT_TRUE(n > 10);
        for (size_t i = 0; i < n; i++) {
                /* Unique fourccs, name matching the code, sane plane counts. */
                for (size_t j = i + 1; j < n; j++)
                        ASSERT_NE(all[i].fourcc, all[j].fourcc);
                ASSERT_TRUE(all[i].n_planes >= 1 && all[i].n_planes <= CAM_FRAME_MAX_PLANES);
                ASSERT_TRUE(all[i].n_memory == 1 || all[i].n_memory == all[i].n_planes);
                ASSERT_EQ(cam_format_info_lookup(all[i].fourcc), &all[i]);
                uint32_t back;
                ASSERT_OK(cam_fourcc_from_string(all[i].name, &back));
                ASSERT_EQ(back, all[i].fourcc);
                /* Every readable or convertible format has a rank; the rest cannot be negotiated. */
                ASSERT_EQ(all[i].rank >= 0, !!(all[i].flags & (CAM_FMT_GPU | CAM_FMT_CONVERT)));
        }
        /* The documented default order. */
        ASSERT_TRUE(cam_format_info_lookup(V4L2_PIX_FMT_YUYV)->rank < cam_format_info_lookup(V4L2_PIX_FMT_UYVY)->rank);
        ASSERT_TRUE(cam_format_info_lookup(V4L2_PIX_FMT_UYVY)->rank < cam_format_info_lookup(V4L2_PIX_FMT_NV12)->rank);
        ASSERT_TRUE(cam_format_info_lookup(V4L2_PIX_FMT_NV12)->rank < cam_format_info_lookup(V4L2_PIX_FMT_GREY)->rank);
        ASSERT_TRUE(cam_format_info_lookup(V4L2_PIX_FMT_GREY)->rank < cam_format_info_lookup(V4L2_PIX_FMT_RGB24)->rank);
        ASSERT_TRUE(cam_format_info_lookup(V4L2_PIX_FMT_BGR24)->rank < cam_format_info_lookup(V4L2_PIX_FMT_MJPEG)->rank);
        ASSERT_TRUE(cam_format_info_lookup(V4L2_PIX_FMT_MJPEG)->rank < cam_format_info_lookup(V4L2_PIX_FMT_SBGGR8)->rank);
        ASSERT_TRUE(cam_format_info_lookup(V4L2_PIX_FMT_MJPEG)->flags & CAM_FMT_CONVERT);
        ASSERT_TRUE(!(cam_format_info_lookup(V4L2_PIX_FMT_MJPEG)->flags & CAM_FMT_GPU));
        ASSERT_TRUE(cam_format_info_lookup(v4l2_fourcc('X', 'X', 'X', 'X')) == NULL);
}

static void test_fourcc_strings(void) {
        uint32_t f;
        ASSERT_STREQ(CAM_FOURCC_STR(V4L2_PIX_FMT_YUYV), "YUYV");
        ASSERT_STREQ(CAM_FOURCC_STR(v4l2_fourcc('Y', '1', '6', ' ')), "Y16");
        ASSERT_STREQ(CAM_FOURCC_STR(0x01020304), "????");
        ASSERT_STREQ(CAM_FOURCC_STR(v4l2_fourcc_be('Y', '1', '6', ' ')), "Y16 -BE");
        ASSERT_OK(cam_fourcc_from_string("mjpeg", &f));
        ASSERT_EQ(f, V4L2_PIX_FMT_MJPEG);
        ASSERT_OK(cam_fourcc_from_string("NV12", &f));
        ASSERT_EQ(f, V4L2_PIX_FMT_NV12);
        ASSERT_OK(cam_fourcc_from_string("rgb24", &f));
        ASSERT_EQ(f, V4L2_PIX_FMT_RGB24);
        ASSERT_OK(cam_fourcc_from_string("Y16", &f));
        ASSERT_EQ(f, v4l2_fourcc('Y', '1', '6', ' '));
        ASSERT_ERR(cam_fourcc_from_string("TOOLONG", &f), EINVAL);
        ASSERT_ERR(cam_fourcc_from_string("", &f), EINVAL);
}

static void test_plane_layout(void) {
        struct cam_frame_plane pl[CAM_FRAME_MAX_PLANES];
        /* NV12 in one buffer, padded stride: UV after stride*height. */
        ASSERT_EQ(cam_format_plane_layout(V4L2_PIX_FMT_NV12, 480, 1, (uint32_t[]) { 704 }, pl), 2);
        ASSERT_EQ(pl[0].offset, 0);
        ASSERT_EQ(pl[0].stride, 704);
        ASSERT_EQ(pl[1].memory, 0);
        ASSERT_EQ(pl[1].offset, 704 * 480);
        ASSERT_EQ(pl[1].stride, 704);
        /* NV12M: each plane in its own buffer. */
        ASSERT_EQ(cam_format_plane_layout(V4L2_PIX_FMT_NV12M, 720, 2, (uint32_t[]) { 1280, 1280 }, pl), 2);
        ASSERT_EQ(pl[1].memory, 1);
        ASSERT_EQ(pl[1].offset, 0);
        /* I420: half-stride chroma, odd height rounds up. */
        ASSERT_EQ(cam_format_plane_layout(V4L2_PIX_FMT_YUV420, 5, 1, (uint32_t[]) { 8 }, pl), 3);
        ASSERT_EQ(pl[1].offset, 40);
        ASSERT_EQ(pl[1].stride, 4);
        ASSERT_EQ(pl[2].offset, 40 + 4 * 3);
        /* Packed. */
        ASSERT_EQ(cam_format_plane_layout(V4L2_PIX_FMT_YUYV, 480, 1, (uint32_t[]) { 1280 }, pl), 1);
        ASSERT_EQ(pl[0].stride, 1280);
        ASSERT_ERR(cam_format_plane_layout(v4l2_fourcc('X', 'X', 'X', 'X'), 480, 1, (uint32_t[]) { 1280 }, pl), EINVAL);
        ASSERT_ERR(cam_format_plane_layout(V4L2_PIX_FMT_NV12M, 480, 3, (uint32_t[]) { 1, 1, 1 }, pl), EINVAL);
}

static void test_enumerate(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_device *d = open_fake(fc);
        struct cam_format_list *l = NULL;

        fc->formats[1].n_rates = 3;
        fc->formats[1].rates[2] = 5;
        ASSERT_OK(cam_format_enumerate(d, &l));
        ASSERT_EQ(l->n, 3);
        ASSERT_EQ(l->formats[0].fourcc, V4L2_PIX_FMT_MJPEG);
        ASSERT_TRUE(l->formats[0].v4l2_flags & V4L2_FMT_FLAG_COMPRESSED);
        ASSERT_EQ(l->formats[1].fourcc, V4L2_PIX_FMT_NV12);
        ASSERT_EQ(l->formats[1].n_sizes, 2);
        ASSERT_EQ(l->formats[1].sizes[1].width, 1280);
        ASSERT_EQ(l->formats[1].sizes[1].height, 720);
        ASSERT_EQ(l->formats[1].sizes[1].interval_type, V4L2_FRMIVAL_TYPE_DISCRETE);
        ASSERT_EQ(l->formats[1].sizes[1].n_intervals, 3);
        ASSERT_EQ(l->formats[1].sizes[1].intervals[2].denominator, 5);
        cam_format_list_free(l);
        cam_device_free(d);
        ASSERT_EQ(fc->n_open, 0);
        fake_camera_free(fc);
}

static void test_negotiate_default_order(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_device *d = open_fake(fc);
        struct cam_format_granted g;

        /* MJPG is listed first, but YUYV ranks first among equal sizes and rates. */
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720, .fps_num = 30,
                                                                          .fps_den = 1 }, &g));
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_YUYV);
        ASSERT_EQ(g.width, 1280);
        ASSERT_EQ(g.height, 720);
        ASSERT_EQ(g.bytesperline[0], 2560);
        ASSERT_EQ(g.sizeimage[0], 2560 * 720);
        ASSERT_EQ(g.fps_num, 30);
        ASSERT_EQ(g.fps_den, 1);
        ASSERT_EQ(g.n_memory, 1);
        ASSERT_TRUE(!g.mplane);
        /* The driver really was told. */
        ASSERT_EQ(fc->fourcc, V4L2_PIX_FMT_YUYV);
        ASSERT_EQ(fc->fps, 30);

        /* An explicit preference list wins over the default order. */
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 640, .height = 480,
                .fourccs = (uint32_t[]) { V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_YUYV }, .n_fourccs = 2 }, &g));
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_MJPEG);
        ASSERT_EQ(g.width, 640);
        /* A format the camera lacks. */
        ASSERT_ERR(cam_format_negotiate(d, &(struct cam_format_request) { .width = 640, .height = 480,
                .fourccs = (uint32_t[]) { V4L2_PIX_FMT_GREY }, .n_fourccs = 1 }, &g), ENOTSUP);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_negotiate_size_beats_order(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_format_granted g;
        /* YUYV only up to 640x480, MJPEG at 1280x720: the size matters more. */
        fc->formats[2].n_sizes = 1;
        struct cam_device *d = open_fake(fc);
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720 }, &g));
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_NV12);
        fc->formats[1].n_sizes = 1;
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720 }, &g));
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_MJPEG);
        ASSERT_EQ(g.width, 1280);
        /* Rate next: YUYV at 1280x720 only 5 fps, MJPEG 30. */
        fc->formats[1].n_sizes = 2;
        fc->formats[1].n_rates = 1;
        fc->formats[1].rates[0] = 5;
        fc->formats[2].n_sizes = 2;
        fc->formats[2].n_rates = 1;
        fc->formats[2].rates[0] = 5;
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720, .fps_num = 30,
                                                                          .fps_den = 1 }, &g));
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_MJPEG);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_negotiate_rounding_driver(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_format_granted g;
        fc->round_fmt = true;
        fc->formats[2].stepwise = true;         /* YUYV 640x480 .. 1280x720, step 16x8 */
        struct cam_device *d = open_fake(fc);
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1000, .height = 701, .fps_num = 29,
                .fps_den = 1, .fourccs = (uint32_t[]) { V4L2_PIX_FMT_YUYV }, .n_fourccs = 1 }, &g));
        /* What was granted, not what was asked. */
        ASSERT_EQ(g.width, 1008);
        ASSERT_EQ(g.height, 704);
        ASSERT_EQ(g.bytesperline[0], 2016);
        ASSERT_EQ(g.fps_num, 30);
        ASSERT_EQ(g.fps_den, 1);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_negotiate_unknown_fourcc(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_format_granted g;
        struct cam_format_list *l = NULL;
        /* Listed unknown formats are enumerated but never chosen. */
        fake_camera_add_format(fc, v4l2_fourcc('X', 'Y', 'Z', '1'), 1280, 720, 60);
        struct cam_device *d = open_fake(fc);
        ASSERT_OK(cam_format_enumerate(d, &l));
        ASSERT_EQ(l->n, 4);
        ASSERT_EQ(l->formats[3].fourcc, v4l2_fourcc('X', 'Y', 'Z', '1'));
        cam_format_list_free(l);
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720 }, &g));
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_YUYV);
        /* A driver granting a format nobody asked for and we do not know. */
        fc->grant_fourcc = v4l2_fourcc('X', 'Y', 'Z', '1');
        ASSERT_ERR(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720 }, &g), ENOTSUP);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_negotiate_mplane(void) {
        struct fake_camera *fc = fake_camera_new(true);
        struct cam_format_granted g;
        struct cam_device *d = open_fake(fc);
        ASSERT_TRUE(cam_device_is_mplane(d));
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720,
                .fourccs = (uint32_t[]) { V4L2_PIX_FMT_NV12M, V4L2_PIX_FMT_NV12 }, .n_fourccs = 2 }, &g));
        ASSERT_TRUE(g.mplane);
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_NV12M);
        ASSERT_EQ(g.n_memory, 2);
        ASSERT_EQ(g.bytesperline[1], 1280);
        ASSERT_EQ(g.sizeimage[0], 1280 * 720);
        ASSERT_EQ(g.sizeimage[1], 1280 * 360);
        /* Default order on this camera: YUYV. */
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 1280, .height = 720 }, &g));
        ASSERT_EQ(g.fourcc, V4L2_PIX_FMT_YUYV);
        ASSERT_EQ(g.n_memory, 1);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_negotiate_fixed_rate(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_format_granted g;
        fc->no_timeperframe = true;
        fc->fps = 25;
        struct cam_device *d = open_fake(fc);
        /* A driver that cannot change its rate: not an error, and the real rate is reported. */
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) { .width = 640, .height = 480, .fps_num = 60,
                                                                          .fps_den = 1 }, &g));
        ASSERT_EQ(g.fps_num, 25);
        ASSERT_EQ(g.fps_den, 1);
        ASSERT_ERR(cam_format_set_rate(d, 0, 1, &g), EINVAL);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_enumerate_stepwise(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_format_list *l = NULL;
        fc->formats[2].stepwise = true;
        struct cam_device *d = open_fake(fc);
        ASSERT_OK(cam_format_enumerate(d, &l));
        const struct cam_format_desc *f = &l->formats[2];
        ASSERT_EQ(f->fourcc, V4L2_PIX_FMT_YUYV);
        ASSERT_EQ(f->n_sizes, 1);
        ASSERT_EQ(f->sizes[0].type, V4L2_FRMSIZE_TYPE_STEPWISE);
        ASSERT_EQ(f->sizes[0].width, 640);
        ASSERT_EQ(f->sizes[0].max_width, 1280);
        ASSERT_EQ(f->sizes[0].step_width, 16);
        ASSERT_EQ(f->sizes[0].step_height, 8);
        cam_format_list_free(l);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_negotiate_keep_size(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_format_granted g;
        struct cam_device *d = open_fake(fc);
        fc->width = 1280;
        fc->height = 720;
        ASSERT_OK(cam_format_negotiate(d, &(struct cam_format_request) {}, &g));
        ASSERT_EQ(g.width, 1280);
        ASSERT_EQ(g.height, 720);
        ASSERT_EQ(g.fps_num, 30);
        cam_device_free(d);
        fake_camera_free(fc);
}

TEST_MAIN(TEST_CASE(test_table), TEST_CASE(test_fourcc_strings), TEST_CASE(test_plane_layout),
          TEST_CASE(test_enumerate), TEST_CASE(test_negotiate_default_order),
          TEST_CASE(test_negotiate_size_beats_order), TEST_CASE(test_negotiate_rounding_driver),
          TEST_CASE(test_negotiate_unknown_fourcc), TEST_CASE(test_negotiate_mplane),
          TEST_CASE(test_negotiate_keep_size), TEST_CASE(test_negotiate_fixed_rate), TEST_CASE(test_enumerate_stepwise))
