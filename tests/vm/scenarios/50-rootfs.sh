#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Layers= and RootMode=volatile on Debian 12's own kernel (6.1, whose overlayfs predates the
# "lowerdir+" key of Linux 6.8), under systemd: a layer over the guest's root, writes that
# vanish, and ProtectSystem=full keeping /usr and /etc read-only over the writable overlay.
. "$VM_LIB"

# overlayfs refuses a layer inside the lowest one (the root) on the same file system
mkdir -p "$T/layer"
mount -t tmpfs vmt-layer "$T/layer"
mkdir "$T/layer/etc"
echo from-layer >"$T/layer/etc/vmt-layer"
probe='echo "layer=$$(cat /etc/vmt-layer)"; echo "fstype=$$(stat -f -c %%T /)"; for d in usr etc var; do touch /$$d/vmt-probe 2>/dev/null && echo "$$d=rw" || echo "$$d=ro"; done; echo done=1; exec sleep 300'
add_unit vmt-rootfs <<U
[Service]
ExecStart=/bin/sh -c '$probe'
[Sandbox]
Layers=$T/layer
RootMode=volatile
ProtectSystem=full
U
systemctl daemon-reload

journal_mark "$T/cursor"
check "systemctl start vmt-rootfs" systemctl start vmt-rootfs.service
wait_until 30 sh -c "journalctl --flush; journalctl -q -o cat --after-cursor='$(cat "$T/cursor")' -u vmt-rootfs.service | grep -q done="
out=$(journal_since "$T/cursor" vmt-rootfs.service | sed -n 's/^ *MESSAGE=//p')
expect_match "vmt-rootfs: the layer's file is seen" "$out" '^layer=from-layer$'
expect_match "vmt-rootfs: the root is an overlay" "$out" '^fstype=overlayfs$'
expect_match "vmt-rootfs: ProtectSystem=full keeps /usr read-only" "$out" '^usr=ro$'
expect_match "vmt-rootfs: and /etc" "$out" '^etc=ro$'
expect_match "vmt-rootfs: /var is the volatile root's, writable" "$out" '^var=rw$'
if [ "$(printf '%s\n' "$out" | grep -c '^layer=')" != 1 ]; then
        unit_diag vmt-rootfs.service
        dmesg | grep -i overlay | tail -n 5 | sed 's/^/#   kernel: /'
fi
systemctl stop vmt-rootfs.service
check "nothing reached the guest" test ! -e /usr/vmt-probe -a ! -e /etc/vmt-probe -a ! -e /var/vmt-probe
umount "$T/layer"
done_testing
