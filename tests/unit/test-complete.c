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
        assert_int_equal(count(l),
                         26 + 17); /* with --privileged, --user, --env, -e, --forward, --index, --runtime-endpoint */
        complete_free(l);
        assert_int_equal(complete_options(docs, "--list", false, &l), 0);
        assert_int_equal(count(l), 2); /* --list, --listeners */
        complete_free(l);
        assert_int_equal(complete_options(docs, "--listeners", false, &l), 0);
        assert_int_equal(count(l), 1);
        complete_free(l);
}

/* Ports as container_parse_list leaves them: sorted by protocol then port, one entry each. */
static struct container_summary_port web_ports[] = {
        {80, CONTAINER_PROTO_TCP},
        {8080, CONTAINER_PROTO_TCP},
        {53, CONTAINER_PROTO_UDP},
};
static struct container_summary_port api_ports[] = {{80, CONTAINER_PROTO_TCP}, {9000, CONTAINER_PROTO_TCP}};
static struct container_summary_port one_80[] = {{80, CONTAINER_PROTO_TCP}};

static void test_forwards(void **state) {
        const struct container_summary ported[] = {
                {.id = ID_WEB, .name = (char *) "web", .ports = web_ports, .n_ports = 3},
                {.id = ID_DB, .name = (char *) "api", .ports = api_ports, .n_ports = 2},
                {.id = ID_HEX, .name = (char *) "quiet"},
        };
        const struct container_summary many[] = {
                {.id = ID_WEB, .name = (char *) "a", .ports = one_80, .n_ports = 1},
                {.id = ID_WEB, .name = (char *) "b", .ports = one_80, .n_ports = 1},
                {.id = ID_WEB, .name = (char *) "c", .ports = one_80, .n_ports = 1},
                {.id = ID_WEB, .name = (char *) "d", .ports = one_80, .n_ports = 1},
                {.id = ID_WEB, .name = (char *) "e", .ports = one_80, .n_ports = 1},
        };
        char **l;
        (void) state;

        /* Each port once, tcp then udp, by port; named by the containers that have it. */
        assert_int_equal(complete_forwards(ported, 3, "", true, &l), 0);
        assert_int_equal(count(l), 4);
        assert_string_equal(l[0], "80:80\tweb, api 80/tcp");
        assert_string_equal(l[1], "8080:8080\tweb 8080/tcp");
        assert_string_equal(l[2], "9000:9000\tapi 9000/tcp");
        assert_string_equal(l[3], "53:53/udp\tweb 53/udp");
        complete_free(l);
        assert_int_equal(complete_forwards(ported, 3, "8", false, &l), 0);
        assert_int_equal(count(l), 2);
        assert_string_equal(l[0], "80:80");
        assert_string_equal(l[1], "8080:8080");
        complete_free(l);
        assert_int_equal(complete_forwards(ported, 3, "53:53/", false, &l), 0);
        assert_int_equal(count(l), 1);
        assert_string_equal(l[0], "53:53/udp");
        complete_free(l);
        /* A host side typed: the container's ports after it. */
        assert_int_equal(complete_forwards(ported, 3, "8081:", false, &l), 0);
        assert_int_equal(count(l), 4);
        assert_string_equal(l[0], "8081:80");
        assert_string_equal(l[3], "8081:53/udp");
        complete_free(l);
        assert_int_equal(complete_forwards(ported, 3, "127.0.0.1:8081:9", true, &l), 0);
        assert_int_equal(count(l), 1);
        assert_string_equal(l[0], "127.0.0.1:8081:9000\tapi 9000/tcp");
        complete_free(l);
        assert_int_equal(complete_forwards(ported, 3, "x", false, &l), 0);
        assert_int_equal(count(l), 0);
        complete_free(l);
        assert_int_equal(complete_forwards(NULL, 0, "", true, &l), 0);
        assert_int_equal(count(l), 0);
        complete_free(l);
        /* Three names at most, then how many more. */
        assert_int_equal(complete_forwards(many, 5, "", true, &l), 0);
        assert_int_equal(count(l), 1);
        assert_string_equal(l[0], "80:80\ta, b, c +2 80/tcp");
        complete_free(l);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_ids),
                cmocka_unit_test(test_options),
                cmocka_unit_test(test_forwards),
        };
        return cmocka_run_group_tests_name("complete", tests, NULL, NULL);
}
