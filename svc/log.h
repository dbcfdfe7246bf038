/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * svc/ logging: one line per decision, at the place that decides. Under
 * systemd (stderr connected to the journal, $JOURNAL_STREAM) entries go to
 * journald with the caller's CODE_FILE/LINE/FUNC, PRIORITY, ERRNO, an optional
 * MESSAGE_ID= (svc/message-ids.h, catalogued in units/lanesight.catalog) and
 * structured LANESIGHT_*= fields; elsewhere to stderr as "<N>message" (the
 * level prefix systemd and syslog understand).
 *
 * No global state: the daemon owns a struct lsd_log and passes it. errno is
 * set from the error before formatting so "%m" works, and preserved.
 *
 * Privacy rule, enforced by review and tests: never pass an image, a
 * template, a score tied to a named person or reference data to these.
 */

#include <stdbool.h>
#include <syslog.h>

#include "common/macro.h"

struct lsd_log {
        int max_level;          /* LOG_ERR .. LOG_DEBUG */
        bool journal;           /* write to journald instead of stderr */
};

/* Level from $LANESIGHT_LOG_LEVEL or LOG_INFO; journal when $JOURNAL_STREAM matches stderr. */
void lsd_log_init(struct lsd_log *log);

/*
 * Logs one entry; fields is NULL or a NULL-terminated list of "KEY=value"
 * strings (KEY upper case, e.g. "LANESIGHT_CAMERA=/dev/video0"). Returns
 * -|error| (or 0 when error is 0), so callers can `return lsd_log_...(...)`.
 */
int lsd_log_full(const struct lsd_log *log, int level, int error, const char *message_id,
                 const char *const *fields, const char *file, int line, const char *func,
                 const char *fmt, ...) _printf_(9, 10);

#define lsd_log_at(log, level, error, id, fields, ...) \
        lsd_log_full(log, level, error, id, fields, __FILE__, __LINE__, __func__, __VA_ARGS__)

#define log_debug(log, ...)              lsd_log_at(log, LOG_DEBUG, 0, NULL, NULL, __VA_ARGS__)
#define log_info(log, ...)               lsd_log_at(log, LOG_INFO, 0, NULL, NULL, __VA_ARGS__)
#define log_notice(log, ...)             lsd_log_at(log, LOG_NOTICE, 0, NULL, NULL, __VA_ARGS__)
#define log_warning(log, ...)            lsd_log_at(log, LOG_WARNING, 0, NULL, NULL, __VA_ARGS__)
#define log_error(log, ...)              lsd_log_at(log, LOG_ERR, 0, NULL, NULL, __VA_ARGS__)
#define log_warning_errno(log, r, ...)   lsd_log_at(log, LOG_WARNING, r, NULL, NULL, __VA_ARGS__)
#define log_error_errno(log, r, ...)     lsd_log_at(log, LOG_ERR, r, NULL, NULL, __VA_ARGS__)
#define log_debug_errno(log, r, ...)     lsd_log_at(log, LOG_DEBUG, r, NULL, NULL, __VA_ARGS__)

/* Structured variants: LSD_FIELDS("LANESIGHT_CAMERA=...", ...) builds the list. */
#define LSD_FIELDS(...) ((const char *const[]) { __VA_ARGS__, NULL })
#define log_struct(log, level, r, id, fields, ...) lsd_log_at(log, level, r, id, fields, __VA_ARGS__)
