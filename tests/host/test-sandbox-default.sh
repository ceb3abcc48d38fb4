#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A unit with only ExecStart= gets the whole secure default: every property is reported by a
# probe running as the payload, and asserted here.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"

probe default <<'EOF'
pids=$(ls /proc | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ')
echo "pids=$pids"
echo "hostname=$(hostname)"
echo "uid=$(id -u)"
echo "usr_write=$(touch /usr/hutch-probe 2>&1 && echo WRITTEN)"
echo "etc_write=$( (echo x >/etc/hutch-probe) 2>&1 && echo WRITTEN)"
echo "core_pattern=$( (echo '|/bin/evil' >/proc/sys/kernel/core_pattern) 2>&1 && echo WRITTEN)"
if [ -e /proc/sysrq-trigger ]; then
        echo "sysrq=$( (echo h >/proc/sysrq-trigger) 2>&1 && echo WRITTEN)"
else
        echo "sysrq=absent"
fi
echo "sys_write=$( (echo x >/sys/kernel/uevent_helper) 2>&1 && echo WRITTEN)"
echo "keys_bytes=$(cat /proc/keys 2>/dev/null | wc -c)"
echo "timer_list_bytes=$(cat /proc/timer_list 2>/dev/null | wc -c)"
echo "kallsyms_bytes=$(cat /proc/kallsyms 2>/dev/null | wc -c)"
echo "slabinfo_bytes=$(cat /proc/slabinfo 2>/dev/null | wc -c)"
echo "pagetypeinfo_bytes=$(cat /proc/pagetypeinfo 2>/dev/null | wc -c)"
echo "key_users_bytes=$(cat /proc/key-users 2>/dev/null | wc -c)"
echo "acpi=$(ls /proc/acpi 2>&1 | head -n1)"
echo "proc_sys_mount=$(awk '$5 == "/proc/sys" { print $6 }' /proc/self/mountinfo | cut -d, -f1)"
echo "sys_mount=$(awk '$5 == "/sys" { print $6 }' /proc/self/mountinfo | cut -d, -f1)"
echo "root_mount=$(awk '$5 == "/" { print $6 }' /proc/self/mountinfo | tr ',' ' ')"
echo "proc_fstype=$(fstype /proc)"
devs=""
for d in null zero full random urandom tty; do [ -c /dev/$d ] && devs="$devs $d"; done
echo "devs=$devs"
echo "dev_list=$(ls /dev | tr '\n' ' ')"
echo "ptmx=$(readlink /dev/ptmx)"
echo "pts_fstype=$(fstype /dev/pts)"
echo "shm=$(touch /dev/shm/x && echo writable)"
echo "mqueue_fstype=$(fstype /dev/mqueue)"
echo "urandom=$(head -c 8 /dev/urandom | wc -c)"
echo "null_write=$(echo x >/dev/null && echo ok)"
echo "dev_chmod=$(chmod 0600 /dev/null 2>&1 && echo CHANGED)"
echo "full=$( (echo x >/dev/full) 2>&1)"
echo "tmp=$(ls -A /tmp | tr '\n' ' ')"
echo "tmp_write=$(touch /tmp/x /var/tmp/x && echo ok)"
echo "run_write=$(touch /run/x && echo ok)"
# /dev, /run, /tmp, /var/tmp and /dev/shm are directories of one tmpfs, each bound with its
# own options: what is written into one is in none of the others.
echo "scratch_apart=$(touch /tmp/only-tmp && ls -A /var/tmp /run /dev/shm /dev | grep -c only-tmp)"
for m in /dev /run /tmp /var/tmp /dev/shm; do
        echo "opts$(echo "$m" | tr / _)=$(awk -v m="$m" '$5 == m { print $6 }' /proc/self/mountinfo | tr ',' '\n' | grep -E '^(ro|nosuid|nodev|noexec)$' | tr '\n' ' ')"
done
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\t ' | sed 's/:/=/'
echo "net=$(ls /sys/class/net | tr '\n' ' ')"
echo "lo_flags=$(cat /sys/class/net/lo/flags)"
# /sys shows the devices of the namespace it was mounted in; /proc/net those of the reader's own:
# the payload itself is in a network namespace with lo alone, not the host's.
echo "netdev=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"
echo "netns=$(readlink /proc/self/ns/net)"
echo "pid1_exe=$(readlink /proc/1/exe 2>&1 >/dev/null; ls -l /proc/1/exe >/dev/null 2>&1; cat /proc/1/exe >/dev/null 2>&1 && echo READABLE)"
echo "pid1_root=$(ls /proc/1/root/ >/dev/null 2>&1 && echo READABLE)"
echo "pid1_environ=$(cat /proc/1/environ >/dev/null 2>&1 && echo READABLE)"
echo "pid1_mem=$(head -c1 /proc/1/mem >/dev/null 2>&1 && echo READABLE)"
# Right after the start PID 1 may still hold hutch-init's two memfds: none can be opened. Once
# hutch-init runs (or PID 1 stays hutch, where it is not built in), PID 1 holds one fd, 2: the
# write end of the pipe on which it tells hutch that the payload ended (pid1.c), nothing else.
echo "pid1_fds_opened=$(for f in /proc/1/fd/*; do cat "$f" </dev/null >/dev/null 2>&1 && echo OPENED; done | grep -c OPENED)"
case $(uname -m) in
x86_64 | aarch64) for _ in $(seq 100); do [ "$(cat /proc/1/comm)" = hutch-init ] && break; sleep 0.1; done ;;
esac
echo "pid1_fds=$(ls /proc/1/fd 2>/dev/null | tr '\n' ' ')"
echo "ctty=$( (: </dev/tty) 2>&1 && echo HAS_TTY)"
# shellcheck disable=SC2046
set -- $(cat /proc/$$/stat)
echo "sid_is_self=$([ "$6" = "$1" ] && echo yes || echo "no ($6 vs $1)")"
echo "env=$(env | cut -d= -f1 | sort | tr '\n' ' ')"
echo "cgroup=$(grep '^0::' /proc/self/cgroup)"
echo "mounts_host_proc=$(awk '$4 == "/" { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "proc") n++; break } } END { print n }' /proc/self/mountinfo)"
EOF
unit_file sb-default <<EOF
[Sandbox]
BindReadOnlyPaths=$T/default.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF

