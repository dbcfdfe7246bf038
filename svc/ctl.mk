# lanesightctl: the command-line client (offline face commands, and bus commands to lanesightd).
PROGRAMS += lanesightctl
lanesightctl_SOURCES := svc/ctl/main.c svc/ctl/offline.c svc/ctl/output.c svc/ctl/bus.c svc/ctl/verify.c \
        svc/ctl/gallery.c
lanesightctl_LIBS = $(FACE_PIPELINE_LIBS)
lanesightctl_PKGS := libsystemd
lanesightctl_CFLAGS := -DLANESIGHT_MODELDIR='"$(DATADIR)/lanesight/models"'
lanesightctl_INSTALL := bin

TESTS += tests/unit/test-ctl-offline.sh
tests/unit/test-ctl-offline.sh: $(BUILD)/lanesightctl $(MODEL_FILES) $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT) $(NOFACE_IMAGE)
export LANESIGHTCTL = $(abspath $(BUILD)/lanesightctl)
export LANESIGHT_TEST_NOFACE = $(abspath $(NOFACE_IMAGE))

# The bus commands against a real lanesightd on a private bus (tests/demo/lib.sh).
TESTS += tests/unit/test-ctl-bus.sh
tests/unit/test-ctl-bus.sh: $(BUILD)/lanesightctl $(BUILD)/lanesightd $(MODEL_FILES) $(DEMO_CLIP) \
        $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT) $(NOFACE_IMAGE)
export LANESIGHTD = $(abspath $(BUILD)/lanesightd)
export LANESIGHT_TEST_CLIP = $(abspath $(DEMO_CLIP))

# Man pages: hand-written roff (no generator to depend on), checked by groff -ww.
# tools/infer.mk and tools/probe.mk add their programs' pages to MAN_PAGES.
MAN_PAGES += docs/man/lanesightctl.1 docs/man/lanesightd.8 docs/man/lanesightd.conf.5
install-data::
	$(Q)set -e; for p in $(MAN_PAGES); do \
		s=$${p##*.}; install -D -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/$${p##*/}; done
	install -D -m 0644 packaging/completion/lanesightctl.bash $(DESTDIR)$(BASHCOMPLETIONDIR)/lanesightctl
	install -D -m 0644 packaging/completion/_lanesightctl $(DESTDIR)$(ZSHCOMPLETIONDIR)/_lanesightctl

TESTS += tests/unit/test-ctl-man.sh
tests/unit/test-ctl-man.sh: $(BUILD)/lanesightctl

# Option order (global options before or after the command), COMMAND --help
# for every command, model lookup from the program's own place, completion.
TESTS += tests/unit/test-ctl-cmdline.sh
tests/unit/test-ctl-cmdline.sh: $(BUILD)/lanesightctl $(MODEL_FILES) $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT)
