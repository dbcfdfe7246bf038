/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CPU backend: runs a planned graph node by node on one arena. Conv
 * nodes go to the fast kernels (gpu/cpu/kernels.h), prepared once per model
 * with their weights packed; every other op runs its reference
 * implementation (gpu/cpu/ops.h). With device "reference" every node runs
 * the reference ops: the oracle mode used by tests.
 *
 * Each model owns its thread pool and scratch, so different models may run
 * on different threads at the same time; one model runs one inference at a time.
 *
 * A run flushes denormals to zero on the calling thread (and so on its pool's
 * workers, which take the caller's mode) and restores the caller's mode after:
 * activations that decay into denormals would otherwise slow every kernel
 * down many times over, and GPUs flush them too.
 */

#include <stdarg.h>

#include "common/debug.h"
#include "gpu/backend.h"
#include "gpu/cpu/kernels.h"
#include "gpu/cpu/ops-fast.h"
#include "gpu/cpu/ops.h"

struct cpu_ctx {
        unsigned n_threads;
        bool reference;
};

/* How a node runs: a fast kernel prepared at model_new, or the reference op. */
enum cpu_kind {
        CPU_REF,
        CPU_CONV,
        CPU_GEMM,
        CPU_MATMUL,
        CPU_POOL,
        CPU_GAP,
        CPU_BINARY,
        CPU_ACT,
        CPU_TRANSPOSE,
        CPU_DWPW,               /* a depthwise conv fused into this 1x1 conv */
        CPU_FUSED,              /* done by a later node (its CPU_DWPW) */
};

struct cpu_node {
        enum cpu_kind kind;
        struct gpu_cpu_conv2d *conv;
        struct gpu_cpu_dwpw *dwpw;              /* DWPW: borrows this and the depthwise node's conv */
        int dwpw_in;                            /* DWPW: the depthwise conv's input tensor */
        struct gpu_cpu_gemm *gemm;
        struct gpu_cpu_pool2d_params pool;
        struct gpu_cpu_activation act;
        enum gpu_cpu_binary binary;
        size_t ndim, shape[GPU_MAX_DIMS];
        ptrdiff_t a_strides[GPU_MAX_DIMS], b_strides[GPU_MAX_DIMS];
        size_t planes, hw;                      /* GAP, ACT */
        size_t batch, m, k, n;                  /* MATMUL */
        ptrdiff_t a_batch_stride, b_batch_stride;
        struct gpu_cpu_transpose transpose;
};

struct cpu_model {
        const struct gpu_graph *g;
        bool reference;
        struct gpu_cpu_threadpool *pool;
        float *arena;
        float **ptr;                    /* per tensor */
        struct cpu_node *nodes;
        void *scratch;
        size_t scratch_size;
};

static int cpu_ctx_new(const struct gpu_backend_params *p, void **ret_ctx, char *err, size_t errlen) {
        struct cpu_ctx *c;
        long n = p->n_threads;

        if (p->device && !streq(p->device, "reference") && !streq(p->device, "default")) {
                if (err && errlen)
                        snprintf(err, errlen, "cpu backend: unknown device '%s' (use 'default' or 'reference')",
                                 p->device);
                return -EINVAL;
        }
        if (n == 0) {
                n = sysconf(_SC_NPROCESSORS_ONLN);
                if (n < 1)
                        n = 1;
        }
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->n_threads = (unsigned) MIN(n, 256L);
        c->reference = p->device && streq(p->device, "reference");
        *ret_ctx = c;
        return 0;
}

static void cpu_ctx_free(void *ctx) {
        free(ctx);
}

static void cpu_get_caps(void *ctx, struct gpu_backend_caps *ret) {
        ret->concurrent_models = true;
}

static void cpu_model_free(void *model) {
        struct cpu_model *m = model;

        if (!m)
                return;
        if (m->nodes)
                for (size_t i = 0; i < m->g->n_nodes; i++) {
                        gpu_cpu_dwpw_free(m->nodes[i].dwpw);
                        gpu_cpu_conv2d_free(m->nodes[i].conv);
                        gpu_cpu_gemm_free(m->nodes[i].gemm);
                }
        gpu_cpu_threadpool_free(m->pool);
        free(m->nodes);
        free(m->ptr);
        free(m->arena);
        free(m->scratch);
        free(m);
}

static struct gpu_cpu_activation cpu_act(const struct gpu_graph *g, const struct gpu_node *n, int s) {
        struct gpu_cpu_activation a = {};

        switch (n->act.type) {
        case GPU_ACT_RELU:
                a.type = GPU_CPU_ACT_RELU;
                break;
        case GPU_ACT_CLIP:
                a.type = GPU_CPU_ACT_CLIP;
                a.min = n->act.alpha;
                a.max = n->act.beta;
                break;
        case GPU_ACT_LEAKY_RELU:
                a.type = GPU_CPU_ACT_LEAKY;
                a.alpha = n->act.alpha;
                break;
        case GPU_ACT_PRELU:
                a.type = GPU_CPU_ACT_PRELU;
                a.slopes = s >= 0 ? g->tensors[s].data : NULL;
                a.n_slopes = s >= 0 ? g->tensors[s].count : 0;
                break;
        case GPU_ACT_SIGMOID:
                a.type = GPU_CPU_ACT_SIGMOID;
                break;
        default:
                break;
        }
        return a;
}

static int prepare_conv(struct cpu_model *m, const struct gpu_node *n, struct cpu_node *cn) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *x = &g->tensors[n->inputs[GPU_CONV_IN_X]], *o = &g->tensors[n->output];
        int b = n->inputs[GPU_CONV_IN_B];
        struct gpu_cpu_conv2d_params p = {
                .batch = (unsigned) x->dims[0],
                .c_in = (unsigned) x->dims[1],
                .h_in = (unsigned) x->dims[2],
                .w_in = (unsigned) x->dims[3],
                .c_out = (unsigned) o->dims[1],
                .h_out = (unsigned) o->dims[2],
                .w_out = (unsigned) o->dims[3],
                .k_h = (unsigned) n->conv.kernel[0],
                .k_w = (unsigned) n->conv.kernel[1],
                .stride_h = (unsigned) n->conv.stride[0],
                .stride_w = (unsigned) n->conv.stride[1],
                .dil_h = (unsigned) n->conv.dilation[0],
                .dil_w = (unsigned) n->conv.dilation[1],
                .pad_top = (unsigned) n->conv.pad[0],
                .pad_left = (unsigned) n->conv.pad[1],
                .groups = (unsigned) n->conv.group,
                .act = cpu_act(g, n, n->inputs[GPU_CONV_IN_SLOPE]),
                .residual = n->inputs[GPU_CONV_IN_RESIDUAL] >= 0 ? GPU_CPU_RESIDUAL_BEFORE_ACT : GPU_CPU_RESIDUAL_NONE,
        };
        int r;

        r = gpu_cpu_conv2d_prepare(&p, g->tensors[n->inputs[GPU_CONV_IN_W]].data, b >= 0 ? g->tensors[b].data : NULL,
                                   &cn->conv);
        if (r < 0)
                return r;
        m->scratch_size = MAX(m->scratch_size, gpu_cpu_conv2d_scratch_size(cn->conv, gpu_cpu_threadpool_size(m->pool)));
        cn->kind = CPU_CONV;
        return 0;
}

