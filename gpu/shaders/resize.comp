// SPDX-License-Identifier: LGPL-2.1-or-later
// Resize of [N,C,H,W] on H and W: nearest (four rounding rules) or bilinear,
// five coordinate transforms. Same as gpu_cpu_ref_resize() (in float).
#version 450
#include "tensor.glsl"

// enum gpu_resize_coord / gpu_resize_nearest of gpu/graph.h.
#define COORD_HALF_PIXEL 0u
#define COORD_PYTORCH_HALF_PIXEL 1u
#define COORD_ALIGN_CORNERS 2u
#define COORD_ASYMMETRIC 3u
#define COORD_TF_HALF_PIXEL_FOR_NEAREST 4u
#define ROUND_PREFER_FLOOR 0u
#define ROUND_PREFER_CEIL 1u
#define ROUND_FLOOR 2u
#define ROUND_CEIL 3u

layout(constant_id = 0) const uint PLANES = 1u;
layout(constant_id = 1) const uint H = 1u;
layout(constant_id = 2) const uint W = 1u;
layout(constant_id = 3) const uint OH = 1u;
layout(constant_id = 4) const uint OW = 1u;
layout(constant_id = 5) const uint LINEAR = 0u;
layout(constant_id = 6) const uint COORD = 0u;
layout(constant_id = 7) const uint NEAREST = 0u;
layout(constant_id = 8) const float SCALE_H = 1.0;
layout(constant_id = 9) const float SCALE_W = 1.0;
layout(constant_id = 10) const uint X_OFF = 0u;
layout(constant_id = 11) const uint Y_OFF = 0u;
layout(constant_id = 12) const uint CONST_MASK = 0u;

float coord(uint x, float scale, uint in_len, uint out_len) {
        if (COORD == COORD_HALF_PIXEL)
                return (float(x) + 0.5) / scale - 0.5;
        if (COORD == COORD_PYTORCH_HALF_PIXEL)
                return out_len > 1u ? (float(x) + 0.5) / scale - 0.5 : 0.0;
        if (COORD == COORD_ALIGN_CORNERS)
                return out_len > 1u ? float(x) * float(in_len - 1u) / float(out_len - 1u) : 0.0;
        if (COORD == COORD_TF_HALF_PIXEL_FOR_NEAREST)
                return (float(x) + 0.5) / scale;
        return float(x) / scale;
}

uint nearest(float v, uint len) {
        float i;
        if (NEAREST == ROUND_FLOOR)
                i = floor(v);
        else if (NEAREST == ROUND_CEIL)
                i = ceil(v);
        else if (v - floor(v) == 0.5)
                i = NEAREST == ROUND_PREFER_CEIL ? ceil(v) : floor(v);
        else
                i = floor(v + 0.5);     // llround for the non-tie cases
        return uint(clamp(i, 0.0, float(len - 1u)));
}

void main() {
        uint i = global_index();
        if (i >= PLANES * OH * OW)
                return;
        uint ox = i % OW, oy = (i / OW) % OH, p = i / (OW * OH);
        float fy = coord(oy, SCALE_H, H, OH), fx = coord(ox, SCALE_W, W, OW);
        uint base = p * H * W;
        float v;
        if (LINEAR == 0u) {
                v = LD(CONST_MASK, 0u, X_OFF, base + nearest(fy, H) * W + nearest(fx, W));
        } else {
                float cy = clamp(fy, 0.0, float(H - 1u)), cx = clamp(fx, 0.0, float(W - 1u));
                uint y0 = uint(floor(cy)), x0 = uint(floor(cx));
                uint y1 = min(y0 + 1u, H - 1u), x1 = min(x0 + 1u, W - 1u);
                float wy = cy - float(y0), wx = cx - float(x0);
                v = (1.0 - wy) * ((1.0 - wx) * LD(CONST_MASK, 0u, X_OFF, base + y0 * W + x0) +
                                  wx * LD(CONST_MASK, 0u, X_OFF, base + y0 * W + x1)) +
                    wy * ((1.0 - wx) * LD(CONST_MASK, 0u, X_OFF, base + y1 * W + x0) +
                          wx * LD(CONST_MASK, 0u, X_OFF, base + y1 * W + x1));
        }
        arena[Y_OFF + i] = v;
}
