/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A pass over a classic BPF program as libseccomp exports it, making it shorter without changing
 * what it returns for any input.
 *
 * libseccomp dispatches on the system call number with one JEQ per listed call, under a tree of
 * JGT: 382 of the 552 instructions of hutch's default filter on x86-64. The kernel converts and
 * JIT-compiles every instruction at each attach, so that work is paid at every start. Over the
 * numbers, the filter's answer changes only 87 times: a binary search over those boundaries
 * needs 86 JGE where libseccomp has 382 instructions. The same holds for an argument: "ioctl,
 * but not TIOCSTI or TIOCLINUX in the command's low 32 bits" is 35 masked compares for
 * libseccomp, 91 instructions that every ioctl() runs through, and 4 JGE after this pass. The
 * default program shrinks from 552 to 167 instructions.
 *
 * The pass looks for a "decision region": the comparisons (JEQ, JGT, JGE against a constant, and
 * JA) that follow one load of a word, up to the first instruction that is not one of them, and
 * between them what libseccomp puts there for an argument's half: the same load again, and an AND
 * with a mask of leading ones (x & m grows with x, so comparing it with k is a threshold on x).
 * Such a region is a function from the loaded word to the instruction the program continues at.
 * That function is constant between consecutive "breakpoints" (the least x where x & m reaches
 * k, for every mask m of the region and ~0: for JGE k; the same for k+1 for JGT k; both for JEQ
 * k), so evaluating it at every breakpoint determines it completely: the pass rebuilds it
 * as a balanced tree of JGE over the breakpoints where the answer changes, then checks the new
 * tree against the old region at every breakpoint before it uses the result. Everything outside
 * the region is copied unchanged, with its jumps re-targeted, and checked to be the same
 * instruction going to the copy of the same successor. The tree leaves A holding the word, so
 * an exit that the region reached with A masked must not read A (a return of a constant or a
 * load). A region that another instruction jumps into, or a result whose jumps would not fit in
 * 8 bits, leaves the program as it is. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/seccomp-compact.h"

#define MIN_REGION 8 /* below this, a tree saves nothing worth a pass */

static bool is_cond_k(uint16_t code) {
        if (BPF_CLASS(code) != BPF_JMP || BPF_SRC(code) != BPF_K)
                return false;
        return BPF_OP(code) == BPF_JEQ || BPF_OP(code) == BPF_JGT || BPF_OP(code) == BPF_JGE;
}

static bool is_ja(uint16_t code) {
        return code == (BPF_JMP | BPF_JA);
}

/* A mask of leading ones (0 and ~0 included): x & m grows with x, so a comparison of it with a
 * constant is a threshold on x. */
static bool is_prefix_mask(uint32_t m) {
        return (~m & (~m + 1)) == 0;
}

static bool is_load(uint16_t code) {
        return code == (BPF_LD | BPF_W | BPF_ABS);
}

static bool is_and_prefix(const struct sock_filter *f) {
        return f->code == (BPF_ALU | BPF_AND | BPF_K) && is_prefix_mask(f->k);
}

/* Members of the region of the word at offset `word`: comparisons, JA, and what libseccomp puts
 * between the comparisons of one argument's low or high half: the same load again, and an AND
 * with a mask of leading ones. */
static bool in_region(const struct sock_filter *p, size_t pc, uint32_t word) {
        const struct sock_filter *f = &p[pc];
        return is_cond_k(f->code) || is_ja(f->code) || (is_load(f->code) && f->k == word) ||
               is_and_prefix(f);
}

/* Where the program goes from instruction `pc` of the region for the loaded word a: the first
 * instruction reached that is not a member. Returns n on a jump out of the program. With
 * ret_masked, whether A was masked on the way there (then it may no longer hold a). */
