/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host link's outward half: event lines, message ids, what sd_notify sends to the
 * service manager (captured on a NOTIFY_SOCKET of the test's own), the watchdog settings, and
 * journald's native protocol (decoded from a datagram socket standing in for journald's). */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/host-internal.h"
#include "tap.h"

static int fake_manager(char *path, size_t l) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -1;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "/tmp/hutch-test-host.%d", (int) getpid());
        unlink(sa.sun_path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                close(fd);
                return -1;
        }
        snprintf(path, l, "%s", sa.sun_path);
        return fd;
}

static const char *recv_one(int fd, char *buf, size_t l) {
        ssize_t n = recv(fd, buf, l - 1, MSG_DONTWAIT);
        if (n < 0)
                return NULL;
        buf[n] = 0;
        return buf;
}

static void test_notify_address(void) {
        static const struct {
                const char *s;
                int r;
                size_t name_len; /* bytes of sun_path in the address */
                bool abstract;
        } cases[] = {
                {"/run/systemd/notify", 0, sizeof "/run/systemd/notify", false},
                {"@hutch/notify", 0, STRLEN("hutch/notify") + 1, true},
                {"", -EINVAL, 0, false},
                {"run/notify", -EINVAL, 0, false},
                {"@", -EINVAL, 0, false},
                {"vsock:2:1234", -EPROTONOSUPPORT, 0, false},
                {"vsock-dgram:2:1234", -EPROTONOSUPPORT, 0, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct sockaddr_un sa;
                socklen_t l = 0;
                int r = host_notify_socket_address(cases[i].s, &sa, &l);
                bool ok = r == cases[i].r;
                if (ok && r == 0) {
                        ok = sa.sun_family == AF_UNIX &&
                             l == offsetof(struct sockaddr_un, sun_path) + cases[i].name_len;
                        if (cases[i].abstract)
                                ok = ok && sa.sun_path[0] == 0 &&
                                     memcmp(sa.sun_path + 1, cases[i].s + 1, cases[i].name_len - 1) == 0;
                        else
                                ok = ok && strcmp(sa.sun_path, cases[i].s) == 0;
                }
                TAP_CHECK(ok, "NOTIFY_SOCKET='%s': %d (got %d)", cases[i].s, cases[i].r, r);
        }

        /* The longest that fit: 107 path bytes and a NUL; '@' and 107 name bytes (no NUL). */
        char s[sizeof((struct sockaddr_un *) 0)->sun_path + 2];
        struct sockaddr_un sa;
        socklen_t l;
        memset(s, 'a', sizeof s - 1);
        s[sizeof s - 1] = 0;
        s[0] = '/';
        s[108] = 0;
        TAP_CHECK(host_notify_socket_address(s, &sa, &l) == -ENAMETOOLONG, "a 108-byte path is too long");
        s[107] = 0;
        TAP_CHECK(host_notify_socket_address(s, &sa, &l) == 0 && l == sizeof sa, "a 107-byte path fits");
        s[0] = '@';
        s[107] = 'a';
        s[108] = 0;
        TAP_CHECK(host_notify_socket_address(s, &sa, &l) == 0 && l == sizeof sa,
                  "an abstract name of 107 bytes fits");
        s[108] = 'a';
        s[109] = 0;
        TAP_CHECK(host_notify_socket_address(s, &sa, &l) == -ENAMETOOLONG,
                  "an abstract name of 108 bytes is too long");
}

static void test_notify_abstract(void) {
        /* An abstract socket of the test's own: "@name" on the sending side. */
        char name[64];
        snprintf(name, sizeof name, "hutch-test-host-notify.%d", (int) getpid());
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        memcpy(sa.sun_path + 1, name, strlen(name));
        int r = bind(fd, (struct sockaddr *) &sa,
                     (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name)));
        TAP_CHECK(fd >= 0 && r == 0, "abstract fake service manager socket");
        char env[80], buf[256];
        snprintf(env, sizeof env, "@%s", name);
        setenv("NOTIFY_SOCKET", env, 1);
        TAP_CHECK(host_sd_notify("READY=1\nSTATUS=up") == 1, "sent to an abstract NOTIFY_SOCKET");
        TAP_STREQ(recv_one(fd, buf, sizeof buf), "READY=1\nSTATUS=up", "datagram on the abstract socket");

        setenv("NOTIFY_SOCKET", "relative/path", 1);
        TAP_CHECK(host_sd_notify("READY=1") == -EINVAL, "a relative NOTIFY_SOCKET is an error");
        setenv("NOTIFY_SOCKET", "vsock:2:999", 1);
        TAP_CHECK(host_sd_notify("READY=1") == -EPROTONOSUPPORT, "a vsock NOTIFY_SOCKET is not supported");
        setenv("NOTIFY_SOCKET", "/nonexistent/hutch-test/notify", 1);
        TAP_CHECK(host_sd_notify("READY=1") == -ENOENT, "a missing NOTIFY_SOCKET is an error");
        unsetenv("NOTIFY_SOCKET");
        TAP_CHECK(host_sd_notify("READY=1") == 0, "no NOTIFY_SOCKET: nothing to do");
        close(fd);
}

