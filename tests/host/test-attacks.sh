#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Attacks on the sandbox: a hostile payload (tests/host/probes/attack-probe.c and shell
# probes) and a hostile unit/layer author (symlinks shipped in RootDirectory= and Layers=).
# Each check asserts the SAFE outcome, seen from inside the sandbox and, where a write or a
# mount could land outside, on the host. A check marked "KNOWN HOLE" fails today on purpose.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"

ATTACK_PROBE=${ATTACK_PROBE:?ATTACK_PROBE must point at attack-probe}

# field NAME: the rest of the probe's "NAME ..." line in $OUT.
field() { printf '%s\n' "$OUT" | awk -v n="$1" '$1 == n { $1 = ""; sub(/^ /, ""); print; exit }'; }
# host_mounts_on PATH: how many host mounts sit exactly on PATH.
host_mounts_on() { awk -v p="$1" '$5 == p' /proc/self/mountinfo | wc -l; }

# Unit names are host-global: unique to this run, so a concurrent run of the suite cannot collide.
U=atk$$
marker=$T/host-only-marker
touch "$marker"
ALL="ptrace-pid1 pidfd-getfd-pid1 vm-read-pid1 pid1-exe pid1-root pid1-environ pid1-fd pid1-cwd setns-pid1 fds foreign-fds
     core-pattern sysrq modprobe sys-kernel kcore kallsyms dev-mem mknod mount fsopen umount-mask
     unshare-user keyctl tiocsti tiocsti-bit32 int80 open-by-handle bpf perf-event kexec chroot
     chroot-escape:$marker pivot-root cgroup-escape settime sethostname"

# attack_unit NAME [SETTING...]: a unit running the attack probe with every attack; settings
# go to their section by key.
attack_unit() {
        local name=$1 svc="" sbx="" sec=""
        shift
        for s in "$@"; do
                case $s in
                User=* | Group=*) svc="$svc$s"$'\n' ;;
                PrivateUsers=* | RootDirectory=* | BindPaths=* | BindReadOnlyPaths=*) sbx="$sbx$s"$'\n' ;;
                *) sec="$sec$s"$'\n' ;;
                esac
        done
        # shellcheck disable=SC2086
        unit_file "$name" <<EOF
[Service]
ExecStart=/run/attack-probe $(echo $ALL)
$svc
[Sandbox]
BindReadOnlyPaths=$ATTACK_PROBE:/run/attack-probe
$sbx
[Security]
$sec
EOF
}

# refused NAME: the attack's result is a refusal (an errno, or killed by the filter).
refused() {
        local got
        got=$(field "$1")
        case $got in
        "errno "* | "signal SYS" | "signal SEGV") ok "$2: $1 refused ($got)" ;;
        *) fail "$2: $1 refused"; echo "#   got '$got'" ;;
        esac
}

payload_battery() {
        local who=$1
        expect_eq "$who: the probe ran" "$RC" 0
        [ "$RC" = 0 ] || printf '#   %s\n' "$ERR"
        # PID 1 of the sandbox is hutch's own: not traceable, not readable through /proc.
        refused ptrace-pid1 "$who"
        refused pidfd-getfd-pid1 "$who"
        refused vm-read-pid1 "$who"
        refused pid1-exe "$who"
        refused pid1-root "$who"
        refused pid1-environ "$who"
        refused pid1-cwd "$who"
        refused setns-pid1 "$who"
        # Until hutch-init takes over (50 ms after the start), PID 1 holds two memfds of its own
        # (hutch-init's image and the exit report); listed or not, none may be opened.
        case $(field pid1-fd) in
        "listed "*" opened 0" | "errno "*) ok "$who: PID 1 holds no fd the payload can open ($(field pid1-fd))" ;;
        *) fail "$who: PID 1 holds no fd the payload can open"; echo "#   got '$(field pid1-fd)'" ;;
        esac
        expect_eq "$who: only fds 0-2 in the payload" "$(field fds)" "0 1 2"
        expect_eq "$who: no process in the sandbox holds a host file (fds above 2)" \
                "$(field foreign-fds)" none
        # Kernel tunables and interfaces: absent, masked or read-only.
        for a in core-pattern sysrq modprobe sys-kernel kcore dev-mem mknod mount fsopen umount-mask \
                unshare-user keyctl tiocsti tiocsti-bit32 int80 open-by-handle bpf perf-event kexec chroot \
                pivot-root cgroup-escape settime sethostname; do
                refused "$a" "$who"
        done
        case $(field kallsyms) in
        "errno "* | "lines 0 "* | *" nonzero 0") ok "$who: kallsyms gives no kernel address ($(field kallsyms))" ;;
        *) fail "$who: kallsyms gives no kernel address"; echo "#   got '$(field kallsyms)'" ;;
        esac
        expect_match "$who: chroot + chdir(..) loop stays in the sandbox" "$(field chroot-escape)" '^contained'
}

