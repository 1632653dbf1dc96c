/* SPDX-License-Identifier: MIT */
/* Unit tests: user specs, the passwd and group parsers, the container's files as read through its root, the
 * environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fs.h"
#include "user.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# comment:x:5:5::/comment:\n"
                             "+nis:x:6:6::/nis:\n"
                             "+\n"
                             "-bad:x:7:7::/bad:\n"
                             "app:x:1000:1000:App:/home/app:/bin/sh\n"
                             "app:x:1001:1001::/dup:\n"
                             "other:x:1001:1001::/other:\n"
                             "short:x:1002\n"
                             "big:x:4294967295:1:::\n"
                             "huge:x:99999999999999999999999:1:::\n"
                             "neg:x:-1:1::/n:\n"
                             "sign:x:+7:1::/s:\n"
                             "space:x: 8:1::/s:\n"
                             "nohome:x:1003:1003\n"
                             ":x:1006:1006::/noname:\n"
                             "   trimmed:x:1005:1005::/t:   \r\n"
                             "\n"
                             "nobody:x:65534:65534:nobody:/nonexistent:/bin/false";

static const char group[] = "root:x:0:\n"
                            "wheel:x:10:app,other\n"
                            "audio:x:29:other,app\n"
                            "staff:x:50:\n"
                            "app:x:1000:\n"
                            "+:::\n"
                            "bad:x:zz:app\n"
                            "noid:x::app\n"
                            "#app:x:11:app\n"
                            "dupname:x:60:\n"
                            "dupname:x:61:\n"
                            "applike:x:70:apple,ap,app2\n"
                            "last:x:77:app";

static int resolve(const char *spec, struct exec_user *u, struct nsx_error *err) {
        return user_resolve_from(spec, passwd, strlen(passwd), group, strlen(group), u, err);
}

static void expect_groups(const struct exec_user *u, size_t n, ...) {
        va_list ap;

        if (u->n_groups != n)
                fail_msg("%zu groups, expected %zu", u->n_groups, n);
        va_start(ap, n);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(u->groups[i], va_arg(ap, unsigned));
        va_end(ap);
}

static void test_spec_check(void **state) {
        static const char *const good[] = {
                "root", "0", "1000", "1000:1000", "app:staff", "a.b-c_d@e$", "2147483647", "0:2147483647", "1abc", "_x",
        };
        static const char *const bad[] = {
                "",     ":",   "a:",        ":a",         "a:b:c",      "-x",           "x:-y",
                "a b",  "a\n", "a\x1b[31m", "4294967295", "2147483648", "0:4294967295", "99999999999999999999",
                "+nis", "a/b", "w\xc3\xa9", "a,b",
        };
        char long_name[300];
        (void) state;

        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                struct nsx_error err = {};

                if (user_spec_check(good[i], &err) != 0)
                        fail_msg("'%s' refused: %s", good[i], err.message);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct nsx_error err = {};

                if (user_spec_check(bad[i], &err) >= 0)
                        fail_msg("'%s' accepted", bad[i]);
                assert_int_equal(err.kind, NSX_ERR_USAGE);
                assert_non_null(strstr(err.message, "invalid user"));
                /* One line, no escape sequence: the spec is shown sanitized. */
                assert_null(strchr(err.message, '\n'));
                assert_null(strchr(err.message, '\x1b'));
        }
        memset(long_name, 'a', 257);
        long_name[257] = '\0';
        assert_true(user_spec_check(long_name, NULL) < 0);
        long_name[256] = '\0';
        assert_int_equal(user_spec_check(long_name, NULL), 0);

        struct nsx_error err = {};
        assert_true(user_spec_check("4294967295", &err) < 0);
        assert_non_null(strstr(err.message, "0-2147483647"));
}

