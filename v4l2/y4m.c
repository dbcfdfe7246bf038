/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * YUV4MPEG2 parser and planar -> NV12/YUYV/GREY conversion. Everything here
 * reads untrusted bytes: every length is checked against the buffer, every
 * size is computed with overflow checks and capped (see y4m.h).
 */

#include <errno.h>
#include <linux/videodev2.h>
#include <string.h>

#include "common/debug.h"
#include "common/macro.h"
#include "v4l2/y4m.h"

static const char *const chroma_names[_CAM_Y4M_CHROMA_MAX] = {
        [CAM_Y4M_CHROMA_420JPEG] = "420jpeg",
        [CAM_Y4M_CHROMA_420PALDV] = "420paldv",
        [CAM_Y4M_CHROMA_420MPEG2] = "420mpeg2",
        [CAM_Y4M_CHROMA_420] = "420",
        [CAM_Y4M_CHROMA_422] = "422",
        [CAM_Y4M_CHROMA_MONO] = "mono",
};

const char *cam_y4m_chroma_to_string(enum cam_y4m_chroma c) {
        if ((int) c < 0 || c >= _CAM_Y4M_CHROMA_MAX)
                return NULL;
        return chroma_names[c];
}

/* Token [p, e) without its key letter. */
static bool token_eq(const char *p, const char *e, const char *s) {
        size_t n = strlen(s);
        return (size_t) (e - p) == n && memcmp(p, s, n) == 0;
}

static int fail(const char **ret_why, const char *why, int r) {
        if (ret_why)
                *ret_why = why;
        ls_debug("y4m: %s", why);
        return r;
}

/* Decimal digits only, no sign, no overflow, at least one digit. */
static bool parse_u32(const char *p, const char *e, uint32_t *ret) {
        uint64_t v = 0;

        if (p >= e)
                return false;
        for (; p < e; p++) {
                if (*p < '0' || *p > '9')
                        return false;
                v = v * 10 + (uint64_t) (*p - '0');
                if (v > UINT32_MAX)
                        return false;
        }
        *ret = (uint32_t) v;
        return true;
}

/* "N:D" where both are zero or both non-zero. */
static bool parse_ratio(const char *p, const char *e, uint32_t *ret_num, uint32_t *ret_den) {
        const char *colon = memchr(p, ':', (size_t) (e - p));
        uint32_t n, d;

        if (!colon || !parse_u32(p, colon, &n) || !parse_u32(colon + 1, e, &d))
                return false;
        if ((n == 0) != (d == 0))
                return false;
        *ret_num = n;
        *ret_den = d;
        return true;
}

enum cam_y4m_chroma cam_y4m_chroma_from_string(const char *s) {
        if (!s)
                return _CAM_Y4M_CHROMA_INVALID;
        for (int c = 0; c < _CAM_Y4M_CHROMA_MAX; c++)
                if (strcmp(s, chroma_names[c]) == 0)
                        return c;
        return _CAM_Y4M_CHROMA_INVALID;
}

static int parse_chroma(const char *p, const char *e, enum cam_y4m_chroma *ret, const char **ret_why) {
        for (int c = 0; c < _CAM_Y4M_CHROMA_MAX; c++)
                if (token_eq(p, e, chroma_names[c])) {
                        *ret = c;
                        return 0;
                }
        /* Valid Y4M we do not convert (444, 411, 444alpha, 420p10, mono16...) or unknown. */
        return fail(ret_why, "unsupported colourspace (only 420jpeg, 420paldv, 420mpeg2, 420, 422, mono)",
                    -EOPNOTSUPP);
}

/*
 * Finds the end of the line at buf: returns its length without the '\n',
 * or -EBADMSG. Header lines are printable ASCII only.
 */