static size_t region_exit(const struct sock_filter *p, size_t n, size_t pc, uint32_t word, uint32_t a,
                          bool *ret_masked) {
        uint32_t acc = a;
        bool masked = false; /* an AND since the last load: A may not hold the word any more */
        while (pc < n && in_region(p, pc, word)) {
                const struct sock_filter *f = &p[pc];
                if (is_ja(f->code)) {
                        if (f->k >= n - pc)
                                return n;
                        pc += 1 + f->k;
                        continue;
                }
                if (is_load(f->code) || is_and_prefix(f)) {
                        acc = is_load(f->code) ? a : acc & f->k;
                        masked = !is_load(f->code);
                        pc++;
                        continue;
                }
                bool c = BPF_OP(f->code) == BPF_JEQ   ? acc == f->k
                         : BPF_OP(f->code) == BPF_JGT ? acc > f->k
                                                      : acc >= f->k;
                pc += 1 + (c ? f->jt : f->jf);
        }
        if (ret_masked)
                *ret_masked = masked;
        return pc < n ? pc : n;
}

/* The least x with (x & m) >= k for a prefix mask m, in *ret; false when there is none. */
static bool threshold(uint32_t k, uint32_t m, uint32_t *ret) {
        uint32_t low = ~m;
        if ((k & low) == 0) {
                *ret = k;
                return true;
        }
        if ((k | low) == UINT32_MAX)
                return false;
        *ret = (k | low) + 1;
        return true;
}

static int cmp_u32(const void *x, const void *y) {
        uint32_t a = *(const uint32_t *) x, b = *(const uint32_t *) y;
        return a < b ? -1 : a > b;
}

struct region {
        size_t load;   /* the LD W ABS before the region */
        bool *member;  /* [n] */
        size_t size;   /* members */
        uint32_t *pts; /* every breakpoint, sorted, without repeats: the values to check */
        size_t n_pts;
        uint32_t *bounds; /* lower bounds of the intervals where the exit changes; bounds[0] = 0 */
        size_t *exits;    /* the exit of each interval */
        size_t n_bounds;
};

static void region_free(struct region *r) {
        free(r->member);
        free(r->pts);
        free(r->bounds);
        free(r->exits);
        memset(r, 0, sizeof *r);
}

/* The region after the load at `load`, when it is worth rebuilding and nothing outside it jumps
 * into it. Returns 1 with *r filled, 0 when there is none, -ENOMEM. */
