# Capture library tests against the simulated camera (tests/unit/fake-camera.c).
V4L2_TESTS := test-v4l2-format test-v4l2-stream test-v4l2-device test-v4l2-controls test-v4l2-camera \
              test-v4l2-monitor
$(foreach t,$(V4L2_TESTS),$(eval PROGRAMS += $(t)) $(eval TEST_PROGRAMS += $(t)) \
        $(eval $(t)_SOURCES := tests/unit/$(t).c tests/unit/fake-camera.c) $(eval $(t)_LIBS := cam) \
        $(eval TESTS += $$(BUILD)/tests/$(t)))

# The fake camera as an LD_PRELOAD object, for whole programs (the probe). Never
# sanitized itself: it must not pull the ASan runtime in ahead of the program's.
FAKE_CAMERA_PRELOAD := $(BUILD)/tests/libfake-camera-preload.so
$(FAKE_CAMERA_PRELOAD): tests/unit/fake-camera.c tests/unit/fake-camera.h v4l2/io.h common/macro.h
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CCLD    $@")
	$(Q)$(CC) $(filter-out $(SAN_FLAGS) -MMD -MP,$(BASE_CFLAGS)) $(CFLAGS) -DFAKE_CAMERA_PRELOAD -shared -fPIC \
		-o $@ $< -ldl

# The probe command, run as a user would (needs the built lanesight-probe).
PROGRAMS += test-v4l2-probe
TEST_PROGRAMS += test-v4l2-probe
test-v4l2-probe_SOURCES := tests/unit/test-v4l2-probe.c
test-v4l2-probe_CFLAGS := -DPROBE_PATH='"$(BUILD)/lanesight-probe"' -DPRELOAD_PATH='"$(FAKE_CAMERA_PRELOAD)"'
$(BUILD)/tests/test-v4l2-probe: $(BUILD)/lanesight-probe $(FAKE_CAMERA_PRELOAD)
TESTS += $(BUILD)/tests/test-v4l2-probe

# The MJPEG conversion test encodes its input with libjpeg.
test-v4l2-stream_PKGS := libjpeg
