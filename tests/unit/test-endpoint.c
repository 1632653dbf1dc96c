/* SPDX-License-Identifier: MIT */
/* Unit tests: choosing and parsing the engine endpoint. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "endpoint.h"
#include "util.h"

#define DEFAULT "unix:///var/run/docker.sock"
#define NOWHERE "unix:///nonexistent/nsx-test/docker.sock"

/* A private directory per test, for config files and sockets. */
static char tmp[64];

static int make_tmp(void **state) {
        (void) state;
        snprintf(tmp, sizeof(tmp), "/tmp/nsx-unit.XXXXXX");
        return mkdtemp(tmp) ? 0 : -1;
}

static int remove_tmp(void **state) {
        char cmd[128];
        (void) state;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
        return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *rel, const char *text) {
        char path[512], dir[600];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", tmp, rel);
        snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", path);
        assert_int_equal(system(dir), 0);
        f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

/* A bound unix socket file is enough for the search, which only stats. */
static void make_socket(const char *rel) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        char dir[600];
        int fd;

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", tmp, rel);
        snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", sa.sun_path);
        assert_int_equal(system(dir), 0);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        close(fd);
}

static void test_priority(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.default_host = DEFAULT}, &ep, &err), 0);
        assert_string_equal(ep.socket_path, "/var/run/docker.sock");

        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.env_host = "unix:///env.sock", .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/env.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_ENV);

        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.flag_host = "unix:///flag.sock",
                                                                     .env_host = "unix:///env.sock",
                                                                     .env_context = "nope",
                                                                     .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/flag.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_FLAG);

        /* An empty DOCKER_HOST or DOCKER_CONTEXT is unset, as for the docker CLI. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.env_host = "", .env_context = "",
                                                                     .default_host = NOWHERE},
                                          &ep, &err),
                         0);
        assert_int_equal(ep.source, ENDPOINT_FROM_DEFAULT);
}

static void test_contexts(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        write_file("cfg/contexts/meta/aaaa/meta.json",
                   "{\"Name\":\"ctx-a\",\"Metadata\":{},\"Endpoints\":{\"docker\":{\"Host\":\"unix:///a.sock\","
                   "\"SkipTLSVerify\":false}}}");
        write_file("cfg/contexts/meta/bbbb/meta.json",
                   "{\"Name\":\"ctx-b\",\"Endpoints\":{\"docker\":{\"Host\":\"unix:///b.sock\"}}}");
        write_file("cfg/config.json", "{\"auths\":{},\"currentContext\":\"ctx-b\"}");
        char cfg[128];
        snprintf(cfg, sizeof(cfg), "%s/cfg", tmp);

        /* config.json's currentContext */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .default_host = DEFAULT}, &ep,
                                          &err),
                         0);
        assert_string_equal(ep.socket_path, "/b.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONFIG);
        assert_non_null(strstr(ep.why, "bbbb/meta.json"));

        /* DOCKER_CONTEXT over config.json, --context over everything, DOCKER_HOST over contexts */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .env_context = "ctx-a",
                                                                     .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/a.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONTEXT_ENV);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .flag_context = "ctx-a",
                                                                     .env_host = "unix:///env.sock",
                                                                     .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/a.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONTEXT_FLAG);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .env_host = "unix:///env.sock",
                                                                     .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/env.sock");

        /* HOME/.docker when DOCKER_CONFIG is unset; "default" is the default endpoint. */
        write_file("home/.docker/config.json", "{\"currentContext\":\"default\"}");
        char home[128];
        snprintf(home, sizeof(home), "%s/home", tmp);
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.home = home, .default_host = DEFAULT}, &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/var/run/docker.sock");
        assert_int_equal(ep.source, ENDPOINT_FROM_CONFIG);
        /* ... which is DOCKER_HOST when set, as for the docker CLI. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.flag_context = "default",
                                                                     .env_host = "unix:///env.sock",
                                                                     .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/env.sock");

        /* Unknown context: named, with where it was looked for. */
        assert_true(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .flag_context = "nope",
                                                                .default_host = DEFAULT},
                                     &ep, &err) < 0);
        assert_non_null(strstr(err.message, "context 'nope' not found in "));

        /* A broken meta.json elsewhere does not hide a good one; a missing name names it. */
        write_file("cfg/contexts/meta/cccc/meta.json", "{not json");
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .flag_context = "ctx-a",
                                                                     .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_true(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .flag_context = "ctx-c",
                                                                .default_host = DEFAULT},
                                     &ep, &err) < 0);
        assert_non_null(strstr(err.message, "cccc/meta.json"));

        /* A broken config.json is named. */
        write_file("cfg/config.json", "{\"currentContext\": 42}");
        assert_true(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .default_host = DEFAULT}, &ep, &err) <
                    0);
        assert_non_null(strstr(err.message, "cfg/config.json"));
        write_file("cfg/config.json", "");
        assert_true(endpoint_resolve(&(struct endpoint_inputs) {.env_config = cfg, .default_host = DEFAULT}, &ep, &err) <
                    0);
        assert_non_null(strstr(err.message, "cannot parse"));
}

