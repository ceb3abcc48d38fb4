/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The reader: a unit file's bytes -> logical lines, with systemd's syntax exactly.
 *
 * Why we read the file ourselves: Debian's libinih cuts physical lines at 199 bytes and
 * parses the tail as a new line (so "Environment=X=<padding>User=root" sets User=root),
 * strips inline ';' comments, continues values on indented lines, accepts "Key: value"
 * and gives the handler no line number. None of that can be switched off from our side.
 * So this file does all the lexing (line numbers, NUL and UTF-8 checks, comments,
 * backslash continuation, trimming) and inih is only given a synthesized document of
 * short "[Section]" and "Key=INDEX" lines whose characters we validated; the value text
 * always comes from our own table (unit_lines_dispatch()). */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/macro.h"
#include "hutch/parse.h"
#include "unit/unit-internal.h"

#define WHITESPACE " \t\n\r"
#define COMMENTS "#;"

void unit_lines_free(struct unit_lines *l) {
        if (!l)
                return;
        for (size_t i = 0; i < l->n; i++) {
                free(l->items[i].section);
                free(l->items[i].key);
                free(l->items[i].value);
        }
        free(l->items);
        *l = (struct unit_lines){};
}

static bool char_is_name(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_';
}

bool unit_section_name_is_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > UNIT_SECTION_NAME_MAX)
                return false;
        for (const char *p = s; *p; p++)
                if (!char_is_name(*p))
                        return false;
        return true;
}

bool unit_key_name_is_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > UNIT_KEY_NAME_MAX)
                return false;
        for (const char *p = s; *p; p++)
                if (!char_is_name(*p) && *p != '.')
                        return false;
        return true;
}

static char *strip(char *s) {
        s += strspn(s, WHITESPACE);
        size_t n = strlen(s);
        while (n > 0 && strchr(WHITESPACE, s[n - 1]))
                s[--n] = 0;
        return s;
}

static int lines_push(struct unit_lines *l, enum unit_line_kind kind, const char *section, const char *key,
                      const char *value, unsigned line) {
        struct unit_line *m = realloc(l->items, (l->n + 1) * sizeof(*m));
        if (!m)
                return -ENOMEM;
        l->items = m;
        struct unit_line *n = &m[l->n];
        *n = (struct unit_line){.kind = kind, .line = line};
        n->section = section ? strdup(section) : NULL;
        n->key = key ? strdup(key) : NULL;
        n->value = value ? strdup(value) : NULL;
        if ((section && !n->section) || (key && !n->key) || (value && !n->value)) {
                free(n->section);
                free(n->key);
                free(n->value);
                return -ENOMEM;
        }
        l->n++;
        return 0;
}

struct reader {
        const char *file;
        struct unit_lines *lines;
        struct unit_problems *problems;
        char *section;     /* current section, NULL before the first header */
        bool section_ok;   /* false after an invalid header: its assignments are not reported again */
        bool section_skip; /* an "X-" section: ignored entirely, never handed to inih */
};

static int problem(struct reader *r, unsigned line, const char *key, const char *fmt, ...) _printf_(4, 5);
static int problem(struct reader *r, unsigned line, const char *key, const char *fmt, ...) {
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        return unit_problems_add(r->problems, (struct unit_origin){.file = r->file, .line = line}, key, "%s",
                                 buf);
}

/* One logical line, already free of comments and continuations. Mirrors systemd's
 * parse_line(): trim, "[Section]", or "Key=Value" split at the first '=' with both sides
 * trimmed. Where systemd warns and ignores a line, we refuse it. */
