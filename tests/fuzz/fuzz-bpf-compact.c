/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: bpf_compact() (src/sandbox/seccomp-compact.c) on programs made from the input,
 * and the one invariant that matters: the compacted program returns what the original returns,
 * for every input tried. Programs are shaped like libseccomp's (loads of seccomp_data words,
 * comparisons against constants, JSET, JA, AND/OR, returns; forward jumps only), with constants
 * drawn from a small pool so that decision trees share values and overlap. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bpf-run.h"
#include "sandbox/seccomp-compact.h"
#include "fuzz-check.h"

#define MAX_INSNS 1024

static const uint32_t pool[] = {0, 1, 2, 3, 7, 8, 15, 16, 59, 60, 61, 0x40000000, 0x7fffffff, 0x80000000,
                                0xc000003e, 0x40000003, 0xfffffffe, 0xffffffff,
                                /* masks of leading ones, which libseccomp ANDs an argument's half with */
                                0xfffffff0, 0xffffff00, 0xffff0000, 0x5412, 0x541c};
#define POOL (sizeof pool / sizeof pool[0])

static uint8_t take(const uint8_t **p, const uint8_t *end) {
        return *p < end ? *(*p)++ : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const uint8_t *p = data, *end = data + size;
        /* Up to 254 instructions, or with a first byte of 254 or 255 a length from the next two:
         * long programs whose comparisons and JAs reach further than a node's 8-bit jump, which
         * the compacted tree then reaches through JAs of its own. */
        uint8_t l0 = take(&p, end);
        size_t n =
                l0 < 254 ? 1 + l0 : 256 + (take(&p, end) | (size_t) take(&p, end) << 8) % (MAX_INSNS - 256);
        struct sock_filter prog[MAX_INSNS];
        size_t i = 0, blocks[64], n_blocks = 0;
        /* A first byte of 254: libseccomp's shape for a long filter. A load of the call number,
         * a chain of JEQ whose matches go to JAs, each JA to a block anywhere in the rest (too
         * far for a JEQ), and a return for the calls not listed. */
        if (l0 == 254) {
                size_t chain = 8 + take(&p, end) % 48;
                prog[i++] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);
                for (size_t c = 0; c < chain; c++)
                        prog[i++] = (struct sock_filter) BPF_JUMP(
                                BPF_JMP | BPF_JEQ | BPF_K, pool[take(&p, end) % POOL], (uint8_t) chain, 0);
                prog[i++] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, pool[take(&p, end) % POOL]);
                size_t body = i + chain; /* where the blocks begin, after the JAs */
                for (size_t c = 0; c < chain; c++, i++) {
                        size_t to = body + (take(&p, end) | (size_t) take(&p, end) << 8) % (n - body);
                        prog[i] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA, (uint32_t) (to - i - 1), 0,
                                                                0);
                        blocks[n_blocks++] = to;
                }
        }
        for (; i < n; i++) {
                size_t left = n - i - 1; /* instructions after this one */
                uint8_t kind = take(&p, end), a = take(&p, end), b = take(&p, end);
                uint32_t k = pool[a % POOL];
                if (left == 0 || kind % 8 == 7) {
                        prog[i] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, k);
                        continue;
                }
                switch (kind % 8) {
                case 0: /* the words libseccomp loads: nr, arch, the halves of the arguments */
                        prog[i] = (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4 * (a % 16));
                        break;
                case 1:
                case 2:
                case 3:
                case 4: {
                        static const uint16_t ops[] = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET};
                        uint8_t jt = (uint8_t) (b % (left < 256 ? left : 256));
                        uint8_t jf = (uint8_t) (take(&p, end) % (left < 256 ? left : 256));
                        prog[i] = (struct sock_filter) BPF_JUMP(BPF_JMP | ops[kind % 8 - 1] | BPF_K, k, jt,
                                                                jf);
                        break;
                }
                case 5: /* with an odd `a`, as far as the program goes */
                        prog[i] = (struct sock_filter) BPF_JUMP(
                                BPF_JMP | BPF_JA, (a & 1 ? (b | (uint32_t) take(&p, end) << 8) : b) % left,
                                0, 0);
                        break;
                case 6:
                        prog[i] = (struct sock_filter) BPF_STMT(BPF_ALU | (a & 1 ? BPF_AND : BPF_OR) | BPF_K,
                                                                k);
                        break;
                }
        }

        /* A block starts as libseccomp's do, with a return or the load of an argument's half:
         * outside the dispatch, so that the dispatch is a region of its own */
        for (size_t c = 0; c < n_blocks; c++)
                prog[blocks[c]] =
                        blocks[c] + 1 < n && (take(&p, end) & 1)
                                ? (struct sock_filter) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16 + 4 * (c % 8))
                                : (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, pool[c % POOL]);

        struct sock_filter *out = NULL;
        size_t m = 0;
        CHECK(bpf_compact(prog, n, &out, &m) == 0);
        CHECK(out && m >= 1 && m <= n);

        /* Inputs: every word of seccomp_data set from the pool, in combinations led by the rest of
         * the input, plus each pool value and its neighbours in every word. */
        for (int round = 0; round < 64; round++) {
                struct seccomp_data d;
                uint32_t *w = (uint32_t *) (void *) &d;
                for (size_t j = 0; j < sizeof d / 4; j++) {
                        uint32_t v = pool[(take(&p, end) + round * 7 + j * 3) % POOL];
                        w[j] = v + (uint32_t) (round % 3) - 1;
                }
                if (round < (int) POOL)
                        for (size_t j = 0; j < sizeof d / 4; j++)
                                w[j] = pool[round];
                CHECK(run_insns(prog, n, &d) == run_insns(out, m, &d));
        }
        free(out);
        return 0;
}
