#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Control commands: ExecCondition=, ExecStartPre=, ExecStartPost=, ExecReload=, ExecStop= and
# ExecStopPost= run in systemd's order with systemd's results, the ones that run while the service
# does run inside its sandbox (proven from inside: they see its private /tmp, its processes, its
# user namespace, with its identity and restrictions), the others in a sandbox of their own.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/supervisor-lib.sh"
skip_without_run

# step NAME: appends "NAME" to $O/$UNIT.log (the unit's own log of what ran, in order).
cat >"$O/step.sh" <<'EOF'
echo "$2" >>"$1"
EOF
# What a command sees of itself and of the sandbox it runs in, one KEY=VALUE per line.
cat >"$O/probe.sh" <<'EOF'
out=$1
# In the service's sandbox: wait for its marker (it may still be on its way there).
if [ -n "$MAINPID" ]; then
        for i in $(seq 100); do [ -e /tmp/marker ] && break; sleep 0.05; done
fi
{
        echo "uid=$(id -u)"
        echo "capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)"
        echo "nnp=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/self/status)"
        echo "seccomp=$(sed -n 's/^Seccomp:[[:space:]]*//p' /proc/self/status)"
        echo "uidmap=$(tr -s ' ' </proc/self/uid_map | sed 's/^ //')"
        echo "pidns=$(readlink /proc/self/ns/pid)"
        echo "mntns=$(readlink /proc/self/ns/mnt)"
        echo "netns=$(readlink /proc/self/ns/net)"
        echo "cgroup=$(sed -n 's/^0:://p' /proc/self/cgroup)"
        echo "tmp=$(cat /tmp/marker 2>/dev/null || echo none)"
        echo "mainpid=${MAINPID:-unset}"
        [ -n "$MAINPID" ] && echo "maincmd=$(tr '\0' ' ' </proc/$MAINPID/cmdline)"
        echo "result=${SERVICE_RESULT:-unset} code=${EXIT_CODE:-unset} status=${EXIT_STATUS:-unset}"
        touch /etc/hutch-control-probe 2>/dev/null && echo "rootrw=yes" || echo "rootrw=no"
} >"$out"
EOF
# The service: records what it sees, puts a marker in its private /tmp, and waits; SIGHUP
# is logged; SIGTERM ends it.
cat >"$O/main.sh" <<'EOF'
log=$1
sh "${0%/*}/probe.sh" "$log.main"
echo main-tmp >/tmp/marker
trap 'echo hup >>"$log"' HUP
trap 'echo term >>"$log"; exit 0' TERM
echo main >>"$log"
while :; do sleep 0.1; done
EOF
chmod 0755 "$O"/*.sh
# User= (under PrivateUsers=, a host uid of the unit's range) must reach $O.
chmod 0711 "$T"

val() { sed -n "s/^$2=//p" "$1"; }
declare -A n

# --- The whole order, under User= and PrivateUsers=, with PrivateTmp= (the default here): $O is
# bound on /mnt, since the sandbox's /tmp is its own.
L=$O/full.log
M=/mnt
unit_file "$SV-full" <<UNIT
[Service]
ExecCondition=/bin/sh $M/step.sh $M/full.log condition
ExecStartPre=/bin/sh $M/step.sh $M/full.log pre1
ExecStartPre=/bin/sh $M/probe.sh $M/full.log.pre
ExecStartPre=-/bin/false
ExecStart=/bin/sh $M/main.sh $M/full.log
ExecStartPost=/bin/sh $M/probe.sh $M/full.log.post
ExecStartPost=/bin/sh $M/step.sh $M/full.log post
ExecReload=/bin/sh $M/step.sh $M/full.log reload
ExecReload=/bin/kill -HUP \$MAINPID
ExecStop=/bin/sh $M/probe.sh $M/full.log.stop
ExecStop=/bin/sh $M/step.sh $M/full.log stop
ExecStopPost=/bin/sh $M/probe.sh $M/full.log.stoppost
ExecStopPost=/bin/sh $M/step.sh $M/full.log stoppost
User=nobody
[Sandbox]
PrivateUsers=yes
BindPaths=$O:$M
UNIT
start_bg "$SV-full"
wait_for 10 grep -qx post "$L"
kill -HUP "$HPID"
wait_for 10 grep -qx hup "$L"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "order: condition, pre, main, post, reload (then the service's SIGHUP), stop, term, stoppost" \
        "$(paste -sd' ' "$L")" "condition pre1 main post reload hup stop term stoppost"
expect_eq "a stopped service: hutch exits 0" "$RC" 0

# ExecStartPost= and ExecStop= ran inside the service's sandbox.
for c in post stop; do
        f=$L.$c
        expect_eq "ExecStart${c/post/Post}/${c}: in the service's PID, mount and network namespaces" \
                "$(val "$f" pidns) $(val "$f" mntns) $(val "$f" netns)" \
                "$(val "$L.main" pidns) $(val "$L.main" mntns) $(val "$L.main" netns)"
        expect_eq "$c: sees the service's private /tmp" "$(val "$f" tmp)" main-tmp
        expect_eq "$c: in its user namespace (the same uid_map)" "$(val "$f" uidmap)" "$(val "$L.main" uidmap)"
        expect_match "$c: \$MAINPID is the service's main process as the sandbox numbers it" \
                "$(val "$f" mainpid) $(val "$f" maincmd)" "^[0-9]+ /bin/sh $M/main.sh"
        expect_eq "$c: User=, no capabilities, no_new_privs, the seccomp filter, the service's cgroup" \
                "$(val "$f" uid) $(val "$f" capeff) $(val "$f" nnp) $(val "$f" seccomp) $(val "$f" cgroup)" \
                "65534 0000000000000000 1 2 /"
        expect_eq "$c: the root is read-only" "$(val "$f" rootrw)" no
done
expect_eq "ExecStop=: \$SERVICE_RESULT while the service still runs" "$(val "$L.stop" result)" \
        "success code=unset status=unset"

# ExecStartPre= and ExecStopPost= ran in sandboxes of their own, as restricted.
for c in pre stoppost; do
        f=$L.$c
        # (Not compared with the service's namespaces: they exist at different times, and the
        # kernel may give a new namespace the number of one that is gone. The /tmp below tells.)
        check "$c: PID and mount namespaces not the host's" \
                [ "$(val "$f" pidns)" != "$(readlink /proc/self/ns/pid)" ] && [ "$(val "$f" mntns)" != "$(readlink /proc/self/ns/mnt)" ]
        expect_eq "$c: not the service's /tmp (a private one of its own)" "$(val "$f" tmp)" none
        expect_eq "$c: the unit's user namespace range, User=, no capabilities, the filter" \
                "$(val "$f" uidmap) $(val "$f" uid) $(val "$f" capeff) $(val "$f" nnp) $(val "$f" seccomp)" \
                "$(val "$L.main" uidmap) 65534 0000000000000000 1 2"
        expect_eq "$c: no \$MAINPID" "$(val "$f" mainpid)" unset
        expect_eq "$c: the root is read-only" "$(val "$f" rootrw)" no
done
expect_eq "ExecStopPost=: SERVICE_RESULT, EXIT_CODE, EXIT_STATUS of the stopped service" \
        "$(val "$L.stoppost" result)" "success code=exited status=0"
expect_eq "nothing left: the unit's cgroup is gone" "$(ls -d "$CG/hutch-$SV-full" 2>/dev/null)" ""

# --- ExecCondition=: 1-254 skips the start (no failure, no restart); 255 is a failure.
for c in 1 255; do
        L=$O/cond$c.log
        unit "$SV-cond$c" "/bin/sh $O/step.sh $L main" "ExecCondition=/bin/sh -c 'exit $c'" \
                "ExecStopPost=/bin/sh $O/probe.sh $L.stoppost" "Restart=always" "RestartSec=0"
        run_unit "$SV-cond$c"
        expect_eq "ExecCondition= exit $c: ExecStart= never ran" "$(cat "$L" 2>/dev/null)" ""
done
run_unit "$SV-cond1"
expect_eq "ExecCondition= exit 1: exit status 0, skipped, not restarted" \
        "$RC $(echo "$ERR" | grep -c 'restarting in') $(echo "$ERR" | grep -c 'the start is skipped')" "0 0 1"
expect_eq "ExecCondition= exit 1: ExecStopPost= sees exec-condition" "$(val "$O/cond1.log.stoppost" result)" \
        "exec-condition code=exited status=1"
unit "$SV-cond255" "/bin/true" "ExecCondition=/bin/sh -c 'exit 255'"
run_unit "$SV-cond255"
expect_eq "ExecCondition= exit 255: a failure, hutch exits 255" "$RC" 255
expect_match "ExecCondition= exit 255: the result is exit-code" "$ERR" "failed with result 'exit-code'"

# --- A failing ExecStartPre=: the start fails, ExecStopPost= runs, Restart= applies.
L=$O/prefail.log
unit_file "$SV-prefail" <<UNIT
[Unit]
StartLimitBurst=3
[Service]
ExecStartPre=/bin/sh -c 'echo pre >>$L; exit 3'
ExecStartPre=/bin/sh $O/step.sh $L never
ExecStart=/bin/sh $O/step.sh $L main
ExecStopPost=/bin/sh $O/probe.sh $L.stoppost
Restart=on-failure
RestartSec=0
[Sandbox]
PrivateTmp=no
ReadWritePaths=$O
UNIT
run_unit "$SV-prefail"
expect_eq "failing ExecStartPre=: ExecStart= and the next ExecStartPre= never ran; three starts" \
        "$(paste -sd' ' "$L")" "pre pre pre"
expect_eq "failing ExecStartPre=: hutch exits with its status after the start limit" "$RC" 3
expect_match "failing ExecStartPre=: restarted (Restart=on-failure) until the start limit" "$ERR" \
        "reason=start-limit-hit"
expect_eq "failing ExecStartPre=: ExecStopPost= sees its result" "$(val "$L.stoppost" result)" \
        "exit-code code=exited status=3"

# --- A stop while ExecStartPre= runs: it gets KillSignal=, the start is called off, ExecStopPost= runs.
L=$O/prestop.log
unit "$SV-prestop" "/bin/sh $O/step.sh $L main" \
        "ExecStartPre=/bin/sh -c 'echo pre >>$L; trap \"echo pre-term >>$L; exit 1\" TERM; while :; do sleep 0.1; done'" \
        "ExecStopPost=/bin/sh $O/step.sh $L stoppost"
start_bg "$SV-prestop"
wait_for 10 grep -qx pre "$L"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "stop during ExecStartPre=: it got SIGTERM, ExecStart= never ran, ExecStopPost= did" \
        "$(paste -sd' ' "$L")" "pre pre-term stoppost"
expect_eq "stop during ExecStartPre=: hutch exits 0" "$RC" 0

# --- A failing ExecStartPost=: the service is stopped, the result is exit-code.
L=$O/postfail.log
unit "$SV-postfail" "/bin/sh $O/main.sh $L" "ExecStartPost=/bin/sh -c 'until grep -q main $L; do sleep 0.05; done; exit 4'" \
        "ExecStop=/bin/sh $O/step.sh $L stop" "ExecStopPost=/bin/sh $O/probe.sh $L.stoppost"
run_unit "$SV-postfail"
expect_eq "failing ExecStartPost=: the service got SIGTERM; ExecStop= did not run (it never started)" \
        "$(paste -sd' ' "$L")" "main term"
check "failing ExecStartPost=: a failure (status $RC)" [ "$RC" -ne 0 ]
expect_match "failing ExecStartPost=: the result is exit-code" "$ERR" "failed with result 'exit-code'"

# --- ExecStop= that outlives TimeoutStopSec=: killed, then KillSignal=; the result is timeout.
L=$O/stoptimeout.log
unit "$SV-stoptimeout" "/bin/sh $O/main.sh $L" "ExecStop=/bin/sh -c 'echo stop >>$L; exec sleep 100'" \
        "TimeoutStopSec=1s" "ExecStopPost=/bin/sh $O/probe.sh $L.stoppost"
start_bg "$SV-stoptimeout"
wait_for 10 grep -qx main "$L"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "ExecStop= past TimeoutStopSec=: killed, then the service got SIGTERM" "$(paste -sd' ' "$L")" \
        "main stop term"
expect_eq "ExecStop= past TimeoutStopSec=: result timeout, seen by ExecStopPost=" \
        "$(val "$L.stoppost" result)" "timeout code=exited status=0"
check "ExecStop= past TimeoutStopSec=: a failure (status $RC)" [ "$RC" -ne 0 ]

# --- RuntimeMaxSec=: the running service is stopped (ExecStop= first), with the result timeout.
L=$O/runtime.log
unit "$SV-runtime" "/bin/sh $O/main.sh $L" "RuntimeMaxSec=1s" "ExecStop=/bin/sh $O/step.sh $L stop" \
        "ExecStopPost=/bin/sh $O/probe.sh $L.stoppost"
t0=$(date +%s%N)
run_unit "$SV-runtime"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "RuntimeMaxSec=1s: ExecStop=, then SIGTERM" "$(paste -sd' ' "$L")" "main stop term"
check "RuntimeMaxSec=1s: stopped after about a second (${ms} ms), a failure (status $RC)" \
        [ "$ms" -ge 900 ] && [ "$ms" -lt 10000 ] && [ "$RC" -ne 0 ]
expect_eq "RuntimeMaxSec=1s: the result is timeout" "$(val "$L.stoppost" result)" "timeout code=exited status=0"

# --- A service that ends by itself after it started: ExecStop= runs too, in a sandbox of its own.
L=$O/selfexit.log
unit "$SV-selfexit" "/bin/sh -c 'echo main >>$L; sleep 0.3; exit 5'" \
        "ExecStop=/bin/sh $O/probe.sh $L.stop" "ExecStopPost=/bin/sh $O/probe.sh $L.stoppost"
run_unit "$SV-selfexit"
expect_eq "self-exit: hutch exits with the service's status" "$RC" 5
expect_eq "self-exit: ExecStop= ran without \$MAINPID, and sees the result" \
        "$(val "$L.stop" mainpid) $(val "$L.stop" result)" "unset exit-code code=exited status=5"
expect_eq "self-exit: ExecStopPost= sees the result" "$(val "$L.stoppost" result)" \
        "exit-code code=exited status=5"

# --- Type=oneshot: ExecStartPost= after the command's successful end.
L=$O/oneshot.log
unit "$SV-oneshot" "/bin/sh $O/step.sh $L main" "Type=oneshot" "ExecStartPost=/bin/sh $O/step.sh $L post" \
        "ExecStopPost=/bin/sh $O/step.sh $L stoppost"
run_unit "$SV-oneshot"
expect_eq "oneshot: main, then ExecStartPost=, then ExecStopPost=; exit 0" "$(paste -sd' ' "$L") $RC" \
        "main post stoppost 0"

# --- RemainAfterExit=yes: a oneshot that succeeded stays active; the stop runs ExecStop= and
# ExecStopPost= then (not at the command's end), and hutch exits 0.
L=$O/remain.log
unit "$SV-remain" "/bin/sh $O/step.sh $L main" "Type=oneshot" "RemainAfterExit=yes" \
        "ExecStop=/bin/sh $O/step.sh $L stop" "ExecStopPost=/bin/sh $O/step.sh $L stoppost"
start_bg "$SV-remain"
wait_for 10 grep -q "remains active" "$T/$SV-remain.err"
sleep 0.3
check "RemainAfterExit=yes: hutch still runs after the command" kill -0 "$HPID"
expect_eq "RemainAfterExit=yes: nothing more ran before the stop" "$(paste -sd' ' "$L")" main
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "RemainAfterExit=yes: the stop ran ExecStop= and ExecStopPost=; exit 0" "$(paste -sd' ' "$L") $RC" \
        "main stop stoppost 0"
# A failure does not remain: the run ends as any failed one.
unit "$SV-remainfail" "/bin/sh -c 'exit 2'" "Type=oneshot" "RemainAfterExit=yes"
run_unit "$SV-remainfail"
expect_eq "RemainAfterExit=yes after a failure: hutch exits at once with its status" "$RC" 2

# --- ExecReload= that fails: logged, the service goes on; a SIGHUP without ExecReload= is still
# passed on (test-supervisor-stop).
L=$O/reloadfail.log
unit "$SV-reloadfail" "/bin/sh $O/main.sh $L" "ExecReload=/bin/sh -c 'exit 6'"
start_bg "$SV-reloadfail"
wait_for 10 grep -qx main "$L"
kill -HUP "$HPID"
wait_for 10 grep -q "reload failed" "$T/$SV-reloadfail.err"
check "failing ExecReload=: the service still runs" kill -0 "$HPID"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "failing ExecReload=: the service never got SIGHUP, and stopped cleanly" \
        "$(paste -sd' ' "$L") $RC" "main term 0"

# --- NotifyAccess=exec accepts the control command that runs, as systemd; main does not.
if command -v systemd-notify >/dev/null; then
        for access in exec main; do
                L=$O/notify-$access.log
                unit "$SV-n$access" "/bin/sh $O/main.sh $L" "NotifyAccess=$access" \
                        "ExecStartPost=$(command -v systemd-notify) STATUS=from-post" \
                        "ExecStartPost=/bin/sh $O/step.sh $L posted"
                start_bg "$SV-n$access"
                wait_for 10 grep -qx posted "$L"
                kill -TERM "$HPID"
                wait_exit "$HPID" 15
                n[$access]=$(grep -c "refused" "$T/$SV-n$access.err")
        done
        expect_eq "NotifyAccess=exec: ExecStartPost='s message accepted; main: refused" \
                "${n[exec]} ${n[main]}" "0 1"
else
        skip "NotifyAccess=exec: no systemd-notify on this host"
fi

# --- Prefixes '+' and '!' are refused with the line.
unit "$SV-plus" "/bin/true" "ExecStartPre=+/bin/true"
run_unit "$SV-plus"
expect_match "ExecStartPre=+: refused with file:line" "$ERR" "$SV-plus.hutch:3: ExecStartPre: .*prefix '\+'"

done_testing
