#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Stopping: SIGTERM to hutch stops the unit (KillSignal=, then cgroup.kill after TimeoutStopSec=),
# nothing of the payload survives a stop or a SIGKILL of hutch, a running unit is not started
# twice, and hutch's own fds do not grow over 200 restarts. Which processes exist is checked
# from the host, by the pids the payload cgroup held.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/supervisor-lib.sh"
skip_without_run

procs() { cat "$CG/hutch-$1/payload/cgroup.procs" 2>/dev/null | tr '\n' ' '; }
nprocs() { procs "$1" | wc -w; }
has_procs() { [ "$(nprocs "$1")" -ge "$2" ]; }

# --- A payload that stops on SIGTERM: hutch exits 0 soon, the cgroup is gone.
unit "$SV-term" "/bin/sh -c 'echo up >$O/term; exec sleep 1000'" "TimeoutStopSec=20s"
start_bg "$SV-term"
wait_for 10 test -s "$O/term"
wait_for 5 has_procs "$SV-term" 2
pids=$(procs "$SV-term")
kill -TERM "$HPID"
t0=$(date +%s%N)
wait_exit "$HPID" 15
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "graceful stop: hutch exits 0" "$RC" 0
check "graceful stop: well before TimeoutStopSec= (${ms}ms)" [ "$ms" -lt 5000 ]
expect_eq "graceful stop: no payload process left ($pids)" "$(alive $pids)" ""
expect_eq "graceful stop: cgroup removed" "$(ls -d "$CG/hutch-$SV-term" 2>/dev/null)" ""
expect_match "graceful stop: stopping is logged" "$(cat "$T/$SV-term.err")" "stopping \(SIGTERM\)"

# --- A payload that ignores SIGTERM and double-forks: cgroup.kill after TimeoutStopSec=1s.
unit "$SV-stubborn" "/bin/sh -c 'trap \"\" TERM; (trap \"\" TERM; setsid sh -c \"trap \\\\\"\\\\\" TERM; sleep 1000\" & sleep 1000) & echo up >$O/stubborn; while :; do sleep 1; done'" \
        "TimeoutStopSec=1s" "Restart=always"
start_bg "$SV-stubborn"
wait_for 10 test -s "$O/stubborn"
wait_for 5 has_procs "$SV-stubborn" 5
pids=$(procs "$SV-stubborn")
check "stubborn: payload cgroup holds the double-forked processes ($pids)" [ "$(echo $pids | wc -w)" -ge 5 ]
kill -TERM "$HPID"
t0=$(date +%s%N)
wait_exit "$HPID" 15
ms=$((($(date +%s%N) - t0) / 1000000))
check "stubborn: killed after TimeoutStopSec=1s (${ms}ms)" [ "$ms" -ge 900 ] && [ "$ms" -lt 6000 ]
expect_eq "stubborn: hutch exits 137 (the payload was SIGKILLed)" "$RC" 137
expect_eq "stubborn: no payload process left ($pids)" "$(alive $pids)" ""
expect_eq "stubborn: no restart after a requested stop" "$(grep -c 'restarting in' "$T/$SV-stubborn.err")" 0
expect_match "stubborn: the timeout is the reason" "$(cat "$T/$SV-stubborn.err")" "reason=timeout"
expect_eq "stubborn: cgroup removed" "$(ls -d "$CG/hutch-$SV-stubborn" 2>/dev/null)" ""

# --- KillMode=: control-group (the default, as systemd's) signals every process of the payload
# cgroup, mixed the main process alone. The main process handles SIGTERM and waits for a
# child that writes a file when it gets SIGTERM itself.
cat >"$O/killmode.sh" <<'EOF'
trap 'echo term >"$1/main"' TERM
sh -c 'trap "echo term >$1/child; exit 0" TERM; echo up >$1/ready; while :; do sleep 0.1; done' sh "$1" &
child=$!
while kill -0 "$child" 2>/dev/null; do wait "$child"; done
EOF
for mode in default mixed; do
        d="$O/killmode-$mode"
        mkdir -p "$d"
        line=""
        [ "$mode" = mixed ] && line="KillMode=mixed"
        unit "$SV-km-$mode" "/bin/sh $O/killmode.sh $d" "TimeoutStopSec=2s" $line
        start_bg "$SV-km-$mode"
        wait_for 10 test -s "$d/ready"
        kill -TERM "$HPID"
        wait_exit "$HPID" 15
        [ "$mode" = default ] && RC_default=$RC
        check "KillMode=$mode: the main process got SIGTERM" test -s "$d/main"
done
expect_eq "KillMode= unset (control-group): the child got SIGTERM too, so the stop ended cleanly" \
        "$(cat "$O/killmode-default/child" 2>/dev/null) $RC_default" "term 0"
