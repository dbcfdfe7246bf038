/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <libgen.h>
#include <linux/videodev2.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "common/macro.h"
#include "face/image.h"
#include "face/reference.h"
#include "svc/config.h"

static const char *const backend_names[_LSD_BACKEND_MAX] = {
        [LSD_BACKEND_AUTO] = "auto",
        [LSD_BACKEND_VULKAN] = "vulkan",
        [LSD_BACKEND_OPENCL] = "opencl",
        [LSD_BACKEND_CPU] = "cpu",
};

const char *lsd_backend_to_string(enum lsd_backend b) {
        return b >= 0 && b < _LSD_BACKEND_MAX ? backend_names[b] : NULL;
}

enum lsd_backend lsd_backend_from_string(const char *s) {
        for (int i = 0; s && i < _LSD_BACKEND_MAX; i++)
                if (streq(s, backend_names[i]))
                        return i;
        return _LSD_BACKEND_INVALID;
}

int lsd_config_init(struct lsd_config *c) {
        *c = (struct lsd_config) {
                .width = 1280, .height = 720, .fps = 30, .buffers = 4,
                .backend = LSD_BACKEND_AUTO,
                .detection_threshold = 0.5f,
                .embedder_bgr = true, .embedder_mean = 127.0f, .embedder_std = 128.0f,
                .min_inter_eye = 60, .max_inter_eye = 300, .max_yaw = 15, .max_pitch = 20, .max_roll = 12,
                .min_sharpness = 30,
                .match_threshold = 0.284f,
                .gallery_ttl_usec = UINT64_C(12) * 3600 * 1000000,
                .gallery_max = 100000,
                .candidates = 5,
                .session_timeout_usec = UINT64_C(120) * 1000000,
                .sessions_per_caller = 4,
                .max_sessions = 64,
                .sessions_per_user = 16,
                .max_image_pixels = FACE_IMAGE_MAX_PIXELS,
                .min_reference_quality = FACE_REFERENCE_MIN_QUALITY_DEFAULT,
                .min_reference_detection_score = FACE_REFERENCE_MIN_DETECTION_SCORE_DEFAULT,
                .log_level = LOG_INFO,
        };
        c->model_directory = strdup(LANESIGHT_MODELDIR);
        c->detector = strdup("blazeface-front-128");
        c->embedder = strdup("fr-feature-112");
        if (!c->model_directory || !c->detector || !c->embedder) {
                lsd_config_done(c);
                return -ENOMEM;
        }
        return 0;
}

void lsd_config_done(struct lsd_config *c) {
        if (!c)
                return;
        free(c->camera_device);
        free(c->backend_device);
        free(c->model_directory);
        free(c->detector);
        free(c->embedder);
        free(c->embedder_id);
        *c = (struct lsd_config) { 0 };
}

/* ---- value parsers: 0 or a short reason ------------------------------- */

typedef const char *(*parse_fn)(const char *v, void *dst, const void *arg);

struct range {
        double min, max;
};

static const char *parse_string(const char *v, void *dst, const void *arg) {
        char **s = dst;
        if (!*v)
                return "must not be empty";
        char *n = strdup(v);
        if (!n)
                return "out of memory";
        free(*s);
        *s = n;
        return NULL;
}

static const char *parse_string_or_empty(const char *v, void *dst, const void *arg) {
        char **s = dst;
        char *n = NULL;
        if (*v && !(n = strdup(v)))
                return "out of memory";
        free(*s);
        *s = n;
        return NULL;
}

static const char *parse_u32(const char *v, void *dst, const void *arg) {
        const struct range *r = arg;
        char *end;
        errno = 0;
        unsigned long long x = strtoull(v, &end, 10);
        if (errno || end == v || *end || v[0] == '-')
                return "not a whole number";
        if (x < r->min || x > r->max)
                return "out of range";
        *(uint32_t *) dst = (uint32_t) x;
        return NULL;
}

static const char *parse_float(const char *v, void *dst, const void *arg) {
        const struct range *r = arg;
        char *end;
        errno = 0;
        double x = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(x))
                return "not a number";
        if (x < r->min || x > r->max)
                return "out of range";
        *(float *) dst = (float) x;
        return NULL;
}