static void test_search(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        char xdg[128];
        (void) state;

        snprintf(xdg, sizeof(xdg), "%s/xdg", tmp);
        /* Nothing anywhere: the default stays, with every path tried listed. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.xdg_runtime_dir = xdg, .default_host = NOWHERE},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/nonexistent/nsx-test/docker.sock");
        assert_non_null(strstr(ep.tried, "/nonexistent/nsx-test/docker.sock, "));
        assert_non_null(strstr(ep.tried, "/xdg/docker.sock"));
        assert_non_null(strstr(ep.tried, "/xdg/podman/podman.sock"));

        /* Podman's rootless socket, then rootless Docker's, which comes first. */
        make_socket("xdg/podman/podman.sock");
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.xdg_runtime_dir = xdg, .default_host = NOWHERE},
                                          &ep, &err),
                         0);
        if (access("/run/podman/podman.sock", F_OK) != 0)
                assert_non_null(strstr(ep.socket_path, "/xdg/podman/podman.sock"));
        assert_int_equal(ep.source, ENDPOINT_FROM_SEARCH);
        make_socket("xdg/docker.sock");
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.xdg_runtime_dir = xdg, .default_host = NOWHERE},
                                          &ep, &err),
                         0);
        assert_non_null(strstr(ep.socket_path, "/xdg/docker.sock"));
        assert_string_equal(ep.tried, "");

        /* An explicit -H is never searched around. */
        assert_int_equal(endpoint_resolve(&(struct endpoint_inputs) {.flag_host = NOWHERE, .xdg_runtime_dir = xdg,
                                                                     .default_host = DEFAULT},
                                          &ep, &err),
                         0);
        assert_string_equal(ep.socket_path, "/nonexistent/nsx-test/docker.sock");
}

static void test_tcp(void **state) {
        struct endpoint ep;
        struct nsx_error err = {};
        (void) state;

        static const struct {
                const char *uri, *url;
        } good[] = {
                {"tcp://127.0.0.1:2375", "http://127.0.0.1:2375"}, {"tcp://127.1.2.3:80/", "http://127.1.2.3:80"},
                {"tcp://[::1]:2376", "http://[::1]:2376"},       {"tcp://localhost:9", "http://127.0.0.1:9"},
                {"tcp://127.0.0.1", "http://127.0.0.1:2375"},
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(endpoint_parse(good[i].uri, ENDPOINT_FROM_FLAG, &ep, &err), 0);
                assert_int_equal(ep.kind, ENDPOINT_TCP);
                assert_string_equal(ep.base_url, good[i].url);
        }

        static const char *const remote[] = {"tcp://192.0.2.1:2375", "tcp://example.com:2375", "ssh://user@host",
                                             "tcp://[2001:db8::1]:2375", "tcp://0.0.0.0:2375"};
        for (size_t i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
                assert_true(endpoint_parse(remote[i], ENDPOINT_FROM_ENV, &ep, &err) < 0);
                assert_non_null(strstr(err.message, "is not on this machine"));
                assert_non_null(strstr(err.message, "DOCKER_HOST"));
        }

        static const char *const bad[] = {
                "tcp://127.0.0.1:0",     "tcp://127.0.0.1:65536", "tcp://127.0.0.1:x",   "tcp://",
                "tcp://[::1",            "tcp://127.0.0.1:80/path",
                /* strtoul took each of these: a sign, spaces, a base prefix, junk after. */
                "tcp://127.0.0.1:+80",   "tcp://127.0.0.1: 80",   "tcp://127.0.0.1:-1",  "tcp://127.0.0.1:\t80",
                "tcp://127.0.0.1:80 ",   "tcp://127.0.0.1:0x50",  "tcp://127.0.0.1:80x", "tcp://127.0.0.1:",
                "tcp://[::1]:+2375",     "tcp://[::1]: 2375",     "tcp://localhost:+9",
                "tcp://127.0.0.1:18446744073709551696", /* 2^64 + 80: wraps to 80 in an unsigned long */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(endpoint_parse(bad[i], ENDPOINT_FROM_FLAG, &ep, &err) < 0);
                assert_non_null(strstr(err.message, "invalid engine endpoint"));
        }
}

