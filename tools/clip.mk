# The embedded demo clip and `make demo` (stage 1: play the clip through the
# capture library and print per-frame statistics).
#
# The clip is generated, never committed: the public-domain portrait
# grace_hopper_512x512.jpg (US Navy photo, see tools/make-clip.c) comes
# from the examples of Debian's facedetect package, fetched with
# `apt-get download` and unpacked with `dpkg -x` into $(DEMO_CACHE) (the
# package itself is not installed: it would pull in python3-opencv).
# An installed facedetect, or DEMO_PORTRAIT=path/to.jpg, is used as is.

# The clip code shared with tools/lanesim.c (tools/lanesim.mk).
LIBRARIES += clip
clip_SOURCES := tools/clip.c
clip_PKGS := libjpeg
# Same bytes on every build: no fused multiply-add reassociation.
clip_CFLAGS := -ffp-contract=off

PROGRAMS += lanesight-make-clip
lanesight-make-clip_SOURCES := tools/make-clip.c
lanesight-make-clip_LIBS := clip
lanesight-make-clip_CFLAGS := -ffp-contract=off
lanesight-make-clip_INSTALL :=

# DEMO_CACHE, DEMO_PORTRAIT and DEMO_CLIP: config.mk.
DEMO_PORTRAIT_SHA256 := ee9d775343587100337da3bd24f9f9daf49756132362f09ca3ac9b676c4341b3
DEMO_PORTRAIT_INSTALLED := /usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg

$(DEMO_CACHE)/grace_hopper_512x512.jpg:
	@mkdir -p $(DEMO_CACHE)/deb
	$(if $(Q),@echo "  FETCH   $@ (Debian package facedetect)")
	$(Q)set -e; \
	if [ -r $(DEMO_PORTRAIT_INSTALLED) ]; then cp $(DEMO_PORTRAIT_INSTALLED) $@.tmp; else \
		cd $(DEMO_CACHE)/deb; rm -f facedetect_*.deb; \
		if ! apt-get download facedetect >download.log 2>&1; then \
			if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get download facedetect >download.log 2>&1; \
			else cat download.log >&2; echo "Cannot download facedetect; try 'apt-get update' first, or set DEMO_PORTRAIT=path/to/portrait.jpg" >&2; exit 1; fi; \
		fi; \
		cd - >/dev/null; rm -rf $(DEMO_CACHE)/root; \
		dpkg -x $(DEMO_CACHE)/deb/facedetect_*.deb $(DEMO_CACHE)/root; \
		cp $(DEMO_CACHE)/root/usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg $@.tmp; \
	fi; \
	echo "$(DEMO_PORTRAIT_SHA256)  $@.tmp" | sha256sum -c --status || \
		echo "warning: $@ differs from the known portrait; the clip will not be byte-identical to others'" >&2; \
	mv $@.tmp $@

$(DEMO_CLIP): $(BUILD)/lanesight-make-clip $(DEMO_PORTRAIT)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CLIP    $@")
	$(Q)$(BUILD)/lanesight-make-clip $(DEMO_PORTRAIT) $@.tmp && mv $@.tmp $@

demo-clip: $(DEMO_CLIP)

.PHONY: demo-clip

# The stage-1 player (not installed): lanesight-probe's `capture --device
# file:...` does the same job for admins once the probe supports it.
PROGRAMS += lanesight-play
lanesight-play_SOURCES := tools/play-clip.c
lanesight-play_LIBS := camfile
lanesight-play_INSTALL :=

# `make demo` (stage 2, issue 6): a private dbus-daemon, lanesightd on the
# clip and lanesightctl verifying the traveler against a genuine and an
# impostor photo (tests/demo/demo.sh). Builds only what the demo needs, so it
# does not wait on (or break with) unrelated programs; `make check` builds
# everything. DEMO_BACKEND=vulkan|opencl tries a GPU backend (cpu by default:
# on machines without a GPU, lavapipe/PoCL are slower than the CPU backend).
DEMO_BACKEND ?= cpu
demo: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/lanesightd $(BUILD)/lanesightctl $(DEMO_CLIP) $(MODEL_FILES) \
		$(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT)
	$(Q)LANESIGHTD=$(BUILD)/lanesightd LANESIGHTCTL=$(BUILD)/lanesightctl LSD_CLIP=$(abspath $(DEMO_CLIP)) \
		LSD_MODELS=$(abspath $(MODELS_DIR)) LSD_BACKEND=$(DEMO_BACKEND) DEMO_PORTRAIT=$(DEMO_PORTRAIT) \
		IMPOSTOR_PORTRAIT=$(IMPOSTOR_PORTRAIT) tests/demo/demo.sh

# Stage 1, kept for capture work: the clip through the capture library, per-frame statistics.
DEMO_PLAY_FLAGS ?=
demo-play: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/lanesight-play $(DEMO_CLIP)
	@echo "Demo clip: a traveler enters from the right at ~1 s, walks up to the booth camera and"
	@echo "stands centred from ~3.3 s (luma falls as they fill the frame; motion settles)."
	$(Q)$(BUILD)/lanesight-play $(DEMO_PLAY_FLAGS) $(DEMO_CLIP)

.PHONY: demo-play
FETCH += $(DEMO_CLIP)
