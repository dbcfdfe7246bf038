/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesight-lanesim: one deterministic walk-up clip of one traveler for the
 * lane benchmark (tests/lane/lane-bench.sh, docs/lane-bench.md).
 *
 *   lanesight-lanesim --data DIR --index N --out DIR [--seed S] [--manifest-only]
 *
 * From a labelled photo set (one folder per person, LFW layout
 * DIR/Name/Name_NNNN.jpg; only people with two photos or more take part),
 * traveler N of seed S is drawn: a person, their document photo, a different
 * "live" photo of them that is composited into the booth, an impostor's
 * photo (another person), and the conditions of the walk-up, each recorded
 * in OUT/manifest (shell-sourceable KEY=VALUE lines). The clip, OUT/clip.y4m,
 * shows an empty booth, the traveler walking in from one side and
 * approaching, stopping, looking around, then at the camera, standing with a
 * slight sway until 10.5 s after the stop.
 *
 * Conditions (each drawn independently): frame size and rate (720p/1080p at
 * 15/30 fps), lighting (dim, backlit, uneven), motion blur, strong sensor
 * noise, compression artefacts, a second person passing behind, a partial
 * occlusion (hand, phone, hat brim), a glance away then back, a traveler
 * too short or too tall for the region of interest. All are 2-D: see
 * docs/lane-bench.md for what each approximates and how.
 *
 * Deterministic: the draws come from a splitmix/xorshift generator seeded by
 * (seed, index); the photo set is read in sorted order; the clip code is
 * built with -ffp-contract=off. Same inputs, same bytes.
 */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/macro.h"
#include "tools/clip.h"

/* LFW portraits: 250x250, the face centred, eyes near v = 0.44, about 0.19 of the width apart. */
#define LFW_MATTE ((struct clip_matte) { 0.5f, 0.45f, 0.21f, 0.31f, 0.70f, 0.78f, 0.95f, 0.11f, 0.30f })
#define LFW_EYE_V 0.44f
#define LFW_IED 0.19f

enum lighting { LIGHT_NORMAL, LIGHT_DIM, LIGHT_BACKLIT, LIGHT_UNEVEN, _LIGHT_MAX };
enum occlusion { OCCL_NONE, OCCL_HAND, OCCL_PHONE, OCCL_HAT, _OCCL_MAX };
enum height { HEIGHT_OK, HEIGHT_SHORT, HEIGHT_TALL, _HEIGHT_MAX };

static const char *const lighting_names[_LIGHT_MAX] = { "normal", "dim", "backlit", "uneven" };
static const char *const occlusion_names[_OCCL_MAX] = { "none", "hand", "phone", "hat" };
static const char *const height_names[_HEIGHT_MAX] = { "ok", "short", "tall" };

/* Seconds of clip after the stop: the benchmark's longest window (10 s) and a margin. */
#define AFTER_STOP 10.5f

struct traveler {
        int W, H, fps, frames;
        float t_enter, t_stop;          /* clip seconds: steps into view, stops */
        float look;                     /* looking around after the stop, seconds */
        float look_dir;                 /* +1 / -1 */
        float side;                     /* +1: enters from the right */
        float ied;                      /* inter-eye distance at the stop, frame px */
        float eye_y;                    /* eye line at the stop, frame px */
        enum lighting lighting;
        float light;                    /* dim: gain; uneven: darkest side's gain */
        bool blur, compression, bystander, glance;
        int noise;                      /* +- luma codes */
        enum occlusion occlusion;
        float occl_end;                 /* hand/phone: clip second it is lowered */
        float glance_yaw, glance_end;
        enum height height;
        float roi[4];                   /* x, y, w, h */
        float by_size, by_eye_y, by_t0, by_dir;
        float skin[3];
};

struct rng {
        uint64_t s;
};

