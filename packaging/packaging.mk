# Distribution packages: `make deb` (debhelper, packaging/debian) and
# `make rpm` (rpmbuild, packaging/rpm/lanesight.spec). Both build from the
# files git knows (committed or not, never ignored ones), and take the models
# already fetched and verified by `make models`.

install-models: models
	install -d $(DESTDIR)$(DATADIR)/lanesight/models
	install -m 0644 $(MODEL_FILES) $(DESTDIR)$(DATADIR)/lanesight/models/

PKG_TREE = build/pkg/lanesight-$(VERSION)

pkg-tree:
	$(Q)rm -rf build/pkg && mkdir -p $(PKG_TREE)
	$(Q)git ls-files -co --exclude-standard -z | xargs -0 tar -cf - | tar -C $(PKG_TREE) -xf -

deb: models
	$(Q)packaging/deps.sh package
	$(Q)$(MAKE) --no-print-directory pkg-tree
	$(Q)cp -r packaging/debian $(PKG_TREE)/debian
	$(Q)cp units/lanesight.sysusers.conf $(PKG_TREE)/debian/lanesight.sysusers
	$(Q)cp units/lanesight.tmpfiles.conf $(PKG_TREE)/debian/lanesight.tmpfiles
	$(Q)cd $(PKG_TREE) && LANESIGHT_MODEL_CACHE=$(abspath $(MODELS_DIR)) dpkg-buildpackage -b -us -uc
	$(Q)mkdir -p build/packages && mv build/pkg/*.deb build/pkg/*.changes build/pkg/*.buildinfo build/packages/
	$(Q)lintian --no-tag-display-limit build/packages/lanesight_$(VERSION)-1_*.changes | tee build/packages/lintian.txt; \
		! grep -q '^E:' build/packages/lintian.txt
	@echo "Built: $$(ls build/packages/*.deb)"

rpm: models
	$(Q)packaging/deps.sh package
	$(Q)$(MAKE) --no-print-directory pkg-tree
	$(Q)mkdir -p build/rpm/SOURCES build/packages
	$(Q)tar -C build/pkg -czf build/rpm/SOURCES/lanesight-$(VERSION).tar.gz lanesight-$(VERSION)
	$(Q)rpmbuild -bb --nodeps --define "_topdir $(abspath build/rpm)" \
		--define "lanesight_models $(abspath $(MODELS_DIR))" packaging/rpm/lanesight.spec
	$(Q)cp build/rpm/RPMS/*/lanesight-$(VERSION)-*.rpm build/packages/
	@echo "Built: $$(ls build/packages/*.rpm)"

.PHONY: install-models pkg-tree deb rpm
