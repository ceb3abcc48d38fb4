#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Type=notify readiness and timeouts, and WatchdogSec= enforced by hutch: the payload talks to
# the notify socket hutch binds into the sandbox (systemd-notify from the host's read-only root).
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/supervisor-lib.sh"
skip_without_run
command -v systemd-notify >/dev/null || { echo "1..0 # SKIP no systemd-notify"; exit 0; }

# --- Watchdog missed: SIGABRT, result "watchdog", Restart=on-watchdog restarts until the limit.
unit "$SV-wd" "/bin/sh -c 'echo start >>$O/wd; systemd-notify --ready; while :; do sleep 10; done'" \
        "Type=notify" "NotifyAccess=all" "WatchdogSec=1s" "Restart=on-watchdog" "[Unit]" "StartLimitBurst=2"
t0=$(date +%s%N)
run_unit "$SV-wd"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "missed watchdog: restarted once, then the start limit (2 starts)" "$(wc -l <"$O/wd")" 2
expect_match "missed watchdog: reason watchdog" "$ERR" "exited with signal SIGABRT \(watchdog\)"
expect_eq "missed watchdog: exit status 134 (SIGABRT)" "$RC" 134
check "missed watchdog: about 1s per run (${ms}ms for 2)" [ "$ms" -ge 1900 ] && [ "$ms" -lt 15000 ]

# --- Watchdog missed by a payload that ignores SIGABRT: TimeoutStopSec= ends it with cgroup.kill,
# and the restart still runs (Linux 6.18 kills whatever is started into a cgroup once killed:
# hutch makes payload/ anew).
unit "$SV-wdk" "/bin/sh -c 'trap \"\" ABRT; echo start >>$O/wdk; systemd-notify --ready; while :; do sleep 0.2; done'" \
        "Type=notify" "NotifyAccess=all" "WatchdogSec=1s" "TimeoutStopSec=1s" "Restart=on-watchdog" "[Unit]" "StartLimitBurst=2"
run_unit "$SV-wdk"
expect_match "SIGABRT ignored: killed after TimeoutStopSec=" "$ERR" "killing the payload cgroup"
expect_eq "SIGABRT ignored: the restart after cgroup.kill ran too (2 starts)" "$(wc -l <"$O/wdk")" 2
expect_match "SIGABRT ignored: then the start limit" "$ERR" "start-limit-hit"

# --- Watchdog pinged: no timeout; the payload ends by itself after 3 s.
unit "$SV-wdok" "/bin/sh -c 'systemd-notify --ready; i=0; while [ \$\$i -lt 15 ]; do systemd-notify WATCHDOG=1; sleep 0.2; i=\$\$((i+1)); done'" \
        "Type=notify" "NotifyAccess=all" "WatchdogSec=2s" "Restart=on-watchdog"
run_unit "$SV-wdok"
expect_eq "pinged watchdog: the payload ran to its end" "$RC" 0
expect_eq "pinged watchdog: no watchdog timeout" "$(printf '%s\n' "$ERR" | grep -c 'watchdog timeout')" 0

# --- Type=notify without READY=1: TimeoutStartSec= stops it with result "timeout".
unit "$SV-tmo" "/bin/sh -c 'echo start >>$O/tmo; exec sleep 100'" "Type=notify" "NotifyAccess=all" "TimeoutStartSec=1s"
t0=$(date +%s%N)
run_unit "$SV-tmo"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_match "no READY=1: start timeout" "$ERR" "reason=timeout"
expect_eq "no READY=1: killed by SIGTERM, exit 143" "$RC" 143
check "no READY=1: after about TimeoutStartSec=1s (${ms}ms)" [ "$ms" -ge 900 ] && [ "$ms" -lt 8000 ]

# --- Type=notify with READY=1: ready is logged once, exit status is the payload's.
unit "$SV-ready" "/bin/sh -c 'systemd-notify --ready; sleep 0.3; exit 6'" "Type=notify" "NotifyAccess=all"
run_unit "$SV-ready"
expect_match "READY=1: hutch logs ready" "$ERR" "event=ready"
expect_eq "READY=1: exit status 6" "$RC" 6

