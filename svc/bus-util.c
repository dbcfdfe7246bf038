/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <grp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "face/template.h"
#include "svc/bus-util.h"
#include "svc/engine.h"

int lsd_bus_check_caller(sd_bus_message *m, sd_bus_error *ret_error) {
        sd_bus_creds *creds = NULL;
        const gid_t *gids = NULL;
        uid_t uid;
        gid_t gid;
        int r, n;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
                                      SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return sd_bus_error_set_errnof(ret_error, r, "Cannot identify the caller");
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r >= 0 && uid == 0) {
                sd_bus_creds_unref(creds);
                return 0;
        }
        /* getgrnam_r: the group may be added after we started. */
        struct group grp, *res = NULL;
        char buf[4096];
        if (getgrnam_r(LSD_CALLER_GROUP, &grp, buf, sizeof(buf), &res) == 0 && res) {
                if (sd_bus_creds_get_egid(creds, &gid) >= 0 && gid == res->gr_gid) {
                        sd_bus_creds_unref(creds);
                        return 0;
                }
                n = sd_bus_creds_get_supplementary_gids(creds, &gids);
                for (int i = 0; i < n; i++)
                        if (gids[i] == res->gr_gid) {
                                sd_bus_creds_unref(creds);
                                return 0;
                        }
        }
        sd_bus_creds_unref(creds);
        return sd_bus_error_setf(ret_error, LSD_ERROR_ACCESS_DENIED,
                                 "Only root and members of group '%s' may call lanesightd", LSD_CALLER_GROUP);
}

int lsd_bus_read_template(struct lsd_daemon *d, sd_bus_message *m, float *out, sd_bus_error *ret_error) {
        const void *data = NULL;
        size_t size = 0;
        int r;

        r = sd_bus_message_read_array(m, 'y', &data, &size);
        if (r < 0)
                return r;
        size_t dim = lsd_engine_dim(d->engine);
        r = face_template_decode(data, size, lsd_engine_embedder_id(d->engine), dim, out, dim, NULL);
        if (r < 0)
                return sd_bus_error_setf(ret_error, LSD_ERROR_INVALID_TEMPLATE, "Template refused: %s",
                                         r == -EMEDIUMTYPE ? "made by another model" :
                                         r == -ERANGE ? "wrong dimension" :
                                         r == -EPROTONOSUPPORT ? "unknown format version" :
                                         "corrupt, truncated or not normalised");
        return 0;
}

static int append_double(sd_bus_message *m, const char *key, float v) {
        return sd_bus_message_append(m, "{sv}", key, "d", isfinite(v) ? (double) v : 0.0);
}

int lsd_bus_append_quality(sd_bus_message *m, const struct face_analysis *a) {
        const struct face_quality *q = &a->quality;
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        if ((r = append_double(m, "score", q->score)) < 0 ||
            (r = sd_bus_message_append(m, "{sv}", "guidance", "s", face_guidance_to_string(q->guidance))) < 0 ||
            (r = sd_bus_message_append(m, "{sv}", "faces", "u", a->n_faces)) < 0 ||
            (r = append_double(m, "inter_eye_px", q->ied)) < 0 || (r = append_double(m, "yaw_deg", q->yaw)) < 0 ||
            (r = append_double(m, "pitch_deg", q->pitch)) < 0 || (r = append_double(m, "roll_deg", q->roll)) < 0 ||
            (r = append_double(m, "sharpness", q->sharpness)) < 0 ||
            (r = append_double(m, "mean_luma", q->mean)) < 0 ||
            (r = append_double(m, "dynamic_range", q->range)) < 0)
                return r;
        if (a->n_faces > 0 &&
            (r = sd_bus_message_append(m, "{sv}", "box", "(dddd)", (double) a->face.x0, (double) a->face.y0,
                                       (double) a->face.x1, (double) a->face.y1)) < 0)
                return r;
        return sd_bus_message_close_container(m);
}

int lsd_bus_append_template(struct lsd_daemon *d, sd_bus_message *m, const float *embedding) {
        size_t dim = lsd_engine_dim(d->engine), size = face_template_size(dim);
        _cleanup_free_ uint8_t *buf = malloc(size);
        int r;

        if (!buf)
                return -ENOMEM;
        r = face_template_encode(lsd_engine_embedder_id(d->engine), embedding, dim, buf, size);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', buf, size);
        explicit_bzero(buf, size);
        return r;
}
