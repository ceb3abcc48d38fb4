#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# IPAddressAllow= and IPAddressDeny=, proven from inside the sandbox: what the payload's sockets
# can send to and receive from is what the lists allow, in the sandbox's own network namespace
# (its loopback: every 127.0.0.0/8 address and ::1) and on the host's (PrivateNetwork=no).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sandbox-lib.sh"
require_root
if [ ! -x /usr/bin/python3 ]; then
        skip "no /usr/bin/python3 for the probe"
        done_testing
        exit
fi

# send ADDR: one UDP datagram to ADDR (ok, or the errno's name). recv: a socket on 127.0.0.2
# gets one datagram from 127.0.0.2 and one from 127.0.0.7, and says which arrived. tcp ADDR: a
# connection from ADDR to a listener on ADDR, for one second.
cat >"$T/ip.py" <<'EOF'
import errno, socket, sys

def fam(a):
    return socket.AF_INET6 if ":" in a else socket.AF_INET

def err(e):
    return "timeout" if isinstance(e, socket.timeout) else errno.errorcode.get(e.errno, str(e.errno))

args = sys.argv[1:]
while args:
    verb, args = args[0], args[1:]
    if verb == "send":
        a, args = args[0], args[1:]
        s = socket.socket(fam(a), socket.SOCK_DGRAM)
        try:
            s.sendto(b"x", (a, 9))
            r = "ok"
        except OSError as e:
            r = err(e)
        print("send %s=%s" % (a, r))
    elif verb == "recv":
        r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        r.bind(("127.0.0.2", 0))
        r.settimeout(0.5)
        for src in ("127.0.0.2", "127.0.0.7"):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((src, 0))
            s.sendto(src.encode(), r.getsockname())
        got = []
        try:
            while True:
                got.append(r.recv(64).decode())
        except socket.timeout:
            pass
        print("received=" + " ".join(sorted(got)))
    elif verb == "tcp":
        a, args = args[0], args[1:]
        l = socket.socket(fam(a), socket.SOCK_STREAM)
        l.bind((a, 0))
        l.listen()
        c = socket.socket(fam(a), socket.SOCK_STREAM)
        c.bind((a, 0))  # from ADDR too: the listener's side checks the source
        c.settimeout(1)
        try:
            c.connect(l.getsockname()[:2])
            r = "ok"
        except OSError as e:
            r = err(e)
        print("tcp %s=%s" % (a, r))
print("done=1")
EOF

# run_ip NAME ARGS...: the probe with ARGS under a unit whose further lines come from stdin.
run_ip() {
        local name=$1
        shift
        {
                echo "[Sandbox]"
                echo "BindReadOnlyPaths=$T/ip.py:/run/ip.py"
                echo "[Service]"
                echo "ExecStart=/usr/bin/python3 /run/ip.py $*"
                cat
        } >"$T/units/$name.hutch"
        sb_run "$name"
        expect_eq "$name: runs" "$RC" 0
        [ "$RC" = 0 ] || echo "# $ERR"
}
sent() { get "send $1"; }

# --- control: without the keys everything passes (the probe can tell a refusal) ------------
run_ip ip-none send 127.0.0.3 send ::1 recv tcp 127.0.0.3 </dev/null
expect_eq "no filter: send to 127.0.0.3" "$(sent 127.0.0.3)" ok
expect_eq "no filter: send to ::1" "$(sent ::1)" ok
expect_eq "no filter: both datagrams arrive" "$(get received)" "127.0.0.2 127.0.0.7"
expect_eq "no filter: TCP connects" "$(get 'tcp 127.0.0.3')" ok

# --- an allow list over IPAddressDeny=any ------------------------------------------------
run_ip ip-allow send 127.0.0.2 send 127.0.0.3 send ::1 send ::ffff:127.0.0.2 send ::ffff:127.0.0.3 recv \
        tcp 127.0.0.2 tcp 127.0.0.3 <<'EOF'
[Resources]
IPAddressDeny=any
IPAddressAllow=127.0.0.2
EOF
expect_eq "deny any, allow 127.0.0.2: send to it" "$(sent 127.0.0.2)" ok
expect_eq "deny any, allow 127.0.0.2: send to 127.0.0.3 refused" "$(sent 127.0.0.3)" EPERM
expect_eq "deny any, allow 127.0.0.2: send to ::1 refused" "$(sent ::1)" EPERM
expect_eq "deny any, allow 127.0.0.2: only what comes from it is received" "$(get received)" "127.0.0.2"
expect_eq "deny any, allow 127.0.0.2: an IPv6 socket sends to ::ffff:127.0.0.2 (IPv4 on the wire)" \
        "$(sent ::ffff:127.0.0.2)" ok
expect_eq "deny any, allow 127.0.0.2: an IPv6 socket to ::ffff:127.0.0.3 refused" "$(sent ::ffff:127.0.0.3)" EPERM
expect_eq "deny any, allow 127.0.0.2: TCP to it connects" "$(get 'tcp 127.0.0.2')" ok
expect_eq "deny any, allow 127.0.0.2: TCP to 127.0.0.3 never connects" "$(get 'tcp 127.0.0.3')" timeout

