/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Vulkan backend behind gpu/backend.h. Per model:
 *   - one device-local arena (graph->arena_size) for inputs and activations,
 *     at the planner's offsets; one device-local buffer for the constants
 *     (uploaded once through a staging buffer), with the folded extras some
 *     ops need (ops.c);
 *   - one host-visible "io" buffer: host inputs are written there, outputs read;
 *   - one command buffer recorded once (a dispatch per node with a barrier
 *     after each, arena -> io copies of the outputs) and submitted per
 *     inference; the fence wait is bounded (gpu_vk_ctx_timeout_ns());
 *   - per input, a command buffer copying it io -> arena, submitted before
 *     the run only when set_input() wrote it: an input filled from a frame
 *     (set_input_frame) is preprocessed straight into the arena, so neither
 *     the pixels nor the tensor pass through host memory.
 * The frame importer belongs to the backend context: one import per camera
 * buffer whichever model reads it, on the device the models run on.
 * Device string (gpu_backend_params.device): NULL/"default", "name:<substr>",
 * "uuid:<hex>", "drm:<node>", "cpu" (prefer a CPU implementation), or a bare
 * name substring. The pipeline cache goes to $CACHE_DIRECTORY (systemd's
 * CacheDirectory=) when set.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "gpu/backend.h"
#include "gpu/vk/vk-internal.h"

#define CONST_ALIGN 16          /* floats: 64 bytes, as the arena */

struct vk_backend {
        struct gpu_vk_ctx *vk;
        struct gpu_vk_importer *importer;       /* made on the first frame */
};

struct gpu_vk_model {
        struct vk_backend *b;
        struct gpu_vk_ctx *vk;
        const struct gpu_graph *g;
        struct gpu_vk_buffer *arena, *consts, *io;
        uint32_t *const_off;            /* per tensor (constants), UINT32_MAX otherwise */
        uint32_t *extra_off;            /* per node */
        uint64_t *io_in, *io_out;       /* byte offsets in io per graph input/output */
        struct gpu_vk_pipeline **pipelines;
        size_t n_pipelines;
        VkDescriptorSet *sets;
        struct gpu_vk_cmd *cmd;
        struct gpu_vk_cmd **uploads;    /* per input: io -> arena */
        bool *dirty;                    /* per input: written by set_input() since the last run */
        const char *node_name;          /* while recording: for pipeline names */
        /* set_input_frame(): made on first use */
        struct gpu_vk_pre *pre;
        struct gpu_pre_output pre_out;
        uint32_t pre_batch;
};

_printf_(3, 4)
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
        va_list ap;

        if (!err || errlen == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
}

static int parse_device(const char *dev, struct gpu_vk_ctx_params *p) {
        if (!dev || streq(dev, "default") || streq(dev, ""))
                return 0;
        if (streq(dev, "cpu"))
                p->cpu_policy = GPU_VK_CPU_PREFER;
        else if (streq(dev, "gpu"))
                p->cpu_policy = GPU_VK_CPU_NEVER;       /* automatic choice: never lavapipe & co. */
        else if (strncmp(dev, "name:", 5) == 0)
                p->device_name = dev + 5;
        else if (strncmp(dev, "uuid:", 5) == 0)
                p->device_uuid = dev + 5;
        else if (strncmp(dev, "drm:", 4) == 0)
                p->drm_node = dev + 4;
        else
                p->device_name = dev;
        return 0;
}

static int vk_probe(char *err, size_t errlen) {
        char e[GPU_VK_ERROR_MAX] = "";
        struct gpu_vk_ctx *vk = NULL;
        int r;

        r = gpu_vk_ctx_new(&(struct gpu_vk_ctx_params) { .error = e }, &vk);
        if (r < 0) {
                set_err(err, errlen, "vulkan: %s", e[0] ? e : strerror(-r));
                return r == -ENODEV ? r : -ENODEV;
        }
        gpu_vk_ctx_free(vk);
        return 0;
}