static const char *parse_bool(const char *v, void *dst, const void *arg) {
        static const char *const yes[] = { "1", "yes", "true", "on" }, *const no[] = { "0", "no", "false", "off" };
        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(v, yes[i]) == 0) {
                        *(bool *) dst = true;
                        return NULL;
                }
                if (strcasecmp(v, no[i]) == 0) {
                        *(bool *) dst = false;
                        return NULL;
                }
        }
        return "not a boolean (yes/no)";
}

static const char *parse_size(const char *v, void *dst, const void *arg) {
        struct lsd_config *c = dst;
        unsigned w, h;
        char tail;
        if (sscanf(v, "%ux%u%c", &w, &h, &tail) != 2 || w < 16 || h < 16 || w > 16384 || h > 16384)
                return "not a size WIDTHxHEIGHT (16..16384)";
        c->width = w;
        c->height = h;
        return NULL;
}

static const char *parse_fourccs(const char *v, void *dst, const void *arg) {
        struct lsd_config *c = dst;
        _cleanup_free_ char *copy = strdup(v);
        char *save = NULL;
        size_t n = 0;

        if (!copy)
                return "out of memory";
        for (char *tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
                size_t len = strlen(tok);
                if (len < 1 || len > 4)
                        return "a format is a fourcc of up to 4 characters (YUYV, NV12, MJPG...)";
                if (n >= LSD_CONFIG_FOURCCS_MAX)
                        return "too many formats";
                char f[4] = { ' ', ' ', ' ', ' ' };
                memcpy(f, tok, len);
                c->fourccs[n++] = v4l2_fourcc(f[0], f[1], f[2], f[3]);
        }
        c->n_fourccs = n;
        return NULL;
}

static const char *parse_roi(const char *v, void *dst, const void *arg) {
        struct lsd_config *c = dst;
        unsigned x, y, w, h;
        char tail;
        if (!*v) {
                c->roi_set = false;
                return NULL;
        }
        if (sscanf(v, "%u,%u,%u,%u%c", &x, &y, &w, &h, &tail) != 4 || w < 16 || h < 16 || x > 16384 || y > 16384 ||
            w > 16384 || h > 16384)
                return "not a region X,Y,WIDTH,HEIGHT (at least 16x16)";
        c->roi_set = true;
        c->roi[0] = x;
        c->roi[1] = y;
        c->roi[2] = w;
        c->roi[3] = h;
        return NULL;
}

static const char *parse_timespan_key(const char *v, void *dst, const void *arg) {
        const struct range *r = arg;
        uint64_t us;
        if (lsd_parse_timespan(v, &us) < 0)
                return "not a time span (e.g. 30s, 5min, 12h)";
        if (us < r->min || us > r->max)
                return "out of range";
        *(uint64_t *) dst = us;
        return NULL;
}

static const char *parse_backend(const char *v, void *dst, const void *arg) {
        enum lsd_backend b = lsd_backend_from_string(v);
        if (b < 0)
                return "not one of auto, vulkan, opencl, cpu";
        *(enum lsd_backend *) dst = b;
        return NULL;
}

static const char *parse_channel_order(const char *v, void *dst, const void *arg) {
        if (strcasecmp(v, "BGR") == 0)
                *(bool *) dst = true;
        else if (strcasecmp(v, "RGB") == 0)
                *(bool *) dst = false;
        else
                return "not RGB or BGR";
        return NULL;
}

static const char *parse_log_level(const char *v, void *dst, const void *arg) {
        static const char *const names[] = { "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" };
        for (int i = 0; i < (int) ELEMENTSOF(names); i++)
                if (strcasecmp(v, names[i]) == 0 || (v[0] == '0' + i && v[1] == 0)) {
                        *(int *) dst = i;
                        return NULL;
                }
        if (strcasecmp(v, "error") == 0) {
                *(int *) dst = LOG_ERR;
                return NULL;
        }
        return "not a log level (emerg..debug or 0..7)";
}

/* ---- the key table ---------------------------------------------------- */

