/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The 1:N gallery (e.g. a flight manifest): templates by id, in memory only,
 * each with an expiry; expired entries are purged (explicit_bzero) by a
 * timer and before every search. Contiguous storage keeps 1:N search over
 * thousands of entries well under a millisecond.
 */

#include <stddef.h>
#include <stdint.h>

#include "face/match.h"

struct lsd_gallery;

int lsd_gallery_new(size_t dim, size_t max_entries, struct lsd_gallery **ret);
struct lsd_gallery *lsd_gallery_free(struct lsd_gallery *g);

/* Adds or replaces id. -E2BIG when full, -EINVAL for a bad id. */
int lsd_gallery_add(struct lsd_gallery *g, const char *id, const float *embedding, uint64_t expires_usec);
int lsd_gallery_remove(struct lsd_gallery *g, const char *id);   /* -ENOENT */
void lsd_gallery_clear(struct lsd_gallery *g);
/* Drops entries expired at now_usec; returns how many. */
size_t lsd_gallery_expire(struct lsd_gallery *g, uint64_t now_usec);
size_t lsd_gallery_count(const struct lsd_gallery *g);
size_t lsd_gallery_dim(const struct lsd_gallery *g);
/* Top k; ret_ids[i] points into the gallery (valid until the next change). */
int lsd_gallery_search(struct lsd_gallery *g, const float *probe, size_t k, struct face_candidate *ret,
                       const char **ret_ids);
/* The id of entry i, for listing (0 <= i < count). */
const char *lsd_gallery_id(const struct lsd_gallery *g, size_t i);

/* Bus glue (bus-gallery.c). */
struct lsd_daemon;
int lsd_bus_gallery_register(struct lsd_daemon *d);
