/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "face/match.h"
#include "svc/camera.h"
#include "svc/engine.h"
#include "svc/gallery.h"
#include "svc/message-ids.h"
#include "svc/session.h"

static const char *const state_names[_LSD_SESSION_STATE_MAX] = {
        [LSD_SESSION_IDLE] = "idle",
        [LSD_SESSION_CAPTURING] = "capturing",
        [LSD_SESSION_DONE] = "done",
        [LSD_SESSION_CANCELLED] = "cancelled",
};

const char *lsd_session_state_to_string(enum lsd_session_state s) {
        return s >= 0 && s < _LSD_SESSION_STATE_MAX ? state_names[s] : NULL;
}

/*
 * One bus tracker per peer, however many sessions it holds: each tracker is
 * a match rule on our connection, and dbus-daemon caps them per connection
 * (max_match_rules_per_connection, 512 by default); past the cap it drops
 * the connection and the service would be off the bus.
 */
struct lsd_peer {
        struct lsd_peer *next;
        struct lsd_daemon *d;
        char *name;
        sd_bus_track *track;
        unsigned n_sessions;
};

static struct lsd_peer *peer_free(struct lsd_peer *p) {
        if (!p)
                return NULL;
        sd_bus_track_unref(p->track);
        free(p->name);
        free(p);
        return NULL;
}

static void peer_release(struct lsd_peer *p) {
        if (!p || --p->n_sessions > 0)
                return;
        for (struct lsd_peer **i = &p->d->peers; *i; i = &(*i)->next)
                if (*i == p) {
                        *i = p->next;
                        break;
                }
        peer_free(p);
}

static int on_peer_gone(sd_bus_track *t, void *userdata) {
        struct lsd_peer *p = userdata;
        struct lsd_daemon *d = p->d;

        /* Each ended session releases the peer; the last one frees it. */
        p->n_sessions++;
        for (struct lsd_session *s = d->sessions, *next; s; s = next) {
                next = s->next;
                if (s->peer == p)
                        lsd_session_end(s, "owner left the bus");
        }
        peer_release(p);
        return 0;
}

static int peer_get(struct lsd_daemon *d, const char *name, struct lsd_peer **ret) {
        struct lsd_peer *p;
        int r;

        for (p = d->peers; p; p = p->next)
                if (streq(p->name, name)) {
                        p->n_sessions++;
                        *ret = p;
                        return 0;
                }
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->d = d;
        p->name = strdup(name);
        if (!p->name) {
                peer_free(p);
                return -ENOMEM;
        }
        r = sd_bus_track_new(d->bus, &p->track, on_peer_gone, p);
        if (r >= 0)
                r = sd_bus_track_add_name(p->track, name);
        if (r < 0) {
                peer_free(p);
                return r;
        }
        p->n_sessions = 1;
        p->next = d->peers;
        d->peers = p;
        *ret = p;
        return 0;
}

static void session_free(struct lsd_session *s) {
        if (!s)
                return;
        if (s->reference) {
                explicit_bzero(s->reference, s->dim * sizeof(float));
                free(s->reference);
        }
        peer_release(s->peer);
        sd_event_source_disable_unref(s->timeout);
        free(s->path);
        free(s->owner);
        free(s->camera);
        free(s);
}

