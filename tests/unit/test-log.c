/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* svc/log.c on stderr: level prefixes, filtering, %m from the logged error, return values. */
#include "svc/log.h"
#include "svc/message-ids.h"
#include "tests/test.h"

static char *capture_stderr(void (*fn)(void)) {
        char path[] = "/tmp/test-log-XXXXXX";
        int fd = mkstemp(path), saved = dup(STDERR_FILENO);
        ASSERT_TRUE(fd >= 0 && saved >= 0);
        unlink(path);
        fflush(stderr);
        dup2(fd, STDERR_FILENO);
        fn();
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        off_t n = lseek(fd, 0, SEEK_END);
        char *buf = calloc(1, n + 1);
        ASSERT_EQ(pread(fd, buf, n, 0), n);
        close(fd);
        return buf;
}

static void emit(void) {
        struct lsd_log log = { .max_level = LOG_INFO, .journal = false };
        errno = EPERM;
        ASSERT_EQ(log_error_errno(&log, -ENODEV, "camera '%s' lost: %m", "/dev/video0"), -ENODEV);
        ASSERT_EQ(errno, EPERM);        /* preserved */
        ASSERT_EQ(log_info(&log, "streaming %ux%u", 1280u, 720u), 0);
        ASSERT_EQ(log_debug(&log, "not shown"), 0);
        ASSERT_EQ(log_struct(&log, LOG_WARNING, ENOENT, LSD_MESSAGE_GPU_FALLBACK,
                             LSD_FIELDS("LANESIGHT_BACKEND=cpu"), "falling back: %m"), -ENOENT);
}

static void test_stderr_format(void) {
        _cleanup_free_ char *out = capture_stderr(emit);
        ASSERT_STREQ(out, "<3>camera '/dev/video0' lost: No such device\n"
                          "<6>streaming 1280x720\n"
                          "<4>falling back: No such file or directory\n");
}

static void test_init_from_environment(void) {
        struct lsd_log log;
        setenv("LANESIGHT_LOG_LEVEL", "7", 1);
        unsetenv("JOURNAL_STREAM");
        lsd_log_init(&log);
        ASSERT_EQ(log.max_level, LOG_DEBUG);
        ASSERT_TRUE(!log.journal);
        /* A JOURNAL_STREAM that is not our stderr (inherited by a child) does not count. */
        setenv("JOURNAL_STREAM", "1:1", 1);
        lsd_log_init(&log);
        ASSERT_TRUE(!log.journal);
}

TEST_MAIN(TEST_CASE(test_stderr_format), TEST_CASE(test_init_from_environment))
