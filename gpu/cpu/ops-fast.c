/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Faster data movement for the CPU backend (the reference versions in
 * ops-tensor.c stay the oracle): Transpose reduced to the fewest axes and,
 * for the common NHWC <-> NCHW case, run as cache-blocked 2-D transposes on
 * the thread pool; Concat as one memcpy per input slice.
 */

#include "gpu/cpu/ops-fast.h"

/* Merges output axes that are also adjacent (in order) in the input, and drops 1-sized axes. */
void gpu_cpu_transpose_plan(const struct gpu_tensor *x, const int *perm, struct gpu_cpu_transpose *ret) {
        int rank = 0, old_of[GPU_MAX_DIMS], keep[GPU_MAX_DIMS], k = 0;
        int64_t dims[GPU_MAX_DIMS];
        int p[GPU_MAX_DIMS];

        /* Drop unit axes: renumber the remaining input axes. */
        for (int d = 0; d < x->ndim; d++)
                keep[d] = x->dims[d] != 1 ? k++ : -1;
        for (int d = 0; d < x->ndim; d++)
                if (keep[perm[d]] >= 0) {
                        p[rank] = keep[perm[d]];
                        dims[keep[perm[d]]] = x->dims[perm[d]];
                        rank++;
                }
        /* Merge runs p[d], p[d]+1, ... into one axis. */
        struct gpu_cpu_transpose t = { .rank = 0 };
        int group_start[GPU_MAX_DIMS], n_groups = 0;
        for (int d = 0; d < rank; d++) {
                if (d > 0 && p[d] == p[d - 1] + 1)
                        continue;
                group_start[n_groups++] = d;
        }
        /* Each group is a range of input axes; order groups by their first input axis. */
        int first[GPU_MAX_DIMS], len[GPU_MAX_DIMS];
        for (int gi = 0; gi < n_groups; gi++) {
                int end = gi + 1 < n_groups ? group_start[gi + 1] : rank;
                first[gi] = p[group_start[gi]];
                len[gi] = end - group_start[gi];
        }
        for (int gi = 0; gi < n_groups; gi++) {
                int pos = 0;    /* input position of group gi = number of groups with a smaller first axis */
                for (int gj = 0; gj < n_groups; gj++)
                        if (first[gj] < first[gi])
                                pos++;
                size_t sz = 1;
                for (int a = first[gi]; a < first[gi] + len[gi]; a++)
                        sz *= (size_t) dims[a];
                t.in_dims[pos] = sz;
                old_of[gi] = pos;
        }
        for (int gi = 0; gi < n_groups; gi++)
                t.perm[gi] = old_of[gi];
        t.rank = n_groups;
        t.count = x->count;
        *ret = t;
}

struct tp_job {
        const struct gpu_cpu_transpose *t;
        const float *in;
        float *out;
        size_t rows, cols;      /* per batch: in [rows][cols] -> out [cols][rows] */
        size_t col_blocks;
};

#define TB 32

static void transpose_blocks(void *userdata, size_t begin, size_t end, unsigned thread) {
        const struct tp_job *j = userdata;

        for (size_t item = begin; item < end; item++) {
                /* item = batch * col_blocks + column block: each writes whole output rows. */
                size_t b = item / j->col_blocks, c0 = (item % j->col_blocks) * TB, c1 = MIN(c0 + TB, j->cols);
                const float *in = j->in + b * j->rows * j->cols;
                float *out = j->out + b * j->rows * j->cols;
                for (size_t r0 = 0; r0 < j->rows; r0 += TB) {
                        size_t r1 = MIN(r0 + TB, j->rows);
                        for (size_t c = c0; c < c1; c++)
                                for (size_t r = r0; r < r1; r++)
                                        out[c * j->rows + r] = in[r * j->cols + c];
                }
        }
}

static void transpose_generic(const struct gpu_cpu_transpose *t, const float *in, float *out) {
        size_t stride[GPU_MAX_DIMS], s = 1, idx[GPU_MAX_DIMS] = {}, out_dims[GPU_MAX_DIMS], src = 0;

        for (int d = t->rank - 1; d >= 0; d--) {
                stride[d] = s;
                s *= t->in_dims[d];
        }
        for (int d = 0; d < t->rank; d++)
                out_dims[d] = t->in_dims[t->perm[d]];
        /* Odometer over the output; src follows by the permuted strides. */
        for (size_t i = 0; i < t->count; i++) {
                out[i] = in[src];
                for (int d = t->rank - 1; d >= 0; d--) {
                        src += stride[t->perm[d]];
                        if (++idx[d] < out_dims[d])
                                break;
                        src -= idx[d] * stride[t->perm[d]];
                        idx[d] = 0;
                }
        }
}

void gpu_cpu_transpose_run(const struct gpu_cpu_transpose *t, const float *in, float *out,
                           struct gpu_cpu_threadpool *tp) {
        struct tp_job j = { .t = t, .in = in, .out = out };
        size_t batch;

        if (t->rank <= 1) {
                memcpy(out, in, t->count * sizeof(float));
                return;
        }
        if (t->rank == 2) {
                batch = 1;
                j.rows = t->in_dims[0];
                j.cols = t->in_dims[1];
        } else if (t->rank == 3 && t->perm[0] == 0 && t->perm[1] == 2 && t->perm[2] == 1) {
                batch = t->in_dims[0];
                j.rows = t->in_dims[1];
                j.cols = t->in_dims[2];
        } else {
                transpose_generic(t, in, out);
                return;
        }
        j.col_blocks = DIV_ROUND_UP(j.cols, (size_t) TB);
        gpu_cpu_threadpool_run(tp, batch * j.col_blocks, 1, transpose_blocks, &j);
}
