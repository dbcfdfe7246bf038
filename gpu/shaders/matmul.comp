// SPDX-License-Identifier: LGPL-2.1-or-later
// MatMul: A [..., M, K] x B [..., K, N] with broadcast batch dims (up to 4,
// strides in whole matrices, 0 when broadcast). Same as gpu_cpu_ref_matmul().
#version 450
#include "tensor.glsl"

layout(constant_id = 0) const uint M = 1u;
layout(constant_id = 1) const uint N = 1u;
layout(constant_id = 2) const uint K = 1u;
layout(constant_id = 3) const uint BATCH = 1u;
layout(constant_id = 4) const uint D0 = 1u;
layout(constant_id = 5) const uint D1 = 1u;
layout(constant_id = 6) const uint D2 = 1u;
layout(constant_id = 7) const uint D3 = 1u;
layout(constant_id = 8) const uint SA0 = 0u;
layout(constant_id = 9) const uint SA1 = 0u;
layout(constant_id = 10) const uint SA2 = 0u;
layout(constant_id = 11) const uint SA3 = 0u;
layout(constant_id = 12) const uint SB0 = 0u;
layout(constant_id = 13) const uint SB1 = 0u;
layout(constant_id = 14) const uint SB2 = 0u;
layout(constant_id = 15) const uint SB3 = 0u;
layout(constant_id = 16) const uint A_OFF = 0u;
layout(constant_id = 17) const uint B_OFF = 0u;
layout(constant_id = 18) const uint Y_OFF = 0u;
layout(constant_id = 19) const uint CONST_MASK = 0u;   // bits: 0 a, 1 b

void main() {
        uint idx = global_index();
        if (idx >= BATCH * M * N)
                return;
        uint j = idx % N, i = (idx / N) % M, bi = idx / (M * N);
        uint d[4] = uint[4](D0, D1, D2, D3);
        uint sa[4] = uint[4](SA0, SA1, SA2, SA3);
        uint sb[4] = uint[4](SB0, SB1, SB2, SB3);
        uint rem = bi, oa = 0u, ob = 0u;
        for (int k = 3; k >= 0; k--) {
                uint x = rem % d[k];
                rem /= d[k];
                oa += x * sa[k];
                ob += x * sb[k];
        }
        uint abase = oa * M * K, bbase = ob * K * N;
        float acc = 0.0;
        for (uint k = 0u; k < K; k++)
                acc += LD(CONST_MASK, 0u, A_OFF, abase + i * K + k) * LD(CONST_MASK, 1u, B_OFF, bbase + k * N + j);
        arena[Y_OFF + idx] = acc;
}
