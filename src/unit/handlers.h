/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The parse handlers behind the key table (keys.c). */

#include "unit/unit-internal.h"

enum strv_check {
        STRV_ANY,
        STRV_SYSTEMD_UNIT, /* After=, WantedBy=, ...: a systemd unit name with a suffix */
        STRV_UNIT_NAME,    /* Alias=: a unit name, suffix optional */
        STRV_URL,          /* Documentation= */
        STRV_USER_GROUP,   /* SupplementaryGroups= */
        STRV_ARCHITECTURE, /* SystemCallArchitectures= */
        STRV_RELATIVE_DIR, /* StateDirectory=, ...: a normalized relative path */
        STRV_ENV_NAME,     /* PassEnvironment=: a variable name */
        STRV_ENV_UNSET,    /* UnsetEnvironment=: a variable name or a NAME=VALUE assignment */
};

enum {
        STRING_ANY = 0,
        STRING_NO_CONTROL = 1, /* SyslogIdentifier=: no control characters */
};

enum {
        TIMESPAN_PLAIN = 0,
        TIMESPAN_ZERO_IS_INFINITY = 1,
};

#define PATH_ALLOW_MINUS 1
#define PATH_ALLOW_PLUS 2
#define PATH_RELATIVE_BELOW_RUN 4 /* parse_key_path(): a relative path is below /run (PIDFile=) */
#define MEMORY_ALLOW_ZERO 1

void set_origin(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o);
/* Reports "'VALUE': WHY" for key k. Returns 0 or -ENOMEM. */
int bad_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o, const char *value,
              const char *why);
/* split_words() with the failure reported: 0 and *ret, 1 after a report, or -ENOMEM. */
int split_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                const char *value, char ***ret);
/* A list that a '~' in front turns into "all but these" (a deny list): *ret_invert, and the
 * words after the '~' as split_value() splits them. */
int split_inverted_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                         const char *value, bool *ret_invert, char ***ret);
/* Path lists (ReadOnlyPaths=, TemporaryFileSystem=, ...): quotes removed, no C escapes. */
int split_path_value(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                     const char *value, char ***ret);
/* One path word expanded and normalized: 0 and *ret, 1 after a report, or -ENOMEM. */
int path_word(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o, const char *w,
              char **ret);

#define DECLARE_HANDLER(name)                                                              \
        int name(struct unit_load_context *c, const struct unit_key *k, const char *value, \
                 struct unit_origin o)

DECLARE_HANDLER(parse_key_string);
DECLARE_HANDLER(parse_key_user_group);
DECLARE_HANDLER(parse_key_hostname);
DECLARE_HANDLER(parse_key_strv);
DECLARE_HANDLER(parse_key_bool);
DECLARE_HANDLER(parse_key_enum);
/* int fields where -1 is unset, which the empty value sets again (SyslogLevel=, ...) */
DECLARE_HANDLER(parse_key_optional_enum);
DECLARE_HANDLER(parse_key_optional_bool);
/* A systemd key for a protection every hutch sandbox has (k->data: struct always_on): the
 * values asking for it are accepted and change nothing, those turning it off are refused. */
struct always_on {
        const char *accepted, *refused; /* space-separated words; "yes"/"no" for booleans */
        const char *why;                /* the message for a refused value */
};
DECLARE_HANDLER(parse_key_always);
enum {
        SCHED_KEY_NICE,
        SCHED_KEY_CPU_POLICY,
        SCHED_KEY_CPU_PRIORITY,
        SCHED_KEY_CPU_RESET_ON_FORK,
        SCHED_KEY_IO_CLASS,
        SCHED_KEY_IO_PRIORITY,
};
DECLARE_HANDLER(parse_key_sched);
DECLARE_HANDLER(parse_key_timeout_both);
DECLARE_HANDLER(parse_key_kill_mode);
DECLARE_HANDLER(parse_key_timeout_abort);
DECLARE_HANDLER(parse_key_private_users);
DECLARE_HANDLER(parse_key_timespan);
DECLARE_HANDLER(parse_key_timeout_start);
DECLARE_HANDLER(parse_key_unsigned);
DECLARE_HANDLER(parse_key_signal);
DECLARE_HANDLER(parse_key_umask);
DECLARE_HANDLER(parse_key_oom_score_adjust);
DECLARE_HANDLER(parse_key_ip_address);
DECLARE_HANDLER(parse_key_exit_status);
DECLARE_HANDLER(parse_key_rlimit);
DECLARE_HANDLER(parse_key_path);
DECLARE_HANDLER(parse_key_path_list);
DECLARE_HANDLER(parse_key_environment_file);
DECLARE_HANDLER(parse_key_working_directory);
DECLARE_HANDLER(parse_key_weight);
DECLARE_HANDLER(parse_key_cpu_quota);
DECLARE_HANDLER(parse_key_cpu_set);
DECLARE_HANDLER(parse_key_memory);
DECLARE_HANDLER(parse_key_tasks_max);
DECLARE_HANDLER(parse_key_io_limit);
DECLARE_HANDLER(parse_key_device_allow);
/* handlers-exec.c */
DECLARE_HANDLER(parse_key_exec_start);
DECLARE_HANDLER(parse_key_exec_control); /* k->arg: enum exec_control */
DECLARE_HANDLER(parse_key_environment);
DECLARE_HANDLER(parse_key_bind_paths);
DECLARE_HANDLER(parse_key_temporary_fs);
DECLARE_HANDLER(parse_key_capabilities);
DECLARE_HANDLER(parse_key_syscall_filter);
DECLARE_HANDLER(parse_key_syscall_errno);
DECLARE_HANDLER(parse_key_restrict_namespaces);
DECLARE_HANDLER(parse_key_restrict_address_families);
/* handlers-stdio.c */
DECLARE_HANDLER(parse_key_std_stream); /* k->arg: the fd, 0 (StandardInput=), 1 or 2 */
