/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the reference-photo decoders (face/image.c), one
 * binary per format (FUZZ_IMAGE_FORMAT: FACE_IMAGE_JPEG, _PNG or _JP2, the
 * last covering raw J2K codestreams too) so each run stays in its decoder.
 * A decoded image must have the size it claims and stay within the budget.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "face/image.h"

/* Small enough that libFuzzer's 2 GB limit and its speed hold, large enough for real headers. */
#define FUZZ_MAX_PIXELS (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * PNG chunks carry CRCs that almost every mutation breaks, so the input is
 * decoded as given (the CRC refusal) and again with every CRC put right,
 * which takes the mutation into libpng and the rest of the decoder.
 */
static uint8_t *png_fix_crcs(const uint8_t *data, size_t size) {
        uint8_t *p = malloc(size);
        if (!p)
                return NULL;
        memcpy(p, data, size);
        for (size_t pos = 8; size - pos >= 12;) {
                uint32_t len = (uint32_t) p[pos] << 24 | (uint32_t) p[pos + 1] << 16 | (uint32_t) p[pos + 2] << 8 | p[pos + 3];
                if (len > size - pos - 12)
                        break;
                uint32_t crc = (uint32_t) crc32(0, p + pos + 4, len + 4);
                uint8_t *c = p + pos + 8 + len;
                c[0] = crc >> 24; c[1] = crc >> 16; c[2] = crc >> 8; c[3] = crc;
                pos += 12 + (size_t) len;
        }
        return p;
}

static int decode_and_check(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        enum face_image_format f;

        if (face_image_detect(data, size, &f) < 0)
                return 0;
        if (f == FACE_IMAGE_J2K)
                f = FACE_IMAGE_JP2;
        if (f != FUZZ_IMAGE_FORMAT)
                return -1;      /* not this target's format: keep it out of the corpus */
        int r = decode_and_check(data, size);
        if (f == FACE_IMAGE_PNG) {
                uint8_t *fixed = png_fix_crcs(data, size);
                if (fixed)
                        r |= decode_and_check(fixed, size);
                free(fixed);
        }
        return r;
}

static int decode_and_check(const uint8_t *data, size_t size) {
        struct face_image img = { 0 };
        int r;

        r = face_image_decode_limited(data, size, FUZZ_MAX_PIXELS, &img);
        if (r < 0) {
                if (r != -EBADMSG && r != -EFBIG && r != -ENOMEM)
                        abort();
                return 0;
        }
        if (!img.rgb || img.width == 0 || img.height == 0 || (uint64_t) img.width * img.height > FUZZ_MAX_PIXELS)
                abort();
        /* Read every byte: ASan reports an allocation shorter than the size claimed. */
        unsigned sum = 0;
        for (size_t i = 0; i < (size_t) img.width * img.height * 3; i++)
                sum += img.rgb[i];
        face_image_done(&img);
        return sum == UINT32_MAX ? -1 : 0;        /* never: keeps the sum alive */
}
