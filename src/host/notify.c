/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The notify proxy: the payload's sd_notify() socket. hutch owns it, checks who is talking,
 * keeps only the assignments the service manager may hear from a payload, and passes them on
 * as its own. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/procfs.h"
#include "host-internal.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif
/* PIDFD_GET_INFO (Linux >= 6.13): the first, 64-byte version of the kernel's struct pidfd_info.
 * The kernel records the cgroup id at exit, so it answers even for a sender that has already
 * exited and been reaped (measured on 6.18: mask CGROUPID|EXIT after the reap). */
struct pidfd_info_v0 {
        uint64_t mask;
        uint64_t cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t exit_code;
};
#define PIDFD_GET_INFO_V0 _IOWR(0xFF, 11, struct pidfd_info_v0)
#define PIDFD_INFO_CGROUPID_BIT (UINT64_C(1) << 2)
#define PIDFD_INFO_EXIT_BIT (UINT64_C(1) << 3) /* without it, a reaped task is -ESRCH */

#ifndef SCM_MAX_FD
#define SCM_MAX_FD 253 /* the kernel's limit of fds in one SCM_RIGHTS message */
#endif

struct notify_proxy {
        int fd;
        char *dir;                  /* private 0700 directory holding the socket */
        char *path;                 /* the socket */
        char *cgroup_path;          /* accepted senders' cgroup (below the cgroup2 mount), or NULL */
        char *cgroup_mount;         /* where cgroup2 is mounted, or NULL when not found */
        pid_t payload_pid;          /* fallback filter when the cgroup is unknown, 0: none */
        bool payload_pidns_foreign; /* the payload lives in a PID namespace other than ours */
        dev_t payload_pidns_dev;
        ino_t payload_pidns_ino;
        unsigned last_read; /* datagrams the last notify_proxy_process() read, valid or not */
        enum notify_access access;
        pid_t main_in_sandbox;  /* the main process's pid in the sandbox: 1, or 2 under hutch's init */
        pid_t main_pid;         /* its pid as we see it, 0 while unknown */
        unsigned sandbox_level; /* index of the sandbox's namespace in a member's NSpid list */
        pid_t control_pid;      /* the running control command (NotifyAccess=exec), 0: none */
        bool warned_access;     /* a refusal by NotifyAccess= was logged this run */
};

/* The first directory of $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=, colon-separated), or
 * /run/hutch/notify. */
