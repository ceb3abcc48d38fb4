/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hutch-init (src/sandbox/init/hutch-init.c) on its own, started the way the sandbox's PID 1
 * starts it: every signal blocked, fd 1 a memfd for the exit report, argv[1] the pid of a payload
 * that is already its child. No namespaces: what is checked is the program itself (forwarding,
 * the report, the settle signal, its exit status), here and, through qemu-user, the arm64 build.
 *
 *   test-hutch-init [--no-sigrtmax] [RUNNER...] INIT
 *
 * e.g. test-hutch-init --no-sigrtmax qemu-aarch64 ./hutch-init-arm64: qemu-user keeps the host's
 * top real-time signals for itself and hands a guest host signal N as N-2, so the guest's
 * SIGRTMAX, the settle signal, cannot be sent to it; those checks are skipped there. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/pid1-abi.h"
#include "tap.h"

static char **init_argv; /* RUNNER... INIT, then the payload's pid, then NULL */
static int init_argc;

struct outcome {
        int status; /* hutch-init's wait status */
        struct sandbox_exit_report report;
};

static void sleep_ms(int ms) {
        struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L};
        while (nanosleep(&t, &t) < 0 && errno == EINTR)
                ;
}

/* Queues `sig` to pid with SI_QUEUE, si_pid 0 and `value`, as the supervisor's settle signal
 * looks once the kernel has translated it for a PID namespace below. */
static int queue_signal(pid_t pid, int sig, int value) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        si.si_signo = sig;
        si.si_code = SI_QUEUE;
        si.si_pid = 0;
        si.si_value.sival_int = value;
        return (int) syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

/* Starts hutch-init over `sh -c script`; `poke` (may be NULL) runs in the test with hutch-init's
 * pid and the payload's while both run. */
static struct outcome run(const char *script, void (*poke)(pid_t init, pid_t payload)) {
        struct outcome o = {.status = -1};
        int mfd = memfd_create("test-report", MFD_CLOEXEC);
        if (mfd < 0 || ftruncate(mfd, sizeof(struct sandbox_exit_report)) < 0)
                return o;
        int sync[2];
        if (pipe2(sync, O_CLOEXEC) < 0)
                return o;
        pid_t init = fork();
        if (init == 0) {
                sigset_t all;
                sigfillset(&all);
                sigprocmask(SIG_BLOCK, &all, NULL);
                pid_t payload = fork();
                if (payload == 0) {
                        sigprocmask(SIG_UNBLOCK, &all, NULL);
                        execl("/bin/sh", "sh", "-c", script, (char *) NULL);
                        _exit(127);
                }
                if (write(sync[1], &payload, sizeof payload) != sizeof payload || dup2(mfd, 1) < 0)
                        _exit(126);
                char pid_s[16];
                snprintf(pid_s, sizeof pid_s, "%d", (int) payload);
                init_argv[init_argc] = pid_s;
                execvp(init_argv[0], init_argv);
                _exit(127);
        }
        close(sync[1]);
        pid_t payload = -1;
        if (read(sync[0], &payload, sizeof payload) != sizeof payload)
                payload = -1;
        close(sync[0]);
        if (poke && payload > 0) {
                sleep_ms(300); /* hutch-init is waiting for signals by then (or they stay pending) */
                poke(init, payload);
        }
        waitpid(init, &o.status, 0);
        if (pread(mfd, &o.report, sizeof o.report, 0) != sizeof o.report)
                memset(&o.report, 0, sizeof o.report);
        close(mfd);
        return o;
}

static bool reported(const struct outcome *o, int code, int status) {
        return o->report.magic == SANDBOX_EXIT_REPORT_MAGIC && o->report.code == code &&
               o->report.status == status;
}

static void poke_term(pid_t init, pid_t payload) {
        kill(init, SIGTERM);
}
static void poke_kill_payload(pid_t init, pid_t payload) {
        kill(payload, SIGKILL);
}
static void poke_settle(pid_t init, pid_t payload) {
        queue_signal(init, SANDBOX_SETTLE_SIGNAL, SANDBOX_SETTLE_MAGIC);
}
static void poke_rtmax_other(pid_t init, pid_t payload) {
        queue_signal(init, SANDBOX_SETTLE_SIGNAL, 1);
}
static void poke_rt50(pid_t init, pid_t payload) {
        kill(init, 50);
}

static void skip(const char *what, const char *why) {
        printf("ok %u - %s # SKIP %s\n", ++tap_n, what, why);
}

int main(int argc, char **argv) {
        bool rtmax = true;
        if (argc > 1 && strcmp(argv[1], "--no-sigrtmax") == 0) {
                rtmax = false;
                argv++;
                argc--;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: test-hutch-init [--no-sigrtmax] [RUNNER...] INIT\n");
                return 2;
        }
        init_argc = argc - 1;
        init_argv = calloc((size_t) argc + 1, sizeof *init_argv);
        if (!init_argv)
                return 2;
        for (int i = 1; i < argc; i++)
                init_argv[i - 1] = argv[i];

        struct outcome o = run("exit 7", NULL);
        TAP_CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 7,
                  "payload exit 7: hutch-init exits 7 (%#x)", o.status);
        TAP_CHECK(reported(&o, CLD_EXITED, 7), "payload exit 7: reported as exited, 7");

        o = run("exec sleep 10", poke_term);
        TAP_CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 143,
                  "SIGTERM to hutch-init reaches the payload: exits 128+15 (%#x)", o.status);
        TAP_CHECK(reported(&o, CLD_KILLED, SIGTERM),
                  "  and the report says killed by SIGTERM, not exit 143");

        o = run("exit 143", NULL);
        TAP_CHECK(reported(&o, CLD_EXITED, 143),
                  "payload exit 143: reported as an exit, told apart from SIGTERM");

        o = run("exec sleep 10", poke_kill_payload);
        TAP_CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 137 && reported(&o, CLD_KILLED, SIGKILL),
                  "payload killed by SIGKILL: 137, reported as SIGKILL (%#x)", o.status);

        if (rtmax) {
                o = run("trap 'exit 3' 64; sleep 0.6; exit 0", poke_settle);
                TAP_CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 0,
                          "the settle signal (SIGRTMAX, SI_QUEUE, magic) is not forwarded (%#x)", o.status);
                o = run("trap 'exit 3' 64; sleep 0.6; exit 0", poke_rtmax_other);
                TAP_CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 3,
                          "any other SIGRTMAX is forwarded like every signal (%#x)", o.status);
        } else {
                skip("the settle signal is not forwarded", "SIGRTMAX cannot reach the guest");
                skip("any other SIGRTMAX is forwarded", "SIGRTMAX cannot reach the guest");
        }
        /* A real-time signal below SIGRTMAX is forwarded, with its number. */
        o = run("trap 'exit 4' 50; sleep 0.6; exit 0", poke_rt50);
        TAP_CHECK(WIFEXITED(o.status) && WEXITSTATUS(o.status) == 4, "SIGRTMIN+16 (50) is forwarded (%#x)",
                  o.status);

        /* Without a valid payload pid it refuses to run at all. */
        init_argv[init_argc] = (char *) "12x";
        pid_t p = fork();
        if (p == 0) {
                execvp(init_argv[0], init_argv);
                _exit(127);
        }
        int st = -1;
        waitpid(p, &st, 0);
        TAP_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 125, "a malformed payload pid: exit 125 (%#x)", st);
        free(init_argv);
        return tap_done();
}
