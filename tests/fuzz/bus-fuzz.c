/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus-fuzz: a hostile D-Bus client for lanesightd (issue 12). Seeded and
 * reproducible: the same --seed makes the same sequence of calls, members,
 * signatures and values; only which session a session call names depends on
 * which OpenSession calls have been answered by then (replies arrive when they
 * arrive). It calls every method and property of every
 * interface (a table checked against the live objects' introspection at start)
 * with right and wrong signatures, boundary values (0, -1, huge, NaN, empty and
 * overlong strings, bad object paths, deep containers, garbage and damaged
 * templates), the fd kinds that matter for image arguments (garbage file,
 * /dev/null, /dev/zero, a directory, a pipe that never closes, a pipe that
 * dribbles, a socket, an 8192x8192 PNG, a truncated or bit-flipped JPEG, a
 * write-only fd, an eventfd), sessions opened and abandoned, and peers that
 * disconnect mid-call.
 *
 * Every --check-every calls a separate connection reads Manager.Version and
 * must get it within --bound-ms. At the end it prints the calls made and a
 * count per error name seen. Failures (exit status 1, "FAIL:" lines): a reply
 * with an error name that docs/dbus-api.md does not document, a call never
 * answered (timed out: a hang), the service leaving the bus, a slow or failed
 * liveness check.
 *
 * Single-threaded; everything is owned by struct fuzz in main().
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/macro.h"

#define BUS_NAME "org.lanesight.Lanesight1"
#define ROOT "/org/lanesight/Lanesight1"
#define CAM0 ROOT "/camera/0"
#define ERR BUS_NAME ".Error."
#define FDO_ERR "org.freedesktop.DBus.Error."

#define N_CONN 4                /* worker connections: 4 callers, each with its own sessions */
#define MAX_SESSIONS 8          /* remembered per connection (the service may hold fewer) */
#define MAX_INFLIGHT 12         /* below dbus-daemon's pending-reply limits */
#define MAX_WRITERS 64
#define MAX_ERRNAMES 64
#define REPLY_TIMEOUT_USEC (60ULL * 1000000ULL)  /* a call unanswered this long is a hang */

enum obj { OBJ_ROOT, OBJ_CAMERA, OBJ_SESSION };

struct member {
        const char *iface, *name, *sig;
        enum obj obj;
};

/* Every method of packaging/dbus/org.lanesight.Lanesight1.xml, and the standard ones sd-bus serves. */
static const struct member methods[] = {
        { BUS_NAME ".Manager", "GetCameras", "", OBJ_ROOT },
        { BUS_NAME ".Manager", "OpenSession", "oa{sv}", OBJ_ROOT },
        { BUS_NAME ".Manager", "ExtractTemplate", "h", OBJ_ROOT },
        { BUS_NAME ".Gallery", "Add", "sayt", OBJ_ROOT },
        { BUS_NAME ".Gallery", "Remove", "s", OBJ_ROOT },
        { BUS_NAME ".Gallery", "Clear", "", OBJ_ROOT },
        { BUS_NAME ".Gallery", "List", "", OBJ_ROOT },
        { BUS_NAME ".Gallery", "Identify", "ayu", OBJ_ROOT },
        { BUS_NAME ".Session", "SetReference", "ay", OBJ_SESSION },
        { BUS_NAME ".Session", "SetReferenceImage", "h", OBJ_SESSION },
        { BUS_NAME ".Session", "Start", "", OBJ_SESSION },
        { BUS_NAME ".Session", "Cancel", "", OBJ_SESSION },
        { BUS_NAME ".Session", "Close", "", OBJ_SESSION },
        { "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "", OBJ_ROOT },
        { "org.freedesktop.DBus.Introspectable", "Introspect", "", OBJ_ROOT },
        { "org.freedesktop.DBus.Peer", "Ping", "", OBJ_ROOT },
};

struct property {
        const char *iface, *name;
        enum obj obj;
};

static const struct property properties[] = {
        { BUS_NAME ".Manager", "Version", OBJ_ROOT },
        { BUS_NAME ".Manager", "Backend", OBJ_ROOT },
        { BUS_NAME ".Manager", "Device", OBJ_ROOT },
        { BUS_NAME ".Manager", "ImportPath", OBJ_ROOT },
        { BUS_NAME ".Manager", "Models", OBJ_ROOT },
        { BUS_NAME ".Manager", "MatchThreshold", OBJ_ROOT },
        { BUS_NAME ".Manager", "Cameras", OBJ_ROOT },
        { BUS_NAME ".Gallery", "Count", OBJ_ROOT },
        { BUS_NAME ".Camera", "Id", OBJ_CAMERA },
        { BUS_NAME ".Camera", "Node", OBJ_CAMERA },
        { BUS_NAME ".Camera", "Card", OBJ_CAMERA },
        { BUS_NAME ".Camera", "Format", OBJ_CAMERA },
        { BUS_NAME ".Camera", "Size", OBJ_CAMERA },
        { BUS_NAME ".Camera", "FrameRate", OBJ_CAMERA },
        { BUS_NAME ".Camera", "State", OBJ_CAMERA },
        { BUS_NAME ".Camera", "FacesInView", OBJ_CAMERA },
        { BUS_NAME ".Camera", "FramesCaptured", OBJ_CAMERA },
        { BUS_NAME ".Camera", "FramesDropped", OBJ_CAMERA },
        { BUS_NAME ".Camera", "FramesProcessed", OBJ_CAMERA },
        { BUS_NAME ".Camera", "BytesConverted", OBJ_CAMERA },
        { BUS_NAME ".Camera", "ImportPath", OBJ_CAMERA },
        { BUS_NAME ".Camera", "ImportBytesCopied", OBJ_CAMERA },
        { BUS_NAME ".Camera", "BytesToDevice", OBJ_CAMERA },
        { BUS_NAME ".Camera", "BytesFromDevice", OBJ_CAMERA },
        { BUS_NAME ".Camera", "FrameBytesToDevice", OBJ_CAMERA },
        { BUS_NAME ".Camera", "FrameBytesFromDevice", OBJ_CAMERA },
        { BUS_NAME ".Session", "Id", OBJ_SESSION },
        { BUS_NAME ".Session", "Camera", OBJ_SESSION },
        { BUS_NAME ".Session", "State", OBJ_SESSION },
        { BUS_NAME ".Session", "OptOut", OBJ_SESSION },
        { BUS_NAME ".Session", "HasReference", OBJ_SESSION },
};

/* The error names docs/dbus-api.md documents; anything else is a failure. */
static const char *const documented_errors[] = {
        ERR "AccessDenied", ERR "InvalidTemplate", ERR "InvalidImage", ERR "NoFace", ERR "PoorReference",
        ERR "NoSuchCamera", ERR "NotOwner", ERR "BadState", ERR "LimitReached", ERR "NotFound",
        ERR "OptedOut", ERR "EngineFailure",
        /* The standard ones sd-bus answers for a wrong signature, member, interface, object or property. */
        FDO_ERR "InvalidArgs", FDO_ERR "UnknownObject", FDO_ERR "UnknownMethod", FDO_ERR "UnknownInterface",
        FDO_ERR "UnknownProperty", FDO_ERR "PropertyReadOnly",
};

/* The write end of a pipe or socket passed as an image: silent, dribbling, or pushing a whole image. */
struct writer {
        int fd;
        const uint8_t *data;
        size_t len, off;
        uint64_t next_usec, close_usec;
        unsigned step;          /* bytes per write; 0: never writes */
        uint64_t every_usec;
};

struct fuzz;
struct call {
        struct fuzz *f;
        unsigned long idx;
        int conn;
        int open_session;
        char what[200];
};

struct fuzz {
        uint64_t rng;
        sd_bus *conn[N_CONN], *watch;
        char sessions[N_CONN][MAX_SESSIONS][96];
        unsigned n_sessions[N_CONN], n_opened[N_CONN];
        unsigned inflight;
        unsigned long calls, ok, errors, local_errors, abandoned, checks, failures;
        double check_max_ms;
        struct { char name[128]; unsigned long n; } errnames[MAX_ERRNAMES];
        unsigned n_errnames;
        struct writer writers[MAX_WRITERS];
        unsigned n_writers;
        uint8_t *portrait, *tpl;
        size_t portrait_len, tpl_len;
        int portrait_fd, big_png_fd;
        unsigned bound_ms;
        int verbose;
};

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;
}

/* xorshift64*: small, and the whole run follows from the seed. */
static uint64_t rnd(struct fuzz *f) {
        f->rng ^= f->rng >> 12;
        f->rng ^= f->rng << 25;
        f->rng ^= f->rng >> 27;
        return f->rng * 2685821657736338717ULL;
}

static unsigned below(struct fuzz *f, unsigned n) {
        return n ? (unsigned) (rnd(f) % n) : 0;
}

static void fail(struct fuzz *f, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        printf("FAIL: ");
        vprintf(fmt, ap);
        printf("\n");
        fflush(stdout);
        va_end(ap);
        f->failures++;
}

static void count_error(struct fuzz *f, const char *name) {
        for (unsigned i = 0; i < f->n_errnames; i++)
                if (!strcmp(f->errnames[i].name, name)) {
                        f->errnames[i].n++;
                        return;
                }
        if (f->n_errnames < MAX_ERRNAMES) {
                snprintf(f->errnames[f->n_errnames].name, sizeof(f->errnames[0].name), "%s", name);
                f->errnames[f->n_errnames++].n = 1;
        }
}

static int documented(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(documented_errors); i++)
                if (!strcmp(documented_errors[i], name))
                        return 1;
        return 0;
}