expect_eq "KillMode=mixed: the child got nothing and was killed at TimeoutStopSec=" \
        "$(cat "$O/killmode-mixed/child" 2>/dev/null || echo none) $RC" "none 137"

# --- SIGKILL of hutch: nothing of the payload survives (PDEATHSIG on the sandbox's PID 1, the PID
# namespace dies with it).
unit "$SV-kill" "/bin/sh -c '(setsid sleep 1000 &); echo up >$O/kill; exec sleep 1000'"
start_bg "$SV-kill"
wait_for 10 test -s "$O/kill"
wait_for 5 has_procs "$SV-kill" 3
pids=$(procs "$SV-kill")
kill -KILL "$HPID"
wait "$HPID" 2>/dev/null
gone() { [ -z "$(alive $pids)" ]; }
wait_for 5 gone
expect_eq "SIGKILL of hutch: no payload process left ($pids)" "$(alive $pids)" ""

# The next run of the same unit works (the empty cgroups left by the SIGKILLed hutch are reused)
# and cleans them up.
unit "$SV-kill" "/bin/sh -c 'exit 0'"
run_unit "$SV-kill"
expect_eq "after a SIGKILLed run: the unit runs again" "$RC" 0
expect_eq "after a SIGKILLed run: cgroup removed" "$(ls -d "$CG/hutch-$SV-kill" 2>/dev/null)" ""

# --- A second hutch run of a running unit is refused.
unit "$SV-twice" "/bin/sh -c 'echo up >$O/twice; exec sleep 1000'"
start_bg "$SV-twice"
wait_for 10 test -s "$O/twice"
run_unit "$SV-twice"
expect_eq "second run of a running unit: 125" "$RC" 125
expect_match "second run: says it is running" "$ERR" "already running"
check "second run: the first one still runs" kill -0 "$HPID"
check "while it runs, its lock file is there" test -e "/run/hutch/lock/$SV-twice.lock"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "first run stops normally after the refused second" "$RC" 0
check "once it ended, its lock file is removed (/run/hutch/lock holds running units only)" \
        test ! -e "/run/hutch/lock/$SV-twice.lock"

# --- hutch's fds stay the same over 200 restarts. Runs 21 and 221 pause for a second, so both
# looks at /proc/PID/fd happen in the same phase (a payload running, nothing in flight).
unit "$SV-fds" "/bin/sh -c 'n=\$\$(cat $O/fds | wc -l); echo r >>$O/fds; case \$\$n in 20|220) sleep 1;; esac'" \
        "Restart=always" "RestartSec=0" "[Unit]" "StartLimitIntervalSec=0"
: >"$O/fds"
start_bg "$SV-fds"
restarts() { [ "$(wc -l <"$O/fds")" -ge "$1" ]; }
wait_for 60 restarts 21
sleep 0.5
fds_early=$(ls "/proc/$HPID/fd" | wc -l)
wait_for 120 restarts 221
sleep 0.5
fds_late=$(ls "/proc/$HPID/fd" | wc -l)
n=$(wc -l <"$O/fds")
kill -TERM "$HPID"
wait_exit "$HPID" 15
check "fds: at least 200 restarts ($n runs)" [ "$n" -ge 221 ]
expect_eq "fds: same count at run 21 and at run 221" "$fds_late" "$fds_early"
expect_eq "fds: hutch stops cleanly" "$RC" 0
expect_eq "fds: no zombie children left" "$(ps -o stat= --ppid $$ | grep -c Z)" 0

# --- SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 to hutch reach the payload; hutch itself goes on.
unit "$SV-hup" "/bin/sh -c 'trap \"echo hup >>$O/hup\" HUP; trap \"echo usr1 >>$O/hup\" USR1; echo up >$O/hup.up; while :; do sleep 0.1; done'"
start_bg "$SV-hup"
wait_for 10 test -s "$O/hup.up"
kill -HUP "$HPID"
wait_for 5 grep -q hup "$O/hup"
kill -USR1 "$HPID"
wait_for 5 grep -q usr1 "$O/hup"
expect_eq "SIGHUP and SIGUSR1 to hutch were passed on to the payload" "$(paste -sd' ' "$O/hup" 2>/dev/null)" "hup usr1"
check "hutch is still running after them" kill -0 "$HPID"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "then SIGTERM stops the unit: exit 0" "$RC" 0
expect_eq "and its cgroup is removed" "$(ls -d "$CG/hutch-$SV-hup" 2>/dev/null)" ""

# --- A reader of hutch's stderr that went away does not end hutch (SIGPIPE is ignored).
unit "$SV-pipe" "/bin/sh -c 'sleep 0.5; exit 4'"
{ "$HUTCH" run "$SV-pipe" 2>&1 >/dev/null; echo $? >"$O/pipe.rc"; } | true
wait_for 10 test -s "$O/pipe.rc"
expect_eq "stderr reader gone: hutch still exits with the payload's 4" "$(cat "$O/pipe.rc")" 4
expect_eq "stderr reader gone: cgroup removed" "$(ls -d "$CG/hutch-$SV-pipe" 2>/dev/null)" ""

