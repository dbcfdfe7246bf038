/*
 * Graph ops (gpu/graph.h) as OpenCL C. Every tensor is a (buffer, offset in
 * floats) pair: the model's arena or its constant pool. One work item per
 * output element; launches round the range up, so each kernel checks its
 * bound. Index maths in int: tensors are capped at 2^28 elements.
 */

/* enum gpu_act */
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_CLIP 2
#define ACT_LEAKY 3
#define ACT_PRELU 4
#define ACT_SIGMOID 5

static float act_apply(int type, float alpha, float beta, float x, float slope) {
        switch (type) {
        case ACT_RELU:
                return x > 0.0f ? x : 0.0f;
        case ACT_CLIP:
                return x < alpha ? alpha : x > beta ? beta : x;
        case ACT_LEAKY:
                return x >= 0.0f ? x : alpha * x;
        case ACT_PRELU:
                return x >= 0.0f ? x : slope * x;
        case ACT_SIGMOID:
                return 1.0f / (1.0f + exp(-x));
        default:
                return x;
        }
}

/*
 * Conv (any group, stride, dilation, pad) + bias + residual, then the
 * activation: y = act(conv(x) + b + residual). shape: N C H W, oshape: N M OH OW,
 * k: KH KW SH SW, dp: DH DW PT PL.
 */
__kernel void conv2d(__global const float *x, uint x_off, __global const float *w, uint w_off,
                     __global const float *b, uint b_off, int has_b,
                     __global const float *res, uint res_off, int has_res,
                     __global const float *slope, uint slope_off,
                     __global float *y, uint y_off,
                     int4 shape, int4 oshape, int4 k, int4 dp, int group, int act, float alpha, float beta) {
        int i = get_global_id(0);
        int M = oshape.s1, OH = oshape.s2, OW = oshape.s3;
        if (i >= oshape.s0 * M * OH * OW)
                return;
        int ox = i % OW, oy = (i / OW) % OH, m = (i / (OW * OH)) % M, n = i / (OW * OH * M);
        int C = shape.s1, H = shape.s2, W = shape.s3;
        int cg = C / group, mg = M / group, grp = m / mg;
        int iy0 = oy * k.s2 - dp.s2, ix0 = ox * k.s3 - dp.s3;
        __global const float *xp = x + x_off + (size_t) (n * C + grp * cg) * H * W;
        __global const float *wp = w + w_off + (size_t) m * cg * k.s0 * k.s1;
        float acc = has_b ? b[b_off + m] : 0.0f;

        for (int c = 0; c < cg; c++) {
                for (int ky = 0; ky < k.s0; ky++) {
                        int iy = iy0 + ky * dp.s0;
                        if (iy < 0 || iy >= H)
                                continue;
                        for (int kx = 0; kx < k.s1; kx++) {
                                int ix = ix0 + kx * dp.s1;
                                if (ix < 0 || ix >= W)
                                        continue;
                                acc += xp[(c * H + iy) * W + ix] * wp[(c * k.s0 + ky) * k.s1 + kx];
                        }
                }
        }
        if (has_res)
                acc += res[res_off + i];
        y[y_off + i] = act_apply(act, alpha, beta, acc, act == ACT_PRELU ? slope[slope_off + m] : 0.0f);
}

/*
 * Pointwise conv (1x1, stride 1, no pad, one group): a dot product over the
 * channels with a trip count uniform across work items, which vectorises on
 * CPU drivers and coalesces on GPUs. shape: N C HW M.
 */
__kernel void conv2d_1x1(__global const float *x, uint x_off, __global const float *w, uint w_off,
                         __global const float *b, uint b_off, int has_b,
                         __global const float *res, uint res_off, int has_res,
                         __global const float *slope, uint slope_off,
                         __global float *y, uint y_off, int4 shape, int act, float alpha, float beta) {
        int i = get_global_id(0);
        int C = shape.s1, HW = shape.s2, M = shape.s3;
        if (i >= shape.s0 * M * HW)
                return;
        int p = i % HW, m = (i / HW) % M, n = i / (HW * M);
        __global const float *xp = x + x_off + (size_t) n * C * HW + p;
        __global const float *wp = w + w_off + (size_t) m * C;
        float acc = 0.0f;
        for (int c = 0; c < C; c++)
                acc += xp[(size_t) c * HW] * wp[c];
        if (has_b)
                acc += b[b_off + m];
        if (has_res)
                acc += res[res_off + i];
        y[y_off + i] = act_apply(act, alpha, beta, acc, act == ACT_PRELU ? slope[slope_off + m] : 0.0f);
}

