/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The model: a unit as plain typed data. It knows nothing of files or syscalls; the
 * loader (src/unit) fills it, the spawner, cgroup manager and supervisor read it.
 * Every value that came from a unit file carries its origin, so a later check
 * (validation, or a setup step at start) can still say "web.hutch:12: Key: ...". */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "hutch/macro.h"

/* Where a value was set. `file` points into the unit's `sources` (or a static string
 * such as "command line"); NULL with line 0 means "default". */
struct unit_origin {
        const char *file;
        unsigned line;
};

/* "FILE:LINE: ", "FILE: " (no line: the command line's -p, say) or "" (a default), into buf: the
 * start of every message about a value, as `file:line: key: problem`. Returns buf. */
const char *unit_origin_prefix(struct unit_origin o, char *buf, size_t size);

/* A path list entry. systemd's prefixes: '-' ignore a missing path; '+' relative to the
 * sandbox root (accepted, it is what hutch always does). */
struct path_entry {
        char *path;
        bool ignore_missing;
        struct unit_origin origin;
};

struct path_list {
        struct path_entry *items;
        size_t n;
};

/* A string list (After=, Environment=, Documentation=, ...). */
struct str_list {
        char **items; /* NULL-terminated, may be NULL when empty */
        size_t n;
        struct unit_origin origin; /* of the last assignment */
};

/* BindPaths=/BindReadOnlyPaths=: "[-]SRC[:DEST[:OPTIONS]]", OPTIONS rbind|norbind. */
struct bind_mount {
        char *source;      /* host path (absolute, normalized) */
        char *destination; /* sandbox path (absolute, normalized) */
        bool read_only;
        bool recursive; /* rbind (default) */
        bool ignore_missing;
        struct unit_origin origin;
        const char *key; /* for messages, of a bind hutch adds ("StateDirectory="); NULL: the Bind key */
};

/* TemporaryFileSystem=: "PATH[:OPTIONS]" */
struct tmpfs_mount {
        char *path;
        char *options; /* mount options as written, or NULL (defaults: mode=0755,nosuid,nodev) */
        struct unit_origin origin;
};

/* ExecStart=: systemd prefixes '-' (failure ignored: exit status counts as success),
 * '@' (argv[0] given separately: path is the first word, argv[0] the second),
 * ':' (no environment variable expansion). '+' and '!' (run outside the sandbox /
 * without privileges dropped) are refused by the loader: nothing in hutch escapes it. */
struct exec_command {
        char *path;  /* the executable: absolute, or a bare name searched in PATH of the sandbox */
        char **argv; /* NULL-terminated; argv[0] is what the program sees */
        bool ignore_failure;
        bool no_env_expand;
        struct unit_origin origin;
};

/* The commands a service runs beside ExecStart=, each key a list run in the order written
 * (systemd.service(5)); the same prefixes as ExecStart=. */
enum exec_control {
        EXEC_CONDITION,  /* before all else: exit 1-254 skips the start (not a failure) */
        EXEC_START_PRE,  /* before ExecStart=, each in a sandbox of its own */
        EXEC_START_POST, /* once the service is started (READY=1 for notify), in its sandbox */
        EXEC_RELOAD,     /* on a reload request (SIGHUP to hutch), in the service's sandbox */
        EXEC_STOP,       /* on a stop, before KillSignal=, in the service's sandbox */
        EXEC_STOP_POST,  /* after the service ended, however it did, each in a sandbox of its own */
        _EXEC_CONTROL_MAX,
};

struct exec_command_list {
        struct exec_command *items;
        size_t n;
};

/* IOReadBandwidthMax=, IOWriteBandwidthMax= ("PATH BYTES"), IOReadIOPSMax=, IOWriteIOPSMax=
 * ("PATH IOPS"): one limit of one kind for the disk behind PATH. */
struct io_limit {
        char *path;       /* a block device node, or a file or directory on the file system */
        uint64_t per_sec; /* bytes or I/O operations per second; LIMIT_INFINITY for none */
        struct unit_origin origin;
};

/* DevicePolicy=: which device nodes the payload may open or create (systemd's names). */
enum device_policy {
        DEVICE_POLICY_AUTO,   /* default: no restriction unless DeviceAllow= lists devices */
        DEVICE_POLICY_CLOSED, /* DeviceAllow= and the pseudo devices (null, zero, tty, ptys...) */
        DEVICE_POLICY_STRICT, /* DeviceAllow= alone */
        _DEVICE_POLICY_MAX,
};

