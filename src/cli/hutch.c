/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `hutch`: verb dispatch, verify, show, cat, --help and --version. Thin by design: the
 * loader, the model and the supervisor do the work; this file parses arguments and prints. */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/verbs.h"
#include "hutch/log.h"
#include "hutch/model.h"
#include "hutch/procfs.h"
#include "hutch/strv.h"
#include "hutch/unit.h"

/* Exit statuses of verify/show/cat. */
enum {
        EXIT_VALID = 0,
        EXIT_INVALID = 1,
        EXIT_USAGE = 2,
};

static const char usage_text[] =
        "Usage: hutch [--help] [--version] VERB [ARG...]\n"
        "\n"
        "Run services in sandboxes described by unit files (see hutch(1), hutch.unit(5)).\n"
        "\n"
        "Verbs:\n"
        "  run [--unit-path DIRS] [-p SECTION.KEY=VALUE]... UNIT|PATH [-- ARG...]\n"
        "                         run a unit in the foreground, exit with its status\n"
        "  verify [--unit-path DIRS] UNIT|PATH...\n"
        "                         check units, print every problem as file:line: Key: message\n"
        "  show [--json] [--unit-path DIRS] [-p SECTION.KEY=VALUE]... UNIT|PATH\n"
        "                         print every effective setting, defaults included\n"
        "  cat [--unit-path DIRS] UNIT|PATH...\n"
        "                         print the files that make a unit, in the order they apply\n"
        "\n"
        "Options:\n"
        "  -h --help              show this help (VERB --help: help for a verb)\n"
        "     --version           print the version\n"
        "\n"
        "Units are searched in $HUTCH_UNIT_PATH, else " UNIT_DEFAULT_SEARCH_PATH ".\n";

static const char verify_help[] =
        "Usage: hutch verify [--unit-path DIRS] UNIT|PATH...\n"
        "\n"
        "Loads each unit (with its drop-ins) and checks it. Every problem is printed to stderr\n"
        "as FILE:LINE: KEY: MESSAGE. Exit status 0 when every unit is valid, 1 when one is not\n"
        "(or is missing or masked), 2 on a usage error.\n"
        "\n"
        "Options:\n"
        "  -h --help              show this help\n"
        "     --unit-path DIRS    colon-separated directories to search instead of the default\n";

static const char show_help[] =
        "Usage: hutch show [--json] [--unit-path DIRS] [-p SECTION.KEY=VALUE]... UNIT|PATH\n"
        "\n"
        "Prints every effective setting of the unit, defaults included: as Key=Value lines per\n"
        "section, or with --json as one object per section (sizes in bytes, time spans in\n"
        "microseconds, \"infinity\" as a string). Exit status 0, 1 when the unit is invalid,\n"
        "missing or masked (its problems are printed to stderr), 2 on a usage error.\n"
        "\n"
        "Options:\n"
        "  -h --help              show this help\n"
        "     --json              print JSON\n"
        "     --unit-path DIRS    colon-separated directories to search instead of the default\n"
        "  -p --property S.K=V    set a key as if written in a last drop-in (repeatable)\n";

static const char cat_help[] =
        "Usage: hutch cat [--unit-path DIRS] UNIT|PATH...\n"
        "\n"
        "Prints the files that make each unit (the unit file, then its drop-ins) in the\n"
        "order they apply, each headed by a line \"# PATH\". Exit status 0, 1 when a unit is\n"
        "missing or masked, 2 on a usage error.\n"
        "\n"
        "Options:\n"
        "  -h --help              show this help\n"
        "     --unit-path DIRS    colon-separated directories to search instead of the default\n";

enum {
        ARG_UNIT_PATH = 0x100,
        ARG_JSON,
        ARG_VERSION,
};

/* Options shared by the loader verbs. */
struct load_args {
        struct unit_load_options opts;
        char **overrides;
        bool json;
};

static void load_args_done(struct load_args *a) {
        strv_free(a->overrides);
}

bool cli_is_option(const char *arg) {
        static const char *const names[] = {"-h", "--help", "--unit-path", "--json", "-p", "--property"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                size_t n = strlen(names[i]);
                if (strncmp(arg, names[i], n) == 0 && (arg[n] == 0 || (n > 2 && arg[n] == '=')))
                        return true;
        }
        return false;
}

/* Parses a verb's options. Returns 0 to go on, 1 when --help was printed, -EINVAL on a
 * usage error (already reported). `allow` names the options this verb takes. */
