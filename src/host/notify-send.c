/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service manager's side of sd_notify(3), spoken by hutch itself: one datagram to
 * $NOTIFY_SOCKET, and systemd's watchdog settings ($WATCHDOG_USEC, $WATCHDOG_PID). Both are
 * stable interfaces documented in sd_notify(3) and sd_watchdog_enabled(3); doing them here
 * spares every `hutch run` the dynamic loading of libsystemd and its libraries. */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/parse.h"
#include "host-internal.h"

int host_notify_socket_address(const char *s, struct sockaddr_un *ret, socklen_t *ret_len) {
        if (!s || !*s)
                return -EINVAL;

        *ret = (struct sockaddr_un){.sun_family = AF_UNIX};
        size_t l = strlen(s);
        if (s[0] == '/') {
                /* The path with its NUL must fit in sun_path. */
                if (l >= sizeof ret->sun_path)
                        return -ENAMETOOLONG;
                memcpy(ret->sun_path, s, l + 1);
                *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + l + 1);
                return 0;
        }
        if (s[0] == '@') {
                /* Abstract namespace: a leading NUL instead of '@', and the address length ends
                 * with the name (a trailing NUL would be part of the name). An empty name cannot
                 * be bound by anyone. */
                if (l < 2)
                        return -EINVAL;
                if (l > sizeof ret->sun_path)
                        return -ENAMETOOLONG;
                ret->sun_path[0] = 0;
                memcpy(ret->sun_path + 1, s + 1, l - 1);
                *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + l);
                return 0;
        }
        /* "vsock:CID:PORT" (and systemd 256's "vsock-stream:", "vsock-dgram:",
         * "vsock-seqpacket:") is what a VM's service manager gets to notify its host; a
         * service, as hutch is, always gets an AF_UNIX socket. */
        if (strncmp(s, "vsock", STRLEN("vsock")) == 0)
                return -EPROTONOSUPPORT;
        return -EINVAL;
}

int host_sd_notify(const char *state) {
        if (!state)
                return -EINVAL;
        const char *e = getenv("NOTIFY_SOCKET");
        if (!e)
                return 0;

        struct sockaddr_un sa;
        socklen_t sa_len;
        int r = host_notify_socket_address(e, &sa, &sa_len);
        if (r == -EPROTONOSUPPORT)
                return log_debug_errno(r, "NOTIFY_SOCKET=%.60s: vsock addresses are not supported", e);
        if (r < 0)
                return log_debug_errno(r,
                                       "NOTIFY_SOCKET=%.60s: neither an absolute path nor '@' and an "
                                       "abstract socket name of at most 107 bytes: %m",
                                       e);

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_debug_errno(-errno, "cannot create a socket for NOTIFY_SOCKET: %m");
        /* No SCM_CREDENTIALS: the kernel attaches our own pid, uid and gid on its own when the
         * receiver asks for them (SO_PASSCRED), which is what systemd checks. */
        struct iovec iov = {.iov_base = (void *) state, .iov_len = strlen(state)};
        struct msghdr mh = {.msg_name = &sa, .msg_namelen = sa_len, .msg_iov = &iov, .msg_iovlen = 1};
        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
                return log_debug_errno(-errno, "cannot send to NOTIFY_SOCKET=%.60s: %m", e);
        return 1;
}

int host_watchdog_enabled(usec_t *ret) {
        const char *s = getenv("WATCHDOG_USEC");
        if (!s)
                return 0;

        uint64_t u, pid;
        parse_why_t why;
        /* As sd_watchdog_enabled(): 0 and infinity are not an interval; garbage is an error. */
        int r = parse_uint64_range(s, 1, USEC_INFINITY - 1, &u, why);
        if (r < 0)
                return log_debug_errno(r, "WATCHDOG_USEC=%.40s: %s", s, why);

        /* WATCHDOG_PID= names the process the watchdog is meant for: a child that inherited the
         * environment must not ping (or wait for) a watchdog that is not its own. */
        const char *p = getenv("WATCHDOG_PID");
        if (p) {
                r = parse_uint64_range(p, 1, INT32_MAX, &pid, why);
                if (r < 0)
                        return log_debug_errno(r, "WATCHDOG_PID=%.40s: %s", p, why);
                if ((pid_t) pid != getpid())
                        return 0;
        }

        *ret = u;
        return 1;
}
