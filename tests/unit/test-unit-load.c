/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loader's file handling: search path, templates and instances, drop-in precedence,
 * masking, specifiers, -p overrides, unit_files() and unit_enumerate(). */

#include "hutch/strv.h"
#include "unit-test-lib.h"

static char path_a[300], path_b[300], search[700];

static struct hutch_unit *load_name(const char *name, char **overrides, int *ret_r,
                                    struct unit_problems *p) {
        struct unit_load_options o = {.search_path = search, .overrides = overrides};
        struct hutch_unit *u = NULL;
        *p = (struct unit_problems){};
        *ret_r = unit_load(name, &o, &u, p);
        if (p->n)
                problems_dump(p);
        return u;
}

static void test_names(void) {
        TAP_CHECK(unit_name_is_valid("web"), "name web");
        TAP_CHECK(unit_name_is_valid("web@blue"), "name web@blue");
        TAP_CHECK(unit_name_is_valid("web@"), "name web@ (template)");
        TAP_CHECK(unit_name_is_valid("a-b_c.d:e\\x2d"), "name with every allowed character");
        TAP_CHECK(!unit_name_is_valid(""), "empty name");
        TAP_CHECK(unit_name_is_valid("a@b@c"), "two '@': the instance holds the second (as systemd)");
        TAP_CHECK(!unit_name_is_valid("@x"), "leading '@'");
        TAP_CHECK(!unit_name_is_valid("a/b"), "slash");
        TAP_CHECK(!unit_name_is_valid("a b"), "space");
        TAP_CHECK(!unit_name_is_valid(".") && !unit_name_is_valid(".."), "'.' and '..'");
        TAP_CHECK(unit_name_is_valid("...") && unit_name_is_valid(".web"), "other names of dots are fine");
        char l[300];
        memset(l, 'a', 256);
        l[256] = 0;
        TAP_CHECK(!unit_name_is_valid(l), "256 characters");
        l[255] = 0;
        TAP_CHECK(unit_name_is_valid(l), "255 characters");
}

static void test_search_path(void) {
        char **l = NULL;
        struct unit_load_options o = {.search_path = "/x:/y/::/x:/z"};
        TAP_CHECK(unit_search_path(&o, &l) == 0 && strv_length(l) == 3 && streq(l[0], "/x") &&
                          streq(l[1], "/y") && streq(l[2], "/z"),
                  "--unit-path split, trailing '/' dropped, duplicates once");
        strv_free(l);
        l = NULL;

        setenv("HUTCH_UNIT_PATH", "/env", 1);
        TAP_CHECK(unit_search_path(NULL, &l) == 0 && strv_length(l) == 1 && streq(l[0], "/env"),
                  "$HUTCH_UNIT_PATH");
        strv_free(l);
        l = NULL;
        setenv("HUTCH_UNIT_PATH", "/env:", 1);
        TAP_CHECK(unit_search_path(NULL, &l) == 0 && strv_length(l) == 5 && streq(l[0], "/env") &&
                          streq(l[1], "/etc/hutch"),
                  "$HUTCH_UNIT_PATH with a trailing ':' adds the defaults");
        strv_free(l);
        l = NULL;
        o.search_path = "/opt";
        TAP_CHECK(unit_search_path(&o, &l) == 0 && strv_length(l) == 1 && streq(l[0], "/opt"),
                  "--unit-path beats the environment");
        strv_free(l);
        l = NULL;
        unsetenv("HUTCH_UNIT_PATH");
        TAP_CHECK(unit_search_path(NULL, &l) == 0 && strv_length(l) == 4 && streq(l[0], "/etc/hutch") &&
                          streq(l[3], "/usr/lib/hutch"),
                  "default search path");
        strv_free(l);
}

