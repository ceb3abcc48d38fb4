/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hutch-init: the sandbox's PID 1 once the payload runs. PID 1 builds the sandbox as a copy of
 * hutch, starts the payload, then replaces itself with this program, so that for the service's
 * whole life PID 1 holds none of hutch's memory (the unit, its environment, the heap of the
 * setup) and costs a few pages instead of a copy of hutch's address space and its page tables.
 *
 * It is built without libc (no start-up code to run, nothing to relocate) and embedded in
 * hutch, which hands it over as a sealed, unreadable memfd: an executable the process cannot
 * read makes the kernel mark it non-dumpable from the first instruction (so the payload cannot
 * ptrace it or open /proc/1/mem, /proc/1/exe, /proc/1/environ, as before the exec).
 *
 *   argv[1]  the payload's pid (in the sandbox's PID namespace), decimal
 *   fd 1     a memfd for the exit report (pid1-abi.h): mapped, then closed
 *   fd 2     the write end of the spawner's exit pipe, or nothing: one byte goes there once the
 *            report is written (the spawner's cue, pid1.c)
 *
 * Everything else is inherited: the signal mask (every signal it forwards is blocked, so none is
 * lost across the exec), CAP_KILL alone, an empty bounding set, no_new_privs, no other fd. Like
 * pid1.c's loop: forward every signal but SIGCHLD to the payload, reap every child, and exit
 * with the payload's status (128+N when killed by signal N) after writing its exact wait status
 * to the report. */

#include <asm/unistd.h>
#include <stdint.h>

#include "sandbox/pid1-abi.h"

#define SIGCHLD_ 17
#define WNOHANG_ 1
#define PR_SET_NAME_ 15
#define CLD_EXITED_ 1
#define CLD_KILLED_ 2
#define CLD_DUMPED_ 3
#define PROT_RW_ 3
#define MAP_SHARED_ 1
#define MAP_FIXED_ 0x10
#define STACK_UNMAP_HALF (1L << 20)

/* Where init_loop runs: it needs a few hundred bytes (a siginfo and some locals). */
static char init_stack[4096] __attribute__((aligned(16)));
/* Where the exit report's memfd is mapped (MAP_FIXED over this .bss page, which is never
 * written): page aligned, as mmap() requires. */
#if defined(__aarch64__)
#define PAGE_MAX_ 65536 /* arm64 kernels run with 4, 16 or 64 kB pages */
#else
#define PAGE_MAX_ 4096
#endif
static char report_page[PAGE_MAX_] __attribute__((aligned(PAGE_MAX_)));

#if defined(__x86_64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f) {
        register long r10 __asm__("r10") = d;
        register long r8 __asm__("r8") = e;
        register long r9 __asm__("r9") = f;
        long ret;
        __asm__ volatile("syscall"
                         : "=a"(ret)
                         : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                         : "rcx", "r11", "memory");
        return ret;
}

__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        xor %rbp, %rbp\n"
        "        mov %rsp, %rdi\n"
        "        and $-16, %rsp\n"
        "        call init_main\n"
        "        hlt\n");

/* Continues in init_loop(payload, report, old_sp) on `stack` (its top, 16-byte aligned). */
__attribute__((noreturn)) static void switch_stack(char *stack, long payload, void *report, long old_sp) {
        __asm__ volatile("mov %0, %%rsp\n"
                         "        xor %%rbp, %%rbp\n"
                         "        call init_loop\n"
                         "        hlt\n"
                         :
                         : "r"(stack), "D"(payload), "S"(report), "d"(old_sp)
                         : "memory");
        __builtin_unreachable();
}
#elif defined(__aarch64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f) {
        register long x8 __asm__("x8") = n;
        register long x0 __asm__("x0") = a;
        register long x1 __asm__("x1") = b;
        register long x2 __asm__("x2") = c;
        register long x3 __asm__("x3") = d;
        register long x4 __asm__("x4") = e;
        register long x5 __asm__("x5") = f;
        __asm__ volatile("svc 0"
                         : "+r"(x0)
                         : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                         : "memory");
        return x0;
}

__asm__(".text\n"
        ".global _start\n"
        "_start:\n"
        "        mov x29, #0\n"
        "        mov x30, #0\n"
        "        mov x0, sp\n"
        "        and sp, x0, #-16\n"
        "        bl init_main\n"
        "        brk #0\n");

__attribute__((noreturn)) static void switch_stack(char *stack, long payload, void *report, long old_sp) {
        register long x0 __asm__("x0") = payload;
        register long x1 __asm__("x1") = (long) report;
        register long x2 __asm__("x2") = old_sp;
        __asm__ volatile("mov sp, %0\n"
                         "        mov x29, #0\n"
                         "        bl init_loop\n"
                         "        brk #0\n"
                         :
                         : "r"(stack), "r"(x0), "r"(x1), "r"(x2)
                         : "memory");
        __builtin_unreachable();
}
#else
#error "hutch-init: no system call stub for this architecture (meson.build lists the supported ones)"
#endif

static long sys(long n, long a, long b, long c, long d) {
        return sys6(n, a, b, c, d, 0, 0);
}

__attribute__((noreturn)) static void exit_now(int code) {
        for (;;)
                sys(__NR_exit_group, code, 0, 0, 0);
}

