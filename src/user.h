/* SPDX-License-Identifier: MIT */
/* The container's user and environment for its own binaries (-m, -a), as docker exec sets them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "util.h"

/* The largest passwd or group file read: a bigger one is refused, not truncated. */
#define USER_FILE_MAX (4u * 1024 * 1024)

/* The default PATH docker exec gives a Linux container that sets none. */
#define EXEC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Who the command runs as. groups holds the primary gid first, then the supplementary ones,
 * as docker passes them to runc (no duplicate is removed: the kernel shows what docker's does). */
struct exec_user {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* owned, n_groups entries, at most NGROUPS_MAX */
        size_t n_groups;
        char *home;            /* owned: the passwd entry's home, else "/" */
        bool setgroups_denied; /* the target's user namespace denies setgroups(2): leave the groups */
};

/* Checks a user spec as docker takes it: USER[:GROUP], each a name or a numeric ID. Pure; the
 * message names the spec (sanitized). */
int user_spec_check(const char *spec, struct nsx_error *err);

/* Resolves spec ("" = root) against the container's files: root_fd is the container's root
 * directory, opened on the host through the pinned /proc/PID/root before any setns. Its
 * etc/passwd and etc/group are read by us with openat2(RESOLVE_IN_ROOT), regular files on an
 * ordinary filesystem, at most USER_FILE_MAX bytes; never through NSS, which would load the
 * container's libraries into this root process. An absent file is an empty one. */
int user_resolve(int root_fd, const char *spec, struct exec_user *ret, struct nsx_error *err);

/* The pure part of user_resolve: passwd or group NULL when the file is absent. Semantics of
 * runc's libcontainer/user GetExecUser, as docker exec applies them: a name must be found, a
 * numeric ID need not be (gid 0, home "/"); the first matching line wins; with no explicit
 * GROUP the user's name is looked up in the group file's member lists. */
int user_resolve_from(const char *spec, const char *passwd, size_t passwd_len, const char *group, size_t group_len,
                      struct exec_user *ret, struct nsx_error *err);

/* Reads the target's /proc/PID/setgroups (procfd: the pinned /proc/PID) into
 * u->setgroups_denied: "deny" in a user namespace makes setgroups(2) fail, and runc then leaves
 * the groups alone too. */
void exec_user_check_setgroups(struct exec_user *u, int procfd);

/* setgroups, setresgid, setresuid: in that order, each must succeed. Nothing about
 * capabilities: the caller handles PR_SET_KEEPCAPS and the capability sets around it. */
int user_apply(const struct exec_user *u, struct nsx_error *err);

void exec_user_done(struct exec_user *u);
DEFINE_STRUCT_CLEANUP_FUNC(struct exec_user, exec_user_done)

/* docker exec's environment: PATH (EXEC_DEFAULT_PATH), HOSTNAME and (term non-NULL) TERM
 * first, then config_env (the container's Config.Env), then overrides (-e), each replacing an
 * entry of the same name in place or appending; an entry without "=" removes the name (docker's
 * rule for "-e KEY" with KEY unset in the caller); HOME, from u, last when still unset.
 * config_env and overrides are NULL-terminated, or NULL. *ret_envp is NULL-terminated and owned
 * (exec_env_free). Nothing of our own environment is read. */
int exec_env_build(char *const *config_env, const char *hostname, const char *term, const struct exec_user *u,
                   char *const *overrides, char ***ret_envp, struct nsx_error *err);

void exec_env_free(char **envp);

static inline void exec_env_freep(char ***envp) {
        exec_env_free(*envp);
        *envp = NULL;
}
