/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The delegated subtree of one unit: discovery, layout, controllers, teardown. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup/cgroup-util.h"
#include "hutch/cgroup.h"
#include "hutch/procfs.h"
#include "hutch/log.h"

static const struct {
        unsigned bit;
        const char *name;
} controller_names[] = {
        {CGROUP_CONTROLLER_CPU, "cpu"},       {CGROUP_CONTROLLER_CPUSET, "cpuset"},
        {CGROUP_CONTROLLER_MEMORY, "memory"}, {CGROUP_CONTROLLER_PIDS, "pids"},
        {CGROUP_CONTROLLER_IO, "io"},
};

/* The first key (in [Resources] order) that needs controller `bit`, with its origin. */
static const char *key_needing(const struct hutch_unit *u, unsigned bit, struct unit_origin *ret_origin) {
        const struct unit_section_resources *r = &u->resources;
        const struct {
                unsigned bit;
                bool set;
                const char *key;
                struct unit_origin origin;
        } keys[] = {
                {CGROUP_CONTROLLER_CPU, r->cpu_weight.set, "CPUWeight", r->cpu_weight.origin},
                {CGROUP_CONTROLLER_CPU, r->cpu_quota.set, "CPUQuota", r->cpu_quota.origin},
                {CGROUP_CONTROLLER_CPUSET, r->allowed_cpus != NULL, "AllowedCPUs", r->allowed_cpus_origin},
                {CGROUP_CONTROLLER_MEMORY, r->memory_min.set, "MemoryMin", r->memory_min.origin},
                {CGROUP_CONTROLLER_MEMORY, r->memory_low.set, "MemoryLow", r->memory_low.origin},
                {CGROUP_CONTROLLER_MEMORY, r->memory_high.set, "MemoryHigh", r->memory_high.origin},
                {CGROUP_CONTROLLER_MEMORY, r->memory_max.set, "MemoryMax", r->memory_max.origin},
                {CGROUP_CONTROLLER_MEMORY, r->memory_swap_max.set, "MemorySwapMax",
                 r->memory_swap_max.origin},
                {CGROUP_CONTROLLER_PIDS, r->tasks_max.set, "TasksMax", r->tasks_max.origin},
                {CGROUP_CONTROLLER_IO, r->io_weight.set, "IOWeight", r->io_weight.origin},
        };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (keys[i].bit == bit && keys[i].set) {
                        if (ret_origin)
                                *ret_origin = keys[i].origin;
                        return keys[i].key;
                }
        if (bit == CGROUP_CONTROLLER_IO)
                for (size_t k = 0; k < _IO_LIMIT_KIND_MAX; k++)
                        if (r->n_io_limits[k] > 0) {
                                if (ret_origin)
                                        *ret_origin = r->io_limits[k][0].origin;
                                return model_io_limit_kinds[k].key;
                        }
        return NULL;
}

unsigned cgroup_controllers_needed(const struct hutch_unit *u) {
        unsigned mask = 0;
        for (size_t i = 0; i < ELEMENTSOF(controller_names); i++)
                if (key_needing(u, controller_names[i].bit, NULL))
                        mask |= controller_names[i].bit;
        return mask;
}

/* Parses a space-separated controller list ("cpu io memory pids") into bits. */
static unsigned parse_controllers(const char *s) {
        unsigned mask = 0;
        while (*s) {
                size_t n = strcspn(s, " \n");
                for (size_t i = 0; i < ELEMENTSOF(controller_names); i++)
                        if (strlen(controller_names[i].name) == n &&
                            strncmp(s, controller_names[i].name, n) == 0)
                                mask |= controller_names[i].bit;
                s += n;
                s += strspn(s, " \n");
        }
        return mask;
}

static int read_controllers_at(int dirfd, const char *file, unsigned *ret) {
        char buf[512];
        int r = cg_read_at(dirfd, file, buf, sizeof buf);
        if (r < 0)
                return r;
        *ret = parse_controllers(buf);
        return 0;
}

/* "+cpu +memory" for the bits in mask, with `sign`. */
static void format_controllers(char *buf, size_t l, unsigned mask, char sign) {
        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(controller_names); i++)
                if (mask & controller_names[i].bit) {
                        size_t n = strlen(buf);
                        snprintf(buf + n, l - n, "%s%c%s", n ? " " : "", sign, controller_names[i].name);
                }
}

