/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Parse handlers for the generic value types (strings, lists, booleans, enums, time spans,
 * numbers, paths, sizes). Handlers return 0 when the value was applied or a problem was
 * reported, and a negative errno only for failures that end the load (-ENOMEM).
 * systemd semantics throughout: a repeated list key appends, an empty assignment resets. */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hutch/macro.h"
#include "hutch/parse.h"
#include "hutch/procfs.h"
#include "hutch/strv.h"
#include "hutch/unit.h"
#include "unit/handlers.h"

#define FIELD(c, k, type) ((type *) ((char *) (c)->unit + (k)->offset))

void set_origin(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o) {
        if (k->origin_offset != SIZE_MAX)
                *(struct unit_origin *) ((char *) c->unit + k->origin_offset) = o;
}

int bad_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o, const char *value,
              const char *why) {
        char b[100];
        const char *shown = unit_value_short(value, b);
        /* A parser's why that starts with the value quoted already ("'011': a leading 0 ...",
         * "'' is not a boolean") is the whole message: the value is not said twice. */
        size_t l = strlen(shown);
        if (why[0] == '\'' && strncmp(why + 1, shown, l) == 0 && why[l + 1] == '\'')
                return unit_key_problem(c, k, o, "%s", why);
        return unit_key_problem(c, k, o, "'%s': %s", shown, why);
}

/* Turns a value parser's result r into a handler helper's: 0 on success, -ENOMEM as is, any other
 * failure reported as "'VALUE': WHY" (the parser's why, else fallback) and returned as 1. */
static int report_parse(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                        const char *value, int r, const char *why, const char *fallback) {
        if (r >= 0)
                return 0;
        if (r == -ENOMEM)
                return r;
        r = bad_value(c, k, o, value, *why ? why : fallback);
        return r < 0 ? r : 1;
}

/* Stores s (owned; NULL resets) in k's string field, freeing the old one, and records o. */
static int replace_string(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                          char *s) {
        char **field = FIELD(c, k, char *);
        free(*field);
        *field = s;
        set_origin(c, k, o);
        return 0;
}

int split_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                const char *value, char ***ret) {
        parse_why_t why = "";
        int r = split_words(value, ret, why);
        return report_parse(c, k, o, value, r, why, "cannot split into words");
}

int split_inverted_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                         const char *value, bool *ret_invert, char ***ret) {
        *ret_invert = *value == '~';
        return split_value(c, k, o, value + *ret_invert, ret);
}

/* ---- strings ---- */

int parse_key_string(struct unit_load_context *c, const struct unit_key *k, const char *value,
                     struct unit_origin o) {
        _cleanup_free_ char *s = NULL;
        if (*value) {
                int r = unit_key_expand(c, k, o, value, &s);
                if (r != 0)
                        return r < 0 ? r : 0;
                /* SyslogIdentifier=: any text, as systemd, but the generator writes it into the
                 * service file, where a newline would start a line of its own */
                if (k->arg == STRING_NO_CONTROL && has_control_chars(s))
                        return unit_key_problem(c, k, o,
                                                "control characters (a newline, a tab) are not allowed: the "
                                                "generated service names its journal lines with the value");
        }
        return replace_string(c, k, o, TAKE_PTR(s));
}

int parse_key_user_group(struct unit_load_context *c, const struct unit_key *k, const char *value,
                         struct unit_origin o) {
        _cleanup_free_ char *s = NULL;
        if (*value) {
                int r = unit_key_expand(c, k, o, value, &s);
                if (r != 0)
                        return r < 0 ? r : 0;
                if (!valid_user_group_name_or_id(s))
                        return bad_value(c, k, o, s, "not a valid user or group name or numeric id");
        }
        return replace_string(c, k, o, TAKE_PTR(s));
}

int parse_key_hostname(struct unit_load_context *c, const struct unit_key *k, const char *value,
                       struct unit_origin o) {
        if (!*value)
                return unit_key_problem(c, k, o, "empty value: a host name is required");
        _cleanup_free_ char *s = NULL;
        int r = unit_key_expand(c, k, o, value, &s);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!hostname_is_valid(s))
                return bad_value(c, k, o, s,
                                 "not a valid host name (1-64 characters of a-z A-Z 0-9 '-' '.', "
                                 "no '-' or '.' at either end)");
        return replace_string(c, k, o, TAKE_PTR(s));
}

/* ---- string lists ---- */

/* A name systemd would load: NAME.TYPE with one of its unit types (systemd's
 * unit_name_is_valid(); "x.hutch", which %n gives, names no systemd unit). A template
 * ("getty@.service") only in [Install], where systemd fills in the instance; a dependency of
 * [Unit] on one is refused by systemd ("Failed to add dependency"). */
static const char *check_systemd_unit_name(const char *w, bool allow_template) {
        static const char *const types[] = {"service", "socket", "target", "device", "mount", "automount",
                                            "swap",    "timer",  "path",   "slice",  "scope"};
        const char *dot = strrchr(w, '.');
        if (!unit_name_is_valid(w) || !dot || dot == w || !dot[1])
                return "not a systemd unit name (NAME.service, NAME.target, ...)";
        bool known = false;
        for (size_t i = 0; i < ELEMENTSOF(types) && !known; i++)
                known = streq(dot + 1, types[i]);
        if (!known)
                return "not a systemd unit type (.service, .socket, .target, .timer, .path, .mount, .slice, "
                       "...)";
        if (!allow_template && dot[-1] == '@')
                return "a template (NAME@.service) needs an instance here (NAME@INSTANCE.service)";
        return NULL;
}

