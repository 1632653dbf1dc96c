/* SPDX-License-Identifier: MIT */
/* The CRI (runtime.v1) protobuf messages docker-nsexec needs, and Kubernetes target forms. Pure: no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "container.h" /* CONTAINER_ID_LEN */
#include "error.h"
#include "util.h"

/* A DNS-1123 subdomain's length limit: pod and namespace names; a container name is a label (63). */
#define CRI_NAME_MAX 253
#define CRI_LABEL_MAX 63
/* The most entries a list answer may carry, and the largest verbose info JSON text. */
#define CRI_ENTRIES_MAX 65536
#define CRI_INFO_MAX (4 * 1024 * 1024)

enum cri_state {
        CRI_STATE_CREATED = 0,
        CRI_STATE_RUNNING = 1,
        CRI_STATE_EXITED = 2,
        CRI_STATE_UNKNOWN = 3, /* also any value the proto does not define */
};

/* One entry of ListContainersResponse.containers. */
struct cri_container {
        char id[CONTAINER_ID_LEN + 1];         /* 64 lowercase hex, checked */
        char sandbox_id[CONTAINER_ID_LEN + 1]; /* pod_sandbox_id, 64 lowercase hex, checked */
        char name[CRI_NAME_MAX + 1];           /* metadata.name: a DNS-1123 label */
        char pod[CRI_NAME_MAX + 1];            /* labels["io.kubernetes.pod.name"], "" if absent */
        char ns[CRI_NAME_MAX + 1];             /* labels["io.kubernetes.pod.namespace"], "" if absent */
        enum cri_state state;
        uint32_t attempt; /* metadata.attempt */
};

/* One entry of ListPodSandboxResponse.items. */
struct cri_pod {
        char id[CONTAINER_ID_LEN + 1];
        char name[CRI_NAME_MAX + 1], ns[CRI_NAME_MAX + 1], uid[CRI_NAME_MAX + 1]; /* metadata */
        bool ready;                                                               /* state == SANDBOX_READY */
        /* annotations["kubectl.kubernetes.io/default-container"]; "" when absent or not a container
         * name (an annotation is the user's text, not the engine's word: a bad one is ignored) */
        char default_container[CRI_NAME_MAX + 1];
};

/* ContainerStatusResponse of a verbose request. */
struct cri_status {
        char id[CONTAINER_ID_LEN + 1];
        enum cri_state state;
        char name[CRI_NAME_MAX + 1], pod[CRI_NAME_MAX + 1], ns[CRI_NAME_MAX + 1]; /* metadata.name, labels */
        pid_t pid;                             /* info["info"] JSON "pid", 0 if none */
        char sandbox_id[CONTAINER_ID_LEN + 1]; /* info JSON "sandboxID", "" if none */
        /* Owned, NULL if absent: the source of the runtime spec's mount on /etc/resolv.conf or
         * /etc/hosts (absolute, < PATH_MAX; the view module checks them further). */
        char *resolv_conf_path, *hosts_path;
        /* What crictl exec runs a command with, from the runtime spec; owned, NULL if absent.
         * user: process.user's "UID:GID" (decimal; its additionalGids are not kept: the
         * container's /etc/group gives the groups, as for a numeric docker --user). env:
         * process.env, NULL-terminated, container_parse_env's rules. hostname: "hostname",
         * container_hostname_valid, NULL when "". */
        char *user;
        char **env;
        char *hostname;
};

/* Requests: encoded into buf (size bytes), *ret_len their length (the gRPC frame is the
 * transport's). -ENOBUFS when buf is too small, -EINVAL for an id that is not 64 lowercase hex. */
int cri_request_list_containers(bool running_only, uint8_t *buf, size_t size, size_t *ret_len);
int cri_request_list_pod_sandbox(bool ready_only, uint8_t *buf, size_t size, size_t *ret_len);
int cri_request_container_status(const char *id, bool verbose, uint8_t *buf, size_t size, size_t *ret_len);
int cri_request_pod_sandbox_status(const char *id, bool verbose, uint8_t *buf, size_t size, size_t *ret_len);

/* Responses: the engine's bytes, untrusted. Malformed -> -EBADMSG with *err saying what. An entry
 * whose ID or names are not Kubernetes names is an error (the engine lies), not skipped. Lists
 * are owned by the caller (free()), in the engine's order, at most CRI_ENTRIES_MAX entries. */
int cri_parse_list_containers(const uint8_t *b, size_t n, struct cri_container **ret, size_t *ret_n,
                              struct nsx_error *err);
int cri_parse_list_pod_sandbox(const uint8_t *b, size_t n, struct cri_pod **ret, size_t *ret_n, struct nsx_error *err);
int cri_parse_container_status(const uint8_t *b, size_t n, struct cri_status *ret, struct nsx_error *err);
/* PodSandboxStatusResponse of a verbose request: the pod's ports, from the PodSandboxConfig the
 * runtime keeps in its info["info"] JSON ("config": {"port_mappings": [...]}, containerd's
 * shape; PodSandboxStatus itself carries none). Every mapping is an exposed port (kubelet passes
 * each containerPort of the pod's spec); one with a host_port is published there, on host_ip ("":
 * every address). Sorted by protocol then port, one entry per port and protocol (a pod's
 * containers share its network: two of them may name one port); sctp and undefined protocols
 * skipped. No info, or no config in it: no ports (*ret NULL). At most CRI_ENTRIES_MAX mappings. */
int cri_parse_pod_sandbox_status(const uint8_t *b, size_t n, struct container_port **ret, size_t *ret_n,
                                 struct nsx_error *err);
/* VersionResponse: runtime_name, runtime_version, runtime_api_version ("" when absent; each must
 * fit its buffer; control characters become '?'). */
int cri_parse_version(const uint8_t *b, size_t n, char *name, size_t name_size, char *version, size_t version_size,
                      char *api, size_t api_size, struct nsx_error *err);

void cri_status_done(struct cri_status *s);
DEFINE_STRUCT_CLEANUP_FUNC(struct cri_status, cri_status_done)

/* Containers created without the kubelet's labels (crictl, other CRI clients) still belong to a
 * pod: fills an empty pod/ns from the metadata of the sandbox they run in, when pods has it. */
void cri_containers_fill_pods(struct cri_container *v, size_t n, const struct cri_pod *pods, size_t n_pods);

const char *cri_state_name(enum cri_state state);

/* Syntax only: 1-3 '/'-separated parts, NAMESPACE (DNS-1123 subdomain), POD (subdomain),
 * CONTAINER (label); a single part is a pod name or a (lowercase) hex ID or prefix. */
int cri_ref_check(const char *typed, struct nsx_error *err);

/* Resolves a target as Kubernetes people write it against the containers v (pods, only for the
 * default-container annotation, may be NULL). Order: a full 64-hex ID; NAMESPACE/POD/CONTAINER;
 * POD/CONTAINER (any namespace); POD (its only running container, else the one its
 * kubectl.kubernetes.io/default-container annotation names); then a unique ID prefix. Only running
 * containers are candidates; a match only among non-running ones is ESRCH ("is not running"),
 * none or several ENOENT (listing at most 10 candidates). *ret_index indexes v. */
int cri_resolve(const char *typed, const struct cri_container *v, size_t n, const struct cri_pod *pods, size_t n_pods,
                size_t *ret_index, struct nsx_error *err);

/* "namespace/pod/container" (or "pod/container", or "container" without the pod labels) into
 * buf, for --list, completion and messages. */
void cri_container_label(const struct cri_container *c, char *buf, size_t size);