static int parse_logical(struct reader *r, char *l, unsigned line) {
        char b[100];
        l = strip(l);
        if (*l == 0)
                return 0;

        if (*l == '[') {
                size_t k = strlen(l);
                if (l[k - 1] != ']') {
                        /* what follows belongs to no section we know: skip it, don't misfile it */
                        r->section_ok = false;
                        r->section_skip = false;
                        if (!r->section && !(r->section = strdup("")))
                                return -ENOMEM;
                        return problem(r, line, NULL, "invalid section header '%s'", unit_value_short(l, b));
                }
                l[k - 1] = 0;
                char *name = l + 1;
                free(r->section);
                r->section = strdup(name);
                if (!r->section)
                        return -ENOMEM;
                /* systemd ignores "X-" sections whole; so do we, whatever their names hold. */
                r->section_skip = strncmp(name, "X-", 2) == 0;
                r->section_ok = true;
                if (r->section_skip)
                        return 0;
                if (!unit_section_name_is_valid(name)) {
                        r->section_ok = false;
                        return problem(r, line, NULL, "invalid section name '%s'",
                                       unit_value_short(name, b));
                }
                r->section_ok = true;
                return lines_push(r->lines, UNIT_LINE_SECTION, name, NULL, NULL, line);
        }

        /* systemd's parse_line() returns for a line of an ignored section before it looks for
         * the '=': anything goes there, "Key: value" and lines of prose too. */
        if (r->section_ok && r->section_skip)
                return 0;

        char *eq = strchr(l, '=');
        if (!eq) {
                /* inih would take "Key: value"; systemd has no such syntax. */
                char *colon = strchr(l, ':');
                if (colon) {
                        *colon = 0;
                        char *key = strip(l);
                        if (unit_key_name_is_valid(key))
                                return problem(r, line, key,
                                               "'Key: value' is not unit file syntax, write %s=%s", key,
                                               unit_value_short(strip(colon + 1), b));
                        *colon = ':';
                }
                return problem(r, line, NULL, "missing '=' in '%s'", unit_value_short(l, b));
        }
        *eq = 0;
        char *key = strip(l), *value = strip(eq + 1);

        if (!r->section)
                return problem(r, line, unit_key_name_is_valid(key) ? key : NULL,
                               "assignment outside of any section");
        if (!r->section_ok)
                return 0; /* the header was already reported */
        if (strncmp(key, "X-", 2) == 0)
                return 0; /* extension keys are ignored, as systemd does */
        if (*key == 0)
                return problem(r, line, NULL, "missing key name before '='");
        if (!unit_key_name_is_valid(key))
                return problem(r, line, NULL, "invalid key name '%s'", unit_value_short(key, b));

        return lines_push(r->lines, UNIT_LINE_ASSIGNMENT, r->section, key, value, line);
}

/* True when `s` ends in a backslash that is not itself escaped: systemd's continuation. */
static bool ends_escaped(const char *s, size_t n) {
        size_t k = 0;
        while (k < n && s[n - 1 - k] == '\\')
                k++;
        return k % 2 == 1;
}

int unit_lines_parse(const char *file, const char *data, size_t size, struct unit_lines *ret,
                     struct unit_problems *problems) {
        struct unit_lines lines = {};
        struct reader r = {.file = file, .lines = &lines, .problems = problems};
        char *cont = NULL; /* the logical line being continued */
        size_t cont_len = 0;
        unsigned cont_line = 0;
        char *phys = NULL;
        int err = 0;

        /* A UTF-8 byte order mark at the start is skipped, as systemd does. */
        if (size >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
                data += 3;
                size -= 3;
        }

        unsigned lineno = 0;
        size_t pos = 0;
        while (pos < size) {
                /* Line ends: "\n", "\r\n" or a lone "\r", as systemd's read_line(). */
                size_t end = pos;
                while (end < size && data[end] != '\n' && data[end] != '\r')
                        end++;
                size_t next = end;
                if (next < size) {
                        if (data[next] == '\r' && next + 1 < size && data[next + 1] == '\n')
                                next += 2;
                        else
                                next += 1;
                }
                size_t len = end - pos;
                lineno++;

                const char *p = data + pos;
                pos = next;

                if (len > UNIT_LINE_MAX) {
                        if ((err = problem(&r, lineno, NULL, "line too long (%zu bytes, at most %d)", len,
                                           UNIT_LINE_MAX)) < 0)
                                goto out;
                        goto drop_continuation;
                }
                if (memchr(p, 0, len)) {
                        if ((err = problem(&r, lineno, NULL, "NUL byte in line")) < 0)
                                goto out;
                        goto drop_continuation;
                }
                free(phys);
                phys = strndup(p, len);
                if (!phys) {
                        err = -ENOMEM;
                        goto out;
                }
                if (!utf8_is_valid(phys)) {
                        if ((err = problem(&r, lineno, NULL, "invalid UTF-8 in line")) < 0)
                                goto out;
                        goto drop_continuation;
                }

                /* Comment lines are skipped, also in the middle of a continuation (systemd). Only
                 * whole lines are comments: '#' or ';' later in a line is part of the value. */
                const char *first = phys + strspn(phys, WHITESPACE);
                if (*first && strchr(COMMENTS, *first))
                        continue;

                if (cont) {
                        if (cont_len + len > UNIT_LINE_MAX) {
                                if ((err = problem(&r, cont_line, NULL,
                                                   "continued line too long (more than %d bytes)",
                                                   UNIT_LINE_MAX)) < 0)
                                        goto out;
                                goto drop_continuation;
                        }
                        char *m = realloc(cont, cont_len + len + 1);
                        if (!m) {
                                err = -ENOMEM;
                                goto out;
                        }
                        cont = m;
                        memcpy(cont + cont_len, phys, len + 1);
                        cont_len += len;
                } else {
                        cont = TAKE_PTR(phys);
                        cont_len = len;
                        cont_line = lineno;
                }

                /* A trailing backslash joins the next line; it becomes a space. Leading
                 * whitespace of an indented line is no continuation: that line stands alone. */
                if (ends_escaped(cont, cont_len)) {
                        cont[cont_len - 1] = ' ';
                        continue;
                }

                err = parse_logical(&r, cont, cont_line);
                free(cont);
                cont = NULL;
                if (err < 0)
                        goto out;
                continue;

        drop_continuation:
                /* A broken physical line ends the logical line it belonged to: the part before
                 * it is not parsed on its own (it would be a truncated value). */
                free(cont);
                cont = NULL;
        }

        /* A continuation at the end of the file: what was collected is the line. */
        if (cont && (err = parse_logical(&r, cont, cont_line)) < 0)
                goto out;

        *ret = lines;
        lines = (struct unit_lines){};
out:
        free(cont);
        free(phys);
        free(r.section);
        unit_lines_free(&lines);
        return err < 0 ? err : 0;
}

