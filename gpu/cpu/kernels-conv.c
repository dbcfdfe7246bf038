/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Conv2d driver: validates shapes, picks an algorithm, packs the weights for
 * the chosen ISA's micro-kernel and splits a run into parallel work items.
 *
 *   1x1 stride 1, no pad    the input already is the GEMM's right operand
 *   depthwise               per plane: zero-padded, column-phase-split copy
 *                           in scratch, then a direct kernel (no bounds checks);
 *                           a window covering the whole plane is a dot product
 *                           (a multiplier > 1 goes the im2col way, per group)
 *   anything else           im2col of a block of output columns into scratch
 *                           (cache-sized), then the same GEMM
 * GEMMs with at most KERN_GEMV_MAX_COLS columns (1x1 outputs, e.g. the last
 * layers of an embedder) use a GEMV packing vectorised over output channels.
 */

#include "common/debug.h"
#include "gpu/cpu/kernels-internal.h"

enum conv_algo {
        CONV_ALGO_GEMM_1X1,
        CONV_ALGO_IM2COL,
        CONV_ALGO_DEPTHWISE,
};

static const char *const algo_names[] = {
        [CONV_ALGO_GEMM_1X1] = "gemm-1x1",
        [CONV_ALGO_IM2COL] = "im2col-gemm",
        [CONV_ALGO_DEPTHWISE] = "depthwise",
};

/* Output columns per im2col block: K x this many floats stay in L2. */
#define IM2COL_BLOCK 128
/* Output columns per GEMM work item. */
#define GEMM_COL_BLOCK 64
/* Work items a GEMM is split into at least (for load balance), when the
 * columns alone do not give that many. */
#define GEMM_MIN_ITEMS 8

struct gpu_cpu_conv2d {
        struct gpu_cpu_conv2d_params p;
        enum conv_algo algo;
        const struct kern_ops *ops;
        bool gemv;                      /* GEMM as GEMV (few output columns) */
        size_t m_g, k_g;                /* rows and reduction length per group */
        size_t n_cols;                  /* output columns (h_out * w_out) */
        size_t panels_g;                /* panels per group */
        size_t im2col_cols;             /* columns per im2col block */
        /* depthwise geometry */
        size_t dw_rows, dw_pitch;
        bool dw_global;                 /* one output from the whole, unpadded plane */

        float *w;                       /* packed panels, or [c][k_h][k_w] for depthwise */
        float *bias;                    /* [c_out] or NULL */
        float *slopes;                  /* PRELU, expanded to [c_out] */
        struct kern_epilogue epi;
};

struct gpu_cpu_conv2d *gpu_cpu_conv2d_free(struct gpu_cpu_conv2d *c) {
        if (!c)
                return NULL;
        free(c->w);
        free(c->bias);
        free(c->slopes);
        free(c);
        return NULL;
}

static unsigned or1(unsigned v) {
        return v ? v : 1;
}

static int check_params(struct gpu_cpu_conv2d_params *p) {
        p->batch = or1(p->batch);
        p->stride_h = or1(p->stride_h);
        p->stride_w = or1(p->stride_w);
        p->dil_h = or1(p->dil_h);
        p->dil_w = or1(p->dil_w);
        p->groups = or1(p->groups);

        if (!p->c_in || !p->h_in || !p->w_in || !p->c_out || !p->h_out || !p->w_out || !p->k_h || !p->k_w)
                return -EINVAL;
        if (p->c_in % p->groups || p->c_out % p->groups)
                return -EINVAL;
        if (p->residual < 0 || p->residual >= _GPU_CPU_RESIDUAL_MAX)
                return -EINVAL;
        /* Guard every size product used later against overflow. */
        if ((uint64_t) p->c_in * p->h_in * p->w_in > (1ull << 31) ||
            (uint64_t) p->c_out * p->h_out * p->w_out > (1ull << 31) ||
            (uint64_t) p->c_in * p->k_h * p->k_w > (1ull << 24) ||
            p->k_h > 1024 || p->k_w > 1024 || p->stride_h > 1024 || p->stride_w > 1024 ||
            p->dil_h > 1024 || p->dil_w > 1024 || p->pad_top > 1024 || p->pad_left > 1024)
                return -E2BIG;

        return 0;
}