static int region_find(const struct sock_filter *p, size_t n, size_t load, struct region *r) {
        memset(r, 0, sizeof *r);
        r->load = load;
        uint32_t word = p[load].k;
        if (load + 1 >= n || !in_region(p, load + 1, word))
                return 0;
        r->member = calloc(n, sizeof *r->member);
        /* Each member pushes at most two successors: 2n + 1 entries hold every push. */
        size_t *stack = malloc((2 * n + 1) * sizeof *stack);
        if (!r->member || !stack) {
                free(stack);
                region_free(r);
                return -ENOMEM;
        }
        size_t top = 0;
        stack[top++] = load + 1;
        while (top > 0) {
                size_t pc = stack[--top];
                if (pc >= n || r->member[pc] || !in_region(p, pc, word))
                        continue;
                r->member[pc] = true;
                r->size++;
                if (is_ja(p[pc].code)) {
                        if (p[pc].k < n - pc - 1)
                                stack[top++] = pc + 1 + p[pc].k;
                } else if (BPF_CLASS(p[pc].code) != BPF_JMP) {
                        stack[top++] = pc + 1; /* a load or an AND */
                } else {
                        stack[top++] = pc + 1 + p[pc].jt;
                        stack[top++] = pc + 1 + p[pc].jf;
                }
        }
        free(stack);
        if (r->size < MIN_REGION) {
                region_free(r);
                return 0;
        }
        /* Single entry: no instruction outside the region may reach one inside it, except the
         * load falling through to its first instruction. */
        for (size_t pc = 0; pc < n; pc++) {
                if (r->member[pc])
                        continue;
                const struct sock_filter *f = &p[pc];
                size_t t[2];
                size_t nt = 0;
                if (is_ja(f->code)) {
                        if (f->k < n - pc - 1)
                                t[nt++] = pc + 1 + f->k;
                } else if (BPF_CLASS(f->code) == BPF_JMP) {
                        t[nt++] = pc + 1 + f->jt;
                        t[nt++] = pc + 1 + f->jf;
                } else if (BPF_CLASS(f->code) != BPF_RET && pc != load)
                        t[nt++] = pc + 1;
                for (size_t i = 0; i < nt; i++)
                        if (t[i] < n && r->member[t[i]]) {
                                region_free(r);
                                return 0;
                        }
        }

        /* The masks A may carry at a comparison: ~0 (just loaded) or one of the region's ANDs (an
         * AND of masks of leading ones is the shortest of them). */
        uint32_t masks[33];
        size_t n_masks = 0;
        masks[n_masks++] = UINT32_MAX;
        for (size_t pc = 0; pc < n; pc++) {
                if (!r->member[pc] || !is_and_prefix(&p[pc]))
                        continue;
                bool seen = false;
                for (size_t i = 0; i < n_masks; i++)
                        seen = seen || masks[i] == p[pc].k;
                if (!seen)
                        masks[n_masks++] = p[pc].k; /* at most 33 masks of leading ones exist */
        }

        /* Breakpoints, then the intervals where the exit changes: a comparison of x & m with k
         * changes its answer where x & m reaches k (and k + 1 for JEQ and JGT). */
        size_t cap = 1 + 2 * r->size * n_masks, nb = 0;
        uint32_t *pts = malloc(cap * sizeof *pts);
        r->bounds = malloc(cap * sizeof *r->bounds);
        r->exits = malloc(cap * sizeof *r->exits);
        if (!pts || !r->bounds || !r->exits) {
                free(pts);
                region_free(r);
                return -ENOMEM;
        }
        pts[nb++] = 0;
        for (size_t pc = 0; pc < n; pc++) {
                if (!r->member[pc] || is_ja(p[pc].code))
                        continue;
                if (BPF_CLASS(p[pc].code) != BPF_JMP)
                        continue;
                uint32_t k = p[pc].k;
                for (size_t i = 0; i < n_masks; i++) {
                        uint32_t t;
                        if (BPF_OP(p[pc].code) != BPF_JGT && threshold(k, masks[i], &t))
                                pts[nb++] = t;
                        if (BPF_OP(p[pc].code) != BPF_JGE && k != UINT32_MAX &&
                            threshold(k + 1, masks[i], &t))
                                pts[nb++] = t;
                }
        }
        qsort(pts, nb, sizeof *pts, cmp_u32);
        r->pts = pts;
        for (size_t i = 0; i < nb; i++) {
                if (i > 0 && pts[i] == pts[i - 1])
                        continue;
                r->pts[r->n_pts++] = pts[i];
                bool masked;
                size_t e = region_exit(p, n, load + 1, word, pts[i], &masked);
                /* A jump out of the program is left to the kernel to refuse. The tree hands its
                 * exits the word unmasked: where the region masked it, only an exit that does not
                 * read A (a return of a constant, a load) may take it. */
                if (e >= n || (masked && p[e].code != (BPF_RET | BPF_K) && !is_load(p[e].code))) {
                        region_free(r);
                        return 0;
                }
                if (r->n_bounds > 0 && r->exits[r->n_bounds - 1] == e)
                        continue;
                r->bounds[r->n_bounds] = pts[i];
                r->exits[r->n_bounds] = e;
                r->n_bounds++;
        }
        /* One exit only (a tree of no node) is left alone; so is a tree that is no shorter. */
        if (r->n_bounds < 2 || r->n_bounds - 1 >= r->size) {
                region_free(r);
                return 0;
        }
        return 1;
}

/* Tree nodes in preorder: node i tests A >= bounds[split]; its children are other nodes or
 * intervals (leaves, which jump to the interval's exit). */
struct node {
        uint32_t k;
        long jt, jf; /* >= 0: a node index; < 0: -(interval + 1) */
};

static long tree_build(const struct region *r, size_t lo, size_t hi, struct node *nodes, size_t *n_nodes) {
        if (lo == hi)
                return -(long) lo - 1;
        size_t mid = (lo + hi + 1) / 2, self = (*n_nodes)++;
        nodes[self].k = r->bounds[mid];
        nodes[self].jf = tree_build(r, lo, mid - 1, nodes, n_nodes);
        nodes[self].jt = tree_build(r, mid, hi, nodes, n_nodes);
        return (long) self;
}

