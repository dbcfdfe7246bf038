/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "face/template.h"
#include "svc/bus-util.h"
#include "svc/engine.h"

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
