# lanesight — top-level build.
#
#   make                 build what ships (programs, units) into build/
#   make build-tests     build everything, tests included
#   make demo            install deps, then run the main job on the embedded clip
#   make check           install deps, build and run the fast tests
#   make check SANITIZE=1   the same under ASan+UBSan (objects in build/sanitize/)
#   make check VALGRIND=1   the same under valgrind memcheck
#   make vm-check        capture tests against the vivid driver in a qemu guest
#   make fuzz            build the libFuzzer targets (clang)
#   make bench           benchmarks
#   make install DESTDIR=... PREFIX=...
#   make dist            the upstream tarball and the models tarball (build/dist/)
#   make deb, make rpm   distribution packages (packaging/)
#   V=1                  print every command
#   WERROR=1             warnings are errors (CI)
#   VULKAN=yes|no|auto, OPENCL=yes|no|auto   the optional backends (default auto)
#   CACHE_DIR=DIR        downloads (portraits); MODELS_DIR=DIR, MODELS_FROM=DIR: models
# Shared variables (install paths, flags, switches, models, test inputs) are in
# config.mk, read before every fragment.
#
# Each folder adds itself through *.mk fragments (see "Fragments").

include config.mk

ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
SAN_FLAGS :=
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

WARNINGS := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) -Wno-unused-parameter -Wshadow -Wmissing-prototypes \
            -Wstrict-prototypes -Wformat=2 -Wvla -Wno-missing-field-initializers

BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -DLANESIGHT_VERSION='"$(VERSION)"' \
               -I. -I$(BUILD)/gen -fPIC $(WARNINGS) $(SAN_FLAGS) -MMD -MP

# ---------------------------------------------------------------------------
# Fragments. A */*.mk file adds to these lists and defines per-target variables:
#   LIBRARIES += foo        foo_SOURCES := ...   foo_PKGS := libfoo
#                           (built as $(BUILD)/libfoo.a)
#   PROGRAMS  += bar        bar_SOURCES, bar_LIBS := foo (link order), bar_PKGS,
#                           bar_INSTALL := bin|sbin|libexec|  (empty: not installed)
#   TESTS     += $(BUILD)/tests/test-x   (programs or tests/*.sh run by make check)
#   TEST_PROGRAMS += test-x (a PROGRAMS entry built under $(BUILD)/tests/)
#   BENCHES   += commands run by make bench
#   FETCH     += downloads make check needs, fetched serially before the parallel build
# Generated sources go under $(BUILD)/gen; fragments add them to GENERATED.
# ---------------------------------------------------------------------------
LIBRARIES :=
PROGRAMS :=
TEST_PROGRAMS :=
TESTS :=
BENCHES :=
GENERATED :=
CLEAN_EXTRA :=
# Downloads (models, test portraits) that make check fetches one after the other before building in parallel.
FETCH =

all: build-all

