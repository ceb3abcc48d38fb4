/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hutch show`: every effective setting of a unit, defaults included, as systemd-like
 * "Key=value" lines per section or as JSON (one object per section; sizes in bytes, time
 * spans in microseconds, "infinity" as a string). One walk over the model feeds both
 * writers, so the two outputs cannot drift apart. */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hutch/model.h"
#include "hutch/parse.h"
#include "hutch/strv.h"

struct emitter {
        FILE *f;
        bool json;
        bool first_section;
        bool first_key;
};

/* ---- JSON strings ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there are not one. */
static size_t utf8_sequence_length(const unsigned char *s) {
        unsigned c = s[0];
        size_t n;
        uint32_t cp;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf) {
                n = 2;
                cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
                n = 3;
                cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
                n = 4;
                cp = c & 0x07;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates, beyond U+10FFFF */
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return n;
}

/* The two-character escape both JSON and systemd's INI unquoting read for c, or NULL. \b and \f
 * only where with_bf is set: the INI writer spells them \x08 and \x0c. */
static const char *short_escape(unsigned c, bool with_bf) {
        switch (c) {
        case '"':
                return "\\\"";
        case '\\':
                return "\\\\";
        case '\n':
                return "\\n";
        case '\r':
                return "\\r";
        case '\t':
                return "\\t";
        case '\b':
                return with_bf ? "\\b" : NULL;
        case '\f':
                return with_bf ? "\\f" : NULL;
        default:
                return NULL;
        }
}

/* A JSON string: quotes, backslashes and control characters escaped; valid UTF-8 passes
 * through as it is; a byte that is no valid UTF-8 becomes U+FFFD (JSON text must be UTF-8). */
static void json_string(FILE *f, const char *s) {
        const unsigned char *p = (const unsigned char *) s;
        fputc('"', f);
        while (*p) {
                unsigned c = *p;
                const char *e = short_escape(c, true);
                size_t n = 1;
                if (e)
                        fputs(e, f);
                else if (c < 0x20 || c == 0x7f)
                        fprintf(f, "\\u%04x", c);
                else if (c < 0x80)
                        fputc((int) c, f);
                else if ((n = utf8_sequence_length(p)) > 0)
                        fwrite(p, 1, n, f);
                else {
                        fputs("\\ufffd", f);
                        n = 1;
                }
                p += n;
        }
        fputc('"', f);
}

/* ---- INI words: systemd quoting when a word needs it ---- */

static bool word_needs_quotes(const char *s) {
        if (!*s)
                return true;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p <= ' ' || *p == '"' || *p == '\'' || *p == '\\' || *p == 0x7f)
                        return true;
        return false;
}

/* Text as a value of a key that expands specifiers: a '%' is written "%%", so that reading it
 * back does not expand what was a literal '%' (the values are stored expanded). */
static void ini_text(FILE *f, const char *s) {
        for (; *s; s++) {
                if (*s == '%')
                        fputc('%', f);
                fputc(*s, f);
        }
}

static void ini_word(FILE *f, const char *s) {
        if (!word_needs_quotes(s)) {
                ini_text(f, s);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                const char *e = short_escape(*p, false);
                if (e)
                        fputs(e, f);
                else if (*p < 0x20 || *p == 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else if (*p == '%')
                        fputs("%%", f);
                else
                        fputc(*p, f);
        }
        fputc('"', f);
}

/* ---- emitter ---- */

static void section_begin(struct emitter *e, const char *name) {
        if (e->json) {
                fputs(e->first_section ? "{\n" : ",\n", e->f);
                fprintf(e->f, "  \"%s\": {", name);
        } else
                fprintf(e->f, "%s[%s]\n", e->first_section ? "" : "\n", name);
        e->first_section = false;
        e->first_key = true;
}

static void section_end(struct emitter *e) {
        if (e->json)
                fputs(e->first_key ? "}" : "\n  }", e->f);
}

static void key(struct emitter *e, const char *k) {
        if (e->json) {
                fprintf(e->f, "%s\n    \"%s\": ", e->first_key ? "" : ",", k);
                e->first_key = false;
        } else
                fprintf(e->f, "%s=", k);
}

static void key_end(struct emitter *e) {
        if (!e->json)
                fputc('\n', e->f);
}

static void kv_str(struct emitter *e, const char *k, const char *v) {
        key(e, k);
        if (e->json) {
                if (v)
                        json_string(e->f, v);
                else
                        fputs("null", e->f);
        } else if (v)
                ini_text(e->f, v);
        key_end(e);
}

/* A value of a key without specifiers (CPUQuota=50%), written as it is. */
static void kv_str_verbatim(struct emitter *e, const char *k, const char *v) {
        if (e->json) {
                kv_str(e, k, v);
                return;
        }
        key(e, k);
        fputs(v, e->f);
        key_end(e);
}

static void kv_bool(struct emitter *e, const char *k, bool b) {
        key(e, k);
        fputs(e->json ? (b ? "true" : "false") : (b ? "yes" : "no"), e->f);
        key_end(e);
}

static void kv_uint(struct emitter *e, const char *k, uint64_t v) {
        key(e, k);
        fprintf(e->f, "%" PRIu64, v);
        key_end(e);
}

/* An integer that may be unset: empty in the text, null in JSON. */
static void kv_opt_int(struct emitter *e, const char *k, bool set, int v) {
        key(e, k);
        if (set)
                fprintf(e->f, "%d", v);
        else if (e->json)
                fputs("null", e->f);
        key_end(e);
}

/* A boolean that may be unset (-1): empty in the text, null in JSON. */
static void kv_opt_bool(struct emitter *e, const char *k, int b) {
        if (b >= 0)
                kv_bool(e, k, b);
        else
                kv_str(e, k, NULL);
}

static void kv_usec(struct emitter *e, const char *k, usec_t t) {
        key(e, k);
        if (e->json) {
                if (t == USEC_INFINITY)
                        fputs("\"infinity\"", e->f);
                else
                        fprintf(e->f, "%" PRIu64, t);
        } else {
                char buf[128];
                fputs(format_timespan(buf, sizeof buf, t), e->f);
        }
        key_end(e);
}

/* A size: bytes in JSON; in the text a suffix only where it is exact ("64M", "1536K"), else the
 * bytes, so that what is shown is the limit itself and reads back as it. */
static void kv_bytes(struct emitter *e, const char *k, uint64_t v) {
        key(e, k);
        if (v == LIMIT_INFINITY)
                fputs(e->json ? "\"infinity\"" : "infinity", e->f);
        else {
                static const char suffixes[] = "KMGTPE";
                int i = -1;
                uint64_t n = v;
                while (!e->json && n != 0 && n % 1024 == 0 && i + 1 < (int) STRLEN(suffixes)) {
                        n /= 1024;
                        i++;
                }
                if (i >= 0)
                        fprintf(e->f, "%" PRIu64 "%c", n, suffixes[i]);
                else
                        fprintf(e->f, "%" PRIu64, v);
        }
        key_end(e);
}

/* A resource key that is not set: in JSON what the kernel applies (`dflt`); in the text a
 * comment saying so, since the value written out would be a set key, which needs a controller
 * that a unit without it does not. */
static bool resource_unset(struct emitter *e, const char *k, const struct limit *l, const char *dflt) {
        if (l->set || e->json)
                return false;
        fprintf(e->f, "# %s= not set: the kernel's %s\n", k, dflt);
        return true;
}

/* A count such as TasksMax=: a number or infinity. */
static void kv_count(struct emitter *e, const char *k, uint64_t v) {
        key(e, k);
        if (v == LIMIT_INFINITY)
                fputs(e->json ? "\"infinity\"" : "infinity", e->f);
        else
                fprintf(e->f, "%" PRIu64, v);
        key_end(e);
}

/* Opens a list value; items follow with list_item(), then list_end(). */
static void list_begin(struct emitter *e, const char *k, bool *first) {
        key(e, k);
        if (e->json)
                fputc('[', e->f);
        *first = true;
}

static void list_sep(struct emitter *e, bool *first) {
        if (!*first)
                fputs(e->json ? ", " : " ", e->f);
        *first = false;
}

static void list_item(struct emitter *e, bool *first, const char *s) {
        list_sep(e, first);
        if (e->json)
                json_string(e->f, s);
        else
                ini_word(e->f, s);
}

static void list_end(struct emitter *e) {
        if (e->json)
                fputc(']', e->f);
        key_end(e);
}

static void kv_strv(struct emitter *e, const char *k, char *const *l) {
        bool first;
        list_begin(e, k, &first);
        STRV_FOREACH (s, l)
                list_item(e, &first, *s);
        list_end(e);
}

/* Unit-name lists (After=, Wants=, ...) keep their words as written, escapes and quotes
 * included (the loader splits them retaining escapes, as systemd does): INI prints them
 * back verbatim so they read back as the same names. */
static void kv_names(struct emitter *e, const char *k, char *const *l) {
        bool first;
        list_begin(e, k, &first);
        STRV_FOREACH (s, l) {
                if (e->json)
                        list_item(e, &first, *s);
                else {
                        list_sep(e, &first);
                        fputs(*s, e->f);
                }
        }
        list_end(e);
}

/* SupplementaryGroups=: split without quotes, a backslash taking the next character literally
 * (systemd's extract_first_word() flags 0), so a blank, quote or backslash in a name is
 * escaped with a backslash; quoting would make the quotes part of the name. */
static void kv_escaped_words(struct emitter *e, const char *k, char *const *l) {
        bool first;
        list_begin(e, k, &first);
        STRV_FOREACH (w, l) {
                if (e->json) {
                        list_item(e, &first, *w);
                        continue;
                }
                list_sep(e, &first);
                for (const char *c = *w; *c; c++) {
                        if (strchr(" \t\n\"'\\", *c))
                                fputc('\\', e->f);
                        if (*c == '%')
                                fputc('%', e->f);
                        fputc(*c, e->f);
                }
        }
        list_end(e);
}

/* Paths with systemd's '-' prefix where a missing path is fine. */
static void kv_paths(struct emitter *e, const char *k, const struct path_list *l) {
        bool first;
        list_begin(e, k, &first);
        for (size_t i = 0; i < l->n; i++) {
                _cleanup_free_ char *s = NULL;
                if (asprintf(&s, "%s%s", l->items[i].ignore_missing ? "-" : "", l->items[i].path) < 0)
                        continue;
                list_item(e, &first, s);
        }
        list_end(e);
}

/* EnvironmentFile= takes one whole path per line (spaces and all): one line per entry in the
 * INI text, a list in JSON. */
static void kv_env_files(struct emitter *e, const struct path_list *l) {
        if (e->json || l->n == 0) {
                kv_paths(e, "EnvironmentFile", l);
                return;
        }
        for (size_t i = 0; i < l->n; i++) {
                key(e, "EnvironmentFile");
                fputs(l->items[i].ignore_missing ? "-" : "", e->f);
                ini_text(e->f, l->items[i].path);
                key_end(e);
        }
}

/* ---- value specific ---- */

/* StandardInput=, StandardOutput=, StandardError=: systemd's spelling ("null",
 * "append:/var/log/web.log"); unset: empty in the text, null in JSON. */
static int kv_std_stream(struct emitter *e, const char *k, const struct std_stream_setting *s) {
        _cleanup_free_ char *v = NULL;
        if (s->path && asprintf(&v, "%s:%s", std_stream_to_string(s->kind), s->path) < 0)
                return -ENOMEM;
        kv_str(e, k, v ? v : s->kind == STD_STREAM_DEFAULT ? NULL : std_stream_to_string(s->kind));
        return 0;
}

/* A command line as the unit language reads it back: prefixes, the path, then the arguments. */
static void ini_command(FILE *f, const struct exec_command *c) {
        bool separate_argv0 = !c->argv || !c->argv[0] || !streq(c->argv[0], c->path);
        fprintf(f, "%s%s%s", c->ignore_failure ? "-" : "", separate_argv0 ? "@" : "",
                c->no_env_expand ? ":" : "");
        ini_word(f, c->path);
        for (size_t i = separate_argv0 ? 0 : 1; c->argv && c->argv[i]; i++) {
                fputc(' ', f);
                /* a bare ";" would end the command line: an argument ";" is quoted */
                if (streq(c->argv[i], ";"))
                        fputs("\";\"", f);
                else
                        ini_word(f, c->argv[i]);
        }
}

/* ExecStart=: in JSON its argv, with KEYPath, KEYIgnoreFailure and KEYNoEnvironmentExpansion
 * beside it. */
static void kv_exec(struct emitter *e, const char *k, const struct exec_command *c) {
        if (e->json) {
                char name[64];
                kv_strv(e, k, c->argv);
                snprintf(name, sizeof name, "%sPath", k);
                kv_str(e, name, c->path);
                snprintf(name, sizeof name, "%sIgnoreFailure", k);
                kv_bool(e, name, c->ignore_failure);
                snprintf(name, sizeof name, "%sNoEnvironmentExpansion", k);
                kv_bool(e, name, c->no_env_expand);
                return;
        }
        key(e, k);
        if (c->path)
                ini_command(e->f, c);
        key_end(e);
}

/* ExecStartPre= and the other lists: a line per command in the text (an empty assignment for
 * none), in JSON an array of objects with path, argv, ignore_failure, no_environment_expansion. */
static void kv_exec_list(struct emitter *e, const char *k, const struct exec_command_list *l) {
        if (!e->json) {
                if (l->n == 0) {
                        key(e, k);
                        key_end(e);
                }
                for (size_t i = 0; i < l->n; i++)
                        kv_exec(e, k, &l->items[i]);
                return;
        }
        bool first;
        list_begin(e, k, &first);
        for (size_t i = 0; i < l->n; i++) {
                const struct exec_command *c = &l->items[i];
                list_sep(e, &first);
                fputs("{\"path\": ", e->f);
                json_string(e->f, c->path);
                fputs(", \"argv\": [", e->f);
                STRV_FOREACH (a, c->argv) {
                        fputs(a == c->argv ? "" : ", ", e->f);
                        json_string(e->f, *a);
                }
                fprintf(e->f, "], \"ignore_failure\": %s, \"no_environment_expansion\": %s}",
                        c->ignore_failure ? "true" : "false", c->no_env_expand ? "true" : "false");
        }
        list_end(e);
}

static void kv_exit_status(struct emitter *e, const char *k, const struct exit_status_set *s) {
        bool first;
        list_begin(e, k, &first);
        for (int i = 0; i < 256; i++)
                if (exit_status_set_has_status(s, i)) {
                        list_sep(e, &first);
                        fprintf(e->f, "%d", i);
                }
        for (int i = 1; i <= 64; i++)
                if (exit_status_set_has_signal(s, i)) {
                        const char *name = signal_to_name(i);
                        char buf[16];
                        if (!name) {
                                snprintf(buf, sizeof buf, "%d", i);
                                name = buf;
                        }
                        list_item(e, &first, name);
                }
        list_end(e);
}

static void kv_signal(struct emitter *e, const char *k, int sig) {
        const char *name = signal_to_name(sig);
        char buf[16];
        if (!name) {
                snprintf(buf, sizeof buf, "%d", sig);
                name = buf;
        }
        kv_str(e, k, name);
}

static void kv_rlimit_value(struct emitter *e, rlim_t v) {
        if (v == RLIM_INFINITY)
                fputs(e->json ? "\"infinity\"" : "infinity", e->f);
        else
                fprintf(e->f, "%" PRIu64, (uint64_t) v);
}

/* An unset Limit*= is inherited from hutch's own process: null in JSON; in the INI text a
 * comment, since the unit language has no value for it (an empty Limit*= is an error, as in
 * systemd) and what is printed must read back as the same unit. */
static void kv_rlimit(struct emitter *e, const char *k, const struct rlimit_setting *r) {
        if (!r->set && !e->json) {
                fprintf(e->f, "# %s= not set: inherited from hutch\n", k);
                return;
        }
        key(e, k);
        if (r->set && e->json) {
                fputs("{\"soft\": ", e->f);
                kv_rlimit_value(e, r->soft);
                fputs(", \"hard\": ", e->f);
                kv_rlimit_value(e, r->hard);
                fputc('}', e->f);
        } else if (r->set) {
                kv_rlimit_value(e, r->soft);
                if (r->hard != r->soft) {
                        fputc(':', e->f);
                        kv_rlimit_value(e, r->hard);
                }
        } else if (e->json)
                fputs("null", e->f);
        key_end(e);
}

static void bind_path_escaped(FILE *f, const char *p) {
        for (; *p; p++) {
                if (strchr(":\\\"' \t\n", *p))
                        fputc('\\', f);
                fputc(*p, f);
        }
}

static void kv_binds(struct emitter *e, const char *k, const struct unit_section_sandbox *sb,
                     bool read_only) {
        bool first;
        list_begin(e, k, &first);
        for (size_t i = 0; i < sb->n_binds; i++) {
                const struct bind_mount *b = &sb->binds[i];
                if (b->read_only != read_only)
                        continue;
                /* In the unit language's own form, which reads back as the same bind: a ':', a
                 * blank, a quote or a backslash of a path escaped with a backslash. */
                _cleanup_free_ char *s = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&s, &size);
                if (!f)
                        continue;
                fputs(b->ignore_missing ? "-" : "", f);
                bind_path_escaped(f, b->source);
                fputc(':', f);
                bind_path_escaped(f, b->destination);
                fputs(b->recursive ? "" : ":norbind", f);
                if (fclose(f) != 0 || !s)
                        continue;
                list_sep(e, &first);
                if (e->json)
                        json_string(e->f, s);
                else
                        fputs(s, e->f);
        }
        list_end(e);
}

static void kv_tmpfs(struct emitter *e, const struct unit_section_sandbox *sb) {
        bool first;
        list_begin(e, "TemporaryFileSystem", &first);
        for (size_t i = 0; i < sb->n_tmpfs; i++) {
                _cleanup_free_ char *s = NULL;
                if (asprintf(&s, "%s%s%s", sb->tmpfs[i].path, sb->tmpfs[i].options ? ":" : "",
                             sb->tmpfs[i].options ? sb->tmpfs[i].options : "") < 0)
                        continue;
                list_item(e, &first, s);
        }
        list_end(e);
}

/* IPAddressAllow=, IPAddressDeny=: every prefix as ADDRESS/LENGTH, on one line. */
static void kv_ip_prefixes(struct emitter *e, const char *k, const struct ip_prefix_list *l) {
        bool first;
        list_begin(e, k, &first);
        for (size_t i = 0; i < l->n; i++) {
                char addr[INET6_ADDRSTRLEN], buf[INET6_ADDRSTRLEN + 8];
                const struct ip_prefix *p = &l->items[i];
                if (!inet_ntop(p->ipv6 ? AF_INET6 : AF_INET, p->addr, addr, sizeof addr))
                        continue;
                snprintf(buf, sizeof buf, "%s/%u", addr, p->prefixlen);
                list_item(e, &first, buf);
        }
        list_end(e);
}

/* DeviceAllow=, as kv_io_limits(): a line per device in INI form; access as "rwm" letters. */
static void kv_device_allow(struct emitter *e, const struct device_allow *d, size_t n) {
        bool first;
        if (!e->json && n == 0) {
                key(e, "DeviceAllow");
                key_end(e);
                return;
        }
        if (e->json)
                list_begin(e, "DeviceAllow", &first);
        for (size_t i = 0; i < n; i++) {
                char acc[4];
                size_t k = 0;
                if (d[i].access & DEVICE_ACCESS_READ)
                        acc[k++] = 'r';
                if (d[i].access & DEVICE_ACCESS_WRITE)
                        acc[k++] = 'w';
                if (d[i].access & DEVICE_ACCESS_MKNOD)
                        acc[k++] = 'm';
                acc[k] = 0;
                if (e->json) {
                        list_sep(e, &first);
                        fputs("{\"device\": ", e->f);
                        json_string(e->f, d[i].spec);
                        fprintf(e->f, ", \"access\": \"%s\"}", acc);
                } else {
                        key(e, "DeviceAllow");
                        ini_word(e->f, d[i].spec);
                        fprintf(e->f, " %s", acc);
                        key_end(e);
                }
        }
        if (e->json)
                list_end(e);
}

/* Bandwidths are written in plain bytes per second: the unit language reads their suffixes
 * to the base of 1000 (as systemd), so a base-1024 "9.5M" would read back wrong. In INI form
 * each limit is a line of its own, as in a unit file. */
static void kv_io_limits(struct emitter *e, enum io_limit_kind kind, const struct io_limit *l, size_t n) {
        const char *k = model_io_limit_kinds[kind].key;
        bool first;
        if (!e->json && n == 0) {
                key(e, k);
                key_end(e);
                return;
        }
        if (e->json)
                list_begin(e, k, &first);
        for (size_t i = 0; i < n; i++) {
                char bytes[32];
                if (l[i].per_sec == LIMIT_INFINITY)
                        snprintf(bytes, sizeof bytes, e->json ? "\"infinity\"" : "infinity");
                else
                        snprintf(bytes, sizeof bytes, "%" PRIu64, l[i].per_sec);
                if (e->json) {
                        list_sep(e, &first);
                        fputs("{\"path\": ", e->f);
                        json_string(e->f, l[i].path);
                        fprintf(e->f, ", \"%s\": %s}", model_io_limit_kinds[kind].json_rate, bytes);
                } else {
                        key(e, k);
                        ini_word(e->f, l[i].path); /* quoted when it holds a space */
                        fprintf(e->f, " %s", bytes);
                        key_end(e);
                }
        }
        if (e->json)
                list_end(e);
}

static void kv_capabilities(struct emitter *e, const char *k, uint64_t set) {
        bool first;
        list_begin(e, k, &first);
        for (int cap = 0; cap < 64; cap++) {
                if (!(set >> cap & 1))
                        continue;
                char buf[64];
                const char *name = capability_to_name(cap, buf, sizeof buf);
                if (!name) {
                        snprintf(buf, sizeof buf, "%d", cap);
                        name = buf;
                }
                list_item(e, &first, name);
        }
        list_end(e);
}

static const struct {
        unsigned long flag;
        const char *name;
} namespace_names[] = {
        {0x02000000, "cgroup"}, {0x08000000, "ipc"},  {0x40000000, "net"}, {0x00020000, "mnt"},
        {0x20000000, "pid"},    {0x10000000, "user"}, {0x04000000, "uts"}, {0x00000080, "time"},
};

/* The namespace types the payload may still create: "yes" (none), "no" (all), or the list. */
static void kv_namespaces(struct emitter *e, unsigned long allowed) {
        if (allowed == 0 || (allowed & NAMESPACE_FLAGS_ALL) == NAMESPACE_FLAGS_ALL) {
                kv_bool(e, "RestrictNamespaces", allowed == 0);
                return;
        }
        bool first;
        list_begin(e, "RestrictNamespaces", &first);
        for (size_t i = 0; i < ELEMENTSOF(namespace_names); i++)
                if (allowed & namespace_names[i].flag)
                        list_item(e, &first, namespace_names[i].name);
        list_end(e);
}

/* RestrictAddressFamilies=: "none", the allowed families, "~" and the denied ones, or an empty
 * assignment for no restriction (each reads back the same). JSON: {"allow": [...]} or
 * {"deny": [...]} ({"deny": []}: no restriction). */
static void kv_address_families(struct emitter *e, const struct unit_section_security *sec) {
        const char *k = "RestrictAddressFamilies";
        bool allow = sec->address_families_allow;
        if (e->json) {
                key(e, k);
                fprintf(e->f, "{\"%s\": [", allow ? "allow" : "deny");
        } else {
                key(e, k);
                if (allow && sec->address_families == 0)
                        fputs("none", e->f);
                else if (!allow && sec->address_families != 0)
                        fputc('~', e->f);
        }
        bool first = true;
        for (int af = 0; af < 64; af++)
                if (sec->address_families & (UINT64_C(1) << af)) {
                        const char *n = address_family_to_string(af);
                        if (e->json) {
                                fputs(first ? "" : ", ", e->f);
                                json_string(e->f, n ? n : "?");
                        } else
                                fprintf(e->f, "%s%s", first ? "" : " ", n ? n : "?");
                        first = false;
                }
        if (e->json)
                fputs("]}", e->f);
        key_end(e);
}

static int kv_syscall_filter(struct emitter *e, const struct hutch_unit *u) {
        bool allow;
        _cleanup_strv_free_ char **names = NULL;
        int r = model_syscall_filter_effective(u, &allow, &names);
        if (r < 0)
                return r;
        bool first;
        /* A deny list only means "everything else allowed" after an empty assignment (see
         * model_syscall_filter_effective()): print that reset so the output parses back the same. */
        if (!e->json && !allow && names && names[0])
                fputs("SystemCallFilter=\n", e->f);
        list_begin(e, "SystemCallFilter", &first);
        if (!e->json && !allow && names && names[0])
                fputc('~', e->f);
        STRV_FOREACH (n, names) {
                if (e->json && !allow) {
                        _cleanup_free_ char *s = NULL;
                        if (asprintf(&s, "~%s", *n) < 0)
                                return -ENOMEM;
                        list_item(e, &first, s);
                } else
                        list_item(e, &first, *n);
        }
        list_end(e);
        return 0;
}

static void kv_errno(struct emitter *e, const char *k, int error) {
        char buf[16];
        const char *name;
        if (error == SYSCALL_ERRNO_KILL)
                name = "kill";
        else {
                name = errno_to_name(error);
                if (!name) {
                        snprintf(buf, sizeof buf, "%d", error);
                        name = buf;
                }
        }
        kv_str(e, k, name);
}

/* Unset limits show what the kernel applies then: the cgroup defaults. */
static uint64_t limit_or(const struct limit *l, uint64_t dflt) {
        return l->set ? l->value : dflt;
}

/* ---- the walk ---- */

static int format_unit(const struct hutch_unit *u, struct emitter *e) {
        const struct unit_section_unit *un = &u->unit;
        const struct unit_section_service *svc = &u->service;
        const struct unit_section_sandbox *sb = &u->sandbox;
        const struct unit_section_resources *res = &u->resources;
        const struct unit_section_security *sec = &u->security;
        const struct unit_section_install *in = &u->install;
        char buf[64];
        int r;

        section_begin(e, "Unit");
        kv_str(e, "Description", un->description);
        kv_strv(e, "Documentation", un->documentation.items);
        kv_names(e, "After", un->after.items);
        kv_names(e, "Before", un->before.items);
        kv_names(e, "Wants", un->wants.items);
        kv_names(e, "Requires", un->requires.items);
        kv_names(e, "BindsTo", un->binds_to.items);
        kv_names(e, "PartOf", un->part_of.items);
        kv_names(e, "Conflicts", un->conflicts.items);
        kv_usec(e, "StartLimitIntervalSec", un->start_limit_interval);
        kv_uint(e, "StartLimitBurst", un->start_limit_burst);
        section_end(e);

        section_begin(e, "Service");
        kv_exec(e, "ExecStart", &svc->exec_start);
        for (enum exec_control i = 0; i < _EXEC_CONTROL_MAX; i++)
                kv_exec_list(e, exec_control_to_string(i), &svc->exec_control[i]);
        kv_str(e, "Type", service_type_to_string(svc->type));
        kv_str(e, "PIDFile", svc->pid_file); /* unset: empty, JSON null */
        kv_bool(e, "GuessMainPID", svc->guess_main_pid);
        kv_str(e, "Restart", restart_policy_to_string(svc->restart));
        kv_usec(e, "RestartSec", svc->restart_sec);
        kv_uint(e, "RestartSteps", svc->restart_steps);
        kv_usec(e, "RestartMaxDelaySec", svc->restart_max_delay);
        kv_exit_status(e, "RestartPreventExitStatus", &svc->restart_prevent_exit_status);
        kv_exit_status(e, "SuccessExitStatus", &svc->success_exit_status);
        kv_usec(e, "TimeoutStartSec", svc->timeout_start);
        kv_usec(e, "TimeoutStopSec", svc->timeout_stop);
        kv_usec(e, "RuntimeMaxSec", svc->runtime_max);
        kv_usec(e, "RuntimeRandomizedExtraSec", svc->runtime_randomized_extra);
        kv_signal(e, "KillSignal", svc->kill_signal);
        kv_signal(e, "FinalKillSignal", svc->final_kill_signal);
        kv_signal(e, "WatchdogSignal", svc->watchdog_signal);
        kv_bool(e, "SendSIGHUP", svc->send_sighup);
        kv_bool(e, "RemainAfterExit", svc->remain_after_exit);
        kv_str(e, "ExitType", exit_type_to_string(svc->exit_type));
        kv_str(e, "OOMPolicy", oom_policy_to_string(svc->oom_policy));
        if (svc->timeout_abort_set)
                kv_usec(e, "TimeoutAbortSec", svc->timeout_abort);
        else
                kv_str(e, "TimeoutAbortSec", NULL);
        kv_str(e, "TimeoutStartFailureMode", timeout_mode_to_string(svc->timeout_start_mode));
        kv_str(e, "TimeoutStopFailureMode", timeout_mode_to_string(svc->timeout_stop_mode));
        kv_str(e, "KillMode", kill_mode_to_string(svc->kill_mode));
        kv_usec(e, "WatchdogSec", svc->watchdog);
        kv_str(e, "NotifyAccess", notify_access_to_string(model_notify_access(u)));
        kv_strv(e, "Environment", svc->environment.items);
        kv_env_files(e, &svc->environment_files);
        kv_strv(e, "PassEnvironment", svc->pass_environment.items);
        kv_strv(e, "UnsetEnvironment", svc->unset_environment.items);
        kv_bool(e, "IgnoreSIGPIPE", svc->ignore_sigpipe);
        if ((r = kv_std_stream(e, "StandardInput", &svc->std_input)) < 0 ||
            (r = kv_std_stream(e, "StandardOutput", &svc->std_output)) < 0 ||
            (r = kv_std_stream(e, "StandardError", &svc->std_error)) < 0)
                return r;
        /* Unset (empty, JSON null): the generated service's defaults (see hutch-generator(8)). */
        kv_str(e, "SyslogIdentifier", svc->syslog_identifier);
        kv_str(e, "SyslogFacility", syslog_facility_to_string(svc->syslog_facility));
        kv_str(e, "SyslogLevel", syslog_level_to_string(svc->syslog_level));
        kv_opt_bool(e, "SyslogLevelPrefix", svc->syslog_level_prefix);
        {
                _cleanup_free_ char *wd = NULL;
                if (asprintf(&wd, "%s%s", svc->working_directory_missing_ok ? "-" : "",
                             svc->working_directory_home ? "~"
                             : svc->working_directory    ? svc->working_directory
                                                         : "/") < 0)
                        return -ENOMEM;
                kv_str(e, "WorkingDirectory", wd);
        }
        kv_str(e, "User", svc->user ? svc->user : "root");
        kv_str(e, "Group", svc->group); /* unset: the user's primary group */
        kv_escaped_words(e, "SupplementaryGroups", svc->supplementary_groups.items);
        snprintf(buf, sizeof buf, "%04o", (unsigned) svc->umask);
        kv_str(e, "UMask", buf);
        /* Unset (empty, JSON null): the payload keeps the value hutch was started with. */
        kv_opt_int(e, "OOMScoreAdjust", svc->oom_score_adjust_set, svc->oom_score_adjust);
        /* Unset, the same: hutch's own, inherited. */
        kv_opt_int(e, "Nice", svc->nice_set, svc->nice);
        kv_str(e, "CPUSchedulingPolicy", cpu_sched_policy_to_string(svc->cpu_sched_policy));
        kv_opt_int(e, "CPUSchedulingPriority", svc->cpu_sched_priority_set, svc->cpu_sched_priority);
        kv_opt_bool(e, "CPUSchedulingResetOnFork", svc->cpu_sched_reset_on_fork);
        kv_str(e, "IOSchedulingClass", io_sched_class_to_string(svc->io_sched_class));
        kv_opt_int(e, "IOSchedulingPriority", svc->io_sched_priority >= 0, svc->io_sched_priority);
        kv_str(e, "CPUAffinity", svc->cpu_affinity);
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                const char *k = rlimit_to_key(i);
                if (k)
                        kv_rlimit(e, k, &svc->rlimits[i]);
        }
        section_end(e);

        section_begin(e, "Sandbox");
        kv_str(e, "RootDirectory", sb->root_directory ? sb->root_directory : "/");
        kv_paths(e, "Layers", &sb->layers);
        kv_str(e, "RootMode", root_mode_to_string(sb->root_mode));
        kv_str(e, "UpperDirectory", sb->upper_directory);
        kv_binds(e, "BindPaths", sb, false);
        kv_binds(e, "BindReadOnlyPaths", sb, true);
        kv_tmpfs(e, sb);
        kv_paths(e, "ReadOnlyPaths", &sb->read_only_paths);
        kv_paths(e, "ReadWritePaths", &sb->read_write_paths);
        kv_paths(e, "InaccessiblePaths", &sb->inaccessible_paths);
        kv_bool(e, "PrivateTmp", sb->private_tmp);
        kv_bool(e, "PrivateDevices", sb->private_devices);
        kv_bool(e, "PrivateNetwork", sb->private_network);
        if (sb->private_users == PRIVATE_USERS_IDENTITY)
                kv_str(e, "PrivateUsers", "identity");
        else
                kv_bool(e, "PrivateUsers", sb->private_users == PRIVATE_USERS_YES);
        kv_str(e, "ProtectProc", protect_proc_to_string(sb->protect_proc));
        kv_str(e, "ProcSubset", proc_subset_to_string(sb->proc_subset));
        kv_str(e, "Hostname", sb->hostname);
        kv_bool(e, "ProtectHostname", sb->protect_hostname);
        /* As PrivateUsers=: a boolean where it is one, the name otherwise. */
        if (sb->protect_home == PROTECT_HOME_YES || sb->protect_home == PROTECT_HOME_NO)
                kv_bool(e, "ProtectHome", sb->protect_home == PROTECT_HOME_YES);
        else
                kv_str(e, "ProtectHome", protect_home_to_string(sb->protect_home));
        kv_bool(e, "ProtectCredentials", sb->protect_credentials);
        kv_str(e, "ProtectSystem", protect_system_to_string(model_protect_system(sb)));
        for (int i = 0; i < _EXEC_DIRECTORY_MAX; i++) {
                char k[64];
                kv_strv(e, exec_directory_key(i), sb->directories[i].items);
                snprintf(k, sizeof k, "%sMode", exec_directory_key(i));
                snprintf(buf, sizeof buf, "%04o", (unsigned) sb->directory_mode[i]);
                kv_str(e, k, buf);
        }
        kv_str(e, "RuntimeDirectoryPreserve", runtime_preserve_to_string(sb->runtime_directory_preserve));
        section_end(e);

        section_begin(e, "Resources");
        if (!resource_unset(e, "CPUWeight", &res->cpu_weight, "100"))
                kv_uint(e, "CPUWeight", limit_or(&res->cpu_weight, 100));
        if (res->cpu_quota.set && res->cpu_quota.value != LIMIT_INFINITY) {
                /* stored as microseconds of CPU time per second: 10000 per percent */
                uint64_t v = res->cpu_quota.value;
                if (v % 10000 == 0)
                        snprintf(buf, sizeof buf, "%" PRIu64 "%%", v / 10000);
                else
                        snprintf(buf, sizeof buf, "%" PRIu64 ".%02" PRIu64 "%%", v / 10000, v % 10000 / 100);
                kv_str_verbatim(e, "CPUQuota", buf);
        } else /* JSON "infinity"; in the INI text the empty value, "no quota" (as in systemd) */
                kv_str(e, "CPUQuota", e->json ? "infinity" : "");
        kv_str(e, "AllowedCPUs", res->allowed_cpus ? res->allowed_cpus : "");
        if (!resource_unset(e, "MemoryMin", &res->memory_min, "0"))
                kv_bytes(e, "MemoryMin", limit_or(&res->memory_min, 0));
        if (!resource_unset(e, "MemoryLow", &res->memory_low, "0"))
                kv_bytes(e, "MemoryLow", limit_or(&res->memory_low, 0));
        if (!resource_unset(e, "MemoryHigh", &res->memory_high, "infinity"))
                kv_bytes(e, "MemoryHigh", limit_or(&res->memory_high, LIMIT_INFINITY));
        if (!resource_unset(e, "MemoryMax", &res->memory_max, "infinity"))
                kv_bytes(e, "MemoryMax", limit_or(&res->memory_max, LIMIT_INFINITY));
        if (!resource_unset(e, "MemorySwapMax", &res->memory_swap_max, "infinity"))
                kv_bytes(e, "MemorySwapMax", limit_or(&res->memory_swap_max, LIMIT_INFINITY));
        if (!resource_unset(e, "TasksMax", &res->tasks_max, "infinity"))
                kv_count(e, "TasksMax", limit_or(&res->tasks_max, LIMIT_INFINITY));
        if (!resource_unset(e, "IOWeight", &res->io_weight, "100"))
                kv_uint(e, "IOWeight", limit_or(&res->io_weight, 100));
        for (enum io_limit_kind i = 0; i < _IO_LIMIT_KIND_MAX; i++)
                kv_io_limits(e, i, res->io_limits[i], res->n_io_limits[i]);
        kv_str(e, "DevicePolicy", device_policy_to_string(res->device_policy));
        kv_device_allow(e, res->device_allow, res->n_device_allow);
        kv_ip_prefixes(e, "IPAddressAllow", &res->ip_address_allow);
        kv_ip_prefixes(e, "IPAddressDeny", &res->ip_address_deny);
        section_end(e);

        section_begin(e, "Security");
        kv_capabilities(e, "CapabilityBoundingSet", sec->capability_bounding_set);
        kv_capabilities(e, "AmbientCapabilities", sec->ambient_capabilities);
        kv_bool(e, "NoNewPrivileges", sec->no_new_privileges);
        r = kv_syscall_filter(e, u);
        if (r < 0)
                return r;
        kv_errno(e, "SystemCallErrorNumber", sec->syscall_error_number);
        kv_strv(e, "SystemCallArchitectures", sec->syscall_architectures.items);
        kv_namespaces(e, sec->restrict_namespaces);
        kv_address_families(e, sec);
        kv_bool(e, "LockPersonality", sec->lock_personality);
        kv_bool(e, "RestrictRealtime", sec->restrict_realtime);
        kv_bool(e, "RestrictSUIDSGID", sec->restrict_suid_sgid);
        kv_bool(e, "MemoryDenyWriteExecute", sec->memory_deny_write_execute);
        kv_bool(e, "ProtectKernelTunables", sec->protect_kernel_tunables);
        kv_bool(e, "ProtectKernelModules", sec->protect_kernel_modules);
        kv_bool(e, "ProtectKernelLogs", sec->protect_kernel_logs);
        kv_bool(e, "ProtectClock", sec->protect_clock);
        section_end(e);

        section_begin(e, "Install");
        /* unit names: no blank or quote in them, and backslashes are kept as written */
        kv_names(e, "WantedBy", in->wanted_by.items);
        kv_names(e, "RequiredBy", in->required_by.items);
        kv_names(e, "Alias", in->alias.items);
        section_end(e);

        if (e->json)
                fputs("\n}\n", e->f);
        return 0;
}

int model_format_ini(const struct hutch_unit *u, FILE *f) {
        struct emitter e = {.f = f, .json = false, .first_section = true};
        int r = format_unit(u, &e);
        if (r < 0)
                return r;
        return ferror(f) ? -EIO : 0;
}

int model_format_json(const struct hutch_unit *u, FILE *f) {
        struct emitter e = {.f = f, .json = true, .first_section = true};
        int r = format_unit(u, &e);
        if (r < 0)
                return r;
        return ferror(f) ? -EIO : 0;
}
