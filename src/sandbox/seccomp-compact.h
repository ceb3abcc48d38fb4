/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

/* A program that returns the same as `in` (n instructions) for every input, with every decision
 * tree on a loaded word rebuilt as a balanced search over the values where its outcome changes
 * (seccomp-compact.c). *ret is malloc'ed, *ret_n <= n; where nothing can be gained it is a copy
 * of `in`. Returns 0 or -ENOMEM. */
int bpf_compact(const struct sock_filter *in, size_t n, struct sock_filter **ret, size_t *ret_n);
