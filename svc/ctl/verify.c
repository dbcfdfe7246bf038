/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * verify and identify: a traveler session on a camera (OpenSession, Start),
 * its guidance shown as it comes (Progress, sent to us only), then the
 * decision (Verified or Identified). The session is closed at the end; if we
 * die instead, lanesightd ends it when our bus name goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "svc/ctl/bus.h"

#define DEFAULT_TIMEOUT_USEC (30 * UINT64_C(1000000))
#define MAX_CANDIDATES 100

struct candidate {
        char *id;
        double score;
};

struct run {
        const struct ctl_verb *v;
        const char *session;            /* object path */
        bool opt_out, identify;
        bool done, daemon_gone, session_gone;
        char guidance[32];              /* last shown */
        double shown_quality;
        bool captured;
        double captured_quality;
        bool verified, match;
        double score;
        struct candidate cand[MAX_CANDIDATES];
        size_t n_cand;
};

static void run_done(struct run *x) {
        for (size_t i = 0; i < x->n_cand; i++)
                free(x->cand[i].id);
}

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

/* Guidance as it changes (and big quality steps), not 30 lines a second. */
static void show_progress(struct run *x, const char *guidance, double quality) {
        if (streq(x->guidance, guidance) && fabs(quality - x->shown_quality) < 10)
                return;
        snprintf(x->guidance, sizeof(x->guidance), "%s", guidance);
        x->shown_quality = quality;
        if (x->v->json) {
                printf("{\"progress\":{\"guidance\":");
                ctl_json_string(stdout, guidance);
                printf(",\"quality\":%.1f}}\n", isfinite(quality) ? quality : 0.0);
        } else
                printf("  guidance: %-16s quality %3.0f\n", guidance, isfinite(quality) ? quality : 0.0);
        fflush(stdout);
}

static int on_session_signal(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct run *x = userdata;
        int r;

        if (!streq_ptr(sd_bus_message_get_path(m), x->session))
                return 0;
        if (sd_bus_message_is_signal(m, CTL_IFACE_SESSION, "Progress")) {
                const char *g;
                double q;
                r = sd_bus_message_read(m, "sd", &g, &q);
                if (r >= 0)
                        show_progress(x, g, q);
        } else if (sd_bus_message_is_signal(m, CTL_IFACE_SESSION, "Captured")) {
                r = sd_bus_message_read(m, "d", &x->captured_quality);
                if (r >= 0) {
                        x->captured = true;
                        if (!x->v->json)
                                printf("Captured a face, quality %.0f\n", x->captured_quality);
                        /* Opted out: the capture is all there is. */
                        x->done = x->done || x->opt_out;
                }
        } else if (sd_bus_message_is_signal(m, CTL_IFACE_SESSION, "Verified")) {
                int match;
                r = sd_bus_message_read(m, "db", &x->score, &match);
                if (r >= 0) {
                        x->verified = true;
                        x->match = match;
                        x->done = x->done || !x->identify;
                }
        } else if (sd_bus_message_is_signal(m, CTL_IFACE_SESSION, "Identified")) {
                const char *id;
                double s;
                r = sd_bus_message_enter_container(m, 'a', "(sd)");
                while (r >= 0 && (r = sd_bus_message_read(m, "(sd)", &id, &s)) > 0 && x->n_cand < MAX_CANDIDATES) {
                        x->cand[x->n_cand].id = strdup(id);
                        if (!x->cand[x->n_cand].id)
                                return -ENOMEM;
                        x->cand[x->n_cand++].score = s;
                }
                x->done = true;
        } else
                r = 0;
        if (r < 0)
                fprintf(stderr, "lanesightctl: %s: ignoring a malformed signal from lanesightd: %s\n", x->v->name,
                        strerror(-r));
        return 0;
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct run *x = userdata;
        const char *name, *old, *new;
        if (sd_bus_message_read(m, "sss", &name, &old, &new) >= 0 && streq(name, CTL_BUS_NAME) && !*new)
                x->daemon_gone = true;
        return 0;
}

/* The service ended our session (its Session Timeout=, or it stopped): nothing more will come. */
static int on_interfaces_removed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct run *x = userdata;
        const char *path;
        if (sd_bus_message_read(m, "o", &path) >= 0 && streq_ptr(path, x->session))
                x->session_gone = true;
        return 0;
}

