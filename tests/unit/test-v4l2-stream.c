/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Streaming against the fake camera: frames, drops, held frames and injected faults. */

#include <linux/videodev2.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <jpeglib.h>

#include "tests/test.h"
#include "tests/unit/fake-camera.h"
#include "v4l2/device.h"
#include "v4l2/format.h"
#include "v4l2/stream.h"

struct fixture {
        struct fake_camera *fc;
        struct cam_device *dev;
        struct cam_stream *stream;
        struct cam_source *src;
        struct cam_format_granted fmt;
};

static int setup_with(struct fixture *x, struct fake_camera *fc, uint32_t fourcc, uint32_t w, uint32_t h,
                      const struct cam_stream_params *p) {
        *x = (struct fixture) { .fc = fc };
        ASSERT_OK(cam_device_open(&(struct cam_device_params) { .path = fc->node, .io = fake_camera_io(fc) }, &x->dev));
        ASSERT_OK(cam_format_negotiate(x->dev, &(struct cam_format_request) { .width = w, .height = h,
                .fourccs = &fourcc, .n_fourccs = 1 }, &x->fmt));
        ASSERT_EQ(x->fmt.fourcc, fourcc);
        int r = cam_stream_new(x->dev, &x->fmt, p, &x->stream);
        if (r >= 0)
                x->src = cam_stream_source(x->stream);
        return r;
}

static void setup(struct fixture *x, bool mplane, uint32_t fourcc, const struct cam_stream_params *p) {
        ASSERT_OK(setup_with(x, fake_camera_new(mplane), fourcc, 640, 480, p));
}

/* Frees everything and checks that no fd, mapping or export is left behind. */
static void teardown(struct fixture *x) {
        cam_source_free(x->src);
        if (!x->src)
                cam_stream_free(x->stream);
        cam_device_free(x->dev);
        ASSERT_EQ(x->fc->n_open, 0);
        ASSERT_EQ(x->fc->n_maps, 0);
        ASSERT_EQ(fake_camera_open_exports(x->fc), 0);
        ASSERT_EQ(x->fc->n_buffers, 0);
        fake_camera_free(x->fc);
}

static void test_stream_basic(void) {
        struct fixture x;
        const struct cam_frame *f, *g;
        struct cam_source_info info;
        struct cam_source_stats st;

        setup(&x, false, V4L2_PIX_FMT_YUYV, &(struct cam_stream_params) { .n_buffers = 4 });
        x.fc->auto_produce = true;
        cam_source_get_info(x.src, &info);
        ASSERT_EQ(info.fourcc, V4L2_PIX_FMT_YUYV);
        ASSERT_EQ(info.width, 640);
        ASSERT_EQ(info.n_buffers, 4);
        ASSERT_EQ(info.max_held, 2);
        ASSERT_EQ(info.fps_num, 30);
        ASSERT_TRUE(info.dmabuf);
        ASSERT_TRUE(cam_source_get_fd(x.src) >= 0);
        ASSERT_EQ(x.fc->n_maps, 4);

        uint64_t last_ts = 0;
        for (int i = 0; i < 10; i++) {
                ASSERT_OK(cam_source_acquire(x.src, 100, &f));
                ASSERT_EQ(f->sequence, i);
                ASSERT_EQ(f->fourcc, V4L2_PIX_FMT_YUYV);
                ASSERT_EQ(f->width, 640);
                ASSERT_EQ(f->height, 480);
                ASSERT_EQ(f->n_memory, 1);
                ASSERT_EQ(f->n_planes, 1);
                ASSERT_EQ(f->planes[0].stride, 1280);
                ASSERT_EQ(f->memory[0].bytesused, 1280 * 480);
                ASSERT_TRUE(f->memory[0].length >= f->memory[0].bytesused);
                ASSERT_TRUE(f->memory[0].dmabuf_fd >= 0);
                ASSERT_EQ(((uintptr_t) f->memory[0].data) % 4096, 0);
                /* The pixels are the driver's: the fake writes the sequence number. */
                ASSERT_EQ(cam_frame_plane_data(f, 0)[0], i & 0xff);
                ASSERT_TRUE(f->timestamp_ns > last_ts);
                ASSERT_EQ(f->flags, 0);
                last_ts = f->timestamp_ns;
                ASSERT_OK(cam_source_release(x.src, f));
        }
        /* Held frames keep their contents while newer ones arrive. */
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_OK(cam_source_acquire(x.src, 100, &g));
        ASSERT_NE(f->index, g->index);
        ASSERT_EQ(cam_frame_plane_data(f, 0)[0], 10);
        ASSERT_EQ(cam_frame_plane_data(g, 0)[0], 11);
        ASSERT_OK(cam_source_release(x.src, f));
        ASSERT_OK(cam_source_release(x.src, g));
        /* Releasing twice, or something that is not ours, is refused. */
        ASSERT_ERR(cam_source_release(x.src, g), EINVAL);
        struct cam_frame bogus = *g;
        ASSERT_ERR(cam_source_release(x.src, &bogus), EINVAL);

        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.frames, 12);
        ASSERT_EQ(st.dropped, 0);
        ASSERT_EQ(st.errors, 0);
        ASSERT_EQ(st.bytes_copied, 0);
        teardown(&x);
}

