/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The overlay root (Layers=, RootMode=volatile|persistent), built in the parent before clone3 as
 * a detached mount (fsmount): nothing is attached to the host's tree, and the child only moves
 * it into place. It is built here rather than in the child because in a new user namespace
 * every host mount is locked to its parent, and overlayfs refuses a lower layer with locked
 * submounts ("failed to clone lowerpath"); in the host's namespace "/" is usable as the lowest
 * layer. The volatile upper is a detached tmpfs: it disappears with the last reference (on
 * kernels whose overlayfs takes no detached layer, one attached in a helper's private mount
 * namespace: make_overlay_in_helper()).
 *
 * overlayfs refuses layers that overlap (EINVAL/ELOOP): a layer below RootDirectory= on the
 * same file system cannot be stacked over it. sandbox_check_paths() reports that case. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* volatile_dir: for RootMode=volatile, a directory fd of a tmpfs attached in this process's mount
 * namespace to hold upper/ and work/; -1 for a detached tmpfs of its own. */
static int make_overlay(const struct hutch_unit *u, int volatile_dir, struct sandbox_error *e) {
        const struct unit_section_sandbox *sb = &u->sandbox;
        int fds[64 + 4];
        size_t nfds = 0;
        int fs = -1, mnt = -1, r = 0;
        char log[256] = "", p[64];
        /* The layers as /proc/self/fd/N paths, top first, joined by ':' (65 of at most 24 bytes). */
        char lower[65 * 24] = "";

        if (sb->layers.n > 64)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, E2BIG, "stack layers", "",
                                         "at most 64 Layers=");
        fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "mount overlay on", "/", NULL);

        /* overlayfs lists the top layer first; Layers= lists the lowest first, and RootDirectory=
         * is below all of them. One "lowerdir" of descriptor paths, which hold no ':' or ',' to
         * escape: "lowerdir+" (one layer a call) is Linux 6.8's, and an older kernel (Debian 12's
         * 6.1) takes the key through the legacy option string and refuses it at creation. */
        for (size_t i = sb->layers.n; r == 0 && i > 0; i--) {
                const char *path = sb->layers.items[i - 1].path;
                int fd = open_dir(path);
                if (fd < 0) {
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, fd, "open layer", path, "Layers=");
                        break;
                }
                fds[nfds++] = fd;
                fd_path(p, sizeof p, fd, NULL);
                strcat(strcat(lower, *lower ? ":" : ""), p);
        }
        if (r == 0) {
                int fd = open_dir(sb->root_directory);
                if (fd < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, fd,
                                              "open RootDirectory=", sb->root_directory, NULL);
                else {
                        fds[nfds++] = fd;
                        fd_path(p, sizeof p, fd, NULL);
                        strcat(strcat(lower, *lower ? ":" : ""), p);
                        if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
                                r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "add layers",
                                                      sb->root_directory, "RootDirectory= and Layers=");
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
                        int tfs = volatile_dir >= 0 ? -1 : fsopen("tmpfs", FSOPEN_CLOEXEC);
                        int t = volatile_dir;
                        if (tfs >= 0 && fsconfig(tfs, FSCONFIG_SET_STRING, "mode", "0755", 0) >= 0 &&
                            fsconfig(tfs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) >= 0)
                                t = fsmount(tfs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
                        if (t < 0 || mkdirat(t, "upper", 0755) < 0 || mkdirat(t, "work", 0755) < 0)
                                r = sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno,
                                                      "mount volatile upper tmpfs", "", "RootMode=volatile");
                        if (tfs >= 0)
                                close(tfs);
                        if (t >= 0 && t != volatile_dir)
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

/* Before Linux 6.15 or so (Debian 12's 6.1 among them) overlayfs takes layers from mounts of the
 * caller's own mount namespace only ("failed to clone upperpath"), and a detached tmpfs is in
 * none. Then a short-lived child builds the overlay: in a private copy of the host's namespace,
 * with the tmpfs attached on a directory of hutch's runtime directory there (an empty one on the
 * host, never a mount point in the host's tree), and hands the overlay back over a socket. The
 * overlay keeps its own reference to the tmpfs, which goes with the overlay's last one. */
#define VOLATILE_MOUNT_POINT "/run/hutch/volatile-upper"

struct helper_reply {
        int r;
        struct sandbox_error e;
};

_noreturn_ static void overlay_helper(const struct hutch_unit *u, int sock) {
        struct helper_reply reply = {0};
        int mnt = -1;
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                reply.r = sandbox_error_set(&reply.e, SANDBOX_STEP_ROOTFS, errno,
                                            "make private mount namespace", "", "RootMode=volatile");
        else if ((mkdir("/run/hutch", 0755) < 0 && errno != EEXIST) ||
                 (mkdir(VOLATILE_MOUNT_POINT, 0700) < 0 && errno != EEXIST) ||
                 mount("tmpfs", VOLATILE_MOUNT_POINT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
                reply.r = sandbox_error_set(&reply.e, SANDBOX_STEP_ROOTFS, errno,
                                            "mount volatile upper tmpfs on", VOLATILE_MOUNT_POINT,
                                            "RootMode=volatile");
        else {
                int dir = open(VOLATILE_MOUNT_POINT, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                mnt = dir < 0 ? sandbox_error_set(&reply.e, SANDBOX_STEP_ROOTFS, errno, "open",
                                                  VOLATILE_MOUNT_POINT, "RootMode=volatile")
                              : make_overlay(u, dir, &reply.e);
                reply.r = mnt < 0 ? mnt : 0;
        }
        struct iovec iov = {&reply, sizeof reply};
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control = {0};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        if (mnt >= 0) {
                msg.msg_control = control.buf;
                msg.msg_controllen = sizeof control.buf;
                struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &mnt, sizeof mnt);
        }
        _exit(sendmsg(sock, &msg, MSG_NOSIGNAL) == (ssize_t) sizeof reply ? 0 : 1);
}

static int make_overlay_in_helper(const struct hutch_unit *u, struct sandbox_error *e) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, errno, "mount overlay on", "/",
                                         "socketpair");
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(sv[0]);
                close(sv[1]);
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, r, "mount overlay on", "/", "fork");
        }
        if (pid == 0) {
                close(sv[0]);
                overlay_helper(u, sv[1]);
        }
        close(sv[1]);
        struct helper_reply reply;
        union {
                char buf[CMSG_SPACE(sizeof(int))];
                struct cmsghdr align;
        } control;
        struct iovec iov = {&reply, sizeof reply};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf};
        ssize_t n = recvmsg(sv[0], &msg, MSG_CMSG_CLOEXEC);
        close(sv[0]);
        (void) waitpid(pid, NULL, 0);
        int fd = -1;
        struct cmsghdr *c = n == (ssize_t) sizeof reply ? CMSG_FIRSTHDR(&msg) : NULL;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                memcpy(&fd, CMSG_DATA(c), sizeof fd);
        if (n != (ssize_t) sizeof reply)
                return sandbox_error_set(e, SANDBOX_STEP_ROOTFS, EIO, "mount overlay on", "/",
                                         "the helper process gave no answer");
        if (reply.r < 0 || fd < 0) {
                *e = reply.e;
                return reply.r < 0 ? reply.r : -EIO;
        }
        return fd;
}

int sandbox_make_overlay(const struct hutch_unit *u, struct sandbox_error *e) {
        int r = make_overlay(u, -1, e);
        /* EINVAL for a volatile root: the kernel may not take the detached tmpfs (see above). */
        if (r == -EINVAL && u->sandbox.root_mode == ROOT_VOLATILE) {
                struct sandbox_error first = *e;
                *e = (struct sandbox_error){0};
                r = make_overlay_in_helper(u, e);
                if (r < 0 && e->error == EINVAL)
                        *e = first; /* the same refusal: the first message says it with the kernel's log */
        }
        return r;
}
