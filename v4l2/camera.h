/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A camera that survives being unplugged: it keeps what was asked of it
 * (device name, format request, stream parameters) and reopens the node
 * with the same settings when it comes back.
 *
 *  - cam_camera_start() opens, negotiates and starts streaming;
 *  - cam_camera_acquire()/cam_camera_release() forward to the stream. When
 *    the stream ends with ENODEV, EIO or POLLERR the camera tears it down and
 *    becomes DISCONNECTED; acquire then returns -ENODEV;
 *  - cam_camera_hotplug() takes add/remove events (from cam_monitor, or
 *    from a test): a remove of our node disconnects, an add that matches the
 *    requested name, the last node or one of its by-id/by-path links
 *    reopens. cam_camera_try_reopen() does the same on a timer, for systems
 *    without udev events;
 *  - frames still held when the stream ends stay valid until released: the
 *    old stream and device are kept until the last one comes back.
 *
 * A reopened node must report the same card and bus as before, so another
 * camera that takes over /dev/video0 is not mistaken for ours.
 * Main-loop only.
 */

#include <stdbool.h>
#include <stdint.h>

#include "common/macro.h"
#include "v4l2/format.h"
#include "v4l2/io.h"
#include "v4l2/monitor.h"
#include "v4l2/stream.h"

struct cam_camera;
struct cam_device;

enum cam_camera_state {
        CAM_CAMERA_STOPPED,
        CAM_CAMERA_STREAMING,
        CAM_CAMERA_DISCONNECTED,
        _CAM_CAMERA_STATE_MAX,
        _CAM_CAMERA_STATE_INVALID = -EINVAL,
};

const char *cam_camera_state_to_string(enum cam_camera_state s);

typedef void (*cam_camera_state_handler_t)(struct cam_camera *c, enum cam_camera_state state, int reason,
                                           void *userdata);

struct cam_camera_params {
        const char *device;                     /* node or by-id/by-path link (required) */
        struct cam_io io;                       /* zero: real syscalls */
        struct cam_format_request format;       /* copied, fourcc list included */
        struct cam_stream_params stream;
        cam_camera_state_handler_t on_state;    /* optional: state changes, with the error that caused them */
        void *userdata;
};

int cam_camera_new(const struct cam_camera_params *p, struct cam_camera **ret);
struct cam_camera *cam_camera_free(struct cam_camera *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cam_camera *, cam_camera_free);

/* Opens and starts streaming. Safe to call when already streaming. */
int cam_camera_start(struct cam_camera *c);
/* Stops streaming and closes the node; frames still held stay valid until released. */
void cam_camera_stop(struct cam_camera *c);

/* -ENODEV while disconnected (or when the stream just ended), -ESHUTDOWN when stopped,
 * otherwise as cam_source_acquire(). */
int cam_camera_acquire(struct cam_camera *c, int timeout_ms, const struct cam_frame **ret);
int cam_camera_release(struct cam_camera *c, const struct cam_frame *f);

/* Applies an add/remove event. Returns 1 if the state changed, 0 if the event is not ours,
 * or the -errno of a failed reopen (the camera stays disconnected). */
int cam_camera_hotplug(struct cam_camera *c, const struct cam_hotplug_event *ev);
/* While disconnected: reopens if the node is back. 1: streaming again, 0: not back yet, <0: error. */
int cam_camera_try_reopen(struct cam_camera *c);

/* Sets a control now (when streaming) and again after every reopen. By name: the driver's
 * name or its key (see v4l2/controls.h); -ENOENT for a control the camera lacks. */
int cam_camera_set_control(struct cam_camera *c, uint32_t id, int64_t value);
int cam_camera_set_control_by_name(struct cam_camera *c, const char *name, int64_t value);

enum cam_camera_state cam_camera_get_state(const struct cam_camera *c);
/* NULL unless streaming. */
struct cam_source *cam_camera_get_source(struct cam_camera *c);
struct cam_stream *cam_camera_get_stream(struct cam_camera *c);
/* Counters summed over every stream this camera ran (reconnects start new streams). */
void cam_camera_get_stats(struct cam_camera *c, struct cam_source_stats *ret);
struct cam_device *cam_camera_get_device(struct cam_camera *c);
const struct cam_format_granted *cam_camera_get_format(const struct cam_camera *c);
/* Node of the last successful open (/dev/video0), NULL before the first. */
const char *cam_camera_get_node(const struct cam_camera *c);
unsigned cam_camera_get_reconnects(const struct cam_camera *c);
/* How long the last disconnection lasted (ns), 0 if none ended yet. */
uint64_t cam_camera_get_last_downtime_ns(const struct cam_camera *c);
