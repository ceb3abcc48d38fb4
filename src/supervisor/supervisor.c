/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One unit's lifecycle on an event loop (hutch/event.h): start, readiness, watchdog, exit, restart, stop,
 * and the control commands around them (ExecCondition= and the others), one at a time.
 *
 *   INACTIVE -> CONDITION -> START_PRE -> STARTING -(ready)-> START_POST -> RUNNING <-> RELOAD
 *                                            |                               |
 *                                            |             stop: STOP_EXEC (ExecStop=, in the sandbox)
 *                                            |                               v
 *                                            |            STOPPING (KillSignal=) -> KILLING (cgroup.kill)
 *                                            v                               v
 *            payload gone: [ExecStop= after a self-exit] -> STOP_POST -> decide: AUTO_RESTART or DONE
 *
 * A list that is empty is skipped; a failed control command goes where a failed payload would.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "hutch/cgroup.h"
#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/parse.h"
#include "hutch/sandbox.h"
#include "hutch/strv.h"
#include "hutch/supervisor.h"
#include "shared/syscall.h"

enum supervisor_state {
        STATE_INACTIVE,
        STATE_CONDITION,    /* ExecCondition= runs */
        STATE_START_PRE,    /* ExecStartPre= runs */
        STATE_STARTING,     /* payload runs, not ready yet (notify, oneshot) */
        STATE_START_POST,   /* payload ready, ExecStartPost= runs (in its sandbox, or after a oneshot) */
        STATE_RUNNING,      /* payload ready */
        STATE_RELOAD,       /* ExecReload= runs in the payload's sandbox */
        STATE_STOP_EXEC,    /* ExecStop= runs (TimeoutStopSec=); KillSignal= comes after it */
        STATE_STOPPING,     /* KillSignal= (or the watchdog's SIGABRT) sent, TimeoutStopSec= armed */
        STATE_KILLING,      /* cgroup.kill done, waiting for the exit */
        STATE_STOP_POST,    /* the payload is gone, ExecStopPost= runs */
        STATE_EXITED,       /* RemainAfterExit=yes: ended well, active until a stop */
        STATE_AUTO_RESTART, /* waiting RestartSec= */
        STATE_DONE,
};

/* The state in which each list of control commands runs. */
static const enum supervisor_state control_states[_EXEC_CONTROL_MAX] = {
        [EXEC_CONDITION] = STATE_CONDITION,   [EXEC_START_PRE] = STATE_START_PRE,
        [EXEC_START_POST] = STATE_START_POST, [EXEC_RELOAD] = STATE_RELOAD,
        [EXEC_STOP] = STATE_STOP_EXEC,        [EXEC_STOP_POST] = STATE_STOP_POST,
};

/* How long the supervisor waits for the payload cgroup to drain after the sandbox's PID 1 is
 * gone (the kernel kills the rest of the PID namespace; this only waits for them to exit). */
#define DRAIN_TIMEOUT (5 * USEC_PER_SEC)

struct supervisor {
        const struct hutch_unit *unit; /* not owned */
        struct hutch_unit spawn_unit;  /* shallow copy of *unit with our extra environment */
        char **spawn_environment;      /* owned: the copy's Environment= items */
        struct event_loop *event;      /* not owned */
        struct supervisor_options opts;
        supervisor_done_t done;
        void *userdata;

        struct cgroup_tree *cgroup;
        struct notify_proxy *notify;
        const char *notify_path;

        struct event_source *child_source, *timer_source, *watchdog_source, *notify_source, *oom_source;
        struct event_source *runtime_source;      /* RuntimeMaxSec= */
        struct event_source *notify_pause_source; /* re-enables notify_source after a flood */
        usec_t notify_window_start;               /* on_notify_io()'s rate limit */
        unsigned notify_window_read;
        bool notify_flood_logged;
        struct event_source *settle_source; /* sandbox_child_settle() once the payload ran a while */
        struct event_source *exit_source;   /* the run's exit pipe: PID 1 has reported */
        struct event_source *forked_source; /* Type=forking: PID 1 found the daemon */
        pid_t pid;
        int pidfd;                  /* owned by child_source */
        struct sandbox_child child; /* of the current run: for its exit report */
        int lock_fd;                /* /run/hutch/lock/NAME.lock, held while the unit is ours */

        enum supervisor_state state;
        enum exit_reason forced; /* what we decided before the payload died (timeout, watchdog) */
        enum exit_reason result; /* result of the last run */
        struct exit_info last_exit;
        struct restart_history history;
        usec_t watchdog_usec;
        bool stop_requested, ready_sent, have_exit;
        int shown_code;    /* how the status in events is to be read: CLD_EXITED, ... */
        bool pid1_exiting; /* the run ended on PID 1's report; PID 1 itself is still on its way out */
        bool final_sent;   /* FinalKillSignal= went out in this stop */
        bool abort_sent;   /* TimeoutStopFailureMode=abort's WatchdogSignal= went out in this stop */
        bool aborting;     /* this stop began with WatchdogSignal=: TimeoutAbortSec= applies */
        int exit_status;

        /* The control command that runs (ExecStartPre= and the others; one at a time): command
         * control_index of the list `control`, in a copy of spawn_unit with it as ExecStart=. */
        struct event_source *control_source; /* owns control_child.pidfd */
        struct event_source *control_timer;
        struct sandbox_child control_child; /* pid 0 when none runs */
        enum exec_control control;
        size_t control_index;
        bool control_timed_out;
        struct hutch_unit *control_unit; /* allocated at the first control command: most units have none */
        char **control_environment;
        /* The payload ended while a control command ran: its end is handled once that is over. */
        struct exit_info pending_exit;
        bool have_pending_exit, pending_setup_failed;
        /* This run: the service got to "running" (so ExecStop= runs at its end), and which of the
         * stop sequences have begun. */
        bool started, exec_stop_begun, stop_post_begun;
};

/* The payload's sandbox is there to run a command in. */
static bool main_alive(const struct supervisor *s) {
        return s->pid > 0 && !s->have_pending_exit;
}

static void emit(struct supervisor *s, enum host_event_kind kind, const char *reason, int status,
                 usec_t delay, const char *fmt, ...) _printf_(6, 7);
static void emit(struct supervisor *s, enum host_event_kind kind, const char *reason, int status,
                 usec_t delay, const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        host_event(&(struct host_event){
                .kind = kind,
                .unit = s->unit->name,
                .pid = s->pid,
                .reason = reason,
                .status = status,
                .exit_code = status >= 0 ? s->shown_code : 0,
                .restart_count = s->history.n_restarts,
                .delay = delay,
                .message = msg,
        });
}

/* WatchdogSec=, 0 when off. */
static usec_t unit_watchdog_usec(const struct hutch_unit *u) {
        return u->service.watchdog == USEC_INFINITY ? 0 : u->service.watchdog;
}

static void format_ms(char *buf, size_t l, usec_t t) {
        if (t == USEC_INFINITY)
                snprintf(buf, l, "infinity");
        else if (t % USEC_PER_SEC == 0)
                snprintf(buf, l, "%" PRIu64 "s", t / USEC_PER_SEC);
        else
                snprintf(buf, l, "%" PRIu64 "ms", (t + USEC_PER_MSEC / 2) / USEC_PER_MSEC);
}

static void timer_disarm(struct event_source **src) {
        *src = event_source_free(*src);
}

/* A timer source is non-NULL exactly while it is armed. */
static int timer_arm(struct supervisor *s, struct event_source **src, usec_t usec, event_time_handler_t cb) {
        timer_disarm(src);
        if (usec == USEC_INFINITY)
                return 0;
        int r = event_add_timer(s->event, src, usec, cb, s);
        if (r < 0)
                return log_error_errno(r, "arm timer: %m");
        return 0;
}

static void finish(struct supervisor *s, int exit_status) {
        timer_disarm(&s->control_timer);
        timer_disarm(&s->runtime_source);
        timer_disarm(&s->timer_source);
        timer_disarm(&s->watchdog_source);
        timer_disarm(&s->settle_source);
        s->state = STATE_DONE;
        s->exit_status = exit_status;
        if (s->done)
                s->done(s, exit_status, s->userdata);
}

static int start_run(struct supervisor *s);
static void spawn_payload(struct supervisor *s);
static void enter_stop(struct supervisor *s, int sig, enum exit_reason forced);
static void enter_running(struct supervisor *s);
static bool control_start(struct supervisor *s, enum exec_control which, size_t index);
static int signal_payload(struct supervisor *s, int sig);
static int signal_cgroup(struct supervisor *s, int sig);

/* --- exits and decisions ------------------------------------------------------------------ */

static void status_describe(const struct exit_info *e, char *buf, size_t l) {
        if (e->code == CLD_EXITED)
                snprintf(buf, l, "status %d", e->status);
        else {
                const char *n = signal_to_name(e->status);
                snprintf(buf, l, "signal %s%s", n ? n : "SIG?",
                         e->code == CLD_DUMPED ? " (core dumped)" : "");
        }
}

/* The start limit refused the restart: start-limit-hit, with the last run's status. */
static void give_up(struct supervisor *s) {
        const struct hutch_unit *u = s->unit;
        char interval[32];
        format_ms(interval, sizeof interval, u->unit.start_limit_interval);
        emit(s, HOST_EVENT_GAVE_UP, "start-limit-hit", s->last_exit.status, 0,
             "start request repeated too quickly (more than %u starts within %s), giving up",
             u->unit.start_limit_burst, interval);
        host_notify_status("failed: start-limit-hit");
        finish(s, supervisor_exit_status_for(EXIT_REASON_START_LIMIT_HIT, &s->last_exit, false, false));
}

