/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The face pipeline's frame path per backend (make bench, and the GPU machine
 * script): a streaming camera of W x H YUYV frames (page-aligned mappings,
 * four buffers in rotation, no dma-buf: what the file camera and V4L2 mmap
 * give) with the portrait on a grey background. Per backend, after a warm-up:
 *   - detection only (a frame with no capture): latency p50/p99, and the
 *     bytes moved host→device and device→host per frame;
 *   - a capture (detect, quality, embed): latency p50/p99 and bytes per frame;
 * and the import path the frames took. Bytes come from
 * face_pipeline_get_transfer(); latencies are wall clock per call, reported
 * side by side so backends compare within one run (no timed assertions).
 *
 *   bench-frame-path [--frames N] [--size WxH] [--backends "cpu vulkan opencl"] [--threads N] [--detect-only]
 *
 * Models and portrait from LANESIGHT_TEST_MODELS and LANESIGHT_TEST_PORTRAIT.
 */
#include <getopt.h>
#include <inttypes.h>
#include <linux/videodev2.h>
#include <math.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "face/template.h"
#include "tests/gpu/face-test-util.h"

#define N_BUFFERS 4

struct args {
        unsigned frames, width, height, threads;
        bool detect_only;
        char backends[128];
};

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

/* p in [0, 1]: the nearest-rank percentile of n sorted values. */
static double percentile(double *v, unsigned n, double p) {
        unsigned k = (unsigned) ceil(p * n);
        qsort(v, n, sizeof(double), cmp_double);
        return v[k ? k - 1 : 0];
}

static uint8_t clamp8(float v) {
        return (uint8_t) (v < 0 ? 0 : v > 255 ? 255 : lrintf(v));
}

/* BT.601 limited range, the inverse of gpu/preprocess.h's conversion. */
static void rgb_to_yuv(const uint8_t *p, float *y, float *u, float *v) {
        *y = 16 + 0.256788f * p[0] + 0.504129f * p[1] + 0.097906f * p[2];
        *u = 128 - 0.148223f * p[0] - 0.290993f * p[1] + 0.439216f * p[2];
        *v = 128 + 0.439216f * p[0] - 0.367788f * p[1] - 0.071427f * p[2];
}

/* The portrait centred on a grey W x H YUYV frame in fresh page-aligned memory. */
static int make_frame(const struct face_image *img, unsigned w, unsigned h, uint32_t index, struct cam_frame *ret) {
        size_t stride = (size_t) w * 2, size = stride * h, page = (size_t) sysconf(_SC_PAGESIZE);
        size_t length = (size + page - 1) / page * page;
        uint8_t *data = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        unsigned ox = w > img->width ? (w - img->width) / 2 : 0, oy = h > img->height ? (h - img->height) / 2 : 0;

        if (data == MAP_FAILED)
                return -errno;
        for (unsigned y = 0; y < h; y++)
                for (unsigned x = 0; x < w; x += 2) {
                        static const uint8_t grey[3] = { 110, 110, 110 };
                        float yy[2], uu[2], vv[2];
                        for (unsigned k = 0; k < 2; k++) {
                                unsigned ix = x + k - ox, iy = y - oy;
                                const uint8_t *p = x + k >= ox && ix < img->width && y >= oy && iy < img->height ?
                                                           img->rgb + ((size_t) iy * img->width + ix) * 3 : grey;
                                rgb_to_yuv(p, &yy[k], &uu[k], &vv[k]);
                        }
                        uint8_t *q = data + (size_t) y * stride + (size_t) x * 2;
                        q[0] = clamp8(yy[0]);
                        q[1] = clamp8((uu[0] + uu[1]) / 2);
                        q[2] = clamp8(yy[1]);
                        q[3] = clamp8((vv[0] + vv[1]) / 2);
                }
        *ret = (struct cam_frame) {
                .index = index, .fourcc = V4L2_PIX_FMT_YUYV, .width = w, .height = h, .n_memory = 1,
                .memory[0] = { .dmabuf_fd = -EBADF, .data = data, .length = length, .bytesused = size },
                .n_planes = 1,
                .planes[0] = { .memory = 0, .offset = 0, .stride = (uint32_t) stride },
        };
        return 0;
}

struct phase {
        double p50, p99;
        double to_device, from_device;  /* bytes per frame */
};

/* n frames through detect (capture = false) or analyze; the frames' sequence numbers continue from *seq. */
static int run_phase(struct face_pipeline *fp, struct cam_frame *bufs, unsigned n, bool capture, uint32_t *seq,
                     struct phase *ret) {
        _cleanup_free_ double *lat = calloc(n, sizeof(double));
        struct face_pipeline_transfer t0, t1;
        struct face_detection d[4];
        struct face_analysis a;
        float e[FACE_TEMPLATE_DIM_MAX];
        int r;

        if (!lat)
                return -ENOMEM;
        face_pipeline_get_transfer(fp, &t0);
        for (unsigned i = 0; i < n; i++) {
                struct cam_frame *f = &bufs[i % N_BUFFERS];
                f->sequence = ++*seq;
                f->timestamp_ns = (uint64_t) f->sequence * 33333333u;
                double t = now_ms();
                r = capture ? face_pipeline_analyze(fp, f, NULL, e, &a) : face_pipeline_detect(fp, f, NULL, d, 4);
                lat[i] = now_ms() - t;
                if (r < 0)
                        return r;
        }
        face_pipeline_get_transfer(fp, &t1);
        ret->to_device = (double) (t1.bytes_to_device - t0.bytes_to_device) / n;
        ret->from_device = (double) (t1.bytes_from_device - t0.bytes_from_device) / n;
        ret->p50 = percentile(lat, n, 0.5);
        ret->p99 = percentile(lat, n, 0.99);
        return 0;
}

