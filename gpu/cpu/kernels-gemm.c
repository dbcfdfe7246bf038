/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Gemm with a constant B, on the conv GEMM micro-kernels: the product is
 * computed transposed, Y^T[n][m] = B'^T[n][k] * A'^T[k][m], so B'^T is the
 * packed operand and the epilogue's per-row bias is ONNX's usual C of shape
 * [N]. A batch of at most KERN_GEMV_MAX_COLS rows (the common case: one
 * embedding) runs as GEMVs straight on A and Y; larger batches transpose A
 * and Y through scratch.
 */

#include "common/debug.h"
#include "gpu/cpu/kernels-internal.h"

#define GEMM_COL_BLOCK 64
#define GEMM_PANEL_BLOCK 4

struct gpu_cpu_gemm {
        struct gpu_cpu_gemm_params p;
        const struct kern_ops *ops;
        bool gemv;
        size_t panels;
        float *w;               /* alpha * B'^T packed */
        float *c;               /* beta * C, as c_kind says */
        float *slopes;
        struct kern_epilogue epi;
        bool post;              /* C and the activation applied after the product */
};

struct gpu_cpu_gemm *gpu_cpu_gemm_free(struct gpu_cpu_gemm *g) {
        if (!g)
                return NULL;
        free(g->w);
        free(g->c);
        free(g->slopes);
        free(g);
        return NULL;
}

static size_t c_len(const struct gpu_cpu_gemm_params *p) {
        switch (p->c_kind) {
        case GPU_CPU_GEMM_C_SCALAR:
                return 1;
        case GPU_CPU_GEMM_C_ROW:
                return p->n;
        case GPU_CPU_GEMM_C_COL:
                return p->m;
        case GPU_CPU_GEMM_C_FULL:
                return (size_t) p->m * p->n;
        default:
                return 0;
        }
}

int gpu_cpu_gemm_prepare(const struct gpu_cpu_gemm_params *params, const float *b, const float *c,
                         struct gpu_cpu_gemm **ret) {
        if (!params || !b || !ret)
                return -EINVAL;
        const struct gpu_cpu_gemm_params *p = params;
        if (!p->m || !p->k || !p->n || p->c_kind < 0 || p->c_kind >= _GPU_CPU_GEMM_C_MAX ||
            (p->c_kind != GPU_CPU_GEMM_C_NONE && !c))
                return -EINVAL;
        if ((uint64_t) p->k * p->n > (1ull << 30) || (uint64_t) p->m * p->n > (1ull << 30) ||
            (uint64_t) p->m * p->k > (1ull << 30))
                return -E2BIG;

        _cleanup_(gpu_cpu_gemm_freep) struct gpu_cpu_gemm *g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;
        g->p = *p;
        float alpha = p->alpha == 0.f && p->beta == 0.f ? 1.f : p->alpha;
        float beta = p->alpha == 0.f && p->beta == 0.f ? 1.f : p->beta;
        g->ops = kern_ops_for(gpu_cpu_isa_resolve(p->isa));
        g->gemv = p->m <= KERN_GEMV_MAX_COLS;
        size_t mr = g->gemv ? KERN_VR : g->ops->mr;
        g->panels = DIV_ROUND_UP(p->n, mr);

        int r = kern_epilogue_init(&p->act, p->n, &g->epi, &g->slopes);
        if (r < 0)
                return r;

        /* B'^T[n][k], scaled by alpha */
        _cleanup_free_ float *bt = malloc((size_t) p->n * p->k * sizeof(float));
        if (!bt)
                return -ENOMEM;
        for (size_t n = 0; n < p->n; n++)
                for (size_t k = 0; k < p->k; k++)
                        bt[n * p->k + k] = alpha * (p->trans_b ? b[n * p->k + k] : b[k * p->n + n]);
        g->w = kern_pack_panels(bt, p->n, p->k, p->k, mr);
        if (!g->w)
                return -ENOMEM;

        size_t nc = c_len(p);
        if (nc) {
                g->c = malloc(nc * sizeof(float));
                if (!g->c)
                        return -ENOMEM;
                for (size_t i = 0; i < nc; i++)
                        g->c[i] = beta * c[i];
        }
        if (p->c_kind == GPU_CPU_GEMM_C_ROW)
                g->epi.bias = g->c;
        else if (p->c_kind != GPU_CPU_GEMM_C_NONE) {
                g->post = true;
                g->epi.act = GPU_CPU_ACT_NONE;
        }
        *ret = TAKE_PTR(g);
        return 0;
}

size_t gpu_cpu_gemm_scratch_size(const struct gpu_cpu_gemm *g, unsigned n_threads) {
        if (g->gemv)
                return 0;
        /* A'^T and Y^T */
        return ALIGN_UP((size_t) g->p.k * g->p.m * sizeof(float), 64) +
               ALIGN_UP((size_t) g->p.n * g->p.m * sizeof(float), 64);
}

struct gemm_job {
        const struct gpu_cpu_gemm *g;
        const float *a;
        float *y;
        const float *x;         /* GEMM: A'^T [k][m] */
        float *yt;              /* GEMM: Y^T [n][m] */
        size_t col_blocks, panel_blocks;
};

