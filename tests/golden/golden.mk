# Golden tests: lanesight's CPU backend against onnxruntime's outputs, and the
# model fetcher's bad-input tests (tests/golden/README.md). The golden test
# depends on `models`, so `make check` fetches and verifies the models first.
PROGRAMS += golden-tool test-golden-helpers
TEST_PROGRAMS += golden-tool test-golden-helpers
golden-tool_SOURCES := tests/golden/golden-tool.c tests/golden/golden.c
test-golden-helpers_SOURCES := tests/golden/test-golden-helpers.c tests/golden/golden.c
TESTS += $(BUILD)/tests/test-golden-helpers tests/golden/test-fetch.sh

# The engine's command-line tool (svc/); the test skips while it is not built.
GOLDEN_INFER ?= $(BUILD)/lanesight-infer

# Wrappers that know this build's paths (run-tests.sh runs them with sh).
$(BUILD)/tests/test-golden.sh: tests/golden/golden.mk models $(BUILD)/tests/golden-tool
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/golden/golden.mk.\nexec sh tests/golden/check-golden.sh --infer %s --tool %s --models %s "$$@"\n' \
		'$(GOLDEN_INFER)' '$(BUILD)/tests/golden-tool' '$(MODELS_DIR)' >$@
# The same cases on the CPU backend's reference kernels (the GPU backends'
# oracle) and without graph rewrites; one random input per model, to stay quick.
$(BUILD)/tests/test-golden-variants.sh: tests/golden/golden.mk models $(BUILD)/tests/golden-tool
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/golden/golden.mk.\nrc=0\nfor a in "--device reference" --no-optimize; do\n  sh tests/golden/check-golden.sh --infer %s --tool %s --models %s --threads 1 --cases "random-[135]" --infer-args "$$a" || rc=1\ndone\nexit $$rc\n' \
		'$(GOLDEN_INFER)' '$(BUILD)/tests/golden-tool' '$(MODELS_DIR)' >$@
$(BUILD)/tests/test-check-golden.sh: tests/golden/golden.mk $(BUILD)/tests/golden-tool
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/golden/golden.mk.\nexec sh tests/golden/test-check-golden.sh --tool %s\n' \
		'$(BUILD)/tests/golden-tool' >$@
TESTS += $(BUILD)/tests/test-check-golden.sh $(BUILD)/tests/test-golden.sh $(BUILD)/tests/test-golden-variants.sh

# Regenerate tests/golden/data with onnxruntime-node (needs npm and the apt mirror).
golden-regen:
	$(Q)MODELS_DIR=$(MODELS_DIR) tests/golden/regen.sh

.PHONY: golden-regen
