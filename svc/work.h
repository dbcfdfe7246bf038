/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Slow jobs off the main loop: a few worker threads run a job's run()
 * (decoding an image, analysing it, preparing models); its done() then runs
 * on the main loop, woken through an eventfd, where the bus reply is sent.
 *
 *  Ownership: the caller embeds struct lsd_work in its job and keeps the job
 *  alive until done() has run; done() frees it. Jobs never cancelled: a job
 *  whose caller has gone still runs to its end and done() drops the result.
 *
 *  Threads: lsd_work_queue_new/free and lsd_work_submit: main loop only.
 *  run(): a worker thread. done(): the main loop.
 */

#include <stdbool.h>
#include <systemd/sd-event.h>

struct lsd_work {
        void (*run)(struct lsd_work *w);
        void (*done)(struct lsd_work *w);
        struct lsd_work *next;
};

struct lsd_work_queue;

int lsd_work_queue_new(sd_event *event, unsigned n_threads, struct lsd_work_queue **ret);
/* Waits for the running jobs (shutdown only), then runs done() of every finished or queued job. */
struct lsd_work_queue *lsd_work_queue_free(struct lsd_work_queue *q);
void lsd_work_submit(struct lsd_work_queue *q, struct lsd_work *w);