int gpu_vk_backend_ctx_new(const struct gpu_vk_ctx_params *params, void **ret_ctx, char *err, size_t errlen) {
        char e[GPU_VK_ERROR_MAX] = "";
        struct gpu_vk_ctx_params p = *params;
        struct vk_backend *b;
        int r;

        p.error = e;
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        r = gpu_vk_ctx_new(&p, &b->vk);
        if (r < 0) {
                set_err(err, errlen, "vulkan: %s", e[0] ? e : strerror(-r));
                free(b);
                return r;
        }
        *ret_ctx = b;
        return 0;
}

static int vk_ctx_new(const struct gpu_backend_params *bp, void **ret_ctx, char *err, size_t errlen) {
        struct gpu_vk_ctx_params p = {};
        _cleanup_free_ char *cache = NULL;
        const char *e;

        parse_device(bp ? bp->device : NULL, &p);
        /* systemd's CacheDirectory= (first entry): pipelines compiled once, loaded on later starts. */
        e = getenv("CACHE_DIRECTORY");
        if (e && e[0] == '/') {
                cache = strndup(e, strcspn(e, ":"));
                if (!cache)
                        return -ENOMEM;
                p.cache_dir = cache;
        }
        return gpu_vk_backend_ctx_new(&p, ret_ctx, err, errlen);
}

struct gpu_vk_ctx *gpu_vk_backend_vk(void *backend_ctx) {
        return ((struct vk_backend *) backend_ctx)->vk;
}

static void vk_ctx_free(void *ctx) {
        struct vk_backend *b = ctx;

        if (!b)
                return;
        gpu_vk_importer_free(b->importer);
        gpu_vk_ctx_free(b->vk);
        free(b);
}

static void vk_get_caps(void *ctx, struct gpu_backend_caps *ret) {
        /* One queue, used from one thread at a time. */
        ret->concurrent_models = false;
}

struct gpu_vk_tensor_loc gpu_vk_model_loc(const struct gpu_vk_model *m, int t) {
        const struct gpu_tensor *ts = &m->g->tensors[t];

        if (ts->kind == GPU_TENSOR_CONSTANT)
                return (struct gpu_vk_tensor_loc) { .is_const = true, .off = m->const_off[t] };
        return (struct gpu_vk_tensor_loc) { .is_const = false, .off = (uint32_t) (ts->offset / sizeof(float)) };
}

uint32_t gpu_vk_model_extra_off(const struct gpu_vk_model *m, const struct gpu_node *n) {
        return m->extra_off[n - m->g->nodes];
}

static uint32_t groups_for(uint64_t invocations, uint32_t local, uint32_t *ret_gy) {
        uint64_t groups = MAX(DIV_ROUND_UP(invocations, local), (uint64_t) 1);
        uint32_t gx = (uint32_t) MIN(groups, (uint64_t) 65535);

        *ret_gy = (uint32_t) DIV_ROUND_UP(groups, gx);
        return gx;
}

int gpu_vk_model_dispatch(struct gpu_vk_model *m, const struct gpu_node *n, enum gpu_shader_id shader,
                          const uint32_t *spec, uint32_t n_spec, uint64_t invocations) {
        struct gpu_vk_pipeline *pl = NULL;
        VkDescriptorSet set;
        uint32_t gx, gy;
        int r;

        if (invocations > (uint64_t) 65535 * 65535 * 64)
                return -E2BIG;
        r = gpu_vk_pipeline_new(m->vk, &(struct gpu_vk_pipeline_params) {
                                        .shader = shader, .n_bindings = 2, .spec = spec, .n_spec = n_spec,
                                        .local_size = { 64, 1, 1 }, .max_sets = 1, .name = m->node_name,
                                }, &pl);
        if (r < 0)
                return r;
        m->pipelines[m->n_pipelines++] = pl;    /* sized for one per node */
        struct gpu_vk_buffer *b[2] = { m->arena, m->consts };
        r = gpu_vk_pipeline_bind(pl, b, &set);
        if (r < 0)
                return r;
        gx = groups_for(invocations, 64, &gy);
        gpu_vk_cmd_dispatch(m->cmd, pl, set, NULL, gx, gy, 1);
        return 0;
}

void gpu_vk_model_copy(struct gpu_vk_model *m, struct gpu_vk_tensor_loc src, uint32_t dst_off, uint64_t floats) {
        VkBufferCopy region = {
                .srcOffset = (VkDeviceSize) src.off * sizeof(float),
                .dstOffset = (VkDeviceSize) dst_off * sizeof(float),
                .size = floats * sizeof(float),
        };
        if (floats == 0)
                return;
        vkCmdCopyBuffer(m->cmd->cb, src.is_const ? m->consts->buffer : m->arena->buffer, m->arena->buffer, 1, &region);
}

