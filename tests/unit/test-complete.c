/* SPDX-License-Identifier: MIT */
/* Unit tests: completion candidates from a container list and the option table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "complete.h"

#define ID_WEB "4f2a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
#define ID_DB "4f2b000000000000000000000000000000000000000000000000000000000000"
#define ID_HEX "abc0000000000000000000000000000000000000000000000000000000000000"

static const struct container_summary list[] = {
        {.id = ID_WEB, .name = (char *) "web"},
        {.id = ID_DB, .name = (char *) "webdb"},
        {.id = ID_HEX, .name = (char *) "abc"},
};

static size_t count(char **lines) {
        size_t n = 0;

        while (lines[n])
                n++;
        return n;
}

static void test_names(void **state) {
        char **l;
        (void) state;

        assert_int_equal(complete_containers(list, 3, "", true, &l), 0);
        assert_int_equal(count(l), 3);
        assert_string_equal(l[0], "web");
        assert_string_equal(l[1], "webdb");
        assert_string_equal(l[2], "abc");
        complete_free(l);

        assert_int_equal(complete_containers(list, 3, "web", true, &l), 0);
        assert_int_equal(count(l), 2);
        complete_free(l);
        assert_int_equal(complete_containers(list, 3, "webd", false, &l), 0);
        assert_int_equal(count(l), 1);
        assert_string_equal(l[0], "webdb");
        complete_free(l);
        assert_int_equal(complete_containers(list, 3, "x", false, &l), 0);
        assert_int_equal(count(l), 0);
        complete_free(l);
        assert_int_equal(complete_containers(NULL, 0, "", false, &l), 0);
        assert_int_equal(count(l), 0);
        complete_free(l);
}

static void test_ids(void **state) {
        char **l;
        (void) state;

        /* A hex prefix: short IDs, described by the name (or bare). */
        assert_int_equal(complete_containers(list, 3, "4f2", true, &l), 0);
        assert_int_equal(count(l), 2);
        assert_string_equal(l[0], "4f2a1b2c3d4e\tweb");
        assert_string_equal(l[1], "4f2b00000000\twebdb");
        complete_free(l);
        assert_int_equal(complete_containers(list, 3, "4f2a", false, &l), 0);
        assert_int_equal(count(l), 1);
        assert_string_equal(l[0], "4f2a1b2c3d4e");
        complete_free(l);
        /* More than twelve digits typed: the whole ID. */
        assert_int_equal(complete_containers(list, 3, "4f2a1b2c3d4e5", false, &l), 0);
        assert_int_equal(count(l), 1);
        assert_string_equal(l[0], ID_WEB);
        complete_free(l);
        /* A name that is hex too: both. */
        assert_int_equal(complete_containers(list, 3, "ab", false, &l), 0);
        assert_int_equal(count(l), 2);
        assert_string_equal(l[0], "abc");
        assert_string_equal(l[1], "abc000000000");
        complete_free(l);
        /* Upper case or a non-hex letter is no ID prefix. */
        assert_int_equal(complete_containers(list, 3, "4F2", false, &l), 0);
        assert_int_equal(count(l), 0);
        complete_free(l);
        assert_false(complete_is_hex_prefix(""));
        assert_false(complete_is_hex_prefix("4g"));
        assert_true(complete_is_hex_prefix("0123456789abcdef"));
}

static void test_options(void **state) {
        struct options_doc buf[OPTIONS_DOCS_MAX];
        const struct options_doc *docs = options_docs(buf);
        char **l;
        (void) state;

        assert_int_equal(complete_options(docs, "--h", true, &l), 0);
        assert_int_equal(count(l), 3);
        assert_string_equal(l[0], "--host\tengine endpoint (unix:///path or tcp://127.0.0.1:PORT)");
        assert_string_equal(l[1], "--host-dns\tkeep the host's /etc/resolv.conf and /etc/hosts");
        assert_string_equal(l[2], "--help\tshow the help");
        complete_free(l);
        assert_int_equal(complete_options(docs, "-H", false, &l), 0);
        assert_int_equal(count(l), 1);
        assert_string_equal(l[0], "-H");
        complete_free(l);
        /* "-" offers every long and short name. */
        assert_int_equal(complete_options(docs, "-", false, &l), 0);
        assert_int_equal(count(l), 24 + 16); /* with --privileged, --user, --env and -e */
        complete_free(l);
        assert_int_equal(complete_options(docs, "--list", false, &l), 0);
        assert_int_equal(count(l), 2); /* --list, --listeners */
        complete_free(l);
        assert_int_equal(complete_options(docs, "--listeners", false, &l), 0);
        assert_int_equal(count(l), 1);
        complete_free(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_ids),
                cmocka_unit_test(test_options),
        };
        return cmocka_run_group_tests_name("complete", tests, NULL, NULL);
}
