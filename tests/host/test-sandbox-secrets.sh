#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# ProtectHome= and ProtectCredentials=, proven from inside the sandbox: with the defaults a root
# payload on the host's read-only root cannot read /etc/shadow, /etc/gshadow, /root or /home
# (read-only does not stop reading, and root reads them through their owner bits); each
# loosening is a line in the unit and does what the man page says.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"
require_root

# Prints, for each path, "KEY=<first byte read, or the error>", and what writes do.
probe secrets <<'EOF'
rd() { if c=$(head -c 64 "$1" 2>&1); then echo "$(printf '%s' "$c" | tr -d '\n') READ"; else echo "$c"; fi; }
echo "shadow=$(rd /etc/shadow)"
echo "gshadow=$(rd /etc/gshadow)"
echo "backup=$(rd /var/backups/shadow.bak)"
echo "opasswd=$( (head -c 1 /etc/security/opasswd >/dev/null && echo READ) 2>&1)"
echo "debconf=$( (head -c 1 /var/cache/debconf/passwords.dat >/dev/null && echo READ) 2>&1)"
# root_ls: the number of entries, or the error; home_ls: the entries and LISTED, or the error.
ls_of() { if l=$(ls -A "$1" 2>&1); then echo "$(echo $l) LISTED"; else echo "$l"; fi; }
echo "root_ls=$(if l=$(ls -A /root 2>&1); then printf '%s' "$l" | grep -c .; else echo "$l"; fi)"
echo "home_ls=$(ls_of /home)"
echo "home_type=$(fstype /home)"
echo "ssl_ls=$(ls_of /etc/ssl/private)"
echo "ssl_key=$(rd /etc/ssl/private/web.key)"
echo "root_write=$( (touch /root/.hutch-secrets-probe && rm /root/.hutch-secrets-probe && echo WROTE) 2>&1)"
echo "etc_write=$( (touch /etc/.hutch-secrets-probe && echo WROTE) 2>&1)"
echo "data_write=$( (touch /home/data/w && echo WROTE) 2>&1)"
echo "ssl_write=$( (touch /etc/ssl/private/.hutch-secrets-probe && echo WROTE) 2>&1)"
echo "home_tmpfs_write=$( (touch /home/.hutch-secrets-probe && echo WROTE) 2>&1)"
EOF

host_shadow=$(head -c 64 /etc/shadow | tr -d '\n')
host_home=$(echo $(ls -A /home))
host_root_n=$(ls -A /root | wc -l)

# --- the defaults ------------------------------------------------------------------------
unit_file sec-default <<EOF
[Sandbox]
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-default
expect_eq "defaults: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_match "defaults: /etc/shadow unreadable" "$(get shadow)" 'Permission denied'
expect_match "defaults: /etc/gshadow unreadable" "$(get gshadow)" 'Permission denied'
expect_match "defaults: /etc/security/opasswd unreadable" "$(get opasswd)" 'Permission denied|No such file'
if [ -e /var/cache/debconf/passwords.dat ]; then
        expect_match "defaults: debconf's passwords.dat unreadable" "$(get debconf)" 'Permission denied'
else
        skip "the host has no /var/cache/debconf/passwords.dat"
fi
expect_match "defaults: /root cannot be listed" "$(get root_ls)" 'Permission denied'
expect_match "defaults: /home cannot be listed" "$(get home_ls)" 'Permission denied'

# CAP_DAC_OVERRIDE passes the mode 0000 covers; it must still find nothing of the host's there.
unit_file sec-dac <<EOF
[Sandbox]
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Security]
CapabilityBoundingSet=CAP_DAC_OVERRIDE
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-dac
expect_eq "defaults + CAP_DAC_OVERRIDE: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "defaults + CAP_DAC_OVERRIDE: /etc/shadow is empty" "$(get shadow)" " READ"
expect_eq "defaults + CAP_DAC_OVERRIDE: /root is empty" "$(get root_ls)" 0
expect_eq "defaults + CAP_DAC_OVERRIDE: /home is empty" "$(get home_ls)" " LISTED"

