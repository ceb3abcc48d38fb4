/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Regressions where the loader once differed from systemd: ExecStart= prefixes after
 * unquoting, how unit-name lists and SupplementaryGroups= are split, empty files masking,
 * Type=oneshot's start timeout, user names, SystemCallFilter= resets, line numbers of
 * continued lines, and the one message a missing or masked unit produces. */

#include <fcntl.h>

#include "hutch/strv.h"
#include "hutch/syscalls.h"
#include "unit-test-lib.h"

#define HEAD "[Service]\nExecStart=/bin/true\n"

/* systemd unquotes and unescapes the first word, then takes the prefixes off it. */
/* hutch show's text read back: the JSON of the unit and of the unit loaded again from its INI
 * text must be the same. */
static void expect_roundtrip(const char *what, const char *text) {
        struct hutch_unit *u = load_ok(what, text), *v = NULL;
        char *ini = NULL, *j1 = NULL, *j2 = NULL;
        size_t n = 0;
        FILE *f;
        if (u && (f = open_memstream(&ini, &n))) {
                model_format_ini(u, f);
                fclose(f);
                v = load_ok(what, ini);
        }
        if (u && v && (f = open_memstream(&j1, &n))) {
                model_format_json(u, f);
                fclose(f);
        }
        if (v && (f = open_memstream(&j2, &n))) {
                model_format_json(v, f);
                fclose(f);
        }
        /* The text too: JSON shows a resource key that is not set as the kernel's value, the text
         * as a comment, and a set one needs a controller that an unset one does not. */
        char *i2 = NULL;
        if (v && (f = open_memstream(&i2, &n))) {
                model_format_ini(v, f);
                fclose(f);
        }
        TAP_CHECK(ini && i2 && streq(ini, i2), "%s: and shows the same text again", what);
        free(i2);
        TAP_CHECK(j1 && j2 && streq(j1, j2), "%s: hutch show's text reads back as the same unit", what);
        if (j1 && j2 && !streq(j1, j2)) {
                /* the first line that differs */
                const char *a = j1, *b = j2;
                while (*a && *a == *b)
                        a++, b++;
                while (a > j1 && a[-1] != '\n')
                        a--, b--;
                printf("# first: %.*s\n# again: %.*s\n", (int) strcspn(a, "\n"), a, (int) strcspn(b, "\n"),
                       b);
        }
        free(ini);
        free(j1);
        free(j2);
        model_unit_free(u);
        model_unit_free(v);
}

static void test_exec_prefixes(void) {
        struct hutch_unit *u = load_ok("quoted prefix", "[Service]\nExecStart=\"-/bin/false\" x\n");
        if (u) {
                TAP_CHECK(u->service.exec_start.ignore_failure,
                          "'\"-/bin/false\"': '-' inside quotes is a prefix");
                TAP_STREQ(u->service.exec_start.path, "/bin/false",
                          "'\"-/bin/false\"': path without the prefix");
                TAP_STREQ(u->service.exec_start.argv[0], "/bin/false",
                          "'\"-/bin/false\"': argv[0] without it");
                TAP_STREQ(u->service.exec_start.argv[1], "x", "'\"-/bin/false\"': arguments kept");
        }
        model_unit_free(u);

        u = load_ok("escaped prefix", "[Service]\nExecStart=\\x2d:/bin/true\n");
        TAP_CHECK(u && u->service.exec_start.ignore_failure && u->service.exec_start.no_env_expand &&
                          streq(u->service.exec_start.path, "/bin/true"),
                  "'\\x2d:' unescapes to the '-' and ':' prefixes");
        model_unit_free(u);

        u = load_ok("quoted '@'", "[Service]\nExecStart='@/bin/sh' 'my sh' -c true\n");
        TAP_CHECK(u && streq(u->service.exec_start.path, "/bin/sh") &&
                          streq(u->service.exec_start.argv[0], "my sh") &&
                          strv_length(u->service.exec_start.argv) == 3,
                  "'@' inside quotes: path, then argv[0] from the next word");
        model_unit_free(u);

        u = load_ok("prefix then quoted path", "[Service]\nExecStart=-\"/bin/true\"\n");
        TAP_CHECK(u && u->service.exec_start.ignore_failure &&
                          streq(u->service.exec_start.path, "/bin/true"),
                  "-\"/bin/true\" is one word with the prefix");
        model_unit_free(u);

        expect_problem("prefix alone", "[Service]\nExecStart=- /bin/true\n", 2, "ExecStart",
                       "prefixes without a command");
        expect_problem("'@' alone", "[Service]\nExecStart=@\n", 2, "ExecStart",
                       "prefixes without a command");
        /* the refused prefixes stay refused however they are written */
        expect_problem("quoted '+'", "[Service]\nExecStart=\"+/bin/true\"\n", 2, "ExecStart", "prefix '+'");
        expect_problem("escaped '!'", "[Service]\nExecStart=\\x21/bin/true\n", 2, "ExecStart", "prefix '!'");
        expect_problem("'-' then '+'", "[Service]\nExecStart=-+/bin/true\n", 2, "ExecStart", "prefix '+'");
        /* a prefix only counts at the start of the first word */
        expect_problem("twice '-'", "[Service]\nExecStart=--/bin/true\n", 2, "ExecStart",
                       "neither an absolute");
}

static bool list_is(const struct str_list *l, const char *const *want) {
        size_t n = 0;
        for (; want[n]; n++)
                if (!l->items || !l->items[n] || !streq(l->items[n], want[n]))
                        return false;
        return l->n == n && !l->items[n];
}

