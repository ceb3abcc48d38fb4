/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sandbox's PID 1 when the service is not an init itself. The kernel gives PID 1 of a PID
 * namespace two jobs: orphans are reparented to it (someone must reap them), and it ignores
 * every signal it has no handler for (so a plain daemon as PID 1 would not stop on SIGTERM).
 * This PID 1 forwards signals to the payload, reaps everything, and exits with the payload's
 * status: its exit code, or 128+N when the payload was killed by signal N (PID 1 cannot re-raise
 * a signal on itself; the kernel drops it). As that cannot tell "killed by SIGTERM" from "exit
 * 143", it first writes the payload's exact wait status into the report page it shares with
 * the spawner (sandbox.h). The kernel then kills whatever is left in the namespace.
 *
 * Before waiting it closes every fd (no host fd stays open in the sandbox), is non-dumpable
 * (set in the child before the fork, so the payload cannot open /proc/1/exe, /proc/1/root,
 * /proc/1/environ or ptrace it), and keeps of all its capabilities only CAP_KILL (to signal a
 * payload that switched to another User=), with an empty bounding set and no_new_privs.
 *
 * Then, where hutch-init is built in (init/hutch-init.c), it execs it from a sealed memfd and the
 * same loop goes on in a program of a few pages: PID 1 no longer holds a copy of hutch's memory
 * (the unit, the environment, what the setup allocated) nor the page tables for it, for the
 * rest of the service's life. The exec waits for the settle signal (pid1-abi.h), which the
 * supervisor sends once the payload has run for a while, so that a service over by then, a
 * oneshot or a quick command, never pays for it and nothing on the start's path does (a timer
 * of PID 1's own measured 0.2 ms slower per start); until then these two memfds are PID 1's
 * only fds. The signals stay blocked across it (pending ones are kept), CAP_KILL survives it as an
 * inheritable capability of root, and the image is unreadable to the process, so the kernel
 * makes it non-dumpable before its first instruction. The report goes to it as fd 1, a memfd
 * the spawner has mapped, and the exit pipe (when the spawner gave one) as fd 2. If the kernel
 * refuses to execute the memfd (vm.memfd_noexec=2), the loop runs here as before.
 *
 * Where PID 1 lives outside the payload cgroup (spawn.c), it writes one byte to the exit pipe
 * right after the report: the payload is gone, and what is left of PID 1's own exit (its
 * memory, the sandbox's namespaces, every mount in them) is the kernel's business, which the
 * spawner need not wait for. */

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"
#include "shared/syscall.h"

bool sandbox_command_is_init(const char *path) {
        static const char *const inits[] = {"init",        "systemd",   "tini",
                                            "tini-static", "dumb-init", "catatonit"};
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        for (size_t i = 0; i < ELEMENTSOF(inits); i++)
                if (streq(base, inits[i]))
                        return true;
        return false;
}

void sandbox_pid1_signal_set(sigset_t *ret) {
        /* Everything but what the kernel itself raises for a fault. */
        sigfillset(ret);
        static const int sync_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS, SIGABRT};
        for (size_t i = 0; i < ELEMENTSOF(sync_signals); i++)
                sigdelset(ret, sync_signals[i]);
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

