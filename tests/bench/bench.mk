# make bench: each model on lanesight's CPU backend against onnxruntime-node
# (tests/bench/bench-models.sh; onnxruntime is installed into build/ort).
# BENCH_ARGS passes options, e.g. make bench BENCH_ARGS='--rounds 9 --model fr-feature-112'.
BENCH_ARGS ?=

$(BUILD)/tests/bench-models.sh: tests/bench/bench.mk models $(BUILD)/tests/golden-tool $(BUILD)/bench-kernels
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/bench/bench.mk.\nexec sh tests/bench/bench-models.sh --infer %s --tool %s --kernels %s --models %s %s "$$@"\n' \
		'$(BUILD)/lanesight-infer' '$(BUILD)/tests/golden-tool' '$(BUILD)/bench-kernels' '$(MODELS_DIR)' '$(BENCH_ARGS)' >$@
	$(Q)chmod +x $@

bench: $(BUILD)/tests/bench-models.sh
BENCHES += $(BUILD)/tests/bench-models.sh
