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
 * payload that switched to another User=), with an empty bounding set and no_new_privs. */

#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"

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

static void drop_privileges(uint64_t bounding) {
        for (int cap = 0; cap < 64; cap++)
                if ((bounding >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
                        break;
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2] = {0};
        d[CAP_TO_INDEX(CAP_KILL)].permitted = d[CAP_TO_INDEX(CAP_KILL)].effective = CAP_TO_MASK(CAP_KILL);
        syscall(SYS_capset, &h, d);
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

_noreturn_ void sandbox_pid1_loop(pid_t payload, struct sandbox_exit_report *report, uint64_t bounding) {
        close_range(0, ~0U, 0);
        drop_privileges(bounding);

        sigset_t set;
        sandbox_pid1_signal_set(&set);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&set, &si);
                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        kill(payload, sig);
                        continue;
                }
                for (;;) {
                        int status;
                        pid_t p = waitpid(-1, &status, WNOHANG);
                        if (p <= 0)
                                break;
                        if (p != payload)
                                continue;
                        if (report) {
                                report->code = WIFEXITED(status)   ? CLD_EXITED
                                               : WCOREDUMP(status) ? CLD_DUMPED
                                                                   : CLD_KILLED;
                                report->status = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
                                __atomic_store_n(&report->magic, SANDBOX_EXIT_REPORT_MAGIC,
                                                 __ATOMIC_RELEASE);
                        }
                        if (WIFEXITED(status))
                                _exit(WEXITSTATUS(status));
                        _exit(128 + WTERMSIG(status));
                }
        }
}
