/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host link's outward half: lifecycle events to the journal (or stderr), sd_notify to the
 * service manager that runs hutch, and systemd's watchdog for hutch itself. */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/procfs.h"
#include "host-internal.h"

/* One fixed MESSAGE_ID per event kind, so `journalctl MESSAGE_ID=...` finds every restart of
 * every hutch unit. Generated once at random; never change them (they are an interface). */
static const struct {
        const char *name;
        const char *message_id;
        int priority;
} event_table[_HOST_EVENT_MAX] = {
        [HOST_EVENT_STARTED] = {"started", "a0f9be900be94fc3a71ce190922c839f", LOG_LEVEL_INFO},
        [HOST_EVENT_READY] = {"ready", "b8bcbbba25584c6bafaac6abc84787c4", LOG_LEVEL_INFO},
        [HOST_EVENT_EXITED] = {"exited", "5695fbc7624e4a37bd96384125c2578a", LOG_LEVEL_NOTICE},
        [HOST_EVENT_RESTARTING] = {"restarting", "0398ccbf9e1243dbb44df6151d587b6c", LOG_LEVEL_NOTICE},
        [HOST_EVENT_GAVE_UP] = {"gave-up", "17cc54d3f66845afa08185fdce9d9ff0", LOG_LEVEL_ERR},
        [HOST_EVENT_STOPPING] = {"stopping", "4245131c1c9b4cef8102e9703aeae62d", LOG_LEVEL_INFO},
        [HOST_EVENT_WATCHDOG] = {"watchdog", "bd552e0fc93d4db0b1f46431bc302fbd", LOG_LEVEL_ERR},
        [HOST_EVENT_SETUP_FAILED] = {"setup-failed", "096caca2c36b41c6a59ff624c2501146", LOG_LEVEL_ERR},
};

const char *host_event_kind_to_string(enum host_event_kind k) {
        if ((unsigned) k >= _HOST_EVENT_MAX)
                return NULL;
        return event_table[k].name;
}

const char *host_event_message_id(enum host_event_kind k) {
        if ((unsigned) k >= _HOST_EVENT_MAX)
                return NULL;
        return event_table[k].message_id;
}

/* systemd sets JOURNAL_STREAM=DEV:INO for a service whose stdout/stderr is connected to the
 * journal. Comparing it with stderr's own device and inode tells us whether *our* stderr still
 * is that stream (a shell redirect or a pipe in between makes it something else), so a structured
 * entry replaces the plain line instead of duplicating it. */
