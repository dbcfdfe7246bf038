/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lanesightd's process-wide state. One struct, owned by main(), passed to
 * every part; nothing global. Everything runs on the sd-event main loop
 * (one thread): bus calls, frames, timers and signals never race.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "face/pipeline.h"
#include "svc/config.h"
#include "svc/log.h"

#define LSD_BUS_NAME "org.lanesight.Lanesight1"
#define LSD_OBJECT_ROOT "/org/lanesight/Lanesight1"
#define LSD_IFACE_MANAGER LSD_BUS_NAME ".Manager"
#define LSD_IFACE_CAMERA LSD_BUS_NAME ".Camera"
#define LSD_IFACE_SESSION LSD_BUS_NAME ".Session"
#define LSD_IFACE_GALLERY LSD_BUS_NAME ".Gallery"
#define LSD_CALLER_GROUP "lanesight"
#define LSD_IMAGE_MAX_BYTES (16u << 20)

struct lsd_camera;
struct lsd_session;
struct lsd_gallery;

struct lsd_daemon {
        struct lsd_log log;
        const char *config_path;
        struct lsd_config cfg;
        sd_event *event;
        sd_bus *bus;

        struct face_pipeline *pipeline;
        char backend[16];               /* the backend in use */
        struct lsd_camera *camera;      /* one camera per lane PC today; the API allows several */
        struct lsd_gallery *gallery;
        struct lsd_session *sessions;   /* linked list */
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

/* Updates STATUS= for systemd now. */
void lsd_daemon_update_status(struct lsd_daemon *d);
