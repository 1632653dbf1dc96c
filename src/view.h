/* SPDX-License-Identifier: MIT */
/* The container's network view for host tools: its resolv.conf and hosts, and a sysfs of its
 * network namespace, in a private mount namespace that otherwise shows the host's files. */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "util.h"

/* One file of the container's that covers a host file in the view. */
struct view_file {
        int tree_fd;        /* a detached clone (open_tree) of the container's file, private and
                             * read-only; -1: the host's stays */
        bool remount;       /* no mount_setattr (Linux < 5.12): made private and read-only once bound */
        bool missing;       /* the engine named a file that does not exist: the host's stays */
        bool host_dangling; /* the host's file is a dangling symlink: nothing to cover, it stays */
};

struct view {
        struct view_file resolv_conf; /* over /etc/resolv.conf */
        struct view_file hosts;       /* over /etc/hosts */
};

#define VIEW_NULL ((struct view){.resolv_conf = {.tree_fd = -1}, .hosts = {.tree_fd = -1}})

/* Whether the view applies to a set of joined namespaces (enum enter_ns bits, as actually
 * joined): when the network namespace is entered without the mount namespace, whose own files
 * are otherwise the container's anyway. In a joined user namespace the view is made by its
 * root, in a mount namespace that namespace then owns. */
bool view_applies(unsigned joined);

/* Opens the container's files named by the engine, before anything is entered. The paths are
 * untrusted: each must be absolute, resolve without a symlink in any component, and name a
 * regular file on an ordinary filesystem (none of the kernel's: fs_kernel_filesystem), else
 * it is refused (NSX_ERR_FAILED). The mounts are then made from private, read-only clones of
 * what was opened here, never from the path again. A NULL or empty path gives no file; a path
 * that does not exist marks it missing; a host file that is a dangling symlink marks it
 * host_dangling (as ip netns exec, the host's stays). label names the container. */
int view_prepare(const char *resolv_conf_path, const char *hosts_path, const char *label, struct view *ret,
                 struct nsx_error *err);

/* In the network namespace just joined: a private mount namespace, a slave of ours, the prepared
 * files bound over the host's, and a fresh sysfs on /sys; then every mount in it is made a
 * slave or private, so nothing mounted in the view propagates to the host. view may have no
 * files (--host-dns): /sys is still the container's. */
int view_enter(const struct view *view, struct nsx_error *err);

void view_done(struct view *view);
DEFINE_STRUCT_CLEANUP_FUNC(struct view, view_done)

/* How view_open_nofollow resolves: _AUTO with openat2(RESOLVE_NO_SYMLINKS) where the kernel has
 * it (Linux 5.6), else with _WALK, component by component; the unit tests force _WALK. */
enum view_resolve {
        VIEW_RESOLVE_AUTO,
        VIEW_RESOLVE_WALK,
};

/* Opens the absolute path O_PATH without following a symlink in any component: one before the
 * last gives -ELOOP, a last one is opened itself (O_NOFOLLOW); -EINVAL for a relative path. */
int view_open_nofollow(const char *path, enum view_resolve how, int *ret_fd);
