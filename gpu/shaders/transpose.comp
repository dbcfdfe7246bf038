// SPDX-License-Identifier: LGPL-2.1-or-later
// Transpose: output dims D*, source stride of each output dim XS* (the input
// stride of dim perm[d]). Same as gpu_cpu_ref_transpose().
#version 450
#include "tensor.glsl"

layout(constant_id = 0) const uint COUNT = 1u;
layout(constant_id = 1) const uint D0 = 1u;
layout(constant_id = 2) const uint D1 = 1u;
layout(constant_id = 3) const uint D2 = 1u;
layout(constant_id = 4) const uint D3 = 1u;
layout(constant_id = 5) const uint D4 = 1u;
layout(constant_id = 6) const uint D5 = 1u;
layout(constant_id = 7) const uint XS0 = 0u;
layout(constant_id = 8) const uint XS1 = 0u;
layout(constant_id = 9) const uint XS2 = 0u;
layout(constant_id = 10) const uint XS3 = 0u;
layout(constant_id = 11) const uint XS4 = 0u;
layout(constant_id = 12) const uint XS5 = 0u;
layout(constant_id = 13) const uint X_OFF = 0u;
layout(constant_id = 14) const uint Y_OFF = 0u;
layout(constant_id = 15) const uint CONST_MASK = 0u;

void main() {
        uint i = global_index();
        if (i >= COUNT)
                return;
        uint d[6] = uint[6](D0, D1, D2, D3, D4, D5);
        uint xs[6] = uint[6](XS0, XS1, XS2, XS3, XS4, XS5);
        uint rem = i, src = 0u;
        for (int k = 5; k >= 0; k--) {
                src += (rem % d[k]) * xs[k];
                rem /= d[k];
        }
        arena[Y_OFF + i] = LD(CONST_MASK, 0u, X_OFF, src);
}