static void vk_model_free(void *model) {
        struct gpu_vk_model *m = model;

        if (!m)
                return;
        gpu_vk_cmd_free(m->cmd);        /* waits for a pending run first */
        for (size_t i = 0; m->uploads && i < m->g->n_inputs; i++)
                gpu_vk_cmd_free(m->uploads[i]);
        free(m->uploads);
        free(m->dirty);
        gpu_vk_pre_free(m->pre);
        for (size_t i = 0; i < m->n_pipelines; i++)
                gpu_vk_pipeline_free(m->pipelines[i]);
        free(m->pipelines);
        gpu_vk_buffer_free(m->arena);
        gpu_vk_buffer_free(m->consts);
        gpu_vk_buffer_free(m->io);
        free(m->const_off);
        free(m->extra_off);
        free(m->io_in);
        free(m->io_out);
        free(m);
}

/* Lays out the constants the nodes read, plus their extras; returns the size in floats. */
static int layout_constants(struct gpu_vk_model *m, uint64_t *ret_floats) {
        const struct gpu_graph *g = m->g;
        uint64_t off = 0;

        for (size_t t = 0; t < g->n_tensors; t++) {
                const struct gpu_tensor *ts = &g->tensors[t];
                m->const_off[t] = UINT32_MAX;
                if (ts->kind != GPU_TENSOR_CONSTANT || !ts->data)
                        continue;
                m->const_off[t] = (uint32_t) off;
                off = ALIGN_UP(off + ts->count, (uint64_t) CONST_ALIGN);
        }
        for (size_t i = 0; i < g->n_nodes; i++) {
                size_t extra = gpu_vk_op_extra_consts(g, &g->nodes[i]);
                m->extra_off[i] = extra ? (uint32_t) off : UINT32_MAX;
                off = ALIGN_UP(off + extra, (uint64_t) CONST_ALIGN);
        }
        if (off >= UINT32_MAX / 2)
                return -E2BIG;
        *ret_floats = MAX(off, (uint64_t) CONST_ALIGN);
        return 0;
}

static int upload_constants(struct gpu_vk_model *m, uint64_t floats) {
        _cleanup_(gpu_vk_buffer_freep) struct gpu_vk_buffer *staging = NULL;
        _cleanup_(gpu_vk_cmd_freep) struct gpu_vk_cmd *cmd = NULL;
        const struct gpu_graph *g = m->g;
        uint64_t bytes = floats * sizeof(float);
        int r;

        r = gpu_vk_buffer_new(m->vk, &(struct gpu_vk_buffer_params) {
                                      .size = bytes, .host_visible = true, .name = "model.constants.staging" },
                              &staging);
        if (r < 0)
                return r;
        memset(staging->map, 0, bytes);
        for (size_t t = 0; t < g->n_tensors; t++)
                if (m->const_off[t] != UINT32_MAX)
                        memcpy((float *) staging->map + m->const_off[t], g->tensors[t].data,
                               g->tensors[t].count * sizeof(float));
        for (size_t i = 0; i < g->n_nodes; i++)
                if (m->extra_off[i] != UINT32_MAX)
                        gpu_vk_op_fill_extra(g, &g->nodes[i], (float *) staging->map + m->extra_off[i]);

        r = gpu_vk_cmd_new(m->vk, "model.upload", &cmd);
        if (r < 0)
                return r;
        r = gpu_vk_cmd_begin(cmd);
        if (r < 0)
                return r;
        vkCmdCopyBuffer(cmd->cb, staging->buffer, m->consts->buffer, 1, &(VkBufferCopy) { .size = bytes });
        r = gpu_vk_cmd_end(cmd);
        if (r >= 0)
                r = gpu_vk_cmd_submit(cmd);
        if (r >= 0)
                r = gpu_vk_cmd_wait(cmd, m->vk->timeout_ns);
        return r;
}

