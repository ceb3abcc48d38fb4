/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's mount namespace, built in the clone3 child:
 *
 *   1. every mount is made private (MS_REC|MS_PRIVATE on /): nothing propagates to or from
 *      the host from here on;
 *   2. the host objects the sandbox needs are already fds: the parent cloned the bind sources,
 *      device nodes, the host's /dev or /sys and the notify socket (sandbox_collect_host), and
 *      built an overlay root (overlay.c); for a read-only root the child clones RootDirectory=
 *      recursively here, while the host tree is intact, and drops the host's kernel file systems
 *      (proc, sysfs, nsfs, ...) that came along with it;
 *   3. a private staging tmpfs is mounted over the host's /tmp *in this namespace only*; it
 *      holds the new root's mount point and an inaccessible (mode 0000) directory for masks;
 *   4. the root is attached there, then /proc, /sys, /dev, /run, /tmp, /var/tmp and the unit's
 *      own mounts go on top;
 *   5. pivot_root into it and detach the old root (with the staging tmpfs).
 *
 * Every mount target inside the new root is opened with openat2(RESOLVE_IN_ROOT) and mounts
 * are attached with move_mount() on that fd, so a symlink shipped by a layer can never point a
 * mount outside the sandbox. hutch's own targets (/proc, /dev, ...) must be real directories
 * (RESOLVE_NO_SYMLINKS): a layer that ships them as symlinks is refused.
 *
 * Decision: the root is always nosuid (setuid binaries of the host root would be harmless
 * under NoNewPrivileges=yes, but a unit may turn that off, and nothing hutch runs needs to gain
 * privileges by exec), and nodev when PrivateDevices=yes (device nodes then work only in the
 * read-only /dev, which holds the six hutch makes). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hutch/strv.h"
#include "sandbox/mount-util.h"
#include "sandbox/sandbox-internal.h"
#include "shared/syscall.h"

#define RESOLVE_SANDBOX (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define RESOLVE_OWN (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS)
#define ATTR_SAFE (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

static const char *const dev_nodes[SANDBOX_DEV_NODES] = {"null", "zero", "full", "random", "urandom", "tty"};
/* Their numbers (the kernel's Documentation/admin-guide/devices.txt), all mode 0666. */
static const unsigned dev_numbers[SANDBOX_DEV_NODES][2] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}};

/* /proc entries that disclose or change kernel state: masked (empty) or made read-only.
 * slabinfo and pagetypeinfo show the kernel's heap and page allocator at work (what a heap
 * exploit grooms by); key-users lists the host's users of the kernel keyring. */
/* mtrr and apm: the x86 memory-type registers and power management (systemd masks them too).
 * kpageflags, kpagecount, kpagecgroup: what every physical page holds; like slabinfo, files of
 * mode 0400 that a root service reads through its owner bits, capabilities or not. */
static const char *const proc_masked[] = {
        "acpi",        "asound",      "kcore",        "keys",      "latency_stats",
        "timer_list",  "timer_stats", "sched_debug",  "scsi",      "kallsyms",
        "vmallocinfo", "slabinfo",    "pagetypeinfo", "key-users", "kpageflags",
        "kpagecount",  "kpagecgroup", "mtrr",         "apm",
};
static const char *const proc_read_only[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};
/* The first three are sysfs's own content (vmcoreinfo, mode 0400: the physical address of the
 * kernel's crash-dump notes); the last two are where the host mounts debugfs and securityfs:
 * empty directories in a fresh sysfs (nothing mounted below it), covered only in the host's
 * /sys, which comes with its submounts. */
static const char *const sys_masked[] = {"firmware", "devices/virtual/powercap", "kernel/vmcoreinfo",
                                         "kernel/debug", "kernel/security"};
#define SYS_MASKED_IN_FRESH 3

struct mount_state {
        const struct sandbox_ctx *c;
        struct sandbox_error *e;
        int host_root_fd;
        int root_tree_fd; /* RootMode=read-only without layers: clone of the host tree */
        int *bind_fds;    /* per BindPaths= entry: detached clone, or -1 when missing and '-' */
        bool *bind_is_dir;
        int dev_fds[ELEMENTSOF(dev_nodes)];
        int host_dev_fd, host_sys_fd, notify_fd;
        int stage_fd; /* the staging tmpfs, attached over /tmp */
        int root_fd;  /* the new root (O_PATH) */
        bool root_is_clone;
        /* ProtectHome=tmpfs, ProtectCredentials='s directories: read-only once the binds below are in */
        int home_tmpfs_fds[8];
        const char *home_tmpfs_paths[8];
        size_t n_home_tmpfs;
        int *cgroup_target; /* sandbox_setup_mounts()'s ret_cgroup_target */
        /* cover(): the first mask of each kind (directory, /dev/null, mode 0000 file), kept once
         * attached: later masks are clones of it, read-only and nosuid/nodev/noexec already */
        int mask_src[3];
};

/* Opens one of hutch's own mount points (no symlinks anywhere on the way). */
static int own_target(struct mount_state *s, const char *path, bool create) {
        /* A writable overlay root gets hutch's mount points created when its layers lack them. */
        create = create || (s->c->overlay_fd >= 0 && s->c->u->sandbox.root_mode != ROOT_READ_ONLY);
        int fd = create ? mnt_ensure_target(s->root_fd, path, true, RESOLVE_OWN)
                        : mnt_open_in(s->root_fd, path, O_PATH | O_DIRECTORY, RESOLVE_OWN);
        if (fd == -ELOOP)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, fd, "open mount point", path,
                                         "a symlink is on the way: hutch mounts only on real directories");
        if (fd == -EROFS)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, fd, "create mount point", path,
                                         "missing in the read-only root");
        if (fd < 0)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, fd, "open mount point", path, NULL);
        if (s->root_is_clone) {
                int r = mnt_detach_if_mounted(fd);
                if (r < 0) {
                        close(fd);
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "detach host mount", path,
                                                 NULL);
                }
                if (r > 0) {
                        close(fd);
                        return own_target(s, path, false);
                }
        }
        return fd;
}

