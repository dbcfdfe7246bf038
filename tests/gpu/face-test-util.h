/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once
/* The face pipeline on the shipped models for the tests and benches of tests/gpu/. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/macro.h"
#include "face/pipeline.h"

/*
 * BlazeFace front-128 and fr-feature-112 from $LANESIGHT_TEST_MODELS on
 * backend. Returns face_pipeline_new()'s result (-ENOENT without the
 * variable); err gets the reason.
 */
static inline int face_test_pipeline_new(const char *backend, unsigned n_threads, struct face_pipeline **ret,
                                         char *err, size_t errlen) {
        const char *models = getenv("LANESIGHT_TEST_MODELS");
        char det[1024], emb[1024];
        struct face_pipeline_params p;

        if (!models) {
                snprintf(err, errlen, "LANESIGHT_TEST_MODELS is not set (run through make check)");
                return -ENOENT;
        }
        snprintf(det, sizeof(det), "%s/blazeface-front-128.onnx", models);
        snprintf(emb, sizeof(emb), "%s/fr-feature-112.onnx", models);
        face_pipeline_params_default(&p);
        p.backend = backend;
        p.detector_path = det;
        p.embedder_path = emb;
        p.n_threads = n_threads;
        return face_pipeline_new(&p, ret, err, errlen);
}

/* Reads and decodes an image file: 0 or a negative errno. */
static inline int face_test_load_image(const char *path, struct face_image *ret) {
        _cleanup_free_ uint8_t *buf = NULL;
        FILE *f = fopen(path, "re");
        long n;
        int r;

        if (!f)
                return -errno;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        buf = malloc(n > 0 ? (size_t) n : 1);
        r = buf && n > 0 && fread(buf, 1, (size_t) n, f) == (size_t) n ? 0 : -EIO;
        fclose(f);
        return r < 0 ? r : face_image_decode(buf, (size_t) n, ret);
}
