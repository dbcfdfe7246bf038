/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Graph rewrites, each exact up to float rounding:
 *   BatchNormalization after Conv → scaled weights and bias;
 *   Conv → Add(residual) → the Conv with a residual input;
 *   Conv → Relu/Clip/LeakyRelu/PRelu/Sigmoid → the Conv with a fused activation;
 *   Reshape/Flatten/Identity → an alias of its input (no node, no copy).
 * A rewrite applies only when the intermediate tensor has exactly one
 * consumer and is not a graph output, so nothing observable changes.
 */

#include <math.h>

#include "common/debug.h"
#include "gpu/graph.h"

static size_t n_uses(const struct gpu_graph *g, int t) {
        size_t k = 0;

        for (size_t i = 0; i < g->n_nodes; i++) {
                const struct gpu_node *n = &g->nodes[i];
                if (n->output < 0)
                        continue;       /* dead */
                for (int j = 0; j < GPU_NODE_MAX_INPUTS; j++)
                        if (n->inputs[j] == t)
                                k++;
        }
        return k;
}

/* The CONV producing tensor t, usable for fusion (one consumer, not an output), or NULL. */
static struct gpu_node *fusable_conv(struct gpu_graph *g, int t) {
        struct gpu_tensor *x;
        struct gpu_node *p;

        if (t < 0)
                return NULL;
        x = &g->tensors[t];
        if (x->kind != GPU_TENSOR_ACTIVATION || x->producer < 0 || x->is_output)
                return NULL;
        p = &g->nodes[x->producer];
        if (p->op != GPU_OP_CONV || p->output != t || n_uses(g, t) != 1)
                return NULL;
        return p;
}

/* Node n is replaced by its producer p: p now writes n's output. */
static void take_over_output(struct gpu_graph *g, struct gpu_node *p, struct gpu_node *n) {
        int old = p->output;

        p->output = n->output;
        g->tensors[n->output].producer = (int) (p - g->nodes);
        g->tensors[old].producer = -1;          /* now unused */
        n->output = -1;                         /* dead */
}

/* A new constant copy of tensor src with count floats (data not filled). */
static int new_const(struct gpu_graph *g, int src, const char *suffix, size_t count) {
        char name[256];
        int t;

        snprintf(name, sizeof(name), "%s%s", g->tensors[src].name, suffix);
        t = gpu_graph_add_tensor(g, name, GPU_TENSOR_CONSTANT);
        if (t < 0)
                return t;
        g->tensors[t].data = calloc(MAX(count, (size_t) 1), sizeof(float));
        if (!g->tensors[t].data)
                return -ENOMEM;
        return t;
}

static int fold_bn(struct gpu_graph *g, size_t i) {
        struct gpu_node *n = &g->nodes[i], *p = fusable_conv(g, n->inputs[0]);
        int ci, w, b, pi;

        if (!p || p->act.type != GPU_ACT_NONE || p->inputs[GPU_CONV_IN_RESIDUAL] >= 0)
                return 0;
        pi = (int) (p - g->nodes);
        w = p->inputs[GPU_CONV_IN_W];
        b = p->inputs[GPU_CONV_IN_B];
        /* Fresh copies: the originals may be shared by other nodes. */
        int nw = new_const(g, w, ".bnfold", g->tensors[w].count);
        if (nw < 0)
                return nw;
        int nb = new_const(g, w, ".bnbias", (size_t) g->tensors[w].dims[0]);
        if (nb < 0)
                return nb;
        n = &g->nodes[i];       /* tensors grew, nodes did not; re-read for clarity */
        p = &g->nodes[pi];
        struct gpu_tensor *tw = &g->tensors[nw], *tb = &g->tensors[nb];
        const struct gpu_tensor *ow = &g->tensors[w];
        const float *scale = g->tensors[n->inputs[1]].data, *beta = g->tensors[n->inputs[2]].data;
        const float *mean = g->tensors[n->inputs[3]].data, *var = g->tensors[n->inputs[4]].data;
        size_t m = (size_t) ow->dims[0], per = ow->count / m;

        ci = gpu_tensor_set_shape(tw, ow->ndim, ow->dims);
        if (ci < 0)
                return ci;
        int64_t bd = (int64_t) m;
        ci = gpu_tensor_set_shape(tb, 1, &bd);
        if (ci < 0)
                return ci;
        for (size_t o = 0; o < m; o++) {
                double s = scale[o] / sqrt((double) var[o] + n->bn.epsilon);
                double bias = b >= 0 ? g->tensors[b].data[o] : 0.0;
                for (size_t k = 0; k < per; k++)
                        tw->data[o * per + k] = (float) (ow->data[o * per + k] * s);
                tb->data[o] = (float) ((bias - mean[o]) * s + beta[o]);
        }
        p->inputs[GPU_CONV_IN_W] = nw;
        p->inputs[GPU_CONV_IN_B] = nb;
        take_over_output(g, p, n);
        return 1;
}

