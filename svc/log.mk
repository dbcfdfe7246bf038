# svc/ logging (journald with structured fields, or stderr with <N> prefixes).
LIBRARIES += lsdlog
lsdlog_SOURCES := svc/log.c
lsdlog_PKGS := libsystemd

PROGRAMS += test-log
TEST_PROGRAMS += test-log
test-log_SOURCES := tests/unit/test-log.c
test-log_LIBS := lsdlog
TESTS += $(BUILD)/tests/test-log
TESTS += tests/unit/test-catalog.sh
