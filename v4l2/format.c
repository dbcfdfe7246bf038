/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fourcc table, format enumeration and negotiation. */

#include <ctype.h>
#include <linux/videodev2.h>

#include "common/debug.h"
#include "v4l2/device.h"
#include "v4l2/format.h"
#include "v4l2/frame.h"

/* Caps on what a (possibly broken) driver can make us enumerate. */
#define MAX_FORMATS 256
#define MAX_SIZES 256
#define MAX_INTERVALS 64

#define G CAM_FMT_GPU
#define C CAM_FMT_CONVERT
#define Z CAM_FMT_COMPRESSED
#define B CAM_FMT_BAYER
/*                fourcc                      name     planes mem bpp div vsub flags  rank */
static const struct cam_format_info format_table[] = {
        { V4L2_PIX_FMT_YUYV,    "YUYV",   1, 1, 16, 1, 1, G,     0 },
        { V4L2_PIX_FMT_UYVY,    "UYVY",   1, 1, 16, 1, 1, G,     1 },
        { V4L2_PIX_FMT_NV12,    "NV12",   2, 1, 12, 1, 2, G,     2 },
        { V4L2_PIX_FMT_NV12M,   "NV12M",  2, 2, 12, 1, 2, G,     2 },
        { V4L2_PIX_FMT_GREY,    "GREY",   1, 1,  8, 1, 1, G,     3 },
        { V4L2_PIX_FMT_RGB24,   "RGB3",   1, 1, 24, 1, 1, G,     4 },
        { V4L2_PIX_FMT_BGR24,   "BGR3",   1, 1, 24, 1, 1, G,     5 },
        { V4L2_PIX_FMT_NV21,    "NV21",   2, 1, 12, 1, 2, G,     6 },
        { V4L2_PIX_FMT_NV21M,   "NV21M",  2, 2, 12, 1, 2, G,     6 },
        { V4L2_PIX_FMT_YUV420,  "YU12",   3, 1, 12, 2, 2, G,     7 },
        { V4L2_PIX_FMT_YUV420M, "YM12",   3, 3, 12, 2, 2, G,     7 },
        { V4L2_PIX_FMT_YVU420,  "YV12",   3, 1, 12, 2, 2, G,     8 },
        { V4L2_PIX_FMT_YVYU,    "YVYU",   1, 1, 16, 1, 1, C,    10 },
        { V4L2_PIX_FMT_VYUY,    "VYUY",   1, 1, 16, 1, 1, C,    11 },
        { V4L2_PIX_FMT_RGB565,  "RGBP",   1, 1, 16, 1, 1, C,    12 },
        { V4L2_PIX_FMT_MJPEG,   "MJPG",   1, 1,  0, 1, 1, C|Z,  20 },
        { V4L2_PIX_FMT_JPEG,    "JPEG",   1, 1,  0, 1, 1, C|Z,  21 },
        { V4L2_PIX_FMT_SBGGR8,  "BA81",   1, 1,  8, 1, 1, C|B,  30 },
        { V4L2_PIX_FMT_SGBRG8,  "GBRG",   1, 1,  8, 1, 1, C|B,  30 },
        { V4L2_PIX_FMT_SGRBG8,  "GRBG",   1, 1,  8, 1, 1, C|B,  30 },
        { V4L2_PIX_FMT_SRGGB8,  "RGGB",   1, 1,  8, 1, 1, C|B,  30 },
        /* Known so they can be listed, but neither readable nor convertible. */
        { V4L2_PIX_FMT_H264,    "H264",   1, 1,  0, 1, 1, Z,    -1 },
        { V4L2_PIX_FMT_HEVC,    "HEVC",   1, 1,  0, 1, 1, Z,    -1 },
};
#undef G
#undef C
#undef Z
#undef B

const struct cam_format_info *cam_format_info_lookup(uint32_t fourcc) {
        for (size_t i = 0; i < ELEMENTSOF(format_table); i++)
                if (format_table[i].fourcc == fourcc)
                        return &format_table[i];
        return NULL;
}

