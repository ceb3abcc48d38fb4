#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Notify forwarding end to end: `hutch run` under a fake service manager (the probe binds a
# NOTIFY_SOCKET of its own and records every datagram hutch sends up), with a Type=notify payload
# (the probe again, inside the sandbox) that sends hostile and honest messages to the socket
# hutch bound at /run/host/notify.
. "$(dirname "$0")/lib.sh"
require_root
PROBE=${HOST_LINK_PROBE:?HOST_LINK_PROBE must point at host-link-probe}
PROBE_DIR=$(dirname "$PROBE")
# Unit names are global on the host (hutch refuses a second run of a running unit): make ours
# unique so that a concurrent test run elsewhere cannot collide with them.
U=hl$$

unit_file "$U-notifier" <<X
[Service]
Type=notify
TimeoutStartSec=20
ExecStart=$PROBE send "text:STATUS=before-ready\\\\nMAINPID=1" "fd:FDSTORE=1\\\\nFDNAME=x" empty big flood:2000 \
        sleep:300 "text:READY=1\\\\nSTATUS=payload ready\\\\nMAINPID=1\\\\nNOTIFYACCESS=all" sleep:300

[Sandbox]
BindReadOnlyPaths=$PROBE_DIR
X

out=$("$PROBE" manager "$T/manager.sock" -- "$HUTCH" run "$U-notifier" 2>"$T/err"); rc=$?
expect_eq "hutch run exits with the payload's status" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$T/err"
up=$(printf '%s\n' "$out" | sed -n 's/^N //p')
expect_eq "the payload's NOTIFY_SOCKET worked (no send errors)" "$(grep -c '^send ' "$T/err")" 0
expect_match "READY=1 reached the service manager" "$up" 'READY=1'
expect_match "the payload's STATUS= reached the service manager" "$up" 'STATUS=payload ready'
expect_eq "MAINPID= never forwarded" "$(printf '%s\n' "$up" | grep -c MAINPID)" 0
expect_eq "FDSTORE=/FDNAME= never forwarded" "$(printf '%s\n' "$up" | grep -Ec 'FDSTORE|FDNAME')" 0
expect_eq "NOTIFYACCESS= never forwarded" "$(printf '%s\n' "$up" | grep -c NOTIFYACCESS)" 0
expect_eq "the oversized datagram (with READY=1) was dropped: its STATUS never went up" \
        "$(printf '%s\n' "$up" | grep -c 'STATUS=xxxx')" 0
expect_eq "the fd passed with FDSTORE=1 was closed by hutch" \
        "$(printf '%s\n' "$out" | sed -n 's/^fd-closed-by-receiver //p')" yes
first_ready=$(printf '%s\n' "$up" | grep -n 'READY=1' | head -1 | cut -d: -f1)
# Messages that arrive in one wakeup are merged before they go up (only the last STATUS= of a
# batch survives, as systemd itself would only show the last), so "before ready" is whichever of
# the payload's earlier STATUS= lines made it up.
before=$(printf '%s\n' "$up" | grep -nE 'STATUS=(before-ready|flood)' | head -1 | cut -d: -f1)
check "READY=1 only after the payload said so (not at start)" \
        test -n "$first_ready" -a -n "$before" -a "${before:-0}" -lt "${first_ready:-0}"
floods=$(printf '%s\n' "$up" | grep -c 'STATUS=flood')
# How many go up depends on how many were queued at each wakeup, which is the scheduler's
# business (a sanitizer build reading as fast as the payload writes merges none): what holds
# every time is that the flood reached the manager and was never amplified. The merging itself
# is checked in the unit tier (test-notify), where the batches are known.
check "a flood of 2000 datagrams reached the manager, never more than once each ($floods sent up)" \
        test "$floods" -ge 1 -a "$floods" -le 2000

# The real client: systemd-notify is short-lived (it exits right after sending), so hutch must
# check its credentials while it still exists (systemd-notify waits on a BARRIER=1 whose fd
# hutch closes after handling the messages before it).
if command -v systemd-notify >/dev/null; then
        unit_file "$U-sdnotify" <<X
[Service]
Type=notify
# systemd-notify is a child of the shell, not the main process: as under systemd
NotifyAccess=all
TimeoutStartSec=10
ExecStart=/bin/sh -c 'systemd-notify --ready --status=via-systemd-notify; sleep 0.3'
X
        out=$("$PROBE" manager "$T/manager3.sock" -- "$HUTCH" run "$U-sdnotify" 2>"$T/err3"); rc=$?
        expect_eq "systemd-notify --ready: hutch run succeeds" "$rc" 0
        expect_match "systemd-notify's STATUS= and READY=1 forwarded" "$(printf '%s\n' "$out" | sed -n 's/^N //p')" \
                'STATUS=via-systemd-notify\|READY=1'