static int on_give_up_timer(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->timer_source);
        give_up(s);
        return 0;
}

static int on_restart_timer(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->timer_source);
        (void) start_run(s);
        return 0;
}

static void decide(struct supervisor *s);

/* RemainAfterExit=yes and a run that ended well, not by a stop: the unit stays active. */
static bool remains_after_exit(const struct supervisor *s) {
        return s->unit->service.remain_after_exit && s->result == EXIT_REASON_SUCCESS && !s->stop_requested;
}

/* The payload is gone and the run's result known: ExecStartPost= of a oneshot that succeeded,
 * ExecStop= after a run that got to "running", ExecStopPost= after any, then the decision.
 * Each begins once a run; control_done() comes back here. */
static void after_main(struct supervisor *s) {
        const struct hutch_unit *u = s->unit;
        if (u->service.type == SERVICE_ONESHOT && s->result == EXIT_REASON_SUCCESS && !s->started &&
            !s->stop_requested) {
                if (s->state != STATE_START_POST && control_start(s, EXEC_START_POST, 0))
                        return;
                /* A oneshot is "started" once it (and its ExecStartPost=) succeeded. */
                s->started = true;
                if (!s->ready_sent) {
                        s->ready_sent = true;
                        host_notify_ready();
                }
        }
        /* RemainAfterExit=yes: ExecStop= and ExecStopPost= wait for the stop (decide()). */
        if (remains_after_exit(s)) {
                decide(s);
                return;
        }
        if (s->started && !s->exec_stop_begun) {
                s->exec_stop_begun = true;
                if (control_start(s, EXEC_STOP, 0))
                        return;
        }
        if (!s->stop_post_begun) {
                s->stop_post_begun = true;
                if (control_start(s, EXEC_STOP_POST, 0))
                        return;
        }
        decide(s);
}

/* The payload is gone (or never started): classify, decide, act. */
static void handle_exit(struct supervisor *s, const struct exit_info *e, bool setup_failed) {
        const struct hutch_unit *u = s->unit;

        timer_disarm(&s->timer_source);
        timer_disarm(&s->watchdog_source);
        timer_disarm(&s->settle_source);
        timer_disarm(&s->runtime_source);

        if (s->control_child.pid > 0) {
                /* A control command runs. ExecStop= is let finish (the payload's end is often what
                 * it waited for); ExecStartPost= and ExecReload= have nothing left to act on. The
                 * payload's end is taken up once the command is over (control_done()). */
                s->pending_exit = *e;
                s->pending_setup_failed = setup_failed;
                s->have_pending_exit = true;
                if (s->control != EXEC_STOP)
                        (void) pidfd_send_signal(s->control_child.pidfd, SIGKILL, NULL, 0);
                return;
        }

        bool oom = false;
        if (s->cgroup) {
                /* The PID namespace died with its PID 1; wait until its last members are gone so
                 * a restart starts in an empty cgroup and nothing outlives a stop. */
                if (cgroup_payload_populated(s->cgroup) > 0) {
                        /* PID 1 reported and is exiting (on_exit_report): its exit kills what
                         * the payload left in the PID namespace, so only a cgroup that does not
                         * empty by itself is killed. (Not cgroup.kill first: after one, this
                         * kernel kills every process later started into the same cgroup with
                         * CLONE_INTO_CGROUP, the next run's too.) */
                        int r = s->pid1_exiting ? cgroup_payload_wait_empty(s->cgroup, DRAIN_TIMEOUT)
                                                : -ETIME;
                        if (r < 0) {
                                (void) cgroup_payload_kill(s->cgroup);
                                r = cgroup_payload_wait_empty(s->cgroup, DRAIN_TIMEOUT);
                        }
                        if (r < 0)
                                log_warning_errno(r, "payload cgroup %s did not empty: %m",
                                                  s->cgroup->payload_path);
                }
                s->pid1_exiting = false;
                oom = cgroup_oom_kills_changed(s->cgroup) > 0;
        }

        s->last_exit = *e;
        s->have_exit = true;
        s->result = exit_classify(u, e, s->forced, oom);
        /* A notify service that ends well before it said READY=1 has never been and will never
         * be ready: systemd's result "protocol", a failure. */
        bool protocol = s->result == EXIT_REASON_SUCCESS &&
                        (u->service.type == SERVICE_NOTIFY || u->service.type == SERVICE_FORKING) &&
                        s->state == STATE_STARTING;
        if (protocol)
                s->result = EXIT_REASON_PROTOCOL;
        const char *reason = exit_reason_to_string(s->result);
        char what[96];
        status_describe(e, what, sizeof what);
        int shown = e->status;
        s->shown_code = e->code;
        if (!setup_failed)
                emit(s, HOST_EVENT_EXITED, reason, shown, 0, "exited with %s%s (%s)", what,
                     !protocol                            ? ""
                     : u->service.type == SERVICE_FORKING ? " before its daemon was found"
                                                          : " before it sent READY=1",
                     reason);
        s->pid = 0;
        after_main(s);
}

/* The run is over, control commands and all: restart, give up or finish. */
static void decide(struct supervisor *s) {
        const struct hutch_unit *u = s->unit;
        const struct exit_info *e = &s->last_exit;
        const char *reason = exit_reason_to_string(s->result);
        char what[96];
        status_describe(e, what, sizeof what);
        int shown = e->status;
        s->shown_code = e->code;
        if (s->result == EXIT_REASON_EXEC_CONDITION) {
                /* Not a failure, and nothing to restart: systemd's service ends inactive. Under
                 * systemd, hutch run's own service counts as started and then exited cleanly. */
                log_info("ExecCondition= was not met (%s): the start is skipped", what);
                host_notify_status("skipped: ExecCondition= not met (%s)", what);
                if (!s->ready_sent) {
                        s->ready_sent = true;
                        host_notify_ready();
                }
                if (u->sandbox.runtime_directory_preserve != RUNTIME_PRESERVE_YES)
                        sandbox_remove_runtime_directories(u);
                finish(s, 0);
                return;
        }

        if (remains_after_exit(s)) {
                /* systemd's "active (exited)": no restart; a stop runs ExecStop= and ExecStopPost=
                 * (supervisor_stop()), and then the unit is done. */
                s->state = STATE_EXITED;
                log_info("exited with %s; the unit remains active (RemainAfterExit=yes) until it is stopped",
                         what);
                host_notify_status("exited with %s, active until stopped (RemainAfterExit=yes)", what);
                if (!s->ready_sent) {
                        s->ready_sent = true;
                        host_notify_ready();
                }
                return;
        }

        struct restart_decision d =
                restart_decide(u, s->result, e, s->stop_requested, &s->history, now_monotonic());
        /* The run is over and its cgroup empty: RuntimeDirectory= goes, unless it is to be kept
         * (for good, or across this restart). */
        enum runtime_preserve keep = u->sandbox.runtime_directory_preserve;
        if (keep == RUNTIME_PRESERVE_NO ||
            (keep == RUNTIME_PRESERVE_RESTART && d.action != RESTART_ACTION_RESTART))
                sandbox_remove_runtime_directories(u);
        switch (d.action) {
        case RESTART_ACTION_RESTART: {
                s->history = d.history;
                char delay[32];
                format_ms(delay, sizeof delay, d.delay);
                emit(s, HOST_EVENT_RESTARTING, reason, shown, d.delay, "restarting in %s (restart %u)",
                     delay, s->history.n_restarts);
                if (u->unit.start_limit_burst > 0 && u->unit.start_limit_interval > 0)
                        host_notify_status("restarting %u/%u", s->history.window_starts,
                                           u->unit.start_limit_burst);
                else
                        host_notify_status("restarting (%u)", s->history.n_restarts);
                s->state = STATE_AUTO_RESTART;
                s->forced = EXIT_REASON_SUCCESS;
                /* Not ready yet, so systemd still runs its start job, whose TimeoutStartSec= is
                 * the unit's plus a margin: each restart gets that much again from systemd, as
                 * each start of a native service gets its own timeout. */
                if (!s->ready_sent && u->service.timeout_start != USEC_INFINITY &&
                    u->service.timeout_start != 0 && d.delay != USEC_INFINITY)
                        host_notify_extend_timeout(usec_add(usec_add(d.delay, u->service.timeout_start),
                                                            HOST_TIMEOUT_MARGIN_USEC));
                if (timer_arm(s, &s->timer_source, d.delay, on_restart_timer) < 0)
                        finish(s, 125);
                return;
        }
        case RESTART_ACTION_GIVE_UP:
                s->history = d.history;
                s->result = EXIT_REASON_START_LIMIT_HIT;
                /* As in systemd, the restart is scheduled and its start is what the limit refuses,
                 * RestartSec= later; a stop in between ends the unit inactive. */
                if (d.delay > 0 && d.delay != USEC_INFINITY) {
                        s->state = STATE_AUTO_RESTART;
                        s->forced = EXIT_REASON_SUCCESS;
                        host_notify_status("restarting");
                        if (!s->ready_sent)
                                host_notify_extend_timeout(usec_add(d.delay, HOST_TIMEOUT_MARGIN_USEC));
                        if (timer_arm(s, &s->timer_source, d.delay, on_give_up_timer) >= 0)
                                return;
                }
                give_up(s);
                return;
        case RESTART_ACTION_STOP:
        default:
                if (s->result != EXIT_REASON_SUCCESS)
                        emit(s, HOST_EVENT_GAVE_UP, reason, shown, 0, "failed with result '%s'", reason);
                /* systemd shows the last STATUS= until the next start: not "running" beside a
                 * failed or stopped unit. */
                if (s->result != EXIT_REASON_SUCCESS)
                        host_notify_status("failed: %s (%s)", reason, what);
                else
                        host_notify_status("exited with %s", what);
                finish(s, supervisor_exit_status_for(s->result, e, u->service.exec_start.ignore_failure,
                                                     s->stop_requested));
                return;
        }
}

