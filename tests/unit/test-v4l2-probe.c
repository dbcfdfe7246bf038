/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lanesight-probe as a user runs it: exit codes, errors, and a capture from a Y4M file. */

#include <fcntl.h>
#include <sys/wait.h>

#include "common/macro.h"
#include "tests/test.h"

#ifndef PROBE_PATH
#error "PROBE_PATH must name the lanesight-probe binary"
#endif

#ifndef PRELOAD_PATH
#error "PRELOAD_PATH must name the fake camera's LD_PRELOAD object"
#endif

/* Runs the probe with args and extra NAME=VALUE environment entries (NULL-terminated,
 * may be NULL); returns its exit status and its stdout (malloc'd). */
static int run_probe_env(const char *const *env, const char *const *args, char **ret_out) {
        int pipefd[2];
        ASSERT_EQ(pipe2(pipefd, O_CLOEXEC), 0);
        pid_t pid = fork();
        ASSERT_TRUE(pid >= 0);
        if (pid == 0) {
                const char *argv[16] = { PROBE_PATH };
                size_t n = 1;
                for (; args[n - 1] && n < 15; n++)
                        argv[n] = args[n - 1];
                argv[n] = NULL;
                for (const char *const *e = env; e && *e; e++)
                        putenv((char *) *e);
                dup2(pipefd[1], STDOUT_FILENO);
                int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
                dup2(devnull, STDERR_FILENO);
                execv(PROBE_PATH, (char *const *) argv);
                _exit(127);
        }
        close(pipefd[1]);
        size_t size = 0, cap = 4096;
        char *buf = malloc(cap);
        ASSERT_TRUE(buf);
        for (;;) {
                if (size + 1 >= cap) {
                        cap *= 2;
                        buf = realloc(buf, cap);
                        ASSERT_TRUE(buf);
                }
                ssize_t k = read(pipefd[0], buf + size, cap - size - 1);
                if (k <= 0)
                        break;
                size += (size_t) k;
        }
        buf[size] = 0;
        close(pipefd[0]);
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status));
        *ret_out = buf;
        return WEXITSTATUS(status);
}

static int run_probe(const char *const *args, char **ret_out) {
        return run_probe_env(NULL, args, ret_out);
}

/* With the fake camera preloaded: /dev/video0 and its links are simulated. */
#define FAKE_ENV(...) ((const char *const[]) { "LD_PRELOAD=" PRELOAD_PATH, \
                       "ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0", ##__VA_ARGS__, NULL })

static size_t count(const char *hay, const char *needle) {
        size_t n = 0;
        for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
                n++;
        return n;
}

static void test_usage(void) {
        char *out;
        ASSERT_EQ(run_probe((const char *[]) { "--help", NULL }, &out), 0);
        ASSERT_TRUE(strstr(out, "Usage: lanesight-probe"));
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { NULL }, &out), 2);
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "frobnicate", NULL }, &out), 2);
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "capture", "--bogus", NULL }, &out), 2);
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "capture", "--size", "12y34", NULL }, &out), 2);
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "capture", "--format", "XYZW", NULL }, &out), 2);
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "capture", "--buffers", "1", NULL }, &out), 2);
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "list", "extra", NULL }, &out), 2);
        free(out);
}

static void test_not_a_camera(void) {
        char *out;
        ASSERT_EQ(run_probe((const char *[]) { "capture", "--device", "/nonexistent/video0", NULL }, &out), 3);
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "capture", "--json", "--device", "/dev/null", NULL }, &out), 3);
        ASSERT_TRUE(strstr(out, "\"result\":\"error\""));
        ASSERT_TRUE(strstr(out, "\"error\":\"ENOTTY\""));
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "list", "--json", "--device", "/dev/null", NULL }, &out), 3);
        ASSERT_TRUE(strstr(out, "\"skipped\":[{\"node\":\"/dev/null\",\"error\":\"ENOTTY\""));
        free(out);
        ASSERT_EQ(run_probe((const char *[]) { "controls", "--device", "/dev/null", NULL }, &out), 3);
        free(out);
}