static void test_watchdog_settings(void) {
        char me[16];
        snprintf(me, sizeof me, "%d", (int) getpid());
        static const struct {
                const char *usec, *pid; /* NULL: unset; "$": our pid */
                int r;
                usec_t expect;
        } cases[] = {
                {NULL, NULL, 0, 0},
                {NULL, "$", 0, 0},
                {"500000", NULL, 1, 500000},
                {"500000", "$", 1, 500000},
                {"500000", "1", 0, 0},
                {"0", NULL, -ERANGE, 0},
                {"18446744073709551615", NULL, -ERANGE, 0}, /* infinity is not an interval */
                {"-5", NULL, -ERANGE, 0},
                {"5s", NULL, -EINVAL, 0},
                {"", NULL, -EINVAL, 0},
                {"500000", "abc", -EINVAL, 0},
                {"500000", "0", -ERANGE, 0},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                if (cases[i].usec)
                        setenv("WATCHDOG_USEC", cases[i].usec, 1);
                else
                        unsetenv("WATCHDOG_USEC");
                if (cases[i].pid)
                        setenv("WATCHDOG_PID", streq(cases[i].pid, "$") ? me : cases[i].pid, 1);
                else
                        unsetenv("WATCHDOG_PID");
                usec_t u = 0;
                int r = host_watchdog_enabled(&u);
                TAP_CHECK(r == cases[i].r && (r <= 0 || u == cases[i].expect),
                          "WATCHDOG_USEC=%s WATCHDOG_PID=%s: %d (got %d, %llu)", cases[i].usec ?: "(unset)",
                          cases[i].pid ?: "(unset)", cases[i].r, r, (unsigned long long) u);
        }
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
}

/* One decoded journal field. */
struct field {
        char name[65];
        const char *value;
        size_t len;
};

/* Decodes an entry the way journald reads the native protocol. Returns the number of fields or
 * -1 when the bytes are not a well-formed entry. */
static int decode_entry(const char *b, size_t size, struct field *f, int max) {
        int n = 0;
        size_t i = 0;
        while (i < size) {
                if (n == max)
                        return -1;
                const char *nl = memchr(b + i, '\n', size - i);
                if (!nl)
                        return -1;
                const char *eq = memchr(b + i, '=', (size_t) (nl - (b + i)));
                size_t name_len = (size_t) ((eq ? eq : nl) - (b + i));
                if (name_len == 0 || name_len > 64)
                        return -1;
                memcpy(f[n].name, b + i, name_len);
                f[n].name[name_len] = 0;
                if (eq) { /* text form: "NAME=value\n" */
                        f[n].value = eq + 1;
                        f[n].len = (size_t) (nl - eq - 1);
                        i = (size_t) (nl + 1 - b);
                } else { /* binary form: "NAME\n", le64 length, value, "\n" */
                        i = (size_t) (nl + 1 - b);
                        if (size - i < 8)
                                return -1;
                        uint64_t l = 0;
                        for (int k = 7; k >= 0; k--)
                                l = (l << 8) | (unsigned char) b[i + (size_t) k];
                        i += 8;
                        if (l > size - i || size - i - l < 1 || b[i + l] != '\n')
                                return -1;
                        f[n].value = b + i;
                        f[n].len = (size_t) l;
                        i += l + 1;
                }
                n++;
        }
        return n;
}