static int on_child(struct event_source *src, const siginfo_t *si, void *userdata) {
        struct supervisor *s = userdata;
        struct exit_info e;
        s->exit_source = event_source_free(s->exit_source);
        s->forked_source = event_source_free(s->forked_source);
        sandbox_child_exit_status(&s->child, si, &e.code, &e.status);
        sandbox_child_release(&s->child);
        /* The source owns the pidfd: dropping it closes the fd, one per run, so restarts do not
         * accumulate descriptors. */
        s->child_source = event_source_free(s->child_source);
        s->pidfd = -EBADF;
        handle_exit(s, &e, false);
        return 0;
}

/* A PID 1 whose run is over already (on_exit_report): reaped when it is gone, nothing more. */
static int on_reaped(struct event_source *src, const siginfo_t *si, void *userdata) {
        event_source_free(src);
        return 0;
}

/* hutch's PID 1 reported the payload's end and exits, outside the payload cgroup: the run is over
 * now, not once the kernel has taken the sandbox's namespaces apart in PID 1's exit (most of
 * that exit's cost). PID 1 is only reaped later, by a source of the loop's own. Without a report
 * (PID 1 was killed), its exit status tells: on_child. */
static int on_exit_report(struct event_source *src, int fd, uint32_t revents, void *userdata) {
        struct supervisor *s = userdata;
        s->exit_source = event_source_free(s->exit_source);
        s->forked_source = event_source_free(s->forked_source);
        struct exit_info e;
        if (!sandbox_child_reported(&s->child, &e.code, &e.status))
                return 0;
        /* The run's own child source becomes that reaper, pidfd and all: it is the loop's from
         * here on (freed in on_reaped or with the loop), and no longer this run's. */
        if (event_source_set_child_handler(s->child_source, on_reaped, NULL) < 0)
                return 0; /* on_child then */
        s->child_source = NULL;
        s->pidfd = -EBADF;
        sandbox_child_release(&s->child);
        s->pid1_exiting = true;
        handle_exit(s, &e, false);
        return 0;
}

/* --- timeouts, readiness, watchdog --------------------------------------------------------- */

/* The payload has run SANDBOX_SETTLE_USEC: the sandbox's PID 1 may now swap itself for the small
 * hutch-init (sandbox.h). */
static int on_settle_timer(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->settle_source);
        if (s->pid > 0) {
                int r = sandbox_child_settle(&s->child);
                if (r < 0 && r != -ESRCH)
                        log_debug_errno(r, "settle the sandbox's PID 1: %m");
        }
        /* The start's burst of work is over here too: the heap pages it freed go back to the
         * kernel (~8 kB less for the service's life). */
        heap_trim();
        return 0;
}

static void become_ready(struct supervisor *s);

/* Type=forking: the first process exited 0 and hutch's PID 1 took its daemon for the main
 * process. */
static int on_forked(struct event_source *src, int fd, uint32_t revents, void *userdata) {
        struct supervisor *s = userdata;
        s->forked_source = event_source_free(s->forked_source);
        pid_t main = sandbox_child_forked(&s->child);
        if (main < 0 || s->state != STATE_STARTING)
                return 0; /* PID 1 is gone: its exit tells */
        if (main == 0)
                log_info("no main process found after the start (%s): the service runs until its last "
                         "process exits",
                         s->unit->service.pid_file ? "PIDFile="
                                                   : "more than one process, or GuessMainPID=no");
        else
                log_debug("the daemon is pid %d in the sandbox", (int) main);
        if (s->notify)
                notify_proxy_set_access(s->notify, model_notify_access(s->unit), main > 0 ? main : 0);
        if (s->child.init_exec && main > 0)
                (void) timer_arm(s, &s->settle_source, SANDBOX_SETTLE_USEC, on_settle_timer);
        become_ready(s);
        return 0;
}

/* How long a stop waits before its next step: TimeoutAbortSec= (where set) after WatchdogSignal=,
 * else TimeoutStopSec=. */
static usec_t stop_wait(const struct supervisor *s) {
        const struct unit_section_service *svc = &s->unit->service;
        return s->aborting && svc->timeout_abort_set ? svc->timeout_abort : svc->timeout_stop;
}

/* The end of a stop: everything in payload/ is killed (cgroup.kill). */
static void kill_payload_cgroup(struct supervisor *s) {
        timer_disarm(&s->timer_source);
        s->state = STATE_KILLING;
        int r = s->cgroup ? cgroup_payload_kill(s->cgroup) : -ENOMEDIUM;
        if (r < 0 && s->pidfd >= 0)
                (void) pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
}

static int on_stop_timeout(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->timer_source);
        char t[32];
        format_ms(t, sizeof t, s->unit->service.timeout_stop);
        if (s->forced == EXIT_REASON_SUCCESS)
                s->forced = EXIT_REASON_TIMEOUT;
        /* FinalKillSignal= other than SIGKILL (SIGQUIT for a core dump of what hangs): to every
         * process of payload/, and TimeoutStopSec= once more before the cgroup is killed, which
         * hutch always does in the end (nothing may outlive the sandbox). */
        const struct unit_section_service *svc = &s->unit->service;
        int final = svc->final_kill_signal;
        /* TimeoutStopFailureMode=abort: WatchdogSignal= first (a core dump of what hangs), and
         * TimeoutStopSec= once more. */
        if (svc->timeout_stop_mode == TIMEOUT_MODE_ABORT && !s->abort_sent && !s->final_sent && src) {
                s->abort_sent = true;
                log_warning(
                        "still running %s after the stop signal, sending %s (TimeoutStopFailureMode=abort)",
                        t, signal_to_name(svc->watchdog_signal) ?: "SIG?");
                if (signal_cgroup(s, svc->watchdog_signal) < 0)
                        (void) signal_payload(s, svc->watchdog_signal);
                s->aborting = true;
                if (timer_arm(s, &s->timer_source, stop_wait(s), on_stop_timeout) >= 0)
                        return 0;
        }
        /* TimeoutStopFailureMode=kill: FinalKillSignal= and the cgroup's end without a grace. */
        bool grace = svc->timeout_stop_mode != TIMEOUT_MODE_KILL;
        if (final != SIGKILL && !s->final_sent && src) {
                s->final_sent = true;
                log_warning("still running %s after the stop signal, sending %s (FinalKillSignal=)", t,
                            signal_to_name(final) ?: "SIG?");
                if (signal_cgroup(s, final) < 0)
                        (void) signal_payload(s, final);
                if (grace && timer_arm(s, &s->timer_source, svc->timeout_stop, on_stop_timeout) >= 0)
                        return 0;
        }
        log_warning("still running %s after the %s, killing the payload cgroup", t,
                    s->final_sent ? "final signal" : "stop signal");
        kill_payload_cgroup(s);
        return 0;
}

static int on_start_timeout(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->timer_source);
        char t[32];
        format_ms(t, sizeof t, s->unit->service.timeout_start);
        /* TimeoutStartFailureMode=: KillSignal= (terminate), WatchdogSignal= (abort), or
         * FinalKillSignal= and no grace (kill). */
        const struct unit_section_service *svc = &s->unit->service;
        enum timeout_mode mode = svc->timeout_start_mode;
        int sig = mode == TIMEOUT_MODE_ABORT  ? svc->watchdog_signal
                  : mode == TIMEOUT_MODE_KILL ? svc->final_kill_signal
                                              : svc->kill_signal;
        log_error("start operation timed out after %s, stopping the payload (%s)", t,
                  signal_to_name(sig) ?: "SIG?");
        s->aborting = mode == TIMEOUT_MODE_ABORT;
        enter_stop(s, sig, EXIT_REASON_TIMEOUT);
        if (mode == TIMEOUT_MODE_KILL && s->state == STATE_STOPPING)
                kill_payload_cgroup(s);
        return 0;
}

static int on_watchdog_timeout(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->watchdog_source);
        char t[32];
        format_ms(t, sizeof t, s->watchdog_usec);
        int sig = s->unit->service.watchdog_signal;
        emit(s, HOST_EVENT_WATCHDOG, "watchdog", -1, 0, "watchdog timeout (limit %s), sending %s", t,
             signal_to_name(sig) ?: "SIG?");
        s->aborting = true;
        enter_stop(s, sig, EXIT_REASON_WATCHDOG);
        return 0;
}

/* WATCHDOG=trigger: the payload asks to be handled as if its watchdog ran out. */
static void watchdog_trigger(struct supervisor *s) {
        timer_disarm(&s->watchdog_source);
        int sig = s->unit->service.watchdog_signal;
        emit(s, HOST_EVENT_WATCHDOG, "watchdog", -1, 0,
             "watchdog requested by the payload (WATCHDOG=trigger), sending %s",
             signal_to_name(sig) ?: "SIG?");
        s->aborting = true;
        enter_stop(s, sig, EXIT_REASON_WATCHDOG);
}

/* EXTEND_TIMEOUT_USEC=: the running start or stop timeout, and the watchdog, each last at least
 * until now + `usec` (systemd's service_extend_timeout(); nothing is shortened). */