/* Mounts a fresh filesystem on one of hutch's own mount points. Returns the mount's fd. */
static int mount_fresh(struct mount_state *s, const char *type, const char *path, const char *options,
                       unsigned attrs, bool create) {
        int target = own_target(s, path, create);
        if (target < 0)
                return target;
        char log[256] = "";
        int mnt = mnt_fs_make(type, type, options, attrs, log, sizeof log);
        if (mnt < 0) {
                close(target);
                char what[64];
                snprintf(what, sizeof what, "mount %s on", type);
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, mnt, what, path, "%s", log);
        }
        int r = mnt_attach(mnt, target);
        close(target);
        if (r < 0) {
                close(mnt);
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "attach mount on", path, "%s", type);
        }
        return mnt;
}

/* /dev, /run, /tmp, /var/tmp and /dev/shm: a directory `name` of the staging tmpfs each (it outlives
 * the setup anyway, as the source of every mask), bound on `path` with attributes of its own:
 * one tmpfs superblock for all of them instead of one each, each of which cost ~0.1 ms to make
 * and to tear down (bench/RESULTS.md). They share the tmpfs's size; only the paths are apart.
 * Returns the mount's fd, like mount_fresh(). */
static int mount_scratch(struct mount_state *s, const char *path, const char *name, mode_t mode,
                         unsigned attrs, bool create) {
        /* fchmodat: the mode exactly, whatever the umask. */
        if ((mkdirat(s->stage_fd, name, mode) < 0 && errno != EEXIST) ||
            fchmodat(s->stage_fd, name, mode, 0) < 0)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, errno, "prepare tmpfs directory for",
                                         path, NULL);
        int target = own_target(s, path, create);
        if (target < 0)
                return target;
        int mnt = mnt_clone(s->stage_fd, name, false);
        int r = mnt < 0 ? mnt : mnt_set_attr(mnt, attrs, ATTR_SAFE & ~attrs, false);
        if (r == 0)
                r = mnt_attach(mnt, target);
        close(target);
        if (r < 0) {
                if (mnt >= 0)
                        close(mnt);
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "bind tmpfs directory on", path, NULL);
        }
        return mnt;
}

