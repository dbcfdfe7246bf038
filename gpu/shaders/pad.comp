// SPDX-License-Identifier: LGPL-2.1-or-later
// Pad (constant, edge, reflect; negative pads crop): output dims D*, input
// dims XD* and strides XS*, pads before PB*. Same as gpu_cpu_ref_pad().
#version 450
#include "tensor.glsl"

#define MODE_CONSTANT 0u
#define MODE_REFLECT 1u
#define MODE_EDGE 2u

layout(constant_id = 0) const uint COUNT = 1u;
layout(constant_id = 1) const uint D0 = 1u;
layout(constant_id = 2) const uint D1 = 1u;
layout(constant_id = 3) const uint D2 = 1u;
layout(constant_id = 4) const uint D3 = 1u;
layout(constant_id = 5) const uint D4 = 1u;
layout(constant_id = 6) const uint D5 = 1u;
layout(constant_id = 7) const int XD0 = 1;
layout(constant_id = 8) const int XD1 = 1;
layout(constant_id = 9) const int XD2 = 1;
layout(constant_id = 10) const int XD3 = 1;
layout(constant_id = 11) const int XD4 = 1;
layout(constant_id = 12) const int XD5 = 1;
layout(constant_id = 13) const uint XS0 = 0u;
layout(constant_id = 14) const uint XS1 = 0u;
layout(constant_id = 15) const uint XS2 = 0u;
layout(constant_id = 16) const uint XS3 = 0u;
layout(constant_id = 17) const uint XS4 = 0u;
layout(constant_id = 18) const uint XS5 = 0u;
layout(constant_id = 19) const int PB0 = 0;
layout(constant_id = 20) const int PB1 = 0;
layout(constant_id = 21) const int PB2 = 0;
layout(constant_id = 22) const int PB3 = 0;
layout(constant_id = 23) const int PB4 = 0;
layout(constant_id = 24) const int PB5 = 0;
layout(constant_id = 25) const uint MODE = 0u;
layout(constant_id = 26) const float VALUE = 0.0;
layout(constant_id = 27) const uint X_OFF = 0u;
layout(constant_id = 28) const uint Y_OFF = 0u;
layout(constant_id = 29) const uint CONST_MASK = 0u;

void main() {
        uint i = global_index();
        if (i >= COUNT)
                return;
        uint d[6] = uint[6](D0, D1, D2, D3, D4, D5);
        int xd[6] = int[6](XD0, XD1, XD2, XD3, XD4, XD5);
        uint xs[6] = uint[6](XS0, XS1, XS2, XS3, XS4, XS5);
        int pb[6] = int[6](PB0, PB1, PB2, PB3, PB4, PB5);
        uint rem = i, src = 0u;
        bool outside = false;
        for (int k = 5; k >= 0; k--) {
                int idx = int(rem % d[k]) - pb[k], len = xd[k];
                rem /= d[k];
                if (idx < 0 || idx >= len) {
                        if (MODE == MODE_CONSTANT)
                                outside = true;
                        else if (MODE == MODE_EDGE)
                                idx = idx < 0 ? 0 : len - 1;
                        else
                                idx = idx < 0 ? -idx : 2 * (len - 1) - idx;
                }
                src += uint(max(idx, 0)) * xs[k];
        }
        arena[Y_OFF + i] = outside ? VALUE : LD(CONST_MASK, 0u, X_OFF, src);
}
