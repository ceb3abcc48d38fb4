/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the cgroup programs (devices.c, ipfilter.c) share: an instruction encoder, and loading a
 * program and attaching it to the payload cgroup. */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

#include "hutch/cgroup.h"

static inline struct bpf_insn bpf_insn_make(uint8_t code, uint8_t dst, uint8_t src, int16_t off,
                                            int32_t imm) {
        return (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* A program being written: out NULL counts the instructions only. */
struct bpf_emit {
        struct bpf_insn *out;
        size_t n;
};

static inline void bpf_put(struct bpf_emit *e, struct bpf_insn i) {
        if (e->out)
                e->out[e->n] = i;
        e->n++;
}

/* Loads the program of `type` and attaches it (BPF_F_ALLOW_MULTI) to t's payload cgroup at each
 * of `attach` in turn, loaded once per attach type. `what` names the program in messages
 * ("device", "IP filter"), which begin with `where` and `key` (the unit key that asked). */
int cgroup_bpf_attach(struct cgroup_tree *t, enum bpf_prog_type type, const enum bpf_attach_type *attach,
                      size_t n_attach, const struct bpf_insn *const *progs, const size_t *counts,
                      const char *what, const char *where, const char *key);
