# lanesight-infer: run an ONNX model on a backend (issue 3).
PROGRAMS += lanesight-infer
lanesight-infer_SOURCES := tools/infer.c
lanesight-infer_LIBS = $(GPU_ENGINE_LIBS)
lanesight-infer_INSTALL := bin
MAN_PAGES += docs/man/lanesight-infer.1
