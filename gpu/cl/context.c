/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OpenCL context: platform and device selection, the command queue, the one
 * status→errno mapping, and thin checked wrappers for the calls where faults
 * can be injected.
 */
#include <strings.h>

#include "gpu/cl/cl-internal.h"

#ifndef CL_PLATFORM_NOT_FOUND_KHR
#define CL_PLATFORM_NOT_FOUND_KHR -1001
#endif

static const struct {
        cl_int status;
        const char *name;
} status_table[] = {
#define S(x) { x, #x }
        S(CL_SUCCESS), S(CL_DEVICE_NOT_FOUND), S(CL_DEVICE_NOT_AVAILABLE), S(CL_COMPILER_NOT_AVAILABLE),
        S(CL_MEM_OBJECT_ALLOCATION_FAILURE), S(CL_OUT_OF_RESOURCES), S(CL_OUT_OF_HOST_MEMORY),
        S(CL_PROFILING_INFO_NOT_AVAILABLE), S(CL_MEM_COPY_OVERLAP), S(CL_IMAGE_FORMAT_MISMATCH),
        S(CL_IMAGE_FORMAT_NOT_SUPPORTED), S(CL_BUILD_PROGRAM_FAILURE), S(CL_MAP_FAILURE),
        S(CL_MISALIGNED_SUB_BUFFER_OFFSET), S(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST),
        S(CL_COMPILE_PROGRAM_FAILURE), S(CL_LINKER_NOT_AVAILABLE), S(CL_LINK_PROGRAM_FAILURE),
        S(CL_DEVICE_PARTITION_FAILED), S(CL_KERNEL_ARG_INFO_NOT_AVAILABLE),
        S(CL_INVALID_VALUE), S(CL_INVALID_DEVICE_TYPE), S(CL_INVALID_PLATFORM), S(CL_INVALID_DEVICE),
        S(CL_INVALID_CONTEXT), S(CL_INVALID_QUEUE_PROPERTIES), S(CL_INVALID_COMMAND_QUEUE),
        S(CL_INVALID_HOST_PTR), S(CL_INVALID_MEM_OBJECT), S(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR),
        S(CL_INVALID_IMAGE_SIZE), S(CL_INVALID_SAMPLER), S(CL_INVALID_BINARY), S(CL_INVALID_BUILD_OPTIONS),
        S(CL_INVALID_PROGRAM), S(CL_INVALID_PROGRAM_EXECUTABLE), S(CL_INVALID_KERNEL_NAME),
        S(CL_INVALID_KERNEL_DEFINITION), S(CL_INVALID_KERNEL), S(CL_INVALID_ARG_INDEX),
        S(CL_INVALID_ARG_VALUE), S(CL_INVALID_ARG_SIZE), S(CL_INVALID_KERNEL_ARGS),
        S(CL_INVALID_WORK_DIMENSION), S(CL_INVALID_WORK_GROUP_SIZE), S(CL_INVALID_WORK_ITEM_SIZE),
        S(CL_INVALID_GLOBAL_OFFSET), S(CL_INVALID_EVENT_WAIT_LIST), S(CL_INVALID_EVENT),
        S(CL_INVALID_OPERATION), S(CL_INVALID_GL_OBJECT), S(CL_INVALID_BUFFER_SIZE),
        S(CL_INVALID_MIP_LEVEL), S(CL_INVALID_GLOBAL_WORK_SIZE), S(CL_INVALID_PROPERTY),
        S(CL_INVALID_IMAGE_DESCRIPTOR), S(CL_INVALID_COMPILER_OPTIONS), S(CL_INVALID_LINKER_OPTIONS),
        S(CL_INVALID_DEVICE_PARTITION_COUNT), S(CL_INVALID_PIPE_SIZE), S(CL_INVALID_DEVICE_QUEUE),
        S(CL_INVALID_SPEC_ID), S(CL_MAX_SIZE_RESTRICTION_EXCEEDED), S(CL_PLATFORM_NOT_FOUND_KHR),
#undef S
};

const char *gpu_cl_status_to_string(int status) {
        for (size_t i = 0; i < ELEMENTSOF(status_table); i++)
                if (status_table[i].status == status)
                        return status_table[i].name;
        return NULL;
}

