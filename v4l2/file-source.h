/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A cam_source (v4l2/source.h) that plays a YUV4MPEG2 file as if it were a
 * camera, for demos, tests and offline evaluation.
 *
 *   struct cam_file_source_params p = { .path = "clip.y4m", .paced = true };
 *   _cleanup_(cam_source_freep) struct cam_source *src = NULL;
 *   r = cam_file_source_new(&p, &src);
 *   ... cam_source_acquire(src, -1, &f) ... cam_source_release(src, f) ...
 *
 * Frames:
 *  - each of the n_buffers buffers is its own memfd (MFD_CLOEXEC, size
 *    sealed), mmap'd shared and page aligned: memory[0].data is suitable for
 *    host-pointer import (VK_EXT_external_memory_host, CL_MEM_USE_HOST_PTR).
 *    A memfd is not a dma-buf, so memory[0].dmabuf_fd is -EBADF; the memfd
 *    itself is available from cam_file_source_get_memfd(). Buffer index,
 *    mapping and memfd stay the same for the source's lifetime;
 *  - fourcc: 4:2:0 files -> V4L2_PIX_FMT_NV12 (one memory buffer, two
 *    planes), 4:2:2 -> V4L2_PIX_FMT_YUYV, mono -> V4L2_PIX_FMT_GREY
 *    (see cam_y4m_get_layout() for strides and offsets);
 *  - paced (the default for tools): frame k is due at start + k / fps
 *    (exactly: ceil(k * den / num) seconds, in ns), where start is the
 *    creation time; timestamp_ns is that due time. get_fd()
 *    returns a CLOCK_MONOTONIC timerfd that is readable once a frame is due.
 *    When the consumer falls behind, acquire() hands out the newest due
 *    frame and counts the skipped ones as drops (sequence numbers jump), like
 *    a camera;
 *  - unpaced: every acquire() produces the next frame at once (no drops),
 *    timestamp_ns is the time it was produced; get_fd() is always readable;
 *  - at the end of the file acquire() returns -EPIPE (as soon as the last
 *    frame has been handed out; the fd turns readable so pollers notice),
 *    or starts over when looping (sequence keeps counting up). A truncated
 *    or malformed frame gives -EBADMSG, counted in stats.errors (the frames
 *    before it play normally). Both are final: later calls return the same;
 *  - CAM_FRAME_COPIED is set and stats.bytes_copied counts the bytes of
 *    frames that needed a conversion pass (chroma interleave for NV12,
 *    packing for YUYV); planes read straight from the file into the buffer
 *    (Y of even-width NV12, GREY) are not counted, like a camera's DMA.
 *
 * The file is read with pread() (no mapping, so a file shrinking under us
 * gives -EBADMSG, not SIGBUS); what plays is the file as long as it was
 * when the source was created. Main-loop only, like every cam_source.
 */

#include "v4l2/source.h"
#include "v4l2/y4m.h"

struct cam_file_source_params {
        const char *path;       /* a regular .y4m file (required) */
        bool paced;             /* deliver at the file's frame rate (else as fast as asked) */
        bool loop;              /* start over at the end instead of -EPIPE */
        uint32_t n_buffers;     /* ring size, 2..32; 0: 4 */
        uint32_t max_held;      /* frames the consumer may hold at once, 1..n_buffers-1; 0: n_buffers - 1 */
        uint32_t fps_num, fps_den; /* override the file's rate (both non-zero), or 0 */
        /*
         * Tests only: a stand-in for CLOCK_MONOTONIC deciding which frame is
         * due and stamping frames (NULL: the real clock). The timerfd and
         * acquire()'s timeout still run on the real clock, so with a fake
         * clock call acquire() with timeout 0.
         */
        uint64_t (*clock)(void *userdata);
        void *clock_userdata;
};

/* Default rate when the file's F is absent or F0:0 and no override is given. */
#define CAM_FILE_SOURCE_DEFAULT_FPS 25

/*
 * Opens the file, validates its header and sets up the buffers and the
 * timer. Returns -ENOENT/-EACCES/... from open(), -EINVAL for bad params or
 * a path that is not a regular file, and the cam_y4m_parse_header() errors
 * (-EBADMSG, -E2BIG, -EOPNOTSUPP); cam_file_source_probe() tells why.
 */
int cam_file_source_new(const struct cam_file_source_params *p, struct cam_source **ret);

/*
 * Reads and parses the header of the file at path without creating a
 * source; on a header error *ret_why (if not NULL) gets a reason to print,
 * e.g. "unsupported colourspace (C444)".
 */
int cam_file_source_probe(const char *path, struct cam_y4m_header *ret, const char **ret_why);

/* True when s was made by cam_file_source_new(). */
bool cam_source_is_file(struct cam_source *s);

/* The parsed stream header of a file source; NULL for other sources. */
const struct cam_y4m_header *cam_file_source_get_header(struct cam_source *s);

/* The memfd behind buffer index (owned by the source, do not close); -EINVAL if out of range or not a file source. */
int cam_file_source_get_memfd(struct cam_source *s, uint32_t index);

/* Frames in the file, once known (after one full pass or a scan); 0 while unknown. */
uint64_t cam_file_source_get_n_frames(struct cam_source *s);

/*
 * "file:PATH" device strings, as the tools accept them: returns PATH (a
 * pointer into spec) when spec starts with "file:" or ends in ".y4m",
 * otherwise NULL.
 */
const char *cam_file_source_path_from_spec(const char *spec);
