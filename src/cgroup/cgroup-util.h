/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small file helpers for cgroupfs, all relative to directory fds. Private to src/cgroup. */

#include <stddef.h>

#include "hutch/macro.h"

/* Reads a whole (small) cgroup file into buf, NUL-terminated. Returns length or -errno. */
int cg_read_at(int dirfd, const char *file, char *buf, size_t size);
/* Writes `value` to a cgroup file in one write(). Returns 0 or -errno. */
int cg_write_at(int dirfd, const char *file, const char *value);
/* cgroup.events "populated": 1, 0, or -errno. */
int cg_populated_at(int dirfd);
/* SIGKILL to every pid in cgroup.procs of dirfd and every cgroup below it, repeated until empty
 * (bounded). Returns 0 or -errno. */
int cg_kill_recursive(int dirfd);
/* Waits until cgroup.events says "populated 0", up to timeout. 0, -ETIMEDOUT or -errno. */
int cg_wait_empty_at(int dirfd, usec_t timeout);

static inline void safe_close_fd(int *fd) {
        if (*fd >= 0)
                close(*fd);
        *fd = -EBADF;
}
