/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Synthetic clips from portraits (see clip.h): the person cut-out, its
 * pyramid, the booth background and the Y'CbCr conversion, shared by
 * lanesight-make-clip and lanesight-lanesim. make-clip's demo clip must
 * stay byte-identical, so the arithmetic here is exactly its original.
 */

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "common/macro.h"
#include "tools/clip.h"

void clip_image_done(struct clip_image *im) {
        free(im->rgb);
        free(im->alpha);
        *im = (struct clip_image) {};
}

struct jpeg_error {
        struct jpeg_error_mgr mgr;
        jmp_buf jump;
};

static void jpeg_error_exit(j_common_ptr c) {
        struct jpeg_error *e = (struct jpeg_error *) c->err;
        char msg[JMSG_LENGTH_MAX];

        c->err->format_message(c, msg);
        fprintf(stderr, "%s: JPEG: %s\n", program_invocation_short_name, msg);
        longjmp(e->jump, 1);
}

int clip_load_jpeg(const char *path, struct clip_image *ret) {
        struct jpeg_decompress_struct c = {};
        struct jpeg_error err = {};
        _cleanup_(safe_fclosep) FILE *f = NULL;
        /* Assigned between setjmp() and a possible longjmp(): volatile keeps them valid after. */
        uint8_t *volatile row = NULL;
        float *volatile rgb = NULL;
        int w, h;

        f = fopen(path, "rbe");
        if (!f)
                return -errno;
        c.err = jpeg_std_error(&err.mgr);
        err.mgr.error_exit = jpeg_error_exit;
        if (setjmp(err.jump)) {
                jpeg_destroy_decompress(&c);
                free((void *) row);
                free((void *) rgb);
                return -EBADMSG;
        }
        jpeg_create_decompress(&c);
        jpeg_stdio_src(&c, f);
        jpeg_read_header(&c, TRUE);
        c.out_color_space = JCS_RGB;
        jpeg_start_decompress(&c);
        w = (int) c.output_width;
        h = (int) c.output_height;
        if (w < 16 || h < 16 || w > 8192 || h > 8192 || c.output_components != 3)
                longjmp(err.jump, 1);
        row = malloc((size_t) w * 3);
        rgb = malloc(sizeof(float) * 3 * (size_t) w * (size_t) h);
        if (!row || !rgb)
                longjmp(err.jump, 1);
        while (c.output_scanline < c.output_height) {
                int y = (int) c.output_scanline;
                JSAMPROW rows[1] = { (JSAMPROW) row };
                jpeg_read_scanlines(&c, rows, 1);
                for (int i = 0; i < w * 3; i++)
                        rgb[(size_t) y * w * 3 + i] = row[i];
        }
        jpeg_finish_decompress(&c);
        jpeg_destroy_decompress(&c);
        free((void *) row);
        *ret = (struct clip_image) { .w = w, .h = h, .rgb = (float *) rgb };
        return 0;
}

float clip_smoothstep(float e0, float e1, float x) {
        float t = CLAMP((x - e0) / (e1 - e0), 0.0f, 1.0f);
        return t * t * (3.0f - 2.0f * t);
}

/* The matte at (u, v); edges feathered over ~1% of the size. */
static float silhouette(const struct clip_matte *m, float u, float v) {
        const float feather = 0.012f;
        float du = (u - m->cx) / m->rx, dv = (v - m->cy) / m->ry;
        float head = 1.0f - clip_smoothstep(1.0f - feather * 6, 1.0f + feather * 6, sqrtf(du * du + dv * dv));
        float half = m->neck_half + m->shoulder_grow * clip_smoothstep(m->shoulder_v0, m->shoulder_v1, v);
        float body = (1.0f - clip_smoothstep(half - feather, half + feather, fabsf(u - m->cx))) *
                     clip_smoothstep(m->neck_v - feather, m->neck_v + feather, v);
        return MAX(head, body);
}

/* The cut-out: matte, plus a key that removes a bright studio-blue backdrop inside the head ellipse. */
static int build_matte(struct clip_image *p, const struct clip_matte *m) {
        p->alpha = malloc(sizeof(float) * (size_t) p->w * (size_t) p->h);
        if (!p->alpha)
                return -ENOMEM;
        for (int y = 0; y < p->h; y++)
                for (int x = 0; x < p->w; x++) {
                        const float *c = &p->rgb[((size_t) y * p->w + x) * 3];
                        float a = silhouette(m, (x + 0.5f) / p->w, (y + 0.5f) / p->h);
                        float blue = clip_smoothstep(50.0f, 90.0f, c[2] - c[0]) *
                                     clip_smoothstep(100.0f, 130.0f, c[1]);
                        p->alpha[(size_t) y * p->w + x] = a * (1.0f - blue);
                }
        return 0;
}

