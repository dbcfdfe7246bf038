/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Y4M file source (v4l2/file-source.c): frame counts, looping, end of
 * file, pacing (checked on the timestamps it hands out and against the
 * clock with wide margins), newest-wins drops, buffer layout and content
 * round-trips for each output fourcc; and the demo clip generator that
 * feeds it.
 */

#include <fcntl.h>
#include <libgen.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>
#include <time.h>

#include <jpeglib.h>                    /* needs stdio.h first */

#include "common/macro.h"
#include "tests/test.h"
#include "v4l2/file-source.h"

#define MS 1000000ull

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* Known sample values of file frame k. */
static uint8_t y_at(unsigned k, uint32_t r, uint32_t c) { return (uint8_t) (k * 31 + r * 7 + c); }
static uint8_t cb_at(unsigned k, size_t i) { return (uint8_t) (k * 13 + 50 + i); }
static uint8_t cr_at(unsigned k, size_t i) { return (uint8_t) (k * 5 + 200 - i); }

struct clip {
        char path[64];
        struct cam_y4m_header h;
};

static void clip_done(struct clip *c) {
        if (c->path[0])
                (void) unlink(c->path);
}

/* Writes a Y4M file: header tags `tags`, n frames, then `extra` bytes of a truncated frame. */
static void clip_write(struct clip *c, const char *tags, unsigned n, size_t extra) {
        char header[256];
        int fd;

        snprintf(c->path, sizeof(c->path), "/tmp/test-file-source-XXXXXX");
        fd = mkstemp(c->path);
        ASSERT_TRUE(fd >= 0);
        snprintf(header, sizeof(header), "YUV4MPEG2 %s\n", tags);
        ASSERT_TRUE(cam_y4m_parse_header(header, strlen(header), &c->h, NULL) > 0);

        FILE *f = fdopen(fd, "w");
        ASSERT_TRUE(f);
        fputs(header, f);
        _cleanup_free_ uint8_t *buf = malloc(c->h.frame_size);
        ASSERT_TRUE(buf);
        for (unsigned k = 0; k <= n; k++) {
                uint8_t *y = buf, *cb = buf + c->h.luma_size, *cr = cb + c->h.chroma_size;
                for (uint32_t r = 0; r < c->h.height; r++)
                        for (uint32_t x = 0; x < c->h.width; x++)
                                y[r * c->h.width + x] = y_at(k, r, x);
                for (size_t i = 0; i < c->h.chroma_size; i++) {
                        cb[i] = cb_at(k, i);
                        cr[i] = cr_at(k, i);
                }
                if (k < n) {
                        fprintf(f, k % 2 ? "FRAME Ip XK=%u\n" : "FRAME\n", k);
                        fwrite(buf, 1, c->h.frame_size, f);
                } else if (extra > 0) {
                        fputs("FRAME\n", f);
                        fwrite(buf, 1, MIN(extra, c->h.frame_size), f);
                }
        }
        ASSERT_EQ(fclose(f), 0);
}

