/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <endian.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "common/macro.h"
#include "face/template.h"

int face_l2_normalize(float *v, size_t n) {
        double ss = 0.0;

        for (size_t i = 0; i < n; i++)
                ss += (double) v[i] * v[i];
        if (!(ss > 0.0) || !isfinite(ss))
                return -EDOM;
        float inv = (float) (1.0 / sqrt(ss));
        for (size_t i = 0; i < n; i++)
                v[i] *= inv;
        return 0;
}

size_t face_template_size(size_t dim) {
        return FACE_TEMPLATE_HEADER_SIZE + dim * sizeof(float);
}

static uint32_t fnv1a(uint32_t h, const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                h ^= p[i];
                h *= 16777619u;
        }
        return h;
}

static uint32_t checksum(const uint8_t *buf, size_t dim) {
        uint32_t h = fnv1a(2166136261u, buf, 44);
        return fnv1a(h, buf + FACE_TEMPLATE_HEADER_SIZE, dim * sizeof(float));
}

static void put_u16(uint8_t *p, uint16_t v) { v = htole16(v); memcpy(p, &v, 2); }
static void put_u32(uint8_t *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
static uint16_t get_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return le16toh(v); }
static uint32_t get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }

static void put_f32(uint8_t *p, float f) { uint32_t u; memcpy(&u, &f, 4); put_u32(p, u); }
static float get_f32(const uint8_t *p) { uint32_t u = get_u32(p); float f; memcpy(&f, &u, 4); return f; }

int face_template_encode(const char *model_id, const float *values, size_t dim,
                         void *buf, size_t buf_size) {
        uint8_t *b = buf;
        double ss = 0.0;

        if (!model_id || !values || !buf || dim == 0 || dim > FACE_TEMPLATE_DIM_MAX)
                return -EINVAL;
        size_t idlen = strlen(model_id);
        if (idlen == 0 || idlen >= FACE_TEMPLATE_MODEL_ID_MAX)
                return -EINVAL;
        if (buf_size < face_template_size(dim))
                return -ENOBUFS;
        for (size_t i = 0; i < dim; i++)
                ss += (double) values[i] * values[i];
        if (!(ss > 0.0) || !isfinite(ss))
                return -EDOM;

        memset(b, 0, FACE_TEMPLATE_HEADER_SIZE);
        memcpy(b, FACE_TEMPLATE_MAGIC, 4);
        put_u16(b + 4, FACE_TEMPLATE_VERSION);
        put_u16(b + 6, FACE_TEMPLATE_HEADER_SIZE);
        memcpy(b + 8, model_id, idlen);
        put_u32(b + 40, (uint32_t) dim);
        float inv = (float) (1.0 / sqrt(ss));
        for (size_t i = 0; i < dim; i++)
                put_f32(b + FACE_TEMPLATE_HEADER_SIZE + 4 * i, values[i] * inv);
        put_u32(b + 44, checksum(b, dim));
        return (int) face_template_size(dim);
}

int face_template_decode(const void *buf, size_t size, const char *expected_model,
                         size_t expected_dim, float *ret_values, size_t max_dim,
                         size_t *ret_dim) {
        const uint8_t *b = buf;
        char model[FACE_TEMPLATE_MODEL_ID_MAX + 1] = { 0 };
        double ss = 0.0;

        if (!buf || size < FACE_TEMPLATE_HEADER_SIZE || memcmp(b, FACE_TEMPLATE_MAGIC, 4) != 0)
                return -EBADMSG;
        if (get_u16(b + 4) != FACE_TEMPLATE_VERSION)
                return -EPROTONOSUPPORT;
        if (get_u16(b + 6) != FACE_TEMPLATE_HEADER_SIZE)
                return -EBADMSG;

        size_t dim = get_u32(b + 40);
        if (dim == 0 || dim > FACE_TEMPLATE_DIM_MAX || size != face_template_size(dim))
                return -EBADMSG;
        if (get_u32(b + 44) != checksum(b, dim))
                return -EBADMSG;

        memcpy(model, b + 8, FACE_TEMPLATE_MODEL_ID_MAX);
        if (expected_model && !streq(model, expected_model))
                return -EMEDIUMTYPE;
        if ((expected_dim && dim != expected_dim) || dim > max_dim)
                return -ERANGE;

        for (size_t i = 0; i < dim; i++) {
                float v = get_f32(b + FACE_TEMPLATE_HEADER_SIZE + 4 * i);
                if (!isfinite(v))
                        return -EBADMSG;
                ss += (double) v * v;
        }
        if (fabs(ss - 1.0) > 1e-3)
                return -EBADMSG;
        if (ret_values)
                for (size_t i = 0; i < dim; i++)
                        ret_values[i] = get_f32(b + FACE_TEMPLATE_HEADER_SIZE + 4 * i);
        if (ret_dim)
                *ret_dim = dim;
        return 0;
}
