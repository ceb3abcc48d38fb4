/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* proc_title_set(): what another process reads in /proc/PID/cmdline of ours, here our own, after
 * it overwrote main()'s argv; and argv strings that are not the kernel's contiguous layout are
 * left alone. */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hutch/macro.h"
#include "hutch/procfs.h"
#include "tap.h"

/* /proc/self/cmdline with each NUL but the trailing ones shown as ' '; its length in *len. */
static const char *cmdline(size_t *len) {
        static char buf[8192];
        int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
        ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
        if (fd >= 0)
                close(fd);
        if (n < 0)
                n = 0;
        *len = (size_t) n;
        while (n > 0 && buf[n - 1] == 0)
                n--;
        buf[n] = 0;
        for (ssize_t i = 0; i < n; i++)
                if (buf[i] == 0)
                        buf[i] = ' ';
        return buf;
}

int main(int argc, char **argv) {
        /* Our own argv, with extra words so that it is longer than the title (before any output,
         * which stdio would otherwise print twice). */
        if (argc < 3) {
                char *args[] = {argv[0], (char *) "--some", (char *) "secret-argument", NULL};
                execv("/proc/self/exe", args);
                TAP_CHECK(0, "re-exec with arguments: %m");
                return tap_done();
        }
        /* Strings with a gap between them are not the kernel's layout: nothing is noted, nothing
         * written. */
        char strings[] = "one\0-two";
        char *scattered[] = {strings, strings + 5, NULL};
        proc_title_init(2, scattered);
        proc_title_set("x");
        TAP_CHECK(streq(strings, "one") && streq(strings + 5, "two"),
                  "argv strings not laid out by the kernel stay");

        size_t before, after;
        TAP_CHECK(strstr(cmdline(&before), "secret-argument"), "cmdline shows the arguments first");
        proc_title_init(argc, argv);
        proc_title_set("hutch");
        TAP_STREQ(cmdline(&after), "hutch", "cmdline reads only the title once it is set");
        TAP_CHECK(after == before, "the argument area keeps its size (%zu, was %zu), zero-filled", after,
                  before);

        /* A title longer than the area is cut to fit, with its NUL. */
        char long_title[8192];
        memset(long_title, 'y', sizeof long_title - 1);
        long_title[sizeof long_title - 1] = 0;
        proc_title_set(long_title);
        const char *got = cmdline(&after);
        TAP_CHECK(strlen(got) == before - 1 && strspn(got, "y") == before - 1,
                  "a long title is cut to the area, %zu bytes (%zu)", before - 1, strlen(got));
        return tap_done();
}
