# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the supervisor's host tests (sourced after lib.sh).
# $CG: the cgroup v2 directory this test runs in; hutch (not under systemd) makes hutch-NAME/ there.
CG_MOUNT=$(findmnt -n -t cgroup2 -o TARGET | head -n1)
CG="$CG_MOUNT$(sed -n 's/^0:://p' /proc/self/cgroup)"
CG=${CG%/}
# Unit names are unique per test script and run, so parallel tests never share a cgroup.
SV=sv$$
# $O: a directory every unit made by unit() may write to ($T is in the host's /tmp, so the
# sandbox keeps it: PrivateTmp=no); payloads record what happened there.
O=$T/out
mkdir -p "$O"
chmod 0777 "$O"

# unit NAME EXECSTART [SERVICE LINES...]: writes $T/units/NAME.hutch, a unit that may write to $O.
unit() {
        local name=$1 exec=$2
        shift 2
        {
                echo "[Service]"
                echo "ExecStart=$exec"
                for l in "$@"; do echo "$l"; done
                echo "[Sandbox]"
                echo "PrivateTmp=no"
                echo "ReadWritePaths=$O"
        } >"$T/units/$name.hutch"
}

# Every hutch-$SV* cgroup a failed or SIGKILLed run left behind goes with the test.
_sv_cleanup() {
        for d in "$CG"/hutch-"$SV"*; do
                [ -d "$d" ] || continue
                for sub in payload supervisor; do
                        [ -d "$d/$sub" ] || continue
                        [ -e "$d/$sub/cgroup.kill" ] && echo 1 >"$d/$sub/cgroup.kill" 2>/dev/null
                        rmdir "$d/$sub" 2>/dev/null
                done
                rmdir "$d" 2>/dev/null
        done
        _cleanup
}
trap _sv_cleanup EXIT

# skip_without_run: the whole script skips when this build has no `hutch run`.
skip_without_run() {
        unit_file "$SV-probe" <<UNIT
[Service]
ExecStart=/bin/true
UNIT
        run_unit "$SV-probe"
        if [ "$RC" = 125 ] && printf '%s' "$ERR" | grep -q "was not built"; then
                echo "1..0 # SKIP hutch run is not built yet"
                exit 0
        fi
}

# start_bg NAME: runs `hutch run NAME` in the background; $HPID is its pid, stderr in $T/NAME.err.
start_bg() {
        "$HUTCH" run "$1" >"$T/$1.out" 2>"$T/$1.err" &
        HPID=$!
}

# wait_for SECONDS COMMAND...: polls every 50 ms until the command succeeds.
wait_for() {
        local limit=$(($1 * 20)) i=0
        shift
        while ! "$@"; do
                i=$((i + 1))
                [ "$i" -ge "$limit" ] && return 1
                sleep 0.05
        done
}

# wait_exit PID SECONDS: waits for a background hutch; $RC is its status, 124 on timeout (then killed).
wait_exit() {
        local i=0
        while kill -0 "$1" 2>/dev/null; do
                i=$((i + 1))
                if [ "$i" -ge $(($2 * 20)) ]; then
                        kill -KILL "$1" 2>/dev/null
                        wait "$1" 2>/dev/null
                        RC=124
                        return
                fi
                sleep 0.05
        done
        wait "$1"
        RC=$?
}

# alive PIDS...: prints the pids that still exist (zombies of other parents count as gone).
alive() {
        local p s
        for p in "$@"; do
                s=$(awk '/^State:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
                [ -n "$s" ] && [ "$s" != Z ] && printf '%s ' "$p"
        done
}
