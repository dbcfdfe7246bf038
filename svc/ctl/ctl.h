/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * lanesightctl: shared state of one invocation and the verbs.
 *
 * Exit codes (documented in lanesightctl(1)): 0 success (compare/verify: a
 * match), 1 no match, 2 usage error, 3 no face or unusable image, 4 the
 * engine failed (models, backend), 5 the service could not be reached.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum {
        CTL_EXIT_OK = 0,
        CTL_EXIT_NO_MATCH = 1,
        CTL_EXIT_USAGE = 2,
        CTL_EXIT_NO_FACE = 3,
        CTL_EXIT_ENGINE = 4,
        CTL_EXIT_SERVICE = 5,
        CTL_EXIT_DENIED = 6,
        CTL_EXIT_REFUSED = 7,
};

struct ctl_options {
        bool json;
        const char *backend;            /* offline commands */
        const char *device;
        const char *models_dir;
        const char *models_searched;    /* where models_dir was looked for, quoted, for messages */
        const char *detector;
        const char *embedder;
        const char *embedder_id;
        float threshold;
        unsigned threads;
        const char *output;             /* template: where the template goes ("-": stdout) */
};

int ctl_template(const struct ctl_options *o, int argc, char **argv);
int ctl_compare(const struct ctl_options *o, int argc, char **argv);

/* Bus verbs: argv[0] is the verb's name, its options follow (getopt). */
int ctl_status(const struct ctl_options *o, int argc, char **argv);
int ctl_cameras(const struct ctl_options *o, int argc, char **argv);
int ctl_watch(const struct ctl_options *o, int argc, char **argv);
int ctl_verify(const struct ctl_options *o, int argc, char **argv);
int ctl_identify(const struct ctl_options *o, int argc, char **argv);
int ctl_gallery(const struct ctl_options *o, int argc, char **argv);

/*
 * Reads the whole file at path, at most max bytes (-EFBIG): a regular file,
 * or a pipe or FIFO until its writer closes it (-ETIMEDOUT when nothing
 * arrives for 5 s). -EISDIR for a directory, -ENODEV for a device or socket.
 * ctl_read_strerror() words these for the user.
 */
int ctl_read_file(const char *path, size_t max, uint8_t **ret, size_t *ret_size);
const char *ctl_read_strerror(int r);

/* JSON output helpers (stdout). */
void ctl_json_string(FILE *f, const char *s);
void ctl_base64(FILE *f, const void *data, size_t size);
