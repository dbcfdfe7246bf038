/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "common/macro.h"
#include "tests/test.h"

static void test_take_ptr(void) {
        _cleanup_free_ char *p = strdup("x");
        char *q = TAKE_PTR(p);
        ASSERT_TRUE(p == NULL);
        ASSERT_STREQ(q, "x");
        free(q);
}

static void test_cleanup_close(void) {
        int copy;
        {
                _cleanup_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
                ASSERT_TRUE(fd >= 0);
                copy = fd;
        }
        /* The descriptor must be closed when the scope ends. */
        ASSERT_EQ(fcntl(copy, F_GETFD), -1);
        ASSERT_EQ(errno, EBADF);
}

static void test_size_guards(void) {
        size_t r;
        ASSERT_TRUE(size_mul_ok(1u << 16, 1u << 15, &r));
        ASSERT_EQ(r, (size_t) 1 << 31);
        ASSERT_TRUE(!size_mul_ok(SIZE_MAX / 2 + 1, 2, &r));
        ASSERT_TRUE(!size_add_ok(SIZE_MAX, 1, &r));
}

TEST_MAIN(TEST_CASE(test_take_ptr), TEST_CASE(test_cleanup_close), TEST_CASE(test_size_guards))
