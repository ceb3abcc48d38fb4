#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# CPUWeight= enforced (issue 4 point 8): two busy units on one CPU, CPUWeight=100 and 400, share
# it about 1:4. Weights only count between siblings, so both run with `hutch run` from the root
# cgroup: hutch-NAME/ of each is a direct child of it, with the weight written there (systemd's
# own services carry their weight at the service level, which systemd owns).
. "$VM_LIB"

mkdir -p "$T/units"
for u in lo:100 hi:400; do
        cat >"$T/units/vmt-cpu-${u%%:*}.hutch" <<U
[Service]
ExecStart=/bin/sh -c 'while :; do :; done'
[Resources]
CPUWeight=${u#*:}
AllowedCPUs=0
U
done
# run_from_root NAME: `hutch run NAME` started from the root cgroup (not under systemd).
run_from_root() {
        env -u INVOCATION_ID -u NOTIFY_SOCKET sh -c \
                'echo $$ >/sys/fs/cgroup/cgroup.procs && exec "$0" run --unit-path "$1" "$2"' \
                "$HUTCH" "$T/units" "$1" >"$T/$1.log" 2>&1 &
}
run_from_root vmt-cpu-lo
lo_pid=$!
run_from_root vmt-cpu-hi
hi_pid=$!
lo=/sys/fs/cgroup/hutch-vmt-cpu-lo
hi=/sys/fs/cgroup/hutch-vmt-cpu-hi
check "both units run (hutch-NAME/payload populated)" wait_until 20 sh -c \
        "grep -q 'populated 1' $lo/payload/cgroup.events && grep -q 'populated 1' $hi/payload/cgroup.events"
check "by hand with a controller to enable, hutch moved into hutch-NAME/supervisor/" \
        grep -qx "$lo_pid" $lo/supervisor/cgroup.procs
expect_eq "CPUWeight=100 on hutch-vmt-cpu-lo/" "$(cat $lo/cpu.weight 2>/dev/null)" 100
expect_eq "CPUWeight=400 on hutch-vmt-cpu-hi/" "$(cat $hi/cpu.weight 2>/dev/null)" 400
expect_eq "both pinned to CPU 0" "$(cat $lo/payload/cpuset.cpus.effective 2>/dev/null),$(cat $hi/payload/cpuset.cpus.effective 2>/dev/null)" "0,0"
usage() { awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat"; }
sleep 3
l0=$(usage $lo) h0=$(usage $hi)
sleep 12
l1=$(usage $lo) h1=$(usage $hi)
dl=$((l1 - l0)) dh=$((h1 - h0))
diag "cpu time in 12 s: weight 100 ${dl} us, weight 400 ${dh} us"
ratio=$(awk -v a="$dh" -v b="$dl" 'BEGIN { if (b <= 0) print 0; else printf "%.2f", a / b }')
check "weight 400 vs 100 gets about 4 times the CPU (ratio $ratio, bounds 2.5..6.5)" \
        awk -v r="$ratio" 'BEGIN { exit !(r >= 2.5 && r <= 6.5) }'
check "together they use about one CPU (${dl}+${dh} us of 12 s)" test $((dl + dh)) -ge 6000000
kill -TERM $lo_pid $hi_pid
wait $lo_pid
rl=$?
wait $hi_pid
rh=$?
expect_eq "SIGTERM stops both hutch runs cleanly" "$rl,$rh" "0,0"
check "their cgroups are removed" test ! -e $lo -a ! -e $hi
done_testing
