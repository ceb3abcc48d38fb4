/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's mount namespace, built in the clone3 child:
 *
 *   1. every mount is made private (MS_REC|MS_PRIVATE on /): nothing propagates to or from
 *      the host from here on;
 *   2. every host object the sandbox needs (RootDirectory=, Layers=, UpperDirectory=, bind
 *      sources, device nodes, the notify socket) is opened or cloned into an fd while the
 *      host tree is still intact;
 *   3. a private staging tmpfs is mounted over the host's /tmp *in this namespace only*; it
 *      holds the new root's mount point, the volatile upper/work directories and an
 *      inaccessible (mode 0000) node used for masks;
 *   4. the root is built there (a read-only recursive clone, or an overlay), then /proc, /sys,
 *      /dev, /run, /tmp, /var/tmp and the unit's own mounts go on top;
 *   5. pivot_root into it and detach the old root (with the staging tmpfs).
 *
 * Every mount target inside the new root is opened with openat2(RESOLVE_IN_ROOT) and mounts
 * are attached with move_mount() on that fd, so a symlink shipped by a layer can never point a
 * mount outside the sandbox. hutch's own targets (/proc, /dev, ...) must be real directories
 * (RESOLVE_NO_SYMLINKS): a layer that ships them as symlinks is refused.
 *
 * Decision: the root is always nosuid (setuid binaries of the host root would be harmless
 * under NoNewPrivileges=yes, but a unit may turn that off, and nothing hutch runs needs to gain
 * privileges by exec), and nodev when PrivateDevices=yes (device nodes then exist only as the
 * bind mounts in /dev). */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"
#include "shared/syscall.h"

#define RESOLVE_SANDBOX (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
#define RESOLVE_OWN (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS)
#define ATTR_SAFE (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

static const char *const dev_nodes[SANDBOX_DEV_NODES] = {"null", "zero", "full", "random", "urandom", "tty"};

/* /proc entries that disclose or change kernel state: masked (empty) or made read-only. */
static const char *const proc_masked[] = {
        "acpi",        "asound",      "kcore", "keys",     "latency_stats", "timer_list",
        "timer_stats", "sched_debug", "scsi",  "kallsyms", "vmallocinfo",
};
static const char *const proc_read_only[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};
static const char *const sys_masked[] = {"firmware", "devices/virtual/powercap", "kernel/debug",
                                         "kernel/security"};

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
};

int sandbox_error_set(struct sandbox_error *e, enum sandbox_step step, int error, const char *what,
                      const char *path, const char *detail_fmt, ...) {
        error = error < 0 ? -error : error;
        e->step = step;
        e->error = error;
        snprintf(e->what, sizeof e->what, "%s", what);
        snprintf(e->path, sizeof e->path, "%s", path ?: "");
        e->detail[0] = 0;
        if (detail_fmt) {
                va_list ap;
                va_start(ap, detail_fmt);
                vsnprintf(e->detail, sizeof e->detail, detail_fmt, ap);
                va_end(ap);
        }
        return -error;
}

static int open_in(int dirfd, const char *path, int flags, uint64_t resolve) {
        struct open_how how = {.flags = (uint64_t) (flags | O_CLOEXEC), .resolve = resolve};
        if (dirfd != AT_FDCWD)
                while (*path == '/')
                        path++;
        if (!*path)
                path = ".";
        int fd = openat2(dirfd, path, &how, sizeof how);
        return fd < 0 ? -errno : fd;
}

static int clone_tree(int dirfd, const char *path, bool recursive) {
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        if (!path || !*path) {
                path = "";
                flags |= AT_EMPTY_PATH;
        }
        int fd = open_tree(dirfd, path, flags);
        return fd < 0 ? -errno : fd;
}

