#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cgroup layout of `hutch run`: the payload in payload/ with its cgroup namespace rooted
# there (seen from inside), hutch's PID 1 of the sandbox beside hutch (outside payload/),
# below hutch-NAME/ when started by hand (hutch itself stays where it
# was started when the unit needs no controller) and directly below the service's cgroup, with
# hutch in supervisor/, when systemd delegated it (simulated: INVOCATION_ID and the delegate
# xattr systemd sets on a test cgroup); removed when the unit ends. (By hand with a controller,
# hutch moves into hutch-NAME/supervisor/: this host has no controllers, the vm tier does.)
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/supervisor-lib.sh"
skip_without_run

# --- By hand, no controller needed: hutch-NAME/payload under the cgroup we run in.
unit "$SV-lay" "/bin/sh -c 'cat /proc/self/cgroup >$O/lay.cg; exec sleep 1000'"
start_bg "$SV-lay"
wait_for 10 test -s "$O/lay.cg"
root=$CG/hutch-$SV-lay
check "hutch-NAME/ made under our cgroup" test -d "$root"
expect_eq "hutch itself stays in the cgroup it was started in" "$(sed -n 's/^0:://p' "/proc/$HPID/cgroup")" \
        "$(sed -n 's/^0:://p' /proc/self/cgroup)"
check "no supervisor/ without a controller to enable" test ! -e "$root/supervisor"
check "the payload is in hutch-NAME/payload/" test -n "$(cat "$root/payload/cgroup.procs")"
pid1=$(tr -d " " <"/proc/$HPID/task/$HPID/children")
expect_eq "the sandbox's PID 1 stays in hutch's cgroup" "$(sed -n 's/^0:://p' "/proc/$pid1/cgroup")" \
        "$(sed -n 's/^0:://p' /proc/self/cgroup)"
expect_eq "payload/ holds the payload alone (not the sandbox's PID 1)" \
        "$(tr '\n' ' ' <"$root/payload/cgroup.procs")" "$(tr -d ' ' <"/proc/$pid1/task/$pid1/children") "
expect_eq "the payload sees its cgroup namespace rooted at payload/" "$(grep '^0::' "$O/lay.cg")" "0::/"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "stopped cleanly" "$RC" 0
check "hutch-NAME/ removed at exit" test ! -e "$root"

# --- Delegated (as under systemd with Delegate=yes): our own cgroup is the root.
D=$CG/hutch-$SV-delegated
mkdir "$D"
if python3 -c "import os,sys; os.setxattr(sys.argv[1], 'trusted.delegate', b'1')" "$D" 2>/dev/null; then
        unit "$SV-dl" "/bin/sh -c 'cat /proc/self/cgroup >$O/dl.cg; exec sleep 1000'"
        INVOCATION_ID=0123456789abcdef0123456789abcdef sh -c \
                'echo $$ >"$0/cgroup.procs" && exec "$1" run "$2"' "$D" "$HUTCH" "$SV-dl" \
                >"$T/dl.out" 2>"$T/dl.err" &
        HPID=$!
        wait_for 10 test -s "$O/dl.cg"
        expect_eq "delegated: hutch and the sandbox's PID 1 are in the service's supervisor/" \
                "$(sort -n "$D/supervisor/cgroup.procs" 2>/dev/null | tr '\n' ' ')" \
                "$(printf '%s\n' "$HPID" $(cat "/proc/$HPID/task/$HPID/children") | sort -n | tr '\n' ' ')"
        check "delegated: the payload is in the service's payload/" test -n "$(cat "$D/payload/cgroup.procs")"
        check "delegated: no hutch-NAME/ inside the service" test ! -e "$D/hutch-$SV-dl"
        expect_eq "delegated: the payload sees its cgroup namespace rooted at payload/" \
                "$(grep '^0::' "$O/dl.cg")" "0::/"
        kill -TERM "$HPID"
        wait_exit "$HPID" 15
        expect_eq "delegated: stopped cleanly" "$RC" 0
        check "delegated: payload/ removed at exit" test ! -e "$D/payload"
        rmdir "$D/supervisor" 2>/dev/null
else
        skip "delegated layout: cannot set the trusted.delegate xattr here"
fi
rmdir "$D" 2>/dev/null

# --- One hutch per unit on the machine: a second `hutch run` from another cgroup is refused too.
unit "$SV-one" "/bin/sh -c 'echo up >$O/one; exec sleep 1000'"
start_bg "$SV-one"
first=$HPID
wait_for 10 test -s "$O/one"
E=$CG/hutch-$SV-elsewhere
mkdir "$E"
sh -c 'echo $$ >"$0/cgroup.procs" && exec "$1" run "$2"' "$E" "$HUTCH" "$SV-one" >"$T/one2.out" 2>"$T/one2.err"
RC=$?
expect_eq "second run from another cgroup: refused with 125" "$RC" 125
expect_match "second run from another cgroup: says it is running" "$(cat "$T/one2.err")" "already running"
check "second run from another cgroup: made no cgroup there" test ! -e "$E/hutch-$SV-one"
check "the first run is untouched" kill -0 "$first"
kill -TERM "$first"
wait_exit "$first" 15
expect_eq "the first run stops cleanly" "$RC" 0
rmdir "$E" 2>/dev/null

# --- A process an earlier run left in hutch-NAME/payload/ (no hutch runs the unit): the start is
# refused, naming it, and hutch does not kill what it did not start.
L=$CG/hutch-$SV-left
mkdir -p "$L/payload"
sleep 300 &
left=$!
echo "$left" >"$L/payload/cgroup.procs"
unit "$SV-left" "/bin/true"
run_unit "$SV-left"
expect_eq "leftover process in payload/: refused with 125" "$RC" 125
expect_match "... saying it is left from an earlier run, with its pid" "$ERR" \
        "processes of an earlier run of $SV-left are still in cgroup .*hutch-$SV-left \\(pids $left\\)"
check "... and the leftover process still runs" kill -0 "$left"
kill "$left"
wait "$left" 2>/dev/null
rmdir "$L/payload" "$L"
check "the test's leftover cgroup is removed" test ! -e "$L"

# --- An empty tree an earlier run left, with a cgroup below payload/ that hutch did not make: it
# cannot be removed, and running in it would keep that run's limit files; refused, saying so.
S=$CG/hutch-$SV-stale
mkdir -p "$S/payload/sub"
unit "$SV-stale" "/bin/true"
run_unit "$SV-stale"
expect_eq "stale tree with a foreign child cgroup: refused with 125" "$RC" 125
expect_match "... saying what to remove" "$ERR" "remove the cgroup .*hutch-$SV-stale an earlier run left: .*remove the cgroups below it"
check "... and the foreign cgroup is left alone" test -d "$S/payload/sub"
rmdir "$S/payload/sub" "$S/payload" "$S"
check "the test's stale cgroups are removed" test ! -e "$S"

done_testing
