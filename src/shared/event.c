/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The event loop of hutch/event.h: one epoll instance, fds registered with the source as
 * their data, timers kept in the loop and folded into the wait's timeout (no timerfd per
 * timer). hutch has a handful of sources per unit, so the sources sit in one list and the
 * earliest timer is found by a scan. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hutch/event.h"
#include "hutch/log.h"
#include "shared/syscall.h"

enum source_type {
        SOURCE_IO,
        SOURCE_SIGNAL,
        SOURCE_TIMER,
        SOURCE_CHILD,
        SOURCE_INOTIFY,
};

struct event_source {
        struct event_loop *loop;
        struct event_source *next, *prev; /* loop->sources; `next` links the graveyard once dead */
        enum source_type type;
        bool enabled;
        bool dead;   /* freed during a dispatch: memory released after it */
        int fd;      /* what epoll watches; -1 for timers */
        bool own_fd; /* closed with the source */
        uint32_t events;
        usec_t when;            /* timers: the deadline */
        uint64_t armed_in_iter; /* timers: the iteration that armed it */
        union {
                event_io_handler_t io;
                event_signal_handler_t signal;
                event_time_handler_t time;
                event_child_handler_t child;
                event_inotify_handler_t inotify;
        } cb;
        void *userdata;
};

struct event_loop {
        int epoll_fd;
        struct event_source *sources;
        struct event_source *graveyard;
        uint64_t iteration;
        bool dispatching;
        bool exiting;
        bool no_pwait2; /* kernel < 5.11: epoll_wait() with a timeout in ms */
        int exit_code;
};

usec_t now_monotonic(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / NSEC_PER_USEC;
}

static const char *source_type_to_string(enum source_type t) {
        static const char *const names[] = {
                [SOURCE_IO] = "io",       [SOURCE_SIGNAL] = "signal",   [SOURCE_TIMER] = "timer",
                [SOURCE_CHILD] = "child", [SOURCE_INOTIFY] = "inotify",
        };
        return names[t];
}

int event_loop_new(struct event_loop **ret) {
        struct event_loop *e = new0(struct event_loop, 1);
        if (!e)
                return -ENOMEM;
        e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (e->epoll_fd < 0) {
                int r = -errno;
                free(e);
                return r;
        }
        *ret = e;
        return 0;
}

static int source_epoll(struct event_source *s, int op) {
        struct epoll_event ev = {.events = s->events, .data.ptr = s};
        if (epoll_ctl(s->loop->epoll_fd, op, s->fd, &ev) < 0)
                return -errno;
        return 0;
}

/* The source stops being watched; its settings stay. */
static void source_disable(struct event_source *s) {
        if (!s->enabled)
                return;
        s->enabled = false;
        if (s->fd >= 0 && s->loop->epoll_fd >= 0)
                (void) source_epoll(s, EPOLL_CTL_DEL);
}

static void source_release(struct event_source *s) {
        if (s->own_fd && s->fd >= 0)
                close(s->fd);
        free(s);
}

struct event_source *event_source_free(struct event_source *s) {
        if (!s || s->dead)
                return NULL;
        struct event_loop *e = s->loop;
        source_disable(s);
        if (s->prev)
                s->prev->next = s->next;
        else
                e->sources = s->next;
        if (s->next)
                s->next->prev = s->prev;
        if (!e->dispatching) {
                source_release(s);
                return NULL;
        }
        /* Events of this batch may still point at it: keep the memory until the batch is done.
         * The fd goes now, so a source made in the same handler may reuse its number. */
        if (s->own_fd && s->fd >= 0)
                close(s->fd);
        s->own_fd = false;
        s->dead = true;
        s->next = e->graveyard;
        e->graveyard = s;
        return NULL;
}

static void graveyard_release(struct event_loop *e) {
        while (e->graveyard) {
                struct event_source *s = e->graveyard;
                e->graveyard = s->next;
                source_release(s);
        }
}

struct event_loop *event_loop_free(struct event_loop *e) {
        if (!e)
                return NULL;
        /* The epoll instance first: closing it drops every registration at once, where
         * removing each source's fd from it would be a system call apiece. */
        close(e->epoll_fd);
        e->epoll_fd = -1;
        while (e->sources)
                event_source_free(e->sources);
        graveyard_release(e);
        free(e);
        return NULL;
}

/* Makes a source of `type`; with fd >= 0 the fd is watched for `events` at once. When `own`,
 * the fd is the source's from here on, also when this fails (then it is closed). */
static int source_add(struct event_loop *e, struct event_source **ret, enum source_type type, int fd,
                      bool own, uint32_t events, void *userdata, struct event_source **out) {
        struct event_source *s = new0(struct event_source, 1);
        if (!s) {
                if (own && fd >= 0)
                        close(fd);
                return -ENOMEM;
        }
        *s = (struct event_source){
                .loop = e, .type = type, .fd = fd, .own_fd = own, .events = events, .userdata = userdata};
        if (fd >= 0) {
                int r = source_epoll(s, EPOLL_CTL_ADD);
                if (r < 0) {
                        source_release(s);
                        return r;
                }
        }
        s->enabled = true;
        s->next = e->sources;
        if (e->sources)
                e->sources->prev = s;
        e->sources = s;
        if (ret)
                *ret = s;
        *out = s;
        return 0;
}

