/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities of the payload: CapabilityBoundingSet= (default empty) and
 * AmbientCapabilities=. Runs in the sandbox child between clone3 and execve, so nothing here
 * allocates or logs: libcap's thin wrappers around capset(2) and prctl(2) only.
 *
 * What the payload ends up with after execve (capabilities(7)):
 *   root payload:     permitted = effective = the bounding set (root's file set is full)
 *   non-root payload: permitted = effective = ambient (for a binary without file caps)
 * so the bounding set is always the ceiling and, with the default empty set, a root payload
 * has CapEff 0. */

#include <errno.h>
#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox/security.h"

static unsigned last_cap(void) {
        /* cap_max_bits() is what the running kernel knows (libcap reads it once at load). */
        int n = cap_max_bits();
        if (n <= 0 || n > 64)
                n = CAP_LAST_CAP + 1;
        return (unsigned) n - 1;
}

int caps_drop_bounding(const struct hutch_unit *u) {
        uint64_t keep = u->security.capability_bounding_set;
        for (unsigned c = 0; c <= last_cap(); c++) {
                if (keep & (UINT64_C(1) << c))
                        continue;
                /* cap_drop_bound() is prctl(PR_CAPBSET_DROP); needs CAP_SETPCAP, which the
                 * child has as uid 0 of the host or of its own user namespace. */
                if (cap_drop_bound((cap_value_t) c) < 0 && errno != EINVAL)
                        return -errno;
        }
        return 0;
}

int caps_raise_inheritable_kill(void) {
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct d[2];
        if (capget(&h, d) < 0)
                return -errno;
        d[CAP_TO_INDEX(CAP_KILL)].inheritable |= CAP_TO_MASK(CAP_KILL);
        if (capset(&h, d) < 0)
                return -errno;
        return 0;
}

int caps_keep_across_setuid(void) {
        /* Without it, setresuid() away from uid 0 empties the permitted set, and ambient
         * capabilities could no longer be raised. Cleared again by execve. */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return -errno;
        return 0;
}

int caps_apply(const struct hutch_unit *u, int *ret_missing) {
        *ret_missing = -1;
        uint64_t bounding = u->security.capability_bounding_set;
        uint64_t ambient = u->security.ambient_capabilities & bounding;
        /* A root payload keeps what the bounding set allows (execve would give it that anyway);
         * any other user only what it gets as ambient. Inheritable must hold the ambient set
         * for the kernel to accept it. */
        uint64_t want = geteuid() == 0 ? bounding : ambient;

        /* Only what hutch holds can be passed on: a host may withhold a capability from hutch
         * itself (its bounding set lacks it). A root payload then gets the rest of its bounding
         * set, as systemd's root services get what the manager holds; an ambient capability
         * hutch lacks is an error, with the first one named in *ret_missing. */
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
        struct __user_cap_data_struct held[2];
        if (capget(&h, held) < 0)
                return -errno;
        uint64_t have = (uint64_t) held[1].permitted << 32 | held[0].permitted;
        if (ambient & ~have) {
                *ret_missing = __builtin_ctzll(ambient & ~have);
                return -EPERM;
        }
        want &= have;

        struct __user_cap_data_struct d[2] = {
                {.effective = (uint32_t) want, .permitted = (uint32_t) want, .inheritable = (uint32_t) want},
                {.effective = (uint32_t) (want >> 32),
                 .permitted = (uint32_t) (want >> 32),
                 .inheritable = (uint32_t) (want >> 32)},
        };
        if (capset(&h, d) < 0)
                return -errno;

        /* Ambient: start from nothing so no capability from hutch's own environment leaks.
         * One prctl: libcap's cap_reset_ambient() first asks about every capability in turn. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        for (unsigned c = 0; c <= last_cap(); c++)
                if (ambient & (UINT64_C(1) << c))
                        if (cap_set_ambient((cap_value_t) c, CAP_SET) < 0)
                                return -errno;
        return 0;
}
