/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The supervisor: one state machine per unit, on an event loop (hutch/event.h) it does not
 * own, so that `hutch run` (one unit) and a daemon (many units, one loop) share it. No
 * globals: all state lives in struct supervisor.
 *
 * The restart decision is a pure function of (unit settings, exit, history, clock), kept
 * apart from the state machine so the unit tier can check it against systemd's table. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hutch/event.h"
#include "hutch/model.h"

/* Why a run ended, with systemd's names for a service's result. */
enum exit_reason {
        EXIT_REASON_SUCCESS,
        EXIT_REASON_EXIT_CODE,
        EXIT_REASON_SIGNAL,
        EXIT_REASON_CORE_DUMP,
        EXIT_REASON_TIMEOUT,
        EXIT_REASON_WATCHDOG,
        EXIT_REASON_OOM_KILL,
        EXIT_REASON_START_LIMIT_HIT,
        EXIT_REASON_PROTOCOL, /* a Type=notify service that exited cleanly before READY=1 */
        /* ExecCondition= exited 1-254: the start was skipped; not a failure, never restarted */
        EXIT_REASON_EXEC_CONDITION,
        _EXIT_REASON_MAX,
};

/* "success", "exit-code", "signal", "core-dump", "timeout", "watchdog", "oom-kill",
 * "start-limit-hit", "protocol", "exec-condition". */
const char *exit_reason_to_string(enum exit_reason r);

/* How the payload ended, as waitid() reports it. */
struct exit_info {
        int code;   /* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
        int status; /* the exit status, or the signal */
};

/* systemd's clean exit: status 0, or a status/signal listed in SuccessExitStatus=, or (not for
 * Type=oneshot) death by SIGHUP, SIGINT, SIGTERM or SIGPIPE. A core dump is never clean. */
bool exit_is_clean(const struct hutch_unit *u, const struct exit_info *e);

/* The result of a run. `forced` is what the supervisor itself decided before the payload died
 * (EXIT_REASON_TIMEOUT when a start or stop timed out, EXIT_REASON_WATCHDOG), else
 * EXIT_REASON_SUCCESS; `oom_killed` when memory.events counted an OOM kill. ExecStart='-'
 * turns an exit-code, signal or core-dump failure into success, as systemd does. */
enum exit_reason exit_classify(const struct hutch_unit *u, const struct exit_info *e,
                               enum exit_reason forced, bool oom_killed);

/* The result of a control command (ExecStartPre= and the rest) that ended as `e`: success for
 * exit status 0 or with the '-' prefix, else exit-code, signal or core-dump. For ExecCondition=,
 * exit status 1-254 is exec-condition (and '-' changes nothing: the condition is the point). */
enum exit_reason control_exit_classify(enum exec_control which, const struct exec_command *c,
                                       const struct exit_info *e);

/* What the supervisor remembers between runs of one unit. */
struct restart_history {
        unsigned n_restarts; /* automatic restarts so far */
        bool window_started; /* StartLimitIntervalSec= window */
        usec_t window_begin;
        unsigned window_starts; /* starts counted in the window */
};

/* Counts a start at `now` against StartLimitIntervalSec=/StartLimitBurst= (systemd's fixed
 * window: it opens at the first start and a start after it ends opens a new one). Returns
 * true when the start may proceed. Updates *h. */
bool start_limit_test(const struct hutch_unit *u, struct restart_history *h, usec_t now);

/* RestartSec= for restart number `n` (1 = the first restart), with RestartSteps= and
 * RestartMaxDelaySec=: RestartSec * (RestartMaxDelaySec / RestartSec) ^ ((n - 1) / RestartSteps),
 * RestartMaxDelaySec from restart RestartSteps + 1 on (systemd's formula). */
usec_t restart_delay(const struct hutch_unit *u, unsigned n);

/* Restart= table of systemd.service(5), before RestartPreventExitStatus=. */
bool restart_policy_allows(enum restart_policy p, enum exit_reason reason);

