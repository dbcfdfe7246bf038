# The V4L2 capture library: devices, formats, controls, streaming, conversion, hotplug.
LIBRARIES += cam
cam_SOURCES := v4l2/io.c v4l2/device.c v4l2/format.c v4l2/controls.c v4l2/convert.c v4l2/stream.c \
               v4l2/monitor.c v4l2/camera.c
cam_PKGS := libv4l2 libv4lconvert libsystemd
