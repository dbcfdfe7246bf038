/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Controls: enumeration, get and set by id and by name. */

#include "tests/test.h"
#include "tests/unit/fake-camera.h"
#include "v4l2/controls.h"
#include "v4l2/device.h"

static struct cam_device *open_fake(struct fake_camera *fc) {
        struct cam_device *d = NULL;
        ASSERT_OK(cam_device_open(&(struct cam_device_params) { .path = fc->node, .io = fake_camera_io(fc) }, &d));
        return d;
}

static void test_keys(void) {
        char k[32];
        cam_control_name_to_key("White Balance, Automatic", k, sizeof(k));
        ASSERT_STREQ(k, "white_balance_automatic");
        cam_control_name_to_key("  Exposure Time, Absolute ", k, sizeof(k));
        ASSERT_STREQ(k, "exposure_time_absolute");
        cam_control_name_to_key("Gain", k, 4);
        ASSERT_STREQ(k, "gai");
}

static void test_list(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_device *d = open_fake(fc);
        struct cam_control_list *l = NULL;

        ASSERT_OK(cam_control_list_new(d, &l));
        /* Nine in the fake, two of them class headers. */
        ASSERT_EQ(l->n, 7);
        for (size_t i = 1; i < l->n; i++)
                ASSERT_TRUE(l->controls[i].id > l->controls[i - 1].id);
        const struct cam_control *c = cam_control_list_find(l, "brightness");
        ASSERT_TRUE(c);
        ASSERT_EQ(c->id, V4L2_CID_BRIGHTNESS);
        ASSERT_EQ(c->type, V4L2_CTRL_TYPE_INTEGER);
        ASSERT_EQ(c->minimum, 0);
        ASSERT_EQ(c->maximum, 255);
        ASSERT_EQ(c->default_value, 128);
        ASSERT_TRUE(c->has_value);
        ASSERT_EQ(c->value, 128);
        ASSERT_STREQ(cam_control_type_to_string(c->type), "int");

        c = cam_control_list_find(l, "White Balance, Automatic");
        ASSERT_TRUE(c);
        ASSERT_STREQ(c->key, "white_balance_automatic");
        ASSERT_STREQ(cam_control_type_to_string(c->type), "bool");

        c = cam_control_list_find_id(l, V4L2_CID_EXPOSURE_AUTO);
        ASSERT_TRUE(c);
        ASSERT_STREQ(cam_control_type_to_string(c->type), "menu");
        /* The menu has holes: only 1 and 3 exist. */
        ASSERT_EQ(c->n_menu, 2);
        ASSERT_EQ(c->menu[0].index, 1);
        ASSERT_STREQ(c->menu[0].name, "Manual Mode");
        ASSERT_EQ(c->menu[1].index, 3);

        c = cam_control_list_find(l, "pixel_rate");
        ASSERT_TRUE(c);
        ASSERT_EQ(c->value, 1000000000000LL);
        ASSERT_TRUE(c->flags & V4L2_CTRL_FLAG_READ_ONLY);

        ASSERT_TRUE(cam_control_list_find(l, "zoom") == NULL);
        ASSERT_TRUE(cam_control_list_find(l, "User Controls") == NULL);
        cam_control_list_free(l);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_get_set(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_device *d = open_fake(fc);
        int64_t v = -1;

        ASSERT_OK(cam_control_set(d, V4L2_CID_GAIN, 42));
        ASSERT_OK(cam_control_get(d, V4L2_CID_GAIN, &v));
        ASSERT_EQ(v, 42);
        ASSERT_EQ(fc->controls[4].value, 42);
        /* Auto exposure off, then a manual exposure time. */
        ASSERT_OK(cam_control_set_by_name(d, "auto_exposure", 1));
        ASSERT_OK(cam_control_set_by_name(d, "Exposure Time, Absolute", 1000));
        ASSERT_OK(cam_control_get_by_name(d, "exposure_time_absolute", &v));
        ASSERT_EQ(v, 1000);
        ASSERT_OK(cam_control_get_by_name(d, "auto_exposure", &v));
        ASSERT_EQ(v, 1);
        ASSERT_OK(cam_control_get(d, V4L2_CID_PIXEL_RATE, &v));
        ASSERT_EQ(v, 1000000000000LL);

        /* Errors, and nothing changed by them. */
        ASSERT_ERR(cam_control_set(d, V4L2_CID_BRIGHTNESS, 256), ERANGE);
        ASSERT_ERR(cam_control_set(d, V4L2_CID_BRIGHTNESS, -1), ERANGE);
        ASSERT_OK(cam_control_get(d, V4L2_CID_BRIGHTNESS, &v));
        ASSERT_EQ(v, 128);
        ASSERT_ERR(cam_control_set(d, V4L2_CID_PIXEL_RATE, 5), EACCES);
        ASSERT_ERR(cam_control_set(d, V4L2_CID_ZOOM_ABSOLUTE, 5), EINVAL);
        ASSERT_ERR(cam_control_get(d, V4L2_CID_ZOOM_ABSOLUTE, &v), EINVAL);
        ASSERT_ERR(cam_control_set_by_name(d, "zoom", 1), ENOENT);
        ASSERT_ERR(cam_control_get_by_name(d, "zoom", &v), ENOENT);
        cam_device_free(d);
        fake_camera_free(fc);
}

static void test_gone(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_device *d = open_fake(fc);
        struct cam_control_list *l = NULL;
        int64_t v;
        fake_camera_unplug(fc);
        ASSERT_ERR(cam_control_list_new(d, &l), ENODEV);
        ASSERT_ERR(cam_control_get(d, V4L2_CID_GAIN, &v), ENODEV);
        ASSERT_TRUE(l == NULL);
        cam_device_free(d);
        fake_camera_free(fc);
}

TEST_MAIN(TEST_CASE(test_keys), TEST_CASE(test_list), TEST_CASE(test_get_set), TEST_CASE(test_gone))
