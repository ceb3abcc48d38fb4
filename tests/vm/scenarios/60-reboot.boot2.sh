#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Phase 2 of the reboot scenario (runs after the guest rebooted): the unit installed by
# 60-reboot.sh was generated at boot and started by multi-user.target, with nobody calling
# systemctl start.
. "$VM_LIB"
forget_unit vmt-boot

check "the unit file survived the reboot" test -f /etc/hutch/vmt-boot.hutch
check "vmt-boot.service is active after the reboot" wait_until 60 sh -c \
        '[ "$(systemctl show -P ActiveState vmt-boot.service)" = active ]'
expect_eq "its payload started exactly once in this boot" \
        "$(journalctl -q --no-pager -b -u vmt-boot.service -o cat | grep -c '^vmt-boot payload up$')" 1
mono=$(unit_prop vmt-boot.service ActiveEnterTimestampMonotonic)
mu=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)
check "it became active before multi-user.target was reached (${mono} <= ${mu} us)" test "$mono" -le "$mu"
expect_eq "MainPID is hutch" "$(cat "/proc/$(unit_prop vmt-boot.service MainPID)/comm" 2>/dev/null)" hutch
done_testing
