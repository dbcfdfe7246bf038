/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A simulated V4L2 capture driver with fault injection (see fake-camera.h). */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "tests/unit/fake-camera.h"

#define PAGE 4096u

/* ---- geometry: independent of the library's format table on purpose ---- */

static uint32_t fake_n_planes(const struct fake_camera *fc, uint32_t fourcc) {
        if (!fc->mplane)
                return 1;
        return fourcc == V4L2_PIX_FMT_NV12M || fourcc == V4L2_PIX_FMT_NV21M ? 2 : 1;
}

static void fake_geometry(const struct fake_camera *fc, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t *bpl,
                          uint32_t *size) {
        uint32_t pad = fc->bpl_pad;
        switch (fourcc) {
        case V4L2_PIX_FMT_NV12:
        case V4L2_PIX_FMT_NV21:
                bpl[0] = w + pad;
                size[0] = bpl[0] * h * 3 / 2;
                break;
        case V4L2_PIX_FMT_NV12M:
        case V4L2_PIX_FMT_NV21M:
                bpl[0] = bpl[1] = w + pad;
                size[0] = bpl[0] * h;
                size[1] = bpl[1] * h / 2;
                break;
        case V4L2_PIX_FMT_GREY:
        case V4L2_PIX_FMT_SBGGR8:
                bpl[0] = w + pad;
                size[0] = bpl[0] * h;
                break;
        case V4L2_PIX_FMT_RGB24:
        case V4L2_PIX_FMT_BGR24:
                bpl[0] = w * 3 + pad;
                size[0] = bpl[0] * h;
                break;
        case V4L2_PIX_FMT_MJPEG:
        case V4L2_PIX_FMT_JPEG:
                bpl[0] = 0;
                size[0] = w * h;
                break;
        default:
                bpl[0] = w * 2 + pad;
                size[0] = bpl[0] * h;
                break;
        }
}

/* ---- helpers ---- */

static int fake_slot(struct fake_camera *fc, int fd) {
        for (int i = 0; i < FAKE_MAX_FDS; i++)
                if (fc->fds[i] == fd)
                        return i;
        return -1;
}

static const struct fake_format *fake_find_format(const struct fake_camera *fc, uint32_t fourcc) {
        for (uint32_t i = 0; i < fc->n_formats; i++)
                if (fc->formats[i].fourcc == fourcc)
                        return &fc->formats[i];
        return NULL;
}

static uint32_t fake_buf_type(const struct fake_camera *fc) {
        return fc->mplane ? V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE : V4L2_BUF_TYPE_VIDEO_CAPTURE;
}

static void fake_free_buffers(struct fake_camera *fc) {
        for (uint32_t i = 0; i < fc->n_buffers; i++)
                for (int p = 0; p < VIDEO_MAX_PLANES; p++)
                        fc->buffers[i].memfd[p] = safe_close(fc->buffers[i].memfd[p]);
        memset(fc->buffers, 0, sizeof(fc->buffers));
        for (uint32_t i = 0; i < FAKE_MAX_BUFFERS; i++)
                for (int p = 0; p < VIDEO_MAX_PLANES; p++)
                        fc->buffers[i].memfd[p] = -EBADF;
        fc->n_buffers = fc->n_done = fc->n_queued = 0;
        fc->streaming = false;
        fc->owner_fd = -EBADF;
}

static void fake_fill(struct fake_camera *fc, struct fake_buffer *b) {
        uint32_t np = fake_n_planes(fc, fc->fourcc);
        for (uint32_t p = 0; p < np; p++) {
                uint8_t *m = mmap(NULL, b->length[p], PROT_READ | PROT_WRITE, MAP_SHARED, b->memfd[p], 0);
                if (m == MAP_FAILED)
                        continue;
                if (fc->fourcc == V4L2_PIX_FMT_SBGGR8) {
                        uint32_t bpl = fc->width + fc->bpl_pad;
                        /* BGGR: even rows B G, odd rows G R. */
                        for (uint32_t y = 0; y < fc->height; y++)
                                for (uint32_t x = 0; x < fc->width; x++)
                                        m[y * bpl + x] = (y & 1) == 0 ? ((x & 1) == 0 ? fc->bayer_rgb[2] : fc->bayer_rgb[1])
                                                                     : ((x & 1) == 0 ? fc->bayer_rgb[1] : fc->bayer_rgb[0]);
                } else if (fc->payload && fc->payload_size <= b->length[p])
                        memcpy(m, fc->payload, fc->payload_size);
                else {
                        /* A driver's header before the data: bytes no reader may take for pixels. */
                        uint32_t off = fc->mplane ? fc->data_offset : 0;
                        memset(m, 0xee, off);
                        memset(m + off, (int) (b->sequence & 0xff), MIN(b->length[p] - off, 4096u));
                }
                munmap(m, b->length[p]);
        }
}

