/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host side of the preprocessing kernel (gpu/cl/kernels/preprocess.cl). */
#include <linux/videodev2.h>

#include "gpu/cl/cl-internal.h"
#include "gpu/preprocess.h"

struct gpu_cl_pre {
        struct gpu_cl_ctx *ctx;
        struct gpu_pre_output out;
        cl_kernel kernel;
        cl_mem host_out;        /* for gpu_cl_pre_run_host(), made on first use */
};

/* Format numbers of preprocess.cl. */
static int fourcc_to_fmt(uint32_t fourcc) {
        switch (fourcc) {
        case V4L2_PIX_FMT_GREY:
                return 0;
        case V4L2_PIX_FMT_RGB24:
                return 1;
        case V4L2_PIX_FMT_BGR24:
                return 2;
        case V4L2_PIX_FMT_YUYV:
                return 3;
        case V4L2_PIX_FMT_UYVY:
                return 4;
        case V4L2_PIX_FMT_NV12:
                return 5;
        default:
                return -EOPNOTSUPP;
        }
}

int gpu_cl_pre_new(struct gpu_cl_ctx *ctx, const struct gpu_pre_output *o, struct gpu_cl_pre **ret) {
        int r = gpu_pre_output_check(o);
        if (r < 0)
                return r;
        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *pre = calloc(1, sizeof *pre);
        if (!pre)
                return -ENOMEM;
        pre->ctx = ctx;
        pre->out = *o;
        r = gpu_cl_kernel_new(ctx, GPU_CL_SOURCE_PREPROCESS, "preprocess", &pre->kernel);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pre);
        return 0;
}

struct gpu_cl_pre *gpu_cl_pre_free(struct gpu_cl_pre *pre) {
        if (!pre)
                return NULL;
        gpu_cl_kernel_releasep(&pre->kernel);
        gpu_cl_mem_releasep(&pre->host_out);
        free(pre);
        return NULL;
}

