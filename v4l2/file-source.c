/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A Y4M file played as a camera (see file-source.h). Frames are produced
 * lazily inside acquire(): in paced mode the clock says which frame is due,
 * the frames between the last one handed out and that one are skipped
 * (parsed, not read) and counted as drops, and the due one is read into a
 * free memfd buffer. No thread, no copy beyond the read and the one
 * conversion pass the GPU layout needs.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/debug.h"
#include "common/macro.h"
#include "v4l2/file-source.h"

#define DEFAULT_BUFFERS 4u
#define MAX_BUFFERS 32u
#define NSEC_PER_SEC 1000000000ull
/* First read of a FRAME line; longer lines (with parameters) get a second read. */
#define SHORT_LINE 64u

struct file_buffer {
        int memfd;
        void *data;
        size_t length;
        bool held;
        struct cam_frame frame;
};

struct file_source {
        struct cam_source base;         /* first: the cam_source handed out */
        char *path;
        int fd;
        int timer_fd;

        struct cam_y4m_header header;
        struct cam_y4m_layout layout;
        uint64_t file_size;
        uint64_t data_start;            /* offset of the first FRAME line */
        uint64_t pos;                   /* offset of the next FRAME line */
        uint64_t file_frame;            /* index in the file of the frame at pos */
        uint64_t n_frames;              /* known after one full pass, else 0 */
        int end;                        /* sticky: -EPIPE or -EBADMSG once reached */

        bool paced, loop;
        uint64_t (*clock)(void *userdata);
        void *clock_userdata;
        uint32_t fps_num, fps_den;
        uint64_t start_ns;
        uint64_t next_seq;              /* sequence number of the next frame produced */

        uint32_t n_buffers, max_held, n_held, next_buffer;
        struct file_buffer *buffers;
        uint8_t *staging;               /* planar payload when it cannot go straight to a buffer */

        struct cam_source_stats stats;
        uint8_t line[CAM_Y4M_MAX_LINE];
};

static const struct cam_source_ops file_source_ops;

static uint64_t now_ns(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * NSEC_PER_SEC + (uint64_t) ts.tv_nsec;
}

/* The clock pacing and timestamps follow: CLOCK_MONOTONIC unless a test supplied its own. */
static uint64_t source_now(const struct file_source *s) {
        return s->clock ? s->clock(s->clock_userdata) : now_ns();
}

/* Frame k is due at start + ceil(k * den / num seconds). */
static uint64_t due_time(const struct file_source *s, uint64_t k) {
        unsigned __int128 ns = (unsigned __int128) k * s->fps_den * NSEC_PER_SEC;
        ns = (ns + s->fps_num - 1) / s->fps_num;
        return s->start_ns + (uint64_t) MIN(ns, (unsigned __int128) (UINT64_MAX - s->start_ns));
}

/* How many frames are due at time t: those with due_time(k) <= t. */
static uint64_t frames_due(const struct file_source *s, uint64_t t) {
        if (t < s->start_ns)
                return 0;
        unsigned __int128 n = (unsigned __int128) (t - s->start_ns) * s->fps_num / ((unsigned __int128) s->fps_den * NSEC_PER_SEC);
        return (uint64_t) MIN(n + 1, (unsigned __int128) UINT64_MAX);
}