static void test_newest_frame_wins(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_stats st;

        setup(&x, false, V4L2_PIX_FMT_YUYV, &(struct cam_stream_params) { .n_buffers = 6 });
        /* The consumer was away while three frames arrived. */
        ASSERT_EQ(fake_camera_produce(x.fc, 3), 3);
        ASSERT_OK(cam_source_acquire(x.src, 0, &f));
        ASSERT_EQ(f->sequence, 2);
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.dropped, 2);
        ASSERT_EQ(st.frames, 1);
        /* The two older ones went back to the driver: 5 queued again. */
        ASSERT_EQ(x.fc->n_queued, 5);
        ASSERT_OK(cam_source_release(x.src, f));
        ASSERT_ERR(cam_source_acquire(x.src, 0, &f), ETIMEDOUT);

        /* A camera twice as fast as the consumer: every other frame is dropped. */
        x.fc->auto_produce = true;
        x.fc->produce_per_poll = 2;
        for (int i = 0; i < 5; i++) {
                ASSERT_OK(cam_source_acquire(x.src, 100, &f));
                ASSERT_EQ(f->sequence, 3 + 2 * i + 1);
                ASSERT_OK(cam_source_release(x.src, f));
        }
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.dropped, 2 + 5);
        ASSERT_EQ(st.frames, 6);
        teardown(&x);
}

static void test_held_limit(void) {
        struct fixture x;
        const struct cam_frame *f[3];

        setup(&x, false, V4L2_PIX_FMT_YUYV, &(struct cam_stream_params) { .n_buffers = 4 });
        x.fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f[0]));
        ASSERT_OK(cam_source_acquire(x.src, 100, &f[1]));
        ASSERT_ERR(cam_source_acquire(x.src, 100, &f[2]), EBUSY);
        ASSERT_OK(cam_source_release(x.src, f[0]));
        ASSERT_OK(cam_source_acquire(x.src, 100, &f[2]));
        ASSERT_OK(cam_source_release(x.src, f[1]));
        ASSERT_OK(cam_source_release(x.src, f[2]));
        teardown(&x);
}

static void test_few_buffers(void) {
        struct fixture x;
        struct cam_source_info info;
        const struct cam_frame *f;
        struct fake_camera *fc = fake_camera_new(false);
        fc->max_buffers = 2;
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_YUYV, 640, 480, &(struct cam_stream_params) { .n_buffers = 8 }));
        cam_source_get_info(x.src, &info);
        ASSERT_EQ(info.n_buffers, 2);
        ASSERT_EQ(info.max_held, 1);
        fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_ERR(cam_source_acquire(x.src, 100, &f), EBUSY);
        teardown(&x);
}

