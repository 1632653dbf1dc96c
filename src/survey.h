/* SPDX-License-Identifier: MIT */
/* The listeners report's data: containers from the engine (one session), their listening
 * sockets and owners from /proc, judged against their published and exposed ports. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "compose.h"
#include "container.h"
#include "endpoint.h"
#include "error.h"
#include "listeners.h"
#include "util.h"

struct survey_container {
        char id[CONTAINER_ID_LEN + 1];
        char *name; /* owned */
        pid_t pid;
        char network_mode[80];        /* HostConfig.NetworkMode: "bridge", "host", "container:ID"... */
        struct container_port *ports; /* from the inspect answer; owned */
        size_t n_ports;
        struct listeners_socket *socks; /* listening sockets of its network namespace; owned */
        size_t n_socks;
        struct listeners_port *judged; /* one per port and protocol, pointing into the above */
        size_t n_judged;
};

struct survey {
        struct survey_container *v;
        size_t n;
        unsigned requests;                 /* made to the engine, all over one connection */
        unsigned unproven;                 /* listed containers left out: their PID no longer proved theirs */
        unsigned from_sockdiag, from_proc; /* network namespaces read each way */
        uid_t engine_uid;                  /* whose engine answered (SO_PEERCRED): it owns the containers' cgroups */
};

/* For each of refs (as typed), or every running container when n_refs is 0 (sorted by name):
 * one list request, one inspect each, all over one engine session closed before /proc is read;
 * then each PID is pinned (and proven the container's when verify), its sockets read through
 * the pin, their owners found in one pass over /proc, and each port judged. A named container
 * that is unknown or not running is an error; a listed one that stops meanwhile is left out, as
 * is one whose PID is no longer proven its own (it exited and the number was reused, counted in
 * unproven). A /proc that cannot be read (a permission denied) is an error, never "unproven".
 * A named one the engine does not know may be a Compose service (compose, NULL: no fallback). */
int survey_run(const struct endpoint *ep, long timeout_ms, bool verify, char *const *refs, size_t n_refs,
               const struct compose_query *compose, struct survey *ret, struct nsx_error *err);

void survey_done(struct survey *s);
DEFINE_STRUCT_CLEANUP_FUNC(struct survey, survey_done)
