/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/videodev2.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "face/track.h"
#include "svc/camera.h"
#include "svc/engine.h"
#include "svc/message-ids.h"
#include "svc/session.h"
#include "v4l2/camera.h"
#include "v4l2/file-source.h"
#include "v4l2/monitor.h"

#define REOPEN_INTERVAL_USEC (2 * 1000000ULL)
/* How long the worker waits for a frame before it looks at its stop request again. */
#define WORKER_POLL_MSEC 250

/* What the loop tells the worker (under lock). */
struct worker_settings {
        bool roi_set;
        uint32_t roi[4];
        struct face_quality_params quality;
        bool want_captures;
        float capture_min_quality;
};

/* What the worker tells the loop about the source (under lock). */
struct source_snapshot {
        struct cam_source_stats stats;
        struct cam_source_info info;
        char node[64];
        const char *import_path;        /* a static string */
        uint64_t import_bytes_copied;
        uint64_t bytes_to_device, bytes_from_device;    /* moved for this camera's frames */
        uint64_t last_to_device, last_from_device;      /* for its latest frame */
        uint64_t processed, worker_dropped;
};

struct lsd_camera {
        struct lsd_daemon *d;
        char *id, *path, *spec;
        bool is_file;
        /* Owned by the worker while it runs, by the loop otherwise. */
        struct cam_source *file;        /* file:PATH sources */
        struct cam_camera *cam;         /* V4L2 cameras */
        struct face_tracker *tracker;

        /* Main loop only. */
        struct cam_monitor *monitor;
        sd_event_source *reopen, *wake_io;
        enum lsd_camera_state state;
        int frame_error;                /* the last processing failure, logged once until it changes */
        uint32_t faces_in_view;
        uint64_t watchdog_last_frames;
        char card[64];

        /* The worker. */
        pthread_t thread;
        bool thread_running;            /* main loop only: started and not joined */
        int stop_fd, wake_fd;           /* eventfds: loop → worker, worker → loop */
        uint64_t heartbeat_usec;        /* atomic: when the worker last finished a step */