static void test_timeout(void) {
        struct fixture x;
        const struct cam_frame *f;
        setup(&x, false, V4L2_PIX_FMT_YUYV, NULL);
        x.fc->poll_never = true;
        ASSERT_ERR(cam_source_acquire(x.src, 20, &f), ETIMEDOUT);
        ASSERT_ERR(cam_source_acquire(x.src, 0, &f), ETIMEDOUT);
        /* A timeout does not end the stream. */
        x.fc->poll_never = false;
        x.fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 20, &f));
        ASSERT_OK(cam_source_release(x.src, f));
        teardown(&x);
}

static void midstream_failure(int err, int expected) {
        struct fixture x;
        const struct cam_frame *f, *held;
        setup(&x, false, V4L2_PIX_FMT_YUYV, NULL);
        x.fc->auto_produce = true;
        x.fc->fail_errno = err;
        x.fc->fail_after = 3;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_OK(cam_source_release(x.src, f));
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_OK(cam_source_release(x.src, f));
        ASSERT_OK(cam_source_acquire(x.src, 100, &held));
        ASSERT_ERR(cam_source_acquire(x.src, 100, &f), expected);
        ASSERT_ERR(cam_stream_error(x.stream), expected);
        /* Dead is dead, without asking the driver again. */
        x.fc->fail_errno = 0;
        ASSERT_ERR(cam_source_acquire(x.src, 100, &f), expected);
        /* The held frame is still readable and can be released. */
        ASSERT_EQ(cam_frame_plane_data(held, 0)[0], 2);
        ASSERT_OK(cam_source_release(x.src, held));
        teardown(&x);
}

static void test_eio_midstream(void) {
        midstream_failure(EIO, EIO);
}

static void test_enodev_midstream(void) {
        midstream_failure(ENODEV, ENODEV);
}

static void test_unplug_midstream(void) {
        struct fixture x;
        const struct cam_frame *f;
        setup(&x, true, V4L2_PIX_FMT_NV12M, NULL);
        x.fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        fake_camera_unplug(x.fc);
        /* Releasing into a gone device reports it... */
        ASSERT_ERR(cam_source_release(x.src, f), ENODEV);
        ASSERT_ERR(cam_source_acquire(x.src, 100, &f), ENODEV);
        teardown(&x);
}

static void test_pollerr(void) {
        struct fixture x;
        const struct cam_frame *f;
        setup(&x, false, V4L2_PIX_FMT_YUYV, NULL);
        x.fc->poll_err = true;
        ASSERT_ERR(cam_source_acquire(x.src, 100, &f), ENODEV);
        teardown(&x);
}

static void test_eagain_storm(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_stats st;
        setup(&x, false, V4L2_PIX_FMT_YUYV, NULL);
        x.fc->auto_produce = true;
        /* A burst of EAGAIN after readiness is absorbed. */
        x.fc->eagain_storm = 200;
        ASSERT_OK(cam_source_acquire(x.src, 1000, &f));
        ASSERT_EQ(x.fc->eagain_storm, 0);
        ASSERT_OK(cam_source_release(x.src, f));
        /* One that never ends is reported, even without a timeout, and is not fatal. */
        x.fc->eagain_forever = true;
        ASSERT_ERR(cam_source_acquire(x.src, -1, &f), EAGAIN);
        x.fc->eagain_forever = false;
        ASSERT_OK(cam_source_acquire(x.src, 1000, &f));
        ASSERT_OK(cam_source_release(x.src, f));
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.errors, 0);
        teardown(&x);
}

