/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model's life cycle: a unit with every default set (secure by default), freeing it,
 * the problem list, and the names of the enums. */

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hutch/model.h"
#include "hutch/parse.h"
#include "hutch/strv.h"

/* ---- problems ---- */

/* A problem outlives the unit it was found in (verify prints after the unit is gone), so
 * the origin's file name is copied and owned by the problem list. */
int unit_problems_add(struct unit_problems *p, struct unit_origin origin, const char *key, const char *fmt,
                      ...) {
        struct unit_problem *items = realloc(p->items, (p->n + 1) * sizeof(*items));
        if (!items)
                return -ENOMEM;
        p->items = items;

        struct unit_problem *n = &p->items[p->n];
        *n = (struct unit_problem){.origin = {.line = origin.line}};

        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&n->message, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        if (origin.file) {
                char *f = strdup(origin.file);
                if (!f) {
                        free(n->message);
                        return -ENOMEM;
                }
                n->origin.file = f;
        }
        if (key) {
                n->key = strdup(key);
                if (!n->key) {
                        free((char *) n->origin.file);
                        free(n->message);
                        return -ENOMEM;
                }
        }
        p->n++;
        return 0;
}

void unit_problems_clear(struct unit_problems *p) {
        if (!p)
                return;
        for (size_t i = 0; i < p->n; i++) {
                free((char *) p->items[i].origin.file);
                free(p->items[i].key);
                free(p->items[i].message);
        }
        free(p->items);
        p->items = NULL;
        p->n = 0;
}

const char *unit_origin_prefix(struct unit_origin o, char *buf, size_t size) {
        if (o.file && o.line > 0)
                snprintf(buf, size, "%s:%u: ", o.file, o.line);
        else if (o.file)
                snprintf(buf, size, "%s: ", o.file);
        else if (size > 0)
                buf[0] = 0;
        return buf;
}

void unit_problems_print(const struct unit_problems *p, FILE *f) {
        for (size_t i = 0; i < p->n; i++) {
                const struct unit_problem *q = &p->items[i];
                char where[512];
                fputs(unit_origin_prefix(q->origin, where, sizeof where), f);
                if (q->key)
                        fprintf(f, "%s: ", q->key);
                fprintf(f, "%s\n", q->message);
        }
}

/* ---- defaults ---- */

/* The default Hostname= is the unit name; an instance name such as "web@blue" holds
 * characters sethostname() takes but that are no valid host name, so those become '-'. */
static char *default_hostname(const char *name) {
        if (!name || !*name)
                return strdup("hutch");
        size_t l = strnlen(name, 64);
        char *h = strndup(name, l);
        if (!h)
                return NULL;
        for (char *c = h; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '-' || *c == '.'))
                        *c = '-';
        /* no leading or trailing '-' or '.' */
        while (l > 0 && (h[l - 1] == '-' || h[l - 1] == '.'))
                h[--l] = 0;
        size_t lead = strspn(h, "-.");
        if (lead > 0)
                memmove(h, h + lead, l - lead + 1);
        if (!*h) {
                free(h);
                return strdup("hutch");
        }
        return h;
}

struct hutch_unit *model_unit_new(const char *name) {
        struct hutch_unit *u = new0(struct hutch_unit, 1);
        if (!u)
                return NULL;

        if (name) {
                u->name = strdup(name);
                if (!u->name)
                        goto fail;
        }

        /* [Unit]: systemd's DefaultStartLimitIntervalSec=10s, DefaultStartLimitBurst=5 */
        u->unit.start_limit_interval = 10 * USEC_PER_SEC;
        u->unit.start_limit_burst = 5;

