/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What every bus handler shares: the named errors and templates in call
 * arguments and replies (authorization: polkit.h; images: analysis.h).
 * Main loop only.
 */

#include <systemd/sd-bus.h>

#include "face/pipeline.h"
#include "svc/daemon.h"

#define LSD_ERROR_PREFIX LSD_BUS_NAME ".Error."
#define LSD_ERROR_ACCESS_DENIED LSD_ERROR_PREFIX "AccessDenied"
#define LSD_ERROR_INVALID_TEMPLATE LSD_ERROR_PREFIX "InvalidTemplate"
#define LSD_ERROR_INVALID_IMAGE LSD_ERROR_PREFIX "InvalidImage"
#define LSD_ERROR_NO_FACE LSD_ERROR_PREFIX "NoFace"
#define LSD_ERROR_POOR_REFERENCE LSD_ERROR_PREFIX "PoorReference"
#define LSD_ERROR_NO_SUCH_CAMERA LSD_ERROR_PREFIX "NoSuchCamera"
#define LSD_ERROR_NOT_OWNER LSD_ERROR_PREFIX "NotOwner"
#define LSD_ERROR_BAD_STATE LSD_ERROR_PREFIX "BadState"
#define LSD_ERROR_LIMIT LSD_ERROR_PREFIX "LimitReached"
#define LSD_ERROR_NOT_FOUND LSD_ERROR_PREFIX "NotFound"
#define LSD_ERROR_OPTED_OUT LSD_ERROR_PREFIX "OptedOut"
#define LSD_ERROR_ENGINE LSD_ERROR_PREFIX "EngineFailure"

/*
 * Reads a template argument ("ay") and decodes it against the pipeline's
 * embedder (model id and dimension) into out (dim floats).
 */
int lsd_bus_read_template(struct lsd_daemon *d, sd_bus_message *m, float *out, sd_bus_error *ret_error);

/* Appends the a{sv} quality dictionary of an analysis. */
int lsd_bus_append_quality(sd_bus_message *m, const struct face_analysis *a);

/* Appends a template ("ay") for embedding. */
int lsd_bus_append_template(struct lsd_daemon *d, sd_bus_message *m, const float *embedding);
