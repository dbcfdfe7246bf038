/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
/* CODE_FILE/LINE/FUNC name the caller (lsd_log_at's arguments), not this file: no second set. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "svc/log.h"

#define LOG_FIELDS_MAX 16

static bool stderr_is_journal(void) {
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
}

void lsd_log_init(struct lsd_log *log) {
        const char *lvl = getenv("LANESIGHT_LOG_LEVEL");

        *log = (struct lsd_log) { .max_level = LOG_INFO, .journal = stderr_is_journal() };
        if (lvl && lvl[0] >= '0' && lvl[0] <= '7' && !lvl[1])
                log->max_level = lvl[0] - '0';
        else if (lvl && streq(lvl, "debug"))
                log->max_level = LOG_DEBUG;
}

static int write_journal(int level, int error, const char *message_id, const char *const *fields,
                         const char *file, int line, const char *func, const char *message) {
        char prio[16], code_line[32], err[32], id[64];
        _cleanup_free_ char *msg = NULL, *code_file = NULL, *code_func = NULL;
        struct iovec iov[8 + LOG_FIELDS_MAX];
        size_t n = 0;

        if (asprintf(&msg, "MESSAGE=%s", message) < 0 || asprintf(&code_file, "CODE_FILE=%s", file) < 0 ||
            asprintf(&code_func, "CODE_FUNC=%s", func) < 0)
                return -ENOMEM;
        snprintf(prio, sizeof(prio), "PRIORITY=%d", level);
        snprintf(code_line, sizeof(code_line), "CODE_LINE=%d", line);
        iov[n++] = (struct iovec) { msg, strlen(msg) };
        iov[n++] = (struct iovec) { prio, strlen(prio) };
        iov[n++] = (struct iovec) { code_file, strlen(code_file) };
        iov[n++] = (struct iovec) { code_line, strlen(code_line) };
        iov[n++] = (struct iovec) { code_func, strlen(code_func) };
        iov[n++] = (struct iovec) { (char *) "SYSLOG_IDENTIFIER=lanesightd", strlen("SYSLOG_IDENTIFIER=lanesightd") };
        if (error) {
                snprintf(err, sizeof(err), "ERRNO=%d", abs(error));
                iov[n++] = (struct iovec) { err, strlen(err) };
        }
        if (message_id) {
                snprintf(id, sizeof(id), "MESSAGE_ID=%s", message_id);
                iov[n++] = (struct iovec) { id, strlen(id) };
        }
        for (size_t i = 0; fields && fields[i] && i < LOG_FIELDS_MAX; i++)
                iov[n++] = (struct iovec) { (char *) fields[i], strlen(fields[i]) };
        return sd_journal_sendv(iov, (int) n);
}

int lsd_log_full(const struct lsd_log *log, int level, int error, const char *message_id,
                 const char *const *fields, const char *file, int line, const char *func,
                 const char *fmt, ...) {
        int saved = errno, ret = error ? -abs(error) : 0;
        char buf[2048];
        va_list ap;

        if (!log || level > log->max_level) {
                errno = saved;
                return ret;
        }
        /* %m reports the error being logged, not whatever errno held. */
        errno = error ? abs(error) : saved;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);

        if (!log->journal || write_journal(level, error, message_id, fields, file, line, func, buf) < 0)
                fprintf(stderr, "<%d>%s\n", level, buf);
        errno = saved;
        return ret;
}
