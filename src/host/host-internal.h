/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internals of the host link, shared with its unit tests. */

#include <stdbool.h>
#include <stddef.h>

#include "hutch/host.h"

/* The fixed MESSAGE_ID= (32 hex digits) of an event kind, or NULL. */
const char *host_event_message_id(enum host_event_kind k);
/* True when stderr is the journal stream systemd connected us to ($JOURNAL_STREAM). Cached. */
bool host_stderr_is_journal(void);
/* The one-line stderr form of an event, without the newline. Returns the length it needed. */
int host_event_format_line(const struct host_event *e, char *buf, size_t l);

/* Notify proxy internals. */
/* True when `child` is the cgroup `parent` or below it. */
bool notify_cgroup_contains(const char *parent, const char *child);
/* Parses one datagram's text (modified in place) into `m`: only the allow-listed keys.
 * Returns how many assignments were kept. */
int notify_parse_message(char *text, struct notify_message *m);
