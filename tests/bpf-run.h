/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A classic BPF interpreter for seccomp programs, enough for what libseccomp emits and
 * bpf_compact() writes: used by the unit tier (test-seccomp.c) and the fuzz tier
 * (fuzz-bpf-compact.c) to compare what programs decide. Returns 0xdeadbeef for anything it does
 * not know, a load outside seccomp_data, or a fall off the end. */
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t run_insns(const struct sock_filter *f, size_t n, const struct seccomp_data *d) {
        uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {};
        for (unsigned pc = 0; pc < n; pc++) {
                const struct sock_filter *i = &f[pc];
                switch (i->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (i->k + 4 > sizeof *d || i->k % 4)
                                return 0xdeadbeef;
                        memcpy(&A, (const char *) d + i->k, 4);
                        break;
                case BPF_LD | BPF_MEM:
                        if (i->k >= BPF_MEMWORDS)
                                return 0xdeadbeef;
                        A = M[i->k];
                        break;
                case BPF_LDX | BPF_MEM:
                        if (i->k >= BPF_MEMWORDS)
                                return 0xdeadbeef;
                        X = M[i->k];
                        break;
                case BPF_ST:
                        if (i->k >= BPF_MEMWORDS)
                                return 0xdeadbeef;
                        M[i->k] = A;
                        break;
                case BPF_STX:
                        if (i->k >= BPF_MEMWORDS)
                                return 0xdeadbeef;
                        M[i->k] = X;
                        break;
                case BPF_LD | BPF_IMM:
                        A = i->k;
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        A &= i->k;
                        break;
                case BPF_ALU | BPF_OR | BPF_K:
                        A |= i->k;
                        break;
                case BPF_MISC | BPF_TAX:
                        X = A;
                        break;
                case BPF_MISC | BPF_TXA:
                        A = X;
                        break;
                case BPF_JMP | BPF_JA:
                        if (i->k >= n - pc)
                                return 0xdeadbeef;
                        pc += i->k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        pc += A == i->k ? i->jt : i->jf;
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                        pc += A > i->k ? i->jt : i->jf;
                        break;
                case BPF_JMP | BPF_JGE | BPF_K:
                        pc += A >= i->k ? i->jt : i->jf;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                        pc += (A & i->k) ? i->jt : i->jf;
                        break;
                case BPF_RET | BPF_K:
                        return i->k;
                case BPF_RET | BPF_A:
                        return A;
                default:
                        return 0xdeadbeef;
                }
        }
        return 0xdeadbeef; /* fell off the end */
}
