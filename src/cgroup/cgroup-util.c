/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup-util.h"
#include "hutch/cgroup.h"
#include "hutch/procfs.h"

int cg_read_at(int dirfd, const char *file, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        size_t n = 0;
        while (n + 1 < size) {
                ssize_t k = read(fd, buf + n, size - 1 - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                n += (size_t) k;
        }
        buf[n] = 0;
        return (int) n;
}

int cg_write_at(int dirfd, const char *file, const char *value) {
        _cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        size_t l = strlen(value);
        ssize_t k = write(fd, value, l);
        if (k < 0)
                return -errno;
        if ((size_t) k != l)
                return -EIO;
        return 0;
}

int cg_populated_at(int dirfd) {
        char buf[256];
        int r = cg_read_at(dirfd, "cgroup.events", buf, sizeof buf);
        if (r < 0)
                return r;
        const char *p = strstr(buf, "populated ");
        if (!p)
                return -EIO;
        return p[STRLEN("populated ")] == '1';
}

/* One pass: SIGKILL every pid listed in dirfd's cgroup.procs and below. Returns the number
 * of pids signalled, or -errno. */
static int kill_pass(int dirfd, unsigned depth) {
        int n = 0;
        if (depth > 64)
                return 0;
        _cleanup_close_ int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        FILE *f = fdopen(fd, "re");
        if (!f)
                return -errno;
        fd = -EBADF;
        long pid;
        while (fscanf(f, "%ld", &pid) == 1)
                if (pid > 0 && kill((pid_t) pid, SIGKILL) == 0)
                        n++;
        fclose(f);

        int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                _cleanup_close_ int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0)
                        continue;
                int k = kill_pass(sub, depth + 1);
                if (k > 0)
                        n += k;
        }
        closedir(d);
        return n;
}

int cg_kill_recursive(int dirfd) {
        /* A fork between our read of cgroup.procs and the kill adds a new pid: go again until the
         * subtree is empty. Bounded, so a pathological fork bomb cannot keep us here forever
         * (TasksMax= is what bounds that). */
        for (unsigned i = 0; i < 1000; i++) {
                int r = kill_pass(dirfd, 0);
                if (r < 0)
                        return r;
                int p = cg_populated_at(dirfd);
                if (p <= 0)
                        return p;
                if (r == 0) {
                        /* Only exiting processes left: let them go. */
                        struct timespec ts = {0, 1000000};
                        nanosleep(&ts, NULL);
                }
        }
        return -EBUSY;
}

static usec_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / NSEC_PER_USEC;
}

int cg_wait_empty_at(int dirfd, usec_t timeout) {
        int r = cg_populated_at(dirfd);
        if (r <= 0)
                return r;

        /* cgroup.events is modified (inotify IN_MODIFY) when "populated" changes. */
        _cleanup_close_ int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (ifd < 0)
                return -errno;
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d/cgroup.events", dirfd);
        if (inotify_add_watch(ifd, path, IN_MODIFY) < 0)
                return -errno;

        usec_t end = timeout == USEC_INFINITY ? USEC_INFINITY : now_usec() + timeout;
        for (;;) {
                r = cg_populated_at(dirfd);
                if (r <= 0)
                        return r;
                usec_t n = now_usec();
                if (end != USEC_INFINITY && n >= end)
                        return -ETIMEDOUT;
                int ms = end == USEC_INFINITY ? 1000 : (int) MIN((end - n + 999) / 1000, (usec_t) 1000);
                struct pollfd pfd = {.fd = ifd, .events = POLLIN};
                if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
                        return -errno;
                char buf[4096];
                while (read(ifd, buf, sizeof buf) > 0)
                        ;
        }
}

int cgroup_find_self(char **ret) {
        char *path = NULL;
        int r = proc_cgroup2_path(0, &path);
        if (r == -ENODATA)
                return -ENOENT;
        if (r < 0)
                return r;
        if (path[0] != '/') {
                free(path);
                return -EIO;
        }
        *ret = path;
        return 0;
}
