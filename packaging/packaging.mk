# Distribution packages: `make deb` (debhelper, packaging/debian) and
# `make rpm` (rpmbuild, packaging/rpm/lanesight.spec). Both build from the
# files git knows (committed or not, never ignored ones) copied into a fresh
# tree, take the models already fetched and verified by `make models` (the
# package build verifies them again through LANESIGHT_MODEL_CACHE), and end
# with packaging/check-packages.sh, which asserts the package contents.
# Everything lands under $(BUILD): $(PKG_OUT) holds the .deb/.rpm files.

PKG_WORK = $(BUILD)/packaging
PKG_OUT  = $(BUILD)/packages
PKG_TREE = $(PKG_WORK)/lanesight-$(VERSION)
PKG_MODELS = $(abspath $(MODELS_DIR))

install-models: models
	install -d $(DESTDIR)$(DATADIR)/lanesight/models
	install -m 0644 $(MODEL_FILES) $(DESTDIR)$(DATADIR)/lanesight/models/

# Files git knows, less those deleted in the working tree (uniq -u drops them).
pkg-tree:
	$(Q)rm -rf $(PKG_WORK) && mkdir -p $(PKG_TREE)
	$(Q){ git ls-files -co --exclude-standard; git ls-files -d; git ls-files -d; } | \
		sort | uniq -u | tar --verbatim-files-from -T - -cf - | tar -C $(PKG_TREE) -xf -

# The outer make's flags and command-line variables (exported: BUILD=, -j)
# must not leak into the package build,
# which runs its own make in the copied tree.
PKG_ENV = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u V -u SANITIZE -u MODELS_DIR LANESIGHT_MODEL_CACHE=$(PKG_MODELS)

deb: models
	$(Q)packaging/deps.sh package
	$(Q)$(MAKE) --no-print-directory pkg-tree
	$(Q)cp -r packaging/debian $(PKG_TREE)/debian
	$(Q)cd $(PKG_TREE) && $(PKG_ENV) DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -b -us -uc
	$(Q)mkdir -p $(PKG_OUT) && rm -f $(PKG_OUT)/*.deb $(PKG_OUT)/*.changes $(PKG_OUT)/*.buildinfo
	$(Q)mv $(PKG_WORK)/*.deb $(PKG_WORK)/*.changes $(PKG_WORK)/*.buildinfo $(PKG_OUT)/
	$(Q)lintian --tag-display-limit 0 --display-info $(PKG_OUT)/lanesight_$(VERSION)-1_*.changes \
		>$(PKG_OUT)/lintian.txt 2>&1; cat $(PKG_OUT)/lintian.txt; \
		! grep -q '^E:' $(PKG_OUT)/lintian.txt
	$(Q)packaging/check-packages.sh $(PKG_OUT)/lanesight_$(VERSION)-1_*.deb

rpm: models
	$(Q)packaging/deps.sh package
	$(Q)$(MAKE) --no-print-directory pkg-tree
	$(Q)rm -rf $(PKG_WORK)/rpm && mkdir -p $(PKG_WORK)/rpm/SOURCES $(PKG_OUT)
	$(Q)tar -C $(PKG_WORK) -czf $(PKG_WORK)/rpm/SOURCES/lanesight-$(VERSION).tar.gz lanesight-$(VERSION)
	$(Q)cp units/lanesight.sysusers.conf $(PKG_WORK)/rpm/SOURCES/lanesight.sysusers.conf
	$(Q)$(PKG_ENV) rpmbuild -bb --nodeps --define "_topdir $(abspath $(PKG_WORK)/rpm)" \
		--define "lanesight_models $(PKG_MODELS)" packaging/rpm/lanesight.spec
	$(Q)rm -f $(PKG_OUT)/*.rpm && cp $(PKG_WORK)/rpm/RPMS/*/lanesight-$(VERSION)-*.rpm $(PKG_OUT)/
	$(Q)packaging/check-packages.sh $(PKG_OUT)/lanesight-$(VERSION)-*.rpm

.PHONY: install-models pkg-tree deb rpm
