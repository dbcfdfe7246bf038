/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A camera with remembered settings that reopens after a disconnect. */

#include <time.h>

#include "common/debug.h"
#include "v4l2/camera.h"
#include "v4l2/controls.h"
#include "v4l2/device.h"

/* A stream that ended while the consumer still held frames, with its device. */
struct zombie {
        struct cam_stream *stream;
        struct cam_device *dev;
};

#define MAX_ZOMBIES 4
#define MAX_CONTROLS 32

struct saved_control {
        uint32_t id;
        int64_t value;
};

struct cam_camera {
        char *device;
        struct cam_io io;
        struct cam_format_request format;
        uint32_t *fourccs;
        struct cam_stream_params stream_params;
        cam_camera_state_handler_t on_state;
        void *userdata;

        enum cam_camera_state state;
        struct cam_device *dev;
        struct cam_stream *stream;
        struct cam_format_granted granted;

        /* identity of the camera from the last successful open */
        char *node;
        char card[32], bus_info[32];
        bool known;

        struct zombie zombies[MAX_ZOMBIES];
        struct cam_source_stats past;   /* of streams already closed */
        struct saved_control controls[MAX_CONTROLS];
        size_t n_controls;
        unsigned reconnects;
        uint64_t disconnected_ns, last_downtime_ns;
};

static const char *const state_names[_CAM_CAMERA_STATE_MAX] = {
        [CAM_CAMERA_STOPPED] = "stopped",
        [CAM_CAMERA_STREAMING] = "streaming",
        [CAM_CAMERA_DISCONNECTED] = "disconnected",
};

const char *cam_camera_state_to_string(enum cam_camera_state s) {
        return s >= 0 && s < _CAM_CAMERA_STATE_MAX ? state_names[s] : NULL;
}

static uint64_t now_ns(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * UINT64_C(1000000000) + (uint64_t) ts.tv_nsec;
}

static void set_state(struct cam_camera *c, enum cam_camera_state s, int reason) {
        if (c->state == s)
                return;
        ls_debug("'%s' %s -> %s (%s)", c->device, cam_camera_state_to_string(c->state), cam_camera_state_to_string(s),
                 reason < 0 ? strerror(-reason) : "ok");
        if (s == CAM_CAMERA_DISCONNECTED)
                c->disconnected_ns = now_ns();
        else if (c->state == CAM_CAMERA_DISCONNECTED && s == CAM_CAMERA_STREAMING) {
                c->last_downtime_ns = now_ns() - c->disconnected_ns;
                c->reconnects++;
        }
        c->state = s;
        if (c->on_state)
                c->on_state(c, s, reason, c->userdata);
}

/* Drops the stream and device; keeps them as a zombie while frames are held. */
static void close_stream(struct cam_camera *c) {
        if (c->stream) {
                struct cam_source_stats st;
                cam_source_get_stats(cam_stream_source(c->stream), &st);
                c->past.frames += st.frames;
                c->past.dropped += st.dropped;
                c->past.errors += st.errors;
                c->past.bytes_copied += st.bytes_copied;
        }
        if (c->stream && cam_stream_n_held(c->stream) > 0) {
                for (size_t i = 0; i < MAX_ZOMBIES; i++)
                        if (!c->zombies[i].stream) {
                                c->zombies[i] = (struct zombie) { TAKE_PTR(c->stream), TAKE_PTR(c->dev) };
                                return;
                        }
                ls_debug("'%s' too many stale streams with held frames, freeing one", c->device);
        }
        c->stream = cam_stream_free(c->stream);
        c->dev = cam_device_free(c->dev);
}

struct cam_camera *cam_camera_free(struct cam_camera *c) {
        if (!c)
                return NULL;
        c->stream = cam_stream_free(c->stream);
        c->dev = cam_device_free(c->dev);
        for (size_t i = 0; i < MAX_ZOMBIES; i++) {
                cam_stream_free(c->zombies[i].stream);
                cam_device_free(c->zombies[i].dev);
        }
        free(c->device);
        free(c->fourccs);
        free(c->node);
        free(c);
        return NULL;
}