include $(sort $(wildcard */*.mk) $(wildcard */*/*.mk))

# Silent: before packaging/deps.sh has installed a library its probe fails,
# and the build that follows the installation (a sub-make) probes again.
pkg_cflags = $(if $(strip $(1)),$(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null))
pkg_libs   = $(if $(strip $(1)),$(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null))

# Objects live under $(BUILD)/obj mirroring the source tree; generated .c
# files under $(BUILD)/gen map to $(BUILD)/obj/gen.
obj_of = $(foreach s,$(filter %.c,$(1)),$(if $(filter $(BUILD)/gen/%,$(s)),\
	$(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(s)),$(patsubst %.c,$(BUILD)/obj/%.o,$(s))))

define library_rules
$(1)_OBJS := $$(call obj_of,$$($(1)_SOURCES))
$$($(1)_OBJS): EXTRA_CFLAGS := $$(call pkg_cflags,$$($(1)_PKGS)) $$($(1)_CFLAGS)
$(BUILD)/lib$(1).a: $$($(1)_OBJS) $$(call list_stamp,lib$(1),$$($(1)_OBJS))
	@mkdir -p $$(@D)
	$$(if $(Q),@echo "  AR      $$@")
	$(Q)rm -f $$@ && ar rcs $$@ $$($(1)_OBJS)
ALL_OBJS += $$($(1)_OBJS)
endef

# A file whose content is a target's input list, rewritten only when the list
# changes: a target depending on it is rebuilt when an input is dropped (an
# archive would otherwise keep the stale member).
list_stamp = $(BUILD)/.lists/$(1)$(shell mkdir -p $(BUILD)/.lists; \
	echo '$(strip $(2))' | cmp -s - $(BUILD)/.lists/$(1) || echo '$(strip $(2))' > $(BUILD)/.lists/$(1))

prog_dir = $(if $(filter $(1),$(TEST_PROGRAMS)),$(BUILD)/tests,$(BUILD))
all_pkgs = $($(1)_PKGS) $(foreach l,$($(1)_LIBS),$($(l)_PKGS))

define program_rules
$(1)_OBJS := $$(call obj_of,$$($(1)_SOURCES))
$(1)_PATH := $$(call prog_dir,$(1))/$(1)
$$($(1)_OBJS): EXTRA_CFLAGS := $$(call pkg_cflags,$$(call all_pkgs,$(1))) $$($(1)_CFLAGS)
$$($(1)_PATH): $$($(1)_OBJS) $$(foreach l,$$($(1)_LIBS),$(BUILD)/lib$$(l).a) \
		$$(call list_stamp,$(1),$$($(1)_OBJS) $$($(1)_LIBS))
	@mkdir -p $$(@D)
	$$(if $(Q),@echo "  LD      $$@")
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) $(LDFLAGS) -o $$@ $$($(1)_OBJS) \
		$$(foreach l,$$($(1)_LIBS),$(BUILD)/lib$$(l).a) \
		$$(call pkg_libs,$$(call all_pkgs,$(1))) $$($(1)_LDLIBS) -lm -lpthread
ALL_OBJS += $$($(1)_OBJS)
endef

$(foreach l,$(LIBRARIES),$(eval $(call library_rules,$(l))))
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))

ALL_PROGRAM_PATHS := $(foreach p,$(PROGRAMS),$($(p)_PATH))

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c | $(GENERATED) features
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(EXTRA_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.c | $(GENERATED) features
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(BASE_CFLAGS) $(EXTRA_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

-include $(ALL_OBJS:.o=.d)

# What ships (an _INSTALL directory), and everything (tests, tools, benches).
SHIP_PROGRAM_PATHS := $(foreach p,$(PROGRAMS),$(if $($(p)_INSTALL),$($(p)_PATH)))
build-all: $(SHIP_PROGRAM_PATHS)
build-tests: $(ALL_PROGRAM_PATHS)

# The optional backends: the verdict of config.mk's probes, said once per
# build, at build time (after packaging/deps.sh, never before it). Loud when
# auto leaves a backend out; fatal when it was asked for.
feature_msg = printf '%s\n' "*** WARNING: the $(1) backend is NOT built: $(strip $(2)) not found ($(3)=auto)." \
	"*** Its tests will not run. Install it (packaging/deps.sh) or pass $(3)=no to silence this." >&2
feature_err = echo "error: $(3)=yes, but $(strip $(2)) not found (packaging/deps.sh installs it)" >&2; exit 1
feature_check = $(if $(2),$(if $(filter yes,$(3)),$(call feature_err,$(1),$(2),$(4)),$(call feature_msg,$(1),$(2),$(4))),:)
features:
	@$(call feature_check,Vulkan,$(VK_MISSING),$(VULKAN),VULKAN)
	@$(call feature_check,OpenCL,$(CL_MISSING),$(OPENCL),OPENCL)

# ---------------------------------------------------------------------------
# The two quick-start commands, and the other entry points.
# ---------------------------------------------------------------------------
deps:
	$(Q)packaging/deps.sh check

TEST_TIMEOUT ?= 600
# The build step runs in parallel even when make was called without -j.
NPROC := $(shell nproc 2>/dev/null || echo 2)
# This make read the fragments before deps installed anything (glslc, say):
# its FETCH, TESTS and pkg-config flags may be short. So everything after
# deps runs in a sub-make, which reads them again; check-run is that part.
check: deps
	$(Q)$(MAKE) --no-print-directory check-run

check-run:
	$(Q)$(if $(strip $(FETCH)),$(MAKE) --no-print-directory $(FETCH))
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) build-tests $(TESTS)
	$(Q)tests/run-tests.sh --timeout $(if $(filter 1,$(VALGRIND)),1800,$(TEST_TIMEOUT)) \
		$(if $(filter 1,$(VALGRIND)),--valgrind) $(TESTS)

bench: deps
	$(Q)$(MAKE) --no-print-directory build-tests
	$(Q)set -e; $(foreach b,$(BENCHES),$(b);)

install: build-all
	$(Q)set -e; $(foreach p,$(PROGRAMS),$(if $($(p)_INSTALL), \
		install -D -m 0755 $($(p)_PATH) $(DESTDIR)$(if $(filter bin,$($(p)_INSTALL)),$(BINDIR),$(if $(filter sbin,$($(p)_INSTALL)),$(SBINDIR),$(LIBEXECDIR)))/$(p);))
	$(Q)$(MAKE) --no-print-directory install-data

install-data::

clean:
	rm -rf build $(CLEAN_EXTRA)

print-%:
	@echo '$*=$($*)'

.PHONY: all build-all build-tests features deps check check-run bench install install-data clean demo vm-check fuzz
.DELETE_ON_ERROR:
