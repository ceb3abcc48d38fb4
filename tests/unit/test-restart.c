/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Restart decisions against systemd.service(5)'s Restart= table, backoff and start limit,
 * with a fake clock: the decision functions are pure, so no process and no sleep. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "hutch/supervisor.h"
#include "tap.h"

#define MS USEC_PER_MSEC
#define SEC USEC_PER_SEC

/* The defaults of DESIGN.md, built by hand so this test needs nothing but the decisions. */
static void unit_defaults(struct hutch_unit *u) {
        memset(u, 0, sizeof *u);
        u->name = (char *) "t";
        u->unit.start_limit_interval = 10 * SEC;
        u->unit.start_limit_burst = 5;
        u->service.type = SERVICE_EXEC;
        u->service.restart = RESTART_NO;
        u->service.restart_sec = 100 * MS;
        u->service.restart_max_delay = USEC_INFINITY;
        u->service.timeout_start = 90 * SEC;
        u->service.timeout_stop = 90 * SEC;
        u->service.kill_signal = SIGTERM;
}

static const struct exit_info EXIT0 = {CLD_EXITED, 0}, EXIT1 = {CLD_EXITED, 1}, EXIT3 = {CLD_EXITED, 3},
                              KILLED_TERM = {CLD_KILLED, SIGTERM}, KILLED_KILL = {CLD_KILLED, SIGKILL},
                              KILLED_USR1 = {CLD_KILLED, SIGUSR1}, DUMPED_SEGV = {CLD_DUMPED, SIGSEGV},
                              KILLED_ABRT = {CLD_DUMPED, SIGABRT};

static void test_clean(void) {
        struct hutch_unit u;
        unit_defaults(&u);
        TAP_CHECK(exit_is_clean(&u, &EXIT0), "exit 0 is clean");
        TAP_CHECK(!exit_is_clean(&u, &EXIT1), "exit 1 is unclean");
        TAP_CHECK(exit_is_clean(&u, &KILLED_TERM), "SIGTERM is clean for a daemon");
        TAP_CHECK(exit_is_clean(&u, &(struct exit_info){CLD_KILLED, SIGHUP}),
                  "SIGHUP is clean for a daemon");
        TAP_CHECK(exit_is_clean(&u, &(struct exit_info){CLD_KILLED, SIGINT}),
                  "SIGINT is clean for a daemon");
        TAP_CHECK(exit_is_clean(&u, &(struct exit_info){CLD_KILLED, SIGPIPE}),
                  "SIGPIPE is clean for a daemon");
        TAP_CHECK(!exit_is_clean(&u, &KILLED_KILL), "SIGKILL is unclean");
        TAP_CHECK(!exit_is_clean(&u, &DUMPED_SEGV), "a core dump is unclean");
        u.service.type = SERVICE_ONESHOT;
        TAP_CHECK(!exit_is_clean(&u, &KILLED_TERM), "SIGTERM is unclean for Type=oneshot");
        u.service.type = SERVICE_EXEC;
        exit_status_set_add_status(&u.service.success_exit_status, 3);
        exit_status_set_add_signal(&u.service.success_exit_status, SIGUSR1);
        TAP_CHECK(exit_is_clean(&u, &EXIT3), "SuccessExitStatus=3 makes exit 3 clean");
        TAP_CHECK(exit_is_clean(&u, &KILLED_USR1), "SuccessExitStatus=SIGUSR1 makes SIGUSR1 clean");
        TAP_CHECK(!exit_is_clean(&u, &EXIT1), "SuccessExitStatus=3 leaves exit 1 unclean");
        /* systemd's is_clean_exit(): a core dump is never clean, not even of a listed signal or a
         * "please stop" signal. */
        exit_status_set_add_signal(&u.service.success_exit_status, SIGABRT);
        TAP_CHECK(exit_is_clean(&u, &(struct exit_info){CLD_KILLED, SIGABRT}),
                  "SuccessExitStatus=SIGABRT makes SIGABRT without a core clean");
        TAP_CHECK(!exit_is_clean(&u, &KILLED_ABRT), "... but not SIGABRT with a core dump");
        TAP_CHECK(!exit_is_clean(&u, &(struct exit_info){CLD_DUMPED, SIGTERM}),
                  "a core dump after SIGTERM is unclean");
}

