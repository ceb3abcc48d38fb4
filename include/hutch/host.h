/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The host link: the only code that talks to systemd. Without systemd (no NOTIFY_SOCKET,
 * no journal socket) every call here is a cheap no-op or a line on stderr. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "hutch/model.h"

/* Lifecycle events of a unit: each one is a journal entry with its own MESSAGE_ID=,
 * HUTCH_UNIT=, and the fields below; without a journal a line on stderr. */
enum host_event_kind {
        HOST_EVENT_STARTED,    /* payload started (pid) */
        HOST_EVENT_READY,      /* payload ready */
        HOST_EVENT_EXITED,     /* payload exited (reason, status) */
        HOST_EVENT_RESTARTING, /* restart scheduled (delay, count) */
        HOST_EVENT_GAVE_UP,    /* start limit hit or restart policy says no */
        HOST_EVENT_STOPPING,   /* stop requested (signal) */
        HOST_EVENT_WATCHDOG,   /* watchdog timeout of the payload */
        HOST_EVENT_SETUP_FAILED,
        _HOST_EVENT_MAX,
};

struct host_event {
        enum host_event_kind kind;
        const char *unit;
        pid_t pid;          /* 0: none */
        const char *reason; /* "exit-code", "signal", "core-dump", "timeout", "watchdog", "oom-kill",
                               "start-limit-hit", "protocol", or NULL */
        int status;         /* exit status or signal number, -1: none */
        int exit_code;      /* with a status: CLD_EXITED, CLD_KILLED or CLD_DUMPED; 0: unknown */
        unsigned restart_count;
        usec_t delay;        /* for RESTARTING */
        const char *message; /* the human sentence, e.g. "exited with status 3, restarting in 100ms" */
};

/* Logs the event (journal with fields when available, else stderr). */
void host_event(const struct host_event *e);
/* "started", "ready", "exited", "restarting", "gave-up", "stopping", "watchdog", "setup-failed"
 * (the HUTCH_EVENT= journal field), or NULL. */
const char *host_event_kind_to_string(enum host_event_kind k);
/* Sets the log prefix to unit_name (copied; may be NULL) and, when stderr is connected to the
 * journal, installs a log.h sink that writes hutch's own messages as journal entries with their
 * priority and HUTCH_UNIT=unit_name. Otherwise messages stay plain stderr lines. */
void host_log_setup(const char *unit_name);

/* One journal entry of "NAME=value" fields (no trailing newline; values may hold newlines or any
 * byte) sent to journald's native socket, as sd_journal_sendv() without the location fields.
 * 0 when sent, and also when journald's socket does not exist (the entry is dropped, as
 * libsystemd does); -EINVAL for an invalid field name (see host-internal.h), else a negative
 * errno. Never logs, so a log sink may use it. */
int host_journal_sendv(const struct iovec *fields, size_t n);

/* The generated service's TimeoutStartSec= and TimeoutStopSec= are the unit's plus this: hutch's
 * own timeouts fire first, so hutch gets to say what happened and to clean up the sandbox instead
 * of being killed from outside. */
#define HOST_TIMEOUT_MARGIN_USEC (5 * USEC_PER_SEC)

/* sd_notify to the service manager that runs hutch (no-op without NOTIFY_SOCKET). */
void host_notify_ready(void);
void host_notify_status(const char *fmt, ...) _printf_(1, 2);
void host_notify_stopping(void);
void host_notify_reloading(void);
/* EXTEND_TIMEOUT_USEC=: asks systemd to let the running start/stop job last at least `usec` more
 * (it never shortens a timeout). For the supervisor at each start attempt before READY=1, so
 * restarts before readiness (hutch's) do not run into systemd's TimeoutStartSec=. 0 and
 * USEC_INFINITY send nothing. */
void host_notify_extend_timeout(usec_t usec);
/* Forward one already-filtered assignment line from the payload ("STATUS=...", "ERRNO=3"). */
void host_notify_forward(const char *assignments);
/* systemd's watchdog for hutch itself: interval in usec or 0 when systemd set none. */
usec_t host_watchdog_usec(void);
void host_watchdog_ping(void);
/* True when started by systemd as a service (INVOCATION_ID set, and our cgroup delegated). */
bool host_under_systemd(void);

