/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Value parsers: a table of cases per function, valid and invalid, with the errno and a piece of
 * the reason each failure must give. */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include "hutch/parse.h"
#include "hutch/strv.h"
#include "tap.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)
#define TiB (GiB * 1024)
#define PiB (TiB * 1024)
#define EiB (PiB * 1024)
#define MIN_US (60 * USEC_PER_SEC)
#define HOUR_US (60 * MIN_US)
#define DAY_US (24 * HOUR_US)

/* Checks one failure: errno as expected and a reason that mentions `why_part`. */
static void check_fail(const char *fn, const char *in, int r, int want, const char *why,
                       const char *why_part) {
        TAP_CHECK(r == want, "%s('%s') fails with %d (got %d: %s)", fn, in, want, r, why);
        TAP_CHECK(why[0] && (!why_part || strstr(why, why_part)), "%s('%s') why '%s' mentions '%s'", fn, in,
                  why, why_part ? why_part : "");
}

static void test_boolean(void) {
        static const struct {
                const char *in;
                int r;
                bool v;
        } cases[] = {
                {"1", 0, true},       {"yes", 0, true},     {"YES", 0, true},     {"y", 0, true},
                {"true", 0, true},    {"t", 0, true},       {"on", 0, true},      {"On", 0, true},
                {"0", 0, false},      {"no", 0, false},     {"n", 0, false},      {"false", 0, false},
                {"F", 0, false},      {"off", 0, false},    {"", -EINVAL, 0},     {"2", -EINVAL, 0},
                {"yess", -EINVAL, 0}, {" yes", -EINVAL, 0}, {"yes ", -EINVAL, 0}, {"enable", -EINVAL, 0},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                bool v = !cases[i].v;
                int r = parse_boolean(cases[i].in, &v, why);
                if (cases[i].r == 0)
                        TAP_CHECK(r == 0 && v == cases[i].v, "parse_boolean('%s') = %d", cases[i].in,
                                  cases[i].v);
                else
                        check_fail("parse_boolean", cases[i].in, r, cases[i].r, why, "not a boolean");
        }
        parse_why_t why = "";
        bool v;
        TAP_CHECK(parse_boolean(NULL, &v, why) == -EINVAL, "parse_boolean(NULL) fails");
        TAP_CHECK(parse_boolean("maybe", &v, NULL) == -EINVAL, "parse_boolean with NULL why fails quietly");
}

