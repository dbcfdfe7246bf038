/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "face/image.h"
#include "face/reference.h"
#include "svc/analysis.h"
#include "svc/bus-util.h"
#include "svc/engine.h"
#include "svc/work.h"

struct lsd_analysis {
        struct lsd_work work;           /* first: run() and done() get it */
        struct lsd_daemon *d;
        struct lsd_analysis *next;      /* d->analyses */
        sd_bus_message *m;
        char *sender;
        int fd;
        bool regular, want_embedding, submitted;
        uint8_t *data;
        size_t size, cap;
        sd_event_source *io, *deadline;
        struct face_quality_params quality;
        struct face_reference_limits reference;
        uint64_t max_pixels;
        lsd_analysis_done_t done;
        void *userdata;
        struct lsd_analysis_result res;
};

static _printf_(4, 5) void set_error(struct lsd_analysis_result *res, int error, const char *name, const char *fmt, ...) {
        va_list ap;
        res->error = error;
        res->error_name = name;
        va_start(ap, fmt);
        vsnprintf(res->message, sizeof(res->message), fmt, ap);
        va_end(ap);
}

static void drop_data(struct lsd_analysis *a) {
        if (a->data) {
                explicit_bzero(a->data, a->size);
                free(a->data);
        }
        if (!a->regular)
                a->d->analysis_buffered -= a->cap;
        a->data = NULL;
        a->size = a->cap = 0;
}

static void analysis_free(struct lsd_analysis *a) {
        struct lsd_daemon *d = a->d;

        for (struct lsd_analysis **p = &d->analyses; *p; p = &(*p)->next)
                if (*p == a) {
                        *p = a->next;
                        break;
                }
        sd_event_source_disable_unref(a->io);
        sd_event_source_disable_unref(a->deadline);
        safe_close(a->fd);
        drop_data(a);
        if (a->res.embedding) {
                explicit_bzero(a->res.embedding, lsd_engine_dim(a->res.engine) * sizeof(float));
                free(a->res.embedding);
        }
        lsd_engine_unref(a->res.engine);
        sd_bus_message_unref(a->m);
        free(a->sender);
        free(a);
}

