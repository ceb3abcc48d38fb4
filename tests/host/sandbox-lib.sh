# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers shared by the test-sandbox-*.sh host tests (source after lib.sh).
#
# sb_run NAME [ARGS...]  runs the unit with `hutch run` (or $SANDBOX_RUN, e.g. the sandbox-driver,
#                        to test the spawner alone); sets OUT, ERR, RC. stdin is /dev/null.
# probe NAME <<EOF       writes a shell probe $T/NAME.sh that the unit binds read-only at
#                        /run/probe.sh (the sandbox's /run is always a fresh tmpfs, so the target is
#                        created there); the unit then uses ExecStart=/bin/sh /run/probe.sh.
# get KEY                the value of the first "KEY=value" line in OUT.

RUN=${SANDBOX_RUN:-"$HUTCH run"}

sb_run() {
        local name=$1
        shift
        OUT=$(env HUTCH_LEAK_CANARY=leaked timeout 60 $RUN "$name" "$@" 2>"$T/stderr" </dev/null)
        RC=$?
        ERR=$(cat "$T/stderr")
}

# Probes may call `fstype MOUNTPOINT` (the file system type mountinfo gives for it).
probe() {
        {
                # shellcheck disable=SC2016
                echo 'fstype() { awk -v m="$1" '"'"'$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i + 1); exit } }'"'"' /proc/self/mountinfo; }'
                cat
        } >"$T/$1.sh"
}

get() { printf '%s\n' "$OUT" | sed -n "s/^$1=//p" | head -n1; }

# Mounts a tmpfs at $T/$1 (layers must not live on the root file system: overlayfs refuses a
# layer inside the lowest layer "/"); lib.sh's cleanup unmounts it.
tmpfs_dir() {
        mkdir -p "$T/$1"
        mount -t tmpfs -o mode=0755 hutch-test "$T/$1"
}

# The host's mount table without what other tests running in parallel may mount or unmount
# (their temp dirs below /tmp, /work). What hutch could leave behind stays in: its staging tmpfs
# would show at /tmp itself, a sandbox's mounts at /tmp/root/..., anything else anywhere else.
mounts() {
        awk '{ print $5, $4, $6 }' /proc/self/mountinfo | grep -Ev '^/work/|^/tmp/[^ ]' |
                sort
        awk '$5 ~ "^/tmp/root(/|$)" { print $5, $4, $6 }' /proc/self/mountinfo | sort
}

require_root

# renewal_unit NAME COMMAND: a unit (more lines from stdin) whose payload runs COMMAND, then says
# READY=1 and ignores the watchdog's SIGABRT, so that TimeoutStopSec= ends it with cgroup.kill and
# hutch restarts it once in a payload/ made anew: what a cgroup program enforces must hold in both
# runs. $T/renew is bound at /run/out for what the runs write.
renewal_unit() {
        mkdir -p "$T/renew"
        {
                echo "[Unit]"
                echo "StartLimitBurst=2"
                echo "[Service]"
                echo "Type=notify"
                echo "NotifyAccess=all"
                echo "WatchdogSec=1s"
                echo "TimeoutStopSec=1s"
                echo "Restart=on-watchdog"
                echo "ExecStart=/bin/sh -c 'trap \"\" ABRT; $2; systemd-notify --ready; while :; do sleep 0.2; done'"
                echo "[Sandbox]"
                echo "BindPaths=$T/renew:/run/out"
                cat
        } >"$T/units/$1.hutch"
}
