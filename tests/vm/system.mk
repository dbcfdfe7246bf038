# make system-check: the two .debs from `make deb` (lanesight, lanesight-models) installed in a Debian trixie
# guest (qemu, trixie's kernel, systemd as PID 1, dbus, journald) and checked
# under systemd (see docs/system-check.md). Not part of make check: it builds
# the package and boots a full system (minutes).
#
#   make system-check [SYSTEM_TIMEOUT=1500] [VM_CACHE=build/vm] [VM_DEBUG=1]
SYSTEM_TIMEOUT ?= 1500
SYSTEM_OUT = $(BUILD)/system-check

# The guest's inputs: the demo clip as raw NV12 frames for vivid's output
# node (written through the file source), the traveler's photo and someone
# else's, and test-vk-import (its real dma-buf case needs /dev/udmabuf and
# a Vulkan driver that imports dma-bufs: the guest has both, CI has neither).
# Recipes expand these after every fragment is read (the clip's and the
# portraits' variables come from fragments read later).
system-check: deb
	$(Q)packaging/deps.sh vm
	$(Q)$(MAKE) --no-print-directory $(BUILD)/lanesight-play $(BUILD)/tests/test-vk-import $(DEMO_CLIP) $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT)
	$(Q)mkdir -p $(SYSTEM_OUT)
	$(Q)$(BUILD)/lanesight-play --fast --quiet --raw $(SYSTEM_OUT)/traveler.nv12 $(DEMO_CLIP) >/dev/null
	$(Q)tests/vm/system/system-check.sh --deb $(firstword $(wildcard $(PKG_OUT)/lanesight_$(VERSION)-1_*.deb)) \
		--deb $(PKG_OUT)/lanesight-models_$(VERSION)-1_all.deb \
		--cache $(VM_CACHE) --out $(SYSTEM_OUT) --timeout $(SYSTEM_TIMEOUT) \
		--add $(SYSTEM_OUT)/traveler.nv12 --add $(DEMO_PORTRAIT) --add $(IMPOSTOR_PORTRAIT) \
		--add $(BUILD)/tests/test-vk-import \
		$(if $(filter 1,$(VM_DEBUG)),--debug)
	$(Q)echo "lintian (make deb): $$(grep -c '^W:' $(PKG_OUT)/lintian.txt) warnings, $$(grep -c '^E:' $(PKG_OUT)/lintian.txt) errors"; \
		grep '^[EW]:' $(PKG_OUT)/lintian.txt | sed 's/^/  /'

.PHONY: system-check
