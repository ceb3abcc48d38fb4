/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Value parsers with systemd's semantics. Pure functions: no files, no syscalls beyond
 * what the value itself needs (physical memory size for "N%", libcap/libseccomp name
 * tables). Each returns 0 on success or a negative errno; on failure, when `ret_why` is
 * non-NULL, it is set to a static or malloc'ed-into-buffer English reason
 * ("unknown size suffix 'Q'") that the caller prints after "file:line: Key=value: ". */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hutch/macro.h"

/* Room for a parser's explanation of a failure. */
#define PARSE_WHY_MAX 160
typedef char parse_why_t[PARSE_WHY_MAX];

/* 1|yes|y|true|t|on / 0|no|n|false|f|off, case-insensitive (systemd's parse_boolean). */
int parse_boolean(const char *s, bool *ret, parse_why_t why);

/* Sizes with K, M, G, T, P, E suffixes, base 1024, optional 'B'/"iB"? no: systemd accepts
 * "K", "M", ..., and a bare number of bytes; fractional values like "1.5G" are accepted.
 * `allow_infinity`: "infinity" yields UINT64_MAX. `percent_base` non-zero: "N%" (and
 * "N.M%", "N‰", "N‱") yields that fraction of percent_base. */
int parse_size(const char *s, bool allow_infinity, uint64_t percent_base, uint64_t *ret, parse_why_t why);

/* Time spans: "100ms", "5s", "1min 30s", "2h", "1d", "infinity", a bare number is
 * `default_unit` (USEC_PER_SEC for most keys). Units: us, usec, µs, ms, msec, s, sec,
 * second(s), m, min, minute(s), h, hr, hour(s), d, day(s), w, week(s), M, month(s),
 * y, year(s), as systemd. */
int parse_timespan(const char *s, usec_t default_unit, usec_t *ret, parse_why_t why);
/* Formats the way systemd prints ("1min 30s", "100ms", "infinity"). */
char *format_timespan(char *buf, size_t l, usec_t t);
/* Formats bytes the way systemd prints (e.g. "512M", "1.5G", "infinity"). */
char *format_bytes(char *buf, size_t l, uint64_t bytes);

/* Unsigned integers with range checking, decimal only (no sign, no spaces). */
int parse_uint64_range(const char *s, uint64_t min, uint64_t max, uint64_t *ret, parse_why_t why);
/* Octal mode for UMask= (0..0777). */
int parse_mode(const char *s, mode_t *ret, parse_why_t why);
/* A percentage "150%" -> 150 * 10000 / 100 ... returned in parts per 10000 (1.5% -> 150). */
int parse_permyriad(const char *s, uint64_t *ret, parse_why_t why);

/* Signal name ("SIGTERM", "TERM") or number; returns the number. */
int parse_signal(const char *s, int *ret, parse_why_t why);
const char *signal_to_name(int sig); /* "SIGTERM", or NULL */

/* One word of SuccessExitStatus=: a number 0..255, an exit status name systemd knows
 * ("INVALIDARGUMENT"? no: only numbers and signal names). Sets exactly one of the outputs,
 * the other to -1. */
int parse_exit_status_word(const char *s, int *ret_status, int *ret_signal, parse_why_t why);

/* Capability name ("CAP_NET_ADMIN", case-insensitive, "cap_" optional? no: systemd requires
 * the full name) via libcap; returns the number. */
int parse_capability(const char *s, int *ret, parse_why_t why);
/* Name of capability `cap` ("CAP_CHOWN"), or NULL when libcap does not know it. */
const char *capability_to_name(int cap, char *buf, size_t l);

/* Rlimit value "N", "infinity", or "SOFT:HARD", with sizes for size-like limits
 * (`is_size`) and time spans for RLIMIT_CPU (seconds) / RLIMIT_RTTIME (usec). */
int parse_rlimit(const char *s, int resource, uint64_t *ret_soft, uint64_t *ret_hard, parse_why_t why);
/* "LimitNOFILE" -> RLIMIT_NOFILE, or -1. And back. */
int rlimit_from_key(const char *key);
const char *rlimit_to_key(int resource);

/* Paths: must be absolute, are normalized ("//a/./b/" -> "/a/b"), ".." components refused
 * (systemd refuses them in sandbox paths). Returns a malloc'ed string in *ret. */
int parse_path(const char *s, char **ret, parse_why_t why);
bool path_is_normalized_absolute(const char *p);

/* User and group names as systemd accepts them (valid_user_group_name, relaxed mode:
 * no leading '-', no ':' '/' whitespace, not "." or ".."), or a numeric id < 2^32-1. */
bool valid_user_group_name_or_id(const char *s);
/* Host name as for sethostname(2): 1..64 chars, [a-zA-Z0-9-.], no leading/trailing '-' or '.'. */
bool hostname_is_valid(const char *s);
/* Environment assignment "NAME=value" with NAME a valid variable name. */
bool env_assignment_is_valid(const char *s);

/* systemd's command line splitting for ExecStart=: words separated by whitespace,
 * double and single quotes, C-style escapes (\n \t \\ \" \' \xNN \NNN \uNNNN), and a
 * lone ";" as a separator is refused (hutch has one command). Returns a NULL-terminated
 * malloc'ed argv in *ret. */
int parse_command_line(const char *s, char ***ret, parse_why_t why);
/* Splits a whitespace-separated list with systemd's quoting (used for list keys such as
 * After= or Environment=). Returns a NULL-terminated malloc'ed vector. */
int split_words(const char *s, char ***ret, parse_why_t why);

/* CPU list "0-3,6" validated and normalized; *ret malloc'ed. */
int parse_cpu_set(const char *s, char **ret, parse_why_t why);

/* UTF-8 validity of a NUL-terminated string. */
bool utf8_is_valid(const char *s);
