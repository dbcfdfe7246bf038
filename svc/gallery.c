/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "svc/gallery.h"

#define GALLERY_ID_MAX 255

struct lsd_gallery {
        size_t dim, n, cap, max;
        float *rows;            /* n * dim, contiguous */
        char **ids;
        uint64_t *expires;
};

int lsd_gallery_new(size_t dim, size_t max_entries, struct lsd_gallery **ret) {
        if (dim == 0 || max_entries == 0)
                return -EINVAL;
        struct lsd_gallery *g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->dim = dim;
        g->max = max_entries;
        *ret = g;
        return 0;
}

void lsd_gallery_clear(struct lsd_gallery *g) {
        if (g->rows)
                explicit_bzero(g->rows, g->n * g->dim * sizeof(float));
        for (size_t i = 0; i < g->n; i++)
                free(g->ids[i]);
        g->n = 0;
}

struct lsd_gallery *lsd_gallery_free(struct lsd_gallery *g) {
        if (!g)
                return NULL;
        lsd_gallery_clear(g);
        free(g->rows);
        free(g->ids);
        free(g->expires);
        free(g);
        return NULL;
}

static ssize_t find(const struct lsd_gallery *g, const char *id) {
        for (size_t i = 0; i < g->n; i++)
                if (streq(g->ids[i], id))
                        return (ssize_t) i;
        return -ENOENT;
}

static int grow(struct lsd_gallery *g) {
        size_t cap = g->cap ? g->cap * 2 : 64, bytes;
        if (!size_mul_ok(cap, g->dim * sizeof(float), &bytes))
                return -ENOMEM;
        float *rows = realloc(g->rows, bytes);
        if (!rows)
                return -ENOMEM;
        g->rows = rows;
        char **ids = realloc(g->ids, cap * sizeof(char *));
        if (!ids)
                return -ENOMEM;
        g->ids = ids;
        uint64_t *exp = realloc(g->expires, cap * sizeof(uint64_t));
        if (!exp)
                return -ENOMEM;
        g->expires = exp;
        g->cap = cap;
        return 0;
}

int lsd_gallery_add(struct lsd_gallery *g, const char *id, const float *embedding, uint64_t expires_usec) {
        size_t len = id ? strlen(id) : 0;
        ssize_t i;

        if (len == 0 || len > GALLERY_ID_MAX || !embedding)
                return -EINVAL;
        i = find(g, id);
        if (i < 0) {
                if (g->n >= g->max)
                        return -E2BIG;
                if (g->n == g->cap && grow(g) < 0)
                        return -ENOMEM;
                char *copy = strdup(id);
                if (!copy)
                        return -ENOMEM;
                i = (ssize_t) g->n++;
                g->ids[i] = copy;
        }
        memcpy(g->rows + (size_t) i * g->dim, embedding, g->dim * sizeof(float));
        g->expires[i] = expires_usec;
        return 0;
}

/* Moves the last row into slot i (order does not matter; search sorts by score). */
static void drop(struct lsd_gallery *g, size_t i) {
        size_t last = g->n - 1;
        free(g->ids[i]);
        if (i != last) {
                memcpy(g->rows + i * g->dim, g->rows + last * g->dim, g->dim * sizeof(float));
                g->ids[i] = g->ids[last];
                g->expires[i] = g->expires[last];
        }
        explicit_bzero(g->rows + last * g->dim, g->dim * sizeof(float));
        g->n--;
}

int lsd_gallery_remove(struct lsd_gallery *g, const char *id) {
        ssize_t i = id ? find(g, id) : -ENOENT;
        if (i < 0)
                return (int) i;
        drop(g, (size_t) i);
        return 0;
}

size_t lsd_gallery_expire(struct lsd_gallery *g, uint64_t now_usec) {
        size_t dropped = 0;
        for (size_t i = 0; i < g->n;) {
                if (g->expires[i] <= now_usec) {
                        drop(g, i);
                        dropped++;
                } else
                        i++;
        }
        return dropped;
}

size_t lsd_gallery_count(const struct lsd_gallery *g) {
        return g->n;
}

size_t lsd_gallery_dim(const struct lsd_gallery *g) {
        return g->dim;
}

const char *lsd_gallery_id(const struct lsd_gallery *g, size_t i) {
        return i < g->n ? g->ids[i] : NULL;
}

int lsd_gallery_search(struct lsd_gallery *g, const float *probe, size_t k, struct face_candidate *ret,
                       const char **ret_ids) {
        int n = face_search(g->rows, g->n, g->dim, probe, k, ret);
        for (int i = 0; i < n && ret_ids; i++)
                ret_ids[i] = g->ids[ret[i].index];
        return n;
}
