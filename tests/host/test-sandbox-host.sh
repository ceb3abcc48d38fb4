#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `hutch run` of a /bin/true unit leaves nothing behind on the host: mount table, namespaces
# still held, processes. Mount propagation does not leak either way: a mount the payload makes
# is not seen by the host, and a mount the host makes meanwhile is not seen by the payload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"

namespaces() {
        # Mount, net, user, pid namespaces the host's processes hold, by inode.
        for p in /proc/[0-9]*; do
                readlink "$p/ns/mnt" "$p/ns/net" "$p/ns/user" "$p/ns/pid" 2>/dev/null
        done | sort -u
}

unit_file sbtrue <<EOF
[Service]
ExecStart=/bin/true
EOF
unit_file sbtruevol <<EOF
[Sandbox]
RootMode=volatile
PrivateUsers=yes
[Service]
ExecStart=/bin/true
EOF

m_before=$(mounts)
ns_before=$(namespaces)
sb_run sbtrue
expect_eq "/bin/true runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
sb_run sbtruevol
expect_eq "/bin/true runs volatile in a user namespace" "$RC" 0
expect_eq "host mount table identical" "$(mounts)" "$m_before"
cg=/sys/fs/cgroup/unified$(sed -n 's/^0:://p' /proc/self/cgroup)
[ -d "$cg" ] || cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
check "no cgroup left behind ($cg/hutch-sbtrue*)" test ! -e "$cg/hutch-sbtrue" -a ! -e "$cg/hutch-sbtruevol"
ns_after=$(namespaces)
new_ns=$(printf '%s\n' "$ns_after" | grep -vxF -e "$ns_before" | tr '\n' ' ')
# Namespaces of processes that started meanwhile (other tests) are not hutch's: only report
# those held by a process whose command line names hutch or the sandbox driver.
leftover=""
for p in /proc/[0-9]*; do
        case "$(cat "$p/cmdline" 2>/dev/null | tr '\0' ' ')" in
        *"$T/units"* | *" sbtrue"* | *" sbtruevol"*) leftover="$leftover ${p#/proc/}" ;;
        esac
done
expect_eq "no process of the run is left" "$leftover" ""
check "no stray namespace is held by a leftover ($new_ns)" test -z "$leftover"

# Propagation: the payload mounts a tmpfs (CAP_SYS_ADMIN and @mount granted for the test) and
# waits; the host mounts one meanwhile; neither sees the other's. They talk through a bind.
mkdir -p "$T/prop" "$T/prop-host"
probe prop <<'EOF'
mount -t tmpfs payload-made /tmp && touch /run/ctl/mounted
i=0
while [ ! -e /run/ctl/go ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
echo "sees_host_mount=$(grep -c hutch-host-made /proc/self/mountinfo)"
EOF
unit_file sb-prop <<EOF
[Sandbox]
BindReadOnlyPaths=$T/prop.sh:/run/probe.sh
BindPaths=$T/prop:/run/ctl
[Security]
CapabilityBoundingSet=CAP_SYS_ADMIN
AmbientCapabilities=CAP_SYS_ADMIN
SystemCallFilter=@system-service @mount
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
timeout 60 $RUN sb-prop >"$T/prop-out" 2>"$T/prop-err" </dev/null &
runner=$!
i=0
while [ ! -e "$T/prop/mounted" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the payload mounted its tmpfs" test -e "$T/prop/mounted"
mount -t tmpfs hutch-host-made "$T/prop-host"
expect_eq "the host does not see the payload's mount" "$(grep -c payload-made /proc/self/mountinfo)" 0
touch "$T/prop/go"
wait $runner
expect_eq "the payload does not see the host's new mount" "$(sed -n 's/^sees_host_mount=//p' "$T/prop-out")" 0
[ -s "$T/prop-err" ] && sed 's/^/# /' "$T/prop-err"
umount "$T/prop-host"

done_testing