static void test_first_dir_wins(void) {
        write_file("a/web.hutch", "[Unit]\nDescription=from a\n[Service]\nExecStart=/bin/true\n");
        write_file("b/web.hutch", "[Unit]\nDescription=from b\n[Service]\nExecStart=/bin/true\n");
        write_file("b/only-b.hutch", "[Service]\nExecStart=/bin/true\n");
        struct unit_problems p;
        int r;
        struct hutch_unit *u = load_name("web", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && streq(u->unit.description, "from a"),
                  "first directory holding NAME.hutch wins");
        TAP_CHECK(u && u->fragment_path && strstr(u->fragment_path, "/a/web.hutch"), "fragment path");
        model_unit_free(u);
        unit_problems_clear(&p);

        u = load_name("web.hutch", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && streq(u->name, "web"), "NAME.hutch accepted as a name");
        model_unit_free(u);
        unit_problems_clear(&p);

        u = load_name("only-b", NULL, &r, &p);
        TAP_CHECK(r == 0 && u, "later directory searched");
        model_unit_free(u);
        unit_problems_clear(&p);

        u = load_name("nope", NULL, &r, &p);
        TAP_CHECK(r == -ENOENT && !u, "missing unit: -ENOENT");
        unit_problems_clear(&p);

        u = load_name("bad name!", NULL, &r, &p);
        TAP_CHECK(r == -EINVAL && !u, "invalid name refused");
        unit_problems_clear(&p);
}

static void test_dropins(void) {
        write_file("a/svc.hutch",
                   "[Unit]\nDescription=base\nAfter=a.service\n[Service]\nExecStart=/bin/true\n"
                   "Environment=A=base\n");
        /* b's 10-x.conf is hidden by a's; 20-y.conf only in b applies; order is by file name. */
        write_file("a/svc.hutch.d/10-x.conf", "[Unit]\nDescription=a-10\n");
        write_file("b/svc.hutch.d/10-x.conf", "[Unit]\nDescription=b-10-hidden\n[Service]\nUser=hidden\n");
        write_file("b/svc.hutch.d/20-y.conf", "[Service]\nEnvironment=A=b-20\n[Unit]\nAfter=b.service\n");
        write_file("a/svc.hutch.d/30-z.conf", "[Unit]\nAfter=\nAfter=c.service\n");
        write_file("a/svc.hutch.d/05-first.conf", "[Service]\nEnvironment=A=a-05\n");
        write_file("a/svc.hutch.d/ignored.txt", "[Service]\nUser=notconf\n");
        struct unit_problems p;
        int r;
        struct hutch_unit *u = load_name("svc", NULL, &r, &p);
        TAP_CHECK(r == 0 && u, "unit with drop-ins loads");
        if (u) {
                TAP_STREQ(u->unit.description, "a-10",
                          "same-named drop-in in an earlier dir hides the later");
                TAP_CHECK(!u->service.user, "hidden drop-in not applied; non-.conf ignored");
                TAP_CHECK(strv_contains(u->service.environment.items, "A=b-20"),
                          "drop-ins applied in lexical order of file name across dirs");
                TAP_CHECK(u->unit.after.n == 1 && streq(u->unit.after.items[0], "c.service"),
                          "empty assignment in a drop-in resets the list");
                TAP_CHECK(u->n_sources == 5, "sources: fragment and 4 drop-ins (%zu)", u->n_sources);
                if (u->n_sources == 5) {
                        TAP_CHECK(strstr(u->sources[1], "a/svc.hutch.d/05-first.conf") &&
                                          strstr(u->sources[2], "a/svc.hutch.d/10-x.conf") &&
                                          strstr(u->sources[3], "b/svc.hutch.d/20-y.conf") &&
                                          strstr(u->sources[4], "a/svc.hutch.d/30-z.conf"),
                                  "sources in the order applied");
                        TAP_CHECK(u->service.environment.origin.file == u->sources[3] &&
                                          u->service.environment.origin.line == 2,
                                  "origin of a drop-in value");
                }
        }
        model_unit_free(u);
        unit_problems_clear(&p);

        /* the control command lists across drop-ins: appended in order, emptied by an empty line */
        write_file("a/ctl-d.hutch", "[Service]\nExecStart=/bin/true\nExecStartPre=/bin/base\n"
                                    "ExecStopPost=/bin/base-post\n");
        write_file("a/ctl-d.hutch.d/10-add.conf", "[Service]\nExecStartPre=/bin/ten\n");
        write_file("b/ctl-d.hutch.d/20-reset.conf", "[Service]\nExecStopPost=\nExecStopPost=/bin/twenty\n");
        u = load_name("ctl-d", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && u->n_sources == 3, "control commands in drop-ins load");
        TAP_CHECK(
                u && commands_are(u, EXEC_START_PRE, (const char *const[]){"/bin/base", "/bin/ten", NULL}) &&
                        u->service.exec_control[EXEC_START_PRE].items[1].origin.file == u->sources[1] &&
                        u->service.exec_control[EXEC_START_PRE].items[1].origin.line == 2,
                "a drop-in's ExecStartPre= appends, with the drop-in as its origin");
        TAP_CHECK(u && commands_are(u, EXEC_STOP_POST, (const char *const[]){"/bin/twenty", NULL}) &&
                          u->service.exec_control[EXEC_STOP_POST].items[0].origin.file == u->sources[2] &&
                          u->service.exec_control[EXEC_STOP_POST].items[0].origin.line == 3,
                  "an empty ExecStopPost= in a drop-in empties the unit file's list");
        model_unit_free(u);
        unit_problems_clear(&p);

        char **files = NULL;
        struct unit_load_options o = {.search_path = search};
        TAP_CHECK(unit_files("svc", &o, &files) == 0 && strv_length(files) == 5 &&
                          strstr(files[0], "a/svc.hutch"),
                  "unit_files() lists fragment then drop-ins");
        strv_free(files);

        /* A masked drop-in (symlink to /dev/null) hides the same name in later directories. */
        write_file("a/m.hutch", "[Service]\nExecStart=/bin/true\n");
        write_file("b/m.hutch.d/50-user.conf", "[Service]\nUser=nobody\n");
        char link[400];
        snprintf(link, sizeof link, "%s/m.hutch.d", path_a);
        mkdir(link, 0755);
        snprintf(link, sizeof link, "%s/m.hutch.d/50-user.conf", path_a);
        symlink("/dev/null", link);
        u = load_name("m", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && !u->service.user && u->n_sources == 1,
                  "masked drop-in hides the later one");
        model_unit_free(u);
        unit_problems_clear(&p);

        /* A problem in a drop-in names the drop-in's file and line. */
        write_file("a/bad.hutch", "[Service]\nExecStart=/bin/true\n");
        write_file("b/bad.hutch.d/x.conf", "[Service]\n\nType=wrong\n");
        u = load_name("bad", NULL, &r, &p);
        TAP_CHECK(r == -EINVAL && problems_have(&p, "b/bad.hutch.d/x.conf", 3, "Type", "wrong"),
                  "drop-in problem at its own file:line");
        model_unit_free(u);
        unit_problems_clear(&p);
}

