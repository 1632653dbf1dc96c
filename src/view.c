/* SPDX-License-Identifier: MIT */
/* The container's network view: ip netns exec's private mount namespace and fresh sysfs, with
 * the container's resolv.conf and hosts (from the engine) in place of /etc/netns/NAME. */
#include "view.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "compat.h"
#include "fs.h"
#include "ns.h"
#include "util.h"

bool view_applies(unsigned joined) {
        return (joined & ENTER_NS_NET) && !(joined & ENTER_NS_MNT);
}

/* Component by component from /, each opened O_PATH|O_NOFOLLOW and looked at before the next is
 * looked up in it: what openat2's RESOLVE_NO_SYMLINKS does in one call. Each step is relative
 * to the directory already opened, so renaming a component meanwhile cannot slip a symlink in. */
static int walk_nofollow(const char *path, int *ret_fd) {
        _cleanup_close_ int dir = -1;
        const char *p = path;

        dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir < 0)
                return -errno;
        for (;;) {
                char name[NAME_MAX + 1];
                struct stat st;
                size_t len;
                bool last;
                int fd;

                p += strspn(p, "/");
                len = strcspn(p, "/");
                if (len == 0)
                        break; /* "/" itself */
                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, p, len);
                name[len] = '\0';
                p += len;
                last = p[strspn(p, "/")] == '\0';

                fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                safe_close(dir);
                dir = fd;
                /* The last component is the caller's to judge, a symlink included (O_NOFOLLOW
                 * opened the link itself), unless a trailing slash asks for a directory. */
                if (last && *p == '\0')
                        break;
                if (fstat(dir, &st) < 0)
                        return -errno;
                if (S_ISLNK(st.st_mode))
                        return -ELOOP;
                if (!S_ISDIR(st.st_mode))
                        return -ENOTDIR;
                if (last)
                        break;
        }
        *ret_fd = TAKE_FD(dir);
        return 0;
}

int view_open_nofollow(const char *path, enum view_resolve how, int *ret_fd) {
        int fd;

        if (path[0] != '/')
                return -EINVAL;
        if (how == VIEW_RESOLVE_AUTO) {
                /* A symlink in any component fails with ELOOP; O_PATH|O_NOFOLLOW opens a final
                 * one itself instead. Magic links (/proc/PID/fd/N) are symlinks too. */
                fd = fs_openat2(AT_FDCWD, path, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
                if (fd >= 0) {
                        *ret_fd = fd;
                        return 0;
                }
                /* ENOSYS: Linux < 5.6; EPERM: a seccomp filter that does not know the call
                 * (older container runtimes', should we run in a container). The walk is as
                 * strict, in more system calls. */
                if (fd != -ENOSYS && fd != -EPERM)
                        return fd;
        }
        return walk_nofollow(path, ret_fd);
}

static int refuse(struct nsx_error *err, int e, const char *target, const char *label, const char *path,
                  const char *why) {
        return nsx_error_set(err, NSX_ERR_FAILED, e, "refusing the %s of %s: '%s' %s", target, label, path, why);
}

static int prepare_file(const char *path, const char *target, const char *label, struct view_file *ret,
                        struct nsx_error *err) {
        _cleanup_close_ int fd = -1, tree = -1;
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY, .propagation = MS_PRIVATE};
        struct statfs sf;
        struct stat st;
        const char *fs;
        char why[64];
        int r;

        *ret = (struct view_file){.tree_fd = -1};
        if (!path || !path[0])
                return 0;
        if (path[0] != '/')
                return refuse(err, EINVAL, target, label, path, "is not an absolute path");

        /* The path is the engine's word: no symlink in any component is followed, not even
         * one of the engine's own directories (Docker reports its data-root with symlinks
         * resolved already; an engine that does not is refused, and --host-dns remains). */
        r = view_open_nofollow(path, VIEW_RESOLVE_AUTO, &fd);
        if (r == -ENOENT) {
                ret->missing = true;
                return 0;
        }
        if (r == -ELOOP)
                return refuse(err, ELOOP, target, label, path, "goes through a symlink");
        if (r < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, -r, "cannot open the %s of %s at '%s'", target, label,
                                           path);
        if (fstat(fd, &st) < 0 || fstatfs(fd, &sf) < 0)
                return nsx_error_set_errno(err, NSX_ERR_FAILED, errno, "cannot open the %s of %s at '%s'", target,
                                           label, path);
        if (S_ISLNK(st.st_mode))
                return refuse(err, EINVAL, target, label, path, "is a symlink");
        if (!S_ISREG(st.st_mode))
                return refuse(err, EINVAL, target, label, path, "is not a regular file");
        fs = fs_kernel_filesystem((long) sf.f_type);
        if (fs) {
                snprintf(why, sizeof(why), "is on %s, a kernel filesystem", fs);
                return refuse(err, EINVAL, target, label, path, why);
        }

        /* ip netns exec carries on where the host has nothing to cover: a dangling symlink
         * (systemd-resolved's stub while it is not running) stays as it is; -v says so. */
        if (lstat(target, &st) == 0 && S_ISLNK(st.st_mode) && stat(target, &st) < 0 && errno == ENOENT) {
                ret->host_dangling = true;
                return 0;
        }

        /* A bind mount's source must be in the caller's mount namespace, and the view's is made
         * later, so bind a detached clone of this very file, made now (Linux 5.2). */
        tree = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0) {
                int e = errno;

                if (e == ENOSYS)
                        nsx_error_set(err, NSX_ERR_FAILED, e,
                                      "cannot bind the %s of %s: open_tree: not supported by this kernel (Linux 5.2 or "
                                      "later)",
                                      target, label);
                else
                        nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot bind the %s of %s: open_tree", target,
                                            label);
                nsx_error_hint(err, "--host-dns keeps the host's /etc/resolv.conf and /etc/hosts");
                return -e;
        }
        /* The clone is a peer of the file's mount: on a shared data-root (dockerd makes its
         * own shared) a mount on it would propagate to the host's. Private before it is
         * attached anywhere, and read-only: the view shows the container's file, it does not
         * edit it. Linux < 5.12 has no mount_setattr: bind_file does both by path. */
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
                int e = errno;

                if (e != ENOSYS && e != EPERM) {
                        nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot bind the %s of %s: mount_setattr", target,
                                            label);
                        nsx_error_hint(err, "--host-dns keeps the host's /etc/resolv.conf and /etc/hosts");
                        return -e;
                }
                ret->remount = true;
        }
        ret->tree_fd = TAKE_FD(tree);
        return 0;
}

