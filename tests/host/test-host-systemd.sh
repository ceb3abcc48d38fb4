#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# host_under_systemd(): hutch believes it runs as a systemd service only with INVOCATION_ID set
# AND its cgroup (or the cgroup above "supervisor/") marked delegated (trusted.delegate=1, as
# systemd marks a Delegate=yes service). The test makes its own cgroups under the cgroup2
# mount, runs the probe inside them, and removes them.
. "$(dirname "$0")/lib.sh"
require_root
PROBE=${HOST_LINK_PROBE:?HOST_LINK_PROBE must point at host-link-probe}

if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
        MNT=/sys/fs/cgroup
elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
        MNT=/sys/fs/cgroup/unified
else
        echo "1..0 # SKIP no cgroup2 mount"
        exit 0
fi
own=$(sed -n 's/^0:://p' /proc/self/cgroup)
CG=$MNT${own%/}/hutch-test-systemd.$$
mkdir "$CG" || { echo "1..0 # SKIP cannot create a cgroup under $MNT$own"; exit 0; }
trap 'rmdir "$CG/supervisor" "$CG/plain" "$CG" 2>/dev/null; _cleanup' EXIT
mkdir "$CG/supervisor" "$CG/plain"

# in_cgroup DIR [ENV...]: runs the probe's under-systemd inside the cgroup DIR.
in_cgroup() {
        local dir=$1; shift
        env "$@" sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" under-systemd' sh "$dir" "$PROBE"
}

expect_eq "undelegated cgroup, no INVOCATION_ID: not under systemd" "$(in_cgroup "$CG" -u INVOCATION_ID)" no
expect_eq "undelegated cgroup with INVOCATION_ID: not under systemd" "$(in_cgroup "$CG" INVOCATION_ID=1)" no
if ! "$PROBE" mark-delegated "$CG" 2>"$T/err"; then
        skip "cgroupfs refuses trusted.* xattrs: $(cat "$T/err")"
        done_testing
        exit
fi
expect_eq "delegated cgroup with INVOCATION_ID: under systemd" "$(in_cgroup "$CG" INVOCATION_ID=1)" yes
expect_eq "delegated cgroup without INVOCATION_ID: not under systemd" "$(in_cgroup "$CG" -u INVOCATION_ID)" no
expect_eq "in supervisor/ below the delegated cgroup: under systemd" \
        "$(in_cgroup "$CG/supervisor" INVOCATION_ID=1)" yes
expect_eq "in another child of the delegated cgroup: not (only supervisor/ counts)" \
        "$(in_cgroup "$CG/plain" INVOCATION_ID=1)" no

done_testing