        /* [Service] */
        u->service.type = SERVICE_EXEC;
        u->service.restart = RESTART_NO;
        u->service.restart_sec = 100 * USEC_PER_MSEC;
        u->service.restart_steps = 0;
        u->service.restart_max_delay = USEC_INFINITY;
        u->service.timeout_start = 90 * USEC_PER_SEC;
        u->service.timeout_stop = 90 * USEC_PER_SEC;
        u->service.runtime_max = USEC_INFINITY;
        u->service.kill_signal = SIGTERM;
        u->service.final_kill_signal = SIGKILL;
        u->service.watchdog_signal = SIGABRT;
        u->service.watchdog = 0;
        u->service.umask = 0022;
        u->service.ignore_sigpipe = true;
        u->service.guess_main_pid = true; /* systemd's default; PIDFile= starts unset (NULL) */
        u->service.cpu_sched_policy = -1;
        u->service.cpu_sched_reset_on_fork = -1;
        u->service.io_sched_class = -1;
        u->service.io_sched_priority = -1;
        /* StandardInput=, StandardOutput=, StandardError= start at STD_STREAM_DEFAULT (0) */
        u->service.syslog_facility = -1;
        u->service.syslog_level = -1;
        u->service.syslog_level_prefix = -1;

        /* [Sandbox]: read-only host root, private /tmp, /dev and network */
        u->sandbox.root_directory = strdup("/");
        if (!u->sandbox.root_directory)
                goto fail;
        u->sandbox.root_mode = ROOT_READ_ONLY;
        u->sandbox.private_tmp = true;
        u->sandbox.private_devices = true;
        u->sandbox.private_network = true;
        u->sandbox.private_users = PRIVATE_USERS_NO;
        u->sandbox.protect_hostname = true;
        /* /home, /root, /run/user and the credential files of /etc hidden: a root payload reads
         * them through owner permissions, whatever its capabilities (systemd's defaults are no). */
        u->sandbox.protect_home = PROTECT_HOME_YES;
        u->sandbox.protect_credentials = true;
        for (size_t i = 0; i < _EXEC_DIRECTORY_MAX; i++)
                u->sandbox.directory_mode[i] = 0755;
        u->sandbox.hostname = default_hostname(name);
        if (!u->sandbox.hostname)
                goto fail;

        /* [Security]: no capabilities, no_new_privs, the default filter, everything restricted */
        u->security.capability_bounding_set = 0;
        u->security.ambient_capabilities = 0;
        u->security.no_new_privileges = true;
        u->security.syscall_error_number = EPERM;
        if (strv_extend(&u->security.syscall_architectures.items, "native") < 0)
                goto fail;
        u->security.syscall_architectures.n = 1;
        u->security.restrict_namespaces = 0;
        u->security.address_families_allow = true;
        u->security.address_families = ADDRESS_FAMILIES_DEFAULT;
        u->security.lock_personality = true;
        u->security.restrict_realtime = true;
        u->security.restrict_suid_sgid = true;
        u->security.memory_deny_write_execute = false;
        u->security.protect_kernel_tunables = true;
        u->security.protect_kernel_modules = true;
        u->security.protect_kernel_logs = true;
        u->security.protect_clock = true;

        return u;
fail:
        model_unit_free(u);
        return NULL;
}

/* ---- freeing ---- */

static void str_list_done(struct str_list *l) {
        strv_free(l->items);
        l->items = NULL;
        l->n = 0;
}

static void exec_command_done(struct exec_command *c) {
        free(c->path);
        strv_free(c->argv);
}

static void path_list_done(struct path_list *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->items[i].path);
        free(l->items);
        l->items = NULL;
        l->n = 0;
}

const struct io_limit_kind_info model_io_limit_kinds[_IO_LIMIT_KIND_MAX] = {
        [IO_READ_BANDWIDTH_MAX] = {"IOReadBandwidthMax", "rbps", "bytes_per_second"},
        [IO_WRITE_BANDWIDTH_MAX] = {"IOWriteBandwidthMax", "wbps", "bytes_per_second"},
        [IO_READ_IOPS_MAX] = {"IOReadIOPSMax", "riops", "iops"},
        [IO_WRITE_IOPS_MAX] = {"IOWriteIOPSMax", "wiops", "iops"},
};

