/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sd-device discovery on this machine, checked against sysfs; the monitor's
 * set-up and tear-down, and its handling of a uevent this test sends itself
 * (in udev's own format, to udev's multicast group) so that it is exercised
 * on a machine without cameras too (issue 12: it passed vacuously there).
 */

#include <arpa/inet.h>
#include <glob.h>
#include <linux/netlink.h>
#include <sys/socket.h>

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
        if (want == 0) {
                cam_node_info_array_free(nodes, n);
                test_skip("no video4linux device here: the enumeration was only compared on an empty list");
        }
        for (size_t i = 0; i < n; i++) {
                ASSERT_TRUE(strncmp(nodes[i].devnode, "/dev/", 5) == 0);
                ASSERT_TRUE(nodes[i].devlinks != NULL);
                if (i > 0)      /* video2 before video10 */
                        ASSERT_TRUE(strlen(nodes[i - 1].devnode) < strlen(nodes[i].devnode) ||
                                    strcmp(nodes[i - 1].devnode, nodes[i].devnode) < 0);
        }
        cam_node_info_array_free(nodes, n);
}

struct seen {
        unsigned n;
        enum cam_hotplug_action action;
        char devnode[64], link[128];
};

static void handler(const struct cam_hotplug_event *ev, void *userdata) {
        struct seen *s = userdata;
        s->n++;
        s->action = ev->action;
        snprintf(s->devnode, sizeof(s->devnode), "%s", ev->devnode);
        snprintf(s->link, sizeof(s->link), "%s", ev->devlinks && ev->devlinks[0] ? ev->devlinks[0] : "");
}

/* MurmurHash2, 32 bits, seed 0: what libudev/sd-device put in the header for subsystem filters. */
static uint32_t murmur2(const char *key) {
        const uint32_t m = 0x5bd1e995;
        size_t len = strlen(key);
        uint32_t h = (uint32_t) len;
        const uint8_t *d = (const uint8_t *) key;

        for (; len >= 4; d += 4, len -= 4) {
                uint32_t k;
                memcpy(&k, d, 4);
                k *= m;
                k ^= k >> 24;
                k *= m;
                h = h * m ^ k;
        }
        switch (len) {
        case 3: h ^= (uint32_t) d[2] << 16; /* fall through */
        case 2: h ^= (uint32_t) d[1] << 8;  /* fall through */
        case 1: h ^= d[0]; h *= m;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return h;
}

/*
 * Sends one device event as udevd does: to the "udev" multicast group (2) of
 * NETLINK_KOBJECT_UEVENT, a "libudev" header and NUL-separated properties.
 * -errno when this process may not send there (not root, no netlink).
 */
static int send_uevent(const char *action, const char *subsystem, const char *devname, const char *devlink) {
        struct {
                char prefix[8];
                uint32_t magic, header_size, properties_off, properties_len;
                uint32_t subsystem_hash, devtype_hash, tag_bloom_hi, tag_bloom_lo;
        } h = { .prefix = "libudev", .magic = htonl(0xfeedcafe), .header_size = sizeof(h),
                .properties_off = sizeof(h), .subsystem_hash = htonl(murmur2(subsystem)) };
        char props[512];
        int n = snprintf(props, sizeof(props), "ACTION=%s%cDEVPATH=/devices/virtual/%s/%s%cSUBSYSTEM=%s%c"
                         "DEVNAME=%s%cDEVLINKS=%s%cSEQNUM=4242%c", action, 0, subsystem, devname + 5, 0, subsystem, 0,
                         devname, 0, devlink, 0, 0);
        h.properties_len = (uint32_t) n;
        struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_groups = 2 };
        struct iovec iov[2] = { { &h, sizeof(h) }, { props, (size_t) n } };
        struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = iov, .msg_iovlen = 2 };
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
        if (fd < 0)
                return -errno;
        int r = sendmsg(fd, &msg, 0) < 0 ? -errno : 0;
        close(fd);
        return r;
}

/* Runs the loop until the handler has seen want events, for at most a second. */
static void run_until(sd_event *e, const struct seen *s, unsigned want) {
        for (int i = 0; i < 100 && s->n < want; i++)
                ASSERT_OK(sd_event_run(e, 10 * 1000));
}

static void test_monitor_lifecycle(void) {
        sd_event *e = NULL;
        struct cam_monitor *m = NULL;
        struct seen seen = {};

        ASSERT_OK(sd_event_new(&e));
        ASSERT_ERR(cam_monitor_new(NULL, handler, &seen, &m), EINVAL);
        ASSERT_ERR(cam_monitor_new(e, NULL, &seen, &m), EINVAL);
        int r = cam_monitor_new(e, handler, &seen, &m);
        if (r == -EPERM || r == -EACCES || r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT) {
                sd_event_unref(e);
                test_skip("no netlink uevent socket here (%s)", strerror(-r));
        }
        ASSERT_OK(r);

        /* A camera that is not there comes and goes; another subsystem's device is filtered out. */
        r = send_uevent("add", "video4linux", "/dev/video-lanesight-test", "/dev/v4l/by-id/usb-Lanesight_Test-video-index0");
        if (r == -EPERM || r == -EACCES) {
                cam_monitor_free(m);
                sd_event_unref(e);
                test_skip("may not send to udev's netlink group here (%s): the monitor is not exercised", strerror(-r));
        }
        ASSERT_OK(r);
        run_until(e, &seen, 1);
        ASSERT_EQ(seen.n, 1);
        ASSERT_EQ(seen.action, CAM_HOTPLUG_ADD);
        ASSERT_STREQ(seen.devnode, "/dev/video-lanesight-test");
        ASSERT_STREQ(seen.link, "/dev/v4l/by-id/usb-Lanesight_Test-video-index0");
        ASSERT_OK(send_uevent("add", "sound", "/dev/snd-lanesight-test", "/dev/snd/by-id/x"));
        ASSERT_OK(send_uevent("remove", "video4linux", "/dev/video-lanesight-test", ""));
        run_until(e, &seen, 2);
        ASSERT_EQ(seen.n, 2);   /* the sound device was never reported */
        ASSERT_EQ(seen.action, CAM_HOTPLUG_REMOVE);
        ASSERT_STREQ(seen.devnode, "/dev/video-lanesight-test");
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
