/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/videodev2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "common/macro.h"
#include "face/track.h"
#include "svc/camera.h"
#include "svc/message-ids.h"
#include "svc/session.h"
#include "v4l2/camera.h"
#include "v4l2/file-source.h"
#include "v4l2/monitor.h"

#define REOPEN_INTERVAL_USEC (2 * 1000000ULL)

struct lsd_camera {
        struct lsd_daemon *d;
        char *id, *path, *spec;
        bool is_file;
        struct cam_source *file;        /* file:PATH sources */
        struct cam_camera *cam;         /* V4L2 cameras */
        struct cam_monitor *monitor;
        sd_event_source *io, *reopen;
        int io_fd;
        enum lsd_camera_state state;
        struct face_tracker *tracker;
        uint64_t processed;
        int frame_error;                /* the last processing failure, logged once until it changes */
        uint32_t faces_in_view;
        char card[64];
};

static const char *const state_names[_LSD_CAMERA_STATE_MAX] = {
        [LSD_CAMERA_STREAMING] = "streaming",
        [LSD_CAMERA_DISCONNECTED] = "disconnected",
        [LSD_CAMERA_ERROR] = "error",
        [LSD_CAMERA_STOPPED] = "stopped",
};

const char *lsd_camera_state_to_string(enum lsd_camera_state s) {
        return s >= 0 && s < _LSD_CAMERA_STATE_MAX ? state_names[s] : NULL;
}

const char *lsd_camera_path(const struct lsd_camera *c) {
        return c->path;
}

sd_bus *lsd_camera_bus(struct lsd_camera *c) {
        return c->d->bus;
}

static struct cam_source *current_source(struct lsd_camera *c) {
        return c->is_file ? c->file : c->cam ? cam_camera_get_source(c->cam) : NULL;
}

static void set_state(struct lsd_camera *c, enum lsd_camera_state st, int error) {
        char f_cam[300];

        if (c->state == st)
                return;
        c->state = st;
        snprintf(f_cam, sizeof(f_cam), "LANESIGHT_CAMERA=%s", c->spec);
        if (st == LSD_CAMERA_DISCONNECTED)
                log_struct(&c->d->log, LOG_WARNING, error, LSD_MESSAGE_CAMERA_DISCONNECTED, LSD_FIELDS(f_cam),
                           "Camera '%s' disconnected%s%s", c->spec, error ? ": " : "", error ? "%m" : "");
        else if (st == LSD_CAMERA_STREAMING)
                log_struct(&c->d->log, LOG_INFO, 0, LSD_MESSAGE_CAMERA_CONNECTED, LSD_FIELDS(f_cam),
                           "Camera '%s' streaming", c->spec);
        else if (st == LSD_CAMERA_ERROR)
                log_struct(&c->d->log, LOG_ERR, error, NULL, LSD_FIELDS(f_cam), "Camera '%s' failed: %m", c->spec);
        else
                log_info(&c->d->log, "Camera '%s' reached the end of its file", c->spec);
        lsd_bus_camera_emit_changed(c, "State");
        lsd_daemon_update_status(c->d);
}

static void process_frame(struct lsd_camera *c, const struct cam_frame *f) {
        struct lsd_daemon *d = c->d;
        struct face_detection faces[FACE_PIPELINE_MAX_FACES];
        uint32_t ids[FACE_PIPELINE_MAX_FACES];
        float qscore[FACE_PIPELINE_MAX_FACES] = { 0 };
        struct gpu_pre_roi roi = { 0, 0, f->width, f->height };
        struct face_quality q = { .sharpness = NAN, .mean = NAN, .range = NAN };
        const struct face_detection *chosen = NULL;
        int n;

        if (d->cfg.roi_set && d->cfg.roi[0] + d->cfg.roi[2] <= f->width && d->cfg.roi[1] + d->cfg.roi[3] <= f->height)
                roi = (struct gpu_pre_roi) { d->cfg.roi[0], d->cfg.roi[1], d->cfg.roi[2], d->cfg.roi[3] };
        n = face_pipeline_detect(d->pipeline, f, &roi, faces, ELEMENTSOF(faces));
        if (n < 0) {
                /* A failing backend fails every frame: one warning, not one line per frame. */
                if (n != c->frame_error)
                        log_warning_errno(&d->log, n, "Camera '%s': frame %u not processed: %m "
                                          "(further failures like this one are not logged)", c->spec, f->sequence);
                else
                        log_debug_errno(&d->log, n, "Frame %u not processed: %m", f->sequence);
                c->frame_error = n;
                return;
        }
        if (c->frame_error) {
                log_info(&d->log, "Camera '%s': frames are processed again", c->spec);
                c->frame_error = 0;
        }
        c->processed++;
        if (c->faces_in_view != (uint32_t) n) {
                c->faces_in_view = (uint32_t) n;
                lsd_bus_camera_emit_changed(c, "FacesInView");
        }
        q.n_faces = (unsigned) n;
        if (n > 0) {
                float area[4] = { roi.x, roi.y, roi.width, roi.height };
                int i = face_nearest(faces, n, area[0] + area[2] / 2, area[1] + area[3] / 2);
                chosen = &faces[i];
                face_quality_geometry(chosen, area, f->height, &q);
                /* Photometric measures on the aligned face: no embedding is computed here. */
                (void) face_pipeline_embed(d->pipeline, f, chosen, NULL, &q);
        }
        struct face_quality_params qp;
        face_quality_params_default(&qp);
        qp.min_ied = d->cfg.min_inter_eye;
        qp.max_ied = d->cfg.max_inter_eye;
        qp.max_yaw = d->cfg.max_yaw;
        qp.max_pitch = d->cfg.max_pitch;
        qp.max_roll = d->cfg.max_roll;
        qp.min_sharpness = d->cfg.min_sharpness;
        face_quality_judge(&qp, &q);
        for (int i = 0; i < n; i++)
                qscore[i] = &faces[i] == chosen ? q.score : 0;
        (void) face_tracker_update(c->tracker, faces, n, qscore, f->timestamp_ns, f->sequence, ids, NULL);
        lsd_bus_camera_emit_frame(c, f->timestamp_ns / 1000, f->sequence, q.guidance, faces, ids, qscore, n);
        lsd_sessions_on_frame(d, c->path, f, q.n_faces == 1 ? chosen : NULL, &q);
}

