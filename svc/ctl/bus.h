/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What lanesightctl's bus verbs share: the connection (the system bus, or
 * $DBUS_SYSTEM_BUS_ADDRESS), the daemon's names, the mapping of its named
 * errors to messages and exit codes, and a generic printer for properties.
 */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "common/macro.h"

#include "svc/ctl/ctl.h"

#define CTL_BUS_NAME "org.lanesight.Lanesight1"
#define CTL_OBJECT_ROOT "/org/lanesight/Lanesight1"
#define CTL_IFACE_MANAGER CTL_BUS_NAME ".Manager"
#define CTL_IFACE_CAMERA CTL_BUS_NAME ".Camera"
#define CTL_IFACE_SESSION CTL_BUS_NAME ".Session"
#define CTL_IFACE_GALLERY CTL_BUS_NAME ".Gallery"

/* The options every bus verb takes after its name, besides its own. */
struct ctl_verb {
        const char *name;
        bool json;
};

/* Connects to the system bus. On failure prints why and returns CTL_EXIT_SERVICE; else 0. */
int ctl_bus_connect(const struct ctl_verb *v, sd_bus **ret);

/*
 * Reports a failed call (error, or r < 0 without one) as "lanesightctl:
 * WHAT: message" on stderr, and in JSON mode as {"error":...,"message":...}
 * on stdout. Returns the exit code the failure maps to.
 */
int ctl_bus_fail(const struct ctl_verb *v, const char *what, const sd_bus_error *error, int r);

/* Prints a usage error (stderr) and returns CTL_EXIT_USAGE. */
int ctl_usage(const struct ctl_verb *v, const char *fmt, ...) _printf_(2, 3);

/*
 * Reads the a{sv} of Properties.GetAll for interface on path. On failure it
 * reports and returns an exit code (> 0); else 0 with *ret at the array.
 */
int ctl_get_all(const struct ctl_verb *v, sd_bus *bus, const char *path, const char *interface,
                sd_bus_message **ret);

/* Prints the message's next value (any signature) as JSON; advances past it. */
int ctl_json_value(FILE *f, sd_bus_message *m);
/* Prints the message's next value as text for a person; advances past it. */
int ctl_text_value(FILE *f, sd_bus_message *m);
/*
 * Prints a GetAll a{sv} reply: JSON members ("Key":value, comma-separated,
 * no braces) or text lines "  Key: value" with indent.
 */
int ctl_print_properties(FILE *f, sd_bus_message *m, bool json, const char *indent);

/* The camera to use: given, or the first the manager lists. Returns an exit code; *ret is malloc'ed. */
int ctl_pick_camera(const struct ctl_verb *v, sd_bus *bus, const char *given, char **ret);

/* Seconds as a float ("1.5"), > 0 and at most a day; negative errno. */
int ctl_parse_seconds(const char *s, uint64_t *ret_usec);
