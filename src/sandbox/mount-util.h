/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* fd-based mount helpers of src/sandbox (mount-util.c). No logging. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandbox/sandbox-internal.h"

/* openat2(dirfd, path, flags | O_CLOEXEC, resolve); a leading '/' is relative to dirfd. */
int mnt_open_in(int dirfd, const char *path, int flags, uint64_t resolve);
/* open_tree(OPEN_TREE_CLONE): a detached copy of the mount at dirfd/path ("" or NULL: dirfd). */
int mnt_clone(int dirfd, const char *path, bool recursive);
int mnt_set_attr(int mnt_fd, uint64_t set, uint64_t clr, bool recursive);
/* move_mount() of a detached mount onto the node target_fd refers to. */
int mnt_attach(int mnt_fd, int target_fd);
void mnt_close_fd(int *fd);
/* A new superblock of `type` with "key=value,flag" options, as a detached mount with `attrs`;
 * on failure the kernel's explanation is copied into `log`. */
int mnt_fs_make(const char *type, const char *source, const char *options, unsigned attrs, char *log,
                size_t logsz);
/* Opens path below root_fd, creating it (and its parents) when missing. */
int mnt_ensure_target(int root_fd, const char *path, bool dir, uint64_t resolve);
/* Detaches the mount whose root fd is, if it is one: 1 detached, 0 not a mount root or locked. */
int mnt_detach_if_mounted(int fd);
/* 1 when other mounts sit below the mount whose root fd is, 0 when none do, a negative errno when
 * the kernel cannot tell (listmount(2) and STATX_MNT_ID_UNIQUE came with Linux 6.8). */
int mnt_has_submounts(int fd);
/* Detaches the host's kernel file systems (proc, sysfs, nsfs, ...) mounted below prefix. */
int mnt_detach_pseudo_submounts(const char *prefix);