static void test_bytesused_too_large(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_stats st;
        setup(&x, false, V4L2_PIX_FMT_YUYV, NULL);
        x.fc->oversize_seq = 2;        /* sequence 1 */
        for (int i = 0; i < 3; i++) {
                fake_camera_produce(x.fc, 1);
                int r = cam_source_acquire(x.src, 0, &f);
                if (i == 1) {
                        ASSERT_ERR(r, ETIMEDOUT);
                        continue;
                }
                ASSERT_OK(r);
                ASSERT_EQ(f->sequence, i);
                ASSERT_OK(cam_source_release(x.src, f));
        }
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.errors, 1);
        ASSERT_EQ(st.frames, 2);
        ASSERT_EQ(st.dropped, 0);
        /* The bad buffer went back to the driver. */
        ASSERT_EQ(x.fc->n_queued, 4);
        teardown(&x);
}

static void test_bytesused_too_large_mplane(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_stats st;
        setup(&x, true, V4L2_PIX_FMT_NV12M, NULL);
        x.fc->oversize_seq = 1;
        fake_camera_produce(x.fc, 2);
        ASSERT_OK(cam_source_acquire(x.src, 0, &f));
        ASSERT_EQ(f->sequence, 1);
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.errors, 1);
        ASSERT_EQ(st.dropped, 0);
        ASSERT_OK(cam_source_release(x.src, f));
        teardown(&x);
}

static void test_error_flag(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_stats st;
        setup(&x, false, V4L2_PIX_FMT_YUYV, NULL);
        x.fc->error_seq = 1;
        fake_camera_produce(x.fc, 1);
        ASSERT_OK(cam_source_acquire(x.src, 0, &f));
        ASSERT_EQ(f->flags & CAM_FRAME_ERROR, CAM_FRAME_ERROR);
        ASSERT_OK(cam_source_release(x.src, f));
        fake_camera_produce(x.fc, 1);
        ASSERT_OK(cam_source_acquire(x.src, 0, &f));
        ASSERT_EQ(f->flags, 0);
        ASSERT_OK(cam_source_release(x.src, f));
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.errors, 1);
        ASSERT_EQ(st.frames, 2);
        teardown(&x);
}

static void test_no_expbuf(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_info info;
        struct fake_camera *fc = fake_camera_new(false);
        fc->no_expbuf = true;
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_YUYV, 640, 480, NULL));
        ASSERT_TRUE(!cam_stream_has_dmabuf(x.stream));
        cam_source_get_info(x.src, &info);
        ASSERT_TRUE(!info.dmabuf);
        fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_EQ(f->memory[0].dmabuf_fd, -EBADF);
        ASSERT_TRUE(f->memory[0].data != NULL);
        ASSERT_OK(cam_source_release(x.src, f));
        teardown(&x);
}

/* Exports are read-write (importers such as lavapipe map them so), read-only where the driver insists. */
static void test_expbuf_access_mode(void) {
        for (int rdonly_only = 0; rdonly_only <= 1; rdonly_only++) {
                struct fixture x;
                const struct cam_frame *f;
                struct fake_camera *fc = fake_camera_new(false);
                fc->expbuf_rdonly_only = rdonly_only;
                ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_YUYV, 640, 480, NULL));
                ASSERT_TRUE(cam_stream_has_dmabuf(x.stream));
                fc->auto_produce = true;
                ASSERT_OK(cam_source_acquire(x.src, 100, &f));
                ASSERT_TRUE(f->memory[0].dmabuf_fd >= 0);
                int fl = fcntl(f->memory[0].dmabuf_fd, F_GETFL);
                ASSERT_TRUE(fl >= 0);
                ASSERT_EQ(fl & O_ACCMODE, rdonly_only ? O_RDONLY : O_RDWR);
                ASSERT_TRUE(fcntl(f->memory[0].dmabuf_fd, F_GETFD) & FD_CLOEXEC);
                ASSERT_OK(cam_source_release(x.src, f));
                teardown(&x);
        }
}