const struct cam_format_info *cam_format_info_all(size_t *ret_n) {
        *ret_n = ELEMENTSOF(format_table);
        return format_table;
}

const char *cam_fourcc_to_string(uint32_t fourcc, char buf[static 8]) {
        bool be = fourcc & (1u << 31);
        fourcc &= ~(1u << 31);
        for (int i = 0; i < 4; i++) {
                char c = (char) ((fourcc >> (8 * i)) & 0xff);
                buf[i] = isprint((unsigned char) c) ? c : '?';
        }
        buf[4] = 0;
        if (be) {
                memcpy(buf + 4, "-BE", 4);
                return buf;
        }
        /* V4L2 pads short codes with spaces ("Y16 "). */
        for (int i = 3; i > 0 && buf[i] == ' '; i--)
                buf[i] = 0;
        return buf;
}

int cam_fourcc_from_string(const char *s, uint32_t *ret) {
        if (!s || !*s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(format_table); i++)
                if (strcasecmp(s, format_table[i].name) == 0) {
                        *ret = format_table[i].fourcc;
                        return 0;
                }
        /* Common spellings that differ from the fourcc text. */
        static const struct { const char *alias; uint32_t fourcc; } aliases[] = {
                { "MJPEG", V4L2_PIX_FMT_MJPEG }, { "RGB24", V4L2_PIX_FMT_RGB24 },
                { "BGR24", V4L2_PIX_FMT_BGR24 }, { "YUV420", V4L2_PIX_FMT_YUV420 },
                { "I420", V4L2_PIX_FMT_YUV420 }, { "SBGGR8", V4L2_PIX_FMT_SBGGR8 },
                { "GRAY", V4L2_PIX_FMT_GREY }, { "RGB565", V4L2_PIX_FMT_RGB565 },
        };
        for (size_t i = 0; i < ELEMENTSOF(aliases); i++)
                if (strcasecmp(s, aliases[i].alias) == 0) {
                        *ret = aliases[i].fourcc;
                        return 0;
                }
        size_t n = strlen(s);
        if (n > 4)
                return -EINVAL;
        char b[4] = { ' ', ' ', ' ', ' ' };
        memcpy(b, s, n);
        *ret = v4l2_fourcc(b[0], b[1], b[2], b[3]);
        return 0;
}

int cam_format_plane_layout(uint32_t fourcc, uint32_t height, uint32_t n_memory, const uint32_t *bytesperline,
                            struct cam_frame_plane *planes) {
        const struct cam_format_info *info = cam_format_info_lookup(fourcc);
        uint64_t offset = 0;

        if (!info || n_memory == 0 || n_memory > CAM_FRAME_MAX_MEMORY)
                return -EINVAL;
        if (info->n_memory != n_memory && n_memory != 1)
                return -EINVAL;

        for (unsigned p = 0; p < info->n_planes; p++) {
                uint32_t lines = p == 0 ? height : DIV_ROUND_UP(height, info->chroma_vsub);
                if (n_memory > 1) {
                        /* One buffer per plane, each with its own stride. */
                        planes[p] = (struct cam_frame_plane) { .memory = p, .offset = 0, .stride = bytesperline[p] };
                        continue;
                }
                uint32_t stride = p == 0 ? bytesperline[0] : bytesperline[0] / info->chroma_div;
                if (offset > UINT32_MAX)
                        return -EOVERFLOW;
                planes[p] = (struct cam_frame_plane) { .memory = 0, .offset = (uint32_t) offset, .stride = stride };
                offset += (uint64_t) stride * lines;
        }
        return info->n_planes;
}

/* ---- enumeration ---- */

static void frame_size_done(struct cam_frame_size *s) {
        free(s->intervals);
        s->intervals = NULL;
        s->n_intervals = 0;
}

struct cam_format_list *cam_format_list_free(struct cam_format_list *l) {
        if (!l)
                return NULL;
        for (size_t i = 0; i < l->n; i++) {
                for (size_t j = 0; j < l->formats[i].n_sizes; j++)
                        frame_size_done(&l->formats[i].sizes[j]);
                free(l->formats[i].sizes);
        }
        free(l->formats);
        free(l);
        return NULL;
}

