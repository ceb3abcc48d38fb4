/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sched.h>

/* Internal to src/sandbox: what the parent prepares before clone3 and the child reads. The
 * child is a fork-like copy of the (single-threaded) parent, so it may use everything here;
 * it never logs: failures are filled into a struct sandbox_error and sent over the pipe. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hutch/model.h"
#include "hutch/sandbox.h"
#include "sandbox/pid1-abi.h"
#include "sandbox/security.h"

/* Host objects the parent clones for the child (mount.c): detached mounts, or -1. */
#define SANDBOX_DEV_NODES 6
struct sandbox_host {
        int *bind_fds; /* per BindPaths=/BindReadOnlyPaths= entry; -1 when missing and '-' */
        bool *bind_is_dir;
        int dev_fds[SANDBOX_DEV_NODES]; /* null zero full random urandom tty (PrivateDevices=yes) */
        int host_dev_fd;                /* PrivateDevices=no */
        int host_sys_fd;                /* no new network namespace */
        int notify_fd;
};

struct sandbox_ctx {
        const struct hutch_unit *u;
        const struct sandbox_params *p;
        const struct seccomp_program *seccomp;
        char **argv;    /* ExecStart= argv + extra args, variables expanded: set in the child */
        char **env;     /* Environment=, EnvironmentFile=, PATH, NOTIFY_SOCKET: before HOME/USER/... */
        bool new_net;   /* a new network namespace */
        bool new_user;  /* a new user namespace */
        bool is_init;   /* ExecStart= is an init itself: no hutch PID 1 in between */
        int error_fd;   /* write end of the setup pipe (CLOEXEC) */
        int sync_fd;    /* read end of the "uid_map written" pipe, or -1 */
        int overlay_fd; /* the detached overlay root (overlay.c), or -1 for a read-only bind */
        struct sandbox_exit_report *report; /* shared with the parent; NULL when the service is init */
        int report_fd; /* the memfd behind report (CLOEXEC), or -1 when it is anonymous memory */
        int init_fd;   /* hutch-init as a sealed memfd (CLOEXEC, sandbox_init_fd()), or -1 */
        /* PID 1 is hutch's and lives outside the payload cgroup (pid1_outside): clone3() puts it in
         * the spawner's cgroup and namespace, and it starts the payload itself with
         * CLONE_INTO_CGROUP (payload_cgroup_fd) and CLONE_NEWCGROUP; the payload mounts its own
         * view of the cgroup tree on cgroup_target_fd (/sys/fs/cgroup in the new root, or -1)
         * before anything else. exit_fd (CLOEXEC write end, or -1): PID 1 writes a byte there once
         * the report is in. */
        bool pid1_outside;
        int payload_cgroup_fd;
        int cgroup_target_fd;
        int exit_fd;
        const struct sandbox_host *host;
        /* The spawner's CPU affinity while the setup runs pinned to the spawner's CPU (spawn.c),
         * restored in PID 1 and in the payload; NULL when nothing was pinned. */
        const cpu_set_t *affinity;
        /* Type=forking: the write end of the ready pipe (CLOEXEC), which PID 1 writes a byte to once
         * it found the daemon; -1 otherwise. */
        int ready_fd;
};

/* Fills e (step, what, path, printf-style detail) and returns -|error|. */
int sandbox_error_set(struct sandbox_error *e, enum sandbox_step step, int error, const char *what,
                      const char *path, const char *detail_fmt, ...) _printf_(6, 7);

/* overlay.c, in the parent: the overlay root as a detached mount fd, or a negative errno with e
 * filled (not logged). */
int sandbox_make_overlay(const struct hutch_unit *u, struct sandbox_error *e);

/* mount.c, in the parent: fills h (not logged on failure, e filled). */
void sandbox_host_init(struct sandbox_host *h);
int sandbox_collect_host(const struct sandbox_ctx *c, struct sandbox_host *h, struct sandbox_error *e);
void sandbox_host_close(struct sandbox_host *h, size_t n_binds);

/* mount.c: everything from "mounts private" to pivot_root into the finished root. With
 * ret_cgroup_target, the cgroup2 mount on /sys/fs/cgroup is left to the payload (which has the
 * cgroup namespace it must show): *ret_cgroup_target is that mount point (O_PATH, CLOEXEC), or -1
 * when there is none. */
int sandbox_setup_mounts(const struct sandbox_ctx *c, struct sandbox_error *e, int *ret_cgroup_target);
/* Mounts the cgroup namespace's own cgroup2 tree, read-only, on `target_fd`. */
int sandbox_mount_cgroup(int target_fd, struct sandbox_error *e);

/* identity.c, after pivot_root. Resolves User=/Group=/SupplementaryGroups= in the sandbox's
 * /etc/passwd and /etc/group and completes the environment (HOME, USER, LOGNAME, SHELL). */
struct sandbox_identity {
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;
        char *home; /* NULL when User= is unset */
        char *shell;
        char *user_name;
        bool set; /* User= or Group= or SupplementaryGroups= given */
};
int sandbox_resolve_identity(const struct hutch_unit *u, struct sandbox_identity *id,
                             struct sandbox_error *e);
