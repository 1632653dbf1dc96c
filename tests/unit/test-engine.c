/* SPDX-License-Identifier: MIT */
/* Unit tests: reading the engine's "use another API version" answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
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
        hint("{\"message\":\"client version 1.41 is too old. Minimum supported API version is 1.44, please upgrade "
             "your "
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
        static const char *const junk[] = {"+1.41", " 1.41", "1.+41", "1. 41",  "1.41 ",  "1.41.2", "1.",
                                           ".41",   "1.4x",  "1.-1",  "1.0x29", "1000.1", "1.1000"};
        for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
                assert_true(engine_version_cmp(junk[i], "0.0") < 0);
                assert_true(engine_version_cmp("0.0", junk[i]) > 0);
        }
}

/* /proc/net/tcp as this kernel writes it: a loopback engine on 2375 (uid 65534) with one
 * connection from port 41234, and others around it. */
static const char tcp_table[] =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:0947 00000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 1001 1 "
        "0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:A112 0100007F:0947 01 00000000:00000000 00:00000000 00000000     0        0 1002 1 "
        "0000000000000000 20 4 30 10 -1\n"
        "   2: 0100007F:0947 0100007F:A112 01 00000000:00000000 00:00000000 00000000 65534        0 1003 1 "
        "0000000000000000 20 4 31 10 -1\n"
        "   3: 0100007F:0947 0100007F:B000 06 00000000:00000000 03:00000FA0 00000000     0        0 0 3 "
        "0000000000000000\n";

static void test_tcp_owner(void **state) {
        uid_t uid = 7;
        (void) state;

        /* The engine's end of the connection: local 127.0.0.1:2375, remote our 127.0.0.1:41234. */
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007F:0947", "0100007F:A112", &uid), 0);
        assert_int_equal(uid, 65534);
        /* Our own end is root's; case does not matter. */
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007f:a112", "0100007f:0947", &uid), 0);
        assert_int_equal(uid, 0);
        /* No such connection, or only a half of it, or nothing at all: untouched. */
        uid = 7;
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007F:0947", "0100007F:C000", &uid), -ENOENT);
        assert_int_equal(engine_tcp_owner(tcp_table, "0100007F:0947", "", &uid), -ENOENT);
        assert_int_equal(engine_tcp_owner("", "0100007F:0947", "0100007F:A112", &uid), -ENOENT);
        assert_int_equal(
                engine_tcp_owner("   0: 0100007F:0947 0100007F:A112 01\n", "0100007F:0947", "0100007F:A112", &uid),
                -ENOENT);
        /* A uid field that is not a number. */
        assert_int_equal(engine_tcp_owner("   0: 0100007F:0947 0100007F:A112 01 0:0 00:0 0 +1 0 1\n", "0100007F:0947",
                                          "0100007F:A112", &uid),
                         -ENOENT);
        assert_int_equal(uid, 7);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_version_hint),
                cmocka_unit_test(test_version_cmp),
                cmocka_unit_test(test_tcp_owner),
        };
        return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
