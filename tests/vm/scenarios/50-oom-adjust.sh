#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# OOMScoreAdjust= under systemd, where hutch holds CAP_SYS_RESOURCE: the supervisor takes -1000
# (an OOM kill in the service's cgroup takes the payload, never the one who reports it), and the
# payload gets the service's OOMScoreAdjust= (a drop-in of systemd's) or the unit's own, as a
# floor it cannot go below.
. "$VM_LIB"

probe='echo "self=$$(cat /proc/self/oom_score_adj)"; if echo "$$(( $$(cat /proc/self/oom_score_adj) - 1 ))" >/proc/self/oom_score_adj 2>/dev/null; then echo lower=yes; else echo lower=no; fi; exec sleep 300'
add_unit vmt-oomadj <<U
[Service]
ExecStart=/bin/sh -c '$probe'
U
add_unit vmt-oomadj-low <<U
[Service]
ExecStart=/bin/sh -c '$probe'
OOMScoreAdjust=-300
U
for u in vmt-oomadj vmt-oomadj-low; do
        mkdir -p "/etc/systemd/system/$u.service.d"
        printf '[Service]\nOOMScoreAdjust=200\n' >"/etc/systemd/system/$u.service.d/oom.conf"
done
systemctl daemon-reload

for u in vmt-oomadj:200 vmt-oomadj-low:-300; do
        name=${u%%:*} want=${u#*:}
        journal_mark "$T/cursor"
        check "systemctl start $name" systemctl start "$name.service"
        msgs() { journal_since "$T/cursor" "$name.service" | sed -n 's/^ *MESSAGE=//p'; }
        wait_until 30 sh -c "journalctl --flush; journalctl -q -o cat --after-cursor='$(cat "$T/cursor")' -u $name.service | grep -q lower="
        out=$(msgs)
        expect_match "$name: the payload's oom_score_adj is $want" "$out" "^self=$want\$"
        expect_match "$name: the payload cannot go below it" "$out" "^lower=no\$"
        main=$(unit_prop "$name.service" MainPID)
        expect_eq "$name: the supervisor (MainPID) holds -1000" "$(cat "/proc/$main/oom_score_adj" 2>&1)" -1000
        [ "$(printf '%s\n' "$out" | grep -c '^self=')" = 1 ] || unit_diag "$name.service"
        systemctl stop "$name.service"
done
rm -r /etc/systemd/system/vmt-oomadj.service.d /etc/systemd/system/vmt-oomadj-low.service.d
systemctl daemon-reload
done_testing
