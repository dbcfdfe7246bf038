/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Frame preprocessing on the GPU (shaders/preprocess.comp), reading the raw
 * frame straight from the imported memory (import.c). The output description
 * is baked into the pipeline as specialization constants; the frame format
 * too, so there is one pipeline per fourcc, built on first use. The geometry
 * (xform), plane offsets and strides are push constants, so the command
 * buffer is re-recorded per run: a few commands, no allocation.
 */
#include <linux/videodev2.h>

#include "gpu/vk/vk-internal.h"

/* Keep in sync with FMT_* in shaders/preprocess.comp. */
enum {
        PRE_FMT_GREY,
        PRE_FMT_YUYV,
        PRE_FMT_UYVY,
        PRE_FMT_NV12,
        PRE_FMT_RGB24,
        PRE_FMT_BGR24,
        _PRE_FMT_MAX,
};

#define PRE_LOCAL 8

/* The push constants of shaders/preprocess.comp (std430 scalars and arrays of scalars). */
struct gpu_vk_pre_push {
        float m[6];
        int32_t content[4];
        int32_t src_rect[4];
        uint32_t border;
        uint32_t offset0, stride0, offset1, stride1;
        uint32_t frame_w, frame_h;
        uint32_t out_offset;
};
_Static_assert(sizeof(struct gpu_vk_pre_push) == 88, "push constants of preprocess.comp");

struct gpu_vk_pre {
        struct gpu_vk_ctx *vk;
        struct gpu_pre_output out;
        uint32_t max_batch;
        struct gpu_vk_pipeline *pipelines[_PRE_FMT_MAX];
        VkDescriptorSet sets[_PRE_FMT_MAX];
        struct gpu_vk_buffer *output;
        struct gpu_vk_cmd *cmd;
};

static int format_code(uint32_t fourcc) {
        switch (fourcc) {
        case V4L2_PIX_FMT_GREY: return PRE_FMT_GREY;
        case V4L2_PIX_FMT_YUYV: return PRE_FMT_YUYV;
        case V4L2_PIX_FMT_UYVY: return PRE_FMT_UYVY;
        case V4L2_PIX_FMT_NV12: return PRE_FMT_NV12;
        case V4L2_PIX_FMT_RGB24: return PRE_FMT_RGB24;
        case V4L2_PIX_FMT_BGR24: return PRE_FMT_BGR24;
        default: return -EOPNOTSUPP;
        }
}

static uint32_t float_bits(float f) {
        uint32_t u;
        memcpy(&u, &f, sizeof(u));
        return u;
}

int gpu_vk_pre_new(struct gpu_vk_ctx *vk, const struct gpu_pre_output *o, uint32_t max_batch,
                   struct gpu_vk_pre **ret) {
        _cleanup_(gpu_vk_pre_freep) struct gpu_vk_pre *pre = NULL;
        int r;

        if (!vk || !ret || max_batch == 0 || max_batch > 256)
                return -EINVAL;
        r = gpu_pre_output_check(o);
        if (r < 0)
                return r;

        pre = calloc(1, sizeof(*pre));
        if (!pre)
                return -ENOMEM;
        pre->vk = vk;
        pre->out = *o;
        pre->max_batch = max_batch;

        r = gpu_vk_cmd_new(vk, "preprocess", &pre->cmd);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pre);
        return 0;
}

struct gpu_vk_pre *gpu_vk_pre_free(struct gpu_vk_pre *pre) {
        if (!pre)
                return NULL;
        pre->cmd = gpu_vk_cmd_free(pre->cmd);   /* waits for pending work first */
        for (unsigned i = 0; i < _PRE_FMT_MAX; i++)
                gpu_vk_pipeline_free(pre->pipelines[i]);
        gpu_vk_buffer_free(pre->output);
        free(pre);
        return NULL;
}

static int get_pipeline(struct gpu_vk_pre *pre, int fmt, struct gpu_vk_buffer *const *b, struct gpu_vk_pipeline **ret) {
        const struct gpu_pre_output *o = &pre->out;
        int r;

        if (!pre->pipelines[fmt]) {
                const uint32_t spec[] = {
                        (uint32_t) fmt, o->width, o->height, o->layout == GPU_PRE_NCHW, o->order == GPU_PRE_BGR,
                        float_bits(o->mean[0]), float_bits(o->mean[1]), float_bits(o->mean[2]),
                        float_bits(o->scale[0]), float_bits(o->scale[1]), float_bits(o->scale[2]),
                };
                r = gpu_vk_pipeline_new(pre->vk, &(struct gpu_vk_pipeline_params) {
                                                .shader = GPU_SHADER_PREPROCESS,
                                                .n_bindings = 3,
                                                .push_size = sizeof(struct gpu_vk_pre_push),
                                                .spec = spec,
                                                .n_spec = ELEMENTSOF(spec),
                                                .local_size = { PRE_LOCAL, PRE_LOCAL, 1 },
                                                .max_sets = 1,
                                                .name = "preprocess",
                                        }, &pre->pipelines[fmt]);
                if (r < 0)
                        return r;
                /* Allocated now, pointed at the frame's buffers again on each run. */
                r = gpu_vk_pipeline_bind(pre->pipelines[fmt], b, &pre->sets[fmt]);
                if (r < 0) {
                        pre->pipelines[fmt] = gpu_vk_pipeline_free(pre->pipelines[fmt]);
                        return r;
                }
        }
        *ret = pre->pipelines[fmt];
        return 0;
}