# --- NotifyAccess=: for Type=notify, "main" unless set (as systemd): a READY=1 from another
# process of the sandbox (systemd-notify run by the shell) is refused, and said so once.
unit "$SV-nmain" "/bin/sh -c 'systemd-notify --ready; exec sleep 100'" "Type=notify" "TimeoutStartSec=1s"
run_unit "$SV-nmain"
expect_match "NotifyAccess= unset: a child's READY=1 is refused, the start times out" "$ERR" "reason=timeout"
expect_match "... and hutch says why" "$ERR" "refused: NotifyAccess=main, and the sender is not the main process"
expect_eq "... once" "$(printf '%s\n' "$ERR" | grep -c 'refused: NotifyAccess')" 1
unit "$SV-nnone" "/bin/sh -c 'systemd-notify --ready; exec sleep 100'" "Type=notify" "NotifyAccess=none" \
        "TimeoutStartSec=1s"
run_unit "$SV-nnone"
expect_match "NotifyAccess=none with Type=notify is main (systemd): the child is refused" "$ERR" \
        "NotifyAccess=main, and the sender is not the main process"
# The main process itself, which exits right after sending (hutch knows its pid from the start).
unit "$SV-nself" "/usr/bin/systemd-notify --ready --status=from-main" "Type=notify"
run_unit "$SV-nself"
expect_match "NotifyAccess= unset: the main process's READY=1 is accepted" "$ERR" "event=ready"
expect_eq "... and the unit succeeds" "$RC" 0
unit "$SV-nall" "/bin/sh -c 'systemd-notify --ready; exit 0'" "Type=notify" "NotifyAccess=all"
run_unit "$SV-nall"
expect_match "NotifyAccess=all: a child's READY=1 is accepted" "$ERR" "event=ready"

# --- The watchdog runs from READY=1 on, as in systemd: a start slower than WatchdogSec= is fine.
unit "$SV-wdslow" "/bin/sh -c 'sleep 2; systemd-notify --ready; i=0; while [ \$\$i -lt 4 ]; do systemd-notify WATCHDOG=1; sleep 0.3; i=\$\$((i+1)); done'" \
        "Type=notify" "NotifyAccess=all" "WatchdogSec=1s" "TimeoutStartSec=10s"
run_unit "$SV-wdslow"
expect_eq "slow start, WatchdogSec=1s: no watchdog before READY=1, exit 0" "$RC" 0
expect_eq "slow start: no watchdog timeout" "$(printf '%s\n' "$ERR" | grep -c 'watchdog timeout')" 0

# --- WATCHDOG_USEC= from the payload holds for its own run only; 0 turns the watchdog off.
unit "$SV-wdu" "/bin/sh -c 'echo start >>$O/wdu; if [ ! -e $O/wdu.1 ]; then touch $O/wdu.1; systemd-notify --ready WATCHDOG_USEC=2000000; else systemd-notify --ready; fi; exec sleep 100'" \
        "Type=notify" "NotifyAccess=all" "WatchdogSec=1s" "Restart=on-watchdog" "[Unit]" "StartLimitBurst=2"
run_unit "$SV-wdu"
expect_eq "WATCHDOG_USEC=: two runs" "$(wc -l <"$O/wdu")" 2
expect_eq "WATCHDOG_USEC=2000000: the first run's limit is 2s, the restarted run's the unit's 1s" \
        "$(printf '%s\n' "$ERR" | sed -n 's/.*watchdog timeout (limit \([^)]*\)).*/\1/p' | paste -sd' ')" "2s 1s"
unit "$SV-wdoff" "/bin/sh -c 'systemd-notify --ready WATCHDOG_USEC=0; sleep 2; exit 0'" "Type=notify" "NotifyAccess=all" "WatchdogSec=1s"
run_unit "$SV-wdoff"
expect_eq "WATCHDOG_USEC=0 turns the watchdog off: the payload ran its 2 s, exit 0" "$RC" 0

