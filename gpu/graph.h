/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The model graph: lanesight's one intermediate representation, built by the
 * ONNX loader (gpu/onnx.h) and executed by every backend (gpu/backend.h).
 *
 * Contract (stable; later changes are additive only):
 *
 *  - Life cycle: onnx_load_*() parses and runs shape inference
 *    (gpu_graph_infer_shapes), gpu_graph_optimize() applies the rewrites,
 *    gpu_graph_plan() assigns arena offsets. After planning the graph is
 *    read-only: backends may keep a const pointer to it for as long as their
 *    prepared model lives, and several models (threads) may share one graph.
 *    The graph owns every string and every constant's data.
 *
 *  - Tensors: float32 only at run time, at most GPU_MAX_DIMS dimensions, all
 *    dims known (> 0) after shape inference; dense, row-major (NCHW for 4-D).
 *    kind INPUT: a graph input, written by the caller before each run.
 *    kind ACTIVATION: produced by exactly one node (tensor->producer).
 *    kind CONSTANT: an initializer/Constant, host data in ->data (float) and,
 *    for int64 initializers such as shapes and pads, also in ->ints.
 *    INPUT and ACTIVATION tensors (and graph outputs) live in one arena of
 *    graph->arena_size bytes at byte offset ->offset (multiple of
 *    GPU_ARENA_ALIGN); tensors whose lifetimes do not overlap may share bytes,
 *    so a backend never allocates per inference. ->alias >= 0 marks a tensor
 *    that is a view of another (a dropped Reshape/Flatten/Identity): same
 *    bytes, different shape; its offset is already the aliased one's.
 *
 *  - Nodes: graph->nodes[] is in execution (topological) order. Each node has
 *    an op, input tensor indices (-1 for an absent optional input; the slot
 *    meaning per op is below), exactly one output tensor, and the attributes
 *    of its op (already normalised: pads resolved from auto_pad, negative
 *    axes made positive, Resize scales and Softmax extents computed).
 *
 *  - Ops after gpu_graph_optimize(): CONV may carry a fused residual input
 *    and a fused activation, applied as  y = act(conv(x) + bias + residual).
 *    BATCH_NORM is folded into a preceding CONV where possible, IDENTITY and
 *    RESHAPE become aliases where possible; a backend must still implement
 *    every op (a RESHAPE/IDENTITY left in the graph is a plain copy).
 *
 * Thread-safety: the load/optimize/plan calls mutate the graph and must not
 * race with anything; after planning everything here is safe to read from
 * any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"

#define GPU_MAX_DIMS 6
#define GPU_NODE_MAX_INPUTS 8
#define GPU_ARENA_ALIGN 64

enum gpu_op {
        GPU_OP_CONV,                    /* in: X, W[M,C/group,kh,kw], B?, residual?, prelu slope[M]? */
        GPU_OP_RELU,                    /* in: X (the unary activations use node->act) */
        GPU_OP_PRELU,                   /* in: X, slope (broadcast to X) */
        GPU_OP_LEAKY_RELU,              /* in: X; act.alpha */
        GPU_OP_CLIP,                    /* in: X; act.alpha = min, act.beta = max */
        GPU_OP_SIGMOID,                 /* in: X */
        GPU_OP_ADD,                     /* in: A, B, numpy broadcasting */
        GPU_OP_MUL,
        GPU_OP_SUB,
        GPU_OP_MAX_POOL,                /* in: X; pool */
        GPU_OP_AVERAGE_POOL,            /* in: X; pool */
        GPU_OP_GLOBAL_AVERAGE_POOL,     /* in: X [N,C,H,W] -> [N,C,1,1] */
        GPU_OP_CONCAT,                  /* in: X0..Xn-1 (n <= GPU_NODE_MAX_INPUTS); axis */
        GPU_OP_RESHAPE,                 /* in: X; a copy (also Flatten); output shape gives the view */
        GPU_OP_TRANSPOSE,               /* in: X; perm */
        GPU_OP_GEMM,                    /* in: A, B, C?; gemm */
        GPU_OP_MATMUL,                  /* in: A [..,M,K], B [..,K,N] (batch dims broadcast) */
        GPU_OP_PAD,                     /* in: X; pad */
        GPU_OP_SOFTMAX,                 /* in: X; softmax (outer, n, inner) */
        GPU_OP_RESIZE,                  /* in: X [N,C,H,W]; resize (also Upsample) */
        GPU_OP_BATCH_NORM,              /* in: X, scale, bias, mean, var (constants); bn */
        GPU_OP_IDENTITY,                /* in: X; a copy */
        _GPU_OP_MAX,
        _GPU_OP_INVALID = -22,          /* -EINVAL */
};

