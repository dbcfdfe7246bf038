/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Vulkan context: instance, physical device selection, logical device with
 * one compute queue, checked calls and the VkResult -> errno mapping.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "gpu/vk/vk-internal.h"

static const char *const cpu_policy_table[_GPU_VK_CPU_POLICY_MAX] = {
        [GPU_VK_CPU_FALLBACK] = "fallback",
        [GPU_VK_CPU_NEVER] = "never",
        [GPU_VK_CPU_PREFER] = "prefer",
};

const char *gpu_vk_cpu_policy_to_string(enum gpu_vk_cpu_policy p) {
        return p >= 0 && p < _GPU_VK_CPU_POLICY_MAX ? cpu_policy_table[p] : NULL;
}

enum gpu_vk_cpu_policy gpu_vk_cpu_policy_from_string(const char *s) {
        for (int i = 0; s && i < _GPU_VK_CPU_POLICY_MAX; i++)
                if (streq(s, cpu_policy_table[i]))
                        return i;
        return _GPU_VK_CPU_POLICY_INVALID;
}

const char *gpu_vk_result_to_string(int r) {
        switch (r) {
#define R(x) case x: return #x
        R(VK_SUCCESS); R(VK_NOT_READY); R(VK_TIMEOUT); R(VK_EVENT_SET); R(VK_EVENT_RESET);
        R(VK_INCOMPLETE); R(VK_ERROR_OUT_OF_HOST_MEMORY); R(VK_ERROR_OUT_OF_DEVICE_MEMORY);
        R(VK_ERROR_INITIALIZATION_FAILED); R(VK_ERROR_DEVICE_LOST); R(VK_ERROR_MEMORY_MAP_FAILED);
        R(VK_ERROR_LAYER_NOT_PRESENT); R(VK_ERROR_EXTENSION_NOT_PRESENT); R(VK_ERROR_FEATURE_NOT_PRESENT);
        R(VK_ERROR_INCOMPATIBLE_DRIVER); R(VK_ERROR_TOO_MANY_OBJECTS); R(VK_ERROR_FORMAT_NOT_SUPPORTED);
        R(VK_ERROR_FRAGMENTED_POOL); R(VK_ERROR_UNKNOWN); R(VK_ERROR_OUT_OF_POOL_MEMORY);
        R(VK_ERROR_INVALID_EXTERNAL_HANDLE); R(VK_ERROR_FRAGMENTATION);
        R(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS); R(VK_PIPELINE_COMPILE_REQUIRED);
        R(VK_ERROR_INVALID_SHADER_NV);
#undef R
        default:
                return NULL;
        }
}

/* The one place a VkResult becomes an errno. */
int gpu_vk_result_to_errno(int r) {
        switch (r) {
        case VK_SUCCESS:
        case VK_INCOMPLETE:             /* enumerations sized by a first call */
        case VK_EVENT_SET:
        case VK_EVENT_RESET:
                return 0;
        case VK_NOT_READY:
        case VK_PIPELINE_COMPILE_REQUIRED:
                return -EAGAIN;
        case VK_TIMEOUT:
                return -ETIMEDOUT;
        case VK_ERROR_OUT_OF_HOST_MEMORY:
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
        case VK_ERROR_OUT_OF_POOL_MEMORY:
        case VK_ERROR_FRAGMENTED_POOL:
        case VK_ERROR_FRAGMENTATION:
        case VK_ERROR_TOO_MANY_OBJECTS:
                return -ENOMEM;
        case VK_ERROR_DEVICE_LOST:
        case VK_ERROR_INCOMPATIBLE_DRIVER:
                return -ENODEV;
        case VK_ERROR_INITIALIZATION_FAILED:
                return -EIO;
        case VK_ERROR_MEMORY_MAP_FAILED:
                return -EFAULT;
        case VK_ERROR_LAYER_NOT_PRESENT:
        case VK_ERROR_EXTENSION_NOT_PRESENT:
        case VK_ERROR_FEATURE_NOT_PRESENT:
        case VK_ERROR_FORMAT_NOT_SUPPORTED:
                return -EOPNOTSUPP;
        case VK_ERROR_INVALID_EXTERNAL_HANDLE:
        case VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS:
                return -EBADF;
        case VK_ERROR_INVALID_SHADER_NV:
                return -ENOEXEC;
        default:
                return r < 0 ? -EIO : 0;
        }
}

