/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd-device enumeration and monitoring of video4linux nodes. */

#include <systemd/sd-device.h>

#include "common/debug.h"
#include "v4l2/monitor.h"

#define MAX_DEVLINKS 16

struct cam_monitor {
        sd_device_monitor *monitor;
        cam_hotplug_handler_t handler;
        void *userdata;
};

const char *cam_hotplug_action_to_string(enum cam_hotplug_action a) {
        static const char *const names[_CAM_HOTPLUG_ACTION_MAX] = {
                [CAM_HOTPLUG_ADD] = "add",
                [CAM_HOTPLUG_REMOVE] = "remove",
        };
        return a >= 0 && a < _CAM_HOTPLUG_ACTION_MAX ? names[a] : NULL;
}

static void strv_free(char **l) {
        for (char **p = l; p && *p; p++)
                free(*p);
        free(l);
}

static void node_info_done(struct cam_node_info *n) {
        free(n->devnode);
        free(n->sysname);
        free(n->name);
        strv_free(n->devlinks);
}

void cam_node_info_array_free(struct cam_node_info *a, size_t n) {
        for (size_t i = 0; i < n; i++)
                node_info_done(&a[i]);
        free(a);
}

/* NULL-terminated copy of a device's links; NULL only on OOM. */
static char **device_devlinks(sd_device *dev) {
        char **l = calloc(MAX_DEVLINKS + 1, sizeof(char *));
        size_t n = 0;
        if (!l)
                return NULL;
        for (const char *link = sd_device_get_devlink_first(dev); link && n < MAX_DEVLINKS;
             link = sd_device_get_devlink_next(dev)) {
                l[n] = strdup(link);
                if (!l[n]) {
                        strv_free(l);
                        return NULL;
                }
                n++;
        }
        return l;
}

static int node_info_fill(sd_device *dev, struct cam_node_info *n) {
        const char *devnode, *sysname, *name;
        int r = sd_device_get_devname(dev, &devnode);
        if (r < 0)
                return r;
        n->devnode = strdup(devnode);
        if (sd_device_get_sysname(dev, &sysname) >= 0)
                n->sysname = strdup(sysname);
        if (sd_device_get_sysattr_value(dev, "name", &name) >= 0)
                n->name = strdup(name);
        n->devlinks = device_devlinks(dev);
        if (!n->devnode || !n->devlinks)
                return -ENOMEM;
        return 0;
}

static int node_cmp(const void *a, const void *b) {
        const struct cam_node_info *x = a, *y = b;
        /* video2 before video10. */
        size_t lx = strlen(x->devnode), ly = strlen(y->devnode);
        return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x->devnode, y->devnode);
}

static void enumerator_unrefp(sd_device_enumerator **e) {
        if (*e)
                *e = sd_device_enumerator_unref(*e);
}

int cam_enumerate_nodes(struct cam_node_info **ret, size_t *ret_n) {
        _cleanup_(enumerator_unrefp) sd_device_enumerator *e = NULL;
        struct cam_node_info *list = NULL;
        size_t n = 0;
        int r;

        r = sd_device_enumerator_new(&e);
        if (r < 0)
                return r;
        r = sd_device_enumerator_add_match_subsystem(e, "video4linux", true);
        if (r < 0)
                return r;
        for (sd_device *dev = sd_device_enumerator_get_device_first(e); dev;
             dev = sd_device_enumerator_get_device_next(e)) {
                struct cam_node_info info = {};
                r = node_info_fill(dev, &info);
                if (r == -ENOENT) {     /* no device node */
                        node_info_done(&info);
                        continue;
                }
                struct cam_node_info *nl = r < 0 ? NULL : reallocarray(list, n + 1, sizeof(*nl));
                if (!nl) {
                        node_info_done(&info);
                        cam_node_info_array_free(list, n);
                        return r < 0 ? r : -ENOMEM;
                }
                list = nl;
                list[n++] = info;
        }
        if (n > 1)
                qsort(list, n, sizeof(*list), node_cmp);
        *ret = list;
        *ret_n = n;
        return 0;
}

static int monitor_handler(sd_device_monitor *m, sd_device *dev, void *userdata) {
        struct cam_monitor *mon = userdata;
        sd_device_action_t action;
        const char *devnode;

        if (sd_device_get_action(dev, &action) < 0 || sd_device_get_devname(dev, &devnode) < 0)
                return 0;
        if (action != SD_DEVICE_ADD && action != SD_DEVICE_REMOVE)
                return 0;

        char **links = device_devlinks(dev);
        struct cam_hotplug_event ev = {
                .action = action == SD_DEVICE_ADD ? CAM_HOTPLUG_ADD : CAM_HOTPLUG_REMOVE,
                .devnode = devnode,
                .devlinks = (const char *const *) links,
        };
        ls_debug("hotplug: %s '%s'", cam_hotplug_action_to_string(ev.action), devnode);
        mon->handler(&ev, mon->userdata);
        strv_free(links);
        return 0;
}

struct cam_monitor *cam_monitor_free(struct cam_monitor *m) {
        if (!m)
                return NULL;
        if (m->monitor) {
                (void) sd_device_monitor_stop(m->monitor);
                sd_device_monitor_unref(m->monitor);
        }
        free(m);
        return NULL;
}

int cam_monitor_new(sd_event *event, cam_hotplug_handler_t handler, void *userdata, struct cam_monitor **ret) {
        _cleanup_(cam_monitor_freep) struct cam_monitor *m = NULL;
        int r;

        if (!event || !handler || !ret)
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->handler = handler;
        m->userdata = userdata;
        r = sd_device_monitor_new(&m->monitor);
        if (r < 0)
                return ls_debug_errno(r, "sd_device_monitor_new: %s", strerror(-r));
        r = sd_device_monitor_filter_add_match_subsystem_devtype(m->monitor, "video4linux", NULL);
        if (r < 0)
                return r;
        r = sd_device_monitor_attach_event(m->monitor, event);
        if (r < 0)
                return r;
        r = sd_device_monitor_start(m->monitor, monitor_handler, m);
        if (r < 0)
                return ls_debug_errno(r, "sd_device_monitor_start: %s", strerror(-r));
        *ret = TAKE_PTR(m);
        return 0;
}