static int parse_verb_options(int argc, char **argv, const char *help, bool allow_json, bool allow_property,
                              struct load_args *a) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"unit-path", required_argument, NULL, ARG_UNIT_PATH},
                {"json", no_argument, NULL, ARG_JSON},
                {"property", required_argument, NULL, 'p'},
                {},
        };
        int c;

        optind = 0; /* glibc: a full re-initialisation for this new vector */
        while ((c = getopt_long(argc, argv, "+hp:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(help, stdout);
                        return 1;
                case ARG_UNIT_PATH:
                        a->opts.search_path = optarg;
                        break;
                case ARG_JSON:
                        if (!allow_json)
                                goto unsupported;
                        a->json = true;
                        break;
                case 'p':
                        if (!allow_property)
                                goto unsupported;
                        if (!strchr(optarg, '.') || !strchr(optarg, '=')) {
                                log_error("%s: -p wants SECTION.KEY=VALUE, got '%s'", argv[0], optarg);
                                return -EINVAL;
                        }
                        if (strv_extend(&a->overrides, optarg) < 0)
                                return log_oom();
                        break;
                case '?':
                        fprintf(stderr, "Try 'hutch %s --help'.\n", argv[0]);
                        return -EINVAL;
                default:
                unsupported:
                        log_error("%s: option '%s' is not supported by this verb", argv[0],
                                  c == 'p'        ? "-p"
                                  : c == ARG_JSON ? "--json"
                                                  : argv[optind - 1]);
                        return -EINVAL;
                }
        }
        /* Options go before the units: one after a unit name would be taken for a unit (after a
         * '--', everything is a unit, even a name such as "-h"). */
        bool dashdash = optind > 0 && optind <= argc && streq(argv[optind - 1], "--");
        for (int i = optind; i < argc && !dashdash; i++)
                if (cli_is_option(argv[i])) {
                        log_error("%s: '%s' after a unit name: options go before the units. Try 'hutch %s "
                                  "--help'.",
                                  argv[0], argv[i], argv[0]);
                        return -EINVAL;
                }
        a->opts.overrides = a->overrides;
        return 0;
}

static int verb_verify(int argc, char **argv) {
        _cleanup_(load_args_done) struct load_args a = {};
        int r = parse_verb_options(argc, argv, verify_help, false, false, &a);
        if (r != 0)
                return r > 0 ? EXIT_VALID : EXIT_USAGE;
        if (optind >= argc) {
                log_error("verify: which unit? Try 'hutch verify --help'.");
                return EXIT_USAGE;
        }

        int ret = EXIT_VALID;
        for (int i = optind; i < argc; i++) {
                struct unit_problems problems = {};
                struct hutch_unit *u = NULL;
                r = unit_load(argv[i], &a.opts, &u, &problems);
                unit_problems_print(&problems, stderr);
                /* the loader has said why when it failed without a problem list */
                if (r < 0 || problems.n > 0)
                        ret = EXIT_INVALID;
                unit_problems_clear(&problems);
                model_unit_free(u);
        }
        return ret;
}

static int verb_show(int argc, char **argv) {
        _cleanup_(load_args_done) struct load_args a = {};
        int r = parse_verb_options(argc, argv, show_help, true, true, &a);
        if (r != 0)
                return r > 0 ? EXIT_VALID : EXIT_USAGE;
        if (argc - optind != 1) {
                log_error("show: wants exactly one unit. Try 'hutch show --help'.");
                return EXIT_USAGE;
        }

        struct unit_problems problems = {};
        _cleanup_unit_ struct hutch_unit *u = NULL;
        r = unit_load(argv[optind], &a.opts, &u, &problems);
        unit_problems_print(&problems, stderr);
        bool bad = r < 0 || problems.n > 0;
        unit_problems_clear(&problems);
        if (bad || !u)
                return EXIT_INVALID;

        r = a.json ? model_format_json(u, stdout) : model_format_ini(u, stdout);
        if (r < 0 || fflush(stdout) != 0) {
                log_error_errno(r < 0 ? r : -errno, "show: cannot write: %m");
                return EXIT_INVALID;
        }
        return EXIT_VALID;
}

