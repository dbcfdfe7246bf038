# Unit tests of the CPU kernels (gpu/cpu/kernels*.c).
PROGRAMS += test-kernels-conv
TEST_PROGRAMS += test-kernels-conv
test-kernels-conv_SOURCES := tests/unit/test-kernels-conv.c
test-kernels-conv_LIBS := gpukern
TESTS += $(BUILD)/tests/test-kernels-conv

PROGRAMS += test-kernels-ops
TEST_PROGRAMS += test-kernels-ops
test-kernels-ops_SOURCES := tests/unit/test-kernels-ops.c
test-kernels-ops_LIBS := gpukern
TESTS += $(BUILD)/tests/test-kernels-ops
