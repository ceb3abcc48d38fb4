/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench/stamp FILE: appends "START END\n" to FILE, the instants (CLOCK_MONOTONIC, ns) at which it
 * reached main() and at which it is about to exit, and exits 1, so that a Restart=always unit
 * records when each of its payloads began and ended: the gap from one payload's END to the next
 * one's START is the restart, without the payload's own work. Linked statically (bench/run), so
 * that no dynamic loading of the next payload falls in that gap. */
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
        long long start = now_ns();
        if (argc < 2)
                return 2;
        int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return 2;
        char buf[64];
        /* The end as late as can be: after it, one write and the exit itself. */
        int n = snprintf(buf, sizeof buf, "%lld %lld\n", start, now_ns());
        if (n <= 0 || write(fd, buf, (size_t) n) != n)
                _exit(2);
        _exit(1);
}