/* Binds a clone of what `sub` (below dir_fd) is onto itself, with attributes changed. */
static int rebind(int dir_fd, const char *sub, uint64_t set, uint64_t clr, bool recursive) {
        int target = mnt_open_in(dir_fd, sub, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (target < 0)
                return target;
        int mnt = mnt_clone(target, NULL, true);
        int r = mnt < 0 ? mnt : mnt_set_attr(mnt, set, clr, recursive);
        if (r == 0)
                r = mnt_attach(mnt, target);
        if (mnt >= 0)
                close(mnt);
        close(target);
        return r;
}

/* Covers the node at `target_fd` (below the new root) with an empty, inaccessible one of the
 * same kind: directories get the staging tmpfs's mode 0000 dir; files the staging tmpfs's mode
 * 0000 file (open fails with EACCES without CAP_DAC_OVERRIDE, as systemd's InaccessiblePaths=),
 * or /dev/null (read-only, reads as empty) when `null_for_files`, as for the /proc masks. */
static int cover(struct mount_state *s, int target_fd, bool null_for_files) {
        struct stat st;
        if (fstat(target_fd, &st) < 0)
                return -errno;
        int kind = S_ISDIR(st.st_mode) ? 0 : null_for_files ? 1 : 2;
        /* A clone of a mask already in place carries its attributes: one open_tree() and one
         * move_mount() per mask after the first (the /proc masks alone are 16). */
        if (s->mask_src[kind] >= 0) {
                int mnt = mnt_clone(s->mask_src[kind], NULL, false);
                if (mnt < 0)
                        return mnt;
                int r = mnt_attach(mnt, target_fd);
                close(mnt);
                return r;
        }
        int mnt = kind == 0   ? mnt_clone(s->stage_fd, "inaccessible", false)
                  : kind == 1 ? mnt_clone(AT_FDCWD, "/dev/null", false)
                              : mnt_clone(s->stage_fd, "inaccessible-file", false);
        if (mnt < 0)
                return mnt;
        int r = mnt_set_attr(mnt, MOUNT_ATTR_RDONLY | ATTR_SAFE, 0, false);
        if (r == 0)
                r = mnt_attach(mnt, target_fd);
        if (r == 0)
                s->mask_src[kind] = mnt; /* now the attached mask */
        else
                close(mnt);
        return r;
}

static int mask_list(struct mount_state *s, int dir_fd, const char *base, const char *const *list, size_t n,
                     bool read_only) {
        for (size_t i = 0; i < n; i++) {
                char path[128];
                snprintf(path, sizeof path, "%s/%s", base, list[i]);
                int r;
                if (read_only)
                        r = rebind(dir_fd, list[i], MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                   0, true);
                else {
                        int t = mnt_open_in(dir_fd, list[i], O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                        r = t < 0 ? t : cover(s, t, true);
                        if (t >= 0)
                                close(t);
                }
                if (r == -ENOENT)
                        continue;
                if (r < 0)
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r,
                                                 read_only ? "make read-only" : "mask", path, NULL);
        }
        return 0;
}

/* sysfs shows the network devices of the network namespace it is mounted in, and the kernel lets
 * only a mounter privileged over that namespace make one: with a network namespace of its own
 * the sandbox always can; on the host's network only when it is not in a user namespace of its
 * own (then the host's /sys is bound read-only instead, with whatever is mounted below it). */
static bool sysfs_can_be_fresh(const struct sandbox_ctx *c) {
        return c->new_net || !c->new_user;
}

/* Only ever called from a cgroup namespace of the sandbox's own (the payload's, or PID 1's): the
 * kernel applies a cgroup2 mount's options (nsdelegate, memory_recursiveprot, ...) to the one
 * cgroup2 superblock machine-wide when the mounter is in the initial cgroup namespace, and this
 * mount, with none, would clear the host's. */
int sandbox_mount_cgroup(int target_fd, struct sandbox_error *e) {
        char log[256] = "";
        int cgm = mnt_fs_make("cgroup2", "cgroup2", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE, log, sizeof log);
        int r = cgm < 0 ? cgm : mnt_attach(cgm, target_fd);
        if (cgm >= 0)
                close(cgm);
        if (r < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "mount cgroup2 on", "/sys/fs/cgroup",
                                         "%s", log);
        return 0;
}

/* Step 2: the host objects, opened while the host tree is still what it was: the root here, the
 * rest in the parent (collect_host_objects). */
static int collect_root(struct mount_state *s) {
        const struct hutch_unit *u = s->c->u;
        const struct unit_section_sandbox *sb = &u->sandbox;
        struct sandbox_error *e = s->e;

        if (s->c->overlay_fd < 0) {
                s->host_root_fd = mnt_open_in(AT_FDCWD, sb->root_directory, O_PATH | O_DIRECTORY,
                                              RESOLVE_NO_MAGICLINKS);
                if (s->host_root_fd < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, s->host_root_fd,
                                                 "open RootDirectory=", sb->root_directory, NULL);
                s->root_tree_fd = mnt_clone(s->host_root_fd, NULL, true);
                if (s->root_tree_fd < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, s->root_tree_fd,
                                                 "bind RootDirectory=", sb->root_directory, NULL);
                s->root_is_clone = true;
        }
        return 0;
}

/* Bind sources, device nodes, the host's /dev and /sys, the notify socket: cloned in the parent,
 * with the host's credentials (a user namespace's root could not even reach a root-only bind
 * source), as detached mounts the child only attaches. */
static int collect_host_objects(struct mount_state *s) {
        const struct hutch_unit *u = s->c->u;
        const struct unit_section_sandbox *sb = &u->sandbox;
        struct sandbox_error *e = s->e;

        s->bind_fds = new0(int, sb->n_binds + 1);
        s->bind_is_dir = new0(bool, sb->n_binds + 1);
        if (!s->bind_fds || !s->bind_is_dir)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, -ENOMEM, "allocate", NULL, NULL);
        for (size_t i = 0; i < sb->n_binds; i++) {
                const struct bind_mount *b = &sb->binds[i];
                const char *key = b->key ?: b->read_only ? "BindReadOnlyPaths=" : "BindPaths=";
                s->bind_fds[i] = -1;
                int fd = mnt_clone(AT_FDCWD, b->source, b->recursive);
                if (fd == -ENOENT && b->ignore_missing)
                        continue;
                if (fd < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, fd, "open bind source", b->source,
                                                 "%s", key);
                s->bind_fds[i] = fd;
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, errno, "stat bind source", b->source,
                                                 "%s", key);
                s->bind_is_dir[i] = S_ISDIR(st.st_mode);
                /* nosuid as every mount of the sandbox; with PrivateDevices=yes nodev too, so
                 * that the read-only /dev stays the one mount where device nodes work (a node
                 * that a bound directory holds, or that a service with CAP_MKNOD makes in it,
                 * does not open); but a bind of a device node itself is how a unit hands one
                 * device to its service, and works. */
                bool device = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode);
                unsigned attrs = MOUNT_ATTR_NOSUID | (b->read_only ? MOUNT_ATTR_RDONLY : 0) |
                                 (sb->private_devices && !device ? MOUNT_ATTR_NODEV : 0);
                int r = mnt_set_attr(fd, attrs, 0, true);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r,
                                                 b->read_only ? "make read-only" : "make nosuid", b->source,
                                                 "%s", key);
        }

        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++)
                s->dev_fds[i] = -1;
        /* Only a user namespace's root, which cannot make device nodes, gets the host's bound. */
        if (sb->private_devices && s->c->new_user)
                for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                        char p[32];
                        snprintf(p, sizeof p, "/dev/%s", dev_nodes[i]);
                        s->dev_fds[i] = mnt_clone(AT_FDCWD, p, false);
                        /* Read-only binds: reading and writing a device node works on a read-only
                         * mount, but a root payload owns the host's nodes and could chmod or
                         * chown them on a writable one. */
                        int r = s->dev_fds[i] < 0 ? s->dev_fds[i]
                                                  : mnt_set_attr(s->dev_fds[i],
                                                                 MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
                                                                         MOUNT_ATTR_NOEXEC,
                                                                 0, false);
                        if (r < 0)
                                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind device", p, NULL);
                }
        else if (!sb->private_devices) {
                /* The host's /dev, read-only and nosuid all the way down: reading and writing a
                 * device works on a read-only mount, but on a writable one a root payload owns the
                 * host's nodes and could chmod, remove or create them. */
                s->host_dev_fd = mnt_clone(AT_FDCWD, "/dev", true);
                int r = s->host_dev_fd < 0 ? s->host_dev_fd
                                           : mnt_set_attr(s->host_dev_fd,
                                                          MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0, true);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind", "/dev",
                                                 "PrivateDevices=no, read-only");
        }
        if (!sysfs_can_be_fresh(s->c)) {
                s->host_sys_fd = mnt_clone(AT_FDCWD, "/sys", true);
                int r = s->host_sys_fd < 0
                                ? s->host_sys_fd
                                : mnt_set_attr(s->host_sys_fd, MOUNT_ATTR_RDONLY | ATTR_SAFE, 0, true);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind", "/sys", "read-only");
        }
        if (s->c->p->notify_socket) {
                s->notify_fd = mnt_clone(AT_FDCWD, s->c->p->notify_socket, false);
                /* connect() works on a read-only mount; chmod/chown of hutch's socket does not. */
                int r = s->notify_fd < 0
                                ? s->notify_fd
                                : mnt_set_attr(s->notify_fd, MOUNT_ATTR_RDONLY | ATTR_SAFE, 0, false);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind notify socket",
                                                 s->c->p->notify_socket, NULL);
        }
        return 0;
}