int unit_lines_read(const char *path, struct unit_lines *ret, struct unit_problems *problems) {
        /* O_NONBLOCK: a FIFO where a unit file should be must not hang the loader; it is
         * refused below like any file that is not a regular one. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size > UNIT_FILE_MAX)
                return -EFBIG;

        size_t cap = (size_t) st.st_size + 1, n = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (n == cap) {
                        if (cap > UNIT_FILE_MAX)
                                return -EFBIG;
                        char *m = realloc(buf, cap * 2);
                        if (!m)
                                return -ENOMEM;
                        buf = m;
                        cap *= 2;
                }
                ssize_t k = read(fd, buf + n, cap - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        return unit_lines_parse(path, buf, n, ret, problems);
}

/* ---- the inih bridge ---- */

struct dispatch {
        const struct unit_lines *lines;
        size_t next; /* index of the assignment inih must report next */
        unit_assignment_f f;
        void *userdata;
        int error;
};

static size_t next_assignment(const struct unit_lines *l, size_t i) {
        while (i < l->n && l->items[i].kind != UNIT_LINE_ASSIGNMENT)
                i++;
        return i;
}

static int dispatch_handler(void *user, const char *section, const char *name, const char *value) {
        struct dispatch *d = user;
        if (d->error < 0)
                return 1;
        if (!section || !name || !value) {
                d->error = -EIO;
                return 1;
        }

        /* The value inih hands back is the index we wrote; the value text is ours. Anything
         * else than the very next assignment with the same section and key means inih split
         * the synthesized document differently from us: refuse rather than guess. */
        char *end;
        errno = 0;
        unsigned long long idx = strtoull(value, &end, 10);
        if (errno != 0 || end == value || *end != 0 || idx != d->next || idx >= d->lines->n) {
                d->error = -EIO;
                return 1;
        }
        const struct unit_line *l = &d->lines->items[idx];
        if (l->kind != UNIT_LINE_ASSIGNMENT || !streq(l->section, section) || !streq(l->key, name)) {
                d->error = -EIO;
                return 1;
        }
        d->next = next_assignment(d->lines, idx + 1);

        int r = d->f(l, d->userdata);
        if (r < 0)
                d->error = r;
        return 1;
}

int unit_lines_dispatch(const struct unit_lines *lines, unit_assignment_f f, void *userdata) {
        /* Each entry becomes at most a header ("[" 48 "]\n") and a key line (99 "=" 20 "\n"). */
        size_t cap = 1 + lines->n * (UNIT_SECTION_NAME_MAX + UNIT_KEY_NAME_MAX + 32);
        _cleanup_free_ char *doc = malloc(cap);
        if (!doc)
                return -ENOMEM;

        size_t n = 0;
        const char *open_section = NULL;
        for (size_t i = 0; i < lines->n; i++) {
                const struct unit_line *l = &lines->items[i];
                /* Re-checked here so that this function is safe whatever table it is given. */
                if (!l->section || !unit_section_name_is_valid(l->section))
                        return -EINVAL;
                if (l->kind == UNIT_LINE_ASSIGNMENT && (!l->key || !unit_key_name_is_valid(l->key)))
                        return -EINVAL;
                int k;
                if (l->kind == UNIT_LINE_SECTION || !open_section || !streq(open_section, l->section)) {
                        k = snprintf(doc + n, cap - n, "[%s]\n", l->section);
                        if (k < 0 || (size_t) k >= cap - n)
                                return -EIO;
                        n += (size_t) k;
                        open_section = l->section;
                }
                if (l->kind == UNIT_LINE_ASSIGNMENT) {
                        k = snprintf(doc + n, cap - n, "%s=%zu\n", l->key, i);
                        if (k < 0 || (size_t) k >= cap - n)
                                return -EIO;
                        n += (size_t) k;
                }
        }
        doc[n] = 0;

        struct dispatch d = {
                .lines = lines, .next = next_assignment(lines, 0), .f = f, .userdata = userdata};
        int r = ini_parse_string(doc, dispatch_handler, &d);
        if (d.error < 0)
                return d.error;
        if (r != 0 || d.next != lines->n)
                return -EIO; /* inih refused a line we made, or skipped one */
        return 0;
}
