/* SPDX-License-Identifier: MIT */
/* The Engine API's event stream (GET /events): one JSON object a line, as Docker and Podman's
 * compatible API send them. Pure parsing of engine bytes: fuzzed. */
#pragma once

#include <stddef.h>

#include "container.h"

struct engine_event {
        char id[CONTAINER_ID_LEN + 1]; /* Actor.ID (else "id"): 64 lowercase hex */
        char action[32];               /* Action (else "status"): "start", "die", "destroy", ... */
        /* Docker's exec and health actions carry a detail after a colon ("exec_start: sh",
         * "health_status: healthy"): action is the word before it, the detail is dropped. */
};

/* The events of one container: {"type":["container"],"container":[ID]}, URL-encoded, into buf. */
int events_path(const char *id, char *buf, size_t size);

/* Parses one line of the stream. -EBADMSG for what is not a container event with a well-formed
 * ID and action (the caller ignores such a line): Type, when present, must be "container"; the
 * ID is 64 lowercase hex digits, the action a word of [a-z_-], shorter than action; where both
 * spellings of a field are present (Actor.ID and id, Action and status) they must agree. *ret
 * is written only on success. */
int events_parse(const char *line, size_t len, struct engine_event *ret);
