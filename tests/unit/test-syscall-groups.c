/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syscall group table: every member is a group or a syscall that resolves on this
 * architecture or is known (to libseccomp) to exist only on others; group lookups and
 * expansion; @known covers every syscall libseccomp knows for the native architecture. */

#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "hutch/macro.h"
#include "hutch/syscalls.h"
#include "tap.h"

struct collect {
        const char *names[1024];
        size_t n;
        bool dup;
};

static int collect_cb(const char *name, void *userdata) {
        struct collect *c = userdata;
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->names[i], name) == 0)
                        c->dup = true;
        if (c->n < ELEMENTSOF(c->names))
                c->names[c->n++] = name;
        return 0;
}

static bool collect_has(const struct collect *c, const char *name) {
        for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->names[i], name) == 0)
                        return true;
        return false;
}

static int stop_cb(const char *name, void *userdata) {
        unsigned *n = userdata;
        return ++*n == 3 ? -ECANCELED : 0;
}

int main(void) {
        uint32_t native = seccomp_arch_native();
        size_t n_groups = 0;

        /* Every member of every group resolves, is a group, or is absent on this arch only. */
        for (const struct syscall_group *g = syscall_groups; g->name; g++) {
                n_groups++;
                unsigned bad = 0, absent = 0, present = 0;
                TAP_CHECK(g->name[0] == '@' && g->help && g->help[0], "%s has a name and help", g->name);
                for (const char *const *m = g->members; *m; m++) {
                        if ((*m)[0] == '@') {
                                if (!syscall_group_find(*m)) {
                                        bad++;
                                        printf("#   %s: unknown group %s\n", g->name, *m);
                                }
                                continue;
                        }
                        int r = syscall_resolve_arch(*m, native);
                        if (r >= 0)
                                present++;
                        else if (r == -ENOSYS)
                                absent++;
                        else {
                                bad++;
                                printf("#   %s: %s: %s\n", g->name, *m, strerror(-r));
                        }
                }
                TAP_CHECK(bad == 0, "%s: every member is known (%u here, %u on other arches only)", g->name,
                          present, absent);
                /* A group whose every member is absent here would silently filter nothing. */
                TAP_CHECK(present > 0 || g->members[0][0] == '@', "%s: has members on this arch", g->name);
        }
        TAP_CHECK(n_groups >= 29, "at least systemd's 29 named groups (%zu)", n_groups);

        const char *systemd_groups[] = {
                "@aio",       "@basic-io",       "@chown",    "@clock",      "@cpu-emulation",
                "@debug",     "@file-system",    "@io-event", "@ipc",        "@keyring",
                "@memlock",   "@module",         "@mount",    "@network-io", "@obsolete",
                "@pkey",      "@privileged",     "@process",  "@raw-io",     "@reboot",
                "@resources", "@sandbox",        "@setuid",   "@signal",     "@swap",
                "@sync",      "@system-service", "@timer",    "@known",      "@default"};
        for (size_t i = 0; i < ELEMENTSOF(systemd_groups); i++)
                TAP_CHECK(syscall_group_find(systemd_groups[i]), "group %s exists", systemd_groups[i]);
        TAP_CHECK(!syscall_group_find("@nonesuch"), "unknown group not found");
        TAP_CHECK(!syscall_group_find("read"), "a syscall name is not a group");
        TAP_CHECK(!syscall_group_find(NULL), "NULL is not a group");

        /* Expansion: recursive, each name once. */
        struct collect c = {};
        TAP_CHECK(syscall_group_expand("@system-service", collect_cb, &c) == 0, "expand @system-service");
        TAP_CHECK(!c.dup, "each name reported once (%zu names)", c.n);
        TAP_CHECK(collect_has(&c, "read") && collect_has(&c, "openat") && collect_has(&c, "execve") &&
                          collect_has(&c, "socket") && collect_has(&c, "clone") && collect_has(&c, "ioctl"),
                  "@system-service has the basics");
        TAP_CHECK(collect_has(&c, "seccomp") && collect_has(&c, "landlock_restrict_self"),
                  "@system-service lets a service confine itself further (@sandbox)");
        /* hutch's explicit decisions (see the table's comment). */
        const char *left_out[] = {"keyctl",         "add_key",
                                  "request_key",    "io_uring_setup",
                                  "io_uring_enter", "io_uring_register",
                                  "userfaultfd",    "mount",
                                  "init_module",    "reboot",
                                  "clock_settime",  "syslog",
                                  "ptrace",         "bpf",
                                  "swapon"};
        for (size_t i = 0; i < ELEMENTSOF(left_out); i++)
                TAP_CHECK(!collect_has(&c, left_out[i]), "@system-service leaves out %s", left_out[i]);

        struct collect p = {};
        TAP_CHECK(syscall_group_expand("@privileged", collect_cb, &p) == 0, "expand @privileged");
        TAP_CHECK(collect_has(&p, "chown") && collect_has(&p, "init_module") && collect_has(&p, "reboot") &&
                          collect_has(&p, "iopl") && collect_has(&p, "settimeofday") &&
                          collect_has(&p, "swapon"),
                  "@privileged includes its nested groups");

        unsigned calls = 0;
        TAP_CHECK(syscall_group_expand("@known", stop_cb, &calls) == -ECANCELED && calls == 3,
                  "expansion stops at the callback's error");
        TAP_CHECK(syscall_group_expand("@nonesuch", collect_cb, &c) == -ENOENT, "expand unknown: -ENOENT");

        /* @known covers every syscall libseccomp names for this architecture. */
        struct collect k = {};
        TAP_CHECK(syscall_group_expand("@known", collect_cb, &k) == 0, "expand @known");
        unsigned missing = 0;
        for (int nr = 0; nr < 1024; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(native, nr);
                if (!name)
                        continue;
                if (!collect_has(&k, name)) {
                        missing++;
                        printf("#   @known lacks %s (%d)\n", name, nr);
                }
                free(name);
        }
        TAP_CHECK(missing == 0, "@known has every native syscall libseccomp knows");

        /* Resolution. */
        TAP_CHECK(syscall_resolve_arch("read", SCMP_ARCH_X86_64) == 0, "read is 0 on x86-64");
        TAP_CHECK(syscall_resolve_arch("stat64", SCMP_ARCH_X86_64) == -ENOSYS, "stat64 absent on x86-64");
        TAP_CHECK(syscall_resolve_arch("stat64", SCMP_ARCH_X86) == 195, "stat64 is 195 on x86");
        TAP_CHECK(syscall_resolve_arch("nonesuch", SCMP_ARCH_X86_64) == -ENOENT, "unknown name: -ENOENT");
        TAP_CHECK(syscall_resolve_arch("@mount", SCMP_ARCH_X86_64) == -EINVAL, "group: -EINVAL");
        TAP_CHECK(syscall_resolve_arch("mseal", SCMP_ARCH_X86_64) == 462,
                  "newer than libseccomp: mseal 462");
        TAP_CHECK(syscall_resolve_arch("mseal", SCMP_ARCH_X32) == (462 | 0x40000000), "mseal on x32");
        TAP_CHECK(syscall_name_is_known("@network-io") && syscall_name_is_known("socketcall") &&
                          !syscall_name_is_known("sokcet") && !syscall_name_is_known("@nope"),
                  "syscall_name_is_known");

        return tap_done();
}