# --- prefixes: the allow list wins inside the deny list; outside both, a packet passes -----
run_ip ip-prefix send 127.0.0.200 send 127.0.0.100 send 127.0.1.1 send ::1 <<'EOF'
[Resources]
IPAddressDeny=127.0.0.0/24
IPAddressAllow=127.0.0.128/25
EOF
expect_eq "deny 127.0.0.0/24, allow 127.0.0.128/25: .200 passes" "$(sent 127.0.0.200)" ok
expect_eq "deny 127.0.0.0/24, allow 127.0.0.128/25: .100 refused" "$(sent 127.0.0.100)" EPERM
expect_eq "deny 127.0.0.0/24: 127.0.1.1 outside it passes" "$(sent 127.0.1.1)" ok
expect_eq "IPv4 lists only: ::1 passes" "$(sent ::1)" ok

# --- IPv6 prefixes, one word partly compared (::/127 holds ::1, ::2/127 does not) -----------
run_ip ip-v6 send ::1 send 127.0.0.1 <<'EOF'
[Resources]
IPAddressDeny=::/127
EOF
expect_eq "deny ::/127: ::1 refused" "$(sent ::1)" EPERM
expect_eq "IPv6 lists only: 127.0.0.1 passes" "$(sent 127.0.0.1)" ok
run_ip ip-v6-other send ::1 <<'EOF'
[Resources]
IPAddressDeny=::2/127 8000::/1
EOF
expect_eq "deny ::2/127 and 8000::/1: ::1 passes" "$(sent ::1)" ok
run_ip ip-v6-allow send ::1 send 127.0.0.1 <<'EOF'
[Resources]
IPAddressDeny=any
IPAddressAllow=::1
EOF
expect_eq "deny any, allow ::1: ::1 passes" "$(sent ::1)" ok
expect_eq "deny any, allow ::1: 127.0.0.1 refused" "$(sent 127.0.0.1)" EPERM

# --- the names: localhost is 127.0.0.0/8 and ::1 --------------------------------------------
run_ip ip-localhost send 127.9.9.9 send ::1 <<'EOF'
[Resources]
IPAddressDeny=localhost
EOF
expect_eq "deny localhost: 127.9.9.9 refused" "$(sent 127.9.9.9)" EPERM
expect_eq "deny localhost: ::1 refused" "$(sent ::1)" EPERM

# --- an empty value resets the list -----------------------------------------------------------
run_ip ip-reset send 127.0.0.3 <<'EOF'
[Resources]
IPAddressDeny=any
IPAddressDeny=
EOF
expect_eq "IPAddressDeny= reset: 127.0.0.3 passes" "$(sent 127.0.0.3)" ok

# --- on the host's network (PrivateNetwork=no, systemd's usual case) ---------------------------
run_ip ip-hostnet send 127.0.0.1 send 127.0.0.2 <<'EOF'
[Sandbox]
PrivateNetwork=no
[Resources]
IPAddressDeny=127.0.0.1
EOF
expect_eq "host network, deny 127.0.0.1: refused" "$(sent 127.0.0.1)" EPERM
expect_eq "host network, deny 127.0.0.1: 127.0.0.2 passes" "$(sent 127.0.0.2)" ok

# --- a restart in a payload/ made anew (after cgroup.kill) keeps the filter -----------------
if command -v systemd-notify >/dev/null; then
        renewal_unit ip-renew '/usr/bin/python3 /run/ip.py send 127.0.0.3 >>/run/out/runs' <<EOF
[Sandbox]
BindReadOnlyPaths=$T/ip.py:/run/ip.py
[Resources]
IPAddressDeny=127.0.0.3
EOF
        sb_run ip-renew
        expect_match "renewed payload/: the first run ended in cgroup.kill" "$ERR" "killing the payload cgroup"
        expect_eq "renewed payload/: both runs were refused" \
                "$(grep '^send' "$T/renew/runs" 2>&1 | tr '\n' ' ')" "send 127.0.0.3=EPERM send 127.0.0.3=EPERM "
else
        skip "no systemd-notify on this host"
fi

# --- bad values: refused when the unit is read, with file:line: key ---------------------------
unit_file ip-bad <<'EOF'
[Service]
ExecStart=/bin/true
[Resources]
IPAddressAllow=10.0.0.0/33
IPAddressDeny=example.com
EOF
out=$($HUTCH verify ip-bad 2>&1)
expect_eq "bad prefixes: verify fails" "$?" 1
expect_match "  a prefix length out of range names line and key" "$out" "ip-bad.hutch:4: IPAddressAllow: '10.0.0.0/33': an IPv4 prefix length"
expect_match "  a host name is not an address" "$out" "ip-bad.hutch:5: IPAddressDeny: 'example.com': not an IPv4 or IPv6 address"

done_testing
