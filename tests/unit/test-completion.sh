#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# contrib/bash-completion/hutch: what TAB offers on a line, run as bash runs a completion
# function (COMP_LINE, COMP_POINT, the default COMP_WORDBREAKS); compopt is recorded. And that
# its verbs and options are the ones `hutch --help` and `hutch VERB --help` list.
. "$(dirname "$0")/tap-lib.sh"
COMPLETION=${COMPLETION:?COMPLETION must point at contrib/bash-completion/hutch}
# shellcheck source=../../contrib/bash-completion/hutch
. "$COMPLETION"

compopt() { compopts+=" $*"; }

offers() { # LINE: the replies, one per line, sorted, in $T/got; the compopt options in $compopts
        COMP_LINE=$1
        COMP_POINT=${#1}
        COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
        COMPREPLY=()
        compopts=''
        _hutch
        if [ ${#COMPREPLY[@]} -gt 0 ]; then printf '%s\n' "${COMPREPLY[@]}" | sort >"$T/got"; else : >"$T/got"; fi
}

is() { # LINE EXPECTED...: TAB at the end of LINE offers exactly EXPECTED
        local line=$1
        shift
        offers "$line"
        if [ $# -gt 0 ]; then printf '%s\n' "$@" | sort >"$T/want"; else : >"$T/want"; fi
        diff "$T/want" "$T/got" >"$T/diff" && return 0
        echo "# line: '$line'"
        sed 's/^/# /' "$T/diff"
        return 1
}

has() { # LINE WORD...: the replies include each WORD
        offers "$1"
        shift
        local w
        for w in "$@"; do
                grep -qxF -- "$w" "$T/got" || { echo "# '$w' not offered: $(tr '\n' ' ' <"$T/got")"; return 1; }
        done
}

asks() { # LINE OPTION: TAB at the end of LINE has compopt set OPTION
        offers "$1"
        [[ $compopts == *" -o $2"* ]] || { echo "# line '$1': compopt:$compopts"; return 1; }
}

relative() { # DIR LINE EXPECTED...: as `is`, run in DIR
        local dir=$1
        shift
        (cd "$dir" && is "$@")
}

mkdir -p "$T/units/web.hutch.d" "$T/other" "$T/files/sub" "$T/empty"
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/web.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/worker@.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/db@main.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/.hidden.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/units/notes.txt"
: >"$T/units/masked-empty.hutch"
ln -s /dev/null "$T/units/masked-null.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/other/batch.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/other/web.hutch"
printf '[Service]\nExecStart=/bin/true\n' >"$T/files/a.hutch"
: >"$T/files/b.txt"
export HUTCH_UNIT_PATH=$T/units
H=$HUTCH

check "verbs" is "$H " run verify show cat help
check "a verb from its start" is "$H ve" verify
check "global options" is "$H --" --help --version
check "units of \$HUTCH_UNIT_PATH: names, templates with '@', instances; no hidden, masked, non-unit files or drop-in dirs" \
        is "$H run " web worker@ db@main
check "a template name leaves no space after '@'" asks "$H run wor" nospace
check "units from their start" is "$H verify w" web worker@
check "--unit-path on the line wins over \$HUTCH_UNIT_PATH" is "$H run --unit-path $T/other " batch web
check "--unit-path=DIRS too" is "$H show --unit-path=$T/other " batch web
dirs_are() { # PATH EXPECTED...: the directories searched for PATH
        local p=$1
        shift
        [ "$(_hutch_search_dirs "$p" | tr '\n' ' ')" = "$* " ] || { echo "# got: $(_hutch_search_dirs "$p" | tr '\n' ' ')"; return 1; }
}
check "a list ending in ':' is followed by the default directories" \
        dirs_are "$T/other:" "$T/other" /etc/hutch /run/hutch /usr/local/lib/hutch /usr/lib/hutch
check "no --unit-path: \$HUTCH_UNIT_PATH" dirs_are "" "$T/units"
check "an empty \$HUTCH_UNIT_PATH: the defaults" env HUTCH_UNIT_PATH= bash -c ". '$COMPLETION'; [ \"\$(_hutch_search_dirs '' | tr '\n' ' ')\" = '/etc/hutch /run/hutch /usr/local/lib/hutch /usr/lib/hutch ' ]"
check "a trailing ':' on the line works for units" has "$H run --unit-path $T/other: " batch web
check "a list of two: both searched, each name once" is "$H cat --unit-path $T/units:$T/other " batch db@main web worker@
check "verify and cat take many units" is "$H verify web " web worker@ db@main
check "run takes one unit, then --" is "$H run web " --
check "show takes one unit" is "$H show web "
check "after --: files, the payload's arguments" relative "$T/files" "$H run web -- " a.hutch b.txt sub
check "help takes nothing" is "$H help "
check "run's options" is "$H run -" -h --help --unit-path -p --property
check "show's options" is "$H show --" --help --json --unit-path --property
check "verify's options" is "$H verify -" -h --help --unit-path
check "no option after the unit (hutch stops parsing there)" is "$H verify web --"

check "-p: section and key with '=', no space after" is "$H run -p Service.Ty" Service.Type=
check "-p: no space after '='" asks "$H run -p Service.Ty" nospace
check "-p: a section's keys" has "$H run -p Sandbox." Sandbox.PrivateNetwork= Sandbox.RootDirectory= Sandbox.BindPaths=
printf '[Service]\nExecStart=/bin/true\n' >"$T/k.hutch"
# every setting show prints, those not set (comment lines) included
settings=$("$HUTCH" show "$T/k.hutch" | grep -Ec '^([A-Za-z]*=|# [A-Za-z]+= not set)')
offers "$H run -p "
check "-p: as many keys as 'hutch show' prints settings ($settings)" test "$(wc -l <"$T/got")" = "$settings"
check "-p: keys show prints as not set are offered too (Limit*=, CPUWeight=)" \
        has "$H run -p Service.LimitNO" Service.LimitNOFILE=
check "... and a resource key" has "$H run -p Resources.CPUW" Resources.CPUWeight=
check "--property=: the same keys (bash replaces what follows '=')" is "$H show --property=Security.NoNewP" Security.NoNewPrivileges=
check "-p: nothing once the value begins" is "$H run -p Service.Type="
check "--property=: nothing once the value begins" is "$H run --property=Service.Type=ex"
check "-pSECTION.KEY joined" is "$H show -pService.KillSig" -pService.KillSignal=
check "-p joined: nothing once the value begins" is "$H show -pService.KillSignal=SIGT"
check "-p alone is still the option" is "$H run -p" -p

check "--unit-path: directories" is "$H run --unit-path $T/fi" "$T/files"
check "--unit-path: as file names (bash adds '/' to a directory)" asks "$H run --unit-path $T/fi" filenames
check "--unit-path: the entry after the last ':'" is "$H run --unit-path $T/units:$T/oth" "$T/other"
check "--unit-path=: the entry after '='" is "$H run --unit-path=$T/em" "$T/empty"
check "a path: directories and .hutch files" is "$H run $T/files/" "$T/files/a.hutch" "$T/files/sub"
check "a relative path" relative "$T/files" "$H verify ./" ./a.hutch ./sub
check "a relative path without ./ is a unit name, not a file" relative "$T/files" "$H verify a" 

# what the script knows against what hutch says (its lists split into words on purpose)
verbs_of_help=$("$HUTCH" --help | sed -n '/^Verbs:/,/^$/p' | awk '/^  [a-z]/ { print $1 }' | sort | tr '\n' ' ')
# shellcheck disable=SC2086,SC2154
check "the verbs are hutch --help's (and help)" test "$verbs_of_help" = "$(printf '%s\n' $_hutch_verbs | grep -vx help | sort | tr '\n' ' ')"
# shellcheck disable=SC2046
for v in run verify show cat; do
        from_help=$("$HUTCH" "$v" --help | sed -n '/^Options:/,/^$/p' | grep -oE '(^| )--?[a-z][a-z-]*' | tr -d ' ' | sort -u | tr '\n' ' ')
        check "$v's options are those of 'hutch $v --help'" \
                test "$from_help" = "$(printf '%s\n' $(_hutch_verb_options "$v") | sort -u | tr '\n' ' ')"
done

tap_done
