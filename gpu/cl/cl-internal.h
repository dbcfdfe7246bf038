/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared state of the OpenCL backend's files; not for use outside gpu/cl/ and its tests. */

#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <CL/cl_ext.h>

#include "common/debug.h"
#include "gpu-cl-kernels.h"
#include "gpu/cl/cl.h"
#include "v4l2/frame.h"

struct gpu_cl_ctx {
        cl_platform_id platform;
        cl_device_id device;
        cl_context context;
        cl_command_queue queue;

        char *platform_name;
        char *platform_version;
        char *device_name;
        char *device_version;
        char *driver_version;
        char *extensions;
        bool is_gpu;
        size_t base_addr_align;         /* bytes (the device reports bits) */
        size_t max_work_group;
        cl_ulong max_alloc;

        char *cache_dir;
        gpu_cl_fault_fn fault;
        void *fault_userdata;

        cl_program programs[_GPU_CL_SOURCE_MAX];
        char *build_log;
        struct gpu_cl_build_stats stats;

        /* The backend's frame importer (set_input_frame), made on the first frame: one per context. */
        struct gpu_cl_importer *frames;
};

/* Asks the fault hook whether the call at `point` should fail; CL_SUCCESS if not. */
static inline cl_int gpu_cl_inject(const struct gpu_cl_ctx *ctx, enum gpu_cl_fault_point point,
                                   const char *what) {
        if (!ctx || !ctx->fault)
                return CL_SUCCESS;
        return (cl_int) ctx->fault(point, what, ctx->fault_userdata);
}

/* Logs a failed OpenCL call at debug level and returns its errno. */
#define gpu_cl_debug_status(st, call)                                                  \
        ({                                                                            \
                cl_int _st_ = (st);                                                   \
                ls_debug("%s: %s (%d)", call, strna(gpu_cl_status_to_string(_st_)), _st_); \
                gpu_cl_status_to_errno(_st_);                                         \
        })

/* program.c */
/* Builds `source` for ctx's device, through the binary cache when ctx has one. */
int gpu_cl_program_build(struct gpu_cl_ctx *ctx, const char *name, const char *source, size_t size,
                         const char *options, cl_program *ret);
/* The program of an embedded source, built on first use and kept by ctx. */
int gpu_cl_ctx_program(struct gpu_cl_ctx *ctx, enum gpu_cl_source_id id, cl_program *ret);
/* A new kernel object of an embedded program (caller releases it). */
int gpu_cl_kernel_new(struct gpu_cl_ctx *ctx, enum gpu_cl_source_id id, const char *name,
                      cl_kernel *ret);
/* Cache key (hex, 16 digits + NUL) of a build, exported for tests. */
void gpu_cl_program_cache_key(const struct gpu_cl_ctx *ctx, const char *source, size_t size,
                              const char *options, char ret[static 17]);

/* context.c helpers */
int gpu_cl_buffer_new(struct gpu_cl_ctx *ctx, const char *what, cl_mem_flags flags, size_t size,
                      void *host, cl_mem *ret);
int gpu_cl_enqueue(struct gpu_cl_ctx *ctx, cl_kernel k, const char *what, cl_uint dims,
                   const size_t *global, const size_t *local);
int gpu_cl_finish(struct gpu_cl_ctx *ctx);

static inline void gpu_cl_mem_releasep(cl_mem *m) {
        if (*m)
                (void) clReleaseMemObject(*m);
        *m = NULL;
}
static inline void gpu_cl_kernel_releasep(cl_kernel *k) {
        if (*k)
                (void) clReleaseKernel(*k);
        *k = NULL;
}
static inline void gpu_cl_program_releasep(cl_program *p) {
        if (*p)
                (void) clReleaseProgram(*p);
        *p = NULL;
}
#define _cleanup_cl_mem_ _cleanup_(gpu_cl_mem_releasep)
#define _cleanup_cl_kernel_ _cleanup_(gpu_cl_kernel_releasep)
#define _cleanup_cl_program_ _cleanup_(gpu_cl_program_releasep)

/* Sets kernel argument i; evaluates to a negative errno on failure. */
#define GPU_CL_ARG(k, i, v)                                                           \
        ({                                                                            \
                cl_int _s_ = clSetKernelArg((k), (i), sizeof(v), &(v));               \
                _s_ == CL_SUCCESS ? 0 : gpu_cl_debug_status(_s_, "clSetKernelArg(" #v ")"); \
        })

uint64_t gpu_cl_hash64(uint64_t h, const void *data, size_t size);
#define GPU_CL_HASH_INIT UINT64_C(0xcbf29ce484222325)

/* import.c */
struct gpu_cl_frame {
        uint32_t index;
        enum gpu_cl_import_path path;
        unsigned n_memory;
        cl_mem mem[CAM_FRAME_MAX_MEMORY];
        enum gpu_cl_import_path mem_path[CAM_FRAME_MAX_MEMORY];
        /* What the import was made from, to notice a reused index with other memory. */
        const void *data[CAM_FRAME_MAX_MEMORY];
        int fd[CAM_FRAME_MAX_MEMORY];
        size_t length[CAM_FRAME_MAX_MEMORY];
};

/*
 * Imports f (or reuses its cached import) and makes its current contents
 * visible to kernels queued after this call. The result stays owned by im;
 * call gpu_cl_importer_done() after queueing the kernels that read it.
 */
int gpu_cl_importer_import(struct gpu_cl_importer *im, const struct cam_frame *f, const struct gpu_cl_frame **ret);
int gpu_cl_importer_done(struct gpu_cl_importer *im, const struct gpu_cl_frame *fr);

/* preprocess.c: queues the kernel writing into out at float offset out_offset (no wait). */
int gpu_cl_pre_run(struct gpu_cl_pre *pre, struct gpu_cl_importer *im, const struct cam_frame *f,
                   const struct gpu_pre_xform *x, cl_mem out, size_t out_offset);

/* backend.c: the backend's ctx_new with explicit context params (tests inject faults through it). */
int gpu_cl_backend_ctx_new(const struct gpu_cl_ctx_params *params, void **ret, char *err, size_t errlen);

/* preprocess.c accessors */
struct gpu_cl_ctx *gpu_cl_pre_ctx(const struct gpu_cl_pre *pre);
size_t gpu_cl_pre_output_floats(const struct gpu_cl_pre *pre);
/* The output description pre was made for. */
const struct gpu_pre_output *gpu_cl_pre_output(const struct gpu_cl_pre *pre);
