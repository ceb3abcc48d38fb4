#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The command line without privileges: exit statuses of verify/show/cat, problems on stderr,
# JSON that parses, drop-in and -p precedence as `show` reports them, `cat` order, --help.
. "$(dirname "$0")/tap-lib.sh"

status() { # EXPECTED COMMAND...: runs it with output in $T/out and $T/err
        local want=$1
        shift
        "$@" >"$T/out" 2>"$T/err"
        local got=$?
        [ "$got" = "$want" ] || { echo "# exit status $got, expected $want"; sed 's/^/# err: /' "$T/err"; return 1; }
}

mkdir -p "$T/units/web.hutch.d" "$T/other/web.hutch.d"
cat >"$T/units/web.hutch" <<'EOF'
[Unit]
Description=web "front"

[Service]
ExecStart=/bin/echo hello "two words"
EOF
printf '[Resources]\nMemoryMax=1G\n' >"$T/units/web.hutch.d/20-mem.conf"
printf '[Resources]\nTasksMax=10\n' >"$T/units/web.hutch.d/10-tasks.conf"
printf '[Resources]\nTasksMax=99\n' >"$T/other/web.hutch.d/10-tasks.conf"
printf '[Resources]\nCPUWeight=50\n' >"$T/other/web.hutch.d/30-cpu.conf"
cat >"$T/bad.hutch" <<'EOF'
[Service]
ExecStrat=/bin/true
Type=onshot

[Resources]
MemoryLow=2G
MemoryHigh=1G
EOF
ln -s /dev/null "$T/units/masked.hutch"

check "--version" status 0 "$HUTCH" --version
check "--version prints the version" grep -Eq '^hutch [0-9]+\.[0-9]+' "$T/out"
check "--version says the C library and the linking" grep -Eq '^(musl|glibc [0-9]+\.[0-9]+), (static|dynamic)$' "$T/out"
check "no verb: usage error" status 2 "$HUTCH"
check "unknown verb: usage error" status 2 "$HUTCH" frobnicate
check "unknown option: usage error" status 2 "$HUTCH" verify --frobnicate "$T/bad.hutch"
check "verify without a unit: usage error" status 2 "$HUTCH" verify

check "verify a valid unit: 0" status 0 "$HUTCH" verify --unit-path "$T/units:$T/other" web
check "verify a valid unit: nothing on stderr" test ! -s "$T/err"
check "verify by path: 0" status 0 "$HUTCH" verify "$T/units/web.hutch"
check "verify an invalid unit: 1" status 1 "$HUTCH" verify "$T/bad.hutch"
check "verify names file:line: Key for the typo" grep -q "^$T/bad.hutch:2: ExecStrat: " "$T/err"
check "verify names file:line: Key for the bad value" grep -q "^$T/bad.hutch:3: Type: " "$T/err"
check "verify reports the missing ExecStart=" grep -q "^$T/bad.hutch: ExecStart: " "$T/err"
check "verify reports the memory order at its line" grep -q "^$T/bad.hutch:6: MemoryLow: " "$T/err"
check "verify valid and invalid together: 1" status 1 "$HUTCH" verify "$T/units/web.hutch" "$T/bad.hutch"
check "verify a missing unit: 1" status 1 "$HUTCH" verify --unit-path "$T/units" nosuch
check "verify a masked unit: 1" status 1 "$HUTCH" verify --unit-path "$T/units" masked

check "show --json: 0" status 0 "$HUTCH" show --json --unit-path "$T/units:$T/other" web
check "show --json parses, with the drop-ins applied and the earlier directory winning" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert list(d) == ["Unit", "Service", "Sandbox", "Resources", "Security", "Install"], list(d)
assert d["Unit"]["Description"] == "web \"front\""
assert d["Service"]["ExecStart"] == ["/bin/echo", "hello", "two words"], d["Service"]["ExecStart"]
assert d["Service"]["TimeoutStopSec"] == 90000000
assert d["Resources"]["MemoryMax"] == 1 << 30
assert d["Resources"]["TasksMax"] == 10, d["Resources"]["TasksMax"]
assert d["Resources"]["CPUWeight"] == 50
assert d["Sandbox"]["PrivateNetwork"] is True
assert d["Sandbox"]["Hostname"] == "web"
assert d["Security"]["CapabilityBoundingSet"] == []
' "$T/out"
check "show -p overrides every drop-in" status 0 "$HUTCH" show --unit-path "$T/units" -p Resources.MemoryMax=2G \
        -p Sandbox.PrivateNetwork=no web