static void test_list_splitting(void) {
        struct hutch_unit *u = load_ok(
                "unit-name lists",
                "[Unit]\nAfter=foo\\x2dbar.service a.target\nWants=x\\x40y.service\nRequires=r.service\n"
                "BindsTo=b\\x2d1.service\nPartOf=p.target\nConflicts=c\\x2dd.service\nBefore=z."
                "service\n" HEAD
                "[Install]\nWantedBy=\"multi-user.target\" w\\x2dx.target\nRequiredBy=r\\x2d.target\n"
                "Alias=al\\x2dias.service\n");
        if (u) {
                TAP_CHECK(list_is(&u->unit.after,
                                  (const char *const[]){"foo\\x2dbar.service", "a.target", NULL}),
                          "After=: '\\x2d' kept as written");
                TAP_CHECK(list_is(&u->unit.wants, (const char *const[]){"x\\x40y.service", NULL}),
                          "Wants=: escape kept");
                TAP_CHECK(list_is(&u->unit.binds_to, (const char *const[]){"b\\x2d1.service", NULL}),
                          "BindsTo=: escape kept");
                TAP_CHECK(list_is(&u->unit.conflicts, (const char *const[]){"c\\x2dd.service", NULL}),
                          "Conflicts=: escape kept");
                TAP_CHECK(list_is(&u->install.wanted_by,
                                  (const char *const[]){"multi-user.target", "w\\x2dx.target", NULL}),
                          "WantedBy=: quotes removed, escape kept (systemd's config_parse_strv)");
                TAP_CHECK(list_is(&u->install.required_by, (const char *const[]){"r\\x2d.target", NULL}),
                          "RequiredBy=: escape kept");
                TAP_CHECK(list_is(&u->install.alias, (const char *const[]){"al\\x2dias.service", NULL}),
                          "Alias=: escape kept");
        }
        model_unit_free(u);

        /* [Unit] dependencies do not unquote: a quote is part of the (then invalid) name */
        expect_problem("quoted dependency", "[Unit]\nAfter=\"a.service\"\n" HEAD, 2, "After",
                       "not a systemd unit name");
        /* a backslash is an ordinary character there: it does not join words */
        expect_problem("backslash-space in After=", "[Unit]\nAfter=a\\ b.service\n" HEAD, 2, "After",
                       "'a\\'");

        /* Path lists: quotes removed, a backslash takes the next character, no C escapes (systemd's
         * config_parse_namespace_path_strv()); '-' then '+', in that order only. */
        u = load_ok(
                "path list escapes", HEAD
                "[Sandbox]\nReadOnlyPaths=/a\\x20b \"/c d\" /e\\ f -+/g\nTemporaryFileSystem=/t\\x20u\n");
        if (u) {
                const struct path_list *l = &u->sandbox.read_only_paths;
                TAP_CHECK(l->n == 4 && streq(l->items[0].path, "/ax20b") &&
                                  streq(l->items[1].path, "/c d") && streq(l->items[2].path, "/e f") &&
                                  streq(l->items[3].path, "/g") && l->items[3].ignore_missing,
                          "ReadOnlyPaths=/a\\x20b \"/c d\" /e\\ f -+/g: /ax20b, '/c d', '/e f', /g (ignore "
                          "missing)");
                TAP_CHECK(u->sandbox.n_tmpfs == 1 && streq(u->sandbox.tmpfs[0].path, "/tx20u"),
                          "TemporaryFileSystem=/t\\x20u: /tx20u");
        }
        model_unit_free(u);
        expect_problem("'+' before '-'", HEAD "[Sandbox]\nReadOnlyPaths=+-/a\n", 4, "ReadOnlyPaths",
                       "absolute");

        /* BindPaths= as systemd's config_parse_bind_paths(): fields split at ':' and blanks
         * outside quotes, quotes removed, a backslash takes the next character literally; and
         * hutch show prints them so that they read back the same. */
        static const char bind_text[] = HEAD "[Sandbox]\nBindPaths=\"/a:b\":/c /d\\:e:/f /g\\ h /i\\xj\n"
                                             "BindPaths=-\"/opt x\":/o:norbind   /k\n";
        static const struct {
                const char *src, *dst;
                bool ignore, recursive;
        } binds[] = {
                {"/a:b", "/c", false, true},   {"/d:e", "/f", false, true},   {"/g h", "/g h", false, true},
                {"/ixj", "/ixj", false, true}, {"/opt x", "/o", true, false}, {"/k", "/k", false, true},
        };
        u = load_ok("bind forms", bind_text);
        for (int round = 0; round < 2 && u; round++) {
                bool same = u->sandbox.n_binds == ELEMENTSOF(binds);
                for (size_t i = 0; same && i < ELEMENTSOF(binds); i++)
                        same = streq(u->sandbox.binds[i].source, binds[i].src) &&
                               streq(u->sandbox.binds[i].destination, binds[i].dst) &&
                               u->sandbox.binds[i].ignore_missing == binds[i].ignore &&
                               u->sandbox.binds[i].recursive == binds[i].recursive;
                TAP_CHECK(same,
                          round == 0
                                  ? "BindPaths=: quoted ':', '\\:', '\\ ', '\\x', -\"...\", norbind, blanks"
                                  : "  and the same binds from hutch show's text");
                if (round == 1)
                        break;
                /* the INI text of hutch show, read again */
                char *text = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&text, &size);
                model_format_ini(u, f);
                fclose(f);
                model_unit_free(u);
                u = load_ok("bind forms from hutch show", text);
                free(text);
        }
        model_unit_free(u);
        expect_roundtrip("kitchen sink",
                         "[Unit]\nDescription=100%% \"busy\" a\\b\nAfter=a.service\n"
                         "[Service]\nExecStart=-/bin/echo \\; a;b \";\" \"x y\" 50%% $HOME\n"
                         "Environment=\"A=1 2\" B=%%\nEnvironmentFile=-/etc/my env\nEnvironmentFile=/etc/b\n"
                         "WorkingDirectory=-/srv/a b\nSuccessExitStatus=3 SIGUSR1\nLimitNOFILE=1024:4096\n"
                         "[Sandbox]\nBindPaths=\"/a:b\":/c -/d\\ e:/f:norbind\nReadOnlyPaths=\"/r s\" -/t\n"
                         "TemporaryFileSystem=/tmp/x:size=10M\n"
                         "[Resources]\nCPUQuota=12.5%\nMemoryMax=1G\nIOReadBandwidthMax=\"/dev/x y\" 1M\n");
        expect_roundtrip(
                "control commands",
                HEAD "ExecCondition=/bin/test -e \"/etc/a b\"\nExecStartPre=-/bin/echo \\; \"x y\" 50%%\n"
                     "ExecStartPre=@:/bin/sh \"my sh\" -c 'echo $X'\nExecStartPre=true\n"
                     "ExecStartPost=/bin/echo $MAINPID\nExecReload=kill -HUP $MAINPID\n"
                     "ExecStop=/bin/a\nExecStop=\nExecStopPost=/bin/echo \"\\t\" \"it's\"\n");
        expect_roundtrip("defaults", HEAD);
        expect_roundtrip("environment keys", HEAD "PassEnvironment=LANG\nUnsetEnvironment=TERM \"X=a b\"\n"
                                                  "IgnoreSIGPIPE=no\n");
        expect_roundtrip(
                "streams and syslog keys",
                HEAD "StandardInput=file:/etc/hosts\nStandardOutput=append:/var/log/a%%b c.log\n"
                     "StandardError=truncate:/tmp/x\nSyslogIdentifier=my app %%1\nSyslogFacility=local0\n"
                     "SyslogLevel=debug\nSyslogLevelPrefix=yes\n");
        expect_roundtrip("stream words",
                         HEAD "StandardInput=null\nStandardOutput=journal\nStandardError=inherit\n"
                              "SyslogLevelPrefix=no\n");
        expect_roundtrip("stream words again", HEAD "StandardOutput=null\nStandardError=journal\n");
        expect_roundtrip("stdout file, stderr unset", HEAD "StandardOutput=file:/run/%n.out\n");
        expect_roundtrip("forking", HEAD "Type=forking\nPIDFile=%N/main 100%%.pid\nGuessMainPID=no\n");
        expect_roundtrip("forking without PIDFile=", HEAD "Type=forking\n");
        expect_roundtrip("scheduling", HEAD "Nice=-3\nCPUSchedulingPolicy=rr\nCPUSchedulingPriority=4\n"
                                            "CPUSchedulingResetOnFork=no\nIOSchedulingClass=realtime\n"
                                            "IOSchedulingPriority=1\nCPUAffinity=0,1\n");
        expect_roundtrip("ProtectSystem=full on a volatile root",
                         HEAD "[Sandbox]\nRootMode=volatile\nProtectSystem=full\nProtectHostname=no\n");
        /* Sizes that no suffix gives exactly; a blank in a group name (escaped, since quotes are
         * part of the name for this key); an escaped unit name in [Install]. */
        expect_roundtrip("exact values", HEAD "Group=nogroup\nSupplementaryGroups=my\\ group adm\n"
                                              "[Resources]\nMemoryMax=1234567\nMemoryHigh=1000000\n"
                                              "MemoryLow=512K\nMemorySwapMax=50%\n"
                                              "[Install]\nWantedBy=dev-disk\\x2dby.target\n");
        expect_problem("bind: empty destination", HEAD "[Sandbox]\nBindPaths=/a: /b\n", 4, "BindPaths",
                       "empty path");
        expect_problem("bind: unclosed quote", HEAD "[Sandbox]\nBindPaths=\"/a\n", 4, "BindPaths",
                       "unbalanced");

        /* IO bandwidths as systemd's config_parse_io_device_limit(): the path unquoted, the rest
         * of the line parse_size() to the base of 1000, terms and all. */
        u = load_ok("bandwidth forms",
                    HEAD "[Resources]\nIOReadBandwidthMax=/dev/sda 1M 500K\n"
                         "IOReadBandwidthMax=/dev/sdb 20 M\nIOReadBandwidthMax=/dev/sdc 1B\n"
                         "IOReadBandwidthMax=/dev/sdd 1.5\n"
                         "IOWriteBandwidthMax=\"/dev/disk/by-label/a b\" 1.5K\n");
        if (u) {
                const struct unit_section_resources *r = &u->resources;
                TAP_CHECK(r->n_io_limits[IO_READ_BANDWIDTH_MAX] == 4 &&
                                  r->io_limits[IO_READ_BANDWIDTH_MAX][0].per_sec == 1500000 &&
                                  r->io_limits[IO_READ_BANDWIDTH_MAX][1].per_sec == 20000000 &&
                                  r->io_limits[IO_READ_BANDWIDTH_MAX][2].per_sec == 1 &&
                                  r->io_limits[IO_READ_BANDWIDTH_MAX][3].per_sec == 1,
                          "IOReadBandwidthMax= '1M 500K', '20 M', '1B', '1.5': 1500000, 20000000, 1, 1");
                TAP_CHECK(r->n_io_limits[IO_WRITE_BANDWIDTH_MAX] == 1 &&
                                  streq(r->io_limits[IO_WRITE_BANDWIDTH_MAX][0].path,
                                        "/dev/disk/by-label/a b") &&
                                  r->io_limits[IO_WRITE_BANDWIDTH_MAX][0].per_sec == 1500,
                          "IOWriteBandwidthMax= with a quoted path: '/dev/disk/by-label/a b', 1500");
        }
        model_unit_free(u);
        /* IOPS limits: the same parse (systemd uses one parser for all four keys) */
        u = load_ok("iops forms",
                    HEAD "[Resources]\nIOReadIOPSMax=/dev/sda 1K\nIOWriteIOPSMax=/dev/sda 250\n"
                         "IOWriteIOPSMax=/dev/sdb infinity\nIOWriteIOPSMax=/dev/sda 300\n");
        if (u) {
                const struct unit_section_resources *r = &u->resources;
                TAP_CHECK(r->n_io_limits[IO_READ_IOPS_MAX] == 1 &&
                                  r->io_limits[IO_READ_IOPS_MAX][0].per_sec == 1000,
                          "IOReadIOPSMax=/dev/sda 1K: 1000 operations a second");
                TAP_CHECK(r->n_io_limits[IO_WRITE_IOPS_MAX] == 2 &&
                                  r->io_limits[IO_WRITE_IOPS_MAX][0].per_sec == 300 &&
                                  r->io_limits[IO_WRITE_IOPS_MAX][1].per_sec == LIMIT_INFINITY &&
                                  r->n_io_limits[IO_READ_BANDWIDTH_MAX] == 0,
                          "IOWriteIOPSMax=: a later line for the same path replaces it; infinity");
        }
        model_unit_free(u);
        /* DeviceAllow= as systemd's config_parse_device_allow(): one word, then "rwm" letters
         * (all three when left out); the same device again adds access; empty empties. */
        u = load_ok("device forms", HEAD "[Resources]\nDevicePolicy=strict\nDeviceAllow=/dev/null rw\n"
                                         "DeviceAllow=char-pts\nDeviceAllow=/dev/null m\n"
                                         "DeviceAllow=block-loop r\nDeviceAllow=/dev/char/10:200 w\n");
        if (u) {
                const struct unit_section_resources *r = &u->resources;
                TAP_CHECK(r->device_policy == DEVICE_POLICY_STRICT, "DevicePolicy=strict");
                TAP_CHECK(r->n_device_allow == 4 && streq(r->device_allow[0].spec, "/dev/null") &&
                                  r->device_allow[0].access == DEVICE_ACCESS_ALL &&
                                  streq(r->device_allow[1].spec, "char-pts") &&
                                  r->device_allow[1].access == DEVICE_ACCESS_ALL &&
                                  r->device_allow[2].access == DEVICE_ACCESS_READ &&
                                  r->device_allow[3].access == DEVICE_ACCESS_WRITE,
                          "DeviceAllow=: access letters, all when left out, merged for the same device");
                TAP_CHECK(model_device_filter(u), "a policy and a list: a device filter");
        }
        model_unit_free(u);
        u = load_ok("device reset", HEAD "[Resources]\nDeviceAllow=/dev/null\nDeviceAllow=\n");
        TAP_CHECK(u && u->resources.n_device_allow == 0 && !model_device_filter(u),
                  "DeviceAllow= (empty) empties the list: no filter with DevicePolicy=auto");
        model_unit_free(u);
        expect_roundtrip("devices", HEAD "[Resources]\nDevicePolicy=closed\nDeviceAllow=/dev/ttyUSB0 rw\n"
                                         "DeviceAllow=char-usb_device r\n");
        /* StateDirectory= and the other exec directories: relative, normalized paths (specifiers
         * expanded), a mode each, RuntimeDirectoryPreserve= with systemd's values. */
        u = load_ok("exec directories",
                    "[Service]\nExecStart=/bin/true\n[Sandbox]\nStateDirectory=%N %N/sub\n"
                    "StateDirectoryMode=0700\nRuntimeDirectory=a\nRuntimeDirectory=\n"
                    "LogsDirectory=l\nRuntimeDirectoryPreserve=restart\n");
        if (u) {
                const struct unit_section_sandbox *sb = &u->sandbox;
                TAP_CHECK(sb->directories[EXEC_DIRECTORY_STATE].n == 2 &&
                                  strstr(sb->directories[EXEC_DIRECTORY_STATE].items[1], "/sub") &&
                                  sb->directories[EXEC_DIRECTORY_STATE].items[0][0] != '%',
                          "StateDirectory=: a list, specifiers expanded");
                TAP_CHECK(sb->directory_mode[EXEC_DIRECTORY_STATE] == 0700 &&
                                  sb->directory_mode[EXEC_DIRECTORY_LOGS] == 0755,
                          "StateDirectoryMode=0700; the others 0755");
                TAP_CHECK(sb->directories[EXEC_DIRECTORY_RUNTIME].n == 0,
                          "RuntimeDirectory= (empty) empties it");
                TAP_CHECK(sb->runtime_directory_preserve == RUNTIME_PRESERVE_RESTART,
                          "RuntimeDirectoryPreserve=restart");
        }
        model_unit_free(u);
        expect_roundtrip("exec directories",
                         HEAD "[Sandbox]\nStateDirectory=a a/b\nCacheDirectory=c\n"
                              "ConfigurationDirectoryMode=0750\nRuntimeDirectoryPreserve=yes\n");
        expect_problem("state dir absolute", HEAD "[Sandbox]\nStateDirectory=/var/lib/x\n", 4,
                       "StateDirectory", "not a relative path");
        expect_problem("state dir dotdot", HEAD "[Sandbox]\nStateDirectory=a/../b\n", 4, "StateDirectory",
                       "normalized");
        expect_problem("state dir link form", HEAD "[Sandbox]\nStateDirectory=a:b\n", 4, "StateDirectory",
                       "SOURCE:LINK");
        expect_problem("preserve", HEAD "[Sandbox]\nRuntimeDirectoryPreserve=maybe\n", 4,
                       "RuntimeDirectoryPreserve", "no, yes, restart");

        /* IPAddressAllow=/IPAddressDeny= as systemd's config_parse_in_addr_prefixes(): a list of
         * ADDRESS[/LENGTH] and four names, the address masked to its length; empty empties. */
        u = load_ok("ip prefixes", HEAD "[Resources]\nIPAddressAllow=10.1.2.3/8 192.0.2.1\n"
                                        "IPAddressAllow=2001:db8::ff/120 localhost\nIPAddressDeny=any\n");
        if (u) {
                const struct ip_prefix_list *a = &u->resources.ip_address_allow,
                                            *d = &u->resources.ip_address_deny;
                static const uint8_t ten[4] = {10, 0, 0, 0}, host[4] = {192, 0, 2, 1},
                                     v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0};
                TAP_CHECK(a->n == 5 && !a->items[0].ipv6 && a->items[0].prefixlen == 8 &&
                                  memcmp(a->items[0].addr, ten, 4) == 0,
                          "IPAddressAllow=10.1.2.3/8: masked to 10.0.0.0/8");
                TAP_CHECK(a->n == 5 && a->items[1].prefixlen == 32 && memcmp(a->items[1].addr, host, 4) == 0,
                          "a host address without a length: /32");
                TAP_CHECK(a->n == 5 && a->items[2].ipv6 && a->items[2].prefixlen == 120 &&
                                  memcmp(a->items[2].addr, v6, 16) == 0,
                          "IPv6 2001:db8::ff/120: masked");
                TAP_CHECK(a->n == 5 && !a->items[3].ipv6 && a->items[3].prefixlen == 8 &&
                                  a->items[3].addr[0] == 127 && a->items[4].ipv6 &&
                                  a->items[4].prefixlen == 128 && a->items[4].addr[15] == 1,
                          "localhost: 127.0.0.0/8 and ::1/128");
                TAP_CHECK(d->n == 2 && d->items[0].prefixlen == 0 && !d->items[0].ipv6 && d->items[1].ipv6 &&
                                  d->items[1].prefixlen == 0,
                          "any: 0.0.0.0/0 and ::/0");
                TAP_CHECK(a->items[0].origin.line == 4 && d->items[0].origin.line == 6,
                          "origins of the lines");
                TAP_CHECK(model_ip_filter(u), "lists: an IP filter");
        }
        model_unit_free(u);
        u = load_ok("ip reset", HEAD "[Resources]\nIPAddressDeny=any\nIPAddressDeny=\n");
        TAP_CHECK(u && u->resources.ip_address_deny.n == 0 && !model_ip_filter(u),
                  "IPAddressDeny= (empty) empties the list: no filter");
        model_unit_free(u);
        expect_roundtrip("ip prefixes", HEAD "[Resources]\nIPAddressDeny=any\nIPAddressAllow=10.0.0.0/8 "
                                             "fe80::/64 multicast link-local\n");
        expect_problem("ip v4 length", HEAD "[Resources]\nIPAddressAllow=10.0.0.0/33\n", 4, "IPAddressAllow",
                       "from 0 to 32");
        expect_problem("ip v6 length", HEAD "[Resources]\nIPAddressDeny=::/129\n", 4, "IPAddressDeny",
                       "from 0 to 128");
        expect_problem("ip empty length", HEAD "[Resources]\nIPAddressDeny=10.0.0.1/\n", 4, "IPAddressDeny",
                       "prefix length");
        expect_problem("ip host name", HEAD "[Resources]\nIPAddressDeny=example.com\n", 4, "IPAddressDeny",
                       "not an IPv4 or IPv6 address");
        expect_problem("ip no address", HEAD "[Resources]\nIPAddressDeny=/8\n", 4, "IPAddressDeny",
                       "not an IPv4 or IPv6 address");
        expect_problem("device access", HEAD "[Resources]\nDeviceAllow=/dev/null rx\n", 4, "DeviceAllow",
                       "letters of 'rwm'");
        expect_problem("device not below /dev", HEAD "[Resources]\nDeviceAllow=/tmp/null rw\n", 4,
                       "DeviceAllow", "not a device node below /dev/");
        expect_problem("device path not normalized", HEAD "[Resources]\nDeviceAllow=/dev/../etc rw\n", 4,
                       "DeviceAllow", "normalized");
        expect_problem("driver without a name", HEAD "[Resources]\nDeviceAllow=char- rw\n", 4, "DeviceAllow",
                       "'char-NAME'");
        expect_problem("device policy", HEAD "[Resources]\nDevicePolicy=open\n", 4, "DevicePolicy",
                       "auto, closed, strict");
        expect_problem("iops 0", HEAD "[Resources]\nIOWriteIOPSMax=/dev/sda 0\n", 4, "IOWriteIOPSMax",
                       "more than 0");
        expect_problem("iops without a path", HEAD "[Resources]\nIOReadIOPSMax=100\n", 4, "IOReadIOPSMax",
                       "PATH IOPS");
        expect_problem("bandwidth 0", HEAD "[Resources]\nIOReadBandwidthMax=/dev/sda 0\n", 4,
                       "IOReadBandwidthMax", "more than 0");
        expect_problem("bandwidth suffix", HEAD "[Resources]\nIOReadBandwidthMax=/dev/sda 1Q\n", 4,
                       "IOReadBandwidthMax", "unknown size suffix");

        /* systemd loads only its own unit types; a dependency on a template needs an instance */
        expect_problem("unknown unit type", "[Unit]\nAfter=foo.bogus\n" HEAD, 2, "After",
                       "not a systemd unit type");
        expect_problem("%n in a dependency (NAME.hutch)", "[Unit]\nWants=%n\n" HEAD, 2, "Wants",
                       "not a systemd unit type");
        expect_problem("template dependency", "[Unit]\nAfter=getty@.service\n" HEAD, 2, "After",
                       "needs an instance");
        u = load_ok("instance with two '@'",
                    "[Unit]\nAfter=a@b@c.service\n[Install]\nWantedBy=getty@.target\n" HEAD);
        TAP_CHECK(u && list_is(&u->unit.after, (const char *const[]){"a@b@c.service", NULL}),
                  "After=a@b@c.service: an instance may hold a second '@'");
        TAP_CHECK(u && list_is(&u->install.wanted_by, (const char *const[]){"getty@.target", NULL}),
                  "WantedBy= may name a template (systemd fills in the instance)");
        model_unit_free(u);

        /* SupplementaryGroups=: no quotes, a backslash takes the next character literally */
        u = load_ok("groups", HEAD "SupplementaryGroups=a\\ b c\\x\n");
        TAP_CHECK(u && list_is(&u->service.supplementary_groups, (const char *const[]){"a b", "cx", NULL}),
                  "SupplementaryGroups=a\\ b c\\x: 'a b' and 'cx'");
        model_unit_free(u);
        u = load_ok("quoted group", HEAD "SupplementaryGroups=\"wheel\"\n");
        TAP_CHECK(u && list_is(&u->service.supplementary_groups, (const char *const[]){"\"wheel\"", NULL}),
                  "SupplementaryGroups=: quotes are part of the name, as in systemd");
        model_unit_free(u);
}

