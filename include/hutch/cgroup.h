/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The cgroup manager: one delegated cgroup v2 subtree per unit.
 *
 *     ROOT/                 our own cgroup when systemd delegated it to us (Delegate=yes),
 *     │                     else hutch-NAME/ created under the cgroup we were started in
 *     ├── supervisor/       hutch itself, when the tree is asked to move us and must: when
 *     │                     delegated, or when the unit needs controllers (else we stay put)
 *     └── payload/          the sandbox (clone3 with CLONE_INTO_CGROUP into this dir fd);
 *                           the [Resources] limits are written here
 *
 * Every file is reached with openat() from directory fds; every fd is O_CLOEXEC. The
 * tree keeps no global state: a daemon holds one per unit. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hutch/model.h"

struct cgroup_tree {
        char *unit_name;
        char *mount_path;      /* where cgroup2 is mounted, e.g. "/sys/fs/cgroup/unified" */
        char *origin_path;     /* the cgroup we were started in, relative to the mount ("/" or "/a/b") */
        char *root_path;       /* ROOT relative to the mount */
        char *payload_path;    /* ROOT/payload relative to the mount, for the notify proxy's sender check */
        int mount_fd;          /* the cgroup2 mount */
        int origin_fd;         /* the cgroup we were started in */
        int root_fd;           /* ROOT */
        int supervisor_fd;     /* ROOT/supervisor */
        int payload_fd;        /* ROOT/payload: sandbox_params.cgroup_fd */
        bool delegated;        /* ROOT is our own cgroup, given to us by systemd */
        bool moved_self;       /* we moved ourselves into supervisor/ and must move back (not delegated) */
        unsigned origin_added; /* controllers hutch enabled in the origin's cgroup.subtree_control */
        unsigned root_added;   /* ... and in ROOT's: both are turned off again before moving back */
        bool no_memory_events; /* payload/ has no memory.events (no memory controller): nothing to read */
        uint64_t oom_kills;    /* memory.events oom_kill at the last cgroup_oom_kills_changed() */
        bool payload_killed;   /* cgroup.kill was written to payload/ (see cgroup_payload_renew) */
};

/* Bits for the controllers a unit needs. */
enum {
        CGROUP_CONTROLLER_CPU = 1 << 0,
        CGROUP_CONTROLLER_CPUSET = 1 << 1,
        CGROUP_CONTROLLER_MEMORY = 1 << 2,
        CGROUP_CONTROLLER_PIDS = 1 << 3,
        CGROUP_CONTROLLER_IO = 1 << 4,
};

/* The controllers the unit's [Resources] keys need. */
unsigned cgroup_controllers_needed(const struct hutch_unit *u);

/* Builds the tree for unit `u`: finds the cgroup2 mount and our cgroup, decides between
 * the delegated and the hutch-NAME/ layout, refuses a unit that is already running
 * (-EBUSY, logged), checks that every controller a [Resources] key needs is available
 * (-EOPNOTSUPP, logged naming the key and the controller), creates payload/ and, when
 * `move_self` and the tree is delegated or the unit needs a controller, supervisor/ with the
 * calling process moved into it; enables the
 * controllers and writes every limit into payload/. On failure nothing created is left
 * behind. Every failure is logged. */
int cgroup_tree_setup(const struct hutch_unit *u, bool move_self, struct cgroup_tree **ret);

/* Writes every [Resources] key of `u` into the payload cgroup. Logged on failure. */
int cgroup_apply_limits(struct cgroup_tree *t, const struct hutch_unit *u);
/* IOWeight= on io.bfq.weight's scale: 1..100 as is, 100..10000 onto 100..1000 (systemd's). */
uint64_t cgroup_bfq_weight(uint64_t io_weight);

/* DevicePolicy= and DeviceAllow= (devices.c): one rule of a cgroup device program. */
struct device_rule {
        char type;        /* 'c' or 'b' */
        int major, minor; /* -1: any */
        unsigned access;  /* DEVICE_ACCESS_* allowed */
};
/* The payload cgroup's device program, when the unit filters devices (model_device_filter()):
 * loaded and attached, or an error naming the key; called by cgroup_apply_limits(). */
int cgroup_apply_devices(struct cgroup_tree *t, const struct hutch_unit *u);
/* The unit's rules, its DeviceAllow= entries resolved now (device nodes by stat(2), drivers
 * against the text of /proc/devices, which may be NULL), with DevicePolicy=closed's devices
 * first where the policy implies them. What matches nothing is warned about and left out. */
