/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* MMAP streaming as a cam_source: buffers, dequeue, newest-frame-wins. */

#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <linux/videodev2.h>
#include <time.h>

#include "common/debug.h"
#include "v4l2/convert.h"
#include "v4l2/device.h"
#include "v4l2/stream.h"

/* Readiness without a frame this many times in one acquire means a broken driver. */
#define MAX_SPURIOUS_WAKEUPS 1000

enum buffer_state {
        BUFFER_DEQUEUED,        /* owned by us: not queued, not handed out */
        BUFFER_QUEUED,          /* owned by the driver */
        BUFFER_READY,           /* dequeued, waiting to be handed out */
        BUFFER_HELD,            /* handed out, until release */
};

struct cam_buffer {
        uint32_t index;
        enum buffer_state state;
        uint32_t n_memory;
        void *map[CAM_FRAME_MAX_MEMORY];        /* NULL when not mapped */
        size_t length[CAM_FRAME_MAX_MEMORY];
        int dmabuf[CAM_FRAME_MAX_MEMORY];
        void *host;                             /* conversion output, page aligned */
        size_t host_size;
        struct cam_frame frame;
};

struct cam_stream {
        struct cam_source source;       /* first: the source interface */
        struct cam_device *dev;
        struct cam_format_granted fmt;  /* what the device produces */
        struct cam_convert *convert;    /* NULL: zero-copy */
        uint32_t type;
        bool streaming;
        bool dmabuf;
        int error;                      /* set once the stream is dead */
        uint32_t n_buffers;
        uint32_t max_held;
        uint32_t n_held;
        struct cam_buffer *ready;       /* newest dequeued frame not yet handed out */
        struct cam_buffer buffers[CAM_STREAM_MAX_BUFFERS];
        struct cam_source_stats stats;
};

static uint64_t now_ns(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * UINT64_C(1000000000) + (uint64_t) ts.tv_nsec;
}

static const char *node(const struct cam_stream *s) {
        return cam_device_node(s->dev);
}

/* ---- buffer set-up and tear-down ---- */

static void buffer_clear(struct cam_stream *s, struct cam_buffer *b) {
        const struct cam_io *io = cam_device_io(s->dev);
        for (uint32_t m = 0; m < CAM_FRAME_MAX_MEMORY; m++) {
                if (b->map[m])
                        (void) io->ops->munmap(io->userdata, b->map[m], b->length[m]);
                b->map[m] = NULL;
                b->dmabuf[m] = safe_close(b->dmabuf[m]);
        }
        free(b->host);
        b->host = NULL;
}

/*
 * Read-write although lanesight only reads: an importer may map the buffer
 * read-write (Mesa's lavapipe mmaps an imported dma-buf PROT_READ|PROT_WRITE,
 * which a read-only file refuses). A driver that refuses read-write is asked
 * for read-only.
 */
static int buffer_export(struct cam_stream *s, struct cam_buffer *b, uint32_t m) {
        struct v4l2_exportbuffer e = { .type = s->type, .index = b->index, .plane = m, .flags = O_RDWR | O_CLOEXEC };
        int r = cam_device_ioctl(s->dev, VIDIOC_EXPBUF, &e);
        if (r == -EACCES || r == -EPERM || r == -EINVAL) {
                e = (struct v4l2_exportbuffer) { .type = s->type, .index = b->index, .plane = m,
                                                 .flags = O_RDONLY | O_CLOEXEC };
                r = cam_device_ioctl(s->dev, VIDIOC_EXPBUF, &e);
        }
        if (r < 0)
                return r;
        b->dmabuf[m] = e.fd;
        return 0;
}

