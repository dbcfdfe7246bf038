/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory plan: every INPUT and ACTIVATION tensor gets a byte offset in one
 * arena. A tensor is live from the node that writes it to the last node
 * that reads it (or through its aliases); graph inputs and outputs live
 * for the whole run (inputs are set once and may be run again; outputs are
 * read afterwards). Tensors are placed largest first at the lowest offset
 * free over their lifetime, so buffers are reused as soon as they are dead.
 *
 * A grouped (depthwise) conv's input lives one node longer when the next node
 * is a conv of its output: the CPU backend runs such a pair fused, band by
 * band, still reading that input while it writes the second conv's output.
 */

#include <stdlib.h>

#include "common/debug.h"
#include "gpu/graph.h"

struct live {
        int tensor;
        int first, last;        /* node indices, inclusive; -1 = before the first node */
        size_t size;            /* bytes, aligned */
};

static bool planned_tensor(const struct gpu_tensor *t) {
        if (t->kind == GPU_TENSOR_CONSTANT || t->alias >= 0)
                return false;
        /* An activation nobody produces any more (fused away) needs no storage. */
        return t->kind == GPU_TENSOR_INPUT || t->producer >= 0;
}

static int root_of(const struct gpu_graph *g, int t) {
        return g->tensors[t].alias >= 0 ? g->tensors[t].alias : t;
}

/* Fills first/last for every planned root tensor; lv indexed by tensor. */
static void lifetimes(const struct gpu_graph *g, struct live *lv) {
        int end = (int) g->n_nodes;

        for (size_t i = 0; i < g->n_tensors; i++) {
                const struct gpu_tensor *t = &g->tensors[i];
                lv[i] = (struct live) { .tensor = (int) i, .first = end + 1, .last = -2 };
                if (!planned_tensor(t))
                        continue;
                lv[i].first = t->kind == GPU_TENSOR_INPUT ? -1 : t->producer;
                lv[i].last = t->kind == GPU_TENSOR_INPUT ? end : lv[i].first;
                lv[i].size = ALIGN_UP(gpu_tensor_bytes(t), (size_t) GPU_ARENA_ALIGN);
        }
        for (size_t n = 0; n < g->n_nodes; n++)
                for (int k = 0; k < GPU_NODE_MAX_INPUTS; k++) {
                        int t = g->nodes[n].inputs[k];
                        if (t < 0 || g->tensors[t].kind == GPU_TENSOR_CONSTANT)
                                continue;
                        t = root_of(g, t);
                        lv[t].last = MAX(lv[t].last, (int) n);
                }
        for (size_t n = 0; n + 1 < g->n_nodes; n++) {
                const struct gpu_node *d = &g->nodes[n], *q = &g->nodes[n + 1];
                int x = d->inputs[GPU_CONV_IN_X];
                if (d->op != GPU_OP_CONV || d->conv.group <= 1 || q->op != GPU_OP_CONV ||
                    q->inputs[GPU_CONV_IN_X] != d->output || x < 0 || g->tensors[x].kind == GPU_TENSOR_CONSTANT)
                        continue;
                x = root_of(g, x);
                lv[x].last = MAX(lv[x].last, (int) n + 1);
        }
        for (size_t i = 0; i < g->n_tensors; i++)
                if (g->tensors[i].is_output && g->tensors[i].kind != GPU_TENSOR_CONSTANT)
                        lv[root_of(g, (int) i)].last = end;
}

static bool overlap_time(const struct live *a, const struct live *b) {
        return a->first <= b->last && b->first <= a->last;
}

struct span {
        size_t begin, end;
};

static int cmp_span(const void *x, const void *y) {
        const struct span *a = x, *b = y;

        return a->begin < b->begin ? -1 : a->begin > b->begin;
}

static int cmp_size_desc(const void *x, const void *y) {
        const struct live *a = x, *b = y;

        if (a->size != b->size)
                return a->size > b->size ? -1 : 1;
        return a->tensor - b->tensor;   /* deterministic */
}

