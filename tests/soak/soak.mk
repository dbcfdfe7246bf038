# make soak [SOAK_SECONDS=N]: the soak (tests/soak/soak.sh, issue 12): 50
# clients against lanesightd on the looping demo clip for N seconds (default
# 600), the daemon's RSS and fds sampled every 10 s. Not part of make check.

SOAK_SECONDS ?= 600

# The demo clip is made in the recipe: tools/clip.mk, which names it, is read
# after this fragment, so $(DEMO_CLIP) is still empty in a prerequisite list here.
soak: $(BUS_TEST_INPUTS) $(BUILD)/lanesightctl
	$(Q)$(MAKE) --no-print-directory $(DEMO_CLIP) $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT)
	$(Q)LSD_BIN='$(abspath $(BUILD)/lanesightd)' LSD_PEER='$(abspath $(BUILD)/tests/lsd-peer)' \
		LSD_CTL='$(abspath $(BUILD)/lanesightctl)' LSD_MODELS='$(abspath $(MODELS_DIR))' \
		LSD_CLIP='$(abspath $(DEMO_CLIP))' LSD_PORTRAIT='$(abspath $(DEMO_PORTRAIT))' \
		LSD_IMPOSTOR='$(abspath $(IMPOSTOR_PORTRAIT))' LSD_NOFACE='$(abspath $(NOFACE_IMAGE))' \
		LSD_XML='$(abspath packaging/dbus/org.lanesight.Lanesight1.xml)' \
		SOAK_SECONDS='$(SOAK_SECONDS)' sh tests/soak/soak.sh

.PHONY: soak