/* --- image file descriptors ------------------------------------------------------------------------- */

/* A memfd holding data: a regular file the service can fstat and read. */
static int memfd_with(const void *data, size_t len) {
        int fd = memfd_create("bus-fuzz", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (size_t off = 0; off < len;) {
                ssize_t n = write(fd, (const uint8_t *) data + off, len - off);
                if (n < 0) {
                        safe_close(fd);
                        return -errno;
                }
                off += (size_t) n;
        }
        return fd;
}

/* A new open file description of fd (its own offset), opened with flags. */
static int reopen(int fd, int flags) {
        char p[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
        int r = open(p, flags | O_CLOEXEC);
        return r < 0 ? -errno : r;
}

static void png_chunk(FILE *out, const char *type, const uint8_t *data, uint32_t len) {
        uint8_t be[4] = { (uint8_t) (len >> 24), (uint8_t) (len >> 16), (uint8_t) (len >> 8), (uint8_t) len };
        uLong crc = crc32(0, (const Bytef *) type, 4);
        if (len)
                crc = crc32(crc, data, len);
        fwrite(be, 1, 4, out);
        fwrite(type, 1, 4, out);
        if (len)
                fwrite(data, 1, len, out);
        uint8_t c[4] = { (uint8_t) (crc >> 24), (uint8_t) (crc >> 16), (uint8_t) (crc >> 8), (uint8_t) crc };
        fwrite(c, 1, 4, out);
}

/* An 8192x8192 grey PNG (64 Mpixel in ~200 KB) in a memfd, deflated row by row. */
static int make_big_png(void) {
        enum { W = 8192, H = 8192 };
        _cleanup_free_ uint8_t *row = calloc(1, W + 1), *out = NULL;
        size_t cap = 1 << 20, len = 0;
        z_stream z = { 0 };
        int r;

        out = malloc(cap);
        if (!row || !out || deflateInit(&z, 9) != Z_OK)
                return -ENOMEM;
        for (unsigned y = 0; y <= H; y++) {
                z.next_in = row;
                z.avail_in = y < H ? W + 1 : 0;
                do {
                        if (cap - len < 65536) {
                                uint8_t *n = realloc(out, cap * 2);
                                if (!n) {
                                        deflateEnd(&z);
                                        return -ENOMEM;
                                }
                                out = n;
                                cap *= 2;
                        }
                        z.next_out = out + len;
                        z.avail_out = (uInt) (cap - len);
                        r = deflate(&z, y < H ? Z_NO_FLUSH : Z_FINISH);
                        len = cap - z.avail_out;
                } while (z.avail_out == 0 || (y == H && r != Z_STREAM_END));
        }
        deflateEnd(&z);

        _cleanup_free_ char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        if (!m)
                return -ENOMEM;
        static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        const uint8_t ihdr[13] = { 0, 0, W >> 8, W & 0xff, 0, 0, H >> 8, H & 0xff, 8, 0, 0, 0, 0 };
        fwrite(sig, 1, sizeof(sig), m);
        png_chunk(m, "IHDR", ihdr, sizeof(ihdr));
        png_chunk(m, "IDAT", out, (uint32_t) len);
        png_chunk(m, "IEND", NULL, 0);
        fclose(m);
        return memfd_with(buf, size);
}

static void add_writer(struct fuzz *f, int fd, const uint8_t *data, size_t len, unsigned step,
                       uint64_t every_usec, uint64_t close_after_usec) {
        if (f->n_writers >= MAX_WRITERS) {
                safe_close(fd);
                return;
        }
        (void) fcntl(fd, F_SETFL, O_NONBLOCK);
        uint64_t t = now_usec();
        f->writers[f->n_writers++] = (struct writer) {
                .fd = fd, .data = data, .len = len, .step = step, .every_usec = every_usec,
                .next_usec = t, .close_usec = t + close_after_usec,
        };
}

/* Writes what is due; closes writers that are done or past their time. */
static void tick_writers(struct fuzz *f, int close_all) {
        uint64_t t = now_usec();
        for (unsigned i = 0; i < f->n_writers;) {
                struct writer *w = &f->writers[i];
                if (!close_all && w->step && w->off < w->len && t >= w->next_usec) {
                        size_t n = MIN((size_t) w->step, w->len - w->off);
                        ssize_t k = write(w->fd, w->data + w->off, n);
                        if (k > 0)
                                w->off += (size_t) k;
                        else if (k < 0 && errno != EAGAIN)
                                w->off = w->len;        /* the reader went away */
                        w->next_usec = t + w->every_usec;
                }
                if (close_all || t >= w->close_usec || (w->step && w->off >= w->len)) {
                        safe_close(w->fd);
                        *w = f->writers[--f->n_writers];
                        continue;
                }
                i++;
        }
}

enum fd_kind {
        FD_PORTRAIT, FD_GARBAGE, FD_DEVNULL, FD_DEVZERO, FD_DIRECTORY, FD_PIPE_SILENT, FD_PIPE_DRIBBLE,
        FD_PIPE_PORTRAIT, FD_SOCKET_PORTRAIT, FD_SOCKET_SILENT, FD_BIG_PNG, FD_TRUNCATED_JPEG,
        FD_FLIPPED_JPEG, FD_WRITE_ONLY, FD_EVENTFD, FD_EMPTY, _FD_KIND_MAX,
};

static const char *const fd_kind_names[_FD_KIND_MAX] = {
        "portrait", "garbage-file", "/dev/null", "/dev/zero", "directory", "silent-pipe", "dribbling-pipe",
        "pipe-portrait", "socket-portrait", "silent-socket", "8192x8192-png", "truncated-jpeg",
        "bit-flipped-jpeg", "write-only-fd", "eventfd", "empty-file",
};

/* Returns an fd of the given kind for an image argument (the caller closes it), or negative errno. */
static int image_fd(struct fuzz *f, enum fd_kind kind) {
        int p[2], fd;

        switch (kind) {
        case FD_PORTRAIT: return reopen(f->portrait_fd, O_RDONLY);
        case FD_BIG_PNG: return reopen(f->big_png_fd, O_RDONLY);
        case FD_WRITE_ONLY: return reopen(f->portrait_fd, O_WRONLY);
        case FD_DEVNULL: return open("/dev/null", O_RDONLY | O_CLOEXEC);
        case FD_DEVZERO: return open("/dev/zero", O_RDONLY | O_CLOEXEC);
        case FD_DIRECTORY: return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        case FD_EVENTFD: return eventfd(1, EFD_CLOEXEC);
        case FD_EMPTY: return memfd_with("", 0);
        case FD_GARBAGE: {
                size_t n = below(f, 65536);
                _cleanup_free_ uint8_t *g = malloc(n + 1);
                if (!g)
                        return -ENOMEM;
                for (size_t i = 0; i < n; i++)
                        g[i] = (uint8_t) rnd(f);
                return memfd_with(g, n);
        }
        case FD_TRUNCATED_JPEG:
                return memfd_with(f->portrait, below(f, (unsigned) f->portrait_len));
        case FD_FLIPPED_JPEG: {
                _cleanup_free_ uint8_t *g = malloc(f->portrait_len);
                if (!g)
                        return -ENOMEM;
                memcpy(g, f->portrait, f->portrait_len);
                for (unsigned i = 1 + below(f, 16); i > 0; i--)
                        g[below(f, (unsigned) f->portrait_len)] ^= (uint8_t) (1u << below(f, 8));
                return memfd_with(g, f->portrait_len);
        }
        case FD_PIPE_SILENT:
        case FD_PIPE_DRIBBLE:
        case FD_PIPE_PORTRAIT:
                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                break;
        case FD_SOCKET_PORTRAIT:
        case FD_SOCKET_SILENT:
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0)
                        return -errno;
                break;
        default:
                return -EINVAL;
        }
        fd = p[0];
        switch (kind) {
        case FD_PIPE_SILENT:
        case FD_SOCKET_SILENT:
                /* Never writes; closed after 8 s, past the service's 5 s read deadline. */
                add_writer(f, p[1], NULL, 0, 0, 0, 8 * 1000000ULL);
                break;
        case FD_PIPE_DRIBBLE:
                /* 64 bytes every 50 ms: the portrait would take minutes. */
                add_writer(f, p[1], f->portrait, f->portrait_len, 64, 50000, 12 * 1000000ULL);
                break;
        default:
                add_writer(f, p[1], f->portrait, f->portrait_len, 65536, 0, 12 * 1000000ULL);
                break;
        }
        return fd;
}

/* --- arguments --------------------------------------------------------------------------------------- */

static void random_string(struct fuzz *f, char *buf, size_t size) {
        static const char *const fixed[] = {
                "", "a", "opt_out", "identify", "candidates", "min_quality", "hopper", "..", "/", ROOT,
                "org.lanesight.Lanesight1.Error.NotFound", "caf\xc3\xa9", "\xf0\x9f\x98\x80", "a b\tc\nd",
        };
        unsigned k = below(f, 6);
        size_t n;
        if (k < 2) {
                snprintf(buf, size, "%s", fixed[below(f, ELEMENTSOF(fixed))]);
                return;
        }
        switch (k) {
        case 2: n = 255; break;         /* the longest gallery id */
        case 3: n = 256; break;         /* one too long */
        case 4: n = below(f, 2) ? 65536 : 1 + below(f, 1024); break;
        default: n = below(f, 40); break;
        }
        n = MIN(n, size - 1);
        for (size_t i = 0; i < n; i++)
                buf[i] = (char) (0x20 + below(f, 0x5f));
        buf[n] = 0;
}

static const char *random_path(struct fuzz *f, int conn, char *buf, size_t size) {
        static const char *const fixed[] = {
                ROOT, CAM0, ROOT "/camera/1", ROOT "/camera/4294967296", ROOT "/session/0",
                ROOT "/session/18446744073709551615", ROOT "/session/99999999999999999999999", "/",
                "/org/lanesight", ROOT "/camera", ROOT "/session", ROOT "/camera/0/x",
        };
        /* The same draws whatever sessions exist, so that the seed alone fixes the rest of the run. */
        unsigned k = below(f, 10), other = below(f, N_CONN), fx = below(f, ELEMENTSOF(fixed));
        uint64_t pick = rnd(f);
        if (k < 4 && f->n_sessions[conn])
                return f->sessions[conn][pick % f->n_sessions[conn]];
        if (k < 5 && f->n_sessions[other])
                return f->sessions[other][pick % f->n_sessions[other]];
        if (k < 7)
                return CAM0;
        snprintf(buf, size, "%s", fixed[fx]);
        return buf;
}

static uint32_t random_u32(struct fuzz *f) {
        static const uint32_t v[] = { 0, 1, 2, 5, 100, 101, 1000, INT32_MAX, (uint32_t) INT32_MAX + 1, UINT32_MAX };
        return below(f, 4) ? v[below(f, ELEMENTSOF(v))] : (uint32_t) rnd(f);
}

static uint64_t random_u64(struct fuzz *f) {
        static const uint64_t v[] = { 0, 1, 60, 2592000, 2592001, UINT32_MAX, INT64_MAX, UINT64_MAX };
        return below(f, 4) ? v[below(f, ELEMENTSOF(v))] : rnd(f);
}

static double random_double(struct fuzz *f) {
        const double v[] = { 0, -0.0, -1, 1, 59.999, 60, 100, 100.0001, 1e308, -1e308, 4.9e-324,
                             NAN, INFINITY, -INFINITY };
        return below(f, 4) ? v[below(f, ELEMENTSOF(v))] : (double) (int64_t) rnd(f) / 1e12;
}

/* Template bytes: the real one, damaged copies of it, or garbage. The caller frees *ret. */
static size_t random_template(struct fuzz *f, uint8_t **ret) {
        size_t n;
        uint8_t *b;
        switch (below(f, 8)) {
        case 0:
        case 1:
                n = f->tpl_len;
                b = malloc(n + 1);
                if (b && n)
                        memcpy(b, f->tpl, n);
                break;
        case 2:         /* one bit flipped: checksum or value */
        case 3:         /* truncated */
                n = f->tpl_len;
                b = malloc(n + 1);
                if (b && n) {
                        memcpy(b, f->tpl, n);
                        if (below(f, 2))
                                b[below(f, (unsigned) n)] ^= (uint8_t) (1u << below(f, 8));
                        else
                                n = below(f, (unsigned) n);
                }
                break;
        case 4:
                n = 0;
                b = malloc(1);
                break;
        case 5:         /* a header and nothing after it */
                n = 48;
                b = calloc(1, n);
                if (b)
                        memcpy(b, "LSFT\1\0\60\0", 8);
                break;
        case 6:
                n = 1 << 20;
                b = malloc(n);
                if (b)
                        memset(b, (int) below(f, 256), n);
                break;
        default:
                n = below(f, 4096);
                b = malloc(n + 1);
                for (size_t i = 0; b && i < n; i++)
                        b[i] = (uint8_t) rnd(f);
                break;
        }
        *ret = b;
        return b ? n : 0;
}

static int append_deep(sd_bus_message *m, char kind, unsigned depth) {
        /* Nested variants, or arrays ("aaa...y"), within the D-Bus limit of 32 per kind. */
        char sig[40];
        int r = 0;
        if (kind == 'v') {
                for (unsigned i = 0; r >= 0 && i < depth; i++)
                        r = sd_bus_message_open_container(m, 'v', i + 1 < depth ? "v" : "s");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", "deep");
        } else {
                for (unsigned i = 0; r >= 0 && i < depth; i++) {
                        unsigned rest = depth - i - 1;
                        memset(sig, 'a', rest);
                        sig[rest] = 'y';
                        sig[rest + 1] = 0;
                        r = sd_bus_message_open_container(m, 'a', sig);
                }
                if (r >= 0)
                        r = sd_bus_message_append(m, "y", 7);
        }
        for (unsigned i = 0; r >= 0 && i < depth; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_variant(struct fuzz *f, sd_bus_message *m) {
        char s[512];
        switch (below(f, 9)) {
        case 0: return sd_bus_message_append(m, "v", "b", (int) below(f, 2));
        case 1: return sd_bus_message_append(m, "v", "u", random_u32(f));
        case 2: return sd_bus_message_append(m, "v", "d", random_double(f));
        case 3: random_string(f, s, sizeof(s)); return sd_bus_message_append(m, "v", "s", s);
        case 4: return sd_bus_message_append(m, "v", "i", (int32_t) random_u32(f));
        case 5: return sd_bus_message_append(m, "v", "t", random_u64(f));
        case 6: return sd_bus_message_append(m, "v", "as", 2, "a", "");
        case 7: return sd_bus_message_append(m, "v", "y", (uint8_t) rnd(f));
        default: {
                int r = sd_bus_message_open_container(m, 'v', "v");
                if (r >= 0)
                        r = append_deep(m, 'v', 1 + below(f, 30));
                return r >= 0 ? sd_bus_message_close_container(m) : r;
        }
        }
}

/* OpenSession's options: known keys with right or wrong types and values, unknown keys, duplicates. */
static int append_options(struct fuzz *f, sd_bus_message *m, char *what, size_t size) {
        static const char *const keys[] = { "opt_out", "identify", "candidates", "min_quality", "bogus", "" };
        int r = sd_bus_message_open_container(m, 'a', "{sv}");
        for (unsigned i = below(f, 5); r >= 0 && i > 0; i--) {
                const char *key = keys[below(f, ELEMENTSOF(keys))];
                size_t l = strlen(what);
                snprintf(what + l, size - l, " %s", key);
                r = sd_bus_message_open_container(m, 'e', "sv");
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", key);
                if (r >= 0)
                        r = append_variant(f, m);
                if (r >= 0)
                        r = sd_bus_message_close_container(m);
        }
        return r >= 0 ? sd_bus_message_close_container(m) : r;
}

/* Appends one argument of a basic or listed type; records fd kinds in what. */
static int append_arg(struct fuzz *f, sd_bus_message *m, int conn, const char *type, char *what, size_t size) {
        char s[65600], pbuf[128];
        int r;

        if (!strcmp(type, "s")) {
                random_string(f, s, sizeof(s));
                return sd_bus_message_append(m, "s", s);
        }
        if (!strcmp(type, "o"))
                return sd_bus_message_append(m, "o", random_path(f, conn, pbuf, sizeof(pbuf)));
        if (!strcmp(type, "u"))
                return sd_bus_message_append(m, "u", random_u32(f));
        if (!strcmp(type, "t"))
                return sd_bus_message_append(m, "t", random_u64(f));
        if (!strcmp(type, "d"))
                return sd_bus_message_append(m, "d", random_double(f));
        if (!strcmp(type, "b"))
                return sd_bus_message_append(m, "b", (int) below(f, 2));
        if (!strcmp(type, "i"))
                return sd_bus_message_append(m, "i", (int32_t) random_u32(f));
        if (!strcmp(type, "a{sv}"))
                return append_options(f, m, what, size);
        if (!strcmp(type, "as"))
                return sd_bus_message_append(m, "as", 3, "", "x", "opt_out");
        if (!strcmp(type, "(uu)"))
                return sd_bus_message_append(m, "(uu)", random_u32(f), random_u32(f));
        if (!strcmp(type, "v"))
                return append_variant(f, m);
        if (!strcmp(type, "deep-a"))
                return append_deep(m, 'a', 1 + below(f, 31));
        if (!strcmp(type, "ay")) {
                _cleanup_free_ uint8_t *b = NULL;
                size_t n = random_template(f, &b);
                if (!b)
                        return -ENOMEM;
                size_t l = strlen(what);
                snprintf(what + l, size - l, " ay[%zu]", n);
                return sd_bus_message_append_array(m, 'y', b, n);
        }
        if (!strcmp(type, "h")) {
                enum fd_kind k = (enum fd_kind) below(f, _FD_KIND_MAX);
                _cleanup_close_ int fd = image_fd(f, k);
                size_t l = strlen(what);
                snprintf(what + l, size - l, " fd=%s", fd_kind_names[k]);
                if (fd < 0)
                        return fd;
                r = sd_bus_message_append(m, "h", fd);        /* sd-bus dups it */
                return r;
        }
        return -EINVAL;
}

/* Splits a signature of our tables into single complete types. */
static const char *next_type(const char *sig, char *type, size_t size) {
        size_t n;
        if (!*sig)
                return NULL;
        if (!strncmp(sig, "a{sv}", 5))
                n = 5;
        else if (sig[0] == 'a')
                n = 2;
        else
                n = 1;
        snprintf(type, size, "%.*s", (int) n, sig);
        return sig + n;
}

/* --- calls ------------------------------------------------------------------------------------------- */

/* Called as replies arrive: draws nothing from the seeded sequence. */
static void remember_session(struct fuzz *f, int conn, const char *path) {
        unsigned i = f->n_sessions[conn] < MAX_SESSIONS ? f->n_sessions[conn]++ : f->n_opened[conn]++ % MAX_SESSIONS;
        snprintf(f->sessions[conn][i], sizeof(f->sessions[0][0]), "%s", path);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        struct call *c = userdata;
        struct fuzz *f = c->f;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        (void) ret_error;
        f->inflight--;
        if (!e) {
                const char *path;
                f->ok++;
                count_error(f, "(success)");
                if (c->open_session && sd_bus_message_read(m, "o", &path) >= 0)
                        remember_session(f, c->conn, path);
        } else {
                f->errors++;
                count_error(f, e->name);
                if (!documented(e->name))
                        fail(f, "call #%lu on connection %d (%s): undocumented answer %s: %s", c->idx, c->conn,
                             c->what, e->name, e->message ?: "");
                else if (f->verbose)
                        printf("call #%lu %s: %s\n", c->idx, c->what, e->name);
        }
        free(c);
        return 0;
}

static int send_call(struct fuzz *f, int conn, sd_bus_message *m, const char *what, int open_session) {
        struct call *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->f = f;
        c->idx = f->calls;
        c->conn = conn;
        c->open_session = open_session;
        snprintf(c->what, sizeof(c->what), "%s", what);
        int r = sd_bus_call_async(f->conn[conn], NULL, m, on_reply, c, REPLY_TIMEOUT_USEC);
        if (r < 0) {
                /* Refused by sd-bus before sending (e.g. a message over its size limit): not the service's. */
                f->local_errors++;
                free(c);
                return r;
        }
        f->inflight++;
        return 0;
}

static const char *obj_path(struct fuzz *f, enum obj obj, int conn, char *buf, size_t size) {
        unsigned k = below(f, 8), own = below(f, 6);
        uint64_t pick = rnd(f);
        const char *random = random_path(f, conn, buf, size);   /* drawn always: see random_path() */
        if (k == 0)
                return random;
        switch (obj) {
        case OBJ_CAMERA: return CAM0;
        case OBJ_SESSION:
                if (f->n_sessions[conn] && own)
                        return f->sessions[conn][pick % f->n_sessions[conn]];
                return random;
        default: return ROOT;
        }
}

/* A method call: right signature with random values, or a wrong one, or a bogus member or interface. */
static int fuzz_method(struct fuzz *f, int conn) {
        static const char *const wrong_types[] = { "s", "o", "u", "t", "d", "b", "i", "h", "ay", "as",
                                                   "a{sv}", "(uu)", "v", "deep-a" };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const struct member *mb = &methods[below(f, ELEMENTSOF(methods))];
        char pbuf[128], what[200], type[16];
        const char *path = obj_path(f, mb->obj, conn, pbuf, sizeof(pbuf));
        const char *iface = mb->iface, *name = mb->name;
        unsigned how = below(f, 10);
        int r;

        if (how == 0)
                name = below(f, 2) ? "NoSuchMethod" : "Close";  /* Close on the Manager: unknown there */
        else if (how == 1)
                iface = below(f, 2) ? BUS_NAME ".Nope" : BUS_NAME ".Camera";
        r = sd_bus_message_new_method_call(f->conn[conn], &m, BUS_NAME, path, iface, name);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "%s.%s on %.60s", iface + sizeof(BUS_NAME), name, path);
        if (how <= 6) {
                size_t l = strlen(what);
                snprintf(what + l, sizeof(what) - l, " (%s)", mb->sig);
                for (const char *s = mb->sig; r >= 0 && (s = next_type(s, type, sizeof(type)));)
                        r = append_arg(f, m, conn, type, what, sizeof(what));
        } else {
                /* A wrong signature: 0 to 3 arguments of any type. */
                size_t l = strlen(what);
                snprintf(what + l, sizeof(what) - l, " wrong:");
                for (unsigned i = below(f, 4); r >= 0 && i > 0; i--) {
                        const char *t = wrong_types[below(f, ELEMENTSOF(wrong_types))];
                        l = strlen(what);
                        snprintf(what + l, sizeof(what) - l, " %s", t);
                        r = append_arg(f, m, conn, t, what, sizeof(what));
                }
        }
        if (r < 0) {
                f->local_errors++;
                return 0;
        }
        f->calls++;
        (void) send_call(f, conn, m, what, how >= 2 && how <= 6 && !strcmp(name, "OpenSession"));
        return 0;
}

/* Properties.Get, GetAll or Set with right, wrong and bogus names. */
static int fuzz_property(struct fuzz *f, int conn) {
        static const char *const bogus_ifaces[] = { "", BUS_NAME ".Nope", "org.freedesktop.DBus.Properties" };
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        const struct property *p = &properties[below(f, ELEMENTSOF(properties))];
        const char *iface = below(f, 8) ? p->iface : bogus_ifaces[below(f, ELEMENTSOF(bogus_ifaces))];
        const char *name = below(f, 8) ? p->name : "NoSuchProperty";
        char pbuf[128], what[200];
        const char *path = obj_path(f, p->obj, conn, pbuf, sizeof(pbuf));
        unsigned how = below(f, 6);
        const char *method = how < 3 ? "Get" : how < 4 ? "GetAll" : "Set";
        int r;

        r = sd_bus_message_new_method_call(f->conn[conn], &m, BUS_NAME, path, "org.freedesktop.DBus.Properties",
                                           method);
        if (r < 0)
                return r;
        snprintf(what, sizeof(what), "Properties.%s %s %s on %.60s", method, iface, name, path);
        if (how == 3)
                r = sd_bus_message_append(m, "s", iface);
        else
                r = sd_bus_message_append(m, "ss", iface, name);
        if (r >= 0 && how >= 4)
                r = append_variant(f, m);
        if (r < 0) {
                f->local_errors++;
                return 0;
        }
        f->calls++;
        (void) send_call(f, conn, m, what, 0);
        return 0;
}

/* A peer that disconnects mid-call: its own connection sends 1-3 calls (images, sessions) and hangs up. */
static int fuzz_disconnect(struct fuzz *f) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                fail(f, "cannot connect to the bus: %s", strerror(-r));
                return r;
        }
        enum fd_kind ref_kind = (enum fd_kind) below(f, _FD_KIND_MAX);
        unsigned identify = below(f, 2);
        if (below(f, 2)) {
                /* Own a session first, so that hanging up must end it (and any image it was given). */
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                sd_bus_error e = SD_BUS_ERROR_NULL;
                const char *path;
                _cleanup_close_ int fd = image_fd(f, ref_kind);        /* before: it may draw from the seed */
                r = sd_bus_call_method(bus, BUS_NAME, ROOT, BUS_NAME ".Manager", "OpenSession", &e, &reply,
                                       "oa{sv}", CAM0, identify, "identify", "b", 1);
                f->calls++;
                if (r < 0) {
                        count_error(f, e.name ?: "(local error)");
                        if (e.name && !documented(e.name))
                                fail(f, "call #%lu OpenSession: undocumented answer %s", f->calls, e.name);
                } else if (sd_bus_message_read(reply, "o", &path) >= 0) {
                        count_error(f, "(success)");
                        char p[96];
                        snprintf(p, sizeof(p), "%s", path);
                        if (fd >= 0)
                                (void) sd_bus_call_method_async(bus, NULL, BUS_NAME, p, BUS_NAME ".Session",
                                                                "SetReferenceImage", NULL, NULL, "h", fd);
                        (void) sd_bus_call_method_async(bus, NULL, BUS_NAME, p, BUS_NAME ".Session", "Start",
                                                        NULL, NULL, "");
                        f->calls += 2;
                        f->abandoned += 2;
                }
                sd_bus_error_free(&e);
        }
        for (unsigned i = 1 + below(f, 3); i > 0; i--) {
                _cleanup_close_ int fd = image_fd(f, (enum fd_kind) below(f, _FD_KIND_MAX));
                if (fd < 0)
                        continue;
                r = sd_bus_call_method_async(bus, NULL, BUS_NAME, ROOT, BUS_NAME ".Manager", "ExtractTemplate",
                                             NULL, NULL, "h", fd);
                if (r >= 0) {
                        f->calls++;
                        f->abandoned++;
                }
        }
        (void) sd_bus_flush(bus);
        unsigned linger = below(f, 2), usec = below(f, 20000);
        if (linger)
                usleep(usec);        /* sometimes mid-read, sometimes before it starts */
        return 0;
}

