/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The key table: one entry per key of every section (DESIGN.md's table), and the
 * dispatch of one assignment to its handler, with "did you mean" for unknown names.
 *
 * Specifier expansion (KEY_SPECIFIERS) follows systemd: keys holding names, paths,
 * command lines and free text expand specifiers; keys holding booleans, enums, numbers,
 * sizes, time spans, capabilities, system calls and signals do not (a '%' there is simply
 * an invalid value). List values are split first and each word is expanded, so an
 * instance name with spaces stays one word. */

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hutch/macro.h"
#include "unit/handlers.h"

#define U(field) offsetof(struct hutch_unit, field)
#define NO_ORIGIN SIZE_MAX
#define S KEY_SPECIFIERS

/* clang-format off */
#define KEY(sec, name, fn, field, origin, a, d, fl) \
        { .section = sec, .key = name, .parse = fn, .offset = field, .origin_offset = origin, .arg = a, .data = d, .flags = fl }
#define ENUM_KEY(sec, name, field, origin, fn, list) \
        { .section = sec, .key = name, .parse = parse_key_enum, .offset = field, .origin_offset = origin, .data = (const void *) fn, .choices = list }
#define OPTIONAL_ENUM_KEY(sec, name, field, fn, list) \
        { .section = sec, .key = name, .parse = parse_key_optional_enum, .offset = field, .origin_offset = NO_ORIGIN, .data = (const void *) fn, .choices = list }
#define LIMIT_KEY(name) KEY("Service", name, parse_key_rlimit, 0, NO_ORIGIN, 0, NULL, 0)
#define ALWAYS_KEY(sec, name, yes, no, list, msg) \
        { .section = sec, .key = name, .parse = parse_key_always, .offset = 0, .origin_offset = NO_ORIGIN, .data = &(const struct always_on){ .accepted = yes, .refused = no, .why = msg }, .choices = list }

const struct unit_key unit_keys[] = {
        KEY("Unit", "Description", parse_key_string, U(unit.description), NO_ORIGIN, 0, NULL, S),
        KEY("Unit", "Documentation", parse_key_strv, U(unit.documentation), NO_ORIGIN, STRV_URL, NULL, S),
        KEY("Unit", "After", parse_key_strv, U(unit.after), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Unit", "Before", parse_key_strv, U(unit.before), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Unit", "Wants", parse_key_strv, U(unit.wants), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Unit", "Requires", parse_key_strv, U(unit.requires), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Unit", "BindsTo", parse_key_strv, U(unit.binds_to), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Unit", "PartOf", parse_key_strv, U(unit.part_of), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Unit", "Conflicts", parse_key_strv, U(unit.conflicts), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Unit", "StartLimitIntervalSec", parse_key_timespan, U(unit.start_limit_interval), U(unit.start_limit_origin), TIMESPAN_PLAIN, NULL, 0),
        KEY("Unit", "StartLimitBurst", parse_key_unsigned, U(unit.start_limit_burst), U(unit.start_limit_origin), 4294967295LL, NULL, 0),

        KEY("Service", "ExecStart", parse_key_exec_start, 0, NO_ORIGIN, 0, NULL, S),
        KEY("Service", "ExecCondition", parse_key_exec_control, 0, NO_ORIGIN, EXEC_CONDITION, NULL, S),
        KEY("Service", "ExecStartPre", parse_key_exec_control, 0, NO_ORIGIN, EXEC_START_PRE, NULL, S),
        KEY("Service", "ExecStartPost", parse_key_exec_control, 0, NO_ORIGIN, EXEC_START_POST, NULL, S),
        KEY("Service", "ExecReload", parse_key_exec_control, 0, NO_ORIGIN, EXEC_RELOAD, NULL, S),
        KEY("Service", "ExecStop", parse_key_exec_control, 0, NO_ORIGIN, EXEC_STOP, NULL, S),
        KEY("Service", "ExecStopPost", parse_key_exec_control, 0, NO_ORIGIN, EXEC_STOP_POST, NULL, S),
        ENUM_KEY("Service", "Type", U(service.type), U(service.type_origin), service_type_from_string, "exec, simple, notify, oneshot, forking"),
        KEY("Service", "PIDFile", parse_key_path, U(service.pid_file), U(service.pid_file_origin), PATH_RELATIVE_BELOW_RUN, NULL, S),
        KEY("Service", "GuessMainPID", parse_key_bool, U(service.guess_main_pid), NO_ORIGIN, 0, NULL, 0),
        ENUM_KEY("Service", "Restart", U(service.restart), U(service.restart_origin), restart_policy_from_string, "no, on-success, on-failure, on-abnormal, on-watchdog, on-abort, always"),
        KEY("Service", "RestartSec", parse_key_timespan, U(service.restart_sec), U(service.restart_sec_origin), TIMESPAN_PLAIN, NULL, 0),
        KEY("Service", "RestartSteps", parse_key_unsigned, U(service.restart_steps), U(service.restart_steps_origin), 3600, NULL, 0),
        KEY("Service", "RestartMaxDelaySec", parse_key_timespan, U(service.restart_max_delay), U(service.restart_max_delay_origin), TIMESPAN_PLAIN, NULL, 0),
        KEY("Service", "RestartPreventExitStatus", parse_key_exit_status, U(service.restart_prevent_exit_status), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "SuccessExitStatus", parse_key_exit_status, U(service.success_exit_status), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "TimeoutStartSec", parse_key_timeout_start, U(service.timeout_start), U(service.timeout_start_origin), TIMESPAN_ZERO_IS_INFINITY, NULL, 0),
        KEY("Service", "TimeoutStopSec", parse_key_timespan, U(service.timeout_stop), NO_ORIGIN, TIMESPAN_ZERO_IS_INFINITY, NULL, 0),
        KEY("Service", "RuntimeMaxSec", parse_key_timespan, U(service.runtime_max), NO_ORIGIN, TIMESPAN_ZERO_IS_INFINITY, NULL, 0),
        KEY("Service", "RuntimeRandomizedExtraSec", parse_key_timespan, U(service.runtime_randomized_extra), NO_ORIGIN, TIMESPAN_PLAIN, NULL, 0),
        KEY("Service", "TimeoutSec", parse_key_timeout_both, 0, NO_ORIGIN, 0, NULL, 0),
        { .section = "Service", .key = "KillMode", .parse = parse_key_kill_mode, .offset = U(service.kill_mode), .origin_offset = NO_ORIGIN, .data = (const void *) kill_mode_from_string, .choices = "control-group, mixed" },
        KEY("Service", "KillSignal", parse_key_signal, U(service.kill_signal), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "FinalKillSignal", parse_key_signal, U(service.final_kill_signal), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "WatchdogSignal", parse_key_signal, U(service.watchdog_signal), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "SendSIGHUP", parse_key_bool, U(service.send_sighup), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "RemainAfterExit", parse_key_bool, U(service.remain_after_exit), NO_ORIGIN, 0, NULL, 0),
        ENUM_KEY("Service", "ExitType", U(service.exit_type), NO_ORIGIN, exit_type_from_string, "main, cgroup"),
        ENUM_KEY("Service", "OOMPolicy", U(service.oom_policy), NO_ORIGIN, oom_policy_from_string, "stop, continue, kill"),
        KEY("Service", "TimeoutAbortSec", parse_key_timeout_abort, U(service.timeout_abort), NO_ORIGIN, TIMESPAN_ZERO_IS_INFINITY, NULL, 0),
        ENUM_KEY("Service", "TimeoutStartFailureMode", U(service.timeout_start_mode), NO_ORIGIN, timeout_mode_from_string, "terminate, abort, kill"),
        ENUM_KEY("Service", "TimeoutStopFailureMode", U(service.timeout_stop_mode), NO_ORIGIN, timeout_mode_from_string, "terminate, abort, kill"),
        ALWAYS_KEY("Service", "SendSIGKILL", "yes", "no", "yes, no", "hutch always kills what is left at TimeoutStopSec=: the sandbox's processes cannot outlive its PID namespace, so nothing could be left running"),
        KEY("Service", "WatchdogSec", parse_key_timespan, U(service.watchdog), U(service.watchdog_origin), TIMESPAN_PLAIN, NULL, 0),
        ENUM_KEY("Service", "NotifyAccess", U(service.notify_access), U(service.notify_access_origin), notify_access_from_string, "none, main, exec, all"),
        KEY("Service", "Environment", parse_key_environment, 0, NO_ORIGIN, 0, NULL, S),
        KEY("Service", "PassEnvironment", parse_key_strv, U(service.pass_environment), NO_ORIGIN, STRV_ENV_NAME, NULL, S),
        KEY("Service", "UnsetEnvironment", parse_key_strv, U(service.unset_environment), NO_ORIGIN, STRV_ENV_UNSET, NULL, S),
        KEY("Service", "IgnoreSIGPIPE", parse_key_bool, U(service.ignore_sigpipe), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "StandardInput", parse_key_std_stream, U(service.std_input), NO_ORIGIN, 0, NULL, S),
        KEY("Service", "StandardOutput", parse_key_std_stream, U(service.std_output), NO_ORIGIN, 1, NULL, S),
        KEY("Service", "StandardError", parse_key_std_stream, U(service.std_error), NO_ORIGIN, 2, NULL, S),
        KEY("Service", "SyslogIdentifier", parse_key_string, U(service.syslog_identifier), NO_ORIGIN, STRING_NO_CONTROL, NULL, S),
        OPTIONAL_ENUM_KEY("Service", "SyslogFacility", U(service.syslog_facility), syslog_facility_from_string, "kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0-local7"),
        OPTIONAL_ENUM_KEY("Service", "SyslogLevel", U(service.syslog_level), syslog_level_from_string, "emerg, alert, crit, err, warning, notice, info, debug"),
        KEY("Service", "SyslogLevelPrefix", parse_key_optional_bool, U(service.syslog_level_prefix), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "EnvironmentFile", parse_key_environment_file, U(service.environment_files), NO_ORIGIN, 0, NULL, S),
        KEY("Service", "WorkingDirectory", parse_key_working_directory, 0, NO_ORIGIN, 0, NULL, S),
        KEY("Service", "User", parse_key_user_group, U(service.user), U(service.user_origin), 0, NULL, S),
        KEY("Service", "Group", parse_key_user_group, U(service.group), U(service.group_origin), 0, NULL, S),
        KEY("Service", "SupplementaryGroups", parse_key_strv, U(service.supplementary_groups), NO_ORIGIN, STRV_USER_GROUP, NULL, S),
        KEY("Service", "UMask", parse_key_umask, U(service.umask), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "OOMScoreAdjust", parse_key_oom_score_adjust, U(service.oom_score_adjust), NO_ORIGIN, 0, NULL, 0),
        KEY("Service", "Nice", parse_key_sched, 0, NO_ORIGIN, SCHED_KEY_NICE, NULL, 0),
        KEY("Service", "CPUSchedulingPolicy", parse_key_sched, 0, NO_ORIGIN, SCHED_KEY_CPU_POLICY, NULL, 0),
        KEY("Service", "CPUSchedulingPriority", parse_key_sched, 0, NO_ORIGIN, SCHED_KEY_CPU_PRIORITY, NULL, 0),
        KEY("Service", "CPUSchedulingResetOnFork", parse_key_sched, 0, NO_ORIGIN, SCHED_KEY_CPU_RESET_ON_FORK, NULL, 0),
        KEY("Service", "IOSchedulingClass", parse_key_sched, 0, NO_ORIGIN, SCHED_KEY_IO_CLASS, NULL, 0),
        KEY("Service", "IOSchedulingPriority", parse_key_sched, 0, NO_ORIGIN, SCHED_KEY_IO_PRIORITY, NULL, 0),
        KEY("Service", "CPUAffinity", parse_key_cpu_set, U(service.cpu_affinity), NO_ORIGIN, 0, NULL, 0),
        LIMIT_KEY("LimitCPU"), LIMIT_KEY("LimitFSIZE"), LIMIT_KEY("LimitDATA"), LIMIT_KEY("LimitSTACK"),
        LIMIT_KEY("LimitCORE"), LIMIT_KEY("LimitRSS"), LIMIT_KEY("LimitNOFILE"), LIMIT_KEY("LimitAS"),
        LIMIT_KEY("LimitNPROC"), LIMIT_KEY("LimitMEMLOCK"), LIMIT_KEY("LimitLOCKS"), LIMIT_KEY("LimitSIGPENDING"),
        LIMIT_KEY("LimitMSGQUEUE"), LIMIT_KEY("LimitNICE"), LIMIT_KEY("LimitRTPRIO"), LIMIT_KEY("LimitRTTIME"),

        KEY("Sandbox", "RootDirectory", parse_key_path, U(sandbox.root_directory), U(sandbox.root_directory_origin), 0, "/", S),
        KEY("Sandbox", "Layers", parse_key_path_list, U(sandbox.layers), NO_ORIGIN, 0, NULL, S),
        ENUM_KEY("Sandbox", "RootMode", U(sandbox.root_mode), U(sandbox.root_mode_origin), root_mode_from_string, "read-only, volatile, persistent"),
        KEY("Sandbox", "UpperDirectory", parse_key_path, U(sandbox.upper_directory), U(sandbox.upper_directory_origin), 0, NULL, S),
        KEY("Sandbox", "BindPaths", parse_key_bind_paths, 0, NO_ORIGIN, false, NULL, S),
        KEY("Sandbox", "BindReadOnlyPaths", parse_key_bind_paths, 0, NO_ORIGIN, true, NULL, S),
        KEY("Sandbox", "TemporaryFileSystem", parse_key_temporary_fs, 0, NO_ORIGIN, 0, NULL, S),
        KEY("Sandbox", "ReadOnlyPaths", parse_key_path_list, U(sandbox.read_only_paths), NO_ORIGIN, PATH_ALLOW_MINUS | PATH_ALLOW_PLUS, NULL, S),
        KEY("Sandbox", "ReadWritePaths", parse_key_path_list, U(sandbox.read_write_paths), NO_ORIGIN, PATH_ALLOW_MINUS | PATH_ALLOW_PLUS, NULL, S),
        KEY("Sandbox", "InaccessiblePaths", parse_key_path_list, U(sandbox.inaccessible_paths), NO_ORIGIN, PATH_ALLOW_MINUS | PATH_ALLOW_PLUS, NULL, S),
        KEY("Sandbox", "PrivateTmp", parse_key_bool, U(sandbox.private_tmp), NO_ORIGIN, 0, NULL, 0),
        KEY("Sandbox", "PrivateDevices", parse_key_bool, U(sandbox.private_devices), NO_ORIGIN, 0, NULL, 0),
        KEY("Sandbox", "PrivateNetwork", parse_key_bool, U(sandbox.private_network), U(sandbox.private_network_origin), 0, NULL, 0),
        KEY("Sandbox", "PrivateUsers", parse_key_private_users, 0, U(sandbox.private_users_origin), 0, NULL, 0),
        ENUM_KEY("Sandbox", "ProtectProc", U(sandbox.protect_proc), U(sandbox.protect_proc_origin), protect_proc_from_string, "default, noaccess, invisible, ptraceable"),
        ENUM_KEY("Sandbox", "ProcSubset", U(sandbox.proc_subset), U(sandbox.proc_subset_origin), proc_subset_from_string, "all, pid"),
        KEY("Sandbox", "Hostname", parse_key_hostname, U(sandbox.hostname), U(sandbox.hostname_origin), 0, NULL, S),
        KEY("Sandbox", "ProtectHostname", parse_key_bool, U(sandbox.protect_hostname), NO_ORIGIN, 0, NULL, 0),
        ENUM_KEY("Sandbox", "ProtectSystem", U(sandbox.protect_system), U(sandbox.protect_system_origin), protect_system_from_string, "yes, no, full, strict"),
        ENUM_KEY("Sandbox", "ProtectHome", U(sandbox.protect_home), U(sandbox.protect_home_origin), protect_home_from_string, "yes, no, read-only, tmpfs"),
        KEY("Sandbox", "ProtectCredentials", parse_key_bool, U(sandbox.protect_credentials), U(sandbox.protect_credentials_origin), 0, NULL, 0),
        KEY("Sandbox", "RuntimeDirectory", parse_key_strv, U(sandbox.directories[EXEC_DIRECTORY_RUNTIME]), NO_ORIGIN, STRV_RELATIVE_DIR, NULL, S),
        KEY("Sandbox", "RuntimeDirectoryMode", parse_key_umask, U(sandbox.directory_mode[EXEC_DIRECTORY_RUNTIME]), NO_ORIGIN, 0, NULL, 0),
        KEY("Sandbox", "StateDirectory", parse_key_strv, U(sandbox.directories[EXEC_DIRECTORY_STATE]), NO_ORIGIN, STRV_RELATIVE_DIR, NULL, S),
        KEY("Sandbox", "StateDirectoryMode", parse_key_umask, U(sandbox.directory_mode[EXEC_DIRECTORY_STATE]), NO_ORIGIN, 0, NULL, 0),
        KEY("Sandbox", "CacheDirectory", parse_key_strv, U(sandbox.directories[EXEC_DIRECTORY_CACHE]), NO_ORIGIN, STRV_RELATIVE_DIR, NULL, S),
        KEY("Sandbox", "CacheDirectoryMode", parse_key_umask, U(sandbox.directory_mode[EXEC_DIRECTORY_CACHE]), NO_ORIGIN, 0, NULL, 0),
        KEY("Sandbox", "LogsDirectory", parse_key_strv, U(sandbox.directories[EXEC_DIRECTORY_LOGS]), NO_ORIGIN, STRV_RELATIVE_DIR, NULL, S),
        KEY("Sandbox", "LogsDirectoryMode", parse_key_umask, U(sandbox.directory_mode[EXEC_DIRECTORY_LOGS]), NO_ORIGIN, 0, NULL, 0),
        KEY("Sandbox", "ConfigurationDirectory", parse_key_strv, U(sandbox.directories[EXEC_DIRECTORY_CONFIGURATION]), NO_ORIGIN, STRV_RELATIVE_DIR, NULL, S),
        KEY("Sandbox", "ConfigurationDirectoryMode", parse_key_umask, U(sandbox.directory_mode[EXEC_DIRECTORY_CONFIGURATION]), NO_ORIGIN, 0, NULL, 0),
        /* systemd's keys for what every hutch sandbox has: accepted when they ask for it */
        ALWAYS_KEY("Sandbox", "PrivateIPC", "yes", "no", "yes, no", "hutch always gives the service an IPC namespace of its own (System V IPC, POSIX message queues)"),
        ALWAYS_KEY("Sandbox", "PrivateMounts", "yes", "no", "yes, no", "hutch always gives the service a mount namespace of its own, with no propagation to or from the host"),
        ALWAYS_KEY("Sandbox", "MountAPIVFS", "yes", "no", "yes, no", "hutch always mounts /proc, /sys and /dev in the sandbox"),
        ALWAYS_KEY("Sandbox", "ProtectControlGroups", "yes strict", "no private", "yes, no, private, strict", "hutch always mounts the service's own cgroup tree read-only on /sys/fs/cgroup, in a cgroup namespace of its own (systemd's strict)"),
        ALWAYS_KEY("Sandbox", "RemoveIPC", "yes", "no", "yes, no", "the service's IPC objects live in its own IPC namespace and /dev/shm, which end with the sandbox: hutch cannot keep them"),
        ENUM_KEY("Sandbox", "RuntimeDirectoryPreserve", U(sandbox.runtime_directory_preserve), NO_ORIGIN, runtime_preserve_from_string, "no, yes, restart"),

        KEY("Resources", "CPUWeight", parse_key_weight, U(resources.cpu_weight), NO_ORIGIN, 0, NULL, 0),
        KEY("Resources", "CPUQuota", parse_key_cpu_quota, U(resources.cpu_quota), NO_ORIGIN, 0, NULL, 0),
        KEY("Resources", "AllowedCPUs", parse_key_cpu_set, U(resources.allowed_cpus), U(resources.allowed_cpus_origin), 0, NULL, 0),
        KEY("Resources", "MemoryMin", parse_key_memory, U(resources.memory_min), NO_ORIGIN, MEMORY_ALLOW_ZERO, NULL, 0),
        KEY("Resources", "MemoryLow", parse_key_memory, U(resources.memory_low), NO_ORIGIN, MEMORY_ALLOW_ZERO, NULL, 0),
        KEY("Resources", "MemoryHigh", parse_key_memory, U(resources.memory_high), NO_ORIGIN, 0, NULL, 0),
        KEY("Resources", "MemoryMax", parse_key_memory, U(resources.memory_max), NO_ORIGIN, 0, NULL, 0),
        KEY("Resources", "MemorySwapMax", parse_key_memory, U(resources.memory_swap_max), NO_ORIGIN, MEMORY_ALLOW_ZERO, NULL, 0),
        KEY("Resources", "TasksMax", parse_key_tasks_max, U(resources.tasks_max), NO_ORIGIN, 0, NULL, 0),
        KEY("Resources", "IOWeight", parse_key_weight, U(resources.io_weight), NO_ORIGIN, 0, NULL, 0),
        KEY("Resources", "IOReadBandwidthMax", parse_key_io_limit, 0, NO_ORIGIN, IO_READ_BANDWIDTH_MAX, NULL, S),
        KEY("Resources", "IOWriteBandwidthMax", parse_key_io_limit, 0, NO_ORIGIN, IO_WRITE_BANDWIDTH_MAX, NULL, S),
        KEY("Resources", "IOReadIOPSMax", parse_key_io_limit, 0, NO_ORIGIN, IO_READ_IOPS_MAX, NULL, S),
        KEY("Resources", "IOWriteIOPSMax", parse_key_io_limit, 0, NO_ORIGIN, IO_WRITE_IOPS_MAX, NULL, S),
        ENUM_KEY("Resources", "DevicePolicy", U(resources.device_policy), U(resources.device_policy_origin), device_policy_from_string, "auto, closed, strict"),
        KEY("Resources", "DeviceAllow", parse_key_device_allow, 0, NO_ORIGIN, 0, NULL, S),
        KEY("Resources", "IPAddressAllow", parse_key_ip_address, U(resources.ip_address_allow), NO_ORIGIN, 0, NULL, 0),
        KEY("Resources", "IPAddressDeny", parse_key_ip_address, U(resources.ip_address_deny), NO_ORIGIN, 0, NULL, 0),

        KEY("Security", "CapabilityBoundingSet", parse_key_capabilities, U(security.capability_bounding_set), U(security.capability_bounding_set_origin), 0, NULL, 0),
        KEY("Security", "AmbientCapabilities", parse_key_capabilities, U(security.ambient_capabilities), U(security.ambient_capabilities_origin), 0, NULL, 0),
        KEY("Security", "NoNewPrivileges", parse_key_bool, U(security.no_new_privileges), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "SystemCallFilter", parse_key_syscall_filter, 0, NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "SystemCallErrorNumber", parse_key_syscall_errno, 0, NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "SystemCallArchitectures", parse_key_strv, U(security.syscall_architectures), NO_ORIGIN, STRV_ARCHITECTURE, NULL, 0),
        KEY("Security", "RestrictNamespaces", parse_key_restrict_namespaces, 0, NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "RestrictAddressFamilies", parse_key_restrict_address_families, 0, NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "LockPersonality", parse_key_bool, U(security.lock_personality), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "RestrictRealtime", parse_key_bool, U(security.restrict_realtime), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "RestrictSUIDSGID", parse_key_bool, U(security.restrict_suid_sgid), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "MemoryDenyWriteExecute", parse_key_bool, U(security.memory_deny_write_execute), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "ProtectKernelTunables", parse_key_bool, U(security.protect_kernel_tunables), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "ProtectKernelModules", parse_key_bool, U(security.protect_kernel_modules), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "ProtectKernelLogs", parse_key_bool, U(security.protect_kernel_logs), NO_ORIGIN, 0, NULL, 0),
        KEY("Security", "ProtectClock", parse_key_bool, U(security.protect_clock), NO_ORIGIN, 0, NULL, 0),
        ALWAYS_KEY("Security", "KeyringMode", "private", "inherit shared", "inherit, private, shared", "the sandbox always has a session keyring of its own, not linked to the user's (systemd's private)"),

        KEY("Install", "WantedBy", parse_key_strv, U(install.wanted_by), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Install", "RequiredBy", parse_key_strv, U(install.required_by), NO_ORIGIN, STRV_SYSTEMD_UNIT, NULL, S),
        KEY("Install", "Alias", parse_key_strv, U(install.alias), NO_ORIGIN, STRV_UNIT_NAME, NULL, S),
};
/* clang-format on */

const size_t unit_keys_count = ELEMENTSOF(unit_keys);

const char *const unit_sections[] = {"Unit", "Service", "Sandbox", "Resources", "Security", "Install", NULL};

/* ---- helpers for handlers ---- */

const char *unit_value_short(const char *v, char buf[static 100]) {
        size_t n = strlen(v);
        if (n <= 80)
                return v;
        size_t cut = 76;
        while (cut > 0 && ((unsigned char) v[cut] & 0xc0) == 0x80)
                cut--; /* not in the middle of a UTF-8 character */
        memcpy(buf, v, cut);
        memcpy(buf + cut, "...", 4);
        return buf;
}

int unit_key_problem(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                     const char *fmt, ...) {
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        return unit_problems_add(c->problems, o, k ? k->key : NULL, "%s", msg);
}

int unit_key_expand(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                    const char *s, char **ret) {
        *ret = NULL;
        if (!(k->flags & KEY_SPECIFIERS)) {
                *ret = strdup(s);
                return *ret ? 0 : -ENOMEM;
        }
        parse_why_t why = "";
        int r = unit_specifiers_expand(&c->specifiers, s, ret, why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                r = bad_value(c, k, o, s, *why ? why : "cannot expand specifiers");
                return r < 0 ? r : 1;
        }
        return 0;
}

/* ---- suggestions ---- */

/* Optimal string alignment distance, case-insensitive, capped: names are short. */
static unsigned edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return UINT32_MAX;
        unsigned d[65][65];
        for (size_t i = 0; i <= la; i++)
                d[i][0] = (unsigned) i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = (unsigned) j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        char ca = (char) (a[i - 1] | 0x20), cb = (char) (b[j - 1] | 0x20);
                        unsigned cost = ca != cb;
                        unsigned v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
                        v = MIN(v, d[i - 1][j - 1] + cost);
                        if (i > 1 && j > 1 && ca == (char) (b[j - 2] | 0x20) &&
                            (char) (a[i - 2] | 0x20) == cb)
                                v = MIN(v, d[i - 2][j - 2] + 1);
                        d[i][j] = v;
                }
        return d[la][lb];
}

/* The best candidate within distance 2 (or a third of the name's length for long names). */
static bool close_enough(const char *s, const char *candidate, unsigned *best) {
        unsigned d = edit_distance(s, candidate);
        unsigned limit = MAX(2u, (unsigned) strlen(candidate) / 4);
        if (d <= limit && d < *best) {
                *best = d;
                return true;
        }
        return false;
}

const char *unit_suggest_section(const char *s) {
        const char *found = NULL;
        unsigned best = UINT32_MAX;
        for (const char *const *p = unit_sections; *p; p++)
                if (close_enough(s, *p, &best))
                        found = *p;
        return found;
}

const char *unit_suggest_key(const char *section, const char *key) {
        const char *found = NULL;
        unsigned best = UINT32_MAX;
        for (size_t i = 0; i < unit_keys_count; i++)
                if (streq(unit_keys[i].section, section) && close_enough(key, unit_keys[i].key, &best))
                        found = unit_keys[i].key;
        return found;
}

/* ---- dispatch ---- */

static bool section_is_known(const char *section) {
        for (const char *const *p = unit_sections; *p; p++)
                if (streq(*p, section))
                        return true;
        return false;
}

static bool is_extension(const char *s) {
        return strncmp(s, "X-", 2) == 0;
}

int unit_check_section(struct unit_load_context *c, const char *section, struct unit_origin origin) {
        if (section_is_known(section))
                return 1;
        if (is_extension(section))
                return 0;
        const char *hint = unit_suggest_section(section);
        int r;
        if (hint)
                r = unit_problems_add(c->problems, origin, NULL, "unknown section [%s], did you mean [%s]?",
                                      section, hint);
        else
                r = unit_problems_add(c->problems, origin, NULL,
                                      "unknown section [%s] (sections: Unit, Service, Sandbox, Resources, "
                                      "Security, Install; X-* for extensions)",
                                      section);
        return r < 0 ? r : 0;
}

int unit_apply_assignment(struct unit_load_context *c, const char *section, const char *key,
                          const char *value, struct unit_origin origin) {
        /* Unknown sections were reported at their header; X- sections and keys are ignored. */
        if (!section_is_known(section) || is_extension(key))
                return 0;

        for (size_t i = 0; i < unit_keys_count; i++) {
                const struct unit_key *k = &unit_keys[i];
                if (streq(k->section, section) && streq(k->key, key))
                        return k->parse(c, k, value, origin);
        }

        /* A known key in the wrong section is the most likely mistake: say where it goes. */
        for (size_t i = 0; i < unit_keys_count; i++)
                if (streq(unit_keys[i].key, key)) {
                        int r = unit_problems_add(c->problems, origin, key,
                                                  "unknown key in [%s]; %s= belongs in [%s]", section, key,
                                                  unit_keys[i].section);
                        return r < 0 ? r : 0;
                }
        const char *hint = unit_suggest_key(section, key);
        int r;
        /* Keys are case-sensitive (as in systemd). A key that differs only in case is what was
         * meant, even in another section ("Memorymax=" in [Service]): it beats a near miss here. */
        bool hint_case_only = hint && strcasecmp(hint, key) == 0;
        for (size_t i = 0; !hint_case_only && i < unit_keys_count; i++)
                if (strcasecmp(unit_keys[i].key, key) == 0) {
                        r = unit_problems_add(c->problems, origin, key,
                                              "unknown key in [%s], did you mean %s= in [%s]?", section,
                                              unit_keys[i].key, unit_keys[i].section);
                        return r < 0 ? r : 0;
                }
        if (hint)
                r = unit_problems_add(c->problems, origin, key, "unknown key in [%s], did you mean '%s'?",
                                      section, hint);
        else
                r = unit_problems_add(c->problems, origin, key, "unknown key in [%s]", section);
        return r < 0 ? r : 0;
}