static int pack_gemm_weights(struct gpu_cpu_conv2d *c, const float *weights) {
        const struct gpu_cpu_conv2d_params *p = &c->p;
        size_t mr = c->gemv ? KERN_VR : c->ops->mr;
        size_t per_group = c->panels_g * mr * c->k_g;

        c->w = aligned_alloc(64, ALIGN_UP(per_group * p->groups * sizeof(float), 64));
        if (!c->w)
                return -ENOMEM;
        for (unsigned g = 0; g < p->groups; g++) {
                _cleanup_free_ float *wp = kern_pack_panels(weights + g * c->m_g * c->k_g, c->m_g,
                                                            c->k_g, c->k_g, mr);
                if (!wp)
                        return -ENOMEM;
                memcpy(c->w + g * per_group, wp, per_group * sizeof(float));
        }
        return 0;
}

int gpu_cpu_conv2d_prepare(const struct gpu_cpu_conv2d_params *params, const float *weights,
                           const float *bias, struct gpu_cpu_conv2d **ret) {
        if (!params || !weights || !ret)
                return -EINVAL;

        _cleanup_(gpu_cpu_conv2d_freep) struct gpu_cpu_conv2d *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->p = *params;
        int r = check_params(&c->p);
        if (r < 0)
                return ls_debug_errno(r, "conv2d: invalid parameters");
        const struct gpu_cpu_conv2d_params *p = &c->p;

        c->ops = kern_ops_for(gpu_cpu_isa_resolve(p->isa));
        r = kern_epilogue_init(&p->act, p->c_out, &c->epi, &c->slopes);
        if (r < 0)
                return ls_debug_errno(r, "conv2d: invalid activation");
        c->epi.residual = p->residual;
        if (bias) {
                c->bias = malloc(p->c_out * sizeof(float));
                if (!c->bias)
                        return -ENOMEM;
                memcpy(c->bias, bias, p->c_out * sizeof(float));
                c->epi.bias = c->bias;
        }

        c->m_g = p->c_out / p->groups;
        c->k_g = (size_t) (p->c_in / p->groups) * p->k_h * p->k_w;
        c->n_cols = (size_t) p->h_out * p->w_out;

        if (p->groups == p->c_in && p->groups == p->c_out) {
                size_t n = (size_t) p->c_out * p->k_h * p->k_w;
                c->algo = CONV_ALGO_DEPTHWISE;
                c->w = malloc(n * sizeof(float));
                if (!c->w)
                        return -ENOMEM;
                memcpy(c->w, weights, n * sizeof(float));
                c->dw_global = p->h_out == 1 && p->w_out == 1 && p->k_h == p->h_in && p->k_w == p->w_in &&
                               p->pad_top == 0 && p->pad_left == 0 && p->dil_h == 1 && p->dil_w == 1;
                c->dw_rows = (size_t) (p->h_out - 1) * p->stride_h + (size_t) (p->k_h - 1) * p->dil_h + 1;
                /* 16 columns of slack: kernels load whole vectors past w_out */
                c->dw_pitch = ALIGN_UP((size_t) p->w_out + 16 +
                                       (size_t) (p->k_w - 1) * p->dil_w / p->stride_w + 1, 8);
        } else {
                bool direct = p->k_h == 1 && p->k_w == 1 && p->stride_h == 1 && p->stride_w == 1 &&
                              p->pad_top == 0 && p->pad_left == 0 &&
                              p->h_out == p->h_in && p->w_out == p->w_in;
                c->algo = direct ? CONV_ALGO_GEMM_1X1 : CONV_ALGO_IM2COL;
                c->gemv = c->n_cols <= KERN_GEMV_MAX_COLS;
                c->panels_g = DIV_ROUND_UP(c->m_g, c->gemv ? (size_t) KERN_VR : c->ops->mr);
                c->im2col_cols = MIN((size_t) IM2COL_BLOCK, ALIGN_UP(c->n_cols, KERN_NR));
                r = pack_gemm_weights(c, weights);
                if (r < 0)
                        return r;
        }
        c->epi.slopes = c->slopes;

        ls_debug("conv2d %ux%ux%u -> %ux%ux%u k%ux%u s%u g%u: %s/%s%s", p->c_in, p->h_in, p->w_in,
                 p->c_out, p->h_out, p->w_out, p->k_h, p->k_w, p->stride_h, p->groups,
                 algo_names[c->algo], gpu_cpu_isa_to_string(c->ops->isa), c->gemv ? " gemv" : "");
        *ret = TAKE_PTR(c);
        return 0;
}

