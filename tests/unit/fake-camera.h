/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A simulated V4L2 capture driver behind the capture library's I/O table
 * (v4l2/io.h), with fault injection. It owns real fds (eventfds stand in for
 * the node) and real memory (one memfd per buffer plane), so fd and mapping
 * leaks show up under valgrind and in the counters below.
 *
 * Test code: fields are public and meant to be poked at between calls.
 */

#include <stdbool.h>
#include <stdint.h>
#include <linux/videodev2.h>

#include "v4l2/io.h"

#define FAKE_MAX_FORMATS 8
#define FAKE_MAX_SIZES 6
#define FAKE_MAX_RATES 4
#define FAKE_MAX_BUFFERS 16
#define FAKE_MAX_FDS 8
#define FAKE_MAX_CONTROLS 10
#define FAKE_MAX_EXPORTS 64

struct fake_format {
        uint32_t fourcc;
        const char *description;
        uint32_t n_sizes;
        struct { uint32_t width, height; } sizes[FAKE_MAX_SIZES];
        bool stepwise;                  /* sizes[0] is min, sizes[1] max, step 16x8 */
        uint32_t n_rates;
        uint32_t rates[FAKE_MAX_RATES]; /* frames per second, descending */
};

struct fake_control {
        struct v4l2_query_ext_ctrl q;
        int64_t value;
        const char *menu[8];            /* NULL entries are holes (QUERYMENU says EINVAL) */
};

struct fake_buffer {
        int memfd[VIDEO_MAX_PLANES];
        uint32_t length[VIDEO_MAX_PLANES];
        enum { FB_IDLE, FB_QUEUED, FB_DONE } state;
        uint32_t sequence, bytesused_extra;
        uint64_t timestamp_ns;
        bool error;
};

struct fake_camera {
        /* identity */
        const char *node, *by_id, *by_path;
        const char *card, *bus_info;
        uint32_t device_caps;           /* 0: capture (mplane or not) + streaming */
        bool mplane;
        bool not_chardev;               /* fstat says regular file */
        bool present;                   /* false: unplugged */
        unsigned generation;            /* bumped at unplug: fds from before see ENODEV */

        uint32_t n_formats;
        struct fake_format formats[FAKE_MAX_FORMATS];
        uint32_t n_controls;
        struct fake_control controls[FAKE_MAX_CONTROLS];

        /* current state */
        uint32_t fourcc, width, height, fps;
        bool streaming;
        uint32_t n_buffers;
        struct fake_buffer buffers[FAKE_MAX_BUFFERS];
        uint32_t done[FAKE_MAX_BUFFERS], n_done;        /* FIFO of finished buffers */
        uint32_t queued[FAKE_MAX_BUFFERS], n_queued;    /* FIFO of queued buffers */
        uint32_t sequence;
        uint64_t clock_ns;
        int owner_fd;                   /* fd that allocated the buffers */

        /* behaviour and faults */
        uint32_t bpl_pad;               /* extra bytes per line */
        uint32_t data_offset;           /* mplane: each plane's data starts this far in (a header before it;
                                           bytesused includes it, as V4L2 says) */
        bool round_fmt;                 /* S_FMT rounds up to 16x8, S_PARM to an offered rate */
        bool no_timeperframe;           /* G_PARM without V4L2_CAP_TIMEPERFRAME; S_PARM changes nothing */
        uint32_t grant_fourcc;          /* S_FMT grants this whatever was asked */
        uint32_t max_buffers;           /* REQBUFS clamps to this (0: FAKE_MAX_BUFFERS) */
        bool no_expbuf;
        bool expbuf_rdonly_only;        /* EXPBUF refuses O_RDWR (EACCES) */
        bool auto_produce;              /* poll() finishes frame(s) when none is done */
        uint32_t produce_per_poll;      /* 0: 1 */
        bool poll_never;                /* poll() always times out */
        bool poll_err;                  /* poll() reports POLLERR */
        uint32_t eagain_storm;          /* the next N DQBUFs say EAGAIN although frames are done */
        bool eagain_forever;
        int fail_errno;                 /* DQBUF fails with this after fail_after frames */
        uint32_t fail_after;
        uint32_t oversize_seq;          /* frame with this sequence+1 reports bytesused > length (0: none) */
        uint32_t error_seq;             /* frame with this sequence+1 carries V4L2_BUF_FLAG_ERROR */
        uint8_t bayer_rgb[3];           /* colours of the SBGGR8 pattern */
        const void *payload;            /* MJPEG/JPEG frames: these bytes (else filler) */
        size_t payload_size;

        uint32_t unplug_after;          /* unplug by itself once this many frames were dequeued (0: never) */
        uint32_t replug_ms;             /* ... and come back this long after */
        uint64_t unplugged_at_ns;
        bool auto_unplugged;

        /* accounting */
        int fds[FAKE_MAX_FDS];
        unsigned fd_gen[FAKE_MAX_FDS];
        uint32_t n_open, n_maps;
        uint32_t dequeued;              /* successful DQBUFs */
        int exports[FAKE_MAX_EXPORTS];
        uint32_t n_exports;
};

/* A camera at /dev/video0 offering YUYV, NV12 and MJPG (single-planar) or
 * NV12M and YUYV (mplane), sizes 640x480 and 1280x720, 30 and 15 fps,
 * with brightness, contrast, gain, exposure, auto-exposure and white-balance controls. */
struct fake_camera *fake_camera_new(bool mplane);
void fake_camera_free(struct fake_camera *fc);
struct cam_io fake_camera_io(struct fake_camera *fc);

/* Finishes up to n queued buffers (camera-side drops when none is queued). Returns how many. */
unsigned fake_camera_produce(struct fake_camera *fc, unsigned n);
void fake_camera_unplug(struct fake_camera *fc);
void fake_camera_plug(struct fake_camera *fc);
/* Number of exported dma-buf fds still open. */
unsigned fake_camera_open_exports(struct fake_camera *fc);
/* Adds a format to the offered list. */
struct fake_format *fake_camera_add_format(struct fake_camera *fc, uint32_t fourcc, uint32_t w, uint32_t h, uint32_t fps);
