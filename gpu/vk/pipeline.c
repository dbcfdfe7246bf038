/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Compute pipelines: an embedded shader (enum gpu_shader_id), storage-buffer
 * bindings 0..n-1, push constants, specialization constants 0..n-1 for op
 * parameters and shapes, 100..102 for the local size. Built when a model is
 * prepared, through the context's pipeline cache. Each pipeline owns the
 * descriptor pool its sets come from.
 */
#include "gpu/vk/vk-internal.h"

/* A failed build that is not about memory or the device is a shader problem. */
static int build_error(int r) {
        return r == -ENOMEM || r == -ENODEV ? r : -ENOEXEC;
}

static int create_layouts(struct gpu_vk_pipeline *pl, const struct gpu_vk_pipeline_params *p) {
        struct gpu_vk_ctx *vk = pl->vk;
        VkDescriptorSetLayoutBinding b[GPU_VK_MAX_BINDINGS];

        for (uint32_t i = 0; i < p->n_bindings; i++)
                b[i] = (VkDescriptorSetLayoutBinding) {
                        .binding = i,
                        .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                        .descriptorCount = 1,
                        .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
                };
        VkDescriptorSetLayoutCreateInfo sl = {
                .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                .bindingCount = p->n_bindings,
                .pBindings = b,
        };
        VK_TRY(vk, vkCreateDescriptorSetLayout(vk->dev, &sl, NULL, &pl->set_layout));

        VkPushConstantRange range = {
                .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
                .size = p->push_size,
        };
        VkPipelineLayoutCreateInfo li = {
                .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                .setLayoutCount = 1,
                .pSetLayouts = &pl->set_layout,
                .pushConstantRangeCount = p->push_size ? 1 : 0,
                .pPushConstantRanges = &range,
        };
        VK_TRY(vk, vkCreatePipelineLayout(vk->dev, &li, NULL, &pl->layout));

        VkDescriptorPoolSize ps = {
                .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                .descriptorCount = MAX(p->n_bindings, 1u) * MAX(p->max_sets, 1u),
        };
        VkDescriptorPoolCreateInfo pi = {
                .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                .maxSets = MAX(p->max_sets, 1u),
                .poolSizeCount = 1,
                .pPoolSizes = &ps,
        };
        VK_TRY(vk, vkCreateDescriptorPool(vk->dev, &pi, NULL, &pl->pool));
        return 0;
}

static int create_pipeline(struct gpu_vk_pipeline *pl, const struct gpu_vk_pipeline_params *p) {
        struct gpu_vk_ctx *vk = pl->vk;
        const struct gpu_vk_shader *s = &gpu_vk_shaders[p->shader];
        VkSpecializationMapEntry map[GPU_VK_MAX_SPEC + 3];
        uint32_t data[GPU_VK_MAX_SPEC + 3];
        uint32_t n = 0;

        VkShaderModuleCreateInfo mi = {
                .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
                .codeSize = s->size,
                .pCode = s->code,
        };
        VK_TRY(vk, vkCreateShaderModule(vk->dev, &mi, NULL, &pl->module));
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_SHADER_MODULE, pl->module, s->name);

        for (uint32_t i = 0; i < p->n_spec; i++, n++) {
                map[n] = (VkSpecializationMapEntry) { .constantID = i, .offset = n * 4, .size = 4 };
                data[n] = p->spec[i];
        }
        for (uint32_t i = 0; i < 3; i++, n++) {
                map[n] = (VkSpecializationMapEntry) {
                        .constantID = GPU_VK_SPEC_LOCAL_SIZE_ID + i, .offset = n * 4, .size = 4,
                };
                data[n] = pl->local_size[i];
        }
        VkSpecializationInfo spec = {
                .mapEntryCount = n,
                .pMapEntries = map,
                .dataSize = n * 4,
                .pData = data,
        };
        VkComputePipelineCreateInfo ci = {
                .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
                .stage = {
                        .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                        .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                        .module = pl->module,
                        .pName = "main",
                        .pSpecializationInfo = &spec,
                },
                .layout = pl->layout,
        };
        VK_TRY(vk, vkCreateComputePipelines(vk->dev, vk->pipeline_cache, 1, &ci, NULL, &pl->pipeline));
        return 0;
}