/* The kernel's siginfo, 128 bytes: si_signo, si_errno, si_code, then (8-byte aligned) the union,
 * whose queued-signal member is si_pid, si_uid, si_value. */
struct siginfo_raw {
        int32_t signo, errno_, code, pad_;
        int32_t pid, uid, value, rest[25];
};
#define SI_QUEUE_ (-1)

/* The wait status the kernel reports through wait4(), decoded as <sys/wait.h> does. */
static void decode(int status, int32_t *code, int32_t *value) {
        int sig = status & 0x7f;
        if (sig == 0) {
                *code = CLD_EXITED_;
                *value = (status >> 8) & 0xff;
        } else {
                *code = (status & 0x80) ? CLD_DUMPED_ : CLD_KILLED_;
                *value = sig;
        }
}

__attribute__((noreturn, used)) void init_main(long *sp);
__attribute__((noreturn, used)) void init_main(long *sp) {
        long argc = sp[0];
        char **argv = (char **) (sp + 1);
        long payload = 0;
        if (argc < 2)
                exit_now(125);
        for (const char *p = argv[1]; *p; p++) {
                if (*p < '0' || *p > '9' || payload > 0x3fffffff)
                        exit_now(125);
                payload = payload * 10 + (*p - '0');
        }
        if (payload <= 0)
                exit_now(125);
        sys(__NR_prctl, PR_SET_NAME_, (long) "hutch-init", 0, 0);
        /* The report goes into a page of this image (report_page, in .bss), so that the whole
         * process lives in one small range of addresses. */
        long map = sys6(__NR_mmap, (long) report_page, sizeof(struct sandbox_exit_report), PROT_RW_,
                        MAP_SHARED_ | MAP_FIXED_, 1, 0);
        if (map < 0 && map > -4096) /* a page larger than report_page's alignment: anywhere */
                map = sys6(__NR_mmap, 0, sizeof(struct sandbox_exit_report), PROT_RW_, MAP_SHARED_, 1, 0);
        struct sandbox_exit_report *report = map < 0 && map > -4096 ? 0 : (struct sandbox_exit_report *) map;
        sys(__NR_close, 1, 0, 0, 0);
        switch_stack(init_stack + sizeof init_stack, payload, report, (long) sp);
}

/* Runs on init_stack. The kernel's stack, with argv and the auxiliary vector, is no longer
 * needed: unmapped, it takes its page tables along, and what is left of the process is this
 * image and the vDSO, a few pages within one 2 MiB range (one page-table page per level
 * instead of two or three: 8 to 12 kB less kernel memory in every sandbox). */
__attribute__((noreturn, used)) void init_loop(long payload, struct sandbox_exit_report *report,
                                               long old_sp);
__attribute__((noreturn, used)) void init_loop(long payload, struct sandbox_exit_report *report,
                                               long old_sp) {
        /* [old_sp - 1 MiB, old_sp + 1 MiB) holds the whole stack mapping: it ends a few pages
         * above old_sp (argv, envp and their strings) and reaches down 128 kB and what was
         * used. The kernel keeps every other mapping far below it (at least the 128 MiB stack
         * gap), except that older x86-64 kernels put the vDSO just above it: this program
         * never calls the vDSO, so unmapping it too is harmless. */
        long lo = (old_sp & ~(long) (PAGE_MAX_ - 1)) - STACK_UNMAP_HALF;
        sys(__NR_munmap, lo, 2 * STACK_UNMAP_HALF, 0, 0);

        /* Every signal but those the kernel raises for a fault (SIGILL 4, SIGTRAP 5, SIGABRT 6,
         * SIGBUS 7, SIGFPE 8, SIGSEGV 11, SIGSYS 31): the same set pid1.c waits for. */
        uint64_t set = ~UINT64_C(0);
        static const int sync_signals[] = {4, 5, 6, 7, 8, 11, 31};
        for (unsigned i = 0; i < sizeof sync_signals / sizeof sync_signals[0]; i++)
                set &= ~(UINT64_C(1) << (sync_signals[i] - 1));

        for (;;) {
                struct siginfo_raw si;
                long sig = sys(__NR_rt_sigtimedwait, (long) &set, (long) &si, 0, sizeof set);
                if (sig < 0)
                        continue;
                if (sig == SANDBOX_SETTLE_SIGNAL && si.code == SI_QUEUE_ && si.pid == 0 &&
                    si.value == SANDBOX_SETTLE_MAGIC)
                        continue; /* pid1-abi.h: for PID 1 before the exec, never the payload's */
                if (sig != SIGCHLD_) {
                        sys(__NR_kill, payload, sig, 0, 0);
                        continue;
                }
                for (;;) {
                        int status = 0;
                        long p = sys(__NR_wait4, -1, (long) &status, WNOHANG_, 0);
                        if (p <= 0)
                                break;
                        if (p != payload)
                                continue;
                        int32_t code, value;
                        decode(status, &code, &value);
                        if (report) {
                                report->code = code;
                                report->status = value;
                                __atomic_store_n(&report->magic, SANDBOX_EXIT_REPORT_MAGIC,
                                                 __ATOMIC_RELEASE);
                                /* fd 2: the spawner's exit pipe, where it gave one (pid1.c). */
                                sys(__NR_write, 2, (long) "", 1, 0);
                        }
                        exit_now(code == CLD_EXITED_ ? value : 128 + value);
                }
        }
}