# --- hostile payload: root (the default), nobody, root of a user namespace ----------------
attack_unit ${U}-root
sb_run ${U}-root
payload_battery "root payload"
attack_unit ${U}-nobody User=nobody
sb_run ${U}-nobody
payload_battery "User=nobody payload"
attack_unit ${U}-userns PrivateUsers=yes
sb_run ${U}-userns
payload_battery "PrivateUsers=yes root payload"

# AF_VSOCK is not per network namespace (its ports are the host's, its peer the hypervisor), and
# the kernel broadcasts the host's device events (NETLINK_KOBJECT_UEVENT) to every network
# namespace of the initial user namespace: PrivateNetwork=yes refuses both sockets, with the
# default allow-list filter and with a deny list; other netlink sockets (route) still open.
net_unit() { # NAME ATTACK [SANDBOX LINE] [SECURITY LINES]
        unit_file "${U}-$1" <<EOF
[Service]
ExecStart=/run/attack-probe $2
[Sandbox]
BindReadOnlyPaths=$ATTACK_PROBE:/run/attack-probe
${3:-}
[Security]
${4:-}
EOF
        sb_run "${U}-$1"
}
deny_list="SystemCallFilter=
SystemCallFilter=~@mount"
net_unit vsock-hostnet vsock PrivateNetwork=no
control=$(field vsock)
if [ "$control" = ok ]; then
        ok "PrivateNetwork=no: an AF_VSOCK socket opens (the control)"
        net_unit vsock-allow vsock
        expect_eq "PrivateNetwork=yes: no AF_VSOCK socket" "$(field vsock)" "errno EAFNOSUPPORT"
        net_unit vsock-deny vsock "" "$deny_list"
        expect_eq "PrivateNetwork=yes, a deny-list filter: no AF_VSOCK socket" "$(field vsock)" "errno EAFNOSUPPORT"
else
        skip "AF_VSOCK: this host has none ($control)"
fi
net_unit uevent-hostnet uevent PrivateNetwork=no
expect_eq "PrivateNetwork=no: a uevent socket opens and joins the event group (the control)" \
        "$(field uevent)" ok
net_unit uevent-allow uevent
expect_eq "PrivateNetwork=yes: no uevent socket (the host's device events)" "$(field uevent)" \
        "errno EPROTONOSUPPORT"
net_unit uevent-deny uevent "" "$deny_list"
expect_eq "PrivateNetwork=yes, a deny-list filter: no uevent socket" "$(field uevent)" "errno EPROTONOSUPPORT"
net_unit route-allow netlink-route
expect_eq "PrivateNetwork=yes: a netlink route socket (its own namespace's) still opens" \
        "$(field netlink-route)" ok
net_unit route-deny netlink-route "" "$deny_list"
expect_eq "PrivateNetwork=yes, a deny-list filter: a netlink route socket still opens" \
        "$(field netlink-route)" ok
net_unit uevent-userns uevent "PrivateUsers=yes"
expect_eq "PrivateNetwork=yes, PrivateUsers=yes: no uevent socket either" "$(field uevent)" \
        "errno EPROTONOSUPPORT"

# ProtectHostname=yes (the default) refuses sethostname() even to a payload holding
# CAP_SYS_ADMIN under a filter that lists it (@privileged); with no, it changes the sandbox's
# own UTS namespace and never the host's name.
host_name=$(hostname)
caps="CapabilityBoundingSet=CAP_SYS_ADMIN
AmbientCapabilities=CAP_SYS_ADMIN
SystemCallFilter=@system-service @privileged"
net_unit hostname-yes sethostname "" "$caps"
expect_eq "ProtectHostname=yes, CAP_SYS_ADMIN and @privileged: sethostname refused" \
        "$(field sethostname)" "errno EPERM"
net_unit hostname-no sethostname "ProtectHostname=no" "$caps"
expect_eq "ProtectHostname=no: sethostname works (the control)" "$(field sethostname)" ok
expect_eq "  and the host's name is unchanged" "$(hostname)" "$host_name"

