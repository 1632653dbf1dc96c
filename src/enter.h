/* SPDX-License-Identifier: MIT */
/* Joining a process's namespaces and running the command in place. */
#pragma once

#include <sys/types.h>

#include "error.h"

/* Namespaces to join. Only the network namespace for now; the table in enter.c grows with it. */
enum enter_ns {
        ENTER_NS_NET = 1 << 0,
};

struct enter_request {
        pid_t pid;
        unsigned namespaces; /* enum enter_ns bits */
        const char *label;   /* "container 'web'", for messages */
};

/* Joins the namespaces of req->pid. On failure nothing has been joined when the first
 * namespace fails; messages name the namespace, the PID and the label. */
int enter_namespaces(const struct enter_request *req, struct nsx_error *err);

/* execvp(argv[0], argv). Returns only on failure: NSX_ERR_EXEC_NOTFOUND (exit 127) or
 * NSX_ERR_EXEC (exit 126). */
int enter_exec(char *const *argv, struct nsx_error *err);
