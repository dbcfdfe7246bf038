/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.lanesight.Lanesight1.Session: one object per traveler session under
 * /org/lanesight/Lanesight1/session/<id>. Every method is for the owner only;
 * every signal is addressed to the owner only. Logic in session.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "face/template.h"
#include "svc/analysis.h"
#include "svc/bus-util.h"
#include "svc/engine.h"
#include "svc/session.h"

static int find_session(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found,
                        sd_bus_error *error) {
        struct lsd_session *s = lsd_session_find(userdata, path);
        if (!s)
                return 0;
        *found = s;
        return 1;
}

static int enumerate_sessions(sd_bus *bus, const char *prefix, void *userdata, char ***ret_nodes,
                              sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        size_t n = 0;
        for (struct lsd_session *s = d->sessions; s; s = s->next)
                n++;
        char **nodes = calloc(n + 1, sizeof(char *));
        if (!nodes)
                return -ENOMEM;
        n = 0;
        for (struct lsd_session *s = d->sessions; s; s = s->next)
                if (!(nodes[n++] = strdup(s->path))) {
                        for (size_t i = 0; i < n; i++)
                                free(nodes[i]);
                        free(nodes);
                        return -ENOMEM;
                }
        *ret_nodes = nodes;
        return 0;
}

/*
 * Read args → validate → authorize → core → reply. A session's methods are
 * its owner's alone: the owner was authorized (polkit, verify) when it
 * opened the session.
 */
static int check_owner(struct lsd_session *s, sd_bus_message *m, sd_bus_error *error) {
        if (!streq_ptr(sd_bus_message_get_sender(m), s->owner))
                return sd_bus_error_set(error, LSD_ERROR_NOT_OWNER, "This session belongs to another caller");
        return 0;
}

static int method_set_reference(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_session *s = userdata;
        struct lsd_daemon *d = s->d;
        size_t dim = lsd_engine_dim(d->engine);
        _cleanup_free_ float *e = calloc(dim, sizeof(float));
        int r;

        if (!e)
                return -ENOMEM;
        r = check_owner(s, m, error);
        if (r < 0)
                return r;
        if (s->opt_out)
                return sd_bus_error_set(error, LSD_ERROR_OPTED_OUT, "The traveler opted out: no matching");
        r = lsd_bus_read_template(d, m, e, error);
        if (r >= 0)
                r = lsd_session_set_reference(s, e, dim);
        explicit_bzero(e, dim * sizeof(float));
        if (r < 0)
                return r;
        lsd_bus_session_emit_changed(s, "HasReference");
        return sd_bus_reply_method_return(m, NULL);
}

static void reference_analysed(struct lsd_daemon *d, sd_bus_message *m, const struct lsd_analysis_result *res,
                               void *userdata) {
        _cleanup_free_ char *path = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct lsd_session *s = lsd_session_find(d, path);
        int r;

        if (s)
                s->analysing = false;
        if (res->error < 0) {
                (void) lsd_analysis_reply_error(m, res);
                return;
        }
        if (!s) {
                (void) sd_bus_reply_method_errorf(m, LSD_ERROR_BAD_STATE, "The session ended while its reference "
                                                  "photo was analysed");
                return;
        }
        if (res->engine != d->engine) {
                (void) sd_bus_reply_method_errorf(m, LSD_ERROR_ENGINE, "The face models changed during the analysis, "
                                                  "try again");
                return;
        }
        r = lsd_session_set_reference(s, res->embedding, lsd_engine_dim(res->engine));
        if (r < 0) {
                (void) sd_bus_reply_method_errnof(m, r, "Cannot keep the reference: %m");
                return;
        }
        lsd_bus_session_emit_changed(s, "HasReference");
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = lsd_bus_append_quality(reply, &res->analysis);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        if (r < 0)
                (void) sd_bus_reply_method_errnof(m, r, "Cannot answer: %m");
}

/* Answered when the photo has been read, decoded and analysed (analysis.h): the loop does not wait for it. */
static int method_set_reference_image(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_session *s = userdata;
        char *path;
        int fd, r;

        r = sd_bus_message_read(m, "h", &fd);
        if (r < 0)
                return r;
        r = check_owner(s, m, error);
        if (r < 0)
                return r;
        if (s->opt_out)
                return sd_bus_error_set(error, LSD_ERROR_OPTED_OUT, "The traveler opted out: no matching");
        if (s->analysing)
                return sd_bus_error_set(error, LSD_ERROR_BAD_STATE, "A reference photo is already being analysed");
        path = strdup(s->path);
        if (!path)
                return -ENOMEM;
        r = lsd_analysis_start(s->d, m, fd, true, reference_analysed, path, error);
        if (r < 0) {
                free(path);
                return r;
        }
        s->analysing = true;
        return 1;       /* handled, the reply comes later */
}

