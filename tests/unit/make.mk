# The build system itself: fragment order, clean-tree builds, flags and switches.
TESTS += tests/unit/test-make-order.sh

# make models MODELS_FROM=DIR: verified copies, no npm (the package builds' path).
TESTS += tests/unit/test-models-from.sh
tests/unit/test-models-from.sh: $(MODEL_FILES)
