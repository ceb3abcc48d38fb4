/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Readers of /proc files that more than one part needs. */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
