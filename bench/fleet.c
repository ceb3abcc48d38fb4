/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/fleet N FIFO OUT.tsv SPEC...: for each tool, starts N sandboxes at once and measures
 *   - the time until all N payloads run: each payload opens FIFO for writing as fd 3, writes
 *     one "x" and execs "sleep" with fd 3 still open;
 *   - the memory they cost, SETTLE_MS after the last one ran: the PSS of every process of the
 *     launchers' trees except the payload ("sleep"), plus the growth of the kernel's own memory
 *     (Slab, KernelStack, PageTables, Percpu, Shmem, VmallocUsed in /proc/meminfo, or the fields
 *     FLEET_KERNEL_FIELDS names: see kernel_kb()) while they run;
 *   - the time to stop all of them after SIGTERM to every launcher: until every launcher has
 *     exited, every payload is gone (the FIFO reports end-of-file once the last process
 *     holding its write end has died) AND every process a launcher left behind has been
 *     reaped (fleet is a child subreaper: a launcher that exits before its sandbox's PID 1,
 *     as bwrap does on SIGTERM, leaves that PID 1 to fleet, and its stop counts until the
 *     kernel has taken that process and its namespaces down), whichever comes last.
 * SPEC is "NAME=ARG0\x1fARG1..." where "%d" in an argument becomes the index.
 *   - the CPU time the whole machine spent while they stopped (every CPU's user, system, irq and
 *     softirq ticks in /proc/stat, 10 ms each): when it is near "CPUs x stop time", the stop is
 *     bound by the work it makes, not by waiting.
 * Output lines: NAME N ALL_RUNNING_MS STOPPED_MS LAUNCHERS_EXITED_MS PSS_KB_PER KERNEL_KB_PER RAN
 * STOP_CPU_MS. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ARGS 64
#define WAIT_MS 120000 /* give up on a tool after two minutes */
#define SETTLE_MS 250  /* from the last payload running to the memory reading */

/* Busy time of all CPUs so far, in ms (/proc/stat's first line: user nice system idle iowait irq
 * softirq steal ..., in USER_HZ ticks); -1 when it cannot be read. */
