#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Identity, environment, limits, PID 1, exit statuses and user namespaces, seen by the payload.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"

# --- identity from the sandbox's own /etc/passwd and /etc/group ---------------------------
printf 'FROM_FILE=file\nQUOTED="a b"\n# comment\nOVERRIDE=file\n' >"$T/env"
probe ident <<'EOF'
echo "uid=$(id -u)"
echo "gid=$(id -g)"
echo "groups=$(id -G | tr ' ' '\n' | sort -n | tr '\n' ' ')"
echo "umask=$(umask)"
echo "nofile=$(ulimit -n)"
echo "nproc=$(awk '/^Max processes/ { print $3 }' /proc/self/limits)"
echo "pwd=$(pwd)"
echo "home=$HOME"
echo "user=$USER"
echo "logname=$LOGNAME"
echo "shell=$SHELL"
echo "foo=$FOO"
echo "from_file=$FROM_FILE"
echo "quoted=$QUOTED"
echo "override=$OVERRIDE"
grep -E '^(CapEff|CapBnd|NoNewPrivs):' /proc/self/status | tr -d '\t ' | sed 's/:/=/'
echo "env=$(env | cut -d= -f1 | sort | tr '\n' ' ')"
EOF
unit_file sb-ident <<EOF
[Sandbox]
BindReadOnlyPaths=$T/ident.sh:/run/probe.sh
[Service]
User=daemon
SupplementaryGroups=nogroup
UMask=0077
LimitNOFILE=123
LimitNPROC=50
WorkingDirectory=/usr
Environment=FOO=bar OVERRIDE=unit
EnvironmentFile=$T/env
EnvironmentFile=-$T/missing-env
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-ident
expect_eq "User=daemon: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "User=daemon: uid from /etc/passwd" "$(get uid)" 1
expect_eq "User=daemon: primary gid from /etc/passwd" "$(get gid)" 1
expect_eq "SupplementaryGroups=nogroup" "$(get groups)" "1 65534 "
expect_eq "UMask=0077" "$(get umask)" 0077
expect_eq "LimitNOFILE=123" "$(get nofile)" 123
expect_eq "LimitNPROC=50" "$(get nproc)" 50
expect_eq "WorkingDirectory=/usr" "$(get pwd)" /usr
expect_eq "HOME from passwd" "$(get home)" /usr/sbin
expect_eq "USER" "$(get user)" daemon
expect_eq "LOGNAME" "$(get logname)" daemon
expect_eq "SHELL from passwd" "$(get shell)" /usr/sbin/nologin
expect_eq "Environment=" "$(get foo)" bar
expect_eq "EnvironmentFile=" "$(get from_file)" file
expect_eq "EnvironmentFile= quoting" "$(get quoted)" "a b"
expect_eq "EnvironmentFile= overrides Environment=" "$(get override)" file
expect_eq "CapEff zero as User=" "$(get CapEff)" 0000000000000000
expect_eq "CapBnd zero as User=" "$(get CapBnd)" 0000000000000000
expect_eq "NoNewPrivs as User=" "$(get NoNewPrivs)" 1
expect_eq "nothing of hutch's environment leaks" "$(get env)" \
        "FOO FROM_FILE HOME LOGNAME OVERRIDE PATH PWD QUOTED SHELL USER "

# --- PassEnvironment=: hutch's own values of the names, below Environment=; an unset one is left
# out, and nothing else of hutch's environment comes along.
unit_file sb-passenv <<'EOF'
[Service]
PassEnvironment=HUTCH_T_A HUTCH_T_B HUTCH_T_UNSET
Environment=HUTCH_T_B=unit
ExecStart=/bin/sh -c 'echo "a=$$HUTCH_T_A"; echo "b=$$HUTCH_T_B"; echo "vars=$$(env | grep -c ^HUTCH_T_)"'
EOF
RUN="env HUTCH_T_A=from-hutch HUTCH_T_B=from-hutch HUTCH_T_C=other $HUTCH run" sb_run sb-passenv
expect_eq "PassEnvironment=: the value from hutch's environment" "$(get a)" from-hutch
expect_eq "PassEnvironment=: Environment= wins over it" "$(get b)" unit
expect_eq "PassEnvironment=: an unset name is left out, an unnamed one not passed" "$(get vars)" 2

