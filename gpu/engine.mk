# Inference engine (issue 3): ONNX loader, graph, shape inference, rewrites,
# memory plan, backend registry, CPU backend executor, lanesight-infer.
#
# Libraries, in link order (use $(GPU_ENGINE_LIBS) in a program's _LIBS):
#   gpureg   backend registry (references every backend's ops table)
#   $(GPU_VK_BACKEND) $(GPU_CL_BACKEND)   GPU backends, set by their fragments
#   gpu      graph, loader, passes, CPU backend executor and reference ops
#   gpukern  CPU kernels (gpu/cpu/kernels.mk)

$(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h &: gpu/onnx.proto
	@mkdir -p $(BUILD)/gen
	$(if $(Q),@echo "  PROTOC  $@")
	$(Q)protoc-c --proto_path=gpu --c_out=$(BUILD)/gen gpu/onnx.proto

GENERATED += $(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h

LIBRARIES += gpureg
# Recursive (=): the GPU fragments are read after this one.
gpureg_SOURCES = gpu/backend.c \
        $(if $(GPU_VK_BACKEND),,gpu/backend-stub-vk.c) \
        $(if $(GPU_CL_BACKEND),,gpu/backend-stub-cl.c)

LIBRARIES += gpu
gpu_SOURCES := gpu/graph.c gpu/onnx.c gpu/shape.c gpu/optimize.c gpu/plan.c \
        gpu/cpu/backend.c gpu/cpu/ops-nn.c gpu/cpu/ops-tensor.c gpu/cpu/ops-fast.c $(BUILD)/gen/onnx.pb-c.c
gpu_PKGS := libprotobuf-c

# gpupre last: the registry and the CPU backend preprocess frames on the CPU.
GPU_ENGINE_LIBS = gpureg $(GPU_VK_BACKEND) $(GPU_CL_BACKEND) gpu gpukern gpupre