/* Gemm with a constant B (and a constant C, if any): packed once. */
static int prepare_gemm(struct cpu_model *m, const struct gpu_node *n, struct cpu_node *cn) {
        const struct gpu_graph *g = m->g;
        const struct gpu_tensor *a = &g->tensors[n->inputs[0]], *b = &g->tensors[n->inputs[1]], *o = &g->tensors[n->output];
        const struct gpu_tensor *c = n->inputs[2] >= 0 ? &g->tensors[n->inputs[2]] : NULL;
        struct gpu_cpu_gemm_params p = {
                .m = (unsigned) o->dims[0],
                .k = (unsigned) a->dims[n->gemm.trans_a ? 0 : 1],
                .n = (unsigned) o->dims[1],
                .trans_a = n->gemm.trans_a,
                .trans_b = n->gemm.trans_b,
                .alpha = n->gemm.alpha,
                .beta = n->gemm.beta,
        };
        int r;

        if (b->kind != GPU_TENSOR_CONSTANT || (c && c->kind != GPU_TENSOR_CONSTANT) ||
            (n->gemm.alpha == 0.0f && n->gemm.beta == 0.0f))
                return 0;       /* reference */
        if (!c || n->gemm.beta == 0.0f)
                p.c_kind = GPU_CPU_GEMM_C_NONE;
        else if (c->count == 1)
                p.c_kind = GPU_CPU_GEMM_C_SCALAR;
        else if (c->count == p.m * (size_t) p.n)
                p.c_kind = GPU_CPU_GEMM_C_FULL;
        else if (c->count == p.n && c->dims[c->ndim - 1] == p.n)
                p.c_kind = GPU_CPU_GEMM_C_ROW;
        else if (c->count == p.m && c->ndim == 2)
                p.c_kind = GPU_CPU_GEMM_C_COL;
        else
                return 0;
        r = gpu_cpu_gemm_prepare(&p, b->data, p.c_kind == GPU_CPU_GEMM_C_NONE ? NULL : c->data, &cn->gemm);
        if (r < 0)
                return r;
        m->scratch_size = MAX(m->scratch_size, gpu_cpu_gemm_scratch_size(cn->gemm, gpu_cpu_threadpool_size(m->pool)));
        cn->kind = CPU_GEMM;
        return 0;
}

