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

/* Sizes as systemd's parse_size() with base 1024: a number of bytes, optionally with a
 * case-sensitive suffix K, M, G, T, P, E (or B for bytes); decimals ("1.5G", rounded down to a
 * byte); several terms from the largest unit down ("1G 512M"). No "KB"/"KiB", no sign, no hex.
 * The result is below UINT64_MAX (-ERANGE otherwise), so UINT64_MAX always means infinity. As
 * systemd, a term with decimals is -ERANGE when one more of its unit would not fit ("15.5E"),
 * and so are decimals whose digits are worth more than 2^64 - 1.
 * `allow_infinity`: "infinity" yields UINT64_MAX. `percent_base` non-zero: "N%", "N.N%", "N.NN%",
 * "N‰", "N.N‰", "N‱" (at most 100%, as systemd's memory keys) yield that fraction of
 * percent_base, rounded down; with percent_base zero a percentage is refused. */
int parse_size(const char *s, bool allow_infinity, uint64_t percent_base, uint64_t *ret, parse_why_t why);
/* The same terms to the base of 1000 (K is 1000 bytes), as systemd's parse_size(s, 1000) reads
 * IOReadBandwidthMax= and IOWriteBandwidthMax=; no infinity, no percentages. */
int parse_size_1000(const char *s, uint64_t *ret, parse_why_t why);
/* Whether s is written as a percentage (ends in %, ‰ or ‱), as parse_size() tells them apart. */
bool value_is_percentage(const char *s);

/* Time spans: "100ms", "5s", "1min 30s", "1min30s", "1.5h", "2h", "1d", "infinity", a bare
 * number is `default_unit` (USEC_PER_SEC for most keys). Units (case-sensitive): us, usec, µs,
 * ms, msec, s, sec, second(s), m, min, minute(s), h, hr, hour(s), d, day(s), w, week(s),
 * M, month(s) (30.44 d), y, year(s) (365.25 d), as systemd's parse_time(). Terms add up; no
 * sign. Overflow is -ERANGE (systemd's check: a term of N units fails when N >= UINT64_MAX / unit,
 * so "584542y" is refused although it would fit). */
int parse_timespan(const char *s, usec_t default_unit, usec_t *ret, parse_why_t why);
/* Formats the way `systemctl show` prints ("1min 30s", "100ms", "1.500000s", "0", "infinity");
 * the output parses back with parse_timespan() to the same value. Returns buf. */
char *format_timespan(char *buf, size_t l, usec_t t);
/* Formats bytes the way systemd prints (e.g. "512B", "512M", "1.5G" with one truncated decimal,
 * "infinity" for UINT64_MAX), except that 15E and more print without the decimal, which
 * parse_size() would refuse: what is printed parses back to at most the value. Returns buf. */
char *format_bytes(char *buf, size_t l, uint64_t bytes);

/* Unsigned integers with range checking, decimal only (no sign, no spaces). A leading 0 (but
 * "0" itself) and the prefixes 0x, 0o, 0b are refused with the decimal spelling to write:
 * systemd's safe_atou() would read "010" as 8 and "0x10" as 16. The other integer parsers here
 * (signals, exit statuses, capabilities, rlimits, percentages, CPU lists) refuse them alike. */
int parse_uint64_range(const char *s, uint64_t min, uint64_t max, uint64_t *ret, parse_why_t why);
/* Octal mode for UMask= (octal digits only, with or without a leading 0; 0..07777 as systemd's
 * parse_mode(), umask(2) uses the 0777 bits). */
int parse_mode(const char *s, mode_t *ret, parse_why_t why);
/* A percentage in parts per 10000 as systemd's parse_permyriad_unbounded() (for CPUQuota=):
 * "1.5%" -> 150, "150%" -> 15000, "5‰" -> 50, "42‱" -> 42; up to two decimals for %, one for
 * ‰, none for ‱; no upper bound below INT32_MAX (callers check their own range). */
int parse_permyriad(const char *s, uint64_t *ret, parse_why_t why);

/* Signal name ("SIGTERM", "TERM", "SIGRTMIN+3", "RTMAX-1"; case-sensitive) or number 1..64;
 * returns the number (systemd's signal_from_string()). */
