/* SPDX-License-Identifier: MIT */
/* The lookup: endpoint → engine → parsed containers; the place a CRI engine will sit beside. */
#include "lookup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "config.h"
#include "cri.h"
#include "util.h"

/* The CRI engines' side of each lookup (at the end of this file). */
static int cri_lookup_container(const struct endpoint *ep, const char *ref, long timeout_ms, struct container *ret,
                                struct engine_exchange *x, struct nsx_error *err);
static int cri_lookup_running(const struct endpoint *ep, long timeout_ms, struct container_summary **ret, size_t *ret_n,
                              struct engine_exchange *x, struct nsx_error *err);
static int cri_lookup_containers(const struct endpoint *ep, long timeout_ms, char *const *refs, size_t n_refs,
                                 struct lookup_set *ret, struct nsx_error *err);

int lookup_endpoint(const struct lookup_where *where, struct endpoint *ret, struct nsx_error *err) {
        return endpoint_resolve(
                &(struct endpoint_inputs){
                        .flag_context = where->context,
                        .flag_host = where->host,
                        .flag_runtime = where->runtime_endpoint,
                        .env_host = getenv("DOCKER_HOST"),
                        .env_context = getenv("DOCKER_CONTEXT"),
                        .env_runtime = getenv("CONTAINER_RUNTIME_ENDPOINT"),
                        /* docker --config DIR reaches a plugin in argv only. */
                        .env_config = where->config ? where->config : getenv("DOCKER_CONFIG"),
                        .home = getenv("HOME"),
                        .xdg_runtime_dir = getenv("XDG_RUNTIME_DIR"),
                        .default_host = NSX_DEFAULT_HOST,
                        .env_tls_verify = getenv("DOCKER_TLS_VERIFY"),
                        .env_tls = getenv("DOCKER_TLS"),
                        .env_cert_path = getenv("DOCKER_CERT_PATH"),
                        .caller = geteuid(),
                },
                ret, err);
}

int lookup_ref(const struct endpoint *ep, const char *typed, const char **ret, struct nsx_error *err) {
        if (ep->api == ENDPOINT_API_CRI) {
                *ret = typed;
                return cri_ref_check(typed, err);
        }
        return container_ref_check(typed, ret, err);
}

/* The Compose reading of ref, over e: one list request, filtered by the engine. 1 with id (the
 * container's full ID) and fb->note set; 0 when no running container reads so (the caller's
 * "no such container" stands); <0 with *err set. */
static int compose_resolve(struct engine *e, const char *ref, const char *project, unsigned index, char *id,
                           struct lookup_fallback *fb, unsigned *requests, struct nsx_error *err) {
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        const struct container_summary *found = NULL;
        struct container_summary *list = NULL;
        char path[1024], service[COMPOSE_NAME_MAX + 1];
        unsigned number = 0;
        size_t n = 0;
        int r;

        /* SERVICE-N may be a service of that name or replica N: the whole project is asked
         * for then, and compose_pick tries both, still in one request. */
        r = compose_list_path(project,
                              index == 0 && compose_split_replica(ref, service, sizeof(service), &number) ? NULL : ref,
                              path, sizeof(path), err);
        /* Names that long cannot be asked for: no service is found (the usual error stands). */
        if (r == -ENAMETOOLONG)
                return 0;
        if (r < 0)
                return r;
        r = engine_request(e, path, &resp, err);
        if (r < 0)
                return r;
        if (requests)
                *requests += (unsigned) resp.exchange.n_attempts;
        if (fb)
                fb->list = resp.exchange;
        /* An engine that will not list (an error status): no service is found, and the usual
         * "no such container" stands; the list's own failure would only confuse it. */
        if (resp.status != 200)
                return 0;
        r = container_list_from_response(resp.status, resp.body, resp.len, &list, &n, err);
        if (r < 0)
                return r;
        r = compose_pick(list, n, project, ref, index, &found, &number, err);
        if (r > 0) {
                memcpy(id, found->id, CONTAINER_ID_LEN + 1);
                if (fb) {
                        char replica[32] = "";

                        if (number > 0)
                                snprintf(replica, sizeof(replica), " (replica %u)", number);
                        /* Every part is a checked name: nothing to sanitize. */
                        snprintf(fb->note, sizeof(fb->note),
                                 "'%s'%s is Compose service %s%s of project %s: container %s", ref,
                                 index ? " --index" : "", found->compose_service, replica, project, found->name);
                }
        }
        container_summaries_free(list, n);
        return r;
}

