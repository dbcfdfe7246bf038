/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesight-infer: load an ONNX model, run it on a backend, report latency
 * and write the outputs. The engine's command-line face for tests, benches
 * and users checking a model.
 */

#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>

#include "gpu/backend.h"
#include "gpu/onnx.h"

#define MAX_INPUT_ARGS 16

struct args {
        const char *model;
        const char *backend;
        const char *device;
        const char *output_dir;
        const char *inputs[MAX_INPUT_ARGS];
        size_t n_inputs;
        unsigned repeat;
        unsigned threads;
        bool no_optimize;
};

static void help(void) {
        printf("Usage: lanesight-infer --model FILE [OPTIONS]\n"
               "Run an ONNX model with lanesight's engine and print one JSON line with the latency.\n\n"
               "  --model FILE          ONNX model\n"
               "  --backend NAME        cpu (default), vulkan or opencl\n"
               "  --device NAME         backend device (cpu: default|reference)\n"
               "  --input FILE          raw little-endian float32 in the input's declared shape\n"
               "  --input NAME=FILE     the same for input NAME (repeat for several inputs);\n"
               "                        without --input a deterministic random input is used\n"
               "  --output-dir DIR      write each output as DIR/<name>.bin (':' and '/' become '_')\n"
               "  --repeat N            run N times (default 1)\n"
               "  --threads N           CPU threads (default 1; 0 = one per CPU)\n"
               "  --no-optimize         skip the graph rewrites (BN folding, fusion, aliasing)\n"
               "  -h, --help            show this help\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno || end == s || *end || v > max || s[0] == '-')
                return -EINVAL;
        *ret = (unsigned) v;
        return 0;
}

static int parse_args(int argc, char **argv, struct args *a) {
        enum { ARG_MODEL = 0x100, ARG_BACKEND, ARG_DEVICE, ARG_INPUT, ARG_OUTPUT_DIR, ARG_REPEAT, ARG_THREADS, ARG_NOOPT };
        static const struct option options[] = {
                { "model", required_argument, NULL, ARG_MODEL },
                { "backend", required_argument, NULL, ARG_BACKEND },
                { "device", required_argument, NULL, ARG_DEVICE },
                { "input", required_argument, NULL, ARG_INPUT },
                { "output-dir", required_argument, NULL, ARG_OUTPUT_DIR },
                { "repeat", required_argument, NULL, ARG_REPEAT },
                { "threads", required_argument, NULL, ARG_THREADS },
                { "no-optimize", no_argument, NULL, ARG_NOOPT },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;

        *a = (struct args) { .backend = "cpu", .repeat = 1, .threads = 1 };
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_MODEL:
                        a->model = optarg;
                        break;
                case ARG_BACKEND:
                        a->backend = optarg;
                        break;
                case ARG_DEVICE:
                        a->device = optarg;
                        break;
                case ARG_INPUT:
                        if (a->n_inputs >= MAX_INPUT_ARGS) {
                                fprintf(stderr, "lanesight-infer: too many --input options\n");
                                return -EINVAL;
                        }
                        a->inputs[a->n_inputs++] = optarg;
                        break;
                case ARG_OUTPUT_DIR:
                        a->output_dir = optarg;
                        break;
                case ARG_REPEAT:
                        if (parse_uint(optarg, 1000000, &a->repeat) < 0 || a->repeat == 0) {
                                fprintf(stderr, "lanesight-infer: invalid --repeat '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_THREADS:
                        if (parse_uint(optarg, 256, &a->threads) < 0) {
                                fprintf(stderr, "lanesight-infer: invalid --threads '%s'\n", optarg);
                                return -EINVAL;
                        }
                        break;
                case ARG_NOOPT:
                        a->no_optimize = true;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "lanesight-infer: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        if (!a->model) {
                fprintf(stderr, "lanesight-infer: --model is required (see --help)\n");
                return -EINVAL;
        }
        return 1;
}

/* Reads exactly `bytes` from path into buf; reports a size mismatch with both numbers. */
static int read_input(const char *name, const char *path, float *buf, size_t bytes, const char *shape) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;
        size_t done = 0;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
                int e = errno;
                fprintf(stderr, "lanesight-infer: cannot read input '%s' from '%s': %s\n", name, path, strerror(e));
                return -e;
        }
        if (!S_ISREG(st.st_mode) || (uint64_t) st.st_size != bytes) {
                fprintf(stderr,
                        "lanesight-infer: input '%s': '%s' has %lld bytes, expected %zu bytes (float32 %s)\n",
                        name, path, (long long) st.st_size, bytes, shape);
                return -EINVAL;
        }
        while (done < bytes) {
                ssize_t k = read(fd, (char *) buf + done, bytes - done);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0) {
                        fprintf(stderr, "lanesight-infer: short read on '%s'\n", path);
                        return -EIO;
                }
                done += (size_t) k;
        }
        return 0;
}