/* Step 3 and 4a: the staging tmpfs and the root on it. */
static int build_root(struct mount_state *s) {
        const struct unit_section_sandbox *sb = &s->c->u->sandbox;
        struct sandbox_error *e = s->e;
        char log[256] = "";

        int tmp = mnt_open_in(AT_FDCWD, "/tmp", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
        if (tmp < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, tmp, "open staging directory", "/tmp",
                                         "the host needs a /tmp directory; nothing is written to it");
        s->stage_fd = mnt_fs_make("tmpfs", "hutch-stage", "mode=0700", ATTR_SAFE, log, sizeof log);
        int r = s->stage_fd < 0 ? s->stage_fd : mnt_attach(s->stage_fd, tmp);
        close(tmp);
        if (r < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "mount staging tmpfs on", "/tmp", "%s",
                                         log);
        int f = openat(s->stage_fd, "inaccessible-file", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
        if (f >= 0)
                close(f);
        if (f < 0 || mkdirat(s->stage_fd, "root", 0755) < 0 || mkdirat(s->stage_fd, "inaccessible", 0) < 0 ||
            fchmodat(s->stage_fd, "inaccessible", 0, 0) < 0 ||
            fchmodat(s->stage_fd, "inaccessible-file", 0, 0) < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, errno, "prepare staging tmpfs", "/tmp",
                                         NULL);

        unsigned attrs = MOUNT_ATTR_NOSUID | (sb->private_devices ? MOUNT_ATTR_NODEV : 0);
        int tree;
        if (s->root_is_clone) {
                tree = TAKE_FD(s->root_tree_fd);
                r = mnt_set_attr(tree, MOUNT_ATTR_RDONLY | attrs, 0, true);
                if (r < 0) {
                        close(tree);
                        return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r, "make read-only",
                                                 sb->root_directory, "RootMode=read-only");
                }
        } else
                tree = s->c->overlay_fd;
        int target = mnt_open_in(s->stage_fd, "root", O_PATH | O_DIRECTORY,
                                 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        r = target < 0 ? target : mnt_attach(tree, target);
        if (tree != s->c->overlay_fd)
                close(tree);
        if (target >= 0)
                close(target);
        if (r < 0)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r, "attach root", sb->root_directory, NULL);
        s->root_fd = mnt_open_in(s->stage_fd, "root", O_PATH | O_DIRECTORY,
                                 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        if (s->root_fd < 0)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, s->root_fd, "open new root",
                                         sb->root_directory, NULL);
        /* In a user namespace they are locked to their parent and cannot be detached; the
         * namespace's root holds no privilege over what they show. Reading mountinfo is the slow
         * way to find them: skipped when the kernel can tell that nothing at all is mounted
         * below the root (any RootDirectory= but a tree with mount points in it, such as /). */
        if (s->root_is_clone && !s->c->new_user && mnt_has_submounts(s->root_fd) != 0) {
                r = mnt_detach_pseudo_submounts("/tmp/root");
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r,
                                                 "detach host kernel file systems below", sb->root_directory,
                                                 NULL);
        }
        return 0;
}

