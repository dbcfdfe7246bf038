# OpenCL backend tests (PoCL in make check; skip when no OpenCL device).
ifeq ($(GPU_CL_AVAILABLE),yes)
PROGRAMS += test-cl-context
TEST_PROGRAMS += test-cl-context
test-cl-context_SOURCES := tests/gpu/test-cl-context.c
test-cl-context_LIBS := gpucl gpupre
TESTS += $(BUILD)/tests/test-cl-context

PROGRAMS += test-cl-program
TEST_PROGRAMS += test-cl-program
test-cl-program_SOURCES := tests/gpu/test-cl-program.c
test-cl-program_LIBS := gpucl gpupre
TESTS += $(BUILD)/tests/test-cl-program

PROGRAMS += test-cl-preprocess
TEST_PROGRAMS += test-cl-preprocess
test-cl-preprocess_SOURCES := tests/gpu/test-cl-preprocess.c
test-cl-preprocess_LIBS := gpucl gpupre
TESTS += $(BUILD)/tests/test-cl-preprocess

PROGRAMS += test-cl-ops
TEST_PROGRAMS += test-cl-ops
test-cl-ops_SOURCES := tests/gpu/test-cl-ops.c
test-cl-ops_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-cl-ops

# The golden test (tests/golden/check-golden.sh, onnxruntime's outputs) on the
# OpenCL backend: one random input per model, one thread (the whole set: run
# the script with --cases "*").
$(BUILD)/tests/test-golden-opencl.sh: tests/gpu/cl.mk models $(BUILD)/tests/golden-tool
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/gpu/cl.mk.\nexec sh tests/golden/check-golden.sh --backend opencl --infer %s --tool %s --models %s --threads 1 --cases "random-[135]" "$$@"\n' \
		'$(GOLDEN_INFER)' '$(BUILD)/tests/golden-tool' '$(MODELS_DIR)' >$@
TESTS += $(BUILD)/tests/test-golden-opencl.sh

PROGRAMS += test-cl-pipeline
TEST_PROGRAMS += test-cl-pipeline
test-cl-pipeline_SOURCES := tests/gpu/test-cl-pipeline.c
test-cl-pipeline_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-cl-pipeline
endif