int cam_format_enumerate_intervals(struct cam_device *d, uint32_t fourcc, uint32_t width, uint32_t height,
                                   struct cam_frame_size *size) {
        _cleanup_free_ struct v4l2_fract *list = NULL;
        size_t n = 0;
        uint32_t type = 0;

        for (uint32_t i = 0; i < MAX_INTERVALS; i++) {
                struct v4l2_frmivalenum e = { .index = i, .pixel_format = fourcc, .width = width, .height = height };
                int r = cam_device_ioctl_quiet(d, VIDIOC_ENUM_FRAMEINTERVALS, &e);
                if (r == -EINVAL || r == -ENOTTY)
                        break;          /* end of list, or not supported */
                if (r < 0)
                        return r;
                if (i == 0)
                        type = e.type;
                if (e.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
                        if (e.discrete.numerator == 0 || e.discrete.denominator == 0)
                                continue;
                        struct v4l2_fract *nl = reallocarray(list, n + 1, sizeof(*list));
                        if (!nl)
                                return -ENOMEM;
                        list = nl;
                        list[n++] = e.discrete;
                        continue;
                }
                /* Stepwise and continuous come as one entry. */
                free(list);
                list = calloc(3, sizeof(*list));
                if (!list)
                        return -ENOMEM;
                list[0] = e.stepwise.min;
                list[1] = e.stepwise.max;
                list[2] = e.stepwise.step;
                n = 3;
                break;
        }
        frame_size_done(size);
        size->interval_type = n ? type : 0;
        size->n_intervals = n;
        size->intervals = TAKE_PTR(list);
        return 0;
}

static int enumerate_sizes(struct cam_device *d, struct cam_format_desc *f) {
        for (uint32_t i = 0; i < MAX_SIZES; i++) {
                struct v4l2_frmsizeenum e = { .index = i, .pixel_format = f->fourcc };
                int r = cam_device_ioctl_quiet(d, VIDIOC_ENUM_FRAMESIZES, &e);
                if (r == -EINVAL || r == -ENOTTY)
                        return 0;
                if (r < 0)
                        return r;

                struct cam_frame_size *ns = reallocarray(f->sizes, f->n_sizes + 1, sizeof(*ns));
                if (!ns)
                        return -ENOMEM;
                f->sizes = ns;
                struct cam_frame_size *s = &f->sizes[f->n_sizes++];
                *s = (struct cam_frame_size) { .type = e.type };
                if (e.type == V4L2_FRMSIZE_TYPE_DISCRETE) {
                        s->width = s->max_width = e.discrete.width;
                        s->height = s->max_height = e.discrete.height;
                        r = cam_format_enumerate_intervals(d, f->fourcc, s->width, s->height, s);
                        if (r < 0)
                                return r;
                        continue;
                }
                s->width = e.stepwise.min_width;
                s->height = e.stepwise.min_height;
                s->max_width = e.stepwise.max_width;
                s->max_height = e.stepwise.max_height;
                s->step_width = MAX(e.stepwise.step_width, 1u);
                s->step_height = MAX(e.stepwise.step_height, 1u);
                return 0;
        }
        return 0;
}

