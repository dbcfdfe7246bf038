/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Extended controls: enumeration, get and set. */

#include <ctype.h>
#include <linux/videodev2.h>

#include "common/debug.h"
#include "v4l2/controls.h"
#include "v4l2/device.h"

#define MAX_CONTROLS 256
#define MAX_MENU_ITEMS 64

const char *cam_control_type_to_string(uint32_t type) {
        switch (type) {
        case V4L2_CTRL_TYPE_INTEGER: return "int";
        case V4L2_CTRL_TYPE_BOOLEAN: return "bool";
        case V4L2_CTRL_TYPE_MENU: return "menu";
        case V4L2_CTRL_TYPE_INTEGER_MENU: return "intmenu";
        case V4L2_CTRL_TYPE_BITMASK: return "bitmask";
        case V4L2_CTRL_TYPE_BUTTON: return "button";
        case V4L2_CTRL_TYPE_INTEGER64: return "int64";
        default: return "other";
        }
}

static bool type_is_scalar(uint32_t type) {
        return !streq(cam_control_type_to_string(type), "other");
}

void cam_control_name_to_key(const char *name, char *buf, size_t size) {
        size_t n = 0;
        bool sep = false;
        if (size == 0)
                return;
        for (const char *p = name; *p && n + 1 < size; p++) {
                if (isalnum((unsigned char) *p)) {
                        if (sep && n > 0 && n + 2 < size)
                                buf[n++] = '_';
                        sep = false;
                        buf[n++] = (char) tolower((unsigned char) *p);
                } else
                        sep = true;
        }
        buf[n] = 0;
}

struct cam_control_list *cam_control_list_free(struct cam_control_list *l) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n; i++)
                free(l->controls[i].menu);
        free(l->controls);
        free(l);
        return NULL;
}

static int ext_ctrls(struct cam_device *d, unsigned long request, uint32_t id, bool is64, int64_t *value) {
        struct v4l2_ext_control c = { .id = id };
        struct v4l2_ext_controls cs = { .which = V4L2_CTRL_WHICH_CUR_VAL, .count = 1, .controls = &c };
        if (request == VIDIOC_S_EXT_CTRLS) {
                if (is64)
                        c.value64 = *value;
                else
                        c.value = (int32_t) *value;
        }
        int r = cam_device_ioctl(d, request, &cs);
        if (r < 0)
                return r;
        if (request == VIDIOC_G_EXT_CTRLS)
                *value = is64 ? c.value64 : c.value;
        return 0;
}

static int query(struct cam_device *d, uint32_t id, struct v4l2_query_ext_ctrl *q) {
        *q = (struct v4l2_query_ext_ctrl) { .id = id };
        return cam_device_ioctl_quiet(d, VIDIOC_QUERY_EXT_CTRL, q);
}

static int read_menu(struct cam_device *d, struct cam_control *c) {
        if (c->type != V4L2_CTRL_TYPE_MENU && c->type != V4L2_CTRL_TYPE_INTEGER_MENU)
                return 0;
        if (c->minimum < 0 || c->maximum < c->minimum || c->maximum - c->minimum >= MAX_MENU_ITEMS)
                return 0;
        for (int64_t i = c->minimum; i <= c->maximum; i++) {
                struct v4l2_querymenu m = { .id = c->id, .index = (uint32_t) i };
                if (cam_device_ioctl_quiet(d, VIDIOC_QUERYMENU, &m) < 0)
                        continue;       /* holes in a menu are normal */
                struct cam_control_menu_item *nm = reallocarray(c->menu, c->n_menu + 1, sizeof(*nm));
                if (!nm)
                        return -ENOMEM;
                c->menu = nm;
                struct cam_control_menu_item *it = &c->menu[c->n_menu++];
                it->index = i;
                if (c->type == V4L2_CTRL_TYPE_MENU)
                        snprintf(it->name, sizeof(it->name), "%.*s", (int) sizeof(it->name) - 1, (const char *) m.name);
                else
                        snprintf(it->name, sizeof(it->name), "%lld", (long long) m.value);
        }
        return 0;
}

