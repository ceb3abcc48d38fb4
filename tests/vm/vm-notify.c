/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vm-notify: a payload-side notify sender for vm-tier scenarios.
 *     vm-notify [-w SECONDS] ASSIGNMENT...
 * Sends the assignments ("READY=1", "STATUS=...", "MAINPID=1") as one datagram to
 * $NOTIFY_SOCKET, then stays alive SECONDS (default 3) so that the receiver can still check
 * the sender's credentials (a sender that exits at once makes that check racy, as it is with
 * systemd-notify). Exit status: 0 sent, 1 usage or send error. */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
        unsigned wait_s = 3;
        int i = 1;
        if (i + 1 < argc && strcmp(argv[i], "-w") == 0) {
                wait_s = (unsigned) strtoul(argv[i + 1], NULL, 10);
                i += 2;
        }
        if (i >= argc) {
                fprintf(stderr, "usage: vm-notify [-w SECONDS] ASSIGNMENT...\n");
                return 1;
        }
        const char *path = getenv("NOTIFY_SOCKET");
        if (!path || !*path) {
                fprintf(stderr, "vm-notify: NOTIFY_SOCKET is not set\n");
                return 1;
        }

        char msg[4096];
        size_t len = 0;
        for (; i < argc; i++) {
                size_t l = strlen(argv[i]);
                if (len + l + 1 >= sizeof msg) {
                        fprintf(stderr, "vm-notify: message too long\n");
                        return 1;
                }
                memcpy(msg + len, argv[i], l);
                len += l;
                msg[len++] = '\n';
        }

        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t pl = strlen(path);
        if (pl >= sizeof sa.sun_path) {
                fprintf(stderr, "vm-notify: NOTIFY_SOCKET too long\n");
                return 1;
        }
        memcpy(sa.sun_path, path, pl);
        if (sa.sun_path[0] == '@')
                sa.sun_path[0] = '\0'; /* abstract namespace */
        socklen_t salen = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + pl + (path[0] != '@'));

        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                perror("vm-notify: socket");
                return 1;
        }
        if (sendto(fd, msg, len, 0, (struct sockaddr *) &sa, salen) < 0) {
                fprintf(stderr, "vm-notify: sendto %s: %s\n", path, strerror(errno));
                return 1;
        }
        close(fd);
        if (wait_s > 0)
                sleep(wait_s);
        return 0;
}
