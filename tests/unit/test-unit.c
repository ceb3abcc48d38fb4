/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loader's reader and value handlers: systemd syntax, each inih hazard, every value
 * type through unit_load(), and the exact file:line of every error. */

#include <inttypes.h>
#include <sched.h>
#include <signal.h>

#include "hutch/strv.h"
#include "unit-test-lib.h"
#include "unit/unit-internal.h"

#define HEAD "[Service]\nExecStart=/bin/true\n"

/* Loads text; returns the unit (or NULL) and leaves the problems in *p. */
static struct hutch_unit *load(const char *text, struct unit_problems *p) {
        struct hutch_unit *u = NULL;
        *p = (struct unit_problems){};
        load_text(text, &u, p);
        return u;
}

static void test_hazards(void) {
        /* 1. The 200-byte injection: inih would cut this line and parse "User=root". */
        char text[1024];
        char pad[300];
        memset(pad, 'A', 250);
        pad[250] = 0;
        snprintf(text, sizeof text, HEAD "Environment=X=%sUser=root\n", pad);
        struct hutch_unit *u = load_ok("injection", text);
        if (u) {
                TAP_CHECK(u->service.user == NULL, "injection: User= is not set");
                char expect[400];
                snprintf(expect, sizeof expect, "X=%sUser=root", pad);
                TAP_CHECK(u->service.environment.n == 1, "injection: one environment variable");
                TAP_STREQ(u->service.environment.items ? u->service.environment.items[0] : NULL, expect,
                          "injection: the whole value is X's value, as systemd parses it");
        }
        model_unit_free(u);

        /* Same with the tail placed at exactly inih's cut (199 bytes of line before "User"). */
        size_t head = strlen("Environment=X=");
        memset(pad, 'B', 199 - head);
        pad[199 - head] = 0;
        snprintf(text, sizeof text, HEAD "Environment=X=%sUser=root\n", pad);
        u = load_ok("injection at byte 199", text);
        TAP_CHECK(u && !u->service.user, "injection at byte 199: User= is not set");
        model_unit_free(u);

        /* 2. ';' inside a value is part of the value (no inline comments in systemd). */
        u = load_ok("semicolon", "[Unit]\nDescription=a ; b # c\n" HEAD);
        TAP_STREQ(u ? u->unit.description : NULL, "a ; b # c", "semicolon and hash stay in the value");
        model_unit_free(u);

        /* 3. An indented line is no continuation: it is a line of its own. */
        u = load_ok("indented", "[Unit]\nDescription=first\n  Documentation=man:x(1)\n" HEAD);
        TAP_STREQ(u ? u->unit.description : NULL, "first", "indented: description not continued");
        TAP_CHECK(u && u->unit.documentation.n == 1, "indented: the indented line is its own assignment");
        model_unit_free(u);
        expect_problem("indented text", "[Unit]\nDescription=first\n  more words\n" HEAD, 3, NULL,
                       "missing '='");

        /* 4. "Key: value" is refused. */
        expect_problem("colon", HEAD "User: root\n", 3, "User", "not unit file syntax");

        /* 5. NUL refused with its line. */
        static const char nul[] = "[Service]\nExecStart=/bin/true\nUser=ro\0ot\n";
        write_file_n("t.hutch", nul, sizeof nul - 1);
        struct unit_problems p = {};
        u = NULL;
        char path[300];
        snprintf(path, sizeof path, "%s/t.hutch", test_dir);
        int r = unit_load(path, NULL, &u, &p);
        TAP_CHECK(r == -EINVAL && problems_have(&p, "t.hutch", 3, NULL, "NUL"),
                  "NUL byte refused at t.hutch:3");
        TAP_CHECK(!u || !u->service.user, "NUL: the line is not applied");
        unit_problems_clear(&p);
        model_unit_free(u);

        /* 6. Invalid UTF-8 refused with its line. */
        expect_problem("invalid UTF-8", HEAD "\n[Unit]\nDescription=caf\xe9\n", 5, NULL, "UTF-8");
        expect_problem("overlong UTF-8", HEAD "Environment=A=\xc0\xaf\n", 3, NULL, "UTF-8");

        /* 7. A 64 KiB line works and keeps every byte. */
        size_t big = 64 * 1024;
        char *long_text = malloc(big + 200);
        if (!long_text)
                abort();
        char *q = long_text + sprintf(long_text, HEAD "Environment=BIG=");
        memset(q, 'x', big);
        q += big;
        strcpy(q, "\n");
        u = load_ok("64 KiB line", long_text);
        TAP_CHECK(u && u->service.environment.n == 1 && strlen(u->service.environment.items[0]) == big + 4,
                  "64 KiB line: value complete");
        model_unit_free(u);
        free(long_text);

        /* 8. Section and key names that would not fit inih's buffers are refused by us first. */
        char longsec[200];
        memset(longsec, 'S', 60);
        longsec[60] = 0;
        snprintf(text, sizeof text, HEAD "[%s]\nFoo=bar\n", longsec);
        expect_problem("long section name", text, 3, NULL, "invalid section name");
        memset(longsec, 'K', 150);
        longsec[150] = 0;
        snprintf(text, sizeof text, HEAD "%s=1\n", longsec);
        expect_problem("long key name", text, 3, NULL, "invalid key name");
}

static void test_syntax(void) {
        struct hutch_unit *u;
        struct unit_problems p;

        u = load_ok("comments",
                    "# comment\n; comment\n   # indented comment\n[Unit]\nDescription = spaced \n" HEAD);
        TAP_STREQ(u ? u->unit.description : NULL, "spaced", "whitespace around '=' and value trimmed");
        model_unit_free(u);

        u = load_ok("continuation", "[Unit]\nDescription=one \\\n  two\\\n# skipped comment\nthree\n" HEAD);
        TAP_STREQ(u ? u->unit.description : NULL, "one    two three",
                  "backslash joins lines with a space; comment inside skipped");
        model_unit_free(u);

        u = load_ok("escaped backslash", "[Unit]\nDescription=ends with \\\\\n" HEAD);
        TAP_STREQ(u ? u->unit.description : NULL, "ends with \\\\", "a double backslash is no continuation");
        model_unit_free(u);

        u = load_ok("continuation at EOF", HEAD "[Unit]\nDescription=last\\");
        TAP_STREQ(u ? u->unit.description : NULL, "last", "continuation at end of file");
        model_unit_free(u);

        u = load_ok("CRLF", "[Unit]\r\nDescription=crlf\r\n[Service]\r\nExecStart=/bin/true\r\n");
        TAP_STREQ(u ? u->unit.description : NULL, "crlf", "CRLF line ends");
        model_unit_free(u);

        u = load_ok("BOM", "\xef\xbb\xbf[Unit]\nDescription=bom\n" HEAD);
        TAP_STREQ(u ? u->unit.description : NULL, "bom", "UTF-8 BOM skipped");
        model_unit_free(u);

        u = load_ok("value with '='", HEAD "Environment=A=b=c\n");
        TAP_STREQ(u && u->service.environment.items ? u->service.environment.items[0] : NULL, "A=b=c",
                  "split at the first '='");
        model_unit_free(u);

        u = load_ok("X- ignored", HEAD "X-Foo=bar\n[X-Vendor]\nAnything=goes\nWhat ever=1\n"
                                       "no equals sign here\nKey: value\n=1\n");
        model_unit_free(u);
        expect_problem("after an X- section", HEAD "[X-Vendor]\nprose\n[Service]\nprose\n", 6, NULL,
                       "missing '='");

        expect_problem("line numbers after continuation", "[Unit]\nDescription=a\\\nb\nFoo=1\n" HEAD, 4,
                       "Foo", "unknown key");
        expect_problem("unknown key suggestion", HEAD "[Resources]\nMemoryMaxx=1G\n", 4, "MemoryMaxx",
                       "did you mean 'MemoryMax'?");
        expect_problem("unknown key case", HEAD "user=root\n", 3, "user", "did you mean 'User'?");
        expect_problem("key in wrong section", HEAD "MemoryMax=1G\n", 3, "MemoryMax",
                       "belongs in [Resources]");
        expect_problem("key in wrong section and case", HEAD "Memorymax=1G\n", 3, "Memorymax",
                       "unknown key in [Service], did you mean MemoryMax= in [Resources]?");
        expect_problem("key in wrong section, all lower case", HEAD "[Unit]\nexecstart=/bin/true\n", 4,
                       "execstart", "did you mean ExecStart= in [Service]?");
        expect_problem("lower case, another section", HEAD "[Security]\nuser=root\n", 4, "user",
                       "did you mean User= in [Service]?");
        expect_problem("unknown section", HEAD "[Servcie]\nUser=root\n", 3, NULL, "did you mean [Service]?");
        expect_problem("unknown section no hint", HEAD "[Foo]\n", 3, NULL, "unknown section [Foo]");
        expect_problem("outside section", "User=root\n" HEAD, 1, "User", "outside of any section");
        expect_problem("bad header", HEAD "[Unit\n", 3, NULL, "invalid section header");
        expect_problem("empty key", HEAD "=value\n", 3, NULL, "missing key name");
        u = load(HEAD "[Sandbox\nPrivateNetwork=no\n", &p);
        TAP_CHECK(p.n == 1 && problems_have(&p, "t.hutch", 3, NULL, "invalid section header") && u &&
                          u->sandbox.private_network,
                  "keys after a broken header are neither applied nor misfiled");
        unit_problems_clear(&p);
        model_unit_free(u);
        expect_problem("bad key chars", HEAD "Us er=root\n", 3, NULL, "invalid key name");

        /* All problems are collected, not just the first. */
        u = load("[Service]\nExecStart=/bin/true\nType=bogus\nRestart=sometimes\n[Resources]\nCPUWeight=0\n",
                 &p);
        TAP_CHECK(p.n >= 3 && problems_have(&p, "t.hutch", 3, "Type", NULL) &&
                          problems_have(&p, "t.hutch", 4, "Restart", NULL) &&
                          problems_have(&p, "t.hutch", 6, "CPUWeight", NULL),
                  "every problem is reported (%zu)", p.n);
        unit_problems_clear(&p);
        model_unit_free(u);
        u = load("[Service]\nExecStart=/bin/true\nType=bogus\n[Nope]\nUser: x\nRestart=never\n", &p);
        bool ordered = p.n == 3;
        for (size_t i = 1; i < p.n; i++)
                ordered = ordered && p.items[i - 1].origin.line <= p.items[i].origin.line;
        TAP_CHECK(ordered, "syntax and value problems reported in line order");
        if (!ordered)
                problems_dump(&p);
        unit_problems_clear(&p);
        model_unit_free(u);
}

