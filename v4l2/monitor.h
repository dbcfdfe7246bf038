/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Discovery and hotplug of video4linux nodes through libsystemd's
 * sd-device: an enumerator for what is there now, a monitor for add/remove
 * events. Neither opens the nodes: callers open them with cam_device_open()
 * and skip the -EMEDIUMTYPE ones (metadata, output). Events are delivered as
 * plain struct cam_hotplug_event values so the logic that consumes them
 * (cam_camera_hotplug()) can be tested without udev.
 *
 * Without a udev daemon (a bare VM) the enumerator still works from sysfs
 * but the monitor never fires: callers that must notice a returning camera
 * also retry on a timer (cam_camera_try_reopen()).
 */

#include <errno.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "common/macro.h"

struct cam_node_info {
        char *devnode;          /* /dev/video0 */
        char *sysname;          /* video0 */
        char *name;             /* the sysfs "name" attribute (the card), or NULL */
        char **devlinks;        /* NULL-terminated: /dev/v4l/by-id/..., /dev/v4l/by-path/... */
};

/* All video4linux nodes with a device node, sorted by node name. */
int cam_enumerate_nodes(struct cam_node_info **ret, size_t *ret_n);
void cam_node_info_array_free(struct cam_node_info *a, size_t n);

enum cam_hotplug_action {
        CAM_HOTPLUG_ADD,
        CAM_HOTPLUG_REMOVE,
        _CAM_HOTPLUG_ACTION_MAX,
        _CAM_HOTPLUG_ACTION_INVALID = -EINVAL,
};

/* "add", "remove"; NULL when out of range. */
const char *cam_hotplug_action_to_string(enum cam_hotplug_action a);

struct cam_hotplug_event {
        enum cam_hotplug_action action;
        const char *devnode;
        const char *const *devlinks;    /* NULL-terminated, may be NULL */
};

typedef void (*cam_hotplug_handler_t)(const struct cam_hotplug_event *ev, void *userdata);

struct cam_monitor;

/* Starts listening on event for video4linux add/remove events. */
int cam_monitor_new(sd_event *event, cam_hotplug_handler_t handler, void *userdata, struct cam_monitor **ret);
struct cam_monitor *cam_monitor_free(struct cam_monitor *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cam_monitor *, cam_monitor_free);
