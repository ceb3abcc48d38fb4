/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sandbox-driver UNIT|PATH [-- ARG...]: loads a unit and runs it through sandbox_spawn() alone,
 * without the supervisor or a cgroup, then exits with the payload's status (128+N on signal N,
 * 125/126/127 on a setup failure). It lets the sandbox tests run the spawner in isolation and
 * prove that a failure is the spawner's, not the supervisor's. */

#include <stdbool.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hutch/log.h"
#include "hutch/macro.h"
#include "hutch/model.h"
#include "hutch/sandbox.h"
#include "hutch/unit.h"

int main(int argc, char **argv) {
        /* --no-check skips sandbox_check_paths(), so the spawner's own error path is reached. */
        bool check = true;
        if (argc > 1 && strcmp(argv[1], "--no-check") == 0) {
                check = false;
                argv++;
                argc--;
        }
        if (argc < 2) {
                fprintf(stderr, "usage: sandbox-driver [--no-check] UNIT|PATH [-- ARG...]\n");
                return 2;
        }
        struct unit_load_options opts = {0};
        struct unit_problems problems = {0};
        _cleanup_unit_ struct hutch_unit *u = NULL;
        int r = unit_load(argv[1], &opts, &u, &problems);
        if (r >= 0 && check && sandbox_check_paths(u, &problems) > 0)
                r = -EINVAL;
        if (r < 0) {
                unit_problems_print(&problems, stderr);
                unit_problems_clear(&problems);
                if (r != -EINVAL)
                        fprintf(stderr, "hutch: %s: %s\n", argv[1], strerror(-r));
                return 125;
        }
        unit_problems_clear(&problems);
        log_set_prefix(u->name);

        struct sandbox_params p;
        sandbox_params_init(&p);
        p.stdin_fd = 0;
        p.stdout_fd = 1;
        p.stderr_fd = 2;
        if (argc > 3 && strcmp(argv[2], "--") == 0)
                p.extra_args = argv + 3;
        struct sandbox_child child;
        struct sandbox_error err;
        r = sandbox_spawn(u, &p, &child, &err);
        if (r < 0)
                return sandbox_error_exit_status(&err);
        siginfo_t si = {0};
        while (waitid(P_PIDFD, (id_t) child.pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        sandbox_child_release(&child);
        close(child.pidfd);
        return si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
}
