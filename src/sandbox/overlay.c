/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The overlay root (Layers=, RootMode=volatile|persistent), built in the parent before clone3 as
 * a detached mount (fsmount): nothing is attached to the host's tree, and the child only moves
 * it into place. It is built here rather than in the child because in a new user namespace
 * every host mount is locked to its parent, and overlayfs refuses a lower layer with locked
 * submounts ("failed to clone lowerpath"); in the host's namespace "/" is usable as the lowest
 * layer. The volatile upper is a detached tmpfs: it disappears with the last reference.
 *
 * overlayfs refuses layers that overlap (EINVAL/ELOOP): a layer below RootDirectory= on the
 * same file system cannot be stacked over it. sandbox_check_paths() reports that case. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"
#include "shared/syscall.h"

static int open_dir(const char *path) {
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS};
        int fd = openat2(AT_FDCWD, path, &how, sizeof how);
        return fd < 0 ? -errno : fd;
}

/* upper/ or work/ of UpperDirectory=, created when missing, never a symlink planted there. */
static int open_sub(int dfd, const char *name) {
        if (mkdirat(dfd, name, 0755) < 0 && errno != EEXIST)
                return -errno;
        struct open_how how = {.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                               .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS};
        int fd = openat2(dfd, name, &how, sizeof how);
        return fd < 0 ? -errno : fd;
}

static int fd_path(char *buf, size_t size, int fd, const char *sub) {
        snprintf(buf, size, "/proc/self/fd/%d%s%s", fd, sub ? "/" : "", sub ?: "");
        return 0;
}

int sandbox_make_overlay(const struct hutch_unit *u, struct sandbox_error *e) {
        const struct unit_section_sandbox *sb = &u->sandbox;
        int fds[64 + 4];
        size_t nfds = 0;
        int fs = -1, mnt = -1, r = 0;
        char log[256] = "", p[64];

        if (sb->layers.n > 64)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, E2BIG, "stack layers", "",
                                         "at most 64 Layers=");
        fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "mount overlay on", "/", NULL);

        /* overlayfs lists the top layer first; Layers= lists the lowest first, and RootDirectory=
         * is below all of them. "lowerdir+" takes one path each, so no escaping of ':' or ','. */
        for (size_t i = sb->layers.n; r == 0 && i > 0; i--) {
                const char *path = sb->layers.items[i - 1].path;
                int fd = open_dir(path);
                if (fd < 0) {
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, fd, "open layer", path, "Layers=");
                        break;
                }
                fds[nfds++] = fd;
                fd_path(p, sizeof p, fd, NULL);
                if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", p, 0) < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "add layer", path, "Layers=");
        }
        if (r == 0) {
                int fd = open_dir(sb->root_directory);
                if (fd < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, fd,
                                              "open RootDirectory=", sb->root_directory, NULL);
                else {
                        fds[nfds++] = fd;
                        fd_path(p, sizeof p, fd, NULL);
                        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", p, 0) < 0)
                                r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "add layer",
                                                      sb->root_directory, "RootDirectory=");
                }
        }
        if (r == 0 && sb->root_mode != ROOT_READ_ONLY) {
                char up[64], wk[64];
                if (sb->root_mode == ROOT_PERSISTENT) {
                        const char *dir = sb->upper_directory;
                        int dfd = dir ? open_dir(dir) : -EINVAL;
                        int ufd = dfd < 0 ? dfd : open_sub(dfd, "upper");
                        int wfd = ufd < 0 ? ufd : open_sub(dfd, "work");
                        if (dfd >= 0)
                                close(dfd);
                        if (wfd < 0) {
                                if (ufd >= 0)
                                        close(ufd);
                                r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, wfd,
                                                      "open UpperDirectory=", dir ?: "",
                                                      "upper/ and work/ for RootMode=persistent");
                        } else {
                                fds[nfds++] = ufd;
                                fds[nfds++] = wfd;
                                fd_path(up, sizeof up, ufd, NULL);
                                fd_path(wk, sizeof wk, wfd, NULL);
                        }
                } else {
                        int tfs = fsopen("tmpfs", FSOPEN_CLOEXEC);
                        int t = -1;
                        if (tfs >= 0 && fsconfig(tfs, FSCONFIG_SET_STRING, "mode", "0755", 0) >= 0 &&
                            fsconfig(tfs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) >= 0)
                                t = fsmount(tfs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
                        if (t < 0 || mkdirat(t, "upper", 0755) < 0 || mkdirat(t, "work", 0755) < 0)
                                r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno,
                                                      "mount volatile upper tmpfs", "", "RootMode=volatile");
                        if (tfs >= 0)
                                close(tfs);
                        if (t >= 0)
                                fds[nfds++] = t;
                        fd_path(up, sizeof up, t, "upper");
                        fd_path(wk, sizeof wk, t, "work");
                }
                if (r == 0 && (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", up, 0) < 0 ||
                               fsconfig(fs, FSCONFIG_SET_STRING, "workdir", wk, 0) < 0))
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "set upper directory",
                                              sb->upper_directory ?: "", "RootMode=%s",
                                              root_mode_to_string(sb->root_mode));
        }
        /* Layers are images somebody else unpacked, and root can set trusted.* xattrs: a directory
         * carrying trusted.overlay.redirect would show any directory of a lower layer (the host's
         * /root, /etc) under its own name, past every mask of the sandbox, and a metacopy file
         * would take its data from elsewhere. Neither is followed, nor created in an upper
         * (renaming a directory of a lower layer then fails with EXDEV, which mv handles). */
        if (r == 0 && (fsconfig(fs, FSCONFIG_SET_STRING, "redirect_dir", "nofollow", 0) < 0 ||
                       fsconfig(fs, FSCONFIG_SET_STRING, "metacopy", "off", 0) < 0))
                r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "mount overlay on", "/",
                                      "redirect_dir=nofollow,metacopy=off");
        if (r == 0 && fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                r = -errno;
        if (r == 0) {
                /* nosuid always; nodev with PrivateDevices= (devices then exist only as /dev's binds). */
                unsigned attrs = MOUNT_ATTR_NOSUID | (sb->private_devices ? MOUNT_ATTR_NODEV : 0) |
                                 (sb->root_mode == ROOT_READ_ONLY ? MOUNT_ATTR_RDONLY : 0);
                mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
                if (mnt < 0)
                        r = -errno;
        }
        if (r < 0) {
                /* The kernel's own explanation stays in the context ("e overlay: ..."). */
                ssize_t n = read(fs, log, sizeof log - 1);
                log[n > 0 ? n : 0] = 0;
                log[strcspn(log, "\n")] = 0;
                const char *hint =
                        r == -ELOOP || e->error == ELOOP
                                ? "overlapping layers (a layer inside another on the same file system)"
                                : "";
                if (e->step == SANDBOX_STEP_NONE)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r, "mount overlay on", "/",
                                              "RootDirectory=%s, %zu layer(s), RootMode=%s%s%s%s%s",
                                              sb->root_directory, sb->layers.n,
                                              root_mode_to_string(sb->root_mode), *log ? ": " : "", log,
                                              *hint ? ": " : "", hint);
                else {
                        size_t l = strlen(e->detail);
                        snprintf(e->detail + l, sizeof e->detail - l, "%s%s%s%s", *log ? ": " : "", log,
                                 *hint ? ": " : "", hint);
                }
        }
        for (size_t i = 0; i < nfds; i++)
                close(fds[i]);
        close(fs);
        return r < 0 ? r : mnt;
}
