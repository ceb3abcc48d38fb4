/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Built only with musl. Debian's static libcap.a and libseccomp.a were compiled against glibc
 * with _FORTIFY_SOURCE, so they call glibc's checked printf variants, which musl does not
 * have. These are those functions as the LSB specifies them: check the destination size the
 * compiler passed, abort on overflow, otherwise do what the unchecked function does. Every
 * other symbol those archives use is one musl provides with glibc's ABI (musl keeps
 * __ctype_b_loc, __errno_location, fopen64, fstat64 for that purpose); the link fails if a
 * new one appears (-Wl,--no-undefined). */

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int __fprintf_chk(FILE *f, int flag, const char *format, ...);
int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, ...);
int __asprintf_chk(char **ret, int flag, const char *format, ...);

int __fprintf_chk(FILE *f, int flag, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        int r = vfprintf(f, format, ap);
        va_end(ap);
        return r;
}

/* musl's vsnprintf() fails with EOVERFLOW for a size over INT_MAX, glibc's does not: the callers
 * were built for glibc, and pass (size_t) -1 where the compiler did not know the size. No output
 * can be longer than INT_MAX anyway. */
static size_t clamp_size(size_t n) {
        return n > INT_MAX ? (size_t) INT_MAX : n;
}

int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        int r = vsnprintf(s, clamp_size(slen), format, ap);
        va_end(ap);
        if (r >= 0 && (size_t) r >= slen)
                abort();
        return r;
}

int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, ...) {
        if (maxlen > slen)
                abort();
        va_list ap;
        va_start(ap, format);
        int r = vsnprintf(s, clamp_size(maxlen), format, ap);
        va_end(ap);
        return r;
}

int __asprintf_chk(char **ret, int flag, const char *format, ...) {
        va_list ap;
        va_start(ap, format);
        int r = vasprintf(ret, format, ap);
        va_end(ap);
        return r;
}
