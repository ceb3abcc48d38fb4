/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's scheduling: Nice=, CPUSchedulingPolicy=/Priority=/ResetOnFork=,
 * IOSchedulingClass=/Priority= and CPUAffinity=, as systemd sets them. Applied by the payload's
 * process itself before it drops its capabilities (a negative nice level and the real-time
 * policies need CAP_SYS_NICE) and before the system call filter, which with
 * RestrictRealtime=yes keeps the service from raising its own policy later, as under systemd.
 * What a unit leaves unset the payload inherits from hutch. */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_BE 2
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_NORM 4 /* the kernel's default level within a class */

/* "0-3,6" (cpuset.cpus form, as the loader normalized it) into a set of `size` bytes. */
static void cpu_list_to_set(const char *s, cpu_set_t *set, size_t size) {
        CPU_ZERO_S(size, set);
        for (const char *p = s; *p;) {
                char *end;
                unsigned long a = strtoul(p, &end, 10), b = a;
                if (*end == '-')
                        b = strtoul(end + 1, &end, 10);
                for (unsigned long c = a; c <= b; c++)
                        CPU_SET_S(c, size, set);
                p = *end == ',' ? end + 1 : end;
        }
}

/* The highest CPU the list names, plus one. */
static size_t cpu_list_count(const char *s) {
        const char *last = s;
        for (const char *p = s; *p; p++)
                if (*p == ',' || *p == '-')
                        last = p + 1;
        return strtoul(last, NULL, 10) + 1;
}

int sandbox_apply_scheduling(const struct hutch_unit *u, struct sandbox_error *e) {
        const struct unit_section_service *svc = &u->service;
        if (svc->nice_set && setpriority(PRIO_PROCESS, 0, svc->nice) < 0)
                return sandbox_error_set(e, SANDBOX_STEP_SCHEDULING, errno, "set nice level", "", "Nice=%d",
                                         svc->nice);

        /* As systemd: any of the three keys sets the policy, SCHED_OTHER where none is named. (The
         * system call itself: musl's sched_setscheduler() only ever fails.) */
        if (svc->cpu_sched_policy >= 0 || svc->cpu_sched_priority_set || svc->cpu_sched_reset_on_fork >= 0) {
                int policy = svc->cpu_sched_policy >= 0 ? svc->cpu_sched_policy : SCHED_OTHER;
                struct sched_param sp = {.sched_priority = svc->cpu_sched_priority};
                if (svc->cpu_sched_reset_on_fork > 0)
                        policy |= SCHED_RESET_ON_FORK;
                if (syscall(SYS_sched_setscheduler, 0, policy, &sp) < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_SCHEDULING, errno,
                                                 "set CPU scheduling policy", "",
                                                 "CPUSchedulingPolicy=%s, CPUSchedulingPriority=%d",
                                                 cpu_sched_policy_to_string(policy & ~SCHED_RESET_ON_FORK),
                                                 svc->cpu_sched_priority);
        }

        /* A class without a level gets the kernel's middle one (4; none and idle take none), a level
         * without a class best-effort, as systemd does. */
        if (svc->io_sched_class >= 0 || svc->io_sched_priority >= 0) {
                int cl = svc->io_sched_class >= 0 ? svc->io_sched_class : IOPRIO_CLASS_BE;
                int level = svc->io_sched_priority >= 0 ? svc->io_sched_priority : IOPRIO_NORM;
                if (cl == 0 || cl == 3)
                        level = 0;
                if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, cl << IOPRIO_CLASS_SHIFT | level) < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_SCHEDULING, errno, "set I/O scheduling", "",
                                                 "IOSchedulingClass=%s, IOSchedulingPriority=%d",
                                                 io_sched_class_to_string(cl), level);
        }

        if (svc->cpu_affinity) {
                size_t n = cpu_list_count(svc->cpu_affinity);
                cpu_set_t *set = CPU_ALLOC(n);
                if (!set)
                        return sandbox_error_set(e, SANDBOX_STEP_SCHEDULING, ENOMEM, "set CPU affinity", "",
                                                 NULL);
                size_t size = CPU_ALLOC_SIZE(n);
                cpu_list_to_set(svc->cpu_affinity, set, size);
                int r = sched_setaffinity(0, size, set) < 0 ? -errno : 0;
                CPU_FREE(set);
                /* EINVAL: none of the CPUs is online, or in hutch's cpuset. */
                if (r < 0)
                        return sandbox_error_set(e, SANDBOX_STEP_SCHEDULING, -r, "set CPU affinity", "",
                                                 "CPUAffinity=%s", svc->cpu_affinity);
        }
        return 0;
}
