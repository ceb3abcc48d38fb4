/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Helpers for the loader's unit tests: a temporary directory, files in it, loading a unit
 * from a string, and looking for a problem by file:line, key and message substring. */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/model.h"
#include "hutch/unit.h"
#include "tap.h"

static char test_dir[256];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st;
        (void) flag;
        (void) ftw;
        return remove(path);
}

static void test_dir_cleanup(void) {
        if (test_dir[0])
                nftw(test_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static __attribute__((unused)) void test_dir_init(void) {
        snprintf(test_dir, sizeof test_dir, "/tmp/hutch-test-unit-XXXXXX");
        if (!mkdtemp(test_dir)) {
                perror("mkdtemp");
                exit(1);
        }
        atexit(test_dir_cleanup);
}

/* Writes `len` bytes (or strlen when len is (size_t)-1) to test_dir/rel, creating parent dirs. */
static const char *write_file_n(const char *rel, const char *content, size_t len) {
        static char path[4][512];
        static int slot;
        char *p = path[slot++ % 4];
        snprintf(p, 512, "%s/%s", test_dir, rel);
        for (char *s = p + strlen(test_dir) + 1; (s = strchr(s, '/')); s++) {
                *s = 0;
                mkdir(p, 0755);
                *s = '/';
        }
        FILE *f = fopen(p, "we");
        if (!f) {
                perror(p);
                exit(1);
        }
        fwrite(content, 1, len == (size_t) -1 ? strlen(content) : len, f);
        fclose(f);
        return p;
}

static __attribute__((unused)) const char *write_file(const char *rel, const char *content) {
        return write_file_n(rel, content, (size_t) -1);
}

static __attribute__((unused)) bool problems_have(const struct unit_problems *p, const char *file,
                                                  unsigned line, const char *key, const char *substring) {
        for (size_t i = 0; i < p->n; i++) {
                const struct unit_problem *q = &p->items[i];
                if (file && (!q->origin.file || !strstr(q->origin.file, file)))
                        continue;
                if (line && q->origin.line != line)
                        continue;
                if (key && !streq_ptr(q->key, key))
                        continue;
                if (substring && !strstr(q->message, substring))
                        continue;
                return true;
        }
        return false;
}

static __attribute__((unused)) void problems_dump(const struct unit_problems *p) {
        for (size_t i = 0; i < p->n; i++)
                printf("#   problem: %s:%u: %s: %s\n",
                       p->items[i].origin.file ? p->items[i].origin.file : "-", p->items[i].origin.line,
                       p->items[i].key ? p->items[i].key : "-", p->items[i].message);
}

/* True when the unit's list of control commands `c` holds exactly the commands of `paths`
 * (NULL-terminated), in order. */
static __attribute__((unused)) bool commands_are(const struct hutch_unit *u, enum exec_control c,
                                                 const char *const *paths) {
        const struct exec_command_list *l = &u->service.exec_control[c];
        size_t n = 0;
        for (; paths[n]; n++)
                if (n >= l->n || !streq_ptr(l->items[n].path, paths[n]))
                        return false;
        return n == l->n;
}

/* Loads `text` as test_dir/NAME.hutch (by path). */
static __attribute__((unused)) int load_text_as(const char *name, const char *text, struct hutch_unit **u,
                                                struct unit_problems *p) {
        char rel[300];
        snprintf(rel, sizeof rel, "%s.hutch", name);
        const char *path = write_file(rel, text);
        *u = NULL;
        return unit_load(path, NULL, u, p);
}

static __attribute__((unused)) int load_text(const char *text, struct hutch_unit **u,
                                             struct unit_problems *p) {
        return load_text_as("t", text, u, p);
}

/* A unit that must load without problems. */
static __attribute__((unused)) struct hutch_unit *load_ok(const char *what, const char *text) {
        struct unit_problems p = {};
        struct hutch_unit *u = NULL;
        int r = load_text(text, &u, &p);
        TAP_CHECK(r == 0 && u && p.n == 0, "%s: loads cleanly (r=%d)", what, r);
        if (p.n)
                problems_dump(&p);
        unit_problems_clear(&p);
        return u;
}

/* A unit that must produce a problem at t.hutch:LINE for KEY containing SUBSTRING. */
static __attribute__((unused)) void expect_problem(const char *what, const char *text, unsigned line,
                                                   const char *key, const char *substring) {
        struct unit_problems p = {};
        struct hutch_unit *u = NULL;
        int r = load_text(text, &u, &p);
        bool ok = r == -EINVAL && problems_have(&p, "t.hutch", line, key, substring);
        TAP_CHECK(ok, "%s: t.hutch:%u: %s: ...%s...", what, line, key ? key : "-", substring);
        if (!ok)
                problems_dump(&p);
        unit_problems_clear(&p);
        model_unit_free(u);
}