static const char *check_list_word(const struct unit_key *k, const char *w) {
        switch ((enum strv_check) k->arg) {
        case STRV_ANY:
                return NULL;
        case STRV_SYSTEMD_UNIT:
                return check_systemd_unit_name(w, streq(k->section, "Install"));
        case STRV_UNIT_NAME:
                if (!unit_name_is_valid(w))
                        return "not a valid unit name";
                return NULL;
        case STRV_URL: {
                static const char *const schemes[] = {"http://", "https://", "file:/", "info:", "man:"};
                for (size_t i = 0; i < ELEMENTSOF(schemes); i++)
                        if (strncmp(w, schemes[i], strlen(schemes[i])) == 0 && w[strlen(schemes[i])])
                                return NULL;
                return "not a documentation URL (http://, https://, file:/, info:, man:)";
        }
        case STRV_USER_GROUP:
                if (!valid_user_group_name_or_id(w))
                        return "not a valid group name or numeric id";
                return NULL;
        case STRV_RELATIVE_DIR: {
                /* As systemd: below the type's root, so no absolute path and no "..". */
                if (w[0] == '/')
                        return "not a relative path (the directory is below /run, /var/lib, /var/cache, "
                               "/var/log or /etc)";
                if (strchr(w, ':'))
                        return "the SOURCE:LINK form (a symlink to the directory) is not supported by hutch";
                for (const char *p = w; *p;) {
                        size_t n = strcspn(p, "/");
                        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
                                return "not a normalized relative path (no empty, '.' or '..' parts)";
                        p += n;
                        if (*p == '/' && !*++p)
                                return "not a normalized relative path (no empty, '.' or '..' parts)";
                }
                return NULL;
        }
        case STRV_ENV_UNSET:
                return env_name_is_valid(w) || env_assignment_is_valid(w)
                               ? NULL
                               : "not a variable name or a NAME=VALUE assignment";
        case STRV_ENV_NAME:
                return env_name_is_valid(w)
                               ? NULL
                               : "not a variable name (letters, digits and _, not a digit first)";
        case STRV_ARCHITECTURE: {
                /* systemd's architecture names, as SystemCallArchitectures= takes them */
                static const char *const archs[] = {
                        "native", "x86",     "x86-64",      "x32",    "arm",      "arm64",    "mips",
                        "mips64", "mips-le", "mips64-le",   "ppc",    "ppc64",    "ppc64-le", "s390",
                        "s390x",  "riscv64", "loongarch64", "parisc", "parisc64",
                };
                for (size_t i = 0; i < ELEMENTSOF(archs); i++)
                        if (streq(w, archs[i]))
                                return NULL;
                return "unknown architecture (native, x86, x86-64, x32, arm64, ...)";
        }
        }
        return NULL;
}

/* How systemd splits each list (extract_first_word() flags): [Unit] dependencies keep every
 * backslash and quote as written (config_parse_unit_deps()), so "foo\x2dbar.service" names that
 * escaped unit; [Install] lists are unquoted but keep backslashes (config_parse_strv());
 * SupplementaryGroups= takes a backslash as "next character literally" and no quotes; the other
 * lists are split like Environment=. */
static unsigned strv_split_flags(const struct unit_key *k) {
        switch ((enum strv_check) k->arg) {
        case STRV_SYSTEMD_UNIT:
        case STRV_UNIT_NAME:
                return streq(k->section, "Install") ? SPLIT_UNQUOTE | SPLIT_RETAIN_ESCAPE
                                                    : SPLIT_RETAIN_ESCAPE;
        case STRV_USER_GROUP:
                return 0;
        default:
                return SPLIT_UNQUOTE | SPLIT_CUNESCAPE;
        }
}

