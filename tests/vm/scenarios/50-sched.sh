#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The scheduling keys under systemd, inside the delegated cgroup with the cpu controller on
# (CPUWeight=): a real-time policy set by the unit, a nice level, and a CPU affinity, as the
# payload reads them from its own /proc/self.
. "$VM_LIB"

probe='set -- $$(sed "s/.*) //" /proc/self/stat); shift 16; n=$$1; shift 21; echo "sched=$$n $$1 $$2 $$(sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" /proc/self/status)"; echo done=1; exec sleep 300'
add_unit vmt-sched <<U
[Service]
ExecStart=/bin/sh -c '$probe'
Nice=-4
CPUSchedulingPolicy=fifo
CPUSchedulingPriority=5
CPUAffinity=1
[Resources]
CPUWeight=50
U
systemctl daemon-reload

journal_mark "$T/cursor"
check "systemctl start vmt-sched" systemctl start vmt-sched.service
wait_until 30 sh -c "journalctl --flush; journalctl -q -o cat --after-cursor='$(cat "$T/cursor")' -u vmt-sched.service | grep -q done="
out=$(journal_since "$T/cursor" vmt-sched.service | sed -n 's/^ *MESSAGE=//p')
# nice, rt_priority, policy (1: SCHED_FIFO), CPUs
expect_match "vmt-sched: nice -4, SCHED_FIFO at 5, on CPU 1, in a cgroup with the cpu controller" "$out" \
        '^sched=-4 5 1 1$'
expect_match "vmt-sched: the payload's cgroup has the cpu controller" \
        "$(cat "$(unit_cgroup vmt-sched.service)/payload/cgroup.controllers" 2>&1)" 'cpu'
[ "$(printf '%s\n' "$out" | grep -c '^sched=')" = 1 ] || unit_diag vmt-sched.service
systemctl stop vmt-sched.service
done_testing
