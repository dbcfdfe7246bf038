/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lanesightd: arguments, configuration, then the daemon (daemon.c). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "face/pipeline.h"
#include "svc/daemon-run.h"
#include "svc/message-ids.h"

static void help(void) {
        printf("Usage: lanesightd [--config FILE]\n"
               "Face capture and matching service for border lanes (see lanesightd(8)).\n\n"
               "  -c, --config FILE   configuration file (default %s,\n"
               "                      plus FILE.d/*.conf drop-ins)\n"
               "      --check-config  load and validate the configuration, load and prepare\n"
               "                      its models on its backend, then exit\n"
               "  -h, --help          show this help\n"
               "      --version       show the version\n\n"
               "The service uses the system bus ($DBUS_SYSTEM_BUS_ADDRESS to override) and\n"
               "talks to systemd with sd_notify (Type=notify).\n", LSD_CONFIG_PATH_DEFAULT);
}

/*
 * --check-config: a configuration is valid only if its models load and
 * prepare, on the backend the service would use (auto: the same fallback).
 * The failure, logged by lsd_daemon_make_pipeline(), names the model.
 */
static int check_models(struct lsd_daemon *d) {
        _cleanup_(face_pipeline_freep) struct face_pipeline *fp = NULL;
        char backend[16] = "";
        int r;

        r = lsd_daemon_make_pipeline(d, &d->cfg, &fp, backend, sizeof(backend));
        if (r < 0) {
                fprintf(stderr, "%s: configuration invalid: the models of [Pipeline] cannot be prepared\n",
                        d->config_path);
                return r;
        }
        printf("%s: configuration valid; models '%s' and '%s' prepared on %s\n", d->config_path, d->cfg.detector,
               d->cfg.embedder, backend);
        return 0;
}

int main(int argc, char **argv) {
        enum { ARG_VERSION = 0x100, ARG_CHECK };
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "check-config", no_argument, NULL, ARG_CHECK },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {}
        };
        struct lsd_daemon d = { .config_path = LSD_CONFIG_PATH_DEFAULT, .engine_lock = PTHREAD_MUTEX_INITIALIZER };
        bool check_only = false, explicit_config = false;
        char err[512];
        int c, r;

        lsd_log_init(&d.log);
        while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': d.config_path = optarg; explicit_config = true; break;
                case ARG_CHECK: check_only = true; break;
                case 'h': help(); return EXIT_SUCCESS;
                case ARG_VERSION: printf("lanesightd %s\n", LANESIGHT_VERSION); return EXIT_SUCCESS;
                default: return 2;
                }
        if (optind < argc) {
                fprintf(stderr, "lanesightd: unexpected argument '%s'\n", argv[optind]);
                return 2;
        }

        /* An explicitly named file must exist; the default may be absent (built-in defaults). */
        r = lsd_config_load(d.config_path, explicit_config, &d.cfg, err, sizeof(err));
        if (r < 0) {
                log_struct(&d.log, LOG_ERR, r, LSD_MESSAGE_CONFIG_INVALID, NULL, "Invalid configuration: %s", err);
                return EXIT_FAILURE;
        }
        if (!getenv("LANESIGHT_LOG_LEVEL"))
                d.log.max_level = d.cfg.log_level;
        if (check_only) {
                r = check_models(&d);
                lsd_config_done(&d.cfg);
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }
        r = lsd_daemon_run(&d);
        lsd_daemon_done(&d);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
