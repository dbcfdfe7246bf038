/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OpenCL program builds: binary cache (hit, key, corrupt entry), failing builds with their log. */
#include <fcntl.h>
#include <sys/stat.h>

#include "tests/gpu/test-cl-util.h"

static const char good_src[] =
        "__kernel void add_one(__global int *x) { x[get_global_id(0)] += 1; }\n";
static const char bad_src[] =
        "__kernel void broken(__global int *x) { x[0] = undeclared_identifier_xyz; }\n";

/* Builds src through the cache and checks the program runs: x[i] = i + 1. */
static void build_and_run(struct gpu_cl_ctx *ctx, const char *src) {
        _cleanup_cl_program_ cl_program prog = NULL;
        ASSERT_OK(gpu_cl_program_build(ctx, "test", src, strlen(src), "", &prog));
        cl_int st;
        _cleanup_cl_kernel_ cl_kernel k = clCreateKernel(prog, "add_one", &st);
        ASSERT_EQ(st, CL_SUCCESS);
        int host[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
        _cleanup_cl_mem_ cl_mem buf = NULL;
        ASSERT_OK(gpu_cl_buffer_new(ctx, "x", CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof host, host, &buf));
        ASSERT_OK(GPU_CL_ARG(k, 0, buf));
        size_t g = 8;
        ASSERT_OK(gpu_cl_enqueue(ctx, k, "add_one", 1, &g, NULL));
        ASSERT_EQ(clEnqueueReadBuffer(ctx->queue, buf, CL_TRUE, 0, sizeof host, host, 0, NULL, NULL), CL_SUCCESS);
        for (int i = 0; i < 8; i++)
                ASSERT_EQ(host[i], i + 1);
}

static char *entry_path(struct gpu_cl_ctx *ctx, const char *dir, const char *src) {
        char key[17], *p = NULL;
        gpu_cl_program_cache_key(ctx, src, strlen(src), "", key);
        ASSERT_TRUE(asprintf(&p, "%s/%s.clbin", dir, key) > 0);
        return p;
}

static void test_cache_roundtrip(void) {
        _cleanup_tmpdir_ char *dir = test_cl_tmpdir();
        struct gpu_cl_build_stats st;
        {
                _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                        test_cl_ctx(&(struct gpu_cl_ctx_params) { .cache_dir = dir });
                build_and_run(ctx, good_src);
                gpu_cl_ctx_build_stats(ctx, &st);
                ASSERT_EQ(st.builds, 1);
                ASSERT_EQ(st.cache_hits, 0);
                ASSERT_EQ(st.cache_writes, 1);
                _cleanup_free_ char *p = entry_path(ctx, dir, good_src);
                ASSERT_EQ(access(p, R_OK), 0);
                struct stat sb;
                ASSERT_EQ(stat(p, &sb), 0);
                ASSERT_EQ(sb.st_mode & 0777, 0600);
        }
        ASSERT_EQ(test_cl_count_files(dir, ".clbin"), 1);
        ASSERT_EQ(test_cl_count_files(dir, ""), 3); /* ".", ".." and the entry: no temp files left */
        {
                /* A new context (a later start) loads the binary instead of compiling. */
                _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                        test_cl_ctx(&(struct gpu_cl_ctx_params) { .cache_dir = dir });
                build_and_run(ctx, good_src);
                gpu_cl_ctx_build_stats(ctx, &st);
                ASSERT_EQ(st.builds, 0);
                ASSERT_EQ(st.cache_hits, 1);
                ASSERT_EQ(st.cache_rejects, 0);
                ASSERT_EQ(st.cache_writes, 0);
        }
}

static void test_cache_key(void) {
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        char a[17], b[17], c[17], d[17];
        gpu_cl_program_cache_key(ctx, good_src, strlen(good_src), "", a);
        gpu_cl_program_cache_key(ctx, good_src, strlen(good_src), "", b);
        gpu_cl_program_cache_key(ctx, good_src, strlen(good_src), "-DX=1", c);
        gpu_cl_program_cache_key(ctx, bad_src, strlen(bad_src), "", d);
        ASSERT_EQ(strlen(a), 16);
        ASSERT_STREQ(a, b);
        ASSERT_TRUE(!streq(a, c)); /* options are part of the key */
        ASSERT_TRUE(!streq(a, d)); /* and the source */
        /* and the driver version: a driver update must not load an old binary */
        free(ctx->driver_version);
        ctx->driver_version = strdup("0.0-other");
        ASSERT_TRUE(ctx->driver_version);
        gpu_cl_program_cache_key(ctx, good_src, strlen(good_src), "", b);
        ASSERT_TRUE(!streq(a, b));
}

/* Damages the entry with `damage`, then checks a new context rebuilds and rewrites it. */
static void corrupt_and_rebuild(void (*damage)(const char *path)) {
        _cleanup_tmpdir_ char *dir = test_cl_tmpdir();
        _cleanup_free_ char *path = NULL;
        {
                _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                        test_cl_ctx(&(struct gpu_cl_ctx_params) { .cache_dir = dir });
                build_and_run(ctx, good_src);
                path = entry_path(ctx, dir, good_src);
        }
        damage(path);
        struct gpu_cl_build_stats st;
        {
                _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                        test_cl_ctx(&(struct gpu_cl_ctx_params) { .cache_dir = dir });
                build_and_run(ctx, good_src);
                gpu_cl_ctx_build_stats(ctx, &st);
                ASSERT_EQ(st.cache_rejects, 1);
                ASSERT_EQ(st.builds, 1);
                ASSERT_EQ(st.cache_writes, 1);
        }
        {
                /* The rewritten entry is good again. */
                _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                        test_cl_ctx(&(struct gpu_cl_ctx_params) { .cache_dir = dir });
                build_and_run(ctx, good_src);
                gpu_cl_ctx_build_stats(ctx, &st);
                ASSERT_EQ(st.cache_hits, 1);
                ASSERT_EQ(st.builds, 0);
        }
}

static void flip_last_byte(const char *path) {
        int fd = open(path, O_RDWR | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        off_t end = lseek(fd, 0, SEEK_END);
        ASSERT_TRUE(end > 1);
        unsigned char c;
        ASSERT_EQ(pread(fd, &c, 1, end - 1), 1);
        c ^= 0x5a;
        ASSERT_EQ(pwrite(fd, &c, 1, end - 1), 1);
        close(fd);
}

static void truncate_half(const char *path) {
        struct stat sb;
        ASSERT_EQ(stat(path, &sb), 0);
        ASSERT_EQ(truncate(path, sb.st_size / 2), 0);
}

static void garbage(const char *path) {
        int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "not a binary", 12), 12);
        close(fd);
}

