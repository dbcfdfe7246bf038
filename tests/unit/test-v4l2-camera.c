/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Disconnect and reopen with the same settings, driven by hotplug events. */

#include "tests/test.h"
#include "tests/unit/fake-camera.h"
#include "v4l2/camera.h"
#include "v4l2/device.h"

struct log {
        unsigned n;
        enum cam_camera_state states[8];
        int reasons[8];
};

static void on_state(struct cam_camera *c, enum cam_camera_state s, int reason, void *userdata) {
        struct log *l = userdata;
        if (l->n < 8) {
                l->states[l->n] = s;
                l->reasons[l->n] = reason;
        }
        l->n++;
}

static struct cam_camera *new_camera(struct fake_camera *fc, const char *device, struct log *log) {
        struct cam_camera *c = NULL;
        static const uint32_t order[] = { V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUYV };
        ASSERT_OK(cam_camera_new(&(struct cam_camera_params) {
                .device = device, .io = fake_camera_io(fc),
                .format = { .width = 1280, .height = 720, .fps_num = 15, .fps_den = 1, .fourccs = order, .n_fourccs = 2 },
                .stream = { .n_buffers = 5 }, .on_state = on_state, .userdata = log }, &c));
        return c;
}

static void grab_one(struct cam_camera *c) {
        const struct cam_frame *f;
        ASSERT_OK(cam_camera_acquire(c, 100, &f));
        ASSERT_EQ(f->fourcc, V4L2_PIX_FMT_NV12);
        ASSERT_EQ(f->width, 1280);
        ASSERT_OK(cam_camera_release(c, f));
}

/* The driver forgets its state when the device goes away. */
static void driver_reset(struct fake_camera *fc) {
        for (uint32_t i = 0; i < fc->n_controls; i++)
                fc->controls[i].value = fc->controls[i].q.default_value;
        fc->fourcc = V4L2_PIX_FMT_MJPEG;
        fc->width = 640;
        fc->height = 480;
        fc->fps = 30;
}

static void check_clean(struct fake_camera *fc) {
        ASSERT_EQ(fc->n_open, 0);
        ASSERT_EQ(fc->n_maps, 0);
        ASSERT_EQ(fake_camera_open_exports(fc), 0);
}

static void test_reopen_after_disconnect(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct log log = {};
        struct cam_camera *c = new_camera(fc, fc->node, &log);
        const struct cam_frame *f;

        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_STOPPED);
        ASSERT_ERR(cam_camera_acquire(c, 0, &f), ESHUTDOWN);
        fc->auto_produce = true;
        ASSERT_OK(cam_camera_start(c));
        ASSERT_OK(cam_camera_start(c));         /* twice is fine */
        ASSERT_OK(cam_camera_set_control_by_name(c, "gain", 42));
        ASSERT_OK(cam_camera_set_control(c, V4L2_CID_BRIGHTNESS, 99));
        ASSERT_ERR(cam_camera_set_control_by_name(c, "zoom", 1), ENOENT);
        ASSERT_ERR(cam_camera_set_control(c, V4L2_CID_BRIGHTNESS, 300), ERANGE);
        ASSERT_EQ(fc->controls[4].value, 42);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_STREAMING);
        ASSERT_TRUE(cam_camera_get_source(c) != NULL);
        grab_one(c);

        fake_camera_unplug(fc);
        ASSERT_ERR(cam_camera_acquire(c, 100, &f), ENODEV);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_DISCONNECTED);
        ASSERT_TRUE(cam_camera_get_source(c) == NULL);
        ASSERT_ERR(cam_camera_acquire(c, 100, &f), ENODEV);
        /* The stream was torn down: nothing left open or mapped. */
        check_clean(fc);

        /* Not back yet. */
        ASSERT_EQ(cam_camera_try_reopen(c), 0);
        driver_reset(fc);
        fake_camera_plug(fc);
        /* Someone else's node coming and going is ignored. */
        ASSERT_EQ(cam_camera_hotplug(c, &(struct cam_hotplug_event) { CAM_HOTPLUG_ADD, "/dev/video5", NULL }), 0);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_DISCONNECTED);
        ASSERT_EQ(cam_camera_hotplug(c, &(struct cam_hotplug_event) { CAM_HOTPLUG_ADD, "/dev/video0", NULL }), 1);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_STREAMING);
        ASSERT_EQ(cam_camera_get_reconnects(c), 1);
        ASSERT_TRUE(cam_camera_get_last_downtime_ns(c) > 0);
        /* Same settings as before, told to the driver again. */
        ASSERT_EQ(fc->fourcc, V4L2_PIX_FMT_NV12);
        ASSERT_EQ(fc->width, 1280);
        ASSERT_EQ(fc->fps, 15);
        ASSERT_EQ(fc->n_buffers, 5);
        /* Controls set through the camera came back too. */
        ASSERT_EQ(fc->controls[4].value, 42);
        ASSERT_EQ(fc->controls[1].value, 99);
        const struct cam_format_granted *g = cam_camera_get_format(c);
        ASSERT_EQ(g->fps_num, 15);
        grab_one(c);

        ASSERT_EQ(log.n, 3);
        ASSERT_EQ(log.states[0], CAM_CAMERA_STREAMING);
        ASSERT_EQ(log.states[1], CAM_CAMERA_DISCONNECTED);
        ASSERT_EQ(log.reasons[1], -ENODEV);
        ASSERT_EQ(log.states[2], CAM_CAMERA_STREAMING);

        cam_camera_stop(c);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_STOPPED);
        check_clean(fc);
        cam_camera_free(c);
        fake_camera_free(fc);
}