int parse_key_strv(struct unit_load_context *c, const struct unit_key *k, const char *value,
                   struct unit_origin o) {
        struct str_list *l = FIELD(c, k, struct str_list);
        if (!*value) {
                strv_free(l->items);
                l->items = NULL;
                l->n = 0;
                l->origin = o;
                return 0;
        }
        _cleanup_strv_free_ char **words = NULL;
        parse_why_t split_why = "";
        int r = split_words_full(value, strv_split_flags(k), &words, split_why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return bad_value(c, k, o, value, *split_why ? split_why : "cannot split into words");
        STRV_FOREACH (w, words) {
                _cleanup_free_ char *s = NULL;
                r = unit_key_expand(c, k, o, *w, &s);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                const char *why = check_list_word(k, s);
                if (why) {
                        if ((r = bad_value(c, k, o, s, why)) < 0)
                                return r;
                        continue;
                }
                if (strv_contains(l->items, s))
                        continue; /* a dependency or group named twice is named once */
                if ((r = strv_consume(&l->items, TAKE_PTR(s))) < 0)
                        return r;
                l->n++;
        }
        l->origin = o;
        return 0;
}

/* ---- booleans and enums ---- */

int parse_key_bool(struct unit_load_context *c, const struct unit_key *k, const char *value,
                   struct unit_origin o) {
        parse_why_t why = "";
        bool b;
        if (parse_boolean(value, &b, why) < 0)
                return bad_value(c, k, o, value,
                                 *why ? why : "not a boolean (yes/no, true/false, on/off, 1/0)");
        *FIELD(c, k, bool) = b;
        set_origin(c, k, o);
        return 0;
}

/* True when the space-separated list `words` holds `w`. */
static bool word_in(const char *words, const char *w) {
        size_t n = strlen(w);
        for (const char *p = words; *p;) {
                size_t l = strcspn(p, " ");
                if (l == n && strncmp(p, w, n) == 0)
                        return true;
                p += l;
                p += strspn(p, " ");
        }
        return false;
}

int parse_key_always(struct unit_load_context *c, const struct unit_key *k, const char *value,
                     struct unit_origin o) {
        const struct always_on *a = k->data;
        bool b;
        /* The empty assignment resets to the default, which is what hutch always does. */
        if (!*value)
                return 0;
        const char *w = value;
        if (parse_boolean(value, &b, NULL) >= 0)
                w = b ? "yes" : "no";
        if (word_in(a->accepted, w))
                return 0;
        if (word_in(a->refused, w))
                return bad_value(c, k, o, value, a->why);
        char msg[PARSE_WHY_MAX];
        snprintf(msg, sizeof msg, "not one of %s", k->choices);
        return bad_value(c, k, o, value, msg);
}

int parse_key_enum(struct unit_load_context *c, const struct unit_key *k, const char *value,
                   struct unit_origin o) {
        int (*from_string)(const char *) = (int (*)(const char *)) k->data;
        int v = from_string(value);
        if (v < 0) {
                char msg[PARSE_WHY_MAX];
                snprintf(msg, sizeof msg, "not one of %s", k->choices ? k->choices : "the known values");
                return bad_value(c, k, o, value, msg);
        }
        *FIELD(c, k, int) = v;
        set_origin(c, k, o);
        return 0;
}

/* An enum or boolean field (int) that may be unset: the empty value sets it back to -1. */
int parse_key_optional_enum(struct unit_load_context *c, const struct unit_key *k, const char *value,
                            struct unit_origin o) {
        if (*value)
                return parse_key_enum(c, k, value, o);
        *FIELD(c, k, int) = -1;
        set_origin(c, k, o);
        return 0;
}

int parse_key_optional_bool(struct unit_load_context *c, const struct unit_key *k, const char *value,
                            struct unit_origin o) {
        bool b = false;
        if (*value && parse_boolean(value, &b, NULL) < 0)
                return bad_value(c, k, o, value, "not a boolean (yes/no, true/false, on/off, 1/0)");
        *FIELD(c, k, int) = *value ? b : -1;
        set_origin(c, k, o);
        return 0;
}

int parse_key_private_users(struct unit_load_context *c, const struct unit_key *k, const char *value,
                            struct unit_origin o) {
        bool b;
        int v;
        if (parse_boolean(value, &b, NULL) >= 0)
                v = b ? PRIVATE_USERS_YES : PRIVATE_USERS_NO;
        else if ((v = private_users_from_string(value)) < 0)
                return bad_value(c, k, o, value, "not one of no, yes, identity");
        c->unit->sandbox.private_users = (enum private_users) v;
        set_origin(c, k, o);
        return 0;
}

/* ---- numbers and time ---- */

int parse_key_timespan(struct unit_load_context *c, const struct unit_key *k, const char *value,
                       struct unit_origin o) {
        parse_why_t why = "";
        usec_t t;
        if (parse_timespan(value, USEC_PER_SEC, &t, why) < 0)
                return bad_value(c, k, o, value, *why ? why : "not a time span (e.g. 100ms, 5s, 1min 30s)");
        /* TimeoutStartSec=0 and TimeoutStopSec=0 switch the timeout off, as in systemd. */
        if (k->arg == TIMESPAN_ZERO_IS_INFINITY && t == 0)
                t = USEC_INFINITY;
        *FIELD(c, k, usec_t) = t;
        set_origin(c, k, o);
        return 0;
}

/* TimeoutStartSec=: a time span that also records that it was written, since the default depends
 * on Type= (see unit_load()'s defaults). A value that was refused leaves it unwritten. */
int parse_key_timeout_start(struct unit_load_context *c, const struct unit_key *k, const char *value,
                            struct unit_origin o) {
        size_t before = c->problems->n;
        int r = parse_key_timespan(c, k, value, o);
        if (r >= 0 && c->problems->n == before)
                c->unit->service.timeout_start_set = true;
        return r;
}

/* TimeoutAbortSec=: a time span (0: infinity) that records that it was written; the empty value
 * unsets it (TimeoutStopSec= then applies). */
int parse_key_timeout_abort(struct unit_load_context *c, const struct unit_key *k, const char *value,
                            struct unit_origin o) {
        if (!*value) {
                c->unit->service.timeout_abort_set = false;
                return 0;
        }
        size_t before = c->problems->n;
        int r = parse_key_timespan(c, k, value, o);
        if (r >= 0 && c->problems->n == before)
                c->unit->service.timeout_abort_set = true;
        return r;
}

int parse_key_unsigned(struct unit_load_context *c, const struct unit_key *k, const char *value,
                       struct unit_origin o) {
        parse_why_t why = "";
        uint64_t v;
        if (parse_uint64_range(value, 0, (uint64_t) k->arg, &v, why) < 0)
                return bad_value(c, k, o, value, *why ? why : "not a number in range");
        *FIELD(c, k, unsigned) = (unsigned) v;
        set_origin(c, k, o);
        return 0;
}

int parse_key_signal(struct unit_load_context *c, const struct unit_key *k, const char *value,
                     struct unit_origin o) {
        parse_why_t why = "";
        int sig;
        if (parse_signal(value, &sig, why) < 0)
                return bad_value(c, k, o, value, *why ? why : "not a signal name or number");
        *FIELD(c, k, int) = sig;
        return 0;
}

int parse_key_umask(struct unit_load_context *c, const struct unit_key *k, const char *value,
                    struct unit_origin o) {
        parse_why_t why = "";
        mode_t m;
        if (parse_mode(value, &m, why) < 0)
                return bad_value(c, k, o, value, *why ? why : "not an octal mode (0000-0777)");
        *FIELD(c, k, mode_t) = m;
        return 0;
}

/* Nice=, CPUSchedulingPolicy=, CPUSchedulingPriority=, CPUSchedulingResetOnFork=,
 * IOSchedulingClass=, IOSchedulingPriority= (k->arg: which); an empty value unsets. */
int parse_key_sched(struct unit_load_context *c, const struct unit_key *k, const char *value,
                    struct unit_origin o) {
        struct unit_section_service *svc = &c->unit->service;
        parse_why_t why = "";
        uint64_t v;
        bool b;
        bool empty = !*value;
        switch (k->arg) {
        case SCHED_KEY_NICE: {
                bool negative = value[0] == '-';
                if (!empty && parse_uint64_range(value + negative, 0, negative ? 20 : 19, &v, why) < 0)
                        return bad_value(c, k, o, value, "not an integer from -20 to 19");
                svc->nice_set = !empty;
                svc->nice = empty ? 0 : negative ? -(int) v : (int) v;
                return 0;
        }
        case SCHED_KEY_CPU_POLICY: {
                int p = empty ? -1 : cpu_sched_policy_from_string(value);
                if (!empty && p < 0)
                        return bad_value(c, k, o, value, "not one of other, batch, idle, fifo, rr");
                svc->cpu_sched_policy = p;
                svc->cpu_sched_origin = o;
                return 0;
        }
        case SCHED_KEY_CPU_PRIORITY:
                if (!empty && parse_uint64_range(value, 0, 99, &v, why) < 0)
                        return bad_value(c, k, o, value, "not an integer from 0 to 99");
                svc->cpu_sched_priority_set = !empty;
                svc->cpu_sched_priority = empty ? 0 : (int) v;
                svc->cpu_sched_origin = o;
                return 0;
        case SCHED_KEY_CPU_RESET_ON_FORK:
                if (!empty && parse_boolean(value, &b, why) < 0)
                        return bad_value(c, k, o, value, "not a boolean");
                svc->cpu_sched_reset_on_fork = empty ? -1 : b;
                return 0;
        case SCHED_KEY_IO_CLASS: {
                int cl = empty ? -1 : io_sched_class_from_string(value);
                /* systemd takes the kernel's numbers too */
                if (!empty && cl < 0 && parse_uint64_range(value, 0, 3, &v, why) == 0)
                        cl = (int) v;
                if (!empty && cl < 0)
                        return bad_value(c, k, o, value,
                                         "not one of none, realtime, best-effort, idle (0-3)");
                svc->io_sched_class = cl;
                svc->io_sched_origin = o;
                return 0;
        }
        case SCHED_KEY_IO_PRIORITY:
                if (!empty && parse_uint64_range(value, 0, 7, &v, why) < 0)
                        return bad_value(c, k, o, value, "not an integer from 0 to 7");
                svc->io_sched_priority = empty ? -1 : (int) v;
                svc->io_sched_origin = o;
                return 0;
        }
        return -EINVAL;
}

/* KillMode=: control-group or mixed; process and none would leave processes running after the
 * main one, which a PID namespace does not allow. */
int parse_key_kill_mode(struct unit_load_context *c, const struct unit_key *k, const char *value,
                        struct unit_origin o) {
        if (streq(value, "process") || streq(value, "none"))
                return bad_value(c, k, o, value,
                                 "the sandbox's other processes end with its PID namespace when the main "
                                 "process exits, so none can be left running (use mixed)");
        return parse_key_enum(c, k, value, o);
}

/* TimeoutSec=: TimeoutStartSec= and TimeoutStopSec= at once, as systemd; each parsed by its own
 * handler, with this key's name in a message. */
int parse_key_timeout_both(struct unit_load_context *c, const struct unit_key *k, const char *value,
                           struct unit_origin o) {
        static const char *const targets[] = {"TimeoutStartSec", "TimeoutStopSec"};
        for (size_t t = 0; t < ELEMENTSOF(targets); t++)
                for (size_t i = 0; i < unit_keys_count; i++)
                        if (streq(unit_keys[i].section, k->section) && streq(unit_keys[i].key, targets[t])) {
                                struct unit_key as = unit_keys[i];
                                as.key = k->key;
                                size_t problems = c->problems->n;
                                int r = as.parse(c, &as, value, o);
                                /* a bad value is told once */
                                if (r != 0 || c->problems->n != problems)
                                        return r;
                                break;
                        }
        return 0;
}

/* OOMScoreAdjust=: an integer from -1000 to 1000, as systemd; empty: back to the inherited value. */
int parse_key_oom_score_adjust(struct unit_load_context *c, const struct unit_key *k, const char *value,
                               struct unit_origin o) {
        struct unit_section_service *svc = &c->unit->service;
        if (!*value) {
                svc->oom_score_adjust_set = false;
                svc->oom_score_adjust = 0;
                return 0;
        }
        parse_why_t why = "";
        bool negative = value[0] == '-';
        uint64_t v;
        if (parse_uint64_range(value + negative, 0, 1000, &v, why) < 0)
                return bad_value(c, k, o, value, "not an integer from -1000 to 1000");
        svc->oom_score_adjust = negative ? -(int) v : (int) v;
        svc->oom_score_adjust_set = true;
        return 0;
}

int parse_key_exit_status(struct unit_load_context *c, const struct unit_key *k, const char *value,
                          struct unit_origin o) {
        struct exit_status_set *set = FIELD(c, k, struct exit_status_set);
        if (!*value) {
                *set = (struct exit_status_set){.origin = o};
                return 0;
        }
        _cleanup_strv_free_ char **words = NULL;
        int r = split_value(c, k, o, value, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        STRV_FOREACH (w, words) {
                parse_why_t why = "";
                int status, sig;
                if (parse_exit_status_word(*w, &status, &sig, why) < 0) {
                        if ((r = bad_value(c, k, o, *w,
                                           *why ? why : "not an exit status (0-255) or signal name")) < 0)
                                return r;
                        continue;
                }
                if (status >= 0)
                        exit_status_set_add_status(set, status);
                if (sig > 0)
                        exit_status_set_add_signal(set, sig);
        }
        set->set = true;
        set->origin = o;
        return 0;
}

int parse_key_rlimit(struct unit_load_context *c, const struct unit_key *k, const char *value,
                     struct unit_origin o) {
        int resource = rlimit_from_key(k->key);
        if (resource < 0 || resource >= RLIM_NLIMITS)
                return unit_key_problem(c, k, o, "not a resource limit this system knows");
        struct rlimit_setting *rl = &c->unit->service.rlimits[resource];
        /* An empty value is an error too: systemd's config_parse_rlimit() has no reset, and its
         * rlimit_parse() refuses "" */
        parse_why_t why = "";
        uint64_t soft, hard;
        if (parse_rlimit(value, resource, &soft, &hard, why) < 0)
                return bad_value(c, k, o, value, *why ? why : "not a limit (N, infinity or SOFT:HARD)");
        if (soft > hard)
                return bad_value(c, k, o, value, "the soft limit exceeds the hard limit");
        *rl = (struct rlimit_setting){
                .set = true,
                .soft = soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t) soft,
                .hard = hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t) hard,
                .origin = o,
        };
        return 0;
}

