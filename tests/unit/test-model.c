/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The model: defaults, enum names, problems, every cross-key rule, the effective
 * SystemCallFilter=, and the shape of `hutch show` output (JSON checked by a small parser). */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hutch/model.h"
#include "hutch/parse.h"
#include "hutch/strv.h"
#include "tap.h"

/* ---- a strict little JSON checker: true when s is exactly one valid JSON value ---- */

static const char *json_value(const char *p);

static const char *json_ws(const char *p) {
        while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
                p++;
        return p;
}

static const char *json_str(const char *p) {
        if (*p != '"')
                return NULL;
        for (p++; *p != '"'; p++) {
                unsigned char c = (unsigned char) *p;
                if (c < 0x20)
                        return NULL; /* raw control characters are not allowed */
                if (c == '\\') {
                        p++;
                        if (*p == 'u') {
                                for (int i = 1; i <= 4; i++)
                                        if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
                                                return NULL;
                                p += 4;
                        } else if (!*p || !strchr("\"\\/bfnrt", *p))
                                return NULL;
                }
        }
        return p + 1;
}

static const char *json_value(const char *p) {
        p = json_ws(p);
        if (*p == '{' || *p == '[') {
                char close = *p == '{' ? '}' : ']';
                bool obj = *p == '{';
                p = json_ws(p + 1);
                if (*p == close)
                        return p + 1;
                for (;;) {
                        if (obj) {
                                p = json_str(json_ws(p));
                                if (!p)
                                        return NULL;
                                p = json_ws(p);
                                if (*p++ != ':')
                                        return NULL;
                        }
                        p = json_value(p);
                        if (!p)
                                return NULL;
                        p = json_ws(p);
                        if (*p == ',') {
                                p++;
                                continue;
                        }
                        if (*p == close)
                                return p + 1;
                        return NULL;
                }
        }
        if (*p == '"')
                return json_str(p);
        if (!strncmp(p, "true", 4))
                return p + 4;
        if (!strncmp(p, "false", 5))
                return p + 5;
        if (!strncmp(p, "null", 4))
                return p + 4;
        if (*p >= '0' && *p <= '9') {
                while (*p >= '0' && *p <= '9')
                        p++;
                return p;
        }
        return NULL;
}

static bool json_valid(const char *s) {
        const char *e = json_value(s);
        return e && *json_ws(e) == 0;
}

/* ---- helpers ---- */

