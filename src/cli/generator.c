/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* hutch-generator: a systemd generator (systemd.generator(7)) that turns every unit on hutch's
 * search path into NAME.service running `hutch run NAME`, so `systemctl start NAME` works. */

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hutch/host.h"
#include "hutch/log.h"
#include "hutch/model.h"
#include "hutch/parse.h"
#include "hutch/strv.h"
#include "hutch/unit.h"

#ifndef HUTCH_BINARY
#define HUTCH_BINARY "/usr/bin/hutch"
#endif

/* A template is loaded once with this instance; every occurrence in the values written to the
 * service is turned back into "%i" so systemd substitutes the real instance. Letters and digits
 * only, so escaping and unescaping (%i, %I) leave it unchanged. */
#define TEMPLATE_MARKER "HutchGeneratorInstance7f3a9c"

/* Log targets as systemd's own generators pick them ($SYSTEMD_LOG_TARGET): the journal when it
 * is running (daemon-reload), else the kernel log (generators run at boot before journald). */
enum log_target { TARGET_CONSOLE, TARGET_KMSG, TARGET_JOURNAL };
static int kmsg_fd = -1;

static void generator_log_sink(int level, const char *message, void *userdata) {
        enum log_target t = *(enum log_target *) userdata;
        if (t == TARGET_JOURNAL) {
                _cleanup_free_ char *m = NULL;
                char prio[32];
                snprintf(prio, sizeof prio, "PRIORITY=%d", level);
                if (asprintf(&m, "MESSAGE=%s", message) >= 0) {
                        struct iovec iov[] = {
                                {.iov_base = m, .iov_len = strlen(m)},
                                {.iov_base = prio, .iov_len = strlen(prio)},
                                {.iov_base = (char *) "SYSLOG_IDENTIFIER=hutch-generator",
                                 .iov_len = STRLEN("SYSLOG_IDENTIFIER=hutch-generator")},
                        };
                        if (host_journal_sendv(iov, ELEMENTSOF(iov)) >= 0)
                                return;
                }
        }
        if (t != TARGET_CONSOLE && kmsg_fd >= 0) {
                /* kmsg takes one record per write, prefixed with <priority>. */
                if (log_write_line(kmsg_fd, "<%d>hutch-generator: %s", level, message) >= 0)
                        return;
        }
        (void) log_write_line(STDERR_FILENO, "hutch-generator: %s", message);
}

static enum log_target log_target;

static void setup_logging(void) {
        const char *e = getenv("SYSTEMD_LOG_TARGET");
        bool journal = access("/run/systemd/journal/socket", F_OK) == 0;
        if (e && (streq(e, "console") || streq(e, "console-prefixed")))
                log_target = TARGET_CONSOLE;
        else if (e && streq(e, "kmsg"))
                log_target = TARGET_KMSG;
        else if (e && streq(e, "journal"))
                log_target = TARGET_JOURNAL;
        else if (!e && isatty(STDERR_FILENO))
                log_target = TARGET_CONSOLE; /* run by hand */
        else
                log_target = journal ? TARGET_JOURNAL : TARGET_KMSG;
        if (log_target == TARGET_KMSG || (log_target == TARGET_JOURNAL && !journal)) {
                kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (log_target == TARGET_JOURNAL)
                        log_target = TARGET_KMSG;
        }
        log_set_sink(generator_log_sink, &log_target);
}

/* Writes `s` for a unit file value: '%' doubled (systemd expands specifiers in most values),
 * the template marker turned into "%i", and newlines (which would end the assignment) as
 * spaces. A line ending in an odd number of backslashes would go on in the next line (systemd's
 * line continuation, which would swallow the next assignment): one more is added. */
static void put_value(FILE *f, const char *s) {
        size_t ml = strlen(TEMPLATE_MARKER), l = strlen(s), trailing = 0;
        while (trailing < l && s[l - 1 - trailing] == '\\')
                trailing++;
        while (*s) {
                if (strncmp(s, TEMPLATE_MARKER, ml) == 0) {
                        fputs("%i", f);
                        s += ml;
                        continue;
                }
                if (*s == '%')
                        fputs("%%", f);
                else if (*s == '\n' || *s == '\r')
                        fputc(' ', f);
                else
                        fputc(*s, f);
                s++;
        }
        if (trailing % 2)
                fputc('\\', f);
}