/* Lists formats; sizes and intervals only for those want() accepts (all when want is NULL). */
static int enumerate_filtered(struct cam_device *d, bool (*want)(uint32_t fourcc, const void *userdata),
                              const void *userdata, struct cam_format_list **ret) {
        _cleanup_(cam_format_list_freep) struct cam_format_list *l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;

        for (uint32_t i = 0; i < MAX_FORMATS; i++) {
                struct v4l2_fmtdesc e = { .index = i, .type = cam_device_buf_type(d) };
                int r = cam_device_ioctl_quiet(d, VIDIOC_ENUM_FMT, &e);
                if (r == -EINVAL)
                        break;
                if (r < 0)
                        return ls_debug_errno(r, "'%s' VIDIOC_ENUM_FMT: %s", cam_device_node(d), strerror(-r));

                struct cam_format_desc *nf = reallocarray(l->formats, l->n + 1, sizeof(*nf));
                if (!nf)
                        return -ENOMEM;
                l->formats = nf;
                struct cam_format_desc *f = &l->formats[l->n++];
                *f = (struct cam_format_desc) { .fourcc = e.pixelformat, .v4l2_flags = e.flags };
                snprintf(f->description, sizeof(f->description), "%.*s", (int) sizeof(f->description) - 1,
                         (const char *) e.description);
                if (want && !want(f->fourcc, userdata))
                        continue;
                r = enumerate_sizes(d, f);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int cam_format_enumerate(struct cam_device *d, struct cam_format_list **ret) {
        return enumerate_filtered(d, NULL, NULL, ret);
}

/* ---- negotiation ---- */

/* Preference position of fourcc: explicit list index, or the table rank; -1 if not acceptable. */
static int preference(const struct cam_format_request *req, uint32_t fourcc) {
        const struct cam_format_info *info = cam_format_info_lookup(fourcc);
        if (!info || !(info->flags & (CAM_FMT_GPU | CAM_FMT_CONVERT)))
                return -1;
        if (!req->fourccs)
                return info->rank;
        for (size_t i = 0; i < req->n_fourccs; i++)
                if (req->fourccs[i] == fourcc)
                        return (int) i;
        return -1;
}

static bool acceptable(uint32_t fourcc, const void *userdata) {
        return preference(userdata, fourcc) >= 0;
}

static uint32_t clamp_step(uint32_t v, uint32_t lo, uint32_t hi, uint32_t step) {
        v = CLAMP(v, lo, hi);
        if (step > 1)
                v = lo + (v - lo + step / 2) / step * step;
        return MIN(v, hi);
}

/* Highest rate (in milli-fps) among intervals, 0 when unknown. */
static uint64_t best_mfps(const struct cam_frame_size *s) {
        uint64_t best = 0;
        size_t n = s->interval_type == V4L2_FRMIVAL_TYPE_DISCRETE ? s->n_intervals : MIN(s->n_intervals, 1u);
        for (size_t i = 0; i < n; i++) {
                const struct v4l2_fract *iv = &s->intervals[i];
                if (iv->numerator)
                        best = MAX(best, (uint64_t) iv->denominator * 1000 / iv->numerator);
        }
        return best;
}

struct candidate {
        uint32_t fourcc, width, height;
        uint64_t size_dist, fps_short;
        int pref;
};

static bool candidate_better(const struct candidate *a, const struct candidate *b) {
        if (a->size_dist != b->size_dist)
                return a->size_dist < b->size_dist;
        if (a->fps_short != b->fps_short)
                return a->fps_short < b->fps_short;
        return a->pref < b->pref;
}

static uint64_t dist(uint32_t w, uint32_t h, uint32_t W, uint32_t H) {
        return (uint64_t) (w > W ? w - W : W - w) + (uint64_t) (h > H ? h - H : H - h);
}

static int pick_size(struct cam_device *d, const struct cam_format_desc *f, uint32_t W, uint32_t H,
                     uint64_t want_mfps, struct candidate *c) {
        c->width = W;
        c->height = H;
        c->size_dist = 0;
        c->fps_short = 0;
        const struct cam_frame_size *best = NULL;

        for (size_t i = 0; i < f->n_sizes; i++) {
                const struct cam_frame_size *s = &f->sizes[i];
                uint32_t w = s->width, h = s->height;
                if (s->type != V4L2_FRMSIZE_TYPE_DISCRETE) {
                        w = clamp_step(W, s->width, s->max_width, s->step_width);
                        h = clamp_step(H, s->height, s->max_height, s->step_height);
                }
                uint64_t dd = dist(w, h, W, H);
                uint64_t mfps = best_mfps(s);
                uint64_t shortfall = want_mfps && mfps && mfps < want_mfps ? want_mfps - mfps : 0;
                if (!best || dd < c->size_dist || (dd == c->size_dist && shortfall < c->fps_short)) {
                        best = s;
                        c->width = w;
                        c->height = h;
                        c->size_dist = dd;
                        c->fps_short = shortfall;
                }
        }
        if (best && best->type != V4L2_FRMSIZE_TYPE_DISCRETE && want_mfps) {
                /* Intervals of stepwise sizes depend on the size: ask for the chosen one. */
                struct cam_frame_size tmp = {};
                if (cam_format_enumerate_intervals(d, f->fourcc, c->width, c->height, &tmp) >= 0) {
                        uint64_t mfps = best_mfps(&tmp);
                        c->fps_short = mfps && mfps < want_mfps ? want_mfps - mfps : 0;
                }
                frame_size_done(&tmp);
        }
        return 0;
}

static void granted_from_format(const struct v4l2_format *fmt, bool mplane, struct cam_format_granted *g) {
        uint32_t fps_num = g->fps_num, fps_den = g->fps_den;
        *g = (struct cam_format_granted) { .mplane = mplane, .fps_num = fps_num, .fps_den = fps_den };
        if (mplane) {
                const struct v4l2_pix_format_mplane *m = &fmt->fmt.pix_mp;
                g->fourcc = m->pixelformat;
                g->width = m->width;
                g->height = m->height;
                g->field = m->field;
                g->colorspace = m->colorspace;
                g->n_memory = MIN(m->num_planes, (uint8_t) VIDEO_MAX_PLANES);
                for (uint32_t i = 0; i < g->n_memory; i++) {
                        g->bytesperline[i] = m->plane_fmt[i].bytesperline;
                        g->sizeimage[i] = m->plane_fmt[i].sizeimage;
                }
        } else {
                const struct v4l2_pix_format *p = &fmt->fmt.pix;
                g->fourcc = p->pixelformat;
                g->width = p->width;
                g->height = p->height;
                g->field = p->field;
                g->colorspace = p->colorspace;
                g->n_memory = 1;
                g->bytesperline[0] = p->bytesperline;
                g->sizeimage[0] = p->sizeimage;
        }
}

static int get_rate(struct cam_device *d, struct cam_format_granted *g) {
        struct v4l2_streamparm parm = { .type = cam_device_buf_type(d) };
        g->fps_num = g->fps_den = 0;
        int r = cam_device_ioctl_quiet(d, VIDIOC_G_PARM, &parm);
        if (r < 0)
                return r == -ENOTTY || r == -EINVAL ? 0 : r;
        const struct v4l2_fract *t = &parm.parm.capture.timeperframe;
        if (t->numerator && t->denominator) {
                /* fps is the inverse of the time per frame. */
                g->fps_num = t->denominator;
                g->fps_den = t->numerator;
        }
        return 0;
}

static int check_granted(struct cam_device *d, const struct cam_format_granted *g) {
        const struct cam_format_info *info = cam_format_info_lookup(g->fourcc);
        if (!info)
                return ls_debug_errno(-ENOTSUP, "'%s' granted unknown format %s", cam_device_node(d),
                                      CAM_FOURCC_STR(g->fourcc));
        if (g->width == 0 || g->height == 0 || g->n_memory == 0 || g->n_memory > CAM_FRAME_MAX_MEMORY)
                return ls_debug_errno(-EPROTO, "'%s' granted a malformed format %ux%u, %u planes",
                                      cam_device_node(d), g->width, g->height, g->n_memory);
        if (g->n_memory != 1 && g->n_memory != info->n_memory)
                return ls_debug_errno(-EPROTO, "'%s' granted %s with %u memory planes", cam_device_node(d),
                                      info->name, g->n_memory);
        return 0;
}

int cam_format_get(struct cam_device *d, struct cam_format_granted *ret) {
        struct v4l2_format fmt = { .type = cam_device_buf_type(d) };
        struct cam_format_granted g = {};
        int r = cam_device_ioctl(d, VIDIOC_G_FMT, &fmt);
        if (r < 0)
                return r;
        granted_from_format(&fmt, cam_device_is_mplane(d), &g);
        r = get_rate(d, &g);
        if (r < 0)
                return r;
        *ret = g;
        return 0;
}

int cam_format_set_rate(struct cam_device *d, uint32_t fps_num, uint32_t fps_den, struct cam_format_granted *g) {
        struct v4l2_streamparm parm = { .type = cam_device_buf_type(d) };
        int r;

        if (fps_num == 0 || fps_den == 0)
                return -EINVAL;
        r = cam_device_ioctl_quiet(d, VIDIOC_G_PARM, &parm);
        if (r < 0 || !(parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME)) {
                ls_debug("'%s' cannot set the frame rate, keeping the driver's", cam_device_node(d));
                return get_rate(d, g);
        }
        parm.parm.capture.timeperframe = (struct v4l2_fract) { .numerator = fps_den, .denominator = fps_num };
        r = cam_device_ioctl(d, VIDIOC_S_PARM, &parm);
        if (r < 0)
                return r;
        /* S_PARM writes back what it granted; G_PARM is the authority for drivers that don't. */
        return get_rate(d, g);
}

int cam_format_negotiate(struct cam_device *d, const struct cam_format_request *req, struct cam_format_granted *ret) {
        _cleanup_(cam_format_list_freep) struct cam_format_list *list = NULL;
        struct cam_format_granted cur = {}, g = {};
        struct candidate best = { .pref = -1 };
        int r;

        if (!req)
                return -EINVAL;
        r = cam_format_get(d, &cur);
        if (r < 0)
                return r;
        uint32_t W = req->width ?: cur.width, H = req->height ?: cur.height;
        uint64_t want_mfps = req->fps_den ? (uint64_t) req->fps_num * 1000 / req->fps_den : 0;

        /* Sizes and rates only of the formats we would take: vivid offers ~90 formats. */
        r = enumerate_filtered(d, acceptable, req, &list);
        if (r < 0)
                return r;

        for (size_t i = 0; i < list->n; i++) {
                struct candidate c = { .fourcc = list->formats[i].fourcc };
                c.pref = preference(req, c.fourcc);
                if (c.pref < 0)
                        continue;
                /* Multi-planar-only layouts need a multi-planar node, and vice versa for n_memory > 1. */
                const struct cam_format_info *info = cam_format_info_lookup(c.fourcc);
                if (info->n_memory > 1 && !cam_device_is_mplane(d))
                        continue;
                pick_size(d, &list->formats[i], W, H, want_mfps, &c);
                if (best.pref < 0 || candidate_better(&c, &best))
                        best = c;
        }
        if (best.pref < 0)
                return ls_debug_errno(-ENOTSUP, "'%s' offers none of the requested formats", cam_device_node(d));

        struct v4l2_format fmt = { .type = cam_device_buf_type(d) };
        if (cam_device_is_mplane(d)) {
                fmt.fmt.pix_mp.pixelformat = best.fourcc;
                fmt.fmt.pix_mp.width = best.width;
                fmt.fmt.pix_mp.height = best.height;
                fmt.fmt.pix_mp.field = V4L2_FIELD_NONE;
        } else {
                fmt.fmt.pix.pixelformat = best.fourcc;
                fmt.fmt.pix.width = best.width;
                fmt.fmt.pix.height = best.height;
                fmt.fmt.pix.field = V4L2_FIELD_NONE;
        }
        r = cam_device_ioctl(d, VIDIOC_S_FMT, &fmt);
        if (r < 0)
                return r;
        granted_from_format(&fmt, cam_device_is_mplane(d), &g);
        r = check_granted(d, &g);
        if (r < 0)
                return r;

        if (want_mfps) {
                r = cam_format_set_rate(d, req->fps_num, req->fps_den, &g);
                if (r < 0)
                        return r;
        } else {
                r = get_rate(d, &g);
                if (r < 0)
                        return r;
        }
        ls_debug("'%s' asked %s %ux%u@%u/%u, granted %s %ux%u@%u/%u", cam_device_node(d), CAM_FOURCC_STR(best.fourcc),
                 best.width, best.height, req->fps_num, req->fps_den, CAM_FOURCC_STR(g.fourcc), g.width, g.height,
                 g.fps_num, g.fps_den);
        *ret = g;
        return 0;
}
