/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loader: finds a unit's files on the search path (fragment, template, drop-ins,
 * masking), reads each with the reader, applies every assignment, then the -p overrides,
 * then validates the model. */

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hutch/log.h"
#include "hutch/macro.h"
#include "hutch/parse.h"
#include "hutch/strv.h"
#include "hutch/unit.h"
#include "unit/unit-internal.h"

#define COMMAND_LINE_ORIGIN "command line"

/* Why name is no unit name, or NULL when it is one. */
static const char *name_problem(const char *name) {
        size_t n = strlen(name);
        if (n == 0)
                return "it is empty";
        if (n > 255)
                return "it is longer than 255 characters";
        if (name[0] == '@')
                return "it starts with '@'";
        /* "." and "..": names of no file a unit could be found by, and odd cgroup and lock names */
        if (streq(name, ".") || streq(name, ".."))
                return "'.' and '..' are no names";
        /* The first '@' ends the prefix; an instance may hold more ("w@user@host"), as in systemd */
        for (const char *p = name; *p; p++) {
                char c = *p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      strchr(":_.\\-@", c)))
                        return "only letters, digits and ':_.\\-@' may be in it (systemd escapes others as "
                               "\\xNN)";
        }
        return NULL;
}

bool unit_name_is_valid(const char *name) {
        return !name_problem(name);
}

