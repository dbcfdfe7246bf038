/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fixed pool of workers for parallel-for loops.
 *
 * A job is published as one 64-bit atomic word: generation, chunk count and
 * the next unclaimed chunk. Anyone (caller or worker) claims a chunk with a
 * compare-and-swap on that word, so a worker that wakes up late, or not at
 * all, never holds a job up: the caller simply does the chunks itself and
 * waits only for chunks someone actually claimed. The job's fields are read
 * after a successful claim, when the caller cannot have moved on yet.
 *
 * Idle workers spin briefly (a model runs dozens of short ops back to back
 * and a futex wake-up costs more than many of them), then sleep on a
 * condition variable. Nothing is allocated per run.
 *
 * A job carries the caller's floating-point mode (denormal flushing): a
 * worker switches to it before its first chunk of the job, so chunks compute
 * alike wherever they run. Workers only ever run jobs, so they keep the last
 * mode rather than restoring one.
 */

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "common/debug.h"
#include "gpu/cpu/kernels.h"

#define SPIN_ITERATIONS 4000u
#define CHUNKS_PER_THREAD 4u

/* state word: generation (24 bits) | n_chunks (20 bits) | next chunk (20 bits) */
#define ST_CHUNK_BITS 20
#define ST_CHUNK_MASK ((UINT64_C(1) << ST_CHUNK_BITS) - 1)
#define ST_MAX_CHUNKS ST_CHUNK_MASK
#define ST_GEN(s) ((s) >> (2 * ST_CHUNK_BITS))
#define ST_TOTAL(s) (((s) >> ST_CHUNK_BITS) & ST_CHUNK_MASK)
#define ST_NEXT(s) ((s) & ST_CHUNK_MASK)

struct gpu_cpu_threadpool {
        unsigned n_threads;
        unsigned n_started;             /* workers actually created */
        pthread_t *threads;

        pthread_mutex_t lock;
        pthread_cond_t wake;            /* workers sleep here */
        pthread_cond_t done;            /* the caller sleeps here */
        unsigned sleepers;              /* under lock */
        bool caller_waiting;            /* under lock */
        bool quit;                      /* under lock */

        _Atomic uint64_t state;
        atomic_size_t pending;          /* chunks not finished yet */

        /* the current job: written before state is published, stable until
         * pending drops to 0 */
        gpu_cpu_task_fn fn;
        void *userdata;
        size_t n_items, chunk;
        struct gpu_cpu_fpmode fpmode;   /* the caller's */
};

struct worker_arg {
        struct gpu_cpu_threadpool *tp;
        unsigned index;
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
}

/* Claims and runs chunks of the published job until none is left. A worker
 * passes its current FP mode in *mode (the caller, NULL: it set the job's). */
static void pool_work(struct gpu_cpu_threadpool *tp, unsigned index, struct gpu_cpu_fpmode *mode) {
        uint64_t s = atomic_load_explicit(&tp->state, memory_order_acquire);

        while (ST_NEXT(s) < ST_TOTAL(s)) {
                if (!atomic_compare_exchange_weak_explicit(&tp->state, &s, s + 1, memory_order_acquire,
                                                           memory_order_acquire))
                        continue;
                if (mode && mode->word != tp->fpmode.word) {
                        *mode = tp->fpmode;
                        gpu_cpu_fpmode_set(*mode);
                }
                size_t begin = ST_NEXT(s) * tp->chunk;
                size_t end = MIN(begin + tp->chunk, tp->n_items);
                tp->fn(tp->userdata, begin, end, index);
                if (atomic_fetch_sub_explicit(&tp->pending, 1, memory_order_acq_rel) == 1) {
                        pthread_mutex_lock(&tp->lock);
                        if (tp->caller_waiting)
                                pthread_cond_signal(&tp->done);
                        pthread_mutex_unlock(&tp->lock);
                }
                s = atomic_load_explicit(&tp->state, memory_order_acquire);
        }
}

static void *worker_main(void *p) {
        struct worker_arg arg = *(struct worker_arg *) p;
        struct gpu_cpu_threadpool *tp = arg.tp;
        uint64_t seen = 0;
        struct gpu_cpu_fpmode mode = gpu_cpu_fpmode_get();

        free(p);
        for (;;) {
                uint64_t g = ST_GEN(atomic_load_explicit(&tp->state, memory_order_acquire));
                for (unsigned i = 0; g == seen && i < SPIN_ITERATIONS; i++) {
                        cpu_relax();
                        g = ST_GEN(atomic_load_explicit(&tp->state, memory_order_acquire));
                }
                if (g == seen) {
                        pthread_mutex_lock(&tp->lock);
                        tp->sleepers++;
                        while ((g = ST_GEN(atomic_load_explicit(&tp->state, memory_order_acquire))) == seen &&
                               !tp->quit)
                                pthread_cond_wait(&tp->wake, &tp->lock);
                        tp->sleepers--;
                        bool quit = tp->quit;
                        pthread_mutex_unlock(&tp->lock);
                        if (quit)
                                return NULL;
                }
                seen = g;
                pool_work(tp, arg.index, &mode);
        }
}