static int find_line(const uint8_t *buf, size_t len, const char *what, const char **ret_why) {
        size_t max = MIN(len, (size_t) CAM_Y4M_MAX_LINE);

        for (size_t i = 0; i < max; i++) {
                if (buf[i] == '\n')
                        return (int) i;
                if (buf[i] < 0x20 || buf[i] > 0x7e)
                        return fail(ret_why, what[0] == 'F' ? "binary data in FRAME line" : "binary data in stream header",
                                    -EBADMSG);
        }
        if (len >= CAM_Y4M_MAX_LINE)
                return fail(ret_why, what[0] == 'F' ? "FRAME line too long" : "stream header too long", -EBADMSG);
        return fail(ret_why, what[0] == 'F' ? "truncated FRAME line" : "truncated stream header", -EBADMSG);
}

static int derive_sizes(struct cam_y4m_header *h, const char **ret_why) {
        size_t luma, chroma = 0, total;

        switch (h->chroma) {
        case CAM_Y4M_CHROMA_MONO:
                h->chroma_width = h->chroma_height = 0;
                break;
        case CAM_Y4M_CHROMA_422:
                h->chroma_width = DIV_ROUND_UP(h->width, 2);
                h->chroma_height = h->height;
                break;
        default:
                h->chroma_width = DIV_ROUND_UP(h->width, 2);
                h->chroma_height = DIV_ROUND_UP(h->height, 2);
                break;
        }
        /* Dimensions are capped at 2^14, so none of this can overflow; check anyway. */
        if (!size_mul_ok(h->width, h->height, &luma) ||
            !size_mul_ok(h->chroma_width, h->chroma_height, &chroma) ||
            !size_add_ok(luma, chroma, &total) || !size_add_ok(total, chroma, &total))
                return fail(ret_why, "frame size overflows", -E2BIG);
        if (total > CAM_Y4M_MAX_FRAME_SIZE)
                return fail(ret_why, "frame size too large", -E2BIG);
        h->luma_size = luma;
        h->chroma_size = chroma;
        h->frame_size = total;
        return 0;
}

int cam_y4m_parse_header(const void *buf, size_t len, struct cam_y4m_header *ret, const char **ret_why) {
        const size_t magic_len = strlen(CAM_Y4M_MAGIC);
        struct cam_y4m_header h = {
                .interlace = '?',
                .chroma = CAM_Y4M_CHROMA_420JPEG,
        };
        bool have_w = false, have_h = false;
        const char *p, *end;
        int n, r;

        if (!buf && len > 0)
                return -EINVAL;
        if (len < magic_len || memcmp(buf, CAM_Y4M_MAGIC, magic_len) != 0)
                return fail(ret_why, len < magic_len && memcmp(buf ?: "", CAM_Y4M_MAGIC, len) == 0 ?
                                "truncated stream header" : "not a YUV4MPEG2 stream (bad magic)", -EBADMSG);
        n = find_line(buf, len, "header", ret_why);
        if (n < 0)
                return n;

        p = (const char *) buf + magic_len;
        end = (const char *) buf + n;
        if (p < end && *p != ' ')
                return fail(ret_why, "not a YUV4MPEG2 stream (bad magic)", -EBADMSG);

        while (p < end) {
                const char *t, *te;

                if (*p == ' ') {
                        p++;
                        continue;
                }
                t = p;
                te = memchr(t, ' ', (size_t) (end - t)) ?: end;
                p = te;

                switch (*t) {
                case 'W':
                        if (!parse_u32(t + 1, te, &h.width))
                                return fail(ret_why, "bad width (W)", -EBADMSG);
                        have_w = true;
                        break;
                case 'H':
                        if (!parse_u32(t + 1, te, &h.height))
                                return fail(ret_why, "bad height (H)", -EBADMSG);
                        have_h = true;
                        break;
                case 'F':
                        if (!parse_ratio(t + 1, te, &h.fps_num, &h.fps_den))
                                return fail(ret_why, "bad frame rate (F)", -EBADMSG);
                        break;
                case 'A':
                        if (!parse_ratio(t + 1, te, &h.aspect_num, &h.aspect_den))
                                return fail(ret_why, "bad pixel aspect (A)", -EBADMSG);
                        break;
                case 'I':
                        if (te - t != 2 || !strchr("ptbm?", t[1]))
                                return fail(ret_why, "bad interlace mode (I)", -EBADMSG);
                        h.interlace = t[1];
                        break;
                case 'C':
                        r = parse_chroma(t + 1, te, &h.chroma, ret_why);
                        if (r < 0)
                                return r;
                        break;
                default:
                        /* X (application extensions) and unknown tags are ignored, as the format asks. */
                        break;
                }
        }

        if (!have_w || !have_h)
                return fail(ret_why, "stream header lacks W or H", -EBADMSG);
        if (h.width == 0 || h.height == 0)
                return fail(ret_why, "zero width or height", -EBADMSG);
        if (h.width > CAM_Y4M_MAX_DIMENSION || h.height > CAM_Y4M_MAX_DIMENSION)
                return fail(ret_why, "dimensions too large (max 16384)", -E2BIG);
        r = derive_sizes(&h, ret_why);
        if (r < 0)
                return r;

        *ret = h;
        return n + 1;
}