static int proxy_base_dir(char **ret) {
        const char *e = getenv("RUNTIME_DIRECTORY");
        if (e && e[0] == '/') {
                size_t n = strcspn(e, ":");
                *ret = strndup(e, n);
                return *ret ? 0 : -ENOMEM;
        }
        if (mkdir("/run/hutch", 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "notify: mkdir /run/hutch: %m");
        if (mkdir("/run/hutch/notify", 0755) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "notify: mkdir /run/hutch/notify: %m");
        *ret = strdup("/run/hutch/notify");
        return *ret ? 0 : -ENOMEM;
}

int notify_proxy_new(const char *unit_name, struct notify_proxy **ret, const char **ret_path) {
        struct notify_proxy *p = new0(struct notify_proxy, 1);
        if (!p)
                return log_oom();
        p->fd = -EBADF;

        _cleanup_free_ char *base = NULL;
        int r = proxy_base_dir(&base);
        if (r < 0)
                goto fail;

        /* mkdtemp() creates the directory 0700: only root (hutch) reaches the socket on the host;
         * the payload reaches it through the bind mount at /run/host/notify. The unit name is cut
         * so the path fits in sockaddr_un. */
        if (asprintf(&p->dir, "%s/%.40s.XXXXXX", base, unit_name ? unit_name : "hutch") < 0) {
                p->dir = NULL;
                r = log_oom();
                goto fail;
        }
        if (!mkdtemp(p->dir)) {
                r = log_error_errno(-errno, "notify: mkdtemp %s: %m", p->dir);
                free(p->dir);
                p->dir = NULL;
                goto fail;
        }
        if (asprintf(&p->path, "%s/notify", p->dir) < 0) {
                p->path = NULL;
                r = log_oom();
                goto fail;
        }

        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (strlen(p->path) >= sizeof sa.sun_path) {
                r = log_error_errno(-ENAMETOOLONG, "notify: socket path %s: %m", p->path);
                goto fail;
        }
        strcpy(sa.sun_path, p->path);

        p->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (p->fd < 0) {
                r = log_error_errno(-errno, "notify: socket: %m");
                goto fail;
        }
        if (bind(p->fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                r = log_error_errno(-errno, "notify: bind %s: %m", p->path);
                goto fail;
        }
        /* Any uid of the payload (User=, a user namespace) must be able to send: the socket is
         * only reachable through the private directory and the sandbox's bind mount. */
        if (chmod(p->path, 0666) < 0) {
                r = log_error_errno(-errno, "notify: chmod %s: %m", p->path);
                goto fail;
        }
        int one = 1;
        if (setsockopt(p->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
                r = log_error_errno(-errno, "notify: SO_PASSCRED: %m");
                goto fail;
        }
        /* A pidfd of the sender with each message (Linux >= 6.5): the cgroup check then cannot be
         * fooled by a recycled pid and, from 6.15, works for senders that already exited (see
         * sender_allowed()). Older kernels: the check falls back to /proc/PID. */
        (void) setsockopt(p->fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof one);

        *ret = p;
        if (ret_path)
                *ret_path = p->path;
        return 0;
fail:
        notify_proxy_free(p);
        return r;
}

int notify_proxy_fd(struct notify_proxy *p) {
        return p ? p->fd : -EBADF;
}

const char *notify_proxy_path(struct notify_proxy *p) {
        return p ? p->path : NULL;
}

void notify_proxy_set_cgroup(struct notify_proxy *p, const char *cgroup_path) {
        if (!p->cgroup_mount && proc_cgroup2_mount(&p->cgroup_mount) < 0)
                p->cgroup_mount = NULL;
        free(p->cgroup_path);
        p->cgroup_path = NULL;
        if (!cgroup_path)
                return;
        p->cgroup_path = strdup(cgroup_path);
        if (!p->cgroup_path) {
                log_oom();
                return;
        }
        /* "/a/b/" and "/a/b" name the same cgroup; "/" stays "/". */
        size_t n = strlen(p->cgroup_path);
        while (n > 1 && p->cgroup_path[n - 1] == '/')
                p->cgroup_path[--n] = 0;
}

void notify_proxy_set_payload_pid(struct notify_proxy *p, pid_t pid) {
        p->payload_pid = pid;
        p->payload_pidns_foreign = false;
        if (pid <= 0)
                return;
        /* The namespace is remembered now, by inode: when the payload's pid is later reused by
         * an unrelated process, that process is in another namespace and does not match. */
        char path[64];
        struct stat ours, theirs;
        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int) pid);
        if (stat(path, &theirs) < 0 || stat("/proc/self/ns/pid", &ours) < 0)
                return;
        p->payload_pidns_dev = theirs.st_dev;
        p->payload_pidns_ino = theirs.st_ino;
        p->payload_pidns_foreign = !(ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino);
}

/* The "NSpid:" line of a pidfd's fdinfo (race-free: the pidfd pins the process) or, without one,
 * of /proc/PID/status: the process's pid in each namespace from ours down to its own. Returns
 * how many (up to n) were read, 0 when none. */
static unsigned read_nspids(pid_t pid, int pidfd, pid_t *out, unsigned n) {
        char path[64];
        if (pidfd >= 0)
                snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
        else
                snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        char line[256];
        unsigned k = 0;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "NSpid:", 6) == 0) {
                        char *p = line + 6, *end;
                        for (; k < n; k++) {
                                long v = strtol(p, &end, 10);
                                if (end == p || v <= 0)
                                        break;
                                out[k] = (pid_t) v;
                                p = end;
                        }
                        break;
                }
        fclose(f);
        return k;
}