sb_run sb-default
expect_eq "default unit runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_match "PID namespace: only the sandbox's processes" "$(get pids)" '^1 [0-9 ]+$'
n=$(get pids | wc -w)
check "PID namespace: a handful of processes ($n, the probe's pipeline included)" test "$n" -le 10
expect_eq "hostname is the unit name" "$(get hostname)" sb-default
expect_eq "runs as root by default" "$(get uid)" 0
expect_match "root is read-only (/usr)" "$(get usr_write)" 'Read-only file system'
expect_match "root is read-only (/etc)" "$(get etc_write)" 'Read-only file system'
check "nothing written to the host's /usr" test ! -e /usr/hutch-probe
expect_match "writing core_pattern fails" "$(get core_pattern)" 'Read-only file system'
expect_match "writing sysrq-trigger fails (or the kernel has none)" "$(get sysrq)" 'Read-only file system|^absent$'
expect_match "/sys is read-only" "$(get sys_write)" 'Read-only file system'
expect_eq "/proc/keys masked" "$(get keys_bytes)" 0
expect_eq "/proc/timer_list masked" "$(get timer_list_bytes)" 0
expect_eq "/proc/kallsyms masked" "$(get kallsyms_bytes)" 0
expect_eq "/proc/slabinfo masked (the kernel heap's layout)" "$(get slabinfo_bytes)" 0
expect_eq "/proc/pagetypeinfo masked" "$(get pagetypeinfo_bytes)" 0
expect_eq "/proc/key-users masked (the host's keyring users)" "$(get key_users_bytes)" 0
expect_match "/proc/acpi masked" "$(get acpi)" 'Permission denied|^$'
expect_eq "/proc/sys mounted read-only" "$(get proc_sys_mount)" ro
expect_eq "/sys mounted read-only" "$(get sys_mount)" ro
expect_match "root mounted ro,nosuid,nodev" "$(get root_mount)" '^ro nosuid nodev'
expect_eq "fresh procfs" "$(get proc_fstype)" proc
expect_eq "devices present" "$(get devs)" " null zero full random urandom tty"
dl=$(get dev_list)
case " $dl " in *" vda "* | *" sda "* | *" kmsg "* | *" mem "*) fail "no host devices in /dev ($dl)" ;; *) ok "no host devices in /dev" ;; esac
expect_eq "/dev/ptmx points into the new devpts" "$(get ptmx)" pts/ptmx
expect_eq "/dev/pts is devpts" "$(get pts_fstype)" devpts
expect_eq "/dev/shm writable" "$(get shm)" writable
expect_eq "/dev/mqueue of the new IPC namespace" "$(get mqueue_fstype)" mqueue
expect_eq "/dev/urandom reads" "$(get urandom)" 8
expect_eq "/dev/null writable" "$(get null_write)" ok
expect_match "the host's device nodes cannot be chmod'ed by a root payload" "$(get dev_chmod)" \
        'Read-only file system|Operation not permitted'
