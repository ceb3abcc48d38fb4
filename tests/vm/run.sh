#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The vm tier, host side: builds (once, cached) a Debian 12 guest, installs the hutch build
# into a staging dir, boots the guest under qemu with a real systemd as PID 1 and a pure
# cgroup v2 hierarchy, lets tests/vm/runner.sh run every scenario inside, and prints the
# scenarios' results as one TAP stream (meson protocol 'tap').
#   run.sh BUILD_DIR [SOURCE_DIR]
# Environment: HUTCH_VM_CACHE (image cache), HUTCH_VM_MIRROR, HUTCH_VM_TIMEOUT (seconds for
# the whole guest run, default 1200), HUTCH_VM_ACCEL (tcg|kvm|auto, default auto),
# HUTCH_VM_ONLY (space-separated globs: run only the scenarios whose file name matches), HUTCH_VM_KEEP=1
# (keep the temp dir with console log and results), HUTCH_VM_IMAGE (an image directory made
# by build-image.sh to use instead of the cached one, for debugging).
set -uo pipefail

build=$(cd "${1:?usage: run.sh BUILD_DIR [SOURCE_DIR]}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "${2:-$here/../..}" && pwd)
timeout_s=${HUTCH_VM_TIMEOUT:-1200}
accel=${HUTCH_VM_ACCEL:-auto}
t0=$(date +%s)

n=0
failed=0
tap_ok() { n=$((n + 1)); echo "ok $n - $*"; }
tap_fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { echo "# $*"; }
finish() {
        echo "1..$n"
        [ "$failed" -eq 0 ] && [ "$n" -gt 0 ]
        exit
}

qemu_pid=
tmp=
cleanup() {
        if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then
                kill -TERM "$qemu_pid" 2>/dev/null
                for _ in 1 2 3 4 5 6 7 8 9 10; do
                        kill -0 "$qemu_pid" 2>/dev/null || break
                        sleep 0.5
                done
                kill -KILL "$qemu_pid" 2>/dev/null
                wait "$qemu_pid" 2>/dev/null
        fi
        if [ -n "$tmp" ] && [ -d "$tmp" ]; then
                if [ "${HUTCH_VM_KEEP:-0}" = 1 ]; then
                        echo "# kept $tmp" >&2
                else
                        rm -rf "$tmp"
                fi
        fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for tool in qemu-system-x86_64 qemu-img timeout; do
        if ! command -v "$tool" >/dev/null; then
                tap_fail "vm tier needs $tool (apt-get install qemu-system-x86 qemu-utils)"
                finish
        fi
done

# 1. The image (cached).
tb=$(date +%s)
if [ -n "${HUTCH_VM_IMAGE:-}" ]; then
        image=$HUTCH_VM_IMAGE
        echo "image given by HUTCH_VM_IMAGE" >"${TMPDIR:-/tmp}/hutch-vm-build.$$.log"
elif ! image=$(timeout -k 30 1200 "$here/build-image.sh" 2>"${TMPDIR:-/tmp}/hutch-vm-build.$$.log"); then
        sed 's/^/# /' "${TMPDIR:-/tmp}/hutch-vm-build.$$.log"
        rm -f "${TMPDIR:-/tmp}/hutch-vm-build.$$.log"
        tap_fail "guest image built"
        finish
fi
sed 's/^/# /' "${TMPDIR:-/tmp}/hutch-vm-build.$$.log"
rm -f "${TMPDIR:-/tmp}/hutch-vm-build.$$.log"
diag "image $image ($(($(date +%s) - tb)) s, $(cat "$image/ok"))"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/hutch-vm.XXXXXX")
mkdir -p "$tmp/out/stage"

# 2. The build, installed into a staging dir that the guest copies onto its /.
if ! meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/out/stage" >"$tmp/install.log" 2>&1; then
        sed 's/^/# /' "$tmp/install.log"
        tap_fail "meson install of the build into the guest's staging dir"
        finish
fi
# Test helpers the scenarios use inside the guest.
mkdir -p "$tmp/out/stage/usr/local/libexec/hutch-vm"
cp "$build/tests/vm/vm-notify" "$tmp/out/stage/usr/local/libexec/hutch-vm/" || {
        tap_fail "test helper $build/tests/vm/vm-notify exists"
        finish
}
printf '%s\n' "${HUTCH_VM_ONLY:-}" >"$tmp/out/only"

# 3. A throwaway overlay on the cached image.
if ! qemu-img create -q -f qcow2 -F raw -b "$image/rootfs.img" "$tmp/overlay.qcow2" >"$tmp/qemu-img.log" 2>&1; then
        sed 's/^/# /' "$tmp/qemu-img.log"
        tap_fail "qcow2 overlay created"
        finish
fi

kvm_usable() {
        [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
                python3 -c 'import os; os.close(os.open("/dev/kvm", os.O_RDWR))' 2>/dev/null
}

# start_qemu ACCEL: starts the guest in the background, sets qemu_pid.
start_qemu() {
        local a=$1 cpu=() quiet=quiet
        # Under KVM the kernel's messages show that the guest runs (see below); under TCG
        # every character on the emulated serial port costs, so the kernel stays quiet.
        [ "$a" = kvm ] && cpu=(-cpu host) && quiet=
        : >"$tmp/console.log"
        qemu-system-x86_64 -accel "$a" "${cpu[@]}" -smp 2 -m 1536 \
                -nodefaults -no-user-config -nographic -monitor none \
                -serial "file:$tmp/console.log" \
                -kernel "$image/vmlinuz" -initrd "$image/initrd.img" \
                -append "$quiet root=/dev/vda rw console=ttyS0 systemd.unified_cgroup_hierarchy=1 panic=-1 hutch.vm=1" \
                -drive "file=$tmp/overlay.qcow2,if=virtio,format=qcow2,cache=unsafe" \
                -virtfs "local,path=$src,mount_tag=hutchsrc,security_model=none,readonly=on" \
                -virtfs "local,path=$tmp/out,mount_tag=hutchout,security_model=none" \
                -nic none \
                -device virtio-rng-pci \
                >"$tmp/qemu.log" 2>&1 &
        qemu_pid=$!
}

# 4. Boot: KVM first when it works, else (or when the guest stays silent) TCG.
tq=$(date +%s)
if [ "$accel" = auto ]; then
        if kvm_usable; then accel=kvm; else accel=tcg; fi
        if [ "$accel" = kvm ]; then
                start_qemu kvm
                silent=1
                for _ in $(seq 1 30); do
                        sleep 0.5
                        kill -0 "$qemu_pid" 2>/dev/null || break
                        if grep -q 'Linux version' "$tmp/console.log"; then
                                silent=0
                                break
                        fi
                done
                if [ "$silent" = 1 ]; then
                        echo "warning: guest under KVM printed nothing in 15 s; falling back to TCG" >&2
                        diag "warning: KVM guest silent for 15 s, falling back to TCG"
                        kill -KILL "$qemu_pid" 2>/dev/null
                        wait "$qemu_pid" 2>/dev/null
                        qemu_pid=
                        rm -f "$tmp/overlay.qcow2"
                        qemu-img create -q -f qcow2 -F raw -b "$image/rootfs.img" "$tmp/overlay.qcow2"
                        accel=tcg
                fi
        fi
fi
[ -n "$qemu_pid" ] || start_qemu "$accel"
diag "booting the guest (accel $accel, timeout ${timeout_s} s)"

deadline=$(($(date +%s) + timeout_s))
while kill -0 "$qemu_pid" 2>/dev/null; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
                diag "guest still running after ${timeout_s} s: killing qemu (pid $qemu_pid)"
                break
        fi
        sleep 1
done
timed_out=0
if kill -0 "$qemu_pid" 2>/dev/null; then
        timed_out=1
        kill -KILL "$qemu_pid" 2>/dev/null
fi
wait "$qemu_pid" 2>/dev/null
qemu_rc=$?
qemu_pid=
guest_s=$(($(date +%s) - tq))

# 5. Results: the runner wrote TAP lines without numbers; number them here.
results="$tmp/out/results.tap"
if [ -f "$results" ]; then
        while IFS= read -r line; do
                case $line in
                "ok - "*) tap_ok "${line#ok - }" ;;
                "not ok - "*) tap_fail "${line#not ok - }" ;;
                *) echo "$line" ;;
                esac
        done <"$results"
fi
if [ "$timed_out" = 0 ] && [ -f "$tmp/out/finished" ]; then
        tap_ok "guest ran every phase and powered off (qemu status $qemu_rc, ${guest_s} s)"
else
        tap_fail "guest ran every phase and powered off (timed out: $timed_out, qemu status $qemu_rc, ${guest_s} s)"
        diag "last lines of the guest console:"
        tail -n 60 "$tmp/console.log" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g; s/^/#   /'
        [ -s "$tmp/qemu.log" ] && sed 's/^/#   qemu: /' "$tmp/qemu.log"
fi
diag "vm tier: guest ${guest_s} s, total $(($(date +%s) - t0)) s"
finish
