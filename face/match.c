/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "face/match.h"

/*
 * Eight independent partial sums let the compiler use full vector registers
 * without -ffast-math; target_clones adds an AVX2/FMA version picked at load
 * time on CPUs that have it.
 */
__attribute__((target_clones("avx2,fma", "default")))
float face_cosine(const float *a, const float *b, size_t dim) {
        float acc[8] = { 0 };
        size_t i = 0;

        for (; i + 8 <= dim; i += 8)
                for (unsigned j = 0; j < 8; j++)
                        acc[j] += a[i + j] * b[i + j];
        float s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for (; i < dim; i++)
                s += a[i] * b[i];
        return s;
}

int face_search(const float *gallery, size_t n, size_t dim, const float *probe,
                size_t k, struct face_candidate *ret) {
        size_t have = 0;

        if ((!gallery && n > 0) || !probe || dim == 0 || (!ret && k > 0))
                return -EINVAL;
        if (k > n)
                k = n;
        for (size_t i = 0; i < n && k > 0; i++) {
                float s = face_cosine(gallery + i * dim, probe, dim);
                if (have == k && !(s > ret[k - 1].score))
                        continue;
                /* Insertion into a short sorted list: k is small (top 1..20). */
                size_t pos = have < k ? have++ : k - 1;
                while (pos > 0 && ret[pos - 1].score < s) {
                        ret[pos] = ret[pos - 1];
                        pos--;
                }
                ret[pos] = (struct face_candidate) { .index = i, .score = s };
        }
        return (int) have;
}