static void bench_backend(const struct args *a, const char *backend, struct cam_frame *bufs) {
        char err[512] = "";
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = NULL;
        struct face_pipeline_transfer t;
        struct phase warm, detect, capture;
        uint32_t seq = 0;
        int r;

        r = face_test_pipeline_new(backend, a->threads, &fp, err, sizeof(err));
        if (r < 0) {
                printf("%-8s not available: %s\n", backend, err);
                return;
        }
        /* Warm-up: first imports, pipeline builds, caches. */
        r = run_phase(fp, bufs, N_BUFFERS * 2, !a->detect_only, &seq, &warm);
        if (r >= 0)
                r = run_phase(fp, bufs, a->frames, false, &seq, &detect);
        if (r >= 0 && !a->detect_only)
                r = run_phase(fp, bufs, a->frames, true, &seq, &capture);
        else
                capture = (struct phase) { NAN, NAN, NAN, NAN };
        if (r < 0) {
                printf("%-8s failed: %s\n", backend, strerror(-r));
                return;
        }
        face_pipeline_get_transfer(fp, &t);
        printf("%-8s %-8s %5u %9.2f %9.2f %11.0f %11.0f %9.2f %9.2f %11.0f %11.0f %12" PRIu64 "\n", backend,
               t.import_path, a->frames, detect.p50, detect.p99, detect.to_device, detect.from_device, capture.p50,
               capture.p99, capture.to_device, capture.from_device, t.import_bytes_copied);
}

static int parse_args(int argc, char **argv, struct args *a) {
        static const struct option opts[] = {
                { "frames", required_argument, NULL, 'n' },
                { "size", required_argument, NULL, 's' },
                { "backends", required_argument, NULL, 'b' },
                { "threads", required_argument, NULL, 't' },
                { "detect-only", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        *a = (struct args) { .frames = 30, .width = 1280, .height = 720, .backends = "cpu vulkan opencl" };
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'n':
                        a->frames = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 's':
                        if (sscanf(optarg, "%ux%u", &a->width, &a->height) != 2)
                                a->width = 0;
                        break;
                case 'b':
                        snprintf(a->backends, sizeof(a->backends), "%s", optarg);
                        break;
                case 't':
                        a->threads = (unsigned) strtoul(optarg, NULL, 10);
                        break;
                case 'd':
                        a->detect_only = true;
                        break;
                case 'h':
                        printf("Usage: bench-frame-path [--frames N] [--size WxH] [--backends \"cpu vulkan opencl\"]"
                               " [--threads N] [--detect-only]\n");
                        return 0;
                default:
                        return -EINVAL;
                }
        if (a->frames == 0 || a->frames > 100000 || a->width < 128 || a->height < 128 || a->width > 8192 ||
            a->height > 8192 || a->width % 2 || optind < argc) {
                fprintf(stderr, "bench-frame-path: bad arguments (--help)\n");
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char **argv) {
        const char *portrait = getenv("LANESIGHT_TEST_PORTRAIT");
        struct cam_frame bufs[N_BUFFERS];
        struct face_image img = {};
        struct args a;
        int r;

        r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (!portrait || !getenv("LANESIGHT_TEST_MODELS")) {
                fprintf(stderr, "bench-frame-path: LANESIGHT_TEST_MODELS and LANESIGHT_TEST_PORTRAIT must be set\n");
                return 2;
        }
        r = face_test_load_image(portrait, &img);
        if (r < 0) {
                fprintf(stderr, "bench-frame-path: cannot read '%s': %s\n", portrait, strerror(-r));
                return 1;
        }
        for (uint32_t i = 0; i < N_BUFFERS; i++)
                if (make_frame(&img, a.width, a.height, i, &bufs[i]) < 0) {
                        fprintf(stderr, "bench-frame-path: out of memory\n");
                        return 1;
                }
        face_image_done(&img);

        printf("frame path: %ux%u YUYV, %d buffers, %u frames per phase; latency in ms, bytes per frame\n", a.width,
               a.height, N_BUFFERS, a.frames);
        printf("%-8s %-8s %5s %9s %9s %11s %11s %9s %9s %11s %11s %12s\n", "backend", "import", "n", "det_p50",
               "det_p99", "det_to_dev", "det_from", "cap_p50", "cap_p99", "cap_to_dev", "cap_from", "copied_total");
        for (char *save = NULL, *b = strtok_r(a.backends, " ,", &save); b; b = strtok_r(NULL, " ,", &save))
                bench_backend(&a, b, bufs);
        for (unsigned i = 0; i < N_BUFFERS; i++)
                munmap(bufs[i].memory[0].data, bufs[i].memory[0].length);
        return 0;
}