static int arm_timer_at(struct file_source *s, uint64_t t) {
        struct itimerspec its = {
                .it_value.tv_sec = (time_t) (t / NSEC_PER_SEC),
                .it_value.tv_nsec = (long) (t % NSEC_PER_SEC),
        };

        /* 0 would disarm: a time in the past still fires at once. */
        if (t == 0)
                its.it_value.tv_nsec = 1;
        if (timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
                return ls_debug_errno(negative_errno(), "'%s': timerfd_settime: %m", s->path);
        return 0;
}

static void clear_timer(struct file_source *s) {
        uint64_t n;

        (void) !read(s->timer_fd, &n, sizeof(n));
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off) {
        uint8_t *p = buf;

        while (len > 0) {
                ssize_t n = pread(fd, p, len, (off_t) off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        return -EBADMSG;        /* the file shrank under us */
                p += n;
                len -= (size_t) n;
                off += (uint64_t) n;
        }
        return 0;
}

/* Parses the FRAME line at s->pos; returns its length. */
static int read_frame_line(struct file_source *s) {
        uint64_t avail = s->file_size - s->pos;
        size_t n = (size_t) MIN(avail, (uint64_t) SHORT_LINE);
        const char *why = NULL;
        int r;

        r = pread_full(s->fd, s->line, n, s->pos);
        if (r < 0)
                return r;
        if (!memchr(s->line, '\n', n) && avail > n) {
                n = (size_t) MIN(avail, (uint64_t) CAM_Y4M_MAX_LINE);
                r = pread_full(s->fd, s->line, n, s->pos);
                if (r < 0)
                        return r;
        }
        r = cam_y4m_parse_frame_line(s->line, n, &why);
        if (r < 0)
                return ls_debug_errno(r, "'%s': frame %" PRIu64 " at offset %" PRIu64 ": %s",
                                      s->path, s->file_frame, s->pos, why);
        if (s->file_size - s->pos - (uint64_t) r < s->header.frame_size)
                return ls_debug_errno(-EBADMSG, "'%s': frame %" PRIu64 " is truncated", s->path, s->file_frame);
        return r;
}

/* Moves to the start of the file at its end when looping; -EPIPE at the end otherwise. */
static int check_end(struct file_source *s) {
        if (s->pos < s->file_size)
                return 0;
        if (s->n_frames == 0)
                s->n_frames = s->file_frame;
        if (!s->loop || s->file_frame == 0)
                return -EPIPE;
        s->pos = s->data_start;
        s->file_frame = 0;
        return 0;
}

/* Whether the frame at pos, of header line length n, is the last of a non-looping file. */
static bool is_last_frame(const struct file_source *s, int n) {
        return !s->loop && s->pos + (uint64_t) n + s->header.frame_size >= s->file_size;
}

/*
 * Reads the payload at off into b. Luma rows go straight from the file into
 * the buffer when the layout allows (no pass over them); whatever needs
 * converting goes through the staging buffer. Returns the bytes converted.
 */
static int read_payload(struct file_source *s, uint64_t off, struct file_buffer *b, size_t *ret_converted) {
        const struct cam_y4m_header *h = &s->header;
        bool direct = cam_y4m_luma_is_direct(h, &s->layout);
        int r;

        if (direct) {
                r = pread_full(s->fd, b->data, h->luma_size, off);
                if (r < 0)
                        return r;
                if (h->chroma_size == 0) {
                        *ret_converted = 0;
                        return 0;
                }
                off += h->luma_size;
        }

        /* Allocated on first use: only once the file has shown it really holds a frame this size. */
        if (!s->staging) {
                s->staging = malloc(h->frame_size);
                if (!s->staging)
                        return -ENOMEM;
        }
        const uint8_t *y = direct ? NULL : s->staging;
        const uint8_t *cb = direct ? s->staging : s->staging + h->luma_size;
        r = pread_full(s->fd, s->staging, direct ? 2 * h->chroma_size : h->frame_size, off);
        if (r < 0)
                return r;
        *ret_converted = cam_y4m_convert(h, &s->layout, y, cb, cb + h->chroma_size, b->data);
        return 0;
}

/*
 * Skips up to n frames (never the last one of a non-looping file), then
 * reads the next into b; *ret_skipped says how many were skipped. On error
 * the stream ends: the error is sticky.
 */
static int produce(struct file_source *s, uint64_t n, struct file_buffer *b, uint64_t *ret_skipped) {
        uint64_t skipped = 0;
        size_t converted = 0;
        int r, len;

        /* After a full pass, whole loops need not be walked through. */
        if (s->loop && s->n_frames > 0 && n > s->n_frames)
                skipped = n - n % s->n_frames;
        for (;;) {
                r = check_end(s);
                if (r < 0)
                        goto fail;
                len = read_frame_line(s);
                if (len < 0) {
                        r = len;
                        goto fail;
                }
                if (skipped == n || is_last_frame(s, len))
                        break;
                s->pos += (uint64_t) len + s->header.frame_size;
                s->file_frame++;
                skipped++;
        }

        r = read_payload(s, s->pos + (uint64_t) len, b, &converted);
        if (r < 0)
                goto fail;
        s->pos += (uint64_t) len + s->header.frame_size;
        s->file_frame++;

        b->frame.flags = converted > 0 ? CAM_FRAME_COPIED : 0;
        s->stats.bytes_copied += converted;
        *ret_skipped = skipped;

        /* That was the last frame: the next acquire() says so at once instead of a period later. */
        if (!s->loop && s->pos >= s->file_size) {
                s->n_frames = s->file_frame;
                s->end = -EPIPE;
        }
        return 0;

fail:
        if (r == -EBADMSG)
                s->stats.errors++;
        s->end = r;
        return r;
}

static struct file_buffer *pick_buffer(struct file_source *s) {
        for (uint32_t i = 0; i < s->n_buffers; i++) {
                struct file_buffer *b = &s->buffers[(s->next_buffer + i) % s->n_buffers];
                if (!b->held) {
                        s->next_buffer = (b->frame.index + 1) % s->n_buffers;
                        return b;
                }
        }
        return NULL;
}

static int hand_out(struct file_source *s, struct file_buffer *b, uint64_t seq, uint64_t ts,
                    const struct cam_frame **ret) {
        b->frame.sequence = (uint32_t) seq;
        b->frame.timestamp_ns = ts;
        b->held = true;
        s->n_held++;
        s->stats.frames++;
        *ret = &b->frame;
        return 0;
}

static int wait_timer(struct file_source *s, int timeout_ms) {
        struct pollfd pfd = { .fd = s->timer_fd, .events = POLLIN };
        int r;

        do
                r = poll(&pfd, 1, timeout_ms);
        while (r < 0 && errno == EINTR);       /* a retry restarts the timeout; fine for a file */
        if (r < 0)
                return negative_errno();
        if (r == 0)
                return -ETIMEDOUT;
        clear_timer(s);
        return 0;
}

static int acquire_paced(struct file_source *s, int timeout_ms, const struct cam_frame **ret) {
        uint64_t deadline = timeout_ms > 0 ? now_ns() + (uint64_t) timeout_ms * 1000000u : 0;
        struct file_buffer *b;
        uint64_t due, skipped;
        int r;

        for (;;) {
                due = frames_due(s, source_now(s));
                if (due > s->next_seq)
                        break;
                r = arm_timer_at(s, due_time(s, s->next_seq));
                if (r < 0)
                        return r;
                if (timeout_ms == 0)
                        return -ETIMEDOUT;
                int left = -1;
                if (timeout_ms > 0) {
                        uint64_t now = now_ns();
                        if (now >= deadline)
                                return -ETIMEDOUT;
                        left = (int) DIV_ROUND_UP(deadline - now, 1000000u);
                }
                r = wait_timer(s, left);
                if (r < 0)
                        return r;
        }

        b = pick_buffer(s);
        if (!b)
                return -EBUSY;
        clear_timer(s);
        r = produce(s, due - 1 - s->next_seq, b, &skipped);
        if (r < 0) {
                (void) arm_timer_at(s, 0);      /* keep the fd readable so pollers see the end */
                return r;
        }
        s->stats.dropped += skipped;
        uint64_t seq = s->next_seq + skipped;
        s->next_seq = seq + 1 > due ? seq + 1 : due;
        /* Readable when the next frame is due, or at once when there is none. */
        r = arm_timer_at(s, s->end < 0 ? 0 : due_time(s, s->next_seq));
        if (r < 0)
                return r;
        return hand_out(s, b, seq, due_time(s, seq), ret);
}

static int file_source_acquire(struct cam_source *src, int timeout_ms, const struct cam_frame **ret) {
        struct file_source *s = (struct file_source *) src;
        struct file_buffer *b;
        uint64_t skipped;
        int r;

        if (!ret)
                return -EINVAL;
        if (s->end < 0)
                return s->end;
        if (s->n_held >= s->max_held)
                return -EBUSY;
        if (s->paced)
                return acquire_paced(s, timeout_ms, ret);

        b = pick_buffer(s);
        if (!b)
                return -EBUSY;
        r = produce(s, 0, b, &skipped);
        if (r < 0)
                return r;
        return hand_out(s, b, s->next_seq++, source_now(s), ret);
}

static int file_source_release(struct cam_source *src, const struct cam_frame *f) {
        struct file_source *s = (struct file_source *) src;

        if (!f || f->index >= s->n_buffers || f != &s->buffers[f->index].frame || !s->buffers[f->index].held)
                return -EINVAL;
        s->buffers[f->index].held = false;
        s->n_held--;
        return 0;
}

static int file_source_get_fd(struct cam_source *src) {
        return ((struct file_source *) src)->timer_fd;
}

static void file_source_get_info(struct cam_source *src, struct cam_source_info *ret) {
        struct file_source *s = (struct file_source *) src;

        *ret = (struct cam_source_info) {
                .fourcc = s->layout.fourcc,
                .width = s->header.width,
                .height = s->header.height,
                .fps_num = s->fps_num,
                .fps_den = s->fps_den,
                .n_buffers = s->n_buffers,
                .max_held = s->max_held,
                .dmabuf = false,
        };
}

static void file_source_get_stats(struct cam_source *src, struct cam_source_stats *ret) {
        *ret = ((struct file_source *) src)->stats;
}

static struct cam_source *file_source_free(struct cam_source *src) {
        struct file_source *s = (struct file_source *) src;

        if (!s)
                return NULL;
        for (uint32_t i = 0; s->buffers && i < s->n_buffers; i++) {
                struct file_buffer *b = &s->buffers[i];
                if (b->data)
                        (void) munmap(b->data, b->length);
                safe_close(b->memfd);
        }
        free(s->buffers);
        free(s->staging);
        safe_close(s->timer_fd);
        safe_close(s->fd);
        free(s->path);
        free(s);
        return NULL;
}
static struct file_source *file_source_free_typed(struct file_source *s) {
        if (s)
                (void) file_source_free(&s->base);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct file_source *, file_source_free_typed);

static const struct cam_source_ops file_source_ops = {
        .get_fd = file_source_get_fd,
        .acquire = file_source_acquire,
        .release = file_source_release,
        .get_info = file_source_get_info,
        .get_stats = file_source_get_stats,
        .free = file_source_free,
};

/* Opens path (a regular file) and parses its header; returns the fd. */
static int open_y4m(const char *path, struct cam_y4m_header *ret_header, uint64_t *ret_data_start,
                    uint64_t *ret_size, const char **ret_why) {
        _cleanup_close_ int fd = -EBADF;
        uint8_t buf[CAM_Y4M_MAX_LINE];
        struct stat st;
        ssize_t n;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return ls_debug_errno(negative_errno(), "'%s': open: %m", path);
        if (fstat(fd, &st) < 0)
                return ls_debug_errno(negative_errno(), "'%s': fstat: %m", path);
        if (!S_ISREG(st.st_mode)) {
                if (ret_why)
                        *ret_why = "not a regular file";
                return ls_debug_errno(-EINVAL, "'%s': not a regular file", path);
        }
        do
                n = pread(fd, buf, sizeof(buf), 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return ls_debug_errno(negative_errno(), "'%s': read: %m", path);
        r = cam_y4m_parse_header(buf, (size_t) n, ret_header, ret_why);
        if (r < 0)
                return r;
        *ret_data_start = (uint64_t) r;
        *ret_size = (uint64_t) st.st_size;
        return TAKE_FD(fd);
}

int cam_file_source_probe(const char *path, struct cam_y4m_header *ret, const char **ret_why) {
        struct cam_y4m_header h;
        uint64_t start, size;
        int fd;

        if (!path || !ret)
                return -EINVAL;
        fd = open_y4m(path, &h, &start, &size, ret_why);
        if (fd < 0)
                return fd;
        safe_close(fd);
        *ret = h;
        return 0;
}

static int setup_buffer(struct file_source *s, uint32_t index) {
        struct file_buffer *b = &s->buffers[index];
        long page = sysconf(_SC_PAGESIZE);

        b->length = ALIGN_UP(s->layout.size, (size_t) (page > 0 ? page : 4096));
        b->memfd = memfd_create("lanesight-y4m", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (b->memfd < 0)
                return ls_debug_errno(negative_errno(), "memfd_create: %m");
        if (ftruncate(b->memfd, (off_t) b->length) < 0)
                return ls_debug_errno(negative_errno(), "memfd ftruncate(%zu): %m", b->length);
        /* The size never changes: consumers that import the pages may rely on it. */
        if (fcntl(b->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0)
                return ls_debug_errno(negative_errno(), "memfd F_ADD_SEALS: %m");
        b->data = mmap(NULL, b->length, PROT_READ | PROT_WRITE, MAP_SHARED, b->memfd, 0);
        if (b->data == MAP_FAILED) {
                b->data = NULL;
                return ls_debug_errno(negative_errno(), "mmap(%zu) of memfd: %m", b->length);
        }

        b->frame = (struct cam_frame) {
                .index = index,
                .fourcc = s->layout.fourcc,
                .width = s->header.width,
                .height = s->header.height,
                .n_memory = 1,
                .memory[0] = {
                        .dmabuf_fd = -EBADF,
                        .data = b->data,
                        .length = b->length,
                        .bytesused = s->layout.size,
                },
                .n_planes = s->layout.n_planes,
        };
        for (uint32_t p = 0; p < s->layout.n_planes; p++)
                b->frame.planes[p] = (struct cam_frame_plane) {
                        .memory = 0,
                        .offset = s->layout.offset[p],
                        .stride = s->layout.stride[p],
                };
        return 0;
}

int cam_file_source_new(const struct cam_file_source_params *p, struct cam_source **ret) {
        _cleanup_(file_source_free_typedp) struct file_source *s = NULL;
        int r;

        if (!p || !p->path || !ret)
                return -EINVAL;
        if (p->n_buffers != 0 && (p->n_buffers < 2 || p->n_buffers > MAX_BUFFERS))
                return -EINVAL;
        if ((p->fps_num == 0) != (p->fps_den == 0))
                return -EINVAL;

        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->base.ops = &file_source_ops;
        s->fd = s->timer_fd = -EBADF;
        s->path = strdup(p->path);
        if (!s->path)
                return -ENOMEM;
        s->base.name = s->path;

        s->n_buffers = p->n_buffers ?: DEFAULT_BUFFERS;
        s->max_held = p->max_held ?: s->n_buffers - 1;
        if (s->max_held >= s->n_buffers)
                return -EINVAL;         /* one buffer must stay free to produce into */

        r = open_y4m(p->path, &s->header, &s->data_start, &s->file_size, NULL);
        if (r < 0)
                return r;
        s->fd = r;
        s->pos = s->data_start;
        r = cam_y4m_get_layout(&s->header, &s->layout);
        if (r < 0)
                return r;

        if (p->fps_num > 0) {
                s->fps_num = p->fps_num;
                s->fps_den = p->fps_den;
        } else if (s->header.fps_num > 0) {
                s->fps_num = s->header.fps_num;
                s->fps_den = s->header.fps_den;
        } else {
                s->fps_num = CAM_FILE_SOURCE_DEFAULT_FPS;
                s->fps_den = 1;
        }
        s->paced = p->paced;
        s->loop = p->loop;
        s->clock = p->clock;
        s->clock_userdata = p->clock_userdata;

        s->buffers = calloc(s->n_buffers, sizeof(*s->buffers));
        if (!s->buffers)
                return -ENOMEM;
        for (uint32_t i = 0; i < s->n_buffers; i++)
                s->buffers[i].memfd = -EBADF;
        for (uint32_t i = 0; i < s->n_buffers; i++) {
                r = setup_buffer(s, i);
                if (r < 0)
                        return r;
        }

        s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (s->timer_fd < 0)
                return ls_debug_errno(negative_errno(), "timerfd_create: %m");
        /* Frame 0 is due now; unpaced sources keep the timer expired (always readable). */
        s->start_ns = source_now(s);
        r = arm_timer_at(s, s->paced ? s->start_ns : 0);
        if (r < 0)
                return r;

        ls_debug("'%s': %ux%u %s, %u/%u fps, %zu bytes per frame, %u buffers%s%s", s->path,
                 s->header.width, s->header.height, cam_y4m_chroma_to_string(s->header.chroma),
                 s->fps_num, s->fps_den, s->header.frame_size, s->n_buffers,
                 s->paced ? ", paced" : "", s->loop ? ", looping" : "");
        *ret = &TAKE_PTR(s)->base;
        return 0;
}

bool cam_source_is_file(struct cam_source *s) {
        return s && s->ops == &file_source_ops;
}

const struct cam_y4m_header *cam_file_source_get_header(struct cam_source *s) {
        return cam_source_is_file(s) ? &((struct file_source *) s)->header : NULL;
}

int cam_file_source_get_memfd(struct cam_source *s, uint32_t index) {
        if (!cam_source_is_file(s) || index >= ((struct file_source *) s)->n_buffers)
                return -EINVAL;
        return ((struct file_source *) s)->buffers[index].memfd;
}

uint64_t cam_file_source_get_n_frames(struct cam_source *s) {
        return cam_source_is_file(s) ? ((struct file_source *) s)->n_frames : 0;
}

const char *cam_file_source_path_from_spec(const char *spec) {
        size_t n;

        if (!spec)
                return NULL;
        if (strncmp(spec, "file:", 5) == 0)
                return spec[5] ? spec + 5 : NULL;
        n = strlen(spec);
        if (n > 4 && strcmp(spec + n - 4, ".y4m") == 0)
                return spec;
        return NULL;
}