/* DeviceAllow= access, by the kernel's values for cgroup device programs (BPF_DEVCG_ACC_*). */
#define DEVICE_ACCESS_MKNOD 1u
#define DEVICE_ACCESS_READ 2u
#define DEVICE_ACCESS_WRITE 4u
#define DEVICE_ACCESS_ALL (DEVICE_ACCESS_MKNOD | DEVICE_ACCESS_READ | DEVICE_ACCESS_WRITE)

/* DeviceAllow= "SPEC [rwm]": SPEC is a device node (/dev/sda, /dev/char/4:1) or a driver's name in
 * /proc/devices, a glob ("char-pts", "block-loop", "char-tty*"), resolved at each start. */
struct device_allow {
        char *spec;
        unsigned access; /* DEVICE_ACCESS_*, never 0 */
        struct unit_origin origin;
};

/* IPAddressAllow=, IPAddressDeny=: one address prefix, its address masked to its length
 * (10.1.2.3/8 is 10.0.0.0/8). */
struct ip_prefix {
        bool ipv6;
        unsigned char prefixlen; /* 0..32, 0..128 */
        uint8_t addr[16];        /* network byte order; IPv4 uses the first 4 */
        struct unit_origin origin;
};

struct ip_prefix_list {
        struct ip_prefix *items;
        size_t n;
};

enum io_limit_kind {
        IO_READ_BANDWIDTH_MAX,
        IO_WRITE_BANDWIDTH_MAX,
        IO_READ_IOPS_MAX,
        IO_WRITE_IOPS_MAX,
        _IO_LIMIT_KIND_MAX,
};

/* Per kind: the unit key, its field in io.max ("rbps"), and its JSON name for the rate. */
struct io_limit_kind_info {
        const char *key;
        const char *io_max_field;
        const char *json_rate;
};
extern const struct io_limit_kind_info model_io_limit_kinds[_IO_LIMIT_KIND_MAX];

/* SystemCallFilter= entries in the order written. The effective set is computed by
 * model_syscall_filter_effective(): the first entry decides allow-list (no '~') or
 * deny-list ('~'), later entries add or remove as systemd does. */
struct syscall_rule {
        char *name; /* a syscall name or an "@group" */
        bool deny;  /* written with '~' */
        struct unit_origin origin;
};

/* SuccessExitStatus=/RestartPreventExitStatus=: exit codes 0..255 and signals 1..64. */
struct exit_status_set {
        uint8_t status[256 / 8];
        uint8_t signal[65 / 8 + 1];
        bool set;
        struct unit_origin origin;
};

static inline bool exit_status_set_has_status(const struct exit_status_set *s, int status) {
        return status >= 0 && status < 256 && (s->status[status / 8] >> (status % 8) & 1);
}
static inline bool exit_status_set_has_signal(const struct exit_status_set *s, int sig) {
        return sig > 0 && sig <= 64 && (s->signal[sig / 8] >> (sig % 8) & 1);
}
static inline void exit_status_set_add_status(struct exit_status_set *s, int status) {
        if (status >= 0 && status < 256)
                s->status[status / 8] |= (uint8_t) (1u << (status % 8));
}
static inline void exit_status_set_add_signal(struct exit_status_set *s, int sig) {
        if (sig > 0 && sig <= 64)
                s->signal[sig / 8] |= (uint8_t) (1u << (sig % 8));
}

/* A limit that may be unset, a number, or infinity (UINT64_MAX). */
#define LIMIT_INFINITY UINT64_MAX
struct limit {
        bool set;
        uint64_t value; /* bytes, count or weight; LIMIT_INFINITY for "infinity" */
        struct unit_origin origin;
};

/* Limit*= rlimits: "SOFT[:HARD]" or one value for both. */
struct rlimit_setting {
        bool set;
        rlim_t soft, hard; /* RLIM_INFINITY for infinity */
        struct unit_origin origin;
};

enum service_type {
        SERVICE_EXEC, /* default */
        SERVICE_SIMPLE,
        SERVICE_NOTIFY,
        SERVICE_ONESHOT,
        SERVICE_FORKING, /* ExecStart='s process forks the daemon and exits once it is ready */
        _SERVICE_TYPE_MAX,
};