/* Under hutch's init the main process is that init's first child: its pid, once noted (from the
 * init's children, at the start or at the first message), identifies the main process by number,
 * as systemd does, also when it has exited (and been reaped) by the time its message is read. */
static void learn_main_pid(struct notify_proxy *p) {
        if (p->main_pid > 0 || p->main_in_sandbox != 2 || p->payload_pid <= 0)
                return;
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int) p->payload_pid, (int) p->payload_pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return;
        int child;
        pid_t ns[8];
        /* Only while it is still the init's child pid 2 of the sandbox (an orphan reparented to
         * the init is listed there too). */
        if (fscanf(f, "%d", &child) == 1 && child > 0 &&
            read_nspids(child, -EBADF, ns, ELEMENTSOF(ns)) > p->sandbox_level && p->sandbox_level > 0 &&
            ns[p->sandbox_level] == 2)
                p->main_pid = child;
        fclose(f);
}

void notify_proxy_set_access(struct notify_proxy *p, enum notify_access access, pid_t main_in_sandbox) {
        p->access = access;
        p->main_in_sandbox = main_in_sandbox;
        p->warned_access = false;
        /* The sandbox's PID 1 (payload_pid) is 1 in the last entry of its own list: that entry's
         * index is the sandbox's level in every member's list. */
        pid_t ns[8];
        unsigned k = p->payload_pid > 0 ? read_nspids(p->payload_pid, -EBADF, ns, ELEMENTSOF(ns)) : 0;
        p->sandbox_level = k > 0 && ns[k - 1] == 1 ? k - 1 : 0;
        p->main_pid = main_in_sandbox == 1 ? p->payload_pid : 0;
        learn_main_pid(p);
}

/* NotifyAccess=main/exec: the sender is the service's main process. By number once the main
 * process's pid is known; else by the sender's pid in the sandbox, while the sender exists. A
 * sender already gone, while the main process's pid is not known, cannot be told apart from it:
 * it was in the sandbox (the caller checked), and it is believed. */
void notify_proxy_set_control_pid(struct notify_proxy *p, pid_t pid) {
        p->control_pid = pid;
}

static bool sender_is_main(struct notify_proxy *p, pid_t pid, int pidfd) {
        learn_main_pid(p);
        if (p->main_pid > 0)
                return pid == p->main_pid;
        pid_t ns[8];
        unsigned k = read_nspids(pid, pidfd, ns, ELEMENTSOF(ns));
        if (k == 0)
                return true;
        return p->sandbox_level > 0 && k > p->sandbox_level && ns[p->sandbox_level] == p->main_in_sandbox;
}

bool notify_cgroup_contains(const char *parent, const char *child) {
        if (streq(parent, "/"))
                return child[0] == '/';
        size_t n = strlen(parent);
        return strncmp(parent, child, n) == 0 && (child[n] == 0 || child[n] == '/');
}

static int pid_parent(pid_t pid, pid_t *ret) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char buf[1024];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        /* comm may contain spaces and parentheses: the state follows the last ')'. */
        char *e = strrchr(buf, ')');
        int ppid;
        if (!e || sscanf(e + 1, " %*c %d", &ppid) != 1)
                return -EIO;
        *ret = ppid;
        return 0;
}

static bool pid_filter_allows(const struct notify_proxy *p, pid_t pid) {
        if (p->payload_pid <= 0)
                return false;
        if (pid == p->payload_pid)
                return true;
        if (p->payload_pidns_foreign) {
                /* The payload has a PID namespace of its own (hutch always makes one): its
                 * members, and nobody else, share that namespace's inode. */
                char path[64];
                struct stat st;
                snprintf(path, sizeof path, "/proc/%d/ns/pid", (int) pid);
                if (stat(path, &st) == 0 && st.st_dev == p->payload_pidns_dev &&
                    st.st_ino == p->payload_pidns_ino)
                        return true;
        }
        /* Same namespace as ours: only descendants of the payload, by walking up the parent
         * chain (bounded: a deeper tree is refused rather than walked forever). */
        for (unsigned depth = 0; depth < 64 && pid > 1; depth++) {
                pid_t ppid = 0;
                if (pid_parent(pid, &ppid) < 0)
                        return false;
                if (ppid == p->payload_pid)
                        return true;
                pid = ppid;
        }
        return false;
}