struct gpu_cpu_threadpool *gpu_cpu_threadpool_free(struct gpu_cpu_threadpool *tp) {
        if (!tp)
                return NULL;
        pthread_mutex_lock(&tp->lock);
        tp->quit = true;
        pthread_cond_broadcast(&tp->wake);
        pthread_mutex_unlock(&tp->lock);
        /* a spinning worker notices quit once it falls asleep: bump the
         * generation (with no chunks) so it stops spinning right away */
        uint64_t s = atomic_load_explicit(&tp->state, memory_order_relaxed);
        atomic_store_explicit(&tp->state, (ST_GEN(s) + 1) << (2 * ST_CHUNK_BITS), memory_order_release);
        pthread_mutex_lock(&tp->lock);
        pthread_cond_broadcast(&tp->wake);
        pthread_mutex_unlock(&tp->lock);
        for (unsigned i = 0; i < tp->n_started; i++)
                pthread_join(tp->threads[i], NULL);
        pthread_cond_destroy(&tp->done);
        pthread_cond_destroy(&tp->wake);
        pthread_mutex_destroy(&tp->lock);
        free(tp->threads);
        free(tp);
        return NULL;
}

int gpu_cpu_threadpool_new(unsigned n_threads, struct gpu_cpu_threadpool **ret) {
        if (n_threads == 0 || n_threads > 1024)
                return -EINVAL;

        _cleanup_(gpu_cpu_threadpool_freep) struct gpu_cpu_threadpool *tp = calloc(1, sizeof(*tp));
        if (!tp)
                return -ENOMEM;
        tp->n_threads = n_threads;
        pthread_mutex_init(&tp->lock, NULL);
        pthread_cond_init(&tp->wake, NULL);
        pthread_cond_init(&tp->done, NULL);
        atomic_init(&tp->state, 0);
        atomic_init(&tp->pending, 0);

        if (n_threads > 1) {
                tp->threads = calloc(n_threads - 1, sizeof(pthread_t));
                if (!tp->threads)
                        return -ENOMEM;
        }
        for (unsigned i = 1; i < n_threads; i++) {
                struct worker_arg *arg = malloc(sizeof(*arg));
                if (!arg)
                        return -ENOMEM;
                *arg = (struct worker_arg) { .tp = tp, .index = i };
                int r = pthread_create(&tp->threads[i - 1], NULL, worker_main, arg);
                if (r != 0) {
                        free(arg);
                        return ls_debug_errno(-r, "Failed to start worker thread %u", i);
                }
                tp->n_started++;
        }
        *ret = TAKE_PTR(tp);
        return 0;
}

unsigned gpu_cpu_threadpool_size(const struct gpu_cpu_threadpool *tp) {
        return tp ? tp->n_threads : 1;
}

void gpu_cpu_threadpool_run(struct gpu_cpu_threadpool *tp, size_t n_items, size_t grain,
                            gpu_cpu_task_fn fn, void *userdata) {
        if (n_items == 0)
                return;
        grain = MAX(grain, (size_t) 1);
        if (!tp || tp->n_threads == 1 || n_items <= grain) {
                fn(userdata, 0, n_items, 0);
                return;
        }

        size_t n_chunks = MIN((size_t) tp->n_threads * CHUNKS_PER_THREAD, DIV_ROUND_UP(n_items, grain));
        n_chunks = MIN(n_chunks, (size_t) ST_MAX_CHUNKS);
        tp->fn = fn;
        tp->userdata = userdata;
        tp->n_items = n_items;
        tp->chunk = DIV_ROUND_UP(n_items, n_chunks);
        tp->fpmode = gpu_cpu_fpmode_get();
        n_chunks = DIV_ROUND_UP(n_items, tp->chunk);
        atomic_store_explicit(&tp->pending, n_chunks, memory_order_relaxed);

        uint64_t s = atomic_load_explicit(&tp->state, memory_order_relaxed);
        uint64_t gen = (ST_GEN(s) + 1) & ((UINT64_C(1) << 24) - 1);
        atomic_store_explicit(&tp->state, (gen << (2 * ST_CHUNK_BITS)) | ((uint64_t) n_chunks << ST_CHUNK_BITS),
                              memory_order_release);

        pthread_mutex_lock(&tp->lock);
        if (tp->sleepers)
                pthread_cond_broadcast(&tp->wake);
        pthread_mutex_unlock(&tp->lock);

        pool_work(tp, 0, NULL);

        for (unsigned i = 0; i < SPIN_ITERATIONS; i++) {
                if (atomic_load_explicit(&tp->pending, memory_order_acquire) == 0)
                        return;
                cpu_relax();
        }
        pthread_mutex_lock(&tp->lock);
        tp->caller_waiting = true;
        while (atomic_load_explicit(&tp->pending, memory_order_acquire) != 0)
                pthread_cond_wait(&tp->done, &tp->lock);
        tp->caller_waiting = false;
        pthread_mutex_unlock(&tp->lock);
}
