/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Frame import: dma-buf, host pointer or copy, one cl_mem per frame memory
 * buffer, cached by buffer index for the life of the stream.
 */
#include "gpu/cl/cl-internal.h"

#define IMPORTER_MAX_SLOTS 64u

struct gpu_cl_importer {
        struct gpu_cl_ctx *ctx;
        enum gpu_cl_import_path first;
        clEnqueueAcquireExternalMemObjectsKHR_fn acquire;
        clEnqueueReleaseExternalMemObjectsKHR_fn release;
        struct gpu_cl_frame *slots[IMPORTER_MAX_SLOTS];
        struct gpu_cl_import_stats stats;
};

static const char *const path_table[_GPU_CL_IMPORT_PATH_MAX] = {
        [GPU_CL_IMPORT_DMABUF] = "dmabuf",
        [GPU_CL_IMPORT_HOST] = "host",
        [GPU_CL_IMPORT_COPY] = "copy",
};

const char *gpu_cl_import_path_to_string(enum gpu_cl_import_path p) {
        return p >= 0 && p < _GPU_CL_IMPORT_PATH_MAX ? path_table[p] : NULL;
}

bool gpu_cl_ctx_can_import_dmabuf(const struct gpu_cl_ctx *ctx, const char **ret_reason) {
        const char *why = NULL;
        if (!gpu_cl_ctx_has_extension(ctx, "cl_khr_external_memory_dma_buf"))
                why = "device lacks cl_khr_external_memory_dma_buf";
        else if (!clGetExtensionFunctionAddressForPlatform(ctx->platform, "clEnqueueAcquireExternalMemObjectsKHR"))
                why = "platform lacks clEnqueueAcquireExternalMemObjectsKHR";
        if (ret_reason)
                *ret_reason = why ?: "supported";
        return !why;
}

static struct gpu_cl_frame *frame_free(struct gpu_cl_frame *fr) {
        if (!fr)
                return NULL;
        for (unsigned i = 0; i < CAM_FRAME_MAX_MEMORY; i++)
                gpu_cl_mem_releasep(&fr->mem[i]);
        free(fr);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cl_frame *, frame_free);

int gpu_cl_importer_new(struct gpu_cl_ctx *ctx, const struct gpu_cl_importer_params *p,
                        struct gpu_cl_importer **ret) {
        struct gpu_cl_importer *im = calloc(1, sizeof *im);
        if (!im)
                return -ENOMEM;
        im->ctx = ctx;
        im->first = p ? p->first : GPU_CL_IMPORT_DMABUF;
        if (im->first < 0 || im->first >= _GPU_CL_IMPORT_PATH_MAX) {
                free(im);
                return -EINVAL;
        }
        const char *why;
        if (im->first == GPU_CL_IMPORT_DMABUF && gpu_cl_ctx_can_import_dmabuf(ctx, &why)) {
                im->acquire = (clEnqueueAcquireExternalMemObjectsKHR_fn) clGetExtensionFunctionAddressForPlatform(
                        ctx->platform, "clEnqueueAcquireExternalMemObjectsKHR");
                im->release = (clEnqueueReleaseExternalMemObjectsKHR_fn) clGetExtensionFunctionAddressForPlatform(
                        ctx->platform, "clEnqueueReleaseExternalMemObjectsKHR");
        } else if (im->first == GPU_CL_IMPORT_DMABUF)
                ls_debug("OpenCL dma-buf import unavailable on '%s': %s", ctx->device_name, why);
        im->stats.path = im->first;
        *ret = im;
        return 0;
}

void gpu_cl_importer_flush(struct gpu_cl_importer *im) {
        if (im->ctx->queue)
                (void) clFinish(im->ctx->queue);
        for (unsigned i = 0; i < IMPORTER_MAX_SLOTS; i++)
                im->slots[i] = frame_free(im->slots[i]);
}

struct gpu_cl_importer *gpu_cl_importer_free(struct gpu_cl_importer *im) {
        if (!im)
                return NULL;
        gpu_cl_importer_flush(im);
        free(im);
        return NULL;
}

void gpu_cl_importer_stats(const struct gpu_cl_importer *im, struct gpu_cl_import_stats *ret) {
        *ret = im->stats;
}