/* NotifyAccess=: who in the sandbox may send notify messages (systemd's; "exec": the main process
 * and the control command that runs, ExecStartPre= and the others). */
enum notify_access {
        NOTIFY_ACCESS_NONE, /* default; "main" for Type=notify or with WatchdogSec= */
        NOTIFY_ACCESS_MAIN,
        NOTIFY_ACCESS_EXEC,
        NOTIFY_ACCESS_ALL,
        _NOTIFY_ACCESS_MAX,
};

enum restart_policy {
        RESTART_NO, /* default */
        RESTART_ON_SUCCESS,
        RESTART_ON_FAILURE,
        RESTART_ON_ABNORMAL,
        RESTART_ON_WATCHDOG,
        RESTART_ON_ABORT,
        RESTART_ALWAYS,
        _RESTART_POLICY_MAX,
};

enum root_mode {
        ROOT_READ_ONLY, /* default */
        ROOT_VOLATILE,
        ROOT_PERSISTENT,
        _ROOT_MODE_MAX,
};

enum private_users {
        PRIVATE_USERS_NO, /* default */
        PRIVATE_USERS_YES,
        PRIVATE_USERS_IDENTITY,
        _PRIVATE_USERS_MAX,
};

/* ProtectProc=: the procfs hidepid= of the sandbox's /proc (systemd's names). */
enum protect_proc {
        PROTECT_PROC_DEFAULT, /* default: every process of the sandbox visible */
        PROTECT_PROC_NOACCESS,
        PROTECT_PROC_INVISIBLE,
        PROTECT_PROC_PTRACEABLE,
        _PROTECT_PROC_MAX,
};

/* ProcSubset=: all of /proc, or only the process directories (subset=pid). */
enum proc_subset {
        PROC_SUBSET_ALL, /* default */
        PROC_SUBSET_PID,
        _PROC_SUBSET_MAX,
};

/* ProtectHome=: what the sandbox sees of /home, /root and /run/user. hutch's default is yes
 * (systemd's is no). */
enum protect_home {
        PROTECT_HOME_NO,
        PROTECT_HOME_YES, /* default: inaccessible */
        PROTECT_HOME_READ_ONLY,
        PROTECT_HOME_TMPFS, /* an empty read-only tmpfs over each */
        _PROTECT_HOME_MAX,
};

/* KillMode=: who gets KillSignal= at a stop. (process and none cannot be: the sandbox's processes
 * end with its PID namespace once the main process has exited.) */
enum kill_mode {
        KILL_MODE_CONTROL_GROUP, /* every process of the service's cgroup */
        KILL_MODE_MIXED,         /* the main process alone */
        _KILL_MODE_MAX,
};

/* OOMPolicy=: what an OOM kill of one of the service's processes does to the service. */
enum oom_policy {
        OOM_POLICY_STOP,     /* default: the service is stopped, result oom-kill */
        OOM_POLICY_CONTINUE, /* logged; the service goes on */
        OOM_POLICY_KILL,     /* the rest of the service is killed at once, result oom-kill */
        _OOM_POLICY_MAX,
};

/* ExitType=: when a service's run is over. */
enum exit_type {
        EXIT_TYPE_MAIN,   /* default: when the main process exits (the rest goes with the sandbox) */
        EXIT_TYPE_CGROUP, /* when its last process has exited; the main process's status counts */
        _EXIT_TYPE_MAX,
};

/* TimeoutStartFailureMode=, TimeoutStopFailureMode=: what a start or stop that takes too long gets. */
enum timeout_mode {
        TIMEOUT_MODE_TERMINATE, /* default: KillSignal= (start), FinalKillSignal= (stop) */
        TIMEOUT_MODE_ABORT,     /* WatchdogSignal=, for a core dump, then as terminate */
        TIMEOUT_MODE_KILL,      /* FinalKillSignal= at once */
        _TIMEOUT_MODE_MAX,
};

/* ProtectSystem=: which parts of a writable root (RootMode=volatile, persistent) are read-only.
 * With RootMode=read-only the whole root is, which is strict. */
