/* SPDX-License-Identifier: MIT */
/* The container's network view: ip netns exec's private mount namespace and fresh sysfs, with
 * the container's resolv.conf and hosts (from the engine) in place of /etc/netns/NAME. */
#include "view.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "enter.h"
#include "util.h"

bool view_applies(unsigned joined) {
        return (joined & ENTER_NS_NET) && !(joined & ENTER_NS_MNT);
}

static int prepare_file(const char *path, const char *target, const char *label, struct view_file *ret,
                        struct nsx_error *err) {
        _cleanup_close_ int fd = -1;
        struct stat st;
        int tree;

        *ret = (struct view_file) {.tree_fd = -1};
        if (!path || !path[0])
                return 0;

        /* O_PATH|O_NOFOLLOW opens a final symlink itself instead of following it: the check
         * below then refuses it. Symlinks higher up are the daemon's own directories (a moved
         * data-root is commonly one) and are followed. */
        fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                ret->missing = true;
                return 0;
        }
        if (fd < 0)
                return nsx_error_set(err, NSX_ERR_ENTER, errno, "cannot open the %s of %s at '%s': %s", target, label,
                                     path, strerror(errno));
        if (fstat(fd, &st) < 0)
                return nsx_error_set(err, NSX_ERR_ENTER, errno, "cannot open the %s of %s at '%s': %s", target, label,
                                     path, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return nsx_error_set(err, NSX_ERR_ENTER, EINVAL, "refusing the %s of %s: '%s' is %s", target, label,
                                     path, S_ISLNK(st.st_mode) ? "a symlink" : "not a regular file");

        /* A bind mount's source must be in the caller's mount namespace, and the view's is made
         * later, so bind a detached clone of this very file, made now (Linux 5.2). */
        tree = open_tree(fd, "", AT_EMPTY_PATH | OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0) {
                int e = errno;

                nsx_error_set(err, NSX_ERR_ENTER, e, "cannot bind the %s of %s: open_tree: %s", target, label,
                              e == ENOSYS ? "not supported by this kernel (Linux 5.2 or later)" : strerror(e));
                nsx_error_hint(err, "--host-dns keeps the host's /etc/resolv.conf and /etc/hosts");
                return -e;
        }
        ret->tree_fd = tree;
        return 0;
}

int view_prepare(const char *resolv_conf_path, const char *hosts_path, const char *label, struct view *ret,
                 struct nsx_error *err) {
        struct view v = VIEW_NULL;
        int r;

        r = prepare_file(resolv_conf_path, "/etc/resolv.conf", label, &v.resolv_conf, err);
        if (r >= 0)
                r = prepare_file(hosts_path, "/etc/hosts", label, &v.hosts, err);
        if (r < 0) {
                view_done(&v);
                return r;
        }
        *ret = v;
        return 0;
}

static int view_error(int e, const char *what, struct nsx_error *err) {
        return nsx_error_set(err, NSX_ERR_ENTER, e, "cannot set up the container's network view: %s: %s", what,
                             strerror(e));
}

static int bind_file(const struct view_file *f, const char *target, struct nsx_error *err) {
        char what[64];

        if (f->tree_fd < 0)
                return 0;
        /* Follow a symlinked /etc/resolv.conf (systemd-resolved's) as mount(8) would: the
         * mount lands on the file the host's tools read, in our namespace only. */
        if (move_mount(f->tree_fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS) < 0) {
                int r;

                snprintf(what, sizeof(what), "bind over %s", target);
                r = view_error(errno, what, err);
                nsx_error_hint(err, "--host-dns keeps the host's /etc/resolv.conf and /etc/hosts");
                return r;
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
                closep(&subs[i].tree_fd);
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
        return mount_sysfs(err);
}

void view_done(struct view *view) {
        closep(&view->resolv_conf.tree_fd);
        closep(&view->hosts.tree_fd);
        view->resolv_conf.tree_fd = view->hosts.tree_fd = -1;
}
