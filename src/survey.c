/* SPDX-License-Identifier: MIT */
/* Engine session → containers → pinned PIDs → sockets, owners and verdicts. */
#include "survey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "lookup.h"
#include "sockdiag.h"
#include "target.h"
#include "util.h"

static void survey_container_done(struct survey_container *c) {
        free(c->name);
        container_ports_free(c->ports, c->n_ports);
        listeners_sockets_free(c->socks, c->n_socks);
        listeners_ports_free(c->judged, c->n_judged);
        *c = (struct survey_container){};
}

void survey_done(struct survey *s) {
        for (size_t i = 0; i < s->n; i++)
                survey_container_done(&s->v[i]);
        free(s->v);
        *s = (struct survey){};
}

/* The engine part, from the lookup: which containers, their PIDs and ports. */
static int ask_engine(const struct endpoint *ep, long timeout_ms, char *const *refs, size_t n_refs,
                      const struct compose_query *compose, struct survey *s, struct nsx_error *err) {
        _cleanup_(lookup_set_donep) struct lookup_set found = {};
        int r;

        r = lookup_containers(ep, timeout_ms, refs, n_refs, compose, &found, err);
        if (r < 0)
                return r;
        s->requests = found.requests;
        s->engine_uid = found.engine_uid;
        s->v = calloc(found.n + 1, sizeof(*s->v));
        if (!s->v)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        for (size_t i = 0; i < found.n; i++) {
                struct lookup_entry *e = &found.v[i];
                struct survey_container *c = &s->v[i];

                memcpy(c->id, e->c.id, sizeof(c->id));
                c->pid = e->c.pid;
                c->name = TAKE_PTR(e->c.name);
                snprintf(c->network_mode, sizeof(c->network_mode), "%s", e->network_mode);
                c->ports = TAKE_PTR(e->ports);
                c->n_ports = e->n_ports;
                e->n_ports = 0;
        }
        s->n = found.n;
        return 0;
}

/* The listening sockets of the network namespace of the pinned process t, and that namespace's
 * identity. From sock_diag while *self_netns (our own namespace, to come back to) is open: the
 * kernel walks only its listening hash. From /proc/PID/net otherwise, which walks the whole
 * established hash per file: where the kernel has no sock_diag (*self_netns is then closed, for
 * every namespace after this one too), or where this namespace cannot be entered (setns's
 * EPERM: one owned by a user namespace beyond our reach). */
static int read_sockets(int *self_netns, const struct target *t, const char *label, struct survey *s,
                        struct survey_container *c, struct listeners_netns *net, struct nsx_error *err) {
        _cleanup_close_ int nsfd = -1;
        int r;

        nsfd = listeners_netns_open(t->procfd, label, &net->dev, &net->ino, err);
        if (nsfd < 0)
                return nsfd;
        if (*self_netns >= 0) {
                _cleanup_close_ int fd = sockdiag_open(nsfd, *self_netns, label, err);

                r = fd >= 0 ? sockdiag_read(fd, label, &c->socks, &c->n_socks, err) : fd;
                if (r >= 0) {
                        s->from_sockdiag++;
                        return r;
                }
                if (r != -EOPNOTSUPP && r != -EPERM)
                        return r;
                if (r == -EOPNOTSUPP)
                        *self_netns = safe_close(*self_netns);
                if (err)
                        *err = (struct nsx_error){};
        }
        r = listeners_read(t->procfd, label, &c->socks, &c->n_socks, err);
        if (r >= 0)
                s->from_proc++;
        return r;
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(((const struct survey_container *) a)->name, ((const struct survey_container *) b)->name);
}

int survey_run(const struct endpoint *ep, long timeout_ms, bool verify, char *const *refs, size_t n_refs,
               const struct compose_query *compose, struct survey *ret, struct nsx_error *err) {
        _cleanup_(survey_donep) struct survey s = {};
        _cleanup_free_ struct listeners_netns *nets = NULL;
        _cleanup_close_ int self_netns = -1;
        /* Read once for every proof: mountinfo grows with the containers. */
        _cleanup_(cgroup_mounts_donep) struct cgroup_mounts mounts = {};
        size_t kept = 0;
        int r;

        /* All of libcurl is gone when this returns: nothing of it is open while /proc is read. */
        r = ask_engine(ep, timeout_ms, refs, n_refs, compose, &s, err);
        if (r < 0)
                return r;
        if (n_refs == 0)
                qsort(s.v, s.n, sizeof(*s.v), name_cmp);

        nets = calloc(s.n + 1, sizeof(*nets));
        if (!nets)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        /* This thread's own: the one sock_diag's setns must come back to. Without it (a /proc
         * without thread-self, before Linux 3.17), /proc is read instead. */
        self_netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        for (size_t i = 0; i < s.n; i++) {
                struct survey_container *c = &s.v[i];
                _cleanup_(target_donep) struct target t = TARGET_NULL;
                char label[320];

                snprintf(label, sizeof(label), "container '%s'", n_refs ? refs[i] : c->name);
                /* Pin, prove, then read through the pin: a reused PID is never reported as this
                 * container. */
                bool unproven = false;

                r = target_pin(c->pid, label, &t, err);
                if (r >= 0 && verify) {
                        /* Not proven (0) is not an error of ours; a denied read of its /proc is. */
                        r = target_verify(&t, c->id, s.engine_uid, &mounts, label, err);
                        unproven = r == 0;
                        if (unproven)
                                r = -EPERM;
                }
                if (r >= 0)
                        r = read_sockets(&self_netns, &t, label, &s, c, &nets[kept], err);
                if ((r == -ESRCH || unproven) && n_refs == 0) {
                        /* It stopped since the engine answered (its PID may be another
                         * process's by now): it has nothing to report. */
                        if (unproven)
                                s.unproven++;
                        if (err)
                                *err = (struct nsx_error){};
                        survey_container_done(c);
                        continue;
                }
                if (r < 0)
                        return r;
                nets[kept].socks = c->socks;
                nets[kept].n_socks = c->n_socks;
                if (kept != i) {
                        s.v[kept] = *c;
                        *c = (struct survey_container){};
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
                        nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        }
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(s, (struct survey){});
        return 0;
}