static uint64_t rng_next(struct rng *r) {
        /* splitmix64: every (seed, index) gives an independent stream. */
        uint64_t z = (r->s += UINT64_C(0x9e3779b97f4a7c15));
        z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
        return z ^ (z >> 31);
}

static float uniform(struct rng *r, float lo, float hi) {
        return lo + (hi - lo) * (float) (rng_next(r) >> 40) / (float) (UINT64_C(1) << 24);
}

static bool chance(struct rng *r, float p) {
        return uniform(r, 0, 1) < p;
}

static DIR *safe_closedir(DIR *d) {
        if (d)
                (void) closedir(d);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, safe_closedir);

/* --- the photo set ------------------------------------------------------------ */

struct person {
        char *name;
        unsigned photos;
};

struct photo_set {
        char *dir;
        struct person *people;
        size_t n;
};

static void photo_set_done(struct photo_set *s) {
        for (size_t i = 0; i < s->n; i++)
                free(s->people[i].name);
        free(s->people);
        *s = (struct photo_set) {};
}

static bool is_jpeg(const char *name) {
        size_t l = strlen(name);
        return l > 4 && name[0] != '.' && strcmp(name + l - 4, ".jpg") == 0;
}

static unsigned count_photos(const char *dir) {
        _cleanup_(safe_closedirp) DIR *d = opendir(dir);
        struct dirent *e;
        unsigned n = 0;

        while (d && (e = readdir(d)))
                n += is_jpeg(e->d_name);
        return n;
}

static int cmp_person(const void *a, const void *b) {
        return strcmp(((const struct person *) a)->name, ((const struct person *) b)->name);
}

/* People with two photos or more, sorted by name (readdir order is not stable across file systems). */
static int photo_set_load(const char *dir, struct photo_set *ret) {
        _cleanup_(safe_closedirp) DIR *d = opendir(dir);
        struct photo_set s = {};
        struct dirent *e;
        size_t cap = 0;

        if (!d)
                return -errno;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, e->d_name) < 0)
                        goto oom;
                unsigned n = count_photos(sub);
                if (n < 2)
                        continue;
                if (s.n == cap) {
                        cap = cap ? cap * 2 : 256;
                        struct person *p = reallocarray(s.people, cap, sizeof(*p));
                        if (!p)
                                goto oom;
                        s.people = p;
                }
                s.people[s.n] = (struct person) { .name = strdup(e->d_name), .photos = n };
                if (!s.people[s.n++].name)
                        goto oom;
        }
        if (s.n < 3) {
                photo_set_done(&s);
                return -ENOENT;
        }
        qsort(s.people, s.n, sizeof(*s.people), cmp_person);
        s.dir = (char *) dir;
        *ret = s;
        return 0;
oom:
        photo_set_done(&s);
        return -ENOMEM;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The k-th (sorted) photo of person p. */
static int photo_path(const struct photo_set *s, size_t p, unsigned k, char **ret) {
        _cleanup_free_ char *sub = NULL;
        char *names[512];
        unsigned n = 0;
        int r = -ENOENT;

        if (asprintf(&sub, "%s/%s", s->dir, s->people[p].name) < 0)
                return -ENOMEM;
        _cleanup_(safe_closedirp) DIR *d = opendir(sub);
        struct dirent *e;
        while (d && (e = readdir(d)) && n < ELEMENTSOF(names))
                if (is_jpeg(e->d_name) && !(names[n++] = strdup(e->d_name)))
                        r = -ENOMEM;
        if (r != -ENOMEM && k < n) {
                qsort(names, n, sizeof(*names), cmp_str);
                r = asprintf(ret, "%s/%s", sub, names[k]) < 0 ? -ENOMEM : 0;
        }
        for (unsigned i = 0; i < n; i++)
                free(names[i]);
        return r;
}

/* --- drawing the traveler's conditions ------------------------------------------------ */