/* The project to look in when a failed inspect may be a Compose service's name: "" when it may
 * not (no query, another answer than 404, an ambiguous ID prefix, no project). */
static void compose_project_for(const struct compose_query *q, const struct engine_response *resp, char *buf,
                                size_t size) {
        buf[0] = '\0';
        if (!q || resp->status != 404 || container_answer_ambiguous(resp->body, resp->len))
                return;
        if (q->project)
                snprintf(buf, size, "%s", q->project);
        else
                compose_project_infer(buf, size);
}

int lookup_container(const struct endpoint *ep, const char *ref, const char *typed, const struct compose_query *compose,
                     long timeout_ms, struct container *ret, struct engine_exchange *ret_exchange,
                     struct lookup_fallback *ret_fallback, struct nsx_error *err) {
        _cleanup_(container_donep) struct container c = {};
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        _cleanup_(engine_closep) struct engine *e = NULL;
        char path[512], project[COMPOSE_NAME_MAX + 1];
        int r;

        if (ret_exchange)
                *ret_exchange = (struct engine_exchange){};
        if (ret_fallback)
                *ret_fallback = (struct lookup_fallback){};
        if (ep->api == ENDPOINT_API_CRI)
                return cri_lookup_container(ep, ref, timeout_ms, ret, ret_exchange, err);
        r = container_inspect_path(ref, typed, path, sizeof(path), err);
        if (r < 0)
                return r;
        /* One connection: the fast path (a container's name or ID) is its one request; the
         * Compose fallback adds the list and the inspect by ID on it. */
        r = engine_open(ep, timeout_ms, &e, err);
        if (r < 0)
                return r;
        r = engine_request(e, path, &resp, err);
        if (r < 0)
                return r;
        if (ret_exchange)
                *ret_exchange = resp.exchange;
        compose_project_for(compose, &resp, project, sizeof(project));
        if (project[0]) {
                char id[CONTAINER_ID_LEN + 1];

                r = compose_resolve(e, ref, project, compose->index, id, ret_fallback, NULL, err);
                if (r < 0)
                        return r;
                /* None: the usual "no such container", one line, as without Compose. */
                if (r == 0)
                        return container_from_response(typed, resp.status, resp.body, resp.len, &c, err);
                engine_response_done(&resp);
                r = container_inspect_path(id, typed, path, sizeof(path), err);
                if (r >= 0)
                        r = engine_request(e, path, &resp, err);
                if (r < 0)
                        return r;
                if (ret_fallback)
                        ret_fallback->inspect = resp.exchange;
        }
        r = container_from_response(typed, resp.status, resp.body, resp.len, &c, err);
        /* Whose engine answered owns the container's cgroups: the proof of its PID needs it. */
        c.engine_uid = resp.exchange.peer_uid;
        if (r < 0)
                return r;
        r = container_check_running(typed, &c, err);
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(c, (struct container){});
        return 0;
}

int lookup_running(const struct endpoint *ep, long timeout_ms, struct container_summary **ret, size_t *ret_n,
                   struct engine_exchange *ret_exchange, struct nsx_error *err) {
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        int r;

        if (ret_exchange)
                *ret_exchange = (struct engine_exchange){};
        if (ep->api == ENDPOINT_API_CRI)
                return cri_lookup_running(ep, timeout_ms, ret, ret_n, ret_exchange, err);
        r = engine_get(ep, CONTAINER_LIST_PATH, timeout_ms, &resp, err);
        if (r < 0)
                return r;
        if (ret_exchange)
                *ret_exchange = resp.exchange;
        return container_list_from_response(resp.status, resp.body, resp.len, ret, ret_n, err);
}

void lookup_entry_done(struct lookup_entry *e) {
        container_done(&e->c);
        container_ports_free(e->ports, e->n_ports);
        *e = (struct lookup_entry){};
}

void lookup_set_done(struct lookup_set *s) {
        for (size_t i = 0; i < s->n; i++)
                lookup_entry_done(&s->v[i]);
        free(s->v);
        *s = (struct lookup_set){};
}

