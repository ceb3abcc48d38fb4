#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Type=forking: the first process forks a daemon and exits; hutch's PID 1 takes the daemon (from
# PIDFile= or, alone, by GuessMainPID=) for the main process: the start completes only then,
# $MAINPID and the signals reach the daemon, its end is the service's end. Proven by what the
# daemon itself records.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/supervisor-lib.sh"
skip_without_run

# daemon.sh LOG [PIDFILE] [EXIT]: a classic daemon. The first process forks, the child starts a
# new session and forks again; the grandchild (the daemon) writes its pid, logs the signals it
# gets, and exits with EXIT on SIGTERM. The first process exits 0 once the daemon is up.
cat >"$O/daemon.sh" <<'EOF'
log=$1 pidfile=$2 code=${3:-0}
echo "first $$" >>"$log"
setsid sh -c '
        log=$1 pidfile=$2 code=$3
        sh -c '\''
                log=$1 pidfile=$2 code=$3
                trap "echo daemon-hup >>$log" HUP
                trap "echo daemon-term >>$log; exit $code" TERM
                [ -n "$pidfile" ] && echo $$ >"$pidfile"
                echo "daemon $$ $(readlink /proc/self/ns/pid)" >>"$log"
                while :; do sleep 0.1; done
        '\'' sh "$1" "$2" "$3" &
' sh "$log" "$pidfile" "$code" &
# Ready only once the daemon said so, as a well-behaved forking daemon is.
while ! grep -q '^daemon ' "$log" 2>/dev/null; do sleep 0.05; done
echo "first exits" >>"$log"
exit 0
EOF
chmod 0755 "$O/daemon.sh"

# --- PIDFile=: the daemon is the main process.
L=$O/pf.log
unit "$SV-pf" "/bin/sh $O/daemon.sh $L /run/$SV-pf/pid 0" "Type=forking" "PIDFile=/run/$SV-pf/pid" \
        "ExecStartPost=/bin/sh -c 'echo post \$\$MAINPID >>$L'" "ExecReload=/bin/kill -HUP \$MAINPID"
sed -i '/^\[Sandbox\]/a RuntimeDirectory='"$SV-pf" "$T/units/$SV-pf.hutch"
start_bg "$SV-pf"
wait_for 10 grep -q '^post ' "$L"
daemon=$(sed -n 's/^daemon \([0-9]*\) .*/\1/p' "$L")
expect_eq "PIDFile=: the start completed after the first process exited, with \$MAINPID the daemon" \
        "$(sed -n 1p "$L" | cut -d' ' -f1) $(sed -n 3p "$L") $(sed -n 's/^post //p' "$L")" \
        "first first exits $daemon"
check "PIDFile=: the daemon is not the first process" [ "$daemon" != "$(sed -n 's/^first \([0-9]*\)$/\1/p' "$L")" ]
kill -HUP "$HPID"
wait_for 10 grep -qx daemon-hup "$L"
check "PIDFile=: ExecReload='s kill -HUP \$MAINPID reached the daemon" grep -qx daemon-hup "$L"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "PIDFile=: the stop's SIGTERM reached the daemon; hutch exits 0" \
        "$(tail -n1 "$L") $RC" "daemon-term 0"
check "the daemon ran in the sandbox's PID namespace" \
        [ "$(sed -n 's/^daemon [0-9]* //p' "$L")" != "$(readlink /proc/self/ns/pid)" ]

# --- Without PIDFile=: the one process left is the daemon (GuessMainPID=yes); its exit status is
# the service's.
L=$O/guess.log
unit "$SV-guess" "/bin/sh $O/daemon.sh $L '' 3" "Type=forking" \
        "ExecStartPost=/bin/sh -c 'echo post \$\$MAINPID >>$L'"
start_bg "$SV-guess"
wait_for 10 grep -q '^post ' "$L"
expect_eq "GuessMainPID=: \$MAINPID is the daemon" "$(sed -n 's/^post //p' "$L")" \
        "$(sed -n 's/^daemon \([0-9]*\) .*/\1/p' "$L")"
kill -TERM "$HPID"
wait_exit "$HPID" 15
expect_eq "GuessMainPID=: the daemon's exit status 3 is hutch's, a failure" "$(tail -n1 "$L") $RC" \
        "daemon-term 3"

# --- A first process that fails: the start fails with its status.
unit "$SV-fail" "/bin/sh -c 'exit 4'" "Type=forking"
run_unit "$SV-fail"
expect_eq "a failing first process: hutch exits with its status" "$RC" 4
expect_match "a failing first process: the result is exit-code" "$ERR" "failed with result 'exit-code'"

# --- No main process to be found (two processes left): the service runs until both are gone.
unit "$SV-two" "/bin/sh -c '(sleep 0.3; echo a >>$O/two.log) & (sleep 0.6; echo b >>$O/two.log) & exit 0'" \
        "Type=forking"
run_unit "$SV-two"
expect_eq "no single daemon: the service lasted until its last process was gone, status 0" \
        "$(paste -sd' ' "$O/two.log") $RC" "a b 0"
expect_match "no single daemon: said so" "$ERR" "no main process found"

# --- A PID file that never comes: TimeoutStartSec= ends the wait.
unit "$SV-nopid" "/bin/sh -c '(exec sleep 100) & exit 0'" "Type=forking" "PIDFile=/run/never.pid" \
        "TimeoutStartSec=1s"
run_unit "$SV-nopid"
check "a PID file that never comes: a failure (status $RC)" [ "$RC" -ne 0 ]
expect_match "a PID file that never comes: the result is timeout" "$ERR" "reason=timeout"

# --- A PID file that names no process of the sandbox is not taken; with nothing left running,
# the start fails as systemd's does (protocol).
unit "$SV-badpid" "/bin/sh -c 'echo 99999 >/run/$SV-badpid/pid; exit 0'" "Type=forking" \
        "PIDFile=/run/$SV-badpid/pid" "TimeoutStartSec=5s"
sed -i '/^\[Sandbox\]/a RuntimeDirectory='"$SV-badpid" "$T/units/$SV-badpid.hutch"
run_unit "$SV-badpid"
check "a PID file naming no process, nothing left: a failure (status $RC)" [ "$RC" -ne 0 ]
expect_match "a PID file naming no process, nothing left: said so" "$ERR" "before its daemon was found"
expect_match "a PID file naming no process, nothing left: the result is protocol" "$ERR" \
        "failed with result 'protocol'"

expect_eq "nothing left: no hutch-$SV-* cgroup" "$(ls -d "$CG"/hutch-"$SV"-* 2>/dev/null)" ""
done_testing