static void draw_conditions(struct rng *r, struct traveler *t) {
        /*
         * Formats: mostly 720p at 15 fps, the usual booth mode; 10 % 1080p and
         * 15 % 30 fps, independently (rendering them costs 2.25x and 2x).
         */
        float f = uniform(r, 0, 1);
        t->W = f < 0.9f ? 1280 : 1920;
        t->H = t->W * 9 / 16;
        t->fps = chance(r, 0.15f) ? 30 : 15;

        t->t_enter = 1.0f;                              /* the service and the session are up by then */
        t->t_stop = t->t_enter + uniform(r, 2.0f, 3.0f);
        t->look = uniform(r, 0.0f, 1.2f);
        t->look_dir = chance(r, 0.5f) ? 1 : -1;
        t->side = chance(r, 0.5f) ? 1 : -1;
        t->ied = uniform(r, 75, 130) * t->H / 720;
        t->eye_y = t->H * uniform(r, 0.36f, 0.46f);
        t->roi[0] = t->W * 0.15f, t->roi[1] = t->H * 0.08f, t->roi[2] = t->W * 0.70f, t->roi[3] = t->H * 0.74f;
        t->skin[0] = uniform(r, 120, 225), t->skin[1] = t->skin[0] * 0.78f, t->skin[2] = t->skin[0] * 0.66f;

        f = uniform(r, 0, 1);
        t->lighting = f < 0.55f ? LIGHT_NORMAL : f < 0.70f ? LIGHT_DIM : f < 0.85f ? LIGHT_BACKLIT : LIGHT_UNEVEN;
        t->light = t->lighting == LIGHT_DIM ? uniform(r, 0.28f, 0.45f) : uniform(r, 0.30f, 0.50f);
        t->blur = chance(r, 0.2f);
        t->noise = chance(r, 0.2f) ? 7 : 2;
        if (t->lighting == LIGHT_DIM)
                t->noise += 3;                          /* the gain that brightens a dim scene amplifies noise */
        t->compression = chance(r, 0.2f);
        t->bystander = chance(r, 0.2f);
        t->by_size = uniform(r, 0.50f, 0.70f);
        t->by_eye_y = t->H * uniform(r, 0.30f, 0.40f);
        t->by_t0 = t->t_stop + uniform(r, -1.0f, 0.5f);
        t->by_dir = chance(r, 0.5f) ? 1 : -1;

        f = uniform(r, 0, 1);
        t->occlusion = f < 0.8f ? OCCL_NONE : f < 0.87f ? OCCL_HAND : f < 0.94f ? OCCL_PHONE : OCCL_HAT;
        t->occl_end = t->t_stop + uniform(r, 0.5f, 3.0f);
        t->glance = chance(r, 0.2f);
        t->glance_yaw = uniform(r, 40, 60) * (chance(r, 0.5f) ? 1 : -1);
        t->glance_end = t->t_stop + uniform(r, 0.8f, 2.0f);
        f = uniform(r, 0, 1);
        t->height = f < 0.85f ? HEIGHT_OK : f < 0.925f ? HEIGHT_SHORT : HEIGHT_TALL;
        if (t->height == HEIGHT_SHORT)
                t->eye_y = t->H * uniform(r, 0.70f, 0.76f);
        else if (t->height == HEIGHT_TALL)
                t->eye_y = t->H * uniform(r, 0.06f, 0.11f);
        t->frames = (int) lrintf((t->t_stop + AFTER_STOP) * t->fps);
}

/* --- the scene ------------------------------------------------------------------ */

struct scene {
        const struct traveler *t;
        struct clip_person person, passer;
        float *bg, *scratch, *frame;
        uint8_t *yuv;
        uint32_t noise;
};

static float portrait_size(float ied) {
        return ied / LFW_IED;
}

/* The portrait's centre for an eye line at eye_y and a given size. */
static float centre_y(float eye_y, float size) {
        return eye_y + (0.5f - LFW_EYE_V) * size;
}

