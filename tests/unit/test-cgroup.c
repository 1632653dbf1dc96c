/* SPDX-License-Identifier: MIT */
/* Unit tests: finding our mount of each cgroup hierarchy in mountinfo (cgroup.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "cgroup.h"

/* This machine's: a tmpfs with one mount per v1 hierarchy (cpu and cpuacct apart), the v2 one
 * at unified; plus lines that are not cgroups, an escaped mount point, a bind of a sub-cgroup,
 * and optional fields before the separator. */
static const char mountinfo[] =
        "23 1 0:21 / /sys rw,nosuid - sysfs sysfs rw\n"
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime shared:5 master:1 - cgroup cgroup rw,pids\n"
        "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
        "50 1 0:39 /docker /srv/my\\040cg rw - cgroup cgroup rw,net_cls,net_prio\n"
        "51 1 0:40 / /mnt/x rw - cgroup\n"
        "garbage\n";

static struct cgroup_mounts mounts;

static int setup(void **state) {
        (void) state;
        return cgroup_mounts_parse(mountinfo, strlen(mountinfo), &mounts);
}

static int teardown(void **state) {
        (void) state;
        cgroup_mounts_done(&mounts);
        return 0;
}

/* The mount point found for one /proc/PID/cgroup line, or NULL. */
static const char *point_of(const char *line) {
        size_t pos = 0;
        struct cgroup_line l;
        const struct cgroup_mount *m;

        if (!cgroup_line_next(line, strlen(line), &pos, &l))
                return NULL;
        m = cgroup_mounts_find(&mounts, &l);
        return m ? m->point : NULL;
}

static void test_parse(void **state) {
        (void) state;
        /* The cgroup and cgroup2 mounts only; a line cut before its super options is not one. */
        assert_int_equal(mounts.n, 6);
        assert_int_equal(mounts.v[0].id, 32);
        assert_false(mounts.v[0].unified);
        assert_string_equal(mounts.v[0].superopts, "rw,cpu");
        assert_true(mounts.v[4].unified);
        assert_string_equal(mounts.v[4].point, "/sys/fs/cgroup/unified");
        /* \040 is a space. */
        assert_string_equal(mounts.v[5].point, "/srv/my cg");
        assert_string_equal(mounts.v[5].root, "/docker");
}

static void test_find(void **state) {
        (void) state;
        assert_string_equal(point_of("1:cpu:/docker/x\n"), "/sys/fs/cgroup/cpu");
        /* cpu is not cpuacct: whole words. */
        assert_string_equal(point_of("2:cpuacct:/docker/x\n"), "/sys/fs/cgroup/cpuacct");
        assert_string_equal(point_of("8:pids:/\n"), "/sys/fs/cgroup/pids");
        assert_string_equal(point_of("9:name=systemd:/x\n"), "/sys/fs/cgroup/systemd");
        assert_string_equal(point_of("0::/docker/x\n"), "/sys/fs/cgroup/unified");
        /* Every controller of the line must be the mount's. */
        assert_null(point_of("1:cpu,cpuacct:/docker/x\n"));
        assert_null(point_of("5:devices:/docker/x\n"));
        assert_null(point_of("9:name=other:/x\n"));
        assert_null(point_of("10::/x\n"));
        /* A bind of a sub-cgroup shows only what is below its root. */
        assert_string_equal(point_of("6:net_cls,net_prio:/docker/x\n"), "/srv/my cg");
        assert_string_equal(point_of("6:net_prio,net_cls:/docker\n"), "/srv/my cg");
        assert_null(point_of("6:net_cls,net_prio:/dockerx\n"));
        assert_null(point_of("6:net_cls,net_prio:/\n"));
}

static void test_degenerate(void **state) {
        struct cgroup_mounts m = {};
        (void) state;
        /* Nothing, a NUL in a mount point, a relative one, a mount ID that is no number. */
        static const char text[] = "1 1 0:1 / /a\\000b rw - cgroup cgroup rw,pids\n"
                                   "2 1 0:1 / rel rw - cgroup cgroup rw,pids\n"
                                   "x 1 0:1 / /x rw - cgroup cgroup rw,pids\n"
                                   "3 1 0:1 / /y rw - - cgroup2 cgroup2 rw\n";
        assert_int_equal(cgroup_mounts_parse("", 0, &m), 0);
        assert_int_equal(m.n, 0);
        cgroup_mounts_done(&m);
        assert_int_equal(cgroup_mounts_parse(text, strlen(text), &m), 0);
        assert_int_equal(m.n, 0);
        cgroup_mounts_done(&m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_find),
                cmocka_unit_test(test_degenerate),
        };
        return cmocka_run_group_tests_name("cgroup", tests, setup, teardown);
}