static void test_resolve_names_and_ids(void **state) {
        struct exec_user u = {};
        struct nsx_error err = {};
        (void) state;

        /* No spec: root's entry gives the home; root is in no group's member list. */
        assert_int_equal(resolve("", &u, &err), 0);
        assert_int_equal(u.uid, 0);
        assert_int_equal(u.gid, 0);
        assert_string_equal(u.home, "/root");
        expect_groups(&u, 1, 0);
        exec_user_done(&u);

        /* A name: the first entry wins; its memberships follow the primary GID, in file order;
         * "apple", "ap" and "app2" are not "app"; commented and malformed group lines count not. */
        assert_int_equal(resolve("app", &u, &err), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 1000);
        assert_string_equal(u.home, "/home/app");
        expect_groups(&u, 4, 1000, 10, 29, 77);
        exec_user_done(&u);

        /* A number is a UID: the first entry with it, name and all. */
        assert_int_equal(resolve("1001", &u, &err), 0);
        assert_int_equal(u.uid, 1001);
        assert_int_equal(u.gid, 1001);
        assert_string_equal(u.home, "/dup");
        expect_groups(&u, 4, 1001, 10, 29, 77);
        exec_user_done(&u);

        /* A UID without an entry: gid 0, home "/", as docker exec -u 4242 shows. */
        assert_int_equal(resolve("4242", &u, &err), 0);
        assert_int_equal(u.uid, 4242);
        assert_int_equal(u.gid, 0);
        assert_string_equal(u.home, "/");
        expect_groups(&u, 1, 0);
        exec_user_done(&u);

        /* An explicit group replaces the primary GID and drops the memberships. */
        assert_int_equal(resolve("app:staff", &u, &err), 0);
        assert_int_equal(u.uid, 1000);
        assert_int_equal(u.gid, 50);
        assert_string_equal(u.home, "/home/app");
        expect_groups(&u, 1, 50);
        exec_user_done(&u);
        assert_int_equal(resolve("1000:50", &u, &err), 0);
        assert_int_equal(u.gid, 50);
        expect_groups(&u, 1, 50);
        exec_user_done(&u);
        assert_int_equal(resolve("4242:4243", &u, &err), 0);
        assert_int_equal(u.uid, 4242);
        assert_int_equal(u.gid, 4243);
        expect_groups(&u, 1, 4243);
        exec_user_done(&u);
        assert_int_equal(resolve("4242:dupname", &u, &err), 0);
        assert_int_equal(u.gid, 60); /* the first of two */
        exec_user_done(&u);

        assert_int_equal(resolve("nobody", &u, &err), 0);
        assert_int_equal(u.uid, 65534);
        assert_string_equal(u.home, "/nonexistent");
        exec_user_done(&u);

        /* Blanks around a line are not part of it; a missing home is "/". */
        assert_int_equal(resolve("trimmed", &u, &err), 0);
        assert_int_equal(u.uid, 1005);
        assert_string_equal(u.home, "/t");
        exec_user_done(&u);
        assert_int_equal(resolve("nohome", &u, &err), 0);
        assert_int_equal(u.uid, 1003);
        assert_string_equal(u.home, "/");
        exec_user_done(&u);

        /* A UID only a comment or a NIS line carries matches nothing there. */
        assert_int_equal(resolve("5", &u, &err), 0);
        assert_string_equal(u.home, "/");
        exec_user_done(&u);
        assert_int_equal(resolve("6", &u, &err), 0);
        assert_string_equal(u.home, "/");
        exec_user_done(&u);
}

