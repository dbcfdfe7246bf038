/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"

#include "svc/ctl/ctl.h"

void ctl_json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) (s ?: ""); *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

void ctl_base64(FILE *f, const void *data, size_t size) {
        static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const uint8_t *p = data;

        for (size_t i = 0; i < size; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16;
                if (i + 1 < size)
                        v |= (uint32_t) p[i + 1] << 8;
                if (i + 2 < size)
                        v |= p[i + 2];
                fputc(tbl[(v >> 18) & 63], f);
                fputc(tbl[(v >> 12) & 63], f);
                fputc(i + 1 < size ? tbl[(v >> 6) & 63] : '=', f);
                fputc(i + 2 < size ? tbl[v & 63] : '=', f);
        }
}

/* How long a pipe or FIFO may stay silent: a photo arrives at once or not at all. */
#define CTL_READ_TIMEOUT_SEC 5
#define CTL_READ_TIMEOUT_TEXT "5 s"

/* Reads to the end (a pipe or FIFO: until its writer closes it), or until it stays silent past the deadline. */
static int read_stream(int fd, size_t max, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t got = 0, cap = 0;

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                /* A FIFO without a writer polls as nothing at all, not as its end: the deadline ends that. */
                int k = poll(&p, 1, CTL_READ_TIMEOUT_SEC * 1000);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -ETIMEDOUT;
                if (got == cap) {
                        if (cap > max)
                                return -EFBIG;
                        cap = cap ? cap * 2 : 64 * 1024;
                        uint8_t *n = realloc(buf, cap + 1);
                        if (!n)
                                return -ENOMEM;
                        buf = n;
                }
                ssize_t n = read(fd, buf + got, cap - got);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                got += (size_t) n;
                if (got > max)
                        return -EFBIG;
        }
        *ret_size = got;
        *ret = buf ? TAKE_PTR(buf) : malloc(1);
        return *ret ? 0 : -ENOMEM;
}

const char *ctl_read_strerror(int r) {
        switch (r) {
        case -EISDIR: return "it is a directory";
        case -ENODEV: return "it is a device, socket or other special file, not an image";
        case -ETIMEDOUT: return "no data arrived within " CTL_READ_TIMEOUT_TEXT " (a pipe or FIFO without a writer?)";
        case -EFBIG: return "the file is too large";
        default: return strerror(-r);
        }
}

int ctl_read_file(const char *path, size_t max, uint8_t **ret, size_t *ret_size) {
        /* O_NONBLOCK: opening a FIFO must not wait for a writer; the deadline is read_stream()'s. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        struct stat st;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
                return -ENODEV;         /* /dev/zero would never end, /dev/urandom never parse */
        if ((uint64_t) st.st_size > max)
                return -EFBIG;
        return read_stream(fd, max, ret, ret_size);     /* a regular file polls readable at once */
}
