/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The seccomp builder, without privileges: filters build for the defaults and for many unit
 * settings, and the exported BPF is run here by a small classic-BPF interpreter against
 * made-up syscalls (number, architecture, arguments) to check what each one decides. Also
 * the cache: round trip, a corrupt or foreign file is not trusted. Prints build and load
 * times as comments (no timed assertions). */

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hutch/macro.h"
#include "hutch/model.h"
#include "hutch/strv.h"
#include "sandbox/seccomp-compact.h"
#include "sandbox/security.h"
#include "tap.h"

#include "../bpf-run.h"

static uint32_t run_bpf(const struct seccomp_program *p, const struct seccomp_data *d) {
        return run_insns(seccomp_program_insns(p), seccomp_program_size(p), d);
}

#define ALLOW SECCOMP_RET_ALLOW
#define ERR(e) (SECCOMP_RET_ERRNO | (e))
#define KILL SECCOMP_RET_KILL_PROCESS

static uint32_t call(const struct seccomp_program *p, uint32_t arch, int nr, uint64_t a0, uint64_t a1,
                     uint64_t a2, uint64_t a3) {
        struct seccomp_data d = {.nr = nr, .arch = arch, .args = {a0, a1, a2, a3}};
        return run_bpf(p, &d);
}
#define X64(p, nr, ...) call(p, AUDIT_ARCH_X86_64, nr, __VA_ARGS__)
#define X64_0(p, nr) call(p, AUDIT_ARCH_X86_64, nr, 0, 0, 0, 0)

/* ---- unit setup ---- */

static void set_filter(struct hutch_unit *u, ...) {
        va_list ap;
        va_start(ap, u);
        for (const char *s; (s = va_arg(ap, const char *));) {
                u->security.syscall_filter =
                        realloc(u->security.syscall_filter,
                                (u->security.n_syscall_filter + 1) * sizeof(struct syscall_rule));
                struct syscall_rule *r = &u->security.syscall_filter[u->security.n_syscall_filter++];
                *r = (struct syscall_rule){.name = strdup(s[0] == '~' ? s + 1 : s), .deny = s[0] == '~'};
        }
        va_end(ap);
        u->security.syscall_filter_set = true;
        /* set_filter(u, NULL): "SystemCallFilter=" alone, which resets the list */
        if (u->security.n_syscall_filter == 0)
                u->security.syscall_filter_reset = true;
}

static void set_arches(struct hutch_unit *u, const char *const *l) {
        strv_free(u->security.syscall_architectures.items);
        u->security.syscall_architectures.items = l ? strv_copy((char *const *) l) : NULL;
        u->security.syscall_architectures.n = strv_length(u->security.syscall_architectures.items);
}

static struct seccomp_program *build(const struct hutch_unit *u) {
        struct seccomp_program *p = NULL;
        int r = seccomp_program_build(u, &p);
        return r < 0 ? NULL : p;
}

