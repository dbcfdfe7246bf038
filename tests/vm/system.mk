# make system-check: the .deb from `make deb` installed in a Debian trixie
# guest (qemu, trixie's kernel, systemd as PID 1, dbus, journald) and checked
# under systemd (see docs/system-check.md). Not part of make check: it builds
# the package and boots a full system (minutes).
#
#   make system-check [SYSTEM_TIMEOUT=900] [VM_CACHE=build/vm] [VM_DEBUG=1]
SYSTEM_TIMEOUT ?= 900

system-check: deb
	$(Q)packaging/deps.sh vm
	$(Q)tests/vm/system/system-check.sh --deb $(firstword $(wildcard $(PKG_OUT)/lanesight_$(VERSION)-1_*.deb)) \
		--cache $(VM_CACHE) --out $(BUILD)/system-check --timeout $(SYSTEM_TIMEOUT) \
		$(if $(filter 1,$(VM_DEBUG)),--debug)

.PHONY: system-check
