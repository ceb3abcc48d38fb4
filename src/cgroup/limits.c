/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Resources] keys -> the payload cgroup's interface files. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup/cgroup-util.h"
#include "hutch/cgroup.h"
#include "hutch/log.h"

/* systemd's CPUQuotaPeriodSec= default */
#define CPU_QUOTA_PERIOD_USEC UINT64_C(100000)

/* IOWeight= (1..10000, default 100) on BFQ's scale (1..1000, default 100), linear on either side of
 * the default, as systemd maps it. */
uint64_t cgroup_bfq_weight(uint64_t w) {
        if (w <= 100)
                return w; /* 1..100 onto 1..100 */
        return 100 + (w - 100) * (1000 - 100) / (10000 - 100);
}

static void format_limit_value(char *buf, size_t l, uint64_t v) {
        if (v == LIMIT_INFINITY)
                snprintf(buf, l, "max");
        else
                snprintf(buf, l, "%" PRIu64, v);
}

static int write_key_at(struct cgroup_tree *t, int fd, const char *rel, const char *key,
                        struct unit_origin o, const char *file, const char *value) {
        int r = cg_write_at(fd, file, value);
        if (r < 0) {
                char where[512];
                return log_error_errno(r, "%s%s: write \"%s\" to %s%s/%s: %m",
                                       unit_origin_prefix(o, where, sizeof where), key, value, t->mount_path,
                                       rel, file);
        }
        return 0;
}

static int write_key(struct cgroup_tree *t, const char *key, struct unit_origin o, const char *file,
                     const char *value) {
        return write_key_at(t, t->payload_fd, t->payload_path, key, o, file, value);
}

/* Weights and memory protection are relative to siblings and capped by every ancestor's: they
 * only mean something where units meet. That is the unit's own root when hutch made it
 * (hutch-NAME/, a sibling of the other units); under delegation it is systemd's service
 * cgroup, which systemd itself configures. Written there as well as on payload/. */
static int write_key_shared(struct cgroup_tree *t, const char *key, struct unit_origin o, const char *file,
                            const char *value) {
        if (!t->delegated) {
                int r = write_key_at(t, t->root_fd, t->root_path, key, o, file, value);
                if (r < 0)
                        return r;
        }
        return write_key(t, key, o, file, value);
}

static int write_limit(struct cgroup_tree *t, const char *key, const struct limit *lim, const char *file) {
        if (!lim->set)
                return 0;
        char buf[32];
        format_limit_value(buf, sizeof buf, lim->value);
        return write_key(t, key, lim->origin, file, buf);
}

static int write_limit_shared(struct cgroup_tree *t, const char *key, const struct limit *lim,
                              const char *file) {
        if (!lim->set)
                return 0;
        char buf[32];
        format_limit_value(buf, sizeof buf, lim->value);
        return write_key_shared(t, key, lim->origin, file, buf);
}

/* What cgroup_io_device()'s errors mean for the administrator; NULL for a plain errno. */
static const char *io_device_problem(int r) {
        switch (r) {
        case -ENOTBLK:
                return "is a character device, not a block device";
        case -ENODEV:
                return "has no local disk behind it (tmpfs, overlay, a network file system)";
        case -ENOTUNIQ:
                return "is on a btrfs file system of several devices: name one of them";
        case -EUCLEAN:
                return "is on a btrfs file system that knows its device only as /dev/root: name the device";
        default:
                return NULL;
        }
}

static int write_io_limit(struct cgroup_tree *t, const char *key, const struct io_limit *l,
                          const char *field, int *sys_fd) {
        char where[512];
        unit_origin_prefix(l->origin, where, sizeof where);
        if (*sys_fd < 0) {
                *sys_fd = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (*sys_fd < 0)
                        return log_error_errno(-errno, "%s%s: open /sys: %m", where, key);
        }
        dev_t d;
        int r = cgroup_io_device(*sys_fd, l->path, &d);
        if (r < 0) {
                const char *why = io_device_problem(r);
                if (why)
                        return log_error_errno(r, "%s%s: %s %s", where, key, l->path, why);
                return log_error_errno(r, "%s%s: block device of %s: %m", where, key, l->path);
        }
        char v[32], buf[96];
        format_limit_value(v, sizeof v, l->per_sec);
        snprintf(buf, sizeof buf, "%u:%u %s=%s", major(d), minor(d), field, v);
        return write_key(t, key, l->origin, "io.max", buf);
}

