/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's seccomp filter: built with libseccomp in the parent, exported to classic BPF,
 * cached per set of inputs under /var/cache/hutch/seccomp (or /run/hutch/seccomp), and installed by the
 * sandbox child as its last step before execve.
 *
 * One filter carries everything. libseccomp keeps only the first unconditional rule for a
 * syscall and cannot compare one argument twice in a rule, so each restriction is written in
 * the polarity of the filter: with an allow list (default action: the error) a restricted
 * syscall gets allow rules for the argument values that are fine; with a deny list (default
 * action: allow) it gets error rules for the values that are not. A condition of the form
 * "the low 32 bits are none of these values" is spelled as a set of masked compares, see
 * add_lo32_not_in(). */

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hutch/log.h"
#include "hutch/strv.h"
#include "hutch/syscalls.h"
#include "sandbox/seccomp-compact.h"
#include "seccomp-sources-hash.h"
#include "sandbox/security.h"

#ifndef __O_TMPFILE
#define __O_TMPFILE 020000000
#endif
#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct seccomp_program {
        struct sock_filter *insns;
        unsigned short n_insns;
        bool from_cache;
};

/* ---- building ---- */

struct builder {
        scmp_filter_ctx ctx;
        bool allow_list;
        uint32_t act_deny; /* SystemCallErrorNumber=: ERRNO(n) or KILL_PROCESS */
        uint32_t arches[4];
        size_t n_arches;
        bool private_network; /* PrivateNetwork=: no AF_VSOCK or uevent socket */
        bool af_allow;        /* RestrictAddressFamilies=, AF_VSOCK taken out with PrivateNetwork= */
        uint64_t af_set;
        char **listed; /* SystemCallFilter= expanded to syscall names, sorted */
        size_t n_listed;
};

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static bool is_listed(const struct builder *b, const char *name) {
        return b->n_listed && bsearch(&name, b->listed, b->n_listed, sizeof(char *), cmp_str);
}

/* Adds a rule for `name`; a name absent on every architecture of the filter is skipped, so
 * one table serves all architectures. A rule whose action is the default (-EACCES) or that an
 * earlier unconditional rule already decides (-EEXIST) adds nothing and is fine. */
static int rule(struct builder *b, uint32_t action, const char *name, unsigned n,
                const struct scmp_arg_cmp *cmp) {
        int nr = seccomp_syscall_resolve_name(name);
        bool present = false;
        for (size_t i = 0; i < b->n_arches && !present; i++)
                present = syscall_resolve_arch(name, b->arches[i]) >= 0;
        if (!present)
                return 0;
        if (nr == __NR_SCMP_ERROR) {
                /* Newer than libseccomp: it can add the number only to a filter for the native
                 * architecture alone (it cannot translate it for the others). */
                if (b->n_arches != 1 || b->arches[0] != seccomp_arch_native())
                        return 0;
                nr = syscall_resolve_arch(name, seccomp_arch_native());
        }
        if (nr == __NR_SCMP_ERROR || nr == -ENOSYS)
                return 0;
        int r = seccomp_rule_add_array(b->ctx, action, nr, n, cmp);
        if (r == -EACCES || r == -EEXIST)
                return 0;
        if (r < 0)
                return log_error_errno(r, "seccomp: cannot add a rule for %s: %m", name);
        return 0;
}

static int rule0(struct builder *b, uint32_t action, const char *name) {
        return rule(b, action, name, 0, NULL);
}

static int rule1(struct builder *b, uint32_t action, const char *name, unsigned arg, uint64_t mask,
                 uint64_t value) {
        struct scmp_arg_cmp c = SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, value);
        return rule(b, action, name, 1, &c);
}

/* Rules with `action` whose union matches exactly when the low 32 bits of argument `arg` are
 * none of `values`. The upper 32 bits are never looked at: the kernel truncates int and
 * unsigned int arguments, so a compare that includes them is bypassed by setting bit 32.
 * Splits on one bit at a time, highest first (ioctl numbers share their high bits, so the
 * values part late): a branch that no value shares becomes one masked compare, so the rule
 * count stays below 32 per value. `bit` counts down from 32; 0 means every bit is fixed. */
static int add_lo32_not_in(struct builder *b, uint32_t action, const char *name, unsigned arg, uint32_t mask,
                           uint32_t prefix, const uint32_t *values, size_t n_values, unsigned bit,
                           const struct scmp_arg_cmp *also) {
        size_t matching = 0;
        for (size_t i = 0; i < n_values; i++)
                if ((values[i] & mask) == prefix)
                        matching++;
        if (matching == 0) {
                struct scmp_arg_cmp c[2] = {SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, mask, prefix)};
                if (also)
                        c[1] = *also;
                return rule(b, action, name, also ? 2 : 1, c);
        }
        if (bit == 0)
                return 0; /* exactly one of the values: not matched */
        uint32_t m = mask | (UINT32_C(1) << (bit - 1));
        int r = add_lo32_not_in(b, action, name, arg, m, prefix, values, n_values, bit - 1, also);
        if (r < 0)
                return r;
        return add_lo32_not_in(b, action, name, arg, m, prefix | (UINT32_C(1) << (bit - 1)), values,
                               n_values, bit - 1, also);
}

