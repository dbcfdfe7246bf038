/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Face alignment: the least-squares similarity transform (rotation, uniform
 * scale, translation; never a reflection) that maps detected keypoints onto
 * the embedder's template, and its inverse for sampling.
 *
 * An affine map is stored row-major as m[6]: x' = m0*x + m1*y + m2,
 * y' = m3*x + m4*y + m5. Coordinates are pixel indices (pixel centres at
 * integers), as in the reference pipeline.
 */

#include <stddef.h>

#include "face/detect.h"

#define FACE_ALIGN_SIZE 112

/* ArcFace 112x112 template for eyes, nose and mouth centre (the mean of the two mouth corners). */
extern const struct face_point face_align_template[4];

/*
 * Fits dst ≈ M(src) over n >= 2 point pairs. Returns -EINVAL for n < 2 or
 * when the source points coincide (no scale can be estimated).
 */
int face_similarity_fit(const struct face_point *src, const struct face_point *dst, size_t n,
                        float ret_m[6]);

/* The map from frame pixels to the 112x112 template for a detection (keypoints 0-3). */
int face_align_transform(const struct face_detection *d, float ret_m[6]);

/* Inverse of an affine map; -EDOM when singular. */
int face_affine_invert(const float m[6], float ret_inv[6]);

static inline struct face_point face_affine_apply(const float m[6], struct face_point p) {
        return (struct face_point) { m[0] * p.x + m[1] * p.y + m[2], m[3] * p.x + m[4] * p.y + m[5] };
}
