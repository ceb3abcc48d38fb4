#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# MemoryMax= enforced (issue 4 point 8): a payload that needs more memory than MemoryMax= is
# killed by the kernel's OOM killer; hutch reports the result "oom-kill" (from memory.events),
# Restart=on-failure restarts it, and the start limit ends the unit as failed.
. "$VM_LIB"

swap=
[ -e /sys/fs/cgroup/system.slice/memory.swap.max ] && swap="MemorySwapMax=0"
install_unit vmt-lim-oom <<U
[Unit]
StartLimitBurst=3
StartLimitIntervalSec=120s
[Service]
ExecStart=/bin/sh -c 'echo "oom payload up"; exec dd if=/dev/zero of=/dev/null bs=256M count=1'
Restart=on-failure
RestartSec=500ms
[Resources]
MemoryMax=48M
$swap
U

systemctl start vmt-lim-oom.service
check "the unit ends after the restarts (failed)" wait_until 90 sh -c \
        '[ "$(systemctl show -P ActiveState vmt-lim-oom.service)" = failed ]'
# ev KIND: the verbose journal entries of hutch's event KIND for this unit (by HUTCH_UNIT=; the
# unit name is this scenario's own, used once per boot).
ev() { journalctl -q --no-pager -o verbose HUTCH_UNIT=vmt-lim-oom HUTCH_EVENT="$1"; }
# journald may still be reading hutch's last datagrams when the unit is already failed.
check "hutch's give-up event reached the journal" wait_until 30 sh -c \
        "journalctl -q --no-pager -o verbose HUTCH_UNIT=vmt-lim-oom HUTCH_EVENT=gave-up | grep -q start-limit-hit"
ups=$(journalctl -q --no-pager -u vmt-lim-oom.service -o cat | grep -c "^oom payload up$")
expect_eq "three starts (StartLimitBurst=3)" "$ups" 3
exited=$(ev exited)
expect_eq "three exited events" "$(printf '%s\n' "$exited" | grep -c '^ *HUTCH_EVENT=exited')" 3
expect_eq "... each with the result oom-kill" "$(printf '%s\n' "$exited" | grep -c '^ *HUTCH_EXIT_REASON=oom-kill$')" 3
expect_eq "two restarts were announced" "$(ev restarting | grep -c '^ *HUTCH_EVENT=restarting')" 2
expect_match "then hutch gave up with start-limit-hit" "$(ev gave-up)" "HUTCH_EXIT_REASON=start-limit-hit"
expect_match "the kernel logged the OOM kill in the unit's payload cgroup" \
        "$(journalctl -k -q --no-pager -o cat | grep -i 'oom' | tail -n 20)" "vmt-lim-oom.service/payload"
expect_eq "hutch's exit status is the payload's (SIGKILL: 137)" \
        "$(unit_prop vmt-lim-oom.service ExecMainStatus)" 137
done_testing
