/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The offline verbs: template and compare run the face pipeline in this
 * process on still images; no service, no bus. Nothing is written anywhere
 * but stdout/stderr, unless the user names an output file for a template.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macro.h"
#include "face/pipeline.h"
#include "face/template.h"
#include "face/match.h"
#include "face/reference.h"
#include "svc/ctl/ctl.h"

#define IMAGE_FILE_MAX (64u << 20)

static char *model_file(const struct ctl_options *o, const char *given, const char *id) {
        char *p = NULL;
        if (given)
                return strdup(given);
        if (asprintf(&p, "%s/%s.onnx", o->models_dir, id) < 0)
                return NULL;
        return p;
}

/* The model id written into templates: given, or the embedder file's name without ".onnx". */
static void embedder_id(const struct ctl_options *o, const char *path, char *buf, size_t size) {
        if (o->embedder_id) {
                snprintf(buf, size, "%s", o->embedder_id);
                return;
        }
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        snprintf(buf, size, "%s", base);
        char *dot = strstr(buf, ".onnx");
        if (dot)
                *dot = 0;
}

static int open_pipeline(const struct ctl_options *o, struct face_pipeline **ret) {
        _cleanup_free_ char *det = model_file(o, o->detector, "blazeface-front-128");
        _cleanup_free_ char *emb = model_file(o, o->embedder, "fr-feature-112");
        struct face_pipeline_params p;
        char id[FACE_TEMPLATE_MODEL_ID_MAX], err[512] = "";
        int r;

        if (!det || !emb)
                return -ENOMEM;
        face_pipeline_params_default(&p);
        embedder_id(o, emb, id, sizeof(id));
        p.backend = o->backend;
        p.device = o->device;
        p.n_threads = o->threads;
        p.detector_path = det;
        p.embedder_path = emb;
        p.embedder_id = id;
        r = face_pipeline_new(&p, ret, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "lanesightctl: cannot start the face engine: %s\n", err[0] ? err : strerror(-r));
                if (r == -ENOENT)
                        fprintf(stderr, "lanesightctl: looked for the models in %s (give --models DIR, "
                                "or run `make models` in a source tree)\n",
                                o->models_searched ?: o->models_dir);
        }
        return r;
}

struct analysed {
        const char *path;
        struct face_analysis a;
        float *embedding;
        enum face_guidance poor;        /* why it is a poor reference; FACE_GUIDANCE_OK if it is not */
};

/*
 * The offline verbs' own option (main.c's options end at the verb): taken
 * out of argv wherever it stands before "--"; returns the count left.
 */
static int take_accept_poor(int argc, char **argv, bool *ret_accept) {
        int n = 0;
        bool options = true;

        *ret_accept = false;
        for (int i = 0; i < argc; i++) {
                if (options && streq(argv[i], "--")) {
                        options = false;
                        continue;
                }
                if (options && streq(argv[i], "--accept-poor-reference"))
                        *ret_accept = true;
                else
                        argv[n++] = argv[i];
        }
        return n;
}

/*
 * A reference photo is judged as the lane judges a capture: damage can
 * decode into a picture with several faces, a false face or a poor one,
 * and must never come out as a plain "no match".
 */
static int judge_reference(struct analysed *x, int r, bool accept_poor) {
        struct face_reference_limits l;
        enum face_guidance why = FACE_GUIDANCE_OK;

        face_reference_limits_default(&l);
        r = face_reference_judge(&l, r, &x->a, &why);
        if (r == -EDOM && why == FACE_GUIDANCE_NO_FACE) {
                x->poor = why;
                fprintf(stderr, "lanesightctl: no face found in '%s'\n", x->path);
                return CTL_EXIT_NO_FACE;
        }
        if (r == -EDOM) {
                x->poor = why;
                fprintf(stderr, "lanesightctl: '%s' is a poor reference photo: %s (%u face%s, detector score %.2f, "
                        "quality %.0f)%s\n", x->path, face_guidance_to_string(why), x->a.n_faces,
                        x->a.n_faces == 1 ? "" : "s", x->a.face.score, x->a.quality.score,
                        accept_poor ? "; used anyway (--accept-poor-reference)" :
                                      "; a damaged or unsuitable photo (--accept-poor-reference to use it anyway)");
                return accept_poor ? CTL_EXIT_OK : CTL_EXIT_NO_FACE;
        }
        if (r < 0) {
                fprintf(stderr, "lanesightctl: analysing '%s' failed: %s\n", x->path, strerror(-r));
                return CTL_EXIT_ENGINE;
        }
        return CTL_EXIT_OK;
}

