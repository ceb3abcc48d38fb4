#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Phase 1 of "an enabled unit starts after a reboot" (issue 6 point 7): installs a unit with
# [Install] WantedBy=multi-user.target and leaves it in place; the runner then reboots the
# guest and 60-reboot.boot2.sh checks that systemd started it at boot. Nobody starts it here.
. "$VM_LIB"

mkdir -p /etc/hutch
cat >/etc/hutch/vmt-boot.hutch <<'U'
[Unit]
Description=vm tier: started at boot

[Service]
ExecStart=/bin/sh -c 'echo "vmt-boot payload up"; exec sleep infinity'

[Install]
WantedBy=multi-user.target
U
systemctl daemon-reload
check "the generator linked it into multi-user.target.wants" \
        test -L /run/systemd/generator/multi-user.target.wants/vmt-boot.service
expect_eq "it is not running now (only enabled)" "$(unit_prop vmt-boot.service ActiveState)" inactive
# No cleanup here: the unit must survive the reboot (60-reboot.boot2.sh removes it).
done_testing
