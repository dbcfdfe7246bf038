/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes the fuzzers' seeds into DIR/{jpeg,png,jp2,template}/: small
 * pictures in each format's common variants (colour, grey, progressive JPEG,
 * PNG with alpha, 16-bit and palette, JP2 and raw J2K, lossless and lossy),
 * made with each format's own encoder, and templates of a few dimensions.
 * Usage: fuzz-seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jpeglib.h>
#include <openjpeg.h>
#include <png.h>

#include "face/template.h"

#define W 24
#define H 18

static uint8_t pixels[W * H * 4 * 2];

static void write_file(const char *dir, const char *sub, const char *name, const void *p, size_t n) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, sub);
        (void) mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
        FILE *f = fopen(path, "we");
        if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
                fprintf(stderr, "fuzz-seeds: cannot write %s\n", path);
                exit(EXIT_FAILURE);
        }
}

static void jpeg_seed(const char *dir, const char *name, int comps, int progressive, int quality) {
        struct jpeg_compress_struct ci;
        struct jpeg_error_mgr err;
        unsigned char *out = NULL;
        unsigned long size = 0;

        ci.err = jpeg_std_error(&err);
        jpeg_create_compress(&ci);
        jpeg_mem_dest(&ci, &out, &size);
        ci.image_width = W;
        ci.image_height = H;
        ci.input_components = comps;
        ci.in_color_space = comps == 3 ? JCS_RGB : JCS_GRAYSCALE;
        jpeg_set_defaults(&ci);
        jpeg_set_quality(&ci, quality, TRUE);
        if (progressive)
                jpeg_simple_progression(&ci);
        jpeg_start_compress(&ci, TRUE);
        while (ci.next_scanline < H) {
                JSAMPROW row = pixels + ci.next_scanline * W * comps;
                jpeg_write_scanlines(&ci, &row, 1);
        }
        jpeg_finish_compress(&ci);
        jpeg_destroy_compress(&ci);
        write_file(dir, "jpeg", name, out, size);
        free(out);
}

static void png_seed(const char *dir, const char *name, png_uint_32 format) {
        png_image png = { .version = PNG_IMAGE_VERSION, .width = W, .height = H, .format = format };
        static uint8_t out[64 * 1024];
        png_alloc_size_t n = sizeof(out);

        if (format & PNG_FORMAT_FLAG_COLORMAP)
                png.colormap_entries = 256;

        if (!png_image_write_to_memory(&png, out, &n, 0, pixels, 0, format & PNG_FORMAT_FLAG_COLORMAP ? pixels : NULL)) {
                fprintf(stderr, "fuzz-seeds: %s: %s\n", name, png.message);
                exit(EXIT_FAILURE);
        }
        write_file(dir, "png", name, out, n);
}

static void jp2_seed(const char *dir, const char *tmp, const char *name, OPJ_CODEC_FORMAT fmt, int comps,
                     int lossy) {
        opj_image_cmptparm_t cp[3] = { 0 };
        opj_cparameters_t params;

        for (int c = 0; c < comps; c++)
                cp[c] = (opj_image_cmptparm_t) { .dx = 1, .dy = 1, .w = W, .h = H, .prec = 8 };
        opj_image_t *im = opj_image_create(comps, cp, comps == 3 ? OPJ_CLRSPC_SRGB : OPJ_CLRSPC_GRAY);
        im->x1 = W;
        im->y1 = H;
        for (int c = 0; c < comps; c++)
                for (size_t i = 0; i < (size_t) W * H; i++)
                        im->comps[c].data[i] = pixels[i * 3 + c];
        opj_set_default_encoder_parameters(&params);
        params.numresolution = 3;
        if (lossy) {
                params.irreversible = 1;
                params.tcp_numlayers = 1;
                params.tcp_rates[0] = 20;
                params.cp_disto_alloc = 1;
        }
        opj_codec_t *codec = opj_create_compress(fmt);
        opj_stream_t *s = NULL;
        if (!codec || !opj_setup_encoder(codec, &params, im) ||
            !(s = opj_stream_create_default_file_stream(tmp, OPJ_FALSE)) || !opj_start_compress(codec, im, s) ||
            !opj_encode(codec, s) || !opj_end_compress(codec, s)) {
                fprintf(stderr, "fuzz-seeds: %s: encoding failed\n", name);
                exit(EXIT_FAILURE);
        }
        opj_stream_destroy(s);
        opj_destroy_codec(codec);
        opj_image_destroy(im);

        static uint8_t out[64 * 1024];
        FILE *f = fopen(tmp, "re");
        size_t n = f ? fread(out, 1, sizeof(out), f) : 0;
        if (f)
                fclose(f);
        remove(tmp);
        write_file(dir, "jp2", name, out, n);
}

static void template_seed(const char *dir, const char *name, const char *model, size_t dim) {
        static float v[FACE_TEMPLATE_DIM_MAX];
        static uint8_t out[FACE_TEMPLATE_HEADER_SIZE + sizeof(v)];

        for (size_t i = 0; i < dim; i++)
                v[i] = (float) ((i * 37) % 11) - 5.0f + 0.25f;
        if (face_template_encode(model, v, dim, out, sizeof(out)) < 0) {
                fprintf(stderr, "fuzz-seeds: %s: encoding failed\n", name);
                exit(EXIT_FAILURE);
        }
        write_file(dir, "template", name, out, face_template_size(dim));
}

int main(int argc, char **argv) {
        char tmp[4096];

        if (argc != 2) {
                fprintf(stderr, "Usage: fuzz-seeds DIR\n");
                return 2;
        }
        (void) mkdir(argv[1], 0755);
        /* Smooth ramps with an edge: every block type and filter has work to do. */
        for (size_t i = 0; i < sizeof(pixels); i++)
                pixels[i] = (uint8_t) (i * 7 + (i / (W * 3)) * 13 + ((i % (W * 3)) > W ? 90 : 0));
        jpeg_seed(argv[1], "rgb.jpg", 3, 0, 90);
        jpeg_seed(argv[1], "grey.jpg", 1, 0, 75);
        jpeg_seed(argv[1], "progressive.jpg", 3, 1, 85);
        png_seed(argv[1], "rgb.png", PNG_FORMAT_RGB);
        png_seed(argv[1], "grey.png", PNG_FORMAT_GRAY);
        png_seed(argv[1], "rgba.png", PNG_FORMAT_RGBA);
        png_seed(argv[1], "rgb16.png", PNG_FORMAT_LINEAR_RGB);
        png_seed(argv[1], "palette.png", PNG_FORMAT_RGB_COLORMAP);
        snprintf(tmp, sizeof(tmp), "%s/tmp.j2k", argv[1]);
        jp2_seed(argv[1], tmp, "rgb.jp2", OPJ_CODEC_JP2, 3, 0);
        jp2_seed(argv[1], tmp, "grey.jp2", OPJ_CODEC_JP2, 1, 0);
        jp2_seed(argv[1], tmp, "lossy.jp2", OPJ_CODEC_JP2, 3, 1);
        jp2_seed(argv[1], tmp, "rgb.j2k", OPJ_CODEC_J2K, 3, 0);
        jp2_seed(argv[1], tmp, "lossy.j2k", OPJ_CODEC_J2K, 1, 1);
        template_seed(argv[1], "fr-feature-512", "fr-feature-112", 512);
        template_seed(argv[1], "sface-128", "face_recognition_sface_2021dec", 128);
        template_seed(argv[1], "tiny-3", "x", 3);
        return 0;
}