else
        skip "systemd-notify not installed"
        skip "systemd-notify not installed"
fi

# A sender that is gone before hutch reads its datagram (sends READY=1, exits at once): the
# kernel still tells hutch its cgroup (SCM_PIDFD), so the message counts.
unit_file "$U-quick" <<X
[Service]
Type=notify
TimeoutStartSec=10
ExecStart=$PROBE send "text:READY=1\\nSTATUS=quick"

[Sandbox]
BindReadOnlyPaths=$PROBE_DIR
X
good=0
for i in 1 2 3; do
        out=$("$PROBE" manager "$T/manager4.sock" -- "$HUTCH" run "$U-quick" 2>/dev/null)
        printf '%s\n' "$out" | grep -q '^N .*STATUS=quick' && good=$((good + 1))
done
expect_eq "READY=1 of a payload that exits right after sending it is forwarded (3 of 3 runs)" "$good" 3

# A unit that is not Type=notify gets no socket: NOTIFY_SOCKET is not in its environment.
unit_file "$U-plain" <<X
[Service]
ExecStart=/usr/bin/env
X
out=$("$PROBE" manager "$T/manager2.sock" -- "$HUTCH" run "$U-plain" 2>"$T/err2")
expect_eq "Type=exec payload: no NOTIFY_SOCKET" "$(printf '%s\n' "$out" | grep -c '^NOTIFY_SOCKET=')" 0
expect_match "Type=exec: hutch itself says READY=1" "$(printf '%s\n' "$out" | sed -n 's/^N //p')" 'READY=1'
# ... unless NotifyAccess= lets someone send (systemd: the socket is there whenever it is not none).
unit_file "$U-plainall" <<X
[Service]
NotifyAccess=all
ExecStart=/usr/bin/env
X
out=$("$PROBE" manager "$T/manager2.sock" -- "$HUTCH" run "$U-plainall" 2>"$T/err2")
expect_eq "Type=exec, NotifyAccess=all: NOTIFY_SOCKET set" "$(printf '%s\n' "$out" | grep -c '^NOTIFY_SOCKET=')" 1

# Restarts before readiness: systemd's start job still runs, with TimeoutStartSec= the unit's plus
# 5 s. Each restart asks it for RestartSec= + TimeoutStartSec= + 5 s more, as a native service's
# every start has its own timeout.
unit_file "$U-restarts" <<X
[Unit]
StartLimitBurst=2
[Service]
Type=notify
ExecStart=/bin/false
Restart=on-failure
RestartSec=1s
TimeoutStartSec=3s
X
t0=$(date +%s%N)
out=$("$PROBE" manager "$T/manager.sock" -- "$HUTCH" run "$U-restarts" 2>"$T/err"); rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
up=$(printf '%s\n' "$out" | sed -n 's/^N //p')
# The one restart asks for 1 s + 3 s + 5 s; the refused second one is still waited for, as systemd
# refuses the start only when it comes, RestartSec= later: 1 s + 5 s.
expect_eq "restarts before READY=1: EXTEND_TIMEOUT_USEC= for the restart, then for the wait before giving up" \
        "$(printf '%s\n' "$up" | grep -o 'EXTEND_TIMEOUT_USEC=[0-9]*' | paste -sd' ')" \
        "EXTEND_TIMEOUT_USEC=9000000 EXTEND_TIMEOUT_USEC=6000000"
check "start limit hit RestartSec= after the last run, as in systemd: two 1 s waits (${ms} ms)" [ "$ms" -ge 1900 ]
expect_eq "restarts before READY=1: no READY=1 went up" "$(printf '%s\n' "$up" | grep -c 'READY=1')" 0
expect_eq "restarts before READY=1: exit 1 (start limit hit)" "$rc" 1

# The last STATUS= is what `systemctl status` keeps showing until the next start: after the end
# it says how the unit ended, not "running".
unit_file "$U-fails" <<X
[Service]
ExecStart=/bin/sh -c 'exit 3'
X
out=$("$PROBE" manager "$T/manager.sock" -- "$HUTCH" run "$U-fails" 2>"$T/err")
expect_eq "a failed unit's last STATUS= says so" \
        "$(printf '%s\n' "$out" | sed -n 's/^N //p' | grep -o 'STATUS=[^|]*' | tail -n1)" \
        "STATUS=failed: exit-code (status 3)"
unit_file "$U-ends" <<X
[Service]
ExecStart=/bin/true
X
out=$("$PROBE" manager "$T/manager.sock" -- "$HUTCH" run "$U-ends" 2>"$T/err")
expect_eq "a unit that ended well: its last STATUS= says how" \
        "$(printf '%s\n' "$out" | sed -n 's/^N //p' | grep -o 'STATUS=[^|]*' | tail -n1)" \
        "STATUS=exited with status 0"

done_testing