int parse_signal(const char *s, int *ret, parse_why_t why);
const char *signal_to_name(int sig); /* "SIGTERM", "SIGRTMIN+2", or NULL */

/* The name of an errno value, as glibc's strerrorname_np() ("EPERM"; the sign is ignored), or
 * NULL; and back, in any case as systemd's errno_from_name() ("eperm" too): a positive errno or
 * -EINVAL. From the build's own
 * <errno.h> (src/shared/errno-list.py), so they work with glibc and musl alike. */
const char *errno_to_name(int error);
int errno_from_name(const char *s);

/* One word of SuccessExitStatus=/RestartPreventExitStatus=: a number 0..255 (always an exit
 * status, never a signal number), one of the exit status names systemd knows, case-sensitive
 * (SUCCESS, FAILURE; LSB: INVALIDARGUMENT ... NOTRUNNING; BSD sysexits: USAGE ... CONFIG;
 * systemd's own: CHDIR (200) ... BPF (244), EXCEPTION (255)), or a signal name as
 * parse_signal(). Sets exactly one of the outputs, the other to -1. */
int parse_exit_status_word(const char *s, int *ret_status, int *ret_signal, parse_why_t why);

/* Capability name with its "CAP_" prefix, case-insensitive ("CAP_NET_ADMIN", "cap_net_admin"),
 * looked up in libcap, or a number 0..62, as systemd's capability_from_name(); returns the
 * number. "NET_ADMIN" and "all" are refused. */
int parse_capability(const char *s, int *ret, parse_why_t why);
/* Name of capability `cap` ("CAP_CHOWN"), or NULL when libcap does not know it. */
const char *capability_to_name(int cap, char *buf, size_t l);

/* Rlimit value "N", "infinity", or "SOFT:HARD" (soft <= hard; "N:" and "" are refused), as
 * systemd's rlimit_parse():
 * sizes for AS, CORE, DATA, FSIZE, MEMLOCK, MSGQUEUE, RSS, STACK; a time span for RLIMIT_CPU
 * (stored in seconds, rounded up) and RLIMIT_RTTIME (microseconds; a bare number is usec);
 * RLIMIT_NICE takes 0..40 raw or a nice level "+0".."+19" / "-0".."-20" (no infinity); the
 * rest plain numbers. "infinity" yields RLIM_INFINITY; a finite value must be below it. */
int parse_rlimit(const char *s, int resource, uint64_t *ret_soft, uint64_t *ret_hard, parse_why_t why);
/* "LimitNOFILE" -> RLIMIT_NOFILE, or -1. And back. */
int rlimit_from_key(const char *key);
const char *rlimit_to_key(int resource);

/* Paths: must be absolute, are normalized ("//a/./b/" -> "/a/b"), ".." components refused
 * (systemd refuses them in sandbox paths), control characters and invalid UTF-8 refused, each
 * component at most NAME_MAX bytes (-ENAMETOOLONG), the result shorter than PATH_MAX. The "-"
 * and "+" prefixes some keys allow are the caller's to strip. Returns a malloc'ed string in
 * *ret. */
int parse_path(const char *s, char **ret, parse_why_t why);
bool path_is_normalized_absolute(const char *p);

/* User and group names as systemd accepts them (valid_user_group_name, relaxed mode: valid
 * UTF-8, no control characters, no ':' or '/', no leading or trailing space, not "." or "..",
 * not "-" followed by digits; inner spaces, '@' and a leading '-' are accepted, as in systemd),
 * or a decimal id < 2^32-1 other than 65535 (systemd refuses both 16- and 32-bit -1) and without
 * a leading 0 (refused by systemd's parse_uid()); a string of digits is always an id, never a
 * name. */
bool valid_user_group_name_or_id(const char *s);
/* Host name as systemd's hostname_is_valid(): 1..64 chars, labels of [a-zA-Z0-9-] separated by
 * single dots, no label starting or ending with '-', no leading or trailing '.'. */
bool hostname_is_valid(const char *s);
/* Environment assignment "NAME=value": NAME of [A-Za-z0-9_] not starting with a digit, value
 * valid UTF-8 (control characters allowed, as systemd), the whole shorter than ARG_MAX. */
