/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Who may call what, as fprintd decides it: polkit actions checked by the
 * service (the bus policy is the first gate, this the second).
 *
 *   org.lanesight.Lanesight1.verify          sessions, templates from photos, identification, cameras
 *   org.lanesight.Lanesight1.manage-gallery  adding, removing, listing and clearing gallery entries
 *
 * The actions file grants neither by default; the installed rules file
 * (units/50-org.lanesight.Lanesight1.rules) grants verify to group
 * "lanesight" and both to group "lanesight-admin"; local polkit rules may
 * override them. Root is always allowed. Without polkit on the bus the same
 * group rule is applied by the service itself (logged once).
 *
 * The check never blocks the loop: the first call of a handler sends the
 * polkit query and parks the message; when the answer arrives the message
 * is queued again (sd_bus_enqueue_for_read) and the handler runs again,
 * reading its arguments anew, and this time gets the answer. Handlers must
 * therefore have no side effect before they authorize.
 *
 * Main loop only.
 */

#include <systemd/sd-bus.h>

#include "svc/daemon.h"

enum lsd_action {
        LSD_ACTION_VERIFY,
        LSD_ACTION_MANAGE_GALLERY,
        _LSD_ACTION_MAX,
        _LSD_ACTION_INVALID = -22,
};

#define LSD_GROUP_VERIFY "lanesight"
#define LSD_GROUP_ADMIN "lanesight-admin"
#define LSD_AUTH_MAX_PENDING 64u

/*
 * 1: allowed, go on. 0: a polkit query is in flight: return 1 from the
 * handler (it runs again with the same message). Negative errno with
 * ret_error set (AccessDenied, LimitReached): refused.
 */
int lsd_authorize(struct lsd_daemon *d, sd_bus_message *m, enum lsd_action action, sd_bus_error *ret_error);

/* Drops the queries in flight (daemon shutdown). */
void lsd_authorize_done(struct lsd_daemon *d);
