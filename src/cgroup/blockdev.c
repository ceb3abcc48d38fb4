/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which disk io.max must name for IOReadBandwidthMax=/IOWriteBandwidthMax= PATH: the path's
 * block device, found as systemd's lookup_block_device() does, through btrfs, device-mapper
 * (LUKS, LVM) and partitions. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup/cgroup-util.h"
#include "hutch/cgroup.h"

/* Device-mapper devices stack (LUKS on LVM is two); more than this is a loop in a broken sysfs. */
#define MAX_STACK_DEPTH 16

static int read_devnum_at(int dirfd, const char *file, dev_t *ret) {
        char buf[32];
        unsigned ma, mi;
        int r = cg_read_at(dirfd, file, buf, sizeof buf);
        if (r < 0)
                return r;
        if (sscanf(buf, "%u:%u", &ma, &mi) != 2)
                return -EINVAL;
        *ret = makedev(ma, mi);
        return 0;
}

static bool has_queue(int sys_fd, dev_t d) {
        char p[64];
        snprintf(p, sizeof p, "dev/block/%u:%u/queue", major(d), minor(d));
        return faccessat(sys_fd, p, F_OK, 0) == 0;
}

/* The disk a partition is on; a device with a request queue of its own is its own disk.
 * -ENODEV when d is neither (or sysfs does not know it). */
static int whole_disk_at(int sys_fd, dev_t d, dev_t *ret) {
        if (has_queue(sys_fd, d)) {
                *ret = d;
                return 0;
        }
        char p[64];
        snprintf(p, sizeof p, "dev/block/%u:%u/partition", major(d), minor(d));
        if (faccessat(sys_fd, p, F_OK, 0) < 0)
                return -ENODEV;
        /* A partition's sysfs directory sits inside its disk's. */
        snprintf(p, sizeof p, "dev/block/%u:%u/../dev", major(d), minor(d));
        dev_t disk;
        int r = read_devnum_at(sys_fd, p, &disk);
        if (r < 0)
                return r;
        if (!has_queue(sys_fd, disk))
                return -ENODEV;
        *ret = disk;
        return 0;
}

/* The one device a stacked device (device-mapper) is built on: 1 with it in *ret, 0 when d is
 * built on nothing, or on devices of more than one disk (then d itself is what to throttle; a
 * dm-verity pair of data and hash partitions on the same disk counts as one). */
static int origin_at(int sys_fd, dev_t d, dev_t *ret) {
        char p[64];
        snprintf(p, sizeof p, "dev/block/%u:%u/slaves", major(d), minor(d));
        int fd = openat(sys_fd, p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        DIR *dir = fdopendir(fd);
        if (!dir) {
                close(fd);
                return 0;
        }
        bool found = false;
        dev_t first = 0, first_disk = 0;
        int result = 0;
        struct dirent *de;
        while ((de = readdir(dir))) {
                if (de->d_name[0] == '.')
                        continue;
                char f[sizeof de->d_name + 8];
                snprintf(f, sizeof f, "%s/dev", de->d_name);
                dev_t n, disk;
                if (read_devnum_at(dirfd(dir), f, &n) < 0 || whole_disk_at(sys_fd, n, &disk) < 0)
                        continue;
                if (!found) {
                        found = true;
                        first = n;
                        first_disk = disk;
                        result = 1;
                } else if (disk != first_disk) {
                        result = 0;
                        break;
                }
        }
        closedir(dir);
        if (result > 0)
                *ret = first;
        return result;
}

dev_t cgroup_io_disk_at(int sys_fd, dev_t d) {
        dev_t next;
        for (unsigned depth = 0; depth < MAX_STACK_DEPTH && origin_at(sys_fd, d, &next) > 0; depth++)
                d = next;
        dev_t disk;
        if (whole_disk_at(sys_fd, d, &disk) == 0)
                d = disk;
        return d;
}

/* The device of a single-device btrfs: its st_dev is an anonymous one (major 0), the real
 * device only the btrfs ioctls tell. */
static int btrfs_device(int fd, dev_t *ret) {
        struct btrfs_ioctl_fs_info_args fsi;
        memset(&fsi, 0, sizeof fsi);
        if (ioctl(fd, BTRFS_IOC_FS_INFO, &fsi) < 0)
                return -errno;
        if (fsi.num_devices != 1)
                return -ENOTUNIQ;
        for (__u64 id = 1; id <= fsi.max_id; id++) {
                struct btrfs_ioctl_dev_info_args di;
                memset(&di, 0, sizeof di);
                di.devid = id;
                if (ioctl(fd, BTRFS_IOC_DEV_INFO, &di) < 0) {
                        if (errno == ENODEV)
                                continue; /* a removed device's id */
                        return -errno;
                }
                const char *dev_path = (const char *) di.path;
                /* Mounted as root without an initrd, btrfs knows its device only as the
                 * kernel's name for it. */
                if (strcmp(dev_path, "/dev/root") == 0)
                        return -EUCLEAN;
                struct stat st;
                if (stat(dev_path, &st) < 0)
                        return -errno;
                if (!S_ISBLK(st.st_mode) || major(st.st_rdev) == 0)
                        return -ENODEV;
                *ret = st.st_rdev;
                return 0;
        }
        return -ENODEV;
}

int cgroup_io_device(int sys_fd, const char *path, dev_t *ret) {
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        dev_t d;
        if (S_ISBLK(st.st_mode))
                d = st.st_rdev;
        else if (S_ISCHR(st.st_mode))
                return -ENOTBLK;
        else if (major(st.st_dev) != 0)
                d = st.st_dev;
        else {
                struct statfs sf;
                if (statfs(path, &sf) < 0)
                        return -errno;
                /* tmpfs, overlay, NFS and friends have no local disk; the btrfs ioctls need
                 * a file or directory of the file system itself (not a FIFO or socket). */
                if (sf.f_type != BTRFS_SUPER_MAGIC || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
                        return -ENODEV;
                int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd < 0)
                        return -errno;
                int r = btrfs_device(fd, &d);
                close(fd);
                if (r < 0)
                        return r;
        }
        *ret = cgroup_io_disk_at(sys_fd, d);
        return 0;
}
