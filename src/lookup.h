/* SPDX-License-Identifier: MIT */
/* The lookup: endpoint → engine → parsed containers; the place a CRI engine will sit beside. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "compose.h"
#include "container.h"
#include "endpoint.h"
#include "engine.h"
#include "error.h"
#include "util.h"

/* What the command line says of where the engine is; the environment says the rest
 * (DOCKER_HOST, DOCKER_CONTEXT, CONTAINER_RUNTIME_ENDPOINT, DOCKER_CONFIG, HOME, XDG_RUNTIME_DIR,
 * DOCKER_TLS*). */
struct lookup_where {
        const char *host;             /* -H/--host, NULL when absent */
        const char *context;          /* -c/--context, NULL when absent */
        const char *runtime_endpoint; /* --runtime-endpoint (a CRI engine), NULL when absent */
        const char *config;           /* the docker CLI's --config DIR (plugin mode), NULL: $DOCKER_CONFIG */
};

/* Where the engine is: the command line first, then the environment, as the docker CLI. A step
 * of its own, so that -v can say which engine and why before anything is asked of it. */
int lookup_endpoint(const struct lookup_where *where, struct endpoint *ret, struct nsx_error *err);

/* CONTAINER as the engine's lookup takes it: for the Engine API, checked by container_ref_check
 * (*ret then points past a leading "/"); for a CRI engine, as typed: its target forms
 * (NAMESPACE/POD/CONTAINER...) are checked by the lookup itself (cri_ref_check). */
int lookup_ref(const struct endpoint *ep, const char *typed, const char **ret, struct nsx_error *err);

/* What the Compose fallback asked and found, for -v. */
struct lookup_fallback {
        struct engine_exchange list;    /* the label-filtered list; n_attempts 0: not made */
        struct engine_exchange inspect; /* the inspect by full ID; n_attempts 0: not made */
        char note[512];                 /* "" or "'web' is Compose service web of project p: container p-web-1" */
};

/* The entry's lookup: one request (its own connection, closed on return) for the container ref
 * (checked by container_ref_check; typed is the user's spelling, for messages), which must have
 * a process to enter. ret->engine_uid is whose engine answered. *ret_exchange (if not NULL) is
 * what was asked and who answered, for -v; its n_attempts is 0 when no answer came, even when
 * this fails later on the answer's contents.
 * When the engine knows no container ref and compose (may be NULL) has a project, ref may be a
 * Compose service (compose.h, compose_pick): one list request with label filters, then the
 * inspect by full ID, over the same connection; *ret_fallback (if not NULL) says what they were
 * and what was found. No running container read so: the usual "no such container". */
int lookup_container(const struct endpoint *ep, const char *ref, const char *typed, const struct compose_query *compose,
                     long timeout_ms, struct container *ret, struct engine_exchange *ret_exchange,
                     struct lookup_fallback *ret_fallback, struct nsx_error *err);

/* --list and completion: one request for the running containers (n entries, owned, the engine's
 * order). *ret_exchange as for lookup_container. */
int lookup_running(const struct endpoint *ep, long timeout_ms, struct container_summary **ret, size_t *ret_n,
                   struct engine_exchange *ret_exchange, struct nsx_error *err);

/* A container as the listeners report needs it: the entry's container (engine_uid set), its
 * ports and its network mode. */
struct lookup_entry {
        struct container c;
        struct container_port *ports; /* owned */
        size_t n_ports;
        char network_mode[80]; /* HostConfig.NetworkMode: "bridge", "host", "container:ID"... */
};

struct lookup_set {
        struct lookup_entry *v; /* owned */
        size_t n;
        unsigned requests; /* made to the engine, all over one connection */
        uid_t engine_uid;  /* whose engine answered (SO_PEERCRED) */
};

/* --listeners: the containers refs (each checked before any request), or every running one when
 * n_refs is 0 (the engine's order; asked for by full ID, as a name may be reused meanwhile), over
 * one engine connection that is closed when this returns. A named container that is unknown or
 * not running is an error; a listed one that is gone or stopped by the time it is inspected is
 * left out. A named one the engine does not know may be a Compose service, as for
 * lookup_container (compose may be NULL). */
int lookup_containers(const struct endpoint *ep, long timeout_ms, char *const *refs, size_t n_refs,
                      const struct compose_query *compose, struct lookup_set *ret, struct nsx_error *err);

void lookup_entry_done(struct lookup_entry *e);
DEFINE_STRUCT_CLEANUP_FUNC(struct lookup_entry, lookup_entry_done)

void lookup_set_done(struct lookup_set *s);
DEFINE_STRUCT_CLEANUP_FUNC(struct lookup_set, lookup_set_done)
