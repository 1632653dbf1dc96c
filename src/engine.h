/* SPDX-License-Identifier: MIT */
/* One HTTP GET to the engine over its unix socket: status and body, bounded in size and time. */
#pragma once

#include <stddef.h>

#include "endpoint.h"
#include "error.h"

/* The API version in request paths; every field read here exists unchanged since 1.24. */
#define ENGINE_API_VERSION "1.41"

/* Responses larger than this are refused: an inspect answer is a few KiB. */
#define ENGINE_BODY_MAX ((size_t) 8 << 20)

struct engine_response {
        long status;
        char *body; /* NUL-terminated, owned */
        size_t len;
};

/* GETs path (starting with "/") from the engine at ep, the whole exchange within timeout_ms.
 * On success, *ret holds any HTTP status, 4xx/5xx included: their meaning belongs to the caller.
 * Every socket is closed again before this returns (libcurl does not set O_CLOEXEC). */
int engine_get(const struct endpoint *ep, const char *path, long timeout_ms, struct engine_response *ret,
               struct nsx_error *err);

void engine_response_free(struct engine_response *r);
