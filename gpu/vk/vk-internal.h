/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Internals of the Vulkan backend shared by the gpu/vk/ sources: the context struct,
 * checked calls, and one handle family per file (memory.c, buffer.c,
 * pipeline.c, pipeline-cache.c, cmd.c).
 */

#include <vulkan/vulkan.h>

#include "common/debug.h"
#include "gpu/vk-shaders.h"     /* generated: enum gpu_shader_id, gpu_vk_shaders[] */
#include "gpu/vk/vk.h"

struct gpu_vk_ctx {
        VkInstance instance;
        VkPhysicalDevice phys;
        VkDevice dev;
        VkQueue queue;
        uint32_t queue_family;

        VkPhysicalDeviceProperties props;
        VkPhysicalDeviceMemoryProperties mem_props;
        struct gpu_vk_caps caps;

        /* Extension entry points, named as the functions so checked calls read the same. */
        PFN_vkSetDebugUtilsObjectNameEXT vkSetDebugUtilsObjectNameEXT;
        PFN_vkGetMemoryFdPropertiesKHR vkGetMemoryFdPropertiesKHR;
        PFN_vkGetMemoryHostPointerPropertiesEXT vkGetMemoryHostPointerPropertiesEXT;

        VkPipelineCache pipeline_cache;
        char *cache_dir;
        struct gpu_vk_cache_stats cache_stats;

        gpu_vk_fault_fn fault;
        void *fault_userdata;
        uint64_t timeout_ns;
        bool lost;
};

/* Asks the fault hook about call text "vkFoo(args)" or "vk->vkFoo(args)"; VK_SUCCESS when none. */
VkResult gpu_vk_fault(struct gpu_vk_ctx *vk, const char *call_text);
/* Logs a failed call, marks the device lost, returns the errno (0 on success). */
int gpu_vk_check(struct gpu_vk_ctx *vk, VkResult r, const char *call_text, const char *file, int line);

/*
 * A checked Vulkan call with its context named explicitly: the fault hook
 * may replace its result, a failure is logged (debug) with the call text and
 * converted to -errno. GPU_VK_CALL evaluates to that errno (0 on success),
 * VK_TRY returns it from the enclosing int function.
 */
