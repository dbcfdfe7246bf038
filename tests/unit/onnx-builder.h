/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Builds tiny ONNX models in C from the protobuf-c generated structs and
 * serialises them: the fixtures of the engine's tests (no Python onnx here).
 * Every allocation belongs to the builder; ob_free() releases them all.
 * Errors abort the test (these are test helpers).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"

struct ob;

struct ob *ob_new(int64_t opset);
void ob_free(struct ob *b);

/* Graph inputs/outputs. ndim < 0: no shape; a dim of -1: symbolic ("N"). */
void ob_input(struct ob *b, const char *name, int ndim, const int64_t *dims);
void ob_output(struct ob *b, const char *name);

/* Initializers. raw: raw_data, else the typed array (float_data / int64_data / int32_data). */
Lsonnx__TensorProto *ob_init_f(struct ob *b, const char *name, int ndim, const int64_t *dims, const float *data,
                               bool raw);
Lsonnx__TensorProto *ob_init_i64(struct ob *b, const char *name, int ndim, const int64_t *dims,
                                 const int64_t *data, bool raw);
Lsonnx__TensorProto *ob_init_i32(struct ob *b, const char *name, int ndim, const int64_t *dims,
                                 const int32_t *data, bool raw);
/* A tensor not added to the graph (for Constant's value attribute). */
Lsonnx__TensorProto *ob_tensor_f(struct ob *b, const char *name, int ndim, const int64_t *dims, const float *data);

/* A node; inputs/outputs comma-separated ("" entries allowed: "X,,scales"). */
Lsonnx__NodeProto *ob_node(struct ob *b, const char *op, const char *name, const char *inputs, const char *outputs);
void ob_attr_i(struct ob *b, Lsonnx__NodeProto *n, const char *name, int64_t v);
void ob_attr_f(struct ob *b, Lsonnx__NodeProto *n, const char *name, float v);
void ob_attr_s(struct ob *b, Lsonnx__NodeProto *n, const char *name, const char *v);
void ob_attr_ints(struct ob *b, Lsonnx__NodeProto *n, const char *name, size_t count, const int64_t *v);
void ob_attr_floats(struct ob *b, Lsonnx__NodeProto *n, const char *name, size_t count, const float *v);
void ob_attr_t(struct ob *b, Lsonnx__NodeProto *n, const char *name, Lsonnx__TensorProto *t);

/* The model, for direct tweaks (e.g. opset, external data). */
Lsonnx__ModelProto *ob_model(struct ob *b);

/* Serialised bytes, owned by the builder (valid until the next call or ob_free). */
const uint8_t *ob_bytes(struct ob *b, size_t *ret_size);

/* Writes the serialised model to path; returns 0 or -errno. */
int ob_write(struct ob *b, const char *path);

/* Convenience: dims literal. */
#define DIMS(...) ((const int64_t[]) { __VA_ARGS__ })
#define NDIMS(...) ((int) (sizeof((const int64_t[]) { __VA_ARGS__ }) / sizeof(int64_t)))