/* One inspect over the session. 1: *ret filled; 0: a listed container that is gone or stopped
 * (left out); <0: error. */
static int inspect_entry(struct engine *e, const char *ref, const char *typed, bool named,
                         const struct compose_query *compose, struct lookup_entry *ret, struct lookup_set *s,
                         struct nsx_error *err) {
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        _cleanup_(lookup_entry_donep) struct lookup_entry x = {};
        char path[512], project[COMPOSE_NAME_MAX + 1];
        int r;

        r = container_inspect_path(ref, typed, path, sizeof(path), err);
        if (r < 0)
                return r;
        r = engine_request(e, path, &resp, err);
        if (r < 0)
                return r;
        s->requests += (unsigned) resp.exchange.n_attempts;
        s->engine_uid = resp.exchange.peer_uid; /* one connection: the same engine each time */
        if (!named && resp.status == 404)
                return 0;
        compose_project_for(named ? compose : NULL, &resp, project, sizeof(project));
        if (project[0]) {
                char id[CONTAINER_ID_LEN + 1];

                r = compose_resolve(e, ref, project, compose->index, id, NULL, &s->requests, err);
                if (r < 0)
                        return r;
                if (r == 0)
                        return container_from_response(typed, resp.status, resp.body, resp.len, &x.c, err);
                engine_response_done(&resp);
                r = container_inspect_path(id, typed, path, sizeof(path), err);
                if (r >= 0)
                        r = engine_request(e, path, &resp, err);
                if (r < 0)
                        return r;
                s->requests += (unsigned) resp.exchange.n_attempts;
        }
        r = container_from_response(typed, resp.status, resp.body, resp.len, &x.c, err);
        if (r >= 0) {
                x.c.engine_uid = resp.exchange.peer_uid;
                r = container_check_running(typed, &x.c, err);
                if (r < 0 && !named)
                        return 0;
        }
        if (r >= 0)
                r = container_parse_ports(typed, resp.body, resp.len, &x.ports, &x.n_ports, err);
        if (r >= 0)
                r = container_parse_network_mode(typed, resp.body, resp.len, x.network_mode, sizeof(x.network_mode),
                                                 err);
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(x, (struct lookup_entry){});
        return 1;
}

int lookup_containers(const struct endpoint *ep, long timeout_ms, char *const *refs, size_t n_refs,
                      const struct compose_query *compose, struct lookup_set *ret, struct nsx_error *err) {
        _cleanup_(engine_closep) struct engine *e = NULL;
        _cleanup_(lookup_set_donep) struct lookup_set s = {};
        struct container_summary *list = NULL;
        size_t n_list = 0, n;
        int r;

        if (ep->api == ENDPOINT_API_CRI)
                return cri_lookup_containers(ep, timeout_ms, refs, n_refs, ret, err);
        /* Every reference is checked before any request: none may steer a request path. */
        for (size_t i = 0; i < n_refs; i++) {
                const char *ref;

                r = container_ref_check(refs[i], &ref, err);
                if (r < 0)
                        return r;
        }

        r = engine_open(ep, timeout_ms, &e, err);
        if (r < 0)
                return r;
        if (n_refs == 0) {
                _cleanup_(engine_response_donep) struct engine_response resp = {};

                r = engine_request(e, CONTAINER_LIST_PATH, &resp, err);
                if (r < 0)
                        return r;
                s.requests += (unsigned) resp.exchange.n_attempts;
                r = container_list_from_response(resp.status, resp.body, resp.len, &list, &n_list, err);
                if (r < 0)
                        return r;
        }

        n = n_refs ? n_refs : n_list;
        s.v = calloc(n + 1, sizeof(*s.v));
        if (!s.v) {
                container_summaries_free(list, n_list);
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        }
        r = 0;
        for (size_t i = 0; i < n; i++) {
                const char *ref;

                /* Listed containers are asked for by full ID: a name may be reused meanwhile. */
                if (n_refs)
                        (void) container_ref_check(refs[i], &ref, NULL);
                else
                        ref = list[i].id;
                r = inspect_entry(e, ref, n_refs ? refs[i] : list[i].name, n_refs > 0, compose, &s.v[s.n], &s, err);
                if (r < 0)
                        break;
                if (r > 0)
                        s.n++;
        }
        container_summaries_free(list, n_list);
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(s, (struct lookup_set){});
        return 0;
}

