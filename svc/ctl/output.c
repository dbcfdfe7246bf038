/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>

#include "svc/ctl/ctl.h"

void ctl_json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) (s ?: ""); *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

void ctl_base64(FILE *f, const void *data, size_t size) {
        static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const uint8_t *p = data;

        for (size_t i = 0; i < size; i += 3) {
                uint32_t v = (uint32_t) p[i] << 16;
                if (i + 1 < size)
                        v |= (uint32_t) p[i + 1] << 8;
                if (i + 2 < size)
                        v |= p[i + 2];
                fputc(tbl[(v >> 18) & 63], f);
                fputc(tbl[(v >> 12) & 63], f);
                fputc(i + 1 < size ? tbl[(v >> 6) & 63] : '=', f);
                fputc(i + 2 < size ? tbl[v & 63] : '=', f);
        }
}
