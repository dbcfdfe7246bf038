/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The golden helpers: the generator must equal lib.js's (values below were
 * printed by node), and the comparer's bound must sit where golden.h says. */
#include <math.h>

#include "tests/golden/golden.h"
#include "tests/test.h"

static void test_random_matches_node(void) {
        /* node: x=1, xorshift32 13/17/5, (x>>>8)/2^23 - 1 */
        static const float want[] = { -0.9998741149902344f, -0.9685051441192627f, 0.23280811309814453f,
                                      -0.8567627668380737f, 0.11697661876678467f };
        float got[5];

        golden_random_fill(1, got, 5);
        for (size_t i = 0; i < 5; i++)
                ASSERT_TRUE(got[i] == want[i]);
}

static void test_random_long_run(void) {
        /* node: seed 0xdeadbeef, element 999 is (2470529522 >>> 8) / 2^23 - 1 */
        float v[1000];

        golden_random_fill(0xdeadbeefu, v, 1000);
        ASSERT_TRUE(v[999] == (float) ((double) (2470529522u >> 8) / 8388608.0 - 1.0));
        for (size_t i = 0; i < 1000; i++)
                ASSERT_TRUE(v[i] >= -1.0f && v[i] < 1.0f);
}

static void test_normalize(void) {
        const uint8_t in[] = { 0, 127, 128, 255 };
        float out[4];

        golden_normalize(in, 127.5, 127.5, out, 4);
        ASSERT_TRUE(out[0] == -1.0f && out[3] == 1.0f);
        ASSERT_TRUE(out[1] == (float) (-0.5 / 127.5) && out[2] == (float) (0.5 / 127.5));
        golden_normalize(in, 127, 128, out, 4);
        ASSERT_TRUE(out[0] == (float) (-127.0 / 128) && out[1] == 0.0f && out[3] == 1.0f);
}

static void test_compare_bound(void) {
        /* max|b| = 100: bound for element i is 1e-4*|b_i| + 1e-4*100 */
        float b[] = { 100.0f, 0.0f, -50.0f };
        float a[] = { 100.0f, 0.0f, -50.0f };
        struct golden_diff d;

        golden_compare(a, b, 3, 1e-4, 1e-4, &d);
        ASSERT_TRUE(d.n_bad == 0 && d.max_abs == 0 && d.max_ref == 100.0);

        a[1] = 0.0099f;         /* bound 0.01 */
        golden_compare(a, b, 3, 1e-4, 1e-4, &d);
        ASSERT_TRUE(d.n_bad == 0);
        a[1] = 0.0101f;
        golden_compare(a, b, 3, 1e-4, 1e-4, &d);
        ASSERT_TRUE(d.n_bad == 1 && d.worst == 1);
        ASSERT_NEAR(d.max_abs, 0.0101, 1e-9);

        a[1] = 0;
        a[2] = -50.0149f;       /* bound 0.005 + 0.01 */
        golden_compare(a, b, 3, 1e-4, 1e-4, &d);
        ASSERT_TRUE(d.n_bad == 0);
        a[2] = -50.0152f;
        golden_compare(a, b, 3, 1e-4, 1e-4, &d);
        ASSERT_TRUE(d.n_bad == 1 && d.worst == 2);
}

static void test_compare_nan(void) {
        float b[] = { 1.0f, 2.0f };
        float a[] = { 1.0f, NAN };
        struct golden_diff d;

        golden_compare(a, b, 2, 1e-4, 1e-4, &d);
        ASSERT_TRUE(d.n_bad == 1 && d.worst == 1 && isinf(d.max_abs));
}

TEST_MAIN(TEST_CASE(test_random_matches_node), TEST_CASE(test_random_long_run), TEST_CASE(test_normalize),
          TEST_CASE(test_compare_bound), TEST_CASE(test_compare_nan))
