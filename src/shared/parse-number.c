/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Numbers: booleans, ranged integers, modes, percentages, sizes (and formatting bytes). */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hutch/parse.h"
#include "shared/parse-internal.h"

int parse_fail(char *why, int r, const char *fmt, ...) {
        if (why) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(why, PARSE_WHY_MAX, fmt, ap);
                va_end(ap);
        }
        return r;
}

static char *quote_into(char *buf, size_t size, const char *s, size_t max, bool whole_word) {
        size_t o = 0, i;

        if (size == 0)
                return buf;
        for (i = 0; s[i] && i < max; i++) {
                unsigned char c = (unsigned char) s[i];
                char tmp[5];
                size_t n;

                if (c == '\\' || c == '\'' || c == '"') {
                        tmp[0] = '\\';
                        tmp[1] = (char) c;
                        n = 2;
                } else if (c < 0x20 || c >= 0x7f) {
                        snprintf(tmp, sizeof tmp, "\\x%02x", c);
                        n = 4;
                } else {
                        tmp[0] = (char) c;
                        n = 1;
                }
                if (o + n + 4 > size) /* keep room for "..." and NUL */
                        break;
                memcpy(buf + o, tmp, n);
                o += n;
        }
        if (s[i] && (i < max || !whole_word) && o + 4 <= size) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o] = 0;
        return buf;
}

char *why_quote(char *buf, size_t size, const char *s, size_t max) {
        return quote_into(buf, size, s, max, false);
}

char *why_quote_n(char *buf, size_t size, const char *s, size_t n) {
        return quote_into(buf, size, s, n, true);
}

int parse_digits(const char **p, uint64_t *ret) {
        const char *s = *p;
        uint64_t v = 0;
        int n = 0;

        for (; ascii_isdigit(*s); s++, n++) {
                unsigned d = (unsigned) (*s - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        *p = s;
        *ret = v;
        return n;
}

/* The digits of `base` at p, as a number; -1 when there is none, -ERANGE on overflow. */
static int digits_in_base(const char *p, unsigned base, const char **ret_end, uint64_t *ret) {
        uint64_t v = 0;
        int n = 0;

        for (;; p++, n++) {
                unsigned d;
                if (ascii_isdigit(*p))
                        d = (unsigned) (*p - '0');
                else if ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'f')
                        d = (unsigned) ((*p | 0x20) - 'a' + 10);
                else
                        break;
                if (d >= base)
                        break;
                if (v > (UINT64_MAX - d) / base)
                        return -ERANGE;
                v = v * base + d;
        }
        *ret_end = p;
        *ret = v;
        return n > 0 ? 0 : -1;
}

int refuse_systemd_radix(const char *s, const char *num, char *why) {
        static const struct {
                char letter;
                unsigned base;
                const char *name;
        } prefixes[] = {{'x', 16, "hexadecimal"}, {'o', 8, "octal"}, {'b', 2, "binary"}};
        char q[64], fix[48], sys[48] = "", qf[64], qs[64];
        const char *end;
        uint64_t dec, v;

        if (num[0] != '0' || !num[1])
                return 0;
        if (ascii_isdigit(num[1])) {
                /* strtoul() in base 0 reads a leading 0 as octal, and fails at an 8 or a 9 */
                const char *d = num;
                while (d[0] == '0' && ascii_isdigit(d[1]))
                        d++;
                end = d;
                if (parse_digits(&end, &dec) < 0)
                        return parse_fail(why, -ERANGE, "number too large");
                const char *oct_end;
                if (digits_in_base(num, 8, &oct_end, &v) == 0 && oct_end == end && v != dec)
                        snprintf(sys, sizeof sys, "%.*s%" PRIu64 "%.8s", (int) MIN(num - s, 12), s, v, end);
                snprintf(fix, sizeof fix, "%.*s%" PRIu64 "%.8s", (int) MIN(num - s, 12), s, dec, end);
                if (*sys)
                        return parse_fail(why, -EINVAL,
                                          "'%s': a leading 0 would be octal to systemd (%s); write %s, or "
                                          "%s if octal was meant",
                                          why_quote(q, sizeof q, s, 40), why_quote(qs, sizeof qs, sys, 40),
                                          why_quote(qf, sizeof qf, fix, 40), qs);
                return parse_fail(why, -EINVAL, "'%s': a leading 0 would be octal to systemd%s; write %s",
                                  why_quote(q, sizeof q, s, 40), oct_end == end ? "" : ", which refuses it",
                                  why_quote(qf, sizeof qf, fix, 40));
        }
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                if ((num[1] | 0x20) != prefixes[i].letter)
                        continue;
                int r = digits_in_base(num + 2, prefixes[i].base, &end, &v);
                if (r == 0 && !ascii_isdigit(*end) && !((*end | 0x20) >= 'a' && (*end | 0x20) <= 'f')) {
                        snprintf(fix, sizeof fix, "%.*s%" PRIu64 "%.8s", (int) MIN(num - s, 12), s, v, end);
                        return parse_fail(why, -EINVAL, "'%s' would be %s to systemd; write %s",
                                          why_quote(q, sizeof q, s, 40), prefixes[i].name,
                                          why_quote(qf, sizeof qf, fix, 40));
                }
                return parse_fail(why, -EINVAL, "'%s': only decimal numbers are accepted",
                                  why_quote(q, sizeof q, s, 40));
        }
        return 0;
}