static void test_resolve_refusals(void **state) {
        static const struct {
                const char *spec;
                const char *says;
        } cases[] = {
                {"nope", "unable to find user nope: no matching entries in passwd file"},
                /* Lines with a missing, signed, spaced or out-of-range ID are skipped, never
                 * read as 0 (root). */
                {"short", "unable to find user short: no matching entries in passwd file"},
                {"big", "unable to find user big: no matching entries in passwd file"},
                {"huge", "unable to find user huge: no matching entries in passwd file"},
                {"neg", "unable to find user neg: no matching entries in passwd file"},
                {"sign", "unable to find user sign: no matching entries in passwd file"},
                {"space", "unable to find user space: no matching entries in passwd file"},
                {"bad", "unable to find user bad: no matching entries in passwd file"}, /* only as "-bad" */
                {"app:nogroup", "unable to find group nogroup: no matching entries in group file"},
                {"app:bad", "unable to find group bad: no matching entries in group file"},
                {"4294967295", "must be in the range 0-2147483647"},
                {"0:4294967295", "must be in the range 0-2147483647"},
                {"+nis", "invalid user '+nis'"},
                {"a\nb", "invalid user 'a?b'"},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct exec_user u = {.home = (char *) "untouched"};
                struct nsx_error err = {};

                assert_true(resolve(cases[i].spec, &u, &err) < 0);
                if (!strstr(err.message, cases[i].says))
                        fail_msg("'%s': got '%s'", cases[i].spec, err.message);
                /* Not a usage error here: the spec may be the engine's Config.User. */
                assert_int_equal(err.kind, NSX_ERR_FAILED);
                assert_string_equal(u.home, "untouched");
        }
}

static void test_resolve_without_files(void **state) {
        struct exec_user u = {};
        struct nsx_error err = {};
        (void) state;

        /* An image without passwd or group: root, or numbers only. */
        assert_int_equal(user_resolve_from("", NULL, 0, NULL, 0, &u, &err), 0);
        assert_int_equal(u.uid, 0);
        assert_string_equal(u.home, "/");
        expect_groups(&u, 1, 0);
        exec_user_done(&u);
        assert_int_equal(user_resolve_from("5:7", NULL, 0, NULL, 0, &u, &err), 0);
        assert_int_equal(u.uid, 5);
        assert_int_equal(u.gid, 7);
        expect_groups(&u, 1, 7);
        exec_user_done(&u);
        assert_true(user_resolve_from("root", NULL, 0, NULL, 0, &u, &err) < 0);
        assert_string_equal(err.message, "unable to find user root: no matching entries in passwd file");
        assert_true(user_resolve_from("0:wheel", NULL, 0, NULL, 0, &u, &err) < 0);
        assert_string_equal(err.message, "unable to find group wheel: no matching entries in group file");
}

static void test_resolve_bounded_input(void **state) {
        static const char cut[] = "app:x:1000:1000::/home/app:\nroot:x:0:0::/root:";
        size_t big = 1024 * 1024;
        char *buf = malloc(big + 64);
        struct exec_user u = {};
        struct nsx_error err = {};
        (void) state;

        /* Bytes past len are not read: the second line is cut to "roo". */
        assert_int_equal(user_resolve_from("app", cut, 28, NULL, 0, &u, &err), 0);
        assert_string_equal(u.home, "/home/app");
        exec_user_done(&u);
        assert_int_equal(user_resolve_from("", cut, strlen(cut) - 20, NULL, 0, &u, &err), 0);
        assert_string_equal(u.home, "/"); /* root's line is cut off: no entry */
        exec_user_done(&u);

        /* A line of a megabyte, then the user. */
        assert_non_null(buf);
        memset(buf, 'g', big);
        memcpy(buf, "long:x:1:1:", 11);
        strcpy(buf + big, "\napp:x:1000:1000::/a:\n");
        assert_int_equal(user_resolve_from("app", buf, strlen(buf), NULL, 0, &u, &err), 0);
        assert_string_equal(u.home, "/a");
        exec_user_done(&u);
        free(buf);

        /* A NUL inside a line is a byte like any other. */
        static const char nul[] = "ro\0ot:x:0:0::/nul:\nroot:x:0:0::/root:\n";
        assert_int_equal(user_resolve_from("root", nul, sizeof(nul) - 1, NULL, 0, &u, &err), 0);
        assert_string_equal(u.home, "/root");
        exec_user_done(&u);
}