/* ---- paths ---- */

/* path_word(), and with `relative_base` a relative path (after expansion) is taken below it; a
 * problem then quotes the value as written and the parser's reason the joined path. */
static int path_word_below(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                           const char *w, const char *relative_base, char **ret) {
        _cleanup_free_ char *s = NULL, *joined = NULL;
        int r = unit_key_expand(c, k, o, w, &s);
        if (r != 0)
                return r;
        if (relative_base && *s && *s != '/') {
                char *j;
                if (asprintf(&j, "%s/%s", relative_base, s) < 0)
                        return -ENOMEM;
                joined = j;
        }
        parse_why_t why = "";
        r = parse_path(joined ? joined : s, ret, why);
        return report_parse(c, k, o, s, r, why, "not an absolute, normalized path");
}

/* Expands and normalizes one path word. Returns 0 and *ret, 1 when a problem was reported. */
int path_word(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o, const char *w,
              char **ret) {
        return path_word_below(c, k, o, w, NULL, ret);
}

int parse_key_path(struct unit_load_context *c, const struct unit_key *k, const char *value,
                   struct unit_origin o) {
        char *p = NULL;
        if (*value) {
                /* PIDFile=: as systemd, a relative path is below its runtime directory, /run */
                int r = path_word_below(c, k, o, value, k->arg & PATH_RELATIVE_BELOW_RUN ? "/run" : NULL,
                                        &p);
                if (r != 0)
                        return r < 0 ? r : 0;
        } else if (k->data) {
                /* RootDirectory= (empty) goes back to the default, "/" */
                p = strdup(k->data);
                if (!p)
                        return -ENOMEM;
        }
        return replace_string(c, k, o, p);
}