# --- UnsetEnvironment=: names (HOME from User= too) and exact assignments out of the final
# environment; IgnoreSIGPIPE= (systemd's default yes): the payload starts with SIGPIPE ignored.
unit_file sb-unsetenv <<'EOF'
[Service]
User=daemon
Environment=HUTCH_T_A=1 HUTCH_T_B=2 HUTCH_T_C=3
UnsetEnvironment=HUTCH_T_A HUTCH_T_B=9 HUTCH_T_C=3 HOME
ExecStart=/bin/sh -c 'echo "vars=$$(env | grep -E "^(HUTCH_T_|HOME=)" | sort | tr "\n" " ")"; echo "sigign=$$(sed -n "s/^SigIgn:[[:space:]]*//p" /proc/self/status)"'
EOF
sb_run sb-unsetenv
expect_eq "UnsetEnvironment=: names and the exact assignment go, the other value stays" "$(get vars)" "HUTCH_T_B=2 "
expect_eq "IgnoreSIGPIPE= unset: SIGPIPE (bit 13) ignored, as systemd" "$(get sigign)" 0000000000001000
unit_file sb-sigpipe <<'EOF'
[Service]
IgnoreSIGPIPE=no
ExecStart=/bin/sh -c 'echo "sigign=$$(sed -n "s/^SigIgn:[[:space:]]*//p" /proc/self/status)"'
EOF
sb_run sb-sigpipe
expect_eq "IgnoreSIGPIPE=no: no signal ignored" "$(get sigign)" 0000000000000000

# --- ExecStart= variables: systemd's splitting, and the final environment (User=) ------------
unit_file sb-argv-split <<'EOF'
[Service]
Environment='OPTS=--title "hello world"' X=1
ExecStart=/usr/bin/printf [%%s] $OPTS ${X}${X} a$X $1 $X/bar ${A:-x}
EOF
sb_run sb-argv-split
expect_eq "ExecStart= \$OPTS split with the value's quotes, as systemd" "$OUT" \
        '[--title][hello world][11][a$X][${A:-x}]'

unit_file sb-argv-user <<'EOF'
[Service]
User=daemon
ExecStart=/usr/bin/printf [%%s] $HOME ${USER} $LOGNAME $SHELL
EOF
sb_run sb-argv-user
expect_eq "ExecStart= sees HOME, USER, LOGNAME, SHELL of User=" "$OUT" \
        '[/usr/sbin][daemon][daemon][/usr/sbin/nologin]'

unit_file sb-numeric <<EOF
[Service]
User=4242
Group=4343
ExecStart=/bin/sh -c 'echo \$\$(id -u):\$\$(id -g):\$\$(id -G)'
EOF
sb_run sb-numeric
expect_eq "numeric User=/Group= without passwd entries" "$OUT" "4242:4343:4343"

unit_file sb-home <<EOF
[Service]
User=daemon
WorkingDirectory=~
ExecStart=/bin/pwd
EOF
sb_run sb-home
expect_eq "WorkingDirectory=~ is the user's home" "$OUT" /usr/sbin
# Without User= the payload is root, and ~ is /root, as in systemd (which ProtectHome=yes, the
# default, makes unreachable: that start fails, as it does with User=root).
unit_file sb-roothome <<EOF
[Service]
WorkingDirectory=~
ExecStart=/bin/pwd
[Sandbox]
ProtectHome=no
EOF
sb_run sb-roothome
expect_eq "WorkingDirectory=~ without User= is root's home, /root" "$RC:$OUT" "0:/root"

unit_file sb-nowd <<EOF
[Service]
WorkingDirectory=-/hutch-no-such-dir
ExecStart=/bin/pwd
EOF
sb_run sb-nowd
expect_eq "WorkingDirectory=- of a missing directory: runs in /" "$RC:$OUT" "0:/"

# --- ExecStart= variables and arguments ------------------------------------------------
unit_file sb-expand <<EOF
[Service]
Environment="WORDS=one two" ONE=1
ExecStart=/bin/echo \$WORDS x\${ONE}y \$\$literal
EOF
sb_run sb-expand -- extra arg
expect_eq "\$VAR splits, \${VAR} inline, \$\$ is \$, extra args appended" "$OUT" "one two x1y \$literal extra arg"

