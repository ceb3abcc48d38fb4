#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real daemon hardened (issue 6 point 6): Debian's nginx under contrib/examples/nginx.hutch,
# started with systemctl start, serves a page to the host; seen from inside its sandbox the
# root is read-only except the paths it needs, nothing of it runs as root, and its only
# capability is CAP_NET_BIND_SERVICE, which it needs (without it nginx cannot bind port 80).
. "$VM_LIB"

install_unit nginx <"$HUTCH_SRC/contrib/examples/nginx.hutch"
check "hutch verify accepts the example" "$HUTCH" verify /etc/hutch/nginx.hutch
expect_eq "nginx.service is hutch's generated one, not Debian's" \
        "$(unit_prop nginx.service FragmentPath)" /run/systemd/generator/nginx.service

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
        expect_match "the master runs as www-data (uid 33), not root" \
                "$(sed -n 's/^Uid:\t//p' "/proc/$master/status")" "^33\s+33\s+33\s+33$"
        # CAP_NET_BIND_SERVICE is bit 10.
        expect_eq "the master's bounding set is just CAP_NET_BIND_SERVICE" \
                "$(sed -n 's/^CapBnd:\t//p' "/proc/$master/status")" 0000000000000400
        expect_eq "its effective set is the same" \
                "$(sed -n 's/^CapEff:\t//p' "/proc/$master/status")" 0000000000000400
        expect_eq "no_new_privs is set" "$(sed -n 's/^NoNewPrivs:\t//p' "/proc/$master/status")" 1
        expect_eq "a seccomp filter is on" "$(sed -n 's/^Seccomp:\t//p' "/proc/$master/status")" 2
        # Writes from inside the sandbox's mount namespace (as full root: the mounts decide).
        for d in /etc/nginx /usr /var/www /var/log /home /root; do
                check "from inside, $d is read-only" \
                        sh -c "! nsenter -t $master -m touch $d/hutch-probe 2>/dev/null"
        done
        check "from inside, /var/log/nginx is writable" nsenter -t "$master" -m touch /var/log/nginx/hutch-probe
        check "... and it is the host's directory" test -f /var/log/nginx/hutch-probe
        rm -f /var/log/nginx/hutch-probe
        expect_eq "from inside, /var/lib/nginx is a tmpfs" \
                "$(nsenter -t "$master" -m stat -f -c %T /var/lib/nginx)" tmpfs
        expect_eq "... where nginx made its body/ directory, www-data's" \
                "$(nsenter -t "$master" -m stat -c %U /var/lib/nginx/body 2>&1)" www-data
        check "... which the host does not see" test ! -e /var/lib/nginx/body
        check "its /run is private (its pid file is not the host's)" \
                sh -c "nsenter -t $master -m test -f /run/nginx.pid && test ! -f /run/nginx.pid"
fi
for w in "${workers[@]}"; do
        expect_match "worker $w runs as www-data" "$(sed -n 's/^Uid:\t//p' "/proc/$w/status")" "^33\s"
done
check "no process of nginx runs as root" \
        sh -c "! ps -o uid= -p \"\$(pgrep -d, -x nginx)\" | grep -qw 0"

t0=$(date +%s%N)
systemctl stop nginx.service
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "systemctl stop: inactive" "$(unit_prop nginx.service ActiveState)" inactive
[ "$(unit_prop nginx.service ActiveState)" = inactive ] || unit_diag nginx.service
check "... within TimeoutStopSec=10s (${ms} ms)" test "$ms" -lt 10000
check "... no nginx process is left" test -z "$(pgrep -x nginx)"
check "... and port 80 is closed" sh -c '! curl -fs -o /dev/null --max-time 3 http://127.0.0.1/'

# The one capability is needed: without it nginx cannot bind port 80, and says so.
if [ "$served" = 0 ]; then
        mkdir -p /etc/hutch/nginx.hutch.d
        printf '[Security]\nCapabilityBoundingSet=\nAmbientCapabilities=\n[Service]\nRestart=no\n' \
                >/etc/hutch/nginx.hutch.d/50-nocap.conf
        systemctl daemon-reload
        systemctl start nginx.service 2>/dev/null
        sleep 2
        check "without CAP_NET_BIND_SERVICE nginx does not serve" \
                sh -c '! curl -fs -o /dev/null --max-time 3 http://127.0.0.1/'
        expect_match "... because it cannot bind port 80" \
                "$(journalctl -q --no-pager -u nginx.service -o cat -n 30)" \
                'bind\(\) to 0\.0\.0\.0:80 failed \(13: Permission denied\)'
        systemctl stop nginx.service 2>/dev/null
        systemctl reset-failed nginx.service 2>/dev/null
        rm -rf /etc/hutch/nginx.hutch.d
        systemctl daemon-reload
else
        fail "without CAP_NET_BIND_SERVICE nginx does not serve (not tested: it did not serve with it)"
fi
done_testing