check "  host /dev/null still 0666" test "$(stat -c %a /dev/null)" = 666
expect_match "/dev/full is full" "$(get full)" 'No space left|I/O error'
expect_eq "/tmp is private (empty)" "$(get tmp)" ""
expect_eq "/tmp and /var/tmp writable" "$(get tmp_write)" ok
expect_eq "/run writable tmpfs" "$(get run_write)" ok
expect_eq "/tmp, /var/tmp, /run, /dev/shm, /dev are apart (a file in /tmp is in none of the others)" \
        "$(get scratch_apart)" 0
# /dev holds the device nodes (made by mknod, as systemd's PrivateDevices=): read-only, so that no
# other node can be added; the one mount where device nodes work.
expect_eq "/dev: read-only, nosuid, noexec (devices allowed)" "$(get opts_dev)" "ro nosuid noexec "
for m in /run /tmp /var/tmp /dev/shm; do
        expect_eq "$m: nosuid, nodev, executables allowed" "$(get "opts$(echo "$m" | tr / _)")" "nosuid nodev "
done
for k in CapInh CapPrm CapEff CapBnd CapAmb; do
        expect_eq "$k is zero" "$(get $k)" 0000000000000000
done
expect_eq "NoNewPrivs: 1" "$(get NoNewPrivs)" 1
expect_eq "Seccomp: 2" "$(get Seccomp)" 2
expect_eq "network: only lo" "$(get net)" "lo "
expect_match "lo is up" "$(get lo_flags)" '^0x[0-9a-f]*9$'
expect_eq "the payload's own network: only lo (/proc/net/dev)" "$(get netdev)" "lo "
host_netns=$(readlink /proc/self/ns/net)
expect_match "the payload's network namespace is not the host's ($host_netns)" "$(get netns)" '^net:\[[0-9]+\]$'
check "the payload's network namespace differs from the host's" test "$(get netns)" != "$host_netns"
expect_eq "/proc/1/exe unreadable" "$(get pid1_exe | grep -c READABLE)" 0
expect_eq "/proc/1/root unreadable" "$(get pid1_root)" ""
expect_eq "/proc/1/environ unreadable" "$(get pid1_environ)" ""
expect_eq "/proc/1/mem unreadable" "$(get pid1_mem)" ""
expect_eq "no fd of PID 1 can be opened from inside" "$(get pid1_fds_opened)" 0
expect_eq "PID 1 holds fd 2 alone (its exit pipe; no host fd in the sandbox)" "$(get pid1_fds)" "2 "
expect_match "no controlling terminal" "$(get ctty)" 'No such device|No such device or address|cannot'
expect_eq "payload leads its own session" "$(get sid_is_self)" yes
expect_eq "environment is clean (PATH, and PWD from sh)" "$(get env)" "PATH PWD "
expect_eq "cgroup namespace: at its root" "$(get cgroup)" "0::/"
expect_eq "exactly one procfs mounted (no host proc leaks in)" "$(get mounts_host_proc)" 1

# Only fds 0-2 reach the payload: ls lists its own fds (3 is the directory it reads).
unit_file sb-fds <<EOF
[Service]
ExecStart=/bin/ls /proc/self/fd
EOF
sb_run sb-fds 3</dev/null 4</dev/null
expect_eq "only fds 0-2 in the payload" "$(printf '%s' "$OUT" | tr '\n' ' ')" "0 1 2 3"

done_testing
