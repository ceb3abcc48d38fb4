# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for vm-tier scenarios (run inside the guest by tests/vm/runner.sh, as root,
# with systemd as PID 1 and a pure cgroup v2 hierarchy). Source it:
#     . "$VM_LIB"
# Provides: TAP (ok/fail/skip/check/expect_eq/expect_match/done_testing, the same as the
# host tier's lib.sh), $HUTCH (the installed binary), $T (a temp dir removed at exit),
# install_unit NAME <<EOF (writes /etc/hutch/NAME.hutch and runs daemon-reload), add_unit, wait_until,
# unit_prop, unit_cgroup. At exit every unit installed with install_unit is stopped, its file
# removed, failed state reset and systemd reloaded, so scenarios do not see each other.
set -u

HUTCH=${HUTCH:-/usr/local/bin/hutch}
T=$(mktemp -d /tmp/hutch-vm.XXXXXX)
_tap_n=0
_tap_failed=0
_vm_units=()

_vm_cleanup() {
        local u
        for u in "${_vm_units[@]}"; do
                systemctl stop "$u.service" >/dev/null 2>&1
                rm -rf "/etc/hutch/$u.hutch" "/etc/hutch/$u.hutch.d"
        done
        if [ "${#_vm_units[@]}" -gt 0 ]; then
                systemctl daemon-reload
                for u in "${_vm_units[@]}"; do
                        systemctl reset-failed "$u.service" >/dev/null 2>&1
                done
        fi
        rm -rf "$T"
}
trap _vm_cleanup EXIT

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*"; }
diag() { printf '%s\n' "$@" | sed 's/^/# /'; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# expect_eq DESCRIPTION GOT EXPECTED
expect_eq() {
        if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; echo "#   got '$2', expected '$3'"; fi
}
# expect_match DESCRIPTION GOT REGEX
expect_match() {
        if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1"; echo "#   got '$2', wanted /$3/"; fi
}
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }

# install_unit NAME: writes stdin to /etc/hutch/NAME.hutch, runs daemon-reload (so the
# generator makes NAME.service) and registers the unit for cleanup at exit.
install_unit() {
        add_unit "$1"
        systemctl daemon-reload
}
# add_unit NAME: the same without the daemon-reload (a reload costs seconds under TCG: write
# several units, then reload once).
add_unit() {
        mkdir -p /etc/hutch
        cat >"/etc/hutch/$1.hutch"
        _vm_units+=("$1")
}
# forget_unit NAME: registers a unit (installed some other way) for cleanup at exit.
forget_unit() { _vm_units+=("$1"); }

# wait_until SECONDS COMMAND...: polls every 0.2 s; 0 as soon as COMMAND succeeds.
wait_until() {
        local end=$(($(date +%s) + $1))
        shift
        while :; do
                "$@" && return 0
                [ "$(date +%s)" -ge "$end" ] && return 1
                sleep 0.2
        done
}

# unit_diag UNIT: systemctl status and the unit's last journal lines, as TAP comments.
unit_diag() {
        { systemctl status --no-pager -l "$1" 2>&1; echo "-- journal:"; journalctl -q --no-pager -b -u "$1" -n 25 2>&1; } |
                sed 's/^/#   /'
}
# unit_prop UNIT PROPERTY: systemd's value of a property (systemctl show -P).
unit_prop() { systemctl show -P "$2" "$1"; }
# unit_cgroup UNIT: the unit's cgroup directory under /sys/fs/cgroup.
unit_cgroup() { echo "/sys/fs/cgroup$(systemctl show -P ControlGroup "$1")"; }
# cgroup_pids DIR: every pid in the cgroup subtree DIR, one a line.
cgroup_pids() { find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null; }
# journal_since CURSOR_FILE UNIT: the unit's journal entries after the cursor saved by
# journal_mark CURSOR_FILE (verbose output, every field).
journal_mark() { journalctl -q -n 0 --show-cursor 2>/dev/null | sed -n 's/^-- cursor: //p' >"$1"; }
journal_since() {
        journalctl --flush 2>/dev/null
        journalctl -q --no-pager -o verbose --after-cursor="$(cat "$1")" -u "$2"
}