/* Checks every byte of a handed-out frame against file frame k. */
static void check_content(const struct clip *c, const struct cam_frame *f, unsigned k) {
        const struct cam_y4m_header *h = &c->h;
        uint32_t w = h->width, ew = w + (w & 1);

        ASSERT_EQ(f->width, w);
        ASSERT_EQ(f->height, h->height);
        ASSERT_EQ(f->n_memory, 1);
        ASSERT_EQ(f->memory[0].dmabuf_fd, -EBADF);
        ASSERT_EQ((uintptr_t) f->memory[0].data % (uintptr_t) sysconf(_SC_PAGESIZE), 0);
        ASSERT_EQ(f->memory[0].length % (size_t) sysconf(_SC_PAGESIZE), 0);
        ASSERT_TRUE(f->memory[0].bytesused <= f->memory[0].length);

        switch (f->fourcc) {
        case V4L2_PIX_FMT_NV12: {
                ASSERT_EQ(f->n_planes, 2);
                ASSERT_EQ(f->planes[0].offset, 0);
                ASSERT_EQ(f->planes[0].stride, ew);
                ASSERT_EQ(f->planes[1].offset, ew * h->height);
                ASSERT_EQ(f->planes[1].stride, ew);
                ASSERT_EQ(f->memory[0].bytesused, ew * h->height + ew * ((h->height + 1) / 2));
                const uint8_t *y = cam_frame_plane_data(f, 0), *uv = cam_frame_plane_data(f, 1);
                for (uint32_t r = 0; r < h->height; r++)
                        for (uint32_t x = 0; x < ew; x++)
                                ASSERT_EQ(y[r * ew + x], y_at(k, r, MIN(x, w - 1)));
                for (uint32_t r = 0; r < h->chroma_height; r++)
                        for (uint32_t x = 0; x < h->chroma_width; x++) {
                                size_t i = r * h->chroma_width + x;
                                ASSERT_EQ(uv[r * ew + 2 * x], cb_at(k, i));
                                ASSERT_EQ(uv[r * ew + 2 * x + 1], cr_at(k, i));
                        }
                break;
        }
        case V4L2_PIX_FMT_GREY: {
                ASSERT_EQ(f->n_planes, 1);
                ASSERT_EQ(f->planes[0].stride, w);
                ASSERT_EQ(f->memory[0].bytesused, w * h->height);
                const uint8_t *y = cam_frame_plane_data(f, 0);
                for (uint32_t r = 0; r < h->height; r++)
                        for (uint32_t x = 0; x < w; x++)
                                ASSERT_EQ(y[r * w + x], y_at(k, r, x));
                break;
        }
        case V4L2_PIX_FMT_YUYV: {
                ASSERT_EQ(f->n_planes, 1);
                ASSERT_EQ(f->planes[0].stride, 2 * ew);
                ASSERT_EQ(f->memory[0].bytesused, 2 * ew * h->height);
                const uint8_t *p = cam_frame_plane_data(f, 0);
                for (uint32_t r = 0; r < h->height; r++)
                        for (uint32_t x = 0; x < ew; x += 2) {
                                const uint8_t *px = p + r * 2 * ew + 2 * x;
                                size_t i = r * h->chroma_width + x / 2;
                                ASSERT_EQ(px[0], y_at(k, r, x));
                                ASSERT_EQ(px[1], cb_at(k, i));
                                ASSERT_EQ(px[2], y_at(k, r, MIN(x + 1, w - 1)));
                                ASSERT_EQ(px[3], cr_at(k, i));
                        }
                break;
        }
        default:
                test_fail("unexpected fourcc %08x", f->fourcc);
        }
}

static struct cam_source *open_clip(const struct clip *c, bool paced, bool loop, uint32_t n_buffers) {
        struct cam_file_source_params p = {
                .path = c->path,
                .paced = paced,
                .loop = loop,
                .n_buffers = n_buffers,
        };
        struct cam_source *s = NULL;

        ASSERT_OK(cam_file_source_new(&p, &s));
        ASSERT_TRUE(s);
        return s;
}

/* Plays a whole file unpaced and checks content, sequence, EOF and stats. */
static void play_all(const char *tags, uint32_t fourcc, bool copies) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *f;
        struct cam_source_info info;
        struct cam_source_stats st;
        uint64_t copied = 0;

        clip_write(&c, tags, 5, 0);
        s = open_clip(&c, false, false, 0);
        ASSERT_TRUE(cam_source_is_file(s));
        ASSERT_STREQ(s->name, c.path);
        cam_source_get_info(s, &info);
        ASSERT_EQ(info.fourcc, fourcc);
        ASSERT_EQ(info.width, c.h.width);
        ASSERT_EQ(info.height, c.h.height);
        ASSERT_EQ(info.n_buffers, 4);
        ASSERT_EQ(info.max_held, 3);
        ASSERT_TRUE(!info.dmabuf);

        for (unsigned k = 0; k < 5; k++) {
                ASSERT_OK(cam_source_acquire(s, 0, &f));
                ASSERT_EQ(f->sequence, k);
                ASSERT_EQ(f->index, k % 4);             /* the ring turns */
                check_content(&c, f, k);
                ASSERT_EQ(!!(f->flags & CAM_FRAME_COPIED), copies);
                ASSERT_OK(cam_source_release(s, f));
        }
        ASSERT_ERR(cam_source_acquire(s, 0, &f), EPIPE);
        ASSERT_ERR(cam_source_acquire(s, -1, &f), EPIPE);
        ASSERT_EQ(cam_file_source_get_n_frames(s), 5);

        cam_source_get_stats(s, &st);
        ASSERT_EQ(st.frames, 5);
        ASSERT_EQ(st.dropped, 0);
        ASSERT_EQ(st.errors, 0);
        /* Converted bytes only: NV12 CbCr plane (even width), all of YUYV, nothing for GREY. */
        struct cam_y4m_layout l;
        ASSERT_OK(cam_y4m_get_layout(&c.h, &l));
        if (fourcc == V4L2_PIX_FMT_NV12)
                copied = cam_y4m_luma_is_direct(&c.h, &l) ? l.size - l.offset[1] : l.size;
        else if (fourcc == V4L2_PIX_FMT_YUYV)
                copied = l.size;
        ASSERT_EQ(st.bytes_copied, 5 * copied);
}