/* --- the loop ---------------------------------------------------------------------------------------- */

/* Dispatches everything that has arrived; waits up to timeout_usec for more. */
static void pump(struct fuzz *f, uint64_t timeout_usec) {
        struct pollfd pfd[N_CONN];
        for (int i = 0; i < N_CONN; i++) {
                int r;
                while ((r = sd_bus_process(f->conn[i], NULL)) > 0)
                        ;
                if (r < 0) {
                        fail(f, "connection %d: %s", i, strerror(-r));
                        exit(1);
                }
                pfd[i] = (struct pollfd) { .fd = sd_bus_get_fd(f->conn[i]), .events = (short) sd_bus_get_events(f->conn[i]) };
        }
        if (timeout_usec)
                (void) poll(pfd, N_CONN, (int) (timeout_usec / 1000));
        tick_writers(f, 0);
}

/* The service is on the bus and answers Properties.Get within the bound, on a connection of its own. */
static void check_alive(struct fuzz *f) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint64_t t0 = now_usec();
        int r = sd_bus_message_new_method_call(f->watch, &m, BUS_NAME, ROOT, "org.freedesktop.DBus.Properties", "Get");
        if (r >= 0)
                r = sd_bus_message_append(m, "ss", BUS_NAME ".Manager", "Version");
        if (r >= 0)
                r = sd_bus_call(f->watch, m, (uint64_t) f->bound_ms * 1000 * 4, &e, &reply);
        double ms = (double) (now_usec() - t0) / 1000.0;
        f->checks++;
        if (ms > f->check_max_ms)
                f->check_max_ms = ms;
        if (r < 0)
                fail(f, "liveness check after call #%lu: %s: %s", f->calls, e.name ?: "error",
                     e.message ?: strerror(-r));
        else if (ms > f->bound_ms)
                fail(f, "liveness check after call #%lu: Properties.Get took %.0f ms (bound %u ms)", f->calls, ms,
                     f->bound_ms);
        sd_bus_error_free(&e);
}

