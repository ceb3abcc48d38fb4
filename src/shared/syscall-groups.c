/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hutch's table of named syscall groups for SystemCallFilter=. The group names and their
 * purpose follow systemd's documented sets, so a unit written for systemd means the same
 * here; the membership is hutch's own. Where hutch differs on purpose it says so next to
 * the group (see @system-service).
 *
 * A member may be a syscall that does not exist on the architecture being filtered
 * (socketcall, stat64, ...): the filter builder skips names that do not resolve there, so
 * one table serves every architecture. */

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "hutch/macro.h"
#include "hutch/syscalls.h"

#define MEMBERS(...) ((const char *const[]){__VA_ARGS__, NULL})

const struct syscall_group syscall_groups[] = {
        {
                .name = "@default",
                .help = "Calls every program makes (always part of an allow list)",
                .members = MEMBERS(
                        "arch_prctl", "brk", "cacheflush", "clock_getres", "clock_getres_time64",
                        "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
                        "execve", "exit", "exit_group", "futex", "futex_time64", "futex_waitv", "futex_wait",
                        "futex_wake", "futex_requeue", "get_robust_list", "get_thread_area", "getegid",
                        "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups",
                        "getgroups32", "getpgid", "getpgrp", "getpid", "getppid", "getrandom", "getresgid",
                        "getresgid32", "getresuid", "getresuid32", "getrlimit", "getsid", "gettid",
                        "gettimeofday", "getuid", "getuid32", "membarrier", "mmap", "mmap2", "mprotect",
                        "munmap", "nanosleep", "pause", "prlimit64", "restart_syscall", "riscv_flush_icache",
                        "rseq", "rt_sigreturn", "sched_getaffinity", "sched_yield", "set_robust_list",
                        "set_thread_area", "set_tid_address", "set_tls", "sigreturn", "time", "ugetrlimit",
                        "map_shadow_stack"),
        },
        {
                .name = "@aio",
                .help = "Asynchronous I/O: POSIX AIO and io_uring",
                .members = MEMBERS("io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
                                   "io_pgetevents_time64", "io_setup", "io_submit", "io_uring_enter",
                                   "io_uring_register", "io_uring_setup"),
        },
        {
                .name = "@basic-io",
                .help = "Reading, writing, seeking and closing file descriptors",
                .members = MEMBERS("_llseek", "close", "close_range", "dup", "dup2", "dup3", "lseek",
                                   "pread64", "preadv", "preadv2", "pwrite64", "pwritev", "pwritev2", "read",
                                   "readv", "write", "writev"),
        },
        {
                .name = "@chown",
                .help = "Changing the owner of files",
                .members =
                        MEMBERS("chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32"),
        },
        {
                .name = "@clock",
                .help = "Setting the system clock",
                .members = MEMBERS("adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
                                   "clock_settime64", "settimeofday", "stime"),
        },
        {
                .name = "@cpu-emulation",
                .help = "Emulating other CPU modes (segment tables, vm86)",
                .members = MEMBERS("modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old"),
        },
        {
                .name = "@debug",
                .help = "Tracing and inspecting other processes, performance counters",
                .members = MEMBERS("lookup_dcookie", "perf_event_open", "pidfd_getfd", "process_vm_readv",
                                   "process_vm_writev", "ptrace", "rtas", "s390_runtime_instr",
                                   "sys_debug_setcontext"),
        },
        {
                .name = "@file-system",
                .help = "Opening, creating, inspecting and changing files and directories",
                .members = MEMBERS(
                        "access", "chdir", "chmod", "close", "creat", "faccessat", "faccessat2", "fallocate",
                        "fchdir", "fchmod", "fchmodat", "fchmodat2", "fcntl", "fcntl64", "fgetxattr",
                        "flistxattr", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
                        "fstatfs", "fstatfs64", "ftruncate", "ftruncate64", "futimesat", "getcwd",
                        "getdents", "getdents64", "getxattr", "getxattrat", "inotify_add_watch",
                        "inotify_init", "inotify_init1", "inotify_rm_watch", "lgetxattr", "link", "linkat",
                        "listxattr", "listxattrat", "llistxattr", "lremovexattr", "lsetxattr", "lstat",
                        "lstat64", "mkdir", "mkdirat", "mknod", "mknodat", "mmap", "mmap2", "munmap",
                        "newfstatat", "oldfstat", "oldlstat", "oldstat", "open", "openat", "openat2",
                        "readlink", "readlinkat", "removexattr", "removexattrat", "rename", "renameat",
                        "renameat2", "rmdir", "setxattr", "setxattrat", "stat", "stat64", "statfs",
                        "statfs64", "statx", "symlink", "symlinkat", "truncate", "truncate64", "unlink",
                        "unlinkat", "utime", "utimensat", "utimensat_time64", "utimes", "file_getattr",
                        "file_setattr"),
        },
        {
                .name = "@io-event",
                .help = "Waiting for events on file descriptors (poll, select, epoll, eventfd)",
                .members = MEMBERS("_newselect", "epoll_create", "epoll_create1", "epoll_ctl",
                                   "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
                                   "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll", "ppoll_time64",
                                   "pselect6", "pselect6_time64", "select"),
        },
        {
                .name = "@ipc",
                .help = "Inter-process communication: pipes, SysV IPC, POSIX message queues, memfd",
                .members = MEMBERS("ipc", "memfd_create", "mq_getsetattr", "mq_notify", "mq_open",
                                   "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
                                   "mq_timedsend_time64", "mq_unlink", "msgctl", "msgget", "msgrcv",
                                   "msgsnd", "pipe", "pipe2", "process_vm_readv", "process_vm_writev",
                                   "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "shmat",
                                   "shmctl", "shmdt", "shmget"),
        },
        {
                .name = "@keyring",
                .help = "The kernel keyring (not namespaced: shared with the host)",
                .members = MEMBERS("add_key", "keyctl", "request_key"),
        },
        {
                .name = "@memlock",
                .help = "Locking memory into RAM",
                .members = MEMBERS("mlock", "mlock2", "mlockall", "munlock", "munlockall"),
        },
        {
                .name = "@module",
                .help = "Loading and unloading kernel modules",
                .members = MEMBERS("create_module", "delete_module", "finit_module", "init_module"),
        },
        {
                .name = "@mount",
                .help = "Mounting, unmounting and changing the root directory",
                .members = MEMBERS("chroot", "fsconfig", "fsmount", "fsopen", "fspick", "listmount", "mount",
                                   "mount_setattr", "move_mount", "open_tree", "open_tree_attr",
                                   "pivot_root", "statmount", "umount", "umount2"),
        },
        {
                .name = "@network-io",
                .help = "Sockets: creating, connecting, sending and receiving",
                .members = MEMBERS("accept", "accept4", "bind", "connect", "getpeername", "getsockname",
                                   "getsockopt", "listen", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
                                   "recvmsg", "send", "sendmmsg", "sendmsg", "sendto", "setsockopt",
                                   "shutdown", "socket", "socketcall", "socketpair"),
        },
        {
                .name = "@obsolete",
                .help = "Calls the kernel no longer implements or that nothing uses",
                .members =
                        MEMBERS("_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
                                "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof",
                                "profil", "putpmsg", "query_module", "security", "sgetmask", "ssetmask",
                                "stime", "stty", "sysfs", "tuxcall", "ulimit", "uselib", "ustat", "vserver"),
        },
        {
                .name = "@pkey",
                .help = "Memory protection keys",
                .members = MEMBERS("pkey_alloc", "pkey_free", "pkey_mprotect"),
        },
        {
                .name = "@privileged",
                .help = "Calls that need capabilities to do anything useful",
                .members = MEMBERS("@chown", "@clock", "@module", "@raw-io", "@reboot", "@swap", "_sysctl",
                                   "acct", "bpf", "capset", "chroot", "fanotify_init", "fanotify_mark",
                                   "nfsservctl", "open_by_handle_at", "pivot_root", "quotactl",
                                   "quotactl_fd", "setdomainname", "setfsuid", "setfsuid32", "setgroups",
                                   "setgroups32", "sethostname", "setresuid", "setresuid32", "setreuid",
                                   "setreuid32", "setuid", "setuid32", "vhangup"),
        },
        {
                .name = "@process",
                .help = "Creating, waiting for, signalling and inspecting processes and threads",
                .members = MEMBERS("capget", "clone", "clone3", "execveat", "fork", "getrusage", "kill",
                                   "pidfd_open", "pidfd_send_signal", "prctl", "rt_sigqueueinfo",
                                   "rt_tgsigqueueinfo", "setns", "swapcontext", "tgkill", "times", "tkill",
                                   "unshare", "vfork", "wait4", "waitid", "waitpid"),
        },
        {
                .name = "@raw-io",
                .help = "Raw access to I/O ports and PCI configuration space",
                .members = MEMBERS("ioperm", "iopl", "pciconfig_iobase", "pciconfig_read", "pciconfig_write",
                                   "s390_pci_mmio_read", "s390_pci_mmio_write"),
        },
        {
                .name = "@reboot",
                .help = "Rebooting and loading a new kernel",
                .members = MEMBERS("kexec_file_load", "kexec_load", "reboot"),
        },
        {
                .name = "@resources",
                .help = "Changing scheduling, CPU affinity, memory policy and resource limits",
                .members =
                        MEMBERS("ioprio_set", "mbind", "migrate_pages", "move_pages", "nice",
                                "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler",
                                "set_mempolicy", "set_mempolicy_home_node", "setpriority", "setrlimit"),
        },
        {
                .name = "@sandbox",
                .help = "A process sandboxing itself further (seccomp, Landlock)",
                .members = MEMBERS("landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self",
                                   "seccomp"),
        },
        {
                .name = "@setuid",
                .help = "Changing user and group identities",
                .members = MEMBERS("setgid", "setgid32", "setgroups", "setgroups32", "setregid",
                                   "setregid32", "setresgid", "setresgid32", "setresuid", "setresuid32",
                                   "setreuid", "setreuid32", "setuid", "setuid32"),
        },
        {
                .name = "@signal",
                .help = "Signal handlers, masks and waiting for signals",
                .members = MEMBERS("rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigsuspend",
                                   "rt_sigtimedwait", "rt_sigtimedwait_time64", "sigaction", "sigaltstack",
                                   "signal", "signalfd", "signalfd4", "sigpending", "sigprocmask",
                                   "sigsuspend"),
        },
        {
                .name = "@swap",
                .help = "Enabling and disabling swap",
                .members = MEMBERS("swapoff", "swapon"),
        },
        {
                .name = "@sync",
                .help = "Flushing files and memory to storage",
                .members = MEMBERS("fdatasync", "fsync", "msync", "sync", "sync_file_range",
                                   "sync_file_range2", "syncfs"),
        },
        {
                .name = "@timer",
                .help = "Timers and alarms",
                .members = MEMBERS("alarm", "getitimer", "setitimer", "timer_create", "timer_delete",
                                   "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
                                   "timer_settime64", "timerfd_create", "timerfd_gettime",
                                   "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times"),
        },
        {
                .name = "@system-service",
                .help = "What an ordinary service needs (hutch's default allow list)",
                /* Differs from systemd's set on purpose: the keyring (@keyring) is not
                 * namespaced, so a service could read or plant keys of the host's other
                 * users; io_uring has been the source of a long line of kernel privilege
                 * escalations and bypasses seccomp for the operations it performs itself;
                 * userfaultfd lets a payload stall the kernel in the middle of a copy, a
                 * standard tool for exploiting races. None of them is needed by an ordinary
                 * service; a unit that wants them names them (SystemCallFilter=@keyring),
                 * so the loosening is visible. The classic AIO calls stay, and so does
                 * @sandbox: a service that confines itself further (seccomp, Landlock) only
                 * ever tightens what it may do. */
                .members = MEMBERS("@basic-io", "@chown", "@default", "@file-system", "@io-event", "@ipc",
                                   "@memlock", "@network-io", "@process", "@resources", "@sandbox",
                                   "@setuid", "@signal", "@sync", "@timer", "io_cancel", "io_destroy",
                                   "io_getevents", "io_pgetevents", "io_pgetevents_time64", "io_setup",
                                   "io_submit", "brk", "cachestat", "capget", "capset", "copy_file_range",
                                   "fadvise64", "fadvise64_64", "flock", "get_mempolicy", "getcpu",
                                   "getpriority", "ioctl", "ioprio_get", "kcmp", "madvise", "mincore",
                                   "mremap", "name_to_handle_at", "oldolduname", "olduname", "personality",
                                   "process_madvise", "readahead", "readdir", "remap_file_pages",
                                   "sched_get_priority_max", "sched_get_priority_min", "sched_getattr",
                                   "sched_getparam", "sched_getscheduler", "sched_rr_get_interval",
                                   "sched_rr_get_interval_time64", "sendfile", "sendfile64", "setfsgid",
                                   "setfsgid32", "setfsuid", "setfsuid32", "setpgid", "setsid", "splice",
                                   "sysinfo", "tee", "umask", "uname", "vmsplice"),
        },
        {
                .name = "@known",
                .help = "Every syscall hutch knows about",
                .members = MEMBERS("@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug",
                                   "@default", "@file-system", "@io-event", "@ipc", "@keyring", "@memlock",
                                   "@module", "@mount", "@network-io", "@obsolete", "@pkey", "@privileged",
                                   "@process", "@raw-io", "@reboot", "@resources", "@sandbox", "@setuid",
                                   "@signal", "@swap", "@sync", "@system-service", "@timer",
                                   /* in no group above: */
                                   "get_mempolicy", "lsm_get_self_attr", "lsm_list_modules",
                                   "lsm_set_self_attr", "memfd_secret", "mseal", "process_mrelease",
                                   "syslog", "userfaultfd"),
        },
        {},
};

