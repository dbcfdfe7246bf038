/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the configuration reader (svc/config.c): the line
 * reader, every key's value parser and the checks across keys, on top of
 * the defaults. Every refusal must come with a message naming the input.
 */

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "svc/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct lsd_config c;
        char err[512];
        int r;

        if (lsd_config_init(&c) < 0)
                abort();
        r = lsd_config_parse_text("fuzz.conf", (const char *) data, size, &c, err, sizeof(err));
        if (r < 0 && (r != -EINVAL || strncmp(err, "fuzz.conf", 9) != 0))
                abort();        /* only -EINVAL, always with a message naming the file */
        if (r >= 0 && (c.min_inter_eye >= c.max_inter_eye || c.sessions_per_caller > c.max_sessions ||
                       c.n_fourccs > LSD_CONFIG_FOURCCS_MAX))
                abort();        /* accepted, so the checks across keys must hold */
        lsd_config_done(&c);
        return 0;
}
