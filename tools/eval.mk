# Evaluation on labelled face data (not part of make check: the data is not shipped).
#   make eval DATA=../shared/data
PROGRAMS += lanesight-eval
lanesight-eval_SOURCES := tools/eval-faces.c
lanesight-eval_LIBS = $(FACE_PIPELINE_LIBS)

DATA ?= ../shared/data
eval: $(BUILD)/lanesight-eval models
	$(Q)tests/eval/run-eval.sh --build $(BUILD) --models $(MODELS_DIR) $(DATA)
.PHONY: eval