/* ExecCondition=, ExecStartPre=, ...: lists of commands, each line with ExecStart='s syntax. */
static void test_exec_control(void) {
        struct hutch_unit *u =
                load_ok("control commands",
                        HEAD "ExecStartPre=/bin/echo one\n"
                             "ExecStartPre=-@:/bin/sh mysh -c 'echo $X'\n"
                             "ExecStartPre=true\n"
                             "ExecStop=/bin/false\nExecStop=\nExecStop=/bin/kill -TERM $MAINPID\n"
                             "ExecCondition=/bin/test -e /etc\nExecReload=/bin/kill -HUP $MAINPID\n"
                             "ExecStartPost=/bin/a\nExecStopPost=/bin/b\nExecStopPost=/bin/c\n");
        if (u) {
                const struct exec_command_list *pre = &u->service.exec_control[EXEC_START_PRE];
                TAP_CHECK(pre->n == 3, "ExecStartPre=: each assignment appends a command (%zu)", pre->n);
                if (pre->n == 3) {
                        TAP_STREQ(pre->items[0].path, "/bin/echo", "ExecStartPre= 1: path");
                        TAP_CHECK(strv_length(pre->items[0].argv) == 2 &&
                                          streq(pre->items[0].argv[1], "one") &&
                                          !pre->items[0].ignore_failure && !pre->items[0].no_env_expand,
                                  "ExecStartPre= 1: argv, no prefixes");
                        TAP_STREQ(pre->items[1].path, "/bin/sh",
                                  "ExecStartPre= 2: '@' path is the first word");
                        TAP_STREQ(pre->items[1].argv[0], "mysh",
                                  "ExecStartPre= 2: '@' argv[0] is the second");
                        TAP_STREQ(pre->items[1].argv[2], "echo $X", "ExecStartPre= 2: quoting");
                        TAP_CHECK(pre->items[1].ignore_failure && pre->items[1].no_env_expand,
                                  "ExecStartPre= 2: '-' and ':' kept");
                        TAP_STREQ(pre->items[2].path, "true", "ExecStartPre= 3: a bare name for PATH");
                        TAP_CHECK(pre->items[0].origin.line == 3 && pre->items[1].origin.line == 4 &&
                                          pre->items[2].origin.line == 5 && pre->items[0].origin.file &&
                                          strstr(pre->items[2].origin.file, "t.hutch"),
                                  "ExecStartPre=: each command has its own origin");
                }
                TAP_CHECK(commands_are(u, EXEC_STOP, (const char *const[]){"/bin/kill", NULL}) &&
                                  streq(u->service.exec_control[EXEC_STOP].items[0].argv[2], "$MAINPID") &&
                                  u->service.exec_control[EXEC_STOP].items[0].origin.line == 8,
                          "ExecStop=: an empty assignment empties the list");
                TAP_CHECK(commands_are(u, EXEC_CONDITION, (const char *const[]){"/bin/test", NULL}) &&
                                  commands_are(u, EXEC_RELOAD, (const char *const[]){"/bin/kill", NULL}) &&
                                  commands_are(u, EXEC_START_POST, (const char *const[]){"/bin/a", NULL}) &&
                                  commands_are(u, EXEC_STOP_POST,
                                               (const char *const[]){"/bin/b", "/bin/c", NULL}),
                          "ExecCondition=, ExecReload=, ExecStartPost=, ExecStopPost= each their own list");
                TAP_STREQ(u->service.exec_start.path, "/bin/true", "ExecStart= untouched by the lists");
        }
        model_unit_free(u);

        u = load_ok("no control commands", HEAD);
        bool empty = u != NULL;
        for (int i = 0; u && i < _EXEC_CONTROL_MAX; i++)
                empty = empty && u->service.exec_control[i].n == 0 && !u->service.exec_control[i].items;
        TAP_CHECK(empty, "the lists are empty by default");
        model_unit_free(u);

        u = load_ok("control reset only", HEAD "ExecStopPost=\n");
        TAP_CHECK(u && u->service.exec_control[EXEC_STOP_POST].n == 0,
                  "an empty assignment to an empty list");
        model_unit_free(u);

        /* the same refusals and messages as ExecStart=, at the line and under the key's own name */
        static const struct {
                const char *key, *value, *message;
        } refused[] = {
                {"ExecStartPre", "+/bin/true",
                 "prefix '+' (run full privileges outside the sandbox) is not supported"},
                {"ExecStop", "!/bin/true", "prefix '!'"},
                {"ExecReload", "|/bin/true", "prefix '|'"},
                {"ExecCondition", "bin/true", "neither an absolute"},
                {"ExecStartPost", "@/bin/true", "argv[0]"},
                {"ExecStopPost", "-", "prefixes without a command"},
                {"ExecStopPost", "/bin/echo \"a", "unbalanced quotes"},
                {"ExecStartPre", "/bin/a ; /bin/b", "one command per line"},
                {"ExecStartPre", "/bin/echo %Q", "unknown specifier '%Q'"},
        };
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                char text[256];
                snprintf(text, sizeof text, HEAD "%s=%s\n", refused[i].key, refused[i].value);
                expect_problem(refused[i].value, text, 3, refused[i].key, refused[i].message);
        }

        /* a refused line leaves the list as it was */
        struct unit_problems p = {};
        int r = load_text(HEAD "ExecStartPre=/bin/a\nExecStartPre=+/bin/b\nExecStartPre=/bin/c\n", &u, &p);
        TAP_CHECK(r == -EINVAL && u &&
                          commands_are(u, EXEC_START_PRE, (const char *const[]){"/bin/a", "/bin/c", NULL}) &&
                          problems_have(&p, "t.hutch", 4, "ExecStartPre", "prefix '+'"),
                  "a refused ExecStartPre= is reported and left out, the others kept");
        unit_problems_clear(&p);
        model_unit_free(u);
}

