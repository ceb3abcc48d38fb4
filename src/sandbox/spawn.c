/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox_spawn(): clone3 into the unit's namespaces (and cgroup), build the sandbox in the child,
 * execve the payload. The parent only writes the user namespace maps and waits for the setup
 * pipe: empty at EOF means the payload's execve succeeded; a struct sandbox_error means setup
 * failed, and the child has exited with 125, 126 or 127.
 *
 * User namespaces (PrivateUsers=):
 *   yes       root inside is mapped to a private range of 65536 host ids, uid and gid alike:
 *             base = (8 + fnv1a32(unit name) % 28663) << 16, i.e. a multiple of 65536 between
 *             0x00080000 and 0x6FFE0000 (the range systemd-nspawn also picks from), the same
 *             for every start of the unit, so files a persistent upper directory keeps stay
 *             owned by the same ids. Two unit names may hash to the same range.
 *   identity  ids 0-65535 mapped 1:1: files keep their owners, but every capability the
 *             payload holds is relative to the new namespace, none over the host.
 *
 * The sandbox's PID 1 is a small init of hutch's own unless ExecStart= is an init itself
 * (pid1.c); it exits with the payload's status, 128+N when the payload was killed by signal N. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/keyctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hutch/log.h"
#include "hutch/procfs.h"
#include "hutch/strv.h"
#include "sandbox/sandbox-internal.h"
#include "shared/syscall.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void sandbox_params_init(struct sandbox_params *p) {
        *p = (struct sandbox_params){
                .cgroup_fd = -1,
                .stdin_fd = -1,
                .stdout_fd = -1,
                .stderr_fd = -1,
                .kill_on_parent_death = true,
        };
}

int sandbox_error_exit_status(const struct sandbox_error *err) {
        if (err->step == SANDBOX_STEP_EXEC) {
                if (err->error == ENOENT)
                        return 127;
                if (err->error == EACCES || err->error == ENOEXEC || err->error == EPERM)
                        return 126;
        }
        return 125;
}

static uint32_t fnv1a32(const char *s) {
        uint32_t h = 2166136261u;
        for (; *s; s++)
                h = (h ^ (uint8_t) *s) * 16777619u;
        return h;
}

/* The first host id of PrivateUsers=yes's range for this unit (see the top of this file). */
static uint32_t userns_base(const char *name) {
        return (8u + fnv1a32(name) % (0x6fffu - 8u)) << 16;
}

static int write_map(pid_t pid, const char *file, const char *map) {
        char p[64];
        snprintf(p, sizeof p, "/proc/%d/%s", (int) pid, file);
        int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, map, strlen(map));
        int r = n < 0 ? -errno : (size_t) n != strlen(map) ? -EIO : 0;
        close(fd);
        return r;
}

/* ---- child side: no logging, failures go over the pipe ---- */

_noreturn_ static void child_fail(const struct sandbox_ctx *c, const struct sandbox_error *e) {
        ssize_t n = write(c->error_fd, e, sizeof *e);
        (void) n;
        _exit(sandbox_error_exit_status(e));
}

/* PR_SET_PDEATHSIG fires only for a death after it was set: if the parent died before, the setup
 * pipe has no reader left (POLLERR on our write end; the parent keeps the read end until execve). */
static void exit_if_parent_gone(const struct sandbox_ctx *c) {
        struct pollfd p = {.fd = c->error_fd, .events = POLLOUT};
        if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
                _exit(125);
}

static int loopback_up(struct sandbox_error *e) {
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return sandbox_error_set(e, SANDBOX_STEP_NETWORK, errno, "socket", "lo", NULL);
        struct ifreq ifr = {0};
        strncpy(ifr.ifr_name, "lo", sizeof ifr.ifr_name - 1);
        int r = 0;
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                r = -errno;
        else {
                ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
                if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                        r = -errno;
        }
        close(fd);
        return r < 0 ? sandbox_error_set(e, SANDBOX_STEP_NETWORK, r, "bring up", "lo", NULL) : 0;
}

/* Closes every fd from 3 up but the ones in keep[] (entries below 3 are ignored). */
static void close_from_3_except(int *keep, size_t n) {
        for (size_t i = 1; i < n; i++) /* a few entries: insertion sort */
                for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
                        int t = keep[j];
                        keep[j] = keep[j - 1];
                        keep[j - 1] = t;
                }
        unsigned from = 3;
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < (int) from)
                        continue;
                if ((unsigned) keep[i] > from)
                        close_range(from, (unsigned) keep[i] - 1, 0);
                from = (unsigned) keep[i] + 1;
        }
        close_range(from, ~0U, 0);
}

/* Puts the wanted fds at 0, 1, 2 (from /dev/null for -1) and closes everything else but the setup
 * pipe and what PID 1 hands to hutch-init (all CLOEXEC: gone at the payload's execve).
 * Duplicates go above 2 first so that a wanted fd that already sits at 0-2 is not clobbered. */
static int setup_stdio(const struct sandbox_ctx *c, struct sandbox_error *e) {
        const struct sandbox_params *p = c->p;
        int keep = c->error_fd;
        int want[3] = {p->stdin_fd, p->stdout_fd, p->stderr_fd};
        int tmp[3];
        for (int i = 0; i < 3; i++) {
                if (want[i] >= 0)
                        tmp[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 3);
                else
                        tmp[i] = open("/dev/null", (i == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC | O_NOCTTY);
                if (tmp[i] < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_ENVIRONMENT, errno, "set up standard fd",
                                                 want[i] >= 0 ? "" : "/dev/null", "fd %d", i);
        }
        for (int i = 0; i < 3; i++) {
                if (tmp[i] == keep)
                        continue;
                if (dup2(tmp[i], i) < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_ENVIRONMENT, errno, "set up standard fd",
                                                 "", "fd %d", i);
        }
        int survivors[] = {c->error_fd,          c->init_fd,          c->report_fd, c->exit_fd,
                           c->payload_cgroup_fd, c->cgroup_target_fd, c->ready_fd};
        close_from_3_except(survivors, ELEMENTSOF(survivors));
        return 0;
}

static int find_executable(const char *name, char *const *env, char *buf, size_t size) {
        if (strchr(name, '/')) {
                snprintf(buf, size, "%s", name);
                return 0;
        }
        const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        STRV_FOREACH (v, env)
                if (strncmp(*v, "PATH=", 5) == 0)
                        path = *v + 5;
        int last = -ENOENT;
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, ":");
                if (n > 0 && (size_t) snprintf(buf, size, "%.*s/%s", (int) n, p, name) < size) {
                        if (access(buf, X_OK) == 0)
                                return 0;
                        if (errno != ENOENT)
                                last = -errno;
                }
                p += n;
                if (*p == ':')
                        p++;
        }
        snprintf(buf, size, "%s", name);
        return last;
}

