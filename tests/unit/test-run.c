/* SPDX-License-Identifier: MIT */
/* Unit tests: the run module (run.h) reads nothing of our environment and says nothing: the
 * -e values come in as values, its warnings come back as notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

static void test_env_overrides(void **state) {
        const char *env[] = {"A=1", "B", "C"};
        struct run_inputs in = {.env = env, .n_env = 3};
        struct nsx_error err = {0};
        char **v = NULL;

        (void) state;
        /* Our own environment is not read: only env_values. */
        setenv("C", "from-environ", 1);
        in.env_values[1] = "two";
        assert_int_equal(run_env_overrides(&in, &v, &err), 0);
        assert_string_equal(v[0], "A=1");
        assert_string_equal(v[1], "B=two");
        assert_string_equal(v[2], "C");
        assert_null(v[3]);
        exec_env_free(v);
}

static void test_no_verify_is_a_note(void **state) {
        _cleanup_(run_donep) struct run run = RUN_NULL;
        struct container c = {.pid = getpid()};
        struct run_inputs in = {.verify = false};
        struct nsx_error err = {0};
        char want[sizeof(run.notes[0].text)];

        (void) state;
        assert_int_equal(run_prepare(&in, &c, "container 'web'", &run, &err), 0);
        assert_int_equal(run.n_notes, 1);
        assert_int_equal(run.notes[0].kind, RUN_NOTE_WARNING);
        snprintf(want, sizeof(want), "--no-verify: not proving that PID %d belongs to container 'web'", (int) getpid());
        assert_string_equal(run.notes[0].text, want);
        assert_null(run.envp);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_env_overrides),
                cmocka_unit_test(test_no_verify_is_a_note),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
