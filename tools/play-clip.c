/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesight-play: plays a Y4M file through the file source (the same
 * cam_source interface the daemon consumes) and prints per-frame
 * statistics. Used by `make demo`; not installed.
 *
 *   lanesight-play [--fast] [--loop] [--frames N] [--consumer-ms MS] [--quiet]
 *                  [--raw FILE] CLIP.y4m
 *
 *   --fast            as fast as possible instead of at the clip's frame rate
 *   --loop            start over at the end (stop with --frames or Ctrl-C)
 *   --frames N        stop after N frames
 *   --consumer-ms MS  pretend each frame takes MS ms to process (shows drops)
 *   --quiet           summary only
 *   --raw FILE        also write each frame, planes tightly packed, as the
 *                     source delivered it (NV12, YUYV or GREY): the input of
 *                     `v4l2-ctl --stream-out-mmap --stream-from=FILE`
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/macro.h"
#include "v4l2/file-source.h"

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

static const char *fourcc_str(uint32_t f, char buf[static 5]) {
        for (int i = 0; i < 4; i++) {
                char c = (char) ((f >> (8 * i)) & 0xff);
                buf[i] = c >= 0x20 && c < 0x7f ? c : '?';
        }
        buf[4] = 0;
        return buf;
}

/* Mean of the luma samples, and mean |difference| against the previous frame's (a motion measure). */
struct luma_stats {
        double mean, motion;
};

static struct luma_stats measure(const struct cam_frame *f, uint8_t *prev, bool have_prev) {
        const uint8_t *p = cam_frame_plane_data(f, 0);
        uint32_t step = f->fourcc == V4L2_PIX_FMT_YUYV ? 2 : 1, stride = f->planes[0].stride;
        uint64_t sum = 0, diff = 0;
        size_t n = 0, k = 0;

        for (uint32_t y = 0; y < f->height; y++)
                for (uint32_t x = 0; x < f->width; x++) {
                        uint8_t v = p[(size_t) y * stride + (size_t) x * step];
                        sum += v;
                        n++;
                        /* Motion on a 4x4 grid of samples: plenty for a number on a line. */
                        if ((x | y) % 4 == 0) {
                                if (have_prev)
                                        diff += (uint64_t) abs((int) v - (int) prev[k]);
                                prev[k++] = v;
                        }
                }
        return (struct luma_stats) {
                .mean = n ? (double) sum / (double) n : 0,
                .motion = have_prev && k ? (double) diff / (double) k : 0,
        };
}