/* Box-filters to half size, for sampling a shrunken person without aliasing. */
static int halve(const struct clip_image *src, struct clip_image *ret) {
        struct clip_image d = { .w = src->w / 2, .h = src->h / 2 };

        d.rgb = malloc(sizeof(float) * 3 * (size_t) d.w * (size_t) d.h);
        d.alpha = malloc(sizeof(float) * (size_t) d.w * (size_t) d.h);
        if (!d.rgb || !d.alpha) {
                clip_image_done(&d);
                return -ENOMEM;
        }
        for (int y = 0; y < d.h; y++)
                for (int x = 0; x < d.w; x++) {
                        size_t o[4] = {
                                (size_t) (2 * y) * src->w + 2 * x, (size_t) (2 * y) * src->w + 2 * x + 1,
                                (size_t) (2 * y + 1) * src->w + 2 * x, (size_t) (2 * y + 1) * src->w + 2 * x + 1,
                        };
                        /* Premultiplied, so the backdrop does not bleed into the edge. */
                        float a = 0, c[3] = {};
                        for (int k = 0; k < 4; k++) {
                                a += src->alpha[o[k]];
                                for (int ch = 0; ch < 3; ch++)
                                        c[ch] += src->rgb[o[k] * 3 + ch] * src->alpha[o[k]];
                        }
                        size_t i = (size_t) y * d.w + x;
                        d.alpha[i] = a / 4;
                        for (int ch = 0; ch < 3; ch++)
                                d.rgb[i * 3 + ch] = a > 0 ? c[ch] / a : 0;
                }
        *ret = d;
        return 0;
}

/* Mean colour of the jacket, from a patch of plain cloth on the right of the chest. */
static void torso_colour(const struct clip_image *im, float ret[3]) {
        int n = 0;

        ret[0] = ret[1] = ret[2] = 0;
        for (int y = im->h * 75 / 100; y < im->h * 85 / 100; y++)
                for (int x = im->w * 60 / 100; x < im->w * 70 / 100; x++, n++)
                        for (int ch = 0; ch < 3; ch++)
                                ret[ch] += im->rgb[((size_t) y * im->w + x) * 3 + ch];
        for (int ch = 0; ch < 3; ch++)
                ret[ch] /= MAX(n, 1);
}

void clip_person_done(struct clip_person *p) {
        for (int l = 0; l < CLIP_LEVELS; l++)
                clip_image_done(&p->levels[l]);
}

int clip_person_load(const char *path, const struct clip_matte *matte, struct clip_person *ret) {
        struct clip_person p = { .matte = *matte };
        int r;

        r = clip_load_jpeg(path, &p.levels[0]);
        if (r < 0)
                return r;
        r = build_matte(&p.levels[0], matte);
        for (int l = 1; r >= 0 && l < CLIP_LEVELS; l++)
                r = halve(&p.levels[l - 1], &p.levels[l]);
        if (r < 0) {
                clip_person_done(&p);
                return r;
        }
        torso_colour(&p.levels[0], p.torso);
        *ret = p;
        return 0;
}

/*
 * Bilinear sample of the person at portrait coords (u, v) (0..1). Below the
 * portrait the torso continues: the bottom rows repeat, so a distant person
 * has a body down to the floor instead of floating.
 */
static float sample(const struct clip_image *im, const float torso[3], float u, float v, float out[3]) {
        if (u < 0 || u >= 1 || v < 0)
                return 0;
        float fx = u * im->w - 0.5f, fy = MIN(v, 0.999f) * im->h - 0.5f;
        int x0 = (int) floorf(fx), y0 = (int) floorf(fy);
        float ax = fx - x0, ay = fy - y0, a = 0;
        float c[3] = {};

        for (int k = 0; k < 4; k++) {
                int x = CLAMP(x0 + (k & 1), 0, im->w - 1), y = CLAMP(y0 + (k >> 1), 0, im->h - 1);
                float wgt = ((k & 1) ? ax : 1 - ax) * ((k >> 1) ? ay : 1 - ay);
                size_t i = (size_t) y * im->w + x;
                float pa = im->alpha[i] * wgt;
                a += pa;
                for (int ch = 0; ch < 3; ch++)
                        c[ch] += im->rgb[i * 3 + ch] * pa;
        }
        /* The jacket goes on below the photo: blend into its plain colour, darker further down. */
        float plain = clip_smoothstep(0.96f, 1.0f, v), shade = 1.0f - 0.25f * clip_smoothstep(1.0f, 2.0f, v);
        for (int ch = 0; ch < 3; ch++) {
                float px = a > 0 ? c[ch] / a : 0;
                out[ch] = (px * (1 - plain) + torso[ch] * plain) * (plain > 0 ? shade : 1.0f);
        }
        return a;
}