static void extend_timeouts(struct supervisor *s, usec_t usec) {
        usec_t now = now_monotonic();
        usec_t want = usec >= USEC_INFINITY - now ? USEC_INFINITY - 1 : now + usec;
        struct event_source *srcs[] = {
                /* In AUTO_RESTART the timer is RestartSec=, which only hutch sets. */
                s->state == STATE_AUTO_RESTART ? NULL : s->timer_source,
                s->watchdog_source,
        };
        for (size_t i = 0; i < ELEMENTSOF(srcs); i++) {
                usec_t cur = 0;
                if (srcs[i] && event_source_get_time(srcs[i], &cur) >= 0 && cur < want)
                        (void) event_source_set_time(srcs[i], want);
        }
}

static void watchdog_rearm(struct supervisor *s) {
        if (s->watchdog_usec == 0 || s->watchdog_usec == USEC_INFINITY || s->pid <= 0)
                return;
        if (s->state != STATE_STARTING && s->state != STATE_RUNNING)
                return;
        /* Every WATCHDOG=1 moves the deadline: the armed source is reused, not made anew. */
        if (s->watchdog_source)
                (void) event_source_set_time_relative(s->watchdog_source, s->watchdog_usec);
        else
                (void) timer_arm(s, &s->watchdog_source, s->watchdog_usec, on_watchdog_timeout);
}

/* The payload is ready: ExecStartPost= runs, and then the service is. */
static void become_ready(struct supervisor *s) {
        if (s->state != STATE_STARTING)
                return;
        timer_disarm(&s->timer_source);
        /* For exec/simple, ready is the start itself: one line is enough. */
        if (s->unit->service.type == SERVICE_NOTIFY)
                emit(s, HOST_EVENT_READY, NULL, -1, 0, "ready");
        if (!control_start(s, EXEC_START_POST, 0))
                enter_running(s);
}

static void begin_stop(struct supervisor *s, enum exit_reason forced);

/* RuntimeMaxSec= has passed since the service started: it is stopped, ExecStop= and all, and the
 * run's result is timeout (Restart= applies), as in systemd. */
static int on_runtime_timeout(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->runtime_source);
        char t[32];
        format_ms(t, sizeof t, s->unit->service.runtime_max);
        log_warning("running for longer than RuntimeMaxSec=%s, stopping", t);
        if (s->state == STATE_RUNNING)
                begin_stop(s, EXIT_REASON_TIMEOUT);
        else
                enter_stop(s, s->unit->service.kill_signal, EXIT_REASON_TIMEOUT);
        return 0;
}

/* RuntimeMaxSec= plus a random part of RuntimeRandomizedExtraSec=, infinity when unset. */
static usec_t runtime_limit(const struct hutch_unit *u) {
        usec_t max = u->service.runtime_max, extra = u->service.runtime_randomized_extra;
        if (max == USEC_INFINITY || extra == 0 || extra == USEC_INFINITY)
                return max;
        uint64_t r = 0;
        if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
                r = (uint64_t) now_monotonic();
        return usec_add(max, r % (extra + 1));
}

static void enter_running(struct supervisor *s) {
        s->state = STATE_RUNNING;
        s->started = true;
        /* Not for a oneshot, which is done once it started (systemd: TimeoutStartSec= limits it). */
        if (s->unit->service.type != SERVICE_ONESHOT && !s->runtime_source &&
            timer_arm(s, &s->runtime_source, runtime_limit(s->unit), on_runtime_timeout) < 0)
                log_warning("arm RuntimeMaxSec=: the service runs without its limit");
        /* The watchdog runs from readiness on (or from a WATCHDOG=1 sent while starting), as in
         * systemd: a slow start is TimeoutStartSec='s to judge. */
        watchdog_rearm(s);
        if (!s->ready_sent) {
                s->ready_sent = true;
                host_notify_ready();
        }
        host_notify_status("running");
}

static void on_notify_message(const struct notify_message *m, void *userdata) {
        struct supervisor *s = userdata;

        if (m->watchdog_usec_set && (s->state == STATE_STARTING || s->state == STATE_RUNNING)) {
                /* WATCHDOG_USEC= from the payload overrides WatchdogSec= for this run (each start
                 * begins with the unit's again); 0 turns the watchdog off, as in systemd. */
                s->watchdog_usec = m->watchdog_usec;
                if (s->watchdog_usec == 0)
                        timer_disarm(&s->watchdog_source);
                else
                        watchdog_rearm(s);
        }
        if (m->watchdog)
                watchdog_rearm(s);
        if (m->watchdog_trigger && (s->state == STATE_STARTING || s->state == STATE_RUNNING)) {
                watchdog_trigger(s);
                return;
        }
        if (m->extend_timeout_usec > 0)
                extend_timeouts(s, m->extend_timeout_usec);
        if (m->ready && s->unit->service.type == SERVICE_NOTIFY)
                become_ready(s);
        if (m->stopping && s->state == STATE_RUNNING)
                /* The service says it is on its way out: TimeoutStopSec= runs from here, as if hutch
                 * had sent KillSignal= (systemd's stop by notification). A later READY=1 is too
                 * late; the exit is judged as any other, Restart= included. */
                enter_stop(s, 0, EXIT_REASON_SUCCESS);
}

/* memory.events changed: when the OOM killer took any process of the payload, the unit stops
 * with the result oom-kill, as systemd's default OOMPolicy=stop does (a service that lost a
 * worker to the OOM killer is not trusted to go on). */
static int on_memory_events(struct event_source *src, const struct inotify_event *ev, void *userdata) {
        struct supervisor *s = userdata;
        if (s->state != STATE_STARTING && s->state != STATE_RUNNING)
                return 0;
        if (cgroup_oom_kills_changed(s->cgroup) <= 0)
                return 0;
        switch (s->unit->service.oom_policy) {
        case OOM_POLICY_CONTINUE:
                /* The kill is taken as seen: only a later one (of the main process, say) makes the
                 * run's result oom-kill. */
                log_warning("the OOM killer killed a process of the payload (memory.events oom_kill); "
                            "OOMPolicy=continue: the service goes on");
                return 0;
        case OOM_POLICY_KILL:
                log_warning("the OOM killer killed a process of the payload (memory.events oom_kill); "
                            "OOMPolicy=kill: killing the rest of it");
                enter_stop(s, SIGKILL, EXIT_REASON_OOM_KILL);
                if (s->state == STATE_STOPPING)
                        kill_payload_cgroup(s);
                return 0;
        default:
                log_warning(
                        "the OOM killer killed a process of the payload (memory.events oom_kill), stopping");
                enter_stop(s, s->unit->service.kill_signal, EXIT_REASON_OOM_KILL);
                return 0;
        }
}

/* The notify socket is read at most NOTIFY_RATE_MAX datagrams per NOTIFY_RATE_WINDOW_USEC
 * (3200 a second); past that it rests until the window ends. A payload that sends in a loop
 * (sd_notify(), or junk) would otherwise keep the supervisor, which runs outside the payload's
 * cgroup and its CPUQuota=, busy reading: it measured ~90% of a CPU. Meanwhile the senders wait,
 * since a full datagram queue blocks sendmsg(); READY=1, WATCHDOG=1 and the rest are late by at
 * most one window, and only behind such a flood. */
#define NOTIFY_RATE_WINDOW_USEC (100 * USEC_PER_MSEC)
#define NOTIFY_RATE_MAX 320

static int on_notify_resume(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        return event_source_set_enabled(s->notify_source, true);
}

static int on_notify_io(struct event_source *src, int fd, uint32_t revents, void *userdata) {
        struct supervisor *s = userdata;
        int r = notify_proxy_process(s->notify, on_notify_message, s);
        if (r < 0)
                log_warning_errno(r, "notify socket %s: %m", s->notify_path ? s->notify_path : "");
        usec_t now = now_monotonic();
        if (now - s->notify_window_start >= NOTIFY_RATE_WINDOW_USEC) {
                s->notify_window_start = now;
                s->notify_window_read = 0;
        }
        s->notify_window_read += notify_proxy_last_read(s->notify);
        if (s->notify_window_read < NOTIFY_RATE_MAX || !s->notify_source)
                return 0;
        usec_t rest = s->notify_window_start + NOTIFY_RATE_WINDOW_USEC - now;
        r = s->notify_pause_source
                    ? event_source_set_time_relative(s->notify_pause_source, rest)
                    : event_add_timer(s->event, &s->notify_pause_source, rest, on_notify_resume, s);
        if (r >= 0)
                r = event_source_set_enabled(s->notify_source, false);
        if (r < 0)
                log_debug_errno(r, "notify socket: pause after %u datagrams: %m", s->notify_window_read);
        else if (!s->notify_flood_logged) {
                s->notify_flood_logged = true;
                log_warning("more than %u notify messages in %llu ms: reading them more slowly",
                            NOTIFY_RATE_MAX, (unsigned long long) (NOTIFY_RATE_WINDOW_USEC / USEC_PER_MSEC));
        }
        return 0;
}

/* --- start and stop ----------------------------------------------------------------------- */

/* TimeoutStartSec= runs from clone3 on, but sandbox_spawn() blocks until the payload's execve()
 * (or a setup failure): a setup step that hangs (a FIFO planted where a file is read, a stuck
 * mount) would hang the loop with it. A one-shot POSIX timer interrupts the wait: its handler
 * kills the sandbox's PID 1, where the setup runs (with it the whole PID namespace), and the
 * payload cgroup (where PID 1 itself runs from its first instruction when it is the service),
 * and the spawner then sees its child die. A timer and a signal, not a helper thread: the
 * spawner's child comes from a raw clone3(), and glibc's set*id() in such a child of a
 * multithreaded process waits for threads that exist only in the parent. The guard reaches the
 * handler through the timer's sigev_value, so there is no global. */
