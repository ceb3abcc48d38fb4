/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Debian's static libcap and libseccomp were compiled against glibc; the musl build links them
 * with src/shared/glibc-compat.c. What they do through that seam is checked here end to end, in
 * both builds (against glibc the same checks run on glibc's own functions): text made by
 * libcap's cap_to_text() and cap_to_name(), a filter printed by libseccomp's
 * seccomp_export_pfc(), and the checked printf functions' own contract: the same output as the
 * unchecked ones, and abort() when the buffer the compiler knew of is too small. */

#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

int __fprintf_chk(FILE *f, int flag, const char *format, ...);
int __sprintf_chk(char *s, int flag, size_t slen, const char *format, ...);
int __snprintf_chk(char *s, size_t maxlen, int flag, size_t slen, const char *format, ...);
int __asprintf_chk(char **ret, int flag, const char *format, ...);

/* Called through these, so that gcc does not check (and refuse) the calls at compile time, as it
 * knows the functions as built-ins. */
static int (*volatile fprintf_chk)(FILE *, int, const char *, ...) = __fprintf_chk;
static int (*volatile sprintf_chk)(char *, int, size_t, const char *, ...) = __sprintf_chk;
static int (*volatile snprintf_chk)(char *, size_t, int, size_t, const char *, ...) = __snprintf_chk;
static int (*volatile asprintf_chk)(char **, int, const char *, ...) = __asprintf_chk;

/* Under AddressSanitizer its interceptors see the overflow first and end the process with their
 * own report and exit status instead of abort(): then "did not return" is what is checked. */
#if defined(__SANITIZE_ADDRESS__)
#define ABORTED(sig) ((sig) != 0)
#else
#define ABORTED(sig) ((sig) == SIGABRT)
#endif

/* Runs f in a child; returns the signal that ended it, -2 when it exited non-zero, 0 when it
 * exited 0. */
static int dies_of(void (*f)(void)) {
        pid_t pid = fork();
        if (pid == 0) {
                /* no core file, and no ASan/UBSan report of the abort */
                f();
                _exit(0);
        }
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid)
                return -1;
        return WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st) != 0 ? -2 : 0;
}

static void sprintf_overflow(void) {
        char buf[4];
        (void) sprintf_chk(buf, 1, sizeof buf, "%s", "four");
}

static void snprintf_lying_size(void) {
        char buf[4];
        (void) snprintf_chk(buf, 8, 1, sizeof buf, "%s", "x");
}

static void test_checked_printf(void) {
        char buf[16];
        TAP_CHECK(sprintf_chk(buf, 1, sizeof buf, "%d-%s", 42, "ab") == 5 && strcmp(buf, "42-ab") == 0,
                  "__sprintf_chk formats as sprintf");
        TAP_CHECK(snprintf_chk(buf, 4, 1, sizeof buf, "%s", "abcdef") == 6 && strcmp(buf, "abc") == 0,
                  "__snprintf_chk truncates as snprintf and returns the full length");
        char *s = NULL;
        TAP_CHECK(asprintf_chk(&s, 1, "%s=%u", "cap", 7u) == 5 && s && strcmp(s, "cap=7") == 0,
                  "__asprintf_chk allocates as asprintf");
        free(s);
        FILE *f = tmpfile();
        TAP_CHECK(f && fprintf_chk(f, 1, "%05d", 12) == 5, "__fprintf_chk writes as fprintf");
        if (f) {
                rewind(f);
                TAP_CHECK(fgets(buf, sizeof buf, f) && strcmp(buf, "00012") == 0, "__fprintf_chk's text");
                fclose(f);
        }
        TAP_CHECK(ABORTED(dies_of(sprintf_overflow)), "__sprintf_chk aborts past the known size");
#if defined(__SANITIZE_ADDRESS__)
        /* ASan's own __snprintf_chk() does not compare the two sizes */
        tap_check(1, __FILE__, __LINE__,
                  "# SKIP __snprintf_chk with a size larger than the buffer (ASan's)");
#else
        TAP_CHECK(dies_of(snprintf_lying_size) == SIGABRT,
                  "__snprintf_chk aborts when told a size larger than the buffer");
#endif
}

static void test_libcap(void) {
        cap_t c = cap_from_text("cap_net_admin,cap_sys_time=ep cap_chown=i");
        TAP_CHECK(c != NULL, "cap_from_text");
        if (!c)
                return;
        char *t = cap_to_text(c, NULL);
        TAP_STREQ(t, "cap_chown=i cap_net_admin,cap_sys_time+ep", "cap_to_text of a set");
        cap_free(t);
        cap_free(c);
        char *n = cap_to_name(CAP_NET_BIND_SERVICE);
        TAP_STREQ(n, "cap_net_bind_service", "cap_to_name(CAP_NET_BIND_SERVICE)");
        cap_free(n);
        n = cap_to_name(63); /* no name: libcap formats the number */
        TAP_STREQ(n, "63", "cap_to_name(63) formats the number");
        cap_free(n);
}

static void test_libseccomp(void) {
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
        TAP_CHECK(ctx != NULL, "seccomp_init");
        if (!ctx)
                return;
        TAP_CHECK(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(1), seccomp_syscall_resolve_name("swapon"), 0) == 0,
                  "seccomp_rule_add(swapon)");
        FILE *f = tmpfile();
        TAP_CHECK(f && seccomp_export_pfc(ctx, fileno(f)) == 0, "seccomp_export_pfc");
        char text[8192] = "";
        if (f) {
                rewind(f);
                size_t n = fread(text, 1, sizeof text - 1, f);
                text[n] = '\0';
                fclose(f);
        }
        TAP_CHECK(strstr(text, "if ($syscall == 167)") && strstr(text, "action ERRNO(1);"),
                  "the exported filter names swapon (167) and its action");
        seccomp_release(ctx);
}

int main(void) {
        test_checked_printf();
        test_libcap();
        test_libseccomp();
        return tap_done();
}