/* --- CRI engines (containerd, CRI-O): the same values, from runtime.v1 calls ------------------ */

#define CRI_SERVICE "/runtime.v1.RuntimeService/"
/* A request is an ID and two small fields at most. */
#define CRI_REQUEST_MAX 128

/* What a gRPC status means to the user (the codes of grpc's status.proto). */
static int cri_errno(int status) {
        switch (status) {
        case 4: /* DEADLINE_EXCEEDED */
                return ETIMEDOUT;
        case 5: /* NOT_FOUND */
                return ENOENT;
        case 7: /* PERMISSION_DENIED */
                return EACCES;
        case 12: /* UNIMPLEMENTED */
                return ENOSYS;
        case 14: /* UNAVAILABLE */
                return ECONNREFUSED;
        default:
                return EPROTO;
        }
}

/* One call: the answer's message in *ret, or the engine's refusal as the error. The call joins *x
 * (if not NULL) for -v: a connection per call, the same engine each time. */
static int cri_call(const struct endpoint *ep, const char *method, const uint8_t *req, size_t req_len, long timeout_ms,
                    struct engine_grpc_response *ret, struct engine_exchange *x, struct nsx_error *err) {
        char path[96];
        int r;

        snprintf(path, sizeof(path), CRI_SERVICE "%s", method);
        r = engine_grpc_call(ep, path, req, req_len, timeout_ms, ret, err);
        if (r < 0)
                return r;
        if (x) {
                int i = x->n_attempts < ENGINE_EXCHANGE_MAX ? x->n_attempts++ : ENGINE_EXCHANGE_MAX - 1;

                x->peer_uid = ret->exchange.peer_uid;
                x->peer_pid = ret->exchange.peer_pid;
                x->grpc = true;
                snprintf(x->attempts[i].path, sizeof(x->attempts[i].path), "%s", path);
                x->attempts[i].status = ret->grpc_status;
        }
        if (ret->grpc_status != 0)
                return nsx_error_set(err, NSX_ERR_FAILED, cri_errno(ret->grpc_status),
                                     "the engine refused %s (gRPC status %d)%s%s", method, ret->grpc_status,
                                     ret->grpc_message[0] ? ": " : "", ret->grpc_message);
        return 0;
}

/* ListContainers (running ones only, or all). */
static int cri_list_containers(const struct endpoint *ep, long timeout_ms, bool running_only,
                               struct cri_container **ret_v, size_t *ret_n, struct engine_exchange *x,
                               struct nsx_error *err) {
        _cleanup_(engine_grpc_response_donep) struct engine_grpc_response a = {};
        uint8_t req[CRI_REQUEST_MAX];
        size_t len;
        int r;

        if (cri_request_list_containers(running_only, req, sizeof(req), &len) < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOBUFS, "cannot encode a CRI request");
        r = cri_call(ep, "ListContainers", req, len, timeout_ms, &a, x, err);
        if (r < 0)
                return r;
        return cri_parse_list_containers(a.msg, a.len, ret_v, ret_n, err);
}

/* ListPodSandbox, and the pods' names given to the containers whose labels lack them (made
 * without the kubelet). */
static int cri_list_pods(const struct endpoint *ep, long timeout_ms, struct cri_container *v, size_t n,
                         struct cri_pod **ret_pods, size_t *ret_n_pods, struct engine_exchange *x,
                         struct nsx_error *err) {
        _cleanup_(engine_grpc_response_donep) struct engine_grpc_response a = {};
        uint8_t req[CRI_REQUEST_MAX];
        size_t len;
        int r;

        if (cri_request_list_pod_sandbox(false, req, sizeof(req), &len) < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOBUFS, "cannot encode a CRI request");
        r = cri_call(ep, "ListPodSandbox", req, len, timeout_ms, &a, x, err);
        if (r >= 0)
                r = cri_parse_list_pod_sandbox(a.msg, a.len, ret_pods, ret_n_pods, err);
        if (r < 0)
                return r;
        cri_containers_fill_pods(v, n, *ret_pods, *ret_n_pods);
        return 0;
}

/* Whether every container carries the kubelet's pod labels: then the pods are needed only for
 * the default-container annotation. */
