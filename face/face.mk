# Face domain logic: BlazeFace decoding, alignment, templates, matching, image decoding.
LIBRARIES += face
face_SOURCES := face/detect.c face/align.c face/template.c face/match.c \
                face/image.c face/quality.c face/track.c face/reference.c
face_PKGS := libjpeg libpng libopenjp2 zlib

PROGRAMS += test-face-geometry test-face-template test-face-image test-face-quality
TEST_PROGRAMS += test-face-geometry test-face-template test-face-image test-face-quality
test-face-geometry_SOURCES := tests/unit/test-face-geometry.c
test-face-geometry_LIBS := face
test-face-template_SOURCES := tests/unit/test-face-template.c
test-face-template_LIBS := face
test-face-image_SOURCES := tests/unit/test-face-image.c
test-face-image_LIBS := face
test-face-quality_SOURCES := tests/unit/test-face-quality.c
test-face-quality_LIBS := face
TESTS += $(BUILD)/tests/test-face-quality $(BUILD)/tests/test-face-geometry $(BUILD)/tests/test-face-template $(BUILD)/tests/test-face-image

# The pipeline links the engine; kept apart so the domain logic above stays engine-free.
LIBRARIES += facepipe
facepipe_SOURCES := face/pipeline.c
FACE_PIPELINE_LIBS = facepipe face $(GPU_ENGINE_LIBS) gpupre

# On real faces: needs the models and the portraits (fetched by make check).
PROGRAMS += test-face-pipeline
TEST_PROGRAMS += test-face-pipeline
test-face-pipeline_SOURCES := tests/unit/test-face-pipeline.c
test-face-pipeline_LIBS = $(FACE_PIPELINE_LIBS)
TESTS += $(BUILD)/tests/test-face-pipeline
$(BUILD)/tests/test-face-pipeline: | $(MODEL_FILES) $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT)
export LANESIGHT_TEST_MODELS = $(abspath $(MODELS_DIR))
export LANESIGHT_TEST_PORTRAIT = $(abspath $(DEMO_PORTRAIT))
export LANESIGHT_TEST_IMPOSTOR = $(abspath $(IMPOSTOR_PORTRAIT))

# Backend parity of the whole pipeline (lavapipe and PoCL in make check).
PROGRAMS += test-face-backends
TEST_PROGRAMS += test-face-backends
test-face-backends_SOURCES := tests/gpu/test-face-backends.c
test-face-backends_LIBS = $(FACE_PIPELINE_LIBS)
TESTS += $(BUILD)/tests/test-face-backends
$(BUILD)/tests/test-face-backends: | $(MODEL_FILES) $(DEMO_PORTRAIT) $(IMPOSTOR_PORTRAIT)

# Reference photos judged as captures (issue 12), on real faces and through lanesightctl.
PROGRAMS += test-face-reference
TEST_PROGRAMS += test-face-reference
test-face-reference_SOURCES := tests/unit/test-face-reference.c
test-face-reference_LIBS = $(FACE_PIPELINE_LIBS)
TESTS += $(BUILD)/tests/test-face-reference
$(BUILD)/tests/test-face-reference: | $(MODEL_FILES) $(DEMO_PORTRAIT) $(BUILD)/lanesightctl

# make bench: the frame path per backend (bytes per frame, detect and capture latency).
PROGRAMS += bench-frame-path
TEST_PROGRAMS += bench-frame-path
bench-frame-path_SOURCES := tests/gpu/bench-frame-path.c
bench-frame-path_LIBS = $(FACE_PIPELINE_LIBS)
BENCHES += $(BUILD)/tests/bench-frame-path
$(BUILD)/tests/bench-frame-path: | $(MODEL_FILES) $(DEMO_PORTRAIT)