static void task_gemv(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct gemm_job *j = userdata;
        const struct gpu_cpu_gemm *g = j->g;
        const struct gpu_cpu_gemm_params *p = &g->p;

        for (size_t item = begin; item < end; item++) {
                size_t row = item / j->panel_blocks, pb = item % j->panel_blocks;
                struct kern_gemv_args a = {
                        .k_len = p->k, .wv = g->w, .rows = p->n,
                        .x = p->trans_a ? j->a + row : j->a + row * p->k,
                        .incx = p->trans_a ? p->m : 1,
                        .y = j->y + row * p->n, .incy = 1,
                        .panel_begin = pb * GEMM_PANEL_BLOCK,
                        .panel_end = MIN((pb + 1) * GEMM_PANEL_BLOCK, g->panels),
                        .epi = g->epi,
                };
                g->ops->gemv(&a);
        }
}

static void task_gemm(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct gemm_job *j = userdata;
        const struct gpu_cpu_gemm *g = j->g;
        const struct gpu_cpu_gemm_params *p = &g->p;

        for (size_t item = begin; item < end; item++) {
                size_t cb = item / j->panel_blocks, pb = item % j->panel_blocks;
                struct kern_gemm_args a = {
                        .k_len = p->k, .mr = g->ops->mr, .wp = g->w, .rows = p->n,
                        .x = j->x, .ldx = p->m, .y = j->yt, .ldy = p->m,
                        .col_begin = cb * GEMM_COL_BLOCK,
                        .col_end = MIN((cb + 1) * GEMM_COL_BLOCK, (size_t) p->m),
                        .panel_begin = pb * GEMM_PANEL_BLOCK,
                        .panel_end = MIN((pb + 1) * GEMM_PANEL_BLOCK, g->panels),
                        .epi = g->epi,
                };
                g->ops->gemm(&a);
        }
}

static void post_c(const struct gpu_cpu_gemm *g, float *y) {
        const struct gpu_cpu_gemm_params *p = &g->p;
        struct kern_epilogue e = g->epi;

        e.act = p->act.type;
        for (size_t m = 0; m < p->m; m++)
                for (size_t n = 0; n < p->n; n++) {
                        float c = p->c_kind == GPU_CPU_GEMM_C_SCALAR ? g->c[0] :
                                  p->c_kind == GPU_CPU_GEMM_C_COL ? g->c[m] : g->c[m * p->n + n];
                        y[m * p->n + n] = kern_act1(&e, n, y[m * p->n + n] + c);
                }
}

int gpu_cpu_gemm_run(const struct gpu_cpu_gemm *g, const float *a, float *y, void *scratch,
                     struct gpu_cpu_threadpool *tp) {
        const struct gpu_cpu_gemm_params *p = &g->p;
        struct gemm_job j = { .g = g, .a = a, .y = y };

        j.panel_blocks = DIV_ROUND_UP(g->panels, GEMM_PANEL_BLOCK);
        if (g->gemv) {
                gpu_cpu_threadpool_run(tp, p->m * j.panel_blocks, 1, task_gemv, &j);
        } else {
                if (!scratch)
                        return -EINVAL;
                float *xt = scratch;
                float *yt = (float *) ((char *) scratch + ALIGN_UP((size_t) p->k * p->m * sizeof(float), 64));
                if (p->trans_a)
                        j.x = a;
                else {
                        for (size_t m = 0; m < p->m; m++)
                                for (size_t k = 0; k < p->k; k++)
                                        xt[k * p->m + m] = a[m * p->k + k];
                        j.x = xt;
                }
                j.yt = yt;
                j.col_blocks = DIV_ROUND_UP(p->m, GEMM_COL_BLOCK);
                gpu_cpu_threadpool_run(tp, j.col_blocks * j.panel_blocks, 1, task_gemm, &j);
                for (size_t n = 0; n < p->n; n++)
                        for (size_t m = 0; m < p->m; m++)
                                y[m * p->n + n] = yt[n * p->m + m];
        }
        if (g->post)
                post_c(g, y);
        return 0;
}

struct matmul_job {
        size_t m, k, n;
        const float *a, *b;
        ptrdiff_t sa, sb;
        float *y;
};

static void task_matmul(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct matmul_job *j = userdata;

        for (size_t item = begin; item < end; item++) {
                size_t bi = item / j->m, i = item % j->m;
                const float *a = j->a + bi * j->sa + i * j->k;
                const float *b = j->b + bi * j->sb;
                float *y = j->y + (bi * j->m + i) * j->n;

                memset(y, 0, j->n * sizeof(float));
                for (size_t k = 0; k < j->k; k++) {
                        float av = a[k];
                        const float *br = b + k * j->n;
                        for (size_t n = 0; n < j->n; n++)
                                y[n] += av * br[n];
                }
        }
}

void gpu_cpu_matmul(size_t batch, size_t m, size_t k, size_t n,
                    const float *a, ptrdiff_t a_batch_stride,
                    const float *b, ptrdiff_t b_batch_stride,
                    float *y, struct gpu_cpu_threadpool *tp) {
        struct matmul_job j = {
                .m = m, .k = k, .n = n, .a = a, .b = b,
                .sa = a_batch_stride, .sb = b_batch_stride, .y = y,
        };
        if (!batch || !m || !n)
                return;
        gpu_cpu_threadpool_run(tp, batch * m, MAX((size_t) 1, 4096 / MAX(k * n, (size_t) 1)), task_matmul, &j);
}