enum protect_system {
        PROTECT_SYSTEM_NO,     /* default */
        PROTECT_SYSTEM_YES,    /* /usr, /boot, /efi */
        PROTECT_SYSTEM_FULL,   /* and /etc */
        PROTECT_SYSTEM_STRICT, /* the whole root: RootMode=read-only */
        _PROTECT_SYSTEM_MAX,
};

/* StandardInput=, StandardOutput=, StandardError=: where the service's fds 0, 1 and 2 come from
 * (systemd.exec(5)). The files are opened on the host by hutch, for every command of the unit. */
enum std_stream {
        STD_STREAM_DEFAULT, /* unset: hutch's own fd 0, 1 or 2 (under systemd: /dev/null, the journal);
                             * for stderr, the same as stdout when StandardOutput= is set */
        STD_STREAM_INHERIT, /* output: stdin's fd (stderr: stdout's), as systemd's "inherit" */
        STD_STREAM_JOURNAL, /* output: hutch's own stdout or stderr, which systemd connects to the journal */
        STD_STREAM_NULL,    /* /dev/null */
        STD_STREAM_FILE,    /* file:PATH: input read from it; output written from its start, not truncated */
        STD_STREAM_APPEND,  /* output: append:PATH */
        STD_STREAM_TRUNCATE, /* output: truncate:PATH */
        _STD_STREAM_MAX,
};

struct std_stream_setting {
        enum std_stream kind;
        char *path; /* absolute, for FILE, APPEND and TRUNCATE; else NULL */
        struct unit_origin origin;
};

/* SystemCallErrorNumber=: an errno, or "kill" (kill the process). */
#define SYSCALL_ERRNO_KILL (-1)

/* RestrictNamespaces=: the set of namespace types the payload may still create (CLONE_NEW*
 * flags). Default (yes) is 0: none. "no" is every type. */
#define NAMESPACE_FLAGS_ALL                                                                    \
        (0x00020000 /*NS*/ | 0x02000000 /*CGROUP*/ | 0x04000000 /*UTS*/ | 0x08000000 /*IPC*/ | \
         0x10000000 /*USER*/ | 0x20000000 /*PID*/ | 0x40000000 /*NET*/ | 0x00000080 /*TIME*/)

struct unit_section_unit {
        char *description;
        struct str_list documentation;
        struct str_list after, before, wants, requires, binds_to, part_of, conflicts;
        usec_t start_limit_interval; /* default 10 s */
        unsigned start_limit_burst;  /* default 5 */
        struct unit_origin start_limit_origin;
};

