# The lane benchmark (issue 16, docs/lane-bench.md): lanesight-lanesim writes
# one traveler's walk-up clip and manifest; `make lane-bench DATA=DIR` runs
# lanesightd on TRAVELERS of them (default 300; TRAVELERS=20 for a quick run)
# through the real bus and lanesightctl, and prints the table, the plot and a
# JSON summary (tests/lane/lane-bench.sh).

PROGRAMS += lanesight-lanesim
lanesight-lanesim_SOURCES := tools/lanesim.c
lanesight-lanesim_LIBS := clip
# Same bytes on every build: no fused multiply-add reassociation.
lanesight-lanesim_CFLAGS := -ffp-contract=off
lanesight-lanesim_INSTALL :=

# The simulator's draws (deterministic, photos chosen right); the clips are exercised by lane-bench.
TESTS += tests/lane/test-lanesim.sh
tests/lane/test-lanesim.sh: $(BUILD)/lanesight-lanesim $(DEMO_PORTRAIT) $(NOFACE_IMAGE)
export LANESIGHT_LANESIM = $(abspath $(BUILD)/lanesight-lanesim)

TRAVELERS ?= 300
LANE_SEED ?= 1
LANE_JOBS ?= 2
LANE_BACKEND ?= cpu
LANE_OUT ?= $(BUILD)/lane

lane-bench: deps
	$(Q)test -n "$(DATA)" || { echo "make lane-bench: DATA=DIR is required (a photo set in the LFW layout)" >&2; exit 2; }
	$(Q)command -v gnuplot >/dev/null 2>&1 || { \
		echo "lane-bench: the plot needs gnuplot (Debian package gnuplot-nox)" >&2; \
		if [ "$$(id -u)" = 0 ]; then echo "lane-bench: installing gnuplot-nox" >&2; \
			apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null || \
			{ apt-get update -qq && apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null; }; \
		else echo "lane-bench: as root, run: apt-get install -y --no-install-recommends gnuplot-nox" >&2; exit 1; fi; }
	$(Q)$(MAKE) --no-print-directory $(BUILD)/lanesightd $(BUILD)/lanesightctl $(BUILD)/lanesight-lanesim $(MODEL_FILES)
	$(Q)LANESIGHTD=$(BUILD)/lanesightd LANESIGHTCTL=$(BUILD)/lanesightctl LANESIM=$(BUILD)/lanesight-lanesim \
		LSD_MODELS=$(abspath $(MODELS_DIR)) LSD_BACKEND=$(LANE_BACKEND) \
		tests/lane/lane-bench.sh --data "$(DATA)" --travelers $(TRAVELERS) --seed $(LANE_SEED) \
		--jobs $(LANE_JOBS) --out $(LANE_OUT)

.PHONY: lane-bench
