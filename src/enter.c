/* SPDX-License-Identifier: MIT */
/* setns(2), fork only where a namespace demands it, and execvp(3). Without a PID or time
 * namespace there is no fork: the command becomes this process, its exit status and signals
 * the caller's own. */
#include "enter.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"
#include "view.h"

/* nsenter's order, the bits' (enum enter_ns): the i-th joined is bit i. The user namespace
 * comes first but is joined in a second pass when joining through fds: entering it first would
 * drop the privilege needed for the others when we are already privileged; a failure in the
 * first pass is retried after it. The mount namespace comes late so /proc lookups stay the
 * host's until then. With a pidfd the kernel joins all of them at once and takes care of the
 * order itself. */
static const struct ns_kind *join_order(size_t i) {
        return ns_by_bit(1u << i);
}

static int privilege_error(const struct enter_request *req, int e, const char *what, struct nsx_error *err) {
        nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot enter the %s namespace of %s (PID %d)", what, req->label,
                            (int) req->pid);
        nsx_error_hint(err, "docker-nsexec needs root, or CAP_SYS_ADMIN and CAP_SYS_PTRACE");
        return -e;
}

static int setns_error(const struct enter_request *req, int e, const char *what, struct nsx_error *err) {
        if (e == ESRCH || e == ENOENT)
                return nsx_error_target_gone(err, req->label, (int) req->pid);
        if (e == EPERM || e == EACCES)
                return privilege_error(req, e, what, err);
        return nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot enter the %s namespace of %s (PID %d)", what,
                                   req->label, (int) req->pid);
}

/* Which of the requested namespaces differ from ours. Joining one we are already in is a
 * no-op at best (EINVAL for the user namespace): leave those out. A namespace the kernel
 * lacks is an error when asked for by name, and simply absent for --all.
 *
 * The mount namespace brings the user namespace with it (user_with_mount): a container in its
 * own user namespace (userns-remap, rootless engines, Podman --uidmap) owns its mounts from
 * there, and its files are its own root's, not the host's. Entering its mounts as host root
 * would hand its binaries our uid 0 and capabilities over the host. */
static int namespaces_to_join(const struct enter_request *req, unsigned *ret_mask, struct nsx_error *err) {
        unsigned want = req->all ? ENTER_NS_ALL : req->namespaces;
        unsigned implied = 0, mask = 0;

        if (req->user_with_mount && (want & ENTER_NS_MNT) && !(want & ENTER_NS_USER))
                implied = ENTER_NS_USER;
        want |= implied;

        for (size_t i = 0; i < NS_COUNT; i++) {
                const struct ns_kind *ns = join_order(i);
                struct stat theirs, ours;
                char path[32];
                bool have_ours;

                if (!(want & ns->bit))
                        continue;
                snprintf(path, sizeof(path), "/proc/self/ns/%s", ns->proc_name);
                have_ours = stat(path, &ours) == 0;
                snprintf(path, sizeof(path), "ns/%s", ns->proc_name);
                if (fstatat(req->procfd, path, &theirs, 0) < 0) {
                        /* A kernel without this namespace type has no link for us either; a
                         * link that only the target lacks means it is exiting right now. */
                        if (errno == ENOENT && !have_ours) {
                                if (req->all || (implied & ns->bit))
                                        continue;
                                return nsx_error_set(err, NSX_ERR_FAILED, ENOENT, "this kernel has no %s namespaces",
                                                     ns->what);
                        }
                        return setns_error(req, errno == ENOENT ? ESRCH : errno, ns->what, err);
                }
                if (have_ours && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino)
                        continue;
                mask |= ns->bit;
        }
        *ret_mask = mask;
        return 0;
}

static int clone_flags(unsigned mask) {
        int flags = 0;

        for (size_t i = 0; i < NS_COUNT; i++)
                if (mask & ns_table[i].bit)
                        flags |= ns_table[i].clone_flag;
        return flags;
}