static void test_templates(void) {
        write_file("b/tpl@.hutch", "[Unit]\nDescription=%n %N %p %i %I\n[Service]\nExecStart=/bin/echo %i\n"
                                   "WorkingDirectory=/srv/%I\n");
        write_file("a/tpl@.hutch.d/10-t.conf", "[Service]\nEnvironment=FROM=template\nUser=u-%i\n");
        write_file("b/tpl@blue\\x2dsky.hutch.d/20-i.conf", "[Service]\nEnvironment=FROM=instance\n");
        struct unit_problems p;
        int r;
        struct hutch_unit *u = load_name("tpl@blue\\x2dsky", NULL, &r, &p);
        TAP_CHECK(r == 0 && u, "instance of a template loads");
        if (u) {
                TAP_STREQ(u->name, "tpl@blue\\x2dsky", "instance unit name");
                TAP_STREQ(u->template_name, "tpl@", "template name");
                TAP_STREQ(u->instance, "blue\\x2dsky", "instance");
                TAP_STREQ(u->unit.description,
                          "tpl@blue\\x2dsky.hutch tpl@blue\\x2dsky tpl blue\\x2dsky blue-sky",
                          "%%n %%N %%p %%i %%I");
                TAP_STREQ(u->service.exec_start.argv ? u->service.exec_start.argv[1] : NULL, "blue\\x2dsky",
                          "specifier in ExecStart=");
                TAP_STREQ(u->service.working_directory, "/srv/blue-sky", "%%I in a path");
                TAP_STREQ(u->service.user, "u-blue\\x2dsky", "template drop-in with specifier");
                size_t ne = strv_length(u->service.environment.items);
                TAP_CHECK(ne > 0 && streq(u->service.environment.items[ne - 1], "FROM=instance"),
                          "template and instance drop-ins in file-name order");
        }
        model_unit_free(u);
        unit_problems_clear(&p);

        /* systemd's one list: the drop-ins of the instance and of its template, sorted by file
         * name across both; a file name seen in a higher directory (the instance's before the
         * template's within one) hides the same name later, and a /dev/null link masks it. Each
         * template's 20-t.conf also sets Documentation=, to see whether it applied. */
        static const struct {
                const char *tpl, *inst_dir, *inst_file, *inst_text, *tpl_dir, *description;
                bool tpl_applies;
                const char *what;
        } merges[] = {
                {"x", "b", "10-i.conf", "instance-10", "b", "template-20", true,
                 "a template's 20- applies after an instance's 10-"},
                {"y", "b", "20-t.conf", "instance-20", "b", "instance-20", false,
                 "an instance's 20-t.conf hides its template's in the same directory"},
                {"z", "a", "20-t.conf", "instance-20", "b", "instance-20", false,
                 "an instance's 20-t.conf in a higher directory hides the template's"},
                {"v", "b", "20-t.conf", "instance-20", "a", "template-20", true,
                 "a template's 20-t.conf in a higher directory beats the instance's"},
                {"m", "b", "20-t.conf", NULL, "b", "base", false,
                 "an instance's /dev/null link masks the template's drop-in"},
        };
        for (size_t i = 0; i < ELEMENTSOF(merges); i++) {
                char f[400], name[32];
                snprintf(f, sizeof f, "b/mg%s@.hutch", merges[i].tpl);
                write_file(f, "[Unit]\nDescription=base\n[Service]\nExecStart=/bin/true\n");
                snprintf(f, sizeof f, "%s/mg%s@.hutch.d/20-t.conf", merges[i].tpl_dir, merges[i].tpl);
                write_file(f, "[Unit]\nDescription=template-20\nDocumentation=man:t(1)\n");
                if (merges[i].inst_text) {
                        char text[64];
                        snprintf(f, sizeof f, "%s/mg%s@i.hutch.d/%s", merges[i].inst_dir, merges[i].tpl,
                                 merges[i].inst_file);
                        snprintf(text, sizeof text, "[Unit]\nDescription=%s\n", merges[i].inst_text);
                        write_file(f, text);
                } else {
                        snprintf(f, sizeof f, "%s/mg%s@i.hutch.d", path_b, merges[i].tpl);
                        mkdir(f, 0755);
                        snprintf(f, sizeof f, "%s/mg%s@i.hutch.d/%s", path_b, merges[i].tpl,
                                 merges[i].inst_file);
                        TAP_CHECK(symlink("/dev/null", f) == 0, "mask link %s", f);
                }
                snprintf(name, sizeof name, "mg%s@i", merges[i].tpl);
                u = load_name(name, NULL, &r, &p);
                TAP_CHECK(r == 0 && u && streq(u->unit.description, merges[i].description) &&
                                  (u->unit.documentation.n == 1) == merges[i].tpl_applies,
                          "%s: %s (%s)", name, merges[i].what, u ? u->unit.description : "not loaded");
                model_unit_free(u);
                unit_problems_clear(&p);
        }

        /* Only the first '@' ends the prefix: "user@host" is one instance, as in systemd. */
        u = load_name("tpl@user@host", NULL, &r, &p);
        TAP_CHECK(r == 0 && u, "an instance with a second '@' loads");
        if (u) {
                TAP_STREQ(u->template_name, "tpl@", "  its template");
                TAP_STREQ(u->instance, "user@host", "  its instance, '@' and all");
        }
        model_unit_free(u);
        unit_problems_clear(&p);

        /* An instance's own file beats the template. */
        write_file("b/tpl@own.hutch", "[Unit]\nDescription=own\n[Service]\nExecStart=/bin/true\n");
        u = load_name("tpl@own", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && streq(u->unit.description, "own"), "NAME@INST.hutch beats NAME@.hutch");
        model_unit_free(u);
        unit_problems_clear(&p);

        u = load_name("tpl@", NULL, &r, &p);
        TAP_CHECK(r == -EINVAL && !u, "a template without an instance is refused");
        unit_problems_clear(&p);

        /* Specifiers are expanded after the command line is split: an instance that unescapes
         * to text with a space stays one argument. */
        write_file("a/echo@.hutch", "[Service]\nExecStart=/bin/echo %I end\n");
        u = load_name("echo@a\\x20b", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && strv_length(u->service.exec_start.argv) == 3 &&
                          streq(u->service.exec_start.argv[1], "a b"),
                  "%%I with a space is one argument");
        model_unit_free(u);
        unit_problems_clear(&p);

        /* A backslash of the instance that is not \xNN: %I fails, as systemd's unescaping does
         * (the unit does not load); %i keeps it as written. */
        u = load_name("echo@a\\yb", NULL, &r, &p);
        TAP_CHECK(r == -EINVAL && p.n >= 1 && strstr(p.items[0].message, "cannot expand %I") &&
                          strstr(p.items[0].message, "\\xNN"),
                  "%%I of an instance with a stray backslash is an error");
        model_unit_free(u);
        unit_problems_clear(&p);
        write_file("a/raw@.hutch", "[Service]\nExecStart=/bin/echo %i\n");
        u = load_name("raw@a\\yb", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && streq(u->service.exec_start.argv[1], "a\\yb"), "%%i keeps it");
        model_unit_free(u);
        unit_problems_clear(&p);

        /* %I unescaping: "-" is "/", \xNN a byte. */
        write_file("a/path@.hutch",
                   "[Service]\nExecStart=/bin/true\n[Sandbox]\nBindReadOnlyPaths=%I:/data\n");
        u = load_name("path@-srv-data", NULL, &r, &p);
        TAP_CHECK(r == 0 && u && u->sandbox.n_binds == 1 && streq(u->sandbox.binds[0].source, "/srv/data"),
                  "%%I turns '-' into '/'");
        model_unit_free(u);
        unit_problems_clear(&p);
}

