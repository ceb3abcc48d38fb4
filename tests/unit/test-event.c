/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loop against real kernel objects: a pipe, a blocked signal read through signalfd,
 * timers, a forked child reaped through its pidfd, an inotify watch. Timers use deadlines of a
 * few milliseconds; every wait ends with the loop's exit, none with a sleep. */

#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hutch/event.h"
#include "hutch/log.h"
#include "shared/syscall.h"
#include "tap.h"

#define MS USEC_PER_MSEC

static int exit_on_timer(struct event_source *s, usec_t when, void *userdata) {
        struct event_loop *e = userdata;
        event_loop_exit(e, 99);
        return 0;
}

/* --- io -------------------------------------------------------------------------------------- */

struct io_seen {
        struct event_loop *loop;
        unsigned calls;
        uint32_t revents;
        char byte;
};

static int on_pipe(struct event_source *s, int fd, uint32_t revents, void *userdata) {
        struct io_seen *seen = userdata;
        seen->calls++;
        seen->revents = revents;
        if (read(fd, &seen->byte, 1) != 1)
                return -errno;
        event_loop_exit(seen->loop, 0);
        return 0;
}

static void test_io(void) {
        struct event_loop *e = NULL;
        struct event_source *src = NULL;
        int p[2];
        TAP_CHECK(event_loop_new(&e) == 0, "io: loop created");
        TAP_CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0, "io: pipe");
        struct io_seen seen = {.loop = e};
        TAP_CHECK(event_add_io(e, &src, p[0], EPOLLIN, on_pipe, &seen) == 0, "io: source added");
        TAP_CHECK(event_add_io(e, NULL, -1, EPOLLIN, on_pipe, &seen) == -EBADF, "io: fd -1 is -EBADF");
        TAP_CHECK(write(p[1], "x", 1) == 1, "io: byte written");
        int r = event_loop_run(e);
        TAP_CHECK(r == 0, "io: run returned %d", r);
        TAP_CHECK(seen.calls == 1 && seen.byte == 'x' && (seen.revents & EPOLLIN),
                  "io: handler saw the byte once with EPOLLIN (calls %u)", seen.calls);
        TAP_CHECK(event_loop_run(e) == 0 && seen.calls == 1, "io: an exited loop returns its code at once");

        /* Disabled, a readable fd is not dispatched; enabled again, it is. */
        struct event_loop *e2 = NULL;
        TAP_CHECK(event_loop_new(&e2) == 0, "io: second loop");
        struct io_seen seen2 = {.loop = e2};
        TAP_CHECK(event_add_io(e2, &src, p[0], EPOLLIN, on_pipe, &seen2) == 0, "io: second source");
        TAP_CHECK(event_source_set_enabled(src, false) == 0 && !event_source_get_enabled(src),
                  "io: disabled");
        TAP_CHECK(write(p[1], "y", 1) == 1, "io: byte written");
        TAP_CHECK(event_add_timer(e2, NULL, 20 * MS, exit_on_timer, e2) == 0, "io: exit timer");
        r = event_loop_run(e2);
        TAP_CHECK(r == 99 && seen2.calls == 0, "io: disabled source not dispatched (run %d, calls %u)", r,
                  seen2.calls);
        event_loop_free(e2);

        TAP_CHECK(event_loop_new(&e2) == 0, "io: third loop");
        seen2 = (struct io_seen){.loop = e2};
        TAP_CHECK(event_add_io(e2, &src, p[0], EPOLLIN, on_pipe, &seen2) == 0, "io: third source");
        TAP_CHECK(event_source_set_enabled(src, false) == 0 && event_source_set_enabled(src, true) == 0,
                  "io: disabled and enabled again");
        r = event_loop_run(e2);
        TAP_CHECK(r == 0 && seen2.calls == 1 && seen2.byte == 'y', "io: re-enabled source dispatched");
        TAP_CHECK(event_source_get_time(src, &(usec_t){0}) == -ENOTTY, "io: no deadline on an io source");
        event_loop_free(e2);
        event_loop_free(e);
        close(p[0]);
        close(p[1]);
}

