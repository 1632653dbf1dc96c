/* SPDX-License-Identifier: MIT */
/* The engine's PID, pinned (pidfd, /proc/PID dirfd) and proven to be the container's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct target {
        pid_t pid;
        int pidfd;  /* pidfd_open(2); -1 on kernels without it */
        int procfd; /* /proc/PID: lookups through it fail once this very process is gone, even if
                     * the PID number is reused */
};

#define TARGET_NULL ((struct target) {.pid = 0, .pidfd = -1, .procfd = -1})

/* Pins pid. label names it in messages ("container 'web'"). */
int target_pin(pid_t pid, const char *label, struct target *ret, struct nsx_error *err);

/* Proves the pinned process belongs to the container with this full ID: its cgroup paths name
 * the ID as a path component (cgroupfs "/docker/ID", systemd "docker-ID.scope", Podman
 * "libpod-ID", CRI "cri-containerd-ID.scope", "crio-ID"). */
int target_verify(const struct target *t, const char *id, const char *label, struct nsx_error *err);

/* Pure: does this /proc/PID/cgroup text name id as a container cgroup? */
bool target_cgroup_names_id(const char *text, size_t len, const char *id);

void target_done(struct target *t);