static void test_specifiers(void) {
        char host[256] = "";
        gethostname(host, sizeof host - 1);
        write_file("a/spec.hutch",
                   "[Unit]\nDescription=%H|%t|%S|%%|%i|%I\n[Service]\nExecStart=/bin/true\n");
        struct unit_problems p;
        int r;
        struct hutch_unit *u = load_name("spec", NULL, &r, &p);
        char expect[400];
        snprintf(expect, sizeof expect, "%s|/run|/var/lib|%%||", host);
        TAP_CHECK(r == 0 && u, "specifiers load");
        TAP_STREQ(u ? u->unit.description : NULL, expect, "%%H %%t %%S %%%% and empty %%i %%I");
        model_unit_free(u);
        unit_problems_clear(&p);

        FILE *f = fopen("/etc/machine-id", "re");
        char mid[64] = "";
        if (f) {
                if (!fgets(mid, sizeof mid, f))
                        mid[0] = 0;
                fclose(f);
                mid[strcspn(mid, "\n")] = 0;
        }
        write_file("a/mid.hutch", "[Unit]\nDescription=%m\n[Service]\nExecStart=/bin/true\n");
        u = load_name("mid", NULL, &r, &p);
        if (strlen(mid) == 32)
                TAP_CHECK(r == 0 && u && streq(u->unit.description, mid), "%%m is the machine id");
        else
                TAP_CHECK(r == -EINVAL && problems_have(&p, "mid.hutch", 2, "Description", "machine-id"),
                          "%%m without /etc/machine-id is an error");
        model_unit_free(u);
        unit_problems_clear(&p);

        /* Keys without specifier expansion take '%' literally (and so refuse it as a value). */
        write_file("a/nospec.hutch", "[Service]\nExecStart=/bin/true\nType=%n\n");
        u = load_name("nospec", NULL, &r, &p);
        TAP_CHECK(r == -EINVAL && problems_have(&p, "nospec.hutch", 3, "Type", "'%n'"),
                  "no expansion in Type=");
        model_unit_free(u);
        unit_problems_clear(&p);
}