/* Step 4b: /proc, /sys, /dev, /run, /tmp, /var/tmp. */
static int mount_api(struct mount_state *s) {
        const struct unit_section_sandbox *sb = &s->c->u->sandbox;
        const struct unit_section_security *sec = &s->c->u->security;
        int r, mnt;

        /* A fresh procfs of the new PID namespace, with the kernel's dangerous files covered;
         * ProtectProc= and ProcSubset= are its own mount options (Linux 5.8). */
        static const char *const hidepid[_PROTECT_PROC_MAX] = {
                [PROTECT_PROC_NOACCESS] = "hidepid=noaccess",
                [PROTECT_PROC_INVISIBLE] = "hidepid=invisible",
                [PROTECT_PROC_PTRACEABLE] = "hidepid=ptraceable",
        };
        char proc_opts[64];
        snprintf(proc_opts, sizeof proc_opts, "%s%s%s", hidepid[sb->protect_proc] ?: "",
                 hidepid[sb->protect_proc] && sb->proc_subset == PROC_SUBSET_PID ? "," : "",
                 sb->proc_subset == PROC_SUBSET_PID ? "subset=pid" : "");
        mnt = mount_fresh(s, "proc", "/proc", proc_opts[0] ? proc_opts : NULL, ATTR_SAFE, false);
        if (mnt < 0)
                return mnt;
        r = mask_list(s, mnt, "/proc", proc_masked, ELEMENTSOF(proc_masked), false);
        if (r == 0 && sec->protect_kernel_logs)
                r = mask_list(s, mnt, "/proc", (const char *const[]){"kmsg"}, 1, false);
        if (r == 0)
                r = mask_list(s, mnt, "/proc", proc_read_only, ELEMENTSOF(proc_read_only), true);
        close(mnt);
        if (r < 0)
                return r;

        /* A fresh sysfs has none of the host's mounts below /sys (cgroup v1 hierarchies, debugfs,
         * tracefs, securityfs, bpf, pstore): only the cgroup namespace's own cgroup2 is added. */
        if (sysfs_can_be_fresh(s->c)) {
                mnt = mount_fresh(s, "sysfs", "/sys", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE, false);
                if (mnt < 0)
                        return mnt;
                /* The cgroup namespace's own subtree, read-only, where a service looks for it. */
                int cg = mnt_open_in(mnt, "fs/cgroup", O_PATH | O_DIRECTORY,
                                     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                if (cg >= 0 && s->cgroup_target) {
                        /* Mounted by the payload, in the cgroup namespace it starts with. */
                        *s->cgroup_target = cg;
                } else if (cg >= 0) {
                        r = sandbox_mount_cgroup(cg, s->e);
                        close(cg);
                        if (r < 0) {
                                close(mnt);
                                return r;
                        }
                }
        } else {
                int t = own_target(s, "/sys", false);
                if (t < 0)
                        return t;
                r = mnt_attach(s->host_sys_fd, t);
                close(t);
                if (r < 0)
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "bind", "/sys", "read-only");
                mnt = TAKE_FD(s->host_sys_fd);
        }
        r = mask_list(s, mnt, "/sys", sys_masked,
                      sysfs_can_be_fresh(s->c) ? SYS_MASKED_IN_FRESH : ELEMENTSOF(sys_masked), false);
        close(mnt);
        if (r < 0)
                return r;

        if (sb->private_devices) {
                /* The nodes are made here (mknod), as systemd's PrivateDevices= does, and /dev is
                 * then read-only: the one mount of the sandbox where device nodes work holds
                 * these six and no others can be added (every other mount is nodev). A user
                 * namespace's root cannot make device nodes: there, and where the kernel refuses
                 * mknod, they are read-only binds of the host's, mounts of their own on a nodev
                 * /dev (six more mounts to make and take down at each start and stop). */
                mnt = mount_scratch(s, "/dev", "dev", 0755, ATTR_SAFE, false);
                if (mnt < 0)
                        return mnt;
                bool made = false;
                if (!s->c->new_user) {
                        mode_t old = umask(0);
                        size_t i = 0;
                        for (; i < ELEMENTSOF(dev_nodes); i++)
                                if (mknodat(mnt, dev_nodes[i], S_IFCHR | 0666,
                                            makedev(dev_numbers[i][0], dev_numbers[i][1])) < 0)
                                        break;
                        umask(old);
                        made = i == ELEMENTSOF(dev_nodes);
                        for (size_t j = 0; !made && j < i; j++)
                                (void) unlinkat(mnt, dev_nodes[j], 0);
                }
                for (size_t i = 0; !made && i < ELEMENTSOF(dev_nodes); i++) {
                        int f = openat(mnt, dev_nodes[i],
                                       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                        if (f >= 0) {
                                close(f);
                                f = mnt_open_in(mnt, dev_nodes[i], O_PATH,
                                                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                        } else
                                f = -errno;
                        int src = s->dev_fds[i];
                        char host[32];
                        if (src < 0) {
                                /* Not cloned by the parent (no user namespace): from the host's /dev,
                                 * still reachable in the old root, read-only like those. */
                                snprintf(host, sizeof host, "/dev/%s", dev_nodes[i]);
                                src = mnt_clone(AT_FDCWD, host, false);
                                if (src >= 0 &&
                                    (r = mnt_set_attr(
                                             src, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
                                             0, false)) < 0) {
                                        close(src);
                                        src = r;
                                }
                                s->dev_fds[i] = src;
                        }
                        r = f < 0 ? f : src < 0 ? src : mnt_attach(src, f);
                        if (f >= 0)
                                close(f);
                        if (r < 0) {
                                close(mnt);
                                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "bind device /dev/",
                                                         dev_nodes[i], NULL);
                        }
                }
                static const char *const links[][2] = {
                        {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},
                        {"stdin", "/proc/self/fd/0"},  {"stdout", "/proc/self/fd/1"},
                        {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},
                };
                r = 0;
                for (size_t i = 0; r == 0 && i < ELEMENTSOF(links); i++)
                        if (symlinkat(links[i][1], mnt, links[i][0]) < 0)
                                r = -errno;
                if (r == 0 && (mkdirat(mnt, "pts", 0755) < 0 || mkdirat(mnt, "shm", 01777) < 0 ||
                               fchmodat(mnt, "shm", 01777, 0) < 0 || mkdirat(mnt, "mqueue", 0755) < 0))
                        r = -errno;
                /* Read-only from here on; device nodes work on it only when they are its own. */
                if (r == 0)
                        r = mnt_set_attr(mnt, MOUNT_ATTR_RDONLY, made ? MOUNT_ATTR_NODEV : 0, false);
                close(mnt);
                if (r < 0)
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "populate", "/dev", NULL);
                /* A new devpts instance: the host's terminals are not in it. */
                mnt = mount_fresh(s, "devpts", "/dev/pts", "newinstance,ptmxmode=0666,mode=0620",
                                  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false);
                if (mnt < 0)
                        return mnt;
                close(mnt);
                mnt = mount_scratch(s, "/dev/shm", "shm", 01777, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                    false);
                if (mnt < 0)
                        return mnt;
                close(mnt);
        } else {
                int t = own_target(s, "/dev", false);
                if (t < 0)
                        return t;
                r = mnt_attach(s->host_dev_fd, t);
                close(t);
                if (r < 0)
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "bind", "/dev",
                                                 "PrivateDevices=no");
                /* The host's /dev/kmsg would let the service read and write the kernel log. */
                if (sec->protect_kernel_logs) {
                        int dev = mnt_open_in(s->root_fd, "/dev", O_PATH | O_DIRECTORY, RESOLVE_OWN);
                        if (dev < 0)
                                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, dev, "open", "/dev",
                                                         "PrivateDevices=no");
                        r = mask_list(s, dev, "/dev", (const char *const[]){"kmsg"}, 1, false);
                        close(dev);
                        if (r < 0)
                                return r;
                }
                /* The host's terminals and shared memory stay the host's: fresh instances on top,
                 * where the host has the mount points. */
                int d = mnt_open_in(s->root_fd, "/dev/pts", O_PATH | O_DIRECTORY, RESOLVE_OWN);
                if (d >= 0) {
                        close(d);
                        mnt = mount_fresh(s, "devpts", "/dev/pts", "newinstance,ptmxmode=0666,mode=0620",
                                          MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false);
                        if (mnt < 0)
                                return mnt;
                        close(mnt);
                }
                d = mnt_open_in(s->root_fd, "/dev/shm", O_PATH | O_DIRECTORY, RESOLVE_OWN);
                if (d >= 0) {
                        close(d);
                        mnt = mount_scratch(s, "/dev/shm", "shm", 01777,
                                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false);
                        if (mnt < 0)
                                return mnt;
                        close(mnt);
                }
        }
        /* POSIX message queues of the new IPC namespace (never create the directory in a host /dev). */
        int mq = mnt_open_in(s->root_fd, "/dev/mqueue", O_PATH | O_DIRECTORY, RESOLVE_OWN);
        if (mq >= 0) {
                close(mq);
                mnt = mount_fresh(s, "mqueue", "/dev/mqueue", NULL, ATTR_SAFE, false);
                if (mnt < 0)
                        return mnt;
                close(mnt);
        }

        mnt = mount_scratch(s, "/run", "run", 0755, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false);
        if (mnt < 0)
                return mnt;
        if (s->notify_fd >= 0) {
                int f = -1;
                r = mkdirat(mnt, "host", 0755) < 0 ? -errno : 0;
                if (r == 0) {
                        f = openat(mnt, "host/notify", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
                                   0644);
                        if (f < 0)
                                r = -errno;
                        else {
                                close(f);
                                f = mnt_open_in(mnt, "host/notify", O_PATH,
                                                RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                                r = f < 0 ? f : mnt_attach(s->notify_fd, f);
                        }
                }
                if (f >= 0)
                        close(f);
                if (r < 0) {
                        close(mnt);
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "bind notify socket on",
                                                 "/run/host/notify", "%s", s->c->p->notify_socket);
                }
        }
        close(mnt);

        if (sb->private_tmp) {
                static const char *const tmps[][2] = {{"/tmp", "tmp"}, {"/var/tmp", "var-tmp"}};
                for (size_t i = 0; i < ELEMENTSOF(tmps); i++) {
                        mnt = mount_scratch(s, tmps[i][0], tmps[i][1], 01777,
                                            MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true);
                        if (mnt < 0)
                                return mnt;
                        close(mnt);
                }
        }
        return 0;
}

