/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers of the Vulkan tests: a context on whatever device exists (skip if none). */

#include "gpu/vk/vk.h"
#include "tests/test.h"

/*
 * Under valgrind lavapipe JIT-compiles every pipeline at a crawl (minutes per
 * test case): the heavy cases skip there (ASan/UBSan runs them all), the
 * fault and lifetime cases always run.
 */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define vk_test_under_valgrind() (RUNNING_ON_VALGRIND != 0)
#else
#define vk_test_under_valgrind() false
#endif
#define vk_test_skip_under_valgrind()                                                       \
        do {                                                                            \
                if (vk_test_under_valgrind())                                           \
                        test_skip("too slow under valgrind (lavapipe JIT); run by the ASan build"); \
        } while (0)

static inline struct gpu_vk_ctx *vk_test_ctx(const struct gpu_vk_ctx_params *p) {
        char err[GPU_VK_ERROR_MAX] = "";
        struct gpu_vk_ctx_params q = p ? *p : (struct gpu_vk_ctx_params) {};
        struct gpu_vk_ctx *vk = NULL;
        int r;

        q.error = err;
        r = gpu_vk_ctx_new(&q, &vk);
        if (r == -ENODEV)
                test_skip("no Vulkan device: %s", err);
        ASSERT_OK(r);
        return vk;
}

#include <linux/videodev2.h>
#include <sys/mman.h>

#include "common/macro.h"

/*
 * A frame in memfd-backed shared mappings (what a V4L2 MMAP buffer looks
 * like to the importer, minus the dma-buf): random pixels, `pad` bytes of
 * padding per line, plane 0 at `offset`; NV12's chroma plane after the luma
 * (plus 3 odd bytes) or, with two_memory, in a second buffer at `offset`.
 */
static inline uint32_t vk_test_row_bytes(uint32_t fourcc, uint32_t w, unsigned plane) {
        switch (fourcc) {
        case V4L2_PIX_FMT_YUYV:
        case V4L2_PIX_FMT_UYVY:
                return DIV_ROUND_UP(w, 2) * 4;
        case V4L2_PIX_FMT_RGB24:
        case V4L2_PIX_FMT_BGR24:
                return w * 3;
        case V4L2_PIX_FMT_NV12:
                return plane == 0 ? w : DIV_ROUND_UP(w, 2) * 2;
        default:
                return w;
        }
}

static inline void vk_test_memory(struct cam_frame_memory *m, size_t len) {
        int fd = memfd_create("lanesight-test-frame", MFD_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(ftruncate(fd, (off_t) len), 0);
        void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ASSERT_TRUE(p != MAP_FAILED);
        /* The fd is not a dma-buf: keep it out of dmabuf_fd, close it (the mapping stays). */
        close(fd);
        *m = (struct cam_frame_memory) { .dmabuf_fd = -EBADF, .data = p, .length = len, .bytesused = len };
}

static inline void vk_test_frame_new(struct cam_frame *f, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t pad,
                                     uint32_t offset, bool two_memory, uint32_t seed) {
        uint32_t stride = vk_test_row_bytes(fourcc, w, 0) + pad;
        size_t len0 = (size_t) offset + (size_t) stride * h;

        *f = (struct cam_frame) { .fourcc = fourcc, .width = w, .height = h, .n_memory = 1, .n_planes = 1 };
        f->planes[0] = (struct cam_frame_plane) { .memory = 0, .offset = offset, .stride = stride };
        if (fourcc == V4L2_PIX_FMT_NV12) {
                uint32_t cstride = vk_test_row_bytes(fourcc, w, 1) + pad;
                size_t clen = (size_t) cstride * DIV_ROUND_UP(h, 2);
                f->n_planes = 2;
                if (two_memory) {
                        f->n_memory = 2;
                        f->planes[1] = (struct cam_frame_plane) { .memory = 1, .offset = offset, .stride = cstride };
                        vk_test_memory(&f->memory[1], offset + clen);
                } else {
                        f->planes[1] = (struct cam_frame_plane) { .memory = 0, .offset = (uint32_t) len0 + 3, .stride = cstride };
                        len0 += 3 + clen;
                }
        }
        vk_test_memory(&f->memory[0], len0);
        for (unsigned m = 0; m < f->n_memory; m++) {
                uint8_t *p = f->memory[m].data;
                uint32_t s = seed * 2654435761u + m;
                for (size_t i = 0; i < f->memory[m].length; i++) {
                        s = s * 1103515245u + 12345u;
                        p[i] = (uint8_t) (s >> 16);
                }
        }
}

static inline void vk_test_frame_free(struct cam_frame *f) {
        for (unsigned m = 0; m < f->n_memory; m++)
                if (f->memory[m].data)
                        munmap(f->memory[m].data, f->memory[m].length);
        *f = (struct cam_frame) {};
}
