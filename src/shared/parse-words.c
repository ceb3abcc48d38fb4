/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Word splitting with systemd's quoting and C escapes (ExecStart=, Environment=, list keys). */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hutch/parse.h"
#include "hutch/strv.h"
#include "shared/parse-internal.h"

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static size_t utf8_encode(char *out, uint32_t c) {
        if (c < 0x80) {
                out[0] = (char) c;
                return 1;
        }
        if (c < 0x800) {
                out[0] = (char) (0xc0 | (c >> 6));
                out[1] = (char) (0x80 | (c & 0x3f));
                return 2;
        }
        if (c < 0x10000) {
                out[0] = (char) (0xe0 | (c >> 12));
                out[1] = (char) (0x80 | ((c >> 6) & 0x3f));
                out[2] = (char) (0x80 | (c & 0x3f));
                return 3;
        }
        out[0] = (char) (0xf0 | (c >> 18));
        out[1] = (char) (0x80 | ((c >> 12) & 0x3f));
        out[2] = (char) (0x80 | ((c >> 6) & 0x3f));
        out[3] = (char) (0x80 | (c & 0x3f));
        return 4;
}

/* One C escape at p (the character after the backslash), as systemd's cunescape_one() without
 * NUL: writes the bytes to out (room for 4) and returns how many input bytes it used, or a
 * negative errno with the reason. \xNN and \NNN give a raw byte; \uNNNN and \UNNNNNNNN give a
 * code point in UTF-8 (surrogates and values above U+10FFFF are refused). */
static int unescape_one(const char *p, char *out, size_t *ret_len, char *why) {
        char q[32];
        uint32_t c = 0;
        int n;

        switch (*p) {
        case 'a':
                c = '\a';
                n = 1;
                break;
        case 'b':
                c = '\b';
                n = 1;
                break;
        case 'f':
                c = '\f';
                n = 1;
                break;
        case 'n':
                c = '\n';
                n = 1;
                break;
        case 'r':
                c = '\r';
                n = 1;
                break;
        case 't':
                c = '\t';
                n = 1;
                break;
        case 'v':
                c = '\v';
                n = 1;
                break;
        case 's':
                c = ' ';
                n = 1;
                break;
        case '\\':
        case '"':
        case '\'':
                c = (uint32_t) *p;
                n = 1;
                break;
        case 'x': {
                int a = unhexchar(p[1]), b = a < 0 ? -1 : unhexchar(p[2]);
                if (a < 0 || b < 0)
                        return parse_fail(why, -EINVAL, "'\\x' needs two hex digits");
                c = (uint32_t) (a << 4 | b);
                if (c == 0)
                        return parse_fail(why, -EINVAL, "'\\x00' (a NUL byte) is not allowed");
                out[0] = (char) c;
                *ret_len = 1;
                return 3;
        }
        case 'u':
        case 'U': {
                int digits = *p == 'u' ? 4 : 8;
                for (int i = 1; i <= digits; i++) {
                        int d = unhexchar(p[i]);
                        if (d < 0)
                                return parse_fail(why, -EINVAL, "'\\%c' needs %d hex digits", *p, digits);
                        c = c << 4 | (uint32_t) d;
                }
                if (c == 0)
                        return parse_fail(why, -EINVAL, "'\\%c' escape of NUL is not allowed", *p);
                if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                        return parse_fail(why, -EINVAL, "'\\%c%.*s' is not a valid Unicode code point", *p,
                                          digits, p + 1);
                *ret_len = utf8_encode(out, c);
                return digits + 1;
        }
        case '0' ... '7': {
                if (p[1] < '0' || p[1] > '7' || p[2] < '0' || p[2] > '7')
                        return parse_fail(why, -EINVAL, "octal escape '\\%s' needs three octal digits",
                                          why_quote_n(q, sizeof q, p, 3));
                c = (uint32_t) ((p[0] - '0') << 6 | (p[1] - '0') << 3 | (p[2] - '0'));
                if (c > 0377)
                        return parse_fail(why, -EINVAL, "octal escape '\\%.3s' is above \\377", p);
                if (c == 0)
                        return parse_fail(why, -EINVAL, "'\\000' (a NUL byte) is not allowed");
                out[0] = (char) c;
                *ret_len = 1;
                return 3;
        }
        case 0:
                return parse_fail(why, -EINVAL, "trailing backslash");
        default:
                /* systemd keeps the backslash with a warning; say how to write it for both */
                return parse_fail(why, -EINVAL,
                                  "unknown escape sequence '\\%s' (write '\\\\%s' for a backslash)",
                                  why_quote_n(q, sizeof q, p, 1), q);
        }
        out[0] = (char) c;
        *ret_len = 1;
        return n;
}

/* Extracts the next word at *p as systemd's extract_first_word() with whitespace separators and
 * the flags of enum split_flags. With SPLIT_UNQUOTE, quotes may start and end anywhere in a word
 * ("a"'b'c is "abc") and "" is an empty word; a backslash, outside and inside quotes, starts a C
 * escape (SPLIT_CUNESCAPE), is an ordinary character (SPLIT_RETAIN_ESCAPE), or else takes the
 * next character literally. SPLIT_RELAX ends the word at an unclosed quote or a trailing
 * backslash instead of failing. Returns 1 and the word, 0 at the end of input, or a negative errno.
 * The output is never longer than the input, so one allocation of strlen(*p)+1 suffices. */