/* The trampoline of exit `e`, or -1: a JA after the tree for an exit too far for a node's
 * 8-bit jump. */
static long tramp_index(const size_t *tramp, size_t n_tramp, size_t e) {
        for (size_t t = 0; t < n_tramp; t++)
                if (tramp[t] == e)
                        return (long) t;
        return -1;
}

/* Lays out: the instructions up to the load, the tree, a JA for each exit that a node cannot
 * reach with an 8-bit jump (libseccomp gets there with JAs of its own inside the region), then
 * every other instruction after the load in its order. Returns the new length, or 0 when a
 * jump would not fit. */
static size_t rewrite(const struct sock_filter *p, size_t n, const struct region *r,
                      struct sock_filter *out) {
        size_t n_nodes = 0, n_tramp = 0;
        struct node *nodes = calloc(r->n_bounds, sizeof *nodes);
        size_t *pos = malloc(n * sizeof *pos);               /* new position of each kept instruction */
        size_t *tramp = malloc(r->n_bounds * sizeof *tramp); /* the exit each trampoline goes to */
        size_t len = 0, ret = 0;
        if (!nodes || !pos || !tramp)
                goto out;
        (void) tree_build(r, 0, r->n_bounds - 1, nodes, &n_nodes);
        size_t tree_at = r->load + 1;
        /* Trampolines move what follows them, which can put more exits out of reach: add them
         * until none is missing (at most one per exit, so this ends). */
        for (;;) {
                for (size_t pc = 0; pc < n; pc++)
                        pos[pc] = SIZE_MAX;
                for (size_t pc = 0; pc <= r->load; pc++)
                        pos[pc] = pc;
                len = tree_at + n_nodes + n_tramp;
                for (size_t pc = r->load + 1; pc < n; pc++)
                        if (!r->member[pc])
                                pos[pc] = len++;
                bool added = false;
                for (size_t i = 0; i < n_nodes; i++) {
                        long c[2] = {nodes[i].jt, nodes[i].jf};
                        for (int j = 0; j < 2; j++) {
                                if (c[j] >= 0)
                                        continue;
                                size_t e = r->exits[-c[j] - 1], at = tree_at + i;
                                if (e >= n || pos[e] == SIZE_MAX || pos[e] <= at)
                                        goto out;
                                if (pos[e] - at - 1 > 255 && tramp_index(tramp, n_tramp, e) < 0) {
                                        tramp[n_tramp++] = e;
                                        added = true;
                                }
                        }
                }
                if (!added)
                        break;
        }
        /* Only a shorter program is of use, and `out` holds n instructions: with many
         * trampolines the layout can come out longer than the original. */
        if (len >= n)
                goto out;
        for (size_t t = 0; t < n_tramp; t++) {
                size_t at = tree_at + n_nodes + t;
                out[at] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JA,
                                                        (uint32_t) (pos[tramp[t]] - at - 1), 0, 0);
        }

#define TARGET(from, to_pc, field)                                                    \
        do {                                                                          \
                if ((to_pc) >= n || pos[to_pc] == SIZE_MAX || pos[to_pc] <= (from) || \
                    pos[to_pc] - (from) -1 > 255)                                     \
                        goto out;                                                     \
                (field) = (uint8_t) (pos[to_pc] - (from) -1);                         \
        } while (0)

        for (size_t i = 0; i < n_nodes; i++) {
                size_t at = tree_at + i;
                out[at] = (struct sock_filter) BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, nodes[i].k, 0, 0);
                long c[2] = {nodes[i].jt, nodes[i].jf};
                uint8_t *f[2] = {&out[at].jt, &out[at].jf};
                for (int j = 0; j < 2; j++) {
                        long t = c[j] < 0 ? tramp_index(tramp, n_tramp, r->exits[-c[j] - 1]) : -1;
                        if (c[j] >= 0) {
                                if ((size_t) c[j] <= i || (size_t) c[j] - i - 1 > 255)
                                        goto out;
                                *f[j] = (uint8_t) (c[j] - (long) i - 1);
                        } else if (t >= 0) {
                                if (n_nodes + (size_t) t - i - 1 > 255)
                                        goto out;
                                *f[j] = (uint8_t) (n_nodes + (size_t) t - i - 1);
                        } else
                                TARGET(at, r->exits[-c[j] - 1], *f[j]);
                }
        }
        for (size_t pc = 0; pc < n; pc++) {
                if (pos[pc] == SIZE_MAX)
                        continue;
                size_t at = pos[pc];
                out[at] = p[pc];
                if (is_ja(p[pc].code)) {
                        size_t to = pc + 1 + p[pc].k;
                        if (p[pc].k >= n - pc - 1 || pos[to] == SIZE_MAX || pos[to] <= at)
                                goto out;
                        out[at].k = (uint32_t) (pos[to] - at - 1);
                } else if (BPF_CLASS(p[pc].code) == BPF_JMP) {
                        TARGET(at, pc + 1 + p[pc].jt, out[at].jt);
                        TARGET(at, pc + 1 + p[pc].jf, out[at].jf);
                }
        }
