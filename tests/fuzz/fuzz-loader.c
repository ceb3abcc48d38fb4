/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the loader: the input is a unit file. It goes through the reader, the
 * inih bridge and every parse handler (unit_load() on a memfd), and the invariants that keep
 * inih from ever mis-splitting a file are checked: the bridge never disagrees with the
 * reader, every assignment reaches the handler exactly once and in order, and every
 * problem names a line that exists. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hutch/log.h"
#include "hutch/unit.h"
#include "unit/unit-internal.h"

struct count {
        const struct unit_lines *lines;
        size_t next;
};

static int count_assignment(const struct unit_line *l, void *userdata) {
        struct count *c = userdata;
        while (c->next < c->lines->n && c->lines->items[c->next].kind != UNIT_LINE_ASSIGNMENT)
                c->next++;
        if (c->next >= c->lines->n || l != &c->lines->items[c->next])
                abort(); /* an assignment out of order, twice, or one we never produced */
        c->next++;
        return 0;
}

static unsigned count_lines(const uint8_t *data, size_t size) {
        unsigned n = 1;
        for (size_t i = 0; i < size; i++)
                if (data[i] == '\n' || (data[i] == '\r' && (i + 1 >= size || data[i + 1] != '\n')))
                        n++;
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static int fd = -1;
        if (size > 256 * 1024)
                return 0;
        if (fd < 0) {
                log_set_max_level(LOG_LEVEL_ERR - 1); /* quiet: problems are expected */
                fd = memfd_create("fuzz.hutch", MFD_CLOEXEC);
                if (fd < 0)
                        abort();
        }

        /* The reader and the bridge on their own. */
        struct unit_problems p = {};
        struct unit_lines lines = {};
        if (unit_lines_parse("fuzz.hutch", (const char *) data, size, &lines, &p) < 0)
                abort();
        unsigned max_line = count_lines(data, size);
        for (size_t i = 0; i < lines.n; i++) {
                const struct unit_line *l = &lines.items[i];
                if (l->line == 0 || l->line > max_line || !unit_section_name_is_valid(l->section))
                        abort();
                if (l->kind == UNIT_LINE_ASSIGNMENT && (!unit_key_name_is_valid(l->key) || !l->value))
                        abort();
        }
        struct count c = {.lines = &lines};
        if (unit_lines_dispatch(&lines, count_assignment, &c) < 0)
                abort(); /* inih split our synthesized document differently: never allowed */
        while (c.next < lines.n && lines.items[c.next].kind != UNIT_LINE_ASSIGNMENT)
                c.next++;
        if (c.next != lines.n)
                abort(); /* an assignment was skipped */
        unit_lines_free(&lines);
        unit_problems_clear(&p);

        /* The whole loader, every handler and the model's validation. */
        if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t) size)
                abort();
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        struct hutch_unit *u = NULL;
        int r = unit_load(path, NULL, &u, &p);
        /* A zero-byte file masks the unit (systemd's null_or_empty()); nothing else does. */
        if ((r == -ERFKILL) != (size == 0))
                abort();
        if (r != 0 && r != -EINVAL && r != -ERFKILL)
                abort();
        if (r == 0 && p.n != 0)
                abort();
        for (size_t i = 0; i < p.n; i++)
                if (p.items[i].origin.line > max_line || !p.items[i].message)
                        abort();
        unit_problems_clear(&p);
        model_unit_free(u);
        return 0;
}
