/* SPDX-License-Identifier: MIT */
/* Engine session → containers → pinned PIDs → sockets, owners and verdicts. */
#include "survey.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine.h"
#include "target.h"
#include "util.h"

static void survey_container_done(struct survey_container *c) {
        free(c->name);
        container_ports_free(c->ports, c->n_ports);
        listeners_sockets_free(c->socks, c->n_socks);
        listeners_ports_free(c->judged, c->n_judged);
        *c = (struct survey_container) {};
}

void survey_done(struct survey *s) {
        for (size_t i = 0; i < s->n; i++)
                survey_container_done(&s->v[i]);
        free(s->v);
        *s = (struct survey) {};
}

/* One inspect over the session. 1: *ret filled; 0: a listed container that is gone or stopped
 * (left out); <0: error. */
static int inspect_one(struct engine *e, const char *ref, const char *typed, bool named,
                       struct survey_container *ret, struct survey *s, struct nsx_error *err) {
        struct engine_response resp = {};
        struct container c = {};
        char path[512];
        int r;

        r = container_inspect_path(ref, typed, path, sizeof(path), err);
        if (r < 0)
                return r;
        r = engine_request(e, path, &resp, err);
        if (r < 0)
                return r;
        s->requests += (unsigned) resp.n_attempts;
        s->engine_uid = resp.peer_uid; /* one connection: the same engine each time */
        if (!named && resp.status == 404) {
                engine_response_free(&resp);
                return 0;
        }
        r = container_from_response(typed, resp.status, resp.body, resp.len, &c, err);
        if (r >= 0) {
                r = container_check_running(typed, &c, err);
                if (r < 0 && !named) {
                        container_done(&c);
                        engine_response_free(&resp);
                        return 0;
                }
        }
        if (r >= 0)
                r = container_parse_ports(typed, resp.body, resp.len, &ret->ports, &ret->n_ports, err);
        if (r >= 0) {
                r = container_parse_network_mode(typed, resp.body, resp.len, ret->network_mode,
                                                 sizeof(ret->network_mode), err);
                if (r < 0) {
                        container_ports_free(ret->ports, ret->n_ports);
                        ret->ports = NULL;
                        ret->n_ports = 0;
                }
        }
        engine_response_free(&resp);
        if (r < 0) {
                container_done(&c);
                return r;
        }
        memcpy(ret->id, c.id, sizeof(ret->id));
        ret->pid = c.pid;
        ret->name = TAKE_PTR(c.name);
        container_done(&c);
        return 1;
}

/* The engine part: which containers, their PIDs and ports. */
static int ask_engine(const struct endpoint *ep, long timeout_ms, char *const *refs, size_t n_refs,
                      struct survey *s, struct nsx_error *err) {
        _cleanup_(engine_closep) struct engine *e = NULL;
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
                struct engine_response resp = {};

                r = engine_request(e, CONTAINER_LIST_PATH, &resp, err);
                if (r < 0)
                        return r;
                s->requests += (unsigned) resp.n_attempts;
                r = container_list_from_response(resp.status, resp.body, resp.len, &list, &n_list, err);
                engine_response_free(&resp);
                if (r < 0)
                        return r;
        }

        n = n_refs ? n_refs : n_list;
        s->v = calloc(n + 1, sizeof(*s->v));
        if (!s->v) {
                container_summaries_free(list, n_list);
                return nsx_error_set(err, NSX_ERR_ENGINE, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
                const char *ref;

                /* Listed containers are asked for by full ID: a name may be reused meanwhile. */
                if (n_refs)
                        (void) container_ref_check(refs[i], &ref, NULL);
                else
                        ref = list[i].id;
                r = inspect_one(e, ref, n_refs ? refs[i] : list[i].name, n_refs > 0, &s->v[s->n], s, err);
                if (r < 0)
                        break;
                if (r > 0)
                        s->n++;
        }
        container_summaries_free(list, n_list);
        return r < 0 ? r : 0;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(((const struct survey_container *) a)->name, ((const struct survey_container *) b)->name);
}

int survey_run(const struct endpoint *ep, long timeout_ms, bool verify, char *const *refs, size_t n_refs,
               struct survey *ret, struct nsx_error *err) {
        struct survey s = {};
        _cleanup_free_ struct listeners_netns *nets = NULL;
        size_t kept = 0;
        int r;

        /* All of libcurl is gone when this returns: nothing of it is open while /proc is read. */
        r = ask_engine(ep, timeout_ms, refs, n_refs, &s, err);
        if (r < 0) {
                survey_done(&s);
                return r;
        }
        if (n_refs == 0)
                qsort(s.v, s.n, sizeof(*s.v), name_cmp);

        nets = calloc(s.n + 1, sizeof(*nets));
        if (!nets) {
                survey_done(&s);
                return nsx_error_set(err, NSX_ERR_ENTER, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < s.n; i++) {
                struct survey_container *c = &s.v[i];
                struct target t = TARGET_NULL;
                char label[320];

                snprintf(label, sizeof(label), "container '%s'", n_refs ? refs[i] : c->name);
                /* Pin, prove, then read through the pin: a reused PID is never reported as this
                 * container. */
                bool unproven = false;

                r = target_pin(c->pid, label, &t, err);
                if (r >= 0 && verify) {
                        r = target_verify(&t, c->id, s.engine_uid, label, err);
                        unproven = r == -EPERM;
                }
                if (r >= 0)
                        r = listeners_read(t.procfd, label, &c->socks, &c->n_socks, err);
                if (r >= 0)
                        r = listeners_netns_of(t.procfd, &nets[kept].dev, &nets[kept].ino) < 0 ? -ESRCH : 0;
                target_done(&t);
                if ((r == -ESRCH || unproven) && n_refs == 0) {
                        /* It stopped since the engine answered (its PID may be another
                         * process's by now): it has nothing to report. */
                        if (unproven)
                                s.unproven++;
                        if (err)
                                *err = (struct nsx_error) {};
                        survey_container_done(c);
                        continue;
                }
                if (r < 0) {
                        if (r == -ESRCH && err && !err->message[0])
                                nsx_error_set(err, NSX_ERR_ENTER, ESRCH, "%s exited while it was examined", label);
                        survey_done(&s);
                        return r;
                }
                nets[kept].socks = c->socks;
                nets[kept].n_socks = c->n_socks;
                if (kept != i) {
                        s.v[kept] = *c;
                        *c = (struct survey_container) {};
                }
                kept++;
        }
        s.n = kept;

        r = listeners_find_owners(nets, s.n, err);
        for (size_t i = 0; r >= 0 && i < s.n; i++) {
                struct survey_container *c = &s.v[i];

                r = listeners_judge(c->ports, c->n_ports, c->socks, c->n_socks, streq(c->network_mode, "host"),
                                    &c->judged, &c->n_judged);
                if (r < 0)
                        nsx_error_set(err, NSX_ERR_ENTER, ENOMEM, "out of memory");
        }
        if (r < 0) {
                survey_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}
