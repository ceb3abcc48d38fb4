/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans: parsing ("1min 30s", "1.5h", "infinity") and formatting as systemctl shows them. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hutch/parse.h"
#include "shared/parse-internal.h"

#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY (24 * USEC_PER_HOUR)
#define USEC_PER_WEEK (7 * USEC_PER_DAY)
/* systemd's month and year: 30.44 and 365.25 days */
#define USEC_PER_MONTH (UINT64_C(2629800) * USEC_PER_SEC)
#define USEC_PER_YEAR (UINT64_C(31557600) * USEC_PER_SEC)

/* Matched as prefixes in this order, so a longer unit must precede any unit that is a prefix of
 * it ("msec" and "ms" before "m"; "M" is month, "m" is minute: case matters, as in systemd). */
static const struct {
        const char *unit;
        usec_t usec;
} time_units[] = {
        {"seconds", USEC_PER_SEC},
        {"second", USEC_PER_SEC},
        {"sec", USEC_PER_SEC},
        {"s", USEC_PER_SEC},
        {"minutes", USEC_PER_MINUTE},
        {"minute", USEC_PER_MINUTE},
        {"min", USEC_PER_MINUTE},
        {"months", USEC_PER_MONTH},
        {"month", USEC_PER_MONTH},
        {"M", USEC_PER_MONTH},
        {"msec", USEC_PER_MSEC},
        {"ms", USEC_PER_MSEC},
        {"m", USEC_PER_MINUTE},
        {"hours", USEC_PER_HOUR},
        {"hour", USEC_PER_HOUR},
        {"hr", USEC_PER_HOUR},
        {"h", USEC_PER_HOUR},
        {"days", USEC_PER_DAY},
        {"day", USEC_PER_DAY},
        {"d", USEC_PER_DAY},
        {"weeks", USEC_PER_WEEK},
        {"week", USEC_PER_WEEK},
        {"w", USEC_PER_WEEK},
        {"years", USEC_PER_YEAR},
        {"year", USEC_PER_YEAR},
        {"y", USEC_PER_YEAR},
        {"usec", 1},
        {"us", 1},
        {"\u03bcs", 1}, /* GREEK SMALL LETTER MU */
        {"\u00b5s", 1}, /* MICRO SIGN */
};

/* The unit at p, or NULL; *ret_len is its length. */
static const char *match_unit(const char *p, usec_t *ret_usec, size_t *ret_len) {
        for (size_t i = 0; i < ELEMENTSOF(time_units); i++) {
                size_t n = strlen(time_units[i].unit);
                if (strncmp(p, time_units[i].unit, n) == 0) {
                        *ret_usec = time_units[i].usec;
                        *ret_len = n;
                        return time_units[i].unit;
                }
        }
        return NULL;
}

static char *unit_word(char *buf, size_t size, const char *p) {
        size_t n = 0;
        while (p[n] && !is_whitespace(p[n]) && !ascii_isdigit(p[n]) && p[n] != '.' && n < 16)
                n++;
        return why_quote_n(buf, size, p, n ? n : 1);
}

