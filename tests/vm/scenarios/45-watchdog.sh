#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# WatchdogSec= under systemd (issue 6 point 4, issue 4 point 6): a payload that said READY=1
# and then stops sending WATCHDOG=1 is killed by hutch with the reason "watchdog" and
# restarted by the unit's Restart=; the service itself stays up (restarts are hutch's).
. "$VM_LIB"

notify=/usr/local/libexec/hutch-vm/vm-notify
add_unit vmt-wd <<U
[Service]
Type=notify
WatchdogSec=3s
Restart=on-watchdog
RestartSec=1s
ExecStart=/bin/sh -c 'echo "watchdog payload up"; exec $notify -w 3600 READY=1'
U
# A payload that keeps pinging is left alone. (Each sender stays alive 2 s: hutch checks that
# the sender is in the payload's cgroup, which it cannot for a process that already exited.)
install_unit vmt-wd-good <<U
[Service]
Type=notify
WatchdogSec=3s
Restart=on-watchdog
# the keepalives come from children of the shell
NotifyAccess=all
ExecStart=/bin/sh -c '$notify -w 2 READY=1 & while :; do $notify -w 2 WATCHDOG=1 & sleep 1; done'
U

if systemctl start vmt-wd.service vmt-wd-good.service; then
        ok "systemctl start of two Type=notify units with WatchdogSec=3s"
else
        fail "systemctl start of two Type=notify units with WatchdogSec=3s"
fi
mainpid=$(unit_prop vmt-wd.service MainPID)
starts() { journalctl -q --no-pager -u vmt-wd.service -o cat | grep -c "^watchdog payload up$"; }
check "the silent payload is restarted after a missed watchdog" wait_until 40 sh -c \
        "[ \"\$(journalctl -q --no-pager -u vmt-wd.service -o cat | grep -c '^watchdog payload up$')\" -ge 2 ]"
diag "payload starts seen: $(starts)"
e=$(journalctl -q --no-pager -u vmt-wd.service -o verbose HUTCH_EVENT=watchdog)
expect_match "a structured watchdog event names the unit" "$e" "HUTCH_UNIT=vmt-wd$"
expect_match "the exit reason is watchdog" \
        "$(journalctl -q --no-pager -u vmt-wd.service -o verbose HUTCH_EVENT=exited)" "HUTCH_EXIT_REASON=watchdog"
expect_match "a structured restarting event follows" \
        "$(journalctl -q --no-pager -u vmt-wd.service -o verbose HUTCH_EVENT=restarting)" "HUTCH_RESTART_COUNT=[1-9]"
expect_eq "the service stayed active" "$(unit_prop vmt-wd.service ActiveState)" active
expect_eq "systemd did not restart the service (hutch restarted the payload)" \
        "$(unit_prop vmt-wd.service NRestarts)" 0
expect_eq "hutch is still the same main process" "$(unit_prop vmt-wd.service MainPID)" "$mainpid"

expect_eq "the pinging payload was never restarted" \
        "$(journalctl -q --no-pager -u vmt-wd-good.service -o verbose HUTCH_EVENT=watchdog | grep -c HUTCH_UNIT=)" 0
expect_eq "... and is active" "$(unit_prop vmt-wd-good.service ActiveState)" active
systemctl stop vmt-wd.service vmt-wd-good.service
done_testing