/* systemd's valid_user_group_name() in relaxed mode: a leading '-' is allowed unless only digits
 * follow it ("-1" is someone's 65535). */
static void test_user_names(void) {
        struct hutch_unit *u = load_ok("User=-root", HEAD "User=-root\nGroup=-staff\n");
        TAP_CHECK(u && streq(u->service.user, "-root") && streq(u->service.group, "-staff"),
                  "User=-root and Group=-staff are names, as systemd accepts them (looked up at start)");
        model_unit_free(u);
        expect_problem("User=-1", HEAD "User=-1\n", 3, "User", "not a valid user");
        expect_problem("User=-", HEAD "User=-\n", 3, "User", "not a valid user");
        expect_problem("Group=-0", HEAD "Group=-0\n", 3, "Group", "not a valid user");
        expect_problem("SupplementaryGroups=-42", HEAD "SupplementaryGroups=-42\n", 3, "SupplementaryGroups",
                       "not a valid group");
        expect_problem("User=65535", HEAD "User=65535\n", 3, "User", "not a valid user");
}

static void test_oneshot_timeout(void) {
        struct hutch_unit *u = load_ok("oneshot", HEAD "Type=oneshot\n");
        TAP_CHECK(u && u->service.timeout_start == USEC_INFINITY && !u->service.timeout_start_set,
                  "Type=oneshot without TimeoutStartSec=: no start timeout");
        if (u) {
                char *out = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&out, &len);
                if (f) {
                        model_format_ini(u, f);
                        fclose(f);
                }
                TAP_CHECK(out && strstr(out, "TimeoutStartSec=infinity\n"),
                          "show prints TimeoutStartSec=infinity");
                free(out);
        }
        model_unit_free(u);

        u = load_ok("oneshot with timeout", HEAD "Type=oneshot\nTimeoutStartSec=5s\n");
        TAP_CHECK(u && u->service.timeout_start == 5 * USEC_PER_SEC && u->service.timeout_start_set &&
                          u->service.timeout_start_origin.line == 4,
                  "Type=oneshot with TimeoutStartSec=5s keeps it, with its origin");
        model_unit_free(u);

        u = load_ok("timeout before type", HEAD "TimeoutStartSec=7s\nType=oneshot\n");
        TAP_CHECK(u && u->service.timeout_start == 7 * USEC_PER_SEC, "order of the keys does not matter");
        model_unit_free(u);

        u = load_ok("exec default", HEAD);
        TAP_CHECK(u && u->service.timeout_start == 90 * USEC_PER_SEC && !u->service.timeout_start_set,
                  "Type=exec keeps the 90 s default");
        model_unit_free(u);

        u = load_ok("notify default", HEAD "Type=notify\n");
        TAP_CHECK(u && u->service.timeout_start == 90 * USEC_PER_SEC, "Type=notify keeps the 90 s default");
        model_unit_free(u);

        u = load_ok("oneshot timeout 0", HEAD "Type=oneshot\nTimeoutStartSec=0\n");
        TAP_CHECK(u && u->service.timeout_start == USEC_INFINITY && u->service.timeout_start_set,
                  "TimeoutStartSec=0 is infinity and counts as written");
        model_unit_free(u);

        /* -p overrides are applied before the default is resolved */
        const char *path = write_file("os.hutch", HEAD "Type=oneshot\n");
        char *ov[] = {"Service.TimeoutStartSec=3s", NULL};
        struct unit_load_options o = {.overrides = ov};
        struct unit_problems p = {};
        u = NULL;
        int r = unit_load(path, &o, &u, &p);
        TAP_CHECK(r == 0 && u && u->service.timeout_start == 3 * USEC_PER_SEC,
                  "-p Service.TimeoutStartSec=3s on a oneshot unit");
        model_unit_free(u);
        unit_problems_clear(&p);
        char *ov2[] = {"Service.Type=oneshot", NULL};
        o.overrides = ov2;
        path = write_file("os2.hutch", HEAD);
        u = NULL;
        r = unit_load(path, &o, &u, &p);
        TAP_CHECK(r == 0 && u && u->service.timeout_start == USEC_INFINITY,
                  "-p Service.Type=oneshot: no start timeout");
        model_unit_free(u);
        unit_problems_clear(&p);

        /* a refused value does not count as written */
        struct hutch_unit *bad = NULL;
        r = load_text(HEAD "Type=oneshot\nTimeoutStartSec=soon\n", &bad, &p);
        TAP_CHECK(r == -EINVAL && bad && !bad->service.timeout_start_set,
                  "a bad TimeoutStartSec= is not 'set'");
        model_unit_free(bad);
        unit_problems_clear(&p);
}