int cam_y4m_parse_frame_line(const void *buf, size_t len, const char **ret_why) {
        const size_t magic_len = strlen(CAM_Y4M_FRAME_MAGIC);
        const uint8_t *b = buf;
        int n;

        if (!buf && len > 0)
                return -EINVAL;
        if (len < magic_len)
                return fail(ret_why, len > 0 && memcmp(b, CAM_Y4M_FRAME_MAGIC, len) == 0 ?
                                "truncated FRAME line" : "expected a FRAME line", -EBADMSG);
        if (memcmp(b, CAM_Y4M_FRAME_MAGIC, magic_len) != 0)
                return fail(ret_why, "expected a FRAME line", -EBADMSG);
        n = find_line(b, len, "FRAME", ret_why);
        if (n < 0)
                return n;
        /* "FRAME" then '\n' or ' ' and parameters (ignored). */
        if ((size_t) n > magic_len && b[magic_len] != ' ')
                return fail(ret_why, "expected a FRAME line", -EBADMSG);
        return n + 1;
}

int cam_y4m_iter_init(struct cam_y4m_iter *it, const void *data, size_t size, const char **ret_why) {
        struct cam_y4m_header h;
        int r;

        r = cam_y4m_parse_header(data, size, &h, ret_why);
        if (r < 0)
                return r;
        *it = (struct cam_y4m_iter) {
                .data = data,
                .size = size,
                .pos = (size_t) r,
                .header = h,
        };
        return 0;
}

int cam_y4m_iter_next(struct cam_y4m_iter *it, const uint8_t **ret_payload, const char **ret_why) {
        size_t left = it->size - it->pos;
        int n;

        if (left == 0)
                return 0;
        n = cam_y4m_parse_frame_line(it->data + it->pos, left, ret_why);
        if (n < 0)
                return n;
        if (left - (size_t) n < it->header.frame_size)
                return fail(ret_why, "truncated frame", -EBADMSG);
        if (ret_payload)
                *ret_payload = it->data + it->pos + n;
        it->pos += (size_t) n + it->header.frame_size;
        it->frame++;
        return 1;
}

