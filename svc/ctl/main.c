/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesightctl: the officer's and the admin's command line to lanesight.
 * This file splits the command line (global options anywhere, as systemctl
 * and busctl take them), finds the models and dispatches to a verb.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/macro.h"
#include "svc/ctl/ctl.h"

/* The threshold measured on LFW DevTrain for fr_feature (docs/evaluation.md). */
#define DEFAULT_THRESHOLD 0.284f

static void help(void) {
        printf("Usage: lanesightctl [OPTIONS] COMMAND [ARGS...] [OPTIONS]\n"
               "Talk to lanesight, or run its face engine offline. Options may come before or after\n"
               "the command; 'lanesightctl COMMAND --help' (or 'help COMMAND') shows a command's own.\n\n"
               "Service commands (lanesightd on the system bus, or $DBUS_SYSTEM_BUS_ADDRESS):\n"
               "  status                   the service's state, models, gallery size and cameras\n"
               "  cameras                  the cameras and their counters\n"
               "  watch [--count N] [--timeout S]\n"
               "                           live face boxes, quality and guidance of each frame\n"
               "  verify --reference IMAGE|--template FILE [--camera PATH] [--timeout S] [--opt-out]\n"
               "                           verify the traveler in front of a camera against a photo\n"
               "  identify [--candidates K] [--image IMAGE]\n"
               "                           search the gallery for the traveler (or a photo's face)\n"
               "  gallery add ID IMAGE|--template FILE [--ttl S] | remove ID | list | clear\n"
               "                           manage the in-memory gallery\n"
               "  COMMAND --help           the options of a command\n\n"
               "Offline commands (no service needed):\n"
               "  template IMAGE           compute the face template of a photo (JPEG, PNG, JPEG 2000)\n"
               "  compare IMAGE1 IMAGE2    compare the faces of two photos\n\n"
               "Options:\n"
               "  --json                   machine-readable output (one JSON object)\n"
               "  --backend NAME           cpu (default), vulkan or opencl\n"
               "  --device NAME            backend device selector\n"
               "  --threads N              CPU threads (default: all)\n"
               "  --models DIR             directory with the model files (default: $LANESIGHT_MODEL_DIR,\n"
               "                           else models/ next to this program (a source tree's\n"
               "                           build/models), else %s)\n"
               "  --detector FILE          detector model (default DIR/blazeface-front-128.onnx)\n"
               "  --embedder FILE          embedder model (default DIR/fr-feature-112.onnx)\n"
               "  --embedder-id ID         model id stored in templates (default: the file's name)\n"
               "  --threshold T            cosine score at or above which two faces match (default %.3f)\n"
               "  -o, --output FILE        template: write the binary template to FILE ('-': stdout)\n"
               "  -h, --help               show this help\n"
               "  --version                show the version\n\n"
               "Exit status: 0 success or match, 1 no match, 2 usage error, 3 no face or bad image,\n"
               "4 engine failure (models, backend), 5 service unreachable, 6 permission denied,\n"
               "7 refused by the service (unknown id or camera, bad state, limit).\n",
               LANESIGHT_MODELDIR, DEFAULT_THRESHOLD);
}

/* The offline verbs take no options of their own: only --help, and the global ones. */
static void template_help(void) {
        printf("Usage: lanesightctl template IMAGE [-o FILE] [--json] [ENGINE OPTIONS]\n"
               "Compute the face template of the largest face in IMAGE (JPEG, PNG, JPEG 2000), in this\n"
               "process: no service needed. Prints the face, its quality and the template (base64).\n\n"
               "  -o, --output FILE   also write the binary template to FILE ('-': stdout, nothing else)\n"
               "  --json              one JSON object: model, dim, format_version, template, face\n"
               "  --accept-poor-reference  use a photo judged a poor reference (several faces, a weak\n"
               "                      detection, low quality) anyway; it is still reported as poor\n"
               "Engine options: --backend, --device, --threads, --models, --detector, --embedder,\n"
               "--embedder-id (see 'lanesightctl --help'). Exit status: 0 done, 2 usage error,\n"
               "3 no face or unusable image, 4 engine failure (e.g. models not found).\n");
}