int gpu_cl_pre_run(struct gpu_cl_pre *pre, struct gpu_cl_importer *im, const struct cam_frame *f,
                   const struct gpu_pre_xform *x, cl_mem out, size_t out_offset) {
        const struct gpu_pre_output *o = &pre->out;
        int r = gpu_pre_frame_check(f);
        if (r < 0)
                return r;
        if (!x || (unsigned) x->border >= _GPU_PRE_BORDER_MAX || out_offset > UINT32_MAX)
                return -EINVAL;
        int fmt = fourcc_to_fmt(f->fourcc);
        if (fmt < 0)
                return fmt;

        const struct gpu_cl_frame *fr;
        r = gpu_cl_importer_import(im, f, &fr);
        if (r < 0)
                return r;

        /* As the reference: never read outside the frame, whatever src_rect says. */
        int32_t fw = (int32_t) f->width, fh = (int32_t) f->height;
        cl_int4 rect = { .s = { CLAMP(x->src_rect[0], 0, fw), CLAMP(x->src_rect[1], 0, fh) } };
        rect.s[2] = CLAMP(x->src_rect[2], rect.s[0], fw);
        rect.s[3] = CLAMP(x->src_rect[3], rect.s[1], fh);
        cl_int4 content = { .s = { x->content[0], x->content[1], x->content[2], x->content[3] } };
        unsigned cp = gpu_pre_chroma_plane(f->fourcc);
        cl_mem mem0 = fr->mem[f->planes[0].memory], mem1 = fr->mem[f->planes[cp].memory];
        cl_uint off0 = f->planes[0].offset, stride0 = f->planes[0].stride;
        cl_uint off1 = f->planes[cp].offset, stride1 = f->planes[cp].stride;
        cl_int ifmt = fmt, ifw = fw, ifh = fh, zero = x->border == GPU_PRE_BORDER_ZERO;
        cl_uint ooff = (cl_uint) out_offset;
        cl_int ow = (cl_int) o->width, oh = (cl_int) o->height, nchw = o->layout == GPU_PRE_NCHW,
               bgr = o->order == GPU_PRE_BGR;
        cl_float4 mean = { .s = { o->mean[0], o->mean[1], o->mean[2], 0 } };
        cl_float4 scale = { .s = { o->scale[0], o->scale[1], o->scale[2], 0 } };
        cl_float m[6];
        for (unsigned i = 0; i < 6; i++)
                m[i] = x->m[i];

        cl_kernel k = pre->kernel;
        cl_uint a = 0;
        if ((r = GPU_CL_ARG(k, a++, mem0)) < 0 || (r = GPU_CL_ARG(k, a++, off0)) < 0 ||
            (r = GPU_CL_ARG(k, a++, stride0)) < 0 || (r = GPU_CL_ARG(k, a++, mem1)) < 0 ||
            (r = GPU_CL_ARG(k, a++, off1)) < 0 || (r = GPU_CL_ARG(k, a++, stride1)) < 0 ||
            (r = GPU_CL_ARG(k, a++, ifmt)) < 0 || (r = GPU_CL_ARG(k, a++, ifw)) < 0 ||
            (r = GPU_CL_ARG(k, a++, ifh)) < 0)
                goto done;
        for (unsigned i = 0; i < 6; i++)
                if ((r = GPU_CL_ARG(k, a++, m[i])) < 0)
                        goto done;
        if ((r = GPU_CL_ARG(k, a++, content)) < 0 || (r = GPU_CL_ARG(k, a++, rect)) < 0 ||
            (r = GPU_CL_ARG(k, a++, zero)) < 0 || (r = GPU_CL_ARG(k, a++, out)) < 0 ||
            (r = GPU_CL_ARG(k, a++, ooff)) < 0 || (r = GPU_CL_ARG(k, a++, ow)) < 0 ||
            (r = GPU_CL_ARG(k, a++, oh)) < 0 || (r = GPU_CL_ARG(k, a++, nchw)) < 0 ||
            (r = GPU_CL_ARG(k, a++, bgr)) < 0 || (r = GPU_CL_ARG(k, a++, mean)) < 0 ||
            (r = GPU_CL_ARG(k, a++, scale)) < 0)
                goto done;

        size_t global[2] = { o->width, o->height };
        r = gpu_cl_enqueue(pre->ctx, k, "preprocess", 2, global, NULL);
done:;
        /* dma-buf imports are handed back even when queueing failed. */
        int q = gpu_cl_importer_done(im, fr);
        return r < 0 ? r : q;
}

int gpu_cl_pre_run_host(struct gpu_cl_pre *pre, struct gpu_cl_importer *im, const struct cam_frame *f,
                        const struct gpu_pre_xform *x, float *out) {
        size_t bytes = (size_t) gpu_pre_output_size(&pre->out) * sizeof(float);
        int r;
        if (!pre->host_out) {
                r = gpu_cl_buffer_new(pre->ctx, "preprocess.out", CL_MEM_WRITE_ONLY, bytes, NULL, &pre->host_out);
                if (r < 0)
                        return r;
        }
        r = gpu_cl_pre_run(pre, im, f, x, pre->host_out, 0);
        if (r < 0)
                return r;
        cl_int st = clEnqueueReadBuffer(pre->ctx->queue, pre->host_out, CL_TRUE, 0, bytes, out, 0, NULL, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clEnqueueReadBuffer(preprocess)");
        return 0;
}

struct gpu_cl_ctx *gpu_cl_pre_ctx(const struct gpu_cl_pre *pre) {
        return pre->ctx;
}

size_t gpu_cl_pre_output_floats(const struct gpu_cl_pre *pre) {
        return (size_t) gpu_pre_output_size(&pre->out);
}

const struct gpu_pre_output *gpu_cl_pre_output(const struct gpu_cl_pre *pre) {
        return &pre->out;
}
