/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Storage buffers: device-local ones for tensors, host-visible ones for
 * staging and readback, and wrappers around imported memory.
 */
#include "gpu/vk/vk-internal.h"

#define STORAGE_USAGE (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | \
                       VK_BUFFER_USAGE_TRANSFER_DST_BIT)

int gpu_vk_buffer_new(struct gpu_vk_ctx *vk, const struct gpu_vk_buffer_params *p, struct gpu_vk_buffer **ret) {
        _cleanup_(gpu_vk_buffer_freep) struct gpu_vk_buffer *b = NULL;
        VkMemoryRequirements req;
        int r;

        if (!p || p->size == 0)
                return -EINVAL;
        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->vk = vk;
        b->size = p->size;

        VkBufferCreateInfo info = {
                .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                .size = p->size,
                .usage = STORAGE_USAGE,
                .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
        };
        VK_TRY(vk, vkCreateBuffer(vk->dev, &info, NULL, &b->buffer));
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_BUFFER, b->buffer, p->name);
        vkGetBufferMemoryRequirements(vk->dev, b->buffer, &req);

        if (p->host_visible)
                r = gpu_vk_memory_alloc_for_buffer(vk, b->buffer, req.size, req.memoryTypeBits,
                                                   VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                           VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                                   VK_MEMORY_PROPERTY_HOST_CACHED_BIT, NULL, &b->memory);
        else
                r = gpu_vk_memory_alloc_for_buffer(vk, b->buffer, req.size, req.memoryTypeBits, 0,
                                                   VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, NULL, &b->memory);
        if (r < 0)
                return r;
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_DEVICE_MEMORY, b->memory, p->name);
        if (p->host_visible)
                VK_TRY(vk, vkMapMemory(vk->dev, b->memory, 0, VK_WHOLE_SIZE, 0, &b->map));

        *ret = TAKE_PTR(b);
        return 0;
}

int gpu_vk_buffer_wrap(struct gpu_vk_ctx *vk, VkBuffer buffer, VkDeviceMemory memory, VkDeviceSize size,
                       struct gpu_vk_buffer **ret) {
        struct gpu_vk_buffer *b = calloc(1, sizeof(*b));

        if (!b)
                return -ENOMEM;
        *b = (struct gpu_vk_buffer) { .vk = vk, .buffer = buffer, .memory = memory, .size = size };
        *ret = b;
        return 0;
}

struct gpu_vk_buffer *gpu_vk_buffer_free(struct gpu_vk_buffer *b) {
        if (!b)
                return NULL;
        if (b->buffer)
                vkDestroyBuffer(b->vk->dev, b->buffer, NULL);
        if (b->memory)
                vkFreeMemory(b->vk->dev, b->memory, NULL);   /* unmaps too */
        free(b);
        return NULL;
}
