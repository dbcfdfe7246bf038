/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The CPU kernel tests' deterministic inputs: a xorshift64 generator (the
 * same sequence on every machine, so a failing case can be replayed from
 * its seed) and arrays of floats in [-1, 1].
 */

#include <stdint.h>
#include <stdlib.h>

#include "common/macro.h"
#include "tests/test.h"

struct rng {
        uint64_t s;
};

static inline uint32_t rng_next(struct rng *r) {
        r->s ^= r->s << 13;
        r->s ^= r->s >> 7;
        r->s ^= r->s << 17;
        return (uint32_t) (r->s >> 11);
}

/* Uniform in [lo, hi]. */
static inline unsigned rng_range(struct rng *r, unsigned lo, unsigned hi) {
        return lo + rng_next(r) % (hi - lo + 1);
}

/* In [-1, 1], in steps of 1e-6. */
static inline float rng_float(struct rng *r) {
        return (float) (rng_next(r) % 2000001) / 1000000.f - 1.f;
}

/* n floats from rng_float (at least one element allocated); the caller frees. */
static inline float *rand_array(struct rng *r, size_t n) {
        float *a = malloc(MAX(n, (size_t) 1) * sizeof(float));
        ASSERT_TRUE(a);
        for (size_t i = 0; i < n; i++)
                a[i] = rng_float(r);
        return a;
}