/* Runs the bus until the session is done, the deadline passes or lanesightd leaves. Exit code or 0. */
static int wait_done(struct run *x, sd_bus *bus, uint64_t timeout) {
        uint64_t deadline = now_usec() + timeout;
        while (!x->done && !x->daemon_gone && !x->session_gone) {
                /* The deadline holds even while messages keep coming. */
                uint64_t now = now_usec();
                if (now >= deadline)
                        break;
                int r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return ctl_bus_fail(x->v, "lost the bus", NULL, r);
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0 && r != -EINTR)
                        return ctl_bus_fail(x->v, "lost the bus", NULL, r);
        }
        if (x->daemon_gone) {
                fprintf(stderr, "lanesightctl: %s: lanesightd left the bus\n", x->v->name);
                if (x->v->json)
                        printf("{\"error\":\"service-unreachable\",\"message\":\"lanesightd left the bus\"}\n");
                return CTL_EXIT_SERVICE;
        }
        if (!x->done) {
                if (x->session_gone)
                        fprintf(stderr, "lanesightctl: %s: lanesightd ended the session (its session timeout) before "
                                "a usable face was captured (last guidance: %s)\n", x->v->name,
                                x->guidance[0] ? x->guidance : "none");
                else
                        fprintf(stderr, "lanesightctl: %s: no usable face captured within %.0f s (last guidance: %s)\n",
                                x->v->name, timeout / 1e6, x->guidance[0] ? x->guidance : "none");
                if (x->v->json) {
                        printf("{\"error\":\"timeout\",\"message\":\"no usable face captured\",\"guidance\":");
                        ctl_json_string(stdout, x->guidance[0] ? x->guidance : NULL);
                        printf(",\"score\":null,\"match\":false}\n");
                }
                return CTL_EXIT_NO_FACE;
        }
        return 0;
}

/* Prints the quality dictionary of a reference photo (text: score, guidance, faces). */
static int show_reference(const struct run *x, const char *file, sd_bus_message *reply) {
        double score = NAN;
        const char *guidance = "?";
        uint32_t faces = 0;
        int r;

        if (x->v->json) {
                printf("{\"reference\":{\"image\":");
                ctl_json_string(stdout, file);
                printf(",\"quality\":");
                r = ctl_json_value(stdout, reply);
                printf("}}\n");
                return r;
        }
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;
                r = sd_bus_message_read(reply, "s", &key);
                if (r >= 0 && streq(key, "score"))
                        r = sd_bus_message_read(reply, "v", "d", &score);
                else if (r >= 0 && streq(key, "guidance"))
                        r = sd_bus_message_read(reply, "v", "s", &guidance);
                else if (r >= 0 && streq(key, "faces"))
                        r = sd_bus_message_read(reply, "v", "u", &faces);
                else if (r >= 0)
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0)
                return r;
        printf("Reference '%s': %" PRIu32 " face%s, quality %.0f (%s)\n", file, faces, faces == 1 ? "" : "s",
               score, guidance);
        return 0;
}

struct session_params {
        const char *camera;
        const char *reference;          /* verify: an image file */
        const char *template_file;      /* verify: a template file (lanesightctl template -o) */
        uint64_t timeout;
        double min_quality;             /* < 0: the daemon's default */
        uint32_t candidates;            /* identify */
        bool opt_out, identify;
};

static int open_session(const struct ctl_verb *v, sd_bus *bus, const char *camera, const struct session_params *p,
                        char **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        const char *path;
        int r;

        r = sd_bus_message_new_method_call(bus, &call, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_MANAGER,
                                           "OpenSession");
        if (r >= 0)
                r = sd_bus_message_append(call, "o", camera);
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "{sv}");
        if (r >= 0 && p->opt_out)
                r = sd_bus_message_append(call, "{sv}", "opt_out", "b", 1);
        if (r >= 0 && p->identify)
                r = sd_bus_message_append(call, "{sv}", "identify", "b", 1);
        if (r >= 0 && p->candidates)
                r = sd_bus_message_append(call, "{sv}", "candidates", "u", p->candidates);
        if (r >= 0 && p->min_quality >= 0)
                r = sd_bus_message_append(call, "{sv}", "min_quality", "d", p->min_quality);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r < 0)
                return ctl_bus_fail(v, "cannot open a session", NULL, r);
        r = sd_bus_call(bus, call, 0, &error, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return ctl_bus_fail(v, "cannot open a session", &error, r);
        *ret = strdup(path);
        return *ret ? 0 : CTL_EXIT_ENGINE;
}

