# OpenCL backend: libgpucl.a, kernels embedded from gpu/cl/kernels/*.cl.
# Built when config.mk's OPENCL switch (yes|no|auto) finds OpenCL.pc;
# otherwise gpu/backend-stub-cl.c stands in.
ifeq ($(GPU_CL_AVAILABLE),yes)
GPU_CL_KERNELS := $(sort $(wildcard gpu/cl/kernels/*.cl))

$(BUILD)/gen/gpu-cl-kernels.h: gpu/cl/embed.sh $(GPU_CL_KERNELS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  EMBED   $@")
	$(Q)sh gpu/cl/embed.sh h $@ $(GPU_CL_KERNELS)

$(BUILD)/gen/gpu-cl-kernels.c: gpu/cl/embed.sh $(GPU_CL_KERNELS)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  EMBED   $@")
	$(Q)sh gpu/cl/embed.sh c $@ $(GPU_CL_KERNELS)

GENERATED += $(BUILD)/gen/gpu-cl-kernels.h $(BUILD)/gen/gpu-cl-kernels.c

LIBRARIES += gpucl
gpucl_SOURCES := gpu/cl/context.c gpu/cl/program.c gpu/cl/import.c gpu/cl/preprocess.c gpu/cl/backend.c $(BUILD)/gen/gpu-cl-kernels.c
gpucl_PKGS := OpenCL

# Registers the backend with gpu/engine.mk (replaces gpu/backend-stub-cl.c);
# gpupre: the preprocessing definition the kernels are checked against.
GPU_CL_BACKEND := gpucl gpupre
endif