/* A well-formed entry (right identity, right hash) whose binary the driver rejects. */
static void bogus_binary(const char *path) {
        int fd = open(path, O_RDWR | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        uint32_t ident_len;
        ASSERT_EQ(pread(fd, &ident_len, sizeof ident_len, 8), sizeof ident_len);
        off_t at = 8 + sizeof ident_len + ident_len;
        uint8_t bin[64];
        memset(bin, 0xab, sizeof bin);
        uint64_t len = sizeof bin, hash = gpu_cl_hash64(GPU_CL_HASH_INIT, bin, sizeof bin);
        ASSERT_EQ(pwrite(fd, &len, sizeof len, at), sizeof len);
        ASSERT_EQ(pwrite(fd, &hash, sizeof hash, at + 8), sizeof hash);
        ASSERT_EQ(pwrite(fd, bin, sizeof bin, at + 16), sizeof bin);
        ASSERT_EQ(ftruncate(fd, at + 16 + (off_t) sizeof bin), 0);
        close(fd);
}

static void test_cache_driver_rejects(void) {
        corrupt_and_rebuild(bogus_binary);
}

static void test_cache_corrupt_payload(void) {
        corrupt_and_rebuild(flip_last_byte);
}

static void test_cache_truncated(void) {
        corrupt_and_rebuild(truncate_half);
}

static void test_cache_garbage(void) {
        corrupt_and_rebuild(garbage);
}

static void test_cache_unwritable(void) {
        /* A cache directory that cannot be created: builds still work, nothing cached. */
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                test_cl_ctx(&(struct gpu_cl_ctx_params) { .cache_dir = "/proc/lanesight-no-such-dir" });
        build_and_run(ctx, good_src);
        struct gpu_cl_build_stats st;
        gpu_cl_ctx_build_stats(ctx, &st);
        ASSERT_EQ(st.builds, 1);
        ASSERT_EQ(st.cache_writes, 0);
}

static void test_build_failure_log(void) {
        _cleanup_tmpdir_ char *dir = test_cl_tmpdir();
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                test_cl_ctx(&(struct gpu_cl_ctx_params) { .cache_dir = dir });
        cl_program prog = NULL;
        ASSERT_ERR(gpu_cl_program_build(ctx, "broken", bad_src, strlen(bad_src), "", &prog), ENOEXEC);
        ASSERT_TRUE(prog == NULL);
        /* The compiler's message names the offending identifier. */
        ASSERT_TRUE(strstr(gpu_cl_ctx_build_log(ctx), "undeclared_identifier_xyz") != NULL);
        ASSERT_EQ(test_cl_count_files(dir, ".clbin"), 0); /* failures are not cached */
        /* A later good build still works on the same context. */
        build_and_run(ctx, good_src);
}

static int fail_builds(enum gpu_cl_fault_point point, const char *what, void *userdata) {
        unsigned *hits = userdata;
        if (point != GPU_CL_FAULT_BUILD)
                return 0;
        ++*hits;
        return CL_BUILD_PROGRAM_FAILURE;
}

static void test_fault_embedded_build(void) {
        /* An embedded program failing to build: the error reaches the kernel lookup, nothing leaks. */
        unsigned hits = 0;
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx =
                test_cl_ctx(&(struct gpu_cl_ctx_params) { .fault = fail_builds, .fault_userdata = &hits });
        cl_kernel k = NULL;
        ASSERT_ERR(gpu_cl_kernel_new(ctx, GPU_CL_SOURCE_SELFTEST, "scale_bias", &k), ENOEXEC);
        ASSERT_TRUE(k == NULL);
        ASSERT_ERR(gpu_cl_ctx_build_all(ctx), ENOEXEC);
        ASSERT_EQ(hits, 2); /* not remembered as built: each attempt retries */
}

static void test_embedded_sources(void) {
        /* Every embedded program builds on this device (the cache, if any, is bypassed). */
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *ctx = test_cl_ctx(NULL);
        for (int i = 0; i < _GPU_CL_SOURCE_MAX; i++) {
                ASSERT_TRUE(gpu_cl_sources[i].size == strlen(gpu_cl_sources[i].text));
                ASSERT_TRUE(gpu_cl_sources[i].size > 0);
        }
        int r = gpu_cl_ctx_build_all(ctx);
        if (r < 0)
                fprintf(stderr, "%s\n", gpu_cl_ctx_build_log(ctx));
        ASSERT_OK(r);
        struct gpu_cl_build_stats st;
        gpu_cl_ctx_build_stats(ctx, &st);
        ASSERT_EQ(st.builds, _GPU_CL_SOURCE_MAX);
        fprintf(stderr, "  %d programs built in %.1f ms\n", _GPU_CL_SOURCE_MAX, st.build_ns / 1e6);
}

TEST_MAIN(TEST_CASE(test_cache_roundtrip), TEST_CASE(test_cache_key), TEST_CASE(test_cache_corrupt_payload),
          TEST_CASE(test_cache_truncated), TEST_CASE(test_cache_garbage), TEST_CASE(test_cache_driver_rejects), TEST_CASE(test_cache_unwritable),
          TEST_CASE(test_build_failure_log), TEST_CASE(test_fault_embedded_build),
          TEST_CASE(test_embedded_sources));