static struct clip_pose traveler_pose(const struct traveler *t, float time) {
        float stop = portrait_size(t->ied), p = clip_smoothstep(t->t_enter - 0.6f, t->t_stop, time);
        float nearness = p * p * 0.6f + p * 0.4f;       /* perspective: grows faster near the end */
        struct clip_pose q;

        q.size = stop * (0.35f + 0.65f * nearness);
        q.cx = t->W * (0.5f + t->side * 0.7f * (1 - p));
        q.cy = centre_y(t->eye_y, q.size);
        /* Walking: facing the way they go, turning to the booth on arrival; steps bob and sway. */
        q.yaw = 25.0f * t->side * (1 - p);
        if (time < t->t_stop) {
                float fade = 1.0f - clip_smoothstep(0.7f, 1.0f, p);
                q.cy += fade * q.size * 0.018f * fabsf(sinf(time * 3.14159265f * 2.0f));
                q.cx += fade * q.size * 0.012f * sinf(time * 3.14159265f * 2.0f);
                return q;
        }
        float u = time - t->t_stop, amp = t->blur ? 3.0f : 1.0f, rate = t->blur ? 2.5f : 1.0f;
        q.cx += amp * t->W * 0.006f * sinf(u * 2.1f * rate);
        q.cy += amp * t->H * 0.003f * sinf(u * 1.3f * rate + 0.5f);
        q.size *= 1.0f + 0.01f * sinf(u * 1.7f);
        if (t->glance) {
                /* On stopping, looks away (at a sign, a companion), then back in 0.25 s. */
                float back = clip_smoothstep(t->glance_end - 0.25f, t->glance_end, time);
                q.yaw = t->glance_yaw * (1 - back);
        } else if (u < t->look)
                q.yaw = 28.0f * t->look_dir * sinf(3.14159265f * u / t->look);
        return q;
}

/* A second person crossing the booth behind the traveler, smaller (further away). */
static bool passer_pose(const struct traveler *t, float time, struct clip_pose *ret) {
        float p = (time - t->by_t0) / 2.5f;
        if (!t->bystander || p < 0 || p > 1)
                return false;
        float size = portrait_size(t->ied) * t->by_size;
        *ret = (struct clip_pose) {
                .cx = t->W * (0.5f + t->by_dir * (1.3f * p - 0.65f)),
                .cy = centre_y(t->by_eye_y, size) + size * 0.015f * fabsf(sinf(time * 6.2831853f)),
                .size = size,
                .yaw = -40.0f * t->by_dir,              /* profile-ish: walking across */
        };
        return true;
}

/* Fills the ellipse (cx, cy, rx, ry) with colour c, feathered by 1.5 px. */
static void fill_ellipse(float *rgb, int W, int H, float cx, float cy, float rx, float ry, const float c[3]) {
        int x0 = MAX(0, (int) (cx - rx - 2)), x1 = MIN(W, (int) (cx + rx + 2));
        int y0 = MAX(0, (int) (cy - ry - 2)), y1 = MIN(H, (int) (cy + ry + 2));
        for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++) {
                        float dx = (x + 0.5f - cx) / rx, dy = (y + 0.5f - cy) / ry;
                        float a = 1.0f - clip_smoothstep(1.0f - 1.5f / rx, 1.0f + 1.5f / rx, sqrtf(dx * dx + dy * dy));
                        float *o = &rgb[((size_t) y * W + x) * 3];
                        for (int ch = 0; ch < 3 && a > 0; ch++)
                                o[ch] = o[ch] * (1 - a) + c[ch] * a;
                }
}

/* Scales the rectangle (portrait units of pose q) by gain; the hat's shadow. */
static void shade_rect(float *rgb, int W, int H, struct clip_pose q, float u0, float v0, float u1, float v1,
                       float gain) {
        float ox = q.cx - q.size / 2, oy = q.cy - q.size / 2;
        int x0 = MAX(0, (int) (ox + u0 * q.size)), x1 = MIN(W, (int) (ox + u1 * q.size));
        int y0 = MAX(0, (int) (oy + v0 * q.size)), y1 = MIN(H, (int) (oy + v1 * q.size));
        for (int y = y0; y < y1; y++)
                for (int x = x0; x < x1; x++)
                        for (int ch = 0; ch < 3; ch++)
                                rgb[((size_t) y * W + x) * 3 + ch] *= gain;
}

