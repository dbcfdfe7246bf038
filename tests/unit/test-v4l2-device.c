/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening nodes: by node and stable links, refusing what is not a capture node. */

#include <fcntl.h>

#include "tests/test.h"
#include "tests/unit/fake-camera.h"
#include "v4l2/device.h"

static int open_path(struct fake_camera *fc, const char *path, struct cam_device **ret) {
        return cam_device_open(&(struct cam_device_params) { .path = path, .io = fake_camera_io(fc) }, ret);
}

static void test_open_by_names(void) {
        struct fake_camera *fc = fake_camera_new(false);
        const char *paths[] = { fc->node, fc->by_id, fc->by_path };
        for (size_t i = 0; i < 3; i++) {
                struct cam_device *d = NULL;
                ASSERT_OK(open_path(fc, paths[i], &d));
                ASSERT_STREQ(cam_device_path(d), paths[i]);
                ASSERT_STREQ(cam_device_node(d), "/dev/video0");
                ASSERT_STREQ(cam_device_driver(d), "fake");
                ASSERT_STREQ(cam_device_card(d), "Fake Camera");
                ASSERT_STREQ(cam_device_bus_info(d), "usb-0000:00:14.0-1");
                ASSERT_TRUE(!cam_device_is_mplane(d));
                ASSERT_EQ(cam_device_buf_type(d), V4L2_BUF_TYPE_VIDEO_CAPTURE);
                ASSERT_TRUE(cam_device_caps(d) & V4L2_CAP_STREAMING);
                ASSERT_TRUE(cam_device_fd(d) >= 0);
                /* O_CLOEXEC is the fake's precondition for open; check the fd too. */
                ASSERT_TRUE(fcntl(cam_device_fd(d), F_GETFD) & FD_CLOEXEC);
                ASSERT_EQ(fc->n_open, 1);
                cam_device_free(d);
                ASSERT_EQ(fc->n_open, 0);
        }
        fake_camera_free(fc);
}

static void test_open_mplane(void) {
        struct fake_camera *fc = fake_camera_new(true);
        struct cam_device *d = NULL;
        ASSERT_OK(open_path(fc, fc->node, &d));
        ASSERT_TRUE(cam_device_is_mplane(d));
        ASSERT_EQ(cam_device_buf_type(d), V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_open_refused(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_device *d = NULL;

        ASSERT_ERR(open_path(fc, "/dev/video7", &d), ENOENT);
        ASSERT_ERR(cam_device_open(&(struct cam_device_params) { .io = fake_camera_io(fc) }, &d), EINVAL);

        fc->device_caps = V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING;
        ASSERT_ERR(open_path(fc, fc->node, &d), EMEDIUMTYPE);
        fc->device_caps = V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_STREAMING;
        ASSERT_ERR(open_path(fc, fc->node, &d), EMEDIUMTYPE);
        fc->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_READWRITE;     /* read() only */
        ASSERT_ERR(open_path(fc, fc->node, &d), EMEDIUMTYPE);
        fc->device_caps = 0;
        fc->not_chardev = true;
        ASSERT_ERR(open_path(fc, fc->node, &d), ENOTTY);
        fc->not_chardev = false;
        fake_camera_unplug(fc);
        ASSERT_ERR(open_path(fc, fc->node, &d), ENOENT);
        ASSERT_TRUE(d == NULL);
        /* Every refused open closed its fd. */
        ASSERT_EQ(fc->n_open, 0);
        fake_camera_free(fc);
}

static void test_real_syscalls(void) {
        struct cam_device *d = NULL;
        /* The default table: a character device that is not V4L2, a regular file, nothing. */
        ASSERT_ERR(cam_device_open(&(struct cam_device_params) { .path = "/dev/null" }, &d), ENOTTY);
        ASSERT_ERR(cam_device_open(&(struct cam_device_params) { .path = "/proc/self/stat" }, &d), ENOTTY);
        ASSERT_ERR(cam_device_open(&(struct cam_device_params) { .path = "/nonexistent/video0" }, &d), ENOENT);
        ASSERT_TRUE(d == NULL);
}

TEST_MAIN(TEST_CASE(test_open_by_names), TEST_CASE(test_open_mplane), TEST_CASE(test_open_refused),
          TEST_CASE(test_real_syscalls))
