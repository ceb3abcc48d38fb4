#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# MemoryMax=N% and TasksMax=N% are fractions of what the machine has, and in a container that is
# the container's cgroup limit, as systemd computes it: memory.max and pids.max of the root
# cgroup as PID 1 sees it. The container here is a cgroup of the guest's with a memory.max and a
# pids.max, entered with a cgroup, PID and mount namespace of its own (PID 1 in it, cgroup2
# mounted from inside, as a container runtime does; over a tmpfs, since the kernel refuses the
# same superblock right on top of itself).
. "$VM_LIB"

cg=/sys/fs/cgroup/vmt-percent
pct_cleanup() {
        _vm_cleanup
        rmdir "$cg" 2>/dev/null
}
trap pct_cleanup EXIT

for c in memory pids; do
        grep -qw $c /sys/fs/cgroup/cgroup.subtree_control || echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control
done
mkdir -p "$cg" "$T/units"
echo 64M >"$cg/memory.max"
echo 200 >"$cg/pids.max"
cat >"$T/units/pct.hutch" <<'U'
[Service]
ExecStart=/bin/true
[Resources]
MemoryMax=50%
MemoryHigh=25%
TasksMax=50%
U
show() { "$HUTCH" show --unit-path "$T/units" pct | grep -E '^(MemoryMax|MemoryHigh|TasksMax)='; }

host=$(show)
mem=$(($(getconf _PHYS_PAGES) * $(getconf PAGESIZE)))
tasks=$(($(cat /proc/sys/kernel/pid_max) - 1))
[ "$(cat /proc/sys/kernel/threads-max)" -lt "$tasks" ] && tasks=$(cat /proc/sys/kernel/threads-max)
pages() { echo $(($1 / $(getconf PAGESIZE) * $(getconf PAGESIZE))); }
# show's sizes carry a suffix when it is exact: back to bytes.
bytes_of() {
        local v=${1#*=}
        case $v in
        *K) echo $((${v%K} * 1024)) ;;
        *M) echo $((${v%M} * 1024 * 1024)) ;;
        *G) echo $((${v%G} * 1024 * 1024 * 1024)) ;;
        *) echo "$v" ;;
        esac
}
diag "on the guest itself:" "$host"
expect_eq "on the guest, MemoryMax=50% is half its memory ($mem bytes)" \
        "$(bytes_of "$(printf '%s\n' "$host" | grep '^MemoryMax=')")" "$(pages $((mem / 2)))"
expect_match "on the guest, TasksMax=50% is half of pid_max - 1 or threads-max ($tasks)" "$host" \
        "^TasksMax=$((tasks / 2))$"

inside=$(sh -c 'echo $$ >'"$cg"'/cgroup.procs; exec unshare -C -m -p -f --mount-proc --propagation private \
        sh -c "mount -t tmpfs none /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && cat /proc/1/cgroup && cat /sys/fs/cgroup/memory.max && '"$HUTCH"' show --unit-path '"$T/units"' pct"')
diag "in the container:" "$(printf '%s\n' "$inside" | head -3)"
expect_match "in the container, MemoryMax=50% is half of its memory.max of 64M" "$inside" "^MemoryMax=32M$"
expect_match "... MemoryHigh=25% a quarter" "$inside" "^MemoryHigh=16M$"
expect_match "... TasksMax=50% half of its pids.max of 200" "$inside" "^TasksMax=100$"
done_testing