unsigned fake_camera_produce(struct fake_camera *fc, unsigned n) {
        unsigned made = 0;
        for (unsigned i = 0; i < n && fc->streaming && fc->present; i++) {
                uint32_t seq = fc->sequence++;
                fc->clock_ns += 1000000000ull / (fc->fps ?: 30);
                if (fc->n_queued == 0)
                        continue;       /* no buffer: the camera drops the frame */
                uint32_t idx = fc->queued[0];
                memmove(fc->queued, fc->queued + 1, --fc->n_queued * sizeof(uint32_t));
                struct fake_buffer *b = &fc->buffers[idx];
                b->sequence = seq;
                b->timestamp_ns = fc->clock_ns;
                b->bytesused_extra = fc->oversize_seq && fc->oversize_seq == seq + 1 ? 100 : 0;
                b->error = fc->error_seq && fc->error_seq == seq + 1;
                b->state = FB_DONE;
                fake_fill(fc, b);
                fc->done[fc->n_done++] = idx;
                made++;
        }
        return made;
}

/* ---- ioctls ---- */

static void fake_fill_format(struct fake_camera *fc, struct v4l2_format *f) {
        uint32_t bpl[VIDEO_MAX_PLANES] = {}, size[VIDEO_MAX_PLANES] = {};
        fake_geometry(fc, fc->fourcc, fc->width, fc->height, bpl, size);
        if (fc->mplane) {
                struct v4l2_pix_format_mplane *m = &f->fmt.pix_mp;
                memset(m, 0, sizeof(*m));
                m->width = fc->width;
                m->height = fc->height;
                m->pixelformat = fc->fourcc;
                m->field = V4L2_FIELD_NONE;
                m->colorspace = V4L2_COLORSPACE_SRGB;
                m->num_planes = (uint8_t) fake_n_planes(fc, fc->fourcc);
                for (int p = 0; p < m->num_planes; p++) {
                        m->plane_fmt[p].bytesperline = bpl[p];
                        m->plane_fmt[p].sizeimage = size[p];
                }
        } else {
                struct v4l2_pix_format *p = &f->fmt.pix;
                memset(p, 0, sizeof(*p));
                p->width = fc->width;
                p->height = fc->height;
                p->pixelformat = fc->fourcc;
                p->field = V4L2_FIELD_NONE;
                p->colorspace = V4L2_COLORSPACE_SRGB;
                p->bytesperline = bpl[0];
                p->sizeimage = size[0];
        }
}

static int fake_s_fmt(struct fake_camera *fc, struct v4l2_format *f) {
        if (f->type != fake_buf_type(fc))
                return -EINVAL;
        if (fc->n_buffers)
                return -EBUSY;
        uint32_t fourcc = fc->mplane ? f->fmt.pix_mp.pixelformat : f->fmt.pix.pixelformat;
        uint32_t w = fc->mplane ? f->fmt.pix_mp.width : f->fmt.pix.width;
        uint32_t h = fc->mplane ? f->fmt.pix_mp.height : f->fmt.pix.height;
        const struct fake_format *ff = fake_find_format(fc, fourcc);
        if (!ff)
                ff = &fc->formats[0];   /* drivers fall back to a format they have */
        if (ff->stepwise) {
                w = CLAMP(w, ff->sizes[0].width, ff->sizes[1].width) / 16 * 16;
                h = CLAMP(h, ff->sizes[0].height, ff->sizes[1].height) / 8 * 8;
        } else if (fc->round_fmt) {
                w = ALIGN_UP(w, 16u);
                h = ALIGN_UP(h, 8u);
        } else {
                /* Nearest offered size. */
                uint32_t best = 0, bd = UINT32_MAX;
                for (uint32_t i = 0; i < ff->n_sizes; i++) {
                        uint32_t d = (uint32_t) abs((int) ff->sizes[i].width - (int) w) +
                                     (uint32_t) abs((int) ff->sizes[i].height - (int) h);
                        if (d < bd) {
                                bd = d;
                                best = i;
                        }
                }
                w = ff->sizes[best].width;
                h = ff->sizes[best].height;
        }
        fc->fourcc = fc->grant_fourcc ?: ff->fourcc;
        fc->width = w;
        fc->height = h;
        fake_fill_format(fc, f);
        return 0;
}

static int fake_parm(struct fake_camera *fc, struct v4l2_streamparm *p, bool set) {
        if (p->type != fake_buf_type(fc))
                return -EINVAL;
        if (set && !fc->no_timeperframe) {
                const struct v4l2_fract *t = &p->parm.capture.timeperframe;
                uint32_t want = t->numerator ? t->denominator / t->numerator : 0;
                const struct fake_format *ff = fake_find_format(fc, fc->fourcc) ?: &fc->formats[0];
                uint32_t best = ff->n_rates ? ff->rates[0] : 30;
                if (fc->round_fmt || want == 0) {
                        for (uint32_t i = 0; i < ff->n_rates; i++)
                                if ((uint32_t) abs((int) ff->rates[i] - (int) want) < (uint32_t) abs((int) best - (int) want))
                                        best = ff->rates[i];
                } else
                        best = want;
                fc->fps = best;
        }
        memset(&p->parm, 0, sizeof(p->parm));
        p->parm.capture.capability = fc->no_timeperframe ? 0 : V4L2_CAP_TIMEPERFRAME;
        p->parm.capture.timeperframe = (struct v4l2_fract) { 1, fc->fps };
        return 0;
}