static void test_masking(void) {
        char link[400];
        snprintf(link, sizeof link, "%s/masked.hutch", path_a);
        symlink("/dev/null", link);
        write_file("b/masked.hutch", "[Service]\nExecStart=/bin/true\n");
        struct unit_problems p;
        int r;
        struct hutch_unit *u = load_name("masked", NULL, &r, &p);
        TAP_CHECK(r == -ERFKILL && !u, "masked unit: -ERFKILL");
        unit_problems_clear(&p);
        TAP_CHECK(unit_load(link, NULL, &u, &p) == -ERFKILL, "masked by path: -ERFKILL");
        unit_problems_clear(&p);
        char **files = NULL;
        struct unit_load_options o = {.search_path = search};
        TAP_CHECK(unit_files("masked", &o, &files) == -ERFKILL, "unit_files() of a masked unit: -ERFKILL");

        /* A masked template masks its instances. */
        snprintf(link, sizeof link, "%s/mt@.hutch", path_a);
        symlink("/dev/null", link);
        u = load_name("mt@x", NULL, &r, &p);
        TAP_CHECK(r == -ERFKILL, "masked template masks an instance");
        unit_problems_clear(&p);
}

static void test_overrides(void) {
        write_file("a/ov.hutch",
                   "[Service]\nExecStart=/bin/true\nUser=alice\n[Sandbox]\nReadOnlyPaths=/a\n");
        char *ov[] = {"Service.User=bob", "Sandbox.ReadOnlyPaths=/b", "Resources.MemoryMax= 1G ", NULL};
        struct unit_problems p;
        int r;
        struct hutch_unit *u = load_name("ov", ov, &r, &p);
        TAP_CHECK(r == 0 && u, "-p overrides apply");
        if (u) {
                TAP_STREQ(u->service.user, "bob", "-p replaces a scalar");
                TAP_STREQ(u->service.user_origin.file, "command line", "-p origin is the command line");
                TAP_CHECK(u->sandbox.read_only_paths.n == 2, "-p appends to a list");
                TAP_CHECK(u->resources.memory_max.value == 1ull << 30, "-p value trimmed");
        }
        model_unit_free(u);
        unit_problems_clear(&p);

        char *exec[] = {"Service.ExecStart=", "Service.ExecStart=/bin/false x", NULL};
        u = load_name("ov", exec, &r, &p);
        TAP_CHECK(r == 0 && u && streq(u->service.exec_start.path, "/bin/false"),
                  "-p ExecStart= then ExecStart=CMD replaces the command");
        model_unit_free(u);
        unit_problems_clear(&p);

        /* the control command lists as other lists: -p appends, an empty -p empties */
        write_file("a/ctl.hutch", "[Service]\nExecStart=/bin/true\nExecStartPre=/bin/a\nExecStop=/bin/s\n");
        char *ctl[] = {"Service.ExecStartPre=/bin/b x", "Service.ExecStop=", "Service.ExecStop=-/bin/t",
                       NULL};
        u = load_name("ctl", ctl, &r, &p);
        TAP_CHECK(r == 0 && u, "-p control commands apply");
        TAP_CHECK(u && commands_are(u, EXEC_START_PRE, (const char *const[]){"/bin/a", "/bin/b", NULL}) &&
                          u->service.exec_control[EXEC_START_PRE].items[0].origin.line == 3 &&
                          streq_ptr(u->service.exec_control[EXEC_START_PRE].items[1].origin.file,
                                    "command line"),
                  "-p ExecStartPre= appends, with the command line as its origin");
        TAP_CHECK(u && commands_are(u, EXEC_STOP, (const char *const[]){"/bin/t", NULL}) &&
                          u->service.exec_control[EXEC_STOP].items[0].ignore_failure,
                  "-p ExecStop= empties the list, the next -p adds to it");
        model_unit_free(u);
        unit_problems_clear(&p);

        char *ctl_bad[] = {"Service.ExecStopPost=+/bin/x", NULL};
        u = load_name("ctl", ctl_bad, &r, &p);
        TAP_CHECK(r == -EINVAL && problems_have(&p, "command line", 0, "ExecStopPost", "prefix '+'"),
                  "-p ExecStopPost=+...: refused as in a file");
        model_unit_free(u);
        unit_problems_clear(&p);

        char *bad[] = {"Service.Usr=bob", "NoDot=1", "Servic.User=x", "Service.Type=bad", NULL};
        u = load_name("ov", bad, &r, &p);
        TAP_CHECK(r == -EINVAL, "-p problems make the load fail");
        TAP_CHECK(problems_have(&p, "command line", 0, "Usr", "did you mean 'User'?"), "-p unknown key");
        TAP_CHECK(problems_have(&p, "command line", 0, NULL, "expected Section.Key=Value"),
                  "-p without section");
        TAP_CHECK(problems_have(&p, "command line", 0, NULL, "did you mean [Service]?"),
                  "-p unknown section");
        TAP_CHECK(problems_have(&p, "command line", 0, "Type", "bad"), "-p bad value");
        model_unit_free(u);
        unit_problems_clear(&p);
}