static void test_no_dmabuf_param(void) {
        struct fixture x;
        const struct cam_frame *f;
        setup(&x, false, V4L2_PIX_FMT_YUYV, &(struct cam_stream_params) { .no_dmabuf = true });
        ASSERT_EQ(x.fc->n_exports, 0);
        x.fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_EQ(f->memory[0].dmabuf_fd, -EBADF);
        ASSERT_OK(cam_source_release(x.src, f));
        teardown(&x);
}

static void test_mplane_nv12m(void) {
        struct fixture x;
        const struct cam_frame *f;
        ASSERT_OK(setup_with(&x, fake_camera_new(true), V4L2_PIX_FMT_NV12M, 1280, 720, NULL));
        x.fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_EQ(f->fourcc, V4L2_PIX_FMT_NV12M);
        ASSERT_EQ(f->n_memory, 2);
        ASSERT_EQ(f->n_planes, 2);
        ASSERT_EQ(f->planes[0].memory, 0);
        ASSERT_EQ(f->planes[1].memory, 1);
        ASSERT_EQ(f->planes[1].offset, 0);
        ASSERT_EQ(f->planes[1].stride, 1280);
        ASSERT_EQ(f->memory[0].bytesused, 1280 * 720);
        ASSERT_EQ(f->memory[1].bytesused, 1280 * 360);
        ASSERT_TRUE(f->memory[0].dmabuf_fd >= 0 && f->memory[1].dmabuf_fd >= 0);
        ASSERT_NE(f->memory[0].dmabuf_fd, f->memory[1].dmabuf_fd);
        ASSERT_TRUE(f->memory[0].data != f->memory[1].data);
        ASSERT_OK(cam_source_release(x.src, f));
        teardown(&x);
}

/*
 * Issue 12: the planes' data_offset (a driver header before the pixels) was
 * never set by the fake camera, so ignoring it in v4l2/stream.c passed every
 * test. Each plane's data starts 256 bytes in, after bytes of 0xee.
 */
static void test_mplane_data_offset(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct fake_camera *fc = fake_camera_new(true);

        fc->data_offset = 256;
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_NV12M, 640, 480, NULL));
        fc->auto_produce = true;
        for (uint32_t i = 0; i < 3; i++) {
                ASSERT_OK(cam_source_acquire(x.src, 100, &f));
                ASSERT_EQ(f->sequence, i);
                ASSERT_EQ(f->planes[0].offset, 256);
                ASSERT_EQ(f->planes[1].offset, 256);
                ASSERT_EQ(f->memory[0].bytesused, 256 + 640 * 480);
                ASSERT_EQ(f->memory[1].bytesused, 256 + 640 * 240);
                for (uint32_t p = 0; p < 2; p++) {
                        const uint8_t *px = (const uint8_t *) f->memory[f->planes[p].memory].data + f->planes[p].offset;
                        ASSERT_EQ(px[0], i & 0xff);     /* the frame, not the header */
                        ASSERT_EQ(px[-1], 0xee);
                }
                ASSERT_OK(cam_source_release(x.src, f));
        }
        teardown(&x);
}

static void test_nv12_padded_stride(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct fake_camera *fc = fake_camera_new(false);
        fc->bpl_pad = 64;
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_NV12, 640, 480, NULL));
        fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_EQ(f->n_memory, 1);
        ASSERT_EQ(f->n_planes, 2);
        ASSERT_EQ(f->planes[0].stride, 704);
        ASSERT_EQ(f->planes[1].memory, 0);
        ASSERT_EQ(f->planes[1].offset, 704 * 480);
        ASSERT_EQ(f->planes[1].stride, 704);
        ASSERT_EQ(f->memory[0].bytesused, 704 * 480 * 3 / 2);
        ASSERT_OK(cam_source_release(x.src, f));
        teardown(&x);
}

