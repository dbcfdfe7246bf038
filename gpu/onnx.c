/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ONNX → struct gpu_graph. Everything read from the file is untrusted: every
 * index, count and size is checked before use, and NULL from protobuf-c
 * becomes -EBADMSG here and nowhere else.
 */

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "common/debug.h"
#include "gpu/onnx.h"
#include "onnx.pb-c.h"

typedef Lsonnx__ModelProto ModelProto;
typedef Lsonnx__GraphProto GraphProto;
typedef Lsonnx__NodeProto NodeProto;
typedef Lsonnx__TensorProto TensorProto;
typedef Lsonnx__AttributeProto AttributeProto;
typedef Lsonnx__ValueInfoProto ValueInfoProto;

struct loader {
        struct gpu_graph *g;
        const ModelProto *model;
        size_t const_bytes;
        char *err;
        size_t errlen;
};

static void model_freep(ModelProto **m) {
        if (*m)
                lsonnx__model_proto__free_unpacked(*m, NULL);
}

_printf_(3, 4) static int fail(struct loader *l, int r, const char *fmt, ...) {
        va_list ap;

        if (l->err && l->errlen > 0) {
                va_start(ap, fmt);
                vsnprintf(l->err, l->errlen, fmt, ap);
                va_end(ap);
        }
        return ls_debug_errno(r, "onnx: %s", l->err ? l->err : "");
}

#define NODE_FMT "node '%s' (%s): "

static const char *node_label(const NodeProto *n) {
        return n->name && n->name[0] ? n->name : (n->n_output > 0 && n->output[0] ? n->output[0] : "?");
}

/* memcpy that accepts NULL when there is nothing to copy (empty tensors have no data). */
static void memcpy_safe(void *dst, const void *src, size_t n) {
        if (n > 0)
                memcpy(dst, src, n);
}

/* ---- attributes ---- */

static const AttributeProto *attr_find(const NodeProto *n, const char *name) {
        for (size_t i = 0; i < n->n_attribute; i++)
                if (n->attribute[i] && n->attribute[i]->name && streq(n->attribute[i]->name, name))
                        return n->attribute[i];
        return NULL;
}

static int attr_check(struct loader *l, const NodeProto *n, const AttributeProto *a, int type) {
        if (a->type != (Lsonnx__AttributeProto__AttributeType) type)
                return fail(l, -EINVAL, NODE_FMT "attribute '%s' has type %d, expected %d", node_label(n),
                            n->op_type, a->name, (int) a->type, type);
        return 0;
}