static void io_limits_free(struct io_limit *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(l[i].path);
        free(l);
}

void model_unit_free(struct hutch_unit *u) {
        if (!u)
                return;

        free(u->name);
        free(u->template_name);
        free(u->instance);
        free(u->fragment_path);
        for (size_t i = 0; i < u->n_sources; i++)
                free(u->sources[i]);
        free(u->sources);

        free(u->unit.description);
        str_list_done(&u->unit.documentation);
        str_list_done(&u->unit.after);
        str_list_done(&u->unit.before);
        str_list_done(&u->unit.wants);
        str_list_done(&u->unit.requires);
        str_list_done(&u->unit.binds_to);
        str_list_done(&u->unit.part_of);
        str_list_done(&u->unit.conflicts);

        exec_command_done(&u->service.exec_start);
        for (size_t i = 0; i < _EXEC_CONTROL_MAX; i++) {
                for (size_t j = 0; j < u->service.exec_control[i].n; j++)
                        exec_command_done(&u->service.exec_control[i].items[j]);
                free(u->service.exec_control[i].items);
        }
        str_list_done(&u->service.environment);
        path_list_done(&u->service.environment_files);
        str_list_done(&u->service.pass_environment);
        str_list_done(&u->service.unset_environment);
        free(u->service.std_input.path);
        free(u->service.std_output.path);
        free(u->service.std_error.path);
        free(u->service.syslog_identifier);
        free(u->service.pid_file);
        free(u->service.working_directory);
        free(u->service.user);
        free(u->service.group);
        free(u->service.cpu_affinity);
        str_list_done(&u->service.supplementary_groups);

        free(u->sandbox.root_directory);
        path_list_done(&u->sandbox.layers);
        free(u->sandbox.upper_directory);
        for (size_t i = 0; i < u->sandbox.n_binds; i++) {
                free(u->sandbox.binds[i].source);
                free(u->sandbox.binds[i].destination);
        }
        free(u->sandbox.binds);
        for (size_t i = 0; i < u->sandbox.n_tmpfs; i++) {
                free(u->sandbox.tmpfs[i].path);
                free(u->sandbox.tmpfs[i].options);
        }
        free(u->sandbox.tmpfs);
        path_list_done(&u->sandbox.read_only_paths);
        path_list_done(&u->sandbox.read_write_paths);
        path_list_done(&u->sandbox.inaccessible_paths);
        free(u->sandbox.hostname);
        for (size_t i = 0; i < _EXEC_DIRECTORY_MAX; i++)
                str_list_done(&u->sandbox.directories[i]);

        free(u->resources.allowed_cpus);
        for (size_t i = 0; i < _IO_LIMIT_KIND_MAX; i++)
                io_limits_free(u->resources.io_limits[i], u->resources.n_io_limits[i]);
        for (size_t i = 0; i < u->resources.n_device_allow; i++)
                free(u->resources.device_allow[i].spec);
        free(u->resources.device_allow);
        free(u->resources.ip_address_allow.items);
        free(u->resources.ip_address_deny.items);

        for (size_t i = 0; i < u->security.n_syscall_filter; i++)
                free(u->security.syscall_filter[i].name);
        free(u->security.syscall_filter);
        str_list_done(&u->security.syscall_architectures);

        str_list_done(&u->install.wanted_by);
        str_list_done(&u->install.required_by);
        str_list_done(&u->install.alias);

        free(u);
}

/* ---- enum names ---- */

