/* SPDX-License-Identifier: MIT */
/* Unit tests: the listeners table's published column and fix line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "survey.h"

/* Host ports where one's text is the start of another's ("*:18082" holds "*:1808"), and the
 * 0.0.0.0/:: pair Docker gives for each: every port shown, each once, in the engine's order. */
static void test_published_ports(void **state) {
        struct container_binding bindings[] = {
                {.host_ip = "0.0.0.0", .host_port = 18082},
                {.host_ip = "::", .host_port = 18082},
                {.host_ip = "0.0.0.0", .host_port = 1808},
                {.host_ip = "::", .host_port = 1808},
                {.host_ip = "127.0.0.1", .host_port = 8},
        };
        struct container_port port = {
                .port = 8080,
                .proto = CONTAINER_PROTO_TCP,
                .exposed = true,
                .bindings = bindings,
                .n_bindings = sizeof(bindings) / sizeof(bindings[0]),
        };
        struct listeners_port judged = {
                .port = 8080,
                .proto = CONTAINER_PROTO_TCP,
                .declared = &port,
                .verdict = LISTENERS_NOT_LISTENING,
        };
        struct survey_container c = {
                .id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                .name = (char *) "idle",
                .pid = 42,
                .network_mode = "bridge",
                .judged = &judged,
                .n_judged = 1,
        };
        struct survey s = {.v = &c, .n = 1};
        char *out = NULL;
        size_t len = 0;
        FILE *f;
        (void) state;

        f = open_memstream(&out, &len);
        assert_non_null(f);
        assert_int_equal(render_table(f, &s, false), 0);
        assert_int_equal(fclose(f), 0);
        assert_non_null(strstr(out, " *:18082,*:1808,127.0.0.1:8 "));
        assert_non_null(strstr(out, "idle: 8080/tcp is published as *:18082,*:1808,127.0.0.1:8 but nothing listens"));
        free(out);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_published_ports),
        };
        return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
