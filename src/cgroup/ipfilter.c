/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPAddressAllow= and IPAddressDeny= -> two cgroup socket-buffer programs
 * (BPF_PROG_TYPE_CGROUP_SKB) attached to the payload cgroup: one the kernel runs on every packet
 * a socket of the cgroup receives (it checks the source address), one on every packet such a
 * socket sends (the destination). systemd's rules, in this order: an address in the allow list
 * passes; else one in the deny list is dropped; else it passes. A dropped packet that is sent
 * fails its send(2) with EPERM; one received is gone as if it never came.
 *
 * The prefixes are compiled into the program as compares, no maps: a unit lists a few, and a map
 * would be one more kernel object to make and free at every start and stop. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/bpf-prog.h"
#include "hutch/cgroup.h"
#include "hutch/log.h"

#define insn bpf_insn_make
#define JA(off) insn(BPF_JMP | BPF_JA, 0, 0, off, 0)
#define STACK_ADDR (-16) /* where the address is copied to, below the frame pointer */

/* Jump offset from the instruction about to be written to `target`. */
static int16_t to(const struct bpf_emit *e, size_t target) {
        return (int16_t) ((long) target - (long) e->n - 1);
}

/* The first `bits` bits of 32-bit word w of an address, as a number. */
static uint32_t word_of(const struct ip_prefix *p, unsigned w) {
        uint32_t v;
        memcpy(&v, p->addr + 4 * w, 4);
        return ntohl(v);
}

static uint32_t mask_of(unsigned bits) {
        return bits >= 32 ? UINT32_MAX : bits == 0 ? 0 : ~(UINT32_MAX >> bits);
}

/* One IPv4 prefix against w2 (the address, host order): to `target` when it matches. */
static void ipv4_rule(struct bpf_emit *e, const struct ip_prefix *p, size_t target) {
        uint32_t net = word_of(p, 0);
        if (p->prefixlen == 0)
                bpf_put(e, JA(to(e, target)));
        else if (p->prefixlen == 32)
                bpf_put(e, insn(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_2, 0, to(e, target), (int32_t) net));
        else {
                bpf_put(e, insn(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0));
                bpf_put(e,
                        insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, (int32_t) mask_of(p->prefixlen)));
                bpf_put(e, insn(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_3, 0, to(e, target), (int32_t) net));
        }
}

/* One IPv6 prefix against the 16 bytes at STACK_ADDR: word by word, on to the next rule at the
 * first word that differs; to `target` when every word of the prefix matched. */
static void ipv6_rule(struct bpf_emit *e, const struct ip_prefix *p, size_t target) {
        unsigned words = (p->prefixlen + 31) / 32;
        size_t len = 1;
        for (unsigned w = 0; w < words; w++)
                len += p->prefixlen >= 32 * (w + 1) ? 3 : 4;
        size_t next = e->n + len;
        for (unsigned w = 0; w < words; w++) {
                unsigned bits = p->prefixlen - 32 * w;
                bpf_put(e, insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_10,
                                (int16_t) (STACK_ADDR + 4 * (int) w), 0));
                bpf_put(e, insn(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_3, 0, 0, 32));
                if (bits < 32)
                        bpf_put(e,
                                insn(BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, (int32_t) mask_of(bits)));
                bpf_put(e, insn(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_3, 0, to(e, next),
                                (int32_t) (word_of(p, w) & mask_of(bits))));
        }
        bpf_put(e, JA(to(e, target)));
}

struct labels {
        size_t v4, v6, allow, deny;
};

static bool has_family(const struct ip_prefix_list *l, bool ipv6) {
        for (size_t i = 0; i < l->n; i++)
                if (l->items[i].ipv6 == ipv6)
                        return true;
        return false;
}

/* Copies the address to the stack (bpf_skb_load_bytes(): the packet may not be linear), then the
 * allow list's prefixes of the family, then the deny list's; what matches neither passes. A
 * packet too short to hold the address is dropped. */