static double now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* Checks every default decision on a filter built from model_unit_new()'s defaults. */
static void check_defaults(const struct seccomp_program *p, uint32_t deny, const char *what) {
        TAP_CHECK(p && seccomp_program_size(p) > 0, "%s: builds (%u instructions)", what,
                  p ? seccomp_program_size(p) : 0);
        if (!p)
                return;
        TAP_CHECK(X64_0(p, SYS_read) == ALLOW && X64_0(p, SYS_openat) == ALLOW &&
                          X64_0(p, SYS_execve) == ALLOW && X64_0(p, SYS_exit_group) == ALLOW &&
                          X64(p, SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0) == ALLOW,
                  "%s: basic calls allowed", what);
        TAP_CHECK(X64_0(p, SYS_mount) == deny && X64_0(p, SYS_reboot) == deny &&
                          X64_0(p, SYS_ptrace) == deny && X64_0(p, SYS_bpf) == deny &&
                          X64_0(p, SYS_swapon) == deny,
                  "%s: privileged calls denied", what);
        TAP_CHECK(X64_0(p, SYS_keyctl) == deny && X64_0(p, SYS_add_key) == deny &&
                          X64_0(p, SYS_request_key) == deny,
                  "%s: keyring denied", what);
        TAP_CHECK(X64_0(p, SYS_io_uring_setup) == deny && X64_0(p, SYS_io_uring_enter) == deny &&
                          X64_0(p, SYS_userfaultfd) == deny,
                  "%s: io_uring and userfaultfd denied", what);
        TAP_CHECK(X64_0(p, SYS_clone3) == ERR(ENOSYS), "%s: clone3 gets ENOSYS", what);
        TAP_CHECK(X64(p, SYS_unshare, CLONE_NEWUSER, 0, 0, 0) == deny &&
                          X64(p, SYS_unshare, CLONE_NEWNS, 0, 0, 0) == deny &&
                          X64(p, SYS_unshare, CLONE_FILES, 0, 0, 0) == ALLOW,
                  "%s: unshare of a namespace denied, of file table allowed", what);
        TAP_CHECK(X64(p, SYS_clone, CLONE_NEWNET | SIGCHLD, 0, 0, 0) == deny &&
                          X64(p, SYS_clone, CLONE_VM | CLONE_THREAD | CLONE_SIGHAND, 0, 0, 0) == ALLOW &&
                          X64(p, SYS_clone, SIGCHLD | 0x80, 0, 0, 0) == ALLOW,
                  "%s: clone with CLONE_NEWNET denied, threads allowed", what);
        TAP_CHECK(X64(p, SYS_setns, 3, 0, 0, 0) == deny && X64(p, SYS_setns, 3, CLONE_NEWNET, 0, 0) == deny,
                  "%s: setns denied", what);
        TAP_CHECK(X64(p, SYS_ioctl, 0, TIOCSTI, 0, 0) == deny &&
                          X64(p, SYS_ioctl, 0, TIOCLINUX, 0, 0) == deny &&
                          X64(p, SYS_ioctl, 0, TIOCSTI | (UINT64_C(1) << 32), 0, 0) == deny &&
                          X64(p, SYS_ioctl, 0, TIOCSTI | (UINT64_C(0xffffffff) << 32), 0, 0) == deny,
                  "%s: ioctl TIOCSTI/TIOCLINUX denied, also with upper bits set", what);
        TAP_CHECK(X64(p, SYS_ioctl, 0, TCGETS, 0, 0) == ALLOW &&
                          X64(p, SYS_ioctl, 0, FIONREAD, 0, 0) == ALLOW &&
                          X64(p, SYS_ioctl, 0, TIOCSTI + 1, 0, 0) == ALLOW &&
                          X64(p, SYS_ioctl, 0, 0xffffffffc0045401ULL, 0, 0) == ALLOW,
                  "%s: other ioctls allowed (also sign-extended ones)", what);
        TAP_CHECK(X64(p, SYS_personality, PER_LINUX, 0, 0, 0) == ALLOW &&
                          X64(p, SYS_personality, 0xffffffff, 0, 0, 0) == ALLOW &&
                          X64(p, SYS_personality, READ_IMPLIES_EXEC, 0, 0, 0) == deny &&
                          X64(p, SYS_personality, ADDR_NO_RANDOMIZE, 0, 0, 0) == deny &&
                          X64(p, SYS_personality, PER_LINUX32, 0, 0, 0) == deny,
                  "%s: LockPersonality", what);
        TAP_CHECK(X64(p, SYS_sched_setscheduler, 0, SCHED_FIFO, 0, 0) == deny &&
                          X64(p, SYS_sched_setscheduler, 0, SCHED_RR | SCHED_RESET_ON_FORK, 0, 0) == deny &&
                          X64(p, SYS_sched_setscheduler, 0, SCHED_BATCH, 0, 0) == ALLOW &&
                          X64_0(p, SYS_sched_setattr) == deny,
                  "%s: RestrictRealtime", what);
        TAP_CHECK(X64(p, SYS_chmod, 0, 04755, 0, 0) == deny && X64(p, SYS_fchmod, 0, 02755, 0, 0) == deny &&
                          X64(p, SYS_fchmodat, 0, 0, 04755, 0) == deny &&
                          X64(p, 452 /* fchmodat2 */, 0, 0, 06755, 0) == deny &&
                          X64(p, SYS_openat, 0, 0, O_CREAT | O_WRONLY, 04755) == deny &&
                          X64(p, SYS_chmod, 0, 0755, 0, 0) == ALLOW &&
                          X64(p, SYS_openat, 0, 0, O_CREAT | O_WRONLY, 0644) == ALLOW &&
                          X64(p, SYS_openat, 0, 0, O_RDONLY, 04755) == ALLOW &&
                          X64_0(p, SYS_openat2) == ERR(ENOSYS),
                  "%s: RestrictSUIDSGID", what);
        TAP_CHECK(X64_0(p, SYS_clock_settime) == deny && X64_0(p, SYS_settimeofday) == deny &&
                          X64_0(p, SYS_adjtimex) == deny && X64_0(p, SYS_clock_gettime) == ALLOW,
                  "%s: ProtectClock", what);
        TAP_CHECK(X64_0(p, SYS_syslog) == deny && X64_0(p, SYS_init_module) == deny &&
                          X64_0(p, SYS_finit_module) == deny && X64_0(p, SYS_delete_module) == deny &&
                          X64_0(p, SYS_iopl) == deny,
                  "%s: ProtectKernelLogs, ProtectKernelModules, PrivateDevices (@raw-io)", what);
        TAP_CHECK(X64(p, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE) == ALLOW,
                  "%s: MemoryDenyWriteExecute off by default", what);
        /* SystemCallArchitectures=native: i386 (int 0x80) and x32 numbers hit the bad-arch action. */
        TAP_CHECK(call(p, AUDIT_ARCH_I386, 1 /* exit */, 0, 0, 0, 0) == deny &&
                          call(p, AUDIT_ARCH_I386, 20 /* getpid */, 0, 0, 0, 0) == deny,
                  "%s: i386 calls rejected", what);
        TAP_CHECK(X64_0(p, 0x40000000 | SYS_getpid) == deny && X64_0(p, 0x40000000 | 512) == deny,
                  "%s: x32 calls rejected", what);
}

/* ---- bpf_compact(): the same answers from fewer instructions ---- */

