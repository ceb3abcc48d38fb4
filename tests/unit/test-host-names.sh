#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Unit names are global on a machine (hutch's lock in /run/hutch/lock and the hutch-NAME
# cgroup), and meson runs the host tier's scripts in parallel: a name two scripts share makes
# one of them fail with "unit is already running" at random. Every literal name given to
# unit_file must therefore belong to one script only.
. "$(dirname "$0")/tap-lib.sh"
dir=${HOST_TESTS_DIR:?HOST_TESTS_DIR must point at tests/host}

grep -o 'unit_file [A-Za-z0-9@._-]\+' "$dir"/test-*.sh | sed 's/:unit_file / /' | sort -u >"$T/uses"
check "the host tests name their units" test -s "$T/uses"
awk '{print $2}' "$T/uses" | sort | uniq -d >"$T/shared"
while read -r name; do
        check "unit name $name is used by one host test script only ($(awk -v n="$name" '$2 == n { printf "%s ", $1 }' "$T/uses" | sed "s#$dir/##g"))" false
done <"$T/shared"
check "no unit name is shared between host test scripts" test ! -s "$T/shared"
tap_done
