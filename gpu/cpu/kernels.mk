# CPU compute kernels (issue 3): conv/depthwise/GEMM micro-kernels per ISA
# (generic C, AVX2+FMA, AVX-512F; chosen at prepare time from CPUID), pooling,
# elementwise ops and the thread pool. API: gpu/cpu/kernels.h.
LIBRARIES += gpukern
gpukern_SOURCES := gpu/cpu/kernels-common.c gpu/cpu/kernels-generic.c gpu/cpu/fpmode.c \
                   gpu/cpu/kernels-avx2.c gpu/cpu/kernels-avx512.c \
                   gpu/cpu/kernels-conv.c gpu/cpu/kernels-gemm.c gpu/cpu/kernels-pool.c \
                   gpu/cpu/kernels-eltwise.c gpu/cpu/threadpool.c