/* Relu, LeakyRelu, Clip, Sigmoid. */
__kernel void unary(__global const float *x, uint x_off, __global float *y, uint y_off, uint count, int act,
                    float alpha, float beta) {
        uint i = get_global_id(0);
        if (i < count)
                y[y_off + i] = act_apply(act, alpha, beta, x[x_off + i], 0.0f);
}

/* Offset of output element i in a tensor with strides s over the output's dims (0: broadcast). */
static int strided_index(int i, int rank, int8 dims, int8 s) {
        int d[8] = { dims.s0, dims.s1, dims.s2, dims.s3, dims.s4, dims.s5, dims.s6, dims.s7 };
        int st[8] = { s.s0, s.s1, s.s2, s.s3, s.s4, s.s5, s.s6, s.s7 };
        int off = 0;
        for (int k = rank - 1; k >= 0; k--) {
                off += (i % d[k]) * st[k];
                i /= d[k];
        }
        return off;
}

#define BIN_ADD 0
#define BIN_SUB 1
#define BIN_MUL 2
#define BIN_PRELU 3

/* Add, Sub, Mul, PRelu with numpy broadcasting. */
__kernel void binary(int op, __global const float *a, uint a_off, __global const float *b, uint b_off,
                     __global float *y, uint y_off, uint count, int rank, int8 dims, int8 sa, int8 sb) {
        int i = get_global_id(0);
        if (i >= (int) count)
                return;
        float av = a[a_off + strided_index(i, rank, dims, sa)];
        float bv = b[b_off + strided_index(i, rank, dims, sb)];
        float r;
        switch (op) {
        case BIN_ADD:
                r = av + bv;
                break;
        case BIN_SUB:
                r = av - bv;
                break;
        case BIN_MUL:
                r = av * bv;
                break;
        default:
                r = av >= 0.0f ? av : av * bv;
                break;
        }
        y[y_off + i] = r;
}

/* y[i] = x[strided(i)]: Transpose (strides permuted) and any gather of that shape. */
__kernel void strided_copy(__global const float *x, uint x_off, __global float *y, uint y_off, uint count,
                           int rank, int8 dims, int8 s) {
        int i = get_global_id(0);
        if (i < (int) count)
                y[y_off + i] = x[x_off + strided_index(i, rank, dims, s)];
}

/* Copies x into a slice of y: Concat (one launch per input), Reshape, Identity (outer = 1). */
__kernel void copy_slice(__global const float *x, uint x_off, __global float *y, uint y_off, uint count,
                         uint in_block, uint out_block, uint out_start) {
        uint i = get_global_id(0);
        if (i < count)
                y[y_off + (i / in_block) * out_block + out_start + i % in_block] = x[x_off + i];
}

/*
 * MaxPool / AveragePool. hw: H W OH OW, k: KH KW SH SW, dp: DH DW PT PL,
 * pad_br: bottom right. Averages divide by the in-frame count, or with
 * count_include_pad by the positions inside the padded extent.
 */
__kernel void pool2d(__global const float *x, uint x_off, __global float *y, uint y_off, uint count, int4 hw,
                     int4 k, int4 dp, int2 pad_br, int is_max, int count_include_pad) {
        int i = get_global_id(0);
        if (i >= (int) count)
                return;
        int H = hw.s0, W = hw.s1, OH = hw.s2, OW = hw.s3;
        int ox = i % OW, oy = (i / OW) % OH, p = i / (OW * OH);
        __global const float *xp = x + x_off + (size_t) p * H * W;
        float acc = is_max ? -INFINITY : 0.0f;
        int n_in = 0, n_pad = 0;
        for (int ky = 0; ky < k.s0; ky++) {
                int iy = oy * k.s2 - dp.s2 + ky * dp.s0;
                for (int kx = 0; kx < k.s1; kx++) {
                        int ix = ox * k.s3 - dp.s3 + kx * dp.s1;
                        if (iy < H + pad_br.s0 && ix < W + pad_br.s1)
                                n_pad++;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                continue;
                        float v = xp[iy * W + ix];
                        n_in++;
                        acc = is_max ? fmax(acc, v) : acc + v;
                }
        }
        if (!is_max)
                acc /= (float) max(count_include_pad ? n_pad : n_in, 1);
        y[y_off + i] = acc;
}