/* Worker: read (regular files), decode, analyse. Touches nothing of the daemon but the engine. */
static int read_regular(struct lsd_analysis *a) {
        struct stat st;

        if (fstat(a->fd, &st) < 0)
                return -errno;
        if (st.st_size > (off_t) LSD_IMAGE_MAX_BYTES)
                return -EFBIG;
        a->cap = (size_t) st.st_size + 1;       /* one more: a file that grew is noticed */
        a->data = malloc(a->cap);
        if (!a->data)
                return -ENOMEM;
        while (a->size < a->cap) {
                ssize_t n = pread(a->fd, a->data + a->size, a->cap - a->size, (off_t) a->size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0;
                a->size += (size_t) n;
        }
        return a->size > LSD_IMAGE_MAX_BYTES ? -EFBIG : 0;
}

static void run(struct lsd_work *w) {
        struct lsd_analysis *a = (struct lsd_analysis *) w;
        struct lsd_analysis_result *res = &a->res;
        struct face_image img = { 0 };
        struct cam_frame frame;
        int r;

        if (a->regular) {
                r = read_regular(a);
                a->fd = safe_close(a->fd);
                if (r < 0) {
                        set_error(res, r, LSD_ERROR_INVALID_IMAGE, "Cannot read the image: %s",
                                  r == -EFBIG ? "larger than 16 MiB" : strerror(-r));
                        return;
                }
        }
        r = face_image_decode_limited(a->data, a->size, a->max_pixels, &img);
        explicit_bzero(a->data, a->size);
        if (r < 0) {
                set_error(res, r, LSD_ERROR_INVALID_IMAGE, "Cannot decode the image: %s",
                          r == -EMEDIUMTYPE ? "not a JPEG, PNG or JPEG 2000 image" :
                          r == -EFBIG ? "more pixels than [Limits] MaxImagePixels= allows" :
                          r == -ENOMEM ? "out of memory" : "corrupt or truncated");
                return;
        }
        if (a->want_embedding) {
                res->embedding = calloc(lsd_engine_dim(res->engine), sizeof(float));
                if (!res->embedding) {
                        face_image_done(&img);
                        set_error(res, -ENOMEM, LSD_ERROR_ENGINE, "Out of memory");
                        return;
                }
        }
        face_pipeline_wrap_image(&img, &frame);
        struct face_pipeline *fp = lsd_engine_lock(res->engine);
        r = face_pipeline_analyze(fp, &frame, NULL, res->embedding, &res->analysis);
        lsd_engine_unlock(res->engine);
        explicit_bzero(img.rgb, (size_t) img.width * img.height * 3);
        face_image_done(&img);
        /* One set of limits for frames, sessions and reference photos: the daemon's, as configured now. */
        face_quality_judge(&a->quality, &res->analysis.quality);
        if (r == -ENOENT) {
                set_error(res, r, LSD_ERROR_NO_FACE, "No face found in the image");
                return;
        }
        if (r < 0) {
                set_error(res, r, LSD_ERROR_ENGINE, "Face analysis failed: %s", strerror(-r));
                return;
        }
        /*
         * Judged as the lane judges a capture: a damaged photo can still decode, with several faces,
         * a false face or a poor one, and must never come out as a plain "no match".
         */
        enum face_guidance why;
        if (face_reference_judge(&a->reference, r, &res->analysis, &why) == -EDOM)
                set_error(res, -EDOM, LSD_ERROR_POOR_REFERENCE, "Poor reference photo: %s (quality %.1f, %u face%s)",
                          face_guidance_to_string(why), (double) res->analysis.quality.score,
                          res->analysis.n_faces, res->analysis.n_faces == 1 ? "" : "s");
}

static void done(struct lsd_work *w) {
        struct lsd_analysis *a = (struct lsd_analysis *) w;
        a->done(a->d, a->m, &a->res, a->userdata);
        analysis_free(a);
}

static void submit(struct lsd_analysis *a) {
        /* The sources go before the fd: closing it first would leave its epoll registration behind
         * (the bus message holds another descriptor of the same pipe). */
        a->io = sd_event_source_disable_unref(a->io);
        a->deadline = sd_event_source_disable_unref(a->deadline);
        if (!a->regular)
                a->fd = safe_close(a->fd);
        a->submitted = true;
        lsd_work_submit(a->d->work, &a->work);
}

/* Ends a job that never reached a worker: its caller gets the error now. */
static void fail_early(struct lsd_analysis *a, int error, const char *why) {
        set_error(&a->res, error, LSD_ERROR_INVALID_IMAGE, "Cannot read the image: %s", why);
        done(&a->work);
}

static int on_deadline(sd_event_source *es, uint64_t usec, void *userdata) {
        fail_early(userdata, -ETIMEDOUT, "the writer did not finish in time");
        return 0;
}

static int on_readable(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        struct lsd_analysis *a = userdata;
        struct lsd_daemon *d = a->d;

        if (a->size == a->cap) {
                size_t cap = a->cap ? MIN(a->cap * 2, (size_t) LSD_IMAGE_MAX_BYTES + 1) : 65536;
                if (a->cap > LSD_IMAGE_MAX_BYTES) {
                        fail_early(a, -EFBIG, "larger than 16 MiB");
                        return 0;
                }
                if (d->analysis_buffered - a->cap + cap > LSD_ANALYSIS_MAX_BUFFERED) {
                        set_error(&a->res, -ENOBUFS, LSD_ERROR_LIMIT, "%s",
                                  "Too many images being read at once, try again later");
                        done(&a->work);
                        return 0;
                }
                uint8_t *p = realloc(a->data, cap);
                if (!p) {
                        fail_early(a, -ENOMEM, "out of memory");
                        return 0;
                }
                d->analysis_buffered += cap - a->cap;
                a->data = p;
                a->cap = cap;
        }
        ssize_t n = read(fd, a->data + a->size, a->cap - a->size);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n < 0) {
                fail_early(a, -errno, strerror(errno));
                return 0;
        }
        if (n > 0) {
                a->size += (size_t) n;
                return 0;
        }
        if (a->size > LSD_IMAGE_MAX_BYTES) {
                fail_early(a, -EFBIG, "larger than 16 MiB");
                return 0;
        }
        submit(a);
        return 0;
}