/* Returns a CTL_EXIT_* code; prints the reason. */
static int analyse_image(struct face_pipeline *fp, const char *path, bool accept_poor, struct analysed *ret) {
        _cleanup_free_ uint8_t *data = NULL;
        struct face_image img = { 0 };
        struct cam_frame frame;
        size_t size = 0;
        int r;

        ret->path = path;
        r = ctl_read_file(path, IMAGE_FILE_MAX, &data, &size);
        if (r < 0) {
                fprintf(stderr, "lanesightctl: cannot read '%s': %s\n", path, ctl_read_strerror(r));
                return CTL_EXIT_NO_FACE;
        }
        r = face_image_decode(data, size, &img);
        if (r < 0) {
                fprintf(stderr, "lanesightctl: cannot decode '%s': %s\n", path,
                        r == -EMEDIUMTYPE ? "not a JPEG, PNG or JPEG 2000 image" :
                        r == -EBADMSG ? "the image data is corrupt or truncated" :
                        r == -EFBIG ? "the image is too large" : strerror(-r));
                return CTL_EXIT_NO_FACE;
        }
        ret->embedding = calloc(face_pipeline_embedding_dim(fp), sizeof(float));
        if (!ret->embedding) {
                face_image_done(&img);
                return CTL_EXIT_ENGINE;
        }
        face_pipeline_wrap_image(&img, &frame);
        r = face_pipeline_analyze(fp, &frame, NULL, ret->embedding, &ret->a);
        face_image_done(&img);
        return judge_reference(ret, r, accept_poor);
}

static void json_num(FILE *f, const char *key, float v, bool comma) {
        if (isfinite(v))
                fprintf(f, "\"%s\":%.6g%s", key, v, comma ? "," : "");
        else
                fprintf(f, "\"%s\":null%s", key, comma ? "," : "");
}

static void print_face_json(FILE *f, const struct analysed *x) {
        const struct face_detection *d = &x->a.face;
        const struct face_quality *q = &x->a.quality;

        fputs("{\"image\":", f);
        ctl_json_string(f, x->path);
        fprintf(f, ",\"faces_found\":%u,\"detection_score\":%.6g,\"box\":[%.2f,%.2f,%.2f,%.2f],\"keypoints\":[",
                x->a.n_faces, d->score, d->x0, d->y0, d->x1, d->y1);
        for (int k = 0; k < FACE_KEYPOINTS; k++)
                fprintf(f, "%s[%.2f,%.2f]", k ? "," : "", d->kp[k].x, d->kp[k].y);
        fputs("],\"quality\":{", f);
        json_num(f, "score", q->score, true);
        json_num(f, "inter_eye_px", q->ied, true);
        json_num(f, "yaw_deg", q->yaw, true);
        json_num(f, "pitch_deg", q->pitch, true);
        json_num(f, "roll_deg", q->roll, true);
        json_num(f, "sharpness", q->sharpness, true);
        json_num(f, "mean_luma", q->mean, true);
        json_num(f, "under_exposed", q->under, true);
        json_num(f, "over_exposed", q->over, true);
        json_num(f, "dynamic_range", q->range, true);
        json_num(f, "size", q->size, true);
        json_num(f, "centring", q->centring, false);
        fputs("},\"guidance\":", f);
        ctl_json_string(f, face_guidance_to_string(q->guidance));
        fputc('}', f);
}

static void print_face_text(FILE *f, const struct analysed *x) {
        const struct face_detection *d = &x->a.face;
        const struct face_quality *q = &x->a.quality;

        fprintf(f, "%s: %u face%s, using the one at (%.0f,%.0f)-(%.0f,%.0f), detector score %.2f\n", x->path,
                x->a.n_faces, x->a.n_faces == 1 ? "" : "s", d->x0, d->y0, d->x1, d->y1, d->score);
        fprintf(f, "  quality %.0f/100 (%s): inter-eye %.0f px, yaw %.0f°, pitch %.0f°, roll %.0f°, "
                "sharpness %.0f, mean luma %.0f\n", q->score, face_guidance_to_string(q->guidance), q->ied,
                q->yaw, q->pitch, q->roll, q->sharpness, q->mean);
}