static char *format(const struct hutch_unit *u, bool json) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                abort();
        int r = json ? model_format_json(u, f) : model_format_ini(u, f);
        fclose(f);
        if (r < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static void set_exec(struct hutch_unit *u, const char *path, const char *arg) {
        u->service.exec_start.path = strdup(path);
        strv_extend(&u->service.exec_start.argv, path);
        if (arg)
                strv_extend(&u->service.exec_start.argv, arg);
}

static struct hutch_unit *valid_unit(void) {
        struct hutch_unit *u = model_unit_new("web");
        u->fragment_path = strdup("/etc/hutch/web.hutch");
        set_exec(u, "/bin/true", NULL);
        return u;
}

static const struct unit_origin at12 = {"/etc/hutch/web.hutch", 12};

/* Validates u, expects exactly one problem for `key`, and checks where it points. */
static void expect_one(struct hutch_unit *u, const char *key, unsigned line, const char *what) {
        struct unit_problems p = {};
        int r = model_validate(u, &p);
        TAP_CHECK(r == 1 && p.n == 1, "%s: one problem (got %d)", what, r);
        if (p.n >= 1) {
                TAP_STREQ(p.items[0].key, key, "%s: names %s", what, key);
                TAP_CHECK(p.items[0].origin.line == line, "%s: at line %u (got %u)", what, line,
                          p.items[0].origin.line);
                TAP_STREQ(p.items[0].origin.file, "/etc/hutch/web.hutch", "%s: in the unit file", what);
        }
        unit_problems_clear(&p);
        model_unit_free(u);
}

static void expect_none(struct hutch_unit *u, const char *what) {
        struct unit_problems p = {};
        int r = model_validate(u, &p);
        TAP_CHECK(r == 0 && p.n == 0, "%s: valid (got %d problems)", what, r);
        if (p.n)
                unit_problems_print(&p, stdout);
        unit_problems_clear(&p);
        model_unit_free(u);
}

/* ---- tests ---- */

static void test_defaults(void) {
        _cleanup_unit_ struct hutch_unit *u = model_unit_new("web");
        TAP_CHECK(u, "model_unit_new");
        TAP_STREQ(u->name, "web", "name");
        TAP_CHECK(u->unit.start_limit_interval == 10 * USEC_PER_SEC, "StartLimitIntervalSec=10s");
        TAP_CHECK(u->unit.start_limit_burst == 5, "StartLimitBurst=5");
        TAP_CHECK(u->service.type == SERVICE_EXEC, "Type=exec");
        TAP_CHECK(u->service.restart == RESTART_NO, "Restart=no");
        TAP_CHECK(u->service.restart_sec == 100 * USEC_PER_MSEC, "RestartSec=100ms");
        TAP_CHECK(u->service.restart_steps == 0, "RestartSteps=0");
        TAP_CHECK(u->service.restart_max_delay == USEC_INFINITY, "RestartMaxDelaySec=infinity");
        TAP_CHECK(u->service.timeout_start == 90 * USEC_PER_SEC, "TimeoutStartSec=90s");
        TAP_CHECK(u->service.timeout_stop == 90 * USEC_PER_SEC, "TimeoutStopSec=90s");
        TAP_CHECK(u->service.kill_signal == SIGTERM, "KillSignal=SIGTERM");
        TAP_CHECK(u->service.watchdog == 0, "WatchdogSec=0");
        TAP_CHECK(u->service.umask == 0022, "UMask=0022");
        TAP_CHECK(!u->service.user && !u->service.group, "User=, Group= unset (root)");
        TAP_CHECK(u->service.std_input.kind == STD_STREAM_DEFAULT && !u->service.std_input.path &&
                          u->service.std_output.kind == STD_STREAM_DEFAULT &&
                          u->service.std_error.kind == STD_STREAM_DEFAULT,
                  "StandardInput=, StandardOutput=, StandardError= unset (hutch's own fds)");
        TAP_CHECK(!u->service.syslog_identifier && u->service.syslog_facility == -1 &&
                          u->service.syslog_level == -1 && u->service.syslog_level_prefix == -1,
                  "SyslogIdentifier=, SyslogFacility=, SyslogLevel=, SyslogLevelPrefix= unset");
        TAP_CHECK(!u->service.exec_start.path, "ExecStart= unset");
        TAP_CHECK(!u->service.pid_file && u->service.guess_main_pid, "PIDFile= unset, GuessMainPID=yes");
        TAP_STREQ(u->sandbox.root_directory, "/", "RootDirectory=/");
        TAP_CHECK(u->sandbox.root_mode == ROOT_READ_ONLY, "RootMode=read-only");
        TAP_CHECK(u->sandbox.private_tmp && u->sandbox.private_devices && u->sandbox.private_network,
                  "PrivateTmp=, PrivateDevices=, PrivateNetwork= yes");
        TAP_CHECK(u->sandbox.private_users == PRIVATE_USERS_NO, "PrivateUsers=no");
        TAP_CHECK(u->sandbox.protect_home == PROTECT_HOME_YES && u->sandbox.protect_credentials,
                  "ProtectHome=yes, ProtectCredentials=yes");
        TAP_STREQ(u->sandbox.hostname, "web", "Hostname= is the unit name");
        TAP_CHECK(u->security.capability_bounding_set == 0 && u->security.ambient_capabilities == 0,
                  "no capabilities");
        TAP_CHECK(u->security.no_new_privileges, "NoNewPrivileges=yes");
        TAP_CHECK(!u->security.syscall_filter_set, "SystemCallFilter= default");
        TAP_CHECK(u->security.syscall_error_number == EPERM, "SystemCallErrorNumber=EPERM");
        TAP_CHECK(u->security.syscall_architectures.n == 1 &&
                          streq_ptr(u->security.syscall_architectures.items[0], "native") &&
                          !u->security.syscall_architectures.items[1],
                  "SystemCallArchitectures=native");
        TAP_CHECK(u->security.restrict_namespaces == 0, "RestrictNamespaces=yes (none allowed)");
        TAP_CHECK(u->security.lock_personality && u->security.restrict_realtime &&
                          u->security.restrict_suid_sgid,
                  "LockPersonality=, RestrictRealtime=, RestrictSUIDSGID= yes");
        TAP_CHECK(!u->security.memory_deny_write_execute, "MemoryDenyWriteExecute=no");
        TAP_CHECK(u->security.protect_kernel_tunables && u->security.protect_kernel_modules &&
                          u->security.protect_kernel_logs && u->security.protect_clock,
                  "ProtectKernel*=, ProtectClock= yes");
        TAP_CHECK(!u->resources.memory_max.set && !u->resources.cpu_weight.set &&
                          !u->resources.tasks_max.set,
                  "no resource limit set by default");

        _cleanup_unit_ struct hutch_unit *i = model_unit_new("web@blue.1");
        TAP_STREQ(i->sandbox.hostname, "web-blue.1", "an instance's default Hostname= has '@' replaced");
        _cleanup_unit_ struct hutch_unit *l = model_unit_new(
                "a-very-long-unit-name-that-goes-on-and-on-well-past-the-limit-of-host-names@x");
        TAP_CHECK(l && strlen(l->sandbox.hostname) <= 64 && hostname_is_valid(l->sandbox.hostname),
                  "a long name gives a valid host name of at most 64 characters ('%s')",
                  l->sandbox.hostname);
        _cleanup_unit_ struct hutch_unit *e = model_unit_new("@.x@");
        TAP_CHECK(e && hostname_is_valid(e->sandbox.hostname),
                  "leading and trailing separators dropped ('%s')", e->sandbox.hostname);
        _cleanup_unit_ struct hutch_unit *n = model_unit_new(NULL);
        TAP_CHECK(n && !n->name, "a unit without a name");
        model_unit_free(NULL);
        TAP_CHECK(true, "model_unit_free(NULL) is a no-op");
}

static void test_enums(void) {
        for (int i = 0; i < _SERVICE_TYPE_MAX; i++)
                TAP_CHECK(service_type_from_string(service_type_to_string(i)) == i, "Type round trip %s",
                          service_type_to_string(i));
        for (int i = 0; i < _RESTART_POLICY_MAX; i++)
                TAP_CHECK(restart_policy_from_string(restart_policy_to_string(i)) == i,
                          "Restart round trip %s", restart_policy_to_string(i));
        for (int i = 0; i < _ROOT_MODE_MAX; i++)
                TAP_CHECK(root_mode_from_string(root_mode_to_string(i)) == i, "RootMode round trip %s",
                          root_mode_to_string(i));
        for (int i = 0; i < _PRIVATE_USERS_MAX; i++)
                TAP_CHECK(private_users_from_string(private_users_to_string(i)) == i,
                          "PrivateUsers round trip %s", private_users_to_string(i));
        TAP_STREQ(restart_policy_to_string(RESTART_ON_ABNORMAL), "on-abnormal", "systemd spelling");
        TAP_CHECK(service_type_from_string("forking") == SERVICE_FORKING &&
                          streq_ptr(service_type_to_string(SERVICE_FORKING), "forking"),
                  "Type=forking");
        TAP_CHECK(service_type_from_string("dbus") == -EINVAL, "Type=dbus unknown");
        TAP_CHECK(restart_policy_from_string("On-Failure") == -EINVAL,
                  "names are case-sensitive as in systemd");
        static const char *const controls[] = {"ExecCondition", "ExecStartPre", "ExecStartPost",
                                               "ExecReload",    "ExecStop",     "ExecStopPost"};
        TAP_CHECK(ELEMENTSOF(controls) == _EXEC_CONTROL_MAX, "six control command keys");
        for (int i = 0; i < _EXEC_CONTROL_MAX; i++) {
                TAP_STREQ(exec_control_to_string(i), controls[i], "control command %d is %s=", i,
                          controls[i]);
                TAP_CHECK(exec_control_from_string(controls[i]) == i, "%s round trip", controls[i]);
        }
        TAP_CHECK(exec_control_from_string("ExecStart") == -EINVAL &&
                          exec_control_from_string("execstop") == -EINVAL &&
                          exec_control_to_string(_EXEC_CONTROL_MAX) == NULL,
                  "ExecStart is no control command; names case-sensitive; out of range -> NULL");
        /* systemd's spellings (log_facility_unshifted, log_level tables), by number both ways */
        static const char *const facilities[24] = {
                "kern",   "user",   "mail",   "daemon",   "auth",   "syslog",        "lpr",
                "news",   "uucp",   "cron",   "authpriv", "ftp",    [16] = "local0", "local1",
                "local2", "local3", "local4", "local5",   "local6", "local7"};
        for (int i = 0; i < 24; i++) {
                TAP_CHECK(streq_ptr(syslog_facility_to_string(i), facilities[i]), "facility %d is %s", i,
                          facilities[i] ? facilities[i] : "(none)");
                if (facilities[i])
                        TAP_CHECK(syslog_facility_from_string(facilities[i]) == i, "%s reads back as %d",
                                  facilities[i], i);
        }
        TAP_CHECK(syslog_facility_from_string("daemon") == 3 && syslog_facility_from_string("3") == 3 &&
                          syslog_facility_from_string("23") == 23,
                  "facilities by name or by number, as systemd");
        TAP_CHECK(syslog_facility_from_string("ntp") < 0 && syslog_facility_from_string("12") < 0 &&
                          syslog_facility_from_string("15") < 0 && syslog_facility_from_string("24") < 0 &&
                          syslog_facility_from_string("Daemon") < 0 && syslog_facility_from_string("") < 0 &&
                          syslog_facility_to_string(-1) == NULL && syslog_facility_to_string(24) == NULL,
                  "12-15 (no name in systemd), 24 and other names refused");
        static const char *const levels[] = {"emerg",   "alert",  "crit", "err",
                                             "warning", "notice", "info", "debug"};
        for (int i = 0; i < 8; i++) {
                TAP_STREQ(syslog_level_to_string(i), levels[i], "level %d is %s", i, levels[i]);
                TAP_CHECK(syslog_level_from_string(levels[i]) == i, "%s reads back as %d", levels[i], i);
        }
        TAP_CHECK(syslog_level_from_string("6") == 6 && syslog_level_from_string("8") < 0 &&
                          syslog_level_from_string("error") < 0 && syslog_level_from_string("warn") < 0 &&
                          syslog_level_to_string(8) == NULL && syslog_level_to_string(-1) == NULL,
                  "levels by name or 0-7; other names refused");
        static const char *const streams[] = {"default", "inherit", "journal", "null",
                                              "file",    "append",  "truncate"};
        TAP_CHECK(ELEMENTSOF(streams) == _STD_STREAM_MAX, "seven stream kinds");
        for (int i = 0; i < _STD_STREAM_MAX; i++)
                TAP_STREQ(std_stream_to_string(i), streams[i], "stream kind %d is %s", i, streams[i]);
        TAP_CHECK(std_stream_to_string(_STD_STREAM_MAX) == NULL, "stream kind out of range -> NULL");
        TAP_CHECK(root_mode_from_string(NULL) == -EINVAL, "NULL refused");
        TAP_CHECK(service_type_to_string(_SERVICE_TYPE_MAX) == NULL, "out of range -> NULL");
}

static void test_problems(void) {
        struct unit_problems p = {};
        char file[] = "/etc/hutch/a.hutch";
        unit_problems_add(&p, (struct unit_origin){file, 3}, "MemoryMax", "bad %s", "size");
        unit_problems_add(&p, (struct unit_origin){file, 0}, NULL, "masked");
        unit_problems_add(&p, (struct unit_origin){NULL, 0}, "ExecStart", "missing");
        file[1] = 'X'; /* the list keeps its own copy of the file name */
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        unit_problems_print(&p, f);
        fclose(f);
        TAP_STREQ(buf,
                  "/etc/hutch/a.hutch:3: MemoryMax: bad size\n/etc/hutch/a.hutch: masked\nExecStart: "
                  "missing\n",
                  "problems print as file:line: Key: message");
        free(buf);
        unit_problems_clear(&p);
        TAP_CHECK(p.n == 0 && !p.items, "cleared");
        unit_problems_clear(NULL);
}

static void test_validate(void) {
        struct hutch_unit *u;

        expect_none(valid_unit(), "ExecStart= alone");

        u = valid_unit();
        free(u->service.exec_start.path);
        u->service.exec_start.path = NULL;
        expect_one(u, "ExecStart", 0, "ExecStart= missing");

        u = valid_unit();
        u->service.type = SERVICE_ONESHOT;
        u->service.restart = RESTART_ALWAYS;
        u->service.restart_origin = at12;
        expect_one(u, "Restart", 12, "Type=oneshot with Restart=always");
        u = valid_unit();
        u->service.type = SERVICE_ONESHOT;
        u->service.restart = RESTART_ON_SUCCESS;
        u->service.restart_origin = at12;
        expect_one(u, "Restart", 12, "Type=oneshot with Restart=on-success");
        u = valid_unit();
        u->service.type = SERVICE_ONESHOT;
        u->service.restart = RESTART_ON_FAILURE;
        expect_none(u, "Type=oneshot with Restart=on-failure");

        u = valid_unit();
        u->service.watchdog = 5 * USEC_PER_SEC;
        u->service.watchdog_origin = at12;
        expect_one(u, "WatchdogSec", 12, "WatchdogSec= with Type=exec");
        u = valid_unit();
        u->service.watchdog = 5 * USEC_PER_SEC;
        u->service.type = SERVICE_NOTIFY;
        expect_none(u, "WatchdogSec= with Type=notify");

        u = valid_unit();
        u->service.pid_file = strdup("/run/web.pid");
        u->service.pid_file_origin = at12;
        expect_one(u, "PIDFile", 12, "PIDFile= with Type=exec");
        u = valid_unit();
        u->service.type = SERVICE_NOTIFY;
        u->service.type_origin = (struct unit_origin){"/etc/hutch/web.hutch", 3};
        u->service.pid_file = strdup("/run/web.pid");
        u->service.pid_file_origin = at12;
        {
                struct unit_problems p = {};
                TAP_CHECK(model_validate(u, &p) == 1 && p.n == 1 && streq_ptr(p.items[0].key, "PIDFile") &&
                                  p.items[0].origin.line == 12 &&
                                  streq_ptr(p.items[0].message,
                                            "only read for Type=forking (Type=notify at "
                                            "/etc/hutch/web.hutch:3): set Type=forking or remove it"),
                          "PIDFile= with Type=notify: names PIDFile='s line and Type='s");
                unit_problems_clear(&p);
                model_unit_free(u);
        }
        u = valid_unit();
        u->service.type = SERVICE_FORKING;
        u->service.pid_file = strdup("/run/web.pid");
        expect_none(u, "PIDFile= with Type=forking");
        u = valid_unit();
        u->service.type = SERVICE_FORKING;
        u->service.guess_main_pid = false;
        expect_none(u, "Type=forking without PIDFile=, GuessMainPID=no");

        u = valid_unit();
        u->service.restart_steps = 5;
        u->service.restart_steps_origin = at12;
        expect_one(u, "RestartSteps", 12, "RestartSteps= without RestartMaxDelaySec=");
        u = valid_unit();
        u->service.restart_max_delay = 10 * USEC_PER_SEC;
        u->service.restart_max_delay_origin = at12;
        expect_one(u, "RestartMaxDelaySec", 12, "RestartMaxDelaySec= without RestartSteps=");
        u = valid_unit();
        u->service.restart_steps = 3;
        u->service.restart_sec = 2 * USEC_PER_SEC;
        u->service.restart_max_delay = 1 * USEC_PER_SEC;
        u->service.restart_max_delay_origin = at12;
        expect_one(u, "RestartMaxDelaySec", 12, "RestartMaxDelaySec= below RestartSec=");
        u = valid_unit();
        u->service.restart_steps = 3;
        u->service.restart_max_delay = 30 * USEC_PER_SEC;
        expect_none(u, "RestartSteps= with RestartMaxDelaySec=");

        u = valid_unit();
        u->sandbox.upper_directory = strdup("/var/lib/web");
        u->sandbox.upper_directory_origin = at12;
        expect_one(u, "UpperDirectory", 12, "UpperDirectory= with RootMode=read-only");
        u = valid_unit();
        u->sandbox.root_mode = ROOT_PERSISTENT;
        u->sandbox.root_mode_origin = at12;
        expect_one(u, "RootMode", 12, "RootMode=persistent without UpperDirectory=");
        u = valid_unit();
        u->sandbox.root_mode = ROOT_PERSISTENT;
        u->sandbox.upper_directory = strdup("/var/lib/web");
        expect_none(u, "RootMode=persistent with UpperDirectory=");
        u = valid_unit();
        u->sandbox.root_mode = ROOT_VOLATILE;
        expect_none(u, "RootMode=volatile");

        u = valid_unit();
        free(u->sandbox.hostname);
        u->sandbox.hostname = strdup("-bad");
        u->sandbox.hostname_origin = at12;
        expect_one(u, "Hostname", 12, "invalid Hostname=");

        u = valid_unit();
        u->sandbox.private_users = PRIVATE_USERS_IDENTITY;
        u->service.user = strdup("70000");
        u->service.user_origin = at12;
        expect_one(u, "User", 12, "PrivateUsers=identity with User=70000");
        u = valid_unit();
        u->sandbox.private_users = PRIVATE_USERS_IDENTITY;
        u->service.user = strdup("1000");
        u->service.group = strdup("www-data");
        expect_none(u, "PrivateUsers=identity with User=1000");

        u = valid_unit();
        u->security.capability_bounding_set = UINT64_C(1) << 10; /* CAP_NET_BIND_SERVICE */
        u->security.ambient_capabilities = UINT64_C(1) << 10;
        expect_none(u, "AmbientCapabilities= within the bounding set");
        u = valid_unit();
        u->security.ambient_capabilities = UINT64_C(1) << 10;
        u->security.ambient_capabilities_origin = at12;
        expect_one(u, "AmbientCapabilities", 12, "AmbientCapabilities= outside the (empty) bounding set");

        u = valid_unit();
        u->resources.memory_low = (struct limit){true, 2 << 20, at12};
        u->resources.memory_high = (struct limit){true, 1 << 20, {"/etc/hutch/web.hutch", 13}};
        expect_one(u, "MemoryLow", 12, "MemoryLow= above MemoryHigh=");
        u = valid_unit();
        u->resources.memory_min = (struct limit){true, 8 << 20, at12};
        u->resources.memory_max = (struct limit){true, 4 << 20, {"/etc/hutch/web.hutch", 13}};
        expect_one(u, "MemoryMin", 12, "MemoryMin= above MemoryMax= (MemoryLow/High unset)");
        u = valid_unit();
        u->resources.memory_high = (struct limit){true, LIMIT_INFINITY, at12};
        u->resources.memory_max = (struct limit){true, 4 << 20, {"/etc/hutch/web.hutch", 13}};
        expect_none(u, "MemoryHigh=infinity beside MemoryMax=4M: no limit, no problem");
        u = valid_unit();
        u->resources.memory_high = (struct limit){true, 8 << 20, at12};
        u->resources.memory_max = (struct limit){true, 4 << 20, {"/etc/hutch/web.hutch", 13}};
        expect_one(u, "MemoryHigh", 12, "MemoryHigh=8M above MemoryMax=4M");
        u = valid_unit();
        u->resources.memory_min = (struct limit){true, 1 << 20, at12};
        u->resources.memory_low = (struct limit){true, 2 << 20, at12};
        u->resources.memory_high = (struct limit){true, 3 << 20, at12};
        u->resources.memory_max = (struct limit){true, LIMIT_INFINITY, at12};
        expect_none(u, "MemoryMin <= MemoryLow <= MemoryHigh <= MemoryMax");

        u = valid_unit();
        u->resources.cpu_weight = (struct limit){true, 0, at12};
        expect_one(u, "CPUWeight", 12, "CPUWeight=0");
        u = valid_unit();
        u->resources.io_weight = (struct limit){true, 10001, at12};
        expect_one(u, "IOWeight", 12, "IOWeight=10001");
        u = valid_unit();
        u->resources.cpu_weight = (struct limit){true, 10000, at12};
        u->resources.io_weight = (struct limit){true, 1, at12};
        expect_none(u, "weights 10000 and 1");
        u = valid_unit();
        u->resources.cpu_quota = (struct limit){true, 0, at12};
        expect_one(u, "CPUQuota", 12, "CPUQuota=0%");
        u = valid_unit();
        u->resources.tasks_max = (struct limit){true, 0, at12};
        expect_one(u, "TasksMax", 12, "TasksMax=0");

        /* every problem is reported, not only the first */
        u = valid_unit();
        free(u->service.exec_start.path);
        u->service.exec_start.path = NULL;
        u->resources.cpu_weight = (struct limit){true, 0, at12};
        u->sandbox.root_mode = ROOT_PERSISTENT;
        struct unit_problems p = {};
        TAP_CHECK(model_validate(u, &p) == 3 && p.n == 3, "three problems, three reports");
        unit_problems_clear(&p);
        model_unit_free(u);
}

static void add_rule(struct hutch_unit *u, const char *name, bool deny) {
        struct syscall_rule *r =
                realloc(u->security.syscall_filter, (u->security.n_syscall_filter + 1) * sizeof(*r));
        u->security.syscall_filter = r;
        r[u->security.n_syscall_filter++] = (struct syscall_rule){.name = strdup(name), .deny = deny};
        u->security.syscall_filter_set = true;
}

static void test_syscall_filter(void) {
        bool allow;
        char **names;

        struct hutch_unit *u = valid_unit();
        TAP_CHECK(model_syscall_filter_effective(u, &allow, &names) == 0, "default filter");
        TAP_CHECK(allow && strv_length(names) == 2 && streq(names[0], "@default") &&
                          streq(names[1], "@system-service"),
                  "default: allow list @system-service (with @default, as an explicit one)");
        strv_free(names);
        model_unit_free(u);

        u = valid_unit();
        add_rule(u, "read", false);
        add_rule(u, "write", false);
        model_syscall_filter_effective(u, &allow, &names);
        TAP_CHECK(allow && strv_length(names) == 3 && streq(names[0], "@default") &&
                          strv_contains(names, "read") && strv_contains(names, "write"),
                  "an allow list includes @default, as systemd");
        strv_free(names);
        model_unit_free(u);

        u = valid_unit();
        add_rule(u, "@chown", true);
        model_syscall_filter_effective(u, &allow, &names);
        TAP_CHECK(allow && !strv_contains(names, "chown") && !strv_contains(names, "fchownat") &&
                          strv_contains(names, "read") && strv_contains(names, "openat"),
                  "'~' without a reset: taken out of the default allow list, never a looser deny list");
        strv_free(names);
        model_unit_free(u);

        u = valid_unit();
        u->security.syscall_filter_reset = true;
        add_rule(u, "@mount", true);
        add_rule(u, "@swap", true);
        model_syscall_filter_effective(u, &allow, &names);
        TAP_CHECK(!allow && strv_length(names) == 2 && streq(names[0], "@mount") && streq(names[1], "@swap"),
                  "after a reset, first entry '~': a deny list");
        strv_free(names);
        model_unit_free(u);

        u = valid_unit();
        add_rule(u, "@system-service", false);
        add_rule(u, "@chown", true);
        model_syscall_filter_effective(u, &allow, &names);
        TAP_CHECK(allow && !strv_contains(names, "chown") && !strv_contains(names, "fchownat") &&
                          !strv_contains(names, "@system-service") && !strv_contains(names, "@chown") &&
                          strv_contains(names, "@default") && strv_contains(names, "read") &&
                          strv_contains(names, "openat"),
                  "allow @system-service then ~@chown: expanded, chown calls gone, the rest kept");
        strv_free(names);
        model_unit_free(u);

        u = valid_unit();
        u->security.syscall_filter_reset = true;
        add_rule(u, "@mount", true);
        add_rule(u, "umount2", false);
        model_syscall_filter_effective(u, &allow, &names);
        TAP_CHECK(!allow && !strv_contains(names, "umount2") && strv_contains(names, "mount") &&
                          strv_contains(names, "pivot_root") && !strv_contains(names, "@mount"),
                  "deny ~@mount then umount2: umount2 allowed again");
        strv_free(names);
        model_unit_free(u);

        u = valid_unit();
        u->security.syscall_filter_reset = true;
        add_rule(u, "@mount", true);
        add_rule(u, "@swap", true);
        add_rule(u, "@swap", false);
        model_syscall_filter_effective(u, &allow, &names);
        TAP_CHECK(!allow && strv_length(names) == 1 && streq(names[0], "@mount"),
                  "a group taken out again by name leaves the other group unexpanded");
        strv_free(names);
        model_unit_free(u);

        u = valid_unit();
        u->security.syscall_filter_set = true;
        model_syscall_filter_effective(u, &allow, &names);
        TAP_CHECK(!allow && strv_length(names) == 0, "'SystemCallFilter=' alone: no list");
        strv_free(names);
        model_unit_free(u);
}

static void test_format(void) {
        struct hutch_unit *u = valid_unit();
        u->unit.description = strdup("say \"hi\"\\ \n\t\x01 caf\xc3\xa9 \xff end");
        strv_free(u->service.exec_start.argv);
        u->service.exec_start.argv = NULL;
        strv_extend(&u->service.exec_start.argv, "/bin/true");
        strv_extend(&u->service.exec_start.argv, "a b");
        strv_extend(&u->service.exec_start.argv, "it's");
        u->resources.memory_max = (struct limit){true, UINT64_C(1) << 30, at12};
        u->resources.cpu_quota = (struct limit){true, 1500000, at12};
        u->security.capability_bounding_set = UINT64_C(1) << 10;
        strv_extend(&u->install.wanted_by.items, "multi-user.target");
        exit_status_set_add_status(&u->service.success_exit_status, 3);
        exit_status_set_add_signal(&u->service.success_exit_status, SIGHUP);
        u->service.rlimits[RLIMIT_NOFILE] = (struct rlimit_setting){true, 1024, 4096, at12};
        u->resources.io_limits[IO_READ_BANDWIDTH_MAX] = calloc(2, sizeof(struct io_limit));
        u->resources.io_limits[IO_READ_BANDWIDTH_MAX][0] =
                (struct io_limit){strdup("/dev/sda"), 20000000, at12};
        u->resources.io_limits[IO_READ_BANDWIDTH_MAX][1] =
                (struct io_limit){strdup("/dev/vdb"), LIMIT_INFINITY, at12};
        u->resources.n_io_limits[IO_READ_BANDWIDTH_MAX] = 2;

        /* ExecStartPre=: two commands, the second with every prefix; ExecStop= empty (freed with
         * the unit: the leak checker of a sanitized build sees the lists). */
        struct exec_command_list *pre = &u->service.exec_control[EXEC_START_PRE];
        pre->items = calloc(2, sizeof(struct exec_command));
        pre->n = 2;
        pre->items[0] = (struct exec_command){.path = strdup("/bin/prep"), .origin = at12};
        strv_extend(&pre->items[0].argv, "/bin/prep");
        strv_extend(&pre->items[0].argv, "x y");
        pre->items[1] = (struct exec_command){
                .path = strdup("/bin/sh"), .ignore_failure = true, .no_env_expand = true, .origin = at12};
        strv_extend(&pre->items[1].argv, "my sh");
        strv_extend(&pre->items[1].argv, ";");

        /* the streams: a file form, a word and one unset; the syslog keys set */
        u->service.std_output =
                (struct std_stream_setting){STD_STREAM_APPEND, strdup("/var/log/web.log"), at12};
        u->service.std_error = (struct std_stream_setting){.kind = STD_STREAM_INHERIT, .origin = at12};
        u->service.syslog_identifier = strdup("web 100%");
        u->service.syslog_facility = 3;
        u->service.syslog_level = 6;
        u->service.syslog_level_prefix = 0;

        char *j = format(u, true);
        TAP_CHECK(j && json_valid(j), "JSON output is valid JSON");
        TAP_CHECK(j && strstr(j, "\"Type\": \"exec\",\n    \"PIDFile\": null,\n    \"GuessMainPID\": true,"),
                  "JSON PIDFile= unset as null, GuessMainPID= a boolean, after Type=");
        TAP_CHECK(
                j && strstr(j,
                            "\"StandardInput\": null,\n    \"StandardOutput\": "
                            "\"append:/var/log/web.log\",\n"
                            "    \"StandardError\": \"inherit\",\n    \"SyslogIdentifier\": \"web 100%\",\n"
                            "    \"SyslogFacility\": \"daemon\",\n    \"SyslogLevel\": \"info\",\n"
                            "    \"SyslogLevelPrefix\": false,"),
                "JSON streams as systemd spells them (null unset), syslog names, a boolean");
        TAP_CHECK(j && strstr(j, "\"ExecStartPre\": [{\"path\": \"/bin/prep\", \"argv\": [\"/bin/prep\", "
                                 "\"x y\"], "
                                 "\"ignore_failure\": false, \"no_environment_expansion\": false}, "
                                 "{\"path\": \"/bin/sh\", \"argv\": [\"my sh\", \";\"], "
                                 "\"ignore_failure\": true, \"no_environment_expansion\": true}]"),
                  "JSON ExecStartPre= as an array of command objects");
        TAP_CHECK(j && strstr(j, "\"ExecCondition\": [],") && strstr(j, "\"ExecStopPost\": [],"),
                  "JSON empty control command lists as []");
        if (j && !json_valid(j))
                printf("# %s\n", j);
        TAP_CHECK(
                j && strstr(j,
                            "\"Description\": \"say \\\"hi\\\"\\\\ \\n\\t\\u0001 caf\xc3\xa9 \\ufffd end\""),
                "JSON escapes quotes, backslash, controls; UTF-8 passes; a bad byte becomes U+FFFD");
        TAP_CHECK(j && strstr(j, "\"ExecStart\": [\"/bin/true\", \"a b\", \"it's\"]"),
                  "ExecStart= as an argv array");
        TAP_CHECK(j && strstr(j, "\"MemoryMax\": 1073741824"), "sizes as integer bytes");
        TAP_CHECK(j && strstr(j, "\"ProtectHome\": true") && strstr(j, "\"ProtectCredentials\": true"),
                  "ProtectHome=, ProtectCredentials= shown (defaults yes)");
        TAP_CHECK(j && strstr(j, "\"ProtectSystem\": \"strict\"") && strstr(j, "\"ProtectHostname\": true"),
                  "ProtectSystem= shown as strict for the read-only root; ProtectHostname= yes");
        TAP_CHECK(j && strstr(j, "\"MemoryHigh\": \"infinity\""), "infinity as a string");
        TAP_CHECK(j && strstr(j, "\"TimeoutStartSec\": 90000000"), "time spans as integer microseconds");
        TAP_CHECK(j && strstr(j, "\"RestartSec\": 100000"), "RestartSec= 100ms = 100000");
        TAP_CHECK(j && strstr(j, "\"PrivateTmp\": true") && strstr(j, "\"MemoryDenyWriteExecute\": false"),
                  "booleans true/false");
        TAP_CHECK(j && strstr(j, "\"WantedBy\": [\"multi-user.target\"]") && strstr(j, "\"After\": []"),
                  "lists as arrays, empty ones too");
        TAP_CHECK(j && (strstr(j, "\"CapabilityBoundingSet\": [\"cap_net_bind_service\"]") ||
                        strstr(j, "\"CapabilityBoundingSet\": [\"CAP_NET_BIND_SERVICE\"]")),
                  "capabilities by name");
        TAP_CHECK(j && strstr(j, "\"SystemCallFilter\": [\"@default\", \"@system-service\"]"),
                  "effective SystemCallFilter=");
        TAP_CHECK(j && strstr(j, "\"SuccessExitStatus\": [3, \"SIGHUP\"]"), "exit statuses and signals");
        TAP_CHECK(j && strstr(j, "\"LimitNOFILE\": {\"soft\": 1024, \"hard\": 4096}") &&
                          strstr(j, "\"LimitCORE\": null"),
                  "rlimits: soft/hard, null when inherited");
        TAP_CHECK(j && strstr(j, "\"Hostname\": \"web\"") && strstr(j, "\"UMask\": \"0022\""),
                  "Hostname=, UMask=");
        TAP_CHECK(j && strstr(j, "\"CPUQuota\": \"150%\""), "CPUQuota= as a percentage");
        TAP_CHECK(j && strstr(j, "\"IOReadBandwidthMax\": [{\"path\": \"/dev/sda\", \"bytes_per_second\": "
                                 "20000000}, "
                                 "{\"path\": \"/dev/vdb\", \"bytes_per_second\": \"infinity\"}]"),
                  "IO bandwidth limits as objects");
        const char *sections[] = {"Unit", "Service", "Sandbox", "Resources", "Security", "Install"};
        for (size_t i = 0; i < ELEMENTSOF(sections); i++) {
                char s[32];
                snprintf(s, sizeof s, "\"%s\": {", sections[i]);
                TAP_CHECK(j && strstr(j, s), "JSON object for [%s]", sections[i]);
        }
        free(j);

        char *ini = format(u, false);
        TAP_CHECK(ini && !strncmp(ini, "[Unit]\n", 7), "INI starts with [Unit]");
        TAP_CHECK(ini && strstr(ini, "\nType=exec\nPIDFile=\nGuessMainPID=yes\n"),
                  "INI PIDFile= unset as an empty assignment");
        TAP_CHECK(ini && strstr(ini, "\nExecStart=/bin/true \"a b\" \"it's\"\n"), "INI ExecStart= quoted");
        TAP_CHECK(ini && strstr(ini, "\nExecCondition=\nExecStartPre=/bin/prep \"x y\"\n"
                                     "ExecStartPre=-@:/bin/sh \"my sh\" \";\"\nExecStartPost=\nExecReload=\n"
                                     "ExecStop=\nExecStopPost=\n"),
                  "INI control commands after ExecStart=: a line each, prefixes as ExecStart=, empty ones "
                  "as empty assignments");
        TAP_CHECK(ini && strstr(ini,
                                "\nStandardInput=\nStandardOutput=append:/var/log/web.log\n"
                                "StandardError=inherit\nSyslogIdentifier=web 100%%\nSyslogFacility=daemon\n"
                                "SyslogLevel=info\nSyslogLevelPrefix=no\n"),
                  "INI streams and syslog keys in systemd's spelling, unset as an empty assignment, '%%' "
                  "doubled");
        TAP_CHECK(ini && strstr(ini, "\nMemoryMax=1G\n") && strstr(ini, "\nTimeoutStopSec=1min 30s\n"),
                  "INI sizes and time spans the systemd way");
        TAP_CHECK(ini && strstr(ini, "\nPrivateNetwork=yes\n") && strstr(ini, "\nRestrictNamespaces=yes\n"),
                  "INI booleans yes/no");
        TAP_CHECK(ini && strstr(ini, "\nSystemCallErrorNumber=EPERM\n") &&
                          strstr(ini, "\nKillSignal=SIGTERM\n"),
                  "INI errno and signal names");
        TAP_CHECK(ini && strstr(ini, "\n[Install]\nWantedBy=multi-user.target\n"), "INI [Install]");
        TAP_CHECK(ini && strstr(ini, "\nIOReadBandwidthMax=/dev/sda 20000000\nIOReadBandwidthMax=/dev/vdb "
                                     "infinity\n"),
                  "INI bandwidths in plain bytes per second");
        free(ini);
        model_unit_free(u);

        /* a deny list (after a reset) and an instance */
        u = valid_unit();
        u->security.syscall_filter_reset = true;
        add_rule(u, "@mount", true);
        u->security.restrict_namespaces = 0x40000000 | 0x08000000;
        j = format(u, true);
        TAP_CHECK(j && json_valid(j) && strstr(j, "\"SystemCallFilter\": [\"~@mount\"]"),
                  "JSON deny list with '~'");
        TAP_CHECK(j && strstr(j, "\"RestrictNamespaces\": [\"ipc\", \"net\"]"),
                  "JSON RestrictNamespaces= list");
        free(j);
        ini = format(u, false);
        TAP_CHECK(ini && strstr(ini, "\nSystemCallFilter=\nSystemCallFilter=~@mount\n") &&
                          strstr(ini, "\nRestrictNamespaces=ipc net\n"),
                  "INI deny list and namespace list");
        free(ini);
        model_unit_free(u);

        /* Type=forking with a PIDFile= ('%' doubled in the text, which expands specifiers) */
        u = valid_unit();
        u->service.type = SERVICE_FORKING;
        u->service.pid_file = strdup("/run/web/100%.pid");
        u->service.guess_main_pid = false;
        j = format(u, true);
        TAP_CHECK(j && json_valid(j) &&
                          strstr(j, "\"Type\": \"forking\",\n    \"PIDFile\": \"/run/web/100%.pid\",\n"
                                    "    \"GuessMainPID\": false,"),
                  "JSON Type=forking, PIDFile=, GuessMainPID=false");
        free(j);
        ini = format(u, false);
        TAP_CHECK(ini && strstr(ini, "\nType=forking\nPIDFile=/run/web/100%%.pid\nGuessMainPID=no\n"),
                  "INI Type=forking, PIDFile= with '%%' doubled, GuessMainPID=no");
        free(ini);
        model_unit_free(u);
}

int main(void) {
        test_defaults();
        test_enums();
        test_problems();
        test_validate();
        test_syscall_filter();
        test_format();
        return tap_done();
}