int lsd_analysis_start(struct lsd_daemon *d, sd_bus_message *m, int fd, bool want_embedding,
                       lsd_analysis_done_t done_cb, void *userdata, sd_bus_error *ret_error) {
        const char *sender = sd_bus_message_get_sender(m);
        unsigned total = 0, mine = 0;
        struct lsd_analysis *a;
        struct stat st;
        int r;

        for (a = d->analyses; a; a = a->next) {
                total++;
                mine += streq_ptr(a->sender, sender);
        }
        if (total >= LSD_ANALYSIS_MAX)
                return sd_bus_error_setf(ret_error, LSD_ERROR_LIMIT, "At most %u images are analysed at once",
                                         LSD_ANALYSIS_MAX);
        if (mine >= LSD_ANALYSIS_MAX_PER_SENDER)
                return sd_bus_error_setf(ret_error, LSD_ERROR_LIMIT, "At most %u images per caller at once",
                                         LSD_ANALYSIS_MAX_PER_SENDER);
        if (fstat(fd, &st) < 0)
                return sd_bus_error_set_errnof(ret_error, errno, "Cannot read the image: %m");
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
                return sd_bus_error_set(ret_error, LSD_ERROR_INVALID_IMAGE,
                                        "Cannot read the image: not a file, pipe or socket");

        a = calloc(1, sizeof(*a));
        if (!a)
                return -ENOMEM;
        *a = (struct lsd_analysis) {
                .work = { .run = run, .done = done },
                .d = d,
                .m = sd_bus_message_ref(m),
                .fd = fcntl(fd, F_DUPFD_CLOEXEC, 3),
                .regular = S_ISREG(st.st_mode),
                .want_embedding = want_embedding,
                .quality = d->quality,
                .max_pixels = d->cfg.max_image_pixels,
                .reference = d->reference,
                .done = done_cb,
                .userdata = userdata,
                .res.engine = lsd_engine_ref(d->engine),
                .next = d->analyses,
        };
        d->analyses = a;
        a->sender = sender ? strdup(sender) : NULL;
        if (a->fd < 0 || (sender && !a->sender)) {
                r = a->fd < 0 ? -errno : -ENOMEM;
                analysis_free(a);
                return r;
        }
        if (a->regular) {
                submit(a);
                return 0;
        }
        /* A pipe or socket: never read blocking on the loop (the caller may read the same pipe too). */
        r = fcntl(a->fd, F_SETFL, fcntl(a->fd, F_GETFL) | O_NONBLOCK) < 0 ? -errno : 0;
        if (r >= 0)
                r = sd_event_add_io(d->event, &a->io, a->fd, EPOLLIN, on_readable, a);
        if (r >= 0)
                r = sd_event_add_time_relative(d->event, &a->deadline, CLOCK_MONOTONIC,
                                               LSD_ANALYSIS_READ_DEADLINE_USEC, 0, on_deadline, a);
        if (r < 0) {
                analysis_free(a);
                return r;
        }
        return 0;
}

void lsd_analysis_abort_all(struct lsd_daemon *d) {
        struct lsd_analysis *a = d->analyses;

        while (a) {
                struct lsd_analysis *next = a->next;
                if (!a->submitted)
                        fail_early(a, -ESHUTDOWN, "the service is stopping");
                a = next;
        }
}

int lsd_analysis_reply_error(sd_bus_message *m, const struct lsd_analysis_result *res) {
        return sd_bus_reply_method_errorf(m, res->error_name ?: LSD_ERROR_ENGINE, "%s", res->message);
}
