/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for template parsing (face/template.c): any model, any
 * dimension; a template that decodes must decode again pinned to the
 * dimension it has, and be refused (never overrun) with a smaller array.
 */

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "face/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static float values[FACE_TEMPLATE_DIM_MAX];
        size_t dim = 0;
        int r;

        r = face_template_decode(data, size, NULL, 0, values, FACE_TEMPLATE_DIM_MAX, &dim);
        if (r < 0) {
                if (r != -EBADMSG && r != -EPROTONOSUPPORT && r != -ERANGE && r != -EMEDIUMTYPE)
                        abort();
                return 0;
        }
        if (dim == 0 || dim > FACE_TEMPLATE_DIM_MAX || size != face_template_size(dim))
                abort();
        for (size_t i = 0; i < dim; i++)
                if (!isfinite(values[i]))
                        abort();
        size_t again = 0;
        if (face_template_decode(data, size, NULL, dim, values, dim, &again) < 0 || again != dim)
                abort();
        if (dim > 1 && face_template_decode(data, size, NULL, 0, values, dim - 1, &again) != -ERANGE)
                abort();
        return 0;
}