static int fake_reqbufs(struct fake_camera *fc, int fd, struct v4l2_requestbuffers *r) {
        if (r->type != fake_buf_type(fc) || r->memory != V4L2_MEMORY_MMAP)
                return -EINVAL;
        if (fc->streaming && r->count)
                return -EBUSY;
        fake_free_buffers(fc);
        if (r->count == 0)
                return 0;
        uint32_t max = fc->max_buffers ?: FAKE_MAX_BUFFERS;
        r->count = CLAMP(r->count, 2u, max);
        uint32_t bpl[VIDEO_MAX_PLANES] = {}, size[VIDEO_MAX_PLANES] = {};
        fake_geometry(fc, fc->fourcc, fc->width, fc->height, bpl, size);
        for (uint32_t i = 0; i < r->count; i++) {
                for (uint32_t p = 0; p < fake_n_planes(fc, fc->fourcc); p++) {
                        uint32_t len = ALIGN_UP(size[p] + (fc->mplane ? fc->data_offset : 0), PAGE);
                        int m = memfd_create("fake-camera-buffer", MFD_CLOEXEC);
                        if (m < 0 || ftruncate(m, len) < 0) {
                                safe_close(m);
                                fake_free_buffers(fc);
                                return -ENOMEM;
                        }
                        fc->buffers[i].memfd[p] = m;
                        fc->buffers[i].length[p] = len;
                }
        }
        fc->n_buffers = r->count;
        fc->owner_fd = fd;
        return 0;
}

static int fake_buffer_info(struct fake_camera *fc, struct v4l2_buffer *b, bool dq) {
        struct fake_buffer *fb = &fc->buffers[b->index];
        uint32_t np = fake_n_planes(fc, fc->fourcc);
        b->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | (dq && fb->error ? V4L2_BUF_FLAG_ERROR : 0);
        b->field = V4L2_FIELD_NONE;
        b->sequence = fb->sequence;
        b->timestamp.tv_sec = (time_t) (fb->timestamp_ns / 1000000000u);
        b->timestamp.tv_usec = (suseconds_t) (fb->timestamp_ns % 1000000000u / 1000);
        if (fc->mplane) {
                if (b->length < np || !b->m.planes)
                        return -EINVAL;
                b->length = np;
                for (uint32_t p = 0; p < np; p++) {
                        uint32_t bpl[VIDEO_MAX_PLANES] = {}, size[VIDEO_MAX_PLANES] = {};
                        fake_geometry(fc, fc->fourcc, fc->width, fc->height, bpl, size);
                        b->m.planes[p].length = fb->length[p];
                        b->m.planes[p].m.mem_offset = (b->index * VIDEO_MAX_PLANES + p) * PAGE;
                        b->m.planes[p].bytesused = dq ? fc->data_offset + size[p] + fb->bytesused_extra +
                                                        (fb->bytesused_extra ? fb->length[p] : 0) : 0;
                        b->m.planes[p].data_offset = dq ? fc->data_offset : 0;
                }
        } else {
                uint32_t bpl[VIDEO_MAX_PLANES] = {}, size[VIDEO_MAX_PLANES] = {};
                fake_geometry(fc, fc->fourcc, fc->width, fc->height, bpl, size);
                b->length = fb->length[0];
                b->m.offset = b->index * VIDEO_MAX_PLANES * PAGE;
                if (fc->payload && fc->payload_size <= fb->length[0])
                        size[0] = (uint32_t) fc->payload_size;
                b->bytesused = dq ? size[0] + (fb->bytesused_extra ? fb->length[0] + fb->bytesused_extra - size[0] : 0) : 0;
        }
        return 0;
}

static int fake_buffer_op(struct fake_camera *fc, unsigned long request, struct v4l2_buffer *b) {
        if (b->type != fake_buf_type(fc) || b->memory != V4L2_MEMORY_MMAP)
                return -EINVAL;
        if (request == VIDIOC_DQBUF) {
                if (fc->fail_errno && fc->dequeued >= fc->fail_after)
                        return -fc->fail_errno;
                if (fc->eagain_forever)
                        return -EAGAIN;
                if (fc->eagain_storm > 0) {
                        fc->eagain_storm--;
                        return -EAGAIN;
                }
                if (!fc->streaming)
                        return -EINVAL;
                if (fc->n_done == 0)
                        return -EAGAIN;
                b->index = fc->done[0];
                memmove(fc->done, fc->done + 1, --fc->n_done * sizeof(uint32_t));
                fc->buffers[b->index].state = FB_IDLE;
                fc->dequeued++;
                return fake_buffer_info(fc, b, true);
        }
        if (b->index >= fc->n_buffers)
                return -EINVAL;
        if (request == VIDIOC_QUERYBUF)
                return fake_buffer_info(fc, b, false);
        /* QBUF */
        if (fc->buffers[b->index].state != FB_IDLE)
                return -EINVAL;
        fc->buffers[b->index].state = FB_QUEUED;
        fc->queued[fc->n_queued++] = b->index;
        return 0;
}

