/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Camera controls through the extended-control API: enumeration with
 * VIDIOC_QUERY_EXT_CTRL | V4L2_CTRL_FLAG_NEXT_CTRL, values through
 * VIDIOC_G_EXT_CTRLS / VIDIOC_S_EXT_CTRLS. Controls are addressed by id or by
 * name: the driver's name ("Exposure Time, Absolute") or its key, the name
 * lower-cased with runs of other characters turned into '_'
 * ("exposure_time_absolute", as v4l2-ctl spells it).
 *
 * Only scalar controls (integer, boolean, menu, integer menu, bitmask,
 * button, 64-bit integer) are listed; class headers and compound controls
 * are skipped.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/macro.h"

struct cam_device;

struct cam_control_menu_item {
        int64_t index;
        char name[32];          /* or the value, for integer menus */
};

struct cam_control {
        uint32_t id;
        uint32_t type;          /* V4L2_CTRL_TYPE_* */
        char name[32];
        char key[32];
        int64_t minimum, maximum, step, default_value;
        uint32_t flags;         /* V4L2_CTRL_FLAG_* */
        bool has_value;         /* false for write-only controls or when reading failed */
        int64_t value;          /* current value when the list was made */
        size_t n_menu;
        struct cam_control_menu_item *menu;
};

struct cam_control_list {
        size_t n;
        struct cam_control *controls;
};

int cam_control_list_new(struct cam_device *d, struct cam_control_list **ret);
struct cam_control_list *cam_control_list_free(struct cam_control_list *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cam_control_list *, cam_control_list_free);

/* By driver name or key, case-insensitive; NULL when absent. */
const struct cam_control *cam_control_list_find(const struct cam_control_list *l, const char *name);
const struct cam_control *cam_control_list_find_id(const struct cam_control_list *l, uint32_t id);

/* -EINVAL unknown control, -EACCES read-only/write-only, -ERANGE out of range. */
int cam_control_get(struct cam_device *d, uint32_t id, int64_t *ret);
int cam_control_set(struct cam_device *d, uint32_t id, int64_t value);
/* By name: looks the control up first (-ENOENT when the device has none of that name);
 * set checks the range before asking the driver. */
int cam_control_get_by_name(struct cam_device *d, const char *name, int64_t *ret);
int cam_control_set_by_name(struct cam_device *d, const char *name, int64_t value);

/* "int", "bool", "menu", "intmenu", "bitmask", "button", "int64". */
const char *cam_control_type_to_string(uint32_t type);
/* Writes the key of a driver name into buf. */
void cam_control_name_to_key(const char *name, char *buf, size_t size);
