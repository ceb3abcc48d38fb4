/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The spawner: a model in, a running sandboxed process out. It never reads unit files.
 *
 * sandbox_spawn() clone3()s a child with the unit's namespaces (into `cgroup_fd` with
 * CLONE_INTO_CGROUP when given), the child builds the sandbox (mounts, rootfs, identity,
 * caps, seccomp last) and execve()s. A setup failure inside the child is reported over a
 * CLOEXEC pipe as {step, errno, path}; the parent turns it into one message
 * ("mount overlay on /: Invalid argument (lowerdir=...)") and a negative errno.
 * sandbox_spawn() returns once the payload's execve() succeeded (the pipe closed empty)
 * or setup failed. */

#include <stdbool.h>
#include <signal.h>
#include <sys/types.h>

#include "hutch/model.h"

/* Which setup step failed, for the message and for the exit status hutch run picks. */
enum sandbox_step {
        SANDBOX_STEP_NONE,
        SANDBOX_STEP_CLONE,
        SANDBOX_STEP_USERNS,
        SANDBOX_STEP_MOUNT,
        SANDBOX_STEP_ROOTFS,
        SANDBOX_STEP_NETWORK,
        SANDBOX_STEP_HOSTNAME,
        SANDBOX_STEP_IDENTITY,
        SANDBOX_STEP_RLIMIT,
        SANDBOX_STEP_SCHEDULING,
        SANDBOX_STEP_ENVIRONMENT,
        SANDBOX_STEP_CHDIR,
        SANDBOX_STEP_CAPABILITIES,
        SANDBOX_STEP_SECCOMP,
        SANDBOX_STEP_EXEC, /* execve itself: ENOENT -> 127, EACCES/ENOEXEC -> 126 */
        _SANDBOX_STEP_MAX,
};

struct sandbox_error {
        enum sandbox_step step;
        int error;        /* positive errno */
        char what[128];   /* "mount overlay on /", "open bind source" */
        char path[512];   /* the path involved, or "" */
        char detail[512]; /* extra context, e.g. "lowerdir=/a:/b", or "" */
};

struct sandbox_params {
        int cgroup_fd;                      /* payload cgroup dir fd for CLONE_INTO_CGROUP, or -1 */
        char **extra_args;                  /* appended to ExecStart= argv (hutch run UNIT -- ARG...) */
        const char *notify_socket;          /* host path of hutch's notify socket to bind at
                                             * /run/host/notify, or NULL */
        int stdin_fd, stdout_fd, stderr_fd; /* given to the payload as 0, 1, 2 (-1: /dev/null) */
        bool kill_on_parent_death;          /* PR_SET_PDEATHSIG on the sandbox's PID 1 (default true) */
        /* Where sandbox_spawn() stores the pid of the sandbox's PID 1 as soon as it exists, for a
         * signal handler that must end a setup that takes too long; or NULL. */
        volatile pid_t *setup_pid;
};

/* The payload's end as the sandbox's PID 1 saw it. A PID 1 cannot die of a signal it sends
 * itself, so its own exit status could not tell "killed by SIGTERM" from "exit 143". hutch's
 * PID 1 writes the payload's wait status into a page it shares with the spawner (mapped
 * MAP_SHARED before clone3; the payload's execve drops it from the payload). */
struct sandbox_exit_report;

struct sandbox_child {
        pid_t pid;                          /* the sandbox's PID 1 as seen from the host */
        int pidfd;                          /* pidfd of pid (CLOEXEC) */
        struct sandbox_exit_report *report; /* NULL when none (see sandbox_child_release) */
        bool hutch_pid1; /* PID 1 is hutch's init, not the service (which is an init itself) */
        bool init_exec;  /* and it holds hutch-init, to exec on sandbox_child_settle() */
        /* Readable once hutch's PID 1 has reported the payload's end, which it does just before
         * it exits: that PID 1 lives outside the payload cgroup, so the payload's run is over
         * then, and nobody needs to wait for the kernel to take the sandbox's namespaces apart
         * in PID 1's exit. -1 when PID 1 is in the payload cgroup (the service is an init
         * itself, or PrivateUsers=): then only PID 1's exit tells. */
        int exit_fd;
        /* Type=forking: readable once hutch's PID 1 has found the daemon (the first process exited
         * 0): sandbox_child_forked() then tells which; -1 for other types. */
        int ready_fd;
};

