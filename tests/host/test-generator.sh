#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hutch-generator on a temporary search path: what it writes, what it links, what it skips.
. "$(dirname "$0")/lib.sh"

GEN=${HUTCH_GENERATOR:?HUTCH_GENERATOR must point at hutch-generator}
export SYSTEMD_LOG_TARGET=console
OUTD=$T/normal
mkdir -p "$OUTD" "$T/early" "$T/late"

unit_file web <<'X'
[Unit]
Description=Web server at 100%% (%n)
Documentation=https://example.org/web man:web(8)
After=network-online.target db.service
Wants=network-online.target
Requires=db.service
BindsTo=db.service
PartOf=stack.target
Conflicts=old-web.service
Before=shutdown.target

[Service]
ExecStart=/bin/sleep 1000
ExecReload=/bin/kill -USR1 $MAINPID
SyslogFacility=local3
SyslogLevelPrefix=no
TimeoutStartSec=30
TimeoutStopSec=infinity

[Resources]
CPUWeight=400
MemoryLow=64M
MemoryMax=1G

[Install]
WantedBy=multi-user.target
RequiredBy=stack.target
Alias=www
X
unit_file broken <<'X'
[Service]
ExecStart=/bin/true
NoSuchKey=1
X
unit_file 'tpl@' <<'X'
[Unit]
Description=Instance %i of tpl
After=helper@%i.service

[Service]
Type=notify
ExecStart=/bin/echo %i

[Install]
WantedBy=multi-user.target
X
unit_file once <<'X'
[Service]
Type=oneshot
ExecStart=/bin/true
SuccessExitStatus=3 SIGUSR1
X
unit_file once-remain <<'X'
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/true
X
unit_file 'esc\x2dname' <<'X'
[Service]
ExecStart=/bin/true
X
unit_file dropped <<'X'
[Unit]
Description=before drop-in
[Service]
ExecStart=/bin/true
X
mkdir -p "$T/units/dropped.hutch.d"
printf '[Unit]\nDescription=after drop-in\n' >"$T/units/dropped.hutch.d/10-desc.conf"
ln -s /dev/null "$T/units/masked.hutch"
# An instance with drop-ins of its own: its own service, from the template and them.
mkdir -p "$T/units/tpl@slow.hutch.d"
printf '[Unit]\nAfter=db.service\nRequires=db.service\n[Service]\nTimeoutStartSec=10min\n' \
        >"$T/units/tpl@slow.hutch.d/10-slow.conf"
# A valid unit name that `hutch run` would read as an option, one ending in a backslash (which
# must not continue the line), and a time-out too long for the 5 s margin.
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/-dash.hutch"
# Aliases that would take a unit's name (before or after it in name order) or cross name kinds.
printf '[Service]\nExecStart=/bin/true\n[Install]\nAlias=zed\nAlias=other@x.service\n' >"$T/units/alpha.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/zed.hutch"
printf '[Service]\nExecStart=/bin/true\n[Install]\nAlias=alpha\n' >"$T/units/zulu.hutch"
printf '[Service]\nExecStart=/bin/true\nTimeoutStartSec=18446744073709551610us\n' >"$T/units/bs\\.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/hutch@.hutch"

"$GEN" "$OUTD" "$T/early" "$T/late" 2>"$T/gen.err"
rc=$?
expect_eq "generator exits 0 despite a broken unit" "$rc" 0

W=$OUTD/web.service
check "web.service written" test -f "$W"
svc() { grep -E "^$1=" "$2" | sed "s/^$1=//" | paste -sd'|'; }
expect_match "ExecStart is BINDIR/hutch run web" "$(svc ExecStart "$W")" '^/.*/hutch run web$'
expect_eq "Type=notify" "$(svc Type "$W")" notify
expect_eq "NotifyAccess=main" "$(svc NotifyAccess "$W")" main
expect_eq "Delegate=yes" "$(svc Delegate "$W")" yes
expect_eq "KillMode=mixed" "$(svc KillMode "$W")" mixed
expect_eq "the service's output is named after its program (as a native service's), not hutch" \
        "$(svc SyslogIdentifier "$W")" sleep
expect_eq "SyslogFacility=, SyslogLevelPrefix= copied; SyslogLevel= unset stays unset" \
        "$(svc SyslogFacility "$W") $(svc SyslogLevelPrefix "$W") $(svc SyslogLevel "$W")" "local3 no "
expect_eq "ExecReload=: systemctl reload sends SIGHUP to hutch, which runs the unit's" \
        "$(svc ExecReload "$W")" '/bin/kill -HUP $MAINPID'
