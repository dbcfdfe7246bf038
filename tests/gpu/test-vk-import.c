/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The frame import cascade dmabuf -> host -> copy on memfd-backed frames:
 * which path serves a frame, fallbacks forced by params and by injected
 * faults, the import cache per buffer index, and the copied-byte counter
 * (0 for dmabuf/host, the payload of every frame for copy).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <linux/udmabuf.h>
#include <vulkan/vulkan.h>

#include "gpu/vk/vk-internal.h"
#include "tests/gpu/vk-test-util.h"

static void test_path_strings(void) {
        ASSERT_STREQ(gpu_vk_import_path_to_string(GPU_VK_IMPORT_DMABUF), "dmabuf");
        ASSERT_STREQ(gpu_vk_import_path_to_string(GPU_VK_IMPORT_HOST), "host");
        ASSERT_STREQ(gpu_vk_import_path_to_string(GPU_VK_IMPORT_COPY), "copy");
        ASSERT_TRUE(gpu_vk_import_path_to_string(_GPU_VK_IMPORT_PATH_MAX) == NULL);
        ASSERT_EQ(gpu_vk_import_path_from_string("host"), GPU_VK_IMPORT_HOST);
        ASSERT_EQ(gpu_vk_import_path_from_string("mmap"), -EINVAL);
}

/* The best path this device offers for a memfd frame (no dma-buf). */
static enum gpu_vk_import_path best_host_path(struct gpu_vk_ctx *vk) {
        return gpu_vk_ctx_caps(vk)->host_import ? GPU_VK_IMPORT_HOST : GPU_VK_IMPORT_COPY;
}

static void test_host_import_cached(void) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        struct gpu_vk_import_stats st;
        enum gpu_vk_import_path path;
        struct cam_frame f[2];

        if (!gpu_vk_ctx_caps(vk)->host_import)
                test_skip("device has no VK_EXT_external_memory_host");
        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        vk_test_frame_new(&f[0], V4L2_PIX_FMT_YUYV, 64, 8, 0, 0, false, 1);
        vk_test_frame_new(&f[1], V4L2_PIX_FMT_YUYV, 64, 8, 0, 0, false, 2);
        f[1].index = 1;

        /* Three rounds over two buffers: two imports, four cache hits, nothing copied. */
        for (unsigned round = 0; round < 3; round++)
                for (unsigned i = 0; i < 2; i++) {
                        ASSERT_OK(gpu_vk_importer_import(imp, &f[i], &path));
                        ASSERT_EQ(path, GPU_VK_IMPORT_HOST);
                }
        gpu_vk_importer_stats(imp, &st);
        ASSERT_EQ(st.last_path, GPU_VK_IMPORT_HOST);
        ASSERT_EQ(st.imports[GPU_VK_IMPORT_HOST], 2);
        ASSERT_EQ(st.frames[GPU_VK_IMPORT_HOST], 6);
        ASSERT_EQ(st.cache_hits, 4);
        ASSERT_EQ(st.bytes_copied, 0);

        /* The stream stopped: the next frame is imported again. */
        gpu_vk_importer_reset(imp);
        ASSERT_OK(gpu_vk_importer_import(imp, &f[0], NULL));
        gpu_vk_importer_stats(imp, &st);
        ASSERT_EQ(st.imports[GPU_VK_IMPORT_HOST], 3);

        /* Same index, different mapping (format change without reset): re-imported, not reused. */
        vk_test_frame_free(&f[0]);
        vk_test_frame_new(&f[0], V4L2_PIX_FMT_GREY, 32, 4, 0, 0, false, 3);
        ASSERT_OK(gpu_vk_importer_import(imp, &f[0], NULL));
        gpu_vk_importer_stats(imp, &st);
        ASSERT_EQ(st.imports[GPU_VK_IMPORT_HOST], 4);
        ASSERT_EQ(st.cache_hits, 4);

        imp = gpu_vk_importer_free(imp);
        vk_test_frame_free(&f[0]);
        vk_test_frame_free(&f[1]);
}

static void test_copy_path_counts_bytes(void) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        struct gpu_vk_import_stats st;
        enum gpu_vk_import_path path;
        struct cam_frame f;

        /* Only "copy" allowed: every frame is copied, payload (bytesused) bytes each. */
        ASSERT_OK(gpu_vk_importer_new(vk, &(struct gpu_vk_importer_params) {
                        .allowed_paths = 1u << GPU_VK_IMPORT_COPY }, &imp));
        vk_test_frame_new(&f, V4L2_PIX_FMT_NV12, 30, 10, 5, 7, true, 4);
        f.memory[0].bytesused = f.memory[0].length - 1;
        for (unsigned i = 0; i < 5; i++) {
                ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
                ASSERT_EQ(path, GPU_VK_IMPORT_COPY);
        }
        gpu_vk_importer_stats(imp, &st);
        ASSERT_EQ(st.imports[GPU_VK_IMPORT_COPY], 2);   /* two memory buffers */
        ASSERT_EQ(st.frames[GPU_VK_IMPORT_COPY], 5);
        ASSERT_EQ(st.bytes_copied, 5 * (f.memory[0].bytesused + f.memory[1].bytesused));
        ASSERT_EQ(st.imports[GPU_VK_IMPORT_HOST] + st.imports[GPU_VK_IMPORT_DMABUF], 0);
        imp = gpu_vk_importer_free(imp);
        vk_test_frame_free(&f);
}

