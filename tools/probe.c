/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesight-probe: the admin's view of the cameras.
 *
 *   lanesight-probe list [--device DEV] [--json]
 *   lanesight-probe controls [--device DEV] [--json] [NAME[=VALUE]...]
 *   lanesight-probe capture [--device DEV] [--frames N] [--size WxH] [--fps N] [--format FOURCC[,FOURCC...]]
 *                           [--buffers N] [--no-dmabuf] [--no-convert] [--set NAME=VALUE]... [--timeout MS]
 *                           [--reconnect SECONDS] [--stats] [--unpaced] [--loop] [--json]
 *
 * DEV is a node (/dev/video0), a stable link (/dev/v4l/by-id/..., /dev/v4l/by-path/...) or, for capture,
 * a Y4M file (file:PATH or PATH.y4m). Full description: docs/lanesight-probe.md.
 *
 * Exit status: 0 success; 1 failure (I/O error, timeout, negotiation failed); 2 usage error;
 * 3 no such device, or not a video capture node; 4 the camera disconnected and did not come back
 * (within --reconnect SECONDS).
 *
 * JSON output (--json): one object on one line.
 *  list:     {"cameras":[CAMERA...],"skipped":[{"node","error","reason"}...]}
 *            CAMERA = {"node","path","links":[...],"driver","card","bus_info","caps" (hex string),
 *                      "mplane" (bool),"formats":[FORMAT...],"controls":[CONTROL...]}
 *            FORMAT = {"fourcc","description","compressed","emulated","gpu" (read directly, zero-copy),
 *                      "convert" (libv4lconvert turns it into RGB24),"sizes":[SIZE...]}
 *            SIZE   = {"type":"discrete","width","height","fps":[30,15...]} or
 *                     {"type":"stepwise"|"continuous","min_width","min_height","max_width","max_height",
 *                      "step_width","step_height"}; "fps" lists 1/interval for discrete intervals,
 *                      "fps_min"/"fps_max" for stepwise ones.
 *  controls: {"node","controls":[CONTROL...],"set":[{"name","value","error" (null, or the errno name:
 *            ENOENT no such control, ERANGE out of range, EACCES read-only, EINVAL unparsable)}...]}
 *            (values read after applying the sets)
 *            CONTROL = {"id","name","key","type","min","max","step","default","value" (absent when
 *                       unreadable),"read_only","inactive","menu":[{"index","name"}...] (menus only)}
 *  capture:  {"type":"summary","device","node","driver","card","bus_info","mplane",
 *             "requested":{"width","height","fps","formats":[...]},
 *             "format":{"fourcc","width","height","fps","fps_num","fps_den","n_memory","bytesperline":[..],
 *                       "sizeimage":[..]} (what the driver granted),
 *             "output_fourcc" (handed-out frames), "converted" (bool), "buffers", "dmabuf_requested",
 *             "dmabuf" (EXPBUF worked), "frames","dropped" (newest-frame-wins drops),"sequence_gaps"
 *             (driver-side drops seen in sequence numbers),"errors","bytes_copied","duration_s"
 *             (wall clock),"fps" (the camera's rate: sequence numbers advanced per second of frame
 *             timestamps, over the streaming periods, so frames dropped by either side still count),
 *             "delivered_fps" (frames handed to the probe per second of frame timestamps),
 *             "disconnects","reconnects","events":[{"event":"disconnected","t_s","error"} |
 *             {"event":"reconnected","t_s","downtime_s","node"}],"result":"ok"|"eof"|"disconnected"|
 *             "timeout"|"interrupted"|"error","error" (errno name, on failure)}
 *            With --stats each frame is first printed as its own line:
 *            {"type":"frame","n","index","sequence","timestamp_ns","bytesused" (sum over memory planes),
 *             "fourcc","width","height","flags":["error","copied"]}
 */

#include <fcntl.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <time.h>

#include "common/macro.h"
#include "v4l2/camera.h"
#include "v4l2/controls.h"
#include "v4l2/device.h"
#include "v4l2/file-source.h"
#include "v4l2/format.h"
#include "v4l2/monitor.h"
#include "v4l2/stream.h"

enum {
        EXIT_FAIL = 1,
        EXIT_USAGE = 2,
        EXIT_NODEV = 3,
        EXIT_DISCONNECTED = 4,
};

#define MAX_SETS 16
#define MAX_FOURCCS 8

struct options {
        const char *command;
        const char *device;
        bool json, stats, no_dmabuf, no_convert, unpaced, loop;
        uint64_t frames;
        uint32_t width, height, fps, buffers;
        uint32_t fourccs[MAX_FOURCCS];
        size_t n_fourccs;
        const char *sets[MAX_SETS];
        size_t n_sets;
        int timeout_ms;
        double reconnect_s;
        char **args;
        int n_args;
};

/* ---- a small JSON writer ---- */

struct json {
        FILE *f;
        int depth;
        bool comma[32];
};

static void j_key(struct json *j, const char *key) {
        if (j->comma[j->depth])
                fputc(',', j->f);
        j->comma[j->depth] = true;
        if (key)
                fprintf(j->f, "\"%s\":", key);  /* keys are literals in this file */
}