static bool field_is(const struct field *f, const char *name, const char *value, size_t len) {
        return streq(f->name, name) && f->len == len && memcmp(f->value, value, len) == 0;
}

#define IOV(s) ((struct iovec){.iov_base = (char *) (s), .iov_len = strlen(s)})

/* Receives one datagram (and at most one fd) from the fake journald. */
static ssize_t recv_entry(int fd, char *buf, size_t l, int *ret_fd, bool *truncated) {
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 4)];
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = l};
        struct msghdr mh = {
                .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof control};
        *ret_fd = -1;
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0)
                return -1;
        *truncated = (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        int fds[4];
                        memcpy(fds, CMSG_DATA(c), nfd * sizeof(int));
                        for (size_t k = 0; k < nfd; k++) {
                                if (k == 0 && *ret_fd < 0)
                                        *ret_fd = fds[k];
                                else {
                                        close(fds[k]);
                                        *truncated = true; /* more than one fd: not what journald takes */
                                }
                        }
                }
        return n;
}

static void test_journal_field_names(void) {
        static const struct {
                const char *name;
                bool valid;
        } cases[] = {
                {"MESSAGE", true},
                {"HUTCH_EXIT_STATUS", true},
                {"A", true},
                {"X9_", true},
                {"", false},
                {"_PID", false},
                {"9LIVES", false},
                {"message", false},
                {"MESSAGE-ID", false},
                {"MESSAGE ID", false},
                {"MÉSSAGE", false},
                {"A234567890123456789012345678901234567890123456789012345678901234", true},
                {"A2345678901234567890123456789012345678901234567890123456789012345", false},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                TAP_CHECK(host_journal_field_name_is_valid(cases[i].name, strlen(cases[i].name)) ==
                                  cases[i].valid,
                          "journal field name '%s' is %s", cases[i].name,
                          cases[i].valid ? "valid" : "invalid");
}

static void test_journal_send(void) {
        char dir[] = "/tmp/hutch-test-journal.XXXXXX";
        TAP_CHECK(mkdtemp(dir) != NULL, "temporary directory for the fake journald");
        char path[108];
        snprintf(path, sizeof path, "%s/socket", dir);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        TAP_CHECK(fd >= 0 && bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0, "fake journald socket");

        static char buf[1 << 16];
        struct field f[16];
        int rfd;
        bool trunc;

        /* Text form only. */
        struct iovec text[] = {IOV("MESSAGE=web: started (pid 42)"), IOV("PRIORITY=6"),
                               IOV("SYSLOG_IDENTIFIER=hutch"), IOV("HUTCH_UNIT=")};
        TAP_CHECK(host_journal_sendv_to(path, text, ELEMENTSOF(text)) == 0, "text entry sent");
        ssize_t n = recv_entry(fd, buf, sizeof buf, &rfd, &trunc);
        static const char expect_text[] =
                "MESSAGE=web: started (pid 42)\nPRIORITY=6\nSYSLOG_IDENTIFIER=hutch\n"
                "HUTCH_UNIT=\n";
        TAP_CHECK(n == STRLEN(expect_text) && rfd < 0 && !trunc && memcmp(buf, expect_text, (size_t) n) == 0,
                  "text entry: one 'NAME=value\\n' line per field, nothing else (no CODE_FILE= etc.)");

        /* A value with a newline takes the binary form; the other fields stay text. */
        struct iovec bin[] = {IOV("MESSAGE=line one\nline two"), IOV("PRIORITY=3")};
        TAP_CHECK(host_journal_sendv_to(path, bin, ELEMENTSOF(bin)) == 0, "entry with a newline sent");
        n = recv_entry(fd, buf, sizeof buf, &rfd, &trunc);
        static const char expect_bin[] = "MESSAGE\n\x11\0\0\0\0\0\0\0line one\nline two\nPRIORITY=3\n";
        TAP_CHECK(n == STRLEN(expect_bin) && rfd < 0 && !trunc && memcmp(buf, expect_bin, (size_t) n) == 0,
                  "binary form: NAME, newline, 64-bit little-endian length, value, newline");
        int k = n > 0 ? decode_entry(buf, (size_t) n, f, 16) : -1;
        TAP_CHECK(k == 2 && field_is(&f[0], "MESSAGE", "line one\nline two", 17) &&
                          field_is(&f[1], "PRIORITY", "3", 1),
                  "the binary entry decodes back to its fields");

        /* Values may be empty, contain '=' or end in a newline. */
        struct iovec odd[] = {IOV("A=b=c"), IOV("EMPTY="), IOV("TRAILING=x\n")};
        TAP_CHECK(host_journal_sendv_to(path, odd, ELEMENTSOF(odd)) == 0, "entry with odd values sent");
        n = recv_entry(fd, buf, sizeof buf, &rfd, &trunc);
        k = n > 0 ? decode_entry(buf, (size_t) n, f, 16) : -1;
        TAP_CHECK(k == 3 && field_is(&f[0], "A", "b=c", 3) && field_is(&f[1], "EMPTY", "", 0) &&
                          field_is(&f[2], "TRAILING", "x\n", 2),
                  "'=' in a value, an empty value and a trailing newline survive");

        /* Invalid entries are refused whole, before anything is sent. */
        static const char *const bad[] = {"_PID=1", "lower=1", "NOEQUALS", "=value", "9X=1", "BAD NAME=1"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct iovec e[] = {IOV("MESSAGE=ok"), IOV(bad[i])};
                TAP_CHECK(host_journal_sendv_to(path, e, ELEMENTSOF(e)) == -EINVAL,
                          "field '%s' refused with -EINVAL", bad[i]);
        }
        TAP_CHECK(host_journal_sendv_to(path, text, 0) == -EINVAL, "an entry without fields is refused");
        TAP_CHECK(recv_entry(fd, buf, sizeof buf, &rfd, &trunc) < 0 && errno == EAGAIN,
                  "nothing was sent for the refused entries");

        /* An entry bigger than a datagram may be (the sender's SO_SNDBUF, wmem_default) goes
         * as a sealed memfd in an empty datagram. */
        size_t big = 512 * 1024;
        long wmem = 0;
        FILE *w = fopen("/proc/sys/net/core/wmem_default", "re");
        if (w) {
                if (fscanf(w, "%ld", &wmem) != 1)
                        wmem = 0;
                fclose(w);
        }
        char *v = malloc(big + 32);
        memcpy(v, "BIG=", 4);
        for (size_t i = 0; i < big; i++)
                v[4 + i] = (char) ('a' + i % 26);
        v[4 + 1000] = '\n'; /* and in binary form */
        struct iovec large[] = {IOV("MESSAGE=big one"), {.iov_base = v, .iov_len = 4 + big}};
        TAP_CHECK(host_journal_sendv_to(path, large, ELEMENTSOF(large)) == 0, "a %zu KiB entry sent",
                  big / 1024);
        n = recv_entry(fd, buf, sizeof buf, &rfd, &trunc);
        if (wmem > 0 && (size_t) wmem >= big) {
                printf("ok %u - # SKIP wmem_default=%ld lets a %zu KiB datagram through\n", ++tap_n, wmem,
                       big / 1024);
                if (rfd >= 0)
                        close(rfd);
        } else {
                TAP_CHECK(n == 0 && rfd >= 0 && !trunc, "the big entry came as one fd in an empty datagram");
                int seals = rfd >= 0 ? fcntl(rfd, F_GET_SEALS) : -1;
                TAP_CHECK(seals == (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL),
                          "the fd is sealed against shrinking, growing, writing and more seals (0x%x)",
                          seals);
                char link[PATH_MAX] = "", proc[64];
                snprintf(proc, sizeof proc, "/proc/self/fd/%d", rfd);
                ssize_t ll = readlink(proc, link, sizeof link - 1);
                if (ll > 0)
                        link[ll] = 0;
                TAP_CHECK(strncmp(link, "/memfd:", 7) == 0, "the fd is a memfd (%s)", link);
                struct stat st;
                char *data = NULL;
                if (rfd >= 0 && fstat(rfd, &st) == 0 && st.st_size > 0) {
                        data = malloc((size_t) st.st_size);
                        if (data && pread(rfd, data, (size_t) st.st_size, 0) != st.st_size) {
                                free(data);
                                data = NULL;
                        }
                }
                k = data ? decode_entry(data, (size_t) st.st_size, f, 16) : -1;
                TAP_CHECK(k == 2 && field_is(&f[0], "MESSAGE", "big one", 7) &&
                                  field_is(&f[1], "BIG", v + 4, big),
                          "the memfd holds the whole entry, encoded as in a datagram");
                free(data);
                if (rfd >= 0)
                        close(rfd);
        }
        free(v);

        /* A journald that does not read: once its queue is full, an entry fails at once with
         * -EAGAIN (the callers' cue to write to stderr) instead of waiting. */
        int full = 0, sent = 0;
        for (int i = 0; i < 100000 && full == 0; i++) {
                full = host_journal_sendv_to(path, text, ELEMENTSOF(text));
                if (full == 0)
                        sent++;
        }
        TAP_CHECK(full == -EAGAIN, "a full journald queue: -EAGAIN after %d entries, no wait (%d)", sent,
                  full);
        while (recv_entry(fd, buf, sizeof buf, &rfd, &trunc) >= 0)
                if (rfd >= 0)
                        close(rfd);

        /* As sd_journal_sendv(): no journald socket, the entry is dropped without an error. */
        close(fd);
        unlink(path);
        TAP_CHECK(host_journal_sendv_to(path, text, ELEMENTSOF(text)) == 0,
                  "no journald socket: the entry is dropped silently");
        rmdir(dir);
}

int main(void) {
        /* Message ids: 32 lowercase hex digits, one per kind, all different. */
        for (int k = 0; k < _HOST_EVENT_MAX; k++) {
                const char *id = host_event_message_id(k);
                int ok = id && strlen(id) == 32;
                for (int i = 0; ok && i < 32; i++)
                        ok = isxdigit((unsigned char) id[i]) && !isupper((unsigned char) id[i]);
                for (int j = 0; ok && j < k; j++)
                        ok = strcmp(id, host_event_message_id(j)) != 0;
                TAP_CHECK(ok, "MESSAGE_ID of %s is 128 bits in hex and unique",
                          host_event_kind_to_string(k));
        }
        TAP_CHECK(host_event_message_id(_HOST_EVENT_MAX) == NULL, "no MESSAGE_ID past the table");

        char line[512];
        host_event_format_line(&(struct host_event){.kind = HOST_EVENT_RESTARTING,
                                                    .unit = "web",
                                                    .reason = "exit-code",
                                                    .status = 3,
                                                    .restart_count = 2,
                                                    .delay = 100 * USEC_PER_MSEC,
                                                    .message = "exited with status 3, restarting in 100ms"},
                               line, sizeof line);
        TAP_STREQ(line,
                  "hutch: web: exited with status 3, restarting in 100ms [event=restarting reason=exit-code "
                  "status=3 restarts=2 delay=100000us]",
                  "restart event line");
        host_event_format_line(
                &(struct host_event){.kind = HOST_EVENT_STARTED, .unit = "db", .pid = 42, .status = -1},
                line, sizeof line);
        TAP_STREQ(line, "hutch: db: started (pid 42) [event=started pid=42]",
                  "started event without a message");
        /* A signal number and an exit status are told apart (systemd's code=killed/exited). */
        host_event_format_line(&(struct host_event){.kind = HOST_EVENT_EXITED,
                                                    .unit = "db",
                                                    .reason = "timeout",
                                                    .status = 9,
                                                    .exit_code = CLD_KILLED,
                                                    .message = "exited with signal SIGKILL (timeout)"},
                               line, sizeof line);
        TAP_STREQ(line,
                  "hutch: db: exited with signal SIGKILL (timeout) [event=exited reason=timeout status=9 "
                  "code=killed]",
                  "exit event line says how to read the status");
        int need = host_event_format_line(
                &(struct host_event){
                        .kind = HOST_EVENT_EXITED, .unit = "x", .reason = "signal", .status = 9},
                line, 8);
        TAP_CHECK(strlen(line) == 7 && need > 8, "a short buffer truncates and reports the needed length");

        /* Without JOURNAL_STREAM the journal is never used. */
        unsetenv("JOURNAL_STREAM");
        TAP_CHECK(!host_stderr_is_journal(), "stderr is not the journal without JOURNAL_STREAM");

        /* Not started by systemd: no INVOCATION_ID. */
        unsetenv("INVOCATION_ID");
        TAP_CHECK(!host_under_systemd(), "not under systemd without INVOCATION_ID");

        /* sd_notify goes where NOTIFY_SOCKET points: capture exactly what hutch sends. */
        unsetenv("NOTIFY_SOCKET");
        host_notify_ready(); /* must be a harmless no-op */
        char path[108], buf[4096];
        int fd = fake_manager(path, sizeof path);
        TAP_CHECK(fd >= 0, "fake service manager socket");
        setenv("NOTIFY_SOCKET", path, 1);
        host_notify_ready();
        TAP_STREQ(recv_one(fd, buf, sizeof buf), "READY=1", "READY=1 sent");
        host_notify_status("restarting %d/%d\nREADY=0", 2, 5);
        TAP_STREQ(recv_one(fd, buf, sizeof buf), "STATUS=restarting 2/5 READY=0",
                  "STATUS= stays one line (a newline cannot inject an assignment)");
        host_notify_stopping();
        TAP_STREQ(recv_one(fd, buf, sizeof buf), "STOPPING=1", "STOPPING=1 sent");
        host_notify_reloading();
        TAP_CHECK(recv_one(fd, buf, sizeof buf) && strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0,
                  "RELOADING=1 with MONOTONIC_USEC=");
        host_notify_extend_timeout(95 * USEC_PER_SEC);
        TAP_STREQ(recv_one(fd, buf, sizeof buf), "EXTEND_TIMEOUT_USEC=95000000",
                  "EXTEND_TIMEOUT_USEC= sent");
        host_notify_extend_timeout(USEC_INFINITY);
        TAP_CHECK(recv_one(fd, buf, sizeof buf) == NULL, "no EXTEND_TIMEOUT_USEC= for infinity");
        host_notify_forward("WATCHDOG=1");
        TAP_STREQ(recv_one(fd, buf, sizeof buf), "WATCHDOG=1", "forwarded assignment sent as is");
        host_notify_forward("");
        TAP_CHECK(recv_one(fd, buf, sizeof buf) == NULL, "an empty forward sends nothing");

        /* The watchdog belongs to the pid systemd named. */
        setenv("WATCHDOG_USEC", "2000000", 1);
        setenv("WATCHDOG_PID", "1", 1);
        TAP_CHECK(host_watchdog_usec() == 0, "WATCHDOG_PID of another process: no watchdog");
        char pid[16];
        snprintf(pid, sizeof pid, "%d", (int) getpid());
        setenv("WATCHDOG_PID", pid, 1);
        TAP_CHECK(host_watchdog_usec() == 2000000, "WATCHDOG_USEC for us: 2 s");
        host_watchdog_ping();
        TAP_STREQ(recv_one(fd, buf, sizeof buf), "WATCHDOG=1", "watchdog ping");

        unlink(path);
        close(fd);

        test_notify_address();
        test_notify_abstract();
        test_watchdog_settings();
        test_journal_field_names();
        test_journal_send();
        return tap_done();
}
