/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The face pipeline as the daemon shares it between threads: the camera's
 * frame worker and the image workers use one pipeline, one at a time, and a
 * reload replaces it while they may still hold the old one.
 *
 *  Ownership: struct lsd_engine owns its face_pipeline. It is reference
 *  counted; the daemon holds one reference to the current engine, every job
 *  that runs on it holds another for its duration. The last unref frees the
 *  pipeline, on whichever thread drops it.
 *
 *  Threads: lsd_engine_ref/unref, lsd_engine_lock/unlock: any thread.
 *  The accessors (dim, embedder id, backend, generation) read fields that
 *  never change after creation: any thread, no lock. Everything that runs
 *  the pipeline (face_pipeline_detect/embed/analyze) happens between
 *  lsd_engine_lock() and lsd_engine_unlock().
 */

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "face/pipeline.h"

struct lsd_engine {
        pthread_mutex_t lock;           /* serialises use of fp */
        unsigned n_ref;                 /* atomic */
        struct face_pipeline *fp;
        uint64_t generation;            /* distinct for every engine of a process: results carry it */
        char backend[16];
};

/* Takes ownership of fp (also on failure). */
int lsd_engine_new(struct face_pipeline *fp, const char *backend, uint64_t generation, struct lsd_engine **ret);
struct lsd_engine *lsd_engine_ref(struct lsd_engine *e);
struct lsd_engine *lsd_engine_unref(struct lsd_engine *e);

/* Blocks until no other thread runs the pipeline: never call from the main loop. */
struct face_pipeline *lsd_engine_lock(struct lsd_engine *e);
void lsd_engine_unlock(struct lsd_engine *e);

static inline size_t lsd_engine_dim(const struct lsd_engine *e) {
        return face_pipeline_embedding_dim(e->fp);
}

static inline const char *lsd_engine_embedder_id(const struct lsd_engine *e) {
        return face_pipeline_embedder_id(e->fp);
}

#include "common/macro.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(struct lsd_engine *, lsd_engine_unref);
