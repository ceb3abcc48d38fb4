#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Privileges through the whole path: unit file -> loader -> model -> `hutch run` -> payload.
# The payload is tests/host/probes/security-probe; every assertion is on what it saw inside.
. "$(dirname "$0")/lib.sh"
require_root

PROBE=${PROBE:?PROBE must point at security-probe}

field() { printf '%s\n' "$2" | awk -v n="$1" '$1 == n { $1 = ""; sub(/^ /, ""); print; exit }'; }
status_field() { printf '%s\n' "$2" | awk -v n="$1:" '$1 == n { print $2; exit }'; }

# probe_unit NAME [SETTINGS...] -- [PROBE ARGS...]: writes NAME.hutch running the probe.
probe_unit() {
        local name=$1 args="" settings=""
        shift
        while [ $# -gt 0 ] && [ "$1" != "--" ]; do settings="$settings$1"$'\n'; shift; done
        [ $# -gt 0 ] && shift
        [ $# -gt 0 ] && args=" $*"
        unit_file "$name" <<UNIT
[Service]
ExecStart=$PROBE$args
$(printf '%s' "$settings" | grep -E '^(User|Group)=' || true)
[Sandbox]
# the probe may live in the build tree under /tmp, which PrivateTmp= replaces
BindReadOnlyPaths=$PROBE
[Security]
$(printf '%s' "$settings" | grep -vE '^(User|Group)=' || true)
UNIT
}

probe_unit sec-default
run_unit sec-default
if [ "$RC" = 125 ] && printf '%s' "$ERR" | grep -q "was not built"; then
        echo "1..0 # SKIP hutch run is not built yet: $ERR"
        exit 0
fi
expect_eq "default: hutch run exits with the probe's status" "$RC" 0
expect_eq "default: Seccomp: 2" "$(status_field Seccomp "$OUT")" 2
expect_eq "default: NoNewPrivs: 1" "$(status_field NoNewPrivs "$OUT")" 1
for c in CapEff CapPrm CapInh CapBnd CapAmb; do
        expect_eq "default: $c 0" "$(status_field $c "$OUT")" 0000000000000000
done
for ok in getpid tiocgwinsz personality-query chmod-plain mmap-wx; do
        expect_eq "default: $ok allowed" "$(field $ok "$OUT")" "ok"
done
DENIED="x32 unshare-user unshare-net setns keyctl add_key io_uring_setup userfaultfd tiocsti tiocsti-bit32
        personality sched_fifo chmod-suid clock_settime syslog init_module mount"
for d in $DENIED; do
        expect_eq "default: $d refused with EPERM" "$(field $d "$OUT")" "errno EPERM"
done
expect_eq "default: clone3 answers ENOSYS" "$(field clone3 "$OUT")" "errno ENOSYS"
expect_eq "default: no low port without capabilities" "$(field bind-low-port "$OUT")" "errno EACCES"

probe_unit sec-errno "SystemCallErrorNumber=EBADE"
run_unit sec-errno
for d in $DENIED; do
        expect_eq "SystemCallErrorNumber=EBADE: $d gets EBADE" "$(field $d "$OUT")" "errno EBADE"
done

probe_unit sec-kill "SystemCallErrorNumber=kill" -- getpid keyctl tiocsti-bit32 mount
run_unit sec-kill
expect_eq "SystemCallErrorNumber=kill: allowed call works" "$(field getpid "$OUT")" "ok"
for d in keyctl tiocsti-bit32 mount; do
        expect_eq "SystemCallErrorNumber=kill: $d kills with SIGSYS" "$(field $d "$OUT")" "signal SIGSYS"
done

probe_unit sec-mdwe "MemoryDenyWriteExecute=yes" -- mmap-wx getpid mdwe
run_unit sec-mdwe
expect_eq "MemoryDenyWriteExecute=yes: W+X mapping refused" "$(field mmap-wx "$OUT")" "errno EPERM"
if [ "$("$PROBE" mdwe)" = "mdwe errno EINVAL" ]; then
        skip "MemoryDenyWriteExecute=yes: the kernel's PR_SET_MDWE (Linux 6.3) is not here"
else
        expect_eq "MemoryDenyWriteExecute=yes: the kernel's W^X is on too (PR_GET_MDWE)" \
                "$(field mdwe "$OUT")" "flags 1"
fi

probe_unit sec-deny "SystemCallFilter=" "SystemCallFilter=~@mount" -- mount keyctl tiocsti-bit32 getpid
run_unit sec-deny
expect_eq "SystemCallFilter=~@mount: mount refused" "$(field mount "$OUT")" "errno EPERM"
expect_eq "SystemCallFilter=~@mount: keyctl not listed, allowed" "$(field keyctl "$OUT")" "ok"
expect_eq "SystemCallFilter=~@mount: TIOCSTI still refused" "$(field tiocsti-bit32 "$OUT")" "errno EPERM"

# Without the reset, '~' only takes calls out of the default list: never looser than it.
probe_unit sec-minus "SystemCallFilter=~@mount" -- mount keyctl getpid
run_unit sec-minus
expect_eq "SystemCallFilter=~@mount alone: mount refused" "$(field mount "$OUT")" "errno EPERM"
expect_eq "SystemCallFilter=~@mount alone: keyctl still refused (default list kept)" \
        "$(field keyctl "$OUT")" "errno EPERM"
expect_eq "SystemCallFilter=~@mount alone: getpid allowed" "$(field getpid "$OUT")" "ok"

probe_unit sec-keyring "SystemCallFilter=@system-service @keyring" -- keyctl io_uring_setup session-keyring
run_unit sec-keyring
expect_eq "SystemCallFilter=@system-service @keyring: keyctl allowed" "$(field keyctl "$OUT")" "ok"
# KeyringMode=private, as systemd's: not the session keyring of whoever ran hutch.
outside=$(field session-keyring "$("$PROBE" session-keyring)")
inside=$(field session-keyring "$OUT")
check "the sandbox has a session keyring of its own ($inside; outside: $outside)" \
        sh -c '[ -n "$1" ] && [ -n "$2" ] && [ "$1" != "$2" ] && [ "${1%% *}" = id ]' sh "$inside" "$outside"
expect_eq "SystemCallFilter=@system-service @keyring: io_uring still refused" \
        "$(field io_uring_setup "$OUT")" "errno EPERM"

probe_unit sec-ns "RestrictNamespaces=user" -- unshare-user unshare-net
run_unit sec-ns
expect_eq "RestrictNamespaces=user: user namespace allowed" "$(field unshare-user "$OUT")" "ok"
expect_eq "RestrictNamespaces=user: network namespace refused" "$(field unshare-net "$OUT")" "errno EPERM"

probe_unit sec-caps "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" -- status bind-low-port
run_unit sec-caps
expect_eq "root, CapabilityBoundingSet=CAP_NET_BIND_SERVICE: CapEff" "$(status_field CapEff "$OUT")" 0000000000000400
expect_eq "root, CapabilityBoundingSet=CAP_NET_BIND_SERVICE: CapBnd" "$(status_field CapBnd "$OUT")" 0000000000000400
expect_eq "root, CapabilityBoundingSet=CAP_NET_BIND_SERVICE: binds port 999" "$(field bind-low-port "$OUT")" "ok"

probe_unit sec-ambient "User=nobody" "CapabilityBoundingSet=CAP_NET_BIND_SERVICE" \
        "AmbientCapabilities=CAP_NET_BIND_SERVICE" -- status bind-low-port
run_unit sec-ambient
expect_eq "User=nobody: runs as 65534" "$(status_field Uid "$OUT")" 65534
expect_eq "User=nobody, AmbientCapabilities=CAP_NET_BIND_SERVICE: CapAmb" "$(status_field CapAmb "$OUT")" 0000000000000400
expect_eq "User=nobody, AmbientCapabilities=CAP_NET_BIND_SERVICE: CapEff" "$(status_field CapEff "$OUT")" 0000000000000400
expect_eq "User=nobody, AmbientCapabilities=CAP_NET_BIND_SERVICE: binds port 999" "$(field bind-low-port "$OUT")" "ok"

# The same inside a user namespace: capabilities of that namespace, same rules.
unit_file sec-run-userns <<UNIT
[Service]
ExecStart=$PROBE status bind-low-port keyctl
User=nobody
[Sandbox]
PrivateUsers=yes
BindReadOnlyPaths=$PROBE
[Security]
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE
UNIT
run_unit sec-run-userns
expect_eq "PrivateUsers=yes, User=nobody, ambient: CapEff" "$(status_field CapEff "$OUT")" 0000000000000400
expect_eq "PrivateUsers=yes, User=nobody, ambient: CapBnd" "$(status_field CapBnd "$OUT")" 0000000000000400
expect_eq "PrivateUsers=yes, User=nobody, ambient: binds port 999" "$(field bind-low-port "$OUT")" "ok"
expect_eq "PrivateUsers=yes: filter still on" "$(field keyctl "$OUT")" "errno EPERM"

# RestrictAddressFamilies=: by default AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK; any other
# family fails with EAFNOSUPPORT (the filter's answer; the kernel's own would be EPERM for a
# privileged one, or the socket). Numbers: AF_UNIX 1, AF_INET 2, AF_INET6 10, AF_NETLINK 16,
# AF_PACKET 17, AF_ALG 38; SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_RAW 3, SOCK_SEQPACKET 5.
FAMILIES="socket:1:1 socket:2:2 socket:10:1 socket:16:3:0 socket:17:3 socket:38:5"
probe_unit sec-af -- $FAMILIES
run_unit sec-af
for ok in socket:1:1 socket:2:2 socket:16:3:0; do
        expect_eq "default families: $ok opens" "$(field $ok "$OUT")" "ok"
done
expect_match "default families: AF_INET6 opens (or the kernel has no IPv6)" "$(field socket:10:1 "$OUT")" \
        "^(ok|errno EAFNOSUPPORT)$"
expect_eq "default families: AF_PACKET refused with EAFNOSUPPORT" "$(field socket:17:3 "$OUT")" "errno EAFNOSUPPORT"
expect_eq "default families: AF_ALG refused with EAFNOSUPPORT" "$(field socket:38:5 "$OUT")" "errno EAFNOSUPPORT"
probe_unit sec-af-unix "RestrictAddressFamilies=AF_UNIX" -- $FAMILIES
run_unit sec-af-unix
expect_eq "RestrictAddressFamilies=AF_UNIX: AF_UNIX opens" "$(field socket:1:1 "$OUT")" "ok"
expect_eq "RestrictAddressFamilies=AF_UNIX: AF_INET refused" "$(field socket:2:2 "$OUT")" "errno EAFNOSUPPORT"
expect_eq "RestrictAddressFamilies=AF_UNIX: AF_NETLINK refused" "$(field socket:16:3:0 "$OUT")" "errno EAFNOSUPPORT"
probe_unit sec-af-open "RestrictAddressFamilies=" -- $FAMILIES
run_unit sec-af-open
expect_eq "RestrictAddressFamilies= (none restricted): AF_PACKET reaches the kernel (no CAP_NET_RAW)" \
        "$(field socket:17:3 "$OUT")" "errno EPERM"
expect_match "RestrictAddressFamilies= (none restricted): AF_ALG reaches the kernel" \
        "$(field socket:38:5 "$OUT")" "^(ok|errno EAFNOSUPPORT)$"

# Device nodes: with PrivateDevices=yes only /dev's own open. A node in a bound directory (made
# on the host, or by the service with CAP_MKNOD) does not; a bind of a device node itself does.
D=$(mktemp -d /var/tmp/hutch-sec-dev.XXXXXX)
trap '_cleanup; rm -rf "$D"' EXIT
mknod "$D/null" c 1 3
: >"$D/devnull"
dev_unit() {
        unit_file "$1" <<UNIT
[Service]
ExecStart=$PROBE open-rw:$D/null mknod-open:$D open-rw:$D/devnull open-w:/dev/kmsg open-r:/proc/kpageflags open-r:/sys/kernel/vmcoreinfo
[Sandbox]
BindReadOnlyPaths=$PROBE
BindPaths=$D /dev/null:$D/devnull
$2
[Security]
CapabilityBoundingSet=CAP_MKNOD
$3
UNIT
}
dev_unit sec-dev "" ""
run_unit sec-dev
expect_eq "PrivateDevices=yes: a host node in a BindPaths= directory does not open" \
        "$(field "open-rw:$D/null" "$OUT")" "errno EACCES"
expect_eq "PrivateDevices=yes: a node the service makes there with CAP_MKNOD does not open" \
        "$(field "mknod-open:$D" "$OUT")" "errno EACCES"
expect_eq "PrivateDevices=yes: BindPaths=/dev/null:... (a device node itself) opens" \
        "$(field "open-rw:$D/devnull" "$OUT")" "ok"
expect_eq "/proc/kpageflags (mode 0400, read through the owner bits) is masked" \
        "$(field "open-r:/proc/kpageflags" "$OUT")" "errno EACCES"
if [ -e /sys/kernel/vmcoreinfo ]; then
        expect_eq "/sys/kernel/vmcoreinfo is masked" "$(field "open-r:/sys/kernel/vmcoreinfo" "$OUT")" "errno EACCES"
else
        skip "no /sys/kernel/vmcoreinfo on this kernel"
fi
dev_unit sec-dev-host "PrivateDevices=no" ""
run_unit sec-dev-host
expect_eq "PrivateDevices=no: a node in a bound directory opens (no nodev)" \
        "$(field "open-rw:$D/null" "$OUT")" "ok"
expect_eq "PrivateDevices=no, ProtectKernelLogs=yes: the host's /dev/kmsg is masked" \
        "$(field "open-w:/dev/kmsg" "$OUT")" "errno EACCES"
dev_unit sec-dev-logs "PrivateDevices=no" "ProtectKernelLogs=no"
run_unit sec-dev-logs
expect_eq "PrivateDevices=no, ProtectKernelLogs=no: /dev/kmsg opens (not written to)" \
        "$(field "open-w:/dev/kmsg" "$OUT")" "ok"

# ProtectProc= and ProcSubset=: the sandbox's /proc mount options, seen from a payload that is
# not root (PID 1, hutch's, is root's).
proc_unit() {
        unit_file "$1" <<UNIT
[Service]
User=nobody
ExecStart=/bin/sh -c 'test -e /proc/1 && echo pid1-visible; cat /proc/1/status >/dev/null 2>&1 && echo pid1-readable; test -e /proc/meminfo && echo meminfo; test -e /proc/self/status && echo self'
[Sandbox]
$2
UNIT
}
proc_unit sec-proc ""
run_unit sec-proc
expect_eq "ProtectProc=default, ProcSubset=all: PID 1 visible and readable, /proc/meminfo there" \
        "$(echo $OUT)" "pid1-visible pid1-readable meminfo self"
proc_unit sec-proc-inv "ProtectProc=invisible"
run_unit sec-proc-inv
expect_eq "ProtectProc=invisible: another user's PID 1 is not there at all" "$(echo $OUT)" "meminfo self"
proc_unit sec-proc-noacc "ProtectProc=noaccess"
run_unit sec-proc-noacc
expect_eq "ProtectProc=noaccess: PID 1 listed but not readable" "$(echo $OUT)" "pid1-visible meminfo self"
proc_unit sec-proc-pid "ProcSubset=pid"
run_unit sec-proc-pid
expect_eq "ProcSubset=pid: no /proc/meminfo, the processes remain" "$(echo $OUT)" "pid1-visible pid1-readable self"

probe_unit sec-nobody "User=nobody" -- status bind-low-port
run_unit sec-nobody
expect_eq "User=nobody, defaults: CapEff 0" "$(status_field CapEff "$OUT")" 0000000000000000
expect_eq "User=nobody, defaults: no low port" "$(field bind-low-port "$OUT")" "errno EACCES"

done_testing
