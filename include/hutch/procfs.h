/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

/* The cgroup2 path of pid (0: this process, by /proc/self, which stays right when /proc
 * belongs to another pid namespace than ours) from the "0::" line of /proc/PID/cgroup,
 * malloc'ed in *ret ("/system.slice/web.service"). Returns 0, -ENODATA when there is no
 * "0::" line (no cgroup2 hierarchy), or another negative errno. */
int proc_cgroup2_path(pid_t pid, char **ret);
