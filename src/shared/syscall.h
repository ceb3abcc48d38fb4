/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Thin wrappers around syscall(2) for the calls hutch uses that glibc 2.36 (Debian 12) does
 * not wrap, or wraps only in headers that clash with <linux/...>: clone3, pidfd_open,
 * pidfd_send_signal, open_tree, move_mount, fsopen, fsconfig, fsmount, mount_setattr,
 * openat2, pivot_root, listmount; and, with musl, statx, close_range and epoll_pwait2. Each is a static
 * inline hutch_NAME(), and NAME is #defined to it, so callers read as if glibc had the function and a later
 * glibc declaration cannot clash. All return what the kernel returns: -1 with errno set on failure. */

#include <errno.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mount.h> /* glibc's includes <linux/mount.h>: MOUNT_ATTR_*, struct mount_attr, FSCONFIG_* */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#ifndef __GLIBC__
#include <linux/mount.h> /* musl's <sys/mount.h> has none of the new mount API */
#include <linux/stat.h>  /* nor has musl 1.2.3 (Debian 12) statx(), close_range(), epoll_pwait2() */
#include <sys/epoll.h>
#include <time.h>
#endif

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
/* prctl() W^X, Linux 6.3 (Debian 12's headers are 6.1) */
#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN (1UL << 0)
#endif

#ifndef __GLIBC__
static inline int hutch_statx(int dfd, const char *path, int flags, unsigned mask, struct statx *buf) {
        return (int) syscall(SYS_statx, dfd, path, flags, mask, buf);
}
#define statx(...) hutch_statx(__VA_ARGS__) /* function-like: "struct statx" stays */

static inline int hutch_close_range(unsigned first, unsigned last, int flags) {
        return (int) syscall(SYS_close_range, first, last, flags);
}
#define close_range hutch_close_range

static inline int hutch_epoll_pwait2(int epfd, struct epoll_event *events, int maxevents,
                                     const struct timespec *timeout, const sigset_t *sigmask) {
        return (int) syscall(SYS_epoll_pwait2, epfd, events, maxevents, timeout, sigmask, _NSIG / 8);
}
#define epoll_pwait2 hutch_epoll_pwait2
#endif

static inline pid_t hutch_clone3(struct clone_args *args, size_t size) {
        return (pid_t) syscall(SYS_clone3, args, size);
}
#define clone3 hutch_clone3

static inline int hutch_pidfd_open(pid_t pid, unsigned flags) {
        return (int) syscall(SYS_pidfd_open, pid, flags);
}
#define pidfd_open hutch_pidfd_open

static inline int hutch_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags) {
        return (int) syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}
#define pidfd_send_signal hutch_pidfd_send_signal

static inline int hutch_open_tree(int dfd, const char *path, unsigned flags) {
        return (int) syscall(SYS_open_tree, dfd, path, flags);
}
#define open_tree hutch_open_tree

static inline int hutch_move_mount(int from_dfd, const char *from_path, int to_dfd, const char *to_path,
                                   unsigned flags) {
        return (int) syscall(SYS_move_mount, from_dfd, from_path, to_dfd, to_path, flags);
}
#define move_mount hutch_move_mount

static inline int hutch_fsopen(const char *fsname, unsigned flags) {
        return (int) syscall(SYS_fsopen, fsname, flags);
}
#define fsopen hutch_fsopen

static inline int hutch_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux) {
        return (int) syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
#define fsconfig hutch_fsconfig

static inline int hutch_fsmount(int fd, unsigned flags, unsigned attr_flags) {
        return (int) syscall(SYS_fsmount, fd, flags, attr_flags);
}
#define fsmount hutch_fsmount

static inline int hutch_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr,
                                      size_t size) {
        return (int) syscall(SYS_mount_setattr, dfd, path, flags, attr, size);
}
#define mount_setattr hutch_mount_setattr

/* With RESOLVE_IN_ROOT or RESOLVE_BENEATH, the kernel fails a lookup that crosses ".." with
 * EAGAIN when any rename or mount anywhere on the system raced with it (it cannot then prove
 * that ".." stayed inside), and asks the caller to retry. On a host where other sandboxes and
 * containers mount all the time that is no rare event, so it retries here, a bounded number of
 * times (an attacker renaming in a loop gets EAGAIN in the end, never an escape). */
static inline int hutch_openat2(int dfd, const char *path, struct open_how *how, size_t size) {
        bool retry =
                (how->resolve & (RESOLVE_IN_ROOT | RESOLVE_BENEATH)) && !(how->resolve & RESOLVE_CACHED);
        for (int attempt = 0;; attempt++) {
                int fd = (int) syscall(SYS_openat2, dfd, path, how, size);
                if (fd >= 0 || errno != EAGAIN || !retry || attempt >= 128)
                        return fd;
        }
}
#define openat2 hutch_openat2

static inline int hutch_pivot_root(const char *new_root, const char *put_old) {
        return (int) syscall(SYS_pivot_root, new_root, put_old);
}
#define pivot_root hutch_pivot_root

/* listmount(2), Linux 6.8: the ids of the mounts directly below one mount. The same number
 * on every architecture; older kernels answer ENOSYS. */
#ifndef SYS_listmount
#define SYS_listmount 458
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
struct hutch_mnt_id_req {
        uint32_t size; /* 24: the first version, which lists in the caller's mount namespace */
        uint32_t spare;
        uint64_t mnt_id;
        uint64_t param; /* list the children after this id; 0 from the first */
};
static inline long hutch_listmount(const struct hutch_mnt_id_req *req, uint64_t *ids, size_t n,
                                   unsigned flags) {
        return syscall(SYS_listmount, req, ids, n, flags);
}
