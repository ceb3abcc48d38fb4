#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Restart policies, backoff, start limit, exit statuses and Type=oneshot through `hutch run`.
# The payload writes what happened (a line per start, timestamps) into a bind-mounted directory;
# the assertions are on that record, not on hutch's messages (except for the give-up message,
# which is itself a deliverable).
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/supervisor-lib.sh"
skip_without_run

# --- Restart=on-failure with systemd's default start limit: 5 starts, then start-limit-hit.
unit "$SV-fail" "/bin/sh -c 'echo start >>$O/fail; exit 3'" "Restart=on-failure"
run_unit "$SV-fail"
expect_eq "on-failure, exit 3: 5 starts (4 restarts) within the default start limit" \
        "$(wc -l <"$O/fail")" 5
expect_eq "gave up: hutch run exits with the payload's last status" "$RC" 3
expect_match "gave up with start-limit-hit" "$ERR" "start-limit-hit"
expect_eq "one 'restarting' line per restart" "$(printf '%s\n' "$ERR" | grep -c 'restarting in')" 4
expect_eq "one 'exited' line per run" "$(printf '%s\n' "$ERR" | grep -c 'exited with status 3')" 5
expect_eq "no cgroup left after giving up" "$(ls -d "$CG/hutch-$SV-fail" 2>/dev/null)" ""

# --- Restart=no: one run, the payload's status.
unit "$SV-no" "/bin/sh -c 'echo start >>$O/no; exit 7'"
run_unit "$SV-no"
expect_eq "Restart=no: one start" "$(wc -l <"$O/no")" 1
expect_eq "Restart=no: exit status 7" "$RC" 7

# --- Death by signal: 128+N, and Restart=on-abort restarts it, Restart=on-failure with
# RestartPreventExitStatus=SIGKILL does not.
unit "$SV-abort" "/bin/sh -c 'echo start >>$O/abort; kill -KILL \$\$\$\$'" "Restart=on-abort" \
        "[Unit]" "StartLimitBurst=3"
run_unit "$SV-abort"
expect_eq "on-abort, SIGKILL: 3 starts (StartLimitBurst=3)" "$(wc -l <"$O/abort")" 3
expect_eq "killed by SIGKILL: exit status 137" "$RC" 137
expect_match "the reason is signal" "$ERR" "reason=signal"
unit "$SV-prevent" "/bin/sh -c 'echo start >>$O/prevent; kill -KILL \$\$\$\$'" "Restart=on-failure" \
        "RestartPreventExitStatus=SIGKILL"
run_unit "$SV-prevent"
expect_eq "RestartPreventExitStatus=SIGKILL: one start" "$(wc -l <"$O/prevent")" 1

# --- Clean exits: Restart=on-failure does not restart exit 0 nor SuccessExitStatus=;
# Restart=on-success does.
unit "$SV-ok" "/bin/sh -c 'echo start >>$O/ok; exit 4'" "Restart=on-failure" "SuccessExitStatus=4"
run_unit "$SV-ok"
expect_eq "SuccessExitStatus=4: exit 4 is success, no restart" "$(wc -l <"$O/ok")" 1
expect_eq "SuccessExitStatus=4: hutch still reports the payload's status" "$RC" 4
unit "$SV-onsucc" "/bin/sh -c 'echo start >>$O/onsucc'" "Restart=on-success" "[Unit]" "StartLimitBurst=2"
run_unit "$SV-onsucc"
expect_eq "on-success: exit 0 restarts until the limit (2 starts)" "$(wc -l <"$O/onsucc")" 2
expect_eq "start-limit-hit after clean runs is still a failure" "$([ "$RC" -ne 0 ] && echo nonzero)" nonzero

# --- ExecStart=- : failure counts as success.
unit "$SV-dash" "-/bin/sh -c 'echo start >>$O/dash; exit 5'" "Restart=on-failure"
run_unit "$SV-dash"
expect_eq "ExecStart=-: no restart" "$(wc -l <"$O/dash")" 1
expect_eq "ExecStart=-: exit status 0" "$RC" 0

# --- Backoff: RestartSec=200ms growing to 1600ms in 3 steps: 200, 400, 800, 1600, 1600 ms.
# Measured between starts with the clock the payload reads; bounds are generous (a start
# costs tens of ms here, the CI machine may be slow) but tell the steps apart.
unit "$SV-backoff" "/bin/sh -c 'cut -d\" \" -f1 /proc/uptime >>$O/backoff; exit 1'" "Restart=on-failure" \
        "RestartSec=200ms" "RestartSteps=3" "RestartMaxDelaySec=1600ms" "[Unit]" "StartLimitBurst=6" \
        "StartLimitIntervalSec=60s"