static void make_push(const struct cam_frame *f, const struct gpu_pre_xform *x, uint32_t out_offset,
                      struct gpu_vk_pre_push *p) {
        unsigned cp = gpu_pre_chroma_plane(f->fourcc);
        int32_t x0 = CLAMP(x->src_rect[0], 0, (int32_t) f->width);
        int32_t y0 = CLAMP(x->src_rect[1], 0, (int32_t) f->height);

        *p = (struct gpu_vk_pre_push) {
                .src_rect = { x0, y0, CLAMP(x->src_rect[2], x0, (int32_t) f->width),
                              CLAMP(x->src_rect[3], y0, (int32_t) f->height) },
                .border = x->border == GPU_PRE_BORDER_ZERO,
                .offset0 = f->planes[0].offset, .stride0 = f->planes[0].stride,
                .offset1 = f->planes[cp].offset, .stride1 = f->planes[cp].stride,
                .frame_w = f->width, .frame_h = f->height,
                .out_offset = out_offset,
        };
        memcpy(p->m, x->m, sizeof(p->m));
        memcpy(p->content, x->content, sizeof(p->content));
}

int gpu_vk_pre_run_to(struct gpu_vk_pre *pre, struct gpu_vk_importer *imp, const struct cam_frame *f,
                      const struct gpu_pre_xform *x, uint32_t n, struct gpu_vk_buffer *dst, uint64_t dst_off,
                      uint64_t timeout_ns) {
        struct gpu_vk_pipeline *pl;
        struct gpu_vk_buffer *b[3];
        uint64_t size;
        int fmt, r;

        if (!pre || !imp || !x || !dst || n == 0 || n > pre->max_batch)
                return -EINVAL;
        r = gpu_pre_frame_check(f);
        if (r < 0)
                return r;
        for (uint32_t i = 0; i < n; i++)
                if ((unsigned) x[i].border >= _GPU_PRE_BORDER_MAX)
                        return -EINVAL;
        size = gpu_pre_output_size(&pre->out);
        if ((dst_off + n * size) * sizeof(float) > dst->size || dst_off + n * size > UINT32_MAX)
                return -EINVAL;
        if (gpu_vk_ctx_is_lost(pre->vk))
                return -ENODEV;
        fmt = format_code(f->fourcc);
        if (fmt < 0)
                return fmt;

        b[0] = gpu_vk_importer_buffer(imp, f, f->planes[0].memory);
        b[1] = gpu_vk_importer_buffer(imp, f, f->planes[gpu_pre_chroma_plane(f->fourcc)].memory);
        b[2] = dst;
        if (!b[0] || !b[1])
                return -ESTALE;         /* not imported (or imported from other memory) */

        r = get_pipeline(pre, fmt, b, &pl);
        if (r < 0)
                return r;
        gpu_vk_pipeline_update(pl, pre->sets[fmt], b);

        r = gpu_vk_cmd_begin(pre->cmd);
        if (r < 0)
                return r;
        for (uint32_t i = 0; i < n; i++) {
                struct gpu_vk_pre_push push;
                make_push(f, &x[i], (uint32_t) (dst_off + i * size), &push);
                gpu_vk_cmd_dispatch(pre->cmd, pl, pre->sets[fmt], &push, DIV_ROUND_UP(pre->out.width, PRE_LOCAL),
                                    DIV_ROUND_UP(pre->out.height, PRE_LOCAL), 1);
        }
        gpu_vk_cmd_barrier(pre->cmd);
        r = gpu_vk_cmd_end(pre->cmd);
        if (r < 0)
                return r;
        r = gpu_vk_cmd_submit(pre->cmd);
        if (r < 0)
                return r;
        return gpu_vk_cmd_wait(pre->cmd, timeout_ns);
}

int gpu_vk_pre_run(struct gpu_vk_pre *pre, struct gpu_vk_importer *imp, const struct cam_frame *f,
                   const struct gpu_pre_xform *x, uint32_t n, uint64_t timeout_ns, float *out) {
        uint64_t size;
        int r;

        if (!pre)
                return -EINVAL;
        size = gpu_pre_output_size(&pre->out);
        if (!pre->output) {
                r = gpu_vk_buffer_new(pre->vk, &(struct gpu_vk_buffer_params) {
                                              .size = size * pre->max_batch * sizeof(float), .host_visible = true,
                                              .name = "preprocess.output" }, &pre->output);
                if (r < 0)
                        return r;
        }
        r = gpu_vk_pre_run_to(pre, imp, f, x, n, pre->output, 0, timeout_ns);
        if (r < 0)
                return r;
        if (out)
                memcpy(out, pre->output->map, n * size * sizeof(float));
        return 0;
}
