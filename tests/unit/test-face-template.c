/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Template envelope and matching. */
#include <time.h>

#include "face/match.h"
#include "face/template.h"
#include "tests/test.h"

static uint32_t rng_next(uint32_t *s) {
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        return *s;
}

static float rng_float(uint32_t *s) {
        return (float) (rng_next(s) >> 8) / (float) (1u << 24) * 2.0f - 1.0f;
}

static void random_unit(uint32_t *s, float *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                v[i] = rng_float(s);
        ASSERT_OK(face_l2_normalize(v, n));
}

static void test_roundtrip(void) {
        float v[512], back[512];
        uint8_t buf[FACE_TEMPLATE_HEADER_SIZE + sizeof(v)];
        uint32_t seed = 7;
        size_t dim = 0;

        for (size_t i = 0; i < 512; i++)
                v[i] = rng_float(&seed) * 10;   /* not normalised: encode normalises */
        ASSERT_EQ(face_template_encode("fr_feature", v, 512, buf, sizeof(buf)), (int) sizeof(buf));
        ASSERT_OK(face_template_decode(buf, sizeof(buf), "fr_feature", 512, back, 512, &dim));
        ASSERT_EQ(dim, 512);
        ASSERT_OK(face_l2_normalize(v, 512));
        for (size_t i = 0; i < 512; i++)
                ASSERT_NEAR(back[i], v[i], 1e-7);
        ASSERT_NEAR(face_cosine(back, v, 512), 1.0, 1e-5);
}

static void test_refusals(void) {
        float v[128];
        uint8_t buf[FACE_TEMPLATE_HEADER_SIZE + sizeof(v)], bad[sizeof(buf)];
        uint32_t seed = 11;

        random_unit(&seed, v, 128);
        ASSERT_OK(face_template_encode("fr_feature", v, 128, buf, sizeof(buf)));

        /* Another model, another size, a wrong length. */
        ASSERT_ERR(face_template_decode(buf, sizeof(buf), "sface", 0, NULL, 128, NULL), EMEDIUMTYPE);
        ASSERT_ERR(face_template_decode(buf, sizeof(buf), NULL, 512, NULL, 512, NULL), ERANGE);
        ASSERT_ERR(face_template_decode(buf, sizeof(buf), NULL, 0, NULL, 64, NULL), ERANGE);
        ASSERT_ERR(face_template_decode(buf, sizeof(buf) - 1, NULL, 0, NULL, 128, NULL), EBADMSG);
        ASSERT_ERR(face_template_decode(buf, 10, NULL, 0, NULL, 128, NULL), EBADMSG);

        /* Any flipped bit is caught by the checksum. */
        for (size_t off = 8; off < sizeof(buf); off += 37) {
                memcpy(bad, buf, sizeof(buf));
                bad[off] ^= 0x10;
                int r = face_template_decode(bad, sizeof(bad), NULL, 0, NULL, 128, NULL);
                ASSERT_TRUE(r == -EBADMSG || r == -ERANGE);
        }
        memcpy(bad, buf, sizeof(buf));
        bad[0] = 'X';
        ASSERT_ERR(face_template_decode(bad, sizeof(bad), NULL, 0, NULL, 128, NULL), EBADMSG);
        memcpy(bad, buf, sizeof(buf));
        bad[4] = 9;
        ASSERT_ERR(face_template_decode(bad, sizeof(bad), NULL, 0, NULL, 128, NULL), EPROTONOSUPPORT);

        /* Encoding refuses zero, NaN and absurd sizes. */
        float zero[4] = { 0 }, nan4[4] = { 1, NAN, 0, 0 };
        ASSERT_ERR(face_template_encode("m", zero, 4, buf, sizeof(buf)), EDOM);
        ASSERT_ERR(face_template_encode("m", nan4, 4, buf, sizeof(buf)), EDOM);
        ASSERT_ERR(face_template_encode("m", v, FACE_TEMPLATE_DIM_MAX + 1, buf, sizeof(buf)), EINVAL);
        ASSERT_ERR(face_template_encode("m", v, 128, buf, 100), ENOBUFS);
        ASSERT_ERR(face_template_encode("", v, 128, buf, sizeof(buf)), EINVAL);
}

static int cmp_desc(const void *a, const void *b) {
        float x = *(const float *) a, y = *(const float *) b;
        return (x < y) - (x > y);
}

static void test_search_matches_brute_force(void) {
        const size_t n = 5000, dim = 512, k = 10;
        float *gallery = malloc(n * dim * sizeof(float)), *all = malloc(n * sizeof(float));
        float probe[512];
        struct face_candidate top[10];
        uint32_t seed = 99;

        ASSERT_TRUE(gallery && all);
        for (size_t i = 0; i < n; i++)
                random_unit(&seed, gallery + i * dim, dim);
        /* The probe is a noisy copy of row 1234: it must come first. */
        for (size_t j = 0; j < dim; j++)
                probe[j] = gallery[1234 * dim + j] + 0.02f * rng_float(&seed);
        ASSERT_OK(face_l2_normalize(probe, dim));

        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ASSERT_EQ(face_search(gallery, n, dim, probe, k, top), (int) k);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(stderr, "  1:N over %zu x %zu: %.3f ms\n", n, dim,
                (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);

        ASSERT_EQ(top[0].index, 1234);
        for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (size_t j = 0; j < dim; j++)
                        s += (double) gallery[i * dim + j] * probe[j];
                all[i] = (float) s;
        }
        qsort(all, n, sizeof(float), cmp_desc);
        for (size_t i = 0; i < k; i++)
                ASSERT_NEAR(top[i].score, all[i], 1e-5);
        /* k larger than the gallery, and an empty one. */
        ASSERT_EQ(face_search(gallery, 3, dim, probe, k, top), 3);
        ASSERT_EQ(face_search(gallery, 0, dim, probe, k, top), 0);
        ASSERT_ERR(face_search(gallery, n, 0, probe, k, top), EINVAL);
        free(gallery);
        free(all);
}

static void test_verify(void) {
        ASSERT_TRUE(face_verify(0.5f, 0.286f));
        ASSERT_TRUE(face_verify(0.286f, 0.286f));
        ASSERT_TRUE(!face_verify(0.2f, 0.286f));
        ASSERT_TRUE(!face_verify(NAN, 0.286f));
}

TEST_MAIN(TEST_CASE(test_roundtrip), TEST_CASE(test_refusals),
          TEST_CASE(test_search_matches_brute_force), TEST_CASE(test_verify))
