#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's own nginx.service, ported as it is: Type=forking with PIDFile=, ExecStartPre= (nginx
# -t), ExecReload= (nginx -s reload) and ExecStop= (start-stop-daemon --retry QUIT/5), only the
# sandbox added (the master as www-data, as contrib/examples/nginx.hutch). systemctl start,
# reload and stop work as with Debian's unit, and from the host the reload is seen to replace the
# workers.
. "$VM_LIB"

install_unit nginx <<'U'
[Unit]
Description=nginx, Debian's unit under hutch
[Service]
Type=forking
PIDFile=/run/nginx.pid
ExecStartPre=/usr/sbin/nginx -t -q -g 'daemon on; master_process on;'
ExecStart=/usr/sbin/nginx -g 'daemon on; master_process on;'
ExecReload=/usr/sbin/nginx -g 'daemon on; master_process on;' -s reload
ExecStop=-/sbin/start-stop-daemon --quiet --stop --retry QUIT/5 --pidfile /run/nginx.pid
TimeoutStopSec=5
KillMode=mixed
User=www-data
Group=www-data
[Sandbox]
PrivateNetwork=no
ReadWritePaths=/var/log/nginx
TemporaryFileSystem=/var/lib/nginx:mode=0700,uid=33,gid=33,size=256M
TemporaryFileSystem=/run:mode=0755,uid=33,gid=33,size=1M
[Security]
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE
U

workers() {
        local p
        for p in $(cgroup_pids "$(unit_cgroup nginx.service)"); do
                case $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) in "nginx: worker"*) echo "$p" ;; esac
        done | sort | paste -sd' '
}
master() {
        local p
        for p in $(cgroup_pids "$(unit_cgroup nginx.service)"); do
                case $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) in "nginx: master"*) echo "$p" ;; esac
        done
}

check "systemctl start nginx (Type=forking)" systemctl start nginx.service
expect_match "it serves a page" "$(wait_until 20 curl -fs -o /dev/null http://127.0.0.1/ &&
        curl -fsS http://127.0.0.1/)" "Welcome to nginx"
m=$(master)
check "the master (the forked daemon) runs in the service's cgroup" test -n "$m"
[ -n "$m" ] || unit_diag nginx.service
expect_match "... as www-data" "$(sed -n 's/^Uid:\t//p' "/proc/$m/status" 2>&1)" "^33\s"
before=$(workers)
check "workers run ($before)" test -n "$before"
check "systemctl reload nginx (ExecReload=, nginx -s reload in the sandbox)" systemctl reload nginx.service
for i in $(seq 50); do
        after=$(workers)
        [ -n "$after" ] && [ "$after" != "$before" ] && break
        sleep 0.2
done
check "the reload replaced the workers ($before -> $after), the master stayed ($m)" \
        sh -c '[ -n "$1" ] && [ "$1" != "$2" ] && [ "$(cat /proc/'"$m"'/comm 2>/dev/null)" = nginx ]' sh "$after" "$before"
expect_eq "the service is still active" "$(unit_prop nginx.service ActiveState)" active
check "systemctl stop nginx (ExecStop=, start-stop-daemon --stop --retry QUIT/5)" systemctl stop nginx.service
expect_eq "inactive, not failed" "$(unit_prop nginx.service ActiveState) $(unit_prop nginx.service Result)" \
        "inactive success"
[ "$(unit_prop nginx.service Result)" = success ] || unit_diag nginx.service
check "no nginx process is left" test -z "$(pgrep -x nginx)"
done_testing