static bool cri_all_labelled(const struct cri_container *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!v[i].pod[0] || !v[i].ns[0])
                        return false;
        return true;
}

/* The container's process and files, from ContainerStatus (verbose: its runtime's info), named
 * namespace/pod/container from the answer's labels, else as fallback_label says. A container not
 * there at all answers NOT_FOUND: "no such container", with a 404 as the Engine API's, the one
 * sign of it for every engine (--forward ends on it). */
static int cri_inspect(const struct endpoint *ep, const char *id, const char *fallback_label, long timeout_ms,
                       struct container *ret, struct engine_exchange *x, struct nsx_error *err) {
        _cleanup_(engine_grpc_response_donep) struct engine_grpc_response a = {};
        _cleanup_(cri_status_donep) struct cri_status st = {};
        _cleanup_(container_donep) struct container c = {};
        char label[3 * (CRI_NAME_MAX + 1)];
        uint8_t req[CRI_REQUEST_MAX];
        size_t len;
        int r;

        if (cri_request_container_status(id, true, req, sizeof(req), &len) < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOBUFS, "cannot encode a CRI request");
        r = cri_call(ep, "ContainerStatus", req, len, timeout_ms, &a, x, err);
        if (r < 0 && a.grpc_status == 5 /* NOT_FOUND */) {
                r = nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "no such container: '%s'", fallback_label);
                if (err)
                        err->http_status = 404;
                return r;
        }
        if (r >= 0)
                r = cri_parse_container_status(a.msg, a.len, &st, err);
        if (r < 0)
                return r;
        if (!streq(st.id, id))
                return nsx_error_set(err, NSX_ERR_FAILED, EBADMSG,
                                     "the CRI runtime answered for container %.12s when asked for %.12s", st.id, id);
        if (st.pod[0] && st.ns[0])
                snprintf(label, sizeof(label), "%s/%s/%s", st.ns, st.pod, st.name);
        else
                snprintf(label, sizeof(label), "%s", fallback_label);
        if (st.state != CRI_STATE_RUNNING || st.pid <= 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "container '%s' is not running (%s)", label,
                                     cri_state_name(st.state));
        snprintf(c.id, sizeof(c.id), "%s", id);
        c.name = strdup(label);
        /* What crictl exec runs a command with: the runtime spec's user ("UID:GID"; root when it
         * names none, as docker's default), environment and hostname (the short ID when none, as
         * for any engine). --user and -e still override them. */
        c.user = st.user ? TAKE_PTR(st.user) : strdup("");
        c.env = TAKE_PTR(st.env);
        c.hostname = TAKE_PTR(st.hostname);
        if (!c.name || !c.user)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        c.status = CONTAINER_STATUS_RUNNING;
        c.running = true;
        c.pid = st.pid;
        c.resolv_conf_path = TAKE_PTR(st.resolv_conf_path);
        c.hosts_path = TAKE_PTR(st.hosts_path);
        c.engine_uid = a.exchange.peer_uid;
        *ret = TAKE_STRUCT(c, (struct container){});
        return 0;
}

/* The target among the containers v: without the pods when every container has the kubelet's
 * labels and the answer does not hang on a lone POD's default-container annotation; otherwise the
 * pods are asked for too (*pods, the caller's to free) and it is resolved again. */
static int cri_pick(const struct endpoint *ep, const char *ref, long timeout_ms, struct cri_container *v, size_t n,
                    struct cri_pod **pods, size_t *n_pods, size_t *ret_index, struct engine_exchange *x,
                    struct nsx_error *err) {
        int r;

        if (cri_all_labelled(v, n)) {
                r = cri_resolve(ref, v, n, NULL, 0, ret_index, err);
                if (r >= 0 || strchr(ref, '/'))
                        return r;
        }
        r = cri_list_pods(ep, timeout_ms, v, n, pods, n_pods, x, err);
        if (r < 0)
                return r;
        return cri_resolve(ref, v, n, *pods, *n_pods, ret_index, err);
}

/* The entry's lookup on a CRI engine. A full ID: its status alone, one call. Otherwise the
 * containers, the target form resolved among them (with the pods when a lone POD's
 * default-container annotation or unlabelled containers need them), then its status: two calls,
 * three at most. --forward follows a container by its full ID: the status call's NOT_FOUND is
 * the one "removed" it needs (cri_inspect). */
