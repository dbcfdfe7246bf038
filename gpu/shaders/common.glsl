// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared by every compute shader. Conventions (see gpu/vk/vk-internal.h):
// op parameters and shapes are specialization constants from id 0, the local
// size is ids 100..102, per-dispatch values are push constants.
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 100, local_size_y_id = 101, local_size_z_id = 102) in;

// Byte o of a buffer read as 32-bit words (no 8-bit storage needed).
#define BYTE_AT(buf, o) ((buf[(o) >> 2u] >> (((o) & 3u) * 8u)) & 0xffu)