# --- A stop while waiting for RestartSec= after a failure: the unit ends inactive (exit 0).
unit "$SV-rwait" "/bin/sh -c 'echo run >>$O/rwait; exit 1'" "Restart=on-failure" "RestartSec=5s"
start_bg "$SV-rwait"
wait_for 10 grep -q 'restarting in' "$T/$SV-rwait.err"
kill -TERM "$HPID"
wait_exit "$HPID" 10
expect_eq "stop during RestartSec=: exit 0, as systemd leaves the unit inactive" "$RC" 0
expect_eq "stop during RestartSec=: no second run" "$(wc -l <"$O/rwait")" 1
expect_match "stop during RestartSec=: the log says the restart is cancelled" "$(cat "$T/$SV-rwait.err")" \
        "stopped while waiting to restart: the restart is cancelled"

# --- A reader of hutch's stderr that stops reading (a pager): the payload blocks on the full pipe,
# hutch does not (it writes through a non-blocking description of its own), so SIGTERM and
# TimeoutStopSec= still work.
unit "$SV-flood" "/bin/sh -c 'trap \"\" TERM; echo up >$O/flood.up; while :; do echo flood-flood-flood-flood >&2; done'" \
        "TimeoutStopSec=1s"
mkfifo "$T/flood.fifo"
exec 7<>"$T/flood.fifo" # a reader that never reads
"$HUTCH" run "$SV-flood" >/dev/null 2>"$T/flood.fifo" &
HPID=$!
wait_for 10 test -s "$O/flood.up"
sleep 0.5 # the pipe is full long before this
kill -TERM "$HPID"
t0=$(date +%s%N)
wait_exit "$HPID" 15
ms=$((($(date +%s%N) - t0) / 1000000))
exec 7<&-
expect_eq "stderr not read: the stop still escalates (payload killed, exit 137)" "$RC" 137
check "stderr not read: done soon after TimeoutStopSec=1s (${ms}ms)" [ "$ms" -lt 8000 ]
expect_eq "stderr not read: cgroup removed" "$(ls -d "$CG/hutch-$SV-flood" 2>/dev/null)" ""

# --- FinalKillSignal=: at TimeoutStopSec= the payload gets it (here SIGUSR1, which it records and
# survives), and TimeoutStopSec= later the cgroup is killed all the same.
cat >"$O/final.sh" <<'SH'
trap '' TERM
trap 'echo usr1 >>"$1"' USR1
echo up >>"$1"
while :; do sleep 0.1; done
SH
unit "$SV-final" "/bin/sh $O/final.sh $O/final.log" "TimeoutStopSec=1s" "FinalKillSignal=SIGUSR1"
start_bg "$SV-final"
wait_for 10 grep -qx up "$O/final.log"
kill -TERM "$HPID"
t0=$(date +%s%N)
wait_exit "$HPID" 15
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "FinalKillSignal=SIGUSR1: the payload got it, then was killed (137)" \
        "$(grep -c usr1 "$O/final.log") $RC" "1 137"
check "FinalKillSignal=: killed a TimeoutStopSec= after the final signal (${ms} ms)" \
        [ "$ms" -ge 1800 ] && [ "$ms" -lt 8000 ]

# --- SendSIGHUP=yes: SIGHUP right after KillSignal=.
cat >"$O/hup2.sh" <<'SH'
trap 'echo hup >>"$1"' HUP
trap 'echo term >>"$1"; sleep 0.2; exit 0' TERM
echo up >>"$1"
while :; do sleep 0.1; done
SH
unit "$SV-sendhup" "/bin/sh $O/hup2.sh $O/sendhup.log" "SendSIGHUP=yes"
start_bg "$SV-sendhup"
wait_for 10 grep -qx up "$O/sendhup.log"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_match "SendSIGHUP=yes: the payload got SIGTERM and SIGHUP" "$(sort "$O/sendhup.log" | paste -sd' ')" \
        "^hup term up$"

# --- WatchdogSignal=: what a watchdog timeout sends instead of SIGABRT.
cat >"$O/wdsig.sh" <<'SH'
trap 'echo usr2 >>"$1"; exit 0' USR2
echo up >>"$1"
systemd-notify --ready
while :; do sleep 0.1; done
SH
unit "$SV-wdsig" "/bin/sh $O/wdsig.sh $O/wdsig.log" "Type=notify" "WatchdogSec=1s" "WatchdogSignal=SIGUSR2" \
        "NotifyAccess=all"
