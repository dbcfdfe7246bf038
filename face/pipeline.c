/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <linux/videodev2.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "gpu/backend.h"
#include "face/align.h"
#include "face/pipeline.h"
#include "face/template.h"
#include "gpu/onnx.h"

enum { OUT_SCORES_A, OUT_SCORES_B, OUT_REGS_A, OUT_REGS_B, _OUT_MAX };

/* The photometric graph's outputs, in order (see photometric_graph_build()). */
enum { PH_LAP_MEAN, PH_LAP2_MEAN, PH_MEAN, PH_STEPS };
/* Its step channels: 256 cumulative histogram bins, then under and over. */
enum { PH_STEP_UNDER = 256, PH_STEP_OVER, _PH_STEP_MAX };

struct face_pipeline {
        struct face_pipeline_params params;
        char embedder_id[FACE_TEMPLATE_MODEL_ID_MAX];
        struct gpu_backend *backend;
        struct gpu_graph *det_graph, *emb_graph;
        struct gpu_model *det, *emb;

        unsigned det_size;
        size_t det_out_index[_OUT_MAX];
        struct gpu_pre_output det_pre, emb_pre;
        size_t dim;

        float *det_out[_OUT_MAX], *emb_out;

        /*
         * Frames reach every model through gpu_model_set_input_frame(): on
         * Vulkan and OpenCL the frame is imported once per buffer and
         * preprocessed on the device straight into the model's input.
         *
         * Photometric quality on the pipeline's backend: a small graph over
         * the aligned face's inner region plus the 1-pixel border its
         * Laplacian reads, filled from the frame by the same warp as the
         * embedder's input (RGB, unnormalised): luminance, Laplacian mean and
         * mean square (variance = E[L^2] - E[L]^2), mean luminance, and 258
         * step means (the cumulative histogram, under, over) from which the
         * percentiles follow. Only those 261 floats come back to the host.
         */
        struct gpu_graph *ph_graph;
        struct gpu_model *ph;
        struct gpu_pre_output ph_pre;
        float ph_steps[_PH_STEP_MAX];
        unsigned ph_x0, ph_y0;          /* the region's origin in the aligned face */

        /* quality_reference: the CPU oracle's input and result (tests). */
        float *emb_in, *luma;
        struct face_quality reference;

        struct face_anchor anchors[FACE_ANCHORS];
        struct face_detection scratch[FACE_ANCHORS];
};