/* The --input argument for graph input i (NAME=FILE or a lone FILE when there is one input). */
static const char *input_path(const struct args *a, const struct gpu_graph *g, size_t i) {
        const char *name = g->tensors[g->inputs[i]].name;
        size_t len = strlen(name);

        for (size_t k = 0; k < a->n_inputs; k++) {
                const char *s = a->inputs[k];
                if (strncmp(s, name, len) == 0 && s[len] == '=')
                        return s + len + 1;
        }
        for (size_t k = 0; k < a->n_inputs; k++)
                if (g->n_inputs == 1 && (!strchr(a->inputs[k], '=') || access(a->inputs[k], F_OK) == 0))
                        return a->inputs[k];
        return NULL;
}

static void random_fill(float *v, size_t n, uint64_t seed) {
        uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;

        for (size_t i = 0; i < n; i++) {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                v[i] = (float) ((s >> 40) / (double) (1u << 24)) * 2.0f - 1.0f;
        }
}

static void json_string(FILE *f, const char *s) {
        fputc('"', f);
        for (; *s; s++) {
                unsigned char ch = (unsigned char) *s;
                if (ch == '"' || ch == '\\')
                        fprintf(f, "\\%c", ch);
                else if (ch < 0x20)
                        fprintf(f, "\\u%04x", ch);
                else
                        fputc(ch, f);
        }
        fputc('"', f);
}

static int write_output(const char *dir, const char *name, const float *data, size_t count) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *path = NULL, *safe = strdup(name);

        if (!safe)
                return -ENOMEM;
        for (char *p = safe; *p; p++)
                if (*p == ':' || *p == '/')
                        *p = '_';
        if (asprintf(&path, "%s/%s.bin", dir, safe) < 0)
                return -ENOMEM;
        f = fopen(path, "wbe");
        if (!f || fwrite(data, sizeof(float), count, f) != count || fflush(f) != 0) {
                int e = errno ?: EIO;
                fprintf(stderr, "lanesight-infer: cannot write '%s': %s\n", path, strerror(e));
                return -e;
        }
        return 0;
}

