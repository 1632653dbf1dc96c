/* SPDX-License-Identifier: MIT */
/* setns(2) and execvp(3). No fork: the command becomes this process, so its exit status and
 * signals are the caller's own. */
#include "enter.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

struct ns_kind {
        unsigned bit;
        int clone_flag;
        const char *file; /* under /proc/PID/ns */
        const char *what;
};

/* The order in which namespaces are joined. A later issue adds the others with nsenter's rule
 * (user first when gaining privilege, mount last so /proc stays the host's until then). */
static const struct ns_kind ns_table[] = {
        {ENTER_NS_NET, CLONE_NEWNET, "net", "network"},
};

static int privilege_error(struct nsx_error *err, int e, const char *fmt_what, const struct ns_kind *ns,
                           const struct enter_request *req) {
        nsx_error_set(err, NSX_ERR_ENTER, e, "cannot %s the %s namespace of %s (PID %d): %s", fmt_what, ns->what,
                      req->label, (int) req->pid, strerror(e));
        nsx_error_hint(err, "docker-nsexec needs root, or CAP_SYS_ADMIN and CAP_SYS_PTRACE");
        return -e;
}

static int join_one(const struct ns_kind *ns, const struct enter_request *req, struct nsx_error *err) {
        _cleanup_close_ int fd = -1;
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int) req->pid, ns->file);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                int e = errno;

                if (e == ENOENT || e == ESRCH)
                        return nsx_error_set(err, NSX_ERR_ENTER, ESRCH, "%s exited before it could be entered (PID %d is gone)",
                                             req->label, (int) req->pid);
                if (e == EACCES || e == EPERM)
                        return privilege_error(err, e, "open", ns, req);
                return nsx_error_set(err, NSX_ERR_ENTER, e, "cannot open %s: %s", path, strerror(e));
        }
        if (setns(fd, ns->clone_flag) < 0) {
                int e = errno;

                if (e == EPERM)
                        return privilege_error(err, e, "enter", ns, req);
                return nsx_error_set(err, NSX_ERR_ENTER, e, "cannot enter the %s namespace of %s (PID %d): %s",
                                     ns->what, req->label, (int) req->pid, strerror(e));
        }
        return 0;
}

int enter_namespaces(const struct enter_request *req, struct nsx_error *err) {
        for (size_t i = 0; i < ELEMENTSOF(ns_table); i++) {
                if (!(req->namespaces & ns_table[i].bit))
                        continue;
                int r = join_one(&ns_table[i], req, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int enter_exec(char *const *argv, struct nsx_error *err) {
        int e;

        execvp(argv[0], argv);
        e = errno;
        /* The shell's convention, as nsenter follows it: 127 when there is nothing to run, 126
         * when it exists but cannot be run. */
        if (e == ENOENT || e == ENOTDIR) {
                if (!strchr(argv[0], '/'))
                        return nsx_error_set(err, NSX_ERR_EXEC_NOTFOUND, e, "%s: command not found", argv[0]);
                return nsx_error_set(err, NSX_ERR_EXEC_NOTFOUND, e, "cannot run %s: %s", argv[0], strerror(e));
        }
        return nsx_error_set(err, NSX_ERR_EXEC, e, "cannot run %s: %s", argv[0], strerror(e));
}
