#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# IOWeight= reaches the disk's scheduler whichever it is: io.weight (blk-iocost) and, where the
# BFQ scheduler is in use, io.bfq.weight, on BFQ's 1..1000 scale as systemd maps it (200 -> 109).
# The guest's disk is switched to BFQ for this (the guest is ours; the host is not touched).
. "$VM_LIB"

dev=$(lsblk -ndo NAME,TYPE | awk '$2 == "disk" { print $1; exit }')
modprobe bfq 2>/dev/null
if [ -z "$dev" ] || ! grep -qw bfq "/sys/block/$dev/queue/scheduler" 2>/dev/null; then
        skip "no BFQ scheduler for the guest's disk"
        skip "no BFQ scheduler for the guest's disk"
        skip "no BFQ scheduler for the guest's disk"
        done_testing
        exit
fi
old=$(sed -n 's/.*\[\(.*\)\].*/\1/p' "/sys/block/$dev/queue/scheduler")
echo bfq >"/sys/block/$dev/queue/scheduler"
install_unit vmt-lim-io <<'U'
[Service]
ExecStart=/bin/sleep infinity
[Resources]
IOWeight=200
U
systemctl start vmt-lim-io.service
p=$(unit_cgroup vmt-lim-io.service)/payload
check "the unit runs" wait_until 20 sh -c "grep -q 'populated 1' $p/cgroup.events"
expect_eq "io.weight is IOWeight=200" "$(sed -n 's/^default //p' "$p/io.weight")" 200
expect_eq "io.bfq.weight is 200 on BFQ's scale, 109" "$(sed -n 's/^default //p' "$p/io.bfq.weight")" 109
systemctl stop vmt-lim-io.service
echo "$old" >"/sys/block/$dev/queue/scheduler"
done_testing
