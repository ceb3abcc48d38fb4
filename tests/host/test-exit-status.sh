#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# How the payload ended, told apart exactly although a PID 1 of hutch's stands between:
# "exit 143" is an exit code, death by SIGTERM is a signal (systemd: clean for a service),
# death by SIGSEGV a failure; hutch run's own status is the payload's (128+N for signal N).
. "$(dirname "$0")/lib.sh"
require_root

name=exit-$$
unit_file "$name-143" <<UNIT
[Service]
ExecStart=/bin/sh -c "exit 143"
UNIT
unit_file "$name-term" <<UNIT
[Service]
ExecStart=/bin/sh -c "kill -TERM \$\$\$\$; sleep 10"
UNIT
unit_file "$name-segv" <<UNIT
[Service]
ExecStart=/bin/sh -c "kill -SEGV \$\$\$\$; sleep 10"
UNIT
unit_file "$name-130" <<UNIT
[Unit]
StartLimitBurst=2
[Service]
ExecStart=/bin/sh -c "exit 130"
Restart=on-failure
RestartSec=0
UNIT

run_unit "$name-143"
expect_eq "exit 143: hutch run exits 143" "$RC" 143
expect_match "exit 143 is an exit code, not SIGTERM" "$ERR" "exited with status 143 \(exit-code\)"

run_unit "$name-term"
expect_eq "death by SIGTERM: hutch run exits 128+15" "$RC" 143
expect_match "death by SIGTERM is reported as the signal" "$ERR" "exited with signal SIGTERM"
check "death by SIGTERM is not a failure (as systemd for a service)" \
        sh -c '! printf "%s" "$1" | grep -q "failed with result"' _ "$ERR"

run_unit "$name-segv"
expect_eq "death by SIGSEGV: hutch run exits 128+11" "$RC" 139
expect_match "death by SIGSEGV is a failure with result 'signal'" "$ERR" "failed with result 'signal'"

# exit 130 is a failure (not SIGINT, which would be clean): Restart=on-failure restarts it.
run_unit "$name-130"
expect_eq "exit 130: restarted on failure, then gives up" "$(printf '%s\n' "$ERR" | grep -c 'exited with status 130')" 2

done_testing