static void test_play_nv12(void) { play_all("W8 H6 F30:1 C420jpeg", V4L2_PIX_FMT_NV12, true); }
static void test_play_nv12_odd(void) { play_all("W7 H5 F30:1 C420mpeg2", V4L2_PIX_FMT_NV12, true); }
static void test_play_grey(void) { play_all("W9 H4 F30:1 Cmono", V4L2_PIX_FMT_GREY, false); }
static void test_play_yuyv(void) { play_all("W6 H3 F30:1 C422", V4L2_PIX_FMT_YUYV, true); }
static void test_play_yuyv_odd(void) { play_all("W5 H3 F30:1 C422", V4L2_PIX_FMT_YUYV, true); }

static void test_loop(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *f;

        clip_write(&c, "W4 H4 F30:1", 3, 0);
        s = open_clip(&c, false, true, 2);
        ASSERT_EQ(cam_file_source_get_n_frames(s), 0);
        for (unsigned k = 0; k < 10; k++) {
                ASSERT_OK(cam_source_acquire(s, 0, &f));
                ASSERT_EQ(f->sequence, k);
                ASSERT_EQ(f->index, k % 2);
                check_content(&c, f, k % 3);
                ASSERT_OK(cam_source_release(s, f));
        }
        ASSERT_EQ(cam_file_source_get_n_frames(s), 3);
}

static void test_empty(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL, *l = NULL;
        const struct cam_frame *f;

        clip_write(&c, "W4 H4", 0, 0);
        s = open_clip(&c, true, false, 0);
        ASSERT_ERR(cam_source_acquire(s, -1, &f), EPIPE);
        /* Looping over nothing must end too, not spin. */
        l = open_clip(&c, false, true, 0);
        ASSERT_ERR(cam_source_acquire(l, -1, &f), EPIPE);
}

static void test_truncated_frame(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *f;
        struct cam_source_stats st;

        clip_write(&c, "W8 H8 F30:1", 2, 50);
        s = open_clip(&c, false, true, 0);
        for (unsigned k = 0; k < 2; k++) {
                ASSERT_OK(cam_source_acquire(s, 0, &f));
                check_content(&c, f, k);
                ASSERT_OK(cam_source_release(s, f));
        }
        ASSERT_ERR(cam_source_acquire(s, 0, &f), EBADMSG);
        ASSERT_ERR(cam_source_acquire(s, 0, &f), EBADMSG);      /* sticky, even when looping */
        cam_source_get_stats(s, &st);
        ASSERT_EQ(st.frames, 2);
        ASSERT_EQ(st.errors, 1);
}

static void test_truncated_frame_line(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *f;
        int fd;

        clip_write(&c, "W2 H2 Cmono", 1, 0);
        fd = open(c.path, O_WRONLY | O_APPEND | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "FRA", 3), 3);
        close(fd);
        s = open_clip(&c, false, false, 0);
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_OK(cam_source_release(s, f));
        ASSERT_ERR(cam_source_acquire(s, 0, &f), EBADMSG);
}

/* A fake clock for the pacing decisions: starts at the real time, moves only when told. */
struct fake_clock {
        uint64_t now;
};

static uint64_t fake_now(void *userdata) {
        return ((struct fake_clock *) userdata)->now;
}

