/* SPDX-License-Identifier: MIT */
/* Pure functions over the engine's answers: container references, inspect JSON, states. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "util.h"

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
        pid_t pid;              /* State.Pid: 0 when there is no process */
        char *resolv_conf_path; /* ResolvConfPath on the host, owned; NULL when absent or empty */
        char *hosts_path;       /* HostsPath on the host, owned; NULL when absent or empty */
        /* What docker exec runs the container's own binaries with (-m, -a): */
        char *user;     /* Config.User ("" when absent: root), owned; no control characters */
        char **env;     /* Config.Env, NULL-terminated, owned; NULL when absent or null */
        char *hostname; /* Config.Hostname, owned; NULL when absent or empty */
        /* Not from the answer's bytes: the user running the engine that answered (its socket's
         * SO_PEERCRED), set by the lookup. That user owns the container's cgroups. */
        uid_t engine_uid;
};

/* Bounds on Config.Env: entries, and bytes per entry (the kernel's MAX_ARG_STRLEN). */
#define CONTAINER_ENV_MAX 10000
#define CONTAINER_ENV_ENTRY_MAX (128 * 1024)
/* Bounds on Config.User (USER:GROUP, each at most 256 bytes) and Config.Hostname. */
#define CONTAINER_USER_MAX 513
#define CONTAINER_HOSTNAME_MAX 255

struct cJSON;

/* An environment as engines give it (Docker's Config.Env, an OCI runtime spec's process.env):
 * absent or null (*ret NULL), or an array of "KEY=VALUE" strings (KEY alone: unset, as the
 * daemon takes it). Values may hold any byte but NUL (newlines are legitimate); keys are
 * non-empty and printable; at most CONTAINER_ENV_MAX entries of CONTAINER_ENV_ENTRY_MAX bytes.
 * *ret is NULL-terminated and owned. -EBADMSG with what (what_size bytes) saying, by field, what
 * is wrong; -ENOMEM. */
int container_parse_env(const struct cJSON *env, const char *field, char ***ret, char *what, size_t what_size);

/* Whether h may be a container's hostname (it becomes $HOSTNAME): at most
 * CONTAINER_HOSTNAME_MAX bytes, printable, no blank. "" is valid (no hostname). */
bool container_hostname_valid(const char *h);

/* The transport protocols the listeners report examines (sctp ports are left out). */
enum container_proto {
        CONTAINER_PROTO_TCP,
        CONTAINER_PROTO_UDP,
};

/* A port of a list entry's "Ports": its PrivatePort and Type, exposed or published. */
struct container_summary_port {
        unsigned port; /* 1..65535 */
        enum container_proto proto;
};

/* The most ports one list entry carries: they are completion candidates, and a container that
 * publishes a range of thousands would fill the screen; the lowest ones are kept. */
#define CONTAINER_SUMMARY_PORTS_MAX 64

/* One entry of the running-container list (GET CONTAINER_LIST_PATH). */
struct container_summary {
        char id[CONTAINER_ID_LEN + 1];
        char *name; /* the container's own name, without "/"; owned */
        /* "Ports", one entry per port and protocol (Docker lists a published port once per
         * host address), sorted by protocol then port, at most CONTAINER_SUMMARY_PORTS_MAX;
         * sctp left out. Owned; NULL when n_ports is 0. */
        struct container_summary_port *ports;
        size_t n_ports;
        /* Its Compose labels (com.docker.compose.project, .service, .container-number), for
         * the Compose fallback. A value that is not a name ([a-zA-Z0-9_.-], at most
         * CONTAINER_LABEL_NAME_MAX bytes) or, for the number, not a decimal 1..999999 with no
         * leading zero, is taken as absent: labels are the user's, any container may carry
         * them. Owned; NULL (0) when absent. */
        char *compose_project;
        char *compose_service;
        unsigned compose_number;
};

#define CONTAINER_LABEL_NAME_MAX 255

/* Running containers only, filtered by the engine: {"status":["running"]}, URL-encoded. */
#define CONTAINER_LIST_PATH "/containers/json?filters=%7B%22status%22%3A%5B%22running%22%5D%7D"

/* Checks a CONTAINER as typed: a name ([a-zA-Z0-9][a-zA-Z0-9_.-]*) or hex ID, with at most one
 * leading "/". On success *ret_ref points into typed, past the "/". Nothing else may reach a
 * request path: this is what keeps "web/json?" or "web?x=1" away from the engine. */
