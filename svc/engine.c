/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "svc/engine.h"

int lsd_engine_new(struct face_pipeline *fp, const char *backend, uint64_t generation, struct lsd_engine **ret) {
        struct lsd_engine *e = calloc(1, sizeof(*e));

        if (!e) {
                face_pipeline_free(fp);
                return -ENOMEM;
        }
        pthread_mutex_init(&e->lock, NULL);
        e->n_ref = 1;
        e->fp = fp;
        e->generation = generation;
        snprintf(e->backend, sizeof(e->backend), "%s", backend ?: face_pipeline_backend(fp));
        *ret = e;
        return 0;
}

struct lsd_engine *lsd_engine_ref(struct lsd_engine *e) {
        if (e)
                __atomic_add_fetch(&e->n_ref, 1, __ATOMIC_RELAXED);
        return e;
}

struct lsd_engine *lsd_engine_unref(struct lsd_engine *e) {
        if (!e || __atomic_sub_fetch(&e->n_ref, 1, __ATOMIC_ACQ_REL) > 0)
                return NULL;
        face_pipeline_free(e->fp);
        pthread_mutex_destroy(&e->lock);
        free(e);
        return NULL;
}

struct face_pipeline *lsd_engine_lock(struct lsd_engine *e) {
        pthread_mutex_lock(&e->lock);
        return e->fp;
}

void lsd_engine_unlock(struct lsd_engine *e) {
        pthread_mutex_unlock(&e->lock);
}
