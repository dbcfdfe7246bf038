/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Synthetic camera clips from portrait photos: the shared code of
 * lanesight-make-clip (the demo clip) and lanesight-lanesim (the lane
 * benchmark's walk-up clips).
 *
 * A person is a portrait cut out as a head-and-shoulders matte, kept as a
 * small pyramid so a distant (small) person is sampled without aliasing,
 * with the jacket continued below the photo. Frames are composited in float
 * RGB (0..255) and written as YUV4MPEG2 4:2:0 (C420jpeg, BT.601 limited).
 *
 * Deterministic: no clock, no libc random(); callers carry their own
 * xorshift state, and the library is built with -ffp-contract=off so the
 * bytes are the same on every build. Single-threaded; every object belongs
 * to its caller.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLIP_LEVELS 4

struct clip_image {
        int w, h;
        float *rgb;             /* 0..255 floats, 3 per pixel */
        float *alpha;           /* silhouette matte, 0..1 */
};

/*
 * The head-and-shoulders matte in portrait coordinates (0..1 across the
 * photo): the head an ellipse, then a neck widening into shoulders.
 */
struct clip_matte {
        float cx, cy, rx, ry;           /* head ellipse */
        float neck_v;                   /* where the body starts */
        float shoulder_v0, shoulder_v1; /* neck -> shoulders widening */
        float neck_half, shoulder_grow; /* half width at the neck, and how much it grows to the shoulders */
};

/* Fitted to the demo's Hopper portrait (face centred near u=0.52, v=0.40). */
#define CLIP_MATTE_HOPPER ((struct clip_matte) { 0.515f, 0.31f, 0.225f, 0.315f, 0.55f, 0.58f, 0.80f, 0.13f, 0.33f })

struct clip_person {
        struct clip_image levels[CLIP_LEVELS];
        struct clip_matte matte;
        float torso[3];                 /* jacket colour below the photo */
};

/* Where the person is in a frame. */
struct clip_pose {
        float cx, cy;           /* frame position of the portrait's centre */
        float size;             /* portrait side in frame pixels */
        float yaw;              /* head turn in degrees (a cylindrical warp of the head; 0: none) */
};

void clip_image_done(struct clip_image *im);

/* Decodes a JPEG into im->rgb (alpha NULL). -EBADMSG for a bad or odd-sized file (reason on stderr), -errno. */
int clip_load_jpeg(const char *path, struct clip_image *ret);

/* Loads the portrait, cuts it out with matte and builds the pyramid. */
int clip_person_load(const char *path, const struct clip_matte *matte, struct clip_person *ret);
void clip_person_done(struct clip_person *p);

/* Composites the person at pose q over out (W x H float RGB holding the scene behind). */
void clip_draw_person(const struct clip_person *p, struct clip_pose q, float *out, int W, int H);

/* The booth: a lit wall with two panel seams, a ledge, a darker counter, soft vignette. */
void clip_draw_background(float *rgb, int W, int H);

uint32_t clip_xorshift(uint32_t *s);
float clip_smoothstep(float e0, float e1, float x);

/* Bytes of one 4:2:0 frame. */
size_t clip_frame_size(int W, int H);

/*
 * Float RGB to Y'CbCr 4:2:0 with 2x2 chroma averaging, adding uniform
 * sensor noise of +-noise codes to luma (noise 0: none) from *state.
 * Returns -ENOMEM.
 */
int clip_rgb_to_yuv420(const float *rgb, int W, int H, int noise, uint32_t *state, uint8_t *yuv);

/* The stream header (XCOLORRANGE tells readers, ffmpeg among them, the range). */
void clip_write_header(FILE *f, int W, int H, int fps);

/*
 * One exposure: `samples` sub-frames at times spread over [t, t + exposure),
 * each starting from bg (W x H float RGB) and drawn by draw(); their mean
 * lands in out. scratch holds one frame. Many samples = real motion blur.
 * rect (x0, y0, x1, y1), if not NULL, bounds what draw() changes: only
 * that part is rendered, the rest of out is bg.
 */
void clip_expose(const float *bg, int W, int H, const int rect[4], float t, float exposure, int samples,
                 void (*draw)(void *userdata, float t, float *frame), void *userdata, float *scratch, float *out);