/* The signals whose disposition is not the default (SigIgn | SigCgt of /proc/self/status), as
 * a mask with bit N-1 for signal N; all of them when that cannot be read. */
static uint64_t signals_not_default(void) {
        char buf[4096];
        int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return ~UINT64_C(0);
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return ~UINT64_C(0);
        buf[n] = 0;
        uint64_t set = 0;
        int found = 0;
        static const char *const keys[] = {"\nSigIgn:", "\nSigCgt:"};
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                const char *p = strstr(buf, keys[i]);
                char *end;
                if (!p)
                        continue;
                unsigned long long v = strtoull(p + strlen(keys[i]), &end, 16);
                if (end == p + strlen(keys[i]))
                        continue;
                set |= v;
                found++;
        }
        return found == 2 ? set : ~UINT64_C(0);
}

/* The payload's own last steps, from identity to execve. */
_noreturn_ static void payload_exec(const struct sandbox_ctx *c, const struct sandbox_identity *id,
                                    char **env, struct sandbox_error *e) {
        const struct hutch_unit *u = c->u;
        /* The CPUs hutch itself may use, before the seccomp filter could refuse the call. */
        if (c->affinity)
                (void) sched_setaffinity(0, sizeof *c->affinity, c->affinity);
        /* Every signal back to its default, then unblocked. Only the signals ignored or caught
         * here need it: /proc/self/status lists them in one read, where a sigaction() per signal
         * was 64 system calls of a few microseconds each on a virtualized host. Each goes to
         * SIG_IGN first, which discards what is pending of it: hutch's SIGPIPE, raised while
         * blocked by a write to a stderr nobody reads any more (a sanitizer's warning), would
         * otherwise kill the payload the moment it is unblocked, as SIG_DFL. */
        uint64_t set = signals_not_default();
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP && (set >> (sig - 1) & 1)) {
                        signal(sig, SIG_IGN);
                        signal(sig, SIG_DFL);
                }
        /* IgnoreSIGPIPE=yes (systemd's default): a write to a closed pipe or socket fails with
         * EPIPE instead of killing the service. */
        if (u->service.ignore_sigpipe)
                signal(SIGPIPE, SIG_IGN);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        /* Its own session, without a controlling terminal. */
        setsid();

        /* The payload's limits, not PID 1's (a small LimitAS= or LimitNPROC= must not stop it from
         * forking the payload); before the identity switch, which loses CAP_SYS_RESOURCE. */
        if (sandbox_apply_rlimits(u, e) < 0 || sandbox_apply_scheduling(u, e) < 0)
                child_fail(c, e);

        /* Under hutch's PID 1 the bounding set was narrowed to the unit's before the payload's
         * process started (child_main), and is inherited: one prctl per capability, once. */
        int r = c->is_init ? caps_drop_bounding(u) : 0;
        if (r < 0) {
                sandbox_error_set(e, SANDBOX_STEP_CAPABILITIES, r, "drop bounding set", "",
                                  "CapabilityBoundingSet=");
                child_fail(c, e);
        }
        r = caps_keep_across_setuid();
        if (r < 0) {
                sandbox_error_set(e, SANDBOX_STEP_CAPABILITIES, r, "keep capabilities", "",
                                  "PR_SET_KEEPCAPS");
                child_fail(c, e);
        }
        if (sandbox_switch_identity(id, e) < 0)
                child_fail(c, e);
        int missing;
        r = caps_apply(u, &missing);
        if (r < 0) {
                if (missing >= 0)
                        sandbox_error_set(e, SANDBOX_STEP_CAPABILITIES, r, "raise ambient capability", "",
                                          "AmbientCapabilities=: capability %d is not held by hutch",
                                          missing);
                else
                        sandbox_error_set(e, SANDBOX_STEP_CAPABILITIES, r, "apply capabilities", "",
                                          "CapabilityBoundingSet=, AmbientCapabilities=");
                child_fail(c, e);
        }
        umask(u->service.umask);

        /* "~" is the user's home; without User= the payload runs as root, whose home systemd's
         * manager takes as /root without looking it up (get_home_dir()), so hutch does too. */
        const char *wd =
                u->service.working_directory_home ? (id->home ?: "/root") : u->service.working_directory;
        if (wd && chdir(wd) < 0 && !(errno == ENOENT && u->service.working_directory_missing_ok)) {
                sandbox_error_set(e, SANDBOX_STEP_CHDIR, errno, "change to WorkingDirectory=", wd, NULL);
                child_fail(c, e);
        }

        char exe[PATH_MAX];
        int lookup = find_executable(u->service.exec_start.path, env, exe, sizeof exe);

        /* Set again after the identity switch: a credential change clears it. */
        if (c->is_init && c->p->kill_on_parent_death && prctl(PR_SET_PDEATHSIG, SIGKILL) == 0)
                exit_if_parent_gone(c);
        if (u->security.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
                sandbox_error_set(e, SANDBOX_STEP_SECCOMP, errno, "set no_new_privs", "",
                                  "NoNewPrivileges=");
                child_fail(c, e);
        }
        /* The kernel's own W^X (Linux 6.3), inherited by every child and across execve, beside
         * the filter's rules for mmap/mprotect/shmat; an older kernel lacks it (EINVAL). */
        if (u->security.memory_deny_write_execute &&
            prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) < 0 && errno != EINVAL) {
                sandbox_error_set(e, SANDBOX_STEP_SECCOMP, errno, "set memory-deny-write-execute", "",
                                  "MemoryDenyWriteExecute=");
                child_fail(c, e);
        }
        r = seccomp_program_install(c->seccomp);
        if (r == -EACCES && !u->security.no_new_privileges) {
                /* Without CAP_SYS_ADMIN the kernel takes a filter only under no_new_privs;
                 * systemd sets it implicitly in the same case. */
                if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
                        r = seccomp_program_install(c->seccomp);
        }
        if (r < 0) {
                sandbox_error_set(e, SANDBOX_STEP_SECCOMP, r, "install seccomp filter", "",
                                  "SystemCallFilter=");
                child_fail(c, e);
        }
        if (lookup < 0)
                errno = -lookup;
        else
                execve(exe, c->argv, env);
        sandbox_error_set(e, SANDBOX_STEP_EXEC, errno, "execute", exe, NULL);
        child_fail(c, e);
}