static int session_call(const struct ctl_verb *v, sd_bus *bus, const char *session, const char *method,
                        const char *what) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sd_bus_call_method(bus, CTL_BUS_NAME, session, CTL_IFACE_SESSION, method, &error, NULL, NULL);
        return r < 0 ? ctl_bus_fail(v, what, &error, r) : 0;
}

/* Opens, feeds and runs one session to its end; prints as it goes. Exit code or 0; x holds the results. */
static int run_session(struct run *x, sd_bus *bus, const struct session_params *p) {
        const struct ctl_verb *v = x->v;
        _cleanup_free_ char *camera = NULL, *session = NULL;
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (p->reference) {
                /* Opened here, with our rights; the daemon reads the passed fd. */
                fd = open(p->reference, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0) {
                        fprintf(stderr, "lanesightctl: %s: cannot open '%s': %m\n", v->name, p->reference);
                        if (v->json)
                                printf("{\"error\":\"invalid-image\",\"message\":\"cannot open the reference\"}\n");
                        return CTL_EXIT_NO_FACE;
                }
        }
        _cleanup_free_ uint8_t *tmpl = NULL;
        size_t tmpl_size = 0;
        if (p->template_file) {
                r = ctl_read_file(p->template_file, 64u << 10, &tmpl, &tmpl_size);
                if (r < 0) {
                        fprintf(stderr, "lanesightctl: %s: cannot read template '%s': %s\n", v->name, p->template_file,
                                strerror(-r));
                        if (v->json)
                                printf("{\"error\":\"invalid-template\",\"message\":\"cannot read the template\"}\n");
                        return CTL_EXIT_USAGE;
                }
        }
        r = ctl_pick_camera(v, bus, p->camera, &camera);
        if (r != 0)
                return r;
        r = sd_bus_add_match(bus, NULL,
                             "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                             "member='NameOwnerChanged',arg0='" CTL_BUS_NAME "'",
                             on_name_owner_changed, x);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, NULL, CTL_OBJECT_ROOT, "org.freedesktop.DBus.ObjectManager",
                                        "InterfacesRemoved", on_interfaces_removed, x);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, NULL, NULL, CTL_IFACE_SESSION, NULL, on_session_signal, x);
        if (r < 0)
                return ctl_bus_fail(v, "cannot subscribe to the session's signals", NULL, r);
        r = open_session(v, bus, camera, p, &session);
        if (r != 0)
                return r;
        x->session = session;
        if (!v->json)
                printf("Session %s on camera %s%s\n", session, camera, p->opt_out ? " (opted out: guidance only)" : "");

        if (fd >= 0) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                r = sd_bus_call_method(bus, CTL_BUS_NAME, session, CTL_IFACE_SESSION, "SetReferenceImage", &error,
                                       &reply, "h", fd);
                if (r < 0) {
                        char what[512];
                        snprintf(what, sizeof(what), "reference '%s'", p->reference);
                        return ctl_bus_fail(v, what, &error, r);
                }
                r = show_reference(x, p->reference, reply);
                if (r < 0)
                        return ctl_bus_fail(v, "cannot read the reference's quality", NULL, r);
        }
        if (tmpl) {
                _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
                r = sd_bus_message_new_method_call(bus, &call, CTL_BUS_NAME, session, CTL_IFACE_SESSION,
                                                   "SetReference");
                if (r >= 0)
                        r = sd_bus_message_append_array(call, 'y', tmpl, tmpl_size);
                if (r >= 0)
                        r = sd_bus_call(bus, call, 0, &error, NULL);
                explicit_bzero(tmpl, tmpl_size);
                if (r < 0)
                        return ctl_bus_fail(v, "reference template", &error, r);
                if (!v->json)
                        printf("Reference template '%s'\n", p->template_file);
        }
        r = session_call(v, bus, session, "Start", "cannot start the session");
        if (r != 0)
                return r;
        if (!v->json)
                printf("Look at the camera...\n");
        fflush(stdout);
        r = wait_done(x, bus, p->timeout);
        if (!x->daemon_gone && !x->session_gone)
                (void) sd_bus_call_method(bus, CTL_BUS_NAME, session, CTL_IFACE_SESSION, "Close", NULL, NULL, NULL);
        x->session = NULL;
        return r;
}

