/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The OpenCL backend: context (platform/device selection), program builds
 * from embedded kernel sources with an on-disk binary cache, frame import
 * and preprocessing. This header carries no OpenCL types, so callers (svc/)
 * need no OpenCL headers; gpu/cl/cl-internal.h has the rest.
 *
 * Errors are negative errno. The ones a caller should treat as "fall back to
 * the CPU backend": -ENODEV (no ICD, no platform, no usable device),
 * -ENOEXEC (a kernel failed to build; gpu_cl_ctx_build_log() has the log),
 * -EOPNOTSUPP (no online compiler), -ENOMEM (out of device or host memory,
 * CL_OUT_OF_RESOURCES included), -EIO (the device failed while executing).
 *
 * Threading: one context is used from one thread at a time.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"

struct gpu_cl_ctx;

/* Where a fault may be injected (tests). Each names the OpenCL call it stands for. */
enum gpu_cl_fault_point {
        GPU_CL_FAULT_PLATFORM,  /* clGetPlatformIDs */
        GPU_CL_FAULT_CONTEXT,   /* clCreateContext */
        GPU_CL_FAULT_BUILD,     /* clBuildProgram (source builds) */
        GPU_CL_FAULT_ALLOC,     /* clCreateBuffer */
        GPU_CL_FAULT_ENQUEUE,   /* clEnqueueNDRangeKernel */
        GPU_CL_FAULT_FINISH,    /* clFinish */
        _GPU_CL_FAULT_MAX,
        _GPU_CL_FAULT_INVALID = -EINVAL,
};
const char *gpu_cl_fault_point_to_string(enum gpu_cl_fault_point p);

/*
 * Fault hook: called before the OpenCL call named by `point`; `what` names
 * the object (kernel, buffer, program). Returning a non-zero OpenCL status
 * (e.g. CL_OUT_OF_RESOURCES == -5) makes the backend act as if the call had
 * returned it; returning 0 lets the call run.
 */
typedef int (*gpu_cl_fault_fn)(enum gpu_cl_fault_point point, const char *what, void *userdata);

struct gpu_cl_ctx_params {
        const char *device;     /* case-insensitive substring of the device name; NULL: best */
        bool prefer_cpu;        /* rank CPU devices above GPUs (default: GPU first) */
        bool gpu_only;          /* never a CPU device (automatic backend choice: the CPU backend is faster) */
        const char *cache_dir;  /* program binary cache directory; NULL: no cache */
        gpu_cl_fault_fn fault;  /* optional fault injection hook */
        void *fault_userdata;
};

/* Counters of program builds, for tests and the bench. */
struct gpu_cl_build_stats {
        unsigned builds;        /* programs built from source */
        unsigned cache_hits;    /* programs loaded from a cached binary */
        unsigned cache_rejects; /* cache entries found but unusable (corrupt, stale) */
        unsigned cache_writes;  /* entries written */
        uint64_t build_ns;      /* time spent building/loading programs */
};

int gpu_cl_ctx_new(const struct gpu_cl_ctx_params *p, struct gpu_cl_ctx **ret);
struct gpu_cl_ctx *gpu_cl_ctx_free(struct gpu_cl_ctx *ctx);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cl_ctx *, gpu_cl_ctx_free);

const char *gpu_cl_ctx_device_name(const struct gpu_cl_ctx *ctx);
const char *gpu_cl_ctx_platform_name(const struct gpu_cl_ctx *ctx);
bool gpu_cl_ctx_is_gpu(const struct gpu_cl_ctx *ctx);
bool gpu_cl_ctx_has_extension(const struct gpu_cl_ctx *ctx, const char *ext);
/* The log of the last failed build (or "" if none). Owned by ctx. */
const char *gpu_cl_ctx_build_log(const struct gpu_cl_ctx *ctx);
void gpu_cl_ctx_build_stats(const struct gpu_cl_ctx *ctx, struct gpu_cl_build_stats *ret);

/* Builds every embedded program now (they are otherwise built on first use). */
int gpu_cl_ctx_build_all(struct gpu_cl_ctx *ctx);