static int attr_int(struct loader *l, const NodeProto *n, const char *name, int64_t def, int64_t *ret) {
        const AttributeProto *a = attr_find(n, name);
        int r;

        if (!a) {
                *ret = def;
                return 0;
        }
        r = attr_check(l, n, a, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
        if (r < 0)
                return r;
        *ret = a->i;
        return 1;
}

/* An int attribute that must fit a small int (sizes, counts, flags). */
static int attr_small(struct loader *l, const NodeProto *n, const char *name, int def, int lo, int hi, int *ret) {
        int64_t v;
        int r = attr_int(l, n, name, def, &v);

        if (r < 0)
                return r;
        if (v < lo || v > hi)
                return fail(l, -EINVAL, NODE_FMT "attribute '%s' = %" PRId64 " out of range", node_label(n),
                            n->op_type, name, v);
        *ret = (int) v;
        return 0;
}

static int attr_float(struct loader *l, const NodeProto *n, const char *name, float def, float *ret) {
        const AttributeProto *a = attr_find(n, name);
        int r;

        if (!a) {
                *ret = def;
                return 0;
        }
        r = attr_check(l, n, a, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
        if (r < 0)
                return r;
        *ret = a->f;
        return 1;
}

/* Copies up to max ints; returns how many were given (0 when absent). */
static int attr_ints(struct loader *l, const NodeProto *n, const char *name, int64_t *v, size_t max, int64_t lo,
                     int64_t hi) {
        const AttributeProto *a = attr_find(n, name);
        int r;

        if (!a)
                return 0;
        r = attr_check(l, n, a, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
        if (r < 0)
                return r;
        if (a->n_ints > max)
                return fail(l, -EOPNOTSUPP, NODE_FMT "attribute '%s' has %zu values, at most %zu supported",
                            node_label(n), n->op_type, name, a->n_ints, max);
        for (size_t i = 0; i < a->n_ints; i++) {
                if (a->ints[i] < lo || a->ints[i] > hi)
                        return fail(l, -EINVAL, NODE_FMT "attribute '%s' value %" PRId64 " out of range",
                                    node_label(n), n->op_type, name, a->ints[i]);
                v[i] = a->ints[i];
        }
        return (int) a->n_ints;
}

/* String attribute into buf; returns 1 when present, 0 (buf = def) when absent. */
static int attr_string(struct loader *l, const NodeProto *n, const char *name, const char *def, char *buf,
                       size_t size) {
        const AttributeProto *a = attr_find(n, name);
        int r;

        if (!a) {
                snprintf(buf, size, "%s", def);
                return 0;
        }
        r = attr_check(l, n, a, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
        if (r < 0)
                return r;
        if (a->s.len >= size || (a->s.len > 0 && memchr(a->s.data, 0, a->s.len)))
                return fail(l, -EINVAL, NODE_FMT "attribute '%s' is not a short string", node_label(n),
                            n->op_type, name);
        memcpy_safe(buf, a->s.data, a->s.len);
        buf[a->s.len] = 0;
        return 1;
}

/* ---- tensors ---- */


/* Converts a TensorProto into constant tensor index t. */
static int tensor_from_proto(struct loader *l, int idx, const TensorProto *tp, const char *what) {
        struct gpu_tensor *t = &l->g->tensors[idx];
        size_t count = 1, bytes;
        const char *name = tp->name ?: "";
        int dt = tp->data_type;

        if (tp->data_location == LSONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL || tp->n_external_data > 0)
                return fail(l, -EOPNOTSUPP, "%s '%s': external data is not supported", what, name);
        if (tp->n_dims > GPU_MAX_DIMS)
                return fail(l, -EOPNOTSUPP, "%s '%s': %zu dimensions, at most %d supported", what, name,
                            tp->n_dims, GPU_MAX_DIMS);
        for (size_t i = 0; i < tp->n_dims; i++) {
                if (tp->dims[i] < 0 || (uint64_t) tp->dims[i] > GPU_TENSOR_MAX_ELEMS)
                        return fail(l, -EINVAL, "%s '%s': bad dimension %" PRId64, what, name, tp->dims[i]);
                if (!size_mul_ok(count, (size_t) tp->dims[i], &count) || count > GPU_TENSOR_MAX_ELEMS)
                        return fail(l, -EFBIG, "%s '%s': too many elements", what, name);
                t->dims[i] = tp->dims[i];
        }
        t->ndim = (int) tp->n_dims;
        t->count = count;

        if (!size_add_ok(l->const_bytes, count * sizeof(float), &bytes) || bytes > GPU_GRAPH_MAX_CONST_BYTES)
                return fail(l, -EFBIG, "%s '%s': the model's constants exceed %zu bytes", what, name,
                            GPU_GRAPH_MAX_CONST_BYTES);
        l->const_bytes = bytes;

        t->data = calloc(MAX(count, (size_t) 1), sizeof(float));
        if (!t->data)
                return -ENOMEM;

        switch (dt) {
        case LSONNX__TENSOR_PROTO__DATA_TYPE__FLOAT:
                if (tp->raw_data.len > 0 || tp->n_float_data == 0) {
                        if (tp->raw_data.len != count * sizeof(float))
                                goto bad_size;
                        memcpy_safe(t->data, tp->raw_data.data, count * sizeof(float));
                } else {
                        if (tp->n_float_data != count)
                                goto bad_size;
                        memcpy_safe(t->data, tp->float_data, count * sizeof(float));
                }
                return 0;
        case LSONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE:
                if (tp->raw_data.len > 0 || tp->n_double_data == 0) {
                        if (tp->raw_data.len != count * sizeof(double))
                                goto bad_size;
                        for (size_t i = 0; i < count; i++) {
                                double d;
                                memcpy(&d, tp->raw_data.data + i * sizeof(double), sizeof(d));
                                t->data[i] = (float) d;
                        }
                } else {
                        if (tp->n_double_data != count)
                                goto bad_size;
                        for (size_t i = 0; i < count; i++)
                                t->data[i] = (float) tp->double_data[i];
                }
                return 0;
        case LSONNX__TENSOR_PROTO__DATA_TYPE__INT64:
        case LSONNX__TENSOR_PROTO__DATA_TYPE__INT32:
                break;
        default:
                return fail(l, -EOPNOTSUPP, "%s '%s': data type %d is not supported", what, name, dt);
        }

        t->ints = calloc(MAX(count, (size_t) 1), sizeof(int64_t));
        if (!t->ints)
                return -ENOMEM;
        if (dt == LSONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
                if (tp->raw_data.len > 0 || tp->n_int64_data == 0) {
                        if (tp->raw_data.len != count * sizeof(int64_t))
                                goto bad_size;
                        memcpy_safe(t->ints, tp->raw_data.data, count * sizeof(int64_t));
                } else {
                        if (tp->n_int64_data != count)
                                goto bad_size;
                        memcpy_safe(t->ints, tp->int64_data, count * sizeof(int64_t));
                }
        } else {
                if (tp->raw_data.len > 0 || tp->n_int32_data == 0) {
                        if (tp->raw_data.len != count * sizeof(int32_t))
                                goto bad_size;
                        for (size_t i = 0; i < count; i++) {
                                int32_t v;
                                memcpy(&v, tp->raw_data.data + i * sizeof(v), sizeof(v));
                                t->ints[i] = v;
                        }
                } else {
                        if (tp->n_int32_data != count)
                                goto bad_size;
                        for (size_t i = 0; i < count; i++)
                                t->ints[i] = tp->int32_data[i];
                }
        }
        for (size_t i = 0; i < count; i++)
                t->data[i] = (float) t->ints[i];
        return 0;

bad_size:
        return fail(l, -EINVAL, "%s '%s': data does not match its shape (%zu elements)", what, name, count);
}

static int add_constant(struct loader *l, const char *name, const TensorProto *tp, const char *what) {
        int idx = gpu_graph_add_tensor(l->g, name, GPU_TENSOR_CONSTANT);

        if (idx < 0)
                return idx;
        return tensor_from_proto(l, idx, tp, what);
}

static int add_value_input(struct loader *l, const ValueInfoProto *vi) {
        const Lsonnx__TypeProto__Tensor *tt;
        int64_t dims[GPU_MAX_DIMS];
        const char *name = vi->name;
        int idx, r;

        if (!vi->type || vi->type->value_case != LSONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !vi->type->tensor_type)
                return fail(l, -EOPNOTSUPP, "input '%s': not a tensor", name);
        tt = vi->type->tensor_type;
        if (tt->elem_type != LSONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
                return fail(l, -EOPNOTSUPP, "input '%s': element type %d, only float is supported", name,
                            tt->elem_type);
        if (!tt->shape)
                return fail(l, -EOPNOTSUPP, "input '%s': no shape given", name);
        if (tt->shape->n_dim > GPU_MAX_DIMS)
                return fail(l, -EOPNOTSUPP, "input '%s': %zu dimensions, at most %d supported", name,
                            tt->shape->n_dim, GPU_MAX_DIMS);
        for (size_t i = 0; i < tt->shape->n_dim; i++) {
                const Lsonnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];

                if (d && d->value_case == LSONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && d->dim_value > 0)
                        dims[i] = d->dim_value;
                else if (i == 0 && tt->shape->n_dim > 1 &&
                         (!d || d->value_case != LSONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE))
                        dims[i] = 1;    /* a symbolic batch dimension: lanesight runs batch 1 */
                else
                        return fail(l, -EOPNOTSUPP, "input '%s': dimension %zu is dynamic or invalid", name, i);
        }
        idx = gpu_graph_add_tensor(l->g, name, GPU_TENSOR_INPUT);
        if (idx < 0)
                return idx;
        r = gpu_tensor_set_shape(&l->g->tensors[idx], (int) tt->shape->n_dim, dims);
        if (r < 0)
                return fail(l, r, "input '%s': shape too large", name);
        return idx;
}

/* ---- nodes ---- */

static int parse_auto_pad(struct loader *l, const NodeProto *n, enum gpu_auto_pad *ret) {
        char s[32];
        int r = attr_string(l, n, "auto_pad", "NOTSET", s, sizeof(s));

        if (r < 0)
                return r;
        if (streq(s, "NOTSET"))
                *ret = GPU_AUTO_PAD_NOTSET;
        else if (streq(s, "SAME_UPPER"))
                *ret = GPU_AUTO_PAD_SAME_UPPER;
        else if (streq(s, "SAME_LOWER"))
                *ret = GPU_AUTO_PAD_SAME_LOWER;
        else if (streq(s, "VALID"))
                *ret = GPU_AUTO_PAD_VALID;
        else
                return fail(l, -EINVAL, NODE_FMT "unknown auto_pad '%s'", node_label(n), n->op_type, s);
        return 0;
}

/* kernel_shape/strides/dilations/pads for 2-D windows. nk: kernel must be given (pools). */
static int parse_window(struct loader *l, const NodeProto *n, bool need_kernel, int kernel[2], int stride[2],
                        int dilation[2], int pad[4], enum gpu_auto_pad *auto_pad) {
        int64_t v[4];
        int r;

        r = attr_ints(l, n, "kernel_shape", v, 4, 1, 1 << 16);
        if (r < 0)
                return r;
        if (r != 0 && r != 2)
                return fail(l, -EOPNOTSUPP, NODE_FMT "only 2-D windows are supported", node_label(n), n->op_type);
        if (r == 0 && need_kernel)
                return fail(l, -EINVAL, NODE_FMT "kernel_shape missing", node_label(n), n->op_type);
        kernel[0] = r ? (int) v[0] : 0;
        kernel[1] = r ? (int) v[1] : 0;

        r = attr_ints(l, n, "strides", v, 4, 1, 1 << 16);
        if (r < 0)
                return r;
        if (r != 0 && r != 2)
                return fail(l, -EOPNOTSUPP, NODE_FMT "only 2-D strides are supported", node_label(n), n->op_type);
        stride[0] = r ? (int) v[0] : 1;
        stride[1] = r ? (int) v[1] : 1;

        r = attr_ints(l, n, "dilations", v, 4, 1, 1 << 16);
        if (r < 0)
                return r;
        if (r != 0 && r != 2)
                return fail(l, -EOPNOTSUPP, NODE_FMT "only 2-D dilations are supported", node_label(n),
                            n->op_type);
        dilation[0] = r ? (int) v[0] : 1;
        dilation[1] = r ? (int) v[1] : 1;

        r = attr_ints(l, n, "pads", v, 4, 0, 1 << 16);
        if (r < 0)
                return r;
        if (r != 0 && r != 4)
                return fail(l, -EOPNOTSUPP, NODE_FMT "only 2-D pads are supported", node_label(n), n->op_type);
        for (int i = 0; i < 4; i++)
                pad[i] = r ? (int) v[i] : 0;

        return parse_auto_pad(l, n, auto_pad);
}

static int parse_resize(struct loader *l, const NodeProto *n, struct gpu_node *gn, bool upsample) {
        char s[48];
        int r;

        r = attr_string(l, n, "mode", "nearest", s, sizeof(s));
        if (r < 0)
                return r;
        if (streq(s, "nearest"))
                gn->resize.mode = GPU_RESIZE_NEAREST;
        else if (streq(s, "linear") || streq(s, "bilinear"))
                gn->resize.mode = GPU_RESIZE_LINEAR;
        else
                return fail(l, -EOPNOTSUPP, NODE_FMT "mode '%s' is not supported", node_label(n), n->op_type, s);

        /* Upsample and Resize-10 use asymmetric coordinates and floor for nearest. */
        if (upsample || l->g->opset < 11) {
                gn->resize.coord = GPU_RESIZE_ASYMMETRIC;
                gn->resize.nearest = GPU_RESIZE_FLOOR;
                return 0;
        }
        r = attr_string(l, n, "coordinate_transformation_mode", "half_pixel", s, sizeof(s));
        if (r < 0)
                return r;
        if (streq(s, "half_pixel"))
                gn->resize.coord = GPU_RESIZE_HALF_PIXEL;
        else if (streq(s, "pytorch_half_pixel"))
                gn->resize.coord = GPU_RESIZE_PYTORCH_HALF_PIXEL;
        else if (streq(s, "align_corners"))
                gn->resize.coord = GPU_RESIZE_ALIGN_CORNERS;
        else if (streq(s, "asymmetric"))
                gn->resize.coord = GPU_RESIZE_ASYMMETRIC;
        else if (streq(s, "tf_half_pixel_for_nearest"))
                gn->resize.coord = GPU_RESIZE_TF_HALF_PIXEL_FOR_NEAREST;
        else
                return fail(l, -EOPNOTSUPP, NODE_FMT "coordinate_transformation_mode '%s' is not supported",
                            node_label(n), n->op_type, s);
        r = attr_string(l, n, "nearest_mode", "round_prefer_floor", s, sizeof(s));
        if (r < 0)
                return r;
        if (streq(s, "round_prefer_floor"))
                gn->resize.nearest = GPU_RESIZE_ROUND_PREFER_FLOOR;
        else if (streq(s, "round_prefer_ceil"))
                gn->resize.nearest = GPU_RESIZE_ROUND_PREFER_CEIL;
        else if (streq(s, "floor"))
                gn->resize.nearest = GPU_RESIZE_FLOOR;
        else if (streq(s, "ceil"))
                gn->resize.nearest = GPU_RESIZE_CEIL;
        else
                return fail(l, -EOPNOTSUPP, NODE_FMT "nearest_mode '%s' is not supported", node_label(n),
                            n->op_type, s);
        return 0;
}

/* Attributes of node n into gn (op already set). */
static int parse_attrs(struct loader *l, const NodeProto *n, struct gpu_node *gn, bool upsample) {
        int64_t v[2 * GPU_MAX_DIMS];
        char s[32];
        int r, k;

        switch (gn->op) {
        case GPU_OP_CONV:
                r = attr_small(l, n, "group", 1, 1, 1 << 20, &gn->conv.group);
                if (r < 0)
                        return r;
                return parse_window(l, n, false, gn->conv.kernel, gn->conv.stride, gn->conv.dilation, gn->conv.pad,
                                    &gn->conv.auto_pad);
        case GPU_OP_MAX_POOL:
        case GPU_OP_AVERAGE_POOL:
                r = attr_small(l, n, "count_include_pad", 0, 0, 1, &k);
                if (r < 0)
                        return r;
                gn->pool.count_include_pad = k;
                r = attr_small(l, n, "ceil_mode", 0, 0, 1, &k);
                if (r < 0)
                        return r;
                gn->pool.ceil_mode = k;
                r = attr_small(l, n, "storage_order", 0, 0, 0, &k);
                if (r < 0)
                        return r;
                return parse_window(l, n, true, gn->pool.kernel, gn->pool.stride, gn->pool.dilation, gn->pool.pad,
                                    &gn->pool.auto_pad);
        case GPU_OP_RELU:
                gn->act.type = GPU_ACT_RELU;
                return 0;
        case GPU_OP_SIGMOID:
                gn->act.type = GPU_ACT_SIGMOID;
                return 0;
        case GPU_OP_PRELU:
                gn->act.type = GPU_ACT_PRELU;
                return 0;
        case GPU_OP_LEAKY_RELU:
                gn->act.type = GPU_ACT_LEAKY_RELU;
                return attr_float(l, n, "alpha", 0.01f, &gn->act.alpha);
        case GPU_OP_CLIP:
                gn->act.type = GPU_ACT_CLIP;
                /* opset < 11: attributes; later: optional inputs 1 and 2, read by shape inference. */
                r = attr_float(l, n, "min", -INFINITY, &gn->act.alpha);
                if (r < 0)
                        return r;
                return attr_float(l, n, "max", INFINITY, &gn->act.beta);
        case GPU_OP_CONCAT:
                if (!attr_find(n, "axis"))
                        return fail(l, -EINVAL, NODE_FMT "axis missing", node_label(n), n->op_type);
                return attr_small(l, n, "axis", 0, -GPU_MAX_DIMS, GPU_MAX_DIMS - 1, &gn->axis);
        case GPU_OP_RESHAPE:
                /* Flatten is loaded as a RESHAPE without shape input; axis kept for shape inference. */
                if (streq(n->op_type, "Flatten"))
                        return attr_small(l, n, "axis", 1, -GPU_MAX_DIMS, GPU_MAX_DIMS, &gn->axis);
                r = attr_small(l, n, "allowzero", 0, 0, 0, &k);
                return r;
        case GPU_OP_TRANSPOSE:
                r = attr_ints(l, n, "perm", v, GPU_MAX_DIMS, 0, GPU_MAX_DIMS - 1);
                if (r < 0)
                        return r;
                for (int i = 0; i < GPU_MAX_DIMS; i++)
                        gn->perm[i] = i < r ? (int) v[i] : -1;  /* -1: reverse, resolved by shape inference */
                return 0;
        case GPU_OP_GEMM:
                r = attr_float(l, n, "alpha", 1.0f, &gn->gemm.alpha);
                if (r < 0)
                        return r;
                r = attr_float(l, n, "beta", 1.0f, &gn->gemm.beta);
                if (r < 0)
                        return r;
                r = attr_small(l, n, "transA", 0, 0, 1, &k);
                if (r < 0)
                        return r;
                gn->gemm.trans_a = k;
                r = attr_small(l, n, "transB", 0, 0, 1, &k);
                if (r < 0)
                        return r;
                gn->gemm.trans_b = k;
                return 0;
        case GPU_OP_PAD:
                r = attr_string(l, n, "mode", "constant", s, sizeof(s));
                if (r < 0)
                        return r;
                if (streq(s, "constant"))
                        gn->pad.mode = GPU_PAD_CONSTANT;
                else if (streq(s, "reflect"))
                        gn->pad.mode = GPU_PAD_REFLECT;
                else if (streq(s, "edge"))
                        gn->pad.mode = GPU_PAD_EDGE;
                else
                        return fail(l, -EOPNOTSUPP, NODE_FMT "mode '%s' is not supported", node_label(n),
                                    n->op_type, s);
                if (l->g->opset < 11) {
                        r = attr_ints(l, n, "pads", gn->pad.pads, 2 * GPU_MAX_DIMS, -(1 << 20), 1 << 20);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                return fail(l, -EINVAL, NODE_FMT "pads missing", node_label(n), n->op_type);
                        gn->pad.n_pads = r;     /* checked against the rank by shape inference */
                        return attr_float(l, n, "value", 0.0f, &gn->pad.value);
                }
                return 0;
        case GPU_OP_SOFTMAX:
                return attr_small(l, n, "axis", l->g->opset >= 13 ? -1 : 1, -GPU_MAX_DIMS, GPU_MAX_DIMS,
                                  &gn->softmax.axis);
        case GPU_OP_RESIZE:
                /* Opset 18+ refinements lanesight does not implement must not be ignored silently. */
                r = attr_small(l, n, "antialias", 0, 0, 0, &k);
                if (r < 0)
                        return r;
                r = attr_small(l, n, "exclude_outside", 0, 0, 0, &k);
                if (r < 0)
                        return r;
                if (attr_find(n, "axes"))
                        return fail(l, -EOPNOTSUPP, NODE_FMT "attribute 'axes' is not supported", node_label(n),
                                    n->op_type);
                r = attr_string(l, n, "keep_aspect_ratio_policy", "stretch", s, sizeof(s));
                if (r < 0)
                        return r;
                if (!streq(s, "stretch"))
                        return fail(l, -EOPNOTSUPP, NODE_FMT "keep_aspect_ratio_policy '%s' is not supported",
                                    node_label(n), n->op_type, s);
                r = parse_resize(l, n, gn, upsample);
                if (r < 0)
                        return r;
                if (upsample) {
                        const AttributeProto *a = attr_find(n, "scales");
                        if (a) {
                                r = attr_check(l, n, a, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
                                if (r < 0)
                                        return r;
                                if (a->n_floats == 0 || a->n_floats > GPU_MAX_DIMS)
                                        return fail(l, -EINVAL, NODE_FMT "bad scales", node_label(n), n->op_type);
                                for (size_t i = 0; i < a->n_floats; i++)
                                        gn->resize.scale[i] = a->floats[i];
                                gn->resize.scale_given = true;
                        }
                }
                return 0;
        case GPU_OP_BATCH_NORM:
                r = attr_small(l, n, "training_mode", 0, 0, 0, &k);
                if (r < 0)
                        return r;
                return attr_float(l, n, "epsilon", 1e-5f, &gn->bn.epsilon);
        default:
                return 0;
        }
}

/* Constant-producing nodes become constant tensors: Constant, ConstantOfShape. */
static int load_constant_node(struct loader *l, const NodeProto *n) {
        const char *out = n->n_output == 1 ? n->output[0] : NULL;
        const AttributeProto *a;
        int idx, r;

        if (!out || !out[0])
                return fail(l, -EINVAL, NODE_FMT "needs exactly one output", node_label(n), n->op_type);

        if (streq(n->op_type, "Constant")) {
                if (n->n_attribute != 1 || !n->attribute[0] || !n->attribute[0]->name)
                        return fail(l, -EINVAL, NODE_FMT "needs exactly one attribute", node_label(n), n->op_type);
                a = n->attribute[0];
                idx = gpu_graph_add_tensor(l->g, out, GPU_TENSOR_CONSTANT);
                if (idx < 0)
                        return idx;
                if (streq(a->name, "value") && a->type == LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR && a->t)
                        return tensor_from_proto(l, idx, a->t, "Constant");
                TensorProto tp = LSONNX__TENSOR_PROTO__INIT;
                int64_t dim;
                float f;
                tp.name = (char *) out;
                if (streq(a->name, "value_float") && a->type == LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT) {
                        f = a->f;
                        tp.data_type = LSONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
                        tp.n_float_data = 1;
                        tp.float_data = &f;
                } else if (streq(a->name, "value_floats") &&
                           a->type == LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS) {
                        dim = (int64_t) a->n_floats;
                        tp.data_type = LSONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
                        tp.n_dims = 1;
                        tp.dims = &dim;
                        tp.n_float_data = a->n_floats;
                        tp.float_data = a->floats;
                } else if (streq(a->name, "value_int") && a->type == LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT) {
                        tp.data_type = LSONNX__TENSOR_PROTO__DATA_TYPE__INT64;
                        tp.n_int64_data = 1;
                        tp.int64_data = (int64_t *) &a->i;
                } else if (streq(a->name, "value_ints") && a->type == LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS) {
                        dim = (int64_t) a->n_ints;
                        tp.data_type = LSONNX__TENSOR_PROTO__DATA_TYPE__INT64;
                        tp.n_dims = 1;
                        tp.dims = &dim;
                        tp.n_int64_data = a->n_ints;
                        tp.int64_data = a->ints;
                } else
                        return fail(l, -EOPNOTSUPP, NODE_FMT "attribute '%s' is not supported", node_label(n),
                                    n->op_type, a->name);
                return tensor_from_proto(l, idx, &tp, "Constant");
        }

        /* ConstantOfShape: input 0 a constant int64 shape, attribute value a one-element tensor. */
        const struct gpu_tensor *shape;
        int64_t dims[GPU_MAX_DIMS];
        float value = 0.0f;
        int si;

        if (n->n_input != 1 || !n->input[0] || (si = gpu_graph_find_tensor(l->g, n->input[0])) < 0)
                return fail(l, -EINVAL, NODE_FMT "needs one defined input", node_label(n), n->op_type);
        shape = &l->g->tensors[si];
        if (shape->kind != GPU_TENSOR_CONSTANT || !shape->ints || shape->ndim != 1)
                return fail(l, -EOPNOTSUPP, NODE_FMT "shape input must be a constant int64 vector", node_label(n),
                            n->op_type);
        if (shape->count > GPU_MAX_DIMS)
                return fail(l, -EOPNOTSUPP, NODE_FMT "too many dimensions", node_label(n), n->op_type);
        memcpy(dims, shape->ints, shape->count * sizeof(int64_t));
        /* Adding tensors below may move the array: nothing may point into it afterwards. */
        size_t n_shape = shape->count;
        shape = NULL;
        a = attr_find(n, "value");
        if (a) {
                r = attr_check(l, n, a, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
                if (r < 0)
                        return r;
                if (!a->t)
                        return fail(l, -EINVAL, NODE_FMT "empty value", node_label(n), n->op_type);
                /* Reuse the converter on a scratch tensor. */
                int vi = gpu_graph_add_tensor(l->g, "", GPU_TENSOR_CONSTANT);
                if (vi < 0)
                        return vi;
                r = tensor_from_proto(l, vi, a->t, "ConstantOfShape value");
                if (r < 0)
                        return r;
                if (l->g->tensors[vi].count != 1)
                        return fail(l, -EINVAL, NODE_FMT "value must have one element", node_label(n), n->op_type);
                value = l->g->tensors[vi].data[0];
        }
        idx = gpu_graph_add_tensor(l->g, out, GPU_TENSOR_CONSTANT);
        if (idx < 0)
                return idx;
        struct gpu_tensor *t = &l->g->tensors[idx];
        r = gpu_tensor_set_shape(t, (int) n_shape, dims);
        if (r < 0)
                return fail(l, -EINVAL, NODE_FMT "bad shape", node_label(n), n->op_type);
        if (t->count * sizeof(float) > GPU_GRAPH_MAX_CONST_BYTES - l->const_bytes)
                return fail(l, -EFBIG, NODE_FMT "constants too large", node_label(n), n->op_type);
        l->const_bytes += t->count * sizeof(float);
        t->data = malloc(t->count * sizeof(float));
        if (!t->data)
                return -ENOMEM;
        for (size_t i = 0; i < t->count; i++)
                t->data[i] = value;
        return 0;
}

static const struct {
        const char *name;
        enum gpu_op op;
        unsigned min_in, max_in;
} op_table[] = {
        { "Conv", GPU_OP_CONV, 2, 3 },
        { "Relu", GPU_OP_RELU, 1, 1 },
        { "PRelu", GPU_OP_PRELU, 2, 2 },
        { "LeakyRelu", GPU_OP_LEAKY_RELU, 1, 1 },
        { "Clip", GPU_OP_CLIP, 1, 3 },
        { "Sigmoid", GPU_OP_SIGMOID, 1, 1 },
        { "Add", GPU_OP_ADD, 2, 2 },
        { "Mul", GPU_OP_MUL, 2, 2 },
        { "Sub", GPU_OP_SUB, 2, 2 },
        { "MaxPool", GPU_OP_MAX_POOL, 1, 1 },
        { "AveragePool", GPU_OP_AVERAGE_POOL, 1, 1 },
        { "GlobalAveragePool", GPU_OP_GLOBAL_AVERAGE_POOL, 1, 1 },
        { "Concat", GPU_OP_CONCAT, 1, GPU_NODE_MAX_INPUTS },
        { "Reshape", GPU_OP_RESHAPE, 2, 2 },
        { "Flatten", GPU_OP_RESHAPE, 1, 1 },
        { "Transpose", GPU_OP_TRANSPOSE, 1, 1 },
        { "Gemm", GPU_OP_GEMM, 2, 3 },
        { "MatMul", GPU_OP_MATMUL, 2, 2 },
        { "Pad", GPU_OP_PAD, 1, 3 },
        { "Softmax", GPU_OP_SOFTMAX, 1, 1 },
        { "Resize", GPU_OP_RESIZE, 1, 4 },
        { "Upsample", GPU_OP_RESIZE, 1, 2 },
        { "BatchNormalization", GPU_OP_BATCH_NORM, 5, 5 },
        { "Identity", GPU_OP_IDENTITY, 1, 1 },
        { "Dropout", GPU_OP_IDENTITY, 1, 3 },
};

static int load_node(struct loader *l, const NodeProto *n, size_t index) {
        char label[64];
        const char *name;
        struct gpu_node *gn;
        int ni, out, r;
        size_t k;

        if (!n->op_type || !n->op_type[0])
                return fail(l, -EINVAL, "node %zu has no op_type", index);
        if (n->domain && n->domain[0] && !streq(n->domain, "ai.onnx"))
                return fail(l, -EOPNOTSUPP, NODE_FMT "domain '%s' is not supported", node_label(n), n->op_type,
                            n->domain);
        for (size_t i = 0; i < n->n_input; i++)
                if (!n->input[i])
                        return fail(l, -EBADMSG, NODE_FMT "null input name", node_label(n), n->op_type);
        for (size_t i = 0; i < n->n_output; i++)
                if (!n->output[i])
                        return fail(l, -EBADMSG, NODE_FMT "null output name", node_label(n), n->op_type);

        if (streq(n->op_type, "Constant") || streq(n->op_type, "ConstantOfShape"))
                return load_constant_node(l, n);

        for (k = 0; k < ELEMENTSOF(op_table); k++)
                if (streq(op_table[k].name, n->op_type))
                        break;
        if (k == ELEMENTSOF(op_table))
                return fail(l, -EOPNOTSUPP, NODE_FMT "op '%s' is not supported", node_label(n), n->op_type,
                            n->op_type);
        if (n->n_input < op_table[k].min_in || n->n_input > op_table[k].max_in)
                return fail(l, -EINVAL, NODE_FMT "has %zu inputs, expected %u to %u", node_label(n), n->op_type,
                            n->n_input, op_table[k].min_in, op_table[k].max_in);
        if (n->n_output < 1 || !n->output[0][0])
                return fail(l, -EINVAL, NODE_FMT "has no output", node_label(n), n->op_type);
        /* Extra outputs (Dropout mask, BatchNorm training stats, MaxPool indices) must be unused: */
        for (size_t i = 1; i < n->n_output; i++)
                if (n->output[i][0])
                        return fail(l, -EOPNOTSUPP, NODE_FMT "output %zu ('%s') is not supported", node_label(n),
                                    n->op_type, i, n->output[i]);

        if (n->name && n->name[0])
                name = n->name;
        else {
                snprintf(label, sizeof(label), "%s#%zu", n->op_type, index);
                name = label;
        }
        ni = gpu_graph_add_node(l->g, name, op_table[k].op);
        if (ni < 0)
                return ni;
        gn = &l->g->nodes[ni];
        gn->n_inputs = (int) n->n_input;
        for (size_t i = 0; i < n->n_input; i++) {
                if (!n->input[i][0])
                        continue;       /* absent optional input */
                r = gpu_graph_find_tensor(l->g, n->input[i]);
                if (r < 0)
                        return fail(l, -EINVAL, NODE_FMT "input '%s' is not produced by any earlier node",
                                    name, n->op_type, n->input[i]);
                gn->inputs[i] = r;
        }
        /* Upsample-9 and Resize-10 have scales in slot 1; move to slot 2 as in Resize-11. */
        bool upsample = streq(n->op_type, "Upsample");
        if (gn->op == GPU_OP_RESIZE && (upsample || l->g->opset < 11)) {
                gn->inputs[2] = gn->inputs[1];
                gn->inputs[1] = -1;
                gn->n_inputs = gn->inputs[2] >= 0 ? 3 : 1;
        }
        /* Dropout's ratio/training_mode inputs do not matter at inference. */
        if (gn->op == GPU_OP_IDENTITY)
                gn->n_inputs = 1;

        r = parse_attrs(l, n, gn, upsample);
        if (r < 0) {
                if (l->err && l->errlen && !l->err[0])
                        (void) fail(l, r, NODE_FMT "bad attribute", name, n->op_type);
                return r;
        }
        if (gpu_graph_find_tensor(l->g, n->output[0]) >= 0)
                return fail(l, -EINVAL, NODE_FMT "output '%s' is defined twice", name, n->op_type, n->output[0]);
        out = gpu_graph_add_tensor(l->g, n->output[0], GPU_TENSOR_ACTIVATION);
        if (out < 0)
                return out;
        gn = &l->g->nodes[ni];  /* no realloc of nodes since, but keep it obvious */
        gn->output = out;
        l->g->tensors[out].producer = ni;
        return 0;
}

static int load_graph(struct loader *l, const GraphProto *gp) {
        struct gpu_graph *g = l->g;
        int r;

        if (gp->n_node > ONNX_MAX_NODES || gp->n_initializer > ONNX_MAX_NODES)
                return fail(l, -EFBIG, "more than %d nodes or initializers", ONNX_MAX_NODES);
        if (gp->n_sparse_initializer > 0)
                return fail(l, -EOPNOTSUPP, "sparse initializers are not supported");

        for (size_t i = 0; i < gp->n_initializer; i++) {
                const TensorProto *tp = gp->initializer[i];
                if (!tp || !tp->name || !tp->name[0])
                        return fail(l, -EINVAL, "initializer %zu has no name", i);
                if (gpu_graph_find_tensor(g, tp->name) >= 0)
                        return fail(l, -EINVAL, "initializer '%s' is defined twice", tp->name);
                r = add_constant(l, tp->name, tp, "initializer");
                if (r < 0)
                        return r;
        }

        g->inputs = calloc(MAX(gp->n_input, (size_t) 1), sizeof(int));
        if (!g->inputs)
                return -ENOMEM;
        for (size_t i = 0; i < gp->n_input; i++) {
                const ValueInfoProto *vi = gp->input[i];
                if (!vi || !vi->name || !vi->name[0])
                        return fail(l, -EINVAL, "graph input %zu has no name", i);
                if (gpu_graph_find_tensor(g, vi->name) >= 0)
                        continue;       /* an initializer listed as input (IR < 4): a constant */
                r = add_value_input(l, vi);
                if (r < 0)
                        return r;
                g->inputs[g->n_inputs++] = r;
        }
        if (g->n_inputs == 0)
                return fail(l, -EINVAL, "the graph has no (non-constant) input");

        for (size_t i = 0; i < gp->n_node; i++) {
                if (!gp->node[i])
                        return fail(l, -EBADMSG, "node %zu is empty", i);
                r = load_node(l, gp->node[i], i);
                if (r < 0)
                        return r;
        }

        if (gp->n_output == 0)
                return fail(l, -EINVAL, "the graph has no output");
        g->outputs = calloc(gp->n_output, sizeof(int));
        if (!g->outputs)
                return -ENOMEM;
        for (size_t i = 0; i < gp->n_output; i++) {
                const ValueInfoProto *vi = gp->output[i];
                if (!vi || !vi->name)
                        return fail(l, -EINVAL, "graph output %zu has no name", i);
                r = gpu_graph_find_tensor(g, vi->name);
                if (r < 0)
                        return fail(l, -EINVAL, "graph output '%s' is not produced by any node", vi->name);
                if (g->tensors[r].kind != GPU_TENSOR_ACTIVATION)
                        return fail(l, -EOPNOTSUPP, "graph output '%s' is an input or a constant", vi->name);
                for (size_t j = 0; j < g->n_outputs; j++)
                        if (g->outputs[j] == r)
                                return fail(l, -EINVAL, "graph output '%s' is listed twice", vi->name);
                g->tensors[r].is_output = true;
                g->outputs[g->n_outputs++] = r;
        }
        return 0;
}

int onnx_load_buffer(const void *data, size_t size, struct gpu_graph **ret, char *err, size_t errlen) {
        _cleanup_(model_freep) ModelProto *m = NULL;
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = NULL;
        struct loader l = { .err = err, .errlen = errlen };
        int64_t opset = -1;
        int r;

        if (err && errlen)
                err[0] = 0;
        if (size > ONNX_MAX_FILE_BYTES)
                return fail(&l, -EFBIG, "model is larger than %zu bytes", ONNX_MAX_FILE_BYTES);

        m = lsonnx__model_proto__unpack(NULL, size, data);
        if (!m)
                return fail(&l, -EBADMSG, "not a valid ONNX model (protobuf parse failed: corrupt or truncated)");
        if (!m->graph)
                return fail(&l, -EBADMSG, "not an ONNX model: no graph");

        for (size_t i = 0; i < m->n_opset_import; i++) {
                const Lsonnx__OperatorSetIdProto *o = m->opset_import[i];
                if (o && (!o->domain || !o->domain[0] || streq(o->domain, "ai.onnx")))
                        opset = o->version;
        }
        if (opset < 0 && m->n_opset_import == 0)
                opset = 1;      /* IR < 3 models carry no opset_import */
        if (opset < 9)
                return fail(&l, -EOPNOTSUPP, "opset %" PRId64 " is not supported (9 or later needed)", opset);
        if (opset > 100)
                return fail(&l, -EINVAL, "opset %" PRId64 " is not a valid version", opset);

        g = gpu_graph_new();
        if (!g)
                return -ENOMEM;
        g->opset = opset;
        l.g = g;
        l.model = m;

        r = load_graph(&l, m->graph);
        if (r < 0) {
                if (r == -ENOMEM && err && errlen)
                        snprintf(err, errlen, "out of memory");
                return r;
        }

        r = gpu_graph_infer_shapes(g, err, errlen);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(g);
        return 0;
}

int onnx_load_file(const char *path, struct gpu_graph **ret, char *err, size_t errlen) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ uint8_t *buf = NULL;
        struct stat st;
        size_t size, done = 0;

        if (err && errlen)
                err[0] = 0;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                int e = errno;
                if (err && errlen)
                        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(e));
                return -e;
        }
        if (fstat(fd, &st) < 0) {
                int e = errno;
                if (err && errlen)
                        snprintf(err, errlen, "cannot stat '%s': %s", path, strerror(e));
                return -e;
        }
        if (!S_ISREG(st.st_mode)) {
                if (err && errlen)
                        snprintf(err, errlen, "'%s' is not a regular file", path);
                return -EINVAL;
        }
        if ((uint64_t) st.st_size > ONNX_MAX_FILE_BYTES) {
                if (err && errlen)
                        snprintf(err, errlen, "'%s' is larger than %zu bytes", path, ONNX_MAX_FILE_BYTES);
                return -EFBIG;
        }
        size = (size_t) st.st_size;
        buf = malloc(MAX(size, (size_t) 1));
        if (!buf)
                return -ENOMEM;
        while (done < size) {
                ssize_t k = read(fd, buf + done, size - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0) {
                        int e = errno;
                        if (err && errlen)
                                snprintf(err, errlen, "cannot read '%s': %s", path, strerror(e));
                        return -e;
                }
                if (k == 0)
                        break;  /* shrank under us: parse what is there */
                done += (size_t) k;
        }
        return onnx_load_buffer(buf, done, ret, err, errlen);
}
