# lanesightd's configuration (libinih, after a check of the lines: it split long ones, issue 12).
LIBRARIES += lsdconf
lsdconf_SOURCES := svc/config.c
lsdconf_PKGS := inih
lsdconf_CFLAGS := -DLANESIGHT_MODELDIR='"$(DATADIR)/lanesight/models"'

PROGRAMS += test-config
TEST_PROGRAMS += test-config
test-config_SOURCES := tests/unit/test-config.c
test-config_LIBS := lsdconf
TESTS += $(BUILD)/tests/test-config

# --check-config on real models (issue 12).
TESTS += tests/unit/test-config-check.sh
tests/unit/test-config-check.sh: $(BUILD)/lanesightd $(MODEL_FILES)
