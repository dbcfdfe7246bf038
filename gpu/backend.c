/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The backend registry and the thin wrappers every caller goes through. */

#include <stdarg.h>

#include "common/debug.h"
#include "gpu/backend.h"

struct gpu_backend {
        const struct gpu_backend_ops *ops;
        void *ctx;
};

struct gpu_model {
        const struct gpu_backend_ops *ops;
        const struct gpu_graph *graph;
        void *model;
};

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
        r = ops->ctx_new(p ?: &defaults, &b->ctx, err, errlen);
        if (r < 0) {
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
        free(m);
        return NULL;
}

const struct gpu_graph *gpu_model_graph(const struct gpu_model *m) {
        return m->graph;
}

int gpu_model_set_input(struct gpu_model *m, size_t index, const float *data, size_t count) {
        if (index >= m->graph->n_inputs)
                return -ERANGE;
        if (count != m->graph->tensors[m->graph->inputs[index]].count)
                return -EINVAL;
        return m->ops->set_input(m->model, index, data, count);
}

int gpu_model_run(struct gpu_model *m) {
        return m->ops->run(m->model);
}

int gpu_model_get_output(struct gpu_model *m, size_t index, float *data, size_t count) {
        if (index >= m->graph->n_outputs)
                return -ERANGE;
        if (count != m->graph->tensors[m->graph->outputs[index]].count)
                return -EINVAL;
        return m->ops->get_output(m->model, index, data, count);
}