bool host_stderr_is_journal(void) {
        static int cached = -1;
        if (cached >= 0)
                return cached;

        cached = 0;
        const char *e = getenv("JOURNAL_STREAM");
        if (!e)
                return false;
        unsigned long long dev, ino;
        char tail;
        if (sscanf(e, "%llu:%llu%c", &dev, &ino, &tail) != 2)
                return false;
        struct stat st;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        /* host_journal_sendv() silently drops entries when journald's socket is missing (as
         * sd_journal_send() does): then the plain line on stderr is the only record, so do not
         * count on the journal. */
        cached = (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino &&
                 access("/run/systemd/journal/socket", F_OK) == 0;
        return cached;
}

/* How a status is to be read, in systemd's words for waitid()'s codes (its EXIT_CODE=). */
static const char *exit_code_to_string(int code) {
        switch (code) {
        case CLD_EXITED:
                return "exited";
        case CLD_KILLED:
                return "killed";
        case CLD_DUMPED:
                return "dumped";
        default:
                return NULL;
        }
}

static int compose_default_message(const struct host_event *e, char *buf, size_t l) {
        switch (e->kind) {
        case HOST_EVENT_STARTED:
                return snprintf(buf, l, "started (pid %d)", (int) e->pid);
        case HOST_EVENT_READY:
                return snprintf(buf, l, "ready");
        case HOST_EVENT_EXITED:
                if (e->reason && e->status >= 0)
                        return snprintf(buf, l, "exited (%s, status %d)", e->reason, e->status);
                return snprintf(buf, l, "exited");
        case HOST_EVENT_RESTARTING:
                return snprintf(buf, l, "restarting (restart %u, in %" PRIu64 "ms)", e->restart_count,
                                e->delay / USEC_PER_MSEC);
        case HOST_EVENT_GAVE_UP:
                return snprintf(buf, l, "gave up%s%s", e->reason ? ": " : "", e->reason ? e->reason : "");
        case HOST_EVENT_STOPPING:
                return snprintf(buf, l, "stopping");
        case HOST_EVENT_WATCHDOG:
                return snprintf(buf, l, "watchdog timeout");
        case HOST_EVENT_SETUP_FAILED:
                return snprintf(buf, l, "setup failed");
        default:
                return snprintf(buf, l, "event %d", (int) e->kind);
        }
}

/* Formats the one-line stderr form: "hutch: UNIT: MESSAGE [event=K pid=P reason=R status=S
 * restarts=N]" (fields that are unset are left out). Exposed for the unit test. */
int host_event_format_line(const struct host_event *e, char *buf, size_t l) {
        char msg[512];
        const char *m = e->message;
        if (!m) {
                compose_default_message(e, msg, sizeof msg);
                m = msg;
        }

        size_t n = 0;
#define APPEND(...)                                                         \
        do {                                                                \
                int _k = snprintf(buf + n, n < l ? l - n : 0, __VA_ARGS__); \
                if (_k > 0)                                                 \
                        n += (size_t) _k;                                   \
        } while (0)
        APPEND("hutch: %s: %s [event=%s", e->unit ? e->unit : "-", m,
               host_event_kind_to_string(e->kind) ?: "unknown");
        if (e->pid > 0)
                APPEND(" pid=%d", (int) e->pid);
        if (e->reason)
                APPEND(" reason=%s", e->reason);
        if (e->status >= 0)
                APPEND(" status=%d", e->status);
        if (e->status >= 0 && exit_code_to_string(e->exit_code))
                APPEND(" code=%s", exit_code_to_string(e->exit_code));
        if (e->restart_count > 0 || e->kind == HOST_EVENT_RESTARTING)
                APPEND(" restarts=%u", e->restart_count);
        if (e->kind == HOST_EVENT_RESTARTING)
                APPEND(" delay=%" PRIu64 "us", e->delay);
        APPEND("]");
#undef APPEND
        return (int) n;
}

static int event_send_journal(const struct host_event *e) {
        char msg[512];
        const char *m = e->message;
        if (!m) {
                compose_default_message(e, msg, sizeof msg);
                m = msg;
        }

        int prio = event_table[e->kind].priority;
        if (e->kind == HOST_EVENT_EXITED && !streq_ptr(e->reason, "success"))
                prio = LOG_LEVEL_WARNING;

        /* Each field is its own malloc'ed "NAME=value" string: the values come from the
         * supervisor and may be any length. */
        char *fields[12] = {};
        size_t n = 0;
        int r = 0;
        if (asprintf(&fields[n++], "MESSAGE=%s: %s", e->unit ? e->unit : "-", m) < 0 ||
            asprintf(&fields[n++], "MESSAGE_ID=%s", event_table[e->kind].message_id) < 0 ||
            asprintf(&fields[n++], "PRIORITY=%d", prio) < 0 ||
            asprintf(&fields[n++], "SYSLOG_IDENTIFIER=hutch") < 0 ||
            asprintf(&fields[n++], "HUTCH_EVENT=%s", event_table[e->kind].name) < 0 ||
            asprintf(&fields[n++], "HUTCH_UNIT=%s", e->unit ? e->unit : "") < 0 ||
            asprintf(&fields[n++], "HUTCH_RESTART_COUNT=%u", e->restart_count) < 0) {
                fields[--n] = NULL;
                r = -ENOMEM;
                goto finish;
        }
        if (e->pid > 0 && asprintf(&fields[n++], "HUTCH_PID=%d", (int) e->pid) < 0) {
                fields[--n] = NULL;
                r = -ENOMEM;
                goto finish;
        }
        if (e->reason && asprintf(&fields[n++], "HUTCH_EXIT_REASON=%s", e->reason) < 0) {
                fields[--n] = NULL;
                r = -ENOMEM;
                goto finish;
        }
        if (e->status >= 0 && asprintf(&fields[n++], "HUTCH_EXIT_STATUS=%d", e->status) < 0) {
                fields[--n] = NULL;
                r = -ENOMEM;
                goto finish;
        }
        if (e->status >= 0 && exit_code_to_string(e->exit_code) &&
            asprintf(&fields[n++], "HUTCH_EXIT_CODE=%s", exit_code_to_string(e->exit_code)) < 0) {
                fields[--n] = NULL;
                r = -ENOMEM;
                goto finish;
        }
        if (e->kind == HOST_EVENT_RESTARTING &&
            asprintf(&fields[n++], "HUTCH_RESTART_DELAY_USEC=%" PRIu64, e->delay) < 0) {
                fields[--n] = NULL;
                r = -ENOMEM;
                goto finish;
        }

        struct iovec iov[ELEMENTSOF(fields)];
        for (size_t i = 0; i < n; i++)
                iov[i] = (struct iovec){.iov_base = fields[i], .iov_len = strlen(fields[i])};
        /* Entries carry our own fields only: no CODE_FILE=/CODE_LINE=/CODE_FUNC= (the build
         * path of this file would only be noise). */
        r = host_journal_sendv(iov, n);
finish:
        for (size_t i = 0; i < n; i++)
                free(fields[i]);
        return r;
}

void host_event(const struct host_event *e) {
        if (!e || (unsigned) e->kind >= _HOST_EVENT_MAX)
                return;

        /* Under the journal, a structured entry replaces the plain line (stderr goes to the same
         * journal, so writing both would log every event twice). If the journal refuses, the
         * line still goes out on stderr. */
        if (host_stderr_is_journal() && event_send_journal(e) >= 0)
                return;

        char line[1024];
        host_event_format_line(e, line, sizeof line);
        (void) log_write_line(log_fd(), "%s", line);
}

/* Log sink used under the journal: keeps the priority (stderr lines lose it) and tags the
 * entry with the unit. */
static char *log_unit;

static void journal_log_sink(int level, const char *message, void *userdata) {
        char *m = NULL, *u = NULL, prio[32];
        int r = -ENOMEM;
        snprintf(prio, sizeof prio, "PRIORITY=%d", level);
        if (asprintf(&m, "MESSAGE=%s%s%s", log_unit ? log_unit : "", log_unit ? ": " : "", message) >= 0 &&
            asprintf(&u, "HUTCH_UNIT=%s", log_unit ? log_unit : "") >= 0) {
                struct iovec iov[] = {
                        {.iov_base = m, .iov_len = strlen(m)},
                        {.iov_base = prio, .iov_len = strlen(prio)},
                        {.iov_base = (char *) "SYSLOG_IDENTIFIER=hutch",
                         .iov_len = STRLEN("SYSLOG_IDENTIFIER=hutch")},
                        {.iov_base = u, .iov_len = strlen(u)},
                };
                r = host_journal_sendv(iov, ELEMENTSOF(iov));
        }
        free(m);
        free(u);
        if (r < 0) {
                if (log_unit)
                        (void) log_write_line(log_fd(), "hutch: %s: %s", log_unit, message);
                else
                        (void) log_write_line(log_fd(), "hutch: %s", message);
        }
}

void host_log_setup(const char *unit_name) {
        char *old = log_unit;
        log_unit = unit_name ? strdup(unit_name) : NULL;
        log_set_prefix(log_unit);
        free(old);
        if (host_stderr_is_journal())
                log_set_sink(journal_log_sink, NULL);
}

/* host_sd_notify() reads $NOTIFY_SOCKET at each call and returns 0 without it: every call below
 * is a no-op outside a Type=notify service. Tests point NOTIFY_SOCKET at a socket of their own.
 * A failure is logged there (at debug level: the service manager is not ours to fix). */
static void notify_send(const char *s) {
        (void) host_sd_notify(s);
}

void host_notify_ready(void) {
        notify_send("READY=1");
}

void host_notify_status(const char *fmt, ...) {
        if (!getenv("NOTIFY_SOCKET"))
                return;
        va_list ap;
        va_start(ap, fmt);
        char *s = NULL;
        int k = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (k < 0)
                return;
        /* STATUS= is one line: a newline would start a new assignment. */
        for (char *c = s; *c; c++)
                if (*c == '\n')
                        *c = ' ';
        char *m = NULL;
        if (asprintf(&m, "STATUS=%s", s) >= 0)
                notify_send(m);
        free(m);
        free(s);
}

void host_notify_stopping(void) {
        notify_send("STOPPING=1");
}

void host_notify_reloading(void) {
        /* systemd >= 253 wants MONOTONIC_USEC= with RELOADING=1 to tell reloads apart; older
         * versions ignore the extra field. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        char buf[64];
        snprintf(buf, sizeof buf, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
                 (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / NSEC_PER_USEC);
        notify_send(buf);
}

void host_notify_extend_timeout(usec_t usec) {
        if (usec == 0 || usec == USEC_INFINITY)
                return;
        char buf[64];
        snprintf(buf, sizeof buf, "EXTEND_TIMEOUT_USEC=%" PRIu64, usec);
        notify_send(buf);
}

void host_notify_forward(const char *assignments) {
        if (assignments && *assignments)
                notify_send(assignments);
}

usec_t host_watchdog_usec(void) {
        /* host_watchdog_enabled() also checks WATCHDOG_PID= against our pid, so a child that
         * inherited the environment does not believe the watchdog is its own. */
        usec_t usec = 0;
        if (host_watchdog_enabled(&usec) <= 0)
                return 0;
        return usec;
}

void host_watchdog_ping(void) {
        notify_send("WATCHDOG=1");
}

/* systemd (>= 251) marks the cgroup of a unit with Delegate=yes with the xattr
 * "trusted.delegate" (and, since 253, "user.delegate") set to "1". */
static bool cgroup_is_delegated(const char *root, const char *path) {
        char *full = NULL;
        if (asprintf(&full, "%s%s", root, path) < 0)
                return false;
        bool yes = false;
        static const char *const names[] = {"trusted.delegate", "user.delegate"};
        for (size_t i = 0; i < ELEMENTSOF(names) && !yes; i++) {
                char v[8];
                ssize_t k = getxattr(full, names[i], v, sizeof v - 1);
                if (k > 0) {
                        v[k] = 0;
                        yes = streq(v, "1");
                }
        }
        free(full);
        return yes;
}

bool host_under_systemd(void) {
        static int cached = -1;
        if (cached >= 0)
                return cached;

        cached = 0;
        if (!getenv("INVOCATION_ID"))
                return false;
        /* Our own cgroup2 path ("/system.slice/web.service/supervisor"). */
        char *path = NULL;
        if (proc_cgroup2_path(0, &path) < 0)
                return false;
        /* Check our own cgroup, and its parent when hutch already moved itself into
         * "supervisor/" below the service's cgroup. Never further up: the user manager's
         * user@.service is delegated too, and a shell below it is not a hutch service. */
        static const char *const roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        for (size_t i = 0; i < ELEMENTSOF(roots) && !cached; i++) {
                if (cgroup_is_delegated(roots[i], path))
                        cached = 1;
                else {
                        char *slash = strrchr(path, '/');
                        if (slash && slash != path && streq(slash, "/supervisor")) {
                                *slash = 0;
                                cached = cgroup_is_delegated(roots[i], path);
                                *slash = '/';
                        }
                }
        }
        free(path);
        return cached;
}
