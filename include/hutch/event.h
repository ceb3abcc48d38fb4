/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A small epoll event loop: io, signals (signalfd), one-shot monotonic timers, children (pidfd)
 * and inotify watches. No globals: a process may run several loops, and one loop may carry
 * many supervisors.
 *
 * Rules every source follows:
 * - A handler returns 0, or a negative errno: the loop logs that error and disables the source
 *   (it stays allocated until its owner frees it). The loop itself goes on.
 * - event_source_free() may be called from any handler, on any source, its own included: the
 *   source is switched off at once and its memory released after the current dispatch.
 * - A source created with ret == NULL belongs to the loop and is freed with it.
 * - Per iteration, ready fds are dispatched first, then expired timers, earliest first, so a
 *   WATCHDOG=1 that arrived together with the watchdog's deadline still counts.
 * - Functions return 0 or a negative errno; a failed add leaves no source behind. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>

#include "hutch/macro.h"

struct event_loop;
struct event_source;

typedef int (*event_io_handler_t)(struct event_source *s, int fd, uint32_t revents, void *userdata);
typedef int (*event_signal_handler_t)(struct event_source *s, const struct signalfd_siginfo *si,
                                      void *userdata);
/* `when` is the deadline that expired (CLOCK_MONOTONIC, usec). */
typedef int (*event_time_handler_t)(struct event_source *s, usec_t when, void *userdata);
/* `si` as waitid() filled it: si_code CLD_EXITED/CLD_KILLED/CLD_DUMPED, si_status. */
typedef int (*event_child_handler_t)(struct event_source *s, const siginfo_t *si, void *userdata);
typedef int (*event_inotify_handler_t)(struct event_source *s, const struct inotify_event *ev,
                                       void *userdata);

/* CLOCK_MONOTONIC in microseconds: the clock of every timer. */
usec_t now_monotonic(void);

int event_loop_new(struct event_loop **ret);
/* Frees every source still attached (closing the fds they own), then the loop. Not from a
 * handler. Accepts NULL; returns NULL. */
struct event_loop *event_loop_free(struct event_loop *e);
/* Dispatches until event_loop_exit(); returns its code, or a negative errno when waiting
 * failed. Once exited, the loop stays exited: a later run returns the same code at once. */
int event_loop_run(struct event_loop *e);
/* Makes event_loop_run() return `code` once the current handler returns; nothing else is
 * dispatched. */
void event_loop_exit(struct event_loop *e, int code);

/* Watches `fd` (not owned) for `events` (EPOLLIN, EPOLLOUT, ...), level-triggered. */
int event_add_io(struct event_loop *e, struct event_source **ret, int fd, uint32_t events,
                 event_io_handler_t cb, void *userdata);
/* Reads `sig` through a signalfd. The caller blocks `sig` first (-EBUSY when it is not), so it
 * is never delivered the classic way. */
int event_add_signal(struct event_loop *e, struct event_source **ret, int sig, event_signal_handler_t cb,
                     void *userdata);
/* The same for the `n` signals of `sigs`, through one signalfd; the handler tells them apart
 * by ssi_signo. All of them must be blocked (-EBUSY). */
int event_add_signals(struct event_loop *e, struct event_source **ret, const int *sigs, size_t n,
                      event_signal_handler_t cb, void *userdata);
/* A one-shot timer `usec` from now. After it fired, or was disabled, set_time*() arms it again. */
int event_add_timer(struct event_loop *e, struct event_source **ret, usec_t usec, event_time_handler_t cb,
                    void *userdata);
/* Waits for the exit of the process behind `pidfd` and reaps it (waitid(P_PIDFD, WEXITED)). The
 * source disables itself before it calls the handler. With `own`, freeing the source closes
 * the pidfd; when the add fails, the pidfd stays the caller's. */
int event_add_child_pidfd(struct event_loop *e, struct event_source **ret, int pidfd, bool own,
                          event_child_handler_t cb, void *userdata);
/* Hands a child source to another handler and userdata, with its pidfd, ownership and state
 * unchanged (no system call). -ENOTTY for other sources. */
int event_source_set_child_handler(struct event_source *s, event_child_handler_t cb, void *userdata);
/* inotify_add_watch(path, mask) on an inotify instance of its own; one call per event read. */
int event_add_inotify(struct event_loop *e, struct event_source **ret, const char *path, uint32_t mask,
                      event_inotify_handler_t cb, void *userdata);

/* Detaches and frees `s` (see above: safe inside handlers). Accepts NULL; returns NULL. */
struct event_source *event_source_free(struct event_source *s);
/* Switches a source off (it keeps its settings) or on again; a timer is on while armed. */
int event_source_set_enabled(struct event_source *s, bool enabled);
bool event_source_get_enabled(const struct event_source *s);
/* A timer's deadline (CLOCK_MONOTONIC, usec), armed or not; -ENOTTY for other sources. */
int event_source_get_time(const struct event_source *s, usec_t *ret);
/* Arms a timer for the absolute deadline `when`, or `usec` from now. -ENOTTY for other sources. */
int event_source_set_time(struct event_source *s, usec_t when);
int event_source_set_time_relative(struct event_source *s, usec_t usec);
