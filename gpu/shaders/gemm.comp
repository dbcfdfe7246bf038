// SPDX-License-Identifier: LGPL-2.1-or-later
// Gemm: Y[M,N] = alpha * op(A) op(B) + beta * C (C broadcast by strides).
// One invocation per output element. Same as gpu_cpu_ref_gemm().
#version 450
#include "tensor.glsl"

layout(constant_id = 0) const uint M = 1u;
layout(constant_id = 1) const uint N = 1u;
layout(constant_id = 2) const uint K = 1u;
layout(constant_id = 3) const uint TRANS_A = 0u;
layout(constant_id = 4) const uint TRANS_B = 0u;
layout(constant_id = 5) const float ALPHA = 1.0;
layout(constant_id = 6) const float BETA = 1.0;
layout(constant_id = 7) const uint A_OFF = 0u;
layout(constant_id = 8) const uint B_OFF = 0u;
layout(constant_id = 9) const uint C_OFF = NONE;
layout(constant_id = 10) const uint CS0 = 0u;
layout(constant_id = 11) const uint CS1 = 0u;
layout(constant_id = 12) const uint Y_OFF = 0u;
layout(constant_id = 13) const uint CONST_MASK = 0u;   // bits: 0 a, 1 b, 2 c

void main() {
        uint idx = global_index();
        if (idx >= M * N)
                return;
        uint i = idx / N, j = idx % N;
        float acc = 0.0;
        for (uint k = 0u; k < K; k++) {
                float a = LD(CONST_MASK, 0u, A_OFF, TRANS_A != 0u ? k * M + i : i * K + k);
                float b = LD(CONST_MASK, 1u, B_OFF, TRANS_B != 0u ? j * K + k : k * N + j);
                acc += a * b;
        }
        acc *= ALPHA;
        if (C_OFF != NONE)
                acc += BETA * LD(CONST_MASK, 2u, C_OFF, i * CS0 + j * CS1);
        arena[Y_OFF + idx] = acc;
}
