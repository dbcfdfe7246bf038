/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Command buffers: one buffer + fence per user (a model, a preprocessing
 * pipeline), recorded once and submitted for every inference; the caller
 * waits on the fence with a timeout. Each cmd has its own pool so different
 * users need no locking between them.
 */
#include "gpu/vk/vk-internal.h"

int gpu_vk_cmd_new(struct gpu_vk_ctx *vk, const char *name, struct gpu_vk_cmd **ret) {
        _cleanup_(gpu_vk_cmd_freep) struct gpu_vk_cmd *c = NULL;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->vk = vk;

        VkCommandPoolCreateInfo pi = {
                .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                .queueFamilyIndex = vk->queue_family,
        };
        VK_TRY(vk, vkCreateCommandPool(vk->dev, &pi, NULL, &c->pool));
        VkCommandBufferAllocateInfo ai = {
                .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                .commandPool = c->pool,
                .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                .commandBufferCount = 1,
        };
        VK_TRY(vk, vkAllocateCommandBuffers(vk->dev, &ai, &c->cb));
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_COMMAND_BUFFER, c->cb, name);
        VkFenceCreateInfo fi = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO };
        VK_TRY(vk, vkCreateFence(vk->dev, &fi, NULL, &c->fence));
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_FENCE, c->fence, name);

        *ret = TAKE_PTR(c);
        return 0;
}

struct gpu_vk_cmd *gpu_vk_cmd_free(struct gpu_vk_cmd *c) {
        if (!c)
                return NULL;
        VkDevice dev = c->vk->dev;
        /* A failed wait means still running or hung: destroying now would free what the GPU uses. */
        if (c->pending && vkWaitForFences(dev, 1, &c->fence, VK_TRUE, c->vk->timeout_ns) != VK_SUCCESS)
                (void) vkDeviceWaitIdle(dev);
        if (c->fence)
                vkDestroyFence(dev, c->fence, NULL);
        if (c->pool)
                vkDestroyCommandPool(dev, c->pool, NULL);       /* frees cb */
        free(c);
        return NULL;
}

int gpu_vk_cmd_begin(struct gpu_vk_cmd *c) {
        int r;

        if (c->recording)
                return -EBUSY;
        /*
         * A submit whose wait timed out (a slow device, not a lost one) may
         * still run: wait for it (bounded) before reusing its command buffer,
         * so that one slow submit costs one failure, not every later one.
         */
        r = gpu_vk_cmd_wait(c, c->vk->timeout_ns);
        if (r < 0)
                return r == -ETIMEDOUT ? -EBUSY : r;
        VK_TRY(c->vk, vkResetCommandBuffer(c->cb, 0));
        c->recorded = false;
        VkCommandBufferBeginInfo bi = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO };
        VK_TRY(c->vk, vkBeginCommandBuffer(c->cb, &bi));
        c->recording = true;
        return 0;
}

void gpu_vk_cmd_dispatch(struct gpu_vk_cmd *c, const struct gpu_vk_pipeline *pl, VkDescriptorSet set,
                         const void *push, uint32_t gx, uint32_t gy, uint32_t gz) {
        vkCmdBindPipeline(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl->pipeline);
        vkCmdBindDescriptorSets(c->cb, VK_PIPELINE_BIND_POINT_COMPUTE, pl->layout, 0, 1, &set, 0, NULL);
        if (pl->push_size && push)
                vkCmdPushConstants(c->cb, pl->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, pl->push_size, push);
        vkCmdDispatch(c->cb, gx, gy, gz);
}

void gpu_vk_cmd_barrier(struct gpu_vk_cmd *c) {
        VkMemoryBarrier b = {
                .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT |
                                 VK_ACCESS_TRANSFER_WRITE_BIT,
                .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                 VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT,
        };
        vkCmdPipelineBarrier(c->cb,
                             VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT |
                                     VK_PIPELINE_STAGE_TRANSFER_BIT,
                             VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT |
                                     VK_PIPELINE_STAGE_TRANSFER_BIT,
                             0, 1, &b, 0, NULL, 0, NULL);
}

int gpu_vk_cmd_end(struct gpu_vk_cmd *c) {
        if (!c->recording)
                return -EINVAL;
        c->recording = false;
        VK_TRY(c->vk, vkEndCommandBuffer(c->cb));
        c->recorded = true;
        return 0;
}

int gpu_vk_cmd_submit(struct gpu_vk_cmd *c) {
        if (c->vk->lost)
                return -ENODEV;
        if (!c->recorded)
                return -EINVAL;
        if (c->pending)
                return -EBUSY;
        VK_TRY(c->vk, vkResetFences(c->vk->dev, 1, &c->fence));
        VkSubmitInfo si = {
                .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                .commandBufferCount = 1,
                .pCommandBuffers = &c->cb,
        };
        VK_TRY(c->vk, vkQueueSubmit(c->vk->queue, 1, &si, c->fence));
        c->pending = true;
        return 0;
}

int gpu_vk_cmd_wait(struct gpu_vk_cmd *c, uint64_t timeout_ns) {
        int r;

        if (!c->pending)
                return 0;
        if (c->vk->lost)
                return -ENODEV;
        r = GPU_VK_CALL(c->vk, vkWaitForFences(c->vk->dev, 1, &c->fence, VK_TRUE, timeout_ns));
        /* Only a completed wait ends the submit; after an error free() still waits (bounded). */
        if (r == 0)
                c->pending = false;
        return r;
}
