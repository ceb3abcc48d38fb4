#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hutch's lifecycle events and its own messages: structured journal entries when stderr is the
# journal stream systemd gave the service, plain stderr lines otherwise. The probe runs in a
# mount namespace of its own with a fake journald socket on a private /run.
. "$(dirname "$0")/lib.sh"
require_root
PROBE=${HOST_LINK_PROBE:?HOST_LINK_PROBE must point at host-link-probe}

out=$("$PROBE" journal stream); rc=$?
if [ $rc = 77 ]; then echo "1..0 # SKIP cannot make a private /run"; exit 0; fi
field() { printf '%s\n' "$out" | sed -n "s/^J$1 $2=//p"; }
expect_eq "stream: two journal entries, nothing on stderr" \
        "$(printf '%s\n' "$out" | grep -c '^E ')/$(printf '%s\n' "$out" | sed -n 's/^journal-datagrams //p')" "0/2"
expect_eq "event MESSAGE_ID= is the fixed id of 'restarting'" "$(field 0 MESSAGE_ID)" 0398ccbf9e1243dbb44df6151d587b6c
expect_eq "event HUTCH_UNIT=" "$(field 0 HUTCH_UNIT)" web
expect_eq "event HUTCH_EVENT=" "$(field 0 HUTCH_EVENT)" restarting
expect_eq "event HUTCH_EXIT_REASON=" "$(field 0 HUTCH_EXIT_REASON)" exit-code
expect_eq "event HUTCH_EXIT_STATUS=" "$(field 0 HUTCH_EXIT_STATUS)" 3
expect_eq "event HUTCH_RESTART_COUNT=" "$(field 0 HUTCH_RESTART_COUNT)" 2
expect_eq "event PRIORITY= notice" "$(field 0 PRIORITY)" 5
expect_eq "event SYSLOG_IDENTIFIER=hutch" "$(field 0 SYSLOG_IDENTIFIER)" hutch
expect_eq "event MESSAGE=" "$(field 0 MESSAGE)" "web: exited with status 3, restarting in 100ms"
expect_eq "log message keeps its priority (warning)" "$(field 1 PRIORITY)" 4
expect_eq "log message tagged with the unit" "$(field 1 HUTCH_UNIT)/$(field 1 MESSAGE)" "web/web: disk full"

out=$("$PROBE" journal mismatch)
expect_eq "JOURNAL_STREAM of another file: no journal entry" "$(printf '%s\n' "$out" | sed -n 's/^journal-datagrams //p')" 0
expect_eq "... the event is one stderr line with its fields" "$(printf '%s\n' "$out" | sed -n 's/^E //p' | head -1)" \
        "hutch: web: exited with status 3, restarting in 100ms [event=restarting reason=exit-code status=3 restarts=2 delay=100000us]"
expect_eq "... log lines are prefixed with the unit" "$(printf '%s\n' "$out" | sed -n 's/^E //p' | sed -n 2p)" \
        "hutch: web: disk full"

out=$("$PROBE" journal nosocket)
expect_eq "journal stream but no journald: both lines on stderr" "$(printf '%s\n' "$out" | grep -c '^E ')" 2

done_testing
