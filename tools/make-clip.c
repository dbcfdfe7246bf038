/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesight-make-clip: builds the embedded demo clip, a traveler walking up
 * to a booth camera, from one portrait photo.
 *
 *   lanesight-make-clip PORTRAIT.jpg OUT.y4m [WIDTH HEIGHT FPS SECONDS]
 *
 * The portrait used by `make demo` is grace_hopper_512x512.jpg from the
 * examples of Debian's `facedetect` package (fetched with apt-get download
 * at build time, never committed). It is the official US Navy portrait of
 * Commodore Grace M. Hopper (1984, photographer James S. Davis), a work of
 * the US federal government and therefore in the public domain; the JPEG's
 * own comment names its source, Wikimedia Commons "File:Grace_Hopper.jpg".
 *
 * What the clip shows: a plain booth background (a lit wall with panel seams
 * and a ledge, sensor noise), and the person -- the portrait cut out as a
 * head-and-shoulders silhouette with a torso continued below it -- entering
 * from the right, growing as they approach, bobbing with each step,
 * settling centred with a small sway. Frames where the person moves fast
 * are rendered with temporal supersampling, i.e. real motion blur.
 *
 * Output: YUV4MPEG2 4:2:0 (C420jpeg, BT.601 limited range). The default is
 * 640x480 at 15 fps for 6 s (90 frames, 41 MB): VGA is what booth cameras
 * and face detectors commonly work at, and it keeps the clip small and its
 * generation well under a second; 15 fps is a usual low-light webcam rate.
 *
 * Deterministic: no clock, no libc random(); a fixed-seed xorshift for the
 * noise and the build's -ffp-contract=off make the bytes the same each run.
 */

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "common/macro.h"

struct image {
        int w, h;
        float *rgb;             /* linear-ish 0..255 floats, 3 per pixel */
        float *alpha;           /* silhouette matte, 0..1 */
};

static void image_done(struct image *im) {
        free(im->rgb);
        free(im->alpha);
        *im = (struct image) {};
}

struct jpeg_error {
        struct jpeg_error_mgr mgr;
        jmp_buf jump;
};

static void jpeg_error_exit(j_common_ptr c) {
        struct jpeg_error *e = (struct jpeg_error *) c->err;
        char msg[JMSG_LENGTH_MAX];

        c->err->format_message(c, msg);
        fprintf(stderr, "lanesight-make-clip: JPEG: %s\n", msg);
        longjmp(e->jump, 1);
}

static int load_jpeg(const char *path, struct image *ret) {
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
        *ret = (struct image) { .w = w, .h = h, .rgb = (float *) rgb };
        return 0;
}

static float smoothstep(float e0, float e1, float x) {
        float t = CLAMP((x - e0) / (e1 - e0), 0.0f, 1.0f);
        return t * t * (3.0f - 2.0f * t);
}

/*
 * A head-and-shoulders matte in portrait-relative coordinates (u, v in
 * 0..1 across the square portrait): an ellipse for the head and cap, and a
 * neck widening into shoulders; edges feathered over ~1% of the size.
 * Fitted to the Hopper portrait (face centred near u=0.52, v=0.40); for
 * another portrait it still gives a plausible bust.
 */
static float silhouette(float u, float v) {
        const float feather = 0.012f;
        float du = (u - 0.515f) / 0.225f, dv = (v - 0.31f) / 0.315f;
        float head = 1.0f - smoothstep(1.0f - feather * 6, 1.0f + feather * 6, sqrtf(du * du + dv * dv));
        float half = 0.13f + 0.33f * smoothstep(0.58f, 0.80f, v);      /* neck -> shoulders */
        float body = (1.0f - smoothstep(half - feather, half + feather, fabsf(u - 0.515f))) *
                     smoothstep(0.55f - feather, 0.55f + feather, v);
        return MAX(head, body);
}

