/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the reference-photo decoders (face/image.c), one
 * binary per format (FUZZ_IMAGE_FORMAT: FACE_IMAGE_JPEG, _PNG or _JP2, the
 * last covering raw J2K codestreams too) so each run stays in its decoder.
 * A decoded image must have the size it claims and stay within the budget.
 */

#include <stdint.h>
#include <stdlib.h>

#include "face/image.h"

/* Small enough that libFuzzer's 2 GB limit and its speed hold, large enough for real headers. */
#define FUZZ_MAX_PIXELS (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        enum face_image_format f;
        struct face_image img = { 0 };
        int r;

        if (face_image_detect(data, size, &f) < 0)
                return 0;
        if (f == FACE_IMAGE_J2K)
                f = FACE_IMAGE_JP2;
        if (f != FUZZ_IMAGE_FORMAT)
                return -1;      /* not this target's format: keep it out of the corpus */
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
        return sum == UINT32_MAX ? -1 : 0;
}
