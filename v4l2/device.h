/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A V4L2 video capture node: opened carefully (O_RDWR|O_NONBLOCK|O_CLOEXEC,
 * must be a character device, VIDIOC_QUERYCAP with device_caps respected),
 * by node (/dev/video0) or by a stable link (/dev/v4l/by-id/...,
 * /dev/v4l/by-path/...). Metadata, output and non-streaming nodes are refused
 * with -EMEDIUMTYPE, so callers iterating over nodes can skip them.
 *
 * Main-loop only; not thread-safe.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/macro.h"
#include "v4l2/io.h"

struct cam_device;

struct cam_device_params {
        const char *path;       /* node or symlink to it */
        struct cam_io io;       /* zero: real syscalls */
};

/* Returns -ENOENT (no such node), -EACCES, -ENOTTY (not a character device or
 * not V4L2), -EMEDIUMTYPE (not a streaming video capture node), or -errno. */
int cam_device_open(const struct cam_device_params *p, struct cam_device **ret);
struct cam_device *cam_device_free(struct cam_device *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cam_device *, cam_device_free);

const char *cam_device_path(const struct cam_device *d);     /* as given */
const char *cam_device_node(const struct cam_device *d);     /* resolved node, e.g. /dev/video0 */
const char *cam_device_driver(const struct cam_device *d);
const char *cam_device_card(const struct cam_device *d);
const char *cam_device_bus_info(const struct cam_device *d);
uint32_t cam_device_caps(const struct cam_device *d);        /* device_caps (V4L2_CAP_*) */
bool cam_device_is_mplane(const struct cam_device *d);
uint32_t cam_device_buf_type(const struct cam_device *d);    /* V4L2_BUF_TYPE_VIDEO_CAPTURE[_MPLANE] */
int cam_device_fd(const struct cam_device *d);
const struct cam_io *cam_device_io(const struct cam_device *d);

/* ioctl on the node; failures are logged at debug level with the node and ioctl name. */
int cam_device_ioctl(struct cam_device *d, unsigned long request, void *arg);
/* The same without logging, for probes where failure is an expected answer. */
int cam_device_ioctl_quiet(struct cam_device *d, unsigned long request, void *arg);

/* Whether QUERYCAP-style capabilities describe a streaming video capture node. */
bool cam_caps_is_capture(uint32_t device_caps);
