#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# TasksMax= enforced (issue 4 point 8): a fork bomb in the payload stops at TasksMax=, the guest
# stays responsive, and `systemctl stop` clears every process of it.
. "$VM_LIB"

install_unit vmt-lim-bomb <<'U'
[Service]
ExecStart=/bin/sh -c 'echo "bomb up"; b() { b | b & }; b; exec sleep infinity'
TimeoutStopSec=5s
[Resources]
TasksMax=40
U

systemctl start vmt-lim-bomb.service
cg=$(unit_cgroup vmt-lim-bomb.service)
p=$cg/payload
maxhit() { [ "$(awk '$1 == "max" { print $2 }' "$p/pids.events")" -gt 0 ]; }
check "the bomb hits TasksMax= (pids.events max > 0)" wait_until 30 maxhit
peak=0
for i in $(seq 20); do
        n=$(cat "$p/pids.current")
        [ "$n" -gt "$peak" ] && peak=$n
        sleep 0.2
done
check "the payload never holds more than 40 tasks (peak $peak)" test "$peak" -le 40
expect_eq "pids.max is 40" "$(cat "$p/pids.max")" 40
t0=$(date +%s%N)
check "the guest answers: a new process starts and systemd responds" \
        sh -c "timeout 20 systemctl show -P ActiveState vmt-lim-bomb.service >/dev/null"
ms=$((($(date +%s%N) - t0) / 1000000))
check "... within 10 s (${ms} ms)" test "$ms" -lt 10000
expect_eq "the unit stays active (hutch is outside payload/, not counted)" \
        "$(unit_prop vmt-lim-bomb.service ActiveState)" active
t0=$(date +%s%N)
systemctl stop vmt-lim-bomb.service
ms=$((($(date +%s%N) - t0) / 1000000))
check "systemctl stop ends it within TimeoutStopSec=5s and a margin (${ms} ms)" test "$ms" -lt 12000
check "no process of the bomb is left in $cg" test -z "$(cgroup_pids "$cg")"
done_testing
