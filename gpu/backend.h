/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Backends: the CPU backend (gpu/cpu/, always built; the reference) and the
 * GPU backends (Vulkan gpu/vk/, OpenCL gpu/cl/) run the same planned graph
 * (gpu/graph.h). Contract (stable; later changes are additive only):
 *
 *  Phases
 *    gpu_backend_new()   once per process or pipeline: opens the device
 *                        (instance, queue, context, thread pool).
 *    gpu_model_new()     once per model: the graph must be planned
 *                        (gpu_graph_plan). The backend uploads constants,
 *                        builds pipelines/kernels with the shapes known now,
 *                        and allocates the arena (graph->arena_size bytes,
 *                        tensors at tensor->offset). It may keep a const
 *                        pointer to the graph: the caller keeps the graph
 *                        alive until gpu_model_free().
 *    per inference       gpu_model_set_input() for every graph input,
 *                        gpu_model_run(), gpu_model_get_output(): no
 *                        allocation, no pipeline creation.
 *
 *  Frames: gpu_model_set_input_frame() fills an input straight from a
 *                        camera frame (gpu/preprocess.h). A backend with the
 *                        optional set_input_frame op imports the frame and
 *                        preprocesses on its device; for the others the
 *                        wrapper runs gpu_pre_run_cpu() into a host buffer
 *                        made once per model and calls set_input().
 *
 *  Transfers: struct gpu_backend counts, cumulatively, the bytes it moves
 *  between host memory and the device (gpu_backend_get_transfer()):
 *  set_input() uploads, get_output() downloads, pixel copies the backend
 *  reports from set_input_frame(). The CPU backend's "device" is its arena:
 *  set_input()/get_output() copy tensors in and out of it and are counted the
 *  same way, its set_input_frame() writes into the arena and moves nothing.
 *
 *  Ownership: struct gpu_backend owns its device context; struct gpu_model
 *  holds a reference to neither the backend nor the graph: free models
 *  before their backend and before their graph.
 *
 *  Threads: one gpu_model is used by one thread at a time. Different models
 *  of one backend may run on different threads only if the backend says so
 *  (caps.concurrent_models); the CPU backend does. gpu_backend_new/free are
 *  not thread-safe with respect to the backend's models.
 *
 *  Errors: negative errno. -ENODEV/-EOPNOTSUPP from gpu_backend_new() mean
 *  "backend not available here" (no device, not built): callers fall back to
 *  the CPU. Calls that take err/errlen write a one-line reason there (naming
 *  the node where one is at fault); it is always NUL-terminated.
 *
 *  Adding a backend: define `const struct gpu_backend_ops gpu_vk_backend_ops`
 *  (or gpu_cl_backend_ops) in your library and, in your fragment, name that
 *  library:  `GPU_VK_BACKEND := gpuvk`  (or `GPU_CL_BACKEND := gpucl`).
 *  gpu/engine.mk then links it into every program that uses $(GPU_ENGINE_LIBS)
 *  and drops the "not available" stub (gpu/backend-stub-*.c). Link order is
 *  gpureg (this registry) → the GPU backends → gpu (graph, loader, CPU
 *  backend) → gpukern, so a GPU backend may call anything in gpu/graph.h.
 */

#include <stdbool.h>
#include <stddef.h>

#include "gpu/graph.h"
#include "gpu/preprocess.h"
#include "v4l2/frame.h"

struct gpu_backend_params {
        unsigned n_threads;             /* CPU worker threads; 0 = one per online CPU */
        const char *device;             /* optional device selector (backend-specific), NULL = default */
};

/* How a frame's pixels reached the backend. */
enum gpu_import_path {
        GPU_IMPORT_HOST,        /* the CPU read the frame's mapping (CPU backend, or the fallback) */
        GPU_IMPORT_DMABUF,      /* the dma-buf was imported as device memory */
        GPU_IMPORT_HOSTPTR,     /* the CPU mapping was imported as device-visible memory */
        GPU_IMPORT_COPY,        /* the pixels were copied to the device */
        _GPU_IMPORT_PATH_MAX,
        _GPU_IMPORT_PATH_INVALID = -EINVAL,
};
const char *gpu_import_path_to_string(enum gpu_import_path p);  /* "host", "dmabuf", "hostptr", "copy" */
enum gpu_import_path gpu_import_path_from_string(const char *s);

/* What one set_input_frame() call did with the frame's pixels. */
struct gpu_frame_import {
        enum gpu_import_path path;
        uint64_t bytes_copied;          /* pixel bytes copied host → device by this call */
};