static int cat_file(const char *path, bool first) {
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        /* Non-blocking until it is known to be a regular file: a FIFO on the search path would
         * otherwise hang cat, as it is no unit to the loader either. */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(-errno, "cat: %s: %m", path);
        struct stat st;
        if (fstat(fd, &st) < 0) {
                int r = -errno;
                close(fd);
                return log_error_errno(r, "cat: %s: %m", path);
        }
        if (!S_ISREG(st.st_mode)) {
                close(fd);
                return log_error_errno(-EINVAL, "cat: %s: not a regular file", path);
        }
        FILE *f = fdopen(fd, "re");
        if (!f) {
                close(fd);
                return log_oom();
        }
        ssize_t k;
        size_t cap = 0;
        printf("%s# %s\n", first ? "" : "\n", path);
        bool ends_with_newline = true;
        while ((k = getline(&buf, &cap, f)) > 0) {
                fwrite(buf, 1, (size_t) k, stdout);
                ends_with_newline = buf[k - 1] == '\n';
                n += (size_t) k;
        }
        bool failed = ferror(f);
        fclose(f);
        if (n > 0 && !ends_with_newline)
                putchar('\n');
        if (failed)
                return log_error_errno(-EIO, "cat: %s: %m", path);
        return 0;
}

static int verb_cat(int argc, char **argv) {
        _cleanup_(load_args_done) struct load_args a = {};
        int r = parse_verb_options(argc, argv, cat_help, false, false, &a);
        if (r != 0)
                return r > 0 ? EXIT_VALID : EXIT_USAGE;
        if (optind >= argc) {
                log_error("cat: which unit? Try 'hutch cat --help'.");
                return EXIT_USAGE;
        }

        int ret = EXIT_VALID;
        bool first = true;
        for (int i = optind; i < argc; i++) {
                _cleanup_strv_free_ char **files = NULL;
                r = unit_files(argv[i], &a.opts, &files);
                if (r < 0) { /* logged by the loader */
                        ret = EXIT_INVALID;
                        continue;
                }
                STRV_FOREACH (p, files) {
                        if (cat_file(*p, first) < 0)
                                ret = EXIT_INVALID;
                        first = false;
                }
        }
        if (fflush(stdout) != 0 || ferror(stdout)) {
                log_error_errno(-(errno ?: EIO), "cat: cannot write: %m");
                return EXIT_INVALID;
        }
        return ret;
}

static int verb_help(int argc, char **argv) {
        fputs(usage_text, stdout);
        return EXIT_VALID;
}

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
} verbs[] = {
        {"run", verb_run}, {"verify", verb_verify}, {"show", verb_show},
        {"cat", verb_cat}, {"help", verb_help},
};

/* Keeps malloc out of the brk heap: one PROT_NONE page, never touched, where the heap would
 * grow makes brk() fail, and musl's allocator then takes its memory from mmap(), next to the
 * binary and the vDSO (glibc's has made its brk heap before main runs: only its growth moves,
 * as glibc falls back to mmap() too). A supervisor lives as long as its service, and its address
 * space in one cluster needs fewer page-table pages (20-24 kB instead of 36 kB): fewer to copy
 * when it forks the sandbox and fewer to free when it exits. Page-table writes are hypercalls
 * on paravirtualised guests: there this took a tenth off the time to stop 100 sandboxes. */
static void keep_heap_off_brk(void) {
        long page = sysconf(_SC_PAGESIZE);
        void *end = sbrk(0);
        if (page <= 0 || end == (void *) -1)
                return;
        uintptr_t at = ((uintptr_t) end + (uintptr_t) page - 1) & ~((uintptr_t) page - 1);
        /* Best effort: without it, the heap is where it always was. */
        (void) mmap((void *) at, (size_t) page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                    -1, 0);
}

int main(int argc, char **argv) {
        keep_heap_off_brk();
        proc_title_init(argc, argv);
        /* getopt_long()'s own messages name the program by argv[0]: "hutch", not the binary's
         * path (the strings are not touched; only the pointer changes). */
        if (argc > 0)
                argv[0] = (char *) "hutch";
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {},
        };
        int c;

        /* '+': stop at the verb, its options are its own */
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        fputs(usage_text, stdout);
                        return EXIT_VALID;
                case ARG_VERSION:
                        printf("hutch %s\n%s\n", HUTCH_VERSION, HUTCH_BUILD);
                        return EXIT_VALID;
                default:
                        fputs(usage_text, stderr);
                        return EXIT_USAGE;
                }
        }

        if (optind >= argc) {
                fputs(usage_text, stderr);
                return EXIT_USAGE;
        }

        const char *verb = argv[optind];
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(verbs[i].name, verb))
                        return verbs[i].run(argc - optind, argv + optind);

        log_error("unknown verb '%s'. Try 'hutch --help'.", verb);
        return EXIT_USAGE;
}
