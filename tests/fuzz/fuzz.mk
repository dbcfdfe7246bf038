# libFuzzer targets (clang). `make fuzz` builds them into $(BUILD)/fuzz/ with
# a seed corpus; `make fuzz-run [FUZZ_SECONDS=60]` runs each for that long,
# growing $(BUILD)/fuzz/corpus-*/ (kept between runs); a crash leaves its
# input as $(BUILD)/fuzz/crash-* and fails the target.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
               -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_TARGETS := fuzz-y4m fuzz-file-source

$(BUILD)/fuzz/fuzz-y4m: tests/fuzz/fuzz-y4m.c v4l2/y4m.c v4l2/y4m.h common/macro.h common/debug.h
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz-y4m.c v4l2/y4m.c

$(BUILD)/fuzz/fuzz-file-source: tests/fuzz/fuzz-file-source.c v4l2/file-source.c v4l2/file-source.h \
		v4l2/y4m.c v4l2/y4m.h v4l2/source.h v4l2/frame.h common/macro.h common/debug.h
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz-file-source.c v4l2/file-source.c v4l2/y4m.c

# Seeds: one small valid stream per colourspace, frame parameters, a
# truncated frame and a few broken headers. Written here, not committed.
FUZZ_SEEDS_Y4M := $(BUILD)/fuzz/seed-y4m.stamp
$(FUZZ_SEEDS_Y4M): tests/fuzz/fuzz.mk
	$(Q)set -e; d=$(BUILD)/fuzz/seed-y4m; mkdir -p $$d; \
	for cs in 420jpeg:12 420paldv:12 420mpeg2:12 420:12 422:16 mono:8; do \
		n=$${cs#*:}; cs=$${cs%:*}; \
		printf 'YUV4MPEG2 W4 H2 F25:1 Ip A1:1 C%s\nFRAME\n' $$cs > $$d/$$cs; \
		head -c $$n /dev/zero >> $$d/$$cs; printf 'FRAME Ib XFOO=bar\n' >> $$d/$$cs; head -c $$n /dev/zero >> $$d/$$cs; \
	done; \
	printf 'YUV4MPEG2 W3 H3 F30000:1001 C420mpeg2 XYSCSS=420MPEG2\nFRAME\n012345678abcdefgh' > $$d/odd; \
	printf 'YUV4MPEG2 W8 H8\nFRAME\nshort' > $$d/truncated; \
	printf 'YUV4MPEG2 W16384 H16384 C422\n' > $$d/big; \
	printf 'YUV4MPEG2 W8 H8 C444\n' > $$d/unsupported; \
	printf 'YUV4MPEG2 W2 H2 Cmono\nFRAMEabcd' > $$d/badframe; \
	mkdir -p $(BUILD)/fuzz/seed-file-source; \
	for f in $$d/*; do for o in 0 1 2 3 7; do \
		printf "\\$$(printf %03o $$o)" | cat - $$f > $(BUILD)/fuzz/seed-file-source/$$(basename $$f)-$$o; \
	done; done; \
	touch $@

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS)) $(FUZZ_SEEDS_Y4M)

fuzz-run: fuzz
	@mkdir -p $(BUILD)/fuzz/corpus-y4m
	@mkdir -p $(BUILD)/fuzz/corpus-file-source
	$(Q)cd $(BUILD)/fuzz && ./fuzz-y4m -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
		corpus-y4m seed-y4m
	$(Q)cd $(BUILD)/fuzz && ./fuzz-file-source -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
		corpus-file-source seed-file-source

.PHONY: fuzz-run
