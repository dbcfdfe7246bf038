/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * gallery add|remove|list|clear: lanesightd's in-memory 1:N gallery. Photos
 * become templates in the service (Manager.ExtractTemplate, the image passed
 * as an fd); template files (lanesightctl template -o) are sent as they are.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svc/ctl/bus.h"

#define TEMPLATE_FILE_MAX (64u << 10)

static void gallery_help(void) {
        printf("Usage: lanesightctl [--json] gallery add ID IMAGE [--ttl S]\n"
               "       lanesightctl [--json] gallery add ID --template FILE [--ttl S]\n"
               "       lanesightctl [--json] gallery remove ID\n"
               "       lanesightctl [--json] gallery list\n"
               "       lanesightctl [--json] gallery clear\n"
               "Manage lanesightd's gallery of enrolled faces (kept in memory only; entries expire).\n\n"
               "  add ID IMAGE        enrol the face of a photo under ID (1..255 bytes)\n"
               "  --template FILE     enrol a template file (from 'lanesightctl template -o FILE')\n"
               "  --ttl S             time to live in seconds (default: the service's, 12 h unless set)\n"
               "  remove ID           forget one entry (exit 7 if there is none)\n"
               "  list                the enrolled ids\n"
               "  clear               forget every entry\n");
}

/* The template of an image, computed by the service. Exit code or 0; *ret is the reply, at the "ay". */
static int extract(const struct ctl_verb *v, sd_bus *bus, const char *image, sd_bus_message **ret) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_close_ int fd = open(image, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                fprintf(stderr, "lanesightctl: gallery add: cannot open '%s': %m\n", image);
                if (v->json)
                        printf("{\"error\":\"invalid-image\",\"message\":\"cannot open the image\"}\n");
                return CTL_EXIT_NO_FACE;
        }
        int r = sd_bus_call_method(bus, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_MANAGER, "ExtractTemplate", &error,
                                   ret, "h", fd);
        if (r < 0) {
                char what[512];
                snprintf(what, sizeof(what), "gallery add: '%s'", image);
                return ctl_bus_fail(v, what, &error, r);
        }
        return 0;
}

static int gallery_add(const struct ctl_verb *v, sd_bus *bus, const char *id, const char *image,
                       const char *template_file, uint64_t ttl) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *tmpl = NULL, *call = NULL;
        _cleanup_free_ uint8_t *file = NULL;
        const void *data;
        size_t size;
        int r;

        if (template_file) {
                r = ctl_read_file(template_file, TEMPLATE_FILE_MAX, &file, &size);
                if (r < 0) {
                        fprintf(stderr, "lanesightctl: gallery add: cannot read template '%s': %s\n", template_file,
                                strerror(-r));
                        if (v->json)
                                printf("{\"error\":\"invalid-template\",\"message\":\"cannot read the template\"}\n");
                        return CTL_EXIT_USAGE;
                }
                data = file;
        } else {
                r = extract(v, bus, image, &tmpl);
                if (r != 0)
                        return r;
                r = sd_bus_message_read_array(tmpl, 'y', &data, &size);
                if (r < 0)
                        return ctl_bus_fail(v, "gallery add", NULL, r);
        }
        r = sd_bus_message_new_method_call(bus, &call, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_GALLERY, "Add");
        if (r >= 0)
                r = sd_bus_message_append(call, "s", id);
        if (r >= 0)
                r = sd_bus_message_append_array(call, 'y', data, size);
        if (r >= 0)
                r = sd_bus_message_append(call, "t", ttl);
        if (r >= 0)
                r = sd_bus_call(bus, call, 0, &error, NULL);
        if (file)
                explicit_bzero(file, size);
        if (r < 0)
                return ctl_bus_fail(v, "gallery add", &error, r);
        if (v->json) {
                printf("{\"added\":");
                ctl_json_string(stdout, id);
                printf("}\n");
        } else
                printf("Added '%s' to the gallery.\n", id);
        return CTL_EXIT_OK;
}