unit_file sb-pathsearch <<EOF
[Service]
ExecStart=true
EOF
sb_run sb-pathsearch
expect_eq "a bare command is searched in the sandbox's PATH" "$RC" 0

# --- exit statuses -------------------------------------------------------------------
unit_file sb-exit7 <<EOF
[Service]
ExecStart=/bin/sh -c 'exit 7'
EOF
sb_run sb-exit7
expect_eq "exit status passed through" "$RC" 7

unit_file sb-selfkill <<EOF
[Service]
ExecStart=/bin/sh -c 'kill -TERM \$\$\$\$; sleep 5'
EOF
sb_run sb-selfkill
expect_eq "killed by SIGTERM: 128+15" "$RC" 143

# --- PID 1: forwards signals, reaps orphans ------------------------------------------
probe pid1 <<'EOF'
trap 'echo "got_usr1=yes"' USR1
# SIGRTMAX (64) is the supervisor's "settle" to PID 1 (hutch-init takes over): never forwarded.
trap 'echo "got_rtmax=yes"' 64
kill -USR1 1
sleep 0.3
# An orphan that exits: reparented to PID 1, which must reap it.
sh -c 'sleep 0.1 & exit 0'
sleep 0.6
echo "zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | awk '$3 == "Z"' | wc -l)"
echo "pid1_comm=$(cat /proc/1/comm)"
echo "pid1_rss=$(awk '/^VmRSS:/ { print $2 }' /proc/1/status)"
echo "pid1_status=$(grep -E '^(CapEff|NoNewPrivs)' /proc/1/status | tr -d '\t ' | tr '\n' ' ')"
echo "pid1_bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/1/status)"
echo "self_bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)"
if command -v strace >/dev/null; then
        echo "ptrace=$(timeout 3 strace -qq -p 1 -o /dev/null 2>&1 | head -n1)"
else
        echo "ptrace=no strace"
fi
EOF
unit_file sb-pid1 <<EOF
[Sandbox]
BindReadOnlyPaths=$T/pid1.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-pid1
expect_eq "PID 1 forwards a signal to the payload" "$(get got_usr1)" yes
expect_eq "PID 1 reaps orphans" "$(get zombies)" 0
expect_match "PID 1 keeps only CAP_KILL, with no_new_privs" "$(get pid1_status)" \
        'CapEff:0000000000000020 NoNewPrivs:1'
case "$(get ptrace)" in
"no strace") skip "PID 1 cannot be ptraced (no strace on this host)" ;;
*) expect_match "PID 1 cannot be ptraced" "$(get ptrace)" 'not permitted' ;;
esac
expect_eq "PID 1's bounding set is empty" "$(get pid1_bnd)" 0000000000000000
# Once the payload runs, PID 1 is hutch-init (where it is built in): a program of a few pages
# rather than a copy of hutch with the unit, its environment and the setup's heap.
case $(uname -m) in
x86_64 | aarch64)
        expect_eq "PID 1 is hutch-init once the payload runs" "$(get pid1_comm)" hutch-init
        expect_eq "the supervisor's settle signal never reached the payload" "$(get got_rtmax)" ""
        check "PID 1 holds none of hutch's memory (VmRSS $(get pid1_rss) kB)" test "$(get pid1_rss)" -le 64
        ;;
*)
        skip "no hutch-init on $(uname -m)"
        skip "no hutch-init on $(uname -m)"
        skip "no hutch-init on $(uname -m)"
        ;;
esac

# Before hutch-init takes over (the payload's first 50 ms, or for good where it cannot), PID 1 is
# a copy of hutch, and its command line is readable in the sandbox: it must not show hutch's,
# which holds hutch's host path and the -p overrides. Read first thing, while PID 1 is that copy
# (its comm is "hutch"; on a slow host it may be hutch-init already, which proves nothing here).
probe early <<'EOF'
echo "early_comm=$(cat /proc/1/comm)"
echo "early_cmdline=$(tr '\0' ' ' </proc/1/cmdline)"
EOF
unit_file sb-early <<EOF
[Sandbox]
BindReadOnlyPaths=$T/early.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
RUN="$RUN -p Service.Environment=HUTCH_PROBE=cmdline-marker" sb_run sb-early
if [ "$(get early_comm)" = hutch ]; then
        expect_eq "PID 1's command line is 'hutch', not hutch's own" "$(echo $(get early_cmdline))" hutch
