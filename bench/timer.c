/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/timer: runs several commands round-robin, run by run, and records each run's
 * wall-clock time (CLOCK_MONOTONIC) from fork until the launcher and every process it left have
 * been reaped: the timer is a child subreaper, so a sandbox whose launcher exits before the
 * sandbox's own PID 1 is gone (hutch's and bwrap's do) counts until that PID 1, and anything
 * else the launcher left, has exited too. Alternating the tools in one loop spreads the
 * machine's noise evenly over them, which block-wise runners do not. Each round runs them in a
 * new random order (a fixed seed, so runs are repeatable): a fixed cycle made the same tool
 * always follow the same one, and the tool after systemd-nspawn, whose exit leaves the kernel
 * busy for a while, paid for it in every run.
 *
 *   timer RUNS WARMUP OUT.tsv SPEC...
 * where each SPEC is "NAME=ARG0\x1fARG1\x1f..." (fields separated by the unit separator 0x1f),
 * optionally followed by a record separator (0x1e) and a pre-run command in the same form,
 * "NAME=ARG0\x1fARG1\x1ePRE0\x1fPRE1": the pre-run command runs to its end (and its children's)
 * before each run of that tool, outside the timed span (emptying a cache, say). "%d" in an
 * argument of either becomes a number unique to the run over the whole invocation (a fresh
 * container id for crun, say). Output lines: "NAME\tRUN\tMICROSECONDS\tEXIT". A run that exits
 * non-zero, or whose pre-run command does (EXIT -1), is recorded with its status and makes the
 * program exit 1 at the end. Every run gets /dev/null as stdin and stdout and the same log file,
 * OUT.tsv.log, as stderr, so that no tool pays for a terminal and what a failed run said can be
 * read afterwards. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct cmd {
        char *name;
        char **argv;
        char **pre; /* NULL: none */
};

static char **split_args(char *s) {
        size_t n = 1;
        for (char *p = s; *p; p++)
                n += *p == '\x1f';
        char **argv = calloc(n + 1, sizeof(char *));
        if (!argv)
                exit(2);
        size_t i = 0;
        char *save;
        for (char *tok = strtok_r(s, "\x1f", &save); tok; tok = strtok_r(NULL, "\x1f", &save))
                argv[i++] = tok;
        return argv;
}

static struct cmd parse_spec(char *spec) {
        struct cmd c = {0};
        char *eq = strchr(spec, '=');
        if (!eq || !eq[1] || eq[1] == '\x1e') {
                fprintf(stderr, "timer: bad spec '%s'\n", spec);
                exit(2);
        }
        *eq = 0;
        c.name = spec;
        char *rs = strchr(eq + 1, '\x1e');
        if (rs) {
                *rs = 0;
                c.pre = split_args(rs + 1);
        }
        c.argv = split_args(eq + 1);
        if (!c.argv[0] || (c.pre && !c.pre[0])) {
                fprintf(stderr, "timer: %s: no command\n", c.name);
                exit(2);
        }
        return c;
}

static long long now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *log_path;

/* Reaps children until none is left (ECHILD): `pid`, and, as the timer is a subreaper, every
 * orphan of its tree, whose parent we become. `pid`'s status goes to *status. */
static int reap_all(pid_t pid, int *status) {
        bool got = false;
        for (;;) {
                int st;
                pid_t p = waitpid(-1, &st, 0);
                if (p < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ECHILD && got)
                                return 0;
                        fprintf(stderr, "timer: waitpid: %s\n", strerror(errno));
                        return -1;
                }
                if (p == pid) {
                        *status = st;
                        got = true;
                }
        }
}

/* argv with every "%d" in an argument replaced by `id` (a new array; the arguments without
 * one are shared with argv). */