/* --- signals --------------------------------------------------------------------------------- */

struct sig_seen {
        struct event_loop *loop;
        unsigned calls;
        uint32_t signo;
        int32_t pid;
};

static int on_signal(struct event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct sig_seen *seen = userdata;
        seen->calls++;
        seen->signo = si->ssi_signo;
        seen->pid = si->ssi_pid;
        event_loop_exit(seen->loop, 3);
        return 0;
}

static void test_signal(void) {
        struct event_loop *e = NULL;
        sigset_t mask, saved;
        sigemptyset(&mask);
        sigaddset(&mask, SIGUSR1);
        TAP_CHECK(sigprocmask(SIG_BLOCK, &mask, &saved) == 0, "signal: SIGUSR1 blocked");
        TAP_CHECK(event_loop_new(&e) == 0, "signal: loop created");
        struct sig_seen seen = {.loop = e};
        int r = event_add_signal(e, NULL, SIGUSR2, on_signal, &seen);
        TAP_CHECK(r == -EBUSY, "signal: an unblocked signal is refused (%d)", r);
        TAP_CHECK(event_add_signal(e, NULL, SIGUSR1, on_signal, &seen) == 0, "signal: source added");
        TAP_CHECK(raise(SIGUSR1) == 0, "signal: raised");
        r = event_loop_run(e);
        TAP_CHECK(r == 3 && seen.calls == 1 && seen.signo == SIGUSR1 && seen.pid == getpid(),
                  "signal: SIGUSR1 from us read through signalfd (run %d, signo %u)", r, seen.signo);
        event_loop_free(e); /* frees the loop-owned source and its signalfd */
        sigset_t pending;
        sigpending(&pending);
        TAP_CHECK(!sigismember(&pending, SIGUSR1), "signal: consumed, not left pending");
        (void) sigprocmask(SIG_SETMASK, &saved, NULL);
}

static int on_signal_set(struct event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        struct sig_seen *seen = userdata;
        seen->signo = seen->signo * 100 + si->ssi_signo; /* the order they were read in */
        if (++seen->calls == 2)
                event_loop_exit(seen->loop, 4);
        return 0;
}

static void test_signal_set(void) {
        struct event_loop *e = NULL;
        sigset_t mask, saved;
        sigemptyset(&mask);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGUSR2);
        TAP_CHECK(sigprocmask(SIG_BLOCK, &mask, &saved) == 0, "signal set: SIGUSR1, SIGUSR2 blocked");
        TAP_CHECK(event_loop_new(&e) == 0, "signal set: loop created");
        struct sig_seen seen = {.loop = e};
        const int bad[] = {SIGUSR1, SIGHUP}, good[] = {SIGUSR1, SIGUSR2};
        TAP_CHECK(event_add_signals(e, NULL, bad, 2, on_signal_set, &seen) == -EBUSY,
                  "signal set: refused when one of them is not blocked");
        TAP_CHECK(event_add_signals(e, NULL, good, 0, on_signal_set, &seen) == -EINVAL,
                  "signal set: empty refused");
        TAP_CHECK(event_add_signals(e, NULL, good, 2, on_signal_set, &seen) == 0,
                  "signal set: one source for both");
        TAP_CHECK(raise(SIGUSR2) == 0 && raise(SIGUSR1) == 0, "signal set: both raised");
        int r = event_loop_run(e);
        /* signalfd reads the lowest-numbered pending signal first */
        TAP_CHECK(r == 4 && seen.calls == 2 && seen.signo == (unsigned) (SIGUSR1 * 100 + SIGUSR2),
                  "signal set: both read, told apart by ssi_signo (run %d, calls %u, %u)", r, seen.calls,
                  seen.signo);
        event_loop_free(e);
        (void) sigprocmask(SIG_SETMASK, &saved, NULL);
}