int cgroup_device_rules(const struct hutch_unit *u, const char *proc_devices, struct device_rule **ret,
                        size_t *ret_n);
/* The majors of /proc/devices (its text) of type 'c' or 'b' whose driver name matches the glob
 * `pattern`, each once, at most `max`; their count. */
int cgroup_device_majors(const char *proc_devices, char type, const char *pattern, unsigned *majors,
                         size_t max);
/* The program for `rules` (allow on the first match, deny after the last) written to `out`
 * (struct bpf_insn[], or NULL to count): its length in instructions. */
struct bpf_insn;
size_t cgroup_device_program(const struct device_rule *rules, size_t n, struct bpf_insn *out);

/* IPAddressAllow= and IPAddressDeny= (ipfilter.c): the payload cgroup's two socket-buffer
 * programs, when the unit filters addresses (model_ip_filter()): loaded and attached, or an
 * error naming the key; called by cgroup_apply_limits(). */
int cgroup_apply_ip_filter(struct cgroup_tree *t, const struct hutch_unit *u);
/* The program for packets coming in (ingress: their source address is checked) or going out (the
 * destination): its length in instructions, written to out unless NULL. It returns 1 to pass a
 * packet, 0 to drop it. */
size_t cgroup_ip_program(const struct unit_section_resources *res, bool ingress, struct bpf_insn *out);

/* The disk whose io.max limits I/O to `path` (IOReadBandwidthMax=, IOWriteBandwidthMax=), as
 * systemd finds it: a block device node is that device, a file or directory the device of its
 * file system (on btrfs the single device of a single-device file system); then, through the
 * sysfs tree at `sys_fd` (/sys), cgroup_io_disk_at(). 0 with *ret, or:
 *   -ENOTBLK  path is a character device;
 *   -ENODEV   its file system has no local block device (tmpfs, overlay, NFS);
 *   -ENOTUNIQ a btrfs file system over several devices;
 *   -EUCLEAN  btrfs knows its device only as /dev/root (a root mounted without initrd);
 *   or stat()'s errno. */
int cgroup_io_device(int sys_fd, const char *path, dev_t *ret);
/* Block device d followed down to a disk: a device-mapper device (LUKS, LVM, each layer of a
 * stack) to the one device it is built on, while all it is built on is on one disk; then a
 * partition to its disk. What sysfs does not describe is left as it is. */
dev_t cgroup_io_disk_at(int sys_fd, dev_t d);

/* 1 when payload/ (or any cgroup below it) holds a process, 0 when empty, or -errno. */
int cgroup_payload_populated(struct cgroup_tree *t);

/* SIGKILLs everything in payload/ and below: cgroup.kill, or where the kernel lacks it,
 * SIGKILL to every pid in every cgroup.procs, repeated until the subtree is empty.
 * Does not wait. Returns 0 or -errno. */
int cgroup_payload_kill(struct cgroup_tree *t);

/* After a cgroup.kill of payload/ (payload_killed), Linux 6.18 SIGKILLs every process that is
 * later started into it with CLONE_INTO_CGROUP, the next run's too: replaces an empty payload/
 * with a new one, its limits written again. Returns 1 when it did (payload_fd changed), 0 when
 * there was nothing to do, or -errno (logged). */
int cgroup_payload_renew(struct cgroup_tree *t, const struct hutch_unit *u);

/* Waits up to `timeout` for payload/ to be empty (cgroup.events "populated 0").
 * Returns 0 when empty, -ETIMEDOUT, or -errno. */
int cgroup_payload_wait_empty(struct cgroup_tree *t, usec_t timeout);

/* Reads memory.events' oom_kill counter of payload/; returns 1 when it grew since the last
 * call (or since setup), 0 when not (or without a memory controller), or -errno. */
int cgroup_oom_kills_changed(struct cgroup_tree *t);

/* Kills anything left in payload/, moves us back to where we were started (when we moved
 * ourselves), removes payload/, supervisor/ and hutch-NAME/ (the delegated root itself
 * stays: it belongs to systemd), closes every fd and frees. Accepts NULL. */
void cgroup_tree_free(struct cgroup_tree *t);
static inline void cgroup_tree_freep(struct cgroup_tree **t) {
        cgroup_tree_free(*t);
}
#define _cleanup_cgroup_tree_ _cleanup_(cgroup_tree_freep)

/* Helpers for the tree, exposed for tests and for hutchd. */
/* Our cgroup v2 path from /proc/self/cgroup (the "0::" line); *ret malloc'ed. */
int cgroup_find_self(char **ret);