int gpu_cl_status_to_errno(int status) {
        switch (status) {
        case CL_SUCCESS:
                return 0;
        case CL_DEVICE_NOT_FOUND:
        case CL_DEVICE_NOT_AVAILABLE:
        case CL_PLATFORM_NOT_FOUND_KHR:
        case CL_INVALID_PLATFORM:
        case CL_INVALID_DEVICE:
                return -ENODEV;
        case CL_COMPILER_NOT_AVAILABLE:
        case CL_LINKER_NOT_AVAILABLE:
        case CL_IMAGE_FORMAT_NOT_SUPPORTED:
                return -EOPNOTSUPP;
        case CL_BUILD_PROGRAM_FAILURE:
        case CL_COMPILE_PROGRAM_FAILURE:
        case CL_LINK_PROGRAM_FAILURE:
        case CL_INVALID_BINARY:
        case CL_INVALID_PROGRAM_EXECUTABLE:
                return -ENOEXEC;
        case CL_MEM_OBJECT_ALLOCATION_FAILURE:
        case CL_OUT_OF_RESOURCES:
        case CL_OUT_OF_HOST_MEMORY:
                return -ENOMEM;
        case CL_INVALID_BUFFER_SIZE:
        case CL_MAX_SIZE_RESTRICTION_EXCEEDED:
                return -E2BIG;
        case CL_PROFILING_INFO_NOT_AVAILABLE:
        case CL_KERNEL_ARG_INFO_NOT_AVAILABLE:
                return -ENODATA;
        case CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST:
        case CL_MAP_FAILURE:
                return -EIO;
        default:
                /* Every CL_INVALID_* is a caller bug (bad argument or state). */
                if (status <= CL_INVALID_VALUE && status >= -72)
                        return -EINVAL;
                return -EIO;
        }
}

static const char *const fault_point_table[_GPU_CL_FAULT_MAX] = {
        [GPU_CL_FAULT_PLATFORM] = "platform",
        [GPU_CL_FAULT_CONTEXT] = "context",
        [GPU_CL_FAULT_BUILD] = "build",
        [GPU_CL_FAULT_ALLOC] = "alloc",
        [GPU_CL_FAULT_ENQUEUE] = "enqueue",
        [GPU_CL_FAULT_FINISH] = "finish",
};

const char *gpu_cl_fault_point_to_string(enum gpu_cl_fault_point p) {
        if (p < 0 || p >= _GPU_CL_FAULT_MAX)
                return NULL;
        return fault_point_table[p];
}