expect_eq "CPUWeight= at the service level (weights count among siblings)" "$(svc CPUWeight "$W")" 400
expect_eq "MemoryLow= at the service level" "$(svc MemoryLow "$W")" 67108864
expect_eq "MemoryMax= stays hutch's (enforced in its subtree)" "$(svc MemoryMax "$W")" ""
expect_eq "Restart=no (hutch restarts)" "$(svc Restart "$W")" no
expect_eq "SourcePath= is the unit file" "$(svc SourcePath "$W")" "$T/units/web.hutch"
expect_eq "Description with %% kept for systemd" "$(svc Description "$W")" "Web server at 100%% (web.hutch)"
expect_eq "Documentation passed through" "$(svc Documentation "$W")" "https://example.org/web|man:web(8)"
expect_eq "After passed through" "$(svc After "$W")" "network-online.target|db.service"
expect_eq "Wants passed through" "$(svc Wants "$W")" "network-online.target"
expect_eq "Requires passed through" "$(svc Requires "$W")" "db.service"
expect_eq "BindsTo passed through" "$(svc BindsTo "$W")" "db.service"
expect_eq "PartOf passed through" "$(svc PartOf "$W")" "stack.target"
expect_eq "Conflicts passed through" "$(svc Conflicts "$W")" "old-web.service"
expect_eq "Before passed through" "$(svc Before "$W")" "shutdown.target"
expect_eq "TimeoutStartSec= is the unit's plus 5 s" "$(svc TimeoutStartSec "$W")" "35s"
expect_eq "TimeoutStopSec=infinity stays infinity" "$(svc TimeoutStopSec "$W")" "infinity"
expect_eq "no [Install] in a generated unit" "$(grep -c '^\[Install\]' "$W")" 0

expect_eq "WantedBy= -> multi-user.target.wants link" "$(readlink "$OUTD/multi-user.target.wants/web.service")" "$W"
expect_eq "RequiredBy= -> stack.target.requires link" "$(readlink "$OUTD/stack.target.requires/web.service")" "$W"
expect_eq "Alias= -> www.service link" "$(readlink "$OUTD/www.service")" "$W"

check "broken unit: no service" test ! -e "$OUTD/broken.service"
expect_match "broken unit: reported with file:line and key" "$(cat "$T/gen.err")" "broken\.hutch:3: NoSuchKey"

TP=$OUTD/tpl@.service
check "template -> tpl@.service" test -f "$TP"
expect_match "template ExecStart runs the instance" "$(svc ExecStart "$TP")" '/hutch run tpl@%i$'
expect_eq "template: instance specifiers handed to systemd" "$(svc After "$TP")" "helper@%i.service"
expect_eq "template: Description keeps %i" "$(svc Description "$TP")" "Instance %i of tpl"
check "template: [Install] not applied" test ! -e "$OUTD/multi-user.target.wants/tpl@.service"

expect_eq "oneshot unit -> Type=oneshot" "$(svc Type "$OUTD/once.service")" oneshot
expect_eq "oneshot with RemainAfterExit=yes -> Type=notify (hutch stays, READY=1 after the command)" \
        "$(svc Type "$OUTD/once-remain.service")" notify
expect_eq "oneshot: NotifyAccess=main (hutch's STATUS= and EXTEND_TIMEOUT_USEC=)" \
        "$(svc NotifyAccess "$OUTD/once.service")" main
# hutch run exits 128+N for a death by signal N: SuccessExitStatus= says which of its codes are a
# success (the unit's list; for services also SIGHUP, SIGINT, SIGPIPE, SIGTERM, clean in systemd).
expect_eq "oneshot: SuccessExitStatus= is the unit's, SIGUSR1 as 128+10" \
        "$(svc SuccessExitStatus "$OUTD/once.service")" "3 138"
expect_eq "service: SuccessExitStatus= has the clean signals as 128+N" "$(svc SuccessExitStatus "$W")" \
        "129 130 141 143"
expect_eq "escaped name kept for hutch run" "$(svc ExecStart "$OUTD/esc\\x2dname.service" | sed 's/.* run //')" \
        'esc\\x2dname'
expect_eq "drop-in applied" "$(svc Description "$OUTD/dropped.service")" "after drop-in"
check "masked unit: nothing generated" test ! -e "$OUTD/masked.service"
expect_eq "masked unit: nothing said about it (the administrator's choice)" "$(grep -c masked "$T/gen.err")" 0
I=$OUTD/tpl@slow.service
check "an instance with drop-ins of its own gets its own service" test -f "$I"
expect_match "... running that instance" "$(svc ExecStart "$I")" '/hutch run tpl@slow$'
expect_eq "... with the drop-in's TimeoutStartSec= (plus 5 s)" "$(svc TimeoutStartSec "$I")" "10min 5s"
expect_eq "... and its dependencies" "$(svc After "$I")|$(svc Requires "$I")" \
        "helper@slow.service|db.service|db.service"