/* One io.max line per limit: "MAJ:MIN rbps=N" sets that one field and leaves the others. */
static int write_io_limits(struct cgroup_tree *t, const struct unit_section_resources *res) {
        _cleanup_close_ int sys_fd = -EBADF;
        for (enum io_limit_kind kind = 0; kind < _IO_LIMIT_KIND_MAX; kind++)
                for (size_t i = 0; i < res->n_io_limits[kind]; i++) {
                        int r = write_io_limit(t, model_io_limit_kinds[kind].key, &res->io_limits[kind][i],
                                               model_io_limit_kinds[kind].io_max_field, &sys_fd);
                        if (r < 0)
                                return r;
                }
        return 0;
}

int cgroup_apply_limits(struct cgroup_tree *t, const struct hutch_unit *u) {
        const struct unit_section_resources *res = &u->resources;
        char buf[64];
        int r;

        r = write_limit_shared(t, "CPUWeight", &res->cpu_weight, "cpu.weight");
        if (r < 0)
                return r;
        if (res->cpu_quota.set) {
                if (res->cpu_quota.value == LIMIT_INFINITY)
                        snprintf(buf, sizeof buf, "max %" PRIu64, CPU_QUOTA_PERIOD_USEC);
                else {
                        /* The model keeps usec of CPU time per second; the kernel wants it per
                         * period, and refuses less than 1 ms (systemd clamps the same way). */
                        uint64_t q = res->cpu_quota.value * CPU_QUOTA_PERIOD_USEC / USEC_PER_SEC;
                        snprintf(buf, sizeof buf, "%" PRIu64 " %" PRIu64, MAX(q, (uint64_t) 1000),
                                 CPU_QUOTA_PERIOD_USEC);
                }
                r = write_key(t, "CPUQuota", res->cpu_quota.origin, "cpu.max", buf);
                if (r < 0)
                        return r;
        }
        if (res->allowed_cpus) {
                r = write_key(t, "AllowedCPUs", res->allowed_cpus_origin, "cpuset.cpus", res->allowed_cpus);
                if (r < 0)
                        return r;
        }
        r = write_limit_shared(t, "MemoryMin", &res->memory_min, "memory.min");
        if (r < 0)
                return r;
        r = write_limit_shared(t, "MemoryLow", &res->memory_low, "memory.low");
        if (r < 0)
                return r;
        r = write_limit(t, "MemoryHigh", &res->memory_high, "memory.high");
        if (r < 0)
                return r;
        r = write_limit(t, "MemoryMax", &res->memory_max, "memory.max");
        if (r < 0)
                return r;
        r = write_limit(t, "MemorySwapMax", &res->memory_swap_max, "memory.swap.max");
        if (r < 0)
                return r;
        r = write_limit(t, "TasksMax", &res->tasks_max, "pids.max");
        if (r < 0)
                return r;
        if (res->io_weight.set) {
                /* The BFQ scheduler reads io.bfq.weight (1..1000), not io.weight, which counts
                 * only with blk-iocost: as systemd, both are written, the weight mapped so that
                 * the default 100 stays 100. io.bfq.weight exists only where BFQ is loaded. */
                uint64_t bfq = cgroup_bfq_weight(res->io_weight.value);
                snprintf(buf, sizeof buf, "%" PRIu64, bfq);
                if (faccessat(t->payload_fd, "io.bfq.weight", F_OK, 0) == 0) {
                        r = write_key_shared(t, "IOWeight", res->io_weight.origin, "io.bfq.weight", buf);
                        if (r < 0)
                                return r;
                }
                snprintf(buf, sizeof buf, "default %" PRIu64, res->io_weight.value);
                r = write_key_shared(t, "IOWeight", res->io_weight.origin, "io.weight", buf);
                if (r < 0)
                        return r;
        }
        r = write_io_limits(t, res);
        if (r < 0)
                return r;
        r = cgroup_apply_devices(t, u);
        if (r < 0)
                return r;
        return cgroup_apply_ip_filter(t, u);
}
