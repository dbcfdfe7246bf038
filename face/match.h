/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Matching L2-normalised embeddings: cosine similarity (a dot product),
 * 1:1 verification against a threshold and 1:N top-k search over a gallery
 * stored as one contiguous row-major matrix.
 */

#include <stdbool.h>
#include <stddef.h>

float face_cosine(const float *a, const float *b, size_t dim);

static inline bool face_verify(float score, float threshold) {
        return score >= threshold;
}

struct face_candidate {
        size_t index;   /* row in the gallery */
        float score;
};

/*
 * Scores probe against n gallery rows of dim floats and writes the best
 * min(k, n) candidates, best first (ties keep the lower index first).
 * Returns how many were written, or -EINVAL.
 */
int face_search(const float *gallery, size_t n, size_t dim, const float *probe,
                size_t k, struct face_candidate *ret);
