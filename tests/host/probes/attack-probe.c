/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A hostile payload: run inside a hutch sandbox, it tries one attack per argument and prints
 * one line "NAME RESULT" for each, where RESULT is "ok" (the attack's step succeeded), "errno
 * ENAME" (the kernel refused it), "signal SIGNAME" (the attempt was killed) or a value (what
 * it read). test-attacks.sh decides which outcome is safe. Each attack runs in a child of its
 * own so a seccomp kill or a crash ends only that attempt.
 *
 * Attacks: ptrace-pid1 pidfd-getfd-pid1 vm-read-pid1 pid1-exe pid1-root pid1-environ pid1-fd pid1-cwd
 * setns-pid1 fds foreign-fds core-pattern sysrq modprobe sys-kernel kcore kallsyms dev-mem mknod mount
 * fsopen umount-mask unshare-user keyctl tiocsti tiocsti-bit32 int80 open-by-handle bpf
 * vsock uevent netlink-route perf-event kexec chroot chroot-escape:MARKER pivot-root cgroup-escape settime
 * sethostname mounts */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "probe-names.h"

/* "errno ENAME", or "ok" for r >= 0. */
static void say(const char *name, long r) {
        if (r >= 0)
                printf("%s ok\n", name);
        else
                printf("%s errno %s\n", name, errno_to_name(errno) ?: "E?");
}

static void write_file(const char *name, const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                say(name, -1);
                return;
        }
        ssize_t n = write(fd, text, strlen(text));
        say(name, n < 0 ? -1 : 0);
        close(fd);
}

/* Bytes readable from a file: "errno E..." when it cannot be opened or read. */
static void read_bytes(const char *name, const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                say(name, -1);
                return;
        }
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0)
                say(name, -1);
        else
                printf("%s bytes %zd\n", name, n);
        close(fd);
}

static bool is_own_or_safe(const char *target) {
        static const char *const prefixes[] = {
                "pipe:", "socket:", "anon_inode:", "/dev/null", "/dev/pts/", "/proc/"};
        for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
                if (strncmp(target, prefixes[i], strlen(prefixes[i])) == 0)
                        return true;
        return false;
}

/* Every fd above 2 of every process visible in the sandbox whose target is a file system path
 * other than /dev/null, a pty, or the probe's own /proc directory: "none" when there is none. */
static void foreign_fds(void) {
        DIR *proc = opendir("/proc");
        if (!proc) {
                say("foreign-fds", -1);
                return;
        }
        int found = 0, self = getpid();
        struct dirent *p;
        printf("foreign-fds");
        while ((p = readdir(proc)))
                if (p->d_name[0] >= '1' && p->d_name[0] <= '9') {
                        char dir[300];
                        snprintf(dir, sizeof dir, "/proc/%s/fd", p->d_name);
                        DIR *fds = opendir(dir);
                        if (!fds)
                                continue;
                        struct dirent *f;
                        while ((f = readdir(fds))) {
                                /* 0-2 are the caller's stdio, handed in on purpose. */
                                if (f->d_name[0] == '.' || atoi(f->d_name) <= 2)
                                        continue;
                                char link[600], target[4096];
                                snprintf(link, sizeof link, "%s/%s", dir, f->d_name);
                                ssize_t n = readlink(link, target, sizeof target - 1);
                                if (n < 0)
                                        continue;
                                target[n] = 0;
                                if (is_own_or_safe(target) ||
                                    (atoi(p->d_name) == self && strcmp(target, "/proc") == 0))
                                        continue;
                                printf(" %s=%s", link, target);
                                found++;
                        }
                        closedir(fds);
                }
        closedir(proc);
        printf("%s\n", found ? "" : " none");
}

static void list_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        if (!d) {
                say("fds", -1);
                return;
        }
        int own = dirfd(d);
        printf("fds");
        struct dirent *f;
        while ((f = readdir(d)))
                if (f->d_name[0] != '.' && atoi(f->d_name) != own)
                        printf(" %s", f->d_name);
        printf("\n");
        closedir(d);
}

/* Lists a directory of PID 1's and tries to open each entry: "listed N opened K". */
static void pid1_dir(const char *name, const char *path) {
        DIR *d = opendir(path);
        if (!d) {
                say(name, -1);
                return;
        }
        int n = 0, opened = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                n++;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                if (fd >= 0) {
                        opened++;
                        close(fd);
                }
        }
        closedir(d);
        printf("%s listed %d opened %d\n", name, n, opened);
}

/* chdir("..") far beyond any root, then look for a file that only the host's /tmp has. */
static void chroot_escape(const char *marker) {
        mkdir("/tmp/jail", 0755);
        long r = chroot("/tmp/jail");
        int saved = errno;
        for (int i = 0; i < 64; i++)
                if (chdir("..") < 0)
                        break;
        chroot(".");
        struct stat st;
        bool seen = stat(marker, &st) == 0 || access(marker + 1, F_OK) == 0;
        errno = saved;
        if (seen)
                printf("chroot-escape ESCAPED (chroot %s)\n", r < 0 ? "refused" : "allowed");
        else
                printf("chroot-escape contained (chroot %s)\n", r < 0 ? errno_to_name(saved) : "allowed");
}

