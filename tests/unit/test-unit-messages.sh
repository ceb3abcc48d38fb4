#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A unit that cannot be loaded at all (missing, masked by a /dev/null link or an empty file)
# gets exactly one error line from `hutch run` and `hutch verify`, naming the unit and the
# search path or the masking file; a unit with one bad line gets one line naming the place and
# what to write instead. Nothing here starts a sandbox: loading fails first.
CHECK_SHOW_STDERR=1
. "$(dirname "$0")/tap-lib.sh"

one_line() { # EXPECTED-STATUS SUBSTRING... -- COMMAND...: exit status, one stderr line holding each substring
        local want=$1
        shift
        local subs=()
        while [ "$1" != "--" ]; do
                subs+=("$1")
                shift
        done
        shift
        "$@" >"$T/out" 2>"$T/err"
        local got=$?
        [ "$got" = "$want" ] || { echo "# exit status $got, expected $want"; return 1; }
        [ "$(wc -l <"$T/err")" = 1 ] || { echo "# expected one line on stderr"; return 1; }
        for s in "${subs[@]}"; do
                grep -qF -- "$s" "$T/err" || { echo "# stderr lacks '$s'"; return 1; }
        done
}

mkdir -p "$T/a" "$T/b"
ln -s /dev/null "$T/a/masked.hutch"
: >"$T/b/empty.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/b/masked.hutch"

check "run of a missing unit: one line with the unit and the search path" \
        one_line 125 "nosuch" "nosuch.hutch" "$T/a:$T/b" -- "$HUTCH" run --unit-path "$T/a:$T/b" nosuch
check "run of a masked unit: one line with the masking file" \
        one_line 125 "masked" "$T/a/masked.hutch" "/dev/null" -- "$HUTCH" run --unit-path "$T/a:$T/b" masked
check "run of an empty unit file: masked, one line" \
        one_line 125 "unit empty is masked" "$T/b/empty.hutch" "empty file" -- \
        "$HUTCH" run --unit-path "$T/a:$T/b" empty
check "verify of a missing unit: one line" \
        one_line 1 "nosuch" "$T/a:$T/b" -- "$HUTCH" verify --unit-path "$T/a:$T/b" nosuch
check "verify of a masked unit: one line" \
        one_line 1 "masked" -- "$HUTCH" verify --unit-path "$T/a:$T/b" masked

printf '[Service]\nExecStart=/bin/true\nMemorymax=1G\n' >"$T/a/case.hutch"
check "a key in the wrong section and case: the key and its section suggested" \
        one_line 1 "$T/a/case.hutch:3: Memorymax:" "did you mean MemoryMax= in [Resources]?" -- \
        "$HUTCH" verify --unit-path "$T/a" case
printf '[Service]\nExecStart=/bin/true\nKillSignal=011\n' >"$T/a/octal.hutch"
check "a leading 0: refused with the decimal to write" \
        one_line 1 "$T/a/octal.hutch:3: KillSignal:" "would be octal to systemd (9); write 11" -- \
        "$HUTCH" verify --unit-path "$T/a" octal
check "... and the value is said once" sh -c '[ "$(grep -o "'"'"'011'"'"'" "$0" | wc -l)" = 1 ]' "$T/err"
printf '[Service]\nExecStart=/bin/true\n[Sandbox]\nPrivateTmp=maybe\n' >"$T/a/bool.hutch"
check "not a boolean: the value once" one_line 1 "$T/a/bool.hutch:4: PrivateTmp: 'maybe' is not a boolean" -- \
        "$HUTCH" verify --unit-path "$T/a" bool
printf '[Service]\nExecStart=/bin/echo a\\.b\n' >"$T/a/esc.hutch"
check "a refused ExecStart=: that one line, no 'missing' after it" \
        one_line 1 "$T/a/esc.hutch:2: ExecStart:" "unknown escape sequence" -- "$HUTCH" verify --unit-path "$T/a" esc
if [ -c /dev/zero ]; then
        check "a character device masks, and is called one (not a link to /dev/null)" \
                one_line 1 "unit zero is masked (/dev/zero is a character device)" -- "$HUTCH" verify /dev/zero
else
        skip "no /dev/zero"
fi
long=$(printf 'a%.0s' $(seq 300))
check "a name too long: says so, without repeating all of it" \
        one_line 1 "is not a valid unit name: it is longer than 255 characters" -- "$HUTCH" verify "$long"
check "... the name cut short" sh -c '[ "$(wc -c <"$0")" -lt 200 ]' "$T/err"
check "a name with a blank: says which characters may be in one" \
        one_line 1 "'we b' is not a valid unit name: only letters, digits" -- "$HUTCH" verify "we b"

tap_done