static int buffer_setup(struct cam_stream *s, struct cam_buffer *b) {
        const struct cam_io *io = cam_device_io(s->dev);
        struct v4l2_plane planes[VIDEO_MAX_PLANES] = {};
        struct v4l2_buffer buf = { .type = s->type, .memory = V4L2_MEMORY_MMAP, .index = b->index };
        int r;

        if (s->fmt.mplane) {
                buf.m.planes = planes;
                buf.length = VIDEO_MAX_PLANES;
        }
        r = cam_device_ioctl(s->dev, VIDIOC_QUERYBUF, &buf);
        if (r < 0)
                return r;

        b->n_memory = s->fmt.mplane ? buf.length : 1;
        if (b->n_memory != s->fmt.n_memory)
                return ls_debug_errno(-EPROTO, "'%s' buffer %u has %u planes, format has %u", node(s), b->index,
                                      b->n_memory, s->fmt.n_memory);
        for (uint32_t m = 0; m < b->n_memory; m++) {
                size_t length = s->fmt.mplane ? planes[m].length : buf.length;
                off_t offset = s->fmt.mplane ? planes[m].m.mem_offset : buf.m.offset;
                if (length == 0)
                        return ls_debug_errno(-EPROTO, "'%s' buffer %u plane %u is empty", node(s), b->index, m);
                r = io->ops->mmap(io->userdata, cam_device_fd(s->dev), length, PROT_READ | PROT_WRITE, offset,
                                  &b->map[m]);
                if (r < 0)
                        return ls_debug_errno(r, "'%s' mmap buffer %u plane %u: %s", node(s), b->index, m, strerror(-r));
                b->length[m] = length;

                if (!s->dmabuf)
                        continue;
                r = buffer_export(s, b, m);
                if (r < 0) {
                        /* Probed once: if the first export fails, run without dma-buf. */
                        ls_debug("'%s' no dma-buf export (%s), using mappings only", node(s), strerror(-r));
                        s->dmabuf = false;
                        for (uint32_t i = 0; i <= b->index; i++)
                                for (uint32_t j = 0; j < CAM_FRAME_MAX_MEMORY; j++)
                                        s->buffers[i].dmabuf[j] = safe_close(s->buffers[i].dmabuf[j]);
                }
        }
        if (s->convert) {
                size_t sz = ALIGN_UP((size_t) cam_convert_dst(s->convert)->sizeimage[0], (size_t) sysconf(_SC_PAGESIZE));
                if (posix_memalign(&b->host, (size_t) sysconf(_SC_PAGESIZE), sz) != 0)
                        return -ENOMEM;
                b->host_size = sz;
        }
        return 0;
}

static int buffer_queue(struct cam_stream *s, struct cam_buffer *b) {
        struct v4l2_plane planes[VIDEO_MAX_PLANES] = {};
        struct v4l2_buffer buf = { .type = s->type, .memory = V4L2_MEMORY_MMAP, .index = b->index };
        if (s->fmt.mplane) {
                buf.m.planes = planes;
                buf.length = b->n_memory;
        }
        int r = cam_device_ioctl(s->dev, VIDIOC_QBUF, &buf);
        if (r < 0)
                return r;
        b->state = BUFFER_QUEUED;
        return 0;
}

static int stream_request(struct cam_stream *s, uint32_t count) {
        struct v4l2_requestbuffers req = { .count = count, .type = s->type, .memory = V4L2_MEMORY_MMAP };
        int r = cam_device_ioctl(s->dev, VIDIOC_REQBUFS, &req);
        if (r < 0)
                return r;
        return (int) req.count;
}

struct cam_stream *cam_stream_free(struct cam_stream *s) {
        if (!s)
                return NULL;
        if (s->streaming) {
                int type = (int) s->type;
                (void) cam_device_ioctl(s->dev, VIDIOC_STREAMOFF, &type);
        }
        for (uint32_t i = 0; i < CAM_STREAM_MAX_BUFFERS; i++)
                buffer_clear(s, &s->buffers[i]);
        /* Buffers are freed once every mapping and export is gone; a gone device needs no REQBUFS. */
        if (s->n_buffers && s->error != -ENODEV)
                (void) stream_request(s, 0);
        cam_convert_free(s->convert);
        free(s);
        return NULL;
}

/* ---- frames ---- */

