/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The backend registry and the thin wrappers every caller goes through. */

#include <pthread.h>
#include <stdarg.h>

#include "common/debug.h"
#include "gpu/backend.h"

struct gpu_backend {
        const struct gpu_backend_ops *ops;
        void *ctx;
        /*
         * Counters of all the backend's models; a mutex because models may
         * run on different threads (caps.concurrent_models).
         */
        pthread_mutex_t lock;
        struct gpu_transfer_stats transfer;
        /* The latest frame counted in transfer.frames: one frame feeds several models. */
        struct cam_frame last_frame;
};

struct gpu_model {
        const struct gpu_backend_ops *ops;
        struct gpu_backend *backend;    /* outlives the model (contract above) */
        const struct gpu_graph *graph;
        void *model;
        float *host_in;                 /* the CPU-preprocessing fallback's buffer, made on first use */
        size_t host_in_count;
};

static const char *const import_path_table[_GPU_IMPORT_PATH_MAX] = {
        [GPU_IMPORT_HOST] = "host",
        [GPU_IMPORT_DMABUF] = "dmabuf",
        [GPU_IMPORT_HOSTPTR] = "hostptr",
        [GPU_IMPORT_COPY] = "copy",
};

const char *gpu_import_path_to_string(enum gpu_import_path p) {
        return (unsigned) p < _GPU_IMPORT_PATH_MAX ? import_path_table[p] : NULL;
}

enum gpu_import_path gpu_import_path_from_string(const char *s) {
        for (int i = 0; s && i < _GPU_IMPORT_PATH_MAX; i++)
                if (streq(import_path_table[i], s))
                        return i;
        return _GPU_IMPORT_PATH_INVALID;
}

static const struct gpu_backend_ops *const backends[] = {
        &gpu_vk_backend_ops,
        &gpu_cl_backend_ops,
        &gpu_cpu_backend_ops,
};

const struct gpu_backend_ops *const *gpu_backend_list(size_t *ret_n) {
        *ret_n = ELEMENTSOF(backends);
        return backends;
}

const struct gpu_backend_ops *gpu_backend_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(backends); i++)
                if (name && backends[i]->name && streq(backends[i]->name, name))
                        return backends[i];
        return NULL;
}

