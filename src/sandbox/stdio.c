/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* StandardInput=, StandardOutput=, StandardError=: the fds 0, 1 and 2 of one command, chosen and
 * opened on the host, in the parent, before the sandbox exists (as systemd's manager opens them),
 * so the path need not be visible in the sandbox. Paths are resolved without following a symlink
 * anywhere: a service that owns the directory of its log file (LogsDirectory=) could otherwise
 * swap the file for a link to /etc/shadow, and hutch, as root, would append to that at the next
 * start. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox-internal.h"
#include "shared/syscall.h"

static const char *stream_key(int n) {
        return n == 0 ? "StandardInput=" : n == 1 ? "StandardOutput=" : "StandardError=";
}

static int open_stream(const struct hutch_unit *u, int n, const struct std_stream_setting *s,
                       struct sandbox_error *e) {
        int flags = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
        if (n == 0)
                flags |= O_RDONLY;
        else
                flags |= O_WRONLY | O_CREAT | (s->kind == STD_STREAM_APPEND ? O_APPEND : 0) |
                         (s->kind == STD_STREAM_TRUNCATE ? O_TRUNC : 0);
        struct open_how how = {
                .flags = (uint64_t) flags,
                .mode = n == 0 ? 0 : 0666 & ~u->service.umask,
                .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        char key[64];
        snprintf(key, sizeof key, "%s%s:", stream_key(n), std_stream_to_string(s->kind));
        int fd = openat2(AT_FDCWD, s->path, &how, sizeof how);
        if (fd < 0) {
                int r = errno;
                return sandbox_error_set(e, SANDBOX_STEP_ENVIRONMENT, r, "open", s->path, "%s%s", key,
                                         r == ELOOP ? " a symlink in the path is refused: name the real path"
                                         : r == ENXIO ? " a FIFO nobody reads"
                                                      : "");
        }
        struct stat st;
        int r = 0;
        if (fstat(fd, &st) < 0)
                r = -errno;
        else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode))
                r = -EINVAL;
        /* Opened without blocking (a FIFO without a reader fails instead of hanging the
         * supervisor); the service gets a blocking fd, as systemd gives it. */
        else if (fcntl(fd, F_SETFL, flags & O_APPEND) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                return sandbox_error_set(e, SANDBOX_STEP_ENVIRONMENT, r, "open", s->path, "%s%s", key,
                                         r == -EINVAL ? " not a regular file, a FIFO or a character device"
                                                      : "");
        }
        return fd;
}

int sandbox_stdio_open(const struct hutch_unit *u, const struct sandbox_params *p, struct sandbox_stdio *ret,
                       struct sandbox_params *ret_params, struct sandbox_error *e) {
        const struct std_stream_setting *set[3] = {&u->service.std_input, &u->service.std_output,
                                                   &u->service.std_error};
        const int hutch_fd[3] = {p->stdin_fd, p->stdout_fd, p->stderr_fd};
        *ret = (struct sandbox_stdio){.fd = {-1, -1, -1}, .owned = {-1, -1, -1}};
        for (int n = 0; n < 3; n++) {
                const struct std_stream_setting *s = set[n];
                int fd;
                switch (s->kind) {
                case STD_STREAM_DEFAULT:
                        /* systemd's StandardError=inherit, unless hutch's own fds are kept */
                        fd = n == 2 && set[1]->kind != STD_STREAM_DEFAULT ? ret->fd[1] : hutch_fd[n];
                        break;
                case STD_STREAM_INHERIT:
                        fd = n == 0 ? hutch_fd[0] : ret->fd[n - 1];
                        break;
                case STD_STREAM_JOURNAL:
                        fd = hutch_fd[n];
                        break;
                case STD_STREAM_NULL:
                        fd = -1; /* /dev/null, opened in the sandbox */
                        break;
                default:
                        /* The same file for stdout and stderr, the same way: one open file. */
                        if (n == 2 && set[1]->kind == s->kind && set[1]->path && s->path &&
                            streq(set[1]->path, s->path)) {
                                fd = ret->fd[1];
                                break;
                        }
                        fd = open_stream(u, n, s, e);
                        if (fd < 0) {
                                sandbox_stdio_close(ret);
                                return fd;
                        }
                        ret->owned[n] = fd;
                        break;
                }
                ret->fd[n] = fd;
        }
        *ret_params = *p;
        ret_params->stdin_fd = ret->fd[0];
        ret_params->stdout_fd = ret->fd[1];
        ret_params->stderr_fd = ret->fd[2];
        return 0;
}

void sandbox_stdio_close(struct sandbox_stdio *s) {
        for (int n = 0; n < 3; n++)
                if (s->owned[n] >= 0) {
                        close(s->owned[n]);
                        s->owned[n] = -1;
                }
}
