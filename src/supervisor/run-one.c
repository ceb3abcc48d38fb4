/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loop around one supervisor, for `hutch run`: signals, systemd's watchdog. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/supervisor.h"

static void on_done(struct supervisor *s, int exit_status, void *userdata) {
        struct event_loop *e = userdata;
        event_loop_exit(e, exit_status);
}

/* SIGTERM and SIGINT stop the unit. The others only mean something to the service (reload,
 * reopen logs, a graceful quit): they reach it through hutch, as a container runtime passes
 * them on, and hutch itself must not die of them. SIGCHLD stays blocked and unread: the
 * payload is reaped through its pidfd. */
static const int handled_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

static int on_signal(struct event_source *src, const struct signalfd_siginfo *si, void *userdata) {
        struct supervisor *s = userdata;
        if (si->ssi_signo == SIGTERM || si->ssi_signo == SIGINT)
                supervisor_stop(s);
        else if (si->ssi_signo == SIGHUP && supervisor_reload(s))
                ; /* ExecReload= instead */
        else
                supervisor_kill(s, (int) si->ssi_signo);
        return 0;
}

static int on_host_watchdog(struct event_source *src, usec_t usec, void *userdata) {
        usec_t interval = host_watchdog_usec();
        host_watchdog_ping();
        /* systemd recommends pinging at half the interval. Setting the time arms the timer again. */
        return event_source_set_time_relative(src, interval / 2);
}

int supervisor_run_one(const struct hutch_unit *u, const struct supervisor_options *o) {
        sigset_t mask, saved;
        struct event_loop *e = NULL;
        struct supervisor *s = NULL;
        int r, status = 125;

        /* The loop reads these through signalfds and pidfds; they must not be delivered the
         * classic way. SIGCHLD stays blocked: the payload is reaped through its pidfd. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(handled_signals); i++)
                sigaddset(&mask, handled_signals[i]);
        if (sigprocmask(SIG_BLOCK, &mask, &saved) < 0)
                return log_error_errno(-errno, "block signals: %m"), 125;
        /* A reader of hutch's stderr that went away (`hutch run web | head`) must not end hutch
         * in the middle of a run: its log lines then fail with EPIPE. The payload gets every
         * disposition back to the default before its execve(). */
        struct sigaction ign = {.sa_handler = SIG_IGN}, saved_pipe;
        (void) sigaction(SIGPIPE, &ign, &saved_pipe);

        r = event_loop_new(&e);
        if (r < 0) {
                log_error_errno(r, "create event loop: %m");
                goto out;
        }

        r = supervisor_new(u, e, o, on_done, e, &s);
        if (r < 0)
                goto out;

        r = event_add_signals(e, NULL, handled_signals, ELEMENTSOF(handled_signals), on_signal, s);
        if (r < 0) {
                log_error_errno(r, "watch signals: %m");
                goto out;
        }

        usec_t wd = host_watchdog_usec();
        if (wd > 0) {
                r = event_add_timer(e, NULL, wd / 2, on_host_watchdog, NULL);
                if (r < 0)
                        log_warning_errno(r, "arm systemd watchdog ping: %m");
        }

        r = supervisor_start(s);
        if (r < 0)
                goto out;
        if (!supervisor_is_done(s)) {
                r = event_loop_run(e);
                if (r < 0) {
                        log_error_errno(r, "event loop: %m");
                        goto out;
                }
        }
        status = supervisor_exit_status(s);
out:
        supervisor_free(s);
        event_loop_free(e);
        (void) sigaction(SIGPIPE, &saved_pipe, NULL);
        (void) sigprocmask(SIG_SETMASK, &saved, NULL);
        return status;
}