else
        skip "PID 1 was $(get early_comm) already when the probe read it"
fi
check "PID 1's command line shows no -p override" eval '! printf "%s" "$OUT" | grep -q cmdline-marker'

# Where the kernel refuses to execute a memfd (vm.memfd_noexec=2, which is per PID namespace),
# PID 1 stays hutch's own copy and does the same job.
if [ -w /proc/sys/vm/memfd_noexec ]; then
        OUT=$(env HUTCH_LEAK_CANARY=leaked timeout 60 unshare --pid --fork --mount-proc sh -c \
                'echo 2 >/proc/sys/vm/memfd_noexec && exec "$@"' sh $RUN sb-pid1 2>"$T/stderr" </dev/null)
        RC=$?
        expect_eq "memfd_noexec=2: the run succeeds" "$RC" 0
        expect_eq "memfd_noexec=2: PID 1 is hutch itself" "$(get pid1_comm)" hutch
        expect_eq "memfd_noexec=2: PID 1 forwards a signal" "$(get got_usr1)" yes
        expect_eq "memfd_noexec=2: PID 1 reaps orphans" "$(get zombies)" 0
        expect_match "memfd_noexec=2: PID 1 keeps only CAP_KILL" "$(get pid1_status)" \
                'CapEff:0000000000000020 NoNewPrivs:1'
else
        for _ in 1 2 3 4 5; do skip "no vm.memfd_noexec on this kernel"; done
fi

# PID 1 forwards the stop signal to a payload that runs as another user: it keeps CAP_KILL
# (across hutch-init's exec, too).
unit_file sb-pid1-user <<EOF
[Service]
User=nobody
ExecStart=/bin/sh -c 'trap "echo got_term=yes; exit 7" TERM; echo ready; while :; do sleep 0.1; done'
EOF
$RUN sb-pid1-user >"$T/pid1-user.out" 2>"$T/pid1-user.err" </dev/null &
hp=$!
for _ in $(seq 100); do grep -q ready "$T/pid1-user.out" && break; sleep 0.1; done
kill -TERM "$hp"
wait "$hp"
RC=$?
expect_eq "User=nobody payload: SIGTERM reached it through PID 1" \
        "$(sed -n 's/^got_term=//p' "$T/pid1-user.out")" yes
expect_eq "User=nobody payload: hutch run exits with its status" "$RC" 7

# PrivateUsers=yes with CAP_SYS_PTRACE kept: root in the sandbox's user namespace still cannot
# ptrace PID 1 (hutch-init's image belongs to host root, which ties its memory to the host's user
# namespace; before the exec PID 1 is a non-dumpable copy of hutch, from the host's).
probe pid1-ptrace <<'EOF'
sleep 0.3
echo "pid1_comm=$(cat /proc/1/comm)"
echo "capeff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)"
if command -v strace >/dev/null; then
        echo "ptrace=$(timeout 3 strace -qq -p 1 -o /dev/null 2>&1 | tail -n1)"
else
        echo "ptrace=no strace"
fi
echo "environ=$(cat /proc/1/environ >/dev/null 2>&1 && echo READABLE)"
EOF
unit_file sb-pid1-ptrace <<EOF
[Sandbox]
BindReadOnlyPaths=$T/pid1-ptrace.sh:/run/probe.sh
PrivateUsers=yes
[Service]
ExecStart=/bin/sh /run/probe.sh
[Security]
CapabilityBoundingSet=CAP_SYS_PTRACE
EOF
sb_run sb-pid1-ptrace
expect_eq "PrivateUsers=yes + CAP_SYS_PTRACE: the payload holds CAP_SYS_PTRACE" "$(get capeff)" 0000000000080000
case "$(get ptrace)" in
"no strace") skip "  it cannot ptrace PID 1 (no strace on this host)" ;;
*) expect_match "  it cannot ptrace PID 1 ($(get pid1_comm))" "$(get ptrace)" 'not permitted' ;;
esac
expect_eq "  nor read PID 1's environment" "$(get environ)" ""

