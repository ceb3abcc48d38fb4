/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The loader: unit files -> model. Search path, templates and instances, drop-ins,
 * masking, specifiers, the reader (systemd syntax, exactly), and one parse handler
 * per key. It never touches the running system beyond reading files (and the few
 * facts specifiers and "N%" need: host name, machine id, physical memory). */

#include <stdbool.h>
#include <stdio.h>

#include "hutch/model.h"

/* Where units are looked for: $HUTCH_UNIT_PATH (colon-separated) when set, else
 * /etc/hutch:/run/hutch:/usr/local/lib/hutch:/usr/lib/hutch. */
#define UNIT_DEFAULT_SEARCH_PATH "/etc/hutch:/run/hutch:/usr/local/lib/hutch:/usr/lib/hutch"
#define UNIT_SUFFIX ".hutch"

struct unit_load_options {
        /* Colon-separated directories (--unit-path), or NULL for the environment/default. */
        const char *search_path;
        /* "Section.Key=Value" assignments from -p, applied after every drop-in, origin "command line". */
        char **overrides;
        /* A masked unit is -ERFKILL without an error logged (the generator: masking is the
         * administrator's deliberate choice, not a problem to report at every boot). */
        bool quiet_masked;
};

/* Resolves the search path into a NULL-terminated vector (malloc'ed). */
int unit_search_path(const struct unit_load_options *opts, char ***ret);

/* Loads NAME ("web", "web@blue", "web.hutch") from the search path, or PATH (anything
 * containing '/') directly, with its drop-ins. On a problem in the unit files, every
 * problem is appended to `problems` and -EINVAL is returned (`*ret` is still set when a
 * model could be built, so `verify` can go on); -ENOENT when no such unit exists;
 * -ERFKILL when the unit is masked (symlink to /dev/null, or an empty file). Either failure is
 * logged here, naming the unit and the search path or file; so is every other failure except
 * -ENOMEM. The model has defaults applied (also those that depend on another key: Type=oneshot
 * without TimeoutStartSec= has no start timeout) and model_validate() already run. */
int unit_load(const char *name_or_path, const struct unit_load_options *opts, struct hutch_unit **ret,
              struct unit_problems *problems);

/* The files that make a unit, in the order they apply (fragment first, then drop-ins),
 * for `hutch cat`. NULL-terminated, malloc'ed. */
int unit_files(const char *name_or_path, const struct unit_load_options *opts, char ***ret);

/* Every unit name found on the search path ("web", "web@" for templates), first directory
 * wins; for the generator and a future `hutch list`. */
int unit_enumerate(const struct unit_load_options *opts, char ***ret);
/* Every instance with a drop-in directory of its own ("web@blue" for web@blue.hutch.d/), which
 * makes it differ from its template: the generator writes a service for each. */
int unit_enumerate_instance_dropins(const struct unit_load_options *opts, char ***ret);

/* Unit name validity: [a-zA-Z0-9:_.\\-]+ with at most one '@', max 255 chars. */
bool unit_name_is_valid(const char *name);
