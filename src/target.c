/* SPDX-License-Identifier: MIT */
/* Pinning and proving the target process. Between the engine's answer and our setns the
 * container may exit and its PID be reused: pin first, then prove, then enter through the pin. */
#include "target.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static int gone(const char *label, pid_t pid, struct nsx_error *err) {
        return nsx_error_target_gone(err, label, (int) pid);
}

static int proc_denied(const char *label, pid_t pid, int e, struct nsx_error *err) {
        nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot inspect PID %d of %s", (int) pid, label);
        nsx_error_hint(err, "docker-nsexec needs root, or CAP_SYS_ADMIN and CAP_SYS_PTRACE");
        return -e;
}

int target_pin(pid_t pid, const char *label, struct target *ret, struct nsx_error *err) {
        _cleanup_close_ int pidfd = -1, procfd = -1;
        char path[32];

        if (pid <= 0)
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH, "%s has no process (PID %d)", label, (int) pid);

        /* pidfd_open(2) gives an fd with O_CLOEXEC set. ENOSYS (before Linux 5.3): the /proc
         * dirfd alone pins the process for lookups. */
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0 && errno != ENOSYS) {
                if (errno == ESRCH)
                        return gone(label, pid, err);
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot pin PID %d of %s", (int) pid, label);
        }

        snprintf(path, sizeof(path), "/proc/%d", (int) pid);
        procfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (procfd < 0) {
                if (errno == ENOENT || errno == ESRCH)
                        return gone(label, pid, err);
                return proc_denied(label, pid, errno, err);
        }

        /* The PID could have been reused between the two opens. While the pidfd's process exists
         * (a zombie too) its PID cannot be reused, so both fds name the same process. */
        if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
                return gone(label, pid, err);

        *ret = (struct target){.pid = pid, .pidfd = TAKE_FD(pidfd), .procfd = TAKE_FD(procfd)};
        return 0;
}

int target_verify(const struct target *t, const char *id, uid_t engine_uid, struct cgroup_mounts *mounts,
                  const char *label, struct nsx_error *err) {
        _cleanup_(cgroup_mounts_donep) struct cgroup_mounts own = {};
        char buf[CGROUP_TEXT_MAX];
        struct cgroup_proof proof;
        size_t len;
        int r;

        r = cgroup_read_text(t->procfd, buf, sizeof(buf), &len);
        if (r == -ENOENT || r == -ESRCH)
                return gone(label, t->pid, err);
        if (r < 0)
                return proc_denied(label, t->pid, -r, err);
        r = cgroup_prove(buf, len, id, engine_uid, mounts ? mounts : &own, &proof, err);
        if (r < 0)
                return r;
        if (proof.verdict == CGROUP_PROVEN)
                return 1;

        /* A process that exited meanwhile takes its cgroup along: say that, not "forged". */
        if (t->pidfd >= 0 && syscall(SYS_pidfd_send_signal, t->pidfd, 0, NULL, 0) < 0 && errno == ESRCH)
                return gone(label, t->pid, err);
        switch (proof.verdict) {
        case CGROUP_MISPLACED:
                nsx_error_set(err, NSX_ERR_FAILED, EPERM,
                              "PID %d is not a process of %s (its cgroup %s is not where the engine puts it)",
                              (int) t->pid, label, proof.path);
                break;
        case CGROUP_NOT_MOUNTED:
                nsx_error_set(err, NSX_ERR_FAILED, EPERM,
                              "PID %d is not a process of %s (its cgroup %s is in no cgroup hierarchy mounted here)",
                              (int) t->pid, label, proof.path);
                break;
        case CGROUP_FOREIGN:
                nsx_error_set(err, NSX_ERR_FAILED, EPERM,
                              "PID %d is not a process of %s (its cgroup %s belongs to uid %u, not to the engine's "
                              "uid %u)",
                              (int) t->pid, label, proof.path, (unsigned) proof.owner, (unsigned) engine_uid);
                break;
        default:
                nsx_error_set(err, NSX_ERR_FAILED, EPERM,
                              "PID %d is not a process of %s (its cgroups do not name %.12s)", (int) t->pid, label, id);
                break;
        }
        nsx_error_hint(err, "is the engine in another PID namespace, or its cgroup layout unknown? "
                            "--no-verify skips this proof");
        return 0;
}

void target_done(struct target *t) {
        t->pidfd = safe_close(t->pidfd);
        t->procfd = safe_close(t->procfd);
}
