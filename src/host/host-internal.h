/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Internals of the host link, shared with its unit tests. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

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

/* sd_notify(3) and the watchdog settings, without libsystemd (notify-send.c). */
/* Turns $NOTIFY_SOCKET's value into an address: an absolute path, or "@name" for the abstract
 * namespace (a leading NUL, and a length that ends with the name). -EPROTONOSUPPORT for
 * "vsock..." addresses, -ENAMETOOLONG when sun_path cannot hold it, -EINVAL otherwise. */
int host_notify_socket_address(const char *s, struct sockaddr_un *ret, socklen_t *ret_len);
/* sd_notify(0, state): sends `state` as one datagram to $NOTIFY_SOCKET. 0 without
 * NOTIFY_SOCKET, 1 when sent, a negative errno (logged at debug level) on failure. */
int host_sd_notify(const char *state);
/* sd_watchdog_enabled(0, ret): 1 and the interval when $WATCHDOG_USEC is set (decimal, > 0)
 * and $WATCHDOG_PID is unset or our pid; 0 when no watchdog is meant for us; a negative errno
 * when either variable is not a valid number. */
int host_watchdog_enabled(usec_t *ret);

/* journald's native protocol (journal-send.c). */
/* A field name journald keeps: 1 to 64 of A-Z, 0-9 and '_', not starting with a digit or an
 * underscore (those are journald's own trusted fields). */
bool host_journal_field_name_is_valid(const char *name, size_t l);
/* Encodes the "NAME=value" fields as one entry in a malloc'ed buffer: text form for values
 * without a newline, binary form (name, newline, little-endian 64-bit length, value, newline)
 * for the rest. -EINVAL for no fields, a field without '=' or an invalid name. */
int host_journal_format(const struct iovec *fields, size_t n, char **ret, size_t *ret_size);
/* host_journal_sendv() to the datagram socket at `socket_path` (for tests). */
int host_journal_sendv_to(const char *socket_path, const struct iovec *fields, size_t n);