int container_ref_check(const char *typed, const char **ret_ref, struct nsx_error *err);

/* Writes the inspect request path for a checked reference; typed (as the user wrote it) names
 * the container when it does not fit. */
int container_inspect_path(const char *ref, const char *typed, char *buf, size_t size, struct nsx_error *err);

/* Parses an inspect answer (HTTP 200 body). ref is the container as typed, for messages. */
int container_parse_inspect(const char *ref, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err);

/* Turns any inspect response into a container or an error naming ref: 404 is "no such
 * container", other statuses carry the engine's own message. */
int container_from_response(const char *ref, long status, const char *body, size_t len, struct container *ret,
                            struct nsx_error *err);

/* Whether an error answer says an ID prefix matched several containers (Docker's 400 or 500,
 * Podman's 404): not a name that is unknown. */
bool container_answer_ambiguous(const char *body, size_t len);

/* Extracts the engine's {"message": ...} (or the start of a non-JSON body) into buf. */
void container_engine_message(const char *body, size_t len, char *buf, size_t size);

/* Parses a list answer (HTTP 200 body of CONTAINER_LIST_PATH) into *ret (n entries, owned; the
 * engine's order). Entries with a malformed Id, no usable name, malformed Ports or Labels that
 * are not an object of strings are an error, not skipped: the caller would otherwise offer or
 * report a container that is not there. */
int container_parse_list(const char *body, size_t len, struct container_summary **ret, size_t *ret_n,
                         struct nsx_error *err);

/* Turns any list response into running containers or an error carrying the engine's message. */
int container_list_from_response(long status, const char *body, size_t len, struct container_summary **ret,
                                 size_t *ret_n, struct nsx_error *err);

void container_summaries_free(struct container_summary *s, size_t n);

/* Succeeds when the container has a process to enter; otherwise says why not. */
int container_check_running(const char *ref, const struct container *c, struct nsx_error *err);

const char *container_status_name(enum container_status status);

/* The entry for (port, proto) in list (n entries), added at its end when absent: list has room
 * for every key. */
struct container_port *container_port_entry(struct container_port *list, size_t *n, unsigned port,
                                            enum container_proto proto);

/* The order of every ports list: by protocol, then port. */
void container_ports_sort(struct container_port *list, size_t n);

/* A binding's host address is printed in the report: only an address inet_pton reads back (IPv4
 * or IPv6), or "" for every address, may pass; no name, no zone, no escape sequence. */
bool container_host_ip_valid(const char *s);

void container_done(struct container *c);
DEFINE_STRUCT_CLEANUP_FUNC(struct container, container_done)

const char *container_proto_name(enum container_proto proto);

/* One host binding of a published port, as NetworkSettings.Ports gives it. */
struct container_binding {
        char host_ip[46];   /* "0.0.0.0", "::", "127.0.0.1", or "" (every address) */
        unsigned host_port; /* 0 when the engine gave none */
};

/* A container port the engine knows of: exposed (Config.ExposedPorts, or a key of
 * NetworkSettings.Ports) and/or published (bindings in NetworkSettings.Ports). */
struct container_port {
        unsigned port; /* 1..65535 */
        enum container_proto proto;
        bool exposed;
        struct container_binding *bindings; /* owned; n_bindings == 0: not published */
        size_t n_bindings;
};

/* Parses the ports of an inspect answer (HTTP 200 body) into *ret (n entries, owned, sorted by
 * protocol then port, one entry per port and protocol). Keys are "PORT/PROTO" or "PORT" (tcp);
 * sctp ports are skipped; anything else malformed is an error naming ref. */
int container_parse_ports(const char *ref, const char *body, size_t len, struct container_port **ret, size_t *ret_n,
                          struct nsx_error *err);

void container_ports_free(struct container_port *p, size_t n);

/* Copies HostConfig.NetworkMode of an inspect answer ("bridge", "host", "none",
 * "container:ID", a network's name) into buf; "" when absent. -EBADMSG, naming ref, when it is
 * not a string. */
int container_parse_network_mode(const char *ref, const char *body, size_t len, char *buf, size_t size,
                                 struct nsx_error *err);
