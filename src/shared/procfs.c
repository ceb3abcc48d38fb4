/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Readers of /proc files that more than one part needs. */

#include <errno.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "hutch/macro.h"
#include "hutch/procfs.h"

int proc_cgroup2_path(pid_t pid, char **ret) {
        char path[64];
        if (pid == 0)
                snprintf(path, sizeof path, "/proc/self/cgroup");
        else
                snprintf(path, sizeof path, "/proc/%d/cgroup", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t n = 0;
        int r = -ENODATA;
        while (getline(&line, &n, f) > 0) {
                if (strncmp(line, "0::", 3) != 0)
                        continue;
                line[strcspn(line, "\n")] = 0;
                *ret = strdup(line + 3);
                r = *ret ? 0 : -ENOMEM;
                break;
        }
        free(line);
        fclose(f);
        return r;
}

int proc_cgroup2_mount(char **ret) {
        /* Where systemd (unified) and a hybrid host put it: two statfs() calls, where reading
         * and parsing mountinfo takes a good part of a millisecond on every start. */
        static const char *const usual[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        for (size_t i = 0; i < ELEMENTSOF(usual); i++) {
                struct statfs sf;
                if (statfs(usual[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
                        *ret = strdup(usual[i]);
                        return *ret ? 0 : -ENOMEM;
                }
        }

        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        char *line = NULL;
        size_t n = 0;
        int r = -ENOMEDIUM;
        while (getline(&line, &n, f) > 0) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
                char *sep = strstr(line, " - ");
                if (!sep || strncmp(sep + 3, "cgroup2 ", 8) != 0)
                        continue;
                char mp[4096];
                if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                        continue;
                /* Undo the octal escapes of mountinfo (\040 for a space, ...). */
                char *out = mp;
                for (const char *in = mp; *in; in++) {
                        if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
                            in[3] >= '0' && in[3] <= '7') {
                                *out++ = (char) ((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
                                in += 3;
                        } else
                                *out++ = *in;
                }
                *out = 0;
                /* A cgroup2 mount that a later mount hides (a cgroup2 mounted over
                 * /sys/fs/cgroup in a private mount namespace hides /sys/fs/cgroup/unified)
                 * is listed but cannot be reached: take the next one. */
                struct statfs sf;
                if (statfs(mp, &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
                        continue;
                *ret = strdup(mp);
                r = *ret ? 0 : -ENOMEM;
                break;
        }
        free(line);
        fclose(f);
        return r;
}

/* systemd's cg_get_root_path(): PID 1's cgroup, less the unit systemd puts itself in. */
static int root_cgroup_path(char **ret) {
        char *path = NULL;
        int r = proc_cgroup2_path(1, &path);
        if (r < 0)
                return r;
        static const char *const own[] = {"/init.scope", "/system.slice", "/system"};
        size_t l = strlen(path);
        for (size_t i = 0; i < ELEMENTSOF(own); i++) {
                size_t k = strlen(own[i]);
                if (l >= k && strcmp(path + l - k, own[i]) == 0) {
                        path[l - k] = 0;
                        break;
                }
        }
        *ret = path;
        return 0;
}

int proc_root_cgroup_limit(const char *file, uint64_t *ret) {
        char *mount = NULL, *root = NULL, *p = NULL;
        int r = proc_cgroup2_mount(&mount);
        if (r == 0)
                r = root_cgroup_path(&root);
        if (r == 0 && asprintf(&p, "%s%s/%s", mount, root, file) < 0) {
                p = NULL;
                r = -ENOMEM;
        }
        FILE *f = r == 0 ? fopen(p, "re") : NULL;
        if (r == 0 && !f)
                r = errno == ENOENT ? -ENODATA : -errno; /* the host's root cgroup has no limit files */
        if (f) {
                char buf[32];
                unsigned long long v;
                char *end;
                if (!fgets(buf, sizeof buf, f))
                        r = -EIO;
                else if (strncmp(buf, "max", 3) == 0)
                        r = -ENODATA;
                else if (errno = 0, v = strtoull(buf, &end, 10), errno != 0 || end == buf)
                        r = -EIO;
                else
                        *ret = v;
                fclose(f);
        }
        free(p);
        free(root);
        free(mount);
        return r;
}

static char *title_start;
static size_t title_size;

void proc_title_init(int argc, char **argv) {
        if (argc <= 0 || !argv || !argv[0])
                return;
        char *end = argv[0];
        for (int i = 0; i < argc; i++) {
                if (argv[i] != end)
                        return;
                end += strlen(argv[i]) + 1;
        }
        title_start = argv[0];
        title_size = (size_t) (end - argv[0]);
}

void proc_title_set(const char *title) {
        if (!title_start)
                return;
        size_t n = strnlen(title, title_size - 1);
        memcpy(title_start, title, n);
        memset(title_start + n, 0, title_size - n);
}
