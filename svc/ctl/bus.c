/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesightctl's bus plumbing (connection, errors, property printing) and
 * the read-only verbs: status, cameras, watch.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "svc/ctl/bus.h"

static const struct error_map {
        const char *name;
        int exit;
        const char *code;               /* "error" in JSON */
        const char *what;               /* for a person, before the daemon's own words */
} error_map[] = {
        { CTL_BUS_NAME ".Error.AccessDenied", CTL_EXIT_DENIED, "access-denied",
          "permission denied (run as root or as a member of group 'lanesight')" },
        { "org.freedesktop.DBus.Error.AccessDenied", CTL_EXIT_DENIED, "access-denied",
          "permission denied by the bus policy (run as root or as a member of group 'lanesight')" },
        { CTL_BUS_NAME ".Error.NoFace", CTL_EXIT_NO_FACE, "no-face", "no face found" },
        { CTL_BUS_NAME ".Error.InvalidImage", CTL_EXIT_NO_FACE, "invalid-image", "not a usable image" },
        { CTL_BUS_NAME ".Error.PoorReference", CTL_EXIT_NO_FACE, "poor-reference", "not a usable reference photo" },
        { CTL_BUS_NAME ".Error.InvalidTemplate", CTL_EXIT_REFUSED, "invalid-template", "invalid template" },
        { CTL_BUS_NAME ".Error.NoSuchCamera", CTL_EXIT_REFUSED, "no-such-camera", "no such camera" },
        { CTL_BUS_NAME ".Error.NotOwner", CTL_EXIT_REFUSED, "not-owner", "not this session's owner" },
        { CTL_BUS_NAME ".Error.BadState", CTL_EXIT_REFUSED, "bad-state", "not possible in the session's state" },
        { CTL_BUS_NAME ".Error.LimitReached", CTL_EXIT_REFUSED, "limit-reached", "limit reached" },
        { CTL_BUS_NAME ".Error.NotFound", CTL_EXIT_REFUSED, "not-found", "not found" },
        { CTL_BUS_NAME ".Error.OptedOut", CTL_EXIT_REFUSED, "opted-out", "the traveler opted out" },
        { CTL_BUS_NAME ".Error.EngineFailure", CTL_EXIT_ENGINE, "engine", "the face engine failed" },
        { "org.freedesktop.DBus.Error.InvalidArgs", CTL_EXIT_USAGE, "invalid-arguments", "invalid arguments" },
        { "org.freedesktop.DBus.Error.ServiceUnknown", CTL_EXIT_SERVICE, "service-unreachable",
          "lanesightd is not running" },
        { "org.freedesktop.DBus.Error.NameHasNoOwner", CTL_EXIT_SERVICE, "service-unreachable",
          "lanesightd is not running" },
        { "org.freedesktop.DBus.Error.NoReply", CTL_EXIT_SERVICE, "service-unreachable",
          "lanesightd did not answer" },
        { "org.freedesktop.DBus.Error.Timeout", CTL_EXIT_SERVICE, "service-unreachable",
          "lanesightd did not answer" },
        { "org.freedesktop.DBus.Error.Disconnected", CTL_EXIT_SERVICE, "service-unreachable",
          "disconnected from the bus" },
};

int ctl_usage(const struct ctl_verb *v, const char *fmt, ...) {
        va_list ap;
        fprintf(stderr, "lanesightctl %s: ", v->name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, " (see 'lanesightctl %s --help')\n", v->name);
        return CTL_EXIT_USAGE;
}

static void json_error(const struct ctl_verb *v, const char *code, const char *message) {
        if (!v->json)
                return;
        printf("{\"error\":");
        ctl_json_string(stdout, code);
        printf(",\"message\":");
        ctl_json_string(stdout, message);
        printf("}\n");
}

