# Tests of the preprocessing reference and the Vulkan backend (lavapipe in make check).

PROGRAMS += test-preprocess
TEST_PROGRAMS += test-preprocess
test-preprocess_SOURCES := tests/gpu/test-preprocess.c
test-preprocess_LIBS := gpupre
TESTS += $(BUILD)/tests/test-preprocess

ifeq ($(GPU_VK_AVAILABLE),yes)
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

# make bench: CPU cost per frame of the import paths, preprocessing latency.
PROGRAMS += bench-vk
TEST_PROGRAMS += bench-vk
bench-vk_SOURCES := tests/gpu/bench-vk.c
bench-vk_LIBS := gpuvk gpupre
BENCHES += $(BUILD)/tests/bench-vk

# The golden test (tests/golden/check-golden.sh, onnxruntime's outputs) on the
# Vulkan backend: one random case per model (lavapipe is slow); the full set
# runs with: sh tests/golden/check-golden.sh --backend vulkan --threads 1 ...
$(BUILD)/tests/test-golden-vulkan.sh: tests/gpu/vk.mk models $(BUILD)/tests/golden-tool
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/gpu/vk.mk.\nexec sh tests/golden/check-golden.sh --backend vulkan --infer %s --tool %s --models %s --threads 1 --cases "random-[135]" "$$@"\n' \
		'$(GOLDEN_INFER)' '$(BUILD)/tests/golden-tool' '$(MODELS_DIR)' >$@
TESTS += $(BUILD)/tests/test-golden-vulkan.sh
endif