# --- EXTEND_TIMEOUT_USEC= pushes the watchdog back too (systemd's service_extend_timeout()).
unit "$SV-wdext" "/bin/sh -c 'systemd-notify --ready; systemd-notify EXTEND_TIMEOUT_USEC=3000000; sleep 2; exit 0'" \
        "Type=notify" "NotifyAccess=all" "WatchdogSec=1s"
run_unit "$SV-wdext"
expect_eq "EXTEND_TIMEOUT_USEC=3000000: no watchdog kill in the next 2 s, exit 0" "$RC" 0

# --- WATCHDOG=trigger: handled as a watchdog timeout, and logged as the payload's request.
unit "$SV-wdtrig" "/bin/sh -c 'systemd-notify --ready; systemd-notify WATCHDOG=trigger; exec sleep 100'" "Type=notify" "NotifyAccess=all"
run_unit "$SV-wdtrig"
expect_match "WATCHDOG=trigger: logged as requested" "$ERR" "watchdog requested by the payload \(WATCHDOG=trigger\)"
expect_eq "WATCHDOG=trigger: SIGABRT, exit 134" "$RC" 134

# --- A notify service that exits cleanly before READY=1: result "protocol", a failure.
unit "$SV-proto" "/bin/sh -c 'echo start >>$O/proto; exit 0'" "Type=notify" "NotifyAccess=all" "Restart=on-failure" "RestartSec=0" \
        "[Unit]" "StartLimitBurst=2"
run_unit "$SV-proto"
expect_match "exit 0 before READY=1: result protocol" "$ERR" "before it sent READY=1 \(protocol\)"
expect_eq "protocol is a failure: Restart=on-failure restarted it (2 starts)" "$(wc -l <"$O/proto")" 2
expect_eq "protocol: hutch run exits 1, not 0" "$RC" 1

# --- STOPPING=1 from the payload: TimeoutStopSec= runs from there; a READY=1 after it changes nothing.
unit "$SV-stopn" "/bin/sh -c 'systemd-notify --ready; systemd-notify STOPPING=1; sleep 0.2; systemd-notify --ready; exec sleep 100'" \
        "Type=notify" "NotifyAccess=all" "TimeoutStopSec=1s"
t0=$(date +%s%N)
run_unit "$SV-stopn"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_match "STOPPING=1: logged" "$ERR" "stopping \(STOPPING=1 from the payload\)"
expect_match "STOPPING=1: killed once TimeoutStopSec= ran out" "$ERR" "killing the payload cgroup"
expect_eq "STOPPING=1: result timeout, exit 137" "$RC" 137
check "STOPPING=1: after about TimeoutStopSec=1s (${ms}ms)" [ "$ms" -ge 900 ] && [ "$ms" -lt 8000 ]

# --- A payload that floods the notify socket (4 processes sending 4 KB STATUS= in a loop): hutch
# reads it at a bounded rate and says so, READY=1 from within the flood still counts, and a stop
# still ends the unit cleanly.
if [ -x /usr/bin/python3 ]; then
        unit "$SV-flood" "/usr/bin/python3 -c 'import os,socket;p=os.environ[\"NOTIFY_SOCKET\"];[os.fork() for _ in range(2)];s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM);m=b\"STATUS=\"+b\"x\"*4000;s.sendto(b\"READY=1\",p);exec(\"while True: s.sendto(m,p)\")'" \
                "Type=notify" "NotifyAccess=all"
        start_bg "$SV-flood"
        wait_for 15 grep -q 'reading them more slowly' "$T/$SV-flood.err"
        expect_match "notify flood: hutch limits the rate and says so" "$(cat "$T/$SV-flood.err")" \
                "more than [0-9]+ notify messages in [0-9]+ ms: reading them more slowly"
        expect_match "notify flood: READY=1 sent amid it counts" "$(cat "$T/$SV-flood.err")" "ready \[event=ready"
        kill -TERM "$HPID"
        wait_exit "$HPID" 15
        expect_eq "notify flood: SIGTERM still stops the unit, exit 0" "$RC" 0
        expect_eq "notify flood: no escalation to the cgroup kill" "$(grep -c 'killing the payload cgroup' "$T/$SV-flood.err")" 0
else
        skip "notify flood: no /usr/bin/python3 to send it"
fi

done_testing