static int cri_lookup_container(const struct endpoint *ep, const char *ref, long timeout_ms, struct container *ret,
                                struct engine_exchange *x, struct nsx_error *err) {
        _cleanup_free_ struct cri_container *v = NULL;
        _cleanup_free_ struct cri_pod *pods = NULL;
        char label[3 * (CRI_NAME_MAX + 1)];
        size_t n = 0, n_pods = 0, i;
        int r;

        r = cri_ref_check(ref, err);
        if (r < 0)
                return r;
        if (strlen(ref) == CONTAINER_ID_LEN && strspn(ref, "0123456789abcdef") == CONTAINER_ID_LEN)
                return cri_inspect(ep, ref, ref, timeout_ms, ret, x, err);
        r = cri_list_containers(ep, timeout_ms, false, &v, &n, x, err);
        if (r >= 0)
                r = cri_pick(ep, ref, timeout_ms, v, n, &pods, &n_pods, &i, x, err);
        if (r < 0)
                return r;
        cri_container_label(&v[i], label, sizeof(label));
        return cri_inspect(ep, v[i].id, label, timeout_ms, ret, x, err);
}

/* --list and completion on a CRI engine: the running containers, named namespace/pod/container. */
static int cri_lookup_running(const struct endpoint *ep, long timeout_ms, struct container_summary **ret, size_t *ret_n,
                              struct engine_exchange *x, struct nsx_error *err) {
        _cleanup_free_ struct cri_container *v = NULL;
        _cleanup_free_ struct cri_pod *pods = NULL;
        struct container_summary *s;
        size_t n = 0, n_pods = 0;
        int r;

        r = cri_list_containers(ep, timeout_ms, true, &v, &n, x, err);
        if (r >= 0 && !cri_all_labelled(v, n))
                r = cri_list_pods(ep, timeout_ms, v, n, &pods, &n_pods, x, err);
        if (r < 0)
                return r;
        s = calloc(n + 1, sizeof(*s));
        if (!s)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                char label[3 * (CRI_NAME_MAX + 1)];

                cri_container_label(&v[i], label, sizeof(label));
                snprintf(s[i].id, sizeof(s[i].id), "%s", v[i].id);
                s[i].name = strdup(label);
                if (!s[i].name) {
                        container_summaries_free(s, i);
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                }
        }
        *ret = s;
        *ret_n = n;
        return 0;
}

/* A pod's ports, asked for once however many of its containers are reported. */
struct cri_pod_ports {
        char id[CONTAINER_ID_LEN + 1];
        struct container_port *ports; /* owned */
        size_t n_ports;
};

static void cri_pod_ports_free(struct cri_pod_ports *v, size_t n) {
        for (size_t i = 0; i < n && v; i++)
                container_ports_free(v[i].ports, v[i].n_ports);
        free(v);
}

/* PodSandboxStatus (verbose: the pod's config, with its port mappings) of pod id. */
static int cri_pod_status_ports(const struct endpoint *ep, const char *id, long timeout_ms, struct container_port **ret,
                                size_t *ret_n, struct nsx_error *err) {
        _cleanup_(engine_grpc_response_donep) struct engine_grpc_response a = {};
        uint8_t req[CRI_REQUEST_MAX];
        size_t len;
        int r;

        if (cri_request_pod_sandbox_status(id, true, req, sizeof(req), &len) < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOBUFS, "cannot encode a CRI request");
        r = cri_call(ep, "PodSandboxStatus", req, len, timeout_ms, &a, NULL, err);
        if (r < 0)
                return r;
        return cri_parse_pod_sandbox_status(a.msg, a.len, ret, ret_n, err);
}

