/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesightd's life cycle: configuration, pipeline (with backend fallback),
 * bus objects, camera, the sd_notify protocol (READY, STATUS, WATCHDOG,
 * RELOADING, STOPPING) and signals. main() is in main.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/videodev2.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "common/macro.h"
#include "svc/analysis.h"
#include "svc/camera.h"
#include "svc/daemon-run.h"
#include "svc/engine.h"
#include "svc/gallery.h"
#include "svc/message-ids.h"
#include "svc/polkit.h"
#include "svc/session.h"
#include "svc/work.h"

#define STATUS_INTERVAL_USEC (2 * 1000000ULL)
/* Image decoding and analysis, model preparation: the engine itself runs one job at a time. */
#define WORK_THREADS 2

int lsd_bus_manager_register(struct lsd_daemon *d);

static char *model_path(const struct lsd_config *cfg, const char *id) {
        char *p = NULL;
        if (strchr(id, '/'))
                return strdup(id);
        if (asprintf(&p, "%s/%s.onnx", cfg->model_directory, id) < 0)
                return NULL;
        return p;
}

int lsd_daemon_make_pipeline(struct lsd_daemon *d, const struct lsd_config *cfg, struct face_pipeline **ret,
                             char *ret_backend, size_t backend_len) {
        static const char *const auto_order[] = { "vulkan", "opencl", "cpu" };
        _cleanup_free_ char *det = model_path(cfg, cfg->detector), *emb = model_path(cfg, cfg->embedder);
        struct face_pipeline_params p;
        char id[64], err[512];
        const char *only = NULL;
        int r = -ENODEV;

        if (!det || !emb)
                return -ENOMEM;
        face_pipeline_params_default(&p);
        if (cfg->embedder_id)
                snprintf(id, sizeof(id), "%s", cfg->embedder_id);
        else {
                const char *base = strrchr(cfg->embedder, '/') ? strrchr(cfg->embedder, '/') + 1 : cfg->embedder;
                snprintf(id, sizeof(id), "%.*s", (int) strcspn(base, "."), base);
        }
        p.detector_path = det;
        p.embedder_path = emb;
        p.embedder_id = id;
        p.device = cfg->backend_device;
        p.embedder_order = cfg->embedder_bgr ? GPU_PRE_BGR : GPU_PRE_RGB;
        p.embedder_mean = cfg->embedder_mean;
        p.embedder_scale = 1.0f / cfg->embedder_std;
        p.n_threads = cfg->threads;
        p.score_threshold = cfg->detection_threshold;
        lsd_config_quality_params(cfg, &p.quality);
        if (cfg->backend != LSD_BACKEND_AUTO)
                only = lsd_backend_to_string(cfg->backend);

        for (size_t i = 0; i < ELEMENTSOF(auto_order); i++) {
                if (only && !streq(only, auto_order[i]))
                        continue;
                p.backend = auto_order[i];
                /*
                 * Automatic choice: a GPU backend only on a real GPU. On a CPU
                 * implementation (lavapipe, PoCL) the CPU backend is 20 to 100
                 * times faster.
                 */
                if (!only && !cfg->backend_device && !streq(auto_order[i], "cpu"))
                        p.device = "gpu";
                else
                        p.device = cfg->backend_device;
                err[0] = 0;
                r = face_pipeline_new(&p, ret, err, sizeof(err));
                if (r >= 0) {
                        snprintf(ret_backend, backend_len, "%s", auto_order[i]);
                        return 0;
                }
                if (r == -ENOENT || r == -EBADMSG || r == -EOPNOTSUPP || r == -EINVAL)
                        break;  /* the models are at fault, not the backend: no point in trying others */
                char field[64];
                snprintf(field, sizeof(field), "LANESIGHT_BACKEND=%s", auto_order[i]);
                log_struct(&d->log, only ? LOG_ERR : LOG_WARNING, r, LSD_MESSAGE_GPU_FALLBACK, LSD_FIELDS(field),
                           "Backend '%s' unavailable (%s)%s", auto_order[i], err,
                           only ? "" : ", trying the next one");
        }
        if (err[0])
                log_error_errno(&d->log, r, "Cannot prepare the face models: %s", err);
        return r;
}