static void draw_occlusion(const struct traveler *t, struct clip_pose q, float time, float *rgb) {
        static const float phone[3] = { 28, 30, 34 }, hat[3] = { 45, 38, 32 };
        float ox = q.cx - q.size / 2, oy = q.cy - q.size / 2, s = q.size;

        switch (t->occlusion) {
        case OCCL_HAND:
                /* Hand over mouth and chin: a skin-coloured palm. */
                if (time < t->occl_end)
                        fill_ellipse(rgb, t->W, t->H, ox + 0.50f * s, oy + 0.66f * s, 0.15f * s, 0.10f * s, t->skin);
                break;
        case OCCL_PHONE:
                /* On a call: a phone against the cheek and ear. */
                if (time < t->occl_end)
                        fill_ellipse(rgb, t->W, t->H, ox + 0.64f * s, oy + 0.50f * s, 0.06f * s, 0.15f * s, phone);
                break;
        case OCCL_HAT:
                /* A brim over the forehead and its shadow over the eyes. */
                shade_rect(rgb, t->W, t->H, q, 0.26f, 0.36f, 0.74f, 0.47f, 0.55f);
                fill_ellipse(rgb, t->W, t->H, ox + 0.50f * s, oy + 0.30f * s, 0.34f * s, 0.07f * s, hat);
                break;
        default:
                break;
        }
}

static void draw_scene(void *userdata, float time, float *rgb) {
        const struct scene *sc = userdata;
        const struct traveler *t = sc->t;
        struct clip_pose by, q = traveler_pose(t, time);

        if (passer_pose(t, time, &by))
                clip_draw_person(&sc->passer, by, rgb, t->W, t->H);
        if (time >= t->t_enter - 0.6f)
                clip_draw_person(&sc->person, q, rgb, t->W, t->H);
        draw_occlusion(t, q, time, rgb);
}

/* Light on the whole composited frame: a dim scene, or light from one side. */
static void relight(const struct traveler *t, float *rgb) {
        if (t->lighting == LIGHT_DIM)
                for (size_t i = 0; i < (size_t) t->W * t->H * 3; i++)
                        rgb[i] *= t->light;
        else if (t->lighting == LIGHT_UNEVEN)
                for (int x = 0; x < t->W; x++) {
                        float k = clip_smoothstep(0.35f, 0.65f, (float) x / t->W);
                        float g = t->side > 0 ? 1.15f - (1.15f - t->light) * k : t->light + (1.15f - t->light) * k;
                        for (int y = 0; y < t->H; y++)
                                for (int ch = 0; ch < 3; ch++)
                                        rgb[((size_t) y * t->W + x) * 3 + ch] *= g;
                }
}

/* Blocking: each 8x8 block keeps its mean and coarsely quantised deviations (a stand-in for DCT quantisation). */
static void compress_plane(uint8_t *p, int w, int h, int step) {
        for (int by = 0; by < h; by += 8)
                for (int bx = 0; bx < w; bx += 8) {
                        int n = 0, sum = 0;
                        for (int y = by; y < MIN(h, by + 8); y++)
                                for (int x = bx; x < MIN(w, bx + 8); x++, n++)
                                        sum += p[(size_t) y * w + x];
                        float m = (float) sum / n;
                        for (int y = by; y < MIN(h, by + 8); y++)
                                for (int x = bx; x < MIN(w, bx + 8); x++) {
                                        uint8_t *v = &p[(size_t) y * w + x];
                                        *v = (uint8_t) CLAMP((int) lrintf(m + step * roundf((*v - m) / step)), 0, 255);
                                }
                }
}

