/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spawner's pure parts: exit statuses of setup failures, init detection, ExecStart=
 * variable expansion, the environment (Environment=, EnvironmentFile=, PATH, NOTIFY_SOCKET). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/strv.h"
#include "sandbox/sandbox-internal.h"
#include "tap.h"

static char *join(char **l) {
        static char buf[512];
        buf[0] = 0;
        STRV_FOREACH (s, l) {
                strcat(buf, *s);
                if (s[1])
                        strcat(buf, "|");
        }
        return buf;
}

static char dir[] = "/tmp/hutch-test-envglob.XXXXXX";

static void put(const char *name, const char *text) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        TAP_CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "write %s", name);
}

/* The environment of a unit with one EnvironmentFile= (pattern below dir); NULL if it fails. */
static char *env_of(const char *pattern, bool ignore) {
        static char out[512];
        struct hutch_unit *u = model_unit_new("glob");
        struct sandbox_params p;
        sandbox_params_init(&p);
        u->service.environment_files.items = calloc(1, sizeof(struct path_entry));
        asprintf(&u->service.environment_files.items[0].path, "%s/%s", dir, pattern);
        u->service.environment_files.items[0].ignore_missing = ignore;
        u->service.environment_files.n = 1;
        char **env = NULL;
        int r = sandbox_build_env(u, &p, &env);
        /* without PATH=..., always first */
        snprintf(out, sizeof out, "%s", r < 0 ? "(failed)" : join(env + 1));
        strv_free(env);
        model_unit_free(u);
        return out;
}

/* EnvironmentFile= patterns, as exec_context_load_environment() globs them (safe_glob()). */
static void test_env_file_globs(void) {
        TAP_CHECK(mkdtemp(dir) != NULL, "temporary directory");
        put("b.env", "X=b\nB=2\n");
        put("a.env", "X=a\nA=1\n");
        put("c.txt", "C=3\n");
        put(".hidden.env", "H=1\n");
        put("x.bad", "X=\xff\n");
        put("y.bad", "Y=1\n");
        char sub[256];
        snprintf(sub, sizeof sub, "%s/z.bad", dir);
        TAP_CHECK(mkdir(sub, 0755) == 0, "a directory that matches");

        TAP_STREQ(env_of("*.env", false), "X=b|A=1|B=2", "*.env: sorted, a later file wins, no dot files");
        TAP_STREQ(env_of("[ab].env", false), "X=b|A=1|B=2", "[ab].env");
        TAP_STREQ(env_of("a.env", false), "X=a|A=1", "a plain path");
        TAP_STREQ(env_of(".*", false), "H=1", ".* matches neither . nor ..");
        TAP_STREQ(env_of("*.none", false), "(failed)", "a pattern matching nothing fails without '-'");
        TAP_STREQ(env_of("*.none", true), "", "with '-' it is fine");
        TAP_STREQ(env_of("nodir/*.env", true), "", "with '-', a missing directory too");
        TAP_STREQ(env_of("*.bad", false), "(failed)", "an unreadable match fails without '-'");
        TAP_STREQ(env_of("*.bad", true), "Y=1", "with '-' each failing match is skipped");
        TAP_STREQ(env_of("z.bad", true), "", "with '-' any failure is ignored (a directory)");

        const char *names[] = {"a.env", "b.env", "c.txt", ".hidden.env", "x.bad", "y.bad"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char path[256];
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                unlink(path);
        }
        rmdir(sub);
        TAP_CHECK(rmdir(dir) == 0, "temporary directory removed");
}