static int method_start(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_session *s = userdata;
        int r = check_owner(s, m, error);
        if (r < 0)
                return r;
        r = lsd_session_start(s);
        if (r == -EBUSY)
                return sd_bus_error_set(error, LSD_ERROR_BAD_STATE, "The session is already capturing");
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_cancel(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_session *s = userdata;
        int r = check_owner(s, m, error);
        if (r < 0)
                return r;
        lsd_session_cancel(s);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_close(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_session *s = userdata;
        int r = check_owner(s, m, error);
        if (r < 0)
                return r;
        /* Reply first: the object is gone afterwards. */
        r = sd_bus_reply_method_return(m, NULL);
        lsd_session_end(s, "closed by its owner");
        return r;
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        struct lsd_session *s = userdata;
        if (streq(property, "Id"))
                return sd_bus_message_append(reply, "t", s->id);
        if (streq(property, "Camera"))
                return sd_bus_message_append(reply, "o", s->camera);
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", lsd_session_state_to_string(s->state));
        if (streq(property, "OptOut"))
                return sd_bus_message_append(reply, "b", s->opt_out);
        if (streq(property, "HasReference"))
                return sd_bus_message_append(reply, "b", s->reference != NULL);
        return -ENOENT;
}

static const sd_bus_vtable session_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Camera", "o", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("OptOut", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("HasReference", "b", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_NAMES("SetReference", "ay", SD_BUS_PARAM(template), "", , method_set_reference,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("SetReferenceImage", "h", SD_BUS_PARAM(image), "a{sv}", SD_BUS_PARAM(quality),
                                 method_set_reference_image, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Start", "", "", method_start, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Cancel", "", "", method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Close", "", "", method_close, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_NAMES("Progress", "sd", SD_BUS_PARAM(guidance) SD_BUS_PARAM(quality), 0),
        SD_BUS_SIGNAL_WITH_NAMES("Captured", "day", SD_BUS_PARAM(quality) SD_BUS_PARAM(template), 0),
        SD_BUS_SIGNAL_WITH_NAMES("Verified", "db", SD_BUS_PARAM(score) SD_BUS_PARAM(match), 0),
        SD_BUS_SIGNAL_WITH_NAMES("Identified", "a(sd)", SD_BUS_PARAM(candidates), 0),
        SD_BUS_VTABLE_END
};

int lsd_bus_session_register(struct lsd_daemon *d) {
        int r = sd_bus_add_fallback_vtable(d->bus, NULL, LSD_OBJECT_ROOT "/session", LSD_IFACE_SESSION,
                                           session_vtable, find_session, d);
        if (r < 0)
                return r;
        return sd_bus_add_node_enumerator(d->bus, NULL, LSD_OBJECT_ROOT "/session", enumerate_sessions, d);
}

void lsd_bus_session_emit_changed(struct lsd_session *s, const char *property) {
        (void) sd_bus_emit_properties_changed(s->d->bus, s->path, LSD_IFACE_SESSION, property, NULL);
}

/* A signal addressed to the session's owner: the bus delivers it to that peer only. */
static int new_unicast(struct lsd_session *s, const char *member, sd_bus_message **ret) {
        int r = sd_bus_message_new_signal(s->d->bus, ret, s->path, LSD_IFACE_SESSION, member);
        if (r < 0)
                return r;
        return sd_bus_message_set_destination(*ret, s->owner);
}

static int send_and_free(struct lsd_session *s, sd_bus_message *m, int r) {
        if (r >= 0)
                r = sd_bus_send(s->d->bus, m, NULL);
        sd_bus_message_unref(m);
        return r;
}

int lsd_bus_session_emit_progress(struct lsd_session *s, enum face_guidance g, float quality) {
        sd_bus_message *m = NULL;
        int r = new_unicast(s, "Progress", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "sd", face_guidance_to_string(g), (double) quality);
        return send_and_free(s, m, r);
}

int lsd_bus_session_emit_captured(struct lsd_session *s, float quality, const float *embedding) {
        sd_bus_message *m = NULL;
        int r = new_unicast(s, "Captured", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "d", (double) quality);
        if (r >= 0)
                r = embedding ? lsd_bus_append_template(s->d, m, embedding) : sd_bus_message_append_array(m, 'y', NULL, 0);
        return send_and_free(s, m, r);
}

int lsd_bus_session_emit_verified(struct lsd_session *s, float score, bool match) {
        sd_bus_message *m = NULL;
        int r = new_unicast(s, "Verified", &m);
        if (r >= 0)
                r = sd_bus_message_append(m, "db", (double) score, (int) match);
        return send_and_free(s, m, r);
}

int lsd_bus_session_emit_identified(struct lsd_session *s, const char *const *ids, const float *scores, size_t n) {
        sd_bus_message *m = NULL;
        int r = new_unicast(s, "Identified", &m);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sd)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(m, "(sd)", ids[i], (double) scores[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return send_and_free(s, m, r);
}
