/* SPDX-License-Identifier: MIT */
/* Pure functions over the engine's answers: container references, inspect JSON, states. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

#define CONTAINER_ID_LEN 64

enum container_status {
        CONTAINER_STATUS_UNKNOWN,
        CONTAINER_STATUS_CREATED,
        CONTAINER_STATUS_RUNNING,
        CONTAINER_STATUS_PAUSED,
        CONTAINER_STATUS_RESTARTING,
        CONTAINER_STATUS_REMOVING,
        CONTAINER_STATUS_EXITED,
        CONTAINER_STATUS_DEAD,
};

struct container {
        char id[CONTAINER_ID_LEN + 1]; /* full ID, lowercase hex */
        char *name;                    /* without the leading "/", owned */
        enum container_status status;  /* State.Status */
        bool running, paused, restarting, dead;
        pid_t pid; /* State.Pid: 0 when there is no process */
};

/* Checks a CONTAINER as typed: a name ([a-zA-Z0-9][a-zA-Z0-9_.-]*) or hex ID, with at most one
 * leading "/". On success *ret_ref points into typed, past the "/". Nothing else may reach a
 * request path: this is what keeps "web/json?" or "web?x=1" away from the engine. */
int container_ref_check(const char *typed, const char **ret_ref, struct nsx_error *err);

/* Writes the inspect request path for a checked reference. */
int container_inspect_path(const char *ref, char *buf, size_t size);

/* Parses an inspect answer (HTTP 200 body). ref is the container as typed, for messages. */
int container_parse_inspect(const char *ref, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err);

/* Turns any inspect response into a container or an error naming ref: 404 is "no such
 * container", other statuses carry the engine's own message. */
int container_from_response(const char *ref, long status, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err);

/* Extracts the engine's {"message": ...} (or the start of a non-JSON body) into buf. */
void container_engine_message(const char *body, size_t len, char *buf, size_t size);

/* Succeeds when the container has a process to enter; otherwise says why not. */
int container_check_running(const char *ref, const struct container *c, struct nsx_error *err);

const char *container_status_name(enum container_status status);

void container_done(struct container *c);
