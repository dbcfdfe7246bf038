/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* org.lanesight.Lanesight1.Camera: one object per camera. Logic in camera.c. */
#include <errno.h>
#include <string.h>

#include "common/macro.h"
#include "svc/bus-util.h"
#include "svc/camera.h"

static int get_info(void *userdata, struct lsd_camera_info *ret) {
        struct lsd_daemon *d = userdata;
        if (!d->camera)
                return -ENODEV;
        lsd_camera_get_info(d->camera, ret);
        return 0;
}

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        struct lsd_camera_info i;
        char fourcc[5] = "";

        if (get_info(userdata, &i) < 0)
                return sd_bus_error_set(error, LSD_ERROR_NO_SUCH_CAMERA, "No such camera");
        if (i.fourcc)
                for (int k = 0; k < 4; k++)
                        fourcc[k] = (char) ((i.fourcc >> (8 * k)) & 0xff);
        if (streq(property, "Id"))
                return sd_bus_message_append(reply, "s", i.id);
        if (streq(property, "Node"))
                return sd_bus_message_append(reply, "s", i.node ?: "");
        if (streq(property, "Card"))
                return sd_bus_message_append(reply, "s", i.card ?: "");
        if (streq(property, "Format"))
                return sd_bus_message_append(reply, "s", fourcc);
        if (streq(property, "Size"))
                return sd_bus_message_append(reply, "(uu)", i.width, i.height);
        if (streq(property, "FrameRate"))
                return sd_bus_message_append(reply, "u", i.fps);
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", lsd_camera_state_to_string(i.state));
        if (streq(property, "FacesInView"))
                return sd_bus_message_append(reply, "u", i.faces_in_view);
        if (streq(property, "FramesCaptured"))
                return sd_bus_message_append(reply, "t", i.captured);
        if (streq(property, "FramesDropped"))
                return sd_bus_message_append(reply, "t", i.dropped);
        if (streq(property, "FramesProcessed"))
                return sd_bus_message_append(reply, "t", i.processed);
        if (streq(property, "BytesConverted"))
                return sd_bus_message_append(reply, "t", i.bytes_converted);
        if (streq(property, "ImportBytesCopied"))
                return sd_bus_message_append(reply, "t", i.import_bytes_copied);
        if (streq(property, "BytesToDevice"))
                return sd_bus_message_append(reply, "t", i.bytes_to_device);
        if (streq(property, "BytesFromDevice"))
                return sd_bus_message_append(reply, "t", i.bytes_from_device);
        if (streq(property, "FrameBytesToDevice"))
                return sd_bus_message_append(reply, "t", i.last_to_device);
        if (streq(property, "FrameBytesFromDevice"))
                return sd_bus_message_append(reply, "t", i.last_from_device);
        if (streq(property, "ImportPath"))
                return sd_bus_message_append(reply, "s", i.import_path);
        return -ENOENT;
}

static const sd_bus_vtable camera_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Id", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Node", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Card", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Format", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Size", "(uu)", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("FrameRate", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("FacesInView", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("FramesCaptured", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("FramesDropped", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("FramesProcessed", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("BytesConverted", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("ImportPath", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ImportBytesCopied", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("BytesToDevice", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("BytesFromDevice", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("FrameBytesToDevice", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("FrameBytesFromDevice", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_SIGNAL_WITH_NAMES("FrameProcessed", "tusa(udddddd)",
                                 SD_BUS_PARAM(timestamp_usec) SD_BUS_PARAM(sequence) SD_BUS_PARAM(guidance)
                                 SD_BUS_PARAM(faces), 0),
        SD_BUS_VTABLE_END
};

int lsd_bus_camera_register(struct lsd_daemon *d) {
        return sd_bus_add_object_vtable(d->bus, NULL, lsd_camera_path(d->camera), LSD_IFACE_CAMERA, camera_vtable, d);
}

void lsd_bus_camera_emit_changed(struct lsd_camera *c, const char *property) {
        struct lsd_camera_info i;
        lsd_camera_get_info(c, &i);
        sd_bus *bus = lsd_camera_bus(c);       /* NULL before the bus is up: nobody to tell */
        if (bus)
                (void) sd_bus_emit_properties_changed(bus, i.path, LSD_IFACE_CAMERA, property, NULL);
}

void lsd_bus_camera_emit_frame(struct lsd_camera *c, uint64_t timestamp_usec, uint32_t sequence,
                               enum face_guidance guidance, const struct face_detection *faces,
                               const uint32_t *track_ids, const float *quality, size_t n) {
        sd_bus *bus = lsd_camera_bus(c);
        sd_bus_message *m = NULL;
        int r;

        if (!bus)
                return;
        /* Boxes and guidance only: never a template or pixels in a broadcast signal. */
        r = sd_bus_message_new_signal(bus, &m, lsd_camera_path(c), LSD_IFACE_CAMERA, "FrameProcessed");
        if (r >= 0)
                r = sd_bus_message_append(m, "tus", timestamp_usec, sequence, face_guidance_to_string(guidance));
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(udddddd)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(m, "(udddddd)", track_ids[i], (double) faces[i].x0, (double) faces[i].y0,
                                          (double) faces[i].x1, (double) faces[i].y1, (double) faces[i].score,
                                          (double) quality[i]);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                (void) sd_bus_send(bus, m, NULL);
        sd_bus_message_unref(m);
}