static int on_frame_ready(sd_event_source *es, int fd, uint32_t revents, void *userdata);

static int watch_source(struct lsd_camera *c) {
        struct cam_source *s = current_source(c);
        int fd;

        c->io = sd_event_source_disable_unref(c->io);
        if (!s)
                return -ENODEV;
        fd = cam_source_get_fd(s);
        if (fd < 0)
                return fd;
        c->io_fd = fd;
        int r = sd_event_add_io(c->d->event, &c->io, fd, EPOLLIN, on_frame_ready, c);
        if (r < 0)
                return r;
        /* Bus calls, timers and signals go first: a slow backend must not starve them. */
        return sd_event_source_set_priority(c->io, SD_EVENT_PRIORITY_NORMAL + 10);
}

static int on_reopen_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct lsd_camera *c = userdata;
        if (c->state == LSD_CAMERA_DISCONNECTED && c->cam) {
                /* Never opened (missing at start): start; lost later: reopen with the same settings. */
                int r = cam_camera_get_state(c->cam) == CAM_CAMERA_STOPPED ? cam_camera_start(c->cam)
                                                                           : cam_camera_try_reopen(c->cam);
                if (r >= 0 && cam_camera_get_state(c->cam) == CAM_CAMERA_STREAMING && watch_source(c) >= 0)
                        set_state(c, LSD_CAMERA_STREAMING, 0);
        }
        (void) sd_event_source_set_time_relative(es, REOPEN_INTERVAL_USEC);
        return 0;
}

static int on_frame_ready(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct lsd_camera *c = userdata;
        struct cam_source *s = current_source(c);
        const struct cam_frame *f = NULL;
        int r;

        r = s ? cam_source_acquire(s, 0, &f) : -ENODEV;
        if (r == -ETIMEDOUT || r == -EAGAIN)
                return 0;
        if (r == -EPIPE) {
                c->io = sd_event_source_disable_unref(c->io);
                set_state(c, LSD_CAMERA_STOPPED, 0);
                return 0;
        }
        if (r == -ENODEV || r == -EIO || r == -ESHUTDOWN) {
                c->io = sd_event_source_disable_unref(c->io);
                set_state(c, LSD_CAMERA_DISCONNECTED, r);
                return 0;
        }
        if (r < 0) {
                /* A malformed frame: counted by the source, logged at debug, the stream goes on. */
                log_debug_errno(&c->d->log, r, "Camera '%s': frame dropped: %m", c->spec);
                return 0;
        }
        if (!(f->flags & CAM_FRAME_ERROR))
                process_frame(c, f);
        (void) cam_source_release(s, f);
        return 0;
}

static void on_hotplug(const struct cam_hotplug_event *ev, void *userdata) {
        struct lsd_camera *c = userdata;
        int r = cam_camera_hotplug(c->cam, ev);

        if (r <= 0)
                return;
        if (cam_camera_get_state(c->cam) == CAM_CAMERA_STREAMING) {
                if (watch_source(c) >= 0)
                        set_state(c, LSD_CAMERA_STREAMING, 0);
        } else {
                c->io = sd_event_source_disable_unref(c->io);
                set_state(c, LSD_CAMERA_DISCONNECTED, -ENODEV);
        }
}

