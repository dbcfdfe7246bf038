/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A traveler session: one transaction at the booth, owned by the bus name
 * that opened it (fprintd's claim model). It ends when its owner closes it,
 * leaves the bus (sd_bus_track), or on timeout; ending purges every
 * image-derived value it held (explicit_bzero, then free). Its results are
 * signals sent to the owner only, never broadcast.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "face/detect.h"
#include "face/quality.h"
#include "svc/daemon.h"

enum lsd_session_state {
        LSD_SESSION_IDLE,               /* opened, not started */
        LSD_SESSION_CAPTURING,          /* looking for a good capture */
        LSD_SESSION_DONE,               /* captured (and verified/identified) */
        LSD_SESSION_CANCELLED,
        _LSD_SESSION_STATE_MAX,
        _LSD_SESSION_STATE_INVALID = -22,
};

const char *lsd_session_state_to_string(enum lsd_session_state s);

struct lsd_session {
        struct lsd_session *next;
        struct lsd_daemon *d;
        uint64_t id;
        char *path;                     /* /org/lanesight/Lanesight1/session/<id> */
        char *owner;                    /* unique bus name */
        uid_t uid;                      /* the owner's user */
        char *camera;                   /* camera object path */
        struct lsd_peer *peer;          /* the owner's bus tracker, shared by its sessions */
        sd_event_source *timeout;
        enum lsd_session_state state;
        bool opt_out, identify;
        bool analysing;                 /* a reference photo is being analysed */
        float min_quality;              /* capture when the quality score reaches this */
        float *reference;               /* NULL or dim floats */
        size_t dim;
        unsigned k;
};

struct lsd_session_options {
        uid_t uid;                      /* the owner's user */
        bool opt_out, identify;
        float min_quality;
        unsigned k;
};

int lsd_session_new(struct lsd_daemon *d, const char *owner, const char *camera_path,
                    const struct lsd_session_options *o, struct lsd_session **ret);
/* Ends the session: purge, unexport, free. Safe from any callback. */
void lsd_session_end(struct lsd_session *s, const char *why);
struct lsd_session *lsd_session_find(struct lsd_daemon *d, const char *path);
unsigned lsd_session_count_owned(struct lsd_daemon *d, const char *owner);
unsigned lsd_session_count_user(struct lsd_daemon *d, uid_t uid);
unsigned lsd_session_count(struct lsd_daemon *d);
int lsd_session_set_reference(struct lsd_session *s, const float *embedding, size_t dim);
int lsd_session_start(struct lsd_session *s);
void lsd_session_cancel(struct lsd_session *s);

struct lsd_frame_result;
/* A frame of camera_path processed by its worker: progress, and captures for the sessions it satisfies. */
void lsd_sessions_on_frame(struct lsd_daemon *d, const char *camera_path, const struct lsd_frame_result *res);
/* Tells the cameras whether a session waits for a capture (the worker then computes embeddings). */
void lsd_sessions_update_captures(struct lsd_daemon *d);

/* Bus glue (bus-session.c): signals go to the session's owner only. */
int lsd_bus_session_register(struct lsd_daemon *d);
int lsd_bus_session_emit_progress(struct lsd_session *s, enum face_guidance g, float quality);
int lsd_bus_session_emit_captured(struct lsd_session *s, float quality, const float *embedding);
int lsd_bus_session_emit_verified(struct lsd_session *s, float score, bool match);
int lsd_bus_session_emit_identified(struct lsd_session *s, const char *const *ids, const float *scores, size_t n);
void lsd_bus_session_emit_changed(struct lsd_session *s, const char *property);
