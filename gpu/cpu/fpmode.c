/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The thread's floating-point control word, for flushing denormals while
 * kernels run (see gpu/cpu/kernels.h). One register read or write each.
 */

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "gpu/cpu/kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#define FP_FLUSH_BITS UINT64_C(0x8040)  /* MXCSR FTZ (bit 15) | DAZ (bit 6) */

static uint64_t fp_read(void) {
        return _mm_getcsr();
}

static void fp_write(uint64_t w) {
        _mm_setcsr((unsigned) w);
}
#elif defined(__aarch64__)
#define FP_FLUSH_BITS (UINT64_C(1) << 24)       /* FPCR FZ */

static uint64_t fp_read(void) {
        uint64_t w;
        __asm__ volatile("mrs %0, fpcr" : "=r"(w));
        return w;
}

static void fp_write(uint64_t w) {
        __asm__ volatile("msr fpcr, %0" : : "r"(w));
}
#else
#define FP_FLUSH_BITS UINT64_C(0)

static uint64_t fp_read(void) {
        return 0;
}

static void fp_write(uint64_t w) {
}
#endif

struct gpu_cpu_fpmode gpu_cpu_fpmode_get(void) {
        return (struct gpu_cpu_fpmode) { .word = fp_read() };
}

void gpu_cpu_fpmode_set(struct gpu_cpu_fpmode mode) {
        /* A write can cost a pipeline drain: skip it when nothing changes. */
        if (fp_read() != mode.word)
                fp_write(mode.word);
}

struct gpu_cpu_fpmode gpu_cpu_fpmode_flush_denormals(void) {
        struct gpu_cpu_fpmode old = gpu_cpu_fpmode_get();

        if ((old.word & FP_FLUSH_BITS) != FP_FLUSH_BITS)
                fp_write(old.word | FP_FLUSH_BITS);
        return old;
}

bool gpu_cpu_fpmode_flushes_denormals(void) {
        return FP_FLUSH_BITS != 0 && (fp_read() & FP_FLUSH_BITS) == FP_FLUSH_BITS;
}