struct unit_section_service {
        struct exec_command exec_start;                           /* required: path == NULL means missing */
        struct exec_command_list exec_control[_EXEC_CONTROL_MAX]; /* ExecStartPre= and the rest */
        enum service_type type;
        enum restart_policy restart;
        usec_t restart_sec;       /* default 100 ms, as systemd */
        unsigned restart_steps;   /* default 0: no backoff */
        usec_t restart_max_delay; /* default infinity: unset */
        struct exit_status_set restart_prevent_exit_status;
        struct exit_status_set success_exit_status;
        usec_t timeout_start; /* default 90 s; USEC_INFINITY disables */
        usec_t timeout_stop;  /* default 90 s */
        /* RuntimeMaxSec=: how long the service may run once started (default infinity), plus up
         * to RuntimeRandomizedExtraSec= (default 0) picked at random each run. */
        usec_t runtime_max, runtime_randomized_extra;
        int kill_signal;       /* default SIGTERM */
        int final_kill_signal; /* FinalKillSignal=: at TimeoutStopSec=, default SIGKILL */
        int watchdog_signal;   /* WatchdogSignal=: at a watchdog timeout, default SIGABRT */
        bool send_sighup;      /* SendSIGHUP=: SIGHUP right after KillSignal=, default no */
        /* RemainAfterExit=: after a successful end the unit stays active (hutch waits for the stop,
         * then runs ExecStop= and ExecStopPost=); default no. */
        bool remain_after_exit;
        enum exit_type exit_type;
        enum oom_policy oom_policy;
        enum timeout_mode timeout_start_mode, timeout_stop_mode;
        /* TimeoutAbortSec=: how long a service may take to exit after WatchdogSignal= (a watchdog
         * timeout, or a timeout with the mode abort); unset: TimeoutStopSec=. */
        usec_t timeout_abort;
        bool timeout_abort_set;
        enum kill_mode kill_mode; /* default KILL_MODE_CONTROL_GROUP, as systemd */
        enum notify_access notify_access;
        usec_t watchdog;             /* default 0: off */
        struct str_list environment; /* "NAME=value", later assignments of a name win */
        struct path_list environment_files;
        struct str_list pass_environment; /* PassEnvironment=: names taken from hutch's environment */
        /* UnsetEnvironment=: names (or exact NAME=VALUE assignments) taken out of the final
         * environment. */
        struct str_list unset_environment;
        bool ignore_sigpipe; /* IgnoreSIGPIPE=, default yes as systemd: SIGPIPE starts ignored */
        struct std_stream_setting std_input, std_output, std_error;
        /* PIDFile=: for Type=forking, where the daemon writes its pid (a path in the sandbox,
         * absolute; systemd's relative form is below /run); NULL: unset. GuessMainPID=: without
         * one, whether the only process left is taken for the daemon (default yes). */
        char *pid_file;
        struct unit_origin pid_file_origin;
        bool guess_main_pid;
        /* SyslogIdentifier=, SyslogFacility=, SyslogLevel=, SyslogLevelPrefix=: for systemd's journal
         * stream, which the generator sets up (NULL / -1: unset). */
        char *syslog_identifier;
        int syslog_facility;     /* unshifted (LOG_DAEMON >> 3 is 3): 0-11, 16-23; -1: unset */
        int syslog_level;        /* LOG_EMERG..LOG_DEBUG (0-7), -1: unset */
        int syslog_level_prefix; /* -1 unset, 0, 1 */
        char *working_directory; /* NULL: "/" (or the user's home with '~') */
        bool working_directory_missing_ok;
        bool working_directory_home; /* "~" */
        char *user;                  /* NULL: root */
        char *group;
        struct str_list supplementary_groups;
        mode_t umask; /* default 0022 */
        /* OOMScoreAdjust=: the payload's /proc/PID/oom_score_adj (-1000..1000); unset: the value hutch
         * was started with (under systemd, the service's OOMScoreAdjust=). */
        int oom_score_adjust;
        bool oom_score_adjust_set;
        /* Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity=: set on the payload before it runs;
         * what is unset it inherits from hutch. */
        int nice;
        bool nice_set;
        int cpu_sched_policy; /* SCHED_OTHER, ...; -1: unset */
        int cpu_sched_priority;
        bool cpu_sched_priority_set;
        int cpu_sched_reset_on_fork; /* -1: unset, 0, 1 */
        int io_sched_class;          /* IOPRIO_CLASS_NONE..IDLE (0-3); -1: unset */
        int io_sched_priority;       /* 0-7; -1: unset */
        char *cpu_affinity;          /* a CPU list in cpuset.cpus form ("0-3,6"); NULL: unset */
        struct unit_origin cpu_sched_origin, io_sched_origin;
        struct rlimit_setting rlimits[RLIM_NLIMITS];
        struct unit_origin type_origin, restart_origin, user_origin, group_origin, working_directory_origin,
                watchdog_origin, notify_access_origin;
        /* Added for model_validate()'s messages; {NULL, 0} when the key was not written. */
        struct unit_origin restart_sec_origin, restart_steps_origin, restart_max_delay_origin;
        /* TimeoutStartSec= was written (in a file or with -p). The loader resolves the default: without
         * it, Type=oneshot has no start timeout (timeout_start = USEC_INFINITY), as in systemd. */
        bool timeout_start_set;
        struct unit_origin timeout_start_origin;
};

/* RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory=, ConfigurationDirectory=:
 * directories below /run, /var/lib, /var/cache, /var/log and /etc that hutch makes on the host
 * for the service, owned by User= (not ConfigurationDirectory=), and binds into the sandbox
 * writable (ConfigurationDirectory= read-only), as systemd's. */
enum exec_directory {
        EXEC_DIRECTORY_RUNTIME,
        EXEC_DIRECTORY_STATE,
        EXEC_DIRECTORY_CACHE,
        EXEC_DIRECTORY_LOGS,
        EXEC_DIRECTORY_CONFIGURATION,
        _EXEC_DIRECTORY_MAX,
};

