/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Helpers of the golden tests, shared by golden-tool and its unit test. The
 * input generators must match tests/golden/lib.js bit for bit: the golden
 * outputs were computed by onnxruntime on inputs that node made the same way.
 */

#include <stddef.h>
#include <stdint.h>

/* xorshift32 (Marsaglia 2003, shifts 13/17/5). seed must be nonzero. Fills
 * out[0..n) with ((state >> 8) / 2^23) - 1: uniform on [-1, 1), every value
 * exact in float32, so no rounding can differ between C and JavaScript. */
void golden_random_fill(uint32_t seed, float *out, size_t n);

/* out[i] = (float) (((double) in[i] - mean) / std): the pixel normalisation,
 * computed in double and rounded once, as node's Float32Array does. */
void golden_normalize(const uint8_t *in, double mean, double std, float *out, size_t n);

struct golden_diff {
        size_t n;             /* elements compared */
        size_t worst;         /* index of the element with the largest excess over its bound */
        double worst_excess;  /* |a-b| - bound at `worst` (<= 0: within tolerance) */
        double max_abs;       /* max |a-b| */
        double max_ref;       /* max |b| */
        size_t n_bad;         /* elements outside the bound (NaN counts as outside) */
};

/* Element i passes when |a_i - b_i| <= rtol * |b_i| + atol_rel * max_j |b_j|.
 * b is the reference (onnxruntime). The second term keeps elements near zero
 * from failing on rounding noise that is tiny relative to the tensor. */
void golden_compare(const float *a, const float *b, size_t n, double rtol, double atol_rel,
                    struct golden_diff *ret);
