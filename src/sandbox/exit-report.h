/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the sandbox's PID 1 tells the spawner about the payload's end, in a page they share: the
 * payload's exact wait status, which PID 1's own exit status (128+N for a signal) cannot carry.
 * Shared by pid1.c and init/hutch-init.c, which is built without libc: only <stdint.h>. */
#pragma once

#include <stdint.h>

struct sandbox_exit_report {
        uint32_t magic; /* SANDBOX_EXIT_REPORT_MAGIC once code and status are written */
        int32_t code;   /* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
        int32_t status; /* exit code, or the signal number */
};
#define SANDBOX_EXIT_REPORT_MAGIC UINT32_C(0x68757463)