static void frame_set_time(struct cam_frame *f, const struct v4l2_buffer *buf) {
        if ((buf->flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)
                f->timestamp_ns = (uint64_t) buf->timestamp.tv_sec * UINT64_C(1000000000) +
                                  (uint64_t) buf->timestamp.tv_usec * 1000;
        else
                f->timestamp_ns = now_ns();     /* unknown or copied clock: dequeue time is our best guess */
}

/* Fills b->frame from a dequeued buffer; -EBADMSG if the driver's numbers do not fit the buffer. */
static int frame_fill(struct cam_stream *s, struct cam_buffer *b, const struct v4l2_buffer *buf) {
        struct cam_frame *f = &b->frame;
        const struct cam_format_info *info = cam_format_info_lookup(s->fmt.fourcc);
        uint32_t bpl[VIDEO_MAX_PLANES] = {};
        uint64_t need[CAM_FRAME_MAX_MEMORY] = {};
        uint32_t data_offset[CAM_FRAME_MAX_MEMORY] = {};

        *f = (struct cam_frame) { .index = b->index, .fourcc = s->fmt.fourcc, .width = s->fmt.width,
                                  .height = s->fmt.height, .n_memory = b->n_memory, .sequence = buf->sequence };
        frame_set_time(f, buf);
        if (buf->flags & V4L2_BUF_FLAG_ERROR)
                f->flags |= CAM_FRAME_ERROR;

        for (uint32_t m = 0; m < b->n_memory; m++) {
                size_t used = s->fmt.mplane ? buf->m.planes[m].bytesused : buf->bytesused;
                data_offset[m] = s->fmt.mplane ? buf->m.planes[m].data_offset : 0;
                if (used > b->length[m] || data_offset[m] > used)
                        return ls_debug_errno(-EBADMSG, "'%s' buffer %u plane %u: bytesused %zu, length %zu, offset %u",
                                              node(s), b->index, m, used, b->length[m], data_offset[m]);
                if (used == 0 && !(f->flags & CAM_FRAME_ERROR))
                        return ls_debug_errno(-EBADMSG, "'%s' buffer %u plane %u is empty", node(s), b->index, m);
                f->memory[m] = (struct cam_frame_memory) { .dmabuf_fd = b->dmabuf[m], .data = b->map[m],
                                                           .length = b->length[m], .bytesused = used };
                bpl[m] = s->fmt.bytesperline[m];
        }

        int n = cam_format_plane_layout(s->fmt.fourcc, s->fmt.height, b->n_memory, bpl, f->planes);
        if (n < 0)
                return n;
        f->n_planes = (uint32_t) n;
        if (info->flags & CAM_FMT_COMPRESSED)
                return 0;
        for (uint32_t p = 0; p < f->n_planes; p++) {
                struct cam_frame_plane *pl = &f->planes[p];
                uint32_t lines = p == 0 ? s->fmt.height : DIV_ROUND_UP(s->fmt.height, info->chroma_vsub);
                pl->offset += data_offset[pl->memory];
                need[pl->memory] = MAX(need[pl->memory], (uint64_t) pl->offset + (uint64_t) pl->stride * lines);
        }
        if (f->flags & CAM_FRAME_ERROR)
                return 0;
        for (uint32_t m = 0; m < b->n_memory; m++)
                if (f->memory[m].bytesused < need[m])
                        return ls_debug_errno(-EBADMSG, "'%s' buffer %u plane %u: short frame, %zu of %" PRIu64 " bytes",
                                              node(s), b->index, m, f->memory[m].bytesused, need[m]);
        return 0;
}

/* Converts a dequeued frame into its host buffer and points the frame there. */
static int frame_convert(struct cam_stream *s, struct cam_buffer *b) {
        const struct cam_format_granted *dst = cam_convert_dst(s->convert);
        struct cam_frame *f = &b->frame;
        int r = cam_convert_run(s->convert, f->memory[0].data, f->memory[0].bytesused, b->host, b->host_size);
        if (r < 0)
                return r;
        f->fourcc = dst->fourcc;
        f->n_memory = 1;
        f->memory[0] = (struct cam_frame_memory) { .dmabuf_fd = -EBADF, .data = b->host, .length = b->host_size,
                                                   .bytesused = (size_t) r };
        r = cam_format_plane_layout(dst->fourcc, dst->height, 1, dst->bytesperline, f->planes);
        if (r < 0)
                return r;
        f->n_planes = (uint32_t) r;
        f->flags |= CAM_FRAME_COPIED;
        s->stats.bytes_copied += f->memory[0].bytesused;
        return 0;
}

static int stream_die(struct cam_stream *s, int r) {
        if (!s->error) {
                s->error = r == -EIO ? -EIO : -ENODEV;
                ls_debug("'%s' stream ended: %s", node(s), strerror(-r));
        }
        return s->error;
}

/* Requeues a buffer we will not hand out. A failing QBUF kills the stream. */
static int recycle(struct cam_stream *s, struct cam_buffer *b) {
        if (s->error) {
                b->state = BUFFER_DEQUEUED;
                return s->error;
        }
        int r = buffer_queue(s, b);
        if (r < 0) {
                b->state = BUFFER_DEQUEUED;
                return stream_die(s, r);
        }
        return 0;
}

/* One non-blocking DQBUF. Returns 1 with a frame made ready, 2 when the frame
 * was malformed and recycled, 0 when none is waiting, or a fatal -errno. */
static int dequeue_one(struct cam_stream *s) {
        struct v4l2_plane planes[VIDEO_MAX_PLANES] = {};
        struct v4l2_buffer buf = { .type = s->type, .memory = V4L2_MEMORY_MMAP };
        int r;

        if (s->fmt.mplane) {
                buf.m.planes = planes;
                buf.length = s->fmt.n_memory;
        }
        r = cam_device_ioctl(s->dev, VIDIOC_DQBUF, &buf);
        if (r == -EAGAIN)
                return 0;
        if (r < 0)
                return stream_die(s, r == -EIO ? -EIO : -ENODEV);
        if (buf.index >= s->n_buffers || s->buffers[buf.index].state != BUFFER_QUEUED)
                return stream_die(s, ls_debug_errno(-EIO, "'%s' dequeued unexpected buffer %u", node(s), buf.index));

        struct cam_buffer *b = &s->buffers[buf.index];
        b->state = BUFFER_DEQUEUED;
        r = frame_fill(s, b, &buf);
        if (r < 0) {
                s->stats.errors++;
                r = recycle(s, b);
                return r < 0 ? r : 2;
        }
        if (s->ready) {
                /* Newest frame wins: the older one goes back unseen. */
                struct cam_buffer *old = s->ready;
                s->ready = NULL;
                s->stats.dropped++;
                r = recycle(s, old);
                if (r < 0)
                        return r;
        }
        b->state = BUFFER_READY;
        s->ready = b;
        return 1;
}

/* Dequeues everything the driver has finished. Returns how many frames became
 * ready; a fatal error is returned only when no good frame is ready: that one
 * is handed out first and the error reported by the next acquire. */
static int dequeue_all(struct cam_stream *s) {
        int n = 0;
        for (uint32_t i = 0; i <= s->n_buffers; i++) {
                int r = dequeue_one(s);
                if (r < 0)
                        return s->ready ? n : r;
                if (r == 0)
                        break;
                n += r == 1;
        }
        return n;
}

/* Hands out the ready frame, converting it first if needed. 1: handed out, 0: it was bad. */
static int hand_out(struct cam_stream *s, const struct cam_frame **ret) {
        struct cam_buffer *b = TAKE_PTR(s->ready);
        if (s->convert) {
                int r = frame_convert(s, b);
                if (r < 0) {
                        s->stats.errors++;
                        r = recycle(s, b);
                        return r < 0 ? r : 0;
                }
        }
        if (b->frame.flags & CAM_FRAME_ERROR)
                s->stats.errors++;
        b->state = BUFFER_HELD;
        s->n_held++;
        s->stats.frames++;
        *ret = &b->frame;
        return 1;
}

static int stream_acquire(struct cam_source *src, int timeout_ms, const struct cam_frame **ret) {
        struct cam_stream *s = (struct cam_stream *) src;
        const struct cam_io *io = cam_device_io(s->dev);
        uint64_t deadline = timeout_ms > 0 ? now_ns() + (uint64_t) timeout_ms * 1000000 : 0;
        unsigned spurious = 0;
        int r;

        if (!ret)
                return -EINVAL;
        if (s->error)
                return s->error;
        if (s->n_held >= s->max_held)
                return -EBUSY;

        for (;;) {
                r = dequeue_all(s);
                if (s->ready) {
                        int k = hand_out(s, ret);
                        if (k != 0)
                                return k < 0 ? k : 0;
                        continue;
                }
                if (r < 0)
                        return r;
                if (s->error)
                        return s->error;

                int wait_ms = -1;
                if (timeout_ms == 0)
                        return -ETIMEDOUT;
                if (timeout_ms > 0) {
                        uint64_t now = now_ns();
                        if (now >= deadline)
                                return -ETIMEDOUT;
                        wait_ms = (int) DIV_ROUND_UP(deadline - now, UINT64_C(1000000));
                }
                struct pollfd p = { .fd = cam_device_fd(s->dev), .events = POLLIN };
                r = cam_io_poll(io, &p, 1, wait_ms);
                if (r == -EINTR)
                        continue;
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (timeout_ms < 0)
                                continue;
                        return -ETIMEDOUT;
                }
                if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
                        /* vb2 reports POLLERR when the device is gone or the queue failed; DQBUF says which. */
                        r = dequeue_all(s);
                        if (r < 0)
                                return r;
                        if (!s->ready)
                                return stream_die(s, -ENODEV);
                        continue;
                }
                if (++spurious > MAX_SPURIOUS_WAKEUPS)
                        return ls_debug_errno(-EAGAIN, "'%s' readable but no frame %u times", node(s), spurious - 1);
        }
}

