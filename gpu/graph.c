/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The graph container: tensors, nodes, names and shapes. */

#include <inttypes.h>

#include "gpu/graph.h"

static const char *const op_names[_GPU_OP_MAX] = {
        [GPU_OP_CONV] = "Conv",
        [GPU_OP_RELU] = "Relu",
        [GPU_OP_PRELU] = "PRelu",
        [GPU_OP_LEAKY_RELU] = "LeakyRelu",
        [GPU_OP_CLIP] = "Clip",
        [GPU_OP_SIGMOID] = "Sigmoid",
        [GPU_OP_ADD] = "Add",
        [GPU_OP_MUL] = "Mul",
        [GPU_OP_SUB] = "Sub",
        [GPU_OP_MAX_POOL] = "MaxPool",
        [GPU_OP_AVERAGE_POOL] = "AveragePool",
        [GPU_OP_GLOBAL_AVERAGE_POOL] = "GlobalAveragePool",
        [GPU_OP_CONCAT] = "Concat",
        [GPU_OP_RESHAPE] = "Reshape",
        [GPU_OP_TRANSPOSE] = "Transpose",
        [GPU_OP_GEMM] = "Gemm",
        [GPU_OP_MATMUL] = "MatMul",
        [GPU_OP_PAD] = "Pad",
        [GPU_OP_SOFTMAX] = "Softmax",
        [GPU_OP_RESIZE] = "Resize",
        [GPU_OP_BATCH_NORM] = "BatchNormalization",
        [GPU_OP_IDENTITY] = "Identity",
};

const char *gpu_op_to_string(enum gpu_op op) {
        if (op < 0 || op >= _GPU_OP_MAX)
                return NULL;
        return op_names[op];
}

enum gpu_op gpu_op_from_string(const char *s) {
        if (!s)
                return _GPU_OP_INVALID;
        for (int i = 0; i < _GPU_OP_MAX; i++)
                if (streq(op_names[i], s))
                        return (enum gpu_op) i;
        return _GPU_OP_INVALID;
}

static const char *const act_names[_GPU_ACT_MAX] = {
        [GPU_ACT_NONE] = "none",
        [GPU_ACT_RELU] = "relu",
        [GPU_ACT_CLIP] = "clip",
        [GPU_ACT_LEAKY_RELU] = "leaky_relu",
        [GPU_ACT_PRELU] = "prelu",
        [GPU_ACT_SIGMOID] = "sigmoid",
};

const char *gpu_act_to_string(enum gpu_act a) {
        if (a < 0 || a >= _GPU_ACT_MAX)
                return NULL;
        return act_names[a];
}

struct gpu_graph *gpu_graph_new(void) {
        return calloc(1, sizeof(struct gpu_graph));
}

struct gpu_graph *gpu_graph_free(struct gpu_graph *g) {
        if (!g)
                return NULL;
        for (size_t i = 0; i < g->n_tensors; i++) {
                free(g->tensors[i].name);
                free(g->tensors[i].data);
                free(g->tensors[i].ints);
        }
        for (size_t i = 0; i < g->n_nodes; i++)
                free(g->nodes[i].name);
        free(g->tensors);
        free(g->nodes);
        free(g->inputs);
        free(g->outputs);
        free(g);
        return NULL;
}

/* Grows an array of elem-sized items to hold at least need items. */
static int grow(void **p, size_t *alloc, size_t need, size_t elem) {
        size_t n, bytes;
        void *q;

        if (need <= *alloc)
                return 0;
        n = MAX(need, MAX(*alloc * 2, (size_t) 16));
        if (!size_mul_ok(n, elem, &bytes))
                return -ENOMEM;
        q = realloc(*p, bytes);
        if (!q)
                return -ENOMEM;
        memset((char *) q + *alloc * elem, 0, (n - *alloc) * elem);
        *p = q;
        *alloc = n;
        return 0;
}

int gpu_graph_add_tensor(struct gpu_graph *g, const char *name, enum gpu_tensor_kind kind) {
        struct gpu_tensor *t;
        int r;

        if (g->n_tensors >= INT32_MAX)
                return -E2BIG;
        r = grow((void **) &g->tensors, &g->n_tensors_alloc, g->n_tensors + 1, sizeof(struct gpu_tensor));
        if (r < 0)
                return r;
        t = &g->tensors[g->n_tensors];
        *t = (struct gpu_tensor) {
                .kind = kind,
                .producer = -1,
                .alias = -1,
                .count = 1,
        };
        t->name = strdup(name ?: "");
        if (!t->name)
                return -ENOMEM;
        return (int) g->n_tensors++;
}

int gpu_graph_add_node(struct gpu_graph *g, const char *name, enum gpu_op op) {
        struct gpu_node *n;
        int r;

        if (g->n_nodes >= INT32_MAX)
                return -E2BIG;
        r = grow((void **) &g->nodes, &g->n_nodes_alloc, g->n_nodes + 1, sizeof(struct gpu_node));
        if (r < 0)
                return r;
        n = &g->nodes[g->n_nodes];
        *n = (struct gpu_node) {
                .op = op,
                .output = -1,
        };
        for (size_t i = 0; i < GPU_NODE_MAX_INPUTS; i++)
                n->inputs[i] = -1;
        n->name = strdup(name ?: "");
        if (!n->name)
                return -ENOMEM;
        return (int) g->n_nodes++;
}

int gpu_graph_find_tensor(const struct gpu_graph *g, const char *name) {
        /* Linear: graphs hold a few hundred tensors and this runs at load only. */
        for (size_t i = g->n_tensors; i > 0; i--)
                if (streq(g->tensors[i - 1].name, name))
                        return (int) (i - 1);
        return -ENOENT;
}

int gpu_tensor_set_shape(struct gpu_tensor *t, int ndim, const int64_t *dims) {
        size_t count = 1;

        if (ndim < 0 || ndim > GPU_MAX_DIMS)
                return -EINVAL;
        for (int i = 0; i < ndim; i++) {
                if (dims[i] <= 0 || (uint64_t) dims[i] > GPU_TENSOR_MAX_ELEMS)
                        return -EINVAL;
                if (!size_mul_ok(count, (size_t) dims[i], &count) || count > GPU_TENSOR_MAX_ELEMS)
                        return -EOVERFLOW;
        }
        t->ndim = ndim;
        for (int i = 0; i < GPU_MAX_DIMS; i++)
                t->dims[i] = i < ndim ? dims[i] : 0;
        t->count = count;
        return 0;
}

size_t gpu_tensor_bytes(const struct gpu_tensor *t) {
        return t->count * sizeof(float);
}

const char *gpu_tensor_shape_str(const struct gpu_tensor *t, char *buf, size_t size) {
        size_t o = 0;

        if (size == 0)
                return buf;
        buf[0] = 0;
        o += snprintf(buf + o, size - o, "[");
        for (int i = 0; i < t->ndim && o < size; i++)
                o += snprintf(buf + o, size - o, "%s%" PRId64, i ? "," : "", t->dims[i]);
        if (o < size)
                snprintf(buf + o, size - o, "]");
        return buf;
}