/* RuntimeDirectoryPreserve=: whether the runtime directories outlive a run. */
enum runtime_preserve {
        RUNTIME_PRESERVE_NO,      /* default: removed when the payload's run ends */
        RUNTIME_PRESERVE_YES,     /* never removed */
        RUNTIME_PRESERVE_RESTART, /* kept across automatic restarts, removed at the end */
        _RUNTIME_PRESERVE_MAX,
};

struct unit_section_sandbox {
        char *root_directory;    /* default "/" */
        struct path_list layers; /* lowest first */
        enum root_mode root_mode;
        char *upper_directory;
        struct bind_mount *binds;
        size_t n_binds;
        struct tmpfs_mount *tmpfs;
        size_t n_tmpfs;
        struct path_list read_only_paths, read_write_paths, inaccessible_paths;
        bool private_tmp;     /* default yes */
        bool private_devices; /* default yes */
        bool private_network; /* default yes */
        enum private_users private_users;
        enum protect_proc protect_proc;
        enum proc_subset proc_subset;
        char *hostname; /* default: the unit name */
        /* ProtectHostname=: sethostname() and setdomainname() refused by the system call filter,
         * whatever SystemCallFilter= says; default yes. The UTS namespace is the sandbox's own
         * either way. */
        bool protect_hostname;
        struct unit_origin root_directory_origin, root_mode_origin, upper_directory_origin, hostname_origin,
                private_users_origin, private_network_origin, protect_proc_origin, proc_subset_origin;
        enum protect_home protect_home; /* default yes */
        enum protect_system protect_system;
        struct unit_origin protect_system_origin;
        /* ProtectCredentials= (hutch's own key): the password hash files and host keys of /etc in
         * the sandbox's root are inaccessible; default yes. */
        bool protect_credentials;
        struct unit_origin protect_home_origin, protect_credentials_origin;
        /* By enum exec_directory: paths relative to the type's root ("foo", "foo/bar"), and the
         * mode of each innermost directory (default 0755). */
        struct str_list directories[_EXEC_DIRECTORY_MAX];
        mode_t directory_mode[_EXEC_DIRECTORY_MAX];
        enum runtime_preserve runtime_directory_preserve;
};

struct unit_section_resources {
        struct limit cpu_weight; /* 1..10000 */
        struct limit cpu_quota;  /* per-mille of one CPU... stored as usec per second: 150% -> 1500000 */
        char *allowed_cpus;      /* cpuset list as written after validation, e.g. "0-1,3" */
        struct unit_origin allowed_cpus_origin;
        struct limit memory_min, memory_low, memory_high, memory_max, memory_swap_max;
        struct limit tasks_max;
        struct limit io_weight;                         /* 1..10000 */
        struct io_limit *io_limits[_IO_LIMIT_KIND_MAX]; /* by enum io_limit_kind */
        size_t n_io_limits[_IO_LIMIT_KIND_MAX];
        enum device_policy device_policy;
        struct unit_origin device_policy_origin;
        struct device_allow *device_allow;
        size_t n_device_allow;
        /* Packets of the payload's sockets: allowed when the peer (source of what comes in,
         * destination of what goes out) is in the allow list, else dropped when in the deny list,
         * else allowed (systemd's rules). */
        struct ip_prefix_list ip_address_allow, ip_address_deny;
};

struct unit_section_security {
        uint64_t capability_bounding_set; /* bit N = capability N; default 0 (empty) */
        uint64_t ambient_capabilities;    /* default 0 */
        struct unit_origin capability_bounding_set_origin, ambient_capabilities_origin;
        bool no_new_privileges;              /* default yes */
        struct syscall_rule *syscall_filter; /* NULL/0 with syscall_filter_set false: the default */
        size_t n_syscall_filter;
        bool syscall_filter_set; /* an assignment was made (even "SystemCallFilter=" resets to none) */
        /* "SystemCallFilter=" (empty) was written: only then does a list that starts with '~' become
         * systemd's pure deny list. Without the reset, '~' entries take calls out of hutch's default
         * allow list, so a unit that only denies something never ends up less filtered. */
        bool syscall_filter_reset;
        int syscall_error_number;              /* default EPERM; SYSCALL_ERRNO_KILL */
        struct str_list syscall_architectures; /* default "native" */
        unsigned long restrict_namespaces;     /* allowed CLONE_NEW* flags; default 0 */
        /* RestrictAddressFamilies=: bit N is address family N. With address_families_allow, the
         * families socket() may create (none set: "none"); without, those it may not (none set:
         * no restriction). Default: allow AF_UNIX, AF_INET, AF_INET6, AF_NETLINK. */
        bool address_families_allow;
        uint64_t address_families;
        bool lock_personality;          /* default yes */
        bool restrict_realtime;         /* default yes */
        bool restrict_suid_sgid;        /* default yes */
        bool memory_deny_write_execute; /* default no */
        bool protect_kernel_tunables;   /* default yes */
        bool protect_kernel_modules;    /* default yes */
        bool protect_kernel_logs;       /* default yes */
        bool protect_clock;             /* default yes */
};

