/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Probe for the host-link tests. Subcommands:
 *
 *   journal MODE      In a private mount namespace with a fake journald socket at
 *                     /run/systemd/journal/socket, emits one lifecycle event and one log message
 *                     through the host link and prints what reached the journal ("J<n> FIELD=value")
 *                     and what reached stderr ("E <line>"). MODE: "stream" (stderr is the journal
 *                     stream named by JOURNAL_STREAM), "mismatch" (JOURNAL_STREAM names another
 *                     file), "nosocket" (stream, but no journald listening).
 *   manager SOCK -- CMD...
 *                     A fake service manager: binds SOCK, runs CMD with NOTIFY_SOCKET=SOCK, prints
 *                     every datagram it receives ("N <text>", newlines shown as '|') until CMD has
 *                     exited, and exits with CMD's status.
 *   send WHAT...      A payload: sends to $NOTIFY_SOCKET. WHAT is one of: "text:STRING" (with \n
 *                     escapes), "fd:STRING" (STRING with an fd passed along), "empty", "big"
 *                     (8 KiB), "flood:N" (N x "STATUS=flood"), "sleep:MS".
 *   mark-delegated DIR  Sets trusted.delegate=1 on a cgroup directory, as systemd does for
 *                     Delegate=yes.
 *   under-systemd     Prints host_under_systemd(): "yes" or "no". */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hutch/host.h"
#include "hutch/log.h"

static int bind_dgram(const char *path) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if (fd < 0 || strlen(path) >= sizeof sa.sun_path)
                return -1;
        strcpy(sa.sun_path, path);
        unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -1;
        return fd;
}

static void print_datagram(const char *prefix, const char *buf, ssize_t n) {
        printf("%s", prefix);
        for (ssize_t i = 0; i < n; i++)
                putchar(buf[i] == '\n' ? '|' : buf[i]);
        putchar('\n');
}

/* The journal's native protocol: "FIELD=value\n", or "FIELD\n" + 64-bit LE length + value + "\n"
 * for values with newlines. */
static void print_journal_datagram(unsigned idx, const char *buf, size_t n) {
        size_t i = 0;
        while (i < n) {
                const char *nl = memchr(buf + i, '\n', n - i);
                if (!nl)
                        break;
                const char *eq = memchr(buf + i, '=', (size_t) (nl - (buf + i)));
                if (eq) {
                        printf("J%u %.*s\n", idx, (int) (nl - (buf + i)), buf + i);
                        i = (size_t) (nl - buf) + 1;
                        continue;
                }
                size_t name_len = (size_t) (nl - (buf + i));
                uint64_t len;
                if ((size_t) (nl - buf) + 1 + 8 > n)
                        break;
                memcpy(&len, nl + 1, 8);
                const char *v = nl + 9;
                printf("J%u %.*s=", idx, (int) name_len, buf + i);
                for (uint64_t k = 0; k < len && v + k < buf + n; k++)
                        putchar(v[k] == '\n' ? '|' : v[k]);
                putchar('\n');
                i = (size_t) (v - buf) + len + 1;
        }
}

static int cmd_journal(const char *mode) {
        /* Everything below happens in a mount namespace of our own: the tmpfs on /run (and the
         * fake journald socket in it) vanish with this process. */
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") < 0) {
                perror("private /run");
                return 77;
        }
        int jfd = -1;
        if (strcmp(mode, "nosocket") != 0) {
                if (mkdir("/run/systemd", 0755) < 0 || mkdir("/run/systemd/journal", 0755) < 0)
                        return 1;
                jfd = bind_dgram("/run/systemd/journal/socket");
                if (jfd < 0)
                        return 1;
        }

        /* stderr: one end of a socketpair (as journald gives services a stream socket). */
        int sp[2], other[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 ||
            socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, other) < 0)
                return 1;
        fflush(stdout);
        if (dup2(sp[1], STDERR_FILENO) < 0)
                return 1;
        struct stat st;
        fstat(strcmp(mode, "mismatch") == 0 ? other[0] : STDERR_FILENO, &st);
        char js[64];
        snprintf(js, sizeof js, "%llu:%llu", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        setenv("JOURNAL_STREAM", js, 1);

        host_event(&(struct host_event){.kind = HOST_EVENT_RESTARTING,
                                        .unit = "web",
                                        .reason = "exit-code",
                                        .status = 3,
                                        .restart_count = 2,
                                        .delay = 100000,
                                        .message = "exited with status 3, restarting in 100ms"});
        host_log_setup("web");
        log_warning("disk %s", "full");
        close(STDERR_FILENO);
        close(sp[1]);

        char buf[65536];
        unsigned idx = 0;
        if (jfd >= 0) {
                ssize_t n;
                while ((n = recv(jfd, buf, sizeof buf, MSG_DONTWAIT)) >= 0)
                        print_journal_datagram(idx++, buf, (size_t) n);
        }
        ssize_t n = read(sp[0], buf, sizeof buf - 1);
        if (n > 0) {
                buf[n] = 0;
                for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
                        printf("E %s\n", line);
        }
        printf("journal-datagrams %u\n", idx);
        return 0;
}