static int fake_expbuf(struct fake_camera *fc, struct v4l2_exportbuffer *e) {
        if (fc->no_expbuf)
                return -ENOTTY;
        if (e->type != fake_buf_type(fc) || e->index >= fc->n_buffers || e->plane >= fake_n_planes(fc, fc->fourcc))
                return -EINVAL;
        /* vb2: only O_CLOEXEC and the access mode are allowed. */
        if (e->flags & ~(uint32_t) (O_CLOEXEC | O_ACCMODE))
                return -EINVAL;
        if (fc->expbuf_rdonly_only && (e->flags & O_ACCMODE) != O_RDONLY)
                return -EACCES;
        /* A new open file description with the asked access mode, as a real export has. */
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fc->buffers[e->index].memfd[e->plane]);
        int fd = open(path, (int) (e->flags & O_ACCMODE) | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (fc->n_exports < FAKE_MAX_EXPORTS)
                fc->exports[fc->n_exports++] = fd;
        e->fd = fd;
        return 0;
}

static int fake_streamon(struct fake_camera *fc, const int *type, bool on) {
        if ((uint32_t) *type != fake_buf_type(fc))
                return -EINVAL;
        if (on) {
                if (!fc->n_buffers)
                        return -EINVAL;
                fc->streaming = true;
                return 0;
        }
        fc->streaming = false;
        for (uint32_t i = 0; i < fc->n_buffers; i++)
                fc->buffers[i].state = FB_IDLE;
        fc->n_done = fc->n_queued = 0;
        return 0;
}

static struct fake_control *fake_find_control(struct fake_camera *fc, uint32_t id) {
        for (uint32_t i = 0; i < fc->n_controls; i++)
                if (fc->controls[i].q.id == id)
                        return &fc->controls[i];
        return NULL;
}

static int fake_query_ext_ctrl(struct fake_camera *fc, struct v4l2_query_ext_ctrl *q) {
        uint32_t id = q->id;
        struct fake_control *c = NULL;
        if (id & (V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND)) {
                uint32_t after = id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
                for (uint32_t i = 0; i < fc->n_controls; i++)
                        if (fc->controls[i].q.id > after && (!c || fc->controls[i].q.id < c->q.id))
                                c = &fc->controls[i];
        } else
                c = fake_find_control(fc, id);
        if (!c)
                return -EINVAL;
        *q = c->q;
        return 0;
}

static int fake_querymenu(struct fake_camera *fc, struct v4l2_querymenu *m) {
        struct fake_control *c = fake_find_control(fc, m->id);
        if (!c || c->q.type != V4L2_CTRL_TYPE_MENU || m->index >= 8 || !c->menu[m->index] ||
            m->index < c->q.minimum || m->index > c->q.maximum)
                return -EINVAL;
        snprintf((char *) m->name, sizeof(m->name), "%s", c->menu[m->index]);
        return 0;
}

static int fake_ext_ctrls(struct fake_camera *fc, struct v4l2_ext_controls *cs, bool set) {
        /* Validate all first: S_EXT_CTRLS is all or nothing. */
        for (uint32_t i = 0; i < cs->count; i++) {
                struct fake_control *c = fake_find_control(fc, cs->controls[i].id);
                if (!c || c->q.type == V4L2_CTRL_TYPE_CTRL_CLASS) {
                        cs->error_idx = i;
                        return -EINVAL;
                }
                if (set && (c->q.flags & V4L2_CTRL_FLAG_READ_ONLY)) {
                        cs->error_idx = i;
                        return -EACCES;
                }
                int64_t v = c->q.type == V4L2_CTRL_TYPE_INTEGER64 ? cs->controls[i].value64 : cs->controls[i].value;
                if (set && (v < c->q.minimum || v > c->q.maximum)) {
                        cs->error_idx = i;
                        return -ERANGE;
                }
        }
        for (uint32_t i = 0; i < cs->count; i++) {
                struct fake_control *c = fake_find_control(fc, cs->controls[i].id);
                bool is64 = c->q.type == V4L2_CTRL_TYPE_INTEGER64;
                if (set)
                        c->value = is64 ? cs->controls[i].value64 : cs->controls[i].value;
                else if (is64)
                        cs->controls[i].value64 = c->value;
                else
                        cs->controls[i].value = (int32_t) c->value;
        }
        return 0;
}

static uint64_t fake_now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* The scripted unplug/replug of unplug_after/replug_ms. */
static void fake_script(struct fake_camera *fc) {
        if (fc->unplug_after && !fc->auto_unplugged && fc->dequeued >= fc->unplug_after) {
                fake_camera_unplug(fc);
                fc->auto_unplugged = true;
                fc->unplugged_at_ns = fake_now_ns();
        }
        if (fc->auto_unplugged && !fc->present && fake_now_ns() >= fc->unplugged_at_ns + fc->replug_ms * 1000000ull)
                fake_camera_plug(fc);
}

