/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * YUV4MPEG2 (.y4m) parsing: the stream header, the per-frame "FRAME" lines,
 * and the conversion of a frame's planar payload into a layout the GPU path
 * reads directly (NV12, YUYV or GREY). Pure functions over memory buffers, so
 * the fuzzer and the file source (file-source.c, which reads with pread())
 * share one parser.
 *
 * The format: one text line "YUV4MPEG2 W<w> H<h> F<n>:<d> I<i> A<n>:<d> C<cs>
 * X<ext>...\n", then per frame "FRAME[ params]\n" followed by the planes
 * (Y, then Cb, then Cr), each tightly packed, 8 bits per sample.
 *
 * Errors: -EBADMSG for anything malformed or truncated, -E2BIG for sizes
 * above the CAM_Y4M_MAX_* caps, -EOPNOTSUPP for a valid but unsupported
 * colourspace (4:4:4, 4:1:1, high bit depth, alpha). Functions that take
 * `const char **ret_why` set it on failure (only) to a static, human-readable
 * reason when ret_why is not NULL; callers may print it.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAM_Y4M_MAGIC "YUV4MPEG2"
#define CAM_Y4M_FRAME_MAGIC "FRAME"
#define CAM_Y4M_MAX_DIMENSION 16384u             /* per side */
#define CAM_Y4M_MAX_FRAME_SIZE (512u << 20)      /* bytes of payload per frame */
#define CAM_Y4M_MAX_LINE 4096u                   /* a header or FRAME line, '\n' included */

enum cam_y4m_chroma {
        CAM_Y4M_CHROMA_420JPEG,         /* 4:2:0, chroma centred (the default when C is absent) */
        CAM_Y4M_CHROMA_420PALDV,        /* 4:2:0, PAL-DV siting */
        CAM_Y4M_CHROMA_420MPEG2,        /* 4:2:0, MPEG-2 siting (left) */
        CAM_Y4M_CHROMA_420,             /* "C420": 4:2:0, siting unspecified */
        CAM_Y4M_CHROMA_422,             /* 4:2:2 planar */
        CAM_Y4M_CHROMA_MONO,            /* luma only */
        _CAM_Y4M_CHROMA_MAX,
        _CAM_Y4M_CHROMA_INVALID = -EINVAL,
};

const char *cam_y4m_chroma_to_string(enum cam_y4m_chroma c);   /* "420jpeg", ..., NULL if invalid */
enum cam_y4m_chroma cam_y4m_chroma_from_string(const char *s);  /* the C tag's value; _INVALID if unsupported */

struct cam_y4m_header {
        uint32_t width, height;
        uint32_t fps_num, fps_den;      /* 0:0 when absent or given as F0:0 ("unknown") */
        uint32_t aspect_num, aspect_den;/* pixel aspect; 0:0 unknown */
        char interlace;                 /* 'p', 't', 'b', 'm' (mixed) or '?' (absent/unknown) */
        enum cam_y4m_chroma chroma;
        /* Derived sizes of the planar payload (what follows each FRAME line). */
        uint32_t chroma_width, chroma_height;   /* 0 for mono */
        size_t luma_size, chroma_size;          /* bytes of Y, and of each of Cb and Cr */
        size_t frame_size;                      /* luma_size + 2 * chroma_size */
};

/*
 * Parses the stream header at the start of buf. Returns the number of bytes
 * it occupies (the '\n' included; the first FRAME line starts there) and
 * fills *ret. -EBADMSG when buf holds no complete line (truncated) or the
 * line is not a valid header.
 */
int cam_y4m_parse_header(const void *buf, size_t len, struct cam_y4m_header *ret, const char **ret_why);

/*
 * Parses a "FRAME[ params]\n" line at the start of buf (the parameters are
 * accepted and ignored). Returns its length, '\n' included; -EBADMSG when it
 * is truncated or is not a FRAME line. len == 0 is -EBADMSG too: the caller
 * decides whether the end of its data is a clean end of stream.
 */
int cam_y4m_parse_frame_line(const void *buf, size_t len, const char **ret_why);

/* Iterates over the frames of a whole stream held in memory. */
struct cam_y4m_iter {
        const uint8_t *data;
        size_t size, pos;
        uint64_t frame;                 /* frames returned so far */
        struct cam_y4m_header header;
};

/* Parses the stream header; the iterator then points at the first frame. */
int cam_y4m_iter_init(struct cam_y4m_iter *it, const void *data, size_t size, const char **ret_why);
/*
 * Returns 1 and the payload (header.frame_size bytes, pointing into data) of
 * the next frame, 0 at a clean end of the data, -EBADMSG for a malformed or
 * truncated frame (the iterator then stays at that frame).
 */
int cam_y4m_iter_next(struct cam_y4m_iter *it, const uint8_t **ret_payload, const char **ret_why);

/*
 * The layout a frame is handed out in: one memory buffer, planes at
 * offsets. 4:2:0 -> NV12 (Y plane then interleaved CbCr, same stride),
 * 4:2:2 -> YUYV (packed), mono -> GREY. Odd widths are padded to even in
 * NV12 and YUYV so chroma pairs stay whole; padding bytes are written (copies
 * of the last column) so the whole buffer is defined.
 */
struct cam_y4m_layout {
        uint32_t fourcc;                /* V4L2_PIX_FMT_NV12, _YUYV or _GREY */
        uint32_t n_planes;
        uint32_t offset[2], stride[2];
        size_t size;                    /* bytes of the whole frame in this layout */
};

int cam_y4m_get_layout(const struct cam_y4m_header *h, struct cam_y4m_layout *ret);

/*
 * Converts one frame's planar payload into dst (layout.size bytes). y, cb
 * and cr point to the planes (cb/cr unused for mono). y may be NULL when the
 * caller already placed the luma rows in dst itself (possible when the luma
 * stride equals the width, i.e. GREY and even-width NV12); the chroma is then
 * converted alone. Returns the number of bytes written.
 */
size_t cam_y4m_convert(const struct cam_y4m_header *h, const struct cam_y4m_layout *l,
                       const uint8_t *y, const uint8_t *cb, const uint8_t *cr, uint8_t *dst);

/* Whether cam_y4m_convert() may be given y == NULL for this layout. */
bool cam_y4m_luma_is_direct(const struct cam_y4m_header *h, const struct cam_y4m_layout *l);