struct fault {
        const char *call;
        int result;
        unsigned hits;
        unsigned skip;          /* let this many matching calls through first */
        unsigned limit;         /* fail at most this many (0: every one) */
};

static int fault_hook(const char *call, void *userdata) {
        struct fault *f = userdata;
        if (!streq(call, f->call))
                return 0;
        if (f->skip > 0) {
                f->skip--;
                return 0;
        }
        if (f->limit && f->hits >= f->limit)
                return 0;
        f->hits++;
        return f->result;
}

static void test_host_fault_falls_back_to_copy(void) {
        struct fault fault = { .call = "vkGetMemoryHostPointerPropertiesEXT", .result = VK_ERROR_INVALID_EXTERNAL_HANDLE };
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk =
                vk_test_ctx(&(struct gpu_vk_ctx_params) { .fault = fault_hook, .fault_userdata = &fault });
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        struct gpu_vk_import_stats st;
        enum gpu_vk_import_path path;
        struct cam_frame f;

        if (!gpu_vk_ctx_caps(vk)->host_import)
                test_skip("device has no VK_EXT_external_memory_host");
        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        vk_test_frame_new(&f, V4L2_PIX_FMT_RGB24, 16, 4, 1, 0, false, 5);
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
        ASSERT_EQ(path, GPU_VK_IMPORT_COPY);
        ASSERT_EQ(fault.hits, 1);
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));      /* cached: the host path is not retried */
        ASSERT_EQ(fault.hits, 1);
        gpu_vk_importer_stats(imp, &st);
        ASSERT_EQ(st.bytes_copied, 2 * f.memory[0].length);

        /* The allocation of the import failing (device memory) falls back the same way. */
        gpu_vk_importer_reset(imp);
        fault = (struct fault) { .call = "vkAllocateMemory", .result = VK_ERROR_OUT_OF_DEVICE_MEMORY, .skip = 0 };
        /* Every allocation failing: the last path's error comes back, nothing is cached. */
        ASSERT_ERR(gpu_vk_importer_import(imp, &f, &path), ENOMEM);
        ASSERT_EQ(fault.hits, 2);               /* host import, then staging buffer */
        ASSERT_TRUE(gpu_vk_importer_buffer(imp, &f, 0) == NULL);
        fault.call = "none";
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
        ASSERT_EQ(path, GPU_VK_IMPORT_HOST);

        /* Only the host import's allocation fails: the staging buffer serves. */
        gpu_vk_importer_reset(imp);
        fault = (struct fault) { .call = "vkAllocateMemory", .result = VK_ERROR_OUT_OF_DEVICE_MEMORY, .limit = 1 };
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
        ASSERT_EQ(path, GPU_VK_IMPORT_COPY);
        ASSERT_EQ(fault.hits, 1);
        imp = gpu_vk_importer_free(imp);
        vk_test_frame_free(&f);
}

static void test_host_import_alignment(void) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        enum gpu_vk_import_path path;
        struct cam_frame f;

        if (!gpu_vk_ctx_caps(vk)->host_import)
                test_skip("device has no VK_EXT_external_memory_host");
        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        vk_test_frame_new(&f, V4L2_PIX_FMT_GREY, 64, 4, 0, 0, false, 6);

        /* A mapping that does not start on the import alignment cannot be imported: copied. */
        void *base = f.memory[0].data;
        f.memory[0].data = (uint8_t *) base + 64;
        f.memory[0].length -= 64;
        f.memory[0].bytesused = f.memory[0].length;
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
        ASSERT_EQ(path, GPU_VK_IMPORT_COPY);

        /* An odd length is fine: rounded up to the alignment inside the same page. */
        f.memory[0].data = base;
        f.memory[0].length = f.memory[0].bytesused = 64 * 4 + 64 - 13;
        f.index = 1;
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
        ASSERT_EQ(path, GPU_VK_IMPORT_HOST);
        f.memory[0].length = 64 * 4 + 64;
        imp = gpu_vk_importer_free(imp);
        vk_test_frame_free(&f);
}

