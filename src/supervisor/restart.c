/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exit classification and restart decisions: pure functions of their arguments. */
#include <signal.h>
#include <sys/wait.h>

#include "hutch/supervisor.h"

static const char *const exit_reason_names[_EXIT_REASON_MAX] = {
        [EXIT_REASON_SUCCESS] = "success",   [EXIT_REASON_EXIT_CODE] = "exit-code",
        [EXIT_REASON_SIGNAL] = "signal",     [EXIT_REASON_CORE_DUMP] = "core-dump",
        [EXIT_REASON_TIMEOUT] = "timeout",   [EXIT_REASON_WATCHDOG] = "watchdog",
        [EXIT_REASON_OOM_KILL] = "oom-kill", [EXIT_REASON_START_LIMIT_HIT] = "start-limit-hit",
        [EXIT_REASON_PROTOCOL] = "protocol", [EXIT_REASON_EXEC_CONDITION] = "exec-condition",
};

const char *exit_reason_to_string(enum exit_reason r) {
        if ((unsigned) r >= _EXIT_REASON_MAX)
                return NULL;
        return exit_reason_names[r];
}

bool exit_is_clean(const struct hutch_unit *u, const struct exit_info *e) {
        const struct exit_status_set *ok = &u->service.success_exit_status;
        if (e->code == CLD_EXITED)
                return e->status == 0 || exit_status_set_has_status(ok, e->status);
        /* A core dump is a crash, whatever the signal (systemd's is_clean_exit()). */
        if (e->code == CLD_KILLED) {
                /* A daemon that dies of the usual "please stop" signals stopped cleanly; a
                 * oneshot command is held to the stricter standard of a command. */
                if (u->service.type != SERVICE_ONESHOT && (e->status == SIGHUP || e->status == SIGINT ||
                                                           e->status == SIGTERM || e->status == SIGPIPE))
                        return true;
                return exit_status_set_has_signal(ok, e->status);
        }
        return false;
}

/* The result of an end that is not clean. */
static enum exit_reason failure_of(const struct exit_info *e) {
        switch (e->code) {
        case CLD_EXITED:
                return EXIT_REASON_EXIT_CODE;
        case CLD_DUMPED:
                return EXIT_REASON_CORE_DUMP;
        default:
                return EXIT_REASON_SIGNAL;
        }
}

enum exit_reason exit_classify(const struct hutch_unit *u, const struct exit_info *e,
                               enum exit_reason forced, bool oom_killed) {
        /* What the supervisor saw first wins, as in systemd: a watchdog kill is "watchdog" even
         * though the payload then died of SIGABRT. */
        if (forced != EXIT_REASON_SUCCESS)
                return forced;
        if (oom_killed)
                return EXIT_REASON_OOM_KILL;
        if (exit_is_clean(u, e))
                return EXIT_REASON_SUCCESS;
        if (u->service.exec_start.ignore_failure)
                return EXIT_REASON_SUCCESS;
        return failure_of(e);
}

enum exit_reason control_exit_classify(enum exec_control which, const struct exec_command *c,
                                       const struct exit_info *e) {
        if (e->code == CLD_EXITED && e->status == 0)
                return EXIT_REASON_SUCCESS;
        /* systemd: 255 and signals are failures of ExecCondition= itself. */
        if (which == EXEC_CONDITION && e->code == CLD_EXITED && e->status < 255)
                return EXIT_REASON_EXEC_CONDITION;
        if (c->ignore_failure)
                return EXIT_REASON_SUCCESS;
        return failure_of(e);
}

bool start_limit_test(const struct hutch_unit *u, struct restart_history *h, usec_t now) {
        usec_t interval = u->unit.start_limit_interval;
        unsigned burst = u->unit.start_limit_burst;

        /* StartLimitIntervalSec=0 or StartLimitBurst=0: no limit. */
        if (interval == 0 || burst == 0)
                return true;
        if (!h->window_started || (interval != USEC_INFINITY && now - h->window_begin > interval)) {
                h->window_started = true;
                h->window_begin = now;
                h->window_starts = 1;
                return true;
        }
        if (h->window_starts < UINT32_MAX)
                h->window_starts++;
        return h->window_starts <= burst;
}

/* A positive number as m * 2^e with 1 <= m < 2: the powers below outgrow the exponent of a
 * long double (RestartSteps= goes up to 3600), so the binary exponent is kept apart. */
struct scaled {
        long double m;
        int64_t e;
};

static struct scaled scaled_make(long double m, int64_t e) {
        while (m >= 2) {
                m /= 2;
                e++;
        }
        while (m < 1) {
                m *= 2;
                e--;
        }
        return (struct scaled){m, e};
}

static struct scaled scaled_mul(struct scaled a, struct scaled b) {
        return scaled_make(a.m * b.m, a.e + b.e);
}

