#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Readiness under systemd (issue 6, point 4): `systemctl start` of a Type=notify unit blocks
# until the payload says READY=1; the payload's STATUS= and hutch's own status reach
# `systemctl status`; TimeoutStartSec= applies; a payload's MAINPID= changes nothing.
. "$VM_LIB"

notify=/usr/local/libexec/hutch-vm/vm-notify

add_unit vmt-notify <<U
[Service]
Type=notify
ExecStart=/bin/sh -c 'echo "payload starting"; sleep 4; echo "payload ready"; exec $notify -w 3600 READY=1 "STATUS=serving from the payload"'
U
add_unit vmt-exec <<'U'
[Service]
ExecStart=/bin/sleep infinity
U
add_unit vmt-never <<'U'
[Service]
Type=notify
TimeoutStartSec=3s
ExecStart=/bin/sleep infinity
U
install_unit vmt-mainpid <<U
[Service]
Type=notify
# READY=1 comes from a child of the shell (as under systemd, that needs NotifyAccess=all)
NotifyAccess=all
ExecStart=/bin/sh -c '$notify -w 3 READY=1 & sleep 4; exec $notify -w 3600 MAINPID=1 "STATUS=sent MAINPID=1"'
U

t0=$(date +%s%N)
if systemctl start vmt-notify.service; then ok "systemctl start vmt-notify (Type=notify)"; else
        fail "systemctl start vmt-notify (Type=notify)"
        unit_diag vmt-notify.service
fi
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
check "systemctl start blocked until the payload was ready (${ms} ms >= 4000 ms)" test "$ms" -ge 4000
expect_eq "the unit is active when systemctl start returns" "$(unit_prop vmt-notify.service ActiveState)" active
check "the payload's line before READY=1 is in the journal" wait_until 10 sh -c \
        'journalctl -q --no-pager -u vmt-notify.service -o cat | grep -qx "payload ready"'
check "the payload's STATUS= reached systemd" wait_until 10 sh -c \
        '[ "$(systemctl show -P StatusText vmt-notify.service)" = "serving from the payload" ]'
expect_match "systemctl status shows it" "$(systemctl status --no-pager vmt-notify.service)" \
        'Status: "serving from the payload"'
mainpid=$(unit_prop vmt-notify.service MainPID)
expect_eq "MainPID is hutch (the supervisor), not the payload" "$(cat "/proc/$mainpid/comm" 2>/dev/null)" hutch
expect_match "MainPID ($mainpid) sits in the service's supervisor/ cgroup" \
        "$(cat "/proc/$mainpid/cgroup" 2>/dev/null)" "^0::/system.slice/vmt-notify.service/supervisor$"
payload_pid=$(pgrep -f "vm-notify -w 3600" | head -n1)
expect_match "the payload runs in the service's payload/ cgroup" \
        "$(cat "/proc/$payload_pid/cgroup" 2>/dev/null)" "^0::/system.slice/vmt-notify.service/payload"

# While the payload is not ready, systemd sees the unit activating.
systemctl stop vmt-notify.service
systemctl start --no-block vmt-notify.service
sleep 1.5
expect_eq "before READY=1 the unit is activating" "$(unit_prop vmt-notify.service ActiveState)" activating
check "... and becomes active after it" wait_until 20 sh -c \
        '[ "$(systemctl show -P ActiveState vmt-notify.service)" = active ]'
systemctl stop vmt-notify.service

# hutch's own status line for a payload that sends none (Type=exec: ready at execve).
if systemctl start vmt-exec.service; then ok "systemctl start vmt-exec (Type=exec)"; else fail "systemctl start vmt-exec (Type=exec)"; fi
st=$(unit_prop vmt-exec.service StatusText)
expect_match "hutch reports its own STATUS= (got '$st')" "$st" "."
expect_match "systemctl status shows hutch's status" "$(systemctl status --no-pager vmt-exec.service)" \
        "Status: \"$st\""
systemctl stop vmt-exec.service

# TimeoutStartSec=: a notify payload that never gets ready fails the start.
t0=$(date +%s)
if systemctl start vmt-never.service 2>/dev/null; then
        fail "systemctl start of a payload that never says READY=1 fails"
else
        ok "systemctl start of a payload that never says READY=1 fails"
fi
s=$(($(date +%s) - t0))
check "... after about TimeoutStartSec=3s (${s} s)" test "$s" -ge 3 -a "$s" -le 15
expect_match "... and the unit is not active" "$(unit_prop vmt-never.service ActiveState)" "^(failed|inactive)$"
check "... and nothing of it is left running" test -z "$(pgrep -f 'hutch run vmt-never')"

# MAINPID= from the payload is never forwarded.
if systemctl start vmt-mainpid.service; then ok "systemctl start vmt-mainpid"; else
        fail "systemctl start vmt-mainpid"
        unit_diag vmt-mainpid.service
fi
before=$(unit_prop vmt-mainpid.service MainPID)
check "the payload's message after MAINPID=1 was processed (its STATUS= arrived)" wait_until 10 sh -c \
        '[ "$(systemctl show -P StatusText vmt-mainpid.service)" = "sent MAINPID=1" ]'
after=$(unit_prop vmt-mainpid.service MainPID)
expect_eq "MainPID did not change after the payload sent MAINPID=1" "$after" "$before"
expect_eq "MainPID is still hutch" "$(cat "/proc/$after/comm" 2>/dev/null)" hutch
expect_eq "the unit is still active" "$(unit_prop vmt-mainpid.service ActiveState)" active
if systemctl stop vmt-mainpid.service; then ok "it stops normally"; else fail "it stops normally"; fi
check "the unit is inactive after the stop" \
        test "$(unit_prop vmt-mainpid.service ActiveState)" = inactive
done_testing
