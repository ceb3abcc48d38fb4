/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the fuzz targets share: CHECK(x) aborts, naming the place, when an invariant fails, which
 * libFuzzer reports as a crash with the input that caused it. */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#define CHECK(x)                                                                              \
        do {                                                                                  \
                if (!(x)) {                                                                   \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x); \
                        abort();                                                              \
                }                                                                             \
        } while (0)