#define FIELD(f) offsetof(struct lsd_config, f)
#define WHOLE SIZE_MAX  /* the parser takes the whole struct */

static const struct range r_buffers = { 2, 32 }, r_fps = { 1, 240 }, r_threads = { 0, 256 },
                          r_unit = { 0, 1 }, r_cos = { -1, 1 }, r_px = { 1, 10000 }, r_deg = { 0, 90 },
                          r_sharp = { 0, 1e9 }, r_ttl = { 1e6, 30.0 * 24 * 3600 * 1e6 },
                          r_timeout = { 1e6, 24.0 * 3600 * 1e6 }, r_gallery = { 1, 10000000 }, r_k = { 1, 100 },
                          r_sessions = { 1, 64 }, r_sessions_total = { 1, 4096 },
                          r_pixels = { 256, 16384.0 * 16384 }, r_percent = { 0, 100 }, r_mean = { -1000, 1000 },
                          r_std = { 1e-6, 1e6 };

static const struct config_key {
        const char *section, *name;
        parse_fn parse;
        size_t offset;
        const void *arg;
} keys[] = {
        { "Camera", "Device", parse_string, FIELD(camera_device), NULL },
        { "Camera", "Size", parse_size, WHOLE, NULL },
        { "Camera", "FrameRate", parse_u32, FIELD(fps), &r_fps },
        { "Camera", "Formats", parse_fourccs, WHOLE, NULL },
        { "Camera", "Buffers", parse_u32, FIELD(buffers), &r_buffers },
        { "Camera", "RegionOfInterest", parse_roi, WHOLE, NULL },
        { "Camera", "Loop", parse_bool, FIELD(loop), NULL },
        { "Pipeline", "Backend", parse_backend, FIELD(backend), NULL },
        { "Pipeline", "Device", parse_string_or_empty, FIELD(backend_device), NULL },
        { "Pipeline", "Threads", parse_u32, FIELD(threads), &r_threads },
        { "Pipeline", "ModelDirectory", parse_string, FIELD(model_directory), NULL },
        { "Pipeline", "Detector", parse_string, FIELD(detector), NULL },
        { "Pipeline", "Embedder", parse_string, FIELD(embedder), NULL },
        { "Pipeline", "EmbedderId", parse_string_or_empty, FIELD(embedder_id), NULL },
        { "Pipeline", "EmbedderChannelOrder", parse_channel_order, FIELD(embedder_bgr), NULL },
        { "Pipeline", "EmbedderMean", parse_float, FIELD(embedder_mean), &r_mean },
        { "Pipeline", "EmbedderStd", parse_float, FIELD(embedder_std), &r_std },
        { "Pipeline", "DetectionThreshold", parse_float, FIELD(detection_threshold), &r_unit },
        { "Quality", "MinInterEyeDistance", parse_float, FIELD(min_inter_eye), &r_px },
        { "Quality", "MaxInterEyeDistance", parse_float, FIELD(max_inter_eye), &r_px },
        { "Quality", "MaxYaw", parse_float, FIELD(max_yaw), &r_deg },
        { "Quality", "MaxPitch", parse_float, FIELD(max_pitch), &r_deg },
        { "Quality", "MaxRoll", parse_float, FIELD(max_roll), &r_deg },
        { "Quality", "MinSharpness", parse_float, FIELD(min_sharpness), &r_sharp },
        { "Quality", "MinReferenceQuality", parse_float, FIELD(min_reference_quality), &r_percent },
        { "Quality", "MinReferenceDetectionScore", parse_float, FIELD(min_reference_detection_score), &r_unit },
        { "Matching", "Threshold", parse_float, FIELD(match_threshold), &r_cos },
        { "Matching", "GalleryTimeToLive", parse_timespan_key, FIELD(gallery_ttl_usec), &r_ttl },
        { "Matching", "GalleryMaxEntries", parse_u32, FIELD(gallery_max), &r_gallery },
        { "Matching", "Candidates", parse_u32, FIELD(candidates), &r_k },
        { "Session", "Timeout", parse_timespan_key, FIELD(session_timeout_usec), &r_timeout },
        { "Session", "MaxPerCaller", parse_u32, FIELD(sessions_per_caller), &r_sessions },
        { "Session", "MaxPerUser", parse_u32, FIELD(sessions_per_user), &r_sessions_total },
        { "Session", "MaxSessions", parse_u32, FIELD(max_sessions), &r_sessions_total },
        { "Limits", "MaxImagePixels", parse_u32, FIELD(max_image_pixels), &r_pixels },
        { "Log", "Level", parse_log_level, FIELD(log_level), NULL },
};