static const char *const notify_access_table[_NOTIFY_ACCESS_MAX] = {
        [NOTIFY_ACCESS_NONE] = "none",
        [NOTIFY_ACCESS_MAIN] = "main",
        [NOTIFY_ACCESS_EXEC] = "exec",
        [NOTIFY_ACCESS_ALL] = "all",
};
static const char *const service_type_table[_SERVICE_TYPE_MAX] = {
        [SERVICE_EXEC] = "exec",       [SERVICE_SIMPLE] = "simple",   [SERVICE_NOTIFY] = "notify",
        [SERVICE_ONESHOT] = "oneshot", [SERVICE_FORKING] = "forking",
};

static const char *const restart_policy_table[_RESTART_POLICY_MAX] = {
        [RESTART_NO] = "no",
        [RESTART_ON_SUCCESS] = "on-success",
        [RESTART_ON_FAILURE] = "on-failure",
        [RESTART_ON_ABNORMAL] = "on-abnormal",
        [RESTART_ON_WATCHDOG] = "on-watchdog",
        [RESTART_ON_ABORT] = "on-abort",
        [RESTART_ALWAYS] = "always",
};

static const char *const exec_control_table[_EXEC_CONTROL_MAX] = {
        [EXEC_CONDITION] = "ExecCondition",
        [EXEC_START_PRE] = "ExecStartPre",
        [EXEC_START_POST] = "ExecStartPost",
        [EXEC_RELOAD] = "ExecReload",
        [EXEC_STOP] = "ExecStop",
        [EXEC_STOP_POST] = "ExecStopPost",
};

static const char *const root_mode_table[_ROOT_MODE_MAX] = {
        [ROOT_READ_ONLY] = "read-only",
        [ROOT_VOLATILE] = "volatile",
        [ROOT_PERSISTENT] = "persistent",
};

static const char *const private_users_table[_PRIVATE_USERS_MAX] = {
        [PRIVATE_USERS_NO] = "no",
        [PRIVATE_USERS_YES] = "yes",
        [PRIVATE_USERS_IDENTITY] = "identity",
};

static const char *const device_policy_table[_DEVICE_POLICY_MAX] = {
        [DEVICE_POLICY_AUTO] = "auto",
        [DEVICE_POLICY_CLOSED] = "closed",
        [DEVICE_POLICY_STRICT] = "strict",
};

static const char *const protect_proc_table[_PROTECT_PROC_MAX] = {
        [PROTECT_PROC_DEFAULT] = "default",
        [PROTECT_PROC_NOACCESS] = "noaccess",
        [PROTECT_PROC_INVISIBLE] = "invisible",
        [PROTECT_PROC_PTRACEABLE] = "ptraceable",
};

static const char *const proc_subset_table[_PROC_SUBSET_MAX] = {
        [PROC_SUBSET_ALL] = "all",
        [PROC_SUBSET_PID] = "pid",
};

static const char *const runtime_preserve_table[_RUNTIME_PRESERVE_MAX] = {
        [RUNTIME_PRESERVE_NO] = "no",
        [RUNTIME_PRESERVE_YES] = "yes",
        [RUNTIME_PRESERVE_RESTART] = "restart",
};

static const struct {
        const char *key, *root, *env;
} exec_directory_table[_EXEC_DIRECTORY_MAX] = {
        [EXEC_DIRECTORY_RUNTIME] = {"RuntimeDirectory", "/run", "RUNTIME_DIRECTORY"},
        [EXEC_DIRECTORY_STATE] = {"StateDirectory", "/var/lib", "STATE_DIRECTORY"},
        [EXEC_DIRECTORY_CACHE] = {"CacheDirectory", "/var/cache", "CACHE_DIRECTORY"},
        [EXEC_DIRECTORY_LOGS] = {"LogsDirectory", "/var/log", "LOGS_DIRECTORY"},
        [EXEC_DIRECTORY_CONFIGURATION] = {"ConfigurationDirectory", "/etc", "CONFIGURATION_DIRECTORY"},
};