static int fuse_add(struct gpu_graph *g, size_t i) {
        struct gpu_node *n = &g->nodes[i];
        const struct gpu_tensor *o = &g->tensors[n->output];

        for (int side = 0; side < 2; side++) {
                struct gpu_node *p = fusable_conv(g, n->inputs[side]);
                int other = n->inputs[1 - side];
                const struct gpu_tensor *ot = &g->tensors[other];

                if (!p || p->act.type != GPU_ACT_NONE || p->inputs[GPU_CONV_IN_RESIDUAL] >= 0)
                        continue;
                /* No broadcasting: the residual has the output's shape, and it is ready before the conv runs. */
                if (ot->kind == GPU_TENSOR_CONSTANT || ot->ndim != o->ndim ||
                    memcmp(ot->dims, o->dims, sizeof(o->dims)) != 0 ||
                    memcmp(g->tensors[n->inputs[side]].dims, o->dims, sizeof(o->dims)) != 0)
                        continue;
                if (ot->kind == GPU_TENSOR_ACTIVATION && ot->producer >= (int) (p - g->nodes))
                        continue;
                p->inputs[GPU_CONV_IN_RESIDUAL] = other;
                take_over_output(g, p, n);
                return 1;
        }
        return 0;
}

/* PRelu's slope as one value per conv output channel, or -1 if it is not that. */
static int prelu_channel_slope(struct gpu_graph *g, int slope, const struct gpu_tensor *x) {
        const struct gpu_tensor *s = &g->tensors[slope];
        int64_t m = x->dims[1];

        if (s->kind != GPU_TENSOR_CONSTANT || x->ndim != 4 || s->ndim > 4)
                return -1;
        /* Right-aligned against [N,M,H,W]: every dim but the channel one must be 1. */
        for (int d = 0; d < s->ndim; d++) {
                int xd = d + (4 - s->ndim);
                if (s->dims[d] != 1 && xd != 1)
                        return -1;
        }
        int t = new_const(g, slope, ".perchannel", (size_t) m);
        if (t < 0)
                return t;
        s = &g->tensors[slope];
        int r = gpu_tensor_set_shape(&g->tensors[t], 1, &m);
        if (r < 0)
                return r;
        for (int64_t c = 0; c < m; c++)
                g->tensors[t].data[c] = s->data[s->count == 1 ? 0 : c];
        return t;
}

static int fuse_act(struct gpu_graph *g, size_t i) {
        struct gpu_node *n = &g->nodes[i], *p = fusable_conv(g, n->inputs[0]);
        int slope = -1, pi;

        if (!p || p->act.type != GPU_ACT_NONE)
                return 0;
        pi = (int) (p - g->nodes);
        if (n->op == GPU_OP_PRELU) {
                slope = prelu_channel_slope(g, n->inputs[1], &g->tensors[n->inputs[0]]);
                if (slope == -1)
                        return 0;
                if (slope < 0)
                        return slope;
                n = &g->nodes[i];
                p = &g->nodes[pi];
        }
        p->act = n->act;
        p->inputs[GPU_CONV_IN_SLOPE] = slope;
        take_over_output(g, p, n);
        return 1;
}

