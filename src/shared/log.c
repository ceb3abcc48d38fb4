/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/log.h"

static int max_level = LOG_LEVEL_INFO;
static log_sink_t sink;
static void *sink_userdata;
static const char *prefix;
static int own_fd = -1;  /* log_open_own_stderr() */
static unsigned dropped; /* lines own_fd could not take */

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_sink(log_sink_t s, void *userdata) {
        sink = s;
        sink_userdata = userdata;
}

void log_set_prefix(const char *p) {
        prefix = p;
}

int log_fd(void) {
        return own_fd >= 0 ? own_fd : STDERR_FILENO;
}

void log_open_own_stderr(void) {
        struct stat st;
        if (own_fd >= 0 || fstat(STDERR_FILENO, &st) < 0 || !S_ISFIFO(st.st_mode))
                return;
        /* Reopening a pipe through /proc gives a new file description of the same pipe: its
         * O_NONBLOCK is hutch's alone. */
        own_fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

/* One line, whole (at most PIPE_BUF bytes: a pipe takes it at once or not at all). */
static int write_whole(int fd, const char *line, size_t len) {
        for (size_t off = 0; off < len;) {
                ssize_t w = write(fd, line + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return w < 0 ? -errno : -EIO;
                off += (size_t) w;
        }
        return 0;
}

int log_write_line(int fd, const char *fmt, ...) {
        char line[PIPE_BUF];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -EINVAL;
        size_t len = MIN((size_t) n, sizeof line - 1); /* the NUL's place takes the newline */
        line[len++] = '\n';
        if (fd == own_fd && dropped > 0) {
                char note[128];
                int k = snprintf(note, sizeof note,
                                 "hutch: %u line(s) of hutch's log dropped: standard error was not read\n",
                                 dropped);
                if (k > 0 && write_whole(fd, note, (size_t) k) < 0)
                        goto full;
                dropped = 0;
        }
        int r = write_whole(fd, line, len);
        if (r == -EAGAIN && fd == own_fd)
                goto full;
        return r;
full:
        if (dropped < UINT_MAX)
                dropped++;
        return -EAGAIN;
}

int log_internalv(int level, int error, const char *fmt, va_list ap) {
        /* The caller's errno is used for "%m": set it from the error we were given so glibc's
         * printf expands %m to the right string. */
        int saved = errno;

        if (level > max_level) {
                errno = saved;
                return error;
        }
        if (error != 0)
                errno = error < 0 ? -error : error;

        char buf[4096];
        vsnprintf(buf, sizeof buf, fmt, ap);

        if (sink)
                sink(level, buf, sink_userdata);
        else if (prefix)
                (void) log_write_line(log_fd(), "hutch: %s: %s", prefix, buf);
        else
                (void) log_write_line(log_fd(), "hutch: %s", buf);

        errno = saved;
        return error;
}

int log_internal(int level, int error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = log_internalv(level, error, fmt, ap);
        va_end(ap);
        return r;
}
