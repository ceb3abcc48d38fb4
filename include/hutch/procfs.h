/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* The cgroup2 path of pid (0: this process, by /proc/self, which stays right when /proc
 * belongs to another pid namespace than ours) from the "0::" line of /proc/PID/cgroup,
 * malloc'ed in *ret ("/system.slice/web.service"). Returns 0, -ENODATA when there is no
 * "0::" line (no cgroup2 hierarchy), or another negative errno. */
int proc_cgroup2_path(pid_t pid, char **ret);

/* Where the cgroup2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid
 * host), malloc'ed in *ret. -ENOMEDIUM if nothing is. */
int proc_cgroup2_mount(char **ret);

/* A limit (`file`: memory.max, pids.max) of the root cgroup as PID 1 sees it, which inside a
 * container is the container's own cgroup, as systemd reads it for N% of memory and of tasks
 * (PID 1's cgroup, less a trailing /init.scope). 0 with the number; -ENODATA when it is "max"
 * or there is no such file (the host's root cgroup has none); another negative errno. */
int proc_root_cgroup_limit(const char *file, uint64_t *ret);

/* What /proc/PID/cmdline shows of this process: the kernel reads it from the argument strings in
 * the process's own memory. proc_title_init() notes where main()'s argv lies (the strings the
 * kernel laid out one after the other; nothing is noted when they are not); proc_title_set()
 * overwrites them with `title`, cut to fit, the rest zeroed, so that a forked child which others
 * can see (the sandbox's PID 1, inside the sandbox) does not show hutch's command line. The
 * argv strings are gone for the calling process after it. */
void proc_title_init(int argc, char **argv);
void proc_title_set(const char *title);