static int alloc_buffers(struct gpu_vk_model *m, uint64_t const_floats) {
        const struct gpu_graph *g = m->g;
        uint64_t io = 0;
        int r;

        for (size_t i = 0; i < g->n_inputs; i++) {
                m->io_in[i] = io;
                io = ALIGN_UP(io + gpu_tensor_bytes(&g->tensors[g->inputs[i]]), (uint64_t) 64);
        }
        for (size_t i = 0; i < g->n_outputs; i++) {
                m->io_out[i] = io;
                io = ALIGN_UP(io + gpu_tensor_bytes(&g->tensors[g->outputs[i]]), (uint64_t) 64);
        }
        r = gpu_vk_buffer_new(m->vk, &(struct gpu_vk_buffer_params) {
                                      .size = MAX(ALIGN_UP(g->arena_size, (size_t) 64), (size_t) 64),
                                      .name = "model.arena" }, &m->arena);
        if (r < 0)
                return r;
        r = gpu_vk_buffer_new(m->vk, &(struct gpu_vk_buffer_params) {
                                      .size = const_floats * sizeof(float), .name = "model.constants" },
                              &m->consts);
        if (r < 0)
                return r;
        return gpu_vk_buffer_new(m->vk, &(struct gpu_vk_buffer_params) {
                                         .size = MAX(io, (uint64_t) 64), .host_visible = true, .name = "model.io" },
                                 &m->io);
}

static int record(struct gpu_vk_model *m, char *err, size_t errlen) {
        const struct gpu_graph *g = m->g;
        int r;

        for (size_t i = 0; i < g->n_inputs; i++) {
                const struct gpu_tensor *t = &g->tensors[g->inputs[i]];
                VkBufferCopy c = { .srcOffset = m->io_in[i], .dstOffset = t->offset, .size = gpu_tensor_bytes(t) };
                r = gpu_vk_cmd_new(m->vk, "model.upload", &m->uploads[i]);
                if (r >= 0)
                        r = gpu_vk_cmd_begin(m->uploads[i]);
                if (r < 0)
                        return r;
                vkCmdCopyBuffer(m->uploads[i]->cb, m->io->buffer, m->arena->buffer, 1, &c);
                r = gpu_vk_cmd_end(m->uploads[i]);
                if (r < 0)
                        return r;
        }
        r = gpu_vk_cmd_begin(m->cmd);
        if (r < 0)
                return r;
        /* Orders the run after the uploads and preprocessing submitted before it. */
        gpu_vk_cmd_barrier(m->cmd);
        for (size_t i = 0; i < g->n_nodes; i++) {
                const struct gpu_node *n = &g->nodes[i];
                m->node_name = n->name;
                r = gpu_vk_op_record(m, g, n);
                if (r < 0) {
                        set_err(err, errlen, "vulkan: node '%s' (%s): %s", n->name, strna(gpu_op_to_string(n->op)),
                                r == -EOPNOTSUPP ? "not supported" : r == -ENOEXEC ? "pipeline build failed" : strerror(-r));
                        return r;
                }
                gpu_vk_cmd_barrier(m->cmd);
        }
        m->node_name = NULL;
        for (size_t i = 0; i < g->n_outputs; i++) {
                const struct gpu_tensor *t = &g->tensors[g->outputs[i]];
                struct gpu_vk_tensor_loc src = gpu_vk_model_loc(m, g->outputs[i]);
                VkBufferCopy c = { .srcOffset = (VkDeviceSize) src.off * sizeof(float), .dstOffset = m->io_out[i],
                                   .size = gpu_tensor_bytes(t) };
                vkCmdCopyBuffer(m->cmd->cb, src.is_const ? m->consts->buffer : m->arena->buffer, m->io->buffer, 1, &c);
        }
        gpu_vk_cmd_barrier(m->cmd);
        return gpu_vk_cmd_end(m->cmd);
}

