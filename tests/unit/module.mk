# Unit tests of header-only helpers in common/.
PROGRAMS += test-macro
TEST_PROGRAMS += test-macro
test-macro_SOURCES := tests/unit/test-macro.c
TESTS += $(BUILD)/tests/test-macro