int sandbox_complete_env(char ***env, const struct sandbox_identity *id, struct sandbox_error *e);
int sandbox_apply_rlimits(const struct hutch_unit *u, struct sandbox_error *e);
/* UnsetEnvironment=: takes the names (or exact NAME=VALUE assignments) out of the final
 * environment, in place, as systemd applies it to everything the manager would pass. */
void sandbox_unset_env(const struct hutch_unit *u, char **env);
/* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= on the calling process (sched.c). */
int sandbox_apply_scheduling(const struct hutch_unit *u, struct sandbox_error *e);
/* setgroups, setresgid, setresuid. */
int sandbox_switch_identity(const struct sandbox_identity *id, struct sandbox_error *e);

/* env.c, in the parent: the payload's environment before the identity is known. Logs. */
int sandbox_build_env(const struct hutch_unit *u, const struct sandbox_params *p, char ***ret);
/* The text of one EnvironmentFile= (named `path` in messages) into NAME=value assignments, read
 * as systemd 252 reads it (parse_env_file_internal()). Logs; -EINVAL for invalid UTF-8. */
int sandbox_parse_env_file(const char *path, const char *text, char ***ret);
/* ExecStart= argv with $VAR / ${VAR} expanded from env (unless ':'), plus extra args. Called
 * in the sandbox child once the environment is complete; no logging: 0 or -ENOMEM. */
int sandbox_build_argv(const struct hutch_unit *u, const struct sandbox_params *p, char *const *env,
                       char ***ret);

/* stdio.c, in the parent: the fds 0, 1, 2 of a command (-1: /dev/null in the sandbox), from the
 * unit's StandardInput=, StandardOutput=, StandardError= over hutch's own in p, and *ret_params,
 * a copy of p with them; files are opened here and closed by sandbox_stdio_close(). e filled on
 * failure (not logged). */
struct sandbox_stdio {
        int fd[3];
        int owned[3]; /* what was opened here, or -1 */
};
int sandbox_stdio_open(const struct hutch_unit *u, const struct sandbox_params *p, struct sandbox_stdio *ret,
                       struct sandbox_params *ret_params, struct sandbox_error *e);
void sandbox_stdio_close(struct sandbox_stdio *s);

/* pid1.c: true when the executable's basename names an init (init, systemd, tini, ...). */
bool sandbox_command_is_init(const char *path);
/* Runs as the sandbox's PID 1 once the payload `payload` was forked: forwards signals,
 * reaps, exits with the payload's status (128+N for signal N). `bounding` is what is left of
 * its capability bounding set (the rest was dropped before the payload started). With
 * c->init_fd and c->report_fd it replaces itself with hutch-init, which does the same, on the
 * settle signal (pid1-abi.h); if the kernel refuses that exec, it goes on itself. Never
 * returns. */
_noreturn_ void sandbox_pid1_loop(const struct sandbox_ctx *c, pid_t payload, uint64_t bounding);
/* In the parent: hutch-init (init/hutch-init.c, embedded at build time) in a sealed memfd that
 * nobody can read or write, only execute (so the kernel makes the process non-dumpable).
 * Returns the fd (CLOEXEC) or a negative errno: -EOPNOTSUPP where no image is built in. */
int sandbox_init_fd(void);
extern const unsigned char sandbox_init_image[];
extern const size_t sandbox_init_image_size;
/* The signals PID 1 forwards; blocked in PID 1 before the payload is forked. */
void sandbox_pid1_signal_set(sigset_t *ret);

/* oom.c: around the sandbox's clone3, the payload's oom_score_adj (OOMScoreAdjust=, or the value
 * hutch was started with) written to this process, with the privileged floor the kernel copies
 * at fork. Before: 0 when nothing was written, 1 when sandbox_oom_after_clone() must put this
 * process's own back, or a negative errno with e filled. */
int sandbox_oom_before_clone(const struct hutch_unit *u, struct sandbox_error *e);
void sandbox_oom_after_clone(void);

/* directories.c: RuntimeDirectory= and the other exec directories. */
bool sandbox_has_directories(const struct hutch_unit *u);
/* In the parent: each made on the host where missing (userns_root: the host uid of a user
 * namespace's root, which then owns what would be host root's; 0 without one), and the binds
 * that put them into the sandbox, to be freed with sandbox_free_binds(). */
int sandbox_make_directories(const struct hutch_unit *u, uid_t userns_root, struct bind_mount **ret,
                             size_t *ret_n, struct sandbox_error *e);
void sandbox_free_binds(struct bind_mount *b, size_t n);
/* In the child, once User= is resolved: each given to the service's user and group (not the
 * configuration directories) and set to its mode. */
int sandbox_own_directories(const struct hutch_unit *u, const struct sandbox_identity *id,
                            struct sandbox_error *e);
/* $RUNTIME_DIRECTORY=... for each type the unit has, appended to *env. */
int sandbox_directories_env(const struct hutch_unit *u, char ***env);
