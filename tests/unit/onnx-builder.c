/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ONNX model builder for tests: see onnx-builder.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "onnx-builder.h"

#define OB_MAX 256

struct ob {
        void **allocs;
        size_t n_allocs, cap_allocs;
        Lsonnx__ModelProto model;
        Lsonnx__GraphProto graph;
        Lsonnx__OperatorSetIdProto opset;
        Lsonnx__OperatorSetIdProto *opsets[1];
        uint8_t *bytes;
};

static void *ob_alloc(struct ob *b, size_t size) {
        void *p = calloc(1, size ? size : 1);

        if (!p)
                abort();
        if (b->n_allocs == b->cap_allocs) {
                b->cap_allocs = b->cap_allocs ? 2 * b->cap_allocs : 64;
                b->allocs = realloc(b->allocs, b->cap_allocs * sizeof(void *));
                if (!b->allocs)
                        abort();
        }
        b->allocs[b->n_allocs++] = p;
        return p;
}

static char *ob_strdup(struct ob *b, const char *s) {
        char *p = ob_alloc(b, strlen(s) + 1);
        strcpy(p, s);
        return p;
}

static void *ob_memdup(struct ob *b, const void *s, size_t n) {
        void *p = ob_alloc(b, n);
        if (n)
                memcpy(p, s, n);
        return p;
}

struct ob *ob_new(int64_t opset) {
        struct ob *b = calloc(1, sizeof(*b));

        if (!b)
                abort();
        b->model = (Lsonnx__ModelProto) LSONNX__MODEL_PROTO__INIT;
        b->graph = (Lsonnx__GraphProto) LSONNX__GRAPH_PROTO__INIT;
        b->opset = (Lsonnx__OperatorSetIdProto) LSONNX__OPERATOR_SET_ID_PROTO__INIT;
        b->opset.domain = ob_strdup(b, "");
        b->opset.has_version = true;
        b->opset.version = opset;
        b->opsets[0] = &b->opset;
        b->model.has_ir_version = true;
        b->model.ir_version = 7;
        b->model.n_opset_import = 1;
        b->model.opset_import = b->opsets;
        b->model.producer_name = ob_strdup(b, "lanesight-tests");
        b->model.graph = &b->graph;
        b->graph.name = ob_strdup(b, "test");
        b->graph.node = ob_alloc(b, OB_MAX * sizeof(void *));
        b->graph.initializer = ob_alloc(b, OB_MAX * sizeof(void *));
        b->graph.input = ob_alloc(b, OB_MAX * sizeof(void *));
        b->graph.output = ob_alloc(b, OB_MAX * sizeof(void *));
        return b;
}

void ob_free(struct ob *b) {
        if (!b)
                return;
        for (size_t i = 0; i < b->n_allocs; i++)
                free(b->allocs[i]);
        free(b->allocs);
        free(b->bytes);
        free(b);
}

Lsonnx__ModelProto *ob_model(struct ob *b) {
        return &b->model;
}

static Lsonnx__ValueInfoProto *value_info(struct ob *b, const char *name, int ndim, const int64_t *dims) {
        Lsonnx__ValueInfoProto *vi = ob_alloc(b, sizeof(*vi));
        Lsonnx__TypeProto *tp = ob_alloc(b, sizeof(*tp));
        Lsonnx__TypeProto__Tensor *tt = ob_alloc(b, sizeof(*tt));

        *vi = (Lsonnx__ValueInfoProto) LSONNX__VALUE_INFO_PROTO__INIT;
        *tp = (Lsonnx__TypeProto) LSONNX__TYPE_PROTO__INIT;
        *tt = (Lsonnx__TypeProto__Tensor) LSONNX__TYPE_PROTO__TENSOR__INIT;
        vi->name = ob_strdup(b, name);
        vi->type = tp;
        tp->value_case = LSONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
        tp->tensor_type = tt;
        tt->has_elem_type = true;
        tt->elem_type = LSONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        if (ndim >= 0) {
                Lsonnx__TensorShapeProto *sp = ob_alloc(b, sizeof(*sp));
                *sp = (Lsonnx__TensorShapeProto) LSONNX__TENSOR_SHAPE_PROTO__INIT;
                sp->n_dim = (size_t) ndim;
                sp->dim = ob_alloc(b, (size_t) ndim * sizeof(void *));
                for (int i = 0; i < ndim; i++) {
                        Lsonnx__TensorShapeProto__Dimension *d = ob_alloc(b, sizeof(*d));
                        *d = (Lsonnx__TensorShapeProto__Dimension) LSONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
                        if (dims[i] < 0) {
                                d->value_case = LSONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                                d->dim_param = ob_strdup(b, "N");
                        } else {
                                d->value_case = LSONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                                d->dim_value = dims[i];
                        }
                        sp->dim[i] = d;
                }
                tt->shape = sp;
        }
        return vi;
}

