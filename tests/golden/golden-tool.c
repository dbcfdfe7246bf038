/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * golden-tool: the C side of the golden tests (tests/golden/check-golden.sh).
 *
 *   golden-tool random SEED COUNT OUT.f32       xorshift32 inputs, as lib.js makes them
 *   golden-tool normalize IN.u8 MEAN STD OUT.f32  (x - MEAN) / STD per byte
 *   golden-tool compare GOLDEN.f32 ACTUAL.f32 [RTOL ATOL_REL]
 *
 * compare passes when every element satisfies
 *   |actual - golden| <= RTOL * |golden| + ATOL_REL * max|golden|
 * (defaults 1e-4 and 1e-4), prints one line with the worst element and
 * exits 0 (pass), 1 (outside the tolerance) or 2 (unreadable or wrong size).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "tests/golden/golden.h"

#define MAX_FILE_BYTES (256u << 20)

static int read_file(const char *path, void **ret, size_t *ret_size) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *buf = NULL;
        size_t size = 0, cap = 0;

        f = fopen(path, "rbe");
        if (!f)
                return -errno;
        for (;;) {
                if (size == cap) {
                        char *p;

                        if (cap >= MAX_FILE_BYTES)
                                return -EFBIG;
                        cap = cap ? cap * 2 : 65536;
                        p = realloc(buf, cap);
                        if (!p)
                                return -ENOMEM;
                        buf = p;
                }
                size_t k = fread(buf + size, 1, cap - size, f);
                size += k;
                if (k == 0) {
                        if (ferror(f))
                                return -EIO;
                        break;
                }
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

static int write_file(const char *path, const void *data, size_t size) {
        _cleanup_fclose_ FILE *f = NULL;

        f = fopen(path, "wbe");
        if (!f)
                return -errno;
        if (fwrite(data, 1, size, f) != size)
                return -EIO;
        if (fflush(f) != 0)
                return -errno;
        return 0;
}

static int parse_double(const char *s, double *ret) {
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_u64(const char *s, uint64_t *ret) {
        char *end;
        unsigned long long v;

        if (*s == '-')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 0);
        if (errno != 0 || end == s || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

static int cmd_random(int argc, char **argv) {
        _cleanup_free_ float *out = NULL;
        uint64_t seed, count;
        int r;

        if (argc != 4 || parse_u64(argv[1], &seed) < 0 || parse_u64(argv[2], &count) < 0 ||
            seed == 0 || seed > UINT32_MAX || count == 0 || count > MAX_FILE_BYTES / sizeof(float)) {
                fprintf(stderr, "usage: golden-tool random SEED(1..2^32-1) COUNT OUT.f32\n");
                return 2;
        }
        out = malloc(count * sizeof(float));
        if (!out)
                return 2;
        golden_random_fill((uint32_t) seed, out, count);
        r = write_file(argv[3], out, count * sizeof(float));
        if (r < 0) {
                fprintf(stderr, "golden-tool: cannot write '%s': %s\n", argv[3], strerror(-r));
                return 2;
        }
        return 0;
}

static int cmd_normalize(int argc, char **argv) {
        _cleanup_free_ void *in = NULL;
        _cleanup_free_ float *out = NULL;
        double mean, std;
        size_t n;
        int r;

        if (argc != 5 || parse_double(argv[2], &mean) < 0 || parse_double(argv[3], &std) < 0 ||
            std == 0) {
                fprintf(stderr, "usage: golden-tool normalize IN.u8 MEAN STD OUT.f32\n");
                return 2;
        }
        r = read_file(argv[1], &in, &n);
        if (r < 0 || n == 0) {
                fprintf(stderr, "golden-tool: cannot read '%s': %s\n", argv[1], r < 0 ? strerror(-r) : "empty");
                return 2;
        }
        out = malloc(n * sizeof(float));
        if (!out)
                return 2;
        golden_normalize(in, mean, std, out, n);
        r = write_file(argv[4], out, n * sizeof(float));
        if (r < 0) {
                fprintf(stderr, "golden-tool: cannot write '%s': %s\n", argv[4], strerror(-r));
                return 2;
        }
        return 0;
}

static int read_floats(const char *path, float **ret, size_t *ret_n) {
        void *buf;
        size_t size;
        int r;

        r = read_file(path, &buf, &size);
        if (r < 0) {
                fprintf(stderr, "golden-tool: cannot read '%s': %s\n", path, strerror(-r));
                return r;
        }
        if (size % sizeof(float) != 0 || size == 0) {
                fprintf(stderr, "golden-tool: '%s': %zu bytes is not a float32 tensor\n", path, size);
                free(buf);
                return -EBADMSG;
        }
        *ret = buf;
        *ret_n = size / sizeof(float);
        return 0;
}

static int cmd_compare(int argc, char **argv) {
        _cleanup_free_ float *golden = NULL, *actual = NULL;
        double rtol = 1e-4, atol_rel = 1e-4;
        struct golden_diff d;
        size_t ng, na;

        if ((argc != 3 && argc != 5) ||
            (argc == 5 && (parse_double(argv[3], &rtol) < 0 || parse_double(argv[4], &atol_rel) < 0))) {
                fprintf(stderr, "usage: golden-tool compare GOLDEN.f32 ACTUAL.f32 [RTOL ATOL_REL]\n");
                return 2;
        }
        if (read_floats(argv[1], &golden, &ng) < 0 || read_floats(argv[2], &actual, &na) < 0)
                return 2;
        if (ng != na) {
                printf("size mismatch: golden has %zu elements, actual %zu\n", ng, na);
                return 2;
        }
        golden_compare(actual, golden, ng, rtol, atol_rel, &d);
        printf("%s max|a-b| %.3g = %.3g max|b|; worst [%zu] %.9g vs %.9g (bound %.3g); %zu/%zu outside\n",
               d.n_bad ? "FAILS" : "ok", d.max_abs, d.max_ref > 0 ? d.max_abs / d.max_ref : d.max_abs, d.worst,
               (double) actual[d.worst], (double) golden[d.worst],
               rtol * fabs((double) golden[d.worst]) + atol_rel * d.max_ref, d.n_bad, d.n);
        return d.n_bad ? 1 : 0;
}

int main(int argc, char **argv) {
        if (argc >= 2 && strcmp(argv[1], "random") == 0)
                return cmd_random(argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "normalize") == 0)
                return cmd_normalize(argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "compare") == 0)
                return cmd_compare(argc - 1, argv + 1);
        fprintf(stderr, "usage: golden-tool random|normalize|compare ... (see tests/golden/golden-tool.c)\n");
        return 2;
}
