/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-tier driver for the privilege steps, usable before `hutch run` exists and after: builds
 * a unit with model_unit_new() and the options below, builds its filter in the parent, forks,
 * and in the child runs the steps in the order src/sandbox/security.h documents (bounding set,
 * keep caps, identity, caps, no_new_privs, seccomp), then execs the probe. Prints the
 * probe's output, then "exit N" or "signal N".
 *     security-driver [--errno=N|--kill] [--filter=[[~]NAME]]... [--user=UID] [--bounding=HEX]
 *                     [--ambient=HEX] [--mdwe] [--namespaces=HEX] [--arch=NAME]... [--cache=DIR]
 *                     -- PROBE [ARGS...] */

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hutch/model.h"
#include "hutch/strv.h"
#include "sandbox/security.h"

static _noreturn_ void child_fail(const char *step, int r) {
        fprintf(stderr, "security-driver: %s: %s\n", step, strerror(-r));
        _exit(125);
}

int main(int argc, char **argv) {
        _cleanup_unit_ struct hutch_unit *u = model_unit_new("probe");
        uid_t uid = 0;
        bool arch_reset = false;
        int i;
        if (!u)
                return 125;
        seccomp_cache_set_directories(NULL, NULL);
        for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
                const char *a = argv[i], *v = strchr(a, '=');
                v = v ? v + 1 : "";
                if (strncmp(a, "--errno=", 8) == 0)
                        u->security.syscall_error_number = atoi(v);
                else if (strcmp(a, "--kill") == 0)
                        u->security.syscall_error_number = SYSCALL_ERRNO_KILL;
                else if (strcmp(a, "--filter=") == 0) {
                        /* "SystemCallFilter=" alone: resets the list (a '~' list after it is a
                         * pure deny list) */
                        u->security.syscall_filter_set = true;
                        u->security.syscall_filter_reset = true;
                } else if (strncmp(a, "--filter=", 9) == 0) {
                        struct syscall_rule *n = realloc(u->security.syscall_filter,
                                                         (u->security.n_syscall_filter + 1) * sizeof *n);
                        if (!n)
                                return 125;
                        u->security.syscall_filter = n;
                        n[u->security.n_syscall_filter++] = (struct syscall_rule){
                                .name = strdup(v[0] == '~' ? v + 1 : v), .deny = v[0] == '~'};
                        u->security.syscall_filter_set = true;
                } else if (strncmp(a, "--user=", 7) == 0)
                        uid = (uid_t) atoi(v);
                else if (strncmp(a, "--bounding=", 11) == 0)
                        u->security.capability_bounding_set = strtoull(v, NULL, 16);
                else if (strncmp(a, "--ambient=", 10) == 0)
                        u->security.ambient_capabilities = strtoull(v, NULL, 16);
                else if (strcmp(a, "--mdwe") == 0)
                        u->security.memory_deny_write_execute = true;
                else if (strncmp(a, "--namespaces=", 13) == 0)
                        u->security.restrict_namespaces = strtoul(v, NULL, 16);
                else if (strncmp(a, "--arch=", 7) == 0) {
                        if (!arch_reset) {
                                strv_free(u->security.syscall_architectures.items);
                                u->security.syscall_architectures.items = NULL;
                                u->security.syscall_architectures.n = 0;
                                arch_reset = true;
                        }
                        if (v[0] && strv_extend(&u->security.syscall_architectures.items, v) < 0)
                                return 125;
                        u->security.syscall_architectures.n =
                                strv_length(u->security.syscall_architectures.items);
                } else if (strncmp(a, "--cache=", 8) == 0)
                        seccomp_cache_set_directories(v, NULL);
                else {
                        fprintf(stderr, "security-driver: unknown option %s\n", a);
                        return 125;
                }
        }
        if (i + 1 >= argc) {
                fprintf(stderr, "security-driver: no probe given after --\n");
                return 125;
        }
        char **probe = argv + i + 1;

        struct seccomp_program *p = NULL;
        if (seccomp_program_build(u, &p) < 0)
                return 125;
        fflush(stdout);

        pid_t pid = fork();
        if (pid < 0)
                return 125;
        if (pid == 0) {
                int r = caps_drop_bounding(u);
                if (r < 0)
                        child_fail("bounding set", r);
                r = caps_keep_across_setuid();
                if (r < 0)
                        child_fail("keep caps", r);
                if (setgroups(0, NULL) < 0 || setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
                        child_fail("identity", -errno);
                int missing;
                r = caps_apply(u, &missing);
                if (r < 0)
                        child_fail("capabilities", r);
                if (u->security.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        child_fail("no_new_privs", -errno);
                r = seccomp_program_install(p);
                if (r < 0)
                        child_fail("seccomp", r);
                execv(probe[0], probe);
                _exit(127);
        }
        seccomp_program_free(p);
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return 125;
        if (WIFSIGNALED(status))
                printf("signal %d\n", WTERMSIG(status));
        else
                printf("exit %d\n", WEXITSTATUS(status));
        return 0;
}