static void test_service(void) {
        struct hutch_unit *u;

        u = load_ok("exec start", "[Service]\nExecStart=/usr/bin/env \"a b\" 'c d' e\\tf\n");
        if (u) {
                TAP_STREQ(u->service.exec_start.path, "/usr/bin/env", "ExecStart path");
                TAP_CHECK(strv_length(u->service.exec_start.argv) == 4, "ExecStart argv length");
                TAP_STREQ(u->service.exec_start.argv[1], "a b", "double quotes");
                TAP_STREQ(u->service.exec_start.argv[2], "c d", "single quotes");
                TAP_STREQ(u->service.exec_start.argv[3], "e\tf", "C escape");
                TAP_CHECK(u->service.exec_start.origin.line == 2, "ExecStart origin line");
        }
        model_unit_free(u);

        u = load_ok("exec prefixes", "[Service]\nExecStart=-@:/bin/sh mysh -c 'echo $X'\n");
        if (u) {
                TAP_STREQ(u->service.exec_start.path, "/bin/sh", "'@': path is the first word");
                TAP_STREQ(u->service.exec_start.argv[0], "mysh", "'@': argv[0] is the second");
                TAP_CHECK(u->service.exec_start.ignore_failure && u->service.exec_start.no_env_expand,
                          "'-' and ':' prefixes");
        }
        model_unit_free(u);

        u = load_ok("exec bare name", "[Service]\nExecStart=true\n");
        TAP_STREQ(u ? u->service.exec_start.path : NULL, "true",
                  "a bare command name is kept for PATH lookup");
        model_unit_free(u);

        u = load_ok("exec reset", "[Service]\nExecStart=/bin/false\nExecStart=\nExecStart=/bin/true x\n");
        TAP_STREQ(u ? u->service.exec_start.path : NULL, "/bin/true", "empty ExecStart= resets");
        model_unit_free(u);

        expect_problem("exec '+'", "[Service]\nExecStart=+/bin/true\n", 2, "ExecStart", "prefix '+'");
        expect_problem("exec '!'", "[Service]\nExecStart=!/bin/true\n", 2, "ExecStart", "prefix '!'");
        expect_problem("two commands", "[Service]\nExecStart=/bin/true\nExecStart=/bin/false\n", 3,
                       "ExecStart", "more than one command");
        expect_problem("relative exec", "[Service]\nExecStart=bin/true\n", 2, "ExecStart",
                       "neither an absolute");
        expect_problem("exec missing", "[Unit]\nDescription=x\n", 0, "ExecStart", NULL);
        expect_problem("exec '@' alone", "[Service]\nExecStart=@/bin/true\n", 2, "ExecStart", "argv[0]");

        test_exec_control();

        u = load_ok("types", HEAD "Type=notify\nRestart=on-failure\nRestartSec=1min 30s\nTimeoutStopSec=0\n"
                                  "TimeoutStartSec=500ms\nWatchdogSec=20\nKillSignal=SIGINT\nUMask=0077\n"
                                  "RestartSteps=3\nRestartMaxDelaySec=1h\n");
        if (u) {
                TAP_CHECK(u->service.type == SERVICE_NOTIFY, "Type=notify");
                TAP_CHECK(u->service.restart == RESTART_ON_FAILURE, "Restart=on-failure");
                TAP_CHECK(u->service.restart_sec == 90 * USEC_PER_SEC, "RestartSec=1min 30s");
                TAP_CHECK(u->service.timeout_stop == USEC_INFINITY, "TimeoutStopSec=0 disables the timeout");
                TAP_CHECK(u->service.timeout_start == 500 * USEC_PER_MSEC, "TimeoutStartSec=500ms");
                TAP_CHECK(u->service.watchdog == 20 * USEC_PER_SEC, "a bare number is seconds");
                TAP_CHECK(u->service.kill_signal == SIGINT, "KillSignal=SIGINT");
                TAP_CHECK(u->service.umask == 0077, "UMask=0077");
                TAP_CHECK(u->service.restart_steps == 3 &&
                                  u->service.restart_max_delay == 3600 * USEC_PER_SEC,
                          "RestartSteps=, RestartMaxDelaySec=");
                TAP_CHECK(u->service.type_origin.line == 3, "Type= origin");
        }
        model_unit_free(u);
        expect_problem("bad type", HEAD "Type=dbus\n", 3, "Type", "not one of exec");
        expect_problem("bad time", HEAD "RestartSec=5 parsecs\n", 3, "RestartSec", "5 parsecs");
        /* systemd's config_parse_sec() takes infinity for RestartSec= */
        u = load_ok("restart never", HEAD "RestartSec=infinity\n");
        TAP_CHECK(u && u->service.restart_sec == USEC_INFINITY, "RestartSec=infinity");
        model_unit_free(u);
        expect_problem("bad signal", HEAD "KillSignal=SIGFOO\n", 3, "KillSignal", "SIGFOO");
        expect_problem("bad umask", HEAD "UMask=999\n", 3, "UMask", "999");

        /* OOMScoreAdjust=: systemd's range; an empty value goes back to the inherited one. */
        u = load_ok("oom score", HEAD "OOMScoreAdjust=-1000\n");
        TAP_CHECK(u && u->service.oom_score_adjust_set && u->service.oom_score_adjust == -1000,
                  "OOMScoreAdjust=-1000");
        model_unit_free(u);
        u = load_ok("oom score reset", HEAD "OOMScoreAdjust=1000\nOOMScoreAdjust=\n");
        TAP_CHECK(u && !u->service.oom_score_adjust_set, "OOMScoreAdjust= empty resets to inherited");
        model_unit_free(u);
        expect_problem("oom score too high", HEAD "OOMScoreAdjust=1001\n", 3, "OOMScoreAdjust",
                       "-1000 to 1000");
        expect_problem("oom score too low", HEAD "OOMScoreAdjust=-1001\n", 3, "OOMScoreAdjust",
                       "-1000 to 1000");
        expect_problem("oom score not a number", HEAD "OOMScoreAdjust=low\n", 3, "OOMScoreAdjust", "low");
        expect_problem("oom score double sign", HEAD "OOMScoreAdjust=--5\n", 3, "OOMScoreAdjust", "--5");

        /* KillMode=: control-group by default, as systemd; process and none cannot be. */
        u = load_ok("kill mode default", HEAD);
        TAP_CHECK(u && u->service.kill_mode == KILL_MODE_CONTROL_GROUP, "KillMode=control-group by default");
        model_unit_free(u);
        u = load_ok("kill mode mixed", HEAD "KillMode=mixed\n");
        TAP_CHECK(u && u->service.kill_mode == KILL_MODE_MIXED, "KillMode=mixed");
        model_unit_free(u);
        expect_problem("KillMode=process", HEAD "KillMode=process\n", 3, "KillMode",
                       "end with its PID namespace when the main process exits");
        expect_problem("KillMode=bad", HEAD "KillMode=all\n", 3, "KillMode", "control-group, mixed");

        /* TimeoutSec=: both timeouts; a bad value is told once, under its own name. */
        u = load_ok("timeout both", HEAD "TimeoutSec=7s\n");
        TAP_CHECK(u && u->service.timeout_start == 7 * USEC_PER_SEC &&
                          u->service.timeout_stop == 7 * USEC_PER_SEC,
                  "TimeoutSec=7s sets TimeoutStartSec= and TimeoutStopSec=");
        model_unit_free(u);
        u = load_ok("timeout both, then one", HEAD "TimeoutSec=0\nTimeoutStopSec=3s\n");
        TAP_CHECK(u && u->service.timeout_start == USEC_INFINITY &&
                          u->service.timeout_stop == 3 * USEC_PER_SEC,
                  "TimeoutSec=0 (off), a later TimeoutStopSec= wins for its part");
        model_unit_free(u);
        {
                struct unit_problems p = {};
                struct hutch_unit *v = NULL;
                load_text(HEAD "TimeoutSec=soon\n", &v, &p);
                TAP_CHECK(p.n == 1 && problems_have(&p, "t.hutch", 3, "TimeoutSec", "soon"),
                          "TimeoutSec=soon: one message, naming TimeoutSec");
                unit_problems_clear(&p);
                model_unit_free(v);
        }
        /* PassEnvironment=: variable names. */
        u = load_ok("pass environment", HEAD "PassEnvironment=LANG TZ\nPassEnvironment=_X1\n");
        TAP_CHECK(u && u->service.pass_environment.n == 3 &&
                          streq(u->service.pass_environment.items[2], "_X1"),
                  "PassEnvironment= accumulates names");
        model_unit_free(u);
        expect_problem("bad pass environment", HEAD "PassEnvironment=A-B\n", 3, "PassEnvironment",
                       "not a variable name");
        u = load_ok("unset environment", HEAD "UnsetEnvironment=TERM LANG=C\n");
        TAP_CHECK(u && u->service.unset_environment.n == 2 &&
                          streq(u->service.unset_environment.items[1], "LANG=C") &&
                          u->service.ignore_sigpipe,
                  "UnsetEnvironment= takes names and assignments; IgnoreSIGPIPE=yes by default");
        model_unit_free(u);
        u = load_ok("ignore sigpipe", HEAD "IgnoreSIGPIPE=no\n");
        TAP_CHECK(u && !u->service.ignore_sigpipe, "IgnoreSIGPIPE=no");
        model_unit_free(u);
        expect_problem("bad unset environment", HEAD "UnsetEnvironment=1X\n", 3, "UnsetEnvironment",
                       "not a variable name or a NAME=VALUE assignment");

        /* The scheduling keys: systemd's names and ranges; empty unsets (inherited from hutch). */
        u = load_ok("scheduling", HEAD "Nice=-20\nCPUSchedulingPolicy=fifo\nCPUSchedulingPriority=99\n"
                                       "CPUSchedulingResetOnFork=true\nIOSchedulingClass=best-effort\n"
                                       "IOSchedulingPriority=7\nCPUAffinity=3 0-1\n");
        TAP_CHECK(u && u->service.nice_set && u->service.nice == -20 &&
                          u->service.cpu_sched_policy == SCHED_FIFO && u->service.cpu_sched_priority == 99 &&
                          u->service.cpu_sched_reset_on_fork == 1 && u->service.io_sched_class == 2 &&
                          u->service.io_sched_priority == 7 && u->service.cpu_affinity &&
                          streq(u->service.cpu_affinity, "0-1,3"),
                  "Nice=, CPUScheduling*=, IOScheduling*=, CPUAffinity= (normalized)");
        model_unit_free(u);
        u = load_ok("scheduling reset",
                    HEAD "Nice=19\nNice=\nCPUSchedulingPolicy=idle\nCPUSchedulingPolicy=\n"
                         "IOSchedulingClass=3\nIOSchedulingClass=\nCPUAffinity=1\nCPUAffinity=\n");
        TAP_CHECK(u && !u->service.nice_set && u->service.cpu_sched_policy == -1 &&
                          u->service.io_sched_class == -1 && !u->service.cpu_affinity,
                  "an empty assignment unsets each");
        model_unit_free(u);
        expect_problem("nice too low", HEAD "Nice=-21\n", 3, "Nice", "-20 to 19");
        expect_problem("nice too high", HEAD "Nice=20\n", 3, "Nice", "-20 to 19");
        expect_problem("bad policy", HEAD "CPUSchedulingPolicy=deadline\n", 3, "CPUSchedulingPolicy",
                       "other, batch, idle, fifo, rr");
        expect_problem("fifo without priority", HEAD "CPUSchedulingPolicy=fifo\n", 3, "CPUSchedulingPolicy",
                       "fifo needs CPUSchedulingPriority= from 1");
        expect_problem("priority without a real-time policy", HEAD "CPUSchedulingPriority=5\n", 3,
                       "CPUSchedulingPriority", "applies to CPUSchedulingPolicy=fifo and rr only");
        expect_problem("priority too high", HEAD "CPUSchedulingPriority=100\n", 3, "CPUSchedulingPriority",
                       "0 to 99");
        expect_problem("bad io class", HEAD "IOSchedulingClass=4\n", 3, "IOSchedulingClass", "best-effort");
        expect_problem("bad io priority", HEAD "IOSchedulingPriority=8\n", 3, "IOSchedulingPriority",
                       "0 to 7");
        expect_problem("bad cpu affinity", HEAD "CPUAffinity=1-a\n", 3, "CPUAffinity", "1-a");

        u = load_ok("exit status", HEAD "SuccessExitStatus=1 2 SIGHUP\nSuccessExitStatus=75\n"
                                        "RestartPreventExitStatus=3\nRestartPreventExitStatus=\n");
        if (u) {
                const struct exit_status_set *s = &u->service.success_exit_status;
                TAP_CHECK(s->set && exit_status_set_has_status(s, 1) && exit_status_set_has_status(s, 2) &&
                                  exit_status_set_has_status(s, 75) &&
                                  exit_status_set_has_signal(s, SIGHUP) && !exit_status_set_has_status(s, 0),
                          "SuccessExitStatus= appends");
                TAP_CHECK(!exit_status_set_has_status(&u->service.restart_prevent_exit_status, 3),
                          "RestartPreventExitStatus= empty resets");
        }
        model_unit_free(u);
        expect_problem("bad exit status", HEAD "SuccessExitStatus=1 256\n", 3, "SuccessExitStatus", "256");
        /* systemd's exit_status_from_string() names its own codes too, case-sensitive */
        u = load_ok("exit status names", HEAD "SuccessExitStatus=EXEC TEMPFAIL\n"
                                              "RestartPreventExitStatus=CHDIR EXCEPTION\n");
        TAP_CHECK(u && exit_status_set_has_status(&u->service.success_exit_status, 203) &&
                          exit_status_set_has_status(&u->service.success_exit_status, 75) &&
                          exit_status_set_has_status(&u->service.restart_prevent_exit_status, 200) &&
                          exit_status_set_has_status(&u->service.restart_prevent_exit_status, 255),
                  "EXEC is 203, TEMPFAIL 75, CHDIR 200, EXCEPTION 255");
        model_unit_free(u);
        expect_problem("exit status name in lower case", HEAD "SuccessExitStatus=exec\n", 3,
                       "SuccessExitStatus", "exec");

        u = load_ok("environment", HEAD "Environment=A=1 \"B=two words\" C=x\nEnvironment=A=3\n"
                                        "Environment=D=%%literal\n");
        if (u) {
                char **e = u->service.environment.items;
                TAP_CHECK(strv_length(e) == 4, "Environment= appends, a name once");
                TAP_CHECK(strv_contains(e, "A=3") && !strv_contains(e, "A=1"), "later A= wins");
                TAP_CHECK(strv_contains(e, "B=two words"), "quoted assignment");
                TAP_CHECK(strv_contains(e, "D=%literal"), "%% is a percent sign");
        }
        model_unit_free(u);
        u = load_ok("environment reset", HEAD "Environment=A=1\nEnvironment=\nEnvironment=B=2\n");
        TAP_CHECK(u && strv_length(u->service.environment.items) == 1, "Environment= empty resets");
        model_unit_free(u);
        expect_problem("bad environment", HEAD "Environment=1A=x\n", 3, "Environment", "1A=x");
        expect_problem("environment quoting", HEAD "Environment=\"A=x\n", 3, "Environment", NULL);

        u = load_ok("environment files", HEAD "EnvironmentFile=/etc/a\nEnvironmentFile=-/etc/b c\n");
        if (u) {
                TAP_CHECK(u->service.environment_files.n == 2, "EnvironmentFile= appends");
                TAP_CHECK(!u->service.environment_files.items[0].ignore_missing, "no '-': required");
                TAP_STREQ(u->service.environment_files.items[1].path, "/etc/b c", "whole value is one path");
                TAP_CHECK(u->service.environment_files.items[1].ignore_missing, "'-' prefix");
        }
        model_unit_free(u);
        expect_problem("relative environment file", HEAD "EnvironmentFile=etc/a\n", 3, "EnvironmentFile",
                       NULL);

        u = load_ok("working directory", HEAD "WorkingDirectory=-~\n");
        TAP_CHECK(u && u->service.working_directory_home && u->service.working_directory_missing_ok,
                  "WorkingDirectory=-~");
        model_unit_free(u);
        u = load_ok("working directory path", HEAD "WorkingDirectory=/srv//www/\n");
        TAP_STREQ(u ? u->service.working_directory : NULL, "/srv/www", "WorkingDirectory= normalized");
        model_unit_free(u);
        expect_problem("working directory ..", HEAD "WorkingDirectory=/srv/../etc\n", 3, "WorkingDirectory",
                       NULL);

        u = load_ok("users", HEAD "User=www-data\nGroup=1000\nSupplementaryGroups=adm video\n"
                                  "SupplementaryGroups=audio\n");
        if (u) {
                TAP_STREQ(u->service.user, "www-data", "User=");
                TAP_STREQ(u->service.group, "1000", "Group= numeric");
                TAP_CHECK(u->service.supplementary_groups.n == 3, "SupplementaryGroups= appends");
        }
        model_unit_free(u);
        expect_problem("bad user", HEAD "User=ro:ot\n", 3, "User", "ro:ot");
        expect_problem("bad group", HEAD "SupplementaryGroups=ok b/ad\n", 3, "SupplementaryGroups", "b/ad");

        u = load_ok("rlimits", HEAD "LimitNOFILE=1024:4096\nLimitCORE=infinity\nLimitAS=1G\nLimitCPU=10s\n");
        if (u) {
                const struct rlimit_setting *r = u->service.rlimits;
                TAP_CHECK(r[RLIMIT_NOFILE].set && r[RLIMIT_NOFILE].soft == 1024 &&
                                  r[RLIMIT_NOFILE].hard == 4096,
                          "LimitNOFILE=soft:hard");
                TAP_CHECK(r[RLIMIT_CORE].soft == RLIM_INFINITY && r[RLIMIT_CORE].hard == RLIM_INFINITY,
                          "LimitCORE=infinity");
                TAP_CHECK(r[RLIMIT_AS].soft == 1024ull * 1024 * 1024, "LimitAS=1G");
                TAP_CHECK(r[RLIMIT_CPU].soft == 10, "LimitCPU=10s");
        }
        model_unit_free(u);
        static const char *const limits[] = {
                "LimitCPU",      "LimitFSIZE",   "LimitDATA",   "LimitSTACK",
                "LimitCORE",     "LimitRSS",     "LimitNOFILE", "LimitAS",
                "LimitNPROC",    "LimitMEMLOCK", "LimitLOCKS",  "LimitSIGPENDING",
                "LimitMSGQUEUE", "LimitNICE",    "LimitRTPRIO", "LimitRTTIME"};
        for (size_t i = 0; i < ELEMENTSOF(limits); i++) {
                char t[200];
                /* LimitNICE= takes a nice level, not infinity */
                snprintf(t, sizeof t, HEAD "%s=%s\n", limits[i],
                         streq(limits[i], "LimitNICE") ? "10" : "infinity");
                u = load_ok(limits[i], t);
                model_unit_free(u);
        }
        expect_problem("bad rlimit", HEAD "LimitNOFILE=lots\n", 3, "LimitNOFILE", "lots");
        expect_problem("rlimit soft > hard", HEAD "LimitNOFILE=10:5\n", 3, "LimitNOFILE", NULL);
        /* systemd's rlimit_parse() refuses both; config_parse_rlimit() has no empty reset */
        expect_problem("rlimit trailing colon", HEAD "LimitNOFILE=1024:\n", 3, "LimitNOFILE",
                       "hard limit after ':' is missing");
        expect_problem("rlimit empty", HEAD "LimitNOFILE=\n", 3, "LimitNOFILE", "empty value");
}