check "show -p values appear" grep -qx 'MemoryMax=2G' "$T/out"
check "show -p boolean appears" grep -qx 'PrivateNetwork=no' "$T/out"
check "show with a bad -p value: 1" status 1 "$HUTCH" show --unit-path "$T/units" -p Resources.MemoryMax=1Q web
check "show with a malformed -p: usage error" status 2 "$HUTCH" show -p MemoryMax "$T/units/web.hutch"
check "show with two units: usage error" status 2 "$HUTCH" show "$T/units/web.hutch" "$T/units/web.hutch"
check "show of an invalid unit: 1" status 1 "$HUTCH" show "$T/bad.hutch"

check "cat: 0" status 0 "$HUTCH" cat --unit-path "$T/units:$T/other" web
check "cat prints the files in the order they apply" test "$(grep '^# /' "$T/out")" = "# $T/units/web.hutch
# $T/units/web.hutch.d/10-tasks.conf
# $T/units/web.hutch.d/20-mem.conf
# $T/other/web.hutch.d/30-cpu.conf"
check "cat prints the contents" grep -qx 'TasksMax=10' "$T/out"
check "cat of a missing unit: 1" status 1 "$HUTCH" cat --unit-path "$T/units" nosuch
check "an option after the unit: usage error (2)" status 2 "$HUTCH" verify --unit-path "$T/units" web --unit-path /x
check "... saying options go first" grep -q "'--unit-path' after a unit name: options go before the units" "$T/err"
check "-h after the unit: usage error, not a unit named -h" status 2 "$HUTCH" cat --unit-path "$T/units" web -h
check "run UNIT --help: says options go before the unit" status 2 "$HUTCH" run --unit-path "$T/units" web --help
check "... in those words" grep -q "'--help' after the unit: options go before it" "$T/err"
check "an option verify lacks is named as the option" status 2 "$HUTCH" verify -p Service.Type=exec "$T/bad.hutch"
check "... '-p', not its value" grep -q "option '-p' is not supported" "$T/err"
mkdir -p "$T/tpl/web@blue.hutch.d"
printf '[Service]\nExecStart=/bin/echo %%i\n' >"$T/tpl/web@.hutch"
printf '[Service]\nUser=nobody\n' >"$T/tpl/web@blue.hutch.d/u.conf"
check "a PATH to an instance with no file: the template beside it (0)" status 0 "$HUTCH" show "$T/tpl/web@blue.hutch"
check "... with the instance expanded" grep -qx 'ExecStart=/bin/echo blue' "$T/out"
check "... and the instance's drop-in" grep -qx 'User=nobody' "$T/out"
mkdir -p "$T/fifo"
mkfifo "$T/fifo/pipe.hutch"
check "cat of a FIFO: refused at once, not read (1)" status 1 timeout 10 "$HUTCH" cat --unit-path "$T/fifo" pipe
check "... saying it is not a regular file" grep -q 'pipe.hutch: not a regular file' "$T/err"
if [ -w /dev/full ]; then
        check "cat into a full disk: 1" status 1 sh -c '"$0" cat --unit-path "$1" web >/dev/full' "$HUTCH" "$T/units"
        check "... saying it could not write" grep -q 'cat: cannot write' "$T/err"
else
        skip "no /dev/full"
        skip "no /dev/full"
fi

for verb in run verify show cat; do
        check "$verb --help" status 0 "$HUTCH" "$verb" --help
        check "$verb --help prints its usage" grep -q "^Usage: hutch $verb" "$T/out"
done
check "--help" status 0 "$HUTCH" --help

tap_done