static int stream_release(struct cam_source *src, const struct cam_frame *f) {
        struct cam_stream *s = (struct cam_stream *) src;
        if (!cam_stream_owns_frame(s, f))
                return -EINVAL;
        struct cam_buffer *b = &s->buffers[((uintptr_t) f - (uintptr_t) s->buffers) / sizeof(s->buffers[0])];
        if (b->state != BUFFER_HELD)
                return -EINVAL;
        s->n_held--;
        if (s->error) {
                b->state = BUFFER_DEQUEUED;
                return 0;
        }
        return recycle(s, b);
}

static int stream_get_fd(struct cam_source *src) {
        return cam_device_fd(((struct cam_stream *) src)->dev);
}

static void stream_get_info(struct cam_source *src, struct cam_source_info *ret) {
        struct cam_stream *s = (struct cam_stream *) src;
        const struct cam_format_granted *out = s->convert ? cam_convert_dst(s->convert) : &s->fmt;
        *ret = (struct cam_source_info) {
                .fourcc = out->fourcc, .width = out->width, .height = out->height,
                .fps_num = s->fmt.fps_num, .fps_den = s->fmt.fps_den,
                .n_buffers = s->n_buffers, .max_held = s->max_held, .dmabuf = s->dmabuf && !s->convert,
        };
}

