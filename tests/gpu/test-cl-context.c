/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenCL context: status mapping, device selection, missing ICD, injected faults. */
#include <sys/stat.h>

#include "tests/gpu/test-cl-util.h"

static void test_status_mapping(void) {
        ASSERT_STREQ(gpu_cl_status_to_string(CL_OUT_OF_RESOURCES), "CL_OUT_OF_RESOURCES");
        ASSERT_STREQ(gpu_cl_status_to_string(CL_BUILD_PROGRAM_FAILURE), "CL_BUILD_PROGRAM_FAILURE");
        ASSERT_STREQ(gpu_cl_status_to_string(-1001), "CL_PLATFORM_NOT_FOUND_KHR");
        ASSERT_TRUE(gpu_cl_status_to_string(-9999) == NULL);

        ASSERT_EQ(gpu_cl_status_to_errno(CL_SUCCESS), 0);
        ASSERT_EQ(gpu_cl_status_to_errno(-1001), -ENODEV);
        ASSERT_EQ(gpu_cl_status_to_errno(CL_DEVICE_NOT_FOUND), -ENODEV);
        ASSERT_EQ(gpu_cl_status_to_errno(CL_BUILD_PROGRAM_FAILURE), -ENOEXEC);
        ASSERT_EQ(gpu_cl_status_to_errno(CL_COMPILER_NOT_AVAILABLE), -EOPNOTSUPP);
        ASSERT_EQ(gpu_cl_status_to_errno(CL_OUT_OF_RESOURCES), -ENOMEM);
        ASSERT_EQ(gpu_cl_status_to_errno(CL_MEM_OBJECT_ALLOCATION_FAILURE), -ENOMEM);
        ASSERT_EQ(gpu_cl_status_to_errno(CL_INVALID_KERNEL_ARGS), -EINVAL);
        ASSERT_EQ(gpu_cl_status_to_errno(CL_INVALID_BUFFER_SIZE), -E2BIG);
        ASSERT_EQ(gpu_cl_status_to_errno(-12345), -EIO);
        /* Every named status maps to an errno (never 0 for a failure). */
        for (int s = -1; s >= -72; s--)
                ASSERT_TRUE(gpu_cl_status_to_errno(s) < 0);

        ASSERT_STREQ(gpu_cl_fault_point_to_string(GPU_CL_FAULT_BUILD), "build");
        ASSERT_TRUE(gpu_cl_fault_point_to_string(_GPU_CL_FAULT_MAX) == NULL);
}

static void test_ctx_new(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        ASSERT_TRUE(strlen(gpu_cl_ctx_device_name(ctx)) > 0);
        ASSERT_TRUE(strlen(gpu_cl_ctx_platform_name(ctx)) > 0);
        ASSERT_TRUE(ctx->base_addr_align >= 1 && ctx->base_addr_align <= 4096);
        ASSERT_TRUE(ctx->max_alloc > 0);
        ASSERT_TRUE(!gpu_cl_ctx_has_extension(ctx, "cl_lanesight_nonexistent"));
        /* Whole-word matching: a prefix of a real extension must not match. */
        ASSERT_TRUE(!gpu_cl_ctx_has_extension(ctx, "cl_khr"));
        fprintf(stderr, "  device '%s' on '%s' (%s), dma_buf import: %s\n", gpu_cl_ctx_device_name(ctx),
                gpu_cl_ctx_platform_name(ctx), gpu_cl_ctx_is_gpu(ctx) ? "GPU" : "CPU",
                gpu_cl_ctx_has_extension(ctx, "cl_khr_external_memory_dma_buf") ? "yes" : "no");
        ASSERT_STREQ(gpu_cl_ctx_build_log(ctx), "");
}