struct unit_section_install {
        struct str_list wanted_by, required_by, alias;
};

struct hutch_unit {
        char *name;          /* "web", "web@blue" */
        char *template_name; /* "web@" for an instance, else NULL */
        char *instance;      /* "blue", or NULL */
        char *fragment_path; /* the main file, NULL when built from -p only */
        char **sources;      /* every file that contributed, in the order applied (fragment, drop-ins) */
        size_t n_sources;
        bool masked;

        struct unit_section_unit unit;
        struct unit_section_service service;
        struct unit_section_sandbox sandbox;
        struct unit_section_resources resources;
        struct unit_section_security security;
        struct unit_section_install install;
};

/* A list of problems found in a unit: verify prints them all, run refuses on any. */
struct unit_problem {
        struct unit_origin origin;
        char *key; /* "MemoryMax" or NULL */
        char *message;
};

struct unit_problems {
        struct unit_problem *items;
        size_t n;
};

int unit_problems_add(struct unit_problems *p, struct unit_origin origin, const char *key, const char *fmt,
                      ...) _printf_(4, 5);
void unit_problems_clear(struct unit_problems *p);
/* Prints "file:line: Key: message" (or "file: message" without a line) for each, to f. */
void unit_problems_print(const struct unit_problems *p, FILE *f);

/* Allocates a unit with every default of DESIGN.md set (secure by default). */
struct hutch_unit *model_unit_new(const char *name);
void model_unit_free(struct hutch_unit *u);
static inline void model_unit_freep(struct hutch_unit **u) {
        model_unit_free(*u);
}
#define _cleanup_unit_ _cleanup_(model_unit_freep)

/* Cross-key checks that need the whole unit (ExecStart= present, UpperDirectory= only with
 * RootMode=persistent, AmbientCapabilities= within the bounding set, MemoryLow <= MemoryHigh <=
 * MemoryMax, ...). Appends to `problems`; returns the number of problems added. Touches no file. */
int model_validate(const struct hutch_unit *u, struct unit_problems *problems);

/* The effective SystemCallFilter=: fills `ret_allow` (true: an allow list) and `ret_names`
 * (NULL-terminated, malloc'ed, group names kept with '@' for the builder to expand with
 * the syscall group table). Returns 0 or -ENOMEM. */
int model_syscall_filter_effective(const struct hutch_unit *u, bool *ret_allow, char ***ret_names);

/* Names of enums, systemd's spelling ("on-failure"), and the reverse. */
const char *service_type_to_string(enum service_type t);
int service_type_from_string(const char *s);
const char *notify_access_to_string(enum notify_access a);
int notify_access_from_string(const char *s);
/* NotifyAccess= in effect: as systemd, "none" becomes "main" where the service needs the socket
 * (Type=notify, or WatchdogSec= set). */
enum notify_access model_notify_access(const struct hutch_unit *u);
const char *restart_policy_to_string(enum restart_policy p);
int restart_policy_from_string(const char *s);
const char *root_mode_to_string(enum root_mode m);
int root_mode_from_string(const char *s);
/* Address families by systemd's names (AF_UNIX, ...; aliases AF_LOCAL, AF_FILE, AF_ROUTE):
 * the kernel's number, or -EINVAL; and a number's name, or NULL. */
int address_family_from_string(const char *s);
const char *address_family_to_string(int af);
#define ADDRESS_FAMILIES_DEFAULT \
        ((UINT64_C(1) << 1) | (UINT64_C(1) << 2) | (UINT64_C(1) << 10) | (UINT64_C(1) << 16))
