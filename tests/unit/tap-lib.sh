# SPDX-License-Identifier: LGPL-2.1-or-later
# TAP helpers for the unit tier's shell tests (sourced): $HUTCH, a temp dir $T removed on exit,
# check NAME COMMAND... for one assertion, skip NAME for one that cannot be made, tap_done at
# the end. Set CHECK_SHOW_STDERR=1 to have
# a failed check print $T/err as "# stderr:" lines.
set -u
HUTCH=${HUTCH:?HUTCH must point at the hutch binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0
CHECK_SHOW_STDERR=${CHECK_SHOW_STDERR:-0}

check() { # NAME COMMAND...: passes when the command succeeds
        local name=$1
        shift
        n=$((n + 1))
        if "$@"; then
                echo "ok $n - $name"
        else
                echo "not ok $n - $name"
                [ "$CHECK_SHOW_STDERR" = 1 ] && sed 's/^/# stderr: /' "$T/err"
                failed=$((failed + 1))
        fi
}

skip() { # NAME: an assertion this machine cannot make
        n=$((n + 1))
        echo "ok $n - # SKIP $1"
}

# tap_done: the plan line; the script's status is 1 when a check failed.
tap_done() {
        echo "1..$n"
        [ "$failed" -eq 0 ]
}
