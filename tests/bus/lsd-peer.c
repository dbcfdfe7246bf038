/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A long-lived bus peer for the session tests: busctl and gdbus hang up
 * after one call, which ends any session they open (the owner left). This
 * peer stays connected and runs its arguments as steps, in order:
 *
 *   open [KEY=TYPE:VALUE...]   OpenSession on camera 0 (TYPE b, u or d)
 *   ref-image FILE             SetReferenceImage with FILE's fd
 *   start                      Start
 *   wait SIGNAL SECONDS        until SIGNAL (or "Removed") has arrived
 *   quiet SECONDS              listen for SECONDS
 *   hold                       until stdin reaches EOF (or SIGTERM)
 *   eavesdrop SECONDS          asks the bus for everyone's Session signals
 *                              (eavesdrop='true') and prints any it gets
 *   close                      Close
 *   getprop N HZ               N Properties.Get calls (Manager.Version) at HZ per
 *                              second, each timed from send to reply: "getprop
 *                              n=N p50_ms=.. p99_ms=.. max_ms=.. errors=.."
 *   latency N SECONDS          end-to-end latency of N Camera.FrameProcessed
 *                              signals (frame timestamp, CLOCK_MONOTONIC, to
 *                              receipt here): "latency n=N p50_ms=.. p99_ms=..
 *                              max_ms=.. fps=.. faces=.."
 *
 * It prints one line per event: "session PATH", "signal NAME ARGS",
 * "removed PATH", "error NAME: MESSAGE" (exit status 1 on a call error,
 * 2 on a wait that timed out).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#define BUS_NAME "org.lanesight.Lanesight1"
#define ROOT "/org/lanesight/Lanesight1"
#define IFACE BUS_NAME ".Session"

struct peer {
        sd_bus *bus;
        char path[256];
        char last[64][32];      /* names of the signals seen */
        unsigned n_seen;
        int eavesdrop;
        double *lat_ms;         /* latency step: one per frame */
        unsigned n_lat, max_lat, n_faces;
        double first_rx, last_rx;
};

static void seen(struct peer *p, const char *name) {
        if (p->n_seen < 64)
                snprintf(p->last[p->n_seen++], sizeof(p->last[0]), "%s", name);
}

static int print_signal(struct peer *p, sd_bus_message *m) {
        const char *member = sd_bus_message_get_member(m);
        double d;
        int b, r = 0;

        printf("signal %s", member);
        if (!strcmp(member, "Progress")) {
                const char *g;
                r = sd_bus_message_read(m, "sd", &g, &d);
                if (r >= 0)
                        printf(" %s %.2f", g, d);
        } else if (!strcmp(member, "Captured")) {
                const void *t;
                size_t n;
                r = sd_bus_message_read(m, "d", &d);
                if (r >= 0)
                        r = sd_bus_message_read_array(m, 'y', &t, &n);
                if (r >= 0)
                        printf(" %.2f %zu", d, n);
        } else if (!strcmp(member, "Verified")) {
                r = sd_bus_message_read(m, "db", &d, &b);
                if (r >= 0)
                        printf(" %.4f %s", d, b ? "true" : "false");
        } else if (!strcmp(member, "Identified")) {
                const char *id;
                r = sd_bus_message_enter_container(m, 'a', "(sd)");
                while (r >= 0 && (r = sd_bus_message_read(m, "(sd)", &id, &d)) > 0)
                        printf(" %s:%.4f", id, d);
        }
        printf("\n");
        fflush(stdout);
        seen(p, member);
        return 0;
}

static double now(void);

static void record_frame(struct peer *p, sd_bus_message *m) {
        uint64_t ts;
        uint32_t seq;
        const char *g;
        struct timespec now_ts;

        if (p->n_lat >= p->max_lat || sd_bus_message_read(m, "tus", &ts, &seq, &g) < 0)
                return;
        clock_gettime(CLOCK_MONOTONIC, &now_ts);
        uint64_t rx = (uint64_t) now_ts.tv_sec * 1000000 + (uint64_t) now_ts.tv_nsec / 1000;
        p->lat_ms[p->n_lat++] = ((double) rx - (double) ts) / 1000.0;
        p->n_faces += strcmp(g, "no-face") != 0;
        p->last_rx = now();
        if (p->n_lat == 1)
                p->first_rx = p->last_rx;
        if (p->n_lat == p->max_lat)
                seen(p, "Latency");
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct peer *p = userdata;
        const char *path;

        if (p->lat_ms && sd_bus_message_is_signal(m, BUS_NAME ".Camera", "FrameProcessed")) {
                record_frame(p, m);
                return 0;
        }

        if (sd_bus_message_is_signal(m, IFACE, NULL) &&
            (p->eavesdrop || (p->path[0] && !strcmp(sd_bus_message_get_path(m), p->path))))
                return print_signal(p, m);
        if (sd_bus_message_is_signal(m, "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved") &&
            sd_bus_message_read(m, "o", &path) >= 0 && p->path[0] && !strcmp(path, p->path)) {
                printf("removed %s\n", path);
                fflush(stdout);
                seen(p, "Removed");
        }
        return 0;
}

