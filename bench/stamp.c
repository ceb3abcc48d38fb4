/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/stamp FILE: appends this instant (CLOCK_MONOTONIC, ns) to FILE and exits 1, so a
 * Restart=always unit records when each of its payloads reached main(). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        if (argc < 2)
                return 2;
        char buf[64];
        int n = snprintf(buf, sizeof buf, "%lld\n", (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec);
        int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, buf, (size_t) n) != n)
                return 2;
        close(fd);
        return 1;
}
