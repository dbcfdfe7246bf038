/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>

#include "face/align.h"

const struct face_point face_align_template[4] = {
        { 38.2946f, 51.6963f },
        { 73.5318f, 51.5014f },
        { 56.0252f, 71.7366f },
        { (41.5493f + 70.7299f) / 2, (92.3655f + 92.2041f) / 2 },
};

/*
 * Closed form of the 2-D Procrustes problem restricted to similarities:
 * with centred points, the map is [a -b; b a], a = Σ(x·x' + y·y') / Σ|p|²,
 * b = Σ(x·y' − y·x') / Σ|p|², and the translation carries the mean of src
 * to the mean of dst. Double precision: keypoints may be far from the origin.
 */
int face_similarity_fit(const struct face_point *src, const struct face_point *dst, size_t n,
                        float ret_m[6]) {
        double msx = 0, msy = 0, mdx = 0, mdy = 0, num_a = 0, num_b = 0, den = 0;

        if (!src || !dst || n < 2)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                msx += src[i].x;
                msy += src[i].y;
                mdx += dst[i].x;
                mdy += dst[i].y;
        }
        msx /= n;
        msy /= n;
        mdx /= n;
        mdy /= n;
        for (size_t i = 0; i < n; i++) {
                double x = src[i].x - msx, y = src[i].y - msy;
                double u = dst[i].x - mdx, v = dst[i].y - mdy;
                num_a += x * u + y * v;
                num_b += x * v - y * u;
                den += x * x + y * y;
        }
        if (!(den > 1e-12) || !isfinite(den))
                return -EINVAL;

        double a = num_a / den, b = num_b / den;
        ret_m[0] = (float) a;
        ret_m[1] = (float) -b;
        ret_m[2] = (float) (mdx - (a * msx - b * msy));
        ret_m[3] = (float) b;
        ret_m[4] = (float) a;
        ret_m[5] = (float) (mdy - (b * msx + a * msy));
        return 0;
}

int face_align_transform(const struct face_detection *d, float ret_m[6]) {
        if (!d)
                return -EINVAL;
        return face_similarity_fit(d->kp, face_align_template, 4, ret_m);
}

int face_affine_invert(const float m[6], float ret_inv[6]) {
        double det = (double) m[0] * m[4] - (double) m[1] * m[3];

        if (!(fabs(det) > 1e-12) || !isfinite(det))
                return -EDOM;
        double i0 = m[4] / det, i1 = -m[1] / det, i3 = -m[3] / det, i4 = m[0] / det;
        ret_inv[0] = (float) i0;
        ret_inv[1] = (float) i1;
        ret_inv[2] = (float) (-(i0 * m[2] + i1 * m[5]));
        ret_inv[3] = (float) i3;
        ret_inv[4] = (float) i4;
        ret_inv[5] = (float) (-(i3 * m[2] + i4 * m[5]));
        return 0;
}