static void compare_help(void) {
        printf("Usage: lanesightctl compare IMAGE1 IMAGE2 [--threshold T] [--json] [ENGINE OPTIONS]\n"
               "Compare the largest face of each photo, in this process: no service needed. Prints both\n"
               "faces with their quality, the cosine score and the decision.\n\n"
               "  --threshold T       the score at or above which the faces match (default %.3f)\n"
               "  --json              one JSON object: score, match, threshold, backend, model, faces\n"
               "  --accept-poor-reference  use photos judged poor references (several faces, a weak\n"
               "                      detection, low quality) anyway; they are still reported as poor\n"
               "Engine options: --backend, --device, --threads, --models, --detector, --embedder,\n"
               "--embedder-id (see 'lanesightctl --help'). Exit status: 0 match, 1 no match,\n"
               "2 usage error, 3 no face or unusable image, 4 engine failure.\n",
               DEFAULT_THRESHOLD);
}

static int parse_float(const char *s, float *ret) {
        char *end;
        errno = 0;
        float v = strtof(s, &end);
        if (errno || end == s || *end || !(v >= -1.0f && v <= 1.0f))
                return -EINVAL;
        *ret = v;
        return 0;
}

static bool startswith(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum { ARG_JSON = 0x100, ARG_BACKEND, ARG_DEVICE, ARG_THREADS, ARG_MODELS, ARG_DETECTOR,
       ARG_EMBEDDER, ARG_EMBEDDER_ID, ARG_THRESHOLD, ARG_VERSION, ARG_OUTPUT = 'o' };

/* The global options: accepted anywhere on the line, before or after the command. */
static const struct option global_opts[] = {
        { "json", no_argument, NULL, ARG_JSON },
        { "backend", required_argument, NULL, ARG_BACKEND },
        { "device", required_argument, NULL, ARG_DEVICE },
        { "threads", required_argument, NULL, ARG_THREADS },
        { "models", required_argument, NULL, ARG_MODELS },
        { "detector", required_argument, NULL, ARG_DETECTOR },
        { "embedder", required_argument, NULL, ARG_EMBEDDER },
        { "embedder-id", required_argument, NULL, ARG_EMBEDDER_ID },
        { "threshold", required_argument, NULL, ARG_THRESHOLD },
        { "output", required_argument, NULL, ARG_OUTPUT },
        { "version", no_argument, NULL, ARG_VERSION },
        {}
};

/* The commands' own options that take a value, so that a value is never taken for the command. */
static const char *const verb_opts_with_arg[] = {
        "reference", "template", "camera", "timeout", "min-quality", "candidates", "image", "count", "ttl",
};

/* Returns 0, or a CTL_EXIT_* code (> 0) after printing why. */
static int apply_global(struct ctl_options *o, int id, const char *arg) {
        switch (id) {
        case ARG_JSON: o->json = true; break;
        case ARG_BACKEND: o->backend = arg; break;
        case ARG_DEVICE: o->device = arg; break;
        case ARG_THREADS: {
                char *end;
                errno = 0;
                unsigned long v = strtoul(arg, &end, 10);
                if (errno || *end || end == arg || arg[0] == '-' || v > 256) {
                        fprintf(stderr, "lanesightctl: invalid --threads '%s' (0..256)\n", arg);
                        return CTL_EXIT_USAGE;
                }
                o->threads = (unsigned) v;
                break;
        }
        case ARG_MODELS: o->models_dir = arg; break;
        case ARG_DETECTOR: o->detector = arg; break;
        case ARG_EMBEDDER: o->embedder = arg; break;
        case ARG_EMBEDDER_ID: o->embedder_id = arg; break;
        case ARG_THRESHOLD:
                if (parse_float(arg, &o->threshold) < 0) {
                        fprintf(stderr, "lanesightctl: invalid --threshold '%s' (a cosine in -1..1)\n", arg);
                        return CTL_EXIT_USAGE;
                }
                break;
        case ARG_OUTPUT: o->output = arg; break;
        }
        return 0;
}

struct cmdline {
        const char *verb;
        bool help;              /* -h/--help before any command */
        bool version;
        int argc;               /* the verb's argv: the verb, then what is not a global option, in order */
        char **argv;
};

static bool verb_takes_value(const char *name, size_t len) {
        for (size_t i = 0; i < ELEMENTSOF(verb_opts_with_arg); i++)
                if (strlen(verb_opts_with_arg[i]) == len && strncmp(verb_opts_with_arg[i], name, len) == 0)
                        return true;
        return false;
}

/*
 * A "--name[=value]" word at argv[*i]: a global option is applied (its value
 * may be the next word, then *i moves past it) and true returned; anything
 * else returns false and is the command's. Sets *ret_exit on a usage error.
 */
static bool take_global(struct ctl_options *o, struct cmdline *c, int argc, char **argv, int *i, int *ret_exit) {
        const char *name = argv[*i] + 2, *eq = strchr(name, '='), *arg = NULL;
        size_t len = eq ? (size_t) (eq - name) : strlen(name);
        const struct option *opt = NULL;

        for (const struct option *g = global_opts; g->name; g++)
                if (strlen(g->name) == len && strncmp(g->name, name, len) == 0)
                        opt = g;
        if (!opt)
                return false;
        if (opt->has_arg == required_argument) {
                if (eq)
                        arg = eq + 1;
                else if (*i + 1 < argc)
                        arg = argv[++*i];
                else {
                        fprintf(stderr, "lanesightctl: option '--%s' needs a value\n", opt->name);
                        *ret_exit = CTL_EXIT_USAGE;
                        return true;
                }
        } else if (eq) {
                fprintf(stderr, "lanesightctl: option '--%s' takes no value\n", opt->name);
                *ret_exit = CTL_EXIT_USAGE;
                return true;
        }
        if (opt->val == ARG_VERSION)
                c->version = true;
        else
                *ret_exit = apply_global(o, opt->val, arg);
        return true;
}

/*
 * Splits the line as systemctl and busctl do: global options anywhere, the
 * first other word is the command, and everything else (its options and
 * arguments, "--" and what follows) goes to the command in the order given.
 * -h/--help after the command is the command's. Returns 0 or an exit code;
 * ret->argv is malloc'ed (also on failure, or NULL).
 */
static int split_cmdline(struct ctl_options *o, int argc, char **argv, struct cmdline *ret) {
        int n = 1, r = 0;

        *ret = (struct cmdline) { .argv = calloc((size_t) argc + 1, sizeof(char *)) };
        if (!ret->argv)
                return CTL_EXIT_ENGINE;
        char **rest = ret->argv;
        for (int i = 1; i < argc && r == 0; i++) {
                const char *a = argv[i];
                if (streq(a, "--")) {
                        while (i < argc)
                                rest[n++] = argv[i++];
                        break;
                }
                if ((streq(a, "-h") || streq(a, "--help")) && !ret->verb)
                        ret->help = true;
                else if (startswith(a, "--") && a[2]) {
                        if (take_global(o, ret, argc, argv, &i, &r))
                                continue;
                        /* The command's option: its value is never the command. */
                        rest[n++] = argv[i];
                        if (!strchr(a, '=') && verb_takes_value(a + 2, strlen(a + 2)) && i + 1 < argc)
                                rest[n++] = argv[++i];
                } else if (startswith(a, "-o")) {
                        const char *arg = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : NULL;
                        if (!arg) {
                                fprintf(stderr, "lanesightctl: option '-o' needs a value\n");
                                return CTL_EXIT_USAGE;
                        }
                        r = apply_global(o, ARG_OUTPUT, arg);
                } else if (!ret->verb && a[0] != '-') {
                        ret->verb = a;
                        rest[0] = argv[i];
                } else
                        rest[n++] = argv[i];
        }
        ret->argc = n;
        return r;
}

/* The offline verbs: positional arguments and --accept-poor-reference (the verb takes it). Returns 0, or an exit code. */
static int offline_args(const struct cmdline *c, void (*verb_help)(void), int *ret_argc, char **ret_argv) {
        int n = 0;
        for (int i = 1; i < c->argc; i++) {
                const char *a = c->argv[i];
                if (streq(a, "--")) {
                        while (++i < c->argc)
                                ret_argv[n++] = c->argv[i];
                        break;
                }
                if (streq(a, "-h") || streq(a, "--help")) {
                        verb_help();
                        return -1;
                }
                if (a[0] == '-' && a[1] && !streq(a, "--accept-poor-reference")) {
                        fprintf(stderr, "lanesightctl %s: unknown option '%s' (see 'lanesightctl %s --help')\n",
                                c->verb, a, c->verb);
                        return CTL_EXIT_USAGE;
                }
                ret_argv[n++] = c->argv[i];
        }
        *ret_argc = n;
        return 0;
}

static char *exe_dir(void) {
        char buf[4096];
        ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
        if (n <= 0)
                return NULL;
        buf[n] = 0;
        char *slash = strrchr(buf, '/');
        if (!slash)
                return NULL;
        *slash = 0;
        return strdup(buf);
}

static bool has_models(const char *dir) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/blazeface-front-128.onnx", dir) < 0)
                return false;
        return access(p, R_OK) == 0;
}

