/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DevicePolicy= and DeviceAllow= -> a cgroup device program (BPF_PROG_TYPE_CGROUP_DEVICE) attached
 * to the payload cgroup: the kernel asks it at every open(2) and mknod(2) of a device node by a
 * process of the cgroup, and refuses with EPERM what it does not allow. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cgroup/bpf-prog.h"
#include "hutch/cgroup.h"
#include "hutch/log.h"

_Static_assert(DEVICE_ACCESS_MKNOD == BPF_DEVCG_ACC_MKNOD && DEVICE_ACCESS_READ == BPF_DEVCG_ACC_READ &&
                       DEVICE_ACCESS_WRITE == BPF_DEVCG_ACC_WRITE,
               "the model's DeviceAllow= access bits are the kernel's");

/* DevicePolicy=closed's devices (systemd's list): what nearly every program opens. */
static const struct {
        const char *spec;
        unsigned access;
} closed_devices[] = {
        {"/dev/null", DEVICE_ACCESS_ALL},    {"/dev/zero", DEVICE_ACCESS_ALL},
        {"/dev/full", DEVICE_ACCESS_ALL},    {"/dev/random", DEVICE_ACCESS_ALL},
        {"/dev/urandom", DEVICE_ACCESS_ALL}, {"/dev/tty", DEVICE_ACCESS_ALL},
        {"/dev/ptmx", DEVICE_ACCESS_ALL},    {"char-pts", DEVICE_ACCESS_READ | DEVICE_ACCESS_WRITE},
};

/* /dev/char/MAJ:MIN and /dev/block/MAJ:MIN name their device: read without the node (as systemd,
 * so that a unit may name a device that is not plugged in yet). 1 when parsed, 0 when not such
 * a name. */
static int parse_numbered(const char *spec, struct device_rule *ret) {
        char type;
        const char *p;
        if (strncmp(spec, "/dev/char/", 10) == 0) {
                type = 'c';
                p = spec + 10;
        } else if (strncmp(spec, "/dev/block/", 11) == 0) {
                type = 'b';
                p = spec + 11;
        } else
                return 0;
        unsigned maj, min;
        int end = 0;
        if (!isdigit((unsigned char) *p) || sscanf(p, "%u:%u%n", &maj, &min, &end) != 2 || p[end])
                return 0;
        *ret = (struct device_rule){.type = type, .major = (int) maj, .minor = (int) min};
        return 1;
}

int cgroup_device_majors(const char *proc_devices, char type, const char *pattern, unsigned *majors,
                         size_t max) {
        const char *section = type == 'c' ? "Character devices:" : "Block devices:";
        size_t n = 0;
        bool in = false;
        for (const char *line = proc_devices; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);
                char buf[128];
                if (len < sizeof buf) {
                        memcpy(buf, line, len);
                        buf[len] = 0;
                        unsigned maj;
                        char name[96];
                        if (len == 0)
                                in = false;
                        else if (strchr(buf, ':'))
                                in = streq(buf, section);
                        else if (in && sscanf(buf, "%u %95s", &maj, name) == 2 && maj > 0 &&
                                 fnmatch(pattern, name, 0) == 0 && n < max) {
                                bool seen = false;
                                for (size_t i = 0; i < n; i++)
                                        seen = seen || majors[i] == maj;
                                if (!seen)
                                        majors[n++] = maj;
                        }
                }
                line = nl ? nl + 1 : NULL;
        }
        return (int) n;
}

/* The rules of one DeviceAllow= entry, appended to *rules. 0 when it matched nothing here (a node
 * that does not exist, a driver that is not loaded): said, and left out, as systemd does, so that
 * a unplugged device does not stop the service from starting; it then cannot open it. */
