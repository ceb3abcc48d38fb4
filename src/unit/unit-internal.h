/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the loader's files: the reader's logical lines, the key table and the
 * specifier expander. Nothing outside src/unit includes this. */

#include <stdbool.h>
#include <stddef.h>

#include "hutch/model.h"
#include "hutch/parse.h"

/* Longest physical line and longest logical (continued) line: systemd's LONG_LINE_MAX. */
#define UNIT_LINE_MAX (1024 * 1024)
/* A unit file larger than this is refused before it is read. */
#define UNIT_FILE_MAX (16 * 1024 * 1024)
/* Section and key names are handed to inih; both must stay far below its 200-byte line
 * buffer and its 50-byte section buffer (which truncates silently). */
#define UNIT_SECTION_NAME_MAX 48
#define UNIT_KEY_NAME_MAX 99

enum unit_line_kind {
        UNIT_LINE_SECTION,
        UNIT_LINE_ASSIGNMENT,
};

/* One logical line of a unit file, after comments, continuations and trimming. */
struct unit_line {
        enum unit_line_kind kind;
        char *section; /* the section this line opens or belongs to (NULL: before any section) */
        char *key;     /* assignments only */
        char *value;   /* assignments only: the exact value text, trimmed as systemd does */
        unsigned line; /* first physical line of the logical line */
};

struct unit_lines {
        struct unit_line *items;
        size_t n;
};

void unit_lines_free(struct unit_lines *l);

/* Splits a file's contents into logical lines with systemd's syntax. `file` names the
 * origin for problems (it must outlive `problems`' use of it: it is copied there).
 * Every syntax problem is added to `problems`; lines with problems are left out.
 * Returns 0, or -ENOMEM. */
int unit_lines_parse(const char *file, const char *data, size_t size, struct unit_lines *ret,
                     struct unit_problems *problems);

/* Reads a regular file (at most UNIT_FILE_MAX bytes) and parses it as above. Returns 0,
 * -ENOMEM, or a negative errno from opening/reading (logged by the caller). */
int unit_lines_read(const char *path, struct unit_lines *ret, struct unit_problems *problems);

/* Walks the logical lines through inih and calls `f` once per assignment, in order, with
 * the section and key inih reported and the value text from our own table. inih only ever
 * sees a synthesized document of "[Section]" and "Key=INDEX" lines, all short and made of
 * validated characters, so it cannot mis-split anything. Returns 0, -ENOMEM, or -EIO if
 * inih disagreed with the table (never expected). */
typedef int (*unit_assignment_f)(const struct unit_line *l, void *userdata);
int unit_lines_dispatch(const struct unit_lines *lines, unit_assignment_f f, void *userdata);

bool unit_section_name_is_valid(const char *s);
bool unit_key_name_is_valid(const char *s);

/* What specifiers expand to for one unit. */
struct unit_specifiers {
        const char *name;     /* "web@blue" */
        const char *prefix;   /* "web" */
        const char *instance; /* "blue", or "" */
};

/* Expands %n %N %p %i %I %H %m %t %S %% in `s`. An unknown specifier or a '%' at the end
 * is an error: -EBADMSG with the reason in `why`. Returns 0 and a malloc'ed *ret. */
int unit_specifiers_expand(const struct unit_specifiers *sp, const char *s, char **ret, parse_why_t why);
/* Unescapes an instance name as systemd does for %I: "\xNN" becomes that byte, '-' '/'. */
int unit_name_unescape(const char *s, char **ret);

/* The state of one load: the unit being built and where problems go. */
struct unit_load_context {
        struct hutch_unit *unit;
        struct unit_problems *problems;
        struct unit_specifiers specifiers;
        bool exec_start_assigned;     /* an ExecStart= with a command was seen since the last reset */
        bool restrict_namespaces_set; /* RestrictNamespaces= was assigned: later lists merge */
        bool address_families_set;    /* RestrictAddressFamilies= likewise */
};

/* Applies one assignment "[section] key=value" to the unit. Unknown sections/keys and bad
 * values become problems (with a suggestion for near misses). Returns 0 or -ENOMEM. */
int unit_apply_assignment(struct unit_load_context *c, const char *section, const char *key,
                          const char *value, struct unit_origin origin);

/* Closest known name to `s` (edit distance at most 2, or a case-insensitive match), or NULL. */
const char *unit_suggest_section(const char *s);
const char *unit_suggest_key(const char *section, const char *key);

/* Reports an unknown section (with a suggestion) unless it is known or starts with "X-".
 * Returns 1 when the section is known, 0 when it is not (or X-), -ENOMEM. */
int unit_check_section(struct unit_load_context *c, const char *section, struct unit_origin origin);

/* ---- the key table ---- */

#define KEY_SPECIFIERS (1u << 0) /* specifiers are expanded in the value (after splitting, per word) */

struct unit_key;
typedef int (*unit_key_parse_f)(struct unit_load_context *c, const struct unit_key *k, const char *value,
                                struct unit_origin o);

/* One key of one section. `offset` locates the field in struct hutch_unit, `origin_offset`
 * its unit_origin when the model keeps one (SIZE_MAX when not); `arg`/`data` are for the
 * handler (a default unit, a range, a from_string function). */
struct unit_key {
        const char *section;
        const char *key;
        unit_key_parse_f parse;
        size_t offset;
        size_t origin_offset;
        long long arg;
        const void *data;
        const char *choices; /* for enums: the accepted words, for the message */
        unsigned flags;
};

extern const struct unit_key unit_keys[];
extern const size_t unit_keys_count;
extern const char *const unit_sections[];

/* Reports "KEY: MESSAGE" at `o`. Returns 0 or -ENOMEM. */
int unit_key_problem(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                     const char *fmt, ...) _printf_(4, 5);
/* Expands specifiers when the key takes them, else copies. Returns 0 with *ret set, 1 when
 * a problem was reported (*ret NULL), or -ENOMEM. */
int unit_key_expand(struct unit_load_context *c, const struct unit_key *k, struct unit_origin o,
                    const char *s, char **ret);
/* A value shortened for messages: at most ~80 bytes, cut on a UTF-8 character boundary. */
const char *unit_value_short(const char *v, char buf[static 100]);
