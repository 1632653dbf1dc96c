/* SPDX-License-Identifier: MIT */
/* Unit tests: when the network view applies, and how the engine's file paths are checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"
#include "ns.h"
#include "util.h"
#include "view.h"

/* Whether this kernel (or valgrind, which does not know the call) has open_tree(2). Without it
 * the view cannot be made, and view_prepare must say so. */
static bool have_open_tree(void) {
        int fd = (int) syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLOEXEC);

        if (fd >= 0)
                close(fd);
        return fd >= 0 || errno != ENOSYS;
}

static void test_applies(void **state) {
        (void) state;
        /* Net-only entry, alone or with namespaces that do not touch files. */
        assert_true(view_applies(ENTER_NS_NET));
        assert_true(view_applies(ENTER_NS_NET | ENTER_NS_UTS | ENTER_NS_IPC | ENTER_NS_CGROUP));
        assert_true(view_applies(ENTER_NS_NET | ENTER_NS_PID | ENTER_NS_TIME));
        /* Nothing network to view: a target in our own network namespace, or -u alone. */
        assert_false(view_applies(0));
        assert_false(view_applies(ENTER_NS_UTS | ENTER_NS_PID));
        /* The container's own files (-m, -a): none of it. */
        assert_false(view_applies(ENTER_NS_NET | ENTER_NS_MNT));
        assert_false(view_applies(ENTER_NS_ALL));
        /* A joined user namespace (rootless, userns-remap): its root makes the view. */
        assert_true(view_applies(ENTER_NS_NET | ENTER_NS_USER));
        assert_true(view_applies(ENTER_NS_NET | ENTER_NS_USER | ENTER_NS_PID));
        assert_false(view_applies(ENTER_NS_USER));
}

struct dir {
        char path[64];
        char file[96], link[96], sub[96], nope[96], up[96];
};

static int dir_setup(void **state) {
        struct dir *d = calloc(1, sizeof(*d));
        FILE *f;

        snprintf(d->path, sizeof(d->path), "/tmp/nsx-view.XXXXXX");
        if (!mkdtemp(d->path))
                return -1;
        snprintf(d->file, sizeof(d->file), "%s/resolv.conf", d->path);
        snprintf(d->link, sizeof(d->link), "%s/link", d->path);
        snprintf(d->sub, sizeof(d->sub), "%s/dir", d->path);
        snprintf(d->nope, sizeof(d->nope), "%s/nope", d->path);
        snprintf(d->up, sizeof(d->up), "%s/up", d->path);
        f = fopen(d->file, "we");
        if (!f)
                return -1;
        fputs("nameserver 127.0.0.11\n", f);
        fclose(f);
        /* up -> the directory itself: up/resolv.conf has a symlink in a middle component. */
        if (symlink(d->file, d->link) < 0 || mkdir(d->sub, 0700) < 0 || symlink(d->path, d->up) < 0)
                return -1;
        *state = d;
        return 0;
}

static int dir_teardown(void **state) {
        struct dir *d = *state;

        unlink(d->file);
        unlink(d->link);
        unlink(d->up);
        rmdir(d->sub);
        rmdir(d->path);
        free(d);
        return 0;
}

static void test_no_paths(void **state) {
        struct view v;
        struct nsx_error err = {};
        (void) state;

        /* An engine that names no files (empty or absent): no bind, nothing missing. */
        assert_int_equal(view_prepare(NULL, "", "container 'web'", &v, &err), 0);
        assert_int_equal(v.resolv_conf.tree_fd, -1);
        assert_int_equal(v.hosts.tree_fd, -1);
        assert_false(v.resolv_conf.missing);
        assert_false(v.hosts.missing);
        view_done(&v);
}

static void test_missing(void **state) {
        struct dir *d = *state;
        struct view v;
        struct nsx_error err = {};

        assert_int_equal(view_prepare(d->nope, NULL, "container 'web'", &v, &err), 0);
        assert_true(v.resolv_conf.missing);
        assert_int_equal(v.resolv_conf.tree_fd, -1);
        assert_false(v.hosts.missing);
        view_done(&v);
}

