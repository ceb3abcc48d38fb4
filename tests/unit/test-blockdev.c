/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which disk IO*BandwidthMax= limits: the device-mapper and partition walk, over a sysfs tree
 * of our own built the way the kernel lays out /sys/dev/block and /sys/devices; and the errors
 * of cgroup_io_device() for paths that have no disk. (btrfs and real device-mapper devices are
 * in the vm tier: tests/vm/scenarios/50-limits-io-device.sh.) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hutch/cgroup.h"
#include "tap.h"

static int root_fd = -1;

static void put(const char *path, const char *text) {
        int fd = openat(root_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text)) {
                perror(path);
                exit(1);
        }
        close(fd);
}

static void dir(const char *path) {
        if (mkdirat(root_fd, path, 0755) < 0) {
                perror(path);
                exit(1);
        }
}

static void link_to(const char *target, const char *path) {
        if (symlinkat(target, root_fd, path) < 0) {
                perror(path);
                exit(1);
        }
}

/* devices/PATH with a dev file; a disk has a queue/, a partition a partition file. */
static void device(const char *path, const char *devnum, bool disk) {
        char p[256], l[64];
        snprintf(p, sizeof p, "devices/%s", path);
        dir(p);
        snprintf(p, sizeof p, "devices/%s/dev", path);
        char v[32];
        snprintf(v, sizeof v, "%s\n", devnum);
        put(p, v);
        snprintf(p, sizeof p, "devices/%s/%s", path, disk ? "queue" : "partition");
        if (disk)
                dir(p);
        else
                put(p, "1\n");
        /* /sys/dev/block/M:m -> ../../devices/PATH */
        snprintf(l, sizeof l, "dev/block/%s", devnum);
        snprintf(p, sizeof p, "../../devices/%s", path);
        link_to(p, l);
}

/* dm device NAME built on the devices at the given paths (its slaves/). */
static void stacked(const char *name, const char *devnum, const char *const *on) {
        device(name, devnum, true);
        char p[256];
        snprintf(p, sizeof p, "devices/%s/slaves", name);
        dir(p);
        for (; *on; on++) {
                char l[256], t[256];
                snprintf(l, sizeof l, "devices/%s/slaves/%s", name,
                         strrchr(*on, '/') ? strrchr(*on, '/') + 1 : *on);
                snprintf(t, sizeof t, "../../%s", *on);
                link_to(t, l);
        }
}

static const char *fmt(dev_t d, char *buf) {
        sprintf(buf, "%u:%u", major(d), minor(d));
        return buf;
}

#define DISK_IS(d, want, ...)                                                            \
        do {                                                                             \
                char _a[32], _b[32];                                                     \
                dev_t _got = cgroup_io_disk_at(root_fd, (d));                            \
                TAP_CHECK(_got == (want), __VA_ARGS__);                                  \
                if (_got != (want))                                                      \
                        printf("#   got %s, want %s\n", fmt(_got, _a), fmt((want), _b)); \
        } while (0)

int main(void) {
        char tmpl[] = "/tmp/hutch-test-blockdev.XXXXXX";
        if (!mkdtemp(tmpl)) {
                perror("mkdtemp");
                return 1;
        }
        root_fd = open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        dir("devices");
        dir("dev");
        dir("dev/block");
        device("sda", "8:0", true);
        device("sda/sda5", "8:5", false);
        device("sda/sda6", "8:6", false);
        device("sdb", "8:16", true);
        device("sdb/sdb1", "8:17", false);
        stacked("dm-0", "253:0", (const char *const[]){"sda/sda5", NULL});             /* LVM on sda5 */
        stacked("dm-1", "253:1", (const char *const[]){"dm-0", NULL});                 /* LUKS on it */
        stacked("dm-2", "253:2", (const char *const[]){"sda/sda5", "sdb/sdb1", NULL}); /* two disks */
        stacked("dm-3", "253:3", (const char *const[]){"sda/sda5", "sda/sda6", NULL}); /* verity */
        stacked("dm-4", "253:4", (const char *const[]){"dm-5", NULL});
        stacked("dm-5", "253:5", (const char *const[]){"dm-4", NULL}); /* a loop sysfs never has */

        DISK_IS(makedev(8, 0), makedev(8, 0), "a disk is its own disk");
        DISK_IS(makedev(8, 5), makedev(8, 0), "a partition is its disk's");
        DISK_IS(makedev(253, 0), makedev(8, 0), "LVM on a partition: the partition's disk");
        DISK_IS(makedev(253, 1), makedev(8, 0), "LUKS on LVM on a partition: followed through both layers");
        DISK_IS(makedev(253, 2), makedev(253, 2), "a device on two disks is itself what is limited");
        DISK_IS(makedev(253, 3), makedev(8, 0), "a device on two partitions of one disk: that disk");
        DISK_IS(makedev(9, 9), makedev(9, 9), "a device sysfs does not know is left as it is");
        dev_t d = cgroup_io_disk_at(root_fd, makedev(253, 4));
        TAP_CHECK(d == makedev(253, 4) || d == makedev(253, 5), "a loop of stacked devices ends");

        /* Real paths that have no disk to limit. */
        int sys_fd = open("/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
        TAP_CHECK(cgroup_io_device(sys_fd, "/dev/null", &d) == -ENOTBLK, "a character device: -ENOTBLK");
        TAP_CHECK(cgroup_io_device(sys_fd, "/proc/self", &d) == -ENODEV, "a file on /proc: -ENODEV");
        TAP_CHECK(cgroup_io_device(sys_fd, "/nonexistent/x", &d) == -ENOENT, "a missing path: -ENOENT");
        close(sys_fd);

        char cmd[64];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
        if (system(cmd) != 0)
                return 1;
        close(root_fd);
        return tap_done();
}
