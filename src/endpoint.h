/* SPDX-License-Identifier: MIT */
/* Where the engine listens: -H, DOCKER_HOST and the default, reduced to one unix socket path. */
#pragma once

#include <sys/un.h>

#include "error.h"

/* Why an endpoint was chosen, in priority order. Contexts and socket discovery slot in here. */
enum endpoint_source {
        ENDPOINT_FROM_FLAG,    /* -H/--host */
        ENDPOINT_FROM_ENV,     /* DOCKER_HOST */
        ENDPOINT_FROM_DEFAULT, /* the built-in default */
};

#define ENDPOINT_PATH_MAX (sizeof(((struct sockaddr_un *) 0)->sun_path) - 1)

struct endpoint {
        enum endpoint_source source;
        char socket_path[ENDPOINT_PATH_MAX + 1];
};

/* Parses one "unix:///absolute/path" endpoint. */
int endpoint_parse(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err);

/* Picks the endpoint: flag_host (may be NULL), else env_host (NULL or empty means unset), else
 * default_host. Pure: the caller passes the environment in. */
int endpoint_resolve(const char *flag_host, const char *env_host, const char *default_host, struct endpoint *ret,
                     struct nsx_error *err);

/* "--host", "DOCKER_HOST" or "default", for messages. */
const char *endpoint_source_name(enum endpoint_source source);