/* --- timers ---------------------------------------------------------------------------------- */

struct timer_log {
        struct event_loop *loop;
        char order[16];
        unsigned n;
        bool early;          /* a handler ran before its deadline */
        unsigned rearm_left; /* 'r' re-arms itself this often */
        struct event_source *extended, *disabled, *checked;
        bool extended_fired_before_check;
};

static int on_timer(struct event_source *s, usec_t when, void *userdata, char tag) {
        struct timer_log *l = userdata;
        if (now_monotonic() < when)
                l->early = true;
        if (l->n < sizeof l->order - 1)
                l->order[l->n++] = tag;
        return 0;
}

static int on_a(struct event_source *s, usec_t when, void *userdata) {
        return on_timer(s, when, userdata, 'a');
}
static int on_b(struct event_source *s, usec_t when, void *userdata) {
        return on_timer(s, when, userdata, 'b');
}
static int on_c(struct event_source *s, usec_t when, void *userdata) {
        struct timer_log *l = userdata;
        on_timer(s, when, userdata, 'c');
        event_loop_exit(l->loop, 0);
        return 0;
}
static int on_rearm(struct event_source *s, usec_t when, void *userdata) {
        struct timer_log *l = userdata;
        on_timer(s, when, userdata, 'r');
        TAP_CHECK(!event_source_get_enabled(s), "timer: one-shot, off inside its own handler");
        if (l->rearm_left > 0) {
                l->rearm_left--;
                return event_source_set_time_relative(s, 2 * MS);
        }
        event_loop_exit(l->loop, 5);
        return 0;
}
static int on_extended(struct event_source *s, usec_t when, void *userdata) {
        return on_timer(s, when, userdata, 'x');
}
static int on_disabled(struct event_source *s, usec_t when, void *userdata) {
        return on_timer(s, when, userdata, 'd');
}

