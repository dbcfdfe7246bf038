/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>

#include "face/reference.h"

void face_reference_limits_default(struct face_reference_limits *ret) {
        *ret = (struct face_reference_limits) {
                .min_detection_score = FACE_REFERENCE_MIN_DETECTION_SCORE_DEFAULT,
                .min_quality = FACE_REFERENCE_MIN_QUALITY_DEFAULT,
        };
}

int face_reference_judge(const struct face_reference_limits *l, int r, const struct face_analysis *a,
                         enum face_guidance *ret_reason) {
        enum face_guidance why;

        if (!l || !a || !ret_reason)
                return -EINVAL;
        if (r < 0 && r != -ENOENT)
                return r;
        if (r == -ENOENT || a->n_faces == 0)
                why = FACE_GUIDANCE_NO_FACE;
        else if (a->n_faces > 1)
                why = FACE_GUIDANCE_MULTIPLE_FACES;
        else if (!(a->face.score >= l->min_detection_score))    /* NaN is weak too */
                why = FACE_GUIDANCE_WEAK_DETECTION;
        else if (!(a->quality.score >= l->min_quality))
                why = a->quality.guidance != FACE_GUIDANCE_OK ? a->quality.guidance : FACE_GUIDANCE_POOR_QUALITY;
        else
                return 0;
        *ret_reason = why;
        return -EDOM;
}
