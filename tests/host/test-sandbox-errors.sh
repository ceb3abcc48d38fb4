#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The error path of each setup step: hutch exits 125 (126/127 for execve) with one message
# that names the step and the path, and leaves the host's mount table as it was.
# With $SANDBOX_DRIVER set, the same units also go through the spawner alone with the pre-start
# checks skipped (--no-check), so the spawner's own messages are proven, not only the checks'.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"

# expect_failure NAME STATUS REGEX DESCRIPTION
expect_failure() {
        sb_run "$1"
        expect_eq "$4: exit status" "$RC" "$2"
        expect_match "$4: message" "$ERR" "$3"
        if [ -n "${SANDBOX_DRIVER:-}" ]; then
                OUT=$(timeout 60 "$SANDBOX_DRIVER" --no-check "$1" 2>"$T/stderr" </dev/null)
                RC=$?
                ERR=$(cat "$T/stderr")
                expect_eq "$4: spawner alone: exit status" "$RC" "$2"
                expect_match "$4: spawner alone: message" "$ERR" "$3"
        fi
}

tmpfs_dir layers
touch "$T/layers/not-a-dir"
mounts_before=$(mounts)

unit_file sb-badlayer <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/missing
[Service]
ExecStart=/bin/true
EOF
expect_failure sb-badlayer 125 "$T/layers/missing: No such file or directory" "missing layer"

unit_file sb-filelayer <<EOF
[Sandbox]
RootMode=volatile
Layers=$T/layers/not-a-dir
[Service]
ExecStart=/bin/true
EOF
expect_failure sb-filelayer 125 "$T/layers/not-a-dir: [Nn]ot a directory" "layer that is a file"

unit_file sb-badroot <<EOF
[Sandbox]
RootDirectory=$T/no-root
[Service]
ExecStart=/bin/true
EOF
expect_failure sb-badroot 125 "$T/no-root: No such file or directory" "missing RootDirectory="

unit_file sb-badbind <<EOF
[Sandbox]
BindPaths=$T/no-source:/run/x
[Service]
ExecStart=/bin/true
EOF
expect_failure sb-badbind 125 "BindPaths.*$T/no-source.*No such file or directory|$T/no-source: No such file or directory" \
        "missing bind source"

unit_file sb-robind <<EOF
[Sandbox]
BindPaths=$T:/hutch-new-dir
[Service]
ExecStart=/bin/true
EOF
expect_failure sb-robind 125 "/hutch-new-dir: Read-only file system.*BindPaths=" \
        "bind target that cannot be created in the read-only root"
check "  no directory created on the host" test ! -e /hutch-new-dir

unit_file sb-baduser <<EOF
[Service]
User=hutch-no-such-user
ExecStart=/bin/true
EOF
expect_failure sb-baduser 125 "User=.*/etc/passwd.*hutch-no-such-user" "unknown user"

unit_file sb-badgroup <<EOF
[Service]
SupplementaryGroups=hutch-no-such-group
ExecStart=/bin/true
EOF
expect_failure sb-badgroup 125 "SupplementaryGroups=.*/etc/group.*hutch-no-such-group" "unknown group"

unit_file sb-badwd <<EOF
[Service]
WorkingDirectory=/hutch-no-such-dir
ExecStart=/bin/true
EOF
expect_failure sb-badwd 125 "WorkingDirectory=.*/hutch-no-such-dir: No such file or directory" \
        "missing WorkingDirectory="

unit_file sb-nouser <<EOF
[Service]
User=hutch-no-such-user
ExecStart=/bin/true
EOF
expect_failure sb-nouser 125 "resolve User= /etc/passwd: not found \\(no user 'hutch-no-such-user' in the sandbox\\)" \
        "a user the sandbox does not have (not 'No such process')"

unit_file sb-notfound <<EOF
[Service]
ExecStart=/hutch/no/such/binary
EOF
expect_failure sb-notfound 127 "execute /hutch/no/such/binary: No such file or directory" "command not found"

unit_file sb-notexec <<EOF
[Service]
ExecStart=/etc/passwd
EOF
expect_failure sb-notexec 126 "execute /etc/passwd: Permission denied" "command not executable"

unit_file sb-badpersist <<EOF
[Sandbox]
RootMode=persistent
UpperDirectory=$T/no-upper
[Service]
ExecStart=/bin/true
EOF
expect_failure sb-badpersist 125 "$T/no-upper" "missing UpperDirectory="

expect_eq "host mount table unchanged after every failure" "$(mounts)" "$mounts_before"

# An EnvironmentFile= that is a FIFO (hutch reads it itself, before the sandbox exists) is refused
# at once instead of blocking the supervisor; with '-' it is skipped.
mkfifo "$T/env.fifo"
unit_file sb-envfifo <<EOF
[Service]
ExecStart=/bin/true
EnvironmentFile=$T/env.fifo
EOF
expect_failure sb-envfifo 125 "EnvironmentFile=$T/env.fifo: not a regular file" "EnvironmentFile= a FIFO"
unit_file sb-envfifo-opt <<EOF
[Service]
ExecStart=/bin/true
EnvironmentFile=-$T/env.fifo
EOF
sb_run sb-envfifo-opt
expect_eq "EnvironmentFile=- a FIFO: skipped, the service runs" "$RC" 0
expect_match "  with a warning" "$ERR" "not a regular file, ignoring"

done_testing
