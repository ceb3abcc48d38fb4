#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The vm tier, guest side (ExecStart= of hutch-vm.service, after multi-user.target).
# /hutch/src is the source tree (9p, read-only), /hutch/out the host's exchange dir (9p):
#   out/stage/    the build installed with DESTDIR, copied onto / in phase 1
#   out/only      globs restricting which scenarios run (empty: all)
#   out/results.tap   TAP lines without numbers (the host numbers them), appended as we go
#   out/logs/NAME.log every scenario's full output
#   out/finished  written when the last phase is over
# Phase 1 runs tests/vm/scenarios/*.sh except *.boot2.sh, then, when a *.boot2.sh exists,
# asks hutch-vm-finish for a reboot; phase 2 (after the reboot) runs the *.boot2.sh files.
set -u

SRC=/hutch/src
OUT=/hutch/out
SCEN=$SRC/tests/vm/scenarios
STATE=/var/lib/hutch-vm
mkdir -p "$STATE" "$OUT/logs"
results=$OUT/results.tap
only=$(cat "$OUT/only" 2>/dev/null)

say() { echo "hutch-vm: $*" >/dev/console 2>/dev/null || true; }
emit() { printf '%s\n' "$*" >>"$results"; }

# boot_times PHASE: seconds from the kernel's start to init and to multi-user.target.
boot_times() {
        local init mu
        init=$(systemctl show -P UserspaceTimestampMonotonic)
        mu=$(systemctl show -P ActiveEnterTimestampMonotonic multi-user.target)
        emit "# boot $1: init after $((init / 1000000)).$(((init / 100000) % 10)) s, multi-user.target after $((mu / 1000000)).$(((mu / 100000) % 10)) s"
        systemd-analyze blame --no-pager 2>/dev/null | head -n 8 >"$OUT/logs/blame-$1.log"
}

if [ -f "$STATE/phase1.done" ]; then phase=2; else phase=1; fi
say "phase $phase"

if [ "$phase" = 1 ]; then
        : >"$results"
        emit "# guest: $(uname -r), systemd $(systemctl --version | head -n1 | cut -d' ' -f2)"
        boot_times 1
        emit "# cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
        # The build, installed where its meson prefix put it.
        # tar, not cp: /lib, /bin, /sbin are symlinks into /usr (merged /usr) and stay so.
        if tar -C "$OUT/stage" -cf - . | tar -C / -xf - --keep-directory-symlink --no-same-owner &&
                systemctl daemon-reload; then
                emit "ok - guest: the build is installed and daemon-reload ran"
        else
                emit "not ok - guest: the build is installed and daemon-reload ran"
        fi
else
        boot_times 2
fi

export HUTCH=${HUTCH:-$(command -v hutch || echo /usr/local/bin/hutch)}
export HUTCH_SRC=$SRC
export VM_LIB=$SRC/tests/vm/lib.sh
export VM_STATE=$STATE
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# run_scenario FILE: runs it with a time bound and copies its TAP lines, prefixed with its
# name, into the results; a scenario that fails without a "not ok" line still counts.
run_scenario() {
        local f=$1 name log rc t0 bad=0 any=0 line
        name=$(basename "$f" .sh)
        log=$OUT/logs/$name.log
        say "scenario $name"
        t0=$(date +%s)
        (cd /tmp && timeout -k 10 "${VM_SCENARIO_TIMEOUT:-300}" bash "$f") >"$log" 2>&1 </dev/null
        rc=$?
        while IFS= read -r line; do
                case $line in
                "ok "*)
                        any=1
                        emit "ok - $name: $(printf '%s' "$line" | sed -E 's/^ok [0-9]* ?-? ?//')"
                        ;;
                "not ok "*)
                        any=1
                        bad=1
                        emit "not ok - $name: $(printf '%s' "$line" | sed -E 's/^not ok [0-9]* ?-? ?//')"
                        ;;
                "#"*) emit "# $name: ${line#\#}" ;;
                esac
        done <"$log"
        if [ "$rc" -ne 0 ] && [ "$bad" = 0 ]; then
                emit "not ok - $name: scenario exited with status $rc$([ "$rc" = 124 ] && echo ' (timed out)')"
                bad=1
        elif [ "$any" = 0 ]; then
                emit "not ok - $name: scenario reported no result"
                bad=1
        fi
        if [ "$bad" = 1 ]; then
                tail -n 40 "$log" | sed "s/^/# $name|   /" >>"$results"
        fi
        emit "# $name: $(($(date +%s) - t0)) s"
}

selected() { # FILE: matches one of the space-separated HUTCH_VM_ONLY globs (if any)
        local g globs
        [ -z "$only" ] && return 0
        read -ra globs <<<"$only" # no pathname expansion, unlike an unquoted $only
        for g in "${globs[@]}"; do
                # shellcheck disable=SC2254
                case $(basename "$1") in $g) return 0 ;; esac
        done
        return 1
}

boot2=0
for f in "$SCEN"/*.sh; do
        [ -f "$f" ] || continue
        selected "$f" || continue
        case $f in
        *.boot2.sh)
                boot2=1
                [ "$phase" = 2 ] && run_scenario "$f"
                ;;
        *) [ "$phase" = 1 ] && run_scenario "$f" ;;
        esac
done

if [ "$phase" = 1 ] && [ "$boot2" = 1 ]; then
        touch "$STATE/phase1.done"
        sync
        echo reboot >/run/hutch-vm-next
        say "phase 1 done, rebooting"
        exit 0
fi
journalctl -b -p warning --no-pager -q -o short-monotonic >"$OUT/logs/journal-warnings.log" 2>&1
touch "$OUT/finished"
sync
say "done"
exit 0