static int make_alias(struct gpu_graph *g, size_t i) {
        struct gpu_node *n = &g->nodes[i];
        struct gpu_tensor *x = &g->tensors[n->inputs[0]], *o = &g->tensors[n->output];

        if (x->kind == GPU_TENSOR_CONSTANT) {
                /* Fold: the output becomes a constant with the input's data. */
                o->data = malloc(MAX(x->count, (size_t) 1) * sizeof(float));
                if (!o->data)
                        return -ENOMEM;
                memcpy(o->data, x->data, x->count * sizeof(float));
                if (x->ints) {
                        o->ints = malloc(MAX(x->count, (size_t) 1) * sizeof(int64_t));
                        if (!o->ints)
                                return -ENOMEM;
                        memcpy(o->ints, x->ints, x->count * sizeof(int64_t));
                }
                if (o->is_output)
                        return 0;       /* outputs must stay computed tensors */
                o->kind = GPU_TENSOR_CONSTANT;
        } else
                o->alias = n->inputs[0];
        o->producer = -1;
        n->output = -1;
        return 1;
}

static int pass(struct gpu_graph *g, unsigned flags, bool *changed) {
        for (size_t i = 0; i < g->n_nodes; i++) {
                struct gpu_node *n = &g->nodes[i];
                int r = 0;

                if (n->output < 0)
                        continue;
                switch (n->op) {
                case GPU_OP_BATCH_NORM:
                        if (flags & GPU_OPT_FOLD_BN)
                                r = fold_bn(g, i);
                        break;
                case GPU_OP_ADD:
                        if (flags & GPU_OPT_FUSE_ADD)
                                r = fuse_add(g, i);
                        break;
                case GPU_OP_RELU:
                case GPU_OP_CLIP:
                case GPU_OP_LEAKY_RELU:
                case GPU_OP_SIGMOID:
                case GPU_OP_PRELU:
                        if (flags & GPU_OPT_FUSE_ACT)
                                r = fuse_act(g, i);
                        break;
                case GPU_OP_RESHAPE:
                case GPU_OP_IDENTITY:
                        if (flags & GPU_OPT_ALIAS)
                                r = make_alias(g, i);
                        break;
                default:
                        break;
                }
                if (r < 0)
                        return r;
                if (r > 0) {
                        ls_debug("optimize: rewrote node '%s' (%s)", g->nodes[i].name, gpu_op_to_string(g->nodes[i].op));
                        *changed = true;
                }
        }
        return 0;
}

/* Drops dead nodes, keeping order, and renumbers producers. */
static void compact(struct gpu_graph *g) {
        size_t k = 0;

        for (size_t i = 0; i < g->n_nodes; i++) {
                if (g->nodes[i].output < 0) {
                        free(g->nodes[i].name);
                        continue;
                }
                g->nodes[k] = g->nodes[i];
                g->tensors[g->nodes[k].output].producer = (int) k;
                k++;
        }
        g->n_nodes = k;
}

/* Alias chains collapse to the root tensor. */
static void resolve_aliases(struct gpu_graph *g) {
        for (size_t i = 0; i < g->n_tensors; i++) {
                int a = g->tensors[i].alias;
                while (a >= 0 && g->tensors[a].alias >= 0)
                        a = g->tensors[a].alias;
                g->tensors[i].alias = a;
        }
}

int gpu_graph_optimize(struct gpu_graph *g, unsigned flags) {
        bool changed = true;
        int r;

        if (g->planned)
                return -EBUSY;
        /* Fusions enable each other (BN fold, then Add, then the activation): repeat to a fixed point. */
        for (unsigned round = 0; changed && round < 8; round++) {
                changed = false;
                r = pass(g, flags, &changed);
                if (r < 0)
                        return r;
        }
        compact(g);
        resolve_aliases(g);
        return 0;
}