/* Parses a whole string of decimal digits, nothing else. */
static int parse_u64_strict(const char *s, uint64_t *ret, char *why) {
        char q[64];
        const char *p = s;
        int n;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected a number");
        if (*s == '-')
                return parse_fail(why, -ERANGE, "negative values are not allowed");
        n = refuse_systemd_radix(s, s, why);
        if (n < 0)
                return n;
        n = parse_digits(&p, ret);
        if (n == -ERANGE)
                return parse_fail(why, -ERANGE, "number too large");
        if (n == 0 || *p)
                return parse_fail(why, -EINVAL, "'%s' is not a decimal number",
                                  why_quote(q, sizeof q, s, 40));
        return 0;
}

int parse_boolean(const char *s, bool *ret, parse_why_t why) {
        static const char *const yes[] = {"1", "yes", "y", "true", "t", "on"};
        static const char *const no[] = {"0", "no", "n", "false", "f", "off"};
        char q[64];

        if (s) {
                for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                        if (strcasecmp(s, yes[i]) == 0) {
                                *ret = true;
                                return 0;
                        }
                for (size_t i = 0; i < ELEMENTSOF(no); i++)
                        if (strcasecmp(s, no[i]) == 0) {
                                *ret = false;
                                return 0;
                        }
        }
        return parse_fail(why, -EINVAL, "'%s' is not a boolean (use yes/no, true/false, on/off, 1/0)",
                          why_quote(q, sizeof q, s ? s : "", 40));
}

int parse_uint64_range(const char *s, uint64_t min, uint64_t max, uint64_t *ret, parse_why_t why) {
        uint64_t v;
        int r = parse_u64_strict(s, &v, why);
        if (r < 0)
                return r;
        if (v < min || v > max)
                return parse_fail(why, -ERANGE, "%" PRIu64 " is out of range %" PRIu64 "..%" PRIu64, v, min,
                                  max);
        *ret = v;
        return 0;
}

int parse_mode(const char *s, mode_t *ret, parse_why_t why) {
        char q[64];
        unsigned v = 0;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected an octal mode");
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '7')
                        return parse_fail(why, -EINVAL, "'%s' is not an octal mode",
                                          why_quote(q, sizeof q, s, 40));
                v = v * 8 + (unsigned) (*p - '0');
                if (v > 07777)
                        return parse_fail(why, -ERANGE, "mode '%s' is out of range 0..07777",
                                          why_quote(q, sizeof q, s, 40));
        }
        *ret = (mode_t) v;
        return 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix, size_t *ret_prefix_len) {
        size_t n = strlen(suffix);
        if (len < n || memcmp(s + len - n, suffix, n) != 0)
                return false;
        *ret_prefix_len = len - n;
        return true;
}

