/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <openjpeg.h>
#include <png.h>
#include <zlib.h>

#include "common/macro.h"
#include "face/image.h"

static const char *const format_names[_FACE_IMAGE_FORMAT_MAX] = {
        [FACE_IMAGE_JPEG] = "jpeg",
        [FACE_IMAGE_PNG] = "png",
        [FACE_IMAGE_JP2] = "jp2",
        [FACE_IMAGE_J2K] = "j2k",
};

const char *face_image_format_to_string(enum face_image_format f) {
        return f >= 0 && f < _FACE_IMAGE_FORMAT_MAX ? format_names[f] : NULL;
}

int face_image_detect(const void *data, size_t size, enum face_image_format *ret) {
        static const uint8_t jp2_sig[] = { 0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a };
        static const uint8_t j2k_sig[] = { 0xff, 0x4f, 0xff, 0x51 };
        static const uint8_t png_sig[] = { 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a };
        const uint8_t *p = data;

        if (!data)
                return -EINVAL;
        if (size >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
                *ret = FACE_IMAGE_JPEG;
        else if (size >= sizeof(png_sig) && memcmp(p, png_sig, sizeof(png_sig)) == 0)
                *ret = FACE_IMAGE_PNG;
        else if (size >= sizeof(jp2_sig) && memcmp(p, jp2_sig, sizeof(jp2_sig)) == 0)
                *ret = FACE_IMAGE_JP2;
        else if (size >= sizeof(j2k_sig) && memcmp(p, j2k_sig, sizeof(j2k_sig)) == 0)
                *ret = FACE_IMAGE_J2K;
        else
                return -EMEDIUMTYPE;
        return 0;
}

static int image_alloc(unsigned w, unsigned h, uint64_t max_pixels, struct face_image *img) {
        size_t n;

        if (w == 0 || h == 0)
                return -EBADMSG;
        if ((uint64_t) w * h > max_pixels)
                return -EFBIG;
        if (!size_mul_ok((size_t) w * h, 3, &n))
                return -EFBIG;
        img->rgb = malloc(n);
        if (!img->rgb)
                return -ENOMEM;
        img->width = w;
        img->height = h;
        return 0;
}

void face_image_done(struct face_image *img) {
        if (!img)
                return;
        free(img->rgb);
        *img = (struct face_image) { 0 };
}

/* ---- JPEG ------------------------------------------------------------- */

struct jpeg_error_ctx {
        struct jpeg_error_mgr mgr;
        jmp_buf jump;
};

static void jpeg_error_exit(j_common_ptr cinfo) {
        struct jpeg_error_ctx *ctx = (struct jpeg_error_ctx *) cinfo->err;
        longjmp(ctx->jump, 1);
}

static void jpeg_count_warning(j_common_ptr cinfo, int level) {
        /* Not printed (library code does not log); counted so corruption is refused. */
        if (level < 0)
                cinfo->err->num_warnings++;
}

static int decode_jpeg(const void *data, size_t size, uint64_t max_pixels, struct face_image *ret) {
        struct jpeg_decompress_struct cinfo = { 0 };
        struct jpeg_error_ctx err = { 0 };
        struct face_image img = { 0 };
        volatile int r = -EBADMSG;

        cinfo.err = jpeg_std_error(&err.mgr);
        err.mgr.error_exit = jpeg_error_exit;
        err.mgr.emit_message = jpeg_count_warning;
        if (setjmp(err.jump)) {
                jpeg_destroy_decompress(&cinfo);
                face_image_done(&img);
                return r;
        }
        jpeg_create_decompress(&cinfo);
        jpeg_mem_src(&cinfo, data, (unsigned long) size);
        if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK)
                longjmp(err.jump, 1);
        cinfo.out_color_space = JCS_RGB;        /* libjpeg replicates grey and converts CMYK/YCC */
        r = image_alloc(cinfo.image_width, cinfo.image_height, max_pixels, &img);
        if (r < 0)
                longjmp(err.jump, 1);
        r = -EBADMSG;
        jpeg_start_decompress(&cinfo);
        if (cinfo.output_components != 3 || cinfo.output_width != img.width ||
            cinfo.output_height != img.height)
                longjmp(err.jump, 1);
        while (cinfo.output_scanline < cinfo.output_height) {
                JSAMPROW row = img.rgb + (size_t) cinfo.output_scanline * img.width * 3;
                if (jpeg_read_scanlines(&cinfo, &row, 1) != 1)
                        longjmp(err.jump, 1);
        }
        /*
         * A truncated file decodes with grey fill and a warning; treat it as
         * corrupt. Checked after jpeg_finish_decompress(), which reads up to
         * EOI: a file cut inside its last marker warns only there.
         */
        jpeg_finish_decompress(&cinfo);
        if (err.mgr.num_warnings > 0)
                longjmp(err.jump, 1);
        jpeg_destroy_decompress(&cinfo);
        *ret = img;
        return 0;
}