int gpu_graph_plan(struct gpu_graph *g) {
        _cleanup_free_ struct live *lv = NULL, *order = NULL;
        _cleanup_free_ size_t *offs = NULL;
        _cleanup_free_ struct span *busy = NULL;
        size_t n = 0, arena = 0;

        lv = calloc(MAX(g->n_tensors, (size_t) 1), sizeof(*lv));
        order = calloc(MAX(g->n_tensors, (size_t) 1), sizeof(*order));
        offs = calloc(MAX(g->n_tensors, (size_t) 1), sizeof(*offs));
        busy = calloc(MAX(g->n_tensors, (size_t) 1), sizeof(*busy));
        if (!lv || !order || !offs || !busy)
                return -ENOMEM;
        lifetimes(g, lv);
        for (size_t i = 0; i < g->n_tensors; i++)
                if (planned_tensor(&g->tensors[i]))
                        order[n++] = lv[i];
        qsort(order, n, sizeof(*order), cmp_size_desc);

        /* Greedy: each tensor goes into the lowest gap between the time-overlapping tensors placed so far. */
        for (size_t i = 0; i < n; i++) {
                size_t k = 0, best = 0, end;
                for (size_t j = 0; j < i; j++)
                        if (overlap_time(&order[j], &order[i]))
                                busy[k++] = (struct span) { offs[j], offs[j] + order[j].size };
                qsort(busy, k, sizeof(*busy), cmp_span);
                for (size_t j = 0; j < k; j++) {
                        if (busy[j].begin >= best + order[i].size)
                                break;  /* the gap before busy[j] fits */
                        best = MAX(best, busy[j].end);
                }
                if (!size_add_ok(best, order[i].size, &end))
                        return -EOVERFLOW;
                offs[i] = best;
                arena = MAX(arena, end);
                g->tensors[order[i].tensor].offset = best;
        }
        for (size_t i = 0; i < g->n_tensors; i++)
                if (g->tensors[i].alias >= 0)
                        g->tensors[i].offset = g->tensors[g->tensors[i].alias].offset;
        g->arena_size = MAX(arena, (size_t) GPU_ARENA_ALIGN);
        g->planned = true;
        size_t total = 0;
        for (size_t i = 0; i < n; i++)
                total += order[i].size;
        ls_debug("plan: %zu tensors (%zu bytes without reuse) in an arena of %zu bytes", n, total, g->arena_size);
        return 0;
}

int gpu_graph_plan_verify(const struct gpu_graph *g) {
        _cleanup_free_ struct live *lv = NULL;

        if (!g->planned)
                return -EINVAL;
        lv = calloc(MAX(g->n_tensors, (size_t) 1), sizeof(*lv));
        if (!lv)
                return -ENOMEM;
        lifetimes(g, lv);
        for (size_t i = 0; i < g->n_tensors; i++) {
                const struct gpu_tensor *a = &g->tensors[i];
                if (!planned_tensor(a))
                        continue;
                if (a->offset % GPU_ARENA_ALIGN || a->offset + gpu_tensor_bytes(a) > g->arena_size)
                        return -EINVAL;
                for (size_t j = i + 1; j < g->n_tensors; j++) {
                        const struct gpu_tensor *b = &g->tensors[j];
                        if (!planned_tensor(b) || !overlap_time(&lv[i], &lv[j]))
                                continue;
                        if (a->offset < b->offset + gpu_tensor_bytes(b) && b->offset < a->offset + gpu_tensor_bytes(a))
                                return -EINVAL;
                }
        }
        for (size_t i = 0; i < g->n_tensors; i++) {
                const struct gpu_tensor *t = &g->tensors[i];
                if (t->alias >= 0 && (t->offset != g->tensors[t->alias].offset || gpu_tensor_bytes(t) >
                                                                                     gpu_tensor_bytes(&g->tensors[t->alias])))
                        return -EINVAL;
        }
        return 0;
}