const char *exec_directory_key(enum exec_directory t) {
        return exec_directory_table[t].key;
}
const char *exec_directory_root(enum exec_directory t) {
        return exec_directory_table[t].root;
}
const char *exec_directory_env(enum exec_directory t) {
        return exec_directory_table[t].env;
}

static const char *const protect_home_table[_PROTECT_HOME_MAX] = {
        [PROTECT_HOME_NO] = "no",
        [PROTECT_HOME_YES] = "yes",
        [PROTECT_HOME_READ_ONLY] = "read-only",
        [PROTECT_HOME_TMPFS] = "tmpfs",
};

static const char *const protect_system_table[_PROTECT_SYSTEM_MAX] = {
        [PROTECT_SYSTEM_NO] = "no",
        [PROTECT_SYSTEM_YES] = "yes",
        [PROTECT_SYSTEM_FULL] = "full",
        [PROTECT_SYSTEM_STRICT] = "strict",
};

/* ProtectSystem=yes, as systemd's; full adds /etc. */
const char *const protect_system_paths[] = {"/usr", "/boot", "/efi", NULL};

/* ProtectHome=: where systemd keeps users' files. */
const char *const protect_home_paths[] = {"/home", "/root", "/run/user", NULL};
/* /lib/modules is skipped where /lib is a link to /usr/lib (merged /usr): the same tree. */
const char *const protect_kernel_modules_paths[] = {"/usr/lib/modules", "/lib/modules", NULL};

/* ProtectCredentials=: files of /etc holding password hashes or a host's private keys. A root
 * payload reads them through their owner bits, whatever its capabilities. */
const char *const protect_credentials_paths[] = {
        "/etc/shadow",
        "/etc/shadow-",
        "/etc/gshadow",
        "/etc/gshadow-",
        "/etc/security/opasswd",
        "/var/backups/shadow.bak", /* Debian's daily copies (cron.daily/passwd) */
        "/var/backups/gshadow.bak",
        "/etc/ssh/ssh_host_rsa_key",
        "/etc/ssh/ssh_host_ecdsa_key",
        "/etc/ssh/ssh_host_ed25519_key",
        "/etc/ssh/ssh_host_dsa_key",
        "/etc/krb5.keytab",
        "/var/cache/debconf/passwords.dat", /* Debian's store of answers marked as passwords */
        NULL,
};
const char *const protect_credentials_dirs[] = {"/etc/ssl/private", "/etc/wireguard", NULL};

/* The kernel's address family numbers (<linux/socket.h>), named as systemd names them: every
 * AF_ name of the C library's <sys/socket.h> but AF_UNSPEC and AF_MAX. The first name of a
 * number is the one printed. */
static const struct {
        const char *name;
        int af;
} address_families[] = {
        {"AF_UNIX", 1},     {"AF_LOCAL", 1},      {"AF_FILE", 1},        {"AF_INET", 2},
        {"AF_AX25", 3},     {"AF_IPX", 4},        {"AF_APPLETALK", 5},   {"AF_NETROM", 6},
        {"AF_BRIDGE", 7},   {"AF_ATMPVC", 8},     {"AF_X25", 9},         {"AF_INET6", 10},
        {"AF_ROSE", 11},    {"AF_DECnet", 12},    {"AF_NETBEUI", 13},    {"AF_SECURITY", 14},
        {"AF_KEY", 15},     {"AF_NETLINK", 16},   {"AF_ROUTE", 16},      {"AF_PACKET", 17},
        {"AF_ASH", 18},     {"AF_ECONET", 19},    {"AF_ATMSVC", 20},     {"AF_RDS", 21},
        {"AF_SNA", 22},     {"AF_IRDA", 23},      {"AF_PPPOX", 24},      {"AF_WANPIPE", 25},
        {"AF_LLC", 26},     {"AF_IB", 27},        {"AF_MPLS", 28},       {"AF_CAN", 29},
        {"AF_TIPC", 30},    {"AF_BLUETOOTH", 31}, {"AF_IUCV", 32},       {"AF_RXRPC", 33},
        {"AF_ISDN", 34},    {"AF_PHONET", 35},    {"AF_IEEE802154", 36}, {"AF_CAIF", 37},
        {"AF_ALG", 38},     {"AF_NFC", 39},       {"AF_VSOCK", 40},      {"AF_KCM", 41},
        {"AF_QIPCRTR", 42}, {"AF_SMC", 43},       {"AF_XDP", 44},        {"AF_MCTP", 45},
};

