/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Zero-copy frame import. Each memory buffer of a frame becomes a storage
 * buffer the shaders read, trying in order:
 *   1. dmabuf: VK_EXT_external_memory_dma_buf import of a dup of the fd
 *      (Vulkan owns what it imports, the source keeps its fd);
 *   2. host:   VK_EXT_external_memory_host import of the CPU mapping (page
 *      aligned; the size rounded up to minImportedHostPointerAlignment must
 *      stay inside the mapping's pages);
 *   3. copy:   a host-visible staging buffer, refilled every frame; every byte
 *      copied is counted, so "zero-copy" is measured, not claimed.
 * Imports are cached per buffer index (frame.h: a buffer index keeps its fd
 * and mapping for the whole stream) and dropped by gpu_vk_importer_reset().
 */
#include <fcntl.h>
#include <inttypes.h>

#include "gpu/vk/vk-internal.h"

#define IMPORT_MAX_INDEX 64     /* VIDEO_MAX_FRAME */

static const char *const path_table[_GPU_VK_IMPORT_PATH_MAX] = {
        [GPU_VK_IMPORT_DMABUF] = "dmabuf",
        [GPU_VK_IMPORT_HOST] = "host",
        [GPU_VK_IMPORT_COPY] = "copy",
};

const char *gpu_vk_import_path_to_string(enum gpu_vk_import_path p) {
        return p >= 0 && p < _GPU_VK_IMPORT_PATH_MAX ? path_table[p] : NULL;
}

enum gpu_vk_import_path gpu_vk_import_path_from_string(const char *s) {
        for (int i = 0; s && i < _GPU_VK_IMPORT_PATH_MAX; i++)
                if (streq(s, path_table[i]))
                        return i;
        return _GPU_VK_IMPORT_PATH_INVALID;
}

/* One memory buffer of one buffer index, and what it was imported from. */
struct import_mem {
        struct gpu_vk_buffer *buf;
        enum gpu_vk_import_path path;
        const void *data;
        size_t length;
        int fd;                 /* the source's fd number (not owned), a cache key only */
};

struct import_entry {
        bool valid;
        uint32_t n_memory;
        struct import_mem mem[CAM_FRAME_MAX_MEMORY];
};

struct gpu_vk_importer {
        struct gpu_vk_ctx *vk;
        unsigned allowed;
        struct import_entry entries[IMPORT_MAX_INDEX];
        struct gpu_vk_import_stats stats;
};

static void entry_clear(struct import_entry *e) {
        for (unsigned m = 0; m < CAM_FRAME_MAX_MEMORY; m++)
                e->mem[m].buf = gpu_vk_buffer_free(e->mem[m].buf);
        *e = (struct import_entry) {};
}

int gpu_vk_importer_new(struct gpu_vk_ctx *vk, const struct gpu_vk_importer_params *p,
                        struct gpu_vk_importer **ret) {
        struct gpu_vk_importer *imp;
        unsigned allowed = p ? p->allowed_paths : 0;

        if (!vk || !ret || allowed >= (1u << _GPU_VK_IMPORT_PATH_MAX))
                return -EINVAL;
        imp = calloc(1, sizeof(*imp));
        if (!imp)
                return -ENOMEM;
        imp->vk = vk;
        imp->allowed = allowed ?: (1u << _GPU_VK_IMPORT_PATH_MAX) - 1;
        imp->stats.last_path = _GPU_VK_IMPORT_PATH_INVALID;
        *ret = imp;
        return 0;
}

struct gpu_vk_importer *gpu_vk_importer_free(struct gpu_vk_importer *imp) {
        if (!imp)
                return NULL;
        gpu_vk_importer_reset(imp);
        free(imp);
        return NULL;
}

void gpu_vk_importer_reset(struct gpu_vk_importer *imp) {
        for (unsigned i = 0; i < IMPORT_MAX_INDEX; i++)
                entry_clear(&imp->entries[i]);
}

void gpu_vk_importer_stats(const struct gpu_vk_importer *imp, struct gpu_vk_import_stats *ret) {
        *ret = imp->stats;
}

#define IMPORT_USAGE (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT)

/* What the device says about importing a storage buffer of this handle type. */
static VkExternalMemoryFeatureFlags external_features(struct gpu_vk_ctx *vk, VkExternalMemoryHandleTypeFlagBits type) {
        VkPhysicalDeviceExternalBufferInfo info = {
                .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO,
                .usage = IMPORT_USAGE,
                .handleType = type,
        };
        VkExternalBufferProperties props = { .sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES };

        vkGetPhysicalDeviceExternalBufferProperties(vk->phys, &info, &props);
        return props.externalMemoryProperties.externalMemoryFeatures;
}

static int new_external_buffer(struct gpu_vk_ctx *vk, VkDeviceSize size,
                               VkExternalMemoryHandleTypeFlagBits type, VkBuffer *ret) {
        VkExternalMemoryBufferCreateInfo ext = {
                .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
                .handleTypes = type,
        };
        VkBufferCreateInfo info = {
                .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                .pNext = &ext,
                .size = size,
                .usage = IMPORT_USAGE,
                .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
        };
        VK_TRY(vk, vkCreateBuffer(vk->dev, &info, NULL, ret));
        return 0;
}

static int import_dmabuf(struct gpu_vk_ctx *vk, const struct cam_frame_memory *m, struct gpu_vk_buffer **ret) {
        _cleanup_close_ int fd = -EBADF;
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkMemoryRequirements req;
        off_t size;
        int r;

        VkExternalMemoryFeatureFlags features;

        if (!vk->caps.dmabuf_import)
                return -EOPNOTSUPP;
        if (m->dmabuf_fd < 0)
                return -EBADF;
        features = external_features(vk, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT);
        if (!(features & VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT))
                return -EOPNOTSUPP;
        /* The dma-buf's own size; the buffer must not claim more. */
        size = lseek(m->dmabuf_fd, 0, SEEK_END);
        if (size < 0 || (uint64_t) size < m->length)
                return -EINVAL;

        VkMemoryFdPropertiesKHR fp = { .sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR };
        VK_TRY(vk, vk->vkGetMemoryFdPropertiesKHR(vk->dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
                                                  m->dmabuf_fd, &fp));
        r = new_external_buffer(vk, m->length, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, &buffer);
        if (r < 0)
                return r;
        vkGetBufferMemoryRequirements(vk->dev, buffer, &req);
        if (req.size > (uint64_t) size) {
                vkDestroyBuffer(vk->dev, buffer, NULL);
                return -EINVAL;
        }

        /* A successful import takes ownership of the fd: give Vulkan its own. */
        fd = fcntl(m->dmabuf_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
                r = negative_errno();
                vkDestroyBuffer(vk->dev, buffer, NULL);
                return r;
        }
        /* Some drivers import dma-bufs only as dedicated allocations. */
        VkMemoryDedicatedAllocateInfo dedicated = {
                .sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO,
                .buffer = buffer,
        };
        VkImportMemoryFdInfoKHR imp = {
                .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
                .pNext = features & VK_EXTERNAL_MEMORY_FEATURE_DEDICATED_ONLY_BIT ? &dedicated : NULL,
                .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
                .fd = fd,
        };
        r = gpu_vk_memory_alloc_for_buffer(vk, buffer, req.size, req.memoryTypeBits & fp.memoryTypeBits, 0, 0,
                                           &imp, &memory);
        if (r < 0) {
                vkDestroyBuffer(vk->dev, buffer, NULL);
                return r;
        }
        TAKE_FD(fd);
        r = gpu_vk_buffer_wrap(vk, buffer, memory, m->length, ret);
        if (r < 0) {
                vkDestroyBuffer(vk->dev, buffer, NULL);
                vkFreeMemory(vk->dev, memory, NULL);
        }
        return r;
}

static int import_host(struct gpu_vk_ctx *vk, const struct cam_frame_memory *m, struct gpu_vk_buffer **ret) {
        VkBuffer buffer = VK_NULL_HANDLE;
        VkDeviceMemory memory = VK_NULL_HANDLE;
        VkMemoryRequirements req;
        uint64_t align = vk->caps.min_host_import_align, size, page_end;
        long page = sysconf(_SC_PAGESIZE);
        int r;

        if (!vk->caps.host_import ||
            !(external_features(vk, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT) &
              VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT))
                return -EOPNOTSUPP;
        if (align == 0 || page <= 0 || (uintptr_t) m->data % align != 0)
                return -EINVAL;
        /* Rounding up must not reach past the last page of the mapping. */
        size = ALIGN_UP((uint64_t) m->length, align);
        page_end = ALIGN_UP((uint64_t) m->length, (uint64_t) page);
        if (size > page_end)
                return -EINVAL;

        VkMemoryHostPointerPropertiesEXT hp = { .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT };
        VK_TRY(vk, vk->vkGetMemoryHostPointerPropertiesEXT(
                           vk->dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, m->data, &hp));
        r = new_external_buffer(vk, size, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, &buffer);
        if (r < 0)
                return r;
        vkGetBufferMemoryRequirements(vk->dev, buffer, &req);
        if (req.size > size) {
                vkDestroyBuffer(vk->dev, buffer, NULL);
                return -EINVAL;
        }
        VkImportMemoryHostPointerInfoEXT imp = {
                .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
                .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                .pHostPointer = m->data,
        };
        r = gpu_vk_memory_alloc_for_buffer(vk, buffer, size, req.memoryTypeBits & hp.memoryTypeBits, 0, 0,
                                           &imp, &memory);
        if (r >= 0)
                r = gpu_vk_buffer_wrap(vk, buffer, memory, size, ret);
        if (r < 0) {
                vkDestroyBuffer(vk->dev, buffer, NULL);
                if (memory)
                        vkFreeMemory(vk->dev, memory, NULL);
        }
        return r;
}

static int import_copy(struct gpu_vk_ctx *vk, const struct cam_frame_memory *m, struct gpu_vk_buffer **ret) {
        return gpu_vk_buffer_new(vk, &(struct gpu_vk_buffer_params) {
                                         .size = ALIGN_UP((uint64_t) m->length, 4),
                                         .host_visible = true,
                                         .name = "frame.staging",
                                 }, ret);
}

/* Sets up memory m of an entry, trying the allowed paths in order. */
static int import_memory(struct gpu_vk_importer *imp, const struct cam_frame *f, unsigned m, struct import_mem *ret) {
        static int (*const fns[_GPU_VK_IMPORT_PATH_MAX])(struct gpu_vk_ctx *, const struct cam_frame_memory *,
                                                        struct gpu_vk_buffer **) = {
                [GPU_VK_IMPORT_DMABUF] = import_dmabuf,
                [GPU_VK_IMPORT_HOST] = import_host,
                [GPU_VK_IMPORT_COPY] = import_copy,
        };
        const struct cam_frame_memory *mem = &f->memory[m];
        int r = -EOPNOTSUPP;

        for (int p = 0; p < _GPU_VK_IMPORT_PATH_MAX; p++) {
                struct gpu_vk_buffer *buf = NULL;

                if (!(imp->allowed & (1u << p)))
                        continue;
                r = fns[p](imp->vk, mem, &buf);
                if (r >= 0) {
                        GPU_VK_NAME(imp->vk, VK_OBJECT_TYPE_BUFFER, buf->buffer, "frame.import");
                        ls_debug("frame buffer %u memory %u (%zu bytes): imported via %s", f->index, m,
                                 mem->length, path_table[p]);
                        *ret = (struct import_mem) {
                                .buf = buf, .path = p, .data = mem->data, .length = mem->length,
                                .fd = mem->dmabuf_fd,
                        };
                        imp->stats.imports[p]++;
                        return 0;
                }
                ls_debug("frame buffer %u memory %u: %s import failed: %s", f->index, m, path_table[p],
                         strerror(-r));
                /* A lost device will not do better on the next path. */
                if (gpu_vk_ctx_is_lost(imp->vk))
                        return -ENODEV;
        }
        return r;
}

static bool entry_matches(const struct import_entry *e, const struct cam_frame *f) {
        if (!e->valid || e->n_memory != f->n_memory)
                return false;
        for (unsigned m = 0; m < f->n_memory; m++)
                if (e->mem[m].data != f->memory[m].data || e->mem[m].length != f->memory[m].length ||
                    e->mem[m].fd != f->memory[m].dmabuf_fd)
                        return false;
        return true;
}

int gpu_vk_importer_import(struct gpu_vk_importer *imp, const struct cam_frame *f,
                           enum gpu_vk_import_path *ret_path) {
        struct import_entry *e;
        enum gpu_vk_import_path path = GPU_VK_IMPORT_DMABUF;
        int r;

        if (!imp || !f || f->n_memory == 0 || f->n_memory > CAM_FRAME_MAX_MEMORY || f->index >= IMPORT_MAX_INDEX)
                return -EINVAL;
        for (unsigned m = 0; m < f->n_memory; m++)
                if (!f->memory[m].data || f->memory[m].length == 0 || f->memory[m].bytesused > f->memory[m].length)
                        return -EINVAL;
        if (gpu_vk_ctx_is_lost(imp->vk))
                return -ENODEV;

        e = &imp->entries[f->index];
        if (entry_matches(e, f))
                imp->stats.cache_hits++;
        else {
                entry_clear(e);
                for (unsigned m = 0; m < f->n_memory; m++) {
                        r = import_memory(imp, f, m, &e->mem[m]);
                        if (r < 0) {
                                entry_clear(e);
                                return r;
                        }
                }
                e->n_memory = f->n_memory;
                e->valid = true;
        }

        /* The slowest path of any memory names the frame's path. */
        for (unsigned m = 0; m < e->n_memory; m++) {
                struct import_mem *im = &e->mem[m];
                if (im->path == GPU_VK_IMPORT_COPY) {
                        size_t n = f->memory[m].bytesused ?: f->memory[m].length;
                        memcpy(im->buf->map, f->memory[m].data, n);
                        imp->stats.bytes_copied += n;
                }
                path = MAX(path, im->path);
        }
        imp->stats.frames[path]++;
        imp->stats.last_path = path;
        if (ret_path)
                *ret_path = path;
        return 0;
}

struct gpu_vk_buffer *gpu_vk_importer_buffer(struct gpu_vk_importer *imp, const struct cam_frame *f, unsigned m) {
        if (!imp || !f || f->index >= IMPORT_MAX_INDEX || m >= CAM_FRAME_MAX_MEMORY)
                return NULL;
        struct import_entry *e = &imp->entries[f->index];
        if (!entry_matches(e, f))
                return NULL;
        return e->mem[m].buf;
}