enum gpu_cpu_isa gpu_cpu_conv2d_isa(const struct gpu_cpu_conv2d *c) {
        return c->ops->isa;
}

const char *gpu_cpu_conv2d_algorithm(const struct gpu_cpu_conv2d *c) {
        return algo_names[c->algo];
}

/* Length of one zero-padded input row as im2col reads it, per phase. */
static size_t im2col_phase_len(const struct gpu_cpu_conv2d *c) {
        const struct gpu_cpu_conv2d_params *p = &c->p;
        return ALIGN_UP((size_t) p->w_out + (size_t) (p->k_w - 1) * p->dil_w / p->stride_w + 1, 16);
}

static size_t per_thread_scratch(const struct gpu_cpu_conv2d *c) {
        switch (c->algo) {
        case CONV_ALGO_IM2COL:
                /* the column block, then one padded row and its phases */
                return ALIGN_UP((c->k_g * c->im2col_cols + 2 * c->p.stride_w * im2col_phase_len(c)) *
                                sizeof(float), 64);
        case CONV_ALGO_DEPTHWISE:
                /* phase planes, then one padded row for the phase split */
                return ALIGN_UP(c->p.stride_w * (c->dw_rows + 1) * c->dw_pitch * sizeof(float), 64);
        default:
                return 0;
        }
}

size_t gpu_cpu_conv2d_scratch_size(const struct gpu_cpu_conv2d *c, unsigned n_threads) {
        return per_thread_scratch(c) * MAX(n_threads, 1u);
}

struct conv_job {
        const struct gpu_cpu_conv2d *c;
        const float *in;
        const float *res;
        float *out;
        char *scratch;
        size_t col_blocks, panel_blocks;        /* GEMM_1X1 split */
        size_t panels_per_block;
};

/* The epilogue for rows [row0, ...) of image b, group g. */
static struct kern_epilogue epi_at(const struct conv_job *j, size_t row0, size_t res_off) {
        struct kern_epilogue e = j->c->epi;
        if (e.bias)
                e.bias += row0;
        if (e.slopes)
                e.slopes += row0;
        e.res = j->res ? j->res + res_off : NULL;
        e.ld_res = j->c->n_cols;
        return e;
}

static void run_gemv_cols(const struct gpu_cpu_conv2d *c, const float *wv, const float *x,
                          size_t ldx, size_t cols, float *y, size_t ldy,
                          const struct kern_epilogue *epi, size_t panel_begin, size_t panel_end) {
        for (size_t n = 0; n < cols; n++) {
                struct kern_gemv_args a = {
                        .k_len = c->k_g, .wv = wv, .rows = c->m_g,
                        .x = x + n, .incx = ldx,
                        .y = y + n, .incy = ldy,
                        .panel_begin = panel_begin, .panel_end = panel_end,
                        .epi = *epi,
                };
                if (a.epi.res) {
                        a.epi.res += n;
                        a.epi.ld_res = ldy;
                }
                c->ops->gemv(&a);
        }
}

static void task_gemm_1x1(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct conv_job *j = userdata;
        const struct gpu_cpu_conv2d *c = j->c;
        const struct gpu_cpu_conv2d_params *p = &c->p;
        size_t per_bg = j->col_blocks * j->panel_blocks;
        size_t mr = c->gemv ? KERN_VR : c->ops->mr;

        for (size_t item = begin; item < end; item++) {
                size_t bg = item / per_bg, rest = item % per_bg;
                size_t b = bg / p->groups, g = bg % p->groups;
                size_t cb = rest / j->panel_blocks, pb = rest % j->panel_blocks;
                size_t row0 = g * c->m_g;
                const float *x = j->in + (b * p->c_in + g * c->k_g) * c->n_cols;
                float *y = j->out + (b * p->c_out + row0) * c->n_cols;
                struct kern_epilogue e = epi_at(j, row0, (b * p->c_out + row0) * c->n_cols);
                const float *w = c->w + g * c->panels_g * mr * c->k_g;
                size_t p0 = pb * j->panels_per_block, p1 = MIN(p0 + j->panels_per_block, c->panels_g);

                if (c->gemv) {
                        run_gemv_cols(c, w, x, c->n_cols, c->n_cols, y, c->n_cols, &e, p0, p1);
                        continue;
                }
                size_t c0 = cb * GEMM_COL_BLOCK, cols = MIN((size_t) GEMM_COL_BLOCK, c->n_cols - c0);
                /* The input is read in place (copying the K x cols block to
                 * contiguous rows measured slower on the model shapes). */
                struct kern_gemm_args a = {
                        .k_len = c->k_g, .mr = mr, .wp = w, .rows = c->m_g,
                        .x = x, .ldx = c->n_cols, .y = y, .ldy = c->n_cols,
                        .col_begin = c0, .col_end = c0 + cols,
                        .panel_begin = p0, .panel_end = p1,
                        .epi = e,
                };
                c->ops->gemm(&a);
        }
}