static int set_attr(int mnt_fd, uint64_t set, uint64_t clr, bool recursive) {
        struct mount_attr a = {.attr_set = set, .attr_clr = clr};
        if (mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
                return -errno;
        return 0;
}

static int attach(int mnt_fd, int target_fd) {
        if (move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

static void close_fd(int *fd) {
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* Creates a filesystem context; options is "key=value,flag,..." (NULL for none). On failure the
 * kernel's own explanation (read from the context) goes into `log`. */
static int fs_make(const char *type, const char *source, const char *options, unsigned attrs, char *log,
                   size_t logsz) {
        int fs = fsopen(type, FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        int r = 0;
        if (source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
                r = -errno;
        if (r == 0 && options) {
                char *copy = strdup(options), *save = NULL;
                if (!copy)
                        r = -ENOMEM;
                for (char *opt = copy ? strtok_r(copy, ",", &save) : NULL; r == 0 && opt;
                     opt = strtok_r(NULL, ",", &save)) {
                        char *eq = strchr(opt, '=');
                        if (eq)
                                *eq = 0;
                        if (fsconfig(fs, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, opt,
                                     eq ? eq + 1 : NULL, 0) < 0)
                                r = -errno;
                }
                free(copy);
        }
        if (r == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                r = -errno;
        int mnt = -1;
        if (r == 0) {
                mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
                if (mnt < 0)
                        r = -errno;
        }
        if (r < 0 && log) {
                /* The context keeps the kernel's messages ("e overlay: ..."): the best detail. */
                ssize_t n = read(fs, log, logsz - 1);
                log[n > 0 ? n : 0] = 0;
                if (n > 0 && log[n - 1] == '\n')
                        log[n - 1] = 0;
        }
        close(fs);
        return r < 0 ? r : mnt;
}

/* Opens `path` inside the root, creating it (a directory, or an empty file when !dir) and
 * missing parents when it does not exist. Every prefix is resolved from the root with the same
 * flags, so a symlink on the way is followed inside the root or refused, never out of it.
 * Creation fails with EROFS on a read-only root. */
static int ensure_target(int root_fd, const char *path, bool dir, uint64_t resolve) {
        int fd = open_in(root_fd, path, O_PATH, resolve);
        if (fd != -ENOENT)
                return fd;

        char buf[PATH_MAX];
        if (snprintf(buf, sizeof buf, "%s", path) >= (int) sizeof buf)
                return -ENAMETOOLONG;
        int parent = open_in(root_fd, "", O_PATH | O_DIRECTORY, resolve);
        if (parent < 0)
                return parent;
        size_t len = strlen(buf);
        for (size_t i = 0; i <= len; i++) {
                if (i < len && buf[i] != '/')
                        continue;
                if (i == 0 || buf[i - 1] == '/')
                        continue;
                char saved = buf[i];
                buf[i] = 0;
                bool last = i == len || buf[i + 1] == 0;
                const char *name = strrchr(buf, '/');
                name = name ? name + 1 : buf;
                int next = open_in(root_fd, buf, O_PATH, resolve);
                if (next == -ENOENT) {
                        int r;
                        if (last && !dir) {
                                int f = openat(parent, name,
                                               O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                                r = f < 0 ? -errno : 0;
                                if (f >= 0)
                                        close(f);
                        } else
                                r = mkdirat(parent, name, 0755) < 0 ? -errno : 0;
                        if (r < 0 && r != -EEXIST) {
                                close(parent);
                                return r;
                        }
                        next = open_in(root_fd, buf, O_PATH, resolve);
                }
                close(parent);
                if (next < 0)
                        return next;
                parent = next;
                buf[i] = saved;
                if (last)
                        break;
        }
        return parent;
}

/* In a root cloned from the host, the host's own /proc, /dev, ... are submounts: detach them
 * before mounting fresh ones, so that no host mount stays hidden underneath. In a user
 * namespace they are locked to their parent (EINVAL): then they stay covered. */
static int detach_if_mounted(int fd) {
        struct statx stx;
        if (statx(fd, "", AT_EMPTY_PATH, 0, &stx) < 0)
                return -errno;
        if (!(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
            !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
                return 0;
        char p[64];
        snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
        if (umount2(p, MNT_DETACH) < 0)
                return errno == EINVAL ? 0 : -errno;
        return 1;
}

/* Opens one of hutch's own mount points (no symlinks anywhere on the way). */
static int own_target(struct mount_state *s, const char *path, bool create) {
        /* A writable overlay root gets hutch's mount points created when its layers lack them. */
        create = create || (s->c->overlay_fd >= 0 && s->c->u->sandbox.root_mode != ROOT_READ_ONLY);
        int fd = create ? ensure_target(s->root_fd, path, true, RESOLVE_OWN)
                        : open_in(s->root_fd, path, O_PATH | O_DIRECTORY, RESOLVE_OWN);
        if (fd == -ELOOP)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, fd, "open mount point", path,
                                         "a symlink is on the way: hutch mounts only on real directories");
        if (fd == -EROFS)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, fd, "create mount point", path,
                                         "missing in the read-only root");
        if (fd < 0)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, fd, "open mount point", path, NULL);
        if (s->root_is_clone) {
                int r = detach_if_mounted(fd);
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
        int mnt = fs_make(type, type, options, attrs, log, sizeof log);
        if (mnt < 0) {
                close(target);
                char what[64];
                snprintf(what, sizeof what, "mount %s on", type);
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, mnt, what, path, "%s", log);
        }
        int r = attach(mnt, target);
        close(target);
        if (r < 0) {
                close(mnt);
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "attach mount on", path, "%s", type);
        }
        return mnt;
}

/* Binds a clone of what `sub` (below dir_fd) is onto itself, with attributes changed. */
static int rebind(int dir_fd, const char *sub, uint64_t set, uint64_t clr, bool recursive) {
        int target = open_in(dir_fd, sub, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (target < 0)
                return target;
        int mnt = clone_tree(target, NULL, true);
        int r = mnt < 0 ? mnt : set_attr(mnt, set, clr, recursive);
        if (r == 0)
                r = attach(mnt, target);
        if (mnt >= 0)
                close(mnt);
        close(target);
        return r;
}

/* Covers the node at `target_fd` (below the new root) with an empty, inaccessible one of the
 * same kind: files get /dev/null (read-only), directories the staging tmpfs's mode 0000 dir. */
static int cover(struct mount_state *s, int target_fd) {
        struct stat st;
        if (fstat(target_fd, &st) < 0)
                return -errno;
        int mnt = S_ISDIR(st.st_mode) ? clone_tree(s->stage_fd, "inaccessible", false)
                                      : clone_tree(AT_FDCWD, "/dev/null", false);
        if (mnt < 0)
                return mnt;
        int r = set_attr(mnt, MOUNT_ATTR_RDONLY | ATTR_SAFE, 0, false);
        if (r == 0)
                r = attach(mnt, target_fd);
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
                        int t = open_in(dir_fd, list[i], O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                        r = t < 0 ? t : cover(s, t);
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

/* Step 2: the host objects, opened while the host tree is still what it was: the root here, the
 * rest in the parent (collect_host_objects). */
static int collect_root(struct mount_state *s) {
        const struct hutch_unit *u = s->c->u;
        const struct unit_section_sandbox *sb = &u->sandbox;
        struct sandbox_error *e = s->e;

        if (s->c->overlay_fd < 0) {
                s->host_root_fd =
                        open_in(AT_FDCWD, sb->root_directory, O_PATH | O_DIRECTORY, RESOLVE_NO_MAGICLINKS);
                if (s->host_root_fd < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, s->host_root_fd,
                                                 "open RootDirectory=", sb->root_directory, NULL);
                s->root_tree_fd = clone_tree(s->host_root_fd, NULL, true);
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
                const char *key = b->read_only ? "BindReadOnlyPaths=" : "BindPaths=";
                s->bind_fds[i] = -1;
                int fd = clone_tree(AT_FDCWD, b->source, b->recursive);
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
                if (b->read_only) {
                        int r = set_attr(fd, MOUNT_ATTR_RDONLY, 0, true);
                        if (r < 0)
                                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "make read-only",
                                                         b->source, "%s", key);
                }
        }

        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++)
                s->dev_fds[i] = -1;
        if (sb->private_devices)
                for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                        char p[32];
                        snprintf(p, sizeof p, "/dev/%s", dev_nodes[i]);
                        s->dev_fds[i] = clone_tree(AT_FDCWD, p, false);
                        if (s->dev_fds[i] < 0)
                                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, s->dev_fds[i], "open device",
                                                         p, NULL);
                }
        else {
                s->host_dev_fd = clone_tree(AT_FDCWD, "/dev", true);
                if (s->host_dev_fd < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, s->host_dev_fd, "bind", "/dev",
                                                 "PrivateDevices=no");
        }
        if (!s->c->new_net) {
                s->host_sys_fd = clone_tree(AT_FDCWD, "/sys", true);
                int r = s->host_sys_fd < 0
                                ? s->host_sys_fd
                                : set_attr(s->host_sys_fd, MOUNT_ATTR_RDONLY | ATTR_SAFE, 0, true);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind", "/sys", "read-only");
        }
        if (s->c->p->notify_socket) {
                s->notify_fd = clone_tree(AT_FDCWD, s->c->p->notify_socket, false);
                if (s->notify_fd < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, s->notify_fd, "bind notify socket",
                                                 s->c->p->notify_socket, NULL);
        }
        return 0;
}

/* Kernel interfaces of the host that a recursive bind of RootDirectory= would carry along
 * wherever the host mounted them (a chroot's /proc, a netns bind in /run/netns, a tracefs): they
 * are dropped from the sandbox's tree; hutch mounts its own /proc, /sys, /dev afterwards. */
static const char *const pseudo_fs[] = {
        "proc",    "sysfs",    "cgroup",      "cgroup2", "devtmpfs", "devpts",
        "debugfs", "tracefs",  "securityfs",  "bpf",     "configfs", "fusectl",
        "pstore",  "efivarfs", "binfmt_misc", "mqueue",  "nsfs",
};

static void unescape_mountinfo(char *s) {
        char *o = s;
        for (char *p = s; *p; p++) {
                if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
                    p[3] >= '0' && p[3] <= '7') {
                        *o++ = (char) ((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
                        p += 3;
                } else
                        *o++ = *p;
        }
        *o = 0;
}

static int path_len_cmp(const void *a, const void *b) {
        size_t x = strlen(*(char *const *) a), y = strlen(*(char *const *) b);
        return x < y ? 1 : x > y ? -1 : 0;
}

static int detach_pseudo_submounts(const char *prefix) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        char *line = NULL, **paths = NULL;
        size_t cap = 0, n = 0, plen = strlen(prefix);
        int r = 0;
        while (getline(&line, &cap, f) > 0) {
                char mp[PATH_MAX], fstype[64];
                const char *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
                    sscanf(sep + 3, "%63s", fstype) != 1)
                        continue;
                unescape_mountinfo(mp);
                if (strncmp(mp, prefix, plen) != 0 || mp[plen] != '/')
                        continue;
                bool pseudo = false;
                for (size_t i = 0; i < ELEMENTSOF(pseudo_fs); i++)
                        pseudo = pseudo || streq(fstype, pseudo_fs[i]);
                if (!pseudo)
                        continue;
                char **np = realloc(paths, (n + 1) * sizeof *np);
                if (!np || !(np[n] = strdup(mp))) {
                        paths = np ?: paths;
                        r = -ENOMEM;
                        break;
                }
                paths = np;
                n++;
        }
        free(line);
        fclose(f);
        /* Deepest first; a parent already gone takes its children with it (EINVAL/ENOENT). In a
         * user namespace they are locked (EINVAL) and stay, covered where hutch mounts its own. */
        qsort(paths, n, sizeof *paths, path_len_cmp);
        for (size_t i = 0; i < n; i++) {
                if (r == 0 && umount2(paths[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL &&
                    errno != ENOENT)
                        r = -errno;
                free(paths[i]);
        }
        free(paths);
        return r;
}

/* Step 3 and 4a: the staging tmpfs and the root on it. */
static int build_root(struct mount_state *s) {
        const struct unit_section_sandbox *sb = &s->c->u->sandbox;
        struct sandbox_error *e = s->e;
        char log[256] = "";

        int tmp = open_in(AT_FDCWD, "/tmp", O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS);
        if (tmp < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, tmp, "open staging directory", "/tmp",
                                         "the host needs a /tmp directory; nothing is written to it");
        s->stage_fd = fs_make("tmpfs", "hutch-stage", "mode=0700", ATTR_SAFE, log, sizeof log);
        int r = s->stage_fd < 0 ? s->stage_fd : attach(s->stage_fd, tmp);
        close(tmp);
        if (r < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "mount staging tmpfs on", "/tmp", "%s",
                                         log);
        if (mkdirat(s->stage_fd, "root", 0755) < 0 || mkdirat(s->stage_fd, "inaccessible", 0) < 0 ||
            fchmodat(s->stage_fd, "inaccessible", 0, 0) < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, errno, "prepare staging tmpfs", "/tmp",
                                         NULL);

        unsigned attrs = MOUNT_ATTR_NOSUID | (sb->private_devices ? MOUNT_ATTR_NODEV : 0);
        int tree;
        if (s->root_is_clone) {
                tree = TAKE_FD(s->root_tree_fd);
                r = set_attr(tree, MOUNT_ATTR_RDONLY | attrs, 0, true);
                if (r < 0) {
                        close(tree);
                        return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r, "make read-only",
                                                 sb->root_directory, "RootMode=read-only");
                }
        } else
                tree = s->c->overlay_fd;
        int target =
                open_in(s->stage_fd, "root", O_PATH | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        r = target < 0 ? target : attach(tree, target);
        if (tree != s->c->overlay_fd)
                close(tree);
        if (target >= 0)
                close(target);
        if (r < 0)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r, "attach root", sb->root_directory, NULL);
        /* In a user namespace they are locked to their parent and cannot be detached; the
         * namespace's root holds no privilege over what they show. */
        if (s->root_is_clone && !s->c->new_user) {
                r = detach_pseudo_submounts("/tmp/root");
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r,
                                                 "detach host kernel file systems below", sb->root_directory,
                                                 NULL);
        }
        s->root_fd =
                open_in(s->stage_fd, "root", O_PATH | O_DIRECTORY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
        if (s->root_fd < 0)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, s->root_fd, "open new root",
                                         sb->root_directory, NULL);
        return 0;
}

/* Step 4b: /proc, /sys, /dev, /run, /tmp, /var/tmp. */
static int mount_api(struct mount_state *s) {
        const struct unit_section_sandbox *sb = &s->c->u->sandbox;
        const struct unit_section_security *sec = &s->c->u->security;
        int r, mnt;

        /* A fresh procfs of the new PID namespace, with the kernel's dangerous files covered. */
        mnt = mount_fresh(s, "proc", "/proc", NULL, ATTR_SAFE, false);
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

        /* sysfs shows the network namespace of whoever mounts it: fresh only with a new netns. */
        if (s->c->new_net) {
                mnt = mount_fresh(s, "sysfs", "/sys", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE, false);
                if (mnt < 0)
                        return mnt;
                /* The cgroup namespace's own subtree, read-only, where a service looks for it. */
                int cg = open_in(mnt, "fs/cgroup", O_PATH | O_DIRECTORY,
                                 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                if (cg >= 0) {
                        char log[256] = "";
                        int cgm = fs_make("cgroup2", "cgroup2", NULL, MOUNT_ATTR_RDONLY | ATTR_SAFE, log,
                                          sizeof log);
                        r = cgm < 0 ? cgm : attach(cgm, cg);
                        if (cgm >= 0)
                                close(cgm);
                        close(cg);
                        if (r < 0) {
                                close(mnt);
                                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "mount cgroup2 on",
                                                         "/sys/fs/cgroup", "%s", log);
                        }
                }
        } else {
                int t = own_target(s, "/sys", false);
                if (t < 0)
                        return t;
                r = attach(s->host_sys_fd, t);
                close(t);
                if (r < 0)
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "bind", "/sys", "read-only");
                mnt = TAKE_FD(s->host_sys_fd);
        }
        r = mask_list(s, mnt, "/sys", sys_masked, ELEMENTSOF(sys_masked), false);
        close(mnt);
        if (r < 0)
                return r;

        if (sb->private_devices) {
                /* nodev on the tmpfs itself: device nodes work only as the binds made here. */
                mnt = mount_fresh(s, "tmpfs", "/dev", "mode=0755,size=4m", ATTR_SAFE, false);
                if (mnt < 0)
                        return mnt;
                for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                        int f = openat(mnt, dev_nodes[i],
                                       O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                        if (f >= 0) {
                                close(f);
                                f = open_in(mnt, dev_nodes[i], O_PATH,
                                            RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                        } else
                                f = -errno;
                        r = f < 0 ? f : attach(s->dev_fds[i], f);
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
                close(mnt);
                if (r < 0)
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "populate", "/dev", NULL);
                /* A new devpts instance: the host's terminals are not in it. */
                mnt = mount_fresh(s, "devpts", "/dev/pts", "newinstance,ptmxmode=0666,mode=0620",
                                  MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, false);
                if (mnt < 0)
                        return mnt;
                close(mnt);
                mnt = mount_fresh(s, "tmpfs", "/dev/shm", "mode=01777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                  false);
                if (mnt < 0)
                        return mnt;
                close(mnt);
        } else {
                int t = own_target(s, "/dev", false);
                if (t < 0)
                        return t;
                r = attach(s->host_dev_fd, t);
                close(t);
                if (r < 0)
                        return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, r, "bind", "/dev",
                                                 "PrivateDevices=no");
        }
        /* POSIX message queues of the new IPC namespace (never create the directory in a host /dev). */
        int mq = open_in(s->root_fd, "/dev/mqueue", O_PATH | O_DIRECTORY, RESOLVE_OWN);
        if (mq >= 0) {
                close(mq);
                mnt = mount_fresh(s, "mqueue", "/dev/mqueue", NULL, ATTR_SAFE, false);
                if (mnt < 0)
                        return mnt;
                close(mnt);
        }

        mnt = mount_fresh(s, "tmpfs", "/run", "mode=0755", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, false);
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
                                f = open_in(mnt, "host/notify", O_PATH,
                                            RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
                                r = f < 0 ? f : attach(s->notify_fd, f);
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
                static const char *const tmps[] = {"/tmp", "/var/tmp"};
                for (size_t i = 0; i < ELEMENTSOF(tmps); i++) {
                        mnt = mount_fresh(s, "tmpfs", tmps[i], "mode=01777",
                                          MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, true);
                        if (mnt < 0)
                                return mnt;
                        close(mnt);
                }
        }
        return 0;
}

/* Step 4c: BindPaths=, BindReadOnlyPaths=, TemporaryFileSystem=, then ReadWritePaths=,
 * ReadOnlyPaths=, InaccessiblePaths= (parents before children, so the deeper entry wins). */
struct path_op {
        const char *path;
        const char *key;
        int kind; /* 0 bind, 1 tmpfs, 2 read-write, 3 read-only, 4 inaccessible */
        size_t index;
        bool ignore_missing;
};

static int path_op_cmp(const void *a, const void *b) {
        const struct path_op *x = a, *y = b;
        if ((x->kind >= 2) != (y->kind >= 2))
                return (x->kind >= 2) - (y->kind >= 2);
        int c = strcmp(x->path, y->path);
        if (c != 0)
                return c;
        return x->kind - y->kind;
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
                target = ensure_target(s->root_fd, op->path, s->bind_is_dir[op->index], RESOLVE_SANDBOX);
                if (target < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, target, "create bind mount point",
                                                 op->path, "%s%s", op->key,
                                                 target == -EROFS
                                                         ? " needs a writable root (RootMode=volatile) "
                                                           "to create it"
                                                         : "");
                r = attach(s->bind_fds[op->index], target);
                close(target);
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, r, "bind", op->path, "%s%s", op->key,
                                                 sb->binds[op->index].source);
                return 0;
        }
        case 1: {
                char opts[512];
                unsigned attrs;
                tmpfs_options(sb->tmpfs[op->index].options, opts, sizeof opts, &attrs);
                target = ensure_target(s->root_fd, op->path, true, RESOLVE_SANDBOX);
                if (target < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_MOUNT, target, "create mount point",
                                                 op->path, "%s", op->key);
                char log[256] = "";
                mnt = fs_make("tmpfs", "tmpfs", opts, attrs, log, sizeof log);
                r = mnt < 0 ? mnt : attach(mnt, target);
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

        target = open_in(s->root_fd, op->path, O_PATH, RESOLVE_SANDBOX);
        if (target == -ENOENT && op->ignore_missing)
                return 0;
        if (target < 0)
                return sandbox_error_set(e, SANDBOX_STEP_MOUNT, target, "open", op->path, "%s", op->key);
        if (op->kind == 4)
                r = cover(s, target);
        else {
                mnt = clone_tree(target, NULL, true);
                r = mnt;
                if (mnt >= 0) {
                        /* read-only reaches every submount; read-write only this one, so a
                         * BindReadOnlyPaths= below it stays read-only. */
                        r = op->kind == 3 ? set_attr(mnt, MOUNT_ATTR_RDONLY, 0, true)
                                          : set_attr(mnt, 0, MOUNT_ATTR_RDONLY, false);
                        if (r == 0)
                                r = attach(mnt, target);
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
        size_t n = sb->n_binds + sb->n_tmpfs;
        for (size_t i = 0; i < 3; i++)
                n += lists[i]->n;
        if (n == 0)
                return 0;
        struct path_op *ops = new0(struct path_op, n);
        if (!ops)
                return sandbox_error_set(s->e, SANDBOX_STEP_MOUNT, -ENOMEM, "allocate", NULL, NULL);
        size_t k = 0;
        for (size_t i = 0; i < sb->n_binds; i++)
                ops[k++] = (struct path_op){sb->binds[i].destination,
                                            sb->binds[i].read_only ? "BindReadOnlyPaths=" : "BindPaths=", 0,
                                            i, sb->binds[i].ignore_missing};
        for (size_t i = 0; i < sb->n_tmpfs; i++)
                ops[k++] = (struct path_op){sb->tmpfs[i].path, "TemporaryFileSystem=", 1, i, false};
        for (size_t l = 0; l < 3; l++)
                for (size_t i = 0; i < lists[l]->n; i++)
                        ops[k++] = (struct path_op){lists[l]->items[i].path, keys[l], (int) l + 2, i,
                                                    lists[l]->items[i].ignore_missing};
        qsort(ops, n, sizeof *ops, path_op_cmp);
        int r = 0;
        for (size_t i = 0; r == 0 && i < n; i++)
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
                close_fd(&h->bind_fds[i]);
        free(h->bind_fds);
        free(h->bind_is_dir);
        for (size_t i = 0; i < ELEMENTSOF(h->dev_fds); i++)
                close_fd(&h->dev_fds[i]);
        close_fd(&h->host_dev_fd);
        close_fd(&h->host_sys_fd);
        close_fd(&h->notify_fd);
        sandbox_host_init(h);
}

int sandbox_collect_host(const struct sandbox_ctx *c, struct sandbox_host *h, struct sandbox_error *e) {
        struct mount_state s = {
                .c = c,
                .e = e,
                .host_dev_fd = -1,
                .host_sys_fd = -1,
                .notify_fd = -1,
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
        close_fd(&s->host_root_fd);
        for (size_t i = 0; s->bind_fds && i < sb->n_binds; i++)
                close_fd(&s->bind_fds[i]);
        free(s->bind_fds);
        free(s->bind_is_dir);
        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++)
                close_fd(&s->dev_fds[i]);
        close_fd(&s->root_tree_fd);
        close_fd(&s->host_dev_fd);
        close_fd(&s->host_sys_fd);
        close_fd(&s->notify_fd);
        close_fd(&s->stage_fd);
        close_fd(&s->root_fd);
}

int sandbox_setup_mounts(const struct sandbox_ctx *c, struct sandbox_error *e) {
        struct mount_state s = {
                .c = c,
                .e = e,
                .host_root_fd = -1,
                .root_tree_fd = -1,
                .host_dev_fd = -1,
                .host_sys_fd = -1,
                .notify_fd = -1,
                .stage_fd = -1,
                .root_fd = -1,
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
        return r;
}