static void stream_get_stats(struct cam_source *src, struct cam_source_stats *ret) {
        *ret = ((struct cam_stream *) src)->stats;
}

static struct cam_source *stream_source_free(struct cam_source *src) {
        cam_stream_free((struct cam_stream *) src);
        return NULL;
}

static const struct cam_source_ops stream_ops = {
        .get_fd = stream_get_fd,
        .acquire = stream_acquire,
        .release = stream_release,
        .get_info = stream_get_info,
        .get_stats = stream_get_stats,
        .free = stream_source_free,
};

struct cam_source *cam_stream_source(struct cam_stream *s) {
        return &s->source;
}

bool cam_stream_has_dmabuf(const struct cam_stream *s) {
        return s->dmabuf;
}

int cam_stream_error(const struct cam_stream *s) {
        return s->error;
}

uint32_t cam_stream_n_held(const struct cam_stream *s) {
        return s->n_held;
}

bool cam_stream_owns_frame(const struct cam_stream *s, const struct cam_frame *f) {
        /* By address only: f may be stale (released to a stream that is gone). */
        uintptr_t p = (uintptr_t) f, lo = (uintptr_t) s->buffers, hi = (uintptr_t) (s->buffers + s->n_buffers);
        if (!f || p < lo || p >= hi)
                return false;
        size_t i = (p - lo) / sizeof(s->buffers[0]);
        return &s->buffers[i].frame == f;
}

