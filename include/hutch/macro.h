/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _warn_unused_result_ __attribute__((warn_unused_result))
/* Not instrumented by AddressSanitizer: for a function that runs first on a stack of its own, where
 * ASan's bookkeeping of the thread's stack does not hold (it would warn on the service's stderr). */
#define _no_asan_ __attribute__((no_sanitize_address))

/* Hands the heap's free pages back to the kernel after a burst of work. glibc keeps them until
 * malloc_trim(); musl's allocator returns them as it frees, and has no malloc_trim(). */
#ifdef __GLIBC__
#include <malloc.h>
static inline void heap_trim(void) {
        (void) malloc_trim(0);
}
#else
static inline void heap_trim(void) {
}
#endif

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define STRLEN(x) (sizeof(x) - 1)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static inline void freep(void *p) {
        free(*(void **) p);
}

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Moves ownership out of a cleanup variable: the variable is left empty. */
#define TAKE_PTR(p)                            \
        ({                                     \
                __typeof__(p) _take_tmp = (p); \
                (p) = NULL;                    \
                _take_tmp;                     \
        })
#define TAKE_FD(fd)                  \
        ({                           \
                int _take_fd = (fd); \
                (fd) = -EBADF;       \
                _take_fd;            \
        })

static inline bool streq_ptr(const char *a, const char *b) {
        if (!a || !b)
                return a == b;
        return __builtin_strcmp(a, b) == 0;
}
#define streq(a, b) (__builtin_strcmp((a), (b)) == 0)

typedef uint64_t usec_t;
#define USEC_INFINITY UINT64_MAX
#define USEC_PER_SEC UINT64_C(1000000)
#define USEC_PER_MSEC UINT64_C(1000)
#define NSEC_PER_USEC UINT64_C(1000)
/* a + b, or USEC_INFINITY where the sum would not fit (or either is infinite already). */
static inline usec_t usec_add(usec_t a, usec_t b) {
        return a > USEC_INFINITY - b ? USEC_INFINITY : a + b;
}

/* Allocation failure is not survivable in a launcher that is about to build a sandbox:
 * callers get -ENOMEM and unwind, never a NULL dereference. */
#define new0(type, n) ((type *) calloc((n), sizeof(type)))