static double cpu_busy_ms(void) {
        unsigned long long user, nice, sys, idle, iowait, irq, softirq;
        int n = 0;
        FILE *f = fopen("/proc/stat", "re");
        if (f) {
                n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
                           &irq, &softirq);
                fclose(f);
        }
        long hz = sysconf(_SC_CLK_TCK);
        if (n != 7 || hz <= 0)
                return -1;
        return (double) (user + nice + sys + irq + softirq) * 1000.0 / (double) hz;
}

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The /proc/meminfo fields that make up the kernel's memory: FLEET_KERNEL_FIELDS (space-separated
 * names), else Slab KernelStack PageTables Percpu Shmem VmallocUsed. Shmem holds memfds and tmpfs
 * files (hutch's memfds), VmallocUsed the BPF programs (seccomp filters) and, where the kernel
 * allocates thread stacks with vmalloc (CONFIG_VMAP_STACK), the stacks that KernelStack counts
 * too: there the caller leaves KernelStack out (bench/run does). */
static const char *kernel_fields = " Slab KernelStack PageTables Percpu Shmem VmallocUsed ";

static long kernel_kb(void) {
        FILE *f = fopen("/proc/meminfo", "re");
        char line[256];
        long total = 0, v;
        char key[64], word[72];
        while (f && fgets(line, sizeof line, f))
                if (sscanf(line, "%63[^:]: %ld", key, &v) == 2) {
                        snprintf(word, sizeof word, " %s ", key);
                        if (strstr(kernel_fields, word))
                                total += v;
                }
        if (f)
                fclose(f);
        return total;
}

/* The kernel frees much of a sandbox late (a network namespace in a work queue, mounts and
 * dentries after RCU grace periods): a tool measured right after another would see the
 * other's memory still going away. Waits until the kernel's memory stops shrinking (two
 * readings 250 ms apart within 256 kB), at most 15 s. */
static long kernel_kb_settled(void) {
        long prev = kernel_kb();
        for (int i = 0; i < 60; i++) {
                usleep(250 * 1000);
                long cur = kernel_kb();
                if (cur > prev - 256)
                        return cur;
                prev = cur;
        }
        return prev;
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

/* Sum of PSS of the launched pids and all their descendants, except the payloads ("sleep"). */
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
                pid_t p = pid;
                for (int depth = 0; p > 1 && depth < 64; depth++) {
                        int hit = 0;
                        for (int i = 0; i < n && !hit; i++)
                                hit = roots[i] == p;
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

/* Waits for readability of fd until `deadline` (ms, CLOCK_MONOTONIC); 0 on timeout. */
static int wait_readable(int fd, double deadline) {
        for (;;) {
                double left = deadline - now_ms();
                if (left <= 0)
                        return 0;
                struct pollfd p = {.fd = fd, .events = POLLIN};
                int r = poll(&p, 1, (int) left + 1);
                if (r > 0)
                        return 1;
                if (r == 0)
                        return 0;
                if (errno != EINTR)
                        return -1;
        }
}

static int run_tool(const char *name, char **args, int n, const char *fifo, FILE *out) {
        pid_t *pids = calloc(n, sizeof *pids);
        if (!pids)
                return -1;
        unlink(fifo);
        if (mkfifo(fifo, 0666) < 0) {
                perror(fifo);
                return -1;
        }
        /* Our own write end keeps the FIFO from reporting EOF while the payloads start. */
        int rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        int wfd = open(fifo, O_WRONLY | O_CLOEXEC);
        if (rfd < 0 || wfd < 0) {
                perror(fifo);
                return -1;
        }
        long k0 = kernel_kb_settled();
        double t0 = now_ms();
        int spawned = 0;
        for (int i = 0; i < n; i++) {
                char *a[MAX_ARGS], bufs[MAX_ARGS][256];
                int j;
                for (j = 0; args[j]; j++) {
                        if (strchr(args[j], '%')) {
                                snprintf(bufs[j], sizeof bufs[j], args[j], i);
                                a[j] = bufs[j];
                        } else
                                a[j] = args[j];
                }
                a[j] = NULL;
                posix_spawn_file_actions_t fa;
                posix_spawn_file_actions_init(&fa);
                posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
                posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
                posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
                if (posix_spawn(&pids[i], a[0], &fa, NULL, a, environ) == 0)
                        spawned++;
                else
                        pids[i] = 0;
                posix_spawn_file_actions_destroy(&fa);
        }
        int got = 0;
        double deadline = t0 + WAIT_MS;
        while (got < n) {
                char buf[128];
                ssize_t r = read(rfd, buf, sizeof buf);
                if (r > 0) {
                        for (ssize_t k = 0; k < r; k++)
                                got += buf[k] == 'x';
                        continue;
                }
                if (r < 0 && errno != EAGAIN && errno != EINTR)
                        break;
                if (wait_readable(rfd, deadline) <= 0)
                        break;
        }
        double t_all = now_ms() - t0;
        /* Memory and the stop are taken in the steady state of a running sandbox, not in the
         * start's wake: a launcher may still be settling then (hutch's PID 1 replaces itself
         * with hutch-init 50 ms after its payload started). */
        usleep(SETTLE_MS * 1000);
        long pss = helpers_pss_kb(pids, n);
        long kdelta = kernel_kb() - k0;
        close(wfd); /* from now on only the payloads hold write ends */

        double cpu0 = cpu_busy_ms();
        double t1 = now_ms();
        for (int i = 0; i < n; i++)
                if (pids[i] > 0)
                        kill(pids[i], SIGTERM);
        for (int i = 0; i < n; i++) {
                int st;
                if (pids[i] > 0)
                        while (waitpid(pids[i], &st, 0) < 0 && errno == EINTR)
                                ;
        }
        double t_launchers = now_ms() - t1;
        /* Every payload gone: read() returns 0 (EOF) once no write end is left. */
        deadline = now_ms() + WAIT_MS;
        int gone = 0;
        for (;;) {
                char buf[128];
                ssize_t r = read(rfd, buf, sizeof buf);
                if (r == 0) {
                        gone = 1;
                        break;
                }
                if (r < 0 && errno != EAGAIN && errno != EINTR)
                        break;
                if (r < 0 && wait_readable(rfd, deadline) <= 0)
                        break;
        }
        /* The launchers' orphans: reaped once their exit, namespaces and all, is complete. */
        for (;;) {
                int st;
                pid_t r = waitpid(-1, &st, WNOHANG);
                if (r > 0)
                        continue;
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0 || now_ms() > deadline) {
                        if (r == 0)
                                gone = 0;
                        break;
                }
                struct timespec pause = {0, 100000};
                nanosleep(&pause, NULL);
        }
        double t_stop = now_ms() - t1;
        double cpu1 = cpu_busy_ms();
        double stop_cpu = cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1;
        if (!gone)
                fprintf(stderr, "fleet: %s: processes still running %d ms after the stop\n", name, WAIT_MS);
        fprintf(out, "%s\t%d\t%.2f\t%.2f\t%.2f\t%ld\t%ld\t%d\t%.0f\n", name, n, t_all, gone ? t_stop : -1.0,
                t_launchers, pss / n, kdelta / n, got, stop_cpu);
        fflush(out);
        close(rfd);
        unlink(fifo);
        free(pids);
        return got == n && spawned == n && gone ? 0 : 1;
}

int main(int argc, char **argv) {
        if (argc < 5) {
                fprintf(stderr, "usage: fleet N FIFO OUT.tsv NAME=ARGV...\n");
                return 2;
        }
        int n = atoi(argv[1]);
        const char *fields = getenv("FLEET_KERNEL_FIELDS");
        if (fields && *fields) {
                /* Spaces around each name, so that a name matches only whole. */
                char *padded = malloc(strlen(fields) + 3);
                if (!padded)
                        return 2;
                sprintf(padded, " %s ", fields);
                for (char *p = padded; *p; p++)
                        if (*p == '\t' || *p == '\n')
                                *p = ' ';
                kernel_fields = padded;
        }
        FILE *out = fopen(argv[3], "we");
        if (!out || n <= 0)
                return 2;
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
                perror("fleet: PR_SET_CHILD_SUBREAPER");
                return 2;
        }
        int bad = 0;
        for (int t = 4; t < argc; t++) {
                char *spec = strdup(argv[t]), *eq = spec ? strchr(spec, '=') : NULL;
                if (!eq) {
                        fprintf(stderr, "fleet: bad spec '%s'\n", argv[t]);
                        return 2;
                }
                *eq = 0;
                char *args[MAX_ARGS];
                int na = 0;
                for (char *tok = strtok(eq + 1, "\x1f"); tok && na < MAX_ARGS - 1;
                     tok = strtok(NULL, "\x1f"))
                        args[na++] = tok;
                args[na] = NULL;
                if (run_tool(spec, args, n, argv[2], out) != 0) {
                        fprintf(stderr, "fleet: %s: not every sandbox ran or stopped\n", spec);
                        bad = 1;
                }
                free(spec);
        }
        fclose(out);
        return bad;
}
