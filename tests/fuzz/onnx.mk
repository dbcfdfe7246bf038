# libFuzzer target for the ONNX loader (issue 3), added to `make fuzz` (tests/fuzz/fuzz.mk).
# `make fuzz-onnx-run [FUZZ_SECONDS=60]` runs it from the fixtures in tests/fixtures/.
FUZZ_ONNX_SOURCES := gpu/onnx.c gpu/graph.c gpu/shape.c gpu/optimize.c gpu/plan.c gpu/cpu/ops-nn.c \
                     gpu/cpu/ops-tensor.c $(BUILD)/gen/onnx.pb-c.c

$(BUILD)/fuzz/fuzz-onnx: tests/fuzz/fuzz-onnx.c $(FUZZ_ONNX_SOURCES) gpu/onnx.h gpu/graph.h gpu/cpu/ops.h \
		$(BUILD)/gen/onnx.pb-c.h
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -I$(BUILD)/gen $(shell $(PKG_CONFIG) --cflags libprotobuf-c) -o $@ \
		tests/fuzz/fuzz-onnx.c $(FUZZ_ONNX_SOURCES) $(shell $(PKG_CONFIG) --libs libprotobuf-c) -lm

fuzz: $(BUILD)/fuzz/fuzz-onnx

fuzz-onnx-run: $(BUILD)/fuzz/fuzz-onnx
	@mkdir -p $(BUILD)/fuzz/corpus-onnx
	$(Q)$(BUILD)/fuzz/fuzz-onnx -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
		$(BUILD)/fuzz/corpus-onnx tests/fixtures

.PHONY: fuzz-onnx-run