static void test_unit_install(void) {
        struct hutch_unit *u = load_ok(
                "unit section",
                "[Unit]\nDescription=Web %N\nDocumentation=https://example.org "
                "man:web(8)\nAfter=network.target\n"
                "After=db.service\nWants=a.service\nRequires=b.service\nBindsTo=c.service\nPartOf=d.target\n"
                "Conflicts=e.service\nBefore=f.service\nStartLimitIntervalSec=30s\nStartLimitBurst=10\n" HEAD
                "[Install]\nWantedBy=multi-user.target\nRequiredBy=x.target\nAlias=www\n");
        if (u) {
                TAP_STREQ(u->unit.description, "Web t", "Description= with %%N");
                TAP_CHECK(u->unit.documentation.n == 2, "Documentation= two URLs");
                TAP_CHECK(u->unit.after.n == 2 && strv_contains(u->unit.after.items, "db.service"),
                          "After= appends");
                TAP_CHECK(u->unit.wants.n == 1 && u->unit.requires.n == 1 && u->unit.binds_to.n == 1 &&
                                  u->unit.part_of.n == 1 && u->unit.conflicts.n == 1 &&
                                  u->unit.before.n == 1,
                          "dependency lists");
                TAP_CHECK(u->unit.start_limit_interval == 30 * USEC_PER_SEC &&
                                  u->unit.start_limit_burst == 10,
                          "StartLimit*");
                TAP_CHECK(u->install.wanted_by.n == 1 && u->install.required_by.n == 1 &&
                                  u->install.alias.n == 1,
                          "[Install]");
        }
        model_unit_free(u);
        u = load_ok("list reset", "[Unit]\nAfter=a.service\nAfter=\nAfter=b.service\n" HEAD);
        TAP_CHECK(u && u->unit.after.n == 1 && streq(u->unit.after.items[0], "b.service"),
                  "After= empty resets");
        model_unit_free(u);
        expect_problem("bad dependency", "[Unit]\nAfter=network\n" HEAD, 2, "After", "systemd unit name");
        expect_problem("bad documentation", "[Unit]\nDocumentation=example.org\n" HEAD, 2, "Documentation",
                       NULL);
        expect_problem("bad burst", "[Unit]\nStartLimitBurst=-1\n" HEAD, 2, "StartLimitBurst", NULL);
}

