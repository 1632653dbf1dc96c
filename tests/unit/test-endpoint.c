/* SPDX-License-Identifier: MIT */
/* Unit tests: choosing and parsing the engine endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "endpoint.h"

#define DEFAULT "unix:///var/run/docker.sock"

static void test_priority(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(endpoint_resolve(NULL, NULL, DEFAULT, &ep, &err), 0);
        assert_string_equal(ep.socket_path, "/var/run/docker.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_DEFAULT);

        assert_int_equal(endpoint_resolve(NULL, "unix:///env.sock", DEFAULT, &ep, &err), 0);
        assert_string_equal(ep.socket_path, "/env.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_ENV);

        assert_int_equal(endpoint_resolve("unix:///flag.sock", "unix:///env.sock", DEFAULT, &ep, &err), 0);
        assert_string_equal(ep.socket_path, "/flag.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_FLAG);

        /* An empty DOCKER_HOST is unset, as for the docker CLI. */
        assert_int_equal(endpoint_resolve(NULL, "", DEFAULT, &ep, &err), 0);
        assert_int_equal(ep.source, ENDPOINT_FROM_DEFAULT);
}

static void test_bad_endpoints(void **state) {
        struct endpoint ep = {.socket_path = "untouched"};
        struct nsx_error err = {};
        (void) state;

        static const char *const bad[] = {
                "tcp://127.0.0.1:2375", "ssh://host", "/var/run/docker.sock", "unix://", "unix://relative.sock",
                "docker.sock",          "fd://",     "npipe:////./pipe/docker_engine",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(endpoint_parse(bad[i], ENDPOINT_FROM_FLAG, &ep, &err) < 0);
                assert_int_equal(err.kind, NSX_ERR_ENDPOINT);
                assert_non_null(strstr(err.message, bad[i]));
                assert_non_null(strstr(err.message, "--host"));
                assert_string_equal(ep.socket_path, "untouched");
        }
        assert_true(endpoint_resolve(NULL, "tcp://10.0.0.1:2375", DEFAULT, &ep, &err) < 0);
        assert_non_null(strstr(err.message, "DOCKER_HOST"));
        assert_non_null(strstr(err.message, "unsupported"));
}

static void test_path_length(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char uri[256] = "unix://";
        (void) state;

        /* sun_path holds 108 bytes: 107 characters and the NUL. */
        memset(uri + 7, 'a', ENDPOINT_PATH_MAX);
        uri[7] = '/';
        uri[7 + ENDPOINT_PATH_MAX] = '\0';
        assert_int_equal(ENDPOINT_PATH_MAX, 107);
        assert_int_equal(endpoint_parse(uri, ENDPOINT_FROM_FLAG, &ep, &err), 0);
        assert_int_equal(strlen(ep.socket_path), 107);

        strcat(uri, "a");
        assert_true(endpoint_parse(uri, ENDPOINT_FROM_FLAG, &ep, &err) < 0);
        assert_int_equal(err.errnum, ENAMETOOLONG);
        assert_non_null(strstr(err.message, "too long"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_priority),
                cmocka_unit_test(test_bad_endpoints),
                cmocka_unit_test(test_path_length),
        };
        return cmocka_run_group_tests_name("endpoint", tests, NULL, NULL);
}