static int call_failed(sd_bus_error *e, int r) {
        printf("error %s: %s\n", e->name ?: "errno", e->message ?: strerror(-r));
        fflush(stdout);
        return -1;
}

static int append_option(sd_bus_message *m, const char *spec) {
        char key[64], type;
        const char *val;

        if (sscanf(spec, "%63[^=]=%c:", key, &type) != 2 || !(val = strchr(spec, ':')))
                return -EINVAL;
        val++;
        switch (type) {
        case 'b': return sd_bus_message_append(m, "{sv}", key, "b", !strcmp(val, "true"));
        case 'u': return sd_bus_message_append(m, "{sv}", key, "u", (uint32_t) strtoul(val, NULL, 0));
        case 'd': return sd_bus_message_append(m, "{sv}", key, "d", strtod(val, NULL));
        case 's': return sd_bus_message_append(m, "{sv}", key, "s", val);
        default: return -EINVAL;
        }
}

/* open [KEY=T:V...]: consumes the option words; returns how many. */
static int step_open(struct peer *p, char **argv, int argc) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        const char *path;
        int n = 0, r;

        r = sd_bus_message_new_method_call(p->bus, &m, BUS_NAME, ROOT, BUS_NAME ".Manager", "OpenSession");
        if (r >= 0)
                r = sd_bus_message_append(m, "o", ROOT "/camera/0");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "{sv}");
        while (r >= 0 && n < argc && strchr(argv[n], '='))
                r = append_option(m, argv[n++]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_call(p->bus, m, 0, &e, &reply);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r < 0) {
                call_failed(&e, r);
                n = -1;
        } else {
                snprintf(p->path, sizeof(p->path), "%s", path);
                printf("session %s\n", path);
                fflush(stdout);
        }
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
        sd_bus_message_unref(reply);
        return n;
}

static int step_call(struct peer *p, const char *method, const char *file) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r, fd = -1;

        if (file) {
                fd = open(file, O_RDONLY | O_CLOEXEC);
                if (fd < 0) {
                        perror(file);
                        return -1;
                }
                r = sd_bus_call_method(p->bus, BUS_NAME, p->path, IFACE, method, &e, &reply, "h", fd);
                close(fd);
        } else
                r = sd_bus_call_method(p->bus, BUS_NAME, p->path, IFACE, method, &e, &reply, "");
        if (r < 0)
                r = call_failed(&e, r);
        else {
                printf("ok %s\n", method);
                fflush(stdout);
        }
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        return r;
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int has_seen(struct peer *p, const char *name) {
        for (unsigned i = 0; i < p->n_seen; i++)
                if (!strcmp(p->last[i], name))
                        return 1;
        return 0;
}

/* Processes bus traffic until name was seen (NULL: never), seconds pass, or stdin ends (watch_stdin). */
static int listen_for(struct peer *p, const char *name, double seconds, int watch_stdin) {
        double end = now() + seconds;
        for (;;) {
                int r = sd_bus_process(p->bus, NULL);
                if (r < 0)
                        return r;
                if (name && has_seen(p, name))
                        return 0;
                if (r > 0)
                        continue;
                double left = end - now();
                if (left <= 0)
                        return name ? -ETIMEDOUT : 0;
                struct pollfd pfd[2] = {
                        { .fd = sd_bus_get_fd(p->bus), .events = (short) sd_bus_get_events(p->bus) },
                        { .fd = STDIN_FILENO, .events = POLLIN },
                };
                r = poll(pfd, watch_stdin ? 2 : 1, (int) (left * 1000) + 1);
                if (r < 0)
                        return -errno;
                if (watch_stdin && pfd[1].revents) {
                        char buf[64];
                        if (read(STDIN_FILENO, buf, sizeof(buf)) <= 0)
                                return 0;
                }
        }
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return x < y ? -1 : x > y;
}

static int step_latency(struct peer *p, unsigned n, double seconds) {
        p->lat_ms = calloc(n, sizeof(double));
        p->max_lat = n;
        if (!p->lat_ms || n < 2)
                return -EINVAL;
        int r = sd_bus_match_signal(p->bus, NULL, BUS_NAME, NULL, BUS_NAME ".Camera", "FrameProcessed", NULL, NULL);
        if (r >= 0)
                r = listen_for(p, "Latency", seconds, 0);
        if (r < 0 && r != -ETIMEDOUT)
                return r;
        if (p->n_lat < 2) {
                printf("latency n=%u (too few frames)\n", p->n_lat);
                return -ETIMEDOUT;
        }
        unsigned m = p->n_lat;
        double fps = (m - 1) / (p->last_rx - p->first_rx);
        qsort(p->lat_ms, m, sizeof(double), cmp_double);
        printf("latency n=%u p50_ms=%.1f p99_ms=%.1f max_ms=%.1f fps=%.2f faces=%u\n", m, p->lat_ms[m / 2],
               p->lat_ms[(m * 99) / 100 < m ? (m * 99) / 100 : m - 1], p->lat_ms[m - 1], fps, p->n_faces);
        fflush(stdout);
        free(p->lat_ms);
        p->lat_ms = NULL;
        return 0;
}