static void put_list(FILE *f, const char *key, const struct str_list *l) {
        STRV_FOREACH (i, l->items) {
                fprintf(f, "%s=", key);
                put_value(f, *i);
                fputc('\n', f);
        }
}

static void put_timeout(FILE *f, const char *key, usec_t t) {
        if (t == USEC_INFINITY || t == 0) {
                fprintf(f, "%s=infinity\n", key);
                return;
        }
        if (t >= USEC_INFINITY - HOST_TIMEOUT_MARGIN_USEC) {
                fprintf(f, "%s=infinity\n", key); /* the margin would wrap around to a few seconds */
                return;
        }
        char buf[64];
        fprintf(f, "%s=%s\n", key, format_timespan(buf, sizeof buf, t + HOST_TIMEOUT_MARGIN_USEC));
}

/* hutch run exits with the payload's status, 128+N for a death by signal N, also when its
 * result is success: SuccessExitStatus= (the unit's, and for a service the clean deaths by
 * SIGHUP, SIGINT, SIGTERM and SIGPIPE) must be those codes to systemd, so that the service
 * ends inactive where a native one would, not failed. */
static void put_success_exit_status(FILE *f, const struct hutch_unit *u) {
        const struct exit_status_set *ok = &u->service.success_exit_status;
        bool any = false;
        for (int i = 1; i < 256; i++) {
                int sig = i > 128 ? i - 128 : 0;
                bool clean = u->service.type != SERVICE_ONESHOT &&
                             (sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE);
                if (!exit_status_set_has_status(ok, i) && !exit_status_set_has_signal(ok, sig) && !clean)
                        continue;
                fprintf(f, "%s%d", any ? " " : "SuccessExitStatus=", i);
                any = true;
        }
        if (any)
                fputc('\n', f);
}

/* The name as hutch knows it, for ExecStart=: "web", or "web@%i" for a template. Unit names
 * may contain '\' (systemd's escaping, "\x2d"), which ExecStart= would unescape: double it. */
static void put_exec_name(FILE *f, const char *name, bool template) {
        for (const char *c = name; *c; c++) {
                if (*c == '\\')
                        fputs("\\\\", f);
                else
                        fputc(*c, f);
        }
        if (template)
                fputs("%i", f);
}

static void put_limit(FILE *f, const char *key, const struct limit *l, bool bytes) {
        if (!l->set)
                return;
        if (bytes && l->value == LIMIT_INFINITY)
                fprintf(f, "%s=infinity\n", key);
        else
                fprintf(f, "%s=%" PRIu64 "\n", key, l->value);
}

