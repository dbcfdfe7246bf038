/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default I/O table: real syscalls, with EINTR retried. */

#include <fcntl.h>
#include <limits.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "common/macro.h"
#include "v4l2/io.h"

static int sys_open(void *userdata, const char *path, int flags) {
        int fd = open(path, flags | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

static int sys_close(void *userdata, int fd) {
        /* Linux closes the fd even when close() reports EINTR: never retry. */
        return close(fd) < 0 && errno != EINTR ? negative_errno() : 0;
}

static int sys_fstat(void *userdata, int fd, struct stat *ret) {
        return fstat(fd, ret) < 0 ? negative_errno() : 0;
}

static int sys_ioctl(void *userdata, int fd, unsigned long request, void *arg) {
        int r;
        do
                r = ioctl(fd, request, arg);
        while (r < 0 && errno == EINTR);
        return r < 0 ? negative_errno() : r;
}

static int sys_mmap(void *userdata, int fd, size_t length, int prot, off_t offset, void **ret) {
        void *p = mmap(NULL, length, prot, MAP_SHARED, fd, offset);
        if (p == MAP_FAILED)
                return negative_errno();
        *ret = p;
        return 0;
}

static int sys_munmap(void *userdata, void *addr, size_t length) {
        return munmap(addr, length) < 0 ? negative_errno() : 0;
}

static int sys_poll(void *userdata, struct pollfd *fds, nfds_t n, int timeout_ms) {
        /* EINTR is passed up: the caller owns the deadline and re-polls. */
        int r = poll(fds, n, timeout_ms);
        return r < 0 ? negative_errno() : r;
}

static int sys_resolve(void *userdata, const char *path, char **ret) {
        char *p = realpath(path, NULL);
        if (!p)
                return negative_errno();
        *ret = p;
        return 0;
}

static const struct cam_io_ops default_ops = {
        .open = sys_open,
        .close = sys_close,
        .fstat = sys_fstat,
        .ioctl = sys_ioctl,
        .mmap = sys_mmap,
        .munmap = sys_munmap,
        .poll = sys_poll,
        .resolve = sys_resolve,
};

const struct cam_io_ops *cam_io_default(void) {
        return &default_ops;
}

const char *cam_ioctl_name(unsigned long request) {
        static const struct {
                unsigned long request;
                const char *name;
        } names[] = {
#define N(x) { x, #x }
                N(VIDIOC_QUERYCAP), N(VIDIOC_ENUM_FMT), N(VIDIOC_ENUM_FRAMESIZES),
                N(VIDIOC_ENUM_FRAMEINTERVALS), N(VIDIOC_G_FMT), N(VIDIOC_S_FMT), N(VIDIOC_TRY_FMT),
                N(VIDIOC_G_PARM), N(VIDIOC_S_PARM), N(VIDIOC_REQBUFS), N(VIDIOC_QUERYBUF),
                N(VIDIOC_QBUF), N(VIDIOC_DQBUF), N(VIDIOC_EXPBUF), N(VIDIOC_STREAMON),
                N(VIDIOC_STREAMOFF), N(VIDIOC_QUERY_EXT_CTRL), N(VIDIOC_QUERYMENU),
                N(VIDIOC_G_EXT_CTRLS), N(VIDIOC_S_EXT_CTRLS), N(VIDIOC_G_INPUT), N(VIDIOC_S_INPUT),
#undef N
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i].request == request)
                        return names[i].name;
        return "ioctl";
}
