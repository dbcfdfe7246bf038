/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Capture quality, modelled on ISO/IEC 29794-5 and OFIQ's measures, and the
 * guidance an officer's screen shows. Every measure is documented with its
 * formula in docs/quality.md; this header states them briefly.
 *
 * Geometric measures come from a detection in frame pixels:
 *   ied        inter-eye distance, |kp1 - kp0| in pixels
 *   roll       atan2(kp1.y - kp0.y, kp1.x - kp0.x), degrees
 *   yaw        asin((dR - dL) / (dR + dL)), degrees, dL/dR = horizontal distance
 *              from the nose tip to the image-left/right ear tragion (0 = frontal;
 *              positive = the face turned towards the image's left)
 *   pitch      from the nose's vertical position between the eye line and the
 *              mouth, relative to the template's 0.4950: asin(clamp(2 * (r - 0.4950))),
 *              degrees (an estimate: 2-D keypoints carry little pitch)
 *   size       face box height / frame height
 *   centring   distance of the box centre from the region-of-interest centre,
 *              divided by the region's half-diagonal (0 centred, 1 at a corner)
 * Photometric measures come from the aligned 112x112 face as luminance 0..255
 * (the inner 80x80 region, which excludes background and hair):
 *   sharpness  variance of the 4-neighbour Laplacian
 *   mean       mean luminance; under/over = fractions below 25 / above 230
 *   range      dynamic range, 99th minus 1st percentile of luminance
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "face/detect.h"

enum face_guidance {
        FACE_GUIDANCE_OK,
        FACE_GUIDANCE_NO_FACE,
        FACE_GUIDANCE_MULTIPLE_FACES,
        FACE_GUIDANCE_MOVE_CLOSER,
        FACE_GUIDANCE_MOVE_BACK,
        FACE_GUIDANCE_LOOK_AT_CAMERA,
        FACE_GUIDANCE_TOO_DARK,
        FACE_GUIDANCE_TOO_BRIGHT,
        FACE_GUIDANCE_HOLD_STILL,
        FACE_GUIDANCE_WEAK_DETECTION,   /* reference photos: the detector is unsure it is a face */
        FACE_GUIDANCE_POOR_QUALITY,     /* reference photos: score below the minimum, no single cause */
        _FACE_GUIDANCE_MAX,
        _FACE_GUIDANCE_INVALID = -22,
};

const char *face_guidance_to_string(enum face_guidance g);
enum face_guidance face_guidance_from_string(const char *s);

struct face_quality_params {
        float min_ied, max_ied;         /* pixels */
        float max_yaw, max_pitch, max_roll;     /* degrees */
        float min_sharpness;            /* Laplacian variance */
        float min_mean, max_mean;       /* luminance */
        float max_under, max_over;      /* fractions */
        float min_range;                /* grey levels */
        float max_size;                 /* box height / frame height */
};

void face_quality_params_default(struct face_quality_params *p);

struct face_quality {
        /* geometric */
        float ied, yaw, pitch, roll, size, centring;
        /* photometric (NAN until measured) */
        float sharpness, mean, under, over, range;
        unsigned n_faces;
        /* judgement */
        float score;                    /* 0..100 */
        enum face_guidance guidance;
};

/* Geometric measures of d; roi is the region of interest (x, y, w, h) in frame pixels. */
void face_quality_geometry(const struct face_detection *d, const float roi[4], unsigned frame_height,
                           struct face_quality *q);

/*
 * Photometric measures on an aligned face: luma is w x h floats (0..255)
 * with a row stride in floats; the inner region is taken proportionally.
 * -EINVAL for an image smaller than 8x8.
 */
int face_quality_photometric(const float *luma, unsigned w, unsigned h, size_t stride,
                             struct face_quality *q);

/*
 * The unified 0-100 score and the guidance code. Score: the weighted mean of
 * per-measure scores in 0..1 (each a linear ramp between unacceptable and
 * good; weights in docs/quality.md), times 100, and 0 when n_faces != 1.
 * Guidance: the first failing check in the order no-face, multiple-faces,
 * move-closer, move-back, look-at-camera, too-dark, too-bright, hold-still.
 */
void face_quality_judge(const struct face_quality_params *p, struct face_quality *q);