static void write_y4m(const char *path, unsigned frames) {
        FILE *f = fopen(path, "we");
        ASSERT_TRUE(f);
        fprintf(f, "YUV4MPEG2 W32 H16 F25:1 Ip A1:1 C420jpeg\n");
        for (unsigned i = 0; i < frames; i++) {
                fprintf(f, "FRAME\n");
                for (unsigned k = 0; k < 32 * 16; k++)
                        fputc((int) (i * 20), f);
                for (unsigned k = 0; k < 2 * 16 * 8; k++)
                        fputc(128, f);
        }
        ASSERT_EQ(fclose(f), 0);
}

static void test_file_capture(void) {
        char path[] = "/tmp/test-v4l2-probe-XXXXXX.y4m";
        int fd = mkstemps(path, 4);
        ASSERT_TRUE(fd >= 0);
        close(fd);
        write_y4m(path, 6);
        char dev[64];
        snprintf(dev, sizeof(dev), "file:%s", path);

        char *out;
        int rc = run_probe((const char *[]) { "capture", "--device", dev, "--unpaced", "--stats", "--json", "--frames", "0", NULL }, &out);
        ASSERT_EQ(rc, 0);
        /* One line per frame, in order, then the summary. */
        ASSERT_EQ(count(out, "\"type\":\"frame\""), 6);
        ASSERT_TRUE(strstr(out, "\"sequence\":5,"));
        ASSERT_TRUE(strstr(out, "\"bytesused\":768,\"fourcc\":\"NV12\",\"width\":32,\"height\":16"));
        ASSERT_TRUE(strstr(out, "\"type\":\"summary\""));
        ASSERT_TRUE(strstr(out, "\"frames\":6,"));
        ASSERT_TRUE(strstr(out, "\"result\":\"eof\""));
        ASSERT_TRUE(strstr(out, "\"dmabuf\":false"));
        free(out);

        /* Text mode, fewer frames than the file has. */
        rc = run_probe((const char *[]) { "capture", "--device", path, "--unpaced", "--stats", "-n", "2", NULL }, &out);
        ASSERT_EQ(rc, 0);
        ASSERT_TRUE(strstr(out, "frame 1 seq=1 "));
        ASSERT_TRUE(!strstr(out, "frame 2 "));
        ASSERT_TRUE(strstr(out, "2 frames in "));
        free(out);
        unlink(path);
}

static void test_fake_list(void) {
        char *out;
        ASSERT_EQ(run_probe_env(FAKE_ENV(), (const char *[]) { "list", "--json", "--device",
                                "/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0", NULL }, &out), 0);
        ASSERT_TRUE(strstr(out, "{\"cameras\":[{\"node\":\"/dev/video0\",\"path\":\"/dev/v4l/by-path/"));
        ASSERT_TRUE(strstr(out, "\"card\":\"Fake Camera\""));
        ASSERT_TRUE(strstr(out, "\"mplane\":false"));
        /* The fake's three formats in its order, each with its two sizes and two rates. */
        ASSERT_EQ(count(out, "\"fourcc\":"), 3);
        ASSERT_TRUE(strstr(out, "\"fourcc\":\"MJPG\",\"description\":\"fake format\",\"compressed\":true,"
                                "\"emulated\":false,\"gpu\":false,\"convert\":true"));
        ASSERT_EQ(count(out, "{\"type\":\"discrete\",\"width\":1280,\"height\":720,\"fps\":[30.000,15.000]}"), 3);
        /* Seven controls (class headers skipped), menus with their holes. */
        ASSERT_EQ(count(out, "\"key\":"), 7);
        ASSERT_TRUE(strstr(out, "\"key\":\"brightness\",\"type\":\"int\",\"min\":0,\"max\":255,\"step\":1,"
                                "\"default\":128,\"value\":128"));
        ASSERT_TRUE(strstr(out, "\"menu\":[{\"index\":1,\"name\":\"Manual Mode\"},{\"index\":3,"));
        ASSERT_TRUE(strstr(out, "\"skipped\":[]"));
        free(out);
}

