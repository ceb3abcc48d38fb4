/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hutch/log.h"

static int max_level = LOG_LEVEL_INFO;
static log_sink_t sink;
static void *sink_userdata;
static const char *prefix;

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
                (void) log_write_line(STDERR_FILENO, "hutch: %s: %s", prefix, buf);
        else
                (void) log_write_line(STDERR_FILENO, "hutch: %s", buf);

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