static void test_sandbox(void) {
        struct hutch_unit *u = load_ok(
                "sandbox", HEAD
                "[Sandbox]\nRootDirectory=/srv/root/\nLayers=/l/a /l/b\nLayers=/l/c\nRootMode=persistent\n"
                "UpperDirectory=/var/lib/%p\nReadOnlyPaths=/a -/b +/c -+/d\nReadWritePaths=/rw\n"
                "InaccessiblePaths=-/secret\nPrivateTmp=no\nPrivateDevices=false\nPrivateNetwork=off\n"
                "PrivateUsers=identity\nHostname=web-1\n"
                "BindPaths=/src /a\\:b:/dst:norbind -/opt\nBindReadOnlyPaths=/etc/ssl:/etc/ssl:rbind\n"
                "TemporaryFileSystem=/var:mode=0755,size=10M /cache\n");
        if (u) {
                struct unit_section_sandbox *s = &u->sandbox;
                TAP_STREQ(s->root_directory, "/srv/root", "RootDirectory= normalized");
                TAP_CHECK(s->layers.n == 3 && streq(s->layers.items[2].path, "/l/c"),
                          "Layers= appends in order");
                TAP_CHECK(s->root_mode == ROOT_PERSISTENT, "RootMode=persistent");
                TAP_STREQ(s->upper_directory, "/var/lib/t", "UpperDirectory= with %%p");
                TAP_CHECK(s->read_only_paths.n == 4 && !s->read_only_paths.items[0].ignore_missing &&
                                  s->read_only_paths.items[1].ignore_missing &&
                                  streq(s->read_only_paths.items[2].path, "/c") &&
                                  s->read_only_paths.items[3].ignore_missing &&
                                  streq(s->read_only_paths.items[3].path, "/d"),
                          "ReadOnlyPaths= with '-' and '+'");
                TAP_CHECK(s->read_write_paths.n == 1 && s->inaccessible_paths.n == 1 &&
                                  s->inaccessible_paths.items[0].ignore_missing,
                          "ReadWritePaths=, InaccessiblePaths=");
                TAP_CHECK(!s->private_tmp && !s->private_devices && !s->private_network,
                          "Private* booleans");
                TAP_CHECK(s->private_users == PRIVATE_USERS_IDENTITY, "PrivateUsers=identity");
                TAP_STREQ(s->hostname, "web-1", "Hostname=");
                TAP_CHECK(s->n_binds == 4, "binds: %zu", s->n_binds);
                if (s->n_binds == 4) {
                        TAP_CHECK(streq(s->binds[0].source, "/src") &&
                                          streq(s->binds[0].destination, "/src") && s->binds[0].recursive &&
                                          !s->binds[0].read_only,
                                  "BindPaths=/src");
                        TAP_CHECK(streq(s->binds[1].source, "/a:b") &&
                                          streq(s->binds[1].destination, "/dst") && !s->binds[1].recursive,
                                  "BindPaths= with escaped ':' and norbind");
                        TAP_CHECK(s->binds[2].ignore_missing && streq(s->binds[2].source, "/opt"),
                                  "BindPaths=-/opt");
                        TAP_CHECK(s->binds[3].read_only && s->binds[3].recursive, "BindReadOnlyPaths=");
                }
                TAP_CHECK(s->n_tmpfs == 2 && streq(s->tmpfs[0].path, "/var") &&
                                  streq(s->tmpfs[0].options, "mode=0755,size=10M") && !s->tmpfs[1].options,
                          "TemporaryFileSystem=");
        }
        model_unit_free(u);
        u = load_ok("private users bool", HEAD "[Sandbox]\nPrivateUsers=yes\n");
        TAP_CHECK(u && u->sandbox.private_users == PRIVATE_USERS_YES, "PrivateUsers=yes");
        model_unit_free(u);
        u = load_ok("path list reset", HEAD "[Sandbox]\nReadOnlyPaths=/a\nReadOnlyPaths=\nReadOnlyPaths=/b\n"
                                            "BindPaths=/x\nBindPaths=\n");
        TAP_CHECK(u && u->sandbox.read_only_paths.n == 1 && u->sandbox.n_binds == 0, "path lists reset");
        model_unit_free(u);

        expect_problem("relative path", HEAD "[Sandbox]\nReadOnlyPaths=/ok relative\n", 4, "ReadOnlyPaths",
                       "relative");
        expect_problem("dotdot path", HEAD "[Sandbox]\nInaccessiblePaths=/a/../b\n", 4, "InaccessiblePaths",
                       NULL);
        expect_problem("layers no prefix", HEAD "[Sandbox]\nLayers=-/a\n", 4, "Layers", NULL);
        expect_problem("bind option", HEAD "[Sandbox]\nBindPaths=/a:/b:ro\n", 4, "BindPaths",
                       "unknown bind option");
        expect_problem("bind too many fields", HEAD "[Sandbox]\nBindPaths=/a:/b:rbind:x\n", 4, "BindPaths",
                       NULL);
        expect_problem("bind relative dest", HEAD "[Sandbox]\nBindPaths=/a:b\n", 4, "BindPaths", NULL);
        expect_problem("tmpfs option", HEAD "[Sandbox]\nTemporaryFileSystem=/x:mode=0755,context=foo\n", 4,
                       "TemporaryFileSystem", "context=foo");
        expect_problem("bad bool", HEAD "[Sandbox]\nPrivateTmp=perhaps\n", 4, "PrivateTmp", "perhaps");
        expect_problem("empty bool", HEAD "[Sandbox]\nPrivateTmp=\n", 4, "PrivateTmp", NULL);
        expect_problem("bad root mode", HEAD "[Sandbox]\nRootMode=rw\n", 4, "RootMode",
                       "read-only, volatile");
        expect_problem("bad private users", HEAD "[Sandbox]\nPrivateUsers=maybe\n", 4, "PrivateUsers", NULL);
        {
                static const struct {
                        const char *value;
                        enum protect_home want;
                } home[] = {{"read-only", PROTECT_HOME_READ_ONLY},
                            {"tmpfs", PROTECT_HOME_TMPFS},
                            {"no", PROTECT_HOME_NO},
                            {"off", PROTECT_HOME_NO},
                            {"yes", PROTECT_HOME_YES},
                            {"1", PROTECT_HOME_YES}};
                for (size_t i = 0; i < ELEMENTSOF(home); i++) {
                        char text[256];
                        snprintf(text, sizeof text,
                                 HEAD "[Sandbox]\nProtectHome=%s\nProtectCredentials=no\n", home[i].value);
                        u = load_ok(home[i].value, text);
                        TAP_CHECK(u && u->sandbox.protect_home == home[i].want &&
                                          !u->sandbox.protect_credentials,
                                  "ProtectHome=%s, ProtectCredentials=no", home[i].value);
                        model_unit_free(u);
                }
        }
        u = load_ok("protect defaults", HEAD);
        TAP_CHECK(u && u->sandbox.protect_home == PROTECT_HOME_YES && u->sandbox.protect_credentials,
                  "ProtectHome=yes and ProtectCredentials=yes by default");
        model_unit_free(u);
        expect_problem("bad protect home", HEAD "[Sandbox]\nProtectHome=read-write\n", 4, "ProtectHome",
                       "yes, no, read-only, tmpfs");
        expect_problem("bad protect credentials", HEAD "[Sandbox]\nProtectCredentials=maybe\n", 4,
                       "ProtectCredentials", NULL);
        expect_problem("bind hidden by ProtectHome=yes", HEAD "[Sandbox]\nBindPaths=/srv:/root/srv\n", 4,
                       "BindPaths", "hidden by ProtectHome=yes");
        expect_problem("path hidden by ProtectHome=yes", HEAD "[Sandbox]\nReadWritePaths=/home\n", 4,
                       "ReadWritePaths", "hidden by ProtectHome=yes");
        expect_problem("bind hidden by ProtectCredentials=yes",
                       HEAD "[Sandbox]\nBindReadOnlyPaths=/etc/shadow\n", 4, "BindReadOnlyPaths",
                       "hidden by ProtectCredentials=yes");
        u = load_ok("bind into ProtectHome=tmpfs",
                    HEAD "[Sandbox]\nProtectHome=tmpfs\nBindPaths=/srv:/home/srv\n"
                         "ProtectCredentials=no\nBindReadOnlyPaths=/etc/shadow\n");
        model_unit_free(u);
        expect_problem("bad hostname", HEAD "[Sandbox]\nHostname=-bad-\n", 4, "Hostname", NULL);
        {
                static const struct {
                        const char *value;
                        enum protect_system want;
                } ps[] = {{"yes", PROTECT_SYSTEM_YES},
                          {"on", PROTECT_SYSTEM_YES},
                          {"full", PROTECT_SYSTEM_FULL},
                          {"no", PROTECT_SYSTEM_NO}};
                for (size_t i = 0; i < ELEMENTSOF(ps); i++) {
                        char text[256];
                        snprintf(text, sizeof text, HEAD "[Sandbox]\nRootMode=volatile\nProtectSystem=%s\n",
                                 ps[i].value);
                        u = load_ok(ps[i].value, text);
                        TAP_CHECK(u && u->sandbox.protect_system == ps[i].want &&
                                          model_protect_system(&u->sandbox) == ps[i].want,
                                  "ProtectSystem=%s with RootMode=volatile", ps[i].value);
                        model_unit_free(u);
                }
        }
        u = load_ok("protect system on the read-only root", HEAD "[Sandbox]\nProtectSystem=full\n");
        TAP_CHECK(u && model_protect_system(&u->sandbox) == PROTECT_SYSTEM_STRICT,
                  "ProtectSystem=full with RootMode=read-only: strict in effect");
        model_unit_free(u);
        u = load_ok("protect system strict", HEAD "[Sandbox]\nProtectSystem=strict\n");
        model_unit_free(u);
        expect_problem("ProtectSystem=no on the read-only root", HEAD "[Sandbox]\nProtectSystem=no\n", 4,
                       "ProtectSystem", "'no': the root is read-only with RootMode=read-only");
        expect_problem("ProtectSystem=strict, RootMode=volatile",
                       HEAD "[Sandbox]\nProtectSystem=strict\nRootMode=volatile\n", 4, "ProtectSystem",
                       "which RootMode=volatile contradicts");
        expect_problem("bad protect system", HEAD "[Sandbox]\nProtectSystem=usr\n", 4, "ProtectSystem",
                       "yes, no, full, strict");
        u = load_ok("protect hostname default", HEAD);
        TAP_CHECK(u && u->sandbox.protect_hostname, "ProtectHostname=yes by default");
        model_unit_free(u);
        u = load_ok("protect hostname no", HEAD "[Sandbox]\nProtectHostname=no\n");
        TAP_CHECK(u && !u->sandbox.protect_hostname, "ProtectHostname=no");
        model_unit_free(u);
        /* systemd's keys for what every sandbox has: the values asking for it load, those turning
         * it off are refused with the reason, anything else is not a value of the key. */
        u = load_ok("always-on keys", HEAD "[Sandbox]\nPrivateIPC=yes\nPrivateMounts=true\nMountAPIVFS=1\n"
                                           "ProtectControlGroups=strict\nProtectControlGroups=yes\n"
                                           "RemoveIPC=on\nPrivateIPC=\n[Security]\nKeyringMode=private\n");
        model_unit_free(u);
        expect_problem("PrivateIPC=no", HEAD "[Sandbox]\nPrivateIPC=no\n", 4, "PrivateIPC",
                       "'no': hutch always gives the service an IPC namespace of its own");
        expect_problem("PrivateMounts=no", HEAD "[Sandbox]\nPrivateMounts=false\n", 4, "PrivateMounts",
                       "mount namespace of its own");
        expect_problem("MountAPIVFS=no", HEAD "[Sandbox]\nMountAPIVFS=off\n", 4, "MountAPIVFS",
                       "always mounts /proc, /sys and /dev");
        expect_problem("ProtectControlGroups=private", HEAD "[Sandbox]\nProtectControlGroups=private\n", 4,
                       "ProtectControlGroups",
                       "'private': hutch always mounts the service's own cgroup tree");
        expect_problem("ProtectControlGroups=no", HEAD "[Sandbox]\nProtectControlGroups=0\n", 4,
                       "ProtectControlGroups", "read-only");
        expect_problem("ProtectControlGroups=bad", HEAD "[Sandbox]\nProtectControlGroups=bad\n", 4,
                       "ProtectControlGroups", "not one of yes, no, private, strict");
        expect_problem("RemoveIPC=no", HEAD "[Sandbox]\nRemoveIPC=no\n", 4, "RemoveIPC",
                       "hutch cannot keep them");
        expect_problem("KeyringMode=shared", HEAD "[Security]\nKeyringMode=shared\n", 4, "KeyringMode",
                       "session keyring of its own");
        expect_problem("KeyringMode=yes", HEAD "[Security]\nKeyringMode=yes\n", 4, "KeyringMode",
                       "not one of inherit, private, shared");
        expect_problem("unknown specifier", HEAD "[Sandbox]\nRootDirectory=/srv/%j\n", 4, "RootDirectory",
                       "unknown specifier '%j'");
        expect_problem("trailing percent", "[Unit]\nDescription=100%\n" HEAD, 2, "Description",
                       "'%' at the end");
}

