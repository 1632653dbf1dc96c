/* SPDX-License-Identifier: MIT */
/* Where the engine listens, chosen as the docker CLI chooses: --context, -H, DOCKER_HOST,
 * DOCKER_CONTEXT, config.json's currentContext, the default; then a search for a socket when
 * the default one does not exist. */
#pragma once

#include <sys/un.h>

#include "error.h"

/* Why an endpoint was chosen, in priority order. */
enum endpoint_source {
        ENDPOINT_FROM_CONTEXT_FLAG, /* -c/--context */
        ENDPOINT_FROM_FLAG,         /* -H/--host */
        ENDPOINT_FROM_ENV,          /* DOCKER_HOST */
        ENDPOINT_FROM_CONTEXT_ENV,  /* DOCKER_CONTEXT */
        ENDPOINT_FROM_CONFIG,       /* currentContext in config.json */
        ENDPOINT_FROM_DEFAULT,      /* the built-in default */
        ENDPOINT_FROM_SEARCH,       /* the default was absent; a known socket was found */
};

enum endpoint_kind {
        ENDPOINT_UNIX, /* unix:///path */
        ENDPOINT_TCP,  /* tcp://LOOPBACK:PORT, plain HTTP */
};

#define ENDPOINT_PATH_MAX (sizeof(((struct sockaddr_un *) 0)->sun_path) - 1)

struct endpoint {
        enum endpoint_source source;
        enum endpoint_kind kind;
        char socket_path[ENDPOINT_PATH_MAX + 1]; /* ENDPOINT_UNIX */
        char base_url[96];                       /* "http://localhost" or "http://127.0.0.1:2375" */
        char why[640];                           /* for -v: where this endpoint came from */
        char tried[640];                         /* the search found nothing: the paths it tried */
};

/* What endpoint_resolve reads: the command line and the environment, passed in. */
struct endpoint_inputs {
        const char *flag_context;   /* -c/--context */
        const char *flag_host;      /* -H/--host */
        const char *env_host;       /* DOCKER_HOST */
        const char *env_context;    /* DOCKER_CONTEXT */
        const char *env_config;     /* DOCKER_CONFIG */
        const char *home;           /* $HOME, for ~/.docker */
        const char *xdg_runtime_dir; /* XDG_RUNTIME_DIR, for rootless sockets */
        const char *default_host;   /* unix:///var/run/docker.sock */
};

/* Parses one endpoint URI: unix:///absolute/path, or tcp:// to a loopback address. Pure. */
int endpoint_parse(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err);

/* Picks the endpoint. Reads the docker CLI's config.json and contexts, and looks for sockets. */
int endpoint_resolve(const struct endpoint_inputs *in, struct endpoint *ret, struct nsx_error *err);

/* "--host", "DOCKER_HOST", "--context", ..., for messages. */
const char *endpoint_source_name(enum endpoint_source source);

/* "unix:///path" or "tcp://host:port": where requests go, for messages. */
const char *endpoint_where(const struct endpoint *ep);