/* Zero-padded copy of input row iy (NULL: a padding row), split into
 * stride_w column phases: phase f holds padded columns f, f + s, f + 2s, ... */
static void im2col_row(const struct gpu_cpu_conv2d *c, const float *row, float *padded, float *phases) {
        const struct gpu_cpu_conv2d_params *p = &c->p;
        size_t plen = im2col_phase_len(c), len = p->stride_w * plen;
        size_t left = MIN((size_t) p->pad_left, len);
        size_t n = row ? MIN((size_t) p->w_in, len - left) : 0;
        float *d = p->stride_w == 1 ? phases : padded;

        memset(d, 0, left * sizeof(float));
        if (n)
                memcpy(d + left, row, n * sizeof(float));
        memset(d + left + n, 0, (len - left - n) * sizeof(float));
        if (p->stride_w == 2)
                c->ops->split2(padded, plen, phases, phases + plen);
        else if (p->stride_w > 2)
                for (unsigned f = 0; f < p->stride_w; f++)
                        for (size_t j = 0; j < plen; j++)
                                phases[f * plen + j] = padded[j * p->stride_w + f];
}

/* Fills dst[k][0..cols) with the patch values of output columns n0.. of one
 * group. Each input row a block touches is padded and phase-split once; every
 * tap then is a plain copy. */
static void im2col_block(const struct gpu_cpu_conv2d *c, const float *in, size_t n0, size_t cols,
                         float *dst, size_t ld, float *tmp) {
        const struct gpu_cpu_conv2d_params *p = &c->p;
        size_t cin_g = p->c_in / p->groups;
        size_t plen = im2col_phase_len(c);
        float *padded = tmp, *phases = tmp + p->stride_w * plen;
        size_t oy0 = n0 / p->w_out, oy1 = (n0 + cols - 1) / p->w_out;

        for (size_t ci = 0; ci < cin_g; ci++)
                for (size_t oy = oy0; oy <= oy1; oy++) {
                        /* columns of this block that belong to output row oy */
                        size_t row_start = oy * p->w_out;
                        size_t a = MAX(row_start, n0), b = MIN(row_start + p->w_out, n0 + cols);
                        for (unsigned ky = 0; ky < p->k_h; ky++) {
                                long iy = (long) (oy * p->stride_h + ky * p->dil_h) - p->pad_top;
                                bool inside = iy >= 0 && iy < (long) p->h_in;
                                im2col_row(c, inside ? in + (ci * p->h_in + iy) * p->w_in : NULL, padded, phases);
                                for (unsigned kx = 0; kx < p->k_w; kx++) {
                                        size_t k = (ci * p->k_h + ky) * p->k_w + kx;
                                        size_t off = (size_t) kx * p->dil_w;
                                        const float *src = phases + (off % p->stride_w) * plen + off / p->stride_w;
                                        memcpy(dst + k * ld + (a - n0), src + (a - row_start), (b - a) * sizeof(float));
                                }
                        }
                }
        /* zero the tail so whole-vector loads see finite values */
        if (cols < ld)
                for (size_t k = 0; k < c->k_g; k++)
                        memset(dst + k * ld + cols, 0, (ld - cols) * sizeof(float));
}