/* GlobalAveragePool: one work item per plane. */
__kernel void global_avg_pool(__global const float *x, uint x_off, __global float *y, uint y_off, uint planes,
                              uint hw) {
        uint p = get_global_id(0);
        if (p >= planes)
                return;
        __global const float *xp = x + x_off + (size_t) p * hw;
        float s = 0.0f;
        for (uint i = 0; i < hw; i++)
                s += xp[i];
        y[y_off + p] = s / (float) hw;
}

/* Gemm: Y[M,N] = alpha * A' B' + beta * C (C broadcast by strides cs0, cs1). */
__kernel void gemm(__global const float *a, uint a_off, __global const float *b, uint b_off,
                   __global const float *c, uint c_off, int has_c, __global float *y, uint y_off,
                   int M, int N, int K, int trans_a, int trans_b, float alpha, float beta, int cs0, int cs1) {
        int idx = get_global_id(0);
        if (idx >= M * N)
                return;
        int i = idx / N, j = idx % N;
        float acc = 0.0f;
        for (int kk = 0; kk < K; kk++) {
                float av = trans_a ? a[a_off + kk * M + i] : a[a_off + i * K + kk];
                float bv = trans_b ? b[b_off + j * K + kk] : b[b_off + kk * N + j];
                acc += av * bv;
        }
        acc *= alpha;
        if (has_c)
                acc += beta * c[c_off + i * cs0 + j * cs1];
        y[y_off + idx] = acc;
}

/*
 * MatMul with broadcast batch dims: batch index decomposed over bdims (br
 * dims), sa/sb the operands' batch strides in whole matrices.
 */
__kernel void matmul(__global const float *a, uint a_off, __global const float *b, uint b_off,
                     __global float *y, uint y_off, uint count, int M, int N, int K, int br, int8 bdims, int8 sa,
                     int8 sb) {
        int idx = get_global_id(0);
        if (idx >= (int) count)
                return;
        int j = idx % N, i = (idx / N) % M, bi = idx / (M * N);
        __global const float *ap = a + a_off + (size_t) strided_index(bi, br, bdims, sa) * M * K;
        __global const float *bp = b + b_off + (size_t) strided_index(bi, br, bdims, sb) * K * N;
        float acc = 0.0f;
        for (int kk = 0; kk < K; kk++)
                acc += ap[i * K + kk] * bp[kk * N + j];
        y[y_off + idx] = acc;
}

/* BatchNormalization with s = scale / sqrt(var + eps) precomputed: y = (x - mean) * s + bias. */
__kernel void batch_norm(__global const float *x, uint x_off, __global const float *p, uint s_off, uint mean_off,
                         uint bias_off, __global float *y, uint y_off, uint count, uint C, uint inner) {
        uint i = get_global_id(0);
        if (i >= count)
                return;
        uint c = (i / inner) % C;
        y[y_off + i] = (x[x_off + i] - p[mean_off + c]) * p[s_off + c] + p[bias_off + c];
}

/* Softmax over n elements spaced inner apart; one work item per (outer, inner). */
__kernel void softmax(__global const float *x, uint x_off, __global float *y, uint y_off, uint outer, uint n,
                      uint inner) {
        uint idx = get_global_id(0);
        if (idx >= outer * inner)
                return;
        uint o = idx / inner, in = idx % inner;
        __global const float *xp = x + x_off + (size_t) o * n * inner + in;
        __global float *yp = y + y_off + (size_t) o * n * inner + in;
        float mx = -INFINITY, sum = 0.0f;
        for (uint k = 0; k < n; k++)
                mx = fmax(mx, xp[k * inner]);
        for (uint k = 0; k < n; k++)
                sum += exp(xp[k * inner] - mx);
        float inv = 1.0f / sum;
        for (uint k = 0; k < n; k++)
                yp[k * inner] = exp(xp[k * inner] - mx) * inv;
}

/*
 * Pad: constant, reflect or edge, per dim; pads may be negative (a crop).
 * begin: the leading pad of every dim.
 */