static int vk_model_new(void *ctx, const struct gpu_graph *g, void **ret_model, char *err, size_t errlen) {
        struct vk_backend *b = ctx;
        struct gpu_vk_model *m;
        uint64_t const_floats = 0;
        int r;

        if (!g->planned) {
                set_err(err, errlen, "vulkan: graph is not planned");
                return -EINVAL;
        }
        if (g->arena_size / sizeof(float) >= UINT32_MAX / 2) {
                set_err(err, errlen, "vulkan: arena of %zu bytes too large", g->arena_size);
                return -E2BIG;
        }
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->b = b;
        m->vk = b->vk;
        m->g = g;
        m->const_off = calloc(MAX(g->n_tensors, (size_t) 1), sizeof(uint32_t));
        m->extra_off = calloc(MAX(g->n_nodes, (size_t) 1), sizeof(uint32_t));
        m->io_in = calloc(MAX(g->n_inputs, (size_t) 1), sizeof(uint64_t));
        m->io_out = calloc(MAX(g->n_outputs, (size_t) 1), sizeof(uint64_t));
        m->pipelines = calloc(MAX(g->n_nodes, (size_t) 1), sizeof(struct gpu_vk_pipeline *));
        m->uploads = calloc(MAX(g->n_inputs, (size_t) 1), sizeof(struct gpu_vk_cmd *));
        m->dirty = calloc(MAX(g->n_inputs, (size_t) 1), sizeof(bool));
        if (!m->const_off || !m->extra_off || !m->io_in || !m->io_out || !m->pipelines || !m->uploads ||
            !m->dirty) {
                r = -ENOMEM;
                goto fail;
        }
        r = layout_constants(m, &const_floats);
        if (r < 0) {
                set_err(err, errlen, "vulkan: constants too large");
                goto fail;
        }
        r = alloc_buffers(m, const_floats);
        if (r < 0) {
                set_err(err, errlen, "vulkan: cannot allocate model buffers: %s", strerror(-r));
                goto fail;
        }
        r = upload_constants(m, const_floats);
        if (r < 0) {
                set_err(err, errlen, "vulkan: cannot upload constants: %s", strerror(-r));
                goto fail;
        }
        r = gpu_vk_cmd_new(m->vk, "model", &m->cmd);
        if (r < 0) {
                set_err(err, errlen, "vulkan: %s", strerror(-r));
                goto fail;
        }
        r = record(m, err, errlen);
        if (r < 0)
                goto fail;
        ls_debug("vulkan: model with %zu nodes, %zu pipelines, arena %zu bytes, constants %" PRIu64 " bytes",
                 g->n_nodes, m->n_pipelines, g->arena_size, const_floats * 4);
        *ret_model = m;
        return 0;
fail:
        vk_model_free(m);
        return r;
}

static int vk_set_input(void *model, size_t index, const float *data, size_t count) {
        struct gpu_vk_model *m = model;

        if (m->cmd->pending)
                return -EBUSY;
        memcpy((uint8_t *) m->io->map + m->io_in[index], data, count * sizeof(float));
        m->dirty[index] = true;
        return 0;
}

static enum gpu_import_path import_path(enum gpu_vk_import_path p) {
        switch (p) {
        case GPU_VK_IMPORT_DMABUF:
                return GPU_IMPORT_DMABUF;
        case GPU_VK_IMPORT_HOST:
                return GPU_IMPORT_HOSTPTR;
        default:
                return GPU_IMPORT_COPY;
        }
}