static void test_refused(void **state) {
        struct dir *d = *state;
        struct view v = VIEW_NULL;
        struct nsx_error err = {};
        char want[256];

        assert_int_equal(view_prepare(d->link, NULL, "container 'web'", &v, &err), -EINVAL);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        snprintf(want, sizeof(want), "refusing the /etc/resolv.conf of container 'web': '%s' is a symlink", d->link);
        assert_string_equal(err.message, want);

        /* The second file is checked too, and the first one's clone is not leaked (ASan). */
        assert_int_equal(
                view_prepare(geteuid() == 0 && have_open_tree() ? d->file : NULL, d->sub, "container 'web'", &v, &err),
                -EINVAL);
        snprintf(want, sizeof(want), "refusing the /etc/hosts of container 'web': '%s' is not a regular file", d->sub);
        assert_string_equal(err.message, want);
        assert_int_equal(v.resolv_conf.tree_fd, -1);
}

/* Opens path both ways (openat2, and the walk of kernels without it): each gives r; on success
 * the fd's file type is want_type. */
static void check_open(const char *path, int r, mode_t want_type) {
        static const enum view_resolve hows[] = {VIEW_RESOLVE_AUTO, VIEW_RESOLVE_WALK};

        for (size_t i = 0; i < ELEMENTSOF(hows); i++) {
                struct stat st;
                int fd = -1;

                assert_int_equal(view_open_nofollow(path, hows[i], &fd), r);
                if (r < 0) {
                        assert_int_equal(fd, -1);
                        continue;
                }
                assert_true(fd >= 0);
                assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                assert_int_equal(fstat(fd, &st), 0);
                assert_int_equal(st.st_mode & S_IFMT, want_type);
                close(fd);
        }
}

static void test_open_nofollow(void **state) {
        struct dir *d = *state;
        char path[160];

        check_open(d->file, 0, S_IFREG);
        /* A final symlink is opened itself, for the caller to refuse by name. */
        check_open(d->link, 0, S_IFLNK);
        check_open(d->sub, 0, S_IFDIR);
        check_open("/", 0, S_IFDIR);
        check_open(d->nope, -ENOENT, 0);
        /* A symlink in any other component: none is followed. */
        snprintf(path, sizeof(path), "%s/resolv.conf", d->up);
        check_open(path, -ELOOP, 0);
        snprintf(path, sizeof(path), "%s/x", d->link);
        check_open(path, -ELOOP, 0);
        /* /proc/self is a symlink, /proc/PID/cwd and /proc/PID/fd/N magic links: one is
         * never passed through; a last one is opened itself, as any symlink. */
        check_open("/proc/self/status", -ELOOP, 0);
        snprintf(path, sizeof(path), "/proc/%d/cwd/x", (int) getpid());
        check_open(path, -ELOOP, 0);
        snprintf(path, sizeof(path), "/proc/%d/fd/0", (int) getpid());
        check_open(path, 0, S_IFLNK);
        /* A file where a directory must be; extra slashes and dots are plain path syntax. */
        snprintf(path, sizeof(path), "%s/x", d->file);
        check_open(path, -ENOTDIR, 0);
        snprintf(path, sizeof(path), "%s/", d->file);
        check_open(path, -ENOTDIR, 0);
        snprintf(path, sizeof(path), "/%s//./dir/../resolv.conf", d->path);
        check_open(path, 0, S_IFREG);
        check_open("relative/path", -EINVAL, 0);
}

static void test_kernel_filesystem(void **state) {
        (void) state;
        assert_string_equal(fs_kernel_filesystem(PROC_SUPER_MAGIC), "proc");
        assert_string_equal(fs_kernel_filesystem(SYSFS_MAGIC), "sysfs");
        assert_string_equal(fs_kernel_filesystem(CGROUP2_SUPER_MAGIC), "cgroup2");
        assert_string_equal(fs_kernel_filesystem(BPF_FS_MAGIC), "bpf");
        /* Magic numbers above 2^31 match however f_type is signed. */
        assert_string_equal(fs_kernel_filesystem((long) (int32_t) SELINUX_MAGIC), "selinuxfs");
        assert_string_equal(fs_kernel_filesystem((long) SELINUX_MAGIC), "selinuxfs");
        /* Where engines keep their files. */
        assert_null(fs_kernel_filesystem(EXT4_SUPER_MAGIC));
        assert_null(fs_kernel_filesystem(XFS_SUPER_MAGIC));
        assert_null(fs_kernel_filesystem(BTRFS_SUPER_MAGIC));
        assert_null(fs_kernel_filesystem(TMPFS_MAGIC));
        assert_null(fs_kernel_filesystem(OVERLAYFS_SUPER_MAGIC));
        assert_null(fs_kernel_filesystem(0x65735546)); /* fuse */
}

