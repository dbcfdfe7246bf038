/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Library code (v4l2/, gpu/) never logs above debug level: it returns
 * negative errno and lets the caller decide. Debug lines go to stderr
 * when LANESIGHT_DEBUG is set in the environment; svc/ replaces this with
 * the journal. errno is preserved so callers may still use %m afterwards.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define ls_debug(fmt, ...)                                                      \
        do {                                                                    \
                int _saved_errno_ = errno;                                      \
                if (getenv("LANESIGHT_DEBUG"))                                  \
                        fprintf(stderr, "<7>%s:%d: " fmt "\n", __FILE__,       \
                                __LINE__, ##__VA_ARGS__);                       \
                errno = _saved_errno_;                                          \
        } while (0)

/* Logs at debug level and returns r (a negative errno), for terse error paths. */
#define ls_debug_errno(r, fmt, ...)                                             \
        ({                                                                      \
                int _r_ = (r);                                                  \
                errno = _r_ < 0 ? -_r_ : _r_;                                   \
                ls_debug(fmt, ##__VA_ARGS__);                                   \
                _r_ < 0 ? _r_ : -_r_;                                           \
        })
