/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/macro.h"
#include "svc/work.h"

#define MAX_THREADS 8
#define WORKER_NICE 10

struct lsd_work_queue {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        struct lsd_work *queued, **queued_tail;         /* FIFO */
        struct lsd_work *finished;                      /* LIFO, reversed when delivered */
        bool stopping;
        pthread_t threads[MAX_THREADS];
        unsigned n_threads;
        int efd;
        sd_event_source *io;
};

static void *worker(void *userdata) {
        struct lsd_work_queue *q = userdata;

        /* Decoding a caller's image must not take the CPU from frames and the bus: this thread only. */
        (void) setpriority(PRIO_PROCESS, (id_t) gettid(), WORKER_NICE);

        pthread_mutex_lock(&q->lock);
        for (;;) {
                while (!q->queued && !q->stopping)
                        pthread_cond_wait(&q->cond, &q->lock);
                if (!q->queued)
                        break;          /* stopping and nothing left */
                struct lsd_work *w = q->queued;
                q->queued = w->next;
                if (!q->queued)
                        q->queued_tail = &q->queued;
                pthread_mutex_unlock(&q->lock);

                w->run(w);

                pthread_mutex_lock(&q->lock);
                w->next = q->finished;
                q->finished = w;
                (void) eventfd_write(q->efd, 1);
        }
        pthread_mutex_unlock(&q->lock);
        return NULL;
}

static void deliver(struct lsd_work_queue *q) {
        struct lsd_work *list, *rev = NULL;

        pthread_mutex_lock(&q->lock);
        list = q->finished;
        q->finished = NULL;
        pthread_mutex_unlock(&q->lock);
        while (list) {                  /* oldest first */
                struct lsd_work *n = list->next;
                list->next = rev;
                rev = list;
                list = n;
        }
        while (rev) {
                struct lsd_work *n = rev->next;
                rev->done(rev);
                rev = n;
        }
}

static int on_finished(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        eventfd_t v;
        (void) eventfd_read(fd, &v);
        deliver(userdata);
        return 0;
}

int lsd_work_queue_new(sd_event *event, unsigned n_threads, struct lsd_work_queue **ret) {
        struct lsd_work_queue *q = calloc(1, sizeof(*q));
        int r;

        if (!q)
                return -ENOMEM;
        pthread_mutex_init(&q->lock, NULL);
        pthread_cond_init(&q->cond, NULL);
        q->queued_tail = &q->queued;
        q->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (q->efd < 0) {
                r = -errno;
                goto fail;
        }
        r = sd_event_add_io(event, &q->io, q->efd, EPOLLIN, on_finished, q);
        if (r < 0)
                goto fail;
        for (unsigned i = 0; i < MIN(MAX(n_threads, 1u), (unsigned) MAX_THREADS); i++) {
                r = -pthread_create(&q->threads[i], NULL, worker, q);
                if (r < 0)
                        goto fail;
                q->n_threads++;
        }
        *ret = q;
        return 0;
fail:
        lsd_work_queue_free(q);
        return r;
}

struct lsd_work_queue *lsd_work_queue_free(struct lsd_work_queue *q) {
        if (!q)
                return NULL;
        pthread_mutex_lock(&q->lock);
        q->stopping = true;
        pthread_cond_broadcast(&q->cond);
        pthread_mutex_unlock(&q->lock);
        for (unsigned i = 0; i < q->n_threads; i++)
                pthread_join(q->threads[i], NULL);
        deliver(q);
        sd_event_source_disable_unref(q->io);
        safe_close(q->efd);
        pthread_cond_destroy(&q->cond);
        pthread_mutex_destroy(&q->lock);
        free(q);
        return NULL;
}

void lsd_work_submit(struct lsd_work_queue *q, struct lsd_work *w) {
        w->next = NULL;
        pthread_mutex_lock(&q->lock);
        *q->queued_tail = w;
        q->queued_tail = &w->next;
        pthread_cond_signal(&q->cond);
        pthread_mutex_unlock(&q->lock);
}
