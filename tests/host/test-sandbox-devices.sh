#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# DevicePolicy= and DeviceAllow=, proven from inside the sandbox: what the payload can open, write
# and create (mknod) is what the unit allows, whatever the file modes and capabilities say.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"
require_root

# For each device: "r" / "w" when opening it for that succeeds, else the error; mk: mknod of a
# /dev/null twin in /tmp (CAP_MKNOD where the unit grants it).
probe devices <<'EOF'
# (No 2>/dev/null here: the unit may not allow writing /dev/null.)
acc() {
        if r=$( (: <"$1") 2>&1); then r=r; else r=$(echo "$r" | sed 's/.*: //'); fi
        if w=$( (: >>"$1") 2>&1); then w=w; else w=$(echo "$w" | sed 's/.*: //'); fi
        echo "$r/$w"
}
for d in null zero full random urandom tty ptmx; do echo "$d=$(acc /dev/$d)"; done
echo "tun=$( [ -e /dev/net/tun ] && acc /dev/net/tun || echo absent)"
if mk=$(mknod /tmp/twin c 1 3 2>&1); then mk=MADE; else mk=$(echo "$mk" | sed 's/.*: //'); fi
echo "mk=$mk"
echo "done=1"
EOF

run_devices() {
        local name=$1
        shift
        {
                echo "[Sandbox]"
                echo "BindReadOnlyPaths=$T/devices.sh:/run/probe.sh"
                echo "[Service]"
                echo "ExecStart=/bin/sh /run/probe.sh"
                cat
        } >"$T/units/$name.hutch"
        sb_run "$name"
        expect_eq "$name: runs" "$RC" 0
        [ "$RC" = 0 ] || echo "# $ERR"
}

denied='Operation not permitted'

# --- no device key: nothing filtered (control) ---------------------------------------------
run_devices dev-none </dev/null
expect_eq "no filter: /dev/null" "$(get null)" r/w
expect_eq "no filter: /dev/zero" "$(get zero)" r/w
expect_eq "no filter: /dev/ptmx" "$(get ptmx)" r/w

# --- strict: only what is listed, with only the access listed -----------------------------
run_devices dev-strict <<EOF
[Resources]
DevicePolicy=strict
DeviceAllow=/dev/null rw
DeviceAllow=/dev/full w
DeviceAllow=/dev/char/1:8 r
EOF
expect_eq "strict: /dev/null rw" "$(get null)" r/w
expect_eq "strict: /dev/full write only" "$(get full)" "$denied/w"
expect_eq "strict: /dev/char/1:8 names /dev/random, read only" "$(get random)" "r/$denied"
expect_eq "strict: /dev/zero not listed" "$(get zero)" "$denied/$denied"
expect_eq "strict: /dev/urandom not listed" "$(get urandom)" "$denied/$denied"
expect_eq "strict: /dev/tty not listed" "$(get tty)" "$denied/$denied"

# --- closed: the pseudo devices too, and nothing else of the host's /dev ------------------
run_devices dev-closed <<EOF
[Sandbox]
PrivateDevices=no
[Resources]
DevicePolicy=closed
EOF
for d in null zero full random urandom ptmx; do
        expect_eq "closed: /dev/$d" "$(get $d)" r/w
done
if [ -e /dev/net/tun ]; then
        expect_eq "closed, the host's /dev: /dev/net/tun refused" "$(get tun)" "$denied/$denied"
else
        skip "the host has no /dev/net/tun"
fi
run_devices dev-open-host <<EOF
[Sandbox]
PrivateDevices=no
EOF
if [ -e /dev/net/tun ]; then
        expect_eq "no filter, the host's /dev: /dev/net/tun opens (control)" "$(get tun)" r/w
fi

# --- a DeviceAllow= list alone (DevicePolicy=auto) is closed, as in systemd -----------------
run_devices dev-auto <<EOF
[Sandbox]
PrivateDevices=no
[Resources]
DeviceAllow=/dev/net/tun rw
EOF
expect_eq "auto with a list: /dev/zero (closed's)" "$(get zero)" r/w
if [ -e /dev/net/tun ]; then
        expect_eq "auto with a list: /dev/net/tun, listed" "$(get tun)" r/w
