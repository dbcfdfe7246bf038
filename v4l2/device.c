/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opening a capture node and asking what it is. */

#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/stat.h>

#include "common/debug.h"
#include "v4l2/device.h"

struct cam_device {
        struct cam_io io;
        int fd;
        char *path;
        char *node;
        struct v4l2_capability cap;
        uint32_t caps;          /* device_caps when the driver reports them, else capabilities */
        bool mplane;
};

struct cam_device *cam_device_free(struct cam_device *d) {
        if (!d)
                return NULL;
        if (d->fd >= 0)
                (void) cam_io_close(&d->io, d->fd);
        free(d->path);
        free(d->node);
        free(d);
        return NULL;
}

bool cam_caps_is_capture(uint32_t caps) {
        if (!(caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)))
                return false;
        return caps & V4L2_CAP_STREAMING;
}

static int device_querycap(struct cam_device *d) {
        int r = cam_device_ioctl(d, VIDIOC_QUERYCAP, &d->cap);
        if (r < 0)
                return r == -EINVAL ? -ENOTTY : r;

        /* device_caps describes this node; capabilities is the whole physical device. */
        d->caps = (d->cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? d->cap.device_caps : d->cap.capabilities;
        if (d->caps & V4L2_CAP_META_CAPTURE && !(d->caps & (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_VIDEO_CAPTURE_MPLANE)))
                return ls_debug_errno(-EMEDIUMTYPE, "'%s' is a metadata node, skipping", d->node);
        if (!cam_caps_is_capture(d->caps))
                return ls_debug_errno(-EMEDIUMTYPE, "'%s' is not a streaming video capture node (caps 0x%08x)",
                                      d->node, d->caps);
        /* Single-planar when a node offers both: simpler, and every consumer handles it. */
        d->mplane = !(d->caps & V4L2_CAP_VIDEO_CAPTURE);
        return 0;
}

int cam_device_open(const struct cam_device_params *p, struct cam_device **ret) {
        _cleanup_(cam_device_freep) struct cam_device *d = NULL;
        struct stat st;
        int r;

        if (!p || !p->path || !ret)
                return -EINVAL;

        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->fd = -EBADF;
        d->io = cam_io_or_default(&p->io);
        d->path = strdup(p->path);
        if (!d->path)
                return -ENOMEM;

        r = d->io.ops->resolve(d->io.userdata, p->path, &d->node);
        if (r < 0)
                return ls_debug_errno(r, "'%s': cannot resolve: %s", p->path, strerror(-r));

        r = cam_io_open(&d->io, d->node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (r < 0)
                return ls_debug_errno(r, "'%s': open: %s", d->node, strerror(-r));
        d->fd = r;

        r = d->io.ops->fstat(d->io.userdata, d->fd, &st);
        if (r < 0)
                return r;
        if (!S_ISCHR(st.st_mode))
                return ls_debug_errno(-ENOTTY, "'%s' is not a character device", d->node);

        r = device_querycap(d);
        if (r < 0)
                return r;

        ls_debug("'%s' (%s): driver %s, card '%s', bus %s, caps 0x%08x%s", d->node, d->path,
                 (const char *) d->cap.driver, (const char *) d->cap.card, (const char *) d->cap.bus_info,
                 d->caps, d->mplane ? ", multi-planar" : "");
        *ret = TAKE_PTR(d);
        return 0;
}

const char *cam_device_path(const struct cam_device *d) { return d->path; }
const char *cam_device_node(const struct cam_device *d) { return d->node; }
const char *cam_device_driver(const struct cam_device *d) { return (const char *) d->cap.driver; }
const char *cam_device_card(const struct cam_device *d) { return (const char *) d->cap.card; }
const char *cam_device_bus_info(const struct cam_device *d) { return (const char *) d->cap.bus_info; }
uint32_t cam_device_caps(const struct cam_device *d) { return d->caps; }
bool cam_device_is_mplane(const struct cam_device *d) { return d->mplane; }
int cam_device_fd(const struct cam_device *d) { return d->fd; }
const struct cam_io *cam_device_io(const struct cam_device *d) { return &d->io; }

uint32_t cam_device_buf_type(const struct cam_device *d) {
        return d->mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
}

int cam_device_ioctl_quiet(struct cam_device *d, unsigned long request, void *arg) {
        return cam_io_ioctl(&d->io, d->fd, request, arg);
}

int cam_device_ioctl(struct cam_device *d, unsigned long request, void *arg) {
        int r = cam_io_ioctl(&d->io, d->fd, request, arg);
        if (r < 0 && r != -EAGAIN)
                ls_debug("'%s' %s: %s", d->node, cam_ioctl_name(request), strerror(-r));
        return r;
}