/*
 * The models directory when neither --models nor $LANESIGHT_MODEL_DIR says:
 * next to the program (a source tree's build/lanesightctl finds build/models),
 * else the installed one. o->models_searched lists where it looked, for the
 * error message when the engine finds nothing.
 */
static void find_models(struct ctl_options *o, char *local, size_t local_size, char *searched, size_t size) {
        _cleanup_free_ char *dir = exe_dir();

        if (o->models_dir) {
                snprintf(searched, size, "'%s'", o->models_dir);
                o->models_searched = searched;
                return;
        }
        if (!dir || (size_t) snprintf(local, local_size, "%s/models", dir) >= local_size)
                local = NULL;
        o->models_dir = local && has_models(local) ? local : LANESIGHT_MODELDIR;
        snprintf(searched, size, "%s%s%s'%s'", local ? "'" : "", local ?: "", local ? "' and " : "",
                 LANESIGHT_MODELDIR);
        o->models_searched = searched;
}

typedef int (*verb_fn)(const struct ctl_options *o, int argc, char **argv);

int main(int argc, char **argv) {
        /* Bus verbs parse their own options: argv[0] is the verb. */
        static const struct {
                const char *name;
                verb_fn run;
        } bus_verbs[] = {
                { "status", ctl_status },     { "cameras", ctl_cameras },   { "watch", ctl_watch },
                { "verify", ctl_verify },     { "identify", ctl_identify }, { "gallery", ctl_gallery },
        };
        struct ctl_options o = {
                .backend = "cpu",
                .models_dir = getenv("LANESIGHT_MODEL_DIR"),
                .threshold = DEFAULT_THRESHOLD,
        };
        struct cmdline c;
        char searched[8192], local_models[4096];
        int r;

        r = split_cmdline(&o, argc, argv, &c);
        _cleanup_free_ char **verb_argv = c.argv;
        if (r != 0)
                return r;
        if (c.version) {
                printf("lanesightctl %s\n", LANESIGHT_VERSION);
                return CTL_EXIT_OK;
        }
        /* "help COMMAND" is "COMMAND --help". */
        if (c.verb && streq(c.verb, "help") && c.argc > 1) {
                c.verb = c.argv[0] = c.argv[1];
                c.argv[1] = (char *) "--help";
                c.argc = 2;
        } else if (c.help || (c.verb && streq(c.verb, "help"))) {
                help();
                return CTL_EXIT_OK;
        }
        if (!c.verb) {
                if (c.argc > 1)
                        fprintf(stderr, "lanesightctl: unknown option '%s' (see --help)\n", c.argv[1]);
                else
                        fprintf(stderr, "lanesightctl: no command given (see --help)\n");
                return CTL_EXIT_USAGE;
        }
        c.argv[c.argc] = NULL;

        if (streq(c.verb, "template") || streq(c.verb, "compare")) {
                bool compare = streq(c.verb, "compare");
                _cleanup_free_ char **args = calloc((size_t) c.argc + 1, sizeof(char *));
                int n = 0;
                if (!args)
                        return CTL_EXIT_ENGINE;
                r = offline_args(&c, compare ? compare_help : template_help, &n, args);
                if (r != 0)
                        return r < 0 ? CTL_EXIT_OK : r;
                find_models(&o, local_models, sizeof(local_models), searched, sizeof(searched));
                return compare ? ctl_compare(&o, n, args) : ctl_template(&o, n, args);
        }
        for (size_t i = 0; i < ELEMENTSOF(bus_verbs); i++)
                if (streq(c.verb, bus_verbs[i].name))
                        return bus_verbs[i].run(&o, c.argc, c.argv);
        fprintf(stderr, "lanesightctl: unknown command '%s' (see --help)\n", c.verb);
        return CTL_EXIT_USAGE;
}