struct setup_guard {
        timer_t timer;
        int payload_fd;
        volatile sig_atomic_t fired;
        struct sigaction saved_action;
        sigset_t saved_mask;
        volatile pid_t pid1; /* the sandbox's PID 1 once it exists (sandbox_params.setup_pid) */
};

static void setup_guard_handler(int sig, siginfo_t *si, void *ucontext) {
        struct setup_guard *g = si->si_code == SI_TIMER ? si->si_value.sival_ptr : NULL;
        if (!g)
                return;
        int saved = errno;
        g->fired = 1;
        /* Async-signal-safe: kill, openat, write, close. (Kernels without cgroup.kill, < 5.14,
         * have PID 1 killed alone.) */
        if (g->pid1 > 0)
                (void) kill(g->pid1, SIGKILL);
        int fd = openat(g->payload_fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                (void) !write(fd, "1", 1);
                close(fd);
        }
        errno = saved;
}

static int setup_guard_start(struct setup_guard *g, int payload_fd, usec_t timeout) {
        if (timeout == USEC_INFINITY || timeout == 0)
                return -EINVAL;
        g->payload_fd = payload_fd;
        g->fired = 0;
        g->pid1 = 0;
        struct sigaction sa = {.sa_sigaction = setup_guard_handler, .sa_flags = SA_SIGINFO | SA_RESTART};
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGALRM, &sa, &g->saved_action) < 0)
                return log_debug_errno(-errno, "setup guard: sigaction: %m");
        struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM};
        sev.sigev_value.sival_ptr = g;
        if (timer_create(CLOCK_MONOTONIC, &sev, &g->timer) < 0) {
                int r = -errno;
                (void) sigaction(SIGALRM, &g->saved_action, NULL);
                return log_debug_errno(r, "setup guard: timer_create: %m");
        }
        struct itimerspec its = {.it_value = {.tv_sec = (time_t) (timeout / USEC_PER_SEC),
                                              .tv_nsec = (long) (timeout % USEC_PER_SEC * NSEC_PER_USEC)}};
        if (timer_settime(g->timer, 0, &its, NULL) < 0) {
                int r = -errno;
                (void) timer_delete(g->timer);
                (void) sigaction(SIGALRM, &g->saved_action, NULL);
                return log_debug_errno(r, "setup guard: timer_settime: %m");
        }
        return 0;
}

/* Disarms the guard; true when it fired. */
static bool setup_guard_stop(struct setup_guard *g) {
        sigset_t alrm;
        sigemptyset(&alrm);
        sigaddset(&alrm, SIGALRM);
        (void) sigprocmask(SIG_BLOCK, &alrm, &g->saved_mask);
        (void) timer_delete(g->timer);
        /* A late expiry may be pending: take it before the old disposition is back. */
        struct timespec zero = {0, 0};
        while (sigtimedwait(&alrm, NULL, &zero) == SIGALRM)
                ;
        (void) sigaction(SIGALRM, &g->saved_action, NULL);
        (void) sigprocmask(SIG_SETMASK, &g->saved_mask, NULL);
        return g->fired;
}

/* OOM kills in payload/, seen as memory.events changes (where the memory controller is). */
static int watch_memory_events(struct supervisor *s) {
        s->oom_source = event_source_free(s->oom_source);
        if (s->cgroup->no_memory_events)
                return 0;
        char *path = NULL;
        if (asprintf(&path, "%s%s/memory.events", s->cgroup->mount_path, s->cgroup->payload_path) < 0)
                return log_oom();
        int r = event_add_inotify(s->event, &s->oom_source, path, IN_MODIFY, on_memory_events, s);
        free(path);
        if (r < 0)
                return log_error_errno(r, "watch memory.events of %s: %m", s->cgroup->payload_path);
        return 0;
}

/* A run that ended in cgroup.kill leaves a payload/ the kernel would kill the next process in. */
static int renew_payload_cgroup(struct supervisor *s) {
        if (!s->cgroup)
                return 0;
        int r = cgroup_payload_renew(s->cgroup, s->unit);
        if (r > 0)
                r = watch_memory_events(s);
        return r;
}

static void spawn_params(const struct supervisor *s, struct sandbox_params *p) {
        sandbox_params_init(p);
        p->cgroup_fd = s->cgroup ? s->cgroup->payload_fd : -1;
        p->notify_socket = s->notify_path;
        p->stdin_fd = s->opts.stdin_fd;
        p->stdout_fd = s->opts.stdout_fd;
        p->stderr_fd = s->opts.stderr_fd;
        p->kill_on_parent_death = true;
}

/* sandbox_spawn() of `u`, or sandbox_enter() of the running sandbox `inside`, under a setup guard
 * of `timeout`: a setup that takes longer is killed (for a new sandbox, with the payload cgroup)
 * and fails with -ETIMEDOUT, *ret_timed_out set. */
static int spawn_guarded(struct supervisor *s, const struct hutch_unit *u, struct sandbox_params *p,
                         const struct sandbox_child *inside, usec_t timeout, struct sandbox_child *child,
                         struct sandbox_error *err, bool *ret_timed_out) {
        struct setup_guard guard;
        /* An entered sandbox's cgroup holds the service: only the command's process is killed. */
        bool guarded = s->cgroup &&
                       setup_guard_start(&guard, inside ? -EBADF : s->cgroup->payload_fd, timeout) >= 0;
        if (guarded)
                p->setup_pid = &guard.pid1;
        int r = inside ? sandbox_enter(u, inside, p, child, err) : sandbox_spawn(u, p, child, err);
        bool timed_out = guarded && setup_guard_stop(&guard);
        *ret_timed_out = timed_out;
        if (!timed_out)
                return r;
        if (!inside)
                s->cgroup->payload_killed = true; /* the guard wrote cgroup.kill */
        char t[32];
        format_ms(t, sizeof t, timeout);
        log_error("start operation timed out after %s in the sandbox setup, killed it", t);
        if (r >= 0) {
                /* The spawner saw its child go away as if the execve() had closed the setup pipe;
                 * the command never ran: reap what was killed and count it as a setup failure. */
                (void) waitid(P_PIDFD, (id_t) child->pidfd, &(siginfo_t){}, WEXITED);
                close(child->pidfd);
                sandbox_child_release(child);
                *err = (struct sandbox_error){.error = ETIMEDOUT};
        }
        return -ETIMEDOUT;
}

/* A start, the first or a restart: ExecCondition=, ExecStartPre=, then the payload. */
static int start_run(struct supervisor *s) {
        const struct hutch_unit *u = s->unit;
        if (s->stop_requested)
                return 0;
        s->forced = EXIT_REASON_SUCCESS;
        s->aborting = false;
        s->started = s->exec_stop_begun = s->stop_post_begun = false;
        s->have_exit = false;
        /* Every start counts, the first one too (systemd's start rate limit). The restart
         * decision already counted the start it scheduled. */
        if (s->history.n_restarts == 0 && !s->history.window_started)
                (void) start_limit_test(u, &s->history, now_monotonic());
        if (renew_payload_cgroup(s) < 0) {
                s->state = STATE_STARTING;
                handle_exit(s, &(struct exit_info){.code = CLD_EXITED, .status = 125}, true);
                return 0;
        }
        if (control_start(s, EXEC_CONDITION, 0) || control_start(s, EXEC_START_PRE, 0))
                return 0;
        spawn_payload(s);
        return 0;
}

static void spawn_payload(struct supervisor *s) {
        const struct hutch_unit *u = s->unit;
        int r;

        if (s->stop_requested)
                return;
        /* After ExecStartPre=: what it left in payload/ went with its sandbox. */
        if (renew_payload_cgroup(s) < 0) {
                s->state = STATE_STARTING;
                handle_exit(s, &(struct exit_info){.code = CLD_EXITED, .status = 125}, true);
                return;
        }

        struct sandbox_params p;
        spawn_params(s, &p);
        p.extra_args = s->opts.extra_args;

        s->state = STATE_STARTING;
        s->watchdog_usec = unit_watchdog_usec(u);
        if (s->cgroup)
                (void) cgroup_oom_kills_changed(s->cgroup); /* new baseline for this run */

        struct sandbox_child child = SANDBOX_CHILD_NULL;
        struct sandbox_error err = {};
        usec_t t0 = now_monotonic();
        bool timed_out;
        r = spawn_guarded(s, &s->spawn_unit, &p, NULL, u->service.timeout_start, &child, &err, &timed_out);
        if (timed_out)
                s->forced = EXIT_REASON_TIMEOUT;
        usec_t setup_time = now_monotonic() - t0;
        if (r < 0) {
                /* A sandbox that cannot be built is a failed run, as a failed exec is for systemd
                 * (exit status 203/EXEC there, 125/126/127 here): the restart policy applies. */
                int status = sandbox_error_exit_status(&err);
                s->shown_code = CLD_EXITED;
                emit(s, HOST_EVENT_SETUP_FAILED, timed_out ? "timeout" : "exit-code", status, 0,
                     "sandbox setup failed (status %d)", status);
                handle_exit(s, &(struct exit_info){.code = CLD_EXITED, .status = status}, true);
                return;
        }

        s->pid = child.pid;
        s->pidfd = child.pidfd;
        s->child = child;
        /* The source owns the pidfd from here on. */
        r = event_add_child_pidfd(s->event, &s->child_source, child.pidfd, true, on_child, s);
        if (r < 0) {
                log_error_errno(r, "watch payload pid %d: %m", (int) child.pid);
                (void) pidfd_send_signal(child.pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, (id_t) child.pidfd, &(siginfo_t){}, WEXITED);
                close(child.pidfd);
                sandbox_child_release(&s->child);
                s->pidfd = -EBADF;
                s->pid = 0;
                finish(s, 125);
                return;
        }
        if (s->child.exit_fd >= 0 &&
            event_add_io(s->event, &s->exit_source, s->child.exit_fd, EPOLLIN, on_exit_report, s) < 0)
                log_debug("watch the exit pipe of pid %d: only its exit tells", (int) child.pid);
        /* For Type=forking, once the daemon is known (on_forked()). */
        if (child.init_exec && child.ready_fd < 0)
                (void) timer_arm(s, &s->settle_source, SANDBOX_SETTLE_USEC, on_settle_timer);
        if (s->child.ready_fd >= 0 &&
            event_add_io(s->event, &s->forked_source, s->child.ready_fd, EPOLLIN, on_forked, s) < 0) {
                log_error("watch the ready pipe of pid %d: the start cannot complete", (int) child.pid);
                enter_stop(s, SIGKILL, EXIT_REASON_TIMEOUT);
                return;
        }
        if (s->notify) {
                notify_proxy_set_payload_pid(s->notify, child.pid);
                notify_proxy_set_access(s->notify, model_notify_access(u), child.hutch_pid1 ? 2 : 1);
        }

        emit(s, HOST_EVENT_STARTED, NULL, -1, 0, "started (pid %d)", (int) child.pid);

        switch (u->service.type) {
        case SERVICE_NOTIFY:
        case SERVICE_ONESHOT:
        case SERVICE_FORKING:
                /* notify: until READY=1; oneshot: until it exits; forking: until the first process
                 * exited and left its daemon. */
                host_notify_status(u->service.type == SERVICE_ONESHOT ? "running (oneshot)" : "starting");
                /* The setup already used part of TimeoutStartSec=. */
                if (timer_arm(s, &s->timer_source,
                              u->service.timeout_start == USEC_INFINITY
                                      ? USEC_INFINITY
                                      : u->service.timeout_start -
                                                MIN(setup_time, u->service.timeout_start - 1),
                              on_start_timeout) < 0)
                        enter_stop(s, SIGKILL, EXIT_REASON_TIMEOUT);
                break;
        default:
                /* exec/simple: the payload's execve() succeeded when sandbox_spawn() returned. */
                become_ready(s);
                break;
        }
}

