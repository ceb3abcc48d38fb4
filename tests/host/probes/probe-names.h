/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Names of errno values and signals for the probes' output, from hutch's shared tables, so the
 * probes print the same names whether they are built with glibc or musl. */
#include "hutch/parse.h"

/* "KILL" for SIGKILL, as glibc's sigabbrev_np(), or NULL. */
static inline const char *signal_abbrev(int sig) {
        const char *n = signal_to_name(sig);
        return n ? n + 3 : NULL;
}
