/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libv4lconvert behind the device's I/O table. */

#include <libv4l-plugin.h>
#include <libv4lconvert.h>
#include <limits.h>

#include "common/debug.h"
#include "v4l2/convert.h"
#include "v4l2/device.h"

struct cam_convert {
        struct v4lconvert_data *data;
        const struct cam_io *io;
        struct v4l2_format src, dst;
        struct cam_format_granted dst_granted;
};

/* libv4lconvert wants -1/errno; our table returns -errno. */
static int convert_ioctl(void *priv, int fd, unsigned long request, void *arg) {
        const struct cam_io *io = priv;
        int r = cam_io_ioctl(io, fd, request, arg);
        if (r < 0) {
                errno = -r;
                return -1;
        }
        return r;
}

static const struct libv4l_dev_ops convert_dev_ops = {
        .ioctl = convert_ioctl,
};

bool cam_convert_dst_supported(uint32_t fourcc) {
        return v4lconvert_supported_dst_format(fourcc);
}

struct cam_convert *cam_convert_free(struct cam_convert *c) {
        if (!c)
                return NULL;
        if (c->data)
                v4lconvert_destroy(c->data);
        free(c);
        return NULL;
}

int cam_convert_new(struct cam_device *d, const struct cam_format_granted *src, uint32_t dst_fourcc,
                    struct cam_convert **ret) {
        _cleanup_(cam_convert_freep) struct cam_convert *c = NULL;
        uint64_t stride, size;

        if (!dst_fourcc)
                dst_fourcc = V4L2_PIX_FMT_RGB24;
        if (src->mplane && src->n_memory != 1)
                return -ENOTSUP;
        const struct cam_format_info *info = cam_format_info_lookup(dst_fourcc);
        if (!info || !(info->flags & CAM_FMT_GPU) || info->n_memory != 1 || !cam_convert_dst_supported(dst_fourcc))
                return ls_debug_errno(-ENOTSUP, "cannot convert into %s", CAM_FOURCC_STR(dst_fourcc));

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->io = cam_device_io(d);
        c->data = v4lconvert_create_with_dev_ops(cam_device_fd(d), (void *) c->io, &convert_dev_ops);
        if (!c->data)
                return -ENOMEM;

        /* libv4lconvert only speaks single-planar formats. */
        c->src.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        c->src.fmt.pix = (struct v4l2_pix_format) {
                .width = src->width, .height = src->height, .pixelformat = src->fourcc,
                .field = V4L2_FIELD_NONE, .bytesperline = src->bytesperline[0], .sizeimage = src->sizeimage[0],
                .colorspace = src->colorspace,
        };
        stride = (uint64_t) src->width * info->bpp / 8;
        if (info->n_planes > 1)         /* planar 4:2:0: the luma stride is the width */
                stride = src->width;
        size = (uint64_t) src->width * src->height * info->bpp / 8;
        if (size == 0 || size > INT_MAX)
                return -EOVERFLOW;
        c->dst.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
        c->dst.fmt.pix = (struct v4l2_pix_format) {
                .width = src->width, .height = src->height, .pixelformat = dst_fourcc,
                .field = V4L2_FIELD_NONE, .bytesperline = (uint32_t) stride, .sizeimage = (uint32_t) size,
        };
        c->dst_granted = (struct cam_format_granted) {
                .fourcc = dst_fourcc, .width = src->width, .height = src->height, .field = V4L2_FIELD_NONE,
                .colorspace = src->colorspace, .n_memory = 1, .bytesperline = { (uint32_t) stride },
                .sizeimage = { (uint32_t) size }, .fps_num = src->fps_num, .fps_den = src->fps_den,
        };
        *ret = TAKE_PTR(c);
        return 0;
}

const struct cam_format_granted *cam_convert_dst(const struct cam_convert *c) {
        return &c->dst_granted;
}

int cam_convert_run(struct cam_convert *c, const void *src, size_t src_size, void *dst, size_t dst_size) {
        if (src_size > INT_MAX || dst_size > INT_MAX || dst_size < c->dst.fmt.pix.sizeimage)
                return -EINVAL;
        /* libv4lconvert takes non-const pointers but does not write to src. */
        int r = v4lconvert_convert(c->data, &c->src, &c->dst, (unsigned char *) src, (int) src_size, dst,
                                   (int) dst_size);
        if (r < 0)
                return ls_debug_errno(-EBADMSG, "converting %s -> %s failed: %s", CAM_FOURCC_STR(c->src.fmt.pix.pixelformat),
                                      CAM_FOURCC_STR(c->dst.fmt.pix.pixelformat), v4lconvert_get_error_message(c->data));
        return r;
}
