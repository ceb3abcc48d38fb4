/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hutch run`: load one unit and supervise it in the foreground. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/verbs.h"
#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/model.h"
#include "hutch/sandbox.h"
#include "hutch/strv.h"
#include "hutch/supervisor.h"
#include "hutch/unit.h"

/* hutch's own failure: bad unit, a setup step failed (systemd-nspawn and podman use it too). */
#define EXIT_HUTCH_FAILED 125
#define EXIT_USAGE 2

static const char run_help[] =
        "Usage: hutch run [--unit-path DIRS] [-p SECTION.KEY=VALUE]... UNIT|PATH [-- ARG...]\n"
        "\n"
        "Builds the unit's sandbox, starts its ExecStart= command in it and supervises it in the\n"
        "foreground: restart policy, stop and start timeouts, watchdog, readiness for systemd.\n"
        "SIGTERM or SIGINT stops the unit (KillSignal=, then after TimeoutStopSec= every process\n"
        "in its cgroup is killed) and hutch exits.\n"
        "\n"
        "Exit status: the payload's own (128+N when it was killed by signal N), 0 after a\n"
        "requested stop that ended cleanly, 125 when hutch itself failed (bad unit, a setup\n"
        "step failed, the unit is already running), 126 the command cannot be executed, 127 the\n"
        "command was not found, 2 on a usage error.\n"
        "\n"
        "Options:\n"
        "  -h --help              show this help\n"
        "     --unit-path DIRS    colon-separated directories to search instead of the default\n"
        "  -p --property S.K=V    set a key as if written in a last drop-in (repeatable)\n"
        "\n"
        "ARGs after -- are appended to the ExecStart= command line.\n";

enum {
        ARG_UNIT_PATH = 0x100,
};

/* The loader has already said why a unit could not be loaded (not found: the unit and the search
 * path; masked: the file), except when it ran out of memory. */
/* The loader already said why for a missing (-ENOENT), masked (-ERFKILL) or invalid (-EINVAL)
 * unit; anything else is said here. */
static void report_load_failure(const char *name, int r) {
        if (r != -ENOENT && r != -ERFKILL && r != -EINVAL)
                log_error_errno(r, "%s: cannot load: %m", name);
}

int verb_run(int argc, char **argv) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"unit-path", required_argument, NULL, ARG_UNIT_PATH},
                {"property", required_argument, NULL, 'p'},
                {},
        };
        struct unit_load_options opts = {};
        _cleanup_strv_free_ char **overrides = NULL;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "+hp:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(run_help, stdout);
                        return 0;
                case ARG_UNIT_PATH:
                        opts.search_path = optarg;
                        break;
                case 'p':
                        if (!strchr(optarg, '.') || !strchr(optarg, '=')) {
                                log_error("run: -p wants SECTION.KEY=VALUE, got '%s'", optarg);
                                return EXIT_USAGE;
                        }
                        if (strv_extend(&overrides, optarg) < 0)
                                return log_oom(), EXIT_HUTCH_FAILED;
                        break;
                default:
                        fputs("Try 'hutch run --help'.\n", stderr);
                        return EXIT_USAGE;
                }
        }
        opts.overrides = overrides;

        if (optind >= argc) {
                log_error("run: which unit? Try 'hutch run --help'.");
                return EXIT_USAGE;
        }
        const char *name = argv[optind++];
        char **extra = NULL;
        if (optind < argc) {
                if (cli_is_option(argv[optind])) {
                        log_error("run: '%s' after the unit: options go before it, arguments for the "
                                  "command after '--'",
                                  argv[optind]);
                        return EXIT_USAGE;
                }
                if (!streq(argv[optind], "--")) {
                        log_error("run: one unit at a time; arguments for the command go after '--'");
                        return EXIT_USAGE;
                }
                extra = argv + optind + 1;
        }

        struct unit_problems problems = {};
        _cleanup_unit_ struct hutch_unit *u = NULL;
        r = unit_load(name, &opts, &u, &problems);
        if (r >= 0 && u)
                (void) sandbox_check_paths(u, &problems);
        unit_problems_print(&problems, stderr);
        bool bad = r < 0 || problems.n > 0 || !u;
        if (r < 0 && problems.n == 0)
                report_load_failure(name, r);
        unit_problems_clear(&problems);
        if (bad)
                return EXIT_HUTCH_FAILED;

        log_set_prefix(u->name);
        host_log_setup(u->name);
        log_open_own_stderr();

        /* The unit lives as long as this process: nothing reads it once the supervisor has
         * returned, and freeing it then only hands memory back to the allocator, whose
         * munmap() (with its TLB shootdown) is a measurable part of a stop. Held in a static,
         * where a leak checker still sees it. */
        static struct hutch_unit *unit;
        unit = TAKE_PTR(u);

        struct supervisor_options so = {
                .extra_args = extra && *extra ? extra : NULL,
                .stdin_fd = 0,
                .stdout_fd = 1,
                .stderr_fd = 2,
                .move_self = true,
        };
        return supervisor_run_one(unit, &so);
}