/* The cut-out: matte, plus a key that removes the bright studio-blue backdrop inside the head ellipse. */
static void build_matte(struct image *p) {
        p->alpha = malloc(sizeof(float) * (size_t) p->w * (size_t) p->h);
        if (!p->alpha)
                return;
        for (int y = 0; y < p->h; y++)
                for (int x = 0; x < p->w; x++) {
                        const float *c = &p->rgb[((size_t) y * p->w + x) * 3];
                        float a = silhouette((x + 0.5f) / p->w, (y + 0.5f) / p->h);
                        float blue = smoothstep(50.0f, 90.0f, c[2] - c[0]) * smoothstep(100.0f, 130.0f, c[1]);
                        p->alpha[(size_t) y * p->w + x] = a * (1.0f - blue);
                }
}

/* Box-filters to half size, for sampling a shrunken person without aliasing. */
static int halve(const struct image *src, struct image *ret) {
        struct image d = { .w = src->w / 2, .h = src->h / 2 };

        d.rgb = malloc(sizeof(float) * 3 * (size_t) d.w * (size_t) d.h);
        d.alpha = malloc(sizeof(float) * (size_t) d.w * (size_t) d.h);
        if (!d.rgb || !d.alpha) {
                image_done(&d);
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

#define LEVELS 4

/*
 * Bilinear sample of the person at portrait coords (u, v) (0..1). Below the
 * portrait the torso continues: the bottom rows repeat, so a distant person
 * has a body down to the floor instead of floating.
 */
static float sample(const struct image *im, const float torso[3], float u, float v, float out[3]) {
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
        float plain = smoothstep(0.96f, 1.0f, v), shade = 1.0f - 0.25f * smoothstep(1.0f, 2.0f, v);
        for (int ch = 0; ch < 3; ch++) {
                float px = a > 0 ? c[ch] / a : 0;
                out[ch] = (px * (1 - plain) + torso[ch] * plain) * (plain > 0 ? shade : 1.0f);
        }
        return a;
}

/* Mean colour of the jacket, from a patch of plain cloth on the right of the chest. */
static void torso_colour(const struct image *im, float ret[3]) {
        int n = 0;

        ret[0] = ret[1] = ret[2] = 0;
        for (int y = im->h * 75 / 100; y < im->h * 85 / 100; y++)
                for (int x = im->w * 60 / 100; x < im->w * 70 / 100; x++, n++)
                        for (int ch = 0; ch < 3; ch++)
                                ret[ch] += im->rgb[((size_t) y * im->w + x) * 3 + ch];
        for (int ch = 0; ch < 3; ch++)
                ret[ch] /= MAX(n, 1);
}

struct pose {
        float cx, cy;           /* frame position of the portrait's centre */
        float size;             /* portrait side in frame pixels */
};

/* Where the person is at time t (seconds) of a clip lasting `len` seconds. */
static struct pose pose_at(float t, float len, int W, int H) {
        float walk_end = 0.55f * len;                   /* then stand at the camera */
        float p = smoothstep(0.0f, walk_end, t);
        float s = t / walk_end;
        struct pose q;

        /* Far and off to the right, then close and centred. Perspective: size grows faster near the end. */
        float nearness = p * p * 0.6f + p * 0.4f;
        q.size = H * (0.36f + 0.60f * nearness);
        q.cx = W * (1.15f - 0.65f * p);
        /* Eyes stay near camera height; the portrait centre sits a little below. */
        q.cy = H * 0.42f + q.size * 0.08f;

        if (t < walk_end) {
                /* Steps: a vertical bob at ~2 steps/s and a small side-to-side lean, fading as they stop. */
                float fade = 1.0f - smoothstep(0.7f, 1.0f, s);
                q.cy += fade * q.size * 0.018f * fabsf(sinf(t * 3.14159265f * 2.0f));
                q.cx += fade * q.size * 0.012f * sinf(t * 3.14159265f * 2.0f);
        } else {
                /* Standing: a slow sway and a slight lean in and out. */
                float u = t - walk_end;
                q.cx += W * 0.008f * sinf(u * 2.1f);
                q.cy += H * 0.004f * sinf(u * 1.3f + 0.5f);
                q.size *= 1.0f + 0.01f * sinf(u * 1.7f);
        }
        return q;
}

static uint32_t xorshift(uint32_t *s) {
        uint32_t x = *s;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return *s = x;
}

/* The booth: a lit wall with two panel seams, a ledge, a darker floor strip, soft vignette. */
static void draw_background(float *rgb, int W, int H) {
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

struct clip {
        int W, H, fps, frames;
        const struct image *levels;
        float torso[3];
        float *bg, *frame, *accum;
        uint8_t *yuv;
        uint32_t noise;
};

/* Composites the person at pose q over out (which holds the background). */
static void draw_person(const struct clip *c, struct pose q, float *out) {
        const struct image *im = &c->levels[0];
        int lvl = 0;

        /* Pick the pyramid level closest above the on-screen size. */
        while (lvl + 1 < LEVELS && c->levels[lvl + 1].w >= q.size)
                im = &c->levels[++lvl];

        int x0 = MAX(0, (int) floorf(q.cx - q.size / 2)), x1 = MIN(c->W, (int) ceilf(q.cx + q.size / 2));
        int y0 = MAX(0, (int) floorf(q.cy - q.size / 2));
        for (int y = y0; y < c->H; y++)
                for (int x = x0; x < x1; x++) {
                        float u = (x + 0.5f - (q.cx - q.size / 2)) / q.size;
                        float v = (y + 0.5f - (q.cy - q.size / 2)) / q.size;
                        float px[3], a = sample(im, c->torso, u, v, px);
                        if (a <= 0)
                                continue;
                        float *o = &out[((size_t) y * c->W + x) * 3];
                        for (int ch = 0; ch < 3; ch++)
                                o[ch] = o[ch] * (1 - a) + px[ch] * a;
                }
}

static void render_frame(struct clip *c, int k) {
        size_t n = (size_t) c->W * c->H * 3;
        float len = (float) c->frames / c->fps, t = (float) k / c->fps, dt = 1.0f / c->fps;
        struct pose a = pose_at(t, len, c->W, c->H), b = pose_at(t + dt * 0.5f, len, c->W, c->H);
        /* Exposure of half a frame period: blur length is the motion over that time. */
        float motion = hypotf(b.cx - a.cx, b.cy - a.cy) + fabsf(b.size - a.size);
        int samples = CLAMP((int) ceilf(motion / 1.5f), 1, 12);

        memset(c->accum, 0, n * sizeof(float));
        for (int s = 0; s < samples; s++) {
                float ts = t + dt * 0.5f * ((float) s + 0.5f) / samples;
                memcpy(c->frame, c->bg, n * sizeof(float));
                draw_person(c, pose_at(ts, len, c->W, c->H), c->frame);
                for (size_t i = 0; i < n; i++)
                        c->accum[i] += c->frame[i];
        }

        /* Y'CbCr with 2x2 chroma averaging (420jpeg: chroma centred between the four). */
        int cw = (c->W + 1) / 2, chh = (c->H + 1) / 2;
        uint8_t *Y = c->yuv, *Cb = Y + (size_t) c->W * c->H, *Cr = Cb + (size_t) cw * chh;
        float *cbs = calloc((size_t) cw * chh * 2, sizeof(float));
        if (!cbs)
                abort();
        for (int y = 0; y < c->H; y++)
                for (int x = 0; x < c->W; x++) {
                        float px[3], yy, cb, cr;
                        for (int ch = 0; ch < 3; ch++)
                                px[ch] = c->accum[((size_t) y * c->W + x) * 3 + ch] / samples;
                        rgb_to_ycbcr(px, &yy, &cb, &cr);
                        /* Sensor noise: about +-2 codes, the same every build. */
                        yy += (float) (xorshift(&c->noise) % 5) - 2.0f;
                        Y[(size_t) y * c->W + x] = to_u8(yy);
                        size_t ci = (size_t) (y / 2) * cw + x / 2;
                        cbs[2 * ci] += cb;
                        cbs[2 * ci + 1] += cr;
                }
        for (int y = 0; y < chh; y++)
                for (int x = 0; x < cw; x++) {
                        /* Edge blocks of odd sizes hold fewer than four samples. */
                        int cnt = (MIN(2, c->W - 2 * x)) * (MIN(2, c->H - 2 * y));
                        size_t ci = (size_t) y * cw + x;
                        Cb[ci] = to_u8(cbs[2 * ci] / cnt);
                        Cr[ci] = to_u8(cbs[2 * ci + 1] / cnt);
                }
        free(cbs);
}

int main(int argc, char **argv) {
        struct image levels[LEVELS] = {};
        struct clip c = { .W = 640, .H = 480, .fps = 15, .noise = 0x2545f491u };
        float seconds = 6;
        _cleanup_(safe_fclosep) FILE *out = NULL;
        int r, ret = 1;

        if (argc != 3 && argc != 7) {
                fprintf(stderr, "usage: %s PORTRAIT.jpg OUT.y4m [WIDTH HEIGHT FPS SECONDS]\n", argv[0]);
                return 2;
        }
        if (argc == 7) {
                c.W = atoi(argv[3]);
                c.H = atoi(argv[4]);
                c.fps = atoi(argv[5]);
                seconds = (float) atof(argv[6]);
        }
        if (c.W < 16 || c.H < 16 || c.W > 4096 || c.H > 4096 || c.fps < 1 || c.fps > 120 ||
            !(seconds > 0 && seconds <= 60)) {
                fprintf(stderr, "lanesight-make-clip: size 16..4096, fps 1..120, seconds 0..60\n");
                return 2;
        }
        c.frames = MAX(1, (int) lrintf(seconds * c.fps));

        r = load_jpeg(argv[1], &levels[0]);
        if (r < 0) {
                fprintf(stderr, "lanesight-make-clip: cannot read '%s': %s\n", argv[1], strerror(-r));
                return 1;
        }
        build_matte(&levels[0]);
        if (!levels[0].alpha)
                goto oom;
        for (int l = 1; l < LEVELS; l++)
                if (halve(&levels[l - 1], &levels[l]) < 0)
                        goto oom;
        c.levels = levels;
        torso_colour(&levels[0], c.torso);

        size_t n = (size_t) c.W * c.H * 3;
        size_t frame_size = (size_t) c.W * c.H + 2 * (size_t) ((c.W + 1) / 2) * ((c.H + 1) / 2);
        c.bg = malloc(n * sizeof(float));
        c.frame = malloc(n * sizeof(float));
        c.accum = malloc(n * sizeof(float));
        c.yuv = malloc(frame_size);
        if (!c.bg || !c.frame || !c.accum || !c.yuv)
                goto oom;
        draw_background(c.bg, c.W, c.H);

        out = fopen(argv[2], "we");
        if (!out) {
                fprintf(stderr, "lanesight-make-clip: cannot create '%s': %m\n", argv[2]);
                goto done;
        }
        /* XCOLORRANGE tells readers (ffmpeg among them) the range explicitly. */
        fprintf(out, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n", c.W, c.H, c.fps);
        for (int k = 0; k < c.frames; k++) {
                render_frame(&c, k);
                fputs("FRAME\n", out);
                if (fwrite(c.yuv, 1, frame_size, out) != frame_size)
                        break;
        }
        if (fflush(out) != 0 || ferror(out)) {
                fprintf(stderr, "lanesight-make-clip: writing '%s' failed\n", argv[2]);
                goto done;
        }
        ret = 0;
        goto done;
oom:
        fprintf(stderr, "lanesight-make-clip: out of memory\n");
done:
        for (int l = 0; l < LEVELS; l++)
                image_done(&levels[l]);
        free(c.bg);
        free(c.frame);
        free(c.accum);
        free(c.yuv);
        return ret;
}
