/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small fd-based mount helpers for the sandbox child (mount.c): every path is opened relative to a
 * directory fd with openat2(), every mount is a detached fd attached with move_mount(). All return
 * a file descriptor or 0 on success, a negative errno on failure, and never log. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/mount-util.h"
#include "shared/syscall.h"

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

int mnt_open_in(int dirfd, const char *path, int flags, uint64_t resolve) {
        struct open_how how = {.flags = (uint64_t) (flags | O_CLOEXEC), .resolve = resolve};
        if (dirfd != AT_FDCWD)
                while (*path == '/')
                        path++;
        if (!*path)
                path = ".";
        int fd = openat2(dirfd, path, &how, sizeof how);
        return fd < 0 ? -errno : fd;
}

int mnt_clone(int dirfd, const char *path, bool recursive) {
        unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
        if (!path || !*path) {
                path = "";
                flags |= AT_EMPTY_PATH;
        }
        int fd = open_tree(dirfd, path, flags);
        return fd < 0 ? -errno : fd;
}

int mnt_set_attr(int mnt_fd, uint64_t set, uint64_t clr, bool recursive) {
        struct mount_attr a = {.attr_set = set, .attr_clr = clr};
        if (mount_setattr(mnt_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &a, sizeof a) < 0)
                return -errno;
        return 0;
}

int mnt_attach(int mnt_fd, int target_fd) {
        if (move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return -errno;
        return 0;
}

void mnt_close_fd(int *fd) {
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

/* Creates a filesystem context; options is "key=value,flag,..." (NULL for none). On failure the
 * kernel's own explanation (read from the context) goes into `log`. */
int mnt_fs_make(const char *type, const char *source, const char *options, unsigned attrs, char *log,
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
int mnt_ensure_target(int root_fd, const char *path, bool dir, uint64_t resolve) {
        int fd = mnt_open_in(root_fd, path, O_PATH, resolve);
        if (fd != -ENOENT)
                return fd;

        char buf[PATH_MAX];
        if (snprintf(buf, sizeof buf, "%s", path) >= (int) sizeof buf)
                return -ENAMETOOLONG;
        int parent = mnt_open_in(root_fd, "", O_PATH | O_DIRECTORY, resolve);
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
                int next = mnt_open_in(root_fd, buf, O_PATH, resolve);
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
                        next = mnt_open_in(root_fd, buf, O_PATH, resolve);
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
int mnt_detach_if_mounted(int fd) {
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
        return x < y ? -1 : x > y ? 1 : 0;
}

int mnt_has_submounts(int fd) {
        struct statx stx;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE, &stx) < 0)
                return -errno;
        if (!(stx.stx_mask & STATX_MNT_ID_UNIQUE))
                return -EOPNOTSUPP;
        struct hutch_mnt_id_req req = {.size = sizeof req, .mnt_id = stx.stx_mnt_id};
        uint64_t id;
        long n = hutch_listmount(&req, &id, 1, 0);
        if (n < 0)
                return -errno;
        return n > 0;
}

int mnt_detach_pseudo_submounts(const char *prefix) {
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
        /* Shallowest first: MNT_DETACH takes a mount's whole subtree along (/sys with the cgroup
         * mounts below it), so what lies below an already detached path needs no call of its own;
         * each umount waits for an RCU grace period. In a user namespace they are locked (EINVAL)
         * and stay, covered where hutch mounts its own. paths is NULL when none matched, and
         * qsort() must not be given NULL. */
        if (n > 1)
                qsort(paths, n, sizeof *paths, path_len_cmp);
        for (size_t i = 0; i < n; i++) {
                bool below = false;
                for (size_t j = 0; j < i && !below; j++) {
                        size_t l = paths[j] ? strlen(paths[j]) : 0;
                        below = l > 0 && strncmp(paths[i], paths[j], l) == 0 && paths[i][l] == '/';
                }
                if (r == 0 && !below && umount2(paths[i], MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
                        if (errno != EINVAL && errno != ENOENT)
                                r = -errno;
                        /* not detached: what lies below it must still be tried */
                        free(paths[i]);
                        paths[i] = NULL;
                }
        }
        for (size_t i = 0; i < n; i++)
                free(paths[i]);
        free(paths);
        return r;
}