static void task_im2col(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct conv_job *j = userdata;
        const struct gpu_cpu_conv2d *c = j->c;
        const struct gpu_cpu_conv2d_params *p = &c->p;
        size_t blocks = DIV_ROUND_UP(c->n_cols, c->im2col_cols);
        size_t mr = c->gemv ? KERN_VR : c->ops->mr;
        float *buf = (float *) (j->scratch + thread * per_thread_scratch(c));

        for (size_t item = begin; item < end; item++) {
                size_t bg = item / blocks, blk = item % blocks;
                size_t b = bg / p->groups, g = bg % p->groups;
                size_t n0 = blk * c->im2col_cols, cols = MIN(c->im2col_cols, c->n_cols - n0);
                size_t row0 = g * c->m_g;
                const float *in = j->in + (b * p->c_in + g * (p->c_in / p->groups)) * p->h_in * p->w_in;
                float *y = j->out + (b * p->c_out + row0) * c->n_cols + n0;
                struct kern_epilogue e = epi_at(j, row0, (b * p->c_out + row0) * c->n_cols + n0);
                const float *w = c->w + g * c->panels_g * mr * c->k_g;

                im2col_block(c, in, n0, cols, buf, c->im2col_cols, buf + c->k_g * c->im2col_cols);
                if (c->gemv) {
                        run_gemv_cols(c, w, buf, c->im2col_cols, cols, y, c->n_cols, &e, 0, c->panels_g);
                        continue;
                }
                struct kern_gemm_args a = {
                        .k_len = c->k_g, .mr = mr, .wp = w, .rows = c->m_g,
                        .x = buf, .ldx = c->im2col_cols, .y = y, .ldy = c->n_cols,
                        .col_begin = 0, .col_end = cols,
                        .panel_begin = 0, .panel_end = c->panels_g,
                        .epi = e,
                };
                /* the kernel indexes res by column from col_begin = 0 here */
                c->ops->gemm(&a);
        }
}

/* One padded input row split into even (e) and odd (o) padded columns,
 * straight from the input: padded column x = input column + pad_left, so
 * the input's own even/odd split lands at a shifted offset. Only the
 * interior is written: the caller zeroed the padding once. */
static void dw_fill_row2(const struct gpu_cpu_conv2d *c, const float *in, float *e, float *o) {
        size_t pl = c->p.pad_left, w = c->p.w_in, pairs = w / 2;
        /* input even columns go to a, odd ones to b, from offset oa / ob */
        float *a = pl % 2 ? o : e, *b = pl % 2 ? e : o;
        size_t oa = pl / 2, ob = (pl + 1) / 2;

        c->ops->split2(in, pairs, a + oa, b + ob);
        if (w % 2)
                a[oa + pairs] = in[w - 1];
}

/* Whether dw_fill writes only the interior, leaving the zeroed padding alone. */
static bool dw_fill_interior_only(const struct gpu_cpu_conv2d *c) {
        const struct gpu_cpu_conv2d_params *p = &c->p;
        return (p->stride_w == 1 && p->pad_left + p->w_in <= c->dw_pitch) ||
               (p->stride_w == 2 && p->pad_left + p->w_in + 2 <= c->dw_pitch * 2);
}

/* Padded rows [row0, row0 + rows) of one input plane, split into stride_w
 * phases of `rows` rows each; tmp holds one padded row (stride_w * pitch
 * floats) for the split. Padding rows are always zeroed; with `interior`
 * (dw_fill_interior_only()) input rows write only their interior, the left
 * and right padding having been zeroed once before. */
static void dw_fill_rows(const struct gpu_cpu_conv2d *c, const float *plane, size_t row0, size_t rows,
                         bool interior, float *dst, float *tmp) {
        const struct gpu_cpu_conv2d_params *p = &c->p;
        unsigned sw = p->stride_w;
        size_t row_len = sw * c->dw_pitch;
        size_t left = MIN((size_t) p->pad_left, row_len);
        size_t n = MIN((size_t) p->w_in, row_len - left);

        for (size_t r = 0; r < rows; r++) {
                long iy = (long) (row0 + r) - p->pad_top;
                if (iy < 0 || iy >= (long) p->h_in) {
                        for (unsigned f = 0; f < sw; f++)
                                memset(dst + (f * rows + r) * c->dw_pitch, 0, c->dw_pitch * sizeof(float));
                        continue;
                }
                if (interior && sw == 1) {
                        memcpy(dst + r * c->dw_pitch + left, plane + iy * p->w_in, n * sizeof(float));
                        continue;
                }
                if (interior && sw == 2) {
                        dw_fill_row2(c, plane + iy * p->w_in, dst + r * c->dw_pitch, dst + (rows + r) * c->dw_pitch);
                        continue;
                }
                /* padded column x is input column x - pad_left */
                float *d = sw == 1 ? dst + r * c->dw_pitch : tmp;
                memset(d, 0, left * sizeof(float));
                memcpy(d + left, plane + iy * p->w_in, n * sizeof(float));
                memset(d + left + n, 0, (row_len - left - n) * sizeof(float));
                if (sw == 2)
                        c->ops->split2(tmp, c->dw_pitch, dst + r * c->dw_pitch, dst + (rows + r) * c->dw_pitch);
                else if (sw > 2)
                        for (unsigned f = 0; f < sw; f++) {
                                float *o = dst + (f * rows + r) * c->dw_pitch;
                                for (size_t j = 0; j < c->dw_pitch; j++)
                                        o[j] = tmp[j * sw + f];
                        }
        }
}

