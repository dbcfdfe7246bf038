/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reference-photo decoding. Each format is produced here with its own
 * library's encoder from a known synthetic picture, decoded through
 * face_image_decode(), and compared pixel by pixel; then damaged.
 */
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
#include <openjpeg.h>
#include <png.h>
#include <zlib.h>

#include "common/macro.h"
#include "face/image.h"
#include "tests/test.h"

#define W 67
#define H 45

static uint8_t pattern(unsigned x, unsigned y, unsigned c) {
        /* Smooth ramps: JPEG reproduces them closely at high quality. */
        return (uint8_t) (c == 0 ? x * 3 : c == 1 ? y * 5 : (x + y) * 2);
}

static void make_rgb(uint8_t *rgb) {
        for (unsigned y = 0; y < H; y++)
                for (unsigned x = 0; x < W; x++)
                        for (unsigned c = 0; c < 3; c++)
                                rgb[(y * W + x) * 3 + c] = pattern(x, y, c);
}

static size_t encode_jpeg(const uint8_t *rgb, int components, uint8_t **ret) {
        struct jpeg_compress_struct ci;
        struct jpeg_error_mgr err;
        unsigned long size = 0;
        uint8_t grey[W];

        *ret = NULL;
        ci.err = jpeg_std_error(&err);
        jpeg_create_compress(&ci);
        jpeg_mem_dest(&ci, ret, &size);
        ci.image_width = W;
        ci.image_height = H;
        ci.input_components = components;
        ci.in_color_space = components == 3 ? JCS_RGB : JCS_GRAYSCALE;
        jpeg_set_defaults(&ci);
        jpeg_set_quality(&ci, 98, TRUE);
        jpeg_start_compress(&ci, TRUE);
        while (ci.next_scanline < H) {
                JSAMPROW row;
                if (components == 3)
                        row = (JSAMPROW) rgb + ci.next_scanline * W * 3;
                else {
                        for (unsigned x = 0; x < W; x++)
                                grey[x] = rgb[(ci.next_scanline * W + x) * 3 + 1];
                        row = grey;
                }
                jpeg_write_scanlines(&ci, &row, 1);
        }
        jpeg_finish_compress(&ci);
        jpeg_destroy_compress(&ci);
        return size;
}

static int max_abs_diff(const struct face_image *img, const uint8_t *rgb) {
        int worst = 0;
        for (size_t i = 0; i < (size_t) W * H * 3; i++)
                worst = MAX(worst, abs((int) img->rgb[i] - (int) rgb[i]));
        return worst;
}

static void test_jpeg(void) {
        uint8_t rgb[W * H * 3], *jpg = NULL;
        struct face_image img = { 0 };
        enum face_image_format f;

        make_rgb(rgb);
        size_t n = encode_jpeg(rgb, 3, &jpg);
        ASSERT_OK(face_image_detect(jpg, n, &f));
        ASSERT_EQ(f, FACE_IMAGE_JPEG);
        ASSERT_OK(face_image_decode(jpg, n, &img));
        ASSERT_EQ(img.width, W);
        ASSERT_EQ(img.height, H);
        ASSERT_TRUE(max_abs_diff(&img, rgb) <= 12);     /* lossy: quality 98, 4:2:0 chroma */
        face_image_done(&img);

        /* Truncated data is corrupt, not a grey-filled picture. */
        ASSERT_ERR(face_image_decode(jpg, n / 2, &img), EBADMSG);
        ASSERT_ERR(face_image_decode(jpg, 3, &img), EBADMSG);
        ASSERT_TRUE(img.rgb == NULL);

        /* A header claiming a 65000 x 65000 canvas is refused before any allocation. */
        for (size_t i = 0; i + 9 < n; i++)
                if (jpg[i] == 0xff && (jpg[i + 1] == 0xc0 || jpg[i + 1] == 0xc2)) {
                        jpg[i + 5] = 0xfd; jpg[i + 6] = 0xe8;   /* height 65000 */
                        jpg[i + 7] = 0xfd; jpg[i + 8] = 0xe8;   /* width 65000 */
                        break;
                }
        ASSERT_ERR(face_image_decode(jpg, n, &img), EFBIG);
        free(jpg);
}

