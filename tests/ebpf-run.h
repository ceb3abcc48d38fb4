/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An interpreter of the eBPF instructions hutch's cgroup programs use (src/cgroup/devices.c,
 * ipfilter.c), for the unit tier to ask a program what it decides. Registers hold real
 * addresses; a load or store is checked to fall inside the context or the 512-byte stack. The
 * one helper is bpf_skb_load_bytes(), reading from `packet`. Returns what the program returns,
 * or -1 for anything it does not know, an access out of bounds, a jump out of the program or a
 * loop that does not end. */
#pragma once

#include <linux/bpf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct ebpf_env {
        void *ctx;
        size_t ctx_size;
        const uint8_t *packet; /* for bpf_skb_load_bytes() */
        size_t packet_len;
};

static inline bool ebpf_inside(uint64_t addr, size_t len, const void *base, size_t size) {
        uintptr_t b = (uintptr_t) base;
        return addr >= b && addr + len <= b + size;
}

static inline int64_t ebpf_run(const struct bpf_insn *p, size_t n, const struct ebpf_env *env) {
        uint8_t stack[512];
        uint64_t reg[11] = {0};
        reg[1] = (uintptr_t) env->ctx;
        reg[10] = (uintptr_t) (stack + sizeof stack);
#define OK_MEM(addr, len) \
        (ebpf_inside(addr, len, env->ctx, env->ctx_size) || ebpf_inside(addr, len, stack, sizeof stack))
#define JUMP_IF(cond)                                                                                 \
        do {                                                                                          \
                if (cond) {                                                                           \
                        if (pc + 1 + (int64_t) i->off > (int64_t) n || pc + 1 + (int64_t) i->off < 0) \
                                return -1;                                                            \
                        pc += i->off;                                                                 \
                }                                                                                     \
        } while (0)
        for (int64_t pc = 0, steps = 0; pc >= 0 && pc < (int64_t) n && steps < 100000; pc++, steps++) {
                const struct bpf_insn *i = &p[pc];
                uint64_t *d = &reg[i->dst_reg], s = reg[i->src_reg];
                uint64_t imm = (uint64_t) (int64_t) i->imm;
                if (i->dst_reg > 10 || i->src_reg > 10)
                        return -1;
                switch (i->code) {
                case BPF_ALU64 | BPF_MOV | BPF_X:
                        *d = s;
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        *d = imm;
                        break;
                case BPF_ALU64 | BPF_AND | BPF_K:
                        *d &= imm;
                        break;
                case BPF_ALU64 | BPF_ADD | BPF_K:
                        *d += imm;
                        break;
                case BPF_ALU64 | BPF_RSH | BPF_K:
                        *d >>= i->imm & 63;
                        break;
                case BPF_ALU | BPF_MOV | BPF_X:
                        *d = (uint32_t) s;
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        *d = (uint32_t) *d & (uint32_t) i->imm;
                        break;
                case BPF_ALU | BPF_END | BPF_TO_BE:
                        if (i->imm != 32)
                                return -1;
                        *d = __builtin_bswap32((uint32_t) *d); /* the tests run little-endian */
                        break;
                case BPF_LDX | BPF_MEM | BPF_W: {
                        uint64_t a = s + (uint64_t) (int64_t) i->off;
                        uint32_t v;
                        if (!OK_MEM(a, 4))
                                return -1;
                        memcpy(&v, (const void *) (uintptr_t) a, 4);
                        *d = v;
                        break;
                }
                case BPF_JMP | BPF_JA:
                        JUMP_IF(true);
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        JUMP_IF(*d == imm);
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        JUMP_IF(*d != imm);
                        break;
                case BPF_JMP32 | BPF_JEQ | BPF_K:
                        JUMP_IF((uint32_t) *d == (uint32_t) i->imm);
                        break;
                case BPF_JMP32 | BPF_JNE | BPF_K:
                        JUMP_IF((uint32_t) *d != (uint32_t) i->imm);
                        break;
                case BPF_JMP | BPF_CALL:
                        if (i->imm != BPF_FUNC_skb_load_bytes || reg[1] != (uintptr_t) env->ctx ||
                            !ebpf_inside(reg[3], reg[4], stack, sizeof stack))
                                return -1;
                        if (reg[2] + reg[4] > env->packet_len)
                                reg[0] = (uint64_t) -14; /* -EFAULT */
                        else {
                                memcpy((void *) (uintptr_t) reg[3], env->packet + reg[2], reg[4]);
                                reg[0] = 0;
                        }
                        reg[1] = reg[2] = reg[3] = reg[4] = reg[5] = 0xbad; /* clobbered */
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int64_t) reg[0];
                default:
                        return -1;
                }
        }
#undef OK_MEM
#undef JUMP_IF
        return -1;
}
