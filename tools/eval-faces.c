/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesight-eval: accuracy of the face pipeline on labelled photos.
 *
 *   lanesight-eval [ENGINE OPTIONS] --lfw DIR --pairs FILE [--train-pairs FILE]
 *   lanesight-eval [ENGINE OPTIONS] --ident DIR
 *
 * Verification (LFW layout DIR/<Name>/<Name>_NNNN.jpg and its pairs files):
 * 10-fold accuracy (threshold chosen on nine folds, tested on the tenth),
 * TAR at FAR 1e-3 and 1e-2, and, with --train-pairs, the threshold that is
 * best on the training pairs and the accuracy it gives on the test pairs.
 * Identification (one folder per person): gallery = each person's first
 * image in name order, probes = the rest; rank-1 and rank-5.
 * Both report detection failures (an image without a face scores -1 against
 * everything) and throughput. Images are embedded once and kept in memory.
 *
 * Template experiments (measurement only; the service does neither yet):
 *   --refine SCALE  detect again in a square crop SCALE times the first
 *                   detection's larger side, centred on it, and embed the
 *                   face found there (finer keypoints for the alignment)
 *   --flip          embed the face and its mirror image (the mirrored
 *                   photo with the detection mirrored, eyes and ears
 *                   swapped), sum the two and L2-normalise
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/macro.h"
#include "face/match.h"
#include "face/pipeline.h"
#include "face/template.h"
#include "gpu/preprocess.h"

struct experiment {
        float refine;           /* 0: off */
        bool flip;
};

struct image_entry {
        char *path;
        char *person;
        float *embedding;       /* NULL: no face found or unreadable */
};

struct catalog {
        struct image_entry *images;
        size_t n, cap;
        size_t dim;
        size_t failures;
        double seconds;
};

struct pair {
        size_t a, b;
        bool genuine;
        float score;
};

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_file(const char *path, uint8_t **ret, size_t *ret_size) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        if (fseek(f, 0, SEEK_END) < 0)
                return -errno;
        long n = ftell(f);
        if (n < 0 || n > (64 << 20))
                return -EFBIG;
        rewind(f);
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf)
                return -ENOMEM;
        if (fread(buf, 1, n, f) != (size_t) n) {
                free(buf);
                return -EIO;
        }
        *ret = buf;
        *ret_size = (size_t) n;
        return 0;
}

static ssize_t catalog_add(struct catalog *c, const char *path, const char *person) {
        for (size_t i = 0; i < c->n; i++)
                if (streq(c->images[i].path, path))
                        return (ssize_t) i;
        if (c->n == c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 256;
                struct image_entry *p = realloc(c->images, cap * sizeof(*p));
                if (!p)
                        return -ENOMEM;
                c->images = p;
                c->cap = cap;
        }
        c->images[c->n] = (struct image_entry) { .path = strdup(path), .person = strdup(person) };
        if (!c->images[c->n].path || !c->images[c->n].person)
                return -ENOMEM;
        return (ssize_t) c->n++;
}

/* The square roi of side scale * the box's larger side, centred on it, clamped to the image. */
static struct gpu_pre_roi roi_around(const struct face_detection *d, float scale, unsigned w, unsigned h) {
        float side = scale * MAX(d->x1 - d->x0, d->y1 - d->y0);
        float cx = (d->x0 + d->x1) / 2, cy = (d->y0 + d->y1) / 2;
        long x0 = lroundf(cx - side / 2), y0 = lroundf(cy - side / 2), x1 = lroundf(cx + side / 2),
             y1 = lroundf(cy + side / 2);

        x0 = MAX(x0, 0L);
        y0 = MAX(y0, 0L);
        x1 = MIN(x1, (long) w);
        y1 = MIN(y1, (long) h);
        return (struct gpu_pre_roi) { .x = (uint32_t) x0, .y = (uint32_t) y0,
                                      .width = (uint32_t) MAX(x1 - x0, 1L), .height = (uint32_t) MAX(y1 - y0, 1L) };
}

/* Mirrors img left-right in place and d with it (pixel-index x -> w - 1 - x; the
 * image-left eye and ear become the image-right ones, so their slots swap). */