# PID 1 narrows the bounding set to the unit's before the payload starts and drops the rest
# afterwards: the payload keeps what the unit allows, PID 1 nothing.
unit_file sb-pid1-bnd <<EOF
[Sandbox]
BindReadOnlyPaths=$T/pid1.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
[Security]
CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_CHOWN
EOF
sb_run sb-pid1-bnd
expect_eq "CapabilityBoundingSet= kept two: the payload's bounding set" "$(get self_bnd)" 0000000000000401
expect_eq "  PID 1's bounding set is still empty" "$(get pid1_bnd)" 0000000000000000

# Every capability allowed (CapabilityBoundingSet=~): a root payload gets those hutch holds,
# even where the host withholds some from hutch (a capset(2) of the whole set would fail).
probe allcaps <<'EOF'
echo "capeff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)"
EOF
unit_file sb-allcaps <<EOF
[Sandbox]
BindReadOnlyPaths=$T/allcaps.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
[Security]
CapabilityBoundingSet=~
EOF
sb_run sb-allcaps
expect_eq "CapabilityBoundingSet=~: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
expect_eq "  the root payload has what hutch holds" "$(get capeff)" \
        "$(awk '/^CapPrm:/ { print $2 }' /proc/self/status)"

# An ambient capability the host withholds from hutch: the start fails and says which.
prm=$((0x$(awk '/^CapPrm:/ { print $2 }' /proc/self/status)))
withheld=
for c in $(seq 0 "$(cat /proc/sys/kernel/cap_last_cap)"); do
        [ $((prm >> c & 1)) = 0 ] && { withheld=$c; break; }
done
if [ -n "$withheld" ]; then
        unit_file sb-ambient-withheld <<EOF
[Service]
ExecStart=/bin/true
[Security]
CapabilityBoundingSet=$withheld
AmbientCapabilities=$withheld
EOF
        sb_run sb-ambient-withheld
        expect_eq "AmbientCapabilities= of a withheld capability: setup fails" "$RC" 125
        expect_match "  the error names it" "$ERR" "AmbientCapabilities=: capability $withheld is not held by hutch"
else
        skip "AmbientCapabilities= of a withheld capability: this host withholds none from root"
        skip "  the error names it"
fi

# An init as ExecStart= is PID 1 itself.
mkdir -p "$T/initbin"
cp /bin/sh "$T/initbin/init"
unit_file sb-realinit <<EOF
[Sandbox]
BindReadOnlyPaths=$T/initbin/init:/run/init
[Service]
ExecStart=/run/init -c 'echo \$\$\$\$'
EOF
sb_run sb-realinit
expect_eq "ExecStart= named init runs as PID 1 itself" "$OUT" 1

# --- user namespaces -------------------------------------------------------------------
probe userns <<'EOF'
echo "uid=$(id -u)"
echo "map=$(cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')"
echo "gmap=$(cat /proc/self/gid_map | tr -s ' ' | sed 's/^ //')"
echo "capeff=$(grep CapEff /proc/self/status | tr -d '\t ' | cut -d: -f2)"
echo "etc_owner=$(stat -c %U /etc)"
EOF
unit_file sb-userns <<EOF
[Sandbox]
PrivateUsers=yes
BindReadOnlyPaths=$T/userns.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-userns
expect_eq "PrivateUsers=yes: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
map=$(get map)
base=$(echo "$map" | cut -d' ' -f2)
expect_match "PrivateUsers=yes: root mapped to a 65536 range" "$map" '^0 [0-9]+ 65536$'
check "PrivateUsers=yes: the range is unprivileged (base $base >= 0x80000, aligned)" \
        test "$base" -ge 524288 -a $((base % 65536)) -eq 0
expect_eq "PrivateUsers=yes: gid map the same" "$(get gmap)" "$map"
expect_eq "PrivateUsers=yes: host root's files are nobody's" "$(get etc_owner)" nobody
sb_run sb-userns
expect_eq "PrivateUsers=yes: the same range at every start" "$(get map)" "$map"

unit_file sb-identity <<EOF
[Sandbox]
PrivateUsers=identity
BindReadOnlyPaths=$T/userns.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
EOF
sb_run sb-identity
expect_eq "PrivateUsers=identity: 0-65535 1:1" "$(get map)" "0 0 65536"
expect_eq "PrivateUsers=identity: files keep their owners" "$(get etc_owner)" root

