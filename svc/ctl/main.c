/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lanesightctl: the officer's and the admin's command line to lanesight.
 * This file parses the global options and dispatches to a verb.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "common/macro.h"
#include "svc/ctl/ctl.h"

/* The threshold measured on LFW DevTrain for fr_feature (docs/evaluation.md). */
#define DEFAULT_THRESHOLD 0.284f

static void help(void) {
        printf("Usage: lanesightctl [OPTIONS] COMMAND [ARGS...]\n"
               "Talk to lanesight, or run its face engine offline.\n\n"
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
               "  --models DIR             directory with the model files (default %s,\n"
               "                           or $LANESIGHT_MODEL_DIR)\n"
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

static int parse_float(const char *s, float *ret) {
        char *end;
        errno = 0;
        float v = strtof(s, &end);
        if (errno || end == s || *end || !(v >= -1.0f && v <= 1.0f))
                return -EINVAL;
        *ret = v;
        return 0;
}

int main(int argc, char **argv) {
        enum { ARG_JSON = 0x100, ARG_BACKEND, ARG_DEVICE, ARG_THREADS, ARG_MODELS, ARG_DETECTOR,
               ARG_EMBEDDER, ARG_EMBEDDER_ID, ARG_THRESHOLD, ARG_VERSION };
        static const struct option opts[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "backend", required_argument, NULL, ARG_BACKEND },
                { "device", required_argument, NULL, ARG_DEVICE },
                { "threads", required_argument, NULL, ARG_THREADS },
                { "models", required_argument, NULL, ARG_MODELS },
                { "detector", required_argument, NULL, ARG_DETECTOR },
                { "embedder", required_argument, NULL, ARG_EMBEDDER },
                { "embedder-id", required_argument, NULL, ARG_EMBEDDER_ID },
                { "threshold", required_argument, NULL, ARG_THRESHOLD },
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        struct ctl_options o = {
                .backend = "cpu",
                .models_dir = getenv("LANESIGHT_MODEL_DIR") ?: LANESIGHT_MODELDIR,
                .threshold = DEFAULT_THRESHOLD,
        };
        int c;

        /* '+': options end at the verb, so verbs may take their own. */
        while ((c = getopt_long(argc, argv, "+ho:", opts, NULL)) >= 0)
                switch (c) {
                case ARG_JSON: o.json = true; break;
                case ARG_BACKEND: o.backend = optarg; break;
                case ARG_DEVICE: o.device = optarg; break;
                case ARG_THREADS: {
                        char *end;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*end || end == optarg || v > 256) {
                                fprintf(stderr, "lanesightctl: invalid --threads '%s'\n", optarg);
                                return CTL_EXIT_USAGE;
                        }
                        o.threads = (unsigned) v;
                        break;
                }
                case ARG_MODELS: o.models_dir = optarg; break;
                case ARG_DETECTOR: o.detector = optarg; break;
                case ARG_EMBEDDER: o.embedder = optarg; break;
                case ARG_EMBEDDER_ID: o.embedder_id = optarg; break;
                case ARG_THRESHOLD:
                        if (parse_float(optarg, &o.threshold) < 0) {
                                fprintf(stderr, "lanesightctl: invalid --threshold '%s' (a cosine in -1..1)\n", optarg);
                                return CTL_EXIT_USAGE;
                        }
                        break;
                case 'o': o.output = optarg; break;
                case 'h': help(); return CTL_EXIT_OK;
                case ARG_VERSION: printf("lanesightctl %s\n", LANESIGHT_VERSION); return CTL_EXIT_OK;
                default: return CTL_EXIT_USAGE;
                }

        if (optind >= argc) {
                fprintf(stderr, "lanesightctl: no command given (see --help)\n");
                return CTL_EXIT_USAGE;
        }
        const char *verb = argv[optind];
        int vargc = argc - optind - 1;
        char **vargv = argv + optind + 1;

        if (streq(verb, "template"))
                return ctl_template(&o, vargc, vargv);
        if (streq(verb, "compare"))
                return ctl_compare(&o, vargc, vargv);
        /* Bus verbs parse their own options: argv[0] is the verb. */
        static const struct {
                const char *name;
                int (*run)(const struct ctl_options *o, int argc, char **argv);
        } bus_verbs[] = {
                { "status", ctl_status },     { "cameras", ctl_cameras },   { "watch", ctl_watch },
                { "verify", ctl_verify },     { "identify", ctl_identify }, { "gallery", ctl_gallery },
        };
        for (size_t i = 0; i < ELEMENTSOF(bus_verbs); i++)
                if (streq(verb, bus_verbs[i].name))
                        return bus_verbs[i].run(&o, argc - optind, argv + optind);
        if (streq(verb, "help")) {
                help();
                return CTL_EXIT_OK;
        }
        fprintf(stderr, "lanesightctl: unknown command '%s' (see --help)\n", verb);
        return CTL_EXIT_USAGE;
}
