/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Y4M parser and the planar -> NV12/YUYV/GREY conversion (v4l2/y4m.c). */

#include <linux/videodev2.h>
#include <stdint.h>

#include "common/macro.h"
#include "tests/test.h"
#include "v4l2/y4m.h"

static int parse(const char *s, struct cam_y4m_header *h) {
        const char *why = NULL;
        int r = cam_y4m_parse_header(s, strlen(s), h, &why);
        if (r < 0 && !why)
                test_fail("error %d without a reason", r);
        return r;
}

static void test_header_basic(void) {
        const char *s = "YUV4MPEG2 W640 H480 F30000:1001 Ip A1:1 C420jpeg XYSCSS=420JPEG\nFRAME\n";
        struct cam_y4m_header h;

        ASSERT_EQ(parse(s, &h), strchr(s, '\n') - s + 1);
        ASSERT_EQ(h.width, 640);
        ASSERT_EQ(h.height, 480);
        ASSERT_EQ(h.fps_num, 30000);
        ASSERT_EQ(h.fps_den, 1001);
        ASSERT_EQ(h.aspect_num, 1);
        ASSERT_EQ(h.aspect_den, 1);
        ASSERT_EQ(h.interlace, 'p');
        ASSERT_EQ(h.chroma, CAM_Y4M_CHROMA_420JPEG);
        ASSERT_EQ(h.chroma_width, 320);
        ASSERT_EQ(h.chroma_height, 240);
        ASSERT_EQ(h.luma_size, 640 * 480);
        ASSERT_EQ(h.chroma_size, 320 * 240);
        ASSERT_EQ(h.frame_size, 640 * 480 * 3 / 2);
}

static void test_header_defaults(void) {
        struct cam_y4m_header h;

        /* No F, I, A, C: unknown rate, 420jpeg, unknown interlacing. Extra spaces tolerated. */
        ASSERT_OK(parse("YUV4MPEG2  W2  H2 \n", &h));
        ASSERT_EQ(h.fps_num, 0);
        ASSERT_EQ(h.fps_den, 0);
        ASSERT_EQ(h.interlace, '?');
        ASSERT_EQ(h.chroma, CAM_Y4M_CHROMA_420JPEG);
        ASSERT_EQ(h.frame_size, 4 + 1 + 1);
        /* Unknown tags are ignored; F0:0 is "unknown". */
        ASSERT_OK(parse("YUV4MPEG2 W4 H4 F0:0 Zfoo X\n", &h));
        ASSERT_EQ(h.fps_num, 0);
}

static void test_header_colourspaces(void) {
        static const struct {
                const char *c;
                enum cam_y4m_chroma chroma;
                uint32_t cw, ch;
                uint32_t fourcc;
        } table[] = {
                { "420jpeg",  CAM_Y4M_CHROMA_420JPEG,  3, 2, V4L2_PIX_FMT_NV12 },
                { "420paldv", CAM_Y4M_CHROMA_420PALDV, 3, 2, V4L2_PIX_FMT_NV12 },
                { "420mpeg2", CAM_Y4M_CHROMA_420MPEG2, 3, 2, V4L2_PIX_FMT_NV12 },
                { "420",      CAM_Y4M_CHROMA_420,      3, 2, V4L2_PIX_FMT_NV12 },
                { "422",      CAM_Y4M_CHROMA_422,      3, 3, V4L2_PIX_FMT_YUYV },
                { "mono",     CAM_Y4M_CHROMA_MONO,     0, 0, V4L2_PIX_FMT_GREY },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char s[128];
                struct cam_y4m_header h;
                struct cam_y4m_layout l;

                /* Odd sizes: chroma rounds up. */
                snprintf(s, sizeof(s), "YUV4MPEG2 W5 H3 F25:1 C%s\n", table[i].c);
                ASSERT_OK(parse(s, &h));
                ASSERT_EQ(h.chroma, table[i].chroma);
                ASSERT_STREQ(cam_y4m_chroma_to_string(h.chroma), table[i].c);
                ASSERT_EQ(cam_y4m_chroma_from_string(table[i].c), table[i].chroma);
                ASSERT_EQ(h.chroma_width, table[i].cw);
                ASSERT_EQ(h.chroma_height, table[i].ch);
                ASSERT_EQ(h.frame_size, 15 + 2 * table[i].cw * table[i].ch);
                ASSERT_OK(cam_y4m_get_layout(&h, &l));
                ASSERT_EQ(l.fourcc, table[i].fourcc);
        }
        ASSERT_EQ(cam_y4m_chroma_to_string(_CAM_Y4M_CHROMA_MAX), NULL);
        ASSERT_EQ(cam_y4m_chroma_to_string(_CAM_Y4M_CHROMA_INVALID), NULL);
        ASSERT_EQ(cam_y4m_chroma_from_string("444"), _CAM_Y4M_CHROMA_INVALID);
        ASSERT_EQ(cam_y4m_chroma_from_string(NULL), _CAM_Y4M_CHROMA_INVALID);
}