static struct cam_source *open_clip_clocked(const struct clip *c, bool loop, struct fake_clock *clk) {
        struct cam_file_source_params p = {
                .path = c->path,
                .paced = true,
                .loop = loop,
                .clock = fake_now,
                .clock_userdata = clk,
        };
        struct cam_source *s = NULL;

        clk->now = now_ns();
        ASSERT_OK(cam_file_source_new(&p, &s));
        return s;
}

/* Paced, fake clock: a frame comes out exactly when due, stamped with its due time, never early. */
static void test_paced_schedule(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        struct fake_clock clk;
        const struct cam_frame *f;
        struct cam_source_stats st;
        uint64_t t0;

        clip_write(&c, "W4 H4 F50:1", 4, 0);
        s = open_clip_clocked(&c, false, &clk);
        t0 = clk.now;
        for (unsigned k = 0; k < 4; k++) {
                ASSERT_OK(cam_source_acquire(s, 0, &f));
                ASSERT_EQ(f->sequence, k);
                ASSERT_EQ(f->timestamp_ns, t0 + k * 20 * MS);
                check_content(&c, f, k);
                ASSERT_OK(cam_source_release(s, f));
                if (k == 3)
                        break;
                /* The next frame is not due for 20 ms: 1 ns before, still nothing. */
                clk.now = t0 + (k + 1) * 20 * MS - 1;
                ASSERT_ERR(cam_source_acquire(s, 0, &f), ETIMEDOUT);
                clk.now++;
        }
        /* After the last frame the end is reported at once, not a period later. */
        ASSERT_ERR(cam_source_acquire(s, 0, &f), EPIPE);
        cam_source_get_stats(s, &st);
        ASSERT_EQ(st.frames, 4);
        ASSERT_EQ(st.dropped, 0);
}

/* NTSC-style rate: due times are exact fractions of a second, not a rounded period added up. */
static void test_paced_fractional_rate(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        struct fake_clock clk;
        const struct cam_frame *f;
        uint64_t t0;

        clip_write(&c, "W2 H2 F30000:1001", 1, 0);
        s = open_clip_clocked(&c, true, &clk);
        t0 = clk.now;
        for (uint64_t k = 0, prev = 0; k < 3000; prev = k, k += 1 + k / 7) {
                /* ceil(k * 1001 / 30000 s), worked out here independently. */
                uint64_t due = (k * 1001ull * 1000000000ull + 29999) / 30000;
                if (k == prev + 1) {    /* 1 ns early: not yet */
                        clk.now = t0 + due - 1;
                        ASSERT_ERR(cam_source_acquire(s, 0, &f), ETIMEDOUT);
                }
                clk.now = t0 + due;
                ASSERT_OK(cam_source_acquire(s, 0, &f));
                ASSERT_EQ(f->sequence, k);
                ASSERT_EQ(f->timestamp_ns - t0, due);
                ASSERT_OK(cam_source_release(s, f));
        }
}

/* A slow consumer gets the newest frame; the skipped ones are counted. */
static void test_newest_wins(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        struct fake_clock clk;
        const struct cam_frame *f;
        struct cam_source_stats st;
        uint64_t t0;

        clip_write(&c, "W4 H2 F100:1", 40, 0);
        s = open_clip_clocked(&c, false, &clk);
        t0 = clk.now;
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_EQ(f->sequence, 0);
        ASSERT_OK(cam_source_release(s, f));

        clk.now += 55 * MS;     /* frames 1..5 fall due meanwhile */
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_EQ(f->sequence, 5);
        check_content(&c, f, 5);                        /* really file frame 5 */
        ASSERT_EQ(f->timestamp_ns, t0 + 50 * MS);
        ASSERT_OK(cam_source_release(s, f));
        cam_source_get_stats(s, &st);
        ASSERT_EQ(st.frames, 2);
        ASSERT_EQ(st.dropped, 4);

        /* Nothing new until the clock moves; then the newest again. */
        ASSERT_ERR(cam_source_acquire(s, 0, &f), ETIMEDOUT);
        clk.now += 200 * MS;
        const struct cam_frame *g;
        ASSERT_OK(cam_source_acquire(s, 0, &g));
        ASSERT_EQ(g->sequence, 25);
        check_content(&c, g, 25);
        ASSERT_OK(cam_source_release(s, g));
        cam_source_get_stats(s, &st);
        ASSERT_EQ(st.dropped, 4 + 19);
}

