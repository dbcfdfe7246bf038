/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The Vulkan compute backend: device context, zero-copy frame import and
 * preprocessing. This header carries no Vulkan types, so callers (svc/) need
 * no Vulkan headers; gpu/vk/vk-internal.h has the rest.
 *
 * Errors are negative errno, converted from VkResult in one place
 * (gpu_vk_result_to_errno()). What a caller should treat as "fall back to the
 * CPU backend": -ENODEV (no ICD, no usable device, or the device was lost:
 * gpu_vk_ctx_is_lost() tells which), -ENOMEM (host or device memory),
 * -ENOEXEC (a pipeline failed to build), -EOPNOTSUPP (a feature the call
 * needs is missing).
 *
 * Threading: a context and everything made from it is used from one thread
 * at a time.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"
#include "gpu/preprocess.h"
#include "v4l2/frame.h"

struct gpu_vk_ctx;

/* Whether a CPU implementation (lavapipe, SwiftShader) may be picked. */
enum gpu_vk_cpu_policy {
        GPU_VK_CPU_FALLBACK,    /* only when no real GPU matches (default) */
        GPU_VK_CPU_NEVER,       /* never: -ENODEV instead */
        GPU_VK_CPU_PREFER,      /* rank it above GPUs (tests, debugging) */
        _GPU_VK_CPU_POLICY_MAX,
        _GPU_VK_CPU_POLICY_INVALID = -EINVAL,
};

/*
 * Fault injection (tests): called before each checked Vulkan call with its
 * name ("vkAllocateMemory"). Returning a VkResult error code (e.g.
 * VK_ERROR_DEVICE_LOST == -4) makes the backend act as if the call had
 * returned it without making it; returning 0 lets the call run.
 */
typedef int (*gpu_vk_fault_fn)(const char *call, void *userdata);

#define GPU_VK_ERROR_MAX 256

struct gpu_vk_ctx_params {
        const char *device_name;        /* case-insensitive substring of the device name */
        const char *device_uuid;        /* 32 hex digits, dashes ignored */
        const char *drm_node;           /* e.g. "/dev/dri/renderD128" (needs VK_EXT_physical_device_drm) */
        enum gpu_vk_cpu_policy cpu_policy;
        const char *cache_dir;          /* pipeline cache directory (CacheDirectory=); NULL: none */
        gpu_vk_fault_fn fault;          /* optional */
        void *fault_userdata;
        char *error;                    /* optional: GPU_VK_ERROR_MAX bytes, gets a one-line reason on failure */
        uint64_t timeout_ns;            /* bound of waits on the GPU; 0: $LANESIGHT_VK_TIMEOUT_MS or 30 s */
};

/* What the selected device offers. */
struct gpu_vk_caps {
        bool is_cpu;                    /* a CPU implementation (lavapipe) */
        bool dmabuf_import;             /* VK_EXT_external_memory_dma_buf + VK_KHR_external_memory_fd */
        bool host_import;               /* VK_EXT_external_memory_host */
        bool debug_utils;               /* object names visible in validation/RenderDoc */
        uint64_t min_host_import_align; /* minImportedHostPointerAlignment, 0 without host_import */
        uint32_t max_push_constants;
        char device_name[256];
        char driver_name[256];
        uint8_t device_uuid[16];
        /* Driver quirks. */
        bool bug_host_import_needs_page_size; /* alignment reported below the page size */
};

int gpu_vk_ctx_new(const struct gpu_vk_ctx_params *p, struct gpu_vk_ctx **ret);
/* Saves the pipeline cache (if a cache_dir was given) and frees everything. */
struct gpu_vk_ctx *gpu_vk_ctx_free(struct gpu_vk_ctx *vk);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_vk_ctx *, gpu_vk_ctx_free);

const struct gpu_vk_caps *gpu_vk_ctx_caps(const struct gpu_vk_ctx *vk);
/* The bound of waits on the GPU (params.timeout_ns or its default). */
uint64_t gpu_vk_ctx_timeout_ns(const struct gpu_vk_ctx *vk);
/* True once a call returned VK_ERROR_DEVICE_LOST: free the context and fall back. */
bool gpu_vk_ctx_is_lost(const struct gpu_vk_ctx *vk);

/* Writes the pipeline cache now (atomically). 0 without a cache_dir. */
int gpu_vk_ctx_save_cache(struct gpu_vk_ctx *vk);

/* Pipeline cache statistics of this context. */
struct gpu_vk_cache_stats {
        bool loaded;                    /* a valid cache file was found and used */
        bool rejected;                  /* a cache file was found but did not match this device/driver */
        uint64_t loaded_bytes;
        uint64_t saved_bytes;
};
void gpu_vk_ctx_cache_stats(const struct gpu_vk_ctx *vk, struct gpu_vk_cache_stats *ret);

/* The name of a VkResult ("VK_ERROR_DEVICE_LOST"), or NULL if unknown. */
const char *gpu_vk_result_to_string(int vkresult);
/* The one VkResult -> errno mapping (0 for success codes). */
int gpu_vk_result_to_errno(int vkresult);

const char *gpu_vk_cpu_policy_to_string(enum gpu_vk_cpu_policy p);
enum gpu_vk_cpu_policy gpu_vk_cpu_policy_from_string(const char *s);