static void prepare_matmul(const struct gpu_graph *g, const struct gpu_node *n, struct cpu_node *cn) {
        const struct gpu_tensor *a = &g->tensors[n->inputs[0]], *b = &g->tensors[n->inputs[1]], *o = &g->tensors[n->output];
        size_t batch = o->count / (size_t) (o->dims[o->ndim - 2] * o->dims[o->ndim - 1]);
        size_t m = (size_t) o->dims[o->ndim - 2], k = (size_t) a->dims[a->ndim - 1], nn = (size_t) o->dims[o->ndim - 1];
        size_t ab = a->count / (m * k), bb = b->count / (k * nn);

        /* One batch stride per operand: each is either the whole batch or broadcast. */
        if ((ab != batch && ab != 1) || (bb != batch && bb != 1))
                return;
        *cn = (struct cpu_node) {
                .kind = CPU_MATMUL, .batch = batch, .m = m, .k = k, .n = nn,
                .a_batch_stride = ab == 1 ? 0 : (ptrdiff_t) (m * k),
                .b_batch_stride = bb == 1 ? 0 : (ptrdiff_t) (k * nn),
        };
}

static void prepare_pool(const struct gpu_graph *g, const struct gpu_node *n, struct cpu_node *cn) {
        const struct gpu_tensor *x = &g->tensors[n->inputs[0]], *o = &g->tensors[n->output];

        cn->pool = (struct gpu_cpu_pool2d_params) {
                .type = n->op == GPU_OP_MAX_POOL ? GPU_CPU_POOL_MAX : GPU_CPU_POOL_AVG,
                .batch = (unsigned) x->dims[0],
                .channels = (unsigned) x->dims[1],
                .h_in = (unsigned) x->dims[2],
                .w_in = (unsigned) x->dims[3],
                .h_out = (unsigned) o->dims[2],
                .w_out = (unsigned) o->dims[3],
                .k_h = (unsigned) n->pool.kernel[0],
                .k_w = (unsigned) n->pool.kernel[1],
                .stride_h = (unsigned) n->pool.stride[0],
                .stride_w = (unsigned) n->pool.stride[1],
                .dil_h = (unsigned) n->pool.dilation[0],
                .dil_w = (unsigned) n->pool.dilation[1],
                .pad_top = (unsigned) n->pool.pad[0],
                .pad_left = (unsigned) n->pool.pad[1],
                .count_include_pad = n->pool.count_include_pad,
        };
        /* The kernel implies bottom/right padding from the output size; with count_include_pad that
         * must equal the declared padding, else the divisor would differ: keep the reference then. */
        if (n->op == GPU_OP_AVERAGE_POOL && (n->pool.ceil_mode || n->pool.dilation[0] != 1 || n->pool.dilation[1] != 1))
                return;
        cn->kind = CPU_POOL;
}

static void prepare_binary(const struct gpu_graph *g, const struct gpu_node *n, struct cpu_node *cn) {
        const struct gpu_tensor *o = &g->tensors[n->output];
        size_t sa[GPU_MAX_DIMS], sb[GPU_MAX_DIMS];

        cn->binary = n->op == GPU_OP_ADD ? GPU_CPU_BINARY_ADD : n->op == GPU_OP_SUB ? GPU_CPU_BINARY_SUB : GPU_CPU_BINARY_MUL;
        gpu_broadcast_strides(&g->tensors[n->inputs[0]], o->ndim, o->dims, sa);
        gpu_broadcast_strides(&g->tensors[n->inputs[1]], o->ndim, o->dims, sb);
        /* A scalar op is one dimension. */
        cn->ndim = o->ndim > 0 ? (size_t) o->ndim : 1;
        for (size_t d = 0; d < cn->ndim; d++) {
                cn->shape[d] = o->ndim > 0 ? (size_t) o->dims[d] : 1;
                cn->a_strides[d] = o->ndim > 0 ? (ptrdiff_t) sa[d] : 0;
                cn->b_strides[d] = o->ndim > 0 ? (ptrdiff_t) sb[d] : 0;
        }
        cn->kind = CPU_BINARY;
}