static void test_timers(void) {
        struct event_loop *e = NULL;
        struct event_source *a = NULL, *b = NULL, *c = NULL;
        TAP_CHECK(event_loop_new(&e) == 0, "timer: loop created");
        struct timer_log l = {.loop = e};
        /* Added out of order: dispatched by deadline. */
        TAP_CHECK(event_add_timer(e, &c, 30 * MS, on_c, &l) == 0 &&
                          event_add_timer(e, &a, 10 * MS, on_a, &l) == 0 &&
                          event_add_timer(e, &b, 20 * MS, on_b, &l) == 0,
                  "timer: three timers added");
        TAP_CHECK(event_source_get_enabled(a), "timer: armed when added");
        /* Deadlines from one clock reading: a preemption between the three adds (a loaded CI
         * machine, a sanitizer build) must not reorder them. */
        usec_t t0 = now_monotonic();
        TAP_CHECK(event_source_set_time(c, t0 + 30 * MS) == 0 &&
                          event_source_set_time(a, t0 + 10 * MS) == 0 &&
                          event_source_set_time(b, t0 + 20 * MS) == 0,
                  "timer: absolute deadlines set");
        int r = event_loop_run(e);
        TAP_CHECK(r == 0, "timer: run returned %d", r);
        TAP_STREQ(l.order, "abc", "timer: fired by deadline");
        TAP_CHECK(!l.early, "timer: none fired before its deadline");
        TAP_CHECK(!event_source_get_enabled(a) && !event_source_get_enabled(b), "timer: off after firing");
        event_loop_free(e);

        /* Re-armed from its own handler. */
        TAP_CHECK(event_loop_new(&e) == 0, "timer: loop for re-arm");
        l = (struct timer_log){.loop = e, .rearm_left = 3};
        TAP_CHECK(event_add_timer(e, NULL, 1 * MS, on_rearm, &l) == 0, "timer: self re-arming timer");
        r = event_loop_run(e);
        TAP_CHECK(r == 5, "timer: exit code of the fourth firing (%d)", r);
        TAP_STREQ(l.order, "rrrr", "timer: fired once and three times re-armed");
        event_loop_free(e);

        /* Disabled, extended, re-enabled. */
        TAP_CHECK(event_loop_new(&e) == 0, "timer: loop for disable/extend");
        l = (struct timer_log){.loop = e};
        struct event_source *x = NULL, *d = NULL;
        TAP_CHECK(event_add_timer(e, &d, 1 * MS, on_disabled, &l) == 0, "timer: to be disabled");
        TAP_CHECK(event_source_set_enabled(d, false) == 0, "timer: disabled");
        TAP_CHECK(event_add_timer(e, &x, 5 * MS, on_extended, &l) == 0, "timer: to be extended");
        usec_t when = 0;
        TAP_CHECK(event_source_get_time(x, &when) == 0 && when > now_monotonic(), "timer: deadline ahead");
        TAP_CHECK(event_source_set_time(x, when + 40 * MS) == 0, "timer: extended by 40ms");
        usec_t when2 = 0;
        TAP_CHECK(event_source_get_time(x, &when2) == 0 && when2 == when + 40 * MS,
                  "timer: new deadline read back");
        TAP_CHECK(event_add_timer(e, &a, 20 * MS, on_a, &l) == 0, "timer: 20ms marker");
        TAP_CHECK(event_add_timer(e, &c, 60 * MS, on_c, &l) == 0, "timer: 60ms exit");
        /* The marker and the exit relative to x's first deadline, not to when they were added. */
        TAP_CHECK(event_source_set_time(a, when + 15 * MS) == 0 &&
                          event_source_set_time(c, when + 55 * MS) == 0,
                  "timer: marker and exit deadlines pinned");
        r = event_loop_run(e);
        TAP_STREQ(l.order, "axc",
                  "timer: the extended timer fired after the 20ms one, the disabled one never");
        TAP_CHECK(!l.early, "timer: none fired before its deadline");
        /* Enabled again, a timer is armed with the deadline it had. */
        TAP_CHECK(event_source_set_enabled(d, true) == 0 && event_source_get_enabled(d),
                  "timer: enabling arms it again");
        event_loop_free(e);

        /* A handler that re-arms with 0 does not starve fds: each re-arm waits an iteration. */
        TAP_CHECK(event_loop_new(&e) == 0, "timer: loop for a zero re-arm");
        l = (struct timer_log){.loop = e, .rearm_left = 2};
        TAP_CHECK(event_add_timer(e, NULL, 0, on_rearm, &l) == 0, "timer: zero timer");
        TAP_CHECK(event_loop_run(e) == 5, "timer: zero re-arms end");
        TAP_STREQ(l.order, "rrr", "timer: zero timer fired three times");
        event_loop_free(e);
}

/* --- children -------------------------------------------------------------------------------- */

struct child_seen {
        struct event_loop *loop;
        struct event_source **src;
        unsigned calls;
        siginfo_t si;
};

static int on_child(struct event_source *s, const siginfo_t *si, void *userdata) {
        struct child_seen *seen = userdata;
        seen->calls++;
        seen->si = *si;
        /* Removing the source inside its own handler: closes the pidfd, memory freed later. */
        *seen->src = event_source_free(*seen->src);
        event_loop_exit(seen->loop, 42);
        return 0;
}

/* A timer far out, to give the loop a source that is not a child's: ends the run with 99. */
static int on_timer_never(struct event_source *s, usec_t when, void *userdata) {
        event_loop_exit(userdata, 99);
        return 0;
}

