/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lanesightd's process-wide state. One struct, owned by main(), passed to
 * every part; nothing global.
 *
 * Threads: the sd-event main loop serves the bus, timers and signals and
 * owns everything here; it never waits on a frame, the engine, a caller's
 * file descriptor or an image decoder. Each camera's frame worker
 * (camera.h) and the image workers (work.h, analysis.h) run the engine; they
 * reach this struct only through lsd_daemon_get_engine() and the logger
 * (both any thread), and hand their results to the loop.
 */

#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "face/pipeline.h"
#include "face/quality.h"
#include "face/reference.h"
#include "svc/config.h"
#include "svc/log.h"

#define LSD_BUS_NAME "org.lanesight.Lanesight1"
#define LSD_OBJECT_ROOT "/org/lanesight/Lanesight1"
#define LSD_IFACE_MANAGER LSD_BUS_NAME ".Manager"
#define LSD_IFACE_CAMERA LSD_BUS_NAME ".Camera"
#define LSD_IFACE_SESSION LSD_BUS_NAME ".Session"
#define LSD_IFACE_GALLERY LSD_BUS_NAME ".Gallery"
#define LSD_IMAGE_MAX_BYTES (16u << 20)

struct lsd_analysis;
struct lsd_auth_query;
struct lsd_camera;
struct lsd_engine;
struct lsd_gallery;
struct lsd_peer;
struct lsd_session;
struct lsd_work_queue;

struct lsd_daemon {
        struct lsd_log log;
        const char *config_path;
        struct lsd_config cfg;
        sd_event *event;
        sd_bus *bus;

        /* The engine in use; swapped by a reload on the loop, under engine_lock (which guards the pointer only). */
        struct lsd_engine *engine;
        pthread_mutex_t engine_lock;
        uint64_t engine_generation;
        char backend[16];               /* the backend in use */
        /* The quality limits of the configuration, for every path: frames, sessions, reference photos. */
        struct face_quality_params quality;
        struct face_reference_limits reference;     /* what makes a reference photo poor */
        struct lsd_work_queue *work;    /* image analysis, model preparation */
        struct lsd_analysis *analyses;  /* images being read or analysed */
        size_t analysis_buffered;       /* bytes read from pipes and sockets, not yet decoded */
        struct lsd_work *reload_job;    /* models being prepared for a reload */
        bool reload_again;              /* another SIGHUP came while they were */
        struct lsd_camera *camera;      /* one camera per lane PC today; the API allows several */
        struct lsd_gallery *gallery;
        struct lsd_session *sessions;   /* linked list */
        struct lsd_peer *peers;         /* owners of sessions, each tracked once (session.c) */
        struct lsd_auth_query *auth_queries;    /* calls waiting for polkit (polkit.c) */
        uint64_t polkit_missing_since;  /* CLOCK_MONOTONIC µs; 0: polkit answered last time */
        uint64_t next_session_id;

        sd_event_source *status_timer;
        const char *import_path_reported;       /* the last ImportPath announced (a static string) */
        uint64_t watchdog_usec;         /* 0: no watchdog */
        uint64_t watchdog_last_frames;
        bool ready;
};

/* Builds a new pipeline from cfg, with backend fallback (auto: vulkan, opencl, cpu). */
int lsd_daemon_make_pipeline(struct lsd_daemon *d, const struct lsd_config *cfg, struct face_pipeline **ret,
                             char *ret_backend, size_t backend_len);

/* The current engine, with a reference for the caller. Any thread. */
struct lsd_engine *lsd_daemon_get_engine(struct lsd_daemon *d);

/* The quality limits that cfg sets. */
void lsd_config_quality_params(const struct lsd_config *cfg, struct face_quality_params *ret);

/* Updates STATUS= for systemd now. */
void lsd_daemon_update_status(struct lsd_daemon *d);