static int add_rules(const char *spec, unsigned access, const char *where, const char *key,
                     const char *proc_devices, struct device_rule **rules, size_t *n) {
        struct device_rule one[64];
        size_t k = 0;
        if (spec[0] == '/') {
                if (parse_numbered(spec, &one[0]))
                        k = 1;
                else {
                        struct stat st;
                        if (stat(spec, &st) < 0) {
                                log_warning_errno(-errno, "%s%s: %s: %m; the service cannot open it", where,
                                                  key, spec);
                                return 0;
                        }
                        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
                                log_warning("%s%s: %s is not a device node; left out", where, key, spec);
                                return 0;
                        }
                        one[0] = (struct device_rule){.type = S_ISCHR(st.st_mode) ? 'c' : 'b',
                                                      .major = (int) major(st.st_rdev),
                                                      .minor = (int) minor(st.st_rdev)};
                        k = 1;
                }
        } else {
                char type = spec[0] == 'c' ? 'c' : 'b';
                const char *pattern = spec + (type == 'c' ? 5 : 6);
                unsigned majors[ELEMENTSOF(one)];
                int m = proc_devices ? cgroup_device_majors(proc_devices, type, pattern, majors,
                                                            ELEMENTSOF(majors))
                                     : 0;
                if (m == 0) {
                        log_warning("%s%s: %s: no %s driver of that name in /proc/devices; the service "
                                    "cannot open its devices",
                                    where, key, spec, type == 'c' ? "character" : "block");
                        return 0;
                }
                for (int i = 0; i < m; i++)
                        one[k++] = (struct device_rule){.type = type, .major = (int) majors[i], .minor = -1};
        }
        struct device_rule *grown = realloc(*rules, (*n + k) * sizeof(**rules));
        if (!grown)
                return -ENOMEM;
        *rules = grown;
        for (size_t i = 0; i < k; i++) {
                one[i].access = access;
                grown[(*n)++] = one[i];
        }
        return 1;
}

int cgroup_device_rules(const struct hutch_unit *u, const char *proc_devices, struct device_rule **ret,
                        size_t *ret_n) {
        const struct unit_section_resources *res = &u->resources;
        struct device_rule *rules = NULL;
        size_t n = 0;
        int r = 0;
        /* systemd: "auto" with a DeviceAllow= list is "closed". */
        if (res->device_policy == DEVICE_POLICY_CLOSED ||
            (res->device_policy == DEVICE_POLICY_AUTO && res->n_device_allow > 0))
                for (size_t i = 0; r >= 0 && i < ELEMENTSOF(closed_devices); i++) {
                        char where[512];
                        unit_origin_prefix(res->device_policy_origin, where, sizeof where);
                        r = add_rules(closed_devices[i].spec, closed_devices[i].access, where,
                                      "DevicePolicy", proc_devices, &rules, &n);
                }
        for (size_t i = 0; r >= 0 && i < res->n_device_allow; i++) {
                char where[512];
                unit_origin_prefix(res->device_allow[i].origin, where, sizeof where);
                r = add_rules(res->device_allow[i].spec, res->device_allow[i].access, where, "DeviceAllow",
                              proc_devices, &rules, &n);
        }
        if (r < 0) {
                free(rules);
                return r;
        }
        *ret = rules;
        *ret_n = n;
        return 0;
}

/* Instruction encoders, for the few kinds the program uses. */
#define insn bpf_insn_make
#define LOAD_CTX_U32(dst, field) \
        insn(BPF_LDX | BPF_MEM | BPF_W, dst, BPF_REG_1, offsetof(struct bpf_cgroup_dev_ctx, field), 0)
#define JNE_IMM(reg, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, reg, 0, off, imm)
#define RETURN(v) insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, v), insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

