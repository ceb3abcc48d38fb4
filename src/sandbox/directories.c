/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory= and
 * ConfigurationDirectory=, as systemd's: made on the host below /run, /var/lib, /var/cache,
 * /var/log and /etc when missing, bound into the sandbox at the same place (writable, except the
 * configuration directories), owned by User= and Group= as the sandbox resolves them, with the
 * unit's mode, and named to the payload in $RUNTIME_DIRECTORY and friends. A runtime directory is
 * removed when the run ends (RuntimeDirectoryPreserve=).
 *
 * The payload owns what is in its directories and may have put symlinks there, so nothing here
 * follows one: the host paths are walked with O_NOFOLLOW from the root, ownership changes use
 * lchown on the walk's own entries, removal goes by directory descriptors. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/log.h"
#include "hutch/strv.h"
#include "sandbox/sandbox-internal.h"

static const char *const directory_keys[_EXEC_DIRECTORY_MAX] = {
        [EXEC_DIRECTORY_RUNTIME] = "RuntimeDirectory=",
        [EXEC_DIRECTORY_STATE] = "StateDirectory=",
        [EXEC_DIRECTORY_CACHE] = "CacheDirectory=",
        [EXEC_DIRECTORY_LOGS] = "LogsDirectory=",
        [EXEC_DIRECTORY_CONFIGURATION] = "ConfigurationDirectory=",
};

bool sandbox_has_directories(const struct hutch_unit *u) {
        for (int t = 0; t < _EXEC_DIRECTORY_MAX; t++)
                if (u->sandbox.directories[t].n > 0)
                        return true;
        return false;
}

/* Opens the directory `rel` below `root`; with `make`, made (0755, root's) where missing, the
 * last part with `mode`. No part may be a symlink. The descriptor, or -errno. */
static int open_below(const char *root, const char *rel, bool make, mode_t mode) {
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char part[PATH_MAX];
        for (const char *p = rel; *p;) {
                size_t n = strcspn(p, "/");
                if (n >= sizeof part) {
                        close(fd);
                        return -ENAMETOOLONG;
                }
                memcpy(part, p, n);
                part[n] = 0;
                p += n;
                p += *p == '/';
                bool last = !*p;
                if (make && mkdirat(fd, part, last ? mode : 0755) < 0 && errno != EEXIST) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
                int next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                int r = next < 0 ? -errno : 0;
                struct stat st;
                if (r == -ENOTDIR && fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                        r = -ELOOP; /* O_NOFOLLOW with O_DIRECTORY says ENOTDIR of a symlink */
                close(fd);
                if (r < 0)
                        return r;
                fd = next;
        }
        return fd;
}

int sandbox_make_directories(const struct hutch_unit *u, uid_t userns_root, struct bind_mount **ret,
                             size_t *ret_n, struct sandbox_error *e) {
        const struct unit_section_sandbox *sb = &u->sandbox;
        struct bind_mount *binds = NULL;
        size_t n = 0;
        int r = 0;
        for (int t = 0; r >= 0 && t < _EXEC_DIRECTORY_MAX; t++)
                STRV_FOREACH (rel, sb->directories[t].items) {
                        char path[PATH_MAX];
                        snprintf(path, sizeof path, "%s/%s", exec_directory_root(t), *rel);
                        int fd = open_below(exec_directory_root(t), *rel, true, sb->directory_mode[t]);
                        if (fd < 0) {
                                r = sandbox_error_set(e, SANDBOX_STEP_MOUNT, -fd, "make directory", path,
                                                      "%s=%s%s", exec_directory_key(t), *rel,
                                                      fd == -ELOOP ? "; a part of it is a symlink" : "");
                                break;
                        }
                        /* Under PrivateUsers=yes the sandbox's root is a host uid of its own: a
                         * directory of the host's root would be beyond its chown (the child then
                         * gives it to User=). */
                        struct stat st;
                        if (userns_root != 0 && t != EXEC_DIRECTORY_CONFIGURATION && fstat(fd, &st) == 0 &&
                            st.st_uid == 0 && fchown(fd, userns_root, userns_root) < 0) {
                                r = sandbox_error_set(e, SANDBOX_STEP_MOUNT, errno, "chown", path,
                                                      "%s= under PrivateUsers=yes", exec_directory_key(t));
                                close(fd);
                                break;
                        }
                        close(fd);
                        struct bind_mount *m = realloc(binds, (n + 1) * sizeof *m);
                        char *src = m ? strdup(path) : NULL, *dst = src ? strdup(path) : NULL;
                        if (!dst) {
                                if (m)
                                        binds = m;
                                free(src);
                                r = sandbox_error_set(e, SANDBOX_STEP_MOUNT, ENOMEM, "allocate", "", NULL);
                                break;
                        }
                        binds = m;
                        binds[n++] = (struct bind_mount){
                                .source = src,
                                .destination = dst,
                                .read_only = t == EXEC_DIRECTORY_CONFIGURATION,
                                .recursive = true,
                                .origin = sb->directories[t].origin,
                                .key = directory_keys[t],
                        };
                }
        if (r < 0) {
                sandbox_free_binds(binds, n);
                return r;
        }
        *ret = binds;
        *ret_n = n;
        return 0;
}

void sandbox_free_binds(struct bind_mount *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(b[i].source);
                free(b[i].destination);
        }
        free(b);
}