/* The cgroup id (the cgroup2 directory's inode number) of the process behind a pidfd. */
static int pidfd_cgroup_id(int pidfd, uint64_t *ret) {
        struct pidfd_info_v0 info = {.mask = PIDFD_INFO_CGROUPID_BIT | PIDFD_INFO_EXIT_BIT};
        if (ioctl(pidfd, PIDFD_GET_INFO_V0, &info) < 0)
                return -errno;
        if (!(info.mask & PIDFD_INFO_CGROUPID_BIT))
                return -ENODATA;
        *ret = info.cgroupid;
        return 0;
}

/* Is `id` the cgroup directory `dirfd` or one below it? A depth-first walk, bounded so that a
 * payload making thousands of cgroups cannot make each message expensive: past the bound the
 * answer is no. */
static bool cgroup_subtree_has_id(int dirfd, uint64_t id, unsigned depth, unsigned *budget) {
        struct stat st;
        if (fstat(dirfd, &st) < 0)
                return false;
        if ((uint64_t) st.st_ino == id)
                return true;
        if (depth >= 16)
                return false;
        int fd = dup(dirfd);
        if (fd < 0)
                return false;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return false;
        }
        bool found = false;
        struct dirent *de;
        while (!found && (de = readdir(d))) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (*budget == 0)
                        break;
                (*budget)--;
                int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sub < 0)
                        continue;
                found = cgroup_subtree_has_id(sub, id, depth + 1, budget);
                close(sub);
        }
        closedir(d);
        return found;
}

static bool cgroup_path_has_id(const struct notify_proxy *p, uint64_t id) {
        _cleanup_free_ char *full = NULL;
        if (asprintf(&full, "%s%s", p->cgroup_mount, p->cgroup_path) < 0)
                return false;
        _cleanup_close_ int fd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return false;
        unsigned budget = 1024;
        return cgroup_subtree_has_id(fd, id, 0, &budget);
}

/* Who may talk: with a cgroup, any process in it or below (the payload's whole tree, which
 * cannot leave that subtree from inside its cgroup namespace); without one, the payload pid
 * filter; with neither, nobody (fail closed).
 *
 * With the sender's pidfd (SCM_PIDFD) its cgroup comes from the kernel by pidfd: exact even
 * when the sender has exited (a payload that sends READY=1 and exits, `... | socat`), and
 * immune to pid reuse. Without it (older kernels), /proc/PID/cgroup is read, which fails for a
 * sender already reaped; a pidfd that still signals afterwards proves the pid was not
 * recycled in between. */