static void test_header_unsupported(void) {
        static const char *const cs[] = { "444", "444alpha", "411", "420p10", "422p12", "mono16", "xyz", "" };
        struct cam_y4m_header h;

        for (size_t i = 0; i < ELEMENTSOF(cs); i++) {
                char s[64];
                const char *why = NULL;

                snprintf(s, sizeof(s), "YUV4MPEG2 W8 H8 C%s\n", cs[i]);
                ASSERT_ERR(cam_y4m_parse_header(s, strlen(s), &h, &why), EOPNOTSUPP);
                ASSERT_TRUE(why && strstr(why, "colourspace"));
        }
}

static void test_header_malformed(void) {
        static const char *const bad[] = {
                "",
                "YUV4MPEG",                             /* truncated magic */
                "YUV4MPEG2 W8 H8",                      /* no newline: truncated */
                "YUV4MPEG3 W8 H8\n",
                "YUV4MPEG2W8 H8\n",
                "yuv4mpeg2 W8 H8\n",
                "YUV4MPEG2 H8\n",                       /* no W */
                "YUV4MPEG2 W8\n",                       /* no H */
                "YUV4MPEG2 W0 H8\n",
                "YUV4MPEG2 W8 H0\n",
                "YUV4MPEG2 W-8 H8\n",
                "YUV4MPEG2 W+8 H8\n",
                "YUV4MPEG2 W8x H8\n",
                "YUV4MPEG2 W H8\n",
                "YUV4MPEG2 W4294967296 H8\n",           /* overflows 32 bits */
                "YUV4MPEG2 W8 H8 F30\n",
                "YUV4MPEG2 W8 H8 F30:0\n",
                "YUV4MPEG2 W8 H8 F0:1\n",
                "YUV4MPEG2 W8 H8 F:1\n",
                "YUV4MPEG2 W8 H8 F1:1:1\n",
                "YUV4MPEG2 W8 H8 A1\n",
                "YUV4MPEG2 W8 H8 Ix\n",
                "YUV4MPEG2 W8 H8 Ipp\n",
                "YUV4MPEG2 W8 H8 I\n",
                "YUV4MPEG2 W8 H8 \x01\n",               /* binary in header */
                "YUV4MPEG2 W8 H8\r\n",
                "\nYUV4MPEG2 W8 H8\n",
        };
        struct cam_y4m_header h;

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                const char *why = NULL;
                int r = cam_y4m_parse_header(bad[i], strlen(bad[i]), &h, &why);
                if (r != -EBADMSG)
                        test_fail("'%s': got %d, expected -EBADMSG", bad[i], r);
                ASSERT_TRUE(why != NULL);
        }
        /* NULL buffer with zero length is an empty (truncated) stream, not a crash. */
        ASSERT_ERR(cam_y4m_parse_header(NULL, 0, &h, NULL), EBADMSG);
}

