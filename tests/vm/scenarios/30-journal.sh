#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The journal (issue 6, point 5): the payload's stdout and stderr reach the journal under the
# service, and hutch's lifecycle events are structured entries (MESSAGE_ID= per kind,
# HUTCH_UNIT=, HUTCH_EVENT=, exit reason and status); `hutch run`'s exit status is the
# payload's, so systemd sees it too.
. "$VM_LIB"

tok=$RANDOM$RANDOM
install_unit vmt-log <<U
[Service]
ExecStart=/bin/sh -c 'echo "to stdout $tok"; echo "to stderr $tok" >&2; sleep 1; exit 3'
U

if systemctl start vmt-log.service; then ok "systemctl start vmt-log"; else fail "systemctl start vmt-log"; fi
check "the service fails when its payload exits with status 3" wait_until 20 sh -c \
        '[ "$(systemctl show -P ActiveState vmt-log.service)" = failed ]'
expect_eq "systemd's Result is exit-code" "$(unit_prop vmt-log.service Result)" exit-code
expect_eq "systemd saw the payload's exit status 3 (hutch run's own)" \
        "$(unit_prop vmt-log.service ExecMainStatus)" 3

journalctl --flush
out=$(journalctl -q --no-pager -u vmt-log.service -o cat)
expect_match "journalctl -u shows the payload's stdout" "$out" "^to stdout $tok$"
expect_match "journalctl -u shows the payload's stderr" "$out" "^to stderr $tok$"
# Named as systemd names a native service's lines: by its program (sh), not hutch.
expect_match "the payload's lines carry SYSLOG_IDENTIFIER=sh (journalctl -t sh)" \
        "$(journalctl -q --no-pager -u vmt-log.service -t sh -o cat)" "^to stdout $tok$"

v=$(journalctl -q --no-pager -u vmt-log.service -o verbose)
# entry_with FIELD=VALUE...: the verbose entries (blank-line separated... journalctl -o verbose
# starts each entry with an unindented timestamp line) that carry every given field.
entry_with() {
        printf '%s\n' "$v" | awk -v want="$*" '
                BEGIN { n = split(want, w, " ") }
                /^[^ \t]/ { if (e != "" && hit == n) print e; e = $0 "\n"; hit = 0; next }
                { e = e $0 "\n"; f = $0; sub(/^[ \t]+/, "", f); for (i = 1; i <= n; i++) if (f == w[i]) hit++ }
                END { if (e != "" && hit == n) print e }'
}
check "a structured 'started' entry: HUTCH_UNIT=vmt-log, HUTCH_EVENT=started, its MESSAGE_ID" \
        test -n "$(entry_with HUTCH_UNIT=vmt-log HUTCH_EVENT=started MESSAGE_ID=a0f9be900be94fc3a71ce190922c839f)"
e=$(entry_with HUTCH_UNIT=vmt-log HUTCH_EVENT=exited MESSAGE_ID=5695fbc7624e4a37bd96384125c2578a)
check "a structured 'exited' entry with its MESSAGE_ID" test -n "$e"
expect_match "... with HUTCH_EXIT_REASON=exit-code" "$e" "HUTCH_EXIT_REASON=exit-code"
expect_match "... with HUTCH_EXIT_STATUS=3" "$e" "HUTCH_EXIT_STATUS=3"
expect_match "... and a human MESSAGE=" "$e" "MESSAGE=.*3"
expect_match "journalctl MESSAGE_ID=... HUTCH_UNIT=vmt-log finds the exit by its fields alone" \
        "$(journalctl -q --no-pager -o cat MESSAGE_ID=5695fbc7624e4a37bd96384125c2578a HUTCH_UNIT=vmt-log)" "."
systemctl reset-failed vmt-log.service
done_testing
