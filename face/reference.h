/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reference photos judged as the lane judges a capture. A damaged photo can
 * still decode (a flipped bit inside JPEG 2000 entropy-coded data is not
 * detectable), and then shows several faces, a false face the detector is
 * unsure of, or a face of low quality: any of these makes the photo a poor
 * reference, so that it is refused rather than turned into a plain
 * "no match". The defaults were chosen on LFW DevTrain (3443 photos): of
 * its 3087 photos with one face they refuse 6 (0.19 %, all for a detection
 * score below 0.80; no quality score there is below 40), while 600
 * bit-flipped JPEG 2000 copies of a portrait never came out usable with a
 * false face (all four false faces scored 0.50-0.79). LFW's 356 photos with
 * bystanders (10.3 %) are multiple-faces: passport portraits have one face.
 * Pure functions: any thread.
 */

#include "face/pipeline.h"
#include "face/quality.h"

#define FACE_REFERENCE_MIN_DETECTION_SCORE_DEFAULT 0.80f
#define FACE_REFERENCE_MIN_QUALITY_DEFAULT 40.0f

struct face_reference_limits {
        float min_detection_score;      /* 0..1 */
        float min_quality;              /* 0..100, face_quality.score */
};

void face_reference_limits_default(struct face_reference_limits *ret);

/*
 * r: what face_pipeline_analyze() returned; a its analysis. 0 = usable;
 * -EDOM = poor reference, with *ret_reason the guidance that explains why:
 * no-face, multiple-faces, weak-detection, or for a quality below the
 * minimum the capture guidance (poor-quality when no single check failed).
 * Any other negative r (an engine error) is returned as is.
 */
int face_reference_judge(const struct face_reference_limits *l, int r, const struct face_analysis *a,
                         enum face_guidance *ret_reason);