/* "Only these values of the low 32 bits" in the filter's polarity. */
static int rules_lo32_only(struct builder *b, const char *name, unsigned arg, const uint32_t *ok, size_t n) {
        if (b->allow_list) {
                for (size_t i = 0; i < n; i++) {
                        int r = rule1(b, SCMP_ACT_ALLOW, name, arg, 0xffffffff, ok[i]);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        return add_lo32_not_in(b, b->act_deny, name, arg, 0, 0, ok, n, 32, NULL);
}

/* "Never these values of the low 32 bits" in the filter's polarity. */
static int rules_lo32_never(struct builder *b, const char *name, unsigned arg, const uint32_t *bad,
                            size_t n) {
        if (b->allow_list)
                return add_lo32_not_in(b, SCMP_ACT_ALLOW, name, arg, 0, 0, bad, n, 32, NULL);
        for (size_t i = 0; i < n; i++) {
                int r = rule1(b, b->act_deny, name, arg, 0xffffffff, bad[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* "None of the bits in `bits` set" in the filter's polarity. */
static int rules_bits_clear(struct builder *b, const char *name, unsigned arg, uint64_t bits) {
        if (b->allow_list)
                return rule1(b, SCMP_ACT_ALLOW, name, arg, bits, 0);
        for (unsigned i = 0; i < 64; i++)
                if (bits & (UINT64_C(1) << i)) {
                        int r = rule1(b, b->act_deny, name, arg, UINT64_C(1) << i, UINT64_C(1) << i);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* "Not all of `bits` set together" (W^X) in the filter's polarity. */
static int rules_not_all(struct builder *b, const char *name, unsigned arg, uint64_t bits) {
        if (!b->allow_list)
                return rule1(b, b->act_deny, name, arg, bits, bits);
        for (unsigned i = 0; i < 64; i++)
                if (bits & (UINT64_C(1) << i)) {
                        int r = rule1(b, SCMP_ACT_ALLOW, name, arg, UINT64_C(1) << i, 0);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* socket(): RestrictAddressFamilies=, and what PrivateNetwork= adds for the sockets a network
 * namespace does not cover. A family not allowed fails with EAFNOSUPPORT (systemd's answer, and
 * the one programs test for before falling back to another family). PrivateNetwork=: AF_VSOCK's
 * ports are the host's and its peer is the hypervisor, so it is never allowed;
 * NETLINK_KOBJECT_UEVENT sockets get the host's device events (the kernel broadcasts them to
 * every network namespace of the initial user namespace): EPROTONOSUPPORT, the kernel's answer
 * for a netlink protocol it lacks; the other netlink protocols (route, audit, ...) are per
 * namespace and stay. Compares are on the low 32 bits (int arguments), and only the low 6 bits
 * of the family and 5 of the netlink protocol are split on: the kernel knows no family from
 * AF_MAX (46) on and no netlink protocol from MAX_LINKS (32) on, so a socket() beyond them gets
 * the filter's errno rather than the kernel's; splitting all 32 bits tripled the program, and
 * its JIT at attach cost ~0.1 ms more per start. 32-bit x86's socketcall() carries the
 * arguments in memory; SystemCallArchitectures=native keeps it out. */
static int rules_socket(struct builder *b, const char *name) {
        uint32_t fam[64];
        size_t n = 0;
        for (uint32_t af = 0; af < 64; af++)
                if (b->af_set & (UINT64_C(1) << af))
                        fam[n++] = af;
        bool netlink_ok = b->af_allow == !!(b->af_set & (UINT64_C(1) << AF_NETLINK));
        bool uevent = b->private_network && netlink_ok;
        const struct scmp_arg_cmp netlink = SCMP_CMP(0, SCMP_CMP_MASKED_EQ, 0xffffffff, AF_NETLINK);
        const struct scmp_arg_cmp uevent_cmp[2] = {
                netlink, SCMP_CMP(2, SCMP_CMP_MASKED_EQ, 0xffffffff, NETLINK_KOBJECT_UEVENT)};
        static const uint32_t uevent_proto[] = {NETLINK_KOBJECT_UEVENT};
        int r = 0;

        if (b->af_allow) {
                /* The families allowed, netlink apart when its uevent protocol is not; every
                 * other family below 64 fails with EAFNOSUPPORT. */
                for (size_t i = 0; i < n && r >= 0 && b->allow_list; i++)
                        if (!(uevent && fam[i] == AF_NETLINK))
                                r = rule1(b, SCMP_ACT_ALLOW, name, 0, 0xffffffff, fam[i]);
                if (r >= 0)
                        r = add_lo32_not_in(b, SCMP_ACT_ERRNO(EAFNOSUPPORT), name, 0, ~UINT32_C(63), 0, fam,
                                            n, 6, NULL);
        } else {
                /* Every family but the denied ones (and netlink, when it is taken apart) is
                 * allowed; each denied one fails with EAFNOSUPPORT. */
                if (b->allow_list) {
                        uint32_t except[65];
                        memcpy(except, fam, n * sizeof *fam);
                        size_t m = n;
                        if (uevent)
                                except[m++] = AF_NETLINK;
                        r = add_lo32_not_in(b, SCMP_ACT_ALLOW, name, 0, ~UINT32_C(63), 0, except, m, 6,
                                            NULL);
                }
                for (size_t i = 0; i < n && r >= 0; i++)
                        r = rule1(b, SCMP_ACT_ERRNO(EAFNOSUPPORT), name, 0, 0xffffffff, fam[i]);
        }
        if (uevent) {
                if (r >= 0 && b->allow_list)
                        r = add_lo32_not_in(b, SCMP_ACT_ALLOW, name, 2, ~UINT32_C(31), 0, uevent_proto, 1, 5,
                                            &netlink);
                if (r >= 0)
                        r = rule(b, SCMP_ACT_ERRNO(EPROTONOSUPPORT), name, ELEMENTSOF(uevent_cmp),
                                 uevent_cmp);
        }
        return r;
}

/* open/openat: creating a file (O_CREAT, O_TMPFILE) with a set-id mode. */
static int rules_open_mode(struct builder *b, const char *name, unsigned flags_arg, unsigned mode_arg) {
        if (b->allow_list) {
                int r = rule1(b, SCMP_ACT_ALLOW, name, flags_arg, O_CREAT | __O_TMPFILE, 0);
                if (r < 0)
                        return r;
                return rule1(b, SCMP_ACT_ALLOW, name, mode_arg, S_ISUID | S_ISGID, 0);
        }
        static const uint64_t create[] = {O_CREAT, __O_TMPFILE}, setid[] = {S_ISUID, S_ISGID};
        for (size_t i = 0; i < ELEMENTSOF(create); i++)
                for (size_t j = 0; j < ELEMENTSOF(setid); j++) {
                        struct scmp_arg_cmp c[2] = {
                                SCMP_CMP(flags_arg, SCMP_CMP_MASKED_EQ, create[i], create[i]),
                                SCMP_CMP(mode_arg, SCMP_CMP_MASKED_EQ, setid[j], setid[j]),
                        };
                        int r = rule(b, b->act_deny, name, 2, c);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* A syscall whose arguments some setting restricts; returns 1 when it wrote the rules for
 * `name` (so an allow list must not add an unconditional allow), 0 when `name` is not
 * restricted by this unit. */
static int restrict_args(struct builder *b, const struct unit_section_security *sec, const char *name) {
        uint64_t ns_denied = NAMESPACE_FLAGS_ALL & ~(uint64_t) sec->restrict_namespaces;
        int r = 0;

        /* RestrictNamespaces=: unshare() and clone() carry the CLONE_NEW* flags in a register,
         * so they are checked bit by bit. clone()'s low byte is the exit signal, not
         * CLONE_NEWTIME (which only unshare() and clone3() accept). */
        if (ns_denied && streq(name, "unshare"))
                r = rules_bits_clear(b, name, 0, ns_denied);
        else if (ns_denied && streq(name, "clone"))
                r = rules_bits_clear(b, name, 0, ns_denied & ~(uint64_t) CLONE_NEWTIME);
        else if (ns_denied && streq(name, "setns")) {
                /* setns(fd, 0) joins whatever namespace fd is: allow only a single named type
                 * that the unit permits. */
                uint32_t ok[8];
                size_t n = 0;
                for (unsigned i = 0; i < 32; i++)
                        if (sec->restrict_namespaces & NAMESPACE_FLAGS_ALL & (1UL << i))
                                ok[n++] = UINT32_C(1) << i;
                r = rules_lo32_only(b, name, 1, ok, n);
        }
        /* LockPersonality=: only PER_LINUX, and 0xffffffff which just queries. Other execution
         * domains change the address-space layout (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE). */
        else if (sec->lock_personality && streq(name, "personality")) {
                static const uint32_t ok[] = {0 /* PER_LINUX */, 0xffffffff};
                r = rules_lo32_only(b, name, 0, ok, ELEMENTSOF(ok));
        }
        /* RestrictRealtime=: a real-time policy lets a payload starve the host's CPUs. In an
         * allow list only the known non-real-time policies pass (fail closed on new ones). */
        else if (sec->restrict_realtime && streq(name, "sched_setscheduler")) {
                if (b->allow_list) {
                        static const uint32_t ok[] = {SCHED_OTHER, SCHED_BATCH, SCHED_IDLE};
                        for (size_t i = 0; i < ELEMENTSOF(ok) && r >= 0; i++)
                                r = rule1(b, SCMP_ACT_ALLOW, name, 1, 0xffffffff & ~SCHED_RESET_ON_FORK,
                                          ok[i]);
                } else {
                        static const uint32_t bad[] = {SCHED_FIFO, SCHED_RR, SCHED_DEADLINE};
                        for (size_t i = 0; i < ELEMENTSOF(bad) && r >= 0; i++)
                                r = rule1(b, b->act_deny, name, 1, 0xffffffff & ~SCHED_RESET_ON_FORK,
                                          bad[i]);
                }
        }
        /* RestrictSUIDSGID=: no set-user/group-id bit on a file the payload creates or
         * changes; such a file outlives the sandbox in a persistent root or a bind mount.
         * mkdir() is not listed: the kernel strips those bits from a new directory's mode. */
        else if (sec->restrict_suid_sgid && (streq(name, "chmod") || streq(name, "fchmod") ||
                                             streq(name, "creat") || streq(name, "mknod")))
                r = rules_bits_clear(b, name, 1, S_ISUID | S_ISGID);
        else if (sec->restrict_suid_sgid &&
                 (streq(name, "fchmodat") || streq(name, "fchmodat2") || streq(name, "mknodat")))
                r = rules_bits_clear(b, name, 2, S_ISUID | S_ISGID);
        else if (sec->restrict_suid_sgid && streq(name, "open"))
                r = rules_open_mode(b, name, 1, 2);
        else if (sec->restrict_suid_sgid && streq(name, "openat"))
                r = rules_open_mode(b, name, 2, 3);
        /* MemoryDenyWriteExecute=: no mapping both writable and executable, and no making a
         * mapping executable later (mprotect) - code can then only come from files. */
        else if (sec->memory_deny_write_execute && (streq(name, "mmap") || streq(name, "mmap2")))
                r = rules_not_all(b, name, 2, PROT_WRITE | PROT_EXEC);
        else if (sec->memory_deny_write_execute && (streq(name, "mprotect") || streq(name, "pkey_mprotect")))
                r = rules_bits_clear(b, name, 2, PROT_EXEC);
        else if (sec->memory_deny_write_execute && streq(name, "shmat"))
                r = rules_bits_clear(b, name, 2, SHM_EXEC);
        /* Always: TIOCSTI pushes input into a terminal the payload shares (typed as the user
         * outside), TIOCLINUX can read the console's screen. The command is an unsigned int:
         * compared on the low 32 bits only, as a plain compare is bypassed with bit 32. */
        else if (streq(name, "ioctl")) {
                static const uint32_t bad[] = {TIOCSTI, TIOCLINUX};
                r = rules_lo32_never(b, name, 1, bad, ELEMENTSOF(bad));
        } else if ((b->af_allow || b->af_set != 0) && streq(name, "socket"))
                r = rules_socket(b, name);
        else
                return 0;
        return r < 0 ? r : 1;
}

/* Syscalls a setting takes away whatever the list says, with the action to take. */
struct forced {
        const char *name; /* a syscall or an @group */
        bool enosys;      /* ENOSYS (so libc falls back) rather than SystemCallErrorNumber= */
};

static size_t forced_list(const struct hutch_unit *u, struct forced *f) {
        const struct unit_section_security *sec = &u->security;
        size_t n = 0;
        /* clone3() passes its flags in memory, where seccomp cannot look: when any namespace
         * type is restricted it reports ENOSYS, and glibc falls back to clone(). */
        if ((NAMESPACE_FLAGS_ALL & ~(uint64_t) sec->restrict_namespaces) != 0)
                f[n++] = (struct forced){"clone3", true};
        /* With no namespace type allowed, setns() has nothing to join. */
        if ((sec->restrict_namespaces & NAMESPACE_FLAGS_ALL) == 0)
                f[n++] = (struct forced){"setns", false};
        /* sched_setattr() carries the policy in memory: denied outright. */
        if (sec->restrict_realtime)
                f[n++] = (struct forced){"sched_setattr", false};
        /* openat2() carries flags and mode in memory: ENOSYS, so callers use openat(). */
        if (sec->restrict_suid_sgid)
                f[n++] = (struct forced){"openat2", true};
        if (sec->protect_clock)
                f[n++] = (struct forced){"@clock", false};
        if (sec->protect_kernel_logs)
                f[n++] = (struct forced){"syslog", false};
        if (sec->protect_kernel_modules)
                f[n++] = (struct forced){"@module", false};
        /* ProtectKernelTunables=: the mount code makes /proc/sys and /sys read-only; the only
         * syscall that writes tunables is the old _sysctl(), still numbered on x86-64. */
        if (sec->protect_kernel_tunables)
                f[n++] = (struct forced){"_sysctl", false};
        /* PrivateDevices=: no device nodes, and no raw port or PCI access either (as systemd). */
        if (u->sandbox.private_devices)
                f[n++] = (struct forced){"@raw-io", false};
        /* ProtectHostname=: the names of the sandbox's UTS namespace stay what hutch set. */
        if (u->sandbox.protect_hostname) {
                f[n++] = (struct forced){"sethostname", false};
                f[n++] = (struct forced){"setdomainname", false};
        }
        return n;
}

static int collect_name(const char *name, void *userdata) {
        return strv_extend(userdata, name);
}

static int expand_into(char ***l, const char *name) {
        if (name[0] == '@') {
                int r = syscall_group_expand(name, collect_name, l);
                if (r == -ENOENT)
                        return log_error_errno(r, "SystemCallFilter=: unknown group %s", name);
                return r;
        }
        if (!syscall_name_is_known(name))
                return log_error_errno(-EINVAL, "SystemCallFilter=: unknown syscall %s", name);
        return strv_extend(l, name);
}

static int add_forced(struct builder *b, const struct forced *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_free_ char **names = NULL;
                int r = expand_into(&names, f[i].name);
                if (r < 0)
                        return r;
                uint32_t action = f[i].enosys ? SCMP_ACT_ERRNO(ENOSYS) : b->act_deny;
                STRV_FOREACH (s, names) {
                        r = rule0(b, action, *s);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int arch_from_string(const char *s, uint32_t *ret) {
        if (streq(s, "native")) {
                *ret = seccomp_arch_native();
                return 0;
        }
        uint32_t a = seccomp_arch_resolve_name(streq(s, "x86-64") ? "x86_64" : s);
        if (a == 0)
                return -EINVAL;
        *ret = a;
        return 0;
}

/* SystemCallArchitectures=: the listed ABIs, "native" by default. An empty list means no
 * restriction: every ABI this kernel runs gets the same rules. Anything else hits the
 * bad-architecture action, which is the filter's error action: a 32-bit `int 0x80` call
 * from a 64-bit process gets EPERM (or the kill). x32 shares x86-64's audit architecture;
 * libseccomp rejects numbers with the x32 bit in an x86-64 filter without x32 (as the bad
 * architecture), which the host tests prove from inside. */
static int setup_arches(struct builder *b, const struct str_list *archs) {
        uint32_t native = seccomp_arch_native();
        b->n_arches = 0;
        if (archs->n == 0) {
                b->arches[b->n_arches++] = native;
                if (native == SCMP_ARCH_X86_64) {
                        b->arches[b->n_arches++] = SCMP_ARCH_X86;
                        b->arches[b->n_arches++] = SCMP_ARCH_X32;
                } else if (native == SCMP_ARCH_AARCH64)
                        b->arches[b->n_arches++] = SCMP_ARCH_ARM;
        } else
                for (size_t i = 0; i < archs->n; i++) {
                        uint32_t a;
                        if (arch_from_string(archs->items[i], &a) < 0)
                                return log_error_errno(-EINVAL,
                                                       "SystemCallArchitectures=: unknown architecture %s",
                                                       archs->items[i]);
                        bool dup = false;
                        for (size_t j = 0; j < b->n_arches; j++)
                                dup = dup || b->arches[j] == a;
                        if (!dup && b->n_arches < ELEMENTSOF(b->arches))
                                b->arches[b->n_arches++] = a;
                }

        bool has_native = false;
        for (size_t i = 0; i < b->n_arches; i++) {
                if (b->arches[i] == native) {
                        has_native = true;
                        continue;
                }
                int r = seccomp_arch_add(b->ctx, b->arches[i]);
                if (r < 0 && r != -EEXIST)
                        return log_error_errno(r, "seccomp: cannot add architecture %s: %m",
                                               archs->items[i]);
        }
        if (!has_native) {
                int r = seccomp_arch_remove(b->ctx, native);
                if (r < 0)
                        return log_error_errno(r, "seccomp: cannot remove the native architecture: %m");
        }
        return 0;
}

static int export_bpf(scmp_filter_ctx ctx, struct seccomp_program *p) {
        _cleanup_close_ int fd = memfd_create("hutch-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "seccomp: memfd_create: %m");
        int r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return log_error_errno(r, "seccomp: cannot export the filter: %m");
        off_t size = lseek(fd, 0, SEEK_CUR);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 ||
            size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return log_error_errno(-E2BIG, "seccomp: exported filter has a bad size (%lld bytes)",
                                       (long long) size);
        _cleanup_free_ struct sock_filter *exported = malloc(size);
        if (!exported)
                return log_oom();
        if (pread(fd, exported, size, 0) != size)
                return log_error_errno(-EIO, "seccomp: cannot read the exported filter back");
        /* The kernel converts and compiles every instruction at each attach: the same filter in
         * fewer instructions makes every start cheaper (seccomp-compact.c). */
        size_t n = 0;
        r = bpf_compact(exported, size / sizeof(struct sock_filter), &p->insns, &n);
        if (r < 0)
                return log_oom();
        p->n_insns = (unsigned short) n;
        return 0;
}

static int build(const struct hutch_unit *u, bool allow, char *const *names, struct seccomp_program *p) {
        const struct unit_section_security *sec = &u->security;
        struct builder b = {
                .allow_list = allow,
                .private_network = u->sandbox.private_network,
                .af_allow = sec->address_families_allow,
                .af_set = sec->address_families,
                .act_deny = sec->syscall_error_number == SYSCALL_ERRNO_KILL
                                    ? SCMP_ACT_KILL_PROCESS
                                    : SCMP_ACT_ERRNO((uint32_t) sec->syscall_error_number),
        };
        if (b.private_network && b.af_allow)
                b.af_set &= ~(UINT64_C(1) << AF_VSOCK);
        else if (b.private_network)
                b.af_set |= UINT64_C(1) << AF_VSOCK;
        _cleanup_strv_free_ char **listed = NULL, **forced_names = NULL;
        struct forced forced[16];
        size_t n_forced = forced_list(u, forced);
        int r;

        STRV_FOREACH (n, names) {
                r = expand_into(&listed, *n);
                if (r < 0)
                        return r;
        }
        if (allow) {
                /* An allow list always has the calls every program makes (as systemd). */
                r = expand_into(&listed, "@default");
                if (r < 0)
                        return r;
        }
        b.n_listed = strv_length(listed);
        if (b.n_listed)
                qsort(listed, b.n_listed, sizeof(char *), cmp_str);
        b.listed = listed;
        for (size_t i = 0; i < n_forced; i++) {
                r = expand_into(&forced_names, forced[i].name);
                if (r < 0)
                        return r;
        }

        b.ctx = seccomp_init(allow ? b.act_deny : SCMP_ACT_ALLOW);
        if (!b.ctx)
                return log_oom();
        r = seccomp_attr_set(b.ctx, SCMP_FLTATR_ACT_BADARCH, b.act_deny);
        if (r >= 0)
                /* A binary tree of syscall numbers: fewer instructions per call, and the
                 * fastest to attach of the layouts measured here. */
                r = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r >= 0)
                /* no_new_privs is the spawner's decision (NoNewPrivileges=), not libseccomp's. */
                r = seccomp_attr_set(b.ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0) {
                log_error_errno(r, "seccomp: cannot set filter attributes: %m");
                goto out;
        }
        r = setup_arches(&b, &sec->syscall_architectures);
        if (r < 0)
                goto out;

        if (allow) {
                /* The allow list; a syscall a setting restricts gets its conditional allows
                 * instead, one a setting forbids gets none (the default action denies it). */
                for (size_t i = 0; i < b.n_listed; i++) {
                        const char *s = listed[i];
                        if (i > 0 && streq(s, listed[i - 1]))
                                continue;
                        if (strv_contains(forced_names, s))
                                continue;
                        r = restrict_args(&b, sec, s);
                        if (r == 0)
                                r = rule0(&b, SCMP_ACT_ALLOW, s);
                        if (r < 0)
                                goto out;
                }
                /* Only the ENOSYS ones differ from the default action. */
                r = add_forced(&b, forced, n_forced);
                if (r < 0)
                        goto out;
        } else {
                /* The deny list first: libseccomp keeps the first unconditional rule. */
                for (size_t i = 0; i < b.n_listed; i++) {
                        r = rule0(&b, b.act_deny, listed[i]);
                        if (r < 0)
                                goto out;
                }
                r = add_forced(&b, forced, n_forced);
                if (r < 0)
                        goto out;
                static const char *const restricted[] = {
                        "unshare", "clone",  "setns",  "personality", "sched_setscheduler", "chmod",
                        "fchmod",  "creat",  "mknod",  "fchmodat",    "fchmodat2",          "mknodat",
                        "open",    "openat", "mmap",   "mmap2",       "mprotect",           "pkey_mprotect",
                        "shmat",   "ioctl",  "socket",
                };
                for (size_t i = 0; i < ELEMENTSOF(restricted); i++) {
                        if (is_listed(&b, restricted[i]) || strv_contains(forced_names, restricted[i]))
                                continue;
                        r = restrict_args(&b, sec, restricted[i]);
                        if (r < 0)
                                goto out;
                }
        }

        r = export_bpf(b.ctx, p);
out:
        seccomp_release(b.ctx);
        return r;
}

/* ---- the cache ---- */

/* Where to look, in order, and to store in the first that takes it: /var/cache survives a
 * reboot, so the first start after one loads a filter compiled before (the key holds the
 * kernel's release and build, so a new kernel compiles anew); /run serves where /var is
 * read-only or not there. */
static const char *cache_directories[2] = {"/var/cache/hutch/seccomp", "/run/hutch/seccomp"};

void seccomp_cache_set_directories(const char *first, const char *second) {
        cache_directories[0] = first;
        cache_directories[1] = first ? second : NULL;
}

/* A file of the persistent cache unused this long is removed when another is stored (one still
 * loaded gets its time renewed once a week, so it stays). */
#define CACHE_MAX_AGE_SEC (30 * 24 * 3600)
#define CACHE_RENEW_SEC (7 * 24 * 3600)

#define CACHE_MAGIC "HUTCHBPF"
/* 2: programs are compacted (seccomp-compact.c); 3: masked argument compares too; 4: socket()
 * refuses AF_VSOCK under PrivateNetwork=; 5: and NETLINK_KOBJECT_UEVENT; 6: their allow rules
 * split the low bits only. */
#define CACHE_VERSION 6

struct cache_header {
        char magic[8];
        uint32_t version;
        uint32_t key_size;   /* bytes of the key that follows */
        uint32_t insns_size; /* bytes of BPF after the key */
        uint32_t reserved;
        uint64_t checksum; /* FNV-1a over key and BPF */
};

static uint64_t fnv1a(uint64_t h, const void *data, size_t size) {
        const unsigned char *p = data;
        for (size_t i = 0; i < size; i++) {
                h ^= p[i];
                h *= UINT64_C(0x100000001b3);
        }
        return h;
}

/* Everything the filter depends on, as text: the versions (with a hash of the group table and
 * of the compiler's sources, made at build time: seccomp-sources-hash.h), the architecture, the
 * effective list and every setting that adds rules. Stored in the cache file and compared on load, so
 * a hash collision can never hand one unit another unit's filter. */
static char *cache_key(const struct hutch_unit *u, bool allow, char *const *names) {
        const struct unit_section_security *sec = &u->security;
        const struct scmp_version *v = seccomp_version();
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        /* The kernel, not libseccomp's API level: seccomp_api_get() probes the kernel with a
         * dozen seccomp() calls (0.1-0.3 ms) at every start, and the level it finds follows
         * from the kernel build, which release and version name. */
        struct utsname un;
        if (uname(&un) < 0) {
                fclose(f);
                free(buf);
                return NULL;
        }
        fprintf(f, "hutch %s seccomp %u sources %016llx\nlibseccomp %u.%u.%u kernel %s %s\nnative %u\n",
                HUTCH_VERSION, CACHE_VERSION, (unsigned long long) SECCOMP_SOURCES_HASH, v->major, v->minor,
                v->micro, un.release, un.version, seccomp_arch_native());
        fprintf(f, "arches");
        for (size_t i = 0; i < sec->syscall_architectures.n; i++)
                fprintf(f, " %s", sec->syscall_architectures.items[i]);
        fprintf(f, "\nerrno %d\nnamespaces %#lx\nfamilies %s %#" PRIx64 "\n", sec->syscall_error_number,
                sec->restrict_namespaces, sec->address_families_allow ? "allow" : "deny",
                sec->address_families);
        fprintf(f, "flags %d%d%d%d%d%d%d%d%d%d%d\n", sec->lock_personality, sec->restrict_realtime,
                sec->restrict_suid_sgid, sec->memory_deny_write_execute, sec->protect_kernel_tunables,
                sec->protect_kernel_modules, sec->protect_kernel_logs, sec->protect_clock,
                u->sandbox.private_devices, u->sandbox.private_network, u->sandbox.protect_hostname);
        fprintf(f, "%s", allow ? "allow" : "deny");
        STRV_FOREACH (n, names)
                fprintf(f, " %s", *n);
        fputc('\n', f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static int cache_path(const char *key, char *buf, size_t size) {
        /* Two independent 64-bit hashes for the name; the key inside decides. */
        uint64_t a = fnv1a(UINT64_C(0xcbf29ce484222325), key, strlen(key));
        uint64_t b = fnv1a(UINT64_C(0x84222325cbf29ce4), key, strlen(key));
        int n = snprintf(buf, size, "%016llx%016llx.bpf", (unsigned long long) a, (unsigned long long) b);
        return n > 0 && (size_t) n < size ? 0 : -ENAMETOOLONG;
}

static int cache_dir_open(const char *dir, bool create) {
        if (!dir)
                return -ENOENT;
        if (create) {
                /* .../hutch/seccomp: the parent readable as its own parent is, the cache root's
                 * only. Nothing above hutch/ is made (no /var/cache, no cache there). */
                _cleanup_free_ char *parent = strdup(dir);
                if (!parent)
                        return -ENOMEM;
                char *slash = strrchr(parent, '/');
                if (slash && slash != parent) {
                        *slash = '\0';
                        (void) mkdir(parent, 0755);
                }
                (void) mkdir(dir, 0700);
        }
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
                /* Someone else's or writable by others: never trust what is in it. */
                close(fd);
                return -EPERM;
        }
        return fd;
}

static int cache_load_from(const char *dir, const char *name, const char *key, struct seccomp_program *p) {
        _cleanup_close_ int dfd = cache_dir_open(dir, false);
        if (dfd < 0)
                return dfd;
        _cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
                return -EPERM;
        size_t key_size = strlen(key);
        if ((size_t) st.st_size < sizeof(struct cache_header) + key_size || st.st_size > 1 << 20)
                return -EBADMSG;
        _cleanup_free_ char *buf = malloc(st.st_size);
        if (!buf)
                return -ENOMEM;
        if (pread(fd, buf, st.st_size, 0) != st.st_size)
                return -EIO;
        struct cache_header h;
        memcpy(&h, buf, sizeof h);
        const char *k = buf + sizeof h;
        const char *insns = k + key_size;
        if (memcmp(h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || h.version != CACHE_VERSION ||
            h.key_size != key_size || memcmp(k, key, key_size) != 0 ||
            (size_t) st.st_size != sizeof h + key_size + h.insns_size || h.insns_size == 0 ||
            h.insns_size % sizeof(struct sock_filter) != 0 ||
            h.insns_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
                return -EBADMSG;
        uint64_t sum = fnv1a(UINT64_C(0xcbf29ce484222325), k, key_size);
        sum = fnv1a(sum, insns, h.insns_size);
        if (sum != h.checksum)
                return -EBADMSG;
        p->insns = malloc(h.insns_size);
        if (!p->insns)
                return -ENOMEM;
        memcpy(p->insns, insns, h.insns_size);
        p->n_insns = (unsigned short) (h.insns_size / sizeof(struct sock_filter));
        p->from_cache = true;
        /* Still in use: not for the pruning of old files (cache_prune()). */
        struct timespec now;
        if (clock_gettime(CLOCK_REALTIME, &now) == 0 && now.tv_sec - st.st_mtim.tv_sec > CACHE_RENEW_SEC)
                (void) futimens(fd, NULL);
        return 0;
}

static int cache_load(const char *key, struct seccomp_program *p) {
        char name[64];
        int r = cache_path(key, name, sizeof name);
        if (r < 0)
                return r;
        /* Whatever makes one directory fail (no file, not trustworthy, a damaged file), the next
         * may hold a good one; the first error that is not a plain miss is what is told. */
        int first_err = -ENOENT;
        for (size_t i = 0; i < ELEMENTSOF(cache_directories) && cache_directories[i]; i++) {
                r = cache_load_from(cache_directories[i], name, key, p);
                if (r == 0)
                        return 0;
                if (first_err == -ENOENT)
                        first_err = r;
        }
        return first_err;
}

/* Files not used for CACHE_MAX_AGE_SEC (a unit changed or gone, a kernel replaced), and
 * temporary files of a writer that died. */
static void cache_prune(int dfd) {
        int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
                        continue;
                long age = now.tv_sec - st.st_mtim.tv_sec;
                if (age > CACHE_MAX_AGE_SEC || (de->d_name[0] == '.' && age > 3600))
                        (void) unlinkat(dfd, de->d_name, 0);
        }
        closedir(d);
}

/* Written to a temporary file and renamed into place, so a reader sees all of it or none. Not
 * fsync'ed: a file that a crash left short or empty fails cache_load()'s size and checksum
 * checks and is compiled anew. */
static int cache_store_in(const char *dir, const char *name, const char *key,
                          const struct seccomp_program *p) {
        _cleanup_close_ int dfd = cache_dir_open(dir, true);
        if (dfd < 0)
                return dfd;
        int r;
        size_t key_size = strlen(key), insns_size = p->n_insns * sizeof(struct sock_filter);
        struct cache_header h = {
                .version = CACHE_VERSION,
                .key_size = (uint32_t) key_size,
                .insns_size = (uint32_t) insns_size,
        };
        memcpy(h.magic, CACHE_MAGIC, sizeof h.magic);
        h.checksum = fnv1a(fnv1a(UINT64_C(0xcbf29ce484222325), key, key_size), p->insns, insns_size);

        char tmp[80];
        snprintf(tmp, sizeof tmp, ".%s.%d", name, (int) getpid());
        _cleanup_close_ int fd =
                openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        struct iovec iov[3] = {
                {&h, sizeof h},
                {(void *) key, key_size},
                {p->insns, insns_size},
        };
        ssize_t want = (ssize_t) (sizeof h + key_size + insns_size);
        errno = 0;
        if (writev(fd, iov, 3) != want) {
                r = -errno ?: -EIO;
                (void) unlinkat(dfd, tmp, 0);
                return r;
        }
        if (renameat(dfd, tmp, dfd, name) < 0) {
                r = -errno;
                (void) unlinkat(dfd, tmp, 0);
                return r;
        }
        if (dir == cache_directories[0] && cache_directories[1])
                cache_prune(dfd);
        return 0;
}

static int cache_store(const char *key, const struct seccomp_program *p, const char **ret_dir) {
        char name[64];
        int r = cache_path(key, name, sizeof name);
        if (r < 0)
                return r;
        r = -ENOENT;
        for (size_t i = 0; i < ELEMENTSOF(cache_directories) && cache_directories[i]; i++) {
                r = cache_store_in(cache_directories[i], name, key, p);
                *ret_dir = cache_directories[i];
                if (r == 0)
                        break;
        }
        return r;
}

/* ---- the interface ---- */

int seccomp_program_build(const struct hutch_unit *u, struct seccomp_program **ret) {
        bool allow;
        _cleanup_strv_free_ char **names = NULL;
        int r = model_syscall_filter_effective(u, &allow, &names);
        if (r < 0)
                return log_error_errno(r, "SystemCallFilter=: %m");
        /* "SystemCallFilter=" alone: a deny list with nothing on it; the settings still add
         * their rules. */

        _cleanup_free_ char *key = cache_key(u, allow, names);
        if (!key)
                return log_oom();
        struct seccomp_program *p = new0(struct seccomp_program, 1);
        if (!p)
                return log_oom();

        r = cache_load(key, p);
        if (r == 0) {
                *ret = p;
                return 0;
        }
        if (r != -ENOENT)
                log_debug_errno(r, "seccomp: cached filter not used, rebuilding: %m");

        r = build(u, allow, names, p);
        /* libseccomp's rule database grows the heap by some 400 kB and leaves it fragmented when
         * freed; hand it back, or the supervisor and the sandbox's PID 1 (a copy of it) keep it
         * for the service's whole life. */
        heap_trim();
        if (r < 0) {
                seccomp_program_free(p);
                return r;
        }
        const char *dir = NULL;
        r = cache_store(key, p, &dir);
        if (r < 0)
                log_debug_errno(r, "seccomp: cannot cache the filter in %s: %m", dir ?: "(none)");
        *ret = p;
        return 0;
}

int seccomp_program_install(const struct seccomp_program *p) {
        struct sock_fprog prog = {.len = p->n_insns, .filter = p->insns};
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
                return 0;
        if (errno != EACCES)
                return -errno;
        /* Without CAP_SYS_ADMIN the kernel takes a filter only under no_new_privs. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return -errno;
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return -errno;
        return 0;
}

void seccomp_program_free(struct seccomp_program *p) {
        if (!p)
                return;
        free(p->insns);
        free(p);
}

unsigned seccomp_program_size(const struct seccomp_program *p) {
        return p->n_insns;
}

const void *seccomp_program_insns(const struct seccomp_program *p) {
        return p->insns;
}

bool seccomp_program_from_cache(const struct seccomp_program *p) {
        return p->from_cache;
}