static void family_block(struct bpf_emit *e, const struct unit_section_resources *res, bool ipv6,
                         bool ingress, const struct labels *l) {
        /* Source and destination address in the IPv4 and IPv6 headers. */
        int off = ipv6 ? (ingress ? 8 : 24) : (ingress ? 12 : 16);
        bpf_put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_6, 0, 0));
        bpf_put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_2, 0, 0, off));
        bpf_put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_10, 0, 0));
        bpf_put(e, insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, STACK_ADDR));
        bpf_put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_4, 0, 0, ipv6 ? 16 : 4));
        bpf_put(e, insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_skb_load_bytes));
        bpf_put(e, insn(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, to(e, l->deny), 0));
        if (!ipv6) {
                bpf_put(e, insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_10, STACK_ADDR, 0));
                bpf_put(e, insn(BPF_ALU | BPF_END | BPF_TO_BE, BPF_REG_2, 0, 0, 32));
        }
        /* A prefix of length 0 matches every address: what would follow it is never reached,
         * which the verifier refuses. */
        const struct ip_prefix_list *lists[] = {&res->ip_address_allow, &res->ip_address_deny};
        for (size_t k = 0; k < ELEMENTSOF(lists); k++)
                for (size_t i = 0; i < lists[k]->n; i++) {
                        const struct ip_prefix *p = &lists[k]->items[i];
                        if (p->ipv6 != ipv6)
                                continue;
                        if (ipv6)
                                ipv6_rule(e, p, k == 0 ? l->allow : l->deny);
                        else
                                ipv4_rule(e, p, k == 0 ? l->allow : l->deny);
                        if (p->prefixlen == 0)
                                return;
                }
        bpf_put(e, JA(to(e, l->allow)));
}

static void program(struct bpf_emit *e, const struct unit_section_resources *res, bool ingress,
                    struct labels *l) {
        bool v4 = has_family(&res->ip_address_allow, false) || has_family(&res->ip_address_deny, false);
        bool v6 = has_family(&res->ip_address_allow, true) || has_family(&res->ip_address_deny, true);
        /* r6 = the context, kept across the helper call; r2 = skb->protocol (network order). */
        bpf_put(e, insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0));
        bpf_put(e, insn(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_6,
                        offsetof(struct __sk_buff, protocol), 0));
        bpf_put(e, insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, to(e, v4 ? l->v4 : l->allow),
                        htons(ETH_P_IP)));
        bpf_put(e, insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, to(e, v6 ? l->v6 : l->allow),
                        htons(ETH_P_IPV6)));
        bpf_put(e, JA(to(e, l->allow))); /* not IP */
        if (v4) {
                l->v4 = e->n;
                family_block(e, res, false, ingress, l);
        }
        if (v6) {
                l->v6 = e->n;
                family_block(e, res, true, ingress, l);
        }
        l->allow = e->n;
        bpf_put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1));
        bpf_put(e, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        l->deny = e->n;
        bpf_put(e, insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0));
        bpf_put(e, insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
}

size_t cgroup_ip_program(const struct unit_section_resources *res, bool ingress, struct bpf_insn *out) {
        /* Twice: the first pass finds where the labels are (the same in both), the second writes
         * the jumps to them. */
        struct labels l = {0};
        struct bpf_emit count = {NULL, 0};
        program(&count, res, ingress, &l);
        if (out) {
                struct bpf_emit e = {out, 0};
                program(&e, res, ingress, &l);
        }
        return count.n;
}

int cgroup_apply_ip_filter(struct cgroup_tree *t, const struct hutch_unit *u) {
        const struct unit_section_resources *res = &u->resources;
        if (!model_ip_filter(u))
                return 0;
        bool deny = res->ip_address_deny.n > 0;
        const char *key = deny ? "IPAddressDeny" : "IPAddressAllow";
        char where[512];
        unit_origin_prefix((deny ? &res->ip_address_deny : &res->ip_address_allow)->items[0].origin, where,
                           sizeof where);
        const enum bpf_attach_type attach[] = {BPF_CGROUP_INET_INGRESS, BPF_CGROUP_INET_EGRESS};
        struct bpf_insn *progs[ELEMENTSOF(attach)] = {NULL};
        size_t counts[ELEMENTSOF(attach)];
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(attach); i++) {
                counts[i] = cgroup_ip_program(res, attach[i] == BPF_CGROUP_INET_INGRESS, NULL);
                progs[i] = calloc(counts[i], sizeof *progs[i]);
                if (!progs[i]) {
                        r = log_oom();
                        goto out;
                }
                cgroup_ip_program(res, attach[i] == BPF_CGROUP_INET_INGRESS, progs[i]);
        }
        r = cgroup_bpf_attach(t, BPF_PROG_TYPE_CGROUP_SKB, attach, ELEMENTSOF(attach),
                              (const struct bpf_insn *const *) progs, counts, "IP filter", where, key);
out:
        for (size_t i = 0; i < ELEMENTSOF(attach); i++)
                free(progs[i]);
        return r;
}
