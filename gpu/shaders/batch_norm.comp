// SPDX-License-Identifier: LGPL-2.1-or-later
// BatchNorm (inference) as a per-channel affine map: y = x * a[c] + b[c],
// a = scale / sqrt(var + eps) and b = bias - mean * a folded on the host
// (in double) when the model is prepared. Same as gpu_cpu_ref_batch_norm().
#version 450
#include "tensor.glsl"

layout(constant_id = 0) const uint COUNT = 1u;
layout(constant_id = 1) const uint C = 1u;
layout(constant_id = 2) const uint INNER = 1u;
layout(constant_id = 3) const uint X_OFF = 0u;
layout(constant_id = 4) const uint AB_OFF = 0u;        // a[C] then b[C], in the constants
layout(constant_id = 5) const uint Y_OFF = 0u;
layout(constant_id = 6) const uint CONST_MASK = 0u;

void main() {
        uint i = global_index();
        if (i >= COUNT)
                return;
        uint c = (i / INNER) % C;
        arena[Y_OFF + i] = LD(CONST_MASK, 0u, X_OFF, i) * consts[AB_OFF + c] + consts[AB_OFF + C + c];
}