run_unit "$SV-wdsig"
expect_eq "WatchdogSignal=SIGUSR2: the payload got it at the watchdog timeout" "$(tail -n1 "$O/wdsig.log")" usr2
expect_match "WatchdogSignal=: the result is watchdog" "$ERR" "reason=watchdog"

# --- SendSIGKILL=no is refused: nothing of a sandbox can be left running.
unit "$SV-nokill" "/bin/true" "SendSIGKILL=no"
run_unit "$SV-nokill"
expect_match "SendSIGKILL=no: refused with the reason" "$RC $ERR" "SendSIGKILL: 'no': hutch always kills"

# --- ExitType=cgroup: the run lasts until the last process has exited, with the main process's
# status; ExitType=main (the default) ends it with the main process.
for et in main cgroup; do
        rm -f "$O/et-$et.log"
        unit "$SV-et-$et" "/bin/sh -c '(sleep 0.5; echo late >>$O/et-$et.log) & exit 3'" "ExitType=$et"
        run_unit "$SV-et-$et"
        eval "rc_$et=\$RC"
done
expect_eq "ExitType=main: the process left behind went with the sandbox; status 3" \
        "$(cat "$O/et-main.log" 2>/dev/null || echo none) $rc_main" "none 3"
expect_eq "ExitType=cgroup: it ran to its end first; the main process's status 3" \
        "$(cat "$O/et-cgroup.log" 2>/dev/null || echo none) $rc_cgroup" "late 3"

# --- TimeoutStartFailureMode=abort: a start that takes too long gets WatchdogSignal= (SIGABRT).
cat >"$O/slowstart.sh" <<'SH'
trap 'echo abrt >>"$1"; exit 0' ABRT
trap 'echo term >>"$1"; exit 0' TERM
while :; do sleep 0.1; done
SH
for mode in terminate abort; do
        rm -f "$O/tsm-$mode.log"
        unit "$SV-tsm-$mode" "/bin/sh $O/slowstart.sh $O/tsm-$mode.log" "Type=notify" "TimeoutStartSec=1s" \
                "TimeoutStartFailureMode=$mode"
        run_unit "$SV-tsm-$mode"
done
expect_eq "TimeoutStartFailureMode=terminate gets KillSignal=, abort gets SIGABRT" \
        "$(cat "$O/tsm-terminate.log" 2>/dev/null) $(cat "$O/tsm-abort.log" 2>/dev/null)" "term abrt"
expect_match "TimeoutStartFailureMode=abort: the result is timeout" "$ERR" "reason=timeout"
rm -f "$O/tsm-kill.log"
unit "$SV-tsm-kill" "/bin/sh $O/slowstart.sh $O/tsm-kill.log" "Type=notify" "TimeoutStartSec=1s" \
        "TimeoutStartFailureMode=kill"
run_unit "$SV-tsm-kill"
expect_eq "TimeoutStartFailureMode=kill: killed outright, no signal to handle (137)" \
        "$(cat "$O/tsm-kill.log" 2>/dev/null || echo none) $RC" "none 137"

# --- TimeoutStopFailureMode=abort: at TimeoutStopSec= SIGABRT, then the cgroup is killed.
cat >"$O/slowstop.sh" <<'SH'
trap '' TERM
trap 'echo abrt >>"$1"' ABRT
echo up >>"$1"
while :; do sleep 0.1; done
SH
unit "$SV-tpm" "/bin/sh $O/slowstop.sh $O/tpm.log" "TimeoutStopSec=1s" "TimeoutStopFailureMode=abort"
start_bg "$SV-tpm"
wait_for 10 grep -qx up "$O/tpm.log"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "TimeoutStopFailureMode=abort: SIGABRT at TimeoutStopSec=, then killed (137)" \
        "$(grep -c abrt "$O/tpm.log") $RC" "1 137"

# --- TimeoutAbortSec=: after WatchdogSignal= the service gets this long, not TimeoutStopSec=.
cat >"$O/abortsec.sh" <<'SH'
trap 'echo abrt >>"$1"' ABRT
systemd-notify --ready
while :; do sleep 0.1; done
SH
unit "$SV-abortsec" "/bin/sh $O/abortsec.sh $O/abortsec.log" "Type=notify" "NotifyAccess=all" \
        "WatchdogSec=1s" "TimeoutAbortSec=1s" "TimeoutStopSec=60s"
t0=$(date +%s%N)
run_unit "$SV-abortsec"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "TimeoutAbortSec=1s: SIGABRT at the watchdog timeout, killed after it (137)" \
        "$(grep -c abrt "$O/abortsec.log" 2>/dev/null) $RC" "1 137"
check "TimeoutAbortSec=1s: killed long before TimeoutStopSec=60s (${ms} ms)" [ "$ms" -lt 15000 ]

done_testing