int ctl_bus_fail(const struct ctl_verb *v, const char *what, const sd_bus_error *error, int r) {
        if (error && sd_bus_error_is_set(error)) {
                for (size_t i = 0; i < ELEMENTSOF(error_map); i++)
                        if (sd_bus_error_has_name(error, error_map[i].name)) {
                                fprintf(stderr, "lanesightctl: %s: %s: %s\n", what, error_map[i].what,
                                        error->message ?: "");
                                json_error(v, error_map[i].code, error->message);
                                return error_map[i].exit;
                        }
                fprintf(stderr, "lanesightctl: %s: %s (%s)\n", what, error->message ?: "failed", error->name);
                json_error(v, error->name, error->message);
                return CTL_EXIT_REFUSED;
        }
        fprintf(stderr, "lanesightctl: %s: %s\n", what, strerror(r < 0 ? -r : EIO));
        json_error(v, "failed", strerror(r < 0 ? -r : EIO));
        /* Transport failures: the service is as good as unreachable. */
        return r == -ETIMEDOUT || r == -ECONNRESET || r == -ENOTCONN || r == -ECONNREFUSED || r == -ENOENT
                       ? CTL_EXIT_SERVICE : CTL_EXIT_REFUSED;
}

int ctl_bus_connect(const struct ctl_verb *v, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
                fprintf(stderr, "lanesightctl: cannot reach lanesightd: cannot connect to the system bus%s%s%s: %s\n",
                        addr ? " '" : "", addr ?: "", addr ? "'" : "", strerror(-r));
                json_error(v, "service-unreachable", strerror(-r));
                return CTL_EXIT_SERVICE;
        }
        *ret = bus;
        return 0;
}

int ctl_get_all(const struct ctl_verb *v, sd_bus *bus, const char *path, const char *interface,
                sd_bus_message **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, CTL_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", &error,
                                   &reply, "s", interface);
        if (r < 0)
                return ctl_bus_fail(v, "cannot read the properties", &error, r);
        *ret = reply;
        return 0;
}

/* --- printing any D-Bus value ------------------------------------------- */

static int print_basic(FILE *f, sd_bus_message *m, char type, bool json) {
        union {
                uint8_t y; int b; int16_t n; uint16_t q; int32_t i; uint32_t u; int64_t x; uint64_t t;
                double d; const char *s; int h;
        } v;
        int r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;
        switch (type) {
        case 'y': fprintf(f, "%u", v.y); break;
        case 'b': fputs(v.b ? "true" : "false", f); break;
        case 'n': fprintf(f, "%d", v.n); break;
        case 'q': fprintf(f, "%u", v.q); break;
        case 'i': fprintf(f, "%" PRIi32, v.i); break;
        case 'u': fprintf(f, "%" PRIu32, v.u); break;
        case 'x': fprintf(f, "%" PRIi64, v.x); break;
        case 't': fprintf(f, "%" PRIu64, v.t); break;
        case 'h': fprintf(f, "%d", v.h); break;
        case 'd':
                if (!isfinite(v.d))
                        fputs(json ? "null" : "nan", f);
                else
                        fprintf(f, "%.6g", v.d);
                break;
        default:                /* s, o, g */
                if (json)
                        ctl_json_string(f, v.s);
                else
                        fputs(v.s, f);
        }
        return 0;
}