static void test_resolve_too_many_groups(void **state) {
        size_t n = NGROUPS_MAX, cap = n * 32;
        char *buf = malloc(cap), *p = buf;
        struct exec_user u = {};
        struct nsx_error err = {};
        (void) state;

        assert_non_null(buf);
        /* NGROUPS_MAX - 1 memberships and the primary GID: exactly the limit. */
        for (size_t i = 1; i < n; i++)
                p += sprintf(p, "g%zu:x:%zu:app\n", i, i);
        assert_int_equal(user_resolve_from("app", passwd, strlen(passwd), buf, (size_t) (p - buf), &u, &err), 0);
        assert_int_equal(u.n_groups, (size_t) NGROUPS_MAX);
        exec_user_done(&u);
        /* One more is refused, not cut. */
        p += sprintf(p, "g%zu:x:%zu:app\n", n, n);
        assert_true(user_resolve_from("app", passwd, strlen(passwd), buf, (size_t) (p - buf), &u, &err) < 0);
        assert_int_equal(err.errnum, E2BIG);
        free(buf);
}

static void test_env_build(void **state) {
        struct exec_user root = {.home = (char *) "/root"};
        char **envp = NULL;
        struct nsx_error err = {};
        (void) state;

        /* docker exec on an image with Env null: exactly these three, in this order. */
        setenv("NSX_TEST_SECRET", "from-the-caller", 1);
        assert_int_equal(exec_env_build(NULL, "a1adada92043", NULL, &root, NULL, &envp, &err), 0);
        assert_string_equal(envp[0], "PATH=" EXEC_DEFAULT_PATH);
        assert_string_equal(envp[1], "HOSTNAME=a1adada92043");
        assert_string_equal(envp[2], "HOME=/root");
        assert_null(envp[3]);
        exec_env_free(envp);

        /* Config.Env replaces in place and appends; -e wins; KEY alone removes; HOME from
         * the environment beats the passwd entry's; nothing of ours comes in. */
        {
                char *config[] = {"PATH=/opt/bin", "LANG=C", "FOO=config", "HOME=/cfg", "LANG=C.UTF-8", NULL};
                char *overrides[] = {"FOO=cli", "BAR=1", "LANG", "ABSENT", "TERM=vt100", NULL};

                assert_int_equal(exec_env_build(config, "h", "xterm", &root, overrides, &envp, &err), 0);
                assert_string_equal(envp[0], "PATH=/opt/bin");
                assert_string_equal(envp[1], "HOSTNAME=h");
                assert_string_equal(envp[2], "TERM=vt100");
                assert_string_equal(envp[3], "FOO=cli");
                assert_string_equal(envp[4], "HOME=/cfg");
                assert_string_equal(envp[5], "BAR=1");
                assert_null(envp[6]);
                for (size_t i = 0; envp[i]; i++)
                        assert_null(strstr(envp[i], "NSX_TEST_SECRET"));
                exec_env_free(envp);
        }

        /* TERM sits after HOSTNAME, where docker puts its own; Config.Env may replace it. */
        {
                char *config[] = {"TERM=dumb", NULL};
                struct exec_user user = {.home = (char *) "/home/app"};

                assert_int_equal(exec_env_build(config, "h", "xterm-256color", &user, NULL, &envp, &err), 0);
                assert_string_equal(envp[2], "TERM=dumb");
                assert_string_equal(envp[3], "HOME=/home/app");
                assert_null(envp[4]);
                exec_env_free(envp);
        }

        /* Even PATH and HOSTNAME can be removed, as docker's -e PATH with PATH unset does. */
        {
                char *overrides[] = {"PATH", "HOSTNAME", "HOME", NULL};

                assert_int_equal(exec_env_build(NULL, "h", NULL, NULL, overrides, &envp, &err), 0);
                assert_string_equal(envp[0], "HOME=/");
                assert_null(envp[1]);
                exec_env_free(envp);
        }
        unsetenv("NSX_TEST_SECRET");
}