void lsd_session_end(struct lsd_session *s, const char *why) {
        struct lsd_daemon *d = s->d;
        char field[64];

        /* Announce first: the fallback vtable finds the object only while it is listed. */
        (void) sd_bus_emit_object_removed(d->bus, s->path);
        for (struct lsd_session **p = &d->sessions; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        snprintf(field, sizeof(field), "LANESIGHT_SESSION=%" PRIu64, s->id);
        log_struct(&d->log, LOG_INFO, 0, LSD_MESSAGE_SESSION_PURGED, LSD_FIELDS(field),
                   "Session %" PRIu64 " ended (%s), its data purged", s->id, why);
        session_free(s);
        lsd_sessions_update_captures(d);
}

static int on_timeout(sd_event_source *es, uint64_t usec, void *userdata) {
        lsd_session_end(userdata, "timed out");
        return 0;
}

unsigned lsd_session_count_owned(struct lsd_daemon *d, const char *owner) {
        unsigned n = 0;
        for (struct lsd_session *s = d->sessions; s; s = s->next)
                n += streq(s->owner, owner);
        return n;
}

unsigned lsd_session_count_user(struct lsd_daemon *d, uid_t uid) {
        unsigned n = 0;
        for (struct lsd_session *s = d->sessions; s; s = s->next)
                n += s->uid == uid;
        return n;
}

unsigned lsd_session_count(struct lsd_daemon *d) {
        unsigned n = 0;
        for (struct lsd_session *s = d->sessions; s; s = s->next)
                n++;
        return n;
}

struct lsd_session *lsd_session_find(struct lsd_daemon *d, const char *path) {
        for (struct lsd_session *s = d->sessions; s; s = s->next)
                if (streq(s->path, path))
                        return s;
        return NULL;
}

int lsd_session_new(struct lsd_daemon *d, const char *owner, const char *camera_path,
                    const struct lsd_session_options *o, struct lsd_session **ret) {
        struct lsd_session *s = calloc(1, sizeof(*s));
        uint64_t now;
        int r;

        if (!s)
                return -ENOMEM;
        s->d = d;
        s->id = ++d->next_session_id;
        s->uid = o->uid;
        s->opt_out = o->opt_out;
        s->identify = o->identify;
        s->min_quality = o->min_quality;
        s->k = o->k;
        s->owner = strdup(owner);
        s->camera = strdup(camera_path);
        if (!s->owner || !s->camera || asprintf(&s->path, LSD_OBJECT_ROOT "/session/%" PRIu64, s->id) < 0) {
                r = -ENOMEM;
                goto fail;
        }
        r = peer_get(d, owner, &s->peer);
        if (r < 0)
                goto fail;
        r = sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        if (r >= 0)
                r = sd_event_add_time(d->event, &s->timeout, CLOCK_MONOTONIC, now + d->cfg.session_timeout_usec,
                                      0, on_timeout, s);
        if (r < 0)
                goto fail;
        s->next = d->sessions;
        d->sessions = s;
        (void) sd_bus_emit_object_added(d->bus, s->path);
        if (s->opt_out) {
                char field[64];
                snprintf(field, sizeof(field), "LANESIGHT_SESSION=%" PRIu64, s->id);
                log_struct(&d->log, LOG_INFO, 0, LSD_MESSAGE_OPT_OUT, LSD_FIELDS(field),
                           "Session %" PRIu64 " opted out: detection and guidance only", s->id);
        }
        *ret = s;
        return 0;
fail:
        session_free(s);
        return r;
}

int lsd_session_set_reference(struct lsd_session *s, const float *embedding, size_t dim) {
        float *copy = malloc(dim * sizeof(float));
        if (!copy)
                return -ENOMEM;
        memcpy(copy, embedding, dim * sizeof(float));
        if (s->reference) {
                explicit_bzero(s->reference, s->dim * sizeof(float));
                free(s->reference);
        }
        s->reference = copy;
        s->dim = dim;
        return 0;
}

int lsd_session_start(struct lsd_session *s) {
        if (s->state == LSD_SESSION_CAPTURING)
                return -EBUSY;
        s->state = LSD_SESSION_CAPTURING;
        lsd_bus_session_emit_changed(s, "State");
        lsd_sessions_update_captures(s->d);
        return 0;
}

void lsd_session_cancel(struct lsd_session *s) {
        s->state = LSD_SESSION_CANCELLED;
        lsd_bus_session_emit_changed(s, "State");
        lsd_sessions_update_captures(s->d);
}

static void finish_capture(struct lsd_session *s, const float *embedding, size_t dim, float quality) {
        struct lsd_daemon *d = s->d;

        (void) lsd_bus_session_emit_captured(s, quality, s->opt_out ? NULL : embedding);
        if (!s->opt_out && s->reference && s->dim == dim) {
                float score = face_cosine(s->reference, embedding, dim);
                (void) lsd_bus_session_emit_verified(s, score, face_verify(score, d->cfg.match_threshold));
        }
        if (!s->opt_out && s->identify) {
                struct face_candidate cand[100];
                const char *ids[100];
                float scores[100];
                size_t k = MIN((size_t) (s->k ?: d->cfg.candidates), ELEMENTSOF(cand));
                uint64_t now = 0;
                (void) sd_event_now(d->event, CLOCK_REALTIME, &now);
                lsd_gallery_expire(d->gallery, now);
                int n = lsd_gallery_search(d->gallery, embedding, k, cand, ids);
                for (int i = 0; i < n; i++)
                        scores[i] = cand[i].score;
                (void) lsd_bus_session_emit_identified(s, ids, scores, n > 0 ? (size_t) n : 0);
        }
        s->state = LSD_SESSION_DONE;
        lsd_bus_session_emit_changed(s, "State");
}

void lsd_sessions_update_captures(struct lsd_daemon *d) {
        float min_quality = 100.0f;
        bool want = false;

        if (!d->camera)
                return;
        for (struct lsd_session *s = d->sessions; s; s = s->next)
                if (s->state == LSD_SESSION_CAPTURING && !s->opt_out &&
                    streq(s->camera, lsd_camera_path(d->camera))) {
                        want = true;
                        min_quality = MIN(min_quality, s->min_quality);
                }
        lsd_camera_want_captures(d->camera, want, min_quality);
}

void lsd_sessions_on_frame(struct lsd_daemon *d, const char *camera_path, const struct lsd_frame_result *res) {
        const struct face_quality *q = &res->quality;

        for (struct lsd_session *s = d->sessions; s; s = s->next) {
                if (s->state != LSD_SESSION_CAPTURING || !streq(s->camera, camera_path))
                        continue;
                (void) lsd_bus_session_emit_progress(s, q->guidance, q->score);
                if (res->n_faces != 1 || q->guidance != FACE_GUIDANCE_OK || q->score < s->min_quality)
                        continue;
                if (s->opt_out)
                        finish_capture(s, NULL, 0, q->score);
                else if (res->embedding && res->dim == lsd_engine_dim(d->engine))
                        /* One embedding per frame, made by the frame worker, shared by the sessions capturing on it. */
                        finish_capture(s, res->embedding, res->dim, q->score);
                /* else: the worker made none for this frame (asked too late, or the models changed): the next one. */
        }
        lsd_sessions_update_captures(d);
}
