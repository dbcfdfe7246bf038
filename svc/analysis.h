/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reference photos passed as file descriptors (ExtractTemplate,
 * SetReferenceImage), read, decoded and analysed without the main loop ever
 * waiting: a pipe or socket is read on the loop as data arrives, under one
 * deadline for the whole image; a regular file (which may sit on a slow
 * file system) is read by a worker; decoding (with a pixel budget checked
 * from the header) and analysis run on a worker, the analysis under the
 * engine's lock, between camera frames. The bus call is answered when the
 * job ends, by the caller's done callback, on the loop.
 *
 * Limits: at most LSD_ANALYSIS_MAX jobs at once, LSD_ANALYSIS_MAX_PER_SENDER
 * per bus peer, and LSD_ANALYSIS_MAX_BUFFERED bytes read from pipes and
 * sockets and not yet decoded; past them a call fails with LimitReached
 * at once.
 *
 * Privacy: image bytes, pixels and embeddings are zeroed before they are
 * freed. Main loop only.
 */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "face/pipeline.h"
#include "svc/daemon.h"

#define LSD_ANALYSIS_MAX 32u
#define LSD_ANALYSIS_MAX_PER_SENDER 4u
#define LSD_ANALYSIS_MAX_BUFFERED (64u << 20)
#define LSD_ANALYSIS_READ_DEADLINE_USEC (5 * 1000000ULL)

struct lsd_analysis_result {
        int error;                      /* 0, or negative errno with error_name and message set */
        const char *error_name;         /* a LSD_ERROR_* name */
        char message[256];
        struct lsd_engine *engine;      /* the engine that analysed it (its embedder made embedding) */
        float *embedding;               /* lsd_engine_dim() floats; NULL without want_embedding or on error */
        struct face_analysis analysis;  /* judged with the daemon's quality limits */
};

/* Runs on the loop when the job ends. m is the call to answer; userdata as given. */
typedef void (*lsd_analysis_done_t)(struct lsd_daemon *d, sd_bus_message *m, const struct lsd_analysis_result *res,
                                    void *userdata);

/*
 * Starts analysing the image behind fd (not taken: it is duplicated) for
 * the call m. Returns 0 when started (done will run and must reply to m),
 * or a negative errno with ret_error set when refused at once (limits, a
 * descriptor that is not a file, pipe or socket).
 */
int lsd_analysis_start(struct lsd_daemon *d, sd_bus_message *m, int fd, bool want_embedding,
                       lsd_analysis_done_t done, void *userdata, sd_bus_error *ret_error);

/* Ends every job still reading (replying an error); called when the daemon stops. */
void lsd_analysis_abort_all(struct lsd_daemon *d);

/* Replies to m with res's error. */
int lsd_analysis_reply_error(sd_bus_message *m, const struct lsd_analysis_result *res);