fi

# --- a driver by name (glob): char-mem is null, zero, full, random, urandom... -------------
run_devices dev-driver <<EOF
[Resources]
DevicePolicy=strict
DeviceAllow=char-m?m r
EOF
expect_eq "char-m?m r: /dev/zero readable" "$(get zero)" "r/$denied"
expect_eq "char-m?m r: /dev/null not writable" "$(get null)" "r/$denied"
expect_eq "char-m?m r: /dev/tty (another driver) refused" "$(get tty)" "$denied/$denied"

# --- mknod: 'm' is what lets CAP_MKNOD make a node (closed has /dev/null rwm: strict here) ---
run_devices dev-nomk <<EOF
[Security]
CapabilityBoundingSet=CAP_MKNOD
AmbientCapabilities=CAP_MKNOD
[Resources]
DevicePolicy=strict
DeviceAllow=/dev/null rw
EOF
expect_eq "DeviceAllow=/dev/null rw: mknod of a null refused" "$(get mk)" "$denied"
run_devices dev-mk <<EOF
[Security]
CapabilityBoundingSet=CAP_MKNOD
AmbientCapabilities=CAP_MKNOD
[Resources]
DevicePolicy=strict
DeviceAllow=/dev/null rwm
EOF
expect_eq "DeviceAllow=/dev/null rwm: mknod of a null works" "$(get mk)" MADE

# --- what matches nothing on this host: said, left out, the service starts ------------------
run_devices dev-missing <<EOF
[Resources]
DeviceAllow=/dev/hutch-no-such-device rw
DeviceAllow=char-hutch-no-such-driver
EOF
expect_eq "missing device: the payload ran" "$(get done)" 1
expect_match "missing device: warned with file:line: key" "$ERR" "dev-missing.hutch:6: DeviceAllow: /dev/hutch-no-such-device: No such file or directory"
expect_match "missing driver: warned" "$ERR" "dev-missing.hutch:7: DeviceAllow: char-hutch-no-such-driver: no character driver"
expect_eq "missing device: /dev/null still allowed (closed)" "$(get null)" r/w

# --- a restart in a payload/ made anew (after cgroup.kill) keeps the filter ---------------
# The payload ignores the watchdog's SIGABRT, so TimeoutStopSec= ends it with cgroup.kill, and
# hutch makes payload/ again for the restart: the device program must be attached to that one too.
if command -v systemd-notify >/dev/null; then
        renewal_unit dev-renew 'if (: </dev/zero) 2>/dev/null; then echo zero-opens; else echo zero-refused; fi >>/run/out/runs' <<EOF
[Resources]
DevicePolicy=strict
DeviceAllow=/dev/null rw
EOF
        sb_run dev-renew
        expect_match "renewed payload/: the first run ended in cgroup.kill" "$ERR" "killing the payload cgroup"
        expect_eq "renewed payload/: both runs refused /dev/zero" "$(cat "$T/renew/runs" 2>&1 | tr '\n' ' ')" \
                "zero-refused zero-refused "
else
        skip "no systemd-notify on this host"
fi

# --- bad values: refused when the unit is read, with file:line: key ------------------------
unit_file dev-bad <<EOF
[Service]
ExecStart=/bin/true
[Resources]
DeviceAllow=/dev/null rx
EOF
out=$($HUTCH verify dev-bad 2>&1)
expect_eq "DeviceAllow= with a bad access: verify fails" "$?" 1
expect_match "  names the line and key" "$out" "dev-bad.hutch:4: DeviceAllow: "
unit_file dev-bad2 <<EOF
[Service]
ExecStart=/bin/true
[Resources]
DeviceAllow=sda rw
DevicePolicy=open
EOF
out=$($HUTCH verify dev-bad2 2>&1)
expect_match "DeviceAllow= of no /dev/ path nor driver: refused" "$out" "dev-bad2.hutch:4: DeviceAllow: "
expect_match "DevicePolicy= unknown: refused" "$out" "dev-bad2.hutch:5: DevicePolicy: "

done_testing