int lsd_camera_new(struct lsd_daemon *d, const char *id, struct lsd_camera **ret) {
        struct face_tracker_params tp = { .min_iou = 0.3f, .max_missed = 5, .window_ns = 3000000000ULL };
        struct lsd_camera *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        c->d = d;
        c->state = LSD_CAMERA_DISCONNECTED;
        c->io_fd = -EBADF;
        c->id = strdup(id);
        c->spec = strdup(d->cfg.camera_device ?: "/dev/video0");
        if (!c->id || !c->spec || asprintf(&c->path, LSD_OBJECT_ROOT "/camera/%s", id) < 0) {
                lsd_camera_free(c);
                return -ENOMEM;
        }
        c->is_file = strncmp(c->spec, "file:", 5) == 0;
        r = face_tracker_new(&tp, &c->tracker);
        if (r < 0) {
                lsd_camera_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

struct lsd_camera *lsd_camera_free(struct lsd_camera *c) {
        if (!c)
                return NULL;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->reopen);
        cam_monitor_free(c->monitor);
        cam_source_free(c->file);
        cam_camera_free(c->cam);
        face_tracker_free(c->tracker);
        free(c->id);
        free(c->path);
        free(c->spec);
        free(c);
        return NULL;
}

int lsd_camera_start(struct lsd_camera *c) {
        struct lsd_daemon *d = c->d;
        int r;

        if (c->is_file) {
                struct cam_file_source_params p = {
                        .path = c->spec + 5, .paced = true, .loop = d->cfg.loop, .n_buffers = d->cfg.buffers,
                };
                r = cam_file_source_new(&p, &c->file);
                if (r < 0) {
                        set_state(c, LSD_CAMERA_ERROR, r);
                        return 0;       /* not fatal: the service runs and reports it */
                }
                snprintf(c->card, sizeof(c->card), "Y4M file");
                r = watch_source(c);
                if (r < 0)
                        return r;
                c->state = LSD_CAMERA_STOPPED;  /* force the transition to be logged */
                set_state(c, LSD_CAMERA_STREAMING, 0);
                return 0;
        }

        struct cam_camera_params p = {
                .device = c->spec,
                .format = { .width = d->cfg.width, .height = d->cfg.height, .fps_num = d->cfg.fps, .fps_den = 1,
                            .fourccs = d->cfg.n_fourccs ? d->cfg.fourccs : NULL, .n_fourccs = d->cfg.n_fourccs },
                .stream = { .n_buffers = d->cfg.buffers },
        };
        r = cam_camera_new(&p, &c->cam);
        if (r < 0)
                return r;
        r = cam_monitor_new(d->event, on_hotplug, c, &c->monitor);
        if (r < 0)
                log_warning_errno(&d->log, r, "No hotplug events (%m); polling for the camera instead");
        r = sd_event_add_time_relative(d->event, &c->reopen, CLOCK_MONOTONIC, REOPEN_INTERVAL_USEC, 0,
                                       on_reopen_timer, c);
        if (r >= 0)     /* a repeating timer: on_reopen_timer moves its time on */
                r = sd_event_source_set_enabled(c->reopen, SD_EVENT_ON);
        if (r < 0)
                return r;
        r = cam_camera_start(c->cam);
        if (r < 0) {
                /* A missing camera is not fatal: report it and wait for it. */
                c->state = LSD_CAMERA_STREAMING;
                set_state(c, LSD_CAMERA_DISCONNECTED, r);
                return 0;
        }
        r = watch_source(c);
        if (r < 0)
                return r;
        c->state = LSD_CAMERA_DISCONNECTED;
        set_state(c, LSD_CAMERA_STREAMING, 0);
        return 0;
}

void lsd_camera_get_info(const struct lsd_camera *c, struct lsd_camera_info *ret) {
        struct cam_source_stats st = { 0 };
        struct cam_source_info si = { 0 };
        struct cam_source *s = current_source((struct lsd_camera *) c);

        *ret = (struct lsd_camera_info) {
                .id = c->id, .path = c->path, .node = c->spec, .card = c->card, .state = c->state,
                .faces_in_view = c->faces_in_view,
        };
        if (c->is_file && c->file)
                cam_source_get_stats(c->file, &st);
        else if (c->cam)
                cam_camera_get_stats(c->cam, &st);
        if (s) {
                cam_source_get_info(s, &si);
                ret->fourcc = si.fourcc;
                ret->width = si.width;
                ret->height = si.height;
                ret->fps = si.fps_den ? si.fps_num / si.fps_den : 0;
        }
        if (c->cam && cam_camera_get_node(c->cam))
                ret->node = cam_camera_get_node(c->cam);
        ret->captured = st.frames;
        ret->dropped = st.dropped;
        /* Two different costs: the source converting pixels, and the backend importing them. */
        ret->bytes_converted = st.bytes_copied;
        ret->import_path = face_pipeline_import_path(c->d->pipeline, &ret->import_bytes_copied) ?: "host";
}
