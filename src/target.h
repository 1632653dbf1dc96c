/* SPDX-License-Identifier: MIT */
/* The engine's PID, pinned (pidfd, /proc/PID dirfd) and proven to be the container's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"
#include "util.h"

struct target {
        pid_t pid;
        int pidfd;  /* pidfd_open(2); -1 on kernels without it */
        int procfd; /* /proc/PID: lookups through it fail once this very process is gone, even if
                     * the PID number is reused */
};

#define TARGET_NULL ((struct target){.pid = 0, .pidfd = -1, .procfd = -1})

/* Pins pid. label names it in messages ("container 'web'"). */
int target_pin(pid_t pid, const char *label, struct target *ret, struct nsx_error *err);

/* Proves the pinned process belongs to the container with this full ID: one of its cgroups is
 * where the engine puts that container (cgroup_path_places_id: "/docker/ID",
 * "/system.slice/docker-ID.scope", "/libpod_parent/libpod-ID", "/machine.slice/libpod-ID.scope",
 * CRI's kubepods trees, rootless forms under the engine user's own user@UID.service) and that
 * directory belongs to engine_uid, the engine's user (root for a root engine).
 * A question, answered as a value: 1 proven; 0 not this container's process (*err says why, as
 * an error to print); a negative errno when it cannot be told (*err filled: the process is gone,
 * -ESRCH, or its /proc cannot be read, a permission denied among them). mounts: as
 * cgroup_prove's, kept across the proofs of one run; NULL for a proof of its own. */
int target_verify(const struct target *t, const char *id, uid_t engine_uid, struct cgroup_mounts *mounts,
                  const char *label, struct nsx_error *err);

void target_done(struct target *t);
DEFINE_STRUCT_CLEANUP_FUNC(struct target, target_done)