static void test_classify(void) {
        struct hutch_unit u;
        unit_defaults(&u);
        TAP_CHECK(exit_classify(&u, &EXIT0, EXIT_REASON_SUCCESS, false) == EXIT_REASON_SUCCESS,
                  "exit 0: success");
        TAP_CHECK(exit_classify(&u, &EXIT1, EXIT_REASON_SUCCESS, false) == EXIT_REASON_EXIT_CODE,
                  "exit 1: exit-code");
        TAP_CHECK(exit_classify(&u, &KILLED_KILL, EXIT_REASON_SUCCESS, false) == EXIT_REASON_SIGNAL,
                  "SIGKILL: signal");
        TAP_CHECK(exit_classify(&u, &DUMPED_SEGV, EXIT_REASON_SUCCESS, false) == EXIT_REASON_CORE_DUMP,
                  "SIGSEGV with core: core-dump");
        TAP_CHECK(exit_classify(&u, &KILLED_KILL, EXIT_REASON_SUCCESS, true) == EXIT_REASON_OOM_KILL,
                  "OOM counter grew: oom-kill");
        TAP_CHECK(exit_classify(&u, &KILLED_ABRT, EXIT_REASON_WATCHDOG, false) == EXIT_REASON_WATCHDOG,
                  "killed after a watchdog timeout: watchdog");
        TAP_CHECK(exit_classify(&u, &KILLED_TERM, EXIT_REASON_TIMEOUT, false) == EXIT_REASON_TIMEOUT,
                  "killed after a start timeout: timeout");
        u.service.exec_start.ignore_failure = true;
        TAP_CHECK(exit_classify(&u, &EXIT1, EXIT_REASON_SUCCESS, false) == EXIT_REASON_SUCCESS,
                  "ExecStart=- turns exit 1 into success");
        TAP_CHECK(exit_classify(&u, &DUMPED_SEGV, EXIT_REASON_SUCCESS, false) == EXIT_REASON_SUCCESS,
                  "ExecStart=- turns a core dump into success");
        TAP_CHECK(exit_classify(&u, &KILLED_KILL, EXIT_REASON_TIMEOUT, false) == EXIT_REASON_TIMEOUT,
                  "ExecStart=- does not hide a timeout");
        TAP_STREQ(exit_reason_to_string(EXIT_REASON_START_LIMIT_HIT), "start-limit-hit", "reason names");
        TAP_STREQ(exit_reason_to_string(EXIT_REASON_OOM_KILL), "oom-kill", "reason names");
        TAP_STREQ(exit_reason_to_string(EXIT_REASON_PROTOCOL), "protocol", "reason names");
        TAP_CHECK(exit_reason_to_string(_EXIT_REASON_MAX) == NULL, "reason names end");
}

/* Control commands (ExecStartPre= and the others): systemd's exec_command result, and
 * ExecCondition='s 1-254 meaning "skip". */
