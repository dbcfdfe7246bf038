# Tests of the preprocessing reference and the Vulkan backend (lavapipe in make check).

PROGRAMS += test-preprocess
TEST_PROGRAMS += test-preprocess
test-preprocess_SOURCES := tests/gpu/test-preprocess.c
test-preprocess_LIBS := gpupre
TESTS += $(BUILD)/tests/test-preprocess

PROGRAMS += test-vk-context
TEST_PROGRAMS += test-vk-context
test-vk-context_SOURCES := tests/gpu/test-vk-context.c
test-vk-context_LIBS := gpuvk gpupre
TESTS += $(BUILD)/tests/test-vk-context

PROGRAMS += test-vk-import
TEST_PROGRAMS += test-vk-import
test-vk-import_SOURCES := tests/gpu/test-vk-import.c
test-vk-import_LIBS := gpuvk gpupre
TESTS += $(BUILD)/tests/test-vk-import

PROGRAMS += test-vk-preprocess
TEST_PROGRAMS += test-vk-preprocess
test-vk-preprocess_SOURCES := tests/gpu/test-vk-preprocess.c
test-vk-preprocess_LIBS := gpuvk gpupre
TESTS += $(BUILD)/tests/test-vk-preprocess

PROGRAMS += test-vk-ops
TEST_PROGRAMS += test-vk-ops
test-vk-ops_SOURCES := tests/gpu/test-vk-ops.c
test-vk-ops_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-vk-ops
