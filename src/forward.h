/* SPDX-License-Identifier: MIT */
/* --forward: the watcher. Listens on the host, keeps a relay (relay.h) running in the container's
 * network while the container runs, and follows the container, by ID, across its restarts until it
 * is removed. Prints nothing itself: what is to be said goes to the caller's say(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "endpoint.h"
#include "error.h"
#include "forward_spec.h"
#include "run.h"

enum forward_line {
        FORWARD_READY,   /* "forwarding 127.0.0.1:8080 -> web 127.0.0.1:80/tcp": for stdout, scripts wait for it */
        FORWARD_STATUS,  /* the container exited, runs again: for stderr */
        FORWARD_WARNING, /* for stderr, as "warning: TEXT" */
        FORWARD_DEBUG,   /* -v only */
};

struct forward_request {
        const struct endpoint *ep;
        const char *typed; /* CONTAINER as typed, checked: names the container in every line */
        long timeout_ms;   /* each engine exchange */
        bool verify;       /* prove each newly pinned PID (not --no-verify) */
        bool verbose;
        const struct forward_spec *specs;
        size_t n_specs;
        /* Called for each line to say; text carries no control characters. */
        void (*say)(void *userdata, enum forward_line kind, const char *text);
        void *userdata;
};

/* Binds every spec's listener on the host, then serves: c is the looked-up container and run its
 * pinned, proven process (as for every other entry; this takes over run->t). Returns 0 when
 * SIGINT, SIGTERM or SIGHUP asked it to stop, or -errno with *err filled: a listener that cannot
 * be bound (before anything is served), a relay that failed, a process that is not the
 * container's, or the container removed. Everything is closed and the relay gone on return. */
int forward_run(const struct forward_request *req, const struct container *c, struct run *run, struct nsx_error *err);