static void test_control(void) {
        struct exec_command plain = {0}, dash = {.ignore_failure = true};
        TAP_CHECK(control_exit_classify(EXEC_START_PRE, &plain, &EXIT0) == EXIT_REASON_SUCCESS,
                  "control: exit 0 is success");
        TAP_CHECK(control_exit_classify(EXEC_START_PRE, &plain, &EXIT1) == EXIT_REASON_EXIT_CODE,
                  "control: exit 1 is exit-code");
        TAP_CHECK(control_exit_classify(EXEC_STOP, &plain, &KILLED_TERM) == EXIT_REASON_SIGNAL,
                  "control: SIGTERM is a failure (no daemon leniency)");
        TAP_CHECK(control_exit_classify(EXEC_STOP_POST, &plain, &DUMPED_SEGV) == EXIT_REASON_CORE_DUMP,
                  "control: a core dump is core-dump");
        TAP_CHECK(control_exit_classify(EXEC_START_PRE, &dash, &EXIT1) == EXIT_REASON_SUCCESS,
                  "control: '-' turns exit 1 into success");
        TAP_CHECK(control_exit_classify(EXEC_START_POST, &dash, &KILLED_KILL) == EXIT_REASON_SUCCESS,
                  "control: '-' turns a signal into success");
        TAP_CHECK(control_exit_classify(EXEC_CONDITION, &plain, &EXIT1) == EXIT_REASON_EXEC_CONDITION,
                  "ExecCondition= exit 1: exec-condition");
        TAP_CHECK(control_exit_classify(EXEC_CONDITION, &plain, &(struct exit_info){CLD_EXITED, 254}) ==
                          EXIT_REASON_EXEC_CONDITION,
                  "ExecCondition= exit 254: exec-condition");
        TAP_CHECK(control_exit_classify(EXEC_CONDITION, &plain, &(struct exit_info){CLD_EXITED, 255}) ==
                          EXIT_REASON_EXIT_CODE,
                  "ExecCondition= exit 255: a failure");
        TAP_CHECK(control_exit_classify(EXEC_CONDITION, &dash, &EXIT1) == EXIT_REASON_EXEC_CONDITION,
                  "ExecCondition=- exit 1: still skips");
        TAP_CHECK(control_exit_classify(EXEC_CONDITION, &plain, &KILLED_KILL) == EXIT_REASON_SIGNAL,
                  "ExecCondition= killed: a failure");
        TAP_STREQ(exit_reason_to_string(EXIT_REASON_EXEC_CONDITION), "exec-condition", "reason names");

        struct hutch_unit u;
        unit_defaults(&u);
        u.service.restart = RESTART_ALWAYS;
        struct restart_history h = {0};
        struct restart_decision d = restart_decide(&u, EXIT_REASON_EXEC_CONDITION, &EXIT1, false, &h, 0);
        TAP_CHECK(d.action == RESTART_ACTION_STOP,
                  "exec-condition is never restarted, not even by Restart=always");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_EXEC_CONDITION, &EXIT1, false, false) == 0,
                  "exec-condition: hutch run exits 0");
}

/* systemd.service(5), "Table 2. Exit causes and the effect of the Restart= settings", plus
 * oom-kill which systemd treats as a failure that is not an exit code. */
static void test_table(void) {
        static const enum restart_policy policies[] = {
                RESTART_NO,          RESTART_ALWAYS,   RESTART_ON_SUCCESS, RESTART_ON_FAILURE,
                RESTART_ON_ABNORMAL, RESTART_ON_ABORT, RESTART_ON_WATCHDOG};
        static const char *const policy_names[] = {"no",          "always",   "on-success", "on-failure",
                                                   "on-abnormal", "on-abort", "on-watchdog"};
        static const struct {
                const char *cause;
                enum exit_reason reason;
                struct exit_info e;
                /* no always on-success on-failure on-abnormal on-abort on-watchdog */
                bool expect[7];
        } rows[] = {
                {"clean exit code", EXIT_REASON_SUCCESS, {CLD_EXITED, 0}, {0, 1, 1, 0, 0, 0, 0}},
                {"clean signal", EXIT_REASON_SUCCESS, {CLD_KILLED, SIGTERM}, {0, 1, 1, 0, 0, 0, 0}},
                {"unclean exit code", EXIT_REASON_EXIT_CODE, {CLD_EXITED, 1}, {0, 1, 0, 1, 0, 0, 0}},
                {"unclean signal", EXIT_REASON_SIGNAL, {CLD_KILLED, SIGKILL}, {0, 1, 0, 1, 1, 1, 0}},
                {"core dump", EXIT_REASON_CORE_DUMP, {CLD_DUMPED, SIGSEGV}, {0, 1, 0, 1, 1, 1, 0}},
                {"timeout", EXIT_REASON_TIMEOUT, {CLD_KILLED, SIGTERM}, {0, 1, 0, 1, 1, 0, 0}},
                {"watchdog", EXIT_REASON_WATCHDOG, {CLD_DUMPED, SIGABRT}, {0, 1, 0, 1, 1, 0, 1}},
                {"oom-kill", EXIT_REASON_OOM_KILL, {CLD_KILLED, SIGKILL}, {0, 1, 0, 1, 1, 0, 0}},
                /* service_shall_restart(): "protocol" is a failure that is not an exit code. */
                {"protocol", EXIT_REASON_PROTOCOL, {CLD_EXITED, 0}, {0, 1, 0, 1, 1, 0, 0}},
        };
        for (size_t r = 0; r < ELEMENTSOF(rows); r++)
                for (size_t p = 0; p < ELEMENTSOF(policies); p++) {
                        struct hutch_unit u;
                        unit_defaults(&u);
                        u.service.restart = policies[p];
                        struct restart_history h = {};
                        TAP_CHECK(start_limit_test(&u, &h, 0), "first start allowed");
                        struct restart_decision d =
                                restart_decide(&u, rows[r].reason, &rows[r].e, false, &h, 0);
                        bool restarted = d.action == RESTART_ACTION_RESTART;
                        TAP_CHECK(restarted == rows[r].expect[p], "Restart=%s, %s: %s", policy_names[p],
                                  rows[r].cause, rows[r].expect[p] ? "restart" : "no restart");
                        TAP_CHECK(restart_policy_allows(policies[p], rows[r].reason) == rows[r].expect[p],
                                  "restart_policy_allows agrees for Restart=%s, %s", policy_names[p],
                                  rows[r].cause);
                        /* A requested stop never restarts. */
                        d = restart_decide(&u, rows[r].reason, &rows[r].e, true, &h, 0);
                        TAP_CHECK(d.action == RESTART_ACTION_STOP,
                                  "Restart=%s, %s, stop requested: no restart", policy_names[p],
                                  rows[r].cause);
                }
}

