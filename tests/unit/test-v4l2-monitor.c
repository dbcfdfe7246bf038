/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd-device discovery on this machine, checked against sysfs; the monitor's set-up and tear-down. */

#include <glob.h>

#include "tests/test.h"
#include "v4l2/monitor.h"

static void test_enumerate_matches_sysfs(void) {
        struct cam_node_info *nodes = NULL;
        size_t n = 0;
        glob_t g = {};

        int r = cam_enumerate_nodes(&nodes, &n);
        if (r == -ENOENT || r == -EPERM || r == -EACCES)
                test_skip("no sysfs to enumerate (%s)", strerror(-r));
        ASSERT_OK(r);
        /* The oracle: video nodes sysfs lists (those without a device node are skipped by both). */
        size_t want = 0;
        if (glob("/sys/class/video4linux/video*", 0, NULL, &g) == 0)
                want = g.gl_pathc;
        globfree(&g);
        ASSERT_EQ(n, want);
        for (size_t i = 0; i < n; i++) {
                ASSERT_TRUE(strncmp(nodes[i].devnode, "/dev/", 5) == 0);
                ASSERT_TRUE(nodes[i].devlinks != NULL);
                if (i > 0)      /* video2 before video10 */
                        ASSERT_TRUE(strlen(nodes[i - 1].devnode) < strlen(nodes[i].devnode) ||
                                    strcmp(nodes[i - 1].devnode, nodes[i].devnode) < 0);
        }
        cam_node_info_array_free(nodes, n);
}

static void handler(const struct cam_hotplug_event *ev, void *userdata) {
        (*(unsigned *) userdata)++;
}

static void test_monitor_lifecycle(void) {
        sd_event *e = NULL;
        struct cam_monitor *m = NULL;
        unsigned events = 0;

        ASSERT_OK(sd_event_new(&e));
        ASSERT_ERR(cam_monitor_new(NULL, handler, &events, &m), EINVAL);
        ASSERT_ERR(cam_monitor_new(e, NULL, &events, &m), EINVAL);
        int r = cam_monitor_new(e, handler, &events, &m);
        if (r == -EPERM || r == -EACCES || r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT) {
                sd_event_unref(e);
                test_skip("no netlink uevent socket here (%s)", strerror(-r));
        }
        ASSERT_OK(r);
        /* Nothing plugged in during the test: one idle iteration, no event. */
        ASSERT_OK(sd_event_run(e, 10 * 1000));
        ASSERT_EQ(events, 0);
        ASSERT_TRUE(cam_monitor_free(m) == NULL);
        sd_event_unref(e);
}

static void test_action_names(void) {
        ASSERT_STREQ(cam_hotplug_action_to_string(CAM_HOTPLUG_ADD), "add");
        ASSERT_STREQ(cam_hotplug_action_to_string(CAM_HOTPLUG_REMOVE), "remove");
        ASSERT_TRUE(cam_hotplug_action_to_string(_CAM_HOTPLUG_ACTION_MAX) == NULL);
        ASSERT_TRUE(cam_hotplug_action_to_string(_CAM_HOTPLUG_ACTION_INVALID) == NULL);
}

TEST_MAIN(TEST_CASE(test_action_names), TEST_CASE(test_enumerate_matches_sysfs), TEST_CASE(test_monitor_lifecycle))