/* Grows rect (x0, y0, x1, y1) by what a person at q covers: their portrait and the body below it. */
static void add_box(int rect[4], struct clip_pose q) {
        rect[0] = MIN(rect[0], (int) floorf(q.cx - q.size / 2) - 4);
        rect[1] = MIN(rect[1], (int) floorf(q.cy - q.size / 2) - 4);
        rect[2] = MAX(rect[2], (int) ceilf(q.cx + q.size / 2) + 4);
        rect[3] = INT_MAX;
}

static int render(struct scene *sc, int k) {
        const struct traveler *t = sc->t;
        float time = (float) k / t->fps, dt = 1.0f / t->fps;
        /* Exposure: half a frame period, a full one in the blur condition (slow shutter). */
        float exposure = t->blur ? dt : dt * 0.5f;
        struct clip_pose a = traveler_pose(t, time), b = traveler_pose(t, time + exposure);
        float motion = hypotf(b.cx - a.cx, b.cy - a.cy) + fabsf(b.size - a.size) + (t->bystander ? 8.0f : 0.0f);
        int samples = CLAMP((int) ceilf(motion / 2.0f), 1, 8);
        int r;

        int rect[4] = { t->W, t->H, 0, 0 };
        struct clip_pose by;
        if (time + exposure >= t->t_enter - 0.6f) {
                add_box(rect, a);
                add_box(rect, b);
        }
        for (int e = 0; e < 2; e++)
                if (passer_pose(t, time + e * exposure, &by))
                        add_box(rect, by);
        clip_expose(sc->bg, t->W, t->H, rect, time, exposure, samples, draw_scene, sc, sc->scratch, sc->frame);
        relight(t, sc->frame);
        r = clip_rgb_to_yuv420(sc->frame, t->W, t->H, t->noise, &sc->noise, sc->yuv);
        if (r < 0 || !t->compression)
                return r;
        int cw = (t->W + 1) / 2, chh = (t->H + 1) / 2;
        compress_plane(sc->yuv, t->W, t->H, 14);
        compress_plane(sc->yuv + (size_t) t->W * t->H, cw, chh, 10);
        compress_plane(sc->yuv + (size_t) t->W * t->H + (size_t) cw * chh, cw, chh, 10);
        return 0;
}

/* The booth behind the traveler; backlit: a bright window behind the head, the person darker. */
static void booth(const struct traveler *t, float *bg, struct clip_person *p) {
        clip_draw_background(bg, t->W, t->H);
        if (t->lighting != LIGHT_BACKLIT)
                return;
        for (int y = 0; y < t->H * 6 / 10; y++)
                for (int x = t->W / 4; x < t->W * 3 / 4; x++)
                        for (int ch = 0; ch < 3; ch++)
                                bg[((size_t) y * t->W + x) * 3 + ch] = 250;
        for (int l = 0; l < CLIP_LEVELS; l++)
                for (size_t i = 0; i < (size_t) p->levels[l].w * p->levels[l].h * 3; i++)
                        p->levels[l].rgb[i] *= t->light;
        for (int ch = 0; ch < 3; ch++)
                p->torso[ch] *= t->light;
}

/* --- output ------------------------------------------------------------------ */