static bool sender_in_sandbox(const struct notify_proxy *p, pid_t pid, int pidfd) {
        bool ok;
        if (pid <= 0)
                return false;
        uint64_t id = 0;
        if (p->cgroup_path && p->cgroup_mount && pidfd >= 0 && pidfd_cgroup_id(pidfd, &id) >= 0)
                return cgroup_path_has_id(p, id);
        if (p->cgroup_path) {
                _cleanup_free_ char *cg = NULL;
                if (proc_cgroup2_path(pid, &cg) < 0)
                        return false;
                ok = notify_cgroup_contains(p->cgroup_path, cg);
        } else
                ok = pid_filter_allows(p, pid);

        if (ok && pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
                ok = false;
        return ok;
}

/* Who may send (NotifyAccess=): a process of the sandbox at all, then, unless "all", the main
 * process only; "none" refuses everyone. The first refusal by NotifyAccess= is logged. */
static const char *sender_refused(struct notify_proxy *p, pid_t pid, int pidfd) {
        if (!sender_in_sandbox(p, pid, pidfd))
                return "sender outside the payload";
        if (p->access == NOTIFY_ACCESS_ALL)
                return NULL;
        const char *why = NULL;
        if (p->access == NOTIFY_ACCESS_NONE)
                why = "NotifyAccess=none";
        else if (p->access == NOTIFY_ACCESS_EXEC && p->control_pid > 0 && pid == p->control_pid)
                why = NULL;
        else if (!sender_is_main(p, pid, pidfd))
                why = p->access == NOTIFY_ACCESS_EXEC
                              ? "NotifyAccess=exec, and the sender is neither the main process nor a "
                                "control command"
                              : "NotifyAccess=main, and the sender is not the main process";
        if (why && !p->warned_access) {
                p->warned_access = true;
                log_warning("notify: message from pid %d refused: %s (NotifyAccess=all accepts every "
                            "process of the sandbox)",
                            (int) pid, why);
        }
        return why;
}

static bool utf8_valid(const char *s) {
        const unsigned char *c = (const unsigned char *) s;
        while (*c) {
                unsigned n;
                uint32_t cp;
                if (*c < 0x80) {
                        c++;
                        continue;
                } else if ((*c & 0xe0) == 0xc0) {
                        n = 1;
                        cp = *c & 0x1f;
                } else if ((*c & 0xf0) == 0xe0) {
                        n = 2;
                        cp = *c & 0x0f;
                } else if ((*c & 0xf8) == 0xf0) {
                        n = 3;
                        cp = *c & 0x07;
                } else
                        return false;
                c++;
                for (unsigned i = 0; i < n; i++, c++) {
                        if ((*c & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (*c & 0x3f);
                }
                /* overlong forms, surrogates, beyond U+10FFFF */
                if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                        return false;
        }
        return true;
}

static bool parse_u64(const char *s, uint64_t *ret) {
        if (*s < '0' || *s > '9')
                return false;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno != 0 || *end != 0)
                return false;
        *ret = v;
        return true;
}

/* Parses one datagram's text (NUL-terminated, newline-separated assignments) into `m`. Only
 * the keys of the allow-list are looked at; everything else (MAINPID=, FDSTORE=, BARRIER=,
 * NOTIFYACCESS=, ...) is dropped here and can never reach the service manager. Returns the
 * number of assignments kept. `m->status` points into `text`. */
int notify_parse_message(char *text, struct notify_message *m) {
        *m = (struct notify_message){.errno_value = -1};
        int kept = 0;
        for (char *line = text, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                uint64_t v;
                if (streq(line, "READY=1"))
                        m->ready = true;
                else if (streq(line, "RELOADING=1"))
                        m->reloading = true;
                else if (streq(line, "STOPPING=1"))
                        m->stopping = true;
                else if (streq(line, "WATCHDOG=1"))
                        m->watchdog = true;
                else if (streq(line, "WATCHDOG=trigger"))
                        m->watchdog_trigger = true;
                else if (strncmp(line, "STATUS=", 7) == 0 && utf8_valid(line + 7))
                        m->status = line + 7;
                else if (strncmp(line, "ERRNO=", 6) == 0 && parse_u64(line + 6, &v) && v <= INT_MAX)
                        m->errno_value = (int) v;
                else if (strncmp(line, "EXTEND_TIMEOUT_USEC=", 20) == 0 && parse_u64(line + 20, &v) && v > 0)
                        m->extend_timeout_usec = v;
                else if (strncmp(line, "WATCHDOG_USEC=", 14) == 0 && parse_u64(line + 14, &v)) {
                        m->watchdog_usec_set = true;
                        m->watchdog_usec = v;
                } else
                        continue;
                kept++;
        }
        return kept;
}

/* What one batch tells the service manager, merged: each key at most once, the last value
 * of STATUS=, ERRNO=, EXTEND_TIMEOUT_USEC= wins. */
struct forward_state {
        bool ready, reloading, watchdog;
        char status[NOTIFY_MESSAGE_MAX + 1];
        bool have_status;
        int errno_value;
        usec_t extend_timeout_usec;
};

static void forward_merge(struct forward_state *f, const struct notify_message *m) {
        f->ready |= m->ready;
        f->reloading |= m->reloading;
        f->watchdog |= m->watchdog;
        if (m->status) {
                snprintf(f->status, sizeof f->status, "%s", m->status);
                f->have_status = true;
        }
        if (m->errno_value >= 0)
                f->errno_value = m->errno_value;
        if (m->extend_timeout_usec > 0)
                f->extend_timeout_usec = m->extend_timeout_usec;
}

/* Formats the merged state as the datagram hutch sends upward; "" when there is nothing.
 * Three assignments stay with hutch (the handler sees them, systemd does not):
 * WATCHDOG=trigger and WATCHDOG_USEC=, because the payload's watchdog is enforced by hutch
 * (Restart=on-watchdog is hutch's decision) and passing them on would let the payload make
 * systemd kill hutch or change hutch's own watchdog interval; and STOPPING=1, because systemd
 * answers it by arming TimeoutStopSec= and killing the whole service when it runs out, while
 * hutch may be about to restart the payload by its Restart=. hutch sends its own STOPPING=1
 * when it is really stopping.
 * The datagram is at most NOTIFY_MESSAGE_MAX bytes,
 * since systemd drops a longer one whole (READY=1 and the rest with it); so STATUS= gets what
 * room the other assignments leave, cut at a UTF-8 character (systemd ignores a STATUS= that is
 * not clean UTF-8). EXTEND_TIMEOUT_USEC= goes up with HOST_TIMEOUT_MARGIN_USEC added: hutch moves
 * its own deadline by the payload's figure, and systemd's must stay that much later, as the
 * generated TimeoutStartSec= and TimeoutStopSec= are. Returns the length. */
static int notify_format_forward(const struct forward_state *f, char *buf, size_t l) {
        char rest[256];
        size_t n = 0;
        rest[0] = 0;
#define ADD(...)                                                                                 \
        do {                                                                                     \
                int _k = snprintf(rest + n, n < sizeof rest ? sizeof rest - n : 0, __VA_ARGS__); \
                if (_k > 0)                                                                      \
                        n += (size_t) _k;                                                        \
        } while (0)
        if (f->errno_value >= 0)
                ADD("ERRNO=%d\n", f->errno_value);
        if (f->extend_timeout_usec > 0) {
                usec_t e = f->extend_timeout_usec;
                ADD("EXTEND_TIMEOUT_USEC=%" PRIu64 "\n", e > USEC_INFINITY - 1 - HOST_TIMEOUT_MARGIN_USEC
                                                                 ? USEC_INFINITY - 1
                                                                 : e + HOST_TIMEOUT_MARGIN_USEC);
        }
        if (f->reloading)
                ADD("RELOADING=1\n");
        if (f->ready)
                ADD("READY=1\n");
        if (f->watchdog)
                ADD("WATCHDOG=1\n");
#undef ADD
        size_t max = l - 1 < NOTIFY_MESSAGE_MAX ? l - 1 : NOTIFY_MESSAGE_MAX;
        size_t out = 0;
        if (f->have_status && n + STRLEN("STATUS=") < max) {
                /* the newline after it takes the place of the last one, which is dropped */
                size_t room = max - n - STRLEN("STATUS="), sl = strlen(f->status);
                if (sl > room) {
                        sl = room;
                        while (sl > 0 && ((unsigned char) f->status[sl] & 0xc0) == 0x80)
                                sl--;
                }
                memcpy(buf, "STATUS=", STRLEN("STATUS="));
                memcpy(buf + STRLEN("STATUS="), f->status, sl);
                out = STRLEN("STATUS=") + sl;
                buf[out++] = '\n';
        }
        memcpy(buf + out, rest, n);
        out += n;
        if (out > 0)
                out--; /* the trailing newline */
        buf[out] = 0;
        return (int) out;
}

static void forward_send(const struct forward_state *f) {
        char out[NOTIFY_MESSAGE_MAX + 256];
        if (notify_format_forward(f, out, sizeof out) > 0)
                host_notify_forward(out);
}

static void close_passed_fds(struct msghdr *mh) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int *fds = (int *) CMSG_DATA(c);
                for (size_t i = 0; i < nfd; i++) {
                        int fd;
                        memcpy(&fd, fds + i, sizeof fd);
                        if (fd >= 0)
                                close(fd);
                }
        }
}

