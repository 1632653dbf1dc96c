/* SPDX-License-Identifier: MIT */
/* Unit tests: reading the engine's "use another API version" answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "engine.h"

static void hint(const char *body, const char *want) {
        char buf[16] = "x";

        engine_version_hint(body, strlen(body), buf, sizeof(buf));
        assert_string_equal(buf, want);
}

static void test_version_hint(void **state) {
        (void) state;
        hint("{\"message\":\"client version 1.41 is too new. Maximum supported API version is 1.40\"}\n", "1.40");
        hint("{\"message\":\"client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade your "
             "client to a newer version\"}",
             "1.44");
        hint("{\"message\":\"client version 1.41 is too new. Maximum supported API version is 1.23.\"}", "1.23");
        hint("{\"message\":\"No such container: web\"}", "");
        hint("{\"message\":\"Maximum supported API version is \"}", "");
        hint("{\"message\":\"Maximum supported API version is 1.\"}", "");
        hint("{\"message\":\"Maximum supported API version is 12345678901234567890.1\"}", "");
        hint("", "");
}

static void test_version_cmp(void **state) {
        (void) state;
        assert_true(engine_version_cmp("1.41", "1.41") == 0);
        assert_true(engine_version_cmp("1.9", "1.24") < 0);
        assert_true(engine_version_cmp("1.44", "1.41") > 0);
        assert_true(engine_version_cmp("2.0", "1.99") > 0);
        assert_true(engine_version_cmp("junk", "1.24") < 0);
        /* The engine's text: digits only on each side of one point, as for every number read. */
        static const char *const junk[] = {"+1.41", " 1.41", "1.+41", "1. 41", "1.41 ", "1.41.2", "1.", ".41",
                                           "1.4x", "1.-1", "1.0x29", "1000.1", "1.1000"};
        for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
                assert_true(engine_version_cmp(junk[i], "0.0") < 0);
                assert_true(engine_version_cmp("0.0", junk[i]) > 0);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version_hint),
                cmocka_unit_test(test_version_cmp),
        };
        return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