/* Runs unit_load() with stderr going to a file; returns what it logged (malloc'ed). */
static char *load_logged(const char *name, const char *search_path, int *ret_r) {
        char path[400];
        snprintf(path, sizeof path, "%s/stderr.log", test_dir);
        fflush(stderr);
        int saved = dup(2), fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (saved < 0 || fd < 0 || dup2(fd, 2) < 0)
                abort();
        struct unit_load_options o = {.search_path = search_path};
        struct unit_problems p = {};
        struct hutch_unit *u = NULL;
        *ret_r = unit_load(name, &o, &u, &p);
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        model_unit_free(u);
        unit_problems_clear(&p);
        char *buf = calloc(1, 4096);
        if (!buf || pread(fd, buf, 4095, 0) < 0)
                abort();
        close(fd);
        return buf;
}

static unsigned count_lines(const char *s) {
        unsigned n = 0;
        for (; *s; s++)
                n += *s == '\n';
        return n;
}

static void test_masking_and_messages(void) {
        char dir[400], search[900];
        snprintf(dir, sizeof dir, "%s/m", test_dir);
        snprintf(search, sizeof search, "%s:%s/m2", dir, test_dir);

        /* systemd's null_or_empty(): a file of zero bytes masks the unit; blanks do not */
        write_file_n("m/empty.hutch", "", 0);
        write_file("m2/empty.hutch", HEAD);
        int r;
        char *log = load_logged("empty", search, &r);
        TAP_CHECK(r == -ERFKILL, "an empty unit file masks the unit (r=%d)", r);
        TAP_CHECK(count_lines(log) == 1 && strstr(log, "unit empty is masked") &&
                          strstr(log, "empty.hutch") && strstr(log, "an empty file"),
                  "one line says which unit is masked and by what file");
        free(log);

        char path[500];
        snprintf(path, sizeof path, "%s/empty.hutch", dir);
        struct hutch_unit *u = NULL;
        struct unit_problems p = {};
        TAP_CHECK(unit_load(path, NULL, &u, &p) == -ERFKILL && !u,
                  "an empty file loaded by path is masked too");
        unit_problems_clear(&p);
        char **files = NULL;
        struct unit_load_options o = {.search_path = search};
        TAP_CHECK(unit_files("empty", &o, &files) == -ERFKILL, "unit_files() of an empty unit: -ERFKILL");

        write_file("m/blank.hutch", "\n   \n# only a comment\n");
        u = NULL;
        p = (struct unit_problems){};
        snprintf(path, sizeof path, "%s/blank.hutch", dir);
        r = unit_load(path, NULL, &u, &p);
        TAP_CHECK(r == -EINVAL && problems_have(&p, "blank.hutch", 0, "ExecStart", NULL),
                  "blanks and comments only: not masked, an incomplete unit");
        model_unit_free(u);
        unit_problems_clear(&p);

        /* An empty drop-in masks that drop-in: it hides the same name in a later directory. */
        write_file("m/dd.hutch", HEAD "[Unit]\nDescription=base\n");
        write_file_n("m/dd.hutch.d/10-x.conf", "", 0);
        write_file("m2/dd.hutch.d/10-x.conf", "[Unit]\nDescription=hidden\n");
        write_file("m2/dd.hutch.d/20-y.conf", "[Unit]\nDocumentation=man:y(1)\n");
        u = NULL;
        p = (struct unit_problems){};
        o.search_path = search;
        r = unit_load("dd", &o, &u, &p);
        TAP_CHECK(r == 0 && u && streq(u->unit.description, "base") && u->unit.documentation.n == 1,
                  "an empty drop-in hides the same-named one and the rest still apply");
        model_unit_free(u);
        unit_problems_clear(&p);
        files = NULL;
        TAP_CHECK(unit_files("dd", &o, &files) == 0 && strv_length(files) == 2 &&
                          strstr(files[1], "m2/dd.hutch.d/20-y.conf"),
                  "unit_files() lists neither the empty drop-in nor what it hides");
        strv_free(files);

        /* not found: one line with the unit, the file names tried and the search path */
        log = load_logged("nosuch", search, &r);
        TAP_CHECK(r == -ENOENT && count_lines(log) == 1 && strstr(log, "unit nosuch not found") &&
                          strstr(log, "nosuch.hutch") && strstr(log, search),
                  "a missing unit: one line naming the unit and the search path");
        free(log);
}