/* Every method and property the live objects introspect to must be in our tables. */
static int check_coverage(struct fuzz *f, const char *path, const char *xml) {
        int missing = 0;
        for (const char *s = xml; (s = strstr(s, "<method name=\"")) || 0;) {
                char name[64];
                s += strlen("<method name=\"");
                if (sscanf(s, "%63[^\"]", name) != 1)
                        break;
                int found = 0;
                for (size_t i = 0; i < ELEMENTSOF(methods); i++)
                        found |= !strcmp(methods[i].name, name);
                if (!found && strcmp(name, "Get") && strcmp(name, "GetAll") && strcmp(name, "Set") &&
                    strcmp(name, "GetMachineId")) {
                        fail(f, "%s: method %s is not fuzzed", path, name);
                        missing++;
                }
        }
        for (const char *s = xml; (s = strstr(s, "<property name=\""));) {
                char name[64];
                s += strlen("<property name=\"");
                if (sscanf(s, "%63[^\"]", name) != 1)
                        break;
                int found = 0;
                for (size_t i = 0; i < ELEMENTSOF(properties); i++)
                        found |= !strcmp(properties[i].name, name);
                if (!found) {
                        fail(f, "%s: property %s is not fuzzed", path, name);
                        missing++;
                }
        }
        return missing;
}