int cam_y4m_get_layout(const struct cam_y4m_header *h, struct cam_y4m_layout *ret) {
        /* Even widths keep chroma pairs whole; the header caps keep all of this in 32 bits. */
        uint32_t even_w = h->width + (h->width & 1);
        struct cam_y4m_layout l = {};

        if (h->width == 0 || h->height == 0 || h->width > CAM_Y4M_MAX_DIMENSION ||
            h->height > CAM_Y4M_MAX_DIMENSION)
                return -EINVAL;

        switch (h->chroma) {
        case CAM_Y4M_CHROMA_MONO:
                l.fourcc = V4L2_PIX_FMT_GREY;
                l.n_planes = 1;
                l.stride[0] = h->width;
                l.size = (size_t) h->width * h->height;
                break;
        case CAM_Y4M_CHROMA_422:
                l.fourcc = V4L2_PIX_FMT_YUYV;
                l.n_planes = 1;
                l.stride[0] = 2 * even_w;
                l.size = (size_t) l.stride[0] * h->height;
                break;
        case CAM_Y4M_CHROMA_420JPEG:
        case CAM_Y4M_CHROMA_420PALDV:
        case CAM_Y4M_CHROMA_420MPEG2:
        case CAM_Y4M_CHROMA_420:
                l.fourcc = V4L2_PIX_FMT_NV12;
                l.n_planes = 2;
                l.stride[0] = l.stride[1] = even_w;
                l.offset[1] = even_w * h->height;
                l.size = (size_t) l.offset[1] + (size_t) even_w * DIV_ROUND_UP(h->height, 2);
                break;
        default:
                return -EINVAL;
        }
        *ret = l;
        return 0;
}

bool cam_y4m_luma_is_direct(const struct cam_y4m_header *h, const struct cam_y4m_layout *l) {
        return (l->fourcc == V4L2_PIX_FMT_GREY || l->fourcc == V4L2_PIX_FMT_NV12) && l->stride[0] == h->width;
}

static void copy_luma(const struct cam_y4m_header *h, const struct cam_y4m_layout *l, const uint8_t *y, uint8_t *dst) {
        uint32_t w = h->width, s = l->stride[0];

        if (s == w) {
                memcpy(dst, y, (size_t) w * h->height);
                return;
        }
        for (uint32_t r = 0; r < h->height; r++) {
                uint8_t *d = dst + (size_t) r * s;
                memcpy(d, y + (size_t) r * w, w);
                memset(d + w, d[w - 1], s - w);   /* pad with the last column */
        }
}

size_t cam_y4m_convert(const struct cam_y4m_header *h, const struct cam_y4m_layout *l,
                       const uint8_t *y, const uint8_t *cb, const uint8_t *cr, uint8_t *dst) {
        uint32_t w = h->width, cw = h->chroma_width;
        size_t written = 0;

        switch (l->fourcc) {
        case V4L2_PIX_FMT_GREY:
                if (y) {
                        copy_luma(h, l, y, dst);
                        written = l->size;
                }
                break;

        case V4L2_PIX_FMT_NV12: {
                uint8_t *uv = dst + l->offset[1];

                if (y) {
                        copy_luma(h, l, y, dst);
                        written += l->offset[1];
                }
                for (uint32_t r = 0; r < h->chroma_height; r++) {
                        uint8_t *d = uv + (size_t) r * l->stride[1];
                        const uint8_t *u = cb + (size_t) r * cw, *v = cr + (size_t) r * cw;

                        for (uint32_t c = 0; c < cw; c++) {
                                d[2 * c] = u[c];
                                d[2 * c + 1] = v[c];
                        }
                }
                written += l->size - l->offset[1];
                break;
        }

        case V4L2_PIX_FMT_YUYV:
                /* Y4M 4:2:2 is planar; YUYV packs Y0 Cb Y1 Cr per pixel pair. */
                for (uint32_t r = 0; r < h->height; r++) {
                        uint8_t *d = dst + (size_t) r * l->stride[0];
                        const uint8_t *yr = y + (size_t) r * w;
                        const uint8_t *u = cb + (size_t) r * cw, *v = cr + (size_t) r * cw;

                        for (uint32_t c = 0; c < cw; c++) {
                                uint32_t x1 = MIN(2 * c + 1, w - 1);

                                d[4 * c] = yr[2 * c];
                                d[4 * c + 1] = u[c];
                                d[4 * c + 2] = yr[x1];
                                d[4 * c + 3] = v[c];
                        }
                }
                written = l->size;
                break;
        }
        return written;
}