static void test_header_limits(void) {
        struct cam_y4m_header h;
        char s[CAM_Y4M_MAX_LINE + 64];

        ASSERT_OK(parse("YUV4MPEG2 W16384 H16384 C422\n", &h));
        ASSERT_EQ(h.frame_size, (size_t) 16384 * 16384 * 2);
        ASSERT_ERR(parse("YUV4MPEG2 W16385 H8\n", &h), E2BIG);
        ASSERT_ERR(parse("YUV4MPEG2 W8 H16385\n", &h), E2BIG);
        ASSERT_ERR(parse("YUV4MPEG2 W4294967295 H4294967295\n", &h), E2BIG);

        /* A header line longer than the cap is refused even if a newline follows. */
        memset(s, 0, sizeof(s));
        strcpy(s, "YUV4MPEG2 W8 H8 X");
        memset(s + strlen(s), 'a', CAM_Y4M_MAX_LINE);
        strcat(s, "\n");
        ASSERT_ERR(parse(s, &h), EBADMSG);
        /* Just under the cap is fine. */
        s[CAM_Y4M_MAX_LINE - 1] = '\n';
        s[CAM_Y4M_MAX_LINE] = 0;
        ASSERT_EQ(parse(s, &h), CAM_Y4M_MAX_LINE);
}

static void test_frame_line(void) {
        const char *why = NULL;

        ASSERT_EQ(cam_y4m_parse_frame_line("FRAME\nxyz", 9, NULL), 6);
        ASSERT_EQ(cam_y4m_parse_frame_line("FRAME Ip XFOO=1\n", 16, NULL), 16);
        ASSERT_ERR(cam_y4m_parse_frame_line("FRAME", 5, &why), EBADMSG);
        ASSERT_TRUE(strstr(why, "truncated"));
        ASSERT_ERR(cam_y4m_parse_frame_line("FRA", 3, NULL), EBADMSG);
        ASSERT_ERR(cam_y4m_parse_frame_line("", 0, NULL), EBADMSG);
        ASSERT_ERR(cam_y4m_parse_frame_line("FRAMES\n", 7, NULL), EBADMSG);
        ASSERT_ERR(cam_y4m_parse_frame_line("frame\n", 6, NULL), EBADMSG);
        ASSERT_ERR(cam_y4m_parse_frame_line("FRAME \x80\n", 8, NULL), EBADMSG);
}

/* Builds "header + n frames" in memory; frame k's bytes are (k * 16 + i) & 0xff. */
static uint8_t *make_stream(const char *header, const char *frame_line, size_t frame_size, unsigned n,
                            size_t *ret_size) {
        size_t hl = strlen(header), fl = strlen(frame_line);
        size_t size = hl + n * (fl + frame_size);
        uint8_t *buf = malloc(size ?: 1), *p = buf;

        ASSERT_TRUE(buf);
        memcpy(p, header, hl);
        p += hl;
        for (unsigned k = 0; k < n; k++) {
                memcpy(p, frame_line, fl);
                p += fl;
                for (size_t i = 0; i < frame_size; i++)
                        *p++ = (uint8_t) (k * 16 + i);
        }
        *ret_size = size;
        return buf;
}

static void test_iter(void) {
        const char *hdr = "YUV4MPEG2 W4 H2 F25:1 C420\n";
        size_t size;
        _cleanup_free_ uint8_t *buf = make_stream(hdr, "FRAME Ixyz\n", 12, 3, &size);
        struct cam_y4m_iter it;
        const uint8_t *payload;

        ASSERT_OK(cam_y4m_iter_init(&it, buf, size, NULL));
        ASSERT_EQ(it.header.frame_size, 12);
        for (unsigned k = 0; k < 3; k++) {
                ASSERT_EQ(cam_y4m_iter_next(&it, &payload, NULL), 1);
                ASSERT_EQ(payload[0], k * 16);
                ASSERT_EQ(payload[11], k * 16 + 11);
        }
        ASSERT_EQ(cam_y4m_iter_next(&it, &payload, NULL), 0);
        ASSERT_EQ(it.frame, 3);

        /* Every truncation point: never a crash, -EBADMSG unless it falls on a frame boundary. */
        size_t hl = strlen(hdr), fl = strlen("FRAME Ixyz\n");
        for (size_t cut = 0; cut < size; cut++) {
                int r = cam_y4m_iter_init(&it, buf, cut, NULL), frames = 0;

                if (cut < hl) {
                        ASSERT_ERR(r, EBADMSG);
                        continue;
                }
                ASSERT_OK(r);
                while ((r = cam_y4m_iter_next(&it, &payload, NULL)) == 1)
                        frames++;
                if ((cut - hl) % (fl + 12) == 0)
                        ASSERT_EQ(r, 0);
                else
                        ASSERT_ERR(r, EBADMSG);
                ASSERT_EQ(frames, (int) ((cut - hl) / (fl + 12)));
        }
}