/* libseccomp's program for `ctx`, as hutch exports it before compacting. */
static struct sock_filter *export_raw(scmp_filter_ctx ctx, size_t *n) {
        FILE *f = tmpfile();
        if (!f || seccomp_export_bpf(ctx, fileno(f)) < 0)
                return NULL;
        long size = ftell(f) >= 0 ? lseek(fileno(f), 0, SEEK_END) : -1;
        struct sock_filter *insns = size > 0 ? malloc(size) : NULL;
        if (!insns || pread(fileno(f), insns, size, 0) != size)
                return NULL;
        fclose(f);
        *n = (size_t) size / sizeof *insns;
        return insns;
}

/* Runs both programs on every system call number up to 1100, the x32 range, every constant of
 * the original program and its neighbours, for several architectures and argument patterns.
 * Returns the number of inputs where they differ. */
static unsigned compare_programs(const struct sock_filter *a, size_t na, const struct sock_filter *b,
                                 size_t nb, unsigned *checked) {
        uint32_t nrs[4096];
        size_t n_nrs = 0;
        for (uint32_t nr = 0; nr <= 1100; nr++)
                nrs[n_nrs++] = nr;
        for (uint32_t nr = 0; nr < 600; nr += 13)
                nrs[n_nrs++] = 0x40000000 + nr;
        for (size_t i = 0; i < na && n_nrs + 3 < ELEMENTSOF(nrs); i++) {
                nrs[n_nrs++] = a[i].k;
                nrs[n_nrs++] = a[i].k + 1;
                nrs[n_nrs++] = a[i].k - 1;
        }
        static const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0,
                                          UINT32_MAX};
        uint64_t args[8][6] = {{0},
                               {UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX}};
        for (int i = 2; i < 8; i++)
                for (int j = 0; j < 6; j++) /* constants of the program in each argument, high half set */
                        args[i][j] = (uint64_t) a[(i * 37 + j * 11) % na].k | ((uint64_t) (i & 1) << 32);
        unsigned bad = 0;
        for (size_t i = 0; i < n_nrs; i++)
                for (size_t j = 0; j < ELEMENTSOF(arches); j++)
                        for (int k = 0; k < 8; k++) {
                                struct seccomp_data d = {.nr = (int) nrs[i], .arch = arches[j]};
                                memcpy(d.args, args[k], sizeof d.args);
                                bad += run_insns(a, na, &d) != run_insns(b, nb, &d);
                                (*checked)++;
                        }
        return bad;
}

/* hutch's "ioctl, but not these commands (low 32 bits)" as libseccomp rules: the union of masked
 * compares over every branch of the command's bits that no bad value shares (seccomp.c). */
static unsigned add_not_in(scmp_filter_ctx ctx, uint32_t mask, uint32_t prefix, const uint32_t *bad,
                           size_t n, unsigned bit) {
        bool shared = false;
        for (size_t i = 0; i < n; i++)
                shared = shared || (bad[i] & mask) == prefix;
        if (!shared)
                return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_ioctl, 1,
                                        SCMP_A1(SCMP_CMP_MASKED_EQ, mask, prefix)) == 0;
        if (bit == 0)
                return 0;
        uint32_t m = mask | (UINT32_C(1) << (bit - 1));
        return add_not_in(ctx, m, prefix, bad, n, bit - 1) +
               add_not_in(ctx, m, prefix | (UINT32_C(1) << (bit - 1)), bad, n, bit - 1);
}

/* libseccomp compares an argument's low half under a mask per rule, reloading the word each
 * time: one region of loads, ANDs and JEQs, which becomes a tree over the commands where the
 * answer changes. Checked on every command near the bad ones and on random ones, with the
 * high half clear, set to 1 and to all ones (which the kernel drops). */
