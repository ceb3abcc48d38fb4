#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Control commands under systemd: `systemctl start` returns once ExecStartPost= is done,
# `systemctl reload` runs ExecReload= (through the generated service's ExecReload=),
# `systemctl stop` runs ExecStop= before the stop signal and ExecStopPost= after; a failing
# ExecStartPre= fails the start, and ExecCondition= exit 1 skips it without a failure. Every
# command logs into the unit's StateDirectory=, which they all share.
. "$VM_LIB"

S=/var/lib/vmt-ctl
step() { echo "/bin/sh -c 'echo $1 >>$S/log'"; }
add_unit vmt-ctl <<U
[Service]
ExecStartPre=$(step pre)
ExecStart=/bin/sh -c 'trap "echo hup >>$S/log" HUP; trap "echo term >>$S/log; exit 0" TERM; echo main >>$S/log; while :; do sleep 0.1; done'
ExecStartPost=/bin/sh -c 'sleep 1; echo post \$\$MAINPID >>$S/log'
ExecReload=$(step reload)
ExecReload=/bin/kill -HUP \$MAINPID
ExecStop=$(step stop)
ExecStopPost=/bin/sh -c 'echo stoppost \$\$SERVICE_RESULT >>$S/log'
[Sandbox]
StateDirectory=vmt-ctl
U
add_unit vmt-ctl-prefail <<U
[Service]
ExecStartPre=/bin/sh -c 'exit 3'
ExecStart=/bin/sleep 300
U
add_unit vmt-ctl-cond <<U
[Service]
ExecCondition=/bin/sh -c 'exit 1'
ExecStart=/bin/sleep 300
U
add_unit vmt-ctl-remain <<U
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=$(step once)
ExecStop=$(step undo)
[Sandbox]
StateDirectory=vmt-ctl
U
systemctl daemon-reload
rm -rf "$S"

check "systemctl start vmt-ctl" systemctl start vmt-ctl.service
expect_match "start returned after ExecStartPre=, the service and ExecStartPost= (with \$MAINPID)" \
        "$(paste -sd' ' "$S/log" 2>&1)" '^pre main post [0-9]+$'
expect_eq "the generated service has ExecReload=" \
        "$(systemctl show -P ExecReload vmt-ctl.service | grep -o 'argv\[\]=[^;]*')" \
        'argv[]=/bin/kill -HUP $MAINPID '
check "systemctl reload vmt-ctl" systemctl reload vmt-ctl.service
wait_until 20 grep -qx hup "$S/log"
check "systemctl stop vmt-ctl" systemctl stop vmt-ctl.service
expect_match "reload ran ExecReload= in the sandbox, stop ran ExecStop=, then SIGTERM, then ExecStopPost=" \
        "$(paste -sd' ' "$S/log" 2>&1)" '^pre main post [0-9]+ reload hup stop term stoppost success$'
expect_eq "vmt-ctl: inactive and not failed after the stop" "$(unit_prop vmt-ctl.service ActiveState)" inactive
[ "$(grep -c stoppost "$S/log" 2>/dev/null)" = 1 ] || unit_diag vmt-ctl.service

check "a failing ExecStartPre=: systemctl start fails" sh -c '! systemctl start vmt-ctl-prefail.service'
expect_eq "a failing ExecStartPre=: failed, with hutch's status" \
        "$(unit_prop vmt-ctl-prefail.service ActiveState) $(unit_prop vmt-ctl-prefail.service ExecMainStatus)" \
        "failed 3"

check "ExecCondition= exit 1: systemctl start succeeds" systemctl start vmt-ctl-cond.service
wait_until 20 sh -c '[ "$(systemctl show -P ActiveState vmt-ctl-cond.service)" = inactive ]'
expect_eq "ExecCondition= exit 1: the service ended inactive, not failed, never started" \
        "$(unit_prop vmt-ctl-cond.service ActiveState) $(unit_prop vmt-ctl-cond.service Result)" \
        "inactive success"
rm -rf "$S"
check "RemainAfterExit=yes: systemctl start returns once the oneshot succeeded" \
        systemctl start vmt-ctl-remain.service
expect_eq "RemainAfterExit=yes: active afterwards, the command ran once, nothing undone yet" \
        "$(unit_prop vmt-ctl-remain.service ActiveState) $(paste -sd' ' "$S/log" 2>&1)" "active once"
check "RemainAfterExit=yes: systemctl stop" systemctl stop vmt-ctl-remain.service
expect_eq "RemainAfterExit=yes: the stop ran ExecStop=; inactive, not failed" \
        "$(paste -sd' ' "$S/log" 2>&1) $(unit_prop vmt-ctl-remain.service ActiveState) $(unit_prop vmt-ctl-remain.service Result)" \
        "once undo inactive success"
rm -rf "$S"
done_testing
