/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reference photos: JPEG (libjpeg-turbo), PNG (libpng) and JPEG 2000
 * (openjpeg: e-passport chips store DG2 portraits as JP2 or a raw J2K
 * codestream) decoded from memory to 8-bit RGB. The format is recognised by
 * its signature, never by a file name. Grey images are replicated to three
 * channels; alpha is dropped; 16-bit samples are scaled to 8 bits.
 * Decoding never writes to disk.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The default pixel budget: a 24 MP passport scan (6016x4016) fits; a small
 * file claiming an enormous canvas (a 196 KB PNG can claim 8192x8192, 192 MiB
 * of RGB) does not. Checked from the header, before any sample is decoded.
 */
#define FACE_IMAGE_MAX_PIXELS 25000000u

enum face_image_format {
        FACE_IMAGE_JPEG,
        FACE_IMAGE_PNG,
        FACE_IMAGE_JP2,         /* JP2 container */
        FACE_IMAGE_J2K,         /* raw JPEG 2000 codestream */
        _FACE_IMAGE_FORMAT_MAX,
        _FACE_IMAGE_FORMAT_INVALID = -EINVAL,
};

const char *face_image_format_to_string(enum face_image_format f);

struct face_image {
        unsigned width, height;
        uint8_t *rgb;           /* width * height * 3 bytes, row-major, owned */
};

/* -EMEDIUMTYPE for an unknown signature. */
int face_image_detect(const void *data, size_t size, enum face_image_format *ret);

/*
 * Decodes an image as strictly as its format allows: a truncated file, a bad
 * PNG chunk CRC, trailing chunks after IEND, libjpeg's corrupt-data warnings
 * and openjpeg's warnings (strict mode) are all -EBADMSG. Damage inside
 * entropy-coded data can still decode into a plausible picture: callers judge
 * the result (face/reference.h). Errors: -EMEDIUMTYPE (not a supported
 * format), -EBADMSG (corrupt or truncated data), -EFBIG (width * height over
 * max_pixels, known from the header before decoding), -ENOMEM.
 * Any thread; no shared state.
 */
int face_image_decode_limited(const void *data, size_t size, uint64_t max_pixels, struct face_image *ret);
/* face_image_decode_limited() with FACE_IMAGE_MAX_PIXELS. */
int face_image_decode(const void *data, size_t size, struct face_image *ret);

void face_image_done(struct face_image *img);