int cam_camera_new(const struct cam_camera_params *p, struct cam_camera **ret) {
        _cleanup_(cam_camera_freep) struct cam_camera *c = NULL;

        if (!p || !p->device || !ret)
                return -EINVAL;
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->device = strdup(p->device);
        if (!c->device)
                return -ENOMEM;
        c->io = p->io;
        c->format = p->format;
        if (p->format.fourccs && p->format.n_fourccs) {
                c->fourccs = calloc(p->format.n_fourccs, sizeof(uint32_t));
                if (!c->fourccs)
                        return -ENOMEM;
                memcpy(c->fourccs, p->format.fourccs, p->format.n_fourccs * sizeof(uint32_t));
        }
        c->format.fourccs = c->fourccs;
        c->stream_params = p->stream;
        c->on_state = p->on_state;
        c->userdata = p->userdata;
        c->state = CAM_CAMERA_STOPPED;
        *ret = TAKE_PTR(c);
        return 0;
}

/* Opens the node and checks it is the camera we had before. */
static int open_device(struct cam_camera *c, struct cam_device **ret) {
        _cleanup_(cam_device_freep) struct cam_device *d = NULL;
        int r = cam_device_open(&(struct cam_device_params) { .path = c->device, .io = c->io }, &d);
        if (r < 0)
                return r;
        if (c->known && (!streq(c->card, cam_device_card(d)) || !streq(c->bus_info, cam_device_bus_info(d))))
                return ls_debug_errno(-ENXIO, "'%s' is now '%s' at %s, not ours", c->device, cam_device_card(d),
                                      cam_device_bus_info(d));
        *ret = TAKE_PTR(d);
        return 0;
}

static int open_and_stream(struct cam_camera *c) {
        _cleanup_(cam_device_freep) struct cam_device *d = NULL;
        _cleanup_(cam_stream_freep) struct cam_stream *s = NULL;
        struct cam_format_granted g;
        int r;

        r = open_device(c, &d);
        if (r < 0)
                return r;
        r = cam_format_negotiate(d, &c->format, &g);
        if (r < 0)
                return r;
        r = cam_stream_new(d, &g, &c->stream_params, &s);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_controls; i++) {
                /* Best effort: a control the driver now refuses must not keep the camera down. */
                int k = cam_control_set(d, c->controls[i].id, c->controls[i].value);
                if (k < 0)
                        ls_debug("'%s' restoring control 0x%08x: %s, ignoring", c->device, c->controls[i].id, strerror(-k));
        }

        char *node = strdup(cam_device_node(d));
        if (!node)
                return -ENOMEM;
        free(c->node);
        c->node = node;
        snprintf(c->card, sizeof(c->card), "%s", cam_device_card(d));
        snprintf(c->bus_info, sizeof(c->bus_info), "%s", cam_device_bus_info(d));
        c->known = true;
        c->granted = g;
        c->stream = TAKE_PTR(s);
        c->dev = TAKE_PTR(d);
        return 0;
}

int cam_camera_start(struct cam_camera *c) {
        if (c->state == CAM_CAMERA_STREAMING)
                return 0;
        int r = open_and_stream(c);
        if (r < 0)
                return r;
        set_state(c, CAM_CAMERA_STREAMING, 0);
        return 0;
}

void cam_camera_stop(struct cam_camera *c) {
        close_stream(c);
        set_state(c, CAM_CAMERA_STOPPED, 0);
}

static void disconnect(struct cam_camera *c, int reason) {
        close_stream(c);
        set_state(c, CAM_CAMERA_DISCONNECTED, reason);
}

int cam_camera_acquire(struct cam_camera *c, int timeout_ms, const struct cam_frame **ret) {
        if (c->state == CAM_CAMERA_DISCONNECTED)
                return -ENODEV;
        if (c->state != CAM_CAMERA_STREAMING)
                return -ESHUTDOWN;
        int r = cam_source_acquire(cam_stream_source(c->stream), timeout_ms, ret);
        if (r == -ENODEV || r == -EIO) {
                disconnect(c, r);
                return -ENODEV;
        }
        return r;
}

int cam_camera_release(struct cam_camera *c, const struct cam_frame *f) {
        if (c->stream && cam_stream_owns_frame(c->stream, f)) {
                int r = cam_source_release(cam_stream_source(c->stream), f);
                if (r == -ENODEV || r == -EIO) {
                        /* The frame is back with us; the camera is gone. */
                        disconnect(c, r);
                        return 0;
                }
                return r;
        }
        for (size_t i = 0; i < MAX_ZOMBIES; i++) {
                struct zombie *z = &c->zombies[i];
                if (!z->stream || !cam_stream_owns_frame(z->stream, f))
                        continue;
                (void) cam_source_release(cam_stream_source(z->stream), f);
                if (cam_stream_n_held(z->stream) == 0) {
                        z->stream = cam_stream_free(z->stream);
                        z->dev = cam_device_free(z->dev);
                }
                return 0;
        }
        return -EINVAL;
}

