/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup manager's pure parts: which controllers a unit's [Resources] keys need, and the
 * discovery of the cgroup2 mount and our own cgroup (read-only, from /proc). */
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>

#include "hutch/cgroup.h"
#include "hutch/procfs.h"
#include "tap.h"

int main(void) {
        struct hutch_unit u;
        memset(&u, 0, sizeof u);
        TAP_CHECK(cgroup_controllers_needed(&u) == 0, "no [Resources] key: no controller needed");

        /* IOWeight= for BFQ, as systemd's BFQ_WEIGHT(): the default stays 100, the ends 1 and 1000 */
        TAP_CHECK(cgroup_bfq_weight(1) == 1 && cgroup_bfq_weight(50) == 50 && cgroup_bfq_weight(100) == 100,
                  "IOWeight= up to 100 is the same on BFQ's scale");
        TAP_CHECK(cgroup_bfq_weight(200) == 109 && cgroup_bfq_weight(5050) == 550 &&
                          cgroup_bfq_weight(10000) == 1000,
                  "IOWeight= above 100 maps onto 100..1000 (200: %" PRIu64 ", 10000: %" PRIu64 ")",
                  cgroup_bfq_weight(200), cgroup_bfq_weight(10000));

        u.resources.cpu_weight.set = true;
        TAP_CHECK(cgroup_controllers_needed(&u) == CGROUP_CONTROLLER_CPU, "CPUWeight= needs cpu");
        memset(&u.resources, 0, sizeof u.resources);
        u.resources.cpu_quota.set = true;
        TAP_CHECK(cgroup_controllers_needed(&u) == CGROUP_CONTROLLER_CPU, "CPUQuota= needs cpu");
        memset(&u.resources, 0, sizeof u.resources);
        u.resources.allowed_cpus = (char *) "0-1";
        TAP_CHECK(cgroup_controllers_needed(&u) == CGROUP_CONTROLLER_CPUSET, "AllowedCPUs= needs cpuset");
        memset(&u.resources, 0, sizeof u.resources);
        u.resources.memory_swap_max.set = true;
        TAP_CHECK(cgroup_controllers_needed(&u) == CGROUP_CONTROLLER_MEMORY, "MemorySwapMax= needs memory");
        memset(&u.resources, 0, sizeof u.resources);
        u.resources.memory_min.set = true;
        TAP_CHECK(cgroup_controllers_needed(&u) == CGROUP_CONTROLLER_MEMORY, "MemoryMin= needs memory");
        memset(&u.resources, 0, sizeof u.resources);
        u.resources.tasks_max.set = true;
        TAP_CHECK(cgroup_controllers_needed(&u) == CGROUP_CONTROLLER_PIDS, "TasksMax= needs pids");
        memset(&u.resources, 0, sizeof u.resources);
        struct io_limit io = {.path = (char *) "/dev/vda", .per_sec = 1 << 20};
        u.resources.io_limits[IO_WRITE_BANDWIDTH_MAX] = &io;
        u.resources.n_io_limits[IO_WRITE_BANDWIDTH_MAX] = 1;
        TAP_CHECK(cgroup_controllers_needed(&u) == CGROUP_CONTROLLER_IO, "IOWriteBandwidthMax= needs io");
        u.resources.io_weight.set = true;
        u.resources.memory_max.set = true;
        u.resources.cpu_weight.set = true;
        TAP_CHECK(cgroup_controllers_needed(&u) ==
                          (CGROUP_CONTROLLER_IO | CGROUP_CONTROLLER_MEMORY | CGROUP_CONTROLLER_CPU),
                  "several keys: the union");

        char *mount = NULL, *self = NULL;
        int r = proc_cgroup2_mount(&mount);
        if (r == -ENOMEDIUM)
                TAP_CHECK(1, "# SKIP no cgroup2 mount on this machine");
        else {
                struct stat st;
                TAP_CHECK(r == 0 && mount && stat(mount, &st) == 0 && S_ISDIR(st.st_mode),
                          "cgroup2 mount found: %s", mount ? mount : "(none)");
                r = cgroup_find_self(&self);
                TAP_CHECK(r == 0 && self && self[0] == '/', "own cgroup found: %s", self ? self : "(none)");
        }
        free(mount);
        free(self);
        return tap_done();
}
