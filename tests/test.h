/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A minimal test harness. Each test binary defines test functions and a
 * main() built from TEST_MAIN(...). Every case prints one line that
 * tests/run-tests.sh counts: "PASS: <binary>/<case>", "FAIL: ..." or
 * "SKIP: ... (<why>)". A failed assertion prints file:line and, for errno
 * results, the errno name, then ends that case (fork isolation: a crash or
 * an abort in one case fails that case only).
 */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TEST_EXIT_SKIP 77

#define test_fail(fmt, ...)                                                         \
        do {                                                                        \
                fprintf(stderr, "  %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
                exit(1);                                                            \
        } while (0)

#define test_skip(fmt, ...)                                                         \
        do {                                                                        \
                fprintf(stderr, "  skip: " fmt "\n", ##__VA_ARGS__);                \
                exit(TEST_EXIT_SKIP);                                               \
        } while (0)

#define ASSERT_TRUE(expr)                                                           \
        do {                                                                        \
                if (!(expr))                                                        \
                        test_fail("assertion failed: %s", #expr);                   \
        } while (0)

#define ASSERT_EQ(a, b)                                                             \
        do {                                                                        \
                long long _a_ = (long long) (a), _b_ = (long long) (b);             \
                if (_a_ != _b_)                                                     \
                        test_fail("%s == %s failed: %lld != %lld", #a, #b, _a_, _b_); \
        } while (0)

#define ASSERT_NE(a, b)                                                             \
        do {                                                                        \
                long long _a_ = (long long) (a), _b_ = (long long) (b);             \
                if (_a_ == _b_)                                                     \
                        test_fail("%s != %s failed: both %lld", #a, #b, _a_);       \
        } while (0)

#define ASSERT_STREQ(a, b)                                                          \
        do {                                                                        \
                const char *_a_ = (a), *_b_ = (b);                                  \
                if (!_a_ || !_b_ || strcmp(_a_, _b_) != 0)                          \
                        test_fail("%s == %s failed: '%s' != '%s'", #a, #b,          \
                                  _a_ ?: "(null)", _b_ ?: "(null)");                \
        } while (0)

/* r is a negative-errno style result: succeeds when r >= 0. */
#define ASSERT_OK(expr)                                                             \
        do {                                                                        \
                long long _r_ = (long long) (expr);                                 \
                if (_r_ < 0)                                                        \
                        test_fail("%s failed: %s (%lld)", #expr,                    \
                                  strerrorname_np((int) -_r_) ?: "?", _r_);        \
        } while (0)

/* expr must fail with exactly -err. */
#define ASSERT_ERR(expr, err)                                                       \
        do {                                                                        \
                long long _r_ = (long long) (expr);                                 \
                if (_r_ != -(long long) (err))                                      \
                        test_fail("%s returned %lld (%s), expected -%s", #expr, _r_, \
                                  _r_ < 0 ? strerrorname_np((int) -_r_) ?: "?" : "success", \
                                  strerrorname_np(err) ?: "?");                     \
        } while (0)

#define ASSERT_NEAR(a, b, tol)                                                      \
        do {                                                                        \
                double _a_ = (a), _b_ = (b), _t_ = (tol);                           \
                if (!(fabs(_a_ - _b_) <= _t_))                                      \
                        test_fail("|%s - %s| <= %g failed: %g vs %g", #a, #b, _t_, _a_, _b_); \
        } while (0)

struct test_case {
        const char *name;
        void (*func)(void);
};

#define TEST_CASE(f) { #f, f }

/* Runs each case in a child so one crash cannot hide the others. */
static inline int test_run_all(const char *prog, const struct test_case *cases, size_t n) {
        const char *only = getenv("TEST_ONLY");
        const char *base = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
        int failed = 0;

        for (size_t i = 0; i < n; i++) {
                if (only && !strstr(cases[i].name, only))
                        continue;
                fflush(NULL);
                pid_t pid = getenv("TEST_NOFORK") ? 0 : fork();
                if (pid < 0) {
                        perror("fork");
                        return 1;
                }
                if (pid == 0) {
                        cases[i].func();
                        if (getenv("TEST_NOFORK")) {
                                printf("PASS: %s/%s\n", base, cases[i].name);
                                continue;
                        }
                        exit(0);        /* runs the case's atexit() cleanups */
                }
                int status = 0;
                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                        ;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        printf("PASS: %s/%s\n", base, cases[i].name);
                else if (WIFEXITED(status) && WEXITSTATUS(status) == TEST_EXIT_SKIP)
                        printf("SKIP: %s/%s\n", base, cases[i].name);
                else {
                        if (WIFSIGNALED(status))
                                fprintf(stderr, "  killed by signal %d\n", WTERMSIG(status));
                        printf("FAIL: %s/%s\n", base, cases[i].name);
                        failed++;
                }
                fflush(stdout);
        }
        return failed ? 1 : 0;
}

#define TEST_MAIN(...)                                                              \
        int main(int argc, char **argv) {                                           \
                (void) argc;                                                        \
                static const struct test_case _cases_[] = { __VA_ARGS__ };          \
                return test_run_all(argv[0], _cases_, sizeof(_cases_) / sizeof(_cases_[0])); \
        }