static int introspect(struct fuzz *f, const char *path) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *xml;
        int r = sd_bus_call_method(f->watch, BUS_NAME, path, "org.freedesktop.DBus.Introspectable", "Introspect",
                                   &e, &reply, "");
        if (r >= 0)
                r = sd_bus_message_read(reply, "s", &xml);
        if (r < 0) {
                fail(f, "Introspect %s: %s", path, e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                return r;
        }
        return check_coverage(f, path, xml) ? -ENOENT : 0;
}

/* The real template of the portrait, for valid and slightly damaged template arguments. */
static int fetch_template(struct fuzz *f) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_close_ int fd = reopen(f->portrait_fd, O_RDONLY);
        const void *p;
        size_t n;
        int r = fd < 0 ? fd : sd_bus_call_method(f->watch, BUS_NAME, ROOT, BUS_NAME ".Manager", "ExtractTemplate",
                                                 &e, &reply, "h", fd);
        if (r >= 0)
                r = sd_bus_message_read_array(reply, 'y', &p, &n);
        if (r < 0) {
                fprintf(stderr, "ExtractTemplate of the portrait: %s\n", e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                return r;
        }
        f->tpl = malloc(n);
        if (!f->tpl)
                return -ENOMEM;
        memcpy(f->tpl, p, n);
        f->tpl_len = n;
        return 0;
}

