# The D-Bus fuzzer (tests/fuzz/bus-fuzz.c, issue 12): a hostile sd-bus client
# of lanesightd. tests/bus/test-bus-fuzz.sh runs it briefly in make check (on
# the bus tests' private bus); `make fuzz-bus FUZZ_SECONDS=N [FUZZ_SEED=S]`
# runs it for N seconds (a random seed unless given; the output names it).

PROGRAMS += bus-fuzz
TEST_PROGRAMS += bus-fuzz
bus-fuzz_SOURCES := tests/fuzz/bus-fuzz.c
bus-fuzz_PKGS := libsystemd zlib

$(BUILD)/tests/test-bus-fuzz.sh: $(BUILD)/tests/bus-fuzz

# The clip is made in the recipe: tools/clip.mk names it after this fragment is read.
fuzz-bus: $(BUILD)/tests/test-bus-fuzz.sh $(BUILD)/tests/bus-fuzz
	$(Q)$(MAKE) --no-print-directory $(DEMO_CLIP) $(DEMO_PORTRAIT)
	$(Q)BUS_FUZZ_SECONDS='$(FUZZ_SECONDS)' BUS_FUZZ_SEED='$(FUZZ_SEED)' $(BUILD)/tests/test-bus-fuzz.sh

.PHONY: fuzz-bus
