# Unit tests of the inference engine (issue 3): loader, graph passes, CPU backend.
ENGINE_TEST_SOURCES := tests/unit/onnx-builder.c

PROGRAMS += test-onnx
TEST_PROGRAMS += test-onnx
test-onnx_SOURCES := tests/unit/test-onnx.c $(ENGINE_TEST_SOURCES)
test-onnx_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-onnx

PROGRAMS += test-cpu-ops
TEST_PROGRAMS += test-cpu-ops
test-cpu-ops_SOURCES := tests/unit/test-cpu-ops.c $(ENGINE_TEST_SOURCES)
test-cpu-ops_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-cpu-ops

PROGRAMS += test-graph
TEST_PROGRAMS += test-graph
test-graph_SOURCES := tests/unit/test-graph.c $(ENGINE_TEST_SOURCES)
test-graph_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-graph

# Writes the fixture models (tests/fixtures/ holds a copy: the fuzz seeds).
PROGRAMS += onnx-fixtures
TEST_PROGRAMS += onnx-fixtures
onnx-fixtures_SOURCES := tests/unit/onnx-fixtures.c $(ENGINE_TEST_SOURCES)
onnx-fixtures_PKGS := libprotobuf-c
# The builder links the generated protobuf code from the gpu library.
onnx-fixtures_LIBS := gpu

$(BUILD)/tests/test-infer.sh: tests/unit/engine.mk $(BUILD)/lanesight-infer $(BUILD)/tests/onnx-fixtures
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/unit/engine.mk.\nexec sh tests/unit/test-infer.sh --infer %s --fixtures-tool %s "$$@"\n' \
		'$(BUILD)/lanesight-infer' '$(BUILD)/tests/onnx-fixtures' >$@
TESTS += $(BUILD)/tests/test-infer.sh

PROGRAMS += test-cpu-noalloc
TEST_PROGRAMS += test-cpu-noalloc
test-cpu-noalloc_SOURCES := tests/unit/test-cpu-noalloc.c $(ENGINE_TEST_SOURCES)
test-cpu-noalloc_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-cpu-noalloc

PROGRAMS += test-cpu-denormals
TEST_PROGRAMS += test-cpu-denormals
test-cpu-denormals_SOURCES := tests/unit/test-cpu-denormals.c $(ENGINE_TEST_SOURCES)
test-cpu-denormals_LIBS = $(GPU_ENGINE_LIBS)
TESTS += $(BUILD)/tests/test-cpu-denormals
