// SPDX-License-Identifier: LGPL-2.1-or-later
// MaxPool / AveragePool / GlobalAveragePool (a pool whose kernel is the whole
// plane). One invocation per output element. Same as gpu_cpu_ref_pool().
#version 450
#include "tensor.glsl"

layout(constant_id = 0) const uint PLANES = 1u;
layout(constant_id = 1) const uint H = 1u;
layout(constant_id = 2) const uint W = 1u;
layout(constant_id = 3) const uint OH = 1u;
layout(constant_id = 4) const uint OW = 1u;
layout(constant_id = 5) const uint KH = 1u;
layout(constant_id = 6) const uint KW = 1u;
layout(constant_id = 7) const int SH = 1;
layout(constant_id = 8) const int SW = 1;
layout(constant_id = 9) const int DH = 1;
layout(constant_id = 10) const int DW = 1;
layout(constant_id = 11) const int PT = 0;
layout(constant_id = 12) const int PL = 0;
layout(constant_id = 13) const int PB = 0;
layout(constant_id = 14) const int PR = 0;
layout(constant_id = 15) const uint IS_MAX = 0u;
layout(constant_id = 16) const uint COUNT_PAD = 0u;
layout(constant_id = 17) const uint X_OFF = 0u;
layout(constant_id = 18) const uint Y_OFF = 0u;
layout(constant_id = 19) const uint CONST_MASK = 0u;

void main() {
        uint i = global_index();
        if (i >= PLANES * OH * OW)
                return;
        uint ox = i % OW, oy = (i / OW) % OH, p = i / (OW * OH);
        float acc = IS_MAX != 0u ? uintBitsToFloat(0xff800000u) : 0.0;
        int n_in = 0, n_pad = 0;
        for (uint ky = 0u; ky < KH; ky++) {
                int iy = int(oy) * SH - PT + int(ky) * DH;
                for (uint kx = 0u; kx < KW; kx++) {
                        int ix = int(ox) * SW - PL + int(kx) * DW;
                        if (iy < int(H) + PB && ix < int(W) + PR)
                                n_pad++;
                        if (iy < 0 || iy >= int(H) || ix < 0 || ix >= int(W))
                                continue;
                        float v = LD(CONST_MASK, 0u, X_OFF, (p * H + uint(iy)) * W + uint(ix));
                        n_in++;
                        acc = IS_MAX != 0u ? max(acc, v) : acc + v;
                }
        }
        if (IS_MAX == 0u)
                acc /= float(max(COUNT_PAD != 0u ? n_pad : n_in, 1));
        arena[Y_OFF + i] = acc;
}