static void test_size(void) {
        static const struct {
                const char *in;
                bool inf;
                uint64_t base;
                int r;
                uint64_t v;
                const char *why;
        } cases[] = {
                {"0", false, 0, 0, 0, NULL},
                {"1", false, 0, 0, 1, NULL},
                {"512", false, 0, 0, 512, NULL},
                {"1B", false, 0, 0, 1, NULL},
                {"1K", false, 0, 0, KiB, NULL},
                {"1M", false, 0, 0, MiB, NULL},
                {"512M", false, 0, 0, 512 * MiB, NULL},
                {"1G", false, 0, 0, GiB, NULL},
                {"2T", false, 0, 0, 2 * TiB, NULL},
                {"3P", false, 0, 0, 3 * PiB, NULL},
                {"15E", false, 0, 0, 15 * EiB, NULL},
                {"1.5G", false, 0, 0, GiB + GiB / 2, NULL},
                {"0.5K", false, 0, 0, 512, NULL},
                {"1.25M", false, 0, 0, MiB + MiB / 4, NULL},
                {"10.M", false, 0, 0, 10 * MiB, NULL},
                {"1.5", false, 0, 0, 1, NULL},
                {"1 G", false, 0, 0, GiB, NULL},
                {"  4K", false, 0, 0, 4 * KiB, NULL},
                {"4K ", false, 0, 0, 4 * KiB, NULL},
                {"1G 512M", false, 0, 0, GiB + 512 * MiB, NULL},
                {"1G512M", false, 0, 0, GiB + 512 * MiB, NULL},
                {"1M 3", false, 0, 0, MiB + 3, NULL},
                {"18446744073709551614", false, 0, 0, UINT64_MAX - 1, NULL},
                {"infinity", true, 0, 0, UINT64_MAX, NULL},
                {"50%", false, 1000, 0, 500, NULL},
                {"100%", false, 1000, 0, 1000, NULL},
                {"0%", false, 1000, 0, 0, NULL},
                {"12.5%", false, 8 * GiB, 0, GiB, NULL},
                {"0.01%", false, 10000, 0, 1, NULL},
                {"500\u2030", false, 1000, 0, 500, NULL},
                {"2500\u2031", false, 1000, 0, 250, NULL},
                {"100%", false, UINT64_MAX - 1, 0, UINT64_MAX - 1, NULL},
                {"", false, 0, -EINVAL, 0, "empty"},
                {"infinity", false, 0, -EINVAL, 0, "'infinity' is not allowed"},
                {"Infinity", true, 0, -EINVAL, 0, "expected a number"},
                {"12Q", false, 0, -EINVAL, 0, "unknown size suffix 'Q'"},
                {"1k", false, 0, -EINVAL, 0, "unknown size suffix 'k'"},
                {"1KB", false, 0, -EINVAL, 0, "unknown size suffix 'KB'"},
                {"1GiB", false, 0, -EINVAL, 0, "unknown size suffix 'GiB'"},
                {"1Gx", false, 0, -EINVAL, 0, "unknown size suffix 'Gx'"},
                {"1 KiB", false, 0, -EINVAL, 0, "unknown size suffix 'KiB'"},
                {"1G 1 1", false, 0, -EINVAL, 0, "plain number of bytes must come last"},
                {"1M 1G", false, 0, -EINVAL, 0, "largest unit first"},
                {"1M 1M", false, 0, -EINVAL, 0, "largest unit first"},
                {"-1", false, 0, -ERANGE, 0, "negative"},
                {"-0", false, 0, -ERANGE, 0, "negative"},
                {"1G -1M", false, 0, -ERANGE, 0, "negative"},
                {"abc", false, 0, -EINVAL, 0, "expected a number at 'abc'"},
                {".5G", false, 0, -EINVAL, 0, "expected a number"},
                {"+5", false, 0, -EINVAL, 0, "expected a number"},
                {"0x10", false, 0, -EINVAL, 0, "unknown size suffix 'x'"},
                {"16E", false, 0, -ERANGE, 0, "too large"},
                {"18446744073709551615", false, 0, -ERANGE, 0, "too large"},
                {"18446744073709551616", false, 0, -ERANGE, 0, "too large"},
                {"99999999999999999999999", false, 0, -ERANGE, 0, "too large"},
                {"15E 1023P 1023T 1023G 1023M 1023K 1022B", false, 0, 0, UINT64_MAX - 1, NULL},
                {"15.9999999999999999999E", false, 0, -ERANGE, 0, "too large"},
                /* systemd's parse_size(): a term with decimals fails when one more unit would not fit */
                {"15.999999999999999998E", false, 0, -ERANGE, 0, "decimals from 15E on"},
                {"15.5E", false, 0, -ERANGE, 0, "decimals from 15E on"},
                {"16383.5P", false, 0, -ERANGE, 0, "decimals from 16383P on"},
                {"15.0E", false, 0, 0, 15 * EiB, NULL},
                {"14.5E", false, 0, 0, 14 * EiB + EiB / 2, NULL},
                {"1.99999999999999999999G", false, 0, -ERANGE, 0, "too many decimals"},
                {"1.00000000000000000000001G", false, 0, 0, GiB, NULL},
                {"0.9999999999999999999E", false, 0, 0, EiB - 1, NULL},
                {"15.99999999999999999999E", false, 0, -ERANGE, 0, "too many decimals"},
                {"50%", false, 0, -EINVAL, 0, "percentage is not allowed"},
                {"101%", false, 1000, -ERANGE, 0, "above 100%"},
                {"1.234%", false, 1000, -EINVAL, 0, "two decimals"},
                {"%", false, 1000, -EINVAL, 0, "not a valid percentage"},
                {".5%", false, 1000, -EINVAL, 0, "not a valid percentage"},
                {"5.%", false, 1000, -EINVAL, 0, "not a valid percentage"},
                {"-5%", false, 1000, -EINVAL, 0, "not a valid percentage"},
                {"99999999999%", false, 1000, -ERANGE, 0, "too large"},
                {"1 2", false, 0, -EINVAL, 0, "plain number of bytes must come last"},
                {"1G 1023M 1024M", false, 0, -EINVAL, 0, "repeats or follows a smaller unit"},
                {"1.5G 1.5M", false, 0, 0, GiB + GiB / 2 + MiB + MiB / 2, NULL},
                {"1G ", false, 0, 0, GiB, NULL},
                {"1G x", false, 0, -EINVAL, 0, "expected a number at 'x'"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                uint64_t v = 12345;
                int r = parse_size(cases[i].in, cases[i].inf, cases[i].base, &v, why);
                if (cases[i].r == 0) {
                        TAP_CHECK(r == 0 && v == cases[i].v,
                                  "parse_size('%s') = %" PRIu64 " (got %d, %" PRIu64 ": %s)", cases[i].in,
                                  cases[i].v, r, v, why);
                } else {
                        check_fail("parse_size", cases[i].in, r, cases[i].r, why, cases[i].why);
                        TAP_CHECK(v == 12345, "parse_size('%s') leaves *ret alone on failure", cases[i].in);
                }
        }
}

static void test_format_bytes(void) {
        static const struct {
                uint64_t v;
                const char *out;
        } cases[] = {
                {0, "0B"},
                {1, "1B"},
                {1023, "1023B"},
                {KiB, "1K"},
                {KiB + 512, "1.5K"},
                {KiB + 1, "1K"},
                {512 * MiB, "512M"},
                {GiB + GiB / 2, "1.5G"},
                {GiB + GiB / 4, "1.2G"},
                {2 * TiB, "2T"},
                {3 * PiB + PiB / 10 * 9, "3.8P"},
                {15 * EiB, "15E"},
                {15 * EiB + EiB / 2, "15E"}, /* 15.5E would not parse back, as in systemd */
                {UINT64_MAX - 1, "15E"},
                {UINT64_MAX, "infinity"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[32];
                TAP_STREQ(format_bytes(buf, sizeof buf, cases[i].v), cases[i].out,
                          "format_bytes(%" PRIu64 ")", cases[i].v);
        }
        char small[4];
        TAP_STREQ(format_bytes(small, sizeof small, 512 * MiB), "512",
                  "format_bytes truncates to the buffer");
        /* What format_bytes prints parses back */
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[32];
                uint64_t v;
                format_bytes(buf, sizeof buf, cases[i].v);
                TAP_CHECK(parse_size(buf, true, 0, &v, NULL) == 0 && v <= cases[i].v,
                          "parse_size(format_bytes(%s))", buf);
        }
}

static void test_timespan(void) {
        static const struct {
                const char *in;
                usec_t unit;
                int r;
                usec_t v;
                const char *why;
        } cases[] = {
                {"0", USEC_PER_SEC, 0, 0, NULL},
                {"5", USEC_PER_SEC, 0, 5 * USEC_PER_SEC, NULL},
                {"5", USEC_PER_MSEC, 0, 5 * USEC_PER_MSEC, NULL},
                {"5", 1, 0, 5, NULL},
                {"100ms", USEC_PER_SEC, 0, 100 * USEC_PER_MSEC, NULL},
                {"100msec", USEC_PER_SEC, 0, 100 * USEC_PER_MSEC, NULL},
                {"5s", USEC_PER_SEC, 0, 5 * USEC_PER_SEC, NULL},
                {"5sec", USEC_PER_SEC, 0, 5 * USEC_PER_SEC, NULL},
                {"5second", USEC_PER_SEC, 0, 5 * USEC_PER_SEC, NULL},
                {"5seconds", USEC_PER_SEC, 0, 5 * USEC_PER_SEC, NULL},
                {"2m", USEC_PER_SEC, 0, 2 * MIN_US, NULL},
                {"2min", USEC_PER_SEC, 0, 2 * MIN_US, NULL},
                {"2minute", USEC_PER_SEC, 0, 2 * MIN_US, NULL},
                {"2minutes", USEC_PER_SEC, 0, 2 * MIN_US, NULL},
                {"2h", USEC_PER_SEC, 0, 2 * HOUR_US, NULL},
                {"2hr", USEC_PER_SEC, 0, 2 * HOUR_US, NULL},
                {"2hour", USEC_PER_SEC, 0, 2 * HOUR_US, NULL},
                {"2hours", USEC_PER_SEC, 0, 2 * HOUR_US, NULL},
                {"1d", USEC_PER_SEC, 0, DAY_US, NULL},
                {"1day", USEC_PER_SEC, 0, DAY_US, NULL},
                {"3days", USEC_PER_SEC, 0, 3 * DAY_US, NULL},
                {"1w", USEC_PER_SEC, 0, 7 * DAY_US, NULL},
                {"1week", USEC_PER_SEC, 0, 7 * DAY_US, NULL},
                {"2weeks", USEC_PER_SEC, 0, 14 * DAY_US, NULL},
                {"1M", USEC_PER_SEC, 0, UINT64_C(2629800) * USEC_PER_SEC, NULL},
                {"1month", USEC_PER_SEC, 0, UINT64_C(2629800) * USEC_PER_SEC, NULL},
                {"2months", USEC_PER_SEC, 0, UINT64_C(5259600) * USEC_PER_SEC, NULL},
                {"1y", USEC_PER_SEC, 0, UINT64_C(31557600) * USEC_PER_SEC, NULL},
                {"1year", USEC_PER_SEC, 0, UINT64_C(31557600) * USEC_PER_SEC, NULL},
                {"2years", USEC_PER_SEC, 0, UINT64_C(63115200) * USEC_PER_SEC, NULL},
                {"7us", USEC_PER_SEC, 0, 7, NULL},
                {"7usec", USEC_PER_SEC, 0, 7, NULL},
                {"7\u00b5s", USEC_PER_SEC, 0, 7, NULL},
                {"7\u03bcs", USEC_PER_SEC, 0, 7, NULL},
                {"1min 30s", USEC_PER_SEC, 0, 90 * USEC_PER_SEC, NULL},
                {"1min30s", USEC_PER_SEC, 0, 90 * USEC_PER_SEC, NULL},
                {"1h 1min 1s 1ms 1us", USEC_PER_SEC, 0, HOUR_US + MIN_US + USEC_PER_SEC + 1001, NULL},
                {"1s 1s", USEC_PER_SEC, 0, 2 * USEC_PER_SEC, NULL},
                {"5 s", USEC_PER_SEC, 0, 5 * USEC_PER_SEC, NULL},
                {"  5s  ", USEC_PER_SEC, 0, 5 * USEC_PER_SEC, NULL},
                {"1.5s", USEC_PER_SEC, 0, 1500 * USEC_PER_MSEC, NULL},
                {"1.5", USEC_PER_SEC, 0, 1500 * USEC_PER_MSEC, NULL},
                {".5s", USEC_PER_SEC, 0, 500 * USEC_PER_MSEC, NULL},
                {"0.1234567s", USEC_PER_SEC, 0, 123456, NULL},
                {"1.5h", USEC_PER_SEC, 0, 90 * MIN_US, NULL},
                {"12.34 .56", USEC_PER_SEC, 0, 12900 * USEC_PER_MSEC, NULL},
                {"12.34s.56", USEC_PER_SEC, 0, 12900 * USEC_PER_MSEC, NULL},
                {"infinity", USEC_PER_SEC, 0, USEC_INFINITY, NULL},
                {" infinity ", USEC_PER_SEC, 0, USEC_INFINITY, NULL},
                {"584541y", USEC_PER_SEC, 0, UINT64_C(584541) * UINT64_C(31557600) * USEC_PER_SEC, NULL},
                {"18446744073709551614us", USEC_PER_SEC, 0, UINT64_MAX - 1, NULL},
                {"", USEC_PER_SEC, -EINVAL, 0, "empty"},
                {"   ", USEC_PER_SEC, -EINVAL, 0, "empty"},
                {"5q", USEC_PER_SEC, -EINVAL, 0, "unknown time unit 'q'"},
                {"5 q", USEC_PER_SEC, -EINVAL, 0, "expected a number at 'q'"},
                {"5sx", USEC_PER_SEC, -EINVAL, 0, "expected a number at 'x'"},
                {"1secs", USEC_PER_SEC, -EINVAL, 0, "expected a number at 's'"},
                {"5S", USEC_PER_SEC, -EINVAL, 0, "unknown time unit 'S'"},
                {"-5s", USEC_PER_SEC, -ERANGE, 0, "negative"},
                {"-0", USEC_PER_SEC, -ERANGE, 0, "negative"},
                {"5s -1s", USEC_PER_SEC, -ERANGE, 0, "negative"},
                {"+5s", USEC_PER_SEC, -EINVAL, 0, "expected a number"},
                {"12.34.56", USEC_PER_SEC, -EINVAL, 0, "unknown time unit '.'"},
                {"3.s", USEC_PER_SEC, -EINVAL, 0, "expected digits after '.'"},
                {"3. 1", USEC_PER_SEC, -EINVAL, 0, "expected digits after '.'"},
                {".", USEC_PER_SEC, -EINVAL, 0, "expected digits after '.'"},
                {"s", USEC_PER_SEC, -EINVAL, 0, "expected a number at 's'"},
                {"infinityx", USEC_PER_SEC, -EINVAL, 0, "after 'infinity'"},
                {"infinity 5s", USEC_PER_SEC, -EINVAL, 0, "after 'infinity'"},
                {"5s infinity", USEC_PER_SEC, -EINVAL, 0, "expected a number at 'infinity'"},
                {"584542y", USEC_PER_SEC, -ERANGE, 0, "too large"}, /* systemd's check is conservative */
                {"18446744073709551615us", USEC_PER_SEC, -ERANGE, 0, "too large"},
                {"99999999999999999999999", USEC_PER_SEC, -ERANGE, 0, "too large"},
                {"584541y 584541y", USEC_PER_SEC, -ERANGE, 0, "too large"},
                {"18446744073709551614us 1us", USEC_PER_SEC, -ERANGE, 0, "too large"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                usec_t v = 4242;
                int r = parse_timespan(cases[i].in, cases[i].unit, &v, why);
                if (cases[i].r == 0)
                        TAP_CHECK(r == 0 && v == cases[i].v,
                                  "parse_timespan('%s') = %" PRIu64 " (got %d, %" PRIu64 ": %s)",
                                  cases[i].in, cases[i].v, r, v, why);
                else {
                        check_fail("parse_timespan", cases[i].in, r, cases[i].r, why, cases[i].why);
                        TAP_CHECK(v == 4242, "parse_timespan('%s') leaves *ret alone on failure",
                                  cases[i].in);
                }
        }
        parse_why_t why = "";
        usec_t v;
        TAP_CHECK(parse_timespan(NULL, USEC_PER_SEC, &v, why) == -EINVAL, "parse_timespan(NULL) fails");
        TAP_CHECK(parse_timespan("5", 0, &v, why) == -EINVAL, "parse_timespan with default unit 0 fails");
}

static void test_format_timespan(void) {
        static const struct {
                usec_t v;
                const char *out;
        } cases[] = {
                {0, "0"},
                {1, "1us"},
                {999, "999us"},
                {USEC_PER_MSEC, "1ms"},
                {100 * USEC_PER_MSEC, "100ms"},
                {1500, "1.500ms"},
                {USEC_PER_SEC, "1s"},
                {1500 * USEC_PER_MSEC, "1.500000s"},
                {5 * USEC_PER_SEC, "5s"},
                {90 * USEC_PER_SEC, "1min 30s"},
                {MIN_US, "1min"},
                {90500 * USEC_PER_MSEC, "1min 30.500000s"},
                {2 * HOUR_US, "2h"},
                {DAY_US + HOUR_US + MIN_US + USEC_PER_SEC, "1d 1h 1min 1s"},
                {7 * DAY_US, "1w"},
                {UINT64_C(2629800) * USEC_PER_SEC, "1month"},
                {UINT64_C(31557600) * USEC_PER_SEC, "1y"},
                {MIN_US + 1, "1min 1us"},
                {UINT64_MAX - 1, "584542y 2w 2d 20h 1min 49.551614s"},
                {UINT64_C(584541) * UINT64_C(31557600) * USEC_PER_SEC + 7, "584541y 7us"},
                {USEC_INFINITY, "infinity"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                char buf[128];
                usec_t back = 0;
                TAP_STREQ(format_timespan(buf, sizeof buf, cases[i].v), cases[i].out,
                          "format_timespan(%" PRIu64 ")", cases[i].v);
                /* Except where systemd's own parser refuses what its formatter prints (>= 584542y) */
                if (cases[i].v < UINT64_C(584542) * UINT64_C(31557600) * USEC_PER_SEC)
                        TAP_CHECK(parse_timespan(buf, USEC_PER_SEC, &back, NULL) == 0 && back == cases[i].v,
                                  "parse_timespan(format_timespan(%" PRIu64 ")) round-trips", cases[i].v);
        }
        char small[6];
        TAP_STREQ(format_timespan(small, sizeof small, 90 * USEC_PER_SEC), "1min ",
                  "format_timespan truncates");
        char one[1];
        TAP_STREQ(format_timespan(one, sizeof one, 90 * USEC_PER_SEC), "", "format_timespan into 1 byte");
}

static void test_uint64_range(void) {
        static const struct {
                const char *in;
                uint64_t min, max;
                int r;
                uint64_t v;
                const char *why;
        } cases[] = {
                {"0", 0, 10, 0, 0, NULL},
                {"10", 0, 10, 0, 10, NULL},
                {"10000", 1, 10000, 0, 10000, NULL},
                {"18446744073709551615", 0, UINT64_MAX, 0, UINT64_MAX, NULL},
                {"11", 0, 10, -ERANGE, 0, "out of range 0..10"},
                {"0", 1, 10000, -ERANGE, 0, "out of range 1..10000"},
                {"18446744073709551616", 0, UINT64_MAX, -ERANGE, 0, "too large"},
                {"", 0, 10, -EINVAL, 0, "empty"},
                {"-1", 0, 10, -ERANGE, 0, "negative"},
                {"+1", 0, 10, -EINVAL, 0, "not a decimal number"},
                {" 1", 0, 10, -EINVAL, 0, "not a decimal number"},
                {"1 ", 0, 10, -EINVAL, 0, "not a decimal number"},
                {"1e3", 0, 10000, -EINVAL, 0, "not a decimal number"},
                /* systemd's safe_atou() is strtoul() in base 0, plus 0b and 0o: refused, not misread */
                {"007", 0, 10, -EINVAL, 0, "'007': a leading 0 would be octal to systemd; write 7"},
                {"010", 0, 100, -EINVAL, 0, "octal to systemd (8); write 10, or 8 if octal was meant"},
                {"00", 0, 100, -EINVAL, 0, "write 0"},
                {"019", 0, 100, -EINVAL, 0, "octal to systemd, which refuses it; write 19"},
                {"0x10", 0, 100, -EINVAL, 0, "'0x10' would be hexadecimal to systemd; write 16"},
                {"0X1f", 0, 100, -EINVAL, 0, "hexadecimal to systemd; write 31"},
                {"0o17", 0, 100, -EINVAL, 0, "'0o17' would be octal to systemd; write 15"},
                {"0b101", 0, 100, -EINVAL, 0, "'0b101' would be binary to systemd; write 5"},
                {"0x", 0, 100, -EINVAL, 0, "only decimal numbers"},
                {"0b12", 0, 100, -EINVAL, 0, "only decimal numbers"},
                {"0xfffffffffffffffff", 0, 100, -EINVAL, 0, "only decimal numbers"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                uint64_t v = 0;
                int r = parse_uint64_range(cases[i].in, cases[i].min, cases[i].max, &v, why);
                if (cases[i].r == 0)
                        TAP_CHECK(r == 0 && v == cases[i].v, "parse_uint64_range('%s')", cases[i].in);
                else
                        check_fail("parse_uint64_range", cases[i].in, r, cases[i].r, why, cases[i].why);
        }
}

static void test_mode(void) {
        static const struct {
                const char *in;
                int r;
                mode_t v;
                const char *why;
        } cases[] = {
                {"0", 0, 0, NULL},
                {"022", 0, 022, NULL},
                {"0022", 0, 022, NULL},
                {"77", 0, 077, NULL},
                {"0777", 0, 0777, NULL},
                {"7777", 0, 07777, NULL},
                {"", -EINVAL, 0, "empty"},
                {"8", -EINVAL, 0, "octal"},
                {"0o22", -EINVAL, 0, "octal"},
                {"-1", -EINVAL, 0, "octal"},
                {"10000", -ERANGE, 0, "out of range"},
                {"00000000000000000000000000000000077", 0, 077, NULL},
                {" 22", -EINVAL, 0, "octal"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                mode_t v = 0;
                int r = parse_mode(cases[i].in, &v, why);
                if (cases[i].r == 0)
                        TAP_CHECK(r == 0 && v == cases[i].v, "parse_mode('%s') = %o", cases[i].in,
                                  cases[i].v);
                else
                        check_fail("parse_mode", cases[i].in, r, cases[i].r, why, cases[i].why);
        }
}

static void test_permyriad(void) {
        static const struct {
                const char *in;
                int r;
                uint64_t v;
                const char *why;
        } cases[] = {
                {"0%", 0, 0, NULL},
                {"1%", 0, 100, NULL},
                {"1.5%", 0, 150, NULL},
                {"1.25%", 0, 125, NULL},
                {"100%", 0, 10000, NULL},
                {"150%", 0, 15000, NULL},
                {"400%", 0, 40000, NULL},
                {"5\u2030", 0, 50, NULL},
                {"5.5\u2030", 0, 55, NULL},
                {"42\u2031", 0, 42, NULL},
                {"21474836.47%", 0, 2147483647, NULL},
                {"21474836.48%", -ERANGE, 0, "too large"},
                {"", -EINVAL, 0, "empty"},
                {"50", -EINVAL, 0, "not a percentage"},
                {"1.234%", -EINVAL, 0, "two decimals"},
                {"1.23\u2030", -EINVAL, 0, "not a valid percentage"},
                {"1.2\u2031", -EINVAL, 0, "not a valid percentage"},
                {"%", -EINVAL, 0, "not a valid percentage"},
                {"x%", -EINVAL, 0, "not a valid percentage"},
                {"-1%", -EINVAL, 0, "not a valid percentage"},
                {" 1%", -EINVAL, 0, "not a valid percentage"},
                {"1 %", -EINVAL, 0, "not a valid percentage"},
                {"1..5%", -EINVAL, 0, "not a valid percentage"},
                {"0.5%", 0, 50, NULL},
                /* systemd reads the whole part with safe_atoi(): "010%" is 8% there */
                {"010%", -EINVAL, 0, "octal to systemd (8%); write 10%, or 8% if"},
                {"010.5%", -EINVAL, 0, "write 10.5%"},
                {"00.5%", -EINVAL, 0, "write 0.5%"},
                {"0x10%", -EINVAL, 0, "hexadecimal to systemd; write 16%"},
                {"05\u2030", -EINVAL, 0, "octal to systemd; write 5"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                uint64_t v = 0;
                int r = parse_permyriad(cases[i].in, &v, why);
                if (cases[i].r == 0)
                        TAP_CHECK(r == 0 && v == cases[i].v,
                                  "parse_permyriad('%s') = %" PRIu64 " (got %" PRIu64 ")", cases[i].in,
                                  cases[i].v, v);
                else
                        check_fail("parse_permyriad", cases[i].in, r, cases[i].r, why, cases[i].why);
        }
}

static void test_signal(void) {
        static const struct {
                const char *in;
                int r;
                int v;
                const char *why;
        } cases[] = {
                {"SIGTERM", 0, SIGTERM, NULL},
                {"TERM", 0, SIGTERM, NULL},
                {"SIGKILL", 0, SIGKILL, NULL},
                {"HUP", 0, SIGHUP, NULL},
                {"SIGWINCH", 0, SIGWINCH, NULL},
                {"SIGSYS", 0, SIGSYS, NULL},
                {"9", 0, 9, NULL},
                {"1", 0, 1, NULL},
                {"64", 0, 64, NULL},
                {"RTMIN", 0, 34, NULL}, /* glibc's SIGRTMIN, as systemd counts, whatever hutch's libc */
                {"", -EINVAL, 0, "empty"},
                {"0", -ERANGE, 0, "not a signal number"},
                {"65", -ERANGE, 0, "not a signal number"},
                {"99999999999999999999", -ERANGE, 0, "not a signal number"},
                {"9x", -EINVAL, 0, "not a signal number"},
                {"sigterm", -EINVAL, 0, "unknown signal 'sigterm'"},
                {"SIGFOO", -EINVAL, 0, "unknown signal"},
                {"SIG", -EINVAL, 0, "unknown signal"},
                {"SIGSIGTERM", -EINVAL, 0, "unknown signal"},
                {"-9", -EINVAL, 0, "unknown signal"},
                {"RTMIN+31", -ERANGE, 0, "RTMIN+N"},
                {"RTMIN-1", -EINVAL, 0, "RTMIN+N"},
                {"RTMIN+", -EINVAL, 0, "RTMIN+N"},
                {"RTMAX+1", -EINVAL, 0, "RTMAX-N"},
                {"RTMAX-31", -ERANGE, 0, "RTMAX-N"},
                /* systemd's signal_from_string() reads with safe_atoi(): 011 is SIGKILL there */
                {"011", -EINVAL, 0, "octal to systemd (9); write 11, or 9"},
                {"0x9", -EINVAL, 0, "hexadecimal to systemd; write 9"},
                {"0b1001", -EINVAL, 0, "binary to systemd; write 9"},
                {"SIGRTMIN+010", -EINVAL, 0, "octal to systemd (SIGRTMIN+8); write SIGRTMIN+10"},
                {"RTMAX-01", -EINVAL, 0, "write RTMAX-1"},
                {"RTMIN+0x1", -EINVAL, 0, "write RTMIN+1"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                int v = 0;
                int r = parse_signal(cases[i].in, &v, why);
                if (cases[i].r == 0) {
                        int want = cases[i].v;
                        TAP_CHECK(r == 0 && v == want, "parse_signal('%s') = %d (got %d)", cases[i].in, want,
                                  v);
                } else
                        check_fail("parse_signal", cases[i].in, r, cases[i].r, why, cases[i].why);
        }
        int v = 0;
        TAP_CHECK(parse_signal("SIGRTMIN+3", &v, NULL) == 0 && v == 37, "SIGRTMIN+3");
        TAP_CHECK(parse_signal("RTMIN+0", &v, NULL) == 0 && v == 34, "RTMIN+0");
        TAP_CHECK(parse_signal("RTMAX", &v, NULL) == 0 && v == 64, "RTMAX");
        TAP_CHECK(parse_signal("SIGRTMAX-2", &v, NULL) == 0 && v == 62, "SIGRTMAX-2");
        TAP_CHECK(parse_signal("RTMAX-30", &v, NULL) == 0 && v == 34, "RTMAX-30 is SIGRTMIN (34)");

        TAP_STREQ(signal_to_name(SIGTERM), "SIGTERM", "signal_to_name(SIGTERM)");
        TAP_STREQ(signal_to_name(SIGKILL), "SIGKILL", "signal_to_name(SIGKILL)");
        TAP_STREQ(signal_to_name(36), "SIGRTMIN+2", "signal_to_name(SIGRTMIN+2)");
        TAP_CHECK(signal_to_name(0) == NULL, "signal_to_name(0) is NULL");
        TAP_CHECK(signal_to_name(-1) == NULL, "signal_to_name(-1) is NULL");
        TAP_CHECK(signal_to_name(65) == NULL, "signal_to_name(65) is NULL");
        /* errno names come from the build's own <errno.h>, glibc's or musl's: the same names */
        TAP_STREQ(errno_to_name(EPERM), "EPERM", "errno_to_name(EPERM)");
        TAP_STREQ(errno_to_name(-ENOENT), "ENOENT", "errno_to_name(-ENOENT): the sign is ignored");
        TAP_STREQ(errno_to_name(EAGAIN), "EAGAIN", "errno_to_name(EAGAIN), not EWOULDBLOCK");
        TAP_STREQ(errno_to_name(EOPNOTSUPP), "EOPNOTSUPP", "errno_to_name(EOPNOTSUPP), not ENOTSUP");
        TAP_STREQ(errno_to_name(EHWPOISON), "EHWPOISON", "errno_to_name(EHWPOISON), the last one");
        TAP_CHECK(errno_to_name(0) == NULL && errno_to_name(4095) == NULL, "no name for 0 and 4095");
        TAP_CHECK(errno_from_name("EBADE") == EBADE, "errno_from_name(EBADE)");
        TAP_CHECK(errno_from_name("ebade") == EBADE && errno_from_name("ePeRm") == EPERM,
                  "errno_from_name: any case, as systemd's (gperf --ignore-case)");
        TAP_CHECK(errno_from_name("") == -EINVAL && errno_from_name("EWOULDBLOCK") == -EINVAL &&
                          errno_from_name("EPERMX") == -EINVAL,
                  "errno_from_name: whole names only, aliases refused (as strerrorname_np() had it)");
        for (int e = 1; e < 4096; e++) {
                const char *n = errno_to_name(e);
                if (n && errno_from_name(n) != e)
                        TAP_CHECK(false, "errno name %s round-trips to %d", n, e);
        }

        /* every name round-trips */
        for (int s = 1; s <= SIGRTMAX; s++) {
                const char *n = signal_to_name(s);
                int back = 0;
                if (!n)
                        continue; /* 32, 33: reserved by glibc, no name */
                TAP_CHECK(parse_signal(n, &back, NULL) == 0 && back == s,
                          "parse_signal(signal_to_name(%d)=%s)", s, n);
        }
}

static void test_exit_status(void) {
        static const struct {
                const char *in;
                int r;
                int status, sig;
                const char *why;
        } cases[] = {
                {"0", 0, 0, -1, NULL},
                {"1", 0, 1, -1, NULL},
                {"255", 0, 255, -1, NULL},
                {"15", 0, 15, -1, NULL}, /* a number is always a status, never a signal */
                {"SUCCESS", 0, 0, -1, NULL},
                {"INVALIDARGUMENT", 0, 2, -1, NULL},
                {"TEMPFAIL", 0, 75, -1, NULL},
                {"CONFIG", 0, 78, -1, NULL},
                /* systemd's own codes, as its exit_status_from_string() names them */
                {"CHDIR", 0, 200, -1, NULL},
                {"EXEC", 0, 203, -1, NULL},
                {"STDERR", 0, 222, -1, NULL},
                {"PAM", 0, 224, -1, NULL},
                {"RUNTIME_DIRECTORY", 0, 233, -1, NULL},
                {"CHOWN", 0, 235, -1, NULL},
                {"BPF", 0, 244, -1, NULL},
                {"EXCEPTION", 0, 255, -1, NULL},
                {"exec", -EINVAL, 0, 0, "neither"},
                {"SIGTERM", 0, -1, SIGTERM, NULL},
                {"TERM", 0, -1, SIGTERM, NULL},
                {"SIGKILL", 0, -1, SIGKILL, NULL},
                {"256", -ERANGE, 0, 0, "0..255"},
                {"99999999999999999999", -ERANGE, 0, 0, "0..255"},
                {"-1", -EINVAL, 0, 0, "neither"},
                {"1x", -EINVAL, 0, 0, "0..255"},
                {"", -EINVAL, 0, 0, "empty"},
                {"success", -EINVAL, 0, 0, "neither"},
                {"SIGFOO", -EINVAL, 0, 0, "neither"},
                {"010", -EINVAL, 0, 0, "octal to systemd (8); write 10"},
                {"0x10", -EINVAL, 0, 0, "hexadecimal to systemd; write 16"},
                {"SIGRTMIN+010", -EINVAL, 0, 0, "neither"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                int st = 7, sg = 7;
                int r = parse_exit_status_word(cases[i].in, &st, &sg, why);
                if (cases[i].r == 0)
                        TAP_CHECK(r == 0 && st == cases[i].status && sg == cases[i].sig,
                                  "parse_exit_status_word('%s') = %d/%d (got %d/%d)", cases[i].in,
                                  cases[i].status, cases[i].sig, st, sg);
                else
                        check_fail("parse_exit_status_word", cases[i].in, r, cases[i].r, why, cases[i].why);
        }
}

static void test_capability(void) {
        static const struct {
                const char *in;
                int r;
                int v;
                const char *why;
        } cases[] = {
                {"CAP_CHOWN", 0, CAP_CHOWN, NULL},
                {"CAP_NET_ADMIN", 0, CAP_NET_ADMIN, NULL},
                {"cap_net_admin", 0, CAP_NET_ADMIN, NULL},
                {"Cap_Sys_Admin", 0, CAP_SYS_ADMIN, NULL},
                {"CAP_NET_BIND_SERVICE", 0, CAP_NET_BIND_SERVICE, NULL},
                {"CAP_CHECKPOINT_RESTORE", 0, 40, NULL},
                {"0", 0, 0, NULL},
                {"21", 0, CAP_SYS_ADMIN, NULL},
                {"62", 0, 62, NULL},
                {"63", -EINVAL, 0, "0..62"},
                {"99999999999999999999", -EINVAL, 0, "0..62"},
                {"1x", -EINVAL, 0, "0..62"},
                {"", -EINVAL, 0, "empty"},
                {"NET_ADMIN", -EINVAL, 0, "expected CAP_"},
                {"CAP_", -EINVAL, 0, "expected CAP_"},
                {"all", -EINVAL, 0, "expected CAP_"},
                {"CAP_FOO", -EINVAL, 0, "unknown capability 'CAP_FOO'"},
                {"CAP_CHOWN ", -EINVAL, 0, "unknown capability"},
                {"CAP_63", -EINVAL, 0, "unknown capability"},
                {"-1", -EINVAL, 0, "expected CAP_"},
                {"021", -EINVAL, 0, "octal to systemd (17); write 21"},
                {"0x15", -EINVAL, 0, "hexadecimal to systemd; write 21"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                int v = -1;
                int r = parse_capability(cases[i].in, &v, why);
                if (cases[i].r == 0)
                        TAP_CHECK(r == 0 && v == cases[i].v, "parse_capability('%s') = %d (got %d: %s)",
                                  cases[i].in, cases[i].v, v, why);
                else
                        check_fail("parse_capability", cases[i].in, r, cases[i].r, why, cases[i].why);
        }
        char buf[64];
        TAP_STREQ(capability_to_name(CAP_CHOWN, buf, sizeof buf), "CAP_CHOWN",
                  "capability_to_name(CAP_CHOWN)");
        TAP_STREQ(capability_to_name(CAP_SYS_ADMIN, buf, sizeof buf), "CAP_SYS_ADMIN",
                  "capability_to_name(21)");
        TAP_CHECK(capability_to_name(62, buf, sizeof buf) == NULL, "capability_to_name(62) is NULL");
        TAP_CHECK(capability_to_name(-1, buf, sizeof buf) == NULL, "capability_to_name(-1) is NULL");
        TAP_CHECK(capability_to_name(CAP_SYS_ADMIN, buf, 5) == NULL,
                  "capability_to_name into a short buffer");
        for (int c = 0; c <= 40; c++) {
                int back = -1;
                const char *n = capability_to_name(c, buf, sizeof buf);
                TAP_CHECK(n && parse_capability(n, &back, NULL) == 0 && back == c,
                          "parse_capability(capability_to_name(%d)=%s)", c, n ? n : "(null)");
        }
}

static void test_rlimit(void) {
        static const struct {
                const char *in;
                int res;
                int r;
                uint64_t soft, hard;
                const char *why;
        } cases[] = {
                {"1024", RLIMIT_NOFILE, 0, 1024, 1024, NULL},
                {"1024:4096", RLIMIT_NOFILE, 0, 1024, 4096, NULL},
                {"infinity", RLIMIT_NOFILE, 0, RLIM_INFINITY, RLIM_INFINITY, NULL},
                {"1024:infinity", RLIMIT_NPROC, 0, 1024, RLIM_INFINITY, NULL},
                {"0", RLIMIT_CORE, 0, 0, 0, NULL},
                {"8M", RLIMIT_STACK, 0, 8 * MiB, 8 * MiB, NULL},
                {"1G:2G", RLIMIT_AS, 0, GiB, 2 * GiB, NULL},
                {"64K", RLIMIT_MEMLOCK, 0, 64 * KiB, 64 * KiB, NULL},
                {"10", RLIMIT_CPU, 0, 10, 10, NULL},
                {"1min", RLIMIT_CPU, 0, 60, 60, NULL},
                {"1.5s", RLIMIT_CPU, 0, 2, 2, NULL},
                {"1us", RLIMIT_CPU, 0, 1, 1, NULL},
                {"infinity", RLIMIT_CPU, 0, RLIM_INFINITY, RLIM_INFINITY, NULL},
                {"500", RLIMIT_RTTIME, 0, 500, 500, NULL},
                {"1s", RLIMIT_RTTIME, 0, 1000000, 1000000, NULL},
                {"0", RLIMIT_NICE, 0, 0, 0, NULL},
                {"40", RLIMIT_NICE, 0, 40, 40, NULL},
                {"+0", RLIMIT_NICE, 0, 20, 20, NULL},
                {"+19", RLIMIT_NICE, 0, 1, 1, NULL},
                {"-20", RLIMIT_NICE, 0, 40, 40, NULL},
                {"-5:+5", RLIMIT_NICE, 0, 25, 25, NULL}, /* soft > hard refused below */
                {"99", RLIMIT_RTPRIO, 0, 99, 99, NULL},
                /* systemd's rlimit_parse_u64() and _nice() read with safe_atou64() (010 is 8);
                 * the sizes and time spans are decimal (parse_size(), parse_sec()) */
                {"010", RLIMIT_NOFILE, -EINVAL, 0, 0, "octal to systemd (8); write 10"},
                {"1024:04096", RLIMIT_NOFILE, -EINVAL, 0, 0, "write 4096"},
                {"0x10", RLIMIT_NPROC, -EINVAL, 0, 0, "hexadecimal to systemd; write 16"},
                {"010", RLIMIT_NICE, -EINVAL, 0, 0, "octal to systemd (8); write 10"},
                {"+010", RLIMIT_NICE, -EINVAL, 0, 0, "octal to systemd (+8); write +10"},
                {"-010", RLIMIT_NICE, -EINVAL, 0, 0, "write -10"},
                {"+0", RLIMIT_NICE, 0, 20, 20, NULL},
                {"010", RLIMIT_CORE, 0, 10, 10, NULL},
                {"010", RLIMIT_CPU, 0, 10, 10, NULL},
                {"010", RLIMIT_RTTIME, 0, 10, 10, NULL},
                {"41", RLIMIT_NICE, -ERANGE, 0, 0, "out of range 0..40"},
                {"+20", RLIMIT_NICE, -ERANGE, 0, 0, "-20..19"},
                {"-21", RLIMIT_NICE, -ERANGE, 0, 0, "-20..19"},
                {"+", RLIMIT_NICE, -EINVAL, 0, 0, "not a nice level"},
                {"infinity", RLIMIT_NICE, -EINVAL, 0, 0, "not a decimal number"},
                {"", RLIMIT_NOFILE, -EINVAL, 0, 0, "empty"},
                {"4096:1024", RLIMIT_NOFILE, -EINVAL, 0, 0, "soft limit is above the hard limit"},
                {"infinity:1", RLIMIT_NOFILE, -EINVAL, 0, 0, "soft limit is above the hard limit"},
                {"7:", RLIMIT_NOFILE, -EINVAL, 0, 0, "hard limit after ':' is missing"}, /* as systemd */
                {":", RLIMIT_NOFILE, -EINVAL, 0, 0, "SOFT:HARD"},
                {" infinity ", RLIMIT_CPU, 0, RLIM_INFINITY, RLIM_INFINITY, NULL},
                {"1s:infinity", RLIMIT_RTTIME, 0, 1000000, RLIM_INFINITY, NULL},
                {"5:infinity ", RLIMIT_CPU, 0, 5, RLIM_INFINITY, NULL},
                {"18446744073709551614us", RLIMIT_RTTIME, 0, UINT64_MAX - 1, UINT64_MAX - 1, NULL},
                {":1", RLIMIT_NOFILE, -EINVAL, 0, 0, "SOFT:HARD"},
                {"1:2:3", RLIMIT_NOFILE, -EINVAL, 0, 0, "not a decimal number"},
                {"1K", RLIMIT_NOFILE, -EINVAL, 0, 0, "not a decimal number"},
                {"-1", RLIMIT_NOFILE, -ERANGE, 0, 0, "negative"},
                {"18446744073709551615", RLIMIT_NOFILE, -ERANGE, 0, 0, "use 'infinity'"},
                {"16E", RLIMIT_AS, -ERANGE, 0, 0, "too large"},
                {"1Q", RLIMIT_AS, -EINVAL, 0, 0, "unknown size suffix 'Q'"},
                {"1q", RLIMIT_CPU, -EINVAL, 0, 0, "unknown time unit 'q'"},
                {"1", 999, -EINVAL, 0, 0, "unknown resource limit"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                uint64_t soft = 1, hard = 1;
                int r = parse_rlimit(cases[i].in, cases[i].res, &soft, &hard, why);
                if (cases[i].r == 0) {
                        if (streq(cases[i].in, "-5:+5")) {
                                TAP_CHECK(r == -EINVAL,
                                          "parse_rlimit('-5:+5', NICE): nice -5 is limit 25 > 15");
                                continue;
                        }
                        TAP_CHECK(r == 0 && soft == cases[i].soft && hard == cases[i].hard,
                                  "parse_rlimit('%s', %d) = %" PRIu64 ":%" PRIu64 " (got %d, %" PRIu64
                                  ":%" PRIu64 ": %s)",
                                  cases[i].in, cases[i].res, cases[i].soft, cases[i].hard, r, soft, hard,
                                  why);
                } else
                        check_fail("parse_rlimit", cases[i].in, r, cases[i].r, why, cases[i].why);
        }
        uint64_t s, h;
        TAP_CHECK(parse_rlimit("+5:-5", RLIMIT_NICE, &s, &h, NULL) == 0 && s == 15 && h == 25,
                  "parse_rlimit('+5:-5', NICE) = 15:25");

        TAP_CHECK(rlimit_from_key("LimitNOFILE") == RLIMIT_NOFILE, "rlimit_from_key(LimitNOFILE)");
        TAP_CHECK(rlimit_from_key("LimitRTTIME") == RLIMIT_RTTIME, "rlimit_from_key(LimitRTTIME)");
        TAP_CHECK(rlimit_from_key("LimitFOO") == -1, "rlimit_from_key(LimitFOO) = -1");
        TAP_CHECK(rlimit_from_key("limitnofile") == -1, "rlimit_from_key is case-sensitive");
        TAP_CHECK(rlimit_from_key(NULL) == -1, "rlimit_from_key(NULL) = -1");
        TAP_CHECK(rlimit_to_key(999) == NULL, "rlimit_to_key(999) = NULL");
        for (int r = 0; r < RLIM_NLIMITS; r++)
                TAP_CHECK(rlimit_to_key(r) && rlimit_from_key(rlimit_to_key(r)) == r,
                          "rlimit key %d round-trips", r);
}

static void test_path(void) {
        static const struct {
                const char *in;
                int r;
                const char *out;
                const char *why;
        } cases[] = {
                {"/", 0, "/", NULL},
                {"/a", 0, "/a", NULL},
                {"//a/./b/", 0, "/a/b", NULL},
                {"/a//b///c", 0, "/a/b/c", NULL},
                {"/./", 0, "/", NULL},
                {"//", 0, "/", NULL},
                {"/a/.b/..c/...", 0, "/a/.b/..c/...", NULL},
                {"/srv/w\u00e9b", 0, "/srv/w\u00e9b", NULL},
                {"/a b", 0, "/a b", NULL},
                {"", -EINVAL, NULL, "empty"},
                {"a/b", -EINVAL, NULL, "not absolute"},
                {"./a", -EINVAL, NULL, "not absolute"},
                {"/a/../b", -EINVAL, NULL, "'..'"},
                {"/..", -EINVAL, NULL, "'..'"},
                {"/a/..", -EINVAL, NULL, "'..'"},
                {"/a\nb", -EINVAL, NULL, "control characters"},
                {"/a\tb", -EINVAL, NULL, "control characters"},
                {"/a\x7f", -EINVAL, NULL, "control characters"},
                {"/a\xff", -EINVAL, NULL, "UTF-8"},
                {"/\xc0\xaf", -EINVAL, NULL, "UTF-8"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                char *out = NULL;
                int r = parse_path(cases[i].in, &out, why);
                if (cases[i].r == 0) {
                        TAP_STREQ(r == 0 ? out : why, cases[i].out, "parse_path('%s')", cases[i].in);
                        TAP_CHECK(path_is_normalized_absolute(out), "parse_path('%s') is normalized",
                                  cases[i].in);
                } else {
                        check_fail("parse_path", cases[i].in, r, cases[i].r, why, cases[i].why);
                        TAP_CHECK(!out, "parse_path('%s') returns nothing", cases[i].in);
                }
                free(out);
        }
        /* Lengths: NAME_MAX per component, PATH_MAX - 1 in total after normalization */
        char big[PATH_MAX + 64];
        parse_why_t why = "";
        char *out = NULL;
        big[0] = '/';
        memset(big + 1, 'a', NAME_MAX);
        big[1 + NAME_MAX] = 0;
        TAP_CHECK(parse_path(big, &out, why) == 0, "component of NAME_MAX bytes is accepted");
        free(out);
        out = NULL;
        big[1 + NAME_MAX] = 'a';
        big[2 + NAME_MAX] = 0;
        check_fail("parse_path", "/<256 bytes>", parse_path(big, &out, why), -ENAMETOOLONG, why,
                   "longer than 255");
        size_t n = 0;
        while (n + 101 <= PATH_MAX - 1) { /* "/" + 100 x 'b' */
                big[n] = '/';
                memset(big + n + 1, 'b', 100);
                n += 101;
        }
        memset(big + n, '/', 1);
        memset(big + n + 1, 'c', PATH_MAX - 1 - n - 1);
        big[PATH_MAX - 1] = 0;
        TAP_CHECK(strlen(big) == PATH_MAX - 1 && parse_path(big, &out, why) == 0,
                  "path of PATH_MAX-1 bytes accepted");
        free(out);
        out = NULL;
        big[PATH_MAX - 1] = 'c';
        big[PATH_MAX] = 0;
        check_fail("parse_path", "<PATH_MAX bytes>", parse_path(big, &out, why), -ENAMETOOLONG, why,
                   "longer than");
        /* A long input that normalizes short is fine */
        memset(big, '/', PATH_MAX + 10);
        big[PATH_MAX + 10] = 0;
        TAP_CHECK(parse_path(big, &out, why) == 0 && streq(out, "/"), "many slashes normalize to /");
        free(out);

        static const struct {
                const char *in;
                bool ok;
        } norm[] = {
                {"/", true},     {"/a", true},     {"/a/b", true},   {"/a/.b", true},  {"", false},
                {"a", false},    {"/a/", false},   {"//a", false},   {"/a//b", false}, {"/./a", false},
                {"/a/.", false}, {"/a/..", false}, {"/../a", false}, {NULL, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(norm); i++)
                TAP_CHECK(path_is_normalized_absolute(norm[i].in) == norm[i].ok,
                          "path_is_normalized_absolute('%s') = %d", norm[i].in ? norm[i].in : "(null)",
                          norm[i].ok);
}

static void test_names(void) {
        static const struct {
                const char *in;
                bool ok;
        } users[] = {
                {"root", true},
                {"www-data", true},
                {"_apt", true},
                {"0", true},
                {"1000", true},
                {"65534", true},
                {"65535", false},
                {"4294967294", true},
                {"4294967295", false},
                {"4294967296", false},
                {"99999999999999999999", false},
                {"Foo.Bar", true},
                {"user@host", true},
                {"\u00e9l\u00e8ve", true},
                {"1abc", true},
                {"", false},
                {"-root", true},
                {".", false},
                {"..", false},
                {"a:b", false},
                {"a/b", false},
                {"a b", true},
                {" a", false},
                {" ", false},
                {"-1", false},
                {"-", false}, /* systemd: "-" followed by only digits (none) */
                {"-1a", true},
                /* systemd's relaxed rule refuses '-' with only digits after it, whatever their value */
                {"-0", false},
                {"-007", false},
                {"-99999999999999999999", false},
                {"--1", true},
                {"...", true},
                {"a\x7f", false},
                {"007", false}, /* systemd's parse_uid() refuses a leading 0 */
                {"0", true},
                {"01", false},
                {"a\tb", false},
                {"a\nb", false},
                {"a\x01", false},
                {"\xff", false},
                {"a ", false},
                {NULL, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(users); i++)
                TAP_CHECK(valid_user_group_name_or_id(users[i].in) == users[i].ok,
                          "valid_user_group_name_or_id('%s') = %d", users[i].in ? users[i].in : "(null)",
                          users[i].ok);

        static const struct {
                const char *in;
                bool ok;
        } hosts[] = {
                {"web", true},
                {"web-1", true},
                {"a.b.c", true},
                {"A1", true},
                {"0", true},
                {"1234567890123456789012345678901234567890123456789012345678901234", true},
                {"12345678901234567890123456789012345678901234567890123456789012345", false},
                {"", false},
                {"-web", false},
                {"web-", false},
                {".web", false},
                {"web.", false},
                {"a..b", false},
                {"a.-b", false},
                {"a-.b", false},
                {"we_b", false},
                {"web@1", false},
                {"w eb", false},
                {"w\u00e9b", false},
                {NULL, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(hosts); i++)
                TAP_CHECK(hostname_is_valid(hosts[i].in) == hosts[i].ok, "hostname_is_valid('%s') = %d",
                          hosts[i].in ? hosts[i].in : "(null)", hosts[i].ok);

        static const struct {
                const char *in;
                bool ok;
        } envs[] = {
                {"A=b", true}, {"A=", true},      {"_x1=y z", true},   {"PATH=/bin:/usr/bin", true},
                {"A==", true}, {"A=\t\n", true},  {"A=\u00e9", true},  {"=b", false},
                {"A", false},  {"1A=b", false},   {"A-B=c", false},    {"A B=c", false},
                {"", false},   {"A=\xff", false}, {"\u00e9=x", false}, {NULL, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(envs); i++)
                TAP_CHECK(env_assignment_is_valid(envs[i].in) == envs[i].ok,
                          "env_assignment_is_valid('%s') = %d", envs[i].in ? envs[i].in : "(null)",
                          envs[i].ok);

        static const struct {
                const char *in;
                bool ok;
        } utf8[] = {
                {"", true},
                {"abc", true},
                {"\u00e9\u20ac\U0001f600", true},
                {"\xf4\x8f\xbf\xbf", true},  /* U+10FFFF */
                {"\xf4\x90\x80\x80", false}, /* above U+10FFFF */
                {"\xc0\x80", false},         /* overlong NUL */
                {"\xe0\x80\xaf", false},     /* overlong '/' */
                {"\xed\xa0\x80", false},     /* surrogate */
                {"\x80", false},
                {"\xc3", false},
                {"\xe2\x82", false},
                {"\xfe", false},
                {NULL, false},
        };
        for (size_t i = 0; i < ELEMENTSOF(utf8); i++)
                TAP_CHECK(utf8_is_valid(utf8[i].in) == utf8[i].ok, "utf8_is_valid case %zu = %d", i,
                          utf8[i].ok);
}

/* argv joined with '|' for comparison */
static char *join(char **l) {
        static char buf[512];
        size_t o = 0;
        buf[0] = 0;
        STRV_FOREACH (s, l)
                o += (size_t) snprintf(buf + o, sizeof buf - o, "%s%s", o ? "|" : "", *s);
        return buf;
}

static void test_command_line(void) {
        static const struct {
                const char *in;
                int r;
                const char *out; /* words joined with '|' */
                const char *why;
        } cases[] = {
                {"/bin/true", 0, "/bin/true", NULL},
                {"/bin/echo a b  c", 0, "/bin/echo|a|b|c", NULL},
                {"  /bin/echo\ta\t ", 0, "/bin/echo|a", NULL},
                {"/bin/echo \"a b\" 'c d'", 0, "/bin/echo|a b|c d", NULL},
                {"/bin/echo a\"b c\"d", 0, "/bin/echo|ab cd", NULL},
                {"/bin/echo \"a\"'b'c", 0, "/bin/echo|abc", NULL},
                {"/bin/echo \"\"", 0, "/bin/echo|", NULL},
                {"/bin/echo '' x", 0, "/bin/echo||x", NULL},
                {"/bin/echo \"it's\"", 0, "/bin/echo|it's", NULL},
                {"/bin/echo 'say \"hi\"'", 0, "/bin/echo|say \"hi\"", NULL},
                {"/bin/echo \\\"a\\\"", 0, "/bin/echo|\"a\"", NULL},
                {"/bin/echo \\'", 0, "/bin/echo|'", NULL},
                {"/bin/echo a\\\\b", 0, "/bin/echo|a\\b", NULL},
                {"/bin/echo \"a\\\"b\"", 0, "/bin/echo|a\"b", NULL},
                {"/bin/echo 'a\\'b'", 0, "/bin/echo|a'b", NULL},
                {"/bin/echo a\\sb", 0, "/bin/echo|a b", NULL},
                {"/bin/echo \\x41\\102\\u00e9\\U0001F600", 0, "/bin/echo|AB\u00e9\U0001f600", NULL},
                {"/bin/echo \"\\x41 \\t\"", 0, "/bin/echo|A \t", NULL},
                {"/bin/echo \\a\\b\\f\\n\\r\\t\\v", 0, "/bin/echo|\a\b\f\n\r\t\v", NULL},
                {"/bin/echo \\xff", 0, "/bin/echo|\xff", NULL},
                {"/bin/echo \\;", 0, "/bin/echo|;", NULL},
                {"/bin/echo \\; x", 0, "/bin/echo|;|x", NULL},
                {"/bin/echo a;", 0, "/bin/echo|a;", NULL},
                {"/bin/echo ;a", 0, "/bin/echo|;a", NULL},
                {"/bin/echo \";\"", 0, "/bin/echo|;", NULL},
                {"/bin/echo \\\\;", 0, "/bin/echo|\\;", NULL},
                {"/bin/sh -c 'echo $HOME; exit 3'", 0, "/bin/sh|-c|echo $HOME; exit 3", NULL},
                {"-/bin/false", 0, "-/bin/false", NULL},
                {"@/bin/sleep sleeper 1", 0, "@/bin/sleep|sleeper|1", NULL},
                {"/usr/bin/env %n %% 50%", 0, "/usr/bin/env|%n|%%|50%", NULL},
                {"", -EINVAL, NULL, "empty command line"},
                {"   \t ", -EINVAL, NULL, "empty command line"},
                {"\"\" a", -EINVAL, NULL, "empty executable name"},
                {"/bin/echo \"abc", -EINVAL, NULL, "missing closing \""},
                {"/bin/echo 'abc", -EINVAL, NULL, "missing closing '"},
                {"/bin/echo \"a'", -EINVAL, NULL, "unbalanced quotes"},
                {"/bin/echo a\\", -EINVAL, NULL, "trailing backslash"},
                {"/bin/echo \"a\\", -EINVAL, NULL, "trailing backslash"},
                {"/bin/echo a\\ b", -EINVAL, NULL, "unknown escape sequence '\\ '"},
                {"/bin/echo \\q", -EINVAL, NULL, "unknown escape sequence '\\q'"},
                {"/bin/echo \\x4", -EINVAL, NULL, "two hex digits"},
                {"/bin/echo \\xzz", -EINVAL, NULL, "two hex digits"},
                {"/bin/echo \\x00", -EINVAL, NULL, "NUL"},
                {"/bin/echo \\000", -EINVAL, NULL, "NUL"},
                {"/bin/echo \\u0000", -EINVAL, NULL, "NUL"},
                {"/bin/echo \\U00000000", -EINVAL, NULL, "NUL"},
                {"/bin/echo \\12", -EINVAL, NULL, "three octal digits"},
                {"/bin/echo \\18", -EINVAL, NULL, "three octal digits"},
                {"/bin/echo \\400", -EINVAL, NULL, "above \\377"},
                {"/bin/echo \\u12", -EINVAL, NULL, "4 hex digits"},
                {"/bin/echo \\ud800", -EINVAL, NULL, "not a valid Unicode code point"},
                {"/bin/echo \\U00110000", -EINVAL, NULL, "not a valid Unicode code point"},
                {"/bin/echo \\U0001F60", -EINVAL, NULL, "8 hex digits"},
                {"/bin/echo ; /bin/true", -EINVAL, NULL, "one command per line"},
                {"/bin/echo a ;", -EINVAL, NULL, "one command per line"},
                {";", -EINVAL, NULL, "one command per line"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                char **argv = NULL;
                int r = parse_command_line(cases[i].in, &argv, why);
                if (cases[i].r == 0)
                        TAP_STREQ(r == 0 ? join(argv) : why, cases[i].out, "parse_command_line('%s')",
                                  cases[i].in);
                else {
                        check_fail("parse_command_line", cases[i].in, r, cases[i].r, why, cases[i].why);
                        TAP_CHECK(!argv, "parse_command_line('%s') returns nothing", cases[i].in);
                }
                strv_free(argv);
        }
        char **argv = NULL;
        TAP_CHECK(parse_command_line(NULL, &argv, NULL) == -EINVAL, "parse_command_line(NULL) fails");
}

static void test_split_words(void) {
        static const struct {
                const char *in;
                int r;
                const char *out;
                const char *why;
        } cases[] = {
                {"", 0, "", NULL},
                {"   ", 0, "", NULL},
                {"a", 0, "a", NULL},
                {"a.service  b.service", 0, "a.service|b.service", NULL},
                {"\"A=b c\" D=e", 0, "A=b c|D=e", NULL},
                {"'A=\"q\"' B=\\x41", 0, "A=\"q\"|B=A", NULL},
                {"a ; b", 0, "a|;|b", NULL},
                {"\"\"", 0, "", NULL},
                {"\"abc", -EINVAL, NULL, "missing closing"},
                {"a\\", -EINVAL, NULL, "trailing backslash"},
                {"a\\z", -EINVAL, NULL, "unknown escape"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                char **l = NULL;
                int r = split_words(cases[i].in, &l, why);
                if (cases[i].r == 0) {
                        TAP_STREQ(r == 0 ? join(l) : why, cases[i].out, "split_words('%s')", cases[i].in);
                        TAP_CHECK(r == 0 && l, "split_words('%s') returns a vector", cases[i].in);
                } else
                        check_fail("split_words", cases[i].in, r, cases[i].r, why, cases[i].why);
                strv_free(l);
        }
        char **l = NULL;
        TAP_CHECK(split_words("\"\"", &l, NULL) == 0 && strv_length(l) == 1 && streq(l[0], ""),
                  "split_words keeps an empty quoted word");
        strv_free(l);
}

static void test_split_words_full(void) {
        static const struct {
                const char *in;
                unsigned flags;
                int r;
                const char *out;
                const char *why;
        } cases[] = {
                /* unit-name lists: everything literal */
                {"foo\\x2dbar.service  b.service", SPLIT_RETAIN_ESCAPE, 0, "foo\\x2dbar.service|b.service",
                 NULL},
                {"\"a b\" c\\", SPLIT_RETAIN_ESCAPE, 0, "\"a|b\"|c\\", NULL},
                {"", SPLIT_RETAIN_ESCAPE, 0, "", NULL},
                /* flags 0: backslash takes the next character, quotes literal */
                {"a\\ b c", 0, 0, "a b|c", NULL},
                {"\\x41 'q'", 0, 0, "x41|'q'", NULL},
                {"a\\", 0, -EINVAL, NULL, "trailing backslash"},
                /* unquote only */
                {"\"/a b\" /c\\\"d \\x41", SPLIT_UNQUOTE, 0, "/a b|/c\"d|x41", NULL},
                {"'/a", SPLIT_UNQUOTE, -EINVAL, NULL, "missing closing '"},
                {"\"a\\", SPLIT_UNQUOTE, -EINVAL, NULL, "trailing backslash"},
                /* C unescape */
                {"A=\\x41 'B=\\t'", SPLIT_UNQUOTE | SPLIT_CUNESCAPE, 0, "A=A|B=\t", NULL},
                /* relaxed (an ExecStart= "$NAME" value, EXTRACT_RELAX|EXTRACT_UNQUOTE) */
                {"--title \"hello world\"", SPLIT_UNQUOTE | SPLIT_RELAX, 0, "--title|hello world", NULL},
                {"'a b  c\\", SPLIT_UNQUOTE | SPLIT_RELAX, 0, "a b  c", NULL},
                {"x\\ y z\\", SPLIT_UNQUOTE | SPLIT_RELAX, 0, "x y|z", NULL},
                {"'\\'' \"\\\\\" \\t", SPLIT_UNQUOTE | SPLIT_RELAX, 0, "'|\\|t", NULL},
                {"a \"\" b\"\"c", SPLIT_UNQUOTE | SPLIT_RELAX, 0, "a||bc", NULL},
                {"\"a\\", SPLIT_UNQUOTE | SPLIT_RELAX, 0, "a", NULL},
                {"x", 1u << 7, -EINVAL, NULL, "unknown split flags"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                char **l = NULL;
                int r = split_words_full(cases[i].in, cases[i].flags, &l, why);
                if (cases[i].r == 0)
                        TAP_STREQ(r == 0 ? join(l) : why, cases[i].out, "split_words_full('%s', %u)",
                                  cases[i].in, cases[i].flags);
                else
                        check_fail("split_words_full", cases[i].in, r, cases[i].r, why, cases[i].why);
                strv_free(l);
        }
}

static void test_cpu_set(void) {
        static const struct {
                const char *in;
                int r;
                const char *out;
                const char *why;
        } cases[] = {
                {"", 0, "", NULL},
                {"0", 0, "0", NULL},
                {"0-3", 0, "0-3", NULL},
                {"0-3,6", 0, "0-3,6", NULL},
                {"0 1 2 3 6", 0, "0-3,6", NULL},
                {"6,0-3", 0, "0-3,6", NULL},
                {"1,1,1", 0, "1", NULL},
                {"0-2 2-4", 0, "0-4", NULL},
                {"0,2,4", 0, "0,2,4", NULL},
                {" , 5 ,, 7-7 ", 0, "5,7", NULL},
                {"8191", 0, "8191", NULL},
                {"0-8191", 0, "0-8191", NULL},
                {"3-1", -EINVAL, NULL, "goes backwards"},
                {"8192", -ERANGE, NULL, "too large"},
                {"99999999999999999999", -ERANGE, NULL, "not a CPU number"},
                {"a", -EINVAL, NULL, "not a CPU number"},
                {"-1", -EINVAL, NULL, "not a CPU number"},
                {"1-", -EINVAL, NULL, "not a CPU range"},
                {"1-a", -EINVAL, NULL, "not a CPU range"},
                {"1x", -EINVAL, NULL, "unexpected 'x'"},
                {"1-2-3", -EINVAL, NULL, "unexpected '-3'"},
                {"1 - 2", -EINVAL, NULL, "not a CPU number"},
                /* systemd's parse_range() reads with safe_atou(): "010" is CPU 8 there */
                {"010", -EINVAL, NULL, "octal to systemd (8); write 10"},
                {"1,02-3", -EINVAL, NULL, "write 2-3"},
                {"0-07", -EINVAL, NULL, "write 0-7"},
                {"0x3", -EINVAL, NULL, "hexadecimal to systemd; write 3"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                parse_why_t why = "";
                char *out = NULL;
                int r = parse_cpu_set(cases[i].in, &out, why);
                if (cases[i].r == 0)
                        TAP_STREQ(r == 0 ? out : why, cases[i].out, "parse_cpu_set('%s')", cases[i].in);
                else
                        check_fail("parse_cpu_set", cases[i].in, r, cases[i].r, why, cases[i].why);
                free(out);
        }
        /* The longest normalized form: every other CPU */
        char *big = malloc(8192 * 6), *out = NULL;
        size_t o = 0;
        for (int c = 0; c < 8192; c += 2)
                o += (size_t) sprintf(big + o, "%d,", c);
        TAP_CHECK(parse_cpu_set(big, &out, NULL) == 0 && strlen(out) == o - 1, "every other CPU of 8192");
        free(out);
        free(big);
}

static void test_why_quoting(void) {
        parse_why_t why = "";
        uint64_t v;
        char input[400];
        /* A long, hostile suffix is quoted, escaped and cut; the reason stays within its buffer. */
        memset(input, 'Z', sizeof input - 1);
        input[0] = '1';
        input[1] = '\x1b';
        input[sizeof input - 1] = 0;
        TAP_CHECK(parse_size(input, false, 0, &v, why) == -EINVAL && strlen(why) < PARSE_WHY_MAX &&
                          strstr(why, "\\x1b") && !strchr(why, '\x1b'),
                  "control characters in reasons are escaped: %s", why);
        int sig;
        TAP_CHECK(parse_signal(input + 2, &sig, why) == -EINVAL && strstr(why, "..."),
                  "long input is cut: %s", why);
}

/* Every parser accepts a NULL why and still fails with its errno. */
static void test_null_why(void) {
        bool b;
        uint64_t u, h;
        usec_t t;
        mode_t m;
        int i, j;
        char *p = NULL, **l = NULL;

        TAP_CHECK(parse_boolean("x", &b, NULL) == -EINVAL, "parse_boolean, NULL why");
        TAP_CHECK(parse_size("1Q", true, 100, &u, NULL) == -EINVAL, "parse_size, NULL why");
        TAP_CHECK(parse_timespan("1q", USEC_PER_SEC, &t, NULL) == -EINVAL, "parse_timespan, NULL why");
        TAP_CHECK(parse_uint64_range("11", 0, 10, &u, NULL) == -ERANGE, "parse_uint64_range, NULL why");
        TAP_CHECK(parse_mode("9", &m, NULL) == -EINVAL, "parse_mode, NULL why");
        TAP_CHECK(parse_permyriad("1", &u, NULL) == -EINVAL, "parse_permyriad, NULL why");
        TAP_CHECK(parse_signal("FOO", &i, NULL) == -EINVAL, "parse_signal, NULL why");
        TAP_CHECK(parse_exit_status_word("FOO", &i, &j, NULL) == -EINVAL,
                  "parse_exit_status_word, NULL why");
        TAP_CHECK(parse_capability("CAP_FOO", &i, NULL) == -EINVAL, "parse_capability, NULL why");
        TAP_CHECK(parse_rlimit("2:1", RLIMIT_NOFILE, &u, &h, NULL) == -EINVAL, "parse_rlimit, NULL why");
        TAP_CHECK(parse_path("a", &p, NULL) == -EINVAL && !p, "parse_path, NULL why");
        TAP_CHECK(parse_command_line("'", &l, NULL) == -EINVAL && !l, "parse_command_line, NULL why");
        TAP_CHECK(split_words("'", &l, NULL) == -EINVAL && !l, "split_words, NULL why");
        TAP_CHECK(split_words_full("a\\", 0, &l, NULL) == -EINVAL && !l, "split_words_full, NULL why");
        TAP_CHECK(parse_cpu_set("x", &p, NULL) == -EINVAL && !p, "parse_cpu_set, NULL why");
}

int main(void) {
        test_boolean();
        test_size();
        test_format_bytes();
        test_timespan();
        test_format_timespan();
        test_uint64_range();
        test_mode();
        test_permyriad();
        test_signal();
        test_exit_status();
        test_capability();
        test_rlimit();
        test_path();
        test_names();
        test_command_line();
        test_split_words();
        test_split_words_full();
        test_cpu_set();
        test_why_quoting();
        test_null_why();
        return tap_done();
}