int address_family_from_string(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(address_families); i++)
                if (streq(address_families[i].name, s))
                        return address_families[i].af;
        return -EINVAL;
}

const char *address_family_to_string(int af) {
        for (size_t i = 0; i < ELEMENTSOF(address_families); i++)
                if (address_families[i].af == af)
                        return address_families[i].name;
        return NULL;
}

static const char *table_to_string(const char *const *table, size_t n, int i) {
        if (i < 0 || (size_t) i >= n)
                return NULL;
        return table[i];
}

static int table_from_string(const char *const *table, size_t n, const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int) i;
        return -EINVAL;
}

/* A name of the table or, as systemd's lookups with a numeric fallback, the number of an entry
 * that has a name (so that what is read back prints as a name). */
static int table_from_string_or_number(const char *const *table, size_t n, const char *s) {
        int r = table_from_string(table, n, s);
        uint64_t v;
        if (r < 0 && s && parse_uint64_range(s, 0, n - 1, &v, NULL) == 0 && table[v])
                r = (int) v;
        return r;
}

static const char *const std_stream_table[_STD_STREAM_MAX] = {
        [STD_STREAM_DEFAULT] = "default",   [STD_STREAM_INHERIT] = "inherit",
        [STD_STREAM_JOURNAL] = "journal",   [STD_STREAM_NULL] = "null",
        [STD_STREAM_FILE] = "file",         [STD_STREAM_APPEND] = "append",
        [STD_STREAM_TRUNCATE] = "truncate",
};

/* systemd's log_facility_unshifted table: the facility numbers of <syslog.h> unshifted; 12-15
 * (ntp, security, console, solaris-cron there) have no name in systemd. */
static const char *const syslog_facility_table[24] = {
        "kern",   "user",   "mail",   "daemon",   "auth",   "syslog",        "lpr",
        "news",   "uucp",   "cron",   "authpriv", "ftp",    [16] = "local0", "local1",
        "local2", "local3", "local4", "local5",   "local6", "local7",
};

