/* SPDX-License-Identifier: MIT */
/* Joining a pinned process's namespaces, and running the command. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "ns.h"

struct view; /* view.h: the network view, which view_enter makes once the network is joined */

struct enter_request {
        pid_t pid;
        int pidfd;               /* from target_pin; -1: join through procfd's ns/ files */
        int procfd;              /* /proc/PID of the pinned process */
        unsigned namespaces;     /* enum enter_ns bits */
        bool all;                /* every namespace of the target that differs from ours */
        const char *wd;          /* working directory; inside the container's root with ENTER_NS_MNT */
        const char *label;       /* "container 'web'", for messages */
        const struct view *view; /* the network view for a net-only entry (view_applies); NULL: none */
        /* Joining the mount namespace joins the target's user namespace too, where it differs
         * from ours: its files are then reached as its root, not ours (false: --privileged). */
        bool user_with_mount;
};

/* Outcome of enter_namespaces. */
enum enter_role {
        ENTER_EXEC,   /* this process is in place: exec the command */
        ENTER_CHILD,  /* the child of ENTER_PARENT: exec the command; it dies with the parent,
                       * and must say so again after changing its credentials (see
                       * enter_die_with_parent) */
        ENTER_PARENT, /* a PID or time namespace needed a child: continue as it does
                       * (enter_continue_as_child) */
};

/* Joins the requested namespaces of the pinned process. The PID and time namespaces apply to
 * children only, so when one is joined this forks once: the child gets ENTER_CHILD, the
 * parent ENTER_PARENT with *ret_child set. */
int enter_namespaces(const struct enter_request *req, enum enter_role *ret_role, pid_t *ret_child,
                     struct nsx_error *err);

/* In the parent (nsenter's continue_as_child): forwards every signal sent to us (but SIGCHLD;
 * SIGKILL and SIGSTOP cannot be caught) to the child, stops when it stops and continues it when
 * we are continued, and ends as the child ended, so the caller's shell sees the same: killed by
 * a signal, it re-raises that signal on us (and does not return); exited, *ret_exit is its
 * exit code, for the caller to exit with (128 + the signal for one whose default action is not
 * to terminate). */
int enter_continue_as_child(pid_t child, int *ret_exit, struct nsx_error *err);

/* In the child of enter_namespaces: arms PR_SET_PDEATHSIG with SIGKILL, then fails (ESRCH) if
 * getppid() is no longer ppid, i.e. the parent died before the prctl. enter_namespaces calls it
 * right after the fork. The kernel clears the death signal on a change of the effective or
 * filesystem uid or gid, or a gain of capabilities (commit_creds), and on the execve of a
 * set-user-ID, set-group-ID or file-capability binary: code that changes the child's
 * credentials calls it again afterwards, with the getppid() it saw before the change. */
int enter_die_with_parent(pid_t ppid, struct nsx_error *err);

/* execvp(argv[0], argv). Returns only on failure: NSX_ERR_EXEC_NOTFOUND (exit 127) or
 * NSX_ERR_EXEC (exit 126). */
int enter_exec(char *const *argv, struct nsx_error *err);