static int import_dmabuf(struct gpu_cl_importer *im, const struct cam_frame_memory *m, cl_mem *ret) {
        if (!im->acquire || !im->release || m->dmabuf_fd < 0)
                return -EOPNOTSUPP;
        const cl_mem_properties props[] = {
                CL_EXTERNAL_MEMORY_HANDLE_DMA_BUF_KHR, (cl_mem_properties) m->dmabuf_fd, 0,
        };
        cl_int st = gpu_cl_inject(im->ctx, GPU_CL_FAULT_ALLOC, "dmabuf");
        cl_mem mem = NULL;
        if (st == CL_SUCCESS)
                mem = clCreateBufferWithProperties(im->ctx->context, props, CL_MEM_READ_ONLY, m->length, NULL, &st);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clCreateBufferWithProperties(DMA_BUF)");
        *ret = mem;
        return 0;
}

/* Wraps the mapping; succeeds only if the ICD reads it in place (no hidden copy). */
static int import_host(struct gpu_cl_importer *im, const struct cam_frame_memory *m, cl_mem *ret) {
        struct gpu_cl_ctx *ctx = im->ctx;
        if ((uintptr_t) m->data % ctx->base_addr_align != 0)
                return ls_debug_errno(-EOPNOTSUPP, "Frame mapping %p not aligned to %zu bytes", m->data,
                                      ctx->base_addr_align);
        _cleanup_cl_mem_ cl_mem mem = NULL;
        /* The buffer is only read by kernels; USE_HOST_PTR needs a non-const pointer. */
        int r = gpu_cl_buffer_new(ctx, "frame.host", CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR, m->length,
                                  (void *) m->data, &mem);
        if (r < 0)
                return r;
        cl_int st;
        void *p = clEnqueueMapBuffer(ctx->queue, mem, CL_TRUE, CL_MAP_READ, 0, m->length, 0, NULL, NULL, &st);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clEnqueueMapBuffer");
        (void) clEnqueueUnmapMemObject(ctx->queue, mem, p, 0, NULL, NULL);
        if (p != m->data)
                return ls_debug_errno(-EOPNOTSUPP, "'%s' copies CL_MEM_USE_HOST_PTR buffers (mapped at %p, not %p)",
                                      ctx->device_name, p, m->data);
        *ret = TAKE_PTR(mem);
        return 0;
}

static int import_copy(struct gpu_cl_importer *im, const struct cam_frame_memory *m, cl_mem *ret) {
        return gpu_cl_buffer_new(im->ctx, "frame.copy", CL_MEM_READ_ONLY, m->length, NULL, ret);
}

static int import_memory(struct gpu_cl_importer *im, const struct cam_frame_memory *m, cl_mem *ret,
                         enum gpu_cl_import_path *ret_path) {
        static int (*const importers[_GPU_CL_IMPORT_PATH_MAX])(struct gpu_cl_importer *,
                                                               const struct cam_frame_memory *, cl_mem *) = {
                [GPU_CL_IMPORT_DMABUF] = import_dmabuf,
                [GPU_CL_IMPORT_HOST] = import_host,
                [GPU_CL_IMPORT_COPY] = import_copy,
        };
        int r = -EOPNOTSUPP;
        for (int p = im->first; p < _GPU_CL_IMPORT_PATH_MAX; p++) {
                r = importers[p](im, m, ret);
                if (r >= 0) {
                        *ret_path = p;
                        return 0;
                }
                /* Running out of memory is not a reason to try a path that needs more. */
                if (r == -ENOMEM && p == GPU_CL_IMPORT_COPY)
                        break;
        }
        return r;
}

static bool frame_matches(const struct gpu_cl_frame *fr, const struct cam_frame *f) {
        if (fr->n_memory != f->n_memory)
                return false;
        for (unsigned i = 0; i < f->n_memory; i++)
                if (fr->data[i] != f->memory[i].data || fr->fd[i] != f->memory[i].dmabuf_fd ||
                    fr->length[i] != f->memory[i].length)
                        return false;
        return true;
}