static int print_value(FILE *f, sd_bus_message *m, bool json) {
        const char *contents;
        char type;
        int r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r < 0 ? r : -ENXIO;
        if (!strchr("arve", type))
                return print_basic(f, m, type, json);
        if (!json && type == 'r' && streq(contents, "uu")) {
                uint32_t w, h;          /* a size, for a person */
                r = sd_bus_message_read(m, "(uu)", &w, &h);
                if (r >= 0)
                        fprintf(f, "%" PRIu32 "x%" PRIu32, w, h);
                return r;
        }

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;
        if (type == 'v')
                r = print_value(f, m, json);
        else if (type == 'a' && contents[0] == '{') {
                /* A dictionary: an object (keys become strings) or "k=v" pairs. */
                fputs(json ? "{" : "", f);
                for (bool first = true; (r = sd_bus_message_at_end(m, false)) == 0; first = false) {
                        r = sd_bus_message_enter_container(m, 'e', NULL);
                        if (r < 0)
                                break;
                        if (!first)
                                fputs(json ? "," : ", ", f);
                        char kt;
                        r = sd_bus_message_peek_type(m, &kt, NULL);
                        if (r < 0)
                                break;
                        bool quote = json && kt != 's' && kt != 'o' && kt != 'g';
                        fputs(quote ? "\"" : "", f);
                        r = print_basic(f, m, kt, json);
                        fputs(quote ? "\"" : "", f);
                        fputs(json ? ":" : "=", f);
                        if (r >= 0)
                                r = print_value(f, m, json);
                        if (r >= 0)
                                r = sd_bus_message_exit_container(m);
                        if (r < 0)
                                break;
                }
                fputs(json ? "}" : "", f);
        } else {
                /* Arrays and structs: JSON lists; for a person, comma-separated. */
                fputs(json ? "[" : (type == 'r' ? "(" : ""), f);
                for (bool first = true; (r = sd_bus_message_at_end(m, false)) == 0; first = false) {
                        if (!first)
                                fputs(json ? "," : ", ", f);
                        r = print_value(f, m, json);
                        if (r < 0)
                                break;
                }
                fputs(json ? "]" : (type == 'r' ? ")" : ""), f);
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

int ctl_json_value(FILE *f, sd_bus_message *m) {
        return print_value(f, m, true);
}

int ctl_text_value(FILE *f, sd_bus_message *m) {
        return print_value(f, m, false);
}

int ctl_print_properties(FILE *f, sd_bus_message *m, bool json, const char *indent) {
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (bool first = true; (r = sd_bus_message_enter_container(m, 'e', "sv")) > 0; first = false) {
                const char *key;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                if (json) {
                        fputs(first ? "" : ",", f);
                        ctl_json_string(f, key);
                        fputc(':', f);
                } else
                        fprintf(f, "%s%-18s ", indent, key);
                r = print_value(f, m, json);
                if (r < 0)
                        return r;
                if (!json)
                        fputc('\n', f);
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* --- helpers for the other verbs ---------------------------------------- */

static int get_cameras(const struct ctl_verb *v, sd_bus *bus, sd_bus_message **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_MANAGER, "GetCameras", &error,
                                   &reply, NULL);
        if (r < 0)
                return ctl_bus_fail(v, "cannot list the cameras", &error, r);
        r = sd_bus_message_enter_container(reply, 'a', "o");
        if (r < 0) {
                sd_bus_message_unref(reply);
                return ctl_bus_fail(v, "cannot list the cameras", NULL, r);
        }
        *ret = reply;
        return 0;
}

int ctl_pick_camera(const struct ctl_verb *v, sd_bus *bus, const char *given, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path = NULL;
        int r;

        if (given) {
                if (!sd_bus_object_path_is_valid(given))
                        return ctl_usage(v, "'%s' is not a camera object path", given);
                *ret = strdup(given);
                return *ret ? 0 : CTL_EXIT_ENGINE;
        }
        r = get_cameras(v, bus, &reply);
        if (r != 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r <= 0) {
                fprintf(stderr, "lanesightctl: %s: lanesightd has no camera\n", v->name);
                json_error(v, "no-such-camera", "lanesightd has no camera");
                return CTL_EXIT_REFUSED;
        }
        *ret = strdup(path);
        return *ret ? 0 : CTL_EXIT_ENGINE;
}

int ctl_parse_seconds(const char *s, uint64_t *ret_usec) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !(v > 0 && v <= 86400))
                return -EINVAL;
        *ret_usec = (uint64_t) (v * 1e6);
        return 0;
}

/* --- status, cameras ----------------------------------------------------- */

enum { ARG_JSON = 0x100 };

/* Only --json and --help: the options of status and cameras. */
static int parse_plain(struct ctl_verb *v, int argc, char **argv, void (*help)(void)) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;
        optind = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_JSON: v->json = true; break;
                case 'h': help(); return -1;
                default: return CTL_EXIT_USAGE;
                }
        if (optind < argc)
                return ctl_usage(v, "unexpected argument '%s'", argv[optind]);
        return 0;
}

static void status_help(void) {
        printf("Usage: lanesightctl [--json] status\n"
               "Show lanesightd's state: version, backend, models, threshold, gallery size and each\n"
               "camera's state and counters.\n");
}

static void cameras_help(void) {
        printf("Usage: lanesightctl [--json] cameras\n"
               "List lanesightd's cameras with their properties.\n");
}

/* Prints each camera as a JSON object in a list, or as a text block. */
static int print_cameras(const struct ctl_verb *v, sd_bus *bus) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *list = NULL;
        const char *path;
        int r = get_cameras(v, bus, &list);
        if (r != 0)
                return r;
        if (v->json)
                printf("[");
        for (bool first = true; (r = sd_bus_message_read(list, "o", &path)) > 0; first = false) {
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *props = NULL;
                r = ctl_get_all(v, bus, path, CTL_IFACE_CAMERA, &props);
                if (r != 0)
                        return r;
                if (v->json) {
                        printf("%s{\"path\":", first ? "" : ",");
                        ctl_json_string(stdout, path);
                        printf(",");
                } else
                        printf("Camera %s\n", path);
                r = ctl_print_properties(stdout, props, v->json, "  ");
                if (r < 0)
                        return ctl_bus_fail(v, "cannot read the camera", NULL, r);
                if (v->json)
                        printf("}");
        }
        if (r < 0)
                return ctl_bus_fail(v, "cannot list the cameras", NULL, r);
        if (v->json)
                printf("]");
        return 0;
}

