/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Specifiers in unit values, the subset DESIGN.md lists, with systemd's meanings:
 *   %n  full unit name with suffix: "web@blue.hutch" (systemd: "web@blue.service")
 *   %N  full unit name without suffix: "web@blue"
 *   %p  prefix, the part before '@': "web"
 *   %i  instance as written ("" for a unit that is not an instance)
 *   %I  instance unescaped ("\xNN" -> byte, '-' -> '/')
 *   %H  host name, %m machine id (/etc/machine-id), %t "/run", %S "/var/lib", %% a '%'
 * Any other letter after '%' is an error rather than left as is: systemd refuses unknown
 * specifiers too, and a silently literal "%j" in a path would be a surprise. */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hutch/macro.h"
#include "hutch/parse.h"
#include "hutch/unit.h"
#include "unit/unit-internal.h"

int unit_name_unescape(const char *s, char **ret) {
        char *r = malloc(strlen(s) + 1), *t = r;
        if (!r)
                return -ENOMEM;
        for (const char *f = s; *f; f++) {
                if (*f == '-')
                        *t++ = '/';
                else if (*f == '\\') {
                        /* systemd's unit_name_unescape() knows \xNN alone and fails on the rest */
                        if (f[1] != 'x' || unhexchar(f[2]) < 0 || unhexchar(f[3]) < 0) {
                                free(r);
                                return -EINVAL;
                        }
                        *t++ = (char) (unhexchar(f[2]) << 4 | unhexchar(f[3]));
                        f += 3;
                } else
                        *t++ = *f;
        }
        *t = 0;
        *ret = r;
        return 0;
}

static int machine_id(char buf[static 33]) {
        _cleanup_close_ int fd = open("/etc/machine-id", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        char b[64];
        ssize_t n = read(fd, b, sizeof b - 1);
        if (n < 0)
                return -errno;
        if (n < 32)
                return -ENOMEDIUM;
        for (int i = 0; i < 32; i++)
                if (!isxdigit((unsigned char) b[i]))
                        return -EBADMSG;
        if (n > 32 && b[32] != '\n')
                return -EBADMSG;
        memcpy(buf, b, 32);
        buf[32] = 0;
        return 0;
}

struct buf {
        char *s;
        size_t n, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n) {
        if (b->n + n + 1 > b->cap) {
                size_t cap = MAX(b->cap * 2, b->n + n + 64);
                char *m = realloc(b->s, cap);
                if (!m)
                        return -ENOMEM;
                b->s = m;
                b->cap = cap;
        }
        memcpy(b->s + b->n, s, n);
        b->n += n;
        b->s[b->n] = 0;
        return 0;
}

int unit_specifiers_expand(const struct unit_specifiers *sp, const char *s, char **ret, parse_why_t why) {
        struct buf b = {};
        int r = buf_put(&b, "", 0);
        if (r < 0)
                return r;

        for (const char *p = s; *p; p++) {
                if (*p != '%') {
                        size_t k = strcspn(p, "%");
                        if ((r = buf_put(&b, p, k)) < 0)
                                goto fail;
                        p += k - 1;
                        continue;
                }
                p++;
                _cleanup_free_ char *owned = NULL;
                const char *v = NULL;
                char tmp[256];
                switch (*p) {
                case '%':
                        v = "%";
                        break;
                case 'n':
                        snprintf(tmp, sizeof tmp, "%s" UNIT_SUFFIX, sp->name);
                        v = tmp;
                        break;
                case 'N':
                        v = sp->name;
                        break;
                case 'p':
                        v = sp->prefix;
                        break;
                case 'i':
                        v = sp->instance;
                        break;
                case 'I':
                        if ((r = unit_name_unescape(sp->instance, &owned)) < 0) {
                                if (why && r == -EINVAL)
                                        snprintf(
                                                why, PARSE_WHY_MAX,
                                                "cannot expand %%I: the instance '%.64s' has a '\\' that is "
                                                "not \\xNN",
                                                sp->instance);
                                goto fail;
                        }
                        v = owned;
                        break;
                case 'H':
                        if (gethostname(tmp, sizeof tmp - 1) < 0) {
                                r = -errno;
                                if (why)
                                        snprintf(why, PARSE_WHY_MAX, "cannot expand %%H: %s", strerror(-r));
                                goto fail;
                        }
                        tmp[sizeof tmp - 1] = 0;
                        v = tmp;
                        break;
                case 'm':
                        if ((r = machine_id(tmp)) < 0) {
                                if (why)
                                        snprintf(why, PARSE_WHY_MAX,
                                                 "cannot expand %%m: /etc/machine-id unreadable or invalid: "
                                                 "%s",
                                                 strerror(-r));
                                r = -EBADMSG;
                                goto fail;
                        }
                        v = tmp;
                        break;
                case 't':
                        v = "/run";
                        break;
                case 'S':
                        v = "/var/lib";
                        break;
                case 0:
                        if (why)
                                snprintf(why, PARSE_WHY_MAX,
                                         "'%%' at the end of the value (write '%%%%' for a '%%')");
                        r = -EBADMSG;
                        goto fail;
                default:
                        if (why)
                                snprintf(why, PARSE_WHY_MAX,
                                         "unknown specifier '%%%c' (known: %%n %%N %%p %%i %%I %%H %%m %%t "
                                         "%%S %%%%)",
                                         isprint((unsigned char) *p) ? *p : '?');
                        r = -EBADMSG;
                        goto fail;
                }
                if ((r = buf_put(&b, v, strlen(v))) < 0)
                        goto fail;
        }
        *ret = b.s;
        return 0;
fail:
        free(b.s);
        return r;
}