int event_add_io(struct event_loop *e, struct event_source **ret, int fd, uint32_t events,
                 event_io_handler_t cb, void *userdata) {
        struct event_source *s;
        if (fd < 0)
                return -EBADF;
        int r = source_add(e, ret, SOURCE_IO, fd, false, events, userdata, &s);
        if (r < 0)
                return r;
        s->cb.io = cb;
        return 0;
}

int event_add_signals(struct event_loop *e, struct event_source **ret, const int *sigs, size_t n,
                      event_signal_handler_t cb, void *userdata) {
        sigset_t blocked, mask;
        struct event_source *s;
        if (n == 0)
                return -EINVAL;
        if (sigprocmask(SIG_BLOCK, NULL, &blocked) < 0)
                return -errno;
        sigemptyset(&mask);
        for (size_t i = 0; i < n; i++) {
                if (sigaddset(&mask, sigs[i]) < 0)
                        return -EINVAL;
                if (!sigismember(&blocked, sigs[i]))
                        return -EBUSY;
        }
        /* One signalfd for the whole set: a signal a source costs four system calls (the mask
         * query, signalfd, EPOLL_CTL_ADD, close) at every start and stop. */
        int fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = source_add(e, ret, SOURCE_SIGNAL, fd, true, EPOLLIN, userdata, &s);
        if (r < 0)
                return r;
        s->cb.signal = cb;
        return 0;
}

int event_add_signal(struct event_loop *e, struct event_source **ret, int sig, event_signal_handler_t cb,
                     void *userdata) {
        return event_add_signals(e, ret, &sig, 1, cb, userdata);
}

int event_add_child_pidfd(struct event_loop *e, struct event_source **ret, int pidfd, bool own,
                          event_child_handler_t cb, void *userdata) {
        struct event_source *s;
        if (pidfd < 0)
                return -EBADF;
        /* Not `own` yet: a failed add leaves the pidfd with the caller. */
        int r = source_add(e, ret, SOURCE_CHILD, pidfd, false, EPOLLIN, userdata, &s);
        if (r < 0)
                return r;
        s->own_fd = own;
        s->cb.child = cb;
        return 0;
}

int event_source_set_child_handler(struct event_source *s, event_child_handler_t cb, void *userdata) {
        if (!s || s->dead || s->type != SOURCE_CHILD)
                return -ENOTTY;
        s->cb.child = cb;
        s->userdata = userdata;
        return 0;
}

int event_add_inotify(struct event_loop *e, struct event_source **ret, const char *path, uint32_t mask,
                      event_inotify_handler_t cb, void *userdata) {
        struct event_source *s;
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (inotify_add_watch(fd, path, mask) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        int r = source_add(e, ret, SOURCE_INOTIFY, fd, true, EPOLLIN, userdata, &s);
        if (r < 0)
                return r;
        s->cb.inotify = cb;
        return 0;
}

static usec_t deadline_after(usec_t usec) {
        usec_t now = now_monotonic();
        return usec >= USEC_INFINITY - now ? USEC_INFINITY : now + usec;
}

int event_add_timer(struct event_loop *e, struct event_source **ret, usec_t usec, event_time_handler_t cb,
                    void *userdata) {
        struct event_source *s;
        int r = source_add(e, ret, SOURCE_TIMER, -1, false, 0, userdata, &s);
        if (r < 0)
                return r;
        s->cb.time = cb;
        s->when = deadline_after(usec);
        s->armed_in_iter = e->iteration;
        return 0;
}

int event_source_set_enabled(struct event_source *s, bool enabled) {
        if (s->dead)
                return -ESTALE;
        if (!enabled) {
                source_disable(s);
                return 0;
        }
        if (s->enabled)
                return 0;
        if (s->fd >= 0) {
                int r = source_epoll(s, EPOLL_CTL_ADD);
                if (r < 0)
                        return r;
        }
        s->enabled = true;
        s->armed_in_iter = s->loop->iteration;
        return 0;
}

bool event_source_get_enabled(const struct event_source *s) {
        return s->enabled;
}

int event_source_get_time(const struct event_source *s, usec_t *ret) {
        if (s->type != SOURCE_TIMER)
                return -ENOTTY;
        *ret = s->when;
        return 0;
}

int event_source_set_time(struct event_source *s, usec_t when) {
        if (s->type != SOURCE_TIMER)
                return -ENOTTY;
        if (s->dead)
                return -ESTALE;
        s->when = when;
        s->enabled = true;
        s->armed_in_iter = s->loop->iteration;
        return 0;
}

int event_source_set_time_relative(struct event_source *s, usec_t usec) {
        return event_source_set_time(s, deadline_after(usec));
}

void event_loop_exit(struct event_loop *e, int code) {
        if (e->exiting)
                return;
        e->exiting = true;
        e->exit_code = code;
}

/* A negative return of a handler: say which source failed and stop it from failing again. */
static void handler_done(struct event_source *s, int r) {
        if (r >= 0)
                return;
        log_error_errno(r, "event loop: %s handler failed, disabling the source: %m",
                        source_type_to_string(s->type));
        if (!s->dead)
                source_disable(s);
}

static int dispatch_fd(struct event_source *s, uint32_t revents) {
        switch (s->type) {
        case SOURCE_IO:
                return s->cb.io(s, s->fd, revents, s->userdata);
        case SOURCE_SIGNAL: {
                struct signalfd_siginfo si;
                ssize_t n = read(s->fd, &si, sizeof si);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                if ((size_t) n != sizeof si)
                        return -EIO;
                return s->cb.signal(s, &si, s->userdata);
        }
        case SOURCE_CHILD: {
                siginfo_t si = {};
                if (waitid(P_PIDFD, (id_t) s->fd, &si, WEXITED | WNOHANG) < 0)
                        return -errno;
                if (si.si_pid == 0)
                        return 0; /* not exited (yet) */
                /* Reaped: the pidfd stays readable, but there is nothing more to wait for. */
                source_disable(s);
                return s->cb.child(s, &si, s->userdata);
        }
        case SOURCE_INOTIFY: {
                char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
                ssize_t n = read(s->fd, buf, sizeof buf);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) (void *) p;
                        int r = s->cb.inotify(s, ev, s->userdata);
                        if (r < 0 || s->dead || !s->enabled || s->loop->exiting)
                                return r;
                        p += sizeof *ev + ev->len;
                }
                return 0;
        }
        case SOURCE_TIMER:
                break;
        }
        return -EINVAL;
}