static double get_threshold(sd_bus *bus) {
        double t = NAN;
        (void) sd_bus_get_property_trivial(bus, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_MANAGER, "MatchThreshold",
                                           NULL, 'd', &t);
        return t;
}

static void json_double(const char *key, double d) {
        printf(",\"%s\":", key);
        if (isfinite(d))
                printf("%.6f", d);
        else
                printf("null");
}

static int parse_min_quality(const char *s, double *ret) {
        char *end;
        errno = 0;
        double q = strtod(s, &end);
        if (errno || end == s || *end || !(q >= 0 && q <= 100))
                return -EINVAL;
        *ret = q;
        return 0;
}

static void verify_help(void) {
        printf("Usage: lanesightctl [--json] verify --reference IMAGE|--template FILE [--camera PATH]\n"
               "                                 [--timeout S] [--min-quality Q]\n"
               "       lanesightctl [--json] verify --opt-out [--camera PATH] [--timeout S]\n"
               "Open a session on a camera, compare the traveler in front of it with the face in IMAGE\n"
               "(JPEG, PNG, JPEG 2000; read by lanesightd from the passed file descriptor) and print the\n"
               "guidance and quality as they change, then the score and the decision.\n\n"
               "  --reference IMAGE   the reference photo\n"
               "  --template FILE     or a reference template (from 'lanesightctl template -o FILE')\n"
               "  --camera PATH       camera object path (default: the first camera)\n"
               "  --timeout S         give up after S seconds without a usable face (default 30)\n"
               "  --min-quality Q     capture once the quality reaches Q (0..100; default: the service's)\n"
               "  --opt-out           the traveler opted out: detection and guidance only, no template\n"
               "  --json              JSON lines; the last line is one object with \"score\" and \"match\"\n\n"
               "Exit status: 0 match (or captured, with --opt-out), 1 no match, 3 no usable face in time\n"
               "or a bad reference, 5 service unreachable; see lanesightctl(1).\n");
}

int ctl_verify(const struct ctl_options *o, int argc, char **argv) {
        enum { ARG_JSON = 0x100, ARG_REFERENCE, ARG_TEMPLATE, ARG_CAMERA, ARG_TIMEOUT, ARG_OPT_OUT, ARG_MIN_QUALITY };
        static const struct option opts[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "reference", required_argument, NULL, ARG_REFERENCE },
                { "template", required_argument, NULL, ARG_TEMPLATE },
                { "camera", required_argument, NULL, ARG_CAMERA },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "min-quality", required_argument, NULL, ARG_MIN_QUALITY },
                { "opt-out", no_argument, NULL, ARG_OPT_OUT },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct ctl_verb v = { .name = "verify", .json = o->json };
        struct session_params p = { .timeout = DEFAULT_TIMEOUT_USEC, .min_quality = -1 };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_JSON: v.json = true; break;
                case ARG_REFERENCE: p.reference = optarg; break;
                case ARG_TEMPLATE: p.template_file = optarg; break;
                case ARG_CAMERA: p.camera = optarg; break;
                case ARG_TIMEOUT:
                        if (ctl_parse_seconds(optarg, &p.timeout) < 0)
                                return ctl_usage(&v, "invalid --timeout '%s' (seconds, up to a day)", optarg);
                        break;
                case ARG_MIN_QUALITY:
                        if (parse_min_quality(optarg, &p.min_quality) < 0)
                                return ctl_usage(&v, "invalid --min-quality '%s' (0..100)", optarg);
                        break;
                case ARG_OPT_OUT: p.opt_out = true; break;
                case 'h': verify_help(); return CTL_EXIT_OK;
                default: return CTL_EXIT_USAGE;
                }
        if (optind < argc)
                return ctl_usage(&v, "unexpected argument '%s'", argv[optind]);
        if (p.reference && p.template_file)
                return ctl_usage(&v, "--reference and --template exclude each other");
        if (!p.reference && !p.template_file && !p.opt_out)
                return ctl_usage(&v, "--reference IMAGE (or --template FILE) is required");
        if ((p.reference || p.template_file) && p.opt_out)
                return ctl_usage(&v, "--opt-out takes no reference: nothing is matched");

        r = ctl_bus_connect(&v, &bus);
        if (r != 0)
                return r;
        double threshold = get_threshold(bus);
        struct run x = { .v = &v, .opt_out = p.opt_out };
        r = run_session(&x, bus, &p);
        run_done(&x);
        if (r != 0)
                return r;

        if (p.opt_out) {
                if (v.json) {
                        printf("{\"opt_out\":true,\"captured\":true");
                        json_double("quality", x.captured_quality);
                        printf(",\"score\":null,\"match\":null}\n");
                } else
                        printf("Opted out: no template was computed, nothing was matched.\n");
                return CTL_EXIT_OK;
        }
        if (v.json) {
                printf("{\"reference\":");
                ctl_json_string(stdout, p.reference ?: p.template_file);
                json_double("quality", x.captured_quality);
                json_double("score", x.score);
                json_double("threshold", threshold);
                printf(",\"match\":%s}\n", x.match ? "true" : "false");
        } else
                printf("Verified: score %.3f (threshold %.3f): %s\n", x.score, threshold,
                       x.match ? "MATCH" : "no match");
        return x.match ? CTL_EXIT_OK : CTL_EXIT_NO_MATCH;
}

