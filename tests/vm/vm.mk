# make vm-check: the capture library and lanesight-probe against the kernel's
# vivid driver, in a Debian trixie kernel booted under qemu (see docs/vm-check.md).
#
#   make vm-check [VM_TIMEOUT=600] [VM_CACHE=build/vm] [VM_DEBUG=1]
#
# Downloads (once) trixie's linux-image-amd64 and bookworm's udev into
# $(VM_CACHE) through a private apt configuration; the machine's apt setup and
# installed packages are left alone. Logs: $(BUILD)/vm-check/results/vivid/.

VM_CACHE   ?= build/vm
VM_TIMEOUT ?= 600
# Capture tests that need the real driver: built with everything, run only in
# the guest (without VIVID_SP/VIVID_MP every case skips), so not in TESTS.
PROGRAMS += test-vivid-capture
TEST_PROGRAMS += test-vivid-capture
test-vivid-capture_SOURCES := tests/vm/test-vivid-capture.c
test-vivid-capture_LIBS := cam

# Host-side test of the initramfs builder (module closure, ldd closure), seconds.
TESTS += tests/vm/test-mkinitramfs.sh

# lanesight programs copied into the guest (those that exist in this tree).
VM_PROGRAMS = $(filter lanesight-probe test-vivid-capture,$(PROGRAMS))

vm-check:
	$(Q)packaging/deps.sh build vm
	$(if $(VM_PROGRAMS),$(Q)$(MAKE) --no-print-directory $(if $(Q),-s) $(foreach p,$(VM_PROGRAMS),$($(p)_PATH)))
	$(Q)tests/vm/vm-check.sh --cache $(VM_CACHE) --out $(BUILD)/vm-check --timeout $(VM_TIMEOUT) \
		$(if $(filter 1,$(VM_DEBUG)),--debug) \
		$(foreach p,$(VM_PROGRAMS),--program $($(p)_PATH))

# Only the downloads (kernel, udev), e.g. to warm a CI cache.
vm-fetch:
	$(Q)packaging/deps.sh vm
	$(Q)tests/vm/fetch.sh $(VM_CACHE)

.PHONY: vm-check vm-fetch
