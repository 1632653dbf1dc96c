/* SPDX-License-Identifier: MIT */
/* Where the engine listens, chosen as the docker CLI chooses: --context, -H, DOCKER_HOST,
 * DOCKER_CONTEXT, config.json's currentContext, the default; then a search for a socket when
 * the default one does not exist. A CRI engine (containerd, CRI-O) as crictl names it:
 * --runtime-endpoint, CONTAINER_RUNTIME_ENDPOINT, or the search's last candidates. */
#pragma once

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include "error.h"

/* Why an endpoint was chosen, in priority order. */
enum endpoint_source {
        ENDPOINT_FROM_CONTEXT_FLAG, /* -c/--context */
        ENDPOINT_FROM_FLAG,         /* -H/--host */
        ENDPOINT_FROM_RUNTIME_FLAG, /* --runtime-endpoint (a CRI engine) */
        ENDPOINT_FROM_ENV,          /* DOCKER_HOST */
        ENDPOINT_FROM_CONTEXT_ENV,  /* DOCKER_CONTEXT */
        ENDPOINT_FROM_RUNTIME_ENV,  /* CONTAINER_RUNTIME_ENDPOINT (a CRI engine) */
        ENDPOINT_FROM_CONFIG,       /* currentContext in config.json */
        ENDPOINT_FROM_DEFAULT,      /* the built-in default */
        ENDPOINT_FROM_SEARCH,       /* the default was absent; a known socket was found */
};

/* Which API the engine speaks. */
enum endpoint_api {
        ENDPOINT_API_DOCKER = 0, /* the Docker Engine API (Docker, Podman): HTTP/1.1 and JSON */
        ENDPOINT_API_CRI,        /* the CRI (containerd, CRI-O): gRPC runtime.v1 over HTTP/2 */
};

/* The CRI engines' usual sockets, in the order the search tries them, after Docker's and
 * Podman's: containerd, k3s's containerd, microk8s's containerd, CRI-O. */
#define ENDPOINT_CRI_SOCKETS_COUNT 4
extern const char *const endpoint_cri_sockets[ENDPOINT_CRI_SOCKETS_COUNT];

enum endpoint_kind {
        ENDPOINT_UNIX, /* unix:///path */
        ENDPOINT_TCP,  /* tcp://LOOPBACK:PORT, plain HTTP */
};

#define ENDPOINT_PATH_MAX (sizeof(((struct sockaddr_un *) 0)->sun_path) - 1)

struct endpoint {
        enum endpoint_source source;
        enum endpoint_kind kind;
        enum endpoint_api api;
        char socket_path[ENDPOINT_PATH_MAX + 1]; /* ENDPOINT_UNIX */
        char base_url[96];                       /* "http://localhost" or "http://127.0.0.1:2375" */
        char why[640];                           /* for -v: where this endpoint came from */
        char tried[1536];                        /* the search found nothing: the paths it tried, and
                                                    why each that exists was passed over */
        /* The caller named this engine: -H/--host, DOCKER_HOST, --runtime-endpoint,
         * CONTAINER_RUNTIME_ENDPOINT, or a context (--context, DOCKER_CONTEXT, config.json's
         * currentContext) whose files are root's or the caller's.
         * Never the built-in default, nor a socket the search found, nor a choice read from
         * another user's files (a HOME or DOCKER_CONFIG left from someone else). Only a named
         * engine may be another user's: see endpoint_trusts. */
        bool named;
};

/* What endpoint_resolve reads: the command line and the environment, passed in. */
struct endpoint_inputs {
        const char *flag_context;    /* -c/--context */
        const char *flag_host;       /* -H/--host */
        const char *flag_runtime;    /* --runtime-endpoint: a CRI engine */
        const char *env_runtime;     /* CONTAINER_RUNTIME_ENDPOINT: a CRI engine */
        const char *env_host;        /* DOCKER_HOST */
        const char *env_context;     /* DOCKER_CONTEXT */
        const char *env_config;      /* DOCKER_CONFIG */
        const char *home;            /* $HOME, for ~/.docker */
        const char *xdg_runtime_dir; /* XDG_RUNTIME_DIR, for rootless sockets */
        const char *default_host;    /* unix:///var/run/docker.sock */
        const char *env_tls_verify;  /* DOCKER_TLS_VERIFY */
        const char *env_tls;         /* DOCKER_TLS */
        const char *env_cert_path;   /* DOCKER_CERT_PATH */
        uid_t caller;                /* geteuid(): whose sockets and files the search may take */
        const char *cri_root;        /* prefix of the CRI sockets' paths in the search (tests); NULL: "" */
};

/* Parses one endpoint URI: unix:///absolute/path, or tcp:// to a loopback address. Pure. */
int endpoint_parse(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err);

/* Parses a CRI engine's endpoint, as crictl's --runtime-endpoint: unix:///absolute/path only
 * (ret->api ENDPOINT_API_CRI, not yet named). Pure. */
int endpoint_parse_cri(const char *uri, enum endpoint_source source, struct endpoint *ret, struct nsx_error *err);

/* Picks the endpoint. Reads the docker CLI's config.json and contexts, and looks for sockets.
 * Refuses (EPROTONOSUPPORT) when TLS was asked for: DOCKER_TLS_VERIFY, DOCKER_TLS or
 * DOCKER_CERT_PATH set for the default context, or a named context with TLS material (files in
 * its TLS store, or SkipTLSVerify): such a request is never sent in plain HTTP. */
int endpoint_resolve(const struct endpoint_inputs *in, struct endpoint *ret, struct nsx_error *err);

/* "--host", "DOCKER_HOST", "--context", ..., for messages. */
const char *endpoint_source_name(enum endpoint_source source);

/* "unix:///path" or "tcp://host:port": where requests go, for messages. */
const char *endpoint_where(const struct endpoint *ep);

/* What the socket search makes of one candidate it found (by lstat, never following a link). */
enum endpoint_candidate {
        ENDPOINT_CANDIDATE_OK,         /* a socket owned by root or by the caller */
        ENDPOINT_CANDIDATE_SYMLINK,    /* a symbolic link: it could lead anywhere */
        ENDPOINT_CANDIDATE_NOT_SOCKET, /* a file, a directory, ... */
        ENDPOINT_CANDIDATE_FOREIGN,    /* another user's socket: that user's engine */
};

/* Pure: judges a search candidate by its lstat; the caller is geteuid(). */
enum endpoint_candidate endpoint_candidate_judge(const struct stat *st, uid_t caller);

/* Pure: whether to believe the engine behind ep when it runs as peer_uid ((uid_t) -1: not known)
 * and the caller is caller. An engine run by root or by the caller is believed; another user's
 * only when the caller named it (ep->named): its answers choose what is entered and run. */
bool endpoint_trusts(const struct endpoint *ep, uid_t peer_uid, uid_t caller);
