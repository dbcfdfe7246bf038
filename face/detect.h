/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * BlazeFace output decoding: anchors, box/keypoint regression, MediaPipe's
 * weighted non-maximum suppression, and the mapping from the letterboxed
 * model input back to frame pixels. Pure arithmetic on the model's output
 * tensors, shared by every backend.
 *
 * Conventions (MediaPipe short/full range detectors, confirmed against the
 * reference pipeline): 896 anchors, a 16x16 grid with 2 anchors per cell then
 * an 8x8 grid with 6 per cell, in row, column, anchor order, centred at
 * ((c + 0.5) / g, (r + 0.5) / g) with unit size. Regressors are in input
 * pixels of the S x S model input.
 */

#include <stddef.h>
#include <stdint.h>

#define FACE_ANCHORS 896
#define FACE_KEYPOINTS 6

enum face_keypoint {
        FACE_KP_EYE_LEFT_IMAGE = 0,     /* subject's right eye */
        FACE_KP_EYE_RIGHT_IMAGE = 1,
        FACE_KP_NOSE = 2,
        FACE_KP_MOUTH = 3,
        FACE_KP_EAR_LEFT_IMAGE = 4,
        FACE_KP_EAR_RIGHT_IMAGE = 5,
};

struct face_point {
        float x, y;
};

struct face_detection {
        float x0, y0, x1, y1;                   /* box corners */
        struct face_point kp[FACE_KEYPOINTS];
        float score;                            /* 0..1 */
};

struct face_anchor {
        float cx, cy;
};

/* Fills the 896 anchors in the order the models emit them. */
void face_anchors_generate(struct face_anchor anchors[FACE_ANCHORS]);

struct face_decode_params {
        unsigned input_size;            /* S: 128 or 256 */
        float score_threshold;          /* keep score >= this (0.5) */
        float nms_iou;                  /* weighted NMS overlap (0.3) */
};

/*
 * Decodes raw outputs: scores_a [512] and scores_b [384] (logits), regs_a
 * [512*16] and regs_b [384*16]. Detections are in normalised model-input
 * coordinates (0..1 of the S x S letterboxed input), after weighted NMS,
 * sorted by descending score. Writes at most max_out; returns how many were
 * found (which may exceed max_out: the rest are dropped), or -EINVAL.
 * scratch must hold FACE_ANCHORS entries of struct face_detection.
 */
int face_decode(const struct face_decode_params *p,
                const float *scores_a, const float *scores_b,
                const float *regs_a, const float *regs_b,
                const struct face_anchor anchors[FACE_ANCHORS],
                struct face_detection *scratch,
                struct face_detection *out, size_t max_out);

/*
 * Letterbox geometry: a w x h region placed centred in an S x S square,
 * scaled to fit, padding black. face_letterbox_unmap() takes detections in
 * normalised square coordinates back to region pixels (plus the region's
 * origin, so results are in frame pixels).
 */
struct face_letterbox {
        float scale;            /* square pixels per source pixel */
        float pad_x, pad_y;     /* square pixels of padding left and top */
        float origin_x, origin_y;
        unsigned size;          /* S */
};

void face_letterbox_init(struct face_letterbox *lb, unsigned size,
                         float origin_x, float origin_y, float w, float h);
void face_letterbox_unmap(const struct face_letterbox *lb, struct face_detection *d);

float face_iou(const struct face_detection *a, const struct face_detection *b);

/* Index of the detection whose box centre is nearest (cx, cy), or -ENOENT. */
int face_nearest(const struct face_detection *d, size_t n, float cx, float cy);