int parse_timespan(const char *s, usec_t default_unit, usec_t *ret, parse_why_t why) {
        const char *p;
        usec_t total = 0;
        bool something = false;
        char q[64];

        if (!s)
                return parse_fail(why, -EINVAL, "empty value, expected a time span");
        if (default_unit == 0)
                return parse_fail(why, -EINVAL, "internal error: no default time unit");

        p = s;
        while (is_whitespace(*p))
                p++;
        if (strncmp(p, "infinity", 8) == 0) {
                const char *e = p + 8;
                while (is_whitespace(*e))
                        e++;
                if (*e)
                        return parse_fail(why, -EINVAL, "unexpected '%s' after 'infinity'",
                                          why_quote(q, sizeof q, e, 20));
                *ret = USEC_INFINITY;
                return 0;
        }

        for (;;) {
                usec_t mult = default_unit, k;
                uint64_t l = 0;
                const char *num, *frac = NULL, *u;
                size_t ulen = 0;
                int n;

                while (is_whitespace(*p))
                        p++;
                if (!*p) {
                        if (!something)
                                return parse_fail(why, -EINVAL, "empty value, expected a time span");
                        break;
                }
                if (*p == '-')
                        return parse_fail(why, -ERANGE, "negative time spans are not allowed");

                num = p;
                n = parse_digits(&p, &l);
                if (n == -ERANGE)
                        return parse_fail(why, -ERANGE, "time span '%s' is too large",
                                          why_quote(q, sizeof q, s, 40));
                if (*p == '.') {
                        /* systemd accepts ".5s" as half a second, but never "5.s" */
                        frac = ++p;
                        while (ascii_isdigit(*p))
                                p++;
                        if (p == frac)
                                return parse_fail(why, -EINVAL, "expected digits after '.' in '%s'",
                                                  why_quote(q, sizeof q, num, 20));
                } else if (n == 0)
                        return parse_fail(why, -EINVAL, "expected a number at '%s'",
                                          why_quote(q, sizeof q, num, 20));

                u = p;
                while (is_whitespace(*u))
                        u++;
                if (match_unit(u, &mult, &ulen))
                        u += ulen;
                else if (u == p && *u)
                        /* A unit must follow the number directly or after blanks: "12.34.56" and
                         * "5q" are refused, "12.34 .56" (two terms) is not. */
                        return parse_fail(why, -EINVAL, "unknown time unit '%s'", unit_word(q, sizeof q, u));
                p = u;

                if (l >= USEC_INFINITY / mult)
                        return parse_fail(why, -ERANGE, "time span '%s' is too large",
                                          why_quote(q, sizeof q, s, 40));
                k = l * mult;
                if (k >= USEC_INFINITY - total)
                        return parse_fail(why, -ERANGE, "time span '%s' is too large",
                                          why_quote(q, sizeof q, s, 40));
                total += k;

                if (frac) {
                        usec_t m = mult / 10;
                        for (const char *b = frac; ascii_isdigit(*b); b++, m /= 10) {
                                k = (usec_t) (*b - '0') * m;
                                if (k >= USEC_INFINITY - total)
                                        return parse_fail(why, -ERANGE, "time span '%s' is too large",
                                                          why_quote(q, sizeof q, s, 40));
                                total += k;
                        }
                }
                something = true;
        }

        *ret = total;
        return 0;
}

/* Units as systemd prints them: each whole unit from the largest down; below a minute, a
 * remainder is shown with a decimal point in the largest unit that fits ("1.500000s",
 * "1.500ms"), which is what systemctl show prints (accuracy 1us). */
char *format_timespan(char *buf, size_t l, usec_t t) {
        static const struct {
                const char *suffix;
                usec_t usec;
        } table[] = {
                {"y", USEC_PER_YEAR}, {"month", USEC_PER_MONTH}, {"w", USEC_PER_WEEK},
                {"d", USEC_PER_DAY},  {"h", USEC_PER_HOUR},      {"min", USEC_PER_MINUTE},
                {"s", USEC_PER_SEC},  {"ms", USEC_PER_MSEC},     {"us", 1},
        };
        char *p = buf;

        if (l == 0)
                return buf;
        if (t == USEC_INFINITY) {
                snprintf(buf, l, "infinity");
                return buf;
        }
        if (t == 0) {
                snprintf(buf, l, "0");
                return buf;
        }
        *p = 0;
        for (size_t i = 0; i < ELEMENTSOF(table) && t > 0 && l > 1; i++) {
                usec_t a, b;
                int k;

                if (t < table[i].usec)
                        continue;
                a = t / table[i].usec;
                b = t % table[i].usec;
                if (t < USEC_PER_MINUTE && b > 0) {
                        int digits = 0;
                        for (usec_t c = table[i].usec; c > 1; c /= 10)
                                digits++;
                        k = snprintf(p, l, "%s%" PRIu64 ".%0*" PRIu64 "%s", p > buf ? " " : "", a, digits, b,
                                     table[i].suffix);
                        t = 0;
                } else {
                        k = snprintf(p, l, "%s%" PRIu64 "%s", p > buf ? " " : "", a, table[i].suffix);
                        t = b;
                }
                if (k < 0)
                        break;
                size_t n = MIN((size_t) k, l - 1);
                p += n;
                l -= n;
        }
        return buf;
}
