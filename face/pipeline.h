/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The face pipeline: frame → detector → decoding → alignment → embedder →
 * L2-normalised embedding, plus the quality judgement, on any backend.
 *
 * A pipeline owns one backend context, the graphs and their prepared
 * models, and every buffer an inference needs: after face_pipeline_new()
 * nothing is allocated per frame. Frames enter the models only through the
 * backend interface (gpu_model_set_input_frame()): on Vulkan and OpenCL a
 * streaming frame is imported once per buffer and preprocessed on the device
 * into each model's input, and only the detector's outputs, the photometric
 * measures (261 floats) and the embedding come back to the host. Reference
 * photos go through the same path (face_pipeline_wrap_image() describes a
 * decoded image as an RGB24 frame).
 *
 * Threads: a pipeline is not bound to the thread that created it. Any one
 * thread at a time may call any function here (the service drives a camera's
 * pipeline from that camera's frame worker, under its mutex, and reads the
 * counters under the same mutex); calls must never overlap. Nothing here
 * logs or touches the file system beyond reading the model files at creation.
 *
 * Ownership: frames stay the caller's; a call returns once the backend has
 * read them (the frame may be released then). Strings returned here are
 * static or owned by the pipeline.
 */

#include <stddef.h>
#include <stdint.h>

#include "face/detect.h"
#include "face/image.h"
#include "face/quality.h"
#include "gpu/preprocess.h"
#include "v4l2/frame.h"

#define FACE_PIPELINE_MAX_FACES 16

struct face_pipeline_params {
        const char *backend;            /* "cpu", "vulkan", "opencl" (NULL: "cpu") */
        const char *device;             /* backend device selector, NULL = default */
        unsigned n_threads;             /* CPU threads, 0 = all online CPUs */
        const char *detector_path;      /* BlazeFace ONNX (input size read from the model) */
        const char *embedder_path;      /* embedder ONNX, input [1,3,H,W], output [1,D] */
        const char *embedder_id;        /* model id written into templates (e.g. "fr-feature-112") */
        /* Embedder input convention: out = (pixel - mean) * scale, channel order. */
        enum gpu_pre_order embedder_order;      /* fr_feature: BGR */
        float embedder_mean, embedder_scale;    /* fr_feature: 127, 1/128 */
        float score_threshold;          /* 0 → 0.5 */
        float nms_iou;                  /* 0 → 0.3 */
        struct face_quality_params quality;     /* zeroed → defaults */
        /*
         * Tests: also compute the photometric measures with the CPU oracle
         * (face_quality_photometric() on gpu_pre_run_cpu()'s aligned face, on
         * the host) for face_pipeline_sharpness_reference(). Costs CPU time
         * per embedded face, moves nothing to or from the device.
         */
        bool quality_reference;
};

/* Fills the defaults for the shipped models (paths left NULL). */
void face_pipeline_params_default(struct face_pipeline_params *p);

struct face_pipeline;

/* Errors of the backend and the ONNX loader, -EINVAL for a model of the wrong shape; err names the reason. */
int face_pipeline_new(const struct face_pipeline_params *p, struct face_pipeline **ret, char *err,
                      size_t errlen);
struct face_pipeline *face_pipeline_free(struct face_pipeline *fp);

const char *face_pipeline_backend(const struct face_pipeline *fp);
size_t face_pipeline_embedding_dim(const struct face_pipeline *fp);
unsigned face_pipeline_detector_size(const struct face_pipeline *fp);
const char *face_pipeline_embedder_id(const struct face_pipeline *fp);

/*
 * Detects faces in roi (NULL: the whole frame). Detections are in frame
 * pixel-index coordinates, best score first; returns how many were written
 * (at most max_out), or a negative errno (bad frame, backend failure).
 */
int face_pipeline_detect(struct face_pipeline *fp, const struct cam_frame *f, const struct gpu_pre_roi *roi,
                         struct face_detection *out, size_t max_out);

/*
 * Aligns one detected face, measures its photometric quality and (unless
 * ret_embedding is NULL: an opted-out traveler) computes its L2-normalised
 * embedding of face_pipeline_embedding_dim() floats. q receives the
 * photometric measures only; geometry and judgement are the caller's.
 */
int face_pipeline_embed(struct face_pipeline *fp, const struct cam_frame *f, const struct face_detection *d,
                        float *ret_embedding, struct face_quality *q);

/*
 * The whole analysis of a still or a frame: detect in roi, choose the face
 * nearest the roi's centre, judge its quality (n_faces counts every face) and
 * embed it. Returns -ENOENT (q->guidance no-face) when no face is found.
 */
struct face_analysis {
        struct face_detection face;
        struct face_quality quality;
        unsigned n_faces;
};
int face_pipeline_analyze(struct face_pipeline *fp, const struct cam_frame *f, const struct gpu_pre_roi *roi,
                          float *ret_embedding, struct face_analysis *ret);

/*
 * The backend's cumulative transfer counters (gpu_backend_get_transfer()).
 * import_path is how the latest frame's pixels entered the backend: "host"
 * (the CPU backend reads the mapping), "dmabuf", "hostptr" (the mapping
 * imported as device-visible memory) or "copy" (pixels copied to the device,
 * counted in import_bytes_copied and bytes_to_device); "" before the first
 * frame. bytes_to_device counts input tensors uploaded from the host and
 * pixel copies; bytes_from_device the outputs read back. On the CPU backend
 * the "device" is its arena: outputs read back are counted, frames are
 * preprocessed into the arena and move nothing.
 */
struct face_pipeline_transfer {
        const char *import_path;        /* "host", "dmabuf", "hostptr", "copy"; "" before the first frame */
        uint64_t frames;                /* frames whose pixels entered the backend */
        uint64_t import_bytes_copied;   /* by the backend's "copy" import path */
        uint64_t bytes_to_device;       /* host→device bytes moved (tensor uploads, pixel copies) */
        uint64_t bytes_from_device;     /* device→host bytes moved (output downloads) */
};
void face_pipeline_get_transfer(const struct face_pipeline *fp, struct face_pipeline_transfer *ret);

/* The transfer's import_path and import_bytes_copied (see above). */
const char *face_pipeline_import_path(const struct face_pipeline *fp, uint64_t *ret_bytes_copied);

/*
 * The photometric measures run on the pipeline's backend as a graph; with
 * params.quality_reference this returns the sharpness the CPU oracle
 * (face_quality_photometric) gave for the last embedded face, so tests can
 * hold the backend to it. NAN without quality_reference or before a face.
 */
float face_pipeline_sharpness_reference(const struct face_pipeline *fp);

/* Forgets cached frame imports: call when a stream stops or restarts (buffer indices get new memory). */
void face_pipeline_reset_imports(struct face_pipeline *fp);

/* Describes a decoded RGB image as an RGB24 frame (no copy; img must outlive f). */
void face_pipeline_wrap_image(const struct face_image *img, struct cam_frame *ret);

#include "common/macro.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(struct face_pipeline *, face_pipeline_free);