/* Zero-padded copy of one input plane, split into stride_w column phases.
 * With dw_fill_interior_only(), dst must have been zeroed once before the
 * first plane: every plane writes the same interior positions. Otherwise
 * tmp holds one padded row (stride_w * pitch floats) for the phase split. */
static void dw_fill(const struct gpu_cpu_conv2d *c, const float *plane, float *dst, float *tmp) {
        const struct gpu_cpu_conv2d_params *p = &c->p;
        unsigned sw = p->stride_w;
        size_t row_len = sw * c->dw_pitch;
        size_t left = MIN((size_t) p->pad_left, row_len);
        size_t n = MIN((size_t) p->w_in, row_len - left);
        size_t r0 = MIN((size_t) p->pad_top, c->dw_rows);
        size_t r1 = MIN((size_t) p->pad_top + p->h_in, c->dw_rows);

        if (dw_fill_interior_only(c)) {
                for (size_t r = r0; r < r1; r++) {
                        const float *s = plane + (r - p->pad_top) * p->w_in;
                        if (sw == 1)
                                memcpy(dst + r * c->dw_pitch + left, s, n * sizeof(float));
                        else
                                dw_fill_row2(c, s, dst + r * c->dw_pitch, dst + (c->dw_rows + r) * c->dw_pitch);
                }
                return;
        }
        dw_fill_rows(c, plane, 0, c->dw_rows, false, dst, tmp);
}

static void task_depthwise(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct conv_job *j = userdata;
        const struct gpu_cpu_conv2d *c = j->c;
        const struct gpu_cpu_conv2d_params *p = &c->p;
        float *buf = (float *) (j->scratch + thread * per_thread_scratch(c));
        size_t plane_in = (size_t) p->h_in * p->w_in;

        if (!c->dw_global && dw_fill_interior_only(c))
                memset(buf, 0, p->stride_w * c->dw_rows * c->dw_pitch * sizeof(float));

        for (size_t item = begin; item < end; item++) {
                size_t ch = item % p->c_out;
                if (c->dw_global) {
                        /* the window is the whole plane: a dot product */
                        const float *x = j->in + item * plane_in, *w = c->w + ch * plane_in;
                        float acc[8] = {};
                        size_t i = 0;
                        for (; i + 8 <= plane_in; i += 8)
                                for (size_t l = 0; l < 8; l++)
                                        acc[l] += x[i + l] * w[i + l];
                        for (; i < plane_in; i++)
                                acc[0] += x[i] * w[i];
                        float v = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
                        struct kern_epilogue e = epi_at(j, ch, item);
                        c->ops->act(&e, 0, &v, 1, e.res);
                        j->out[item] = v;
                        continue;
                }
                dw_fill(c, j->in + item * plane_in, buf, buf + c->p.stride_w * c->dw_rows * c->dw_pitch);
                struct kern_dw_args a = {
                        .src = buf, .pitch = c->dw_pitch, .rows = c->dw_rows,
                        .k_h = p->k_h, .k_w = p->k_w, .stride_h = p->stride_h, .stride_w = p->stride_w,
                        .dil_h = p->dil_h, .dil_w = p->dil_w,
                        .w = c->w + ch * p->k_h * p->k_w,
                        .dst = j->out + item * c->n_cols,
                        .h_out = p->h_out, .w_out = p->w_out,
                        .epi = epi_at(j, ch, item * c->n_cols),
                };
                a.epi.ld_res = p->w_out;
                c->ops->dw(&a);
        }
}