/* Rows of each plane without the stride padding: what a V4L2 output node with bytesperline = width expects. */
static int write_raw(FILE *out, const struct cam_frame *f) {
        for (unsigned p = 0; p < f->n_planes; p++) {
                const uint8_t *d = cam_frame_plane_data(f, p);
                uint32_t row = f->fourcc == V4L2_PIX_FMT_YUYV ? f->width * 2 : f->width;
                uint32_t rows = p > 0 && f->fourcc == V4L2_PIX_FMT_NV12 ? f->height / 2 : f->height;
                for (uint32_t y = 0; y < rows; y++)
                        if (fwrite(d + (size_t) y * f->planes[p].stride, 1, row, out) != row)
                                return -EIO;
        }
        return 0;
}

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000 };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "fast", no_argument, NULL, 'f' },
                { "loop", no_argument, NULL, 'l' },
                { "frames", required_argument, NULL, 'n' },
                { "consumer-ms", required_argument, NULL, 'c' },
                { "quiet", no_argument, NULL, 'q' },
                { "raw", required_argument, NULL, 'r' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct cam_file_source_params p = { .paced = true };
        _cleanup_(cam_source_freep) struct cam_source *src = NULL;
        _cleanup_free_ uint8_t *prev = NULL;
        _cleanup_fclose_ FILE *raw = NULL;
        const char *raw_path = NULL;
        struct cam_source_info info;
        struct cam_source_stats st;
        unsigned long max_frames = 0, consumer_ms = 0;
        bool quiet = false;
        uint64_t t_first = 0, t_last = 0, n = 0, ts_first = 0, ts_prev = 0;
        char fcc[5];
        int c, r;

        while ((c = getopt_long(argc, argv, "fln:c:qh", options, NULL)) >= 0)
                switch (c) {
                case 'f': p.paced = false; break;
                case 'l': p.loop = true; break;
                case 'n': max_frames = strtoul(optarg, NULL, 10); break;
                case 'c': consumer_ms = strtoul(optarg, NULL, 10); break;
                case 'q': quiet = true; break;
                case 'r': raw_path = optarg; break;
                case 'h':
                        printf("usage: %s [--fast] [--loop] [--frames N] [--consumer-ms MS] [--quiet] [--raw FILE] CLIP.y4m\n",
                               argv[0]);
                        return 0;
                default:
                        return 2;
                }
        if (optind + 1 != argc) {
                fprintf(stderr, "usage: %s [options] CLIP.y4m (see --help)\n", argv[0]);
                return 2;
        }
        p.path = cam_file_source_path_from_spec(argv[optind]) ?: argv[optind];

        r = cam_file_source_new(&p, &src);
        if (r < 0) {
                const char *why = NULL;
                struct cam_y4m_header h;
                (void) cam_file_source_probe(p.path, &h, &why);
                fprintf(stderr, "Failed to open '%s': %s%s%s\n", p.path, strerror(-r), why ? ": " : "", why ?: "");
                return 1;
        }
        cam_source_get_info(src, &info);
        if (raw_path) {
                raw = fopen(raw_path, "we");
                if (!raw) {
                        fprintf(stderr, "Failed to create '%s': %m\n", raw_path);
                        return 1;
                }
        }
        const struct cam_y4m_header *h = cam_file_source_get_header(src);
        prev = malloc(((size_t) info.width / 4 + 1) * ((size_t) info.height / 4 + 1));
        if (!prev)
                return 1;

        printf("clip %s: %ux%u %s (file: C%s, I%c), %.3g fps (%u/%u), %u memfd buffers, %s\n",
               p.path, info.width, info.height, fourcc_str(info.fourcc, fcc), cam_y4m_chroma_to_string(h->chroma),
               h->interlace, (double) info.fps_num / info.fps_den, info.fps_num, info.fps_den, info.n_buffers,
               p.paced ? "paced" : "as fast as possible");
        if (!quiet)
                /* time: the frame's timestamp from the first one's; +ms: from the previous frame's;
         * late: how long after its timestamp the frame reached us; motion: mean |luma change|. */
        printf("%6s %10s %8s %8s %9s %7s %7s  %s\n", "seq", "time ms", "+ms", "late ms", "bytes", "luma", "motion", "buffer");

        for (;;) {
                const struct cam_frame *f;

                if (max_frames && n >= max_frames)
                        break;
                r = cam_source_acquire(src, 2000, &f);
                if (r == -EPIPE)
                        break;
                if (r < 0) {
                        fprintf(stderr, "Failed to get a frame from '%s': %s\n", p.path, strerror(-r));
                        return 1;
                }
                uint64_t t = now_ns();
                if (n == 0) {
                        t_first = t;
                        ts_first = f->timestamp_ns;
                }
                t_last = t;
                struct luma_stats ls = measure(f, prev, n > 0);
                if (!quiet)
                        printf("%6" PRIu32 " %10.1f %8.1f %8.2f %9zu %7.1f %7.2f  #%u%s\n", f->sequence,
                               (double) (f->timestamp_ns - ts_first) / 1e6,
                               n ? (double) (f->timestamp_ns - ts_prev) / 1e6 : 0.0,
                               t >= f->timestamp_ns ? (double) (t - f->timestamp_ns) / 1e6 : 0.0,
                               f->memory[0].bytesused, ls.mean,
                               ls.motion, f->index, f->flags & CAM_FRAME_COPIED ? " converted" : "");
                ts_prev = f->timestamp_ns;
                n++;
                if (raw && write_raw(raw, f) < 0) {
                        fprintf(stderr, "Failed to write '%s'\n", raw_path);
                        return 1;
                }
                if (consumer_ms)
                        sleep_ms((unsigned) consumer_ms);
                r = cam_source_release(src, f);
                if (r < 0) {
                        fprintf(stderr, "Failed to release a frame: %s\n", strerror(-r));
                        return 1;
                }
        }

        if (raw && fflush(raw) != 0) {
                fprintf(stderr, "Failed to write '%s': %m\n", raw_path);
                return 1;
        }
        cam_source_get_stats(src, &st);
        double secs = (double) (t_last - t_first) / 1e9;
        printf("summary: %" PRIu64 " frames in %.2f s (%.2f fps%s), %" PRIu64 " dropped, %" PRIu64 " errors, "
               "%" PRIu64 " bytes converted, dma-buf: no (memfd pages)\n",
               st.frames, secs, n > 1 && secs > 0 ? (double) (n - 1) / secs : 0.0,
               p.paced ? "" : ", unpaced", st.dropped, st.errors, st.bytes_copied);
        return 0;
}
