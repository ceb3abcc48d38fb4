/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User=, Group=, SupplementaryGroups=, Limit*= and the identity part of the environment, in
 * the child after pivot_root. Names are looked up in the sandbox's own /etc/passwd and
 * /etc/group, parsed here: NSS (getpwnam) would consult the host's configuration and load
 * modules from the host. As systemd does, User= also brings the groups /etc/group lists the
 * user in, and sets HOME, USER, LOGNAME and SHELL unless the environment already has them.
 * A numeric User= without a passwd entry runs with gid = uid and only USER/LOGNAME set. */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/strv.h"
#include "sandbox/sandbox-internal.h"

static const char *const rlimit_keys[RLIM_NLIMITS] = {
        [RLIMIT_CPU] = "LimitCPU=",           [RLIMIT_FSIZE] = "LimitFSIZE=",
        [RLIMIT_DATA] = "LimitDATA=",         [RLIMIT_STACK] = "LimitSTACK=",
        [RLIMIT_CORE] = "LimitCORE=",         [RLIMIT_RSS] = "LimitRSS=",
        [RLIMIT_NPROC] = "LimitNPROC=",       [RLIMIT_NOFILE] = "LimitNOFILE=",
        [RLIMIT_MEMLOCK] = "LimitMEMLOCK=",   [RLIMIT_AS] = "LimitAS=",
        [RLIMIT_LOCKS] = "LimitLOCKS=",       [RLIMIT_SIGPENDING] = "LimitSIGPENDING=",
        [RLIMIT_MSGQUEUE] = "LimitMSGQUEUE=", [RLIMIT_NICE] = "LimitNICE=",
        [RLIMIT_RTPRIO] = "LimitRTPRIO=",     [RLIMIT_RTTIME] = "LimitRTTIME=",
};

/* Reads a whole small file; NULL with errno on failure. */
static char *read_small(const char *path) {
        /* O_NONBLOCK and a regular-file check: a layer that ships /etc/passwd as a FIFO or a
         * device must not hang or steer the start. */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return NULL;
        struct stat st;
        int bad = fstat(fd, &st) < 0 ? errno : S_ISREG(st.st_mode) ? 0 : EBADFD;
        if (bad) {
                close(fd);
                errno = bad;
                return NULL;
        }
        size_t size = 0, cap = 4096;
        char *buf = malloc(cap);
        while (buf) {
                if (size + 1 >= cap) {
                        if (cap >= 64u << 20) {
                                free(buf);
                                buf = NULL;
                                errno = EFBIG;
                                break;
                        }
                        char *n = realloc(buf, cap *= 2);
                        if (!n) {
                                free(buf);
                                buf = NULL;
                                break;
                        }
                        buf = n;
                }
                ssize_t r = read(fd, buf + size, cap - size - 1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        free(buf);
                        buf = NULL;
                        break;
                }
                if (r == 0) {
                        buf[size] = 0;
                        break;
                }
                size += (size_t) r;
        }
        int saved = errno;
        close(fd);
        errno = saved;
        return buf;
}

static bool parse_id(const char *s, unsigned *ret) {
        if (!s || !*s)
                return false;
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v >= 0xffffffffUL || s[0] == '-' || s[0] == '+')
                return false;
        *ret = (unsigned) v;
        return true;
}

/* Splits one colon-separated line into at most n fields (in place). Returns the field count. */
static size_t split_fields(char *line, char **f, size_t n) {
        size_t k = 0;
        f[k++] = line;
        for (char *p = line; *p && k < n; p++)
                if (*p == ':') {
                        *p = 0;
                        f[k++] = p + 1;
                }
        return k;
}

/* Finds the line of `db` (passwd: 7 fields, group: 4) whose name or numeric id matches. */
static bool db_find(char *db, size_t nfields, const char *name, bool by_id, unsigned id, char **f) {
        for (char *line = db, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                if (line[0] == '#' || line[0] == '+' || line[0] == '-')
                        continue;
                if (split_fields(line, f, nfields) != nfields)
                        continue;
                unsigned v;
                if (by_id ? (parse_id(f[2], &v) && v == id) : streq(f[0], name))
                        return true;
        }
        return false;
}