static struct scaled scaled_pow(usec_t x, unsigned k) {
        struct scaled r = {1, 0}, p = scaled_make((long double) x, 0);
        for (; k > 0; k >>= 1) {
                if (k & 1)
                        r = scaled_mul(r, p);
                p = scaled_mul(p, p);
        }
        return r;
}

static bool scaled_le(struct scaled a, struct scaled b) {
        return a.e != b.e ? a.e < b.e : a.m <= b.m;
}

usec_t restart_delay(const struct hutch_unit *u, unsigned n) {
        usec_t base = u->service.restart_sec, max = u->service.restart_max_delay;
        unsigned steps = u->service.restart_steps;

        if (n <= 1 || steps == 0 || base == 0 || max == USEC_INFINITY || base >= max)
                return base;
        if (n > steps)
                return max;
        /* Geometric steps from RestartSec= to RestartMaxDelaySec=: each restart waits the same
         * factor longer than the one before, d = base * (max / base)^(k / steps) with k = n - 1.
         * Without libm: the largest d with d^steps <= base^(steps - k) * max^k, by bisection
         * (base satisfies it, max does not, as 0 < k < steps). The products are exact for
         * steps such as 100ms, 200ms, 400ms; elsewhere it agrees with powl() to a microsecond. */
        unsigned k = n - 1;
        struct scaled want = scaled_mul(scaled_pow(base, steps - k), scaled_pow(max, k));
        usec_t lo = base, hi = max;
        while (hi - lo > 1) {
                usec_t mid = lo + (hi - lo) / 2;
                if (scaled_le(scaled_pow(mid, steps), want))
                        lo = mid;
                else
                        hi = mid;
        }
        return lo;
}

bool restart_policy_allows(enum restart_policy p, enum exit_reason reason) {
        switch (p) {
        case RESTART_NO:
                return false;
        case RESTART_ALWAYS:
                return true;
        case RESTART_ON_SUCCESS:
                return reason == EXIT_REASON_SUCCESS;
        case RESTART_ON_FAILURE:
                return reason != EXIT_REASON_SUCCESS;
        case RESTART_ON_ABNORMAL:
                /* Everything but a clean exit or an unclean exit code. */
                return reason != EXIT_REASON_SUCCESS && reason != EXIT_REASON_EXIT_CODE;
        case RESTART_ON_WATCHDOG:
                return reason == EXIT_REASON_WATCHDOG;
        case RESTART_ON_ABORT:
                return reason == EXIT_REASON_SIGNAL || reason == EXIT_REASON_CORE_DUMP;
        default:
                return false;
        }
}

struct restart_decision restart_decide(const struct hutch_unit *u, enum exit_reason reason,
                                       const struct exit_info *e, bool stop_requested,
                                       const struct restart_history *h, usec_t now) {
        struct restart_decision d = {.action = RESTART_ACTION_STOP, .history = *h};
        const struct exit_status_set *prevent = &u->service.restart_prevent_exit_status;

        if (stop_requested || reason == EXIT_REASON_START_LIMIT_HIT || reason == EXIT_REASON_EXEC_CONDITION)
                return d;
        if (!restart_policy_allows(u->service.restart, reason))
                return d;
        if (e->code == CLD_EXITED && exit_status_set_has_status(prevent, e->status))
                return d;
        if ((e->code == CLD_KILLED || e->code == CLD_DUMPED) &&
            exit_status_set_has_signal(prevent, e->status))
                return d;

        d.history.n_restarts = h->n_restarts + 1;
        d.delay = restart_delay(u, d.history.n_restarts);
        usec_t when =
                d.delay == USEC_INFINITY || now > USEC_INFINITY - d.delay ? USEC_INFINITY : now + d.delay;
        if (!start_limit_test(u, &d.history, when)) {
                d.action = RESTART_ACTION_GIVE_UP;
                d.history.n_restarts = h->n_restarts; /* the refused restart did not happen */
                return d;
        }
        d.action = RESTART_ACTION_RESTART;
        return d;
}

int supervisor_exit_status_for(enum exit_reason reason, const struct exit_info *e, bool ignore_failure,
                               bool stop_requested) {
        int status;
        if (e->code == CLD_EXITED)
                status = e->status & 0xff;
        else if (e->code == CLD_KILLED || e->code == CLD_DUMPED)
                status = 128 + e->status;
        else
                status = 1;

        if (reason == EXIT_REASON_EXEC_CONDITION)
                return 0;
        if (reason == EXIT_REASON_SUCCESS) {
                if (ignore_failure || stop_requested)
                        return 0;
                return status;
        }
        /* A failed unit never reports success, even if the payload itself exited 0 (a watchdog
         * kill it handled, or a start limit hit by a payload that keeps exiting 0). */
        return status == 0 ? 1 : status;
}