static void prepare_act(const struct gpu_graph *g, const struct gpu_node *n, struct cpu_node *cn) {
        const struct gpu_tensor *x = &g->tensors[n->inputs[0]];

        cn->planes = x->ndim >= 3 ? (size_t) (x->dims[0] * x->dims[1]) : 1;
        cn->hw = x->count / cn->planes;
        if (n->op == GPU_OP_PRELU) {
                /* Only a per-channel (or single) constant slope maps to the kernel. */
                const struct gpu_tensor *s = &g->tensors[n->inputs[1]];
                bool per_channel = s->kind == GPU_TENSOR_CONSTANT && x->ndim >= 3 &&
                                   (s->count == 1 || (s->count == (size_t) x->dims[1] && s->ndim >= x->ndim - 1 &&
                                                      s->dims[s->ndim - (x->ndim - 1)] == x->dims[1]));
                if (!per_channel)
                        return;
                cn->act = cpu_act(g, n, n->inputs[1]);
        } else
                cn->act = cpu_act(g, n, -1);
        cn->kind = CPU_ACT;
}

static int prepare_node(struct cpu_model *m, const struct gpu_node *n, struct cpu_node *cn) {
        switch (n->op) {
        case GPU_OP_CONV:
                return prepare_conv(m, n, cn);
        case GPU_OP_GEMM:
                return prepare_gemm(m, n, cn);
        case GPU_OP_MATMUL:
                prepare_matmul(m->g, n, cn);
                return 0;
        case GPU_OP_MAX_POOL:
        case GPU_OP_AVERAGE_POOL:
                prepare_pool(m->g, n, cn);
                return 0;
        case GPU_OP_GLOBAL_AVERAGE_POOL:
                cn->planes = (size_t) (m->g->tensors[n->inputs[0]].dims[0] * m->g->tensors[n->inputs[0]].dims[1]);
                cn->hw = m->g->tensors[n->inputs[0]].count / cn->planes;
                cn->kind = CPU_GAP;
                return 0;
        case GPU_OP_ADD:
        case GPU_OP_SUB:
        case GPU_OP_MUL:
                prepare_binary(m->g, n, cn);
                return 0;
        case GPU_OP_RELU:
        case GPU_OP_CLIP:
        case GPU_OP_LEAKY_RELU:
        case GPU_OP_SIGMOID:
        case GPU_OP_PRELU:
                prepare_act(m->g, n, cn);
                return 0;
        case GPU_OP_TRANSPOSE:
                gpu_cpu_transpose_plan(&m->g->tensors[n->inputs[0]], n->perm, &cn->transpose);
                cn->kind = CPU_TRANSPOSE;
                return 0;
        default:
                return 0;
        }
}

/* Whether tensor t is read by one node only and is not a graph output. */
static bool read_once(const struct gpu_graph *g, int t) {
        unsigned readers = 0;

        for (size_t i = 0; i < g->n_outputs; i++)
                if (g->outputs[i] == t)
                        return false;
        for (size_t i = 0; i < g->n_nodes; i++)
                for (int k = 0; k < g->nodes[i].n_inputs; k++)
                        readers += g->nodes[i].inputs[k] == t;
        return readers == 1;
}

static bool arena_overlap(const struct gpu_graph *g, int a, int b) {
        const struct gpu_tensor *x = &g->tensors[a], *y = &g->tensors[b];

        if (x->kind == GPU_TENSOR_CONSTANT || y->kind == GPU_TENSOR_CONSTANT)
                return false;
        return x->offset < y->offset + y->count * sizeof(float) && y->offset < x->offset + x->count * sizeof(float);
}

/* Depthwise outputs at least this big are fused into their 1x1 conv: smaller
 * ones stay in L2 between the two anyway, and the bands' halo rows and
 * shorter GEMMs then cost more than the fusion saves (measured on the
 * shipped models: blazeface-back-256's 24x128x128 layers gain, the 64x64 and
 * smaller ones and fr-feature-112's do not). */
