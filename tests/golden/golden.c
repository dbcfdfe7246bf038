/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>

#include "tests/golden/golden.h"

void golden_random_fill(uint32_t seed, float *out, size_t n) {
        uint32_t x = seed;

        for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                out[i] = (float) ((double) (x >> 8) / 8388608.0 - 1.0);
        }
}

void golden_normalize(const uint8_t *in, double mean, double std, float *out, size_t n) {
        for (size_t i = 0; i < n; i++)
                out[i] = (float) (((double) in[i] - mean) / std);
}

void golden_compare(const float *a, const float *b, size_t n, double rtol, double atol_rel,
                    struct golden_diff *ret) {
        struct golden_diff d = { .n = n, .worst_excess = -INFINITY };
        double atol;

        for (size_t i = 0; i < n; i++)
                if (fabs((double) b[i]) > d.max_ref)
                        d.max_ref = fabs((double) b[i]);
        atol = atol_rel * d.max_ref;

        for (size_t i = 0; i < n; i++) {
                double diff = fabs((double) a[i] - (double) b[i]);
                double excess = diff - (rtol * fabs((double) b[i]) + atol);

                if (isnan(diff))
                        excess = INFINITY;
                if (!(excess <= 0))
                        d.n_bad++;
                if (excess > d.worst_excess) {
                        d.worst_excess = excess;
                        d.worst = i;
                }
                if (diff > d.max_abs || isnan(diff))
                        d.max_abs = isnan(diff) ? INFINITY : diff;
        }
        *ret = d;
}
