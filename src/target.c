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

#include "container.h"
#include "util.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define CGROUP_TEXT_MAX 65536

static int gone(const char *label, pid_t pid, struct nsx_error *err) {
        return nsx_error_target_gone(err, label, (int) pid);
}

static int proc_denied(const char *label, pid_t pid, int e, struct nsx_error *err) {
        nsx_error_set(err, NSX_ERR_ENTER, e, "cannot inspect PID %d of %s: %s", (int) pid, label, strerror(e));
        nsx_error_hint(err, "docker-nsexec needs root, or CAP_SYS_ADMIN and CAP_SYS_PTRACE");
        return -e;
}

int target_pin(pid_t pid, const char *label, struct target *ret, struct nsx_error *err) {
        _cleanup_close_ int pidfd = -1, procfd = -1;
        char path[32];

        if (pid <= 0)
                return nsx_error_set(err, NSX_ERR_ENTER, ESRCH, "%s has no process (PID %d)", label, (int) pid);

        /* pidfd_open(2) gives an fd with O_CLOEXEC set. ENOSYS (before Linux 5.3): the /proc
         * dirfd alone pins the process for lookups. */
        pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0 && errno != ENOSYS) {
                if (errno == ESRCH)
                        return gone(label, pid, err);
                return nsx_error_set(err, NSX_ERR_ENTER, errno, "cannot pin PID %d of %s: %s", (int) pid, label,
                                     strerror(errno));
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

        *ret = (struct target) {.pid = pid, .pidfd = TAKE_FD(pidfd), .procfd = TAKE_FD(procfd)};
        return 0;
}

static const char *const cgroup_prefixes[] = {"", "docker-", "libpod-", "cri-containerd-", "crio-"};

/* One path component: PREFIX ID, optionally followed by ".scope". Podman's conmon lives in
 * "libpod-conmon-ID": no prefix above matches it, and it is not the container. */
static bool component_names_id(const char *comp, size_t len, const char *id) {
        static const char scope[] = ".scope";
        size_t idlen = strlen(id);

        if (len > strlen(scope) && memcmp(comp + len - strlen(scope), scope, strlen(scope)) == 0)
                len -= strlen(scope);
        for (size_t i = 0; i < ELEMENTSOF(cgroup_prefixes); i++) {
                size_t plen = strlen(cgroup_prefixes[i]);

                if (len == plen + idlen && memcmp(comp, cgroup_prefixes[i], plen) == 0 &&
                    memcmp(comp + plen, id, idlen) == 0)
                        return true;
        }
        return false;
}

bool target_cgroup_names_id(const char *text, size_t len, const char *id) {
        const char *end = text + len;

        if (strlen(id) != CONTAINER_ID_LEN)
                return false;
        /* Lines are "hierarchy-ID:controllers:/path" (v1) or "0::/path" (v2). */
        for (const char *line = text; line < end;) {
                const char *eol = memchr(line, '\n', (size_t) (end - line));
                const char *path;

                if (!eol)
                        eol = end;
                path = memchr(line, ':', (size_t) (eol - line));
                path = path ? memchr(path + 1, ':', (size_t) (eol - path - 1)) : NULL;
                if (path) {
                        for (const char *c = path + 1; c < eol;) {
                                const char *slash = memchr(c, '/', (size_t) (eol - c));
                                const char *cend = slash ? slash : eol;

                                if (component_names_id(c, (size_t) (cend - c), id))
                                        return true;
                                c = cend + 1;
                        }
                }
                line = eol + 1;
        }
        return false;
}

int target_verify(const struct target *t, const char *id, const char *label, struct nsx_error *err) {
        _cleanup_close_ int fd = -1;
        char buf[CGROUP_TEXT_MAX];
        size_t len = 0;
        ssize_t n;

        fd = openat(t->procfd, "cgroup", O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT || errno == ESRCH)
                        return gone(label, t->pid, err);
                return proc_denied(label, t->pid, errno, err);
        }
        while (len < sizeof(buf) && (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == ESRCH)
                                return gone(label, t->pid, err);
                        return proc_denied(label, t->pid, errno, err);
                }
                len += (size_t) n;
        }

        if (!target_cgroup_names_id(buf, len, id)) {
                nsx_error_set(err, NSX_ERR_ENTER, EPERM, "PID %d is not a process of %s (its cgroups do not name %.12s)",
                              (int) t->pid, label, id);
                nsx_error_hint(err, "is the engine in another PID namespace, or its cgroup layout unknown? "
                                    "--no-verify skips this proof");
                return -EPERM;
        }
        return 0;
}

void target_done(struct target *t) {
        closep(&t->pidfd);
        closep(&t->procfd);
        t->pidfd = t->procfd = -1;
}