int ctl_status(const struct ctl_options *o, int argc, char **argv) {
        struct ctl_verb v = { .name = "status", .json = o->json };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *manager = NULL, *gallery = NULL;
        int r = parse_plain(&v, argc, argv, status_help);
        if (r != 0)
                return r < 0 ? CTL_EXIT_OK : r;
        r = ctl_bus_connect(&v, &bus);
        if (r == 0)
                r = ctl_get_all(&v, bus, CTL_OBJECT_ROOT, CTL_IFACE_MANAGER, &manager);
        if (r == 0)
                r = ctl_get_all(&v, bus, CTL_OBJECT_ROOT, CTL_IFACE_GALLERY, &gallery);
        if (r != 0)
                return r;

        fputs(v.json ? "{\"manager\":{" : "lanesightd\n", stdout);
        r = ctl_print_properties(stdout, manager, v.json, "  ");
        fputs(v.json ? "},\"gallery\":{" : "Gallery\n", stdout);
        if (r >= 0)
                r = ctl_print_properties(stdout, gallery, v.json, "  ");
        if (r < 0)
                return ctl_bus_fail(&v, "cannot read the properties", NULL, r);
        fputs(v.json ? "},\"cameras\":" : "", stdout);
        r = print_cameras(&v, bus);
        if (r != 0)
                return r;
        fputs(v.json ? "}\n" : "", stdout);
        return CTL_EXIT_OK;
}

int ctl_cameras(const struct ctl_options *o, int argc, char **argv) {
        struct ctl_verb v = { .name = "cameras", .json = o->json };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = parse_plain(&v, argc, argv, cameras_help);
        if (r != 0)
                return r < 0 ? CTL_EXIT_OK : r;
        r = ctl_bus_connect(&v, &bus);
        if (r != 0)
                return r;
        fputs(v.json ? "{\"cameras\":" : "", stdout);
        r = print_cameras(&v, bus);
        if (r != 0)
                return r;
        fputs(v.json ? "}\n" : "", stdout);
        return CTL_EXIT_OK;
}

/* --- watch ---------------------------------------------------------------- */

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

struct watch {
        const struct ctl_verb *v;
        const char *camera;             /* NULL: all */
        uint64_t count, seen;
};

static int on_frame(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct watch *w = userdata;
        const char *path = sd_bus_message_get_path(m), *guidance;
        uint64_t ts;
        uint32_t seq, track;
        double x0, y0, x1, y1, score, quality;
        int r;

        if (w->camera && !streq_ptr(path, w->camera))
                return 0;
        r = sd_bus_message_read(m, "tus", &ts, &seq, &guidance);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(m, 'a', "(udddddd)");
        if (r < 0)
                return r;
        if (w->v->json) {
                printf("{\"camera\":");
                ctl_json_string(stdout, path);
                printf(",\"timestamp_usec\":%" PRIu64 ",\"sequence\":%" PRIu32 ",\"guidance\":", ts, seq);
                ctl_json_string(stdout, guidance);
                printf(",\"faces\":[");
        } else
                printf("frame %6" PRIu32 "  %-14s", seq, guidance);
        for (bool first = true; (r = sd_bus_message_read(m, "(udddddd)", &track, &x0, &y0, &x1, &y1, &score,
                                                         &quality)) > 0; first = false) {
                if (w->v->json)
                        printf("%s{\"track\":%" PRIu32 ",\"box\":[%.1f,%.1f,%.1f,%.1f],\"score\":%.3f,"
                               "\"quality\":%.1f}", first ? "" : ",", track, x0, y0, x1, y1, score, quality);
                else
                        printf("  face #%" PRIu32 " [%.0f,%.0f %.0fx%.0f] score %.2f quality %.0f", track, x0, y0,
                               x1 - x0, y1 - y0, score, quality);
        }
        if (r < 0)
                return r;
        fputs(w->v->json ? "]}\n" : "\n", stdout);
        fflush(stdout);
        w->seen++;
        return 0;
}