static void test_parse_decimal(void **state) {
        unsigned long v = 7;
        (void) state;

        static const struct {
                const char *s;
                unsigned long max, want;
        } good[] = {
                {"0", 10, 0}, {"80", 65535, 80}, {"65535", 65535, 65535}, {"0080", 65535, 80}, {"9", 9, 9},
                {"18446744073709551615", ULONG_MAX, ULONG_MAX},
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                assert_int_equal(nsx_parse_decimal(good[i].s, strlen(good[i].s), good[i].max, &v), 0);
                assert_true(v == good[i].want);
        }
        static const char *const invalid[] = {"", "+80", "-80", " 80", "80 ", "\t80", "0x50", "80x", "8 0", "1.5", "\n"};
        for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
                v = 7;
                assert_int_equal(nsx_parse_decimal(invalid[i], strlen(invalid[i]), 65535, &v), -EINVAL);
                assert_true(v == 7); /* untouched */
        }
        static const struct {
                const char *s;
                unsigned long max;
        } range[] = {
                {"65536", 65535}, {"10", 9}, {"18446744073709551616", ULONG_MAX}, {"99999999999999999999999", 65535},
                {"1", 0},
        };
        for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++)
                assert_int_equal(nsx_parse_decimal(range[i].s, strlen(range[i].s), range[i].max, &v), -ERANGE);
        /* Only the first len bytes count. */
        assert_int_equal(nsx_parse_decimal("80/", 2, 65535, &v), 0);
        assert_true(v == 80);
}

static void test_bad_endpoints(void **state) {
        struct endpoint ep = {.socket_path = "untouched"};
        struct nsx_error err = {};
        (void) state;

        static const char *const bad[] = {
                "/var/run/docker.sock", "unix://", "unix://relative.sock", "docker.sock", "fd://",
                "npipe:////./pipe/docker_engine",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                assert_true(endpoint_parse(bad[i], ENDPOINT_FROM_FLAG, &ep, &err) < 0);
                assert_int_equal(err.kind, NSX_ERR_ENDPOINT);
                assert_non_null(strstr(err.message, bad[i]));
                assert_non_null(strstr(err.message, "--host"));
                assert_string_equal(ep.socket_path, "untouched");
        }
        assert_true(endpoint_resolve(&(struct endpoint_inputs) {.env_host = "fd://", .default_host = DEFAULT}, &ep, &err) <
                    0);
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
                cmocka_unit_test_setup_teardown(test_contexts, make_tmp, remove_tmp),
                cmocka_unit_test_setup_teardown(test_search, make_tmp, remove_tmp),
                cmocka_unit_test(test_tcp),
                cmocka_unit_test(test_parse_decimal),
                cmocka_unit_test(test_bad_endpoints),
                cmocka_unit_test(test_path_length),
        };
        return cmocka_run_group_tests_name("endpoint", tests, NULL, NULL);
}
