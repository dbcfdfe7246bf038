# The embedded demo clip and `make demo` (stage 1: play the clip through the
# capture library and print per-frame statistics).
#
# The clip is generated, never committed: the public-domain portrait
# grace_hopper_512x512.jpg (US Navy photo, see v4l2/clip/make-clip.c) comes
# from the examples of Debian's facedetect package, fetched with
# `apt-get download` and unpacked with `dpkg -x` into $(DEMO_CACHE) (the
# package itself is not installed: it would pull in python3-opencv).
# An installed facedetect, or DEMO_PORTRAIT=path/to.jpg, is used as is.

PROGRAMS += lanesight-make-clip
lanesight-make-clip_SOURCES := v4l2/clip/make-clip.c
lanesight-make-clip_PKGS := libjpeg
# Same bytes on every build: no fused multiply-add reassociation.
lanesight-make-clip_CFLAGS := -ffp-contract=off
lanesight-make-clip_INSTALL :=

DEMO_CACHE ?= build/cache/facedetect
DEMO_PORTRAIT_SHA256 := ee9d775343587100337da3bd24f9f9daf49756132362f09ca3ac9b676c4341b3
DEMO_PORTRAIT_INSTALLED := /usr/share/doc/facedetect/examples/grace_hopper_512x512.jpg
DEMO_PORTRAIT ?= $(DEMO_CACHE)/grace_hopper_512x512.jpg
DEMO_CLIP := $(BUILD)/demo/traveler.y4m

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
lanesight-play_SOURCES := v4l2/clip/play-clip.c
lanesight-play_LIBS := camfile
lanesight-play_INSTALL :=

# Builds only what stage 1 needs, so the demo does not wait on (or break
# with) unrelated programs; `make check` builds everything.
DEMO_PLAY_FLAGS ?=
demo: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/lanesight-play $(DEMO_CLIP)
	@echo "Demo clip: a traveler enters from the right at ~1 s, walks up to the booth camera and"
	@echo "stands centred from ~3.3 s (luma falls as they fill the frame; motion settles)."
	$(Q)$(BUILD)/lanesight-play $(DEMO_PLAY_FLAGS) $(DEMO_CLIP)