/* Kernels before 5.8: one setns per namespace fd, opened through the pinned /proc/PID. */
static int join_through_fds(const struct enter_request *req, unsigned mask, struct nsx_error *err) {
        int fds[NS_COUNT];
        int r = 0;

        /* fds[i] is for join_order(i). */
        for (size_t i = 0; i < NS_COUNT; i++) {
                char path[32];

                fds[i] = -1;
                if (!(mask & join_order(i)->bit))
                        continue;
                snprintf(path, sizeof(path), "ns/%s", join_order(i)->proc_name);
                fds[i] = openat(req->procfd, path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0) {
                        r = setns_error(req, errno, join_order(i)->what, err);
                        goto out;
                }
        }

        /* Pass 0 skips the user namespace and tolerates failures; pass 1 joins it and retries. */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < NS_COUNT; i++) {
                        if (fds[i] < 0 || (pass == 0 && join_order(i)->bit == ENTER_NS_USER))
                                continue;
                        if (setns(fds[i], join_order(i)->clone_flag) < 0) {
                                if (pass == 0)
                                        continue;
                                r = setns_error(req, errno, join_order(i)->what, err);
                                goto out;
                        }
                        fds[i] = safe_close(fds[i]);
                }
        }
out:
        for (size_t i = 0; i < NS_COUNT; i++)
                safe_close(fds[i]);
        return r;
}

/* In a joined user namespace, become its root, as nsenter does: the container's view of uid 0. */
static int become_ns_root(struct nsx_error *err) {
        if (setgroups(0, NULL) < 0 && errno != EPERM)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot drop supplementary groups");
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot become root in the user namespace");
        return 0;
}

static int change_dir(const char *wd, int root_fd, int cwd_fd, struct nsx_error *err) {
        /* In a joined mount namespace, root and cwd are the container's (fds opened before the
         * join); the host's cwd is never carried in. */
        if (root_fd >= 0) {
                if (fchdir(root_fd) < 0 || chroot(".") < 0)
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot change root to the container's");
                if (!wd && fchdir(cwd_fd) < 0)
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno,
                                                   "cannot change to the container's working directory");
        }
        if (wd && chdir(wd) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot change directory to '%s'%s", wd,
                                           root_fd >= 0 ? " in the container" : "");
        return 0;
}

/* The signals the parent waits for: every one it can block. SIGCHLD says the child changed
 * state; all the others are passed on to it (enter_continue_as_child). One left out would kill
 * the parent (SIGUSR1's default) and leave the command running on, as root, under the
 * container's init.
 * Job control still works: SIGTSTP, SIGTTIN and SIGTTOU no longer stop the parent itself, but
 * the child stops (the terminal's reach it directly, a kill's are forwarded) and the parent
 * follows it (WUNTRACED); SIGCONT continues a stopped process even while it is blocked.
 * sigfillset leaves out glibc's two internal real-time signals; SIGKILL and SIGSTOP cannot be
 * blocked, and a fault (SIGSEGV...) of our own is delivered whatever the mask. */
static void wait_signals(sigset_t *set) {
        sigfillset(set);
        sigdelset(set, SIGKILL);
        sigdelset(set, SIGSTOP);
}

int enter_die_with_parent(pid_t ppid, struct nsx_error *err) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "prctl(PR_SET_PDEATHSIG)");
        /* A parent that died before the prctl sends nothing: we were reparented already. */
        if (getppid() != ppid)
                return nsx_error_set(err, NSX_ERR_FAILED, ESRCH,
                                     "the parent docker-nsexec process exited before the command could start");
        return 0;
}

