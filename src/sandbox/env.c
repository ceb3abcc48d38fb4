/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's environment, built in the parent before clone3, and its argv, expanded in the
 * child from the complete environment. Nothing of hutch's own environment is passed on: the
 * payload sees PATH (systemd's default unless set), then Environment=, then EnvironmentFile=
 * (which overrides Environment=, as in systemd), then NOTIFY_SOCKET for Type=notify; the child
 * adds HOME, USER, LOGNAME and SHELL for User=. EnvironmentFile= names host files, read here
 * like systemd's manager reads them. */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "hutch/log.h"
#include "hutch/parse.h"
#include "hutch/strv.h"
#include "sandbox/sandbox-internal.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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

/* systemd's env-file reader (parse_env_file_internal(), then what load_env_file() and
 * exec_context_load_environment() do with each assignment), one character at a time. */
enum env_file_state {
        EF_PRE_KEY,        /* at the start of a line, or in the whitespace before a key */
        EF_KEY,            /* up to '='; a newline first drops the line */
        EF_PRE_VALUE,      /* whitespace after '=' or after a quoted part */
        EF_VALUE,          /* unquoted */
        EF_VALUE_ESCAPE,   /* after '\' unquoted: the next character as is, a newline vanishes */
        EF_SINGLE_QUOTE,   /* everything literal up to the next ' */
        EF_DOUBLE_QUOTE,   /* up to the next unescaped " */
        EF_DOUBLE_ESCAPE,  /* after '\' in double quotes */
        EF_COMMENT,        /* '#' or ';' where a key could start, up to the end of the line */
        EF_COMMENT_ESCAPE, /* after '\' in a comment: even a newline is skipped */
};

struct env_file_parser {
        const char *path;
        struct text key, value;
        size_t key_space;   /* where the key's trailing whitespace starts, or SIZE_MAX */
        size_t value_space; /* where an unquoted value's trailing whitespace starts, or SIZE_MAX */
        unsigned line, key_line;
        char **out;
};

static bool is_env_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_env_newline(char c) {
        return c == '\n' || c == '\r';
}

/* One assignment found: its key without trailing whitespace, its value (chomped of unescaped
 * trailing whitespace when it ended unquoted). Invalid UTF-8 fails the whole file, as in
 * systemd; an invalid name is ignored with a warning. */
static int env_file_push(struct env_file_parser *p, bool chomp) {
        int r = text_add(&p->key, "", 0);
        if (r == 0)
                r = text_add(&p->value, "", 0);
        if (r < 0)
                return log_oom();
        if (p->key_space != SIZE_MAX)
                p->key.s[p->key_space] = 0;
        if (chomp && p->value_space != SIZE_MAX)
                p->value.s[p->value_space] = 0;
        if (!utf8_is_valid(p->key.s) || !utf8_is_valid(p->value.s))
                return log_error_errno(-EINVAL, "%s:%u: invalid UTF-8 in the assignment of '%s'", p->path,
                                       p->key_line, p->key.s);
        char *a;
        if (asprintf(&a, "%s=%s", p->key.s, p->value.s) < 0)
                return log_oom();
        p->key.len = p->value.len = 0;
        if (!env_assignment_is_valid(a)) {
                log_warning("%s:%u: invalid environment assignment '%s', ignoring", p->path, p->key_line, a);
                free(a);
                return 0;
        }
        r = env_put(&p->out, a);
        return r < 0 ? log_oom() : 0;
}

static int env_file_add(struct text *t, char c) {
        return text_add(t, &c, 1) < 0 ? log_oom() : 0;
}

/* Adds c to an unquoted key or value, keeping in *space where its trailing white space began
 * (SIZE_MAX: none), which is cut off when it ends. */
static int env_file_add_unquoted(struct text *t, size_t *space, char c) {
        if (!is_env_space(c))
                *space = SIZE_MAX;
        else if (*space == SIZE_MAX)
                *space = t->len;
        return env_file_add(t, c);
}

/* Parses the text of one environment file (up to its first NUL, where systemd stops too) into
 * NAME=value assignments, a later one of a name replacing an earlier one. Logs. */
int sandbox_parse_env_file(const char *path, const char *text, char ***ret) {
        struct env_file_parser p = {.path = path, .line = 1};
        enum env_file_state state = EF_PRE_KEY;
        int r = 0;
        for (const char *s = text; *s && r == 0; s++) {
                char c = *s;
                switch (state) {
                case EF_PRE_KEY:
                        if (c == '#' || c == ';')
                                state = EF_COMMENT;
                        else if (!is_env_space(c)) {
                                state = EF_KEY;
                                p.key.len = 0;
                                p.key_space = SIZE_MAX;
                                p.key_line = p.line;
                                r = env_file_add(&p.key, c);
                        }
                        break;
                case EF_KEY:
                        if (is_env_newline(c)) {
                                state = EF_PRE_KEY;
                                log_warning("%s:%u: no '=' in this line, ignoring", path, p.key_line);
                        } else if (c == '=') {
                                state = EF_PRE_VALUE;
                                p.value.len = 0;
                                p.value_space = SIZE_MAX;
                        } else
                                r = env_file_add_unquoted(&p.key, &p.key_space, c);
                        break;
                case EF_PRE_VALUE:
                        if (is_env_newline(c)) {
                                state = EF_PRE_KEY;
                                r = env_file_push(&p, false);
                        } else if (c == '\'')
                                state = EF_SINGLE_QUOTE;
                        else if (c == '"')
                                state = EF_DOUBLE_QUOTE;
                        else if (c == '\\')
                                state = EF_VALUE_ESCAPE;
                        else if (!is_env_space(c)) {
                                state = EF_VALUE;
                                r = env_file_add(&p.value, c);
                        }
                        break;
                case EF_VALUE:
                        if (is_env_newline(c)) {
                                state = EF_PRE_KEY;
                                r = env_file_push(&p, true);
                        } else if (c == '\\') {
                                state = EF_VALUE_ESCAPE;
                                p.value_space = SIZE_MAX;
                        } else
                                r = env_file_add_unquoted(&p.value, &p.value_space, c);
                        break;
                case EF_VALUE_ESCAPE:
                        state = EF_VALUE;
                        if (!is_env_newline(c))
                                r = env_file_add(&p.value, c);
                        break;
                case EF_SINGLE_QUOTE:
                        if (c == '\'')
                                state = EF_PRE_VALUE;
                        else
                                r = env_file_add(&p.value, c);
                        break;
                case EF_DOUBLE_QUOTE:
                        if (c == '"')
                                state = EF_PRE_VALUE;
                        else if (c == '\\')
                                state = EF_DOUBLE_ESCAPE;
                        else
                                r = env_file_add(&p.value, c);
                        break;
                case EF_DOUBLE_ESCAPE:
                        /* As a shell: only " \ ` $ lose their backslash; before a newline both
                         * vanish; before anything else the backslash stays. */
                        state = EF_DOUBLE_QUOTE;
                        if (strchr("\"\\`$", c))
                                r = env_file_add(&p.value, c);
                        else if (c != '\n') {
                                r = env_file_add(&p.value, '\\');
                                if (r == 0)
                                        r = env_file_add(&p.value, c);
                        }
                        break;
                case EF_COMMENT:
                        if (c == '\\')
                                state = EF_COMMENT_ESCAPE;
                        else if (is_env_newline(c))
                                state = EF_PRE_KEY;
                        break;
                case EF_COMMENT_ESCAPE:
                        state = EF_COMMENT;
                        break;
                }
                if (c == '\n')
                        p.line++;
        }
        if (r == 0) {
                /* The end of the text ends an assignment as a newline would; a key without '='
                 * is dropped. */
                if (state == EF_KEY)
                        log_warning("%s:%u: no '=' in this line, ignoring", path, p.key_line);
                else if (state != EF_PRE_KEY && state != EF_COMMENT && state != EF_COMMENT_ESCAPE)
                        r = env_file_push(&p, state == EF_VALUE);
        }
        free(p.key.s);
        free(p.value.s);
        if (r < 0) {
                strv_free(p.out);
                return r;
        }
        *ret = p.out;
        return 0;
}

/* What systemd reads in one go at most (read_full_file()'s limit). */
#define ENV_FILE_MAX (64u * 1024 * 1024 - 1)

/* Reads and parses one environment file. Only the parser logs (what is wrong inside the file);
 * the caller reports a file that cannot be read. The supervisor reads it before the sandbox
 * exists (systemd reads it in the service's child): a FIFO or a terminal planted there would
 * block the supervisor, and every timeout with it, so only a regular file or /dev/null is read. */
#define ENV_NOT_A_FILE (-EMEDIUMTYPE) /* nothing else that reads a file returns it */
static int read_env_file(const char *path, char ***ret) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 ||
            !(S_ISREG(st.st_mode) || (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)))) {
                int r = S_ISDIR(st.st_mode) ? -EISDIR : ENV_NOT_A_FILE;
                close(fd);
                return r;
        }
        FILE *f = fdopen(fd, "re");
        if (!f) {
                int r = -errno;
                close(fd);
                return r;
        }
        struct text t = {0};
        int r = 0;
        for (;;) {
                char buf[4096];
                size_t n = fread(buf, 1, sizeof buf, f);
                if (n > 0 && t.len + n > ENV_FILE_MAX)
                        r = -E2BIG;
                else if (n > 0)
                        r = text_add(&t, buf, n);
                if (r < 0 || n < sizeof buf)
                        break;
        }
        if (r == 0 && ferror(f))
                r = errno > 0 ? -errno : -EIO;
        fclose(f);
        if (r == 0)
                r = sandbox_parse_env_file(path, t.s ?: "", ret);
        free(t.s);
        return r;
}