static int cgroup_is_delegated(int fd) {
        /* systemd marks a cgroup it delegates to a service with this xattr (trusted.* when it runs
         * as the system manager, user.* for the user manager and newer versions) */
        static const char *const names[] = {"trusted.delegate", "user.delegate"};
        if (!getenv("INVOCATION_ID"))
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char v[8] = {};
                ssize_t n = fgetxattr(fd, names[i], v, sizeof v - 1);
                if (n > 0 && (v[0] == '1' || v[0] == 'y' || v[0] == 't'))
                        return 1;
        }
        return 0;
}

static struct cgroup_tree *tree_new(void) {
        struct cgroup_tree *t = new0(struct cgroup_tree, 1);
        if (!t)
                return NULL;
        t->mount_fd = t->origin_fd = t->root_fd = t->supervisor_fd = t->payload_fd = -EBADF;
        return t;
}

static char *path_join2(const char *a, const char *b) {
        char *p;
        if (asprintf(&p, "%s%s%s", a, streq(a, "/") ? "" : "/", b) < 0)
                return NULL;
        return p;
}

/* Why a controller the cgroup v2 hierarchy lacks is missing, as a clause for the error: bound to
 * a cgroup v1 hierarchy (the third column of /proc/cgroups is its hierarchy; 0 is cgroup v2's,
 * and v1 calls io "blkio"), turned off at boot, or not passed down to the cgroup hutch runs in. */
static void why_unavailable(const struct cgroup_tree *t, unsigned bit, const char *name, char *buf,
                            size_t l) {
        buf[0] = 0;
        const char *v1_name = bit == CGROUP_CONTROLLER_IO ? "blkio" : name;
        FILE *f = fopen("/proc/cgroups", "re");
        if (f) {
                char line[256], n[64];
                unsigned hierarchy, count, enabled;
                while (fgets(line, sizeof line, f))
                        if (sscanf(line, "%63s %u %u %u", n, &hierarchy, &count, &enabled) == 4 &&
                            streq(n, v1_name)) {
                                if (!enabled)
                                        snprintf(buf, l,
                                                 ": it is turned off on the kernel command line "
                                                 "(cgroup_disable=)");
                                else if (hierarchy != 0)
                                        snprintf(buf, l,
                                                 ": it is bound to a cgroup v1 hierarchy (%s), a "
                                                 "hybrid layout; boot with "
                                                 "systemd.unified_cgroup_hierarchy=1",
                                                 v1_name);
                                break;
                        }
                fclose(f);
        }
        unsigned at_root = 0;
        if (!buf[0] && read_controllers_at(t->mount_fd, "cgroup.controllers", &at_root) >= 0 &&
            (at_root & bit))
                snprintf(buf, l,
                         ": a parent cgroup does not pass it down (its cgroup.subtree_control); "
                         "under systemd, give the service Delegate=yes");
}

/* The controllers of `needed` that are not available at `fd` are an error naming the first
 * key that needs each. */
static int check_controllers(const struct cgroup_tree *t, const struct hutch_unit *u, unsigned needed,
                             int fd, const char *rel) {
        unsigned avail = 0;
        int r = read_controllers_at(fd, "cgroup.controllers", &avail);
        if (r < 0)
                return log_error_errno(r, "read %s%s/cgroup.controllers: %m", t->mount_path, rel);
        int ret = 0;
        for (size_t i = 0; i < ELEMENTSOF(controller_names); i++) {
                unsigned bit = controller_names[i].bit;
                if (!(needed & bit) || (avail & bit))
                        continue;
                struct unit_origin o = {};
                const char *key = key_needing(u, bit, &o);
                char why[160];
                why_unavailable(t, bit, controller_names[i].name, why, sizeof why);
                char where[512];
                log_error("%s%s: the %s controller is not available in the cgroup v2 hierarchy at %s%s%s",
                          unit_origin_prefix(o, where, sizeof where), key, controller_names[i].name,
                          t->mount_path, streq(rel, "/") ? "" : rel, why);
                ret = -EOPNOTSUPP;
        }
        return ret;
}