#define GPU_VK_CALL(vk, call) \
        gpu_vk_check((vk), gpu_vk_fault((vk), #call) ?: (call), #call, __FILE__, __LINE__)
#define VK_TRY(vk, call)                                \
        do {                                            \
                int _vk_r_ = GPU_VK_CALL(vk, call);     \
                if (_vk_r_ < 0)                         \
                        return _vk_r_;                  \
        } while (0)

/* Device selection (context.c): a device type's rank under a CPU policy (-1: excluded), and
 * the index of the best of n types (the first of equals), or -ENODEV. */
int gpu_vk_device_rank(VkPhysicalDeviceType type, enum gpu_vk_cpu_policy policy);
int gpu_vk_device_pick(const VkPhysicalDeviceType *types, size_t n, enum gpu_vk_cpu_policy policy);

/* Gives a handle a debug-utils name (no-op without VK_EXT_debug_utils). */
void gpu_vk_name(struct gpu_vk_ctx *vk, VkObjectType type, uint64_t handle, const char *name);
#define GPU_VK_NAME(vk, type, handle, name) gpu_vk_name((vk), (type), (uint64_t) (handle), (name))

/* --- memory.c --- */
/* Index of a memory type in type_bits with all of `required` (preferring `preferred`), or -ENOMEM. */
int gpu_vk_memory_type(const struct gpu_vk_ctx *vk, uint32_t type_bits, VkMemoryPropertyFlags required,
                       VkMemoryPropertyFlags preferred);
/* Allocates and binds memory for buffer: dedicated, or with pnext (an import struct) as given. */
int gpu_vk_memory_alloc_for_buffer(struct gpu_vk_ctx *vk, VkBuffer buffer, VkDeviceSize size,
                                   uint32_t type_bits, VkMemoryPropertyFlags required,
                                   VkMemoryPropertyFlags preferred, const void *pnext,
                                   VkDeviceMemory *ret);

/* --- buffer.c --- */
struct gpu_vk_buffer_params {
        VkDeviceSize size;              /* bytes, > 0 */
        bool host_visible;              /* mapped for the CPU (host-coherent) */
        const char *name;               /* debug name */
};

struct gpu_vk_buffer {
        struct gpu_vk_ctx *vk;
        VkBuffer buffer;
        VkDeviceMemory memory;
        VkDeviceSize size;
        void *map;                      /* host_visible buffers only */
};

int gpu_vk_buffer_new(struct gpu_vk_ctx *vk, const struct gpu_vk_buffer_params *p, struct gpu_vk_buffer **ret);
/* Makes a storage buffer over memory imported by the caller (import.c); takes ownership of memory. */
int gpu_vk_buffer_wrap(struct gpu_vk_ctx *vk, VkBuffer buffer, VkDeviceMemory memory, VkDeviceSize size,
                       struct gpu_vk_buffer **ret);
struct gpu_vk_buffer *gpu_vk_buffer_free(struct gpu_vk_buffer *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_vk_buffer *, gpu_vk_buffer_free);

/* --- pipeline.c --- */
#define GPU_VK_MAX_BINDINGS 12
#define GPU_VK_MAX_SPEC 32
/* Local size comes from specialization constants 100..102 (common.glsl). */
#define GPU_VK_SPEC_LOCAL_SIZE_ID 100

struct gpu_vk_pipeline_params {
        enum gpu_shader_id shader;
        uint32_t n_bindings;            /* storage buffers at bindings 0..n-1 */
        uint32_t push_size;             /* bytes of push constants (multiple of 4) */
        const uint32_t *spec;           /* specialization constants 0..n_spec-1, 32-bit each */
        uint32_t n_spec;
        uint32_t local_size[3];         /* 0: 1 */
        uint32_t max_sets;              /* descriptor sets that may be allocated */
        const char *name;
};

struct gpu_vk_pipeline {
        struct gpu_vk_ctx *vk;
        VkShaderModule module;
        VkDescriptorSetLayout set_layout;
        VkPipelineLayout layout;
        VkPipeline pipeline;
        VkDescriptorPool pool;
        uint32_t n_bindings, push_size;
        uint32_t local_size[3];
};

int gpu_vk_pipeline_new(struct gpu_vk_ctx *vk, const struct gpu_vk_pipeline_params *p,
                        struct gpu_vk_pipeline **ret);
struct gpu_vk_pipeline *gpu_vk_pipeline_free(struct gpu_vk_pipeline *pl);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_vk_pipeline *, gpu_vk_pipeline_free);
/* Allocates a descriptor set binding bufs[i] (whole buffer) at binding i. */
int gpu_vk_pipeline_bind(struct gpu_vk_pipeline *pl, struct gpu_vk_buffer *const *bufs, VkDescriptorSet *ret);
/* Points an allocated set at other buffers; the set must not be in use by pending work. */
void gpu_vk_pipeline_update(struct gpu_vk_pipeline *pl, VkDescriptorSet set, struct gpu_vk_buffer *const *bufs);

/* --- pipeline-cache.c --- */
int gpu_vk_pipeline_cache_load(struct gpu_vk_ctx *vk);
int gpu_vk_pipeline_cache_save(struct gpu_vk_ctx *vk);

/* --- cmd.c: one command buffer + fence, recorded once, submitted many times --- */
struct gpu_vk_cmd {
        struct gpu_vk_ctx *vk;
        VkCommandPool pool;
        VkCommandBuffer cb;
        VkFence fence;
        bool recording;
        bool recorded;
        bool pending;                   /* submitted, fence not yet waited for */
};

int gpu_vk_cmd_new(struct gpu_vk_ctx *vk, const char *name, struct gpu_vk_cmd **ret);
/* Waits (bounded) for a pending submit before freeing. */
struct gpu_vk_cmd *gpu_vk_cmd_free(struct gpu_vk_cmd *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_vk_cmd *, gpu_vk_cmd_free);
/* Waits (bounded) for a submit still pending after a timed-out wait; -EBUSY if it is still running. */
int gpu_vk_cmd_begin(struct gpu_vk_cmd *c);
/* Records a bind + push + dispatch of groups; push may be NULL when push_size is 0. */
void gpu_vk_cmd_dispatch(struct gpu_vk_cmd *c, const struct gpu_vk_pipeline *pl, VkDescriptorSet set,
                         const void *push, uint32_t gx, uint32_t gy, uint32_t gz);
/* Compute/host writes before, compute/host reads after. */
void gpu_vk_cmd_barrier(struct gpu_vk_cmd *c);
int gpu_vk_cmd_end(struct gpu_vk_cmd *c);
int gpu_vk_cmd_submit(struct gpu_vk_cmd *c);
/* -ETIMEDOUT if not done within timeout_ns (the submit stays pending). */
int gpu_vk_cmd_wait(struct gpu_vk_cmd *c, uint64_t timeout_ns);

/* --- preprocess.c: preprocessing into any storage buffer, at dst_off floats (batch slot i at
 * dst_off + i * gpu_pre_output_size()); waits for completion. --- */
int gpu_vk_pre_run_to(struct gpu_vk_pre *pre, struct gpu_vk_importer *imp, const struct cam_frame *f,
                      const struct gpu_pre_xform *x, uint32_t n, struct gpu_vk_buffer *dst, uint64_t dst_off,
                      uint64_t timeout_ns);

/* --- import.c, for preprocess.c --- */
/* The buffer holding memory[m] of the last imported frame with f->index; NULL if not imported. */
struct gpu_vk_buffer *gpu_vk_importer_buffer(struct gpu_vk_importer *imp, const struct cam_frame *f, unsigned m);

/* --- backend.c / ops.c: a planned graph as one recorded command buffer --- */
struct gpu_graph;
struct gpu_node;
struct gpu_vk_model;

/* Where a tensor lives: the arena (inputs, activations) or the constants buffer; offset in floats. */
struct gpu_vk_tensor_loc {
        bool is_const;
        uint32_t off;
};

/* Location of tensor t (a valid index). */
struct gpu_vk_tensor_loc gpu_vk_model_loc(const struct gpu_vk_model *m, int t);
/* Offset (floats) of node's extra constants (gpu_vk_op_extra_consts()) in the constants buffer. */
uint32_t gpu_vk_model_extra_off(const struct gpu_vk_model *m, const struct gpu_node *n);
/* Builds a pipeline for shader with spec constants, records its dispatch over `invocations` + a barrier. */
int gpu_vk_model_dispatch(struct gpu_vk_model *m, const struct gpu_node *n, enum gpu_shader_id shader,
                          const uint32_t *spec, uint32_t n_spec, uint64_t invocations);
/* Records a copy of `floats` floats from src to the arena at dst_off (+ barrier by the caller's last step). */
void gpu_vk_model_copy(struct gpu_vk_model *m, struct gpu_vk_tensor_loc src, uint32_t dst_off, uint64_t floats);

/* ops.c: records node n; -EOPNOTSUPP for an op or shape this backend cannot run. */
int gpu_vk_op_record(struct gpu_vk_model *m, const struct gpu_graph *g, const struct gpu_node *n);
/* Floats of constants node n needs besides its inputs (folded parameters), and filling them. */
size_t gpu_vk_op_extra_consts(const struct gpu_graph *g, const struct gpu_node *n);
void gpu_vk_op_fill_extra(const struct gpu_graph *g, const struct gpu_node *n, float *dst);

/* backend.c: gpu_vk_backend_ops' ctx_new with explicit context params (tests: fault hooks). */
int gpu_vk_backend_ctx_new(const struct gpu_vk_ctx_params *params, void **ret_ctx, char *err, size_t errlen);
/* The Vulkan context of a backend context. */
struct gpu_vk_ctx *gpu_vk_backend_vk(void *backend_ctx);
