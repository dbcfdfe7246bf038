// SPDX-License-Identifier: LGPL-2.1-or-later
// Softmax over N elements strided by INNER, for each (outer, inner): max
// subtracted first. One invocation per row. Same as gpu_cpu_ref_softmax().
#version 450
#include "tensor.glsl"

layout(constant_id = 0) const uint OUTER = 1u;
layout(constant_id = 1) const uint N = 1u;
layout(constant_id = 2) const uint INNER = 1u;
layout(constant_id = 3) const uint X_OFF = 0u;
layout(constant_id = 4) const uint Y_OFF = 0u;
layout(constant_id = 5) const uint CONST_MASK = 0u;

void main() {
        uint r = global_index();
        if (r >= OUTER * INNER)
                return;
        uint base = (r / INNER) * N * INNER + r % INNER;
        float mx = uintBitsToFloat(0xff800000u), sum = 0.0;
        for (uint k = 0u; k < N; k++)
                mx = max(mx, LD(CONST_MASK, 0u, X_OFF, base + k * INNER));
        for (uint k = 0u; k < N; k++)
                sum += exp(LD(CONST_MASK, 0u, X_OFF, base + k * INNER) - mx);
        for (uint k = 0u; k < N; k++)
                arena[Y_OFF + base + k * INNER] = exp(LD(CONST_MASK, 0u, X_OFF, base + k * INNER) - mx) / sum;
}