/* ---- parsing ---------------------------------------------------------- */

struct parse_state {
        struct lsd_config *cfg;
        const char *path;
        unsigned line;                  /* 0 while libinih parses: it tells the line of the first error */
        char *err;
        size_t errlen;
        bool failed;
        char reason[256];
};

/* The first error is the one reported; "FILE:LINE: " goes before it once the line is known. */
static _printf_(2, 3) void set_error(struct parse_state *s, const char *fmt, ...) {
        va_list ap;

        if (s->failed)
                return;
        s->failed = true;
        va_start(ap, fmt);
        vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
        va_end(ap);
        if (s->line > 0)
                snprintf(s->err, s->errlen, "%s:%u: %s", s->path, s->line, s->reason);
}

static int on_key(struct parse_state *s, const char *section, const char *name, const char *value) {
        bool section_known = false;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (!streq(section, keys[i].section))
                        continue;
                section_known = true;
                if (!streq(name, keys[i].name))
                        continue;
                void *dst = keys[i].offset == WHOLE ? (void *) s->cfg : (uint8_t *) s->cfg + keys[i].offset;
                const char *why = keys[i].parse(value, dst, keys[i].arg);
                if (why) {
                        /* The value is not echoed: a path or id could be long; the key says enough. */
                        set_error(s, "[%s] %s=: %s", section, name, why);
                        return -EINVAL;
                }
                return 0;
        }
        if (!section[0])
                set_error(s, "%s= outside a [Section]", name);
        else if (!section_known)
                set_error(s, "unknown section [%s]", section);
        else
                set_error(s, "[%s] %s=: unknown key", section, name);
        return -EINVAL;
}


static int on_ini_key(void *userdata, const char *section, const char *name, const char *value) {
        struct parse_state *s = userdata;

        if (!name[0]) {         /* "=value": libinih passes an empty name on */
                set_error(s, "syntax error (expected [Section] or Key=Value)");
                return 0;
        }
        return on_key(s, section, name, value) >= 0;
}

/*
 * libinih parses, after a pass of our own: libinih (as Debian builds it)
 * reads a line into a 200-byte buffer and silently splits a longer one, so
 * that the tail of a long comment became a setting of its own and line
 * numbers went wrong. Lines longer than LSD_CONFIG_LINE_MAX (the text, its
 * newline and the NUL fit that buffer) and NUL bytes are refused first,
 * naming the true line; then every line reaches libinih whole.
 */