__kernel void pad(__global const float *x, uint x_off, __global float *y, uint y_off, uint count, int rank,
                  int8 in_dims, int8 out_dims, int8 begin, int mode, float value) {
        int i = get_global_id(0);
        if (i >= (int) count)
                return;
        int id[8] = { in_dims.s0, in_dims.s1, in_dims.s2, in_dims.s3, in_dims.s4, in_dims.s5, in_dims.s6, in_dims.s7 };
        int od[8] = { out_dims.s0, out_dims.s1, out_dims.s2, out_dims.s3, out_dims.s4, out_dims.s5, out_dims.s6,
                      out_dims.s7 };
        int bg[8] = { begin.s0, begin.s1, begin.s2, begin.s3, begin.s4, begin.s5, begin.s6, begin.s7 };
        int rem = i, src = 0, stride = 1;
        for (int d = rank - 1; d >= 0; d--) {
                int c = rem % od[d] - bg[d];
                rem /= od[d];
                int n = id[d];
                if (c < 0 || c >= n) {
                        if (mode == 0) { /* constant */
                                y[y_off + i] = value;
                                return;
                        } else if (mode == 1) { /* reflect: mirror without repeating the edge */
                                if (n == 1)
                                        c = 0;
                                else {
                                        int period = 2 * (n - 1);
                                        c = c % period;
                                        if (c < 0)
                                                c += period;
                                        if (c >= n)
                                                c = period - c;
                                }
                        } else /* edge */
                                c = clamp(c, 0, n - 1);
                }
                src += c * stride;
                stride *= n;
        }
        y[y_off + i] = x[x_off + src];
}

/* enum gpu_resize_coord */
#define COORD_HALF_PIXEL 0
#define COORD_PYTORCH_HALF_PIXEL 1
#define COORD_ALIGN_CORNERS 2
#define COORD_ASYMMETRIC 3
#define COORD_TF_HALF_PIXEL_FOR_NEAREST 4

static float resize_coord(int coord, int o, float scale, int in_len, int out_len) {
        switch (coord) {
        case COORD_HALF_PIXEL:
                return ((float) o + 0.5f) / scale - 0.5f;
        case COORD_PYTORCH_HALF_PIXEL:
                return out_len > 1 ? ((float) o + 0.5f) / scale - 0.5f : 0.0f;
        case COORD_ALIGN_CORNERS:
                return out_len > 1 ? (float) o * (float) (in_len - 1) / (float) (out_len - 1) : 0.0f;
        case COORD_ASYMMETRIC:
                return (float) o / scale;
        default:
                return ((float) o + 0.5f) / scale;
        }
}

/* enum gpu_resize_nearest */
static int resize_nearest(int mode, float v, int in_len) {
        int r;
        switch (mode) {
        case 0: /* round_prefer_floor */
                r = (v - floor(v) == 0.5f) ? (int) floor(v) : (int) round(v);
                break;
        case 1: /* round_prefer_ceil */
                r = (v - floor(v) == 0.5f) ? (int) ceil(v) : (int) round(v);
                break;
        case 2:
                r = (int) floor(v);
                break;
        default:
                r = (int) ceil(v);
                break;
        }
        return clamp(r, 0, in_len - 1);
}

/* Resize on H, W of NCHW. hw: H W OH OW; mode 0 nearest, 1 linear. */
__kernel void resize(__global const float *x, uint x_off, __global float *y, uint y_off, uint count, int4 hw,
                     float scale_h, float scale_w, int mode, int coord, int nearest) {
        int i = get_global_id(0);
        if (i >= (int) count)
                return;
        int H = hw.s0, W = hw.s1, OH = hw.s2, OW = hw.s3;
        int ox = i % OW, oy = (i / OW) % OH, p = i / (OW * OH);
        __global const float *xp = x + x_off + (size_t) p * H * W;
        float sy = resize_coord(coord, oy, scale_h, H, OH), sx = resize_coord(coord, ox, scale_w, W, OW);
        if (mode == 0) {
                y[y_off + i] = xp[resize_nearest(nearest, sy, H) * W + resize_nearest(nearest, sx, W)];
                return;
        }
        sy = clamp(sy, 0.0f, (float) (H - 1));
        sx = clamp(sx, 0.0f, (float) (W - 1));
        int y0 = (int) floor(sy), x0 = (int) floor(sx);
        int y1 = min(y0 + 1, H - 1), x1 = min(x0 + 1, W - 1);
        float fy = sy - (float) y0, fx = sx - (float) x0;
        float top = xp[y0 * W + x0] * (1.0f - fx) + xp[y0 * W + x1] * fx;
        float bot = xp[y1 * W + x0] * (1.0f - fx) + xp[y1 * W + x1] * fx;
        y[y_off + i] = top * (1.0f - fy) + bot * fy;
}
