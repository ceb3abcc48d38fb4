#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# StandardInput=, StandardOutput=, StandardError=: what the service reads and where what it writes
# lands, for ExecStart= and the control commands; files are opened on the host (a path the
# sandbox does not see works), created with UMask=, and never through a symlink.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/supervisor-lib.sh"
skip_without_run

# A unit whose files live in $O, which the sandbox does not see (PrivateTmp=yes: its /tmp is
# its own), so every file below was opened by hutch on the host.
private() {
        local name=$1
        shift
        {
                echo "[Service]"
                for l in "$@"; do echo "$l"; done
        } >"$T/units/$name.hutch"
}

# --- append: twice appends; the path is not visible in the sandbox.
private "$SV-app" "ExecStart=/bin/sh -c 'echo out; echo err >&2; test -e $O || echo invisible'" \
        "StandardOutput=append:$O/app.log"
run_unit "$SV-app"
run_unit "$SV-app"
expect_eq "append: both runs, stdout and stderr (StandardError= unset follows StandardOutput=)" \
        "$(paste -sd' ' "$O/app.log")" "out err invisible out err invisible"
expect_eq "append: nothing on hutch's own stdout" "$OUT" ""
expect_eq "append: the file is created 0644 (0666 less UMask=0022), owned by root" \
        "$(stat -c '%a %u' "$O/app.log")" "644 0"

# --- truncate: emptied at each start; file: written from the start, not truncated.
private "$SV-trunc" "ExecStart=/bin/echo X" "StandardOutput=truncate:$O/trunc.log"
printf 'old contents\n' >"$O/trunc.log"
run_unit "$SV-trunc"
expect_eq "truncate: only this run's output" "$(cat "$O/trunc.log")" "X"
private "$SV-file" "ExecStart=/bin/printf X" "StandardOutput=file:$O/file.log"
printf 'abc\n' >"$O/file.log"
run_unit "$SV-file"
expect_eq "file: written from the start, the rest kept (systemd's file:)" "$(cat "$O/file.log")" "Xbc"

# --- StandardError= of its own, journal (hutch's own stderr), null; UMask= for the new file.
private "$SV-err" "ExecStart=/bin/sh -c 'echo out; echo err >&2'" "StandardOutput=null" \
        "StandardError=append:$O/err.log" "UMask=0077"
run_unit "$SV-err"
expect_eq "StandardOutput=null, StandardError=append: only stderr in the file" "$(cat "$O/err.log")" err
expect_eq "StandardError= file created 0600 under UMask=0077" "$(stat -c '%a' "$O/err.log")" 600
private "$SV-jerr" "ExecStart=/bin/sh -c 'echo out; echo err >&2'" "StandardOutput=append:$O/jerr.log" \
        "StandardError=journal"
run_unit "$SV-jerr"
expect_eq "StandardError=journal: stderr stays hutch's own" \
        "$(cat "$O/jerr.log") $(printf '%s\n' "$ERR" | grep -c '^err$')" "out 1"
private "$SV-null" "ExecStart=/bin/sh -c 'echo out; echo err >&2'" "StandardOutput=null"
run_unit "$SV-null"
expect_eq "StandardOutput=null: stdout and (inherit) stderr both gone" \
        "$OUT|$(printf '%s\n' "$ERR" | grep -c '^err$')" "|0"

# --- StandardInput=: unset is hutch's own stdin, null and file: replace it.
private "$SV-in" "ExecStart=/bin/cat"
OUT=$(echo piped | "$HUTCH" run "$SV-in" 2>/dev/null)
expect_eq "StandardInput= unset: hutch's own standard input" "$OUT" piped
private "$SV-innull" "ExecStart=/bin/cat" "StandardInput=null"
OUT=$(echo piped | "$HUTCH" run "$SV-innull" 2>/dev/null)
expect_eq "StandardInput=null: nothing to read" "$OUT" ""
echo from-file >"$O/in.txt"
private "$SV-infile" "ExecStart=/bin/cat" "StandardInput=file:$O/in.txt"
OUT=$(echo piped | "$HUTCH" run "$SV-infile" 2>/dev/null)
expect_eq "StandardInput=file: the file, not hutch's stdin" "$OUT" from-file

# --- The control commands write where the service does.
private "$SV-ctl" "ExecStartPre=/bin/echo pre" "ExecStart=/bin/echo main" "ExecStopPost=/bin/echo stoppost" \
        "StandardOutput=append:$O/ctl.log"
run_unit "$SV-ctl"
expect_eq "ExecStartPre= and ExecStopPost= write to StandardOutput= too" "$(paste -sd' ' "$O/ctl.log")" \
        "pre main stoppost"

# --- Never through a symlink: the file itself, or a directory on the way.
echo secret >"$O/target"
ln -s "$O/target" "$O/link"
private "$SV-link" "ExecStart=/bin/echo written" "StandardOutput=append:$O/link"
run_unit "$SV-link"
expect_eq "a symlinked output file: refused, hutch exits 125" "$RC" 125
expect_match "a symlinked output file: the message names the key and the path" "$ERR" \
        "open $O/link: .*StandardOutput=append: a symlink in the path is refused"
mkdir "$O/realdir"
ln -s "$O/realdir" "$O/dirlink"
private "$SV-dirlink" "ExecStart=/bin/echo written" "StandardOutput=append:$O/dirlink/x.log"
run_unit "$SV-dirlink"
expect_eq "a symlinked directory on the way: refused too, nothing written" \
        "$RC $(cat "$O/target") $(ls "$O/realdir" | wc -l)" "125 secret 0"

# --- What cannot be written to: a directory, a FIFO nobody reads (an error, not a hang).
private "$SV-dir" "ExecStart=/bin/true" "StandardOutput=append:$O/realdir"
run_unit "$SV-dir"
expect_eq "a directory as output: refused (125)" "$RC" 125
mkfifo "$O/fifo"
private "$SV-fifo" "ExecStart=/bin/true" "StandardOutput=append:$O/fifo"
run_unit "$SV-fifo"
expect_match "a FIFO without a reader: refused at once" "$RC $ERR" "^125 .*a FIFO nobody reads"

done_testing
