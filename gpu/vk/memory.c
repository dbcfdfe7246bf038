/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device memory: choosing a memory type and allocating + binding memory for
 * one buffer. Every allocation is dedicated: a model's tensors live in one
 * arena buffer, so there are few and large allocations.
 */
#include "gpu/vk/vk-internal.h"

int gpu_vk_memory_type(const struct gpu_vk_ctx *vk, uint32_t type_bits, VkMemoryPropertyFlags required,
                       VkMemoryPropertyFlags preferred) {
        int fallback = -ENOMEM;

        for (uint32_t i = 0; i < vk->mem_props.memoryTypeCount; i++) {
                VkMemoryPropertyFlags f = vk->mem_props.memoryTypes[i].propertyFlags;
                if (!(type_bits & (1u << i)) || (f & required) != required)
                        continue;
                if ((f & preferred) == preferred)
                        return (int) i;
                if (fallback < 0)
                        fallback = (int) i;
        }
        return fallback;
}

int gpu_vk_memory_alloc_for_buffer(struct gpu_vk_ctx *vk, VkBuffer buffer, VkDeviceSize size,
                                   uint32_t type_bits, VkMemoryPropertyFlags required,
                                   VkMemoryPropertyFlags preferred, const void *pnext,
                                   VkDeviceMemory *ret) {
        VkDeviceMemory mem = VK_NULL_HANDLE;
        int type, r;

        type = gpu_vk_memory_type(vk, type_bits, required, preferred);
        if (type < 0)
                return ls_debug_errno(type, "no memory type in 0x%x with flags 0x%x", type_bits, required);

        VkMemoryDedicatedAllocateInfo dedicated = {
                .sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO,
                .buffer = buffer,
        };
        VkMemoryAllocateInfo info = {
                .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                /* Imports describe the memory themselves. */
                .pNext = pnext ?: &dedicated,
                .allocationSize = size,
                .memoryTypeIndex = (uint32_t) type,
        };
        VK_TRY(vk, vkAllocateMemory(vk->dev, &info, NULL, &mem));
        r = GPU_VK_CALL(vk, vkBindBufferMemory(vk->dev, buffer, mem, 0));
        if (r < 0) {
                vkFreeMemory(vk->dev, mem, NULL);
                return r;
        }
        *ret = mem;
        return 0;
}