int view_prepare(const char *resolv_conf_path, const char *hosts_path, const char *label, struct view *ret,
                 struct nsx_error *err) {
        _cleanup_(view_donep) struct view v = VIEW_NULL;
        int r;

        r = prepare_file(resolv_conf_path, "/etc/resolv.conf", label, &v.resolv_conf, err);
        if (r >= 0)
                r = prepare_file(hosts_path, "/etc/hosts", label, &v.hosts, err);
        if (r < 0)
                return r;
        *ret = TAKE_STRUCT(v, VIEW_NULL);
        return 0;
}

static int view_error(int e, const char *what, struct nsx_error *err) {
        return nsx_error_set_errno(err, NSX_ERR_FAILED, e, "cannot set up the container's network view: %s", what);
}

static int bind_file(const struct view_file *f, const char *target, struct nsx_error *err) {
        char what[64];
        int r;

        if (f->tree_fd < 0)
                return 0;
        /* Follow a symlinked /etc/resolv.conf (systemd-resolved's) as mount(8) would: the
         * mount lands on the file the host's tools read, in our namespace only. */
        if (move_mount(f->tree_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS) < 0) {
                snprintf(what, sizeof(what), "bind over %s", target);
                r = view_error(errno, what, err);
                nsx_error_hint(err, "--host-dns keeps the host's /etc/resolv.conf and /etc/hosts");
                return r;
        }
        if (!f->remount)
                return 0;
        /* Linux < 5.12: private and read-only now, by the path move_mount just followed, before
         * anything runs here (until then the clone shares the host's peer group: nothing is
         * mounted on it meanwhile, and view_enter's last step makes every mount a slave). */
        if (mount(NULL, target, NULL, MS_PRIVATE, NULL) < 0) {
                snprintf(what, sizeof(what), "make %s private", target);
                return view_error(errno, what, err);
        }
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
                snprintf(what, sizeof(what), "make %s read-only", target);
                return view_error(errno, what, err);
        }
        return 0;
}

/* Mounts directly below /sys (the cgroup hierarchies, debugfs, tracefs, bpf) are not part of a
 * fresh sysfs: ip netns exec loses them (dockerd, cgroup tools and tracers then fail). Clone
 * each one, with what is below it, to put it back on the new sysfs. At most this many. */
#define SYS_SUBMOUNTS_MAX 32

