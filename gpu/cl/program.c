/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Program builds from embedded OpenCL C, with the device binaries cached on
 * disk so later starts skip the compiler.
 *
 * A cache entry is "<key>.clbin" where key is a 64-bit hash of the source,
 * the build options and the device/driver identity. The file repeats the full
 * identity text (so a hash collision or a driver update is detected, not
 * trusted) and a hash of the binary (so a torn or corrupt file is rebuilt):
 *
 *   "LSCLBIN1" | u32 ident_len | ident | u64 bin_len | u64 bin_hash | bin
 *
 * Entries are written to a temporary file and renamed into place, so readers
 * see a whole entry or none; no fsync: a torn entry after a crash fails its
 * hash and is rebuilt.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "gpu/cl/cl-internal.h"

#define CACHE_MAGIC "LSCLBIN1"
#define CACHE_MAX_SIZE (64u << 20)
#define BUILD_LOG_MAX (64u << 10)

uint64_t gpu_cl_hash64(uint64_t h, const void *data, size_t size) {
        const uint8_t *p = data;
        for (size_t i = 0; i < size; i++) {
                h ^= p[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

static uint64_t now_ns(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* The identity text: everything that decides whether a binary is reusable. */
static char *cache_ident(const struct gpu_cl_ctx *ctx, const char *source, size_t size, const char *options) {
        char *s = NULL;
        if (asprintf(&s, "src=%016llx:%zu\nopts=%s\nplatform=%s\ndevice=%s\nversion=%s\ndriver=%s\n",
                     (unsigned long long) gpu_cl_hash64(GPU_CL_HASH_INIT, source, size), size, options,
                     ctx->platform_version, ctx->device_name, ctx->device_version, ctx->driver_version) < 0)
                return NULL;
        return s;
}

void gpu_cl_program_cache_key(const struct gpu_cl_ctx *ctx, const char *source, size_t size,
                              const char *options, char ret[static 17]) {
        _cleanup_free_ char *ident = cache_ident(ctx, source, size, options);
        uint64_t h = ident ? gpu_cl_hash64(GPU_CL_HASH_INIT, ident, strlen(ident)) : 0;
        snprintf(ret, 17, "%016llx", (unsigned long long) h);
}

static char *cache_path(const struct gpu_cl_ctx *ctx, const char *key) {
        char *s = NULL;
        if (asprintf(&s, "%s/%s.clbin", ctx->cache_dir, key) < 0)
                return NULL;
        return s;
}

static void set_build_log(struct gpu_cl_ctx *ctx, cl_program prog) {
        size_t n = 0;
        free(ctx->build_log);
        ctx->build_log = NULL;
        if (clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n) != CL_SUCCESS)
                return;
        n = MIN(n, (size_t) BUILD_LOG_MAX);
        _cleanup_free_ char *log = calloc(n + 1, 1);
        if (!log)
                return;
        /* A truncated read still returns the first n bytes on most ICDs; else keep it empty. */
        if (clGetProgramBuildInfo(prog, ctx->device, CL_PROGRAM_BUILD_LOG, n, log, NULL) != CL_SUCCESS)
                log[0] = '\0';
        log[n] = '\0';
        ctx->build_log = TAKE_PTR(log);
}

static int read_all(int fd, void *buf, size_t n) {
        uint8_t *p = buf;
        while (n > 0) {
                ssize_t k = read(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        return -EBADMSG;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

static int write_all(int fd, const void *buf, size_t n) {
        const uint8_t *p = buf;
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Loads and validates a cache entry; -ENOENT when absent, -EBADMSG when unusable. */
static int cache_load(const char *path, const char *ident, uint8_t **ret, size_t *ret_size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();

        char magic[8];
        uint32_t ident_len;
        uint64_t bin_len, bin_hash;
        int r = read_all(fd, magic, sizeof magic);
        if (r < 0)
                return r;
        if (memcmp(magic, CACHE_MAGIC, sizeof magic) != 0)
                return -EBADMSG;
        if ((r = read_all(fd, &ident_len, sizeof ident_len)) < 0)
                return r;
        if (ident_len != strlen(ident))
                return -EBADMSG;
        _cleanup_free_ char *stored = malloc(ident_len);
        if (!stored)
                return -ENOMEM;
        if ((r = read_all(fd, stored, ident_len)) < 0)
                return r;
        if (memcmp(stored, ident, ident_len) != 0)
                return -EBADMSG;
        if ((r = read_all(fd, &bin_len, sizeof bin_len)) < 0 || (r = read_all(fd, &bin_hash, sizeof bin_hash)) < 0)
                return r;
        if (bin_len == 0 || bin_len > CACHE_MAX_SIZE)
                return -EBADMSG;
        _cleanup_free_ uint8_t *bin = malloc(bin_len);
        if (!bin)
                return -ENOMEM;
        if ((r = read_all(fd, bin, bin_len)) < 0)
                return r;
        if (gpu_cl_hash64(GPU_CL_HASH_INIT, bin, bin_len) != bin_hash)
                return -EBADMSG;
        char extra;
        if (read(fd, &extra, 1) != 0)
                return -EBADMSG;
        *ret = TAKE_PTR(bin);
        *ret_size = bin_len;
        return 0;
}

static int cache_store(struct gpu_cl_ctx *ctx, const char *path, const char *ident, const uint8_t *bin,
                       size_t size) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s/.clbin-XXXXXX", ctx->cache_dir) < 0)
                return -ENOMEM;
        if (mkdir(ctx->cache_dir, 0700) < 0 && errno != EEXIST)
                return negative_errno();
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        uint32_t ident_len = (uint32_t) strlen(ident);
        uint64_t bin_len = size, bin_hash = gpu_cl_hash64(GPU_CL_HASH_INIT, bin, size);
        int r;
        if ((r = write_all(fd, CACHE_MAGIC, 8)) < 0 || (r = write_all(fd, &ident_len, sizeof ident_len)) < 0 ||
            (r = write_all(fd, ident, ident_len)) < 0 || (r = write_all(fd, &bin_len, sizeof bin_len)) < 0 ||
            (r = write_all(fd, &bin_hash, sizeof bin_hash)) < 0 || (r = write_all(fd, bin, size)) < 0 ||
            (r = rename(tmp, path) < 0 ? negative_errno() : 0) < 0) {
                (void) unlink(tmp);
                return r;
        }
        ctx->stats.cache_writes++;
        return 0;
}

/* Fetches the device binary of a built program. */
static int program_binary(struct gpu_cl_ctx *ctx, cl_program prog, uint8_t **ret, size_t *ret_size) {
        size_t size = 0;
        cl_int st = clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetProgramInfo(BINARY_SIZES)");
        if (size == 0 || size > CACHE_MAX_SIZE)
                return -EOPNOTSUPP;
        _cleanup_free_ uint8_t *bin = malloc(size);
        if (!bin)
                return -ENOMEM;
        unsigned char *bins[1] = { bin };
        st = clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clGetProgramInfo(BINARIES)");
        *ret = TAKE_PTR(bin);
        *ret_size = size;
        return 0;
}

static int build_from_binary(struct gpu_cl_ctx *ctx, const char *name, const uint8_t *bin, size_t size,
                             const char *options, cl_program *ret) {
        cl_int st, bin_st = CL_SUCCESS;
        const unsigned char *bins[1] = { bin };
        _cleanup_cl_program_ cl_program prog =
                clCreateProgramWithBinary(ctx->context, 1, &ctx->device, &size, bins, &bin_st, &st);
        if (st != CL_SUCCESS || bin_st != CL_SUCCESS)
                return gpu_cl_debug_status(st != CL_SUCCESS ? st : bin_st, "clCreateProgramWithBinary");
        st = clBuildProgram(prog, 1, &ctx->device, options, NULL, NULL);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clBuildProgram(binary)");
        *ret = TAKE_PTR(prog);
        return 0;
}

static int build_from_source(struct gpu_cl_ctx *ctx, const char *name, const char *source, size_t size,
                             const char *options, cl_program *ret) {
        cl_int st;
        _cleanup_cl_program_ cl_program prog = clCreateProgramWithSource(ctx->context, 1, &source, &size, &st);
        if (st != CL_SUCCESS)
                return gpu_cl_debug_status(st, "clCreateProgramWithSource");
        st = gpu_cl_inject(ctx, GPU_CL_FAULT_BUILD, name);
        if (st == CL_SUCCESS)
                st = clBuildProgram(prog, 1, &ctx->device, options, NULL, NULL);
        ctx->stats.builds++;
        if (st != CL_SUCCESS) {
                set_build_log(ctx, prog);
                ls_debug("Building OpenCL program '%s' failed:\n%s", name, gpu_cl_ctx_build_log(ctx));
                return gpu_cl_debug_status(st, "clBuildProgram");
        }
        *ret = TAKE_PTR(prog);
        return 0;
}

int gpu_cl_program_build(struct gpu_cl_ctx *ctx, const char *name, const char *source, size_t size,
                         const char *options, cl_program *ret) {
        uint64_t t0 = now_ns();
        _cleanup_free_ char *ident = NULL, *path = NULL;
        _cleanup_cl_program_ cl_program prog = NULL;
        int r;

        options = options ?: "";
        if (ctx->cache_dir) {
                char key[17];
                ident = cache_ident(ctx, source, size, options);
                if (!ident)
                        return -ENOMEM;
                gpu_cl_program_cache_key(ctx, source, size, options, key);
                path = cache_path(ctx, key);
                if (!path)
                        return -ENOMEM;

                _cleanup_free_ uint8_t *bin = NULL;
                size_t bin_size = 0;
                r = cache_load(path, ident, &bin, &bin_size);
                if (r >= 0)
                        r = build_from_binary(ctx, name, bin, bin_size, options, &prog);
                if (r >= 0)
                        ctx->stats.cache_hits++;
                else if (r != -ENOENT) {
                        ctx->stats.cache_rejects++;
                        ls_debug("Cached binary '%s' of '%s' unusable (%s), rebuilding", path, name,
                                 strerrorname_np(-r) ?: "?");
                }
        }

        if (!prog) {
                r = build_from_source(ctx, name, source, size, options, &prog);
                if (r < 0)
                        return r;
                if (path) {
                        _cleanup_free_ uint8_t *bin = NULL;
                        size_t bin_size = 0;
                        r = program_binary(ctx, prog, &bin, &bin_size);
                        if (r >= 0)
                                r = cache_store(ctx, path, ident, bin, bin_size);
                        if (r < 0)
                                ls_debug("Failed to cache the binary of '%s' in '%s' (%s), ignoring", name,
                                         ctx->cache_dir, strerrorname_np(-r) ?: "?");
                }
        }
        ctx->stats.build_ns += now_ns() - t0;
        *ret = TAKE_PTR(prog);
        return 0;
}

int gpu_cl_ctx_program(struct gpu_cl_ctx *ctx, enum gpu_cl_source_id id, cl_program *ret) {
        if (id < 0 || id >= _GPU_CL_SOURCE_MAX)
                return -EINVAL;
        if (!ctx->programs[id]) {
                const struct gpu_cl_source *s = &gpu_cl_sources[id];
                /* -cl-std=CL1.2 keeps the kernels portable to older ICDs. */
                int r = gpu_cl_program_build(ctx, s->name, s->text, s->size, "-cl-std=CL1.2", &ctx->programs[id]);
                if (r < 0)
                        return r;
        }
        *ret = ctx->programs[id];
        return 0;
}

int gpu_cl_ctx_build_all(struct gpu_cl_ctx *ctx) {
        for (int id = 0; id < _GPU_CL_SOURCE_MAX; id++) {
                cl_program p;
                int r = gpu_cl_ctx_program(ctx, id, &p);
                if (r < 0)
                        return r;
        }
        return 0;
}

int gpu_cl_kernel_new(struct gpu_cl_ctx *ctx, enum gpu_cl_source_id id, const char *name, cl_kernel *ret) {
        cl_program prog;
        int r = gpu_cl_ctx_program(ctx, id, &prog);
        if (r < 0)
                return r;
        cl_int st;
        cl_kernel k = clCreateKernel(prog, name, &st);
        if (st != CL_SUCCESS)
                return ls_debug_errno(gpu_cl_status_to_errno(st), "clCreateKernel('%s'): %s", name,
                                      strna(gpu_cl_status_to_string(st)));
        *ret = k;
        return 0;
}