# --- CPU affinity: the setup runs pinned to one CPU (spawn.c), the payload and PID 1 get
# hutch's own affinity back. Run hutch on two chosen CPUs (on a machine with fewer, on all). --
ncpu=$(nproc --all)
if [ "$ncpu" -ge 2 ]; then want="0-1"; else want="0"; fi
unit_file sb-affinity <<'EOF'
[Service]
ExecStart=/bin/sh -c 'grep Cpus_allowed_list /proc/self/status; grep Cpus_allowed_list /proc/1/status'
EOF
RUN="taskset -c $want $HUTCH run" sb_run sb-affinity
expect_eq "payload's CPU affinity is hutch's ($want)" "$(printf '%s\n' "$OUT" | sed -n 1p | tr -d '\t ')" \
        "Cpus_allowed_list:$want"
expect_eq "PID 1's CPU affinity is hutch's ($want)" "$(printf '%s\n' "$OUT" | sed -n 2p | tr -d '\t ')" \
        "Cpus_allowed_list:$want"

# --- Nice=, CPUSchedulingPolicy=, IOSchedulingClass=, CPUAffinity=: what the payload runs with,
# read from its own /proc/self (stat: nice is field 19, rt_priority 40, policy 41) and ionice.
probe sched <<'EOF'
set -- $(sed 's/.*) //' /proc/self/stat)
# fields after "(comm) ": state is 3, so field N is ${N-2}
shift 16; echo "nice=$1"
shift 21; echo "rt_priority=$1"
shift 1; echo "policy=$1"
echo "cpus=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)"
echo "ionice=$(ionice -p $$)"
echo "pid1_nice=$(sed 's/.*) //' /proc/1/stat | cut -d' ' -f17)"
EOF
sched_unit() { # NAME LINES...
        local name=$1
        shift
        unit_file "sb-sched-$name" <<EOF
[Sandbox]
BindReadOnlyPaths=$T/sched.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
$(printf '%s\n' "$@")
EOF
        sb_run "sb-sched-$name"
        expect_eq "$name: runs" "$RC" 0
        [ "$RC" = 0 ] || echo "# $ERR"
}
sched_unit unset
expect_eq "unset: nice 0 and SCHED_OTHER, inherited" "$(get nice) $(get policy)" "0 0"
sched_unit batch Nice=-5 CPUSchedulingPolicy=batch IOSchedulingClass=idle CPUAffinity=0
expect_eq "Nice=-5: the payload's nice level" "$(get nice)" -5
expect_eq "Nice=-5: not PID 1's" "$(get pid1_nice)" 0
expect_eq "CPUSchedulingPolicy=batch: SCHED_BATCH (3)" "$(get policy)" 3
expect_eq "IOSchedulingClass=idle" "$(get ionice)" idle
expect_eq "CPUAffinity=0" "$(get cpus)" 0
sched_unit fifo CPUSchedulingPolicy=fifo CPUSchedulingPriority=7 IOSchedulingPriority=2
expect_eq "CPUSchedulingPolicy=fifo: SCHED_FIFO (1), priority 7" "$(get policy) $(get rt_priority)" "1 7"
expect_eq "IOSchedulingPriority=2 alone: best-effort at 2" "$(get ionice)" "best-effort: prio 2"
sched_unit reset CPUSchedulingPolicy=rr CPUSchedulingPriority=3 CPUSchedulingResetOnFork=yes
expect_eq "CPUSchedulingResetOnFork=yes: the payload's child (the probe's sed) is SCHED_OTHER again" \
        "$(get policy)" 0
# CPUs the kernel will not run it on: the setup fails and says which key.
unit_file sb-sched-badcpu <<'EOF'
[Service]
ExecStart=/bin/true
CPUAffinity=4095
EOF
sb_run sb-sched-badcpu
expect_eq "CPUAffinity= of an absent CPU: setup fails" "$RC" 125
expect_match "  and says so" "$ERR" 'set CPU affinity: Invalid argument .CPUAffinity=4095.'

# --- a limit above what the kernel takes is lowered to the highest allowed (systemd's
# setrlimit_closest()): LimitNOFILE=infinity, common in real units, starts with the hard limit.
hard_nofile=$(ulimit -Hn)
unit_file sb-nofile-inf <<EOF
[Service]
ExecStart=/bin/sh -c 'echo "soft=\$\$(ulimit -Sn)"; echo "hard=\$\$(ulimit -Hn)"'
LimitNOFILE=infinity
EOF
sb_run sb-nofile-inf
expect_eq "LimitNOFILE=infinity: runs" "$RC" 0
[ "$RC" = 0 ] || echo "# $ERR"
check "LimitNOFILE=infinity: soft = hard, at least hutch's own hard limit ($hard_nofile)" \
        test "$(get soft)" = "$(get hard)" -a "$(get hard)" -ge "$hard_nofile"