static int step_getprop(struct peer *p, unsigned n, double hz) {
        double *ms = calloc(n ? n : 1, sizeof(double)), next = now();
        unsigned errors = 0;

        if (!ms || n < 2 || !(hz > 0)) {
                free(ms);
                return -EINVAL;
        }
        for (unsigned i = 0; i < n; i++) {
                sd_bus_error e = SD_BUS_ERROR_NULL;
                char *v = NULL;
                double t0 = now();
                int r = sd_bus_get_property_string(p->bus, BUS_NAME, ROOT, BUS_NAME ".Manager", "Version", &e, &v);
                ms[i] = (now() - t0) * 1000;
                errors += r < 0;
                free(v);
                sd_bus_error_free(&e);
                next += 1 / hz;
                double wait = next - now();
                if (wait > 0)
                        usleep((useconds_t) (wait * 1e6));
        }
        qsort(ms, n, sizeof(double), cmp_double);
        printf("getprop n=%u p50_ms=%.2f p99_ms=%.2f max_ms=%.2f errors=%u\n", n, ms[n / 2],
               ms[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1], ms[n - 1], errors);
        fflush(stdout);
        free(ms);
        return 0;
}

static int run_steps(struct peer *p, int argc, char **argv) {
        for (int i = 0; i < argc; i++) {
                const char *s = argv[i];
                int r = 0;
                if (!strcmp(s, "open")) {
                        r = step_open(p, argv + i + 1, argc - i - 1);
                        if (r >= 0)
                                i += r;
                } else if (!strcmp(s, "ref-image") && i + 1 < argc)
                        r = step_call(p, "SetReferenceImage", argv[++i]);
                else if (!strcmp(s, "start") || !strcmp(s, "close") || !strcmp(s, "cancel"))
                        r = step_call(p, !strcmp(s, "start") ? "Start" : !strcmp(s, "close") ? "Close" : "Cancel", NULL);
                else if (!strcmp(s, "wait") && i + 2 < argc) {
                        r = listen_for(p, argv[i + 1], strtod(argv[i + 2], NULL), 0);
                        if (r == -ETIMEDOUT) {
                                printf("timeout waiting for %s\n", argv[i + 1]);
                                return 2;
                        }
                        i += 2;
                } else if (!strcmp(s, "latency") && i + 2 < argc) {
                        r = step_latency(p, (unsigned) strtoul(argv[i + 1], NULL, 10), strtod(argv[i + 2], NULL));
                        i += 2;
                } else if (!strcmp(s, "getprop") && i + 2 < argc) {
                        r = step_getprop(p, (unsigned) strtoul(argv[i + 1], NULL, 10), strtod(argv[i + 2], NULL));
                        i += 2;
                } else if (!strcmp(s, "eavesdrop") && i + 1 < argc) {
                        p->eavesdrop = 1;
                        /* sd-bus's own match parser knows no eavesdrop key: ask the bus directly. */
                        sd_bus_error e = SD_BUS_ERROR_NULL;
                        r = sd_bus_call_method(p->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                               "org.freedesktop.DBus", "AddMatch", &e, NULL, "s",
                                               "type='signal',eavesdrop='true',interface='" IFACE "'");
                        if (r < 0)
                                call_failed(&e, r);
                        sd_bus_error_free(&e);
                        if (r >= 0) {
                                printf("eavesdropping\n");
                                fflush(stdout);
                                r = listen_for(p, NULL, strtod(argv[++i], NULL), 0);
                        }
                } else if (!strcmp(s, "quiet") && i + 1 < argc)
                        r = listen_for(p, NULL, strtod(argv[++i], NULL), 0);
                else if (!strcmp(s, "hold")) {
                        printf("holding\n");
                        fflush(stdout);
                        r = listen_for(p, NULL, 3600, 1);
                } else {
                        fprintf(stderr, "lsd-peer: bad step '%s'\n", s);
                        return 2;
                }
                if (r < 0)
                        return 1;
        }
        return 0;
}

int main(int argc, char **argv) {
        struct peer p = { 0 };
        int r;

        r = sd_bus_open_system(&p.bus);
        if (r < 0) {
                fprintf(stderr, "lsd-peer: cannot connect: %s\n", strerror(-r));
                return 1;
        }
        r = sd_bus_add_filter(p.bus, NULL, on_message, &p);
        if (r >= 0)
                r = sd_bus_match_signal(p.bus, NULL, BUS_NAME, ROOT, "org.freedesktop.DBus.ObjectManager",
                                        "InterfacesRemoved", NULL, NULL);
        if (r < 0) {
                fprintf(stderr, "lsd-peer: cannot listen: %s\n", strerror(-r));
                return 1;
        }
        r = run_steps(&p, argc - 1, argv + 1);
        sd_bus_flush_close_unref(p.bus);
        return r;
}