size_t cgroup_device_program(const struct device_rule *rules, size_t n, struct bpf_insn *out) {
        size_t k = 0;
        /* r2 = device type, r3 = access asked for, r4 = major, r5 = minor */
        const struct bpf_insn head[] = {
                LOAD_CTX_U32(BPF_REG_2, access_type),
                insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff),
                LOAD_CTX_U32(BPF_REG_3, access_type),
                insn(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16),
                LOAD_CTX_U32(BPF_REG_4, major),
                LOAD_CTX_U32(BPF_REG_5, minor),
        };
        for (size_t i = 0; i < ELEMENTSOF(head); i++)
                if (out)
                        out[k++] = head[i];
                else
                        k++;
        for (size_t i = 0; i < n; i++) {
                const struct device_rule *d = &rules[i];
                bool check_access = (d->access & DEVICE_ACCESS_ALL) != DEVICE_ACCESS_ALL;
                /* Every test jumps past the rule's "allow" on a mismatch: to the next rule. */
                size_t len = 1 + (check_access ? 3 : 0) + (d->major >= 0) + (d->minor >= 0) + 2;
                size_t end = k + len;
                struct bpf_insn r[8];
                size_t j = 0;
#define TO_END(at) ((int16_t) (end - (at) -1))
                r[j] = JNE_IMM(BPF_REG_2, d->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK,
                               TO_END(k + j));
                j++;
                if (check_access) {
                        /* Asked-for access outside the allowed: not this rule. */
                        r[j++] = insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
                        r[j++] = insn(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t) ~d->access);
                        r[j] = JNE_IMM(BPF_REG_1, 0, TO_END(k + j));
                        j++;
                }
                if (d->major >= 0) {
                        r[j] = JNE_IMM(BPF_REG_4, d->major, TO_END(k + j));
                        j++;
                }
                if (d->minor >= 0) {
                        r[j] = JNE_IMM(BPF_REG_5, d->minor, TO_END(k + j));
                        j++;
                }
#undef TO_END
                const struct bpf_insn allow[] = {RETURN(1)};
                r[j++] = allow[0];
                r[j++] = allow[1];
                for (size_t m = 0; m < j; m++)
                        if (out)
                                out[k++] = r[m];
                        else
                                k++;
        }
        const struct bpf_insn deny[] = {RETURN(0)};
        for (size_t i = 0; i < ELEMENTSOF(deny); i++)
                if (out)
                        out[k++] = deny[i];
                else
                        k++;
        return k;
}

/* Where the error of a device filter is told: DevicePolicy= when written, else the first
 * DeviceAllow=. */
static const char *filter_where(const struct hutch_unit *u, char *buf, size_t size, const char **key) {
        const struct unit_section_resources *res = &u->resources;
        bool policy = res->device_policy != DEVICE_POLICY_AUTO || res->n_device_allow == 0;
        *key = policy ? "DevicePolicy" : "DeviceAllow";
        return unit_origin_prefix(policy ? res->device_policy_origin : res->device_allow[0].origin, buf,
                                  size);
}

static char *read_proc_devices(void) {
        FILE *f = fopen("/proc/devices", "re");
        if (!f)
                return NULL;
        char *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        if (m) {
                char buf[4096];
                size_t got;
                while ((got = fread(buf, 1, sizeof buf, f)) > 0)
                        fwrite(buf, 1, got, m);
                fclose(m);
        }
        fclose(f);
        return text;
}

int cgroup_apply_devices(struct cgroup_tree *t, const struct hutch_unit *u) {
        if (!model_device_filter(u))
                return 0;
        char where[512];
        const char *key;
        filter_where(u, where, sizeof where, &key);
        _cleanup_free_ char *proc_devices = read_proc_devices();
        _cleanup_free_ struct device_rule *rules = NULL;
        size_t n;
        int r = cgroup_device_rules(u, proc_devices, &rules, &n);
        if (r < 0)
                return log_oom();
        size_t count = cgroup_device_program(rules, n, NULL);
        _cleanup_free_ struct bpf_insn *prog = calloc(count, sizeof *prog);
        if (!prog)
                return log_oom();
        cgroup_device_program(rules, n, prog);

        const enum bpf_attach_type at = BPF_CGROUP_DEVICE;
        const struct bpf_insn *progs[] = {prog};
        return cgroup_bpf_attach(t, BPF_PROG_TYPE_CGROUP_DEVICE, &at, 1, progs, &count, "device", where,
                                 key);
}
