/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The face template: an L2-normalised float32 embedding wrapped in a small
 * versioned envelope, so that a template made by another model, of another
 * size, or damaged in transit is refused instead of silently scoring noise.
 *
 * Wire format (little-endian), FACE_TEMPLATE_HEADER_SIZE bytes of header:
 *   0  char[4]  magic "LSFT"
 *   4  u16      format version (1)
 *   6  u16      header size (48)
 *   8  char[32] model id, NUL-padded (e.g. "fr_feature")
 *  40  u32      dimension d
 *  44  u32      FNV-1a over the header's first 44 bytes and the values
 *  48  f32[d]   values, L2 norm 1
 * Templates live in memory only: nothing here touches the file system.
 */

#include <stddef.h>
#include <stdint.h>

#define FACE_TEMPLATE_MAGIC "LSFT"
#define FACE_TEMPLATE_VERSION 1
#define FACE_TEMPLATE_HEADER_SIZE 48
#define FACE_TEMPLATE_MODEL_ID_MAX 32
#define FACE_TEMPLATE_DIM_MAX 4096

/* Normalises v in place; -EDOM when its norm is zero or not finite. */
int face_l2_normalize(float *v, size_t n);

size_t face_template_size(size_t dim);

/*
 * Serialises an embedding (normalised here) into buf of
 * face_template_size(dim) bytes. -EINVAL for a bad model id or dim,
 * -ENOBUFS when buf is too small, -EDOM for a zero or non-finite vector.
 */
int face_template_encode(const char *model_id, const float *values, size_t dim,
                         void *buf, size_t buf_size);

/*
 * Checks and decodes a template. expected_model may be NULL (any model),
 * expected_dim 0 (any size). ret_values receives the dimension's floats
 * (at most max_dim). Errors: -EBADMSG (bad magic, size, checksum, values not
 * finite or not unit length), -EPROTONOSUPPORT (unknown format version),
 * -EMEDIUMTYPE (another model), -ERANGE (another dimension or > max_dim).
 */
int face_template_decode(const void *buf, size_t size, const char *expected_model,
                         size_t expected_dim, float *ret_values, size_t max_dim,
                         size_t *ret_dim);