static void test_iter_garbage(void) {
        uint8_t buf[256];
        struct cam_y4m_iter it;
        const uint8_t *payload;
        const char *why = NULL;
        uint32_t x = 0x12345678;

        /* A valid header followed by bytes that are not a FRAME line. */
        memcpy(buf, "YUV4MPEG2 W2 H2 Cmono\n", 22);
        for (size_t i = 22; i < sizeof(buf); i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                buf[i] = (uint8_t) x;
        }
        ASSERT_OK(cam_y4m_iter_init(&it, buf, sizeof(buf), NULL));
        ASSERT_ERR(cam_y4m_iter_next(&it, &payload, &why), EBADMSG);
        ASSERT_TRUE(why != NULL);
        /* And the iterator stays put: same answer again. */
        ASSERT_ERR(cam_y4m_iter_next(&it, &payload, NULL), EBADMSG);
        ASSERT_EQ(it.frame, 0);
}

/* Builds planes with known values, converts, and checks every output byte against the definition. */
static void check_convert(const char *cs, uint32_t w, uint32_t hgt) {
        char s[96];
        struct cam_y4m_header h;
        struct cam_y4m_layout l;

        snprintf(s, sizeof(s), "YUV4MPEG2 W%u H%u C%s\n", w, hgt, cs);
        ASSERT_OK(parse(s, &h));
        ASSERT_OK(cam_y4m_get_layout(&h, &l));

        _cleanup_free_ uint8_t *src = malloc(h.frame_size), *dst = malloc(l.size);
        ASSERT_TRUE(src && dst);
        uint8_t *y = src, *cb = src + h.luma_size, *cr = cb + h.chroma_size;
        for (uint32_t r = 0; r < hgt; r++)
                for (uint32_t c = 0; c < w; c++)
                        y[r * w + c] = (uint8_t) (r * 7 + c);
        for (size_t i = 0; i < h.chroma_size; i++) {
                cb[i] = (uint8_t) (100 + i);
                cr[i] = (uint8_t) (200 - i);
        }
        memset(dst, 0xee, l.size);
        ASSERT_EQ(cam_y4m_convert(&h, &l, y, cb, cr, dst), l.size);

        uint32_t ew = w + (w & 1);
        switch (l.fourcc) {
        case V4L2_PIX_FMT_GREY:
                ASSERT_EQ(l.n_planes, 1);
                ASSERT_EQ(l.stride[0], w);
                ASSERT_EQ(l.size, (size_t) w * hgt);
                for (uint32_t r = 0; r < hgt; r++)
                        for (uint32_t c = 0; c < w; c++)
                                ASSERT_EQ(dst[r * w + c], (uint8_t) (r * 7 + c));
                break;
        case V4L2_PIX_FMT_NV12:
                ASSERT_EQ(l.n_planes, 2);
                ASSERT_EQ(l.stride[0], ew);
                ASSERT_EQ(l.stride[1], ew);
                ASSERT_EQ(l.offset[0], 0);
                ASSERT_EQ(l.offset[1], ew * hgt);
                ASSERT_EQ(l.size, (size_t) ew * hgt + (size_t) ew * ((hgt + 1) / 2));
                for (uint32_t r = 0; r < hgt; r++)
                        for (uint32_t c = 0; c < ew; c++)
                                ASSERT_EQ(dst[r * ew + c], (uint8_t) (r * 7 + MIN(c, w - 1)));
                for (uint32_t r = 0; r < (hgt + 1) / 2; r++)
                        for (uint32_t c = 0; c < ew / 2; c++) {
                                size_t i = r * h.chroma_width + c;
                                ASSERT_EQ(dst[l.offset[1] + r * ew + 2 * c], (uint8_t) (100 + i));
                                ASSERT_EQ(dst[l.offset[1] + r * ew + 2 * c + 1], (uint8_t) (200 - i));
                        }
                break;
        case V4L2_PIX_FMT_YUYV:
                ASSERT_EQ(l.n_planes, 1);
                ASSERT_EQ(l.stride[0], 2 * ew);
                ASSERT_EQ(l.size, (size_t) 2 * ew * hgt);
                for (uint32_t r = 0; r < hgt; r++)
                        for (uint32_t c = 0; c < ew; c += 2) {
                                const uint8_t *px = dst + r * 2 * ew + 2 * c;
                                size_t i = r * h.chroma_width + c / 2;
                                ASSERT_EQ(px[0], (uint8_t) (r * 7 + c));
                                ASSERT_EQ(px[1], (uint8_t) (100 + i));
                                ASSERT_EQ(px[2], (uint8_t) (r * 7 + MIN(c + 1, w - 1)));
                                ASSERT_EQ(px[3], (uint8_t) (200 - i));
                        }
                break;
        default:
                test_fail("unexpected fourcc %08x", l.fourcc);
        }

        /* Chroma alone into a buffer whose luma the caller placed. */
        if (cam_y4m_luma_is_direct(&h, &l)) {
                memset(dst, 0x11, l.size);
                size_t n = cam_y4m_convert(&h, &l, NULL, cb, cr, dst);
                /* NV12 writes the CbCr plane only; GREY has nothing left to do. */
                ASSERT_EQ(n, l.fourcc == V4L2_PIX_FMT_NV12 ? l.size - l.offset[1] : 0);
                ASSERT_EQ(dst[0], 0x11);
                if (l.fourcc == V4L2_PIX_FMT_NV12)
                        ASSERT_EQ(dst[l.offset[1]], 100);
        }
}