struct payload_args {
        const struct sandbox_ctx *c;
        const struct sandbox_identity *id;
        char **env;
        struct sandbox_error *e;
};

_no_asan_ static int payload_trampoline(void *userdata) {
        const struct payload_args *a = userdata;
        /* First, while it holds every capability: its cgroup namespace's view of the tree. */
        if (a->c->cgroup_target_fd >= 0 && sandbox_mount_cgroup(a->c->cgroup_target_fd, a->e) < 0)
                child_fail(a->c, a->e);
        payload_exec(a->c, a->id, a->env, a->e);
}

#if defined(__x86_64__)
#define HAVE_CLONE3_RUN 1
/* clone3() whose child runs fn(arg) on the stack that args describes and exits with what fn
 * returns: glibc wraps clone() that way, not clone3(), and a child on a stack of its own
 * cannot return into its caller. Only %rax, %rcx and %r11 change across the system call, so
 * fn and arg wait in callee-saved registers; the kernel starts the child with %rsp at the top
 * of the stack (16-byte aligned, as a call expects). */
static pid_t clone3_run(struct clone_args *args, int (*fn)(void *), void *arg) {
        register long r12 __asm__("r12") = (long) fn;
        register long r13 __asm__("r13") = (long) arg;
        long ret;
        __asm__ volatile("syscall\n\t"
                         "test %%rax, %%rax\n\t"
                         "jnz 1f\n\t"
                         "xor %%ebp, %%ebp\n\t"
                         "mov %%r13, %%rdi\n\t"
                         "call *%%r12\n\t"
                         "mov %%eax, %%edi\n\t"
                         "mov %[nr_exit], %%eax\n\t"
                         "syscall\n\t"
                         "hlt\n"
                         "1:"
                         : "=a"(ret)
                         : "0"((long) SYS_clone3), "D"(args), "S"(sizeof *args), "r"(r12),
                           "r"(r13), [nr_exit] "i"(SYS_exit)
                         : "rcx", "r11", "memory");
        if (ret < 0) {
                errno = (int) -ret;
                return -1;
        }
        return (pid_t) ret;
}
#endif

/* The payload's process, started the way posix_spawn() does: it shares PID 1's memory on a stack
 * of its own, and PID 1 sleeps until its execve (or its _exit on a failed step). A fork would
 * copy PID 1's page tables only for execve to throw them away, and every page either side
 * writes in between would be copied once more; on a virtualized host those page faults are
 * most of what a fork costs. What payload_exec() does until execve is safe to share memory:
 * no allocation, no stdio, no locks; its own signal dispositions and mask (no CLONE_SIGHAND),
 * credentials, seccomp filter and no_new_privs are per task. Returns the pid or -errno. */
static pid_t spawn_payload(const struct sandbox_ctx *c, const struct sandbox_identity *id, char **env,
                           struct sandbox_error *e) {
        const size_t stack_size = 256 * 1024;
        void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
                           -1, 0);
        if (stack == MAP_FAILED)
                return -errno;
        struct payload_args a = {.c = c, .id = id, .env = env, .e = e};
        pid_t pid;
#ifdef HAVE_CLONE3_RUN
        if (c->pid1_outside) {
                /* Into the payload cgroup, as the root of a cgroup namespace of its own. */
                struct clone_args args = {
                        .flags = CLONE_VM | CLONE_VFORK | CLONE_NEWCGROUP |
                                 (c->payload_cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
                        .exit_signal = SIGCHLD,
                        .stack = (uint64_t) (uintptr_t) stack,
                        .stack_size = stack_size,
                        .cgroup = c->payload_cgroup_fd >= 0 ? (uint64_t) c->payload_cgroup_fd : 0,
                };
                pid = clone3_run(&args, payload_trampoline, &a);
        } else
#endif
                pid = clone(payload_trampoline, (char *) stack + stack_size,
                            CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
        int r = pid < 0 ? -errno : pid;
        munmap(stack, stack_size);
        return r;
}

/* Its own session without a controlling terminal, and a session keyring of the sandbox's own, as
 * systemd's KeyringMode=private: the keys of whoever ran hutch (its session keyring) are out of
 * reach, should the unit allow the keyring calls. A kernel without keys has nothing to hide. */
static void join_new_session(const struct sandbox_ctx *c, struct sandbox_error *e) {
        setsid();
        if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0L, 0L, 0L, 0L) < 0 && errno != ENOSYS &&
            errno != EOPNOTSUPP) {
                sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno, "join a new session keyring", "", NULL);
                child_fail(c, e);
        }
}

/* In the finished sandbox, what the command needs before payload_exec(): its identity (and the
 * exec directories owned by it, with own_dirs), the final environment, fds 0-2 and the argv.
 * Returns the environment. */
static char **prepare_command(struct sandbox_ctx *c, struct sandbox_identity *id, bool own_dirs,
                              struct sandbox_error *e) {
        const struct hutch_unit *u = c->u;
        char **env = c->env;
        if (sandbox_resolve_identity(u, id, e) < 0 ||
            (own_dirs && sandbox_has_directories(u) && sandbox_own_directories(u, id, e) < 0) ||
            sandbox_complete_env(&env, id, e) < 0 || setup_stdio(c, e) < 0)
                child_fail(c, e);
        if (env)
                sandbox_unset_env(u, env);
        /* Expanded here, not in the parent: ExecStart= sees the environment the payload gets,
         * HOME, USER, LOGNAME and SHELL from User= included, as systemd's exec_child() expands
         * with its final environment. */
        int r = sandbox_build_argv(u, c->p, env, &c->argv);
        if (r < 0) {
                sandbox_error_set(e, SANDBOX_STEP_ENVIRONMENT, r, "expand variables", "", "ExecStart=");
                child_fail(c, e);
        }
        return env;
}

