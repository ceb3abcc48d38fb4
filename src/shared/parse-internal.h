/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers shared by the value parsers in src/shared/parse-*.c; not part of the public interface. */

#include <stdbool.h>
#include <stddef.h>

#include "hutch/parse.h"

/* Writes the reason into `why` (when non-NULL) and returns `r` (a negative errno), so that a
 * failure path stays one line: `return parse_fail(why, -EINVAL, "unknown unit '%s'", u);` */
int parse_fail(char *why, int r, const char *fmt, ...) _printf_(3, 4);

/* Copies at most `max` bytes of `s` (or up to its NUL) into `buf` with control characters,
 * quotes, backslashes and bytes >= 0x7f escaped as C escapes, and "..." appended when the
 * string was cut (by `max` or by the buffer). Meant for quoting user input inside a why string.
 * Returns buf. */
char *why_quote(char *buf, size_t size, const char *s, size_t max);
/* The same for exactly the first `n` bytes of s (a word inside it): "..." only when the buffer
 * cuts it. */
char *why_quote_n(char *buf, size_t size, const char *s, size_t n);

static inline bool ascii_isdigit(char c) {
        return c >= '0' && c <= '9';
}

static inline bool is_whitespace(char c) {
        /* systemd's WHITESPACE set */
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Parses a run of decimal digits at *p into *ret (advancing *p). Returns the number of digits
 * consumed (0 when *p is not a digit), or -ERANGE on overflow of uint64_t. */
int parse_digits(const char **p, uint64_t *ret);

/* systemd reads the integers of unit files with strtoul() in base 0, and "0b"/"0o" too: "011" is
 * 9 there and "0x10" is 16. hutch reads decimal only; rather than mean another number than
 * systemd would, it refuses both forms. `num` points into `s` at the number's first character.
 * Returns 0, or a negative errno with the reason (and the decimal spelling to write instead,
 * the rest of s kept) in `why`. "0" alone passes. */
int refuse_systemd_radix(const char *s, const char *num, char *why);
