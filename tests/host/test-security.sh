#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Privileges of the payload, proven from inside by tests/host/probes/security-probe: the
# seccomp filter (configured errno, kill, non-native ABIs, namespaces, keyring, io_uring,
# userfaultfd, TIOCSTI with bit 32, personality, realtime, set-id bits, W^X, clock, kernel
# log and modules) and the capability sets (empty by default, ambient kept for User=).
# The privilege steps run through security-driver (tests/host/security-driver.c), which
# calls them in the spawner's order; the probe reports what the kernel answered.
. "$(dirname "$0")/lib.sh"
require_root

PROBE=${PROBE:?PROBE must point at security-probe}
DRIVER=${SECURITY_DRIVER:?SECURITY_DRIVER must point at security-driver}

# field NAME OUTPUT: the rest of the probe's line for NAME ("ok", "errno EPERM", ...)
field() { printf '%s\n' "$2" | awk -v n="$1" '$1 == n { $1 = ""; sub(/^ /, ""); print; exit }'; }
status_field() { printf '%s\n' "$2" | awk -v n="$1:" '$1 == n { print $2; exit }'; }
drive() { OUT=$("$DRIVER" "$@" 2>"$T/stderr"); RC=$?; ERR=$(cat "$T/stderr"); }

# Baseline, outside any sandbox: what the kernel does with these calls on its own, so that a
# refusal below is the filter's doing and not the kernel's.
BASE=$("$PROBE")
expect_eq "baseline: TIOCSTI with bit 32 set works without a filter (kernel truncates)" \
        "$(field tiocsti-bit32 "$BASE")" "ok"
expect_eq "baseline: keyctl works without a filter" "$(field keyctl "$BASE")" "ok"
expect_eq "baseline: unshare(CLONE_NEWUSER) works without a filter" "$(field unshare-user "$BASE")" "ok"

# 1. Defaults: SystemCallErrorNumber=EPERM.
drive -- "$PROBE"
expect_eq "default: driver ran the probe" "$(printf '%s\n' "$OUT" | tail -1)" "exit 0"
expect_eq "default: Seccomp: 2" "$(status_field Seccomp "$OUT")" 2
expect_eq "default: NoNewPrivs: 1" "$(status_field NoNewPrivs "$OUT")" 1
for c in CapEff CapPrm CapInh CapBnd CapAmb; do
        expect_eq "default: root payload has $c 0" "$(status_field $c "$OUT")" 0000000000000000
done
for ok in getpid tiocgwinsz personality-query chmod-plain mmap-wx; do
        expect_eq "default: $ok allowed" "$(field $ok "$OUT")" "ok"
done
for denied in x32 unshare-user unshare-net setns keyctl add_key io_uring_setup userfaultfd tiocsti \
        tiocsti-bit32 personality sched_fifo chmod-suid clock_settime syslog init_module mount; do
        expect_eq "default: $denied refused with EPERM" "$(field $denied "$OUT")" "errno EPERM"
done
expect_eq "default: clone3 answers ENOSYS (libc falls back to clone)" "$(field clone3 "$OUT")" "errno ENOSYS"
expect_eq "default: no capability to bind a low port" "$(field bind-low-port "$OUT")" "errno EACCES"
case $(field int80 "$OUT") in
"unavailable SIGSEGV") skip "int 0x80: this kernel has IA-32 emulation off (the unit tier checks the filter's i386 decision)" ;;
*) expect_eq "default: 32-bit int 0x80 syscall refused" "$(field int80 "$OUT")" "errno EPERM" ;;
esac

# 2. A distinctive errno (EBADE): every refusal comes from the filter, none from the kernel.
drive --errno=52 -- "$PROBE"
for denied in x32 unshare-user unshare-net setns keyctl add_key io_uring_setup userfaultfd tiocsti \
        tiocsti-bit32 personality sched_fifo chmod-suid clock_settime syslog init_module mount; do
        expect_eq "SystemCallErrorNumber=EBADE: $denied gets the configured errno" \
                "$(field $denied "$OUT")" "errno EBADE"
done
case $(field int80 "$OUT") in
"unavailable SIGSEGV") skip "int 0x80: IA-32 emulation off" ;;
*) expect_eq "SystemCallErrorNumber=EBADE: int 0x80 refused by the filter" "$(field int80 "$OUT")" "errno EBADE" ;;
esac

# 3. SystemCallErrorNumber=kill: the offending process dies of SIGSYS.
drive --kill -- "$PROBE" getpid keyctl tiocsti-bit32 x32 mount
expect_eq "kill: allowed call still works" "$(field getpid "$OUT")" "ok"
for denied in keyctl tiocsti-bit32 x32 mount; do
        expect_eq "kill: $denied kills with SIGSYS" "$(field $denied "$OUT")" "signal SIGSYS"