static int frame_new(struct gpu_cl_importer *im, const struct cam_frame *f, struct gpu_cl_frame **ret) {
        _cleanup_(frame_freep) struct gpu_cl_frame *fr = calloc(1, sizeof *fr);
        if (!fr)
                return -ENOMEM;
        fr->index = f->index;
        fr->n_memory = f->n_memory;
        for (unsigned i = 0; i < f->n_memory; i++) {
                const struct cam_frame_memory *m = &f->memory[i];
                int r = import_memory(im, m, &fr->mem[i], &fr->mem_path[i]);
                if (r < 0)
                        return r;
                fr->data[i] = m->data;
                fr->fd[i] = m->dmabuf_fd;
                fr->length[i] = m->length;
                im->stats.imports++;
                ls_debug("Frame buffer %u memory %u imported via %s", f->index, i,
                         gpu_cl_import_path_to_string(fr->mem_path[i]));
        }
        fr->path = fr->mem_path[0];
        *ret = TAKE_PTR(fr);
        return 0;
}

/* Brings the device's view of memory i up to date with the frame's contents. */
static int frame_sync(struct gpu_cl_importer *im, struct gpu_cl_frame *fr, const struct cam_frame *f, unsigned i) {
        struct gpu_cl_ctx *ctx = im->ctx;
        const struct cam_frame_memory *m = &f->memory[i];
        cl_int st;

        switch (fr->mem_path[i]) {
        case GPU_CL_IMPORT_DMABUF:
                st = im->acquire(ctx->queue, 1, &fr->mem[i], 0, NULL, NULL);
                return st == CL_SUCCESS ? 0 : gpu_cl_debug_status(st, "clEnqueueAcquireExternalMemObjectsKHR");
        case GPU_CL_IMPORT_HOST: {
                /* A map/unmap for writing tells the ICD the host changed the bytes; free when zero-copy. */
                void *p = clEnqueueMapBuffer(ctx->queue, fr->mem[i], CL_FALSE, CL_MAP_WRITE, 0, m->length, 0, NULL,
                                             NULL, &st);
                if (st == CL_SUCCESS)
                        st = clEnqueueUnmapMemObject(ctx->queue, fr->mem[i], p, 0, NULL, NULL);
                return st == CL_SUCCESS ? 0 : gpu_cl_debug_status(st, "clEnqueueMapBuffer(sync)");
        }
        case GPU_CL_IMPORT_COPY: {
                size_t n = m->bytesused > 0 && m->bytesused <= m->length ? m->bytesused : m->length;
                /* Blocking: the producer may reuse the buffer once the frame is released. */
                st = clEnqueueWriteBuffer(ctx->queue, fr->mem[i], CL_TRUE, 0, n, m->data, 0, NULL, NULL);
                if (st != CL_SUCCESS)
                        return gpu_cl_debug_status(st, "clEnqueueWriteBuffer(frame)");
                im->stats.bytes_copied += n;
                return 0;
        }
        default:
                return -EINVAL;
        }
}

int gpu_cl_importer_import(struct gpu_cl_importer *im, const struct cam_frame *f, const struct gpu_cl_frame **ret) {
        if (f->n_memory == 0 || f->n_memory > CAM_FRAME_MAX_MEMORY || f->index >= IMPORTER_MAX_SLOTS)
                return -EINVAL;
        for (unsigned i = 0; i < f->n_memory; i++)
                if (!f->memory[i].data || f->memory[i].length == 0)
                        return -EINVAL;

        struct gpu_cl_frame **slot = &im->slots[f->index];
        if (*slot && !frame_matches(*slot, f)) {
                /* Same index, other memory: the stream was restarted without a flush. */
                (void) clFinish(im->ctx->queue);
                *slot = frame_free(*slot);
        }
        if (!*slot) {
                int r = frame_new(im, f, slot);
                if (r < 0)
                        return r;
        }
        for (unsigned i = 0; i < f->n_memory; i++) {
                int r = frame_sync(im, *slot, f, i);
                if (r < 0)
                        return r;
        }
        im->stats.frames++;
        im->stats.path = (*slot)->path;
        *ret = *slot;
        return 0;
}

int gpu_cl_importer_done(struct gpu_cl_importer *im, const struct gpu_cl_frame *fr) {
        for (unsigned i = 0; i < fr->n_memory; i++) {
                if (fr->mem_path[i] != GPU_CL_IMPORT_DMABUF)
                        continue;
                cl_int st = im->release(im->ctx->queue, 1, &fr->mem[i], 0, NULL, NULL);
                if (st != CL_SUCCESS)
                        return gpu_cl_debug_status(st, "clEnqueueReleaseExternalMemObjectsKHR");
        }
        return 0;
}