static bool event_matches(struct cam_camera *c, const struct cam_hotplug_event *ev) {
        if (!ev->devnode)
                return false;
        if (streq(ev->devnode, c->device) || streq_ptr(ev->devnode, c->node))
                return true;
        for (const char *const *l = ev->devlinks; l && *l; l++)
                if (streq(*l, c->device))
                        return true;
        return false;
}

int cam_camera_try_reopen(struct cam_camera *c) {
        if (c->state != CAM_CAMERA_DISCONNECTED)
                return 0;
        int r = open_and_stream(c);
        if (r == -ENOENT || r == -ENODEV || r == -ENXIO)
                return 0;       /* not back (or not ours) yet */
        if (r < 0)
                return r;
        set_state(c, CAM_CAMERA_STREAMING, 0);
        return 1;
}

int cam_camera_hotplug(struct cam_camera *c, const struct cam_hotplug_event *ev) {
        if (!ev || !event_matches(c, ev))
                return 0;
        if (ev->action == CAM_HOTPLUG_REMOVE) {
                /* Only the node we stream from matters; the stream would notice soon anyway. */
                if (c->state != CAM_CAMERA_STREAMING || !streq_ptr(ev->devnode, c->node))
                        return 0;
                disconnect(c, -ENODEV);
                return 1;
        }
        return cam_camera_try_reopen(c);
}

static int remember_control(struct cam_camera *c, uint32_t id, int64_t value) {
        for (size_t i = 0; i < c->n_controls; i++)
                if (c->controls[i].id == id) {
                        c->controls[i].value = value;
                        return 0;
                }
        if (c->n_controls >= MAX_CONTROLS)
                return -E2BIG;
        c->controls[c->n_controls++] = (struct saved_control) { id, value };
        return 0;
}

int cam_camera_set_control(struct cam_camera *c, uint32_t id, int64_t value) {
        if (c->dev) {
                int r = cam_control_set(c->dev, id, value);
                if (r < 0)
                        return r;
        }
        return remember_control(c, id, value);
}

int cam_camera_set_control_by_name(struct cam_camera *c, const char *name, int64_t value) {
        _cleanup_(cam_control_list_freep) struct cam_control_list *l = NULL;
        if (!c->dev)
                return -ENODEV;         /* names are resolved by the device */
        int r = cam_control_list_new(c->dev, &l);
        if (r < 0)
                return r;
        const struct cam_control *ctl = cam_control_list_find(l, name);
        if (!ctl)
                return -ENOENT;
        return cam_camera_set_control(c, ctl->id, value);
}

enum cam_camera_state cam_camera_get_state(const struct cam_camera *c) { return c->state; }
struct cam_device *cam_camera_get_device(struct cam_camera *c) { return c->dev; }
const char *cam_camera_get_node(const struct cam_camera *c) { return c->node; }
unsigned cam_camera_get_reconnects(const struct cam_camera *c) { return c->reconnects; }
uint64_t cam_camera_get_last_downtime_ns(const struct cam_camera *c) { return c->last_downtime_ns; }

struct cam_source *cam_camera_get_source(struct cam_camera *c) {
        return c->state == CAM_CAMERA_STREAMING && c->stream ? cam_stream_source(c->stream) : NULL;
}

struct cam_stream *cam_camera_get_stream(struct cam_camera *c) {
        return c->state == CAM_CAMERA_STREAMING ? c->stream : NULL;
}

void cam_camera_get_stats(struct cam_camera *c, struct cam_source_stats *ret) {
        *ret = c->past;
        if (c->stream) {
                struct cam_source_stats st;
                cam_source_get_stats(cam_stream_source(c->stream), &st);
                ret->frames += st.frames;
                ret->dropped += st.dropped;
                ret->errors += st.errors;
                ret->bytes_copied += st.bytes_copied;
        }
}

const struct cam_format_granted *cam_camera_get_format(const struct cam_camera *c) {
        return c->known ? &c->granted : NULL;
}
