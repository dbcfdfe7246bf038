# systemd units, bus policy and activation, sysusers/tmpfiles entries and the
# journal catalog (issue 6). lanesightd.service is made from its .in with
# @SBINDIR@ substituted; tests/bus/test-units.sh runs systemd-analyze verify.
SYSTEMD_UNITDIR ?= /usr/lib/systemd/system
SYSUSERSDIR     ?= /usr/lib/sysusers.d
TMPFILESDIR     ?= /usr/lib/tmpfiles.d
CATALOGDIR      ?= /usr/lib/systemd/catalog
DBUS_POLICYDIR  ?= $(DATADIR)/dbus-1/system.d
DBUS_SYSTEM_SERVICEDIR ?= $(DATADIR)/dbus-1/system-services
POLKIT_ACTIONDIR ?= $(DATADIR)/polkit-1/actions
POLKIT_RULESDIR  ?= $(DATADIR)/polkit-1/rules.d

# $(call unit_subst,IN,OUT,SBINDIR)
unit_subst = sed -e 's|@SBINDIR@|$(3)|g' $(1) >$(2).tmp && mv $(2).tmp $(2)

$(BUILD)/units/lanesightd.service: units/lanesightd.service.in units/units.mk
	@mkdir -p $(@D)
	$(Q)$(call unit_subst,$<,$@,$(SBINDIR))

all build-all: $(BUILD)/units/lanesightd.service

install-data:: $(BUILD)/units/lanesightd.service
	install -D -m 0644 $(BUILD)/units/lanesightd.service $(DESTDIR)$(SYSTEMD_UNITDIR)/lanesightd.service
	install -D -m 0644 units/org.lanesight.Lanesight1.conf $(DESTDIR)$(DBUS_POLICYDIR)/org.lanesight.Lanesight1.conf
	install -D -m 0644 units/org.lanesight.Lanesight1.service \
		$(DESTDIR)$(DBUS_SYSTEM_SERVICEDIR)/org.lanesight.Lanesight1.service
	install -D -m 0644 units/lanesight.sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/lanesight.conf
	install -D -m 0644 units/lanesight.tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/lanesight.conf
	install -D -m 0644 units/lanesight.catalog $(DESTDIR)$(CATALOGDIR)/lanesight.catalog
	install -D -m 0644 units/org.lanesight.Lanesight1.policy $(DESTDIR)$(POLKIT_ACTIONDIR)/org.lanesight.Lanesight1.policy
	install -D -m 0644 units/50-org.lanesight.Lanesight1.rules $(DESTDIR)$(POLKIT_RULESDIR)/50-org.lanesight.Lanesight1.rules

TESTS += tests/bus/test-units.sh

# The bus policy in force on a private bus: who receives the service's signals (issue 12).
TESTS += tests/bus/test-bus-policy.sh
tests/bus/test-bus-policy.sh: $(BUILD)/lanesightd $(BUILD)/lanesightctl $(MODEL_FILES) $(DEMO_CLIP)