/* A copy of the n ports p (their bindings too) into *ret: each entry owns its own. */
static int cri_ports_copy(const struct container_port *p, size_t n, struct container_port **ret, size_t *ret_n) {
        struct container_port *v;

        *ret = NULL;
        *ret_n = 0;
        if (n == 0)
                return 0;
        v = calloc(n, sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                v[i] = p[i];
                v[i].bindings = NULL;
                if (p[i].n_bindings == 0)
                        continue;
                v[i].bindings = calloc(p[i].n_bindings, sizeof(*v[i].bindings));
                if (!v[i].bindings) {
                        container_ports_free(v, i);
                        return -ENOMEM;
                }
                memcpy(v[i].bindings, p[i].bindings, p[i].n_bindings * sizeof(*v[i].bindings));
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

/* The ports of the pod id into e: from *cache when that pod was asked for already, else one
 * PodSandboxStatus call (counted in *requests) added to it. */
static int cri_entry_ports(const struct endpoint *ep, const char *id, long timeout_ms, struct cri_pod_ports *cache,
                           size_t *n_cache, struct lookup_entry *e, unsigned *requests, struct nsx_error *err) {
        struct cri_pod_ports *p = NULL;
        int r;

        for (size_t i = 0; i < *n_cache && !p; i++)
                if (streq(cache[i].id, id))
                        p = &cache[i];
        if (!p) {
                struct cri_pod_ports q = {};

                r = cri_pod_status_ports(ep, id, timeout_ms, &q.ports, &q.n_ports, err);
                (*requests)++;
                if (r < 0)
                        return r;
                snprintf(q.id, sizeof(q.id), "%s", id);
                p = &cache[(*n_cache)++];
                *p = q;
        }
        if (cri_ports_copy(p->ports, p->n_ports, &e->ports, &e->n_ports) < 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        return 0;
}

/* --listeners on a CRI engine: the named containers (each resolved) or every running one, then
 * each one's status, and once per pod its status (verbose): the ports of the pod's spec, exposed,
 * and published where they have a hostPort. A pod's network is its own ("pod"), shared by its
 * containers: each of them is reported with all of the pod's ports. */
static int cri_lookup_containers(const struct endpoint *ep, long timeout_ms, char *const *refs, size_t n_refs,
                                 struct lookup_set *ret, struct nsx_error *err) {
        _cleanup_(lookup_set_donep) struct lookup_set s = {};
        _cleanup_free_ struct cri_container *v = NULL;
        _cleanup_free_ struct cri_pod *pods = NULL;
        struct cri_pod_ports *cache = NULL;
        struct engine_exchange x = {};
        size_t n = 0, n_pods = 0, n_cache = 0, want;
        int r;

        for (size_t i = 0; i < n_refs; i++) {
                r = cri_ref_check(refs[i], err);
                if (r < 0)
                        return r;
        }
        r = cri_list_containers(ep, timeout_ms, n_refs == 0, &v, &n, &x, err);
        if (r >= 0 && n_refs == 0 && !cri_all_labelled(v, n))
                r = cri_list_pods(ep, timeout_ms, v, n, &pods, &n_pods, &x, err);
        if (r < 0)
                return r;
        s.requests = (unsigned) x.n_attempts;
        want = n_refs ? n_refs : n;
        s.v = calloc(want + 1, sizeof(*s.v));
        /* At most one pod per entry. */
        cache = calloc(want + 1, sizeof(*cache));
        if (!s.v || !cache) {
                free(cache);
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        }
        r = 0;
        for (size_t k = 0; k < want; k++) {
                char label[3 * (CRI_NAME_MAX + 1)];
                size_t i = k;

                if (n_refs && !pods && (r = cri_pick(ep, refs[k], timeout_ms, v, n, &pods, &n_pods, &i, &x, err)) < 0)
                        break;
                if (n_refs && pods && (r = cri_resolve(refs[k], v, n, pods, n_pods, &i, err)) < 0)
                        break;
                cri_container_label(&v[i], label, sizeof(label));
                r = cri_inspect(ep, v[i].id, label, timeout_ms, &s.v[s.n].c, NULL, err);
                s.requests++;
                if (r >= 0)
                        r = cri_entry_ports(ep, v[i].sandbox_id, timeout_ms, cache, &n_cache, &s.v[s.n], &s.requests,
                                            err);
                if (r < 0) {
                        lookup_entry_done(&s.v[s.n]);
                        if (n_refs)
                                break;
                        /* A listed container that stopped meanwhile, or whose pod went: left out. */
                        r = 0;
                        continue;
                }
                snprintf(s.v[s.n].network_mode, sizeof(s.v[s.n].network_mode), "pod");
                s.engine_uid = s.v[s.n].c.engine_uid;
                s.n++;
        }
        cri_pod_ports_free(cache, n_cache);
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(s, (struct lookup_set){});
        return 0;
}
