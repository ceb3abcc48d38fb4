/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OOM killer's view of hutch: the supervisor is never its victim; the payload gets the
 * unit's OOMScoreAdjust=, or else what hutch itself was started with.
 *
 * Under systemd the supervisor shares the service's cgroup, and so a MemoryMax= of the service,
 * with the payload. Killed there, nobody is left to report the payload's end or restart it, and
 * the payload runs on unsupervised. So the supervisor takes -1000 (OOM_SCORE_ADJ_MIN), as
 * systemd's own PID 1 and udevd do; it needs CAP_SYS_RESOURCE, and without it stays as it is.
 *
 * The payload must not inherit -1000: a child may lower its value, without privilege, down to
 * the floor the last privileged writer set (the kernel's oom_score_adj_min), which is copied at
 * fork. So the supervisor writes the payload's value to itself just before the clone, which with
 * CAP_SYS_RESOURCE also moves the floor there, and -1000 back just after: the sandbox starts with
 * both value and floor at the payload's, set by a privileged writer, whatever namespaces it then
 * enters. One write each way, about 2 us. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hutch/log.h"
#include "sandbox/sandbox-internal.h"

#define OOM_SCORE_ADJ_MIN (-1000)

static int self_fd = -1; /* /proc/self/oom_score_adj, open for the life of the process */
static int inherited;    /* the value hutch was started with */
static bool protected_;  /* the supervisor holds OOM_SCORE_ADJ_MIN */

static int oom_write(int v) {
        char buf[16];
        int n = snprintf(buf, sizeof buf, "%d", v);
        return write(self_fd, buf, (size_t) n) == n ? 0 : -errno;
}

static int oom_open(void) {
        if (self_fd >= 0)
                return 0;
        int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        char buf[16];
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        if (n <= 0) {
                int r = n < 0 ? -errno : -EIO;
                close(fd);
                return r;
        }
        buf[n] = 0;
        inherited = atoi(buf);
        self_fd = fd;
        return 0;
}

int sandbox_oom_protect(void) {
        int r = oom_open();
        if (r < 0)
                return log_debug_errno(r, "open /proc/self/oom_score_adj: %m; not protected from the "
                                          "OOM killer");
        if (protected_)
                return 0;
        r = oom_write(OOM_SCORE_ADJ_MIN);
        if (r < 0)
                return log_debug_errno(r, "set oom_score_adj to %d: %m; not protected from the OOM killer",
                                       OOM_SCORE_ADJ_MIN);
        protected_ = true;
        return 0;
}

int sandbox_oom_before_clone(const struct hutch_unit *u, struct sandbox_error *e) {
        const struct unit_section_service *svc = &u->service;
        if (!protected_ && !svc->oom_score_adjust_set)
                return 0; /* the sandbox inherits the value as it is */
        int r = oom_open();
        int want = svc->oom_score_adjust_set ? svc->oom_score_adjust : inherited;
        if (r >= 0 && !protected_ && want == inherited)
                return 0;
        if (r >= 0)
                r = oom_write(want);
        if (r < 0) {
                if (svc->oom_score_adjust_set)
                        sandbox_error_set(e, SANDBOX_STEP_RLIMIT, -r, "set oom_score_adj",
                                          "/proc/self/oom_score_adj", "OOMScoreAdjust=%d%s", want,
                                          r == -EACCES ? "; lower than hutch's own needs CAP_SYS_RESOURCE"
                                                       : "");
                else
                        sandbox_error_set(e, SANDBOX_STEP_RLIMIT, -r, "set oom_score_adj",
                                          "/proc/self/oom_score_adj", "the inherited %d", want);
                return r;
        }
        return 1;
}

void sandbox_oom_after_clone(void) {
        (void) oom_write(protected_ ? OOM_SCORE_ADJ_MIN : inherited);
}
