/* SPDX-License-Identifier: MIT */
/* Confinement: the container's own capability sets, no_new_privs, LSM label and seccomp filters,
 * read from its pinned process on the host and applied to a command that comes from its files. */
#pragma once

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "target.h"
#include "util.h"

struct exec_user; /* the `user` module's: who the command runs as (--user, Config.User) */

/* What /proc/PID/status says about a process's confinement. */
struct confine_status {
        uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
        bool no_new_privs;
        int seccomp_mode;         /* 0 disabled, 1 strict, 2 filter; 0 too on a kernel without seccomp */
        bool have_seccomp;        /* the kernel has seccomp (a "Seccomp:" line) */
        bool have_filter_count;   /* Linux 5.9+: a "Seccomp_filters:" line */
        unsigned seccomp_filters; /* how many filters, when have_filter_count */
        int tracer_pid;           /* TracerPid: who traces it, 0 if nobody */
};

/* The text of /proc/PID/status, untrusted (a process names itself): every line read needs its
 * exact form, none may come twice, and the capability sets, NoNewPrivs and TracerPid must be
 * there. Returns 0 or -EINVAL (*ret is then untouched). */
int confine_parse_status(const char *text, size_t len, struct confine_status *ret);

/* Which LSM a label (the text of /proc/PID/attr/current) belongs to, and so how to ask for it. */
enum confine_lsm {
        CONFINE_LSM_NONE,     /* no LSM active, or the target is not confined by one */
        CONFINE_LSM_APPARMOR, /* "PROFILE (MODE)": write "exec PROFILE" */
        CONFINE_LSM_SELINUX,  /* "user:role:type:level": write it as it is */
};

#define CONFINE_LABEL_MAX 256

/* The LSM decision, pure: from the read of the target's attr/current (rc 0 and its bytes, or the
 * errno the read failed with) and of our own, what to write to /proc/thread-self/attr/exec.
 * Nothing (CONFINE_LSM_NONE) where no LSM is active (EINVAL, ENOENT, EOPNOTSUPP), where the
 * target is "unconfined", or where its label is already ours. A label of neither form, or an
 * unexpected error, is -EINVAL or the error: it is refused, never skipped. ret_text gets the
 * bytes to write (NUL-terminated) for a label to apply. */
int confine_lsm_decide(int target_errno, const char *target, size_t target_len, int self_errno, const char *self,
                       size_t self_len, enum confine_lsm *ret_kind, char ret_text[CONFINE_LABEL_MAX]);

/* One seccomp filter as PTRACE_SECCOMP_GET_FILTER gave it: classic BPF instructions. */
struct confine_filter {
        struct sock_filter *insns;
        unsigned short len;
        unsigned long flags; /* SECCOMP_FILTER_FLAG_LOG, when PTRACE_SECCOMP_GET_METADATA says so */
};

/* Everything confine_apply needs, in plain memory: nothing here refers to the host's files but
 * proc_fd, and that only where an LSM label is to be set. */
struct confinement {
        struct confine_status status;
        struct confine_filter *filters; /* oldest first: the order to install them in */
        size_t n_filters;
        enum confine_lsm lsm;
        char lsm_exec[CONFINE_LABEL_MAX]; /* what to write to attr/exec, for lsm != NONE */
        int proc_fd;                      /* the host's /proc (O_PATH), for lsm != NONE; else -1 */
        /* The kernel could not give the target's seccomp filter (no CONFIG_CHECKPOINT_RESTORE,
         * ptrace barred by the host...): the command runs without it. main says so, once. */
        char warning[256];
};

#define CONFINEMENT_NULL ((struct confinement){.proc_fd = -1})

/* On the host, after target_pin and target_verify, before any setns: reads the target's
 * capability sets, no_new_privs and seccomp mode (from the pinned /proc/PID), its LSM label and
 * its seccomp filters (PTRACE_SEIZE, PTRACE_INTERRUPT, PTRACE_SECCOMP_GET_FILTER, detach). What
 * the container can cause to go wrong (a tracer already attached, strict seccomp, a process that
 * does not stop) is an error: the caller refuses unless told --privileged. label names the target
 * in messages ("container 'web'"). */
int confine_prepare(const struct target *t, const char *label, struct confinement *ret, struct nsx_error *err);

/* In the process about to exec, after every setns, chroot and chdir: makes this process's
 * credentials the target's (the order is explained in confine.c), switching to user u on the
 * way (NULL: stay who we are). parent >= 0: this is the child of a waiting parent, whose
 * getppid() that is (enter_die_with_parent), and its death signal is set again after the user
 * switch. Verifies the result and fails closed. */
int confine_apply(const struct confinement *c, const struct exec_user *u, pid_t parent, struct nsx_error *err);

/* Observed credentials, for the pure check below. */
struct confine_observed {
        uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
        int no_new_privs; /* PR_GET_NO_NEW_PRIVS's answer */
};

/* Pure: do the credentials read back equal those asked for? The sentinel is what the capget
 * buffer held before the call: a value still equal to it was never written. Returns 0, or
 * -EPERM with *ret_what naming the first set that disagrees. */
int confine_check(const struct confine_status *want, const struct confine_observed *got, uint64_t sentinel,
                  const char **ret_what);

void confine_done(struct confinement *c);
DEFINE_STRUCT_CLEANUP_FUNC(struct confinement, confine_done)

/* Our own privileges, for a process that lives on (--forward): keeps only the capabilities in
 * keep (bits of CAP_*) permitted and effective, only those in bounding in the bounding set, none
 * inheritable or ambient, and sets no_new_privs. Needs CAP_SETPCAP for the bounding set. */
int confine_keep(uint64_t keep, uint64_t bounding, struct nsx_error *err);