_noreturn_ static void child_main(struct sandbox_ctx *c) {
        const struct hutch_unit *u = c->u;
        struct sandbox_error e = {0};

        if (c->sync_fd >= 0) {
                char b;
                /* The parent writes our uid/gid maps, then one byte; EOF alone means it failed. */
                if (read(c->sync_fd, &b, 1) != 1)
                        _exit(125);
                close(c->sync_fd);
                /* Become root of the new namespace (our host uid 0 is not mapped in it), and drop
                 * the host's supplementary groups. */
                if (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0) {
                        sandbox_error_set(&e, SANDBOX_STEP_USERNS, errno, "become root in user namespace",
                                          "", "PrivateUsers=%s",
                                          private_users_to_string(u->sandbox.private_users));
                        child_fail(c, &e);
                }
        }
        /* Nothing in the sandbox may read our memory, /proc/1/exe or /proc/1/root, or ptrace us. */
        prctl(PR_SET_DUMPABLE, 0);
        if (c->p->kill_on_parent_death && prctl(PR_SET_PDEATHSIG, SIGKILL) == 0)
                exit_if_parent_gone(c);
        join_new_session(c, &e);

        if (sandbox_setup_mounts(c, &e, c->pid1_outside ? &c->cgroup_target_fd : NULL) < 0)
                child_fail(c, &e);
        const char *hn = u->sandbox.hostname ?: u->name;
        if (sethostname(hn, strlen(hn)) < 0) {
                sandbox_error_set(&e, SANDBOX_STEP_HOSTNAME, errno, "set hostname", hn, "Hostname=");
                child_fail(c, &e);
        }
        if (c->new_net && loopback_up(&e) < 0)
                child_fail(c, &e);

        struct sandbox_identity id = {0};
        char **env = prepare_command(c, &id, true, &e);
        /* This process becomes the sandbox's PID 1, whose /proc/1/cmdline the payload can read:
         * not hutch's own command line (its host path, the unit's path, -p overrides). The payload's
         * argv is built and holds copies, so nothing reads the old strings any more. */
        if (!c->is_init)
                proc_title_set("hutch");

        if (c->is_init)
                payload_exec(c, &id, env, &e);

        /* The payload's ceiling, for PID 1 and the payload alike (PID 1 drops the rest later):
         * dropped here, it is inherited instead of being dropped a second time. */
        /* hutch-init keeps CAP_KILL across its exec as an inheritable capability, which can only
         * be raised while it is in the bounding set (the payload sets its own inheritable set). */
        if (c->init_fd >= 0 && caps_raise_inheritable_kill() < 0)
                c->init_fd = -1; /* it could not signal the payload: PID 1 stays as it is */
        int r = caps_drop_bounding(u);
        if (r < 0) {
                sandbox_error_set(&e, SANDBOX_STEP_CAPABILITIES, r, "drop bounding set", "",
                                  "CapabilityBoundingSet=");
                child_fail(c, &e);
        }
        /* The forwarded signals are blocked since clone3 (sandbox_spawn): one sent meanwhile is
         * pending, and forwarded once the loop runs. */
        pid_t pid = spawn_payload(c, &id, env, &e);
        if (pid < 0) {
                sandbox_error_set(&e, SANDBOX_STEP_CLONE, -pid, "start payload process", "", NULL);
                child_fail(c, &e);
        }
        if (c->affinity)
                (void) sched_setaffinity(0, sizeof *c->affinity, c->affinity);
        sandbox_pid1_loop(c, pid, u->security.capability_bounding_set);
}

/* ---- parent side ---- */

/* The pages PID 1 writes the payload's end into (pid1-abi.h) are kept for the life of the
 * process and reused run after run (a restart, or another sandbox of the same process): unmapping
 * one at the end of each run made every stop pay a TLB shootdown, an IPI to each CPU the
 * supervisor had run on, about 5% of the time it takes to stop 100 sandboxes here. A page is busy
 * from exit_report_map() until report_release(); an earlier run's PID 1 that is still exiting
 * has written its report already and writes nothing more. The memfd behind a page (for PID 1 to
 * hand to hutch-init: a mapping does not survive execve) stays open with it, CLOEXEC, and is
 * closed in every sandbox child but the one it serves (close_from_3_except()). */
struct report_slot {
        struct sandbox_exit_report *page;
        int fd; /* the memfd behind page, or -1 for anonymous memory */
        bool busy;
};
static struct report_slot *report_slots;
static size_t n_report_slots;

static struct report_slot *report_slot_get(bool memfd) {
        struct report_slot *s = NULL;
        for (size_t i = 0; i < n_report_slots && !s; i++)
                if (!report_slots[i].busy && (report_slots[i].fd >= 0) == memfd)
                        s = &report_slots[i];
        if (!s) {
                struct report_slot *m = realloc(report_slots, (n_report_slots + 1) * sizeof(*m));
                if (!m)
                        return NULL;
                report_slots = m;
                int fd = -1;
                if (memfd) {
                        fd = memfd_create("hutch-exit-report", MFD_CLOEXEC);
                        if (fd < 0 || ftruncate(fd, sizeof(struct sandbox_exit_report)) < 0) {
                                if (fd >= 0)
                                        close(fd);
                                return NULL;
                        }
                }
                void *page = mmap(NULL, sizeof(struct sandbox_exit_report), PROT_READ | PROT_WRITE,
                                  MAP_SHARED | (memfd ? 0 : MAP_ANONYMOUS), fd, 0);
                if (page == MAP_FAILED) {
                        if (fd >= 0)
                                close(fd);
                        return NULL;
                }
                s = &report_slots[n_report_slots++];
                *s = (struct report_slot){.page = page, .fd = fd};
        }
        memset(s->page, 0, sizeof *s->page);
        s->busy = true;
        return s;
}

/* Without any page, the spawner falls back to PID 1's own exit status (128+N). */
static void exit_report_map(struct sandbox_ctx *c) {
        /* hutch-init knows nothing of ExitType=cgroup: PID 1 stays as it is then. */
        c->init_fd = c->u->service.exit_type == EXIT_TYPE_CGROUP ? -1 : sandbox_init_fd();
        struct report_slot *s = report_slot_get(c->init_fd >= 0);
        if (!s && c->init_fd >= 0) {
                close(c->init_fd);
                c->init_fd = -1;
                s = report_slot_get(false);
        }
        c->report = s ? s->page : NULL;
        c->report_fd = s ? s->fd : -1;
}