/* "SystemCallFilter=" resets to systemd's semantics; without it a '~' list stays an allow list. */
struct find_call {
        const char *name;
        bool found;
};

static int find_call_cb(const char *syscall, void *userdata) {
        struct find_call *f = userdata;
        if (streq(syscall, f->name))
                f->found = true;
        return 0;
}

static bool names_cover(char **names, const char *call) {
        STRV_FOREACH (n, names) {
                if ((*n)[0] != '@') {
                        if (streq(*n, call))
                                return true;
                        continue;
                }
                struct find_call f = {.name = call};
                syscall_group_expand(*n, find_call_cb, &f);
                if (f.found)
                        return true;
        }
        return false;
}

static void test_syscall_filter_reset(void) {
        struct hutch_unit *u =
                load_ok("reset then deny", HEAD "[Security]\nSystemCallFilter=\nSystemCallFilter=~@mount\n");
        if (u) {
                TAP_CHECK(u->security.syscall_filter_reset, "SystemCallFilter= sets syscall_filter_reset");
                bool allow = true;
                char **names = NULL;
                TAP_CHECK(model_syscall_filter_effective(u, &allow, &names) == 0 && !allow,
                          "after the reset, ~@mount is a deny list");
                TAP_CHECK(names && strv_contains(names, "@mount") && !names_cover(names, "read"),
                          "the deny list holds @mount and nothing else it would not name");
                strv_free(names);
        }
        model_unit_free(u);

        u = load_ok("deny alone", HEAD "[Security]\nSystemCallFilter=~@mount\n");
        if (u) {
                TAP_CHECK(!u->security.syscall_filter_reset, "no reset without the empty assignment");
                bool allow = false;
                char **names = NULL;
                TAP_CHECK(model_syscall_filter_effective(u, &allow, &names) == 0 && allow,
                          "~@mount alone keeps an allow list");
                TAP_CHECK(names && names_cover(names, "read") && names_cover(names, "openat"),
                          "the allow list is still the default's (read, openat)");
                TAP_CHECK(names && !names_cover(names, "mount") && !names_cover(names, "umount2") &&
                                  !names_cover(names, "pivot_root"),
                          "and holds no @mount call");
                strv_free(names);
        }
        model_unit_free(u);

        u = load_ok("reset in a later line only",
                    HEAD "[Security]\nSystemCallFilter=~@mount\nSystemCallFilter=\n");
        TAP_CHECK(u && u->security.syscall_filter_reset && u->security.n_syscall_filter == 0,
                  "a later empty assignment drops the earlier entries");
        model_unit_free(u);
}