int enter_namespaces(const struct enter_request *req, enum enter_role *ret_role, pid_t *ret_child,
                     struct nsx_error *err) {
        _cleanup_close_ int root_fd = -1, cwd_fd = -1;
        unsigned mask = 0;
        pid_t child;
        int r;

        r = namespaces_to_join(req, &mask, err);
        if (r < 0)
                return r;

        if (mask & ENTER_NS_MNT) {
                root_fd = openat(req->procfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
                cwd_fd = openat(req->procfd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0 || cwd_fd < 0)
                        return setns_error(req, errno, ns_by_bit(ENTER_NS_MNT)->what, err);
        }

        /* Once in the container's PID or mount namespace, its processes could ptrace us or read
         * our memory through /proc (runc's CVE-2016-9962): not dumpable from here on. */
        if ((mask & (ENTER_NS_PID | ENTER_NS_MNT)) && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "prctl(PR_SET_DUMPABLE)");

        if (mask == 0)
                r = 0;
        else if (req->pidfd >= 0) {
                /* setns(pidfd) (Linux 5.8) joins them all at once, or none. */
                if (setns(req->pidfd, clone_flags(mask)) == 0)
                        r = 0;
                else if (errno == EINVAL)
                        r = join_through_fds(req, mask, err); /* a pidfd setns the kernel lacks */
                else
                        r = setns_error(req, errno, "requested", err);
        } else
                r = join_through_fds(req, mask, err);
        if (r < 0)
                return r;

        if ((mask & ENTER_NS_USER) && (r = become_ns_root(err)) < 0)
                return r;
        /* After the network join, before any fork: the sysfs mounted now is the container's
         * network's, and a PID namespace child inherits the view. */
        if (req->view && view_applies(mask) && (r = view_enter(req->view, err)) < 0)
                return r;
        r = change_dir(req->wd, root_fd, cwd_fd, err);
        if (r < 0)
                return r;

        if (!(mask & (ENTER_NS_PID | ENTER_NS_TIME))) {
                *ret_role = ENTER_EXEC;
                return 0;
        }

        /* The parent takes SIGCHLD and the forwarded signals synchronously
         * (enter_continue_as_child): block them before the fork so none is lost in between; the
         * child restores the mask. An inherited SIG_IGN for SIGCHLD would reap the child behind
         * our back. */
        sigset_t set, old;
        /* Our PID as the child will see it: none (0) from inside a PID namespace we are not in. */
        pid_t ppid = (mask & ENTER_NS_PID) ? 0 : getpid();

        signal(SIGCHLD, SIG_DFL);
        wait_signals(&set);
        sigprocmask(SIG_BLOCK, &set, &old);
        child = fork();
        if (child < 0) {
                r = nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "fork");
                sigprocmask(SIG_SETMASK, &old, NULL);
                return r;
        }
        if (child == 0) {
                /* Dies with the parent: SIGKILL, however the parent ends, so the command never
                 * runs on unwatched. First, while every signal is still blocked. */
                r = enter_die_with_parent(ppid, err);
                if (r < 0)
                        return r;
                sigprocmask(SIG_SETMASK, &old, NULL);
        }
        *ret_role = child == 0 ? ENTER_CHILD : ENTER_PARENT;
        *ret_child = child;
        return 0;
}

/* Ends as the child did: the same exit code, or killed by the same signal, re-raised on
 * ourselves (so the caller's shell sees it). */
static int mirror_status(int status) {
        if (WIFSIGNALED(status)) {
                int sig = WTERMSIG(status);
                sigset_t set;

                signal(sig, SIG_DFL);
                sigemptyset(&set);
                sigaddset(&set, sig);
                sigprocmask(SIG_UNBLOCK, &set, NULL);
                raise(sig);
                return 128 + sig; /* a signal whose default is not to terminate */
        }
        return WEXITSTATUS(status);
}

int enter_continue_as_child(pid_t child, int *ret_exit, struct nsx_error *err) {
        sigset_t set;
        siginfo_t si;
        int status;

        /* Blocked by enter_namespaces before the fork, and kept blocked (but the child's own
         * signal, at the end): a signal still pending must not kill us before the child's
         * status is mirrored. */
        wait_signals(&set);

        for (;;) {
                pid_t p = waitpid(child, &status, WNOHANG | WUNTRACED | WCONTINUED);

                if (p < 0 && errno != EINTR)
                        return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "waitpid");
                if (p == child) {
                        if (WIFEXITED(status) || WIFSIGNALED(status))
                                break;
                        if (WIFSTOPPED(status)) {
                                /* Stop with it, so the shell sees the job stop; when we are
                                 * continued, continue it (nsenter's continue_as_child). */
                                raise(SIGSTOP);
                                kill(child, SIGCONT);
                        }
                        continue;
                }
                if (sigwaitinfo(&set, &si) < 0)
                        continue;
                /* A signal from the terminal reached the child's process group already;
                 * only one sent to us alone (kill, a supervisor) needs passing on. */
                if (si.si_signo != SIGCHLD && si.si_code <= 0)
                        kill(child, si.si_signo);
        }
        *ret_exit = mirror_status(status);
        return 0;
}

int enter_exec(char *const *argv, struct nsx_error *err) {
        int e;

        execvp(argv[0], argv);
        e = errno;
        /* The shell's convention, as nsenter follows it: 127 when there is nothing to run, 126
         * when it exists but cannot be run. */
        if (e == ENOENT || e == ENOTDIR) {
                if (!strchr(argv[0], '/'))
                        return nsx_error_set(err, NSX_ERR_EXEC_NOTFOUND, e, "%s: command not found", argv[0]);
                return nsx_error_set_errno(err, NSX_ERR_EXEC_NOTFOUND, e, "cannot run %s", argv[0]);
        }
        return nsx_error_set_errno(err, NSX_ERR_EXEC, e, "cannot run %s", argv[0]);
}
