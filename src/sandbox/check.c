/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks before start that need the host's file system but no sandbox: what `hutch verify` and
 * `hutch run` can report with the key's file:line instead of a failed setup step. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/sandbox.h"

static int check_dir(struct unit_problems *pr, struct unit_origin o, const char *key, const char *path,
                     bool writable) {
        struct stat st;
        if (stat(path, &st) < 0)
                return unit_problems_add(pr, o, key, "%s: %s", path, strerror(errno)) < 0 ? -ENOMEM : 1;
        if (!S_ISDIR(st.st_mode))
                return unit_problems_add(pr, o, key, "%s: not a directory", path) < 0 ? -ENOMEM : 1;
        if (writable && access(path, W_OK) < 0)
                return unit_problems_add(pr, o, key, "%s: not writable: %s", path, strerror(errno)) < 0
                               ? -ENOMEM
                               : 1;
        return 0;
}

/* UpperDirectory= holds every file the service wrote, as it wrote it: a copy-up keeps the owner
 * and the set-user-ID bit of the file it copies, and a write through a shared mapping does not
 * clear that bit as write() does. A host user who could reach upper/ could run a root-owned
 * set-user-ID program whose contents the service chose. So only hutch's own user may enter it
 * (the directories in it must stay searchable: upper/'s mode is the sandbox's "/"). */
static int check_upper_private(struct unit_problems *pr, struct unit_origin o, const char *path) {
        struct stat st;
        if (stat(path, &st) < 0)
                return unit_problems_add(pr, o, "UpperDirectory", "%s: %s", path, strerror(errno)) < 0
                               ? -ENOMEM
                               : 1;
        if (st.st_uid != geteuid())
                return unit_problems_add(pr, o, "UpperDirectory",
                                         "%s: owned by uid %u, not by hutch's uid %u: it holds the "
                                         "service's files, set-user-ID ones among them; chown it",
                                         path, (unsigned) st.st_uid, (unsigned) geteuid()) < 0
                               ? -ENOMEM
                               : 1;
        if (st.st_mode & 0077)
                return unit_problems_add(pr, o, "UpperDirectory",
                                         "%s: mode %04o lets other users reach the service's files, "
                                         "set-user-ID ones among them; chmod 0700 %s",
                                         path, (unsigned) (st.st_mode & 07777), path) < 0
                               ? -ENOMEM
                               : 1;
        return 0;
}

/* overlayfs refuses a lower layer that lies below another one on the same superblock (ELOOP). */
static bool layer_overlaps_root(const char *layer, const char *root) {
        struct stat a, b;
        if (stat(layer, &a) < 0 || stat(root, &b) < 0 || a.st_dev != b.st_dev)
                return false;
        char *l = realpath(layer, NULL), *rt = realpath(root, NULL);
        bool inside = false;
        if (l && rt) {
                size_t n = strlen(rt);
                inside = streq(rt, "/") || (strncmp(l, rt, n) == 0 && (l[n] == '/' || l[n] == 0));
        }
        free(l);
        free(rt);
        return inside;
}

int sandbox_check_paths(const struct hutch_unit *u, struct unit_problems *problems) {
        const struct unit_section_sandbox *sb = &u->sandbox;
        int n = 0, r;

        r = check_dir(problems, sb->root_directory_origin, "RootDirectory", sb->root_directory ?: "/",
                      false);
        if (r < 0)
                return r;
        n += r;
        for (size_t i = 0; i < sb->layers.n; i++) {
                const char *path = sb->layers.items[i].path;
                r = check_dir(problems, sb->layers.items[i].origin, "Layers", path, false);
                if (r < 0)
                        return r;
                n += r;
                if (r == 0 && layer_overlaps_root(path, sb->root_directory ?: "/")) {
                        if (unit_problems_add(
                                    problems, sb->layers.items[i].origin, "Layers",
                                    "%s: inside RootDirectory=%s on the same file system; overlayfs "
                                    "refuses overlapping layers (put the layer on another file system)",
                                    path, sb->root_directory ?: "/") < 0)
                                return -ENOMEM;
                        n++;
                }
        }
        if (sb->root_mode == ROOT_PERSISTENT && sb->upper_directory) {
                r = check_dir(problems, sb->upper_directory_origin, "UpperDirectory", sb->upper_directory,
                              true);
                if (r == 0)
                        r = check_upper_private(problems, sb->upper_directory_origin, sb->upper_directory);
                if (r < 0)
                        return r;
                n += r;
        }
        for (size_t i = 0; i < sb->n_binds; i++) {
                const struct bind_mount *b = &sb->binds[i];
                struct stat st;
                if (b->ignore_missing || stat(b->source, &st) == 0)
                        continue;
                if (unit_problems_add(problems, b->origin, b->read_only ? "BindReadOnlyPaths" : "BindPaths",
                                      "%s: %s", b->source, strerror(errno)) < 0)
                        return -ENOMEM;
                n++;
        }
        return n;
}