struct lsd_engine *lsd_daemon_get_engine(struct lsd_daemon *d) {
        pthread_mutex_lock(&d->engine_lock);
        struct lsd_engine *e = lsd_engine_ref(d->engine);
        pthread_mutex_unlock(&d->engine_lock);
        return e;
}

void lsd_config_quality_params(const struct lsd_config *cfg, struct face_quality_params *ret) {
        face_quality_params_default(ret);
        ret->min_ied = cfg->min_inter_eye;
        ret->max_ied = cfg->max_inter_eye;
        ret->max_yaw = cfg->max_yaw;
        ret->max_pitch = cfg->max_pitch;
        ret->max_roll = cfg->max_roll;
        ret->min_sharpness = cfg->min_sharpness;
}

/* Installs a new engine for np (taking ownership). Main loop only. */
static int set_engine(struct lsd_daemon *d, struct face_pipeline *np, const char *backend) {
        struct lsd_engine *e = NULL, *old;
        int r = lsd_engine_new(np, backend, ++d->engine_generation, &e);
        if (r < 0)
                return r;
        pthread_mutex_lock(&d->engine_lock);
        old = d->engine;
        d->engine = e;
        pthread_mutex_unlock(&d->engine_lock);
        /* Workers that still run on the old one hold their own reference. */
        lsd_engine_unref(old);
        snprintf(d->backend, sizeof(d->backend), "%s", backend);
        return 0;
}

/* A configuration now in force: what the workers read from it. */
static void apply_config(struct lsd_daemon *d) {
        lsd_config_quality_params(&d->cfg, &d->quality);
        d->reference = (struct face_reference_limits) {
                .min_detection_score = d->cfg.min_reference_detection_score,
                .min_quality = d->cfg.min_reference_quality,
        };
        if (d->camera)
                lsd_camera_apply_config(d->camera);
}

void lsd_daemon_update_status(struct lsd_daemon *d) {
        struct lsd_camera_info ci;
        char fourcc[5] = "";

        if (!d->ready || !d->camera)
                return;
        lsd_camera_get_info(d->camera, &ci);
        for (int k = 0; k < 4 && ci.fourcc; k++)
                fourcc[k] = (char) ((ci.fourcc >> (8 * k)) & 0xff);
        (void) sd_notifyf(false, "STATUS=Camera %s %s%s%s %ux%u@%u, backend %s, import %s, %" PRIu64 " frames, %" PRIu64
                          " dropped, per frame %" PRIu64 " B to the device, %" PRIu64 " B back",
                          ci.node, lsd_camera_state_to_string(ci.state), fourcc[0] ? " " : "", fourcc, ci.width,
                          ci.height, ci.fps, d->backend, ci.import_path, ci.captured, ci.dropped, ci.last_to_device,
                          ci.last_from_device);
}

static int on_status_timer(sd_event_source *es, uint64_t usec, void *userdata) {
        struct lsd_daemon *d = userdata;
        uint64_t now = 0;

        lsd_daemon_update_status(d);
        (void) sd_event_now(d->event, CLOCK_REALTIME, &now);
        if (d->gallery && lsd_gallery_expire(d->gallery, now) > 0)
                (void) sd_bus_emit_properties_changed(d->bus, LSD_OBJECT_ROOT, LSD_IFACE_GALLERY, "Count", NULL);
        if (d->camera) {
                struct lsd_camera_info ci;
                lsd_camera_get_info(d->camera, &ci);
                /* The import path settles with the first frames (and may fall back later): announce changes. */
                if (!streq_ptr(ci.import_path, d->import_path_reported)) {
                        d->import_path_reported = ci.import_path;
                        if (ci.import_path && ci.import_path[0]) {
                                char field[64];
                                snprintf(field, sizeof(field), "LANESIGHT_IMPORT=%s", ci.import_path);
                                log_struct(&d->log, LOG_INFO, 0, LSD_MESSAGE_IMPORT_PATH, LSD_FIELDS(field),
                                           "Frames reach the %s backend through the %s import path", d->backend,
                                           ci.import_path);
                        }
                        (void) sd_bus_emit_properties_changed(d->bus, LSD_OBJECT_ROOT, LSD_IFACE_MANAGER,
                                                              "ImportPath", NULL);
                        (void) sd_bus_emit_properties_changed(d->bus, ci.path, LSD_IFACE_CAMERA, "ImportPath", NULL);
                }
                (void) sd_bus_emit_properties_changed(d->bus, ci.path, LSD_IFACE_CAMERA, "FramesCaptured",
                                                      "FramesDropped", "FramesProcessed", "BytesConverted", "ImportBytesCopied",
                                                      "BytesToDevice", "BytesFromDevice", "FrameBytesToDevice",
                                                      "FrameBytesFromDevice", NULL);
        }
        return sd_event_source_set_time_relative(es, STATUS_INTERVAL_USEC);
}