/* Issue 12: a file cut inside its end marker warns only when libjpeg reads up to EOI. */
static void test_jpeg_truncated_tail(void) {
        uint8_t rgb[W * H * 3], *jpg = NULL;
        struct face_image img = { 0 };

        make_rgb(rgb);
        size_t n = encode_jpeg(rgb, 3, &jpg);
        ASSERT_TRUE(jpg[n - 2] == 0xff && jpg[n - 1] == 0xd9);
        ASSERT_ERR(face_image_decode(jpg, n - 2, &img), EBADMSG);
        ASSERT_ERR(face_image_decode(jpg, n - 1, &img), EBADMSG);
        ASSERT_OK(face_image_decode(jpg, n, &img));
        face_image_done(&img);
        /* The budget is the caller's: the same picture fits 67 x 45 pixels, not one fewer. */
        ASSERT_OK(face_image_decode_limited(jpg, n, W * H, &img));
        face_image_done(&img);
        ASSERT_ERR(face_image_decode_limited(jpg, n, W * H - 1, &img), EFBIG);
        free(jpg);
}

static void test_jpeg_grey(void) {
        uint8_t rgb[W * H * 3], *jpg = NULL;
        struct face_image img = { 0 };

        make_rgb(rgb);
        size_t n = encode_jpeg(rgb, 1, &jpg);
        ASSERT_OK(face_image_decode(jpg, n, &img));
        /* Grey is replicated to three equal channels. */
        for (size_t i = 0; i < (size_t) W * H; i++) {
                ASSERT_EQ(img.rgb[i * 3], img.rgb[i * 3 + 1]);
                ASSERT_EQ(img.rgb[i * 3], img.rgb[i * 3 + 2]);
                ASSERT_TRUE(abs((int) img.rgb[i * 3] - (int) rgb[i * 3 + 1]) <= 6);
        }
        face_image_done(&img);
        free(jpg);
}