static void test_child(void) {
        struct event_loop *e = NULL;
        struct event_source *src = NULL;
        TAP_CHECK(event_loop_new(&e) == 0, "child: loop created");
        pid_t pid = fork();
        if (pid == 0)
                _exit(7);
        TAP_CHECK(pid > 0, "child: forked");
        int pidfd = pidfd_open(pid, 0);
        TAP_CHECK(pidfd >= 0, "child: pidfd opened");
        struct child_seen seen = {.loop = e, .src = &src};
        TAP_CHECK(event_add_child_pidfd(e, &src, pidfd, true, on_child, &seen) == 0, "child: source added");
        int r = event_loop_run(e);
        TAP_CHECK(r == 42, "child: run returned the exit code (%d)", r);
        TAP_CHECK(seen.calls == 1 && seen.si.si_pid == pid && seen.si.si_code == CLD_EXITED &&
                          seen.si.si_status == 7,
                  "child: CLD_EXITED status 7 (code %d status %d)", seen.si.si_code, seen.si.si_status);
        TAP_CHECK(src == NULL, "child: source freed in its handler");
        TAP_CHECK(fcntl(pidfd, F_GETFD) < 0 && errno == EBADF, "child: owned pidfd closed with the source");
        TAP_CHECK(waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD, "child: reaped by the loop");
        event_loop_free(e);

        /* Not owned: the pidfd stays open after the source is gone. */
        TAP_CHECK(event_loop_new(&e) == 0, "child: loop without ownership");
        pid = fork();
        if (pid == 0)
                _exit(0);
        pidfd = pidfd_open(pid, 0);
        seen = (struct child_seen){.loop = e, .src = &src};
        TAP_CHECK(event_add_child_pidfd(e, &src, pidfd, false, on_child, &seen) == 0, "child: source added");
        TAP_CHECK(event_loop_run(e) == 42 && seen.si.si_status == 0, "child: exit 0 seen");
        TAP_CHECK(fcntl(pidfd, F_GETFD) >= 0, "child: unowned pidfd left open");
        close(pidfd);
        event_loop_free(e);

        /* Handed to another handler before the exit: the new one runs, with its userdata, on
         * the same owned pidfd; other sources refuse the swap. */
        TAP_CHECK(event_loop_new(&e) == 0, "child: loop for a handler swap");
        int pipefd[2];
        TAP_CHECK(pipe2(pipefd, O_CLOEXEC) == 0, "child: pipe to hold the child");
        pid = fork();
        if (pid == 0) {
                char c;
                close(pipefd[1]);
                (void) read(pipefd[0], &c, 1);
                _exit(3);
        }
        close(pipefd[0]);
        pidfd = pidfd_open(pid, 0);
        struct child_seen first = {.loop = e, .src = &src}, second = {.loop = e, .src = &src};
        TAP_CHECK(event_add_child_pidfd(e, &src, pidfd, true, on_child, &first) == 0, "child: source added");
        TAP_CHECK(event_source_set_child_handler(src, on_child, &second) == 0, "child: handler swapped");
        struct event_source *timer = NULL;
        TAP_CHECK(event_add_timer(e, &timer, 10 * USEC_PER_SEC, on_timer_never, e) == 0 &&
                          event_source_set_child_handler(timer, on_child, &second) == -ENOTTY,
                  "child: a timer refuses a child handler");
        close(pipefd[1]); /* the child exits */
        TAP_CHECK(event_loop_run(e) == 42, "child: loop ended by the new handler");
        TAP_CHECK(first.calls == 0 && second.calls == 1 && second.si.si_pid == pid &&
                          second.si.si_status == 3,
                  "child: only the new handler ran, with status 3 (%u, %u, %d)", first.calls, second.calls,
                  second.si.si_status);
        TAP_CHECK(fcntl(pidfd, F_GETFD) < 0 && errno == EBADF, "child: pidfd still owned by the source");
        event_loop_free(e);
}

/* --- inotify --------------------------------------------------------------------------------- */

struct inotify_seen {
        struct event_loop *loop;
        unsigned calls;
        uint32_t mask;
};

static int on_inotify(struct event_source *s, const struct inotify_event *ev, void *userdata) {
        struct inotify_seen *seen = userdata;
        seen->calls++;
        seen->mask |= ev->mask;
        event_loop_exit(seen->loop, 0);
        return 0;
}