const struct syscall_group *syscall_group_find(const char *name) {
        if (!name || name[0] != '@')
                return NULL;
        for (const struct syscall_group *g = syscall_groups; g->name; g++)
                if (streq(g->name, name))
                        return g;
        return NULL;
}

/* The groups nest only a few levels deep and there are few dozen of them: a visited set of
 * group indices keeps each group expanded once (and stops a cycle, should one be written). */
struct expand_state {
        bool visited_group[64];
        const char **seen; /* syscall names already reported */
        size_t n_seen, n_alloc;
        int (*f)(const char *syscall, void *userdata);
        void *userdata;
};

static int expand_one(struct expand_state *s, const struct syscall_group *g) {
        size_t idx = (size_t) (g - syscall_groups);
        if (idx >= ELEMENTSOF(s->visited_group))
                return -E2BIG;
        if (s->visited_group[idx])
                return 0;
        s->visited_group[idx] = true;

        for (const char *const *m = g->members; *m; m++) {
                if ((*m)[0] == '@') {
                        const struct syscall_group *sub = syscall_group_find(*m);
                        if (!sub)
                                return -ENOENT;
                        int r = expand_one(s, sub);
                        if (r < 0)
                                return r;
                        continue;
                }
                bool dup = false;
                for (size_t i = 0; i < s->n_seen && !dup; i++)
                        dup = streq(s->seen[i], *m);
                if (dup)
                        continue;
                if (s->n_seen == s->n_alloc) {
                        size_t n = s->n_alloc ? s->n_alloc * 2 : 64;
                        const char **p = realloc(s->seen, n * sizeof *p);
                        if (!p)
                                return -ENOMEM;
                        s->seen = p;
                        s->n_alloc = n;
                }
                s->seen[s->n_seen++] = *m;
                int r = s->f(*m, s->userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

int syscall_group_expand(const char *name, int (*f)(const char *syscall, void *userdata), void *userdata) {
        const struct syscall_group *g = syscall_group_find(name);
        if (!g)
                return -ENOENT;
        struct expand_state s = {.f = f, .userdata = userdata};
        int r = expand_one(&s, g);
        free(s.seen);
        return r;
}

/* Syscalls newer than the libseccomp hutch may be built against (Debian 12 ships 2.5.4,
 * which stops at futex_requeue). Since Linux 5.1 a new syscall gets the same number on
 * every architecture except alpha (and x32 adds its 0x40000000 bit), so one number each
 * is enough. Listed so that a unit can allow or deny them by name on today's kernels. */
static const struct {
        const char *name;
        int nr;
} newer_syscalls[] = {
        {"statmount", 457},         {"listmount", 458},        {"lsm_get_self_attr", 459},
        {"lsm_set_self_attr", 460}, {"lsm_list_modules", 461}, {"mseal", 462},
        {"setxattrat", 463},        {"getxattrat", 464},       {"listxattrat", 465},
        {"removexattrat", 466},     {"open_tree_attr", 467},   {"file_getattr", 468},
        {"file_setattr", 469},
};

int syscall_resolve_arch(const char *name, uint32_t arch) {
        if (!name || name[0] == '@' || name[0] == '\0')
                return -EINVAL;
        int nr = seccomp_syscall_resolve_name_arch(arch, name);
        if (nr >= 0)
                return nr;
        if (nr == __NR_SCMP_ERROR)
                for (size_t i = 0; i < ELEMENTSOF(newer_syscalls); i++)
                        if (streq(newer_syscalls[i].name, name)) {
                                if (arch == SCMP_ARCH_X32)
                                        return newer_syscalls[i].nr | 0x40000000;
                                if (arch == SCMP_ARCH_X86_64 || arch == SCMP_ARCH_X86 ||
                                    arch == SCMP_ARCH_AARCH64 || arch == SCMP_ARCH_ARM ||
                                    arch == SCMP_ARCH_RISCV64 || arch == SCMP_ARCH_PPC64LE ||
                                    arch == SCMP_ARCH_S390X)
                                        return newer_syscalls[i].nr;
                                return -ENOSYS;
                        }
        /* libseccomp returns a negative pseudo number for a name that exists on some
         * other architecture: absent here. */
        return nr == __NR_SCMP_ERROR ? -ENOENT : -ENOSYS;
}

bool syscall_name_is_known(const char *name) {
        if (!name)
                return false;
        if (name[0] == '@')
                return syscall_group_find(name) != NULL;
        int r = syscall_resolve_arch(name, seccomp_arch_native());
        return r >= 0 || r == -ENOSYS;
}