int ctl_compare(const struct ctl_options *o, int argc, char **argv) {
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = NULL;
        struct analysed x[2] = { 0 };
        bool accept_poor;
        int r;

        argc = take_accept_poor(argc, argv, &accept_poor);
        if (argc != 2) {
                fprintf(stderr, "lanesightctl: compare takes two images (see 'lanesightctl compare --help')\n");
                return CTL_EXIT_USAGE;
        }
        if (open_pipeline(o, &fp) < 0)
                return CTL_EXIT_ENGINE;
        for (int i = 0; i < 2; i++) {
                r = analyse_image(fp, argv[i], accept_poor, &x[i]);
                if (r != CTL_EXIT_OK) {
                        if (o->json) {
                                bool poor = x[i].poor != FACE_GUIDANCE_OK && x[i].poor != FACE_GUIDANCE_NO_FACE;
                                printf("{\"error\":%s,", poor ? "\"poor-reference\"" :
                                       r == CTL_EXIT_NO_FACE ? "\"no-face\"" : "\"engine\"");
                                if (poor) {
                                        printf("\"reason\":");
                                        ctl_json_string(stdout, face_guidance_to_string(x[i].poor));
                                        putchar(',');
                                }
                                printf("\"image\":");
                                ctl_json_string(stdout, argv[i]);
                                printf("}\n");
                        }
                        free(x[0].embedding);
                        free(x[1].embedding);
                        return r;
                }
        }
        float score = face_cosine(x[0].embedding, x[1].embedding, face_pipeline_embedding_dim(fp));
        bool match = face_verify(score, o->threshold);

        if (o->json) {
                printf("{\"score\":%.6f,\"match\":%s,\"threshold\":%.4f,\"backend\":", score,
                       match ? "true" : "false", o->threshold);
                ctl_json_string(stdout, face_pipeline_backend(fp));
                printf(",\"model\":");
                ctl_json_string(stdout, face_pipeline_embedder_id(fp));
                printf(",\"faces\":[");
                print_face_json(stdout, &x[0]);
                putchar(',');
                print_face_json(stdout, &x[1]);
                printf("]}\n");
        } else {
                print_face_text(stdout, &x[0]);
                print_face_text(stdout, &x[1]);
                printf("score %.4f: %s (threshold %.3f)\n", score, match ? "MATCH" : "no match", o->threshold);
        }
        free(x[0].embedding);
        free(x[1].embedding);
        return match ? CTL_EXIT_OK : CTL_EXIT_NO_MATCH;
}

static int write_all(int fd, const void *data, size_t size) {
        const uint8_t *p = data;
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                size -= (size_t) n;
        }
        return 0;
}

int ctl_template(const struct ctl_options *o, int argc, char **argv) {
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = NULL;
        struct analysed x = { 0 };
        bool accept_poor;
        int r;

        argc = take_accept_poor(argc, argv, &accept_poor);
        if (argc != 1) {
                fprintf(stderr, "lanesightctl: template takes one image (see 'lanesightctl template --help')\n");
                return CTL_EXIT_USAGE;
        }
        if (open_pipeline(o, &fp) < 0)
                return CTL_EXIT_ENGINE;
        r = analyse_image(fp, argv[0], accept_poor, &x);
        if (r != CTL_EXIT_OK) {
                free(x.embedding);
                return r;
        }
        size_t dim = face_pipeline_embedding_dim(fp), size = face_template_size(dim);
        _cleanup_free_ uint8_t *tpl = malloc(size);
        if (!tpl || face_template_encode(face_pipeline_embedder_id(fp), x.embedding, dim, tpl, size) < 0) {
                free(x.embedding);
                fprintf(stderr, "lanesightctl: cannot encode the template\n");
                return CTL_EXIT_ENGINE;
        }
        /* The embedding is no longer needed: clear it before freeing. */
        explicit_bzero(x.embedding, dim * sizeof(float));
        free(x.embedding);

        if (o->output) {
                _cleanup_close_ int fd = streq(o->output, "-") ? dup(STDOUT_FILENO)
                        : open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
                if (fd < 0 || write_all(fd, tpl, size) < 0) {
                        fprintf(stderr, "lanesightctl: cannot write '%s': %m\n", o->output);
                        return CTL_EXIT_USAGE;
                }
                if (streq(o->output, "-"))
                        return CTL_EXIT_OK;
        }
        if (o->json) {
                printf("{\"model\":");
                ctl_json_string(stdout, face_pipeline_embedder_id(fp));
                printf(",\"dim\":%zu,\"format_version\":%d,\"template\":\"", dim, FACE_TEMPLATE_VERSION);
                ctl_base64(stdout, tpl, size);
                printf("\",\"face\":");
                print_face_json(stdout, &x);
                printf("}\n");
        } else {
                print_face_text(stdout, &x);
                printf("template (%s, %zu values, base64):\n", face_pipeline_embedder_id(fp), dim);
                ctl_base64(stdout, tpl, size);
                putchar('\n');
        }
        explicit_bzero(tpl, size);
        return CTL_EXIT_OK;
}