static _printf_(3, 4) int fail(char *err, size_t errlen, const char *fmt, ...) {
        va_list ap;
        if (err && errlen > 0) {
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return 0;
}

void face_pipeline_params_default(struct face_pipeline_params *p) {
        *p = (struct face_pipeline_params) {
                .backend = "cpu",
                .embedder_id = "fr-feature-112",
                .embedder_order = GPU_PRE_BGR,
                .embedder_mean = 127.0f,
                .embedder_scale = 1.0f / 128.0f,
                .score_threshold = 0.5f,
                .nms_iou = 0.3f,
        };
        face_quality_params_default(&p->quality);
}

struct face_pipeline *face_pipeline_free(struct face_pipeline *fp) {
        if (!fp)
                return NULL;
        gpu_model_free(fp->ph);
        gpu_graph_free(fp->ph_graph);
        gpu_model_free(fp->det);
        gpu_model_free(fp->emb);
        gpu_graph_free(fp->det_graph);
        gpu_graph_free(fp->emb_graph);
        gpu_backend_free(fp->backend);
        for (int i = 0; i < _OUT_MAX; i++)
                free(fp->det_out[i]);
        free(fp->emb_in);
        free(fp->emb_out);
        free(fp->luma);
        free(fp);
        return NULL;
}

static int load_graph(const char *path, const char *what, struct gpu_graph **ret, char *err, size_t errlen) {
        char why[256] = "";
        int r;

        if (!path)
                return fail(err, errlen, "no %s model given", what), -EINVAL;
        r = onnx_load_file(path, ret, why, sizeof(why));
        if (r < 0)
                return fail(err, errlen, "%s model '%s': %s", what, path, why[0] ? why : strerror(-r)), r;
        r = gpu_graph_optimize(*ret, GPU_OPT_ALL);
        if (r >= 0)
                r = gpu_graph_plan(*ret);
        if (r < 0)
                return fail(err, errlen, "%s model '%s': planning failed: %s", what, path, strerror(-r)), r;
        return 0;
}

static const struct gpu_tensor *graph_io(const struct gpu_graph *g, bool output, size_t i) {
        return &g->tensors[output ? g->outputs[i] : g->inputs[i]];
}

/* BlazeFace: one input [1,S,S,3]; outputs told apart by shape ([1,512,1], [1,384,1], [1,512,16], [1,384,16]). */
static int check_detector(struct face_pipeline *fp, char *err, size_t errlen) {
        const struct gpu_graph *g = fp->det_graph;
        bool seen[_OUT_MAX] = { false };

        if (g->n_inputs != 1 || g->n_outputs != _OUT_MAX)
                return fail(err, errlen, "detector: expected 1 input and 4 outputs, found %zu and %zu",
                            g->n_inputs, g->n_outputs), -EINVAL;
        const struct gpu_tensor *in = graph_io(g, false, 0);
        if (in->ndim != 4 || in->dims[0] != 1 || in->dims[3] != 3 || in->dims[1] != in->dims[2] ||
            in->dims[1] < 16 || in->dims[1] > 1024)
                return fail(err, errlen, "detector: input '%s' is not [1,S,S,3]", in->name), -EINVAL;
        fp->det_size = (unsigned) in->dims[1];

        for (size_t i = 0; i < _OUT_MAX; i++) {
                const struct gpu_tensor *t = graph_io(g, true, i);
                int slot = -1;
                if (t->ndim == 3 && t->dims[0] == 1) {
                        if (t->dims[1] == 512)
                                slot = t->dims[2] == 1 ? OUT_SCORES_A : t->dims[2] == 16 ? OUT_REGS_A : -1;
                        else if (t->dims[1] == 384)
                                slot = t->dims[2] == 1 ? OUT_SCORES_B : t->dims[2] == 16 ? OUT_REGS_B : -1;
                }
                if (slot < 0 || seen[slot])
                        return fail(err, errlen, "detector: output '%s' is not a BlazeFace output", t->name),
                               -EINVAL;
                seen[slot] = true;
                fp->det_out_index[slot] = i;
        }
        return 0;
}

static int check_embedder(struct face_pipeline *fp, char *err, size_t errlen) {
        const struct gpu_graph *g = fp->emb_graph;

        if (g->n_inputs != 1 || g->n_outputs < 1)
                return fail(err, errlen, "embedder: expected 1 input and an output"), -EINVAL;
        const struct gpu_tensor *in = graph_io(g, false, 0), *out = graph_io(g, true, 0);
        if (in->ndim != 4 || in->dims[0] != 1 || in->dims[1] != 3 || in->dims[2] < 16 || in->dims[3] < 16 ||
            in->dims[2] > 1024 || in->dims[3] > 1024)
                return fail(err, errlen, "embedder: input '%s' is not [1,3,H,W]", in->name), -EINVAL;
        if (out->count < 16 || out->count > FACE_TEMPLATE_DIM_MAX || out->dims[0] != 1)
                return fail(err, errlen, "embedder: output '%s' is not [1,D] with 16 <= D <= %d", out->name,
                            FACE_TEMPLATE_DIM_MAX), -EINVAL;
        fp->dim = out->count;
        fp->emb_pre = (struct gpu_pre_output) {
                .width = (uint32_t) in->dims[3],
                .height = (uint32_t) in->dims[2],
                .layout = GPU_PRE_NCHW,
                .order = fp->params.embedder_order,
        };
        for (int c = 0; c < 3; c++) {
                fp->emb_pre.mean[c] = fp->params.embedder_mean;
                fp->emb_pre.scale[c] = fp->params.embedder_scale;
        }
        return gpu_pre_output_check(&fp->emb_pre) < 0 ? (fail(err, errlen, "embedder: bad input convention"), -EINVAL) : 0;
}

static int alloc_buffers(struct face_pipeline *fp) {
        const struct gpu_graph *d = fp->det_graph, *e = fp->emb_graph;

        for (int i = 0; i < _OUT_MAX; i++) {
                fp->det_out[i] = calloc(graph_io(d, true, fp->det_out_index[i])->count, sizeof(float));
                if (!fp->det_out[i])
                        return -ENOMEM;
        }
        fp->emb_out = calloc(fp->dim, sizeof(float));
        if (!fp->emb_out)
                return -ENOMEM;
        if (fp->params.quality_reference) {
                fp->emb_in = calloc(graph_io(e, false, 0)->count, sizeof(float));
                fp->luma = calloc((size_t) fp->emb_pre.width * fp->emb_pre.height, sizeof(float));
                if (!fp->emb_in || !fp->luma)
                        return -ENOMEM;
        }
        return 0;
}

static int push_index(int **arr, size_t *n, int v) {
        int *a = reallocarray(*arr, *n + 1, sizeof(int));
        if (!a)
                return -ENOMEM;
        a[(*n)++] = v;
        *arr = a;
        return 0;
}

static int ph_node(struct gpu_graph *g, const char *name, enum gpu_op op, const int *ins, int n_ins) {
        int ni = gpu_graph_add_node(g, name, op), t;
        if (ni < 0)
                return ni;
        t = gpu_graph_add_tensor(g, name, GPU_TENSOR_ACTIVATION);
        if (t < 0)
                return t;
        struct gpu_node *n = &g->nodes[ni];
        for (int i = 0; i < n_ins; i++)
                n->inputs[i] = ins[i];
        n->n_inputs = n_ins;
        n->output = t;
        g->tensors[t].producer = ni;
        return t;
}

/* A constant tensor of the given shape holding data (count floats). */
static int ph_const(struct gpu_graph *g, const char *name, int ndim, const int64_t *dims, const float *data,
                    size_t count) {
        int t = gpu_graph_add_tensor(g, name, GPU_TENSOR_CONSTANT), r;
        if (t < 0)
                return t;
        r = gpu_tensor_set_shape(&g->tensors[t], ndim, dims);
        if (r < 0)
                return r;
        if (g->tensors[t].count != count)
                return -EINVAL;
        g->tensors[t].data = malloc(count * sizeof(float));
        if (!g->tensors[t].data)
                return -ENOMEM;
        memcpy(g->tensors[t].data, data, count * sizeof(float));
        return t;
}

/* A convolution with stride 1 and no padding; bias < 0 for none. */
static int ph_conv(struct gpu_graph *g, const char *name, int x, int w, int bias, unsigned k) {
        int t = ph_node(g, name, GPU_OP_CONV, (const int[]) { x, w, bias }, bias >= 0 ? 3 : 2);
        if (t < 0)
                return t;
        g->nodes[g->n_nodes - 1].conv = (struct gpu_conv_attrs) { .kernel = { k, k }, .stride = { 1, 1 },
                                                                  .dilation = { 1, 1 }, .group = 1 };
        return t;
}

/* The latest node's output clamped to [lo, hi], fused into the convolution: one pass over the tensor. */
static int ph_clip(struct gpu_graph *g, int t, float lo, float hi) {
        if (t >= 0)
                g->nodes[g->n_nodes - 1].act = (struct gpu_act_attrs) { .type = GPU_ACT_CLIP, .alpha = lo, .beta = hi };
        return t;
}

static int ph_output(struct gpu_graph *g, int t) {
        if (t < 0)
                return t;
        g->tensors[t].is_output = true;
        return push_index(&g->outputs, &g->n_outputs, t);
}

/*
 * The measures of face_quality_photometric() as a graph (see the struct).
 * Steps are Clip(K (v - c), 0, 1) with K large: 1 for v a hair past c, so
 * their means are the fractions of pixels below (or above) c.
 */
static int photometric_graph_build(struct gpu_graph *g, unsigned w, unsigned h) {
        static const float to_luma[3] = { 0.299f, 0.587f, 0.114f };     /* BT.601, as the CPU path */
        static const float laplacian[9] = { 0, 1, 0, 1, -4, 1, 0, 1, 0 };
        static const float centre[9] = { 0, 0, 0, 0, 1, 0, 0, 0, 0 };
        const float K = 1e4f;
        float step_w[_PH_STEP_MAX], step_b[_PH_STEP_MAX];
        int x, luma, lap, sq, vc, steps, r;

        for (int i = 0; i < 256; i++) {
                /* Bin i of the histogram holds lrintf(v) == i: the cumulative count is #(v < i + 0.5). */
                step_w[i] = -K;
                step_b[i] = K * (i + 0.5f);
        }
        step_w[PH_STEP_UNDER] = -K, step_b[PH_STEP_UNDER] = K * 25.0f;    /* v < 25 */
        step_w[PH_STEP_OVER] = K, step_b[PH_STEP_OVER] = -K * 230.0f;     /* v > 230 */

        g->opset = 13;
        x = gpu_graph_add_tensor(g, "rgb", GPU_TENSOR_INPUT);
        if (x < 0)
                return x;
        r = gpu_tensor_set_shape(&g->tensors[x], 4, (const int64_t[]) { 1, 3, h, w });
        if (r < 0 || (r = push_index(&g->inputs, &g->n_inputs, x)) < 0)
                return r;
        int wl = ph_const(g, "w.luma", 4, (const int64_t[]) { 1, 3, 1, 1 }, to_luma, 3);
        int wlap = ph_const(g, "w.laplacian", 4, (const int64_t[]) { 1, 1, 3, 3 }, laplacian, 9);
        int wc = ph_const(g, "w.centre", 4, (const int64_t[]) { 1, 1, 3, 3 }, centre, 9);
        int ws = ph_const(g, "w.steps", 4, (const int64_t[]) { _PH_STEP_MAX, 1, 1, 1 }, step_w, _PH_STEP_MAX);
        int bs = ph_const(g, "b.steps", 1, (const int64_t[]) { _PH_STEP_MAX }, step_b, _PH_STEP_MAX);
        if (wl < 0 || wlap < 0 || wc < 0 || ws < 0 || bs < 0)
                return -ENOMEM;
        if ((luma = ph_conv(g, "luma", x, wl, -1, 1)) < 0 ||
            (lap = ph_conv(g, "lap", luma, wlap, -1, 3)) < 0 ||
            (sq = ph_node(g, "lap2", GPU_OP_MUL, (const int[]) { lap, lap }, 2)) < 0 ||
            (vc = ph_clip(g, ph_conv(g, "inner", luma, wc, -1, 3), 0.0f, 255.0f)) < 0 ||
            (steps = ph_clip(g, ph_conv(g, "steps", vc, ws, bs, 1), 0.0f, 1.0f)) < 0)
                return -ENOMEM;
        /* Output order: enum PH_*. */
        if ((r = ph_output(g, ph_node(g, "lap.mean", GPU_OP_GLOBAL_AVERAGE_POOL, &lap, 1))) < 0 ||
            (r = ph_output(g, ph_node(g, "lap2.mean", GPU_OP_GLOBAL_AVERAGE_POOL, &sq, 1))) < 0 ||
            (r = ph_output(g, ph_node(g, "mean", GPU_OP_GLOBAL_AVERAGE_POOL, &vc, 1))) < 0 ||
            (r = ph_output(g, ph_node(g, "steps.mean", GPU_OP_GLOBAL_AVERAGE_POOL, &steps, 1))) < 0)
                return r;
        return 0;
}

static int photometric_graph_new(struct face_pipeline *fp, char *err, size_t errlen) {
        unsigned w = fp->emb_pre.width, h = fp->emb_pre.height;
        unsigned ix0 = w * 16 / 112, iy0 = h * 16 / 112;
        char why[256] = "";
        int r;

        /* The inner region face_quality_photometric() measures, plus one pixel around it. */
        fp->ph_x0 = ix0 - 1;
        fp->ph_y0 = iy0 - 1;
        fp->ph_pre = (struct gpu_pre_output) {
                .width = w - 2 * ix0 + 2, .height = h - 2 * iy0 + 2,
                .layout = GPU_PRE_NCHW, .order = GPU_PRE_RGB,
                .mean = { 0, 0, 0 }, .scale = { 1, 1, 1 },
        };
        fp->ph_graph = gpu_graph_new();
        if (!fp->ph_graph)
                return -ENOMEM;
        r = photometric_graph_build(fp->ph_graph, fp->ph_pre.width, fp->ph_pre.height);
        if (r >= 0)
                r = gpu_graph_infer_shapes(fp->ph_graph, why, sizeof(why));
        if (r >= 0)
                r = gpu_graph_plan(fp->ph_graph);
        if (r >= 0)
                r = gpu_model_new(fp->backend, fp->ph_graph, &fp->ph, why, sizeof(why));
        if (r < 0)
                fail(err, errlen, "photometric quality graph: %s", why[0] ? why : strerror(-r));
        return r;
}

/* The percentile of face_quality_photometric(): the first bin whose cumulative count passes `count`. */
static int ph_percentile(const float *steps, size_t n, size_t count, bool strictly) {
        for (int i = 0; i < 256; i++) {
                size_t acc = (size_t) lrintf(steps[i] * (float) n);
                if (strictly ? acc > count : acc >= count)
                        return i;
        }
        return -1;
}

/* Photometric measures of the face aligned by xform x (the embedder's), on the backend. */
static int photometric_run(struct face_pipeline *fp, const struct cam_frame *f, const struct gpu_pre_xform *x,
                           struct face_quality *q) {
        const struct gpu_pre_output *o = &fp->ph_pre;
        struct gpu_pre_xform px = *x;
        size_t n = (size_t) (o->width - 2) * (o->height - 2);
        float m[PH_STEPS];
        int r, p1, p99;

        /* The same warp, its output window moved to the region's origin. */
        px.m[2] += px.m[0] * fp->ph_x0 + px.m[1] * fp->ph_y0;
        px.m[5] += px.m[3] * fp->ph_x0 + px.m[4] * fp->ph_y0;
        px.content[0] -= (int32_t) fp->ph_x0;
        px.content[2] -= (int32_t) fp->ph_x0;
        px.content[1] -= (int32_t) fp->ph_y0;
        px.content[3] -= (int32_t) fp->ph_y0;
        r = gpu_model_set_input_frame(fp->ph, 0, f, o, &px, 1);
        if (r >= 0)
                r = gpu_model_run(fp->ph);
        for (int i = 0; i < PH_STEPS && r >= 0; i++)
                r = gpu_model_get_output(fp->ph, i, &m[i], 1);
        if (r >= 0)
                r = gpu_model_get_output(fp->ph, PH_STEPS, fp->ph_steps, _PH_STEP_MAX);
        if (r < 0)
                return r;
        q->sharpness = MAX(0.0f, m[PH_LAP2_MEAN] - m[PH_LAP_MEAN] * m[PH_LAP_MEAN]);
        q->mean = m[PH_MEAN];
        q->under = fp->ph_steps[PH_STEP_UNDER];
        q->over = fp->ph_steps[PH_STEP_OVER];
        p1 = ph_percentile(fp->ph_steps, n, n / 100, true);
        p99 = ph_percentile(fp->ph_steps, n, n - n / 100, false);
        q->range = (float) ((p99 < 0 ? 255 : p99) - MAX(p1, 0));
        return 0;
}

/* The CPU oracle (quality_reference): face_quality_photometric() on the reference preprocessing. */
static int photometric_reference(struct face_pipeline *fp, const struct cam_frame *f, const struct gpu_pre_xform *x) {
        const struct gpu_pre_output *o = &fp->emb_pre;
        size_t plane = (size_t) o->width * o->height;
        int r;

        r = gpu_pre_run_cpu(f, o, x, fp->emb_in);
        if (r < 0)
                return r;
        /* Undo the normalisation to get luminance 0..255 back (BT.601 weights). */
        const float *c0 = fp->emb_in, *c1 = c0 + plane, *c2 = c1 + plane;
        const float *red = o->order == GPU_PRE_RGB ? c0 : c2, *blue = o->order == GPU_PRE_RGB ? c2 : c0;
        for (size_t i = 0; i < plane; i++)
                fp->luma[i] = 0.299f * (red[i] / o->scale[0] + o->mean[0]) +
                              0.587f * (c1[i] / o->scale[1] + o->mean[1]) +
                              0.114f * (blue[i] / o->scale[2] + o->mean[2]);
        return face_quality_photometric(fp->luma, o->width, o->height, o->width, &fp->reference);
}

float face_pipeline_sharpness_reference(const struct face_pipeline *fp) {
        return fp->reference.sharpness;
}

void face_pipeline_reset_imports(struct face_pipeline *fp) {
        if (fp && fp->backend)
                gpu_backend_reset_frames(fp->backend);
}

void face_pipeline_get_transfer(const struct face_pipeline *fp, struct face_pipeline_transfer *ret) {
        struct gpu_transfer_stats st;

        gpu_backend_get_transfer(fp->backend, &st);
        *ret = (struct face_pipeline_transfer) {
                .import_path = gpu_import_path_to_string(st.import_path) ?: "",   /* no frame yet */
                .frames = st.frames,
                .import_bytes_copied = st.import_bytes_copied,
                .bytes_to_device = st.bytes_to_device,
                .bytes_from_device = st.bytes_from_device,
        };
}

const char *face_pipeline_import_path(const struct face_pipeline *fp, uint64_t *ret_bytes_copied) {
        struct face_pipeline_transfer t;

        face_pipeline_get_transfer(fp, &t);
        if (ret_bytes_copied)
                *ret_bytes_copied = t.import_bytes_copied;
        return t.import_path;
}

int face_pipeline_new(const struct face_pipeline_params *p, struct face_pipeline **ret, char *err,
                      size_t errlen) {
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = NULL;
        char why[256] = "";
        int r;

        if (!p || !ret)
                return -EINVAL;
        fp = calloc(1, sizeof(*fp));
        if (!fp)
                return -ENOMEM;
        fp->params = *p;
        if (!fp->params.backend)
                fp->params.backend = "cpu";
        if (!(fp->params.score_threshold > 0))
                fp->params.score_threshold = 0.5f;
        if (!(fp->params.nms_iou > 0))
                fp->params.nms_iou = 0.3f;
        if (fp->params.quality.min_ied == 0 && fp->params.quality.max_ied == 0)
                face_quality_params_default(&fp->params.quality);
        if (!(fp->params.embedder_scale != 0) || !isfinite(fp->params.embedder_scale))
                return fail(err, errlen, "embedder scale must be finite and non-zero"), -EINVAL;
        snprintf(fp->embedder_id, sizeof(fp->embedder_id), "%s", p->embedder_id ?: "embedder");
        fp->params.embedder_id = fp->embedder_id;

        r = load_graph(p->detector_path, "detector", &fp->det_graph, err, errlen);
        if (r < 0)
                return r;
        r = load_graph(p->embedder_path, "embedder", &fp->emb_graph, err, errlen);
        if (r < 0)
                return r;
        r = check_detector(fp, err, errlen);
        if (r < 0)
                return r;
        r = check_embedder(fp, err, errlen);
        if (r < 0)
                return r;
        fp->det_pre = (struct gpu_pre_output) {
                .width = fp->det_size, .height = fp->det_size,
                .layout = GPU_PRE_NHWC, .order = GPU_PRE_RGB,
                .mean = { 127.5f, 127.5f, 127.5f },
                .scale = { 1 / 127.5f, 1 / 127.5f, 1 / 127.5f },
        };

        r = gpu_backend_new(fp->params.backend,
                            &(struct gpu_backend_params) { .n_threads = p->n_threads, .device = p->device },
                            &fp->backend, why, sizeof(why));
        if (r < 0)
                return fail(err, errlen, "backend '%s': %s", fp->params.backend, why[0] ? why : strerror(-r)), r;
        r = gpu_model_new(fp->backend, fp->det_graph, &fp->det, why, sizeof(why));
        if (r < 0)
                return fail(err, errlen, "detector on '%s': %s", fp->params.backend, why[0] ? why : strerror(-r)), r;
        r = gpu_model_new(fp->backend, fp->emb_graph, &fp->emb, why, sizeof(why));
        if (r < 0)
                return fail(err, errlen, "embedder on '%s': %s", fp->params.backend, why[0] ? why : strerror(-r)), r;
        r = alloc_buffers(fp);
        if (r < 0)
                return fail(err, errlen, "out of memory"), r;
        r = photometric_graph_new(fp, err, errlen);
        if (r < 0)
                return r;
        fp->reference = (struct face_quality) { .sharpness = NAN, .mean = NAN, .range = NAN };
        face_anchors_generate(fp->anchors);
        *ret = TAKE_PTR(fp);
        return 0;
}

const char *face_pipeline_backend(const struct face_pipeline *fp) {
        return gpu_backend_name(fp->backend);
}

size_t face_pipeline_embedding_dim(const struct face_pipeline *fp) {
        return fp->dim;
}

unsigned face_pipeline_detector_size(const struct face_pipeline *fp) {
        return fp->det_size;
}

const char *face_pipeline_embedder_id(const struct face_pipeline *fp) {
        return fp->embedder_id;
}

/* Normalised detector-input coordinates → frame pixel-index coordinates. */
static void map_point(const struct gpu_pre_xform *x, unsigned s, float *px, float *py) {
        float sx, sy;
        gpu_pre_xform_map(x, *px * s - 0.5f, *py * s - 0.5f, &sx, &sy);
        *px = sx;
        *py = sy;
}

int face_pipeline_detect(struct face_pipeline *fp, const struct cam_frame *f, const struct gpu_pre_roi *roi,
                         struct face_detection *out, size_t max_out) {
        const struct gpu_graph *g = fp->det_graph;
        struct gpu_pre_xform x;
        int r, n;

        if (!f || (!out && max_out > 0))
                return -EINVAL;
        r = gpu_pre_letterbox(f->width, f->height, roi, fp->det_size, fp->det_size, &x);
        if (r < 0)
                return r;
        r = gpu_model_set_input_frame(fp->det, 0, f, &fp->det_pre, &x, 1);
        if (r < 0)
                return r;
        r = gpu_model_run(fp->det);
        if (r < 0)
                return r;
        for (int i = 0; i < _OUT_MAX; i++) {
                size_t idx = fp->det_out_index[i];
                r = gpu_model_get_output(fp->det, idx, fp->det_out[i], graph_io(g, true, idx)->count);
                if (r < 0)
                        return r;
        }
        struct face_decode_params dp = {
                .input_size = fp->det_size,
                .score_threshold = fp->params.score_threshold,
                .nms_iou = fp->params.nms_iou,
        };
        n = face_decode(&dp, fp->det_out[OUT_SCORES_A], fp->det_out[OUT_SCORES_B], fp->det_out[OUT_REGS_A],
                        fp->det_out[OUT_REGS_B], fp->anchors, fp->scratch, out, max_out);
        if (n < 0)
                return n;
        for (int i = 0; i < MIN(n, (int) max_out); i++) {
                map_point(&x, fp->det_size, &out[i].x0, &out[i].y0);
                map_point(&x, fp->det_size, &out[i].x1, &out[i].y1);
                for (int k = 0; k < FACE_KEYPOINTS; k++)
                        map_point(&x, fp->det_size, &out[i].kp[k].x, &out[i].kp[k].y);
        }
        return MIN(n, (int) max_out);
}

int face_pipeline_embed(struct face_pipeline *fp, const struct cam_frame *f, const struct face_detection *d,
                        float *ret_embedding, struct face_quality *q) {
        const struct gpu_pre_output *o = &fp->emb_pre;
        struct gpu_pre_xform x;
        float m[6];
        int r;

        if (!f || !d)
                return -EINVAL;
        /* The template is 112x112; other input sizes scale it. */
        r = face_align_transform(d, m);
        if (r < 0)
                return r;
        float sx = o->width / (float) FACE_ALIGN_SIZE, sy = o->height / (float) FACE_ALIGN_SIZE;
        for (int i = 0; i < 3; i++) {
                m[i] *= sx;
                m[3 + i] *= sy;
        }
        r = gpu_pre_warp(f->width, f->height, m, o->width, o->height, &x);
        if (r < 0)
                return r;
        if (q) {
                r = photometric_run(fp, f, &x, q);
                if (r >= 0 && fp->params.quality_reference)
                        r = photometric_reference(fp, f, &x);
                if (r < 0)
                        return r;
        }
        if (!ret_embedding)
                return 0;       /* opted out: the embedder never runs */

        r = gpu_model_set_input_frame(fp->emb, 0, f, o, &x, 1);
        if (r < 0)
                return r;
        r = gpu_model_run(fp->emb);
        if (r < 0)
                return r;
        r = gpu_model_get_output(fp->emb, 0, fp->emb_out, fp->dim);
        if (r < 0)
                return r;
        memcpy(ret_embedding, fp->emb_out, fp->dim * sizeof(float));
        return face_l2_normalize(ret_embedding, fp->dim);
}

int face_pipeline_analyze(struct face_pipeline *fp, const struct cam_frame *f, const struct gpu_pre_roi *roi,
                          float *ret_embedding, struct face_analysis *ret) {
        struct face_detection faces[FACE_PIPELINE_MAX_FACES];
        float area[4];
        int n, r;

        if (!fp || !f || !ret)
                return -EINVAL;
        *ret = (struct face_analysis) { .quality.sharpness = NAN, .quality.mean = NAN, .quality.range = NAN };
        if (roi) {
                area[0] = roi->x; area[1] = roi->y; area[2] = roi->width; area[3] = roi->height;
        } else {
                area[0] = 0; area[1] = 0; area[2] = f->width; area[3] = f->height;
        }
        n = face_pipeline_detect(fp, f, roi, faces, ELEMENTSOF(faces));
        if (n < 0)
                return n;
        ret->n_faces = (unsigned) n;
        ret->quality.n_faces = (unsigned) n;
        if (n == 0) {
                face_quality_judge(&fp->params.quality, &ret->quality);
                return -ENOENT;
        }
        int i = face_nearest(faces, n, area[0] + area[2] / 2, area[1] + area[3] / 2);
        ret->face = faces[i];
        face_quality_geometry(&ret->face, area, f->height, &ret->quality);
        r = face_pipeline_embed(fp, f, &ret->face, ret_embedding, &ret->quality);
        if (r < 0)
                return r;
        face_quality_judge(&fp->params.quality, &ret->quality);
        return 0;
}

void face_pipeline_wrap_image(const struct face_image *img, struct cam_frame *ret) {
        size_t size = (size_t) img->width * img->height * 3;
        *ret = (struct cam_frame) {
                .flags = CAM_FRAME_STILL,      /* its memory changes from call to call */
                .fourcc = V4L2_PIX_FMT_RGB24,
                .width = img->width,
                .height = img->height,
                .n_memory = 1,
                .memory[0] = { .dmabuf_fd = -EBADF, .data = img->rgb, .length = size, .bytesused = size },
                .n_planes = 1,
                .planes[0] = { .memory = 0, .offset = 0, .stride = img->width * 3 },
        };
}