static int parse_buffer(struct parse_state *s, char *buf, size_t size) {
        size_t pos = 0;
        int r;

        /* A UTF-8 byte order mark is tolerated (libinih skips it too). */
        if (size >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
                pos = 3;
        for (s->line = 1; pos < size; s->line++) {
                const char *nl = memchr(buf + pos, '\n', size - pos);
                size_t len = (nl ? (size_t) (nl - buf) : size) - pos;

                if (len > LSD_CONFIG_LINE_MAX) {
                        set_error(s, "line longer than %u bytes", LSD_CONFIG_LINE_MAX);
                        return -EINVAL;
                }
                if (memchr(buf + pos, 0, len)) {
                        set_error(s, "NUL byte in line");
                        return -EINVAL;
                }
                pos += len + 1;
        }
        s->line = 0;
        buf[size] = 0;
        r = ini_parse_string(buf, on_ini_key, s);
        if (r == 0 && !s->failed)
                return 0;
        if (r <= 0) {           /* no line to blame (r < 0: libinih's own failure) */
                snprintf(s->err, s->errlen, "%s: %s", s->path, s->failed ? s->reason : "cannot be parsed");
                return -EINVAL;
        }
        snprintf(s->err, s->errlen, "%s:%d: %s", s->path, r,
                 s->failed ? s->reason : "syntax error (expected [Section] or Key=Value)");
        return -EINVAL;
}

/*
 * Opened non-blocking and checked with fstat before reading: a directory,
 * device or FIFO named as the configuration fails at once instead of
 * reading endlessly (/dev/zero) or waiting for a writer (a FIFO).
 */
static int read_config_file(const char *path, char **ret, size_t *ret_size, char *err, size_t errlen) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        struct stat st;
        size_t got = 0;
        ssize_t n;

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                snprintf(err, errlen, "%s: not a regular file (%s)", path,
                         S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                         S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a socket or other special file");
                return -EINVAL;
        }
        if (st.st_size > LSD_CONFIG_FILE_MAX) {
                snprintf(err, errlen, "%s: larger than %u bytes", path, LSD_CONFIG_FILE_MAX);
                return -EINVAL;
        }
        _cleanup_free_ char *buf = malloc((size_t) st.st_size + 1);
        if (!buf)
                return -ENOMEM;
        /* Never past the size fstat gave: the file may grow meanwhile. A regular file reads in one call
         * unless interrupted; a short read is a file that shrank, and what was read is parsed. */
        do
                n = read(fd, buf + got, (size_t) st.st_size - got);
        while ((n > 0 && (got += (size_t) n) < (size_t) st.st_size) || (n < 0 && errno == EINTR));
        if (n < 0)
                return -errno;
        buf[got] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = got;
        return 0;
}

static int parse_file(const char *path, struct lsd_config *cfg, char *err, size_t errlen) {
        struct parse_state s = { .cfg = cfg, .path = path, .err = err, .errlen = errlen };
        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        int r;

        r = read_config_file(path, &buf, &size, err, errlen);
        if (r < 0)
                return r;
        return parse_buffer(&s, buf, size);
}

int lsd_config_parse_text(const char *name, const char *text, size_t size, struct lsd_config *cfg, char *err,
                          size_t errlen) {
        struct parse_state s = { .cfg = cfg, .path = name, .err = err, .errlen = errlen };
        int r;

        if (!name || (!text && size) || !cfg || !err || errlen == 0 || size > LSD_CONFIG_FILE_MAX)
                return -EINVAL;
        err[0] = 0;
        _cleanup_free_ char *buf = malloc(size + 1);
        if (!buf)
                return -ENOMEM;
        if (size)
                memcpy(buf, text, size);
        buf[size] = 0;
        r = parse_buffer(&s, buf, size);
        if (r >= 0)
                r = lsd_config_validate(cfg, name, err, errlen);
        return r;
}

/* Drop-ins sort by file name across both directories, like systemd's. */
static int cmp_basename(const void *a, const void *b) {
        const char *x = *(char *const *) a, *y = *(char *const *) b;
        int c = strcmp(strrchr(x, '/') + 1, strrchr(y, '/') + 1);
        return c ? c : strcmp(x, y);
}