void ob_input(struct ob *b, const char *name, int ndim, const int64_t *dims) {
        b->graph.input[b->graph.n_input++] = value_info(b, name, ndim, dims);
}

void ob_output(struct ob *b, const char *name) {
        b->graph.output[b->graph.n_output++] = value_info(b, name, -1, NULL);
}

static Lsonnx__TensorProto *tensor(struct ob *b, const char *name, int ndim, const int64_t *dims, int type) {
        Lsonnx__TensorProto *t = ob_alloc(b, sizeof(*t));

        *t = (Lsonnx__TensorProto) LSONNX__TENSOR_PROTO__INIT;
        t->name = ob_strdup(b, name);
        t->has_data_type = true;
        t->data_type = type;
        t->n_dims = (size_t) ndim;
        t->dims = ob_memdup(b, dims, (size_t) ndim * sizeof(int64_t));
        return t;
}

static size_t count_of(int ndim, const int64_t *dims) {
        size_t n = 1;
        for (int i = 0; i < ndim; i++)
                n *= (size_t) dims[i];
        return n;
}

Lsonnx__TensorProto *ob_tensor_f(struct ob *b, const char *name, int ndim, const int64_t *dims, const float *data) {
        Lsonnx__TensorProto *t = tensor(b, name, ndim, dims, LSONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
        size_t n = count_of(ndim, dims);

        t->has_raw_data = true;
        t->raw_data.len = n * sizeof(float);
        t->raw_data.data = ob_memdup(b, data, n * sizeof(float));
        return t;
}

Lsonnx__TensorProto *ob_init_f(struct ob *b, const char *name, int ndim, const int64_t *dims, const float *data,
                               bool raw) {
        Lsonnx__TensorProto *t = tensor(b, name, ndim, dims, LSONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
        size_t n = count_of(ndim, dims);

        if (raw) {
                t->has_raw_data = true;
                t->raw_data.len = n * sizeof(float);
                t->raw_data.data = ob_memdup(b, data, n * sizeof(float));
        } else {
                t->n_float_data = n;
                t->float_data = ob_memdup(b, data, n * sizeof(float));
        }
        b->graph.initializer[b->graph.n_initializer++] = t;
        return t;
}

Lsonnx__TensorProto *ob_init_i64(struct ob *b, const char *name, int ndim, const int64_t *dims,
                                 const int64_t *data, bool raw) {
        Lsonnx__TensorProto *t = tensor(b, name, ndim, dims, LSONNX__TENSOR_PROTO__DATA_TYPE__INT64);
        size_t n = count_of(ndim, dims);

        if (raw) {
                t->has_raw_data = true;
                t->raw_data.len = n * sizeof(int64_t);
                t->raw_data.data = ob_memdup(b, data, n * sizeof(int64_t));
        } else {
                t->n_int64_data = n;
                t->int64_data = ob_memdup(b, data, n * sizeof(int64_t));
        }
        b->graph.initializer[b->graph.n_initializer++] = t;
        return t;
}

Lsonnx__TensorProto *ob_init_i32(struct ob *b, const char *name, int ndim, const int64_t *dims,
                                 const int32_t *data, bool raw) {
        Lsonnx__TensorProto *t = tensor(b, name, ndim, dims, LSONNX__TENSOR_PROTO__DATA_TYPE__INT32);
        size_t n = count_of(ndim, dims);

        if (raw) {
                t->has_raw_data = true;
                t->raw_data.len = n * sizeof(int32_t);
                t->raw_data.data = ob_memdup(b, data, n * sizeof(int32_t));
        } else {
                t->n_int32_data = n;
                t->int32_data = ob_memdup(b, data, n * sizeof(int32_t));
        }
        b->graph.initializer[b->graph.n_initializer++] = t;
        return t;
}

static char **split(struct ob *b, const char *list, size_t *ret_n) {
        char **v = ob_alloc(b, 32 * sizeof(char *));
        size_t n = 0;
        const char *p = list;

        if (!*list) {
                *ret_n = 0;
                return v;
        }
        for (;;) {
                const char *e = strchr(p, ',');
                size_t len = e ? (size_t) (e - p) : strlen(p);
                char *s = ob_alloc(b, len + 1);
                memcpy(s, p, len);
                v[n++] = s;
                if (!e || n == 32)
                        break;
                p = e + 1;
        }
        *ret_n = n;
        return v;
}

Lsonnx__NodeProto *ob_node(struct ob *b, const char *op, const char *name, const char *inputs, const char *outputs) {
        Lsonnx__NodeProto *n = ob_alloc(b, sizeof(*n));

        *n = (Lsonnx__NodeProto) LSONNX__NODE_PROTO__INIT;
        n->op_type = ob_strdup(b, op);
        if (name)
                n->name = ob_strdup(b, name);
        n->input = split(b, inputs, &n->n_input);
        n->output = split(b, outputs, &n->n_output);
        n->attribute = ob_alloc(b, 16 * sizeof(void *));
        b->graph.node[b->graph.n_node++] = n;
        return n;
}

static Lsonnx__AttributeProto *attr(struct ob *b, Lsonnx__NodeProto *n, const char *name, int type) {
        Lsonnx__AttributeProto *a = ob_alloc(b, sizeof(*a));

        *a = (Lsonnx__AttributeProto) LSONNX__ATTRIBUTE_PROTO__INIT;
        a->name = ob_strdup(b, name);
        a->has_type = true;
        a->type = type;
        n->attribute[n->n_attribute++] = a;
        return a;
}

void ob_attr_i(struct ob *b, Lsonnx__NodeProto *n, const char *name, int64_t v) {
        Lsonnx__AttributeProto *a = attr(b, n, name, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
        a->has_i = true;
        a->i = v;
}

void ob_attr_f(struct ob *b, Lsonnx__NodeProto *n, const char *name, float v) {
        Lsonnx__AttributeProto *a = attr(b, n, name, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
        a->has_f = true;
        a->f = v;
}

void ob_attr_s(struct ob *b, Lsonnx__NodeProto *n, const char *name, const char *v) {
        Lsonnx__AttributeProto *a = attr(b, n, name, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
        a->has_s = true;
        a->s.len = strlen(v);
        a->s.data = (uint8_t *) ob_strdup(b, v);
}

void ob_attr_ints(struct ob *b, Lsonnx__NodeProto *n, const char *name, size_t count, const int64_t *v) {
        Lsonnx__AttributeProto *a = attr(b, n, name, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
        a->n_ints = count;
        a->ints = ob_memdup(b, v, count * sizeof(int64_t));
}

void ob_attr_floats(struct ob *b, Lsonnx__NodeProto *n, const char *name, size_t count, const float *v) {
        Lsonnx__AttributeProto *a = attr(b, n, name, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
        a->n_floats = count;
        a->floats = ob_memdup(b, v, count * sizeof(float));
}

void ob_attr_t(struct ob *b, Lsonnx__NodeProto *n, const char *name, Lsonnx__TensorProto *t) {
        Lsonnx__AttributeProto *a = attr(b, n, name, LSONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
        a->t = t;
}

const uint8_t *ob_bytes(struct ob *b, size_t *ret_size) {
        size_t n = lsonnx__model_proto__get_packed_size(&b->model);

        free(b->bytes);
        b->bytes = malloc(n ? n : 1);
        if (!b->bytes)
                abort();
        *ret_size = lsonnx__model_proto__pack(&b->model, b->bytes);
        return b->bytes;
}

int ob_write(struct ob *b, const char *path) {
        size_t n;
        const uint8_t *p = ob_bytes(b, &n);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int r = 0;

        if (fd < 0)
                return -errno;
        if (write(fd, p, n) != (ssize_t) n)
                r = -EIO;
        close(fd);
        return r;
}