/* Step 4c: BindPaths=, BindReadOnlyPaths=, TemporaryFileSystem=, ProtectHome=tmpfs, then
 * ReadWritePaths=, ReadOnlyPaths=, InaccessiblePaths=, ProtectHome=yes|read-only,
 * ProtectCredentials= (parents before children, so the deeper entry wins). */
struct path_op {
        const char *path;
        const char *key;
        int kind; /* 0 bind, 1 tmpfs, 2 read-write, 3 read-only, 4 inaccessible, 5 empty read-only directory
                     of the staging tmpfs */
        size_t index;
        bool ignore_missing;
        mode_t empty_mode; /* kind 5 */
};

/* ProtectHome=tmpfs goes with the mounts that add things, before a bind below it on the same
 * path, so that BindPaths= into an emptied /home works (as systemd recommends). */
static int path_op_rank(int kind) {
        return kind == 5 ? -1 : kind;
}

static int path_op_cmp(const void *a, const void *b) {
        const struct path_op *x = a, *y = b;
        int gx = path_op_rank(x->kind) >= 2, gy = path_op_rank(y->kind) >= 2;
        if (gx != gy)
                return gx - gy;
        int c = strcmp(x->path, y->path);
        if (c != 0)
                return c;
        return path_op_rank(x->kind) - path_op_rank(y->kind);
}

/* TemporaryFileSystem= options: mount flags become attributes, the rest goes to tmpfs. */
static int tmpfs_options(const char *in, char *out, size_t outsz, unsigned *attrs) {
        *attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
        snprintf(out, outsz, "mode=0755");
        if (!in)
                return 0;
        char buf[512];
        snprintf(buf, sizeof buf, "%s", in);
        char *save = NULL;
        for (char *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                static const struct {
                        const char *name;
                        unsigned set, clr;
                } flags[] = {
                        {"ro", MOUNT_ATTR_RDONLY, 0},     {"rw", 0, MOUNT_ATTR_RDONLY},
                        {"nosuid", MOUNT_ATTR_NOSUID, 0}, {"suid", 0, MOUNT_ATTR_NOSUID},
                        {"nodev", MOUNT_ATTR_NODEV, 0},   {"dev", 0, MOUNT_ATTR_NODEV},
                        {"noexec", MOUNT_ATTR_NOEXEC, 0}, {"exec", 0, MOUNT_ATTR_NOEXEC},
                };
                bool done = false;
                for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                        if (streq(o, flags[i].name)) {
                                *attrs = (*attrs | flags[i].set) & ~flags[i].clr;
                                done = true;
                        }
                if (!done) {
                        size_t l = strlen(out);
                        snprintf(out + l, outsz - l, ",%s", o);
                }
        }
        return 0;
}

static int unit_path_op(struct mount_state *s, const struct path_op *op) {
        const struct unit_section_sandbox *sb = &s->c->u->sandbox;
        struct sandbox_error *e = s->e;
        int r, target, mnt;

        switch (op->kind) {
        case 0: {
                if (s->bind_fds[op->index] < 0)
                        return 0;
                target = mnt_ensure_target(s->root_fd, op->path, s->bind_is_dir[op->index], RESOLVE_SANDBOX);
                if (target < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, target, "create bind mount point",
                                                 op->path, "%s%s", op->key,
                                                 target == -EROFS
                                                         ? " needs a writable root (RootMode=volatile) "
                                                           "to create it"
                                                         : "");
                r = mnt_attach(s->bind_fds[op->index], target);
                close(target);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind", op->path, "%s%s", op->key,
                                                 sb->binds[op->index].source);
                return 0;
        }
        case 5: {
                /* An existing directory only: nothing is created for a path the root lacks. */
                target = mnt_open_in(s->root_fd, op->path, O_PATH | O_DIRECTORY, RESOLVE_SANDBOX);
                if (target == -ENOENT || target == -ENOTDIR)
                        return 0;
                if (target < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, target, "open", op->path, "%s",
                                                 op->key);
                if (s->n_home_tmpfs >= ELEMENTSOF(s->home_tmpfs_fds)) {
                        close(target);
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, E2BIG, "mount tmpfs on", op->path,
                                                 "%s", op->key);
                }
                /* A directory of the staging tmpfs of its own, as mount_scratch() makes: no
                 * superblock per emptied path, to make at the start and tear down at the stop. */
                char name[32];
                snprintf(name, sizeof name, "empty-%zu", s->n_home_tmpfs);
                if ((mkdirat(s->stage_fd, name, op->empty_mode) < 0 && errno != EEXIST) ||
                    fchmodat(s->stage_fd, name, op->empty_mode, 0) < 0) {
                        r = -errno;
                        close(target);
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "prepare tmpfs directory for",
                                                 op->path, "%s", op->key);
                }
                mnt = mnt_clone(s->stage_fd, name, false);
                r = mnt < 0 ? mnt : mnt_set_attr(mnt, ATTR_SAFE, 0, false);
                if (r == 0)
                        r = mnt_attach(mnt, target);
                close(target);
                if (r < 0) {
                        if (mnt >= 0)
                                close(mnt);
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind tmpfs directory on",
                                                 op->path, "%s", op->key);
                }
                s->home_tmpfs_paths[s->n_home_tmpfs] = op->path;
                s->home_tmpfs_fds[s->n_home_tmpfs++] = mnt;
                return 0;
        }
        case 1: {
                char opts[512];
                unsigned attrs;
                tmpfs_options(sb->tmpfs[op->index].options, opts, sizeof opts, &attrs);
                target = mnt_ensure_target(s->root_fd, op->path, true, RESOLVE_SANDBOX);
                if (target < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, target, "create mount point",
                                                 op->path, "%s", op->key);
                char log[256] = "";
                mnt = mnt_fs_make("tmpfs", "tmpfs", opts, attrs, log, sizeof log);
                r = mnt < 0 ? mnt : mnt_attach(mnt, target);
                if (mnt >= 0)
                        close(mnt);
                close(target);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "mount tmpfs on", op->path,
                                                 "%s%s %s", op->key, opts, log);
                return 0;
        }
        default:
                break;
        }

        target = mnt_open_in(s->root_fd, op->path, O_PATH, RESOLVE_SANDBOX);
        if (target == -ENOENT && op->ignore_missing)
                return 0;
        if (target < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, target, "open", op->path, "%s", op->key);
        if (op->kind == 4)
                r = cover(s, target, false);
        else {
                mnt = mnt_clone(target, NULL, true);
                r = mnt;
                if (mnt >= 0) {
                        /* read-only reaches every submount; read-write only this one, so a
                         * BindReadOnlyPaths= below it stays read-only. */
                        r = op->kind == 3 ? mnt_set_attr(mnt, MOUNT_ATTR_RDONLY, 0, true)
                                          : mnt_set_attr(mnt, 0, MOUNT_ATTR_RDONLY, false);
                        if (r == 0)
                                r = mnt_attach(mnt, target);
                        close(mnt);
                }
        }
        close(target);
        if (r < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r,
                                         op->kind == 4   ? "make inaccessible"
                                         : op->kind == 3 ? "make read-only"
                                                         : "make writable",
                                         op->path, "%s", op->key);
        return 0;
}

