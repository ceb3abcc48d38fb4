/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host link's outward half: event lines, message ids, and what sd_notify sends to the
 * service manager (captured on a NOTIFY_SOCKET of the test's own). */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        return tap_done();
}