/* A failure of one EnvironmentFile= (`file`: the match of its pattern that failed, or NULL).
 * With '-' it is ignored as systemd ignores it, quietly when nothing matched. */
static int env_file_failed(const struct path_entry *pe, const char *file, int r) {
        char where[512];
        unit_origin_prefix(pe->origin, where, sizeof where);
        const char *sep = file && !streq(file, pe->path) ? ": " : "";
        if (!*sep)
                file = "";
        if (r == ENV_NOT_A_FILE && !pe->ignore_missing)
                return log_error_errno(-EINVAL, "%sEnvironmentFile=%s%s%s: not a regular file", where,
                                       pe->path, sep, file);
        if (r == ENV_NOT_A_FILE)
                return log_warning_errno(0, "%sEnvironmentFile=-%s%s%s: not a regular file, ignoring", where,
                                         pe->path, sep, file),
                       0;
        if (!pe->ignore_missing)
                return log_error_errno(r, "%sEnvironmentFile=%s%s%s: %m", where, pe->path, sep, file);
        if (r != -ENOENT)
                log_warning_errno(r, "%sEnvironmentFile=-%s%s%s: %m, ignoring", where, pe->path, sep, file);
        return 0;
}

/* A match of a pattern that only readdir() can produce: "." or ".." as a component (the unit's
 * path is normalized, so the pattern has none). systemd's safe_glob() never returns those. */
