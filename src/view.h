/* SPDX-License-Identifier: MIT */
/* The container's network view for host tools: its resolv.conf and hosts, and a sysfs of its
 * network namespace, in a private mount namespace that otherwise shows the host's files. */
#pragma once

#include <stdbool.h>

#include "error.h"

/* One file of the container's that covers a host file in the view. */
struct view_file {
        int tree_fd;  /* a detached clone (open_tree) of the container's file; -1: the host's stays */
        bool missing; /* the engine named a file that does not exist: the host's stays */
};

struct view {
        struct view_file resolv_conf; /* over /etc/resolv.conf */
        struct view_file hosts;       /* over /etc/hosts */
};

#define VIEW_NULL ((struct view) {.resolv_conf = {.tree_fd = -1}, .hosts = {.tree_fd = -1}})

/* Whether the view applies to a set of joined namespaces (enum enter_ns bits, as actually
 * joined): when the network namespace is entered without the mount namespace, whose own files
 * are otherwise the container's anyway. In a joined user namespace the view is made by its
 * root, in a mount namespace that namespace then owns. */
bool view_applies(unsigned joined);

/* Opens the container's files named by the engine, before anything is entered: the paths are
 * untrusted, so the last component must not be a symlink and each must be a regular file; the
 * mounts are then made from what was opened here, never from the path again. A NULL or empty
 * path gives no file; a path that does not exist marks it missing. label names the container. */
int view_prepare(const char *resolv_conf_path, const char *hosts_path, const char *label, struct view *ret,
                 struct nsx_error *err);

/* In the network namespace just joined: a private mount namespace, a slave of ours so nothing
 * propagates back, the prepared files bound over the host's, and a fresh sysfs on /sys. view
 * may have no files (--host-dns): /sys is still the container's. */
int view_enter(const struct view *view, struct nsx_error *err);

void view_done(struct view *view);