static void test_prevent(void) {
        struct hutch_unit u;
        unit_defaults(&u);
        u.service.restart = RESTART_ALWAYS;
        exit_status_set_add_status(&u.service.restart_prevent_exit_status, 3);
        exit_status_set_add_signal(&u.service.restart_prevent_exit_status, SIGKILL);
        struct restart_history h = {};
        start_limit_test(&u, &h, 0);
        TAP_CHECK(restart_decide(&u, EXIT_REASON_EXIT_CODE, &EXIT3, false, &h, 0).action ==
                          RESTART_ACTION_STOP,
                  "RestartPreventExitStatus=3 stops Restart=always on exit 3");
        TAP_CHECK(restart_decide(&u, EXIT_REASON_EXIT_CODE, &EXIT1, false, &h, 0).action ==
                          RESTART_ACTION_RESTART,
                  "RestartPreventExitStatus=3 lets exit 1 restart");
        TAP_CHECK(restart_decide(&u, EXIT_REASON_SIGNAL, &KILLED_KILL, false, &h, 0).action ==
                          RESTART_ACTION_STOP,
                  "RestartPreventExitStatus=SIGKILL stops a SIGKILLed payload");
        /* status 3 of an exit, not signal 3 */
        TAP_CHECK(restart_decide(&u, EXIT_REASON_SIGNAL, &(struct exit_info){CLD_KILLED, 3}, false, &h, 0)
                                  .action == RESTART_ACTION_RESTART,
                  "RestartPreventExitStatus=3 does not match signal 3");
        /* ExecStart=- : an exit 1 is success, so on-failure does not restart. */
        u.service.restart = RESTART_ON_FAILURE;
        u.service.exec_start.ignore_failure = true;
        enum exit_reason r = exit_classify(&u, &EXIT1, EXIT_REASON_SUCCESS, false);
        TAP_CHECK(restart_decide(&u, r, &EXIT1, false, &h, 0).action == RESTART_ACTION_STOP,
                  "ExecStart=-: exit 1 does not restart with Restart=on-failure");
}