/* Name of an OpenCL status code ("CL_OUT_OF_RESOURCES"), or NULL if unknown. */
const char *gpu_cl_status_to_string(int status);
/* The one place an OpenCL status becomes a negative errno (0 for CL_SUCCESS). */
int gpu_cl_status_to_errno(int status);

/*
 * Frame import: makes a capture frame's memory readable by kernels. Tried in
 * order, starting at params.first: dma-buf import (cl_khr_external_memory_dma_buf),
 * the page-aligned CPU mapping wrapped with CL_MEM_USE_HOST_PTR (kept only when
 * the ICD proves it zero-copy: mapping it returns the same pointer), then a
 * copy into a device buffer per frame, every byte counted.
 * Imports are cached per buffer index and reused while the stream lasts
 * (frame.h: a buffer's fd and mapping are stable for the stream).
 */
struct cam_frame;
struct gpu_cl_importer;

enum gpu_cl_import_path {
        GPU_CL_IMPORT_DMABUF,
        GPU_CL_IMPORT_HOST,
        GPU_CL_IMPORT_COPY,
        _GPU_CL_IMPORT_PATH_MAX,
        _GPU_CL_IMPORT_PATH_INVALID = -EINVAL,
};
const char *gpu_cl_import_path_to_string(enum gpu_cl_import_path p);  /* "dmabuf", "host", "copy" */

struct gpu_cl_importer_params {
        enum gpu_cl_import_path first;  /* first path to try (default DMABUF: all of them) */
};

struct gpu_cl_import_stats {
        uint64_t frames;                /* frames imported */
        uint64_t imports;               /* memory objects created (once per buffer, ideally) */
        uint64_t bytes_copied;          /* bytes the copy path wrote to the device */
        enum gpu_cl_import_path path;   /* path of the last frame's first memory buffer */
};

/* Whether the device can import dma-bufs; *ret_reason says why not (static string). */
bool gpu_cl_ctx_can_import_dmabuf(const struct gpu_cl_ctx *ctx, const char **ret_reason);

int gpu_cl_importer_new(struct gpu_cl_ctx *ctx, const struct gpu_cl_importer_params *p,
                        struct gpu_cl_importer **ret);
struct gpu_cl_importer *gpu_cl_importer_free(struct gpu_cl_importer *im);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cl_importer *, gpu_cl_importer_free);
void gpu_cl_importer_stats(const struct gpu_cl_importer *im, struct gpu_cl_import_stats *ret);
/* Drops every cached import (the stream stopped: buffers are about to go away). */
void gpu_cl_importer_flush(struct gpu_cl_importer *im);

/*
 * Preprocessing on the device: gpu/preprocess.h's operation as a kernel,
 * reading the frame through an importer. One gpu_cl_pre per output
 * description (a model's input); per frame only the xform changes.
 */
struct gpu_pre_output;
struct gpu_pre_xform;
struct gpu_cl_pre;

int gpu_cl_pre_new(struct gpu_cl_ctx *ctx, const struct gpu_pre_output *o, struct gpu_cl_pre **ret);
struct gpu_cl_pre *gpu_cl_pre_free(struct gpu_cl_pre *pre);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_cl_pre *, gpu_cl_pre_free);
/* Runs and reads the gpu_pre_output_size() floats back into out (tests, CPU consumers). */
int gpu_cl_pre_run_host(struct gpu_cl_pre *pre, struct gpu_cl_importer *im, const struct cam_frame *f,
                        const struct gpu_pre_xform *x, float *out);

/*
 * The zero-copy pipeline: preprocesses frame f on the device straight into
 * graph input `index` of an OpenCL model, in place of gpu_model_set_input();
 * then run the model as usual. `model` is the OpenCL backend's model object
 * (what gpu_cl_backend_ops.model_new() returned); pre and im must belong to
 * the backend's context (its ctx object is a struct gpu_cl_ctx). The input
 * tensor must hold exactly gpu_pre_output_size() floats (-EINVAL), and pre
 * must come from the same context (-EXDEV).
 */
int gpu_cl_model_preprocess(void *model, size_t index, struct gpu_cl_pre *pre, struct gpu_cl_importer *im,
                            const struct cam_frame *f, const struct gpu_pre_xform *x);
