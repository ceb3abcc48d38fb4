/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Minimal TAP output for the unit tier: one "ok N - name" per check, a plan at the end,
 * exit status 1 when anything failed. Usage:
 *     TAP_CHECK(x == 3, "parse %s", input);
 *     return tap_done();
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static unsigned tap_n, tap_failed;

static inline __attribute__((format(printf, 4, 5))) void tap_check(int ok, const char *file, int line,
                                                                   const char *fmt, ...) {
        va_list ap;
        tap_n++;
        printf("%s %u - ", ok ? "ok" : "not ok", tap_n);
        char name[512];
        va_start(ap, fmt);
        vsnprintf(name, sizeof name, fmt, ap);
        va_end(ap);
        /* A newline in a test name would start a line that is not TAP. */
        for (char *c = name; *c; c++)
                if (*c == '\n' || *c == '\r')
                        *c = ' ';
        printf("%s\n", name);
        if (!ok) {
                tap_failed++;
                printf("#   failed at %s:%d\n", file, line);
        }
}

#define TAP_CHECK(cond, ...) tap_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define TAP_STREQ(a, b, ...)                                                                             \
        do {                                                                                             \
                const char *_a = (a), *_b = (b);                                                         \
                int _ok = _a && _b && strcmp(_a, _b) == 0;                                               \
                tap_check(_ok, __FILE__, __LINE__, __VA_ARGS__);                                         \
                if (!_ok)                                                                                \
                        printf("#   got '%s', expected '%s'\n", _a ? _a : "(null)", _b ? _b : "(null)"); \
        } while (0)

static inline int tap_done(void) {
        printf("1..%u\n", tap_n);
        return tap_failed ? 1 : 0;
}
