#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# OOMPolicy=: a worker of the service (a child of its main process) goes over MemoryMax= and the
# OOM killer takes it. continue: the main process goes on, the unit stays active; kill: the rest
# of the service is killed at once, the result is oom-kill. (stop, the default: 50-limits-oom-service.)
. "$VM_LIB"

swap=
[ -e /sys/fs/cgroup/system.slice/memory.swap.max ] && swap="MemorySwapMax=0"
for p in continue kill; do
        add_unit vmt-oom-$p <<U
[Service]
ExecStart=/bin/sh -c 'dd if=/dev/zero of=/dev/null bs=256M count=1 2>/dev/null; echo "worker gone"; exec sleep 300'
OOMPolicy=$p
[Resources]
MemoryMax=48M
$swap
U
done
systemctl daemon-reload

check "OOMPolicy=continue: systemctl start" systemctl start vmt-oom-continue.service
check "OOMPolicy=continue: the main process saw its worker killed" wait_until 60 sh -c \
        "journalctl -q --no-pager -u vmt-oom-continue.service -o cat | grep -qx 'worker gone'"
sleep 1
expect_eq "OOMPolicy=continue: the unit is still active" "$(unit_prop vmt-oom-continue.service ActiveState)" active
expect_match "OOMPolicy=continue: hutch said so" \
        "$(journalctl -q --no-pager -u vmt-oom-continue.service -o cat)" "OOMPolicy=continue: the service goes on"
systemctl stop vmt-oom-continue.service
expect_eq "OOMPolicy=continue: stopped cleanly afterwards" \
        "$(unit_prop vmt-oom-continue.service ActiveState) $(unit_prop vmt-oom-continue.service Result)" "inactive success"

systemctl start vmt-oom-kill.service
check "OOMPolicy=kill: the unit ends, failed" wait_until 60 sh -c \
        '[ "$(systemctl show -P ActiveState vmt-oom-kill.service)" = failed ]'
check "OOMPolicy=kill: hutch's exited event says oom-kill" wait_until 30 sh -c \
        "journalctl -q --no-pager -o verbose HUTCH_UNIT=vmt-oom-kill HUTCH_EVENT=exited | grep -q HUTCH_EXIT_REASON=oom-kill"
expect_eq "OOMPolicy=kill: the main process was killed too (137)" \
        "$(unit_prop vmt-oom-kill.service ExecMainStatus)" 137
[ "$(unit_prop vmt-oom-kill.service ActiveState)" = failed ] || unit_diag vmt-oom-kill.service
done_testing
