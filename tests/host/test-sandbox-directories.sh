#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# RuntimeDirectory=, StateDirectory=, CacheDirectory=, LogsDirectory= and ConfigurationDirectory=,
# seen by the payload: each exists, is its User='s with the unit's mode, is writable in a
# read-only root (the configuration directory read-only), and is named in $STATE_DIRECTORY and
# friends; the host keeps a state directory between runs and loses a runtime directory at the
# end of one; a symlink the payload plants is never followed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"
require_root

n=hutch-test-dirs-$$
remove_at_exit "/run/$n" "/var/lib/$n" "/var/cache/$n" "/var/log/$n" "/etc/$n" "/var/lib/$n-link" \
        "/run/$n-keep" "/var/lib/$n-userns"

probe dirs <<EOF
echo "env=\$STATE_DIRECTORY|\$RUNTIME_DIRECTORY|\$CACHE_DIRECTORY|\$LOGS_DIRECTORY|\$CONFIGURATION_DIRECTORY"
for d in state:/var/lib/$n sub:/var/lib/$n/sub runtime:/run/$n cache:/var/cache/$n logs:/var/log/$n conf:/etc/$n; do
        if touch "\${d#*:}/written" 2>/dev/null; then w=writable; else w=read-only; fi
        echo "\${d%%:*}=\$(stat -c '%U:%G %a' "\${d#*:}") \$w"
done
if touch /var/lib/$n-not-listed 2>/dev/null; then echo "root=writable"; else echo "root=read-only"; fi
echo "kept=\$(cat /var/lib/$n/kept 2>/dev/null)"
echo run >/var/lib/$n/kept
ln -sf /run/probe.sh /var/lib/$n/sub/evil 2>/dev/null
EOF
unit_file dirs <<EOF
[Service]
User=daemon
ExecStart=/bin/sh /run/probe.sh
[Sandbox]
BindReadOnlyPaths=$T/dirs.sh:/run/probe.sh
StateDirectory=$n $n/sub
StateDirectoryMode=0750
RuntimeDirectory=$n
CacheDirectory=$n
LogsDirectory=%N
ConfigurationDirectory=$n
EOF
sed -i "s/%N/$n/" "$T/units/dirs.hutch"
sb_run dirs
expect_eq "directories: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "the variables name them" "$(get env)" \
        "/var/lib/$n:/var/lib/$n/sub|/run/$n|/var/cache/$n|/var/log/$n|/etc/$n"
expect_eq "StateDirectory=: User='s, StateDirectoryMode=0750, writable" "$(get state)" "daemon:daemon 750 writable"
expect_eq "StateDirectory= below another: the same" "$(get sub)" "daemon:daemon 750 writable"
expect_eq "RuntimeDirectory=: User='s, 0755, writable" "$(get runtime)" "daemon:daemon 755 writable"
expect_eq "CacheDirectory=: User='s, writable" "$(get cache)" "daemon:daemon 755 writable"
expect_eq "LogsDirectory=: User='s, writable" "$(get logs)" "daemon:daemon 755 writable"
expect_eq "ConfigurationDirectory=: root's, read-only" "$(get conf)" "root:root 755 read-only"
expect_eq "the rest of /var/lib stays read-only" "$(get root)" read-only
check "the state directory is on the host, with what the payload wrote" test -f "/var/lib/$n/written"
check "the runtime directory is gone after the run" test ! -e "/run/$n"
check "the configuration directory stays on the host" test -d "/etc/$n"

# --- a second run: the state is kept; under another User= everything is given over, but the
# symlink the first run planted (to a root-owned file) is not followed -----------------------
sed -i 's/^User=daemon/User=nobody/' "$T/units/dirs.hutch"
sb_run dirs
expect_eq "second run, User=nobody: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "second run: the state of the first is there" "$(get kept)" run
expect_eq "second run: the directory is nobody's now" "$(get sub)" "nobody:nogroup 750 writable"
expect_eq "  and so is what it held" "$(stat -c %U "/var/lib/$n/written")" nobody
expect_eq "  the symlink itself is given over" "$(stat -c %U "/var/lib/$n/sub/evil")" nobody
expect_eq "  what it points to is not" "$(stat -c %U "$T/dirs.sh")" root

# --- RuntimeDirectoryPreserve=yes keeps it --------------------------------------------------
unit_file dirs-keep <<EOF
[Service]
ExecStart=/bin/sh -c 'echo x >"\$\$RUNTIME_DIRECTORY/left"'
[Sandbox]
RuntimeDirectory=$n-keep
RuntimeDirectoryPreserve=yes
EOF
sb_run dirs-keep
expect_eq "RuntimeDirectoryPreserve=yes: runs" "$RC" 0
check "RuntimeDirectoryPreserve=yes: the directory and its file stay" test -f "/run/$n-keep/left"

# --- a symlink on the host path is refused, not followed ------------------------------------
mkdir -p "$T/elsewhere"
ln -s "$T/elsewhere" "/var/lib/$n-link"
unit_file dirs-link <<EOF
[Service]
ExecStart=/bin/true
[Sandbox]
StateDirectory=$n-link/inner
EOF
sb_run dirs-link
expect_eq "a symlink in the path: setup fails" "$RC" 125
expect_match "  and says so" "$ERR" "make directory /var/lib/$n-link/inner: .*StateDirectory=$n-link/inner; a part of it is a symlink"
check "  nothing was made where it points" test ! -e "$T/elsewhere/inner"

# --- PrivateUsers=yes: the directory belongs to the namespace's user ------------------------
unit_file dirs-userns <<EOF
[Service]
User=daemon
ExecStart=/bin/sh -c 'touch /var/lib/$n-userns/f && echo "w=\$\$(stat -c %%U /var/lib/$n-userns)"'
[Sandbox]
PrivateUsers=yes
StateDirectory=$n-userns
EOF
sb_run dirs-userns
expect_eq "PrivateUsers=yes: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "PrivateUsers=yes: daemon's inside, and writable" "$(get w)" daemon
check "PrivateUsers=yes: on the host a uid of the namespace's range" \
        test "$(stat -c %u "/var/lib/$n-userns")" -gt 65535

# --- bad values ---------------------------------------------------------------------------
unit_file dirs-bad <<'EOF'
[Service]
ExecStart=/bin/true
[Sandbox]
StateDirectory=../etc
RuntimeDirectory=/run/x
CacheDirectoryMode=999
RuntimeDirectoryPreserve=sometimes
EOF
out=$($HUTCH verify dirs-bad 2>&1)
expect_eq "bad values: verify fails" "$?" 1
expect_match "  '..' refused with file:line: key" "$out" "dirs-bad.hutch:4: StateDirectory: '../etc': not a normalized relative path"
expect_match "  an absolute path refused" "$out" "dirs-bad.hutch:5: RuntimeDirectory: '/run/x': not a relative path"
expect_match "  a bad mode refused" "$out" "dirs-bad.hutch:6: CacheDirectoryMode: '999'"
expect_match "  a bad preserve refused" "$out" "dirs-bad.hutch:7: RuntimeDirectoryPreserve: 'sometimes': not one of no, yes, restart"

done_testing