/* Slots of a CONV node's inputs. */
enum {
        GPU_CONV_IN_X = 0,
        GPU_CONV_IN_W = 1,
        GPU_CONV_IN_B = 2,
        GPU_CONV_IN_RESIDUAL = 3,       /* same shape as the output */
        GPU_CONV_IN_SLOPE = 4,          /* PRelu slope, M floats (act.type == GPU_ACT_PRELU) */
        GPU_CONV_N_INPUTS = 5,
};

enum gpu_act {
        GPU_ACT_NONE,
        GPU_ACT_RELU,
        GPU_ACT_CLIP,                   /* alpha = min, beta = max */
        GPU_ACT_LEAKY_RELU,             /* alpha = negative slope */
        GPU_ACT_PRELU,                  /* per-output-channel slope tensor */
        GPU_ACT_SIGMOID,
        _GPU_ACT_MAX,
        _GPU_ACT_INVALID = -22,
};

enum gpu_pad_mode {
        GPU_PAD_CONSTANT,
        GPU_PAD_REFLECT,
        GPU_PAD_EDGE,
        _GPU_PAD_MODE_MAX,
        _GPU_PAD_MODE_INVALID = -22,
};

enum gpu_resize_mode {
        GPU_RESIZE_NEAREST,
        GPU_RESIZE_LINEAR,              /* bilinear on H, W */
        _GPU_RESIZE_MODE_MAX,
        _GPU_RESIZE_MODE_INVALID = -22,
};

/* coordinate_transformation_mode: x_in = f(x_out) */
enum gpu_resize_coord {
        GPU_RESIZE_HALF_PIXEL,          /* (x + 0.5) / scale - 0.5 */
        GPU_RESIZE_PYTORCH_HALF_PIXEL,  /* as half_pixel, 0 when the output length is 1 */
        GPU_RESIZE_ALIGN_CORNERS,       /* x * (in - 1) / (out - 1) */
        GPU_RESIZE_ASYMMETRIC,          /* x / scale */
        GPU_RESIZE_TF_HALF_PIXEL_FOR_NEAREST, /* (x + 0.5) / scale */
        _GPU_RESIZE_COORD_MAX,
        _GPU_RESIZE_COORD_INVALID = -22,
};

enum gpu_resize_nearest {
        GPU_RESIZE_ROUND_PREFER_FLOOR,
        GPU_RESIZE_ROUND_PREFER_CEIL,
        GPU_RESIZE_FLOOR,
        GPU_RESIZE_CEIL,
        _GPU_RESIZE_NEAREST_MAX,
        _GPU_RESIZE_NEAREST_INVALID = -22,
};

enum gpu_tensor_kind {
        GPU_TENSOR_ACTIVATION,
        GPU_TENSOR_INPUT,
        GPU_TENSOR_CONSTANT,
};

struct gpu_tensor {
        char *name;
        enum gpu_tensor_kind kind;
        bool is_output;                 /* a graph output (never shares bytes with anything live later) */
        int ndim;                       /* 0 = scalar */
        int64_t dims[GPU_MAX_DIMS];
        size_t count;                   /* product of dims (1 for a scalar) */
        float *data;                    /* CONSTANT: count floats (int64 data converted too) */
        int64_t *ints;                  /* CONSTANT from integer data: the exact values, else NULL */
        int producer;                   /* node index or -1 */
        int alias;                      /* tensor index this one views, or -1 */
        size_t offset;                  /* byte offset in the arena (INPUT, ACTIVATION), after planning */
};

/* auto_pad as given; shape inference turns it into explicit pads, backends ignore it. */
enum gpu_auto_pad {
        GPU_AUTO_PAD_NOTSET,
        GPU_AUTO_PAD_SAME_UPPER,
        GPU_AUTO_PAD_SAME_LOWER,
        GPU_AUTO_PAD_VALID,
};

struct gpu_conv_attrs {
        int kernel[2];                  /* kh, kw */
        int stride[2];
        int dilation[2];
        int pad[4];                     /* top, left, bottom, right (ONNX order) */
        int group;
        enum gpu_auto_pad auto_pad;
};

struct gpu_pool_attrs {
        int kernel[2];
        int stride[2];
        int dilation[2];
        int pad[4];                     /* top, left, bottom, right */
        bool count_include_pad;         /* AveragePool */
        bool ceil_mode;                 /* already applied to the output shape */
        enum gpu_auto_pad auto_pad;
};

struct gpu_act_attrs {
        enum gpu_act type;
        float alpha, beta;
};

struct gpu_gemm_attrs {
        float alpha, beta;
        bool trans_a, trans_b;
};

struct gpu_pad_attrs {
        enum gpu_pad_mode mode;
        int64_t pads[2 * GPU_MAX_DIMS]; /* begin[0..ndim), then end[0..ndim); may be negative (crop) */
        float value;
        int n_pads;                     /* loader: pads given as an attribute (opset < 11) */
};