static int gallery_list(const struct ctl_verb *v, sd_bus *bus) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *id;
        size_t n = 0;
        int r = sd_bus_call_method(bus, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_GALLERY, "List", &error, &reply,
                                   NULL);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "s");
        if (r < 0)
                return ctl_bus_fail(v, "gallery list", &error, r);
        if (v->json)
                printf("{\"ids\":[");
        while ((r = sd_bus_message_read(reply, "s", &id)) > 0) {
                if (v->json) {
                        fputs(n ? "," : "", stdout);
                        ctl_json_string(stdout, id);
                } else
                        printf("%s\n", id);
                n++;
        }
        if (r < 0)
                return ctl_bus_fail(v, "gallery list", NULL, r);
        if (v->json)
                printf("],\"count\":%zu}\n", n);
        else if (isatty(STDOUT_FILENO))
                printf("(%zu entr%s)\n", n, n == 1 ? "y" : "ies");
        return CTL_EXIT_OK;
}

static int gallery_simple(const struct ctl_verb *v, sd_bus *bus, const char *method, const char *id) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char what[300];
        int r;

        snprintf(what, sizeof(what), "gallery %s%s%s%s", id ? "remove" : "clear", id ? " '" : "", id ?: "",
                 id ? "'" : "");
        if (id)
                r = sd_bus_call_method(bus, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_GALLERY, method, &error, NULL,
                                       "s", id);
        else
                r = sd_bus_call_method(bus, CTL_BUS_NAME, CTL_OBJECT_ROOT, CTL_IFACE_GALLERY, method, &error, NULL,
                                       NULL);
        if (r < 0)
                return ctl_bus_fail(v, what, &error, r);
        if (v->json) {
                fputs(id ? "{\"removed\":" : "{\"cleared\":true}\n", stdout);
                if (id) {
                        ctl_json_string(stdout, id);
                        printf("}\n");
                }
        } else
                if (id)
                        printf("Removed '%s' from the gallery.\n", id);
                else
                        printf("Cleared the gallery.\n");
        return CTL_EXIT_OK;
}

int ctl_gallery(const struct ctl_options *o, int argc, char **argv) {
        enum { ARG_JSON = 0x100, ARG_TEMPLATE, ARG_TTL };
        static const struct option opts[] = {
                { "json", no_argument, NULL, ARG_JSON },
                { "template", required_argument, NULL, ARG_TEMPLATE },
                { "ttl", required_argument, NULL, ARG_TTL },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        struct ctl_verb v = { .name = "gallery", .json = o->json };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        const char *template_file = NULL;
        uint64_t ttl = 0;
        bool ttl_set = false;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case ARG_JSON: v.json = true; break;
                case ARG_TEMPLATE: template_file = optarg; break;
                case ARG_TTL: {
                        char *end;
                        errno = 0;
                        unsigned long long s = strtoull(optarg, &end, 10);
                        if (errno || *end || end == optarg || optarg[0] == '-' || s < 1 || s > 30ULL * 24 * 3600)
                                return ctl_usage(&v, "invalid --ttl '%s' (seconds, 1 up to 30 days)", optarg);
                        ttl = s;
                        ttl_set = true;
                        break;
                }
                case 'h': gallery_help(); return CTL_EXIT_OK;
                default: return CTL_EXIT_USAGE;
                }
        char **args = argv + optind;
        int n = argc - optind;
        if (n < 1)
                return ctl_usage(&v, "which action: add, remove, list or clear?");
        const char *action = args[0];
        bool add = streq(action, "add");
        if ((template_file || ttl_set) && !add)
                return ctl_usage(&v, "--template and --ttl are for 'gallery add'");
        if (add) {
                if (n != (template_file ? 2 : 3))
                        return ctl_usage(&v, "gallery add takes an ID and either an IMAGE or --template FILE");
                if (strlen(args[1]) == 0 || strlen(args[1]) > 255)
                        return ctl_usage(&v, "the ID must be 1 to 255 bytes");
        } else if (streq(action, "remove")) {
                if (n != 2)
                        return ctl_usage(&v, "gallery remove takes one ID");
        } else if (streq(action, "list") || streq(action, "clear")) {
                if (n != 1)
                        return ctl_usage(&v, "gallery %s takes no arguments", action);
        } else
                return ctl_usage(&v, "unknown action '%s' (add, remove, list, clear)", action);

        r = ctl_bus_connect(&v, &bus);
        if (r != 0)
                return r;
        if (add)
                return gallery_add(&v, bus, args[1], template_file ? NULL : args[2], template_file, ttl);
        if (streq(action, "remove"))
                return gallery_simple(&v, bus, "Remove", args[1]);
        if (streq(action, "clear"))
                return gallery_simple(&v, bus, "Clear", NULL);
        return gallery_list(&v, bus);
}
