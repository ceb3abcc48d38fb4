/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPAddressAllow= and IPAddressDeny=: the two cgroup socket-buffer programs run here by a small
 * interpreter (tests/ebpf-run.h) on IPv4 and IPv6 headers, for the answers they give: allow list
 * first, then deny list, else pass; the source address of what comes in, the destination of
 * what goes out. (That the kernel loads them and drops what they deny is proven from inside a
 * sandbox in tests/host/test-sandbox-ipfilter.sh.) */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <stdlib.h>
#include <string.h>

#include "../ebpf-run.h"
#include "hutch/cgroup.h"
#include "tap.h"

static struct ip_prefix prefix(const char *addr, unsigned len) {
        struct ip_prefix p = {.prefixlen = (unsigned char) len};
        p.ipv6 = strchr(addr, ':') != NULL;
        inet_pton(p.ipv6 ? AF_INET6 : AF_INET, addr, p.addr);
        return p;
}

/* Lists of up to 8 prefixes each, as "ADDR/LEN" strings. */
static void set_list(struct ip_prefix_list *l, struct ip_prefix *store, const char *const *words) {
        l->items = store;
        l->n = 0;
        for (; words && *words; words++) {
                char a[64];
                const char *slash = strchr(*words, '/');
                snprintf(a, sizeof a, "%.*s", (int) (slash - *words), *words);
                store[l->n++] = prefix(a, (unsigned) atoi(slash + 1));
        }
}

/* The decision for a packet from src to dst, seen coming in (ingress) or going out; -1 when the
 * interpreter did not know an instruction. */
static int decide(const struct unit_section_resources *res, bool ingress, const char *src, const char *dst) {
        uint8_t pkt[40] = {0};
        bool v6 = strchr(src, ':') != NULL;
        if (v6) {
                pkt[0] = 0x60;
                inet_pton(AF_INET6, src, pkt + 8);
                inet_pton(AF_INET6, dst, pkt + 24);
        } else {
                pkt[0] = 0x45;
                inet_pton(AF_INET, src, pkt + 12);
                inet_pton(AF_INET, dst, pkt + 16);
        }
        size_t n = cgroup_ip_program(res, ingress, NULL);
        struct bpf_insn *p = calloc(n, sizeof *p);
        if (!p)
                return -1;
        TAP_CHECK(cgroup_ip_program(res, ingress, p) == n, "(the length is the same in both passes)");
        struct __sk_buff skb = {.protocol = htons(v6 ? ETH_P_IPV6 : ETH_P_IP)};
        struct ebpf_env env = {
                .ctx = &skb, .ctx_size = sizeof skb, .packet = pkt, .packet_len = v6 ? 40 : 20};
        int r = (int) ebpf_run(p, n, &env);
        free(p);
        return r;
}

#define OUT(res, dst) decide(res, false, ((dst)[0] && strchr(dst, ':') ? "::9" : "10.9.9.9"), dst)
#define IN(res, src) decide(res, true, src, (strchr(src, ':') ? "::9" : "10.9.9.9"))