static void write_manifest(FILE *f, const struct traveler *t, unsigned index, uint64_t seed, const char *person,
                           const char *doc, const char *live, const char *impostor) {
        char cond[256] = "";
        size_t o = 0;

#define ADD(x) o += (size_t) snprintf(cond + o, sizeof(cond) - MIN(o, sizeof(cond)), "%s%s", o ? " " : "", x)
        if (t->H > 720)
                ADD("1080p");
        if (t->fps > 15)
                ADD("30fps");
        if (t->lighting != LIGHT_NORMAL)
                ADD(lighting_names[t->lighting]);
        if (t->blur)
                ADD("blur");
        if (t->noise >= 7)
                ADD("noise");
        if (t->compression)
                ADD("compression");
        if (t->bystander)
                ADD("bystander");
        if (t->occlusion != OCCL_NONE)
                ADD(occlusion_names[t->occlusion]);
        if (t->glance)
                ADD("glance");
        if (t->height != HEIGHT_OK)
                ADD(height_names[t->height]);
#undef ADD
        /* Shell-sourceable: values single-quoted (photo set paths have no quotes: checked by the caller). */
        fprintf(f, "index=%u\nseed=%llu\nperson='%s'\ndocument='%s'\nlive='%s'\nimpostor='%s'\n", index,
                (unsigned long long) seed, person, doc, live, impostor);
        fprintf(f, "width=%d\nheight=%d\nfps=%d\nframes=%d\nt_enter=%.3f\nt_stop=%.3f\nlook_around=%.3f\n", t->W,
                t->H, t->fps, t->frames, t->t_enter, t->t_stop, t->look);
        fprintf(f, "roi='%.0f,%.0f,%.0f,%.0f'\nied_px=%.1f\n", t->roi[0], t->roi[1], t->roi[2], t->roi[3], t->ied);
        fprintf(f, "lighting=%s\nblur=%d\nnoise=%d\ncompression=%d\nbystander=%d\nocclusion=%s\nglance=%d\n"
                "stature=%s\nconditions='%s'\n", lighting_names[t->lighting], t->blur, t->noise, t->compression,
                t->bystander, occlusion_names[t->occlusion], t->glance, height_names[t->height],
                o ? cond : "baseline");
}