static int collect_dropins(const char *dir, char ***names, size_t *n) {
        struct dirent *e;
        DIR *d = opendir(dir);
        int r = 0;

        if (!d)
                return errno == ENOENT ? 0 : -errno;
        while ((e = readdir(d))) {
                size_t len = strlen(e->d_name);
                if (e->d_name[0] == '.' || len < 6 || !streq(e->d_name + len - 5, ".conf"))
                        continue;
                char **p = realloc(*names, (*n + 1) * sizeof(char *));
                if (!p) {
                        r = -ENOMEM;
                        break;
                }
                *names = p;
                if (asprintf(&(*names)[*n], "%s/%s", dir, e->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                (*n)++;
        }
        closedir(d);
        return r;
}

/* FILE.d/NAME.conf (systemd style) and conf.d/NAME.conf beside FILE. */
static int parse_dropins(const char *path, struct lsd_config *cfg, char *err, size_t errlen) {
        _cleanup_free_ char *dir1 = NULL, *dir2 = NULL, *copy = strdup(path);
        char **names = NULL;
        size_t n = 0;
        int r;

        if (!copy || asprintf(&dir1, "%s.d", path) < 0 || asprintf(&dir2, "%s/conf.d", dirname(copy)) < 0)
                return -ENOMEM;
        r = collect_dropins(dir1, &names, &n);
        if (r >= 0)
                r = collect_dropins(dir2, &names, &n);
        if (r >= 0 && n > 0)
                qsort(names, n, sizeof(char *), cmp_basename);
        for (size_t i = 0; i < n; i++) {
                if (r >= 0) {
                        r = parse_file(names[i], cfg, err, errlen);
                        if (r < 0 && r != -EINVAL)
                                snprintf(err, errlen, "%s: %s", names[i], strerror(-r));
                }
                free(names[i]);
        }
        free(names);
        return r;
}

int lsd_config_validate(const struct lsd_config *c, const char *path, char *err, size_t errlen) {
        if (c->min_inter_eye >= c->max_inter_eye) {
                snprintf(err, errlen, "%s: [Quality] MinInterEyeDistance= must be below MaxInterEyeDistance=", path);
                return -EINVAL;
        }
        /* A tighter limit inside a looser one, or the looser one could never be reached. */
        if (c->sessions_per_caller > c->sessions_per_user || c->sessions_per_user > c->max_sessions) {
                snprintf(err, errlen, "%s: [Session] MaxPerCaller= must not exceed MaxPerUser=, nor that MaxSessions=",
                         path);
                return -EINVAL;
        }
        if (c->roi_set && (c->roi[0] + c->roi[2] > c->width || c->roi[1] + c->roi[3] > c->height)) {
                snprintf(err, errlen, "%s: [Camera] RegionOfInterest= lies outside Size=%ux%u", path, c->width,
                         c->height);
                return -EINVAL;
        }
        return 0;
}

int lsd_config_load(const char *path, bool required, struct lsd_config *ret, char *err, size_t errlen) {
        struct lsd_config c;
        int r;

        if (!path || !ret || !err || errlen == 0)
                return -EINVAL;
        err[0] = 0;
        r = lsd_config_init(&c);
        if (r < 0)
                return r;
        r = parse_file(path, &c, err, errlen);
        if (r == -ENOENT && !required)
                r = 0;
        else if (r < 0 && r != -EINVAL)
                snprintf(err, errlen, "%s: %s", path, strerror(-r));
        if (r >= 0)
                r = parse_dropins(path, &c, err, errlen);
        if (r >= 0)
                r = lsd_config_validate(&c, path, err, errlen);
        if (r < 0) {
                lsd_config_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int lsd_parse_timespan(const char *s, uint64_t *ret_usec) {
        static const struct { const char *suffix; uint64_t usec; } units[] = {
                { "ms", 1000 }, { "s", 1000000 }, { "sec", 1000000 }, { "min", 60000000 }, { "m", 60000000 },
                { "h", UINT64_C(3600000000) }, { "d", UINT64_C(86400000000) }, { "us", 1 },
        };
        uint64_t total = 0;
        bool any = false;

        if (!s)
                return -EINVAL;
        while (*s) {
                while (isspace((unsigned char) *s))
                        s++;
                if (!*s)
                        break;
                if (!isdigit((unsigned char) *s))
                        return -EINVAL;
                char *end;
                errno = 0;
                unsigned long long v = strtoull(s, &end, 10);
                if (errno)
                        return -ERANGE;
                s = end;
                size_t len = 0;
                while (isalpha((unsigned char) s[len]))
                        len++;
                uint64_t mul = 0;
                if (len == 0)
                        mul = 1000000;  /* bare numbers are seconds */
                for (size_t i = 0; i < ELEMENTSOF(units) && !mul; i++)
                        if (strlen(units[i].suffix) == len && strncmp(s, units[i].suffix, len) == 0)
                                mul = units[i].usec;
                if (!mul)
                        return -EINVAL;
                uint64_t part;
                if (__builtin_mul_overflow((uint64_t) v, mul, &part) || __builtin_add_overflow(total, part, &total))
                        return -ERANGE;
                s += len;
                any = true;
        }
        if (!any)
                return -EINVAL;
        *ret_usec = total;
        return 0;
}
