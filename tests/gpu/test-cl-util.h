/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the OpenCL tests: a context on any device (skip when none), temp cache dirs. */

#include <dirent.h>
#include <stdlib.h>

#include "gpu/cl/cl-internal.h"
#include "tests/test.h"

/* Creates a context or skips the case when the machine has no OpenCL device. */
static inline struct gpu_cl_ctx *test_cl_ctx(const struct gpu_cl_ctx_params *p) {
        struct gpu_cl_ctx *ctx = NULL;
        int r = gpu_cl_ctx_new(p, &ctx);
        if (r == -ENODEV)
                test_skip("no OpenCL device");
        ASSERT_OK(r);
        return ctx;
}

/* A fresh private directory for a program cache. */
static inline char *test_cl_tmpdir(void) {
        char *d = strdup("/tmp/lanesight-cl-test-XXXXXX");
        ASSERT_TRUE(d);
        ASSERT_TRUE(mkdtemp(d));
        return d;
}

/* Removes a flat directory made by test_cl_tmpdir() and frees its name. */
static inline void test_cl_rmdir(char *d) {
        if (!d)
                return;
        DIR *dir = opendir(d);
        if (dir) {
                struct dirent *de;
                while ((de = readdir(dir)))
                        if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                                (void) unlinkat(dirfd(dir), de->d_name, 0);
                closedir(dir);
        }
        (void) rmdir(d);
        free(d);
}

static inline void test_cl_rmdirp(char **d) {
        test_cl_rmdir(*d);
        *d = NULL;
}
#define _cleanup_tmpdir_ _cleanup_(test_cl_rmdirp)

/* Counts the entries of a directory. */
static inline int test_cl_count_files(const char *d, const char *suffix) {
        DIR *dir = opendir(d);
        int n = 0;
        ASSERT_TRUE(dir);
        struct dirent *de;
        while ((de = readdir(dir))) {
                size_t l = strlen(de->d_name), s = strlen(suffix);
                if (l > s && streq(de->d_name + l - s, suffix))
                        n++;
        }
        closedir(dir);
        return n;
}