static int cmp_double(const void *x, const void *y) {
        double a = *(const double *) x, b = *(const double *) y;
        return a < b ? -1 : a > b;
}

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int run(const struct args *a) {
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = NULL;
        _cleanup_(gpu_backend_freep) struct gpu_backend *b = NULL;
        _cleanup_(gpu_model_freep) struct gpu_model *m = NULL;
        _cleanup_free_ double *lat = NULL;
        char err[512], shape[128];
        bool random_input = false;
        int r;

        r = onnx_load_file(a->model, &g, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "lanesight-infer: cannot load model '%s': %s\n", a->model, err);
                return r;
        }
        r = gpu_graph_optimize(g, a->no_optimize ? 0 : GPU_OPT_ALL);
        if (r >= 0)
                r = gpu_graph_plan(g);
        if (r < 0) {
                fprintf(stderr, "lanesight-infer: cannot prepare the graph: %s\n", strerror(-r));
                return r;
        }
        r = gpu_backend_new(a->backend, &(struct gpu_backend_params) { .n_threads = a->threads, .device = a->device },
                            &b, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "lanesight-infer: %s\n", err);
                return r;
        }
        r = gpu_model_new(b, g, &m, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "lanesight-infer: cannot prepare the model on '%s': %s\n", a->backend, err);
                return r;
        }

        /* Unknown NAME=FILE names are mistakes worth reporting. */
        for (size_t k = 0; k < a->n_inputs; k++) {
                const char *eq = strchr(a->inputs[k], '=');
                bool known = !eq || g->n_inputs == 1;
                for (size_t i = 0; i < g->n_inputs && !known; i++)
                        known = strncmp(a->inputs[k], g->tensors[g->inputs[i]].name, (size_t) (eq - a->inputs[k])) == 0 &&
                                strlen(g->tensors[g->inputs[i]].name) == (size_t) (eq - a->inputs[k]);
                if (!known) {
                        fprintf(stderr, "lanesight-infer: the model has no input named '%.*s'\n",
                                (int) (eq - a->inputs[k]), a->inputs[k]);
                        return -EINVAL;
                }
        }
        for (size_t i = 0; i < g->n_inputs; i++) {
                const struct gpu_tensor *t = &g->tensors[g->inputs[i]];
                _cleanup_free_ float *buf = malloc(gpu_tensor_bytes(t));
                const char *path = input_path(a, g, i);

                if (!buf)
                        return -ENOMEM;
                gpu_tensor_shape_str(t, shape, sizeof(shape));
                if (path) {
                        r = read_input(t->name, path, buf, gpu_tensor_bytes(t), shape);
                        if (r < 0)
                                return r;
                } else if (a->n_inputs > 0) {
                        fprintf(stderr, "lanesight-infer: no --input for input '%s' %s\n", t->name, shape);
                        return -EINVAL;
                } else {
                        random_fill(buf, t->count, i + 1);
                        random_input = true;
                }
                r = gpu_model_set_input(m, i, buf, t->count);
                if (r < 0) {
                        fprintf(stderr, "lanesight-infer: cannot set input '%s': %s\n", t->name, strerror(-r));
                        return r;
                }
        }
        if (random_input)
                fprintf(stderr, "lanesight-infer: no --input given: using deterministic random input in [-1, 1)\n");

        lat = calloc(a->repeat, sizeof(double));
        if (!lat)
                return -ENOMEM;
        for (unsigned k = 0; k < a->repeat; k++) {
                double t0 = now_ms();
                r = gpu_model_run(m);
                lat[k] = now_ms() - t0;
                if (r < 0) {
                        fprintf(stderr, "lanesight-infer: inference failed: %s\n", strerror(-r));
                        return r;
                }
        }
        qsort(lat, a->repeat, sizeof(double), cmp_double);

        for (size_t i = 0; i < g->n_outputs && a->output_dir; i++) {
                const struct gpu_tensor *t = &g->tensors[g->outputs[i]];
                _cleanup_free_ float *buf = malloc(gpu_tensor_bytes(t));
                if (!buf)
                        return -ENOMEM;
                r = gpu_model_get_output(m, i, buf, t->count);
                if (r < 0) {
                        fprintf(stderr, "lanesight-infer: cannot read output '%s': %s\n", t->name, strerror(-r));
                        return r;
                }
                r = write_output(a->output_dir, t->name, buf, t->count);
                if (r < 0)
                        return r;
        }

        size_t p99 = (size_t) ceil(0.99 * a->repeat) - 1;
        printf("{\"model\":");
        json_string(stdout, a->model);
        printf(",\"backend\":");
        json_string(stdout, gpu_backend_name(b));
        printf(",\"threads\":%u,\"repeat\":%u,\"latency_ms\":{\"min\":%.3f,\"median\":%.3f,\"p99\":%.3f},\"outputs\":[",
               a->threads, a->repeat, lat[0],
               a->repeat % 2 ? lat[a->repeat / 2] : (lat[a->repeat / 2 - 1] + lat[a->repeat / 2]) / 2, lat[p99]);
        for (size_t i = 0; i < g->n_outputs; i++) {
                const struct gpu_tensor *t = &g->tensors[g->outputs[i]];
                printf("%s{\"name\":", i ? "," : "");
                json_string(stdout, t->name);
                printf(",\"shape\":[");
                for (int d = 0; d < t->ndim; d++)
                        printf("%s%lld", d ? "," : "", (long long) t->dims[d]);
                printf("]}");
        }
        /* The backend's cumulative counters: every set_input and get_output above, once. */
        struct gpu_transfer_stats ts;
        gpu_backend_get_transfer(b, &ts);
        printf("],\"transfer\":{\"import_path\":");
        json_string(stdout, gpu_import_path_to_string(ts.import_path) ?: "");
        printf(",\"frames\":%" PRIu64 ",\"import_bytes_copied\":%" PRIu64 ",\"bytes_to_device\":%" PRIu64
               ",\"bytes_from_device\":%" PRIu64 "}}\n",
               ts.frames, ts.import_bytes_copied, ts.bytes_to_device, ts.bytes_from_device);
        return fflush(stdout) == 0 ? 0 : -EIO;
}

int main(int argc, char **argv) {
        struct args a;
        int r;

        r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return run(&a) < 0 ? 1 : 0;
}
