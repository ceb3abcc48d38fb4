/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parse handlers for the structured values: ExecStart= and the other commands, Environment=, BindPaths=,
 * TemporaryFileSystem=, capabilities, the system call filter and namespaces. */

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "hutch/macro.h"
#include "hutch/parse.h"
#include "hutch/strv.h"
#include "hutch/syscalls.h"
#include "unit/handlers.h"

/* ---- ExecStart=, ExecStartPre= and the other command lists ---- */

static void exec_command_reset(struct exec_command *e) {
        free(e->path);
        strv_free(e->argv);
        *e = (struct exec_command){};
}

/* After a report that returned r (0 or -ENOMEM): 1 ("reported"), or -ENOMEM. */
static int reported(int r) {
        return r < 0 ? r : 1;
}

/* One command line with systemd's prefixes, for ExecStart= and the control keys alike: 0 and
 * *ret (owned by the caller), 1 after a problem was reported, or -ENOMEM. */
static int parse_exec_command(struct unit_load_context *c, const struct unit_key *k, const char *value,
                              struct unit_origin o, struct exec_command *ret) {
        /* The line is split (unquoted, unescaped) first and the prefixes are taken from the first word
         * afterwards, as systemd's config_parse_exec() does: '"-/bin/foo"' and '\x2d/bin/foo' carry the
         * '-' prefix, and "- /bin/foo" is a prefix without a command. */
        parse_why_t why = "";
        _cleanup_strv_free_ char **argv = NULL;
        int r = parse_command_line(value, &argv, why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return reported(bad_value(c, k, o, value, *why ? why : "cannot split the command line"));
        if (!argv || !argv[0])
                return reported(bad_value(c, k, o, value, "no command"));

        /* systemd's prefixes, in any order, each at most once. */
        bool ignore = false, at = false, no_env = false;
        const char *p = argv[0];
        for (;; p++) {
                if (*p == '-' && !ignore)
                        ignore = true;
                else if (*p == '@' && !at)
                        at = true;
                else if (*p == ':' && !no_env)
                        no_env = true;
                else if (*p == '+' || *p == '!' || *p == '|') {
                        const char *what = *p == '+'   ? "full privileges outside the sandbox"
                                           : *p == '!' ? "without dropping privileges"
                                                       : "through the user's shell";
                        return reported(unit_key_problem(c, k, o,
                                                         "prefix '%c' (run %s) is not supported: nothing "
                                                         "hutch starts escapes its sandbox",
                                                         *p, what));
                } else
                        break;
        }
        if (!*p)
                return reported(bad_value(c, k, o, value, "prefixes without a command after them"));
        memmove(argv[0], p, strlen(p) + 1);

        for (char **w = argv; *w; w++) {
                char *s;
                r = unit_key_expand(c, k, o, *w, &s);
                if (r != 0)
                        return r;
                free(*w);
                *w = s;
        }

        char *path = argv[0];
        if (at) {
                /* "@/bin/foo name args": the second word is argv[0] */
                if (!argv[1])
                        return reported(bad_value(c, k, o, value, "'@' needs the path and then argv[0]"));
                memmove(argv, argv + 1, strv_length(argv) * sizeof(char *));
        } else {
                path = strdup(argv[0]);
                if (!path)
                        return -ENOMEM;
        }
        _cleanup_free_ char *owned_path = path;

        if (path[0] == '/') {
                if (!path_is_normalized_absolute(path))
                        return reported(bad_value(c, k, o, path, "the executable's path is not normalized"));
        } else if (strchr(path, '/') || !*path || streq(path, ".") || streq(path, ".."))
                return reported(bad_value(c, k, o, path,
                                          "neither an absolute path nor a command name to search in PATH"));

        *ret = (struct exec_command){
                .path = TAKE_PTR(owned_path),
                .argv = TAKE_PTR(argv),
                .ignore_failure = ignore,
                .no_env_expand = no_env,
                .origin = o,
        };
        return 0;
}

int parse_key_exec_start(struct unit_load_context *c, const struct unit_key *k, const char *value,
                         struct unit_origin o) {
        struct exec_command *e = &c->unit->service.exec_start;
        if (!*value) {
                exec_command_reset(e);
                e->origin = o;
                c->exec_start_assigned = false;
                return 0;
        }

        if (c->exec_start_assigned)
                return unit_key_problem(c, k, o,
                                        "more than one command: hutch runs exactly one (an empty ExecStart= "
                                        "before this line replaces the earlier one)");

        struct exec_command cmd;
        int r = parse_exec_command(c, k, value, o, &cmd);
        if (r != 0)
                return r < 0 ? r : 0;
        exec_command_reset(e);
        *e = cmd;
        c->exec_start_assigned = true;
        return 0;
}

/* ExecCondition=, ExecStartPre=, ... (k->arg: enum exec_control): as systemd, each assignment
 * appends a command and an empty one empties the list. */
int parse_key_exec_control(struct unit_load_context *c, const struct unit_key *k, const char *value,
                           struct unit_origin o) {
        struct exec_command_list *l = &c->unit->service.exec_control[k->arg];
        if (!*value) {
                for (size_t i = 0; i < l->n; i++)
                        exec_command_reset(&l->items[i]);
                free(l->items);
                *l = (struct exec_command_list){};
                return 0;
        }
        struct exec_command cmd;
        int r = parse_exec_command(c, k, value, o, &cmd);
        if (r != 0)
                return r < 0 ? r : 0;
        struct exec_command *m = realloc(l->items, (l->n + 1) * sizeof(*m));
        if (!m) {
                exec_command_reset(&cmd);
                return -ENOMEM;
        }
        l->items = m;
        l->items[l->n++] = cmd;
        return 0;
}

/* ---- Environment= ---- */

int parse_key_environment(struct unit_load_context *c, const struct unit_key *k, const char *value,
                          struct unit_origin o) {
        struct str_list *l = &c->unit->service.environment;
        if (!*value) {
                strv_free(l->items);
                *l = (struct str_list){.origin = o};
                return 0;
        }
        _cleanup_strv_free_ char **words = NULL;
        int r = split_value(c, k, o, value, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        STRV_FOREACH (w, words) {
                _cleanup_free_ char *s = NULL;
                r = unit_key_expand(c, k, o, *w, &s);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if (!env_assignment_is_valid(s)) {
                        if ((r = bad_value(c, k, o, s,
                                           "not a NAME=VALUE assignment with a valid variable name")) < 0)
                                return r;
                        continue;
                }
                /* a later assignment of a name replaces the earlier one */
                size_t name_len = strcspn(s, "=") + 1, j = 0;
                for (size_t i = 0; l->items && l->items[i]; i++) {
                        if (strncmp(l->items[i], s, name_len) == 0)
                                free(l->items[i]);
                        else
                                l->items[j++] = l->items[i];
                }
                if (l->items)
                        l->items[j] = NULL;
                l->n = j;
                if ((r = strv_consume(&l->items, TAKE_PTR(s))) < 0)
                        return r;
                l->n++;
        }
        l->origin = o;
        return 0;
}

/* ---- BindPaths=, BindReadOnlyPaths= ---- */

/* One field of a bind, as systemd's config_parse_bind_paths() takes it with
 * extract_first_word(p, ":" WHITESPACE, EXTRACT_UNQUOTE | EXTRACT_DONT_COALESCE_SEPARATORS) (or,
 * for the options, `colon` false: up to white space): quotes group and go, so "/a:b" keeps its
 * ':'; a backslash takes the next character literally ("/a\:b", "/a\ b"); the separator is
 * consumed and returned in *sep (0 at the end). Separators are not coalesced: two in a row give
 * an empty field. Returns 0 and a malloc'ed *ret, -EINVAL on an unclosed quote or a trailing
 * backslash, -ENOMEM. */
static int bind_field(const char **p, bool colon, char **ret, char *sep) {
        const char *s = *p;
        char *w = malloc(strlen(s) + 1), quote = 0;
        size_t n = 0;
        if (!w)
                return -ENOMEM;
        for (;; s++) {
                if (!*s) {
                        if (quote) {
                                free(w);
                                return -EINVAL;
                        }
                        *sep = 0;
                        break;
                }
                if (*s == '\\') {
                        if (!s[1]) {
                                free(w);
                                return -EINVAL;
                        }
                        w[n++] = *++s;
                } else if (quote) {
                        if (*s == quote)
                                quote = 0;
                        else
                                w[n++] = *s;
                } else if (*s == '"' || *s == '\'')
                        quote = *s;
                else if ((colon && *s == ':') || strchr(" \t\n", *s)) {
                        *sep = *s++;
                        break;
                } else
                        w[n++] = *s;
        }
        w[n] = 0;
        *p = s;
        *ret = w;
        return 0;
}

int parse_key_bind_paths(struct unit_load_context *c, const struct unit_key *k, const char *value,
                         struct unit_origin o) {
        struct unit_section_sandbox *sb = &c->unit->sandbox;
        bool read_only = k->arg;
        if (!*value) {
                /* resets only the binds of this key, as systemd */
                size_t j = 0;
                for (size_t i = 0; i < sb->n_binds; i++) {
                        if (sb->binds[i].read_only == read_only) {
                                free(sb->binds[i].source);
                                free(sb->binds[i].destination);
                        } else
                                sb->binds[j++] = sb->binds[i];
                }
                sb->n_binds = j;
                return 0;
        }
        /* Items are separated by white space; each is [-]SOURCE[:DESTINATION[:OPTIONS]]. A run of
         * blanks is one separator here; systemd reads an empty item between two and drops it
         * with a warning, which leaves the same binds. */
        for (const char *p = value;;) {
                p += strspn(p, " \t\n");
                if (!*p)
                        break;
                _cleanup_free_ char *src_raw = NULL, *dst_raw = NULL, *opts = NULL;
                char sep;
                int r = bind_field(&p, true, &src_raw, &sep);
                if (r >= 0 && sep == ':')
                        r = bind_field(&p, true, &dst_raw, &sep);
                if (r >= 0 && sep == ':')
                        r = bind_field(&p, false, &opts, &sep);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return bad_value(c, k, o, value, "unbalanced quotes or a trailing backslash");
                bool ignore = src_raw[0] == '-';
                if (!src_raw[ignore] || (dst_raw && !*dst_raw)) {
                        /* systemd warns and drops the bind: ":/b", "/a:" or "/a: /b" */
                        if ((r = bad_value(c, k, o, value,
                                           "empty path in [-]SOURCE[:DESTINATION[:OPTIONS]] (a ':' too "
                                           "many?)")) < 0)
                                return r;
                        continue;
                }
                bool recursive = true;
                if (opts && *opts) {
                        if (streq(opts, "rbind"))
                                recursive = true;
                        else if (streq(opts, "norbind"))
                                recursive = false;
                        else {
                                if ((r = bad_value(c, k, o, opts,
                                                   "unknown bind option (rbind or norbind)")) < 0)
                                        return r;
                                continue;
                        }
                }
                _cleanup_free_ char *src = NULL, *dst = NULL;
                r = path_word(c, k, o, src_raw + ignore, &src);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = path_word(c, k, o, dst_raw ? dst_raw : src, &dst);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                struct bind_mount *m = realloc(sb->binds, (sb->n_binds + 1) * sizeof(*m));
                if (!m)
                        return -ENOMEM;
                sb->binds = m;
                m[sb->n_binds++] = (struct bind_mount){
                        .source = TAKE_PTR(src),
                        .destination = TAKE_PTR(dst),
                        .read_only = read_only,
                        .recursive = recursive,
                        .ignore_missing = ignore,
                        .origin = o,
                };
        }
        return 0;
}

/* ---- TemporaryFileSystem= ---- */

/* The mount options a tmpfs may be given; anything else (a typo, or an option of another
 * file system) is refused here rather than by mount(2) at start. */
static bool tmpfs_option_is_valid(const char *o) {
        static const char *const flags[] = {"ro",      "rw",       "nosuid",      "suid",
                                            "nodev",   "dev",      "noexec",      "exec",
                                            "noatime", "relatime", "strictatime", "nodiratime"};
        static const char *const keyed[] = {"mode=", "size=", "nr_inodes=", "nr_blocks=", "uid=", "gid="};
        for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                if (streq(o, flags[i]))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(keyed); i++) {
                size_t n = strlen(keyed[i]);
                if (strncmp(o, keyed[i], n) == 0 && o[n] &&
                    strspn(o + n, "0123456789kmgKMG%") == strlen(o + n))
                        return true;
        }
        return false;
}

int parse_key_temporary_fs(struct unit_load_context *c, const struct unit_key *k, const char *value,
                           struct unit_origin o) {
        struct unit_section_sandbox *sb = &c->unit->sandbox;
        if (!*value) {
                for (size_t i = 0; i < sb->n_tmpfs; i++) {
                        free(sb->tmpfs[i].path);
                        free(sb->tmpfs[i].options);
                }
                free(sb->tmpfs);
                sb->tmpfs = NULL;
                sb->n_tmpfs = 0;
                return 0;
        }
        _cleanup_strv_free_ char **words = NULL;
        int r = split_path_value(c, k, o, value, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        STRV_FOREACH (w, words) {
                const char *colon = strchr(*w, ':');
                _cleanup_free_ char *raw = colon ? strndup(*w, (size_t) (colon - *w)) : strdup(*w);
                _cleanup_free_ char *opts = colon && colon[1] ? strdup(colon + 1) : NULL;
                if (!raw || (colon && colon[1] && !opts))
                        return -ENOMEM;
                bool ok = true;
                if (opts) {
                        _cleanup_free_ char *copy = strdup(opts);
                        if (!copy)
                                return -ENOMEM;
                        char *save = NULL;
                        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                                if (!tmpfs_option_is_valid(t)) {
                                        char msg[PARSE_WHY_MAX];
                                        snprintf(msg, sizeof msg,
                                                 "unknown or malformed tmpfs option '%.40s'", t);
                                        if ((r = bad_value(c, k, o, *w, msg)) < 0)
                                                return r;
                                        ok = false;
                                        break;
                                }
                }
                if (!ok)
                        continue;
                _cleanup_free_ char *path = NULL;
                r = path_word(c, k, o, raw, &path);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                struct tmpfs_mount *m = realloc(sb->tmpfs, (sb->n_tmpfs + 1) * sizeof(*m));
                if (!m)
                        return -ENOMEM;
                sb->tmpfs = m;
                m[sb->n_tmpfs++] =
                        (struct tmpfs_mount){.path = TAKE_PTR(path), .options = TAKE_PTR(opts), .origin = o};
        }
        return 0;
}

/* ---- capabilities ---- */

static uint64_t all_capabilities(void) {
        int n = cap_max_bits();
        if (n <= 0 || n > 64)
                n = 64;
        return n == 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

/* CapabilityBoundingSet=, AmbientCapabilities=: "[~]CAP_X CAP_Y ...", systemd's merge rules:
 * the first assignment (or one to an empty set, or "" / "~") replaces the set; later lines
 * without '~' add capabilities (OR) and later lines with '~' remove the listed ones (AND). */
int parse_key_capabilities(struct unit_load_context *c, const struct unit_key *k, const char *value,
                           struct unit_origin o) {
        uint64_t *set = (uint64_t *) ((char *) c->unit + k->offset);
        bool invert;
        _cleanup_strv_free_ char **words = NULL;
        int r = split_inverted_value(c, k, o, value, &invert, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        uint64_t sum = 0;
        bool failed = false;
        STRV_FOREACH (w, words) {
                parse_why_t why = "";
                int cap;
                if (parse_capability(*w, &cap, why) < 0 || cap < 0 || cap >= 64) {
                        if ((r = bad_value(c, k, o, *w, *why ? why : "unknown capability")) < 0)
                                return r;
                        failed = true;
                        continue;
                }
                sum |= UINT64_C(1) << cap;
        }
        if (failed)
                return 0;
        if (sum == 0 || *set == 0)
                *set = invert ? all_capabilities() & ~sum : sum;
        else if (invert)
                *set &= ~sum;
        else
                *set |= sum;
        set_origin(c, k, o);
        return 0;
}

/* ---- SystemCallFilter=, SystemCallErrorNumber= ---- */

int parse_key_syscall_filter(struct unit_load_context *c, const struct unit_key *k, const char *value,
                             struct unit_origin o) {
        struct unit_section_security *s = &c->unit->security;
        if (!*value) {
                for (size_t i = 0; i < s->n_syscall_filter; i++)
                        free(s->syscall_filter[i].name);
                free(s->syscall_filter);
                s->syscall_filter = NULL;
                s->n_syscall_filter = 0;
                s->syscall_filter_set = true;
                s->syscall_filter_reset = true;
                return 0;
        }
        bool deny;
        _cleanup_strv_free_ char **words = NULL;
        int r = split_inverted_value(c, k, o, value, &deny, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!words || !words[0])
                return bad_value(c, k, o, value, "'~' without any system call");
        STRV_FOREACH (w, words) {
                const char *why = NULL;
                if (strchr(*w, ':'))
                        why = "a per-call error number (NAME:ERRNO) is not supported; use "
                              "SystemCallErrorNumber=";
                else if ((*w)[0] == '@') {
                        if (!syscall_group_find(*w))
                                why = "unknown system call group";
                } else if (syscall_resolve_arch(*w, seccomp_arch_native()) == -ENOENT)
                        /* A name that exists on another architecture only is accepted, as in a
                         * systemd unit meant for several: the filter builder skips it here. */
                        why = "unknown system call";
                if (why) {
                        if ((r = bad_value(c, k, o, *w, why)) < 0)
                                return r;
                        continue;
                }
                struct syscall_rule *m = realloc(s->syscall_filter, (s->n_syscall_filter + 1) * sizeof(*m));
                if (!m)
                        return -ENOMEM;
                s->syscall_filter = m;
                char *name = strdup(*w);
                if (!name)
                        return -ENOMEM;
                m[s->n_syscall_filter++] = (struct syscall_rule){.name = name, .deny = deny, .origin = o};
        }
        s->syscall_filter_set = true;
        return 0;
}

int parse_key_syscall_errno(struct unit_load_context *c, const struct unit_key *k, const char *value,
                            struct unit_origin o) {
        int *field = &c->unit->security.syscall_error_number;
        if (!*value) {
                *field = EPERM;
                return 0;
        }
        if (streq(value, "kill")) {
                *field = SYSCALL_ERRNO_KILL;
                return 0;
        }
        uint64_t v;
        int e;
        if (value[0] >= '0' && value[0] <= '9') {
                parse_why_t why = "";
                if (parse_uint64_range(value, 1, 4095, &v, why) < 0)
                        return bad_value(c, k, o, value, *why ? why : "not an errno number (1-4095)");
                e = (int) v;
        } else if ((e = errno_from_name(value)) < 0)
                return bad_value(c, k, o, value,
                                 "not an errno name (EPERM, EACCES, ...), a number 1-4095 or kill");
        *field = e;
        return 0;
}

/* ---- RestrictNamespaces= ---- */

static const struct {
        const char *name;
        unsigned long flag;
} namespace_names[] = {
        {"cgroup", CLONE_NEWCGROUP}, {"ipc", CLONE_NEWIPC},   {"net", CLONE_NEWNET}, {"mnt", CLONE_NEWNS},
        {"pid", CLONE_NEWPID},       {"user", CLONE_NEWUSER}, {"uts", CLONE_NEWUTS}, {"time", 0x00000080},
};

/* "yes" (none may be created), "no" (all), or a list of the types that may be created;
 * with '~' the list names the types that may not. As systemd: a boolean replaces whatever
 * was set, the first list sets the value, later lists add types (or with '~' take them away). */
int parse_key_restrict_namespaces(struct unit_load_context *c, const struct unit_key *k, const char *value,
                                  struct unit_origin o) {
        unsigned long *allowed = &c->unit->security.restrict_namespaces;
        if (!*value) {
                *allowed = 0;
                c->restrict_namespaces_set = false;
                return 0;
        }
        bool b;
        if (parse_boolean(value, &b, NULL) >= 0) {
                *allowed = b ? 0 : NAMESPACE_FLAGS_ALL;
                c->restrict_namespaces_set = true;
                return 0;
        }
        bool invert;
        _cleanup_strv_free_ char **words = NULL;
        int r = split_inverted_value(c, k, o, value, &invert, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        unsigned long flags = 0;
        bool failed = false;
        STRV_FOREACH (w, words) {
                size_t i;
                for (i = 0; i < ELEMENTSOF(namespace_names); i++)
                        if (streq(*w, namespace_names[i].name))
                                break;
                if (i == ELEMENTSOF(namespace_names)) {
                        if ((r = bad_value(
                                     c, k, o, *w,
                                     "not a namespace type (cgroup, ipc, net, mnt, pid, user, uts, time)")) <
                            0)
                                return r;
                        failed = true;
                        continue;
                }
                flags |= namespace_names[i].flag;
        }
        if (failed)
                return 0;
        if (!c->restrict_namespaces_set)
                *allowed = invert ? NAMESPACE_FLAGS_ALL & ~flags : flags;
        else if (invert)
                *allowed &= ~flags;
        else
                *allowed |= flags;
        c->restrict_namespaces_set = true;
        return 0;
}

/* ---- RestrictAddressFamilies= ---- */

/* As systemd's config_parse_address_families(): an empty value lifts the restriction, "none"
 * allows no family; the first list after either (or in the unit at all, replacing hutch's
 * default) sets the value, an allow list or with '~' a deny list; later lists add to it or take
 * away. An unknown family is an error, where systemd ignores it with a warning. */
int parse_key_restrict_address_families(struct unit_load_context *c, const struct unit_key *k,
                                        const char *value, struct unit_origin o) {
        struct unit_section_security *sec = &c->unit->security;
        if (!*value || streq(value, "none")) {
                sec->address_families_allow = *value != 0;
                sec->address_families = 0;
                c->address_families_set = false;
                return 0;
        }
        bool invert;
        _cleanup_strv_free_ char **words = NULL;
        int r = split_inverted_value(c, k, o, value, &invert, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        uint64_t families = 0;
        bool failed = false;
        STRV_FOREACH (w, words) {
                int af = address_family_from_string(*w);
                if (af < 0) {
                        r = bad_value(c, k, o, *w,
                                      "not an address family (AF_UNIX, AF_INET, AF_INET6, ...)");
                        if (r < 0)
                                return r;
                        failed = true;
                        continue;
                }
                families |= UINT64_C(1) << af;
        }
        if (failed)
                return 0;
        if (!c->address_families_set) {
                sec->address_families_allow = !invert;
                sec->address_families = 0;
                c->address_families_set = true;
        }
        if (invert == !sec->address_families_allow)
                sec->address_families |= families;
        else
                sec->address_families &= ~families;
        return 0;
}