/* Enables what of mask is not enabled yet, and adds that to *added. */
static int enable_controllers(const struct cgroup_tree *t, int fd, const char *rel, unsigned mask,
                              unsigned *added) {
        unsigned have = 0;
        int r = read_controllers_at(fd, "cgroup.subtree_control", &have);
        if (r < 0)
                return log_error_errno(r, "read %s%s/cgroup.subtree_control: %m", t->mount_path, rel);
        mask &= ~have;
        if (mask == 0)
                return 0;
        char buf[128];
        format_controllers(buf, sizeof buf, mask, '+');
        r = cg_write_at(fd, "cgroup.subtree_control", buf);
        if (r == -EBUSY)
                return log_error_errno(
                        r,
                        "enable controllers (%s) in %s%s/cgroup.subtree_control: %m (the cgroup "
                        "holds processes; run hutch under systemd with Delegate=yes)",
                        buf, t->mount_path, rel);
        if (r < 0)
                return log_error_errno(r, "enable controllers (%s) in %s%s/cgroup.subtree_control: %m", buf,
                                       t->mount_path, rel);
        *added |= mask;
        return 0;
}

/* Turns off what enable_controllers() turned on, at teardown; returns whether it is off. */
static bool disable_controllers(const struct cgroup_tree *t, int fd, const char *rel, unsigned *added) {
        if (*added == 0)
                return true;
        char buf[128];
        format_controllers(buf, sizeof buf, *added, '-');
        int r = cg_write_at(fd, "cgroup.subtree_control", buf);
        if (r < 0) {
                log_warning_errno(r, "disable controllers (%s) in %s%s/cgroup.subtree_control: %m", buf,
                                  t->mount_path, rel);
                return false;
        }
        *added = 0;
        return true;
}

/* Returns 1 when the directory was created, 0 when it existed, or -errno. */
static int open_subdir(int dirfd, const char *name, bool create, int *ret) {
        bool created = false;
        if (create) {
                if (mkdirat(dirfd, name, 0755) == 0)
                        created = true;
                else if (errno != EEXIST)
                        return -errno;
        }
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return created;
}

/* Processes an earlier run left in a cgroup of the unit (hutch itself holds the unit's lock by
 * now, so no other hutch runs it): an error naming them, "pids 12 13 ..." from payload/ or the
 * unit's own cgroup. */
static int leftover_error(const struct cgroup_tree *t, const char *path) {
        char pids[256] = "", buf[512];
        size_t n = 0;
        int fds[] = {t->payload_fd, t->root_fd};
        for (size_t i = 0; i < ELEMENTSOF(fds) && n < sizeof pids - 16; i++) {
                if (fds[i] < 0 || cg_read_at(fds[i], "cgroup.procs", buf, sizeof buf) <= 0)
                        continue;
                for (char *p = strtok(buf, "\n"); p && n < sizeof pids - 16; p = strtok(NULL, "\n"))
                        n += (size_t) snprintf(pids + n, sizeof pids - n, " %s", p);
        }
        return log_error_errno(-EBUSY,
                               "processes of an earlier run of %s are still in cgroup %s%s (pids%s); stop "
                               "them, then start the unit again",
                               t->unit_name, t->mount_path, path, n ? pids : " in child cgroups");
}