/* The notify proxy for Type=notify payloads: a datagram socket of hutch's, bound into the
 * sandbox as /run/host/notify. Messages are checked (sender's credentials: its pid must be
 * in the payload's cgroup), filtered (only READY, STATUS, RELOADING, STOPPING, WATCHDOG,
 * ERRNO, EXTEND_TIMEOUT_USEC; never MAINPID, FDSTORE, ...), fds passed along are closed,
 * empty and oversized datagrams ignored. Of the accepted assignments, STOPPING=1,
 * WATCHDOG=trigger and WATCHDOG_USEC= reach only the handler (hutch acts on them), the rest is
 * also forwarded to systemd. */
struct notify_proxy;

struct notify_message {
        bool ready, reloading, stopping, watchdog, watchdog_trigger;
        const char *status;         /* or NULL */
        int errno_value;            /* -1: none */
        usec_t extend_timeout_usec; /* 0: none */
        bool watchdog_usec_set;     /* WATCHDOG_USEC= from the payload: */
        usec_t watchdog_usec;       /* its value, 0 turns the watchdog off */
};

/* Called for each accepted message. What systemd should see is forwarded once per
 * notify_proxy_process() call, merged, after the handler calls. */
typedef void (*notify_handler_t)(const struct notify_message *m, void *userdata);

/* The largest datagram accepted: systemd's own notify buffer is PIPE_BUF (4 KiB), so anything
 * bigger would be dropped by it anyway. Datagrams handled per notify_proxy_process() call: a
 * flood cannot starve the event loop (the io source stays readable and is called again). */
#define NOTIFY_MESSAGE_MAX 4096
#define NOTIFY_BATCH_MAX 64

/* Creates the socket in a private directory under /run/hutch/notify/ (or $RUNTIME_DIRECTORY);
 * `*ret_path` is its host path for sandbox_params.notify_socket. */
int notify_proxy_new(const char *unit_name, struct notify_proxy **ret, const char **ret_path);
/* The socket fd to watch for input (sd-event io source). */
int notify_proxy_fd(struct notify_proxy *p);
/* Only datagrams from pids in this cgroup (its path under the cgroup2 mount; NULL: any pid in
 * the payload's PID namespace is accepted via the pid filter below). */
void notify_proxy_set_cgroup(struct notify_proxy *p, const char *cgroup_path);
/* Reads and handles pending datagrams, at most NOTIFY_BATCH_MAX of them; never blocks. Returns
 * how many were accepted (>= 0), or a negative errno when the socket failed. */
int notify_proxy_process(struct notify_proxy *p, notify_handler_t handler, void *userdata);
/* How many datagrams the last notify_proxy_process() read, accepted or dropped: what reading
 * cost, for a caller that limits the rate (a payload can flood the socket with junk as well). */
unsigned notify_proxy_last_read(const struct notify_proxy *p);
/* The payload's pid (host view) for the pid filter used while no cgroup is set: the payload,
 * members of its own PID namespace, or (same namespace as hutch) its descendants. With neither
 * a cgroup nor a pid, every message is refused. */
void notify_proxy_set_payload_pid(struct notify_proxy *p, pid_t pid);
/* NotifyAccess= (model_notify_access()) for this run, after notify_proxy_set_payload_pid(): "all"
 * accepts every process the filters above let through, "main" only the service's
 * main process ("exec" also the control command: notify_proxy_set_control_pid()), whose pid in the sandbox
 * is `main_in_sandbox` (1 when the service is the sandbox's PID 1, 2 under hutch's init), "none" nobody. The
 * default (zero) is "none". */
void notify_proxy_set_access(struct notify_proxy *p, enum notify_access access, pid_t main_in_sandbox);
/* The host pid of the control command that runs (ExecStartPre= and the others), 0 for none: with
 * NotifyAccess=exec, accepted beside the main process, as systemd does. */
void notify_proxy_set_control_pid(struct notify_proxy *p, pid_t pid);
/* The socket's host path (the same string notify_proxy_new returned). */
const char *notify_proxy_path(struct notify_proxy *p);
void notify_proxy_free(struct notify_proxy *p);
