/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ISA selection and the helpers every op driver shares: epilogue set-up and
 * weight packing.
 */

#include "gpu/cpu/kernels-internal.h"

static const char *const isa_names[_GPU_CPU_ISA_MAX] = {
        [GPU_CPU_ISA_AUTO] = "auto",
        [GPU_CPU_ISA_GENERIC] = "generic",
        [GPU_CPU_ISA_AVX2] = "avx2",
        [GPU_CPU_ISA_AVX512] = "avx512",
};

const char *gpu_cpu_isa_to_string(enum gpu_cpu_isa isa) {
        if (isa < 0 || isa >= _GPU_CPU_ISA_MAX)
                return NULL;
        return isa_names[isa];
}

enum gpu_cpu_isa gpu_cpu_isa_from_string(const char *s) {
        if (!s)
                return _GPU_CPU_ISA_INVALID;
        for (int i = 0; i < _GPU_CPU_ISA_MAX; i++)
                if (streq(s, isa_names[i]))
                        return i;
        return _GPU_CPU_ISA_INVALID;
}

static enum gpu_cpu_isa isa_best(void) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
                return GPU_CPU_ISA_AVX512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
                return GPU_CPU_ISA_AVX2;
#endif
        return GPU_CPU_ISA_GENERIC;
}

enum gpu_cpu_isa gpu_cpu_isa_resolve(enum gpu_cpu_isa want) {
        enum gpu_cpu_isa best = isa_best();

        if (want <= GPU_CPU_ISA_AUTO || want >= _GPU_CPU_ISA_MAX) {
                enum gpu_cpu_isa env = gpu_cpu_isa_from_string(getenv("LANESIGHT_CPU_ISA"));
                want = env > GPU_CPU_ISA_AUTO ? env : best;
        }
        return MIN(want, best);
}

const struct kern_ops *kern_ops_for(enum gpu_cpu_isa isa) {
        switch (isa) {
#if defined(__x86_64__)
        case GPU_CPU_ISA_AVX2:
                return &kern_ops_avx2;
        case GPU_CPU_ISA_AVX512:
                return &kern_ops_avx512;
#endif
        default:
                return &kern_ops_generic;
        }
}

int kern_epilogue_init(const struct gpu_cpu_activation *act, size_t rows,
                       struct kern_epilogue *ret, float **ret_slopes) {
        struct kern_epilogue e = { .act = act ? act->type : GPU_CPU_ACT_NONE };
        float *slopes = NULL;

        switch (e.act) {
        case GPU_CPU_ACT_NONE:
        case GPU_CPU_ACT_RELU:
        case GPU_CPU_ACT_SIGMOID:
                break;
        case GPU_CPU_ACT_CLIP:
                if (!(act->min <= act->max))
                        return -EINVAL;
                e.lo = act->min;
                e.hi = act->max;
                break;
        case GPU_CPU_ACT_LEAKY:
                e.alpha = act->alpha;
                break;
        case GPU_CPU_ACT_PRELU:
                if (!act->slopes || (act->n_slopes != 1 && act->n_slopes != rows))
                        return -EINVAL;
                slopes = malloc(MAX(rows, (size_t) 1) * sizeof(float));
                if (!slopes)
                        return -ENOMEM;
                for (size_t i = 0; i < rows; i++)
                        slopes[i] = act->slopes[act->n_slopes == 1 ? 0 : i];
                e.slopes = slopes;
                break;
        default:
                return -EINVAL;
        }
        *ret = e;
        *ret_slopes = slopes;
        return 0;
}

float *kern_pack_panels(const float *w, size_t rows, size_t k_len, size_t ldw, size_t mr) {
        size_t panels = DIV_ROUND_UP(rows, mr), n;

        if (!size_mul_ok(panels * mr, k_len, &n))
                return NULL;
        float *wp = aligned_alloc(64, ALIGN_UP(MAX(n, (size_t) 1) * sizeof(float), 64));
        if (!wp)
                return NULL;
        for (size_t p = 0; p < panels; p++)
                for (size_t k = 0; k < k_len; k++)
                        for (size_t r = 0; r < mr; r++) {
                                size_t row = p * mr + r;
                                wp[(p * k_len + k) * mr + r] = row < rows ? w[row * ldw + k] : 0.f;
                        }
        return wp;
}