/* --- control commands ---------------------------------------------------------------------- */

static void control_done(struct supervisor *s, const struct exit_info *e);

static int on_control_child(struct event_source *src, const siginfo_t *si, void *userdata) {
        struct supervisor *s = userdata;
        struct exit_info e;
        sandbox_child_exit_status(&s->control_child, si, &e.code, &e.status);
        sandbox_child_release(&s->control_child);
        if (s->notify)
                notify_proxy_set_control_pid(s->notify, 0);
        s->control_source = event_source_free(s->control_source); /* closes the pidfd */
        s->control_child = SANDBOX_CHILD_NULL;
        timer_disarm(&s->control_timer);
        control_done(s, &e);
        return 0;
}

static int on_control_timeout(struct event_source *src, usec_t usec, void *userdata) {
        struct supervisor *s = userdata;
        timer_disarm(&s->control_timer);
        bool stop = s->control == EXEC_STOP || s->control == EXEC_STOP_POST || s->stop_requested;
        char t[32];
        format_ms(t, sizeof t, stop ? s->unit->service.timeout_stop : s->unit->service.timeout_start);
        log_warning("%s= command still running after %s, killing it", exec_control_to_string(s->control), t);
        s->control_timed_out = true;
        if (s->control_child.pidfd >= 0)
                (void) pidfd_send_signal(s->control_child.pidfd, SIGKILL, NULL, 0);
        return 0;
}

