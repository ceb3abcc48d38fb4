/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the sandbox's PID 1 (pid1.c, then init/hutch-init.c) and the spawner share. Included by
 * hutch-init, which is built without libc: only <stdint.h> here.
 *
 * The exit report: a page where PID 1 writes the payload's exact wait status, which its own exit
 * status (128+N for a signal) cannot carry.
 *
 * The settle signal: sandbox_child_settle() queues SANDBOX_SETTLE_SIGNAL to PID 1 with
 * si_code SI_QUEUE and si_value SANDBOX_SETTLE_MAGIC, from outside the sandbox (si_pid 0 as PID 1
 * sees it). PID 1 then execs hutch-init; hutch-init drops it. Neither forwards it to the payload.
 * A process in the sandbox that forges one only makes that exec come early. */
#pragma once

#include <stdint.h>

struct sandbox_exit_report {
        uint32_t magic; /* SANDBOX_EXIT_REPORT_MAGIC once code and status are written */
        int32_t code;   /* CLD_EXITED, CLD_KILLED or CLD_DUMPED */
        int32_t status; /* exit code, or the signal number */
        /* Type=forking: the daemon PID 1 took for the main process once the first one exited (its
         * pid in the sandbox; 0: none found), written before PID 1 says so on the ready pipe. */
        int32_t main_pid;
};
#define SANDBOX_EXIT_REPORT_MAGIC UINT32_C(0x68757463)

#define SANDBOX_SETTLE_SIGNAL 64 /* SIGRTMAX on Linux's x86-64 and arm64 */
#define SANDBOX_SETTLE_MAGIC 0x68696e74