VkResult gpu_vk_fault(struct gpu_vk_ctx *vk, const char *call_text) {
        char name[64];
        size_t n;

        if (!vk || !vk->fault)
                return VK_SUCCESS;
        if (strncmp(call_text, "vk->", 4) == 0)
                call_text += 4;
        n = strcspn(call_text, "( ");
        n = MIN(n, sizeof(name) - 1);
        memcpy(name, call_text, n);
        name[n] = 0;
        return (VkResult) vk->fault(name, vk->fault_userdata);
}

int gpu_vk_check(struct gpu_vk_ctx *vk, VkResult r, const char *call_text, const char *file, int line) {
        int e = gpu_vk_result_to_errno(r);

        if (e < 0) {
                if (r == VK_ERROR_DEVICE_LOST && vk)
                        vk->lost = true;
                ls_debug("%s:%d: %.60s: %s", file, line, call_text, strna(gpu_vk_result_to_string(r)));
        }
        return e;
}

void gpu_vk_name(struct gpu_vk_ctx *vk, VkObjectType type, uint64_t handle, const char *name) {
        if (!vk->vkSetDebugUtilsObjectNameEXT || !handle || !name)
                return;
        VkDebugUtilsObjectNameInfoEXT info = {
                .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_OBJECT_NAME_INFO_EXT,
                .objectType = type,
                .objectHandle = handle,
                .pObjectName = name,
        };
        (void) vk->vkSetDebugUtilsObjectNameEXT(vk->dev, &info);
}

_printf_(2, 3)
static int set_error(const struct gpu_vk_ctx_params *p, const char *fmt, ...) {
        va_list ap;

        if (!p->error)
                return 0;
        va_start(ap, fmt);
        vsnprintf(p->error, GPU_VK_ERROR_MAX, fmt, ap);
        va_end(ap);
        return 0;
}

static bool has_ext(const VkExtensionProperties *e, uint32_t n, const char *name) {
        for (uint32_t i = 0; i < n; i++)
                if (streq(e[i].extensionName, name))
                        return true;
        return false;
}