static int fake_ioctl(void *userdata, int fd, unsigned long request, void *arg) {
        struct fake_camera *fc = userdata;
        fake_script(fc);
        int slot = fake_slot(fc, fd);
        if (slot < 0)
                return -EBADF;
        if (!fc->present || fc->fd_gen[slot] != fc->generation)
                return -ENODEV;

        switch (request) {
        case VIDIOC_QUERYCAP: {
                struct v4l2_capability *c = arg;
                memset(c, 0, sizeof(*c));
                snprintf((char *) c->driver, sizeof(c->driver), "fake");
                snprintf((char *) c->card, sizeof(c->card), "%s", fc->card);
                snprintf((char *) c->bus_info, sizeof(c->bus_info), "%s", fc->bus_info);
                c->device_caps = fc->device_caps ?: ((fc->mplane ? V4L2_CAP_VIDEO_CAPTURE_MPLANE : V4L2_CAP_VIDEO_CAPTURE) |
                                                     V4L2_CAP_STREAMING);
                c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
                return 0;
        }
        case VIDIOC_ENUM_FMT: {
                struct v4l2_fmtdesc *d = arg;
                if (d->type != fake_buf_type(fc) || d->index >= fc->n_formats)
                        return -EINVAL;
                const struct fake_format *ff = &fc->formats[d->index];
                d->pixelformat = ff->fourcc;
                d->flags = ff->fourcc == V4L2_PIX_FMT_MJPEG ? V4L2_FMT_FLAG_COMPRESSED : 0;
                snprintf((char *) d->description, sizeof(d->description), "%s", ff->description ?: "fake format");
                return 0;
        }
        case VIDIOC_ENUM_FRAMESIZES: {
                struct v4l2_frmsizeenum *e = arg;
                const struct fake_format *ff = fake_find_format(fc, e->pixel_format);
                if (!ff)
                        return -EINVAL;
                if (ff->stepwise) {
                        if (e->index > 0)
                                return -EINVAL;
                        e->type = V4L2_FRMSIZE_TYPE_STEPWISE;
                        e->stepwise = (struct v4l2_frmsize_stepwise) {
                                ff->sizes[0].width, ff->sizes[1].width, 16, ff->sizes[0].height, ff->sizes[1].height, 8 };
                        return 0;
                }
                if (e->index >= ff->n_sizes)
                        return -EINVAL;
                e->type = V4L2_FRMSIZE_TYPE_DISCRETE;
                e->discrete.width = ff->sizes[e->index].width;
                e->discrete.height = ff->sizes[e->index].height;
                return 0;
        }
        case VIDIOC_ENUM_FRAMEINTERVALS: {
                struct v4l2_frmivalenum *e = arg;
                const struct fake_format *ff = fake_find_format(fc, e->pixel_format);
                if (!ff || e->index >= ff->n_rates)
                        return -EINVAL;
                e->type = V4L2_FRMIVAL_TYPE_DISCRETE;
                e->discrete = (struct v4l2_fract) { 1, ff->rates[e->index] };
                return 0;
        }
        case VIDIOC_G_FMT: {
                struct v4l2_format *f = arg;
                if (f->type != fake_buf_type(fc))
                        return -EINVAL;
                fake_fill_format(fc, f);
                return 0;
        }
        case VIDIOC_S_FMT:
                return fake_s_fmt(fc, arg);
        case VIDIOC_G_PARM:
                return fake_parm(fc, arg, false);
        case VIDIOC_S_PARM:
                return fake_parm(fc, arg, true);
        case VIDIOC_REQBUFS:
                return fake_reqbufs(fc, fd, arg);
        case VIDIOC_QUERYBUF:
        case VIDIOC_QBUF:
        case VIDIOC_DQBUF:
                return fake_buffer_op(fc, request, arg);
        case VIDIOC_EXPBUF:
                return fake_expbuf(fc, arg);
        case VIDIOC_STREAMON:
                return fake_streamon(fc, arg, true);
        case VIDIOC_STREAMOFF:
                return fake_streamon(fc, arg, false);
        case VIDIOC_QUERY_EXT_CTRL:
                return fake_query_ext_ctrl(fc, arg);
        case VIDIOC_QUERYMENU:
                return fake_querymenu(fc, arg);
        case VIDIOC_G_EXT_CTRLS:
                return fake_ext_ctrls(fc, arg, false);
        case VIDIOC_S_EXT_CTRLS:
                return fake_ext_ctrls(fc, arg, true);
        default:
                return -ENOTTY;
        }
}

/* ---- the other syscalls ---- */

static int fake_resolve(void *userdata, const char *path, char **ret) {
        struct fake_camera *fc = userdata;
        fake_script(fc);
        if (!fc->present)
                return -ENOENT;
        if (!streq(path, fc->node) && !streq_ptr(path, fc->by_id) && !streq_ptr(path, fc->by_path))
                return -ENOENT;
        *ret = strdup(fc->node);
        return *ret ? 0 : -ENOMEM;
}