/* ---- PNG -------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

/*
 * The chunk structure, before libpng sees the data: every chunk complete
 * with a matching CRC (libpng only warns about ancillary ones), IHDR first
 * and within the pixel budget, and the file ending exactly with IEND (the
 * simplified API stops after the image data and accepted a file missing the
 * tail of its IEND chunk).
 */
static int png_check_chunks(const uint8_t *p, size_t size, uint64_t max_pixels) {
        size_t pos = 8;
        bool first = true;

        while (pos < size) {
                if (size - pos < 12)
                        return -EBADMSG;
                uint32_t len = be32(p + pos);
                if (len > size - pos - 12)
                        return -EBADMSG;
                const uint8_t *type = p + pos + 4;
                uint32_t crc = (uint32_t) crc32(0, type, len + 4);
                if (crc != be32(p + pos + 8 + len))
                        return -EBADMSG;
                if (first) {
                        if (memcmp(type, "IHDR", 4) != 0 || len != 13)
                                return -EBADMSG;
                        uint32_t w = be32(type + 4), h = be32(type + 8);
                        if (w == 0 || h == 0)
                                return -EBADMSG;
                        if ((uint64_t) w * h > max_pixels)
                                return -EFBIG;
                        first = false;
                }
                pos += 12 + (size_t) len;
                if (memcmp(type, "IEND", 4) == 0)
                        return pos == size ? 0 : -EBADMSG;
        }
        return -EBADMSG;        /* no IEND */
}

/*
 * A warning libpng worked around is damage (extra or missing image data, a
 * bad filter), except about colour management: common cameras and editors
 * write sRGB profiles libpng calls "known incorrect" (skimage's astronaut.png).
 * Only the last message is kept; the colour chunks precede the image data,
 * so a later damage warning is the one seen.
 */
static bool png_warning_is_damage(const png_image *png) {
        static const char *const benign[] = { "iCCP", "sRGB", "cHRM", "gAMA", "profile" };

        if (!(png->warning_or_error & PNG_IMAGE_WARNING))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(benign); i++)
                if (strncmp(png->message, benign[i], strlen(benign[i])) == 0)
                        return false;
        return true;
}

static int decode_png(const void *data, size_t size, uint64_t max_pixels, struct face_image *ret) {
        png_image png = { .version = PNG_IMAGE_VERSION };
        struct face_image img = { 0 };
        int r;

        r = png_check_chunks(data, size, max_pixels);
        if (r < 0)
                return r;
        if (!png_image_begin_read_from_memory(&png, data, size))
                return -EBADMSG;
        png.format = PNG_FORMAT_RGB;    /* grey expanded, alpha composited on black */
        r = image_alloc(png.width, png.height, max_pixels, &img);
        if (r < 0) {
                png_image_free(&png);
                return r;
        }
        if (!png_image_finish_read(&png, NULL, img.rgb, (png_int_32) (img.width * 3), NULL) ||
            png_warning_is_damage(&png)) {
                png_image_free(&png);
                face_image_done(&img);
                return -EBADMSG;
        }
        *ret = img;
        return 0;
}

/* ---- JPEG 2000 -------------------------------------------------------- */

struct mem_stream {
        const uint8_t *data;
        size_t size, pos;
};

static OPJ_SIZE_T mem_read(void *buf, OPJ_SIZE_T n, void *user) {
        struct mem_stream *m = user;
        if (m->pos >= m->size)
                return (OPJ_SIZE_T) -1;
        n = MIN(n, m->size - m->pos);
        memcpy(buf, m->data + m->pos, n);
        m->pos += n;
        return n;
}

static OPJ_OFF_T mem_skip(OPJ_OFF_T n, void *user) {
        struct mem_stream *m = user;
        if (n < 0 ? (size_t) -n > m->pos : (size_t) n > m->size - m->pos)
                return -1;
        m->pos += n;
        return n;
}

static OPJ_BOOL mem_seek(OPJ_OFF_T n, void *user) {
        struct mem_stream *m = user;
        if (n < 0 || (size_t) n > m->size)
                return OPJ_FALSE;
        m->pos = (size_t) n;
        return OPJ_TRUE;
}

static void opj_quiet(const char *msg, void *user) {
}

static void opj_count_warning(const char *msg, void *user) {
        /* Not printed (library code does not log); counted so damage is refused. */
        (*(unsigned *) user)++;
}

static uint8_t sample_to_u8(const opj_image_comp_t *c, size_t i) {
        int v = c->data[i];
        if (c->sgnd)
                v += 1 << (c->prec - 1);
        if (c->prec > 8)
                v >>= c->prec - 8;
        else if (c->prec < 8)
                v <<= 8 - c->prec;
        return (uint8_t) CLAMP(v, 0, 255);
}

