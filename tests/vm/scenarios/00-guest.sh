#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The guest is what the vm tier promises: systemd as PID 1, a pure cgroup v2 hierarchy with
# the cpu, memory, io and pids controllers, and the hutch build installed.
. "$VM_LIB"

expect_eq "PID 1 is systemd" "$(cat /proc/1/comm)" systemd
expect_eq "/sys/fs/cgroup is cgroup2 (no v1 hierarchy)" "$(stat -f -c %T /sys/fs/cgroup)" cgroup2fs
controllers=$(cat /sys/fs/cgroup/cgroup.controllers)
for c in cpu memory io pids; do
        expect_match "cgroup2 has the $c controller" " $controllers " " $c "
done
check "hutch is installed and runs (--version)" "$HUTCH" --version
done_testing
