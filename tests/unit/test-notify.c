/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The notify proxy, end to end without privileges: crafted datagrams go into the proxy's
 * socket, the handler records what hutch accepted, and a NOTIFY_SOCKET of the test's own
 * captures exactly what hutch would send to systemd. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/host-internal.h"
#include "hutch/procfs.h"
#include "tap.h"

static char tmpdir[] = "/tmp/hutch-test-notify.XXXXXX";
static char manager_path[108];
static int manager_fd = -1;
static unsigned upward_count;

struct seen {
        unsigned n;
        struct notify_message last;
        char status[NOTIFY_MESSAGE_MAX + 1];
};

static void handler(const struct notify_message *m, void *userdata) {
        struct seen *s = userdata;
        s->n++;
        s->last = *m;
        if (m->status) {
                snprintf(s->status, sizeof s->status, "%s", m->status);
                s->last.status = s->status;
        }
}

/* Everything hutch sent upward since the last call, datagrams joined with '|'. */
static const char *upward(void) {
        static char all[65536];
        char buf[8192];
        size_t n = 0;
        all[0] = 0;
        for (;;) {
                ssize_t k = recv(manager_fd, buf, sizeof buf - 1, MSG_DONTWAIT);
                if (k < 0)
                        break;
                buf[k] = 0;
                n += (size_t) snprintf(all + n, sizeof all - n, "%s%s", n ? "|" : "", buf);
        }
        return all;
}

