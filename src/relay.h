/* SPDX-License-Identifier: MIT */
/* The relay: host listeners -> connections (TCP) and flows (UDP) opened in the network namespace
 * this process is in. One process, one epoll loop, no thread or process per connection; TCP data
 * moves by splice(2) through pipes, never through a buffer of ours. Knows nothing of engines,
 * containers or namespaces: the caller enters the container's network first. Never prints. */
#pragma once

#include <stddef.h>
#include <sys/socket.h>

#include "error.h"
#include "forward_spec.h"

/* A connection inside the container's network not established within this is given up (the
 * client gets a reset, as for a refused one). */
#define RELAY_CONNECT_TIMEOUT_MS 10000L
/* A UDP flow (one client address) with no datagram either way for this long is closed. */
#define RELAY_UDP_IDLE_MS 90000L

struct relay_listener {
        int fd; /* bound on the host, O_NONBLOCK|O_CLOEXEC: a listening TCP socket or a UDP one */
        enum forward_proto proto;
        struct sockaddr_storage target; /* where to connect, in the current network namespace */
        socklen_t target_len;
};

struct relay_config {
        const struct relay_listener *listeners;
        size_t n_listeners;
        int stop_fd;             /* readable: return 0 (e.g. a pipe, an eventfd); -1: none */
        long connect_timeout_ms; /* 0: RELAY_CONNECT_TIMEOUT_MS */
        long udp_idle_ms;        /* 0: RELAY_UDP_IDLE_MS */
};

/* Raises RLIMIT_NOFILE's soft limit to the hard one (no privilege needed): every connection costs
 * two descriptors, and pipes while data is in flight. Returns the new soft limit. */
long relay_raise_nofile(void);

/* Serves the listeners until stop_fd is readable (0) or a failure that ends all of them
 * (-errno, err filled). The listeners stay the caller's (not closed). Everything the relay
 * opened is closed when it returns. */
int relay_run(const struct relay_config *c, struct nsx_error *err);
