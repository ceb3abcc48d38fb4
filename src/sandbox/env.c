/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's environment, built in the parent before clone3, and its argv, expanded in the
 * child from the complete environment. Nothing of hutch's own environment is passed on: the
 * payload sees PATH (systemd's default unless set), then Environment=, then EnvironmentFile=
 * (which overrides Environment=, as in systemd), then NOTIFY_SOCKET for Type=notify; the child
 * adds HOME, USER, LOGNAME and SHELL for User=. EnvironmentFile= names host files, read here
 * like systemd's manager reads them. */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hutch/log.h"
#include "hutch/parse.h"
#include "hutch/strv.h"
#include "sandbox/sandbox-internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool env_name_valid(const char *s, size_t n) {
        if (n == 0 || !(isalpha((unsigned char) s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!(isalnum((unsigned char) s[i]) || s[i] == '_'))
                        return false;
        return true;
}

/* Sets NAME=value (an assignment), replacing an earlier one of the same name. Takes `a`. */
static int env_put(char ***env, char *a) {
        size_t l = strcspn(a, "=");
        for (char **v = *env; v && *v; v++)
                if (strncmp(*v, a, l) == 0 && (*v)[l] == '=') {
                        free(*v);
                        *v = a;
                        return 0;
                }
        return strv_consume(env, a);
}

static const char *env_get(char *const *env, const char *name, size_t n) {
        if (n == 0)
                return NULL;
        STRV_FOREACH (v, env)
                if (strncmp(*v, name, n) == 0 && (*v)[n] == '=')
                        return *v + n + 1;
        return NULL;
}

/* One EnvironmentFile=: KEY=VALUE lines, '#'/';' comments, blank lines, values optionally in
 * single or double quotes (backslash escapes inside double quotes), a trailing backslash
 * continues the line. An invalid line is skipped with a warning, as systemd does. */
static int read_env_file(const struct path_entry *pe, char ***env) {
        FILE *f = fopen(pe->path, "re");
        if (!f) {
                if (errno == ENOENT && pe->ignore_missing)
                        return 0;
                int r = -errno;
                if (pe->origin.file)
                        return log_error_errno(r, "%s:%u: EnvironmentFile=%s: %m", pe->origin.file,
                                               pe->origin.line, pe->path);
                return log_error_errno(r, "EnvironmentFile=%s: %m", pe->path);
        }
        char *line = NULL, *logical = NULL;
        size_t cap = 0, lineno = 0;
        int r = 0;
        for (;;) {
                ssize_t n = getline(&line, &cap, f);
                if (n < 0)
                        break;
                lineno++;
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        line[--n] = 0;
                bool cont = n > 0 && line[n - 1] == '\\';
                if (cont)
                        line[--n] = 0;
                char *joined;
                if (asprintf(&joined, "%s%s", logical ?: "", line) < 0) {
                        r = log_oom();
                        break;
                }
                free(logical);
                logical = joined;
                if (cont)
                        continue;

                char *p = logical;
                while (isspace((unsigned char) *p))
                        p++;
                if (*p && *p != '#' && *p != ';') {
                        char *eq = strchr(p, '=');
                        size_t kl = eq ? (size_t) (eq - p) : 0;
                        while (kl > 0 && isspace((unsigned char) p[kl - 1]))
                                kl--;
                        if (!eq || !env_name_valid(p, kl))
                                log_warning("%s:%zu: not a KEY=VALUE assignment, ignoring", pe->path,
                                            lineno);
                        else {
                                char *v = eq + 1, *out = malloc(strlen(v) + 1), *o = out;
                                if (!out) {
                                        r = log_oom();
                                        break;
                                }
                                while (isspace((unsigned char) *v))
                                        v++;
                                if (*v == '\'' || *v == '"') {
                                        char q = *v++;
                                        for (; *v && *v != q; v++) {
                                                if (q == '"' && *v == '\\' && v[1])
                                                        v++;
                                                *o++ = *v;
                                        }
                                } else {
                                        for (; *v; v++)
                                                *o++ = *v;
                                        while (o > out && isspace((unsigned char) o[-1]))
                                                o--;
                                }
                                *o = 0;
                                char *a;
                                if (asprintf(&a, "%.*s=%s", (int) kl, p, out) < 0) {
                                        free(out);
                                        r = log_oom();
                                        break;
                                }
                                free(out);
                                r = env_put(env, a);
                                if (r < 0) {
                                        log_oom();
                                        break;
                                }
                        }
                }
                free(logical);
                logical = NULL;
        }
        free(line);
        free(logical);
        fclose(f);
        return r;
}

int sandbox_build_env(const struct hutch_unit *u, const struct sandbox_params *p, char ***ret) {
        char **env = NULL;
        int r = strv_extend(&env, "PATH=" DEFAULT_PATH);
        STRV_FOREACH (a, u->service.environment.items) {
                if (r < 0)
                        break;
                char *c = strdup(*a);
                r = c ? env_put(&env, c) : -ENOMEM;
        }
        if (r < 0) {
                strv_free(env);
                return log_oom();
        }
        for (size_t i = 0; i < u->service.environment_files.n; i++) {
                r = read_env_file(&u->service.environment_files.items[i], &env);
                if (r < 0) {
                        strv_free(env);
                        return r;
                }
        }
        if (p->notify_socket) {
                char *c = strdup("NOTIFY_SOCKET=/run/host/notify");
                r = c ? env_put(&env, c) : -ENOMEM;
                if (r < 0) {
                        strv_free(env);
                        return log_oom();
                }
        }
        *ret = env;
        return 0;
}

struct text {
        char *s;
        size_t len, cap;
};

static int text_add(struct text *t, const char *s, size_t n) {
        if (t->len + n + 1 > t->cap) {
                size_t cap = (t->len + n + 1) * 2;
                char *ns = realloc(t->s, cap);
                if (!ns)
                        return -ENOMEM;
                t->s = ns;
                t->cap = cap;
        }
        memcpy(t->s + t->len, s, n);
        t->len += n;
        t->s[t->len] = 0;
        return 0;
}

/* systemd's replace_env() without flags, for a word that is not a whole "$NAME": "${NAME}" is
 * replaced by the value (nothing when unset), "$$" is "$", and everything else stays as written:
 * "$NAME" without braces, a "${" with no closing brace, and "${NAME:-x}" / "${NAME:+x}", which
 * systemd expands only in other places (the text up to the ':' is kept and reading goes on
 * after it). */
static int replace_vars(const char *w, char *const *env, char **ret) {
        struct text t = {0};
        int r = text_add(&t, "", 0);
        for (const char *p = w; *p && r == 0;) {
                if (p[0] == '$' && p[1] == '$') {
                        r = text_add(&t, "$", 1);
                        p += 2;
                } else if (p[0] == '$' && p[1] == '{') {
                        size_t n = strcspn(p + 2, "}:");
                        if (p[2 + n] == '}') {
                                const char *v = env_get(env, p + 2, n) ?: "";
                                r = text_add(&t, v, strlen(v));
                                p += n + 3;
                        } else if (p[2 + n] == ':') {
                                r = text_add(&t, p, n + 3);
                                p += n + 3;
                        } else {
                                r = text_add(&t, p, strlen(p));
                                break;
                        }
                } else {
                        r = text_add(&t, p, 1);
                        p++;
                }
        }
        if (r < 0) {
                free(t.s);
                return r;
        }
        *ret = t.s;
        return 0;
}

/* systemd's replace_env_argv(): a word that starts with '$' but not with "${" or "$$" is
 * replaced by the value of the variable the rest of the word names, split as systemd splits it
 * (EXTRACT_RELAX|EXTRACT_UNQUOTE: quotes group words and are removed, a backslash takes the next
 * character): zero or more words, and none when no variable has that name, so "$1", a lone "$"
 * and "$FOO/bar" (set or not) vanish. Any other word goes through replace_vars(). */
static int expand_word(const char *w, char *const *env, char ***out) {
        if (w[0] == '$' && w[1] != '{' && w[1] != '$') {
                const char *v = env_get(env, w + 1, strlen(w + 1));
                if (!v)
                        return 0;
                char **words = NULL;
                int r = split_words_full(v, SPLIT_UNQUOTE | SPLIT_RELAX, &words, NULL);
                if (r < 0)
                        return r;
                for (char **s = words; *s; s++) {
                        if (r < 0)
                                free(*s);
                        else
                                r = strv_consume(out, *s);
                }
                free(words);
                return r;
        }
        char *s;
        int r = replace_vars(w, env, &s);
        return r < 0 ? r : strv_consume(out, s);
}

int sandbox_build_argv(const struct hutch_unit *u, const struct sandbox_params *p, char *const *env,
                       char ***ret) {
        const struct exec_command *x = &u->service.exec_start;
        char **argv = NULL;
        int r = 0;
        STRV_FOREACH (a, x->argv) {
                r = x->no_env_expand ? strv_extend(&argv, *a) : expand_word(*a, env, &argv);
                if (r < 0)
                        break;
        }
        STRV_FOREACH (a, p->extra_args) {
                if (r < 0)
                        break;
                r = strv_extend(&argv, *a);
        }
        if (r == 0 && !argv)
                r = strv_extend(&argv, x->path);
        if (r < 0) {
                strv_free(argv);
                return r;
        }
        *ret = argv;
        return 0;
}