static int client(void) {
        return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static int send_to(int fd, const char *path, const void *data, size_t len, int pass_fd) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        struct iovec iov = {.iov_base = (void *) data, .iov_len = len};
        union {
                struct cmsghdr align;
                char data[CMSG_SPACE(sizeof(int))];
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
        return sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
}

static int send_str(const char *path, const char *s) {
        int fd = client();
        int r = send_to(fd, path, s, strlen(s), -1);
        close(fd);
        return r;
}

static void test_parse(void) {
        struct {
                const char *in;
                int kept;
        } cases[] = {
                {"READY=1", 1},
                {"READY=0", 0},
                {"MAINPID=1", 0},
                {"FDSTORE=1\nFDNAME=x", 0},
                {"NOTIFYACCESS=all\nBARRIER=1", 0},
                {"ERRNO=abc", 0},
                {"ERRNO=-1", 0},
                {"ERRNO=2", 1},
                {"EXTEND_TIMEOUT_USEC=0", 0},
                {"EXTEND_TIMEOUT_USEC=5000000", 1},
                {"STATUS=\xc3\x28", 0},
                {"STATUS=gr\xc3\xbc\xc3\x9f", 1},
                {"WATCHDOG=trigger", 1},
                {"WATCHDOG_USEC=100", 1},
                {"READY=1\nMAINPID=1\nSTATUS=a\n\nSTOPPING=1", 3},
                {" READY=1", 0},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char *t = strdup(cases[i].in);
                struct notify_message m;
                int k = notify_parse_message(t, &m);
                TAP_CHECK(k == cases[i].kept, "parse case %zu keeps %d (got %d)", i, cases[i].kept, k);
                free(t);
        }
        char t[] = "ERRNO=2\nWATCHDOG=trigger\nWATCHDOG_USEC=250000\nSTATUS=x";
        struct notify_message m;
        notify_parse_message(t, &m);
        TAP_CHECK(m.errno_value == 2 && m.watchdog_trigger && !m.watchdog && m.watchdog_usec == 250000 &&
                          streq_ptr(m.status, "x"),
                  "fields parsed");

        TAP_CHECK(notify_cgroup_contains("/a/b", "/a/b"), "cgroup contains itself");
        TAP_CHECK(notify_cgroup_contains("/a/b", "/a/b/payload"), "cgroup contains its child");
        TAP_CHECK(!notify_cgroup_contains("/a/b", "/a/bc"), "/a/b does not contain /a/bc");
        TAP_CHECK(!notify_cgroup_contains("/a/b", "/a"), "a cgroup does not contain its parent");
        TAP_CHECK(notify_cgroup_contains("/", "/x"), "the root contains everything");
}

/* Processes until `want` messages were accepted or the socket stays quiet for 2 s. */
static unsigned pump(struct notify_proxy *p, struct seen *s, unsigned want, unsigned *calls,
                     int *max_batch) {
        unsigned got = 0;
        while (got < want) {
                struct pollfd pfd = {.fd = notify_proxy_fd(p), .events = POLLIN};
                if (poll(&pfd, 1, 2000) <= 0)
                        break;
                int k = notify_proxy_process(p, handler, s);
                if (k < 0)
                        break;
                got += (unsigned) k;
                if (calls) {
                        /* Drain the fake manager as systemd would, counting datagrams: its queue
                         * is short (net.unix.max_dgram_qlen) and sd_notify() blocks when full. */
                        char buf[256];
                        (*calls)++;
                        while (recv(manager_fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
                                upward_count++;
                }
                if (max_batch && k > *max_batch)
                        *max_batch = k;
        }
        return got;
}

static unsigned count_fds(void) {
        unsigned n = 0;
        char path[64];
        for (int fd = 0; fd < 1024; fd++) {
                snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
                if (access(path, F_OK) == 0)
                        n++;
        }
        return n;
}

int main(void) {
        test_parse();

        if (!mkdtemp(tmpdir))
                return 1;
        setenv("RUNTIME_DIRECTORY", tmpdir, 1);

        /* The service manager above hutch: a socket of the test's own. */
        manager_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(manager_path, sizeof manager_path, "%s/manager", tmpdir);
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", manager_path);
        TAP_CHECK(bind(manager_fd, (struct sockaddr *) &sa, sizeof sa) == 0, "fake manager bound");
        setenv("NOTIFY_SOCKET", manager_path, 1);

        struct notify_proxy *p = NULL;
        const char *path = NULL;
        TAP_CHECK(notify_proxy_new("web", &p, &path) == 0 && p && path, "proxy created");
        if (!p)
                return tap_done();
        char *dir = strdup(path);
        *strrchr(dir, '/') = 0;
        struct stat st;
        TAP_CHECK(stat(dir, &st) == 0 && (st.st_mode & 07777) == 0700, "private directory is 0700");
        TAP_CHECK(stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "socket at %s", path);
        TAP_CHECK(strncmp(dir, tmpdir, strlen(tmpdir)) == 0, "socket under $RUNTIME_DIRECTORY");

        char *own = NULL;
        TAP_CHECK(proc_cgroup2_path(0, &own) == 0 && own && own[0] == '/', "own cgroup %s", own ? own : "?");
        notify_proxy_set_cgroup(p, own);
        /* Until the access checks below: every process the filters let through. */
        notify_proxy_set_access(p, NOTIFY_ACCESS_ALL, 1);

        struct seen s = {};
        /* A well-formed message with forbidden keys mixed in: only the allowed ones go up. */
        send_str(path, "READY=1\nMAINPID=1\nSTATUS=serving\nFDSTORE=1\nWATCHDOG_USEC=1");
        TAP_CHECK(pump(p, &s, 1, NULL, NULL) == 1 && s.last.ready && streq_ptr(s.last.status, "serving"),
                  "handler sees READY and STATUS");
        TAP_STREQ(upward(), "STATUS=serving\nREADY=1", "forwarded exactly STATUS and READY, no MAINPID");

        /* MAINPID=1 alone: the handler never hears of it and nothing goes up. */
        s.n = 0;
        send_str(path, "MAINPID=1");
        send_str(path, "STATUS=after");
        pump(p, &s, 1, NULL, NULL);
        TAP_CHECK(s.n == 1 && streq_ptr(s.last.status, "after"), "MAINPID=1 message not handled");
        TAP_STREQ(upward(), "STATUS=after", "MAINPID=1 not forwarded");

        /* Assignments hutch acts on itself: the handler sees them, systemd does not. */
        s.n = 0;
        send_str(path, "STOPPING=1\nWATCHDOG=trigger\nWATCHDOG_USEC=5000000");
        pump(p, &s, 1, NULL, NULL);
        TAP_CHECK(s.n == 1 && s.last.stopping && s.last.watchdog_trigger && s.last.watchdog_usec == 5000000,
                  "handler sees STOPPING=1, WATCHDOG=trigger, WATCHDOG_USEC=");
        TAP_STREQ(upward(), "", "STOPPING=1, WATCHDOG=trigger, WATCHDOG_USEC= not forwarded");
        send_str(path, "RELOADING=1\nERRNO=5\nEXTEND_TIMEOUT_USEC=3000000\nWATCHDOG=1");
        pump(p, &s, 1, NULL, NULL);
        /* EXTEND_TIMEOUT_USEC= goes up 5 s later (HOST_TIMEOUT_MARGIN_USEC): hutch's own deadline
         * moves by the payload's figure, and systemd's must stay behind it. */
        TAP_STREQ(upward(), "ERRNO=5\nEXTEND_TIMEOUT_USEC=8000000\nRELOADING=1\nWATCHDOG=1",
                  "RELOADING=1, ERRNO=, EXTEND_TIMEOUT_USEC= (with hutch's margin), WATCHDOG=1 forwarded");
        /* READY=1 then RELOADING=1 in one batch: two datagrams, in that order (systemd heeds a
         * datagram's last of the two); READY=1 with RELOADING=1 pending likewise. */
        send_str(path, "STATUS=up\nREADY=1");
        send_str(path, "RELOADING=1");
        send_str(path, "STATUS=reloading");
        pump(p, &s, 1, NULL, NULL);
        TAP_STREQ(upward(), "STATUS=up\nREADY=1|STATUS=reloading\nRELOADING=1",
                  "READY=1 then RELOADING=1 read together go up as two datagrams, in order");
        send_str(path, "RELOADING=1");
        send_str(path, "READY=1");
        send_str(path, "READY=1");
        pump(p, &s, 1, NULL, NULL);
        TAP_STREQ(upward(), "RELOADING=1|READY=1", "RELOADING=1 then READY=1: two datagrams, in order");
        send_str(path, "EXTEND_TIMEOUT_USEC=18446744073709551000");
        pump(p, &s, 1, NULL, NULL);
        TAP_STREQ(upward(), "EXTEND_TIMEOUT_USEC=18446744073709551614", "the margin saturates");

        /* A STATUS= of the largest size, then two short messages, read in one call: what goes up
         * is one datagram of at most 4096 bytes (systemd drops a longer one whole), with the short
         * assignments whole and STATUS= cut, at a character, to what room they leave. */
        {
                char big[NOTIFY_MESSAGE_MAX];
                size_t k = 0;
                k += (size_t) snprintf(big, sizeof big, "STATUS=");
                memset(big + k, 'x', 4048);
                k += 4048;
                for (int i = 0; i < 20; i++) {
                        memcpy(big + k, "\xc3\xa9", 2); /* é */
                        k += 2;
                }
                int cl = client();
                send_to(cl, path, big, k, -1);
                send_str(path, "EXTEND_TIMEOUT_USEC=30000000");
                send_str(path, "WATCHDOG=1");
                close(cl);
                struct pollfd pw = {.fd = notify_proxy_fd(p), .events = POLLIN};
                poll(&pw, 1, 1000);
                s.n = 0;
                int got = notify_proxy_process(p, handler, &s);
                const char *u = upward();
                const char *tail = "\nEXTEND_TIMEOUT_USEC=35000000\nWATCHDOG=1";
                size_t ul = strlen(u);
                TAP_CHECK(got == 3 && ul <= NOTIFY_MESSAGE_MAX, "3 merged into %zu bytes (at most %d)", ul,
                          NOTIFY_MESSAGE_MAX);
                TAP_CHECK(ul > strlen(tail) && streq(u + ul - strlen(tail), tail),
                          "EXTEND_TIMEOUT_USEC= and WATCHDOG=1 are whole");
                TAP_CHECK(strncmp(u, "STATUS=", 7) == 0 && strspn(u + 7, "x") == 4048 && u[7 + 4048] == '\n',
                          "STATUS= cut before a character it would have split (%zu bytes of it)",
                          strcspn(u, "\n") - 7);
        }

        /* FDSTORE=1 with an fd: the proxy closes its copy (the pipe sees EOF). */
        int pipefd[2];
        TAP_CHECK(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) == 0, "pipe");
        unsigned before = count_fds();
        int c = client();
        send_to(c, path, "FDSTORE=1\nFDNAME=db", 19, pipefd[1]);
        send_to(c, path, "STATUS=fd-msg", 13, pipefd[1]);
        close(pipefd[1]);
        s.n = 0;
        pump(p, &s, 1, NULL, NULL);
        char b;
        TAP_CHECK(read(pipefd[0], &b, 1) == 0, "every passed fd was closed (EOF on the pipe)");
        /* since `before`: the write end closed, the client socket opened */
        TAP_CHECK(count_fds() == before, "no fd leaked in the test process");
        TAP_STREQ(upward(), "STATUS=fd-msg", "FDSTORE not forwarded, the rest of the batch was");
        close(pipefd[0]);

        /* Datagrams queued before one wakeup go up as one: the last STATUS= wins, READY=1 once. */
        send_str(path, "STATUS=one");
        send_str(path, "STATUS=two\nREADY=1");
        send_str(path, "STATUS=three\nREADY=1");
        s.n = 0;
        pump(p, &s, 3, NULL, NULL);
        TAP_CHECK(s.n == 3, "the handler saw each of the three (%u)", s.n);
        TAP_STREQ(upward(), "STATUS=three\nREADY=1", "three queued datagrams merged into one upward");
        TAP_STREQ(upward(), "", "and nothing more went up");

        /* Empty, oversized, NUL-containing datagrams are dropped. */
        char big[NOTIFY_MESSAGE_MAX + 100];
        memset(big, 'x', sizeof big);
        memcpy(big, "STATUS=", 7);
        s.n = 0;
        send_to(c, path, "", 0, -1);
        send_to(c, path, big, NOTIFY_MESSAGE_MAX + 1, -1);
        send_to(c, path, big, sizeof big, -1);
        send_to(c, path, "READY=1\0STOPPING=1", 18, -1);
        send_to(c, path, big, NOTIFY_MESSAGE_MAX, -1); /* exactly the limit: accepted */
        pump(p, &s, 1, NULL, NULL);
        TAP_CHECK(s.n == 1 && s.last.status && strlen(s.last.status) == NOTIFY_MESSAGE_MAX - 7,
                  "only the datagram of exactly %d bytes passes", NOTIFY_MESSAGE_MAX);
        const char *up = upward();
        TAP_CHECK(strlen(up) == NOTIFY_MESSAGE_MAX && !strstr(up, "READY"), "empty/oversized/NUL dropped");

        /* What a read cost, for the supervisor's rate limit: dropped datagrams count too. Three
         * are queued before one call reads them (fewer than the socket's smallest queue, 10). */
        s.n = 0;
        send_to(c, path, "", 0, -1);
        send_to(c, path, big, sizeof big, -1);
        send_to(c, path, "STATUS=counted", 14, -1);
        poll(&(struct pollfd){.fd = notify_proxy_fd(p), .events = POLLIN}, 1, 1000);
        int accepted = notify_proxy_process(p, handler, &s);
        TAP_CHECK(accepted == 1 && notify_proxy_last_read(p) == 3,
                  "one call read 3 datagrams (%u) and accepted 1 (%d)", notify_proxy_last_read(p), accepted);
        upward();

        /* A sender that has exited and been reaped before hutch reads its message (a payload
         * that sends READY=1 and exits): with SCM_PIDFD the kernel still knows its cgroup. */
        s.n = 0;
        pid_t quick = fork();
        if (quick == 0) {
                send_str(path, "STATUS=gone-already");
                _exit(0);
        }
        waitpid(quick, NULL, 0);
        pump(p, &s, 1, NULL, NULL);
        TAP_CHECK(s.n == 1 && streq_ptr(s.last.status, "gone-already"),
                  "message of a sender reaped before it was read is accepted (pidfd cgroup id)");
        upward();

        /* A sender outside the payload's cgroup. */
        notify_proxy_set_cgroup(p, "/hutch-test-no-such-cgroup");
        s.n = 0;
        send_str(path, "READY=1");
        struct pollfd pfd = {.fd = notify_proxy_fd(p), .events = POLLIN};
        poll(&pfd, 1, 1000);
        TAP_CHECK(notify_proxy_process(p, handler, &s) == 0 && s.n == 0,
                  "sender outside the cgroup refused");
        TAP_CHECK(notify_proxy_last_read(p) == 1, "a refused datagram is still counted as read (%u)",
                  notify_proxy_last_read(p));
        TAP_STREQ(upward(), "", "nothing forwarded for a wrong sender");

        /* No cgroup, no payload pid: nobody is trusted. */
        notify_proxy_set_cgroup(p, NULL);
        send_str(path, "READY=1");
        poll(&pfd, 1, 1000);
        TAP_CHECK(notify_proxy_process(p, handler, &s) == 0, "no filter configured: refused");

        /* Pid filter: the payload and its descendants pass, its parent (this test) does not. */
        int go[2];
        TAP_CHECK(pipe2(go, O_CLOEXEC) == 0, "pipe");
        pid_t payload = fork();
        if (payload == 0) {
                char x;
                if (read(go[0], &x, 1) != 1)
                        _exit(1);
                send_str(path, "STATUS=from-payload");
                /* Both stay alive until the parent has checked: without a cgroup, a sender that
                 * is already gone cannot be placed in the payload's tree. */
                pid_t g = fork();
                if (g == 0) {
                        send_str(path, "STATUS=from-grandchild");
                        _exit(read(go[0], &x, 1) == 1 ? 0 : 1);
                }
                int ok = read(go[0], &x, 1) == 1;
                waitpid(g, NULL, 0);
                _exit(ok ? 0 : 1);
        }
        notify_proxy_set_payload_pid(p, payload);
        if (write(go[1], "g", 1) != 1)
                return 1;
        s.n = 0;
        pump(p, &s, 2, NULL, NULL);
        TAP_CHECK(s.n == 2, "payload and its child accepted by the pid filter (%u)", s.n);
        up = upward();
        TAP_CHECK(strlen(up) >= 22 && streq(up + strlen(up) - 22, "STATUS=from-grandchild"),
                  "the last STATUS forwarded is the last one sent (%s)", up);
        s.n = 0;
        send_str(path, "READY=1");
        poll(&pfd, 1, 1000);
        TAP_CHECK(notify_proxy_process(p, handler, &s) == 0, "the payload's parent is refused");
        if (write(go[1], "gg", 2) != 2)
                return 1;
        waitpid(payload, NULL, 0);
        close(go[0]);
        close(go[1]);

        /* NotifyAccess=: "main" accepts only the main process (here: the sandbox's PID 1 is the
         * main process, payload_pid, this test); "none" nobody; "all" a child too. */
        notify_proxy_set_payload_pid(p, getpid());
        notify_proxy_set_cgroup(p, own);
        notify_proxy_set_access(p, NOTIFY_ACCESS_MAIN, 1);
        upward();
        s.n = 0;
        send_str(path, "STATUS=from-main");
        pid_t worker = fork();
        if (worker == 0) {
                send_str(path, "STATUS=from-worker");
                _exit(0);
        }
        waitpid(worker, NULL, 0);
        pump(p, &s, 1, NULL, NULL);
        TAP_CHECK(s.n == 1 && streq_ptr(s.last.status, "from-main"),
                  "NotifyAccess=main: the main process accepted, another process of the payload refused");
        TAP_STREQ(upward(), "STATUS=from-main",
                  "NotifyAccess=main: only the main process's message goes up");
        notify_proxy_set_access(p, NOTIFY_ACCESS_NONE, 1);
        s.n = 0;
        send_str(path, "STATUS=refused");
        poll(&pfd, 1, 1000);
        TAP_CHECK(notify_proxy_process(p, handler, &s) == 0 && s.n == 0, "NotifyAccess=none: refused");
        notify_proxy_set_access(p, NOTIFY_ACCESS_ALL, 1);
        worker = fork();
        if (worker == 0) {
                send_str(path, "STATUS=from-worker");
                _exit(0);
        }
        waitpid(worker, NULL, 0);
        s.n = 0;
        pump(p, &s, 1, NULL, NULL);
        TAP_CHECK(s.n == 1 && streq_ptr(s.last.status, "from-worker"),
                  "NotifyAccess=all: another process accepted");
        upward();

        /* Flood: 10000 datagrams from one sender; hutch handles them all in bounded batches and
         * sends far fewer datagrams upward. */
        notify_proxy_set_payload_pid(p, 0);
        notify_proxy_set_cgroup(p, own);
        upward();
        pid_t flooder = fork();
        if (flooder == 0) {
                int fd = client();
                for (int i = 0; i < 10000; i++)
                        if (send_to(fd, path, i % 2 ? "WATCHDOG=1" : "MAINPID=1\nWATCHDOG=1",
                                    i % 2 ? 10 : 20, -1) < 0)
                                _exit(1);
                _exit(0);
        }
        unsigned calls = 0;
        int max_batch = 0;
        s.n = 0;
        unsigned got = pump(p, &s, 10000, &calls, &max_batch);
        int status;
        waitpid(flooder, &status, 0);
        TAP_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "flooder sent everything");
        TAP_CHECK(got == 10000, "all 10000 flood messages handled (%u)", got);
        TAP_CHECK(max_batch <= NOTIFY_BATCH_MAX, "at most %d per wakeup (max %d)", NOTIFY_BATCH_MAX,
                  max_batch);
        unsigned ups = upward_count;
        TAP_CHECK(ups > 0 && ups <= calls, "upward datagrams (%u) at most one per wakeup (%u)", ups, calls);

        notify_proxy_free(p);
        TAP_CHECK(access(path, F_OK) < 0 && access(dir, F_OK) < 0, "socket and directory removed on free");

        close(c);
        close(manager_fd);
        unlink(manager_path);
        rmdir(tmpdir);
        free(dir);
        free(own);
        return tap_done();
}
