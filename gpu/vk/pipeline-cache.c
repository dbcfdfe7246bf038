/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VkPipelineCache persisted in the cache directory (systemd
 * CacheDirectory=): the first start compiles, later starts load. Our own
 * header in front of the driver's blob names the device and driver it was
 * made by; a file made by anything else is ignored (and replaced on save).
 * Writes are atomic: a temporary file in the same directory, then rename().
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "gpu/vk/vk-internal.h"

#define CACHE_FILE "vulkan-pipeline-cache.bin"
#define CACHE_MAGIC "LSVKPC01"
#define CACHE_MAX_BYTES ((size_t) 256 << 20)

struct cache_header {
        char magic[8];
        uint32_t vendor_id;
        uint32_t device_id;
        uint32_t driver_version;
        uint32_t api_version;
        uint8_t pipeline_cache_uuid[VK_UUID_SIZE];
        uint64_t data_size;
};
_Static_assert(sizeof(struct cache_header) == 48, "cache header layout");

static void header_for(const struct gpu_vk_ctx *vk, struct cache_header *h, uint64_t size) {
        memset(h, 0, sizeof(*h));
        memcpy(h->magic, CACHE_MAGIC, sizeof(h->magic));
        h->vendor_id = vk->props.vendorID;
        h->device_id = vk->props.deviceID;
        h->driver_version = vk->props.driverVersion;
        h->api_version = vk->props.apiVersion;
        memcpy(h->pipeline_cache_uuid, vk->props.pipelineCacheUUID, VK_UUID_SIZE);
        h->data_size = size;
}

static int cache_path(const struct gpu_vk_ctx *vk, char **ret) {
        return asprintf(ret, "%s/%s", vk->cache_dir, CACHE_FILE) < 0 ? -ENOMEM : 0;
}

/* Reads a valid cache file's payload; -ENOENT if absent, -ESTALE if from another device/driver. */
static int read_cache(const struct gpu_vk_ctx *vk, void **ret, size_t *ret_size) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ void *data = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct cache_header h, want;
        struct stat st;
        int r;

        r = cache_path(vk, &path);
        if (r < 0)
                return r;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode) || st.st_size < (off_t) sizeof(h))
                return -ESTALE;
        if (read(fd, &h, sizeof(h)) != (ssize_t) sizeof(h))
                return -ESTALE;
        header_for(vk, &want, h.data_size);
        if (memcmp(&h, &want, sizeof(h)) != 0 || h.data_size > CACHE_MAX_BYTES ||
            h.data_size != (uint64_t) st.st_size - sizeof(h)) {
                ls_debug("pipeline cache '%s' is from another device, driver or version, ignoring", path);
                return -ESTALE;
        }
        data = malloc(h.data_size ?: 1);
        if (!data)
                return -ENOMEM;
        if (read(fd, data, h.data_size) != (ssize_t) h.data_size)
                return -ESTALE;
        *ret = TAKE_PTR(data);
        *ret_size = h.data_size;
        return 0;
}

int gpu_vk_pipeline_cache_load(struct gpu_vk_ctx *vk) {
        _cleanup_free_ void *data = NULL;
        size_t size = 0;
        int r;

        if (vk->cache_dir) {
                r = read_cache(vk, &data, &size);
                if (r == -ESTALE)
                        vk->cache_stats.rejected = true;
                else if (r < 0 && r != -ENOENT)
                        ls_debug("cannot read pipeline cache in '%s': %s, ignoring", vk->cache_dir, strerror(-r));
        }

        VkPipelineCacheCreateInfo info = {
                .sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
                .initialDataSize = data ? size : 0,
                .pInitialData = data,
        };
        r = GPU_VK_CALL(vk, vkCreatePipelineCache(vk->dev, &info, NULL, &vk->pipeline_cache));
        if (r < 0 && data) {
                /* The driver refused the blob: start empty rather than fail. */
                vk->cache_stats.rejected = true;
                info.initialDataSize = 0;
                info.pInitialData = NULL;
                free(data);
                data = NULL;
                r = GPU_VK_CALL(vk, vkCreatePipelineCache(vk->dev, &info, NULL, &vk->pipeline_cache));
        }
        if (r < 0) {
                vk->pipeline_cache = VK_NULL_HANDLE;
                return r;
        }
        if (data) {
                vk->cache_stats.loaded = true;
                vk->cache_stats.loaded_bytes = size;
        }
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_PIPELINE_CACHE, vk->pipeline_cache, "lanesight.pipeline-cache");
        return 0;
}

static int write_all(int fd, const void *p, size_t n) {
        const uint8_t *b = p;

        while (n > 0) {
                ssize_t k = write(fd, b, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                b += k;
                n -= (size_t) k;
        }
        return 0;
}

int gpu_vk_pipeline_cache_save(struct gpu_vk_ctx *vk) {
        _cleanup_free_ char *path = NULL, *tmp = NULL;
        _cleanup_free_ void *data = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct cache_header h;
        size_t size = 0;
        int r;

        if (!vk->cache_dir || !vk->pipeline_cache)
                return 0;

        VK_TRY(vk, vkGetPipelineCacheData(vk->dev, vk->pipeline_cache, &size, NULL));
        if (size > CACHE_MAX_BYTES)
                return -EFBIG;
        data = malloc(size ?: 1);
        if (!data)
                return -ENOMEM;
        VK_TRY(vk, vkGetPipelineCacheData(vk->dev, vk->pipeline_cache, &size, data));

        r = cache_path(vk, &path);
        if (r < 0)
                return r;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return -ENOMEM;
        fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        header_for(vk, &h, size);
        r = write_all(fd, &h, sizeof(h));
        if (r >= 0)
                r = write_all(fd, data, size);
        if (r >= 0 && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0) {
                (void) unlink(tmp);
                return r;
        }
        vk->cache_stats.saved_bytes = size;
        return 0;
}
