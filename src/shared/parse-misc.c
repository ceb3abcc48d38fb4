/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strings with a shape: paths, user and group names, host names, environment assignments, CPU
 * lists, UTF-8. */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "hutch/parse.h"
#include "shared/parse-internal.h"

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one (overlong forms, surrogates
 * and code points above U+10FFFF are invalid). */
static size_t utf8_sequence_len(const unsigned char *s) {
        uint32_t c;
        size_t n;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xc2 && s[0] <= 0xdf)
                n = 2, c = s[0] & 0x1f;
        else if (s[0] >= 0xe0 && s[0] <= 0xef)
                n = 3, c = s[0] & 0x0f;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4, c = s[0] & 0x07;
        else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (s[i] & 0x3f);
        }
        if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
            (c >= 0xd800 && c <= 0xdfff))
                return 0;
        return n;
}

bool utf8_is_valid(const char *s) {
        const unsigned char *p = (const unsigned char *) s;

        if (!s)
                return false;
        while (*p) {
                size_t n = utf8_sequence_len(p);
                if (n == 0)
                        return false;
                p += n;
        }
        return true;
}

bool has_control_chars(const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return true;
        return false;
}

bool path_is_normalized_absolute(const char *p) {
        if (!p || p[0] != '/')
                return false;
        if (streq(p, "/"))
                return true;
        for (const char *c = p; *c;) {
                const char *e;
                size_t n;

                /* c points at a '/', the component follows */
                c++;
                e = strchrnul(c, '/');
                n = (size_t) (e - c);
                if (n == 0) /* "//" or a trailing "/" */
                        return false;
                if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        return false;
                c = e;
        }
        return true;
}

int parse_path(const char *s, char **ret, parse_why_t why) {
        char q[64];
        size_t len;
        char *out, *o;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty path");
        if (s[0] != '/')
                return parse_fail(why, -EINVAL, "path '%s' is not absolute", why_quote(q, sizeof q, s, 40));
        if (!utf8_is_valid(s))
                return parse_fail(why, -EINVAL, "path '%s' is not valid UTF-8",
                                  why_quote(q, sizeof q, s, 40));
        if (has_control_chars(s))
                return parse_fail(why, -EINVAL, "path '%s' contains control characters",
                                  why_quote(q, sizeof q, s, 40));
        len = strlen(s);
        out = malloc(len + 1);
        if (!out)
                return parse_fail(why, -ENOMEM, "out of memory");

        /* Collapse "//", drop "." components and a trailing "/"; refuse "..": in a sandbox path it
         * would mean something else after a bind mount or symlink than it seems to mean here. */
        o = out;
        for (const char *c = s; *c;) {
                const char *e;
                size_t n;

                while (*c == '/')
                        c++;
                if (!*c)
                        break;
                e = strchrnul(c, '/');
                n = (size_t) (e - c);
                if (n == 1 && c[0] == '.') {
                        c = e;
                        continue;
                }
                if (n == 2 && c[0] == '.' && c[1] == '.') {
                        free(out);
                        return parse_fail(why, -EINVAL, "path '%s' contains a '..' component",
                                          why_quote(q, sizeof q, s, 40));
                }
                if (n > NAME_MAX) {
                        free(out);
                        return parse_fail(why, -ENAMETOOLONG,
                                          "path '%s' has a component longer than %d bytes",
                                          why_quote(q, sizeof q, s, 40), NAME_MAX);
                }
                *o++ = '/';
                memcpy(o, c, n);
                o += n;
                c = e;
        }
        if (o == out)
                *o++ = '/';
        *o = 0;
        if ((size_t) (o - out) >= PATH_MAX) {
                free(out);
                return parse_fail(why, -ENAMETOOLONG, "path is longer than %d bytes", PATH_MAX - 1);
        }
        *ret = out;
        return 0;
}

/* systemd's parse_uid(): decimal without a leading 0, and neither (uid_t) -1 nor the 16-bit -1
 * (65535). */
static bool valid_numeric_id(const char *s) {
        const char *p = s;
        uint64_t v;
        int n = parse_digits(&p, &v);

        return n > 0 && !*p && (s[0] != '0' || n == 1) && v < UINT32_MAX && v != 65535;
}

static bool all_digits(const char *s) {
        for (; *s; s++)
                if (!ascii_isdigit(*s))
                        return false;
        return true;
}

bool valid_user_group_name_or_id(const char *s) {
        size_t n;

        if (!s || !*s)
                return false;
        /* A number is an id, never a name: it is valid exactly when it is a valid id */
        if (all_digits(s))
                return valid_numeric_id(s);
        /* systemd's relaxed user name rules (VALID_USER_RELAX): what would break /etc/passwd or a home
         * directory name is refused, the rest (even "@" or an inner space, as SSSD and Samba produce)
         * is accepted; no length limit. */
        n = strlen(s);
        if (s[0] == ' ' || s[n - 1] == ' ')
                return false;
        if (s[0] == '-' && all_digits(s + 1)) /* "-1", someone's way to write 65535 */
                return false;
        if (streq(s, ".") || streq(s, ".."))
                return false;
        if (!utf8_is_valid(s) || has_control_chars(s))
                return false;
        return !strpbrk(s, ":/");
}

