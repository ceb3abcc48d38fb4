/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Structured journal entries over journald's native protocol (systemd's "Native Journal
 * Protocol" document): one datagram per entry on /run/systemd/journal/socket, or, when the
 * entry does not fit in a datagram, a sealed memfd holding it passed with SCM_RIGHTS.
 *
 * Nothing here logs: the journal log sink of host.c calls into this file, and a message about
 * a failed send would come right back to it. Failures are returned; callers fall back to
 * stderr. */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "hutch/host.h"
#include "host-internal.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* journald ignores longer field names. */
#define JOURNAL_FIELD_NAME_MAX 64

bool host_journal_field_name_is_valid(const char *name, size_t l) {
        if (l == 0 || l > JOURNAL_FIELD_NAME_MAX)
                return false;
        /* A leading underscore marks the fields journald adds itself (_PID=, _UID=, ...): a
         * client may not claim them. */
        if (name[0] == '_' || (name[0] >= '0' && name[0] <= '9'))
                return false;
        for (size_t i = 0; i < l; i++)
                if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9') ||
                      name[i] == '_'))
                        return false;
        return true;
}

/* Size of one "NAME=value" field on the wire, or 0 when it is not a valid field. `*binary` tells
 * which form it takes: "NAME=value\n" as text, or, for a value with a newline in it,
 * "NAME\n", the value's length as a little-endian 64-bit number, the value and "\n". */
static size_t field_wire_size(const struct iovec *f, bool *binary) {
        const char *b = f->iov_base;
        const char *eq = b ? memchr(b, '=', f->iov_len) : NULL;
        if (!eq || !host_journal_field_name_is_valid(b, (size_t) (eq - b)))
                return 0;
        size_t name_len = (size_t) (eq - b), value_len = f->iov_len - name_len - 1;
        *binary = memchr(eq + 1, '\n', value_len) != NULL;
        if (!*binary)
                return f->iov_len + 1;
        return name_len + 1 + sizeof(uint64_t) + value_len + 1;
}

static char *put_field(char *p, const struct iovec *f, bool binary) {
        const char *b = f->iov_base;
        if (!binary) {
                memcpy(p, b, f->iov_len);
                p += f->iov_len;
                *p++ = '\n';
                return p;
        }
        const char *eq = memchr(b, '=', f->iov_len);
        size_t name_len = (size_t) (eq - b), value_len = f->iov_len - name_len - 1;
        memcpy(p, b, name_len);
        p += name_len;
        *p++ = '\n';
        /* The length is little-endian whatever the host's byte order. */
        for (size_t i = 0; i < sizeof(uint64_t); i++)
                *p++ = (char) (((uint64_t) value_len >> (8 * i)) & 0xff);
        memcpy(p, eq + 1, value_len);
        p += value_len;
        *p++ = '\n';
        return p;
}

int host_journal_format(const struct iovec *fields, size_t n, char **ret, size_t *ret_size) {
        if (!fields || n == 0)
                return -EINVAL;

        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                bool binary = false;
                size_t k = field_wire_size(&fields[i], &binary);
                if (k == 0)
                        return -EINVAL;
                if (total > SIZE_MAX - k)
                        return -E2BIG;
                total += k;
        }

        char *buf = malloc(total);
        if (!buf)
                return -ENOMEM;
        char *p = buf;
        for (size_t i = 0; i < n; i++) {
                bool binary = false;
                field_wire_size(&fields[i], &binary);
                p = put_field(p, &fields[i], binary);
        }
        *ret = buf;
        *ret_size = total;
        return 0;
}

/* The entry is too big for one datagram: write it to a memfd, seal it so journald can read it
 * without racing our writes (it refuses unsealed memfds), and pass the fd in a datagram that
 * carries no data. */
static int send_as_memfd(int fd, const struct sockaddr_un *sa, socklen_t sa_len, const char *buf,
                         size_t size) {
        _cleanup_close_ int mfd = memfd_create("hutch-journal-entry", MFD_ALLOW_SEALING | MFD_CLOEXEC);
        if (mfd < 0)
                return -errno;
        for (size_t done = 0; done < size;) {
                ssize_t k = write(mfd, buf + done, size - done);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                done += (size_t) k;
        }
        if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
                return -errno;

        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr mh = {
                .msg_name = (void *) sa,
                .msg_namelen = sa_len,
                .msg_control = &control,
                .msg_controllen = sizeof control,
        };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &mfd, sizeof(int));
        if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
                return -errno;
        return 0;
}

int host_journal_sendv_to(const char *socket_path, const struct iovec *fields, size_t n) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        size_t pl = socket_path ? strlen(socket_path) : 0;
        if (pl == 0 || pl >= sizeof sa.sun_path)
                return -EINVAL;
        memcpy(sa.sun_path, socket_path, pl + 1);
        socklen_t sa_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + pl + 1);

        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r = host_journal_format(fields, n, &buf, &size);
        if (r < 0)
                return r;

        /* A socket per entry rather than one kept open: an open one would be inherited by every
         * fork of hutch (the sandbox's PID 1 among them), and an entry is rare enough. Never
         * waiting for journald: a supervisor stuck in sendmsg() would neither forward signals nor
         * stop the payload, and a generator stuck there holds up PID 1's daemon-reload. When its
         * queue is full the entry fails with -EAGAIN, and the callers write their line to
         * (non-blocking) stderr instead. */
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct iovec iov = {.iov_base = buf, .iov_len = size};
        struct msghdr mh = {.msg_name = &sa, .msg_namelen = sa_len, .msg_iov = &iov, .msg_iovlen = 1};
        if (sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
                r = 0;
        else if (errno == EMSGSIZE || errno == ENOBUFS)
                r = send_as_memfd(fd, &sa, sa_len, buf, size);
        else
                r = -errno;
        /* As sd_journal_sendv(): without journald's socket the entry is dropped silently (callers
         * that must not lose it check for the socket first). */
        if (r == -ENOENT)
                return 0;
        return r;
}

int host_journal_sendv(const struct iovec *fields, size_t n) {
        return host_journal_sendv_to(JOURNAL_SOCKET, fields, n);
}
