# Bus integration tests (issue 6): a private dbus-daemon, lanesightd on the
# demo clip (Backend=cpu) and real peers (busctl, gdbus, dbus-daemon's own
# policy, tests/bus/lsd-peer for long-lived session owners). Each
# tests/bus/test-bus-*.sh runs through a wrapper in $(BUILD)/tests that
# names the binaries and fixtures.

PROGRAMS += lsd-peer
TEST_PROGRAMS += lsd-peer
lsd-peer_SOURCES := tests/bus/lsd-peer.c
lsd-peer_PKGS := libsystemd

BUS_TESTS := test-bus-api test-bus-session test-bus-notify test-bus-config test-bus-limits test-bus-transfer test-bus-polkit \
             test-bus-fuzz
BUS_TEST_INPUTS := $(BUILD)/lanesightd $(BUILD)/tests/lsd-peer $(DEMO_CLIP) $(MODEL_FILES) \
                   $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT) $(NOFACE_IMAGE)

$(BUS_TESTS:%=$(BUILD)/tests/%.sh): $(BUILD)/tests/%.sh: tests/bus/%.sh tests/bus/bus.mk $(BUS_TEST_INPUTS)
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/bus/bus.mk.\nLSD_BIN=%s LSD_PEER=%s LSD_MODELS=%s LSD_CLIP=%s \\\nLSD_PORTRAIT=%s LSD_IMPOSTOR=%s LSD_NOFACE=%s LSD_XML=%s \\\nexec sh %s "$$@"\n' \
		'$(abspath $(BUILD)/lanesightd)' '$(abspath $(BUILD)/tests/lsd-peer)' '$(abspath $(MODELS_DIR))' \
		'$(abspath $(DEMO_CLIP))' '$(abspath $(DEMO_PORTRAIT))' '$(abspath $(IMPOSTOR_PORTRAIT))' \
		'$(abspath $(NOFACE_IMAGE))' '$(abspath packaging/dbus/org.lanesight.Lanesight1.xml)' \
		'$(abspath $<)' >$@
	$(Q)chmod +x $@

TESTS += $(BUS_TESTS:%=$(BUILD)/tests/%.sh)

# The interface description, for tools and bindings.
install-data::
	install -D -m 0644 packaging/dbus/org.lanesight.Lanesight1.xml \
		$(DESTDIR)$(DATADIR)/dbus-1/interfaces/org.lanesight.Lanesight1.xml

# make bench: end-to-end latency and throughput per backend (tests/bench/bench-e2e.sh).
$(BUILD)/tests/bench-e2e.sh: tests/bench/bench-e2e.sh tests/bus/bus.mk $(BUS_TEST_INPUTS)
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/bus/bus.mk.\nLSD_BIN=%s LSD_PEER=%s LSD_MODELS=%s LSD_CLIP=%s \\\nexec sh %s "$$@"\n' \
		'$(abspath $(BUILD)/lanesightd)' '$(abspath $(BUILD)/tests/lsd-peer)' '$(abspath $(MODELS_DIR))' \
		'$(abspath $(DEMO_CLIP))' '$(abspath $<)' >$@
	$(Q)chmod +x $@

bench: $(BUILD)/tests/bench-e2e.sh
BENCHES += $(BUILD)/tests/bench-e2e.sh

# make bench: the hostile-caller case (tests/bench/bench-hostile.sh): stalled pipes and a huge PNG while a
# 1080p30 file camera streams; bus round trips, watchdog gaps, frames processed.
$(BUILD)/tests/bench-hostile.sh: tests/bench/bench-hostile.sh tests/bus/bus.mk $(BUS_TEST_INPUTS) $(BUILD)/lanesight-make-clip
	@mkdir -p $(@D)
	$(Q)printf '#!/bin/sh\n# Made by tests/bus/bus.mk.\nLSD_BIN=%s LSD_PEER=%s LSD_MODELS=%s LSD_CLIP=%s \\\nLSD_PORTRAIT=%s LSD_MAKE_CLIP=%s \\\nexec sh %s "$$@"\n' \
		'$(abspath $(BUILD)/lanesightd)' '$(abspath $(BUILD)/tests/lsd-peer)' '$(abspath $(MODELS_DIR))' \
		'$(abspath $(DEMO_CLIP))' '$(abspath $(DEMO_PORTRAIT))' '$(abspath $(BUILD)/lanesight-make-clip)' \
		'$(abspath $<)' >$@
	$(Q)chmod +x $@

bench: $(BUILD)/tests/bench-hostile.sh
BENCHES += $(BUILD)/tests/bench-hostile.sh