static void test_select_by_name(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *any = test_cl_ctx(NULL);
        /* A substring of the selected name, in another case, selects the same device. */
        char sub[8] = {};
        size_t n = MIN(strlen(any->device_name), sizeof sub - 1);
        for (size_t i = 0; i < n; i++)
                sub[i] = (char) (any->device_name[i] ^ ((any->device_name[i] >= 'a' && any->device_name[i] <= 'z') ? 0x20 : 0));
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *named = test_cl_ctx(&(struct gpu_cl_ctx_params) { .device = sub });
        ASSERT_STREQ(named->device_name, any->device_name);

        struct gpu_cl_ctx *none = NULL;
        ASSERT_ERR(gpu_cl_ctx_new(&(struct gpu_cl_ctx_params) { .device = "no such device, really" }, &none), ENODEV);
        ASSERT_TRUE(none == NULL);
}

static void test_prefer_cpu(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                test_cl_ctx(&(struct gpu_cl_ctx_params) { .prefer_cpu = true });
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *dflt = test_cl_ctx(NULL);
        /* A GPU is picked by default whenever one exists; with prefer_cpu only if nothing else. */
        if (ctx->is_gpu)
                ASSERT_TRUE(dflt->is_gpu);
        if (!dflt->is_gpu)
                ASSERT_TRUE(!ctx->is_gpu);
}

static void test_missing_icd(void) {
        /* An empty vendor directory: ocl-icd finds no ICD at all. Must run before any CL call. */
        char dir[] = "/tmp/lanesight-cl-noicd-XXXXXX";
        ASSERT_TRUE(mkdtemp(dir));
        ASSERT_OK(setenv("OCL_ICD_VENDORS", dir, 1));
        struct gpu_cl_ctx *ctx = NULL;
        int r = gpu_cl_ctx_new(NULL, &ctx);
        (void) rmdir(dir);
        ASSERT_ERR(r, ENODEV);
        ASSERT_TRUE(ctx == NULL);
}

struct fault {
        enum gpu_cl_fault_point point;
        int status;
        unsigned hits;
};

static int fault_hook(enum gpu_cl_fault_point point, const char *what, void *userdata) {
        struct fault *f = userdata;
        ASSERT_TRUE(what != NULL);
        if (point != f->point)
                return 0;
        f->hits++;
        return f->status;
}

static void test_fault_platform(void) {
        struct fault f = { GPU_CL_FAULT_PLATFORM, -1001 };
        struct gpu_cl_ctx *ctx = NULL;
        ASSERT_ERR(gpu_cl_ctx_new(&(struct gpu_cl_ctx_params) { .fault = fault_hook, .fault_userdata = &f }, &ctx),
                   ENODEV);
        ASSERT_EQ(f.hits, 1);
        ASSERT_TRUE(ctx == NULL);
}

static void test_fault_context(void) {
        /* Fails after the device was selected: the half-built ctx must be cleaned up (valgrind). */
        struct fault f = { GPU_CL_FAULT_CONTEXT, CL_OUT_OF_HOST_MEMORY };
        struct gpu_cl_ctx *ctx = NULL;
        int r = gpu_cl_ctx_new(&(struct gpu_cl_ctx_params) { .fault = fault_hook, .fault_userdata = &f }, &ctx);
        if (r == -ENODEV && f.hits == 0)
                test_skip("no OpenCL device");
        ASSERT_ERR(r, ENOMEM);
        ASSERT_EQ(f.hits, 1);
        ASSERT_TRUE(ctx == NULL);
}

