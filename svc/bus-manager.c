/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.lanesight.Lanesight1.Manager at /org/lanesight/Lanesight1. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "svc/analysis.h"
#include "svc/bus-util.h"
#include "svc/polkit.h"
#include "svc/camera.h"
#include "svc/session.h"

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        struct lsd_camera_info ci = { .import_path = "" };
        int r;

        if (d->camera)
                lsd_camera_get_info(d->camera, &ci);
        if (streq(property, "Version"))
                return sd_bus_message_append(reply, "s", LANESIGHT_VERSION);
        if (streq(property, "Backend"))
                return sd_bus_message_append(reply, "s", d->backend);
        if (streq(property, "Device"))
                return sd_bus_message_append(reply, "s", d->cfg.backend_device ?: "");
        if (streq(property, "ImportPath"))
                return sd_bus_message_append(reply, "s", ci.import_path);
        if (streq(property, "Models"))
                return sd_bus_message_append(reply, "as", 2, d->cfg.detector, d->cfg.embedder);
        if (streq(property, "MatchThreshold"))
                return sd_bus_message_append(reply, "d", (double) d->cfg.match_threshold);
        if (streq(property, "Cameras")) {
                r = sd_bus_message_open_container(reply, 'a', "o");
                if (r >= 0 && d->camera)
                        r = sd_bus_message_append(reply, "o", lsd_camera_path(d->camera));
                return r < 0 ? r : sd_bus_message_close_container(reply);
        }
        return -ENOENT;
}

static int method_get_cameras(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        int r = lsd_authorize(d, m, LSD_ACTION_VERIFY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "o");
        if (r >= 0 && d->camera)
                r = sd_bus_message_append(reply, "o", lsd_camera_path(d->camera));
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        return r;
}

static int read_session_options(sd_bus_message *m, struct lsd_session_options *o, sd_bus_error *error) {
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "opt_out") || streq(key, "identify")) {
                        int b;
                        r = sd_bus_message_read(m, "v", "b", &b);
                        if (r < 0)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be a boolean", key);
                        *(streq(key, "opt_out") ? &o->opt_out : &o->identify) = b;
                } else if (streq(key, "min_quality")) {
                        double q;
                        r = sd_bus_message_read(m, "v", "d", &q);
                        if (r < 0 || !(q >= 0 && q <= 100))
                                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "min_quality must be a double in 0..100");
                        o->min_quality = (float) q;
                } else if (streq(key, "candidates")) {
                        uint32_t k;
                        r = sd_bus_message_read(m, "v", "u", &k);
                        if (r < 0 || k < 1 || k > 100)
                                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "candidates must be a uint32 in 1..100");
                        o->k = k;
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Unknown option '%s'", key);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int method_open_session(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        struct lsd_session_options o = { .min_quality = 60.0f };
        struct lsd_session *s;
        const char *camera;
        int r;

        r = sd_bus_message_read(m, "o", &camera);
        if (r < 0)
                return r;
        r = read_session_options(m, &o, error);
        if (r < 0)
                return r;
        r = lsd_authorize(d, m, LSD_ACTION_VERIFY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        if (!d->camera || !streq(camera, lsd_camera_path(d->camera)))
                return sd_bus_error_setf(error, LSD_ERROR_NO_SUCH_CAMERA, "No camera '%s'", camera);
        const char *sender = sd_bus_message_get_sender(m);
        if (!sender)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Sessions need a bus peer");
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uid_t uid;
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_AUGMENT, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Cannot identify the caller");
        /* Three limits, so that one caller, one user or everyone together cannot exhaust the service. */
        if (lsd_session_count(d) >= d->cfg.max_sessions)
                return sd_bus_error_setf(error, LSD_ERROR_LIMIT, "At most %u sessions at once ([Session] MaxSessions=)",
                                         d->cfg.max_sessions);
        if (lsd_session_count_user(d, uid) >= d->cfg.sessions_per_user)
                return sd_bus_error_setf(error, LSD_ERROR_LIMIT, "At most %u sessions per user ([Session] MaxPerUser=)",
                                         d->cfg.sessions_per_user);
        if (lsd_session_count_owned(d, sender) >= d->cfg.sessions_per_caller)
                return sd_bus_error_setf(error, LSD_ERROR_LIMIT, "At most %u sessions per caller ([Session] MaxPerCaller=)",
                                         d->cfg.sessions_per_caller);
        o.uid = uid;
        r = lsd_session_new(d, sender, camera, &o, &s);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, "o", s->path);
}

static void template_extracted(struct lsd_daemon *d, sd_bus_message *m, const struct lsd_analysis_result *res,
                               void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        if (res->error < 0) {
                (void) lsd_analysis_reply_error(m, res);
                return;
        }
        if (res->engine != d->engine) {
                (void) sd_bus_reply_method_errorf(m, LSD_ERROR_ENGINE, "The face models changed during the analysis, "
                                                  "try again");
                return;
        }
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = lsd_bus_append_template(d, reply, res->embedding);
        if (r >= 0)
                r = lsd_bus_append_quality(reply, &res->analysis);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        if (r < 0)
                (void) sd_bus_reply_method_errnof(m, r, "Cannot send the template: %m");
}

/* Answered when the image has been read, decoded and analysed (analysis.h): the loop does not wait for it. */
static int method_extract_template(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        int fd, r;

        r = sd_bus_message_read(m, "h", &fd);
        if (r < 0)
                return r;
        r = lsd_authorize(d, m, LSD_ACTION_VERIFY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        r = lsd_analysis_start(d, m, fd, true, template_extracted, NULL, error);
        return r < 0 ? r : 1;   /* 1: handled, the reply comes later (0 would make sd-bus answer UnknownMethod) */
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Backend", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Device", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ImportPath", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Models", "as", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MatchThreshold", "d", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Cameras", "ao", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_NAMES("GetCameras", "", , "ao", SD_BUS_PARAM(cameras), method_get_cameras,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("OpenSession", "oa{sv}", SD_BUS_PARAM(camera) SD_BUS_PARAM(options), "o",
                                 SD_BUS_PARAM(session), method_open_session, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ExtractTemplate", "h", SD_BUS_PARAM(image), "aya{sv}",
                                 SD_BUS_PARAM(template) SD_BUS_PARAM(quality), method_extract_template,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

int lsd_bus_manager_register(struct lsd_daemon *d);
int lsd_bus_manager_register(struct lsd_daemon *d) {
        int r = sd_bus_add_object_vtable(d->bus, NULL, LSD_OBJECT_ROOT, LSD_IFACE_MANAGER, manager_vtable, d);
        if (r < 0)
                return r;
        return sd_bus_add_object_manager(d->bus, NULL, LSD_OBJECT_ROOT);
}
