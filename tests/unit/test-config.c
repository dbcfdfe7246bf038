/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lanesightd.conf parsing: defaults, drop-ins, and errors that name file, line and key. */
#include <fcntl.h>
#include <ftw.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>
#include <sys/stat.h>
#include <syslog.h>

#include "common/macro.h"
#include "svc/config.h"
#include "tests/test.h"

static char dir[] = "/tmp/test-config-XXXXXX";

static void write_file(const char *name, const char *text) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        fputs(text, f);
        fclose(f);
}

static const char *conf_path(void) {
        static char path[512];
        snprintf(path, sizeof(path), "%s/lanesightd.conf", dir);
        return path;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void cleanup(void) {
        (void) nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void) {
        ASSERT_TRUE(mkdtemp(dir));
        char d[512];
        snprintf(d, sizeof(d), "%s/lanesightd.conf.d", dir);
        ASSERT_OK(mkdir(d, 0755));
        snprintf(d, sizeof(d), "%s/conf.d", dir);
        ASSERT_OK(mkdir(d, 0755));
        atexit(cleanup);
}

static void test_defaults_without_file(void) {
        struct lsd_config c;
        char err[256];
        setup();
        ASSERT_OK(lsd_config_load(conf_path(), false, &c, err, sizeof(err)));
        ASSERT_EQ(c.width, 1280);
        ASSERT_EQ(c.backend, LSD_BACKEND_AUTO);
        ASSERT_NEAR(c.match_threshold, 0.284, 1e-6);
        ASSERT_EQ(c.gallery_ttl_usec, UINT64_C(12) * 3600 * 1000000);
        ASSERT_STREQ(c.detector, "blazeface-front-128");
        ASSERT_TRUE(c.embedder_bgr);
        ASSERT_NEAR(c.embedder_mean, 127, 0);
        ASSERT_NEAR(c.embedder_std, 128, 0);
        ASSERT_TRUE(c.camera_device == NULL);
        lsd_config_done(&c);
        ASSERT_ERR(lsd_config_load(conf_path(), true, &c, err, sizeof(err)), ENOENT);
        ASSERT_TRUE(strstr(err, "lanesightd.conf"));
}

static void test_full_file_and_dropins(void) {
        struct lsd_config c;
        char err[256];
        setup();
        write_file("lanesightd.conf",
                   "# booth 3\n"
                   "[Camera]\n"
                   "Device=/dev/v4l/by-id/usb-Booth_Cam-video-index0\n"
                   "Size=1920x1080\n"
                   "FrameRate=25\n"
                   "Formats=NV12 YUYV MJPG\n"
                   "RegionOfInterest=420,0,1080,1080\n"
                   "\n"
                   "[Pipeline]\n"
                   "Backend=vulkan\n"
                   "Threads=2\n"
                   "Embedder=/etc/lanesight/models/face_recognition_sface_2021dec.onnx\n"
                   "EmbedderChannelOrder=RGB\nEmbedderMean=0\nEmbedderStd=1\n"
                   "\n"
                   "[Matching]\n"
                   "Threshold=0.3\n"
                   "GalleryTimeToLive=6h 30min\n"
                   "[Session]\n"
                   "Timeout=90s\n"
                   "[Log]\n"
                   "Level=debug\n");
        /* Drop-ins apply in name order: 20 overrides 10. */
        write_file("lanesightd.conf.d/20-cpu.conf", "[Pipeline]\nBackend=cpu\n");
        write_file("lanesightd.conf.d/10-opencl.conf", "[Pipeline]\nBackend=opencl\nDevice=pocl\n");
        write_file("lanesightd.conf.d/README", "not a drop-in: ignored\n");
        /* conf.d/ beside the file too, sorted with the others by name: 15 comes between 10 and 20. */
        write_file("conf.d/15-threads.conf", "[Pipeline]\nThreads=3\n");
        write_file("conf.d/30-threads.conf", "[Pipeline]\nThreads=2\n");
        ASSERT_OK(lsd_config_load(conf_path(), true, &c, err, sizeof(err)));
        ASSERT_STREQ(c.camera_device, "/dev/v4l/by-id/usb-Booth_Cam-video-index0");
        ASSERT_EQ(c.width, 1920);
        ASSERT_EQ(c.height, 1080);
        ASSERT_EQ(c.fps, 25);
        ASSERT_EQ(c.n_fourccs, 3);
        ASSERT_EQ(c.fourccs[0], V4L2_PIX_FMT_NV12);
        ASSERT_EQ(c.fourccs[2], V4L2_PIX_FMT_MJPEG);
        ASSERT_TRUE(c.roi_set);
        ASSERT_EQ(c.roi[2], 1080);
        ASSERT_EQ(c.backend, LSD_BACKEND_CPU);
        ASSERT_STREQ(c.backend_device, "pocl");
        ASSERT_EQ(c.threads, 2);
        ASSERT_STREQ(c.embedder, "/etc/lanesight/models/face_recognition_sface_2021dec.onnx");
        ASSERT_TRUE(!c.embedder_bgr);
        ASSERT_NEAR(c.embedder_mean, 0, 0);
        ASSERT_NEAR(c.embedder_std, 1, 0);
        ASSERT_NEAR(c.match_threshold, 0.3, 1e-6);
        ASSERT_EQ(c.gallery_ttl_usec, UINT64_C(23400) * 1000000);
        ASSERT_EQ(c.session_timeout_usec, UINT64_C(90) * 1000000);
        ASSERT_EQ(c.log_level, LOG_DEBUG);
        lsd_config_done(&c);
}

static void expect_error(const char *text, const char *want) {
        struct lsd_config c;
        char err[256] = "";
        write_file("lanesightd.conf", text);
        ASSERT_ERR(lsd_config_load(conf_path(), true, &c, err, sizeof(err)), EINVAL);
        if (!strstr(err, want))
                test_fail("error '%s' does not contain '%s'", err, want);
}

static void test_errors_name_file_line_key(void) {
        setup();
        expect_error("[Camera]\nSize=1280x720\nFrameRat=30\n", "lanesightd.conf:3: [Camera] FrameRat=: unknown key");
        expect_error("[Camera]\n\n\nFrameRate=999\n", "lanesightd.conf:4: [Camera] FrameRate=: out of range");
        expect_error("[Pipeline]\nBackend=cuda\n", ":2: [Pipeline] Backend=: not one of auto, vulkan, opencl, cpu");
        expect_error("[Camera]\nSize=big\n", "[Camera] Size=: not a size");
        expect_error("[Matching]\nThreshold=nan\n", "[Matching] Threshold=: not a number");
        expect_error("[Matching]\nGalleryTimeToLive=forever\n", "GalleryTimeToLive=: not a time span");
        expect_error("[Session]\nTimeout=0\n", "Timeout=: out of range");
        expect_error("[Booth]\nX=1\n", ":2: unknown section [Booth]");
        expect_error("[Camera]\nthis is not ini\n", ":2: syntax error");
        expect_error("[Camera]\nDevice=\n", "[Camera] Device=: must not be empty");
        expect_error("[Pipeline]\nEmbedderChannelOrder=YUV\n", "EmbedderChannelOrder=: not RGB or BGR");
        expect_error("[Pipeline]\nEmbedderStd=0\n", "EmbedderStd=: out of range");
        expect_error("[Camera]\nSize=640x480\nRegionOfInterest=600,0,100,100\n", "RegionOfInterest= lies outside");
        expect_error("[Quality]\nMinInterEyeDistance=400\n", "MinInterEyeDistance= must be below");

        /* An error in a drop-in names the drop-in. */
        struct lsd_config c;
        char err[256] = "";
        write_file("lanesightd.conf", "[Camera]\nFrameRate=30\n");
        write_file("lanesightd.conf.d/50-bad.conf", "[Camera]\nFrameRate=-3\n");
        ASSERT_ERR(lsd_config_load(conf_path(), true, &c, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "50-bad.conf:2: [Camera] FrameRate=: not a whole number"));
}

/* Issue 12: libinih reads a line into 200 bytes and split longer ones, so the tail of a long comment was a
 * setting of its own: lines are checked before libinih sees them. */
static void test_long_lines_refused(void) {
        struct lsd_config c;
        char text[1024], err[256] = "";

        setup();
        /* A 211-character comment whose tail reads as a setting. */
        snprintf(text, sizeof(text), "[Matching]\n# %.*s Threshold=-1\n", 196,
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        ASSERT_EQ(strlen(strchr(text, '#')) - 1, 211);
        expect_error(text, "lanesightd.conf:2: line longer than 198 bytes");

        /* A long value is refused, never cut to what fits. */
        memset(text, 0, sizeof(text));
        strcpy(text, "[Pipeline]\nEmbedder=/");
        memset(text + strlen(text), 'm', 300);
        strcat(text, ".onnx\n");
        expect_error(text, "lanesightd.conf:2: line longer than 198 bytes");

        /* A line of exactly 198 bytes (its CR included) is whole, CRLF line ends and a BOM are tolerated. */
        memset(text, 0, sizeof(text));
        strcpy(text, "\xef\xbb\xbf[Matching]\r\n#");
        memset(text + strlen(text), 'y', 196);
        strcat(text, "\r");
        strcat(text, "\nThreshold = 0.31 \r\n");
        write_file("lanesightd.conf", text);
        ASSERT_OK(lsd_config_load(conf_path(), true, &c, err, sizeof(err)));
        ASSERT_NEAR(c.match_threshold, 0.31, 1e-6);
        lsd_config_done(&c);
}

/* Issue 12: "line 5271 of a 3-line file". */
static void test_true_line_numbers(void) {
        char text[8192];

        setup();
        /* A 6000-byte line used to count as 30 lines: the error must name line 2 itself. */
        strcpy(text, "[Camera]\n# ");
        memset(text + strlen(text), 'z', 6000);
        strcat(text, "\nFrameRat=30\n");
        expect_error(text, "lanesightd.conf:2: line longer");
        /* Blank lines, comments and a line without its newline at the end of the file. */
        expect_error("# a\n\n; b\n[Camera]\n\n\nFrameRate=0", "lanesightd.conf:7: [Camera] FrameRate=: out of range");
        expect_error("Size=640x480\n", "lanesightd.conf:1: Size= outside a [Section]");
        expect_error("[Camera\n", "lanesightd.conf:1: syntax error");
        expect_error("[Camera]\n=5\n", "lanesightd.conf:2: syntax error");

        /* A NUL byte would end the value early: refused (through the fuzz target's entry, fputs stops at NUL). */
        static const char nul[] = "[Camera]\nDevice=/dev/vid\0eo0\n";
        struct lsd_config c;
        char err[256] = "";
        ASSERT_OK(lsd_config_init(&c));
        ASSERT_ERR(lsd_config_parse_text("x.conf", nul, sizeof(nul) - 1, &c, err, sizeof(err)), EINVAL);
        ASSERT_STREQ(err, "x.conf:2: NUL byte in line");
        lsd_config_done(&c);
}

static void expect_not_regular(const char *path, const char *want) {
        struct lsd_config c;
        char err[256] = "";
        struct timespec a, b;

        clock_gettime(CLOCK_MONOTONIC, &a);
        ASSERT_ERR(lsd_config_load(path, true, &c, err, sizeof(err)), EINVAL);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (!strstr(err, path) || !strstr(err, want))
                test_fail("error '%s' does not name '%s' and '%s'", err, path, want);
        /* Refused from fstat, not after reading: a second is generous. */
        ASSERT_TRUE(b.tv_sec - a.tv_sec < 2);
}

/* Issue 12: a directory was "valid"; /dev/zero, /dev/urandom or a FIFO hung. */
static void test_not_regular_files(void) {
        char fifo[600], sub[600];

        setup();
        alarm(20);      /* a hang fails the test instead of the whole run */
        snprintf(sub, sizeof(sub), "%s/lanesightd.conf", dir);
        ASSERT_OK(mkdir(sub, 0755));
        expect_not_regular(sub, "not a regular file (a directory)");
        expect_not_regular("/dev/zero", "not a regular file (a device)");
        expect_not_regular("/dev/urandom", "not a regular file (a device)");
        snprintf(fifo, sizeof(fifo), "%s/fifo.conf", dir);
        ASSERT_OK(mkfifo(fifo, 0600));
        expect_not_regular(fifo, "not a regular file (a FIFO)");

        /* A drop-in that is not a regular file fails the load too, named. */
        struct lsd_config c;
        char err[256] = "", d[600];
        write_file("lanesightd.conf.conf", "");
        snprintf(d, sizeof(d), "%s/conf.d/50-dir.conf", dir);
        ASSERT_OK(mkdir(d, 0755));
        snprintf(d, sizeof(d), "%s/lanesightd.conf.conf", dir);
        ASSERT_ERR(lsd_config_load(d, true, &c, err, sizeof(err)), EINVAL);
        ASSERT_TRUE(strstr(err, "50-dir.conf: not a regular file (a directory)"));
        alarm(0);
}

/* The keys issue 12 adds: defaults, parsing, ranges and the checks across them. */
static void test_limit_keys(void) {
        struct lsd_config c;
        char err[256] = "";

        setup();
        ASSERT_OK(lsd_config_load(conf_path(), false, &c, err, sizeof(err)));
        ASSERT_TRUE(c.max_image_pixels >= 6016u * 4016u);       /* a 24 MP passport scan */
        ASSERT_TRUE(c.max_image_pixels < 8192u * 8192u);
        ASSERT_EQ(c.max_sessions, 64);
        ASSERT_EQ(c.sessions_per_user, 16);
        ASSERT_EQ(c.sessions_per_caller, 4);
        ASSERT_TRUE(c.min_reference_quality > 0 && c.min_reference_quality < 100);
        ASSERT_TRUE(c.min_reference_detection_score > c.detection_threshold);
        lsd_config_done(&c);

        write_file("lanesightd.conf", "[Limits]\nMaxImagePixels=1000000\n[Quality]\nMinReferenceQuality=40\n"
                   "MinReferenceDetectionScore=0.8\n[Session]\nMaxSessions=200\nMaxPerUser=50\nMaxPerCaller=8\n");
        ASSERT_OK(lsd_config_load(conf_path(), true, &c, err, sizeof(err)));
        ASSERT_EQ(c.max_image_pixels, 1000000);
        ASSERT_NEAR(c.min_reference_quality, 40, 0);
        ASSERT_NEAR(c.min_reference_detection_score, 0.8, 1e-6);
        ASSERT_EQ(c.max_sessions, 200);
        ASSERT_EQ(c.sessions_per_user, 50);
        ASSERT_EQ(c.sessions_per_caller, 8);
        lsd_config_done(&c);

        expect_error("[Limits]\nMaxImagePixels=0\n", ":2: [Limits] MaxImagePixels=: out of range");
        expect_error("[Limits]\nMaxImagePixels=999999999999\n", "MaxImagePixels=: out of range");
        expect_error("[Quality]\nMinReferenceQuality=101\n", "MinReferenceQuality=: out of range");
        expect_error("[Quality]\nMinReferenceDetectionScore=-0.1\n", "MinReferenceDetectionScore=: out of range");
        expect_error("[Session]\nMaxSessions=0\n", "MaxSessions=: out of range");
        expect_error("[Session]\nMaxSessions=8\n", "MaxPerCaller= must not exceed MaxPerUser=");  /* 16 per user > 8 */
        expect_error("[Session]\nMaxPerUser=2\n", "MaxPerCaller= must not exceed MaxPerUser=");   /* 4 per caller > 2 */
}

static void test_timespan(void) {
        uint64_t us;
        ASSERT_OK(lsd_parse_timespan("30", &us));
        ASSERT_EQ(us, 30000000);
        ASSERT_OK(lsd_parse_timespan("500ms", &us));
        ASSERT_EQ(us, 500000);
        ASSERT_OK(lsd_parse_timespan("1d 2h 3min 4s", &us));
        ASSERT_EQ(us, ((UINT64_C(86400) + 7200 + 180 + 4) * 1000000));
        ASSERT_ERR(lsd_parse_timespan("", &us), EINVAL);
        ASSERT_ERR(lsd_parse_timespan("5 parsecs", &us), EINVAL);
        ASSERT_ERR(lsd_parse_timespan("-5s", &us), EINVAL);
        ASSERT_ERR(lsd_parse_timespan("99999999999999999999d", &us), ERANGE);
        ASSERT_ERR(lsd_parse_timespan("999999999999d", &us), ERANGE);
}

TEST_MAIN(TEST_CASE(test_defaults_without_file), TEST_CASE(test_full_file_and_dropins),
          TEST_CASE(test_errors_name_file_line_key), TEST_CASE(test_long_lines_refused),
          TEST_CASE(test_true_line_numbers), TEST_CASE(test_not_regular_files), TEST_CASE(test_limit_keys),
          TEST_CASE(test_timespan))
