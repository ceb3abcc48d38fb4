/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks that need the whole unit, and the effective SystemCallFilter=. Touches no file:
 * whether Layers= or a bind source exists is decided at start, by the spawner. */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hutch/model.h"
#include "hutch/parse.h"
#include "hutch/strv.h"
#include "hutch/syscalls.h"

/* A key that was never written has no origin of its own: the problem is then the unit's. */
static struct unit_origin origin_or_unit(const struct hutch_unit *u, struct unit_origin o) {
        if (o.file)
                return o;
        return (struct unit_origin){.file = u->fragment_path ? u->fragment_path : u->name, .line = 0};
}

#define PROBLEM(origin, key, ...)                                                                     \
        do {                                                                                          \
                if (unit_problems_add(problems, origin_or_unit(u, (origin)), (key), __VA_ARGS__) < 0) \
                        return -ENOMEM;                                                               \
                added++;                                                                              \
        } while (0)

/* `path` is `base` or below it. */
static bool path_at_or_below(const char *path, const char *base) {
        size_t l = strlen(base);
        return strncmp(path, base, l) == 0 && (path[l] == 0 || path[l] == '/');
}

/* What ProtectHome=yes or ProtectCredentials=yes cover is applied after the unit's own mounts, so
 * a bind or path of the unit there would be hidden without a word: say so instead. */
static int check_protected_paths(const struct hutch_unit *u, struct unit_problems *problems) {
        const struct unit_section_sandbox *sb = &u->sandbox;
        int added = 0;
        struct {
                const char *path, *key;
                struct unit_origin origin;
        } paths[256];
        size_t n = 0;
        for (size_t i = 0; i < sb->n_binds && n < ELEMENTSOF(paths); i++)
                paths[n++] = (typeof(paths[0])){sb->binds[i].destination,
                                                sb->binds[i].read_only ? "BindReadOnlyPaths" : "BindPaths",
                                                sb->binds[i].origin};
        for (size_t i = 0; i < sb->n_tmpfs && n < ELEMENTSOF(paths); i++)
                paths[n++] =
                        (typeof(paths[0])){sb->tmpfs[i].path, "TemporaryFileSystem", sb->tmpfs[i].origin};
        const struct path_list *lists[] = {&sb->read_write_paths, &sb->read_only_paths};
        static const char *const keys[] = {"ReadWritePaths", "ReadOnlyPaths"};
        for (size_t l = 0; l < ELEMENTSOF(lists); l++)
                for (size_t i = 0; i < lists[l]->n && n < ELEMENTSOF(paths); i++)
                        paths[n++] = (typeof(paths[0])){lists[l]->items[i].path, keys[l],
                                                        lists[l]->items[i].origin};

        for (size_t i = 0; i < n; i++) {
                if (!paths[i].path)
                        continue;
                if (sb->protect_home == PROTECT_HOME_YES)
                        for (const char *const *h = protect_home_paths; *h; h++)
                                if (path_at_or_below(paths[i].path, *h))
                                        PROBLEM(paths[i].origin, paths[i].key,
                                                "%s is hidden by ProtectHome=yes (hutch's default); "
                                                "ProtectHome=tmpfs binds into an empty %s, ProtectHome=no "
                                                "shows the host's",
                                                paths[i].path, *h);
                if (sb->protect_credentials)
                        for (const char *const *c = protect_credentials_paths; *c; c++)
                                if (path_at_or_below(paths[i].path, *c))
                                        PROBLEM(paths[i].origin, paths[i].key,
                                                "%s is hidden by ProtectCredentials=yes (hutch's default); "
                                                "ProtectCredentials=no shows it",
                                                paths[i].path);
        }
        return added;
}

/* MemoryMin <= MemoryLow <= MemoryHigh <= MemoryMax, for those that are set to a size:
 * infinity is no limit at all (MemoryHigh=infinity beside MemoryMax=1G throttles nothing, and is
 * what hutch show prints for an unset MemoryHigh=). */
static int check_memory_order(const struct hutch_unit *u, struct unit_problems *problems) {
        const struct {
                const char *key;
                const struct limit *l;
        } order[] = {
                {"MemoryMin", &u->resources.memory_min},
                {"MemoryLow", &u->resources.memory_low},
                {"MemoryHigh", &u->resources.memory_high},
                {"MemoryMax", &u->resources.memory_max},
        };
        int added = 0;
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                if (!order[i].l->set || order[i].l->value == LIMIT_INFINITY)
                        continue;
                for (size_t j = i + 1; j < ELEMENTSOF(order); j++) {
                        if (!order[j].l->set || order[i].l->value <= order[j].l->value)
                                continue;
                        char a[64], b[64];
                        format_bytes(a, sizeof a, order[i].l->value);
                        format_bytes(b, sizeof b, order[j].l->value);
                        PROBLEM(order[i].l->origin, order[i].key, "%s is above %s=%s; %s must not exceed %s",
                                a, order[j].key, b, order[i].key, order[j].key);
                }
        }
        return added;
}