check "... and no [Install] of the template's" test ! -e "$OUTD/multi-user.target.wants/tpl@slow.service"
check "an alias never takes a unit's name: both units are written" \
        sh -c "test -f '$OUTD/zed.service' && test ! -L '$OUTD/zed.service' && test ! -L '$OUTD/alpha.service'"
expect_match "... and the alias is refused with a warning" "$(cat "$T/gen.err")" "alpha.service: Alias=zed.service: a unit or alias of that name exists already"
expect_match "... either way round" "$(cat "$T/gen.err")" "zulu.service: Alias=alpha.service: a unit or alias of that name exists already"
check "an alias of another name kind (an instance for a plain unit) is not made" test ! -e "$OUTD/other@x.service"
expect_match "... as systemd ignores it, with a warning" "$(cat "$T/gen.err")" "Alias=other@x.service: an alias must be a plain name"
expect_match "a name starting with '-' is not taken for an option" "$(svc ExecStart "$OUTD/-dash.service")" \
        '/hutch run -- -dash$'
expect_eq "a value ending in a backslash does not continue the line" \
        "$(grep -A1 '^Description=' "$OUTD/bs\\.service" | sed -n 2p | cut -d= -f1)" SourcePath
expect_eq "a time-out too long for the margin is infinity" "$(svc TimeoutStartSec "$OUTD/bs\\.service")" infinity
check "a template named hutch@ does not hide the shipped hutch@.service" test ! -e "$OUTD/hutch@.service"
expect_eq "early and late dirs untouched" "$(find "$T/early" "$T/late" -mindepth 1 | wc -l)" 0

# systemd parses what we wrote without complaint (a missing hutch binary and man pages aside).
# systemd-analyze leaves a stamp file in /run/systemd: remove it afterwards unless it was there.
stamp=/run/systemd/systemd-units-load
[ -e "$stamp" ] && stamp_was_there=1 || stamp_was_there=
trap '[ -n "$stamp_was_there" ] || rm -f "$stamp"; _cleanup' EXIT
if command -v systemd-analyze >/dev/null; then
        V=$(cd "$OUTD" && SYSTEMD_LOG_LEVEL=warning timeout 30 systemd-analyze verify ./web.service ./once.service ./tpl@slow.service ./bs\\.service \
                ./tpl@.service 2>&1 | grep -Ev 'is not executable|Command .man |failed with code 16|helper@|db\.service|stack\.target|old-web|tpl@\.service: Unit configuration has fatal' || true)
        expect_eq "systemd-analyze verify: no complaints about the generated files" "$V" ""
        if [ -n "${HUTCH_TEMPLATE_SERVICE:-}" ]; then
                cp "$HUTCH_TEMPLATE_SERVICE" "$T/hutch@.service"
                V=$(cd "$T" && SYSTEMD_LOG_LEVEL=warning timeout 30 systemd-analyze verify ./hutch@web.service 2>&1 |
                        grep -Ev 'is not executable|Command .man |failed with code 16' || true)
                expect_eq "systemd-analyze verify: hutch@.service parses" "$V" ""
        else
                skip "HUTCH_TEMPLATE_SERVICE not set"
        fi
else
        skip "systemd-analyze not installed"
        skip "systemd-analyze not installed"
fi
if [ -n "${HUTCH_TEMPLATE_SERVICE:-}" ]; then
        t=$HUTCH_TEMPLATE_SERVICE
        expect_match "hutch@.service runs hutch run %i" "$(svc ExecStart "$t")" '^/.*/hutch run %i$'
        expect_eq "hutch@.service: no ExecReload= without one in the unit" "$(svc ExecReload "$t")" ""
        expect_eq "hutch@.service: Type, Delegate, KillMode, Restart" \
                "$(svc Type "$t")/$(svc Delegate "$t")/$(svc KillMode "$t")/$(svc Restart "$t")" "notify/yes/mixed/no"
fi

# One argument is the test form of the protocol; two is an error.
mkdir -p "$T/one"
"$GEN" "$T/one" 2>/dev/null
expect_eq "single output dir accepted" "$?:$(test -f "$T/one/web.service" && echo y)" "0:y"
"$GEN" "$T/one" "$T/early" 2>/dev/null
check "two arguments refused" test $? -ne 0
"$GEN" "$T/no-such-dir" 2>/dev/null
check "missing output dir refused" test $? -ne 0

# An empty search path generates nothing and succeeds.
mkdir -p "$T/empty" "$T/out2"
HUTCH_UNIT_PATH=$T/empty "$GEN" "$T/out2" 2>/dev/null
expect_eq "empty search path: exit 0, no files" "$?:$(ls -A "$T/out2" | wc -l)" "0:0"

done_testing
