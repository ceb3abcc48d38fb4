/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parse handler for where the service's fds 0, 1 and 2 go (StandardInput=, StandardOutput=,
 * StandardError=), as systemd.exec(5) spells them. systemd's values that need what a hutch service
 * never has (a terminal, sockets of its own, the console) are refused with the reason, not taken as
 * typos. */

#include <stdlib.h>
#include <string.h>

#include "hutch/macro.h"
#include "hutch/parse.h"
#include "unit/handlers.h"

/* A systemd value hutch refuses, and why; a value ending in ':' is a prefix ("fd:NAME"). */
struct std_refused {
        const char *value;
        const char *why;
};

#define NO_TERMINAL "the service has no terminal of its own"
#define NO_SOCKETS "the service is given no sockets or file descriptors of its own"
#define NO_CONSOLE "hutch copies nothing to the console"

static const struct std_refused input_refused[] = {
        {"tty", NO_TERMINAL},      {"tty-force", NO_TERMINAL},
        {"tty-fail", NO_TERMINAL}, {"socket", NO_SOCKETS},
        {"fd:", NO_SOCKETS},       {"data", "hutch has no StandardInputText= or StandardInputData="},
};

static const struct std_refused output_refused[] = {
        {"journal+console", NO_CONSOLE},
        {"syslog+console", NO_CONSOLE},
        {"kmsg+console", NO_CONSOLE},
        {"kmsg", "hutch writes nothing to the kernel log buffer"},
        {"tty", NO_TERMINAL},
        {"socket", NO_SOCKETS},
        {"fd:", NO_SOCKETS},
};

static const struct std_refused *find_refused(bool input, const char *value) {
        const struct std_refused *t = input ? input_refused : output_refused;
        size_t n = input ? ELEMENTSOF(input_refused) : ELEMENTSOF(output_refused);
        for (size_t i = 0; i < n; i++) {
                size_t l = strlen(t[i].value);
                if (t[i].value[l - 1] == ':' ? strncmp(value, t[i].value, l) == 0 : streq(value, t[i].value))
                        return &t[i];
        }
        return NULL;
}

/* The kind a word names (null, inherit, journal) or a FORM:PATH value starts with (*path after the
 * ':'), among those the stream takes; -1 when none. */
static int std_stream_kind(bool input, const char *value, const char **path) {
        *path = NULL;
        for (enum std_stream kind = STD_STREAM_INHERIT; kind < _STD_STREAM_MAX; kind++) {
                if (input && kind != STD_STREAM_NULL && kind != STD_STREAM_FILE)
                        continue;
                const char *name = std_stream_to_string(kind);
                size_t l = strlen(name);
                if (kind < STD_STREAM_FILE && streq(value, name))
                        return (int) kind;
                if (kind >= STD_STREAM_FILE && strncmp(value, name, l) == 0 && value[l] == ':') {
                        *path = value + l + 1;
                        return (int) kind;
                }
        }
        /* systemd reads its old name for the journal as the journal */
        if (!input && streq(value, "syslog"))
                return STD_STREAM_JOURNAL;
        return -1;
}

int parse_key_std_stream(struct unit_load_context *c, const struct unit_key *k, const char *value,
                         struct unit_origin o) {
        struct std_stream_setting *s = (struct std_stream_setting *) ((char *) c->unit + k->offset);
        bool input = k->arg == 0;
        const char *rest = NULL;
        int kind = *value ? std_stream_kind(input, value, &rest) : STD_STREAM_DEFAULT;
        if (kind < 0) {
                const struct std_refused *no = find_refused(input, value);
                char b[100];
                if (no)
                        return unit_key_problem(c, k, o, "'%s' is not supported (%s): hutch's services %s",
                                                unit_value_short(value, b), no->why,
                                                input ? "get /dev/null, a file, or hutch's own stdin"
                                                      : "write to hutch's own stdout or stderr (the journal "
                                                        "under systemd), a file, or /dev/null");
                return bad_value(
                        c, k, o, value,
                        input ? "not one of null, file:PATH"
                              : "not one of inherit, null, journal, file:PATH, append:PATH, truncate:PATH");
        }
        /* As systemd: specifiers are expanded in the path, which must be absolute; hutch normalizes it
         * as every path of a unit. */
        char *path = NULL;
        if (rest && !*rest)
                return bad_value(c, k, o, value, "a path is required after the ':'");
        if (rest) {
                int r = path_word(c, k, o, rest, &path);
                if (r != 0)
                        return r < 0 ? r : 0;
        }
        free(s->path);
        *s = (struct std_stream_setting){.kind = (enum std_stream) kind, .path = path, .origin = o};
        return 0;
}