int cam_control_list_new(struct cam_device *d, struct cam_control_list **ret) {
        _cleanup_(cam_control_list_freep) struct cam_control_list *l = calloc(1, sizeof(*l));
        uint32_t id = 0;
        int r;

        if (!l)
                return -ENOMEM;
        for (unsigned i = 0; i < MAX_CONTROLS; i++) {
                struct v4l2_query_ext_ctrl q;
                r = query(d, id | V4L2_CTRL_FLAG_NEXT_CTRL, &q);
                if (r == -EINVAL || r == -ENOTTY)
                        break;          /* end of the list, or no controls at all */
                if (r < 0)
                        return ls_debug_errno(r, "'%s' VIDIOC_QUERY_EXT_CTRL: %s", cam_device_node(d), strerror(-r));
                if (q.id <= id)
                        return ls_debug_errno(-EPROTO, "'%s' control enumeration went backwards", cam_device_node(d));
                id = q.id;
                if ((q.flags & V4L2_CTRL_FLAG_DISABLED) || !type_is_scalar(q.type) || q.elems > 1 ||
                    (q.flags & V4L2_CTRL_FLAG_HAS_PAYLOAD))
                        continue;

                struct cam_control *nc = reallocarray(l->controls, l->n + 1, sizeof(*nc));
                if (!nc)
                        return -ENOMEM;
                l->controls = nc;
                struct cam_control *c = &l->controls[l->n++];
                *c = (struct cam_control) {
                        .id = q.id, .type = q.type, .minimum = q.minimum, .maximum = q.maximum,
                        .step = (int64_t) q.step, .default_value = q.default_value, .flags = q.flags,
                };
                snprintf(c->name, sizeof(c->name), "%.*s", (int) sizeof(c->name) - 1, q.name);
                cam_control_name_to_key(c->name, c->key, sizeof(c->key));
                if (!(q.flags & V4L2_CTRL_FLAG_WRITE_ONLY) && q.type != V4L2_CTRL_TYPE_BUTTON)
                        c->has_value = ext_ctrls(d, VIDIOC_G_EXT_CTRLS, c->id, q.type == V4L2_CTRL_TYPE_INTEGER64,
                                                 &c->value) >= 0;
                r = read_menu(d, c);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

const struct cam_control *cam_control_list_find(const struct cam_control_list *l, const char *name) {
        char key[32];
        if (!name)
                return NULL;
        cam_control_name_to_key(name, key, sizeof(key));
        for (size_t i = 0; i < l->n; i++)
                if (strcasecmp(l->controls[i].name, name) == 0 || streq(l->controls[i].key, key))
                        return &l->controls[i];
        return NULL;
}

const struct cam_control *cam_control_list_find_id(const struct cam_control_list *l, uint32_t id) {
        for (size_t i = 0; i < l->n; i++)
                if (l->controls[i].id == id)
                        return &l->controls[i];
        return NULL;
}

int cam_control_get(struct cam_device *d, uint32_t id, int64_t *ret) {
        struct v4l2_query_ext_ctrl q;
        int64_t v = 0;
        int r = query(d, id, &q);
        if (r < 0)
                return r;
        if (q.flags & V4L2_CTRL_FLAG_WRITE_ONLY)
                return -EACCES;
        r = ext_ctrls(d, VIDIOC_G_EXT_CTRLS, id, q.type == V4L2_CTRL_TYPE_INTEGER64, &v);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

int cam_control_set(struct cam_device *d, uint32_t id, int64_t value) {
        struct v4l2_query_ext_ctrl q;
        int r = query(d, id, &q);
        if (r < 0)
                return r;
        if (q.flags & (V4L2_CTRL_FLAG_READ_ONLY | V4L2_CTRL_FLAG_DISABLED))
                return -EACCES;
        if (!type_is_scalar(q.type))
                return -EOPNOTSUPP;
        if (q.type != V4L2_CTRL_TYPE_BITMASK && (value < q.minimum || value > q.maximum))
                return ls_debug_errno(-ERANGE, "'%s' control '%s': %lld outside [%lld, %lld]", cam_device_node(d), q.name,
                                      (long long) value, (long long) q.minimum, (long long) q.maximum);
        return ext_ctrls(d, VIDIOC_S_EXT_CTRLS, id, q.type == V4L2_CTRL_TYPE_INTEGER64, &value);
}

static int find_id(struct cam_device *d, const char *name, uint32_t *ret) {
        _cleanup_(cam_control_list_freep) struct cam_control_list *l = NULL;
        int r = cam_control_list_new(d, &l);
        if (r < 0)
                return r;
        const struct cam_control *c = cam_control_list_find(l, name);
        if (!c)
                return -ENOENT;
        *ret = c->id;
        return 0;
}

int cam_control_get_by_name(struct cam_device *d, const char *name, int64_t *ret) {
        uint32_t id;
        int r = find_id(d, name, &id);
        return r < 0 ? r : cam_control_get(d, id, ret);
}

int cam_control_set_by_name(struct cam_device *d, const char *name, int64_t value) {
        uint32_t id;
        int r = find_id(d, name, &id);
        return r < 0 ? r : cam_control_set(d, id, value);
}
