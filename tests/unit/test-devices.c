/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DevicePolicy= and DeviceAllow=: /proc/devices read by driver name, the rules of a unit, and the
 * cgroup device program run here by a small interpreter of the instructions it uses, for the
 * answers it gives. (That the kernel loads it and refuses what it denies is proven from inside
 * a sandbox in tests/host/test-sandbox-devices.sh.) */
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>

#include "../ebpf-run.h"
#include "hutch/cgroup.h"
#include "tap.h"

static const char proc_devices[] = "Character devices:\n"
                                   "  1 mem\n"
                                   "  4 /dev/vc/0\n"
                                   "  4 tty\n"
                                   "  5 /dev/tty\n"
                                   "136 pts\n"
                                   "180 usb\n"
                                   "189 usb_device\n"
                                   "\n"
                                   "Block devices:\n"
                                   "  7 loop\n"
                                   "  8 sd\n"
                                   "254 virtblk\n";

/* Runs the program on one request: 1 allow, 0 deny, -1 when it does something the interpreter
 * (and the program's design) does not know. */
static int run(const struct bpf_insn *p, size_t n, unsigned type, unsigned access, unsigned maj,
               unsigned min) {
        struct bpf_cgroup_dev_ctx ctx = {.access_type = type | access << 16, .major = maj, .minor = min};
        return (int) ebpf_run(p, n, &(struct ebpf_env){.ctx = &ctx, .ctx_size = sizeof ctx});
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static struct bpf_insn *build(const struct device_rule *rules, size_t n, size_t *len) {
        *len = cgroup_device_program(rules, n, NULL);
        struct bpf_insn *p = calloc(*len, sizeof *p);
        if (p)
                cgroup_device_program(rules, n, p);
        return p;
}

static void test_majors(void) {
        unsigned m[8];
        int n = cgroup_device_majors(proc_devices, 'c', "tty", m, 8);
        TAP_CHECK(n == 1 && m[0] == 4, "char-tty: major 4 (not the block section, not /dev/tty)");
        n = cgroup_device_majors(proc_devices, 'c', "usb*", m, 8);
        TAP_CHECK(n == 2 && m[0] == 180 && m[1] == 189, "char-usb*: a glob, 180 and 189");
        n = cgroup_device_majors(proc_devices, 'b', "loop", m, 8);
        TAP_CHECK(n == 1 && m[0] == 7, "block-loop: 7");
        n = cgroup_device_majors(proc_devices, 'c', "loop", m, 8);
        TAP_CHECK(n == 0, "char-loop: none (loop is a block driver)");
        n = cgroup_device_majors(proc_devices, 'c', "/dev/*", m, 8);
        TAP_CHECK(n == 2 && m[0] == 4 && m[1] == 5, "names with a slash match too, each major once");
        n = cgroup_device_majors(proc_devices, 'c', "*", m, 2);
        TAP_CHECK(n == 2, "at most max");
        TAP_CHECK(cgroup_device_majors("", 'c', "*", m, 8) == 0, "an empty /proc/devices: none");
}

static void test_program(void) {
        const struct device_rule rules[] = {
                {.type = 'c', .major = 1, .minor = 3, .access = R | W},        /* /dev/null rw */
                {.type = 'c', .major = 136, .minor = -1, .access = R | W | M}, /* char-pts */
                {.type = 'b', .major = 7, .minor = -1, .access = R},           /* block-loop r */
        };
        size_t n;
        struct bpf_insn *p = build(rules, ELEMENTSOF(rules), &n);
        TAP_CHECK(p != NULL, "program built");
        if (!p)
                return;
        TAP_CHECK(run(p, n, C, R, 1, 3) == 1 && run(p, n, C, W, 1, 3) == 1 && run(p, n, C, R | W, 1, 3) == 1,
                  "/dev/null: read, write, both allowed");
        TAP_CHECK(run(p, n, C, M, 1, 3) == 0 && run(p, n, C, R | M, 1, 3) == 0, "/dev/null: mknod refused");
        TAP_CHECK(run(p, n, C, R, 1, 5) == 0, "/dev/zero (1:5): refused");
        TAP_CHECK(run(p, n, B, R, 1, 3) == 0, "block 1:3: refused (the type counts)");
        TAP_CHECK(run(p, n, C, R | W | M, 136, 0) == 1 && run(p, n, C, R, 136, 77) == 1,
                  "char-pts: any minor, all access");
        TAP_CHECK(run(p, n, B, R, 7, 0) == 1 && run(p, n, B, R, 7, 9) == 1, "block-loop r: read any minor");
        TAP_CHECK(run(p, n, B, W, 7, 0) == 0, "block-loop r: write refused");
        TAP_CHECK(run(p, n, C, R, 7, 0) == 0, "char 7:0: refused");
        free(p);

        p = build(NULL, 0, &n);
        TAP_CHECK(p && run(p, n, C, R, 1, 3) == 0 && run(p, n, B, R | W, 8, 0) == 0,
                  "no rules (strict, nothing listed): all refused");
        free(p);
}

static void test_rules(void) {
        struct hutch_unit u = {0};
        struct device_allow allow[] = {
                {.spec = (char *) "/dev/char/10:200", .access = R | W},
                {.spec = (char *) "/dev/block/8:0", .access = R},
                {.spec = (char *) "char-usb*", .access = R},
                {.spec = (char *) "block-hutch-none", .access = R},
        };
        u.resources.device_policy = DEVICE_POLICY_STRICT;
        u.resources.device_allow = allow;
        u.resources.n_device_allow = ELEMENTSOF(allow);
        struct device_rule *r = NULL;
        size_t n = 0;
        TAP_CHECK(cgroup_device_rules(&u, proc_devices, &r, &n) == 0, "rules resolved");
        TAP_CHECK(n == 4 && r[0].type == 'c' && r[0].major == 10 && r[0].minor == 200 &&
                          r[0].access == (R | W),
                  "/dev/char/10:200 read as its numbers, without the node");
        TAP_CHECK(n == 4 && r[1].type == 'b' && r[1].major == 8 && r[1].minor == 0, "/dev/block/8:0");
        TAP_CHECK(n == 4 && r[2].major == 180 && r[2].minor == -1 && r[3].major == 189,
                  "char-usb*: a rule per major, any minor");
        free(r);

        /* auto with a list means closed: its devices first (resolved by stat: /dev/null exists
         * wherever the tests run), then the list. */
        u.resources.device_policy = DEVICE_POLICY_AUTO;
        u.resources.n_device_allow = 1;
        r = NULL;
        TAP_CHECK(cgroup_device_rules(&u, proc_devices, &r, &n) == 0, "auto with a list: resolved");
        bool null = false, pts = false;
        for (size_t i = 0; i < n; i++) {
                null = null || (r[i].type == 'c' && r[i].major == 1 && r[i].minor == 3);
                pts = pts ||
                      (r[i].type == 'c' && r[i].major == 136 && r[i].minor == -1 && r[i].access == (R | W));
        }
        TAP_CHECK(null && pts, "auto with a list: /dev/null and char-pts (rw) are in, as closed's");
        TAP_CHECK(n > 0 && r[n - 1].major == 10 && r[n - 1].minor == 200, "  and the list after them");
        free(r);
}

int main(void) {
        test_majors();
        test_program();
        test_rules();
        return tap_done();
}
