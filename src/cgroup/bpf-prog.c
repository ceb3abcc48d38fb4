/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading a cgroup program and attaching it to the payload cgroup (bpf-prog.h). */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup/bpf-prog.h"
#include "hutch/log.h"

static int load(enum bpf_prog_type type, enum bpf_attach_type attach, const struct bpf_insn *prog,
                size_t count, const char *what, const char *where, const char *key) {
        union bpf_attr a = {
                .prog_type = type,
                .expected_attach_type = attach,
                .insns = (uint64_t) (uintptr_t) prog,
                .insn_cnt = (uint32_t) count,
                .license = (uint64_t) (uintptr_t) "GPL",
        };
        strncpy(a.prog_name, type == BPF_PROG_TYPE_CGROUP_DEVICE ? "hutch_devices" : "hutch_ip",
                sizeof a.prog_name - 1);
        int fd = (int) syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
        if (fd >= 0)
                return fd;
        int r = -errno;
        /* Again with the verifier's log, for the message (a log that does not fit fails the load
         * with ENOSPC, so the first try has none). */
        char verifier_log[4096] = "";
        if (r == -EACCES || r == -EINVAL) {
                a.log_buf = (uint64_t) (uintptr_t) verifier_log;
                a.log_size = sizeof verifier_log;
                a.log_level = 1;
                int again = (int) syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
                if (again >= 0)
                        close(again);
                verifier_log[strcspn(verifier_log, "\n")] = 0;
        }
        /* A kernel that refuses the program cannot filter: the unit asked for it, so hutch does
         * not start it unfiltered (systemd goes on without the filter). */
        return log_error_errno(r, "%s%s: load the cgroup %s program: %m (%s)", where, key, what,
                               r == -EPERM       ? "hutch needs CAP_SYS_ADMIN or CAP_BPF for it"
                               : verifier_log[0] ? verifier_log
                               : r == -EINVAL    ? "this kernel lacks cgroup BPF (CONFIG_CGROUP_BPF)"
                                                 : "the kernel's verifier refused it");
}

int cgroup_bpf_attach(struct cgroup_tree *t, enum bpf_prog_type type, const enum bpf_attach_type *attach,
                      size_t n_attach, const struct bpf_insn *const *progs, const size_t *counts,
                      const char *what, const char *where, const char *key) {
        for (size_t i = 0; i < n_attach; i++) {
                int fd = load(type, attach[i], progs[i], counts[i], what, where, key);
                if (fd < 0)
                        return fd;
                union bpf_attr a = {
                        .target_fd = (uint32_t) t->payload_fd,
                        .attach_bpf_fd = (uint32_t) fd,
                        .attach_type = attach[i],
                        .attach_flags = BPF_F_ALLOW_MULTI,
                };
                int r = syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof a) < 0 ? -errno : 0;
                /* The cgroup holds the program from here on; our descriptor closes. */
                close(fd);
                if (r < 0)
                        return log_error_errno(r, "%s%s: attach the cgroup %s program to %s%s: %m", where,
                                               key, what, t->mount_path, t->payload_path);
        }
        return 0;
}