static void test_backoff(void) {
        struct hutch_unit u;
        unit_defaults(&u);
        TAP_CHECK(restart_delay(&u, 1) == 100 * MS, "default RestartSec=100ms");
        TAP_CHECK(restart_delay(&u, 7) == 100 * MS, "no backoff without RestartSteps=");

        u.service.restart_steps = 4;
        TAP_CHECK(restart_delay(&u, 5) == 100 * MS, "RestartSteps= without RestartMaxDelaySec= is ignored");

        u.service.restart_max_delay = 1600 * MS;
        static const usec_t expect[] = {100 * MS,  200 * MS,  400 * MS, 800 * MS,
                                        1600 * MS, 1600 * MS, 1600 * MS};
        for (unsigned n = 1; n <= ELEMENTSOF(expect); n++) {
                usec_t d = restart_delay(&u, n);
                /* powl rounding: allow one microsecond */
                TAP_CHECK(d + 1 >= expect[n - 1] && d <= expect[n - 1] + 1,
                          "100ms..1.6s in 4 steps: restart %u waits %llu us (want %llu)", n,
                          (unsigned long long) d, (unsigned long long) expect[n - 1]);
        }

        u.service.restart_sec = 1 * SEC;
        u.service.restart_steps = 3;
        u.service.restart_max_delay = 8 * SEC;
        usec_t d2 = restart_delay(&u, 2), d3 = restart_delay(&u, 3), d4 = restart_delay(&u, 4);
        TAP_CHECK(d2 + 1 >= 2 * SEC && d2 <= 2 * SEC + 1, "1s..8s in 3 steps: second restart 2s");
        TAP_CHECK(d3 + 1 >= 4 * SEC && d3 <= 4 * SEC + 1, "1s..8s in 3 steps: third restart 4s");
        TAP_CHECK(d4 == 8 * SEC, "1s..8s in 3 steps: fourth restart 8s");

        u.service.restart_sec = 10 * SEC;
        TAP_CHECK(restart_delay(&u, 3) == 10 * SEC, "RestartSec= above RestartMaxDelaySec=: RestartSec=");
        u.service.restart_sec = 0;
        TAP_CHECK(restart_delay(&u, 3) == 0, "RestartSec=0: immediate");
        u.service.restart_sec = USEC_INFINITY;
        TAP_CHECK(restart_delay(&u, 3) == USEC_INFINITY, "RestartSec=infinity: waits for ever");
        u.service.restart = RESTART_ALWAYS;
        struct restart_decision dinf =
                restart_decide(&u, EXIT_REASON_SUCCESS, &(struct exit_info){CLD_EXITED, 0}, false,
                               &(struct restart_history){}, 5 * SEC);
        TAP_CHECK(dinf.action == RESTART_ACTION_RESTART && dinf.delay == USEC_INFINITY,
                  "RestartSec=infinity: a restart that never comes, within the start limit");

        /* The decision carries the backoff and the count. */
        unit_defaults(&u);
        u.service.restart = RESTART_ALWAYS;
        u.service.restart_steps = 2;
        u.service.restart_max_delay = 400 * MS;
        u.unit.start_limit_interval = 0; /* no limit */
        struct restart_history h = {};
        usec_t now = 0;
        static const usec_t want[] = {100 * MS, 200 * MS, 400 * MS, 400 * MS};
        for (unsigned i = 0; i < ELEMENTSOF(want); i++) {
                struct restart_decision d =
                        restart_decide(&u, EXIT_REASON_EXIT_CODE, &EXIT1, false, &h, now);
                TAP_CHECK(d.action == RESTART_ACTION_RESTART && d.history.n_restarts == i + 1 &&
                                  d.delay + 1 >= want[i] && d.delay <= want[i] + 1,
                          "decision %u: restart #%u after %llu us", i + 1, d.history.n_restarts,
                          (unsigned long long) d.delay);
                h = d.history;
                now += d.delay + 5 * MS;
        }
}

/* Simulates a payload that fails `run_time` after each start; returns the number of restarts
 * before the decision gave up (or `max` when it never did). */
static unsigned simulate(const struct hutch_unit *u, usec_t run_time, unsigned max, usec_t *ret_now) {
        struct restart_history h = {};
        usec_t now = 1000 * SEC; /* the monotonic clock does not start at zero */
        if (!start_limit_test(u, &h, now))
                return 0;
        for (unsigned i = 0; i < max; i++) {
                now += run_time;
                struct restart_decision d = restart_decide(u, EXIT_REASON_EXIT_CODE, &EXIT1, false, &h, now);
                if (d.action == RESTART_ACTION_GIVE_UP) {
                        TAP_CHECK(d.history.n_restarts == i, "give up keeps the restart count (%u)", i);
                        if (ret_now)
                                *ret_now = now;
                        return i;
                }
                if (d.action != RESTART_ACTION_RESTART)
                        return max + 1;
                h = d.history;
                now += d.delay;
        }
        return max;
}