static void test_resources(void) {
        long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        uint64_t mem = (uint64_t) pages * (uint64_t) psize;
        struct hutch_unit *u = load_ok("resources", HEAD "[Resources]\nCPUWeight=200\nIOWeight=10000\n"
                                                         "CPUQuota=150%\nAllowedCPUs=0-1\nMemoryMin=0\n"
                                                         "MemoryLow=10M\nMemoryHigh=1%\nMemoryMax=1.5G\n"
                                                         "MemorySwapMax=infinity\nTasksMax=100\n"
                                                         "IOReadBandwidthMax=/dev/sda 10M\n"
                                                         "IOWriteBandwidthMax=/dev/sdb 1.5K\n"
                                                         "IOWriteBandwidthMax=/dev/sdb infinity\n");
        if (u) {
                struct unit_section_resources *r = &u->resources;
                TAP_CHECK(r->cpu_weight.set && r->cpu_weight.value == 200, "CPUWeight=200");
                TAP_CHECK(r->io_weight.value == 10000, "IOWeight=10000");
                TAP_CHECK(r->cpu_quota.value == 1500000, "CPUQuota=150%% is 1.5 s per s");
                TAP_STREQ(r->allowed_cpus, "0-1", "AllowedCPUs=");
                TAP_CHECK(r->memory_min.set && r->memory_min.value == 0, "MemoryMin=0 allowed");
                TAP_CHECK(r->memory_low.value == 10 * 1024 * 1024, "MemoryLow=10M (base 1024)");
                TAP_CHECK(r->memory_high.value == (uint64_t) pages / 100 * (uint64_t) psize,
                          "MemoryHigh=1%% of physical memory, in whole pages");
                TAP_CHECK(r->memory_max.value == 1536ull * 1024 * 1024, "MemoryMax=1.5G");
                TAP_CHECK(r->memory_swap_max.value == LIMIT_INFINITY, "MemorySwapMax=infinity");
                TAP_CHECK(r->tasks_max.value == 100, "TasksMax=100");
                TAP_CHECK(r->n_io_limits[IO_READ_BANDWIDTH_MAX] == 1 &&
                                  r->io_limits[IO_READ_BANDWIDTH_MAX][0].per_sec == 10000000,
                          "IOReadBandwidthMax= base 1000");
                TAP_CHECK(r->n_io_limits[IO_WRITE_BANDWIDTH_MAX] == 1 &&
                                  r->io_limits[IO_WRITE_BANDWIDTH_MAX][0].per_sec == LIMIT_INFINITY,
                          "IOWriteBandwidthMax= same device replaced");
        }
        model_unit_free(u);
        u = load_ok("tasks percent", HEAD "[Resources]\nTasksMax=10%\nMemoryMax=\n");
        TAP_CHECK(u && u->resources.tasks_max.set && u->resources.tasks_max.value > 0 &&
                          u->resources.tasks_max.value < 4194304,
                  "TasksMax=10%% of the kernel's limit");
        TAP_CHECK(u && !u->resources.memory_max.set, "MemoryMax= empty unsets");
        model_unit_free(u);
        /* systemd's physical_memory_scale(): whole pages, rounded down */
        u = load_ok("memory percent in pages", HEAD "[Resources]\nMemoryMax=33.3%\nMemoryHigh=0.01%\n"
                                                    "MemorySwapMax=100%\n");
        if (u) {
                uint64_t want = (uint64_t) pages * 3330 / 10000 * (uint64_t) psize;
                TAP_CHECK(u->resources.memory_max.value == want,
                          "MemoryMax=33.3%% is %" PRIu64 " (got %" PRIu64 "), whole pages", want,
                          u->resources.memory_max.value);
                TAP_CHECK(u->resources.memory_high.value % (uint64_t) psize == 0 &&
                                  u->resources.memory_high.value ==
                                          (uint64_t) pages / 10000 * (uint64_t) psize,
                          "MemoryHigh=0.01%% is whole pages too");
                TAP_CHECK(u->resources.memory_swap_max.value == mem, "MemorySwapMax=100%% is all of it");
        }
        model_unit_free(u);
        expect_problem("weight 0", HEAD "[Resources]\nCPUWeight=0\n", 4, "CPUWeight", "1 and 10000");
        expect_problem("weight 10001", HEAD "[Resources]\nIOWeight=10001\n", 4, "IOWeight", "1 and 10000");
        expect_problem("CPU weight idle", HEAD "[Resources]\nCPUWeight=idle\n", 4, "CPUWeight",
                       "not supported by hutch");
        expect_problem("IO weight idle", HEAD "[Resources]\nIOWeight=idle\n", 4, "IOWeight", "1 and 10000");
        expect_problem("quota no %", HEAD "[Resources]\nCPUQuota=1.5\n", 4, "CPUQuota", "percentage");
        expect_problem("quota 0", HEAD "[Resources]\nCPUQuota=0\u2030\n", 4, "CPUQuota", "more than 0%");
        u = load_ok("quota per mille", HEAD "[Resources]\nCPUQuota=500\u2030\n");
        TAP_CHECK(u && u->resources.cpu_quota.value == 500000, "CPUQuota=500\u2030 is 0.5 s per s");
        model_unit_free(u);
        u = load_ok("quota per ten thousand", HEAD "[Resources]\nCPUQuota=15000\u2031\n");
        TAP_CHECK(u && u->resources.cpu_quota.value == 1500000, "CPUQuota=15000\u2031 is 1.5 s per s");
        model_unit_free(u);
        expect_problem("memory suffix", HEAD "[Resources]\nMemoryMax=12Q\n", 4, "MemoryMax", "12Q");
        expect_problem("memory max 0", HEAD "[Resources]\nMemoryMax=0\n", 4, "MemoryMax", "more than 0");
        expect_problem("tasks 0", HEAD "[Resources]\nTasksMax=0\n", 4, "TasksMax", NULL);
        /* systemd's config_parse_tasks_max() caps percentages at 100%, CPUQuota= does not */
        expect_problem("tasks 150%", HEAD "[Resources]\nTasksMax=150%\n", 4, "TasksMax", "above 100%");
        expect_problem("tasks 100.01%", HEAD "[Resources]\nTasksMax=100.01%\n", 4, "TasksMax", "above 100%");
        u = load_ok("tasks 100%", HEAD "[Resources]\nTasksMax=100%\n");
        TAP_CHECK(u && u->resources.tasks_max.value > 0, "TasksMax=100%% is the kernel's limit");
        model_unit_free(u);
        /* parse_permyriad() takes per mille and per ten thousand for TasksMax= too */
        {
                struct hutch_unit *pc = load_ok("tasks percent", HEAD "[Resources]\nTasksMax=15%\n");
                struct hutch_unit *pm = load_ok("tasks per mille", HEAD "[Resources]\nTasksMax=150\u2030\n");
                struct hutch_unit *py =
                        load_ok("tasks per ten thousand", HEAD "[Resources]\nTasksMax=1500\u2031\n");
                TAP_CHECK(pc && pm && py && pm->resources.tasks_max.set &&
                                  pm->resources.tasks_max.value == pc->resources.tasks_max.value &&
                                  py->resources.tasks_max.value == pc->resources.tasks_max.value,
                          "TasksMax=150\u2030 and 1500\u2031 are 15%%");
                model_unit_free(pc);
                model_unit_free(pm);
                model_unit_free(py);
        }
        expect_problem("tasks 1001 per mille", HEAD "[Resources]\nTasksMax=1001\u2030\n", 4, "TasksMax",
                       "above 100%");
        expect_problem("cpus", HEAD "[Resources]\nAllowedCPUs=3-1\n", 4, "AllowedCPUs", NULL);
        u = load_ok("cpus separators only", HEAD "[Resources]\nAllowedCPUs=, ,\n");
        TAP_CHECK(u && !u->resources.allowed_cpus, "AllowedCPUs=, , is an empty set: unset");
        model_unit_free(u);
        expect_problem("io no bytes", HEAD "[Resources]\nIOReadBandwidthMax=/dev/sda\n", 4,
                       "IOReadBandwidthMax", "PATH BYTES");
        expect_problem("io bad bytes", HEAD "[Resources]\nIOReadBandwidthMax=/dev/sda fast\n", 4,
                       "IOReadBandwidthMax", "fast");
        expect_problem("io relative", HEAD "[Resources]\nIOReadBandwidthMax=sda 1M\n", 4,
                       "IOReadBandwidthMax", NULL);
}

