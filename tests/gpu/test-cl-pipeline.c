/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The zero-copy pipeline: a YUYV frame in a page-aligned mapping is imported,
 * preprocessed on the device straight into a model's input and run, compared
 * with the CPU path (gpu_pre_run_cpu + the CPU backend). Tolerance: 1e-3
 * absolute + 1e-4 relative on the model output (the preprocessing is bit-exact
 * on PoCL; the conv accumulates in float on the device, double on the CPU).
 */
#include <linux/videodev2.h>
#include <math.h>
#include <sys/mman.h>

#include "gpu/backend.h"
#include "gpu/preprocess.h"
#include "tests/gpu/test-cl-util.h"

#define FW 40
#define FH 24
#define OW 16
#define OH 16

static struct gpu_graph *model_graph(void) {
        struct gpu_graph *g = gpu_graph_new();
        ASSERT_TRUE(g);
        int x = gpu_graph_add_tensor(g, "x", GPU_TENSOR_INPUT);
        ASSERT_OK(x);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[x], 4, (const int64_t[]) { 1, 3, OH, OW }));
        g->inputs = calloc(1, sizeof(int));
        g->outputs = calloc(1, sizeof(int));
        ASSERT_TRUE(g->inputs && g->outputs);
        g->inputs[0] = x, g->n_inputs = 1;
        int w = gpu_graph_add_tensor(g, "w", GPU_TENSOR_CONSTANT);
        ASSERT_OK(w);
        ASSERT_OK(gpu_tensor_set_shape(&g->tensors[w], 4, (const int64_t[]) { 4, 3, 3, 3 }));
        g->tensors[w].data = malloc(4 * 27 * sizeof(float));
        ASSERT_TRUE(g->tensors[w].data);
        for (int i = 0; i < 108; i++)
                g->tensors[w].data[i] = (float) ((i * 37) % 17 - 8) / 8.0f;
        int ni = gpu_graph_add_node(g, "conv", GPU_OP_CONV);
        ASSERT_OK(ni);
        int y = gpu_graph_add_tensor(g, "y", GPU_TENSOR_ACTIVATION);
        ASSERT_OK(y);
        struct gpu_node *n = &g->nodes[ni];
        n->inputs[0] = x, n->inputs[1] = w, n->n_inputs = 2, n->output = y;
        n->conv = (struct gpu_conv_attrs) { .stride = { 2, 2 }, .dilation = { 1, 1 }, .pad = { 1, 1, 1, 1 }, .group = 1 };
        n->act.type = GPU_ACT_RELU;
        g->tensors[y].producer = ni;
        g->tensors[y].is_output = true;
        g->outputs[0] = y, g->n_outputs = 1;
        char err[256];
        ASSERT_OK(gpu_graph_infer_shapes(g, err, sizeof err));
        ASSERT_OK(gpu_graph_plan(g));
        return g;
}