static const char *const syslog_level_table[8] = {
        "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

const char *std_stream_to_string(enum std_stream k) {
        return table_to_string(std_stream_table, ELEMENTSOF(std_stream_table), (int) k);
}
const char *syslog_facility_to_string(int f) {
        return table_to_string(syslog_facility_table, ELEMENTSOF(syslog_facility_table), f);
}
int syslog_facility_from_string(const char *s) {
        return table_from_string_or_number(syslog_facility_table, ELEMENTSOF(syslog_facility_table), s);
}
const char *syslog_level_to_string(int l) {
        return table_to_string(syslog_level_table, ELEMENTSOF(syslog_level_table), l);
}
int syslog_level_from_string(const char *s) {
        return table_from_string_or_number(syslog_level_table, ELEMENTSOF(syslog_level_table), s);
}

/* By SCHED_* value (4, SCHED_ISO, was never implemented), and by IOPRIO_CLASS_* value. */
static const char *const cpu_sched_policy_table[] = {"other", "fifo", "rr", "batch", NULL, "idle"};
static const char *const io_sched_class_table[] = {"none", "realtime", "best-effort", "idle"};

const char *cpu_sched_policy_to_string(int p) {
        return table_to_string(cpu_sched_policy_table, ELEMENTSOF(cpu_sched_policy_table), p);
}
int cpu_sched_policy_from_string(const char *s) {
        return table_from_string(cpu_sched_policy_table, ELEMENTSOF(cpu_sched_policy_table), s);
}
const char *io_sched_class_to_string(int c) {
        return table_to_string(io_sched_class_table, ELEMENTSOF(io_sched_class_table), c);
}
int io_sched_class_from_string(const char *s) {
        return table_from_string(io_sched_class_table, ELEMENTSOF(io_sched_class_table), s);
}

const char *service_type_to_string(enum service_type t) {
        return table_to_string(service_type_table, ELEMENTSOF(service_type_table), (int) t);
}
int service_type_from_string(const char *s) {
        return table_from_string(service_type_table, ELEMENTSOF(service_type_table), s);
}
const char *notify_access_to_string(enum notify_access a) {
        return table_to_string(notify_access_table, ELEMENTSOF(notify_access_table), (int) a);
}
int notify_access_from_string(const char *s) {
        return table_from_string(notify_access_table, ELEMENTSOF(notify_access_table), s);
}
enum notify_access model_notify_access(const struct hutch_unit *u) {
        bool needs = u->service.type == SERVICE_NOTIFY ||
                     (u->service.watchdog > 0 && u->service.watchdog != USEC_INFINITY);
        if (u->service.notify_access == NOTIFY_ACCESS_NONE && needs)
                return NOTIFY_ACCESS_MAIN;
        return u->service.notify_access;
}
const char *restart_policy_to_string(enum restart_policy p) {
        return table_to_string(restart_policy_table, ELEMENTSOF(restart_policy_table), (int) p);
}
int restart_policy_from_string(const char *s) {
        return table_from_string(restart_policy_table, ELEMENTSOF(restart_policy_table), s);
}
const char *exec_control_to_string(enum exec_control c) {
        return table_to_string(exec_control_table, ELEMENTSOF(exec_control_table), (int) c);
}
int exec_control_from_string(const char *s) {
        return table_from_string(exec_control_table, ELEMENTSOF(exec_control_table), s);
}
const char *root_mode_to_string(enum root_mode m) {
        return table_to_string(root_mode_table, ELEMENTSOF(root_mode_table), (int) m);
}
int root_mode_from_string(const char *s) {
        return table_from_string(root_mode_table, ELEMENTSOF(root_mode_table), s);
}
const char *device_policy_to_string(enum device_policy p) {
        return table_to_string(device_policy_table, ELEMENTSOF(device_policy_table), (int) p);
}
int device_policy_from_string(const char *s) {
        return table_from_string(device_policy_table, ELEMENTSOF(device_policy_table), s);
}

bool model_device_filter(const struct hutch_unit *u) {
        return u->resources.device_policy != DEVICE_POLICY_AUTO || u->resources.n_device_allow > 0;
}

bool model_ip_filter(const struct hutch_unit *u) {
        return u->resources.ip_address_allow.n > 0 || u->resources.ip_address_deny.n > 0;
}

const char *protect_proc_to_string(enum protect_proc p) {
        return table_to_string(protect_proc_table, ELEMENTSOF(protect_proc_table), (int) p);
}
int protect_proc_from_string(const char *s) {
        return table_from_string(protect_proc_table, ELEMENTSOF(protect_proc_table), s);
}
const char *proc_subset_to_string(enum proc_subset p) {
        return table_to_string(proc_subset_table, ELEMENTSOF(proc_subset_table), (int) p);
}
int proc_subset_from_string(const char *s) {
        return table_from_string(proc_subset_table, ELEMENTSOF(proc_subset_table), s);
}
const char *private_users_to_string(enum private_users p) {
        return table_to_string(private_users_table, ELEMENTSOF(private_users_table), (int) p);
}
int private_users_from_string(const char *s) {
        return table_from_string(private_users_table, ELEMENTSOF(private_users_table), s);
}
const char *runtime_preserve_to_string(enum runtime_preserve p) {
        return table_to_string(runtime_preserve_table, ELEMENTSOF(runtime_preserve_table), (int) p);
}
int runtime_preserve_from_string(const char *s) {
        int r = table_from_string(runtime_preserve_table, ELEMENTSOF(runtime_preserve_table), s);
        bool b;
        if (r < 0 && s && parse_boolean(s, &b, NULL) >= 0)
                r = b ? RUNTIME_PRESERVE_YES : RUNTIME_PRESERVE_NO;
        return r;
}
static const char *const oom_policy_table[_OOM_POLICY_MAX] = {
        [OOM_POLICY_STOP] = "stop",
        [OOM_POLICY_CONTINUE] = "continue",
        [OOM_POLICY_KILL] = "kill",
};
const char *oom_policy_to_string(enum oom_policy p) {
        return table_to_string(oom_policy_table, ELEMENTSOF(oom_policy_table), (int) p);
}
int oom_policy_from_string(const char *s) {
        return table_from_string(oom_policy_table, ELEMENTSOF(oom_policy_table), s);
}
static const char *const exit_type_table[_EXIT_TYPE_MAX] = {
        [EXIT_TYPE_MAIN] = "main",
        [EXIT_TYPE_CGROUP] = "cgroup",
};
const char *exit_type_to_string(enum exit_type t) {
        return table_to_string(exit_type_table, ELEMENTSOF(exit_type_table), (int) t);
}
int exit_type_from_string(const char *s) {
        return table_from_string(exit_type_table, ELEMENTSOF(exit_type_table), s);
}
static const char *const timeout_mode_table[_TIMEOUT_MODE_MAX] = {
        [TIMEOUT_MODE_TERMINATE] = "terminate",
        [TIMEOUT_MODE_ABORT] = "abort",
        [TIMEOUT_MODE_KILL] = "kill",
};
const char *timeout_mode_to_string(enum timeout_mode m) {
        return table_to_string(timeout_mode_table, ELEMENTSOF(timeout_mode_table), (int) m);
}
int timeout_mode_from_string(const char *s) {
        return table_from_string(timeout_mode_table, ELEMENTSOF(timeout_mode_table), s);
}
static const char *const kill_mode_table[_KILL_MODE_MAX] = {
        [KILL_MODE_CONTROL_GROUP] = "control-group",
        [KILL_MODE_MIXED] = "mixed",
};
const char *kill_mode_to_string(enum kill_mode m) {
        return table_to_string(kill_mode_table, ELEMENTSOF(kill_mode_table), (int) m);
}
int kill_mode_from_string(const char *s) {
        return table_from_string(kill_mode_table, ELEMENTSOF(kill_mode_table), s);
}

const char *protect_system_to_string(enum protect_system p) {
        return table_to_string(protect_system_table, ELEMENTSOF(protect_system_table), (int) p);
}
int protect_system_from_string(const char *s) {
        int r = table_from_string(protect_system_table, ELEMENTSOF(protect_system_table), s);
        bool b;
        if (r < 0 && s && parse_boolean(s, &b, NULL) >= 0)
                r = b ? PROTECT_SYSTEM_YES : PROTECT_SYSTEM_NO;
        return r;
}
enum protect_system model_protect_system(const struct unit_section_sandbox *sb) {
        return sb->root_mode == ROOT_READ_ONLY ? PROTECT_SYSTEM_STRICT : sb->protect_system;
}

const char *protect_home_to_string(enum protect_home p) {
        return table_to_string(protect_home_table, ELEMENTSOF(protect_home_table), (int) p);
}
int protect_home_from_string(const char *s) {
        int r = table_from_string(protect_home_table, ELEMENTSOF(protect_home_table), s);
        bool b;
        if (r < 0 && s && parse_boolean(s, &b, NULL) >= 0)
                r = b ? PROTECT_HOME_YES : PROTECT_HOME_NO;
        return r;
}