static int extract_word(const char **p, unsigned flags, char **ret, char *why) {
        const char *s = *p;
        char quote = 0;
        size_t sz = 0;
        char *w;

        while (is_whitespace(*s))
                s++;
        if (!*s) {
                *p = s;
                *ret = NULL;
                return 0;
        }
        /* Escapes shrink: "\xNN" (4 bytes) -> 1, "\uNNNN" (6) -> at most 3, "\UNNNNNNNN" (10) -> 4. */
        w = malloc(strlen(s) + 1);
        if (!w)
                return parse_fail(why, -ENOMEM, "out of memory");

        for (;;) {
                char c = *s;

                if (c == '\\' && !(flags & SPLIT_RETAIN_ESCAPE)) {
                        size_t n = 0;
                        int r;

                        if (!s[1] && (flags & SPLIT_RELAX)) {
                                /* systemd drops the backslash, in or out of quotes */
                                s++;
                                break;
                        }
                        if (flags & SPLIT_CUNESCAPE)
                                r = unescape_one(s + 1, w + sz, &n, why);
                        else if (!s[1])
                                r = parse_fail(why, -EINVAL, "trailing backslash");
                        else {
                                w[sz] = s[1];
                                n = 1;
                                r = 1;
                        }
                        if (r < 0) {
                                free(w);
                                return r;
                        }
                        sz += n;
                        s += 1 + r;
                        continue;
                }
                if (quote) {
                        if (!c && (flags & SPLIT_RELAX))
                                break;
                        if (!c) {
                                free(w);
                                return parse_fail(why, -EINVAL, "unbalanced quotes: missing closing %c",
                                                  quote);
                        }
                        if (c == quote)
                                quote = 0;
                        else
                                w[sz++] = c;
                        s++;
                        continue;
                }
                if (!c || is_whitespace(c))
                        break;
                if ((c == '"' || c == '\'') && (flags & SPLIT_UNQUOTE))
                        quote = c;
                else
                        w[sz++] = c;
                s++;
        }
        while (is_whitespace(*s))
                s++;
        w[sz] = 0;
        *p = s;
        *ret = w;
        return 1;
}

static bool ends_word(char c) {
        return c == 0 || is_whitespace(c);
}

int parse_command_line(const char *s, char ***ret, parse_why_t why) {
        _cleanup_strv_free_ char **argv = NULL;
        const char *p = s ? s : "";
        int r;

        for (;;) {
                char *w;

                while (is_whitespace(*p))
                        p++;
                if (!*p)
                        break;
                /* An unquoted lone ";" separates commands in systemd; hutch takes one per line. "\;"
                 * is a literal ";" argument (systemd checks both before unquoting). */
                if (p[0] == ';' && ends_word(p[1]))
                        return parse_fail(why, -EINVAL,
                                          "';' separates commands, but hutch takes one command per line "
                                          "(write \\; for a literal ';')");
                if (p[0] == '\\' && p[1] == ';' && ends_word(p[2])) {
                        p += 2;
                        r = strv_extend(&argv, ";");
                        if (r < 0)
                                return parse_fail(why, r, "out of memory");
                        continue;
                }
                r = extract_word(&p, SPLIT_UNQUOTE | SPLIT_CUNESCAPE, &w, why);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = strv_consume(&argv, w);
                if (r < 0)
                        return parse_fail(why, r, "out of memory");
        }
        if (!argv)
                return parse_fail(why, -EINVAL, "empty command line");
        if (!argv[0][0])
                return parse_fail(why, -EINVAL, "empty executable name");
        *ret = TAKE_PTR(argv);
        return 0;
}

int split_words_full(const char *s, unsigned flags, char ***ret, parse_why_t why) {
        _cleanup_strv_free_ char **l = NULL;
        const char *p = s ? s : "";
        int r;

        if (flags & ~(unsigned) (SPLIT_UNQUOTE | SPLIT_CUNESCAPE | SPLIT_RETAIN_ESCAPE | SPLIT_RELAX))
                return parse_fail(why, -EINVAL, "internal error: unknown split flags");
        l = new0(char *, 1);
        if (!l)
                return parse_fail(why, -ENOMEM, "out of memory");
        for (;;) {
                char *w;
                r = extract_word(&p, flags, &w, why);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = strv_consume(&l, w);
                if (r < 0)
                        return parse_fail(why, r, "out of memory");
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int split_first_word(const char **p, unsigned flags, char **ret, parse_why_t why) {
        if (flags & ~(unsigned) (SPLIT_UNQUOTE | SPLIT_CUNESCAPE | SPLIT_RETAIN_ESCAPE | SPLIT_RELAX))
                return parse_fail(why, -EINVAL, "internal error: unknown split flags");
        *ret = NULL;
        return extract_word(p, flags, ret, why);
}

int split_words(const char *s, char ***ret, parse_why_t why) {
        return split_words_full(s, SPLIT_UNQUOTE | SPLIT_CUNESCAPE, ret, why);
}