static void test_reopen_by_id_new_node(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct log log = {};
        struct cam_camera *c = new_camera(fc, fc->by_id, &log);
        fc->auto_produce = true;
        ASSERT_OK(cam_camera_start(c));
        ASSERT_STREQ(cam_camera_get_node(c), "/dev/video0");

        /* A remove event for our node disconnects at once. */
        ASSERT_EQ(cam_camera_hotplug(c, &(struct cam_hotplug_event) { CAM_HOTPLUG_REMOVE, "/dev/video1", NULL }), 0);
        fake_camera_unplug(fc);
        ASSERT_EQ(cam_camera_hotplug(c, &(struct cam_hotplug_event) { CAM_HOTPLUG_REMOVE, "/dev/video0", NULL }), 1);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_DISCONNECTED);
        check_clean(fc);

        /* It comes back as another node; its by-id link still names it. */
        fc->node = "/dev/video4";
        fake_camera_plug(fc);
        const char *links[] = { fc->by_path, fc->by_id, NULL };
        ASSERT_EQ(cam_camera_hotplug(c, &(struct cam_hotplug_event) { CAM_HOTPLUG_ADD, "/dev/video4", links }), 1);
        ASSERT_STREQ(cam_camera_get_node(c), "/dev/video4");
        grab_one(c);
        cam_camera_free(c);
        check_clean(fc);
        fake_camera_free(fc);
}

static void test_not_ours(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct log log = {};
        struct cam_camera *c = new_camera(fc, fc->node, &log);
        const struct cam_frame *f;
        fc->auto_produce = true;
        ASSERT_OK(cam_camera_start(c));
        fc->fail_errno = EIO;           /* EIO mid-stream also counts as gone */
        fc->fail_after = fc->dequeued;
        ASSERT_ERR(cam_camera_acquire(c, 100, &f), ENODEV);
        ASSERT_EQ(log.reasons[1], -EIO);
        fc->fail_errno = 0;
        /* A different camera now answers at /dev/video0. */
        fc->card = "Other Camera";
        ASSERT_EQ(cam_camera_try_reopen(c), 0);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_DISCONNECTED);
        fc->card = "Fake Camera";
        ASSERT_EQ(cam_camera_try_reopen(c), 1);
        grab_one(c);
        cam_camera_free(c);
        check_clean(fc);
        fake_camera_free(fc);
}

static void test_held_frame_survives(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct log log = {};
        struct cam_camera *c = new_camera(fc, fc->node, &log);
        const struct cam_frame *held, *f;
        fc->auto_produce = true;
        ASSERT_OK(cam_camera_start(c));
        ASSERT_OK(cam_camera_acquire(c, 100, &held));
        uint8_t first = cam_frame_plane_data(held, 0)[0];
        fake_camera_unplug(fc);
        ASSERT_ERR(cam_camera_acquire(c, 100, &f), ENODEV);
        /* Still mapped and readable until released. */
        ASSERT_EQ(fc->n_maps, 5);
        ASSERT_EQ(cam_frame_plane_data(held, 0)[0], first);
        /* Reconnect while the old frame is still out. */
        fake_camera_plug(fc);
        ASSERT_EQ(cam_camera_try_reopen(c), 1);
        ASSERT_EQ(fc->n_maps, 10);
        ASSERT_OK(cam_camera_release(c, held));
        ASSERT_EQ(fc->n_maps, 5);
        ASSERT_ERR(cam_camera_release(c, held), EINVAL);
        grab_one(c);
        cam_camera_free(c);
        check_clean(fc);
        fake_camera_free(fc);
}

static void test_start_fails_cleanly(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct log log = {};
        struct cam_camera *c = new_camera(fc, "/dev/video9", &log);
        ASSERT_ERR(cam_camera_start(c), ENOENT);
        ASSERT_EQ(cam_camera_get_state(c), CAM_CAMERA_STOPPED);
        cam_camera_free(c);
        c = new_camera(fc, fc->node, &log);
        fc->formats[1].fourcc = V4L2_PIX_FMT_GREY;      /* neither NV12 nor YUYV left */
        fc->formats[2].fourcc = V4L2_PIX_FMT_UYVY;
        ASSERT_ERR(cam_camera_start(c), ENOTSUP);
        ASSERT_EQ(log.n, 0);
        cam_camera_free(c);
        check_clean(fc);
        fake_camera_free(fc);
}

TEST_MAIN(TEST_CASE(test_reopen_after_disconnect), TEST_CASE(test_reopen_by_id_new_node), TEST_CASE(test_not_ours),
          TEST_CASE(test_held_frame_survives), TEST_CASE(test_start_fails_cleanly))