/* Behind by more than the rest of the file: the last frame still comes out, then -EPIPE. */
static void test_newest_wins_at_eof(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        struct fake_clock clk;
        const struct cam_frame *f;
        struct cam_source_stats st;

        clip_write(&c, "W4 H2 F100:1", 3, 0);
        s = open_clip_clocked(&c, false, &clk);
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_OK(cam_source_release(s, f));
        clk.now += 80 * MS;
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_EQ(f->sequence, 2);
        check_content(&c, f, 2);
        ASSERT_OK(cam_source_release(s, f));
        ASSERT_ERR(cam_source_acquire(s, 0, &f), EPIPE);
        cam_source_get_stats(s, &st);
        ASSERT_EQ(st.dropped, 1);
}

/* Looping and far behind: whole loops are skipped arithmetically; content still matches seq mod n. */
static void test_newest_wins_looping(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        struct fake_clock clk;
        const struct cam_frame *f;
        struct cam_source_stats st;

        clip_write(&c, "W4 H2 F1000:1", 3, 0);
        s = open_clip_clocked(&c, true, &clk);
        for (unsigned i = 0; i < 4; i++) {              /* one full pass, so the length is known */
                ASSERT_OK(cam_source_acquire(s, 0, &f));
                ASSERT_EQ(f->sequence, i);
                check_content(&c, f, i % 3);
                ASSERT_OK(cam_source_release(s, f));
                clk.now += 1 * MS;
        }
        ASSERT_EQ(cam_file_source_get_n_frames(s), 3);
        clk.now += 1000 * 1000 * MS;                    /* a million frames later */
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_EQ(f->sequence, 1000004);
        check_content(&c, f, 1000004 % 3);
        ASSERT_OK(cam_source_release(s, f));
        cam_source_get_stats(s, &st);
        ASSERT_EQ(st.frames, 5);
        ASSERT_EQ(st.dropped, 1000004 - 4);
}

/* The real clock, with margins wide enough for a loaded machine: never early, spacing exact. */
static void test_paced_real_clock(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *f;
        uint64_t ts0 = 0, t_start = now_ns(), first_seq = 0, last_seq = 0;

        clip_write(&c, "W4 H4 F25:1", 5, 0);
        s = open_clip(&c, true, false, 0);
        for (unsigned k = 0; ; k++) {
                int r = cam_source_acquire(s, 5000, &f);
                if (r == -EPIPE)
                        break;
                ASSERT_OK(r);
                uint64_t t = now_ns();
                if (k == 0) {
                        ts0 = f->timestamp_ns;
                        first_seq = f->sequence;
                } else
                        ASSERT_TRUE(f->sequence > last_seq);    /* may skip under load, never repeat */
                last_seq = f->sequence;
                ASSERT_EQ(f->timestamp_ns - ts0, (f->sequence - first_seq) * 40 * MS);
                ASSERT_TRUE(t >= f->timestamp_ns);              /* never before it is due */
                ASSERT_TRUE(t - f->timestamp_ns < 2000 * MS);
                check_content(&c, f, f->sequence);
                ASSERT_OK(cam_source_release(s, f));
        }
        ASSERT_EQ(last_seq, 4);
        /* Frame 4 was due 160 ms after the start: the whole run cannot have been quicker. */
        ASSERT_TRUE(now_ns() - t_start >= 160 * MS);
}