enum restart_action {
        RESTART_ACTION_STOP,    /* the unit is done */
        RESTART_ACTION_RESTART, /* start again after `delay` */
        RESTART_ACTION_GIVE_UP, /* a restart was due after `delay`, but the start limit refuses the
                                   start it would make: start-limit-hit, once `delay` has passed */
};

struct restart_decision {
        enum restart_action action;
        usec_t delay;
        struct restart_history history; /* the history to keep after this decision */
};

/* The decision after a run ended at `now`: no restart after a requested stop; Restart= table;
 * RestartPreventExitStatus=; the start that the restart would make, at now + delay, is counted
 * against the start limit. Pure: no clock, no I/O. */
struct restart_decision restart_decide(const struct hutch_unit *u, enum exit_reason reason,
                                       const struct exit_info *e, bool stop_requested,
                                       const struct restart_history *h, usec_t now);

/* hutch run's exit status for a finished unit: the payload's own status (128+N for signal N);
 * 0 when the result is success and either ExecStart= had '-' or a stop was requested; never 0
 * for a failed result. */
int supervisor_exit_status_for(enum exit_reason reason, const struct exit_info *e, bool ignore_failure,
                               bool stop_requested);

/* --- The state machine ------------------------------------------------------------------- */

struct supervisor;

struct supervisor_options {
        char **extra_args;                  /* appended to ExecStart= (hutch run UNIT -- ARG...) */
        int stdin_fd, stdout_fd, stderr_fd; /* for the payload; -1: /dev/null */
        bool move_self;                     /* move this process into the unit's supervisor/ cgroup */
};

/* Called once when the unit is done for good (stopped, failed, gave up). */
typedef void (*supervisor_done_t)(struct supervisor *s, int exit_status, void *userdata);

/* Sets up the unit's cgroup tree (see cgroup.h) and, for Type=notify or WatchdogSec=, the
 * notify proxy; does not start. `u` and `e` must outlive the supervisor. Returns 0 or a negative
 * errno (logged; hutch run exits 125). */
int supervisor_new(const struct hutch_unit *u, struct event_loop *e, const struct supervisor_options *o,
                   supervisor_done_t done, void *userdata, struct supervisor **ret);
/* Starts the payload (counted against the start limit). A setup failure of the sandbox is
 * handled like a failed run (restart policy applies). Returns 0, or a negative errno when
 * the supervisor cannot go on at all. */
int supervisor_start(struct supervisor *s);
/* A requested stop: KillSignal= to the payload, cgroup.kill after TimeoutStopSec=; no restart.
 * A pending restart is cancelled. Idempotent. */
void supervisor_stop(struct supervisor *s);
/* A reload request (SIGHUP to hutch run): runs ExecReload= in the service's sandbox when the
 * service is running, and returns true; false without ExecReload= (the caller passes the signal
 * on instead). A request while the service is not running (starting, stopping, reloading) is
 * logged and dropped. */
bool supervisor_reload(struct supervisor *s);
/* `sig` to the running payload, as hutch's PID 1 passes signals on; no state change (the exit it
 * may cause is judged like any other). Nothing when no payload runs. */
void supervisor_kill(struct supervisor *s, int sig);
bool supervisor_is_done(const struct supervisor *s);
/* Valid once done: the exit status hutch run should return. */
int supervisor_exit_status(const struct supervisor *s);
/* Pid of the sandbox's PID 1 on the host, 0 when none runs. */
pid_t supervisor_payload_pid(const struct supervisor *s);
void supervisor_free(struct supervisor *s);

/* One unit in the foreground, as `hutch run` does: a loop, SIGTERM/SIGINT stop the unit,
 * SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2 are passed on to the payload, SIGPIPE is ignored, systemd's
 * watchdog for hutch pinged. Returns the exit status for hutch run. */
int supervisor_run_one(const struct hutch_unit *u, const struct supervisor_options *o);