# --- processes and sockets outside the sandbox -------------------------------------------
# kill(-1, SIGKILL) from a root payload reaches only its own PID namespace.
sleep 120 &
host_sleeper=$!
unit_file ${U}-killall <<EOF
[Service]
ExecStart=/bin/sh -c 'kill -KILL -1; kill -KILL $host_sleeper 2>&1; echo after'
EOF
sb_run ${U}-killall
expect_match "kill -KILL -1 in the sandbox: the payload goes on" "$OUT" 'after'
check "  a host process (pid $host_sleeper) survives kill -1 and a kill by its host pid" \
        kill -0 "$host_sleeper"
kill "$host_sleeper" 2>/dev/null
wait "$host_sleeper" 2>/dev/null

# An abstract unix socket listening on the host (like X11's or a D-Bus peer's) is not
# reachable with the default PrivateNetwork=yes; with PrivateNetwork=no it is (the control).
if command -v python3 >/dev/null; then
        abstract="hutch-atk-$$"
        python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1]); s.listen(8); s.settimeout(90)
open(sys.argv[2], "w").close()
while True:
    c, _ = s.accept(); c.close()
' "$abstract" "$T/abstract-ready" &
        listener=$!
        i=0
        while [ ! -e "$T/abstract-ready" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        cat >"$T/connect.py" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\0" + sys.argv[1])
    print("CONNECTED")
except OSError as e:
    print(e.strerror)
EOF
        for net in yes no; do
                unit_file "${U}-abstract-$net" <<EOF
[Sandbox]
PrivateNetwork=$net
BindReadOnlyPaths=$T/connect.py:/run/connect.py
[Service]
ExecStart=/usr/bin/python3 /run/connect.py $abstract
EOF
        done
        sb_run ${U}-abstract-yes
        expect_eq "PrivateNetwork=yes: the host's abstract socket is unreachable" "$OUT" "Connection refused"
        [ -n "$OUT" ] || printf '#   %s\n' "$ERR"
        sb_run ${U}-abstract-no
        expect_eq "  control, PrivateNetwork=no: reachable" "$OUT" "CONNECTED"
        kill "$listener" 2>/dev/null
        wait "$listener" 2>/dev/null
else
        skip "abstract unix socket: no python3 on the host"
fi

# --- host device nodes behind PrivateDevices=yes -------------------------------------------
# /dev/null, /dev/full, ... were binds of the host's own nodes (still so with PrivateUsers=). A
# root payload owns them (uid 0) and needs no capability to change their metadata: through a
# writable bind, chmod reaches the host's node (chmod 000 /dev/null would break every host
# service). The same mode is written back here, so the attempt changes nothing but the ctime.
# Now they are the sandbox's own nodes on a read-only /dev: chmod fails there as well.
probe devmeta <<'EOF'
echo "chmod=$(chmod 0666 /dev/full 2>&1 && echo CHANGED)"
echo "write=$(echo x >/dev/null && echo ok)"
echo "full=$( (echo x >/dev/full) 2>&1)"
EOF
unit_file ${U}-devmeta <<EOF
[Sandbox]
BindReadOnlyPaths=$T/devmeta.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
mode_before=$(stat -c %a /dev/full)
sb_run ${U}-devmeta
# (Found open here; fixed in 94852a7: the nodes are read-only binds. Reads and writes of a
# device still work on a read-only mount, metadata changes get EROFS.)
expect_match "root payload cannot change the host's device nodes (chmod /dev/full)" "$(get chmod)" \
        'Read-only file system|Operation not permitted'
expect_eq "  /dev/null still writable" "$(get write)" ok
expect_match "  /dev/full still full" "$(get full)" 'No space left|I/O error'
expect_eq "  host's /dev/full mode unchanged" "$(stat -c %a /dev/full)" "$mode_before"

# A payload given CAP_MKNOD can make a node of any device, but no mount lets it be used: /dev,
# the one mount where device nodes work, is read-only, and every writable one is nodev.
probe devmk <<'EOF'
echo "dev=$(mknod /dev/evil c 1 3 2>&1 && echo MADE)"
echo "tmp=$(mknod /tmp/evil c 1 3 2>&1 && echo MADE)"
echo "open=$( (echo x >/tmp/evil) 2>&1 && echo OPENED)"
echo "shm=$(mknod /dev/shm/evil c 1 3 2>&1 && (echo x >/dev/shm/evil) 2>&1 && echo OPENED)"
EOF
unit_file ${U}-devmk <<EOF
[Sandbox]
BindReadOnlyPaths=$T/devmk.sh:/run/probe.sh
[Security]
CapabilityBoundingSet=CAP_MKNOD
AmbientCapabilities=CAP_MKNOD
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run ${U}-devmk
expect_match "CAP_MKNOD: no new node in the read-only /dev" "$(get dev)" 'Read-only file system'
expect_match "CAP_MKNOD: a node can be made in /tmp" "$(get tmp)" 'MADE'
expect_match "  but not opened (/tmp is nodev)" "$(get open)" 'Permission denied'
expect_match "  nor one in /dev/shm" "$(get shm)" 'Permission denied'

# PrivateDevices=no gives the payload the host's /dev (a loosening the unit asks for). It must
# not let a root payload without capabilities rewrite the host's /dev: /dev is root's 0755
# directory, so through a writable bind uid 0 could create files there, delete nodes
# (rm /dev/null) or chmod them.
# PrivateDevices=no: the host's /dev is bound read-only (device I/O works, the nodes' metadata
# and the directory are EROFS), with hutch's own /dev/shm, /dev/pts and /dev/mqueue on top.
probe hostdev <<'EOF'
echo "create=$( (touch /dev/hutch-attack-probe && echo CREATED) 2>&1)"
echo "chmod=$(chmod 0666 /dev/full 2>&1 && echo CHANGED)"
echo "write=$(echo x >/dev/null && echo ok)"
echo "host_shm=$(test -e /dev/shm/hutch-attack-probe && echo SEEN || echo no)"
EOF
sed -i "s/hutch-attack-probe/hutch-$U/" "$T/hostdev.sh"
touch "/dev/shm/hutch-$U"
unit_file ${U}-hostdev <<EOF
[Sandbox]
PrivateDevices=no
BindReadOnlyPaths=$T/hostdev.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run ${U}-hostdev
expect_match "PrivateDevices=no: root payload cannot create files in the host's /dev" "$(get create)" \
        'Read-only file system|Permission denied'
check "  nothing appeared in the host's /dev" test ! -e "/dev/hutch-$U"
rm -f "/dev/hutch-$U"
expect_match "PrivateDevices=no: root payload cannot chmod the host's /dev/full" "$(get chmod)" \
        'Read-only file system|Operation not permitted'
expect_eq "  /dev/null still writable" "$(get write)" ok
# The host's /dev/shm (host processes' shared memory) and devpts (the host's terminals) are
# replaced by fresh instances.
expect_eq "PrivateDevices=no: /dev/shm is not the host's" "$(get host_shm)" no
rm -f "/dev/shm/hutch-$U"

# --- environment: nothing of the caller's environment leaks ---------------------------------
unit_file ${U}-env <<EOF
[Service]
ExecStart=/usr/bin/env
EOF
OUT=$(env HUTCH_ATTACK_MARKER=leak LD_PRELOAD= LISTEN_FDS=3 LISTEN_PID=1 INVOCATION_ID=0123 \
        timeout 60 "$HUTCH" run ${U}-env 2>"$T/stderr" </dev/null)
RC=$?
expect_eq "env: runs" "$RC" 0
expect_eq "env: caller's variables absent (marker, LISTEN_*, INVOCATION_ID, LD_PRELOAD)" \
        "$(printf '%s\n' "$OUT" | grep -cE '^(HUTCH_ATTACK_MARKER|LISTEN_FDS|LISTEN_PID|INVOCATION_ID|LD_PRELOAD)=')" 0
expect_eq "env: no NOTIFY_SOCKET for Type=exec" "$(printf '%s\n' "$OUT" | grep -c '^NOTIFY_SOCKET=')" 0

# --- setuid binary in a writable bind: no privilege with the default NoNewPrivileges= -------
mkdir -p "$T/suid"
cp /usr/bin/id "$T/suid/id"
chown root:root "$T/suid/id"
chmod 4755 "$T/suid/id"
probe suid <<'EOF'
echo "euid=$(/run/suid/id -u)"
echo "ruid=$(/run/suid/id -ru)"
cp /bin/true /run/suid/mine 2>/dev/null
echo "setuid_bit=$(chmod u+s /run/suid/mine 2>&1 && echo SET)"
EOF
unit_file ${U}-suid <<EOF
[Service]
User=nobody
ExecStart=/bin/sh /run/probe.sh
[Sandbox]
BindReadOnlyPaths=$T/suid.sh:/run/probe.sh
BindPaths=$T/suid:/run/suid
EOF
chmod 0777 "$T/suid"
sb_run ${U}-suid
expect_eq "setuid root binary run by nobody: euid stays nobody" "$(get euid)" 65534
expect_eq "  ruid nobody" "$(get ruid)" 65534
check "  the setuid bit was not planted on the host (RestrictSUIDSGID=)" \
        test ! -u "$T/suid/mine"
expect_match "  chmod u+s refused inside" "$(get setuid_bit)" 'Operation not permitted|Read-only'
# The default root payload cannot plant a setuid-root file in a writable bind either.
probe suidroot <<'EOF'
cp /bin/true /run/suid/rootmade
echo "setuid_bit=$(chmod 4755 /run/suid/rootmade 2>&1 && echo SET)"
EOF
unit_file ${U}-suid-root <<EOF
[Service]
ExecStart=/bin/sh /run/probe.sh
[Sandbox]
BindReadOnlyPaths=$T/suidroot.sh:/run/probe.sh
BindPaths=$T/suid:/run/suid
EOF
sb_run ${U}-suid-root
expect_match "root payload: chmod 4755 in a writable bind refused (RestrictSUIDSGID=)" "$(get setuid_bit)" \
        'Operation not permitted'
check "  no setuid-root file appeared on the host" test ! -u "$T/suid/rootmade"

# --- PrivateUsers=yes: root inside is not root outside -------------------------------------
mkdir -p "$T/userns"
chmod 0777 "$T/userns"
probe userns <<'EOF'
echo "uid=$(id -u)"
echo "create=$(touch /run/out/by-root && echo ok)"
echo "host_root_file=$( (echo x >>/run/out/host-root-owned) 2>&1 || true)"
EOF
echo host >"$T/userns/host-root-owned"
chmod 0644 "$T/userns/host-root-owned"
unit_file ${U}-userns-own <<EOF
[Sandbox]
PrivateUsers=yes
BindReadOnlyPaths=$T/userns.sh:/run/probe.sh
BindPaths=$T/userns:/run/out
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run ${U}-userns-own
expect_eq "PrivateUsers=yes: uid 0 inside" "$(get uid)" 0
expect_eq "PrivateUsers=yes: creates a file in a bound dir" "$(get create)" ok
owner=$(stat -c %u "$T/userns/by-root" 2>/dev/null || echo missing)
check "PrivateUsers=yes: the file is owned by an unprivileged host uid ($owner)" \
        test "$owner" != missing -a "$owner" != 0 -a "${owner:-0}" -ge 65536 2>/dev/null
expect_match "PrivateUsers=yes: root inside cannot write host root's 0644 file" "$(get host_root_file)" \
        'Permission denied|Read-only'
expect_eq "  host root's file unchanged" "$(cat "$T/userns/host-root-owned")" host

# --- mount propagation under a bound path --------------------------------------------------
mkdir -p "$T/shared/hostsub" "$T/shared/paysub" "$T/shared/ctl"
probe prop <<'EOF'
mount -t tmpfs hutch-${U}-payload /run/shared/paysub && touch /run/shared/ctl/mounted
i=0
while [ ! -e /run/shared/ctl/go ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
echo "sees_host_mount=$(grep -c hutch-${U}-host /proc/self/mountinfo)"
echo "sees_host_file=$(test -e /run/shared/hostsub/on-host-mount && echo yes || echo no)"
EOF
sed -i "s/\${U}/$U/g" "$T/prop.sh"
unit_file ${U}-prop <<EOF
[Sandbox]
BindReadOnlyPaths=$T/prop.sh:/run/probe.sh
BindPaths=$T/shared:/run/shared
[Security]
CapabilityBoundingSet=CAP_SYS_ADMIN
AmbientCapabilities=CAP_SYS_ADMIN
SystemCallFilter=@system-service @mount
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
timeout 60 "$HUTCH" run ${U}-prop >"$T/prop-out" 2>"$T/prop-err" </dev/null &
runner=$!
i=0
while [ ! -e "$T/shared/ctl/mounted" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
check "propagation: the payload mounted a tmpfs inside the bound dir" test -e "$T/shared/ctl/mounted"
expect_eq "propagation: the host does not see it under the bound path" \
        "$(host_mounts_on "$T/shared/paysub")" 0
mount -t tmpfs hutch-${U}-host "$T/shared/hostsub"
touch "$T/shared/hostsub/on-host-mount"
touch "$T/shared/ctl/go"
wait $runner
OUT=$(cat "$T/prop-out")
[ -e "$T/shared/ctl/mounted" ] || sed 's/^/#   /' "$T/prop-err"
expect_eq "propagation: the sandbox does not see a host mount made under the bound path" \
        "$(get sees_host_mount)" 0
expect_eq "propagation: nor its files" "$(get sees_host_file)" no
umount "$T/shared/hostsub"

# --- hostile layers and root directories: symlinks that point a mount at the host ----------
tmpfs_dir evil
probe evilrun <<'EOF'
# stat -f, not mountinfo: a mount that followed a symlink sits on the link's target.
echo "tmp_fstype=$(stat -f -c %T /tmp/)"
echo "tmp_write=$(touch /tmp/hutch-atk-pwned && echo ok)"
echo "run_fstype=$(stat -f -c %T /run/)"
echo "vartmp_fstype=$(stat -f -c %T /var/tmp/)"
echo "bindt=$(cat /bindt/hutch-atk-bound 2>&1)"
echo "tmpfs_target=$(stat -f -c %T /tmpfst/ 2>&1)"
EOF
etc_before=$(ls -A /etc | md5sum)
rootfs_before=$(ls -A / | md5sum)
mounts_before=$(mounts)
# layer_attack NAME LINK TARGET [EXTRA SANDBOX LINES]: a volatile root with a layer that
# ships LINK as a symlink to TARGET.
layer_attack() {
        local name=$1 link=$2 target=$3 extra=${4:-}
        mkdir -p "$T/evil/$name/$(dirname "$link")"
        ln -s "$target" "$T/evil/$name/$link"
        unit_file "${U}-$name" <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/evil/$name
BindReadOnlyPaths=$T/evilrun.sh:/probe.sh
$extra
[Service]
ExecStart=/bin/sh /probe.sh
EOF
        sb_run "${U}-$name"
}

# refused_or_inside DESC OKFIELD OKVALUE: hutch refused (125, message names the symlink) or the
# payload saw the mount where it belongs.
refused_or_inside() {
        if [ "$RC" = 125 ]; then
                expect_match "$1: refused with a clear error" "$ERR" '(symbolic link|symlink|resolve|outside)'
        else
                expect_eq "$1: mounted inside the sandbox" "$(get "$2")" "$3"
        fi
}

layer_attack tmp-abs tmp /etc
refused_or_inside "layer ships /tmp -> /etc" tmp_fstype tmpfs
layer_attack tmp-rel tmp ../../../../../../../etc
refused_or_inside "layer ships /tmp -> ../../../../etc" tmp_fstype tmpfs
layer_attack run-root run /
refused_or_inside "layer ships /run -> /" run_fstype tmpfs
layer_attack vartmp var/tmp /etc
refused_or_inside "layer ships /var/tmp -> /etc" vartmp_fstype tmpfs
layer_attack dev-etc dev /etc
refused_or_inside "layer ships /dev -> /etc" tmp_fstype tmpfs
mkdir -p "$T/bsrc"
echo bound >"$T/bsrc/hutch-atk-bound"
layer_attack bind-target bindt /etc "BindReadOnlyPaths=$T/bsrc:/bindt"
refused_or_inside "layer ships a BindPaths= target /bindt -> /etc" bindt bound
layer_attack tmpfs-target tmpfst ../../../../../../../etc "TemporaryFileSystem=/tmpfst"
refused_or_inside "layer ships a TemporaryFileSystem= target -> ../../etc" tmpfs_target tmpfs
layer_attack rwp-target rwp /etc "ReadWritePaths=/rwp"
expect_eq "layer ships a ReadWritePaths= entry /rwp -> /etc: runs (/rwp is the sandbox's /etc)" "$RC" 0

# A layer whose directory carries overlayfs's redirect xattr (root can set trusted.* when it
# unpacks an image): followed, /opt/peek would show a host directory the sandbox does not see (here
# in the host's /tmp, which PrivateTmp= replaces; /root or /etc's secrets alike). hutch mounts the
# overlay with redirect_dir=nofollow and metacopy=off.
mkdir -p "$T/secret" "$T/evil/redirect/opt/peek"
echo host-secret >"$T/secret/marker"
: >"$T/evil/redirect/probe.sh" # the read-only root needs the bind's mount point
if python3 -c 'import os, sys; os.setxattr(sys.argv[1], "trusted.overlay.redirect", sys.argv[2].encode())' \
        "$T/evil/redirect/opt/peek" "$T/secret" 2>/dev/null; then
        probe peek <<EOF
echo "peek=\$(cat /opt/peek/marker 2>&1)"
echo "direct=\$(cat $T/secret/marker 2>&1)"
EOF
        unit_file "${U}-redirect" <<EOF
[Sandbox]
Layers=$T/evil/redirect
BindReadOnlyPaths=$T/peek.sh:/probe.sh
[Service]
ExecStart=/bin/sh /probe.sh
EOF
        sb_run "${U}-redirect"
        expect_eq "layer with a redirect xattr to a host dir the sandbox does not see: runs" "$RC" 0
        check "  the hidden dir itself stays hidden" test "$(get direct)" != host-secret
        # overlayfs refuses the lookup (EPERM, "refusing to follow redirect" in the kernel log).
        expect_match "  the redirect is not followed" "$(get peek)" 'Operation not permitted|No such file'
else
        skip "layer with a redirect xattr: this file system takes no trusted.* xattrs"
fi

check "host: nothing written to /etc by the layer attacks" test ! -e /etc/hutch-atk-pwned \
        -a ! -e /etc/hutch-atk-bound
expect_eq "host: /etc lists the same entries" "$(ls -A /etc | md5sum)" "$etc_before"
expect_eq "host: / lists the same entries" "$(ls -A / | md5sum)" "$rootfs_before"
expect_eq "host: no mount on /etc" "$(host_mounts_on /etc)" 0
expect_eq "host: mount table unchanged by the layer attacks" "$(mounts)" "$mounts_before"

# A layer (an untrusted image unpacked as root) ships the host's root block device and a
# setuid-root binary. The overlay root is nodev (PrivateDevices=yes) and nosuid: the payload
# can neither read the disk nor gain root, even with NoNewPrivileges=no.
rootdev=$(mountpoint -d / 2>/dev/null || echo 1:3)
mkdir -p "$T/evil/devlayer/opt"
mknod -m 0666 "$T/evil/devlayer/opt/disk" b "${rootdev%%:*}" "${rootdev##*:}" 2>/dev/null ||
        mknod -m 0666 "$T/evil/devlayer/opt/disk" c 1 3
cp /usr/bin/id "$T/evil/devlayer/opt/id"
chmod 4755 "$T/evil/devlayer/opt/id"
probe devlayer <<'EOF'
echo "disk=$( (head -c 512 /opt/disk >/dev/null && echo READ) 2>&1)"
echo "euid=$(/opt/id -u)"
EOF
unit_file ${U}-devlayer <<EOF
[Service]
User=nobody
ExecStart=/bin/sh /run/probe.sh
[Sandbox]
RootMode=volatile
Layers=$T/evil/devlayer
BindReadOnlyPaths=$T/devlayer.sh:/run/probe.sh
[Security]
NoNewPrivileges=no
EOF
sb_run ${U}-devlayer
expect_match "layer ships the host's disk device ($rootdev): not openable" "$(get disk)" 'Permission denied'
expect_eq "layer ships a setuid-root id, NoNewPrivileges=no: euid stays nobody" "$(get euid)" 65534
sed -i 's/^User=nobody$//' "$T/units/${U}-devlayer.hutch"
sb_run ${U}-devlayer
expect_match "  root payload: the disk device is not openable either" "$(get disk)" 'Permission denied'

# A hostile RootDirectory= (RootMode=read-only): a minimal root on its own tmpfs whose
# /usr is bound from the host, with the attacker's symlinks.
mkroot() {
        local r=$T/evil/root-$1
        mkdir -p "$r"/{usr,proc,sys,dev,run,tmp,var/tmp,etc,data}
        ln -s usr/bin "$r/bin"
        ln -s usr/lib "$r/lib"
        ln -s usr/lib64 "$r/lib64"
        ln -s usr/sbin "$r/sbin"
        echo "$r"
}
root_attack() {
        local name=$1 r=$2 extra=${3:-}
        unit_file "${U}-$name" <<EOF
[Sandbox]
RootDirectory=$r
BindReadOnlyPaths=/usr
BindReadOnlyPaths=$T/evilrun.sh:/run/probe.sh
$extra
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
        sb_run "${U}-$name"
}
r=$(mkroot proc)
rmdir "$r/proc" && ln -s /etc "$r/proc"
root_attack rootdir-proc "$r"
expect_eq "RootDirectory= ships /proc -> /etc: refused (125)" "$RC" 125
expect_match "  the message names /proc" "$ERR" '/proc'
r=$(mkroot tmp)
rmdir "$r/tmp" && ln -s ../../../../../../etc "$r/tmp"
root_attack rootdir-tmp "$r"
refused_or_inside "RootDirectory= ships /tmp -> ../../etc" tmp_fstype tmpfs
r=$(mkroot dev)
rmdir "$r/dev" && ln -s / "$r/dev"
root_attack rootdir-dev "$r"
expect_eq "RootDirectory= ships /dev -> /: refused (125)" "$RC" 125

# ReadWritePaths= through a symlink of a read-only RootDirectory=: the write lands in the
# root's own /etc, never the host's.
r=$(mkroot rwp)
rmdir "$r/data" && ln -s /etc "$r/data"
probe rwp <<'EOF'
echo "write=$(echo pwned >/data/hutch-atk-rwp && echo ok)"
echo "usr_write=$( (touch /usr/hutch-atk-rwp) 2>&1 || true)"
EOF
unit_file ${U}-rootdir-rwp <<EOF
[Sandbox]
RootDirectory=$r
BindReadOnlyPaths=/usr
BindReadOnlyPaths=$T/rwp.sh:/run/probe.sh
ReadWritePaths=/data
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run ${U}-rootdir-rwp
check "ReadWritePaths=/data -> /etc: the host's /etc is not written" test ! -e /etc/hutch-atk-rwp
if [ "$(get write)" = ok ]; then
        check "  the write landed inside the root ($r/etc)" test -e "$r/etc/hutch-atk-rwp"
else
        ok "  the write was refused ($(get write))"
fi
expect_match "  /usr stays read-only" "$(get usr_write)" 'Read-only'
check "  nothing written to the host's /usr" test ! -e /usr/hutch-atk-rwp

# A layer ships /etc/passwd as a FIFO: resolving User= must fail (or time out) instead of
# hanging the start forever. Found hanging here: the setup child blocks in open() of the FIFO
# (identity.c, read_small) and TimeoutStartSec= did not cover the sandbox setup. The start
# timeout now reaches the setup (supervisor); identity.c could still refuse, without blocking
# (O_NONBLOCK, then fstat), a passwd or group that is not a regular file.
mkdir -p "$T/evil/fifo/etc"
mkfifo "$T/evil/fifo/etc/passwd"
unit_file ${U}-fifo <<EOF
[Service]
User=nobody
ExecStart=/usr/bin/id -u
TimeoutStartSec=3
TimeoutStopSec=3
[Sandbox]
RootMode=volatile
Layers=$T/evil/fifo
EOF
start=$(date +%s)
timeout -s KILL 30 "$HUTCH" run ${U}-fifo >"$T/fifo-out" 2>"$T/fifo-err" </dev/null
RC=$?
took=$(($(date +%s) - start))
# A setup child left behind by the KILL above is ours to remove.
leftover=$(sed -n 's/.*started (pid \([0-9]*\)).*/\1/p' "$T/fifo-err" | head -n1)
[ -n "$leftover" ] && kill -KILL "$leftover" 2>/dev/null
# ... and so is the cgroup tree of the killed run (hutch-NAME/ below our own cgroup).
cg2=$(awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") { print $5; exit } break } }' \
        /proc/self/mountinfo)
cgtree=$cg2$(sed -n 's/^0:://p' /proc/self/cgroup)/hutch-${U}-fifo
i=0
while [ -d "$cgtree" ] && [ $i -lt 50 ]; do
        find "$cgtree" -depth -type d -exec rmdir {} \; 2>/dev/null
        [ -d "$cgtree" ] && sleep 0.1
        i=$((i + 1))
done
# (the outer timeout's SIGKILL would take 30 s; hutch's own start timeout may end it with 137)
check "layer with a FIFO as /etc/passwd: hutch run ends by itself (rc $RC after ${took}s)" \
        test "$took" -lt 25
check "  and fails (not the payload's success)" test "$RC" != 0

# --- the host's secrets in the default root ------------------------------------------------
# The default unit runs as uid 0 on a read-only bind of the host's /. Dropping every capability
# does not matter for files root owns: /etc/shadow (root:shadow 0640) and /root (0700) are
# readable through their owner bits unless hutch hides them (found open here; fixed in e27e222
# by ProtectHome= and ProtectCredentials=, both on by default).
probe secrets <<'EOF'
echo "shadow=$( (head -c 1 /etc/shadow >/dev/null && echo READ) 2>&1)"
echo "root_home=$( (ls -a /root >/dev/null && echo LISTED) 2>&1)"
echo "ssl_private=$( (ls -A /etc/ssl/private >/dev/null && echo LISTED) 2>&1)"
EOF
unit_file ${U}-secrets <<EOF
[Sandbox]
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run ${U}-secrets
expect_match "default root payload cannot read the host's /etc/shadow" "$(get shadow)" \
        'Permission denied|No such file'
expect_match "default root payload cannot list the host's /root" "$(get root_home)" \
        'Permission denied|No such file'
# KNOWN HOLE: the list of hidden credentials misses Debian's TLS key directory /etc/ssl/private
# (root:ssl-cert 0710, the keys 0640): a default root payload lists and reads the host's private
# keys. Fix: add /etc/ssl/private to protect_credentials_paths (src/model/model.c) and the man
# page; the lasting fix is a root payload that is not the host's uid 0 (a user namespace).
if [ -d /etc/ssl/private ]; then
        expect_match "default root payload cannot list the host's /etc/ssl/private (TLS keys)" \
                "$(get ssl_private)" 'Permission denied|No such file'
else
        skip "the host has no /etc/ssl/private"
fi

done_testing