static int write_clip(struct scene *sc, const char *path) {
        const struct traveler *t = sc->t;
        _cleanup_(safe_fclosep) FILE *out = fopen(path, "we");
        size_t size = clip_frame_size(t->W, t->H);
        int r;

        if (!out)
                return -errno;
        clip_write_header(out, t->W, t->H, t->fps);
        for (int k = 0; k < t->frames; k++) {
                r = render(sc, k);
                if (r < 0)
                        return r;
                fputs("FRAME\n", out);
                if (fwrite(sc->yuv, 1, size, out) != size)
                        return -EIO;
        }
        return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

static void help(void) {
        printf("Usage: lanesight-lanesim --data DIR --index N --out DIR [--seed S] [--manifest-only]\n"
               "Writes OUT/clip.y4m, one traveler walking up to a booth camera, and OUT/manifest, the\n"
               "traveler's photos and drawn conditions (shell KEY=VALUE lines). DIR holds one folder of\n"
               "JPEG photos per person (the LFW layout); people with two photos or more are drawn.\n"
               "Traveler N of seed S (default 1) is the same on every run. --manifest-only skips the clip.\n");
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "data", required_argument, NULL, 'd' }, { "index", required_argument, NULL, 'i' },
                { "out", required_argument, NULL, 'o' },  { "seed", required_argument, NULL, 's' },
                { "manifest-only", no_argument, NULL, 'm' }, { "help", no_argument, NULL, 'h' }, {}
        };
        const char *data = NULL, *outdir = NULL;
        unsigned long long seed = 1, index = ULLONG_MAX;
        struct photo_set set = {};
        struct traveler t = {};
        struct scene sc = { .t = &t, .noise = 0x2545f491u };
        _cleanup_free_ char *doc = NULL, *live = NULL, *impostor = NULL, *passer = NULL, *clip = NULL, *man = NULL;
        _cleanup_(safe_fclosep) FILE *m = NULL;
        bool manifest_only = false;
        int c, r, ret = 1;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'd': data = optarg; break;
                case 'o': outdir = optarg; break;
                case 'i': index = strtoull(optarg, NULL, 10); break;
                case 's': seed = strtoull(optarg, NULL, 10); break;
                case 'm': manifest_only = true; break;
                case 'h': help(); return 0;
                default: return 2;
                }
        if (!data || !outdir || index > 1000000 || optind < argc) {
                fprintf(stderr, "lanesight-lanesim: --data DIR, --index N (0..1000000) and --out DIR are required "
                        "(see --help)\n");
                return 2;
        }
        r = photo_set_load(data, &set);
        if (r < 0) {
                fprintf(stderr, "lanesight-lanesim: '%s': %s\n", data,
                        r == -ENOENT ? "fewer than 3 people with two photos or more" : strerror(-r));
                return 1;
        }

        struct rng rng = { .s = seed * UINT64_C(0x100000001b3) ^ index };
        (void) rng_next(&rng);
        size_t who = rng_next(&rng) % set.n, other = (who + 1 + rng_next(&rng) % (set.n - 1)) % set.n;
        size_t by = (other + 1 + rng_next(&rng) % (set.n - 2)) % set.n;
        if (by == who)
                by = (by + 1) % set.n;
        unsigned d = rng_next(&rng) % set.people[who].photos;
        unsigned l = (d + 1 + rng_next(&rng) % (set.people[who].photos - 1)) % set.people[who].photos;
        unsigned imp = rng_next(&rng) % set.people[other].photos;
        draw_conditions(&rng, &t);
        sc.noise ^= (uint32_t) rng_next(&rng) | 1;

        if (photo_path(&set, who, d, &doc) < 0 || photo_path(&set, who, l, &live) < 0 ||
            photo_path(&set, other, imp, &impostor) < 0 || photo_path(&set, by, 0, &passer) < 0 ||
            strchr(doc, '\'') || strchr(impostor, '\'')) {
                fprintf(stderr, "lanesight-lanesim: cannot list the photos of traveler %llu\n", index);
                goto done;
        }
        r = clip_person_load(live, &LFW_MATTE, &sc.person);
        if (r >= 0 && t.bystander)
                r = clip_person_load(passer, &LFW_MATTE, &sc.passer);
        if (r < 0) {
                fprintf(stderr, "lanesight-lanesim: cannot read the photos of traveler %llu: %s\n", index,
                        strerror(-r));
                goto done;
        }
        size_t n = (size_t) t.W * t.H * 3;
        sc.bg = malloc(n * sizeof(float));
        sc.scratch = malloc(n * sizeof(float));
        sc.frame = malloc(n * sizeof(float));
        sc.yuv = malloc(clip_frame_size(t.W, t.H));
        if (!sc.bg || !sc.scratch || !sc.frame || !sc.yuv) {
                fprintf(stderr, "lanesight-lanesim: out of memory\n");
                goto done;
        }
        booth(&t, sc.bg, &sc.person);

        if ((mkdir(outdir, 0755) < 0 && errno != EEXIST) || asprintf(&clip, "%s/clip.y4m", outdir) < 0 ||
            asprintf(&man, "%s/manifest", outdir) < 0) {
                fprintf(stderr, "lanesight-lanesim: cannot create '%s': %m\n", outdir);
                goto done;
        }
        r = manifest_only ? 0 : write_clip(&sc, clip);
        if (r < 0) {
                fprintf(stderr, "lanesight-lanesim: writing '%s' failed: %s\n", clip, strerror(-r));
                goto done;
        }
        m = fopen(man, "we");
        if (!m) {
                fprintf(stderr, "lanesight-lanesim: cannot create '%s': %m\n", man);
                goto done;
        }
        write_manifest(m, &t, (unsigned) index, seed, set.people[who].name, doc, live, impostor);
        if (fflush(m) != 0 || ferror(m)) {
                fprintf(stderr, "lanesight-lanesim: writing '%s' failed\n", man);
                goto done;
        }
        ret = 0;
done:
        clip_person_done(&sc.person);
        clip_person_done(&sc.passer);
        free(sc.bg);
        free(sc.scratch);
        free(sc.frame);
        free(sc.yuv);
        photo_set_done(&set);
        return ret;
}
