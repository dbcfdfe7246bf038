/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer target for the ONNX loader: protobuf parsing, initializer
 * conversion, node loading and shape inference; for graphs that load, the
 * rewrites, the memory plan (checked), and, when cheap, one run of the
 * reference ops on the planned arena. Built by `make fuzz`; seeds are the
 * models in tests/fixtures/.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/cpu/ops.h"
#include "gpu/onnx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Multiply-accumulates of a node, roughly: enough to skip expensive graphs. */
static double node_cost(const struct gpu_graph *g, const struct gpu_node *n) {
        const struct gpu_tensor *o = &g->tensors[n->output];
        double c = (double) o->count;

        if (n->op == GPU_OP_CONV)
                c *= (double) g->tensors[n->inputs[GPU_CONV_IN_W]].count / (double) o->dims[1];
        else if (n->op == GPU_OP_MAX_POOL || n->op == GPU_OP_AVERAGE_POOL)
                c *= (double) n->pool.kernel[0] * n->pool.kernel[1];
        else if (n->op == GPU_OP_GEMM || n->op == GPU_OP_MATMUL)
                c *= (double) g->tensors[n->inputs[0]].count;
        else if (n->op == GPU_OP_SOFTMAX)
                c *= 3;
        for (int i = 0; i < n->n_inputs; i++)
                if (n->inputs[i] >= 0)
                        c += (double) g->tensors[n->inputs[i]].count;
        return c;
}

static void run_reference(const struct gpu_graph *g) {
        double cost = 0;
        float *arena, **ptr;

        for (size_t i = 0; i < g->n_nodes; i++)
                cost += node_cost(g, &g->nodes[i]);
        if (cost > 2e6 || g->arena_size > (1u << 22))
                return;
        arena = calloc(1, g->arena_size);
        ptr = calloc(g->n_tensors ? g->n_tensors : 1, sizeof(float *));
        if (arena && ptr) {
                for (size_t i = 0; i < g->n_tensors; i++)
                        ptr[i] = g->tensors[i].kind == GPU_TENSOR_CONSTANT ? g->tensors[i].data
                                                                           : (float *) ((char *) arena + g->tensors[i].offset);
                for (size_t i = 0; i < g->n_nodes; i++)
                        (void) gpu_cpu_ref_run_node(g, &g->nodes[i], ptr);
        }
        free(arena);
        free(ptr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct gpu_graph *g = NULL;
        char err[256];

        if (onnx_load_buffer(data, size, &g, err, sizeof(err)) < 0) {
                if (!memchr(err, 0, sizeof(err)))
                        abort();        /* the message must always be terminated */
                return 0;
        }
        if (gpu_graph_optimize(g, GPU_OPT_ALL) >= 0 && gpu_graph_plan(g) >= 0) {
                if (gpu_graph_plan_verify(g) < 0)
                        abort();
                run_reference(g);
        }
        gpu_graph_free(g);
        return 0;
}
