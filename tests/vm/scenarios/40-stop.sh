#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Stop under systemd (issue 6 point 7, issue 4 point 5): `systemctl stop` ends the unit within
# its TimeoutStopSec= (hutch escalates to killing the whole cgroup itself, before systemd's own
# later timeout), also when the payload ignores SIGTERM and leaves detached children behind,
# and the service's cgroup is empty afterwards.
. "$VM_LIB"

# A well-behaved payload stops at once.
install_unit vmt-stop-plain <<'U'
[Service]
ExecStart=/bin/sleep infinity
U
systemctl start vmt-stop-plain.service
cg=$(unit_cgroup vmt-stop-plain.service)
check "the running unit has processes in its cgroup" test -n "$(cgroup_pids "$cg")"
# The guest runs Debian 12's own kernel: the sandbox's PID 1 (the supervisor's child) swaps itself
# for hutch-init 50 ms after the start there too (no MFD_EXEC, no F_SEAL_EXEC before Linux 6.3).
sleep 0.5
pid1=$(pgrep -P "$(unit_prop vmt-stop-plain.service MainPID)" | head -n1)
expect_eq "the sandbox's PID 1 is hutch-init on Linux $(uname -r)" "$(cat "/proc/${pid1:-0}/comm" 2>/dev/null)" hutch-init
t0=$(date +%s%N)
systemctl stop vmt-stop-plain.service
ms=$((($(date +%s%N) - t0) / 1000000))
check "systemctl stop of a plain payload is quick (${ms} ms < 5000)" test "$ms" -lt 5000
expect_eq "the unit is inactive" "$(unit_prop vmt-stop-plain.service ActiveState)" inactive
check "its cgroup is gone or empty" test -z "$(cgroup_pids "$cg")"

# A payload that ignores SIGTERM and has children that ignore it too, one in its own session.
mkdir -p /var/lib/vmt
cat >/var/lib/vmt/stubborn.sh <<'S'
#!/bin/sh
trap '' TERM INT HUP
sh -c 'exec sleep 1001' &
setsid sh -c 'sleep 1002 & exec sleep 1003' &
echo "stubborn payload up"
while :; do sleep 1; done
S
chmod 0755 /var/lib/vmt/stubborn.sh
install_unit vmt-stop-stubborn <<'U'
[Service]
ExecStart=/var/lib/vmt/stubborn.sh
TimeoutStopSec=3s
U
systemctl start vmt-stop-stubborn.service
check "the stubborn payload and its three children run" wait_until 15 sh -c \
        '[ "$(pgrep -c -f "^sleep 100[123]$")" = 3 ]'
cg=$(unit_cgroup vmt-stop-stubborn.service)
before=$(cgroup_pids "$cg" | wc -l)
check "they are all in the service's cgroup ($before processes)" test "$before" -ge 5
sys_to=$(unit_prop vmt-stop-stubborn.service TimeoutStopUSec)
t0=$(date +%s%N)
systemctl stop vmt-stop-stubborn.service
ms=$((($(date +%s%N) - t0) / 1000000))
check "systemctl stop took about TimeoutStopSec=3s (${ms} ms, >= 2500)" test "$ms" -ge 2500
check "... and hutch, not systemd's later timeout ($sys_to), ended it (${ms} ms < 7500)" test "$ms" -lt 7500
# systemd itself marks a unit whose stop timed out "failed"; either way it is not running.
expect_match "the unit is no longer active (result: $(unit_prop vmt-stop-stubborn.service Result))" \
        "$(unit_prop vmt-stop-stubborn.service ActiveState)" "^(inactive|failed)$"
check "no process of it is left (sleep 1001-1003 gone)" test -z "$(pgrep -f '^sleep 100[123]$')"
check "its cgroup is gone or empty" test -z "$(cgroup_pids "$cg")"
expect_match "the journal tells that hutch stopped it" \
        "$(journalctl -q --no-pager -u vmt-stop-stubborn.service -o verbose HUTCH_EVENT=stopping)" \
        "HUTCH_UNIT=vmt-stop-stubborn"
rm -rf /var/lib/vmt
# A payload that dies of SIGTERM on its own ended cleanly for systemd's rules (a service): hutch
# exits 143, which the generated SuccessExitStatus= makes a success, so the unit ends inactive.
install_unit vmt-stop-self <<'U'
[Service]
ExecStart=/bin/sh -c 'sleep 0.2; kill -TERM $$$$; sleep 10'
U
systemctl start vmt-stop-self.service
check "a payload that SIGTERMs itself: the unit ends" wait_until 20 sh -c \
        '[ "$(systemctl show -P ActiveState vmt-stop-self.service)" != active ] &&
         [ "$(systemctl show -P ActiveState vmt-stop-self.service)" != deactivating ]'
expect_eq "... inactive, not failed (hutch's 143 is in SuccessExitStatus=)" \
        "$(unit_prop vmt-stop-self.service ActiveState)" inactive
expect_eq "... with systemd's result success" "$(unit_prop vmt-stop-self.service Result)" success

done_testing
