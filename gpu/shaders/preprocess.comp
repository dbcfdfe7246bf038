// SPDX-License-Identifier: LGPL-2.1-or-later
// Frame preprocessing, exactly as defined in gpu/preprocess.h: raw frame
// (any supported fourcc) -> bilinear through an affine xform -> normalised
// 3-channel float tensor. One invocation per output pixel.
#version 450
#include "common.glsl"

// Formats: keep in sync with gpu/vk/preprocess.c.
#define FMT_GREY 0u
#define FMT_YUYV 1u
#define FMT_UYVY 2u
#define FMT_NV12 3u
#define FMT_RGB24 4u
#define FMT_BGR24 5u

layout(constant_id = 0) const uint FORMAT = 0u;
layout(constant_id = 1) const uint OUT_W = 1u;
layout(constant_id = 2) const uint OUT_H = 1u;
layout(constant_id = 3) const uint NCHW = 0u;
layout(constant_id = 4) const uint BGR = 0u;
layout(constant_id = 5) const float MEAN0 = 0.0;
layout(constant_id = 6) const float MEAN1 = 0.0;
layout(constant_id = 7) const float MEAN2 = 0.0;
layout(constant_id = 8) const float SCALE0 = 1.0;
layout(constant_id = 9) const float SCALE1 = 1.0;
layout(constant_id = 10) const float SCALE2 = 1.0;

layout(std430, binding = 0) readonly buffer Plane0 { uint p0[]; };
layout(std430, binding = 1) readonly buffer Plane1 { uint p1[]; };
layout(std430, binding = 2) writeonly buffer Out { float dst[]; };

// struct gpu_vk_pre_push in gpu/vk/preprocess.c.
layout(push_constant) uniform Push {
        float m[6];
        int content[4];
        int src_rect[4];    // already clipped to the frame
        uint border;        // 0 clamp, 1 zero
        uint offset0, stride0, offset1, stride1;
        uint frame_w, frame_h;
        uint out_offset;    // in floats
} pc;

vec3 yuv_to_rgb(float y, float u, float v) {
        float yy = 1.164383 * (y - 16.0), uu = u - 128.0, vv = v - 128.0;
        return clamp(vec3(yy + 1.596027 * vv,
                          yy - 0.391762 * uu - 0.812968 * vv,
                          yy + 2.017232 * uu), 0.0, 255.0);
}

vec3 read_rgb(uint x, uint y) {
        uint row = pc.offset0 + y * pc.stride0;
        if (FORMAT == FMT_GREY) {
                return vec3(float(BYTE_AT(p0, row + x)));
        } else if (FORMAT == FMT_RGB24 || FORMAT == FMT_BGR24) {
                vec3 c = vec3(float(BYTE_AT(p0, row + 3u * x)), float(BYTE_AT(p0, row + 3u * x + 1u)),
                              float(BYTE_AT(p0, row + 3u * x + 2u)));
                return FORMAT == FMT_BGR24 ? c.bgr : c;
        } else if (FORMAT == FMT_YUYV) {
                uint pair = row + (x >> 1u) * 4u;
                return yuv_to_rgb(float(BYTE_AT(p0, pair + (x & 1u) * 2u)), float(BYTE_AT(p0, pair + 1u)),
                                  float(BYTE_AT(p0, pair + 3u)));
        } else if (FORMAT == FMT_UYVY) {
                uint pair = row + (x >> 1u) * 4u;
                return yuv_to_rgb(float(BYTE_AT(p0, pair + 1u + (x & 1u) * 2u)), float(BYTE_AT(p0, pair)),
                                  float(BYTE_AT(p0, pair + 2u)));
        } else {
                uint uv = pc.offset1 + (y >> 1u) * pc.stride1 + (x >> 1u) * 2u;
                return yuv_to_rgb(float(BYTE_AT(p0, row + x)), float(BYTE_AT(p1, uv)),
                                  float(BYTE_AT(p1, uv + 1u)));
        }
}

vec3 tap(int x, int y) {
        if (pc.border == 1u && (x < pc.src_rect[0] || x >= pc.src_rect[2] || y < pc.src_rect[1] ||
                                y >= pc.src_rect[3]))
                return vec3(0.0);
        return read_rgb(uint(clamp(x, pc.src_rect[0], pc.src_rect[2] - 1)),
                        uint(clamp(y, pc.src_rect[1], pc.src_rect[3] - 1)));
}

void main() {
        uint dx = gl_GlobalInvocationID.x, dy = gl_GlobalInvocationID.y;
        if (dx >= OUT_W || dy >= OUT_H)
                return;

        vec3 px = vec3(0.0);
        int ix = int(dx), iy = int(dy);
        if (ix >= pc.content[0] && ix < pc.content[2] && iy >= pc.content[1] && iy < pc.content[3] &&
            pc.src_rect[2] > pc.src_rect[0] && pc.src_rect[3] > pc.src_rect[1]) {
                precise float sx = pc.m[0] * float(dx) + pc.m[1] * float(dy) + pc.m[2];
                precise float sy = pc.m[3] * float(dx) + pc.m[4] * float(dy) + pc.m[5];
                float fx0 = floor(sx), fy0 = floor(sy);
                float fx = sx - fx0, fy = sy - fy0;
                int x0 = int(clamp(fx0, -2.0, float(pc.frame_w) + 1.0));
                int y0 = int(clamp(fy0, -2.0, float(pc.frame_h) + 1.0));
                vec3 a = tap(x0, y0), b = tap(x0 + 1, y0), c = tap(x0, y0 + 1), d = tap(x0 + 1, y0 + 1);
                vec3 top = a + (b - a) * fx, bot = c + (d - c) * fx;
                px = top + (bot - top) * fy;
        }

        vec3 mean = vec3(MEAN0, MEAN1, MEAN2), scale = vec3(SCALE0, SCALE1, SCALE2);
        vec3 v = ((BGR != 0u ? px.bgr : px) - mean) * scale;
        for (uint c = 0u; c < 3u; c++) {
                uint i = NCHW != 0u ? (c * OUT_H + dy) * OUT_W + dx : (dy * OUT_W + dx) * 3u + c;
                dst[pc.out_offset + i] = v[c];
        }
}