int unit_search_path(const struct unit_load_options *opts, char ***ret) {
        const char *s = opts && opts->search_path ? opts->search_path : getenv("HUTCH_UNIT_PATH");
        bool append_default = false;
        if (!s || !*s)
                s = UNIT_DEFAULT_SEARCH_PATH;
        else if (s[strlen(s) - 1] == ':')
                append_default = true; /* as $SYSTEMD_UNIT_PATH: a trailing ':' adds the defaults */

        _cleanup_strv_free_ char **l = NULL;
        for (int pass = 0; pass < 1 + append_default; pass++) {
                const char *p = pass == 0 ? s : UNIT_DEFAULT_SEARCH_PATH;
                while (*p) {
                        size_t k = strcspn(p, ":");
                        if (k > 0) {
                                _cleanup_free_ char *d = strndup(p, k);
                                if (!d)
                                        return -ENOMEM;
                                /* "/etc/hutch/" and "/etc/hutch" are the same directory */
                                while (strlen(d) > 1 && d[strlen(d) - 1] == '/')
                                        d[strlen(d) - 1] = 0;
                                if (!strv_contains(l, d)) {
                                        int r = strv_consume(&l, TAKE_PTR(d));
                                        if (r < 0)
                                                return r;
                                }
                        }
                        p += k + (p[k] == ':');
                }
        }
        if (!l && !(l = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

/* What a name or path resolved to. */
struct resolved {
        char *name;          /* "web@blue" */
        char *prefix;        /* "web" */
        char *instance;      /* "blue" or NULL */
        char *template_name; /* "web@" or NULL */
        char *fragment;
        char **files; /* fragment, then drop-ins in the order they apply */
        bool masked;
        char *masked_path;
};

static void resolved_done(struct resolved *r) {
        free(r->name);
        free(r->prefix);
        free(r->instance);
        free(r->template_name);
        free(r->fragment);
        strv_free(r->files);
        free(r->masked_path);
}

static char *path_join(const char *a, const char *b) {
        char *p;
        if (asprintf(&p, "%s/%s", a, b) < 0)
                return NULL;
        return p;
}

/* A file that is (a symlink to) /dev/null or any character device, or an empty regular file,
 * masks what it stands for (systemd's null_or_empty(): a file of zero bytes, not one of only
 * blanks or comments). */
static int file_state(const char *path, bool *masked) {
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        *masked = S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0);
        if (!*masked && S_ISDIR(st.st_mode))
                return -EISDIR;
        return 0;
}

static int split_name(const char *name, struct resolved *res) {
        size_t n = strlen(name), sl = strlen(UNIT_SUFFIX);
        _cleanup_free_ char *base =
                n > sl && streq(name + n - sl, UNIT_SUFFIX) ? strndup(name, n - sl) : strdup(name);
        if (!base)
                return -ENOMEM;
        if (!unit_name_is_valid(base))
                return -EINVAL;
        char *at = strchr(base, '@');
        if (at) {
                if (!at[1])
                        return -EUCLEAN; /* a template, no instance */
                if (!(res->prefix = strndup(base, (size_t) (at - base))) ||
                    !(res->instance = strdup(at + 1)) ||
                    !(res->template_name = strndup(base, (size_t) (at - base) + 1)))
                        return -ENOMEM;
        } else if (!(res->prefix = strdup(base)))
                return -ENOMEM;
        res->name = TAKE_PTR(base);
        return 0;
}

struct dropin {
        char *base;
        char *path;
        bool masked;
};

static int dropin_cmp(const void *a, const void *b) {
        return strcmp(((const struct dropin *) a)->base, ((const struct dropin *) b)->base);
}

/* Adds the *.conf files of `dirs` (in priority order) to `files`, sorted by file name; a name
 * seen in an earlier directory hides the same name in a later one, and a masked drop-in
 * (symlink to /dev/null) hides it without adding anything. */
static int collect_dropins(char **dirs, char ***files) {
        struct dropin *list = NULL;
        size_t n = 0;
        int r = 0;
        STRV_FOREACH (d, dirs) {
                DIR *dir = opendir(*d);
                if (!dir) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;
                        r = log_error_errno(-errno, "cannot open drop-in directory %s: %m", *d);
                        goto out;
                }
                struct dirent *de;
                while ((de = readdir(dir))) {
                        size_t l = strlen(de->d_name);
                        if (de->d_name[0] == '.' || l <= 5 || !streq(de->d_name + l - 5, ".conf"))
                                continue;
                        bool seen = false;
                        for (size_t i = 0; i < n && !seen; i++)
                                seen = streq(list[i].base, de->d_name);
                        if (seen)
                                continue;
                        char *path = path_join(*d, de->d_name);
                        bool masked = false;
                        if (!path) {
                                closedir(dir);
                                r = -ENOMEM;
                                goto out;
                        }
                        int k = file_state(path, &masked);
                        if (k < 0) {
                                free(path);
                                continue; /* a dangling link or a directory named *.conf */
                        }
                        struct dropin *m = realloc(list, (n + 1) * sizeof(*m));
                        if (m)
                                list = m;
                        char *base = m ? strdup(de->d_name) : NULL;
                        if (!base) {
                                free(path);
                                closedir(dir);
                                r = -ENOMEM;
                                goto out;
                        }
                        list[n++] = (struct dropin){.base = base, .path = path, .masked = masked};
                }
                closedir(dir);
        }
        if (n > 0)
                qsort(list, n, sizeof(*list), dropin_cmp);
        for (size_t i = 0; i < n; i++)
                if (!list[i].masked && (r = strv_extend(files, list[i].path)) < 0)
                        goto out;
out:
        for (size_t i = 0; i < n; i++) {
                free(list[i].base);
                free(list[i].path);
        }
        free(list);
        return r;
}

/* The drop-in directories of a unit in priority order, as systemd's
 * unit_file_find_dropin_paths() lists them: per search directory, the unit's own NAME.hutch.d,
 * then (for an instance) its template's. collect_dropins() then makes one list of them all,
 * sorted by file name: a template's 20-x.conf applies after an instance's 10-y.conf, and an
 * instance's file hides the template's of the same name in the same directory (and can mask
 * it, as a link to /dev/null). */
static int dropin_dirs_for(char **search, const char *unit_file_name, const char *template_file,
                           char ***ret) {
        _cleanup_free_ char *dname = NULL, *tname = NULL;
        if (asprintf(&dname, "%s.d", unit_file_name) < 0 ||
            (template_file && asprintf(&tname, "%s.d", template_file) < 0))
                return -ENOMEM;
        STRV_FOREACH (d, search) {
                int r = strv_consume(ret, path_join(*d, dname));
                if (r >= 0 && tname)
                        r = strv_consume(ret, path_join(*d, tname));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Finds `file_name` in the search path: first directory wins. Returns 0 and the path,
 * -ENOENT, or another error. */
static int find_in_path(char **search, const char *file_name, char **ret, bool *masked) {
        STRV_FOREACH (d, search) {
                _cleanup_free_ char *p = path_join(*d, file_name);
                if (!p)
                        return -ENOMEM;
                int r = file_state(p, masked);
                if (r == -ENOENT || r == -ENOTDIR)
                        continue;
                if (r < 0)
                        return log_error_errno(r, "cannot access unit file %s: %m", p);
                *ret = TAKE_PTR(p);
                return 0;
        }
        return -ENOENT;
}

/* A split name (split_name()) found in `search`: the instance's own file anywhere on it, else its
 * template's, with the drop-ins of both. */
static int resolve_in(char **search, struct resolved *res) {
        int r;
        _cleanup_free_ char *file_name = NULL, *template_file = NULL;
        if (asprintf(&file_name, "%s" UNIT_SUFFIX, res->name) < 0)
                return -ENOMEM;
        if (res->template_name && asprintf(&template_file, "%s" UNIT_SUFFIX, res->template_name) < 0)
                return -ENOMEM;

        /* An instance's own file anywhere on the path beats the template (systemd). */
        r = find_in_path(search, file_name, &res->fragment, &res->masked);
        if (r == -ENOENT && template_file)
                r = find_in_path(search, template_file, &res->fragment, &res->masked);
        if (r == -ENOENT) {
                _cleanup_free_ char *joined = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&joined, &len);
                if (f) {
                        STRV_FOREACH (d, search)
                                fprintf(f, "%s%s", d == search ? "" : ":", *d);
                        fclose(f);
                }
                return log_error_errno(r, "unit %s not found (no %s%s%s in %s)", res->name, file_name,
                                       template_file ? " or " : "", template_file ? template_file : "",
                                       joined ? joined : "the search path");
        }
        if (r < 0)
                return r;
        if (res->masked)
                return (res->masked_path = strdup(res->fragment)) ? 0 : -ENOMEM;

        if ((r = strv_extend(&res->files, res->fragment)) < 0)
                return r;

        _cleanup_strv_free_ char **dirs = NULL;
        if ((r = dropin_dirs_for(search, file_name, template_file, &dirs)) < 0 ||
            (r = collect_dropins(dirs, &res->files)) < 0)
                return r;
        return 0;
}

static int resolve(const char *name_or_path, const struct unit_load_options *opts, struct resolved *res) {
        int r;
        *res = (struct resolved){};

        if (strchr(name_or_path, '/')) {
                const char *base = strrchr(name_or_path, '/') + 1;
                r = split_name(base, res);
                if (r == -EUCLEAN)
                        return log_error_errno(-EINVAL, "%s is a template: name an instance (%sINSTANCE)",
                                               name_or_path, base);
                if (r == -EINVAL) {
                        /* the name is the file's, without UNIT_SUFFIX */
                        _cleanup_free_ char *stem = strdup(base);
                        size_t sl = stem ? strlen(stem) : 0, ul = strlen(UNIT_SUFFIX);
                        if (sl > ul && streq(stem + sl - ul, UNIT_SUFFIX))
                                stem[sl - ul] = 0;
                        return log_error_errno(r, "%s: '%.80s%s' is not a valid unit name: %s", name_or_path,
                                               stem ?: base, strlen(base) > 80 ? "..." : "",
                                               name_problem(stem ?: base) ?: "");
                }
                if (r < 0)
                        return r;
                if (res->template_name && access(name_or_path, F_OK) < 0 && errno == ENOENT) {
                        /* DIR/web@blue.hutch with no such file: the instance of DIR/web@.hutch, as
                         * if DIR were the search path (systemd-analyze verify does the same) */
                        _cleanup_strv_free_ char **here = NULL;
                        char *dir = base - 1 == name_or_path
                                            ? strdup("/")
                                            : strndup(name_or_path, (size_t) (base - 1 - name_or_path));
                        if (!dir || strv_consume(&here, dir) < 0)
                                return -ENOMEM;
                        return resolve_in(here, res);
                }
                r = file_state(name_or_path, &res->masked);
                if (r < 0)
                        return log_error_errno(r, "cannot load %s: %m", name_or_path);
                if (!(res->fragment = strdup(name_or_path)))
                        return -ENOMEM;
                if (res->masked)
                        return (res->masked_path = strdup(name_or_path)) ? 0 : -ENOMEM;
                if ((r = strv_extend(&res->files, res->fragment)) < 0)
                        return r;
                _cleanup_strv_free_ char **dirs = NULL;
                _cleanup_free_ char *d = NULL;
                if (asprintf(&d, "%s.d", name_or_path) < 0 || strv_consume(&dirs, TAKE_PTR(d)) < 0)
                        return -ENOMEM;
                return collect_dropins(dirs, &res->files);
        }

        r = split_name(name_or_path, res);
        if (r == -EUCLEAN)
                return log_error_errno(-EINVAL, "%s is a template: name an instance (%sINSTANCE)",
                                       name_or_path, name_or_path);
        if (r == -EINVAL)
                return log_error_errno(r, "'%.80s%s' is not a valid unit name: %s", name_or_path,
                                       strlen(name_or_path) > 80 ? "..." : "",
                                       name_problem(name_or_path) ?: "");
        if (r < 0)
                return r;

        _cleanup_strv_free_ char **search = NULL;
        if ((r = unit_search_path(opts, &search)) < 0)
                return r;

        return resolve_in(search, res);
}

static int masked_error(const struct resolved *res, const struct unit_load_options *opts) {
        /* What masks it, as systemd's null_or_empty() decides: an empty regular file, or any
         * character device (not only /dev/null), or a symlink to one. */
        struct stat st;
        bool regular = stat(res->masked_path, &st) == 0 && S_ISREG(st.st_mode);
        char target[16];
        ssize_t tl = readlink(res->masked_path, target, sizeof target - 1);
        const char *what = regular                                          ? "an empty file"
                           : tl == 9 && memcmp(target, "/dev/null", 9) == 0 ? "a link to /dev/null"
                           : tl >= 0                                        ? "a link to a character device"
                                                                            : "a character device";
        if (opts && opts->quiet_masked)
                return log_debug_errno(-ERFKILL, "unit %s is masked (%s is %s)", res->name, res->masked_path,
                                       what);
        return log_error_errno(-ERFKILL, "unit %s is masked (%s is %s), refusing to load it", res->name,
                               res->masked_path, what);
}

int unit_files(const char *name_or_path, const struct unit_load_options *opts, char ***ret) {
        struct resolved res;
        int r = resolve(name_or_path, opts, &res);
        if (r >= 0 && res.masked)
                r = masked_error(&res, opts);
        if (r >= 0) {
                *ret = res.files;
                res.files = NULL;
        }
        resolved_done(&res);
        return r;
}

static int apply_line(const struct unit_line *l, void *userdata) {
        struct unit_load_context *c = userdata;
        /* The origin's file points into the unit's `sources`, set by the caller. */
        struct unit_origin o = {.file = c->unit->sources[c->unit->n_sources - 1], .line = l->line};
        return unit_apply_assignment(c, l->section, l->key, l->value, o);
}

/* The reader reports syntax problems before the handlers see any value: put one file's
 * problems back in line order (stable, so two on one line keep theirs). */
static void sort_problems_by_line(struct unit_problems *p, size_t from) {
        for (size_t i = from + 1; i < p->n; i++) {
                struct unit_problem x = p->items[i];
                size_t j = i;
                while (j > from && p->items[j - 1].origin.line > x.origin.line) {
                        p->items[j] = p->items[j - 1];
                        j--;
                }
                p->items[j] = x;
        }
}

static int load_file(struct unit_load_context *c, const char *path) {
        struct hutch_unit *u = c->unit;
        size_t first_problem = c->problems->n;
        char **m = realloc(u->sources, (u->n_sources + 1) * sizeof(char *));
        if (!m)
                return -ENOMEM;
        u->sources = m;
        if (!(u->sources[u->n_sources] = strdup(path)))
                return -ENOMEM;
        const char *file = u->sources[u->n_sources++];

        struct unit_lines lines = {};
        int r = unit_lines_read(file, &lines, c->problems);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                const char *why = r == -EBADFD  ? "not a regular file"
                                  : r == -EFBIG ? "larger than 16 MiB, not a unit file"
                                                : strerror(-r);
                r = unit_problems_add(c->problems, (struct unit_origin){.file = file}, NULL,
                                      "cannot read: %s", why);
                return r < 0 ? r : 0;
        }
        for (size_t i = 0; i < lines.n && r >= 0; i++)
                if (lines.items[i].kind == UNIT_LINE_SECTION)
                        r = unit_check_section(
                                c, lines.items[i].section,
                                (struct unit_origin){.file = file, .line = lines.items[i].line});
        if (r >= 0)
                r = unit_lines_dispatch(&lines, apply_line, c);
        unit_lines_free(&lines);
        sort_problems_by_line(c->problems, first_problem);
        if (r == -EIO)
                return log_error_errno(r,
                                       "%s: the INI library split the file differently from hutch's reader; "
                                       "refusing it",
                                       file);
        return r < 0 ? r : 0;
}

/* "-p Section.Key=Value": applied after every file, origin "command line". */
static int apply_override(struct unit_load_context *c, const char *s) {
        struct unit_origin o = {.file = COMMAND_LINE_ORIGIN};
        const char *eq = strchr(s, '='), *dot = eq ? memchr(s, '.', (size_t) (eq - s)) : NULL;
        if (!eq || !dot) {
                int r = unit_problems_add(c->problems, o, NULL, "-p '%.80s': expected Section.Key=Value", s);
                return r < 0 ? r : 0;
        }
        _cleanup_free_ char *section = strndup(s, (size_t) (dot - s));
        _cleanup_free_ char *key = strndup(dot + 1, (size_t) (eq - dot - 1));
        _cleanup_free_ char *value = strdup(eq + 1);
        if (!section || !key || !value)
                return -ENOMEM;
        /* Same trimming as in a file; a value that a file could not hold is refused. */
        char *v = value + strspn(value, " \t");
        size_t n = strlen(v);
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                v[--n] = 0;
        const char *why = NULL;
        if (!unit_section_name_is_valid(section))
                why = "invalid section name";
        else if (!unit_key_name_is_valid(key))
                why = "invalid key name";
        else if (strpbrk(v, "\n\r"))
                why = "a value cannot contain a line break";
        else if (!utf8_is_valid(v))
                why = "invalid UTF-8";
        if (why) {
                int r = unit_problems_add(c->problems, o, NULL, "-p '%.80s': %s", s, why);
                return r < 0 ? r : 0;
        }
        int r = unit_check_section(c, section, o);
        if (r <= 0)
                return r;
        return unit_apply_assignment(c, section, key, v, o);
}

/* Defaults that depend on other keys, resolved once every file and override was applied. */
static void apply_type_defaults(struct hutch_unit *u) {
        /* systemd: a Type=oneshot service has no start timeout unless TimeoutStartSec= sets one
         * (the command is the whole job, however long it takes). */
        if (u->service.type == SERVICE_ONESHOT && !u->service.timeout_start_set)
                u->service.timeout_start = USEC_INFINITY;
}

int unit_load(const char *name_or_path, const struct unit_load_options *opts, struct hutch_unit **ret,
              struct unit_problems *problems) {
        _cleanup_unit_ struct hutch_unit *u = NULL;
        size_t before = problems->n;
        struct resolved res;
        int r = resolve(name_or_path, opts, &res);
        if (r < 0)
                goto out;
        if (res.masked) {
                r = masked_error(&res, opts);
                goto out;
        }

        u = model_unit_new(res.name);
        if (!u) {
                r = -ENOMEM;
                goto out;
        }
        u->template_name = TAKE_PTR(res.template_name);
        u->instance = TAKE_PTR(res.instance);
        u->fragment_path = TAKE_PTR(res.fragment);

        struct unit_load_context c = {
                .unit = u,
                .problems = problems,
                .specifiers = {.name = u->name,
                               .prefix = res.prefix,
                               .instance = u->instance ? u->instance : ""},
        };
        STRV_FOREACH (f, res.files)
                if ((r = load_file(&c, *f)) < 0)
                        goto out;
        STRV_FOREACH (p, opts ? opts->overrides : NULL)
                if ((r = apply_override(&c, *p)) < 0)
                        goto out;

        apply_type_defaults(u);
        model_validate(u, problems);

        r = problems->n > before ? -EINVAL : 0;
        *ret = TAKE_PTR(u);
out:
        resolved_done(&res);
        return r;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Names on the search path, first directory wins, sorted: of unit files ("web.hutch"), or with
 * `instance_dropins`, of instances' drop-in directories ("web@blue.hutch.d"). */
static int enumerate(const struct unit_load_options *opts, bool instance_dropins, char ***ret) {
        _cleanup_strv_free_ char **search = NULL, **names = NULL;
        int r = unit_search_path(opts, &search);
        if (r < 0)
                return r;
        const char *suffix = instance_dropins ? UNIT_SUFFIX ".d" : UNIT_SUFFIX;
        size_t sl = strlen(suffix);
        STRV_FOREACH (d, search) {
                DIR *dir = opendir(*d);
                if (!dir) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;
                        return log_error_errno(-errno, "cannot open unit directory %s: %m", *d);
                }
                struct dirent *de;
                while ((de = readdir(dir))) {
                        size_t l = strlen(de->d_name);
                        if (de->d_name[0] == '.' || l <= sl || !streq(de->d_name + l - sl, suffix))
                                continue;
                        bool is_dir = de->d_type == DT_DIR;
                        if (de->d_type == DT_UNKNOWN || de->d_type == DT_LNK) {
                                struct stat st;
                                is_dir = fstatat(dirfd(dir), de->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
                        }
                        if (is_dir != instance_dropins)
                                continue;
                        char *name = strndup(de->d_name, l - sl);
                        if (!name) {
                                closedir(dir);
                                return -ENOMEM;
                        }
                        const char *at = strchr(name, '@');
                        bool instance = at && at[1];
                        if (!unit_name_is_valid(name) || (instance_dropins && !instance) ||
                            strv_contains(names, name)) {
                                free(name);
                                continue;
                        }
                        if ((r = strv_consume(&names, name)) < 0) {
                                closedir(dir);
                                return r;
                        }
                }
                closedir(dir);
        }
        size_t n = strv_length(names);
        if (n > 1)
                qsort(names, n, sizeof(char *), name_cmp);
        if (!names && !(names = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(names);
        return 0;
}

int unit_enumerate(const struct unit_load_options *opts, char ***ret) {
        return enumerate(opts, false, ret);
}

int unit_enumerate_instance_dropins(const struct unit_load_options *opts, char ***ret) {
        return enumerate(opts, true, ret);
}