struct gpu_softmax_attrs {
        int axis;                       /* as given, made positive */
        size_t outer, n, inner;         /* softmax over n, for each outer x inner */
};

struct gpu_resize_attrs {
        enum gpu_resize_mode mode;
        enum gpu_resize_coord coord;
        enum gpu_resize_nearest nearest;
        float scale[GPU_MAX_DIMS];      /* out/in per dim as used by the coordinate transform */
        bool scale_given;               /* loader: scale[] came from an attribute (Upsample-7) */
};

struct gpu_bn_attrs {
        float epsilon;
};

struct gpu_node {
        char *name;                     /* ONNX node name, or "<op_type>#<index>" when unnamed */
        enum gpu_op op;
        int n_inputs;
        int inputs[GPU_NODE_MAX_INPUTS];        /* tensor indices, -1 = absent */
        int output;                             /* tensor index */

        /* Attributes; only those of node->op are meaningful. */
        struct gpu_conv_attrs conv;
        struct gpu_pool_attrs pool;
        struct gpu_act_attrs act;               /* unary activations, and fused into CONV */
        struct gpu_gemm_attrs gemm;
        struct gpu_pad_attrs pad;
        struct gpu_softmax_attrs softmax;
        struct gpu_resize_attrs resize;
        struct gpu_bn_attrs bn;
        int axis;                               /* CONCAT (positive); loader: Flatten's axis */
        int perm[GPU_MAX_DIMS];                 /* TRANSPOSE */
};

struct gpu_graph {
        struct gpu_tensor *tensors;
        size_t n_tensors, n_tensors_alloc;
        struct gpu_node *nodes;
        size_t n_nodes, n_nodes_alloc;
        int *inputs;                    /* graph inputs (tensor indices), in ONNX order */
        size_t n_inputs;
        int *outputs;                   /* graph outputs, in ONNX order */
        size_t n_outputs;
        int64_t opset;                  /* default-domain opset version */

        bool planned;
        size_t arena_size;              /* bytes, after gpu_graph_plan() */
};

/* --- construction and queries (gpu/graph.c) --- */
struct gpu_graph *gpu_graph_new(void);
struct gpu_graph *gpu_graph_free(struct gpu_graph *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct gpu_graph *, gpu_graph_free);

/* Returns the new tensor's index or -ENOMEM. name is copied. */
int gpu_graph_add_tensor(struct gpu_graph *g, const char *name, enum gpu_tensor_kind kind);
/* Returns the new node's index or -ENOMEM. name is copied. Inputs start absent (-1). */
int gpu_graph_add_node(struct gpu_graph *g, const char *name, enum gpu_op op);
/* Tensor index by name or -ENOENT. */
int gpu_graph_find_tensor(const struct gpu_graph *g, const char *name);
/* Sets dims and count; -EINVAL on a bad dim, -EOVERFLOW past GPU_TENSOR_MAX_ELEMS. */
int gpu_tensor_set_shape(struct gpu_tensor *t, int ndim, const int64_t *dims);
size_t gpu_tensor_bytes(const struct gpu_tensor *t);
/* Writes "[1,3,112,112]" into buf. */
const char *gpu_tensor_shape_str(const struct gpu_tensor *t, char *buf, size_t size);

const char *gpu_op_to_string(enum gpu_op op);
enum gpu_op gpu_op_from_string(const char *s);
const char *gpu_act_to_string(enum gpu_act a);

/* Caps: elements of one tensor (256 Mi floats, 1 GiB) and bytes of all constants of a model. */
#define GPU_TENSOR_MAX_ELEMS ((size_t) 1 << 28)
#define GPU_GRAPH_MAX_CONST_BYTES ((size_t) 1 << 30)

/* --- passes --- */
/* gpu/shape.c: computes every tensor's shape and normalises attributes. err gets a message naming the node. */
int gpu_graph_infer_shapes(struct gpu_graph *g, char *err, size_t errlen);

/* gpu/optimize.c */
enum {
        GPU_OPT_FOLD_BN = 1 << 0,
        GPU_OPT_FUSE_ACT = 1 << 1,
        GPU_OPT_FUSE_ADD = 1 << 2,
        GPU_OPT_ALIAS = 1 << 3,
        GPU_OPT_ALL = 0xff,
};
int gpu_graph_optimize(struct gpu_graph *g, unsigned flags);

/* gpu/plan.c: assigns arena offsets by liveness; sets planned and arena_size. */
int gpu_graph_plan(struct gpu_graph *g);
/* Checks the plan: no two tensors live at the same time share bytes. -EINVAL if broken. */
int gpu_graph_plan_verify(const struct gpu_graph *g);