static void test_dmabuf_level(void) {
        struct fault fault = { .call = "vkGetMemoryFdPropertiesKHR", .result = VK_ERROR_INVALID_EXTERNAL_HANDLE };
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk =
                vk_test_ctx(&(struct gpu_vk_ctx_params) { .fault = fault_hook, .fault_userdata = &fault });
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        _cleanup_close_ int fd = memfd_create("not-a-dmabuf", MFD_CLOEXEC);
        enum gpu_vk_import_path path;
        struct cam_frame f;

        /* A frame offering an fd: level 1 is tried and fails (injected, or no extension), level 2 serves it. */
        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        vk_test_frame_new(&f, V4L2_PIX_FMT_GREY, 64, 4, 0, 0, false, 7);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(ftruncate(fd, (off_t) f.memory[0].length), 0);
        f.memory[0].dmabuf_fd = fd;
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
        ASSERT_EQ(path, best_host_path(vk));
        ASSERT_EQ(fault.hits, gpu_vk_ctx_caps(vk)->dmabuf_import ? 1u : 0u);
        /* The source's fd is untouched (Vulkan gets dups only). */
        ASSERT_TRUE(fcntl(fd, F_GETFD) >= 0);
        imp = gpu_vk_importer_free(imp);
        vk_test_frame_free(&f);
}

static void test_real_dmabuf(void) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        _cleanup_close_ int dev = -EBADF, memfd = -EBADF, buf = -EBADF;
        struct gpu_vk_import_stats st;
        enum gpu_vk_import_path path;
        size_t len = 4096;

        if (!gpu_vk_ctx_caps(vk)->dmabuf_import)
                test_skip("device '%s' has no VK_EXT_external_memory_dma_buf", gpu_vk_ctx_caps(vk)->device_name);
        dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
        if (dev < 0)
                test_skip("no /dev/udmabuf to make a real dma-buf: %m");
        memfd = memfd_create("udmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        ASSERT_TRUE(memfd >= 0);
        ASSERT_EQ(ftruncate(memfd, (off_t) len), 0);
        ASSERT_EQ(fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK), 0);
        struct udmabuf_create create = { .memfd = (uint32_t) memfd, .flags = UDMABUF_FLAGS_CLOEXEC, .size = len };
        buf = ioctl(dev, UDMABUF_CREATE, &create);
        if (buf < 0)
                test_skip("UDMABUF_CREATE failed: %m");
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        ASSERT_TRUE(p != MAP_FAILED);
        struct cam_frame f = {
                .fourcc = V4L2_PIX_FMT_GREY, .width = 64, .height = 64, .n_memory = 1, .n_planes = 1,
                .memory = { { .dmabuf_fd = buf, .data = p, .length = len, .bytesused = len } },
                .planes = { { .memory = 0, .offset = 0, .stride = 64 } },
        };
        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        ASSERT_OK(gpu_vk_importer_import(imp, &f, &path));
        ASSERT_EQ(path, GPU_VK_IMPORT_DMABUF);
        gpu_vk_importer_stats(imp, &st);
        ASSERT_EQ(st.bytes_copied, 0);
        imp = gpu_vk_importer_free(imp);
        munmap(p, len);
}

static void test_bad_frames(void) {
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = vk_test_ctx(NULL);
        _cleanup_(gpu_vk_importer_freep) struct gpu_vk_importer *imp = NULL;
        struct cam_frame f;

        ASSERT_OK(gpu_vk_importer_new(vk, NULL, &imp));
        ASSERT_ERR(gpu_vk_importer_new(vk, &(struct gpu_vk_importer_params) { .allowed_paths = 0x10 }, &imp), EINVAL);
        vk_test_frame_new(&f, V4L2_PIX_FMT_GREY, 8, 8, 0, 0, false, 8);
        f.index = 64;
        ASSERT_ERR(gpu_vk_importer_import(imp, &f, NULL), EINVAL);
        f.index = 0;
        f.n_memory = 0;
        ASSERT_ERR(gpu_vk_importer_import(imp, &f, NULL), EINVAL);
        f.n_memory = 1;
        f.memory[0].bytesused = f.memory[0].length + 1;
        ASSERT_ERR(gpu_vk_importer_import(imp, &f, NULL), EINVAL);
        f.memory[0].bytesused = f.memory[0].length;
        ASSERT_OK(gpu_vk_importer_import(imp, &f, NULL));
        imp = gpu_vk_importer_free(imp);
        vk_test_frame_free(&f);
}

TEST_MAIN(TEST_CASE(test_path_strings),
          TEST_CASE(test_host_import_cached),
          TEST_CASE(test_copy_path_counts_bytes),
          TEST_CASE(test_host_fault_falls_back_to_copy),
          TEST_CASE(test_host_import_alignment),
          TEST_CASE(test_dmabuf_level),
          TEST_CASE(test_real_dmabuf),
          TEST_CASE(test_bad_frames));