# --- OOMScoreAdjust=: the payload gets the unit's value, or the one hutch was started with; the
# supervisor takes -1000 where it holds CAP_SYS_RESOURCE (this host may not grant it to root).
# hutch runs under a wrapper that raises its own value first (raising needs no privilege).
printf '#!/bin/sh\necho "$1" >/proc/self/oom_score_adj || exit 99\nshift\nexec "$@"\n' >"$T/oomwrap"
chmod +x "$T/oomwrap"
has_sys_resource() { [ $((0x$(sed -n 's/^CapEff:\t//p' /proc/self/status) >> 24 & 1)) = 1 ]; }
probe oom <<'EOF'
echo "self=$(cat /proc/self/oom_score_adj)"
echo "pid1=$(cat /proc/1/oom_score_adj)"
if echo -1000 >/proc/self/oom_score_adj 2>/dev/null; then echo lower=yes; else echo lower=no; fi
EOF
for adj in "" 700; do
        unit_file sb-oom <<EOF
[Sandbox]
BindReadOnlyPaths=$T/oom.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
OOMScoreAdjust=$adj
EOF
        want=${adj:-123}
        RUN="$T/oomwrap 123 $HUTCH run" sb_run sb-oom
        expect_eq "OOMScoreAdjust=$adj: runs" "$RC" 0
        [ "$RC" = 0 ] || echo "# $ERR"
        expect_eq "OOMScoreAdjust=$adj: the payload's oom_score_adj is $want" "$(get self)" "$want"
        expect_eq "OOMScoreAdjust=$adj: hutch's PID 1 has the payload's" "$(get pid1)" "$want"
        if has_sys_resource; then
                expect_eq "OOMScoreAdjust=$adj: the payload cannot lower its own below it" "$(get lower)" no
        else
                skip "OOMScoreAdjust=$adj: the payload's floor (hutch lacks CAP_SYS_RESOURCE here)"
        fi
done

# Lower than hutch's own: only with CAP_SYS_RESOURCE; without, the start fails and says why.
unit_file sb-oom-low <<EOF
[Sandbox]
BindReadOnlyPaths=$T/oom.sh:/run/probe.sh
[Service]
ExecStart=/bin/sh /run/probe.sh
OOMScoreAdjust=-500
EOF
RUN="$T/oomwrap 123 $HUTCH run" sb_run sb-oom-low
if has_sys_resource; then
        expect_eq "OOMScoreAdjust=-500 below hutch's 123: runs" "$RC" 0
        expect_eq "OOMScoreAdjust=-500: the payload's oom_score_adj" "$(get self)" -500
else
        expect_eq "OOMScoreAdjust=-500 below hutch's 123, no CAP_SYS_RESOURCE: setup fails" "$RC" 125
        expect_match "OOMScoreAdjust=-500: the error names the key and the capability" "$ERR" \
                "set oom_score_adj /proc/self/oom_score_adj: Permission denied .OOMScoreAdjust=-500; lower than hutch.s own needs CAP_SYS_RESOURCE"
fi

# The supervisor's own, read from the host while the payload sleeps.
unit_file sb-oom-sup <<'EOF'
[Service]
ExecStart=/bin/sleep 30
OOMScoreAdjust=300
EOF
"$T/oomwrap" 123 $HUTCH run sb-oom-sup 2>"$T/sup-stderr" &
sup=$!
# (proc files have no size: read them)
started() { [ -n "$(cat "/proc/$sup/task/$sup/children" 2>/dev/null)" ]; }
for _ in $(seq 100); do started && break; sleep 0.1; done
check "OOMScoreAdjust=300: the sandbox runs" started || sed 's/^/# /' "$T/sup-stderr"
if has_sys_resource; then want=-1000; else want=123; fi
expect_eq "the supervisor's own oom_score_adj is $want" "$(cat /proc/$sup/oom_score_adj)" "$want"
kill -TERM "$sup"
wait "$sup"

done_testing