bool env_assignment_is_valid(const char *s);
/* A variable name as env_assignment_is_valid() takes it (PassEnvironment=). */
bool env_name_is_valid(const char *s);

/* systemd's command line splitting for ExecStart= (extract_first_word() with UNQUOTE and
 * CUNESCAPE): words separated by whitespace; double and single quotes may open and close
 * anywhere in a word ("a"'b' is "ab"), "" is an empty word; C escapes work outside and inside
 * both kinds of quotes: \a \b \f \n \r \t \v \s (space) \\ \" \' \xNN \NNN (octal, raw
 * byte) \uNNNN \UNNNNNNNN (UTF-8); NUL, surrogates, unknown escapes ("\ " too), a trailing
 * backslash and unbalanced quotes are refused. A lone unquoted ";" (systemd's command separator)
 * is refused since hutch runs one command; "\;" is a literal ";" word. Specifiers are not
 * expanded and prefixes ("-", "@", ":", "+", "!") stay in argv[0]: both are the loader's, per
 * word after splitting, as systemd does. Refuses an empty command and an empty argv[0].
 * Returns a NULL-terminated malloc'ed argv in *ret. */
int parse_command_line(const char *s, char ***ret, parse_why_t why);
/* Splits a whitespace-separated list with the same quoting and escapes as parse_command_line()
 * (systemd's Environment= splitting), without the ";" rule. An empty or blank input yields an
 * empty vector. Not for unit-name lists (After=...): see split_words_full(). Returns a
 * NULL-terminated malloc'ed vector. */
int split_words(const char *s, char ***ret, parse_why_t why);
/* How split_words_full() reads a list: the extract_first_word() flags systemd uses per key. */
enum split_flags {
        SPLIT_UNQUOTE = 1 << 0,       /* quotes group and are removed */
        SPLIT_CUNESCAPE = 1 << 1,     /* a backslash starts a C escape as in parse_command_line() */
        SPLIT_RETAIN_ESCAPE = 1 << 2, /* a backslash is an ordinary character */
        SPLIT_RELAX = 1 << 3,         /* an unclosed quote or a trailing backslash ends the word */
};
/* Splits at whitespace. Without SPLIT_CUNESCAPE and SPLIT_RETAIN_ESCAPE a backslash takes the
 * next character literally ("a\ b" is one word). What systemd uses: SPLIT_RETAIN_ESCAPE for
 * unit-name lists (After=, Wants=, WantedBy=...: "foo\x2dbar.service" stays as written, quotes
 * are ordinary characters); 0 for SupplementaryGroups=; SPLIT_UNQUOTE for path lists
 * (ReadOnlyPaths=...); SPLIT_UNQUOTE | SPLIT_CUNESCAPE for Environment= (= split_words());
 * SPLIT_UNQUOTE | SPLIT_RELAX for a variable's value that an ExecStart= word "$NAME" becomes
 * (EXTRACT_RELAX: "'a b" is the word "a b", "a\" the word "a", as systemd reads them).
 * Returns a NULL-terminated malloc'ed vector, empty for blank input. */
int split_words_full(const char *s, unsigned flags, char ***ret, parse_why_t why);
/* The first word at *p as split_words_full() reads it, *p left after it (systemd's
 * extract_first_word()): 1 and a malloc'ed *ret, 0 when only whitespace is left, or -errno. */
int split_first_word(const char **p, unsigned flags, char **ret, parse_why_t why);

/* CPU list: items "N" or "N-M" separated by commas and/or whitespace, CPUs 0..8191, validated
 * and normalized to cpuset.cpus form ("6 0-3 2" -> "0-3,6"; "" -> ""); *ret malloc'ed. */
int parse_cpu_set(const char *s, char **ret, parse_why_t why);

/* UTF-8 validity of a NUL-terminated string. */
bool utf8_is_valid(const char *s);
/* A byte below 0x20 (newline and tab included) or DEL in s. */
bool has_control_chars(const char *s);

/* The value of one hexadecimal digit (0-9, a-f, A-F), or -1. */
int unhexchar(char c);