static int add_group(struct sandbox_identity *id, gid_t g) {
        for (size_t i = 0; i < id->n_groups; i++)
                if (id->groups[i] == g)
                        return 0;
        gid_t *n = realloc(id->groups, (id->n_groups + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        id->groups = n;
        id->groups[id->n_groups++] = g;
        return 0;
}

/* Resolves a Group=/SupplementaryGroups= value: a name in /etc/group or a number. */
static int resolve_group(const char *group_db, const char *name, gid_t *ret) {
        unsigned v = 0;
        bool numeric = parse_id(name, &v);
        if (group_db) {
                char *copy = strdup(group_db);
                if (!copy)
                        return -ENOMEM;
                char *f[4];
                bool found = db_find(copy, 4, name, numeric, v, f);
                if (found && !numeric && !parse_id(f[2], &v)) {
                        free(copy);
                        return -EBADMSG;
                }
                free(copy);
                if (found) {
                        *ret = v;
                        return 0;
                }
        }
        if (numeric) {
                *ret = v;
                return 0;
        }
        return -ESRCH;
}

int sandbox_resolve_identity(const struct hutch_unit *u, struct sandbox_identity *id,
                             struct sandbox_error *e) {
        const struct unit_section_service *s = &u->service;
        *id = (struct sandbox_identity){.uid = 0, .gid = 0};
        id->set = s->user || s->group || s->supplementary_groups.n > 0;
        if (!id->set)
                return 0;

        char *passwd = s->user ? read_small("/etc/passwd") : NULL;
        if (s->user && !passwd && errno != ENOENT)
                return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno, "read", "/etc/passwd", "User=%s",
                                         s->user);
        char *group = read_small("/etc/group");
        if (!group && errno != ENOENT) {
                free(passwd);
                return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno, "read", "/etc/group", NULL);
        }

        int r = 0;
        if (s->user) {
                unsigned v = 0;
                bool numeric = parse_id(s->user, &v);
                char *f[7];
                if (passwd && db_find(passwd, 7, s->user, numeric, v, f)) {
                        unsigned gid = 0;
                        if (!parse_id(f[2], &v) || !parse_id(f[3], &gid))
                                r = sandbox_error_set(e, SANDBOX_STEP_IDENTITY, EBADMSG, "parse",
                                                      "/etc/passwd", "entry of User=%s", s->user);
                        id->uid = v;
                        id->gid = gid;
                        id->user_name = strdup(f[0]);
                        id->home = strdup(*f[5] ? f[5] : "/");
                        id->shell = strdup(*f[6] ? f[6] : "/bin/sh");
                } else if (numeric) {
                        id->uid = v;
                        id->gid = v;
                        id->user_name = strdup(s->user);
                } else
                        r = sandbox_error_set(e, SANDBOX_STEP_IDENTITY, ESRCH,
                                              "resolve User=", "/etc/passwd", "no user '%s' in the sandbox",
                                              s->user);
        }
        if (r == 0 && s->group) {
                gid_t g;
                int q = resolve_group(group, s->group, &g);
                if (q < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_IDENTITY, q, "resolve Group=", "/etc/group",
                                              "no group '%s' in the sandbox", s->group);
                else
                        id->gid = g;
        }
        STRV_FOREACH (g, s->supplementary_groups.items) {
                if (r < 0)
                        break;
                gid_t gid;
                int q = resolve_group(group, *g, &gid);
                if (q < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_IDENTITY, q,
                                              "resolve SupplementaryGroups=", "/etc/group",
                                              "no group '%s' in the sandbox", *g);
                else if (add_group(id, gid) < 0)
                        r = sandbox_error_set(e, SANDBOX_STEP_IDENTITY, ENOMEM, "allocate", "", NULL);
        }
        /* The groups /etc/group lists the user in (initgroups(3) without NSS). */
        if (r == 0 && id->user_name && group && id->uid != 0) {
                for (char *line = group, *next; line && *line; line = next) {
                        next = strchr(line, '\n');
                        if (next)
                                *next++ = 0;
                        char *f[4];
                        unsigned gid;
                        if (split_fields(line, f, 4) != 4 || !parse_id(f[2], &gid))
                                continue;
                        char *save = NULL;
                        for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
                                if (streq(m, id->user_name) && gid != id->gid && add_group(id, gid) < 0)
                                        r = sandbox_error_set(e, SANDBOX_STEP_IDENTITY, ENOMEM, "allocate",
                                                              "", NULL);
                }
        }
        free(passwd);
        free(group);
        return r;
}

