/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hutch's log lines reach stderr whole: stderr is one end of a SOCK_SEQPACKET socket pair here,
 * which keeps the boundaries of every write(), so each message received is exactly what one
 * write() sent. A line split in two (stdio flushing its 80-byte buffer) would arrive as two. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hutch/log.h"
#include "tap.h"

static int peer = -1;

/* The next write() that reached the peer, NUL-terminated; its length, or -1 when none is waiting. */
static ssize_t next_write(char *buf, size_t size) {
        ssize_t n = recv(peer, buf, size - 1, MSG_DONTWAIT);
        if (n >= 0)
                buf[n] = 0;
        return n;
}

int main(void) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                printf("1..0 # SKIP no SOCK_SEQPACKET: %s\n", strerror(errno));
                return 0;
        }
        int saved_stderr = dup(STDERR_FILENO);
        TAP_CHECK(saved_stderr >= 0 && dup2(sv[0], STDERR_FILENO) == STDERR_FILENO,
                  "stderr on a socket pair");
        peer = sv[1];
        char got[2 * PIPE_BUF], want[2 * PIPE_BUF];

        /* Longer than musl's stderr buffer, with the unit prefix. */
        char msg[301];
        memset(msg, 'm', sizeof msg - 1);
        msg[sizeof msg - 1] = 0;
        log_set_prefix("web");
        errno = 0;
        log_error("%s", msg);
        snprintf(want, sizeof want, "hutch: web: %s\n", msg);
        TAP_CHECK(next_write(got, sizeof got) == (ssize_t) strlen(want) && streq(got, want),
                  "a 300-byte message is one write of the whole line (%zu bytes)", strlen(want));
        TAP_CHECK(next_write(got, sizeof got) < 0, "and nothing after it");

        log_set_prefix(NULL);
        log_error_errno(-ENOENT, "open %s: %m", "/etc/hutch/x.hutch");
        TAP_CHECK(next_write(got, sizeof got) > 0 &&
                          streq(got, "hutch: open /etc/hutch/x.hutch: No such file or directory\n"),
                  "without a prefix, %%m expanded: '%s'", got);

        /* Cut to PIPE_BUF, newline kept, so that a pipe takes it atomically. */
        char *huge = malloc(3 * PIPE_BUF);
        TAP_CHECK(huge != NULL, "huge message");
        memset(huge, 'h', 3 * PIPE_BUF - 1);
        huge[3 * PIPE_BUF - 1] = 0;
        TAP_CHECK(log_write_line(STDERR_FILENO, "%s", huge) == 0, "log_write_line of 12 kB returns 0");
        ssize_t n = next_write(got, sizeof got);
        TAP_CHECK(n == PIPE_BUF && got[n - 1] == '\n' && got[n - 2] == 'h',
                  "cut to %d bytes, ending in a newline (%zd)", PIPE_BUF, n);
        free(huge);

        TAP_CHECK(log_write_line(-1, "x") == -EBADF, "a bad fd is -EBADF");

        /* stderr a pipe nobody reads: hutch's own non-blocking description drops lines instead
         * of blocking, counts them, and says so once the pipe takes lines again. */
        int p[2];
        TAP_CHECK(pipe(p) == 0 && dup2(p[1], STDERR_FILENO) == STDERR_FILENO, "stderr on a pipe");
        log_open_own_stderr();
        TAP_CHECK(log_fd() != STDERR_FILENO, "hutch writes through a descriptor of its own (%d)", log_fd());
        int lines = 0, r = 0;
        while (lines < 100000 && (r = log_write_line(log_fd(), "%0200d", lines)) == 0)
                lines++;
        TAP_CHECK(r == -EAGAIN && lines > 0, "a full pipe: -EAGAIN after %d lines, not a block", lines);
        /* A shorter line may still fit where a 201-byte one did not: whatever went out, the
         * count comes before the next line that does. */
        (void) log_write_line(log_fd(), "lost");
        char drain[PIPE_BUF];
        int drained = 0;
        while (drained < lines && read(p[0], drain, 201) == 201)
                drained++;
        TAP_CHECK(drained == lines, "the %d lines that went out are whole", lines);
        TAP_CHECK(log_write_line(log_fd(), "back") == 0, "once read again, lines go out");
        n = read(p[0], drain, sizeof drain - 1);
        drain[n > 0 ? n : 0] = 0;
        TAP_CHECK(strncmp(drain, "hutch: ", 7) == 0 &&
                          strstr(drain, " line(s) of hutch's log dropped: standard "
                                        "error was not read\n") &&
                          n > 5 && streq(drain + n - 5, "back\n"),
                  "the count of dropped lines comes first: '%s'", drain);

        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        close(sv[0]);
        close(sv[1]);
        close(p[0]);
        close(p[1]);
        return tap_done();
}
