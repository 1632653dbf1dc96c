/* SPDX-License-Identifier: MIT */
/* The lookup: endpoint → engine → parsed containers; the place a CRI engine will sit beside. */
#include "lookup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "util.h"

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

int lookup_container(const struct endpoint *ep, const char *ref, const char *typed, long timeout_ms,
                     struct container *ret, struct engine_exchange *ret_exchange, struct nsx_error *err) {
        _cleanup_(container_donep) struct container c = {};
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        char path[512];
        int r;

        if (ret_exchange)
                *ret_exchange = (struct engine_exchange){};
        r = container_inspect_path(ref, typed, path, sizeof(path), err);
        if (r < 0)
                return r;
        r = engine_get(ep, path, timeout_ms, &resp, err);
        if (r < 0)
                return r;
        if (ret_exchange)
                *ret_exchange = resp.exchange;
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
static int inspect_entry(struct engine *e, const char *ref, const char *typed, bool named, struct lookup_entry *ret,
                         struct lookup_set *s, struct nsx_error *err) {
        _cleanup_(engine_response_donep) struct engine_response resp = {};
        _cleanup_(lookup_entry_donep) struct lookup_entry x = {};
        char path[512];
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
                      struct lookup_set *ret, struct nsx_error *err) {
        _cleanup_(engine_closep) struct engine *e = NULL;
        _cleanup_(lookup_set_donep) struct lookup_set s = {};
        struct container_summary *list = NULL;
        size_t n_list = 0, n;
        int r;

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
                r = inspect_entry(e, ref, n_refs ? refs[i] : list[i].name, n_refs > 0, &s.v[s.n], &s, err);
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
