#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# StateDirectory= and RuntimeDirectory= under systemd: made by hutch inside the service it runs
# as, the payload's User='s and writable in the read-only root; the state stays after
# `systemctl stop`, the runtime directory goes.
. "$VM_LIB"

install_unit vmt-dirs <<'U'
[Service]
User=daemon
ExecStart=/bin/sh -c 'touch "$$STATE_DIRECTORY/data" "$$RUNTIME_DIRECTORY/sock" && echo "dirs writable $$(stat -c %%U "$$STATE_DIRECTORY")"; exec sleep 300'
[Sandbox]
StateDirectory=vmt-dirs
RuntimeDirectory=vmt-dirs
U

journal_mark "$T/cursor"
check "systemctl start vmt-dirs" systemctl start vmt-dirs.service
wait_until 30 sh -c "journalctl --flush; journalctl -q -o cat --after-cursor='$(cat "$T/cursor")' -u vmt-dirs.service | grep -q 'dirs writable'"
out=$(journal_since "$T/cursor" vmt-dirs.service | sed -n 's/^ *MESSAGE=//p')
expect_match "under systemd: the directories are daemon's and writable" "$out" "dirs writable daemon"
check "the runtime directory is on the host while it runs" test -e /run/vmt-dirs/sock
systemctl stop vmt-dirs.service
check "after systemctl stop: the state stays" test -e /var/lib/vmt-dirs/data
check "after systemctl stop: the runtime directory is gone" test ! -e /run/vmt-dirs
rm -rf /var/lib/vmt-dirs
done_testing
