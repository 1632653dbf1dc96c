/* SPDX-License-Identifier: MIT */
/* All cgroup knowledge: /proc/PID/cgroup, where engines put containers, our mounts of each hierarchy. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "util.h"

struct target;

/* The most of /proc/PID/cgroup that is read: a hybrid host has one line per v1 hierarchy and one
 * "0::" line, each well under PATH_MAX. */
#define CGROUP_TEXT_MAX 65536

/* One line of /proc/PID/cgroup: "HIERARCHY-ID:CONTROLLERS:PATH". The fields point into the text. */
struct cgroup_line {
        const char *controllers; /* "pids", "cpu,cpuacct", "name=systemd"; "" on the v2 line */
        size_t controllers_len;
        const char *path; /* absolute, as seen from our cgroup namespace */
        size_t path_len;
        bool unified; /* the v2 line, "0::PATH" */
};

/* Pure: the next well-formed line at or after *pos in text[0..len); false at the end. Lines
 * without two colons are skipped. */
bool cgroup_line_next(const char *text, size_t len, size_t *pos, struct cgroup_line *ret);

/* Pure: does this cgroup path put the container with this full ID where an engine puts its
 * containers? The accepted layouts, with ID the 64-hex ID and "…" any components:
 *   …/ID                       Docker and containerd, cgroupfs driver (/docker/ID, --cgroup-parent,
 *                              /kubepods/…/pod…/ID)
 *   …/libpod-ID[/container]    Podman, cgroupfs (/libpod_parent/libpod-ID)
 *   S/docker-ID.scope          Docker, systemd driver (/system.slice/docker-ID.scope)
 *   S/libpod-ID.scope[/container]
 *                              Podman, systemd (/machine.slice/libpod-ID.scope); crun's
 *                              "container" sub-cgroup
 *   K/…/cri-containerd-ID.scope, K/…/crio-ID.scope, K/…/crio-ID
 *                              CRI (containerd, CRI-O), where K is /kubepods or /kubepods.slice
 * where S is zero or more ".slice" components (a systemd scope is always in a slice). Everywhere:
 *   - no component above the container's names a container itself (nested below a container
 *     with a writable cgroup namespace);
 *   - a systemd user manager's subtree (user@N.service) is user N's, delegated: accepted only as
 *     /user.slice/user-N.slice/user@N.service/… (rootless Docker and Podman) and only when N is
 *     engine_uid.
 * That the directory belongs to engine_uid is the other half of the proof (cgroup_prove). */
bool cgroup_path_places_id(const char *path, size_t len, const char *id, uid_t engine_uid);

/* Pure: does any component of this path name the container with this ID, in any of the forms
 * above, wherever it stands? (For messages: "named, but not where the engine puts it".) */
bool cgroup_path_names_id(const char *path, size_t len, const char *id);

/* Pure: does any line of a /proc/PID/cgroup text pass cgroup_path_places_id? */
bool cgroup_text_places_id(const char *text, size_t len, const char *id, uid_t engine_uid);

/* A mounted cgroup hierarchy, from /proc/self/mountinfo. */
struct cgroup_mount {
        int id;          /* the mount ID: the fd we open must be on this very mount */
        bool unified;    /* cgroup2 */
        char *root;      /* the cgroup shown at the mount point ("/" but for a bind mount) */
        char *point;     /* unescaped */
        char *superopts; /* v1: "rw,cpu,cpuacct", "rw,name=systemd" */
};

struct cgroup_mounts {
        struct cgroup_mount *v;
        size_t n;
        bool loaded; /* read from mountinfo (cgroup_prove reads it on first need) */
};

/* Pure: the cgroup and cgroup2 mounts of a mountinfo text. -ENOMEM, or 0. */
int cgroup_mounts_parse(const char *text, size_t len, struct cgroup_mounts *ret);

/* Our mount of the hierarchy of this line, or NULL if we have none that shows its path. */
const struct cgroup_mount *cgroup_mounts_find(const struct cgroup_mounts *m, const struct cgroup_line *line);

void cgroup_mounts_done(struct cgroup_mounts *m);
DEFINE_STRUCT_CLEANUP_FUNC(struct cgroup_mounts, cgroup_mounts_done)

/* The cgroup at path, opened (O_PATH) under the mount without following any symlink and without
 * leaving the mount: the mount point itself must be that mount (its mount ID), every component
 * below it a real directory on it. */
int cgroup_dir_open(const struct cgroup_mount *mount, const char *path, size_t len, int *ret_fd, struct nsx_error *err);

/* Reads /proc/PID/cgroup through the pinned /proc/PID dirfd. Returns -errno (ENOENT/ESRCH:
 * the process is gone) without filling err: the caller words it for its target. */
int cgroup_read_text(int procfd, char *buf, size_t size, size_t *ret_len);

enum cgroup_verdict {
        CGROUP_PROVEN,      /* a line is placed (above) and its directory belongs to the engine's user */
        CGROUP_NOT_NAMED,   /* no line names the ID at all */
        CGROUP_MISPLACED,   /* named, but not where the engine puts its containers */
        CGROUP_NOT_MOUNTED, /* placed, but in no hierarchy we can look at */
        CGROUP_FOREIGN,     /* placed, but the directory belongs to another user */
};

struct cgroup_proof {
        enum cgroup_verdict verdict;
        char path[256]; /* the line behind the verdict (MISPLACED, NOT_MOUNTED, FOREIGN), cut */
        uid_t owner;    /* FOREIGN: who owns it */
};

/* The proof that a /proc/PID/cgroup text is the container's: some line is placed
 * (cgroup_path_places_id) and its directory, opened under our mount of that hierarchy, belongs
 * to engine_uid (only the engine's user, root for a root engine, can make a directory there).
 * mounts: our cgroup mounts, read from /proc/self/mountinfo on first need and kept there for
 * the next proof (the caller's to free): a survey of hundreds of containers reads that table,
 * which grows with them, once. A mount is still checked to be the one read (its mount ID) each
 * time it is opened. Returns -errno when mountinfo or a mount cannot be read; 0 with *ret filled
 * otherwise. */
int cgroup_prove(const char *text, size_t len, const char *id, uid_t engine_uid, struct cgroup_mounts *mounts,
                 struct cgroup_proof *ret, struct nsx_error *err);

/* Moves this process into every cgroup of the pinned target, as docker exec does: for each line
 * of its /proc/PID/cgroup (v1 controllers, named v1 hierarchies, the v2 line), our PID into
 * cgroup.procs of that directory under our mount of the hierarchy. Call before joining the
 * target's cgroup namespace. A failure is an error: the command must not escape the
 * container's limits. */
int cgroup_join(const struct target *t, struct nsx_error *err);