static uid_t own_uid;
static gid_t own_gid;
static int own_error;

static int own_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) flag;
        (void) ftw;
        if ((st->st_uid != own_uid || st->st_gid != own_gid) && lchown(path, own_uid, own_gid) < 0) {
                own_error = -errno;
                return 1;
        }
        return 0;
}

int sandbox_own_directories(const struct hutch_unit *u, const struct sandbox_identity *id,
                            struct sandbox_error *e) {
        const struct unit_section_sandbox *sb = &u->sandbox;
        for (int t = 0; t < _EXEC_DIRECTORY_MAX; t++)
                STRV_FOREACH (rel, sb->directories[t].items) {
                        char path[PATH_MAX];
                        snprintf(path, sizeof path, "%s/%s", exec_directory_root(t), *rel);
                        struct stat st;
                        if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode))
                                return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno ?: ENOTDIR, "stat",
                                                         path, "%s=", exec_directory_key(t));
                        /* As systemd: only when the directory itself is someone else's is what it
                         * holds given over too (User= changed); the walk stays on its file system
                         * and never follows a symlink. */
                        if (t != EXEC_DIRECTORY_CONFIGURATION &&
                            (st.st_uid != id->uid || st.st_gid != id->gid)) {
                                own_uid = id->uid;
                                own_gid = id->gid;
                                own_error = 0;
                                if (nftw(path, own_one, 16, FTW_PHYS | FTW_MOUNT) != 0 && own_error == 0)
                                        own_error = -errno;
                                if (own_error < 0)
                                        return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, -own_error,
                                                                 "chown", path, "%s= for User=%s",
                                                                 exec_directory_key(t),
                                                                 u->service.user ?: "root");
                        }
                        if ((st.st_mode & 07777) != sb->directory_mode[t] &&
                            chmod(path, sb->directory_mode[t]) < 0)
                                return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno, "chmod", path,
                                                         "%sMode=%04o", exec_directory_key(t),
                                                         (unsigned) sb->directory_mode[t]);
                }
        return 0;
}

int sandbox_directories_env(const struct hutch_unit *u, char ***env) {
        for (int t = 0; t < _EXEC_DIRECTORY_MAX; t++) {
                if (u->sandbox.directories[t].n == 0)
                        continue;
                size_t len = strlen(exec_directory_env(t)) + 2;
                STRV_FOREACH (rel, u->sandbox.directories[t].items)
                        len += strlen(exec_directory_root(t)) + strlen(*rel) + 2;
                char *v = malloc(len);
                if (!v)
                        return -ENOMEM;
                char *p = v + sprintf(v, "%s=", exec_directory_env(t));
                STRV_FOREACH (rel, u->sandbox.directories[t].items)
                        p += sprintf(p, "%s%s/%s", p[-1] == '=' ? "" : ":", exec_directory_root(t), *rel);
                int r = strv_consume(env, v);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Empties the directory open at dfd, staying on its file system; -errno of the first failure. */
static int remove_children(int dfd, dev_t dev) {
        int dup_fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        if (!d) {
                if (dup_fd >= 0)
                        close(dup_fd);
                return -errno;
        }
        int r = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        continue;
                if (S_ISDIR(st.st_mode)) {
                        if (st.st_dev != dev) {
                                r = r ?: -EXDEV; /* a mount inside: left alone */
                                continue;
                        }
                        int sub = openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub >= 0) {
                                int q = remove_children(sub, dev);
                                r = r ?: q;
                                close(sub);
                        }
                        if (unlinkat(dfd, de->d_name, AT_REMOVEDIR) < 0)
                                r = r ?: -errno;
                } else if (unlinkat(dfd, de->d_name, 0) < 0)
                        r = r ?: -errno;
        }
        closedir(d);
        return r;
}

void sandbox_remove_runtime_directories(const struct hutch_unit *u) {
        const struct str_list *l = &u->sandbox.directories[EXEC_DIRECTORY_RUNTIME];
        /* Innermost first: "foo foo/bar" removes foo/bar, then foo. */
        for (size_t i = l->n; i-- > 0;) {
                char path[PATH_MAX];
                snprintf(path, sizeof path, "/run/%s", l->items[i]);
                int fd = open_below("/run", l->items[i], false, 0);
                if (fd < 0)
                        continue;
                struct stat st;
                int r = fstat(fd, &st) < 0 ? -errno : remove_children(fd, st.st_dev);
                close(fd);
                if (r >= 0 && rmdir(path) < 0 && errno != ENOENT)
                        r = -errno;
                if (r < 0)
                        log_warning_errno(r, "RuntimeDirectory=%s: remove %s: %m", l->items[i], path);
        }
}