/* --- identify --------------------------------------------------------------- */

/* identify --image: ExtractTemplate then Gallery.Identify, no camera. */
static int identify_image(struct run *x, sd_bus *bus, const char *image, uint32_t k) {
        const struct ctl_verb *v = x->v;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *tmpl = NULL, *call = NULL, *reply = NULL;
        _cleanup_close_ int fd = open(image, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        const void *data;
        size_t size;
        const char *id;
        double s;
        int r;

        if (fd < 0) {
                fprintf(stderr, "lanesightctl: identify: cannot open '%s': %m\n", image);
                if (v->json)
                        printf("{\"error\":\"invalid-image\",\"message\":\"cannot open the image\"}\n");
                return CTL_EXIT_NO_FACE;
        }
        r = sd_bus_call_method(bus, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_MANAGER, "ExtractTemplate", &error,
                               &tmpl, "h", fd);
        if (r >= 0)
                r = sd_bus_message_read_array(tmpl, 'y', &data, &size);
        if (r < 0)
                return ctl_bus_fail(v, image, &error, r);
        r = sd_bus_message_new_method_call(bus, &call, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_GALLERY, "Identify");
        if (r >= 0)
                r = sd_bus_message_append_array(call, 'y', data, size);
        if (r >= 0)
                r = sd_bus_message_append(call, "u", k);
        if (r >= 0)
                r = sd_bus_call(bus, call, 0, &error, &reply);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(sd)");
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sd)", &id, &s)) > 0 && x->n_cand < MAX_CANDIDATES) {
                if (!(x->cand[x->n_cand].id = strdup(id)))
                        return CTL_EXIT_ENGINE;
                x->cand[x->n_cand++].score = s;
        }
        if (r < 0)
                return ctl_bus_fail(v, "cannot search the gallery", &error, r);
        return 0;
}

static void identify_help(void) {
        printf("Usage: lanesightctl [--json] identify [--candidates K] [--camera PATH] [--timeout S]\n"
               "                                   [--min-quality Q]\n"
               "       lanesightctl [--json] identify [--candidates K] --image IMAGE\n"
               "Search the gallery for the traveler in front of a camera (a session with identify=true),\n"
               "or for the face in IMAGE, and print the best K candidates with their scores.\n\n"
               "  --candidates K      how many candidates (1..100; default: the service's, 5 with --image)\n"
               "  --camera PATH       camera object path (default: the first camera)\n"
               "  --timeout S         give up after S seconds without a usable face (default 30)\n"
               "  --min-quality Q     capture once the quality reaches Q (0..100)\n"
               "  --image IMAGE       search for the face of a photo instead of a camera's\n"
               "  --json              JSON; the last line has \"candidates\", \"id\", \"score\" and \"match\"\n\n"
               "Exit status: 0 the best candidate matches, 1 none does (or the gallery is empty),\n"
               "3 no usable face, 5 service unreachable; see lanesightctl(1).\n");
}