/* Reads a string info value into a new buffer. */
static int device_string(cl_device_id dev, cl_device_info what, char **ret) {
        size_t n = 0;
        cl_int st = clGetDeviceInfo(dev, what, 0, NULL, &n);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetDeviceInfo");
        _cleanup_free_ char *s = calloc(n + 1, 1);
        if (!s)
                return -ENOMEM;
        st = clGetDeviceInfo(dev, what, n, s, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetDeviceInfo");
        *ret = TAKE_PTR(s);
        return 0;
}

static int platform_string(cl_platform_id p, cl_platform_info what, char **ret) {
        size_t n = 0;
        cl_int st = clGetPlatformInfo(p, what, 0, NULL, &n);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetPlatformInfo");
        _cleanup_free_ char *s = calloc(n + 1, 1);
        if (!s)
                return -ENOMEM;
        st = clGetPlatformInfo(p, what, n, s, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetPlatformInfo");
        *ret = TAKE_PTR(s);
        return 0;
}

/* Rank of a device for selection; negative when it must not be used. */
static int device_rank(cl_device_id dev, const struct gpu_cl_ctx_params *p) {
        cl_device_type type = 0;
        cl_bool avail = CL_FALSE, compiler = CL_FALSE;
        if (clGetDeviceInfo(dev, CL_DEVICE_TYPE, sizeof type, &type, NULL) != CL_SUCCESS ||
            clGetDeviceInfo(dev, CL_DEVICE_AVAILABLE, sizeof avail, &avail, NULL) != CL_SUCCESS ||
            clGetDeviceInfo(dev, CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler, &compiler, NULL) != CL_SUCCESS)
                return -1;
        if (!avail || !compiler)
                return -1;

        _cleanup_free_ char *name = NULL;
        if (device_string(dev, CL_DEVICE_NAME, &name) < 0)
                return -1;
        if (p->device && !strcasestr(name, p->device))
                return -1;

        bool gpu = type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR);
        if (p->gpu_only && !gpu)
                return -1;
        if (p->prefer_cpu)
                return gpu ? 1 : 2;
        return gpu ? 2 : 1;
}

static int select_device(struct gpu_cl_ctx *ctx, const struct gpu_cl_ctx_params *p) {
        cl_uint n_platforms = 0;
        cl_int st = gpu_cl_inject(ctx, GPU_CL_FAULT_PLATFORM, "clGetPlatformIDs");
        if (st == CL_SUCCESS)
                st = clGetPlatformIDs(0, NULL, &n_platforms);
        /* ocl-icd answers CL_PLATFORM_NOT_FOUND_KHR when no ICD is installed. */
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetPlatformIDs");
        if (n_platforms == 0)
                return ls_debug_errno(-ENODEV, "No OpenCL platform");

        _cleanup_free_ cl_platform_id *platforms = calloc(n_platforms, sizeof *platforms);
        if (!platforms)
                return -ENOMEM;
        st = clGetPlatformIDs(n_platforms, platforms, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetPlatformIDs");

        int best = -1;
        for (cl_uint i = 0; i < n_platforms; i++) {
                cl_uint n_devices = 0;
                if (clGetDeviceIDs(platforms[i], CL_DEVICE_TYPE_ALL, 0, NULL, &n_devices) != CL_SUCCESS ||
                    n_devices == 0)
                        continue;
                _cleanup_free_ cl_device_id *devices = calloc(n_devices, sizeof *devices);
                if (!devices)
                        return -ENOMEM;
                if (clGetDeviceIDs(platforms[i], CL_DEVICE_TYPE_ALL, n_devices, devices, NULL) != CL_SUCCESS)
                        continue;
                for (cl_uint j = 0; j < n_devices; j++) {
                        int rank = device_rank(devices[j], p);
                        if (rank > best) {
                                best = rank;
                                ctx->platform = platforms[i];
                                ctx->device = devices[j];
                        }
                }
        }
        if (best < 0)
                return ls_debug_errno(-ENODEV, "No usable OpenCL device%s%s%s", p->device ? " matching '" : "",
                                      p->device ?: "", p->device ? "'" : "");
        return 0;
}

static int query_device(struct gpu_cl_ctx *ctx) {
        int r;
        if ((r = platform_string(ctx->platform, CL_PLATFORM_NAME, &ctx->platform_name)) < 0 ||
            (r = platform_string(ctx->platform, CL_PLATFORM_VERSION, &ctx->platform_version)) < 0 ||
            (r = device_string(ctx->device, CL_DEVICE_NAME, &ctx->device_name)) < 0 ||
            (r = device_string(ctx->device, CL_DEVICE_VERSION, &ctx->device_version)) < 0 ||
            (r = device_string(ctx->device, CL_DRIVER_VERSION, &ctx->driver_version)) < 0 ||
            (r = device_string(ctx->device, CL_DEVICE_EXTENSIONS, &ctx->extensions)) < 0)
                return r;

        cl_device_type type = 0;
        cl_uint align_bits = 0;
        cl_int st = clGetDeviceInfo(ctx->device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
        if (st == CL_SUCCESS)
                st = clGetDeviceInfo(ctx->device, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof align_bits,
                                     &align_bits, NULL);
        if (st == CL_SUCCESS)
                st = clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof ctx->max_work_group,
                                     &ctx->max_work_group, NULL);
        if (st == CL_SUCCESS)
                st = clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof ctx->max_alloc,
                                     &ctx->max_alloc, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetDeviceInfo");
        ctx->is_gpu = type & (CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR);
        ctx->base_addr_align = MAX(align_bits / 8, 1u);
        return 0;
}

int gpu_cl_ctx_new(const struct gpu_cl_ctx_params *p, struct gpu_cl_ctx **ret) {
        static const struct gpu_cl_ctx_params defaults = {};
        int r;

        if (!p)
                p = &defaults;
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = calloc(1, sizeof *ctx);
        if (!ctx)
                return -ENOMEM;
        ctx->fault = p->fault;
        ctx->fault_userdata = p->fault_userdata;
        if (p->cache_dir && !(ctx->cache_dir = strdup(p->cache_dir)))
                return -ENOMEM;

        r = select_device(ctx, p);
        if (r < 0)
                return r;
        r = query_device(ctx);
        if (r < 0)
                return r;

        cl_int st = gpu_cl_inject(ctx, GPU_CL_FAULT_CONTEXT, "clCreateContext");
        if (st == CL_SUCCESS) {
                const cl_context_properties props[] = {
                        CL_CONTEXT_PLATFORM, (cl_context_properties) ctx->platform, 0,
                };
                ctx->context = clCreateContext(props, 1, &ctx->device, NULL, NULL, &st);
        }
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clCreateContext");
        ctx->queue = clCreateCommandQueue(ctx->context, ctx->device, 0, &st);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clCreateCommandQueue");

        ls_debug("OpenCL device '%s' (%s, %s, driver %s)%s", ctx->device_name, ctx->platform_name,
                 ctx->device_version, ctx->driver_version, ctx->is_gpu ? "" : ", CPU");
        *ret = TAKE_PTR(ctx);
        return 0;
}

struct gpu_cl_ctx *gpu_cl_ctx_free(struct gpu_cl_ctx *ctx) {
        if (!ctx)
                return NULL;
        if (ctx->queue)
                (void) clFinish(ctx->queue);
        gpu_cl_importer_free(ctx->frames);
        for (size_t i = 0; i < ELEMENTSOF(ctx->programs); i++)
                gpu_cl_program_releasep(&ctx->programs[i]);
        if (ctx->queue)
                (void) clReleaseCommandQueue(ctx->queue);
        if (ctx->context)
                (void) clReleaseContext(ctx->context);
        free(ctx->platform_name);
        free(ctx->platform_version);
        free(ctx->device_name);
        free(ctx->device_version);
        free(ctx->driver_version);
        free(ctx->extensions);
        free(ctx->cache_dir);
        free(ctx->build_log);
        free(ctx);
        return NULL;
}

const char *gpu_cl_ctx_device_name(const struct gpu_cl_ctx *ctx) {
        return ctx->device_name;
}

const char *gpu_cl_ctx_platform_name(const struct gpu_cl_ctx *ctx) {
        return ctx->platform_name;
}

bool gpu_cl_ctx_is_gpu(const struct gpu_cl_ctx *ctx) {
        return ctx->is_gpu;
}

bool gpu_cl_ctx_has_extension(const struct gpu_cl_ctx *ctx, const char *ext) {
        size_t n = strlen(ext);
        /* Match whole space-separated words only (cl_khr_fp16 is not cl_khr_fp16_x). */
        for (const char *s = ctx->extensions; s && (s = strstr(s, ext)); s += n)
                if ((s == ctx->extensions || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
                        return true;
        return false;
}

const char *gpu_cl_ctx_build_log(const struct gpu_cl_ctx *ctx) {
        return ctx->build_log ?: "";
}

void gpu_cl_ctx_build_stats(const struct gpu_cl_ctx *ctx, struct gpu_cl_build_stats *ret) {
        *ret = ctx->stats;
}

int gpu_cl_buffer_new(struct gpu_cl_ctx *ctx, const char *what, cl_mem_flags flags, size_t size,
                      void *host, cl_mem *ret) {
        cl_mem m = NULL;
        cl_int st;

        if (size == 0)
                return -EINVAL;
        if (size > ctx->max_alloc)
                return ls_debug_errno(-E2BIG, "Buffer '%s' of %zu bytes exceeds the device's maximum %llu",
                                      what, size, (unsigned long long) ctx->max_alloc);
        st = gpu_cl_inject(ctx, GPU_CL_FAULT_ALLOC, what);
        if (st == CL_SUCCESS)
                m = clCreateBuffer(ctx->context, flags, size, host, &st);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, what);
        *ret = m;
        return 0;
}

int gpu_cl_enqueue(struct gpu_cl_ctx *ctx, cl_kernel k, const char *what, cl_uint dims,
                   const size_t *global, const size_t *local) {
        for (cl_uint i = 0; i < dims; i++)
                if (global[i] == 0)
                        return 0; /* nothing to do: OpenCL rejects empty ranges */
        cl_int st = gpu_cl_inject(ctx, GPU_CL_FAULT_ENQUEUE, what);
        if (st == CL_SUCCESS)
                st = clEnqueueNDRangeKernel(ctx->queue, k, dims, NULL, global, local, 0, NULL, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, what);
        return 0;
}

int gpu_cl_finish(struct gpu_cl_ctx *ctx) {
        cl_int st = gpu_cl_inject(ctx, GPU_CL_FAULT_FINISH, "clFinish");
        if (st == CL_SUCCESS)
                st = clFinish(ctx->queue);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clFinish");
        return 0;
}