_printf_(3, 4) static int seterr(char *err, size_t errlen, const char *fmt, ...) {
        va_list ap;

        if (err && errlen) {
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return 0;
}

int gpu_backend_new(const char *name, const struct gpu_backend_params *p, struct gpu_backend **ret,
                    char *err, size_t errlen) {
        static const struct gpu_backend_params defaults = {};
        _cleanup_free_ struct gpu_backend *b = NULL;
        const struct gpu_backend_ops *ops;
        int r;

        if (err && errlen)
                err[0] = 0;
        ops = gpu_backend_find(name);
        if (!ops) {
                seterr(err, errlen, "unknown backend '%s'", strna(name));
                return -ENOENT;
        }
        if (ops->probe) {
                r = ops->probe(err, errlen);
                if (r < 0) {
                        if (err && errlen && !err[0])
                                seterr(err, errlen, "backend '%s' not available", ops->name);
                        return r;
                }
        }
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->ops = ops;
        b->transfer.import_path = _GPU_IMPORT_PATH_INVALID;
        pthread_mutex_init(&b->lock, NULL);
        r = ops->ctx_new(p ?: &defaults, &b->ctx, err, errlen);
        if (r < 0) {
                pthread_mutex_destroy(&b->lock);
                if (err && errlen && !err[0])
                        seterr(err, errlen, "backend '%s' failed to start: %s", ops->name, strerror(-r));
                return ls_debug_errno(r, "backend '%s': ctx_new failed", ops->name);
        }
        *ret = TAKE_PTR(b);
        return 0;
}

struct gpu_backend *gpu_backend_free(struct gpu_backend *b) {
        if (!b)
                return NULL;
        if (b->ctx)
                b->ops->ctx_free(b->ctx);
        pthread_mutex_destroy(&b->lock);
        free(b);
        return NULL;
}

const char *gpu_backend_name(const struct gpu_backend *b) {
        return b->ops->name;
}

void gpu_backend_get_caps(const struct gpu_backend *b, struct gpu_backend_caps *ret) {
        *ret = (struct gpu_backend_caps) {};
        if (b->ops->get_caps)
                b->ops->get_caps(b->ctx, ret);
}

int gpu_model_new(struct gpu_backend *b, const struct gpu_graph *g, struct gpu_model **ret, char *err,
                  size_t errlen) {
        _cleanup_free_ struct gpu_model *m = NULL;
        int r;

        if (err && errlen)
                err[0] = 0;
        if (!g->planned) {
                seterr(err, errlen, "graph is not planned");
                return -EINVAL;
        }
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->ops = b->ops;
        m->backend = b;
        m->graph = g;
        r = b->ops->model_new(b->ctx, g, &m->model, err, errlen);
        if (r < 0) {
                if (err && errlen && !err[0])
                        seterr(err, errlen, "backend '%s' cannot prepare the model: %s", b->ops->name,
                               strerror(-r));
                return r;
        }
        *ret = TAKE_PTR(m);
        return 0;
}

struct gpu_model *gpu_model_free(struct gpu_model *m) {
        if (!m)
                return NULL;
        if (m->model)
                m->ops->model_free(m->model);
        free(m->host_in);
        free(m);
        return NULL;
}

const struct gpu_graph *gpu_model_graph(const struct gpu_model *m) {
        return m->graph;
}

static void count_bytes(struct gpu_backend *b, uint64_t *counter, uint64_t bytes) {
        pthread_mutex_lock(&b->lock);
        *counter += bytes;
        pthread_mutex_unlock(&b->lock);
}

int gpu_model_set_input(struct gpu_model *m, size_t index, const float *data, size_t count) {
        int r;

        if (index >= m->graph->n_inputs)
                return -ERANGE;
        if (count != m->graph->tensors[m->graph->inputs[index]].count)
                return -EINVAL;
        r = m->ops->set_input(m->model, index, data, count);
        if (r >= 0)
                count_bytes(m->backend, &m->backend->transfer.bytes_to_device, count * sizeof(float));
        return r;
}

int gpu_model_run(struct gpu_model *m) {
        return m->ops->run(m->model);
}

int gpu_model_get_output(struct gpu_model *m, size_t index, float *data, size_t count) {
        int r;

        if (index >= m->graph->n_outputs)
                return -ERANGE;
        if (count != m->graph->tensors[m->graph->outputs[index]].count)
                return -EINVAL;
        r = m->ops->get_output(m->model, index, data, count);
        if (r >= 0)
                count_bytes(m->backend, &m->backend->transfer.bytes_from_device, count * sizeof(float));
        return r;
}

/* Whether f is the frame counted last (the same capture, or the same still image). */
static bool same_frame(const struct cam_frame *a, const struct cam_frame *b) {
        return a->index == b->index && a->sequence == b->sequence && a->timestamp_ns == b->timestamp_ns &&
               a->memory[0].data == b->memory[0].data && a->width == b->width && a->height == b->height &&
               a->fourcc == b->fourcc && a->flags == b->flags;
}

/* The fallback: the CPU reference into a host buffer, then an ordinary upload. */
static int set_input_frame_cpu(struct gpu_model *m, size_t index, const struct cam_frame *f,
                               const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n,
                               size_t count) {
        uint64_t size = gpu_pre_output_size(o);
        int r;

        if (!m->host_in) {
                /* Zeroed: batch slots past n stay black. */
                m->host_in = calloc(count, sizeof(float));
                if (!m->host_in)
                        return -ENOMEM;
                m->host_in_count = count;
        }
        for (uint32_t i = 0; i < n; i++) {
                r = gpu_pre_run_cpu(f, o, &x[i], m->host_in + i * size);
                if (r < 0)
                        return r;
        }
        return gpu_model_set_input(m, index, m->host_in, count);
}

int gpu_model_set_input_frame(struct gpu_model *m, size_t index, const struct cam_frame *f,
                              const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n) {
        struct gpu_transfer_stats *t = &m->backend->transfer;
        struct gpu_frame_import imp = { .path = GPU_IMPORT_HOST };
        size_t count;
        uint64_t size;
        int r;

        if (!f || !o || !x || n == 0)
                return -EINVAL;
        if (index >= m->graph->n_inputs)
                return -ERANGE;
        r = gpu_pre_output_check(o);
        if (r < 0)
                return r;
        r = gpu_pre_frame_check(f);
        if (r < 0)
                return r;
        count = m->graph->tensors[m->graph->inputs[index]].count;
        size = gpu_pre_output_size(o);
        if (count % size != 0 || n > count / size)
                return -EINVAL;
        if (m->ops->set_input_frame)
                r = m->ops->set_input_frame(m->model, index, f, o, x, n, &imp);
        else
                r = set_input_frame_cpu(m, index, f, o, x, n, count);
        if (r < 0)
                return r;
        pthread_mutex_lock(&m->backend->lock);
        t->import_path = imp.path;
        t->import_bytes_copied += imp.bytes_copied;
        t->bytes_to_device += imp.bytes_copied;
        if (t->frames == 0 || !same_frame(&m->backend->last_frame, f)) {
                t->frames++;
                m->backend->last_frame = *f;
        }
        pthread_mutex_unlock(&m->backend->lock);
        return 0;
}

void gpu_backend_reset_frames(struct gpu_backend *b) {
        if (b && b->ops->reset_frames)
                b->ops->reset_frames(b->ctx);
}

void gpu_backend_get_transfer(const struct gpu_backend *b, struct gpu_transfer_stats *ret) {
        /* The lock guards the counters, not the object: taking it does not change b. */
        pthread_mutex_t *lock = (pthread_mutex_t *) &b->lock;

        pthread_mutex_lock(lock);
        *ret = b->transfer;
        pthread_mutex_unlock(lock);
}