static void j_raw_str(FILE *f, const char *s) {
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\u%04x", *p);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

static void j_open(struct json *j, const char *key, char c) {
        j_key(j, key);
        fputc(c, j->f);
        if (j->depth < 31)
                j->depth++;
        j->comma[j->depth] = false;
}

static void j_close(struct json *j, char c) {
        fputc(c, j->f);
        if (j->depth > 0)
                j->depth--;
}

#define j_obj(j, key) j_open(j, key, '{')
#define j_obj_end(j) j_close(j, '}')
#define j_arr(j, key) j_open(j, key, '[')
#define j_arr_end(j) j_close(j, ']')

static void j_str(struct json *j, const char *key, const char *v) {
        j_key(j, key);
        if (v)
                j_raw_str(j->f, v);
        else
                fputs("null", j->f);
}

static void j_int(struct json *j, const char *key, int64_t v) {
        j_key(j, key);
        fprintf(j->f, "%" PRId64, v);
}

static void j_uint(struct json *j, const char *key, uint64_t v) {
        j_key(j, key);
        fprintf(j->f, "%" PRIu64, v);
}

static void j_bool(struct json *j, const char *key, bool v) {
        j_key(j, key);
        fputs(v ? "true" : "false", j->f);
}

static void j_double(struct json *j, const char *key, double v) {
        j_key(j, key);
        if (isfinite(v))
                fprintf(j->f, "%.3f", v);
        else
                fputs("null", j->f);
}

static void j_end(struct json *j) {
        fputc('\n', j->f);
        fflush(j->f);
}

/* ---- helpers ---- */

static const char *errno_name(int r) {
        return strerrorname_np(r < 0 ? -r : r) ?: "EIO";
}

static uint64_t now_ns(void) {
        struct timespec ts;
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * UINT64_C(1000000000) + (uint64_t) ts.tv_nsec;
}

static int exit_code_for(int r) {
        switch (-r) {
        case ENOENT:
        case ENOTTY:
        case EMEDIUMTYPE:
        case ENXIO:
                return EXIT_NODEV;
        case ENODEV:
                return EXIT_DISCONNECTED;
        default:
                return EXIT_FAIL;
        }
}

static const char *open_error_reason(int r) {
        switch (-r) {
        case EMEDIUMTYPE: return "not a video capture node";
        case ENOTTY: return "not a V4L2 device";
        case ENOENT: return "no such device";
        case EACCES: return "permission denied";
        case EBUSY: return "device busy";
        default: return strerror(-r);
        }
}

static int open_device(const char *path, struct cam_device **ret) {
        return cam_device_open(&(struct cam_device_params) { .path = path }, ret);
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *ret) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

static double fps_of(uint32_t num, uint32_t den) {
        return den ? (double) num / den : 0.0;
}

/* Capture nodes in the order list and capture look at them: sd-device, or /dev/video* without udev/sysfs. */
static int discover_nodes(char ***ret, size_t *ret_n, char ****ret_links) {
        struct cam_node_info *nodes = NULL;
        size_t n = 0;
        char **list = NULL, ***links = NULL;
        int r = cam_enumerate_nodes(&nodes, &n);

        if (r >= 0 && n > 0) {
                list = calloc(n + 1, sizeof(char *));
                links = calloc(n + 1, sizeof(char **));
                if (!list || !links) {
                        free(list);
                        free(links);
                        cam_node_info_array_free(nodes, n);
                        return -ENOMEM;
                }
                for (size_t i = 0; i < n; i++) {
                        list[i] = TAKE_PTR(nodes[i].devnode);
                        links[i] = TAKE_PTR(nodes[i].devlinks);
                }
                cam_node_info_array_free(nodes, n);
                *ret = list;
                *ret_n = n;
                *ret_links = links;
                return 0;
        }
        cam_node_info_array_free(nodes, n);

        glob_t g = {};
        r = glob("/dev/video*", 0, NULL, &g);
        n = r == 0 ? g.gl_pathc : 0;
        list = calloc(n + 1, sizeof(char *));
        links = calloc(n + 1, sizeof(char **));
        if (!list || !links) {
                free(list);
                free(links);
                globfree(&g);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                list[i] = strdup(g.gl_pathv[i]);
        globfree(&g);
        *ret = list;
        *ret_n = n;
        *ret_links = links;
        return 0;
}

static void free_nodes(char **list, size_t n, char ***links) {
        for (size_t i = 0; i < n; i++) {
                free(list[i]);
                for (char **l = links[i]; l && *l; l++)
                        free(*l);
                free(links[i]);
        }
        free(list);
        free(links);
}

/* The first node that opens as a capture device. */
static int find_first_camera(char **ret) {
        char **nodes = NULL, ***links = NULL;
        size_t n = 0;
        int r = discover_nodes(&nodes, &n, &links);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < n; i++) {
                struct cam_device *d = NULL;
                if (open_device(nodes[i], &d) < 0)
                        continue;
                cam_device_free(d);
                *ret = strdup(nodes[i]);
                r = *ret ? 0 : -ENOMEM;
                break;
        }
        free_nodes(nodes, n, links);
        return r;
}

/* ---- list ---- */

static void print_rates_text(const struct cam_frame_size *s) {
        if (s->interval_type == V4L2_FRMIVAL_TYPE_DISCRETE) {
                printf(" @");
                for (size_t k = 0; k < s->n_intervals; k++)
                        printf("%s %.3g", k ? "," : "", fps_of(s->intervals[k].denominator, s->intervals[k].numerator));
                printf(" fps");
        } else if (s->n_intervals == 3)
                printf(" @ %.3g-%.3g fps", fps_of(s->intervals[1].denominator, s->intervals[1].numerator),
                       fps_of(s->intervals[0].denominator, s->intervals[0].numerator));
}

static void json_rates(struct json *j, const struct cam_frame_size *s) {
        if (s->interval_type == V4L2_FRMIVAL_TYPE_DISCRETE) {
                j_arr(j, "fps");
                for (size_t k = 0; k < s->n_intervals; k++)
                        j_double(j, NULL, fps_of(s->intervals[k].denominator, s->intervals[k].numerator));
                j_arr_end(j);
        } else if (s->n_intervals == 3) {
                j_double(j, "fps_min", fps_of(s->intervals[1].denominator, s->intervals[1].numerator));
                j_double(j, "fps_max", fps_of(s->intervals[0].denominator, s->intervals[0].numerator));
        }
}

static void json_formats(struct json *j, const struct cam_format_list *l) {
        j_arr(j, "formats");
        for (size_t i = 0; i < l->n; i++) {
                const struct cam_format_desc *f = &l->formats[i];
                const struct cam_format_info *info = cam_format_info_lookup(f->fourcc);
                j_obj(j, NULL);
                j_str(j, "fourcc", CAM_FOURCC_STR(f->fourcc));
                j_str(j, "description", f->description);
                j_bool(j, "compressed", f->v4l2_flags & V4L2_FMT_FLAG_COMPRESSED);
                j_bool(j, "emulated", f->v4l2_flags & V4L2_FMT_FLAG_EMULATED);
                j_bool(j, "gpu", info && (info->flags & CAM_FMT_GPU));
                j_bool(j, "convert", info && (info->flags & CAM_FMT_CONVERT));
                j_arr(j, "sizes");
                for (size_t k = 0; k < f->n_sizes; k++) {
                        const struct cam_frame_size *s = &f->sizes[k];
                        j_obj(j, NULL);
                        if (s->type == V4L2_FRMSIZE_TYPE_DISCRETE) {
                                j_str(j, "type", "discrete");
                                j_uint(j, "width", s->width);
                                j_uint(j, "height", s->height);
                                json_rates(j, s);
                        } else {
                                j_str(j, "type", s->type == V4L2_FRMSIZE_TYPE_STEPWISE ? "stepwise" : "continuous");
                                j_uint(j, "min_width", s->width);
                                j_uint(j, "min_height", s->height);
                                j_uint(j, "max_width", s->max_width);
                                j_uint(j, "max_height", s->max_height);
                                j_uint(j, "step_width", s->step_width);
                                j_uint(j, "step_height", s->step_height);
                        }
                        j_obj_end(j);
                }
                j_arr_end(j);
                j_obj_end(j);
        }
        j_arr_end(j);
}

static void text_formats(const struct cam_format_list *l) {
        printf("  formats:\n");
        for (size_t i = 0; i < l->n; i++) {
                const struct cam_format_desc *f = &l->formats[i];
                const struct cam_format_info *info = cam_format_info_lookup(f->fourcc);
                printf("    %-5s '%s'%s\n", CAM_FOURCC_STR(f->fourcc), f->description,
                       !info ? " (unknown to lanesight)" : info->flags & CAM_FMT_GPU ? " (zero-copy)"
                       : info->flags & CAM_FMT_CONVERT ? " (converted)" : " (unusable)");
                for (size_t k = 0; k < f->n_sizes; k++) {
                        const struct cam_frame_size *s = &f->sizes[k];
                        if (s->type == V4L2_FRMSIZE_TYPE_DISCRETE) {
                                printf("      %ux%u", s->width, s->height);
                                print_rates_text(s);
                        } else
                                printf("      %ux%u - %ux%u, step %ux%u", s->width, s->height, s->max_width, s->max_height,
                                       s->step_width, s->step_height);
                        printf("\n");
                }
        }
}

static void json_controls(struct json *j, const struct cam_control_list *l) {
        j_arr(j, "controls");
        for (size_t i = 0; i < l->n; i++) {
                const struct cam_control *c = &l->controls[i];
                j_obj(j, NULL);
                j_uint(j, "id", c->id);
                j_str(j, "name", c->name);
                j_str(j, "key", c->key);
                j_str(j, "type", cam_control_type_to_string(c->type));
                j_int(j, "min", c->minimum);
                j_int(j, "max", c->maximum);
                j_int(j, "step", c->step);
                j_int(j, "default", c->default_value);
                if (c->has_value)
                        j_int(j, "value", c->value);
                j_bool(j, "read_only", c->flags & V4L2_CTRL_FLAG_READ_ONLY);
                j_bool(j, "inactive", c->flags & V4L2_CTRL_FLAG_INACTIVE);
                if (c->n_menu) {
                        j_arr(j, "menu");
                        for (size_t k = 0; k < c->n_menu; k++) {
                                j_obj(j, NULL);
                                j_int(j, "index", c->menu[k].index);
                                j_str(j, "name", c->menu[k].name);
                                j_obj_end(j);
                        }
                        j_arr_end(j);
                }
                j_obj_end(j);
        }
        j_arr_end(j);
}

static void text_controls(const struct cam_control_list *l) {
        printf("  controls:\n");
        for (size_t i = 0; i < l->n; i++) {
                const struct cam_control *c = &l->controls[i];
                printf("    %-28s %-7s %" PRId64 "..%" PRId64, c->key, cam_control_type_to_string(c->type), c->minimum,
                       c->maximum);
                if (c->step > 1)
                        printf(" step %" PRId64, c->step);
                printf(" default %" PRId64, c->default_value);
                if (c->has_value)
                        printf(" = %" PRId64, c->value);
                if (c->flags & V4L2_CTRL_FLAG_READ_ONLY)
                        printf(" (read-only)");
                if (c->flags & V4L2_CTRL_FLAG_INACTIVE)
                        printf(" (inactive)");
                for (size_t k = 0; k < c->n_menu; k++)
                        printf("%s %" PRId64 " '%s'", k ? "," : ":", c->menu[k].index, c->menu[k].name);
                printf("\n");
        }
}

static int list_one(struct json *j, const char *node, char **links, bool json) {
        _cleanup_(cam_device_freep) struct cam_device *d = NULL;
        _cleanup_(cam_format_list_freep) struct cam_format_list *formats = NULL;
        _cleanup_(cam_control_list_freep) struct cam_control_list *controls = NULL;
        int r;

        r = open_device(node, &d);
        if (r < 0)
                return r;
        r = cam_format_enumerate(d, &formats);
        if (r < 0)
                return r;
        r = cam_control_list_new(d, &controls);
        if (r < 0)
                return r;

        if (json) {
                char caps[16];
                snprintf(caps, sizeof(caps), "0x%08x", cam_device_caps(d));
                j_obj(j, NULL);
                j_str(j, "node", cam_device_node(d));
                j_str(j, "path", node);
                j_arr(j, "links");
                for (char **l = links; l && *l; l++)
                        j_str(j, NULL, *l);
                j_arr_end(j);
                j_str(j, "driver", cam_device_driver(d));
                j_str(j, "card", cam_device_card(d));
                j_str(j, "bus_info", cam_device_bus_info(d));
                j_str(j, "caps", caps);
                j_bool(j, "mplane", cam_device_is_mplane(d));
                json_formats(j, formats);
                json_controls(j, controls);
                j_obj_end(j);
                return 0;
        }
        printf("%s: %s '%s' (%s)%s\n", cam_device_node(d), cam_device_driver(d), cam_device_card(d),
               cam_device_bus_info(d), cam_device_is_mplane(d) ? ", multi-planar" : "");
        for (char **l = links; l && *l; l++)
                printf("  link: %s\n", *l);
        text_formats(formats);
        text_controls(controls);
        return 0;
}

static int cmd_list(const struct options *o) {
        struct json j = { .f = stdout };
        char **nodes = NULL, ***links = NULL;
        size_t n = 0, found = 0;
        int r, ret = 0;

        if (o->device) {
                nodes = calloc(2, sizeof(char *));
                links = calloc(2, sizeof(char **));
                if (!nodes || !links || !(nodes[0] = strdup(o->device))) {
                        free_nodes(nodes, nodes ? 1 : 0, links);
                        return EXIT_FAIL;
                }
                n = 1;
        } else {
                r = discover_nodes(&nodes, &n, &links);
                if (r < 0) {
                        fprintf(stderr, "Failed to enumerate video devices: %s\n", strerror(-r));
                        return EXIT_FAIL;
                }
        }

        if (o->json) {
                j_obj(&j, NULL);
                j_arr(&j, "cameras");
        }
        /* Two passes in JSON mode so cameras and skipped nodes land in separate arrays. */
        int *errs = calloc(n + 1, sizeof(int));
        if (!errs) {
                free_nodes(nodes, n, links);
                return EXIT_FAIL;
        }
        for (size_t i = 0; i < n; i++) {
                errs[i] = list_one(&j, nodes[i], links[i], o->json);
                if (errs[i] >= 0)
                        found++;
                else if (!o->json)
                        printf("%s: skipped: %s\n", nodes[i], open_error_reason(errs[i]));
        }
        if (o->json) {
                j_arr_end(&j);
                j_arr(&j, "skipped");
                for (size_t i = 0; i < n; i++) {
                        if (errs[i] >= 0)
                                continue;
                        j_obj(&j, NULL);
                        j_str(&j, "node", nodes[i]);
                        j_str(&j, "error", errno_name(errs[i]));
                        j_str(&j, "reason", open_error_reason(errs[i]));
                        j_obj_end(&j);
                }
                j_arr_end(&j);
                j_obj_end(&j);
                j_end(&j);
        }
        if (o->device && errs[0] < 0) {
                if (!o->json)
                        fprintf(stderr, "Cannot use '%s': %s\n", o->device, open_error_reason(errs[0]));
                ret = exit_code_for(errs[0]);
        } else if (found == 0) {
                if (!o->json)
                        fprintf(stderr, "No video capture device found.\n");
                ret = EXIT_NODEV;
        }
        free(errs);
        free_nodes(nodes, n, links);
        return ret;
}

/* ---- controls ---- */

/* Splits NAME=VALUE; name needs 64 bytes. */
static int parse_set(const char *spec, char *name, int64_t *ret_value) {
        const char *eq = strchr(spec, '=');
        char *end;
        if (!eq || eq == spec || eq - spec >= 64)
                return -EINVAL;
        memcpy(name, spec, (size_t) (eq - spec));
        name[eq - spec] = 0;
        errno = 0;
        long long v = strtoll(eq + 1, &end, 0);
        if (errno || end == eq + 1 || *end)
                return -EINVAL;
        *ret_value = v;
        return 0;
}

/* Applies NAME=VALUE; returns 0 or -errno. */
static int apply_set(struct cam_device *d, const char *spec) {
        char name[64];
        int64_t v;
        int r = parse_set(spec, name, &v);
        return r < 0 ? r : cam_control_set_by_name(d, name, v);
}

static int cmd_controls(const struct options *o) {
        _cleanup_(cam_device_freep) struct cam_device *d = NULL;
        _cleanup_(cam_control_list_freep) struct cam_control_list *l = NULL;
        _cleanup_free_ char *first = NULL;
        struct json j = { .f = stdout };
        int r, failed = 0;
        int errs[64] = {};

        const char *dev = o->device;
        if (!dev) {
                r = find_first_camera(&first);
                if (r < 0) {
                        fprintf(stderr, "No video capture device found.\n");
                        return EXIT_NODEV;
                }
                dev = first;
        }
        r = open_device(dev, &d);
        if (r < 0) {
                fprintf(stderr, "Cannot open '%s': %s\n", dev, open_error_reason(r));
                return exit_code_for(r);
        }
        int n_args = MIN(o->n_args, 64);
        for (int i = 0; i < n_args; i++) {
                if (!strchr(o->args[i], '='))
                        continue;
                errs[i] = apply_set(d, o->args[i]);
                if (errs[i] < 0) {
                        failed++;
                        if (!o->json)
                                fprintf(stderr, "Failed to set '%s': %s\n", o->args[i],
                                        errs[i] == -ENOENT ? "no such control" : strerror(-errs[i]));
                }
        }
        r = cam_control_list_new(d, &l);
        if (r < 0) {
                fprintf(stderr, "Failed to list controls of '%s': %s\n", dev, strerror(-r));
                return EXIT_FAIL;
        }
        /* Only the named controls when names were given. */
        if (n_args > 0) {
                size_t k = 0;
                for (size_t i = 0; i < l->n; i++) {
                        bool want = false;
                        for (int a = 0; a < n_args && !want; a++) {
                                char name[64];
                                snprintf(name, sizeof(name), "%.*s", (int) strcspn(o->args[a], "="), o->args[a]);
                                struct cam_control_list one = { .n = 1, .controls = &l->controls[i] };
                                want = cam_control_list_find(&one, name) != NULL;
                        }
                        if (want) {
                                struct cam_control tmp = l->controls[k];
                                l->controls[k++] = l->controls[i];
                                l->controls[i] = tmp;
                        }
                }
                for (size_t i = k; i < l->n; i++)
                        free(l->controls[i].menu);
                l->n = k;
        }
        if (o->json) {
                j_obj(&j, NULL);
                j_str(&j, "node", cam_device_node(d));
                json_controls(&j, l);
                j_arr(&j, "set");
                for (int i = 0; i < n_args; i++) {
                        if (!strchr(o->args[i], '='))
                                continue;
                        char name[64] = "";
                        int64_t v = 0;
                        bool parsed = parse_set(o->args[i], name, &v) >= 0;
                        j_obj(&j, NULL);
                        j_str(&j, "name", parsed ? name : o->args[i]);
                        if (parsed)
                                j_int(&j, "value", v);
                        j_str(&j, "error", errs[i] < 0 ? errno_name(errs[i]) : NULL);
                        j_obj_end(&j);
                }
                j_arr_end(&j);
                j_obj_end(&j);
                j_end(&j);
        } else {
                printf("%s: %s '%s'\n", cam_device_node(d), cam_device_driver(d), cam_device_card(d));
                text_controls(l);
        }
        return failed ? EXIT_FAIL : 0;
}

/* ---- capture ---- */

#define MAX_EVENTS 32

struct capture_event {
        bool reconnected;
        double t_s, downtime_s;
        int error;
        char node[64];
};

struct capture {
        const struct options *o;
        struct cam_camera *camera;      /* a V4L2 camera ... */
        struct cam_source *file;        /* ... or a Y4M file */
        int last_state_error;
        int sigfd;
        uint64_t start_ns;

        uint64_t frames, gaps;
        uint64_t seg_frames, seg_first_ns, seg_last_ns, intervals, interval_ns;
        uint32_t seg_first_seq;
        uint64_t seq_intervals;         /* sequence steps over the streaming periods: the camera's frames */
        uint32_t last_seq;
        bool have_seq;
        unsigned disconnects, reconnects;
        struct capture_event events[MAX_EVENTS];
        unsigned n_events;
        bool dmabuf;
        struct cam_source_info info;
};

static void on_state(struct cam_camera *c, enum cam_camera_state s, int reason, void *userdata) {
        struct capture *cap = userdata;
        if (s == CAM_CAMERA_DISCONNECTED)
                cap->last_state_error = reason;
}

static void on_hotplug(const struct cam_hotplug_event *ev, void *userdata) {
        struct capture *cap = userdata;
        (void) cam_camera_hotplug(cap->camera, ev);
}

static struct cam_source *capture_source(struct capture *cap) {
        return cap->file ?: cam_camera_get_source(cap->camera);
}

static void end_segment(struct capture *cap) {
        if (cap->seg_frames > 1) {
                cap->intervals += cap->seg_frames - 1;
                cap->interval_ns += cap->seg_last_ns - cap->seg_first_ns;
                if (cap->last_seq >= cap->seg_first_seq)
                        cap->seq_intervals += cap->last_seq - cap->seg_first_seq;
        }
        cap->seg_frames = 0;
        cap->have_seq = false;
}

static void print_frame(struct capture *cap, const struct cam_frame *f) {
        size_t used = 0;
        for (uint32_t m = 0; m < f->n_memory; m++)
                used += f->memory[m].bytesused;
        if (cap->o->json) {
                struct json j = { .f = stdout };
                j_obj(&j, NULL);
                j_str(&j, "type", "frame");
                j_uint(&j, "n", cap->frames);
                j_uint(&j, "index", f->index);
                j_uint(&j, "sequence", f->sequence);
                j_uint(&j, "timestamp_ns", f->timestamp_ns);
                j_uint(&j, "bytesused", used);
                j_str(&j, "fourcc", CAM_FOURCC_STR(f->fourcc));
                j_uint(&j, "width", f->width);
                j_uint(&j, "height", f->height);
                j_arr(&j, "flags");
                if (f->flags & CAM_FRAME_ERROR)
                        j_str(&j, NULL, "error");
                if (f->flags & CAM_FRAME_COPIED)
                        j_str(&j, NULL, "copied");
                j_arr_end(&j);
                j_obj_end(&j);
                j_end(&j);
        } else
                printf("frame %" PRIu64 " seq=%u ts=%.6f bytesused=%zu fourcc=%s size=%ux%u index=%u%s%s\n", cap->frames,
                       f->sequence, (double) f->timestamp_ns / 1e9, used, CAM_FOURCC_STR(f->fourcc), f->width, f->height,
                       f->index, f->flags & CAM_FRAME_ERROR ? " error" : "", f->flags & CAM_FRAME_COPIED ? " copied" : "");
}

static void account_frame(struct capture *cap, const struct cam_frame *f) {
        if (cap->seg_frames == 0) {
                cap->seg_first_ns = f->timestamp_ns;
                cap->seg_first_seq = f->sequence;
        }
        cap->seg_last_ns = f->timestamp_ns;
        cap->seg_frames++;
        if (cap->have_seq && f->sequence > cap->last_seq + 1)
                cap->gaps += f->sequence - cap->last_seq - 1;
        cap->last_seq = f->sequence;
        cap->have_seq = true;
        if (cap->o->stats)
                print_frame(cap, f);
        cap->frames++;
}

static bool interrupted(struct capture *cap) {
        struct pollfd p = { .fd = cap->sigfd, .events = POLLIN };
        return cap->sigfd >= 0 && poll(&p, 1, 0) > 0;
}

static void add_event(struct capture *cap, bool reconnected, int error, double downtime) {
        if (cap->n_events >= MAX_EVENTS)
                return;
        struct capture_event *e = &cap->events[cap->n_events++];
        *e = (struct capture_event) { .reconnected = reconnected, .error = error, .downtime_s = downtime,
                                      .t_s = (double) (now_ns() - cap->start_ns) / 1e9 };
        const char *node = cap->camera ? cam_camera_get_node(cap->camera) : NULL;
        snprintf(e->node, sizeof(e->node), "%s", node ?: "");
        if (!cap->o->json) {
                if (reconnected)
                        printf("reconnected after %.3f s (%s)\n", downtime, e->node);
                else
                        printf("disconnected after %.3f s: %s\n", e->t_s, strerror(error < 0 ? -error : error));
                fflush(stdout);
        }
}

/* Waits up to --reconnect seconds for the camera to come back. 0: back, -ENODEV: not back, -EINTR. */
static int wait_reconnect(struct capture *cap, sd_event *event) {
        uint64_t deadline = now_ns() + (uint64_t) (cap->o->reconnect_s * 1e9);
        while (now_ns() < deadline) {
                if (interrupted(cap))
                        return -EINTR;
                /* udev add events reopen at once; without udev the timer retry below does. */
                if (event)
                        (void) sd_event_run(event, 100 * 1000);
                else
                        (void) usleep(100 * 1000);
                if (cam_camera_get_state(cap->camera) != CAM_CAMERA_STREAMING)
                        (void) cam_camera_try_reopen(cap->camera);
                if (cam_camera_get_state(cap->camera) == CAM_CAMERA_STREAMING)
                        return 0;
        }
        return -ENODEV;
}

static void print_summary(struct capture *cap, const struct cam_format_granted *g, const char *result, int error) {
        const struct options *o = cap->o;
        struct cam_source_stats st = {};
        struct cam_device *d = cap->camera ? cam_camera_get_device(cap->camera) : NULL;
        double duration = (double) (now_ns() - cap->start_ns) / 1e9;
        double delivered = cap->interval_ns ? (double) cap->intervals * 1e9 / (double) cap->interval_ns : 0.0;
        double fps = cap->interval_ns ? (double) cap->seq_intervals * 1e9 / (double) cap->interval_ns : 0.0;
        if (cap->camera)
                cam_camera_get_stats(cap->camera, &st);
        else if (cap->file)
                cam_source_get_stats(cap->file, &st);

        if (!o->json) {
                if (error < 0)
                        fprintf(stderr, "Capture ended: %s (%s)\n", result, strerror(-error));
                printf("%" PRIu64 " frames in %.2f s: camera %.2f fps, delivered %.2f fps, %" PRIu64 " dropped, %" PRIu64
                       " sequence gaps, %" PRIu64 " errors, %" PRIu64 " bytes copied, dma-buf: %s", cap->frames, duration,
                       fps, delivered, st.dropped, cap->gaps, st.errors, st.bytes_copied, cap->dmabuf ? "yes" : "no");
                if (cap->disconnects)
                        printf(", %u disconnects, %u reconnects", cap->disconnects, cap->reconnects);
                printf("\n");
                return;
        }
        struct json j = { .f = stdout };
        j_obj(&j, NULL);
        j_str(&j, "type", "summary");
        j_str(&j, "device", o->device);
        if (cap->camera) {
                j_str(&j, "node", cam_camera_get_node(cap->camera));
                j_str(&j, "driver", d ? cam_device_driver(d) : NULL);
                j_str(&j, "card", d ? cam_device_card(d) : NULL);
                j_str(&j, "bus_info", d ? cam_device_bus_info(d) : NULL);
                j_bool(&j, "mplane", g && g->mplane);
        } else {
                j_str(&j, "node", NULL);
                j_str(&j, "driver", "file");
        }
        j_obj(&j, "requested");
        j_uint(&j, "width", o->width);
        j_uint(&j, "height", o->height);
        j_uint(&j, "fps", o->fps);
        j_arr(&j, "formats");
        for (size_t i = 0; i < o->n_fourccs; i++)
                j_str(&j, NULL, CAM_FOURCC_STR(o->fourccs[i]));
        j_arr_end(&j);
        j_obj_end(&j);
        if (g) {
                j_obj(&j, "format");
                j_str(&j, "fourcc", CAM_FOURCC_STR(g->fourcc));
                j_uint(&j, "width", g->width);
                j_uint(&j, "height", g->height);
                j_double(&j, "fps", fps_of(g->fps_num, g->fps_den));
                j_uint(&j, "fps_num", g->fps_num);
                j_uint(&j, "fps_den", g->fps_den);
                j_uint(&j, "n_memory", g->n_memory);
                j_arr(&j, "bytesperline");
                for (uint32_t i = 0; i < g->n_memory; i++)
                        j_uint(&j, NULL, g->bytesperline[i]);
                j_arr_end(&j);
                j_arr(&j, "sizeimage");
                for (uint32_t i = 0; i < g->n_memory; i++)
                        j_uint(&j, NULL, g->sizeimage[i]);
                j_arr_end(&j);
                j_obj_end(&j);
        }
        j_str(&j, "output_fourcc", cap->info.fourcc ? CAM_FOURCC_STR(cap->info.fourcc) : NULL);
        j_bool(&j, "converted", st.bytes_copied > 0 || (g && cap->info.fourcc && cap->info.fourcc != g->fourcc));
        j_uint(&j, "buffers", cap->info.n_buffers);
        j_bool(&j, "dmabuf_requested", !o->no_dmabuf);
        j_bool(&j, "dmabuf", cap->dmabuf);
        j_uint(&j, "frames", cap->frames);
        j_uint(&j, "dropped", st.dropped);
        j_uint(&j, "sequence_gaps", cap->gaps);
        j_uint(&j, "errors", st.errors);
        j_uint(&j, "bytes_copied", st.bytes_copied);
        j_double(&j, "duration_s", duration);
        j_double(&j, "fps", fps);
        j_double(&j, "delivered_fps", delivered);
        j_uint(&j, "disconnects", cap->disconnects);
        j_uint(&j, "reconnects", cap->reconnects);
        j_arr(&j, "events");
        for (unsigned i = 0; i < cap->n_events; i++) {
                const struct capture_event *e = &cap->events[i];
                j_obj(&j, NULL);
                j_str(&j, "event", e->reconnected ? "reconnected" : "disconnected");
                j_double(&j, "t_s", e->t_s);
                if (e->reconnected) {
                        j_double(&j, "downtime_s", e->downtime_s);
                        j_str(&j, "node", e->node);
                } else
                        j_str(&j, "error", errno_name(e->error));
                j_obj_end(&j);
        }
        j_arr_end(&j);
        j_str(&j, "result", result);
        j_str(&j, "error", error < 0 ? errno_name(error) : NULL);
        j_obj_end(&j);
        j_end(&j);
}

static int capture_open(struct capture *cap, char **owned_device) {
        const struct options *o = cap->o;
        const char *file = cam_file_source_path_from_spec(o->device);
        int r;

        if (file) {
                struct cam_file_source_params p = { .path = file, .paced = !o->unpaced, .loop = o->loop,
                                                    .n_buffers = o->buffers };
                if (o->fps)
                        p.fps_num = o->fps, p.fps_den = 1;
                r = cam_file_source_new(&p, &cap->file);
                if (r < 0) {
                        const char *why = NULL;
                        struct cam_y4m_header h;
                        (void) cam_file_source_probe(file, &h, &why);
                        fprintf(stderr, "Cannot play '%s': %s\n", file, why ?: strerror(-r));
                        return r == -ENOENT ? -ENOENT : -EINVAL;
                }
                return 0;
        }

        const char *dev = o->device;
        if (!dev) {
                r = find_first_camera(owned_device);
                if (r < 0) {
                        fprintf(stderr, "No video capture device found.\n");
                        return -ENOENT;
                }
                dev = *owned_device;
        }
        struct cam_camera_params p = {
                .device = dev,
                .format = { .width = o->width, .height = o->height, .fps_num = o->fps, .fps_den = o->fps ? 1 : 0,
                            .fourccs = o->n_fourccs ? o->fourccs : NULL, .n_fourccs = o->n_fourccs },
                .stream = { .n_buffers = o->buffers, .no_dmabuf = o->no_dmabuf,
                            .convert = o->no_convert ? CAM_CONVERT_NEVER : CAM_CONVERT_AUTO },
                .on_state = on_state,
                .userdata = cap,
        };
        r = cam_camera_new(&p, &cap->camera);
        if (r < 0)
                return r;
        r = cam_camera_start(cap->camera);
        if (r < 0) {
                fprintf(stderr, "Cannot capture from '%s': %s\n", dev,
                        r == -ENOTSUP ? "none of the requested formats is offered" : open_error_reason(r));
                return r;
        }
        for (size_t i = 0; i < o->n_sets; i++) {
                char name[64];
                int64_t v;
                /* Through the camera, so the values come back after a reconnect. */
                r = parse_set(o->sets[i], name, &v);
                if (r >= 0)
                        r = cam_camera_set_control_by_name(cap->camera, name, v);
                if (r < 0) {
                        fprintf(stderr, "Failed to set '%s': %s\n", o->sets[i],
                                r == -ENOENT ? "no such control" : strerror(-r));
                        return -EINVAL;
                }
        }
        return 0;
}

static void capture_refresh_info(struct capture *cap) {
        struct cam_source *src = capture_source(cap);
        if (!src)
                return;
        cam_source_get_info(src, &cap->info);
        cap->dmabuf = cap->camera && cam_stream_has_dmabuf(cam_camera_get_stream(cap->camera));
}

static int setup_signals(void) {
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        int fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

static int cmd_capture(const struct options *o) {
        _cleanup_free_ char *owned_device = NULL;
        struct capture cap = { .o = o, .sigfd = -EBADF };
        sd_event *event = NULL;
        struct cam_monitor *monitor = NULL;
        const char *result = "ok";
        int r, err = 0, ret = 0;

        cap.sigfd = setup_signals();
        cap.start_ns = now_ns();
        r = capture_open(&cap, &owned_device);
        if (r < 0) {
                ret = r == -EINVAL ? EXIT_FAIL : exit_code_for(r);
                if (o->json)
                        print_summary(&cap, NULL, "error", r);
                goto out;
        }
        struct options *mo = (struct options *) o;
        if (!mo->device)
                mo->device = owned_device;
        capture_refresh_info(&cap);
        const struct cam_format_granted *g = cap.camera ? cam_camera_get_format(cap.camera) : NULL;
        if (!o->json) {
                printf("Capturing from %s: %s %ux%u @ %.3f fps", o->device, CAM_FOURCC_STR(cap.info.fourcc), cap.info.width,
                       cap.info.height, fps_of(cap.info.fps_num, cap.info.fps_den));
                if (g && g->fourcc != cap.info.fourcc)
                        printf(" (converted from %s)", CAM_FOURCC_STR(g->fourcc));
                printf(", %u buffers, dma-buf export: %s\n", cap.info.n_buffers, cap.dmabuf ? "yes" : "no");
                fflush(stdout);
        }
        if (cap.camera && o->reconnect_s > 0) {
                /* Hotplug events when udev runs; the retry timer in wait_reconnect() covers the rest. */
                if (sd_event_new(&event) >= 0 && cam_monitor_new(event, on_hotplug, &cap, &monitor) < 0)
                        monitor = NULL;
        }

        cap.start_ns = now_ns();
        while (o->frames == 0 || cap.frames < o->frames) {
                const struct cam_frame *f;
                if (interrupted(&cap)) {
                        result = "interrupted";
                        break;
                }
                r = cap.file ? cam_source_acquire(cap.file, o->timeout_ms, &f)
                             : cam_camera_acquire(cap.camera, o->timeout_ms, &f);
                if (r == -ENODEV && cap.camera) {
                        cap.disconnects++;
                        end_segment(&cap);
                        add_event(&cap, false, cap.last_state_error ?: -ENODEV, 0);
                        if (o->reconnect_s <= 0) {
                                result = "disconnected";
                                err = cap.last_state_error ?: -ENODEV;
                                ret = EXIT_DISCONNECTED;
                                break;
                        }
                        uint64_t t0 = now_ns();
                        r = wait_reconnect(&cap, event);
                        if (r == -EINTR) {
                                result = "interrupted";
                                break;
                        }
                        if (r < 0) {
                                result = "disconnected";
                                err = -ENODEV;
                                ret = EXIT_DISCONNECTED;
                                break;
                        }
                        cap.reconnects++;
                        add_event(&cap, true, 0, (double) (now_ns() - t0) / 1e9);
                        capture_refresh_info(&cap);
                        continue;
                }
                if (r == -EPIPE && cap.file) {
                        result = "eof";
                        break;
                }
                if (r < 0) {
                        result = r == -ETIMEDOUT ? "timeout" : "error";
                        err = r;
                        ret = EXIT_FAIL;
                        break;
                }
                account_frame(&cap, f);
                r = cap.file ? cam_source_release(cap.file, f) : cam_camera_release(cap.camera, f);
                if (r < 0 && r != -ENODEV) {
                        result = "error";
                        err = r;
                        ret = EXIT_FAIL;
                        break;
                }
        }
        end_segment(&cap);
        print_summary(&cap, cap.camera ? cam_camera_get_format(cap.camera) : NULL, result, err);
out:
        cam_monitor_free(monitor);
        if (event)
                sd_event_unref(event);
        cam_source_free(cap.file);
        cam_camera_free(cap.camera);
        safe_close(cap.sigfd);
        return ret;
}

/* ---- command line ---- */

static void help(FILE *f) {
        fprintf(f,
                "Usage: lanesight-probe COMMAND [OPTIONS]\n"
                "\n"
                "Inspect and test the cameras lanesight can use.\n"
                "\n"
                "Commands:\n"
                "  list                 List capture cameras with formats, sizes, rates and controls\n"
                "  controls [NAME[=VALUE]...]\n"
                "                       Set controls, then show them (all, or the named ones)\n"
                "  capture              Capture frames and report fps, drops and dma-buf export\n"
                "\n"
                "Options:\n"
                "  -d, --device DEV     Node (/dev/video0), /dev/v4l/by-id or by-path link, or for capture\n"
                "                       a Y4M file as file:PATH or PATH.y4m (default: first camera)\n"
                "  -n, --frames N       Frames to capture, 0 for until interrupted (default 100)\n"
                "  -s, --size WxH       Requested frame size (default: the camera's current size)\n"
                "  -r, --fps N          Requested frame rate\n"
                "  -f, --format LIST    Fourcc preference, comma-separated (YUYV,NV12,MJPG...)\n"
                "  -b, --buffers N      Buffers to request, 2..32 (default 4)\n"
                "      --no-dmabuf      Do not export buffers as dma-buf\n"
                "      --no-convert     Hand out compressed/Bayer frames as they come\n"
                "      --set NAME=VALUE Set a control before capturing (repeatable)\n"
                "  -t, --timeout MS     Give up when no frame comes for MS milliseconds (default 3000)\n"
                "      --reconnect SEC  Survive an unplug: wait up to SEC seconds for the camera to return\n"
                "      --stats          Print one line per frame (sequence, timestamp, bytesused, fourcc, size)\n"
                "      --unpaced        File sources: deliver frames as fast as possible\n"
                "      --loop           File sources: start over at the end\n"
                "  -j, --json           Machine-readable output (see docs/lanesight-probe.md)\n"
                "  -h, --help           Show this help\n"
                "      --version        Show the version\n"
                "\n"
                "Exit status: 0 ok, 1 failure, 2 usage, 3 no such capture device, 4 camera disconnected.\n");
}

static int parse_args(int argc, char **argv, struct options *o) {
        enum { ARG_NO_DMABUF = 0x100, ARG_NO_CONVERT, ARG_SET, ARG_RECONNECT, ARG_STATS, ARG_UNPACED, ARG_LOOP,
               ARG_VERSION };
        static const struct option longopts[] = {
                { "device", required_argument, NULL, 'd' },
                { "frames", required_argument, NULL, 'n' },
                { "size", required_argument, NULL, 's' },
                { "fps", required_argument, NULL, 'r' },
                { "format", required_argument, NULL, 'f' },
                { "buffers", required_argument, NULL, 'b' },
                { "timeout", required_argument, NULL, 't' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { "no-dmabuf", no_argument, NULL, ARG_NO_DMABUF },
                { "no-convert", no_argument, NULL, ARG_NO_CONVERT },
                { "set", required_argument, NULL, ARG_SET },
                { "reconnect", required_argument, NULL, ARG_RECONNECT },
                { "stats", no_argument, NULL, ARG_STATS },
                { "unpaced", no_argument, NULL, ARG_UNPACED },
                { "loop", no_argument, NULL, ARG_LOOP },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        uint32_t u;
        int c, li = -1;

        *o = (struct options) { .frames = 100, .buffers = 4, .timeout_ms = 3000 };
        /* li: which long option matched, -1 for a short one (to name it in errors). */
        while ((c = getopt_long(argc, argv, "d:n:s:r:f:b:t:jh", longopts, &li)) >= 0) {
                switch (c) {
                case 'd':
                        o->device = optarg;
                        break;
                case 'n':
                        if (parse_u32(optarg, 0, UINT32_MAX, &u) < 0)
                                goto bad;
                        o->frames = u;
                        break;
                case 's': {
                        char *x = strchr(optarg, 'x');
                        if (!x)
                                goto bad;
                        *x = 0;
                        int r1 = parse_u32(optarg, 1, 16384, &o->width), r2 = parse_u32(x + 1, 1, 16384, &o->height);
                        *x = 'x';
                        if (r1 < 0 || r2 < 0)
                                goto bad;
                        break;
                }
                case 'r':
                        if (parse_u32(optarg, 1, 1000, &o->fps) < 0)
                                goto bad;
                        break;
                case 'f': {
                        _cleanup_free_ char *copy = strdup(optarg);
                        char *save = NULL;
                        if (!copy)
                                return -ENOMEM;
                        o->n_fourccs = 0;
                        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                                if (o->n_fourccs >= MAX_FOURCCS || cam_fourcc_from_string(t, &o->fourccs[o->n_fourccs]) < 0 ||
                                    !cam_format_info_lookup(o->fourccs[o->n_fourccs])) {
                                        fprintf(stderr, "Unknown or unsupported format '%s'.\n", t);
                                        return -EINVAL;
                                }
                                o->n_fourccs++;
                        }
                        if (o->n_fourccs == 0)
                                goto bad;
                        break;
                }
                case 'b':
                        if (parse_u32(optarg, 2, CAM_STREAM_MAX_BUFFERS, &o->buffers) < 0)
                                goto bad;
                        break;
                case 't':
                        if (parse_u32(optarg, 1, 3600000, &u) < 0)
                                goto bad;
                        o->timeout_ms = (int) u;
                        break;
                case 'j':
                        o->json = true;
                        break;
                case 'h':
                        help(stdout);
                        exit(0);
                case ARG_VERSION:
                        printf("lanesight-probe %s\n", LANESIGHT_VERSION);
                        exit(0);
                case ARG_NO_DMABUF:
                        o->no_dmabuf = true;
                        break;
                case ARG_NO_CONVERT:
                        o->no_convert = true;
                        break;
                case ARG_SET:
                        if (o->n_sets >= MAX_SETS || !strchr(optarg, '='))
                                goto bad;
                        o->sets[o->n_sets++] = optarg;
                        break;
                case ARG_RECONNECT: {
                        char *end;
                        errno = 0;
                        o->reconnect_s = strtod(optarg, &end);
                        if (errno || end == optarg || *end || !(o->reconnect_s >= 0) || o->reconnect_s > 86400)
                                goto bad;
                        break;
                }
                case ARG_STATS:
                        o->stats = true;
                        break;
                case ARG_UNPACED:
                        o->unpaced = true;
                        break;
                case ARG_LOOP:
                        o->loop = true;
                        break;
                default:
                        return -EINVAL;
                }
                li = -1;
                continue;
        bad:
                if (li >= 0)
                        fprintf(stderr, "Invalid value '%s' for option '--%s'.\n", optarg, longopts[li].name);
                else
                        fprintf(stderr, "Invalid value '%s' for option '-%c'.\n", optarg, c);
                return -EINVAL;
        }
        if (optind >= argc) {
                fprintf(stderr, "Missing command; see 'lanesight-probe --help'.\n");
                return -EINVAL;
        }
        o->command = argv[optind++];
        o->args = argv + optind;
        o->n_args = argc - optind;
        if (o->n_args > 0 && !streq(o->command, "controls")) {
                fprintf(stderr, "Unexpected argument '%s'; see 'lanesight-probe --help'.\n", o->args[0]);
                return -EINVAL;
        }
        return 0;
}

int main(int argc, char **argv) {
        struct options o;
        if (parse_args(argc, argv, &o) < 0)
                return EXIT_USAGE;
        if (streq(o.command, "list"))
                return cmd_list(&o);
        if (streq(o.command, "capture"))
                return cmd_capture(&o);
        if (streq(o.command, "controls"))
                return cmd_controls(&o);
        if (streq(o.command, "help")) {
                help(stdout);
                return 0;
        }
        fprintf(stderr, "Unknown command '%s'; see 'lanesight-probe --help'.\n", o.command);
        return EXIT_USAGE;
}
