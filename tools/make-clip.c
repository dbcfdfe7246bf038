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

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "tools/clip.h"

/* Where the person is at time t (seconds) of a clip lasting `len` seconds. */
static struct clip_pose pose_at(float t, float len, int W, int H) {
        float walk_end = 0.55f * len;                   /* then stand at the camera */
        float p = clip_smoothstep(0.0f, walk_end, t);
        float s = t / walk_end;
        struct clip_pose q = { .yaw = 0 };

        /* Far and off to the right, then close and centred. Perspective: size grows faster near the end. */
        float nearness = p * p * 0.6f + p * 0.4f;
        q.size = H * (0.36f + 0.60f * nearness);
        q.cx = W * (1.15f - 0.65f * p);
        /* Eyes stay near camera height; the portrait centre sits a little below. */
        q.cy = H * 0.42f + q.size * 0.08f;

        if (t < walk_end) {
                /* Steps: a vertical bob at ~2 steps/s and a small side-to-side lean, fading as they stop. */
                float fade = 1.0f - clip_smoothstep(0.7f, 1.0f, s);
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

struct clip {
        int W, H, fps, frames;
        const struct clip_person *person;
        float *bg, *frame, *accum;
        uint8_t *yuv;
        uint32_t noise;
};

static void draw_at(void *userdata, float t, float *frame) {
        const struct clip *c = userdata;
        clip_draw_person(c->person, pose_at(t, (float) c->frames / c->fps, c->W, c->H), frame, c->W, c->H);
}

static int render_frame(struct clip *c, int k) {
        float len = (float) c->frames / c->fps, t = (float) k / c->fps, dt = 1.0f / c->fps;
        struct clip_pose a = pose_at(t, len, c->W, c->H), b = pose_at(t + dt * 0.5f, len, c->W, c->H);
        /* Exposure of half a frame period: blur length is the motion over that time. */
        float motion = hypotf(b.cx - a.cx, b.cy - a.cy) + fabsf(b.size - a.size);
        int samples = CLAMP((int) ceilf(motion / 1.5f), 1, 12);

        clip_expose(c->bg, c->W, c->H, NULL, t, dt * 0.5f, samples, draw_at, c, c->frame, c->accum);
        /* Sensor noise: about +-2 codes, the same every build. */
        return clip_rgb_to_yuv420(c->accum, c->W, c->H, 2, &c->noise, c->yuv);
}

int main(int argc, char **argv) {
        struct clip_person person = {};
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

        r = clip_person_load(argv[1], &CLIP_MATTE_HOPPER, &person);
        if (r < 0) {
                fprintf(stderr, "lanesight-make-clip: cannot read '%s': %s\n", argv[1], strerror(-r));
                return 1;
        }
        c.person = &person;

        size_t n = (size_t) c.W * c.H * 3;
        size_t frame_size = clip_frame_size(c.W, c.H);
        c.bg = malloc(n * sizeof(float));
        c.frame = malloc(n * sizeof(float));
        c.accum = malloc(n * sizeof(float));
        c.yuv = malloc(frame_size);
        if (!c.bg || !c.frame || !c.accum || !c.yuv)
                goto oom;
        clip_draw_background(c.bg, c.W, c.H);

        out = fopen(argv[2], "we");
        if (!out) {
                fprintf(stderr, "lanesight-make-clip: cannot create '%s': %m\n", argv[2]);
                goto done;
        }
        clip_write_header(out, c.W, c.H, c.fps);
        for (int k = 0; k < c.frames; k++) {
                if (render_frame(&c, k) < 0)
                        goto oom;
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
        clip_person_done(&person);
        free(c.bg);
        free(c.frame);
        free(c.accum);
        free(c.yuv);
        return ret;
}
