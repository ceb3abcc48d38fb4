/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs as the sandboxed payload and reports what it may do: one line per attempt,
 * "NAME ok" or "NAME errno ENAME", and the privilege lines of /proc/self/status.
 *     security-probe [ATTEMPT...]     (no argument: status and every attempt)
 * Every attempt is harmless when it is allowed: arguments are chosen so the kernel rejects
 * the call itself (after seccomp has had its say) or changes nothing of the host. */

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "probe-names.h"

/* In a sanitizer build LeakSanitizer's exit-time check stops the world from a helper thread
 * with ptrace(); the seccomp filters this probe runs under refuse ptrace (the check then fails
 * with exit status 1) or kill the helper (the probe then spins forever in StopTheWorld). The
 * probe's allocations are not what it tests, so its leak check is off; ASan and UBSan stay on.
 * LeakSanitizer calls this hook; without a sanitizer runtime it is never called. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
        return 1;
}

static void report(const char *name, long r) {
        if (r < 0)
                printf("%s errno %s\n", name, errno_to_name(errno) ?: "?");
        else
                printf("%s ok\n", name);
        fflush(stdout);
}

/* A 32-bit getpid() through the i386 entry point, from this 64-bit process. Returns the
 * kernel's raw result: a pid, or -errno. */
static long int80_getpid(void) {
        long ret = 20; /* __NR_getpid on i386 */
        __asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "r8", "r9", "r10", "r11");
        return ret;
}

static void status(void) {
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        while (f && fgets(line, sizeof line, f))
                if (strncmp(line, "Cap", 3) == 0 || strncmp(line, "NoNewPrivs", 10) == 0 ||
                    strncmp(line, "Seccomp:", 8) == 0 || strncmp(line, "Uid:", 4) == 0)
                        fputs(line, stdout);
        if (f)
                fclose(f);
        fflush(stdout);
}

