/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loop around one supervisor, for `hutch run`: signals, systemd's watchdog. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/supervisor.h"

static void on_done(struct supervisor *s, int exit_status, void *userdata) {
        sd_event *e = userdata;
        (void) sd_event_exit(e, exit_status);
}

static int on_stop_signal(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata) {
        struct supervisor *s = userdata;
        supervisor_stop(s);
        return 0;
}

static int on_host_watchdog(sd_event_source *src, uint64_t usec, void *userdata) {
        usec_t interval = host_watchdog_usec();
        host_watchdog_ping();
        /* systemd recommends pinging at half the interval. */
        (void) sd_event_source_set_time_relative(src, interval / 2);
        (void) sd_event_source_set_enabled(src, SD_EVENT_ONESHOT);
        return 0;
}

int supervisor_run_one(const struct hutch_unit *u, const struct supervisor_options *o) {
        sigset_t mask, saved;
        sd_event *e = NULL;
        struct supervisor *s = NULL;
        int r, status = 125;

        /* sd-event reads these through signalfd and pidfds; they must not be delivered the
         * classic way. SIGCHLD stays blocked: the payload is reaped through its pidfd. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, &saved) < 0)
                return log_error_errno(-errno, "block signals: %m"), 125;

        r = sd_event_new(&e);
        if (r < 0) {
                log_error_errno(r, "create event loop: %m");
                goto out;
        }

        r = supervisor_new(u, e, o, on_done, e, &s);
        if (r < 0)
                goto out;

        r = sd_event_add_signal(e, NULL, SIGTERM, on_stop_signal, s);
        if (r >= 0)
                r = sd_event_add_signal(e, NULL, SIGINT, on_stop_signal, s);
        if (r < 0) {
                log_error_errno(r, "watch SIGTERM/SIGINT: %m");
                goto out;
        }

        usec_t wd = host_watchdog_usec();
        if (wd > 0) {
                r = sd_event_add_time_relative(e, NULL, CLOCK_MONOTONIC, wd / 2, 0, on_host_watchdog, NULL);
                if (r < 0)
                        log_warning_errno(r, "arm systemd watchdog ping: %m");
        }

        r = supervisor_start(s);
        if (r < 0)
                goto out;
        if (!supervisor_is_done(s)) {
                r = sd_event_loop(e);
                if (r < 0) {
                        log_error_errno(r, "event loop: %m");
                        goto out;
                }
        }
        status = supervisor_exit_status(s);
out:
        supervisor_free(s);
        sd_event_unref(e);
        (void) sigprocmask(SIG_SETMASK, &saved, NULL);
        return status;
}
