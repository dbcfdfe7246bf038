# Tests of the Y4M parser and the file source (v4l2/file.mk).
PROGRAMS += test-y4m
TEST_PROGRAMS += test-y4m
test-y4m_SOURCES := tests/unit/test-y4m.c
test-y4m_LIBS := camfile
TESTS += $(BUILD)/tests/test-y4m

PROGRAMS += test-file-source
TEST_PROGRAMS += test-file-source
test-file-source_SOURCES := tests/unit/test-file-source.c
test-file-source_LIBS := camfile
test-file-source_PKGS := libjpeg
TESTS += $(BUILD)/tests/test-file-source