int gpu_cpu_conv2d_run(const struct gpu_cpu_conv2d *c, const float *in, const float *residual,
                       float *out, void *scratch, struct gpu_cpu_threadpool *tp) {
        const struct gpu_cpu_conv2d_params *p = &c->p;

        if ((p->residual != GPU_CPU_RESIDUAL_NONE) != !!residual)
                return -EINVAL;
        if (per_thread_scratch(c) && !scratch)
                return -EINVAL;

        struct conv_job j = {
                .c = c, .in = in, .res = residual, .out = out, .scratch = scratch,
        };
        size_t bg = (size_t) p->batch * p->groups;

        switch (c->algo) {
        case CONV_ALGO_GEMM_1X1:
                j.col_blocks = c->gemv ? 1 : DIV_ROUND_UP(c->n_cols, GEMM_COL_BLOCK);
                /* all panels of a column block in one item, unless that leaves
                 * too few items to share */
                j.panel_blocks = MIN(c->panels_g, DIV_ROUND_UP((size_t) GEMM_MIN_ITEMS, bg * j.col_blocks));
                j.panels_per_block = DIV_ROUND_UP(c->panels_g, j.panel_blocks);
                j.panel_blocks = DIV_ROUND_UP(c->panels_g, j.panels_per_block);
                gpu_cpu_threadpool_run(tp, bg * j.col_blocks * j.panel_blocks, 1, task_gemm_1x1, &j);
                break;
        case CONV_ALGO_IM2COL:
                gpu_cpu_threadpool_run(tp, bg * DIV_ROUND_UP(c->n_cols, c->im2col_cols), 1,
                                       task_im2col, &j);
                break;
        case CONV_ALGO_DEPTHWISE:
                gpu_cpu_threadpool_run(tp, (size_t) p->batch * p->c_out, 1, task_depthwise, &j);
                break;
        }
        return 0;
}

/* ------------------------------------------------------------------------
 * Depthwise then 1x1, band by band: per band of output rows, every channel's
 * depthwise rows go to `mid` ([c][band_rows * w_out], in scratch), then the
 * 1x1 GEMM reads them from cache. Same kernels, same summation order: the
 * same floats as the two convs run in turn.
 * ---------------------------------------------------------------------- */

/* Floats of depthwise output per band (all channels): a share of L2. */
#define DWPW_MID_FLOATS 32768

struct gpu_cpu_dwpw {
        const struct gpu_cpu_conv2d *dw, *pw;   /* borrowed */
        size_t band_rows, n_bands;              /* output rows per band */
        size_t src_rows;                        /* padded input rows a band reads (per phase) */
        size_t mid_floats;                      /* c * band_rows * w_out, 16-aligned */
        bool interior;                          /* fills write only the interior */
};

struct gpu_cpu_dwpw *gpu_cpu_dwpw_free(struct gpu_cpu_dwpw *f) {
        free(f);
        return NULL;
}

int gpu_cpu_dwpw_prepare(const struct gpu_cpu_conv2d *dw, const struct gpu_cpu_conv2d *pw, unsigned n_threads,
                         struct gpu_cpu_dwpw **ret) {
        const struct gpu_cpu_conv2d_params *d, *q;

        if (!dw || !pw || !ret)
                return -EINVAL;
        d = &dw->p;
        q = &pw->p;
        if (dw->algo != CONV_ALGO_DEPTHWISE || dw->dw_global || d->residual != GPU_CPU_RESIDUAL_NONE ||
            pw->algo != CONV_ALGO_GEMM_1X1 || pw->gemv || q->groups != 1 || dw->ops != pw->ops ||
            q->batch != d->batch || q->c_in != d->c_out || q->h_in != d->h_out || q->w_in != d->w_out)
                return -EOPNOTSUPP;

        struct gpu_cpu_dwpw *f = calloc(1, sizeof(*f));
        if (!f)
                return -ENOMEM;
        size_t row = (size_t) d->c_out * d->w_out;
        size_t rows = MAX(DWPW_MID_FLOATS / row, (size_t) 1);
        /* enough bands to share between the threads */
        if (n_threads > 1)
                rows = MIN(rows, DIV_ROUND_UP((size_t) d->h_out * d->batch, 2 * (size_t) n_threads));
        /* bands of even height, a multiple of 4 rows (the depthwise kernels' step) where possible */
        size_t bands = DIV_ROUND_UP((size_t) d->h_out, MIN(rows, (size_t) d->h_out));
        rows = DIV_ROUND_UP((size_t) d->h_out, bands);
        if (rows > 4 && rows % 4 && ALIGN_UP(rows, 4) * (bands - 1) < d->h_out)
                rows = ALIGN_UP(rows, 4);
        f->dw = dw;
        f->pw = pw;
        f->band_rows = rows;
        f->n_bands = DIV_ROUND_UP((size_t) d->h_out, f->band_rows);
        f->interior = dw_fill_interior_only(dw);
        f->src_rows = (f->band_rows - 1) * d->stride_h + (size_t) (d->k_h - 1) * d->dil_h + 1;
        f->mid_floats = ALIGN_UP((size_t) d->c_out * f->band_rows * d->w_out, 16);
        *ret = f;
        return 0;
}

