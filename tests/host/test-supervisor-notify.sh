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
        "Type=notify" "WatchdogSec=1s" "Restart=on-watchdog" "[Unit]" "StartLimitBurst=2"
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
        "Type=notify" "WatchdogSec=1s" "TimeoutStopSec=1s" "Restart=on-watchdog" "[Unit]" "StartLimitBurst=2"
run_unit "$SV-wdk"
expect_match "SIGABRT ignored: killed after TimeoutStopSec=" "$ERR" "killing the payload cgroup"
expect_eq "SIGABRT ignored: the restart after cgroup.kill ran too (2 starts)" "$(wc -l <"$O/wdk")" 2
expect_match "SIGABRT ignored: then the start limit" "$ERR" "start-limit-hit"

# --- Watchdog pinged: no timeout; the payload ends by itself after 3 s.
unit "$SV-wdok" "/bin/sh -c 'systemd-notify --ready; i=0; while [ \$\$i -lt 15 ]; do systemd-notify WATCHDOG=1; sleep 0.2; i=\$\$((i+1)); done'" \
        "Type=notify" "WatchdogSec=2s" "Restart=on-watchdog"
run_unit "$SV-wdok"
expect_eq "pinged watchdog: the payload ran to its end" "$RC" 0
expect_eq "pinged watchdog: no watchdog timeout" "$(printf '%s\n' "$ERR" | grep -c 'watchdog timeout')" 0

# --- Type=notify without READY=1: TimeoutStartSec= stops it with result "timeout".
unit "$SV-tmo" "/bin/sh -c 'echo start >>$O/tmo; exec sleep 100'" "Type=notify" "TimeoutStartSec=1s"
t0=$(date +%s%N)
run_unit "$SV-tmo"
ms=$((($(date +%s%N) - t0) / 1000000))
expect_match "no READY=1: start timeout" "$ERR" "reason=timeout"
expect_eq "no READY=1: killed by SIGTERM, exit 143" "$RC" 143
check "no READY=1: after about TimeoutStartSec=1s (${ms}ms)" [ "$ms" -ge 900 ] && [ "$ms" -lt 8000 ]

# --- Type=notify with READY=1: ready is logged once, exit status is the payload's.
unit "$SV-ready" "/bin/sh -c 'systemd-notify --ready; sleep 0.3; exit 6'" "Type=notify"
run_unit "$SV-ready"
expect_match "READY=1: hutch logs ready" "$ERR" "event=ready"
expect_eq "READY=1: exit status 6" "$RC" 6

done_testing