/* A problem in a continued assignment is reported at its first physical line, where the key is;
 * systemd reports the last one. A broken physical line inside it is reported where it is. */
static void test_continued_lines(void) {
        expect_problem("continued bad value", HEAD "UMask=07\\\n7\\\n7\n", 3, "UMask", "07 7 7");
        expect_problem("continued bad key", "[Unit]\nDescripton=a\\\nb\\\nc\n" HEAD, 2, "Descripton",
                       "did you mean");
        expect_problem("line after a continuation", "[Unit]\nDescription=a\\\nb\nBogus=1\n" HEAD, 4, "Bogus",
                       NULL);
        static const char nul[] = "[Unit]\nDescription=a\\\nb\0c\n" HEAD;
        write_file_n("t.hutch", nul, sizeof nul - 1);
        char path[400];
        snprintf(path, sizeof path, "%s/t.hutch", test_dir);
        struct hutch_unit *u = NULL;
        struct unit_problems p = {};
        int r = unit_load(path, NULL, &u, &p);
        TAP_CHECK(r == -EINVAL && problems_have(&p, "t.hutch", 3, NULL, "NUL") && u && !u->unit.description,
                  "a NUL on the continuation's second line: reported at line 3, the assignment dropped");
        model_unit_free(u);
        unit_problems_clear(&p);
}

