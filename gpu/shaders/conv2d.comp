// SPDX-License-Identifier: LGPL-2.1-or-later
// Conv (grouped, depthwise and 1x1 included: loop bounds are constants) with
// fused bias, residual and activation: y = act(conv(x) + b + residual).
// One invocation per output element. Same as gpu_cpu_ref_conv().
#version 450
#include "tensor.glsl"

layout(constant_id = 0) const uint N = 1u;
layout(constant_id = 1) const uint C = 1u;
layout(constant_id = 2) const uint H = 1u;
layout(constant_id = 3) const uint W = 1u;
layout(constant_id = 4) const uint M = 1u;
layout(constant_id = 5) const uint OH = 1u;
layout(constant_id = 6) const uint OW = 1u;
layout(constant_id = 7) const uint KH = 1u;
layout(constant_id = 8) const uint KW = 1u;
layout(constant_id = 9) const int SH = 1;
layout(constant_id = 10) const int SW = 1;
layout(constant_id = 11) const int DH = 1;
layout(constant_id = 12) const int DW = 1;
layout(constant_id = 13) const int PT = 0;
layout(constant_id = 14) const int PL = 0;
layout(constant_id = 15) const uint GROUP = 1u;
layout(constant_id = 16) const uint X_OFF = 0u;
layout(constant_id = 17) const uint W_OFF = 0u;
layout(constant_id = 18) const uint B_OFF = NONE;
layout(constant_id = 19) const uint R_OFF = NONE;
layout(constant_id = 20) const uint S_OFF = NONE;
layout(constant_id = 21) const uint Y_OFF = 0u;
layout(constant_id = 22) const uint CONST_MASK = 0u;   // bits: 0 x, 1 w, 2 b, 3 residual, 4 slope
layout(constant_id = 23) const uint ACT = 0u;
layout(constant_id = 24) const float ALPHA = 0.0;
layout(constant_id = 25) const float BETA = 0.0;

void main() {
        uint i = global_index();
        if (i >= N * M * OH * OW)
                return;
        uint ox = i % OW, oy = (i / OW) % OH, m = (i / (OW * OH)) % M, n = i / (OW * OH * M);
        const uint CG = C / GROUP, MG = M / GROUP;
        uint c0 = (m / MG) * CG;

        float acc = B_OFF != NONE ? LD(CONST_MASK, 2u, B_OFF, m) : 0.0;
        for (uint c = 0u; c < CG; c++) {
                uint xbase = ((n * C + c0 + c) * H) * W, wbase = ((m * CG + c) * KH) * KW;
                for (uint ky = 0u; ky < KH; ky++) {
                        int iy = int(oy) * SH - PT + int(ky) * DH;
                        if (iy < 0 || iy >= int(H))
                                continue;
                        for (uint kx = 0u; kx < KW; kx++) {
                                int ix = int(ox) * SW - PL + int(kx) * DW;
                                if (ix < 0 || ix >= int(W))
                                        continue;
                                acc += LD(CONST_MASK, 0u, X_OFF, xbase + uint(iy) * W + uint(ix)) *
                                       LD(CONST_MASK, 1u, W_OFF, wbase + ky * KW + kx);
                        }
                }
        }
        if (R_OFF != NONE)
                acc += LD(CONST_MASK, 3u, R_OFF, i);
        float slope = S_OFF != NONE ? LD(CONST_MASK, 4u, S_OFF, m) : 0.0;
        arena[Y_OFF + i] = act_apply(ACT, ALPHA, BETA, acc, slope);
}