#undef TARGET

        /* The check: at every breakpoint of the old region, where both functions may change,
         * the new tree leads where the old region led; between breakpoints neither changes. */
        size_t *back = malloc(len * sizeof *back);
        if (!back)
                goto out;
        for (size_t i = 0; i < len; i++)
                back[i] = SIZE_MAX; /* the tree's nodes */
        for (size_t pc = 0; pc < n; pc++)
                if (pos[pc] != SIZE_MAX)
                        back[pos[pc]] = pc;
        bool same = true;
        uint32_t word = p[r->load].k;
        for (size_t i = 0; i < r->n_pts && same; i++) {
                uint32_t a = r->pts[i];
                size_t e = region_exit(out, len, tree_at, word, a, NULL);
                same = e < len && e >= tree_at + n_nodes + n_tramp &&
                       back[e] == region_exit(p, n, r->load + 1, word, a, NULL);
        }
        /* And every copied instruction is the original one, going where the original went: to
         * the copy of its original successor, or from the load into the tree. */
        for (size_t i = 0; i < len && same; i++) {
                size_t o = back[i];
                if (o == SIZE_MAX)
                        continue;
                const struct sock_filter *a = &p[o], *b = &out[i];
                same = a->code == b->code && (is_ja(a->code) || a->k == b->k);
                if (!same)
                        break;
                if (is_ja(a->code))
                        same = i + 1 + b->k < len && back[i + 1 + b->k] == o + 1 + a->k;
                else if (BPF_CLASS(a->code) == BPF_JMP)
                        same = i + 1 + b->jt < len && i + 1 + b->jf < len &&
                               back[i + 1 + b->jt] == o + 1 + a->jt && back[i + 1 + b->jf] == o + 1 + a->jf;
                else if (BPF_CLASS(a->code) != BPF_RET)
                        same = o == r->load ? i + 1 == tree_at : i + 1 < len && back[i + 1] == o + 1;
        }
        free(back);
        if (same)
                ret = len;
out:
        free(nodes);
        free(pos);
        free(tramp);
        return ret;
}

int bpf_compact(const struct sock_filter *in, size_t n, struct sock_filter **ret, size_t *ret_n) {
        struct sock_filter *cur = malloc(n * sizeof *cur), *next = malloc(n * sizeof *next);
        if (!cur || !next) {
                free(cur);
                free(next);
                return -ENOMEM;
        }
        memcpy(cur, in, n * sizeof *cur);
        size_t len = n;
        /* One region at a time, from the start; the program shrinks at each step, so this ends. */
        for (size_t pc = 0; pc < len; pc++) {
                if (cur[pc].code != (BPF_LD | BPF_W | BPF_ABS))
                        continue;
                struct region r;
                int k = region_find(cur, len, pc, &r);
                if (k < 0) {
                        free(cur);
                        free(next);
                        return k;
                }
                if (k == 0)
                        continue;
                size_t m = rewrite(cur, len, &r, next);
                region_free(&r);
                if (m == 0 || m >= len)
                        continue;
                struct sock_filter *t = cur;
                cur = next;
                next = t;
                len = m;
        }
        free(next);
        *ret = cur;
        *ret_n = len;
        return 0;
}