static int check_weight(const struct hutch_unit *u, const char *key, const struct limit *l,
                        struct unit_problems *problems) {
        int added = 0;
        if (l->set && (l->value < 1 || l->value > 10000))
                PROBLEM(l->origin, key, "weight %" PRIu64 " is out of range 1..10000", l->value);
        return added;
}

/* A numeric User=/Group= beyond the 65536 ids that PrivateUsers=identity maps. */
static bool id_outside_identity_map(const char *s) {
        if (!s || !*s || strspn(s, "0123456789") != strlen(s))
                return false;
        return strtoull(s, NULL, 10) >= 65536;
}

int model_validate(const struct hutch_unit *u, struct unit_problems *problems) {
        const struct unit_section_service *svc = &u->service;
        const struct unit_section_sandbox *sb = &u->sandbox;
        const struct unit_section_resources *res = &u->resources;
        const struct unit_section_security *sec = &u->security;
        int added = 0, r;

        /* [Service]. Not when a problem already explains it: an ExecStart= line that was refused,
         * or a file that could not be read (a problem of no line). */
        bool explained = false;
        for (size_t i = 0; problems && i < problems->n; i++)
                if (problems->items[i].origin.line == 0 ||
                    (problems->items[i].key && streq(problems->items[i].key, "ExecStart")))
                        explained = true;
        if (!svc->exec_start.path && !explained)
                PROBLEM(svc->exec_start.origin, "ExecStart", "missing: every unit needs a command to run");

        /* systemd refuses these for oneshot services: the service is meant to end, so
         * restarting it when it ended well would run it forever. */
        if (svc->type == SERVICE_ONESHOT &&
            (svc->restart == RESTART_ALWAYS || svc->restart == RESTART_ON_SUCCESS))
                PROBLEM(svc->restart_origin, "Restart", "Restart=%s is not allowed with Type=oneshot",
                        restart_policy_to_string(svc->restart));

        /* Only a notify service gets the notify socket, so nothing else could ever send
         * WATCHDOG=1 and the service would be killed every period. */
        if (svc->watchdog > 0 && svc->watchdog != USEC_INFINITY && svc->type != SERVICE_NOTIFY)
                PROBLEM(svc->watchdog_origin, "WatchdogSec",
                        "needs Type=notify (the service must send WATCHDOG=1), but Type=%s",
                        service_type_to_string(svc->type));

        /* Only Type=forking waits for a first process to exit, after which hutch's PID 1 reads the
         * file; with any other type it would name a daemon nothing looks for. */
        if (svc->pid_file && svc->type != SERVICE_FORKING) {
                const struct unit_origin *t = &svc->type_origin;
                char where[300] = " here, the default";
                if (t->file && t->line > 0)
                        snprintf(where, sizeof where, " at %s:%u", t->file, t->line);
                else if (t->file)
                        snprintf(where, sizeof where, ", %s", t->file);
                PROBLEM(svc->pid_file_origin, "PIDFile",
                        "only read for Type=forking (Type=%s%s): set Type=forking or remove it",
                        service_type_to_string(svc->type), where);
        }

        /* The kernel takes a priority of 1-99 for the real-time policies and 0 for the others. */
        bool realtime = svc->cpu_sched_policy == SCHED_FIFO || svc->cpu_sched_policy == SCHED_RR;
        if (realtime && (!svc->cpu_sched_priority_set || svc->cpu_sched_priority == 0))
                PROBLEM(svc->cpu_sched_origin, "CPUSchedulingPolicy",
                        "%s needs CPUSchedulingPriority= from 1 (lowest) to 99",
                        cpu_sched_policy_to_string(svc->cpu_sched_policy));
        if (!realtime && svc->cpu_sched_priority_set && svc->cpu_sched_priority != 0)
                PROBLEM(svc->cpu_sched_origin, "CPUSchedulingPriority",
                        "%d applies to CPUSchedulingPolicy=fifo and rr only, but the policy is %s",
                        svc->cpu_sched_priority,
                        cpu_sched_policy_to_string(svc->cpu_sched_policy) ?: "other (unset)");

        if (svc->restart_steps > 0 && svc->restart_max_delay == USEC_INFINITY)
                PROBLEM(svc->restart_steps_origin, "RestartSteps",
                        "needs RestartMaxDelaySec=, the delay the steps lead up to");
        if (svc->restart_max_delay != USEC_INFINITY && svc->restart_steps == 0)
                PROBLEM(svc->restart_max_delay_origin, "RestartMaxDelaySec",
                        "has no effect without RestartSteps=");
        if (svc->restart_max_delay != USEC_INFINITY && svc->restart_max_delay < svc->restart_sec) {
                char a[64], b[64];
                format_timespan(a, sizeof a, svc->restart_max_delay);
                format_timespan(b, sizeof b, svc->restart_sec);
                PROBLEM(svc->restart_max_delay_origin, "RestartMaxDelaySec",
                        "%s is shorter than RestartSec=%s", a, b);
        }

        /* [Sandbox] */
        if (sb->upper_directory && sb->root_mode != ROOT_PERSISTENT)
                PROBLEM(sb->upper_directory_origin, "UpperDirectory",
                        "only applies with RootMode=persistent, but RootMode=%s",
                        root_mode_to_string(sb->root_mode));
        if (!sb->upper_directory && sb->root_mode == ROOT_PERSISTENT)
                PROBLEM(sb->root_mode_origin, "RootMode",
                        "persistent needs UpperDirectory=, where the changes are kept");
        if (sb->upper_directory && sb->root_directory && streq(sb->upper_directory, sb->root_directory))
                PROBLEM(sb->upper_directory_origin, "UpperDirectory",
                        "must not be the RootDirectory= itself");
        /* ProtectSystem= says which parts of the root are read-only, RootMode= whether it is. */
        if (sb->protect_system_origin.file && sb->root_mode == ROOT_READ_ONLY &&
            sb->protect_system == PROTECT_SYSTEM_NO)
                PROBLEM(sb->protect_system_origin, "ProtectSystem",
                        "'no': the root is read-only with RootMode=read-only (the default); for a "
                        "writable root use RootMode=volatile or persistent, for one path ReadWritePaths= or "
                        "StateDirectory=");
        if (sb->root_mode != ROOT_READ_ONLY && sb->protect_system == PROTECT_SYSTEM_STRICT)
                PROBLEM(sb->protect_system_origin, "ProtectSystem",
                        "'strict' makes the whole root read-only, which RootMode=%s contradicts; "
                        "RootMode=read-only is strict already",
                        root_mode_to_string(sb->root_mode));
        if (sb->hostname && !hostname_is_valid(sb->hostname))
                PROBLEM(sb->hostname_origin, "Hostname", "'%s' is not a valid host name", sb->hostname);
        if (sb->private_users == PRIVATE_USERS_IDENTITY) {
                if (id_outside_identity_map(svc->user))
                        PROBLEM(svc->user_origin, "User",
                                "%s is outside the ids 0..65535 that PrivateUsers=identity maps", svc->user);
                if (id_outside_identity_map(svc->group))
                        PROBLEM(svc->group_origin, "Group",
                                "%s is outside the ids 0..65535 that PrivateUsers=identity maps",
                                svc->group);
        }

        r = check_protected_paths(u, problems);
        if (r < 0)
                return r;
        added += r;

        /* [Resources] */
        r = check_memory_order(u, problems);
        if (r < 0)
                return r;
        added += r;
        r = check_weight(u, "CPUWeight", &res->cpu_weight, problems);
        if (r < 0)
                return r;
        added += r;
        r = check_weight(u, "IOWeight", &res->io_weight, problems);
        if (r < 0)
                return r;
        added += r;
        if (res->cpu_quota.set && res->cpu_quota.value == 0)
                PROBLEM(res->cpu_quota.origin, "CPUQuota", "0%% would never let the service run");
        if (res->tasks_max.set && res->tasks_max.value == 0)
                PROBLEM(res->tasks_max.origin, "TasksMax", "0 would not even allow the service itself");

        /* [Security] */
        uint64_t outside = sec->ambient_capabilities & ~sec->capability_bounding_set;
        for (int cap = 0; cap < 64; cap++) {
                if (!(outside >> cap & 1))
                        continue;
                char buf[64];
                const char *name = capability_to_name(cap, buf, sizeof buf);
                if (name)
                        PROBLEM(sec->ambient_capabilities_origin, "AmbientCapabilities",
                                "%s is not in CapabilityBoundingSet=", name);
                else
                        PROBLEM(sec->ambient_capabilities_origin, "AmbientCapabilities",
                                "capability %d is not in CapabilityBoundingSet=", cap);
        }

        return added;
}