static void test_compact_masked(void) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        TAP_CHECK(ctx, "compact masked: filter context");
        if (!ctx)
                return;
        (void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        (void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        static const uint32_t bad[] = {TIOCSTI, TIOCLINUX};
        unsigned rules = add_not_in(ctx, 0, 0, bad, ELEMENTSOF(bad), 32);
        rules += seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_read, 0) == 0;
        size_t n = 0, m = 0;
        struct sock_filter *raw = export_raw(ctx, &n), *small = NULL;
        seccomp_release(ctx);
        TAP_CHECK(raw && rules > 30, "compact masked: libseccomp program of %zu instructions (%u rules)", n,
                  rules);
        if (!raw)
                return;
        int r = bpf_compact(raw, n, &small, &m);
        TAP_CHECK(r == 0 && small && m + 60 < n, "compact masked: %zu instructions instead of %zu", m, n);
        unsigned checked = 0, bad_answers = 0, denied = 0;
        static const uint64_t highs[] = {0, UINT64_C(1) << 32, UINT64_C(0xffffffff) << 32};
        srand(11);
        for (uint32_t i = 0; small && i < 0x600 + 20000; i++) {
                uint32_t cmd = i < 0x600 ? 0x5100 + i : (uint32_t) rand() * 2654435761u;
                for (size_t h = 0; h < ELEMENTSOF(highs); h++) {
                        struct seccomp_data d = {.nr = SYS_ioctl, .arch = AUDIT_ARCH_X86_64};
                        d.args[1] = highs[h] | cmd;
                        uint32_t x = run_insns(raw, n, &d), y = run_insns(small, m, &d);
                        bad_answers += x != y;
                        denied += (y & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW;
                        checked++;
                }
        }
        TAP_CHECK(bad_answers == 0, "compact masked: the same answer for all %u commands (%u differ)",
                  checked, bad_answers);
        TAP_CHECK(denied == 2 * ELEMENTSOF(highs),
                  "compact masked: TIOCSTI and TIOCLINUX alone refused, high "
                  "half or not (%u)",
                  denied);
        free(raw);
        free(small);
}

static void test_compact(void) {
        /* libseccomp filters of the shapes hutch builds: an allow list with errno default, an
         * argument rule (masked ioctl command), an ENOSYS, and a second architecture. */
        for (int variant = 0; variant < 4; variant++) {
                scmp_filter_ctx ctx =
                        seccomp_init(variant == 2 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(EPERM));
                TAP_CHECK(ctx, "compact %d: filter context", variant);
                if (!ctx)
                        continue;
                (void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
                (void) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
                if (variant == 1)
                        (void) seccomp_arch_add(ctx, SCMP_ARCH_X86);
                srand(7 + variant);
                unsigned rules = 0, lcg = 7;
                for (int nr = 0; nr < 450; nr++) {
                        /* variant 3 the same under every libc, which rand() is not */
                        lcg = lcg * 1103515245u + 12345u;
                        if (nr == SYS_ioctl || nr == SYS_clone3 || (variant == 3 && nr == SYS_socket) ||
                            (variant == 3 ? (lcg >> 16) % 3 == 0 : rand() % 3 == 0))
                                continue;
                        rules += seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0;
                }
                rules += seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SYS_clone3, 0) == 0;
                rules += seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_ioctl, 1,
                                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffff, FIONREAD)) == 0;
                rules += seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_ioctl, 1,
                                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffff, TCGETS)) == 0;
                /* 3: a long argument block in the middle (socket(), every family below 64 but
                 * two), which puts the blocks after it out of an 8-bit jump's reach from the
                 * dispatch tree: the tree reaches them through JAs of its own, and the dispatch
                 * shrinks as in the other variants (without the JAs: 401 of 458 instructions) */
                for (uint32_t family = 0; variant == 3 && family < 64; family++)
                        if (family != 16 && family != 40)
                                rules += seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SYS_socket, 1,
                                                          SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffff, family)) ==
                                         0;
                size_t n = 0, m = 0;
                struct sock_filter *raw = export_raw(ctx, &n), *small = NULL;
                seccomp_release(ctx);
                TAP_CHECK(raw && rules > 200,
                          "compact %d: libseccomp program of %zu instructions (%u rules)", variant, n,
                          rules);
                if (!raw)
                        continue;
                int r = bpf_compact(raw, n, &small, &m);
                TAP_CHECK(r == 0 && small, "compact %d: compacted", variant);
                TAP_CHECK(m < n && (variant != 3 || m + 150 < n),
                          "compact %d: %zu instructions instead of %zu", variant, m, n);
                unsigned checked = 0, bad = small ? compare_programs(raw, n, small, m, &checked) : 1;
                TAP_CHECK(bad == 0, "compact %d: the same answer for all %u inputs (%u differ)", variant,
                          checked, bad);
                free(raw);
                free(small);
        }

        test_compact_masked();

        /* A decision region that another instruction jumps into is left as it is: here the JA
         * at 1 lands on the fourth comparison. */
        struct sock_filter entered[32];
        size_t k = 0;
        entered[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
        entered[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 999, 0, 1);
        entered[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4);
        for (int i = 0; i < 12; i++)
                entered[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10 + i, 12 - i, 0);
        entered[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
        entered[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        entered[1].jf = 3; /* into the middle of the region after the load at 2 */
        struct sock_filter *out = NULL;
        size_t m = 0;
        int r = bpf_compact(entered, k, &out, &m);
        TAP_CHECK(r == 0 && m == k && memcmp(out, entered, k * sizeof *out) == 0,
                  "compact: a region entered from outside is kept (%zu of %zu)", m, k);
        free(out);

        /* Twelve comparisons with one outcome for each value: a tree of 2 nodes replaces them. */
        k = 0;
        struct sock_filter chain[32];
        chain[k++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
        for (int i = 0; i < 12; i++) /* 10..21 allowed */
                chain[k++] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 10 + i, 12 - i, 0);
        chain[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
        chain[k++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
        out = NULL;
        r = bpf_compact(chain, k, &out, &m);
        TAP_CHECK(r == 0 && m == 5, "compact: a run of JEQ becomes a range (%zu)", m);
        unsigned checked = 0;
        TAP_CHECK(out && compare_programs(chain, k, out, m, &checked) == 0,
                  "compact: the range answers the same");
        free(out);
}

int main(void) {
        char dir[] = "/tmp/hutch-test-seccomp.XXXXXX";
        TAP_CHECK(mkdtemp(dir), "temp cache dir");
        seccomp_cache_set_directories(NULL, NULL);

        _cleanup_unit_ struct hutch_unit *u = model_unit_new("t");
        struct seccomp_program *p = build(u);
        check_defaults(p, ERR(EPERM), "defaults");
        printf("# the default program: %u instructions\n", p ? seccomp_program_size(p) : 0);
        TAP_CHECK(p && !seccomp_program_from_cache(p), "no cache: built");
        seccomp_program_free(p);

        /* SystemCallErrorNumber=kill, and another errno. */
        u->security.syscall_error_number = SYSCALL_ERRNO_KILL;
        p = build(u);
        check_defaults(p, KILL, "kill");
        seccomp_program_free(p);
        u->security.syscall_error_number = EACCES;
        p = build(u);
        check_defaults(p, ERR(EACCES), "EACCES");
        seccomp_program_free(p);
        u->security.syscall_error_number = EPERM;

        /* MemoryDenyWriteExecute=yes */
        u->security.memory_deny_write_execute = true;
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, 0) == ERR(EPERM) &&
                          X64(p, SYS_mmap, 0, 4096, PROT_READ | PROT_EXEC, 0) == ALLOW &&
                          X64(p, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, 0) == ALLOW &&
                          X64(p, SYS_mprotect, 0, 4096, PROT_READ | PROT_EXEC, 0) == ERR(EPERM) &&
                          X64(p, SYS_mprotect, 0, 4096, PROT_READ, 0) == ALLOW &&
                          X64(p, SYS_shmat, 0, 0, 0100000 /* SHM_EXEC */, 0) == ERR(EPERM),
                  "MemoryDenyWriteExecute=yes (allow list)");
        seccomp_program_free(p);

        /* RestrictNamespaces=net user: those may be created, others not; clone3 still ENOSYS. */
        u->security.restrict_namespaces = CLONE_NEWNET | CLONE_NEWUSER;
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_unshare, CLONE_NEWNET | CLONE_NEWUSER, 0, 0, 0) == ALLOW &&
                          X64(p, SYS_unshare, CLONE_NEWNET | CLONE_NEWNS, 0, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_setns, 3, CLONE_NEWNET, 0, 0) == ALLOW &&
                          X64(p, SYS_setns, 3, CLONE_NEWPID, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_setns, 3, 0, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_setns, 3, (UINT64_C(1) << 32), 0, 0) == ERR(EPERM) &&
                          X64_0(p, SYS_clone3) == ERR(ENOSYS),
                  "RestrictNamespaces=net user (allow list)");
        seccomp_program_free(p);
        u->security.restrict_namespaces = NAMESPACE_FLAGS_ALL;
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_unshare, CLONE_NEWUSER, 0, 0, 0) == ALLOW &&
                          X64_0(p, SYS_clone3) == ALLOW && X64(p, SYS_setns, 3, 0, 0, 0) == ALLOW,
                  "RestrictNamespaces=no: unshare, setns and clone3 allowed");
        seccomp_program_free(p);
        u->security.restrict_namespaces = 0;

        /* ProtectHostname=: sethostname and setdomainname refused even where the list allows
         * them (@privileged), allowed with no. */
        set_filter(u, "@system-service", "@privileged", NULL);
        p = build(u);
        TAP_CHECK(p && X64_0(p, SYS_sethostname) == ERR(EPERM) &&
                          X64_0(p, SYS_setdomainname) == ERR(EPERM) && X64_0(p, SYS_chroot) == ALLOW,
                  "ProtectHostname=yes: refused whatever the list");
        seccomp_program_free(p);
        u->sandbox.protect_hostname = false;
        p = build(u);
        TAP_CHECK(p && X64_0(p, SYS_sethostname) == ALLOW && X64_0(p, SYS_setdomainname) == ALLOW,
                  "ProtectHostname=no: as the list says");
        seccomp_program_free(p);
        u->sandbox.protect_hostname = true;
        for (size_t i = 0; i < u->security.n_syscall_filter; i++)
                free(u->security.syscall_filter[i].name);
        u->security.n_syscall_filter = 0;
        u->security.syscall_filter_set = false;

        /* Everything off: only the list, the arch and TIOCSTI remain. */
        u->security.lock_personality = u->security.restrict_realtime = u->security.restrict_suid_sgid =
                false;
        u->security.protect_clock = u->security.protect_kernel_logs = u->security.protect_kernel_modules =
                false;
        u->sandbox.private_devices = false;
        set_filter(u, "@system-service", "@clock", "syslog", NULL);
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_personality, READ_IMPLIES_EXEC, 0, 0, 0) == ALLOW &&
                          X64(p, SYS_sched_setscheduler, 0, SCHED_FIFO, 0, 0) == ALLOW &&
                          X64(p, SYS_chmod, 0, 04755, 0, 0) == ALLOW &&
                          X64_0(p, SYS_clock_settime) == ALLOW && X64_0(p, SYS_syslog) == ALLOW &&
                          X64(p, SYS_ioctl, 0, TIOCSTI, 0, 0) == ERR(EPERM) &&
                          X64_0(p, SYS_init_module) == ERR(EPERM),
                  "settings off: allowed when listed; TIOCSTI still denied");
        seccomp_program_free(p);
        model_unit_free(u);

        /* A deny list: "SystemCallFilter=" then "SystemCallFilter=~@mount ~@keyring". */
        u = model_unit_new("t");
        set_filter(u, NULL);
        set_filter(u, "~@mount", "~@keyring", NULL);
        u->security.memory_deny_write_execute = true;
        p = build(u);
        TAP_CHECK(p && X64_0(p, SYS_mount) == ERR(EPERM) && X64_0(p, SYS_keyctl) == ERR(EPERM) &&
                          X64_0(p, SYS_ptrace) == ALLOW && X64_0(p, SYS_io_uring_setup) == ALLOW,
                  "deny list: listed denied, the rest allowed");
        TAP_CHECK(p && X64(p, SYS_personality, PER_LINUX, 0, 0, 0) == ALLOW &&
                          X64(p, SYS_personality, 0xffffffff, 0, 0, 0) == ALLOW &&
                          X64(p, SYS_personality, READ_IMPLIES_EXEC, 0, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_personality, 0x80000000 | READ_IMPLIES_EXEC, 0, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_personality, 0xfffffffe, 0, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_personality, UINT64_C(1) << 32, 0, 0, 0) == ALLOW,
                  "deny list: LockPersonality on the low 32 bits");
        TAP_CHECK(p && X64(p, SYS_unshare, CLONE_NEWUSER, 0, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_unshare, CLONE_FILES, 0, 0, 0) == ALLOW &&
                          X64_0(p, SYS_clone3) == ERR(ENOSYS) && X64(p, SYS_setns, 3, 0, 0, 0) == ERR(EPERM),
                  "deny list: RestrictNamespaces");
        TAP_CHECK(p && X64(p, SYS_ioctl, 0, TIOCSTI | (UINT64_C(1) << 32), 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_ioctl, 0, TCGETS, 0, 0) == ALLOW,
                  "deny list: TIOCSTI with bit 32");
        TAP_CHECK(p && X64(p, SYS_chmod, 0, 04755, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_chmod, 0, 0755, 0, 0) == ALLOW &&
                          X64(p, SYS_open, 0, O_CREAT, 02755, 0) == ERR(EPERM) &&
                          X64(p, SYS_open, 0, O_RDONLY, 02755, 0) == ALLOW &&
                          X64(p, SYS_mmap, 0, 0, PROT_WRITE | PROT_EXEC, 0) == ERR(EPERM) &&
                          X64(p, SYS_mmap, 0, 0, PROT_READ | PROT_EXEC, 0) == ALLOW &&
                          X64(p, SYS_sched_setscheduler, 0, SCHED_FIFO, 0, 0) == ERR(EPERM) &&
                          X64(p, SYS_sched_setscheduler, 0, SCHED_OTHER, 0, 0) == ALLOW &&
                          X64_0(p, SYS_clock_settime) == ERR(EPERM) && X64_0(p, SYS_syslog) == ERR(EPERM),
                  "deny list: SUID/SGID, W^X, realtime, clock, logs");
        TAP_CHECK(p && call(p, AUDIT_ARCH_I386, 20, 0, 0, 0, 0) == ERR(EPERM) &&
                          X64_0(p, 0x40000000 | SYS_getpid) == ERR(EPERM),
                  "deny list: i386 and x32 still rejected");
        seccomp_program_free(p);
        model_unit_free(u);

        /* RestrictAddressFamilies=: socket() by family, EAFNOSUPPORT for the others, compared on
         * the low 32 bits; PrivateNetwork= adds AF_VSOCK and netlink's uevent protocol. */
        u = model_unit_new("t");
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_INET, SOCK_DGRAM, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_INET6, SOCK_STREAM, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_UNIX | (UINT64_C(1) << 32), SOCK_STREAM, 0, 0) == ALLOW,
                  "default families: AF_UNIX, AF_INET, AF_INET6, AF_NETLINK allowed");
        TAP_CHECK(p && X64(p, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_ALG, SOCK_SEQPACKET, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_VSOCK, SOCK_STREAM, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, 0 /* AF_UNSPEC */, SOCK_STREAM, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_PACKET | (UINT64_C(1) << 32), SOCK_RAW, 0, 0) ==
                                  ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT, 0) ==
                                  ERR(EPROTONOSUPPORT),
                  "default families: the others EAFNOSUPPORT (bit 32 too); uevent EPROTONOSUPPORT");
        seccomp_program_free(p);
        u->security.address_families = 0; /* "none" */
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_INET, SOCK_STREAM, 0, 0) == ERR(EAFNOSUPPORT),
                  "RestrictAddressFamilies=none: every socket() EAFNOSUPPORT");
        seccomp_program_free(p);
        u->security.address_families_allow = false; /* "~AF_PACKET", host network */
        u->security.address_families = UINT64_C(1) << AF_PACKET;
        u->sandbox.private_network = false;
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_INET, SOCK_STREAM, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_VSOCK, SOCK_STREAM, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT, 0) == ALLOW,
                  "~AF_PACKET, PrivateNetwork=no: only AF_PACKET refused");
        seccomp_program_free(p);
        u->sandbox.private_network = true;
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_ALG, SOCK_SEQPACKET, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_VSOCK, SOCK_STREAM, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT, 0) ==
                                  ERR(EPROTONOSUPPORT),
                  "~AF_PACKET with PrivateNetwork=yes: AF_VSOCK and uevent refused too");
        seccomp_program_free(p);
        set_filter(u, NULL);
        set_filter(u, "~@mount", NULL);
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_ALG, SOCK_SEQPACKET, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT, 0) ==
                                  ERR(EPROTONOSUPPORT),
                  "~AF_PACKET in a deny-list filter: the same");
        seccomp_program_free(p);
        u->security.address_families_allow = true;
        u->security.address_families = ADDRESS_FAMILIES_DEFAULT;
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_INET6, SOCK_DGRAM, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_VSOCK, SOCK_STREAM, 0, 0) == ERR(EAFNOSUPPORT) &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT, 0) ==
                                  ERR(EPROTONOSUPPORT),
                  "default families in a deny-list filter: the same as in the allow list");
        seccomp_program_free(p);
        u->security.address_families_allow = false; /* "RestrictAddressFamilies=": no restriction */
        u->security.address_families = 0;
        u->sandbox.private_network = false;
        p = build(u);
        TAP_CHECK(p && X64(p, SYS_socket, AF_PACKET, SOCK_RAW, 0, 0) == ALLOW &&
                          X64(p, SYS_socket, AF_VSOCK, SOCK_STREAM, 0, 0) == ALLOW,
                  "no restriction, host network: every family");
        seccomp_program_free(p);
        model_unit_free(u);

        /* "SystemCallFilter=" alone: no list; the settings remain. */
        u = model_unit_new("t");
        set_filter(u, NULL);
        p = build(u);
        TAP_CHECK(p && X64_0(p, SYS_mount) == ALLOW && X64_0(p, SYS_syslog) == ERR(EPERM) &&
                          X64(p, SYS_unshare, CLONE_NEWNS, 0, 0, 0) == ERR(EPERM),
                  "empty SystemCallFilter=: no list, settings still apply");
        seccomp_program_free(p);
        model_unit_free(u);

        /* Architectures. */
        u = model_unit_new("t");
        set_arches(u, NULL);
        p = build(u);
        TAP_CHECK(p && call(p, AUDIT_ARCH_I386, 20, 0, 0, 0, 0) == ALLOW &&
                          call(p, AUDIT_ARCH_I386, 21 /* mount */, 0, 0, 0, 0) == ERR(EPERM) &&
                          X64_0(p, 0x40000000 | SYS_getpid) == ALLOW &&
                          X64_0(p, 0x40000000 | SYS_mount) == ERR(EPERM),
                  "SystemCallArchitectures= empty: i386 and x32 filtered by the same list");
        seccomp_program_free(p);
        set_arches(u, (const char *const[]){"native", "x86", NULL});
        p = build(u);
        TAP_CHECK(p && call(p, AUDIT_ARCH_I386, 20, 0, 0, 0, 0) == ALLOW &&
                          X64_0(p, 0x40000000 | SYS_getpid) == ERR(EPERM),
                  "SystemCallArchitectures=native x86: i386 allowed, x32 not");
        seccomp_program_free(p);
        set_arches(u, (const char *const[]){"vax", NULL});
        TAP_CHECK(!build(u), "unknown architecture refused");
        set_arches(u, (const char *const[]){"native", NULL});
        set_filter(u, "@system-service", "no_such_call", NULL);
        TAP_CHECK(!build(u), "unknown syscall name refused");
        model_unit_free(u);
        u = model_unit_new("t");
        set_filter(u, "@no-such-group", NULL);
        TAP_CHECK(!build(u), "unknown group refused");
        model_unit_free(u);

        /* The cache. */
        u = model_unit_new("t");
        seccomp_cache_set_directories(dir, NULL);
        struct seccomp_program *a = build(u), *b = build(u);
        TAP_CHECK(a && b && !seccomp_program_from_cache(a) && seccomp_program_from_cache(b),
                  "cache: second build is loaded");
        TAP_CHECK(a && b && seccomp_program_size(a) == seccomp_program_size(b) &&
                          memcmp(seccomp_program_insns(a), seccomp_program_insns(b),
                                 seccomp_program_size(a) * sizeof(struct sock_filter)) == 0,
                  "cache: loaded filter identical");
        seccomp_program_free(b);
        u->security.protect_clock = false;
        b = build(u);
        TAP_CHECK(b && !seccomp_program_from_cache(b), "cache: a changed setting builds a new filter");
        seccomp_program_free(b);
        u->security.protect_clock = true;

        /* Corrupt the file: a flipped bit in the BPF is detected, the filter rebuilt. */
        char path[512] = "";
        {
                char cmd[600];
                snprintf(cmd, sizeof cmd, "ls -t %s/*.bpf | tail -1", dir);
                FILE *f = popen(cmd, "r");
                if (f && fgets(path, sizeof path, f))
                        path[strcspn(path, "\n")] = '\0';
                if (f)
                        pclose(f);
        }
        int fd = open(path, O_RDWR | O_CLOEXEC);
        TAP_CHECK(fd >= 0, "cache file exists (%s)", path);
        struct stat st = {};
        fstat(fd, &st);
        TAP_CHECK((st.st_mode & 0777) == 0600, "cache file mode 0600");
        unsigned char byte;
        pread(fd, &byte, 1, st.st_size - 3);
        byte ^= 0x10;
        pwrite(fd, &byte, 1, st.st_size - 3);
        close(fd);
        b = build(u);
        TAP_CHECK(b && !seccomp_program_from_cache(b) &&
                          memcmp(seccomp_program_insns(a), seccomp_program_insns(b),
                                 seccomp_program_size(a) * sizeof(struct sock_filter)) == 0,
                  "cache: corrupt file rebuilt, not loaded");
        seccomp_program_free(b);
        chmod(path, 0644);
        b = build(u);
        TAP_CHECK(b && !seccomp_program_from_cache(b), "cache: a file readable by others is not trusted");
        seccomp_program_free(b);
        chmod(dir, 0777);
        b = build(u);
        TAP_CHECK(b && !seccomp_program_from_cache(b), "cache: a directory writable by others is not used");
        seccomp_program_free(b);
        chmod(dir, 0700);

        /* Two directories: stored in the first that takes it, found in either; the persistent
         * one's files unused for 30 days go when it takes a new one, a used one is renewed. */
        {
                char first[600], second[600], cmd[1400];
                snprintf(first, sizeof first, "%s/persistent/seccomp", dir);
                snprintf(second, sizeof second, "%s/volatile", dir);
                /* first's parent does not exist yet: it is made (one level), then used */
                snprintf(cmd, sizeof cmd, "mkdir -p %s/persistent && rm -f %s/*.bpf", dir, dir);
                TAP_CHECK(system(cmd) == 0, "cache dirs prepared");
                seccomp_cache_set_directories(first, second);
                seccomp_program_free(build(u));
                snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) = 1 && test ! -e %s", first, second);
                TAP_CHECK(system(cmd) == 0, "two dirs: stored in the first");
                b = build(u);
                TAP_CHECK(b && seccomp_program_from_cache(b), "two dirs: loaded from the first");
                seccomp_program_free(b);
                /* an old file of another unit (named outside the hex digits of real names, so the globs
                 * below never take the unit's own for it), and the unit's own file 8 days old */
                snprintf(cmd, sizeof cmd,
                         "touch -d '40 days ago' %s/unused-for-40-days.bpf && "
                         "touch -d '8 days ago' %s/[0-9a-f]*.bpf",
                         first, first);
                TAP_CHECK(system(cmd) == 0, "aged files");
                b = build(u);
                TAP_CHECK(b && seccomp_program_from_cache(b), "two dirs: still loaded");
                seccomp_program_free(b);
                snprintf(cmd, sizeof cmd, "test -z \"$(find %s -name '[0-9a-f]*.bpf' -mtime +1)\"", first);
                TAP_CHECK(system(cmd) == 0, "a file loaded after a week gets its time renewed");
                u->security.protect_clock = false; /* a new filter: stored, and the old file pruned */
                seccomp_program_free(build(u));
                u->security.protect_clock = true;
                snprintf(cmd, sizeof cmd, "test ! -e %s/unused-for-40-days.bpf && test $(ls %s | wc -l) = 2",
                         first, first);
                TAP_CHECK(system(cmd) == 0, "storing prunes a file unused for 40 days, keeps the used ones");
                /* the first unusable (not the caller's to trust): the second takes it */
                chmod(first, 0777);
                u->security.restrict_realtime = false;
                seccomp_program_free(build(u));
                b = build(u);
                TAP_CHECK(b && seccomp_program_from_cache(b),
                          "first unusable: stored in and loaded from the second");
                seccomp_program_free(b);
                u->security.restrict_realtime = true;
                chmod(first, 0700);
                snprintf(cmd, sizeof cmd, "test $(ls %s | wc -l) = 1", second);
                TAP_CHECK(system(cmd) == 0, "the second holds that one file");
                snprintf(cmd, sizeof cmd, "rm -rf %s/persistent %s", dir, second);
                TAP_CHECK(system(cmd) == 0, "cache dirs removed");
                seccomp_cache_set_directories(dir, NULL);
        }

        /* Timing (reported, not asserted): build with libseccomp vs load from the cache. */
        enum { N = 15 };
        double t_build[N], t_load[N];
        seccomp_cache_set_directories(NULL, NULL);
        for (int i = 0; i < N; i++) {
                double t0 = now_ms();
                b = build(u);
                t_build[i] = now_ms() - t0;
                seccomp_program_free(b);
        }
        seccomp_cache_set_directories(dir, NULL);
        seccomp_program_free(build(u));
        for (int i = 0; i < N; i++) {
                double t0 = now_ms();
                b = build(u);
                t_load[i] = now_ms() - t0;
                TAP_CHECK(b && seccomp_program_from_cache(b), "timing run %d loaded from cache", i);
                seccomp_program_free(b);
        }
        qsort(t_build, N, sizeof(double), cmp_double);
        qsort(t_load, N, sizeof(double), cmp_double);
        printf("# default filter: %u instructions; build median %.3f ms (min %.3f), cached load median %.3f "
               "ms "
               "(min %.3f)\n",
               seccomp_program_size(a), t_build[N / 2], t_build[0], t_load[N / 2], t_load[0]);
        seccomp_program_free(a);

        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf -- '%s'", dir);
        TAP_CHECK(system(cmd) == 0, "temp cache dir removed");
        test_compact();
        return tap_done();
}