static char **expand(char *const *argv, long id) {
        size_t n = 0;
        while (argv[n])
                n++;
        char **a = calloc(n + 1, sizeof(char *));
        if (!a)
                exit(2);
        char num[24];
        int numlen = snprintf(num, sizeof num, "%ld", id);
        for (size_t i = 0; i < n; i++) {
                if (!strstr(argv[i], "%d")) {
                        a[i] = argv[i];
                        continue;
                }
                /* Each "%d" (two bytes) becomes at most sizeof num - 1 bytes. */
                char *buf = malloc(strlen(argv[i]) / 2 * (size_t) numlen + strlen(argv[i]) + 1), *o = buf;
                if (!buf)
                        exit(2);
                for (const char *p = argv[i]; *p;) {
                        if (p[0] == '%' && p[1] == 'd') {
                                memcpy(o, num, (size_t) numlen);
                                o += numlen;
                                p += 2;
                        } else
                                *o++ = *p++;
                }
                *o = 0;
                a[i] = buf;
        }
        return a;
}

static void expanded_free(char **a, char *const *argv) {
        for (size_t i = 0; a[i]; i++)
                if (a[i] != argv[i])
                        free(a[i]);
        free(a);
}

static int spawn(char *const *argv, pid_t *pid) {
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, log_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
        int r = posix_spawn(pid, argv[0], &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        if (r != 0)
                fprintf(stderr, "timer: %s: %s\n", argv[0], strerror(r));
        return r;
}

static int exit_code(int status) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The tool's pre-run command, if any (untimed), then one timed run; returns the run's exit code,
 * or -1 when it could not be run or the pre-run command failed. */
static int run_once(const struct cmd *c, long id, long long *usec) {
        pid_t pid;
        int status = -1;
        if (c->pre) {
                char **pre = expand(c->pre, id);
                int r = spawn(pre, &pid);
                if (r == 0)
                        r = reap_all(pid, &status);
                if (r == 0 && status != 0)
                        fprintf(stderr, "timer: %s: pre-run command %s exited %d\n", c->name, pre[0],
                                exit_code(status));
                expanded_free(pre, c->pre);
                if (r != 0 || status != 0)
                        return -1;
        }
        char **argv = expand(c->argv, id);
        long long start = now_usec();
        int r = spawn(argv, &pid);
        if (r == 0)
                r = reap_all(pid, &status);
        *usec = now_usec() - start;
        expanded_free(argv, c->argv);
        if (r != 0)
                return -1;
        return exit_code(status);
}

int main(int argc, char **argv) {
        if (argc < 5) {
                fprintf(stderr, "usage: timer RUNS WARMUP OUT.tsv NAME=ARGV...\n");
                return 2;
        }
        int runs = atoi(argv[1]), warmup = atoi(argv[2]);
        FILE *out = fopen(argv[3], "we");
        if (!out) {
                perror(argv[3]);
                return 2;
        }
        if (asprintf((char **) &log_path, "%s.log", argv[3]) < 0)
                return 2;
        int n = argc - 4;
        struct cmd *cmds = calloc(n, sizeof *cmds);
        if (!cmds)
                return 2;
        for (int i = 0; i < n; i++)
                cmds[i] = parse_spec(argv[4 + i]);

        /* Orphans of the tools' trees are reparented to us, not to the machine's init, and a run
         * ends when the last of them has been reaped. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
                perror("timer: PR_SET_CHILD_SUBREAPER");
                return 2;
        }
        int bad = 0;
        int *order = calloc(n, sizeof *order);
        if (!order)
                return 2;
        unsigned seed = 1;
        long id = 0; /* "%d" in an argument: this run's number, counted over every run of every tool */
        for (int run = -warmup; run < runs; run++) {
                /* A new order each round (Fisher-Yates): no tool always follows the same one. */
                for (int i = 0; i < n; i++)
                        order[i] = i;
                for (int i = n - 1; i > 0; i--) {
                        int j = rand_r(&seed) % (i + 1), t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                }
                for (int i = 0; i < n; i++) {
                        const struct cmd *c = &cmds[order[i]];
                        long long usec = 0;
                        int st = run_once(c, id++, &usec);
                        if (st != 0) {
                                fprintf(stderr, "timer: %s run %d exited %d\n", c->name, run, st);
                                bad = 1;
                        }
                        if (run >= 0)
                                fprintf(out, "%s\t%d\t%lld\t%d\n", c->name, run, usec, st);
                }
        }
        free(order);
        fclose(out);
        return bad;
}