static void test_fault_alloc_enqueue(void) {
        struct fault f = { GPU_CL_FAULT_ALLOC, CL_MEM_OBJECT_ALLOCATION_FAILURE };
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                test_cl_ctx(&(struct gpu_cl_ctx_params) { .fault = fault_hook, .fault_userdata = &f });
        cl_mem m = NULL;
        ASSERT_ERR(gpu_cl_buffer_new(ctx, "test", CL_MEM_READ_WRITE, 64, NULL, &m), ENOMEM);
        ASSERT_TRUE(m == NULL);
        /* Larger than the device allows: refused before calling OpenCL. */
        ASSERT_ERR(gpu_cl_buffer_new(ctx, "huge", CL_MEM_READ_WRITE, (size_t) ctx->max_alloc + 1, NULL, &m), E2BIG);

        ASSERT_EQ(f.hits, 1);

        f = (struct fault) { GPU_CL_FAULT_ENQUEUE, CL_OUT_OF_RESOURCES };
        _cleanup_cl_mem_ cl_mem buf = NULL;
        ASSERT_OK(gpu_cl_buffer_new(ctx, "x", CL_MEM_READ_WRITE, 16 * sizeof(float), NULL, &buf));
        _cleanup_cl_kernel_ cl_kernel k = NULL;
        ASSERT_OK(gpu_cl_kernel_new(ctx, GPU_CL_SOURCE_SELFTEST, "scale_bias", &k));
        float s = 2, b = 1;
        cl_uint n = 16;
        ASSERT_OK(GPU_CL_ARG(k, 0, buf));
        ASSERT_OK(GPU_CL_ARG(k, 1, s));
        ASSERT_OK(GPU_CL_ARG(k, 2, b));
        ASSERT_OK(GPU_CL_ARG(k, 3, n));
        size_t g = 16;
        ASSERT_ERR(gpu_cl_enqueue(ctx, k, "scale_bias", 1, &g, NULL), ENOMEM);
        ASSERT_EQ(f.hits, 1);
        f.status = 0;
        ASSERT_OK(gpu_cl_enqueue(ctx, k, "scale_bias", 1, &g, NULL));
        ASSERT_OK(gpu_cl_finish(ctx));
}

static void test_kernel_runs(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        float host[37];
        for (int i = 0; i < 37; i++)
                host[i] = (float) i - 10.0f;
        _cleanup_cl_mem_ cl_mem buf = NULL;
        ASSERT_OK(gpu_cl_buffer_new(ctx, "x", CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof host, host, &buf));
        _cleanup_cl_kernel_ cl_kernel k = NULL;
        ASSERT_OK(gpu_cl_kernel_new(ctx, GPU_CL_SOURCE_SELFTEST, "scale_bias", &k));
        float s = 0.5f, b = 3;
        cl_uint n = 37;
        ASSERT_OK(GPU_CL_ARG(k, 0, buf));
        ASSERT_OK(GPU_CL_ARG(k, 1, s));
        ASSERT_OK(GPU_CL_ARG(k, 2, b));
        ASSERT_OK(GPU_CL_ARG(k, 3, n));
        size_t g = 64; /* larger than n: the kernel's bound check matters */
        ASSERT_OK(gpu_cl_enqueue(ctx, k, "scale_bias", 1, &g, NULL));
        float out[37];
        ASSERT_EQ(clEnqueueReadBuffer(ctx->queue, buf, CL_TRUE, 0, sizeof out, out, 0, NULL, NULL), CL_SUCCESS);
        for (int i = 0; i < 37; i++)
                ASSERT_NEAR(out[i], ((float) i - 10.0f) * 0.5f + 3.0f, 0); /* exact: one fma-free mul+add */
        /* Unknown kernel names fail cleanly. */
        cl_kernel bad = NULL;
        ASSERT_ERR(gpu_cl_kernel_new(ctx, GPU_CL_SOURCE_SELFTEST, "no_such_kernel", &bad), EINVAL);
        ASSERT_ERR(gpu_cl_kernel_new(ctx, _GPU_CL_SOURCE_MAX, "x", &bad), EINVAL);
}

TEST_MAIN(TEST_CASE(test_status_mapping), TEST_CASE(test_ctx_new), TEST_CASE(test_select_by_name),
          TEST_CASE(test_prefer_cpu), TEST_CASE(test_missing_icd), TEST_CASE(test_fault_platform),
          TEST_CASE(test_fault_context), TEST_CASE(test_fault_alloc_enqueue), TEST_CASE(test_kernel_runs));