/* "N", "N.D" or "N.DD" (up to `places` digits after the dot) in s[0..len) scaled by 10^places.
 * Matches systemd's parse_parts_value_*: at least one digit before the dot, 1..places after it. */
static int parse_fixed_point(const char *s, size_t len, unsigned places, uint64_t *ret) {
        uint64_t v = 0;
        size_t i = 0;
        unsigned frac = 0, nfrac = 0;

        if (len == 0 || !ascii_isdigit(s[0]))
                return -EINVAL;
        for (; i < len && ascii_isdigit(s[i]); i++) {
                v = v * 10 + (uint64_t) (s[i] - '0');
                if (v > INT32_MAX)
                        return -ERANGE;
        }
        if (i < len) {
                if (s[i] != '.' || places == 0)
                        return -EINVAL;
                for (i++; i < len; i++) {
                        if (!ascii_isdigit(s[i]) || nfrac == places)
                                return -EINVAL;
                        frac = frac * 10 + (unsigned) (s[i] - '0');
                        nfrac++;
                }
                if (nfrac == 0)
                        return -EINVAL;
        }
        for (; nfrac < places; nfrac++)
                frac *= 10;
        for (unsigned k = 0; k < places; k++)
                v *= 10;
        v += frac;
        if (v > INT32_MAX)
                return -ERANGE;
        *ret = v;
        return 0;
}

/* systemd's parse_permyriad_unbounded(): "N%" (up to two decimals), "N‰" (one decimal), "N‱". */
static int permyriad_unbounded(const char *s, uint64_t *ret, char *why) {
        char q[64];
        size_t len = strlen(s), n;
        uint64_t v;
        int r;

        /* systemd reads the whole part with safe_atoi(): "010%" is 8% there */
        r = refuse_systemd_radix(s, s, why);
        if (r < 0)
                return r;
        if (ends_with(s, len, "\u2031", &n)) /* ‱ per ten thousand */
                r = parse_fixed_point(s, n, 0, &v);
        else if (ends_with(s, len, "\u2030", &n)) { /* ‰ per mille */
                r = parse_fixed_point(s, n, 1, &v);
        } else if (ends_with(s, len, "%", &n)) {
                r = parse_fixed_point(s, n, 2, &v);
        } else
                return parse_fail(why, -EINVAL,
                                  "'%s' is not a percentage (expected N%%, N.N%%, N\u2030 or N\u2031)",
                                  why_quote(q, sizeof q, s, 40));
        if (r == -ERANGE)
                return parse_fail(why, -ERANGE, "percentage '%s' is too large",
                                  why_quote(q, sizeof q, s, 40));
        if (r < 0)
                return parse_fail(
                        why, -EINVAL,
                        "'%s' is not a valid percentage (at most two decimals for %%, one for \u2030)",
                        why_quote(q, sizeof q, s, 40));
        *ret = v;
        return 0;
}

int parse_permyriad(const char *s, uint64_t *ret, parse_why_t why) {
        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected a percentage");
        return permyriad_unbounded(s, ret, why);
}

bool value_is_percentage(const char *s) {
        size_t len = strlen(s), n;
        return ends_with(s, len, "%", &n) || ends_with(s, len, "\u2030", &n) ||
               ends_with(s, len, "\u2031", &n);
}

struct size_unit {
        const char *suffix;
        uint64_t factor;
};