int ctl_identify(const struct ctl_options *o, int argc, char **argv) {
        enum { ARG_JSON = 0x100, ARG_CANDIDATES, ARG_CAMERA, ARG_TIMEOUT, ARG_MIN_QUALITY, ARG_IMAGE };
        static const struct option opts[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "candidates", required_argument, NULL, ARG_CANDIDATES },
                { "camera", required_argument, NULL, ARG_CAMERA },
                { "timeout", required_argument, NULL, ARG_TIMEOUT },
                { "min-quality", required_argument, NULL, ARG_MIN_QUALITY },
                { "image", required_argument, NULL, ARG_IMAGE },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct ctl_verb v = { .name = "identify", .json = o->json };
        struct session_params p = { .timeout = DEFAULT_TIMEOUT_USEC, .min_quality = -1, .identify = true };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *image = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_JSON: v.json = true; break;
                case ARG_CANDIDATES: {
                        char *end;
                        errno = 0;
                        unsigned long k = strtoul(optarg, &end, 10);
                        if (errno || *end || end == optarg || k < 1 || k > MAX_CANDIDATES || optarg[0] == '-')
                                return ctl_usage(&v, "invalid --candidates '%s' (1..100)", optarg);
                        p.candidates = (uint32_t) k;
                        break;
                }
                case ARG_CAMERA: p.camera = optarg; break;
                case ARG_TIMEOUT:
                        if (ctl_parse_seconds(optarg, &p.timeout) < 0)
                                return ctl_usage(&v, "invalid --timeout '%s' (seconds, up to a day)", optarg);
                        break;
                case ARG_MIN_QUALITY:
                        if (parse_min_quality(optarg, &p.min_quality) < 0)
                                return ctl_usage(&v, "invalid --min-quality '%s' (0..100)", optarg);
                        break;
                case ARG_IMAGE: image = optarg; break;
                case 'h': identify_help(); return CTL_EXIT_OK;
                default: return CTL_EXIT_USAGE;
                }
        if (optind < argc)
                return ctl_usage(&v, "unexpected argument '%s'", argv[optind]);
        if (image && p.camera)
                return ctl_usage(&v, "--image and --camera exclude each other");

        r = ctl_bus_connect(&v, &bus);
        if (r != 0)
                return r;
        double threshold = get_threshold(bus);
        struct run x = { .v = &v, .identify = true };
        if (image) {
                /* The service does not publish its Candidates= default; 5 is its built-in one. */
                r = identify_image(&x, bus, image, p.candidates ?: 5);
        } else
                r = run_session(&x, bus, &p);
        if (r != 0) {
                run_done(&x);
                return r;
        }

        /* The service ranks; the decision is the best score against the threshold. */
        bool match = x.n_cand > 0 && x.cand[0].score >= threshold;
        if (v.json) {
                printf("{\"candidates\":[");
                for (size_t i = 0; i < x.n_cand; i++) {
                        printf("%s{\"id\":", i ? "," : "");
                        ctl_json_string(stdout, x.cand[i].id);
                        json_double("score", x.cand[i].score);
                        printf(",\"match\":%s}", x.cand[i].score >= threshold ? "true" : "false");
                }
                printf("],\"id\":");
                if (x.n_cand)
                        ctl_json_string(stdout, x.cand[0].id);
                else
                        printf("null");
                json_double("score", x.n_cand ? x.cand[0].score : NAN);
                json_double("threshold", threshold);
                printf(",\"match\":%s}\n", match ? "true" : "false");
        } else if (x.n_cand == 0)
                printf("No candidates: the gallery is empty.\n");
        else {
                printf("Candidates (threshold %.3f):\n", threshold);
                for (size_t i = 0; i < x.n_cand; i++)
                        printf("  %2zu. %-32s score %.3f%s\n", i + 1, x.cand[i].id, x.cand[i].score,
                               x.cand[i].score >= threshold ? "  MATCH" : "");
        }
        run_done(&x);
        return match ? CTL_EXIT_OK : CTL_EXIT_NO_MATCH;
}
