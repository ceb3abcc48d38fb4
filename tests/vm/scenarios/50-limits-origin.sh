#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `hutch run` by hand from a cgroup of its own (not the root, not systemd's delegation), with a
# limit to enforce: hutch moves into hutch-NAME/supervisor/ and enables the controller in the
# cgroup it started in. At the end that cgroup must be as it was: no controller left enabled in
# its cgroup.subtree_control (which would keep any process out of it: cgroup v2's "no internal
# processes"), no hutch-NAME/ left below it, and able to hold a process again. Also after a start
# that fails once the controllers are on.
. "$VM_LIB"

origin=/sys/fs/cgroup/vmt-origin
mkdir -p "$T/units" "$origin"
cat >"$T/units/vmt-orig.hutch" <<'U'
[Service]
ExecStart=/bin/sleep infinity
[Resources]
MemoryMax=64M
TasksMax=20
U
# run_from NAME: `hutch run NAME` started as the only process of $origin.
run_from() {
        env -u INVOCATION_ID -u NOTIFY_SOCKET sh -c \
                'echo $$ >"$0/cgroup.procs" && exec "$1" run --unit-path "$2" "$3"' \
                "$origin" "$HUTCH" "$T/units" "$1" >"$T/$1.log" 2>&1 &
}
before=$(cat $origin/cgroup.subtree_control)
run_from vmt-orig
pid=$!
tree=$origin/hutch-vmt-orig
check "the payload runs below the origin" wait_until 20 grep -q 'populated 1' $tree/payload/cgroup.events
check "hutch moved into hutch-vmt-orig/supervisor/" grep -qx "$pid" $tree/supervisor/cgroup.procs
check "memory and pids are enabled in the origin meanwhile" \
        sh -c "grep -qw memory $origin/cgroup.subtree_control && grep -qw pids $origin/cgroup.subtree_control"
expect_eq "MemoryMax=64M is on payload/" "$(cat $tree/payload/memory.max)" 67108864
kill -TERM $pid
wait $pid
expect_eq "SIGTERM stops it cleanly" "$?" 0
check "hutch-vmt-orig/ is removed" test ! -e $tree
expect_eq "the origin's cgroup.subtree_control is back as it was" "$(cat $origin/cgroup.subtree_control)" "$before"
check "the origin can hold a process again" \
        sh -c "echo \$\$ >$origin/cgroup.procs && echo \$\$ >/sys/fs/cgroup/cgroup.procs"
check "hutch said nothing was left behind" sh -c "! grep -q 'left behind\|disable controllers' '$T/vmt-orig.log'"

# A start that fails after the controllers were enabled: the kernel refuses a pids.max above its
# PID_MAX_LIMIT (4194304), which hutch writes once the tree is built.
cat >"$T/units/vmt-orig-bad.hutch" <<'U'
[Service]
ExecStart=/bin/true
[Resources]
MemoryMax=64M
TasksMax=5000000
U
run_from vmt-orig-bad
wait $!
rc=$?
diag "$(cat "$T/vmt-orig-bad.log")"
check "the start fails (exit $rc)" test "$rc" -ne 0
check "... at the pids.max write" grep -q 'TasksMax: write "5000000" to .*pids.max' "$T/vmt-orig-bad.log"
check "hutch-vmt-orig-bad/ is removed" test ! -e $origin/hutch-vmt-orig-bad
expect_eq "the origin's cgroup.subtree_control is back as it was" "$(cat $origin/cgroup.subtree_control)" "$before"
rmdir $origin
check "the origin is removed at the end" test ! -e $origin
done_testing