/* systemd's two tables: parse_size() with base 1024 and with base 1000 (bandwidths) */
static const struct size_unit size_table[] = {
        {"E", UINT64_C(1) << 60},
        {"P", UINT64_C(1) << 50},
        {"T", UINT64_C(1) << 40},
        {"G", UINT64_C(1) << 30},
        {"M", UINT64_C(1) << 20},
        {"K", UINT64_C(1) << 10},
        {"B", 1},
        {"", 1},
};
static const struct size_unit size_table_1000[] = {
        {"E", UINT64_C(1000000000000000000)},
        {"P", UINT64_C(1000000000000000)},
        {"T", UINT64_C(1000000000000)},
        {"G", UINT64_C(1000000000)},
        {"M", UINT64_C(1000000)},
        {"K", UINT64_C(1000)},
        {"B", 1},
        {"", 1},
};
#define SIZE_UNITS ELEMENTSOF(size_table)

/* The word of unknown suffix text at p, for messages: up to whitespace or a digit. */
static char *suffix_word(char *buf, size_t size, const char *p) {
        size_t n = 0;
        while (p[n] && !is_whitespace(p[n]) && !ascii_isdigit(p[n]) && n < 16)
                n++;
        return why_quote_n(buf, size, p, n);
}

/* Index of the size suffix at p in size_table ("" when p starts with no suffix letter), or -1
 * when a letter follows that is not a suffix, or a suffix is followed by more letters ("KB"). */
static int size_suffix_at(const char *p) {
        size_t last = SIZE_UNITS - 1;
        for (size_t i = 0; i < last; i++)
                if (*p == *size_table[i].suffix)
                        return p[1] && !is_whitespace(p[1]) && !ascii_isdigit(p[1]) ? -1 : (int) i;
        return !*p || ascii_isdigit(*p) ? (int) last : -1;
}

/* systemd's parse_size() with the base of `table`: one or more "N[.F][suffix]" terms, suffixes
 * in descending order ("1G 512M"), whitespace allowed before each term and before a suffix. */
static int parse_size_terms(const char *s, const struct size_unit *table, uint64_t *ret, char *why) {
        const char *p = s;
        size_t start = 0;
        unsigned __int128 total = 0;
        char q[64];

        do {
                uint64_t l, frac = 0, scale = 1, digits;
                const char *e;
                bool frac_nonzero = false;
                size_t i;
                int n, k;

                while (is_whitespace(*p))
                        p++;
                if (!*p && start > 0) /* trailing whitespace after a complete term */
                        break;
                if (*p == '-')
                        return parse_fail(why, -ERANGE, "negative sizes are not allowed");
                e = p;
                n = parse_digits(&e, &l);
                if (n == -ERANGE)
                        return parse_fail(why, -ERANGE, "size '%s' is too large",
                                          why_quote(q, sizeof q, s, 40));
                if (n == 0) {
                        if (!*p)
                                return parse_fail(why, -EINVAL, "expected a number after '%s'",
                                                  why_quote(q, sizeof q, s, 40));
                        return parse_fail(why, -EINVAL, "expected a number at '%s'",
                                          why_quote(q, sizeof q, p, 20));
                }
                if (*e == '.') {
                        e++;
                        /* systemd reads the decimals with strtoull() as well: digits worth more
                         * than 2^64 - 1 are ERANGE there ("1.99999999999999999999G") */
                        const char *d = e;
                        if (parse_digits(&d, &digits) < 0)
                                return parse_fail(why, -ERANGE, "too many decimals in '%s'",
                                                  why_quote(q, sizeof q, s, 40));
                        /* 19 decimals (frac < 10^19 fits, frac * 2^60 fits 128 bits) is already
                         * finer than the double systemd computes with; later digits are ignored. */
                        for (unsigned nd = 0; ascii_isdigit(*e); e++, nd++) {
                                if (nd < 19) {
                                        frac = frac * 10 + (uint64_t) (*e - '0');
                                        scale *= 10;
                                }
                                frac_nonzero = frac_nonzero || *e != '0';
                        }
                }
                while (is_whitespace(*e))
                        e++;
                k = size_suffix_at(e);
                if (k < 0)
                        return parse_fail(why, -EINVAL, "unknown size suffix '%s' (use K, M, G, T, P or E)",
                                          suffix_word(q, sizeof q, e));
                i = (size_t) k;
                /* systemd's check for a term with decimals: N.F of a unit fails when N + 1 units
                 * would not fit, so 15.5E is ERANGE there although it is below 16E */
                if (frac_nonzero && l + 1 > UINT64_MAX / table[i].factor)
                        return parse_fail(why, -ERANGE,
                                          "size '%s' is too large: systemd refuses decimals from %" PRIu64
                                          "%s on",
                                          why_quote(q, sizeof q, s, 40), UINT64_MAX / table[i].factor,
                                          table[i].suffix);
                if (i < start) {
                        if (!*table[i].suffix)
                                return parse_fail(
                                        why, -EINVAL,
                                        "a plain number of bytes must come last in '%s'; write the "
                                        "largest unit first",
                                        why_quote(q, sizeof q, s, 40));
                        return parse_fail(why, -EINVAL,
                                          "size suffix '%c' repeats or follows a smaller unit; write the "
                                          "largest unit first",
                                          *e);
                }
                total += (unsigned __int128) l * table[i].factor +
                         (unsigned __int128) frac * table[i].factor / scale;
                if (total >= UINT64_MAX)
                        return parse_fail(why, -ERANGE,
                                          "size '%s' is too large (the maximum is 2^64 - 2 bytes)",
                                          why_quote(q, sizeof q, s, 40));
                p = e + strlen(table[i].suffix);
                start = i + 1;
        } while (*p);

        *ret = (uint64_t) total;
        return 0;
}

