/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/fleet N FIFO OUT.tsv SPEC...: for each tool, starts N sandboxes at once (each
 * payload writes one byte into FIFO when it runs), measures the time until all N have
 * written, the memory they cost, and the time until all launchers have exited after
 * SIGTERM. SPEC is "NAME=ARG0\x1fARG1..." where "%d" in an argument becomes the index.
 * Memory: the PSS of every process of the sandboxes except the payload ("sleep"), plus the
 * growth of the kernel's own memory (Slab, KernelStack, PageTables, Percpu) in /proc/meminfo. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long kernel_kb(void) {
        FILE *f = fopen("/proc/meminfo", "re");
        char line[256];
        long total = 0, v;
        char key[64];
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "%63[^:]: %ld", key, &v) == 2 &&
                    (!strcmp(key, "Slab") || !strcmp(key, "KernelStack") || !strcmp(key, "PageTables") ||
                     !strcmp(key, "Percpu")))
                        total += v;
        if (f)
                fclose(f);
        return total;
}

static pid_t ppid_of(pid_t pid, char *comm, size_t l) {
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = 0;
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close)
                return -1;
        snprintf(comm, l, "%.*s", (int) (close - open - 1), open + 1);
        int ppid;
        if (sscanf(close + 2, "%*c %d", &ppid) != 1)
                return -1;
        return ppid;
}

static long pss_kb(pid_t pid) {
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
        FILE *f = fopen(path, "re");
        long v = 0;
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "Pss: %ld", &v) == 1)
                        break;
        if (f)
                fclose(f);
        return v;
}

/* Sum of PSS of every descendant of the launched pids (and themselves) not named "sleep". */
static long helpers_pss_kb(const pid_t *roots, int n) {
        long total = 0;
        DIR *d = opendir("/proc");
        struct dirent *de;
        while (d && (de = readdir(d))) {
                pid_t pid = atoi(de->d_name);
                if (pid <= 0)
                        continue;
                char comm[64];
                if (ppid_of(pid, comm, sizeof comm) < 0 || !strcmp(comm, "sleep"))
                        continue;
                /* walk up to see whether a root is an ancestor */
                pid_t p = pid;
                for (int depth = 0; p > 1 && depth < 64; depth++) {
                        int hit = 0;
                        for (int i = 0; i < n; i++)
                                hit |= roots[i] == p;
                        if (hit) {
                                total += pss_kb(pid);
                                break;
                        }
                        char c2[64];
                        p = ppid_of(p, c2, sizeof c2);
                }
        }
        if (d)
                closedir(d);
        return total;
}

int main(int argc, char **argv) {
        if (argc < 5) {
                fprintf(stderr, "usage: fleet N FIFO OUT.tsv NAME=ARGV...\n");
                return 2;
        }
        int n = atoi(argv[1]);
        const char *fifo = argv[2];
        FILE *out = fopen(argv[3], "we");
        if (!out || n <= 0)
                return 2;
        pid_t *pids = calloc(n, sizeof *pids);
        for (int t = 4; t < argc; t++) {
                char *spec = strdup(argv[t]), *eq = strchr(spec, '=');
                *eq = 0;
                char *args[64];
                int na = 0;
                for (char *tok = strtok(eq + 1, "\x1f"); tok && na < 63; tok = strtok(NULL, "\x1f"))
                        args[na++] = tok;
                args[na] = NULL;

                unlink(fifo);
                if (mkfifo(fifo, 0666) < 0) {
                        perror(fifo);
                        return 2;
                }
                int rfd = open(fifo, O_RDWR | O_CLOEXEC); /* RDWR: never sees EOF between writers */
                long k0 = kernel_kb();
                double t0 = now_ms();
                int bad = 0;
                for (int i = 0; i < n; i++) {
                        char *a[64], bufs[64][128];
                        for (int j = 0; j <= na; j++) {
                                if (!args[j]) {
                                        a[j] = NULL;
                                        break;
                                }
                                snprintf(bufs[j], sizeof bufs[j], args[j], i);
                                a[j] = strchr(args[j], '%') ? bufs[j] : args[j];
                        }
                        posix_spawn_file_actions_t fa;
                        posix_spawn_file_actions_init(&fa);
                        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
                        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
                        if (posix_spawn(&pids[i], a[0], &fa, NULL, a, environ) != 0)
                                bad = 1;
                        posix_spawn_file_actions_destroy(&fa);
                }
                char c;
                int got = 0;
                while (got < n && !bad) {
                        ssize_t r = read(rfd, &c, 1);
                        if (r == 1 && c == 'x')
                                got++;
                        else if (r < 0 && errno != EINTR)
                                break;
                }
                double t_all = now_ms() - t0;
                long pss = helpers_pss_kb(pids, n);
                long kdelta = kernel_kb() - k0;
                double t1 = now_ms();
                for (int i = 0; i < n; i++)
                        kill(pids[i], SIGTERM);
                int failed = 0;
                for (int i = 0; i < n; i++) {
                        int st;
                        while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
                                ;
                }
                double t_stop = now_ms() - t1;
                fprintf(out, "%s\t%d\t%.2f\t%.2f\t%ld\t%ld\t%d\n", spec, n, t_all, t_stop, pss / n, kdelta / n,
                        got);
                fflush(out);
                close(rfd);
                free(spec);
                (void) failed;
        }
        unlink(fifo);
        fclose(out);
        return 0;
}