#define DWPW_MIN_BYTES (512u * 1024u)

/* Fuses each large depthwise conv into the 1x1 conv right after it when that
 * is its only reader: band by band, its output never leaves the cache. The
 * fused run writes the 1x1 output while later bands still read the depthwise
 * input, so the two must not share arena space (gpu/plan.c sees to that). */
static int fuse_dwpw(struct cpu_model *m) {
        const struct gpu_graph *g = m->g;
        unsigned threads = gpu_cpu_threadpool_size(m->pool);

        for (size_t i = 0; i + 1 < g->n_nodes; i++) {
                const struct gpu_node *d = &g->nodes[i], *q = &g->nodes[i + 1];
                struct cpu_node *cd = &m->nodes[i], *cq = &m->nodes[i + 1];

                if (cd->kind != CPU_CONV || cq->kind != CPU_CONV || q->inputs[GPU_CONV_IN_X] != d->output ||
                    gpu_tensor_bytes(&g->tensors[d->output]) < DWPW_MIN_BYTES || !read_once(g, d->output))
                        continue;
                if (arena_overlap(g, d->inputs[GPU_CONV_IN_X], q->output)) {
                        ls_debug("cpu: '%s' not fused into '%s': the output reuses the input's space", d->name, q->name);
                        continue;
                }
                int r = gpu_cpu_dwpw_prepare(cd->conv, cq->conv, threads, &cq->dwpw);
                if (r == -EOPNOTSUPP)
                        continue;
                if (r < 0)
                        return r;
                m->scratch_size = MAX(m->scratch_size, gpu_cpu_dwpw_scratch_size(cq->dwpw, threads));
                cq->dwpw_in = d->inputs[GPU_CONV_IN_X];
                cq->kind = CPU_DWPW;
                cd->kind = CPU_FUSED;
                ls_debug("cpu: depthwise '%s' fused into 1x1 '%s'", d->name, q->name);
                i++;
        }
        return 0;
}

static int cpu_model_new(void *ctx, const struct gpu_graph *g, void **ret_model, char *err, size_t errlen) {
        struct cpu_ctx *c = ctx;
        struct cpu_model *m;
        int r;

        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->g = g;
        m->reference = c->reference;
        m->ptr = calloc(MAX(g->n_tensors, (size_t) 1), sizeof(float *));
        m->nodes = calloc(MAX(g->n_nodes, (size_t) 1), sizeof(struct cpu_node));
        m->arena = aligned_alloc(GPU_ARENA_ALIGN, ALIGN_UP(g->arena_size, (size_t) GPU_ARENA_ALIGN));
        if (!m->ptr || !m->nodes || !m->arena) {
                r = -ENOMEM;
                goto fail;
        }
        /* Deterministic contents even for a model that reads before writing (it should not). */
        memset(m->arena, 0, g->arena_size);
        for (size_t i = 0; i < g->n_tensors; i++) {
                const struct gpu_tensor *t = &g->tensors[i];
                m->ptr[i] = t->kind == GPU_TENSOR_CONSTANT ? t->data : (float *) ((char *) m->arena + t->offset);
        }
        if (!m->reference && c->n_threads > 1) {
                r = gpu_cpu_threadpool_new(c->n_threads, &m->pool);
                if (r < 0)
                        goto fail;
        }
        for (size_t i = 0; i < g->n_nodes && !m->reference; i++) {
                const struct gpu_node *n = &g->nodes[i];
                r = prepare_node(m, n, &m->nodes[i]);
                if (r < 0) {
                        if (err && errlen)
                                snprintf(err, errlen, "node '%s' (%s): kernel preparation failed: %s", n->name,
                                         gpu_op_to_string(n->op), strerror(-r));
                        goto fail;
                }
        }
        if (!m->reference) {
                r = fuse_dwpw(m);
                if (r < 0)
                        goto fail;
        }
        if (m->scratch_size > 0) {
                m->scratch = aligned_alloc(64, ALIGN_UP(m->scratch_size, (size_t) 64));
                if (!m->scratch) {
                        r = -ENOMEM;
                        goto fail;
                }
        }
        *ret_model = m;
        return 0;
fail:
        cpu_model_free(m);
        return r;
}

