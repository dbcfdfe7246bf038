/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.lanesight.Lanesight1.Gallery at /org/lanesight/Lanesight1: 1:N in memory. Logic in gallery.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "svc/bus-util.h"
#include "svc/polkit.h"
#include "svc/gallery.h"

static uint64_t now_usec(struct lsd_daemon *d) {
        uint64_t now = 0;
        (void) sd_event_now(d->event, CLOCK_REALTIME, &now);
        return now;
}

static int method_add(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        size_t dim = lsd_gallery_dim(d->gallery);
        _cleanup_free_ float *e = calloc(dim, sizeof(float));
        const char *id;
        uint64_t ttl;
        int r;

        if (!e)
                return -ENOMEM;
        r = sd_bus_message_read(m, "s", &id);
        if (r < 0)
                return r;
        r = lsd_bus_read_template(d, m, e, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "t", &ttl);
        if (r < 0)
                return r;
        r = lsd_authorize(d, m, LSD_ACTION_MANAGE_GALLERY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        if (strlen(id) == 0 || strlen(id) > 255)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "The id must be 1 to 255 bytes");
        if (ttl > 30ULL * 24 * 3600)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "The time to live is at most 30 days");
        uint64_t ttl_usec = ttl ? ttl * 1000000ULL : d->cfg.gallery_ttl_usec;
        r = lsd_gallery_add(d->gallery, id, e, now_usec(d) + ttl_usec);
        explicit_bzero(e, dim * sizeof(float));
        if (r == -E2BIG)
                return sd_bus_error_setf(error, LSD_ERROR_LIMIT, "The gallery is full (%u entries)", d->cfg.gallery_max);
        if (r < 0)
                return r;
        (void) sd_bus_emit_properties_changed(d->bus, LSD_OBJECT_ROOT, LSD_IFACE_GALLERY, "Count", NULL);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_remove(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        const char *id;
        int r = sd_bus_message_read(m, "s", &id);
        if (r < 0)
                return r;
        r = lsd_authorize(d, m, LSD_ACTION_MANAGE_GALLERY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        r = lsd_gallery_remove(d->gallery, id);
        if (r == -ENOENT)
                return sd_bus_error_set(error, LSD_ERROR_NOT_FOUND, "No such gallery entry");
        (void) sd_bus_emit_properties_changed(d->bus, LSD_OBJECT_ROOT, LSD_IFACE_GALLERY, "Count", NULL);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_clear(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        int r = lsd_authorize(d, m, LSD_ACTION_MANAGE_GALLERY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        lsd_gallery_clear(d->gallery);
        (void) sd_bus_emit_properties_changed(d->bus, LSD_OBJECT_ROOT, LSD_IFACE_GALLERY, "Count", NULL);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = lsd_authorize(d, m, LSD_ACTION_MANAGE_GALLERY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        lsd_gallery_expire(d->gallery, now_usec(d));
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < lsd_gallery_count(d->gallery); i++)
                r = sd_bus_message_append(reply, "s", lsd_gallery_id(d->gallery, i));
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        return r;
}

static int method_identify(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        size_t dim = lsd_gallery_dim(d->gallery);
        _cleanup_free_ float *e = calloc(dim, sizeof(float));
        struct face_candidate cand[100];
        const char *ids[100];
        uint32_t k;
        int r, n;

        if (!e)
                return -ENOMEM;
        r = lsd_bus_read_template(d, m, e, error);
        if (r < 0)
                return r;
        r = sd_bus_message_read(m, "u", &k);
        if (r < 0)
                return r;
        r = lsd_authorize(d, m, LSD_ACTION_VERIFY, error);
        if (r <= 0)
                return r < 0 ? r : 1;   /* 1: polkit is asked, the call comes back with its answer */
        if (k < 1 || k > ELEMENTSOF(cand))
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "k must be 1..100");
        lsd_gallery_expire(d->gallery, now_usec(d));
        n = lsd_gallery_search(d->gallery, e, k, cand, ids);
        explicit_bzero(e, dim * sizeof(float));
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sd)");
        for (int i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "(sd)", ids[i], (double) cand[i].score);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        return r;
}

static int property_count(sd_bus *bus, const char *path, const char *interface, const char *property,
                          sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        struct lsd_daemon *d = userdata;
        lsd_gallery_expire(d->gallery, now_usec(d));
        return sd_bus_message_append(reply, "u", (uint32_t) lsd_gallery_count(d->gallery));
}

static const sd_bus_vtable gallery_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Count", "u", property_count, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_NAMES("Add", "sayt", SD_BUS_PARAM(id) SD_BUS_PARAM(template) SD_BUS_PARAM(ttl_seconds),
                                 "", , method_add, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Remove", "s", SD_BUS_PARAM(id), "", , method_remove, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Clear", "", "", method_clear, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("List", "", , "as", SD_BUS_PARAM(ids), method_list, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Identify", "ayu", SD_BUS_PARAM(template) SD_BUS_PARAM(k), "a(sd)",
                                 SD_BUS_PARAM(candidates), method_identify, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

int lsd_bus_gallery_register(struct lsd_daemon *d) {
        return sd_bus_add_object_vtable(d->bus, NULL, LSD_OBJECT_ROOT, LSD_IFACE_GALLERY, gallery_vtable, d);
}
