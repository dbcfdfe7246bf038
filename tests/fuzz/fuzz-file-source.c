/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the file source: the input (after one byte of
 * options) becomes a memfd that the source plays, so the pread-based frame
 * walking, skipping (paced at an absurd rate, the consumer is always
 * "late"), looping and the conversions all see hostile files. Every handed
 * out frame is read in full, so ASan sees any out-of-bounds plane.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "v4l2/file-source.h"

#define MAX_FRAMES 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_all(int fd, const uint8_t *p, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w <= 0)
                        return -1;
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct cam_file_source_params p = {};
        struct cam_source *s = NULL;
        char path[64];
        int fd, r;

        if (size < 1)
                return 0;
        uint8_t opt = data[0];
        fd = memfd_create("fuzz-y4m", MFD_CLOEXEC);
        if (fd < 0 || write_all(fd, data + 1, size - 1) < 0)
                abort();
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

        p.path = path;
        p.loop = opt & 1;
        p.paced = opt & 2;
        p.n_buffers = 2 + ((opt >> 2) & 3);
        if (p.paced) {
                p.fps_num = 1000000;            /* a frame due every microsecond: constant skipping */
                p.fps_den = 1;
        }
        r = cam_file_source_new(&p, &s);
        if (r < 0) {
                close(fd);
                return 0;
        }
        if (cam_source_get_fd(s) < 0)
                abort();

        for (int i = 0; i < MAX_FRAMES; i++) {
                const struct cam_frame *f;
                volatile uint8_t sink = 0;

                r = cam_source_acquire(s, 0, &f);
                if (r == -ETIMEDOUT)
                        continue;
                if (r < 0)
                        break;
                if (f->memory[0].bytesused > f->memory[0].length || f->n_planes < 1 || f->n_planes > 2)
                        abort();
                for (size_t k = 0; k < f->memory[0].bytesused; k++)
                        sink ^= ((const uint8_t *) f->memory[0].data)[k];
                (void) sink;
                if (cam_source_release(s, f) < 0)
                        abort();
        }
        struct cam_source_stats st;
        cam_source_get_stats(s, &st);
        cam_source_free(s);
        close(fd);
        return 0;
}