static int cmd_manager(int argc, char **argv) {
        if (argc < 4 || strcmp(argv[3], "--") != 0 || argc < 5)
                return 2;
        int fd = bind_dgram(argv[2]);
        if (fd < 0) {
                perror("bind");
                return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
                setenv("NOTIFY_SOCKET", argv[2], 1);
                execvp(argv[4], argv + 4);
                _exit(127);
        }
        char buf[65536];
        int status = 0;
        for (;;) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int r = poll(&p, 1, 100);
                if (r > 0) {
                        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
                        if (n >= 0)
                                print_datagram("N ", buf, n);
                        continue;
                }
                if (waitpid(pid, &status, WNOHANG) == pid)
                        break;
        }
        ssize_t n;
        while ((n = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) >= 0)
                print_datagram("N ", buf, n);
        unlink(argv[2]);
        fflush(stdout);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int send_raw(const char *data, size_t len, int pass_fd) {
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path)
                return -1;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct iovec iov = {.iov_base = (void *) data, .iov_len = len};
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof sa, .msg_iov = &iov, .msg_iovlen = 1};
        if (pass_fd >= 0) {
                mh.msg_control = &control;
                mh.msg_controllen = sizeof control;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &pass_fd, sizeof(int));
        }
        int r = sendmsg(fd, &mh, 0) < 0 ? -errno : 0;
        close(fd);
        return r;
}

static char *unescape(const char *s) {
        char *out = strdup(s), *o = out;
        for (; *s; s++) {
                if (s[0] == '\\' && s[1] == 'n') {
                        *o++ = '\n';
                        s++;
                } else
                        *o++ = *s;
        }
        *o = 0;
        return out;
}

static int cmd_send(int argc, char **argv) {
        int failed = 0;
        for (int i = 2; i < argc; i++) {
                const char *w = argv[i];
                int r = 0;
                if (strncmp(w, "text:", 5) == 0) {
                        char *t = unescape(w + 5);
                        r = send_raw(t, strlen(t), -1);
                        free(t);
                } else if (strncmp(w, "fd:", 3) == 0) {
                        char *t = unescape(w + 3);
                        int p[2];
                        if (pipe2(p, O_CLOEXEC) < 0)
                                return 1;
                        r = send_raw(t, strlen(t), p[1]);
                        close(p[1]);
                        /* If hutch kept the fd, the read end would not see EOF. */
                        char c;
                        struct pollfd pfd = {.fd = p[0], .events = POLLIN};
                        int k = poll(&pfd, 1, 5000);
                        printf("fd-closed-by-receiver %s\n",
                               k == 1 && read(p[0], &c, 1) == 0 ? "yes" : "no");
                        close(p[0]);
                        free(t);
                } else if (strcmp(w, "empty") == 0)
                        r = send_raw("", 0, -1);
                else if (strcmp(w, "big") == 0) {
                        static char big[8192];
                        memset(big, 'x', sizeof big);
                        memcpy(big, "READY=1\nSTATUS=", 16);
                        r = send_raw(big, sizeof big, -1);
                } else if (strncmp(w, "flood:", 6) == 0) {
                        long n = strtol(w + 6, NULL, 10);
                        for (long k = 0; k < n && r == 0; k++)
                                r = send_raw("STATUS=flood", 12, -1);
                } else if (strncmp(w, "sleep:", 6) == 0)
                        usleep((useconds_t) strtoul(w + 6, NULL, 10) * 1000);
                else
                        return 2;
                if (r < 0) {
                        fprintf(stderr, "send %s: %s\n", w, strerror(-r));
                        failed = 1;
                }
        }
        fflush(stdout);
        return failed;
}

/* Marks a cgroup directory the way systemd marks a unit's cgroup with Delegate=yes. */
static int cmd_mark_delegated(const char *dir) {
        if (setxattr(dir, "trusted.delegate", "1", 1, 0) < 0) {
                perror("setxattr trusted.delegate");
                return 1;
        }
        return 0;
}

/* The "send" role runs as a sandboxed payload; in a sanitizer build LeakSanitizer's exit-time
 * check there needs ptrace(), which the sandbox's seccomp filter refuses ("LeakSanitizer has
 * encountered a fatal error", exit status 1). Only that role turns it off; the journal and
 * manager roles run on the host and keep it. Without a sanitizer runtime this is never called. */
static bool lsan_off;
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
        return lsan_off;
}

int main(int argc, char **argv) {
        /* The manager and the payload share one stdout pipe: whole lines, one write each, so
         * their lines never interleave mid-line. */
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc >= 3 && strcmp(argv[1], "journal") == 0)
                return cmd_journal(argv[2]);
        if (argc >= 2 && strcmp(argv[1], "manager") == 0)
                return cmd_manager(argc, argv);
        if (argc >= 2 && strcmp(argv[1], "send") == 0) {
                lsan_off = true;
                return cmd_send(argc, argv);
        }
        if (argc == 3 && strcmp(argv[1], "mark-delegated") == 0)
                return cmd_mark_delegated(argv[2]);
        if (argc == 2 && strcmp(argv[1], "under-systemd") == 0) {
                printf("%s\n", host_under_systemd() ? "yes" : "no");
                return 0;
        }
        fprintf(stderr, "usage: %s journal MODE | manager SOCK -- CMD... | send WHAT...\n", argv[0]);
        return 2;
}