/* --- the container's files, through a root directory ---------------------------------- */

struct root_dir {
        char path[64];
        int fd;
};

static void root_setup(struct root_dir *r) {
        char etc[128];

        snprintf(r->path, sizeof(r->path), "/tmp/nsx-user-XXXXXX");
        assert_non_null(mkdtemp(r->path));
        snprintf(etc, sizeof(etc), "%s/etc", r->path);
        assert_int_equal(mkdir(etc, 0755), 0);
        r->fd = open(r->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        assert_true(r->fd >= 0);
}

static void root_write(struct root_dir *r, const char *name, const char *text) {
        char path[192];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", r->path, name);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static void root_path(struct root_dir *r, const char *name, char *buf, size_t size) {
        snprintf(buf, size, "%s/%s", r->path, name);
}

static void root_teardown(struct root_dir *r) {
        char cmd[128];

        close(r->fd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->path);
        assert_int_equal(system(cmd), 0);
}

static void test_resolve_files(void **state) {
        static const char not_found[] = "unable to find user hostonly: no matching entries in passwd file";
        static const char not_regular[] = "refusing the container's /etc/passwd: it is not a regular file";
        /* openat2(RESOLVE_IN_ROOT) where the kernel has it; valgrind 3.19 answers ENOSYS, and the
         * fallback is tested there. */
        bool in_root = fs_openat2(AT_FDCWD, "/", O_PATH | O_DIRECTORY, 0) != -ENOSYS;
        struct root_dir r, host;
        struct exec_user u = {};
        struct nsx_error err = {};
        char p[192], target[192];
        (void) state;

        root_setup(&r);
        /* No etc/passwd at all: root, home "/". */
        assert_int_equal(user_resolve(r.fd, "", &u, &err), 0);
        assert_int_equal(u.uid, 0);
        assert_string_equal(u.home, "/");
        exec_user_done(&u);

        root_write(&r, "etc/passwd", "root:x:0:0::/root:\napp:x:1000:1000::/home/app:\n");
        root_write(&r, "etc/group", "wheel:x:10:app\n");
        assert_int_equal(user_resolve(r.fd, "app", &u, &err), 0);
        assert_int_equal(u.uid, 1000);
        expect_groups(&u, 2, 1000, 10);
        exec_user_done(&u);

        /* A symlink inside the container, to a file of the container: followed there. */
        root_path(&r, "etc/passwd", p, sizeof(p));
        assert_int_equal(rename(p, (root_path(&r, "etc/real-passwd", target, sizeof(target)), target)), 0);
        assert_int_equal(symlink("/etc/real-passwd", p), 0);
        if (in_root) {
                assert_int_equal(user_resolve(r.fd, "app", &u, &err), 0);
                assert_string_equal(u.home, "/home/app");
                exec_user_done(&u);
        } else {
                /* Without openat2 no symlink is followed at all (the documented fallback). */
                assert_true(user_resolve(r.fd, "app", &u, &err) < 0);
                assert_string_equal(err.message, not_regular);
        }

        /* A symlink that names a host file, absolute or climbing out with "..": it resolves
         * inside the container's root, where there is no such file. The host's file is not
         * read: its user is unknown. */
        root_setup(&host);
        root_write(&host, "etc/passwd", "hostonly:x:4242:4242::/host-home:\n");
        root_path(&host, "etc/passwd", target, sizeof(target));
        assert_int_equal(unlink(p), 0);
        assert_int_equal(symlink(target, p), 0);
        assert_true(user_resolve(r.fd, "hostonly", &u, &err) < 0);
        assert_string_equal(err.message, in_root ? not_found : not_regular);
        {
                char climb[256];

                snprintf(climb, sizeof(climb), "../../../../../../..%s", target);
                assert_int_equal(unlink(p), 0);
                assert_int_equal(symlink(climb, p), 0);
                assert_true(user_resolve(r.fd, "hostonly", &u, &err) < 0);
                assert_string_equal(err.message, in_root ? not_found : not_regular);
        }
        /* "/proc/self/root/..." is a magic link: it would leave the root. */
        {
                char magic[256];

                snprintf(magic, sizeof(magic), "/proc/self/root%s", target);
                assert_int_equal(unlink(p), 0);
                assert_int_equal(symlink(magic, p), 0);
                assert_true(user_resolve(r.fd, "hostonly", &u, &err) < 0);
                assert_null(strstr(err.message, "4242"));
        }
        root_teardown(&host);

        /* A FIFO would block a reader until a writer comes: refused at once. */
        assert_int_equal(unlink(p), 0);
        assert_int_equal(mkfifo(p, 0644), 0);
        assert_true(user_resolve(r.fd, "", &u, &err) < 0);
        assert_string_equal(err.message, "refusing the container's /etc/passwd: it is not a regular file");

        /* A directory, and (as root) a device node the container made: refused. */
        assert_int_equal(unlink(p), 0);
        assert_int_equal(mkdir(p, 0755), 0);
        assert_true(user_resolve(r.fd, "", &u, &err) < 0);
        assert_non_null(strstr(err.message, "not a regular file"));
        assert_int_equal(rmdir(p), 0);
        if (geteuid() == 0) {
                assert_int_equal(mknod(p, S_IFCHR | 0644, makedev(1, 3)), 0);
                assert_true(user_resolve(r.fd, "", &u, &err) < 0);
                assert_non_null(strstr(err.message, "not a regular file"));
                assert_int_equal(unlink(p), 0);
        }

        /* Larger than USER_FILE_MAX: refused, not cut (a sparse file: no disk used). */
        {
                int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

                assert_true(fd >= 0);
                assert_int_equal(ftruncate(fd, (off_t) USER_FILE_MAX + 1), 0);
                close(fd);
                assert_true(user_resolve(r.fd, "", &u, &err) < 0);
                assert_string_equal(err.message, "refusing the container's /etc/passwd: larger than 4 MiB");
                fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
                assert_true(fd >= 0);
                assert_int_equal(ftruncate(fd, (off_t) USER_FILE_MAX), 0);
                close(fd);
                assert_int_equal(user_resolve(r.fd, "", &u, &err), 0); /* exactly the limit */
                exec_user_done(&u);
        }

        /* The group file gets the same checks. */
        root_write(&r, "etc/passwd", "app:x:1000:1000::/home/app:\n");
        root_path(&r, "etc/group", p, sizeof(p));
        assert_int_equal(unlink(p), 0);
        assert_int_equal(mkfifo(p, 0644), 0);
        assert_true(user_resolve(r.fd, "app", &u, &err) < 0);
        assert_string_equal(err.message, "refusing the container's /etc/group: it is not a regular file");

        /* A bad spec is refused before any file is opened (the FIFO is still there). */
        assert_true(user_resolve(r.fd, "a:b:c", &u, &err) < 0);
        assert_non_null(strstr(err.message, "invalid user"));
        root_teardown(&r);
}

static void test_setgroups_policy(void **state) {
        struct exec_user u = {};
        int procfd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
        (void) state;

        assert_true(procfd >= 0);
        u.setgroups_denied = true;
        /* The initial user namespace allows setgroups. */
        exec_user_check_setgroups(&u, procfd);
        assert_false(u.setgroups_denied);
        close(procfd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_spec_check),
                cmocka_unit_test(test_resolve_names_and_ids),
                cmocka_unit_test(test_resolve_refusals),
                cmocka_unit_test(test_resolve_without_files),
                cmocka_unit_test(test_resolve_bounded_input),
                cmocka_unit_test(test_resolve_too_many_groups),
                cmocka_unit_test(test_env_build),
                cmocka_unit_test(test_resolve_files),
                cmocka_unit_test(test_setgroups_policy),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