struct sys_submount {
        char path[256];
        int tree_fd;
};

/* Reads our mountinfo for the topmost mount on /sys and its direct children; fills at most
 * SYS_SUBMOUNTS_MAX of their mount points. Mount points with escaped characters are left out. */
static size_t sys_children(struct sys_submount *out) {
        _cleanup_free_ char *line = NULL;
        size_t cap = 0, n = 0;
        unsigned long sys_id = 0;
        bool have_sys = false;
        FILE *f;

        /* mountinfo lists mounts in the order they were made: a parent before its children,
         * and the latest mount on /sys is the topmost one. */
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return 0;
        while (getline(&line, &cap, f) > 0) {
                unsigned long id, parent;
                char point[sizeof(out->path)];
                size_t len;
                int off = 0;

                /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT ...": a mount point too long for us is
                 * skipped whole, never cut short into another path. */
                if (sscanf(line, "%lu %lu %*s %*s %n", &id, &parent, &off) != 2 || off == 0)
                        continue;
                len = strcspn(line + off, " \n");
                if (len == 0 || len >= sizeof(point))
                        continue;
                memcpy(point, line + off, len);
                point[len] = '\0';
                if (streq(point, "/sys")) {
                        sys_id = id;
                        have_sys = true;
                        n = 0; /* a later mount on /sys hides the earlier one's children */
                        continue;
                }
                if (!have_sys || parent != sys_id || strchr(point, '\\') || n >= SYS_SUBMOUNTS_MAX)
                        continue;
                snprintf(out[n].path, sizeof(out[n].path), "%s", point);
                out[n].tree_fd = -1;
                n++;
        }
        fclose(f);
        return n;
}

static int mount_sysfs(struct nsx_error *err) {
        struct sys_submount subs[SYS_SUBMOUNTS_MAX];
        unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
        struct statvfs sv;
        size_t n;
        int r = 0;

        n = sys_children(subs);
        for (size_t i = 0; i < n; i++)
                subs[i].tree_fd = open_tree(AT_FDCWD, subs[i].path, OPEN_TREE_CLONE | AT_RECURSIVE | OPEN_TREE_CLOEXEC);

        /* A read-only /sys (we may run in a container ourselves) stays read-only. The kernel
         * gives every sysfs mount of one network namespace the same superblock: where the
         * container's is read-only (Docker's default), ours is too, whatever these flags. */
        if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
                flags |= MS_RDONLY;
        /* Detach the host's sysfs so the new one is not stacked on it; where that is refused
         * (in a joined user namespace the host's mounts are locked), mounting over it hides it
         * just as well. */
        (void) umount2("/sys", MNT_DETACH);
        /* sysfs shows the network devices of the namespace that mounts it: ours, now the
         * container's. */
        if (mount("sysfs", "/sys", "sysfs", flags, NULL) < 0)
                r = view_error(errno, "mount sysfs on /sys", err);

        /* Best effort: a mount point the new sysfs lacks stays empty. */
        for (size_t i = 0; i < n; i++) {
                if (r == 0 && subs[i].tree_fd >= 0)
                        (void) move_mount(subs[i].tree_fd, "", AT_FDCWD, subs[i].path, MOVE_MOUNT_F_EMPTY_PATH);
                subs[i].tree_fd = safe_close(subs[i].tree_fd);
        }
        return r;
}

int view_enter(const struct view *view, struct nsx_error *err) {
        int r;

        if (unshare(CLONE_NEWNS) < 0)
                return view_error(errno, "unshare(CLONE_NEWNS)", err);
        /* A copy of a shared mount would pass our mounts back to the host: receive only. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return view_error(errno, "make / a slave mount", err);

        r = bind_file(&view->resolv_conf, "/etc/resolv.conf", err);
        if (r < 0)
                return r;
        r = bind_file(&view->hosts, "/etc/hosts", err);
        if (r < 0)
                return r;
        r = mount_sysfs(err);
        if (r < 0)
                return r;
        /* The guarantee in one place, whatever each mount's origin (the files' clones, the new
         * sysfs, the submounts carried over): no mount of the view is shared, so nothing the
         * command mounts on, or below, any of them reaches the host. Private mounts stay
         * private; the rest receive the host's new mounts and send none. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return view_error(errno, "make the view's mounts slaves", err);
        return 0;
}

void view_done(struct view *view) {
        view->resolv_conf.tree_fd = safe_close(view->resolv_conf.tree_fd);
        view->hosts.tree_fd = safe_close(view->hosts.tree_fd);
}
