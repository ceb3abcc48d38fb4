#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# IOReadBandwidthMax=/IOWriteBandwidthMax= PATH limits the disk PATH is on, found as systemd finds
# it: through btrfs (whose files carry an anonymous device number) and through stacked
# device-mapper devices (LUKS on LVM is two layers) down to the disk they are built on. Both on
# loop devices of the guest. Proven from inside: a direct read in the payload takes as long as
# the limit says, where the same read outside takes a fraction of that.
. "$VM_LIB"

img=/var/tmp/vmt-io
lo_b= lo_d=
io_cleanup() {
        _vm_cleanup
        umount /mnt/vmt-io-btrfs /mnt/vmt-io-dm 2>/dev/null
        dmsetup remove vmt-io-top 2>/dev/null
        dmsetup remove vmt-io-lin 2>/dev/null
        [ -n "$lo_b" ] && losetup -d "$lo_b"
        [ -n "$lo_d" ] && losetup -d "$lo_d"
        rm -rf "$img" /mnt/vmt-io-btrfs /mnt/vmt-io-dm /mnt/vmt-io-out
}
trap io_cleanup EXIT

modprobe loop 2>/dev/null
modprobe btrfs 2>/dev/null
modprobe dm-mod 2>/dev/null
mkdir -p "$img" /mnt/vmt-io-btrfs /mnt/vmt-io-dm /mnt/vmt-io-out
truncate -s 256M "$img/btrfs.img" "$img/dm.img"
lo_b=$(losetup -f --show "$img/btrfs.img")
lo_d=$(losetup -f --show "$img/dm.img")
devnum() { cat "/sys/class/block/$(basename "$(readlink -f "$1")")/dev"; }
mkfs.btrfs -q "$lo_b" && mount "$lo_b" /mnt/vmt-io-btrfs
check "btrfs on $lo_b is mounted" mountpoint -q /mnt/vmt-io-btrfs
sectors=$(blockdev --getsz "$lo_d")
dmsetup create vmt-io-lin --table "0 $sectors linear $lo_d 0" &&
        dmsetup create vmt-io-top --table "0 $sectors linear /dev/mapper/vmt-io-lin 0" &&
        mkfs.ext4 -q /dev/mapper/vmt-io-top && mount /dev/mapper/vmt-io-top /mnt/vmt-io-dm
check "ext4 on two stacked dm devices on $lo_d is mounted" mountpoint -q /mnt/vmt-io-dm
diag "btrfs st_dev $(stat -c %d /mnt/vmt-io-btrfs) (anonymous), disk $(devnum "$lo_b")" \
        "dm: $(devnum /dev/mapper/vmt-io-top) on $(devnum /dev/mapper/vmt-io-lin) on $(devnum "$lo_d")"
for d in btrfs dm; do
        dd if=/dev/urandom of=/mnt/vmt-io-$d/data bs=1M count=4 status=none
done
sync

# A direct read of the 4 MiB file, outside any limit.
read_ms() {
        local t0 t1
        t0=$(date +%s%N)
        dd if="$1" of=/dev/null bs=256k iflag=direct status=none || return 1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
}
free_btrfs=$(read_ms /mnt/vmt-io-btrfs/data)
free_dm=$(read_ms /mnt/vmt-io-dm/data)
diag "unlimited direct reads of 4 MiB: btrfs ${free_btrfs} ms, dm ${free_dm} ms"

mkdir -p "$T/out"
# The payload's read, timed inside the sandbox.
cat >"$T/out/read.sh" <<'SH'
t0=$(date +%s%N)
dd if="/mnt/vmt-io-$1/data" of=/dev/null bs=256k iflag=direct status=none || exit 1
echo $((($(date +%s%N) - t0) / 1000000)) >"/mnt/vmt-io-out/$1"
SH
for d in btrfs dm; do
        add_unit "vmt-io-$d" <<U
[Service]
Type=oneshot
ExecStart=/bin/sh /mnt/vmt-io-out/read.sh $d
[Resources]
IOReadBandwidthMax=/mnt/vmt-io-$d/data 1M
IOWriteBandwidthMax=/mnt/vmt-io-$d 2M
[Sandbox]
BindPaths=$T/out:/mnt/vmt-io-out
U
done
systemctl daemon-reload
for d in btrfs dm; do
        lo=$lo_b
        [ $d = dm ] && lo=$lo_d
        want=$(devnum "$lo")
        if ! systemctl start "vmt-io-$d.service"; then
                fail "the $d unit runs"
                unit_diag "vmt-io-$d.service"
                continue
        fi
        ok "the $d unit runs"
        ms=$(cat "$T/out/$d" 2>/dev/null)
        free=$free_btrfs
        [ $d = dm ] && free=$free_dm
        if [ "${free:-9999}" -ge 1500 ]; then
                skip "the guest reads too slowly without a limit (${free} ms) to tell the $d limit"
                continue
        fi
        # 4 MiB at 1M (systemd: 10^6 bytes) a second: about 4 s; the throttle lets the first slice through at once.
        check "its payload reads 4 MiB from the $d file in 2.5 s or more (${ms:-no result} ms)" \
                test "${ms:-0}" -ge 2500
done
# io.max as the kernel holds it, while a unit runs.
add_unit vmt-io-show <<U
[Service]
ExecStart=/bin/sleep infinity
[Resources]
IOReadBandwidthMax=/dev/mapper/vmt-io-top 1M
IOWriteBandwidthMax=/mnt/vmt-io-btrfs 2M
IOReadIOPSMax=/mnt/vmt-io-dm 1K
IOWriteIOPSMax=/mnt/vmt-io-dm 500
U
systemctl daemon-reload
systemctl start vmt-io-show.service
p=$(unit_cgroup vmt-io-show.service)/payload
expect_match "a dm device node limits the disk under both layers; IOPS limits join its line" \
        "$(cat "$p/io.max")" "^$(devnum "$lo_d") rbps=1000000 wbps=max riops=1000 wiops=500$"
expect_match "a btrfs directory limits btrfs's device" "$(cat "$p/io.max")" \
        "^$(devnum "$lo_b") rbps=max wbps=2000000 "
systemctl stop vmt-io-show.service

# A path with no disk behind it fails the start and says why.
install_unit vmt-io-none <<'U'
[Service]
ExecStart=/bin/true
[Resources]
IOReadBandwidthMax=/dev/shm 1M
U
check "a limit on a tmpfs path fails the start" sh -c '! systemctl start vmt-io-none.service'
expect_match "... saying there is no disk behind it" \
        "$(journalctl -q --no-pager -b -u vmt-io-none.service)" \
        "IOReadBandwidthMax: /dev/shm has no local disk behind it"
done_testing