bool hostname_is_valid(const char *s) {
        bool dot = true, hyphen = true;
        size_t n = 0;

        if (!s || !*s)
                return false;
        /* As systemd: labels of letters, digits and '-', separated by single dots; a label neither
         * starts nor ends with '-'; no leading or trailing dot; at most 64 bytes (the kernel's
         * limit for a UTS name; musl's HOST_NAME_MAX is 255, glibc's 64). */
        for (const char *p = s; *p; p++, n++) {
                if (*p == '.') {
                        if (dot || hyphen)
                                return false;
                        dot = true;
                        hyphen = false;
                } else if (*p == '-') {
                        if (dot)
                                return false;
                        hyphen = true;
                } else {
                        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || ascii_isdigit(*p)))
                                return false;
                        dot = hyphen = false;
                }
        }
        return !dot && !hyphen && n <= 64;
}

/* The n bytes at s are a shell variable name: letters, digits and '_', not a digit first. */
static bool env_name_is_valid_n(const char *s, size_t n) {
        if (n == 0 || ascii_isdigit(s[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || ascii_isdigit(s[i]) ||
                      s[i] == '_'))
                        return false;
        return true;
}

bool env_name_is_valid(const char *s) {
        return s && env_name_is_valid_n(s, strlen(s));
}

bool env_assignment_is_valid(const char *s) {
        const char *eq;
        long arg_max = sysconf(_SC_ARG_MAX);

        if (!s)
                return false;
        eq = strchr(s, '=');
        if (!eq || !env_name_is_valid_n(s, (size_t) (eq - s)))
                return false;
        /* Values may hold control characters (systemd allows them), but must be UTF-8, and the whole
         * assignment must fit the kernel's limit for the environment block. */
        if (!utf8_is_valid(eq + 1))
                return false;
        if (arg_max <= 0)
                arg_max = 2 * 1024 * 1024;
        return strlen(s) <= (size_t) arg_max - 1;
}

/* systemd caps CPU indexes at 8192 (CPU_SET_MAX-ish, what cpuset.cpus can name in practice). */
#define CPU_INDEX_MAX 8192

int parse_cpu_set(const char *s, char **ret, parse_why_t why) {
        _cleanup_free_ uint8_t *bits = NULL;
        char q[64];
        const char *p = s ? s : "";
        unsigned hi = 0;
        bool any = false;
        size_t size = 0;
        char *out;

        bits = calloc(CPU_INDEX_MAX / 8, 1);
        if (!bits)
                return parse_fail(why, -ENOMEM, "out of memory");

        /* Items "N" or "N-M", separated by commas and/or whitespace (systemd's parse_cpu_set()). */
        for (;;) {
                uint64_t a, b;
                const char *item;
                int n;

                while (*p == ',' || is_whitespace(*p))
                        p++;
                if (!*p)
                        break;
                item = p;
                /* systemd's parse_range() reads each bound with safe_atou(): "010" is CPU 8 */
                if ((n = refuse_systemd_radix(item, p, why)) < 0)
                        return n;
                n = parse_digits(&p, &a);
                if (n <= 0)
                        return parse_fail(why, n < 0 ? -ERANGE : -EINVAL, "'%s' is not a CPU number",
                                          why_quote(q, sizeof q, item, 20));
                b = a;
                if (*p == '-') {
                        const char *e = ++p;
                        if ((n = refuse_systemd_radix(item, p, why)) < 0)
                                return n;
                        n = parse_digits(&p, &b);
                        if (n <= 0)
                                return parse_fail(why, n < 0 ? -ERANGE : -EINVAL, "'%s' is not a CPU range",
                                                  why_quote(q, sizeof q, item, (size_t) (e - item) + 4));
                }
                if (*p && *p != ',' && !is_whitespace(*p))
                        return parse_fail(why, -EINVAL, "unexpected '%s' in CPU list",
                                          why_quote(q, sizeof q, p, 8));
                if (a > b)
                        return parse_fail(why, -EINVAL, "CPU range '%s' goes backwards",
                                          why_quote(q, sizeof q, item, (size_t) (p - item)));
                if (b >= CPU_INDEX_MAX)
                        return parse_fail(why, -ERANGE, "CPU index %llu is too large (maximum %d)",
                                          (unsigned long long) b, CPU_INDEX_MAX - 1);
                for (uint64_t c = a; c <= b; c++)
                        bits[c / 8] |= (uint8_t) (1u << (c % 8));
                if (b > hi)
                        hi = (unsigned) b;
                any = true;
        }

        /* Normalized form: ascending, ranges merged, "0-3,6" (what cpuset.cpus prints). Each item
         * takes at most 2 * 4 digits + '-' + ',' = 10 bytes. */
        out = malloc(any ? (size_t) (hi / 2 + 1) * 10 + 1 : 1);
        if (!out)
                return parse_fail(why, -ENOMEM, "out of memory");
        out[0] = 0;
        for (unsigned c = 0; any && c <= hi; c++) {
                unsigned start;
                if (!(bits[c / 8] & (1u << (c % 8))))
                        continue;
                start = c;
                while (c + 1 <= hi && (bits[(c + 1) / 8] & (1u << ((c + 1) % 8))))
                        c++;
                if (start == c)
                        size += (size_t) sprintf(out + size, "%s%u", size ? "," : "", c);
                else
                        size += (size_t) sprintf(out + size, "%s%u-%u", size ? "," : "", start, c);
        }
        *ret = out;
        return 0;
}