static void test_start_limit(void) {
        struct hutch_unit u;
        unit_defaults(&u);
        u.service.restart = RESTART_ON_FAILURE;

        /* systemd's defaults (5 starts in 10 s, RestartSec=100ms): 5 runs, i.e. 4 restarts, then
         * the 5th restart is refused with start-limit-hit. */
        TAP_CHECK(simulate(&u, 0, 100, NULL) == 4, "default limits: 4 restarts, then start-limit-hit");
        TAP_CHECK(simulate(&u, 1 * SEC, 100, NULL) == 4, "1 s runs: still 4 restarts within 10 s");

        /* A start every 3.1 s: 4 starts per 10 s window, never more than 5: no give up. */
        u.service.restart_sec = 3 * SEC;
        TAP_CHECK(simulate(&u, 100 * MS, 50, NULL) == 50, "RestartSec=3s: 50 restarts, never gives up");

        /* StartLimitBurst=3, StartLimitIntervalSec=2s, RestartSec=500ms, instant crash: starts at
         * 0, .5, 1.0; the start at 1.5 is the 4th in the window. */
        unit_defaults(&u);
        u.service.restart = RESTART_ALWAYS;
        u.service.restart_sec = 500 * MS;
        u.unit.start_limit_burst = 3;
        u.unit.start_limit_interval = 2 * SEC;
        usec_t t = 0;
        TAP_CHECK(simulate(&u, 0, 100, &t) == 2, "burst 3 in 2 s: 2 restarts then give up");
        TAP_CHECK(t == 1000 * SEC + 1 * SEC, "gave up when the payload failed at +1s");

        /* The window opens anew once it has passed. */
        struct restart_history h = {};
        TAP_CHECK(start_limit_test(&u, &h, 0), "window: start 1 at 0");
        TAP_CHECK(start_limit_test(&u, &h, 1 * SEC), "window: start 2 at 1s");
        TAP_CHECK(start_limit_test(&u, &h, 2 * SEC), "window: start 3 at 2s");
        TAP_CHECK(!start_limit_test(&u, &h, 2 * SEC), "window: start 4 at 2s refused");
        TAP_CHECK(start_limit_test(&u, &h, 2 * SEC + 1), "window: start at 2s+1us opens a new window");

        /* StartLimitIntervalSec=0 disables the limit. */
        unit_defaults(&u);
        u.service.restart = RESTART_ALWAYS;
        u.service.restart_sec = 0;
        u.unit.start_limit_interval = 0;
        TAP_CHECK(simulate(&u, 0, 500, NULL) == 500, "StartLimitIntervalSec=0: no limit");
        u.unit.start_limit_interval = 10 * SEC;
        u.unit.start_limit_burst = 0;
        TAP_CHECK(simulate(&u, 0, 500, NULL) == 500, "StartLimitBurst=0: no limit");
}

static void test_exit_status(void) {
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_EXIT_CODE, &EXIT3, false, false) == 3,
                  "exit 3 -> 3");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_SIGNAL, &KILLED_KILL, false, false) == 137,
                  "SIGKILL -> 137");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_CORE_DUMP, &DUMPED_SEGV, false, false) == 139,
                  "SIGSEGV -> 139");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_SUCCESS, &EXIT0, false, false) == 0, "exit 0 -> 0");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_SUCCESS, &KILLED_TERM, false, false) == 143,
                  "SIGTERM from elsewhere -> 143");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_SUCCESS, &KILLED_TERM, false, true) == 0,
                  "SIGTERM of a requested stop -> 0");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_SUCCESS, &EXIT1, true, false) == 0,
                  "ExecStart=- -> 0");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_WATCHDOG, &EXIT0, false, false) == 1,
                  "a failed result is never 0");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_START_LIMIT_HIT, &EXIT3, false, false) == 3,
                  "start-limit-hit keeps the last status");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_PROTOCOL, &EXIT0, false, false) == 1,
                  "protocol (exit 0 before READY=1) -> 1");
        TAP_CHECK(supervisor_exit_status_for(EXIT_REASON_PROTOCOL, &EXIT0, true, false) == 1,
                  "protocol with ExecStart=- -> 1");
}

int main(void) {
        test_clean();
        test_classify();
        test_control();
        test_table();
        test_prevent();
        test_backoff();
        test_start_limit();
        test_exit_status();
        return tap_done();
}