static void test_inotify(void) {
        char path[] = "/tmp/hutch-test-event.XXXXXX";
        int fd = mkstemp(path);
        TAP_CHECK(fd >= 0, "inotify: temp file");
        struct event_loop *e = NULL;
        TAP_CHECK(event_loop_new(&e) == 0, "inotify: loop created");
        struct inotify_seen seen = {.loop = e};
        TAP_CHECK(event_add_inotify(e, NULL, path, IN_MODIFY, on_inotify, &seen) == 0,
                  "inotify: watch added");
        TAP_CHECK(event_add_inotify(e, NULL, "/nonexistent/hutch", IN_MODIFY, on_inotify, &seen) == -ENOENT,
                  "inotify: a missing path is -ENOENT");
        TAP_CHECK(write(fd, "1", 1) == 1, "inotify: file modified");
        TAP_CHECK(event_loop_run(e) == 0 && seen.calls == 1 && (seen.mask & IN_MODIFY),
                  "inotify: IN_MODIFY seen (calls %u mask %#x)", seen.calls, seen.mask);
        event_loop_free(e);
        close(fd);
        unlink(path);
}

/* --- removal inside handlers, handler errors ---------------------------------------------- */

struct pair {
        struct event_loop *loop;
        struct event_source *src[2];
        unsigned calls[2];
        int fd[2];
};

/* Both pipes are readable in the same batch; whichever runs first frees both sources. The other
 * handler must not run (under ASan, touching the freed source would be caught). */
static int on_pair(struct event_source *s, int fd, uint32_t revents, void *userdata) {
        struct pair *p = userdata;
        unsigned i = s == p->src[0] ? 0 : 1;
        p->calls[i]++;
        p->src[1 - i] = event_source_free(p->src[1 - i]);
        p->src[i] = event_source_free(p->src[i]);
        return 0;
}

static void test_remove_in_handler(void) {
        struct event_loop *e = NULL;
        int a[2], b[2];
        TAP_CHECK(event_loop_new(&e) == 0, "remove: loop created");
        TAP_CHECK(pipe2(a, O_CLOEXEC) == 0 && pipe2(b, O_CLOEXEC) == 0, "remove: pipes");
        struct pair p = {.loop = e};
        TAP_CHECK(event_add_io(e, &p.src[0], a[0], EPOLLIN, on_pair, &p) == 0 &&
                          event_add_io(e, &p.src[1], b[0], EPOLLIN, on_pair, &p) == 0,
                  "remove: two sources");
        TAP_CHECK(write(a[1], "a", 1) == 1 && write(b[1], "b", 1) == 1, "remove: both readable");
        TAP_CHECK(event_add_timer(e, NULL, 20 * MS, exit_on_timer, e) == 0, "remove: exit timer");
        int r = event_loop_run(e);
        TAP_CHECK(r == 99, "remove: loop went on after the removal (%d)", r);
        TAP_CHECK(p.calls[0] + p.calls[1] == 1 && !p.src[0] && !p.src[1],
                  "remove: one handler ran, both sources gone (calls %u+%u)", p.calls[0], p.calls[1]);
        event_loop_free(e);
        close(a[0]);
        close(a[1]);
        close(b[0]);
        close(b[1]);
}

struct fail_seen {
        unsigned calls;
        unsigned logged;
        char message[256];
};

static int on_fail(struct event_source *s, int fd, uint32_t revents, void *userdata) {
        struct fail_seen *f = userdata;
        f->calls++;
        return -EIO; /* the pipe stays readable: only disabling stops the calls */
}

static void capture_log(int level, const char *message, void *userdata) {
        struct fail_seen *f = userdata;
        f->logged++;
        snprintf(f->message, sizeof f->message, "%s", message);
}

