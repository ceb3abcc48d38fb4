#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real daemon hardened (issue 6 point 6): Debian's nginx under contrib/examples/nginx.hutch,
# started with systemctl start, serves a page; from inside its sandbox the root is read-only
# except the paths it needs, and it holds only the capabilities the unit grants; each of
# those capabilities is needed (nginx fails to start without it); it stops cleanly.
. "$VM_LIB"

install_unit nginx <"$HUTCH_SRC/contrib/examples/nginx.hutch"
check "hutch verify accepts the example" "$HUTCH" verify /etc/hutch/nginx.hutch
expect_eq "nginx.service is hutch's generated one, not Debian's" \
        "$(unit_prop nginx.service FragmentPath)" /run/systemd/generator/nginx.service
# A fresh start: nginx creates its temporary-file directories (and chowns them) itself.
rm -rf /var/lib/nginx/body /var/lib/nginx/proxy /var/lib/nginx/fastcgi /var/lib/nginx/uwsgi /var/lib/nginx/scgi

if systemctl start nginx.service; then ok "systemctl start nginx"; else fail "systemctl start nginx"; fi
page=$(wait_until 20 curl -fs -o /dev/null http://127.0.0.1/ && curl -fsS http://127.0.0.1/)
expect_match "a page is fetched from it over the host's network" "$page" "Welcome to nginx"
printf '%s' "$page" | grep -q "Welcome to nginx"
served=$?
[ "$served" = 0 ] || unit_diag nginx.service
check "the request was logged to the host's /var/log/nginx (a writable path)" \
        grep -q '"GET / HTTP/1.1" 200' /var/log/nginx/access.log

cg=$(unit_cgroup nginx.service)
master=
workers=()
for p in $(cgroup_pids "$cg"); do
        [ "$(cat "/proc/$p/comm" 2>/dev/null)" = nginx ] || continue
        case $(tr '\0' ' ' <"/proc/$p/cmdline") in
        "nginx: master"*) master=$p ;;
        "nginx: worker"*) workers+=("$p") ;;
        esac
done
check "the master process runs in the service's cgroup" test -n "$master"
check "worker processes run in the service's cgroup (${#workers[@]})" test "${#workers[@]}" -ge 1
if [ -n "$master" ]; then
        # CAP_CHOWN=0, CAP_SETGID=6, CAP_SETUID=7, CAP_NET_BIND_SERVICE=10
        want=$(printf '%016x' $(((1 << 0) | (1 << 6) | (1 << 7) | (1 << 10))))
        expect_eq "the master's bounding set is exactly the unit's" \
                "$(sed -n 's/^CapBnd:\t//p' "/proc/$master/status")" "$want"
        expect_eq "the master's effective set is the same" \
                "$(sed -n 's/^CapEff:\t//p' "/proc/$master/status")" "$want"
        expect_eq "no_new_privs is set" "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$master/status")" 1
        expect_eq "a seccomp filter is on" "$(sed -n 's/^Seccomp:\t//p' "/proc/$master/status")" 2
        # Writes from inside the sandbox's mount namespace (as full root: the mounts decide).
        check "from inside, /etc is read-only" \
                sh -c "! nsenter -t $master -m touch /etc/nginx/hutch-probe 2>/dev/null"
        check "from inside, /usr is read-only" \
                sh -c "! nsenter -t $master -m touch /usr/hutch-probe 2>/dev/null"
        check "from inside, /var/www is read-only" \
                sh -c "! nsenter -t $master -m touch /var/www/hutch-probe 2>/dev/null"
        check "from inside, /var/log/nginx is writable" nsenter -t "$master" -m touch /var/log/nginx/hutch-probe
        check "... and it is the host's directory" test -f /var/log/nginx/hutch-probe
        rm -f /var/log/nginx/hutch-probe
        check "from inside, /var/lib/nginx is writable" nsenter -t "$master" -m touch /var/lib/nginx/hutch-probe
        rm -f /var/lib/nginx/hutch-probe
        check "its /run is private (its pid file is not on the host)" \
                sh -c "nsenter -t $master -m test -f /run/nginx.pid && test ! -f /run/nginx.pid"
fi
if [ "${#workers[@]}" -ge 1 ]; then
        w=${workers[0]}
        expect_match "workers run as www-data" "$(sed -n 's/^Uid:\t//p' "/proc/$w/status")" "^33\s"
        expect_eq "workers have no effective capabilities" \
                "$(sed -n 's/^CapEff:\t//p' "/proc/$w/status")" 0000000000000000
fi
check "nginx chowned its new temporary-file directories to www-data" \
        test "$(stat -c %U /var/lib/nginx/body 2>/dev/null)" = www-data

t0=$(date +%s%N)
systemctl stop nginx.service
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "systemctl stop: inactive" "$(unit_prop nginx.service ActiveState)" inactive
[ "$(unit_prop nginx.service ActiveState)" = inactive ] || unit_diag nginx.service
check "... within TimeoutStopSec=10s (${ms} ms)" test "$ms" -lt 10000
check "... no nginx process is left" test -z "$(pgrep -x nginx)"
check "... and port 80 is closed" sh -c '! curl -fs -o /dev/null --max-time 3 http://127.0.0.1/'

# Each granted capability is needed: without it, nginx does not serve, and nginx itself names
# the operation the missing capability refused (in its error log, on the host).
mkdir -p /etc/hutch/nginx.hutch.d
for cap in CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_CHOWN; do
        if [ "$served" != 0 ]; then
                fail "without $cap nginx does not serve (not tested: nginx did not serve with every capability)"
                continue
        fi
        case $cap in
        CAP_NET_BIND_SERVICE) why='bind\(\) to 0\.0\.0\.0:80 failed \(13: Permission denied\)' ;;
        CAP_SETUID) why='setuid\(33\) failed \(1: Operation not permitted\)' ;;
        CAP_SETGID) why='setgid\(33\) failed \(1: Operation not permitted\)' ;;
        CAP_CHOWN) why='chown\("/var/lib/nginx/body", 33\) failed \(1: Operation not permitted\)' ;;
        esac
        rest=$(echo CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_CHOWN | tr ' ' '\n' | grep -vx "$cap" | paste -sd' ')
        printf '[Security]\nCapabilityBoundingSet=\nCapabilityBoundingSet=%s\n[Service]\nRestart=no\n' "$rest" \
                >/etc/hutch/nginx.hutch.d/50-drop.conf
        # nginx chowns the directory only when it is not www-data's already.
        [ "$cap" = CAP_CHOWN ] && chown root:root /var/lib/nginx/body
        systemctl daemon-reload
        logsize=$(stat -c %s /var/log/nginx/error.log 2>/dev/null || echo 0)
        systemctl start nginx.service 2>/dev/null
        sleep 2
        if curl -fs -o /dev/null --max-time 3 http://127.0.0.1/; then
                fail "without $cap nginx does not serve"
        else
                ok "without $cap nginx does not serve"
        fi
        expect_match "... and nginx says why" "$(tail -c +"$((logsize + 1))" /var/log/nginx/error.log; \
                journalctl -q --no-pager -u nginx.service -o cat -n 30)" "$why"
        systemctl stop nginx.service 2>/dev/null
        systemctl reset-failed nginx.service 2>/dev/null
done
rm -rf /etc/hutch/nginx.hutch.d
systemctl daemon-reload
done_testing