static void test_timeout_and_fd(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL, *u = NULL;
        const struct cam_frame *f;
        struct pollfd pfd = { .events = POLLIN };

        clip_write(&c, "W2 H2 F4:1", 3, 0);
        s = open_clip(&c, true, false, 0);
        pfd.fd = cam_source_get_fd(s);
        ASSERT_TRUE(pfd.fd >= 0);
        ASSERT_TRUE(fcntl(pfd.fd, F_GETFD) & FD_CLOEXEC);
        ASSERT_EQ(poll(&pfd, 1, 0), 1);                 /* frame 0 is due at once */
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_OK(cam_source_release(s, f));

        ASSERT_EQ(poll(&pfd, 1, 0), 0);                 /* next one in 250 ms */
        ASSERT_ERR(cam_source_acquire(s, 0, &f), ETIMEDOUT);
        uint64_t t = now_ns();
        ASSERT_ERR(cam_source_acquire(s, 30, &f), ETIMEDOUT);
        ASSERT_TRUE(now_ns() - t >= 29 * MS);
        ASSERT_EQ(poll(&pfd, 1, 2000), 1);              /* the timer fires when frame 1 is due */
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        ASSERT_EQ(f->sequence, 1);
        ASSERT_OK(cam_source_release(s, f));

        /* Unpaced: always readable, never waits. */
        u = open_clip(&c, false, false, 0);
        pfd.fd = cam_source_get_fd(u);
        for (unsigned k = 0; k < 3; k++) {
                ASSERT_EQ(poll(&pfd, 1, 0), 1);
                ASSERT_OK(cam_source_acquire(u, 0, &f));
                ASSERT_OK(cam_source_release(u, f));
        }
        ASSERT_EQ(poll(&pfd, 1, 0), 1);                 /* readable at the end too, to report -EPIPE */
        ASSERT_ERR(cam_source_acquire(u, 0, &f), EPIPE);
}

static void test_held_frames(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *a, *b, *x;
        struct cam_frame fake = {};

        clip_write(&c, "W4 H4", 6, 0);
        s = open_clip(&c, false, false, 3);             /* max_held defaults to 2 */
        ASSERT_OK(cam_source_acquire(s, 0, &a));
        ASSERT_OK(cam_source_acquire(s, 0, &b));
        ASSERT_NE(a->index, b->index);
        ASSERT_ERR(cam_source_acquire(s, 0, &x), EBUSY);
        check_content(&c, a, 0);                        /* held frames are not overwritten */
        check_content(&c, b, 1);

        ASSERT_ERR(cam_source_release(s, &fake), EINVAL);
        ASSERT_ERR(cam_source_release(s, NULL), EINVAL);
        ASSERT_OK(cam_source_release(s, a));
        ASSERT_ERR(cam_source_release(s, a), EINVAL);   /* twice */
        ASSERT_OK(cam_source_acquire(s, 0, &x));
        ASSERT_NE(x->index, b->index);
        check_content(&c, x, 2);
        check_content(&c, b, 1);
        ASSERT_OK(cam_source_release(s, b));
        ASSERT_OK(cam_source_release(s, x));
}

static void test_memfd(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *f;
        struct stat st;

        clip_write(&c, "W64 H48", 1, 0);
        s = open_clip(&c, false, false, 2);
        ASSERT_OK(cam_source_acquire(s, 0, &f));
        int fd = cam_file_source_get_memfd(s, f->index);
        ASSERT_TRUE(fd >= 0);
        ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        ASSERT_EQ(fstat(fd, &st), 0);
        ASSERT_EQ((size_t) st.st_size, f->memory[0].length);
        /* Size is sealed; the pages behind the mapping are the memfd's. */
        ASSERT_TRUE(fcntl(fd, F_GET_SEALS) & F_SEAL_SHRINK);
        ASSERT_TRUE(ftruncate(fd, 0) < 0);
        uint8_t first;
        ASSERT_EQ(pread(fd, &first, 1, 0), 1);
        ASSERT_EQ(first, ((const uint8_t *) f->memory[0].data)[0]);
        ASSERT_ERR(cam_file_source_get_memfd(s, 2), EINVAL);
        ASSERT_OK(cam_source_release(s, f));
}

static void test_bad_params(void) {
        _cleanup_(clip_done) struct clip c = {};
        struct cam_source *s = NULL;
        struct cam_y4m_header h;
        const char *why = NULL;
        int fd;

        clip_write(&c, "W4 H4", 1, 0);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = c.path, .n_buffers = 1 }, &s), EINVAL);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = c.path, .n_buffers = 33 }, &s), EINVAL);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = c.path, .n_buffers = 2, .max_held = 2 }, &s), EINVAL);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = c.path, .fps_num = 5 }, &s), EINVAL);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = NULL }, &s), EINVAL);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = "/nonexistent/x.y4m" }, &s), ENOENT);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = "/tmp" }, &s), EINVAL);
        ASSERT_EQ(s, NULL);

        /* Header errors, with the reason available from probe. */
        fd = open(c.path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "YUV4MPEG2 W4 H4 C444\n", 21), 21);
        close(fd);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = c.path }, &s), EOPNOTSUPP);
        ASSERT_ERR(cam_file_source_probe(c.path, &h, &why), EOPNOTSUPP);
        ASSERT_TRUE(why && strstr(why, "colourspace"));

        fd = open(c.path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT_TRUE(fd >= 0);
        ASSERT_EQ(write(fd, "P6\n640 480\n255\n", 15), 15);
        close(fd);
        ASSERT_ERR(cam_file_source_new(&(struct cam_file_source_params) { .path = c.path }, &s), EBADMSG);
        ASSERT_EQ(s, NULL);
}

