/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The syscall wrappers of src/shared/syscall.h that do more than pass arguments through. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/syscall.h"
#include "tap.h"

/* openat2() with RESOLVE_BENEATH through "..", while another process renames files as fast as it
 * can: the kernel refuses such a lookup with EAGAIN whenever a rename raced with it; the wrapper
 * retries, so the callers (every mount target of a sandbox) never see it. */
static void test_openat2_retries_eagain(void) {
        char dir[] = "/tmp/hutch-test-openat2.XXXXXX";
        TAP_CHECK(mkdtemp(dir) != NULL, "openat2: temp dir");
        int dfd = open(dir, O_DIRECTORY | O_CLOEXEC);
        TAP_CHECK(dfd >= 0 && mkdirat(dfd, "sub", 0755) == 0, "openat2: sub dir");
        int f = openat(dfd, "file", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        TAP_CHECK(f >= 0, "openat2: file");
        close(f);
        f = openat(dfd, "a", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        close(f);

        pid_t renamer = fork();
        if (renamer == 0) {
                for (;;) {
                        renameat(dfd, "a", dfd, "b");
                        renameat(dfd, "b", dfd, "a");
                }
        }
        struct open_how how = {.flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_BENEATH};
        unsigned raw_eagain = 0, wrapped_eagain = 0, other = 0;
        for (int i = 0; i < 20000; i++) {
                int fd = (int) syscall(SYS_openat2, dfd, "sub/../file", &how, sizeof how);
                if (fd >= 0)
                        close(fd);
                else if (errno == EAGAIN)
                        raw_eagain++;
                fd = openat2(dfd, "sub/../file", &how, sizeof how);
                if (fd >= 0)
                        close(fd);
                else if (errno == EAGAIN)
                        wrapped_eagain++;
                else
                        other++;
        }
        kill(renamer, SIGKILL);
        waitpid(renamer, NULL, 0);
        TAP_CHECK(wrapped_eagain == 0 && other == 0,
                  "openat2: no EAGAIN through \"..\" while renames race (the raw syscall had %u in 20000)",
                  raw_eagain);
        unlinkat(dfd, "file", 0);
        unlinkat(dfd, "a", 0);
        unlinkat(dfd, "b", 0);
        unlinkat(dfd, "sub", AT_REMOVEDIR);
        close(dfd);
        rmdir(dir);
}

int main(void) {
        test_openat2_retries_eagain();
        return tap_done();
}