        pthread_mutex_t lock;           /* guards everything below */
        struct worker_settings settings;
        struct source_snapshot snap;
        struct lsd_frame_result result;
        bool result_full;
        uint64_t results_replaced;
        bool worker_ended;
        int end_reason;
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

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void *mfree(void *p) {
        free(p);
        return NULL;
}

static struct cam_source *current_source(struct lsd_camera *c) {
        return c->is_file ? c->file : c->cam ? cam_camera_get_source(c->cam) : NULL;
}

static void result_clear(struct lsd_frame_result *r) {
        if (r->embedding) {
                explicit_bzero(r->embedding, r->dim * sizeof(float));
                free(r->embedding);
        }
        *r = (struct lsd_frame_result) { .chosen = -1 };
}

/* Reads the source's counters into the snapshot: the worker while it runs, the loop otherwise. */
static void snapshot_source(struct lsd_camera *c) {
        struct cam_source_stats st = { 0 };
        struct cam_source_info si = { 0 };
        struct cam_source *s = current_source(c);
        const char *node = c->cam ? cam_camera_get_node(c->cam) : NULL;

        if (c->is_file && c->file)
                cam_source_get_stats(c->file, &st);
        else if (c->cam)
                cam_camera_get_stats(c->cam, &st);
        if (s)
                cam_source_get_info(s, &si);
        pthread_mutex_lock(&c->lock);
        c->snap.stats = st;
        c->snap.info = si;
        snprintf(c->snap.node, sizeof(c->snap.node), "%s", node ?: c->spec);
        pthread_mutex_unlock(&c->lock);
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

/* ------------------------------------------------------------------ the frame worker */

static void process_frame(struct lsd_camera *c, const struct cam_frame *f, struct lsd_frame_result *res) {
        struct worker_settings set;
        struct gpu_pre_roi roi = { 0, 0, f->width, f->height };
        struct face_quality *q = &res->quality;
        struct face_pipeline_transfer t0, t1;
        int n;

        pthread_mutex_lock(&c->lock);
        set = c->settings;
        pthread_mutex_unlock(&c->lock);
        if (set.roi_set && set.roi[0] + set.roi[2] <= f->width && set.roi[1] + set.roi[3] <= f->height)
                roi = (struct gpu_pre_roi) { set.roi[0], set.roi[1], set.roi[2], set.roi[3] };

        *res = (struct lsd_frame_result) {
                .timestamp_ns = f->timestamp_ns, .sequence = f->sequence, .chosen = -1,
                .quality = { .sharpness = NAN, .mean = NAN, .range = NAN },
        };
        _cleanup_(lsd_engine_unrefp) struct lsd_engine *e = lsd_daemon_get_engine(c->d);
        res->engine_generation = e->generation;
        struct face_pipeline *fp = lsd_engine_lock(e);
        /* Under the engine lock nothing else moves data: the difference is this frame's alone. */
        face_pipeline_get_transfer(fp, &t0);
        n = face_pipeline_detect(fp, f, &roi, res->faces, ELEMENTSOF(res->faces));
        if (n < 0) {
                lsd_engine_unlock(e);
                res->error = n;
                return;
        }
        res->n_faces = n;
        q->n_faces = (unsigned) n;
        if (n > 0) {
                float area[4] = { roi.x, roi.y, roi.width, roi.height };
                res->chosen = face_nearest(res->faces, n, area[0] + area[2] / 2, area[1] + area[3] / 2);
                face_quality_geometry(&res->faces[res->chosen], area, f->height, q);
                /* Photometric measures on the aligned face: no embedding unless a session waits for one. */
                (void) face_pipeline_embed(fp, f, &res->faces[res->chosen], NULL, q);
        }
        face_quality_judge(&set.quality, q);
        if (set.want_captures && n == 1 && q->guidance == FACE_GUIDANCE_OK && q->score >= set.capture_min_quality) {
                res->dim = face_pipeline_embedding_dim(fp);
                res->embedding = calloc(res->dim, sizeof(float));
                if (res->embedding && face_pipeline_embed(fp, f, &res->faces[res->chosen], res->embedding, NULL) < 0) {
                        explicit_bzero(res->embedding, res->dim * sizeof(float));
                        res->embedding = mfree(res->embedding);
                }
        }
        face_pipeline_get_transfer(fp, &t1);
        lsd_engine_unlock(e);

        for (int i = 0; i < n; i++)
                res->scores[i] = i == res->chosen ? q->score : 0;
        (void) face_tracker_update(c->tracker, res->faces, n, res->scores, f->timestamp_ns, f->sequence,
                                   res->track_ids, NULL);
        pthread_mutex_lock(&c->lock);
        c->snap.import_path = t1.import_path;
        c->snap.import_bytes_copied = t1.import_bytes_copied;
        c->snap.last_to_device = t1.bytes_to_device - t0.bytes_to_device;
        c->snap.last_from_device = t1.bytes_from_device - t0.bytes_from_device;
        c->snap.bytes_to_device += c->snap.last_to_device;
        c->snap.bytes_from_device += c->snap.last_from_device;
        c->snap.processed += res->error == 0;
        pthread_mutex_unlock(&c->lock);
}

/* Hands a result to the loop: newest wins, but an embedding is never replaced by a frame without one. */
static void post_result(struct lsd_camera *c, struct lsd_frame_result *res) {
        pthread_mutex_lock(&c->lock);
        if (c->result_full && c->result.embedding && !res->embedding) {
                c->results_replaced++;
                result_clear(res);
        } else {
                if (c->result_full) {
                        c->results_replaced++;
                        result_clear(&c->result);
                }
                c->result = *res;
                c->result_full = true;
                *res = (struct lsd_frame_result) { .chosen = -1 };
        }
        pthread_mutex_unlock(&c->lock);
        (void) eventfd_write(c->wake_fd, 1);
}

/*
 * A V4L2 camera's frames go through cam_camera, which tears the stream down
 * and becomes disconnected when the device goes away (the node is closed,
 * the module can be removed); a file source's through the source itself.
 */
static int frame_acquire(struct lsd_camera *c, struct cam_source *s, const struct cam_frame **ret) {
        return c->is_file ? cam_source_acquire(s, 0, ret) : cam_camera_acquire(c->cam, 0, ret);
}

static void frame_release(struct lsd_camera *c, struct cam_source *s, const struct cam_frame *f) {
        (void) (c->is_file ? cam_source_release(s, f) : cam_camera_release(c->cam, f));
}

static bool stream_ended(int r) {
        return r == -EPIPE || r == -ENODEV || r == -EIO || r == -ESHUTDOWN;
}

static bool stop_requested(struct lsd_camera *c) {
        eventfd_t v;
        return eventfd_read(c->stop_fd, &v) == 0;
}

static void *frame_worker(void *userdata) {
        struct lsd_camera *c = userdata;
        struct cam_source *s = current_source(c);
        struct lsd_frame_result res = { .chosen = -1 };
        int end = 0;

        /* A new stream: buffer indices that the engine imported before now name other memory. */
        _cleanup_(lsd_engine_unrefp) struct lsd_engine *e = lsd_daemon_get_engine(c->d);
        face_pipeline_reset_imports(lsd_engine_lock(e));
        lsd_engine_unlock(e);

        for (;;) {
                const struct cam_frame *f = NULL, *newer = NULL;
                struct pollfd p[2] = {
                        { .fd = cam_source_get_fd(s), .events = POLLIN },
                        { .fd = c->stop_fd, .events = POLLIN },
                };
                int r = poll(p, 2, WORKER_POLL_MSEC);

                __atomic_store_n(&c->heartbeat_usec, now_usec(), __ATOMIC_RELAXED);
                if (r < 0 && errno != EINTR) {
                        end = -errno;
                        break;
                }
                if (p[1].revents && stop_requested(c))
                        break;
                if (r <= 0 || !p[0].revents)
                        continue;
                r = frame_acquire(c, s, &f);
                if (r == -ETIMEDOUT || r == -EAGAIN)
                        continue;
                if (stream_ended(r)) {
                        end = r;
                        break;
                }
                if (r < 0)
                        continue;       /* a malformed frame: counted by the source, the stream goes on */
                /* Newest frame wins: anything that queued up while we worked is older news. */
                while ((r = frame_acquire(c, s, &newer)) >= 0) {
                        frame_release(c, s, f);
                        f = newer;
                        pthread_mutex_lock(&c->lock);
                        c->snap.worker_dropped++;
                        pthread_mutex_unlock(&c->lock);
                }
                if (!(f->flags & CAM_FRAME_ERROR)) {
                        process_frame(c, f, &res);
                        post_result(c, &res);
                }
                frame_release(c, s, f);
                snapshot_source(c);
                __atomic_store_n(&c->heartbeat_usec, now_usec(), __ATOMIC_RELAXED);
                if (stream_ended(r)) {          /* the device went while we drained: after this frame */
                        end = r;
                        break;
                }
        }
        snapshot_source(c);
        pthread_mutex_lock(&c->lock);
        c->worker_ended = true;
        c->end_reason = end;
        pthread_mutex_unlock(&c->lock);
        (void) eventfd_write(c->wake_fd, 1);
        return NULL;
}

static int worker_start(struct lsd_camera *c) {
        int r;

        if (c->thread_running)
                return 0;
        if (!current_source(c))
                return -ENODEV;
        c->worker_ended = false;
        c->end_reason = 0;
        __atomic_store_n(&c->heartbeat_usec, now_usec(), __ATOMIC_RELAXED);
        r = -pthread_create(&c->thread, NULL, frame_worker, c);
        if (r < 0)
                return r;
        c->thread_running = true;
        return 0;
}

/* Shutdown only: waits for the frame in hand. */
static void worker_stop(struct lsd_camera *c) {
        if (!c->thread_running)
                return;
        (void) eventfd_write(c->stop_fd, 1);
        pthread_join(c->thread, NULL);
        c->thread_running = false;
}

/* ------------------------------------------------------------------ the loop's side */

static void on_result(struct lsd_camera *c, struct lsd_frame_result *res) {
        struct lsd_daemon *d = c->d;

        if (res->error < 0) {
                /* A failing backend fails every frame: one warning, not one line per frame. */
                if (res->error != c->frame_error)
                        log_warning_errno(&d->log, res->error, "Camera '%s': frame %u not processed: %m "
                                          "(further failures like this one are not logged)", c->spec, res->sequence);
                c->frame_error = res->error;
                return;
        }
        if (c->frame_error) {
                log_info(&d->log, "Camera '%s': frames are processed again", c->spec);
                c->frame_error = 0;
        }
        if (c->faces_in_view != (uint32_t) res->n_faces) {
                c->faces_in_view = (uint32_t) res->n_faces;
                lsd_bus_camera_emit_changed(c, "FacesInView");
        }
        /* An embedding made by an engine that a reload has replaced belongs to the old model. */
        if (res->embedding && res->engine_generation != d->engine->generation) {
                explicit_bzero(res->embedding, res->dim * sizeof(float));
                res->embedding = mfree(res->embedding);
        }
        lsd_bus_camera_emit_frame(c, res->timestamp_ns / 1000, res->sequence, res->quality.guidance, res->faces,
                                  res->track_ids, res->scores, (size_t) res->n_faces);
        lsd_sessions_on_frame(d, c->path, res);
}

static void on_worker_ended(struct lsd_camera *c, int reason) {
        pthread_join(c->thread, NULL);
        c->thread_running = false;
        if (reason == -EPIPE)
                set_state(c, LSD_CAMERA_STOPPED, 0);
        else if (reason < 0)
                set_state(c, c->is_file ? LSD_CAMERA_ERROR : LSD_CAMERA_DISCONNECTED, reason);
        /* The reopen timer (V4L2 cameras) takes it from here. */
}

static int on_wake(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct lsd_camera *c = userdata;
        struct lsd_frame_result res = { .chosen = -1 };
        bool have, ended;
        eventfd_t v;
        int reason;

        (void) eventfd_read(fd, &v);
        pthread_mutex_lock(&c->lock);
        have = c->result_full;
        if (have) {
                res = c->result;
                c->result = (struct lsd_frame_result) { .chosen = -1 };
                c->result_full = false;
        }
        ended = c->worker_ended;
        reason = c->end_reason;
        pthread_mutex_unlock(&c->lock);

        if (have)
                on_result(c, &res);
        result_clear(&res);
        if (ended && c->thread_running)
                on_worker_ended(c, reason);
        return 0;
}

static void start_streaming(struct lsd_camera *c) {
        int r;

        snapshot_source(c);
        r = worker_start(c);
        if (r < 0) {
                log_error_errno(&c->d->log, r, "Camera '%s': cannot start its frame worker: %m", c->spec);
                set_state(c, LSD_CAMERA_ERROR, r);
                return;
        }
        set_state(c, LSD_CAMERA_STREAMING, 0);
}

static int on_reopen_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct lsd_camera *c = userdata;

        if (c->state == LSD_CAMERA_DISCONNECTED && c->cam && !c->thread_running) {
                /* Never opened (missing at start): start; lost later: reopen with the same settings. */
                int r = cam_camera_get_state(c->cam) == CAM_CAMERA_STOPPED ? cam_camera_start(c->cam)
                                                                           : cam_camera_try_reopen(c->cam);
                if (r >= 0 && cam_camera_get_state(c->cam) == CAM_CAMERA_STREAMING)
                        start_streaming(c);
        }
        (void) sd_event_source_set_time_relative(es, REOPEN_INTERVAL_USEC);
        return 0;
}

static void on_hotplug(const struct cam_hotplug_event *ev, void *userdata) {
        struct lsd_camera *c = userdata;

        /* While the worker streams it owns the camera; a removal ends its stream, and it tells us. */
        if (c->thread_running)
                return;
        if (cam_camera_hotplug(c->cam, ev) > 0 && cam_camera_get_state(c->cam) == CAM_CAMERA_STREAMING)
                start_streaming(c);
}

void lsd_camera_apply_config(struct lsd_camera *c) {
        const struct lsd_config *cfg = &c->d->cfg;

        pthread_mutex_lock(&c->lock);
        c->settings.roi_set = cfg->roi_set;
        memcpy(c->settings.roi, cfg->roi, sizeof(c->settings.roi));
        c->settings.quality = c->d->quality;
        pthread_mutex_unlock(&c->lock);
}

void lsd_camera_want_captures(struct lsd_camera *c, bool want, float min_quality) {
        pthread_mutex_lock(&c->lock);
        c->settings.want_captures = want;
        c->settings.capture_min_quality = min_quality;
        pthread_mutex_unlock(&c->lock);
}

bool lsd_camera_progressing(struct lsd_camera *c, uint64_t max_usec) {
        struct lsd_camera_info ci;
        bool ok = true;

        if (c->thread_running && now_usec() - __atomic_load_n(&c->heartbeat_usec, __ATOMIC_RELAXED) > max_usec)
                ok = false;     /* stuck inside one frame (a GPU that never answers) */
        lsd_camera_get_info(c, &ci);
        /* A disconnected or finished camera is waiting, not stalled. */
        if (ci.state == LSD_CAMERA_STREAMING && ci.captured == c->watchdog_last_frames)
                ok = false;
        c->watchdog_last_frames = ci.captured;
        return ok;
}

int lsd_camera_new(struct lsd_daemon *d, const char *id, struct lsd_camera **ret) {
        struct face_tracker_params tp = { .min_iou = 0.3f, .max_missed = 5, .window_ns = 3000000000ULL };
        _cleanup_(lsd_camera_freep) struct lsd_camera *c = calloc(1, sizeof(*c));
        int r;

        if (!c)
                return -ENOMEM;
        c->d = d;
        c->state = LSD_CAMERA_DISCONNECTED;
        pthread_mutex_init(&c->lock, NULL);
        c->result.chosen = -1;
        c->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (c->stop_fd < 0 || c->wake_fd < 0)
                return -errno;
        c->id = strdup(id);
        c->spec = strdup(d->cfg.camera_device ?: "/dev/video0");
        if (!c->id || !c->spec || asprintf(&c->path, LSD_OBJECT_ROOT "/camera/%s", id) < 0)
                return -ENOMEM;
        c->is_file = strncmp(c->spec, "file:", 5) == 0;
        r = face_tracker_new(&tp, &c->tracker);
        if (r < 0)
                return r;
        r = sd_event_add_io(d->event, &c->wake_io, c->wake_fd, EPOLLIN, on_wake, c);
        if (r < 0)
                return r;
        lsd_camera_apply_config(c);
        *ret = TAKE_PTR(c);
        return 0;
}

struct lsd_camera *lsd_camera_free(struct lsd_camera *c) {
        if (!c)
                return NULL;
        worker_stop(c);
        sd_event_source_disable_unref(c->wake_io);
        sd_event_source_disable_unref(c->reopen);
        cam_monitor_free(c->monitor);
        cam_source_free(c->file);
        cam_camera_free(c->cam);
        face_tracker_free(c->tracker);
        result_clear(&c->result);
        safe_close(c->stop_fd);
        safe_close(c->wake_fd);
        pthread_mutex_destroy(&c->lock);
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
                c->state = LSD_CAMERA_STOPPED;  /* force the transition to be logged */
                start_streaming(c);
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
        start_streaming(c);
        return 0;
}

void lsd_camera_get_info(struct lsd_camera *c, struct lsd_camera_info *ret) {
        pthread_mutex_lock(&c->lock);
        *ret = (struct lsd_camera_info) {
                .id = c->id, .path = c->path, .node = c->snap.node[0] ? c->snap.node : c->spec, .card = c->card,
                .state = c->state,
                .faces_in_view = c->faces_in_view,
                .fourcc = c->snap.info.fourcc,
                .width = c->snap.info.width,
                .height = c->snap.info.height,
                .fps = c->snap.info.fps_den ? c->snap.info.fps_num / c->snap.info.fps_den : 0,
                .captured = c->snap.stats.frames,
                /* Frames the worker skipped for newer ones are drops too, never hidden. */
                .dropped = c->snap.stats.dropped + c->snap.worker_dropped,
                .processed = c->snap.processed,
                /* Two different costs: the source converting pixels, and the backend importing them. */
                .bytes_converted = c->snap.stats.bytes_copied,
                .import_path = c->snap.import_path ?: (streq(c->d->backend, "cpu") ? "host" : ""),
                .import_bytes_copied = c->snap.import_bytes_copied,
                .bytes_to_device = c->snap.bytes_to_device,
                .bytes_from_device = c->snap.bytes_from_device,
                .last_to_device = c->snap.last_to_device,
                .last_from_device = c->snap.last_from_device,
        };
        pthread_mutex_unlock(&c->lock);
}