static int fake_open(void *userdata, const char *path, int flags) {
        struct fake_camera *fc = userdata;
        fake_script(fc);
        if (!fc->present || !streq(path, fc->node))
                return -ENOENT;
        if (!(flags & O_CLOEXEC) || !(flags & O_NONBLOCK))
                return -EINVAL;         /* the library must always ask for both */
        int slot = fake_slot(fc, -1);
        if (slot < 0)
                return -EMFILE;
        int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0)
                return -errno;
        fc->fds[slot] = fd;
        fc->fd_gen[slot] = fc->generation;
        fc->n_open++;
        return fd;
}

static int fake_close(void *userdata, int fd) {
        struct fake_camera *fc = userdata;
        int slot = fake_slot(fc, fd);
        if (slot < 0)
                return -EBADF;
        if (fc->owner_fd == fd)
                fake_free_buffers(fc);
        fc->fds[slot] = -1;
        fc->n_open--;
        close(fd);
        return 0;
}

static int fake_fstat(void *userdata, int fd, struct stat *ret) {
        struct fake_camera *fc = userdata;
        if (fake_slot(fc, fd) < 0)
                return -EBADF;
        memset(ret, 0, sizeof(*ret));
        ret->st_mode = (fc->not_chardev ? S_IFREG : S_IFCHR) | 0660;
        ret->st_rdev = makedev(81, 0);
        return 0;
}

static int fake_mmap(void *userdata, int fd, size_t length, int prot, off_t offset, void **ret) {
        struct fake_camera *fc = userdata;
        int slot = fake_slot(fc, fd);
        if (slot < 0)
                return -EBADF;
        if (!fc->present || fc->fd_gen[slot] != fc->generation)
                return -ENODEV;
        uint32_t cookie = (uint32_t) (offset / PAGE);
        uint32_t idx = cookie / VIDEO_MAX_PLANES, p = cookie % VIDEO_MAX_PLANES;
        if (idx >= fc->n_buffers || fc->buffers[idx].memfd[p] < 0 || length > fc->buffers[idx].length[p])
                return -EINVAL;
        void *m = mmap(NULL, length, prot, MAP_SHARED, fc->buffers[idx].memfd[p], 0);
        if (m == MAP_FAILED)
                return -errno;
        fc->n_maps++;
        *ret = m;
        return 0;
}

static int fake_munmap(void *userdata, void *addr, size_t length) {
        struct fake_camera *fc = userdata;
        if (munmap(addr, length) < 0)
                return -errno;
        fc->n_maps--;
        return 0;
}

static int fake_poll(void *userdata, struct pollfd *fds, nfds_t n, int timeout_ms) {
        struct fake_camera *fc = userdata;
        fake_script(fc);
        int ready = 0;
        for (nfds_t i = 0; i < n; i++) {
                int slot = fake_slot(fc, fds[i].fd);
                fds[i].revents = 0;
                if (slot < 0) {
                        fds[i].revents = POLLNVAL;
                } else if (!fc->present || fc->fd_gen[slot] != fc->generation || fc->poll_err) {
                        fds[i].revents = POLLERR | POLLHUP;
                } else if (!fc->poll_never) {
                        if (fc->auto_produce && fc->n_done == 0)
                                fake_camera_produce(fc, fc->produce_per_poll ?: 1);
                        if (fc->n_done > 0 || fc->eagain_storm > 0 || fc->eagain_forever)
                                fds[i].revents = POLLIN;
                }
                ready += fds[i].revents != 0;
        }
        return ready;
}

static const struct cam_io_ops fake_ops = {
        .open = fake_open,
        .close = fake_close,
        .fstat = fake_fstat,
        .ioctl = fake_ioctl,
        .mmap = fake_mmap,
        .munmap = fake_munmap,
        .poll = fake_poll,
        .resolve = fake_resolve,
};

struct cam_io fake_camera_io(struct fake_camera *fc) {
        return (struct cam_io) { .ops = &fake_ops, .userdata = fc };
}

/* ---- set-up ---- */

struct fake_format *fake_camera_add_format(struct fake_camera *fc, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t fps) {
        if (fc->n_formats >= FAKE_MAX_FORMATS)
                abort();
        struct fake_format *f = &fc->formats[fc->n_formats++];
        *f = (struct fake_format) { .fourcc = fourcc, .n_sizes = 1, .sizes = { { w, h } }, .n_rates = 1, .rates = { fps } };
        return f;
}

static void add_control(struct fake_camera *fc, uint32_t id, const char *name, uint32_t type, int64_t min, int64_t max,
                        int64_t def, uint32_t flags) {
        struct fake_control *c = &fc->controls[fc->n_controls++];
        *c = (struct fake_control) { .value = def };
        c->q = (struct v4l2_query_ext_ctrl) { .id = id, .type = type, .minimum = min, .maximum = max, .step = 1,
                                              .default_value = def, .flags = flags, .elems = 1, .elem_size = 4 };
        snprintf(c->q.name, sizeof(c->q.name), "%s", name);
}

