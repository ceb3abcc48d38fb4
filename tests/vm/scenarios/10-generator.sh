#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# hutch-generator under a real systemd: `systemctl daemon-reload` turns /etc/hutch/NAME.hutch
# into NAME.service (issue 6, point 2); a broken unit file is skipped without breaking the
# others; templates and [Install] work.
. "$VM_LIB"

gen=/run/systemd/generator

add_unit vmt-gen <<'U'
[Unit]
Description=vm tier: generated service
After=network.target
Wants=network.target

[Service]
ExecStart=/bin/sleep infinity
TimeoutStopSec=7s
U
# A broken unit next to it: unknown key (a typo in a sandbox must not pass silently).
add_unit vmt-broken <<'U'
[Service]
ExecStart=/bin/true
PrivateNetwrok=no
U
add_unit 'vmt-tpl@' <<'U'
[Service]
ExecStart=/bin/sh -c 'echo "instance is %i"; exec sleep infinity'
U
install_unit vmt-enabled <<'U'
[Service]
ExecStart=/bin/sleep infinity

[Install]
WantedBy=multi-user.target
Alias=vmt-enabled-alias.service
U

svc=$gen/vmt-gen.service
check "daemon-reload generated vmt-gen.service in $gen" test -f "$svc"
expect_eq "systemd loaded it" "$(unit_prop vmt-gen.service LoadState)" loaded
expect_eq "FragmentPath is the generated file" "$(unit_prop vmt-gen.service FragmentPath)" "$svc"
expect_eq "SourcePath names the unit file" "$(unit_prop vmt-gen.service SourcePath)" /etc/hutch/vmt-gen.hutch
expect_eq "Type=notify" "$(unit_prop vmt-gen.service Type)" notify
expect_eq "Delegate=yes" "$(unit_prop vmt-gen.service Delegate)" yes
expect_eq "KillMode=mixed" "$(unit_prop vmt-gen.service KillMode)" mixed
expect_eq "Restart=no (hutch restarts)" "$(unit_prop vmt-gen.service Restart)" no
expect_match "ExecStart runs hutch run vmt-gen" "$(unit_prop vmt-gen.service ExecStart)" \
        "path=[^ ]*/hutch ; argv\[\]=[^ ]*/hutch run vmt-gen ;"
exe=$(unit_prop vmt-gen.service ExecStart | sed -n 's/.*path=\([^ ]*\) ;.*/\1/p')
check "ExecStart's binary ($exe) exists in the guest" test -x "$exe"
expect_eq "Description passed through" "$(unit_prop vmt-gen.service Description)" "vm tier: generated service"
expect_match "After= passed through" "$(unit_prop vmt-gen.service After)" "network.target"
expect_match "Wants= passed through" "$(unit_prop vmt-gen.service Wants)" "network.target"
stop_us=$(unit_prop vmt-gen.service TimeoutStopUSec)
expect_match "systemd's TimeoutStopSec is not shorter than the unit's 7s ($stop_us)" "$stop_us" \
        "^([7-9]s|[1-5][0-9]s|[1-9]min.*)$"

check "the broken unit is not generated" test ! -e "$gen/vmt-broken.service"
expect_match "the broken unit is reported in the journal with file:line" \
        "$(journalctl -q --no-pager -b -o cat | grep vmt-broken | tail -n 3)" \
        "/etc/hutch/vmt-broken.hutch:3: .*PrivateNetwrok"

check "template vmt-tpl@.hutch generated vmt-tpl@.service" test -f "$gen/vmt-tpl@.service"
if systemctl start vmt-tpl@blue.service; then
        ok "systemctl start vmt-tpl@blue.service"
        check "the instance's payload saw its instance name" wait_until 10 sh -c \
                'journalctl -q --no-pager -u vmt-tpl@blue.service -o cat | grep -qx "instance is blue"'
        systemctl stop vmt-tpl@blue.service
else
        fail "systemctl start vmt-tpl@blue.service"
        systemctl status --no-pager vmt-tpl@blue.service | sed 's/^/#   /'
fi

check "[Install] WantedBy=multi-user.target made the .wants link" \
        test -L "$gen/multi-user.target.wants/vmt-enabled.service"
expect_match "multi-user.target wants vmt-enabled.service" \
        "$(unit_prop multi-user.target Wants)" "vmt-enabled.service"
check "Alias= made vmt-enabled-alias.service" test -L "$gen/vmt-enabled-alias.service"
expect_eq "the alias resolves to vmt-enabled.service" "$(unit_prop vmt-enabled-alias.service Id)" \
        vmt-enabled.service

rm -f /etc/hutch/vmt-broken.hutch /etc/hutch/vmt-gen.hutch
systemctl daemon-reload
check "removing the unit file and reloading removes the service" test ! -e "$svc"
expect_eq "... and systemd no longer finds it" "$(unit_prop vmt-gen.service LoadState)" not-found
done_testing