/*
 * sd-bus closed the connection (dbus-daemon went away, or dropped us after
 * refusing a request): nobody can reach the service any more. Exiting with
 * a failure lets systemd start it again on a fresh connection.
 */
static int on_bus_disconnected(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        log_struct(&d->log, LOG_ERR, -ECONNRESET, LSD_MESSAGE_BUS_LOST, NULL,
                   "Lost the connection to the system bus: exiting so that the service is started again");
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Lost the system bus");
        return sd_event_exit(d->event, -ECONNRESET);
}

static int on_terminate(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        struct lsd_daemon *d = userdata;
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Shutting down");
        log_info(&d->log, "Stopping on %s", strsignal((int) si->ssi_signo));
        return sd_event_exit(d->event, 0);
}

/*
 * Installs the pipeline np (taking ownership). Templates are only
 * comparable within one embedder: when its id or dimension changes, the
 * gallery starts empty and the open sessions end (their references and
 * captures belong to the old model).
 */
static int swap_engine(struct lsd_daemon *d, struct face_pipeline *np, const char *backend) {
        size_t dim = face_pipeline_embedding_dim(np);
        bool same = dim == lsd_engine_dim(d->engine) &&
                    streq(face_pipeline_embedder_id(np), lsd_engine_embedder_id(d->engine));

        if (!same) {
                struct lsd_gallery *g = NULL;
                int r = lsd_gallery_new(dim, d->cfg.gallery_max, &g);
                if (r < 0) {
                        face_pipeline_free(np);
                        return r;
                }
                while (d->sessions)
                        lsd_session_end(d->sessions, "the face models changed");
                lsd_gallery_free(d->gallery);
                d->gallery = g;
                (void) sd_bus_emit_properties_changed(d->bus, LSD_OBJECT_ROOT, LSD_IFACE_GALLERY, "Count", NULL);
        }
        return set_engine(d, np, backend);
}

/* Preparing models takes seconds (minutes for a GPU's first shader build): a worker does it. */
struct reload_job {
        struct lsd_work work;
        struct lsd_daemon *d;
        struct lsd_config cfg;
        struct face_pipeline *fp;
        char backend[16];
        int r;
};

static int on_reload(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata);

static void reload_finished(struct lsd_daemon *d, struct lsd_config *cfg, bool pipeline_changed) {
        lsd_config_done(&d->cfg);
        d->cfg = *cfg;
        d->log.max_level = d->cfg.log_level;
        apply_config(d);
        log_struct(&d->log, LOG_INFO, 0, LSD_MESSAGE_CONFIG_RELOADED, NULL, "Configuration reloaded%s",
                   pipeline_changed ? " (models prepared again)" : "");
        (void) sd_bus_emit_properties_changed(d->bus, LSD_OBJECT_ROOT, LSD_IFACE_MANAGER, "Backend", "Device",
                                              "Models", "MatchThreshold", NULL);
}

static void reload_done(struct lsd_daemon *d) {
        (void) sd_notify(false, "READY=1");
        lsd_daemon_update_status(d);
        if (d->reload_again) {
                d->reload_again = false;
                (void) on_reload(NULL, NULL, d);
        }
}

static void reload_job_run(struct lsd_work *w) {
        struct reload_job *j = (struct reload_job *) w;
        j->r = lsd_daemon_make_pipeline(j->d, &j->cfg, &j->fp, j->backend, sizeof(j->backend));
}

