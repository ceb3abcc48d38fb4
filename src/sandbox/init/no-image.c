/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Architectures hutch-init has no system call stub for (meson.build): no image, and the
 * sandbox's PID 1 stays the copy of hutch that built the sandbox (pid1.c). */
#include "sandbox/sandbox-internal.h"

const unsigned char sandbox_init_image[1];
const size_t sandbox_init_image_size = 0;