int main(void) {
        struct ip_prefix allow_store[8], deny_store[8];
        struct unit_section_resources res = {0};

        /* deny any, allow one host and one IPv6 prefix */
        set_list(&res.ip_address_deny, deny_store, (const char *const[]){"0.0.0.0/0", "::/0", NULL});
        set_list(&res.ip_address_allow, allow_store,
                 (const char *const[]){"192.0.2.7/32", "2001:db8::/33", NULL});
        TAP_CHECK(OUT(&res, "192.0.2.7") == 1, "deny any, allow 192.0.2.7: sending to it passes");
        TAP_CHECK(OUT(&res, "192.0.2.8") == 0, "  sending to 192.0.2.8 is dropped");
        TAP_CHECK(IN(&res, "192.0.2.7") == 1, "  receiving from it passes");
        TAP_CHECK(IN(&res, "192.0.2.8") == 0, "  receiving from 192.0.2.8 is dropped");
        TAP_CHECK(decide(&res, true, "192.0.2.8", "192.0.2.7") == 0,
                  "  ingress checks the source, not the destination");
        TAP_CHECK(decide(&res, false, "192.0.2.7", "192.0.2.8") == 0,
                  "  egress checks the destination, not the source");
        TAP_CHECK(OUT(&res, "2001:db8:7fff::1") == 1,
                  "  2001:db8::/33: inside passes (a partial second word)");
        TAP_CHECK(OUT(&res, "2001:db8:8000::1") == 0, "  2001:db8:8000:: is outside /33: dropped");
        TAP_CHECK(OUT(&res, "2001:db9::1") == 0, "  2001:db9:: (the first word differs): dropped");

        /* IPv4 prefix lengths, and what is in neither list */
        set_list(&res.ip_address_deny, deny_store, (const char *const[]){"10.0.0.0/8", "fd00::/8", NULL});
        set_list(&res.ip_address_allow, allow_store,
                 (const char *const[]){"10.128.0.0/9", "fd00::1/128", NULL});
        TAP_CHECK(OUT(&res, "10.200.0.1") == 1, "deny 10/8, allow 10.128/9: 10.200.0.1 passes");
        TAP_CHECK(OUT(&res, "10.100.0.1") == 0, "  10.100.0.1 is dropped");
        TAP_CHECK(OUT(&res, "11.0.0.1") == 1, "  11.0.0.1, in neither list, passes");
        TAP_CHECK(OUT(&res, "fd00::1") == 1, "  fd00::1/128 allowed inside fd00::/8");
        TAP_CHECK(OUT(&res, "fd00::2") == 0, "  fd00::2 dropped (the last word differs)");
        TAP_CHECK(OUT(&res, "fe00::2") == 1, "  fe00::2, outside fd00::/8, passes");

        /* one family only: the other passes untouched */
        set_list(&res.ip_address_deny, deny_store, (const char *const[]){"127.0.0.0/8", NULL});
        set_list(&res.ip_address_allow, allow_store, NULL);
        TAP_CHECK(OUT(&res, "127.0.0.1") == 0 && OUT(&res, "::1") == 1, "IPv4 list only: IPv6 passes");
        set_list(&res.ip_address_deny, deny_store, (const char *const[]){"::1/128", NULL});
        TAP_CHECK(OUT(&res, "::1") == 0 && OUT(&res, "127.0.0.1") == 1, "IPv6 list only: IPv4 passes");

        /* not IP (ARP on a socket: no address to check), and a header too short to hold one */
        {
                size_t n = cgroup_ip_program(&res, false, NULL);
                struct bpf_insn *p = calloc(n, sizeof *p);
                cgroup_ip_program(&res, false, p);
                struct __sk_buff skb = {.protocol = htons(ETH_P_ARP)};
                uint8_t pkt[40] = {0x60};
                struct ebpf_env env = {.ctx = &skb, .ctx_size = sizeof skb, .packet = pkt, .packet_len = 40};
                TAP_CHECK(ebpf_run(p, n, &env) == 1, "not IP: passes");
                skb.protocol = htons(ETH_P_IPV6);
                env.packet_len = 20;
                TAP_CHECK(ebpf_run(p, n, &env) == 0, "an IPv6 header too short for its address: dropped");
                free(p);
        }

        /* an allow list alone restricts nothing; a /0 allow before a deny wins */
        set_list(&res.ip_address_deny, deny_store, NULL);
        set_list(&res.ip_address_allow, allow_store, (const char *const[]){"10.0.0.0/8", NULL});
        TAP_CHECK(OUT(&res, "8.8.8.8") == 1, "an allow list alone: everything passes");
        set_list(&res.ip_address_allow, allow_store, (const char *const[]){"0.0.0.0/0", NULL});
        set_list(&res.ip_address_deny, deny_store, (const char *const[]){"10.0.0.1/32", NULL});
        TAP_CHECK(OUT(&res, "10.0.0.1") == 1, "allow any beats a deny of the same address");
        return tap_done();
}
