# lanesightctl: the command-line client (offline face commands now; bus commands with lanesightd).
PROGRAMS += lanesightctl
lanesightctl_SOURCES := svc/ctl/main.c svc/ctl/offline.c svc/ctl/output.c
lanesightctl_LIBS = $(FACE_PIPELINE_LIBS)
lanesightctl_CFLAGS := -DLANESIGHT_MODELDIR='"$(DATADIR)/lanesight/models"'
lanesightctl_INSTALL := bin

TESTS += tests/unit/test-ctl-offline.sh
tests/unit/test-ctl-offline.sh: $(BUILD)/lanesightctl $(MODEL_FILES) $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT) $(NOFACE_IMAGE)
export LANESIGHTCTL = $(abspath $(BUILD)/lanesightctl)
export LANESIGHT_TEST_NOFACE = $(abspath $(NOFACE_IMAGE))