static void test_security(void) {
        struct hutch_unit *u =
                load_ok("security", HEAD "[Security]\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"
                                         "CapabilityBoundingSet=CAP_CHOWN\n"
                                         "AmbientCapabilities=CAP_NET_BIND_SERVICE\n"
                                         "NoNewPrivileges=no\nSystemCallFilter=@system-service\n"
                                         "SystemCallFilter=~@mount reboot\n"
                                         "SystemCallErrorNumber=EACCES\n"
                                         "SystemCallArchitectures=native x86\n"
                                         "RestrictNamespaces=net user\nLockPersonality=no\n"
                                         "RestrictRealtime=no\nRestrictSUIDSGID=no\n"
                                         "MemoryDenyWriteExecute=yes\nProtectKernelTunables=no\n"
                                         "ProtectKernelModules=no\nProtectKernelLogs=no\n"
                                         "ProtectClock=no\n");
        if (u) {
                struct unit_section_security *s = &u->security;
                TAP_CHECK(s->capability_bounding_set == ((1ull << 10) | (1ull << 0)),
                          "bounding set ORs lines");
                TAP_CHECK(s->ambient_capabilities == 1ull << 10, "AmbientCapabilities=");
                TAP_CHECK(!s->no_new_privileges, "NoNewPrivileges=no");
                TAP_CHECK(s->syscall_filter_set && s->n_syscall_filter == 3, "SystemCallFilter= entries");
                if (s->n_syscall_filter == 3)
                        TAP_CHECK(!s->syscall_filter[0].deny && s->syscall_filter[1].deny &&
                                          s->syscall_filter[2].deny &&
                                          streq(s->syscall_filter[2].name, "reboot"),
                                  "'~' applies to the whole line");
                TAP_CHECK(s->syscall_error_number == EACCES, "SystemCallErrorNumber=EACCES");
                TAP_CHECK(strv_contains(s->syscall_architectures.items, "x86"), "SystemCallArchitectures=");
                TAP_CHECK(s->restrict_namespaces == (CLONE_NEWNET | CLONE_NEWUSER),
                          "RestrictNamespaces=net user");
                TAP_CHECK(!s->lock_personality && !s->restrict_realtime && !s->restrict_suid_sgid &&
                                  s->memory_deny_write_execute && !s->protect_kernel_tunables &&
                                  !s->protect_kernel_modules && !s->protect_kernel_logs && !s->protect_clock,
                          "security booleans");
        }
        model_unit_free(u);

        u = load_ok("inverted caps", HEAD "[Security]\nCapabilityBoundingSet=~CAP_SYS_ADMIN\n"
                                          "SystemCallErrorNumber=kill\nRestrictNamespaces=~user\n");
        if (u) {
                TAP_CHECK(!(u->security.capability_bounding_set & (1ull << 21)) &&
                                  (u->security.capability_bounding_set & 1),
                          "'~' inverts the capability set");
                TAP_CHECK(u->security.syscall_error_number == SYSCALL_ERRNO_KILL,
                          "SystemCallErrorNumber=kill");
                TAP_CHECK(u->security.restrict_namespaces ==
                                  (NAMESPACE_FLAGS_ALL & ~(unsigned long) CLONE_NEWUSER),
                          "RestrictNamespaces=~user");
        }
        model_unit_free(u);
        u = load_ok("merging",
                    HEAD "[Security]\nCapabilityBoundingSet=CAP_CHOWN CAP_KILL\n"
                         "CapabilityBoundingSet=~CAP_KILL\nCapabilityBoundingSet=CAP_SETUID\n"
                         "RestrictNamespaces=net\nRestrictNamespaces=~net\nRestrictNamespaces=uts\n");
        if (u) {
                TAP_CHECK(u->security.capability_bounding_set == ((1ull << 0) | (1ull << 7)),
                          "a later '~' line removes from the set, a later plain line adds (systemd)");
                TAP_CHECK(u->security.restrict_namespaces == CLONE_NEWUTS,
                          "RestrictNamespaces= lists merge after the first (systemd)");
        }
        model_unit_free(u);
        /* RestrictAddressFamilies=, as systemd's config_parse_address_families() */
#define AFB(n) (UINT64_C(1) << (n))
        u = load_ok("families default", HEAD);
        TAP_CHECK(u && u->security.address_families_allow &&
                          u->security.address_families == (AFB(1) | AFB(2) | AFB(10) | AFB(16)),
                  "RestrictAddressFamilies= default: AF_UNIX AF_INET AF_INET6 AF_NETLINK");
        model_unit_free(u);
        u = load_ok("families first list",
                    HEAD "[Security]\nRestrictAddressFamilies=AF_UNIX AF_LOCAL\n"
                         "RestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=~AF_UNIX\n");
        TAP_CHECK(u && u->security.address_families_allow && u->security.address_families == AFB(2),
                  "the first list replaces the default; a later list adds, a later ~ list removes");
        model_unit_free(u);
        u = load_ok("families deny",
                    HEAD "[Security]\nRestrictAddressFamilies=~AF_PACKET\n"
                         "RestrictAddressFamilies=~AF_ROUTE\nRestrictAddressFamilies=AF_PACKET\n");
        TAP_CHECK(u && !u->security.address_families_allow && u->security.address_families == AFB(16),
                  "a first ~ list is a deny list (everything else allowed); AF_ROUTE is AF_NETLINK");
        model_unit_free(u);
        u = load_ok("families none",
                    HEAD "[Security]\nRestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=none\n");
        TAP_CHECK(u && u->security.address_families_allow && u->security.address_families == 0,
                  "RestrictAddressFamilies=none: no family");
        model_unit_free(u);
        u = load_ok("families none then deny",
                    HEAD "[Security]\nRestrictAddressFamilies=none\nRestrictAddressFamilies=~AF_INET6\n");
        TAP_CHECK(u && !u->security.address_families_allow && u->security.address_families == AFB(10),
                  "after none, the next list sets the value again");
        model_unit_free(u);
        u = load_ok("families reset",
                    HEAD "[Security]\nRestrictAddressFamilies=AF_INET\nRestrictAddressFamilies=\n");
        TAP_CHECK(u && !u->security.address_families_allow && u->security.address_families == 0,
                  "RestrictAddressFamilies= (empty): no restriction");
        model_unit_free(u);
#undef AFB
        u = load_ok("procfs options", HEAD "[Sandbox]\nProtectProc=invisible\nProcSubset=pid\n");
        TAP_CHECK(u && u->sandbox.protect_proc == PROTECT_PROC_INVISIBLE &&
                          u->sandbox.proc_subset == PROC_SUBSET_PID,
                  "ProtectProc=invisible, ProcSubset=pid");
        model_unit_free(u);
        expect_problem("bad ProtectProc", HEAD "[Sandbox]\nProtectProc=yes\n", 4, "ProtectProc",
                       "not one of default, noaccess, invisible, ptraceable");
        expect_problem("unknown family", HEAD "[Security]\nRestrictAddressFamilies=AF_UNIX AF_INTE\n", 4,
                       "RestrictAddressFamilies", "not an address family");
        u = load_ok("yes then inverted",
                    HEAD "[Security]\nRestrictNamespaces=yes\nRestrictNamespaces=~user\n");
        TAP_CHECK(u && u->security.restrict_namespaces == 0, "RestrictNamespaces=yes then ~user stays none");
        model_unit_free(u);
        u = load_ok("caps reset",
                    HEAD "[Security]\nCapabilityBoundingSet=CAP_CHOWN\nCapabilityBoundingSet=\n"
                         "RestrictNamespaces=no\nSystemCallErrorNumber=13\nSystemCallFilter=\n");
        if (u) {
                TAP_CHECK(u->security.capability_bounding_set == 0, "empty resets the capability set");
                TAP_CHECK(u->security.restrict_namespaces == NAMESPACE_FLAGS_ALL, "RestrictNamespaces=no");
                TAP_CHECK(u->security.syscall_error_number == 13, "SystemCallErrorNumber=13");
                TAP_CHECK(u->security.syscall_filter_set && u->security.n_syscall_filter == 0,
                          "SystemCallFilter= empty: an explicit empty filter");
        }
        model_unit_free(u);
        expect_problem("bad cap", HEAD "[Security]\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_FLY\n", 4,
                       "CapabilityBoundingSet", "CAP_FLY");
        expect_problem("bad syscall", HEAD "[Security]\nSystemCallFilter=read no_such_call\n", 4,
                       "SystemCallFilter", "no_such_call");
        expect_problem("bad group", HEAD "[Security]\nSystemCallFilter=@no-such-group\n", 4,
                       "SystemCallFilter", "unknown system call group");
        expect_problem("per-call errno", HEAD "[Security]\nSystemCallFilter=~mount:EPERM\n", 4,
                       "SystemCallFilter", "not supported");
        u = load_ok("errno in lower case", HEAD "[Security]\nSystemCallErrorNumber=eacces\n");
        TAP_CHECK(u && u->security.syscall_error_number == EACCES, "SystemCallErrorNumber=eacces is EACCES");
        model_unit_free(u);
        expect_problem("bad errno", HEAD "[Security]\nSystemCallErrorNumber=EWHATEVER\n", 4,
                       "SystemCallErrorNumber", "EWHATEVER");
        expect_problem("bad arch", HEAD "[Security]\nSystemCallArchitectures=vax\n", 4,
                       "SystemCallArchitectures", "vax");
        expect_problem("bad namespace", HEAD "[Security]\nRestrictNamespaces=net bogus\n", 4,
                       "RestrictNamespaces", "bogus");
}

struct seen {
        size_t n;
        const char *section, *key, *value;
};

static int remember(const struct unit_line *l, void *userdata) {
        struct seen *s = userdata;
        s->n++;
        s->section = l->section;
        s->key = l->key;
        s->value = l->value;
        return 0;
}

/* The inih bridge at the limits of what it hands inih: a 48-byte section name (inih's section
 * buffer holds 49), a 99-byte key, a value far beyond inih's line buffer. */
static void test_bridge(void) {
        char sec[64], key[128], text[4096];
        memset(sec, 'S', 48);
        sec[48] = 0;
        memset(key, 'k', 99);
        key[99] = 0;
        char value[1500];
        memset(value, 'v', 1000);
        strcpy(value + 1000, " ; # = [x]");
        snprintf(text, sizeof text, "[%s]\n%s=%s\n", sec, key, value);
        struct unit_lines lines = {};
        struct unit_problems p = {};
        int r = unit_lines_parse("bridge", text, strlen(text), &lines, &p);
        TAP_CHECK(r == 0 && p.n == 0 && lines.n == 2, "bridge: longest names accepted by the reader");
        struct seen s = {};
        r = unit_lines_dispatch(&lines, remember, &s);
        TAP_CHECK(r == 0 && s.n == 1, "bridge: inih reports the one assignment (r=%d)", r);
        TAP_STREQ(s.section, sec, "bridge: 48-byte section name intact through inih");
        TAP_STREQ(s.key, key, "bridge: 99-byte key intact through inih");
        TAP_STREQ(s.value, value, "bridge: value is ours, exact");
        unit_lines_free(&lines);

        /* one byte more each: refused by the reader, never handed to inih */
        strcat(sec, "S");
        strcat(key, "k");
        snprintf(text, sizeof text, "[%s]\nA=1\n[Unit]\n%s=1\n", sec, key);
        r = unit_lines_parse("bridge", text, strlen(text), &lines, &p);
        TAP_CHECK(r == 0 && lines.n == 1 && problems_have(&p, "bridge", 1, NULL, "invalid section name") &&
                          problems_have(&p, "bridge", 4, NULL, "invalid key name"),
                  "bridge: 49-byte section and 100-byte key refused");
        unit_lines_free(&lines);
        unit_problems_clear(&p);

        /* A table the reader did not make (hand-built) is still checked before inih sees it. */
        struct unit_line bad = {.kind = UNIT_LINE_ASSIGNMENT,
                                .section = "Service",
                                .key = "User=root\nX",
                                .value = "",
                                .line = 1};
        struct unit_lines forged = {.items = &bad, .n = 1};
        TAP_CHECK(unit_lines_dispatch(&forged, remember, &s) == -EINVAL,
                  "bridge: forged key with '=' and newline refused");

        /* A physical line beyond 1 MiB is refused with its line number. */
        size_t big = 1024 * 1024 + 10;
        char *huge = malloc(big + 64);
        if (!huge)
                abort();
        int k = sprintf(huge, "[Unit]\nDescription=");
        memset(huge + k, 'x', big);
        strcpy(huge + k + big, "\nAfter=a.service\n");
        r = unit_lines_parse("huge", huge, strlen(huge), &lines, &p);
        TAP_CHECK(r == 0 && problems_have(&p, "huge", 2, NULL, "line too long") && lines.n == 2,
                  "a line over 1 MiB is refused, the next one still read");
        unit_lines_free(&lines);
        unit_problems_clear(&p);
        free(huge);
}

/* StandardInput=, StandardOutput=, StandardError= and the Syslog*= keys: each value systemd
 * takes, either applied or refused with the reason, at its file:line. */