static int path_list_add(struct path_list *l, char *path, bool ignore_missing, struct unit_origin o) {
        struct path_entry *m = realloc(l->items, (l->n + 1) * sizeof(*m));
        if (!m) {
                free(path);
                return -ENOMEM;
        }
        l->items = m;
        m[l->n++] = (struct path_entry){.path = path, .ignore_missing = ignore_missing, .origin = o};
        return 0;
}

static void path_list_reset(struct path_list *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].path);
        free(l->items);
        *l = (struct path_list){};
}

/* Path lists are split as systemd's config_parse_namespace_path_strv() splits them: quotes
 * group and go, a backslash takes the next character literally, and there are no C escapes
 * ("/a\x20b" is "/ax20b" there). */
int split_path_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                     const char *value, char ***ret) {
        parse_why_t why = "";
        int r = split_words_full(value, SPLIT_UNQUOTE, ret, why);
        return report_parse(c, k, o, value, r, why, "cannot split into words");
}

/* ReadOnlyPaths= and friends: words, each with an optional '-' (ignore if missing) and then an
 * optional '+' (relative to the sandbox root, which is what hutch always does), in systemd's
 * order: "+-/a" is no path there. */
int parse_key_path_list(struct unit_load_context *c, const struct unit_key *k, const char *value,
                        struct unit_origin o) {
        struct path_list *l = FIELD(c, k, struct path_list);
        if (!*value) {
                path_list_reset(l);
                return 0;
        }
        _cleanup_strv_free_ char **words = NULL;
        int r = split_path_value(c, k, o, value, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        STRV_FOREACH (w, words) {
                const char *p = *w;
                bool ignore = false;
                if (*p == '-' && (k->arg & PATH_ALLOW_MINUS)) {
                        ignore = true;
                        p++;
                }
                if (*p == '+' && (k->arg & PATH_ALLOW_PLUS))
                        p++;
                char *path;
                r = path_word(c, k, o, p, &path);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                if ((r = path_list_add(l, path, ignore, o)) < 0)
                        return r;
        }
        return 0;
}

/* EnvironmentFile=: the whole value is one path (systemd does not split it), '-' prefix. */
int parse_key_environment_file(struct unit_load_context *c, const struct unit_key *k, const char *value,
                               struct unit_origin o) {
        struct path_list *l = FIELD(c, k, struct path_list);
        if (!*value) {
                path_list_reset(l);
                return 0;
        }
        bool ignore = *value == '-';
        char *path;
        int r = path_word(c, k, o, value + ignore, &path);
        if (r != 0)
                return r < 0 ? r : 0;
        return path_list_add(l, path, ignore, o);
}

/* WorkingDirectory=: "[-]PATH" or "[-]~" (the user's home directory). */
int parse_key_working_directory(struct unit_load_context *c, const struct unit_key *k, const char *value,
                                struct unit_origin o) {
        struct unit_section_service *s = &c->unit->service;
        if (!*value) {
                free(s->working_directory);
                s->working_directory = NULL;
                s->working_directory_missing_ok = s->working_directory_home = false;
                s->working_directory_origin = o;
                return 0;
        }
        bool missing_ok = *value == '-';
        const char *p = value + missing_ok;
        char *path = NULL;
        bool home = streq(p, "~");
        if (!home) {
                int r = path_word(c, k, o, p, &path);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        free(s->working_directory);
        s->working_directory = path;
        s->working_directory_missing_ok = missing_ok;
        s->working_directory_home = home;
        s->working_directory_origin = o;
        return 0;
}

/* ---- resources ---- */

int parse_key_weight(struct unit_load_context *c, const struct unit_key *k, const char *value,
                     struct unit_origin o) {
        struct limit *l = FIELD(c, k, struct limit);
        if (!*value) {
                *l = (struct limit){.origin = o};
                return 0;
        }
        /* systemd's cg_cpu_weight_parse() takes "idle" (cpu.idle=1, no cpu.weight): hutch has no
         * cpu.idle support, so say so rather than call it a bad number */
        if (streq(k->key, "CPUWeight") && streq(value, "idle"))
                return bad_value(c, k, o, value, "'idle' (cpu.idle) is not supported by hutch");
        parse_why_t why = "";
        uint64_t v;
        /* the parser's reason only for "010" and "0x10", which systemd would read in another base */
        if (parse_uint64_range(value, 1, 10000, &v, why) < 0)
                return bad_value(c, k, o, value,
                                 value[0] == '0' && value[1] && *why ? why
                                                                     : "not a weight between 1 and 10000");
        *l = (struct limit){.set = true, .value = v, .origin = o};
        return 0;
}

int parse_key_cpu_quota(struct unit_load_context *c, const struct unit_key *k, const char *value,
                        struct unit_origin o) {
        struct limit *l = FIELD(c, k, struct limit);
        if (!*value) {
                *l = (struct limit){.origin = o};
                return 0;
        }
        parse_why_t why = "";
        uint64_t pm;
        /* systemd's config_parse_cpu_quota(): parse_permyriad_unbounded(), so 500‰ and 5000‱
         * are 50% as well */
        if (parse_permyriad(value, &pm, why) < 0)
                return bad_value(c, k, o, value, *why ? why : "not a percentage");
        if (pm == 0)
                return bad_value(c, k, o, value, "must be more than 0%");
        /* stored as CPU time per second of wall time: 1% = 10000 us */
        *l = (struct limit){.set = true, .value = pm * 100, .origin = o};
        return 0;
}

int parse_key_cpu_set(struct unit_load_context *c, const struct unit_key *k, const char *value,
                      struct unit_origin o) {
        char *s = NULL;
        if (*value) {
                parse_why_t why = "";
                int r = parse_cpu_set(value, &s, why);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return bad_value(c, k, o, value, *why ? why : "not a CPU list (e.g. 0-3,6)");
                /* Separators alone ("AllowedCPUs=, ,") are an empty set: unset, as in systemd,
                 * not a cpuset.cpus of "" that would need the cpuset controller. */
                if (!*s) {
                        free(s);
                        s = NULL;
                }
        }
        return replace_string(c, k, o, s);
}

static uint64_t page_size(void) {
        long size = sysconf(_SC_PAGESIZE);
        return size > 0 ? (uint64_t) size : 4096;
}

/* What N% of memory is of, as systemd's physical_memory(): the machine's memory, or less where
 * the root cgroup has a memory.max (in a container, the container's limit), in whole pages. */
static uint64_t physical_memory(void) {
        long pages = sysconf(_SC_PHYS_PAGES);
        if (pages <= 0)
                return 0;
        uint64_t mem = (uint64_t) pages * page_size(), lim;
        if (proc_root_cgroup_limit("memory.max", &lim) == 0)
                mem = MIN(mem, lim - lim % page_size());
        return mem;
}

int parse_key_memory(struct unit_load_context *c, const struct unit_key *k, const char *value,
                     struct unit_origin o) {
        struct limit *l = FIELD(c, k, struct limit);
        if (!*value) {
                *l = (struct limit){.origin = o};
                return 0;
        }
        parse_why_t why = "";
        uint64_t v;
        if (parse_size(value, true, value_is_percentage(value) ? physical_memory() : 0, &v, why) < 0)
                return bad_value(c, k, o, value,
                                 *why ? why : "not a size (bytes with K, M, G, T suffixes, N% or infinity)");
        /* systemd's physical_memory_scale() counts in pages: N% is rounded down to a whole page
         * (of a memory size that is whole pages, the same as rounding the bytes down) */
        if (value_is_percentage(value))
                v -= v % page_size();
        /* systemd refuses 0 for the limits that would stop the service outright. */
        if (v == 0 && !(k->arg & MEMORY_ALLOW_ZERO))
                return bad_value(c, k, o, value, "must be more than 0");
        *l = (struct limit){.set = true, .value = v, .origin = o};
        return 0;
}

/* The number TasksMax=N% is a fraction of: the kernel's task limit, as systemd computes it
 * (the smallest of kernel.pid_max - 1, kernel.threads-max and the root cgroup's pids.max). */
static uint64_t read_proc_number(const char *path) {
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        unsigned long long v = 0;
        if (fscanf(f, "%llu", &v) != 1)
                v = 0;
        fclose(f);
        return v;
}

static uint64_t system_tasks_max(void) {
        uint64_t pid_max = read_proc_number("/proc/sys/kernel/pid_max");
        uint64_t threads_max = read_proc_number("/proc/sys/kernel/threads-max");
        uint64_t a = pid_max > 0 ? pid_max - 1 : UINT64_MAX, b = threads_max > 0 ? threads_max : UINT64_MAX;
        uint64_t m = MIN(a, b), c;
        if (proc_root_cgroup_limit("pids.max", &c) == 0)
                m = MIN(m, c);
        return m == UINT64_MAX ? 4194303 : m; /* the kernel's PID_MAX_LIMIT - 1 when /proc is unreadable */
}

int parse_key_tasks_max(struct unit_load_context *c, const struct unit_key *k, const char *value,
                        struct unit_origin o) {
        struct limit *l = FIELD(c, k, struct limit);
        if (!*value) {
                *l = (struct limit){.origin = o};
                return 0;
        }
        uint64_t v;
        if (streq(value, "infinity"))
                v = LIMIT_INFINITY;
        else if (value_is_percentage(value)) {
                uint64_t pm;
                parse_why_t why = "";
                if (parse_permyriad(value, &pm, why) < 0)
                        return bad_value(c, k, o, value, *why ? why : "not a percentage");
                /* systemd's config_parse_tasks_max() uses the bounded parse_permyriad() */
                if (pm > 10000)
                        return bad_value(c, k, o, value, "a percentage above 100% is not allowed");
                v = system_tasks_max() * pm / 10000;
        } else if (value[0] >= '0' && value[0] <= '9') {
                parse_why_t why = "";
                if (parse_uint64_range(value, 0, UINT64_MAX - 1, &v, why) < 0)
                        return bad_value(c, k, o, value, *why ? why : "not a number of tasks");
        } else
                return bad_value(c, k, o, value, "not a number of tasks, N% or infinity");
        if (v == 0)
                return bad_value(c, k, o, value, "must be at least 1 task");
        *l = (struct limit){.set = true, .value = v, .origin = o};
        return 0;
}

/* The first word of a "WORD REST" value (systemd's device keys: the word unquoted, the rest of the
 * line after it, blanks skipped): 0 with *word and *rest set; 1 when a problem was reported (no
 * word: `missing` says what was expected; an unbalanced quote); -ENOMEM. */
static int split_device_word(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                             const char *value, const char *missing, char **word, const char **rest) {
        *rest = value;
        parse_why_t why = "";
        int r = split_first_word(rest, SPLIT_UNQUOTE, word, why);
        if (r == -ENOMEM)
                return r;
        if (r > 0) {
                *rest += strspn(*rest, " \t");
                return 0;
        }
        r = bad_value(c, k, o, value, r < 0 ? why : missing);
        return r < 0 ? r : 1;
}

/* IOReadBandwidthMax=, IOWriteBandwidthMax= (PATH BYTES), IOReadIOPSMax=, IOWriteIOPSMax= (PATH
 * IOPS): per second, with K, M, G, T to the base of 1000; k->arg is the enum io_limit_kind. */
int parse_key_io_limit(struct unit_load_context *c, const struct unit_key *k, const char *value,
                       struct unit_origin o) {
        struct unit_section_resources *res = &c->unit->resources;
        bool iops = k->arg == IO_READ_IOPS_MAX || k->arg == IO_WRITE_IOPS_MAX;
        struct io_limit **items = &res->io_limits[k->arg];
        size_t *n = &res->n_io_limits[k->arg];
        if (!*value) {
                for (size_t i = 0; i < *n; i++)
                        free((*items)[i].path);
                free(*items);
                *items = NULL;
                *n = 0;
                return 0;
        }
        /* systemd's config_parse_io_device_limit(): the path is one word, unquoted; the rest of
         * the line is the rate, "infinity" or parse_size() to the base of 1000 ("1M 500K"). */
        const char *expected = iops ? "expected 'PATH IOPS' (e.g. /dev/sda 1K)"
                                    : "expected 'PATH BYTES' (e.g. /dev/sda 10M)";
        const char *limit;
        _cleanup_free_ char *word = NULL;
        parse_why_t why = "";
        int r = split_device_word(c, k, o, value, expected, &word, &limit);
        if (r != 0)
                return r < 0 ? r : 0;
        if (!*limit)
                return bad_value(c, k, o, value, expected);
        uint64_t bytes;
        if (streq(limit, "infinity"))
                bytes = LIMIT_INFINITY;
        else if (parse_size_1000(limit, &bytes, why) < 0)
                return bad_value(
                        c, k, o, limit,
                        *why   ? why
                        : iops ? "not a rate (I/O operations per second, K M G T to the base of 1000, "
                                 "or infinity)"
                               : "not a bandwidth (bytes per second, K M G T to the base of 1000, or "
                                 "infinity)");
        if (bytes == 0)
                return bad_value(c, k, o, limit, "must be more than 0");
        char *path;
        r = path_word(c, k, o, word, &path);
        if (r != 0)
                return r < 0 ? r : 0;
        /* A later limit for the same device replaces the earlier one (systemd). */
        for (size_t i = 0; i < *n; i++)
                if (streq((*items)[i].path, path)) {
                        free(path);
                        (*items)[i].per_sec = bytes;
                        (*items)[i].origin = o;
                        return 0;
                }
        struct io_limit *m = realloc(*items, (*n + 1) * sizeof(*m));
        if (!m) {
                free(path);
                return -ENOMEM;
        }
        *items = m;
        m[(*n)++] = (struct io_limit){.path = path, .per_sec = bytes, .origin = o};
        return 0;
}

/* DeviceAllow= "DEVICE [ACCESS]" (systemd's config_parse_device_allow()): DEVICE is one word, a
 * device node below /dev/ or a driver of /proc/devices as "char-NAME" or "block-NAME" (a glob);
 * ACCESS is letters of "rwm", all three when left out. The empty value empties the list. */
int parse_key_device_allow(struct unit_load_context *c, const struct unit_key *k, const char *value,
                           struct unit_origin o) {
        struct unit_section_resources *res = &c->unit->resources;
        if (!*value) {
                for (size_t i = 0; i < res->n_device_allow; i++)
                        free(res->device_allow[i].spec);
                free(res->device_allow);
                res->device_allow = NULL;
                res->n_device_allow = 0;
                return 0;
        }
        const char *rest;
        _cleanup_free_ char *word = NULL;
        parse_why_t why = "";
        int r = split_device_word(c, k, o, value, "expected 'DEVICE [rwm]' (e.g. /dev/ttyUSB0 rw)", &word,
                                  &rest);
        if (r != 0)
                return r < 0 ? r : 0;
        _cleanup_free_ char *spec = NULL;
        r = unit_key_expand(c, k, o, word, &spec);
        if (r != 0)
                return r < 0 ? r : 0;
        unsigned access = *rest ? 0 : DEVICE_ACCESS_ALL;
        for (const char *p = rest; *p; p++) {
                if (*p == 'r')
                        access |= DEVICE_ACCESS_READ;
                else if (*p == 'w')
                        access |= DEVICE_ACCESS_WRITE;
                else if (*p == 'm')
                        access |= DEVICE_ACCESS_MKNOD;
                else
                        return bad_value(
                                c, k, o, rest,
                                "access is letters of 'rwm' (read, write, mknod), or left out for all");
        }
        if (strncmp(spec, "/dev/", 5) == 0) {
                _cleanup_free_ char *norm = NULL;
                r = parse_path(spec, &norm, why);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || !streq(norm, spec))
                        return bad_value(c, k, o, spec, "not a normalized path below /dev/");
        } else if (!((strncmp(spec, "char-", 5) == 0 && spec[5]) ||
                     (strncmp(spec, "block-", 6) == 0 && spec[6])))
                return bad_value(c, k, o, spec,
                                 "not a device node below /dev/, nor a driver of /proc/devices as "
                                 "'char-NAME' or 'block-NAME'");
        /* The same device again adds its access to the earlier entry's. */
        for (size_t i = 0; i < res->n_device_allow; i++)
                if (streq(res->device_allow[i].spec, spec)) {
                        res->device_allow[i].access |= access;
                        res->device_allow[i].origin = o;
                        return 0;
                }
        struct device_allow *m = realloc(res->device_allow, (res->n_device_allow + 1) * sizeof(*m));
        if (!m)
                return -ENOMEM;
        res->device_allow = m;
        m[res->n_device_allow++] =
                (struct device_allow){.spec = TAKE_PTR(spec), .access = access, .origin = o};
        return 0;
}

/* IPAddressAllow=, IPAddressDeny= (systemd's config_parse_in_addr_prefixes()): a list of
 * ADDRESS[/PREFIXLENGTH], IPv4 or IPv6, a host address without the length, or one of the names
 * "any", "localhost", "link-local", "multicast" (each an IPv4 and an IPv6 prefix). The address
 * is masked to its length. The empty value empties the list. */
static const struct {
        const char *name;
        const char *v4, *v6;
} ip_prefix_names[] = {
        {"any", "0.0.0.0/0", "::/0"},
        {"localhost", "127.0.0.0/8", "::1/128"},
        {"link-local", "169.254.0.0/16", "fe80::/64"},
        {"multicast", "224.0.0.0/4", "ff00::/8"},
};

/* NULL with *ret, or why the word is not a prefix. */
static const char *parse_ip_prefix(const char *word, struct ip_prefix *ret) {
        static const char not_address[] =
                "not an IPv4 or IPv6 address, nor any, localhost, link-local or multicast";
        char addr[INET6_ADDRSTRLEN + 1];
        const char *slash = strchr(word, '/');
        size_t len = slash ? (size_t) (slash - word) : strlen(word);
        if (len == 0 || len >= sizeof addr)
                return not_address;
        memcpy(addr, word, len);
        addr[len] = 0;
        struct ip_prefix p = {0};
        if (inet_pton(AF_INET6, addr, p.addr) == 1)
                p.ipv6 = true;
        else if (inet_pton(AF_INET, addr, p.addr) != 1)
                return not_address;
        unsigned max = p.ipv6 ? 128 : 32;
        uint64_t plen = max;
        parse_why_t why = "";
        if (slash && parse_uint64_range(slash + 1, 0, max, &plen, why) < 0)
                return p.ipv6 ? "an IPv6 prefix length after '/' is a number from 0 to 128"
                              : "an IPv4 prefix length after '/' is a number from 0 to 32";
        p.prefixlen = (unsigned char) plen;
        for (unsigned bit = (unsigned) plen; bit < max; bit++)
                p.addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
        *ret = p;
        return NULL;
}

static int ip_prefix_list_add(struct ip_prefix_list *l, const struct ip_prefix *p) {
        struct ip_prefix *m = realloc(l->items, (l->n + 1) * sizeof(*m));
        if (!m)
                return -ENOMEM;
        l->items = m;
        m[l->n++] = *p;
        return 0;
}

int parse_key_ip_address(struct unit_load_context *c, const struct unit_key *k, const char *value,
                         struct unit_origin o) {
        struct ip_prefix_list *l = FIELD(c, k, struct ip_prefix_list);
        if (!*value) {
                free(l->items);
                *l = (struct ip_prefix_list){0};
                return 0;
        }
        _cleanup_strv_free_ char **words = NULL;
        int r = split_value(c, k, o, value, &words);
        if (r != 0)
                return r < 0 ? r : 0;
        STRV_FOREACH (w, words) {
                const char *forms[2] = {*w, NULL};
                for (size_t i = 0; i < ELEMENTSOF(ip_prefix_names); i++)
                        if (streq(*w, ip_prefix_names[i].name)) {
                                forms[0] = ip_prefix_names[i].v4;
                                forms[1] = ip_prefix_names[i].v6;
                        }
                for (size_t i = 0; i < ELEMENTSOF(forms) && forms[i]; i++) {
                        struct ip_prefix p;
                        const char *why = parse_ip_prefix(forms[i], &p);
                        if (why)
                                return bad_value(c, k, o, *w, why);
                        p.origin = o;
                        r = ip_prefix_list_add(l, &p);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}