static void test_path_load(void) {
        const char *path = write_file("c/direct.hutch", "[Service]\nExecStart=/bin/true\n");
        write_file("c/direct.hutch.d/1.conf", "[Service]\nUser=viaddir\n");
        struct unit_problems p = {};
        struct hutch_unit *u = NULL;
        int r = unit_load(path, NULL, &u, &p);
        TAP_CHECK(r == 0 && u && streq(u->name, "direct") && streq_ptr(u->service.user, "viaddir"),
                  "PATH loads the file and PATH.d/ drop-ins");
        TAP_STREQ(u ? u->sandbox.hostname : NULL, "direct", "default Hostname= is the unit name");
        model_unit_free(u);
        unit_problems_clear(&p);

        u = NULL;
        char missing[400];
        snprintf(missing, sizeof missing, "%s/c/none.hutch", test_dir);
        TAP_CHECK(unit_load(missing, NULL, &u, &p) == -ENOENT && !u, "missing PATH: -ENOENT");
        unit_problems_clear(&p);

        /* A FIFO in place of a unit file is refused, not waited on. */
        char fifo[400];
        snprintf(fifo, sizeof fifo, "%s/c/fifo.hutch", test_dir);
        mkfifo(fifo, 0600);
        r = unit_load(fifo, NULL, &u, &p);
        TAP_CHECK(r == -EINVAL && problems_have(&p, "fifo.hutch", 0, NULL, "cannot read"), "FIFO refused");
        model_unit_free(u);
        u = NULL;
        unit_problems_clear(&p);

        /* A problem keeps the model for verify, and every problem is collected. */
        path = write_file("c/many.hutch", "[Service]\nType=a\nRestart=b\nUser=\xff\n[Bogus]\nx=1\n");
        r = unit_load(path, NULL, &u, &p);
        TAP_CHECK(r == -EINVAL && u, "problems: -EINVAL with the model");
        TAP_CHECK(problems_have(&p, "many.hutch", 2, "Type", NULL) &&
                          problems_have(&p, "many.hutch", 3, "Restart", NULL) &&
                          problems_have(&p, "many.hutch", 4, NULL, "UTF-8") &&
                          problems_have(&p, "many.hutch", 5, NULL, "[Bogus]") &&
                          problems_have(&p, NULL, 0, "ExecStart", NULL),
                  "all problems collected, validation included");
        model_unit_free(u);
        unit_problems_clear(&p);
}