static int env_add_default(char ***env, const char *name, const char *value) {
        size_t l = strlen(name);
        STRV_FOREACH (v, *env)
                if (strncmp(*v, name, l) == 0 && (*v)[l] == '=')
                        return 0;
        char *s;
        if (asprintf(&s, "%s=%s", name, value) < 0)
                return -ENOMEM;
        return strv_consume(env, s);
}

int sandbox_complete_env(char ***env, const struct sandbox_identity *id, struct sandbox_error *e) {
        if (!id->user_name)
                return 0;
        int r = env_add_default(env, "USER", id->user_name);
        if (r == 0)
                r = env_add_default(env, "LOGNAME", id->user_name);
        if (r == 0 && id->home)
                r = env_add_default(env, "HOME", id->home);
        if (r == 0 && id->shell)
                r = env_add_default(env, "SHELL", id->shell);
        return r < 0 ? sandbox_error_set(e, SANDBOX_STEP_ENVIRONMENT, r, "set", "",
                                         "HOME, USER, LOGNAME, SHELL")
                     : 0;
}

/* fs.nr_open: the highest RLIMIT_NOFILE the kernel takes, 0 when unknown. */
static rlim_t nr_open(void) {
        char buf[32];
        int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        rlim_t v = 0;
        for (const char *c = buf; *c >= '0' && *c <= '9'; c++)
                v = v * 10 + (rlim_t) (*c - '0');
        return v;
}

/* As systemd sets a service's limits: one the kernel refuses (EPERM: LimitNOFILE=infinity is above
 * fs.nr_open, a hard limit may not grow past what is allowed) is lowered to the highest that may
 * be set, instead of failing the start. */
static int setrlimit_closest(int resource, const struct rlimit *want) {
        if (setrlimit(resource, want) >= 0)
                return 0;
        if (errno != EPERM)
                return -errno;
        struct rlimit highest;
        if (getrlimit(resource, &highest) < 0)
                return -errno;
        /* Open files: up to fs.nr_open where the hard limit may still grow (systemd's services
         * get that much); else, and for every other limit, up to the hard limit in force. */
        rlim_t nr = resource == RLIMIT_NOFILE ? nr_open() : 0;
        if (nr > highest.rlim_max && highest.rlim_max != RLIM_INFINITY) {
                struct rlimit fixed = {.rlim_cur = MIN(want->rlim_cur, nr),
                                       .rlim_max = MIN(want->rlim_max, nr)};
                if (setrlimit(resource, &fixed) >= 0)
                        return 0;
        }
        if (highest.rlim_max == RLIM_INFINITY)
                return -EPERM; /* not a matter of the ceiling */
        struct rlimit fixed = {.rlim_cur = MIN(want->rlim_cur, highest.rlim_max),
                               .rlim_max = MIN(want->rlim_max, highest.rlim_max)};
        if (setrlimit(resource, &fixed) < 0)
                return -errno;
        return 0;
}

static void format_rlim(char *buf, size_t l, rlim_t v) {
        if (v == RLIM_INFINITY)
                snprintf(buf, l, "infinity");
        else
                snprintf(buf, l, "%llu", (unsigned long long) v);
}

int sandbox_apply_rlimits(const struct hutch_unit *u, struct sandbox_error *e) {
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                const struct rlimit_setting *l = &u->service.rlimits[i];
                if (!l->set)
                        continue;
                struct rlimit rl = {.rlim_cur = l->soft, .rlim_max = l->hard};
                int r = setrlimit_closest(i, &rl);
                if (r < 0) {
                        char soft[24], hard[24];
                        format_rlim(soft, sizeof soft, l->soft);
                        format_rlim(hard, sizeof hard, l->hard);
                        return sandbox_error_set(e, SANDBOX_STEP_RLIMIT, -r, "set",
                                                 rlimit_keys[i] ?: "Limit*=", "%s:%s", soft, hard);
                }
        }
        return 0;
}

int sandbox_switch_identity(const struct sandbox_identity *id, struct sandbox_error *e) {
        /* Always: the host's supplementary groups of root must not reach the payload. */
        if (setgroups(id->n_groups, id->groups) < 0)
                return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno, "setgroups", "",
                                         "SupplementaryGroups=");
        if (setresgid(id->gid, id->gid, id->gid) < 0)
                return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno, "setresgid", "", "gid %u",
                                         (unsigned) id->gid);
        if (setresuid(id->uid, id->uid, id->uid) < 0)
                return sandbox_error_set(e, SANDBOX_STEP_IDENTITY, errno, "setresuid", "", "uid %u",
                                         (unsigned) id->uid);
        return 0;
}
