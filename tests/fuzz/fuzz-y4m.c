/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the Y4M parser: stream header, every FRAME line and
 * payload bound, and the conversion into the GPU layout (NV12/YUYV/GREY)
 * for frames small enough to convert cheaply. Built by `make fuzz` with
 * clang -fsanitize=fuzzer,address,undefined; run with `make fuzz-run`.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "v4l2/y4m.h"

/* Keeps each run fast and within libFuzzer's malloc limit; parsing is still checked at any size. */
#define MAX_CONVERT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct cam_y4m_iter it;
        struct cam_y4m_layout l;
        const uint8_t *payload;
        const char *why = NULL;
        uint8_t *dst = NULL;
        int r;

        /* The FRAME line parser on its own, on the raw input. */
        r = cam_y4m_parse_frame_line(data, size, &why);
        if (r > 0 && (size_t) r > size)
                abort();

        why = NULL;
        r = cam_y4m_iter_init(&it, data, size, &why);
        if (r < 0) {
                if (!why)
                        abort();        /* every failure must come with a reason */
                return 0;
        }
        const struct cam_y4m_header *h = &it.header;
        if (h->width == 0 || h->height == 0 || h->width > CAM_Y4M_MAX_DIMENSION ||
            h->height > CAM_Y4M_MAX_DIMENSION || h->frame_size > CAM_Y4M_MAX_FRAME_SIZE ||
            h->frame_size != h->luma_size + 2 * h->chroma_size || it.pos > size)
                abort();
        if (cam_y4m_get_layout(h, &l) < 0)
                abort();
        if (l.size <= MAX_CONVERT) {
                dst = malloc(l.size);
                if (!dst)
                        return 0;
        }

        while ((r = cam_y4m_iter_next(&it, &payload, &why)) == 1) {
                /* The payload must lie inside the input. */
                if (payload < data || payload + h->frame_size > data + size || it.pos > size)
                        abort();
                if (dst) {
                        const uint8_t *y = payload, *cb = y + h->luma_size, *cr = cb + h->chroma_size;
                        size_t n = cam_y4m_convert(h, &l, y, cb, cr, dst);
                        if (n != l.size)
                                abort();
                        if (cam_y4m_luma_is_direct(h, &l)) {
                                memcpy(dst, y, h->luma_size);
                                n = cam_y4m_convert(h, &l, NULL, cb, cr, dst);
                                if (n > l.size)
                                        abort();
                        }
                }
        }
        free(dst);
        return 0;
}