static void test_fake_capture(void) {
        char *out;
        ASSERT_EQ(run_probe_env(FAKE_ENV(), (const char *[]) { "capture", "-d", "/dev/video0", "--size", "1280x720",
                                "--fps", "15", "--format", "NV12", "-n", "8", "--json", NULL }, &out), 0);
        ASSERT_TRUE(strstr(out, "\"format\":{\"fourcc\":\"NV12\",\"width\":1280,\"height\":720,\"fps\":15.000,"
                                "\"fps_num\":15,\"fps_den\":1,\"n_memory\":1,\"bytesperline\":[1280],"
                                "\"sizeimage\":[1382400]}"));
        ASSERT_TRUE(strstr(out, "\"dmabuf_requested\":true,\"dmabuf\":true,\"frames\":8,\"dropped\":0,"));
        /* The fake's clock advances 1/15 s per frame: the measured rate is exact. */
        ASSERT_TRUE(strstr(out, "\"fps\":15.000,\"delivered_fps\":15.000,"));
        ASSERT_TRUE(strstr(out, "\"result\":\"ok\""));
        free(out);

        ASSERT_EQ(run_probe_env(FAKE_ENV(), (const char *[]) { "capture", "-d", "/dev/video0", "--no-dmabuf", "-n", "3",
                                "--json", NULL }, &out), 0);
        ASSERT_TRUE(strstr(out, "\"dmabuf_requested\":false,\"dmabuf\":false,\"frames\":3,"));
        free(out);

        /* Multi-planar NV12M: two memory planes. */
        ASSERT_EQ(run_probe_env(FAKE_ENV("FAKE_CAMERA_MPLANE=1"), (const char *[]) { "capture", "-d", "/dev/video0",
                                "-f", "NM12", "-n", "3", "--json", NULL }, &out), 0);
        ASSERT_TRUE(strstr(out, "\"mplane\":true"));
        ASSERT_TRUE(strstr(out, "\"fourcc\":\"NM12\",\"width\":640,\"height\":480,"));
        ASSERT_TRUE(strstr(out, "\"n_memory\":2,\"bytesperline\":[640,640],\"sizeimage\":[307200,153600]"));
        free(out);

        /*
         * The fake's MJPEG frames do not decode: every one is an error. The capture ends either at the
         * timeout or, on a fast machine, when the stream gives up after a storm of undecodable frames.
         */
        ASSERT_EQ(run_probe_env(FAKE_ENV(), (const char *[]) { "capture", "-d", "/dev/video0", "-f", "MJPG", "-n", "2",
                                "--timeout", "100", "--json", NULL }, &out), 1);
        ASSERT_TRUE(strstr(out, "\"output_fourcc\":\"RGB3\",\"converted\":true"));
        ASSERT_TRUE(strstr(out, "\"frames\":0,"));
        ASSERT_TRUE(!strstr(out, "\"errors\":0,"));
        ASSERT_TRUE(strstr(out, "\"result\":\"timeout\",\"error\":\"ETIMEDOUT\"") ||
                    strstr(out, "\"result\":\"error\",\"error\":\"EAGAIN\""));
        free(out);
}