static int stream_setup_convert(struct cam_stream *s, const struct cam_stream_params *p) {
        const struct cam_format_info *info = cam_format_info_lookup(s->fmt.fourcc);
        if (!info)
                return -ENOTSUP;
        if (p->convert == CAM_CONVERT_NEVER || (info->flags & CAM_FMT_GPU))
                return 0;
        if (!(info->flags & CAM_FMT_CONVERT))
                return ls_debug_errno(-ENOTSUP, "'%s' %s cannot be converted", node(s), info->name);
        return cam_convert_new(s->dev, &s->fmt, p->convert_fourcc, &s->convert);
}

int cam_stream_new(struct cam_device *d, const struct cam_format_granted *fmt, const struct cam_stream_params *p,
                   struct cam_stream **ret) {
        static const struct cam_stream_params defaults = {};
        _cleanup_(cam_stream_freep) struct cam_stream *s = NULL;
        int r;

        if (!d || !fmt || !ret)
                return -EINVAL;
        if (!p)
                p = &defaults;
        if (p->n_buffers > CAM_STREAM_MAX_BUFFERS || fmt->n_memory == 0 || fmt->n_memory > CAM_FRAME_MAX_MEMORY ||
            p->convert < 0 || p->convert >= _CAM_CONVERT_MODE_MAX)
                return -EINVAL;
        if (fmt->mplane != cam_device_is_mplane(d))
                return -EINVAL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->source = (struct cam_source) { .ops = &stream_ops, .name = cam_device_node(d) };
        s->dev = d;
        s->fmt = *fmt;
        s->type = cam_device_buf_type(d);
        s->dmabuf = !p->no_dmabuf;
        for (uint32_t i = 0; i < CAM_STREAM_MAX_BUFFERS; i++) {
                s->buffers[i].index = i;
                for (uint32_t m = 0; m < CAM_FRAME_MAX_MEMORY; m++)
                        s->buffers[i].dmabuf[m] = -EBADF;
        }

        r = stream_setup_convert(s, p);
        if (r < 0)
                return r;

        r = stream_request(s, p->n_buffers ?: 4);
        if (r < 0)
                return r;
        s->n_buffers = MIN((uint32_t) r, (uint32_t) CAM_STREAM_MAX_BUFFERS);
        if (r < 2)
                return ls_debug_errno(-ENOBUFS, "'%s' granted %d buffers, need 2", node(s), r);
        /* Keep one buffer with the driver and one for the newest frame; the rest may be held. */
        s->max_held = MAX(s->n_buffers - 2, 1u);

        for (uint32_t i = 0; i < s->n_buffers; i++) {
                r = buffer_setup(s, &s->buffers[i]);
                if (r < 0)
                        return r;
        }
        for (uint32_t i = 0; i < s->n_buffers; i++) {
                r = buffer_queue(s, &s->buffers[i]);
                if (r < 0)
                        return r;
        }
        int type = (int) s->type;
        r = cam_device_ioctl(s->dev, VIDIOC_STREAMON, &type);
        if (r < 0)
                return r;
        s->streaming = true;
        ls_debug("'%s' streaming %s %ux%u, %u buffers, dma-buf %s%s", node(s), CAM_FOURCC_STR(fmt->fourcc), fmt->width,
                 fmt->height, s->n_buffers, s->dmabuf ? "yes" : "no", s->convert ? ", converted" : "");
        *ret = TAKE_PTR(s);
        return 0;
}