static void test_std_streams(void) {
        static const struct {
                const char *line;
                int fd; /* 0, 1, 2 */
                enum std_stream kind;
                const char *path;
        } ok[] = {
                {"StandardInput=null", 0, STD_STREAM_NULL, NULL},
                {"StandardInput=file:/etc/hosts", 0, STD_STREAM_FILE, "/etc/hosts"},
                {"StandardInput=file:/srv//in/./data/", 0, STD_STREAM_FILE, "/srv/in/data"},
                {"StandardOutput=inherit", 1, STD_STREAM_INHERIT, NULL},
                {"StandardOutput=null", 1, STD_STREAM_NULL, NULL},
                {"StandardOutput=journal", 1, STD_STREAM_JOURNAL, NULL},
                {"StandardOutput=syslog", 1, STD_STREAM_JOURNAL, NULL}, /* systemd's old name */
                {"StandardOutput=file:/var/log/a b", 1, STD_STREAM_FILE, "/var/log/a b"},
                {"StandardOutput=append:/var/log/%N.log", 1, STD_STREAM_APPEND, "/var/log/t.log"},
                {"StandardOutput=truncate:/run/%n", 1, STD_STREAM_TRUNCATE, "/run/t.hutch"},
                {"StandardError=inherit", 2, STD_STREAM_INHERIT, NULL},
                {"StandardError=null", 2, STD_STREAM_NULL, NULL},
                {"StandardError=journal", 2, STD_STREAM_JOURNAL, NULL},
                {"StandardError=file:/dev/console", 2, STD_STREAM_FILE, "/dev/console"},
                {"StandardError=append:/var/log/web.err", 2, STD_STREAM_APPEND, "/var/log/web.err"},
                {"StandardError=truncate:/tmp/x", 2, STD_STREAM_TRUNCATE, "/tmp/x"},
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                char text[256];
                snprintf(text, sizeof text, HEAD "%s\n", ok[i].line);
                struct hutch_unit *u = load_ok(ok[i].line, text);
                const struct std_stream_setting *st = !u              ? NULL
                                                      : ok[i].fd == 0 ? &u->service.std_input
                                                      : ok[i].fd == 1 ? &u->service.std_output
                                                                      : &u->service.std_error;
                TAP_CHECK(st && st->kind == ok[i].kind && streq_ptr(st->path, ok[i].path) &&
                                  st->origin.line == 3 && st->origin.file &&
                                  strstr(st->origin.file, "t.hutch"),
                          "%s: kind %s, path %s, origin t.hutch:3", ok[i].line,
                          std_stream_to_string(ok[i].kind), ok[i].path ? ok[i].path : "none");
                model_unit_free(u);
        }

        /* An empty assignment goes back to unset; a later assignment replaces an earlier one. */
        struct hutch_unit *u =
                load_ok("stream reset", HEAD "StandardOutput=file:/var/log/x\nStandardOutput=\n"
                                             "StandardInput=file:/a\nStandardInput=null\n"
                                             "StandardError=null\nStandardError=\n");
        TAP_CHECK(u && u->service.std_output.kind == STD_STREAM_DEFAULT && !u->service.std_output.path &&
                          u->service.std_input.kind == STD_STREAM_NULL && !u->service.std_input.path &&
                          u->service.std_error.kind == STD_STREAM_DEFAULT,
                  "StandardOutput= empty resets; a later StandardInput= replaces the file");
        model_unit_free(u);

        static const struct {
                const char *line, *key, *message;
        } bad[] = {
                {"StandardInput=tty", "StandardInput",
                 "'tty' is not supported (the service has no terminal"},
                {"StandardInput=tty-force", "StandardInput",
                 "hutch's services get /dev/null, a file, or hutch's own stdin"},
                {"StandardInput=tty-fail", "StandardInput", "no terminal of its own"},
                {"StandardInput=socket", "StandardInput", "no sockets or file descriptors of its own"},
                {"StandardInput=fd:web", "StandardInput", "'fd:web' is not supported"},
                {"StandardInput=data", "StandardInput", "no StandardInputText= or StandardInputData="},
                {"StandardInput=inherit", "StandardInput", "'inherit': not one of null, file:PATH"},
                {"StandardInput=journal", "StandardInput", "not one of null, file:PATH"},
                {"StandardInput=append:/x", "StandardInput", "'append:/x': not one of null, file:PATH"},
                {"StandardInput=file:etc/hosts", "StandardInput", "not absolute"},
                {"StandardOutput=journal+console", "StandardOutput",
                 "'journal+console' is not supported (hutch copies nothing to the console)"},
                {"StandardOutput=syslog+console", "StandardOutput", "copies nothing to the console"},
                {"StandardOutput=kmsg", "StandardOutput", "nothing to the kernel log"},
                {"StandardOutput=kmsg+console", "StandardOutput", "copies nothing to the console"},
                {"StandardOutput=tty", "StandardOutput",
                 "no terminal of its own): hutch's services write to hutch's own stdout or stderr (the "
                 "journal under systemd), a file, or /dev/null"},
                {"StandardOutput=socket", "StandardOutput", "no sockets"},
                {"StandardOutput=fd:log", "StandardOutput", "'fd:log' is not supported"},
                {"StandardOutput=File:/x", "StandardOutput",
                 "not one of inherit, null, journal, file:PATH, append:PATH, truncate:PATH"},
                {"StandardOutput=file", "StandardOutput", "not one of inherit"},
                {"StandardOutput=append:", "StandardOutput", "'append:': a path is required after the ':'"},
                {"StandardOutput=append:log/web.log", "StandardOutput",
                 "path 'log/web.log' is not absolute"},
                {"StandardOutput=file:/var/log/../etc/shadow", "StandardOutput", ".."},
                {"StandardOutput=file:/var/log/%q", "StandardOutput", "%q"},
                {"StandardError=truncate:x", "StandardError", "not absolute"},
                {"StandardError=tty", "StandardError", "no terminal of its own"},
                {"StandardError=stdout", "StandardError", "'stdout': not one of inherit, null, journal"},
                {"SyslogFacility=ntp", "SyslogFacility", "'ntp': not one of kern, user, mail, daemon"},
                {"SyslogFacility=12", "SyslogFacility", "local0-local7"},
                {"SyslogFacility=LOCAL0", "SyslogFacility", "not one of"},
                {"SyslogLevel=warn", "SyslogLevel",
                 "'warn': not one of emerg, alert, crit, err, warning, notice, info, debug"},
                {"SyslogLevel=8", "SyslogLevel", "not one of"},
                {"SyslogLevelPrefix=maybe", "SyslogLevelPrefix", "'maybe': not a boolean"},
                {"SyslogIdentifier=a\tb", "SyslogIdentifier", "control characters"},
                {"SyslogIdentifier=%z", "SyslogIdentifier", "%z"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char text[256];
                snprintf(text, sizeof text, HEAD "%s\n", bad[i].line);
                expect_problem(bad[i].line, text, 3, bad[i].key, bad[i].message);
        }

        /* The syslog keys: names (or systemd's numbers), specifiers in the identifier, empty unsets. */
        u = load_ok("syslog keys",
                    HEAD "SyslogIdentifier=web-%i x\nSyslogFacility=local7\nSyslogLevel=warning\n"
                         "SyslogLevelPrefix=no\n");
        TAP_CHECK(u && streq_ptr(u->service.syslog_identifier, "web- x") &&
                          u->service.syslog_facility == 23 && u->service.syslog_level == 4 &&
                          u->service.syslog_level_prefix == 0,
                  "SyslogIdentifier= expanded, SyslogFacility=local7 (23), SyslogLevel=warning (4), "
                  "SyslogLevelPrefix=no");
        model_unit_free(u);
        u = load_ok("syslog numbers", HEAD "SyslogFacility=3\nSyslogLevel=7\nSyslogLevelPrefix=yes\n");
        TAP_CHECK(u && u->service.syslog_facility == 3 && u->service.syslog_level == 7 &&
                          u->service.syslog_level_prefix == 1,
                  "SyslogFacility=3 is daemon, SyslogLevel=7 is debug, as systemd reads numbers");
        model_unit_free(u);
        u = load_ok("syslog reset",
                    HEAD "SyslogIdentifier=x\nSyslogIdentifier=\nSyslogFacility=auth\n"
                         "SyslogFacility=\nSyslogLevel=err\nSyslogLevel=\nSyslogLevelPrefix=yes\n"
                         "SyslogLevelPrefix=\n");
        TAP_CHECK(u && !u->service.syslog_identifier && u->service.syslog_facility == -1 &&
                          u->service.syslog_level == -1 && u->service.syslog_level_prefix == -1,
                  "empty assignments unset the syslog keys");
        model_unit_free(u);
}

/* Type=forking, PIDFile= and GuessMainPID=: PIDFile= is a path in the sandbox, a relative one below
 * /run as systemd's, and only for Type=forking. */
static void test_forking(void) {
        struct hutch_unit *u = load_ok("forking", HEAD "Type=forking\n");
        TAP_CHECK(u && u->service.type == SERVICE_FORKING && !u->service.pid_file &&
                          u->service.guess_main_pid,
                  "Type=forking; PIDFile= unset and GuessMainPID=yes by default");
        model_unit_free(u);

        static const struct {
                const char *value, *path;
        } ok[] = {
                {"/run/web/web.pid", "/run/web/web.pid"},
                {"/run//web/./web.pid/", "/run/web/web.pid"},
                {"web.pid", "/run/web.pid"},
                {"web/./main.pid", "/run/web/main.pid"},
                {"/run/%N/%N.pid", "/run/t/t.pid"},
                {"%N.pid", "/run/t.pid"},
                {"/var/lib/a b.pid", "/var/lib/a b.pid"},
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                char text[256];
                snprintf(text, sizeof text, HEAD "Type=forking\nPIDFile=%s\n", ok[i].value);
                u = load_ok(ok[i].value, text);
                TAP_CHECK(u && streq_ptr(u->service.pid_file, ok[i].path) &&
                                  u->service.pid_file_origin.line == 4,
                          "PIDFile=%s is %s, origin t.hutch:4", ok[i].value, ok[i].path);
                model_unit_free(u);
        }
        u = load_ok("pid file reset", HEAD "Type=forking\nPIDFile=/run/a.pid\nPIDFile=\n");
        TAP_CHECK(u && !u->service.pid_file, "an empty PIDFile= unsets it");
        model_unit_free(u);
        u = load_ok("pid file replaced", HEAD "Type=forking\nPIDFile=/run/a.pid\nPIDFile=b.pid\n");
        TAP_CHECK(u && streq_ptr(u->service.pid_file, "/run/b.pid"), "a later PIDFile= replaces it");
        model_unit_free(u);
        /* the empty PIDFile= of hutch show's text is no PIDFile= for the check */
        u = load_ok("pid file empty with exec", HEAD "PIDFile=\n");
        TAP_CHECK(u && !u->service.pid_file, "an empty PIDFile= with Type=exec is fine");
        model_unit_free(u);

        u = load_ok("guess main pid", HEAD "Type=forking\nGuessMainPID=no\n");
        TAP_CHECK(u && !u->service.guess_main_pid, "GuessMainPID=no");
        model_unit_free(u);
        u = load_ok("guess main pid yes", HEAD "Type=forking\nGuessMainPID=false\nGuessMainPID=on\n");
        TAP_CHECK(u && u->service.guess_main_pid, "GuessMainPID=on after false");
        model_unit_free(u);

        static const struct {
                const char *line, *key, *message;
                unsigned at;
        } bad[] = {
                {"PIDFile=../web.pid", "PIDFile", "'..' component", 4},
                {"PIDFile=/run/../etc/web.pid", "PIDFile", "'..' component", 4},
                {"PIDFile=/run/%q.pid", "PIDFile", "%q", 4},
                {"GuessMainPID=maybe", "GuessMainPID", "'maybe' is not a boolean", 4},
                {"GuessMainPID=", "GuessMainPID", "", 4},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char text[256];
                snprintf(text, sizeof text, HEAD "Type=forking\n%s\n", bad[i].line);
                expect_problem(bad[i].line, text, bad[i].at, bad[i].key, bad[i].message);
        }

        /* PIDFile= with another type: at PIDFile='s line, naming Type= and where it was set */
        expect_problem("PIDFile= with the default type", HEAD "PIDFile=/run/web.pid\n", 3, "PIDFile",
                       "only read for Type=forking (Type=exec here, the default): set Type=forking or "
                       "remove it");
        expect_problem("PIDFile= with Type=simple", HEAD "Type=simple\nPIDFile=web.pid\n", 4, "PIDFile",
                       "only read for Type=forking (Type=simple at ");
        expect_problem("PIDFile= with Type=simple, Type='s line", HEAD "Type=simple\nPIDFile=web.pid\n", 4,
                       "PIDFile", "t.hutch:3): set Type=forking or remove it");
}

int main(void) {
        test_dir_init();
        test_hazards();
        test_bridge();
        test_syntax();
        test_service();
        test_std_streams();
        test_forking();
        test_unit_install();
        test_sandbox();
        test_resources();
        test_security();
        return tap_done();
}
