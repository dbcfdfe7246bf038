// SPDX-License-Identifier: LGPL-2.1-or-later
// Element-wise ops: unary activations on A, or binary A op B with numpy
// broadcasting (strides of 0 on broadcast dims, rank right-aligned to 6).
// Same as gpu_cpu_ref_unary() / gpu_cpu_ref_binary().
#version 450
#include "tensor.glsl"

#define OP_ACT 0u       // act_apply(ACT) on A
#define OP_ADD 1u
#define OP_SUB 2u
#define OP_MUL 3u
#define OP_PRELU 4u     // A >= 0 ? A : A * B

layout(constant_id = 0) const uint OP = 0u;
layout(constant_id = 1) const uint COUNT = 1u;
layout(constant_id = 2) const uint D0 = 1u;
layout(constant_id = 3) const uint D1 = 1u;
layout(constant_id = 4) const uint D2 = 1u;
layout(constant_id = 5) const uint D3 = 1u;
layout(constant_id = 6) const uint D4 = 1u;
layout(constant_id = 7) const uint D5 = 1u;
layout(constant_id = 8) const uint SA0 = 0u;
layout(constant_id = 9) const uint SA1 = 0u;
layout(constant_id = 10) const uint SA2 = 0u;
layout(constant_id = 11) const uint SA3 = 0u;
layout(constant_id = 12) const uint SA4 = 0u;
layout(constant_id = 13) const uint SA5 = 0u;
layout(constant_id = 14) const uint SB0 = 0u;
layout(constant_id = 15) const uint SB1 = 0u;
layout(constant_id = 16) const uint SB2 = 0u;
layout(constant_id = 17) const uint SB3 = 0u;
layout(constant_id = 18) const uint SB4 = 0u;
layout(constant_id = 19) const uint SB5 = 0u;
layout(constant_id = 20) const uint A_OFF = 0u;
layout(constant_id = 21) const uint B_OFF = 0u;
layout(constant_id = 22) const uint Y_OFF = 0u;
layout(constant_id = 23) const uint CONST_MASK = 0u;   // bits: 0 a, 1 b
layout(constant_id = 24) const uint ACT = 0u;
layout(constant_id = 25) const float ALPHA = 0.0;
layout(constant_id = 26) const float BETA = 0.0;

void main() {
        uint i = global_index();
        if (i >= COUNT)
                return;
        if (OP == OP_ACT) {
                arena[Y_OFF + i] = act_apply(ACT, ALPHA, BETA, LD(CONST_MASK, 0u, A_OFF, i), 0.0);
                return;
        }
        uint d[6] = uint[6](D0, D1, D2, D3, D4, D5);
        uint sa[6] = uint[6](SA0, SA1, SA2, SA3, SA4, SA5);
        uint sb[6] = uint[6](SB0, SB1, SB2, SB3, SB4, SB5);
        uint rem = i, ia = 0u, ib = 0u;
        for (int k = 5; k >= 0; k--) {
                uint idx = rem % d[k];
                rem /= d[k];
                ia += idx * sa[k];
                ib += idx * sb[k];
        }
        float a = LD(CONST_MASK, 0u, A_OFF, ia), b = LD(CONST_MASK, 1u, B_OFF, ib), y;
        if (OP == OP_ADD)
                y = a + b;
        else if (OP == OP_SUB)
                y = a - b;
        else if (OP == OP_MUL)
                y = a * b;
        else
                y = a >= 0.0 ? a : a * b;
        arena[Y_OFF + i] = y;
}
