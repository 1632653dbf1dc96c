/* SPDX-License-Identifier: MIT */
/* The run: a looked-up container -> everything the entry needs, read on the host before any
 * setns. Says nothing itself: its warnings and -v lines are notes for main to print. */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

void run_done(struct run *run) {
        target_done(&run->t);
        view_done(&run->view);
        confine_done(&run->conf);
        exec_user_done(&run->user);
        exec_env_free(TAKE_PTR(run->envp));
}

/* Records one note; a run has fewer than RUN_NOTES_MAX, so none is dropped in practice. */
__attribute__((format(printf, 3, 4))) static void run_note(struct run *run, enum run_note_kind kind, const char *fmt,
                                                           ...) {
        struct run_note *n;
        va_list ap;

        if (run->n_notes >= RUN_NOTES_MAX)
                return;
        n = &run->notes[run->n_notes++];
        n->kind = kind;
        va_start(ap, fmt);
        vsnprintf(n->text, sizeof(n->text), fmt, ap);
        va_end(ap);
}

int run_env_overrides(const struct run_inputs *in, char ***ret, struct nsx_error *err) {
        char **v = calloc((size_t) in->n_env + 1, sizeof(*v));

        if (!v)
                return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
        for (int i = 0; i < in->n_env; i++) {
                const char *value = strchr(in->env[i], '=') ? NULL : in->env_values[i];

                if (value ? asprintf(&v[i], "%s=%s", in->env[i], value) < 0 : !(v[i] = strdup(in->env[i]))) {
                        v[i] = NULL;
                        exec_env_free(v);
                        return nsx_error_set(err, NSX_ERR_FAILED, ENOMEM, "out of memory");
                }
        }
        *ret = v;
        return 0;
}

/* -m, -a: who the container's command runs as, and its environment, as docker exec would set
 * them. Done on the host, before any setns: the container's passwd and group are read here
 * through its root (the pinned /proc/PID/root), by us, never through NSS. */
static int prepare_exec_identity(const struct run_inputs *in, const struct target *t, const struct container *c,
                                 const char *label, struct exec_user *ret_user, char ***ret_envp,
                                 struct nsx_error *err) {
        _cleanup_close_ int root_fd = -1;
        _cleanup_(exec_env_freep) char **overrides = NULL;
        _cleanup_(exec_user_donep) struct exec_user u = {};
        char short_id[13];
        int r;

        root_fd = openat(t->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) {
                if (errno == ENOENT || errno == ESRCH)
                        return nsx_error_target_gone(err, label, (int) t->pid);
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot open the root directory of %s", label);
        }
        r = user_resolve(root_fd, in->exec_user ? in->exec_user : c->user, &u, err);
        if (r < 0)
                return r;
        exec_user_check_setgroups(&u, t->procfd);

        r = run_env_overrides(in, &overrides, err);
        if (r < 0)
                return r;
        /* docker's HOSTNAME when the engine gives none: the short ID, which is its default. */
        snprintf(short_id, sizeof(short_id), "%.12s", c->id);
        r = exec_env_build(c->env, c->hostname ? c->hostname : short_id, in->term, &u, overrides, ret_envp, err);
        if (r < 0)
                return r;
        *ret_user = u;
        u = (struct exec_user){};
        return 0;
}

/* -v: a file the engine named for the network view is not there, so the host's stays. The
 * path is the engine's text: no control characters reach the terminal. */
static void note_view_missing(struct run *run, const char *what, const char *path, const char *target) {
        run_note(run, RUN_NOTE_DEBUG, "no %s at '%s': %s stays the host's", what, path, target);
        nsx_sanitize(run->notes[run->n_notes - 1].text);
}

/* The container's files for the network view, opened while nothing is entered yet. A missing
 * one is normal where the engine's files are not in our mount namespace (an engine in a
 * container or a snap): the host's file stays, and only -v says so. A dangling host file
 * (systemd-resolved's stub while it is not running) has nothing to bind over, so it stays, as
 * ip netns exec leaves it. */
static int prepare_view(const struct run_inputs *in, const struct container *c, const char *label, struct run *run,
                        struct nsx_error *err) {
        int r;

        r = view_prepare(c->resolv_conf_path, c->hosts_path, label, &run->view, err);
        if (r < 0 || !in->verbose)
                return r;
        if (run->view.resolv_conf.missing)
                note_view_missing(run, "resolv.conf", c->resolv_conf_path, "/etc/resolv.conf");
        if (run->view.hosts.missing)
                note_view_missing(run, "hosts file", c->hosts_path, "/etc/hosts");
        if (run->view.resolv_conf.host_dangling)
                run_note(run, RUN_NOTE_DEBUG, "%s is a dangling symlink on the host: it stays the host's",
                         "/etc/resolv.conf");
        if (run->view.hosts.host_dangling)
                run_note(run, RUN_NOTE_DEBUG, "%s is a dangling symlink on the host: it stays the host's",
                         "/etc/hosts");
        return 0;
}

int run_prepare(const struct run_inputs *in, const struct container *c, const char *label, struct run *run,
                struct nsx_error *err) {
        int r;

        /* Pin the process right after the answer, then prove it is the container's. */
        r = target_pin(c->pid, label, &run->t, err);
        if (r < 0)
                return r;
        if (in->verify) {
                r = target_verify(&run->t, c->id, c->engine_uid, NULL, label, err);
                if (r < 0)
                        return r;
                if (r == 0) /* not the container's: err says why */
                        return -EPERM;
        } else
                run_note(run, RUN_NOTE_WARNING, "--no-verify: not proving that PID %d belongs to %s", (int) c->pid,
                         label);

        /* What confines the container's processes, read from the pinned, proven one. */
        if (in->confine) {
                r = confine_prepare(&run->t, label, &run->conf, err);
                if (r < 0)
                        return r;
                if (run->conf.warning[0]) {
                        nsx_sanitize(run->conf.warning);
                        run_note(run, RUN_NOTE_WARNING, "%s", run->conf.warning);
                }
        }
        /* A host tool in the container's network sees its resolv.conf, hosts and /sys (with -m
         * or -a the container's own files are there anyway). */
        if (in->view) {
                r = prepare_view(in, c, label, run, err);
                if (r < 0)
                        return r;
        }
        /* The container's own command runs as docker exec runs it: as the container's user,
         * with the container's environment, not the caller's. */
        if (in->own_command) {
                r = prepare_exec_identity(in, &run->t, c, label, &run->user, &run->envp, err);
                if (r < 0)
                        return r;
        }
        /* ... and in the container's cgroups, under its limits. Before its cgroup namespace is
         * joined: from inside one, no process can be moved to a cgroup outside its root. */
        if (in->confine)
                return cgroup_join(&run->t, err);
        return 0;
}
