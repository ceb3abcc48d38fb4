/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Named syscall groups ("@system-service", "@mount", ...) for SystemCallFilter=: hutch's
 * own table, covering at least systemd's named groups. Members are syscall names or other
 * "@group" names. Pure data: the loader checks names against it, the seccomp builder
 * expands it. */

#include <stdbool.h>
#include <stdint.h>

struct syscall_group {
        const char *name;           /* "@system-service" */
        const char *help;           /* one line for `hutch show`/man */
        const char *const *members; /* NULL-terminated */
};

/* The group with this name (with its '@'), or NULL. */
const struct syscall_group *syscall_group_find(const char *name);
/* Every group, NULL-terminated by a {NULL} entry. */
extern const struct syscall_group syscall_groups[];

/* Calls `f` for each syscall name in the group, recursively expanded (each name once per
 * call, order unspecified). Returns the first negative value f returned, else 0. */
int syscall_group_expand(const char *name, int (*f)(const char *syscall, void *userdata), void *userdata);

/* The number of syscall `name` on libseccomp architecture `arch` (SCMP_ARCH_*): libseccomp's
 * table plus hutch's list of syscalls newer than it. -ENOSYS: the name exists, but not on
 * this architecture (the filter builder skips it); -ENOENT: no such syscall anywhere;
 * -EINVAL: a group name or empty. */
int syscall_resolve_arch(const char *name, uint32_t arch);
/* For the loader's check of SystemCallFilter= names: a group in the table, or a syscall known
 * on some architecture. */
bool syscall_name_is_known(const char *name);