/*
 * A head turn, in 2-D: the head is taken as a vertical cylinder of the
 * ellipse's half width and the photo is re-projected onto it turned by
 * yaw degrees (the far side foreshortens, the near side widens, the nose
 * moves off-centre). Fades out over the chin so the neck stays put.
 */
static float turn_head(const struct clip_matte *m, float yaw, float u, float v) {
        float fade = 1.0f - clip_smoothstep(m->cy + m->ry * 0.7f, m->cy + m->ry * 1.05f, v);
        float x = (u - m->cx) / m->rx;

        if (fade <= 0 || fabsf(x) >= 1)
                return u;
        float phi = asinf(x) - yaw * fade * (float) (M_PI / 180.0);
        phi = CLAMP(phi, (float) -M_PI_2, (float) M_PI_2);      /* behind the head: its edge */
        return m->cx + m->rx * sinf(phi);
}

void clip_draw_person(const struct clip_person *p, struct clip_pose q, float *out, int W, int H) {
        const struct clip_image *im = &p->levels[0];
        int lvl = 0;

        /* Pick the pyramid level closest above the on-screen size. */
        while (lvl + 1 < CLIP_LEVELS && p->levels[lvl + 1].w >= q.size)
                im = &p->levels[++lvl];

        int x0 = MAX(0, (int) floorf(q.cx - q.size / 2)), x1 = MIN(W, (int) ceilf(q.cx + q.size / 2));
        int y0 = MAX(0, (int) floorf(q.cy - q.size / 2));
        /* Below the photo (v >= 1) a column's matte is its last row's and the colour the plain jacket's. */
        _cleanup_free_ float *below = malloc(sizeof(float) * (size_t) MAX(x1 - x0, 1));
        bool have_below = false;
        for (int y = y0; y < H; y++) {
                float v = (y + 0.5f - (q.cy - q.size / 2)) / q.size;
                bool plain = below && v >= 1.0f;
                float shade = 1.0f - 0.25f * clip_smoothstep(1.0f, 2.0f, v);
                for (int x = x0; x < x1; x++) {
                        float u = (x + 0.5f - (q.cx - q.size / 2)) / q.size;
                        float px[3], a;
                        if (plain && have_below) {
                                a = below[x - x0];
                                for (int ch = 0; ch < 3; ch++)
                                        px[ch] = p->torso[ch] * shade;
                        } else {
                                if (q.yaw != 0)
                                        u = turn_head(&p->matte, q.yaw, u, v);
                                a = sample(im, p->torso, u, v, px);
                                if (plain)
                                        below[x - x0] = a;
                        }
                        if (a <= 0)
                                continue;
                        float *o = &out[((size_t) y * W + x) * 3];
                        for (int ch = 0; ch < 3; ch++)
                                o[ch] = o[ch] * (1 - a) + px[ch] * a;
                }
                have_below = plain;
        }
}

uint32_t clip_xorshift(uint32_t *s) {
        uint32_t x = *s;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return *s = x;
}

void clip_draw_background(float *rgb, int W, int H) {
        for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                        float fx = (float) x / W, fy = (float) y / H, c[3];
                        float light = 1.0f - 0.25f * ((fx - 0.5f) * (fx - 0.5f) + (fy - 0.35f) * (fy - 0.35f)) * 2.5f;

                        c[0] = 196, c[1] = 200, c[2] = 204;     /* pale grey-blue wall */
                        if (fabsf(fx - 0.18f) < 0.004f || fabsf(fx - 0.82f) < 0.004f)
                                c[0] -= 30, c[1] -= 30, c[2] -= 28;     /* panel seams */
                        if (fy > 0.78f && fy < 0.80f)
                                c[0] = 150, c[1] = 145, c[2] = 140;     /* ledge */
                        else if (fy >= 0.80f)
                                c[0] = 120, c[1] = 118, c[2] = 116;     /* counter below the ledge */
                        float *o = &rgb[((size_t) y * W + x) * 3];
                        for (int ch = 0; ch < 3; ch++)
                                o[ch] = c[ch] * light;
                }
}

