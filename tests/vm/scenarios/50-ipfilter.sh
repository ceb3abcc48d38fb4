#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# IPAddressAllow=/IPAddressDeny= under systemd: the packet filters hutch attaches to payload/
# inside the service's delegated cgroup hold there too, proven by what the payload can send on
# the guest's own network (PrivateNetwork=no).
. "$VM_LIB"

install_unit vmt-ipfilter <<'U'
[Service]
Type=oneshot
ExecStart=/bin/bash -c 'for a in 127.0.0.1 127.0.0.2; do if (echo x >/dev/udp/$$a/9) 2>/dev/null; then echo "udp $$a sent"; else echo "udp $$a refused"; fi; done'
[Sandbox]
PrivateNetwork=no
[Resources]
IPAddressDeny=any
IPAddressAllow=127.0.0.2
U

journal_mark "$T/cursor"
if systemctl start vmt-ipfilter.service; then ok "systemctl start vmt-ipfilter (IPAddressDeny=any)"; else
        fail "systemctl start vmt-ipfilter (IPAddressDeny=any)"
        unit_diag vmt-ipfilter.service
fi
out=$(journal_since "$T/cursor" vmt-ipfilter.service | sed -n 's/^ *MESSAGE=//p')
expect_match "under systemd: 127.0.0.2, allowed, is sent to" "$out" "udp 127.0.0.2 sent"
expect_match "under systemd: 127.0.0.1, denied, is refused" "$out" "udp 127.0.0.1 refused"
systemctl stop vmt-ipfilter.service 2>/dev/null
done_testing