static void report_release(struct sandbox_exit_report *r) {
        for (size_t i = 0; r && i < n_report_slots; i++)
                if (report_slots[i].page == r)
                        report_slots[i].busy = false;
}

int sandbox_child_settle(const struct sandbox_child *c) {
        if (!c->init_exec || c->pidfd < 0)
                return 0;
        siginfo_t si = {.si_signo = SANDBOX_SETTLE_SIGNAL, .si_code = SI_QUEUE};
        si.si_value.sival_int = SANDBOX_SETTLE_MAGIC;
        if (pidfd_send_signal(c->pidfd, SANDBOX_SETTLE_SIGNAL, &si, 0) < 0)
                return -errno;
        return 0;
}

void sandbox_child_release(struct sandbox_child *c) {
        report_release(c->report);
        c->report = NULL;
        if (c->exit_fd >= 0)
                close(c->exit_fd);
        c->exit_fd = -1;
        if (c->ready_fd >= 0)
                close(c->ready_fd);
        c->ready_fd = -1;
}

pid_t sandbox_child_forked(struct sandbox_child *c) {
        char b;
        ssize_t n = c->ready_fd >= 0 ? read(c->ready_fd, &b, 1) : -1;
        if (c->ready_fd >= 0)
                close(c->ready_fd);
        c->ready_fd = -1;
        if (n != 1 || !c->report)
                return -1;
        return __atomic_load_n(&c->report->main_pid, __ATOMIC_ACQUIRE);
}

bool sandbox_child_reported(const struct sandbox_child *c, int *ret_code, int *ret_status) {
        /* PID 1 stores the report (release) before it writes to the exit pipe. */
        if (!c->report || __atomic_load_n(&c->report->magic, __ATOMIC_ACQUIRE) != SANDBOX_EXIT_REPORT_MAGIC)
                return false;
        *ret_code = c->report->code;
        *ret_status = c->report->status;
        return true;
}

void sandbox_child_exit_status(const struct sandbox_child *c, const siginfo_t *si, int *ret_code,
                               int *ret_status) {
        /* PID 1 writes the report and then exits; its exit was reaped before this is read, so the
         * acquire pairs with PID 1's release store. */
        if (c->report && __atomic_load_n(&c->report->magic, __ATOMIC_ACQUIRE) == SANDBOX_EXIT_REPORT_MAGIC) {
                *ret_code = c->report->code;
                *ret_status = c->report->status;
                return;
        }
        *ret_code = si->si_code;
        *ret_status = si->si_status;
}

/* Pins this process to the CPU it runs on; true and the previous affinity in *saved when done.
 * Nothing to gain with one CPU allowed, and nothing lost when the kernel refuses. */
static bool pin_to_this_cpu(cpu_set_t *saved) {
        int cpu = sched_getcpu();
        if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof *saved, saved) < 0 ||
            CPU_COUNT(saved) < 2)
                return false;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        return sched_setaffinity(0, sizeof one, &one) == 0;
}

static void log_sandbox_error(const struct sandbox_error *e) {
        bool d = e->detail[0] != 0;
        /* ESRCH is a name looked up and not found (User=, Group=): "No such process" would mislead. */
        if (e->error == ESRCH)
                log_error_errno(-e->error, "%s%s%s: not found%s%s%s", e->what, e->path[0] ? " " : "",
                                e->path, d ? " (" : "", e->detail, d ? ")" : "");
        else
                log_error_errno(-e->error, "%s%s%s: %m%s%s%s", e->what, e->path[0] ? " " : "", e->path,
                                d ? " (" : "", e->detail, d ? ")" : "");
}

static int fail(struct sandbox_error *err, enum sandbox_step step, int r, const char *what,
                const char *path) {
        sandbox_error_set(err, step, r, what, path, NULL);
        log_sandbox_error(err);
        return -err->error;
}

static int spawn_unit(const struct hutch_unit *u, const struct sandbox_params *p, struct sandbox_child *ret,
                      struct sandbox_error *err);
static int await_exec(int fd, int pidfd, struct sandbox_error *err);
static int spawn_with_directories(const struct hutch_unit *u, const struct sandbox_params *p,
                                  struct sandbox_child *ret, struct sandbox_error *err);

int sandbox_spawn(const struct hutch_unit *u, const struct sandbox_params *p, struct sandbox_child *ret,
                  struct sandbox_error *err) {
        struct sandbox_error dummy;
        if (!err)
                err = &dummy;
        ret->exit_fd = ret->ready_fd = -1;
        *err = (struct sandbox_error){0};
        if (!u->service.exec_start.path)
                return fail(err, SANDBOX_STEP_EXEC, EINVAL, "no ExecStart=", "");
        struct sandbox_stdio io;
        struct sandbox_params with_io;
        int r = sandbox_stdio_open(u, p, &io, &with_io, err);
        if (r < 0) {
                log_sandbox_error(err);
                return r;
        }
        r = spawn_with_directories(u, &with_io, ret, err);
        sandbox_stdio_close(&io);
        return r;
}

/* The exec directories, made on the host, become binds of a copy of the unit. */
static int spawn_with_directories(const struct hutch_unit *u, const struct sandbox_params *p,
                                  struct sandbox_child *ret, struct sandbox_error *err) {
        if (!sandbox_has_directories(u))
                return spawn_unit(u, p, ret, err);

        struct bind_mount *dirs = NULL;
        size_t n_dirs = 0;
        uid_t userns_root = u->sandbox.private_users == PRIVATE_USERS_YES ? userns_base(u->name) : 0;
        int r = sandbox_make_directories(u, userns_root, &dirs, &n_dirs, err);
        if (r < 0) {
                log_sandbox_error(err);
                return r;
        }
        size_t n = u->sandbox.n_binds + n_dirs;
        struct bind_mount *binds = calloc(n, sizeof *binds);
        if (!binds) {
                sandbox_free_binds(dirs, n_dirs);
                return fail(err, SANDBOX_STEP_MOUNT, ENOMEM, "allocate", "");
        }
        if (u->sandbox.n_binds > 0)
                memcpy(binds, u->sandbox.binds, u->sandbox.n_binds * sizeof *binds);
        memcpy(binds + u->sandbox.n_binds, dirs, n_dirs * sizeof *binds);
        struct hutch_unit with_dirs = *u;
        with_dirs.sandbox.binds = binds;
        with_dirs.sandbox.n_binds = n;
        r = spawn_unit(&with_dirs, p, ret, err);
        free(binds);
        sandbox_free_binds(dirs, n_dirs);
        return r;
}