int notify_proxy_process(struct notify_proxy *p, notify_handler_t handler, void *userdata) {
        /* Room for one byte more than the largest message we accept, so a longer one shows up as
         * too long even where MSG_TRUNC would not be reported. */
        char buf[NOTIFY_MESSAGE_MAX + 2];
        union {
                struct cmsghdr align;
                char data[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)) +
                          CMSG_SPACE(sizeof(int) * SCM_MAX_FD)];
        } control;
        struct forward_state fw = {.errno_value = -1};
        int handled = 0;

        p->last_read = 0;
        for (unsigned i = 0; i < NOTIFY_BATCH_MAX; i++) {
                struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf - 1};
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof control,
                };
                /* MSG_CMSG_CLOEXEC: an fd that arrives is never inherited by a child hutch
                 * forks before it is closed below. */
                ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                break;
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "notify: recvmsg: %m");
                }

                p->last_read++;
                struct ucred *cred = NULL;
                int pidfd = -EBADF;
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                        if (c->cmsg_level != SOL_SOCKET)
                                continue;
                        if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                                cred = (struct ucred *) CMSG_DATA(c);
                        else if (c->cmsg_type == SCM_PIDFD && c->cmsg_len == CMSG_LEN(sizeof(int)))
                                memcpy(&pidfd, CMSG_DATA(c), sizeof pidfd);
                }
                /* No fd is ever kept: FDSTORE= is not forwarded, and anything else is junk. */
                close_passed_fds(&mh);

                pid_t pid = cred ? cred->pid : 0;
                const char *why = NULL;
                if (n == 0)
                        why = "empty datagram";
                else if ((size_t) n > NOTIFY_MESSAGE_MAX || (mh.msg_flags & MSG_TRUNC))
                        why = "oversized datagram";
                else if (mh.msg_flags & MSG_CTRUNC)
                        why = "truncated control data";
                else if (memchr(buf, 0, (size_t) n))
                        why = "NUL byte in datagram";
                else if (!cred)
                        why = "no sender credentials";
                else
                        why = sender_refused(p, pid, pidfd);
                if (pidfd >= 0)
                        close(pidfd);
                if (why) {
                        log_debug("notify: dropped message from pid %d: %s", (int) pid, why);
                        continue;
                }

                buf[n] = 0;
                struct notify_message m;
                if (notify_parse_message(buf, &m) == 0)
                        continue;
                /* READY=1 and RELOADING=1 undo each other, and systemd heeds only a datagram's
                 * last one: when the batch has one pending and this message brings the other,
                 * what is pending goes up first, so that systemd sees both in the payload's
                 * order (merged, READY=1 then RELOADING=1 would lose the reload; or, were
                 * RELOADING=1 put last, the READY=1 of a start). */
                if ((fw.ready && m.reloading && !m.ready) || (fw.reloading && m.ready && !m.reloading)) {
                        forward_send(&fw);
                        fw = (struct forward_state){.errno_value = -1};
                }
                forward_merge(&fw, &m);
                if (handler)
                        handler(&m, userdata);
                handled++;
        }

        forward_send(&fw);
        return handled;
}

unsigned notify_proxy_last_read(const struct notify_proxy *p) {
        return p ? p->last_read : 0;
}

void notify_proxy_free(struct notify_proxy *p) {
        if (!p)
                return;
        if (p->fd >= 0)
                close(p->fd);
        if (p->path)
                unlink(p->path);
        if (p->dir)
                rmdir(p->dir);
        free(p->path);
        free(p->dir);
        free(p->cgroup_path);
        free(p->cgroup_mount);
        free(p);
}
