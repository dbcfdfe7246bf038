# Microbenchmark of the CPU conv kernels on the shipped models' layer shapes.
PROGRAMS += bench-kernels
bench-kernels_SOURCES := tests/bench/bench-kernels.c
bench-kernels_LIBS := gpukern
BENCHES += $(BUILD)/bench-kernels
