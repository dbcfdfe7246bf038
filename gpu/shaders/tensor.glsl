// SPDX-License-Identifier: LGPL-2.1-or-later
// Graph op shaders: every tensor lives in one of two buffers, the model's
// arena (inputs and activations, binding 0) or its constants (binding 1), at
// an element offset given by a specialization constant; a CONST_MASK bit says
// which buffer an operand is in. Elements are float32, dense, row-major.
#include "common.glsl"

layout(std430, binding = 0) buffer Arena { float arena[]; };
layout(std430, binding = 1) readonly buffer Consts { float consts[]; };

#define NONE 0xffffffffu

// Operand `bit` of CONST_MASK selects the constants buffer.
#define LD(mask, bit, off, i) ((((mask) >> (bit)) & 1u) != 0u ? consts[(off) + (i)] : arena[(off) + (i)])

// 2-D dispatch for more than 65535 groups: x fastest.
uint global_index() {
        return gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x;
}

// enum gpu_act of gpu/graph.h.
#define ACT_NONE 0u
#define ACT_RELU 1u
#define ACT_CLIP 2u
#define ACT_LEAKY_RELU 3u
#define ACT_PRELU 4u
#define ACT_SIGMOID 5u

float act_apply(uint act, float alpha, float beta, float x, float slope) {
        if (act == ACT_RELU)
                return x > 0.0 ? x : 0.0;
        if (act == ACT_CLIP)
                return x < alpha ? alpha : x > beta ? beta : x;
        if (act == ACT_LEAKY_RELU)
                return x >= 0.0 ? x : alpha * x;
        if (act == ACT_PRELU)
                return x >= 0.0 ? x : slope * x;
        if (act == ACT_SIGMOID)
                return 1.0 / (1.0 + exp(-x));
        return x;
}