int main(void) {
        static const struct {
                enum sandbox_step step;
                int error, status;
        } exits[] = {
                {SANDBOX_STEP_EXEC, ENOENT, 127},   {SANDBOX_STEP_EXEC, EACCES, 126},
                {SANDBOX_STEP_EXEC, ENOEXEC, 126},  {SANDBOX_STEP_EXEC, E2BIG, 125},
                {SANDBOX_STEP_MOUNT, ENOENT, 125},  {SANDBOX_STEP_IDENTITY, ESRCH, 125},
                {SANDBOX_STEP_ROOTFS, EACCES, 125},
        };
        for (size_t i = 0; i < ELEMENTSOF(exits); i++) {
                struct sandbox_error e = {.step = exits[i].step, .error = exits[i].error};
                TAP_CHECK(sandbox_error_exit_status(&e) == exits[i].status,
                          "exit status of step %d errno %d is %d", exits[i].step, exits[i].error,
                          exits[i].status);
        }

        static const struct {
                const char *path;
                bool init;
        } inits[] = {
                {"/sbin/init", true},         {"/lib/systemd/systemd", true},  {"tini", true},
                {"/usr/bin/dumb-init", true}, {"/usr/bin/catatonit", true},    {"/bin/sh", false},
                {"/usr/sbin/initd", false},   {"/usr/bin/systemd-run", false},
        };
        for (size_t i = 0; i < ELEMENTSOF(inits); i++)
                TAP_CHECK(sandbox_command_is_init(inits[i].path) == inits[i].init, "%s is %san init",
                          inits[i].path, inits[i].init ? "" : "not ");

        /* Environment: PATH default, Environment=, EnvironmentFile= overriding, NOTIFY_SOCKET. */
        char envfile[] = "/tmp/hutch-test-env.XXXXXX";
        int fd = mkstemp(envfile);
        TAP_CHECK(fd >= 0, "temporary env file");
        const char *content = "# comment\n; other comment\n\nA=file\nB = ' spaced '\nC=\"q\\\"uote\"\n"
                              "LONG=one\\\ntwo\n1BAD=x\nnot an assignment\nexport=ok\n";
        TAP_CHECK(write(fd, content, strlen(content)) == (ssize_t) strlen(content), "env file written");
        close(fd);

        struct hutch_unit *u = model_unit_new("web");
        TAP_CHECK(u != NULL, "model_unit_new");
        strv_extend(&u->service.environment.items, "A=unit");
        strv_extend(&u->service.environment.items, "WORDS=one  two");
        strv_extend(&u->service.environment.items, "X=1");
        u->service.environment.n = 3;
        u->service.environment_files.items = calloc(2, sizeof(struct path_entry));
        u->service.environment_files.items[0].path = strdup(envfile);
        u->service.environment_files.items[1].path = strdup("/nonexistent/hutch-env");
        u->service.environment_files.items[1].ignore_missing = true;
        u->service.environment_files.n = 2;

        struct sandbox_params p;
        sandbox_params_init(&p);
        p.notify_socket = "/run/hutch/notify";
        char **env = NULL;
        TAP_CHECK(sandbox_build_env(u, &p, &env) == 0, "sandbox_build_env");
        TAP_STREQ(join(env),
                  "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|A=file|WORDS=one  "
                  "two|X=1|"
                  "B= spaced |C=q\"uote|LONG=onetwo|export=ok|NOTIFY_SOCKET=/run/host/notify",
                  "environment: order, file overrides, quoting, continuation, invalid lines skipped");
        unlink(envfile);

        /* ExecStart= expansion. */
        u->service.exec_start.path = strdup("/bin/echo");
        strv_extend(&u->service.exec_start.argv, "echo");
        strv_extend(&u->service.exec_start.argv, "$WORDS");
        strv_extend(&u->service.exec_start.argv, "a${X}b${UNSET}c");
        strv_extend(&u->service.exec_start.argv, "$$X");
        strv_extend(&u->service.exec_start.argv, "$UNSET");
        char *extra[] = {"--", "$X", NULL};
        p.extra_args = extra;
        char **argv = NULL;
        TAP_CHECK(sandbox_build_argv(u, &p, env, &argv) == 0, "sandbox_build_argv");
        TAP_STREQ(join(argv), "echo|one|two|a1bc|$X|--|$X",
                  "$VAR splits, ${VAR} inline, $$ literal, unset is empty, extra args verbatim");
        strv_free(argv);
        u->service.exec_start.no_env_expand = true;
        p.extra_args = NULL;
        argv = NULL;
        TAP_CHECK(sandbox_build_argv(u, &p, env, &argv) == 0, "sandbox_build_argv with ':'");
        TAP_STREQ(join(argv), "echo|$WORDS|a${X}b${UNSET}c|$$X|$UNSET", "':' prefix: no expansion");
        strv_free(argv);
        strv_free(env);

        /* ExecStart= words as systemd 252's replace_env_argv() reads them. */
        static const struct {
                const char *word, *out; /* out: the resulting words joined by '|' after "p" */
        } words[] = {
                {"$OPTS", "p|--title|hello world"}, /* the value split, its quotes count */
                {"$RELAX", "p|a b  c"},             /* unclosed quote, trailing backslash */
                {"$BS", "p|x y|z"},
                {"${OPTS}", "p|--title \"hello world\""}, /* braces: one word, as is */
                {"a${X}b", "p|a1b"},
                {"${X}${X}", "p|11"},
                {"${UNSET}", "p|"},
                {"${}", "p|"},
                {"a$X", "p|a$X"}, /* no braces inside a word: kept */
                {"$UNSET", "p"},
                {"$EMPTY", "p"},
                {"$BLANK", "p"},
                {"$1", "p"},
                {"$", "p"},
                {"$X/bar", "p"}, /* the name is the whole rest of the word */
                {"$UNSET/bar", "p"},
                {"$X$X", "p"},
                {"${A:-x}", "p|${A:-x}"},
                {"a${X:+y}b", "p|a${X:+y}b"},
                {"${X:${X}}", "p|${X:1}"},
                {"${X", "p|${X"},
                {"$$X", "p|$X"},
                {"$$", "p|$"},
                {"$$$", "p|$$"},
                {"a$", "p|a$"},
                {"$${X}", "p|${X}"},
        };
        char *wenv[] = {"OPTS=--title \"hello world\"",
                        "RELAX='a b  c\\",
                        "BS=x\\ y z\\",
                        "X=1",
                        "EMPTY=",
                        "BLANK= \t ",
                        NULL};
        char *wargv[] = {"p", NULL, NULL};
        struct hutch_unit wu = {0};
        wu.service.exec_start.path = "/bin/p";
        wu.service.exec_start.argv = wargv;
        p.extra_args = NULL;
        for (size_t i = 0; i < ELEMENTSOF(words); i++) {
                wargv[1] = (char *) words[i].word;
                argv = NULL;
                int r = sandbox_build_argv(&wu, &p, wenv, &argv);
                TAP_STREQ(r == 0 ? join(argv) : "(failed)", words[i].out, "ExecStart= word '%s'",
                          words[i].word);
                strv_free(argv);
        }

        /* EnvironmentFile= text as systemd 252's parse_env_file_internal() reads it. */
        static const struct {
                const char *in, *out; /* out: assignments joined by '|'; NULL: the file fails */
        } files[] = {
                {"F=foo\\\\\nG=next\n", "F=foo\\|G=next"}, /* an escaped backslash ends no line */
                {"L=one\\\ntwo\n", "L=onetwo"},            /* an escaped newline vanishes */
                {"C=a\\tb \\$x\n", "C=atb $x"},            /* unquoted: '\' takes the next char */
                {"D=\"foo\" bar\n", "D=foobar"},
                {"M=\"a\"'b'c\n", "M=abc"},
                {"N=x \"y\" 'z'\n", "N=x \"y\" 'z'"}, /* quotes count only where a value starts */
                {"B=\"x\\ny\"\n", "B=x\\ny"},         /* double quotes keep '\' before other chars */
                {"E=\"\\\"\\\\\\`\\$\"\n", "E=\"\\`$"},
                {"Q=\"one\ntwo\"\n", "Q=one\ntwo"}, /* a quoted newline stays */
                {"R=\"one\\\ntwo\"\n", "R=onetwo"},
                {"S='a \\n \"b\" $c\nd'\n", "S=a \\n \"b\" $c\nd"}, /* single quotes: all literal */
                {"# c\n; c\n  # indented\nK=v # not a comment ; no\n", "K=v # not a comment ; no"},
                {"# comment \\\nX=1\nY=2\n", "Y=2"},      /* a comment's trailing '\' swallows a line */
                {"export A=b\nexport=ok\n", "export=ok"}, /* 252 knows no "export " */
                {"  K1  =  v  v  \n", "K1=v  v"},
                {"K2=v\\ \nK3=\t'q' \n", "K2=v |K3=q"},
                {"A = \"x\"  y  \n", "A=xy"},
                {"1BAD=x\nA-B=y\nA B=z\n=q\n_ok=1\n", "_ok=1"}, /* invalid names are ignored */
                {"just text\nA=1\nno equals", "A=1"},
                {"A=1\r\nB=2\r\n", "A=1|B=2"},
                {"A=1\nB=2\nA=3\n", "A=3|B=2"},
                {"A=\nB=''\nC=b=c", "A=|B=|C=b=c"},
                {"U=\"abc", "U=abc"}, /* an unclosed quote ends with the text */
                {"V='x\\", "V=x\\"},
                {"W=x  \\", "W=x  "},
                {" \t\n\n", ""},
                {"A=1\nB=\xff\n", NULL}, /* invalid UTF-8 fails the whole file */
        };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char **l = NULL;
                int r = sandbox_parse_env_file("test.env", files[i].in, &l);
                if (files[i].out)
                        TAP_STREQ(r == 0 ? join(l) : "(failed)", files[i].out, "env file case %zu", i);
                else
                        TAP_CHECK(r == -EINVAL, "env file case %zu fails", i);
                strv_free(l);
        }

        /* A missing EnvironmentFile= without '-' is an error. */
        u->service.environment_files.items[1].ignore_missing = false;
        env = NULL;
        TAP_CHECK(sandbox_build_env(u, &p, &env) < 0, "missing EnvironmentFile= without '-' fails");
        model_unit_free(u);

        test_env_file_globs();
        return tap_done();
}