done
drive --kill -- "$PROBE" getpid
expect_eq "kill: the payload itself survives what it may do" "$(printf '%s\n' "$OUT" | tail -1)" "exit 0"

# 4. MemoryDenyWriteExecute=yes
drive --mdwe -- "$PROBE" mmap-wx getpid
expect_eq "MemoryDenyWriteExecute=yes: W+X mapping refused" "$(field mmap-wx "$OUT")" "errno EPERM"
expect_eq "MemoryDenyWriteExecute=yes: others fine" "$(field getpid "$OUT")" "ok"

# 5. A deny list ("SystemCallFilter=" then "SystemCallFilter=~@mount"): the settings' restrictions stay.
drive --filter= --filter='~@mount' -- "$PROBE" mount keyctl tiocsti-bit32 personality unshare-user getpid
expect_eq "deny list: mount refused" "$(field mount "$OUT")" "errno EPERM"
expect_eq "deny list: keyctl allowed (not listed)" "$(field keyctl "$OUT")" "ok"
expect_eq "deny list: TIOCSTI with bit 32 still refused" "$(field tiocsti-bit32 "$OUT")" "errno EPERM"
expect_eq "deny list: LockPersonality still applies" "$(field personality "$OUT")" "errno EPERM"
expect_eq "deny list: RestrictNamespaces still applies" "$(field unshare-user "$OUT")" "errno EPERM"

# 6. RestrictNamespaces=user (0x10000000): that type only.
drive --namespaces=10000000 -- "$PROBE" unshare-user unshare-net
expect_eq "RestrictNamespaces=user: user namespace allowed" "$(field unshare-user "$OUT")" "ok"
expect_eq "RestrictNamespaces=user: network namespace refused" "$(field unshare-net "$OUT")" "errno EPERM"

# 7. Capabilities. CAP_NET_BIND_SERVICE is bit 10 (0x400).
drive --bounding=400 -- "$PROBE" status bind-low-port
expect_eq "root, CapabilityBoundingSet=CAP_NET_BIND_SERVICE: CapEff" "$(status_field CapEff "$OUT")" 0000000000000400
expect_eq "root, CapabilityBoundingSet=CAP_NET_BIND_SERVICE: CapBnd" "$(status_field CapBnd "$OUT")" 0000000000000400
expect_eq "root, CapabilityBoundingSet=CAP_NET_BIND_SERVICE: binds port 999" "$(field bind-low-port "$OUT")" "ok"

drive --user=65534 --bounding=400 --ambient=400 -- "$PROBE" status bind-low-port
expect_match "User=nobody: runs as 65534" "$(status_field Uid "$OUT")" '^65534$'
expect_eq "User=nobody, AmbientCapabilities=CAP_NET_BIND_SERVICE: CapAmb" "$(status_field CapAmb "$OUT")" 0000000000000400
expect_eq "User=nobody, AmbientCapabilities=CAP_NET_BIND_SERVICE: CapEff" "$(status_field CapEff "$OUT")" 0000000000000400
expect_eq "User=nobody, AmbientCapabilities=CAP_NET_BIND_SERVICE: binds port 999" "$(field bind-low-port "$OUT")" "ok"

drive --user=65534 --bounding=400 -- "$PROBE" status bind-low-port
expect_eq "User=nobody without ambient: CapEff 0" "$(status_field CapEff "$OUT")" 0000000000000000
expect_eq "User=nobody without ambient: CapPrm 0" "$(status_field CapPrm "$OUT")" 0000000000000000
expect_eq "User=nobody without ambient: no low port" "$(field bind-low-port "$OUT")" "errno EACCES"

# 8. The filter cache: the second start loads the compiled filter, which works the same.
mkdir -m 0700 "$T/cache"
drive --cache="$T/cache" -- "$PROBE" keyctl getpid
expect_eq "cache: first start works" "$(field keyctl "$OUT") $(field getpid "$OUT")" "errno EPERM ok"
n=$(find "$T/cache" -name '*.bpf' -perm 0600 -user root | wc -l)
expect_eq "cache: one 0600 root-owned filter file written" "$n" 1
drive --cache="$T/cache" -- "$PROBE" keyctl getpid tiocsti-bit32
expect_eq "cache: loaded filter refuses and allows the same" \
        "$(field keyctl "$OUT") $(field getpid "$OUT") $(field tiocsti-bit32 "$OUT")" "errno EPERM ok errno EPERM"

done_testing
