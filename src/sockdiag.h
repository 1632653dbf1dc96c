/* SPDX-License-Identifier: MIT */
/* Listening sockets of a network namespace from the kernel's sock_diag (inet_diag) netlink
 * interface: the same struct listeners_socket values as listeners_read, at the cost of the
 * listening hash alone rather than a walk of the whole established hash per /proc file. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "listeners.h"

/* One recv of a dump: the kernel sends at most about 32 KiB per message batch. */
#define SOCKDIAG_BUFFER_SIZE ((size_t) 64 << 10)

/* Opens a NETLINK_SOCK_DIAG socket (close-on-exec) in the network namespace of nsfd (a pidfd
 * or an open /proc/PID/ns/net), then returns the calling thread to self_netns (an fd of our own
 * network namespace, opened once by the caller). The socket keeps the namespace it was made in,
 * so it answers for that namespace alone. Returns the fd, or:
 * - -EOPNOTSUPP: the kernel has no sock_diag (EPROTONOSUPPORT or ENOENT from socket()): read
 *   /proc instead (err is filled all the same; the caller clears it);
 * - -ESRCH: the process behind a pidfd is gone;
 * - -ENOTRECOVERABLE: the thread could not return to self_netns and is left elsewhere: the
 *   caller must stop, not go on in a namespace it does not know;
 * - another -errno for any other failure. label names the process in messages. */
int sockdiag_open(int nsfd, int self_netns, const char *label, struct nsx_error *err);

/* Pure: one recv's worth of a dump answer (netlink messages, back to back). Appends the
 * listening sockets of family (AF_INET or AF_INET6) and proto to *v (n entries, capacity *cap;
 * realloc'd), by the same rule as listeners_parse_line: TCP in state LISTEN, UDP in state
 * TCP_CLOSE (unconnected) with a local port. Returns 1 at NLMSG_DONE, 0 when more messages are
 * to come, -EPROTO for the kernel's refusal, as NLMSG_ERROR or as an NLMSG_DONE carrying a
 * negative errno (that errno, positive, in *ret_errno),
 * -EBADMSG for bytes that are no valid answer (a length out of bounds, a short message, a
 * family other than the one asked for, an unknown message type), -E2BIG or -ENOMEM (as
 * listeners_append). */
int sockdiag_parse(const uint8_t *buf, size_t len, enum container_proto proto, int family, struct listeners_socket **v,
                   size_t *n, size_t *cap, int *ret_errno);

/* Dumps TCP listeners and bound, unconnected UDP sockets, IPv4 and IPv6, over fd (from
 * sockdiag_open). Returns 0, or -EOPNOTSUPP when the kernel answers a dump with an error (no
 * inet_diag, tcp_diag or udp_diag module, say): read /proc instead, as for sockdiag_open. */
int sockdiag_read(int fd, const char *label, struct listeners_socket **ret, size_t *ret_n, struct nsx_error *err);