static void test_enumerate(void) {
        char **names = NULL;
        struct unit_load_options o = {.search_path = search};
        int r = unit_enumerate(&o, &names);
        TAP_CHECK(r == 0 && strv_contains(names, "web") && strv_contains(names, "only-b") &&
                          strv_contains(names, "tpl@") && strv_contains(names, "tpl@own"),
                  "unit_enumerate() finds units and templates");
        size_t webs = 0;
        STRV_FOREACH (n, names)
                webs += streq(*n, "web");
        TAP_CHECK(webs == 1, "a unit in two directories is listed once");
        bool sorted = true;
        for (size_t i = 1; names && names[i]; i++)
                sorted = sorted && strcmp(names[i - 1], names[i]) < 0;
        TAP_CHECK(sorted, "sorted");
        strv_free(names);
}

int main(void) {
        test_dir_init();
        snprintf(path_a, sizeof path_a, "%s/a", test_dir);
        snprintf(path_b, sizeof path_b, "%s/b", test_dir);
        mkdir(path_a, 0755);
        mkdir(path_b, 0755);
        snprintf(search, sizeof search, "%s:%s", path_a, path_b);
        test_names();
        test_search_path();
        test_first_dir_wins();
        test_dropins();
        test_templates();
        test_specifiers();
        test_masking();
        test_overrides();
        test_path_load();
        test_enumerate();
        return tap_done();
}