/* A sandbox_child that holds nothing. */
#define SANDBOX_CHILD_NULL ((struct sandbox_child){.pid = 0, .pidfd = -EBADF, .exit_fd = -1, .ready_fd = -1})

/* Once c->ready_fd is readable: the daemon's pid as the sandbox numbers it, 0 when PID 1 found no
 * single main process (the service then runs until its last process is gone), -1 when PID 1 has
 * said nothing yet (it died). Closes ready_fd: it says this once. */
pid_t sandbox_child_forked(struct sandbox_child *c);

/* Tells the sandbox's PID 1 that the payload has been running for a while, the moment for it to
 * replace itself with hutch-init, a program of a few pages (a service that is over sooner never
 * pays for that exec). A no-op unless c->init_exec. Returns 0 or a negative errno. */
int sandbox_child_settle(const struct sandbox_child *c);
/* How long the supervisor waits after the start before it calls sandbox_child_settle(). */
#define SANDBOX_SETTLE_USEC (50 * USEC_PER_MSEC)

/* How the payload ended, as waitid() would say it of the payload itself: *ret_code is
 * CLD_EXITED, CLD_KILLED or CLD_DUMPED. From PID 1's report when it wrote one, else from `si`,
 * the siginfo of the sandbox's PID 1 (the service was its own init, or PID 1 was killed). */
void sandbox_child_exit_status(const struct sandbox_child *c, const siginfo_t *si, int *ret_code,
                               int *ret_status);
/* Once c->exit_fd is readable: true with the payload's end (as sandbox_child_exit_status()) when
 * PID 1 has reported it; false when PID 1 died without a report (its exit will tell). */
bool sandbox_child_reported(const struct sandbox_child *c, int *ret_code, int *ret_status);
/* Gives the report's page back for a later run and closes exit_fd and ready_fd. Accepts a child
 * without them. */
void sandbox_child_release(struct sandbox_child *c);

void sandbox_params_init(struct sandbox_params *p);

/* Takes this process (a supervisor) out of the OOM killer's choice: oom_score_adj -1000, which
 * needs CAP_SYS_RESOURCE (without it nothing changes; said at debug level). Sandboxes started
 * afterwards get the unit's OOMScoreAdjust=, or the value this process had before. Idempotent. */
int sandbox_oom_protect(void);

/* Removes the unit's RuntimeDirectory= directories from the host, with what they hold (never
 * following a symlink, never crossing into a mount); a failure is warned about. The caller
 * decides when (RuntimeDirectoryPreserve=). */
void sandbox_remove_runtime_directories(const struct hutch_unit *u);

/* Returns 0 with *ret filled when the payload runs; on failure a negative errno with
 * *err filled and the message already logged, and nothing left behind (the child is
 * reaped, its mounts die with its namespace). */
int sandbox_spawn(const struct hutch_unit *u, const struct sandbox_params *p, struct sandbox_child *ret,
                  struct sandbox_error *err);

/* Runs u's ExecStart= (a control command's copy of the unit, say) inside the running sandbox
 * `running`: the namespaces of its PID 1 (user, mount and with it the root, PID, IPC, UTS,
 * network), a cgroup namespace rooted at p->cgroup_fd as the service's, and then the unit's
 * identity, limits, capabilities, no_new_privs and seccomp filter, as the service got them. The
 * process is a child of the caller. Returns as sandbox_spawn() does; *ret has no exit report (its
 * exit status is its own) and hutch_pid1 false. */
int sandbox_enter(const struct hutch_unit *u, const struct sandbox_child *running,
                  const struct sandbox_params *p, struct sandbox_child *ret, struct sandbox_error *err);

/* The service's main process of the sandbox `c`: its host pid (0 when it cannot be found), and in
 * *ret_inside its pid as the sandbox sees it ($MAINPID of the control commands). */
pid_t sandbox_child_main_pid(const struct sandbox_child *c, pid_t *ret_inside);

/* hutch run's exit status for a setup failure: 127 command not found, 126 not executable,
 * 125 anything else. */
int sandbox_error_exit_status(const struct sandbox_error *err);

/* Checks what can be checked before start without spawning: Layers= exist and are
 * directories, RootDirectory= exists, bind sources exist (unless '-'), UpperDirectory=
 * usable. Appends to problems with the key's origin. */
int sandbox_check_paths(const struct hutch_unit *u, struct unit_problems *problems);