static void attempt_here(const char *what) {
        long r;
        errno = 0;
        if (strcmp(what, "int80") == 0) {
                r = int80_getpid();
                if (r < 0) {
                        errno = (int) -r;
                        r = -1;
                }
                report(what, r);
        } else if (strcmp(what, "x32") == 0)
                report(what, syscall(0x40000000 | SYS_getpid));
        else if (strcmp(what, "getpid") == 0)
                report(what, syscall(SYS_getpid));
        else if (strcmp(what, "unshare-user") == 0)
                /* In a forked child: success would change only the child. */
                report(what, unshare(CLONE_NEWUSER));
        else if (strcmp(what, "unshare-net") == 0)
                report(what, unshare(CLONE_NEWNET));
        else if (strcmp(what, "clone3") == 0)
                /* size 0: the kernel itself says EINVAL */
                report(what, syscall(SYS_clone3, NULL, 0));
        else if (strcmp(what, "setns") == 0)
                report(what, syscall(SYS_setns, -1, 0)); /* kernel: EBADF */
        else if (strcmp(what, "keyctl") == 0)
                report(what, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0));
        else if (strcmp(what, "add_key") == 0)
                report(what, syscall(SYS_add_key, "user", "hutch-probe", "x", 1, KEY_SPEC_PROCESS_KEYRING));
        else if (strcmp(what, "io_uring_setup") == 0) {
                struct io_uring_params p = {};
                r = syscall(SYS_io_uring_setup, 1, &p);
                report(what, r);
                if (r >= 0)
                        close((int) r);
        } else if (strcmp(what, "userfaultfd") == 0) {
                r = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
                report(what, r);
                if (r >= 0)
                        close((int) r);
        } else if (strcmp(what, "tiocsti") == 0 || strcmp(what, "tiocsti-bit32") == 0) {
                /* A pty of our own as controlling terminal, so the kernel would allow it.
                 * Closing it as session leader hangs it up: not a result. */
                signal(SIGHUP, SIG_IGN);
                int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0) {
                        report("tiocsti-setup", -1);
                        return;
                }
                int s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (s < 0 || setsid() < 0 || ioctl(s, TIOCSCTTY, 0) < 0) {
                        report("tiocsti-setup", -1);
                        return;
                }
                char c = '\n';
                unsigned long cmd = TIOCSTI;
                if (strcmp(what, "tiocsti-bit32") == 0)
                        cmd |= UINT64_C(1) << 32;
                report(what, syscall(SYS_ioctl, s, cmd, &c));
                close(s);
                close(m);
        } else if (strcmp(what, "tiocgwinsz") == 0) {
                int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
                struct winsize w;
                report(what, m < 0 ? -1 : ioctl(m, TIOCGWINSZ, &w));
                if (m >= 0)
                        close(m);
        } else if (strcmp(what, "personality") == 0)
                report(what, personality(READ_IMPLIES_EXEC));
        else if (strcmp(what, "personality-query") == 0)
                report(what, personality(0xffffffff));
        else if (strcmp(what, "sched_fifo") == 0) {
                /* the system calls themselves: musl's sched_setscheduler() is ENOSYS by design */
                struct sched_param sp = {.sched_priority = 1};
                r = syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp);
                report(what, r);
                if (r == 0) {
                        struct sched_param zero = {0};
                        (void) syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &zero);
                }
        } else if (strcmp(what, "chmod-suid") == 0 || strcmp(what, "chmod-plain") == 0) {
                char path[] = "/tmp/hutch-probe.XXXXXX";
                int fd = mkstemp(path);
                if (fd < 0) {
                        report("chmod-setup", -1);
                        return;
                }
                /* gone before the attempt, even if the filter kills us */
                unlink(path);
                report(what, fchmod(fd, strcmp(what, "chmod-suid") == 0 ? 04755 : 0755));
                close(fd);
        } else if (strcmp(what, "mmap-wx") == 0) {
                /* the system call itself: musl's mmap() turns the kernel's EPERM into ENOMEM */
                void *p = (void *) syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                report(what, p == MAP_FAILED ? -1 : 0);
                if (p != MAP_FAILED)
                        munmap(p, 4096);
        } else if (strcmp(what, "clock_settime") == 0) {
                /* CLOCK_MONOTONIC cannot be set: the kernel says EINVAL, the host clock is safe. */
                struct timespec ts = {0, 0};
                report(what, syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts));
        } else if (strcmp(what, "syslog") == 0)
                report(what, klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER: read-only */, NULL, 0));
        else if (strcmp(what, "init_module") == 0)
                report(what, syscall(SYS_init_module, NULL, 0, "")); /* kernel: EFAULT or EPERM */
        else if (strcmp(what, "mount") == 0)
                report(what, syscall(SYS_mount, "none", "/nonexistent/hutch-probe", "tmpfs", 0, NULL));
        else if (strcmp(what, "bind-low-port") == 0) {
                int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                struct sockaddr_in a = {.sin_family = AF_INET,
                                        .sin_port = htons(999),
                                        .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                r = s < 0 ? -1 : bind(s, (struct sockaddr *) &a, sizeof a);
                /* EADDRINUSE still means the privilege check passed */
                report(what, r < 0 && errno == EADDRINUSE ? 0 : r);
                if (s >= 0)
                        close(s);
        } else if (strncmp(what, "socket:", 7) == 0) {
                /* socket:FAMILY:TYPE[:PROTOCOL], numbers */
                int fam = 0, type = 0, proto = 0;
                if (sscanf(what + 7, "%d:%d:%d", &fam, &type, &proto) < 2) {
                        printf("%s unknown\n", what);
                        return;
                }
                r = socket(fam, type | SOCK_CLOEXEC, proto);
                report(what, r);
                if (r >= 0)
                        close((int) r);
        } else if (strcmp(what, "session-keyring") == 0) {
                /* the keyring's serial: compared with the one hutch was started from */
                r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
                if (r < 0)
                        report(what, r);
                else
                        printf("%s id %ld\n", what, r);
        } else if (strcmp(what, "mdwe") == 0) {
                r = prctl(66 /* PR_GET_MDWE, Linux 6.3 */, 0, 0, 0, 0);
                if (r < 0)
                        report(what, r);
                else
                        printf("%s flags %ld\n", what, r);
        } else if (strncmp(what, "open-rw:", 8) == 0 || strncmp(what, "open-w:", 7) == 0 ||
                   strncmp(what, "open-r:", 7) == 0) {
                /* opened, never read or written: that it opens is the finding */
                int mode = what[5] == 'r' && what[6] == 'w' ? O_RDWR : what[5] == 'w' ? O_WRONLY : O_RDONLY;
                r = open(strchr(what, ':') + 1, mode | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                report(what, r);
                if (r >= 0)
                        close((int) r);
        } else if (strncmp(what, "mknod-open:", 11) == 0) {
                /* a /dev/null of our own in DIR (needs CAP_MKNOD), then open it */
                char path[512];
                snprintf(path, sizeof path, "%s/hutch-probe-null", what + 11);
                if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) < 0) {
                        report("mknod", -1);
                        return;
                }
                r = open(path, O_RDWR | O_CLOEXEC);
                int saved = errno;
                unlink(path);
                errno = saved;
                report(what, r);
                if (r >= 0)
                        close((int) r);
        } else
                printf("%s unknown\n", what);
}

/* Each attempt runs in a child of its own: whatever it changes (a namespace, the personality,
 * a controlling terminal) dies with it, and a kill by the filter is reported, not suffered. */
static void attempt(const char *what) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
                /* The kernel's own SIGSEGV for int 0x80 without IA-32 emulation must reach the
                 * parent as SIGSEGV: a sanitizer runtime's handler would turn it into an abort. */
                signal(SIGSEGV, SIG_DFL);
                attempt_here(what);
                fflush(stdout);
                _exit(0);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) < 0) {
                report("fork", -1);
                return;
        }
        if (!WIFSIGNALED(st))
                return;
        /* A kernel without IA-32 emulation answers int 0x80 with a general protection fault
         * before any syscall entry: seccomp never sees it, the test cannot tell. */
        if (strcmp(what, "int80") == 0 && WTERMSIG(st) == SIGSEGV)
                printf("%s unavailable SIGSEGV\n", what);
        else
                printf("%s signal SIG%s\n", what, signal_abbrev(WTERMSIG(st)) ?: "?");
        fflush(stdout);
}

int main(int argc, char **argv) {
        static const char *const all[] = {
                "getpid",        "int80",          "x32",         "unshare-user",
                "unshare-net",   "clone3",         "setns",       "keyctl",
                "add_key",       "io_uring_setup", "userfaultfd", "tiocsti",
                "tiocsti-bit32", "tiocgwinsz",     "personality", "personality-query",
                "sched_fifo",    "chmod-suid",     "chmod-plain", "mmap-wx",
                "clock_settime", "syslog",         "init_module", "mount",
                "bind-low-port",
        };
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 2) {
                status();
                for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
                        attempt(all[i]);
                return 0;
        }
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "status") == 0)
                        status();
                else
                        attempt(argv[i]);
        }
        return 0;
}
