/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Privileges of the payload: capabilities (libcap) and the seccomp filter (libseccomp).
 * Internal to src/sandbox. The spawner calls, in the child, in this order:
 *     caps_drop_bounding(u)          while still uid 0 with CAP_SETPCAP (in PID 1, before the
 *                                    payload's process starts, unless the service is an init)
 *     setgroups/setresgid/setresuid  (the spawner's identity step)
 *     caps_apply(u, &m)             permitted/effective/inheritable + ambient
 *     no_new_privs (when NoNewPrivileges=yes, or when required for an unprivileged filter)
 *     seccomp_program_install(p)     the very last step before execve
 * The filter is built in the parent before clone3 (seccomp_program_build), so the child only
 * installs a ready BPF program. */

#include "hutch/model.h"

struct seccomp_program;

/* Builds (or loads from the per-unit cache) the unit's complete filter: SystemCallFilter=,
 * SystemCallErrorNumber=, SystemCallArchitectures=, RestrictNamespaces=, LockPersonality=,
 * RestrictRealtime=, RestrictSUIDSGID=, MemoryDenyWriteExecute=, ProtectClock=,
 * ProtectKernelLogs=, ProtectKernelModules=, ProtectKernelTunables= and hutch's explicit
 * decisions (keyring, io_uring, userfaultfd, clone3, TIOCSTI/TIOCLINUX). Logs and returns
 * a negative errno on failure. */
int seccomp_program_build(const struct hutch_unit *u, struct seccomp_program **ret);
/* Installs it in the calling process (the sandbox child). Async-signal-safe, no logging:
 * returns 0 or a negative errno. */
int seccomp_program_install(const struct seccomp_program *p);
void seccomp_program_free(struct seccomp_program *p);
/* Number of BPF instructions, and whether it came from the cache (for tests and `hutch show`). */
unsigned seccomp_program_size(const struct seccomp_program *p);
/* The instructions themselves (struct sock_filter[seccomp_program_size(p)]). */
const void *seccomp_program_insns(const struct seccomp_program *p);
bool seccomp_program_from_cache(const struct seccomp_program *p);
/* Where compiled filters are cached: looked up in `first`, then `second`; stored in the first
 * that takes it; files of `first` unused for 30 days are removed when it takes a new one (when
 * there is a `second`). Default /var/cache/hutch/seccomp, then /run/hutch/seccomp; NULL: no
 * cache. A directory must belong to the caller and not be writable by others, or it is not used. */
void seccomp_cache_set_directories(const char *first, const char *second);

/* Child side, no logging: 0 or negative errno. */
int caps_drop_bounding(const struct hutch_unit *u);
/* Adds CAP_KILL to the inheritable set (while it is in the bounding set). */
int caps_raise_inheritable_kill(void);
/* Sets PR_SET_KEEPCAPS so that capabilities survive the switch to User=. */
int caps_keep_across_setuid(void);
/* -EPERM with *ret_missing set: an ambient capability hutch itself does not hold. */
int caps_apply(const struct hutch_unit *u, int *ret_missing);