/* ---- SystemCallFilter= ---- */

static int add_name(void *userdata, const char *name) {
        char ***l = userdata;
        if (strv_contains(*l, name))
                return 0;
        return strv_extend(l, name);
}

static int expand_cb(const char *syscall, void *userdata) {
        return add_name(userdata, syscall);
}

/* Every syscall name `name` stands for (itself, or a group's members recursively). */
static int expand_name(const char *name, char ***ret) {
        if (name[0] == '@') {
                if (!syscall_group_find(name))
                        return add_name(ret, name); /* unknown here: the loader reported it */
                return syscall_group_expand(name, expand_cb, ret);
        }
        return add_name(ret, name);
}

static void strv_remove_index(char **l, size_t i) {
        free(l[i]);
        memmove(l + i, l + i + 1, (strv_length(l + i + 1) + 1) * sizeof(char *));
}

/* Takes `name` out of the set `*l`: the name itself, any plain syscall it stands for, and
 * those members of a group in the set that it covers (the group is then replaced by the
 * members that remain). Groups the removal does not touch stay groups. */
static int set_remove(char ***l, const char *name) {
        _cleanup_strv_free_ char **gone = NULL;
        int r = expand_name(name, &gone);
        if (r < 0)
                return r;

        for (size_t i = 0; (*l)[i];) {
                const char *x = (*l)[i];
                if (streq(x, name) || (x[0] != '@' && strv_contains(gone, x))) {
                        strv_remove_index(*l, i);
                        continue;
                }
                if (x[0] != '@') {
                        i++;
                        continue;
                }
                _cleanup_strv_free_ char **members = NULL;
                r = expand_name(x, &members);
                if (r < 0)
                        return r;
                bool overlap = false;
                STRV_FOREACH (m, members)
                        if (strv_contains(gone, *m)) {
                                overlap = true;
                                break;
                        }
                if (!overlap) {
                        i++;
                        continue;
                }
                strv_remove_index(*l, i);
                STRV_FOREACH (m, members)
                        if (!strv_contains(gone, *m)) {
                                r = add_name(l, *m);
                                if (r < 0)
                                        return r;
                        }
                /* the members went to the end; position i now holds the next entry */
        }
        return 0;
}