static void test_rates(void) {
        _cleanup_(clip_done) struct clip c = {};
        _cleanup_(cam_source_freep) struct cam_source *a = NULL, *b = NULL;
        struct cam_source_info info;

        clip_write(&c, "W4 H4", 1, 0);                  /* no F */
        a = open_clip(&c, true, false, 0);
        cam_source_get_info(a, &info);
        ASSERT_EQ(info.fps_num, CAM_FILE_SOURCE_DEFAULT_FPS);
        ASSERT_EQ(info.fps_den, 1);
        ASSERT_OK(cam_file_source_new(&(struct cam_file_source_params) {
                .path = c.path, .paced = true, .fps_num = 30000, .fps_den = 1001 }, &b));
        cam_source_get_info(b, &info);
        ASSERT_EQ(info.fps_num, 30000);
        ASSERT_EQ(info.fps_den, 1001);
        ASSERT_EQ(cam_file_source_get_header(b)->width, 4);
        ASSERT_EQ(cam_file_source_get_header(NULL), NULL);
}

static void test_spec(void) {
        ASSERT_STREQ(cam_file_source_path_from_spec("file:/x/clip.y4m"), "/x/clip.y4m");
        ASSERT_STREQ(cam_file_source_path_from_spec("file:relative"), "relative");
        ASSERT_STREQ(cam_file_source_path_from_spec("demo/traveler.y4m"), "demo/traveler.y4m");
        ASSERT_EQ(cam_file_source_path_from_spec("file:"), NULL);
        ASSERT_EQ(cam_file_source_path_from_spec("/dev/video0"), NULL);
        ASSERT_EQ(cam_file_source_path_from_spec(".y4m"), NULL);
        ASSERT_EQ(cam_file_source_path_from_spec(NULL), NULL);
}

/* A synthetic "portrait" for the clip generator: a dark bust on a studio-blue backdrop. */
static void write_portrait(const char *path) {
        struct jpeg_compress_struct c = {};
        struct jpeg_error_mgr err;
        uint8_t row[128 * 3];
        FILE *f = fopen(path, "we");

        ASSERT_TRUE(f);
        c.err = jpeg_std_error(&err);
        jpeg_create_compress(&c);
        jpeg_stdio_dest(&c, f);
        c.image_width = c.image_height = 128;
        c.input_components = 3;
        c.in_color_space = JCS_RGB;
        jpeg_set_defaults(&c);
        jpeg_set_quality(&c, 95, TRUE);
        jpeg_start_compress(&c, TRUE);
        for (int y = 0; y < 128; y++) {
                for (int x = 0; x < 128; x++) {
                        double dx = (x - 66) / 28.0, dy = (y - 40) / 36.0;
                        bool person = dx * dx + dy * dy < 1 || (y > 75 && abs(x - 66) < 50);
                        row[3 * x] = person ? 40 : 90;
                        row[3 * x + 1] = person ? 30 : 140;
                        row[3 * x + 2] = person ? 30 : 220;
                }
                JSAMPROW r = row;
                jpeg_write_scanlines(&c, &r, 1);
        }
        jpeg_finish_compress(&c);
        jpeg_destroy_compress(&c);
        ASSERT_EQ(fclose(f), 0);
}

static double mean_luma(const struct cam_frame *f, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1) {
        const uint8_t *y = cam_frame_plane_data(f, 0);
        double sum = 0;

        for (uint32_t r = y0; r < y1; r++)
                for (uint32_t x = x0; x < x1; x++)
                        sum += y[r * f->planes[0].stride + x];
        return sum / ((x1 - x0) * (y1 - y0));
}