/* A camera's State in a PropertiesChanged: unplugged, back, at the end of its file. */
static int on_camera_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct watch *w = userdata;
        const char *path = sd_bus_message_get_path(m), *iface, *name, *state;
        int r;

        if (w->camera && !streq_ptr(path, w->camera))
                return 0;
        r = sd_bus_message_read(m, "s", &iface);
        if (r < 0 || !streq(iface, CTL_IFACE_CAMERA))
                return r < 0 ? r : 0;
        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                if (streq(name, "State")) {
                        r = sd_bus_message_read(m, "v", "s", &state);
                        if (r < 0)
                                return r;
                        if (w->v->json) {
                                printf("{\"camera\":");
                                ctl_json_string(stdout, path);
                                printf(",\"state\":");
                                ctl_json_string(stdout, state);
                                printf("}\n");
                        } else
                                printf("camera %s: %s\n", path, state);
                        fflush(stdout);
                } else {
                        r = sd_bus_message_skip(m, "v");
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        return r;
}

static void watch_help(void) {
        printf("Usage: lanesightctl [--json] watch [--camera PATH] [--count N] [--timeout S]\n"
               "Print each processed frame's face boxes, detector scores, quality and guidance, and\n"
               "each change of a camera's state (streaming, disconnected, error, stopped); one JSON\n"
               "object per line with --json. Runs until interrupted, N frames or S seconds.\n");
}

int ctl_watch(const struct ctl_options *o, int argc, char **argv) {
        enum { ARG_CAMERA = 0x200, ARG_COUNT, ARG_TIMEOUT };
        static const struct option opts[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "camera", required_argument, NULL, ARG_CAMERA },
                { "count", required_argument, NULL, ARG_COUNT },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct ctl_verb v = { .name = "watch", .json = o->json };
        struct watch w = { .v = &v };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        uint64_t timeout = 0;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_JSON: v.json = true; break;
                case ARG_CAMERA: w.camera = optarg; break;
                case ARG_COUNT: {
                        char *end;
                        errno = 0;
                        unsigned long long n = strtoull(optarg, &end, 10);
                        if (errno || *end || end == optarg || n == 0 || optarg[0] == '-')
                                return ctl_usage(&v, "invalid --count '%s'", optarg);
                        w.count = n;
                        break;
                }
                case ARG_TIMEOUT:
                        if (ctl_parse_seconds(optarg, &timeout) < 0)
                                return ctl_usage(&v, "invalid --timeout '%s' (seconds, up to a day)", optarg);
                        break;
                case 'h': watch_help(); return CTL_EXIT_OK;
                default: return CTL_EXIT_USAGE;
                }
        if (optind < argc)
                return ctl_usage(&v, "unexpected argument '%s'", argv[optind]);

        r = ctl_bus_connect(&v, &bus);
        if (r != 0)
                return r;
        r = sd_bus_match_signal(bus, NULL, NULL, NULL, CTL_IFACE_CAMERA, "FrameProcessed", on_frame, &w);
        if (r >= 0)
                r = sd_bus_add_match(bus, NULL,
                                     "type='signal',sender='" CTL_BUS_NAME "',interface='org.freedesktop.DBus.Properties',"
                                     "member='PropertiesChanged',arg0='" CTL_IFACE_CAMERA "'",
                                     on_camera_changed, &w);
        if (r < 0)
                return ctl_bus_fail(&v, "cannot subscribe to frames", NULL, r);
        /* Fail early, with the usual message, when the daemon is not there. */
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *cams = NULL;
        r = get_cameras(&v, bus, &cams);
        if (r != 0)
                return r;

        uint64_t deadline = timeout ? now_usec() + timeout : UINT64_MAX;
        while (!w.count || w.seen < w.count) {
                /* The deadline holds even while frames keep coming. */
                uint64_t now = now_usec();
                if (now >= deadline)
                        break;
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return ctl_bus_fail(&v, "lost the bus", NULL, r);
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, deadline == UINT64_MAX ? UINT64_MAX : deadline - now);
                if (r < 0 && r != -EINTR)
                        return ctl_bus_fail(&v, "lost the bus", NULL, r);
        }
        return CTL_EXIT_OK;
}