static void test_frame_to_model(void) {
        static const struct gpu_pre_output o = {
                .width = OW, .height = OH, .layout = GPU_PRE_NCHW, .order = GPU_PRE_BGR,
                .mean = { 127.0f, 127.0f, 127.0f }, .scale = { 1 / 128.0f, 1 / 128.0f, 1 / 128.0f },
        };
        _cleanup_(gpu_graph_freep) struct gpu_graph *g = model_graph();
        char err[256] = "";
        void *ctx = NULL, *model = NULL;
        int r = gpu_cl_backend_ctx_new(NULL, &ctx, err, sizeof err);
        if (r == -ENODEV)
                test_skip("%s", err);
        ASSERT_OK(r);
        r = gpu_cl_backend_ops.model_new(ctx, g, &model, err, sizeof err);
        if (r < 0)
                fprintf(stderr, "  %s\n", err);
        ASSERT_OK(r);
        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *pre = NULL;
        ASSERT_OK(gpu_cl_pre_new(ctx, &o, &pre));
        _cleanup_(gpu_cl_importer_freep) struct gpu_cl_importer *im = NULL;
        ASSERT_OK(gpu_cl_importer_new(ctx, NULL, &im));

        _cleanup_(gpu_backend_freep) struct gpu_backend *cpu = NULL;
        _cleanup_(gpu_model_freep) struct gpu_model *mc = NULL;
        ASSERT_OK(gpu_backend_new("cpu", &(struct gpu_backend_params) { .n_threads = 1, .device = "reference" }, &cpu,
                                  err, sizeof err));
        ASSERT_OK(gpu_model_new(cpu, g, &mc, err, sizeof err));

        /* A YUYV frame with a padded stride, as a capture driver hands it out. */
        size_t stride = FW * 2 + 32, len = ALIGN_UP(stride * FH, 4096);
        uint8_t *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ASSERT_TRUE(map != MAP_FAILED);
        struct cam_frame f = {
                .fourcc = V4L2_PIX_FMT_YUYV, .width = FW, .height = FH, .n_memory = 1, .n_planes = 1,
                .memory[0] = { .dmabuf_fd = -EBADF, .data = map, .length = len, .bytesused = stride * FH },
                .planes[0] = { .memory = 0, .offset = 0, .stride = (uint32_t) stride },
        };
        struct gpu_pre_xform x;
        ASSERT_OK(gpu_pre_letterbox(FW, FH, &(struct gpu_pre_roi) { 4, 2, 30, 20 }, OW, OH, &x));
        size_t n_out = g->tensors[g->outputs[0]].count;
        float in_cpu[3 * OW * OH], out_cpu[4 * (OH / 2) * (OW / 2)], out_cl[4 * (OH / 2) * (OW / 2)];
        ASSERT_EQ(n_out, ELEMENTSOF(out_cpu));
        double worst = 0;

        for (unsigned frame = 0; frame < 3; frame++) {
                uint32_t s = 77 + frame;
                for (size_t i = 0; i < stride * FH; i++) {
                        s = s * 1664525u + 1013904223u;
                        map[i] = (uint8_t) (s >> 24);
                }
                f.sequence = frame;
                ASSERT_OK(gpu_cl_model_preprocess(model, 0, pre, im, &f, &x));
                ASSERT_OK(gpu_cl_backend_ops.run(model));
                ASSERT_OK(gpu_cl_backend_ops.get_output(model, 0, out_cl, n_out));

                ASSERT_OK(gpu_pre_run_cpu(&f, &o, &x, in_cpu));
                ASSERT_OK(gpu_model_set_input(mc, 0, in_cpu, 3 * OW * OH));
                ASSERT_OK(gpu_model_run(mc));
                ASSERT_OK(gpu_model_get_output(mc, 0, out_cpu, n_out));
                for (size_t i = 0; i < n_out; i++) {
                        double d = fabs((double) out_cpu[i] - out_cl[i]);
                        ASSERT_TRUE(d <= 1e-3 + 1e-4 * fabs(out_cpu[i]));
                        worst = MAX(worst, d);
                }
        }
        struct gpu_cl_import_stats st;
        gpu_cl_importer_stats(im, &st);
        fprintf(stderr, "  max |cl - cpu| = %.3g; import '%s', %llu bytes copied, %llu frames\n", worst,
                gpu_cl_import_path_to_string(st.path), (unsigned long long) st.bytes_copied,
                (unsigned long long) st.frames);
        ASSERT_EQ(st.frames, 3);
        ASSERT_EQ(st.imports, 1);
        if (st.path == GPU_CL_IMPORT_HOST)
                ASSERT_EQ(st.bytes_copied, 0);

        /* Wrong input index, an output size that does not match the input, another context. */
        ASSERT_ERR(gpu_cl_model_preprocess(model, 1, pre, im, &f, &x), ERANGE);
        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *small = NULL;
        struct gpu_pre_output o2 = o;
        o2.width = 8;
        ASSERT_OK(gpu_cl_pre_new(ctx, &o2, &small));
        ASSERT_ERR(gpu_cl_model_preprocess(model, 0, small, im, &f, &x), EINVAL);
        _cleanup_(gpu_cl_ctx_freep) struct gpu_cl_ctx *other = test_cl_ctx(NULL);
        _cleanup_(gpu_cl_pre_freep) struct gpu_cl_pre *foreign = NULL;
        ASSERT_OK(gpu_cl_pre_new(other, &o, &foreign));
        ASSERT_ERR(gpu_cl_model_preprocess(model, 0, foreign, im, &f, &x), EXDEV);

        gpu_cl_importer_flush(im);
        gpu_cl_backend_ops.model_free(model);
        munmap(map, len);
        /* pre and im are freed by their cleanups after ctx: free them first. */
        pre = gpu_cl_pre_free(pre);
        small = gpu_cl_pre_free(small);
        im = gpu_cl_importer_free(im);
        gpu_cl_backend_ops.ctx_free(ctx);
}

TEST_MAIN(TEST_CASE(test_frame_to_model));