# PrivateUsers=yes: root in the sandbox is an unprivileged host id already; the covers still go on.
unit_file sec-userns <<EOF
[Sandbox]
PrivateUsers=yes
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-userns
expect_eq "PrivateUsers=yes: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_match "PrivateUsers=yes: /etc/shadow unreadable" "$(get shadow)" 'Permission denied'
expect_match "PrivateUsers=yes: /root cannot be listed" "$(get root_ls)" 'Permission denied'
expect_eq "PrivateUsers=yes: /home is hutch's cover (mode 0000), not the host's" \
        "$(get home_ls)" "ls: cannot open directory '/home': Permission denied"

# --- ProtectCredentials= and the TLS key directory: nothing listed; one key bound in by name ---
if [ -d /etc/ssl/private ]; then
        expect_match "defaults: /etc/ssl/private cannot be listed" "$(sb_run sec-default; get ssl_ls)" \
                'Permission denied'
        echo 'PRIVATE KEY of web' >"$T/web.key"
        unit_file sec-ssl <<EOF
[Sandbox]
BindReadOnlyPaths=$T/web.key:/etc/ssl/private/web.key
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
User=nobody
ExecStart=/bin/sh /run/probe.sh
EOF
        sb_run sec-ssl
        expect_eq "a key bound below /etc/ssl/private: runs" "$RC" 0
        [ "$RC" = 0 ] || echo "# $ERR"
        expect_eq "  the bound key is readable by name (User=nobody)" "$(get ssl_key)" "PRIVATE KEY of web READ"
        expect_match "  the directory still cannot be listed" "$(get ssl_ls)" 'Permission denied'
else
        skip "the host has no /etc/ssl/private"
fi

# --- the empty tmpfs mounts stay read-only under a writable parent -----------------------------
# ReadWritePaths=/etc and =/ clone what is mounted below them: the key directory's tmpfs and
# ProtectHome=tmpfs's must be read-only in those copies too (CAP_DAC_OVERRIDE passes their
# modes; a volatile root keeps the host's /etc out of reach).
unit_file sec-rw-parent <<EOF
[Sandbox]
RootMode=volatile
ReadWritePaths=/etc
ReadWritePaths=/
ProtectHome=tmpfs
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Security]
CapabilityBoundingSet=CAP_DAC_OVERRIDE
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-rw-parent
expect_eq "ReadWritePaths=/etc and =/, ProtectHome=tmpfs: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_match "  /etc itself is writable" "$(get etc_write)" WROTE
if [ -d /etc/ssl/private ]; then
        expect_match "  the /etc/ssl/private tmpfs stays read-only" "$(get ssl_write)" 'Read-only file system'
else
        skip "the host has no /etc/ssl/private"
fi
expect_match "  the ProtectHome=tmpfs /home stays read-only" "$(get home_tmpfs_write)" 'Read-only file system'

# --- ProtectHome=read-only on a volatile root: readable, not writable (while /etc is) ------
unit_file sec-home-ro <<EOF
[Sandbox]
RootMode=volatile
ProtectHome=read-only
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Security]
CapabilityBoundingSet=CAP_DAC_OVERRIDE
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-home-ro
expect_eq "ProtectHome=read-only: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "ProtectHome=read-only: /home listed as on the host" "$(get home_ls)" "$host_home LISTED"
expect_eq "ProtectHome=read-only: /root listed as on the host" "$(get root_ls)" "$host_root_n"
expect_match "ProtectHome=read-only: /root not writable" "$(get root_write)" 'Read-only file system'
expect_eq "ProtectHome=read-only: the volatile /etc is writable (control)" "$(get etc_write)" WROTE
expect_match "ProtectHome=read-only: /etc/shadow still hidden" "$(get shadow)" '^ READ$'

# --- ProtectHome=tmpfs: empty and read-only, a bind below it still works -----------------
mkdir -p "$T/data"
unit_file sec-home-tmpfs <<EOF
[Sandbox]
RootMode=volatile
ProtectHome=tmpfs
BindPaths=$T/data:/home/data
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-home-tmpfs
expect_eq "ProtectHome=tmpfs: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "ProtectHome=tmpfs: /home is a tmpfs" "$(get home_type)" tmpfs
expect_eq "ProtectHome=tmpfs: /home holds only the bind" "$(get home_ls)" "data LISTED"
expect_eq "ProtectHome=tmpfs: /root is empty" "$(get root_ls)" 0
expect_match "ProtectHome=tmpfs: /root is read-only" "$(get root_write)" 'Read-only file system'
expect_eq "ProtectHome=tmpfs: BindPaths= below /home stays writable" "$(get data_write)" WROTE
check "ProtectHome=tmpfs: the write reached the host" test -e "$T/data/w"

