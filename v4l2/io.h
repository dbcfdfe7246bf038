/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The syscalls the capture library makes on a device, as a table, so tests
 * can run the whole library against a simulated driver
 * (tests/unit/fake-camera.c). The default table (cam_io_default()) calls the
 * real syscalls; its ioctl retries on EINTR.
 *
 * Every entry returns >= 0 on success or a negative errno; none sets errno
 * as its result. Thread-safety is the implementation's business: the library
 * calls these from one thread per device.
 */

#include <poll.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

struct cam_io_ops {
        int (*open)(void *userdata, const char *path, int flags);          /* returns an fd */
        int (*close)(void *userdata, int fd);
        int (*fstat)(void *userdata, int fd, struct stat *ret);
        int (*ioctl)(void *userdata, int fd, unsigned long request, void *arg);
        /* Maps length bytes of the device at offset; *ret is the address. */
        int (*mmap)(void *userdata, int fd, size_t length, int prot, off_t offset, void **ret);
        int (*munmap)(void *userdata, void *addr, size_t length);
        /* Returns the number of ready fds, 0 on timeout. */
        int (*poll)(void *userdata, struct pollfd *fds, nfds_t n, int timeout_ms);
        /* Canonical node name of path (symlinks such as /dev/v4l/by-id/... resolved); *ret is malloc'd. */
        int (*resolve)(void *userdata, const char *path, char **ret);
};

/* A table plus its userdata; a zero-initialized struct means "the real syscalls". */
struct cam_io {
        const struct cam_io_ops *ops;
        void *userdata;
};

const struct cam_io_ops *cam_io_default(void);

/* Fills in the default table when io->ops is NULL. */
static inline struct cam_io cam_io_or_default(const struct cam_io *io) {
        if (io && io->ops)
                return *io;
        return (struct cam_io) { .ops = cam_io_default() };
}

static inline int cam_io_open(const struct cam_io *io, const char *path, int flags) {
        return io->ops->open(io->userdata, path, flags);
}
static inline int cam_io_close(const struct cam_io *io, int fd) {
        return fd >= 0 ? io->ops->close(io->userdata, fd) : 0;
}
static inline int cam_io_ioctl(const struct cam_io *io, int fd, unsigned long request, void *arg) {
        return io->ops->ioctl(io->userdata, fd, request, arg);
}
static inline int cam_io_poll(const struct cam_io *io, struct pollfd *fds, nfds_t n, int timeout_ms) {
        return io->ops->poll(io->userdata, fds, n, timeout_ms);
}

/* The ioctl's name for debug messages ("VIDIOC_DQBUF"), or "ioctl". */
const char *cam_ioctl_name(unsigned long request);