int model_syscall_filter_effective(const struct hutch_unit *u, bool *ret_allow, char ***ret_names) {
        const struct unit_section_security *sec = &u->security;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        names = new0(char *, 1);
        if (!names)
                return -ENOMEM;

        if (!sec->syscall_filter_set) {
                /* hutch's default, where systemd has none: what SystemCallFilter=@system-service
                 * gives (an allow list includes @default), so that hutch show's text of it reads
                 * back as the same list */
                if (syscall_group_find("@default") && (r = strv_extend(&names, "@default")) < 0)
                        return r;
                r = strv_extend(&names, "@system-service");
                if (r < 0)
                        return r;
                *ret_allow = true;
                *ret_names = TAKE_PTR(names);
                return 0;
        }

        if (sec->n_syscall_filter == 0) {
                /* "SystemCallFilter=" alone: no list, nothing denied by it */
                *ret_allow = false;
                *ret_names = TAKE_PTR(names);
                return 0;
        }

        /* As systemd: the first entry decides; an allow list always includes @default. One
         * difference: unless the unit reset the list with an empty "SystemCallFilter=", a list
         * that starts with '~' takes calls out of the default allow list (@system-service)
         * instead of turning into a deny list that allows everything else. Denying something
         * must never loosen the secure default. */
        bool allow = !sec->syscall_filter[0].deny || !sec->syscall_filter_reset;
        if (allow && sec->syscall_filter[0].deny) {
                r = strv_extend(&names, "@system-service");
                if (r < 0)
                        return r;
        }
        if (allow && syscall_group_find("@default")) {
                r = add_name(&names, "@default");
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < sec->n_syscall_filter; i++) {
                const struct syscall_rule *rule = &sec->syscall_filter[i];
                /* in an allow list, '~' takes out; in a deny list, a plain entry takes out */
                bool adds = allow ? !rule->deny : rule->deny;
                r = adds ? add_name(&names, rule->name) : set_remove(&names, rule->name);
                if (r < 0)
                        return r;
        }

        *ret_allow = allow;
        *ret_names = TAKE_PTR(names);
        return 0;
}