int gpu_vk_pipeline_new(struct gpu_vk_ctx *vk, const struct gpu_vk_pipeline_params *p,
                        struct gpu_vk_pipeline **ret) {
        _cleanup_(gpu_vk_pipeline_freep) struct gpu_vk_pipeline *pl = NULL;
        int r;

        if (!p || (unsigned) p->shader >= _GPU_SHADER_MAX || p->n_bindings > GPU_VK_MAX_BINDINGS ||
            p->n_spec > GPU_VK_MAX_SPEC || p->push_size % 4 != 0 || (p->n_spec > 0 && !p->spec))
                return -EINVAL;
        if (p->push_size > vk->caps.max_push_constants)
                return -EOPNOTSUPP;

        pl = calloc(1, sizeof(*pl));
        if (!pl)
                return -ENOMEM;
        pl->vk = vk;
        pl->n_bindings = p->n_bindings;
        pl->push_size = p->push_size;
        for (unsigned i = 0; i < 3; i++)
                pl->local_size[i] = p->local_size[i] ?: 1;

        r = create_layouts(pl, p);
        if (r < 0)
                return r;
        r = create_pipeline(pl, p);
        if (r < 0)
                return ls_debug_errno(build_error(r), "cannot build pipeline '%s'", strna(p->name));
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_PIPELINE, pl->pipeline, p->name);
        *ret = TAKE_PTR(pl);
        return 0;
}

struct gpu_vk_pipeline *gpu_vk_pipeline_free(struct gpu_vk_pipeline *pl) {
        if (!pl)
                return NULL;
        VkDevice dev = pl->vk->dev;
        if (pl->pipeline)
                vkDestroyPipeline(dev, pl->pipeline, NULL);
        if (pl->pool)
                vkDestroyDescriptorPool(dev, pl->pool, NULL);   /* frees its sets */
        if (pl->layout)
                vkDestroyPipelineLayout(dev, pl->layout, NULL);
        if (pl->set_layout)
                vkDestroyDescriptorSetLayout(dev, pl->set_layout, NULL);
        if (pl->module)
                vkDestroyShaderModule(dev, pl->module, NULL);
        free(pl);
        return NULL;
}

void gpu_vk_pipeline_update(struct gpu_vk_pipeline *pl, VkDescriptorSet set, struct gpu_vk_buffer *const *bufs) {
        VkDescriptorBufferInfo bi[GPU_VK_MAX_BINDINGS];
        VkWriteDescriptorSet w[GPU_VK_MAX_BINDINGS];

        for (uint32_t i = 0; i < pl->n_bindings; i++) {
                bi[i] = (VkDescriptorBufferInfo) { .buffer = bufs[i]->buffer, .range = VK_WHOLE_SIZE };
                w[i] = (VkWriteDescriptorSet) {
                        .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                        .dstSet = set,
                        .dstBinding = i,
                        .descriptorCount = 1,
                        .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                        .pBufferInfo = &bi[i],
                };
        }
        vkUpdateDescriptorSets(pl->vk->dev, pl->n_bindings, w, 0, NULL);
}

int gpu_vk_pipeline_bind(struct gpu_vk_pipeline *pl, struct gpu_vk_buffer *const *bufs, VkDescriptorSet *ret) {
        struct gpu_vk_ctx *vk = pl->vk;
        VkDescriptorSet set;

        VkDescriptorSetAllocateInfo ai = {
                .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                .descriptorPool = pl->pool,
                .descriptorSetCount = 1,
                .pSetLayouts = &pl->set_layout,
        };
        VK_TRY(vk, vkAllocateDescriptorSets(vk->dev, &ai, &set));
        gpu_vk_pipeline_update(pl, set, bufs);
        *ret = set;
        return 0;
}