/* --- zero-copy frame import (gpu/vk/import.c) --- */

enum gpu_vk_import_path {
        GPU_VK_IMPORT_DMABUF,   /* the dma-buf fd imported as device memory */
        GPU_VK_IMPORT_HOST,     /* the CPU mapping imported as host memory */
        GPU_VK_IMPORT_COPY,     /* copied into a staging buffer every frame */
        _GPU_VK_IMPORT_PATH_MAX,
        _GPU_VK_IMPORT_PATH_INVALID = -EINVAL,
};
const char *gpu_vk_import_path_to_string(enum gpu_vk_import_path p);
enum gpu_vk_import_path gpu_vk_import_path_from_string(const char *s);

struct gpu_vk_importer;

struct gpu_vk_importer_params {
        /* Paths that may be tried, bit (1 << enum gpu_vk_import_path); 0 means all. */
        unsigned allowed_paths;
};

struct gpu_vk_import_stats {
        enum gpu_vk_import_path last_path;      /* of the most recent import */
        uint64_t imports[_GPU_VK_IMPORT_PATH_MAX];      /* memory buffers set up, per path */
        uint64_t frames[_GPU_VK_IMPORT_PATH_MAX];       /* frames served, per path */
        uint64_t cache_hits;            /* frames whose buffers were already imported */
        uint64_t bytes_copied;          /* by the copy path, in total */
};

/* One importer per frame source: imports are cached by buffer index (a frame from
 * other memory at a cached index is re-imported, correct but not free). */
int gpu_vk_importer_new(struct gpu_vk_ctx *vk, const struct gpu_vk_importer_params *p,
                        struct gpu_vk_importer **ret);
/* Waits for nothing: the caller must have waited for work reading the imports. */
struct gpu_vk_importer *gpu_vk_importer_free(struct gpu_vk_importer *imp);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_vk_importer *, gpu_vk_importer_free);

/*
 * Makes the frame's memory buffers readable by the shaders: imports them the
 * first time a buffer index is seen (dma-buf, then host mapping, then a
 * staging copy), reuses the import later; the copy path copies the payload
 * now. ret_path (optional) gets the path used for this frame.
 * The frame must stay valid (not released to its source) until the GPU work
 * that reads it has completed. -EINVAL for a malformed frame.
 */
int gpu_vk_importer_import(struct gpu_vk_importer *imp, const struct cam_frame *f,
                           enum gpu_vk_import_path *ret_path);

/*
 * Drops every cached import. Call it before the source stops the stream or
 * changes format: a host import refers to the source's mapping, which must
 * outlive it (VK_EXT_external_memory_host); the dma-buf path holds its own fd.
 */
void gpu_vk_importer_reset(struct gpu_vk_importer *imp);

void gpu_vk_importer_stats(const struct gpu_vk_importer *imp, struct gpu_vk_import_stats *ret);

/* --- preprocessing on the GPU (gpu/vk/preprocess.c), see gpu/preprocess.h --- */

struct gpu_vk_pre;

/* One preprocessing pipeline per (output description, max batch): built once. */
int gpu_vk_pre_new(struct gpu_vk_ctx *vk, const struct gpu_pre_output *o, uint32_t max_batch,
                   struct gpu_vk_pre **ret);
struct gpu_vk_pre *gpu_vk_pre_free(struct gpu_vk_pre *pre);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_vk_pre *, gpu_vk_pre_free);

/*
 * Runs n preprocessing jobs on one imported frame (f must have gone through
 * gpu_vk_importer_import() of imp), job i writing batch slot i of the output,
 * and waits (timeout_ns) for completion. If out is not NULL, copies
 * n * gpu_pre_output_size() floats there.
 */
int gpu_vk_pre_run(struct gpu_vk_pre *pre, struct gpu_vk_importer *imp, const struct cam_frame *f,
                   const struct gpu_pre_xform *x, uint32_t n, uint64_t timeout_ns, float *out);

/* --- frames straight into a model (gpu/vk/backend.c) ---
 * `model` is the Vulkan backend's own model (gpu_backend_ops.model_new's
 * result). gpu_vk_backend_ops.set_input_frame is this function; callers
 * outside the engine use gpu_model_set_input_frame() (gpu/backend.h).
 */

/*
 * Fills graph input `index` from a camera frame: imported by the backend
 * context's one importer (zero-copy where the device allows, cached per buffer
 * index as above; never cached for CAM_FRAME_STILL), preprocessed on the GPU
 * with output description o and n xforms (batch slots 0..n-1) straight into
 * the input's place in the arena: neither the pixels nor the tensor pass
 * through host memory. The tensor must hold a whole number of o-sized images, at least n.
 * Waits for the preprocessing; the frame may be released once it returns.
 */
int gpu_vk_model_set_input_frame(void *model, size_t index, const struct cam_frame *f,
                                 const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n);
/* The import statistics of the backend context's importer (all its models). */
void gpu_vk_model_import_stats(void *model, struct gpu_vk_import_stats *ret);
/* Drops the backend context's cached frame imports (see gpu_vk_importer_reset()). */
void gpu_vk_model_reset_frames(void *model);