static void test_convert_bayer(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_info info;
        struct cam_source_stats st;
        struct fake_camera *fc = fake_camera_new(false);
        fake_camera_add_format(fc, V4L2_PIX_FMT_SBGGR8, 64, 48, 30);
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_SBGGR8, 64, 48, NULL));
        cam_source_get_info(x.src, &info);
        ASSERT_EQ(info.fourcc, V4L2_PIX_FMT_RGB24);
        ASSERT_TRUE(!info.dmabuf);
        fc->auto_produce = true;
        for (int i = 0; i < 2; i++) {
                ASSERT_OK(cam_source_acquire(x.src, 100, &f));
                ASSERT_EQ(f->fourcc, V4L2_PIX_FMT_RGB24);
                ASSERT_EQ(f->flags, CAM_FRAME_COPIED);
                ASSERT_EQ(f->n_memory, 1);
                ASSERT_EQ(f->memory[0].dmabuf_fd, -EBADF);
                ASSERT_EQ(f->memory[0].bytesused, 64 * 48 * 3);
                ASSERT_EQ(f->planes[0].stride, 64 * 3);
                ASSERT_EQ(((uintptr_t) f->memory[0].data) % 4096, 0);
                /* A uniform Bayer mosaic demosaics to the same colour everywhere inside. */
                const uint8_t *px = cam_frame_plane_data(f, 0) + 20 * f->planes[0].stride + 30 * 3;
                ASSERT_NEAR(px[0], 200, 2);
                ASSERT_NEAR(px[1], 100, 2);
                ASSERT_NEAR(px[2], 50, 2);
                ASSERT_OK(cam_source_release(x.src, f));
        }
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.bytes_copied, 2 * 64 * 48 * 3);
        teardown(&x);
}

/* A uniform-colour JPEG made with libjpeg: the oracle for the MJPEG path. */
static unsigned char *make_jpeg(unsigned w, unsigned h, const uint8_t rgb[3], unsigned long *ret_size) {
        struct jpeg_compress_struct c;
        struct jpeg_error_mgr err;
        unsigned char *out = NULL;
        unsigned long size = 0;
        uint8_t *row = malloc(w * 3);
        ASSERT_TRUE(row);
        for (unsigned x = 0; x < w; x++)
                memcpy(row + 3 * x, rgb, 3);
        c.err = jpeg_std_error(&err);
        jpeg_create_compress(&c);
        jpeg_mem_dest(&c, &out, &size);
        c.image_width = w;
        c.image_height = h;
        c.input_components = 3;
        c.in_color_space = JCS_RGB;
        jpeg_set_defaults(&c);
        jpeg_set_quality(&c, 95, TRUE);
        jpeg_start_compress(&c, TRUE);
        while (c.next_scanline < h) {
                JSAMPROW r = row;
                jpeg_write_scanlines(&c, &r, 1);
        }
        jpeg_finish_compress(&c);
        jpeg_destroy_compress(&c);
        free(row);
        *ret_size = size;
        return out;
}

static void test_convert_mjpeg(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_stats st;
        static const uint8_t rgb[3] = { 30, 160, 220 };
        unsigned long size;
        unsigned char *jpeg = make_jpeg(64, 48, rgb, &size);
        struct fake_camera *fc = fake_camera_new(false);
        fc->formats[0].sizes[0].width = 64;
        fc->formats[0].sizes[0].height = 48;
        fc->payload = jpeg;
        fc->payload_size = size;
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_MJPEG, 64, 48, NULL));
        fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_EQ(f->fourcc, V4L2_PIX_FMT_RGB24);
        ASSERT_EQ(f->flags, CAM_FRAME_COPIED);
        ASSERT_EQ(f->memory[0].bytesused, 64 * 48 * 3);
        /* JPEG is lossy: a flat colour comes back within a few levels. */
        for (unsigned y = 0; y < 48; y += 7)
                for (unsigned xx = 0; xx < 64; xx += 9) {
                        const uint8_t *px = cam_frame_plane_data(f, 0) + y * f->planes[0].stride + xx * 3;
                        ASSERT_NEAR(px[0], rgb[0], 4);
                        ASSERT_NEAR(px[1], rgb[1], 4);
                        ASSERT_NEAR(px[2], rgb[2], 4);
                }
        ASSERT_OK(cam_source_release(x.src, f));
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.errors, 0);
        ASSERT_EQ(st.bytes_copied, 64 * 48 * 3);
        teardown(&x);
        free(jpeg);
}

