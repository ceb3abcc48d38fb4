/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: every value parser of hutch/parse.h on the same input, plus the invariants
 * that tie parsers and formatters together (what is formatted parses back, what is normalized
 * stays normalized, a failure always says why). */

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "hutch/parse.h"
#include "hutch/strv.h"
#include "fuzz-check.h"

/* A failure sets a reason that fits its buffer and holds no control characters. */
static void check_why(int r, const char *why) {
        if (r >= 0)
                return;
        size_t n = strnlen(why, PARSE_WHY_MAX);
        CHECK(n > 0 && n < PARSE_WHY_MAX);
        for (size_t i = 0; i < n; i++)
                CHECK((unsigned char) why[i] >= 0x20 && why[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        parse_why_t why;
        char buf[256];
        int r;

        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;

        bool b;
        why[0] = 0;
        check_why(parse_boolean(s, &b, why), why);

        uint64_t u;
        why[0] = 0;
        r = parse_size(s, true, UINT64_C(8) << 30, &u, why);
        check_why(r, why);
        if (r == 0 && u != UINT64_MAX) {
                uint64_t back;
                format_bytes(buf, sizeof buf, u);
                CHECK(parse_size(buf, false, 0, &back, NULL) == 0 && back <= u);
        }
        why[0] = 0;
        check_why(parse_size(s, false, 0, &u, why), why);
        why[0] = 0;
        check_why(parse_size(s, true, UINT64_MAX - 1, &u, why), why);
        /* base 1000 (bandwidths): a plain number of bytes reads back as itself */
        why[0] = 0;
        r = parse_size_1000(s, &u, why);
        check_why(r, why);
        if (r == 0) {
                uint64_t back;
                snprintf(buf, sizeof buf, "%" PRIu64, u);
                CHECK(parse_size_1000(buf, &back, NULL) == 0 && back == u);
        }

        usec_t t;
        why[0] = 0;
        r = parse_timespan(s, USEC_PER_SEC, &t, why);
        check_why(r, why);
        if (r == 0) {
                usec_t back;
                format_timespan(buf, sizeof buf, t);
                /* systemd's parser refuses >= 584542 years, which its formatter can print */
                if (t < UINT64_C(584542) * UINT64_C(31557600) * USEC_PER_SEC)
                        CHECK(parse_timespan(buf, 1, &back, NULL) == 0 && back == t);
        }
        why[0] = 0;
        check_why(parse_timespan(s, 1, &t, why), why);

        why[0] = 0;
        check_why(parse_uint64_range(s, 1, 10000, &u, why), why);
        mode_t m;
        why[0] = 0;
        check_why(parse_mode(s, &m, why), why);
        why[0] = 0;
        check_why(parse_permyriad(s, &u, why), why);

        int sig, st;
        why[0] = 0;
        r = parse_signal(s, &sig, why);
        check_why(r, why);
        if (r == 0) {
                const char *n = signal_to_name(sig);
                int back;
                if (n)
                        CHECK(parse_signal(n, &back, NULL) == 0 && back == sig);
        }
        why[0] = 0;
        r = parse_exit_status_word(s, &st, &sig, why);
        check_why(r, why);
        if (r == 0)
                CHECK((st >= 0 && st <= 255 && sig == -1) || (st == -1 && sig > 0));

        int cap;
        why[0] = 0;
        r = parse_capability(s, &cap, why);
        check_why(r, why);
        if (r == 0) {
                const char *n = capability_to_name(cap, buf, sizeof buf);
                int back;
                if (n)
                        CHECK(parse_capability(n, &back, NULL) == 0 && back == cap);
        }

        for (int res = 0; res < RLIM_NLIMITS; res++) {
                uint64_t soft, hard;
                why[0] = 0;
                r = parse_rlimit(s, res, &soft, &hard, why);
                check_why(r, why);
                if (r == 0)
                        CHECK(soft <= hard);
        }
        (void) rlimit_from_key(s);

        char *p = NULL;
        why[0] = 0;
        r = parse_path(s, &p, why);
        check_why(r, why);
        if (r == 0) {
                char *again = NULL;
                CHECK(path_is_normalized_absolute(p));
                CHECK(parse_path(p, &again, NULL) == 0 && strcmp(p, again) == 0);
                free(again);
        }
        free(p);
        (void) path_is_normalized_absolute(s);

        (void) valid_user_group_name_or_id(s);
        (void) hostname_is_valid(s);
        (void) env_assignment_is_valid(s);
        (void) utf8_is_valid(s);

        char **argv = NULL;
        why[0] = 0;
        r = parse_command_line(s, &argv, why);
        check_why(r, why);
        if (r == 0)
                CHECK(argv && argv[0] && argv[0][0]);
        strv_free(argv);

        char **words = NULL;
        why[0] = 0;
        r = split_words(s, &words, why);
        check_why(r, why);
        if (r == 0)
                CHECK(words);
        strv_free(words);

        for (unsigned flags = 0; flags < 16; flags++) {
                why[0] = 0;
                r = split_words_full(s, flags, &words, why);
                check_why(r, why);
                if (r == 0)
                        CHECK(words);
                /* split_first_word() one word at a time gives the same words */
                const char *rest = s;
                char *w = NULL;
                size_t i = 0;
                int k;
                while ((k = split_first_word(&rest, flags, &w, NULL)) > 0) {
                        CHECK(r < 0 || (words[i] && strcmp(words[i], w) == 0));
                        i++;
                        free(w);
                        w = NULL;
                }
                CHECK(r < 0 ? k < 0 : (k == 0 && !words[i]));
                strv_free(words);
                words = NULL;
        }

        char *cpus = NULL;
        why[0] = 0;
        r = parse_cpu_set(s, &cpus, why);
        check_why(r, why);
        if (r == 0) {
                char *again = NULL;
                CHECK(parse_cpu_set(cpus, &again, NULL) == 0 && strcmp(cpus, again) == 0);
                free(again);
        }
        free(cpus);

        free(s);
        return 0;
}