run_unit "$SV-backoff"
expect_eq "backoff: 6 starts before the limit" "$(wc -l <"$O/backoff")" 6
i=0
prev=
while read -r up; do
        t=$(awk -v u="$up" 'BEGIN { printf "%d", u * 1000 }')
        if [ -n "$prev" ]; then
                want=$(echo "200 400 800 1600 1600" | cut -d' ' -f$((i + 1)))
                d=$((t - prev))
                lo=$((want - 20)) hi=$((want + 600))
                if [ "$d" -ge "$lo" ] && [ "$d" -le "$hi" ]; then
                        ok "backoff: restart $((i + 1)) after ${d}ms (RestartSec step ${want}ms)"
                else
                        fail "backoff: restart $((i + 1)) after ${d}ms, want ${want}ms (${lo}..${hi})"
                fi
                i=$((i + 1))
        fi
        prev=$t
done <"$O/backoff"
expect_match "backoff: hutch announces the growing delay" "$ERR" "restarting in 1600ms"

# --- Type=oneshot: done when it exits; Restart=always is refused as systemd refuses it.
unit "$SV-oneshot" "/bin/sh -c 'echo start >>$O/oneshot'" "Type=oneshot"
run_unit "$SV-oneshot"
expect_eq "oneshot: one run, exit 0" "$(wc -l <"$O/oneshot") $RC" "1 0"
unit "$SV-oneshot-always" "/bin/true" "Type=oneshot" "Restart=always"
run_unit "$SV-oneshot-always"
expect_eq "oneshot with Restart=always: refused, 125" "$RC" 125
expect_match "oneshot with Restart=always: says why" "$ERR" "Restart=always.*oneshot"

# --- A command that does not exist: 127, and it counts as a failed run for the restart policy.
unit "$SV-missing" "/nonexistent/command" "Restart=on-failure" "[Unit]" "StartLimitBurst=2"
run_unit "$SV-missing"
expect_eq "missing command: exit 127" "$RC" 127

# --- [Resources] whose controller the hierarchy lacks: refused at start, naming key and controller.
unit "$SV-mem" "/bin/true" "[Resources]" "MemoryMax=64M"
run_unit "$SV-mem"
if grep -qw memory "$CG/cgroup.controllers"; then
        expect_eq "MemoryMax= with a memory controller: runs" "$RC" 0
else
        expect_eq "MemoryMax= without the memory controller: exit 125" "$RC" 125
        expect_match "MemoryMax= without the memory controller: clear error" "$ERR" \
                "[0-9]: MemoryMax: the memory controller is not available in the cgroup v2 hierarchy at $CG"
        expect_eq "MemoryMax= refused: no cgroup created" "$(ls -d "$CG/hutch-$SV-mem" 2>/dev/null)" ""
        # On a hybrid host (this one) the memory controller belongs to a cgroup v1 hierarchy:
        # the third column of /proc/cgroups is not 0. The error says so, and what to do.
        if awk '$1 == "memory" && $2 != 0 { found = 1 } END { exit !found }' /proc/cgroups; then
                expect_match "MemoryMax= on a hybrid host: says memory is cgroup v1's" "$ERR" \
                        "MemoryMax: .*: it is bound to a cgroup v1 hierarchy \\(memory\\), a hybrid layout; boot with systemd.unified_cgroup_hierarchy=1"
        else
                skip "the memory controller is not bound to cgroup v1 here"
        fi
        unit "$SV-memp" "/bin/true"
        run_unit_p() { OUT=$("$HUTCH" run -p Resources.MemoryMax=64M "$1" 2>"$T/stderr"); RC=$?; ERR=$(cat "$T/stderr"); }
        run_unit_p "$SV-memp"
        expect_match "MemoryMax= from -p: the error names the command line as its origin" "$ERR" \
                "command line: MemoryMax: the memory controller is not available"
fi

# --- No cgroup v2 hierarchy at all (a tmpfs hides every cgroup mount, in a mount namespace of
# this test's own): even a unit without [Resources] is refused, saying what is missing.
unit "$SV-nocg" "/bin/true"
ERR=$(unshare -m --propagation private sh -c 'mount -t tmpfs hutch-test /sys/fs/cgroup && exec "$0" run "$1"' \
        "$HUTCH" "$SV-nocg" 2>&1 >/dev/null)
RC=$?
expect_eq "no cgroup2 mount: exit 125" "$RC" 125
expect_match "no cgroup2 mount: says hutch needs one" "$ERR" \
        "find cgroup2 mount in /proc/self/mountinfo: none is mounted \\(hutch needs a cgroup v2 hierarchy"

done_testing