static void test_convert_bad_mjpeg(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct cam_source_stats st;
        struct fake_camera *fc = fake_camera_new(false);
        fc->formats[0].sizes[0].width = 64;
        fc->formats[0].sizes[0].height = 48;
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_MJPEG, 64, 48, NULL));
        /* The fake's MJPEG frames are not JPEG: each is an error, never handed out. */
        fake_camera_produce(fc, 1);
        ASSERT_ERR(cam_source_acquire(x.src, 0, &f), ETIMEDOUT);
        cam_source_get_stats(x.src, &st);
        ASSERT_EQ(st.errors, 1);
        ASSERT_EQ(st.frames, 0);
        ASSERT_EQ(fc->n_queued, 4);
        teardown(&x);
}

static void test_no_convert(void) {
        struct fixture x;
        const struct cam_frame *f;
        struct fake_camera *fc = fake_camera_new(false);
        ASSERT_OK(setup_with(&x, fc, V4L2_PIX_FMT_MJPEG, 640, 480,
                             &(struct cam_stream_params) { .convert = CAM_CONVERT_NEVER }));
        fc->auto_produce = true;
        ASSERT_OK(cam_source_acquire(x.src, 100, &f));
        ASSERT_EQ(f->fourcc, V4L2_PIX_FMT_MJPEG);
        ASSERT_EQ(f->flags, 0);
        ASSERT_TRUE(f->memory[0].dmabuf_fd >= 0);
        ASSERT_OK(cam_source_release(x.src, f));
        teardown(&x);
}

static void test_bad_params(void) {
        struct fake_camera *fc = fake_camera_new(false);
        struct cam_device *d = NULL;
        struct cam_stream *s = NULL;
        struct cam_format_granted g;
        ASSERT_OK(cam_device_open(&(struct cam_device_params) { .path = fc->node, .io = fake_camera_io(fc) }, &d));
        ASSERT_OK(cam_format_get(d, &g));
        ASSERT_ERR(cam_stream_new(d, &g, &(struct cam_stream_params) { .n_buffers = 33 }, &s), EINVAL);
        g.mplane = true;
        ASSERT_ERR(cam_stream_new(d, &g, NULL, &s), EINVAL);
        ASSERT_TRUE(s == NULL);
        cam_device_free(d);
        ASSERT_EQ(fc->n_open, 0);
        fake_camera_free(fc);
}

TEST_MAIN(TEST_CASE(test_stream_basic), TEST_CASE(test_newest_frame_wins), TEST_CASE(test_held_limit),
          TEST_CASE(test_few_buffers), TEST_CASE(test_timeout), TEST_CASE(test_eio_midstream),
          TEST_CASE(test_enodev_midstream), TEST_CASE(test_unplug_midstream), TEST_CASE(test_pollerr),
          TEST_CASE(test_eagain_storm), TEST_CASE(test_bytesused_too_large),
          TEST_CASE(test_bytesused_too_large_mplane), TEST_CASE(test_error_flag), TEST_CASE(test_no_expbuf), TEST_CASE(test_expbuf_access_mode),
          TEST_CASE(test_no_dmabuf_param), TEST_CASE(test_mplane_nv12m), TEST_CASE(test_mplane_data_offset), TEST_CASE(test_nv12_padded_stride),
          TEST_CASE(test_convert_bayer), TEST_CASE(test_convert_mjpeg), TEST_CASE(test_convert_bad_mjpeg), TEST_CASE(test_no_convert),
          TEST_CASE(test_bad_params))
