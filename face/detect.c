/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "face/detect.h"

#define FACE_REG_STRIDE 16

void face_anchors_generate(struct face_anchor anchors[FACE_ANCHORS]) {
        static const struct { unsigned grid, per_cell; } layers[] = { { 16, 2 }, { 8, 6 } };
        size_t i = 0;

        for (size_t l = 0; l < ELEMENTSOF(layers); l++) {
                unsigned g = layers[l].grid;
                for (unsigned r = 0; r < g; r++)
                        for (unsigned c = 0; c < g; c++)
                                for (unsigned a = 0; a < layers[l].per_cell; a++)
                                        anchors[i++] = (struct face_anchor) {
                                                .cx = (c + 0.5f) / g,
                                                .cy = (r + 0.5f) / g,
                                        };
        }
}

static float sigmoid_clipped(float logit) {
        logit = CLAMP(logit, -100.0f, 100.0f);
        return 1.0f / (1.0f + expf(-logit));
}

static float area(const struct face_detection *d) {
        return MAX(0.0f, d->x1 - d->x0) * MAX(0.0f, d->y1 - d->y0);
}

float face_iou(const struct face_detection *a, const struct face_detection *b) {
        float ix = MIN(a->x1, b->x1) - MAX(a->x0, b->x0);
        float iy = MIN(a->y1, b->y1) - MAX(a->y0, b->y0);
        if (ix <= 0.0f || iy <= 0.0f)
                return 0.0f;
        float inter = ix * iy;
        float uni = area(a) + area(b) - inter;
        return uni > 0.0f ? inter / uni : 0.0f;
}

static int by_score_desc(const void *a, const void *b) {
        float sa = ((const struct face_detection *) a)->score;
        float sb = ((const struct face_detection *) b)->score;
        return (sa < sb) - (sa > sb);
}

static void decode_one(const struct face_anchor *anchor, const float *reg, float score,
                       float inv_s, struct face_detection *d) {
        float cx = anchor->cx + reg[0] * inv_s;
        float cy = anchor->cy + reg[1] * inv_s;
        float w = reg[2] * inv_s, h = reg[3] * inv_s;

        d->x0 = cx - w / 2;
        d->y0 = cy - h / 2;
        d->x1 = cx + w / 2;
        d->y1 = cy + h / 2;
        for (unsigned k = 0; k < FACE_KEYPOINTS; k++) {
                d->kp[k].x = anchor->cx + reg[4 + 2 * k] * inv_s;
                d->kp[k].y = anchor->cy + reg[5 + 2 * k] * inv_s;
        }
        d->score = score;
}

/*
 * MediaPipe's weighted NMS: the best remaining candidate absorbs every
 * candidate overlapping it by more than the threshold; the result is the
 * score-weighted mean of their boxes and keypoints, keeping the best score.
 * Averaging steadies boxes from frame to frame, which the tracker relies on.
 */
static size_t weighted_nms(struct face_detection *cand, size_t n, float iou_thr,
                           struct face_detection *out, size_t max_out) {
        size_t found = 0;

        qsort(cand, n, sizeof(*cand), by_score_desc);
        while (n > 0) {
                struct face_detection best = cand[0], acc = { 0 };
                float wsum = 0.0f;
                size_t keep = 0;

                for (size_t i = 0; i < n; i++) {
                        if (face_iou(&best, &cand[i]) > iou_thr || i == 0) {
                                float w = cand[i].score;
                                acc.x0 += w * cand[i].x0;
                                acc.y0 += w * cand[i].y0;
                                acc.x1 += w * cand[i].x1;
                                acc.y1 += w * cand[i].y1;
                                for (unsigned k = 0; k < FACE_KEYPOINTS; k++) {
                                        acc.kp[k].x += w * cand[i].kp[k].x;
                                        acc.kp[k].y += w * cand[i].kp[k].y;
                                }
                                wsum += w;
                        } else
                                cand[keep++] = cand[i];   /* order is kept: still sorted */
                }
                n = keep;

                acc.x0 /= wsum;
                acc.y0 /= wsum;
                acc.x1 /= wsum;
                acc.y1 /= wsum;
                for (unsigned k = 0; k < FACE_KEYPOINTS; k++) {
                        acc.kp[k].x /= wsum;
                        acc.kp[k].y /= wsum;
                }
                acc.score = best.score;
                if (found < max_out)
                        out[found] = acc;
                found++;
        }
        return found;
}

int face_decode(const struct face_decode_params *p,
                const float *scores_a, const float *scores_b,
                const float *regs_a, const float *regs_b,
                const struct face_anchor anchors[FACE_ANCHORS],
                struct face_detection *scratch,
                struct face_detection *out, size_t max_out) {
        const size_t n_a = 512;
        size_t n = 0;

        if (!p || p->input_size == 0 || !scores_a || !scores_b || !regs_a || !regs_b ||
            !anchors || !scratch || (!out && max_out > 0))
                return -EINVAL;
        if (!(p->nms_iou >= 0.0f && p->nms_iou <= 1.0f))
                return -EINVAL;

        float inv_s = 1.0f / (float) p->input_size;
        for (size_t i = 0; i < FACE_ANCHORS; i++) {
                bool first = i < n_a;
                float logit = first ? scores_a[i] : scores_b[i - n_a];
                float s;

                if (isnan(logit))
                        continue;
                s = sigmoid_clipped(logit);
                if (!(s >= p->score_threshold))
                        continue;
                const float *reg = first ? regs_a + i * FACE_REG_STRIDE
                                         : regs_b + (i - n_a) * FACE_REG_STRIDE;
                decode_one(&anchors[i], reg, s, inv_s, &scratch[n]);
                if (area(&scratch[n]) <= 0.0f || !isfinite(area(&scratch[n])))
                        continue;       /* degenerate regressions are noise, not faces */
                n++;
        }
        size_t found = weighted_nms(scratch, n, p->nms_iou, out, max_out);
        return (int) MIN(found, (size_t) INT32_MAX);
}

void face_letterbox_init(struct face_letterbox *lb, unsigned size,
                         float origin_x, float origin_y, float w, float h) {
        float s = (float) size / MAX(w, h);
        *lb = (struct face_letterbox) {
                .scale = s,
                .pad_x = ((float) size - w * s) / 2,
                .pad_y = ((float) size - h * s) / 2,
                .origin_x = origin_x,
                .origin_y = origin_y,
                .size = size,
        };
}

static void unmap_point(const struct face_letterbox *lb, float *x, float *y) {
        *x = (*x * lb->size - lb->pad_x) / lb->scale + lb->origin_x;
        *y = (*y * lb->size - lb->pad_y) / lb->scale + lb->origin_y;
}

void face_letterbox_unmap(const struct face_letterbox *lb, struct face_detection *d) {
        unmap_point(lb, &d->x0, &d->y0);
        unmap_point(lb, &d->x1, &d->y1);
        for (unsigned k = 0; k < FACE_KEYPOINTS; k++)
                unmap_point(lb, &d->kp[k].x, &d->kp[k].y);
}

int face_nearest(const struct face_detection *d, size_t n, float cx, float cy) {
        int best = -ENOENT;
        float best_d2 = INFINITY;

        for (size_t i = 0; i < n; i++) {
                float dx = (d[i].x0 + d[i].x1) / 2 - cx, dy = (d[i].y0 + d[i].y1) / 2 - cy;
                float d2 = dx * dx + dy * dy;
                if (d2 < best_d2) {
                        best_d2 = d2;
                        best = (int) i;
                }
        }
        return best;
}