static void test_convert(void) {
        static const char *const cs[] = { "420jpeg", "420mpeg2", "422", "mono" };
        static const uint32_t sizes[][2] = { { 4, 2 }, { 6, 4 }, { 5, 3 }, { 1, 1 }, { 7, 1 }, { 33, 17 } };

        for (size_t i = 0; i < ELEMENTSOF(cs); i++)
                for (size_t j = 0; j < ELEMENTSOF(sizes); j++)
                        check_convert(cs[i], sizes[j][0], sizes[j][1]);
}

static void test_direct_luma(void) {
        struct cam_y4m_header h;
        struct cam_y4m_layout l;

        ASSERT_OK(parse("YUV4MPEG2 W6 H4\n", &h));
        ASSERT_OK(cam_y4m_get_layout(&h, &l));
        ASSERT_TRUE(cam_y4m_luma_is_direct(&h, &l));
        ASSERT_OK(parse("YUV4MPEG2 W5 H4\n", &h));           /* padded stride */
        ASSERT_OK(cam_y4m_get_layout(&h, &l));
        ASSERT_TRUE(!cam_y4m_luma_is_direct(&h, &l));
        ASSERT_OK(parse("YUV4MPEG2 W5 H4 Cmono\n", &h));
        ASSERT_OK(cam_y4m_get_layout(&h, &l));
        ASSERT_TRUE(cam_y4m_luma_is_direct(&h, &l));
        ASSERT_OK(parse("YUV4MPEG2 W6 H4 C422\n", &h));
        ASSERT_OK(cam_y4m_get_layout(&h, &l));
        ASSERT_TRUE(!cam_y4m_luma_is_direct(&h, &l));

        h.width = 0;
        ASSERT_ERR(cam_y4m_get_layout(&h, &l), EINVAL);
}

TEST_MAIN(TEST_CASE(test_header_basic),
          TEST_CASE(test_header_defaults),
          TEST_CASE(test_header_colourspaces),
          TEST_CASE(test_header_unsupported),
          TEST_CASE(test_header_malformed),
          TEST_CASE(test_header_limits),
          TEST_CASE(test_frame_line),
          TEST_CASE(test_iter),
          TEST_CASE(test_iter_garbage),
          TEST_CASE(test_convert),
          TEST_CASE(test_direct_luma))