struct fake_camera *fake_camera_new(bool mplane) {
        struct fake_camera *fc = calloc(1, sizeof(*fc));
        if (!fc)
                abort();
        fc->node = "/dev/video0";
        fc->by_id = "/dev/v4l/by-id/usb-Fake_Camera_0001-video-index0";
        fc->by_path = "/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0";
        fc->card = "Fake Camera";
        fc->bus_info = "usb-0000:00:14.0-1";
        fc->mplane = mplane;
        fc->present = true;
        fc->owner_fd = -EBADF;
        for (int i = 0; i < FAKE_MAX_FDS; i++)
                fc->fds[i] = -1;
        for (uint32_t i = 0; i < FAKE_MAX_BUFFERS; i++)
                for (int p = 0; p < VIDEO_MAX_PLANES; p++)
                        fc->buffers[i].memfd[p] = -EBADF;
        fc->bayer_rgb[0] = 200;
        fc->bayer_rgb[1] = 100;
        fc->bayer_rgb[2] = 50;

        static const struct fake_format common = {
                .n_sizes = 2, .sizes = { { 640, 480 }, { 1280, 720 } }, .n_rates = 2, .rates = { 30, 15 } };
        if (mplane) {
                fc->formats[fc->n_formats] = common;
                fc->formats[fc->n_formats++].fourcc = V4L2_PIX_FMT_NV12M;
                fc->formats[fc->n_formats] = common;
                fc->formats[fc->n_formats++].fourcc = V4L2_PIX_FMT_YUYV;
        } else {
                fc->formats[fc->n_formats] = common;
                fc->formats[fc->n_formats++].fourcc = V4L2_PIX_FMT_MJPEG;
                fc->formats[fc->n_formats] = common;
                fc->formats[fc->n_formats++].fourcc = V4L2_PIX_FMT_NV12;
                fc->formats[fc->n_formats] = common;
                fc->formats[fc->n_formats++].fourcc = V4L2_PIX_FMT_YUYV;
        }
        fc->fourcc = fc->formats[0].fourcc;
        fc->width = 640;
        fc->height = 480;
        fc->fps = 30;

        add_control(fc, V4L2_CID_USER_CLASS, "User Controls", V4L2_CTRL_TYPE_CTRL_CLASS, 0, 0, 0,
                    V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY);
        add_control(fc, V4L2_CID_BRIGHTNESS, "Brightness", V4L2_CTRL_TYPE_INTEGER, 0, 255, 128, 0);
        add_control(fc, V4L2_CID_CONTRAST, "Contrast", V4L2_CTRL_TYPE_INTEGER, 0, 255, 32, 0);
        add_control(fc, V4L2_CID_AUTO_WHITE_BALANCE, "White Balance, Automatic", V4L2_CTRL_TYPE_BOOLEAN, 0, 1, 1, 0);
        add_control(fc, V4L2_CID_GAIN, "Gain", V4L2_CTRL_TYPE_INTEGER, 0, 100, 10, 0);
        add_control(fc, V4L2_CID_CAMERA_CLASS, "Camera Controls", V4L2_CTRL_TYPE_CTRL_CLASS, 0, 0, 0,
                    V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_WRITE_ONLY);
        add_control(fc, V4L2_CID_EXPOSURE_AUTO, "Auto Exposure", V4L2_CTRL_TYPE_MENU, 0, 3, 3, 0);
        fc->controls[fc->n_controls - 1].menu[1] = "Manual Mode";
        fc->controls[fc->n_controls - 1].menu[3] = "Aperture Priority Mode";
        add_control(fc, V4L2_CID_EXPOSURE_ABSOLUTE, "Exposure Time, Absolute", V4L2_CTRL_TYPE_INTEGER, 3, 2047, 250, 0);
        add_control(fc, V4L2_CID_PIXEL_RATE, "Pixel Rate", V4L2_CTRL_TYPE_INTEGER64, 0, INT64_MAX, 1000000000000LL,
                    V4L2_CTRL_FLAG_READ_ONLY);
        fc->controls[fc->n_controls - 1].q.elem_size = 8;
        return fc;
}

void fake_camera_free(struct fake_camera *fc) {
        if (!fc)
                return;
        fake_free_buffers(fc);
        for (int i = 0; i < FAKE_MAX_FDS; i++)
                if (fc->fds[i] >= 0)
                        close(fc->fds[i]);
        free(fc);
}

void fake_camera_unplug(struct fake_camera *fc) {
        fc->present = false;
        fc->generation++;
        /* The driver instance is gone; mappings keep their memory alive. */
        fake_free_buffers(fc);
}

void fake_camera_plug(struct fake_camera *fc) {
        fc->present = true;
}

unsigned fake_camera_open_exports(struct fake_camera *fc) {
        unsigned n = 0;
        for (uint32_t i = 0; i < fc->n_exports; i++)
                if (fcntl(fc->exports[i], F_GETFD) >= 0)
                        n++;
        return n;
}

#ifdef FAKE_CAMERA_PRELOAD
/*
 * The same fake camera for whole programs: built as a shared object and
 * LD_PRELOADed, it takes over the syscalls the capture library makes on
 * /dev/video0 (and the fake's by-id/by-path links) and passes everything
 * else through. Configured from the environment:
 *   FAKE_CAMERA_MPLANE=1          multi-planar node (NV12M, YUYV)
 *   FAKE_CAMERA_UNPLUG_AFTER=N    unplug after N dequeued frames
 *   FAKE_CAMERA_REPLUG_MS=M       come back M ms later
 * Frames are produced whenever the program polls (a camera that is always
 * ahead), with timestamps 1/30 s apart.
 */
