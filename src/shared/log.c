/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
                fprintf(stderr, "hutch: %s: %s\n", prefix, buf);
        else
                fprintf(stderr, "hutch: %s\n", buf);

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