static long int80_getpid(void) {
#if defined(__x86_64__)
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
        return ret;
#else
        return -ENOSYS;
#endif
}

static void attack(const char *a) {
        char buf[256];
        if (strcmp(a, "ptrace-pid1") == 0)
                say(a, ptrace(PTRACE_ATTACH, 1, NULL, NULL));
        else if (strcmp(a, "pid1-exe") == 0) {
                ssize_t n = readlink("/proc/1/exe", buf, sizeof buf - 1);
                if (n >= 0)
                        printf("%s link %.*s\n", a, (int) n, buf);
                else {
                        int fd = open("/proc/1/exe", O_RDONLY | O_CLOEXEC);
                        say(a, fd);
                }
        } else if (strcmp(a, "pid1-root") == 0)
                pid1_dir(a, "/proc/1/root/");
        else if (strcmp(a, "pid1-environ") == 0)
                read_bytes(a, "/proc/1/environ");
        else if (strcmp(a, "pid1-fd") == 0)
                pid1_dir(a, "/proc/1/fd");
        else if (strcmp(a, "pid1-cwd") == 0)
                pid1_dir(a, "/proc/1/cwd/");
        else if (strcmp(a, "setns-pid1") == 0) {
                int fd = open("/proc/1/ns/mnt", O_RDONLY | O_CLOEXEC);
                say(a, fd < 0 ? fd : setns(fd, CLONE_NEWNS));
        } else if (strcmp(a, "fds") == 0)
                list_fds();
        else if (strcmp(a, "foreign-fds") == 0)
                foreign_fds();
        else if (strcmp(a, "core-pattern") == 0)
                write_file(a, "/proc/sys/kernel/core_pattern", "|/tmp/pwn");
        else if (strcmp(a, "sysrq") == 0)
                write_file(a, "/proc/sysrq-trigger", "h");
        else if (strcmp(a, "modprobe") == 0)
                write_file(a, "/proc/sys/kernel/modprobe", "/tmp/pwn");
        else if (strcmp(a, "sys-kernel") == 0)
                write_file(a, "/sys/kernel/uevent_helper", "/tmp/pwn");
        else if (strcmp(a, "kcore") == 0)
                read_bytes(a, "/proc/kcore");
        else if (strcmp(a, "kallsyms") == 0) {
                FILE *f = fopen("/proc/kallsyms", "re");
                unsigned long long addr, nonzero = 0;
                char type, sym[256];
                int lines = 0;
                while (f && fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, sym) == 3) {
                        lines++;
                        if (addr)
                                nonzero++;
                }
                if (!f)
                        say(a, -1);
                else
                        printf("%s lines %d nonzero %llu\n", a, lines, nonzero);
                if (f)
                        fclose(f);
        } else if (strcmp(a, "dev-mem") == 0) {
                struct stat st;
                say(a, stat("/dev/mem", &st));
        } else if (strcmp(a, "mknod") == 0)
                say(a, mknod("/tmp/mem", S_IFCHR | 0600, makedev(1, 1)));
        else if (strcmp(a, "mount") == 0)
                say(a, mount("none", "/tmp", "tmpfs", 0, NULL));
        else if (strcmp(a, "fsopen") == 0)
                say(a, syscall(SYS_fsopen, "tmpfs", 0));
        else if (strcmp(a, "umount-mask") == 0)
                say(a, umount2("/proc/kcore", MNT_DETACH));
        else if (strcmp(a, "unshare-user") == 0)
                say(a, unshare(CLONE_NEWUSER));
        else if (strcmp(a, "keyctl") == 0)
                say(a, syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "hutch-attack"));
        else if (strcmp(a, "tiocsti") == 0) {
                char c = 'x';
                say(a, ioctl(0, TIOCSTI, &c));
        } else if (strcmp(a, "tiocsti-bit32") == 0) {
                char c = 'x';
                say(a, syscall(SYS_ioctl, 0, (unsigned long) TIOCSTI | (1UL << 32), &c));
        } else if (strcmp(a, "int80") == 0) {
                long r = int80_getpid();
                if (r < 0 && r > -4096) {
                        errno = (int) -r;
                        say(a, -1);
                } else
                        printf("%s ok pid %ld\n", a, r);
        } else if (strcmp(a, "open-by-handle") == 0) {
                struct {
                        struct file_handle h;
                        unsigned char data[MAX_HANDLE_SZ];
                } fh = {.h.handle_bytes = MAX_HANDLE_SZ};
                int mount_id;
                if (syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &fh.h, &mount_id, 0) < 0) {
                        /* No handle from the sandbox's own root: forge one like the shocker
                         * exploit does (inode 2, the root of most ext4 file systems). */
                        fh.h.handle_bytes = 8;
                        fh.h.handle_type = 1;
                        memset(fh.data, 0, 8);
                        fh.data[0] = 2;
                }
                say(a, syscall(SYS_open_by_handle_at, AT_FDCWD, &fh.h, O_RDONLY));
        } else if (strcmp(a, "bpf") == 0) {
                union bpf_attr attr;
                memset(&attr, 0, sizeof attr);
                attr.map_type = BPF_MAP_TYPE_ARRAY;
                attr.key_size = 4;
                attr.value_size = 4;
                attr.max_entries = 1;
                say(a, syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr));
        } else if (strcmp(a, "vsock") == 0) {
                /* AF_VSOCK is not per network namespace: its ports are the host's. */
                int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
                say(a, fd);
                if (fd >= 0)
                        close(fd);
        } else if (strcmp(a, "uevent") == 0 || strcmp(a, "netlink-route") == 0) {
                /* The kernel's device events go to every network namespace of the initial user
                 * namespace; a route socket (per namespace) is the one that must still open. */
                int proto = strcmp(a, "uevent") == 0 ? NETLINK_KOBJECT_UEVENT : NETLINK_ROUTE;
                int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, proto);
                if (fd >= 0 && proto == NETLINK_KOBJECT_UEVENT) {
                        struct sockaddr_nl nl = {.nl_family = AF_NETLINK, .nl_groups = 1};
                        if (bind(fd, (struct sockaddr *) &nl, sizeof nl) < 0) {
                                close(fd);
                                fd = -1;
                        }
                }
                say(a, fd);
                if (fd >= 0)
                        close(fd);
        } else if (strcmp(a, "perf-event") == 0) {
                struct perf_event_attr pe = {
                        .type = PERF_TYPE_SOFTWARE, .size = sizeof pe, .config = PERF_COUNT_SW_CPU_CLOCK};
                say(a, syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0));
        } else if (strcmp(a, "kexec") == 0)
                say(a, syscall(SYS_kexec_load, 0, 0, NULL, 0));
        else if (strcmp(a, "chroot") == 0)
                say(a, chroot("/"));
        else if (strncmp(a, "chroot-escape:", 14) == 0)
                chroot_escape(a + 14);
        else if (strcmp(a, "pidfd-getfd-pid1") == 0) {
                /* Steal an fd of PID 1 (same access check as ptrace). */
                int pfd = (int) syscall(SYS_pidfd_open, 1, 0);
                say(a, pfd < 0 ? pfd : syscall(SYS_pidfd_getfd, pfd, 0, 0));
        } else if (strcmp(a, "vm-read-pid1") == 0) {
                char dst[16];
                struct iovec local = {dst, sizeof dst}, remote = {(void *) 0x400000, sizeof dst};
                say(a, process_vm_readv(1, &local, 1, &remote, 1, 0));
        } else if (strcmp(a, "cgroup-escape") == 0)
                write_file(a, "/sys/fs/cgroup/cgroup.procs", "0");
        else if (strcmp(a, "settime") == 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                say(a, clock_settime(CLOCK_REALTIME, &ts));
        } else if (strcmp(a, "sethostname") == 0)
                say(a, sethostname("hutch-pwned", 11));
        else if (strcmp(a, "pivot-root") == 0)
                say(a, syscall(SYS_pivot_root, ".", "."));
        else if (strcmp(a, "mounts") == 0) {
                FILE *f = fopen("/proc/self/mountinfo", "re");
                int n = 0;
                char line[4096];
                while (f && fgets(line, sizeof line, f))
                        n++;
                printf("%s %d\n", a, n);
                if (f)
                        fclose(f);
        } else
                printf("%s unknown\n", a);
}

/* In a sanitizer build LeakSanitizer's exit-time check stops the world with ptrace(), which
 * the sandbox's seccomp filter refuses ("LeakSanitizer has encountered a fatal error", exit
 * status 1). The probe's allocations are not what it tests: its leak check is off, ASan and
 * UBSan stay on. Without a sanitizer runtime this hook is never called. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void) {
        return 1;
}

int main(int argc, char **argv) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (int i = 1; i < argc; i++) {
                fflush(stdout);
                pid_t pid = fork();
                if (pid < 0) {
                        say(argv[i], -1);
                        continue;
                }
                if (pid == 0) {
                        /* int80 on a kernel without IA-32 emulation faults: that SIGSEGV must
                         * reach the parent as such, not as a sanitizer runtime's abort. */
                        signal(SIGSEGV, SIG_DFL);
                        if (chdir("/") < 0)
                                _exit(1);
                        attack(argv[i]);
                        fflush(stdout);
                        _exit(0);
                }
                int status;
                if (waitpid(pid, &status, 0) == pid && WIFSIGNALED(status))
                        printf("%s signal %s\n", argv[i], signal_abbrev(WTERMSIG(status)) ?: "?");
        }
        return 0;
}