/* The earliest enabled timer; with `before_iter`, only those armed before that iteration. */
static struct event_source *earliest_timer(struct event_loop *e, uint64_t before_iter) {
        struct event_source *best = NULL;
        for (struct event_source *s = e->sources; s; s = s->next)
                if (s->type == SOURCE_TIMER && s->enabled && s->armed_in_iter < before_iter &&
                    (!best || s->when < best->when))
                        best = s;
        return best;
}

/* Fires the timers that expired by now, earliest first. A timer armed by one of these handlers
 * waits for the next iteration, so a handler that re-arms with 0 cannot starve the fds. */
static void dispatch_timers(struct event_loop *e) {
        usec_t now = now_monotonic();
        while (!e->exiting) {
                struct event_source *t = earliest_timer(e, e->iteration);
                if (!t || t->when > now)
                        return;
                t->enabled = false;
                handler_done(t, t->cb.time(t, t->when, t->userdata));
        }
}

/* epoll_pwait2() with the earliest deadline as its timeout (ns); before Linux 5.11,
 * epoll_wait() with the timeout rounded up to whole ms, so a timer never fires early. */
static int loop_wait(struct event_loop *e, struct epoll_event *evs, int n) {
        struct event_source *t = earliest_timer(e, UINT64_MAX);
        usec_t left = USEC_INFINITY;
        if (t && t->when != USEC_INFINITY) {
                usec_t now = now_monotonic();
                left = t->when > now ? t->when - now : 0;
        }
        int k = -1;
        if (!e->no_pwait2) {
                struct timespec ts = {.tv_sec = (time_t) (left / USEC_PER_SEC),
                                      .tv_nsec = (long) (left % USEC_PER_SEC * NSEC_PER_USEC)};
                k = epoll_pwait2(e->epoll_fd, evs, n, left == USEC_INFINITY ? NULL : &ts, NULL);
                if (k < 0 && errno == ENOSYS)
                        e->no_pwait2 = true;
        }
        if (e->no_pwait2) {
                usec_t ms =
                        left == USEC_INFINITY ? USEC_INFINITY : (left + USEC_PER_MSEC - 1) / USEC_PER_MSEC;
                k = epoll_wait(e->epoll_fd, evs, n,
                               ms == USEC_INFINITY ? -1 : (int) MIN(ms, (usec_t) INT_MAX));
        }
        if (k < 0)
                return errno == EINTR ? 0 : -errno;
        return k;
}

int event_loop_run(struct event_loop *e) {
        struct epoll_event evs[16];

        if (e->dispatching)
                return -EBUSY;
        while (!e->exiting) {
                int n = loop_wait(e, evs, (int) ELEMENTSOF(evs));
                if (n < 0)
                        return n;
                e->iteration++;
                e->dispatching = true;
                for (int i = 0; i < n && !e->exiting; i++) {
                        struct event_source *s = evs[i].data.ptr;
                        if (s->dead || !s->enabled)
                                continue;
                        handler_done(s, dispatch_fd(s, evs[i].events));
                }
                dispatch_timers(e);
                e->dispatching = false;
                graveyard_release(e);
        }
        return e->exit_code;
}