int parse_size(const char *s, bool allow_infinity, uint64_t percent_base, uint64_t *ret, parse_why_t why) {
        uint64_t v = 0;
        int r;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected a size");
        if (streq(s, "infinity")) {
                if (!allow_infinity)
                        return parse_fail(why, -EINVAL, "'infinity' is not allowed here");
                *ret = UINT64_MAX;
                return 0;
        }
        if (value_is_percentage(s)) {
                if (percent_base == 0)
                        return parse_fail(why, -EINVAL, "a percentage is not allowed here");
                r = permyriad_unbounded(s, &v, why);
                if (r < 0)
                        return r;
                /* systemd's parse_permyriad() caps memory percentages at 100% */
                if (v > 10000) {
                        char q[64];
                        return parse_fail(why, -ERANGE, "percentage '%s' is above 100%%",
                                          why_quote(q, sizeof q, s, 40));
                }
                *ret = (uint64_t) ((unsigned __int128) percent_base * v / 10000);
                return 0;
        }
        r = parse_size_terms(s, size_table, &v, why);
        if (r < 0)
                return r;
        *ret = v;
        return 0;
}

int parse_size_1000(const char *s, uint64_t *ret, parse_why_t why) {
        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected a size");
        return parse_size_terms(s, size_table_1000, ret, why);
}

char *format_bytes(char *buf, size_t l, uint64_t t) {
        if (l == 0)
                return buf;
        if (t == UINT64_MAX) {
                snprintf(buf, l, "infinity");
                return buf;
        }
        /* As systemd's format_bytes(): the largest unit not above t, one truncated decimal. */
        for (size_t i = 0; i < 6; i++) {
                uint64_t f = size_table[i].factor;
                if (t >= f) {
                        uint64_t tenth = (uint64_t) ((unsigned __int128) t * 10 / f % 10);
                        /* systemd would print 15.9E, which its parse_size() refuses (ERANGE, see
                         * above): 15E, below the value, keeps what is printed parseable */
                        if (tenth > 0 && t / f + 1 <= UINT64_MAX / f)
                                snprintf(buf, l, "%" PRIu64 ".%" PRIu64 "%s", t / f, tenth,
                                         size_table[i].suffix);
                        else
                                snprintf(buf, l, "%" PRIu64 "%s", t / f, size_table[i].suffix);
                        return buf;
                }
        }
        snprintf(buf, l, "%" PRIu64 "B", t);
        return buf;
}