static void put_be32(uint8_t *p, uint32_t v) {
        p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* A chunk with a correct CRC at p: returns its total size. */
static size_t put_chunk(uint8_t *p, const char *type, const void *data, uint32_t len) {
        put_be32(p, len);
        memcpy(p + 4, type, 4);
        if (len)
                memcpy(p + 8, data, len);
        put_be32(p + 8 + len, (uint32_t) crc32(0, p + 4, len + 4));
        return 12 + len;
}

/* The picture as PNG, in a buffer with 64 spare bytes for tests that append. */
static size_t encode_png(const uint8_t *rgb, uint8_t **ret) {
        png_image png = { .version = PNG_IMAGE_VERSION, .width = W, .height = H, .format = PNG_FORMAT_RGB };
        png_alloc_size_t n = 0;

        ASSERT_TRUE(png_image_write_to_memory(&png, NULL, &n, 0, rgb, W * 3, NULL));
        *ret = malloc(n + 64);
        ASSERT_TRUE(*ret);
        ASSERT_TRUE(png_image_write_to_memory(&png, *ret, &n, 0, rgb, W * 3, NULL));
        return n;
}

static void test_png(void) {
        uint8_t rgb[W * H * 3];
        _cleanup_free_ uint8_t *buf = NULL;
        struct face_image img = { 0 };

        make_rgb(rgb);
        size_t n = encode_png(rgb, &buf);
        ASSERT_OK(face_image_decode(buf, n, &img));
        ASSERT_EQ(img.width, W);
        ASSERT_EQ(max_abs_diff(&img, rgb), 0);  /* lossless */
        face_image_done(&img);

        /* Issue 12: damage libpng's simplified reader let through. Missing the last 2 bytes (of IEND's CRC). */
        ASSERT_TRUE(memcmp(buf + n - 8, "IEND", 4) == 0);
        ASSERT_ERR(face_image_decode(buf, n - 2, &img), EBADMSG);
        ASSERT_ERR(face_image_decode(buf, n - 12, &img), EBADMSG);    /* no IEND at all */
        /* Anything after IEND. */
        memcpy(buf + n, "junk", 4);
        ASSERT_ERR(face_image_decode(buf, n + 4, &img), EBADMSG);

        /* An ancillary chunk with a bad CRC (libpng only warns) before IEND. */
        _cleanup_free_ uint8_t *anc = malloc(n + 64);
        memcpy(anc, buf, n - 12);
        size_t m = n - 12;
        m += put_chunk(anc + m, "tEXt", "Comment\0ok", 10);
        m += put_chunk(anc + m, "IEND", NULL, 0);
        ASSERT_OK(face_image_decode(anc, m, &img));
        face_image_done(&img);
        anc[n - 12 + 10] ^= 1;  /* inside the text */
        ASSERT_ERR(face_image_decode(anc, m, &img), EBADMSG);

        ASSERT_ERR(face_image_decode(buf, n - 20, &img), EBADMSG);
        buf[n / 2] ^= 0xff;     /* the zlib stream's CRC catches this */
        ASSERT_ERR(face_image_decode(buf, n, &img), EBADMSG);
}

/*
 * Issue 12: an 8192 x 8192 PNG of 196 KB cost 224 MB. The budget is checked
 * from IHDR before libpng allocates anything: built here with zlib.
 */
static void test_png_budget(void) {
        const uint32_t side = 8192;
        size_t raw_len = (size_t) side * (side * 3 + 1);
        _cleanup_free_ uint8_t *raw = calloc(1, raw_len);
        uLongf z_len = compressBound(raw_len);
        _cleanup_free_ uint8_t *z = malloc(z_len);
        ASSERT_TRUE(raw && z);
        ASSERT_EQ(compress2(z, &z_len, raw, raw_len, 9), Z_OK);
        _cleanup_free_ uint8_t *file = malloc(z_len + 64);
        uint8_t ihdr[13] = { 0 };
        put_be32(ihdr, side);
        put_be32(ihdr + 4, side);
        ihdr[8] = 8;            /* bit depth */
        ihdr[9] = 2;            /* RGB */
        memcpy(file, "\x89PNG\r\n\x1a\n", 8);
        size_t n = 8;
        n += put_chunk(file + n, "IHDR", ihdr, 13);
        n += put_chunk(file + n, "IDAT", z, (uint32_t) z_len);
        n += put_chunk(file + n, "IEND", NULL, 0);
        ASSERT_TRUE(n < 300 * 1024);

        struct face_image img = { 0 };
        ASSERT_TRUE((uint64_t) side * side > FACE_IMAGE_MAX_PIXELS);
        ASSERT_ERR(face_image_decode(file, n, &img), EFBIG);
        ASSERT_TRUE(img.rgb == NULL);
        /* A 24 MP passport scan fits the default. */
        ASSERT_TRUE(6016u * 4016u <= FACE_IMAGE_MAX_PIXELS);
        /* Under a budget that allows it, the same file decodes (the refusal was the budget's alone). */
        ASSERT_OK(face_image_decode_limited(file, n, (uint64_t) side * side, &img));
        ASSERT_EQ(img.width, side);
        face_image_done(&img);
}

static size_t encode_j2k(const uint8_t *rgb, OPJ_CODEC_FORMAT fmt, uint8_t **ret) {
        opj_image_cmptparm_t cp[3];
        opj_cparameters_t params;
        char path[] = "/tmp/test-face-image-XXXXXX";
        int fd = mkstemp(path);

        ASSERT_TRUE(fd >= 0);
        memset(cp, 0, sizeof(cp));
        for (int c = 0; c < 3; c++)
                cp[c] = (opj_image_cmptparm_t) { .dx = 1, .dy = 1, .w = W, .h = H, .prec = 8 };
        opj_image_t *im = opj_image_create(3, cp, OPJ_CLRSPC_SRGB);
        ASSERT_TRUE(im);
        im->x1 = W;
        im->y1 = H;
        for (int c = 0; c < 3; c++)
                for (size_t i = 0; i < (size_t) W * H; i++)
                        im->comps[c].data[i] = rgb[i * 3 + c];
        opj_set_default_encoder_parameters(&params);   /* reversible 5/3 wavelet: lossless */
        opj_codec_t *codec = opj_create_compress(fmt);
        ASSERT_TRUE(opj_setup_encoder(codec, &params, im));
        opj_stream_t *s = opj_stream_create_default_file_stream(path, OPJ_FALSE);
        ASSERT_TRUE(s);
        ASSERT_TRUE(opj_start_compress(codec, im, s) && opj_encode(codec, s) && opj_end_compress(codec, s));
        opj_stream_destroy(s);
        opj_destroy_codec(codec);
        opj_image_destroy(im);

        off_t n = lseek(fd, 0, SEEK_END);
        ASSERT_TRUE(n > 0);
        *ret = malloc(n);
        ASSERT_EQ(pread(fd, *ret, n, 0), n);
        close(fd);
        unlink(path);
        return (size_t) n;
}

static void test_jpeg2000(void) {
        static const OPJ_CODEC_FORMAT fmts[] = { OPJ_CODEC_JP2, OPJ_CODEC_J2K };
        static const enum face_image_format want[] = { FACE_IMAGE_JP2, FACE_IMAGE_J2K };
        uint8_t rgb[W * H * 3];

        make_rgb(rgb);
        for (int i = 0; i < 2; i++) {
                _cleanup_free_ uint8_t *buf = NULL;
                struct face_image img = { 0 };
                enum face_image_format f;
                size_t n = encode_j2k(rgb, fmts[i], &buf);

                ASSERT_OK(face_image_detect(buf, n, &f));
                ASSERT_EQ(f, want[i]);
                ASSERT_OK(face_image_decode(buf, n, &img));
                ASSERT_EQ(img.width, W);
                ASSERT_EQ(img.height, H);
                ASSERT_EQ(max_abs_diff(&img, rgb), 0);
                face_image_done(&img);
                ASSERT_ERR(face_image_decode(buf, n / 3, &img), EBADMSG);
                /* Strict mode: a codestream cut anywhere in its data, even just its end marker, is refused. */
                ASSERT_ERR(face_image_decode(buf, n - 2, &img), EBADMSG);
                ASSERT_ERR(face_image_decode(buf, n - 40, &img), EBADMSG);
                ASSERT_ERR(face_image_decode_limited(buf, n, W * H - 1, &img), EFBIG);
        }
}

static void test_unknown(void) {
        struct face_image img = { 0 };
        static const char text[] = "GIF89a not supported";
        ASSERT_ERR(face_image_decode(text, sizeof(text), &img), EMEDIUMTYPE);
        ASSERT_ERR(face_image_decode(text, 0, &img), EMEDIUMTYPE);
        ASSERT_STREQ(face_image_format_to_string(FACE_IMAGE_JP2), "jp2");
        ASSERT_TRUE(face_image_format_to_string(_FACE_IMAGE_FORMAT_MAX) == NULL);
}

TEST_MAIN(TEST_CASE(test_jpeg), TEST_CASE(test_jpeg_truncated_tail), TEST_CASE(test_jpeg_grey),
          TEST_CASE(test_png), TEST_CASE(test_png_budget),
          TEST_CASE(test_jpeg2000), TEST_CASE(test_unknown))