/* What a command needs built in the parent: its seccomp filter and its environment (each logs its
 * own failure; err is filled). */
static int build_filter_and_env(const struct hutch_unit *u, const struct sandbox_params *p,
                                struct seccomp_program **ret_prog, char ***ret_env,
                                struct sandbox_error *err) {
        int r = seccomp_program_build(u, ret_prog);
        if (r < 0)
                return sandbox_error_set(err, SANDBOX_STEP_SECCOMP, r, "build seccomp filter", "", NULL);
        r = sandbox_build_env(u, p, ret_env);
        if (r < 0) {
                seccomp_program_free(*ret_prog);
                *ret_prog = NULL;
                return sandbox_error_set(err, SANDBOX_STEP_ENVIRONMENT, r, "prepare environment", "", NULL);
        }
        return 0;
}

static int spawn_unit(const struct hutch_unit *u, const struct sandbox_params *p, struct sandbox_child *ret,
                      struct sandbox_error *err) {
        struct sandbox_ctx c = {
                .u = u,
                .p = p,
                .new_net = u->sandbox.private_network,
                .new_user = u->sandbox.private_users != PRIVATE_USERS_NO,
                /* A forking daemon needs hutch's PID 1 to be reparented to, whatever its name, and
                 * ExitType=cgroup one that outlives the main process. */
                .is_init = u->service.type != SERVICE_FORKING && u->service.exit_type != EXIT_TYPE_CGROUP &&
                           sandbox_command_is_init(u->service.exec_start.path),
                .error_fd = -1,
                .sync_fd = -1,
                .ready_fd = -1,
                .overlay_fd = -1,
                .report_fd = -1,
                .init_fd = -1,
                .payload_cgroup_fd = -1,
                .cgroup_target_fd = -1,
                .exit_fd = -1,
        };
#ifdef HAVE_CLONE3_RUN
        /* hutch's PID 1 stays in the spawner's cgroup and starts the payload into the payload
         * cgroup itself, which only works with the host's credentials: not in a user namespace,
         * whose root may not write to the host's cgroup tree. */
        c.pid1_outside = !c.is_init && !c.new_user;
#endif
        if (c.pid1_outside)
                c.payload_cgroup_fd = p->cgroup_fd;
        struct seccomp_program *prog = NULL;
        _cleanup_strv_free_ char **env = NULL;
        int r = build_filter_and_env(u, p, &prog, &env, err);
        if (r < 0)
                return r;
        c.seccomp = prog;
        c.env = env;
        struct sandbox_host host;
        sandbox_host_init(&host);
        c.host = &host;
        r = sandbox_collect_host(&c, &host, err);
        if (r < 0) {
                seccomp_program_free(prog);
                log_sandbox_error(err);
                return r;
        }
        if (u->sandbox.root_mode != ROOT_READ_ONLY || u->sandbox.layers.n > 0) {
                c.overlay_fd = sandbox_make_overlay(u, err);
                if (c.overlay_fd < 0) {
                        seccomp_program_free(prog);
                        sandbox_host_close(&host, u->sandbox.n_binds);
                        log_sandbox_error(err);
                        return c.overlay_fd;
                }
        }

        int errp[2] = {-1, -1}, syncp[2] = {-1, -1}, exitp[2] = {-1, -1}, readyp[2] = {-1, -1};
        bool forking = u->service.type == SERVICE_FORKING;
        if (pipe2(errp, O_CLOEXEC) < 0 || (c.new_user && pipe2(syncp, O_CLOEXEC) < 0) ||
            (c.pid1_outside && pipe2(exitp, O_CLOEXEC) < 0) || (forking && pipe2(readyp, O_CLOEXEC) < 0)) {
                r = -errno;
                seccomp_program_free(prog);
                for (int i = 0; i < 2; i++) {
                        if (errp[i] >= 0)
                                close(errp[i]);
                        if (syncp[i] >= 0)
                                close(syncp[i]);
                        if (exitp[i] >= 0)
                                close(exitp[i]);
                        if (readyp[i] >= 0)
                                close(readyp[i]);
                }
                if (c.overlay_fd >= 0)
                        close(c.overlay_fd);
                sandbox_host_close(&host, u->sandbox.n_binds);
                return fail(err, SANDBOX_STEP_CLONE, r, "create setup pipe", "");
        }
        c.error_fd = errp[1];
        c.sync_fd = syncp[0];
        c.exit_fd = exitp[1];
        c.ready_fd = readyp[1];

        uint64_t flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
        if (c.new_net)
                flags |= CLONE_NEWNET;
        if (c.new_user)
                flags |= CLONE_NEWUSER;
        /* Unless PID 1 starts the payload into its cgroup (pid1_outside), PID 1 is the first
         * process of the payload cgroup and the root of its cgroup namespace. */
        bool into_cgroup = !c.pid1_outside && p->cgroup_fd >= 0;
        if (!c.pid1_outside)
                flags |= CLONE_NEWCGROUP;
        if (into_cgroup)
                flags |= CLONE_INTO_CGROUP;
        int pidfd = -1;
        struct clone_args args = {
                .flags = flags,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
                .cgroup = into_cgroup ? (uint64_t) p->cgroup_fd : 0,
        };
        /* The child starts with the forwarded signals blocked: PID 1 of a PID namespace drops every
         * signal it has no handler for, even from the host, so one sent (by the supervisor) before
         * the PID 1 loop runs would be lost; blocked, it stays pending. */
        sigset_t fwd, saved_mask;
        sandbox_pid1_signal_set(&fwd);
        sigprocmask(SIG_BLOCK, &fwd, &saved_mask);
        if (!c.is_init)
                exit_report_map(&c);
        /* The setup is a strict relay (this process waits for the child, PID 1 for the payload's
         * execve): nothing runs in parallel. Pinned to the CPU this process runs on, the child
         * starts there as soon as we block, instead of waking an idle CPU, which on a
         * virtualized host costs a good part of a millisecond at each hand-over. Both restore
         * the affinity once the relay is done. */
        cpu_set_t affinity;
        bool pinned = pin_to_this_cpu(&affinity);
        c.affinity = pinned ? &affinity : NULL;
        /* The payload's oom_score_adj, inherited by the child (oom.c). */
        int oom = sandbox_oom_before_clone(u, err);
        pid_t pid = oom < 0 ? -1 : clone3(&args, sizeof args);
        int clone_errno = oom < 0 ? -oom : errno;
        if (pid == 0) {
                close(errp[0]);
                if (syncp[1] >= 0)
                        close(syncp[1]);
                if (exitp[0] >= 0)
                        close(exitp[0]);
                if (readyp[0] >= 0)
                        close(readyp[0]);
                child_main(&c);
        }
        if (oom > 0)
                sandbox_oom_after_clone();
        r = pid < 0 ? -clone_errno : 0;
        if (pid > 0 && p->setup_pid)
                *p->setup_pid = pid;
        if (exitp[1] >= 0)
                close(exitp[1]);
        if (readyp[1] >= 0)
                close(readyp[1]);
        if (pinned)
                (void) sched_setaffinity(0, sizeof affinity, &affinity);
        sigprocmask(SIG_SETMASK, &saved_mask, NULL);
        /* The child has its copies; the report's page and memfd stay for the next run. */
        if (c.init_fd >= 0)
                close(c.init_fd);
        seccomp_program_free(prog);
        if (c.overlay_fd >= 0)
                close(c.overlay_fd);
        sandbox_host_close(&host, u->sandbox.n_binds);
        close(errp[1]);
        if (syncp[0] >= 0)
                close(syncp[0]);
        if (r < 0) {
                report_release(c.report);
                close(errp[0]);
                if (syncp[1] >= 0)
                        close(syncp[1]);
                if (exitp[0] >= 0)
                        close(exitp[0]);
                if (readyp[0] >= 0)
                        close(readyp[0]);
                if (oom < 0) {
                        log_sandbox_error(err);
                        return oom;
                }
                return fail(err, SANDBOX_STEP_CLONE, r, "clone3",
                            into_cgroup ? "(into the payload cgroup)" : "");
        }

        if (c.new_user) {
                char map[64];
                if (u->sandbox.private_users == PRIVATE_USERS_IDENTITY)
                        snprintf(map, sizeof map, "0 0 65536\n");
                else
                        snprintf(map, sizeof map, "0 %u 65536\n", userns_base(u->name));
                char pp[32];
                snprintf(pp, sizeof pp, "/proc/%d/uid_map", (int) pid);
                r = write_map(pid, "uid_map", map);
                if (r >= 0) {
                        snprintf(pp, sizeof pp, "/proc/%d/gid_map", (int) pid);
                        r = write_map(pid, "gid_map", map);
                }
                if (r >= 0 && write(syncp[1], "x", 1) != 1)
                        r = -errno;
                close(syncp[1]);
                if (r < 0) {
                        pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                        siginfo_t si;
                        waitid(P_PIDFD, (id_t) pidfd, &si, WEXITED);
                        close(pidfd);
                        close(errp[0]);
                        report_release(c.report);
                        if (exitp[0] >= 0)
                                close(exitp[0]);
                        if (readyp[0] >= 0)
                                close(readyp[0]);
                        sandbox_error_set(err, SANDBOX_STEP_USERNS, r, "write", pp, "%s", map);
                        err->detail[strcspn(err->detail, "\n")] = 0;
                        log_sandbox_error(err);
                        return r;
                }
        }

        r = await_exec(errp[0], pidfd, err);
        if (r == 0) {
                ret->pid = pid;
                ret->pidfd = pidfd;
                ret->report = c.report;
                ret->hutch_pid1 = !c.is_init;
                ret->init_exec = c.init_fd >= 0;
                ret->exit_fd = exitp[0];
                ret->ready_fd = readyp[0];
                return 0;
        }
        report_release(c.report);
        if (exitp[0] >= 0)
                close(exitp[0]);
        if (readyp[0] >= 0)
                close(readyp[0]);
        return r;
}

