/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ONNX loader: parses a model with protobuf-c (schema gpu/onnx.proto), builds
 * a struct gpu_graph and runs shape inference. Returns
 *   -EBADMSG     not a valid ONNX protobuf (corrupt, truncated)
 *   -EOPNOTSUPP  valid but uses something lanesight does not run (an op, a
 *                data type, external data, opset < 9, a dynamic dimension)
 *   -EINVAL      inconsistent (shapes that do not fit, dangling names)
 *   -EFBIG       over the size caps; -ENOMEM; file errors from open/read.
 * and writes a one-line reason into err (naming the node at fault).
 * The graph is not optimised or planned: see gpu_graph_optimize/plan.
 */

#include <stddef.h>

#include "gpu/graph.h"

#define ONNX_MAX_FILE_BYTES ((size_t) 1 << 30)
/* Lane models have a few hundred nodes; the cap keeps the quadratic passes cheap. */
#define ONNX_MAX_NODES 16384

int onnx_load_buffer(const void *data, size_t size, struct gpu_graph **ret, char *err, size_t errlen);
int onnx_load_file(const char *path, struct gpu_graph **ret, char *err, size_t errlen);
