/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Named values: signals, errno names, exit statuses, capabilities (libcap), resource limits. */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "shared/errno-list.h"
#include "hutch/parse.h"
#include "shared/parse-internal.h"

/* Real-time signals are counted from glibc's SIGRTMIN (34), as systemd counts them and as the
 * services it runs understand "SIGRTMIN+N": musl's SIGRTMIN is 35, and hutch may be built
 * with musl. SIGRTMAX is 64 with both. */
#define RTMIN 34
#define RTMAX 64

static const char *const signal_names[] = {
        [SIGHUP] = "HUP",   [SIGINT] = "INT",       [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
        [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",   [SIGFPE] = "FPE",
        [SIGKILL] = "KILL", [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
        [SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",     [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
        [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",     [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
        [SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",     [SIGURG] = "URG",   [SIGXCPU] = "XCPU",
        [SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
        [SIGIO] = "IO",     [SIGPWR] = "PWR",       [SIGSYS] = "SYS",
};

/* Real-time signals by offset from RTMIN, for signal_to_name(). */
static const char *const rt_names[] = {
        "SIGRTMIN+0",  "SIGRTMIN+1",  "SIGRTMIN+2",  "SIGRTMIN+3",  "SIGRTMIN+4",  "SIGRTMIN+5",
        "SIGRTMIN+6",  "SIGRTMIN+7",  "SIGRTMIN+8",  "SIGRTMIN+9",  "SIGRTMIN+10", "SIGRTMIN+11",
        "SIGRTMIN+12", "SIGRTMIN+13", "SIGRTMIN+14", "SIGRTMIN+15", "SIGRTMIN+16", "SIGRTMIN+17",
        "SIGRTMIN+18", "SIGRTMIN+19", "SIGRTMIN+20", "SIGRTMIN+21", "SIGRTMIN+22", "SIGRTMIN+23",
        "SIGRTMIN+24", "SIGRTMIN+25", "SIGRTMIN+26", "SIGRTMIN+27", "SIGRTMIN+28", "SIGRTMIN+29",
        "SIGRTMIN+30", "SIGRTMIN+31", "SIGRTMIN+32",
};

static const char *const signal_full_names[] = {
        [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",       [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
        [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",     [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",     [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
        [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",     [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
        [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",     [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
        [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",     [SIGURG] = "SIGURG",   [SIGXCPU] = "SIGXCPU",
        [SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
        [SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",       [SIGSYS] = "SIGSYS",
};

/* A signed decimal offset "+N"/"-N" after RTMIN/RTMAX. */
static int parse_rt_offset(const char *p, char sign, int *ret) {
        uint64_t v;
        if (*p != sign)
                return -EINVAL;
        p++;
        int n = parse_digits(&p, &v);
        if (n <= 0 || *p)
                return -EINVAL;
        if (v > (uint64_t) (RTMAX - RTMIN))
                return -ERANGE;
        *ret = (int) v;
        return 0;
}

int parse_signal(const char *s, int *ret, parse_why_t why) {
        char q[64];
        const char *p;
        uint64_t v;
        int off, r;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected a signal");
        /* systemd's signal_from_string() reads numbers and RTMIN+N offsets with safe_atoi() */
        r = refuse_systemd_radix(s, s, why);
        if (r < 0)
                return r;
        p = s;
        r = parse_digits(&p, &v);
        if (r != 0) {
                if (r < 0 || *p || v < 1 || v >= (uint64_t) NSIG)
                        return parse_fail(why, r < 0 || !*p ? -ERANGE : -EINVAL,
                                          "'%s' is not a signal number (1..%d)",
                                          why_quote(q, sizeof q, s, 30), NSIG - 1);
                *ret = (int) v;
                return 0;
        }

        /* systemd's signal_from_string(): case-sensitive, "SIG" optional */
        p = strncmp(s, "SIG", 3) == 0 ? s + 3 : s;
        for (size_t i = 1; i < ELEMENTSOF(signal_names); i++)
                if (signal_names[i] && streq(p, signal_names[i])) {
                        *ret = (int) i;
                        return 0;
                }
        if (strncmp(p, "RTMIN", 5) == 0) {
                if (!p[5]) {
                        *ret = RTMIN;
                        return 0;
                }
                if (p[5] == '+' && (r = refuse_systemd_radix(s, p + 6, why)) < 0)
                        return r;
                r = parse_rt_offset(p + 5, '+', &off);
                if (r < 0)
                        return parse_fail(why, r, "'%s': expected RTMIN+N with N in 0..%d",
                                          why_quote(q, sizeof q, s, 30), RTMAX - RTMIN);
                *ret = RTMIN + off;
                return 0;
        }
        if (strncmp(p, "RTMAX", 5) == 0) {
                if (!p[5]) {
                        *ret = RTMAX;
                        return 0;
                }
                if (p[5] == '-' && (r = refuse_systemd_radix(s, p + 6, why)) < 0)
                        return r;
                r = parse_rt_offset(p + 5, '-', &off);
                if (r < 0)
                        return parse_fail(why, r, "'%s': expected RTMAX-N with N in 0..%d",
                                          why_quote(q, sizeof q, s, 30), RTMAX - RTMIN);
                *ret = RTMAX - off;
                return 0;
        }
        return parse_fail(why, -EINVAL, "unknown signal '%s'", why_quote(q, sizeof q, s, 30));
}

const char *signal_to_name(int sig) {
        if (sig > 0 && (size_t) sig < ELEMENTSOF(signal_full_names) && signal_full_names[sig])
                return signal_full_names[sig];
        if (sig >= RTMIN && sig <= RTMAX && (size_t) (sig - RTMIN) < ELEMENTSOF(rt_names))
                return rt_names[sig - RTMIN];
        return NULL;
}

/* The exit status names systemd 252's exit_status_from_string() knows, case-sensitive: ISO C,
 * LSB, BSD sysexits.h, and systemd's own codes 200..244 and 255 (a service may exit with one
 * of those itself, and a unit written for systemd may name them). */
static const struct {
        const char *name;
        int status;
} exit_status_names[] = {
        {"SUCCESS", 0},
        {"FAILURE", 1},
        {"INVALIDARGUMENT", 2},
        {"NOTIMPLEMENTED", 3},
        {"NOPERMISSION", 4},
        {"NOTINSTALLED", 5},
        {"NOTCONFIGURED", 6},
        {"NOTRUNNING", 7},
        {"USAGE", 64},
        {"DATAERR", 65},
        {"NOINPUT", 66},
        {"NOUSER", 67},
        {"NOHOST", 68},
        {"UNAVAILABLE", 69},
        {"SOFTWARE", 70},
        {"OSERR", 71},
        {"OSFILE", 72},
        {"CANTCREAT", 73},
        {"IOERR", 74},
        {"TEMPFAIL", 75},
        {"PROTOCOL", 76},
        {"NOPERM", 77},
        {"CONFIG", 78},
        {"CHDIR", 200},
        {"NICE", 201},
        {"FDS", 202},
        {"EXEC", 203},
        {"MEMORY", 204},
        {"LIMITS", 205},
        {"OOM_ADJUST", 206},
        {"SIGNAL_MASK", 207},
        {"STDIN", 208},
        {"STDOUT", 209},
        {"CHROOT", 210},
        {"IOPRIO", 211},
        {"TIMERSLACK", 212},
        {"SECUREBITS", 213},
        {"SETSCHEDULER", 214},
        {"CPUAFFINITY", 215},
        {"GROUP", 216},
        {"USER", 217},
        {"CAPABILITIES", 218},
        {"CGROUP", 219},
        {"SETSID", 220},
        {"CONFIRM", 221},
        {"STDERR", 222},
        /* 223 is unnamed (it was tcpwrap's) */
        {"PAM", 224},
        {"NETWORK", 225},
        {"NAMESPACE", 226},
        {"NO_NEW_PRIVILEGES", 227},
        {"SECCOMP", 228},
        {"SELINUX_CONTEXT", 229},
        {"PERSONALITY", 230},
        {"APPARMOR", 231},
        {"ADDRESS_FAMILIES", 232},
        {"RUNTIME_DIRECTORY", 233},
        /* 234 is unnamed (it was kdbus') */
        {"CHOWN", 235},
        {"SMACK_PROCESS_LABEL", 236},
        {"KEYRING", 237},
        {"STATE_DIRECTORY", 238},
        {"CACHE_DIRECTORY", 239},
        {"LOGS_DIRECTORY", 240},
        {"CONFIGURATION_DIRECTORY", 241},
        {"NUMA_POLICY", 242},
        {"CREDENTIALS", 243},
        {"BPF", 244},
        {"EXCEPTION", 255},
};

int parse_exit_status_word(const char *s, int *ret_status, int *ret_signal, parse_why_t why) {
        char q[64];
        const char *p;
        uint64_t v;
        int r, sig;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected an exit status or signal");
        for (size_t i = 0; i < ELEMENTSOF(exit_status_names); i++)
                if (streq(s, exit_status_names[i].name)) {
                        *ret_status = exit_status_names[i].status;
                        *ret_signal = -1;
                        return 0;
                }
        /* Numbers are exit statuses, never signal numbers (as in systemd, whose safe_atou8()
         * would read "010" as 8) */
        r = refuse_systemd_radix(s, s, why);
        if (r < 0)
                return r;
        p = s;
        r = parse_digits(&p, &v);
        if (r != 0) {
                if (r < 0 || *p || v > 255)
                        return parse_fail(why, r < 0 || !*p ? -ERANGE : -EINVAL,
                                          "'%s' is not an exit status (0..255)",
                                          why_quote(q, sizeof q, s, 30));
                *ret_status = (int) v;
                *ret_signal = -1;
                return 0;
        }
        r = parse_signal(s, &sig, NULL);
        if (r < 0)
                return parse_fail(why, r,
                                  "'%s' is neither an exit status (0..255 or a name) nor a signal name",
                                  why_quote(q, sizeof q, s, 30));
        *ret_status = -1;
        *ret_signal = sig;
        return 0;
}

/* systemd's CAP_LIMIT: the highest capability number a numeric value may name. */
#define CAP_NUMBER_MAX 62

int parse_capability(const char *s, int *ret, parse_why_t why) {
        char q[64];
        const char *p;
        cap_value_t v;
        uint64_t n;
        int r;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected a capability name");
        r = refuse_systemd_radix(s, s, why); /* systemd: safe_atoi() */
        if (r < 0)
                return r;
        p = s;
        r = parse_digits(&p, &n);
        if (r != 0) {
                if (r < 0 || *p || n > CAP_NUMBER_MAX)
                        return parse_fail(why, -EINVAL, "'%s' is not a capability number (0..%d)",
                                          why_quote(q, sizeof q, s, 30), CAP_NUMBER_MAX);
                *ret = (int) n;
                return 0;
        }
        /* systemd requires the "CAP_" prefix and ignores case; libcap's cap_from_name() ignores
         * case too, but also accepts "all" and numbers, so the prefix is checked here. */
        if (strncasecmp(s, "cap_", 4) != 0 || !s[4])
                return parse_fail(why, -EINVAL, "'%s' is not a capability name (expected CAP_...)",
                                  why_quote(q, sizeof q, s, 30));
        for (p = s + 4; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || ascii_isdigit(*p) ||
                      *p == '_'))
                        return parse_fail(why, -EINVAL, "unknown capability '%s'",
                                          why_quote(q, sizeof q, s, 30));
        if (cap_from_name(s, &v) < 0 || v < 0 || v > CAP_NUMBER_MAX)
                return parse_fail(why, -EINVAL, "unknown capability '%s'", why_quote(q, sizeof q, s, 30));
        *ret = (int) v;
        return 0;
}

const char *capability_to_name(int cap, char *buf, size_t l) {
        char *n;
        size_t len;

        if (cap < 0 || l == 0)
                return NULL;
        n = cap_to_name((cap_value_t) cap);
        if (!n)
                return NULL;
        len = strlen(n);
        /* libcap prints unknown capabilities as their number */
        if (strncasecmp(n, "cap_", 4) != 0 || len >= l) {
                cap_free(n);
                return NULL;
        }
        for (size_t i = 0; i <= len; i++)
                buf[i] = (n[i] >= 'a' && n[i] <= 'z') ? (char) (n[i] - 'a' + 'A') : n[i];
        cap_free(n);
        return buf;
}

static const struct {
        const char *key;
        int resource;
} rlimit_keys[] = {
        {"LimitCPU", RLIMIT_CPU},           {"LimitFSIZE", RLIMIT_FSIZE},
        {"LimitDATA", RLIMIT_DATA},         {"LimitSTACK", RLIMIT_STACK},
        {"LimitCORE", RLIMIT_CORE},         {"LimitRSS", RLIMIT_RSS},
        {"LimitNOFILE", RLIMIT_NOFILE},     {"LimitAS", RLIMIT_AS},
        {"LimitNPROC", RLIMIT_NPROC},       {"LimitMEMLOCK", RLIMIT_MEMLOCK},
        {"LimitLOCKS", RLIMIT_LOCKS},       {"LimitSIGPENDING", RLIMIT_SIGPENDING},
        {"LimitMSGQUEUE", RLIMIT_MSGQUEUE}, {"LimitNICE", RLIMIT_NICE},
        {"LimitRTPRIO", RLIMIT_RTPRIO},     {"LimitRTTIME", RLIMIT_RTTIME},
};

int rlimit_from_key(const char *key) {
        for (size_t i = 0; key && i < ELEMENTSOF(rlimit_keys); i++)
                if (streq(key, rlimit_keys[i].key))
                        return rlimit_keys[i].resource;
        return -1;
}

const char *rlimit_to_key(int resource) {
        for (size_t i = 0; i < ELEMENTSOF(rlimit_keys); i++)
                if (rlimit_keys[i].resource == resource)
                        return rlimit_keys[i].key;
        return NULL;
}

/* One side of a limit, per systemd's rlimit_parse_*() for the resource. */
static int parse_rlimit_value(const char *s, int resource, uint64_t *ret, char *why) {
        char q[64];
        uint64_t v;
        usec_t t;
        int r;

        if (resource == RLIMIT_NICE) {
                /* Linux maps RLIMIT_NICE 1..40 to nice levels 19..-20. systemd accepts a raw limit
                 * 0..40, or a nice level written with its sign: "+0".."+19", "-0".."-20". */
                if (s[0] == '+' || s[0] == '-') {
                        const char *p = s + 1;
                        r = refuse_systemd_radix(s, p, why); /* systemd: safe_atou64() */
                        if (r < 0)
                                return r;
                        int n = parse_digits(&p, &v);
                        if (n <= 0 || *p)
                                return parse_fail(why, -EINVAL, "'%s' is not a nice level",
                                                  why_quote(q, sizeof q, s, 30));
                        if (s[0] == '+' ? v > 19 : v > 20)
                                return parse_fail(why, -ERANGE, "nice level '%s' is out of range -20..19",
                                                  why_quote(q, sizeof q, s, 30));
                        *ret = s[0] == '+' ? 20 - v : 20 + v;
                        return 0;
                }
                return parse_uint64_range(s, 0, 40, ret, why);
        }
        if (streq(s, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        switch (resource) {
        case RLIMIT_AS:
        case RLIMIT_CORE:
        case RLIMIT_DATA:
        case RLIMIT_FSIZE:
        case RLIMIT_MEMLOCK:
        case RLIMIT_MSGQUEUE:
        case RLIMIT_RSS:
        case RLIMIT_STACK:
                r = parse_size(s, false, 0, &v, why);
                break;
        case RLIMIT_CPU:
        case RLIMIT_RTTIME:
                /* RLIMIT_CPU counts seconds (rounded up), RLIMIT_RTTIME microseconds (a bare number
                 * too); a time span of " infinity " is infinity as well. */
                r = parse_timespan(s, resource == RLIMIT_CPU ? USEC_PER_SEC : 1, &t, why);
                if (r < 0)
                        return r;
                if (t == USEC_INFINITY) {
                        *ret = RLIM_INFINITY;
                        return 0;
                }
                v = resource == RLIMIT_CPU ? t / USEC_PER_SEC + (t % USEC_PER_SEC > 0) : t;
                break;
        default:
                r = parse_uint64_range(s, 0, UINT64_MAX, &v, why);
                break;
        }
        if (r < 0)
                return r;
        if (v >= (uint64_t) RLIM_INFINITY)
                return parse_fail(why, -ERANGE, "'%s' is too large (use 'infinity')",
                                  why_quote(q, sizeof q, s, 30));
        *ret = v;
        return 0;
}

int parse_rlimit(const char *s, int resource, uint64_t *ret_soft, uint64_t *ret_hard, parse_why_t why) {
        char q[64];
        uint64_t soft, hard;
        const char *colon;
        int r;

        if (!s || !*s)
                return parse_fail(why, -EINVAL, "empty value, expected a limit");
        if (!rlimit_to_key(resource))
                return parse_fail(why, -EINVAL, "unknown resource limit %d", resource);
        colon = strchr(s, ':');
        if (!colon) {
                r = parse_rlimit_value(s, resource, &soft, why);
                if (r < 0)
                        return r;
                hard = soft;
        } else {
                _cleanup_free_ char *a = strndup(s, (size_t) (colon - s));
                if (!a)
                        return parse_fail(why, -ENOMEM, "out of memory");
                if (!*a)
                        return parse_fail(why, -EINVAL, "'%s': expected SOFT:HARD",
                                          why_quote(q, sizeof q, s, 40));
                /* systemd's rlimit_parse() refuses "N:": the empty hard limit is not a value */
                if (!colon[1])
                        return parse_fail(why, -EINVAL, "'%s': the hard limit after ':' is missing",
                                          why_quote(q, sizeof q, s, 40));
                r = parse_rlimit_value(a, resource, &soft, why);
                if (r < 0)
                        return r;
                r = parse_rlimit_value(colon + 1, resource, &hard, why);
                if (r < 0)
                        return r;
                if (soft > hard)
                        return parse_fail(why, -EINVAL, "soft limit is above the hard limit in '%s'",
                                          why_quote(q, sizeof q, s, 40));
        }
        *ret_soft = soft;
        *ret_hard = hard;
        return 0;
}

const char *errno_to_name(int error) {
        if (error < 0)
                error = -error;
        if (error > 0 && (size_t) error < ELEMENTSOF(errno_names))
                return errno_names[error];
        return NULL;
}

/* systemd's errno_from_name() is a gperf table built with --ignore-case: "eperm" is EPERM */
int errno_from_name(const char *s) {
        for (size_t i = 1; i < ELEMENTSOF(errno_names); i++)
                if (errno_names[i] && strcasecmp(errno_names[i], s) == 0)
                        return (int) i;
        return -EINVAL;
}