static void test_refused_paths(void **state) {
        struct dir *d = *state;
        struct view v = VIEW_NULL;
        struct nsx_error err = {};
        char path[160], want[320];

        snprintf(path, sizeof(path), "%s/resolv.conf", d->up);
        assert_int_equal(view_prepare(path, NULL, "container 'web'", &v, &err), -ELOOP);
        assert_int_equal(err.kind, NSX_ERR_FAILED);
        snprintf(want, sizeof(want), "refusing the /etc/resolv.conf of container 'web': '%s' goes through a symlink",
                 path);
        assert_string_equal(err.message, want);

        assert_int_equal(view_prepare(NULL, "/proc/version", "container 'web'", &v, &err), -EINVAL);
        assert_string_equal(
                err.message,
                "refusing the /etc/hosts of container 'web': '/proc/version' is on proc, a kernel filesystem");
        assert_int_equal(view_prepare("etc/resolv.conf", NULL, "container 'web'", &v, &err), -EINVAL);
        assert_string_equal(
                err.message,
                "refusing the /etc/resolv.conf of container 'web': 'etc/resolv.conf' is not an absolute path");
        /* The engine's text reaches the terminal without its control characters. */
        snprintf(path, sizeof(path), "%s/\033[2J\nx", d->up);
        assert_int_equal(view_prepare(path, NULL, "container 'web'", &v, &err), -ELOOP);
        snprintf(want, sizeof(want),
                 "refusing the /etc/resolv.conf of container 'web': '%s/?[2J?x' goes through a symlink", d->up);
        assert_string_equal(err.message, want);
}

static void test_regular_file(void **state) {
        struct dir *d = *state;
        struct view v;
        struct nsx_error err = {};
        struct stat st;
        int fl;

        /* open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN. A TAP comment, not skip(): meson counts
         * cmocka's "not ok # SKIP" as a failure. */
        if (geteuid() != 0) {
                print_message("# not root: open_tree(OPEN_TREE_CLONE) needs CAP_SYS_ADMIN\n");
                return;
        }
        if (!have_open_tree()) {
                assert_int_equal(view_prepare(d->file, d->file, "container 'web'", &v, &err), -ENOSYS);
                assert_non_null(strstr(err.message, "open_tree: not supported by this kernel (Linux 5.2 or later)"));
                assert_string_equal(err.hint, "--host-dns keeps the host's /etc/resolv.conf and /etc/hosts");
                return;
        }
        assert_int_equal(view_prepare(d->file, d->file, "container 'web'", &v, &err), 0);
        assert_true(v.resolv_conf.tree_fd >= 0);
        assert_true(v.hosts.tree_fd >= 0);
        /* A clone of the very file, close-on-exec. */
        assert_int_equal(fstat(v.resolv_conf.tree_fd, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        fl = fcntl(v.hosts.tree_fd, F_GETFD);
        assert_true(fl >= 0 && (fl & FD_CLOEXEC));
        /* Read-only already, before it is bound anywhere (mount_setattr, Linux 5.12). */
        if (!v.resolv_conf.remount) {
                struct statvfs sv;

                assert_int_equal(fstatvfs(v.resolv_conf.tree_fd, &sv), 0);
                assert_true(sv.f_flag & ST_RDONLY);
        }
        view_done(&v);
        assert_int_equal(v.resolv_conf.tree_fd, -1);
        view_done(&v); /* twice is harmless */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_applies),
                cmocka_unit_test(test_no_paths),
                cmocka_unit_test_setup_teardown(test_missing, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_refused, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_regular_file, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(test_open_nofollow, dir_setup, dir_teardown),
                cmocka_unit_test(test_kernel_filesystem),
                cmocka_unit_test_setup_teardown(test_refused_paths, dir_setup, dir_teardown),
        };
        return cmocka_run_group_tests_name("view", tests, NULL, NULL);
}
