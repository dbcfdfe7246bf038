/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <time.h>

#include "common/macro.h"
#include "svc/bus-util.h"
#include "svc/polkit.h"

/* After polkit was found missing, ask again only after this long (it may be started later). */
#define POLKIT_RETRY_USEC (60 * 1000000ULL)
#define POLKIT_TIMEOUT_USEC (25 * 1000000ULL)

struct lsd_auth_query {
        struct lsd_auth_query *next;
        struct lsd_daemon *d;
        sd_bus_message *request;        /* the parked call */
        sd_bus_slot *slot;
        enum lsd_action action;
        bool done;
        int result;                     /* 1 allowed, 0 denied, -ENOENT no polkit, other < 0: polkit failed */
};

static const char *const action_ids[_LSD_ACTION_MAX] = {
        [LSD_ACTION_VERIFY] = "org.lanesight.Lanesight1.verify",
        [LSD_ACTION_MANAGE_GALLERY] = "org.lanesight.Lanesight1.manage-gallery",
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

static void query_free(struct lsd_auth_query *q) {
        struct lsd_daemon *d = q->d;

        for (struct lsd_auth_query **p = &d->auth_queries; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        break;
                }
        sd_bus_slot_unref(q->slot);
        sd_bus_message_unref(q->request);
        free(q);
}

static bool in_group(const gid_t *gids, int n, gid_t egid, const char *name) {
        struct group grp, *res = NULL;
        char buf[4096];

        /* getgrnam_r each time: the group may be added after the service started. */
        if (getgrnam_r(name, &grp, buf, sizeof(buf), &res) != 0 || !res)
                return false;
        if (egid == res->gr_gid)
                return true;
        for (int i = 0; i < n; i++)
                if (gids[i] == res->gr_gid)
                        return true;
        return false;
}

/* Root: 1. Else 0, with the caller's groups for the fallback rule. */
static int caller_is_root(sd_bus_message *m, bool *ret_verify, bool *ret_admin, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const gid_t *gids = NULL;
        uid_t uid;
        gid_t egid = (gid_t) -1;
        int r, n;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
                                      SD_BUS_CREDS_AUGMENT, &creds);
        if (r >= 0)
                r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return sd_bus_error_set_errnof(ret_error, r, "Cannot identify the caller");
        if (uid == 0)
                return 1;
        (void) sd_bus_creds_get_egid(creds, &egid);
        n = sd_bus_creds_get_supplementary_gids(creds, &gids);
        *ret_admin = in_group(gids, MAX(n, 0), egid, LSD_GROUP_ADMIN);
        *ret_verify = *ret_admin || in_group(gids, MAX(n, 0), egid, LSD_GROUP_VERIFY);
        return 0;
}

static int denied(enum lsd_action action, sd_bus_error *ret_error) {
        return sd_bus_error_setf(ret_error, LSD_ERROR_ACCESS_DENIED, "Not authorized for %s (root, group '%s'%s)",
                                 action_ids[action], action == LSD_ACTION_VERIFY ? LSD_GROUP_VERIFY : LSD_GROUP_ADMIN,
                                 action == LSD_ACTION_VERIFY ? " or '" LSD_GROUP_ADMIN "'" : "");
}

/* Without polkit: the rule its default rules file states, applied here. */
static int fallback(enum lsd_action action, bool verify, bool admin, sd_bus_error *ret_error) {
        if (action == LSD_ACTION_VERIFY ? verify : admin)
                return 1;
        return denied(action, ret_error);
}

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        struct lsd_auth_query *q = userdata;
        struct lsd_daemon *d = q->d;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        int authorized = 0, challenge = 0, r;

        q->slot = sd_bus_slot_unref(q->slot);
        if (e) {
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
                        q->result = -ENOENT;
                        if (!d->polkit_missing_since)
                                log_warning(&d->log, "polkit is not on the bus: applying its default rule myself "
                                            "(verify: groups '%s' and '%s'; gallery management: '%s')",
                                            LSD_GROUP_VERIFY, LSD_GROUP_ADMIN, LSD_GROUP_ADMIN);
                        d->polkit_missing_since = now_usec();
                } else {
                        /* A broken polkit denies: failing open would let anyone in. */
                        log_warning(&d->log, "polkit failed (%s: %s): refusing the call", e->name, e->message);
                        q->result = -EIO;
                }
        } else {
                r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
                q->result = r < 0 ? -EBADMSG : authorized ? 1 : 0;
                d->polkit_missing_since = 0;
        }
        q->done = true;
        /* The handler runs again with the same call, and finds this answer. */
        r = sd_bus_enqueue_for_read(d->bus, q->request);
        if (r < 0) {
                (void) sd_bus_reply_method_errnof(q->request, r, "Cannot resume the call: %m");
                query_free(q);
        }
        return 0;
}

int lsd_authorize(struct lsd_daemon *d, sd_bus_message *m, enum lsd_action action, sd_bus_error *ret_error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        bool verify = false, admin = false;
        unsigned pending = 0;
        int r;

        r = caller_is_root(m, &verify, &admin, ret_error);
        if (r != 0)
                return r;
        for (struct lsd_auth_query *q = d->auth_queries; q; q = q->next) {
                if (q->request == m && q->action == action) {
                        if (!q->done)
                                return 0;
                        int result = q->result;
                        query_free(q);
                        if (result == 1)
                                return 1;
                        if (result == 0)
                                return denied(action, ret_error);
                        if (result == -ENOENT)
                                return fallback(action, verify, admin, ret_error);
                        return sd_bus_error_setf(ret_error, LSD_ERROR_ACCESS_DENIED,
                                                 "Cannot check the authorization for %s with polkit",
                                                 action_ids[action]);
                }
                pending++;
        }
        if (d->polkit_missing_since && now_usec() - d->polkit_missing_since < POLKIT_RETRY_USEC)
                return fallback(action, verify, admin, ret_error);
        if (pending >= LSD_AUTH_MAX_PENDING)
                return sd_bus_error_set(ret_error, LSD_ERROR_LIMIT, "Too many authorization checks in flight");

        const char *sender = sd_bus_message_get_sender(m);
        if (!sender)
                return denied(action, ret_error);
        r = sd_bus_message_new_method_call(d->bus, &call, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r >= 0)
                /* subject: the caller's bus name; no details; flags 0: never ask anyone interactively. */
                r = sd_bus_message_append(call, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s", sender,
                                          action_ids[action], 0, 0u, "");
        if (r < 0)
                return r;
        struct lsd_auth_query *q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        *q = (struct lsd_auth_query) { .d = d, .request = sd_bus_message_ref(m), .action = action,
                                       .next = d->auth_queries };
        d->auth_queries = q;
        r = sd_bus_call_async(d->bus, &q->slot, call, on_polkit_reply, q, POLKIT_TIMEOUT_USEC);
        if (r < 0) {
                query_free(q);
                return r;
        }
        return 0;
}

void lsd_authorize_done(struct lsd_daemon *d) {
        while (d->auth_queries)
                query_free(d->auth_queries);
}