/* Full-range RGB to BT.601 limited-range Y'CbCr. */
static void rgb_to_ycbcr(const float c[3], float *y, float *cb, float *cr) {
        float r = c[0] / 255, g = c[1] / 255, b = c[2] / 255;
        float yy = 0.299f * r + 0.587f * g + 0.114f * b;

        *y = 16 + 219 * yy;
        *cb = 128 + 224 * 0.564f * (b - yy);
        *cr = 128 + 224 * 0.713f * (r - yy);
}

static uint8_t to_u8(float v) {
        return (uint8_t) CLAMP((int) lrintf(v), 0, 255);
}

size_t clip_frame_size(int W, int H) {
        return (size_t) W * H + 2 * (size_t) ((W + 1) / 2) * ((H + 1) / 2);
}

int clip_rgb_to_yuv420(const float *rgb, int W, int H, int noise, uint32_t *state, uint8_t *yuv) {
        /* 420jpeg: chroma centred between the four luma samples it averages. */
        int cw = (W + 1) / 2, chh = (H + 1) / 2;
        uint8_t *Y = yuv, *Cb = Y + (size_t) W * H, *Cr = Cb + (size_t) cw * chh;
        _cleanup_free_ float *cbs = calloc((size_t) cw * chh * 2, sizeof(float));

        if (!cbs)
                return -ENOMEM;
        for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                        float yy, cb, cr;
                        rgb_to_ycbcr(&rgb[((size_t) y * W + x) * 3], &yy, &cb, &cr);
                        if (noise > 0)
                                yy += (float) (clip_xorshift(state) % (uint32_t) (2 * noise + 1)) - (float) noise;
                        Y[(size_t) y * W + x] = to_u8(yy);
                        size_t ci = (size_t) (y / 2) * cw + x / 2;
                        cbs[2 * ci] += cb;
                        cbs[2 * ci + 1] += cr;
                }
        for (int y = 0; y < chh; y++)
                for (int x = 0; x < cw; x++) {
                        /* Edge blocks of odd sizes hold fewer than four samples. */
                        int cnt = (MIN(2, W - 2 * x)) * (MIN(2, H - 2 * y));
                        size_t ci = (size_t) y * cw + x;
                        Cb[ci] = to_u8(cbs[2 * ci] / cnt);
                        Cr[ci] = to_u8(cbs[2 * ci + 1] / cnt);
                }
        return 0;
}

void clip_write_header(FILE *f, int W, int H, int fps) {
        fprintf(f, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n", W, H, fps);
}

void clip_expose(const float *bg, int W, int H, const int rect[4], float t, float exposure, int samples,
                 void (*draw)(void *userdata, float t, float *frame), void *userdata, float *scratch, float *out) {
        int x0 = rect ? CLAMP(rect[0], 0, W) : 0, y0 = rect ? CLAMP(rect[1], 0, H) : 0;
        int x1 = rect ? CLAMP(rect[2], x0, W) : W, y1 = rect ? CLAMP(rect[3], y0, H) : H;
        size_t row = (size_t) (x1 - x0) * 3;

        /* Outside the rectangle nothing moves: the scene is the background. */
        if (rect)
                memcpy(out, bg, (size_t) W * H * 3 * sizeof(float));
        for (int y = y0; y < y1; y++)
                memset(&out[((size_t) y * W + x0) * 3], 0, row * sizeof(float));
        for (int s = 0; s < samples; s++) {
                for (int y = y0; y < y1; y++)
                        memcpy(&scratch[((size_t) y * W + x0) * 3], &bg[((size_t) y * W + x0) * 3], row * sizeof(float));
                draw(userdata, t + exposure * ((float) s + 0.5f) / samples, scratch);
                for (int y = y0; y < y1; y++) {
                        float *o = &out[((size_t) y * W + x0) * 3];
                        const float *i = &scratch[((size_t) y * W + x0) * 3];
                        for (size_t k = 0; k < row; k++)
                                o[k] += i[k];
                }
        }
        for (int y = y0; y < y1; y++) {
                float *o = &out[((size_t) y * W + x0) * 3];
                for (size_t k = 0; k < row; k++)
                        o[k] /= samples;
        }
}