static int mount_unit_paths(struct mount_state *s) {
        const struct unit_section_sandbox *sb = &s->c->u->sandbox;
        const struct path_list *lists[] = {&sb->read_write_paths, &sb->read_only_paths,
                                           &sb->inaccessible_paths};
        static const char *const keys[] = {"ReadWritePaths=", "ReadOnlyPaths=", "InaccessiblePaths="};
        size_t n = sb->n_binds + sb->n_tmpfs + strv_length((char *const *) protect_home_paths) +
                   strv_length((char *const *) protect_credentials_paths) +
                   strv_length((char *const *) protect_credentials_dirs) +
                   strv_length((char *const *) protect_kernel_modules_paths) +
                   strv_length((char *const *) protect_system_paths) + 1;
        for (size_t i = 0; i < 3; i++)
                n += lists[i]->n;
        struct path_op *ops = new0(struct path_op, n);
        if (!ops)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, -ENOMEM, "allocate", NULL, NULL);
        size_t k = 0;
        for (size_t i = 0; i < sb->n_binds; i++)
                ops[k++] = (struct path_op){sb->binds[i].destination,
                                            sb->binds[i].key         ? sb->binds[i].key
                                            : sb->binds[i].read_only ? "BindReadOnlyPaths="
                                                                     : "BindPaths=",
                                            0, i, sb->binds[i].ignore_missing};
        for (size_t i = 0; i < sb->n_tmpfs; i++)
                ops[k++] = (struct path_op){sb->tmpfs[i].path, "TemporaryFileSystem=", 1, i, false};
        for (size_t l = 0; l < 3; l++)
                for (size_t i = 0; i < lists[l]->n; i++)
                        ops[k++] = (struct path_op){lists[l]->items[i].path, keys[l], (int) l + 2, i,
                                                    lists[l]->items[i].ignore_missing};
        /* hutch's defaults: what the root lacks is skipped without a word. */
        static const int home_kind[_PROTECT_HOME_MAX] = {
                [PROTECT_HOME_NO] = -1,
                [PROTECT_HOME_YES] = 4,
                [PROTECT_HOME_READ_ONLY] = 3,
                [PROTECT_HOME_TMPFS] = 5,
        };
        if (home_kind[sb->protect_home] >= 0)
                for (size_t i = 0; protect_home_paths[i]; i++)
                        ops[k++] = (struct path_op){protect_home_paths[i],
                                                    "ProtectHome=",
                                                    home_kind[sb->protect_home],
                                                    i,
                                                    true,
                                                    0755};
        /* ProtectSystem=yes and full on a writable root (with RootMode=read-only all of it is
         * read-only already): the system's trees read-only, where the root has them. */
        enum protect_system ps = model_protect_system(sb);
        if (ps == PROTECT_SYSTEM_YES || ps == PROTECT_SYSTEM_FULL) {
                size_t i = 0;
                for (; protect_system_paths[i]; i++)
                        ops[k++] =
                                (struct path_op){protect_system_paths[i], "ProtectSystem=", 3, i, true, 0};
                if (ps == PROTECT_SYSTEM_FULL)
                        ops[k++] = (struct path_op){"/etc", "ProtectSystem=", 3, i, true, 0};
        }
        if (sb->protect_credentials)
                for (size_t i = 0; protect_credentials_paths[i]; i++)
                        ops[k++] = (struct path_op){
                                protect_credentials_paths[i], "ProtectCredentials=", 4, i, true, 0};
        /* Key directories: an empty directory that even its owner (root) cannot list (mode 0111), so
         * only what the unit binds below it by name is there. */
        if (sb->protect_credentials)
                for (size_t i = 0; protect_credentials_dirs[i]; i++)
                        ops[k++] = (struct path_op){
                                protect_credentials_dirs[i], "ProtectCredentials=", 5, i, true, 0111};
        if (s->c->u->security.protect_kernel_modules) {
                /* Merged /usr: /lib is a link to usr/lib, and /lib/modules the same tree again. */
                struct stat st;
                bool lib_link =
                        fstatat(s->root_fd, "lib", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
                for (size_t i = 0; protect_kernel_modules_paths[i]; i++)
                        if (!(lib_link && strncmp(protect_kernel_modules_paths[i], "/lib/", 5) == 0))
                                ops[k++] = (struct path_op){protect_kernel_modules_paths[i],
                                                            "ProtectKernelModules=",
                                                            4,
                                                            i,
                                                            true,
                                                            0};
        }
        n = k;
        qsort(ops, n, sizeof *ops, path_op_cmp);
        int r = 0;
        size_t i = 0;
        for (; r == 0 && i < n && path_op_rank(ops[i].kind) < 2; i++)
                r = unit_path_op(s, &ops[i]);
        /* The emptied directories (ProtectHome=tmpfs, the key directories): read-only now that what
         * is bound below them is in place, and before the read-write and read-only passes, whose
         * recursive clones of a parent (ReadWritePaths=/etc) copy them as they are then. This
         * mount only, so a writable bind below stays writable. */
        for (size_t j = 0; j < s->n_home_tmpfs; j++) {
                if (r == 0) {
                        r = mnt_set_attr(s->home_tmpfs_fds[j], MOUNT_ATTR_RDONLY, 0, false);
                        if (r < 0)
                                r = sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "make read-only",
                                                      s->home_tmpfs_paths[j], "empty directory");
                }
                mnt_close_fd(&s->home_tmpfs_fds[j]);
        }
        s->n_home_tmpfs = 0;
        for (; r == 0 && i < n; i++)
                r = unit_path_op(s, &ops[i]);
        free(ops);
        return r;
}