/* systemd 252 reads the integers of unit files in base 0 (safe_atou(), safe_atoi()): "011" is
 * octal 9 there, "0x10" is 16 (checked with `systemd --test`). Each key refuses both forms;
 * time spans and sizes are decimal in systemd too and keep their leading zeros. */
static void test_number_bases(void) {
        static const struct {
                const char *line, *key, *why;
        } refused[] = {
                {"[Unit]\nStartLimitBurst=010\n", "StartLimitBurst", "octal to systemd (8); write 10"},
                {"[Service]\nKillSignal=011\n", "KillSignal", "(9); write 11"},
                {"[Service]\nKillSignal=SIGRTMIN+010\n", "KillSignal", "write SIGRTMIN+10"},
                {"[Service]\nSuccessExitStatus=010\n", "SuccessExitStatus", "(8); write 10"},
                {"[Service]\nRestartPreventExitStatus=0x10\n", "RestartPreventExitStatus",
                 "hexadecimal to systemd; write 16"},
                {"[Service]\nLimitNOFILE=010\n", "LimitNOFILE", "(8); write 10"},
                {"[Service]\nLimitNICE=010\n", "LimitNICE", "(8); write 10"},
                {"[Service]\nLimitNICE=+010\n", "LimitNICE", "write +10"},
                {"[Service]\nUser=010\n", "User", "not a valid user"},
                {"[Resources]\nTasksMax=010\n", "TasksMax", "(8); write 10"},
                {"[Resources]\nTasksMax=010%\n", "TasksMax", "write 10%"},
                {"[Resources]\nCPUWeight=010\n", "CPUWeight", "(8); write 10"},
                {"[Resources]\nIOWeight=0x10\n", "IOWeight", "write 16"},
                {"[Resources]\nCPUQuota=010%\n", "CPUQuota", "write 10%"},
                {"[Resources]\nMemoryMax=010%\n", "MemoryMax", "write 10%"},
                {"[Resources]\nAllowedCPUs=010\n", "AllowedCPUs", "(8); write 10"},
                {"[Security]\nSystemCallErrorNumber=010\n", "SystemCallErrorNumber", "(8); write 10"},
                {"[Security]\nCapabilityBoundingSet=021\n", "CapabilityBoundingSet", "(17); write 21"},
        };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                char text[256];
                snprintf(text, sizeof text, HEAD "%s", refused[i].line);
                expect_problem(refused[i].line, text, 4, refused[i].key, refused[i].why);
        }

        struct hutch_unit *u = load_ok("decimal spans and sizes", HEAD "RestartSec=010\nLimitCORE=010\n"
                                                                       "LimitCPU=010\n[Resources]\n"
                                                                       "MemoryMax=010\n");
        if (u) {
                TAP_CHECK(u->service.restart_sec == 10 * USEC_PER_SEC, "RestartSec=010 is 10s");
                TAP_CHECK(u->service.rlimits[RLIMIT_CORE].soft == 10, "LimitCORE=010 is 10 bytes");
                TAP_CHECK(u->service.rlimits[RLIMIT_CPU].soft == 10, "LimitCPU=010 is 10 s");
                TAP_CHECK(u->resources.memory_max.value == 10, "MemoryMax=010 is 10 bytes");
        }
        model_unit_free(u);
        u = load_ok("a lone 0", HEAD "SuccessExitStatus=0\nUser=0\n[Resources]\nAllowedCPUs=0\n");
        model_unit_free(u);
}

int main(void) {
        test_dir_init();
        test_exec_prefixes();
        test_list_splitting();
        test_user_names();
        test_oneshot_timeout();
        test_masking_and_messages();
        test_syscall_filter_reset();
        test_continued_lines();
        test_number_bases();
        return tap_done();
}
