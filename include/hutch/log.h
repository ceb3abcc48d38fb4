/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>

#include "hutch/macro.h"

/* hutch's own messages. Everything goes to stderr prefixed with "hutch: " unless a
 * sink is installed (the host link installs one that writes to the journal).
 * "%m" in a format means strerror(-error) for the *_errno variants. */

enum log_level {
        LOG_LEVEL_ERR = 3,
        LOG_LEVEL_WARNING = 4,
        LOG_LEVEL_NOTICE = 5,
        LOG_LEVEL_INFO = 6,
        LOG_LEVEL_DEBUG = 7
};

typedef void (*log_sink_t)(int level, const char *message, void *userdata);

void log_set_max_level(int level);
int log_get_max_level(void);
void log_set_sink(log_sink_t sink, void *userdata);
/* A prefix such as the unit name, printed after "hutch: " ("hutch: web: ..."). NULL clears it. */
void log_set_prefix(const char *prefix);

/* Writes the formatted text and "\n" to `fd` in one write(), cut to PIPE_BUF (4096) bytes: a
 * line is never split, so on a pipe or socket it cannot interleave with another writer's (the
 * payload shares hutch's stderr) and a kmsg record stays one record. stdio would split a line
 * longer than its buffer, which unbuffered stderr (musl: 80 bytes) makes common. 0 or -errno. */
int log_write_line(int fd, const char *fmt, ...) _printf_(2, 3);

/* The descriptor hutch's own lines go to: stderr, or after log_open_own_stderr() a descriptor of
 * hutch's own for the same pipe. */
int log_fd(void);
/* When stderr is a pipe or FIFO, which the payload shares, hutch writes its lines through a file
 * description of its own, opened non-blocking: a reader that stops reading (`hutch run web | less`)
 * then makes hutch drop lines, counted and reported once it reads again, instead of blocking the
 * supervisor, and with it every timeout. The payload keeps the blocking stderr it was given. */
void log_open_own_stderr(void);

int log_internal(int level, int error, const char *fmt, ...) _printf_(3, 4);
int log_internalv(int level, int error, const char *fmt, va_list ap) _printf_(3, 0);

#define log_error(...) log_internal(LOG_LEVEL_ERR, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_LEVEL_NOTICE, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
/* Log and return the (negative) error so a failure path is one line. */
#define log_error_errno(r, ...) log_internal(LOG_LEVEL_ERR, (r), __VA_ARGS__)
#define log_warning_errno(r, ...) log_internal(LOG_LEVEL_WARNING, (r), __VA_ARGS__)
#define log_debug_errno(r, ...) log_internal(LOG_LEVEL_DEBUG, (r), __VA_ARGS__)
/* Out of memory: logged once, returns -ENOMEM. */
#define log_oom() log_internal(LOG_LEVEL_ERR, -ENOMEM, "out of memory")
