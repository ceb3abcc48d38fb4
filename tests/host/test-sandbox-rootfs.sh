#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Root file system modes, unit mounts, and symlinks in layers that try to point a mount out
# of the sandbox. Asserted from inside, and on the host where a write must (not) land.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"

# Layers live on their own tmpfs: overlayfs refuses a layer inside the lowest layer "/".
tmpfs_dir layers
mkdir -p "$T/layers/base/etc" "$T/layers/top/etc"
echo base >"$T/layers/base/etc/hutch-layer"
echo base >"$T/layers/base/etc/hutch-both"
echo top >"$T/layers/top/etc/hutch-both"

# --- volatile: layers stacked in order, writes vanish at stop -----------------------------
probe volatile <<'EOF'
echo "layer=$(cat /etc/hutch-layer)"
echo "both=$(cat /etc/hutch-both)"
echo "seen_before=$(cat /etc/hutch-written 2>/dev/null || echo none)"
echo "write=$(echo written >/etc/hutch-written && echo ok)"
echo "usr_write=$(touch /usr/hutch-volatile && echo ok)"
echo "root_fstype=$(fstype /)"
EOF
unit_file sb-volatile <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/base
Layers=$T/layers/top
BindReadOnlyPaths=$T/volatile.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-volatile
expect_eq "volatile: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "volatile: layer content visible" "$(get layer)" base
expect_eq "volatile: later layer is on top" "$(get both)" top
expect_eq "volatile: root is writable" "$(get write)" ok
expect_eq "volatile: /usr writable too" "$(get usr_write)" ok
expect_eq "volatile: root is an overlay" "$(get root_fstype)" overlay
check "volatile: nothing reached the host" test ! -e /etc/hutch-written -a ! -e /usr/hutch-volatile \
        -a ! -e "$T/layers/top/etc/hutch-written"
sb_run sb-volatile
expect_eq "volatile: writes are gone at the next start" "$(get seen_before)" none

# --- ProtectSystem= on a writable root: yes keeps /usr read-only, full /etc too ------------
probe protect-system <<'EOF'
for d in usr etc var; do
        echo "$d=$(touch /$d/hutch-protect-system 2>/dev/null && echo writable || echo read-only)"