static int write_service(int dirfd, const char *service, const struct hutch_unit *u, const char *name,
                         bool template) {
        int fd = openat(dirfd, service, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return log_error_errno(-errno, "%s: cannot create: %m", service);
        FILE *f = fdopen(fd, "we");
        if (!f) {
                close(fd);
                return log_oom();
        }

        fputs("# Generated by hutch-generator from the unit file named by SourcePath=.\n", f);
        fputs("# Edit that file (or add a drop-in to it) and run `systemctl daemon-reload`.\n\n", f);
        fputs("[Unit]\n", f);
        fputs("Description=", f);
        if (u->unit.description)
                put_value(f, u->unit.description);
        else {
                fputs("hutch sandbox ", f);
                put_value(f, u->name);
        }
        fputc('\n', f);
        if (u->fragment_path) {
                fputs("SourcePath=", f);
                put_value(f, u->fragment_path);
                fputc('\n', f);
        }
        put_list(f, "Documentation", &u->unit.documentation);
        put_list(f, "After", &u->unit.after);
        put_list(f, "Before", &u->unit.before);
        put_list(f, "Wants", &u->unit.wants);
        put_list(f, "Requires", &u->unit.requires);
        put_list(f, "BindsTo", &u->unit.binds_to);
        put_list(f, "PartOf", &u->unit.part_of);
        put_list(f, "Conflicts", &u->unit.conflicts);

        fputs("\n[Service]\n", f);
        /* A oneshot payload: `hutch run` lasts as long as it does, as systemd expects of
         * Type=oneshot. Everything else: hutch says READY=1 when the payload is ready (execve
         * done for exec/simple, READY=1 from the payload for notify). */
        /* With RemainAfterExit=yes hutch stays after the command, until the stop, and says READY=1
         * once the command succeeded: Type=notify then. */
        if (u->service.type == SERVICE_ONESHOT && !u->service.remain_after_exit)
                fputs("Type=oneshot\n", f);
        else
                fputs("Type=notify\n", f);
        /* hutch's STATUS= and EXTEND_TIMEOUT_USEC= (oneshot too); nothing from the payload gets
         * here but what hutch forwards. */
        fputs("NotifyAccess=main\n", f);
        fputs("ExecStart=" HUTCH_BINARY " run ", f);
        if (name[0] == '-')
                fputs("-- ", f); /* a valid unit name that `hutch run` would take for an option */
        put_exec_name(f, name, template);
        fputc('\n', f);
        /* The journal stream that carries the service's output (hutch's stdout and stderr, which
         * the payload inherits): its lines are named as systemd names a native service's, by
         * SyslogIdentifier= or the program's base name, not "hutch". hutch's own messages are
         * journal entries of their own, named hutch. */
        const char *exe = u->service.exec_start.path;
        const char *ident = u->service.syslog_identifier;
        if (!ident && exe)
                ident = strrchr(exe, '/') ? strrchr(exe, '/') + 1 : exe;
        if (ident && *ident) {
                fputs("SyslogIdentifier=", f);
                put_value(f, ident);
                fputc('\n', f);
        }
        if (u->service.syslog_facility >= 0)
                fprintf(f, "SyslogFacility=%s\n", syslog_facility_to_string(u->service.syslog_facility));
        if (u->service.syslog_level >= 0)
                fprintf(f, "SyslogLevel=%s\n", syslog_level_to_string(u->service.syslog_level));
        if (u->service.syslog_level_prefix >= 0)
                fprintf(f, "SyslogLevelPrefix=%s\n", u->service.syslog_level_prefix ? "yes" : "no");
        /* hutch builds the payload's cgroup subtree itself. */
        fputs("Delegate=yes\n", f);
        /* SIGTERM to hutch only: it stops the payload with its KillSignal= and TimeoutStopSec=;
         * systemd's SIGKILL of the whole cgroup comes only after the stop timeout. */
        fputs("KillMode=mixed\n", f);
        /* systemctl reload: SIGHUP to hutch, which runs the unit's ExecReload= in the sandbox. */
        if (u->service.exec_control[EXEC_RELOAD].n > 0)
                fputs("ExecReload=/bin/kill -HUP $MAINPID\n", f);
        /* Restarts are hutch's (one semantics with and without systemd). */
        fputs("Restart=no\n", f);
        put_success_exit_status(f, u);
        put_timeout(f, "TimeoutStartSec", u->service.timeout_start);
        put_timeout(f, "TimeoutStopSec", u->service.timeout_stop);
        /* Weights and memory protection count against sibling cgroups only: under systemd the
         * unit's siblings are other services, at the level systemd owns, so these go into the
         * service. (Limits are enforced by hutch inside its delegated subtree.) */
        put_limit(f, "CPUWeight", &u->resources.cpu_weight, false);
        put_limit(f, "IOWeight", &u->resources.io_weight, false);
        put_limit(f, "MemoryMin", &u->resources.memory_min, true);
        put_limit(f, "MemoryLow", &u->resources.memory_low, true);

        int r = 0;
        if (fflush(f) != 0 || ferror(f))
                r = log_error_errno(-errno ?: -EIO, "%s: write failed: %m", service);
        if (fclose(f) != 0 && r == 0)
                r = log_error_errno(-errno, "%s: close failed: %m", service);
        return r;
}

static int mkdir_at(int dirfd, const char *name) {
        if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* OUT/TARGET.SUFFIX/SERVICE -> OUT/SERVICE (an absolute link, as systemd writes its own). */
static int add_dependency_link(int dirfd, const char *out, const char *target, const char *suffix,
                               const char *service) {
        /* A target must be a unit name with a type ("multi-user.target"); anything else would make
         * a directory systemd never reads. */
        if (!strchr(target, '.') || strchr(target, '/') || target[0] == '.')
                return log_warning_errno(-EINVAL, "%s: %s=%s: not a unit name, ignored", service,
                                         streq(suffix, ".wants") ? "WantedBy" : "RequiredBy", target);
        _cleanup_free_ char *dir = NULL, *link = NULL, *dest = NULL;
        if (asprintf(&dir, "%s%s", target, suffix) < 0 || asprintf(&link, "%s/%s", dir, service) < 0 ||
            asprintf(&dest, "%s/%s", out, service) < 0)
                return log_oom();
        int r = mkdir_at(dirfd, dir);
        if (r < 0)
                return log_error_errno(r, "%s/%s: mkdir: %m", out, dir);
        if (symlinkat(dest, dirfd, link) < 0 && errno != EEXIST)
                return log_error_errno(-errno, "%s/%s: symlink: %m", out, link);
        return 0;
}

/* Alias= links are made once every service is written (add_aliases()), so that an alias never
 * takes the place of a unit of that name, whatever the order of the names. */
struct alias {
        char *name;    /* "www.service" */
        char *service; /* "web.service" */
};
static struct alias *aliases;
static size_t n_aliases;

/* The instance part of a service name ("blue" of "web@blue.service"), "" for a template, or
 * NULL for a plain name. */
static const char *instance_of(const char *service) {
        const char *at = strchr(service, '@');
        return at ? at + 1 : NULL;
}

static int queue_alias(const char *alias, const char *service) {
        const char *dot = strrchr(alias, '.');
        if (strchr(alias, '/') || alias[0] == '.' || (dot && !streq(dot, ".service")))
                return log_warning_errno(-EINVAL, "%s: Alias=%s: an alias must be a .service name, ignored",
                                         service, alias);
        _cleanup_free_ char *name = NULL;
        if (asprintf(&name, "%s%s", alias, dot ? "" : ".service") < 0)
                return log_oom();
        if (streq(name, service))
                return 0;
        /* As systemd's unit_validate_alias_symlink_or_warn(): a plain name for a plain unit, an
         * instance of the same instance for an instance; systemd ignores any other link. */
        const char *a = instance_of(name), *s = instance_of(service);
        if ((!a) != (!s) || (a && s && strcmp(a, s) != 0))
                return log_warning_errno(
                        -EINVAL, "%s: Alias=%s: an alias must be %s, as systemd requires; ignored", service,
                        alias,
                        s ? "an instance of the same instance (NAME@INSTANCE)" : "a plain name (no '@')");
        struct alias *n = realloc(aliases, (n_aliases + 1) * sizeof *n);
        if (!n)
                return log_oom();
        aliases = n;
        aliases[n_aliases].service = strdup(service);
        aliases[n_aliases].name = TAKE_PTR(name);
        if (!aliases[n_aliases].service) {
                free(aliases[n_aliases].name);
                return log_oom();
        }
        n_aliases++;
        return 0;
}

static void add_aliases(int dirfd, const char *out) {
        for (size_t i = 0; i < n_aliases; i++) {
                const struct alias *a = &aliases[i];
                _cleanup_free_ char *dest = NULL;
                if (asprintf(&dest, "%s/%s", out, a->service) < 0) {
                        log_oom();
                        break;
                }
                if (symlinkat(dest, dirfd, a->name) < 0) {
                        if (errno == EEXIST)
                                log_warning("%s: Alias=%s: a unit or alias of that name exists already; "
                                            "not linked",
                                            a->service, a->name);
                        else
                                log_error_errno(-errno, "%s/%s: symlink: %m", out, a->name);
                }
        }
        for (size_t i = 0; i < n_aliases; i++) {
                free(aliases[i].name);
                free(aliases[i].service);
        }
        free(aliases);
        aliases = NULL;
        n_aliases = 0;
}

/* Generates one unit. Problems in the unit file are logged with file:line and the unit is
 * skipped; only an unusable output directory is fatal, for every unit alike. */
/* `dropin_instance`: an instance that has drop-ins but no unit file of its own; like a template,
 * it is started by name, and its [Install] (the template's) is not applied. */
static int generate_one(int dirfd, const char *out, const char *name, const struct unit_load_options *opts,
                        bool dropin_instance) {
        size_t l = strlen(name);
        bool template = l > 0 && name[l - 1] == '@';
        _cleanup_free_ char *load_name = NULL, *service = NULL;
        if (asprintf(&load_name, "%s%s", name, template ? TEMPLATE_MARKER : "") < 0 ||
            asprintf(&service, "%s.service", name) < 0)
                return log_oom();

        /* The shipped hutch@.service runs units by name; a generated one would hide it. */
        if (streq(name, "hutch@")) {
                log_warning("hutch@: a template of this name would hide hutch@.service; not generated");
                return 0;
        }

        struct hutch_unit *u = NULL;
        struct unit_problems problems = {};
        int r = unit_load(load_name, opts, &u, &problems);
        if (r == -ERFKILL) {
                log_debug("%s: masked, no service generated", name);
                r = 0;
                goto finish;
        }
        if (r < 0 || problems.n > 0) {
                for (size_t i = 0; i < problems.n; i++) {
                        const struct unit_problem *p = &problems.items[i];
                        if (p->origin.file && p->origin.line > 0)
                                log_error("%s:%u: %s%s%s", p->origin.file, p->origin.line,
                                          p->key ? p->key : "", p->key ? ": " : "", p->message);
                        else
                                log_error("%s: %s%s%s", p->origin.file ? p->origin.file : name,
                                          p->key ? p->key : "", p->key ? ": " : "", p->message);
                }
                if (r < 0 && r != -EINVAL)
                        log_error_errno(r, "%s: cannot load: %m", name);
                log_error("%s: no service generated (fix the unit and run `systemctl daemon-reload`)", name);
                r = 0;
                goto finish;
        }

        r = write_service(dirfd, service, u, name, template);
        if (r < 0)
                goto finish;

        /* [Install]: a file on the search path with WantedBy= is enabled by being there (a
         * generator cannot keep enablement state; `systemctl enable` does not apply to generated
         * units). A template has no instance to enable, so its [Install] is not applied. */
        if (template || dropin_instance) {
                if (u->install.wanted_by.n + u->install.required_by.n + u->install.alias.n > 0 && template)
                        log_notice("%s: [Install] of a template is not applied (no instance to start)",
                                   name);
        } else {
                STRV_FOREACH (t, u->install.wanted_by.items) {
                        (void) add_dependency_link(dirfd, out, *t, ".wants", service);
                }
                STRV_FOREACH (t, u->install.required_by.items) {
                        (void) add_dependency_link(dirfd, out, *t, ".requires", service);
                }
                STRV_FOREACH (a, u->install.alias.items) {
                        (void) queue_alias(*a, service);
                }
        }
        log_debug("%s: generated %s/%s", name, out, service);
finish:
        unit_problems_clear(&problems);
        model_unit_free(u);
        return r;
}

int main(int argc, char *argv[]) {
        setup_logging();

        if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
                printf("Usage: %s NORMAL-DIR [EARLY-DIR LATE-DIR]\n\n"
                       "systemd generator: writes NAME.service for every hutch unit on the search path\n"
                       "(HUTCH_UNIT_PATH, else " UNIT_DEFAULT_SEARCH_PATH ") into NORMAL-DIR.\n",
                       program_invocation_short_name);
                return 0;
        }
        /* systemd passes three directories; tests may pass one (systemd.generator(7)). */
        if (argc != 2 && argc != 4) {
                log_error("expected 1 or 3 arguments (NORMAL-DIR [EARLY-DIR LATE-DIR]), got %d", argc - 1);
                return 1;
        }
        const char *out = argv[1];
        int dirfd = open(out, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dirfd < 0) {
                log_error_errno(-errno, "%s: %m", out);
                return 1;
        }

        struct unit_load_options opts = {.quiet_masked = true};
        char **names = NULL;
        int r = unit_enumerate(&opts, &names);
        if (r < 0) {
                /* No unit to generate is not a failure of the boot. */
                log_error_errno(r, "cannot list hutch units: %m");
                close(dirfd);
                return 0;
        }
        /* An instance with drop-ins of its own (web@slow.hutch.d/) is not what the template's
         * service would run: it gets a service of its own, which systemd prefers to the
         * template's for that instance. */
        char **instances = NULL, **extra = NULL;
        r = unit_enumerate_instance_dropins(&opts, &instances);
        if (r < 0)
                log_error_errno(r, "cannot list the drop-in directories of instances: %m");
        STRV_FOREACH (i, instances) {
                if (strv_contains(names, *i))
                        continue;
                if (strv_extend(&extra, *i) < 0) {
                        log_oom();
                        break;
                }
        }
        strv_free(instances);
        unsigned n = 0;
        STRV_FOREACH (name, names) {
                if (generate_one(dirfd, out, *name, &opts, false) == 0)
                        n++;
        }
        STRV_FOREACH (name, extra) {
                if (generate_one(dirfd, out, *name, &opts, true) == 0)
                        n++;
        }
        add_aliases(dirfd, out);
        log_debug("%u of %zu units processed", n, strv_length(names) + strv_length(extra));
        strv_free(extra);
        strv_free(names);
        close(dirfd);
        return 0;
}