/* NAME=VALUE onto the control command's environment. */
static int control_setenv(struct supervisor *s, const char *name, const char *fmt, ...) _printf_(3, 4);
static int control_setenv(struct supervisor *s, const char *name, const char *fmt, ...) {
        char value[128], buf[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(value, sizeof value, fmt, ap);
        va_end(ap);
        snprintf(buf, sizeof buf, "%s=%s", name, value);
        return strv_extend(&s->control_environment, buf) < 0 ? log_oom() : 0;
}

/* The copy of the unit a control command runs as: its command as ExecStart=, and systemd's
 * variables for it before the unit's Environment= (which may override them, as in systemd):
 * $MAINPID in the payload's sandbox; $SERVICE_RESULT, $EXIT_CODE, $EXIT_STATUS for ExecStop= and
 * ExecStopPost=. */
static int control_build_unit(struct supervisor *s, const struct exec_command *cmd, bool inside) {
        strv_free(s->control_environment);
        s->control_environment = NULL;
        if (!s->control_unit && !(s->control_unit = new0(struct hutch_unit, 1)))
                return log_oom();
        *s->control_unit = s->spawn_unit;
        s->control_unit->service.exec_start = *cmd;
        int r = 0;
        pid_t main_inside = 0;
        if (inside && sandbox_child_main_pid(&s->child, &main_inside) > 0)
                r = control_setenv(s, "MAINPID", "%d", (int) main_inside);
        if (r >= 0 && (s->control == EXEC_STOP || s->control == EXEC_STOP_POST)) {
                r = control_setenv(s, "SERVICE_RESULT", "%s",
                                   exit_reason_to_string(s->have_exit ? s->result : EXIT_REASON_SUCCESS));
                if (r >= 0 && s->have_exit) {
                        const struct exit_info *e = &s->last_exit;
                        const char *sig = e->code == CLD_EXITED ? NULL : signal_to_name(e->status);
                        r = control_setenv(s, "EXIT_CODE", "%s",
                                           e->code == CLD_EXITED   ? "exited"
                                           : e->code == CLD_DUMPED ? "dumped"
                                                                   : "killed");
                        if (r >= 0 && sig)
                                r = control_setenv(s, "EXIT_STATUS", "%s",
                                                   strncmp(sig, "SIG", 3) == 0 ? sig + 3 : sig);
                        else if (r >= 0)
                                r = control_setenv(s, "EXIT_STATUS", "%d", e->status);
                }
        }
        STRV_FOREACH (v, s->spawn_unit.service.environment.items)
                if (r >= 0 && strv_extend(&s->control_environment, *v) < 0)
                        r = log_oom();
        if (r < 0)
                return r;
        s->control_unit->service.environment.items = s->control_environment;
        s->control_unit->service.environment.n = strv_length(s->control_environment);
        return 0;
}

/* Starts command `index` of the list `which`: inside the payload's sandbox while it runs, else in
 * a sandbox of its own. False when the list has no such command (nothing started). A command that
 * cannot be started is a failed one, reported through control_done() before this returns true. */
static bool control_start(struct supervisor *s, enum exec_control which, size_t index) {
        const struct hutch_unit *u = s->unit;
        const struct exec_command_list *l = &u->service.exec_control[which];
        if (index >= l->n)
                return false;
        const struct exec_command *cmd = &l->items[index];
        bool inside = main_alive(s);
        s->control = which;
        s->control_index = index;
        s->control_timed_out = false;
        s->state = control_states[which];
        const char *key = exec_control_to_string(which);
        usec_t timeout = which == EXEC_STOP || which == EXEC_STOP_POST || s->stop_requested
                                 ? u->service.timeout_stop
                                 : u->service.timeout_start;

        struct sandbox_child child = SANDBOX_CHILD_NULL;
        struct sandbox_error err = {};
        bool timed_out = false;
        int r = control_build_unit(s, cmd, inside);
        if (r >= 0 && !inside)
                r = renew_payload_cgroup(s);
        if (r >= 0) {
                struct sandbox_params p;
                spawn_params(s, &p);
                r = spawn_guarded(s, s->control_unit, &p, inside ? &s->child : NULL, timeout, &child, &err,
                                  &timed_out);
        }
        if (r >= 0) {
                r = event_add_child_pidfd(s->event, &s->control_source, child.pidfd, true, on_control_child,
                                          s);
                if (r < 0) {
                        log_error_errno(r, "watch %s= pid %d: %m", key, (int) child.pid);
                        (void) pidfd_send_signal(child.pidfd, SIGKILL, NULL, 0);
                        (void) waitid(P_PIDFD, (id_t) child.pidfd, &(siginfo_t){}, WEXITED);
                        close(child.pidfd);
                        sandbox_child_release(&child);
                }
        }
        if (r < 0) {
                int status = err.error ? sandbox_error_exit_status(&err) : 125;
                log_error("%s=%s: could not be started (status %d)", key, cmd->path, status);
                s->control_timed_out = timed_out;
                control_done(s, &(struct exit_info){.code = CLD_EXITED, .status = status});
                return true;
        }
        s->control_child = child;
        if (s->notify) {
                /* The command itself: the process entered, or the one under its sandbox's init. */
                pid_t in_sandbox;
                notify_proxy_set_control_pid(
                        s->notify, inside ? child.pid : sandbox_child_main_pid(&child, &in_sandbox));
        }
        log_debug("%s=%s started (pid %d%s)", key, cmd->path, (int) child.pid,
                  inside ? ", in the service's sandbox" : "");
        if (timer_arm(s, &s->control_timer, timeout, on_control_timeout) < 0)
                on_control_timeout(NULL, 0, s);
        return true;
}

/* A control command ended as `e`: the next of its list, or what comes after the list. */
static void control_done(struct supervisor *s, const struct exit_info *e) {
        const struct hutch_unit *u = s->unit;
        enum exec_control which = s->control;
        const char *key = exec_control_to_string(which);
        const struct exec_command *cmd = &u->service.exec_control[which].items[s->control_index];
        enum exit_reason r =
                s->control_timed_out ? EXIT_REASON_TIMEOUT : control_exit_classify(which, cmd, e);
        char what[96];
        status_describe(e, what, sizeof what);
        /* Not worth a warning: a command a stop called off, or one in the service's sandbox that
         * ended with it (the service's end takes the sandbox's PID namespace down). */
        bool expected = r == EXIT_REASON_SUCCESS || r == EXIT_REASON_EXEC_CONDITION ||
                        (s->stop_requested && (which == EXEC_CONDITION || which == EXEC_START_PRE)) ||
                        (s->have_pending_exit && e->code == CLD_KILLED && e->status == SIGKILL);
        if (expected)
                log_debug("%s=%s exited with %s", key, cmd->path, what);
        else
                log_warning("%s=%s exited with %s (%s)", key, cmd->path, what, exit_reason_to_string(r));
        bool go_on = r == EXIT_REASON_SUCCESS && !s->control_timed_out;

        if (s->have_pending_exit) {
                /* The payload ended meanwhile: its end is what counts now. */
                s->have_pending_exit = false;
                handle_exit(s, &s->pending_exit, s->pending_setup_failed);
                return;
        }
        switch (which) {
        case EXEC_CONDITION:
        case EXEC_START_PRE:
                if (s->stop_requested) {
                        /* A stop overtook the start: nothing failed. */
                        s->result = EXIT_REASON_SUCCESS;
                        s->last_exit = *e;
                        s->have_exit = true;
                        after_main(s);
                        return;
                }
                if (go_on) {
                        if (control_start(s, which, s->control_index + 1))
                                return;
                        if (which == EXEC_CONDITION && control_start(s, EXEC_START_PRE, 0))
                                return;
                        spawn_payload(s);
                        return;
                }
                s->result = r;
                s->last_exit = *e;
                s->have_exit = true;
                after_main(s);
                return;
        case EXEC_START_POST:
                if (s->state != STATE_START_POST)
                        return; /* a stop overtook it (enter_stop()) */
                if (!main_alive(s)) {
                        /* a oneshot's, after its end: after_main() goes on */
                        if (go_on && control_start(s, which, s->control_index + 1))
                                return;
                        if (!go_on) {
                                s->result = r;
                                s->last_exit = *e;
                        }
                        after_main(s);
                        return;
                }
                if (!go_on) {
                        /* The start failed: the service is stopped, and the run's result is the
                         * command's. */
                        s->state = STATE_STARTING;
                        enter_stop(s, u->service.kill_signal, r);
                        return;
                }
                if (!control_start(s, which, s->control_index + 1))
                        enter_running(s);
                return;
        case EXEC_RELOAD:
                if (s->state != STATE_RELOAD)
                        return; /* a stop overtook it */
                if (go_on && control_start(s, which, s->control_index + 1))
                        return;
                if (go_on)
                        log_info("reloaded");
                else
                        log_warning("reload failed (%s= %s): the service goes on as it was", key, what);
                s->state = STATE_RUNNING;
                host_notify_ready(); /* the end of the reload, for systemd */
                host_notify_status("running");
                return;
        case EXEC_STOP:
        case EXEC_STOP_POST:
        default:
                /* As in systemd, a failure (or a timeout) ends the list and makes the run's
                 * result, unless it has one. */
                if (go_on && control_start(s, which, s->control_index + 1))
                        return;
                if (which == EXEC_STOP && main_alive(s)) {
                        s->state = STATE_RUNNING;
                        enter_stop(s, u->service.kill_signal, r);
                        return;
                }
                if (r != EXIT_REASON_SUCCESS && s->result == EXIT_REASON_SUCCESS)
                        s->result = r;
                if (which == EXEC_STOP)
                        after_main(s);
                else
                        decide(s);
                return;
        }
}

/* Sends `sig` to the service. hutch's init in the sandbox forwards what a service is asked
 * with (KillSignal=), but not the signals the kernel raises for faults, SIGABRT among them
 * (systemd's watchdog signal): those go straight to the init's children, the service. */
static int signal_payload(struct supervisor *s, int sig) {
        bool forwarded = !(sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
                           sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS);
        if (!forwarded && s->child.hutch_pid1) {
                char p[64];
                snprintf(p, sizeof p, "/proc/%d/task/%d/children", (int) s->pid, (int) s->pid);
                FILE *f = fopen(p, "re");
                int n = 0;
                if (f) {
                        int child;
                        while (fscanf(f, "%d", &child) == 1)
                                if (child > 0 && kill(child, sig) == 0)
                                        n++;
                        fclose(f);
                }
                if (n > 0)
                        return 0;
        }
        if (pidfd_send_signal(s->pidfd, sig, NULL, 0) < 0)
                return -errno;
        return 0;
}

/* KillMode=control-group: `sig` to every process of payload/ (host pids, which the supervisor
 * sees), then SIGCONT so that a stopped one acts on it, as systemd's cg_kill(); 0 when at least
 * one was signalled. hutch's own PID 1 lives outside payload/ and gets nothing. */
static int signal_cgroup(struct supervisor *s, int sig) {
        if (!s->cgroup || s->cgroup->payload_fd < 0)
                return -ENOENT;
        int fd = openat(s->cgroup->payload_fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        FILE *f = fd < 0 ? NULL : fdopen(fd, "re");
        if (!f) {
                if (fd >= 0)
                        close(fd);
                return -errno;
        }
        int n = 0, pid;
        while (fscanf(f, "%d", &pid) == 1)
                if (pid > 0 && kill(pid, sig) == 0) {
                        if (sig != SIGCONT && sig != SIGKILL)
                                (void) kill(pid, SIGCONT);
                        n++;
                }
        fclose(f);
        return n > 0 ? 0 : -ESRCH;
}

/* Stops the running payload: `sig` to it (0: none, it stops by itself), cgroup.kill once
 * TimeoutStopSec= has passed. */
static void enter_stop(struct supervisor *s, int sig, enum exit_reason forced) {
        if (s->state == STATE_STOPPING || s->state == STATE_KILLING || s->state == STATE_STOP_EXEC ||
            !main_alive(s))
                return;
        /* ExecStartPost= or ExecReload= is overtaken: it has nothing left to act on. */
        if (s->control_child.pid > 0) {
                timer_disarm(&s->control_timer);
                (void) pidfd_send_signal(s->control_child.pidfd, SIGKILL, NULL, 0);
        }
        if (s->forced == EXIT_REASON_SUCCESS)
                s->forced = forced;
        timer_disarm(&s->watchdog_source);
        timer_disarm(&s->runtime_source);
        s->state = STATE_STOPPING;
        const char *name = sig == 0 ? "STOPPING=1 from the payload" : signal_to_name(sig) ?: "SIG?";
        emit(s, HOST_EVENT_STOPPING, forced == EXIT_REASON_SUCCESS ? NULL : exit_reason_to_string(forced),
             -1, 0, "stopping (%s)", name);
        host_notify_status("stopping");
        int r = 0;
        if (sig != 0 && s->unit->service.kill_mode == KILL_MODE_CONTROL_GROUP)
                r = signal_cgroup(s, sig);
        /* mixed, or no process found in payload/ (the payload is still on its way there) */
        if (sig != 0 && (s->unit->service.kill_mode != KILL_MODE_CONTROL_GROUP || r < 0))
                r = signal_payload(s, sig);
        if (r < 0 && r != -ESRCH)
                log_warning_errno(r, "send %s to payload pid %d: %m", name, (int) s->pid);
        /* SendSIGHUP=: to the same processes, for shells and the like that end on a hang-up. */
        if (sig != 0 && sig != SIGHUP && s->unit->service.send_sighup &&
            (s->unit->service.kill_mode != KILL_MODE_CONTROL_GROUP || signal_cgroup(s, SIGHUP) < 0))
                (void) signal_payload(s, SIGHUP);
        s->final_sent = s->abort_sent = false;
        if (timer_arm(s, &s->timer_source, stop_wait(s), on_stop_timeout) < 0)
                on_stop_timeout(NULL, 0, s);
}

/* A stop of the running service: ExecStop= first, in its sandbox, then KillSignal= to what is
 * left (control_done()). `forced` is the run's result: success for a requested stop. */
static void begin_stop(struct supervisor *s, enum exit_reason forced) {
        timer_disarm(&s->watchdog_source);
        timer_disarm(&s->runtime_source);
        if (s->forced == EXIT_REASON_SUCCESS)
                s->forced = forced;
        host_notify_status("stopping");
        s->exec_stop_begun = true;
        if (control_start(s, EXEC_STOP, 0))
                return;
        enter_stop(s, s->unit->service.kill_signal, forced);
}

void supervisor_kill(struct supervisor *s, int sig) {
        if (!s || !main_alive(s) || s->state == STATE_KILLING || s->state == STATE_DONE)
                return;
        const char *name = signal_to_name(sig) ?: "SIG?";
        log_info("passing %s on to the payload (pid %d)", name, (int) s->pid);
        int r = signal_payload(s, sig);
        if (r < 0 && r != -ESRCH)
                log_warning_errno(r, "send %s to payload pid %d: %m", name, (int) s->pid);
}

void supervisor_stop(struct supervisor *s) {
        if (!s || s->state == STATE_DONE)
                return;
        bool first = !s->stop_requested;
        s->stop_requested = true;
        if (first)
                host_notify_stopping();
        switch (s->state) {
        case STATE_AUTO_RESTART:
        case STATE_INACTIVE:
                /* Nothing runs, and the stop cancels the restart: the unit ends inactive, not
                 * failed, whatever the last run's result (systemd's stop in auto-restart). */
                timer_disarm(&s->timer_source);
                if (s->state == STATE_AUTO_RESTART) {
                        log_info("stopped while waiting to restart: the restart is cancelled");
                        host_notify_status("stopped");
                }
                finish(s, 0);
                break;
        case STATE_EXITED:
                /* RemainAfterExit=yes: what the end of the run left for the stop. */
                after_main(s);
                break;
        case STATE_CONDITION:
        case STATE_START_PRE:
                /* The start is called off: KillSignal= to the command, and TimeoutStopSec= from
                 * here on; control_done() goes on to ExecStopPost=. */
                log_info("stopped while %s= runs: the start is called off",
                         exec_control_to_string(s->control));
                if (s->control_child.pidfd >= 0)
                        (void) pidfd_send_signal(s->control_child.pidfd, s->unit->service.kill_signal, NULL,
                                                 0);
                if (timer_arm(s, &s->control_timer, s->unit->service.timeout_stop, on_control_timeout) < 0)
                        on_control_timeout(NULL, 0, s);
                break;
        case STATE_RUNNING:
                /* As systemd: only from "running" with ExecStop=; a stop while starting or
                 * reloading goes straight to KillSignal=. */
                begin_stop(s, EXIT_REASON_SUCCESS);
                break;
        case STATE_STARTING:
        case STATE_START_POST:
        case STATE_RELOAD:
                enter_stop(s, s->unit->service.kill_signal, EXIT_REASON_SUCCESS);
                break;
        default:
                break; /* already stopping */
        }
}

bool supervisor_reload(struct supervisor *s) {
        if (!s || s->unit->service.exec_control[EXEC_RELOAD].n == 0)
                return false;
        if (s->state != STATE_RUNNING || !main_alive(s)) {
                log_warning("reload requested while the service is not running (starting, reloading or "
                            "stopping): ignored");
                return true;
        }
        log_info("reloading");
        host_notify_reloading();
        host_notify_status("reloading");
        (void) control_start(s, EXEC_RELOAD, 0);
        return true;
}

/* --- construction ------------------------------------------------------------------------- */

/* One hutch per unit on this machine, whichever cgroup it was started from (by hand next to
 * systemd's service, say): an flock on /run/hutch/lock/NAME.lock, released by the kernel when
 * its holder dies. Where /run/hutch cannot be written (not root), the cgroup tree's own lock
 * is the only one. */
static void unit_lock_path(const char *name, char *buf, size_t l) {
        snprintf(buf, l, "/run/hutch/lock/%s.lock", name);
}

/* The lock file is removed by its holder when the unit ends (unit_unlock()), so /run/hutch/lock
 * holds the running units only. A start that opened the file just before its holder removed it
 * gets the lock on a file no longer linked, sees that, and opens the path again. */
static int unit_lock(const char *name, int *ret) {
        *ret = -EBADF;
        if (mkdir("/run/hutch", 0755) < 0 && errno != EEXIST)
                return 0;
        if (mkdir("/run/hutch/lock", 0700) < 0 && errno != EEXIST)
                return 0;
        char path[PATH_MAX];
        unit_lock_path(name, path, sizeof path);
        for (unsigned attempt = 0; attempt < 100; attempt++) {
                int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
                if (fd < 0)
                        return 0;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        int r = -errno;
                        close(fd);
                        if (r == -EWOULDBLOCK)
                                return log_error_errno(
                                        -EBUSY, "unit is already running (%s is held by another hutch)",
                                        path);
                        return log_error_errno(r, "lock %s: %m", path);
                }
                struct stat held, linked;
                if (fstat(fd, &held) == 0 && lstat(path, &linked) == 0 && held.st_dev == linked.st_dev &&
                    held.st_ino == linked.st_ino) {
                        *ret = fd;
                        return 0;
                }
                close(fd);
        }
        return log_error_errno(-EBUSY, "lock %s: it keeps being removed", path);
}

/* Removes the lock file while it is still held, then lets go of it. */
static void unit_unlock(const char *name, int *fd) {
        if (*fd < 0)
                return;
        char path[PATH_MAX];
        unit_lock_path(name, path, sizeof path);
        (void) unlink(path);
        close(*fd);
        *fd = -EBADF;
}

/* The payload learns WatchdogSec= the way systemd tells services: WATCHDOG_USEC= in its
 * environment (sd_watchdog_enabled()). The unit's own Environment= entries come after, so a
 * unit may still override it. */
static int build_spawn_unit(struct supervisor *s) {
        const struct hutch_unit *u = s->unit;
        s->spawn_unit = *u;
        if (s->watchdog_usec == 0)
                return 0;
        char buf[64];
        snprintf(buf, sizeof buf, "WATCHDOG_USEC=%" PRIu64, s->watchdog_usec);
        if (strv_extend(&s->spawn_environment, buf) < 0)
                return log_oom();
        STRV_FOREACH (e, u->service.environment.items)
                if (strv_extend(&s->spawn_environment, *e) < 0)
                        return log_oom();
        s->spawn_unit.service.environment.items = s->spawn_environment;
        s->spawn_unit.service.environment.n = strv_length(s->spawn_environment);
        return 0;
}

int supervisor_new(const struct hutch_unit *u, struct event_loop *e, const struct supervisor_options *o,
                   supervisor_done_t done, void *userdata, struct supervisor **ret) {
        int r;

        if (u->service.type == SERVICE_ONESHOT &&
            (u->service.restart == RESTART_ALWAYS || u->service.restart == RESTART_ON_SUCCESS)) {
                const struct unit_origin *o2 = &u->service.restart_origin;
                if (o2->file)
                        log_error("%s:%u: Restart=%s: not allowed with Type=oneshot", o2->file, o2->line,
                                  restart_policy_to_string(u->service.restart));
                else
                        log_error("Restart=%s: not allowed with Type=oneshot",
                                  restart_policy_to_string(u->service.restart));
                return -EINVAL;
        }

        struct supervisor *s = new0(struct supervisor, 1);
        if (!s)
                return log_oom();
        s->unit = u;
        s->event = e;
        s->opts = *o;
        s->done = done;
        s->userdata = userdata;
        s->pidfd = -EBADF;
        s->child = SANDBOX_CHILD_NULL;
        s->control_child = SANDBOX_CHILD_NULL;
        s->lock_fd = -EBADF;
        s->state = STATE_INACTIVE;
        s->watchdog_usec = unit_watchdog_usec(u);

        r = unit_lock(u->name, &s->lock_fd);
        if (r < 0)
                goto fail;

        /* An OOM kill in the service's cgroup takes the payload, never the one who reports it. */
        (void) sandbox_oom_protect();

        r = cgroup_tree_setup(u, o->move_self, &s->cgroup);
        if (r < 0)
                goto fail;

        /* As systemd: a socket (and NOTIFY_SOCKET) wherever someone may send to it. */
        if (model_notify_access(u) != NOTIFY_ACCESS_NONE) {
                r = notify_proxy_new(u->name, &s->notify, &s->notify_path);
                if (r < 0) {
                        log_error_errno(r, "create notify socket: %m");
                        goto fail;
                }
                notify_proxy_set_cgroup(s->notify, s->cgroup->payload_path);
                r = event_add_io(e, &s->notify_source, notify_proxy_fd(s->notify), EPOLLIN, on_notify_io, s);
                if (r < 0) {
                        log_error_errno(r, "watch notify socket: %m");
                        goto fail;
                }
        }

        r = watch_memory_events(s);
        if (r < 0)
                goto fail;

        r = build_spawn_unit(s);
        if (r < 0)
                goto fail;

        *ret = s;
        return 0;
fail:
        supervisor_free(s);
        return r;
}

int supervisor_start(struct supervisor *s) {
        if (s->state != STATE_INACTIVE)
                return -EALREADY;
        return start_run(s);
}

bool supervisor_is_done(const struct supervisor *s) {
        return s->state == STATE_DONE;
}

int supervisor_exit_status(const struct supervisor *s) {
        return s->exit_status;
}

pid_t supervisor_payload_pid(const struct supervisor *s) {
        return s->pid;
}

void supervisor_free(struct supervisor *s) {
        if (!s)
                return;
        timer_disarm(&s->timer_source);
        timer_disarm(&s->watchdog_source);
        timer_disarm(&s->settle_source);
        /* Before notify_proxy_free() closes the socket the source watches. */
        s->notify_source = event_source_free(s->notify_source);
        s->notify_pause_source = event_source_free(s->notify_pause_source);
        s->oom_source = event_source_free(s->oom_source);
        s->exit_source = event_source_free(s->exit_source);
        s->forked_source = event_source_free(s->forked_source);
        if (s->child_source) {
                /* Still running (the loop was torn down early): nothing may survive us. */
                if (s->pidfd >= 0)
                        (void) pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
                s->child_source = event_source_free(s->child_source);
        }
        sandbox_child_release(&s->child);
        timer_disarm(&s->control_timer);
        timer_disarm(&s->runtime_source);
        if (s->control_source) {
                if (s->control_child.pidfd >= 0)
                        (void) pidfd_send_signal(s->control_child.pidfd, SIGKILL, NULL, 0);
                s->control_source = event_source_free(s->control_source);
        }
        sandbox_child_release(&s->control_child);
        strv_free(s->control_environment);
        free(s->control_unit); /* a shallow copy: the strings are the unit's */
        notify_proxy_free(s->notify);
        cgroup_tree_free(s->cgroup); /* kills what is left, removes the cgroups */
        strv_free(s->spawn_environment);
        /* after the cgroups are gone: the next start finds them removed */
        if (s->unit)
                unit_unlock(s->unit->name, &s->lock_fd);
        free(s);
}
