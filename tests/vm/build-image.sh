#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds (once) the vm tier's Debian 12 guest and prints the directory that holds it:
#   rootfs.img  ext4 image of the root file system (the guest's /dev/vda)
#   vmlinuz, initrd.img  the kernel and initrd that linux-image-amd64 installed
# The directory's name carries a key made from packages.txt, this script and guest/, so a
# change to any of them (or to image_rev below) builds a new image; older images are removed.
# Cache: $HUTCH_VM_CACHE, else tests/vm/cache/ in the source tree.
# Mirror: $HUTCH_VM_MIRROR, else the Debian archive that apt uses on this machine.
# Needs root (debootstrap), network to the mirror, mkfs.ext4 with -d.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${HUTCH_VM_CACHE:-$here/cache}
mkdir -p "$cache"

log() { echo "build-image: $*" >&2; }

# Bump image_rev when a change to this script changes the image it makes.
image_rev=2
key=$( (echo "$image_rev" && cat "$here/packages.txt" "$here"/guest/*) | sha256sum | cut -c1-16)
out="$cache/debian12-$key"
if [ -f "$out/ok" ]; then
        echo "$out"
        exit 0
fi

# Debian's archive as apt knows it: deb822 sources (URIs:) or one-line sources (deb URL).
find_mirror() {
        local f
        for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
                [ -f "$f" ] || continue
                awk '
                        /^[[:space:]]*#/ { next }
                        /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
                        /^deb[[:space:]]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i ~ /\/debian\/?$/) { print $i; exit } }
                ' "$f"
        done | head -n1
}
mirror=${HUTCH_VM_MIRROR:-$(find_mirror)}
mirror=${mirror:-http://deb.debian.org/debian}

for tool in debootstrap mkfs.ext4 flock; do
        command -v "$tool" >/dev/null || {
                log "$tool not found (apt-get install debootstrap e2fsprogs util-linux)"
                exit 1
        }
done
[ "$(id -u)" -eq 0 ] || {
        log "must run as root (debootstrap)"
        exit 1
}

# One builder at a time; a second caller waits and then finds the image.
exec 9>"$cache/.lock"
flock 9
if [ -f "$out/ok" ]; then
        echo "$out"
        exit 0
fi

start=$(date +%s)
work=$(mktemp -d "$cache/.build-XXXXXX")
# unmount_under DIR: unmounts everything mounted below DIR, deepest first.
unmount_under() {
        awk -v w="$1/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
                while read -r m; do umount -l "$m" 2>/dev/null; done
}
cleanup() {
        # debootstrap mounts proc and sys in the target; never let rm cross into them.
        unmount_under "$work"
        rm -rf --one-file-system "$work"
}
trap cleanup EXIT
root="$work/root"

pkgs=$(grep -v '^[[:space:]]*\(#\|$\)' "$here/packages.txt" | paste -sd, -)
log "debootstrap bookworm from $mirror (into $work)"
# debootstrap replaces start-stop-daemon by a no-op while it configures packages, so
# nginx's postinst does not start a daemon on the build machine.
debootstrap --variant=minbase --include="$pkgs" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
        tail -n 30 "$work/debootstrap.log" >&2
        [ -f "$root/debootstrap/debootstrap.log" ] && tail -n 30 "$root/debootstrap/debootstrap.log" >&2
        log "debootstrap failed"
        exit 1
}

# Guest configuration.
echo hutch-vm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\thutch-vm\n::1\tlocalhost\n' >"$root/etc/hosts"
cat >"$root/etc/fstab" <<'EOF'
/dev/vda  /            ext4  rw,errors=remount-ro                           0 1
hutchsrc  /hutch/src   9p    trans=virtio,version=9p2000.L,ro,nofail,msize=262144  0 0
hutchout  /hutch/out   9p    trans=virtio,version=9p2000.L,rw,nofail,msize=262144  0 0
EOF
mkdir -p "$root/hutch/src" "$root/hutch/out"
: >"$root/etc/machine-id" # first boot generates one
chroot "$root" passwd -d root >/dev/null
# Nothing that competes for the two emulated CPUs or writes to the serial console (a unit
# writing to ttyS0 is hung up when serial-getty starts there).
mask="serial-getty@ttyS0.service getty@tty1.service apt-daily.timer apt-daily-upgrade.timer
      e2scrub_all.timer e2scrub_reap.service fstrim.timer logrotate.timer dpkg-db-backup.timer
      man-db.timer systemd-timesyncd.service"
for u in $mask; do
        ln -sf /dev/null "$root/etc/systemd/system/$u"
done
# Debian's own nginx stays installed but disabled: the vm tier starts nginx under hutch.
rm -f "$root/etc/systemd/system/multi-user.target.wants/nginx.service"
install -m 0644 "$here/guest/hutch-vm.service" "$root/etc/systemd/system/hutch-vm.service"
install -m 0755 "$here/guest/hutch-vm-finish" "$root/usr/local/sbin/hutch-vm-finish"
ln -sf /etc/systemd/system/hutch-vm.service "$root/etc/systemd/system/multi-user.target.wants/hutch-vm.service"
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\nRuntimeMaxUse=32M\n' >"$root/etc/systemd/journald.conf.d/hutch-vm.conf"
# A small initrd: only what mounts /dev/vda (Debian's default MODULES=most makes a 36 MB
# initrd whose unpacking and module loading cost more than 10 s under TCG).
printf 'MODULES=list\n' >"$root/etc/initramfs-tools/conf.d/hutch-vm.conf"
printf '%s\n' virtio_pci virtio_blk ext4 >>"$root/etc/initramfs-tools/modules"
mount -t proc proc "$root/proc"
chroot "$root" update-initramfs -u -k all >"$work/initramfs.log" 2>&1 || {
        cat "$work/initramfs.log" >&2
        log "update-initramfs failed"
        exit 1
}
umount "$root/proc"
# Nothing may stay mounted in the tree (debootstrap can leave its /proc and /sys behind):
# mkfs.ext4 -d would copy them into the image.
unmount_under "$root"
if awk -v w="$root/" 'index($5, w) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
        log "cannot unmount what is mounted under $root"
        exit 1
fi
rm -rf "$root/var/cache/apt/archives"/*.deb "$root/var/lib/apt/lists"/* "$root/usr/share/doc"/* \
        "$root/usr/share/man"/* "$root/usr/share/locale"/*

mkdir -p "$work/out"
kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$root"/boot/initrd.img-* | sort -V | tail -n1)
cp "$kernel" "$work/out/vmlinuz"
cp "$initrd" "$work/out/initrd.img"

used_mb=$(du -smx "$root" | cut -f1)
size_mb=$((used_mb + used_mb / 4 + 768))
log "mkfs.ext4 -d: ${used_mb} MiB used, image ${size_mb} MiB"
mkfs.ext4 -q -F -L hutchroot -d "$root" "$work/out/rootfs.img" "${size_mb}M" >&2
sha256sum "$here/packages.txt" >"$work/out/packages.sha256"
echo "mirror=$mirror built=$(date -u +%FT%TZ) seconds=$(($(date +%s) - start))" >"$work/out/ok"

rm -rf "$out"
mv "$work/out" "$out"
# Older images of this cache are obsolete.
for d in "$cache"/debian12-*; do
        [ "$d" = "$out" ] || rm -rf "$d"
done
log "image ready in $(($(date +%s) - start)) s: $out"
echo "$out"