static void reload_job_done(struct lsd_work *w) {
        struct reload_job *j = (struct reload_job *) w;
        struct lsd_daemon *d = j->d;
        int r = j->r;

        d->reload_job = NULL;
        if (r < 0)
                log_struct(&d->log, LOG_ERR, r, LSD_MESSAGE_CONFIG_INVALID, NULL,
                           "New configuration refused (its models cannot be prepared), keeping the running one");
        else {
                r = swap_engine(d, TAKE_PTR(j->fp), j->backend);
                if (r < 0)
                        log_error_errno(&d->log, r, "New configuration refused (%m), keeping the running one");
        }
        if (r >= 0)
                reload_finished(d, &j->cfg, true);
        else
                lsd_config_done(&j->cfg);
        free(j);
        reload_done(d);
}

static int on_reload(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        struct lsd_daemon *d = userdata;
        struct lsd_config cfg;
        char err[512];
        struct timespec ts;
        int r;

        if (d->reload_job) {
                d->reload_again = true;         /* after the one being prepared */
                return 0;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64 "\nSTATUS=Reloading configuration",
                          (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000);
        r = lsd_config_load(d->config_path, false, &cfg, err, sizeof(err));
        if (r < 0) {
                log_struct(&d->log, LOG_ERR, r, LSD_MESSAGE_CONFIG_INVALID, NULL,
                           "New configuration refused, keeping the running one: %s", err);
                reload_done(d);
                return 0;
        }
        /* Models or backend changed: build the new pipeline first, swap only if it works. */
        bool pipeline_changed = cfg.backend != d->cfg.backend || !streq(cfg.detector, d->cfg.detector) ||
                                !streq(cfg.embedder, d->cfg.embedder) ||
                                !streq_ptr(cfg.embedder_id, d->cfg.embedder_id) ||
                                !streq(cfg.model_directory, d->cfg.model_directory) ||
                                !streq_ptr(cfg.backend_device, d->cfg.backend_device) || cfg.threads != d->cfg.threads;
        if (!pipeline_changed) {
                reload_finished(d, &cfg, false);
                reload_done(d);
                return 0;
        }
        struct reload_job *j = calloc(1, sizeof(*j));
        if (!j) {
                log_error_errno(&d->log, -ENOMEM, "New configuration refused (%m), keeping the running one");
                lsd_config_done(&cfg);
                reload_done(d);
                return 0;
        }
        *j = (struct reload_job) { .work = { .run = reload_job_run, .done = reload_job_done }, .d = d, .cfg = cfg };
        d->reload_job = &j->work;
        (void) sd_notify(false, "STATUS=Reloading configuration: preparing the models");
        lsd_work_submit(d->work, &j->work);
        return 0;
}

static int on_watchdog(sd_event_source *es, uint64_t usec, void *userdata) {
        struct lsd_daemon *d = userdata;

        /*
         * Progress means: the main loop got here (it is not wedged), and each
         * camera's worker finished a step and, while streaming, delivered
         * frames within the last half period. A disconnected or finished
         * camera is waiting, not stalled.
         */
        if (!d->camera || lsd_camera_progressing(d->camera, d->watchdog_usec / 2))
                (void) sd_notify(false, "WATCHDOG=1");
        else
                log_struct(&d->log, LOG_WARNING, 0, LSD_MESSAGE_PIPELINE_STALLED, NULL,
                           "No frame processed for %" PRIu64 " ms, withholding the watchdog ping",
                           d->watchdog_usec / 2000);
        return sd_event_source_set_time_relative(es, d->watchdog_usec / 2);
}

int lsd_daemon_run(struct lsd_daemon *d) {
        _cleanup_(sd_event_source_unrefp) sd_event_source *s_term = NULL, *s_int = NULL, *s_hup = NULL, *s_wd = NULL;
        sigset_t mask;
        char field[64];
        int r;

        r = sd_event_default(&d->event);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot create the event loop: %m");
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if ((r = sd_event_add_signal(d->event, &s_term, SIGTERM, on_terminate, d)) < 0 ||
            (r = sd_event_add_signal(d->event, &s_int, SIGINT, on_terminate, d)) < 0 ||
            (r = sd_event_add_signal(d->event, &s_hup, SIGHUP, on_reload, d)) < 0)
                return log_error_errno(&d->log, r, "Cannot watch signals: %m");

        struct face_pipeline *fp = NULL;
        char backend[sizeof(d->backend)];
        r = lsd_daemon_make_pipeline(d, &d->cfg, &fp, backend, sizeof(backend));
        if (r < 0)
                return r;
        r = set_engine(d, fp, backend);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot set up the engine: %m");
        apply_config(d);
        r = lsd_work_queue_new(d->event, WORK_THREADS, &d->work);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot start the worker threads: %m");
        r = lsd_gallery_new(lsd_engine_dim(d->engine), d->cfg.gallery_max, &d->gallery);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot create the gallery: %m");

        r = sd_bus_open_system(&d->bus);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot connect to the system bus: %m");
        r = sd_bus_attach_event(d->bus, d->event, 0);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot attach the bus to the event loop: %m");
        r = sd_bus_match_signal(d->bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                "org.freedesktop.DBus.Local", "Disconnected", on_bus_disconnected, d);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot watch the bus connection: %m");

        r = lsd_camera_new(d, "0", &d->camera);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot set up the camera: %m");
        lsd_camera_apply_config(d->camera);
        if ((r = lsd_bus_manager_register(d)) < 0 || (r = lsd_bus_gallery_register(d)) < 0 ||
            (r = lsd_bus_camera_register(d)) < 0 || (r = lsd_bus_session_register(d)) < 0)
                return log_error_errno(&d->log, r, "Cannot register bus objects: %m");
        r = sd_bus_request_name(d->bus, LSD_BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot own the bus name %s: %m", LSD_BUS_NAME);

        r = lsd_camera_start(d->camera);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot start the camera: %m");

        r = sd_event_add_time_relative(d->event, &d->status_timer, CLOCK_MONOTONIC, STATUS_INTERVAL_USEC, 0,
                                       on_status_timer, d);
        /* Timers are one-shot by default: the callbacks move the time on, ON keeps them firing. */
        if (r >= 0)
                r = sd_event_source_set_enabled(d->status_timer, SD_EVENT_ON);
        if (r < 0)
                return log_error_errno(&d->log, r, "Cannot add a timer: %m");
        if (sd_watchdog_enabled(false, &d->watchdog_usec) > 0) {
                r = sd_event_add_time_relative(d->event, &s_wd, CLOCK_MONOTONIC, d->watchdog_usec / 2, 0,
                                               on_watchdog, d);
                if (r >= 0)
                        r = sd_event_source_set_enabled(s_wd, SD_EVENT_ON);
                if (r < 0)
                        return log_error_errno(&d->log, r, "Cannot add the watchdog timer: %m");
        }

        d->ready = true;
        snprintf(field, sizeof(field), "LANESIGHT_BACKEND=%s", d->backend);
        log_struct(&d->log, LOG_INFO, 0, LSD_MESSAGE_STARTED, LSD_FIELDS(field),
                   "lanesightd %s ready on backend %s", LANESIGHT_VERSION, d->backend);
        (void) sd_notify(false, "READY=1");
        lsd_daemon_update_status(d);

        r = sd_event_loop(d->event);
        if (r == -ECONNRESET)
                return r;       /* logged by on_bus_disconnected() */
        if (r < 0)
                return log_error_errno(&d->log, r, "Event loop failed: %m");
        return 0;
}

void lsd_daemon_done(struct lsd_daemon *d) {
        while (d->sessions)
                lsd_session_end(d->sessions, "service stopping");
        if (d->event)
                lsd_analysis_abort_all(d);
        lsd_authorize_done(d);
        d->status_timer = sd_event_source_disable_unref(d->status_timer);
        /* Waits for the frame and the jobs in hand: the loop is done serving by now. */
        d->camera = lsd_camera_free(d->camera);
        d->work = lsd_work_queue_free(d->work);
        d->gallery = lsd_gallery_free(d->gallery);
        d->engine = lsd_engine_unref(d->engine);
        if (d->bus) {
                sd_bus_flush(d->bus);
                d->bus = sd_bus_flush_close_unref(d->bus);
        }
        d->event = sd_event_unref(d->event);
        lsd_config_done(&d->cfg);
}