static int instance_extensions(VkExtensionProperties **ret, uint32_t *ret_n) {
        _cleanup_free_ VkExtensionProperties *e = NULL;
        uint32_t n = 0;

        if (vkEnumerateInstanceExtensionProperties(NULL, &n, NULL) != VK_SUCCESS)
                n = 0;
        e = calloc(n + 1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        if (n > 0 && vkEnumerateInstanceExtensionProperties(NULL, &n, e) < 0)
                n = 0;
        *ret = TAKE_PTR(e);
        *ret_n = n;
        return 0;
}

static int create_instance(struct gpu_vk_ctx *vk, const struct gpu_vk_ctx_params *p) {
        _cleanup_free_ VkExtensionProperties *ie = NULL;
        const char *exts[2];
        uint32_t n_ie = 0, n_exts = 0;
        int r;

        r = instance_extensions(&ie, &n_ie);
        if (r < 0)
                return r;
        /* Object names only; no messenger: library code does not print. */
        bool debug_utils = has_ext(ie, n_ie, VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        if (debug_utils)
                exts[n_exts++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;

        VkApplicationInfo app = {
                .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                .pApplicationName = "lanesight",
                .pEngineName = "lanesight",
                .apiVersion = VK_API_VERSION_1_1,
        };
        VkInstanceCreateInfo info = {
                .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                .pApplicationInfo = &app,
                .enabledExtensionCount = n_exts,
                .ppEnabledExtensionNames = exts,
        };
        r = GPU_VK_CALL(vk, vkCreateInstance(&info, NULL, &vk->instance));
        if (r < 0) {
                vk->instance = VK_NULL_HANDLE;
                set_error(p, "cannot create a Vulkan instance (%s): no Vulkan driver (ICD) installed?",
                          r == -ENODEV ? "incompatible driver" : strerror(-r));
                return r == -EIO ? -ENODEV : r;
        }
        if (debug_utils) {
                vk->vkSetDebugUtilsObjectNameEXT = (PFN_vkSetDebugUtilsObjectNameEXT)
                        vkGetInstanceProcAddr(vk->instance, "vkSetDebugUtilsObjectNameEXT");
                vk->caps.debug_utils = vk->vkSetDebugUtilsObjectNameEXT != NULL;
        }
        return 0;
}

static int parse_uuid(const char *s, uint8_t uuid[16]) {
        unsigned n = 0;

        for (; *s; s++) {
                int v;
                if (*s == '-')
                        continue;
                if (*s >= '0' && *s <= '9')
                        v = *s - '0';
                else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
                        v = (*s | 0x20) - 'a' + 10;
                else
                        return -EINVAL;
                if (n >= 32)
                        return -EINVAL;
                uuid[n / 2] = (uint8_t) (n % 2 ? (uuid[n / 2] | v) : v << 4);
                n++;
        }
        return n == 32 ? 0 : -EINVAL;
}

/* Everything selection needs to know about one physical device. */
struct candidate {
        VkPhysicalDevice phys;
        VkPhysicalDeviceProperties props;
        VkPhysicalDeviceIDProperties id;
        VkPhysicalDeviceDriverProperties driver;
        VkPhysicalDeviceDrmPropertiesEXT drm;
        bool has_drm, has_driver_props;
        int queue_family;
};

static int compute_queue_family(VkPhysicalDevice phys) {
        VkQueueFamilyProperties q[32];
        uint32_t n = ELEMENTSOF(q);
        int best = -1;

        vkGetPhysicalDeviceQueueFamilyProperties(phys, &n, q);
        for (uint32_t i = 0; i < n; i++) {
                if (!(q[i].queueFlags & VK_QUEUE_COMPUTE_BIT) || q[i].queueCount == 0)
                        continue;
                /* A compute-only family runs beside graphics work. */
                if (!(q[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
                        return (int) i;
                if (best < 0)
                        best = (int) i;
        }
        return best;
}

static int describe(VkPhysicalDevice phys, struct candidate *c) {
        _cleanup_free_ VkExtensionProperties *e = NULL;
        uint32_t n = 0;

        *c = (struct candidate) { .phys = phys };
        vkGetPhysicalDeviceProperties(phys, &c->props);
        if (c->props.apiVersion < VK_API_VERSION_1_1)
                return -EOPNOTSUPP;

        if (vkEnumerateDeviceExtensionProperties(phys, NULL, &n, NULL) < 0)
                n = 0;
        e = calloc(n + 1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        if (n > 0 && vkEnumerateDeviceExtensionProperties(phys, NULL, &n, e) < 0)
                n = 0;
        c->has_drm = has_ext(e, n, VK_EXT_PHYSICAL_DEVICE_DRM_EXTENSION_NAME);
        c->has_driver_props = has_ext(e, n, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);

        c->id.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES;
        c->driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES;
        c->drm.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRM_PROPERTIES_EXT;
        VkPhysicalDeviceProperties2 p2 = {
                .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                .pNext = &c->id,
        };
        void **tail = &c->id.pNext;
        if (c->has_driver_props) {
                *tail = &c->driver;
                tail = &c->driver.pNext;
        }
        if (c->has_drm)
                *tail = &c->drm;
        vkGetPhysicalDeviceProperties2(phys, &p2);

        c->queue_family = compute_queue_family(phys);
        return c->queue_family < 0 ? -EOPNOTSUPP : 0;
}

static bool matches(const struct candidate *c, const struct gpu_vk_ctx_params *p, const uint8_t *uuid,
                    const struct stat *node) {
        if (p->device_name && !strcasestr(c->props.deviceName, p->device_name))
                return false;
        if (uuid && memcmp(uuid, c->id.deviceUUID, VK_UUID_SIZE) != 0)
                return false;
        if (node) {
                if (!c->has_drm)
                        return false;
                dev_t d = node->st_rdev;
                bool render = c->drm.hasRender && major(d) == (unsigned) c->drm.renderMajor &&
                              minor(d) == (unsigned) c->drm.renderMinor;
                bool primary = c->drm.hasPrimary && major(d) == (unsigned) c->drm.primaryMajor &&
                               minor(d) == (unsigned) c->drm.primaryMinor;
                if (!render && !primary)
                        return false;
        }
        return true;
}

int gpu_vk_device_rank(VkPhysicalDeviceType type, enum gpu_vk_cpu_policy policy) {
        switch (type) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
                return 4;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
                return 3;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
                return 2;
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
                return policy == GPU_VK_CPU_NEVER ? -1 : policy == GPU_VK_CPU_PREFER ? 5 : 0;
        default:
                return 1;
        }
}

int gpu_vk_device_pick(const VkPhysicalDeviceType *types, size_t n, enum gpu_vk_cpu_policy policy) {
        int best = -ENODEV, best_rank = -1;

        for (size_t i = 0; i < n; i++) {
                int k = gpu_vk_device_rank(types[i], policy);
                /* Ties keep the first: the loader's order. */
                if (k > best_rank) {
                        best_rank = k;
                        best = (int) i;
                }
        }
        return best;
}

static int select_device(struct gpu_vk_ctx *vk, const struct gpu_vk_ctx_params *p, struct candidate *ret) {
        VkPhysicalDevice phys[16];
        uint32_t n = ELEMENTSOF(phys);
        struct candidate cands[ELEMENTSOF(phys)];
        VkPhysicalDeviceType types[ELEMENTSOF(phys)];
        uint32_t n_cands = 0;
        uint8_t uuid[16];
        struct stat node;
        int r;

        if (p->device_uuid && parse_uuid(p->device_uuid, uuid) < 0) {
                set_error(p, "invalid device UUID '%s'", p->device_uuid);
                return -EINVAL;
        }
        if (p->drm_node && (stat(p->drm_node, &node) < 0 || !S_ISCHR(node.st_mode))) {
                r = negative_errno();
                set_error(p, "cannot use DRM node '%s': %s", p->drm_node, strerror(-r));
                return r == -ENOENT ? -ENODEV : r;
        }

        r = GPU_VK_CALL(vk, vkEnumeratePhysicalDevices(vk->instance, &n, phys));
        if (r < 0) {
                set_error(p, "cannot enumerate Vulkan devices: %s", strerror(-r));
                return r;
        }
        for (uint32_t i = 0; i < n; i++) {
                struct candidate c;
                if (describe(phys[i], &c) < 0) {
                        ls_debug("Vulkan device %u ('%s'): no Vulkan 1.1 compute queue, ignoring", i,
                                 c.props.deviceName);
                        continue;
                }
                if (!matches(&c, p, p->device_uuid ? uuid : NULL, p->drm_node ? &node : NULL))
                        continue;
                ls_debug("Vulkan device %u: '%s' (type %d) matches", i, c.props.deviceName, c.props.deviceType);
                cands[n_cands] = c;
                types[n_cands++] = c.props.deviceType;
        }
        int best = gpu_vk_device_pick(types, n_cands, p->cpu_policy);
        if (best >= 0)
                *ret = cands[best];
        if (best < 0) {
                set_error(p, "no matching Vulkan device among %u (name '%s', uuid '%s', drm '%s', cpu %s)", n,
                          strna(p->device_name), strna(p->device_uuid), strna(p->drm_node),
                          gpu_vk_cpu_policy_to_string(p->cpu_policy));
                return -ENODEV;
        }
        return 0;
}

static int create_device(struct gpu_vk_ctx *vk, const struct candidate *c) {
        _cleanup_free_ VkExtensionProperties *e = NULL;
        const char *exts[4];
        uint32_t n = 0, n_exts = 0;
        float prio = 1.0f;

        if (vkEnumerateDeviceExtensionProperties(c->phys, NULL, &n, NULL) < 0)
                n = 0;
        e = calloc(n + 1, sizeof(*e));
        if (!e)
                return -ENOMEM;
        if (n > 0 && vkEnumerateDeviceExtensionProperties(c->phys, NULL, &n, e) < 0)
                n = 0;

        bool fd = has_ext(e, n, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
        bool dmabuf = fd && has_ext(e, n, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME);
        bool host = has_ext(e, n, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
        if (fd)
                exts[n_exts++] = VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME;
        if (dmabuf)
                exts[n_exts++] = VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME;
        if (host)
                exts[n_exts++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;

        VkDeviceQueueCreateInfo q = {
                .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                .queueFamilyIndex = (uint32_t) c->queue_family,
                .queueCount = 1,
                .pQueuePriorities = &prio,
        };
        VkDeviceCreateInfo info = {
                .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                .queueCreateInfoCount = 1,
                .pQueueCreateInfos = &q,
                .enabledExtensionCount = n_exts,
                .ppEnabledExtensionNames = exts,
        };
        VK_TRY(vk, vkCreateDevice(c->phys, &info, NULL, &vk->dev));
        vkGetDeviceQueue(vk->dev, q.queueFamilyIndex, 0, &vk->queue);

        if (dmabuf) {
                vk->vkGetMemoryFdPropertiesKHR = (PFN_vkGetMemoryFdPropertiesKHR)
                        vkGetDeviceProcAddr(vk->dev, "vkGetMemoryFdPropertiesKHR");
                vk->caps.dmabuf_import = vk->vkGetMemoryFdPropertiesKHR != NULL;
        }
        if (host) {
                VkPhysicalDeviceExternalMemoryHostPropertiesEXT hp = {
                        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
                };
                VkPhysicalDeviceProperties2 p2 = {
                        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                        .pNext = &hp,
                };
                vkGetPhysicalDeviceProperties2(c->phys, &p2);
                vk->vkGetMemoryHostPointerPropertiesEXT = (PFN_vkGetMemoryHostPointerPropertiesEXT)
                        vkGetDeviceProcAddr(vk->dev, "vkGetMemoryHostPointerPropertiesEXT");
                vk->caps.host_import = vk->vkGetMemoryHostPointerPropertiesEXT != NULL;
                vk->caps.min_host_import_align = hp.minImportedHostPointerAlignment;
                long page = sysconf(_SC_PAGESIZE);
                /* Mappings are page granular; a smaller alignment buys nothing. */
                if (page > 0 && hp.minImportedHostPointerAlignment < (uint64_t) page) {
                        vk->caps.bug_host_import_needs_page_size = true;
                        vk->caps.min_host_import_align = (uint64_t) page;
                }
        }
        return 0;
}

/* 30 s, or $LANESIGHT_VK_TIMEOUT_MS: slow environments (valgrind on lavapipe) need longer. */
static uint64_t default_timeout_ns(void) {
        const char *e = getenv("LANESIGHT_VK_TIMEOUT_MS");
        char *end;
        unsigned long long ms;

        if (e) {
                errno = 0;
                ms = strtoull(e, &end, 10);
                if (errno == 0 && end != e && *end == 0 && ms > 0 && ms < UINT64_MAX / 1000000)
                        return ms * 1000000;
        }
        return 30ull * 1000 * 1000 * 1000;
}

int gpu_vk_ctx_new(const struct gpu_vk_ctx_params *p, struct gpu_vk_ctx **ret) {
        static const struct gpu_vk_ctx_params defaults = {};
        _cleanup_(gpu_vk_ctx_freep) struct gpu_vk_ctx *vk = NULL;
        struct candidate c;
        int r;

        if (!ret)
                return -EINVAL;
        p = p ?: &defaults;
        if (p->error)
                p->error[0] = 0;
        if ((unsigned) p->cpu_policy >= _GPU_VK_CPU_POLICY_MAX)
                return -EINVAL;

        vk = calloc(1, sizeof(*vk));
        if (!vk)
                return -ENOMEM;
        vk->fault = p->fault;
        vk->fault_userdata = p->fault_userdata;
        vk->timeout_ns = p->timeout_ns ?: default_timeout_ns();
        if (p->cache_dir) {
                vk->cache_dir = strdup(p->cache_dir);
                if (!vk->cache_dir)
                        return -ENOMEM;
        }

        r = create_instance(vk, p);
        if (r < 0)
                return r;
        r = select_device(vk, p, &c);
        if (r < 0)
                return r;

        vk->phys = c.phys;
        vk->props = c.props;
        vk->queue_family = (uint32_t) c.queue_family;
        vkGetPhysicalDeviceMemoryProperties(vk->phys, &vk->mem_props);
        vk->caps.is_cpu = c.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
        vk->caps.max_push_constants = c.props.limits.maxPushConstantsSize;
        snprintf(vk->caps.device_name, sizeof(vk->caps.device_name), "%s", c.props.deviceName);
        snprintf(vk->caps.driver_name, sizeof(vk->caps.driver_name), "%s",
                 c.has_driver_props ? c.driver.driverName : "unknown");
        memcpy(vk->caps.device_uuid, c.id.deviceUUID, sizeof(vk->caps.device_uuid));

        r = create_device(vk, &c);
        if (r < 0) {
                set_error(p, "cannot create a Vulkan device on '%s': %s", c.props.deviceName, strerror(-r));
                return r;
        }
        GPU_VK_NAME(vk, VK_OBJECT_TYPE_QUEUE, vk->queue, "lanesight.compute");

        r = gpu_vk_pipeline_cache_load(vk);
        if (r < 0) {
                set_error(p, "cannot create a pipeline cache: %s", strerror(-r));
                return r;
        }
        ls_debug("Vulkan: using '%s' (%s), dmabuf import %s, host import %s (align %" PRIu64 ")",
                 vk->caps.device_name, vk->caps.driver_name, vk->caps.dmabuf_import ? "yes" : "no",
                 vk->caps.host_import ? "yes" : "no", vk->caps.min_host_import_align);
        *ret = TAKE_PTR(vk);
        return 0;
}

struct gpu_vk_ctx *gpu_vk_ctx_free(struct gpu_vk_ctx *vk) {
        if (!vk)
                return NULL;
        if (vk->dev) {
                /* Returns at once on a lost device; needed after an injected fault. */
                (void) vkDeviceWaitIdle(vk->dev);
                if (vk->pipeline_cache) {
                        if (!vk->lost)
                                (void) gpu_vk_pipeline_cache_save(vk);
                        vkDestroyPipelineCache(vk->dev, vk->pipeline_cache, NULL);
                }
                vkDestroyDevice(vk->dev, NULL);
        }
        if (vk->instance)
                vkDestroyInstance(vk->instance, NULL);
        free(vk->cache_dir);
        free(vk);
        return NULL;
}

const struct gpu_vk_caps *gpu_vk_ctx_caps(const struct gpu_vk_ctx *vk) {
        return &vk->caps;
}

uint64_t gpu_vk_ctx_timeout_ns(const struct gpu_vk_ctx *vk) {
        return vk->timeout_ns;
}

bool gpu_vk_ctx_is_lost(const struct gpu_vk_ctx *vk) {
        return vk->lost;
}

int gpu_vk_ctx_save_cache(struct gpu_vk_ctx *vk) {
        return gpu_vk_pipeline_cache_save(vk);
}

void gpu_vk_ctx_cache_stats(const struct gpu_vk_ctx *vk, struct gpu_vk_cache_stats *ret) {
        *ret = vk->cache_stats;
}