/* Reads the setup pipe `fd` to its end (EOF once the child's execve succeeded, or after its report
 * of a failed step) and closes it. Returns 0 when it was empty; else the child is reaped, `pidfd`
 * closed, and the child's report is in *err, logged, with its negative errno returned. */
static int await_exec(int fd, int pidfd, struct sandbox_error *err) {
        struct sandbox_error child_err;
        size_t got = 0;
        while (got < sizeof child_err) {
                ssize_t n = read(fd, (char *) &child_err + got, sizeof child_err - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                got += (size_t) n;
        }
        close(fd);
        if (got == 0)
                return 0;
        (void) waitid(P_PIDFD, (id_t) pidfd, &(siginfo_t){}, WEXITED);
        close(pidfd);
        if (got != sizeof child_err)
                return fail(err, SANDBOX_STEP_CLONE, EPROTO, "read setup report", "");
        *err = child_err;
        err->what[sizeof err->what - 1] = err->path[sizeof err->path - 1] =
                err->detail[sizeof err->detail - 1] = 0;
        log_sandbox_error(err);
        return -err->error;
}

/* ---- a command in a running sandbox ---- */

/* The child of sandbox_enter(), in the sandbox's PID namespace and cgroup already: the rest of
 * the sandbox's namespaces, and from there on what the service's own process does. */
_noreturn_ static void enter_main(struct sandbox_ctx *c, int pid1_fd) {
        struct sandbox_error e = {0};
        prctl(PR_SET_DUMPABLE, 0);
        if (c->p->kill_on_parent_death && prctl(PR_SET_PDEATHSIG, SIGKILL) == 0)
                exit_if_parent_gone(c);
        /* All at once, the user namespace first (pidfd setns), so the others are joined with the
         * capabilities held in it. The root and working directory become the sandbox's root. */
        int flags =
                CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | (c->new_user ? CLONE_NEWUSER : 0);
        if (setns(pid1_fd, flags) < 0) {
                sandbox_error_set(&e, SANDBOX_STEP_CLONE, errno, "enter the service's namespaces", "", NULL);
                child_fail(c, &e);
        }
        if (c->new_user && (setresgid(0, 0, 0) < 0 || setgroups(0, NULL) < 0 || setresuid(0, 0, 0) < 0)) {
                sandbox_error_set(&e, SANDBOX_STEP_USERNS, errno, "become root in user namespace", "",
                                  "PrivateUsers=%s", private_users_to_string(c->u->sandbox.private_users));
                child_fail(c, &e);
        }
        join_new_session(c, &e);
        struct sandbox_identity id = {0};
        char **env = prepare_command(c, &id, false, &e);
        payload_exec(c, &id, env, &e);
}

int sandbox_enter(const struct hutch_unit *u, const struct sandbox_child *running,
                  const struct sandbox_params *p, struct sandbox_child *ret, struct sandbox_error *err) {
        struct sandbox_error dummy;
        if (!err)
                err = &dummy;
        *err = (struct sandbox_error){0};
        *ret = SANDBOX_CHILD_NULL;
        if (!u->service.exec_start.path)
                return fail(err, SANDBOX_STEP_EXEC, EINVAL, "no command", "");
        if (running->pidfd < 0)
                return fail(err, SANDBOX_STEP_CLONE, ESRCH, "enter the service's sandbox", "");
        /* is_init: nothing stands between this process and the command, so payload_exec() drops
         * the bounding set itself. */
        struct sandbox_ctx c = {
                .u = u,
                .p = p,
                .new_user = u->sandbox.private_users != PRIVATE_USERS_NO,
                .is_init = true,
                .error_fd = -1,
                .sync_fd = -1,
                .overlay_fd = -1,
                .report_fd = -1,
                .init_fd = -1,
                .payload_cgroup_fd = -1,
                .cgroup_target_fd = -1,
                .exit_fd = -1,
                .ready_fd = -1,
        };
        struct seccomp_program *prog = NULL;
        _cleanup_strv_free_ char **env = NULL;
        int r = build_filter_and_env(u, p, &prog, &env, err);
        if (r < 0)
                return r;
        c.seccomp = prog;
        c.env = env;
        struct sandbox_stdio io;
        struct sandbox_params with_io;
        r = sandbox_stdio_open(u, p, &io, &with_io, err);
        if (r < 0) {
                seccomp_program_free(prog);
                log_sandbox_error(err);
                return r;
        }
        c.p = &with_io;
        int errp[2];
        if (pipe2(errp, O_CLOEXEC) < 0) {
                seccomp_program_free(prog);
                sandbox_stdio_close(&io);
                return fail(err, SANDBOX_STEP_CLONE, errno, "create setup pipe", "");
        }
        c.error_fd = errp[1];

        /* The child must start in the sandbox's PID namespace, which only a process's children can
         * be put in: this process's own children go there (setns(CLONE_NEWPID) moves no one), for
         * this one clone3, and then go back to where they were. */
        int own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
        if (own_pidns < 0)
                r = fail(err, SANDBOX_STEP_CLONE, errno, "open", "/proc/self/ns/pid");
        else if (setns(running->pidfd, CLONE_NEWPID) < 0)
                r = fail(err, SANDBOX_STEP_CLONE, errno, "enter the service's PID namespace", "");
        pid_t pid = -1;
        int pidfd = -1;
        if (r >= 0) {
                /* Into the service's cgroup, with a cgroup namespace rooted there as the service's. */
                struct clone_args args = {
                        .flags = CLONE_PIDFD | CLONE_NEWCGROUP | (p->cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
                        .pidfd = (uint64_t) (uintptr_t) &pidfd,
                        .exit_signal = SIGCHLD,
                        .cgroup = p->cgroup_fd >= 0 ? (uint64_t) p->cgroup_fd : 0,
                };
                pid = clone3(&args, sizeof args);
                if (pid == 0) {
                        close(errp[0]);
                        enter_main(&c, running->pidfd);
                }
                int clone_errno = errno;
                if (pid > 0 && p->setup_pid)
                        *p->setup_pid = pid;
                /* Back to hutch's own PID namespace, for every later child: joining one's own
                 * active namespace is always allowed. */
                if (setns(own_pidns, CLONE_NEWPID) < 0)
                        log_error_errno(-errno, "return to hutch's own PID namespace: %m");
                if (pid < 0)
                        r = fail(err, SANDBOX_STEP_CLONE, clone_errno, "clone3",
                                 "(into the service's PID namespace and cgroup)");
        }
        if (own_pidns >= 0)
                close(own_pidns);
        seccomp_program_free(prog);
        sandbox_stdio_close(&io);
        close(errp[1]);
        if (r < 0) {
                close(errp[0]);
                return r;
        }
        r = await_exec(errp[0], pidfd, err);
        if (r == 0) {
                ret->pid = pid;
                ret->pidfd = pidfd;
        }
        return r;
}

/* The pid in the last PID namespace of host pid `pid` ("NSpid:" of its status), 0 when unknown. */
static pid_t pid_inside(pid_t pid) {
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/%d/status", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        pid_t inside = 0;
        while (fgets(line, sizeof line, f))
                if (strncmp(line, "NSpid:", 6) == 0) {
                        const char *last = strrchr(line, '\t');
                        inside = (pid_t) atoi(last ? last + 1 : line + 6);
                        break;
                }
        fclose(f);
        return inside;
}

pid_t sandbox_child_main_pid(const struct sandbox_child *c, pid_t *ret_inside) {
        *ret_inside = 0;
        if (!c->hutch_pid1) {
                *ret_inside = pid_inside(c->pid);
                return *ret_inside > 0 ? c->pid : 0;
        }
        /* Under hutch's PID 1: its first child, or for Type=forking the daemon it took, which is
         * its child too (reparented), found by its pid in the sandbox. */
        pid_t want = c->report ? __atomic_load_n(&c->report->main_pid, __ATOMIC_ACQUIRE) : 0;
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int) c->pid, (int) c->pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return 0;
        pid_t found = 0;
        int child;
        while (!found && fscanf(f, "%d", &child) == 1) {
                pid_t inside = pid_inside(child);
                if (inside > 0 && (want <= 0 || inside == want)) {
                        found = child;
                        *ret_inside = inside;
                }
        }
        fclose(f);
        return found;
}