static int cpu_set_input(void *model, size_t index, const float *data, size_t count) {
        struct cpu_model *m = model;

        memcpy(m->ptr[m->g->inputs[index]], data, count * sizeof(float));
        return 0;
}

/* Frames into the model: the reference preprocessing reads the mapping and writes into the arena. */
static int cpu_set_input_frame(void *model, size_t index, const struct cam_frame *f,
                               const struct gpu_pre_output *o, const struct gpu_pre_xform *x, uint32_t n,
                               struct gpu_frame_import *ret) {
        struct cpu_model *m = model;
        float *in = m->ptr[m->g->inputs[index]];
        uint64_t size = gpu_pre_output_size(o);
        int r;

        for (uint32_t i = 0; i < n; i++) {
                r = gpu_pre_run_cpu(f, o, &x[i], in + i * size);
                if (r < 0)
                        return r;
        }
        *ret = (struct gpu_frame_import) { .path = GPU_IMPORT_HOST };
        return 0;
}

static int cpu_get_output(void *model, size_t index, float *data, size_t count) {
        struct cpu_model *m = model;

        memcpy(data, m->ptr[m->g->outputs[index]], count * sizeof(float));
        return 0;
}

static int run_node(struct cpu_model *m, const struct gpu_node *n, const struct cpu_node *cn) {
        float *const *p = m->ptr;
        float *out = p[n->output];
        int res;

        switch (cn->kind) {
        case CPU_CONV:
                res = n->inputs[GPU_CONV_IN_RESIDUAL];
                return gpu_cpu_conv2d_run(cn->conv, p[n->inputs[GPU_CONV_IN_X]], res >= 0 ? p[res] : NULL, out,
                                          m->scratch, m->pool);
        case CPU_DWPW:
                res = n->inputs[GPU_CONV_IN_RESIDUAL];
                return gpu_cpu_dwpw_run(cn->dwpw, p[cn->dwpw_in], res >= 0 ? p[res] : NULL, out, m->scratch, m->pool);
        case CPU_FUSED:
                return 0;
        case CPU_GEMM:
                return gpu_cpu_gemm_run(cn->gemm, p[n->inputs[0]], out, m->scratch, m->pool);
        case CPU_MATMUL:
                gpu_cpu_matmul(cn->batch, cn->m, cn->k, cn->n, p[n->inputs[0]], cn->a_batch_stride, p[n->inputs[1]],
                               cn->b_batch_stride, out, m->pool);
                return 0;
        case CPU_POOL:
                return gpu_cpu_pool2d_run(&cn->pool, p[n->inputs[0]], out, m->pool);
        case CPU_GAP:
                gpu_cpu_global_avgpool(cn->planes, cn->hw, p[n->inputs[0]], out, m->pool);
                return 0;
        case CPU_BINARY:
                return gpu_cpu_binary_run(cn->binary, cn->ndim, cn->shape, p[n->inputs[0]], cn->a_strides,
                                          p[n->inputs[1]], cn->b_strides, out, m->pool);
        case CPU_ACT:
                return gpu_cpu_activation_run(&cn->act, cn->planes, cn->hw, p[n->inputs[0]], out, m->pool);
        case CPU_TRANSPOSE:
                gpu_cpu_transpose_run(&cn->transpose, p[n->inputs[0]], out, m->pool);
                return 0;
        default:
                return gpu_cpu_ref_run_node(m->g, n, p);
        }
}

static int cpu_run(void *model) {
        struct cpu_model *m = model;
        const struct gpu_graph *g = m->g;
        struct gpu_cpu_fpmode saved = gpu_cpu_fpmode_flush_denormals();
        int r = 0;

        for (size_t i = 0; i < g->n_nodes; i++) {
                r = run_node(m, &g->nodes[i], &m->nodes[i]);
                if (r < 0) {
                        r = ls_debug_errno(r, "cpu: node '%s' failed", g->nodes[i].name);
                        break;
                }
        }
        gpu_cpu_fpmode_set(saved);
        return r;
}

const struct gpu_backend_ops gpu_cpu_backend_ops = {
        .name = "cpu",
        .ctx_new = cpu_ctx_new,
        .ctx_free = cpu_ctx_free,
        .get_caps = cpu_get_caps,
        .model_new = cpu_model_new,
        .model_free = cpu_model_free,
        .set_input = cpu_set_input,
        .run = cpu_run,
        .get_output = cpu_get_output,
        .set_input_frame = cpu_set_input_frame,
};
