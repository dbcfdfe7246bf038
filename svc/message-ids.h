/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * MESSAGE_ID= values of lanesightd's catalogued journal entries; each has an
 * entry in units/lanesight.catalog that `journalctl -x` shows. Never reuse an
 * id for another meaning.
 */

#define LSD_MESSAGE_CAMERA_DISCONNECTED "490258a2f71c496097cfb365c8558923"
#define LSD_MESSAGE_CAMERA_CONNECTED    "58c66c8ec1094fefb01bae0e5cadf18a"
#define LSD_MESSAGE_GPU_FALLBACK        "4478dca33f1a40d28be7f3a8402bdcf7"
#define LSD_MESSAGE_OPT_OUT             "579789ed437a43788eea0d0ce9b16eab"
#define LSD_MESSAGE_CONFIG_INVALID      "eb774fb0c6b949d1920c6a39d44515e4"
#define LSD_MESSAGE_CONFIG_RELOADED     "9d3de5448db64bb6ad261b94348d4e29"
#define LSD_MESSAGE_STARTED             "befbbe5f8a7e4db2a013ef7961d46659"
#define LSD_MESSAGE_SESSION_PURGED      "119e17c48d09447d8de0ac3961748e73"
#define LSD_MESSAGE_IMPORT_PATH         "4cb513dd6b274dbba5d85488b133b636"
#define LSD_MESSAGE_PIPELINE_STALLED    "ab08ef220ca44530b16cdd3c024c3c93"
#define LSD_MESSAGE_BUS_LOST            "0a925de1c3144c4392b8cc3df2b7d0fb"