const char *device_policy_to_string(enum device_policy p);
int device_policy_from_string(const char *s);
/* Whether the unit's devices are filtered at all (a cgroup device program): a policy other
 * than auto, or any DeviceAllow= entry. */
bool model_device_filter(const struct hutch_unit *u);
/* Whether the unit filters IP packets (IPAddressAllow= or IPAddressDeny= lists something). */
bool model_ip_filter(const struct hutch_unit *u);
const char *protect_proc_to_string(enum protect_proc p);
int protect_proc_from_string(const char *s);
const char *proc_subset_to_string(enum proc_subset p);
int proc_subset_from_string(const char *s);
const char *private_users_to_string(enum private_users p);
int private_users_from_string(const char *s);
const char *runtime_preserve_to_string(enum runtime_preserve p);
int runtime_preserve_from_string(const char *s);
/* For each enum exec_directory: its key ("StateDirectory"), the host directory its paths are
 * relative to ("/var/lib"), and the variable the payload finds them in ("STATE_DIRECTORY"). */
const char *exec_directory_key(enum exec_directory t);
const char *exec_directory_root(enum exec_directory t);
const char *exec_directory_env(enum exec_directory t);
const char *protect_home_to_string(enum protect_home p);
/* Also accepts the booleans (yes/true/on/1 ... as parse_boolean), as systemd's ProtectHome=. */
int protect_home_from_string(const char *s);
/* CPUSchedulingPolicy= names by SCHED_* value; IOSchedulingClass= names by IOPRIO_CLASS_* value. */
const char *cpu_sched_policy_to_string(int p);
int cpu_sched_policy_from_string(const char *s);
const char *io_sched_class_to_string(int c);
int io_sched_class_from_string(const char *s);
/* "default" (never written), "inherit", "journal", "null", "file", "append", "truncate" */
const char *std_stream_to_string(enum std_stream k);
/* "kern", "user", ..., "ftp" for 0-11, "local0".."local7" for 16-23; NULL otherwise (12-15 too, as
 * systemd names none of them). from_string takes a name or, as systemd, one of those numbers. */
const char *syslog_facility_to_string(int f);
int syslog_facility_from_string(const char *s);
/* "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug" for 0-7; NULL otherwise.
 * from_string takes a name or, as systemd, a number 0-7. */
const char *syslog_level_to_string(int l);
int syslog_level_from_string(const char *s);
/* "ExecCondition", "ExecStartPre", ... (the key's name) */
const char *exec_control_to_string(enum exec_control c);
int exec_control_from_string(const char *s);
const char *oom_policy_to_string(enum oom_policy p);
int oom_policy_from_string(const char *s);
const char *exit_type_to_string(enum exit_type t);
int exit_type_from_string(const char *s);
const char *timeout_mode_to_string(enum timeout_mode m);
int timeout_mode_from_string(const char *s);
const char *kill_mode_to_string(enum kill_mode m);
int kill_mode_from_string(const char *s);
const char *protect_system_to_string(enum protect_system p);
/* Also accepts the booleans, as systemd's ProtectSystem=. */
int protect_system_from_string(const char *s);
/* What ProtectSystem= a unit has in effect: strict with RootMode=read-only, else its own. */
enum protect_system model_protect_system(const struct unit_section_sandbox *sb);
/* The paths ProtectSystem=yes makes read-only (NULL-terminated); full adds /etc. */
extern const char *const protect_system_paths[];
/* The paths ProtectHome= and ProtectCredentials= act on, inside the sandbox (NULL-terminated). */
extern const char *const protect_home_paths[];
extern const char *const protect_credentials_paths[];
/* Directories of keys that ProtectCredentials= replaces with an empty one that cannot be listed
 * (NULL-terminated): a BindReadOnlyPaths= below shows one key alone. */
extern const char *const protect_credentials_dirs[];
/* ProtectKernelModules=: the module trees, inaccessible where the root has them (systemd's). */
extern const char *const protect_kernel_modules_paths[];

/* Output for `hutch show`: every effective setting, defaults included. */
int model_format_ini(const struct hutch_unit *u, FILE *f);
int model_format_json(const struct hutch_unit *u, FILE *f);