static bool has_dot_component(const char *path) {
        for (const char *c = strchr(path, '/'); c; c = strchr(c + 1, '/'))
                if (c[1] == '.' && (c[2] == '/' || !c[2] || (c[2] == '.' && (c[3] == '/' || !c[3]))))
                        return true;
        return false;
}

/* One EnvironmentFile= as systemd's exec_context_load_environment(): the path is a glob pattern
 * (safe_glob(): glob(3) with sorted results), every match read in turn, a later file winning.
 * A pattern that matches nothing is ENOENT. With '-', whatever fails is skipped: the whole
 * pattern when nothing matches, one file when it cannot be read or parsed. */
static int load_env_files(const struct path_entry *pe, char ***env) {
        glob_t g = {0};
        errno = 0;
        int k = glob(pe->path, 0, NULL, &g);
        if (k != 0) {
                int r = k == GLOB_NOMATCH   ? -ENOENT
                        : k == GLOB_NOSPACE ? -ENOMEM
                        : errno > 0         ? -errno
                                            : -EIO;
                globfree(&g);
                return env_file_failed(pe, NULL, r);
        }
        int r = 0;
        size_t matched = 0;
        for (size_t i = 0; r == 0 && i < g.gl_pathc; i++) {
                const char *file = g.gl_pathv[i];
                if (has_dot_component(file))
                        continue;
                matched++;
                char **l = NULL;
                int q = read_env_file(file, &l);
                if (q < 0) {
                        r = env_file_failed(pe, file, q);
                        continue;
                }
                STRV_FOREACH (a, l) {
                        char *c = strdup(*a);
                        q = c ? env_put(env, c) : -ENOMEM;
                        if (q < 0)
                                break;
                }
                strv_free(l);
                if (q < 0)
                        r = log_oom();
        }
        globfree(&g);
        if (r == 0 && matched == 0)
                r = env_file_failed(pe, NULL, -ENOENT);
        return r;
}

int sandbox_build_env(const struct hutch_unit *u, const struct sandbox_params *p, char ***ret) {
        char **env = NULL;
        int r = strv_extend(&env, "PATH=" DEFAULT_PATH);
        /* $STATE_DIRECTORY and the others, which the unit's Environment= may still override. */
        if (r >= 0)
                r = sandbox_directories_env(u, &env);
        /* PassEnvironment=: what hutch's own environment holds of the names (under systemd, the
         * generated service's), below Environment= and EnvironmentFile=, as in systemd; a name
         * hutch does not have is left out. */
        STRV_FOREACH (n, u->service.pass_environment.items) {
                if (r < 0)
                        break;
                const char *v = getenv(*n);
                char *c = NULL;
                if (v && asprintf(&c, "%s=%s", *n, v) < 0)
                        r = -ENOMEM;
                else if (v)
                        r = env_put(&env, c);
        }
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
                r = load_env_files(&u->service.environment_files.items[i], &env);
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

void sandbox_unset_env(const struct hutch_unit *u, char **env) {
        STRV_FOREACH (n, u->service.unset_environment.items) {
                bool exact = strchr(*n, '=') != NULL;
                size_t len = strlen(*n), j = 0;
                for (size_t i = 0; env[i]; i++) {
                        bool drop = exact ? streq(env[i], *n)
                                          : strncmp(env[i], *n, len) == 0 && env[i][len] == '=';
                        if (drop)
                                free(env[i]);
                        else
                                env[j++] = env[i];
                }
                env[j] = NULL;
        }
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
