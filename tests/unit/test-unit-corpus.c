/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The unit corpus: every NAME.hutch in tests/units/valid loads without a problem; every
 * NAME.hutch in tests/units/invalid has "# expect: FILE:LINE: Key: substring" lines at its top
 * (Key "-" for a problem without a key, LINE 0 for one without a line) and each must match
 * one problem that `hutch verify` would print as "FILE:LINE: Key: message". */

#include <dirent.h>

#include "unit-test-lib.h"

#ifndef UNITS_DIR
#error "UNITS_DIR must point to tests/units"
#endif

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static size_t list_dir(const char *dir, char ***ret) {
        DIR *d = opendir(dir);
        char **l = NULL;
        size_t n = 0;
        if (!d)
                return 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t k = strlen(de->d_name);
                if (k > 6 && streq(de->d_name + k - 6, ".hutch")) {
                        l = realloc(l, (n + 1) * sizeof(char *));
                        l[n++] = strdup(de->d_name);
                }
        }
        closedir(d);
        qsort(l, n, sizeof(char *), name_cmp);
        *ret = l;
        return n;
}

/* Does any problem, printed with the file's base name, match the expectation? */
static bool problem_matches(const struct unit_problems *p, const char *file, unsigned line, const char *key,
                            const char *substring) {
        for (size_t i = 0; i < p->n; i++) {
                const struct unit_problem *q = &p->items[i];
                const char *base = q->origin.file ? strrchr(q->origin.file, '/') : NULL;
                base = base ? base + 1 : q->origin.file;
                if (!streq_ptr(base, file) || q->origin.line != line)
                        continue;
                if (streq(key, "-") ? q->key != NULL : !streq_ptr(q->key, key))
                        continue;
                if (!strstr(q->message, substring))
                        continue;
                return true;
        }
        return false;
}

static void check_invalid(const char *path, const char *name) {
        FILE *f = fopen(path, "re");
        char buf[512];
        unsigned expectations = 0;
        struct unit_problems p = {};
        struct hutch_unit *u = NULL;
        int r = unit_load(path, NULL, &u, &p);
        TAP_CHECK(r == -EINVAL, "invalid/%s is refused (r=%d)", name, r);

        while (f && fgets(buf, sizeof buf, f) && strncmp(buf, "# expect: ", 10) == 0) {
                buf[strcspn(buf, "\n")] = 0;
                char *e = buf + 10, *colon = strchr(e, ':');
                if (!colon) {
                        TAP_CHECK(false, "invalid/%s: malformed expectation '%s'", name, e);
                        continue;
                }
                *colon = 0;
                char *end;
                unsigned line = (unsigned) strtoul(colon + 1, &end, 10);
                char *key = end + strspn(end, ": ");
                char *sep = strstr(key, ": ");
                const char *substring = "";
                if (sep) {
                        *sep = 0;
                        substring = sep + 2;
                } else
                        key[strcspn(key, ":")] = 0;
                bool ok = problem_matches(&p, e, line, key, substring);
                TAP_CHECK(ok, "invalid/%s: %s:%u: %s: ...%s...", name, e, line, key, substring);
                if (!ok)
                        problems_dump(&p);
                expectations++;
        }
        TAP_CHECK(expectations > 0, "invalid/%s has an expectation", name);
        if (f)
                fclose(f);
        unit_problems_clear(&p);
        model_unit_free(u);
}

int main(void) {
        char dir[512], path[1024];
        char **names = NULL;

        snprintf(dir, sizeof dir, "%s/valid", UNITS_DIR);
        size_t n = list_dir(dir, &names);
        TAP_CHECK(n >= 5, "valid corpus found (%zu files)", n);
        for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                struct unit_problems p = {};
                struct hutch_unit *u = NULL;
                int r = unit_load(path, NULL, &u, &p);
                TAP_CHECK(r == 0 && u && p.n == 0, "valid/%s loads (r=%d)", names[i], r);
                if (p.n)
                        problems_dump(&p);
                if (u && strstr(names[i], "injection"))
                        TAP_CHECK(!u->service.user, "valid/%s: User= not injected", names[i]);
                unit_problems_clear(&p);
                model_unit_free(u);
                free(names[i]);
        }
        free(names);

        names = NULL;
        snprintf(dir, sizeof dir, "%s/invalid", UNITS_DIR);
        n = list_dir(dir, &names);
        TAP_CHECK(n >= 20, "invalid corpus found (%zu files)", n);
        for (size_t i = 0; i < n; i++) {
                snprintf(path, sizeof path, "%s/%s", dir, names[i]);
                check_invalid(path, names[i]);
                free(names[i]);
        }
        free(names);
        return tap_done();
}