static void mirror(struct face_image *img, struct face_detection *d) {
        for (unsigned y = 0; y < img->height; y++) {
                uint8_t *row = img->rgb + (size_t) y * img->width * 3;
                for (unsigned a = 0, b = img->width - 1; a < b; a++, b--)
                        for (unsigned k = 0; k < 3; k++) {
                                uint8_t t = row[a * 3 + k];
                                row[a * 3 + k] = row[b * 3 + k];
                                row[b * 3 + k] = t;
                        }
        }
        float w1 = (float) img->width - 1, x0 = d->x0;
        d->x0 = w1 - d->x1;
        d->x1 = w1 - x0;
        for (unsigned k = 0; k < FACE_KEYPOINTS; k++)
                d->kp[k].x = w1 - d->kp[k].x;
        static const unsigned swaps[][2] = { { 0, 1 }, { 4, 5 } };
        for (size_t i = 0; i < ELEMENTSOF(swaps); i++) {
                struct face_point t = d->kp[swaps[i][0]];
                d->kp[swaps[i][0]] = d->kp[swaps[i][1]];
                d->kp[swaps[i][1]] = t;
        }
}

/* The embedding of the image's face as the experiment says (see the top comment). */
static int embed_image(struct face_pipeline *fp, const struct experiment *x, struct face_image *img, float *emb,
                       size_t dim) {
        struct face_analysis a;
        struct cam_frame frame;
        int r;

        face_pipeline_wrap_image(img, &frame);
        r = face_pipeline_analyze(fp, &frame, NULL, emb, &a);
        if (r < 0)
                return r;
        if (x->refine > 0) {
                struct gpu_pre_roi roi = roi_around(&a.face, x->refine, img->width, img->height);
                struct face_analysis b;
                /* keep the first pass when the crop finds nothing */
                if (face_pipeline_analyze(fp, &frame, &roi, emb, &b) >= 0)
                        a = b;
        }
        if (x->flip) {
                _cleanup_free_ float *m = malloc(dim * sizeof(float));
                if (!m)
                        return -ENOMEM;
                mirror(img, &a.face);
                face_pipeline_wrap_image(img, &frame);
                r = face_pipeline_embed(fp, &frame, &a.face, m, NULL);
                mirror(img, &a.face);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < dim; i++)
                        emb[i] += m[i];
                r = face_l2_normalize(emb, dim);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void catalog_embed(struct face_pipeline *fp, const struct experiment *x, struct catalog *c) {
        double t0 = now();
        c->dim = face_pipeline_embedding_dim(fp);
        for (size_t i = 0; i < c->n; i++) {
                struct image_entry *e = &c->images[i];
                _cleanup_free_ uint8_t *data = NULL;
                struct face_image img = { 0 };
                size_t size = 0;
                int r;

                if (i % 250 == 0)
                        fprintf(stderr, "  embedding %zu/%zu\n", i, c->n);
                r = read_file(e->path, &data, &size);
                if (r >= 0)
                        r = face_image_decode(data, size, &img);
                if (r < 0) {
                        fprintf(stderr, "  %s: %s\n", e->path, strerror(-r));
                        c->failures++;
                        continue;
                }
                e->embedding = malloc(c->dim * sizeof(float));
                r = e->embedding ? embed_image(fp, x, &img, e->embedding, c->dim) : -ENOMEM;
                face_image_done(&img);
                if (r < 0) {
                        fprintf(stderr, "  %s: %s\n", e->path, r == -ENOENT ? "no face" : strerror(-r));
                        free(e->embedding);
                        e->embedding = NULL;
                        c->failures++;
                }
        }
        c->seconds = now() - t0;
}

static float pair_score(const struct catalog *c, size_t a, size_t b) {
        const float *x = c->images[a].embedding, *y = c->images[b].embedding;
        return x && y ? face_cosine(x, y, c->dim) : -1.0f;
}

/* LFW pairs: first line "N" or "folds N"; "Name i j" genuine, "Name1 i Name2 j" impostor. */
static int read_pairs(const char *dir, const char *file, struct catalog *c, struct pair **ret, size_t *ret_n) {
        _cleanup_fclose_ FILE *f = fopen(file, "re");
        char line[512];
        struct pair *pairs = NULL;
        size_t n = 0, cap = 0;

        if (!f)
                return -errno;
        if (!fgets(line, sizeof(line), f))
                return -EBADMSG;
        while (fgets(line, sizeof(line), f)) {
                char n1[128], n2[128], p1[1024], p2[1024];
                int i1, i2, k;
                bool genuine;

                k = sscanf(line, "%127s %d %127s %d", n1, &i1, n2, &i2);
                if (k == 4)
                        genuine = false;
                else if (sscanf(line, "%127s %d %d", n1, &i1, &i2) == 3) {
                        genuine = true;
                        strcpy(n2, n1);
                } else
                        continue;
                snprintf(p1, sizeof(p1), "%s/%s/%s_%04d.jpg", dir, n1, n1, i1);
                snprintf(p2, sizeof(p2), "%s/%s/%s_%04d.jpg", dir, n2, n2, i2);
                ssize_t a = catalog_add(c, p1, n1), b = catalog_add(c, p2, n2);
                if (a < 0 || b < 0)
                        return -ENOMEM;
                if (n == cap) {
                        cap = cap ? cap * 2 : 1024;
                        struct pair *p = realloc(pairs, cap * sizeof(*p));
                        if (!p)
                                return -ENOMEM;
                        pairs = p;
                }
                pairs[n++] = (struct pair) { .a = (size_t) a, .b = (size_t) b, .genuine = genuine };
        }
        *ret = pairs;
        *ret_n = n;
        return 0;
}

static double accuracy_at(const struct pair *p, size_t n, float thr, size_t skip_lo, size_t skip_hi) {
        size_t ok = 0, total = 0;
        for (size_t i = 0; i < n; i++) {
                if (i >= skip_lo && i < skip_hi)
                        continue;
                ok += (p[i].score >= thr) == p[i].genuine;
                total++;
        }
        return total ? (double) ok / total : 0;
}

/* The threshold maximising accuracy over pairs outside [skip_lo, skip_hi). */
static float best_threshold(const struct pair *p, size_t n, size_t skip_lo, size_t skip_hi) {
        float best_t = 0;
        double best = -1;
        for (size_t i = 0; i < n; i++) {
                if (i >= skip_lo && i < skip_hi)
                        continue;
                /* Candidates: each score itself (ties: the lowest wins). */
                double acc = accuracy_at(p, n, p[i].score, skip_lo, skip_hi);
                if (acc > best || (acc == best && p[i].score < best_t)) {
                        best = acc;
                        best_t = p[i].score;
                }
        }
        return best_t;
}

static int cmp_float_desc(const void *a, const void *b) {
        float x = *(const float *) a, y = *(const float *) b;
        return (x < y) - (x > y);
}

/* TAR at the threshold that lets through at most far of the impostors. */
static double tar_at_far(const struct pair *p, size_t n, double far) {
        _cleanup_free_ float *imp = malloc(n * sizeof(float));
        size_t ni = 0, ng = 0, acc = 0;
        for (size_t i = 0; i < n; i++)
                if (!p[i].genuine)
                        imp[ni++] = p[i].score;
        if (ni == 0)
                return NAN;
        qsort(imp, ni, sizeof(float), cmp_float_desc);
        size_t allowed = (size_t) floor(far * ni);
        float thr = allowed < ni ? nextafterf(imp[allowed], INFINITY) : -INFINITY;
        for (size_t i = 0; i < n; i++)
                if (p[i].genuine) {
                        ng++;
                        acc += p[i].score >= thr;
                }
        return ng ? (double) acc / ng : NAN;
}

static void score_pairs(const struct catalog *c, struct pair *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                p[i].score = pair_score(c, p[i].a, p[i].b);
}

/* Ten folds interleave genuine and impostor pairs as LFW's files list them. */
static void report_verification(const char *name, struct pair *p, size_t n, float fixed_thr) {
        double sum = 0, sum2 = 0;
        const size_t folds = 10;

        /* Fold k = the pairs whose index is k modulo 10, so each fold holds both kinds. */
        _cleanup_free_ struct pair *q = malloc(n * sizeof(*q));
        size_t m = 0;
        for (size_t k = 0; k < folds; k++)
                for (size_t i = k; i < n; i += folds)
                        q[m++] = p[i];
        for (size_t k = 0; k < folds; k++) {
                size_t lo = m * k / folds, hi = m * (k + 1) / folds;
                float t = best_threshold(q, m, lo, hi);
                size_t ok = 0;
                for (size_t i = lo; i < hi; i++)
                        ok += (q[i].score >= t) == q[i].genuine;
                double acc = (double) ok / (hi - lo);
                sum += acc;
                sum2 += acc * acc;
        }
        double mean = sum / folds, sd = sqrt(MAX(0.0, sum2 / folds - mean * mean));
        printf("%s: %zu pairs\n", name, n);
        printf("  10-fold accuracy        %.2f %% ± %.2f\n", 100 * mean, 100 * sd);
        printf("  TAR at FAR 1e-3         %.1f %%\n", 100 * tar_at_far(p, n, 1e-3));
        printf("  TAR at FAR 1e-2         %.1f %%\n", 100 * tar_at_far(p, n, 1e-2));
        if (!isnan(fixed_thr))
                printf("  accuracy at %.3f        %.2f %%\n", fixed_thr, 100 * accuracy_at(p, n, fixed_thr, 0, 0));
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int list_dir(const char *path, bool dirs, char ***ret, size_t *ret_n) {
        DIR *d = opendir(path);
        struct dirent *e;
        char **names = NULL;
        size_t n = 0;

        if (!d)
                return -errno;
        while ((e = readdir(d))) {
                if (e->d_name[0] == '.')
                        continue;
                char full[2048];
                struct stat st;
                snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
                if (stat(full, &st) < 0 || (dirs ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)))
                        continue;
                names = realloc(names, (n + 1) * sizeof(char *));
                names[n++] = strdup(e->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof(char *), cmp_str);
        *ret = names;
        *ret_n = n;
        return 0;
}

static int run_identification(struct face_pipeline *fp, const struct experiment *x, const char *dir) {
        struct catalog c = { 0 };
        char **people = NULL;
        size_t n_people = 0;
        int r = list_dir(dir, true, &people, &n_people);
        if (r < 0) {
                fprintf(stderr, "lanesight-eval: cannot list '%s': %s\n", dir, strerror(-r));
                return 1;
        }
        _cleanup_free_ size_t *gallery_idx = calloc(n_people, sizeof(size_t));
        for (size_t p = 0; p < n_people; p++) {
                char sub[2048], **files = NULL;
                size_t n_files = 0;
                snprintf(sub, sizeof(sub), "%s/%s", dir, people[p]);
                if (list_dir(sub, false, &files, &n_files) < 0)
                        continue;
                for (size_t i = 0; i < n_files; i++) {
                        char full[4096];
                        snprintf(full, sizeof(full), "%s/%s", sub, files[i]);
                        ssize_t k = catalog_add(&c, full, people[p]);
                        if (i == 0)
                                gallery_idx[p] = (size_t) k;
                        free(files[i]);
                }
                free(files);
        }
        catalog_embed(fp, x, &c);

        _cleanup_free_ float *gallery = calloc(n_people * c.dim, sizeof(float));
        for (size_t p = 0; p < n_people; p++)
                if (c.images[gallery_idx[p]].embedding)
                        memcpy(gallery + p * c.dim, c.images[gallery_idx[p]].embedding, c.dim * sizeof(float));
        size_t probes = 0, rank1 = 0, rank5 = 0;
        for (size_t i = 0; i < c.n; i++) {
                bool is_gallery = false;
                for (size_t p = 0; p < n_people; p++)
                        is_gallery |= gallery_idx[p] == i;
                if (is_gallery)
                        continue;
                probes++;
                if (!c.images[i].embedding)
                        continue;
                struct face_candidate top[5];
                int k = face_search(gallery, n_people, c.dim, c.images[i].embedding, 5, top);
                for (int j = 0; j < k; j++)
                        if (streq(people[top[j].index], c.images[i].person)) {
                                rank1 += j == 0;
                                rank5++;
                                break;
                        }
                if (k > 0 && !streq(people[top[0].index], c.images[i].person))
                        fprintf(stderr, "  miss: %s taken for %s (%.3f)\n", c.images[i].path,
                                people[top[0].index], top[0].score);
        }
        printf("identification: %zu people, %zu probes\n", n_people, probes);
        printf("  rank-1                  %.2f %%\n", probes ? 100.0 * rank1 / probes : 0);
        printf("  rank-5                  %.2f %%\n", probes ? 100.0 * rank5 / probes : 0);
        printf("  detection failures      %zu of %zu images\n", c.failures, c.n);
        printf("  throughput              %.1f images/s (%s backend)\n", c.n / c.seconds, face_pipeline_backend(fp));
        for (size_t i = 0; i < c.n; i++) {
                free(c.images[i].path);
                free(c.images[i].person);
                free(c.images[i].embedding);
        }
        free(c.images);
        for (size_t p = 0; p < n_people; p++)
                free(people[p]);
        free(people);
        return 0;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "lfw", required_argument, NULL, 'l' },
                { "pairs", required_argument, NULL, 'p' },
                { "train-pairs", required_argument, NULL, 't' },
                { "ident", required_argument, NULL, 'i' },
                { "models", required_argument, NULL, 'm' },
                { "detector", required_argument, NULL, 'd' },
                { "embedder", required_argument, NULL, 'e' },
                { "backend", required_argument, NULL, 'b' },
                { "threads", required_argument, NULL, 'j' },
                { "threshold", required_argument, NULL, 'T' },
                { "refine", required_argument, NULL, 'R' },
                { "flip", no_argument, NULL, 'F' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *lfw = NULL, *pairs_file = NULL, *train_file = NULL, *ident = NULL, *models = "build/models";
        const char *det = NULL, *emb = NULL;
        float fixed = NAN;
        struct experiment x = {};
        struct face_pipeline_params p;
        int c;

        face_pipeline_params_default(&p);
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'l': lfw = optarg; break;
                case 'p': pairs_file = optarg; break;
                case 't': train_file = optarg; break;
                case 'i': ident = optarg; break;
                case 'm': models = optarg; break;
                case 'd': det = optarg; break;
                case 'e': emb = optarg; break;
                case 'b': p.backend = optarg; break;
                case 'j': p.n_threads = (unsigned) atoi(optarg); break;
                case 'T': fixed = strtof(optarg, NULL); break;
                case 'R':
                        x.refine = strtof(optarg, NULL);
                        if (!(x.refine >= 1.0f && x.refine <= 8.0f)) {
                                fprintf(stderr, "lanesight-eval: --refine takes a scale from 1 to 8, not '%s'\n", optarg);
                                return 2;
                        }
                        break;
                case 'F': x.flip = true; break;
                case 'h':
                        printf("Usage: lanesight-eval [--models DIR] [--backend B] [--threads N] [--threshold T]\n"
                               "         [--refine SCALE] [--flip]\n"
                               "         (--lfw DIR --pairs FILE [--train-pairs FILE] | --ident DIR)\n"
                               "  --refine SCALE   detect again in a crop SCALE x the face, centred on it\n"
                               "  --flip           average the embeddings of the face and its mirror image\n");
                        return 0;
                default:
                        return 2;
                }
        if (!(lfw && pairs_file) && !ident) {
                fprintf(stderr, "lanesight-eval: give --lfw DIR --pairs FILE, or --ident DIR\n");
                return 2;
        }
        char det_path[1024], emb_path[1024], err[512] = "";
        snprintf(det_path, sizeof(det_path), "%s", det ?: "");
        snprintf(emb_path, sizeof(emb_path), "%s", emb ?: "");
        if (!det)
                snprintf(det_path, sizeof(det_path), "%s/blazeface-front-128.onnx", models);
        if (!emb)
                snprintf(emb_path, sizeof(emb_path), "%s/fr-feature-112.onnx", models);
        p.detector_path = det_path;
        p.embedder_path = emb_path;
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = NULL;
        if (face_pipeline_new(&p, &fp, err, sizeof(err)) < 0) {
                fprintf(stderr, "lanesight-eval: %s\n", err);
                return 1;
        }
        if (ident)
                return run_identification(fp, &x, ident);

        struct catalog cat = { 0 };
        struct pair *test = NULL, *train = NULL;
        size_t n_test = 0, n_train = 0;
        if (read_pairs(lfw, pairs_file, &cat, &test, &n_test) < 0 ||
            (train_file && read_pairs(lfw, train_file, &cat, &train, &n_train) < 0)) {
                fprintf(stderr, "lanesight-eval: cannot read the pairs files\n");
                return 1;
        }
        catalog_embed(fp, &x, &cat);
        score_pairs(&cat, test, n_test);
        if (train) {
                score_pairs(&cat, train, n_train);
                float t = best_threshold(train, n_train, 0, 0);
                report_verification("train pairs", train, n_train, t);
                printf("  best threshold          %.4f (chosen on the train pairs)\n", t);
                if (isnan(fixed))
                        fixed = t;
        }
        report_verification("test pairs", test, n_test, fixed);
        printf("  detection failures      %zu of %zu images\n", cat.failures, cat.n);
        printf("  throughput              %.1f images/s (%s backend)\n", cat.n / cat.seconds,
               face_pipeline_backend(fp));
        for (size_t i = 0; i < cat.n; i++) {
                free(cat.images[i].path);
                free(cat.images[i].person);
                free(cat.images[i].embedding);
        }
        free(cat.images);
        free(test);
        free(train);
        return 0;
}