done
echo "usr_mount=$(awk '$5 == "/usr" { print $6 }' /proc/self/mountinfo | cut -d, -f1)"
EOF
for ps in yes:writable full:read-only; do
        etc=${ps#*:}
        ps=${ps%%:*}
        unit_file sb-protect-system-$ps <<EOF
[Sandbox]
RootMode=volatile
ProtectSystem=$ps
BindReadOnlyPaths=$T/protect-system.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
        sb_run sb-protect-system-$ps
        expect_eq "ProtectSystem=$ps, RootMode=volatile: runs" "$RC" 0
        [ "$RC" = 0 ] || echo "# $ERR"
        expect_eq "ProtectSystem=$ps: /usr is read-only" "$(get usr)" read-only
        expect_eq "ProtectSystem=$ps: /usr is a read-only mount" "$(get usr_mount)" ro
        expect_eq "ProtectSystem=$ps: /etc is $etc" "$(get etc)" "$etc"
        expect_eq "ProtectSystem=$ps: /var stays writable" "$(get var)" writable
done
check "ProtectSystem=: nothing reached the host" test ! -e /usr/hutch-protect-system \
        -a ! -e /etc/hutch-protect-system -a ! -e /var/hutch-protect-system

# --- persistent: upper/ and work/ in UpperDirectory= ---------------------------------------
mkdir -p "$T/state"
chmod 0700 "$T/state"
probe persistent <<'EOF'
echo "seen_before=$(cat /etc/hutch-persist 2>/dev/null || echo none)"
echo "write=$(echo kept >/etc/hutch-persist && echo ok)"
EOF
unit_file sb-persistent <<EOF
[Sandbox]
RootMode=persistent
UpperDirectory=$T/state
BindReadOnlyPaths=$T/persistent.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-persistent
expect_eq "persistent: first run" "$RC:$(get seen_before):$(get write)" "0:none:ok"
[ "$RC" = 0 ] || echo "# $ERR"
sb_run sb-persistent
expect_eq "persistent: write kept across starts" "$(get seen_before)" kept
expect_eq "persistent: lands in UpperDirectory=/upper" "$(cat "$T/state/upper/etc/hutch-persist" 2>&1)" kept
check "persistent: host /etc untouched" test ! -e /etc/hutch-persist
check "persistent: work/ created" test -d "$T/state/work"

# An UpperDirectory= other users may enter is refused: a service could leave a set-user-ID-root
# program there (a copy-up keeps the bit; a write through a shared mapping does not clear it).
mkdir -p "$T/state-open"
chmod 0755 "$T/state-open"
unit_file sb-openupper <<EOF
[Sandbox]
RootMode=persistent
UpperDirectory=$T/state-open
[Service]
ExecStart=/bin/true
EOF
sb_run sb-openupper
expect_eq "UpperDirectory= of mode 0755: refused (125)" "$RC" 125
expect_match "  message: file:line, the mode, the fix" "$ERR" \
        'sb-openupper\.hutch:3: UpperDirectory: .*state-open: mode 0755 lets other users .*chmod 0700'
check "  nothing was created in it" test ! -e "$T/state-open/upper"

# An upper/ planted as a symlink in UpperDirectory= (here to the host's /etc) is refused.
mkdir -p "$T/state-evil"
chmod 0700 "$T/state-evil"
ln -s /etc "$T/state-evil/upper"
unit_file sb-evilupper <<EOF
[Sandbox]
RootMode=persistent
UpperDirectory=$T/state-evil
[Service]
ExecStart=/bin/sh -c 'echo x >/hutch-evil-upper'
EOF
sb_run sb-evilupper
expect_eq "UpperDirectory= with upper/ a symlink: refused (125)" "$RC" 125
expect_match "  message names UpperDirectory=" "$ERR" 'UpperDirectory=.*state-evil'
check "  nothing written through the symlink" test ! -e /etc/hutch-evil-upper -a ! -e /hutch-evil-upper

# --- read-only root with a layer: the merged view is read-only ---------------------------
unit_file sb-rolayer <<EOF
[Sandbox]
Layers=$T/layers/base
[Service]
ExecStart=/bin/sh -c 'cat /etc/hutch-layer; touch /etc/x 2>&1'
EOF
sb_run sb-rolayer
expect_eq "read-only + Layers=: layer visible" "$(printf '%s\n' "$OUT" | head -n1)" base
expect_match "read-only + Layers=: writes refused" "$OUT" 'Read-only file system'

# --- unit mounts -------------------------------------------------------------------------
mkdir -p "$T/rw" "$T/ro" "$T/host/rwdir/sub" "$T/host/secret"
echo secret >"$T/host/secret/file"
echo ro >"$T/ro/file"
probe mounts <<EOF
echo "rw_write=\$(echo inside >/run/rw/file && echo ok)"
echo "ro_read=\$(cat /run/ro/file)"
echo "ro_write=\$(touch /run/ro/x 2>&1)"
echo "tmpfs=\$(ls -A /mnt | wc -l):\$(touch /mnt/x && echo ok)"
echo "tmpfs_opts=\$(awk '\$5 == "/mnt" { print \$6 }' /proc/self/mountinfo)"
echo "rwpath=\$(touch $T/host/rwdir/w && echo ok)"
echo "rwpath_sub_ro=\$(touch $T/host/rwdir/sub/w 2>&1)"
echo "secret=\$(cat $T/host/secret/file 2>&1)"
echo "host_tmp_other=\$(touch $T/other 2>&1)"
EOF
unit_file sb-mounts <<EOF
[Sandbox]
PrivateTmp=no
BindPaths=$T/rw:/run/rw
BindReadOnlyPaths=$T/ro:/run/ro
BindReadOnlyPaths=$T/mounts.sh:/run/probe.sh
BindPaths=-$T/does-not-exist:/run/nothing
TemporaryFileSystem=/mnt:mode=0700,noexec
ReadWritePaths=$T/host/rwdir
ReadOnlyPaths=$T/host/rwdir/sub
InaccessiblePaths=$T/host/secret
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-mounts
expect_eq "unit mounts: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "BindPaths=: writable, reaches the host" "$(get rw_write):$(cat "$T/rw/file" 2>/dev/null)" ok:inside
expect_eq "BindReadOnlyPaths=: readable" "$(get ro_read)" ro
expect_match "BindReadOnlyPaths=: read-only" "$(get ro_write)" 'Read-only file system'
expect_eq "TemporaryFileSystem=: empty and writable" "$(get tmpfs)" 0:ok
expect_match "TemporaryFileSystem=: options applied" "$(get tmpfs_opts)" 'noexec'
expect_eq "ReadWritePaths=: writable in the read-only root" "$(get rwpath)" ok
check "ReadWritePaths=: the write reached the host" test -e "$T/host/rwdir/w"
expect_match "ReadOnlyPaths= below a ReadWritePaths= wins" "$(get rwpath_sub_ro)" 'Read-only file system'
expect_match "InaccessiblePaths=: not readable" "$(get secret)" 'Permission denied|Not a directory'
expect_match "PrivateTmp=no: host /tmp visible, read-only" "$(get host_tmp_other)" 'Read-only file system'
check "no mount point created on the host for the '-' bind" test ! -e "$T/does-not-exist"

# --- symlinks in a layer must not redirect a mount out of the sandbox ---------------------
# A layer that ships /dev as a symlink (here to the host's real /tmp via "/../../tmp"): hutch
# refuses to mount on it instead of following it.
mkdir -p "$T/layers/evil-dev"
ln -s ../../../../../tmp "$T/layers/evil-dev/dev"
unit_file sb-evildev <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/evil-dev
[Service]
ExecStart=/bin/true
EOF
before=$(mounts)
sb_run sb-evildev
expect_eq "layer with /dev as a symlink: refused (125)" "$RC" 125
expect_match "  message names /dev and the symlink" "$ERR" '/dev.*(symbolic links|symlink)'
expect_eq "  host mount table unchanged" "$(mounts)" "$before"

# Same for /proc.
mkdir -p "$T/layers/evil-proc"
ln -s / "$T/layers/evil-proc/proc"
unit_file sb-evilproc <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/evil-proc
[Service]
ExecStart=/bin/true
EOF
sb_run sb-evilproc
expect_eq "layer with /proc as a symlink: refused (125)" "$RC" 125
expect_match "  message names /proc" "$ERR" '/proc'

# A unit path through a layer's symlink that climbs out ("../../../../etc"): followed inside
# the sandbox's root only. The bind lands on the sandbox's /etc; the host's /etc is untouched.
mkdir -p "$T/layers/evil-link" "$T/bindsrc"
echo from-bind >"$T/bindsrc/hutch-escape-marker"
ln -s ../../../../../../etc "$T/layers/evil-link/data"
ln -s /../../../etc "$T/layers/evil-link/secret-link"
probe evillink <<'EOF'
echo "marker=$(cat /etc/hutch-escape-marker 2>&1)"
echo "passwd=$(cat /etc/passwd 2>&1 | head -n1)"
EOF
unit_file sb-evillink <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/evil-link
BindReadOnlyPaths=$T/bindsrc:/data
BindReadOnlyPaths=$T/evillink.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
before=$(mounts)
sb_run sb-evillink
expect_eq "escaping symlink as a bind target: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "  the bind landed on the sandbox's own /etc" "$(get marker)" from-bind
check "  the host's /etc was not touched" test ! -e /etc/hutch-escape-marker
expect_eq "  host mount table unchanged" "$(mounts)" "$before"

unit_file sb-evilmask <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/evil-link
InaccessiblePaths=/secret-link
BindReadOnlyPaths=$T/evillink.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-evilmask
expect_match "InaccessiblePaths= through an escaping symlink covers the sandbox's /etc" "$(get passwd)" \
        'Permission denied'
check "  the host's /etc is still readable here" test -r /etc/passwd

# --- ProtectKernelModules=: the root's module tree is inaccessible (systemd's), here from a layer
# that adds one to the host's root (this host may have none of its own).
mkdir -p "$T/layers/modules/usr/lib/modules/6.0.0-test"
echo dep >"$T/layers/modules/usr/lib/modules/6.0.0-test/modules.dep"
for v in yes no; do
        unit_file sb-modules-$v <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/modules
[Security]
ProtectKernelModules=$v
[Service]
ExecStart=/bin/sh -c 'ls /usr/lib/modules 2>&1; cat /lib/modules/6.0.0-test/modules.dep 2>&1'
EOF
done
sb_run sb-modules-yes
expect_match "ProtectKernelModules=yes: /usr/lib/modules cannot be listed" "$OUT" "Permission denied"
check "  nor read through /lib/modules" sh -c '! printf "%s\n" "$1" | grep -qx dep' sh "$OUT"
sb_run sb-modules-no
expect_eq "ProtectKernelModules=no: the module tree is there" "$(echo $OUT)" "6.0.0-test dep"

# --- RootDirectory=: the sandbox's own /etc/passwd and /etc/group name the users ---------
mkdir -p "$T/rootfs/etc" "$T/rootfs/usr" "$T/rootfs/home/svc"
for d in proc sys dev run tmp var/tmp; do mkdir -p "$T/rootfs/$d"; done
ln -s usr/bin "$T/rootfs/bin"
ln -s usr/lib "$T/rootfs/lib"
ln -s usr/lib64 "$T/rootfs/lib64"
printf 'root:x:0:0:root:/root:/bin/sh\nsvc:x:777:778:svc:/home/svc:/bin/sh\n' >"$T/rootfs/etc/passwd"
printf 'root:x:0:\nsvcgrp:x:778:\nextra:x:779:other,svc\nunrelated:x:780:other\n' >"$T/rootfs/etc/group"
unit_file sb-rootdir <<EOF
[Sandbox]
RootDirectory=$T/rootfs
BindReadOnlyPaths=/usr
[Service]
User=svc
ExecStart=/bin/sh -c 'echo \$\$(id -u):\$\$(id -g):\$\$(id -G):\$\$HOME; ls /'
EOF
sb_run sb-rootdir
expect_eq "RootDirectory=: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "User= resolved in the sandbox's passwd and group" "$(printf '%s\n' "$OUT" | head -n1)" \
        "777:778:778 779:/home/svc"
expect_eq "the root is RootDirectory=" "$(printf '%s\n' "$OUT" | sed 1d | tr '\n' ' ')" \
        "bin dev etc home lib lib64 proc run sys tmp usr var "

# A bare RootDirectory= (no /proc, /dev, ...) with RootMode=volatile: mount points are created
# in the volatile layer, never in the directory itself.
mkdir -p "$T/bare/etc" "$T/bare/usr"
ln -s usr/bin "$T/bare/bin"
ln -s usr/lib "$T/bare/lib"
ln -s usr/lib64 "$T/bare/lib64"
unit_file sb-bare <<EOF
[Sandbox]
RootDirectory=$T/bare
RootMode=volatile
BindReadOnlyPaths=/usr
[Service]
ExecStart=/bin/sh -c 'ls /; cat /proc/1/comm >/dev/null && echo proc-ok'
EOF
sb_run sb-bare
expect_eq "bare RootDirectory= + volatile: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_match "  /proc, /dev, /run, /tmp created in the volatile layer" "$(printf '%s' "$OUT" | tr '\n' ' ')" \
        'dev .*proc run sys tmp usr var proc-ok'
check "  nothing created in the directory itself" test ! -e "$T/bare/proc" -a ! -e "$T/bare/dev"

# --- loosening: PrivateDevices=no, PrivateNetwork=no ------------------------------------
unit_file sb-loose <<EOF
[Sandbox]
PrivateDevices=no
PrivateNetwork=no
[Service]
ExecStart=/bin/sh -c 'ls /dev | grep -c . ; ls /sys/class/net | wc -l; cut -d" " -f5 /proc/self/mountinfo | grep "^/sys/" | tr "\\n" " "; echo; touch /sys/hutch-probe 2>/dev/null && echo sys-writable || echo sys-ro; find /sys/kernel/debug /sys/kernel/security -mindepth 1 | wc -l'
EOF
sb_run sb-loose
ndev=$(printf '%s\n' "$OUT" | sed -n 1p)
nnet=$(printf '%s\n' "$OUT" | sed -n 2p)
below=$(printf '%s\n' "$OUT" | sed -n 3p)
check "PrivateDevices=no: the host's /dev ($ndev entries)" test "${ndev:-0}" -gt 20
check "PrivateNetwork=no: the host's interfaces ($nnet)" test "${nnet:-0}" -eq "$(ls /sys/class/net | wc -l)"
# A fresh sysfs of the host's network namespace: nothing the host mounted below /sys
# (cgroup v1 hierarchies, tracefs, ...) comes along; what is there is the sandbox's own
# cgroup2 and the masks over firmware and kernel/vmcoreinfo (kernel/debug and kernel/security, where the host mounts
# debugfs and securityfs, are empty directories in a fresh sysfs: checked below).
expect_eq "  /sys has none of the host's $(cut -d' ' -f5 /proc/self/mountinfo | grep -c '^/sys/') mounts below it" \
        "$(printf '%s\n' $below | sort | tr '\n' ' ')" \
        "/sys/firmware /sys/fs/cgroup $([ -e /sys/kernel/vmcoreinfo ] && echo '/sys/kernel/vmcoreinfo ')"
expect_eq "  /sys is read-only" "$(printf '%s\n' "$OUT" | sed -n 4p)" sys-ro
expect_eq "  /sys/kernel/debug and /sys/kernel/security are empty" "$(printf '%s\n' "$OUT" | sed -n 5p)" 0

done_testing
