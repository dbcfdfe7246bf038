/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "svc/daemon.h"

/* Sets everything up, signals READY=1 and runs the loop until SIGTERM/SIGINT. */
int lsd_daemon_run(struct lsd_daemon *d);
/* Ends every session (purging it) and frees everything; safe on a half-built daemon. */
void lsd_daemon_done(struct lsd_daemon *d);
