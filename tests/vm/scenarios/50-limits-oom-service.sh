#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An OOM kill hutch did not ask for: the unit sets no memory key, and the limit is systemd's, in a
# drop-in of the generated service. hutch still sees the kill in payload/'s memory.events (it
# gives payload/ the memory controller under systemd) and ends the unit with the result
# oom-kill, as systemd's memory accounting would for a native service.
. "$VM_LIB"

install_unit vmt-lim-oomsvc <<'U'
[Service]
ExecStart=/bin/sh -c 'echo "oom payload up"; exec dd if=/dev/zero of=/dev/null bs=256M count=1'
U
mkdir -p /etc/systemd/system/vmt-lim-oomsvc.service.d
swap=
[ -e /sys/fs/cgroup/system.slice/memory.swap.max ] && swap="MemorySwapMax=0"
printf '[Service]\nMemoryMax=48M\n%s\n' "$swap" >/etc/systemd/system/vmt-lim-oomsvc.service.d/mem.conf
systemctl daemon-reload
systemctl start vmt-lim-oomsvc.service
check "the unit ends (failed)" wait_until 60 sh -c \
        '[ "$(systemctl show -P ActiveState vmt-lim-oomsvc.service)" = failed ]'
exited() { journalctl -q --no-pager -o verbose HUTCH_UNIT=vmt-lim-oomsvc HUTCH_EVENT=exited; }
check "hutch's exited event reached the journal" wait_until 30 sh -c \
        "journalctl -q --no-pager -o verbose HUTCH_UNIT=vmt-lim-oomsvc HUTCH_EVENT=exited | grep -q HUTCH_EXIT_REASON"
expect_match "the result is oom-kill, from memory.events" "$(exited)" "HUTCH_EXIT_REASON=oom-kill"
# Seen once in CI (under a loaded host): no exited event at all. Say what systemd and the kernel
# saw when it happens: the unit's result, its journal, and the guest's OOM kills.
if ! exited | grep -q HUTCH_EXIT_REASON=oom-kill; then
        diag "systemd: Result=$(unit_prop vmt-lim-oomsvc.service Result)" \
                "  ExecMainCode=$(unit_prop vmt-lim-oomsvc.service ExecMainCode) ExecMainStatus=$(unit_prop vmt-lim-oomsvc.service ExecMainStatus)"
        unit_diag vmt-lim-oomsvc.service
        journalctl -q --no-pager -k -b 2>&1 | grep -i -A3 "oom-kill\|killed process" | tail -n 20 | sed 's/^/#   /'
fi
rm -r /etc/systemd/system/vmt-lim-oomsvc.service.d
systemctl daemon-reload
done_testing