static void test_handler_error(void) {
        struct event_loop *e = NULL;
        struct event_source *src = NULL;
        int p[2];
        TAP_CHECK(event_loop_new(&e) == 0, "error: loop created");
        TAP_CHECK(pipe2(p, O_CLOEXEC) == 0, "error: pipe");
        struct fail_seen f = {};
        log_set_sink(capture_log, &f);
        TAP_CHECK(event_add_io(e, &src, p[0], EPOLLIN, on_fail, &f) == 0, "error: source added");
        TAP_CHECK(write(p[1], "z", 1) == 1, "error: readable");
        TAP_CHECK(event_add_timer(e, NULL, 20 * MS, exit_on_timer, e) == 0, "error: exit timer");
        int r = event_loop_run(e);
        log_set_sink(NULL, NULL);
        TAP_CHECK(r == 99, "error: the loop went on (%d)", r);
        TAP_CHECK(f.calls == 1, "error: failing handler called once (%u)", f.calls);
        TAP_CHECK(!event_source_get_enabled(src), "error: its source disabled");
        TAP_CHECK(f.logged == 1 && strstr(f.message, "io handler failed") &&
                          strstr(f.message, strerror(EIO)),
                  "error: logged: %s", f.message);
        event_loop_free(e);
        close(p[0]);
        close(p[1]);
}

static void test_exit_before_run(void) {
        struct event_loop *e = NULL;
        TAP_CHECK(event_loop_new(&e) == 0, "exit: loop created");
        TAP_CHECK(event_add_timer(e, NULL, 1 * MS, exit_on_timer, e) == 0, "exit: timer that would exit 99");
        event_loop_exit(e, 17);
        event_loop_exit(e, 18); /* the first code wins */
        TAP_CHECK(event_loop_run(e) == 17, "exit: exit before run returns its code without dispatching");
        event_loop_free(e);
}

/* Before Linux 5.11 there is no epoll_pwait2(): a seccomp filter makes it fail with ENOSYS in a
 * child, where the loop must go on with epoll_wait() and whole milliseconds. The child reports
 * failed checks as bits of its exit status. */
static int fallback_child(void) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(epoll_pwait2), 0) < 0 ||
            seccomp_load(ctx) < 0)
                return 1;
        seccomp_release(ctx);
        struct epoll_event ev;
        struct timespec zero = {0, 0};
        if (epoll_pwait2(-1, &ev, 1, &zero, NULL) >= 0 || errno != ENOSYS)
                return 2;
        struct event_loop *e = NULL;
        if (event_loop_new(&e) < 0)
                return 4;
        struct timer_log l = {.loop = e};
        struct event_source *a = NULL, *b = NULL, *c = NULL;
        if (event_add_timer(e, &c, 2500, on_c, &l) < 0 || event_add_timer(e, &a, 1500, on_a, &l) < 0 ||
            event_add_timer(e, &b, 1700, on_b, &l) < 0)
                return 8;
        /* One clock reading for all three, as in test_timers(). */
        usec_t t0 = now_monotonic();
        if (event_source_set_time(c, t0 + 2500) < 0 || event_source_set_time(a, t0 + 1500) < 0 ||
            event_source_set_time(b, t0 + 1700) < 0)
                return 8;
        int r = event_loop_run(e);
        event_loop_free(e);
        if (r != 0 || strcmp(l.order, "abc") != 0)
                return 16;
        if (l.early || now_monotonic() - t0 < 2500)
                return 32;
        return 0;
}

static void test_fallback(void) {
        pid_t pid = fork();
        if (pid == 0)
                _exit(fallback_child());
        int status = -1;
        TAP_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fallback: child ran");
        TAP_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "fallback: timers in order and on time with epoll_pwait2() refused (status %#x)", status);
}

int main(void) {
        test_io();
        test_signal();
        test_signal_set();
        test_timers();
        test_child();
        test_inotify();
        test_remove_in_handler();
        test_handler_error();
        test_exit_before_run();
        test_fallback();
        return tap_done();
}
