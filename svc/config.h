/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lanesightd's configuration: /etc/lanesight/lanesightd.conf plus drop-ins
 * /etc/lanesight/lanesightd.conf.d/NAME.conf (in name order, later wins),
 * systemd-style INI parsed with libinih after a check of our own (regular
 * files only, whole lines up to LSD_CONFIG_LINE_MAX bytes), every key
 * validated. An unknown
 * section or key, or a bad value, fails the whole load with a message that
 * names file, line and key; the caller keeps its previous configuration
 * (SIGHUP reloads are all-or-nothing). Keys are documented in
 * lanesightd.conf(5) (docs/lanesightd.conf.5).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LSD_CONFIG_PATH_DEFAULT "/etc/lanesight/lanesightd.conf"
#define LSD_CONFIG_FOURCCS_MAX 8
/*
 * Longer lines are refused, never split or cut: libinih reads a line into a
 * 200-byte buffer (INI_MAX_LINE as Debian builds it), which holds 198
 * characters, the newline and the NUL.
 */
#define LSD_CONFIG_LINE_MAX 198u
#define LSD_CONFIG_FILE_MAX (1u << 20)

enum lsd_backend {
        LSD_BACKEND_AUTO,
        LSD_BACKEND_VULKAN,
        LSD_BACKEND_OPENCL,
        LSD_BACKEND_CPU,
        _LSD_BACKEND_MAX,
        _LSD_BACKEND_INVALID = -22,
};

const char *lsd_backend_to_string(enum lsd_backend b);
enum lsd_backend lsd_backend_from_string(const char *s);

struct lsd_config {
        /* [Camera] */
        char *camera_device;            /* node, /dev/v4l/by-id|by-path name, or file:PATH.y4m; NULL: first found */
        uint32_t width, height;         /* preferred size */
        uint32_t fps;
        uint32_t fourccs[LSD_CONFIG_FOURCCS_MAX];       /* preference order; empty: built-in order */
        size_t n_fourccs;
        uint32_t buffers;
        bool roi_set;
        uint32_t roi[4];                /* x, y, w, h */
        bool loop;                      /* file sources: start again at the end */

        /* [Pipeline] */
        enum lsd_backend backend;
        char *backend_device;           /* backend device selector */
        uint32_t threads;               /* CPU threads, 0 = all */
        char *model_directory;
        char *detector;                 /* model id (file in model_directory) or absolute path */
        char *embedder;
        char *embedder_id;              /* NULL: derived from the embedder's name */
        bool embedder_bgr;              /* channel order of the embedder's input (fr_feature: BGR) */
        float embedder_mean, embedder_std;      /* input = (pixel - mean) / std */
        float detection_threshold;

        /* [Quality] */
        float min_inter_eye, max_inter_eye, max_yaw, max_pitch, max_roll, min_sharpness;
        float min_reference_quality;            /* 0..100: below it a reference photo is poor */
        float min_reference_detection_score;    /* 0..1: a weaker detection makes it poor */

        /* [Matching] */
        float match_threshold;
        uint64_t gallery_ttl_usec;
        uint32_t gallery_max;
        uint32_t candidates;            /* default k for Identify */

        /* [Session] */
        uint64_t session_timeout_usec;
        uint32_t sessions_per_caller;   /* per bus peer */
        uint32_t sessions_per_user;     /* per uid, all its peers together */
        uint32_t max_sessions;          /* all callers together */

        /* [Limits] */
        uint32_t max_image_pixels;      /* reference photos: width * height, checked from the header */

        /* [Log] */
        int log_level;                  /* syslog level, LOG_INFO by default */
};

/* Fills the built-in defaults (strings duplicated). -ENOMEM. */
int lsd_config_init(struct lsd_config *c);
void lsd_config_done(struct lsd_config *c);

/*
 * Loads path and then path + ".d/ *.conf" on top of the defaults. A missing
 * main file is not an error (defaults apply) unless required is true.
 * On failure, returns -EINVAL (or the errno of a file that cannot be read),
 * leaves *ret untouched, and writes "FILE:LINE: [Section] Key=: reason" into err.
 */
int lsd_config_load(const char *path, bool required, struct lsd_config *ret, char *err, size_t errlen);

/*
 * Parses one configuration text (name stands for the file in messages) on
 * top of *cfg and validates the result; the fuzz target's entry. -EINVAL
 * with err filled as lsd_config_load() does.
 */
int lsd_config_parse_text(const char *name, const char *text, size_t size, struct lsd_config *cfg, char *err,
                          size_t errlen);
/* The checks across keys. -EINVAL with "FILE: reason" in err. */
int lsd_config_validate(const struct lsd_config *c, const char *path, char *err, size_t errlen);

/* Parses a duration: "30", "30s", "500ms", "2min", "12h", "1d", or combinations "1h 30min". */
int lsd_parse_timespan(const char *s, uint64_t *ret_usec);
