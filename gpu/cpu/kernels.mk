# CPU compute kernels (issue 3): conv/depthwise/GEMM micro-kernels, thread pool.
LIBRARIES += gpukern
gpukern_SOURCES := gpu/cpu/kernels-common.c gpu/cpu/kernels-generic.c gpu/cpu/kernels-avx2.c gpu/cpu/kernels-avx512.c \
                   gpu/cpu/kernels-conv.c gpu/cpu/kernels-gemm.c gpu/cpu/kernels-pool.c \
                   gpu/cpu/kernels-eltwise.c gpu/cpu/threadpool.c
