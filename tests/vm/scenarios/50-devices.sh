#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# DevicePolicy=/DeviceAllow= under systemd: the device program hutch attaches to payload/ inside
# the service's delegated cgroup holds there too, proven by what the payload can open.
. "$VM_LIB"

install_unit vmt-devices <<'U'
[Service]
Type=oneshot
ExecStart=/bin/sh -c 'for d in null zero; do if (: <"/dev/$d") 2>/dev/null; then echo "dev $d opens"; else echo "dev $d refused"; fi; done'
[Sandbox]
PrivateDevices=no
[Resources]
DevicePolicy=strict
DeviceAllow=/dev/null rw
U

journal_mark "$T/cursor"
if systemctl start vmt-devices.service; then ok "systemctl start vmt-devices (DevicePolicy=strict)"; else
        fail "systemctl start vmt-devices (DevicePolicy=strict)"
        unit_diag vmt-devices.service
fi
out=$(journal_since "$T/cursor" vmt-devices.service | sed -n 's/^ *MESSAGE=//p')
expect_match "under systemd: /dev/null, listed, opens" "$out" "dev null opens"
expect_match "under systemd: /dev/zero, not listed, is refused" "$out" "dev zero refused"
systemctl stop vmt-devices.service 2>/dev/null
done_testing