#include <dlfcn.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/ioctl.h>

static struct fake_camera *preload_fc;

struct preload_map {
        void *addr;
        size_t length;
};
static struct preload_map preload_maps[FAKE_MAX_BUFFERS * VIDEO_MAX_PLANES * 4];

#define REAL(name) ((typeof(&name)) dlsym(RTLD_NEXT, #name))

__attribute__((constructor)) static void preload_init(void) {
        const char *e;
        preload_fc = fake_camera_new(getenv("FAKE_CAMERA_MPLANE") != NULL);
        preload_fc->auto_produce = true;
        if ((e = getenv("FAKE_CAMERA_UNPLUG_AFTER")))
                preload_fc->unplug_after = (uint32_t) atoi(e);
        if ((e = getenv("FAKE_CAMERA_REPLUG_MS")))
                preload_fc->replug_ms = (uint32_t) atoi(e);
}

static bool preload_path(const char *path) {
        struct fake_camera *fc = preload_fc;
        return fc && path && (streq(path, fc->node) || streq_ptr(path, fc->by_id) || streq_ptr(path, fc->by_path));
}

static bool preload_fd(int fd) {
        return preload_fc && fd >= 0 && fake_slot(preload_fc, fd) >= 0;
}

static int preload_ret(int r) {
        if (r < 0) {
                errno = -r;
                return -1;
        }
        return r;
}

char *realpath(const char *path, char *resolved) {
        if (!preload_path(path))
                return REAL(realpath)(path, resolved);
        char *p = NULL;
        int r = fake_resolve(preload_fc, path, &p);
        if (r < 0) {
                errno = -r;
                return NULL;
        }
        if (resolved) {
                snprintf(resolved, PATH_MAX, "%s", p);
                free(p);
                return resolved;
        }
        return p;
}

int open(const char *path, int flags, ...) {
        va_list ap;
        va_start(ap, flags);
        mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
        va_end(ap);
        if (!preload_path(path))
                return REAL(open)(path, flags, mode);
        return preload_ret(fake_open(preload_fc, path, flags));
}

int open64(const char *path, int flags, ...) {
        va_list ap;
        va_start(ap, flags);
        mode_t mode = (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
        va_end(ap);
        if (!preload_path(path))
                return REAL(open64)(path, flags, mode);
        return preload_ret(fake_open(preload_fc, path, flags));
}

int close(int fd) {
        if (!preload_fd(fd))
                return REAL(close)(fd);
        return preload_ret(fake_close(preload_fc, fd));
}

int fstat(int fd, struct stat *st) {
        if (!preload_fd(fd))
                return REAL(fstat)(fd, st);
        return preload_ret(fake_fstat(preload_fc, fd, st));
}

/* Builds with _FILE_OFFSET_BITS=64 call the *64 names. */
int fstat64(int fd, struct stat64 *st) {
        if (!preload_fd(fd))
                return REAL(fstat64)(fd, st);
        struct stat s;
        int r = fake_fstat(preload_fc, fd, &s);
        if (r >= 0) {
                memset(st, 0, sizeof(*st));
                st->st_mode = s.st_mode;
                st->st_rdev = s.st_rdev;
        }
        return preload_ret(r);
}

void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off64_t offset) {
        return mmap(addr, length, prot, flags, fd, (off_t) offset);
}

int ioctl(int fd, unsigned long request, ...) {
        va_list ap;
        va_start(ap, request);
        void *arg = va_arg(ap, void *);
        va_end(ap);
        if (!preload_fd(fd))
                return REAL(ioctl)(fd, request, arg);
        return preload_ret(fake_ioctl(preload_fc, fd, request, arg));
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
        if (!preload_fd(fd))
                return REAL(mmap)(addr, length, prot, flags, fd, offset);
        void *p = NULL;
        int r = fake_mmap(preload_fc, fd, length, prot, offset, &p);
        if (r < 0) {
                errno = -r;
                return MAP_FAILED;
        }
        for (size_t i = 0; i < ELEMENTSOF(preload_maps); i++)
                if (!preload_maps[i].addr) {
                        preload_maps[i] = (struct preload_map) { p, length };
                        break;
                }
        return p;
}

int munmap(void *addr, size_t length) {
        for (size_t i = 0; i < ELEMENTSOF(preload_maps); i++)
                if (addr && preload_maps[i].addr == addr) {
                        preload_maps[i].addr = NULL;
                        return preload_ret(fake_munmap(preload_fc, addr, length));
                }
        return REAL(munmap)(addr, length);
}

/* glibc declares fds write-only, which is not what poll() does. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
int poll(struct pollfd *fds, nfds_t n, int timeout_ms) {
        if (n == 0 || !preload_fd(fds[0].fd))
                return REAL(poll)(fds, n, timeout_ms);
        return preload_ret(fake_poll(preload_fc, fds, n, timeout_ms));
}
#endif