int sandbox_init_fd(void) {
        if (sandbox_init_image_size == 0)
                return -EOPNOTSUPP;
        /* MFD_EXEC says so to kernels that ask (6.3+, vm.memfd_noexec); older ones refuse it. */
        int fd = memfd_create("hutch-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create("hutch-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        if (fd < 0)
                return -errno;
        size_t done = 0;
        while (done < sandbox_init_image_size) {
                ssize_t n = write(fd, sandbox_init_image + done, sandbox_init_image_size - done);
                if (n <= 0) {
                        int r = n < 0 ? -errno : -EIO;
                        close(fd);
                        return r;
                }
                done += (size_t) n;
        }
        /* Execute-only for everyone (root of a user namespace is "other" to a host-owned file). */
        if (fchmod(fd, 0111) < 0 ||
            (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_EXEC) <
                     0 &&
             fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* Drops the rest of the bounding set and keeps CAP_KILL alone, with no_new_privs. With
 * `for_exec`, CAP_KILL stays inheritable too (raised in spawn.c while it was still in the
 * bounding set), which is how root keeps it across execve() once the bounding set is empty. */
static void drop_privileges(uint64_t bounding, bool for_exec) {
        for (int cap = 0; cap < 64; cap++)
                if ((bounding >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
                        break;
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {0};
        d[CAP_TO_INDEX(CAP_KILL)].permitted = d[CAP_TO_INDEX(CAP_KILL)].effective = CAP_TO_MASK(CAP_KILL);
        if (for_exec)
                d[CAP_TO_INDEX(CAP_KILL)].inheritable = CAP_TO_MASK(CAP_KILL);
        syscall(SYS_capset, &h, d);
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* Keeps only the report as fd 1 (when hutch-init is to take over: it maps it from there), the
 * exit pipe as fd 2 (when there is one), both kept across that exec, the ready pipe of
 * Type=forking as fd 0 (closed before that exec) and the memfd of hutch-init (CLOEXEC: gone
 * after the exec); closes everything else. All of them were opened by the spawner, so they are
 * above stdio (fd 3 or higher). */
static void keep_only(int report_fd, int exit_fd, int init_fd, int ready_fd) {
        if (report_fd > 2)
                dup3(report_fd, 1, 0);
        if (exit_fd > 2)
                dup3(exit_fd, 2, 0);
        if (ready_fd > 2)
                dup3(ready_fd, 0, O_CLOEXEC);
        else
                close_range(0, 0, 0);
        if (report_fd <= 2)
                close_range(1, 1, 0);
        if (exit_fd <= 2)
                close_range(2, 2, 0);
        if (init_fd > 2) {
                close_range(3, (unsigned) init_fd - 1, 0);
                close_range((unsigned) init_fd + 1, ~0U, 0);
        } else
                close_range(3, ~0U, 0);
}

/* Replaces PID 1 with hutch-init. Returns only when the kernel refused, with the fds given up. */
static void exec_hutch_init(const struct sandbox_ctx *c, pid_t payload) {
        char pid_s[16];
        snprintf(pid_s, sizeof pid_s, "%d", (int) payload);
        char *argv[] = {(char *) "hutch-init", pid_s, NULL};
        char *envp[] = {NULL};
        syscall(SYS_execveat, c->init_fd, "", argv, envp, AT_EMPTY_PATH);
        /* All but the exit pipe (fd 2, or closed already). */
        close_range(0, 1, 0);
        close_range(3, ~0U, 0);
}

/* The settle signal of pid1-abi.h, sent by sandbox_child_settle() from outside the sandbox. */
static bool is_settle(const siginfo_t *si) {
        return si->si_signo == SANDBOX_SETTLE_SIGNAL && si->si_code == SI_QUEUE && si->si_pid == 0 &&
               si->si_value.sival_int == SANDBOX_SETTLE_MAGIC;
}

/* The first number in the file at `path`, read without blocking (from a regular file only, with
 * `regular`: a FIFO must not hang PID 1); 0 when there is none, and also when anything but blanks
 * follows it. */
static long only_number(const char *path, bool regular) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return 0;
        char buf[64];
        struct stat st;
        ssize_t n = !regular || (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) ? read(fd, buf, sizeof buf - 1)
                                                                             : -1;
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        char *end;
        long v = strtol(buf, &end, 10);
        while (*end == ' ' || *end == '\n')
                end++;
        return end == buf || *end ? 0 : v;
}

/* PIDFile=: the pid in it, once it names a live process of the sandbox other than this one (the
 * daemon writes there); 0 until then. */
static pid_t read_pid_file(const char *path) {
        long v = only_number(path, true);
        return v > 1 && v <= INT32_MAX && kill((pid_t) v, 0) == 0 ? (pid_t) v : 0;
}

/* GuessMainPID=: this process's only child, or 0 when there is not exactly one. */
static pid_t only_child(void) {
        long v = only_number("/proc/self/task/1/children", false);
        return v > 1 && v <= INT32_MAX ? (pid_t) v : 0;
}

/* The first process of a Type=forking service has exited 0: the daemon it left is the main
 * process from here on (0: none found). Tells the spawner through the report and the ready pipe,
 * fd 0. */
static pid_t daemon_found(struct sandbox_exit_report *report, pid_t main) {
        if (report)
                __atomic_store_n(&report->main_pid, main, __ATOMIC_RELEASE);
        (void) !write(0, "r", 1);
        close_range(0, 0, 0);
        return main;
}

_noreturn_ void sandbox_pid1_loop(const struct sandbox_ctx *c, pid_t payload, uint64_t bounding) {
        struct sandbox_exit_report *report = c->report;
        bool exec_init = report && c->init_fd > 2 && c->report_fd > 2;
        bool tell = report && c->exit_fd > 2;
        /* Type=forking: until the first process has exited, then (with PIDFile=) until the file
         * names the daemon. */
        bool forking = c->ready_fd > 2, waiting_pid_file = false;
        const char *pid_file = c->u->service.pid_file;
        bool guess = c->u->service.guess_main_pid;
        /* ExitType=cgroup: the main process's end is kept until the last process is gone. */
        bool exit_cgroup = c->u->service.exit_type == EXIT_TYPE_CGROUP, have_main_status = false;
        int main_status = 0;
        keep_only(exec_init ? c->report_fd : -1, tell ? c->exit_fd : -1, exec_init ? c->init_fd : -1,
                  forking ? c->ready_fd : -1);
        drop_privileges(bounding, exec_init);
        sigset_t set;
        sandbox_pid1_signal_set(&set);
        for (;;) {
                siginfo_t si;
                /* While the PID file is awaited, it is looked at every 20 ms. */
                int sig = waiting_pid_file ? sigtimedwait(&set, &si, &(struct timespec){0, 20 * 1000 * 1000})
                                           : sigwaitinfo(&set, &si);
                if (waiting_pid_file) {
                        pid_t m = read_pid_file(pid_file);
                        if (m > 0) {
                                payload = daemon_found(report, m);
                                waiting_pid_file = false;
                        }
                }
                if (sig < 0)
                        continue;
                if (is_settle(&si)) {
                        /* The payload has been running a while (the supervisor's timer): hutch-init
                         * takes over. Returns only when the kernel refused; then this loop goes on.
                         * Not before a forking service's daemon is known, nor without one. */
                        if (forking || payload == 0)
                                continue;
                        if (exec_init)
                                exec_hutch_init(c, payload);
                        exec_init = false;
                        continue;
                }
                if (sig != SIGCHLD) {
                        /* Without a main process, to every process of the sandbox but this one. */
                        kill(payload > 0 ? payload : -1, sig);
                        continue;
                }
                for (;;) {
                        int status;
                        pid_t p = waitpid(-1, &status, WNOHANG);
                        if (p < 0 && errno == ECHILD && payload == 0) {
                                /* No main process (any more), and now no process at all: the end,
                                 * with the main process's status if it had one. */
                                status = have_main_status ? main_status : 0;
                        } else if (p <= 0)
                                break;
                        else if (p != payload)
                                continue;
                        else if (forking && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                                /* The first process is done: its daemon is the main process now. */
                                forking = false;
                                payload = 0;
                                if (pid_file) {
                                        payload = read_pid_file(pid_file);
                                        waiting_pid_file = payload == 0;
                                        if (payload > 0)
                                                daemon_found(report, payload);
                                } else
                                        payload = daemon_found(report, guess ? only_child() : 0);
                                continue;
                        } else if (exit_cgroup && !forking) {
                                main_status = status;
                                have_main_status = true;
                                payload = 0;
                                continue;
                        }
                        if (report) {
                                report->code = WIFEXITED(status)   ? CLD_EXITED
                                               : WCOREDUMP(status) ? CLD_DUMPED
                                                                   : CLD_KILLED;
                                report->status = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
                                __atomic_store_n(&report->magic, SANDBOX_EXIT_REPORT_MAGIC,
                                                 __ATOMIC_RELEASE);
                                /* The spawner may go on now: the payload is gone and PID 1 is
                                 * outside the payload cgroup. */
                                if (tell)
                                        (void) !write(2, "", 1);
                        }
                        if (WIFEXITED(status))
                                _exit(WEXITSTATUS(status));
                        _exit(128 + WTERMSIG(status));
                }
        }
}