static int vk_set_input_frame(void *model, size_t index, const struct cam_frame *f, const struct gpu_pre_output *o,
                              const struct gpu_pre_xform *x, uint32_t n, struct gpu_frame_import *ret) {
        struct gpu_vk_model *m = model;
        struct vk_backend *b;
        struct gpu_vk_import_stats before, after;
        enum gpu_vk_import_path path;
        const struct gpu_tensor *t;
        bool still;
        uint64_t size;
        int r;

        if (!m || !f || !o || !x || n == 0 || index >= m->g->n_inputs)
                return -EINVAL;
        r = gpu_pre_output_check(o);
        if (r < 0)
                return r;
        t = &m->g->tensors[m->g->inputs[index]];
        size = gpu_pre_output_size(o);
        /* The tensor holds a whole number of preprocessed images, n of them written now. */
        if (t->count % size != 0 || n > t->count / size)
                return -EINVAL;
        if (m->cmd->pending)
                return -EBUSY;

        b = m->b;
        if (!b->importer) {
                r = gpu_vk_importer_new(m->vk, NULL, &b->importer);
                if (r < 0)
                        return r;
        }
        if (m->pre && (memcmp(&m->pre_out, o, sizeof(*o)) != 0 || m->pre_batch < n))
                m->pre = gpu_vk_pre_free(m->pre);
        if (!m->pre) {
                r = gpu_vk_pre_new(m->vk, o, (uint32_t) (t->count / size), &m->pre);
                if (r < 0)
                        return r;
                m->pre_out = *o;
                m->pre_batch = (uint32_t) (t->count / size);
        }
        /* A still's memory changes from call to call: never keep its import. */
        still = f->flags & CAM_FRAME_STILL;
        if (still)
                gpu_vk_importer_reset(b->importer);
        gpu_vk_importer_stats(b->importer, &before);
        r = gpu_vk_importer_import(b->importer, f, &path);
        if (r >= 0)
                /* Straight into the arena, where the run reads the input: no upload of this input. */
                r = gpu_vk_pre_run_to(m->pre, b->importer, f, x, n, m->arena, t->offset / sizeof(float),
                                      m->vk->timeout_ns);
        gpu_vk_importer_stats(b->importer, &after);
        if (still)
                gpu_vk_importer_reset(b->importer);
        if (r < 0)
                return r;
        m->dirty[index] = false;
        if (ret)
                *ret = (struct gpu_frame_import) { .path = import_path(path),
                                                   .bytes_copied = after.bytes_copied - before.bytes_copied };
        return 0;
}

int gpu_vk_model_set_input_frame(void *model, size_t index, const struct cam_frame *f,
                                 const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n) {
        return vk_set_input_frame(model, index, f, o, x, n, NULL);
}

void gpu_vk_model_import_stats(void *model, struct gpu_vk_import_stats *ret) {
        struct gpu_vk_model *m = model;

        if (m->b->importer)
                gpu_vk_importer_stats(m->b->importer, ret);
        else
                *ret = (struct gpu_vk_import_stats) { .last_path = _GPU_VK_IMPORT_PATH_INVALID };
}

static void vk_reset_frames(void *ctx) {
        struct vk_backend *b = ctx;

        if (b->importer)
                gpu_vk_importer_reset(b->importer);
}

void gpu_vk_model_reset_frames(void *model) {
        vk_reset_frames(((struct gpu_vk_model *) model)->b);
}

static int vk_run(void *model) {
        struct gpu_vk_model *m = model;
        int r;

        /* A previous run that timed out must finish before the buffer is reused. */
        r = gpu_vk_cmd_wait(m->cmd, m->vk->timeout_ns);
        if (r < 0)
                return r;
        /* Host inputs first, in submission order; the run's leading barrier orders them before its reads. */
        for (size_t i = 0; i < m->g->n_inputs; i++) {
                if (!m->dirty[i])
                        continue;
                r = gpu_vk_cmd_wait(m->uploads[i], m->vk->timeout_ns);
                if (r >= 0)
                        r = gpu_vk_cmd_submit(m->uploads[i]);
                if (r < 0)
                        return r;
        }
        r = gpu_vk_cmd_submit(m->cmd);
        if (r >= 0)
                r = gpu_vk_cmd_wait(m->cmd, m->vk->timeout_ns);
        for (size_t i = 0; i < m->g->n_inputs; i++)
                if (m->dirty[i]) {
                        int q = gpu_vk_cmd_wait(m->uploads[i], m->vk->timeout_ns);
                        if (q < 0 && r >= 0)
                                r = q;
                        if (q >= 0)
                                m->dirty[i] = false;
                }
        return r;
}

static int vk_get_output(void *model, size_t index, float *data, size_t count) {
        struct gpu_vk_model *m = model;

        if (m->cmd->pending)
                return -EBUSY;
        memcpy(data, (const uint8_t *) m->io->map + m->io_out[index], count * sizeof(float));
        return 0;
}

const struct gpu_backend_ops gpu_vk_backend_ops = {
        .name = "vulkan",
        .probe = vk_probe,
        .ctx_new = vk_ctx_new,
        .ctx_free = vk_ctx_free,
        .get_caps = vk_get_caps,
        .model_new = vk_model_new,
        .model_free = vk_model_free,
        .set_input = vk_set_input,
        .run = vk_run,
        .get_output = vk_get_output,
        .set_input_frame = vk_set_input_frame,
        .reset_frames = vk_reset_frames,
};