void sandbox_host_init(struct sandbox_host *h) {
        *h = (struct sandbox_host){.host_dev_fd = -1, .host_sys_fd = -1, .notify_fd = -1};
        for (size_t i = 0; i < ELEMENTSOF(h->dev_fds); i++)
                h->dev_fds[i] = -1;
}

void sandbox_host_close(struct sandbox_host *h, size_t n_binds) {
        for (size_t i = 0; h->bind_fds && i < n_binds; i++)
                mnt_close_fd(&h->bind_fds[i]);
        free(h->bind_fds);
        free(h->bind_is_dir);
        for (size_t i = 0; i < ELEMENTSOF(h->dev_fds); i++)
                mnt_close_fd(&h->dev_fds[i]);
        mnt_close_fd(&h->host_dev_fd);
        mnt_close_fd(&h->host_sys_fd);
        mnt_close_fd(&h->notify_fd);
        sandbox_host_init(h);
}

int sandbox_collect_host(const struct sandbox_ctx *c, struct sandbox_host *h, struct sandbox_error *e) {
        struct mount_state s = {
                .c = c,
                .e = e,
                .host_dev_fd = -1,
                .host_sys_fd = -1,
                .notify_fd = -1,
                .mask_src = {-1, -1, -1},
        };
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++)
                s.dev_fds[i] = -1;
        int r = collect_host_objects(&s);
        h->bind_fds = s.bind_fds;
        h->bind_is_dir = s.bind_is_dir;
        memcpy(h->dev_fds, s.dev_fds, sizeof h->dev_fds);
        h->host_dev_fd = s.host_dev_fd;
        h->host_sys_fd = s.host_sys_fd;
        h->notify_fd = s.notify_fd;
        if (r < 0)
                sandbox_host_close(h, c->u->sandbox.n_binds);
        return r;
}

static void state_free(struct mount_state *s) {
        const struct unit_section_sandbox *sb = &s->c->u->sandbox;
        mnt_close_fd(&s->host_root_fd);
        for (size_t i = 0; s->bind_fds && i < sb->n_binds; i++)
                mnt_close_fd(&s->bind_fds[i]);
        free(s->bind_fds);
        free(s->bind_is_dir);
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++)
                mnt_close_fd(&s->dev_fds[i]);
        mnt_close_fd(&s->root_tree_fd);
        mnt_close_fd(&s->host_dev_fd);
        mnt_close_fd(&s->host_sys_fd);
        mnt_close_fd(&s->notify_fd);
        mnt_close_fd(&s->stage_fd);
        mnt_close_fd(&s->root_fd);
        for (size_t i = 0; i < ELEMENTSOF(s->mask_src); i++)
                mnt_close_fd(&s->mask_src[i]);
}

int sandbox_setup_mounts(const struct sandbox_ctx *c, struct sandbox_error *e, int *ret_cgroup_target) {
        if (ret_cgroup_target)
                *ret_cgroup_target = -1;
        struct mount_state s = {
                .c = c,
                .e = e,
                .cgroup_target = ret_cgroup_target,
                .host_root_fd = -1,
                .root_tree_fd = -1,
                .host_dev_fd = -1,
                .host_sys_fd = -1,
                .notify_fd = -1,
                .stage_fd = -1,
                .root_fd = -1,
                .mask_src = {-1, -1, -1},
        };
        /* The parent's clones, inherited: this copy of them is ours to use and close. */
        const struct sandbox_host *h = c->host;
        s.bind_fds = h->bind_fds;
        s.bind_is_dir = h->bind_is_dir;
        memcpy(s.dev_fds, h->dev_fds, sizeof s.dev_fds);
        s.host_dev_fd = h->host_dev_fd;
        s.host_sys_fd = h->host_sys_fd;
        s.notify_fd = h->notify_fd;

        /* Nothing we mount may propagate to the host, nor anything of the host's into us. */
        int r = 0;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                r = sandbox_error_set(e, SANDBOX_STEP_MOUNT, errno, "make mounts private", "/", NULL);
        if (r == 0)
                r = collect_root(&s);
        if (r == 0)
                r = build_root(&s);
        if (r == 0)
                r = mount_api(&s);
        if (r == 0)
                r = mount_unit_paths(&s);
        if (r == 0) {
                if (fchdir(s.root_fd) < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "enter new root", "/", NULL);
                /* pivot_root(".", ".") stacks the old root on top of the new one; detaching "."
                 * then drops it (and the staging tmpfs with it) from this namespace. */
                else if (pivot_root(".", ".") < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "pivot_root", "/", NULL);
                else if (umount2(".", MNT_DETACH) < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "detach old root", "/", NULL);
                else if (chdir("/") < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "chdir", "/", NULL);
        }
        state_free(&s);
        if (r < 0 && ret_cgroup_target)
                mnt_close_fd(ret_cgroup_target);
        return r;
}