static void test_fake_unplug(void) {
        char *out;
        /* Without --reconnect: the capture ends, exit status 4. */
        ASSERT_EQ(run_probe_env(FAKE_ENV("FAKE_CAMERA_UNPLUG_AFTER=5"), (const char *[]) { "capture", "-d", "/dev/video0",
                                "-n", "20", "--json", NULL }, &out), 4);
        ASSERT_TRUE(strstr(out, "\"frames\":5,"));
        ASSERT_TRUE(strstr(out, "\"disconnects\":1,\"reconnects\":0,\"events\":[{\"event\":\"disconnected\""));
        ASSERT_TRUE(strstr(out, "\"error\":\"ENODEV\"}],\"result\":\"disconnected\",\"error\":\"ENODEV\""));
        free(out);

        /* With it: back 200 ms later, same format, all frames. */
        ASSERT_EQ(run_probe_env(FAKE_ENV("FAKE_CAMERA_UNPLUG_AFTER=5", "FAKE_CAMERA_REPLUG_MS=200"), (const char *[]) {
                                "capture", "-d", "/dev/video0", "--size", "1280x720", "-n", "20", "--reconnect", "5",
                                "--json", NULL }, &out), 0);
        ASSERT_TRUE(strstr(out, "\"format\":{\"fourcc\":\"YUYV\",\"width\":1280,\"height\":720,"));
        ASSERT_TRUE(strstr(out, "\"frames\":20,"));
        ASSERT_TRUE(strstr(out, "\"disconnects\":1,\"reconnects\":1,\"events\":[{\"event\":\"disconnected\""));
        ASSERT_TRUE(strstr(out, "{\"event\":\"reconnected\","));
        ASSERT_TRUE(strstr(out, "\"result\":\"ok\""));
        const char *d = strstr(out, "\"downtime_s\":");
        ASSERT_TRUE(d);
        double downtime = strtod(d + strlen("\"downtime_s\":"), NULL);
        ASSERT_TRUE(downtime >= 0.19 && downtime < 2.0);
        free(out);

        /* Not back in time. */
        ASSERT_EQ(run_probe_env(FAKE_ENV("FAKE_CAMERA_UNPLUG_AFTER=5", "FAKE_CAMERA_REPLUG_MS=5000"), (const char *[]) {
                                "capture", "-d", "/dev/video0", "-n", "20", "--reconnect", "0.3", NULL }, &out), 4);
        ASSERT_TRUE(strstr(out, "disconnected after "));
        free(out);
}

static void test_fake_controls(void) {
        char *out;
        ASSERT_EQ(run_probe_env(FAKE_ENV(), (const char *[]) { "controls", "-d", "/dev/video0", "--json", "gain=5",
                                "exposure_time_absolute=0x100", NULL }, &out), 0);
        ASSERT_TRUE(strstr(out, "\"key\":\"gain\",\"type\":\"int\",\"min\":0,\"max\":100,\"step\":1,"
                                "\"default\":10,\"value\":5,"));
        ASSERT_TRUE(strstr(out, "\"key\":\"exposure_time_absolute\"") &&
                    strstr(strstr(out, "\"key\":\"exposure_time_absolute\""), "\"value\":256,"));
        ASSERT_EQ(count(out, "\"key\":"), 2);
        ASSERT_TRUE(strstr(out, "\"set\":[{\"name\":\"gain\",\"value\":5,\"error\":null},"));
        free(out);
        ASSERT_EQ(run_probe_env(FAKE_ENV(), (const char *[]) { "controls", "-d", "/dev/video0", "--json", "zoom=3",
                                "brightness=300", "pixel_rate=1", "gain=x", NULL }, &out), 1);
        ASSERT_TRUE(strstr(out, "{\"name\":\"zoom\",\"value\":3,\"error\":\"ENOENT\"}"));
        ASSERT_TRUE(strstr(out, "{\"name\":\"brightness\",\"value\":300,\"error\":\"ERANGE\"}"));
        ASSERT_TRUE(strstr(out, "{\"name\":\"pixel_rate\",\"value\":1,\"error\":\"EACCES\"}"));
        ASSERT_TRUE(strstr(out, "{\"name\":\"gain=x\",\"error\":\"EINVAL\"}"));
        free(out);
        /* capture --set goes through the camera and fails loudly for an unknown control. */
        ASSERT_EQ(run_probe_env(FAKE_ENV(), (const char *[]) { "capture", "-d", "/dev/video0", "--set", "zoom=1",
                                "-n", "1", NULL }, &out), 1);
        free(out);
}

TEST_MAIN(TEST_CASE(test_usage), TEST_CASE(test_not_a_camera), TEST_CASE(test_file_capture),
          TEST_CASE(test_fake_list), TEST_CASE(test_fake_capture), TEST_CASE(test_fake_unplug),
          TEST_CASE(test_fake_controls))
