# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared helpers for host-tier tests (root, real kernel). Source it:
#     . "$(dirname "$0")/lib.sh"
# Provides: $HUTCH (the binary), $T (a private temp dir removed at exit, with any mounts
# under it), TAP output (ok/fail/skip/done), unit_file NAME <<EOF ... EOF, run_unit NAME.
# Every test leaves nothing behind: the EXIT trap unmounts what is below $T and removes it.
set -u

HUTCH=${HUTCH:?HUTCH must point at the hutch binary}
T=$(mktemp -d /tmp/hutch-test.XXXXXX)
mkdir -p "$T/units"
export HUTCH_UNIT_PATH="$T/units"
_tap_n=0
_tap_failed=0

_cleanup_paths=""
# remove_at_exit PATH...: paths outside $T the test makes (a directory below /var/lib, say),
# removed with everything in them at exit.
remove_at_exit() { _cleanup_paths="$_cleanup_paths $*"; }

_cleanup() {
        for p in $_cleanup_paths; do rm -rf --one-file-system "$p"; done
        # Unmount anything a failed test left under $T (deepest first), then remove it.
        if [ -d "$T" ]; then
                awk -v t="$T" '$5 ~ "^"t { print $5 }' /proc/self/mountinfo | sort -r |
                        while read -r m; do umount -l "$m" 2>/dev/null; done
                rm -rf --one-file-system "$T"
        fi
}
trap _cleanup EXIT

ok() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - # SKIP $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# expect_eq DESCRIPTION GOT EXPECTED
expect_eq() {
        if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; echo "#   got '$2', expected '$3'"; fi
}
# expect_match DESCRIPTION GOT REGEX
expect_match() {
        if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else fail "$1"; echo "#   got '$2', wanted /$3/"; fi
}
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" -eq 0 ]; }

# unit_file NAME: writes stdin to $T/units/NAME.hutch
unit_file() { cat >"$T/units/$1.hutch"; }

# run_unit NAME [ARGS...]: runs hutch run, capturing stdout in $OUT, stderr in $ERR, status in $RC.
run_unit() {
        local name=$1; shift
        OUT=$("$HUTCH" run "$name" "$@" 2>"$T/stderr"); RC=$?
        ERR=$(cat "$T/stderr")
}

require_root() {
        if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP needs root"; exit 0; fi
}