static int read_file(const char *path, uint8_t **ret, size_t *ret_len) {
        _cleanup_fclose_ FILE *in = fopen(path, "rbe");
        if (!in)
                return -errno;
        size_t cap = 1 << 16, len = 0;
        uint8_t *b = malloc(cap);
        for (size_t n; b && (n = fread(b + len, 1, cap - len, in)) > 0;) {
                len += n;
                if (len == cap) {
                        uint8_t *nb = realloc(b, cap *= 2);
                        if (!nb)
                                free(b);
                        b = nb;
                }
        }
        if (!b)
                return -ENOMEM;
        *ret = b;
        *ret_len = len;
        return 0;
}

static void help(void) {
        printf("Usage: bus-fuzz --portrait JPEG [--seed N] [--seconds S] [--calls N] [--check-every N]\n"
               "                [--bound-ms MS] [--verbose]\n"
               "Fuzzes lanesightd on the system bus ($DBUS_SYSTEM_BUS_ADDRESS). The same seed makes the\n"
               "same calls. Stops after S seconds (default 30) or N calls, whichever comes first; checks\n"
               "every N calls (default 50) that Properties.Get is answered within MS (default 2000).\n"
               "Exit status 0: no failure; 1: a failure (FAIL: lines say which call); 2: usage.\n");
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "seed", required_argument, NULL, 's' },     { "seconds", required_argument, NULL, 'S' },
                { "calls", required_argument, NULL, 'n' },    { "check-every", required_argument, NULL, 'c' },
                { "bound-ms", required_argument, NULL, 'b' }, { "portrait", required_argument, NULL, 'p' },
                { "verbose", no_argument, NULL, 'v' },        { "help", no_argument, NULL, 'h' },
                {},
        };
        struct fuzz f = { .bound_ms = 2000, .portrait_fd = -EBADF, .big_png_fd = -EBADF };
        unsigned long max_calls = 0, check_every = 50;
        double seconds = 30;
        const char *portrait = NULL;
        uint64_t seed = (uint64_t) time(NULL) ^ ((uint64_t) getpid() << 16);
        int c, r;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 's': seed = strtoull(optarg, NULL, 0); break;
                case 'S': seconds = strtod(optarg, NULL); break;
                case 'n': max_calls = strtoul(optarg, NULL, 0); break;
                case 'c': check_every = strtoul(optarg, NULL, 0); break;
                case 'b': f.bound_ms = (unsigned) strtoul(optarg, NULL, 0); break;
                case 'p': portrait = optarg; break;
                case 'v': f.verbose = 1; break;
                case 'h': help(); return 0;
                default: return 2;
                }
        if (!portrait || optind < argc || !(seconds > 0) || !check_every || !f.bound_ms) {
                help();
                return 2;
        }
        f.rng = seed ? seed : 1;
        /* A writer whose reader (the service) gave up gets EPIPE, not a signal. */
        (void) signal(SIGPIPE, SIG_IGN);
        printf("bus-fuzz: seed %llu (rerun with --seed %llu)\n", (unsigned long long) seed, (unsigned long long) seed);
        fflush(stdout);

        r = read_file(portrait, &f.portrait, &f.portrait_len);
        if (r < 0 || f.portrait_len < 2) {
                fprintf(stderr, "%s: %s\n", portrait, strerror(r < 0 ? -r : EINVAL));
                return 2;
        }
        f.portrait_fd = memfd_with(f.portrait, f.portrait_len);
        f.big_png_fd = make_big_png();
        if (f.portrait_fd < 0 || f.big_png_fd < 0) {
                fprintf(stderr, "cannot make the image files: %s\n", strerror(-MIN(f.portrait_fd, f.big_png_fd)));
                return 2;
        }
        r = sd_bus_open_system(&f.watch);
        for (int i = 0; r >= 0 && i < N_CONN; i++) {
                r = sd_bus_open_system(&f.conn[i]);
        }
        if (r < 0) {
                fprintf(stderr, "cannot connect to the system bus: %s\n", strerror(-r));
                return 1;
        }
        if (introspect(&f, ROOT) < 0 || introspect(&f, CAM0) < 0 || fetch_template(&f) < 0)
                return 1;
        {
                /* A session's members, introspected from a live one. */
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
                sd_bus_error e = SD_BUS_ERROR_NULL;
                const char *path;
                r = sd_bus_call_method(f.watch, BUS_NAME, ROOT, BUS_NAME ".Manager", "OpenSession", &e, &reply,
                                       "oa{sv}", CAM0, 0);
                if (r >= 0 && sd_bus_message_read(reply, "o", &path) >= 0) {
                        char p[96];
                        snprintf(p, sizeof(p), "%s", path);
                        r = introspect(&f, p);
                        (void) sd_bus_call_method(f.watch, BUS_NAME, p, BUS_NAME ".Session", "Close", NULL, NULL, "");
                } else
                        fail(&f, "OpenSession for introspection: %s", e.message ?: strerror(-r));
                sd_bus_error_free(&e);
                if (r < 0 || f.failures)
                        return 1;
        }

        uint64_t end = now_usec() + (uint64_t) (seconds * 1e6);
        while (now_usec() < end && (!max_calls || f.calls < max_calls)) {
                if (f.inflight >= MAX_INFLIGHT) {
                        pump(&f, 10000);
                        continue;
                }
                unsigned long before = f.calls;
                int conn = (int) below(&f, N_CONN);
                unsigned what = below(&f, 100);
                if (what < 60)
                        (void) fuzz_method(&f, conn);
                else if (what < 90)
                        (void) fuzz_property(&f, conn);
                else if (what < 97) {
                        /* Sessions opened and abandoned: a plain OpenSession kept (or not) for later calls. */
                        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
                        char what_s[200];
                        snprintf(what_s, sizeof(what_s), "Manager.OpenSession (abandoned):");
                        if (sd_bus_message_new_method_call(f.conn[conn], &m, BUS_NAME, ROOT, BUS_NAME ".Manager",
                                                           "OpenSession") >= 0 &&
                            sd_bus_message_append(m, "o", CAM0) >= 0 &&
                            append_options(&f, m, what_s, sizeof(what_s)) >= 0) {
                                f.calls++;
                                (void) send_call(&f, conn, m, what_s, 1);
                        }
                } else
                        (void) fuzz_disconnect(&f);
                pump(&f, 0);
                if (f.calls / check_every != before / check_every)
                        check_alive(&f);
                if (f.failures > 20)
                        break;
        }

        /* Every call must be answered: silent pipes close, then wait for what is in flight. */
        tick_writers(&f, 1);
        uint64_t drain_end = now_usec() + REPLY_TIMEOUT_USEC + 5000000ULL;
        while (f.inflight > 0 && now_usec() < drain_end)
                pump(&f, 50000);
        if (f.inflight > 0)
                fail(&f, "%u calls never answered", f.inflight);
        check_alive(&f);

        printf("bus-fuzz: seed %llu: %lu calls made (%lu answered: %lu success, %lu errors; %lu abandoned by "
               "peers that hung up; %lu not sent, refused by sd-bus), %lu liveness checks, slowest %.1f ms\n",
               (unsigned long long) seed, f.calls, f.ok + f.errors, f.ok, f.errors, f.abandoned, f.local_errors,
               f.checks, f.check_max_ms);
        printf("bus-fuzz: answers by name:\n");
        for (unsigned i = 0; i < f.n_errnames; i++)
                printf("  %8lu  %s%s\n", f.errnames[i].n, f.errnames[i].name,
                       documented(f.errnames[i].name) || !strcmp(f.errnames[i].name, "(success)") ? "" : "  (undocumented)");
        if (f.failures)
                printf("FAIL: bus-fuzz seed %llu: %lu failures\n", (unsigned long long) seed, f.failures);
        else
                printf("PASS: bus-fuzz seed %llu: %lu calls, every answer documented, alive throughout\n",
                       (unsigned long long) seed, f.calls);

        for (int i = 0; i < N_CONN; i++)
                sd_bus_flush_close_unref(f.conn[i]);
        sd_bus_flush_close_unref(f.watch);
        safe_close(f.portrait_fd);
        safe_close(f.big_png_fd);
        free(f.portrait);
        free(f.tpl);
        return f.failures ? 1 : 0;
}