int cgroup_tree_setup(const struct hutch_unit *u, bool move_self, struct cgroup_tree **ret) {
        _cleanup_cgroup_tree_ struct cgroup_tree *t = tree_new();
        int r;

        if (!t)
                return log_oom();
        t->unit_name = strdup(u->name);
        if (!t->unit_name)
                return log_oom();

        r = proc_cgroup2_mount(&t->mount_path);
        if (r == -ENOMEDIUM)
                return log_error_errno(r,
                                       "find cgroup2 mount in /proc/self/mountinfo: none is mounted (hutch "
                                       "needs a cgroup v2 hierarchy, unified or hybrid, to keep the "
                                       "service's processes together)");
        if (r < 0)
                return log_error_errno(r, "find cgroup2 mount /proc/self/mountinfo: %m");
        r = cgroup_find_self(&t->origin_path);
        if (r < 0)
                return log_error_errno(r, "find own cgroup /proc/self/cgroup: %m");

        t->mount_fd = open(t->mount_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->mount_fd < 0)
                return log_error_errno(-errno, "open cgroup2 mount %s: %m", t->mount_path);
        if (streq(t->origin_path, "/"))
                t->origin_fd = fcntl(t->mount_fd, F_DUPFD_CLOEXEC, 3);
        else
                t->origin_fd = openat(t->mount_fd, t->origin_path + 1, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (t->origin_fd < 0)
                return log_error_errno(-errno, "open own cgroup %s%s: %m", t->mount_path, t->origin_path);

        t->delegated = cgroup_is_delegated(t->origin_fd) > 0;

        /* Refuse a limit we cannot enforce before anything is created. */
        unsigned needed = cgroup_controllers_needed(u);
        r = check_controllers(t, u, needed, t->origin_fd, t->origin_path);
        if (r < 0)
                return r;

        char name[300];
        if (t->delegated) {
                t->root_fd = fcntl(t->origin_fd, F_DUPFD_CLOEXEC, 3);
                if (t->root_fd < 0)
                        return log_error_errno(-errno, "dup cgroup fd: %m");
                t->root_path = strdup(t->origin_path);
                if (!t->root_path)
                        return log_oom();
        } else {
                snprintf(name, sizeof name, "hutch-%s", u->name);
                t->root_path = path_join2(t->origin_path, name);
                if (!t->root_path)
                        return log_oom();
                r = open_subdir(t->origin_fd, name, true, &t->root_fd);
                if (r < 0)
                        return log_error_errno(r, "create cgroup %s%s: %m", t->mount_path, t->root_path);
                bool stale = r == 0;
                /* One hutch per unit: the lock dies with its holder, so a hutch that was
                 * SIGKILLed does not block the next start. */
                if (flock(t->root_fd, LOCK_EX | LOCK_NB) < 0) {
                        r = -errno;
                        safe_close_fd(&t->root_fd); /* keep the running unit's cgroup */
                        if (r == -EWOULDBLOCK)
                                return log_error_errno(-EBUSY,
                                                       "unit is already running (cgroup %s%s is in use)",
                                                       t->mount_path, t->root_path);
                        return log_error_errno(r, "lock cgroup %s%s: %m", t->mount_path, t->root_path);
                }
                /* A directory we have just made holds nothing yet. */
                r = stale ? cg_populated_at(t->root_fd) : 0;
                if (r > 0) {
                        (void) open_subdir(t->root_fd, "payload", false, &t->payload_fd);
                        r = leftover_error(t, t->root_path);
                        safe_close_fd(&t->payload_fd);
                        safe_close_fd(&t->root_fd);
                        return r;
                }
                /* An empty tree left by a hutch that was SIGKILLed still carries that run's
                 * limits: start from fresh directories, so a key removed from the unit since is
                 * back at the kernel's default. Our lock stays on the removed directory's fd
                 * only until the new one is locked; a racing start loses on the new lock. */
                if (stale) {
                        (void) unlinkat(t->root_fd, "payload", AT_REMOVEDIR);
                        (void) unlinkat(t->root_fd, "supervisor", AT_REMOVEDIR);
                }
                if (stale && unlinkat(t->origin_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
                        /* Going on in it would keep that run's limits (a key removed since
                         * would still apply): an empty cgroup that cannot be removed holds
                         * cgroups of its own, which are not hutch's to remove. */
                        r = log_error_errno(-errno,
                                            "remove the cgroup %s%s an earlier run left: %m (remove the "
                                            "cgroups below it, then start the unit again)",
                                            t->mount_path, t->root_path);
                        safe_close_fd(&t->root_fd);
                        return r;
                }
                if (stale) {
                        safe_close_fd(&t->root_fd);
                        r = open_subdir(t->origin_fd, name, true, &t->root_fd);
                        if (r < 0)
                                return log_error_errno(r, "create cgroup %s%s: %m", t->mount_path,
                                                       t->root_path);
                        if (flock(t->root_fd, LOCK_EX | LOCK_NB) < 0) {
                                safe_close_fd(&t->root_fd);
                                return log_error_errno(-EBUSY,
                                                       "unit is already running (cgroup %s%s is in use)",
                                                       t->mount_path, t->root_path);
                        }
                }
        }

        t->payload_path = path_join2(t->root_path, "payload");
        if (!t->payload_path)
                return log_oom();
        /* hutch leaves the cgroup it runs in only when it must: a delegated cgroup may hold no
         * process once controllers are enabled for its children, and outside systemd the cgroup
         * hutch was started in must be left empty before hutch can enable controllers there.
         * A unit that needs no controller outside systemd keeps hutch where it was started, and
         * its tree is hutch-NAME/payload/ alone: a mkdir, a rmdir and two cgroup.procs writes
         * fewer per start (bench/RESULTS.md), and the layout a daemon supervising many units
         * will use anyway. */
        bool leave = move_self && (t->delegated || needed);
        if (leave) {
                r = open_subdir(t->root_fd, "supervisor", true, &t->supervisor_fd);
                if (r < 0)
                        return log_error_errno(r, "create cgroup %s%s/supervisor: %m", t->mount_path,
                                               t->root_path);
        }
        r = open_subdir(t->root_fd, "payload", true, &t->payload_fd);
        if (r < 0)
                return log_error_errno(r, "create cgroup %s%s: %m", t->mount_path, t->payload_path);
        r = r == 0 ? cg_populated_at(t->payload_fd) : 0;
        if (r > 0) {
                r = leftover_error(t, t->payload_path);
                /* Not ours to kill: the tree is freed without touching payload/. */
                safe_close_fd(&t->payload_fd);
                return r;
        }

        if (leave) {
                /* Writing our own pid is the one cgroup.procs write hutch does: the payload goes in
                 * with CLONE_INTO_CGROUP. */
                r = cg_write_at(t->supervisor_fd, "cgroup.procs", "0");
                if (r < 0)
                        return log_error_errno(r, "move hutch into %s%s/supervisor/cgroup.procs: %m",
                                               t->mount_path, t->root_path);
                t->moved_self = !t->delegated;
        }

        if (needed) {
                if (!t->delegated) {
                        r = enable_controllers(t, t->origin_fd, t->origin_path, needed, &t->origin_added);
                        if (r < 0)
                                return r;
                }
                r = enable_controllers(t, t->root_fd, t->root_path, needed, &t->root_added);
                if (r < 0)
                        return r;
                r = check_controllers(t, u, needed, t->payload_fd, t->payload_path);
                if (r < 0)
                        return r;
        }
        /* Under systemd, payload/ gets the memory controller whenever the service has it, with no
         * limit of its own: its memory.events then tells of an OOM kill (by the kernel's own OOM
         * killer, or a limit set on the service) as systemd's memory accounting, on by default,
         * would, and the unit ends with the result oom-kill. Outside systemd it would take moving
         * hutch out of its cgroup at every start: there only a memory key does it. Best effort. */
        if (t->delegated && !(needed & CGROUP_CONTROLLER_MEMORY)) {
                unsigned avail = 0;
                if (read_controllers_at(t->root_fd, "cgroup.controllers", &avail) >= 0 &&
                    (avail & CGROUP_CONTROLLER_MEMORY))
                        (void) cg_write_at(t->root_fd, "cgroup.subtree_control", "+memory");
        }

        r = cgroup_apply_limits(t, u);
        if (r < 0)
                return r;

        (void) cgroup_oom_kills_changed(t); /* baseline */
        *ret = TAKE_PTR(t);
        return 0;
}

int cgroup_payload_populated(struct cgroup_tree *t) {
        return cg_populated_at(t->payload_fd);
}

int cgroup_payload_kill(struct cgroup_tree *t) {
        int r = cg_write_at(t->payload_fd, "cgroup.kill", "1");
        if (r >= 0) {
                t->payload_killed = true;
                return 0;
        }
        if (r != -ENOENT)
                log_debug_errno(r, "write %s%s/cgroup.kill: %m, killing pid by pid", t->mount_path,
                                t->payload_path);
        return cg_kill_recursive(t->payload_fd);
}

int cgroup_payload_renew(struct cgroup_tree *t, const struct hutch_unit *u) {
        if (!t->payload_killed)
                return 0;
        if (unlinkat(t->root_fd, "payload", AT_REMOVEDIR) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "remove killed cgroup %s%s: %m", t->mount_path,
                                       t->payload_path);
        safe_close_fd(&t->payload_fd);
        int r = open_subdir(t->root_fd, "payload", true, &t->payload_fd);
        if (r < 0)
                return log_error_errno(r, "create cgroup %s%s: %m", t->mount_path, t->payload_path);
        t->payload_killed = false;
        r = cgroup_apply_limits(t, u);
        if (r < 0)
                return r;
        t->oom_kills = 0;
        (void) cgroup_oom_kills_changed(t); /* the new directory's baseline */
        return 1;
}

int cgroup_payload_wait_empty(struct cgroup_tree *t, usec_t timeout) {
        return cg_wait_empty_at(t->payload_fd, timeout);
}

int cgroup_oom_kills_changed(struct cgroup_tree *t) {
        /* Whether payload/ has the memory controller is settled when the tree is made: below a
         * delegated cgroup only hutch enables controllers, and outside systemd hutch enables them
         * before the baseline read. */
        if (t->no_memory_events)
                return 0;
        char buf[512];
        int r = cg_read_at(t->payload_fd, "memory.events", buf, sizeof buf);
        if (r == -ENOENT) {
                t->no_memory_events = true;
                return 0;
        }
        if (r < 0)
                return r;
        const char *p = strstr(buf, "oom_kill ");
        if (!p)
                return 0;
        uint64_t n = strtoull(p + STRLEN("oom_kill "), NULL, 10);
        bool grew = n > t->oom_kills;
        t->oom_kills = n;
        return grew;
}

void cgroup_tree_free(struct cgroup_tree *t) {
        if (!t)
                return;
        /* The payload cgroup is normally empty by now (the supervisor waited for it): removing
         * it is the check. Only a cgroup that still holds processes (EBUSY) is killed and waited
         * for. */
        bool payload_removed = t->payload_fd < 0;
        if (t->payload_fd >= 0 && t->root_fd >= 0) {
                if (unlinkat(t->root_fd, "payload", AT_REMOVEDIR) == 0 || errno == ENOENT)
                        payload_removed = true;
                else if (errno == EBUSY && cg_populated_at(t->payload_fd) > 0) {
                        (void) cgroup_payload_kill(t);
                        (void) cg_wait_empty_at(t->payload_fd, 2 * USEC_PER_SEC);
                }
                if (!payload_removed) {
                        if (unlinkat(t->root_fd, "payload", AT_REMOVEDIR) == 0 || errno == ENOENT)
                                payload_removed = true;
                        else
                                log_warning_errno(-errno, "remove cgroup %s%s: %m", t->mount_path,
                                                  t->payload_path);
                }
        }
        /* The kernel lets no process into a cgroup other than the root whose children have
         * controllers (cgroup v2's "no internal processes"): what hutch enabled in the cgroup it
         * was started in is turned off again, from the bottom up, before it moves back there. A
         * controller enabled there before hutch started stays; then hutch cannot move back (the
         * cgroup could not have held it either) and its tree stays, which is said. */
        if (t->moved_self && t->origin_fd >= 0) {
                bool off = payload_removed && t->root_fd >= 0 &&
                           disable_controllers(t, t->root_fd, t->root_path, &t->root_added) &&
                           disable_controllers(t, t->origin_fd, t->origin_path, &t->origin_added);
                int r = cg_write_at(t->origin_fd, "cgroup.procs", "0");
                if (r < 0)
                        log_warning_errno(r, "move hutch back to %s%s: %m; %s%s is left behind%s",
                                          t->mount_path, t->origin_path, t->mount_path, t->root_path,
                                          off ? "" : " (controllers still enabled below it)");
                else
                        t->moved_self = false;
        }
        if (t->root_fd >= 0) {
                /* Under delegation we are still inside supervisor/: systemd removes it with the
                 * service's cgroup. */
                if (t->supervisor_fd >= 0 && !t->moved_self && !t->delegated)
                        (void) unlinkat(t->root_fd, "supervisor", AT_REMOVEDIR);
        }
        if (!t->delegated && !t->moved_self && t->origin_fd >= 0 && t->root_fd >= 0) {
                char name[300];
                snprintf(name, sizeof name, "hutch-%s", t->unit_name);
                if (unlinkat(t->origin_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                        log_warning_errno(-errno, "remove cgroup %s%s: %m", t->mount_path, t->root_path);
        }
        safe_close_fd(&t->payload_fd);
        safe_close_fd(&t->supervisor_fd);
        safe_close_fd(&t->root_fd); /* releases the lock, after the directory is gone */
        safe_close_fd(&t->origin_fd);
        safe_close_fd(&t->mount_fd);
        free(t->unit_name);
        free(t->mount_path);
        free(t->origin_path);
        free(t->root_path);
        free(t->payload_path);
        free(t);
}
