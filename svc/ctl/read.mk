# lanesightctl's image reading (svc/ctl/output.c) on FIFOs, devices and directories (issue 12).
TESTS += tests/unit/test-ctl-read.sh
tests/unit/test-ctl-read.sh: $(BUILD)/lanesightctl $(MODEL_FILES) $(DEMO_PORTRAIT)