/* Cumulative transfer counters of one backend context (all its models). */
struct gpu_transfer_stats {
        enum gpu_import_path import_path;       /* of the latest frame; _GPU_IMPORT_PATH_INVALID before one */
        uint64_t frames;                /* distinct frames given to set_input_frame */
        uint64_t import_bytes_copied;   /* pixel bytes of the copy import path */
        uint64_t bytes_to_device;       /* host → device: input tensors and pixel copies */
        uint64_t bytes_from_device;     /* device → host: output tensors */
};

struct gpu_backend_caps {
        bool concurrent_models;         /* models may run on different threads at once */
};

/*
 * The table a backend implements. Every entry is required unless marked
 * optional. ctx is the backend's device context, model its per-model state.
 */
struct gpu_backend_ops {
        const char *name;               /* "cpu", "vulkan", "opencl" */

        /* Optional: cheap check whether the backend can work here; 0 or -ENODEV with a reason. */
        int (*probe)(char *err, size_t errlen);

        int (*ctx_new)(const struct gpu_backend_params *p, void **ret_ctx, char *err, size_t errlen);
        void (*ctx_free)(void *ctx);
        /* Optional: fills caps; absent means all false. */
        void (*get_caps)(void *ctx, struct gpu_backend_caps *ret);

        int (*model_new)(void *ctx, const struct gpu_graph *g, void **ret_model, char *err, size_t errlen);
        void (*model_free)(void *model);
        /* index is a position in graph->inputs / graph->outputs; count the tensor's element count. */
        int (*set_input)(void *model, size_t index, const float *data, size_t count);
        int (*run)(void *model);
        int (*get_output)(void *model, size_t index, float *data, size_t count);

        /*
         * Optional: fills graph input `index` from camera frame f, n images
         * preprocessed with output description o and xforms x[0..n-1] into
         * batch slots 0..n-1, writing where the next run() reads it. The
         * tensor holds a whole number of o-sized images, at least n (checked
         * by the wrapper). Returns when the frame may be released. ret gets
         * the import path and the pixel bytes copied to the device. Frames
         * flagged CAM_FRAME_STILL are never cached. Absent: the wrapper
         * preprocesses on the CPU and calls set_input().
         */
        int (*set_input_frame)(void *model, size_t index, const struct cam_frame *f,
                               const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n,
                               struct gpu_frame_import *ret);
        /* Optional: drops the context's cached frame imports (a stream stopped or restarted). */
        void (*reset_frames)(void *ctx);
};

extern const struct gpu_backend_ops gpu_cpu_backend_ops;
extern const struct gpu_backend_ops gpu_vk_backend_ops;
extern const struct gpu_backend_ops gpu_cl_backend_ops;

/* Registry: the backends known to this build, in order of preference for "auto" use. */
const struct gpu_backend_ops *gpu_backend_find(const char *name);
const struct gpu_backend_ops *const *gpu_backend_list(size_t *ret_n);

struct gpu_backend;
struct gpu_model;

/* -ENOENT for an unknown name, -ENODEV/-EOPNOTSUPP when not available. */
int gpu_backend_new(const char *name, const struct gpu_backend_params *p, struct gpu_backend **ret,
                    char *err, size_t errlen);
struct gpu_backend *gpu_backend_free(struct gpu_backend *b);
const char *gpu_backend_name(const struct gpu_backend *b);
void gpu_backend_get_caps(const struct gpu_backend *b, struct gpu_backend_caps *ret);

/* g must be planned and outlive the model. */
int gpu_model_new(struct gpu_backend *b, const struct gpu_graph *g, struct gpu_model **ret, char *err,
                  size_t errlen);
struct gpu_model *gpu_model_free(struct gpu_model *m);
const struct gpu_graph *gpu_model_graph(const struct gpu_model *m);
/* -EINVAL when count differs from the tensor's element count, -ERANGE on a bad index. */
int gpu_model_set_input(struct gpu_model *m, size_t index, const float *data, size_t count);
int gpu_model_run(struct gpu_model *m);
int gpu_model_get_output(struct gpu_model *m, size_t index, float *data, size_t count);

/*
 * Fills input `index` from a camera frame (see "Frames" above): n >= 1
 * images of o with xforms x[0..n-1]. -EINVAL when the tensor does not hold
 * n whole images of o, -ERANGE on a bad index, the errors of
 * gpu_pre_frame_check() for a bad frame. The frame may be released once
 * this returns.
 */
int gpu_model_set_input_frame(struct gpu_model *m, size_t index, const struct cam_frame *f,
                              const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n);

/* Forgets cached frame imports: call when a stream stops or restarts. */
void gpu_backend_reset_frames(struct gpu_backend *b);
/* The cumulative transfer counters (see "Transfers" above); any thread. */
void gpu_backend_get_transfer(const struct gpu_backend *b, struct gpu_transfer_stats *ret);

#include "common/macro.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_backend *, gpu_backend_free);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_model *, gpu_model_free);
