/*
 * Frame preprocessing, the definition in gpu/preprocess.h: an affine map
 * from output pixels to the raw frame, bilinear taps converted to RGB,
 * normalised into an NHWC or NCHW float tensor. The arithmetic follows the
 * CPU reference step by step; contraction into fma is off so results stay
 * within rounding of it.
 */
#pragma OPENCL FP_CONTRACT OFF

/* Formats, as numbered by gpu/cl/preprocess.c. */
#define FMT_GREY 0
#define FMT_RGB24 1
#define FMT_BGR24 2
#define FMT_YUYV 3
#define FMT_UYVY 4
#define FMT_NV12 5

static float3 yuv_to_rgb(float y, float u, float v) {
        float yy = 1.164383f * (y - 16.0f), uu = u - 128.0f, vv = v - 128.0f;
        return (float3)(clamp(yy + 1.596027f * vv, 0.0f, 255.0f),
                        clamp(yy - 0.391762f * uu - 0.812968f * vv, 0.0f, 255.0f),
                        clamp(yy + 2.017232f * uu, 0.0f, 255.0f));
}

/* The frame pixel (x, y), inside the frame, as RGB in [0, 255]. */
static float3 read_rgb(__global const uchar *p0, uint stride0, __global const uchar *p1, uint stride1,
                       int fmt, int x, int y) {
        __global const uchar *row = p0 + (size_t) y * stride0;
        __global const uchar *pair, *uv;
        switch (fmt) {
        case FMT_GREY:
                return (float3)(row[x]);
        case FMT_RGB24:
                return (float3)(row[3 * x], row[3 * x + 1], row[3 * x + 2]);
        case FMT_BGR24:
                return (float3)(row[3 * x + 2], row[3 * x + 1], row[3 * x]);
        case FMT_YUYV:
                pair = row + (x / 2) * 4;
                return yuv_to_rgb(pair[(x & 1) * 2], pair[1], pair[3]);
        case FMT_UYVY:
                pair = row + (x / 2) * 4;
                return yuv_to_rgb(pair[1 + (x & 1) * 2], pair[0], pair[2]);
        default: /* FMT_NV12 */
                uv = p1 + (size_t) (y / 2) * stride1 + (x / 2) * 2;
                return yuv_to_rgb(row[x], uv[0], uv[1]);
        }
}

static float3 tap(__global const uchar *p0, uint stride0, __global const uchar *p1, uint stride1, int fmt,
                  int4 r, int zero_border, int x, int y) {
        if (zero_border && (x < r.s0 || x >= r.s2 || y < r.s1 || y >= r.s3))
                return (float3)(0.0f);
        return read_rgb(p0, stride0, p1, stride1, fmt, clamp(x, r.s0, r.s2 - 1), clamp(y, r.s1, r.s3 - 1));
}

/*
 * One work item per output pixel. p0/p1: the buffers holding plane 0 and the
 * chroma plane (may be the same), already offset to the plane's first line
 * via off0/off1. rect: the source rect clipped to the frame by the host.
 */
__kernel void preprocess(__global const uchar *mem0, uint off0, uint stride0,
                         __global const uchar *mem1, uint off1, uint stride1,
                         int fmt, int frame_w, int frame_h,
                         float m0, float m1, float m2, float m3, float m4, float m5,
                         int4 content, int4 rect, int zero_border,
                         __global float *out, uint out_off, int out_w, int out_h, int nchw, int bgr,
                         float4 mean, float4 scale) {
        int dx = get_global_id(0), dy = get_global_id(1);
        if (dx >= out_w || dy >= out_h)
                return;
        __global const uchar *p0 = mem0 + off0, *p1 = mem1 + off1;
        float3 px = (float3)(0.0f);

        if (dx >= content.s0 && dx < content.s2 && dy >= content.s1 && dy < content.s3 && rect.s2 > rect.s0 &&
            rect.s3 > rect.s1) {
                float fdx = (float) dx, fdy = (float) dy;
                float sx = m0 * fdx + m1 * fdy + m2;
                float sy = m3 * fdx + m4 * fdy + m5;
                float fx0 = floor(sx), fy0 = floor(sy);
                float fx = sx - fx0, fy = sy - fy0;
                int x0 = (int) clamp(fx0, -2.0f, (float) frame_w + 1);
                int y0 = (int) clamp(fy0, -2.0f, (float) frame_h + 1);
                float3 a = tap(p0, stride0, p1, stride1, fmt, rect, zero_border, x0, y0);
                float3 b = tap(p0, stride0, p1, stride1, fmt, rect, zero_border, x0 + 1, y0);
                float3 c = tap(p0, stride0, p1, stride1, fmt, rect, zero_border, x0, y0 + 1);
                float3 d = tap(p0, stride0, p1, stride1, fmt, rect, zero_border, x0 + 1, y0 + 1);
                float3 top = a + (b - a) * fx;
                float3 bot = c + (d - c) * fx;
                px = top + (bot - top) * fy;
        }

        float v[3] = { px.s0, px.s1, px.s2 };
        float mn[3] = { mean.s0, mean.s1, mean.s2 }, sc[3] = { scale.s0, scale.s1, scale.s2 };
        for (int ch = 0; ch < 3; ch++) {
                float val = (v[bgr ? 2 - ch : ch] - mn[ch]) * sc[ch];
                size_t i = nchw ? ((size_t) ch * out_h + dy) * out_w + dx : ((size_t) dy * out_w + dx) * 3 + ch;
                out[out_off + i] = val;
        }
}
