#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# [Resources] reach the kernel (issue 4 points 1 and 8): under systemd (Delegate=yes) hutch
# makes supervisor/ and payload/ in the service's cgroup, enables the controllers and writes
# every key into payload/'s interface files; the payload's cgroup namespace is rooted there.
. "$VM_LIB"

have_swap_files=no
[ -e /sys/fs/cgroup/system.slice/memory.swap.max ] && have_swap_files=yes
install_unit vmt-lim-files <<U
[Service]
ExecStart=/bin/sh -c 'echo "cgroup seen inside: \$\$(cat /proc/self/cgroup)"; exec sleep infinity'
[Resources]
CPUWeight=250
CPUQuota=50%
AllowedCPUs=0
MemoryMin=4M
MemoryLow=8M
MemoryHigh=150M
MemoryMax=200M
$([ "$have_swap_files" = yes ] && echo "MemorySwapMax=16M")
TasksMax=77
IOWeight=300
U

if systemctl start vmt-lim-files.service; then ok "systemctl start of a unit with every [Resources] key"
else fail "systemctl start of a unit with every [Resources] key"; fi
cg=$(unit_cgroup vmt-lim-files.service)
p=$cg/payload
check "payload/ exists in the service's cgroup" test -d "$p"
mainpid=$(unit_prop vmt-lim-files.service MainPID)
check "hutch (MainPID $mainpid) sits in supervisor/" grep -qx "$mainpid" "$cg/supervisor/cgroup.procs"
check "the payload runs in payload/" wait_until 10 sh -c "[ -n \"\$(cat $p/cgroup.procs)\" ]"
ctl=$(cat "$cg/cgroup.subtree_control")
for c in cpu cpuset io memory pids; do
        expect_match "controller $c enabled for payload/" "$ctl" "(^| )$c( |$)"
done
expect_eq "CPUWeight=250 -> cpu.weight" "$(cat "$p/cpu.weight")" 250
expect_eq "CPUQuota=50% -> cpu.max" "$(cat "$p/cpu.max")" "50000 100000"
expect_eq "AllowedCPUs=0 -> cpuset.cpus" "$(cat "$p/cpuset.cpus")" 0
expect_eq "MemoryMin=4M -> memory.min" "$(cat "$p/memory.min")" $((4 * 1024 * 1024))
expect_eq "MemoryLow=8M -> memory.low" "$(cat "$p/memory.low")" $((8 * 1024 * 1024))
expect_eq "MemoryHigh=150M -> memory.high" "$(cat "$p/memory.high")" $((150 * 1024 * 1024))
expect_eq "MemoryMax=200M -> memory.max" "$(cat "$p/memory.max")" $((200 * 1024 * 1024))
if [ "$have_swap_files" = yes ]; then
        expect_eq "MemorySwapMax=16M -> memory.swap.max" "$(cat "$p/memory.swap.max")" $((16 * 1024 * 1024))
else
        skip "MemorySwapMax=: the guest kernel has no swap accounting"
fi
expect_eq "TasksMax=77 -> pids.max" "$(cat "$p/pids.max")" 77
expect_match "IOWeight=300 -> io.weight" "$(cat "$p/io.weight")" "^default 300$"
expect_eq "hutch's own cgroup is not limited (supervisor/memory.max)" "$(cat "$cg/supervisor/memory.max")" max
check "the payload's cgroup namespace is rooted at payload/" wait_until 10 sh -c \
        'journalctl -q --no-pager -u vmt-lim-files.service -o cat | grep -qx "cgroup seen inside: 0::/"'

systemctl stop vmt-lim-files.service
check "after stop, payload/ is gone" test ! -e "$p"
done_testing
