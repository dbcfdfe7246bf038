/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Stands in for the Vulkan backend when it is not built: always "not available". */

#include <errno.h>
#include <stdio.h>

#include "gpu/backend.h"

static int stub_probe(char *err, size_t errlen) {
        if (err && errlen)
                snprintf(err, errlen, "backend 'vulkan' not available (not built)");
        return -EOPNOTSUPP;
}

static int stub_ctx_new(const struct gpu_backend_params *p, void **ret_ctx, char *err, size_t errlen) {
        return stub_probe(err, errlen);
}

const struct gpu_backend_ops gpu_vk_backend_ops = {
        .name = "vulkan",
        .probe = stub_probe,
        .ctx_new = stub_ctx_new,
};
