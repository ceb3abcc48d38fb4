/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

/* The verbs of `hutch` that live outside hutch.c. Each gets the verb's own argument vector:
 * argv[0] is the verb name ("run"), so getopt_long() works on it directly; the return value
 * is the process exit status. hutch.c owns the dispatch, --version and the top-level usage. */

/* `hutch run [--unit-path DIRS] [-p Section.Key=Value]... UNIT|PATH [-- ARG...]` (src/cli/run.c).
 * Returns the payload's exit status, 128+N on signal N, 125 for hutch's own failure, 126 not
 * executable, 127 not found, 2 for a usage error. Handles its own --help. */
int verb_run(int argc, char **argv);

/* Whether arg is one of the verbs' options (-h, --help, --unit-path, --json, -p, --property,
 * with =VALUE for the long ones): one after the unit name is a usage error, not a unit. */
bool cli_is_option(const char *arg);
