/* SPDX-License-Identifier: MIT */
/* Compose services as targets: the project name Compose would use, the label-filtered list request, the pick. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "error.h"

/* The labels Compose (v1 and v2) puts on every container of a service. */
#define COMPOSE_LABEL_PROJECT "com.docker.compose.project"
#define COMPOSE_LABEL_SERVICE "com.docker.compose.service"
#define COMPOSE_LABEL_NUMBER "com.docker.compose.container-number"

/* Bounds on a project or service name (a label value kept), and on a replica number. */
#define COMPOSE_NAME_MAX 255
#define COMPOSE_INDEX_MAX 999999U

/* What the Compose fallback is asked (a NULL query: no fallback). The project is inferred only
 * when the fallback is tried: the fast path (a container's name) costs nothing more. */
struct compose_query {
        const char *project; /* NULL: compose_project_infer(); else taken as it is */
        unsigned index;      /* --index N; 0 when not given */
};

/* Compose's normalization of a project name: ASCII lowercase, then every character but
 * [a-z0-9_-] dropped (v1's rule, and v2's); trim_leading also drops leading '-' and '_', as v2
 * does (v1 keeps them). Returns the length (0: nothing is left), or -ENAMETOOLONG. */
int compose_project_normalize(const char *name, bool trim_leading, char *buf, size_t size);

/* The project from what Compose reads: env (COMPOSE_PROJECT_NAME) when set and not empty,
 * normalized without trimming (v1 normalizes it; v2 refuses one not normalized already, so
 * only v1 can have made such a project); else the last component of dir (the project
 * directory), v2's rule. Returns the length (0: none), or -ENAMETOOLONG. */
int compose_project_pick(const char *env, const char *dir, char *buf, size_t size);

/* The project directory Compose infers from cwd (absolute): the nearest of cwd and its parents
 * that holds compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml; cwd itself
 * when none does. 0, or -ENAMETOOLONG / -EINVAL (cwd not absolute). */
int compose_project_dir(const char *cwd, char *buf, size_t size);

/* The current project as `docker compose` would infer it: COMPOSE_PROJECT_NAME, else the
 * project directory of the working directory (Go's os.Getwd: $PWD when it names the same
 * directory as ".", so a symbolic link's name counts, as in v2). Never fails: "" when none. */
void compose_project_infer(char *buf, size_t size);

/* The longest list request path: with the API version before it, it fits what the engine
 * module records of a request (struct engine_exchange). Project and service names longer
 * together than about 139 bytes do not fit. */
#define COMPOSE_LIST_PATH_MAX 300

/* The list request of the fallback: the running containers carrying the project's label and,
 * when service is not NULL, the service's. project and service must be names as
 * container_ref_check takes them or normalized project names: nothing to escape in JSON.
 * 0, or -EINVAL / -ENAMETOOLONG (longer than COMPOSE_LIST_PATH_MAX or size) with *err set. */
int compose_list_path(const char *project, const char *service, char *buf, size_t size, struct nsx_error *err);

/* "web-2" -> "web" and 2 (v2's names, SERVICE-N); false when ref does not end in -N
 * (1..COMPOSE_INDEX_MAX, no leading zero). */
bool compose_split_replica(const char *ref, char *service, size_t size, unsigned *ret_n);

/* The Compose reading of ref among list (the answer to compose_list_path's request; entries of
 * another project, or without the labels, are passed over: an engine may ignore a filter).
 * With index > 0, replica index of service ref. Otherwise the service named ref; failing that,
 * for ref SERVICE-N, replica N of SERVICE. 1 with *ret (into list) and *ret_number (0: the only
 * replica was taken) set; 0 when no running container reads so; -EEXIST (several replicas, the
 * message lists them) or -ENOENT (no such replica) with *err set. */
int compose_pick(const struct container_summary *list, size_t n, const char *project, const char *ref, unsigned index,
                 const struct container_summary **ret, unsigned *ret_number, struct nsx_error *err);