# --- both loosened: the host's files are readable ----------------------------------------
unit_file sec-open <<EOF
[Sandbox]
ProtectHome=no
ProtectCredentials=no
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-open
expect_eq "ProtectHome=no ProtectCredentials=no: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "ProtectCredentials=no: the host's /etc/shadow is read" "$(get shadow)" "$host_shadow READ"
expect_eq "ProtectHome=no: /home listed as on the host" "$(get home_ls)" "$host_home LISTED"
expect_eq "ProtectHome=no: /root listed as on the host" "$(get root_ls)" "$host_root_n"

# --- RootDirectory= of its own: its etc/shadow, home/ and root/ are covered the same way ----
r=$T/rootfs
mkdir -p "$r/etc" "$r/usr" "$r/home/svc" "$r/root"
for d in proc sys dev run tmp var/tmp; do mkdir -p "$r/$d"; done
ln -s usr/bin "$r/bin"
ln -s usr/lib "$r/lib"
ln -s usr/lib64 "$r/lib64"
echo 'root:x:0:0:root:/root:/bin/sh' >"$r/etc/passwd"
echo 'root:$6$tree-own-hash:19000::::::' >"$r/etc/shadow"
chmod 0640 "$r/etc/shadow"
mkdir -p "$r/var/backups"
cp "$r/etc/shadow" "$r/var/backups/shadow.bak"
echo notes >"$r/home/svc/notes"
echo hist >"$r/root/.history"
# no etc/gshadow, etc/security, run/user in this tree: skipped without a word
unit_file sec-tree <<EOF
[Sandbox]
RootDirectory=$r
BindReadOnlyPaths=/usr
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-tree
expect_eq "RootDirectory=: runs (missing protected paths skipped)" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_match "RootDirectory=: its etc/shadow unreadable" "$(get shadow)" 'Permission denied'
expect_match "RootDirectory=: its var/backups/shadow.bak unreadable" "$(get backup)" 'Permission denied'
expect_match "RootDirectory=: its home/ cannot be listed" "$(get home_ls)" 'Permission denied'
expect_match "RootDirectory=: its root/ cannot be listed" "$(get root_ls)" 'Permission denied'

unit_file sec-tree-open <<EOF
[Sandbox]
RootDirectory=$r
ProtectHome=no
ProtectCredentials=no
BindReadOnlyPaths=/usr
BindReadOnlyPaths=$T/secrets.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sec-tree-open
expect_eq "RootDirectory= loosened: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "RootDirectory= loosened: its own etc/shadow is read" "$(get shadow)" 'root:$6$tree-own-hash:19000:::::: READ'
expect_eq "RootDirectory= loosened: its shadow.bak is read" "$(get backup)" 'root:$6$tree-own-hash:19000:::::: READ'
expect_eq "RootDirectory= loosened: its home/ is listed" "$(get home_ls)" "svc LISTED"
expect_eq "RootDirectory= loosened: its root/ is listed" "$(get root_ls)" 1

# --- a unit path that the default would hide silently is refused, with the way out --------
unit_file sec-hidden-bind <<EOF
[Sandbox]
BindPaths=$T/data:/home/data
BindReadOnlyPaths=/etc/shadow
[Service]
ExecStart=/bin/true
EOF
sb_run sec-hidden-bind
expect_eq "a bind into the protected /home: refused (125)" "$RC" 125
expect_match "  the message names ProtectHome= and the way out" "$ERR" \
        'BindPaths: /home/data is hidden by ProtectHome=yes.*ProtectHome=tmpfs'
expect_match "  a bind of /etc/shadow names ProtectCredentials=" "$ERR" \
        'BindReadOnlyPaths: /etc/shadow is hidden by ProtectCredentials=yes'

done_testing
