/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/macro.h"
#include "face/template.h"
#include "svc/bus-util.h"

int lsd_bus_check_caller(sd_bus_message *m, sd_bus_error *ret_error) {
        sd_bus_creds *creds = NULL;
        const gid_t *gids = NULL;
        uid_t uid;
        gid_t gid;
        int r, n;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
                                      SD_BUS_CREDS_AUGMENT, &creds);
        if (r < 0)
                return sd_bus_error_set_errnof(ret_error, r, "Cannot identify the caller");
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r >= 0 && uid == 0) {
                sd_bus_creds_unref(creds);
                return 0;
        }
        /* getgrnam_r: the group may be added after we started. */
        struct group grp, *res = NULL;
        char buf[4096];
        if (getgrnam_r(LSD_CALLER_GROUP, &grp, buf, sizeof(buf), &res) == 0 && res) {
                if (sd_bus_creds_get_egid(creds, &gid) >= 0 && gid == res->gr_gid) {
                        sd_bus_creds_unref(creds);
                        return 0;
                }
                n = sd_bus_creds_get_supplementary_gids(creds, &gids);
                for (int i = 0; i < n; i++)
                        if (gids[i] == res->gr_gid) {
                                sd_bus_creds_unref(creds);
                                return 0;
                        }
        }
        sd_bus_creds_unref(creds);
        return sd_bus_error_setf(ret_error, LSD_ERROR_ACCESS_DENIED,
                                 "Only root and members of group '%s' may call lanesightd", LSD_CALLER_GROUP);
}

int lsd_bus_read_template(struct lsd_daemon *d, sd_bus_message *m, float *out, sd_bus_error *ret_error) {
        const void *data = NULL;
        size_t size = 0;
        int r;

        r = sd_bus_message_read_array(m, 'y', &data, &size);
        if (r < 0)
                return r;
        size_t dim = face_pipeline_embedding_dim(d->pipeline);
        r = face_template_decode(data, size, face_pipeline_embedder_id(d->pipeline), dim, out, dim, NULL);
        if (r < 0)
                return sd_bus_error_setf(ret_error, LSD_ERROR_INVALID_TEMPLATE, "Template refused: %s",
                                         r == -EMEDIUMTYPE ? "made by another model" :
                                         r == -ERANGE ? "wrong dimension" :
                                         r == -EPROTONOSUPPORT ? "unknown format version" :
                                         "corrupt, truncated or not normalised");
        return 0;
}

#define READ_DEADLINE_MSEC 2000

static int64_t monotonic_msec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads the whole image. This runs on the main loop, so a pipe gets one
 * deadline for the whole read (not per chunk): a writer that dribbles
 * cannot hold the service for longer than READ_DEADLINE_MSEC.
 */
static int read_fd_all(int fd, uint8_t **ret, size_t *ret_size) {
        _cleanup_free_ uint8_t *buf = NULL;
        size_t size = 0, cap = 0;
        int64_t deadline = monotonic_msec() + READ_DEADLINE_MSEC;
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
                return -EBADFD;
        for (;;) {
                if (size == cap) {
                        if (cap >= LSD_IMAGE_MAX_BYTES)
                                return -EFBIG;
                        cap = cap ? MIN(cap * 2, (size_t) LSD_IMAGE_MAX_BYTES) : 65536;
                        uint8_t *p = realloc(buf, cap);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                }
                /* A pipe whose writer never finishes must not block the main loop forever. */
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                int64_t left = deadline - monotonic_msec();
                int pr = left > 0 ? poll(&pfd, 1, (int) left) : 0;
                if (pr == 0)
                        return -ETIMEDOUT;
                if (pr < 0 && errno != EINTR)
                        return -errno;
                ssize_t n = pread(fd, buf + size, cap - size, (off_t) size);
                if (n < 0 && errno == ESPIPE)
                        n = read(fd, buf + size, cap - size);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                size += (size_t) n;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int lsd_bus_analyse_image_fd(struct lsd_daemon *d, int fd, float *ret_embedding, struct face_analysis *ret,
                             sd_bus_error *ret_error) {
        _cleanup_free_ uint8_t *data = NULL;
        struct face_image img = { 0 };
        struct cam_frame frame;
        size_t size = 0;
        int r;

        r = read_fd_all(fd, &data, &size);
        if (r < 0)
                return sd_bus_error_setf(ret_error, LSD_ERROR_INVALID_IMAGE, "Cannot read the image: %s",
                                         r == -EFBIG ? "larger than 16 MiB" :
                                         r == -EBADFD ? "not a file or pipe" : strerror(-r));
        r = face_image_decode(data, size, &img);
        explicit_bzero(data, size);
        if (r < 0)
                return sd_bus_error_setf(ret_error, LSD_ERROR_INVALID_IMAGE, "Cannot decode the image: %s",
                                         r == -EMEDIUMTYPE ? "not a JPEG, PNG or JPEG 2000 image" :
                                         r == -EFBIG ? "too many pixels" : "corrupt or truncated");
        face_pipeline_wrap_image(&img, &frame);
        r = face_pipeline_analyze(d->pipeline, &frame, NULL, ret_embedding, ret);
        explicit_bzero(img.rgb, (size_t) img.width * img.height * 3);
        face_image_done(&img);
        if (r == -ENOENT)
                return sd_bus_error_set(ret_error, LSD_ERROR_NO_FACE, "No face found in the image");
        if (r < 0)
                return sd_bus_error_setf(ret_error, LSD_ERROR_ENGINE, "Face analysis failed: %s", strerror(-r));
        return 0;
}

static int append_double(sd_bus_message *m, const char *key, float v) {
        return sd_bus_message_append(m, "{sv}", key, "d", isfinite(v) ? (double) v : 0.0);
}

int lsd_bus_append_quality(sd_bus_message *m, const struct face_analysis *a) {
        const struct face_quality *q = &a->quality;
        int r;

        r = sd_bus_message_open_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        if ((r = append_double(m, "score", q->score)) < 0 ||
            (r = sd_bus_message_append(m, "{sv}", "guidance", "s", face_guidance_to_string(q->guidance))) < 0 ||
            (r = sd_bus_message_append(m, "{sv}", "faces", "u", a->n_faces)) < 0 ||
            (r = append_double(m, "inter_eye_px", q->ied)) < 0 || (r = append_double(m, "yaw_deg", q->yaw)) < 0 ||
            (r = append_double(m, "pitch_deg", q->pitch)) < 0 || (r = append_double(m, "roll_deg", q->roll)) < 0 ||
            (r = append_double(m, "sharpness", q->sharpness)) < 0 ||
            (r = append_double(m, "mean_luma", q->mean)) < 0 ||
            (r = append_double(m, "dynamic_range", q->range)) < 0)
                return r;
        if (a->n_faces > 0 &&
            (r = sd_bus_message_append(m, "{sv}", "box", "(dddd)", (double) a->face.x0, (double) a->face.y0,
                                       (double) a->face.x1, (double) a->face.y1)) < 0)
                return r;
        return sd_bus_message_close_container(m);
}

int lsd_bus_append_template(struct lsd_daemon *d, sd_bus_message *m, const float *embedding) {
        size_t dim = face_pipeline_embedding_dim(d->pipeline), size = face_template_size(dim);
        _cleanup_free_ uint8_t *buf = malloc(size);
        int r;

        if (!buf)
                return -ENOMEM;
        r = face_template_encode(face_pipeline_embedder_id(d->pipeline), embedding, dim, buf, size);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', buf, size);
        explicit_bzero(buf, size);
        return r;
}
