# libFuzzer targets for what hostile input reaches first (issue 12): the
# configuration reader, the reference-photo decoders (one target per format,
# so each run stays in its decoder) and template parsing. Added to
# `make fuzz` and `make fuzz-run` (tests/fuzz/fuzz.mk); seeds are written by
# tests/fuzz/seeds.c and a few printf lines below, not committed.

FUZZ_FACE_TARGETS := fuzz-config fuzz-image-jpeg fuzz-image-png fuzz-image-jp2 fuzz-template
FUZZ_IMAGE_LIBS = $(shell $(PKG_CONFIG) --libs libjpeg libpng libopenjp2 zlib)
FUZZ_IMAGE_CFLAGS = $(shell $(PKG_CONFIG) --cflags libjpeg libpng libopenjp2 zlib)

$(BUILD)/fuzz/fuzz-config: tests/fuzz/fuzz-config.c svc/config.c svc/config.h face/image.h face/reference.h \
		common/macro.h
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DLANESIGHT_MODELDIR='"/nonexistent"' -o $@ tests/fuzz/fuzz-config.c svc/config.c \
		$(shell $(PKG_CONFIG) --cflags --libs inih) -lm

$(BUILD)/fuzz/fuzz-image-%: tests/fuzz/fuzz-image.c face/image.c face/image.h common/macro.h
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_IMAGE_CFLAGS) \
		-DFUZZ_IMAGE_FORMAT=FACE_IMAGE_$(shell echo $* | tr a-z A-Z) -o $@ \
		tests/fuzz/fuzz-image.c face/image.c $(FUZZ_IMAGE_LIBS)

$(BUILD)/fuzz/fuzz-template: tests/fuzz/fuzz-template.c face/template.c face/template.h common/macro.h
	@mkdir -p $(@D)
	$(if $(Q),@echo "  FUZZ    $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz-template.c face/template.c -lm

# The seed writer is an ordinary program (no sanitizers): it only encodes.
$(BUILD)/fuzz/fuzz-seeds: tests/fuzz/seeds.c face/template.c face/template.h
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 -D_GNU_SOURCE -I. -O1 -Wall -Wextra -Werror $(FUZZ_IMAGE_CFLAGS) -o $@ \
		tests/fuzz/seeds.c face/template.c $(FUZZ_IMAGE_LIBS) -lm

FUZZ_SEEDS_FACE := $(BUILD)/fuzz/seed-face.stamp
$(FUZZ_SEEDS_FACE): $(BUILD)/fuzz/fuzz-seeds tests/fuzz/face.mk
	$(Q)set -e; d=$(BUILD)/fuzz/seed; rm -rf $$d; $(BUILD)/fuzz/fuzz-seeds $$d; mkdir -p $$d/config; \
	printf '# booth\n[Camera]\nDevice=/dev/video0\nSize=1920x1080\nFrameRate=25\nFormats=NV12 YUYV\nRegionOfInterest=420,0,1080,1080\nLoop=yes\n' > $$d/config/camera; \
	printf '[Pipeline]\nBackend=vulkan\nDevice=\nThreads=2\nDetector=blazeface-front-128\nEmbedderChannelOrder=RGB\nEmbedderMean=0\nEmbedderStd=1\nDetectionThreshold=0.6\n' > $$d/config/pipeline; \
	printf '[Quality]\nMinInterEyeDistance=40\nMaxYaw=20\nMinReferenceQuality=30\nMinReferenceDetectionScore=0.7\n[Matching]\nThreshold=0.3\nGalleryTimeToLive=6h 30min\nCandidates=3\n' > $$d/config/quality; \
	printf '[Session]\nTimeout=90s\nMaxPerCaller=4\nMaxPerUser=8\nMaxSessions=32\n[Limits]\nMaxImagePixels=25000000\n[Log]\nLevel=debug\n' > $$d/config/session; \
	printf '\357\273\277; comment\r\n[Camera] \r\n  Size = 640x480  \r\nbad line\n' > $$d/config/crlf; \
	touch $@

fuzz: $(addprefix $(BUILD)/fuzz/,$(FUZZ_FACE_TARGETS)) $(FUZZ_SEEDS_FACE)

# Each target for FUZZ_SECONDS; the corpus grows in $(BUILD)/fuzz/corpus-NAME/.
fuzz-run: fuzz-face-run
fuzz-face-run: $(addprefix $(BUILD)/fuzz/,$(FUZZ_FACE_TARGETS)) $(FUZZ_SEEDS_FACE)
	$(Q)set -e; cd $(BUILD)/fuzz; for t in $(FUZZ_FACE_TARGETS); do \
		s=$${t#fuzz-}; s=$${s#image-}; mkdir -p corpus-$$t; \
		./$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=./$$t- corpus-$$t seed/$$s; \
	done

.PHONY: fuzz-face-run