static int jp2_to_rgb(const opj_image_t *im, uint64_t max_pixels, struct face_image *ret) {
        struct face_image img = { 0 };
        int r;

        if (im->numcomps < 1 || !im->comps)
                return -EBADMSG;
        const opj_image_comp_t *c0 = &im->comps[0];
        unsigned ncolor = im->numcomps >= 3 ? 3 : 1;
        for (unsigned k = 0; k < ncolor; k++) {
                const opj_image_comp_t *c = &im->comps[k];
                /* Subsampled chroma (4:2:0 J2K) is rare in DG2; refuse rather than guess. */
                if (!c->data || c->w != c0->w || c->h != c0->h || c->prec < 1 || c->prec > 16)
                        return -EBADMSG;
        }
        r = image_alloc(c0->w, c0->h, max_pixels, &img);
        if (r < 0)
                return r;
        if (ncolor == 3 && im->color_space == OPJ_CLRSPC_SYCC) {
                face_image_done(&img);
                return -EBADMSG;
        }
        size_t n = (size_t) img.width * img.height;
        for (size_t i = 0; i < n; i++)
                for (unsigned k = 0; k < 3; k++)
                        img.rgb[i * 3 + k] = sample_to_u8(&im->comps[ncolor == 3 ? k : 0], i);
        *ret = img;
        return 0;
}

static int decode_jp2(const void *data, size_t size, OPJ_CODEC_FORMAT fmt, uint64_t max_pixels,
                      struct face_image *ret) {
        struct mem_stream m = { .data = data, .size = size };
        opj_dparameters_t params;
        opj_codec_t *codec = NULL;
        opj_stream_t *stream = NULL;
        opj_image_t *im = NULL;
        unsigned warnings = 0;
        int r = -EBADMSG;

        codec = opj_create_decompress(fmt);
        stream = opj_stream_create(64 * 1024, OPJ_TRUE);
        if (!codec || !stream) {
                r = -ENOMEM;
                goto finish;
        }
        opj_set_default_decoder_parameters(&params);
        opj_set_info_handler(codec, opj_quiet, NULL);
        opj_set_warning_handler(codec, opj_count_warning, &warnings);
        opj_set_error_handler(codec, opj_quiet, NULL);
        opj_stream_set_user_data(stream, &m, NULL);
        opj_stream_set_user_data_length(stream, size);
        opj_stream_set_read_function(stream, mem_read);
        opj_stream_set_skip_function(stream, mem_skip);
        opj_stream_set_seek_function(stream, mem_seek);

        /* Strict mode: a truncated codestream is an error, not a partial picture. */
        if (!opj_setup_decoder(codec, &params) || !opj_decoder_set_strict_mode(codec, OPJ_TRUE) ||
            !opj_read_header(stream, codec, &im) || !im || warnings > 0)
                goto finish;
        /* Every component is decoded at its own size: budget them all, not just the canvas. */
        uint64_t samples = 0;
        for (unsigned k = 0; k < im->numcomps; k++)
                samples += (uint64_t) im->comps[k].w * im->comps[k].h;
        if (im->x1 <= im->x0 || im->y1 <= im->y0 || im->numcomps < 1 || im->numcomps > 4)
                goto finish;
        if ((uint64_t) (im->x1 - im->x0) * (im->y1 - im->y0) > max_pixels || samples > 4 * max_pixels) {
                r = -EFBIG;
                goto finish;
        }
        if (!opj_decode(codec, stream, im) || !opj_end_decompress(codec, stream) || warnings > 0)
                goto finish;
        r = jp2_to_rgb(im, max_pixels, ret);
finish:
        if (im)
                opj_image_destroy(im);
        if (stream)
                opj_stream_destroy(stream);
        if (codec)
                opj_destroy_codec(codec);
        return r;
}

int face_image_decode(const void *data, size_t size, struct face_image *ret) {
        return face_image_decode_limited(data, size, FACE_IMAGE_MAX_PIXELS, ret);
}

int face_image_decode_limited(const void *data, size_t size, uint64_t max_pixels, struct face_image *ret) {
        enum face_image_format f;
        int r;

        if (!ret)
                return -EINVAL;
        r = face_image_detect(data, size, &f);
        if (r < 0)
                return r;
        switch (f) {
        case FACE_IMAGE_JPEG:
                return decode_jpeg(data, size, max_pixels, ret);
        case FACE_IMAGE_PNG:
                return decode_png(data, size, max_pixels, ret);
        case FACE_IMAGE_JP2:
                return decode_jp2(data, size, OPJ_CODEC_JP2, max_pixels, ret);
        case FACE_IMAGE_J2K:
                return decode_jp2(data, size, OPJ_CODEC_J2K, max_pixels, ret);
        default:
                return -EMEDIUMTYPE;
        }
}