/*
 * The demo clip generator (tools/make-clip.c), run from the build tree
 * next to this test: valid Y4M of the asked size and length, the same bytes
 * twice, and a person who is absent at the start and stands centred at the
 * end (the centre darkens, the left edge stays booth wall).
 */
static void test_demo_clip_generator(void) {
        char exe[1024], tool[1100], cmd[4096];
        char jpg[] = "/tmp/test-clip-XXXXXX", out1[64], out2[64];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        int fd;

        ASSERT_TRUE(n > 0);
        exe[n] = 0;
        /* $(BUILD)/tests/test-file-source -> $(BUILD)/lanesight-make-clip */
        snprintf(tool, sizeof(tool), "%s/../lanesight-make-clip", dirname(exe));
        if (access(tool, X_OK) < 0)
                test_skip("%s not built", tool);

        fd = mkstemp(jpg);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        write_portrait(jpg);
        snprintf(out1, sizeof(out1), "%s-1.y4m", jpg);
        snprintf(out2, sizeof(out2), "%s-2.y4m", jpg);
        ASSERT_TRUE(snprintf(cmd, sizeof(cmd), "'%s' %s %s 96 64 5 4 && '%s' %s %s 96 64 5 4 && cmp -s %s %s",
                             tool, jpg, out1, tool, jpg, out2, out1, out2) < (int) sizeof(cmd));
        int r = system(cmd);
        (void) unlink(out2);
        (void) unlink(jpg);
        if (r != 0)
                (void) unlink(out1);
        ASSERT_EQ(r, 0);        /* ran, twice, and byte-identical */

        struct cam_file_source_params p = { .path = out1 };
        _cleanup_(cam_source_freep) struct cam_source *s = NULL;
        const struct cam_frame *f;
        double first_centre = 0, first_left = 0;
        unsigned frames = 0;

        r = cam_file_source_new(&p, &s);
        (void) unlink(out1);            /* the open fd keeps it readable */
        ASSERT_OK(r);
        const struct cam_y4m_header *h = cam_file_source_get_header(s);
        ASSERT_EQ(h->width, 96);
        ASSERT_EQ(h->height, 64);
        ASSERT_EQ(h->fps_num, 5);
        ASSERT_EQ(h->fps_den, 1);
        ASSERT_EQ(h->chroma, CAM_Y4M_CHROMA_420JPEG);
        while ((r = cam_source_acquire(s, 0, &f)) >= 0) {
                double centre = mean_luma(f, 40, 56, 16, 32), left = mean_luma(f, 0, 8, 8, 40);
                if (frames == 0) {
                        first_centre = centre;
                        first_left = left;
                }
                frames++;
                if (frames == 20) {
                        ASSERT_TRUE(first_centre - centre > 40);        /* someone dark stands there now */
                        ASSERT_NEAR(left, first_left, 6);               /* the wall beside them is unchanged */
                }
                ASSERT_OK(cam_source_release(s, f));
        }
        ASSERT_ERR(r, EPIPE);
        ASSERT_EQ(frames, 20);
}

TEST_MAIN(TEST_CASE(test_play_nv12),
          TEST_CASE(test_play_nv12_odd),
          TEST_CASE(test_play_grey),
          TEST_CASE(test_play_yuyv),
          TEST_CASE(test_play_yuyv_odd),
          TEST_CASE(test_loop),
          TEST_CASE(test_empty),
          TEST_CASE(test_truncated_frame),
          TEST_CASE(test_truncated_frame_line),
          TEST_CASE(test_paced_schedule),
          TEST_CASE(test_paced_fractional_rate),
          TEST_CASE(test_paced_real_clock),
          TEST_CASE(test_newest_wins),
          TEST_CASE(test_newest_wins_at_eof),
          TEST_CASE(test_newest_wins_looping),
          TEST_CASE(test_timeout_and_fd),
          TEST_CASE(test_held_frames),
          TEST_CASE(test_memfd),
          TEST_CASE(test_bad_params),
          TEST_CASE(test_rates),
          TEST_CASE(test_spec),
          TEST_CASE(test_demo_clip_generator))