static size_t dwpw_per_thread(const struct gpu_cpu_dwpw *f) {
        /* mid, then the band's phase planes, then one padded row for the split */
        return ALIGN_UP((f->mid_floats + f->dw->p.stride_w * (f->src_rows + 1) * f->dw->dw_pitch) * sizeof(float),
                        64);
}

size_t gpu_cpu_dwpw_scratch_size(const struct gpu_cpu_dwpw *f, unsigned n_threads) {
        return dwpw_per_thread(f) * MAX(n_threads, 1u);
}

struct dwpw_job {
        const struct gpu_cpu_dwpw *f;
        const float *in, *res;
        float *out;
        char *scratch;
};

static void task_dwpw(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct dwpw_job *j = userdata;
        const struct gpu_cpu_dwpw *f = j->f;
        const struct gpu_cpu_conv2d *dw = f->dw, *pw = f->pw;
        const struct gpu_cpu_conv2d_params *d = &dw->p;
        float *mid = (float *) (j->scratch + thread * dwpw_per_thread(f));
        float *src = mid + f->mid_floats, *tmp = src + d->stride_w * f->src_rows * dw->dw_pitch;
        size_t plane_in = (size_t) d->h_in * d->w_in, ld = f->band_rows * d->w_out;

        if (f->interior)
                memset(src, 0, d->stride_w * f->src_rows * dw->dw_pitch * sizeof(float));
        for (size_t item = begin; item < end; item++) {
                size_t b = item / f->n_bands, oy0 = (item % f->n_bands) * f->band_rows;
                size_t rows = MIN(f->band_rows, (size_t) d->h_out - oy0), cols = rows * d->w_out;

                for (size_t ch = 0; ch < d->c_out; ch++) {
                        struct kern_epilogue e = dw->epi;
                        if (e.bias)
                                e.bias += ch;
                        if (e.slopes)
                                e.slopes += ch;
                        dw_fill_rows(dw, j->in + (b * d->c_out + ch) * plane_in, oy0 * d->stride_h, f->src_rows,
                                     f->interior, src, tmp);
                        struct kern_dw_args a = {
                                .src = src, .pitch = dw->dw_pitch, .rows = f->src_rows,
                                .k_h = d->k_h, .k_w = d->k_w, .stride_h = d->stride_h, .stride_w = d->stride_w,
                                .dil_h = d->dil_h, .dil_w = d->dil_w,
                                .w = dw->w + ch * d->k_h * d->k_w,
                                .dst = mid + ch * ld,
                                .h_out = rows, .w_out = d->w_out,
                                .epi = e,
                        };
                        dw->ops->dw(&a);
                }

                size_t off = b * pw->p.c_out * pw->n_cols + oy0 * d->w_out;
                struct kern_gemm_args g = {
                        .k_len = pw->k_g, .mr = pw->ops->mr, .wp = pw->w, .rows = pw->m_g,
                        .x = mid, .ldx = ld, .y = j->out + off, .ldy = pw->n_cols,
                        .col_begin = 0, .col_end = cols,
                        .panel_begin = 0, .panel_end = pw->panels_g,
                        .epi = pw->epi,
                };
                /* the kernel indexes res by column from col_begin = 0 */
                g.epi.res = j->res ? j->res + off : NULL;
                g.epi.ld_res = pw->n_cols;
                pw->ops->gemm(&g);
        }
}

int gpu_cpu_dwpw_run(const struct gpu_cpu_dwpw *f, const float *in, const float *residual, float *out,
                     void *scratch, struct gpu_cpu_threadpool *tp) {
        if ((f->pw->p.residual != GPU_CPU_RESIDUAL_NONE) != !!residual || !scratch)
                return -EINVAL;

        struct dwpw_job j = { .f = f, .in = in, .res = residual, .out = out, .scratch = scratch };
        gpu_cpu_threadpool_run(tp, (size_t) f->dw->p.batch * f->n_bands, 1, task_dwpw, &j);
        return 0;
}
