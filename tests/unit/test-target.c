/* SPDX-License-Identifier: MIT */
/* Unit tests: the cgroup proof that a PID belongs to a container. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "target.h"

#define ID "439df2c9707a764347189b8c4d47f2b2b92fdc55061e16d29910ec4201bf28e1"
#define OTHER "f2eb554024d025ea9378b5e1308d41330c2b82c62989ec404866820054966b62"

static bool names(const char *text, const char *id) {
        return target_cgroup_names_id(text, strlen(text), id);
}

static void test_layouts_that_name_the_container(void **state) {
        (void) state;
        /* cgroup v1 with cgroupfs (seen here), v2, systemd driver, Podman, CRI, a custom parent. */
        assert_true(names("12:pids:/docker/" ID "\n1:name=systemd:/docker/" ID "\n", ID));
        assert_true(names("0::/system.slice/docker-" ID ".scope\n", ID));
        assert_true(names("0::/machine.slice/libpod-" ID ".scope/container\n", ID));
        assert_true(names("7:memory:/libpod_parent/libpod-" ID "\n", ID));
        assert_true(names("0::/kubepods/besteffort/pod1/cri-containerd-" ID ".scope\n", ID));
        assert_true(names("0::/kubepods.slice/crio-" ID ".scope\n", ID));
        assert_true(names("0::/my-parent/" ID, ID)); /* --cgroup-parent, no final newline */
}

static void test_layouts_that_do_not(void **state) {
        (void) state;
        assert_false(names("0::/user.slice/user-0.slice/session-1.scope\n", ID));
        assert_false(names("12:pids:/docker/" OTHER "\n", ID));
        /* The ID must be a whole component, not a part of one. */
        assert_false(names("0::/docker/" ID "x\n", ID));
        assert_false(names("0::/docker/x" ID "\n", ID));
        assert_false(names("0::/docker/" ID ".scopey\n", ID));
        /* Podman's conmon is not the container. */
        assert_false(names("0::/machine.slice/libpod-conmon-" ID ".scope\n", ID));
        /* In the controller list, not the path. */
        assert_false(names("12:" ID ":/\n", ID));
        /* A prefix of the ID is no proof; nor is an empty text. */
        assert_false(names("0::/docker/439df2c9707a\n", "439df2c9707a"));
        assert_false(names("", ID));
        assert_false(names("garbage without colons " ID, ID));
}

static void test_length_bound(void **state) {
        static const char text[] = "0::/docker/" ID "\n";
        (void) state;
        /* Only len bytes are read: a cut text does not name the ID. */
        assert_false(target_cgroup_names_id(text, strlen(text) - 3, ID));
        assert_true(target_cgroup_names_id(text, strlen(text) - 1, ID));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_layouts_that_name_the_container),
                cmocka_unit_test(test_layouts_that_do_not),
                cmocka_unit_test(test_length_bound),
        };
        return cmocka_run_group_tests_name("target", tests, NULL, NULL);
}
