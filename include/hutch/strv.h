/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* NULL-terminated string vectors. */

#include <stdbool.h>
#include <stddef.h>

#include "hutch/macro.h"

size_t strv_length(char *const *l);
void strv_free(char **l);
static inline void strv_freep(char ***l) {
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
/* Appends a copy of s. Returns 0 or -ENOMEM. */
int strv_extend(char ***l, const char *s);
/* Appends s itself (ownership moves in, also on failure: s is freed then). */
int strv_consume(char ***l, char *s);
bool strv_contains(char *const *l, const char *s);
char **strv_copy(char *const *l);
#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
